"""``--lemma``, ``--root`` and ``--readings``: the morphology as a command's node.

``--lemma وزير`` is the CQL query ``[lemma="وزير"%l]`` and ``--root كتب`` is
``[root="كتب"%l]`` (both: one token with both), so that every command that takes
``--cql`` takes them, with the same hits as ``corpus query``.  The attributes come
from the index (``corpus index build --morph``); a layer built in memory (a corpus
without an index) is analysed when a command first asks for one of them, from the
cache of analyses, so its answers are those of the index.
"""

import re
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import CorpusError
from ..text.morphology import MORPHOLOGY
from .options import MATCH_PANEL, OUTPUT_PANEL
from .session import Session

if TYPE_CHECKING:
    from ..query.kwic import HitAnalysis
    from ..query.morphology import AttributeKeys
    from ..store.layer import TokenLayer
    from .documents import Positional


class Readings(str, Enum):
    first = "first"
    any = "any"


LemmaOpt = Annotated[
    str | None,
    typer.Option(
        "--lemma",
        metavar="LEMMA",
        help="In place of PATTERN: the tokens whose lemma is LEMMA (written with or without "
        "its vowel marks: وزير, كتب). Needs the morphology: pip install 'corpus-cli\\[morph]'.",
        rich_help_panel=MATCH_PANEL,
        show_default=False,
    ),
]
RootOpt = Annotated[
    str | None,
    typer.Option(
        "--root",
        metavar="ROOT",
        help="In place of PATTERN: the tokens whose root is ROOT (كتب, ك ت ب or ك-ت-ب; a hamza "
        "on any seat is one letter, weak radicals as the analyser writes them: و or ي). With "
        "--lemma: both.",
        rich_help_panel=MATCH_PANEL,
        show_default=False,
    ),
]
ReadingsOpt = Annotated[
    Readings,
    typer.Option(
        "--readings",
        help="lemma, root and pos of a token: its first reading's (as 'corpus analyze' marks "
        "it), or any of its readings'.",
        rich_help_panel=MATCH_PANEL,
        case_sensitive=False,
    ),
]


def morph_cql(lemma: str | None, root: str | None) -> str | None:
    """The CQL query that ``--lemma``/``--root`` stand for (None: neither given)."""
    conditions = [
        f'{name}="{value.replace(chr(34), chr(34) * 2)}"%l'
        for name, value in (("lemma", lemma), ("root", root))
        if value is not None
    ]
    return f"[{' & '.join(conditions)}]" if conditions else None


def node_query(
    command: str, pattern: str | None, cql: str | None, lemma: str | None, root: str | None
) -> str | None:
    """The CQL query a command runs, or None when PATTERN is the node: exactly one of
    PATTERN, ``--cql`` and ``--lemma``/``--root``, else a usage error (exit 2)."""
    morph = morph_cql(lemma, root)
    given = [
        name
        for name, value in (("PATTERN", pattern), ("--cql", cql), ("--lemma/--root", morph))
        if value is not None
    ]
    if len(given) > 1:
        raise CorpusError(f"{' and '.join(given)}: give one of them; see 'corpus {command} --help'")
    if not given:
        raise CorpusError(
            f"missing PATTERN (or --cql CQL, --lemma LEMMA, --root ROOT); see 'corpus {command} --help'"
        )
    return cql if cql is not None else morph


def refuse_readings(readings: Readings, node: str | None, why: str = "PATTERN has no readings") -> None:
    """``--readings any`` says how lemma, root and pos match: without a query that tests
    them (``--lemma``, ``--root``, ``--cql``), a usage error that says ``why``."""
    if readings is Readings.any and node is None:
        raise CorpusError(f"--readings any is for --lemma, --root or --cql ({why})")


def ensure_attributes(session: Session, layer: "TokenLayer", names: Iterable[str]) -> None:
    """Give ``layer`` the morphology attributes among ``names`` that it lacks: a layer
    built in memory is analysed now (from the cache of analyses; the forms not in it by
    the analyser, with a progress bar); an index's layer without them is an error that
    says how to add them."""
    wanted = [name for name in MORPHOLOGY if name in set(names)]
    if not wanted:
        return
    if layer.path is not None:  # an index's: analysed again when an earlier version analysed it
        if analysis_state(layer) == OUTDATED:
            _annotate_again(session, layer)
        missing = [name for name in wanted if layer.attribute(name) is None]
        if missing:
            raise CorpusError(
                f"this corpus's index has no {missing[0]}: analyse it with 'corpus index morph' "
                "(or build it with 'corpus index build --morph')"
            )
        return
    if all(layer.attribute(name) is not None for name in wanted):
        return
    from ..index.morphology import annotate
    from ..text.morphology import have_analyser, missing_analyser
    from .documents import LateBar

    if not have_analyser():
        raise CorpusError(missing_analyser())
    bar = LateBar(session.env, "analysing")
    try:
        annotate(layer, progress=bar, counts=layer.corpus_counts() if layer.corpus_counts else None)
    finally:
        bar.close()


#: ``analysis_state``'s answers.
CURRENT, OUTDATED, NONE = "current", "outdated", "none"


def analysis_state(layer: "TokenLayer") -> str:
    """Whether an index's layer has the morphology's attributes as this version would make them
    (``CURRENT``: ``index.morphology.annotated``), made by an earlier one: another analyser,
    reading format, ranking or way of making values (``OUTDATED``), or has none (``NONE``)."""
    from ..index.morphology import annotated

    if all(layer.attribute_about(name) is None for name in MORPHOLOGY):
        return NONE
    return CURRENT if annotated(layer) is not None else OUTDATED


def _annotate_again(session: Session, layer: "TokenLayer") -> None:
    """Analyse an index's layer again whose attributes an earlier version made (its lemma
    counts would differ from a new index's): from the cache of analyses, about 10 s for
    saudinewsnet; without the analyser, the old attributes serve, and a note says so."""
    from ..index.morphology import annotate
    from ..text.morphology import have_analyser
    from .documents import LateBar

    if not have_analyser():
        session.note(
            "this index's lemmas, roots and parts of speech were made by an earlier version: "
            "install corpus-cli[morph] and run 'corpus index morph' to bring them up to date"
        )
        return
    session.note(
        "this index's lemmas, roots and parts of speech were made by an earlier version: analysing again"
    )
    bar = LateBar(session.env, "analysing")
    try:
        annotate(layer, progress=bar)
    finally:
        bar.close()
    layer.__dict__.pop("_attribute_keys", None)  # keys made of the old values


class Attr(str, Enum):
    """What ``--attr`` counts a word as (``freq``, ``collocates``, ``keywords``)."""

    lemma = "lemma"
    root = "root"
    pos = "pos"
    lempos = "lempos"


def attribute_keys(session: Session, layer: "TokenLayer", attr: Attr) -> "AttributeKeys":
    """The keys ``--attr`` counts over ``layer`` (analysed first when it is built in memory:
    ``ensure_attributes``)."""
    from ..query.morphology import attribute_keys as keys_of

    ensure_attributes(session, layer, [attr.value])
    return keys_of(layer, session.normalizer, attr.value)


#: The words a ``--attr`` list leaves out, as its note says.
_WITHOUT = {
    Attr.root: "numbers, Latin, words the analyser does not know, words whose first reading has "
    "no root, such as في",
    Attr.pos: "numbers, Latin, words the analyser does not know",
    Attr.lempos: "numbers, Latin, words the analyser does not know",
}


def left_out_note(session: Session, attr: Attr, left_out: int, total: int, ngram: int = 1) -> None:
    """Say how many words a ``root`` or ``pos`` list leaves out: those whose first reading
    has none (numbers, Latin words, words the analyser does not know; for a root, function
    words such as في), counted in the totals; with ``ngram`` N, the runs of N words that
    hold such a word."""
    if attr is not Attr.lemma and left_out:
        share = f" ({left_out / total:.1%})" if total else ""
        if ngram == 1:
            what = f"words{share} have no {attr.value}"
        else:
            what = f"{ngram}-grams{share} hold a word with no {attr.value}"
        session.note(
            f"{left_out:,} of {total:,} {what} ({_WITHOUT[attr]}): left out of the list, counted in "
            "the totals"
        )


AnalysisOpt = Annotated[
    bool,
    typer.Option(
        "--analysis",
        help="Add the columns lemma, root and pos to each hit: its token's first reading (as "
        "'corpus analyze' marks it; a hit of several tokens: theirs, joined by a space, _ for "
        "a token without one; a hit inside a word: empty). Needs the morphology: pip install "
        "'corpus-cli\\[morph]'.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]


def hit_analysis(session: Session, positional: "Positional | None" = None) -> "HitAnalysis":
    """``--analysis``: the lemma, root and pos of hits, from ``positional`` (the layer that
    answered a ``--cql``/``--lemma`` query) or the index's token layer, or one built in
    memory and analysed now (as ``--lemma`` would)."""
    from ..query.kwic import ANALYSIS_COLUMNS, HitAnalysis
    from ..text.morphology import have_analyser, missing_analyser

    if positional is None:
        positional = session.source.positional() or session.source.positional(in_memory=True)
    if positional is None:
        if session.source.index is not None:
            raise CorpusError(
                "--analysis needs the token layer of the index: rebuild it with 'corpus index build --morph'"
            )
        from ..store.layer import missing_numpy

        raise CorpusError(f"--analysis {missing_numpy()}")
    layer = positional.layer
    if not have_analyser() and any(layer.attribute(name) is None for name in ANALYSIS_COLUMNS):
        raise CorpusError(missing_analyser())
    ensure_attributes(session, layer, ANALYSIS_COLUMNS)
    return HitAnalysis(layer, positional.headers)


#: A pattern that is a word as written (no regular expression), which the no-silent-zero
#: report may also read as a lemma or a root.
_WORD = re.compile(r"[^\s.*+?()\[\]{}|\\^$]+")
#: Up to this many characters, a corpus without an index gets a layer built in memory for
#: the no-silent-zero report's lemma and root (when its forms are analysed already).
IN_MEMORY_HINTS_UP_TO = 5_000_000


def zero_hints(session: Session, pattern: str) -> list[str]:
    """No silent zero for a PATTERN that finds nothing: how many hits ``--lemma PATTERN``
    and ``--root PATTERN`` have, when the morphology is at hand without analysing
    anything (the index has it; or, without an index, a small corpus whose forms are all
    in the cache of analyses); those with none are not said, nor anything otherwise."""
    from ..query.cql import find_matches, parse

    if not _WORD.fullmatch(pattern):
        return []
    positional = _analysed_at_hand(session)
    if positional is None:
        return []
    hints = []
    for option, lemma, root in (("--lemma", pattern, None), ("--root", None, pattern)):
        text = morph_cql(lemma, root)
        assert text is not None
        matches = find_matches(
            positional.layer, parse(text), normalizer=session.normalizer, selected=positional.selected
        )
        if matches:
            hints.append(f"{len(matches):,} with {option} {pattern}")
    return hints


def _analysed_at_hand(session: Session) -> "Positional | None":
    """The token layer with its lemma and root, if they cost no analysis: the index's
    (None when it lacks them), or without an index, one built in memory for a small
    corpus whose every Arabic form is in the cache of analyses."""
    from ..text.morphology import have_analyser

    source = session.source
    names = ("lemma", "root")
    positional = source.positional()
    if positional is not None:
        return positional if all(positional.layer.attribute(name) is not None for name in names) else None
    if source.index is not None or not have_analyser():
        return None
    from ..index.morphology import Cache, all_cached, cache_path
    from .documents import BIG_CORPUS

    path = cache_path()
    if not path.exists() or len(source.sources) >= BIG_CORPUS:  # many files: not even loaded
        return None
    if sum(len(doc.text) for doc in source.corpus.documents) > IN_MEMORY_HINTS_UP_TO:
        return None
    positional = source.positional(in_memory=True)
    if positional is None:
        return None
    forms = set(positional.layer.forms())
    if positional.layer.corpus_counts is not None:  # --doc/--where: ranked over them all
        forms.update(positional.layer.corpus_counts())
    cache = Cache(path)
    try:
        if not all_cached(forms, cache):
            return None  # the analyser would be loaded: say nothing
    finally:
        cache.close()
    ensure_attributes(session, positional.layer, names)
    return positional
