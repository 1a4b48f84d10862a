"""freq's output: the frequency table on a screen, records in a pipe."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..query.freq import Counts, FreqRow
from .records import RowWriter, keeps_numbers, tsv_field
from .screen import print_table

if TYPE_CHECKING:
    from .target import Target

DISPERSION = ["range", "juilland_d", "dp", "dp_norm", "arf"]


def _record(row: FreqRow, columns: list[str], fmt: str) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column in columns:
        if column == "forms":
            if fmt == "jsonl":
                record["forms"] = dict(row.forms)
            else:
                record["forms"] = " ".join(f"{form}:{count}" for form, count in row.forms)
        elif column == "by":
            record["by"] = row.doc  # freq --by: the group's value stands where a document would
        elif column in DISPERSION:
            value = getattr(row.dispersion, column) if row.dispersion else None
            if isinstance(value, float):
                value = round(value, 4) if keeps_numbers(fmt) else f"{value:.4f}"
            record[column] = value
        else:
            record[column] = getattr(row, column)
    return record


COLUMNS = ["rank", "term", "key", "count", "per_million", "docs"]
TSV_HEADER = "\t".join(COLUMNS) + "\n"


def ranked_tsv_lines(
    ranked: Iterable[tuple[int, str, str, int, int]], total: int, rates: dict[int, str] | None = None
) -> Iterator[str]:
    """TSV lines (header excluded) of ranked tuples (rank, key, term, count, docs),
    without a record per row: the same bytes as the generic writer, in a fraction of
    its time.  ``rates``: per million by count, kept between calls of one list."""
    per_million = {} if rates is None else rates  # a few thousand distinct counts: format each once
    for rank, key, term, count, docs in ranked:
        if "\\" in term or "\\" in key:  # tokens hold no tab or line end, only a URL a backslash
            term, key = tsv_field(term), tsv_field(key)
        rate = per_million.get(count)
        if rate is None:
            rate = per_million[count] = f"{count * 1_000_000 / total if total else 0.0:.2f}"
        yield f"{rank}\t{term}\t{key}\t{count}\t{rate}\t{docs}\n"


def plain_tsv_lines(rows: Iterable[FreqRow], lead: bool) -> Iterator[str]:
    """TSV lines of rows without forms or dispersion (``lead``: the doc or by column
    first), without a record per row: the generic writer's bytes in a third of its time
    (``freq --by-doc`` writes a row per document and term)."""
    for row in rows:
        rate = row.per_million
        line = (
            f"{tsv_field(row.rank)}\t{tsv_field(row.term)}\t{tsv_field(row.key)}\t{tsv_field(row.count)}\t"
            f"{f'{rate:.2f}' if isinstance(rate, float) else tsv_field(rate)}\t{tsv_field(row.docs)}\n"
        )
        yield f"{tsv_field(row.doc)}\t{line}" if lead else line


def _write_plain_tsv(target: Target, rows: list[FreqRow], columns: list[str], *, header: bool) -> None:
    """``plain_tsv_lines`` written a block at a time; a block that cannot be written as
    UTF-8 (a file name's stray byte) goes through the generic writer, which escapes it."""
    stream = target.stdout
    if target.bom:
        stream.write("\ufeff")
    if header:
        stream.write("\t".join(columns) + "\n")
    lead = columns[0] in ("doc", "by")
    for at in range(0, len(rows), 4096):
        block = rows[at : at + 4096]
        text = "".join(plain_tsv_lines(block, lead))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            writer = RowWriter(stream, "tsv", columns, header=False)
            for row in block:
                writer.write(_record(row, columns, "tsv"))
            continue
        stream.write(text)


def write_tsv_blocks(stream: Any, blocks: Iterable[bytes], *, header: bool, bom: bool = False) -> None:
    """The frequency list as an index keeps it, rendered already (``Index.ranked_tsv``):
    UTF-8 blocks written as they are.  All are read before anything is written: a
    damaged index is then an error with nothing on stdout."""
    blocks = list(blocks)
    binary = getattr(stream, "buffer", None)
    if bom:
        stream.write("\ufeff")
    if header:
        stream.write(TSV_HEADER)
    if binary is not None:
        stream.flush()
    for block in blocks:
        if binary is not None:
            binary.write(block)
        else:
            stream.write(block.decode("utf-8"))


def write_freq(
    target: Target,
    rows: list[FreqRow],
    counts: Counts,
    fmt_name: str,
    no_header: bool,
    *,
    by_doc: bool,
    forms: bool,
    dispersion: bool,
    by: str | None = None,
) -> None:
    """``by``: the metadata field of ``freq --by`` (rows then carry a "by" column)."""
    columns = list(COLUMNS)
    if by is not None:
        columns = ["by", *columns]
    elif by_doc:
        columns = ["doc", *columns]
    if forms:
        columns.append("forms")
    if dispersion:
        columns += DISPERSION
    if fmt_name == "tsv" and not (forms or dispersion):
        _write_plain_tsv(target, rows, columns, header=not no_header)
        return
    if fmt_name != "table":
        writer = RowWriter(target.stdout, fmt_name, columns, header=not no_header, bom=target.bom)
        writer.write_all(_record(row, columns, fmt_name) for row in rows)
        return
    shown = [c for c in columns if c != "key"]
    records = [_record(row, shown, "tsv") for row in rows]
    print_table(
        target.env,
        target.color,
        [by if c == "by" and by else c.replace("_", " ") for c in shown],
        [[rec[c] for c in shown] for rec in records],
        numeric=("rank", "count", "per million", "docs", "range", "juilland d", "dp", "dp norm", "arf"),
        flexible="forms" if forms else "term",
        caption=f"{counts.total:,} tokens, {counts.type_count:,} types, normalization {target.normalization}",
    )
