"""``corpus grep``: the lines that match, as grep prints them (or counts, -l, -o, context)."""

from contextlib import closing
from typing import TYPE_CHECKING, Annotated

import typer

from ...errors import CorpusError
from ...output.records import GrepFormat
from ..application import command
from ..cql import CqlOpt
from ..morph import (
    AnalysisOpt,
    LemmaOpt,
    Readings,
    ReadingsOpt,
    RootOpt,
    hit_analysis,
    morph_cql,
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
    GrepCorpusOpt,
    GrepFormatOpt,
    IgnoreCaseOpt,
    NoHeaderOpt,
    SchedulerOpt,
    StrictMarksOpt,
    refuse_given,
    use_dask,
)
from ..session import Session

if TYPE_CHECKING:
    from ...output.grep import GrepRequest
    from ...query.kwic import HitAnalysis
    from ...query.pattern import Query


@command("grep", overrides={"corpus": GrepCorpusOpt}, rich_help_panel="Commands", matching=True)
def grep(
    ctx: typer.Context,
    pattern: Annotated[
        str | None,
        typer.Argument(
            metavar="PATTERN",
            help="Regular expression (regex module syntax) matched on normalized text; "
            "'' matches every line.",
            show_default=False,
        ),
    ] = None,
    regexp: Annotated[
        list[str] | None,
        typer.Option(
            "--regexp",
            "-e",
            metavar="PATTERN",
            help="A pattern, in place of PATTERN (repeatable: a line matches if any matches; "
            "for one that starts with -).",
            rich_help_panel=MATCH_PANEL,
            show_default=False,
        ),
    ] = None,
    cql: CqlOpt = None,
    lemma: LemmaOpt = None,
    root: RootOpt = None,
    readings: ReadingsOpt = Readings.first,
    fixed: FixedOpt = False,
    word: Annotated[
        bool,
        typer.Option(
            "--word-regexp",
            "-w",
            help="Whole words only (Arabic-aware: marks are part of words).",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = False,
    ignore_case: IgnoreCaseOpt = False,
    clitics: CliticsOpt = None,
    strict_marks: StrictMarksOpt = False,
    explain: ExplainOpt = False,
    invert: Annotated[
        bool,
        typer.Option(
            "--invert-match", "-v", help="Select lines that do not match.", rich_help_panel=MATCH_PANEL
        ),
    ] = False,
    max_count: Annotated[
        int | None,
        typer.Option(
            "--max-count",
            "-m",
            min=0,
            metavar="N",
            help="Stop a document after N selected lines.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    count: Annotated[
        bool,
        typer.Option(
            "--count",
            "-c",
            help="Print the number of selected lines per document.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    count_matches: Annotated[
        bool,
        typer.Option(
            "--count-matches", help="Print the number of matches per document.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = False,
    files_with_matches: Annotated[
        bool,
        typer.Option(
            "--files-with-matches",
            "-l",
            help="Print only the ids of documents with a match.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    only_matching: Annotated[
        bool,
        typer.Option(
            "--only-matching", "-o", help="Print each match on its own line.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = False,
    after_context: Annotated[
        int | None,
        typer.Option(
            "--after-context",
            "-A",
            min=0,
            metavar="N",
            help="Show N lines after each selected line.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    before_context: Annotated[
        int | None,
        typer.Option(
            "--before-context",
            "-B",
            min=0,
            metavar="N",
            help="Show N lines before each selected line.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    context: Annotated[
        int | None,
        typer.Option(
            "--context",
            "-C",
            min=0,
            metavar="N",
            help="Show N lines before and after.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    line_number: Annotated[
        bool,
        typer.Option(
            "--line-number/--no-line-number", "-n/-N", help="Show line numbers.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = True,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print nothing; exit 0 at the first match.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = False,
    analysis: AnalysisOpt = False,
    engine: EngineOpt = Engine.memory,
    scheduler: SchedulerOpt = None,
    fmt: GrepFormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Print the lines that match PATTERN, like grep, on normalized text.

    In a pipe: doc:line:text (doc:count with -c, doc with -l). On a terminal:
    grouped by document, matches highlighted, long lines cut around the match.
    Exit status: 0 a line was selected, 1 none, 2 an error. With --cql, the lines
    that hold a match of a CQL query (-o: each match, which may span tokens); with
    --lemma/--root, those that hold a token of that lemma or root. --analysis adds
    lemma, root and pos: columns after the others (a line's hits apart by ' | '), in
    plain output after a tab each, in JSON Lines keys of each of "matches".
    """
    from ...output.grep import (
        GrepRequest,
        line_search,
        needs_text,
        run_grep,
        run_grep_positions,
        shows_spans,
    )
    from ...query.pattern import MatchOptions

    if count and files_with_matches:
        raise CorpusError("-c/--count and -l/--files-with-matches cannot be combined")
    if count_matches and files_with_matches:
        raise CorpusError("--count-matches and -l/--files-with-matches cannot be combined")
    if only_matching and fmt is GrepFormat.jsonl:
        raise CorpusError(
            "-o/--only-matching cannot be combined with --format jsonl (its records carry every match)"
        )
    node = None
    if cql is not None or morph_cql(lemma, root) is not None:
        option = "--cql" if cql is not None else "--lemma/--root"
        _refuse_with_cql(
            regexp, fixed, ignore_case, clitics, strict_marks, explain, invert, engine, scheduler, option
        )
        node = node_query("grep", pattern, cql, lemma, root)
    if regexp and pattern is not None:
        raise CorpusError(f"PATTERN '{pattern}' and -e/--regexp: give the patterns one way (several -e)")
    if not regexp and pattern is None and node is None:
        raise CorpusError(
            "missing PATTERN (or -e PATTERN, --cql CQL, --lemma LEMMA, --root ROOT); see 'corpus grep --help'"
        )
    refuse_readings(readings, node)
    if analysis:
        _refuse_with_analysis(
            count, count_matches, files_with_matches, quiet, invert, use_dask(engine, scheduler)
        )
    patterns = regexp or [pattern or ""]
    session = Session(ctx)
    if node is not None:
        from ..cql import stand_in

        query = stand_in(node, session)
    else:
        query = session.query(
            patterns, MatchOptions(fixed, word, ignore_case, clitics, strict_marks), explain
        )
    shape = session.table_or(fmt, "plain")
    request = GrepRequest(
        invert=invert,
        max_count=max_count,
        count_lines=count,
        count_matches=count_matches,
        files_with_matches=files_with_matches,
        only_matching=only_matching,
        before=before_context if before_context is not None else (context or 0),
        after=after_context if after_context is not None else (context or 0),
        line_number=line_number,
        quiet=quiet,
        header=not no_header,
        spans=shows_spans(shape, session.color) or analysis,
        bom=session.bom,
        context=(before_context, after_context, context) != (None, None, None),
    )
    if node is not None:
        morph = None if cql is not None else (lemma, root)
        _grep_cql(session, node, query, request, shape, readings is Readings.any, morph, analysis)
    if use_dask(engine, scheduler):
        from ...engines.distributed import grep_numbers
        from ...output.grep import write_summaries

        numbers = grep_numbers(session, query, request, scheduler)
        with closing(numbers):
            found = write_summaries(numbers, request, shape, session.env, session.color)
        if not found and not request.invert:
            session.note("0 hits")
        raise typer.Exit(0 if found else 1)
    columns = hit_analysis(session) if analysis else None
    # Lines counted or listed, not shown: no text is read, and a substring is answered too.
    lines_only = (count or files_with_matches or quiet) and not count_matches and columns is None
    positional = (
        None
        if invert
        else session.source.layer_hits(query, line_search(request).max_count, lines_only=lines_only)
    )
    if positional is not None:  # hits from positions: only the documents with a selected line are read
        groups, read, _layer = positional
        if columns is not None:
            read = columns.reading(read)
        found = run_grep_positions(groups, read, query, request, shape, session.env, session.color, columns)
    else:
        docs = session.source.documents_for(
            query, invert=invert, search=line_search(request), keep_text=needs_text(request, shape)
        )
        found = run_grep(docs, query, request, shape, session.env, session.color, columns)
    if not found and not quiet and not invert:
        session.report_zero(
            patterns,
            query.options,
            whole_words=False,
            asked_none="--max-count 0" if max_count == 0 else None,
            more=lambda: zero_hints(session, patterns[0]) if len(patterns) == 1 else [],
        )
    raise typer.Exit(0 if found else 1)


def _refuse_with_cql(
    regexp: list[str] | None,
    fixed: bool,
    ignore_case: bool,
    clitics: object,
    strict_marks: bool,
    explain: bool,
    invert: bool,
    engine: Engine,
    scheduler: str | None,
    node: str,
) -> None:
    from ..cql import refuse_pattern_options

    refuse_pattern_options(
        fixed=fixed,
        ignore_case=ignore_case,
        clitics=clitics,
        strict_marks=strict_marks,
        explain=explain,
        more={
            "-e/--regexp": regexp,
            "-v/--invert-match": invert,
            "--engine dask": use_dask(engine, scheduler),
        },
        node=node,
    )


def _refuse_with_analysis(
    count: bool, count_matches: bool, files_with_matches: bool, quiet: bool, invert: bool, dask: bool
) -> None:
    """``--analysis`` is shown beside the hits: not with the options that print none."""
    given: dict[str, object] = {
        "-c/--count": count,
        "--count-matches": count_matches,
        "-l/--files-with-matches": files_with_matches,
        "-q/--quiet": quiet,
        "-v/--invert-match": invert,
        "--engine dask": dask,
    }
    refuse_given("--analysis is shown beside each hit: not with {}", given)


def _grep_cql(
    session: Session,
    cql: str,
    query: "Query",
    request: "GrepRequest",
    shape: str,
    any_reading: bool,
    morph: tuple[str | None, str | None] | None,
    analysis: bool,
) -> None:
    """``grep --cql`` (and ``--lemma``/``--root``, the CQL they stand for: ``morph``, the
    two options' values): the lines that hold a match (-w changes nothing: a match is
    whole tokens), from the matches placed in their lines; only the documents with one
    are read."""
    from ...output.grep import line_search, run_grep_positions
    from ..cql import first_lines, report_few, report_zero, run_cql

    option = "--cql" if morph is None else "--lemma/--root"
    run = run_cql(session, cql, command=f"grep {option}", any_reading=any_reading)
    columns: HitAnalysis | None = hit_analysis(session, run.positional) if analysis else None
    groups = first_lines(run.groups(session), line_search(request).max_count)
    counted = request.summary or request.quiet
    # Matches counted or documents listed, not lines shown: no text is read.
    read = run.positional.heads if counted else run.positional.read
    if columns is not None:
        read = columns.reading(read)
    found = run_grep_positions(groups, read, query, request, shape, session.env, session.color, columns)
    if not found and not request.quiet:
        asked_none = "--max-count 0" if request.max_count == 0 else None
        if morph is None:
            report_zero(session, run, asked_none)
        else:
            report_zero(session, run, asked_none, unit="hits", morph=morph)
    elif found and morph is not None and not request.quiet:
        report_few(session, run, *morph)
    raise typer.Exit(0 if found else 1)
