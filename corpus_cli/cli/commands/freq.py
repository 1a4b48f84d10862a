"""``corpus freq``: frequency lists of terms and n-grams, per document or group, from
the index, the loaded corpus or a Dask cluster (the same rows from each)."""

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
    Engine,
    EngineOpt,
    FormatOpt,
    NoHeaderOpt,
    SchedulerOpt,
    refuse_given,
    use_dask,
)
from ..session import Session

if TYPE_CHECKING:
    from ...query.freq import Counts, FreqRequest, FreqRow
    from ...query.morphology import AttributeKeys
    from ..documents import Positional


@command("freq", rich_help_panel="Commands", matching=True)
def freq(
    ctx: typer.Context,
    terms: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[TERM]...",
            help="Count exactly these terms (normalized), zeros included; a term of N words "
            "is counted as the n-gram it is (as --ngram N counts it).",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top",
            min=0,
            metavar="N",
            help="Show the N most frequent (0 = all).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 20,
    min_count: Annotated[
        int,
        typer.Option(
            "--min-count",
            min=1,
            metavar="N",
            help="Only terms seen at least N times.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 1,
    by_doc: Annotated[
        bool, typer.Option("--by-doc", help="One row per document and term.", rich_help_panel=OUTPUT_PANEL)
    ] = False,
    by_field: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            help="One list per value of FIELD: a metadata field, or folder, date, year, month "
            'from the ids (documents without it: "").',
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    ngram: Annotated[
        int,
        typer.Option(
            "--ngram",
            min=1,
            max=5,
            metavar="N",
            help="Count runs of N words (2-5), never across a line end or sentence-ending punctuation "
            "(with --attr: runs of N values).",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = 1,
    stopwords: Annotated[
        str | None,
        typer.Option(
            "--stopwords",
            metavar="FILE",
            help="Drop function words: 'builtin' (Arabic list written for this tool; "
            "negations kept) or a file, one word per line. N-grams are dropped when they "
            "begin or end with one.",
            rich_help_panel=MATCH_PANEL,
            show_default=False,
        ),
    ] = None,
    match: Annotated[
        str | None,
        typer.Option(
            "--match",
            metavar="PATTERN",
            help="Only terms whose normalized form matches PATTERN.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    forms: Annotated[
        bool,
        typer.Option(
            "--forms",
            help="Show every original spelling of each term with its count.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    with_dispersion: Annotated[
        bool,
        typer.Option(
            "--dispersion",
            help="Add range (documents), Juilland's D, Gries' DP and DPnorm, and ARF.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    attr: Annotated[
        Attr | None,
        typer.Option(
            "--attr",
            help="Count words by their lemma, root, part of speech (pos) or lemma and part of "
            "speech (lempos: قدم-n, قدم-v): a lemma list, with the commonest spellings of each "
            "value (all of them with --forms). A word without a reading counts under its own "
            "normalized form as a lemma, and is left out of a root, pos or lempos list, as is "
            "a word whose first reading has no root (في) of a root list (stderr says how many). "
            "With --ngram N, runs of N words counted by their values (lemma n-grams), a run "
            "with such a word left out. Needs the morphology.",
            rich_help_panel=MATCH_PANEL,
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    clitics: CliticsOpt = None,
    cql: CqlOpt = None,
    lemma: LemmaOpt = None,
    root: RootOpt = None,
    readings: ReadingsOpt = Readings.first,
    engine: EngineOpt = Engine.memory,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Frequency list of normalized word and number tokens (or n-grams).

    A count is the number of tokens whose normalized form equals the key; the term
    shown is that key's most frequent original spelling. per_million is relative to
    all tokens (of the document, with --by-doc); docs is the number of documents
    that contain the key (of the group's documents, with --by). Punctuation, URLs
    and emoji are not counted. With TERMs and --clitics, a term also counts the
    tokens that are the term with clitics. A TERM of several words ('مجلس الأمن')
    is counted as an n-gram of that many words. With --cql, each sequence a CQL
    query matches, with its count (corpus query --count): columns sequence, count, docs;
    --lemma and --root are such a query. With --attr lemma, a lemma
    list: per lemma its count, per million, documents and commonest spellings (TERMs are
    then lemmas, or roots, or parts of speech). With --attr and --ngram N, the runs of N
    words that --ngram N counts, by their words' values ('وزير خارجي' counts وزير الخارجية
    and وزراء خارجية): the term is the values, forms the commonest spellings of the run,
    per_million relative to all runs of N words (a run holding a word without a value
    included, though not listed), docs the documents that hold it; TERMs are then N
    values each (a root written كتب or ك-ت-ب).
    """
    from ...output.freq import write_freq
    from ...query.freq import (
        FreqRequest,
        FreqRow,
        count_tokens,
        freq_groups,
        freq_rows,
        with_forms,
        with_group_dispersion,
    )
    from ...query.freq import (
        with_dispersion as add_dispersion,
    )

    session = Session(ctx)
    if cql is not None or lemma is not None or root is not None:
        from ..morph import node_query

        node = node_query("freq", " ".join(terms) if terms else None, cql, lemma, root)
        assert node is not None
        _refuse(
            "--cql" if cql is not None else "--lemma/--root",
            **{
                "--by-doc": by_doc,
                "--by": by_field,
                "--ngram": ngram != 1,
                "--stopwords": stopwords,
                "--match": match,
                "--forms": forms,
                "--dispersion": with_dispersion,
                "--clitics": clitics,
                "--attr": attr,
                "--engine dask": use_dask(engine, scheduler),
            },
        )
        command = "freq --cql" if cql is not None else "freq"
        _freq_cql(
            session,
            node,
            top,
            min_count,
            fmt,
            header=not no_header,
            any_reading=readings is Readings.any,
            command=command,
            morph=None if cql is not None else (lemma, root),
        )
    refuse_readings(readings, None, "a list counts each word as its first reading: --attr too")
    if attr is not None:
        if clitics is not None:
            raise CorpusError(
                "--attr cannot be combined with --clitics: a word's lemma, root and pos are its "
                "stem's, with its clitics taken off by the analyser (وبالكتاب counts as كتاب), so "
                "--attr counts the words with clitics already"
            )
        _refuse("--attr", **{"--engine dask": use_dask(engine, scheduler)})
    request = FreqRequest(
        terms=tuple(terms or ()),
        top=top,
        min_count=min_count,
        by_doc=by_doc,
        by_field=by_field,
        ngram=ngram,
        stopwords=stopwords,
        match=match,
        forms=forms,
        dispersion=with_dispersion,
        clitics=clitics,
    )
    if attr is None:  # with --attr, TERMs are values (a root may be written ك ت ب), split by layer_freq
        request = request.with_ngram_terms()
    dask = use_dask(engine, scheduler)
    request.check_grouping()
    if attr is not None:
        _freq_attr(session, request, attr, fmt, no_header)
    units = request.units()
    docs, group = None, None
    index = None
    # The index's frequency list answers the whole corpus's words in a few reads, ranked
    # already; the token layer everything else (terms, other levels, n-grams, groups,
    # dispersion), and the index what it answered before when there is no layer.
    whole_list = session.source.whole_corpus and request.ngram == 1 and not request.keep_per_doc
    if not dask and whole_list and request.plain_list and not with_dispersion:
        index = session.source.index
    if not dask and index is None:
        ranking = None  # the list at this level, when one was kept and does not hold this one
        if whole_list and request.plain_list and not (with_dispersion or forms):
            from ...index.ranking import SavedRanking

            positional = session.source.positional()
            ranking = (
                None if positional is None else SavedRanking.beside(positional.layer, session.normalizer)
            )
            lines = None if ranking is None else ranking.read(top, min_count)
            if lines is not None and session.table_or(fmt, "tsv") == "tsv":
                from ...output.freq import write_tsv_blocks

                write_tsv_blocks(session.stdout, lines, header=not no_header, bom=session.bom)
                raise typer.Exit(0)
            if lines is not None:
                ranking = None
        answer = _from_layer(session, request)
        if answer is not None:
            rows, counts, found = answer
            if ranking is not None:
                ranking.save(rows, top=top, min_count=min_count)
            write_freq(
                session,
                rows,
                counts,
                session.table_or(fmt, "tsv"),
                no_header,
                by_doc=request.per_doc,
                forms=forms,
                dispersion=with_dispersion,
                by=by_field,
            )
            raise typer.Exit(0 if found else 1)
        if whole_list:
            index = session.source.index
    if dask:
        from ...engines.distributed import freq_counts

        counts = freq_counts(session, scheduler, request)
    elif index is not None:
        # The index's frequency list: the same numbers, and ranked already when no
        # term is filtered out.
        counts = index.counts(keys=not request.plain_list)
    else:
        docs = session.source.corpus.documents
        group, tests = freq_groups(docs, request, session.normalizer, session.timeout, session.warn)
        counts = count_tokens(
            docs,
            session.normalizer,
            keep_per_doc=request.keep_per_doc,
            units=units,
            group=group,
            tests=tests,
        )
    fmt_name = session.table_or(fmt, "tsv")
    if index is not None and request.plain_list:
        if fmt_name == "tsv" and not (forms or with_dispersion):
            from ...output.freq import write_tsv_blocks

            write_tsv_blocks(
                session.stdout, index.ranked_tsv(top, min_count), header=not no_header, bom=session.bom
            )
            raise typer.Exit(0)
        total = counts.total
        rows = [
            FreqRow(rank, term, key, count, count * 1_000_000 / total if total else 0.0, docs_with)
            for rank, key, term, count, docs_with in index.ranked(top, min_count)
        ]
        found = True
    else:
        rows, found = freq_rows(counts, request, session.normalizer, session.timeout)
    if forms:
        rows = with_forms(rows, counts)
    if with_dispersion and group is not None:
        rows = with_group_dispersion(rows, session.source.corpus.documents, session.normalizer, units, group)
    elif with_dispersion:
        rows = add_dispersion(rows, docs or session.source.corpus.documents, session.normalizer, units)
    write_freq(
        session,
        rows,
        counts,
        fmt_name,
        no_header,
        by_doc=request.per_doc,
        forms=forms,
        dispersion=with_dispersion,
        by=by_field,
    )
    raise typer.Exit(0 if found else 1)


def _refuse(given_with: str, **given: object) -> None:
    """The options that ``given_with`` (--cql, --lemma, --attr) has no use for: an error."""
    refuse_given(f"{given_with} cannot be combined with {{}}", given)


def _freq_attr(session: Session, request: "FreqRequest", attr: Attr, fmt: object, no_header: bool) -> None:
    """``freq --attr``: the list of lemmas (roots, parts of speech) from the token layer
    (the index's, else one built and analysed now): the same rows either way."""
    from ...output.freq import write_freq
    from ..morph import attribute_keys, left_out_note

    positional = _positional(session, always=True)
    if positional is None:
        from ...store.layer import missing_numpy

        raise CorpusError(f"freq --attr {missing_numpy()}")
    keys = attribute_keys(session, positional.layer, attr)
    answer = _from_layer(session, request, positional, keys)
    assert answer is not None
    rows, counts, found = answer
    left_out_note(session, attr, getattr(counts, "left_out", 0), counts.total, request.ngram)
    write_freq(
        session,
        rows,
        counts,
        session.table_or(fmt, "tsv"),
        no_header,
        by_doc=request.per_doc,
        forms=True,
        dispersion=request.dispersion,
        by=request.by_field,
    )
    raise typer.Exit(0 if found else 1)


def _positional(session: Session, *, always: bool = False) -> "Positional | None":
    """The index's token layer, else one built in memory (``always``, or when it pays)."""
    positional = session.source.positional()
    if positional is None and always:
        bar = LateBar(session.env, f"the token layer of {len(session.source.corpus.documents):,} documents")
        try:
            positional = session.source.positional(in_memory=True)
        finally:
            bar.close()
    return positional


def _from_layer(
    session: Session,
    request: "FreqRequest",
    positional: "Positional | None" = None,
    attribute: "AttributeKeys | None" = None,
) -> "tuple[list[FreqRow], Counts, bool] | None":
    """``freq``'s rows from the token layer of the index (``query.freq.layer_freq``), or
    None when there is none to answer from; ``attribute``: ``freq --attr``."""
    from ...query.freq import layer_freq
    from ...store.layer import have_numpy

    if positional is None:
        positional = _positional(session, always=_layer_in_memory_pays(session, request))
    if positional is None or not have_numpy():  # the layer's lookups need no numpy; its counts do
        return None
    layer = positional.layer
    headers = None
    if request.keep_per_doc:  # ids and metadata (from an index, without the texts)
        headers = positional.headers()
    bar = LateBar(session.env)
    try:
        return layer_freq(
            layer,
            headers,
            positional.selected,
            request,
            session.normalizer,
            session.timeout,
            session.warn,
            progress=bar,
            attribute=attribute,
        )
    finally:
        bar.close()


def _layer_in_memory_pays(session: Session, request: "FreqRequest") -> bool:
    """Without an index, does a token layer built in memory answer ``request`` sooner
    than the text (``DocumentSource.layer_in_memory_pays``)?  For n-grams and clitics
    by document or group (saudinewsnet: 91 s and over 15 minutes on the text, 23 s of
    CPU to build the layer); a plain list, terms by document and clitics over the whole
    corpus take less on the text, or as long (8-23 s of CPU)."""
    if request.ngram == 1 and (request.clitics is None or not request.per_doc):
        return False
    return session.source.layer_in_memory_pays()


def _freq_cql(
    session: Session,
    cql: str,
    top: int,
    min_count: int,
    fmt: object,
    *,
    header: bool,
    any_reading: bool = False,
    command: str = "freq --cql",
    morph: tuple[str | None, str | None] | None = None,
) -> None:
    """``freq --cql`` (or ``--lemma``/``--root``): the sequences a CQL query matches, most
    frequent first, as ``corpus query --count`` counts them (``--top``, ``--min-count``
    choose the rows)."""
    from ..cql import report_zero, run_cql, write_counts

    run = run_cql(session, cql, command=command, any_reading=any_reading)
    fmt_name = session.table_or(fmt, "tsv")
    shown = write_counts(
        session, run, "word", None, fmt_name, top or None, header=header, min_count=min_count
    )
    if not shown:
        report_zero(session, run, None, morph=morph)
    raise typer.Exit(0 if shown else 1)
