"""Spreadsheet output (``--format xlsx``): the rows of any command as an Excel workbook.

Excel reads a CSV file without a byte-order mark as the local code page, which turns
Arabic into mojibake; an .xlsx file has no encoding to guess.  xlsxwriter (the ``xlsx``
extra) is imported only when this format is asked for.  Cells are typed: numbers stay
numbers, and corpus text is always a string, never read as a formula or a link.  The
workbook is sent to stdout's binary side once complete (``RowWriter.close``, or the
command's end: ``close_sheets``), so a command that fails writes nothing.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ..errors import CorpusError

#: Rows and characters a cell of a worksheet holds at most (Excel's limits).
MAX_ROWS = 1_048_576
MAX_CELL = 32_767
MISSING = "--format xlsx needs the xlsxwriter package: pip install 'corpus-cli[xlsx]'"


def check_xlsx(stdout_isatty: bool) -> None:
    """Refuse xlsx before any work: to a terminal (binary), or without xlsxwriter."""
    if stdout_isatty:
        raise CorpusError("--format xlsx writes a binary file, not for a terminal: redirect it (> out.xlsx)")
    _xlsxwriter()


def _xlsxwriter() -> Any:
    try:
        import xlsxwriter
    except ImportError:
        raise CorpusError(MISSING) from None
    return xlsxwriter


class Sheet:
    """One worksheet filled row by row, written to ``stream`` by ``close``."""

    def __init__(self, stream: TextIO, columns: Sequence[str], *, header: bool) -> None:
        _open.append(self)
        self.stream = stream
        self.data = io.BytesIO()
        self.book = _xlsxwriter().Workbook(
            self.data, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        self.sheet = self.book.add_worksheet("corpus")
        self.row = 0
        self.cut = 0
        if header:
            bold = self.book.add_format({"bold": True})
            for col, name in enumerate(columns):
                self.sheet.write_string(0, col, name, bold)
            self.sheet.freeze_panes(1, 0)
            self.row = 1

    def write_row(self, values: Sequence[Any]) -> None:
        if self.row >= MAX_ROWS:
            raise CorpusError(f"more rows than a worksheet holds ({MAX_ROWS:,}): use --format csv")
        for col, value in enumerate(values):
            self._cell(col, value)
        self.row += 1

    def _cell(self, col: int, value: Any) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return  # an empty cell, as JSON Lines writes null
        if isinstance(value, bool):
            self.sheet.write_boolean(self.row, col, value)
        elif isinstance(value, (int, float)):
            self.sheet.write_number(self.row, col, value)
        else:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            if len(text) > MAX_CELL:
                text = text[: MAX_CELL - 1] + "…"
                self.cut += 1
            self.sheet.write_string(self.row, col, text)

    def close(self) -> None:
        if self not in _open:
            return  # written already, or dropped
        _open.remove(self)
        self.book.close()
        self.stream.flush()
        self.stream.buffer.write(self.data.getvalue())
        if self.cut:
            sys.stderr.write(
                f"corpus: warning: {self.cut:,} cells cut to {MAX_CELL:,} characters (a cell's limit)\n"
            )


#: The sheets not written yet.
_open: list[Sheet] = []


def close_sheets() -> None:
    """The command is over: write the sheets its rows went to."""
    for sheet in list(_open):
        sheet.close()


def drop_sheets() -> None:
    """The command failed: its sheets are never written."""
    _open.clear()
