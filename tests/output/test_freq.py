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
