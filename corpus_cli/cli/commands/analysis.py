"""The analyst's commands: ``dispersion``, ``collocates`` and ``keywords``.

Registered on ``application.app`` when ``cli.load`` imports it (for its commands, or ``--help``).

Each answers from the index's token layer when there is one (and the query is one word:
``query.cooccurrence.node_arrays``), else from the text of the documents, which is the
reference the layer's answers are tested against, byte for byte.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from ...errors import CorpusError
from ..application import command
from ..cql import CqlOpt
from ..documents import LateBar
from ..morph import Attr, LemmaOpt, Readings, ReadingsOpt, RootOpt, refuse_readings
from ..options import (
    MATCH_PANEL,
    OUTPUT_PANEL,
    CliticsOpt,
    ExplainOpt,
    FixedOpt,
    FormatOpt,
    IgnoreCaseOpt,
    NoHeaderOpt,
    PatternOrCqlArg,
    StrictMarksOpt,
    SubstringOpt,
)
from ..session import Session

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ...output.environment import Environment
    from ...query.cooccurrence import Nodes, Tally
    from ...query.morphology import AttributeKeys
    from ...query.pattern import Query
    from ...store.corpus import Document
    from ...text.normalize import Normalizer
    from ..cql import CqlRun
    from ..documents import Positional

#: Seconds a computation runs before its progress bar shows.
PROGRESS_AFTER = 1.0


@contextmanager
def _progress(env: "Environment", label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (a terminal only) for a computation that runs over
    ``PROGRESS_AFTER`` seconds; the body gets its ``update(done, total)``."""
    if not env.stderr_isatty:
        yield lambda done, total: None
        return
    bar = LateBar(env, label, after=PROGRESS_AFTER)
    try:
        yield bar
    finally:
        bar.close()


def _layer_documents(positional: "Positional") -> "list[Document]":
    """The documents a token layer answers for, in its order, without their text when they
    come from the index (their ids and metadata: ``--by``, ``--target``)."""
    headers = positional.headers()
    return headers if positional.selected is None else [headers[n] for n in positional.selected]


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
    With --cql (or --lemma, --root: such a query), where the matches of a CQL query begin.
    """
    from ...output.analysis import write_dispersion, write_dispersion_by, write_dispersion_svg
    from ...query.analysis import dispersion_by, hit_dispersion, layer_dispersion, total_hits, with_texts
    from ...query.pattern import MatchOptions

    node = _node("dispersion", pattern, cql, lemma, root, readings)
    session = Session(ctx)
    if by_field is not None and (svg or every):
        raise CorpusError("--by gives a table of groups: it cannot be combined with --svg or --all")
    if node is not None:
        _refuse_with_cql(fixed, substring, ignore_case, clitics, strict_marks, explain, cql is None)
        run = _run_cql(session, node, _command("dispersion", cql), readings)
        _report_nothing(session, run, None if cql is not None else (lemma, root))
        positional: Positional | None = run.positional
        query, pattern = _stand_in(session, node), node
        nodes: Nodes | None = _cql_nodes(run, query)
    else:
        assert pattern is not None
        options = MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks)
        query = session.query(pattern, options, explain)
        positional = session.source.positional()
        nodes = _nodes(positional, query)
    if positional is not None and nodes is not None:
        with _progress(session.env, "dispersion"):
            result = layer_dispersion(
                positional.layer, nodes, _layer_documents(positional), positional.selected
            )
        if by_field is None and (svg or session.table_or(fmt, "tsv") == "table"):
            result = with_texts(result, every, _reader(positional))  # a plot: the lengths of the texts
    else:
        docs = session.source.corpus.documents
        with _progress(session.env, "dispersion") as progress:
            result = hit_dispersion(docs, query, progress)
    found = total_hits(result) > 0
    if by_field is not None:
        by = dispersion_by(result, by_field, session.warn)
        write_dispersion_by(session, pattern, by, by_field, session.table_or(fmt, "tsv"), no_header)
        raise typer.Exit(0 if found else 1)
    if svg:
        write_dispersion_svg(svg, pattern, result, session.normalization, every)
    write_dispersion(session, pattern, result, session.table_or(fmt, "tsv"), no_header, every=every)
    raise typer.Exit(0 if found else 1)


def _reader(positional: "Positional") -> "Callable[[list[int]], Iterator[Document]]":
    """The documents at indexes of the documents ``positional`` answers for, read in full."""
    numbers = range(positional.layer.documents) if positional.selected is None else positional.selected
    return lambda wanted: positional.read(numbers[i] for i in wanted)


def _refuse_with_cql(
    fixed: bool,
    substring: bool,
    ignore_case: bool,
    clitics: object,
    strict_marks: bool,
    explain: bool,
    morph: bool = False,
) -> None:
    """The pattern options a CQL query (``morph``: ``--lemma``/``--root``) has no use for."""
    from ..cql import refuse_pattern_options

    refuse_pattern_options(
        fixed=fixed,
        substring=substring,
        ignore_case=ignore_case,
        clitics=clitics,
        strict_marks=strict_marks,
        explain=explain,
        node="--lemma/--root" if morph else "--cql",
    )


def _node(
    command: str,
    pattern: str | None,
    cql: str | None,
    lemma: str | None,
    root: str | None,
    readings: Readings,
) -> str | None:
    """The CQL query the node is (``--cql``, ``--lemma``, ``--root``), or None: PATTERN;
    a usage error when not exactly one is given, or ``--readings`` without a query."""
    from ..morph import node_query

    node = node_query(command, pattern, cql, lemma, root)
    refuse_readings(readings, node)
    return node


def _command(name: str, cql: str | None) -> str:
    return f"{name} --cql" if cql is not None else name


def _run_cql(session: Session, cql: str, command: str, readings: Readings = Readings.first) -> "CqlRun":
    from ..cql import run_cql

    return run_cql(session, cql, command=command, any_reading=readings is Readings.any)


def _report_nothing(session: Session, run: "CqlRun", morph: tuple[str | None, str | None] | None) -> None:
    """No silent zero: a query that matches nothing says which of its tokens does not
    (or how many match with ``--readings any``); ``morph``: the ``--lemma``/``--root`` it
    stands for."""
    if not run.matches:
        from ..cql import report_zero

        report_zero(session, run, None, morph=morph)


def _stand_in(session: Session, cql: str) -> "Query":
    from ..cql import stand_in

    return stand_in(cql, session)


def _cql_nodes(run: "CqlRun", query: "Query", *, spans: bool = False) -> "Nodes":
    """The matches of a CQL query as the nodes of the token layer, each at its first token
    (``spans``: and its last, where a window's right side starts after)."""
    import numpy as np

    from ...query.cooccurrence import Nodes

    layer = run.layer
    count = len(run.matches)
    positions = np.fromiter((match.first for match in run.matches), dtype=np.int64, count=count)
    docs = np.searchsorted(layer.numpy("docs"), positions, side="right").astype(np.int64) - 1
    forms = sorted(set(layer.numpy("tok")[positions].tolist()))
    lasts = np.fromiter((match.last for match in run.matches), dtype=np.int64, count=count) if spans else None
    return Nodes(layer, query, forms, positions, docs, lasts)


def _nodes(positional: "Positional | None", query: "Query") -> "Nodes | None":
    """The hits of ``query`` from the token layer, or None: no layer, or a query it
    cannot answer exactly (a phrase, a regular expression: the text answers)."""
    if positional is None:
        return None
    from ...query.cooccurrence import node_arrays

    return node_arrays(positional.layer, query, positional.selected)


# --------------------------------------------------------------------------- collocates


@command("collocates", rich_help_panel="Analysis", matching=True)
def collocates_command(
    ctx: typer.Context,
    pattern: PatternOrCqlArg = None,
    cql: CqlOpt = None,
    lemma: LemmaOpt = None,
    root: RootOpt = None,
    readings: ReadingsOpt = Readings.first,
    attr: Annotated[
        Attr | None,
        typer.Option(
            "--attr",
            help="Count the collocates as lemmas, roots, parts of speech (pos) or lemmas with their "
            "part of speech (lempos: قدم-n, قدم-v); the node is PATTERN (or --cql, --lemma, --root) "
            "as ever. A word without a reading is its own normalized form as a lemma, and leaves "
            "its slot empty for root, pos and lempos (so does a "
            "word whose first reading has no root, في, for root). Needs the morphology.",
            rich_help_panel=MATCH_PANEL,
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
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
    by_position: Annotated[
        bool,
        typer.Option(
            "--by-position",
            help="Also count each collocate at each position of the window (L3 L2 L1 R1 R2 R3 "
            "for --window 3): a column per position, whose sum is o11.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
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
    E11 = f(node)·f(coll)·W/N, as CQPweb. With --by-position, also the counts at
    each position of the window (L2 L1 R1 R2 for --window 2: the two words before
    the node, the two after), as AntConc and WordSmith show them. With --cql, the
    matches of a CQL query are the node: the window is around the whole match
    (--lemma and --root are such a query). With --attr lemma, the collocates are
    lemmas: f(coll), O11 and the score count every spelling of a lemma together.
    """
    from ...output.analysis import write_collocates
    from ...query.analysis import collocates, layer_collocates
    from ...query.freq import key_filter
    from ...query.pattern import MatchOptions

    node = _node("collocates", pattern, cql, lemma, root, readings)
    session = Session(ctx)
    keep_key = key_filter(session.normalizer, stopwords, None, 1, session.timeout)
    before = window if left is None else left
    after = window if right is None else right
    name = measure.lower()
    spans: dict[str, list[tuple[int, int]]] | None = None
    attribute: AttributeKeys | None = None
    if node is not None:
        _refuse_with_cql(fixed, substring, ignore_case, clitics, strict_marks, explain, cql is None)
        run = _run_cql(session, node, _command("collocates", cql), readings)
        _report_nothing(session, run, None if cql is not None else (lemma, root))
        positional: Positional | None = run.positional
        query = _stand_in(session, node)
        longer = any(match.last != match.first for match in run.matches)
        nodes: Nodes | None = _cql_nodes(run, query, spans=longer and attr is not None)
        if longer and attr is None:  # the text's windows
            nodes, spans = None, _match_spans(session, run)
    else:
        assert pattern is not None
        options = MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks)
        query = session.query(pattern, options, explain)
        positional = session.source.positional()
        if positional is None:  # without an index: a layer of the loaded corpus
            positional = _layer_in_memory(session, query, always=attr is not None)
        nodes = _nodes(positional, query)
        if attr is not None and nodes is None:
            raise CorpusError(
                f"collocates --attr: the token layer cannot find '{pattern}' (a phrase or a regular "
                "expression): give the node as --cql, e.g. --cql '[word=\"...\"]'"
            )
    if attr is not None:
        from ..morph import attribute_keys

        assert positional is not None
        attribute = attribute_keys(session, positional.layer, attr)
    if positional is not None and nodes is not None:
        with _progress(session.env, "collocates"):
            result = layer_collocates(
                positional.layer,
                nodes,
                session.normalizer,
                selected=positional.selected,
                left=before,
                right=after,
                measure=name,
                min_freq=min_freq,
                keep=keep_key,
                by_position=by_position,
                top=top,
                attribute=attribute,
            )
    else:
        docs = session.source.corpus.documents
        with _progress(session.env, "collocates") as progress:
            result = collocates(
                docs,
                query,
                left=before,
                right=after,
                measure=name,
                min_freq=min_freq,
                keep=keep_key,
                by_position=by_position,
                progress=progress,
                hits=spans,
            )
    rows = result.rows[:top] if top else result.rows
    write_collocates(session, result, rows, session.table_or(fmt, "tsv"), no_header)
    raise typer.Exit(0 if rows else 1)


def _match_spans(session: Session, run: "CqlRun") -> dict[str, list[tuple[int, int]]]:
    """Each document's matches, its [start, end) characters (from the match's first token
    to its last), by document id: the nodes of a phrase, as the text path takes them."""
    headers = run.positional.headers()
    return {
        headers[group.number].id: [(hit.start, hit.end) for hit in group.hits]
        for group in run.groups(session)
    }


def _layer_in_memory(session: Session, query: "Query", *, always: bool = False) -> "Positional | None":
    """Without an index, a token layer of the loaded corpus, where it pays
    (``DocumentSource.layer_in_memory_pays``: building it takes a third of the time
    ``collocates`` takes on the text, saudinewsnet 29 s against 77 s; ``dispersion`` and
    ``keywords`` take less than the building on the text, 8 s and 14 s of CPU, so they
    read it).  None when the text answers: an index without a layer, no numpy, a small
    corpus, or a query the layer could not answer (a phrase, a regular expression).
    ``always``: whenever the query may be answered (``--attr`` has no text path)."""
    from ...query.positions import layer_may_answer

    if not layer_may_answer(query) or not (always or session.source.layer_in_memory_pays()):
        return None
    loaded = session.source.corpus.documents
    with _progress(session.env, f"the token layer of {len(loaded):,} documents"):
        return session.source.positional(in_memory=True)


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
    attr: Annotated[
        Attr | None,
        typer.Option(
            "--attr",
            help="Compare lemmas, roots, parts of speech (pos) or lempos (قدم-n, قدم-v) in place of "
            "words, in target and reference alike (a word without a reading: its own form as a "
            "lemma, left out of root, pos and lempos); a --reference then is a corpus, analysed "
            "too. Needs the morphology.",
            rich_help_panel=MATCH_PANEL,
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
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
    from ...store.corpus import Corpus

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
    positional = session.source.positional()
    if positional is None and attr is not None:  # no text path: a layer built now
        with _progress(session.env, f"the token layer of {len(session.source.corpus.documents):,} documents"):
            positional = session.source.positional(in_memory=True)
        if positional is None:
            from ...store.layer import missing_numpy

            raise CorpusError(f"keywords --attr {missing_numpy()}")
    count: Callable[[Sequence[Document]], Tally] | None = None
    count_reference = None if attr is None else _reference_tally(session, attr)
    if positional is not None:  # each side a tally of the token layer: no text is read
        corpus = Corpus(_layer_documents(positional))
        attribute = None
        if attr is not None:
            from ..morph import attribute_keys

            attribute = attribute_keys(session, positional.layer, attr)
        count = _tallies(positional, corpus.documents, session.normalizer, attribute)
    else:
        corpus = session.source.corpus

    def load_reference(path: str) -> "Sequence[Document]":
        from ...store.corpus import DEFAULT_GLOB, load_corpus

        options = session.read_options._asdict()
        return load_corpus(
            [path], glob=reference_glob or DEFAULT_GLOB, warn=session.warn, **options
        ).documents

    with _progress(session.env, "keywords") as progress:
        sides = keyness_sides(
            corpus.documents,
            session.normalizer,
            target=list(corpus.select(target)) if target else None,
            by_field=by_field,
            reference=reference,
            load_reference=load_reference,
            warn=session.warn,
            count=count,
            progress=progress,
            count_reference=count_reference,
        )
        rows = ranked_keywords(
            sides, measure=name, k=k, negative=negative, min_count=min_count, top=top, keep=keep
        )
    write_keywords(session, rows, name, session.table_or(fmt, "tsv"), no_header, by_field=by_field)
    raise typer.Exit(0 if rows else 1)


def _reference_tally(session: Session, attr: Attr) -> "Callable[[Sequence[Document]], Tally]":
    """How ``keywords --attr`` counts a reference corpus: a token layer of its documents
    built now and analysed (from the cache of analyses), tallied by ``attr``."""

    def count(docs: "Sequence[Document]") -> "Tally":
        from ...query.cooccurrence import Tally
        from ...store.layer import build_layer, have_numpy, missing_numpy
        from ..morph import attribute_keys

        if not have_numpy():
            raise CorpusError(f"keywords --attr {missing_numpy()}")
        layer = build_layer((doc.text for doc in docs), session.normalizer)
        keys = attribute_keys(session, layer, attr)
        return Tally.of(layer, keys.keys, shown=keys.term)

    return count


def _tallies(
    positional: "Positional",
    docs: "Sequence[Document]",
    normalizer: "Normalizer",
    attribute: "AttributeKeys | None" = None,
) -> "Callable[[Sequence[Document]], Tally]":
    """How ``keywords`` counts a set of ``docs`` (the documents of ``positional``, in its
    order) from the token layer: a tally of their words (``attribute``: of their lemmas,
    roots or parts of speech)."""
    import numpy as np

    from ...query.cooccurrence import Tally, word_keys
    from ...query.positions import Keys

    layer = positional.layer
    keys = Keys.of(layer, normalizer) if attribute is None else attribute.keys
    keys_of = word_keys(layer, keys)
    shown = None if attribute is None else attribute.term
    numbers = range(layer.documents) if positional.selected is None else positional.selected
    number_of = {id(doc): n for doc, n in zip(docs, numbers, strict=True)}

    def count(members: "Sequence[Document]") -> Tally:
        chosen = np.asarray(sorted(number_of[id(doc)] for doc in members), dtype=np.int64)
        return Tally.of(layer, keys, chosen, keys_of, shown)

    return count
