"""The output of ``list`` (documents, with their metadata columns) and ``show`` (one
document's text, or a record per line).

Rich is imported only when a table is drawn (``screen.print_table``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .records import ROW_FORMATS, RowWriter

if TYPE_CHECKING:
    from ..store.corpus import Document
    from .target import Target

#: The columns of ``list`` before the metadata's.
LIST_COLUMNS = ["id", "path", "title", "chars", "tokens", "types", "lines"]

#: What ``list`` is given per document: the document, its tokens and types, its metadata.
Listed = tuple["Document", int, int, Mapping[str, str]]

#: What ``show`` is given per line of a document: its number, its text, and its hits
#: (span, clitic split or None) as ``query.search.line_hits`` yields them.
ShownLine = tuple[int, str, Iterable[tuple[tuple[int, int], Any]]]


# --------------------------------------------------------------------------- list


def list_row(doc: Document, tokens: int, types: int) -> dict[str, Any]:
    """The base columns of a document's row."""
    return {
        "id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "chars": len(doc.text),
        "tokens": tokens,
        "types": types,
        "lines": doc.line_count,
    }


def meta_columns(fields: Iterable[str], taken: list[str]) -> dict[str, str]:
    """Metadata field → its column: every field of any document, sorted; ``meta.FIELD``
    when the name is already a column."""
    return {f: f"meta.{f}" if f in taken else f for f in sorted(set(fields))}


def with_meta(
    row: dict[str, Any], fields: Mapping[str, str], meta: dict[str, str], fmt_name: str
) -> dict[str, Any]:
    """``row`` with a document's metadata: a cell per column of ``meta``, or (jsonl) a
    "meta" object when the corpus has any."""
    if fmt_name != "jsonl":
        row.update({column: fields.get(field) for field, column in meta.items()})
    elif meta:
        row["meta"] = fields
    return row


def write_list(
    target: Target,
    listed: Iterable[Listed],
    fields: Iterable[str],
    fmt_name: str,
    no_header: bool,
    *,
    total_tokens: int,
    total_types: int,
) -> None:
    """``list``: a row per document of ``listed`` (read once; in a pipe, each row is
    written as it comes), a column per metadata field of ``fields``.  On a screen, a
    table with totals (``total_tokens``, ``total_types``) and the metadata columns that fit."""
    meta = meta_columns(fields, LIST_COLUMNS)
    rows = (
        with_meta(list_row(doc, tokens, types), values, meta, fmt_name)
        for doc, tokens, types, values in listed
    )
    if fmt_name != "table":
        write_rows(target, fmt_name, [*LIST_COLUMNS, *meta.values()], rows, no_header)
        return
    from .screen import print_table

    kept = list(rows)
    columns = ["id", "title", "chars", "tokens", "types", "lines"]
    footer = [
        f"{len(kept):,} documents",
        "",
        sum(r["chars"] for r in kept),
        total_tokens,
        total_types,
        sum(r["lines"] for r in kept),
    ]
    cells = [[r[c] for c in columns] for r in kept]
    shown, caption = _screen_meta(target.env.columns, columns, cells, footer, kept, list(meta.values()))
    for i, row in enumerate(kept):
        cells[i] += [_cut(row[c], 20) for c in shown]
    print_table(
        target.env,
        target.color,
        columns + shown,
        cells,
        numeric=("chars", "tokens", "types", "lines"),
        flexible="title",
        footer=footer + [""] * len(shown),
        caption=caption,
    )


def _screen_meta(
    room: int,
    columns: list[str],
    cells: list[list[Any]],
    footer: list[Any],
    rows: list[dict[str, Any]],
    meta: list[str],
) -> tuple[list[str], str | None]:
    """The metadata columns that fit on the screen beside the others (the title keeps
    12 cells), and a caption naming those left out."""
    from .screen import cell_width

    def width(values: list[Any]) -> int:
        return max(cell_width(f"{v:,}" if isinstance(v, int) else str(v)) for v in values) + 3

    others = [
        width([column, foot, *(cell[i] for cell in cells)])
        for i, (column, foot) in enumerate(zip(columns, footer, strict=True))
        if column != "title"
    ]
    used = 1 + 3 + 12 + sum(others)  # the last border, and the title's padding and room
    shown = []
    for column in meta:
        need = width([column, *(_cut(r[column], 20) for r in rows)])
        if used + need > room:
            break
        shown.append(column)
        used += need
    left = meta[len(shown) :]
    caption = f"not shown: {', '.join(left)} (see --format tsv)" if left else None
    return shown, caption


def _cut(value: Any, width: int) -> Any:
    """A metadata cell on screen: one line, at most ``width`` characters."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def write_rows(
    target: Target,
    fmt_name: str,
    columns: list[str],
    rows: Iterable[Mapping[str, Any]],
    no_header: bool = False,
) -> int:
    """``rows`` as records of ``fmt_name``; the number written."""
    writer = RowWriter(target.stdout, fmt_name, columns, header=not no_header, bom=target.bom)
    return writer.write_all(rows)


# --------------------------------------------------------------------------- show


def line_record(
    doc_id: str, line_no: int, text: str, hits: Iterable[tuple[tuple[int, int], Any]]
) -> dict[str, Any]:
    """One line of a document as ``show`` writes it: doc, line, text and its matches
    (offsets in the line, the text matched, the clitic split when there is one)."""
    matches = []
    for (start, end), split in hits:
        match: dict[str, Any] = {"start": start, "end": end, "text": text[start:end]}
        if split is not None:
            match["clitics"] = split.as_dict()
        matches.append(match)
    return {"doc": doc_id, "line": line_no, "text": text, "matches": matches}


def write_show(
    target: Target,
    docs: Sequence[Document],
    lines: Callable[[Document], Iterable[ShownLine]],
    fmt_name: str,
    no_header: bool,
    *,
    highlighted: bool,
) -> None:
    """``show``: each document of ``docs`` in turn.  "plain" without ``highlighted``:
    the text exactly as loaded (like cat); rows: a record per line (``lines`` gives
    them with their hits); "plain" highlighted: the lines with the hits marked;
    "table": a heading per document and numbered lines."""
    out = target.stdout
    if fmt_name == "plain" and not highlighted:
        for number, doc in enumerate(docs, 1):
            out.write(doc.text)  # exactly as loaded, like cat
            if number < len(docs) and doc.text and not doc.text.endswith("\n"):
                out.write("\n")  # the next document starts on a line of its own
        return

    def records(doc: Document) -> Iterator[dict[str, Any]]:
        for n, line, hits in lines(doc):
            yield line_record(doc.id, n, line, hits)

    if fmt_name in ROW_FORMATS:
        columns = ["doc", "line", "text"] if fmt_name != "jsonl" else []
        write_rows(target, fmt_name, columns, (r for doc in docs for r in records(doc)), no_header)
        return
    from .screen import HEADING, LINE_NO, paint
    from .screen import highlight as paint_spans

    use_color = target.color
    for number, doc in enumerate(docs):
        if fmt_name != "table":  # plain with --highlight
            for record in records(doc):
                spans = [(m["start"], m["end"]) for m in record["matches"]]
                out.write(paint_spans(record["text"], spans, use_color) + "\n")
            continue
        out.write(("\n" if number else "") + paint(f"{doc.id}", HEADING, use_color) + f"  {doc.path}\n")
        width = len(str(doc.line_count))
        for record in records(doc):
            spans = [(m["start"], m["end"]) for m in record["matches"]]
            line_no = paint(str(record["line"]).rjust(width), LINE_NO, use_color)
            out.write(f"{line_no}\u200e  {paint_spans(record['text'], spans, use_color)}\n")
