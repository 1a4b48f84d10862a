"""Finding a query in documents and reporting hits in original coordinates.

A document is normalized once (fast path) and searched whole; only the lines that hold
a hit are normalized again with an offset map, so the cost of exact highlighting is
paid per hit, not per corpus.  Normalization never adds or removes a line end, so line
``k`` of the normalized document is the normalization of line ``k`` of the original.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .clitics import Split, split_match
from .corpus import Document
from .normalize import needs_normalizing
from .pattern import Query

Span = tuple[int, int]


class LineMatch(NamedTuple):
    """A selected line: its number (from 1), original text and the hits in it.

    ``splits`` runs beside ``spans``: the clitic split of each hit (or None).
    """

    doc: Document
    line_no: int
    text: str
    spans: tuple[Span, ...]
    splits: tuple[Split | None, ...] = ()


class Hit(NamedTuple):
    """One match in a document: ``start``/``end`` are offsets into ``doc.text``."""

    doc: Document
    line_no: int
    start: int
    end: int
    split: Split | None = None

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]


def _candidate_lines(norm_doc: str, query: Query) -> list[int] | None:
    """0-based lines that may hold a hit, or None when every line must be searched."""
    if query.line_by_line:
        return None
    newlines: list[int] | None = None
    lines: list[int] = []
    for match in query.regex.finditer(norm_doc):
        if "\n" in match.group():
            return None  # a hit across a line end: fall back to lines
        if newlines is None:
            newlines = [m.start() for m in re.finditer("\n", norm_doc)]
        line = bisect_left(newlines, match.start())  # newlines before the match
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def search_lines(
    doc: Document,
    query: Query,
    *,
    invert: bool = False,
    max_count: int | None = None,
) -> Iterator[LineMatch]:
    """The lines of ``doc`` that match (or, with ``invert``, that do not)."""
    if max_count == 0 or not doc.text:
        return
    if query.raw is not None and not invert and not query.raw.search(doc.text):
        # No hit is possible: skip normalizing it, unless the raw pattern cannot judge.
        if not needs_normalizing(doc.text):
            return
    normalizer = query.normalizer
    norm_doc = doc.normalized(normalizer)  # a worker may have done it (scan.py)
    candidates = None if invert else _candidate_lines(norm_doc, query)
    if candidates == []:
        return  # the common case on a big corpus: no hit, nothing more to do
    lines = doc.split_lines()
    norm_lines = norm_doc.split("\n")
    numbers: Iterable[int] = range(len(lines)) if candidates is None else candidates
    selected = 0
    for index in numbers:
        if index >= len(lines):
            break  # a match on the empty text after a final line end
        found = query.regex.search(norm_lines[index]) is not None
        line = lines[index]
        hits: list[tuple[Span, Split | None]] = []
        if found:
            hits = list(line_hits(line, query))
            found = bool(hits)  # typed marks may reject every regex match
        if found == invert:
            continue
        spans = tuple(span for span, _ in hits)
        splits = tuple(split for _, split in hits) if query.clitics else ()
        yield LineMatch(doc, index + 1, line, spans, splits)
        selected += 1
        if max_count is not None and selected >= max_count:
            return


def line_hits(line: str, query: Query) -> Iterator[tuple[Span, Split | None]]:
    """Every hit of ``query`` in one original line: its exact original span and split."""
    mapped = query.normalizer.normalize_mapped(line)
    for match in query.regex.finditer(mapped.text):
        span = mapped.span_to_original(*match.span())
        split = None
        judged = line[span[0] : span[1]]
        if query.clitics:
            stem_start, stem_end = mapped.span_to_original(*match.span("stem"))
            judged = line[stem_start:stem_end]
            split = split_match(match, judged)
        if query.constraint is not None and not query.constraint.accepts(judged, query.normalizer):
            continue
        yield span, split


def line_spans(line: str, query: Query) -> Iterator[Span]:
    """Every hit of ``query`` in one original line, as exact original spans."""
    for span, _ in line_hits(line, query):
        yield span


def iter_hits(docs: Iterable[Document], query: Query, *, max_count: int | None = None) -> Iterator[Hit]:
    """Every hit in document order; ``max_count`` stops a document after N lines."""
    for doc in docs:
        starts = doc.line_starts
        for line in search_lines(doc, query, max_count=max_count):
            offset = starts[line.line_no - 1]
            splits = line.splits or (None,) * len(line.spans)
            for (start, end), split in zip(line.spans, splits, strict=True):
                if end > start:
                    yield Hit(doc, line.line_no, offset + start, offset + end, split)
