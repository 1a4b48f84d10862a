"""``corpus grep``: matching options, context, counts, output formats, the screen, clitics,
typed marks, the zero-hit report and time limits.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus_cli.output.screen import cell_width
from corpus_cli.query import search
from corpus_cli.query.pattern import Budget, compile_query
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import Normalizer
from tests.conftest import (
    CLITIC_TEXT,
    ELLIPSIS,
    _words_text,
    assert_one_error_line,
    clean_env,
    corpus_argv,
    error,
    grep,
    jsonl,
    message,
    piped,
    plain,
    run_corpus,
    tsv,
)


def test_grep_plain_output_in_a_pipe(invoke, small_corpus):
    r = grep(invoke, small_corpus, "الامم")
    assert r.exit_code == 0
    assert r.stdout == (
        "a:1:الأُمَمُ المتحدة تجتمع اليوم\na:3:قالت الامم المتحدة إن الأمم لها دور\nb:1:إلى الأمم\n"
    )
    assert r.stderr == ""


def test_grep_fixed_strings(invoke, small_corpus):
    assert grep(invoke, small_corpus, "الأ.م").exit_code == 0  # regex: . is any letter
    r = grep(invoke, small_corpus, "-F", "الأ.م")
    assert r.exit_code == 1 and r.stdout == ""
    r = grep(invoke, small_corpus, "--fixed-strings", "(أ")
    assert r.exit_code == 1  # a literal parenthesis, not a regex error


def test_grep_word_regexp_is_arabic_aware(invoke, small_corpus):
    r = grep(invoke, small_corpus, "كتاب")
    assert r.stdout.splitlines() == ["a:4:كتـــاب جديد", "sub/c:1:كِتَابٌ في المكتبة", "sub/c:3:الكتابة فن"]
    r = grep(invoke, small_corpus, "-w", "كتاب")
    assert r.stdout.splitlines() == ["a:4:كتـــاب جديد", "sub/c:1:كِتَابٌ في المكتبة"]
    # Harakat are part of the word: no boundary inside كِتَابٌ.
    assert grep(invoke, small_corpus, "-w", "تاب").exit_code == 1


def test_grep_ignore_case_latin(invoke, small_corpus):
    assert grep(invoke, small_corpus, "world").exit_code == 1
    r = grep(invoke, small_corpus, "-i", "world")
    assert r.exit_code == 0 and r.stdout == "a:5:Hello WORLD hello\n"


def test_grep_invert_match(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-v", "الامم")
    assert r.exit_code == 0
    selected = [":".join(line.split(":")[:2]) for line in r.stdout.splitlines()]
    assert selected == ["a:2", "a:4", "a:5", "a:6", "b:2", "b:3", "sub/c:1", "sub/c:2", "sub/c:3"]
    assert "الامم" not in r.stdout and "الأمم" not in r.stdout
    assert grep(invoke, small_corpus, "-v", "-c", "الامم").stdout == "a:4\nb:2\nsub/c:3\n"


def test_grep_count_lines_and_count_matches(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-c", "الامم")
    assert r.exit_code == 0 and r.stdout == "a:2\nb:1\n"
    r = grep(invoke, small_corpus, "--count-matches", "الامم")
    assert r.exit_code == 0 and r.stdout == "a:3\nb:1\n"


def test_grep_count_formats(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-c", "الامم", "--format", "jsonl")
    assert jsonl(r.stdout) == [{"doc": "a", "count": 2}, {"doc": "b", "count": 1}]
    r = grep(invoke, small_corpus, "-c", "الامم", "--format", "tsv")
    assert tsv(r.stdout) == [["doc", "count"], ["a", "2"], ["b", "1"]]


def test_grep_files_with_matches(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-l", "الامم")
    assert r.exit_code == 0 and r.stdout == "a\nb\n"
    r = grep(invoke, small_corpus, "-l", "كتاب")
    assert r.stdout == "a\nsub/c\n"
    assert grep(invoke, small_corpus, "-l", "zzz").exit_code == 1


def test_grep_only_matching_prints_original_spans(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-o", "الامم")
    assert r.exit_code == 0
    assert r.stdout == "a:1:الأُمَمُ\na:3:الامم\na:3:الأمم\nb:1:الأمم\n"
    r = grep(invoke, small_corpus, "-o", "الامم", "--format", "tsv")
    rows = tsv(r.stdout)
    assert rows[0] == ["doc", "line", "start", "end", "match"]
    assert rows[1] == ["a", "1", "0", "8", "الأُمَمُ"]


def test_grep_max_count_per_document(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-m", "1", "الامم")
    assert r.stdout.splitlines() == ["a:1:الأُمَمُ المتحدة تجتمع اليوم", "b:1:إلى الأمم"]
    r = grep(invoke, small_corpus, "-m", "0", "الامم")
    assert r.exit_code == 1 and r.stdout == ""


def test_grep_after_context(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-A", "1", "الامم")
    assert r.stdout == (
        "a:1:الأُمَمُ المتحدة تجتمع اليوم\n"
        "a-2-سطر بلا شيء\n"
        "a:3:قالت الامم المتحدة إن الأمم لها دور\n"
        "a-4-كتـــاب جديد\n"
        "--\n"
        "b:1:إلى الأمم\n"
        "b-2-سطر ثان\n"
    )


def test_grep_before_context(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-B", "1", "-w", "كتاب")
    assert r.stdout == (
        "a-3-قالت الامم المتحدة إن الأمم لها دور\na:4:كتـــاب جديد\n--\nsub/c:1:كِتَابٌ في المكتبة\n"
    )


def test_grep_context_both_sides_and_separator_between_groups(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-C", "1", "بلا|جديد")
    assert r.stdout == (
        "a-1-الأُمَمُ المتحدة تجتمع اليوم\n"
        "a:2:سطر بلا شيء\n"
        "a-3-قالت الامم المتحدة إن الأمم لها دور\n"
        "a:4:كتـــاب جديد\n"
        "a-5-Hello WORLD hello\n"
    )
    r = grep(invoke, small_corpus, "--context", "0", "بلا|المسجد")  # as grep: no context, but --
    assert r.stdout == "a:2:سطر بلا شيء\n--\na:6:الإمام في المسجد\n"
    r = grep(invoke, small_corpus, "-C", "1", "بلا|المسجد")
    assert r.stdout.splitlines().count("--") == 1


def test_grep_context_in_jsonl_marks_context_lines(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-A", "1", "-w", "كتاب", "--format", "jsonl")
    records = jsonl(r.stdout)
    assert [(rec["doc"], rec["line"], rec["matches"] != []) for rec in records] == [
        ("a", 4, True),
        ("a", 5, False),
        ("sub/c", 1, True),
        ("sub/c", 2, False),
    ]


def test_grep_line_numbers_on_and_off(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-N", "الامم")
    assert r.stdout.splitlines() == [
        "a:الأُمَمُ المتحدة تجتمع اليوم",
        "a:قالت الامم المتحدة إن الأمم لها دور",
        "b:إلى الأمم",
    ]
    r = grep(invoke, small_corpus, "-N", "-n", "الامم")
    assert r.stdout.splitlines()[0] == "a:1:الأُمَمُ المتحدة تجتمع اليوم"
    r = grep(invoke, small_corpus, "--no-line-number", "-o", "الامم")
    assert r.stdout.splitlines()[0] == "a:الأُمَمُ"


def test_grep_quiet_exit_codes(invoke, small_corpus):
    r = grep(invoke, small_corpus, "-q", "الامم")
    assert (r.exit_code, r.stdout) == (0, "")
    r = grep(invoke, small_corpus, "-q", "zzz")
    assert (r.exit_code, r.stdout) == (1, "")
    r = grep(invoke, small_corpus, "-q", "a(")
    assert r.exit_code == 2


def test_grep_anchors_select_every_empty_line(invoke, seed_texts):
    """``^$`` selects the empty lines, like GNU grep (seed 003 has 40 of 77)."""
    empty = sum(1 for line in seed_texts["003_6b73772203161856"].split("\n") if line == "")
    r = invoke("grep", "-c", "^$", "--doc", "003")
    assert r.stdout == f"003_6b73772203161856:{empty}\n"


def test_grep_empty_match_at_line_ends(invoke, tmp_path):
    (tmp_path / "e.txt").write_text("a\n\nb\n\n\nc\n", encoding="utf-8")
    r = invoke("grep", "-n", "^$", "--corpus", str(tmp_path))
    assert r.stdout == "e:2:\ne:4:\ne:5:\n"
    r = invoke("grep", "-c", "^", "--corpus", str(tmp_path))
    assert r.stdout == "e:6\n"


def test_grep_line_anchors(invoke, small_corpus):
    r = grep(invoke, small_corpus, "^سطر")
    assert r.stdout.splitlines() == ["a:2:سطر بلا شيء", "b:2:سطر ثان"]
    r = grep(invoke, small_corpus, "سطر$")
    assert r.stdout.splitlines() == ["b:3:آخر سطر"]


#: Lines with and without an empty word between non-word characters (GNU grep's
#: tests/empty and word-* cases); the expected outputs are GNU grep 3.8's.
EMPTY_WORDS = "abc\n\n \na  b\n,\nx-y\n-\n"


def test_grep_empty_pattern_matches_every_line_as_grep_does(invoke, tmp_path):
    (tmp_path / "g.txt").write_text(EMPTY_WORDS, encoding="utf-8")
    corpus = tmp_path / "g.txt"
    r = grep(invoke, corpus, "", "--norm", "none")
    every = "".join(f"g:{n}:{line}\n" for n, line in enumerate(EMPTY_WORDS.split("\n")[:-1], 1))
    assert (r.exit_code, r.stdout) == (0, every)
    assert grep(invoke, corpus, "-c", "").stdout == "g:7\n"
    r = grep(invoke, corpus, "-v", "")
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", "")
    # -w '': an empty word, with no word character on either side.
    r = grep(invoke, corpus, "-w", "", "--norm", "none")
    assert r.stdout == "g:2:\ng:3: \ng:4:a  b\ng:5:,\ng:7:-\n"
    r = grep(invoke, corpus, "-w", "-e", "", "-e", "abc", "--norm", "none")
    assert r.stdout == "g:1:abc\ng:2:\ng:3: \ng:4:a  b\ng:5:,\ng:7:-\n"
    # -o prints the other pattern's matches, never an empty one.
    r = grep(invoke, corpus, "-o", "-e", "", "-e", "b")
    assert (r.exit_code, r.stdout) == (0, "g:1:b\ng:4:b\n")


def test_grep_regexp_gives_patterns_that_are_alternatives(invoke, tmp_path):
    (tmp_path / "g.txt").write_text(EMPTY_WORDS, encoding="utf-8")
    corpus = tmp_path / "g.txt"
    assert grep(invoke, corpus, "-e", "b", "-e", "x").stdout == "g:1:abc\ng:4:a  b\ng:6:x-y\n"
    assert grep(invoke, corpus, "--regexp", "-y").stdout == "g:6:x-y\n"  # a pattern that starts with -
    assert grep(invoke, corpus, "-F", "-e", "a.", "-e", "x-").stdout == "g:6:x-y\n"
    assert_one_error_line(grep(invoke, corpus, "-e", "b", "x"), "PATTERN 'x'", "-e")
    assert_one_error_line(grep(invoke, corpus), "missing PATTERN")
    assert_one_error_line(grep(invoke, corpus, "--clitics", "both", "-e", "كتاب", "-e", "قلم"), "--clitics")


def test_grep_regexp_keeps_each_patterns_typed_marks(invoke, tmp_path):
    (tmp_path / "v.txt").write_text("كَتَبَ الدرس\nكُتِبَ الدرس\nقرأ الكتاب\n", encoding="utf-8")
    corpus = tmp_path / "v.txt"
    r = grep(invoke, corpus, "-o", "-e", "كُتِب", "-e", "قرأ")
    assert r.stdout == "v:2:كُتِبَ\nv:3:قرأ\n"  # كَتَبَ contradicts the typed damma
    r = grep(invoke, corpus, "-o", "-e", "كُتِب", "-e", "كَتَب")
    assert r.stdout == "v:1:كَتَبَ\nv:2:كُتِبَ\n"


def test_grep_only_matching_prints_no_empty_match(invoke, tmp_path):
    """GNU grep: ``-o 'y*'`` on ``xyz`` prints ``y`` alone; the line is selected all the same."""
    (tmp_path / "x.txt").write_text("xyz\nabc\n", encoding="utf-8")
    r = grep(invoke, tmp_path, "-o", "y*")
    assert (r.exit_code, r.stdout) == (0, "x:1:y\n")
    r = grep(invoke, tmp_path, "-o", "y*", "--format", "tsv")
    assert r.stdout == "doc\tline\tstart\tend\tmatch\nx\t1\t1\t2\ty\n"
    assert grep(invoke, tmp_path, "-c", "y*").stdout == "x:2\n"


def test_grep_invert_only_matching_prints_the_context_lines_matches(invoke, tmp_path):
    """With -v the context lines are the matching ones, and -o prints their matches
    (GNU grep 3.8's output, separators included)."""
    (tmp_path / "v.txt").write_text("a1\nb2\nc3\nd4\na5\nf6\ng7\nh8\n", encoding="utf-8")
    r = grep(invoke, tmp_path, "-v", "-o", "-C1", "[bcd]")
    assert (r.exit_code, r.stdout) == (0, "v-2-b\n--\nv-4-d\n")
    r = grep(invoke, tmp_path, "-v", "-o", "-C1", "a")
    assert r.stdout == "v-1-a\nv-5-a\n"
    r = grep(invoke, tmp_path, "-o", "-C1", "a")  # not inverted: context lines print nothing
    assert r.stdout == "v:1:a\n--\nv:5:a\n"


@pytest.mark.parametrize("option", ["-C0", "-A0", "-B0"])
def test_grep_context_0_separates_groups_as_grep_does(invoke, tmp_path, option):
    """GNU grep's context-0: no context line, but ``--`` between lines that do not touch."""
    (tmp_path / "n.txt").write_text("needle\nhay\nanother needle\nneedle again\n", encoding="utf-8")
    r = grep(invoke, tmp_path, option, "needle")
    assert r.stdout == "n:1:needle\n--\nn:3:another needle\nn:4:needle again\n"
    assert grep(invoke, tmp_path, "needle").stdout == "n:1:needle\nn:3:another needle\nn:4:needle again\n"


def test_grep_jsonl_schema_and_offsets(invoke, small_corpus, small_texts):
    r = grep(invoke, small_corpus, "الامم", "--format", "jsonl")
    assert r.exit_code == 0
    records = jsonl(r.stdout)
    assert len(records) == 3
    for rec in records:
        assert set(rec) == {"doc", "line", "text", "matches"}
        assert rec["text"] == small_texts[rec["doc"]].split("\n")[rec["line"] - 1]
        for m in rec["matches"]:
            assert set(m) == {"start", "end", "text"}
            assert rec["text"][m["start"] : m["end"]] == m["text"]
    assert records[0]["matches"] == [{"start": 0, "end": 8, "text": "الأُمَمُ"}]
    assert records[1]["matches"] == [
        {"start": 5, "end": 10, "text": "الامم"},
        {"start": 22, "end": 27, "text": "الأمم"},
    ]
    # CRLF document: the line has no \r, offsets count code points of the original line.
    assert records[2] == {
        "doc": "b",
        "line": 1,
        "text": "إلى الأمم",
        "matches": [{"start": 4, "end": 9, "text": "الأمم"}],
    }
    assert "\\u" not in r.stdout  # UTF-8, not escaped


def test_grep_jsonl_offsets_on_seeds(invoke, seed_texts):
    r = invoke("grep", "الفعال|مجلس الأمن|الأمم", "--format", "jsonl")
    records = jsonl(r.stdout)
    assert records
    for rec in records:
        assert rec["text"] == seed_texts[rec["doc"]].split("\n")[rec["line"] - 1]
        for m in rec["matches"]:
            assert rec["text"][m["start"] : m["end"]] == m["text"]
    spans = [m["text"] for rec in records for m in rec["matches"]]
    assert "الفعَّال" in spans  # the shadda and fatha of the original are inside the span


def test_grep_tsv_and_csv(invoke, small_corpus):
    r = grep(invoke, small_corpus, "الامم", "--format", "tsv")
    assert tsv(r.stdout) == [
        ["doc", "line", "text"],
        ["a", "1", "الأُمَمُ المتحدة تجتمع اليوم"],
        ["a", "3", "قالت الامم المتحدة إن الأمم لها دور"],
        ["b", "1", "إلى الأمم"],
    ]
    r = grep(invoke, small_corpus, "الامم", "--format", "csv")
    assert list(csv.reader(io.StringIO(r.stdout))) == [
        ["doc", "line", "text"],
        ["a", "1", "الأُمَمُ المتحدة تجتمع اليوم"],
        ["a", "3", "قالت الامم المتحدة إن الأمم لها دور"],
        ["b", "1", "إلى الأمم"],
    ]


def test_grep_tsv_escapes_tabs_in_text(invoke):
    r = invoke("grep", "ب", "--corpus", "-", "--format", "tsv", input="أ\tب\n")
    assert tsv(r.stdout) == [["doc", "line", "text"], ["stdin", "1", "أ\\tب"]]


def test_grep_screen_groups_by_document(invoke, small_corpus, tty):
    r = grep(invoke, small_corpus, "الامم")
    assert r.exit_code == 0
    lines = plain(r.stdout).splitlines()
    assert lines[0] == "a"
    assert lines.index("b") > 2
    assert lines[lines.index("b") - 1] == ""  # a blank line between groups
    body = [line for line in lines if line and line not in ("a", "b")]
    assert [line.split(":")[0] for line in body] == ["1", "3", "1"]
    assert all(not line.startswith(("a:", "b:")) for line in lines)  # no doc:line prefix
    assert "الأُمَمُ المتحدة تجتمع اليوم" in body[0]
    assert "\x1b[1;31m" in r.stdout  # matches highlighted on a terminal


def test_grep_screen_cuts_long_lines_around_the_match(invoke, tty):
    r = invoke("grep", "الأمم", "--doc", "000", env={"COLUMNS": "80"})
    assert r.exit_code == 0
    lines = plain(r.stdout).splitlines()
    assert lines[0] == "000_942301ab0c5a4d11"
    hit = lines[1]
    assert hit.startswith("1:")
    assert hit.count(ELLIPSIS) == 2
    assert "الأمم المتحدة" in hit
    assert cell_width(hit) <= 80
    wide = plain(invoke("grep", "الأمم", "--doc", "000", env={"COLUMNS": "160"}).stdout).splitlines()[1]
    assert 80 < cell_width(wide) <= 160


def test_grep_screen_lines_fit_the_terminal(invoke, tty):
    r = invoke("grep", "السورية|الأمم", env={"COLUMNS": "80"})
    assert r.exit_code == 0
    assert max(cell_width(line) for line in plain(r.stdout).splitlines()) <= 80


def test_grep_screen_context_separator(invoke, small_corpus, tty):
    r = grep(invoke, small_corpus, "بلا|المسجد", "--color", "never")
    assert "--" not in r.stdout.splitlines()
    r = grep(invoke, small_corpus, "-A", "1", "بلا|المسجد", "--color", "never")
    lines = r.stdout.splitlines()
    assert "--" in lines
    assert any(line.startswith("3-") for line in lines)  # context line, dash mark


def test_grep_short_C_is_context_so_corpus_needs_the_long_name(invoke, small_corpus):
    r = invoke("grep", "بلا", "-C", "1", "--corpus", str(small_corpus))
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 3
    r = invoke("grep", "بلا", "-C", str(small_corpus))
    assert r.exit_code == 2


def test_count_with_files_with_matches(invoke):
    assert_one_error_line(invoke("grep", "-c", "-l", "سوريا"), "-l")


def test_only_matching_with_jsonl(invoke):
    assert_one_error_line(invoke("grep", "-o", "--format", "jsonl", "سوريا"), "jsonl")
    assert invoke("grep", "-o", "--format", "tsv", "سوريا").exit_code == 0


@pytest.mark.parametrize("command", ["grep", "kwic"])
@pytest.mark.parametrize("pattern", ["\u064e", "\u064b\u0651", "ـــ"])
def test_pattern_of_only_diacritics_or_tatweel(invoke, command, pattern):
    assert_one_error_line(invoke(command, pattern), "--norm")
    # ... but at --norm none it is a real pattern.
    assert invoke(command, pattern, "--norm", "none").exit_code in (0, 1)


def test_query_finds_vocalized_and_hamza_variants_and_prints_the_original(invoke, tmp_path):
    lines = [
        "اجتمعت الأُمَمُ المتحدة",  # vocalized
        "قرار الامم المتحدة",  # bare alef
        "بيان الإمم",  # hamza below (a typo, but an alef variant)
        "ميثاق الآمم",  # madda
        "الأمـــم المتحدة",  # tatweel
        "الأممي والمبعوث",  # a longer word: not with -w
        "لا شيء هنا",
    ]
    (tmp_path / "d.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for query in ("الأمم", "الامم", "الأُمَم", "الإمم"):
        r = invoke("grep", "-w", query, "--corpus", str(tmp_path))
        assert r.exit_code == 0
        assert r.stdout == "".join(f"d:{i}:{line}\n" for i, line in enumerate(lines[:5], 1)), query
    r = invoke("grep", "-o", "الأمم", "--corpus", str(tmp_path))
    assert r.stdout.splitlines() == [
        "d:1:الأُمَمُ",
        "d:2:الامم",
        "d:3:الإمم",
        "d:4:الآمم",
        "d:5:الأمـــم",
        "d:6:الأمم",
    ]


def test_seed_query_prints_original_text(invoke, seed_texts):
    r = invoke("grep", "الامم")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert len(lines) == 5
    for line in lines:
        doc, number, text = line.split(":", 2)
        assert text == seed_texts[doc].split("\n")[int(number) - 1]
        assert "الأمم" in text  # the hamza form of the original, not the normalized الامم
    assert invoke("grep", "الأمم").stdout == r.stdout


def test_arabic_indic_digits_match_ascii(invoke):
    r = invoke("grep", "2254", "--corpus", "-", input="القرار ٢٢٥٤ لعام ٢٠١٥\n")
    assert r.stdout == "stdin:1:القرار ٢٢٥٤ لعام ٢٠١٥\n"


@pytest.mark.parametrize("position", ["before", "after"])
def test_cli_bare_clitics_means_both(invoke, position):
    args = ["--clitics", "الأمن"] if position == "before" else ["الأمن", "--clitics"]
    r = piped(invoke, "grep", *args, text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "stdin:1:قال وللأمن العام\nstdin:4:بالأمن للأمن\n"
    explicit = piped(invoke, "grep", "--clitics", "both", "الأمن", text=CLITIC_TEXT)
    assert explicit.stdout == r.stdout


def test_cli_without_clitics_does_not_match_attached_forms(invoke):
    r = piped(invoke, "grep", "-w", "الأمن", text=CLITIC_TEXT)
    assert r.exit_code == 1
    assert r.stdout == ""


def test_cli_grep_only_matching_tsv_has_clitics_column(invoke):
    r = piped(invoke, "grep", "--clitics", "-o", "--format", "tsv", "الأمن", text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    assert tsv(r.stdout) == [
        ["doc", "line", "start", "end", "match", "clitics"],
        ["stdin", "1", "4", "10", "وللأمن", "و+ل+ال+أمن"],
        ["stdin", "4", "0", "6", "بالأمن", "ب+ال+أمن"],
        ["stdin", "4", "7", "12", "للأمن", "ل+ال+أمن"],
    ]


def test_cli_grep_line_tsv_has_clitics_column(invoke):
    r = piped(invoke, "grep", "--clitics", "--format", "tsv", "الأمن", text=CLITIC_TEXT)
    assert tsv(r.stdout) == [
        ["doc", "line", "text", "clitics"],
        ["stdin", "1", "قال وللأمن العام", "و+ل+ال+أمن"],
        ["stdin", "4", "بالأمن للأمن", "ب+ال+أمن ل+ال+أمن"],
    ]


def test_cli_grep_jsonl_matches_carry_clitics_object(invoke):
    r = piped(invoke, "grep", "--clitics", "--format", "jsonl", "مصر", text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    [record] = jsonl(r.stdout)
    assert record["line"] == 3
    assert record["matches"] == [
        {"start": 8, "end": 11, "text": "مصر", "clitics": {"pre": "", "stem": "مصر", "post": ""}},
        {"start": 16, "end": 20, "text": "مصري", "clitics": {"pre": "", "stem": "مصر", "post": "ي"}},
    ]


def test_cli_grep_screen_shows_splits(invoke, tty):
    r = piped(invoke, "grep", "--clitics", "مصر", "--color", "never", text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    assert "[مصر مصر+ي]" in r.stdout


def test_cli_help_documents_clitics_and_false_friends(invoke):
    r = invoke("grep", "--help")
    text = " ".join(r.stdout.replace("│", " ").split())
    assert "--clitics" in text
    assert "كمال" in text and "مصري" in text


def test_typed_marks_rejecting_every_hit_exits_1(invoke):
    r = piped(invoke, "grep", "كُتب", text="كَتَبَ الولد\n")
    assert r.exit_code == 1
    assert r.stdout == ""


def test_keep_digits_separates_arabic_indic_and_ascii(invoke):
    text = "القرار ٢٢٥٤ صدر\nوالقرار 2254 أيضا\n"
    assert piped(invoke, "grep", "2254", text=text).stdout.count("\n") == 2
    r = piped(invoke, "grep", "2254", "--keep", "digits", text=text)
    assert r.stdout == "stdin:2:والقرار 2254 أيضا\n"
    r = piped(invoke, "grep", "٢٢٥٤", "--keep", "digits", text=text)
    assert r.stdout == "stdin:1:القرار ٢٢٥٤ صدر\n"


def test_explain_shows_clitic_pattern_and_mark_constraints(invoke):
    r = piped(invoke, "grep", "--explain", "--clitics", "الأمن", text="وللأمن\n")
    assert "clitics=both" in r.stderr
    assert "(?P<pre>" in r.stderr and "(?P<post>" in r.stderr
    r = piped(invoke, "grep", "--explain", "كُتب", text="كتب\n")
    assert "'كتب'" in r.stderr  # normalized without the damma
    assert "Damma" in r.stderr  # the typed mark is reported as a constraint


def test_grep_zero_on_seeds_suggests_aggressive(invoke):
    r = invoke("grep", "الخارجيه")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert "corpus: 0 hits" in r.stderr
    assert "30 with --norm aggressive" in r.stderr


def test_zero_tries_only_options_not_set(invoke):
    r = piped(invoke, "grep", "--norm", "standard", "الخارجيه", text="وزارة الخارجية\n")
    assert r.exit_code == 1
    assert "0 hits" in r.stderr
    assert "--norm aggressive" not in r.stderr
    r = piped(invoke, "grep", "--clitics", "الخارجيه", text="وزارة الخارجية\n")
    assert r.exit_code == 1
    assert "0 hits" in r.stderr
    assert "with --clitics" not in r.stderr


def test_zero_report_skips_what_would_normalize_a_big_corpus(invoke, tmp_path, monkeypatch):
    """A variant that no index or expansion can answer quickly (--norm aggressive) is
    not run on a big corpus; the report says so.  (Big: from cli.documents.BIG_CORPUS files.)"""
    from corpus_cli.cli import documents

    monkeypatch.setattr(documents, "BIG_CORPUS", 3)
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text("وزارة الخارجية\n", encoding="utf-8")
    r = invoke("grep", "الخارجيه", "--corpus", str(tmp_path))
    assert r.exit_code == 1
    assert r.stderr == "corpus: 0 hits; 0 with --clitics; --norm aggressive not tried on a corpus this size\n"


def test_zero_message_not_printed_when_quiet_or_found(invoke):
    r = piped(invoke, "grep", "-q", "الخارجيه", text="وزارة الخارجية\n")
    assert r.exit_code == 1
    assert r.stderr == ""
    r = piped(invoke, "grep", "الخارجية", text="وزارة الخارجية\n")
    assert r.exit_code == 0
    assert "0 hits" not in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-c", "-l"], "corpus: -c/--count and -l/--files-with-matches cannot be combined"),
        (["--count-matches", "-l"], "corpus: --count-matches and -l/--files-with-matches cannot be combined"),
        (["-o", "--format", "jsonl"], "corpus: -o/--only-matching cannot be combined with --format jsonl"),
        (["--format", "xml"], "corpus: Invalid value for '--format'"),
        (["-m", "-1"], "corpus: Invalid value for '--max-count'"),
    ],
    ids=["count-files", "count-matches-files", "only-jsonl", "bad-format", "negative-max"],
)
def test_conflicting_and_invalid_flags(cli, ids_corpus, args, message):
    error(cli("grep", *args, "الامم", "--corpus", str(ids_corpus)), message)


#: (pattern, text, level): each backtracks for far longer than any test runs.
HOSTILE = [
    ("(a+)+$", "a" * 50_000 + "b", "none"),
    ("(ب+)+ت", "ب" * 50_000, "standard"),
    # No group, no class: this one used to be compiled with ``re``, which has no time limit.
    ("a.*a.*a.*a.*a.*b", "a" * 20_000, "none"),
    ("ب+ب+ب+ب+ت", "ب" * 20_000, "none"),
]


@pytest.mark.parametrize(("pattern", "text", "level"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_pattern_stops_in_a_subprocess(tmp_path: Path, pattern: str, text: str, level: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(text + "\n", encoding="utf-8")
    args = ["grep", "--timeout", "0.5", "--norm", level, "--corpus", str(path), pattern]
    started = time.monotonic()
    done = run_corpus(*args, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert done.stderr == message("0.5")
    assert done.stdout == ""
    assert elapsed < 15, elapsed  # 0.5 s of matching, start-up, and the regex module's checks


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


#: Runs ``corpus ARGS | CONSUMER`` and prints, as JSON, the consumer's output, the seconds,
#: the corpus process's status and its peak RSS (``ru_maxrss`` from ``os.wait4``).  A
#: small process of its own: on Linux a child's ``ru_maxrss`` starts at the RSS of the
#: process it was spawned from, and pytest's grows to hundreds of MB over the suite.
_LAUNCHER = """
import json, os, subprocess, sys, time
corpus, consumer = json.loads(sys.argv[1])
started = time.monotonic()
producer = subprocess.Popen(corpus, stdout=subprocess.PIPE)
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
    argument = json.dumps([corpus_argv(*corpus.split()), consumer.split()])
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, argument],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(),
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
