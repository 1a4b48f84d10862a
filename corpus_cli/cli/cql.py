"""``--cql 'CQL'``: a CQL query (CQP's language) as the node of a command, in place of
PATTERN. ``corpus query`` and the ``--cql`` of ``kwic``, ``grep``, ``freq``,
``dispersion`` and ``collocates`` share what is here: the matches from the token layer,
the syntax error with its caret, and the report of zero matches."""

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

from ..errors import CorpusError
from .options import MATCH_PANEL, refuse_given
from .session import Session

if TYPE_CHECKING:
    from ..query.cql import CqlQuery, CqlSyntaxError, Match
    from ..query.pattern import Query
    from ..query.search import DocumentHits
    from ..store.layer import TokenLayer
    from .documents import Positional


CqlOpt = Annotated[
    str | None,
    typer.Option(
        "--cql",
        metavar="CQL",
        help="A CQL query (as corpus query takes it) in place of PATTERN: its matches, "
        "which may span several tokens, are the hits.",
        rich_help_panel=MATCH_PANEL,
        show_default=False,
    ),
]


def pattern_or_cql(command: str, pattern: str | None, cql: str | None) -> None:
    """Exactly one of PATTERN and ``--cql``: else a usage error (exit 2)."""
    if pattern is not None and cql is not None:
        raise CorpusError(f"PATTERN '{pattern}' and --cql: give one of them; see 'corpus {command} --help'")
    if pattern is None and cql is None:
        raise CorpusError(f"missing PATTERN (or --cql CQL); see 'corpus {command} --help'")


def refuse_with_cql(node: str = "--cql", **given: object) -> None:
    """The options of a pattern that a CQL query has no use for: named, an error
    (``node``: the option that gave the query, ``--cql`` or ``--lemma``/``--root``)."""
    why = (
        "a CQL query says how it matches" if node == "--cql" else "it matches whole tokens by their analysis"
    )
    refuse_given(f"{node} cannot be combined with {{}} ({why})", given)


def refuse_pattern_options(
    *,
    fixed: bool,
    ignore_case: bool,
    clitics: object,
    strict_marks: bool,
    explain: bool,
    substring: bool = False,
    more: Mapping[str, object] | None = None,
    node: str = "--cql",
) -> None:
    """``refuse_with_cql`` for the matching options every pattern command has, and
    ``more`` (already named as the user types them)."""
    refuse_with_cql(
        node,
        **{
            "-F/--fixed-strings": fixed,
            "--substring": substring,
            "-i/--ignore-case": ignore_case,
            "--clitics": clitics,
            "--strict-marks": strict_marks,
            "--explain": explain,
            **(more or {}),
        },
    )


class CqlRun(NamedTuple):
    """A parsed query, the token layer that answered it and its matches."""

    query: "CqlQuery"
    positional: "Positional"
    matches: "Sequence[Match]"
    any_reading: bool = False  # --readings any

    @property
    def layer(self) -> "TokenLayer":
        return self.positional.layer

    def groups(self, session: Session) -> "Iterator[DocumentHits]":
        """The matches as the token layer's hits, by document (``cql.hits.place``)."""
        from ..query.cql.hits import place

        return place(self.layer, self.matches, session.normalizer)


def parse_cql(text: str) -> "CqlQuery":
    from ..query.cql import parse

    return parse(text)


@contextmanager
def syntax_errors(session: Session, text: str) -> Iterator[None]:
    """A syntax error in ``text``: its line, the query with a caret under the column, exit 2."""
    from ..query.cql import CqlSyntaxError

    try:
        yield
    except CqlSyntaxError as exc:
        syntax_error(session, text, exc)
        raise typer.Exit(2) from None


def syntax_error(session: Session, text: str, error: "CqlSyntaxError") -> None:
    """One ``corpus:`` line, then the query and a caret under the column (in cells: a
    combining mark takes none)."""
    from ..output.screen import cell_width
    from ..output.terminal import shown

    session.note(f"CQL syntax error at column {error.column + 1}: {error.message}")
    line = shown(text.replace("\n", " ").replace("\t", " "))
    pad = cell_width(text[: error.column].replace("\n", " ").replace("\t", " "))
    session.env.stderr.write(f"  {line}\n  {' ' * pad}^\n")


def cql_matches(
    session: Session,
    query: "CqlQuery",
    strategy: str = "standard",
    *,
    command: str = "corpus query",
    any_reading: bool = False,
) -> CqlRun:
    """The matches of ``query`` in the documents chosen (``--doc``, ``--where``), from the
    index's token layer, or one built in memory (analysed now if the query tests lemma,
    root or pos); ``any_reading``: ``--readings any``."""
    from ..query.cql import find_matches
    from .morph import ensure_attributes

    positional = session.source.positional() or session.source.positional(in_memory=True)
    if positional is None:
        from ..store.layer import missing_numpy

        raise CorpusError(f"{command} {missing_numpy()}")
    for warning in query.warnings:
        session.warn(warning)
    ensure_attributes(session, positional.layer, query.attributes())
    documents = _metadata(positional) if _uses_metadata(query) else None
    matches = find_matches(
        positional.layer,
        query,
        normalizer=session.normalizer,
        strategy=strategy,
        documents=documents,
        selected=positional.selected,
        any_reading=any_reading,
    )
    return CqlRun(query, positional, matches, any_reading)


def run_cql(session: Session, text: str, *, command: str, any_reading: bool = False) -> CqlRun:
    """``--cql text`` (or ``--lemma``/``--root``: ``morph.node_query``) parsed and
    matched; a syntax error exits 2 with its caret."""
    with syntax_errors(session, text):
        query = parse_cql(text)
    return cql_matches(session, query, command=command, any_reading=any_reading)


def stand_in(text: str, session: Session) -> "Query":
    """A pattern query that stands for the CQL matches where a command's writers ask for
    one: never searched with; its (empty, accepting) constraint makes the writers keep
    the hits' own spans (``Query.filters_hits``), and it has no clitics."""
    from ..query.pattern import EitherConstraint, MatchOptions, Query

    return Query(
        source=text,
        normalized=text,
        regex=None,
        normalizer=session.normalizer,
        options=MatchOptions(word=True),
        line_by_line=True,
        constraint=EitherConstraint(()),
    )


def first_lines(groups: "Iterable[DocumentHits]", max_count: int | None) -> "Iterator[DocumentHits]":
    """``--max-count N``: each document's hits on its first N lines with one."""
    if max_count is None:
        yield from groups
        return
    for group in groups:
        lines: set[int] = set()
        kept = []
        for hit in group.hits:
            if hit.line_no not in lines:
                if len(lines) == max_count:
                    break
                lines.add(hit.line_no)
            kept.append(hit)
        if kept:
            yield group._replace(hits=kept)


def report_zero(
    session: Session,
    run: CqlRun,
    asked_none: str | None,
    *,
    unit: str = "matches",
    morph: tuple[str | None, str | None] | None = None,
) -> None:
    """No silent zero: which token pattern of the query matches nothing in the corpus
    (or, for a query on lemma, root or pos, how many match with ``--readings any``);
    ``unit``: what the command calls them (``--lemma`` in kwic: hits); ``morph``: the
    ``--lemma`` and ``--root`` the query stands for, said as the user gave them."""
    from ..query.cql.evaluate import token_counts

    query, matches = run.query, run.matches
    if morph is not None and asked_none is None and not matches:
        _report_morph_zero(session, run, *morph, unit)
        return
    if asked_none is not None:
        session.note(f"0 {unit} shown ({asked_none} asks for none)")
        return
    if matches:
        session.note(f"0 {unit} shown of {len(matches):,}")
        return
    from ..text.morphology import MORPHOLOGY

    if not run.any_reading and set(MORPHOLOGY) & query.attributes():
        from ..query.cql import find_matches

        anyway = find_matches(
            run.layer,
            query,
            normalizer=session.normalizer,
            documents=_metadata(run.positional) if _uses_metadata(query) else None,
            selected=run.positional.selected,
            any_reading=True,
        )
        if anyway:
            session.note(f"0 {unit}; {len(anyway):,} with --readings any")
            return
    empty = [
        query.source(token)
        for token, found in token_counts(run.layer, query, session.normalizer, run.any_reading)
        if found == 0
    ]
    if empty:
        listed = ", ".join(empty)
        which = "this token pattern matches" if len(empty) == 1 else "these token patterns match"
        values = ""
        if "pos" in query.attributes():  # [pos="ADJ"], as other tools tag: say what this one has
            from ..text.morphology import POS

            values = f" (pos is one of {', '.join(POS)})"
        session.note(f"0 {unit}: {which} nothing in the corpus: {listed}{values}")
    elif query.constraint is not None:
        from dataclasses import replace

        from ..query.cql import find_matches

        unconstrained = find_matches(
            run.layer,
            replace(query, constraint=None),
            normalizer=session.normalizer,
            selected=run.positional.selected,
            any_reading=run.any_reading,
        )
        session.note(f"0 {unit}: {len(unconstrained):,} without the constraint after '::', none with it")
    else:
        session.note(f"0 {unit}: each token pattern matches on its own, never in this sequence")


def write_counts(
    session: Session,
    run: CqlRun,
    count_by: str,
    by: str | None,
    fmt_name: str,
    limit: int | None,
    *,
    header: bool,
    min_count: int = 1,
) -> bool:
    """``--count`` (by sequence) or ``--by FIELD`` (by metadata value): the first ``limit``
    rows (None: all) of those with ``min_count`` matches or more."""
    from ..output.records import RowWriter
    from ..query.cql.hits import document_counts, sequence_counts

    layer, positional, matches = run.layer, run.positional, run.matches

    if by is None:
        rows = sequence_counts(layer, matches, session.normalizer, count_by)
        first = "sequence"
    else:
        headers = positional.headers()
        if not any(by in doc.meta for doc in headers):
            raise CorpusError(f"--by {by}: no document has this metadata field")
        rows = document_counts(layer, matches, [doc.meta.get(by, "") for doc in headers])
        first = by
    rows = [row for row in rows if row.matches >= min_count]
    if limit is not None:
        rows = rows[:limit]
    if fmt_name == "table":
        if rows:
            from ..output.screen import print_table

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
    from ..output.vrt import attribute_names

    out: list[Mapping[str, str]] = []
    for doc in positional.headers():
        names = attribute_names(doc.meta)
        out.append({**doc.meta, **{names[field]: value for field, value in doc.meta.items()}, "id": doc.id})
    return out


def layer_numbers(positional: "Positional") -> "Collection[int]":
    """The layer's document numbers that ``positional`` answers for."""
    return range(positional.layer.documents) if positional.selected is None else positional.selected


#: ``--lemma``/``--root`` hits below which ``report_few`` looks at the other readings, and
#: how many times as many ``--readings any`` must find for it to say so.
FEW, MANY_TIMES = 20, 10


def report_few(
    session: Session, run: CqlRun, lemma: str | None, root: str | None, unit: str = "hits"
) -> None:
    """No silent few: ``--lemma``/``--root`` that found a few tokens where ``--readings
    any`` finds ten times as many (a lemma the analyser puts second: كتابة, whose spellings
    read first as the verbal noun of كِتَاب) says how many, as a zero does."""
    if run.any_reading or not run.matches or len(run.matches) >= FEW:
        return
    from .morph import morph_cql

    whole = morph_cql(lemma, root)
    assert whole is not None
    anyway = _count(session, run, whole, any_reading=True)
    found = len(run.matches)
    if anyway >= MANY_TIMES * found:
        said = unit if found != 1 else unit.rstrip("s")
        session.note(f"{found:,} {said}; {anyway:,} with --readings any")


def _count(session: Session, run: CqlRun, query: str, *, any_reading: bool) -> int:
    """How many matches the CQL ``query`` has in ``run``'s layer and documents."""
    from ..query.cql import find_matches, parse

    found = find_matches(
        run.layer,
        parse(query),
        normalizer=session.normalizer,
        selected=run.positional.selected,
        any_reading=any_reading,
    )
    return len(found)


def _report_morph_zero(session: Session, run: CqlRun, lemma: str | None, root: str | None, unit: str) -> None:
    """No silent zero for ``--lemma``/``--root``: how many ``--readings any`` would find;
    else, given both, how many each finds alone; else that no token has that lemma (or
    root) in any of its readings."""
    from .morph import morph_cql

    def count(query: str, any_reading: bool) -> int:
        return _count(session, run, query, any_reading=any_reading)

    whole = morph_cql(lemma, root)
    assert whole is not None
    anyway = 0 if run.any_reading else count(whole, True)
    if anyway:
        session.note(f"0 {unit}; {anyway:,} with --readings any")
    elif lemma is not None and root is not None:
        alone = [
            f"{count(text, run.any_reading):,} with {option} alone"
            for option, text in (
                (f"--lemma {lemma}", morph_cql(lemma, None)),
                (f"--root {root}", morph_cql(None, root)),
            )
            if text is not None
        ]
        session.note("; ".join([f"0 {unit}", *alone]))
    else:
        name, value = ("lemma", lemma) if lemma is not None else ("root", root)
        session.note(f"0 {unit}: no token has the {name} {value} in any of its readings")
