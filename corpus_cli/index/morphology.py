"""Analyse the distinct forms of a corpus (``text.morphology``) and keep the answers.

Each form is analysed once, ever: answers are cached per analyser version in a SQLite
file of the user's cache directory (``CORPUS_CACHE_DIR`` like the indexes), across corpora
and index builds.  Forms not in the cache are analysed by forked workers (one per core,
at most 8), which share the analyser loaded once by the parent before the fork.

``annotate(layer)`` gives an index's token layer its attributes ``lemma``, ``root`` and
``pos`` (``TokenLayer.attribute``): per spelling, the values of its readings, the first
reading's first (the readings ranked by what this corpus attests: ``reading_ranking``):
lemmas unvocalized (as users and the gold data write them), roots as the analyser spells
them, parts of speech coarse (noun, verb, function).  The attributes' headers record
what made them (``made_with``): ``annotated(layer)`` tells when annotating again would
change nothing, and ``corpus index morph`` then returns at once.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache, partial
from itertools import chain, repeat
from pathlib import Path

from ..engines import forking
from ..errors import CorpusError
from ..store.layer import TokenLayer
from ..text.morphology import (
    ANALYSER,
    MORPHOLOGY,
    READING_FORMAT,
    Analyser,
    Reading,
    analysable,
    compound_reading,
    conventional_readings,
    have_analyser,
    lempos,
    missing_analyser,
    modern_spellings,
    unvocalized,
)
from .fingerprint import cache_folder
from .reading_ranking import rank_readings, ranking

#: The version of the attributes made of the readings (``attribute_values``, the lemmas
#: unvocalized): bump it when they change, so that indexes annotated before are again
#: (3: a word of the Uthmani script has the readings of its modern spelling; 4: so has
#: the hamza-less إلى, الى; 5: and a word drawn with tatweel or presentation forms; 6:
#: ب and ل with a pronoun have the preposition's lemma, and nouns that work as
#: prepositions are function words; the attribute lempos; 7: كما, عندما... read as
#: themselves; 8: إلا a function word, and first read as itself).
VALUES_VERSION = 8

#: Forms a worker analyses between two reports to the parent.
BATCH = 200
#: Below this many forms to analyse, forking workers costs more than it saves.
IN_PROCESS = 400

Progress = Callable[[int, int], None]


def cache_path() -> Path:
    """The cache of analyses of this analyser version."""
    name = f"morphology-{ANALYSER.replace(' ', '-')}-v{READING_FORMAT}.sqlite"
    return Path(cache_folder()) / name


class Cache:
    """Readings per form, kept across runs (a form without readings is kept too: it is
    not asked again)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or cache_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=60)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS readings (form TEXT PRIMARY KEY, data TEXT NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            raise CorpusError(f"cannot open the cache of analyses {self.path}: {exc}") from None

    def get(self, forms: Sequence[str]) -> dict[str, list[Reading]]:
        """The cached readings of those of ``forms`` the cache has.  A corpus's forms are
        most of the cache (saudinewsnet: 303,000 forms, all of them): then one pass over
        the whole table is cheaper than 600 look-ups of 500."""
        rows: Iterable[tuple[str, str]]
        if len(forms) * 4 >= self._rows():
            wanted = set(forms)
            rows = (row for row in self.db.execute("SELECT form, data FROM readings") if row[0] in wanted)
        else:
            rows = chain.from_iterable(map(self._look_up, range(0, len(forms), 500), repeat(forms)))
        with paused_gc():  # a million lists and tuples: the collector would walk them all
            return {form: _decoded(data) for form, data in rows}

    def _look_up(self, at: int, forms: Sequence[str]) -> Iterable[tuple[str, str]]:
        chunk = forms[at : at + 500]
        marks = ",".join("?" * len(chunk))
        return self.db.execute(f"SELECT form, data FROM readings WHERE form IN ({marks})", chunk)

    def _rows(self) -> int:
        """At least the rows of the table (its largest rowid: no scan)."""
        last = self.db.execute("SELECT max(rowid) FROM readings").fetchone()[0]
        return int(last or 0)

    def put(self, analysed: dict[str, list[Reading]]) -> None:
        rows = [(form, json.dumps(readings, ensure_ascii=False)) for form, readings in analysed.items()]
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO readings VALUES (?, ?)", rows)

    def close(self) -> None:
        self.db.close()


def _decoded(data: str) -> list[Reading]:
    """A form's readings as the cache keeps them (JSON), with the conventions of
    ``conventional_readings`` now (a row may have been cached before)."""
    return conventional_readings(_readings(json.loads(data)))


def _readings(stored: Sequence[Sequence[str]]) -> list[Reading]:
    """Readings from their fields as stored (JSON lists, all six of them since
    ``READING_FORMAT`` 6; an older row with fewer gets the defaults)."""
    if all(len(fields) == _FIELDS for fields in stored):
        return list(map(_reading, stored))  # tuple.__new__: no call to Python per reading
    return [Reading(*fields) for fields in stored]


_FIELDS = len(Reading._fields)
_reading = partial(tuple.__new__, Reading)


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for a block that makes millions of lists and
    tuples and no cycle: it would walk all of them again and again (reading saudinewsnet's
    readings from the cache: 4.6 s with it, 2 s without)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def analyse(
    forms: Iterable[str],
    *,
    progress: Progress | None = None,
    workers: int | None = None,
    cache: Cache | None = None,
) -> dict[str, list[Reading]]:
    """The readings of each Arabic word among ``forms`` (the others are left out): from
    the cache, the rest analysed now on every core and added to the cache.  Both are
    keyed by the spelling the analyser is given (``analysed_spelling``): a form itself,
    or for a word of the Uthmani script its modern spelling, whose readings it gets."""
    if not have_analyser():
        raise CorpusError(missing_analyser())
    wanted, modern, unasked = _spellings(forms)
    own = cache is None
    store = cache if cache is not None else Cache()
    try:
        found = store.get(wanted)
        missing = [spelling for spelling in wanted if spelling not in found]
        if progress is not None:
            progress(len(found), len(wanted))
        if missing:
            for analysed in _analysed(missing, workers):
                store.put(analysed)
                found.update(analysed)
                if progress is not None:
                    progress(len(found), len(wanted))
        if modern:  # the Uthmani words get the readings of their modern spellings
            theirs = {form: found[spelling] for form, spelling in modern.items()}
            for spelling in unasked:
                del found[spelling]
            found.update(theirs)
        return _with_compounds(found)
    finally:
        if own:
            store.close()


def _with_compounds(found: dict[str, list[Reading]]) -> dict[str, list[Reading]]:
    """``found`` with the conjunctions written with ما (كما, عندما: ``compound_reading``)
    first read as themselves, then as the analyser reads them (ما, عند); with the root of
    the function word the analyser reads first (بينما: بين, as بين has)."""
    for form in [form for form in found if "م" in form[-4:]]:
        first = found[form][0] if found[form] else None
        compound = compound_reading(form, first.root if first is not None and first.pos == "function" else "")
        if compound is not None:
            found[form] = [compound, *found[form]]
    return found


def _spellings(forms: Iterable[str]) -> tuple[list[str], dict[str, str], set[str]]:
    """The spellings the analyser is given for the Arabic words among ``forms`` (the keys
    of the cache: ``analysed_spelling``), sorted; the words given in another spelling,
    with it; and those other spellings that are not among ``forms`` themselves."""
    words = {form for form in forms if analysable(form)}
    modern = modern_spellings(words)
    unasked: set[str] = set()
    if modern:
        spellings = set(modern.values())
        unasked = spellings.difference(words)
        words.difference_update(modern)
        words.update(spellings)
    return sorted(words), modern, unasked


def all_cached(forms: Iterable[str], cache: Cache) -> bool:
    """Would ``analyse(forms)`` find every Arabic word among them in ``cache`` (and so
    never load the analyser)?"""
    wanted = _spellings(forms)[0]
    return len(cache.get(wanted)) == len(wanted)


def _team_size(workers: int | None, forms: int) -> int:
    if not hasattr(os, "fork") or forms < IN_PROCESS:
        return 1
    if workers is None:
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:
            workers = os.cpu_count() or 1
        workers = min(workers, 8)
    return max(1, min(workers, forms // BATCH + 1))


def _analysed(forms: list[str], workers: int | None) -> Iterable[dict[str, list[Reading]]]:
    """Batches of analysed forms, from forked workers (or this process)."""
    analyser = Analyser()  # loaded once, before the fork: the workers share its memory
    batches = [forms[at : at + BATCH] for at in range(0, len(forms), BATCH)]
    size = _team_size(workers, len(forms))
    if size == 1:
        for batch in batches:
            yield {form: analyser.readings(form) for form in batch}
        return

    def work(worker: int, out: int) -> None:
        for batch in batches[worker::size]:
            forking.send(out, {form: analyser.readings(form) for form in batch})

    pids: list[int] = []
    pipes: list[int] = []
    try:
        for worker in range(size):
            pid, pipe = forking.start(lambda out, worker=worker: work(worker, out))  # type: ignore[misc]
            pids.append(pid)
            pipes.append(pipe)
        for number in range(len(batches)):
            received = forking.receive(pipes[number % size], "an analysing worker")
            yield {form: _readings(readings) for form, readings in received.items()}
    finally:
        forking.stop(pids, pipes)


#: Lemmas unvocalized once each (saudinewsnet: 84,000 lemmas over 1.1 million readings).
_unvocalized = lru_cache(maxsize=1 << 17)(unvocalized)


def attribute_values(readings: Sequence[Reading], name: str) -> list[str]:
    """The distinct values of attribute ``name`` over a form's ``readings``, the first
    reading's first, even when it has none (""): في, first the preposition, has no root,
    though its reading as the verb وَفَى has one (وفي, for ``--readings any``)."""
    values: list[str] = []
    for number, reading in enumerate(readings):
        if name == "lemma":
            value = _unvocalized(reading.lemma)
        elif name == "root":
            value = reading.root
        elif name == "lempos":
            value = lempos(_unvocalized(reading.lemma), reading.pos)
        else:
            value = reading.pos
        if (value or number == 0) and value not in values:
            values.append(value)
    return values


def layer_counts(layer: TokenLayer) -> dict[str, int]:
    """The tokens of each spelling of ``layer`` (of all its kinds: one spelling may be
    in its lexicon twice)."""
    offsets = layer.array("posting_offsets")
    counts: dict[str, int] = {}
    for number, spelling in enumerate(layer.forms()):
        counts[spelling] = counts.get(spelling, 0) + offsets[number + 1] - offsets[number]
    return counts


def annotate(
    layer: TokenLayer,
    *,
    progress: Progress | None = None,
    workers: int | None = None,
    counts: Mapping[str, int] | None = None,
) -> dict[str, list[Reading]]:
    """Analyse the spellings of ``layer`` (an index's) and keep its attributes beside it,
    each spelling's readings ranked by what this corpus attests (``rank_readings``).
    ``counts``: the tokens of each spelling of the whole corpus, when ``layer`` holds
    only some of its documents (``--doc`` without an index): the readings are then
    ranked as the whole corpus's index ranks them."""
    spellings = layer.forms()
    if counts is None:
        every = analyse(spellings, progress=progress, workers=workers)
        with paused_gc():
            analysed = rank_readings(every, layer_counts(layer))
    else:
        every = analyse([*spellings, *counts], progress=progress, workers=workers)
        with paused_gc():
            analysed = rank_readings(every, counts)
        mine = set(spellings)
        analysed = {form: readings for form, readings in analysed.items() if form in mine}
    readings = [analysed.get(spelling, []) for spelling in spellings]
    # Ranked by another corpus's counts, the attributes are not what ``annotated`` expects.
    about = {"made_with": made_with(), "forms": len(analysed)} if counts is None else None
    for name in MORPHOLOGY:
        with paused_gc():
            values = [attribute_values(r, name) for r in readings]
        layer.save_attribute(name, values, made_by=ANALYSER, about=about)
    return analysed


def made_with() -> dict[str, str | int]:
    """What makes an index's attributes, besides its layer: the analyser, how its readings
    are read (the cache), ranked, and turned into values.  The same again gives the same
    attributes, byte for byte."""
    return {
        "analyser": ANALYSER,
        "reading_format": READING_FORMAT,
        "ranking": ranking(),
        "values": VALUES_VERSION,
    }


def annotated(layer: TokenLayer) -> int | None:
    """The Arabic word forms analysed into the attributes of ``layer`` (an index's) when
    they are all there, made for this build of the layer by ``annotate`` as it would make
    them now (``made_with``): then annotating it again would change nothing.  None
    otherwise."""
    if layer.path is None:
        return None
    forms: set[object] = set()
    for name in MORPHOLOGY:
        about = layer.attribute_about(name)
        if about is None or about.get("made_with") != made_with():
            return None
        forms.add(about.get("forms"))
    (count,) = forms if len(forms) == 1 else (None,)
    return count if isinstance(count, int) else None
