"""``corpus analyze WORD...``: every morphological reading of each word, the first marked.

The readings of a word are shown in the order its tokens in the corpus carry them: an
index ranks each spelling's readings by what the whole corpus attests
(``index.reading_ranking.rank_readings``) before it keeps their values as the attributes
lemma, root and pos.  With an analysed index, that order is read back from the attributes
of the word's spelling (``stored_order``: no ranking of the whole corpus again); without
an index, from those of a token layer built and analysed in memory, as a command that
asks for them then does (``cli.morph.ensure_attributes``).  A word the corpus does not
hold keeps the analyser's order, and so does every word when no corpus is named (a quick
look-up, out of any corpus).
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

from ...errors import CorpusError
from ...text.morphology import ANALYSIS, MORPHOLOGY
from ..application import command
from ..options import FormatOpt, NoHeaderOpt
from ..session import Session

if TYPE_CHECKING:
    from ...store.layer import TokenLayer
    from ...text.morphology import Reading

COLUMNS = [
    "word",
    "reading",
    "first",
    "lemma",
    "root",
    "pos",
    "tag",
    "pattern",
    "stem",
    "ranked_by",
    "analyser_rank",
]

#: ``ranked_by``: the readings in the order the corpus's tokens carry them.
BY_CORPUS = "corpus"
#: ``ranked_by``: the readings in the analyser's own order (the corpus does not rank them).
BY_ANALYSER = "analyser"


class Shown(NamedTuple):
    """A word's readings as shown: ``order`` numbers ``readings`` (from 0: the analyser's,
    and in a corpus those of the spellings with a hamza that a hamza-less word may stand
    for, ``with_hamza_readings``) in the order shown; ``ranked_by`` says whose order it is."""

    order: list[int]
    ranked_by: str
    readings: list["Reading"]


@command(
    "analyze",
    shared=("corpus", "glob", "text_field", "id_field", "encoding", "norm", "fold", "keep", "color", "index"),
    rich_help_panel="Commands",
)
def analyze(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="WORD...",
            help="The words to analyse, each as spelled (the corpus's tokens of that spelling "
            "give its order).",
            show_default=False,
        ),
    ],
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Print every reading of each WORD: lemma, root, part of speech (noun,
    verb, function and the analyser's own tag), pattern and stem, in the
    order the tokens of the corpus carry them.

    A corpus named by --corpus or CORPUS_PATH ranks each spelling's
    readings by what its other words attest, and its tokens carry the first
    (first = yes): the lemma, root and pos that 'corpus query', --lemma,
    --root and --attr see. Without one, the readings are in the analyser's
    order. That order is read from the
    index when it is analysed ('corpus index morph'); without an index, the
    corpus is analysed in memory, as those commands then do. ranked_by says
    whose order a word's readings are in: corpus, or analyser for a word
    the corpus does not hold as spelled, and for every word when its index
    is not analysed. analyser_rank is a reading's place in the analyser's
    own order (out of context). In a corpus, a word written with a bare
    initial alef (ايران, انه) also has the first reading of each spelling
    with a hamza (إيران; أنه, إنه) that the corpus writes more often:
    those readings have no analyser_rank. An Arabic word the analyser does not know
    is a noun of its own (tag unknown); a word that is not Arabic has no
    reading (one row, reading 0). Analyses are cached in the cache
    directory (CORPUS_CACHE_DIR). Needs the extra: pip install
    'corpus-cli\\[morph]'.
    """
    from ...index.morphology import analyse

    session = Session(ctx)
    fmt_name = session.table_or(fmt, "tsv")
    if fmt_name not in ("table", "tsv", "csv", "jsonl", "xlsx"):
        raise CorpusError(f"analyze writes table, tsv, csv, jsonl or xlsx, not {fmt_name}")
    analysed = analyse(words)
    shown = corpus_orders(session, {word: analysed.get(word, []) for word in words})
    rows: list[dict[str, object]] = []
    for word in words:
        readings = analysed.get(word, [])
        if not readings:
            rows.append({"word": word, "reading": 0, **dict.fromkeys(COLUMNS[2:], "")})
            continue
        order, ranked_by, readings = shown[word]
        for number, at in enumerate(order, 1):
            rows.append(
                {
                    "word": word,
                    "reading": number,
                    "first": "yes" if number == 1 else "no",
                    **readings[at]._asdict(),
                    "ranked_by": ranked_by,
                    "analyser_rank": at + 1 if at < len(analysed[word]) else "",
                }
            )
    if fmt_name == "table":
        from ...output.screen import print_table

        print_table(
            session.env,
            session.color,
            COLUMNS,
            [[row[c] for c in COLUMNS] for row in rows],
            numeric=("reading", "analyser_rank"),
        )
        return
    from ...output.records import RowWriter

    writer = RowWriter(session.stdout, fmt_name, COLUMNS, header=not no_header, bom=session.settings.bom)
    for row in rows:
        writer.write(row)
    writer.close()


def corpus_orders(session: Session, readings_of: Mapping[str, list["Reading"]]) -> dict[str, Shown]:
    """Per word with readings, the order its tokens in the corpus carry them, read from the
    attributes lemma, root and pos of the corpus's token layer (``stored_order``): the
    index's, brought up to date first as every command does (``ensure_attributes``), or
    without an index one built and analysed in memory as those commands analyse it.  The
    analyser's order for a word the corpus does not hold, and for every word when the
    corpus's tokens carry no reading (an index not analysed, or without numpy)."""
    from ..morph import ensure_attributes

    words = [word for word, readings in readings_of.items() if readings]
    analyser = {word: _in_analyser_order(readings_of[word]) for word in words}
    if not words or not session.paths:  # no corpus named: a quick look-up, out of any corpus
        return analyser
    source = session.source
    positional = source.positional()
    if positional is None and source.index is not None:
        session.note(
            "this corpus's index has no token layer, so its tokens carry no reading: the readings "
            "are in the analyser's order (rebuild it with 'corpus index build --morph')"
        )
        return analyser
    if positional is not None and any(positional.layer.attribute(name) is None for name in MORPHOLOGY):
        session.note(
            "this corpus's index is not analysed, so its tokens carry no reading: the readings "
            "are in the analyser's order (analyse it with 'corpus index morph')"
        )
        return analyser
    if positional is None:
        positional = source.positional(in_memory=True)
        if positional is None:
            from ...store.layer import missing_numpy

            session.note(f"the readings are in the analyser's order ({missing_numpy()})")
            return analyser
    layer = positional.layer
    ensure_attributes(session, layer, MORPHOLOGY)
    joined = _with_hamza_readings(layer, {word: readings_of[word] for word in words})
    shown = {word: _from_attributes(session, layer, word, joined[word]) for word in words}
    absent = [word for word, found in shown.items() if found is None]
    if absent:
        session.note(f"not in this corpus as spelled: {', '.join(absent)}: readings in the analyser's order")
    return {word: found or analyser[word] for word, found in shown.items()}


def _in_analyser_order(readings: list["Reading"]) -> Shown:
    return Shown(list(range(len(readings))), BY_ANALYSER, readings)


def _with_hamza_readings(
    layer: "TokenLayer", readings_of: Mapping[str, list["Reading"]]
) -> dict[str, list["Reading"]]:
    """Each word's readings as the corpus ranks them: for a word with a hamza-less initial
    alef, with those of the spellings with a hamza that the corpus writes more often
    (``with_hamza_readings``, as ``rank_readings`` joins them)."""
    from ...index.morphology import analyse
    from ...index.reading_ranking import with_hamza_readings
    from ...text.morphology import hamza_spellings

    spellings = {spelling for word in readings_of for spelling in hamza_spellings(word)}
    counts = {form: _tokens(layer, form) for form in {*spellings, *readings_of}}
    theirs = analyse([spelling for spelling in spellings if counts[spelling]])
    return {
        word: with_hamza_readings(word, readings, theirs, counts) for word, readings in readings_of.items()
    }


def _tokens(layer: "TokenLayer", spelling: str) -> int:
    """The tokens of ``spelling`` in ``layer`` (of all its kinds)."""
    return sum(layer.frequency(number) for number in layer.find_form(spelling))


def _from_attributes(
    session: Session, layer: "TokenLayer", word: str, readings: list["Reading"]
) -> Shown | None:
    """The order of ``readings`` that the attributes of ``layer`` (an index's, or one
    analysed in memory) keep for ``word`` (None: not a spelling of the corpus); said in a
    note when they were made of other readings than the cache has now."""
    stored = stored_values(layer, word)
    if stored is None:
        return None
    order = stored_order(readings, stored)
    if order is not None:
        return Shown(order, BY_CORPUS, readings)
    # Attributes made from other readings than the cache's now (analysed again since).
    firsts = tuple(values[0] for values in stored.values())
    from ...index.morphology import attribute_values
    from ...index.reading_ranking import evidence_key

    carried = [
        at
        for at, reading in enumerate(readings)
        if tuple(attribute_values([reading], name)[0] for name in MORPHOLOGY) == firsts
    ]
    described = ", ".join(
        f"{name} {value or '(none)'}"
        for name, value in zip(MORPHOLOGY, firsts, strict=True)
        if name in ANALYSIS  # lempos says it again
    )
    if not carried:
        session.note(
            f"{word}: its tokens carry {described}, of none of its readings now: the readings are "
            "in the analyser's order (analyse the index again with 'corpus index morph')"
        )
        return _in_analyser_order(readings)
    session.note(
        f"{word}: the index's attributes were made from other readings than the cache's now; "
        f"first, the one with the {described} its tokens carry (analyse the index again with "
        "'corpus index morph')"
    )
    keys = [evidence_key(reading) for reading in readings]
    return Shown(_moved(list(range(len(readings))), keys, keys[carried[0]]), BY_CORPUS, readings)


def stored_values(layer: "TokenLayer", word: str) -> dict[str, list[str]] | None:
    """The values of lemma, root and pos that ``layer`` keeps for spelling ``word`` (its
    readings', first the first's), or None when the corpus has no such spelling or keeps
    no value for it."""
    for number in layer.find_form(word):
        stored: dict[str, list[str]] = {}
        for name in MORPHOLOGY:
            attribute = layer.attribute(name)
            assert attribute is not None
            offsets = attribute.offsets
            numbers = attribute.readings[offsets[number] : offsets[number + 1]]
            stored[name] = [attribute.values[value] for value in numbers]
        if all(stored.values()):
            return stored
    return None


def stored_order(readings: Sequence["Reading"], stored: Mapping[str, Sequence[str]]) -> list[int] | None:
    """The order of ``readings`` (the analyser's) whose attribute values are ``stored``, as
    ``rank_readings`` orders them: it moves first every reading of one ``evidence_key``,
    and then maybe those of another (an adjective's masculine), the rest kept in order.
    Of the orders it can make, the first whose values (``attribute_values``) are the
    stored ones; None when none is (the attributes were made of other readings).  On
    saudinewsnet, the order of each of its 303,159 analysed forms is the ranking's own."""
    from ...index.morphology import attribute_values
    from ...index.reading_ranking import evidence_key

    keys = [evidence_key(reading) for reading in readings]
    wanted = {name: list(values) for name, values in stored.items()}
    for order in _rankable_orders(keys):
        ordered = [readings[at] for at in order]
        if all(attribute_values(ordered, name) == values for name, values in wanted.items()):
            return order
    return None


def _rankable_orders(keys: Sequence[object]) -> Iterator[list[int]]:
    """The orders ``rank_readings`` can give readings whose evidence keys are ``keys``:
    the analyser's, one key's readings moved first, or one's and then another's (a few
    hundred at most, for the three words one asks about: no corpus is ranked)."""
    analysers = list(range(len(keys)))
    yield analysers
    distinct = list(dict.fromkeys(keys))
    once = [_moved(analysers, keys, key) for key in distinct]
    yield from once
    for moved in once:
        for key in distinct:
            yield _moved(moved, keys, key)


def _moved(order: list[int], keys: Sequence[object], key: object) -> list[int]:
    """``order`` with the readings whose key is ``key`` moved first, each part in order."""
    return [at for at in order if keys[at] == key] + [at for at in order if keys[at] != key]
