"""Machine output: TSV, CSV and JSON Lines, written row by row (and xlsx, see
:mod:`corpus_cli.output.spreadsheet`).

These writers are the hot data path, so they use nothing but ``str`` and ``json``:
no colour, no padding, no bidi controls.  TSV escapes tab, newline, carriage return and
backslash as ``\\t \\n \\r \\\\`` so one record is always one line.  ``--bom`` starts
TSV and CSV with U+FEFF, which tells Excel they are UTF-8.  Every format stays valid
UTF-8: each byte of a file name that is not is written ``\\xff``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any, TextIO

from .terminal import utf8


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
        from ..errors import CorpusError

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


def _encodable(text: str) -> bool:
    """Can ``text`` be written as UTF-8?  Not when it holds a lone surrogate: a byte of a
    file name that is not UTF-8 (``os.fsdecode``'s escape).  Encoding is the fastest test."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _utf8_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` with its names that are not UTF-8 escaped (``terminal.utf8``)."""
    return {k: utf8(v) if isinstance(v, str) else v for k, v in record.items()}


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
            line = json_line(record)
            if not _encodable(line):
                line = json_line(_utf8_record(record))
            self.stream.write(line + "\n")
        elif self.fmt == "tsv":
            line = "\t".join(tsv_field(record.get(c)) for c in self.columns)
            if not _encodable(line):
                record = _utf8_record(record)
                line = "\t".join(tsv_field(record.get(c)) for c in self.columns)
            self.stream.write(line + "\n")
        elif self._csv is not None:
            row = [csv_field(record.get(c)) for c in self.columns]
            if not all(_encodable(v) for v in row if isinstance(v, str)):
                row = [utf8(v) if isinstance(v, str) else v for v in row]
            self._csv.writerow(row)
        elif self._sheet is not None:
            cells = [record.get(c) for c in self.columns]
            self._sheet.write_row([utf8(v) if isinstance(v, str) else v for v in cells])
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
