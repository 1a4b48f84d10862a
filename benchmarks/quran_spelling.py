#!/usr/bin/env python3
"""How well modern spelling finds the Quran's Uthmani spelling: recall and precision of
the ``uthmani`` fold (``--fold uthmani``), rule by rule, on Tanzil's two scripts.

Tanzil's simple script (modern spelling, vocalized) and its Uthmani script are aligned
verse by verse (``sura|aya|text`` lines, one file per sura).  For every setting:

* recall: the share of the simple script's word tokens found among the words of the
  same Uthmani verse (each verse normalized, then cut into words by
  ``text.tokenize.words``: the words ``grep -w`` and ``kwic`` see);
* precision: for every word of the simple script (a word: its spelling at ``standard``),
  the Uthmani verses where it is found, against the simple verses that have it; of all
  those verses, the share that do (a fold that merged different words would find verses
  that do not have them).

Each twice: with the simple script's words as it writes them (vocalized, as a text
searched with another text), and as a reader types them (unvocalized: the word at
``standard``, then normalized by the setting), the columns "typed".

    .venv/bin/python benchmarks/quran_spelling.py                 # /tmp/corpora
    .venv/bin/python benchmarks/quran_spelling.py ../shared/corpora --misses 20

The corpora are read from ``ROOT/tanzil_quran_simple/`` and ``ROOT/tanzil_quran_uthmani/``
(unpacked) or from ``ROOT/tanzil_quran_*.tar.xz`` (as ../shared/corpora has them).
"""

from __future__ import annotations

import argparse
import sys
import tarfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the working tree's package, not an installed one

from corpus_cli.text import normalize as normalization  # noqa: E402
from corpus_cli.text import uthmani as uthmani_rules  # noqa: E402
from corpus_cli.text.normalize import Normalizer  # noqa: E402
from corpus_cli.text.tokenize import words  # noqa: E402
from corpus_cli.text.uthmani import UTHMANI_RULES, uthmani_word  # noqa: E402

SIMPLE, UTHMANI = "tanzil_quran_simple", "tanzil_quran_uthmani"
Verse = tuple[int, int]  # sura, aya


def _lines(root: Path, name: str) -> Iterator[str]:
    folder, archive = root / name, root / f"{name}.tar.xz"
    if folder.is_dir():
        for path in sorted(folder.glob("*.txt")):
            yield from path.read_text(encoding="utf-8").splitlines()
    elif archive.is_file():
        with tarfile.open(archive, "r:xz") as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".txt")]
            for member in sorted(members, key=lambda m: m.name):
                if "/_about/" in member.name:
                    continue
                stream = tar.extractfile(member)
                if stream is not None:
                    yield from stream.read().decode("utf-8").splitlines()
    else:
        raise FileNotFoundError(f"neither {folder}/ nor {archive}")


def load_verses(root: Path, name: str) -> dict[Verse, str]:
    """The verses of one Tanzil script: ``sura|aya|text`` lines by (sura, aya)."""
    verses: dict[Verse, str] = {}
    for line in _lines(root, name):
        if line.strip():
            sura, aya, text = line.split("|", 2)
            verses[(int(sura), int(aya))] = text
    return verses


def load(root: Path) -> tuple[dict[Verse, str], dict[Verse, str]]:
    simple, uthmani = load_verses(root, SIMPLE), load_verses(root, UTHMANI)
    if simple.keys() != uthmani.keys():
        raise ValueError("the two scripts do not have the same verses")
    return simple, uthmani


class Score(NamedTuple):
    recall: float
    missed: int
    tokens: int
    precision: float
    false_found: int  # Uthmani verses found for a word that the simple verse lacks
    misses: Counter[str]  # missed words of the simple script (at standard) and how often


def score(
    simple: Mapping[Verse, str], uthmani: Mapping[Verse, str], normalizer: Normalizer, *, typed: bool = False
) -> Score:
    """Recall and precision of ``normalizer`` (see the module's docstring); ``typed``:
    the simple script's words unvocalized, as a reader types them."""
    standard = Normalizer.for_level("standard")
    simple_words = {v: words(text) for v, text in simple.items()}
    uthmani_words = {v: set(words(normalizer.normalize(text))) for v, text in uthmani.items()}
    spellings = {w for ws in simple_words.values() for w in ws}
    identity = normalization.normalize_many(spellings, standard)
    if typed:
        typed_key = normalization.normalize_many(set(identity.values()), normalizer)
        key = {w: typed_key[identity[w]] for w in spellings}
    else:
        key = normalization.normalize_many(spellings, normalizer)
    found_in: defaultdict[str, set[Verse]] = defaultdict(set)
    for verse, keys in uthmani_words.items():
        for k in keys:
            found_in[k].add(verse)
    tokens = missed = 0
    misses: Counter[str] = Counter()
    occurs_in: defaultdict[str, set[Verse]] = defaultdict(set)
    queries: defaultdict[str, set[str]] = defaultdict(set)
    for verse, spelled in simple_words.items():
        for word in spelled:
            tokens += 1
            occurs_in[identity[word]].add(verse)
            queries[identity[word]].add(key[word])
            if key[word] not in uthmani_words[verse]:
                missed += 1
                misses[identity[word]] += 1
    right = wrong = 0
    for word, verses in occurs_in.items():
        found = set().union(*(found_in.get(q, set()) for q in queries[word]))
        right += len(found & verses)
        wrong += len(found - verses)
    return Score(1 - missed / tokens, missed, tokens, right / ((right + wrong) or 1), wrong, misses)


class _OnlyRules:
    """``uthmani.uthmani_word`` limited to some rules, while a measurement runs."""

    def __init__(self, rules: Iterable[str]) -> None:
        self.rules = tuple(rules)

    def __enter__(self) -> None:
        rules = self.rules
        self.saved = uthmani_rules.uthmani_word
        uthmani_rules.uthmani_word = lambda word, _rules=UTHMANI_RULES: uthmani_word(word, rules)  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        uthmani_rules.uthmani_word = self.saved


def settings() -> Iterator[tuple[str, Normalizer, tuple[str, ...]]]:
    """(name, normalizer, uthmani rules) of every row of the report."""
    standard, aggressive = Normalizer.for_level("standard"), Normalizer.for_level("aggressive")
    yield "standard", standard, UTHMANI_RULES
    yield "aggressive", aggressive, UTHMANI_RULES
    yield "standard --fold uthmani", standard.with_steps(uthmani=True), UTHMANI_RULES
    yield "aggressive --fold uthmani", aggressive.with_steps(uthmani=True), UTHMANI_RULES
    folded = standard.with_steps(uthmani=True)
    for rule in UTHMANI_RULES:
        yield f"standard + only {rule}", folded, (rule,)
    for rule in UTHMANI_RULES:
        yield f"standard --fold uthmani without {rule}", folded, tuple(r for r in UTHMANI_RULES if r != rule)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", default="/tmp/corpora", type=Path, help="default: /tmp/corpora")
    parser.add_argument("--misses", type=int, default=0, metavar="N", help="list the N most missed words")
    args = parser.parse_args(argv)
    simple, uthmani = load(args.root)
    print(f"{len(simple):,} verses\n")
    print("| setting | recall | missed | precision | wrong verses | recall typed | precision typed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, normalizer, rules in settings():
        with _OnlyRules(rules):
            written = score(simple, uthmani, normalizer)
            typed = score(simple, uthmani, normalizer, typed=True)
        print(
            f"| {name} | {100 * written.recall:.2f} % | {written.missed:,} of {written.tokens:,} "
            f"| {100 * written.precision:.2f} % | {written.false_found:,} "
            f"| {100 * typed.recall:.2f} % | {100 * typed.precision:.2f} % |"
        )
        if args.misses and name in ("standard", "standard --fold uthmani"):
            for label, result in (("missed", written), ("missed typed", typed)):
                missed = ", ".join(f"{w} {n}" for w, n in result.misses.most_common(args.misses))
                print(f"| ({label}) {missed} | | | | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
