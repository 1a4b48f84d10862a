"""Writing concordance rows (``corpus_cli.output.kwic``)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from corpus_cli.query.kwic import Line


def test_kwic_row_isolates_hold_against_bidi_controls_in_the_text() -> None:
    """A PDI in the text would close the row's isolate, an RLI or RLO would swallow the
    rest of the row: the screen drops such controls from what it isolates."""
    from corpus_cli.output.screen import LRM, PDF, PDI, RLE, RLI, isolate, kwic_row

    hostile = "\u2069\u202e\u2067\u202a\u2066\u2068\u202c\u202b\u202d"
    before, after = f"قال {hostile}الرئيس", f"{hostile}المتحدة {hostile}"
    row = kwic_row("d:1 ", before, f"الأمم{hostile}", after, 20, False)
    body = row[len("d:1 ") :]
    assert body.startswith(RLE) and body.endswith(PDF + LRM)
    controls = [c for c in body if c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]
    assert controls == [RLE, RLI, PDI, RLI, PDI, PDF]  # the row's own, balanced
    assert isolate(f"الأمم{hostile}") == f"{RLI}الأمم{PDI}"


def _lines(ids: list[str]) -> list[Line]:
    from corpus_cli.query.search import Hit
    from corpus_cli.store.corpus import Document

    lines = []
    for number, doc_id in enumerate(ids):
        doc = Document(doc_id, f"{doc_id}.txt", "قال وزير الخارجية اليوم")
        lines.append(Line(Hit(doc, number + 1, 4, 8), f"قال {number}", "وزير", "الخارجية\\"))
    return lines


def _target() -> SimpleNamespace:
    return SimpleNamespace(env=SimpleNamespace(stdout=io.StringIO()), bom=False)


def test_tsv_rows_are_the_row_writers_rows() -> None:
    """Rows made at once, more than ``ROWS_AT_ONCE`` of them, are those ``RowWriter``
    writes, ids to escape (a tab, a line end, a backslash) and ids that are not UTF-8 (a
    lone surrogate) among them."""
    from corpus_cli.output.kwic import COLUMNS, ROWS_AT_ONCE, write_kwic
    from corpus_cli.output.records import RowWriter

    ids = [f"okaz/{n}" for n in range(ROWS_AT_ONCE + 10)]
    ids[5], ids[ROWS_AT_ONCE], ids[ROWS_AT_ONCE + 1] = "a\tb", "c\nd\\e", "f\udcff"
    lines = _lines(ids)
    target = _target()
    assert write_kwic(lines, target, fmt_name="tsv", width=40, clitics=False, header=True)  # type: ignore[arg-type]
    expected = io.StringIO()
    writer = RowWriter(expected, "tsv", COLUMNS)
    for line in lines:
        hit = line.hit
        values = (hit.doc.id, hit.line_no, hit.start, hit.end, line.before, line.match, line.after)
        writer.write(dict(zip(COLUMNS, values, strict=True)))
    written = target.env.stdout.getvalue()
    assert written == expected.getvalue()
    rows = written.splitlines()
    assert rows[0] == "doc\tline\tstart\tend\tbefore\tmatch\tafter"
    assert rows[1] == "okaz/0\t1\t4\t8\tقال 0\tوزير\tالخارجية\\\\"
    assert rows[6] == "a\\tb\t6\t4\t8\tقال 5\tوزير\tالخارجية\\\\"
    assert rows[ROWS_AT_ONCE + 1] == "c\\nd\\\\e\t65\t4\t8\tقال 64\tوزير\tالخارجية\\\\"
    assert rows[ROWS_AT_ONCE + 2].startswith("f\\\\xff\t66\t")  # terminal.utf8's escape, escaped
    assert len(rows) == len(ids) + 1


def test_tsv_rows_made_before_a_failure_are_written() -> None:
    """A failure while the next line is made (a damaged index) finds every row before
    it written, as when each row went out alone."""
    from corpus_cli.output.kwic import write_kwic

    def failing() -> Iterator[Line]:
        yield from _lines(["a", "b", "c"])
        raise OSError("damaged")

    target = _target()
    with pytest.raises(OSError, match="damaged"):
        write_kwic(failing(), target, fmt_name="tsv", width=40, clitics=False, header=False)  # type: ignore[arg-type]
    assert [row.split("\t")[0] for row in target.env.stdout.getvalue().splitlines()] == ["a", "b", "c"]
