"""The analyst's commands: ``dispersion``, ``collocates`` and ``keywords``.

Registered on ``application.app`` when ``cli.load`` imports it (for its commands, or ``--help``).
"""

from typing import TYPE_CHECKING, Annotated

import typer

from ...errors import CorpusError
from ..application import command
from ..options import (
    MATCH_PANEL,
    OUTPUT_PANEL,
    CliticsOpt,
    ExplainOpt,
    FixedOpt,
    FormatOpt,
    IgnoreCaseOpt,
    NoHeaderOpt,
    PatternArg,
    StrictMarksOpt,
    SubstringOpt,
)
from ..session import Session

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ...store.corpus import Document

TopOpt = Annotated[
    int,
    typer.Option(
        "--top", min=0, metavar="N", help="Show the N best rows (0 = all).", rich_help_panel=OUTPUT_PANEL
    ),
]
StopwordsOpt = Annotated[
    str | None,
    typer.Option(
        "--stopwords",
        metavar="FILE",
        help="Leave out function words: 'builtin' or a file, one word per line.",
        rich_help_panel=MATCH_PANEL,
        show_default=False,
    ),
]


# --------------------------------------------------------------------------- dispersion


@command("dispersion", rich_help_panel="Analysis", matching=True)
def dispersion_command(
    ctx: typer.Context,
    pattern: PatternArg,
    fixed: FixedOpt = False,
    substring: SubstringOpt = False,
    ignore_case: IgnoreCaseOpt = False,
    clitics: CliticsOpt = None,
    strict_marks: StrictMarksOpt = False,
    explain: ExplainOpt = False,
    svg: Annotated[
        str | None,
        typer.Option(
            "--svg",
            metavar="FILE",
            help="Also save the plot as an SVG picture.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Plot every document, also those without a hit (on a terminal and in --svg).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    by_field: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            help="One row per value of FIELD (metadata, or folder, date, year, month from the ids), "
            "the measures taken over these groups as the parts.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Where PATTERN occurs in each document, and how evenly it spreads.

    On a terminal, one strip per document with a hit, a mark at each hit (like
    AntConc's concordance plot), with counts, per million, a line for the documents
    without a hit (--all plots them too) and, below, range, Juilland's D, Gries'
    DP/DPnorm and ARF over all the documents (real sizes). In a pipe, one row per
    document and a last row "(all)" that carries the measures. With --by, a row per
    group of documents (a paper's folder, a year) and the measures over the groups.
    """
    from ...output.analysis import write_dispersion, write_dispersion_by, write_dispersion_svg
    from ...query.analysis import dispersion_by, hit_dispersion, total_hits
    from ...query.pattern import MatchOptions

    session = Session(ctx)
    query = session.query(
        pattern, MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks), explain
    )
    if by_field is not None and (svg or every):
        raise CorpusError("--by gives a table of groups: it cannot be combined with --svg or --all")
    result = hit_dispersion(session.source.corpus.documents, query)
    found = total_hits(result) > 0
    if by_field is not None:
        by = dispersion_by(result, by_field, session.warn)
        write_dispersion_by(session, pattern, by, by_field, session.table_or(fmt, "tsv"), no_header)
        raise typer.Exit(0 if found else 1)
    if svg:
        write_dispersion_svg(svg, pattern, result, session.normalization, every)
    write_dispersion(session, pattern, result, session.table_or(fmt, "tsv"), no_header, every=every)
    raise typer.Exit(0 if found else 1)


# --------------------------------------------------------------------------- collocates


@command("collocates", rich_help_panel="Analysis", matching=True)
def collocates_command(
    ctx: typer.Context,
    pattern: PatternArg,
    window: Annotated[
        int,
        typer.Option(
            "--window", min=0, metavar="N", help="N words on each side.", rich_help_panel=MATCH_PANEL
        ),
    ] = 5,
    left: Annotated[
        int | None,
        typer.Option(
            "--left",
            min=0,
            metavar="L",
            help="L words before (overrides --window).",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    right: Annotated[
        int | None,
        typer.Option(
            "--right",
            min=0,
            metavar="R",
            help="R words after (overrides --window).",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    measure: Annotated[
        str,
        typer.Option(
            "--measure",
            metavar="NAME",
            help="mi, mi3, t, z, logdice, g2 or dice.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = "logdice",
    min_freq: Annotated[
        int,
        typer.Option(
            "--min-freq",
            min=1,
            metavar="N",
            help="Only collocates seen N+ times near the node.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 2,
    top: TopOpt = 20,
    stopwords: StopwordsOpt = None,
    fixed: FixedOpt = False,
    substring: SubstringOpt = False,
    ignore_case: IgnoreCaseOpt = False,
    clitics: CliticsOpt = None,
    strict_marks: StrictMarksOpt = False,
    explain: ExplainOpt = False,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Words that occur near PATTERN, scored by an association measure.

    Every row shows the counts its score comes from: O11 (co-occurrences in the
    windows, split into left and right), E11 (expected) and f(coll); the header (on
    a terminal) or the f_node/n/window columns (in a pipe) state the convention:
    E11 = f(node)·f(coll)·W/N, as CQPweb.
    """
    from ...output.analysis import write_collocates
    from ...query.analysis import collocates
    from ...query.pattern import MatchOptions

    session = Session(ctx)
    query = session.query(
        pattern, MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks), explain
    )
    from ...query.freq import key_filter

    keep_key = key_filter(session.normalizer, stopwords, None, 1, session.timeout)
    result = collocates(
        session.source.corpus.documents,
        query,
        left=window if left is None else left,
        right=window if right is None else right,
        measure=measure.lower(),
        min_freq=min_freq,
        keep=keep_key,
    )
    rows = result.rows[:top] if top else result.rows
    write_collocates(session, result, rows, session.table_or(fmt, "tsv"), no_header)
    raise typer.Exit(0 if rows else 1)


# --------------------------------------------------------------------------- keywords


@command("keywords", rich_help_panel="Analysis")
def keywords_command(
    ctx: typer.Context,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            metavar="DOC",
            help="Target documents: id, unique prefix or folder (DIR/: all its documents); "
            "repeatable. The rest of the corpus is the reference.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    by_field: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            help="One list per value of FIELD (metadata, or folder, date, year, month from the "
            "ids): each group against the rest of the corpus, or against --reference.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            metavar="PATH",
            help="A reference corpus (file or directory, its files picked by --reference-glob, "
            "not --glob), or a frequency list (.tsv: term<TAB>count).",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    reference_glob: Annotated[
        str | None,
        typer.Option(
            "--reference-glob",
            metavar="PATTERN",
            help="Which files of the --reference directory to read; --glob picks the corpus's "
            "alone \\[default: *.txt, *.jsonl, *.csv, *.tsv, plain or .gz/.bz2/.xz].",
            rich_help_panel=MATCH_PANEL,
            show_default=False,
        ),
    ] = None,
    measure: Annotated[
        str,
        typer.Option(
            "--measure",
            metavar="NAME",
            help="g2 (4-term log-likelihood, default), g2-2term, chi2, logratio, pctdiff or simplemaths.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = "g2",
    k: Annotated[
        float,
        typer.Option("--k", metavar="K", help="The constant of simplemaths.", rich_help_panel=OUTPUT_PANEL),
    ] = 1.0,
    negative: Annotated[
        bool,
        typer.Option(
            "--negative",
            help="Show words under-represented in the target instead.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    min_count: Annotated[
        int,
        typer.Option(
            "--min-count",
            min=1,
            metavar="N",
            help="Only words seen N+ times where they are key.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 2,
    top: TopOpt = 20,
    stopwords: StopwordsOpt = None,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Keywords: words over-represented in a target against a reference.

    Either --target DOC... against the rest of the corpus, --by FIELD (each group
    against the rest), or the corpus against --reference PATH. The corpus options
    (--corpus, --glob, --doc, --where) choose the target's side alone; the reference
    PATH is read as the corpus is (--text-field, --id-field, --encoding), its files
    picked by --reference-glob. Rows carry a and b (the word's frequency in target
    and reference), c and d (their sizes), the score, G² and its p-value band.
    """
    from ...output.analysis import write_keywords
    from ...query.analysis import keyness_sides, ranked_keywords
    from ...query.stats import KEYNESS

    name = measure.lower()
    if name not in KEYNESS:
        raise CorpusError(f"unknown measure '{measure}' (choose from {', '.join(KEYNESS)})")
    if target and by_field is not None:
        raise CorpusError("--target and --by cannot be combined")
    if reference_glob is not None and reference is None:
        raise CorpusError("--reference-glob needs --reference PATH")
    if not target and by_field is None and reference is None:
        raise CorpusError("give --target DOC or --by FIELD (against the rest), or --reference PATH")
    session = Session(ctx)
    from ...query.freq import key_filter

    keep = key_filter(session.normalizer, stopwords, None, 1, session.timeout)
    corpus = session.source.corpus

    def load_reference(path: str) -> "Sequence[Document]":
        from ...store.corpus import DEFAULT_GLOB, load_corpus

        options = session.read_options._asdict()
        return load_corpus(
            [path], glob=reference_glob or DEFAULT_GLOB, warn=session.warn, **options
        ).documents

    sides = keyness_sides(
        corpus.documents,
        session.normalizer,
        target=list(corpus.select(target)) if target else None,
        by_field=by_field,
        reference=reference,
        load_reference=load_reference,
        warn=session.warn,
    )
    rows = ranked_keywords(
        sides, measure=name, k=k, negative=negative, min_count=min_count, top=top, keep=keep
    )
    write_keywords(session, rows, name, session.table_or(fmt, "tsv"), no_header, by_field=by_field)
    raise typer.Exit(0 if rows else 1)
