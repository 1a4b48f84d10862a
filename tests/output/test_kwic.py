"""Writing concordance rows (``corpus_cli.output.kwic``)."""

from __future__ import annotations


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
