"""A search without an index over many files: read, decode and pre-filter on every core.

Reading and decoding 31,000 files, then looking for a query in all of them, is most of
a cold ``grep``.  Here worker processes (``fork``: they inherit the query, nothing is
pickled on the way in) read chunks of the corpus's files with the same ``Reader`` as
``load_corpus``, and keep the text only of the documents that *may* hold the query:
those where the query's expansion over the original text (``Query.raw``) matches, or
whose text it cannot judge (``judgeable``).  When the caller says how it will search
them (``search_lines``' arguments, ``LineSearch``), the workers run that very search
and send the selected lines.  The parent receives the chunks in corpus order; the
answers are those of a search over every document, by construction (the same argument
as the index's candidates).  Documents get their ids in the parent, in order, exactly
as ``load_corpus`` gives them.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from ..errors import CorpusError
from ..query.pattern import Query
from ..query.search import LineData, LineSearch, judged_text, search_lines
from ..store.corpus import Document, Source, unique_id
from ..store.readers import Item, Reader, ReadOptions
from ..text.normalize import Normalizer, judgeable
from . import forking

#: Files per chunk: small enough to balance the workers and to stop soon after
#: ``--limit``, large enough that a chunk's round trip costs little.
CHUNK_FILES = 128


class Found(NamedTuple):
    """A document that may match, as a worker sends it."""

    text: str  # "" when the caller needs only ``lines``
    normalized: str | None  # its normalized text, when the worker made it
    lines: list[LineData] | None  # its selected lines, when the worker searched it


class Chunk(NamedTuple):
    """What a worker sends back for a run of files."""

    #: id, path, metadata, argument, and what may match (None: it cannot)
    items: list[tuple[str, str, dict[str, str], str, Found | None]]
    warnings: list[str]
    error: str | None


#: Set in the parent before the workers are forked (they inherit it).  An iteration left
#: unfinished (``grep -q``) is closed when it is collected, maybe while a later run's
#: workers are being forked: it clears the job only if it is still its own.
_job: dict[str, Any] = {}


class Sieve(NamedTuple):
    """What a worker tests a text with, cheapest first (see ``may_match``)."""

    anchor: str  # the normalized literal that every hit's normalized text contains
    rough: Any  # the expansion from the query's rarest fixed letter on (``Query.rough``)
    raw: Any  # the whole expansion (``Query.raw``)
    normalizer: Normalizer


def sieve(query: Query) -> Sieve | None:
    """The sieve of ``query``; None when it has no expansion (every text may match)."""
    anchor = query.index_literal()
    if query.raw is None or anchor is None:
        return None
    return Sieve(anchor, query.rough, query.raw, query.normalizer)


def may_match(text: str, sieve: Sieve, presentation_free: bool = False) -> bool:
    """Can ``text`` hold a hit?  False only when it is certain that it cannot.

    A text that holds the anchor as it is may (a candidate, however rare, is only
    searched in vain); one that the expansion, or its tail from the rarest letter, does
    not match cannot, if the expansion can judge it (``judgeable``); any other text is
    normalized here, in the worker, and must contain the anchor.
    """
    if sieve.anchor in text:
        return True
    judged = judgeable(text, sieve.normalizer, sieve.anchor, presentation_free=presentation_free)
    if judged is None:
        normalized = sieve.normalizer.normalize(text)
        if sieve.raw.flags & re.IGNORECASE:  # the expansion's case rule (``compile_query``)
            return re.search(re.escape(sieve.anchor), normalized, re.IGNORECASE) is not None
        return sieve.anchor in normalized
    return sieve.rough.search(judged) is not None and sieve.raw.search(judged) is not None


def candidates(
    sources: Sequence[Source],
    options: ReadOptions,
    query: Query | None,
    *,
    warn: Callable[[str], None] | None = None,
    workers: int | None = None,
    search: LineSearch | None = None,
    keep_text: bool = True,
) -> Iterator[Document]:
    """The documents of ``sources`` that may match ``query`` (every one when None), in
    order.  Stopping the iteration early (``--limit``, ``-q``, a closed pipe) stops the
    workers.

    ``search``: how the caller will call ``search_lines`` on each document; the workers
    then search too, and the documents carry their selected lines (``Document.searched``).
    ``keep_text`` False: the caller needs nothing of a searched document but those lines,
    so its text is not sent (it is ``""``).
    """
    normalizer = query.normalizer if query is not None else None
    run = object()  # this run's job: a generator of an earlier run, closed late, leaves it be
    _job.update(
        run=run,
        sources=sources,
        options=options,
        query=query,
        sieve=sieve(query) if query else None,
        search=search if query is not None else None,
        keep_text=keep_text,
    )
    ranges = [(i, min(i + CHUNK_FILES, len(sources))) for i in range(0, len(sources), CHUNK_FILES)]
    team = _Team(min(workers or os.cpu_count() or 1, 8, len(ranges)), ranges)
    try:
        seen: set[str] = set()
        for chunk in team.results():
            for message in chunk.warnings:
                if warn is not None:
                    warn(message)
            for doc_id, path, meta, arg, found in chunk.items:
                unique = unique_id(doc_id, arg, seen)
                if found is None:
                    continue
                doc = Document(unique, path, found.text, meta)
                if found.normalized is not None and normalizer is not None:
                    doc.prepared = (normalizer, found.normalized)
                if found.lines is not None and search is not None:
                    doc.searched = (query, tuple(search), found.lines, not keep_text)
                yield doc
            if chunk.error is not None:
                raise CorpusError(chunk.error)
    finally:
        team.stop()
        if _job.get("run") is run:
            _job.clear()


class _Team:
    """Forked workers, each with a pipe of its own: worker ``w`` reads chunks ``w``,
    ``w + n``, ``w + 2n``… and writes each result, pickled and length-prefixed, to its
    pipe; the parent reads chunk ``i`` from pipe ``i mod n``, so results come in order.

    No threads and no shared queue (``multiprocessing.Pool`` has both, and its
    ``terminate`` can hang at interpreter exit): a full pipe makes a worker wait, and
    stopping is a SIGKILL to each worker and a ``waitpid``.
    """

    def __init__(self, size: int, ranges: list[tuple[int, int]]) -> None:
        self.ranges = ranges
        self.pipes: list[int] = []
        self.pids: list[int] = []
        for worker in range(size):
            pid, pipe = forking.start(functools.partial(_read_chunks, ranges[worker::size]))
            self.pids.append(pid)
            self.pipes.append(pipe)

    def results(self) -> Iterator[Chunk]:
        size = len(self.pipes)
        for i in range(len(self.ranges)):
            yield forking.receive(self.pipes[i % size], "a worker process reading the corpus")

    def stop(self) -> None:
        forking.stop(self.pids, self.pipes)


def _read_chunks(ranges: list[tuple[int, int]], out: int) -> None:
    """In a worker: read each run of files of ``ranges``, send each chunk to ``out``."""
    for bounds in ranges:
        forking.send(out, _read_chunk(bounds))


def _read_chunk(bounds: tuple[int, int]) -> Chunk:
    """In a worker: read ``sources[start:stop]``, keep the texts that may match, and
    search them when the caller said how (``candidates``)."""
    sources: Sequence[Source] = _job["sources"]
    test: Sieve | None = _job["sieve"]
    query: Query | None = _job["query"]
    warnings: list[str] = []
    reader = Reader(_job["options"], warnings.append)
    items: list[tuple[str, str, dict[str, str], str, Found | None]] = []
    try:
        for name, path, arg in sources[bounds[0] : bounds[1]]:
            if path is None:
                continue  # stdin is never scanned here
            for item in reader.read_file(name, path):
                if test is not None and not may_match(item.text, test, item.presentation_free):
                    items.append((item.id, item.path, item.meta, arg, None))
                    continue
                found = Found(item.text, None, None)
                if query is not None:
                    found = _search(item, query)
                items.append((item.id, item.path, item.meta, arg, found))
    except CorpusError as exc:
        return Chunk(items, warnings, str(exc))
    return Chunk(items, warnings, None)


#: A worker sends a document's selected lines instead of its text up to this many
#: lines or characters; past them, the parent searches the text itself (streaming).
MAX_LINES = 10_000
MAX_CHARS = 1 << 22


def _search(item: Item, query: Query) -> Found:
    """In a worker: what the parent needs to search a candidate, done here on another
    core: its selected lines (``search``), else its normalization, if the expansion
    cannot judge its text (``search.search_lines`` then normalizes the whole text)."""
    normalizer = query.normalizer
    normalized = None
    if judged_text(item.text, query, item.presentation_free) is None:
        normalized = normalizer.normalize(item.text)
    search: LineSearch | None = _job["search"]
    if search is None:
        return Found(item.text, normalized, None)
    doc = Document(item.id, item.path, item.text, item.meta)
    if normalized is not None:
        doc.prepared = (normalizer, normalized)
    lines: list[LineData] = []
    chars = 0
    for line in search_lines(doc, query, **search._asdict(), presentation_free=item.presentation_free):
        lines.append((line.line_no, line.text, line.spans, line.splits, line.offset))
        chars += len(line.text)
        if len(lines) > MAX_LINES or chars > MAX_CHARS:
            return Found(item.text, normalized, None)
    return Found(item.text if _job["keep_text"] else "", None, lines)
