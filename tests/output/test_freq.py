"""Writing frequency rows (``corpus_cli.output.freq``)."""

from __future__ import annotations


def test_ranked_tsv_writes_what_the_row_writer_writes():
    """The index's fast frequency list: same bytes as the generic writer, escapes too."""
    import io

    from corpus_cli.output.freq import COLUMNS, TSV_HEADER, ranked_tsv_lines
    from corpus_cli.output.records import RowWriter

    ranked = [(1, "في", "في", 30, 9), (2, "http://a\\b", "http://a\\b", 7, 2), (3, "إلى", "الى", 7, 1)]
    fast, generic = io.StringIO(), io.StringIO()
    fast.write(TSV_HEADER + "".join(ranked_tsv_lines(ranked, 44)))
    writer = RowWriter(generic, "tsv", COLUMNS)
    for rank, key, term, count, docs in ranked:
        writer.write(dict(zip(COLUMNS, (rank, term, key, count, count * 1_000_000 / 44, docs), strict=True)))
    assert fast.getvalue() == generic.getvalue()
    assert "http://a\\\\b" in fast.getvalue()


def test_plain_rows_write_what_the_row_writer_writes():
    """``freq --by-doc``'s many rows: the block writer's bytes are the generic writer's,
    escapes, empty ranks, a stray byte of a file name and the BOM too."""
    import io
    from types import SimpleNamespace

    from corpus_cli.output.freq import COLUMNS, _record, write_freq
    from corpus_cli.output.records import RowWriter
    from corpus_cli.query.freq import Counts, FreqRow

    rows = [
        FreqRow(1, "في", "في", 30, 1234.5678, 9, "a\tb"),
        FreqRow(None, "http://a\\b", "http://a\\b", 0, 0.0, 0, "c"),
        FreqRow(2, "إلى", "الى", 7, 1e6, 1, "caf\udce9"),  # a Latin-1 file name's byte
    ] * 3000
    for lead, columns in (("doc", ["doc", *COLUMNS]), ("by", ["by", *COLUMNS])):
        for header, bom in ((True, False), (False, True)):
            fast, generic = io.StringIO(), io.StringIO()
            target = SimpleNamespace(stdout=fast, bom=bom)
            write_freq(
                target,
                rows,
                Counts(),
                "tsv",
                not header,
                by_doc=True,
                forms=False,
                dispersion=False,
                by="source" if lead == "by" else None,
            )
            writer = RowWriter(generic, "tsv", columns, header=header, bom=bom)
            writer.write_all(_record(row, columns, "tsv") for row in rows)
            assert fast.getvalue() == generic.getvalue()
    assert "a\\tb\t1\tفي" in fast.getvalue() and "caf\\\\xe9" in fast.getvalue()
