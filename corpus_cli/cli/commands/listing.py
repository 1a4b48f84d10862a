"""``corpus list`` and ``corpus show``: the documents, and one document's text."""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer

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
    from ...output.listing import Listed, ShownLine
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
    from ...output.listing import write_list
    from ...query.freq import document_stats
    from ...store.corpus import Document

    session = Session(ctx)
    fmt_name = session.table_or(fmt, "tsv")
    index = session.source.index if session.source.whole_corpus else None
    listed: Iterator[Listed]
    if index is not None:
        # One document at a time from the index, its text dropped once measured: memory
        # stays flat whatever the corpus size (a screen table keeps the rows alone).
        total_tokens, total_types = int(index.meta["tokens"]), int(index.meta["types"])
        fields = index.fields
        listed = (
            (Document(doc_id, path, text), tokens, types, meta)
            for doc_id, path, text, tokens, types, meta in index.listing()
        )
        write_list(
            session, listed, fields, fmt_name, no_header, total_tokens=total_tokens, total_types=total_types
        )
        return
    docs = session.source.corpus.documents
    stats, total_tokens, total_types = document_stats(docs, session.normalizer)
    listed = ((d, stats[d.id].tokens, stats[d.id].types, d.meta) for d in docs)
    write_list(
        session,
        listed,
        (field for d in docs for field in d.meta),
        fmt_name,
        no_header,
        total_tokens=total_tokens,
        total_types=total_types,
    )


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
    from ...output.listing import write_show
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

    def lines(doc: "Document") -> Iterator["ShownLine"]:
        budget = query.budget() if query else None  # the whole document's
        for n, line in enumerate(doc.split_lines(), 1):
            yield n, line, tuple(line_hits(line, query, budget)) if query else ()

    write_show(session, docs, lines, fmt_name, no_header, highlighted=query is not None)
