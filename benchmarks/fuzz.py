"""Fuzz the normalizer and the matcher with a million random inputs.

    .venv/bin/python benchmarks/fuzz.py                 # 1,000,000 inputs
    .venv/bin/python benchmarks/fuzz.py --count 20000 --seed 7 --jobs 1

Each input is a random text of Arabic letters, diacritics and Quranic marks, tatweel,
invisible characters, presentation forms, digits, spaces and line ends (now and then
any code point of the Arabic blocks), and a random pattern with random options:

* normalizer, at every level: the fast and the mapped driver give the same text; the
  result is a fixed point (idempotent); every output character maps to a non-empty
  range inside the original, in order; and a random span between two word-ish
  positions maps back to original text that normalizes to it (the definition of
  tests/test_normalize.py);
* matcher: ``compile_query`` raises nothing but ``CorpusError`` (the documented pattern
  errors: invalid, empty after normalization, clitics misuse; a time-out is one too),
  and every hit of ``iter_hits`` lies inside the document, on one line, at its line
  (a compiled pattern serves up to eight texts).

Plain ``random`` (hypothesis is too slow for a million), spread over ``--jobs`` worker
processes with their own seeds; the summary table counts inputs, failures and seconds,
and the first failures are printed in full.  Not part of the test suite
(tests/test_fuzz_smoke.py runs it with --count 1000).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import sys
import time
import unicodedata
from typing import Any, NamedTuple

from corpus_cli.errors import CorpusError
from corpus_cli.query.pattern import MatchOptions, PatternTimeout, compile_query
from corpus_cli.query.search import iter_hits
from corpus_cli.store.corpus import Document
from corpus_cli.text.clitics import CliticMode
from corpus_cli.text.normalize import MARKS, Level, Mapped, Normalizer

LEVELS = [Normalizer.for_level(level) for level in Level]
LEVEL_NAMES = [level.value for level in Level]

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي" + "ءآأؤإئىة" + "ٱکیۃہ"
MARK_CHARS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0653\u0654\u0655\u06e5\u06d6\u06dd"
OTHER = (
    "\u0640\u200c\u200d\u200e\u200f\ufeff\u00ad"  # tatweel and invisible characters
    "\ufefb\ufef7\ufdf2\ufdfa\ufe8d\ufe91\ufe7c"  # presentation forms and ligatures
    "٠٣٩۴٫٪،؟؛"  # Arabic-Indic digits and punctuation
    "aZ09.-_'😍"
)
SPACES = "   \u00a0\u2009\t"
BLOCKS = [(0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]
PATTERN_PIECES = [
    *LETTERS[:12],
    *"\u064e\u0651\u0640",
    ".",
    ".*",
    ".+?",
    r"\s",
    r"\w+",
    "[بت]",
    "[^ا]",
    "[ا-ي]",
    "(ا|ب)",
    "(?:كت)+",
    "^",
    "$",
    "*",
    "+",
    "?",
    "{2}",
    "(",
    ")",
    "[",
    "|",
    "\\",
    r"\b",
    "(?<=ب)",
    "(?!ت)",
    " ",
    "a",
    "1",
]
CLITIC_MODES = [None, None, None, None, None, None, CliticMode.both, CliticMode.pro, CliticMode.enc]


class Tally(NamedTuple):
    inputs: int
    normalizer_failures: int
    normalizer_seconds: float
    matcher_failures: int
    matcher_seconds: float
    pattern_errors: int
    timeouts: int
    hits: int
    examples: list[str]


def random_text(rnd: random.Random) -> str:
    out: list[str] = []
    for _ in range(rnd.randint(0, 14)):
        r = rnd.random()
        if r < 0.45:
            out.append(rnd.choice(LETTERS) * (3 if rnd.random() < 0.05 else 1))
        elif r < 0.65:
            out.append(rnd.choice(MARK_CHARS))
        elif r < 0.77:
            out.append(rnd.choice(SPACES))
        elif r < 0.90:
            out.append(rnd.choice(OTHER))
        elif r < 0.95:
            out.append(rnd.choice(["\n", "\n", "\r\n"]))
        else:
            low, high = rnd.choice(BLOCKS)
            out.append(chr(rnd.randint(low, high)))
    return "".join(out)


def random_pattern(rnd: random.Random) -> str:
    return "".join(rnd.choice(PATTERN_PIECES) for _ in range(rnd.randint(1, 4)))


# --------------------------------------------------------------------------- normalizer

_MARK = re.compile(f"[\\u0300-\\u036f{MARKS}]")


def _is_mark(char: str) -> bool:
    return unicodedata.combining(char) != 0 or _MARK.match(char) is not None


def _boundaries(mapped: Mapped) -> list[int]:
    """Word-ish positions of the normalized text (tests/test_normalize.py's definition):
    not before a mark, not next to a kept ZWJ, not inside one character's expansion."""
    text = mapped.text
    result = [0]
    for p in range(1, len(text)):
        if _is_mark(text[p]) or "\u200d" in (text[p], text[p - 1]):
            continue
        if mapped.ends[p - 1] > mapped.starts[p]:
            continue
        result.append(p)
    if text:
        result.append(len(text))
    return result


def check_normalizer(text: str, rnd: random.Random) -> str | None:
    """None, or what went wrong."""
    for name, normalizer in zip(LEVEL_NAMES, LEVELS, strict=True):
        fast = normalizer.normalize(text)
        mapped = normalizer.normalize_mapped(text)
        if mapped.text != fast:
            return f"{name}: drivers differ: fast {fast!r}, mapped {mapped.text!r}"
        if normalizer.normalize(fast) != fast:
            return f"{name}: not idempotent: {fast!r} -> {normalizer.normalize(fast)!r}"
        if not len(mapped.starts) == len(mapped.ends) == len(fast):
            return f"{name}: offset map of the wrong length"
        previous = 0
        for start, end in zip(mapped.starts, mapped.ends, strict=True):
            if not 0 <= start < end <= len(text) or start < previous:
                return f"{name}: offsets out of the original or out of order: {(start, end)}"
            previous = start
        bounds = _boundaries(mapped)
        if len(bounds) >= 2:
            a = rnd.choice(bounds[:-1])
            b = rnd.choice([p for p in bounds if p > a])
            start, end = mapped.span_to_original(a, b)
            if not 0 <= start <= end <= len(text):
                return f"{name}: span {(a, b)} maps outside the original: {(start, end)}"
            if normalizer.normalize(text[start:end]) != fast[a:b]:
                return f"{name}: span {(a, b)} = {fast[a:b]!r} maps to {text[start:end]!r}"
    return None


# --------------------------------------------------------------------------- matcher


class Compiled(NamedTuple):
    """A random pattern with random options, compiled: the query, or what went wrong
    (``problem``), or a documented ``CorpusError`` (``query`` None, no problem)."""

    where: str
    query: Any
    problem: str | None


_WORD = re.compile(f"[{LETTERS}{MARK_CHARS}]+")


def random_query(rnd: random.Random, text: str) -> Compiled:
    """A random pattern, or (one time in ten) a piece of ``text`` itself, so that there
    are hits; random level and options."""
    pattern = random_pattern(rnd)
    if rnd.random() < 0.1:
        pattern = "".join(rnd.choice(LETTERS) for _ in range(rnd.randint(2, 5)))
    elif text.strip() and rnd.random() < 0.1:
        start = rnd.randrange(len(text))
        pattern = text[start : start + rnd.randint(1, 5)]
    level = rnd.randrange(len(LEVELS))
    options = MatchOptions(
        fixed=rnd.random() < 0.2,
        word=rnd.random() < 0.3,
        ignore_case=rnd.random() < 0.2,
        # --clitics takes a word: give it one (most of the time) rather than an error
        clitics=rnd.choice(CLITIC_MODES) if _WORD.fullmatch(pattern) or rnd.random() < 0.1 else None,
        strict_marks=rnd.random() < 0.1,
    )
    where = f"pattern {pattern!r} at {LEVEL_NAMES[level]} with {options}"
    try:
        return Compiled(where, compile_query(pattern, LEVELS[level], options, timeout=1.0), None)
    except CorpusError:
        return Compiled(where, None, None)
    except Exception as exc:
        return Compiled(where, None, f"{where}: compile_query raised {type(exc).__name__}: {exc}")


def check_matcher(text: str, compiled: Compiled) -> tuple[str | None, str, int]:
    """(what went wrong or None, outcome: "ok", "error" or "timeout", number of hits)."""
    where, query = compiled.where, compiled.query
    if query is None:
        return compiled.problem, "error" if compiled.problem is None else "ok", 0
    doc = Document("fuzz", "fuzz", text.replace("\r\n", "\n"))
    count = 0
    try:
        starts = [0] + [i + 1 for i, c in enumerate(doc.text) if c == "\n"]
        for hit in iter_hits([doc], query):
            count += 1
            if not 0 <= hit.start < hit.end <= len(doc.text):
                return f"{where}: hit {(hit.start, hit.end)} outside the text", "ok", count
            if "\n" in hit.text:
                return f"{where}: hit {hit.text!r} crosses a line end", "ok", count
            if not starts[hit.line_no - 1] <= hit.start < [*starts, len(doc.text) + 1][hit.line_no]:
                return f"{where}: hit {(hit.start, hit.end)} is not on its line {hit.line_no}", "ok", count
    except PatternTimeout:
        return None, "timeout", count
    except CorpusError:
        return None, "error", count
    except Exception as exc:
        return f"{where}: search raised {type(exc).__name__}: {exc}", "ok", count
    return None, "ok", count


# --------------------------------------------------------------------------- driver


#: A compiled pattern serves this many inputs (``regex.compile`` parses in Python: it
#: would otherwise take two thirds of the time).
REUSE = 8


def run(count: int, seed: int, keep: int = 5) -> Tally:
    rnd = random.Random(seed)
    compiled = Compiled("", None, None)
    normalizer_failures = matcher_failures = errors = timeouts = hits = 0
    normalizer_seconds = matcher_seconds = 0.0
    examples: list[str] = []
    for i in range(count):
        text = random_text(rnd)
        started = time.perf_counter()
        try:
            problem = check_normalizer(text, rnd)
        except Exception as exc:
            problem = f"raised {type(exc).__name__}: {exc}"
        middle = time.perf_counter()
        if problem is not None:
            normalizer_failures += 1
            if len(examples) < keep:
                examples.append(f"normalizer: text {text!r}: {problem}")
        if i % REUSE == 0 or rnd.random() < 0.1:
            compiled = random_query(rnd, text)
        problem, outcome, found = check_matcher(text, compiled)
        matcher_seconds += time.perf_counter() - middle
        normalizer_seconds += middle - started
        hits += found
        errors += outcome == "error"
        timeouts += outcome == "timeout"
        if problem is not None:
            matcher_failures += 1
            if len(examples) < keep:
                examples.append(f"matcher: text {text!r}: {problem}")
    return Tally(
        count,
        normalizer_failures,
        normalizer_seconds,
        matcher_failures,
        matcher_seconds,
        errors,
        timeouts,
        hits,
        examples,
    )


def _worker(job: tuple[int, int]) -> Tally:
    return run(*job)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="inputs (default: 1,000,000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = parser.parse_args(argv)
    jobs = max(1, min(args.jobs, args.count or 1))
    shares = [args.count // jobs + (i < args.count % jobs) for i in range(jobs)]
    started = time.perf_counter()
    work = [(share, args.seed * 1000 + i) for i, share in enumerate(shares)]
    if jobs == 1:
        tallies = [_worker(work[0])]
    else:
        with multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn").Pool(jobs) as pool:
            tallies = pool.map(_worker, work)
    wall = time.perf_counter() - started
    total = Tally(
        *(sum(getattr(t, field) for t in tallies) for field in Tally._fields[:-1]),
        [e for t in tallies for e in t.examples],
    )
    rows = [
        (
            "normalizer (4 levels x 2 drivers)",
            total.inputs,
            total.normalizer_failures,
            total.normalizer_seconds,
        ),
        ("matcher (compile + iter_hits)", total.inputs, total.matcher_failures, total.matcher_seconds),
    ]
    print(f"{'check':<36}{'inputs':>12}{'failures':>10}{'seconds':>10}")
    for name, inputs, failures, seconds in rows:
        print(f"{name:<36}{inputs:>12,}{failures:>10,}{seconds:>10.1f}")
    failures = total.normalizer_failures + total.matcher_failures
    print(
        f"{'total (wall clock, ' + str(jobs) + ' jobs)':<36}{total.inputs:>12,}{failures:>10,}{wall:>10.1f}"
    )
    print(
        f"matcher outcomes: {total.hits:,} hits; {total.pattern_errors:,} documented pattern errors "
        f"(CorpusError); {total.timeouts:,} time-outs; seed {args.seed}"
    )
    for example in total.examples[:10]:
        print("FAIL", example)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
