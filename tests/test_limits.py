"""Hostile patterns stop at ``--timeout``; big results stream and limits cut the work.

* A catastrophic regular expression (``(a+)+$`` on a long run of a's, ``(ب+)+ت`` on a
  long run of ب) ends with one ``corpus: pattern timed out ...`` line and exit 2, on
  every command that matches a pattern, in a subprocess within a few seconds.
* ``grep -m``, ``grep -l``, ``grep -q`` and ``kwic --limit`` stop the search, not only the
  printing: the tests count the documents searched and the regex matches drawn.
* A document with two million hits piped into ``head -1`` ends at once, in little memory
  (the child's ``ru_maxrss``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus_cli.query import search
from corpus_cli.query.pattern import (
    DEFAULT_TIMEOUT,
    TOTAL_FACTOR,
    Budget,
    MatchOptions,
    PatternTimeout,
    compile_query,
)
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import Normalizer

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if k not in ("CORPUS_PATH", "CORPUS_DEBUG", "NO_COLOR")}

#: (pattern, text, level): each backtracks for far longer than any test runs.
HOSTILE = [
    ("(a+)+$", "a" * 50_000 + "b", "none"),
    ("(ب+)+ت", "ب" * 50_000, "standard"),
    # No group, no class: this one used to be compiled with ``re``, which has no time limit.
    ("a.*a.*a.*a.*a.*b", "a" * 20_000, "none"),
    ("ب+ب+ب+ب+ت", "ب" * 20_000, "none"),
]


def message(seconds: str) -> str:
    return f"corpus: pattern timed out after {seconds} s (simplify it or raise --timeout)\n"


@pytest.fixture
def hostile_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "hostile"
    root.mkdir()
    (root / "latin.txt").write_text("a" * 50_000 + "b\n", encoding="utf-8")
    (root / "arabic.txt").write_text("ب" * 50_000 + "\n", encoding="utf-8")
    return root


# --------------------------------------------------------------------------- timeout


@pytest.mark.parametrize(("pattern", "text", "level"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_pattern_stops_in_a_subprocess(tmp_path: Path, pattern: str, text: str, level: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(text + "\n", encoding="utf-8")
    args = ["grep", "--timeout", "0.5", "--norm", level, "--corpus", str(path), pattern]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "corpus_cli", *args], capture_output=True, text=True, timeout=120, env=ENV
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert done.stderr == message("0.5")
    assert done.stdout == ""
    assert elapsed < 15, elapsed  # 0.5 s of matching, start-up, and the regex module's checks


MATCHING_COMMANDS = [
    ["grep", "(a+)+$"],
    ["grep", "-c", "(ب+)+ت"],
    ["grep", "-v", "(a+)+$"],
    ["grep", "-o", "--norm", "none", "ب+ب+ب+ب+ت"],
    ["kwic", "(a+)+$"],
    ["kwic", "--substring", "--sort", "A1", "(ب+)+ت"],
    ["show", "latin", "--highlight", "(a+)+$", "--format", "jsonl"],
    ["freq", "--match", "(a+)+$"],
    ["dispersion", "(ب+)+ت"],
    ["collocates", "(a+)+$"],
]


@pytest.mark.parametrize("args", MATCHING_COMMANDS, ids=" ".join)
def test_every_matching_command_times_out(invoke, hostile_corpus: Path, args: list[str]) -> None:
    result = invoke(*args, "--corpus", str(hostile_corpus), "--timeout", "0.2")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr == message("0.2")


def test_timeout_is_documented_on_the_commands_that_match(invoke) -> None:
    for args in (
        ["grep", "x"],
        ["kwic", "x"],
        ["show", "x"],
        ["freq"],
        ["dispersion", "x"],
        ["collocates", "x"],
    ):
        text = " ".join(invoke(*args, "--help").stdout.split())
        assert "--timeout" in text and "[default: 10]" in text, args
    for args in (["list"], ["keywords"], ["normalize"]):
        assert "--timeout" not in invoke(*args, "--help").stdout, args
    assert DEFAULT_TIMEOUT == 10


def test_a_sane_pattern_is_unchanged_by_a_timeout(invoke) -> None:
    plain = invoke("grep", "-c", "سوري[اة]")
    for value in ("0", "3", "1e9"):
        timed = invoke("grep", "-c", "سوري[اة]", "--timeout", value)
        assert (timed.exit_code, timed.stdout) == (plain.exit_code, plain.stdout) == (0, plain.stdout)


def test_timeout_zero_means_no_limit_and_a_negative_one_is_refused(invoke) -> None:
    assert compile_query("x", Normalizer(), timeout=0).timeout is None
    assert compile_query("x", Normalizer(), timeout=2.5).timeout == 2.5
    assert compile_query("x", Normalizer()).timeout is None  # the library has no default limit
    result = invoke("grep", "x", "--timeout", "-1")
    assert result.exit_code == 2


def test_patterns_that_can_backtrack_are_compiled_with_regex() -> None:
    none = Normalizer()
    # Quantifier-free plain patterns keep the fast start-up of ``re``...
    for pattern in ("abc", "a|b", "a.b", "^x$", r"a\+b"):
        assert isinstance(compile_query(pattern, none).regex, re.Pattern), pattern
    # ... anything with a quantifier goes to ``regex``, which honours the timeout.
    for pattern in ("a.*a.*b", "ب+ب+ت", "ab?", r"a\\+"):
        assert not isinstance(compile_query(pattern, none).regex, re.Pattern), pattern


def test_budget_is_shared_by_the_calls_for_one_document() -> None:
    import regex

    slow = regex.compile("(a|aa)+$")
    budget = Budget(0.3)
    started = time.monotonic()
    with pytest.raises(PatternTimeout, match=r"after 0\.3 s"):
        for _ in range(1000):
            budget.search(slow, "a" * 20 + "b")  # each call takes milliseconds; together, more
    assert time.monotonic() - started < 5
    with pytest.raises(PatternTimeout):
        list(Budget(0.2).finditer(slow, "a" * 50_000 + "b"))
    with pytest.raises(PatternTimeout):
        Budget(0.2).fullmatch(slow, "a" * 50_000 + "b")
    # No limit, or a pattern compiled with ``re``: the calls go straight through.
    assert Budget(None).search(slow, "aab") is None
    assert Budget(0.001).search(re.compile("b"), "aab") is not None
    assert [m.span() for m in Budget(None).finditer(re.compile("a"), "aab")] == [(0, 1), (1, 2)]


def test_the_time_limit_is_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each document has a budget of its own: quick documents never add up to a timeout,
    while one document that spends the budget in many short calls does time out.

    A fake clock makes it exact: every reading advances it by 10 ms, so each metered
    call costs 10 ms of the budget.
    """
    clock = iter(range(10**9))
    monkeypatch.setattr("corpus_cli.query.pattern.perf_counter", lambda: next(clock) / 100)
    query = compile_query("كت+ب", Normalizer.for_level("standard"), timeout=1.0)
    small = [Document(str(i), str(i), "كتب\n" * 10) for i in range(20)]
    assert sum(1 for _ in search.iter_hits(small, query)) == 200  # about 0.3 s each, 6 s in all
    with pytest.raises(PatternTimeout, match="after 1 s"):
        list(search.iter_hits([Document("big", "big", "كتب\n" * 100)], query))


def test_the_whole_command_has_a_time_limit_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents that each take less than ``--timeout`` end the search once they have
    taken ``TOTAL_FACTOR`` times as long together (the fake clock of the test above)."""
    clock = iter(range(10**9))
    monkeypatch.setattr("corpus_cli.query.pattern.perf_counter", lambda: next(clock) / 100)
    query = compile_query("كت+ب", Normalizer.for_level("standard"), timeout=1.0)
    docs = [Document(str(i), str(i), "كتب\n" * 10) for i in range(200)]  # about 0.3 s each
    hits = 0
    with pytest.raises(PatternTimeout, match=r"after 30 s in all \(simplify it or raise --timeout\)"):
        for _ in search.iter_hits(docs, query):
            hits += 1
    assert 0 < hits < 2000
    assert TOTAL_FACTOR == 30
    # Each command starts with the whole of it.
    fresh = compile_query("كت+ب", Normalizer.for_level("standard"), timeout=1.0)
    assert sum(1 for _ in search.iter_hits(docs[:20], fresh)) == 200


def test_the_command_time_limit_ends_a_command(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = iter(range(10**9))
    monkeypatch.setattr("corpus_cli.query.pattern.perf_counter", lambda: next(clock) / 100)
    for i in range(200):
        (tmp_path / f"d{i:03}.txt").write_text("كتب\n" * 10, encoding="utf-8")
    result = invoke("grep", "-c", "كت+ب", "--timeout", "0.5", "--corpus", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == "corpus: pattern timed out after 15 s in all (simplify it or raise --timeout)\n"
    assert 0 < len(result.stdout.splitlines()) < 200


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1e999"])
def test_timeout_must_be_a_number_of_seconds(invoke, tmp_path: Path, value: str) -> None:
    (tmp_path / "a.txt").write_text("x\n", encoding="utf-8")
    result = invoke("grep", "x+", "--timeout", value, "--corpus", str(tmp_path))
    assert result.exit_code == 2
    assert "--timeout" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- cutting the work


@pytest.fixture
def five_docs(tmp_path: Path) -> Path:
    root = tmp_path / "five"
    root.mkdir()
    for i in range(5):
        (root / f"d{i}.txt").write_text("كتب الطالب\n" * 2000, encoding="utf-8")
    return root


@pytest.fixture
def searched(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Counts the documents whose search started and the matcher's work: regex matches
    drawn, and lines (or documents) searched once."""
    seen: dict[str, Any] = {"docs": [], "matches": 0}
    original_search_lines = search.search_lines
    original_finditer = Budget.finditer
    original_search = Budget.search

    def counting_search(self: Budget, pattern: Any, text: str) -> Any:
        seen["matches"] += 1
        return original_search(self, pattern, text)

    def counting_search_lines(doc: Document, *args: Any, **kwargs: Any) -> Iterator[Any]:
        seen["docs"].append(doc.id)
        yield from original_search_lines(doc, *args, **kwargs)

    def counting_finditer(self: Budget, pattern: Any, text: str) -> Iterator[Any]:
        for match in original_finditer(self, pattern, text):
            seen["matches"] += 1
            yield match

    monkeypatch.setattr(search, "search_lines", counting_search_lines)
    monkeypatch.setattr("corpus_cli.output.grep.search_lines", counting_search_lines)
    monkeypatch.setattr(Budget, "finditer", counting_finditer)
    monkeypatch.setattr(Budget, "search", counting_search)
    return seen


@pytest.mark.parametrize("word", [False, True])
def test_counting_sees_the_whole_search_without_limits(invoke, five_docs: Path, searched, word) -> None:
    result = invoke("grep", "-c", *(["-w"] if word else []), "كتب", "--corpus", str(five_docs))
    assert result.stdout.splitlines() == [f"d{i}:2000" for i in range(5)]
    assert len(searched["docs"]) == 5
    if word:
        assert searched["matches"] >= 5 * 2000  # every line is searched (counting maps none back)
    else:
        assert searched["matches"] == 0  # the expansion decides every line (Query.expansion_decides)


@pytest.mark.parametrize(
    ("args", "docs", "most"),
    [
        (["kwic", "كتب", "--limit", "1"], 1, 2),
        (["kwic", "كتب", "--limit", "3", "--format", "jsonl"], 1, 6),
        (["grep", "-q", "كتب"], 1, 2),
        (["grep", "-m", "1", "كتب"], 5, 10),  # grep's -m is per document, as in GNU grep
        (["grep", "-l", "كتب"], 5, 10),
        (["grep", "-c", "-m", "1", "كتب"], 5, 10),
        (["grep", "-m", "1", "-A", "2", "كتب"], 5, 10),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_limits_cut_the_search(
    invoke, five_docs: Path, searched, args: list[str], docs: int, most: int
) -> None:
    """Documents searched, and regex matches drawn: the document pass stops at the first
    line that is enough (it used to find all 2,000 before the first was used), and each
    selected line adds its own match."""
    result = invoke(*args, "--corpus", str(five_docs))
    assert result.exit_code == 0
    assert len(searched["docs"]) == docs
    assert searched["matches"] <= most, searched["matches"]


def test_limit_stops_in_the_middle_of_a_document(five_docs: Path) -> None:
    doc = Document("d", "d", (five_docs / "d0.txt").read_text(encoding="utf-8"))
    query = compile_query("كتب", Normalizer.for_level("standard"), MatchOptions(word=True))
    hits = search.iter_hits([doc], query)
    first = next(hits)
    assert (first.line_no, first.start, first.end) == (1, 0, 3)
    second = next(hits)
    assert (second.line_no, second.start) == (2, len("كتب الطالب\n"))


# --------------------------------------------------------------------------- millions of hits


#: Runs ``corpus ARGS | CONSUMER`` and prints, as JSON, the consumer's output, the seconds,
#: the corpus process's status and its peak RSS (``ru_maxrss`` from ``os.wait4``).  A
#: small process of its own: on Linux a child's ``ru_maxrss`` starts at the RSS of the
#: process it was spawned from, and pytest's grows to hundreds of MB over the suite.
_LAUNCHER = """
import json, os, subprocess, sys, time
corpus, consumer = json.loads(sys.argv[1])
started = time.monotonic()
producer = subprocess.Popen([sys.executable, "-m", "corpus_cli", *corpus], stdout=subprocess.PIPE)
tail = subprocess.Popen(consumer, stdin=producer.stdout, stdout=subprocess.PIPE)
producer.stdout.close()  # the consumer holds the pipe: its exit is the producer's EPIPE
out, _ = tail.communicate(timeout=120)
_, status, usage = os.wait4(producer.pid, 0)
producer.returncode = os.waitstatus_to_exitcode(status)
json.dump([out.decode(), time.monotonic() - started, usage.ru_maxrss / 1024, producer.returncode], sys.stdout)
"""


def _run_measured(shell: str, cwd: Path) -> tuple[str, float, float, int]:
    """Run ``shell`` (``corpus ARGS | CONSUMER``): the consumer's output, the seconds, the
    corpus process's peak RSS in MB (kilobytes on Linux) and its exit status."""
    corpus, _, consumer = shell.partition("|")
    argument = json.dumps([corpus.split(), consumer.split()])
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, argument],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    out, elapsed, rss_mb, status = json.loads(done.stdout)
    return out, elapsed, rss_mb, status


@pytest.fixture(scope="module")
def two_million_hits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """500,000 lines of four hits each: 17.5 MB of UTF-8."""
    path = tmp_path_factory.mktemp("big") / "big.txt"
    path.write_text("قال كتب كتب كتب كتب\n" * 500_000, encoding="utf-8")
    return path


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 (POSIX)")
@pytest.mark.parametrize(
    ("command", "first"),
    [
        ("grep كتب --corpus {path}", "big:1:قال كتب كتب كتب كتب\n"),
        ("grep -o كتب --corpus {path}", "big:1:كتب\n"),
        ("kwic كتب --width 4 --no-header --corpus {path}", "big\t1\t4\t7\tقال \tكتب\t كتب\n"),
    ],
    ids=["grep", "grep -o", "kwic"],
)
def test_two_million_hits_stream_into_head(two_million_hits: Path, command: str, first: str) -> None:
    shell = command.format(path=two_million_hits) + " | head -1"
    out, elapsed, rss_mb, status = _run_measured(shell, two_million_hits.parent)
    assert out == first
    assert status == 0  # a closed pipe ends quietly
    # Measured here: 0.7-1.0 s and 55 MB (the text itself is 20 MB in memory); before
    # streaming, 2-4 s and 176-197 MB, and grep -c held 400 MB.
    assert elapsed < 30, elapsed
    assert rss_mb < 130, rss_mb


# --------------------------------------------------------------------------- one long line


def _words_text(characters: int) -> list[str]:
    """Words of a plain Arabic text, ``characters`` long with their spaces; one in about
    twelve is الأمم."""
    import random

    pick = random.Random(13).choice
    vocabulary = "كتب الطالب في المدرسة درسا جديدا عن تاريخ الأمم المتحدة وقال إن".split()
    words: list[str] = []
    size = 0
    while size < characters:
        words.append(pick(vocabulary))
        size += len(words[-1]) + 1
    return words


@pytest.fixture(scope="module")
def long_line(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same 8 MB text (4.5 million characters) as one line, and cut into lines."""
    words = _words_text(4_500_000)
    one = tmp_path_factory.mktemp("one") / "doc.txt"
    one.write_text(" ".join(words) + "\n", encoding="utf-8")
    lines = tmp_path_factory.mktemp("lines") / "doc.txt"
    in_lines = "\n".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12))
    lines.write_text(in_lines + "\n", encoding="utf-8")
    return one, lines


@pytest.fixture
def mapped_characters(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The characters each offset map was made of (``Normalizer.normalize_mapped``)."""
    sizes: list[int] = []
    original = Normalizer.normalize_mapped

    def counting(self: Normalizer, text: str) -> Any:
        sizes.append(len(text))
        return original(self, text)

    monkeypatch.setattr(Normalizer, "normalize_mapped", counting)
    return sizes


def test_a_long_line_is_mapped_once_however_many_hits_it_holds(
    invoke, long_line: tuple[Path, Path], mapped_characters: list[int]
) -> None:
    """``grep -o -m1`` and ``kwic --limit 3`` on an 8 MB line: the answer of the same text
    in lines, for offset maps of about the line's size (not a piece of the line per hit),
    and for kwic of the three hits it shows."""
    one, lines = long_line
    size = len(one.read_text(encoding="utf-8"))
    found = invoke("grep", "-o", "-m1", "الامم", "--index", "off", "--corpus", str(one))
    assert found.exit_code == 0, found.stderr
    assert sum(mapped_characters) < 2 * size
    in_lines = invoke("grep", "-o", "الامم", "--index", "off", "--corpus", str(lines))
    hits = [row.rsplit(":", 1)[1] for row in found.stdout.splitlines()]
    assert hits == [row.rsplit(":", 1)[1] for row in in_lines.stdout.splitlines()]
    assert len(hits) > 50_000

    mapped_characters.clear()
    args = ["kwic", "الامم", "--limit", "3", "--format", "jsonl", "--index", "off", "--corpus"]
    rows = [json.loads(row) for row in invoke(*args, str(one)).stdout.splitlines()]
    assert sum(mapped_characters) < 100_000  # the pieces of three hits: the rest is never asked for
    rows_in_lines = [json.loads(row) for row in invoke(*args, str(lines)).stdout.splitlines()]
    fields = ("start", "end", "before", "match", "after")
    assert len(rows) == 3
    assert [[r[f] for f in fields] for r in rows] == [[r[f] for f in fields] for r in rows_in_lines]


@pytest.mark.parametrize("command", ["dispersion", "collocates"])
def test_statistics_on_a_long_line_map_it_once(
    invoke, tmp_path: Path, mapped_characters: list[int], command: str
) -> None:
    """The same on a 1 MB line (the statistics cost more per hit): equal to the text in lines."""
    words = _words_text(500_000)
    (tmp_path / "one").mkdir()
    (tmp_path / "lines").mkdir()
    (tmp_path / "one" / "doc.txt").write_text(" ".join(words) + "\n", encoding="utf-8")
    in_lines = "\n".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12)) + "\n"
    (tmp_path / "lines" / "doc.txt").write_text(in_lines, encoding="utf-8")
    args = [command, "الامم", "--format", "tsv", "--index", "off", "--corpus"]
    one = invoke(*args, str(tmp_path / "one"))
    assert one.exit_code == 0, one.stderr
    assert sum(mapped_characters) < 2 * len(in_lines)
    assert one.stdout == invoke(*args, str(tmp_path / "lines")).stdout
