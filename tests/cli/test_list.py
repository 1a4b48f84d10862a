"""``corpus list``: rows per document, metadata columns and the table."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from corpus_cli.output.screen import cell_width
from tests.conftest import ELLIPSIS, jsonl, plain, records, tsv


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


def test_list_tsv_has_metadata_columns(invoke, news: Path) -> None:
    r = invoke("list", "--corpus", str(news), "--format", "tsv")
    assert r.exit_code == 0
    rows = tsv(r.stdout)
    base = ["id", "path", "title", "chars", "tokens", "types", "lines"]
    # union of the fields, sorted, after the usual columns; a clash gets "meta."
    assert rows[0] == [*base, "date", "meta.id", "ok", "pages", "source", "meta.title"]
    table = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert list(table) == ["feed:1", "feed:2", "feed:4", "more:1", "more:2", "plain"]
    assert table["feed:4"]["pages"] == "3" and table["feed:4"]["source"] == "alyaum"
    assert table["more:1"]["meta.title"] == "عنوان" and table["more:1"]["title"] == "الأمم في مصر"
    assert table["plain"]["source"] == ""
    assert "feed.jsonl:3" in r.stderr


def test_list_csv_and_jsonl_metadata(invoke, news: Path) -> None:
    r = invoke("list", "--corpus", str(news), "--format", "csv")
    header, *rows = list(csv.reader(io.StringIO(r.stdout)))
    assert header[-1] == "meta.title" and len(rows) == 6
    recs = records(invoke("list", "--corpus", str(news), "--format", "jsonl").stdout)
    assert recs[0]["meta"] == {"id": "n1", "source": "alyaum", "date": "2015-01-01"}
    assert recs[-1]["meta"] == {}
    assert set(recs[0]) == {"id", "path", "title", "chars", "tokens", "types", "lines", "meta"}


def test_list_without_metadata_is_unchanged(invoke, small_corpus: Path) -> None:
    r = invoke("list", "--corpus", str(small_corpus), "--format", "jsonl")
    assert all("meta" not in rec for rec in records(r.stdout))
    assert invoke("list", "--corpus", str(small_corpus)).stdout.splitlines()[0].split("\t")[-1] == "lines"


def test_list_table_shows_metadata_that_fits(invoke, news: Path, tty) -> None:
    wide = invoke("list", "--corpus", str(news), "--color", "never", env={"COLUMNS": "200"}).stdout
    assert "source" in wide and "alyaum" in wide and "not shown" not in wide
    narrow = invoke("list", "--corpus", str(news), "--color", "never", env={"COLUMNS": "90"}).stdout
    assert "not shown:" in narrow and "--format tsv" in narrow
