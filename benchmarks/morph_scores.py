#!/usr/bin/env python3
"""Scores of corpus-cli's morphological analysis (``corpus_cli.index.morphology``, the
module ``corpus analyze`` and ``index build --morph`` use) on gold data: the goals of issue 17.

    .venv/bin/python benchmarks/morph_scores.py ../shared/morph            # every row
    .venv/bin/python benchmarks/morph_scores.py ../shared/morph --sample 3000
    .venv/bin/python benchmarks/morph_scores.py ../shared/morph --no-rank  # the analyser alone
    .venv/bin/python benchmarks/morph_scores.py ../shared/morph --rank-with LAYER --cache FILE

Type-level and out of context, as the index does it: each distinct form is analysed once
and scored at every occurrence; top-1 is the form's first reading, "any" the gold value
among all its readings.

The readings are ranked as an index ranks them (``index.reading_ranking.rank_readings``)
with the gold text itself as the corpus: the forms of every word of the Quran (QAC,
unvocalized) and their counts rank the QAC forms, the forms of the PADT tokens and their
counts the PADT forms (with ``--sample``, the sampled rows are the text).  ``--rank-with
LAYER`` takes the forms and counts of a real corpus instead, from an index's token layer
(the ``*.corpus-index-tokens`` file in the cache directory), for both; its forms are
analysed too (give ``--cache`` a cache of analyses that holds them, or wait).
``--no-rank`` scores the analyser's own order.  Rows:

- root, QAC: every word of the Quranic Arabic Corpus with exactly one gold root, its
  unvocalized Uthmani form (``unvoc``);
- root, PADT: PADT tokens (clitics attached) whose gold (ElixirFM) root is not empty;
- lemma, PADT: PADT tokens that are Arabic words, the host's lemma unvocalized (gold
  ``lemma``) against the reading's lemma unvocalized; "lemma analysed": only the
  tokens PADT's annotators analysed (``analysed`` 1: the others, 9% of the tokens,
  foreign names and hamza-less spellings, have their own spelling as gold lemma: الاسلام
  for الاسلام, اهمية for اهمية, where the analyser rightly finds إسلام and أهمية);
- POS, PADT: Arabic-word tokens, gold UPOS as noun (NOUN ADJ PROPN NUM X), verb (VERB AUX)
  or function word (ADP CONJ CCONJ SCONJ PRON PART DET ADV INTJ).

Roots are compared as ``[root="..."]`` compares them (``root_letters``: hamza on any
seat, and a bare alef, as ء; ى as ي), on both sides; a form the analyser does not know
counts as wrong.  The analyses go to a fresh cache in a temporary directory (``--cache
FILE`` to keep or reuse one), so that the
analysis rate printed is that of a first analysis.  Needs the extra corpus-cli[morph].
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus_cli.index.morphology import Cache, analyse
from corpus_cli.index.morphology import layer_counts as index_layer_counts
from corpus_cli.index.reading_ranking import rank_readings
from corpus_cli.store.layer import TokenLayer
from corpus_cli.text.morphology import Reading, analysable, root_letters, unvocalized
from corpus_cli.text.normalize import normalize

NOUN = {"NOUN", "ADJ", "PROPN", "NUM", "X"}
VERB = {"VERB", "AUX"}
FUNCTION = {"ADP", "CONJ", "CCONJ", "SCONJ", "PRON", "PART", "DET", "ADV", "INTJ"}


def root_key(root: str) -> str:
    """Roots compared as CQL's ``root`` compares them (``root_letters``: one hamza)."""
    return root_letters(root)


def coarse(upos: str) -> str | None:
    if upos in NOUN:
        return "noun"
    if upos in VERB:
        return "verb"
    if upos in FUNCTION:
        return "function"
    return None


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))


class Score:
    """Top-1 and gold-among-readings counts over occurrences."""

    def __init__(self) -> None:
        self.total = self.top = self.among = 0

    def add(self, gold: str, values: list[str]) -> None:
        self.total += 1
        self.top += bool(values) and values[0] == gold
        self.among += gold in values

    def cells(self) -> tuple[str, str, str]:
        if not self.total:
            return "-", "-", "0"
        return f"{100 * self.top / self.total:.1f}", f"{100 * self.among / self.total:.1f}", f"{self.total:,}"


def sampled(items: list[dict[str, str]], size: int | None, seed: int) -> list[dict[str, str]]:
    if size is None or size >= len(items):
        return items
    return random.Random(seed).sample(items, size)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("gold", type=Path, help="the folder of ../shared/morph")
    parser.add_argument("--sample", type=int, help="score this many rows of each file (random, --seed)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--workers", type=int, help="analysing processes (default: one per core)")
    parser.add_argument("--cache", type=Path, help="the cache of analyses to use (default: a fresh one)")
    parser.add_argument("--no-rank", action="store_true", help="score the analyser's order (no ranking)")
    parser.add_argument(
        "--rank-with",
        type=Path,
        metavar="LAYER",
        help="rank by the forms and counts of this token layer file",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)

    quran = sampled(rows(args.gold / "qac_words.tsv"), args.sample, args.seed)
    qac = [r for r in quran if r["roots_ar"] and "|" not in r["roots_ar"]]
    padt = sampled(rows(args.gold / "padt_tokens_dev.tsv"), args.sample, args.seed)
    padt = [r for r in padt if analysable(r["token"])]
    quran_counts = Counter(r["unvoc"] for r in quran)
    padt_counts = Counter(r["token"] for r in padt)
    forms = set(quran_counts) | set(padt_counts)
    layer_counts: dict[str, int] = {}
    if args.rank_with is not None:
        layer = TokenLayer.open(args.rank_with)
        if layer is None:
            parser.error(f"no token layer in {args.rank_with}")
        layer_counts = {form: count for form, count in index_layer_counts(layer).items() if analysable(form)}
        forms |= set(layer_counts)

    folder = None
    if args.cache is None:
        folder = tempfile.TemporaryDirectory(prefix="morph-scores-")
        cache = Cache(Path(folder.name) / "cache.sqlite")
    else:
        cache = Cache(args.cache)
    started, cpu = time.monotonic(), _cpu()
    analysed = analyse(forms, workers=args.workers, cache=cache)
    seconds, cpu_seconds = time.monotonic() - started, _cpu() - cpu
    cache.close()
    if folder is not None:
        folder.cleanup()
    if args.no_rank:
        quran_readings = padt_readings = analysed
    elif args.rank_with is not None:
        quran_readings = padt_readings = rank_readings(analysed, layer_counts)
    else:
        quran_readings = rank_readings({f: analysed[f] for f in quran_counts if f in analysed}, quran_counts)
        padt_readings = rank_readings({f: analysed[f] for f in padt_counts if f in analysed}, padt_counts)

    def values(form: str, field: str, readings: dict[str, list[Reading]]) -> list[str]:
        found: list[str] = []
        for reading in readings.get(form, []):
            value = _field(reading, field)
            if value not in found:
                found.append(value)
        return found

    names = ("root QAC", "root PADT", "lemma PADT", "lemma analysed", "lemma std", "POS PADT")
    scores = {name: Score() for name in names}
    for row in qac:
        scores["root QAC"].add(root_key(row["roots_ar"]), values(row["unvoc"], "root", quran_readings))
    pos_confusion: Counter[tuple[str, str]] = Counter()
    for row in padt:
        token = row["token"]
        if row["root"]:
            scores["root PADT"].add(root_key(row["root"]), values(token, "root", padt_readings))
        if row["lemma"]:
            lemmas = values(token, "lemma", padt_readings)
            scores["lemma PADT"].add(unvocalized(row["lemma"]), lemmas)
            if row["analysed"] == "1":
                scores["lemma analysed"].add(unvocalized(row["lemma"]), lemmas)
            standard = [normalize(value) for value in lemmas]
            scores["lemma std"].add(normalize(unvocalized(row["lemma"])), list(dict.fromkeys(standard)))
        gold_pos = coarse(row["upos"])
        if gold_pos is not None:
            found = values(token, "pos", padt_readings)
            scores["POS PADT"].add(gold_pos, found)
            pos_confusion[(gold_pos, found[0] if found else "-")] += 1

    goals = {
        "root QAC": "80",
        "root PADT": "90",
        "lemma PADT": "90 / 96",
        "lemma analysed": "(the tokens PADT analysed)",
        "lemma std": "(compared at --norm standard, as CQL's lemma)",
        "POS PADT": "93",
    }
    print(f"{'score':<14} {'top-1 %':>8} {'any %':>7} {'tokens':>8}  goal")
    for name, score in scores.items():
        top, among, total = score.cells()
        print(f"{name:<14} {top:>8} {among:>7} {total:>8}  {goals[name]}")
    print()
    print(
        "POS, gold -> first reading: "
        + ", ".join(f"{g}->{f} {n}" for (g, f), n in sorted(pos_confusion.items()))
    )
    print(
        f"analysed {len(forms):,} distinct forms in {seconds:.1f} s, {cpu_seconds:.1f} CPU s "
        f"({len(forms) / max(cpu_seconds, 1e-9):.0f} forms per CPU-second, loading included), "
        f"{len(analysed):,} with a reading; sample: {args.sample or 'all'}; load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    ranking = "none (--no-rank)" if args.no_rank else "by the gold text's own forms and counts"
    if args.rank_with is not None:
        ranking = f"by the forms and counts of {args.rank_with} ({sum(layer_counts.values()):,} word tokens)"
    print(f"readings ranked: {ranking}")
    return 0


def _field(reading: Reading, field: str) -> str:
    if field == "root":
        return root_key(reading.root)
    if field == "lemma":
        return unvocalized(reading.lemma)
    return reading.pos


def _cpu() -> float:
    """CPU seconds of this process and of its ended children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    sys.exit(main())
