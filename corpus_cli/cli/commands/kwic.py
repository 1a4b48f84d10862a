"""``corpus kwic``: the concordance, from the index, a scan or the loaded corpus (or Dask)."""

from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing, nullcontext
from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer

from ...errors import CorpusError
from ..application import command
from ..cql import CqlOpt, refuse_pattern_options, report_few, report_zero, run_cql
from ..morph import (
    AnalysisOpt,
    LemmaOpt,
    Readings,
    ReadingsOpt,
    RootOpt,
    hit_analysis,
    node_query,
    refuse_readings,
    zero_hints,
)
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
    LimitOpt,
    NoHeaderOpt,
    PatternOrCqlArg,
    PerDocOpt,
    SampleOpt,
    SchedulerOpt,
    SeedOpt,
    SortOpt,
    StrictMarksOpt,
    SubstringOpt,
    WidthOpt,
    Within,
    WithinOpt,
    WordsOpt,
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
    pattern: PatternOrCqlArg = None,
    cql: CqlOpt = None,
    lemma: LemmaOpt = None,
    root: RootOpt = None,
    readings: ReadingsOpt = Readings.first,
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
    width: WidthOpt = 40,
    words: WordsOpt = None,
    limit: LimitOpt = None,
    sort: SortOpt = "position",
    sample_size: SampleOpt = None,
    seed: SeedOpt = None,
    per_doc: PerDocOpt = None,
    analysis: AnalysisOpt = False,
    within: WithinOpt = Within.doc,
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
    (AntConc's clusters). With --cql, the matches of a CQL query (as corpus
    query shows them) instead of PATTERN's hits; with --lemma/--root, the tokens
    of that lemma or root (as --cql '\\[lemma="..."%l]'). --analysis adds the
    columns lemma, root and pos (JSON keys of the same names) after the others.
    """
    from ...output.kwic import screen_width, write_kwic
    from ...query.kwic import KwicRequest, Line, concordance_lines, positional_concordance
    from ...query.pattern import MatchOptions

    node = node_query("kwic", pattern, cql, lemma, root)
    session = Session(ctx)
    dask = use_dask(engine, scheduler)
    text_hits: Iterable[Hit] | None = None
    if clusters is not None and dask:
        raise CorpusError("--clusters is counted in this process: leave out --engine dask")
    if analysis and (clusters is not None or dask):
        raise CorpusError("--analysis shows each hit's line: not with --clusters or --engine dask")
    refuse_readings(readings, node)
    few: Callable[[], None] | None = None  # what a few hits say (--lemma, --root: report_few)
    answered = None  # the token layer that answered --cql/--lemma/--root
    if node is not None:
        option = "--cql" if cql is not None else "--lemma/--root"
        refuse_pattern_options(
            fixed=fixed,
            substring=substring,
            ignore_case=ignore_case,
            clitics=clitics,
            strict_marks=strict_marks,
            explain=explain,
            more={"--engine dask": dask},
            node=option,
        )
        from ..cql import first_lines, stand_in

        sort_first(sort)
        run = run_cql(session, node, command=f"kwic {option}", any_reading=readings is Readings.any)
        answered = run.positional
        query = stand_in(node, session)
        groups = first_lines(run.groups(session), max_count)
        positional: Placed | None = (groups, run.positional.read, run.layer)
        if clusters is not None and any(match.last != match.first for match in run.matches):
            text_hits = _text_hits(groups, run.positional.read)  # clusters around the whole match

        def zero(asked_none: str | None) -> None:
            if cql is not None:
                report_zero(session, run, asked_none)
            else:
                report_zero(session, run, asked_none, unit="hits", morph=(lemma, root))

        if cql is None:
            few = partial(report_few, session, run, lemma, root)

    else:
        assert pattern is not None
        query = session.query(
            pattern, MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks), explain
        )
        positional = (
            None
            if dask
            else session.source.layer_hits(query, max_count, flowing=limit is None, inside=clusters is None)
        )

        def zero(asked_none: str | None) -> None:
            assert pattern is not None
            session.report_zero(
                pattern,
                query.options,
                whole_words=True,
                asked_none=asked_none,
                more=lambda: zero_hints(session, pattern),
            )

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
        within_line=within is Within.line,
    )
    if clusters is not None:
        _clusters(
            session,
            zero,
            query,
            request,
            clusters,
            positional,
            docs,
            fmt_name,
            text_hits,
            header=not no_header,
        )
    columns = hit_analysis(session, answered) if analysis else None
    if positional is not None:  # hits from positions: only the documents of the lines shown are read
        groups, read, _ = positional
        if columns is not None:
            read = columns.reading(read)
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
            analysis=columns,
        )
    if not found and dask:
        session.note("0 hits")
    elif not found:
        zero(request.asks_none)
    elif few is not None:
        few()
    raise typer.Exit(0 if found else 1)


#: The hits of the token layer, how to read their documents, and the layer.
Placed = tuple["Iterator[DocumentHits]", "Callable[[Iterable[int]], Iterator[Document]]", "TokenLayer"]


def _text_hits(
    groups: "Iterable[DocumentHits]", read: "Callable[[Iterable[int]], Iterator[Document]]"
) -> "Iterator[Hit]":
    """The hits of the token layer as hits in the text of their documents (read here)."""
    from ...query.search import Hit, with_documents

    for doc, group in with_documents(groups, read):
        for hit in group.hits:
            yield Hit(doc, hit.line_no, hit.start, hit.end)


def sort_first(keys: str) -> None:
    """An unknown --sort key fails before any search."""
    from ...query.kwic import parse_sort

    parse_sort(keys)


def _clusters(
    session: Session,
    zero: "Callable[[str | None], None]",
    query: "Query",
    request: "KwicRequest",
    size: int,
    positional: Placed | None,
    docs: "Iterable[Document] | None",
    fmt_name: str,
    text_hits: "Iterable[Hit] | None" = None,
    *,
    header: bool,
) -> None:
    """``kwic --clusters``: from the token layer when it answers (no document read),
    else around the hits found in the text (or ``text_hits``, the matches of ``--cql`` that
    span several tokens, placed in their documents); ``zero`` reports no hit."""
    from ...output.kwic import write_clusters
    from ...query.clusters import clusters_of_hits, clusters_of_positions
    from ...query.kwic import chosen_groups, hits_per_document, parse_sort, sample
    from ...query.search import iter_hits

    parse_sort(request.sort)
    normalizer = session.normalizer
    if positional is not None and text_hits is None:
        groups, _, layer = positional
        chosen = chosen_groups(groups, request.per_doc, request.sample_size, request.seed)
        rows, hits = clusters_of_positions(layer, chosen, size, normalizer, request.limit)
    else:
        if text_hits is None:
            assert docs is not None
            text_hits = iter_hits(docs, query, max_count=request.max_count)
        found: Iterable[Hit] = text_hits
        if request.per_doc is not None:
            found = hits_per_document(found, request.per_doc)
        if request.sample_size is not None:
            found = sample(found, request.sample_size, request.seed)
        rows, hits = clusters_of_hits(found, size, normalizer, request.limit)
    shown = write_clusters(rows, session, fmt_name=fmt_name, header=header, hits=hits, size=size)
    if not shown and (hits == 0 or request.asks_none):
        zero(request.asks_none)
    elif not shown:
        session.note(f"0 clusters of {size} words around the {hits:,} hits")
    raise typer.Exit(0 if shown else 1)
