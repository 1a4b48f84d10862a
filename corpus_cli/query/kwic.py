"""The concordance: each hit with its context, in reading order.

Fields are named ``before``, ``match`` and ``after`` (never left/right: in Arabic the
text before the keyword is shown on its right).  Context is cut from the original
document, by visible characters (a letter is never separated from its marks) or by
words, and line ends inside it are shown as spaces; or it stops at the line of the hit
(``within_line``: a verse per line, a record per line).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ..errors import CorpusError
from ..text.morphology import ANALYSIS
from ..text.normalize import Normalizer
from ..text.tokenize import word_spans
from ..text.visible import after_chars, before_chars, outside_sequences
from .search import DocumentHits, Hit, hits_from_positions, iter_hits

if TYPE_CHECKING:
    from ..store.corpus import Document
    from ..store.layer import TokenLayer
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
    if text.isprintable() and "  " not in text:
        return text  # the usual case, tested in C: only single " " (other spaces are not printable)
    return _WHITESPACE.sub(" ", text)


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The start of the line that holds ``start`` and the end (before its line end) of
    the line that holds the last character of ``start:end`` (never before ``end``)."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end - 1 if end > start else start)
    return first, max(end, len(text) if last == -1 else last)


def concordance(
    hits: Iterable[Hit], *, width: int = 40, words: int | None = None, within_line: bool = False
) -> Iterator[Line]:
    """Concordance lines for ``hits``; ``words`` switches context to word counts;
    ``within_line`` stops the context at the line (or lines) of the hit."""
    for hit in hits:
        text = hit.doc.text
        if words is not None:
            left = before_words(text, hit.start, words)
            right = after_words(text, hit.end, words)
        else:
            left = before_chars(text, hit.start, width)
            right = after_chars(text, hit.end, width)
        if within_line:
            first, last = line_bounds(text, hit.start, hit.end)
            left, right = max(left, first), min(right, last)
        left, right = outside_sequences(text, left, hit.start, hit.end, right)
        yield Line(
            hit,
            flatten(text[left : hit.start]),
            flatten(hit.text),
            flatten(text[hit.end : right]),
        )


def context_words(hit: Hit, count: int, *, within_line: bool = False) -> tuple[list[str], list[str]]:
    """Up to ``count`` words before the hit (nearest first) and after it (``within_line``:
    on the hit's line only)."""
    text = hit.doc.text
    left = before_words(text, hit.start, count)
    right = after_words(text, hit.end, count)
    if within_line:
        first, last = line_bounds(text, hit.start, hit.end)
        left, right = max(left, first), min(right, last)
    before = [text[left + s : left + e] for s, e in word_spans(text[left : hit.start])]
    after = [text[hit.end + s : hit.end + e] for s, e in word_spans(text[hit.end : right])]
    return before[::-1], after


def sort_lines(
    lines: list[Line], keys: Sequence[str], normalizer: Normalizer, *, within_line: bool = False
) -> list[Line]:
    """Stable sort by the keys in order; words compare in normalized form (``B1``... the
    words of the context shown: with ``within_line``, of the hit's line only)."""
    if keys == ["position"]:
        return lines
    depth = max([int(k[1]) for k in keys if k[0] in "AB"] or [0])

    def key(line: Line) -> tuple[str | int, ...]:
        before, after = context_words(line.hit, depth, within_line=within_line) if depth else ([], [])
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
    within_line: bool = False  # the context stops at the line of the hit (``--within line``)

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
    lines: Iterable[Line] = concordance(
        hits, width=request.width, words=request.words, within_line=request.within_line
    )
    if keys != ["position"]:
        lines = sort_lines(list(lines), keys, normalizer, within_line=request.within_line)
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


#: The columns ``--analysis`` adds to kwic's and grep's hits (``HitAnalysis``): the
#: morphology's attributes.
ANALYSIS_COLUMNS = ANALYSIS


class HitAnalysis:
    """``--analysis``: the lemma, root and part of speech of the tokens of a hit, from a
    token layer that has them (``TokenLayer.attribute``, kept by ``corpus index build
    --morph`` or analysed in memory): each token's first reading, as the layer keeps it
    (a lemma without its vowel marks, a root as the analyser spells it, a part of speech
    noun, verb or function), so the columns match what ``--lemma``/``--root`` look for.

    A hit is placed by its document and first character (the layer's ``start`` array
    within the document): its tokens are those that start inside it, their values joined
    by a space, a token without a reading written ``_`` among several (a hit of one token
    without a reading: ""); a hit that does not start a token (a part of a word:
    ``--substring``) has empty values (``--clitics`` finds whole tokens: theirs)."""

    def __init__(self, layer: TokenLayer, headers: Callable[[], Iterable[Document]]) -> None:
        """``headers``: every document of the layer, in its order (``Positional.headers``),
        asked for only when a hit's document was not read through ``reading``."""
        from ..store.layer import NO_KEY

        self.headers = headers
        self.numbers: dict[str, int] = {}  # the layer's number (from 0) of a document id
        self.numbered = False  # every document's number is known
        self.starts = layer.array("start")
        self.bounds = layer.array("docs")
        self.tok = layer.array("tok")
        self.columns: list[tuple[Sequence[str], Any]] = []
        for name in ANALYSIS_COLUMNS:
            saved = layer.attribute(name)
            if saved is None:
                raise ValueError(f"the token layer has no {name}")
            self.columns.append((saved.values, saved.first))
        self.no_value = NO_KEY
        self.known: dict[int, tuple[str, ...]] = {}

    def of(self, doc_id: str, start: int, end: int) -> tuple[str, ...]:
        """lemma, root and pos of the hit ``start:end`` of document ``doc_id``."""
        from bisect import bisect_left

        number = self.numbers.get(doc_id)
        if number is None and not self.numbered:
            self.numbers.update((doc.id, n) for n, doc in enumerate(self.headers()))
            self.numbered = True
            number = self.numbers.get(doc_id)
        empty = ("",) * len(self.columns)
        if number is None or end <= start:
            return empty
        low, high = self.bounds[number], self.bounds[number + 1]
        first = bisect_left(self.starts, start, low, high)
        if first == high or self.starts[first] != start:
            return empty
        last = bisect_left(self.starts, end, first, high)  # the tokens that start before the hit's end
        if last == first + 1:
            return self._values(self.tok[first])
        each = [self._values(spelling) for spelling in self.tok[first:last]]
        return tuple(" ".join(values[i] or "_" for values in each) for i in range(len(self.columns)))

    def reading(
        self, read: Callable[[Iterable[int]], Iterator[Document]]
    ) -> Callable[[Iterable[int]], Iterator[Document]]:
        """``read`` (``Positional.read``: one document per number, in order) noting the
        number of each document it reads, so that the hits of the documents read from
        the layer need not every id of an index (31,000 ids: 0.2 s)."""

        def numbered(numbers: Iterable[int]) -> Iterator[Document]:
            pending: deque[int] = deque()

            def noted() -> Iterator[int]:
                for number in numbers:
                    pending.append(number)
                    yield number

            for doc in read(noted()):
                self.numbers[doc.id] = pending.popleft()
                yield doc

        return numbered

    def _values(self, spelling: int) -> tuple[str, ...]:
        found = self.known.get(spelling)
        if found is None:
            numbers = [int(first[spelling]) for _, first in self.columns]
            found = self.known[spelling] = tuple(
                "" if at == self.no_value else values[at]
                for at, (values, _) in zip(numbers, self.columns, strict=True)
            )
        return found
