"""The concordance: each hit with its context, in reading order.

Fields are named ``before``, ``match`` and ``after`` (never left/right: in Arabic the
text before the keyword is shown on its right).  Context is cut from the original
document, by visible characters (a letter is never separated from its marks) or by
words, and line ends inside it are shown as spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from ..errors import CorpusError
from ..text.normalize import Normalizer
from ..text.tokenize import word_spans
from ..text.visible import after_chars, before_chars, outside_sequences
from .search import DocumentHits, Hit, hits_from_positions, iter_hits

if TYPE_CHECKING:
    from ..store.corpus import Document
    from .pattern import Query

T = TypeVar("T")

_WHITESPACE = re.compile(r"\s+")


SORT_KEYS = ("position", "match", "doc", "B1", "B2", "B3", "A1", "A2", "A3")


def parse_sort(value: str) -> list[str]:
    """``A1,B1`` → ``["A1", "B1"]``: keys applied in order (the first one decides first)."""
    keys = []
    for raw in value.split(","):
        key = raw.strip()
        key = key.upper() if key[:1].lower() in ("a", "b") and key[1:].isdigit() else key.lower()
        if key not in SORT_KEYS:
            raise CorpusError(f"unknown sort key '{raw.strip()}' (choose from {', '.join(SORT_KEYS)})")
        keys.append(key)
    return keys or ["position"]


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
        left, right = outside_sequences(text, left, hit.start, hit.end, right)
        yield Line(
            hit,
            flatten(text[left : hit.start]),
            flatten(hit.text),
            flatten(text[hit.end : right]),
        )


def context_words(hit: Hit, count: int) -> tuple[list[str], list[str]]:
    """Up to ``count`` words before the hit (nearest first) and after it."""
    text = hit.doc.text
    left = before_words(text, hit.start, count)
    right = after_words(text, hit.end, count)
    before = [text[left + s : left + e] for s, e in word_spans(text[left : hit.start])]
    after = [text[hit.end + s : hit.end + e] for s, e in word_spans(text[hit.end : right])]
    return before[::-1], after


def sort_lines(lines: list[Line], keys: Sequence[str], normalizer: Normalizer) -> list[Line]:
    """Stable sort by the keys in order; words compare in normalized form."""
    if keys == ["position"]:
        return lines
    depth = max([int(k[1]) for k in keys if k[0] in "AB"] or [0])

    def key(line: Line) -> tuple[str | int, ...]:
        before, after = context_words(line.hit, depth) if depth else ([], [])
        parts: list[str | int] = []
        for k in keys:
            if k == "position":
                parts.append(0)  # the input order: stable sorting keeps it
            elif k == "doc":
                parts.append(line.hit.doc.id)
            elif k == "match":
                parts.append(normalizer.normalize(line.match))
            else:
                words = before if k[0] == "B" else after
                index = int(k[1]) - 1
                parts.append(normalizer.normalize(words[index]) if index < len(words) else "")
        return tuple(parts)

    return sorted(lines, key=key)


def per_document(lines: Iterable[Line], limit: int) -> Iterator[Line]:
    """At most ``limit`` lines from each document, in order."""
    seen: dict[str, int] = {}
    for line in lines:
        doc_id = line.hit.doc.id
        if seen.get(doc_id, 0) < limit:
            seen[doc_id] = seen.get(doc_id, 0) + 1
            yield line


def hits_per_document(hits: Iterable[Hit], limit: int) -> Iterator[Hit]:
    """At most ``limit`` hits from each document, in order (``per_document`` before the
    lines are made: a line per hit)."""
    seen: dict[str, int] = {}
    for hit in hits:
        doc_id = hit.doc.id
        if seen.get(doc_id, 0) < limit:
            seen[doc_id] = seen.get(doc_id, 0) + 1
            yield hit


def sample(lines: Iterable[T], size: int, seed: int | None) -> list[T]:
    """A reproducible random sample of ``size`` lines (or hits: the choice depends only
    on how many there are), kept in corpus order."""
    import random

    pool = list(lines)
    if size >= len(pool):
        return pool
    chosen = sorted(random.Random(seed).sample(range(len(pool)), size))
    return [pool[i] for i in chosen]


class KwicRequest(NamedTuple):
    """What a concordance shows (``kwic``'s options), the output format aside."""

    width: int = 40  # characters of context on each side
    words: int | None = None  # or words on each side
    limit: int | None = None
    sort: str = "position"
    max_count: int | None = None  # hit lines per document
    sample_size: int | None = None
    seed: int | None = None
    per_doc: int | None = None

    @property
    def asks_none(self) -> str | None:
        """The option that asks for no line at all (``--limit 0``), if one does."""
        limits = {
            "--max-count": self.max_count,
            "--limit": self.limit,
            "--per-doc": self.per_doc,
            "--sample": self.sample_size,
        }
        return next((f"{name} 0" for name, value in limits.items() if value == 0), None)


def concordance_lines(
    docs: Iterable[Document], query: Query, request: KwicRequest, normalizer: Normalizer
) -> Iterable[Line]:
    """The concordance of ``query`` over ``docs``, as ``request`` asks for it.

    Order of work: hits → at most ``per_doc`` per document → a random sample →
    sorting → ``limit``.  With none of these, lines stream as the hits are found.
    """
    parse_sort(request.sort)  # an unknown key fails before any search
    return concordance_of_hits(iter_hits(docs, query, max_count=request.max_count), request, normalizer)


def concordance_of_hits(hits: Iterable[Hit], request: KwicRequest, normalizer: Normalizer) -> Iterable[Line]:
    """The concordance of ``hits`` (``max_count`` applied already), as ``request`` asks.

    A line is made of its hit alone, one per hit: so the documents' caps and the
    sample choose hits, and only the lines shown are cut from the text.
    """
    keys = parse_sort(request.sort)
    if request.per_doc is not None:
        hits = hits_per_document(hits, request.per_doc)
    if request.sample_size is not None:
        hits = sample(hits, request.sample_size, request.seed)
    lines: Iterable[Line] = concordance(hits, width=request.width, words=request.words)
    if keys != ["position"]:
        lines = sort_lines(list(lines), keys, normalizer)
    if request.limit is not None:
        lines = islice(lines, request.limit)
    return lines


def chosen_groups(
    groups: Iterable[DocumentHits], per_doc: int | None, sample_size: int | None, seed: int | None
) -> Iterable[DocumentHits]:
    """The hits of the token layer that ``--per-doc`` and ``--sample`` keep, chosen
    before any document is read (a document's number stands for its id: ids are
    unique in a corpus)."""
    if per_doc == 0:
        return []
    if per_doc is not None:
        groups = (DocumentHits(g.number, g.hits[:per_doc]) for g in groups)
    if sample_size is None:
        return groups
    pool = [(g.number, hit) for g in groups for hit in g.hits]
    regrouped: list[DocumentHits] = []
    for number, hit in sample(pool, sample_size, seed):
        if not regrouped or regrouped[-1].number != number:
            regrouped.append(DocumentHits(number, []))
        regrouped[-1].hits.append(hit)
    return regrouped


def positional_concordance(
    groups: Iterable[DocumentHits],
    read: Callable[[Iterable[int]], Iterator[Document]],
    request: KwicRequest,
    normalizer: Normalizer,
) -> Iterable[Line]:
    """``concordance_lines`` from the token layer (``search.positional_hits``): the
    documents read are those of the lines shown, and no more than ``--limit`` needs."""
    parse_sort(request.sort)
    groups = chosen_groups(groups, request.per_doc, request.sample_size, request.seed)
    hits = hits_from_positions(groups, read)
    return concordance_of_hits(hits, request._replace(per_doc=None, sample_size=None), normalizer)
