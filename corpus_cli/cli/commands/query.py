"""``corpus query``: a CQL query (CQP's language) on the token layer, as a concordance or
as counts of the matched sequences (CQP's ``count``)."""

from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from ...errors import CorpusError
from ..application import command
from ..cql import cql_matches, parse_cql, report_zero, syntax_errors, write_counts
from ..morph import Readings, ReadingsOpt, ensure_attributes
from ..options import (
    MATCH_PANEL,
    OUTPUT_PANEL,
    FormatOpt,
    LimitOpt,
    NoHeaderOpt,
    PerDocOpt,
    SampleOpt,
    SeedOpt,
    SortOpt,
    WidthOpt,
    Within,
    WithinOpt,
    WordsOpt,
)
from ..session import Session

if TYPE_CHECKING:
    from ...query.cql import Match
    from ...store.layer import TokenLayer
    from ..documents import Positional


class Strategy(str, Enum):
    standard = "standard"
    shortest = "shortest"
    longest = "longest"


class CountBy(str, Enum):
    word = "word"
    orig = "orig"
    norm = "norm"
    kind = "kind"
    lemma = "lemma"
    root = "root"
    pos = "pos"
    lempos = "lempos"


@command("query", rich_help_panel="Commands")
def query(
    ctx: typer.Context,
    cql: Annotated[str, typer.Argument(metavar="CQL", help="The query, in CQP's query language (CQL).")],
    strategy: Annotated[
        Strategy,
        typer.Option(
            "--strategy",
            help="CQP's matching strategy: standard (optional tokens at the start are taken in, "
            "not those at the end), shortest or longest.",
            rich_help_panel=MATCH_PANEL,
            case_sensitive=False,
        ),
    ] = Strategy.standard,
    readings: ReadingsOpt = Readings.first,
    count: Annotated[
        bool,
        typer.Option(
            "--count",
            help="Instead of the lines, each matched sequence with its frequency (CQP's count): "
            "columns sequence, count, docs.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    count_by: Annotated[
        CountBy,
        typer.Option(
            "--count-by",
            help="The attribute --count joins the matched tokens by: word (normalized), orig (as written), "
            "norm, kind, or with the morphology lemma, root, pos or lempos.",
            rich_help_panel=OUTPUT_PANEL,
            case_sensitive=False,
        ),
    ] = CountBy.word,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            help="Instead of the lines, the matches per value of metadata FIELD: columns FIELD, count, docs.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    width: WidthOpt = 40,
    words: WordsOpt = None,
    limit: LimitOpt = None,
    sort: SortOpt = "position",
    sample_size: SampleOpt = None,
    seed: SeedOpt = None,
    per_doc: PerDocOpt = None,
    within: WithinOpt = Within.doc,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    r"""Concordance of a CQL query: token patterns in sequence, as CQP reads them.

    \[word="وزير"] \[]{0,2} \[word="الخارجية"] within s. Attributes: word (compared
    after normalization, as every command compares), orig (as written), norm (the
    normalized form, as written), kind (word, number, punct, url, emoji), and with
    the morphology (corpus index build --morph, or a corpus without an index) lemma,
    root and pos (noun, verb, function). Flags %c
    %d %l; repetition ? * + {n,m}; | between sequences; @ marks the target;
    label:\[...] with :: a.word="..." or :: match.doc_FIELD="..." constrain the
    match. A match may span several tokens: start/end are the characters from its
    first token to its last; with --within line, the context stops at the line (or
    lines) the match is on. Uses the index's token layer (or builds one in memory).
    """

    session = Session(ctx)
    with syntax_errors(session, cql):
        _run(
            session,
            cql,
            strategy.value,
            any_reading=readings is Readings.any,
            count=count,
            count_by=count_by.value,
            by=by,
            width=width,
            words=words,
            limit=limit,
            sort=sort,
            sample_size=sample_size,
            seed=seed,
            per_doc=per_doc,
            within_line=within is Within.line,
            fmt=fmt,
            header=not no_header,
        )


def _run(
    session: Session,
    text: str,
    strategy: str,
    *,
    any_reading: bool,
    count: bool,
    count_by: str,
    by: str | None,
    width: int,
    words: int | None,
    limit: int | None,
    sort: str,
    sample_size: int | None,
    seed: int | None,
    per_doc: int | None,
    within_line: bool,
    fmt: object,
    header: bool,
) -> None:
    from ...query.kwic import KwicRequest, parse_sort

    query = parse_cql(text)
    if count and by is not None:
        raise CorpusError("--count and --by are two different counts: choose one")
    parse_sort(sort)  # an unknown key fails before any search
    run = cql_matches(session, query, strategy, any_reading=any_reading)
    positional, layer, matches = run.positional, run.layer, run.matches
    fmt_name = session.table_or(fmt, "tsv")
    if count or by is not None:
        ensure_attributes(session, layer, [count_by])
        shown = write_counts(session, run, count_by, by, fmt_name, limit, header=header)
    else:
        from ...output.kwic import screen_width

        request = KwicRequest(
            width=screen_width(width, session.env) if fmt_name == "table" else width,
            words=words,
            limit=limit,
            sort=sort,
            sample_size=sample_size,
            seed=seed,
            per_doc=per_doc,
            within_line=within_line,
        )
        shown = _concordance(session, layer, positional, matches, request, fmt_name, header=header)
    if not shown:
        report_zero(session, run, asked_none=None if count or by else _asks_none(limit, per_doc, sample_size))
    raise typer.Exit(0 if shown else 1)


def _asks_none(limit: int | None, per_doc: int | None, sample_size: int | None) -> str | None:
    limits = {"--limit": limit, "--per-doc": per_doc, "--sample": sample_size}
    return next((f"{name} 0" for name, value in limits.items() if value == 0), None)


def _concordance(
    session: Session,
    layer: "TokenLayer",
    positional: "Positional",
    matches: "Sequence[Match]",
    request: object,
    fmt_name: str,
    *,
    header: bool,
) -> bool:
    from ...output.kwic import write_kwic
    from ...query.cql.hits import place
    from ...query.kwic import KwicRequest, positional_concordance

    assert isinstance(request, KwicRequest)
    groups = place(layer, matches, session.normalizer)
    lines = positional_concordance(groups, positional.read, request, session.normalizer)
    return write_kwic(lines, session, fmt_name=fmt_name, width=request.width, clitics=False, header=header)
