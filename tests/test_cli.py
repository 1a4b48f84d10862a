"""The ``corpus`` command under Typer's CliRunner: every command, flag and format.

Under CliRunner stdout is a pipe, so the default paths are the machine ones (plain,
tsv); the ``tty`` fixture fakes a terminal for the screen paths.  ``small_corpus`` is
three documents: ``a`` (vocalized, alef/hamza variants, tatweel, Latin), ``b`` (CRLF)
and ``sub/c`` (in a nested directory), plus ``notes.md`` that only ``--glob`` reads.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from pathlib import Path

import pytest

from corpus_cli.screen import cell_width

SGR = re.compile(r"\x1b\[[0-9;]*m")
#: Bidi controls that the screen layout uses and machine output must never carry.
BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
LRM, RLE, PDF, RLI, PDI, NBSP = "\u200e", "\u202b", "\u202c", "\u2067", "\u2069", "\u00a0"
ELLIPSIS = "…"


def tsv(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()]


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def plain(text: str) -> str:
    """Output without SGR codes."""
    return SGR.sub("", text)


def visible_len(text: str) -> int:
    """Characters a reader counts: marks and format characters excluded."""
    return sum(1 for c in text if unicodedata.category(c) not in ("Mn", "Cf"))


def help_text(text: str) -> str:
    """Rich help with its box drawing removed and whitespace collapsed."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", plain(text)).split())


# =========================================================================== list


def test_list_tsv_header_and_one_row_per_seed(invoke, seed_texts):
    r = invoke("list")
    assert r.exit_code == 0, r.stderr
    rows = tsv(r.stdout)
    assert rows[0] == ["id", "path", "title", "chars", "tokens", "types", "lines"]
    assert [row[0] for row in rows[1:]] == sorted(seed_texts)
    for doc_id, path, title, chars, tokens, types, lines in rows[1:]:
        text = seed_texts[doc_id]
        assert Path(path).name == f"{doc_id}.txt"
        assert int(chars) == len(text)
        assert int(lines) == len(text.split("\n"))
        first = next(line for line in text.split("\n") if line.strip())
        assert title == " ".join(first.split())
        assert int(tokens) > int(types) > 0


def test_list_jsonl_keys_and_types(invoke, seed_texts):
    r = invoke("list", "--format", "jsonl")
    assert r.exit_code == 0
    records = jsonl(r.stdout)
    assert len(records) == 5
    for record in records:
        assert list(record) == ["id", "path", "title", "chars", "tokens", "types", "lines"]
        assert record["chars"] == len(seed_texts[record["id"]])
        for key in ("chars", "tokens", "types", "lines"):
            assert isinstance(record[key], int)


def test_list_csv(invoke, seed_texts):
    r = invoke("list", "--format", "csv")
    assert r.exit_code == 0
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["id", "path", "title", "chars", "tokens", "types", "lines"]
    assert [row[0] for row in rows[1:]] == sorted(seed_texts)
    # A title with quotes (seed 003) survives CSV quoting.
    assert any('"2254"' in row[2] for row in rows[1:])


def test_list_no_header(invoke):
    r = invoke("list", "--no-header")
    rows = tsv(r.stdout)
    assert len(rows) == 5
    assert rows[0][0] == "000_942301ab0c5a4d11"


def test_list_table_on_terminal_has_totals(invoke, tty):
    machine = tsv(invoke("list", "--format", "tsv").stdout)[1:]
    r = invoke("list")
    assert r.exit_code == 0
    out = plain(r.stdout)
    assert "\t" not in out
    assert "┃" in out or "│" in out
    footer = next(line for line in out.splitlines() if "5 documents" in line)
    total_chars = sum(int(row[3]) for row in machine)
    total_lines = sum(int(row[6]) for row in machine)
    total_tokens = sum(int(row[4]) for row in machine)
    assert f"{total_chars:,}" in footer
    assert f"{total_tokens:,}" in footer
    assert f" {total_lines:,} " in footer
    for doc_id in (row[0] for row in machine):
        assert doc_id in out  # ids are never cut


def test_list_table_cuts_titles_to_the_terminal(invoke, tty):
    r = invoke("list", env={"COLUMNS": "80"})
    lines = plain(r.stdout).splitlines()
    assert max(cell_width(line) for line in lines) <= 80
    assert ELLIPSIS in r.stdout  # seed 000's title is a 2,259-character line
    wide = invoke("list", env={"COLUMNS": "200"})
    assert max(cell_width(line) for line in plain(wide.stdout).splitlines()) > 80


def test_list_keeps_empty_documents_and_skips_binary_with_a_warning(invoke, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\t\n")
    (tmp_path / "bom.txt").write_bytes("\ufeffالأمم\rسطر\r".encode())
    (tmp_path / "bin.txt").write_bytes(b"abc\x00def")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    r = invoke("list", "--corpus", str(tmp_path), "--format", "jsonl")
    assert r.exit_code == 0
    records = {rec["id"]: rec for rec in jsonl(r.stdout)}
    assert set(records) == {"empty", "blank", "bom"}
    assert records["empty"]["tokens"] == records["blank"]["tokens"] == 0
    assert records["bom"]["title"] == "الأمم"  # BOM dropped
    assert records["bom"]["lines"] == 2  # CR read as a line end
    warnings = r.stderr.splitlines()
    assert len(warnings) == 2
    assert all(w.startswith("corpus: ") for w in warnings)
    assert any("bin.txt" in w for w in warnings) and any("latin1.txt" in w for w in warnings)


# =========================================================================== show


def test_show_prints_the_document_text_unchanged(invoke, small_corpus, small_texts):
    r = invoke("show", "a", "--corpus", str(small_corpus))
    assert r.exit_code == 0
    assert r.stdout == small_texts["a"]


def test_show_crlf_document_prints_lf_lines(invoke, small_corpus, small_texts):
    r = invoke("show", "b", "--corpus", str(small_corpus))
    assert r.stdout == small_texts["b"]
    assert "\r" not in r.stdout


def test_show_by_id_prefix_prints_exactly_the_seed_text(invoke, seed_texts):
    """In a pipe the text is written exactly as loaded (the seeds end without a newline)."""
    for doc_id, text in seed_texts.items():
        r = invoke("show", doc_id[:3])
        assert r.exit_code == 0
        assert r.stdout == text, doc_id


def test_show_prefix_of_nested_document(invoke, small_corpus, small_texts):
    r = invoke("show", "su", "--corpus", str(small_corpus))
    assert r.stdout == small_texts["sub/c"]


def test_show_highlight_on_terminal_with_color_always(invoke, small_corpus, tty):
    r = invoke("show", "a", "--highlight", "الامم", "--corpus", str(small_corpus), "--color", "always")
    assert r.exit_code == 0
    out = r.stdout
    assert "\x1b[" in out
    painted = re.findall(r"\x1b\[[0-9;]*m([^\x1b]+)\x1b\[0m", out)
    assert "الأُمَمُ" in painted and "الامم" in painted and "الأمم" in painted
    assert "سطر بلا شيء" in plain(out)
    never = invoke("show", "a", "--highlight", "الامم", "--corpus", str(small_corpus), "--color", "never")
    assert "\x1b[" not in never.stdout


def test_show_highlight_in_a_pipe_has_no_color_and_original_text(invoke, small_corpus, small_texts):
    r = invoke("show", "a", "--highlight", "الامم", "--corpus", str(small_corpus))
    assert r.exit_code == 0
    assert "\x1b[" not in r.stdout
    assert r.stdout == small_texts["a"]


def test_show_jsonl_one_record_per_line_with_matches(invoke, small_corpus, small_texts):
    r = invoke("show", "a", "--highlight", "الامم", "--format", "jsonl", "--corpus", str(small_corpus))
    records = jsonl(r.stdout)
    lines = small_texts["a"].split("\n")[:-1]
    assert [rec["line"] for rec in records] == list(range(1, len(lines) + 1))
    assert [rec["text"] for rec in records] == lines
    assert all(rec["doc"] == "a" for rec in records)
    by_line = {rec["line"]: rec["matches"] for rec in records}
    assert by_line[2] == []
    assert [m["text"] for m in by_line[3]] == ["الامم", "الأمم"]
    for rec in records:
        for m in rec["matches"]:
            assert rec["text"][m["start"] : m["end"]] == m["text"]


def test_show_tsv_and_csv(invoke, small_corpus):
    r = invoke("show", "b", "--format", "tsv", "--corpus", str(small_corpus))
    assert tsv(r.stdout) == [
        ["doc", "line", "text"],
        ["b", "1", "إلى الأمم"],
        ["b", "2", "سطر ثان"],
        ["b", "3", "آخر سطر"],
    ]
    r = invoke("show", "b", "--format", "csv", "--corpus", str(small_corpus))
    assert list(csv.reader(io.StringIO(r.stdout)))[1] == ["b", "1", "إلى الأمم"]


def test_show_on_terminal_numbers_lines(invoke, small_corpus, tty):
    r = invoke("show", "b", "--corpus", str(small_corpus), "--color", "never")
    out = r.stdout.splitlines()
    assert out[0].startswith("b")
    assert [line.split()[0].strip(LRM) for line in out[1:]] == ["1", "2", "3"]


# =========================================================================== grep: matching flags


def grep(invoke, corpus: Path, *args: str, **kw):
    return invoke("grep", *args, "--corpus", str(corpus), **kw)


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
    r = grep(invoke, small_corpus, "--context", "0", "بلا|المسجد")
    assert "--" not in r.stdout.splitlines()
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


# =========================================================================== grep: formats


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


# =========================================================================== grep: screen


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


# =========================================================================== kwic


def kwic(invoke, corpus: Path, *args: str, **kw):
    return invoke("kwic", *args, "--corpus", str(corpus), **kw)


def test_kwic_whole_words_by_default_and_substring(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "كتاب", "--format", "jsonl")
    assert [rec["match"] for rec in jsonl(r.stdout)] == ["كتـــاب", "كِتَابٌ"]
    r = kwic(invoke, small_corpus, "كتاب", "--substring", "--format", "jsonl")
    assert [rec["match"] for rec in jsonl(r.stdout)] == ["كتـــاب", "كِتَابٌ", "كتاب"]


def test_kwic_shares_grep_matching_options(invoke, small_corpus):
    assert kwic(invoke, small_corpus, "الأ.م", "--substring").exit_code == 0
    assert kwic(invoke, small_corpus, "-F", "الأ.م", "--substring").exit_code == 1
    assert kwic(invoke, small_corpus, "world").exit_code == 1
    r = kwic(invoke, small_corpus, "-i", "world", "--format", "jsonl")
    assert [rec["match"] for rec in jsonl(r.stdout)] == ["WORLD"]
    r = kwic(invoke, small_corpus, "-m", "1", "الامم", "--format", "jsonl")
    assert [(rec["doc"], rec["line"]) for rec in jsonl(r.stdout)] == [("a", 1), ("b", 1)]


def test_kwic_jsonl_schema_and_document_offsets(invoke, small_corpus, small_texts):
    r = kwic(invoke, small_corpus, "الامم", "--format", "jsonl")
    assert r.exit_code == 0
    records = jsonl(r.stdout)
    assert len(records) == 4
    for rec in records:
        assert list(rec) == ["doc", "line", "start", "end", "before", "match", "after"]
        text = small_texts[rec["doc"]]
        assert text[rec["start"] : rec["end"]] == rec["match"]
        assert text[: rec["start"]].count("\n") + 1 == rec["line"]
    assert [(rec["doc"], rec["line"], rec["match"]) for rec in records] == [
        ("a", 1, "الأُمَمُ"),
        ("a", 3, "الامم"),
        ("a", 3, "الأمم"),
        ("b", 1, "الأمم"),
    ]


def test_kwic_offsets_into_seed_texts(invoke, seed_texts):
    r = invoke("kwic", "سوريا|الأمم|2254", "--format", "jsonl")
    records = jsonl(r.stdout)
    assert len(records) > 40
    for rec in records:
        assert seed_texts[rec["doc"]][rec["start"] : rec["end"]] == rec["match"]


def test_kwic_tsv_columns(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "الامم", "--width", "5")
    rows = tsv(r.stdout)
    assert rows[0] == ["doc", "line", "start", "end", "before", "match", "after"]
    assert rows[2] == ["a", "3", "46", "51", "قالت ", "الامم", " المت"]


def test_kwic_width(invoke, small_corpus):
    narrow = jsonl(kwic(invoke, small_corpus, "الامم", "--width", "5", "--format", "jsonl").stdout)
    wide = jsonl(kwic(invoke, small_corpus, "الامم", "--width", "20", "--format", "jsonl").stdout)
    for rec in narrow:
        assert visible_len(rec["before"]) <= 5 and visible_len(rec["after"]) <= 5
    assert max(visible_len(rec["after"]) for rec in narrow) == 5
    assert max(visible_len(rec["after"]) for rec in wide) == 20
    # Default width is 40.
    default = jsonl(kwic(invoke, small_corpus, "الامم", "--format", "jsonl").stdout)
    assert max(visible_len(rec["after"]) for rec in default) == 40


def test_kwic_words(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "الامم", "--words", "1", "--format", "jsonl")
    records = jsonl(r.stdout)
    assert [(rec["before"].strip(), rec["after"].strip()) for rec in records] == [
        ("", "المتحدة"),
        ("قالت", "المتحدة"),
        ("إن", "لها"),
        ("إلى", "سطر"),
    ]
    r = kwic(invoke, small_corpus, "الامم", "--words", "2", "--format", "jsonl")
    assert jsonl(r.stdout)[1]["after"].split() == ["المتحدة", "إن"]


def test_kwic_limit(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "الامم", "--limit", "2", "--format", "jsonl")
    assert [rec["match"] for rec in jsonl(r.stdout)] == ["الأُمَمُ", "الامم"]


def test_kwic_sort(invoke, small_corpus):
    position = jsonl(kwic(invoke, small_corpus, "سطر|الامم", "--format", "jsonl").stdout)
    assert [rec["match"] for rec in position][:2] == ["الأُمَمُ", "سطر"]
    by_match = jsonl(kwic(invoke, small_corpus, "سطر|الامم", "--sort", "match", "--format", "jsonl").stdout)
    assert [rec["match"] for rec in by_match] == ["الأُمَمُ", "الامم", "الأمم", "الأمم", "سطر", "سطر", "سطر"]
    explicit = kwic(invoke, small_corpus, "سطر|الامم", "--sort", "position", "--format", "jsonl")
    assert jsonl(explicit.stdout) == position


def test_kwic_sort_doc(invoke, small_corpus):
    args = ["kwic", "الامم", "--corpus", str(small_corpus / "b.txt"), "--corpus", str(small_corpus / "a.txt")]
    args += ["--format", "jsonl"]
    assert [rec["doc"] for rec in jsonl(invoke(*args).stdout)] == ["b", "a", "a", "a"]
    assert [rec["doc"] for rec in jsonl(invoke(*args, "--sort", "doc").stdout)] == ["a", "a", "a", "b"]


def test_kwic_bad_sort_key(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "الامم", "--sort", "left")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ") and "position" in r.stderr


def test_kwic_no_hit_exit_1(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "zzz", "--format", "jsonl")
    assert (r.exit_code, r.stdout) == (1, "")


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_kwic_piped_output_has_no_controls_or_padding(invoke, small_corpus, fmt):
    r = kwic(invoke, small_corpus, "الامم", "--format", fmt)
    assert r.exit_code == 0
    assert not set(r.stdout) & set(BIDI_CONTROLS)
    assert NBSP not in r.stdout
    assert "\x1b[" not in r.stdout


def test_kwic_default_pipe_output_on_seeds_has_no_controls(invoke):
    r = invoke("kwic", "سوريا")
    assert r.exit_code == 0
    assert r.stdout.startswith("doc\tline\tstart\tend\tbefore\tmatch\tafter\n")
    assert not set(r.stdout) & set(BIDI_CONTROLS)


def test_kwic_screen_uses_rtl_layout(invoke, small_corpus, tty):
    r = kwic(invoke, small_corpus, "الامم", "--width", "10", "--color", "never")
    assert r.exit_code == 0
    rows = [line for line in r.stdout.splitlines() if RLE in line]  # a summary line may precede
    assert len(rows) == 4
    for row in rows:
        assert PDF in row and row.count(RLI) == 2 and row.count(PDI) == 2
        assert row.endswith(PDF + LRM)
    assert NBSP * 10 in rows[0]  # a hit at the start of a document: padding, not spaces
    assert "\t" not in r.stdout


def test_kwic_screen_keyword_column_is_aligned(invoke, tty):
    r = invoke("kwic", "سوريا", "--limit", "12", "--color", "always", env={"COLUMNS": "100"})
    assert r.exit_code == 0
    columns = set()
    rows = [row for row in r.stdout.splitlines() if "\x1b[1;31m" in row]
    assert len(rows) == 12
    for row in rows:
        keyword = row.index("\x1b[1;31m")
        columns.add(cell_width(plain(row[:keyword])))
    assert len(columns) == 1


# =========================================================================== freq


def freq(invoke, corpus: Path, *args: str, **kw):
    return invoke("freq", *args, "--corpus", str(corpus), **kw)


def test_freq_default_top_20_and_tsv_header(invoke, small_corpus):
    r = freq(invoke, small_corpus)
    assert r.exit_code == 0
    rows = tsv(r.stdout)
    assert rows[0] == ["rank", "term", "key", "count", "per_million", "docs"]
    assert len(rows) == 21
    assert rows[1] == ["1", "الأمم", "الامم", "4", rows[1][4], "2"]


def test_freq_top(invoke, small_corpus):
    assert len(tsv(freq(invoke, small_corpus, "--top", "2").stdout)) == 3
    everything = tsv(freq(invoke, small_corpus, "--top", "0").stdout)[1:]
    assert len(everything) > 20
    assert [int(row[0]) for row in everything] == list(range(1, len(everything) + 1))
    counts = [int(row[3]) for row in everything]
    assert counts == sorted(counts, reverse=True)
    keys = [row[2] for row in everything]
    assert len(keys) == len(set(keys))


def test_freq_min_count(invoke, small_corpus):
    everything = tsv(freq(invoke, small_corpus, "--top", "0").stdout)[1:]
    frequent = tsv(freq(invoke, small_corpus, "--top", "0", "--min-count", "2").stdout)[1:]
    assert frequent == [row for row in everything if int(row[3]) >= 2]
    assert 0 < len(frequent) < len(everything)


def test_freq_jsonl_keys_and_per_million(invoke, small_corpus):
    total = sum(
        rec["tokens"]
        for rec in jsonl(invoke("list", "--corpus", str(small_corpus), "--format", "jsonl").stdout)
    )
    records = jsonl(freq(invoke, small_corpus, "--format", "jsonl", "--top", "0").stdout)
    assert sum(rec["count"] for rec in records) == total
    for rec in records:
        assert list(rec) == ["rank", "term", "key", "count", "per_million", "docs"]
        assert rec["per_million"] == pytest.approx(rec["count"] * 1_000_000 / total)
    top = records[0]
    assert (top["term"], top["key"], top["count"], top["docs"]) == ("الأمم", "الامم", 4, 2)


def test_freq_by_doc(invoke, small_corpus):
    r = freq(invoke, small_corpus, "--by-doc", "--top", "1")
    rows = tsv(r.stdout)
    assert rows[0] == ["doc", "rank", "term", "key", "count", "per_million", "docs"]
    assert [row[0] for row in rows[1:]] == ["a", "b", "sub/c"]
    assert all(row[1] == "1" for row in rows[1:])
    records = jsonl(freq(invoke, small_corpus, "--by-doc", "--top", "0", "--format", "jsonl").stdout)
    assert all(list(rec) == ["doc", "rank", "term", "key", "count", "per_million", "docs"] for rec in records)
    a = [rec for rec in records if rec["doc"] == "a"]
    assert a[0]["key"] == "الامم" and a[0]["count"] == 3


def test_freq_terms_with_zeros(invoke, small_corpus):
    r = freq(invoke, small_corpus, "الأمم", "كتاب", "zzz")
    assert r.exit_code == 0
    rows = tsv(r.stdout)[1:]
    assert [(row[2], row[3]) for row in rows] == [("الامم", "4"), ("كتاب", "2"), ("zzz", "0")]


def test_freq_terms_all_zero_exit_1(invoke, small_corpus):
    r = freq(invoke, small_corpus, "zzz", "qqq", "--format", "jsonl")
    assert r.exit_code == 1
    assert [(rec["key"], rec["count"]) for rec in jsonl(r.stdout)] == [("zzz", 0), ("qqq", 0)]


def test_freq_terms_are_normalized(invoke, small_corpus):
    r = freq(invoke, small_corpus, "الأُمَمُ", "كتـاب", "--format", "jsonl")
    assert [(rec["key"], rec["count"]) for rec in jsonl(r.stdout)] == [("الامم", 4), ("كتاب", 2)]


def test_freq_norm_none_counts_alef_variants_apart(invoke, small_corpus):
    standard = jsonl(freq(invoke, small_corpus, "الأمم", "--format", "jsonl").stdout)[0]
    none = jsonl(freq(invoke, small_corpus, "الأمم", "--norm", "none", "--format", "jsonl").stdout)[0]
    assert standard["count"] == 4
    assert none["count"] == 2
    bare = jsonl(freq(invoke, small_corpus, "الامم", "--norm", "none", "--format", "jsonl").stdout)[0]
    assert bare["count"] == 1


def test_freq_table_on_terminal(invoke, small_corpus, tty):
    r = freq(invoke, small_corpus, "--top", "3")
    out = plain(r.stdout)
    assert "per million" in out and "\t" not in out
    assert "الأمم" in out
    assert re.search(r"normalization:? standard", out)  # the caption names the level


def test_freq_help_states_what_a_count_is(invoke):
    r = invoke("freq", "--help")
    assert r.exit_code == 0
    assert "number of tokens whose normalized form equals the key" in help_text(r.stdout)


@pytest.mark.parametrize("word", ["سوريا", "الأمم", "2254", "على", "السورية"])
def test_freq_kwic_and_grep_count_the_same_tokens(invoke, word):
    """A count is the number of tokens whose normalized form is the key."""
    count = jsonl(invoke("freq", word, "--format", "jsonl").stdout)[0]["count"]
    hits = len(jsonl(invoke("kwic", word, "--format", "jsonl").stdout))
    per_doc = invoke("grep", "-w", "--count-matches", word).stdout.splitlines()
    assert count == hits == sum(int(line.rsplit(":", 1)[1]) for line in per_doc) > 0


def test_help_shows_the_defaults(invoke):
    """Help texts written as ``[default: …]`` must not be eaten as Rich markup."""
    text = help_text(invoke("list", "--help").stdout)
    assert "*.txt" in text
    assert "tsv in a pipe" in text
    assert "[default: standard]" in text


# =========================================================================== normalize


def test_normalize_arguments(invoke):
    r = invoke("normalize", "الأُمَمُ", "كتـــاب", "إلى")
    assert (r.exit_code, r.stdout) == (0, "الامم\nكتاب\nالى\n")


def test_normalize_standard_input_line_by_line(invoke):
    r = invoke("normalize", input="الأُمَمُ المتحدة\r\nكتـــاب\n\n٢٢٥٤\n")
    assert (r.exit_code, r.stdout) == (0, "الامم المتحدة\nكتاب\n\n2254\n")


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("none", "إنّ الأمم المتحدة لـ"),
        ("light", "إنّ الأمم المتحدة ل"),
        ("standard", "ان الامم المتحدة ل"),
        ("aggressive", "ان الامم المتحده ل"),
    ],
)
def test_normalize_levels(invoke, level, expected):
    r = invoke("normalize", "--norm", level, "إنّ الأمم المتحدة لـ")
    assert r.stdout == expected + "\n"
    before = invoke("--norm", level, "normalize", "إنّ الأمم المتحدة لـ")
    assert before.stdout == expected + "\n"


def test_normalize_jsonl_and_tsv(invoke):
    r = invoke("normalize", "--format", "jsonl", "الأُمَمُ", "كتـاب")
    assert jsonl(r.stdout) == [
        {"input": "الأُمَمُ", "normalized": "الامم"},
        {"input": "كتـاب", "normalized": "كتاب"},
    ]
    r = invoke("normalize", "--format", "tsv", "الأُمَمُ")
    assert tsv(r.stdout) == [["input", "normalized"], ["الأُمَمُ", "الامم"]]
    r = invoke("normalize", "--format", "jsonl", input="إلى\n")
    assert jsonl(r.stdout) == [{"input": "إلى", "normalized": "الى"}]


def test_normalize_unknown_format(invoke):
    r = invoke("normalize", "--format", "xml", "x")
    assert r.exit_code == 2 and r.stderr.startswith("corpus: ")


# =========================================================================== corpus options


def test_default_corpus_is_the_seeds(invoke, seed_texts):
    r = invoke("list", "--format", "jsonl")
    assert [rec["id"] for rec in jsonl(r.stdout)] == list(seed_texts)


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--corpus", "{b}", "--corpus", "{c}"],
        ["list", "-C", "{b}", "-C", "{c}"],
        ["--corpus", "{b}", "-C", "{c}", "list"],
    ],
)
def test_corpus_option_repeatable_before_and_after_the_name(invoke, small_corpus, argv):
    paths = {"{b}": str(small_corpus / "b.txt"), "{c}": str(small_corpus / "sub")}
    r = invoke(*[paths.get(a, a) for a in argv], "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    ids = [rec["id"] for rec in jsonl(r.stdout)]
    assert "b" in ids and "c" in ids


@pytest.mark.parametrize(
    "argv",
    [
        ["grep", "الامم", "--corpus", "{p}"],
        ["--corpus", "{p}", "grep", "الامم"],
        ["-C", "{p}", "grep", "الامم"],
        ["kwic", "الامم", "-C", "{p}"],
        ["freq", "الامم", "-C", "{p}"],
        ["show", "b", "-C", "{p}"],
        ["list", "-C", "{p}"],
    ],
)
def test_corpus_option_on_every_command(invoke, small_corpus, argv):
    r = invoke(*[str(small_corpus) if a == "{p}" else a for a in argv])
    assert r.exit_code == 0, r.stderr
    assert "000_942301ab0c5a4d11" not in r.stdout
    assert "الأمم" in r.stdout


def test_grep_short_C_is_context_so_corpus_needs_the_long_name(invoke, small_corpus):
    r = invoke("grep", "بلا", "-C", "1", "--corpus", str(small_corpus))
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 3
    r = invoke("grep", "بلا", "-C", str(small_corpus))
    assert r.exit_code == 2


def test_corpus_path_environment_variable(invoke, small_corpus):
    value = os.pathsep.join([str(small_corpus / "b.txt"), str(small_corpus / "sub")])
    r = invoke("list", "--format", "jsonl", env={"CORPUS_PATH": value})
    assert [rec["id"] for rec in jsonl(r.stdout)] == ["b", "c"]
    # --corpus replaces CORPUS_PATH.
    r = invoke(
        "list", "--format", "jsonl", "--corpus", str(small_corpus / "a.txt"), env={"CORPUS_PATH": value}
    )
    assert [rec["id"] for rec in jsonl(r.stdout)] == ["a"]
    r = invoke("grep", "الامم", env={"CORPUS_PATH": value})
    assert r.stdout == "b:1:إلى الأمم\n"


def test_document_ids_are_relative_paths_without_txt(invoke, small_corpus):
    r = invoke("list", "--corpus", str(small_corpus), "--format", "jsonl")
    assert [rec["id"] for rec in jsonl(r.stdout)] == ["a", "b", "sub/c"]


def test_glob_after_and_before_the_name(invoke, small_corpus):
    r = invoke("grep", "الامم", "--corpus", str(small_corpus), "--glob", "*.md")
    assert r.stdout == "notes.md:1:الأمم في ملف ماركداون\n"
    r = invoke("--glob", "*.md", "--corpus", str(small_corpus), "list", "--format", "jsonl")
    assert [rec["id"] for rec in jsonl(r.stdout)] == ["notes.md"]
    r = invoke("freq", "--corpus", str(small_corpus), "--glob", "**/c.txt", "--format", "jsonl", "--top", "0")
    assert {rec["docs"] for rec in jsonl(r.stdout)} == {1}


@pytest.mark.parametrize(
    ("argv", "expected_docs"),
    [
        (["list", "--doc", "su", "--doc", "b"], {"b", "sub/c"}),
        (["grep", "-l", "سطر", "--doc", "b"], {"b"}),
        (["kwic", "الامم", "--doc", "b"], {"b"}),
        (["freq", "--by-doc", "--doc", "a"], {"a"}),
    ],
)
def test_doc_option_restricts_by_prefix(invoke, small_corpus, argv, expected_docs):
    r = invoke(*argv, "--corpus", str(small_corpus), "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    assert {rec.get("doc", rec.get("id")) for rec in jsonl(r.stdout)} == expected_docs


def test_doc_prefix_on_the_seeds(invoke):
    r = invoke("list", "--doc", "003", "--format", "jsonl")
    assert [rec["id"] for rec in jsonl(r.stdout)] == ["003_6b73772203161856"]


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "00"],
        ["list", "--doc", "0"],
        ["grep", "سوريا", "--doc", "00"],
        ["kwic", "سوريا", "--doc", "0"],
        ["freq", "--doc", "00"],
    ],
)
def test_ambiguous_document_lists_candidates(invoke, argv):
    r = invoke(*argv)
    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("corpus: ")
    assert "ambiguous" in lines[0]
    for doc_id in ("000_942301ab0c5a4d11", "001_b0761bee8ed67ba9", "004_b89014a9ba1a7d7b"):
        assert doc_id in lines[0]


@pytest.mark.parametrize("argv", [["show", "999"], ["grep", "x", "--doc", "zz"], ["list", "--doc", "nope"]])
def test_unknown_document_lists_the_documents(invoke, argv):
    r = invoke(*argv)
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("corpus: ")
    assert "unknown" in lines[0] and "003_6b73772203161856" in lines[0]


def test_stdin_document(invoke, small_corpus):
    text = "الأُمَمُ في سطر\nسطر ثان\n"
    r = invoke("grep", "الامم", "--corpus", "-", input=text)
    assert (r.exit_code, r.stdout) == (0, "stdin:1:الأُمَمُ في سطر\n")
    r = invoke("show", "stdin", "-C", "-", input=text)
    assert r.stdout == text
    r = invoke("list", "-C", "-", "--format", "jsonl", input=text)
    assert [(rec["id"], rec["lines"], rec["tokens"]) for rec in jsonl(r.stdout)] == [("stdin", 2, 5)]
    r = invoke("grep", "الامم", "--corpus", "-", "--corpus", str(small_corpus / "b.txt"), input=text)
    assert r.stdout == "stdin:1:الأُمَمُ في سطر\nb:1:إلى الأمم\n"


@pytest.mark.parametrize(
    ("argv", "standard", "none"),
    [
        (["grep", "-c", "الامم"], "a:2\nb:1\n", "a:1\n"),
        (["kwic", "الامم", "--format", "jsonl"], 4, 1),
        (["freq", "الامم", "--format", "jsonl"], 4, 1),
        (["show", "a", "--highlight", "الامم", "--format", "jsonl"], 3, 1),
        (["list", "--format", "jsonl", "--doc", "a"], 19, 21),
    ],
)
def test_norm_option_on_every_command(invoke, small_corpus, argv, standard, none):
    def measure(*extra: str) -> object:
        r = invoke(*argv, *extra, "--corpus", str(small_corpus))
        assert r.exit_code == 0, r.stderr
        if argv[0] == "grep":
            return r.stdout
        records = jsonl(r.stdout)
        if argv[0] == "kwic":
            return len(records)
        if argv[0] == "freq":
            return records[0]["count"]
        if argv[0] == "show":
            return sum(len(rec["matches"]) for rec in records)
        return records[0]["types"]

    assert measure() == standard
    assert measure("--norm", "standard") == standard
    assert measure("--norm", "none") == none
    assert measure("--norm", "NONE") == none


def test_norm_before_the_name(invoke, small_corpus):
    r = invoke("--norm", "none", "grep", "-c", "الامم", "--corpus", str(small_corpus))
    assert r.stdout == "a:1\n"


def test_unknown_norm_level_is_an_error(invoke):
    r = invoke("grep", "x", "--norm", "extreme")
    assert r.exit_code == 2


FORMAT_CASES = [
    ["list"],
    ["show", "a"],
    ["grep", "الامم"],
    ["kwic", "الامم"],
    ["freq", "--top", "3"],
]


@pytest.mark.parametrize("argv", FORMAT_CASES, ids=lambda a: a[0])
@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_format_option_on_every_command(invoke, small_corpus, argv, fmt):
    r = invoke(*argv, "--corpus", str(small_corpus), "--format", fmt)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines
    if fmt == "jsonl":
        assert all(isinstance(json.loads(line), dict) for line in lines)
    elif fmt == "tsv":
        widths = {len(line.split("\t")) for line in lines}
        assert len(widths) == 1 and widths.pop() >= 3
    else:
        rows = list(csv.reader(io.StringIO(r.stdout)))
        assert len({len(row) for row in rows}) == 1 and len(rows[0]) >= 3
        assert "\t" not in r.stdout


@pytest.mark.parametrize("argv", FORMAT_CASES, ids=lambda a: a[0])
def test_format_table_in_a_pipe(invoke, small_corpus, argv):
    r = invoke(*argv, "--corpus", str(small_corpus), "--format", "table")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "\t" not in out and "\x1b[" not in out  # a pipe: drawn without colour
    first = out.splitlines()[0]
    if argv[0] in ("list", "freq"):
        assert first.startswith("┏")
    elif argv[0] == "show":
        assert first.split() == ["a", str(small_corpus / "a.txt")]
    elif argv[0] == "grep":
        assert first == "a"
    else:
        assert any(RLE in line and NBSP in line for line in out.splitlines())


@pytest.mark.parametrize("argv", FORMAT_CASES, ids=lambda a: a[0])
def test_format_tsv_on_a_terminal(invoke, small_corpus, tty, argv):
    r = invoke(*argv, "--corpus", str(small_corpus), "--format", "tsv")
    assert r.exit_code == 0, r.stderr
    assert "\x1b[" not in r.stdout
    assert len({len(line.split("\t")) for line in r.stdout.splitlines()}) == 1
    assert "\t" in r.stdout


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_normalize_formats(invoke, fmt):
    r = invoke("normalize", "--format", fmt, "الأُمَمُ")
    assert "الامم" in r.stdout and r.stdout.count("\n") == (1 if fmt == "jsonl" else 2)


def test_unknown_format_is_an_error(invoke):
    r = invoke("list", "--format", "xml")
    assert r.exit_code == 2


# =========================================================================== errors


def assert_one_error_line(result, *words: str) -> str:
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("corpus: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("pattern", "position"),
    [("a(", 2), ("[ا", 2), ("*ا", 0), ("ا)", 1), ("a{2,1}", 2)],
)
def test_invalid_regex(invoke, pattern, position):
    message = assert_one_error_line(invoke("grep", pattern), "position")
    assert re.search(rf"position {position}\b", message)


@pytest.mark.parametrize(
    "argv",
    [
        ["grep", "-w", "a("],
        ["kwic", "a("],
        ["kwic", "--substring", "a("],
        ["show", "003", "--highlight", "a("],
    ],
)
def test_invalid_regex_position_is_in_the_pattern_as_typed(invoke, argv):
    """The position refers to the user's pattern, not to the word-boundary wrapper."""
    message = assert_one_error_line(invoke(*argv), "position")
    assert re.search(r"position 2\b", message), message


@pytest.mark.parametrize(
    "argv",
    [
        ["grep", "x", "--corpus", "/nonexistent/corpus"],
        ["list", "-C", "/nonexistent/corpus"],
        ["kwic", "x", "-C", "/nonexistent/corpus"],
        ["freq", "-C", "/nonexistent/corpus"],
        ["show", "a", "-C", "/nonexistent/corpus"],
    ],
)
def test_missing_path(invoke, argv):
    assert_one_error_line(invoke(*argv), "/nonexistent/corpus")


def test_missing_path_in_corpus_path(invoke):
    assert_one_error_line(invoke("list", env={"CORPUS_PATH": "/nonexistent/corpus"}), "/nonexistent/corpus")


def test_count_with_files_with_matches(invoke):
    assert_one_error_line(invoke("grep", "-c", "-l", "سوريا"), "-l")


def test_only_matching_with_jsonl(invoke):
    assert_one_error_line(invoke("grep", "-o", "--format", "jsonl", "سوريا"), "jsonl")
    assert invoke("grep", "-o", "--format", "tsv", "سوريا").exit_code == 0


@pytest.mark.parametrize("command", ["grep", "kwic"])
def test_empty_pattern(invoke, command):
    assert_one_error_line(invoke(command, ""), "empty")


@pytest.mark.parametrize("command", ["grep", "kwic"])
@pytest.mark.parametrize("pattern", ["\u064e", "\u064b\u0651", "ـــ"])
def test_pattern_of_only_diacritics_or_tatweel(invoke, command, pattern):
    assert_one_error_line(invoke(command, pattern), "--norm")
    # ... but at --norm none it is a real pattern.
    assert invoke(command, pattern, "--norm", "none").exit_code in (0, 1)


# =========================================================================== colour


def test_no_sgr_in_piped_output_by_default(invoke, small_corpus):
    for argv in (["grep", "الامم"], ["grep", "-c", "الامم"], ["kwic", "الامم"], ["list"], ["freq"]):
        r = invoke(*argv, "--corpus", str(small_corpus))
        assert "\x1b[" not in r.stdout, argv


def test_color_always_in_a_pipe(invoke, small_corpus):
    r = grep(invoke, small_corpus, "الامم", "--color", "always")
    assert "\x1b[1;31mالأُمَمُ\x1b[0m" in r.stdout
    assert plain(r.stdout) == grep(invoke, small_corpus, "الامم").stdout
    r = invoke("--color", "always", "grep", "الامم", "--corpus", str(small_corpus))
    assert "\x1b[" in r.stdout


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_color_always_never_touches_machine_formats(invoke, small_corpus, fmt):
    for argv in (["grep", "الامم"], ["kwic", "الامم"], ["freq"], ["list"]):
        r = invoke(*argv, "--corpus", str(small_corpus), "--format", fmt, "--color", "always")
        assert "\x1b[" not in r.stdout, argv


@pytest.mark.parametrize(
    ("env", "flag", "colored"),
    [
        ({}, None, True),
        ({}, "never", False),
        ({"NO_COLOR": "1"}, None, False),
        ({"NO_COLOR": "1"}, "always", True),
        ({"NO_COLOR": ""}, None, True),
        ({"CLICOLOR": "0"}, None, False),
        ({"TERM": "dumb"}, None, False),
        ({"FORCE_COLOR": "1", "TERM": "dumb"}, None, True),
        ({"FORCE_COLOR": "1"}, "never", False),
    ],
)
def test_color_policy_on_a_terminal(invoke, small_corpus, tty, env, flag, colored):
    args = ["grep", "الامم", "--corpus", str(small_corpus)]
    if flag:
        args += ["--color", flag]
    r = invoke(*args, env=env)
    assert r.exit_code == 0
    assert ("\x1b[" in r.stdout) is colored


@pytest.mark.parametrize(
    ("env", "colored"),
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, False),
        ({"CLICOLOR_FORCE": "1"}, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ({"CLICOLOR": "1"}, False),
    ],
)
def test_color_policy_in_a_pipe(invoke, small_corpus, env, colored):
    r = grep(invoke, small_corpus, "الامم", env=env)
    assert ("\x1b[" in r.stdout) is colored


def test_table_colour_follows_the_policy(invoke, small_corpus, tty):
    assert "\x1b[" in invoke("list", "--corpus", str(small_corpus)).stdout
    assert "\x1b[" not in invoke("list", "--corpus", str(small_corpus), env={"NO_COLOR": "1"}).stdout


# =========================================================================== the Arabic promise


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


def test_kwic_shows_the_original_match(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "الامم", "--format", "jsonl")
    assert "الأُمَمُ" in [rec["match"] for rec in jsonl(r.stdout)]


def test_version(invoke):
    r = invoke("--version")
    assert r.exit_code == 0
    assert re.fullmatch(r"corpus \d+\.\d+\.\d+\S*\n", r.stdout)
