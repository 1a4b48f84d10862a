"""``corpus kwic``: the concordance, from the index, a scan or the loaded corpus (or Dask)."""

from collections.abc import Generator, Iterable
from contextlib import closing, nullcontext
from typing import Annotated

import typer

from ..application import command
from ..options import (
    MATCH_PANEL,
    OUTPUT_PANEL,
    CliticsOpt,
    Engine,
    EngineOpt,
    ExplainOpt,
    FixedOpt,
    FormatOpt,
    IgnoreCaseOpt,
    NoHeaderOpt,
    PatternArg,
    SchedulerOpt,
    StrictMarksOpt,
    SubstringOpt,
    use_dask,
)
from ..session import Session


@command("kwic", rich_help_panel="Commands", matching=True)
def kwic(
    ctx: typer.Context,
    pattern: PatternArg,
    fixed: FixedOpt = False,
    substring: SubstringOpt = False,
    ignore_case: IgnoreCaseOpt = False,
    clitics: CliticsOpt = None,
    strict_marks: StrictMarksOpt = False,
    explain: ExplainOpt = False,
    max_count: Annotated[
        int | None,
        typer.Option(
            "--max-count",
            "-m",
            min=0,
            metavar="N",
            help="Stop a document after N matching lines.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    width: Annotated[
        int,
        typer.Option(
            "--width",
            min=0,
            metavar="N",
            help="Context: N characters on each side.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 40,
    words: Annotated[
        int | None,
        typer.Option(
            "--words",
            min=0,
            metavar="N",
            help="Context: N words on each side (instead of --width).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", min=0, metavar="N", help="Show at most N lines.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            metavar="KEYS",
            help="Comma-separated, applied in order: position, match, doc, B1-B3 (1st-3rd word "
            "before the match), A1-A3 (after). Words compare in normalized form; the sort is stable.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = "position",
    sample_size: Annotated[
        int | None,
        typer.Option(
            "--sample",
            min=0,
            metavar="N",
            help="A random sample of N lines (see --seed).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            metavar="S",
            help="Seed of --sample: the same seed gives the same lines.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    per_doc: Annotated[
        int | None,
        typer.Option(
            "--per-doc",
            min=0,
            metavar="N",
            help="At most N lines from each document.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    engine: EngineOpt = Engine.memory,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Concordance: every hit of PATTERN with its context (before, match, after).

    Whole words by default. On a terminal the rows stay aligned for right-to-left
    text; in a pipe, tsv columns doc, line, start, end, before, match, after
    (start/end: character offsets into the document), no padding or controls.
    """
    from ...output.kwic import screen_width, write_kwic
    from ...query.kwic import KwicRequest, Line, concordance_lines
    from ...query.pattern import MatchOptions

    session = Session(ctx)
    query = session.query(
        pattern, MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks), explain
    )
    dask = use_dask(engine, scheduler)
    docs = None if dask else session.source.documents_for(query)
    fmt_name = session.table_or(fmt, "tsv")
    request = KwicRequest(
        width=screen_width(width, session.env) if fmt_name == "table" else width,
        words=words,
        limit=limit,
        sort=sort,
        max_count=max_count,
        sample_size=sample_size,
        seed=seed,
        per_doc=per_doc,
    )
    if docs is None:  # the cluster's lines; those still pending are cancelled when we stop
        from ...engines.distributed import kwic_lines

        lines: Iterable[Line] = kwic_lines(session, query, request, scheduler)
    else:
        lines = concordance_lines(docs, query, request, session.normalizer)
    with closing(lines) if isinstance(lines, Generator) else nullcontext():
        found = write_kwic(
            lines,
            session,
            fmt_name=fmt_name,
            width=request.width,
            clitics=query.clitics,
            header=not no_header,
        )
    if not found and dask:
        session.note("0 hits")
    elif not found:
        session.report_zero(pattern, query.options, whole_words=True, asked_none=request.asks_none)
    raise typer.Exit(0 if found else 1)
