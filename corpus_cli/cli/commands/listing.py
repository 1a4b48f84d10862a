"""``corpus list`` and ``corpus show``: the documents, and one document's text."""

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...output.records import ROW_FORMATS
from ..application import command
from ..options import (
    MATCH_PANEL,
    CliticsOpt,
    ExplainOpt,
    FixedOpt,
    FormatOpt,
    GrepFormatOpt,
    IgnoreCaseOpt,
    NoHeaderOpt,
    StrictMarksOpt,
)
from ..session import Session

if TYPE_CHECKING:
    from ...store.corpus import Document


@command("list", rich_help_panel="Commands")
def list_(
    ctx: typer.Context,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """List the documents: id, title, characters, tokens, types, lines.

    Documents read from records add their metadata: one column per field (jsonl: a
    "meta" object).
    """
    from ...output.screen import print_table
    from ...query.freq import document_stats
    from ...store.corpus import Document

    session = Session(ctx)
    fmt_name = session.table_or(fmt, "tsv")
    base = ["id", "path", "title", "chars", "tokens", "types", "lines"]
    index = session.source.index if session.source.whole_corpus else None
    if index is not None:
        # One document at a time from the index, its text dropped once measured: memory
        # stays flat whatever the corpus size (a screen table keeps the rows alone).
        total_tokens, total_types = int(index.meta["tokens"]), int(index.meta["types"])
        meta = _meta_columns(index.fields, base)
        listed = (
            _with_meta(_list_row(Document(doc_id, path, text), tokens, types), fields, meta, fmt_name)
            for doc_id, path, text, tokens, types, fields in index.listing()
        )
        if fmt_name != "table":
            _write_rows(session, fmt_name, [*base, *meta.values()], listed, no_header)
            return
        rows = list(listed)
    else:
        docs = session.source.corpus.documents
        stats, total_tokens, total_types = document_stats(docs, session.normalizer)
        meta = _meta_columns((field for d in docs for field in d.meta), base)
        rows = [
            _with_meta(_list_row(d, stats[d.id].tokens, stats[d.id].types), d.meta, meta, fmt_name)
            for d in docs
        ]
    if fmt_name == "table":
        columns = ["id", "title", "chars", "tokens", "types", "lines"]
        footer = [
            f"{len(rows):,} documents",
            "",
            sum(r["chars"] for r in rows),
            total_tokens,
            total_types,
            sum(r["lines"] for r in rows),
        ]
        cells = [[r[c] for c in columns] for r in rows]
        shown, caption = _screen_meta(session.env.columns, columns, cells, footer, rows, list(meta.values()))
        for i, row in enumerate(rows):
            cells[i] += [_cut(row[c], 20) for c in shown]
        print_table(
            session.env,
            session.color,
            columns + shown,
            cells,
            numeric=("chars", "tokens", "types", "lines"),
            flexible="title",
            footer=footer + [""] * len(shown),
            caption=caption,
        )
        return
    _write_rows(session, fmt_name, [*base, *meta.values()], rows, no_header)


def _list_row(doc: "Document", tokens: int, types: int) -> dict[str, Any]:
    return {
        "id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "chars": len(doc.text),
        "tokens": tokens,
        "types": types,
        "lines": doc.line_count,
    }


def _meta_columns(fields: Iterable[str], taken: list[str]) -> dict[str, str]:
    """Metadata field → its column: every field of any document, sorted; ``meta.FIELD``
    when the name is already a column."""
    return {f: f"meta.{f}" if f in taken else f for f in sorted(set(fields))}


def _with_meta(
    row: dict[str, Any], fields: dict[str, str], meta: dict[str, str], fmt_name: str
) -> dict[str, Any]:
    """``row`` with a document's metadata: a cell per column of ``meta``, or (jsonl) a
    "meta" object when the corpus has any."""
    if fmt_name != "jsonl":
        row.update({column: fields.get(field) for field, column in meta.items()})
    elif meta:
        row["meta"] = fields
    return row


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
    from ...output.screen import cell_width

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


def _write_rows(
    session: Session,
    fmt_name: str,
    columns: list[str],
    rows: Iterable[dict[str, Any]],
    no_header: bool = False,
) -> int:
    from ...output.records import RowWriter

    writer = RowWriter(session.stdout, fmt_name, columns, header=not no_header, bom=session.bom)
    return writer.write_all(rows)


# --------------------------------------------------------------------------- show


@command(
    "show",
    shared=("corpus", "glob", "text_field", "id_field", "encoding", "norm", "fold", "keep", "color", "index"),
    rich_help_panel="Commands",
    matching=True,
)
def show(
    ctx: typer.Context,
    document: Annotated[
        str,
        typer.Argument(
            metavar="DOC", help="Document id, unique prefix, or folder (DIR/: all its documents)."
        ),
    ],
    highlight: Annotated[
        str | None,
        typer.Option(
            "--highlight",
            metavar="PATTERN",
            help="Highlight the matches of PATTERN.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    fixed: FixedOpt = False,
    word: Annotated[
        bool, typer.Option("--word-regexp", "-w", help="Whole words only.", rich_help_panel=MATCH_PANEL)
    ] = False,
    ignore_case: IgnoreCaseOpt = False,
    clitics: CliticsOpt = None,
    strict_marks: StrictMarksOpt = False,
    explain: ExplainOpt = False,
    fmt: GrepFormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Print a document's original text, with the matches of --highlight marked.

    In a pipe the text is written exactly as loaded; --format tsv/csv/jsonl give one
    record per line (jsonl with the match offsets, as grep). A folder (aawsat/)
    prints each of its documents in turn.
    """
    from ...query.pattern import MatchOptions
    from ...query.search import line_hits

    session = Session(ctx)
    docs = session.source.corpus.matching(document)
    query = (
        session.query(highlight, MatchOptions(fixed, word, ignore_case, clitics, strict_marks), explain)
        if highlight
        else None
    )
    fmt_name = session.table_or(fmt, "plain")
    out = session.stdout
    if fmt_name == "plain" and query is None:
        for number, doc in enumerate(docs, 1):
            out.write(doc.text)  # exactly as loaded, like cat
            if number < len(docs) and doc.text and not doc.text.endswith("\n"):
                out.write("\n")  # the next document starts on a line of its own
        return

    def records(doc: "Document") -> Iterator[dict[str, Any]]:
        budget = query.budget() if query else None  # the whole document's
        for n, line in enumerate(doc.split_lines(), 1):
            yield _line_record(doc.id, n, line, tuple(line_hits(line, query, budget)) if query else ())

    if fmt_name in ROW_FORMATS:
        columns = ["doc", "line", "text"] if fmt_name != "jsonl" else []
        _write_rows(session, fmt_name, columns, (r for doc in docs for r in records(doc)), no_header)
        return
    from ...output.screen import HEADING, LINE_NO, paint
    from ...output.screen import highlight as paint_spans

    use_color = session.color
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


def _line_record(
    doc_id: str, line_no: int, text: str, hits: Iterable[tuple[tuple[int, int], Any]]
) -> dict[str, Any]:
    matches = []
    for (start, end), split in hits:
        match: dict[str, Any] = {"start": start, "end": end, "text": text[start:end]}
        if split is not None:
            match["clitics"] = split.as_dict()
        matches.append(match)
    return {"doc": doc_id, "line": line_no, "text": text, "matches": matches}
