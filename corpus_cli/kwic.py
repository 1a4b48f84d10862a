"""The concordance: each hit with its context, in reading order.

Fields are named ``before``, ``match`` and ``after`` (never left/right: in Arabic the
text before the keyword is shown on its right).  Context is cut from the original
document, by visible characters (a letter is never separated from its marks) or by
words, and line ends inside it are shown as spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from enum import Enum
from typing import NamedTuple

from .normalize import Normalizer
from .search import Hit
from .tokenize import word_spans
from .visible import after_chars, before_chars

_WHITESPACE = re.compile(r"\s+")


class SortKey(str, Enum):
    position = "position"
    match = "match"
    doc = "doc"


class Line(NamedTuple):
    """One concordance line."""

    hit: Hit
    before: str
    match: str
    after: str


def before_words(text: str, pos: int, words: int) -> int:
    """Start of the ``words`` word tokens that precede ``pos``."""
    if words <= 0:
        return pos
    window = max(64, words * 24)
    while True:
        lo = max(0, pos - window)
        spans = [s for s in word_spans(text[lo:pos])]
        # The first span may be a word cut by the window: only trust it at the start.
        if len(spans) > words or lo == 0:
            chosen = spans[-words:] if spans else []
            return lo + chosen[0][0] if chosen else pos
        window *= 2


def after_words(text: str, pos: int, words: int) -> int:
    """End of the ``words`` word tokens that follow ``pos``."""
    if words <= 0:
        return pos
    window = max(64, words * 24)
    n = len(text)
    while True:
        hi = min(n, pos + window)
        spans = list(word_spans(text[pos:hi]))
        if len(spans) > words or hi == n:
            chosen = spans[:words]
            return pos + chosen[-1][1] if chosen else pos
        window *= 2


def flatten(text: str) -> str:
    """Context for one row: runs of whitespace (line ends, tabs) become one space."""
    return _WHITESPACE.sub(" ", text)


def concordance(hits: Iterable[Hit], *, width: int = 40, words: int | None = None) -> Iterator[Line]:
    """Concordance lines for ``hits``; ``words`` switches context to word counts."""
    for hit in hits:
        text = hit.doc.text
        if words is not None:
            left = before_words(text, hit.start, words)
            right = after_words(text, hit.end, words)
        else:
            left = before_chars(text, hit.start, width)
            right = after_chars(text, hit.end, width)
        yield Line(
            hit,
            flatten(text[left : hit.start]),
            flatten(hit.text),
            flatten(text[hit.end : right]),
        )


def sort_lines(lines: list[Line], key: SortKey, normalizer: Normalizer) -> list[Line]:
    """Stable sort; text keys compare normalized forms so spelling variants group."""
    if key is SortKey.position:
        return lines
    if key is SortKey.doc:
        return sorted(lines, key=lambda ln: ln.hit.doc.id)
    return sorted(lines, key=lambda ln: normalizer.normalize(ln.match))
