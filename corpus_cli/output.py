"""Machine output: TSV, CSV and JSON Lines, written row by row (and xlsx, see
:mod:`corpus_cli.spreadsheet`).

These writers are the hot data path, so they use nothing but ``str`` and ``json``:
no colour, no padding, no bidi controls.  TSV escapes tab, newline, carriage return and
backslash as ``\\t \\n \\r \\\\`` so one record is always one line.  ``--bom`` starts
TSV and CSV with U+FEFF, which tells Excel they are UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any, TextIO


class Format(str, Enum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    jsonl = "jsonl"
    xlsx = "xlsx"


class GrepFormat(str, Enum):
    """grep also has ``plain``: ``doc:line:text``, the default in a pipe."""

    plain = "plain"
    table = "table"
    tsv = "tsv"
    csv = "csv"
    jsonl = "jsonl"
    xlsx = "xlsx"


#: The formats ``RowWriter`` writes.
ROW_FORMATS = ("tsv", "csv", "jsonl", "xlsx")


def keeps_numbers(fmt: str) -> bool:
    """Does ``fmt`` keep a float a number (JSON, a spreadsheet)?  TSV and CSV print
    it with the decimals a reader needs."""
    return fmt in ("jsonl", "xlsx")


def check_bom(fmt: str, bom: bool) -> None:
    if bom and fmt not in ("tsv", "csv"):
        from .errors import CorpusError

        raise CorpusError(f"--bom is for tsv and csv output, not {fmt}: add --format csv (or tsv)")


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def tsv_field(value: Any) -> str:
    kind = value.__class__
    if kind is str:
        # Most fields hold nothing to escape: a search is 4× cheaper than translate.
        return value.translate(_TSV_ESCAPES) if _NEEDS_ESCAPE.search(value) else value  # type: ignore[no-any-return]
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    return text.translate(_TSV_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def csv_field(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else value


def _finite(value: Any) -> Any:
    """JSON has no Infinity or NaN: such a float is written as null."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return value


def json_line(record: Mapping[str, Any]) -> str:
    import json  # imported on use: plain output should not pay for it

    record = {k: _finite(v) for k, v in record.items()}
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


class RowWriter:
    """Writes records (dicts) as TSV, CSV, JSON Lines or xlsx to a text stream;
    ``close`` ends the output (an xlsx workbook is written then)."""

    def __init__(
        self, stream: TextIO, fmt: str, columns: Sequence[str], *, header: bool = True, bom: bool = False
    ) -> None:
        self.stream = stream
        self.fmt = fmt
        self.columns = list(columns)
        self._csv = None
        self._sheet = None
        if fmt == "xlsx":
            from .spreadsheet import Sheet

            self._sheet = Sheet(stream, self.columns, header=header)
            return
        check_bom(fmt, bom)
        if bom:
            stream.write("\ufeff")
        if fmt == "csv":
            import csv

            self._csv = csv.writer(stream, lineterminator="\n")
        if header:
            self._write_header()

    def _write_header(self) -> None:
        if self.fmt == "tsv":
            self.stream.write("\t".join(self.columns) + "\n")
        elif self._csv is not None:
            self._csv.writerow(self.columns)

    def write(self, record: Mapping[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.stream.write(json_line(record) + "\n")
        elif self.fmt == "tsv":
            self.stream.write("\t".join(tsv_field(record.get(c)) for c in self.columns) + "\n")
        elif self._csv is not None:
            self._csv.writerow([csv_field(record.get(c)) for c in self.columns])
        elif self._sheet is not None:
            self._sheet.write_row([record.get(c) for c in self.columns])
        else:  # pragma: no cover - guarded by the callers
            raise ValueError(f"not a row format: {self.fmt}")

    def write_all(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Write every record and end the output; the number of records."""
        n = 0
        for record in records:
            self.write(record)
            n += 1
        self.close()
        return n

    def close(self) -> None:
        if self._sheet is not None:
            self._sheet.close()
            self._sheet = None
