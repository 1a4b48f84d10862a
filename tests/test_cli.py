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
import math
import os
import re
import unicodedata
from pathlib import Path

import pytest

from corpus_cli.output.screen import cell_width

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


def test_ids_reach_a_terminal_escaped(invoke, tmp_path, tty):
    """A file name holding ESC sequences or C1 controls cannot act on the terminal: only
    the tool's colours are escape sequences, the name's controls are shown as escapes."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "t\x1b]0;PWNED\x07\u009b2J.txt").write_text("الأمم\n", encoding="utf-8")
    for args in (["grep", "الامم"], ["grep", "-c", "الامم"], ["kwic", "الامم"], ["show", "t\x1b]0;PWNED"]):
        r = invoke(*args, "--corpus", str(corpus))
        out = SGR.sub("", r.stdout + r.stderr)
        assert "\x1b" not in out and "\x07" not in out and "\u009b" not in out, (args, out)
        assert "\\x1b]0;PWNED" in out, (args, out)


def test_counts_on_screen_have_thousands_separators(invoke, tmp_path, tty):
    """Every count a person reads, as the numbers of the tables: 1,200, never 1200."""
    feed = tmp_path / "feed.jsonl"
    lines = [json.dumps({"text": "وللأمن"}, ensure_ascii=False)] * 1200 + ["not json"] * 1010
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = ("--corpus", str(feed))
    r = invoke("list", *corpus)
    assert "1,200 documents" in plain(r.stdout)
    assert "1,005 more bad records" in r.stderr  # the first five are named one by one
    assert "1,200 lines" in plain(invoke("kwic", "--clitics", "الأمن", *corpus).stdout)
    assert "0 hits; 1,200 with --clitics" in invoke("grep", "-w", "الأمن", *corpus).stderr
    assert invoke("index", "build", *corpus).exit_code == 0
    status = invoke("index", "status", *corpus).stdout
    assert "documents: 1,200\n" in status and "tokens: 1,200\n" in status


def test_shard_counts_have_thousands_separators(invoke, tmp_path):
    pytest.importorskip("fsspec")
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(1001):
        (folder / f"{i}.txt").write_text("نص", encoding="utf-8")
    r = invoke("shard", str(folder), str(tmp_path / "shards"), "--format", "jsonl")
    assert r.exit_code == 0 and "corpus: 1,001 documents in 1 shards" in r.stderr


def test_list_keeps_empty_documents_and_skips_binary_with_a_warning(invoke, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\t\n")
    (tmp_path / "bom.txt").write_bytes("\ufeffالأمم\rسطر\r".encode())
    (tmp_path / "bin.txt").write_bytes(b"abc\x00def")
    (tmp_path / "latin1.txt").write_bytes("Le café est déjà très chaud.".encode("latin-1"))
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


#: Ids as a newspaper corpus has them: a folder and a date, the same first 12 characters.
NEWS_IDS = ["alweeam/2015-07-22_01644", "alweeam/2015-07-22_01645", "alweeam/2015-07-23_00012"]


@pytest.fixture
def news_corpus(tmp_path: Path) -> Path:
    for doc_id in NEWS_IDS:
        path = tmp_path / "news" / f"{doc_id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("قالت الوزارة إن الأمم المتحدة تجتمع\n", encoding="utf-8")
    return tmp_path / "news"


def kwic_labels(stdout: str) -> list[str]:
    """The document label of each kwic screen row (before ``:line``)."""
    rows = [plain(row) for row in stdout.splitlines() if RLE in row]
    return [row.split(" ", 1)[0].rpartition(":")[0] for row in rows]


def test_kwic_screen_shows_whole_ids_when_they_fit(invoke, news_corpus, tty):
    r = kwic(invoke, news_corpus, "الامم", "--color", "never", env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.stderr
    assert kwic_labels(r.stdout) == NEWS_IDS
    assert all(cell_width(plain(row)) <= 80 for row in r.stdout.splitlines())


def test_kwic_screen_cuts_ids_to_an_end_that_names_one_document(invoke, news_corpus, tty):
    r = kwic(invoke, news_corpus, "الامم", "--color", "never", env={"COLUMNS": "60"})
    assert r.exit_code == 0, r.stderr
    labels = kwic_labels(r.stdout)
    assert len(labels) == 3 and len(set(labels)) == 3
    for label, doc_id in zip(labels, NEWS_IDS, strict=True):
        assert label.startswith(ELLIPSIS) and cell_width(label) <= 12
        assert [i for i in NEWS_IDS if i.endswith(label[1:])] == [doc_id]


def test_id_labels_never_name_two_ids():
    from corpus_cli.output.screen import id_labels

    assert id_labels(["a", "sub/c"], 12) == {"a": "a", "sub/c": "sub/c"}
    ids = [*NEWS_IDS, "alyaum/2015-07-22_01644", "2015-07-22_01644", "okaz/2015-08-01_00001"]
    for room in range(1, 30):
        labels = id_labels(ids, room)
        for doc_id, label in labels.items():
            if label == doc_id:
                continue  # whole: it fits, or no end of it that fits names it alone
            assert label.startswith(ELLIPSIS) and cell_width(label) <= room
            assert [i for i in ids if i.endswith(label[1:])] == [doc_id]
        fits = [i for i in ids if cell_width(i) <= room]
        assert all(labels[i] == i for i in fits)
    # an id that ends another cannot be cut, nor can the other below it
    assert id_labels(["alyaum/2015-07-22_01644", "2015-07-22_01644"], 10) == {
        "alyaum/2015-07-22_01644": "alyaum/2015-07-22_01644",
        "2015-07-22_01644": "2015-07-22_01644",
    }


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


#: The commands whose help ends with examples.
EXAMPLE_COMMANDS = [
    ("list",),
    ("show",),
    ("grep",),
    ("kwic",),
    ("freq",),
    ("normalize",),
    ("dispersion",),
    ("collocates",),
    ("keywords",),
    ("shard",),
    ("index", "build"),
]


def help_examples(invoke) -> dict[tuple[str, ...], list[str]]:
    """Every command's path → the command lines its --help shows as examples."""
    from typer.core import TyperGroup
    from typer.main import get_command

    from corpus_cli.cli.application import app

    def walk(command, path):
        yield path
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                yield from walk(sub, (*path, name))

    found = {}
    for path in walk(get_command(app), ()):
        text = plain(invoke(*path, "--help").stdout)
        found[path] = [m.group(1) for m in re.finditer(r"^ *\$ (corpus .*?) *$", text, re.MULTILINE)]
    return found


def test_every_example_of_every_help_runs(invoke, tmp_path, monkeypatch):
    """Run as written, on the bundled seeds (CORPUS_PATH, for the examples that name the
    corpus), each exits 0 or 1, never 2; the main commands have two or more each."""
    import importlib.util
    import shlex

    seeds = str(Path(__file__).resolve().parent.parent / "seeds")
    monkeypatch.setenv("CORPUS_PATH", seeds)
    monkeypatch.chdir(tmp_path)  # what the examples write (--svg, shards) goes here
    examples = help_examples(invoke)
    for path in EXAMPLE_COMMANDS:
        assert len(examples[path]) >= 2, path
    parquet = all(importlib.util.find_spec(m) for m in ("fsspec", "pyarrow"))
    ran, failed = 0, []
    for line in (line for lines in examples.values() for line in lines):
        if line.startswith("corpus shard") and not parquet:
            continue  # an extra: pip install 'corpus-cli[dask]'
        argv = [os.path.expandvars(arg) for arg in shlex.split(line)[1:]]
        r = invoke(*argv, env={"CORPUS_PATH": seeds})
        ran += 1
        if r.exit_code not in (0, 1) or "internal error" in r.stderr:
            failed.append(f"{line}: exit {r.exit_code}: {r.stderr.strip()}")
    assert not failed, "\n".join(failed)
    assert ran >= 2 * len(EXAMPLE_COMMANDS) - (0 if parquet else 2)


def test_index_output_option_says_what_each_command_does_with_dir(invoke):
    assert "Write the index into DIR" in help_text(invoke("index", "build", "--help").stdout)
    for name in ("status", "drop"):
        text = help_text(invoke("index", name, "--help").stdout)
        assert "Write the index" not in text, name
        assert "The index that 'index build -o DIR' wrote into DIR" in text, name


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


#: Two newspapers as folders of dated articles, as saudinewsnet is.
PAPERS = {
    "okaz/2015-07-21_1": "قال الوزير\n",
    "sabq/2015-07-21_1": "قال الأمير\n",
    "sabq/2016-01-02_2": "وقال الأمير قال",
    "sabq/2016-01-03_3": "الأمير\n",
}


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    for name, text in PAPERS.items():
        (tmp_path / f"{name}.txt").parent.mkdir(exist_ok=True)
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("folder", ["sabq", "sabq/"])
@pytest.mark.parametrize(
    "argv",
    [["list"], ["grep", "-l", "الامير"], ["kwic", "الامير"], ["freq", "--by-doc", "--top", "1"]],
)
def test_a_folder_names_all_its_documents(invoke, papers, argv, folder):
    r = invoke(*argv, "--corpus", str(papers), "--doc", folder, "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    named = {rec.get("doc", rec.get("id")) for rec in jsonl(r.stdout)}
    assert named == {i for i in PAPERS if i.startswith("sabq/")}


def test_show_a_folder_prints_each_of_its_documents(invoke, papers):
    r = invoke("show", "sabq", "--corpus", str(papers))
    assert (r.exit_code, r.stdout) == (0, "قال الأمير\nوقال الأمير قال\nالأمير\n")
    r = invoke("show", "sabq/", "--corpus", str(papers), "--format", "tsv", "--no-header")
    assert [row[:2] for row in tsv(r.stdout)] == [[i, "1"] for i in PAPERS if i.startswith("sabq/")]
    r = invoke("show", "sabq/2016", "--corpus", str(papers))  # not a folder: a prefix of two
    assert r.exit_code == 2
    assert "ambiguous" in r.stderr and "'sabq/' names all its documents" in r.stderr


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


# =========================================================================== spreadsheets

XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_xlsx(data: bytes) -> list[list[object]]:
    """The cells of an .xlsx file's first sheet, row by row: str, float, or None (empty).

    Read with zipfile and ElementTree alone, so that what Excel reads is checked, not
    what a library that could share xlsxwriter's mistakes reads."""
    import xml.etree.ElementTree as ET
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            strings = ET.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{XLSX_NS}t")) for si in strings]
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{XLSX_NS}row"):
        cells: dict[int, object] = {}
        for cell in row.iter(f"{XLSX_NS}c"):
            letters = re.match(r"[A-Z]+", cell.get("r", "")).group()
            column = 0
            for letter in letters:
                column = column * 26 + ord(letter) - 64
            assert cell.find(f"{XLSX_NS}f") is None  # never a formula
            kind, value = cell.get("t"), cell.find(f"{XLSX_NS}v")
            if kind == "inlineStr":
                cells[column - 1] = "".join(t.text or "" for t in cell.iter(f"{XLSX_NS}t"))
            elif kind == "s":
                cells[column - 1] = shared[int(value.text)]
            else:
                assert kind is None and value is not None, (kind, cell.get("r"))
                cells[column - 1] = float(value.text)
        rows.append([cells.get(i) for i in range(max(cells) + 1)] if cells else [])
    return rows


XLSX_CASES = [
    ["list"],
    ["show", "a"],
    ["grep", "الامم"],
    ["grep", "-c", "الامم"],
    ["grep", "-o", "الامم"],
    ["kwic", "الامم"],
    ["freq", "--top", "5", "--dispersion"],
    ["dispersion", "الامم"],
    ["collocates", "الامم", "--min-freq", "1", "--top", "5"],
    ["keywords", "--target", "a", "--min-count", "1", "--top", "5"],
]


def same_cell(xlsx: object, text: str) -> bool:
    """An xlsx cell holds what the tsv field says: the same text, or the same number
    (tsv prints floats with 2 or 4 decimals)."""
    if xlsx is None:
        return text == ""
    if isinstance(xlsx, float):
        decimals = len(text.partition(".")[2])
        return math.isclose(xlsx, float(text), abs_tol=0.6 * 10**-decimals, rel_tol=1e-3)
    return xlsx == text


@pytest.mark.parametrize("argv", XLSX_CASES, ids=lambda a: " ".join(a[:2]))
def test_xlsx_holds_the_tsv_rows_with_numbers_as_numbers(invoke, small_corpus, argv):
    pytest.importorskip("xlsxwriter")
    args = [*argv, "--corpus", str(small_corpus)]
    r = invoke(*args, "--format", "xlsx")
    assert r.exit_code == 0, r.stderr
    assert r.stdout_bytes.startswith(b"PK\x03\x04")  # a zip: the whole output is the workbook
    sheet = read_xlsx(r.stdout_bytes)
    rows = tsv(invoke(*args, "--format", "tsv").stdout)
    assert len(sheet) == len(rows) > 1
    assert sheet[0] == rows[0]
    numbers = 0
    for cells, fields in zip(sheet[1:], rows[1:], strict=True):
        cells += [None] * (len(fields) - len(cells))  # empty cells at the end of a row
        assert all(same_cell(c, f) for c, f in zip(cells, fields, strict=True)), (cells, fields)
        numbers += sum(isinstance(c, float) for c in cells)
    assert numbers  # counts, lines, offsets, scores: numbers, not text


def test_xlsx_arabic_text_and_counts(invoke, small_corpus):
    pytest.importorskip("xlsxwriter")
    r = invoke("freq", "--corpus", str(small_corpus), "--top", "1", "--format", "xlsx", "--no-header")
    assert r.exit_code == 0, r.stderr
    listed = jsonl(invoke("list", "--corpus", str(small_corpus), "--format", "jsonl").stdout)
    per_million = 4e6 / sum(rec["tokens"] for rec in listed)
    assert read_xlsx(r.stdout_bytes) == [[1.0, "الأمم", "الامم", 4.0, pytest.approx(per_million), 2.0]]


def test_xlsx_text_is_never_a_formula_or_a_link(invoke, tmp_path):
    pytest.importorskip("xlsxwriter")
    (tmp_path / "f.txt").write_text('=HYPERLINK("http://x.test") الأمم\nhttps://x.test الأمم\n')
    r = invoke("grep", "الامم", "--corpus", str(tmp_path / "f.txt"), "--format", "xlsx")
    assert r.exit_code == 0, r.stderr
    sheet = read_xlsx(r.stdout_bytes)  # asserts that no cell is a formula
    assert [row[2] for row in sheet[1:]] == ['=HYPERLINK("http://x.test") الأمم', "https://x.test الأمم"]
    import zipfile

    parts = zipfile.ZipFile(io.BytesIO(r.stdout_bytes)).namelist()
    assert not [n for n in parts if "worksheets/_rels" in n]  # no hyperlinks


def test_xlsx_rows_are_written_when_the_command_ends_well():
    """A writer its command leaves open still reaches stdout (exit 0 or 1), and a failed
    command writes no workbook."""
    pytest.importorskip("xlsxwriter")
    import typer

    from corpus_cli.cli.application import _for_format
    from corpus_cli.output.records import RowWriter

    def command(out: io.TextIOWrapper, code: int) -> None:
        RowWriter(out, "xlsx", ["doc", "hits"]).write({"doc": "أ/1", "hits": 3})
        raise typer.Exit(code)

    for code, written in ((0, True), (1, True), (2, False)):
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with pytest.raises(typer.Exit):
            _for_format(command, "xlsx")(out, code)
        out.flush()
        data = out.buffer.getvalue()
        assert (read_xlsx(data) if written else data) == ([["doc", "hits"], ["أ/1", 3.0]] if written else b"")


def test_xlsx_is_not_written_to_a_terminal(invoke, small_corpus, tty):
    r = invoke("freq", "--corpus", str(small_corpus), "--format", "xlsx")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith("corpus: --format xlsx") and "redirect" in r.stderr


def test_xlsx_without_xlsxwriter_says_how_to_install_it(invoke, small_corpus, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "xlsxwriter", None)  # import xlsxwriter: ImportError
    for argv in (["kwic", "الامم", "--corpus", str(small_corpus)], ["normalize", "الأمم"]):
        r = invoke(*argv, "--format", "xlsx")
        assert r.exit_code == 2
        assert r.stdout == ""
        assert r.stderr == (
            "corpus: --format xlsx needs the xlsxwriter package: pip install 'corpus-cli[xlsx]'\n"
        )


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_bom_starts_csv_and_tsv(invoke, small_corpus, fmt):
    argvs = (["freq", "--top", "2"], ["grep", "-c", "الامم"], ["kwic", "الامم"], ["list"])
    for argv in (*argvs, ["dispersion", "الامم", "--by", "folder"]):
        plain_out = invoke(*argv, "--corpus", str(small_corpus), "--format", fmt).stdout
        r = invoke(*argv, "--corpus", str(small_corpus), "--format", fmt, "--bom")
        assert r.exit_code == 0, r.stderr
        assert r.stdout_bytes.startswith("\ufeff".encode())
        assert r.stdout == "\ufeff" + plain_out
    assert invoke("normalize", "--format", fmt, "--bom", "الأمم").stdout.startswith("\ufeffinput")


def test_xlsx_of_dispersion_by_a_field_keeps_its_measures_as_numbers(invoke, small_corpus):
    pytest.importorskip("xlsxwriter")
    r = invoke("dispersion", "الامم", "--by", "folder", "--corpus", str(small_corpus), "--format", "xlsx")
    assert r.exit_code == 0, r.stderr
    rows = read_xlsx(r.stdout_bytes)
    header, summary = rows[0], rows[-1]
    assert summary[0] == "(all)"
    assert all(isinstance(summary[header.index(name)], float) for name in ("juilland_d", "dp", "arf"))


def test_bom_with_the_frequency_list_of_an_index(invoke, small_corpus):
    assert invoke("index", "build", "--corpus", str(small_corpus)).exit_code == 0
    r = invoke("freq", "--corpus", str(small_corpus), "--bom")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("\ufeffrank\tterm\t")


@pytest.mark.parametrize(
    "argv", [["freq", "--format", "jsonl"], ["grep", "الامم"], ["kwic", "الامم", "--format", "table"]]
)
def test_bom_is_for_tsv_and_csv_only(invoke, small_corpus, argv):
    r = invoke(*argv, "--corpus", str(small_corpus), "--bom")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith("corpus: --bom is for tsv and csv output")


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


@pytest.mark.parametrize(
    ("argv", "helped"),
    [
        (["index", "build", "--no-such"], "corpus index build"),
        (["index", "status", "--no-such"], "corpus index status"),
        (["index", "--no-such"], "corpus index"),
        (["grep", "--no-such", "x"], "corpus grep"),
        (["--no-such"], "corpus"),
    ],
)
def test_a_usage_error_names_the_help_of_the_whole_command(argv, helped, monkeypatch, capsys):
    """The entry point's one line names the command as typed, nested groups included."""
    from corpus_cli.cli.application import main

    monkeypatch.setattr("sys.argv", ["corpus", *argv])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("corpus: No such option: --no-such") and err.endswith(f"; see '{helped} --help'\n")


def test_count_with_files_with_matches(invoke):
    assert_one_error_line(invoke("grep", "-c", "-l", "سوريا"), "-l")


def test_only_matching_with_jsonl(invoke):
    assert_one_error_line(invoke("grep", "-o", "--format", "jsonl", "سوريا"), "jsonl")
    assert invoke("grep", "-o", "--format", "tsv", "سوريا").exit_code == 0


def test_empty_pattern_is_an_error_for_kwic(invoke):
    assert_one_error_line(invoke("kwic", ""), "empty")


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
