"""``corpus show``: the document text, highlighting and formats."""

from __future__ import annotations

import csv
import io
import re

from tests.conftest import CLITIC_TEXT, LRM, PAPERS, jsonl, piped, plain, tsv


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


def test_show_a_folder_prints_each_of_its_documents(invoke, papers):
    r = invoke("show", "sabq", "--corpus", str(papers))
    assert (r.exit_code, r.stdout) == (0, "قال الأمير\nوقال الأمير قال\nالأمير\n")
    r = invoke("show", "sabq/", "--corpus", str(papers), "--format", "tsv", "--no-header")
    assert [row[:2] for row in tsv(r.stdout)] == [[i, "1"] for i in PAPERS if i.startswith("sabq/")]
    r = invoke("show", "sabq/2016", "--corpus", str(papers))  # not a folder: a prefix of two
    assert r.exit_code == 2
    assert "ambiguous" in r.stderr and "'sabq/' names all its documents" in r.stderr


def test_cli_show_highlight_with_clitics(invoke):
    r = piped(
        invoke, "show", "stdin", "--highlight", "الأمن", "--clitics", "--format", "jsonl", text=CLITIC_TEXT
    )
    assert r.exit_code == 0, r.stderr
    records = jsonl(r.stdout)
    assert [m["text"] for m in records[0]["matches"]] == ["وللأمن"]
    assert [m["text"] for m in records[3]["matches"]] == ["بالأمن", "للأمن"]
    assert records[1]["matches"] == []
