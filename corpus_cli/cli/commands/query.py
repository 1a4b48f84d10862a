"""``corpus query``: a CQL query (CQP's language) on the token layer, as a concordance or
as counts of the matched sequences (CQP's ``count``)."""

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from ...errors import CorpusError
from ..application import command
from ..options import MATCH_PANEL, OUTPUT_PANEL, FormatOpt, NoHeaderOpt
from ..session import Session

if TYPE_CHECKING:
    from ...query.cql import CqlQuery, CqlSyntaxError, Match
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
            "norm or kind.",
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
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    r"""Concordance of a CQL query: token patterns in sequence, as CQP reads them.

    \[word="وزير"] \[]{0,2} \[word="الخارجية"] within s. Attributes: word (compared
    after normalization, as every command compares), orig (as written), norm (the
    normalized form, as written), kind (word, number, punct, url, emoji). Flags %c
    %d %l; repetition ? * + {n,m}; | between sequences; @ marks the target;
    label:\[...] with :: a.word="..." or :: match.doc_FIELD="..." constrain the
    match. A match may span several tokens: start/end are the characters from its
    first token to its last. Uses the index's token layer (or builds one in memory).
    """

    from ...query.cql import CqlSyntaxError

    session = Session(ctx)
    try:
        _run(
            session,
            cql,
            strategy.value,
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
            fmt=fmt,
            header=not no_header,
        )
    except CqlSyntaxError as exc:
        _syntax_error(session, cql, exc)
        raise typer.Exit(2) from None


def _syntax_error(session: Session, text: str, error: "CqlSyntaxError") -> None:
    """One ``corpus:`` line, then the query and a caret under the column (in cells: a
    combining mark takes none)."""
    from ...output.screen import cell_width
    from ...output.terminal import shown

    session.note(f"CQL syntax error at column {error.column + 1}: {error.message}")
    line = shown(text.replace("\n", " ").replace("\t", " "))
    pad = cell_width(text[: error.column].replace("\n", " ").replace("\t", " "))
    session.env.stderr.write(f"  {line}\n  {' ' * pad}^\n")


def _run(
    session: Session,
    text: str,
    strategy: str,
    *,
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
    fmt: object,
    header: bool,
) -> None:
    from ...query.cql import find_matches, parse
    from ...query.kwic import KwicRequest, parse_sort

    query = parse(text)
    if count and by is not None:
        raise CorpusError("--count and --by are two different counts: choose one")
    parse_sort(sort)  # an unknown key fails before any search
    positional = session.source.positional() or session.source.positional(in_memory=True)
    if positional is None:
        from ...store.layer import missing_numpy

        raise CorpusError(f"corpus query {missing_numpy()}")
    layer = positional.layer
    for warning in query.warnings:
        session.warn(warning)
    documents = _metadata(positional) if _uses_metadata(query) else None
    matches = find_matches(
        layer,
        query,
        normalizer=session.normalizer,
        strategy=strategy,
        documents=documents,
        selected=positional.selected,
    )
    fmt_name = session.table_or(fmt, "tsv")
    if count or by is not None:
        shown = _counts(session, layer, positional, matches, count_by, by, fmt_name, limit, header=header)
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
        )
        shown = _concordance(session, layer, positional, matches, request, fmt_name, header=header)
    if not shown:
        _report_zero(
            session,
            positional.selected,
            layer,
            query,
            matches,
            asked_none=None if count or by else _asks_none(limit, per_doc, sample_size),
        )
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


def _counts(
    session: Session,
    layer: "TokenLayer",
    positional: "Positional",
    matches: "Sequence[Match]",
    count_by: str,
    by: str | None,
    fmt_name: str,
    limit: int | None,
    *,
    header: bool,
) -> bool:
    """``--count`` (by sequence) or ``--by FIELD`` (by metadata value)."""
    from ...output.records import RowWriter
    from ...query.cql.hits import document_counts, sequence_counts

    if by is None:
        rows = sequence_counts(layer, matches, session.normalizer, count_by)
        first = "sequence"
    else:
        headers = positional.headers()
        if not any(by in doc.meta for doc in headers):
            raise CorpusError(f"--by {by}: no document has this metadata field")
        rows = document_counts(layer, matches, [doc.meta.get(by, "") for doc in headers])
        first = by
    if limit is not None:
        rows = rows[:limit]
    if fmt_name == "table":
        if rows:
            from ...output.screen import print_table

            print_table(
                session.env,
                session.color,
                [first, "count", "docs"],
                [[row.sequence, row.matches, row.docs] for row in rows],
                numeric=("count", "docs"),
                flexible=first,
                caption=f"{len(matches):,} matches · normalization {session.normalization}",
            )
        return bool(rows)
    writer = RowWriter(session.env.stdout, fmt_name, [first, "count", "docs"], header=header, bom=session.bom)
    for row in rows:
        writer.write({first: row.sequence, "count": row.matches, "docs": row.docs})
    writer.close()
    return bool(rows)


def _uses_metadata(query: "CqlQuery") -> bool:
    """Does a global constraint test documents' metadata (``match.doc_source``)?"""
    return query.constraint is not None and "doc_" in query.text[query.text.find("::") :]


def _metadata(positional: "Positional") -> list[Mapping[str, str]]:
    """Each layer document's metadata as CQP sees it in our VRT: ``id`` and every field
    under its ``<doc>`` attribute name (and its own name)."""
    from ...output.vrt import attribute_names

    out: list[Mapping[str, str]] = []
    for doc in positional.headers():
        names = attribute_names(doc.meta)
        out.append({**doc.meta, **{names[field]: value for field, value in doc.meta.items()}, "id": doc.id})
    return out


def _report_zero(
    session: Session,
    selected: "Sequence[int] | None",
    layer: "TokenLayer",
    query: "CqlQuery",
    matches: "Sequence[Match]",
    asked_none: str | None,
) -> None:
    """No silent zero: which token pattern of the query matches nothing in the corpus."""
    from ...query.cql.evaluate import token_counts

    if asked_none is not None:
        session.note(f"0 matches shown ({asked_none} asks for none)")
        return
    if matches:
        session.note(f"0 matches shown of {len(matches):,}")
        return
    empty = [
        query.source(token) for token, found in token_counts(layer, query, session.normalizer) if found == 0
    ]
    if empty:
        listed = ", ".join(empty)
        which = "this token pattern matches" if len(empty) == 1 else "these token patterns match"
        session.note(f"0 matches: {which} nothing in the corpus: {listed}")
    elif query.constraint is not None:
        from dataclasses import replace

        from ...query.cql import find_matches

        unconstrained = find_matches(
            layer, replace(query, constraint=None), normalizer=session.normalizer, selected=selected
        )
        session.note(f"0 matches: {len(unconstrained):,} without the constraint after '::', none with it")
    else:
        session.note("0 matches: each token pattern matches on its own, never in this sequence")
