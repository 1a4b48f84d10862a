"""``corpus kwic``: the concordance, from the index, a scan or the loaded corpus (or Dask)."""

from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing, nullcontext
from typing import TYPE_CHECKING, Annotated

import typer

from ...errors import CorpusError
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

if TYPE_CHECKING:
    from ...query.kwic import KwicRequest
    from ...query.pattern import Query
    from ...query.search import DocumentHits, Hit
    from ...store.corpus import Document
    from ...store.layer import TokenLayer


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
    clusters: Annotated[
        int | None,
        typer.Option(
            "--clusters",
            min=2,
            max=5,
            metavar="N",
            help="Instead of the lines, the most frequent sequences of N words (2-5) that hold a hit, "
            "as freq --ngram N counts them (never across a line end or sentence-ending punctuation): "
            "columns cluster, key, count (the hits it is around), docs. --limit N: the first N; "
            "--max-count, --per-doc and --sample choose the hits.",
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
    With --clusters N: the most frequent N-word sequences around the hits instead
    (AntConc's clusters).
    """
    from ...output.kwic import screen_width, write_kwic
    from ...query.kwic import KwicRequest, Line, concordance_lines, positional_concordance
    from ...query.pattern import MatchOptions

    session = Session(ctx)
    query = session.query(
        pattern, MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks), explain
    )
    dask = use_dask(engine, scheduler)
    if clusters is not None and dask:
        raise CorpusError("--clusters is counted in this process: leave out --engine dask")
    positional = None if dask else _positional(session, query, max_count, flowing=limit is None)
    docs = None if dask or positional is not None else session.source.documents_for(query)
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
    if clusters is not None:
        _clusters(
            session, pattern, query, request, clusters, positional, docs, fmt_name, header=not no_header
        )
    if positional is not None:  # hits from positions: only the documents of the lines shown are read
        groups, read, _ = positional
        lines: Iterable[Line] = positional_concordance(groups, read, request, session.normalizer)
    elif docs is None:  # the cluster's lines; those still pending are cancelled when we stop
        from ...engines.distributed import kwic_lines

        lines = kwic_lines(session, query, request, scheduler)
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


#: The hits of the token layer, how to read their documents, and the layer.
Placed = tuple["Iterator[DocumentHits]", "Callable[[Iterable[int]], Iterator[Document]]", "TokenLayer"]


def _positional(session: Session, query: "Query", max_count: int | None, *, flowing: bool) -> Placed | None:
    """The hits of ``query`` from the index's token layer and how to read their
    documents, or None: no layer, or a query it cannot answer exactly (a phrase, a
    regular expression, a substring), which the text then answers."""
    from ...query.positions import single_token
    from ...query.search import positional_hits

    if not single_token(query):  # asked first: the layer is not even opened
        return None
    positional = session.source.positional(tracked=True)
    if positional is None:
        return None
    groups = positional_hits(positional.layer, query, selected=positional.selected, max_count=max_count)
    if groups is None:
        return None
    settle = session.held.settle if flowing and session.held is not None else None
    return session.source.tracked(groups, settle), positional.read, positional.layer


def _clusters(
    session: Session,
    pattern: str,
    query: "Query",
    request: "KwicRequest",
    size: int,
    positional: Placed | None,
    docs: "Iterable[Document] | None",
    fmt_name: str,
    *,
    header: bool,
) -> None:
    """``kwic --clusters``: from the token layer when it answers (no document read),
    else around the hits found in the text."""
    from ...output.kwic import write_clusters
    from ...query.clusters import clusters_of_hits, clusters_of_positions
    from ...query.kwic import chosen_groups, hits_per_document, parse_sort, sample
    from ...query.search import iter_hits

    parse_sort(request.sort)
    normalizer = session.normalizer
    if positional is not None:
        groups, _, layer = positional
        chosen = chosen_groups(groups, request.per_doc, request.sample_size, request.seed)
        rows, hits = clusters_of_positions(layer, chosen, size, normalizer, request.limit)
    else:
        assert docs is not None
        found: Iterable[Hit] = iter_hits(docs, query, max_count=request.max_count)
        if request.per_doc is not None:
            found = hits_per_document(found, request.per_doc)
        if request.sample_size is not None:
            found = sample(found, request.sample_size, request.seed)
        rows, hits = clusters_of_hits(found, size, normalizer, request.limit)
    shown = write_clusters(rows, session, fmt_name=fmt_name, header=header, hits=hits, size=size)
    if not shown and (hits == 0 or request.asks_none):
        session.report_zero(pattern, query.options, whole_words=True, asked_none=request.asks_none)
    elif not shown:
        session.note(f"0 clusters of {size} words around the {hits:,} hits")
    raise typer.Exit(0 if shown else 1)
