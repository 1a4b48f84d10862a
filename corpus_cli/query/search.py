"""Finding a query in documents and reporting hits in original coordinates.

For a literal, the query's expansion over the original text (``Query.raw``) finds the
lines that can hold a hit, and only those are normalized (``judged_text``); any other
document is normalized once (fast path) and searched whole.  Only the lines that hold
a hit are normalized with an offset map, so the cost of exact highlighting is paid per
hit, not per corpus.  Normalization never adds or removes a line end, so line ``k`` of
the normalized document is the normalization of line ``k`` of the original.

Everything streams: lines are found as the caller asks for them, and no list of a
document's lines or hits is built, so ``-m 1`` or ``--limit 1`` stops the search itself
and a document with millions of hits takes no more memory than one with a few.  All the
matching done for one document shares one time ``Budget`` (``--timeout``).

A whole-word query of one word is answered from the token layer when there is one
(``positional_hits``): the same hits, lines and splits, from positions, with no
document searched; ``hits_from_positions`` and ``lines_from_positions`` turn them
into the ``Hit``s and ``LineMatch``es the writers take, reading only the documents
that hold a hit.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import count
from typing import TYPE_CHECKING, NamedTuple

from ..store.corpus import Document
from ..text.clitics import Split, split_match
from ..text.normalize import Mapped, Normalizer, judgeable
from .pattern import Budget, Query

if TYPE_CHECKING:
    from ..store.layer import TokenLayer

Span = tuple[int, int]


class LineMatch(NamedTuple):
    """A selected line: its number (from 1), original text and the hits in it.

    ``splits`` runs beside ``spans``: the clitic split of each hit (or None);
    ``offset`` is where the line starts in ``doc.text``.
    """

    doc: Document
    line_no: int
    text: str
    spans: tuple[Span, ...]
    splits: tuple[Split | None, ...] = ()
    offset: int = 0


class LineSearch(NamedTuple):
    """How ``search_lines`` is asked for a document's lines: what a worker that searches
    ahead of the caller (``scan.py``) must do for its answer to be the caller's."""

    invert: bool = False
    max_count: int | None = None
    spans: bool = True


#: A selected line without its document, as a worker sends it: line number, text,
#: spans, splits, offset (the fields of ``LineMatch`` after ``doc``).
LineData = tuple[int, str, tuple[Span, ...], tuple[Split | None, ...], int]


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


class TextLines:
    """Line ``k`` of a text, for ``k`` that never decreases, without splitting the text
    (a second copy of a big document, as a list of millions of strings, is what this
    avoids)."""

    __slots__ = ("number", "start", "text")
    _CHUNK = 1 << 16

    def __init__(self, text: str) -> None:
        self.text = text
        self.number = 0  # the line that starts at ``start``
        self.start = 0

    def line(self, number: int) -> str | None:
        """Line ``number`` (from 0) without its line end; None past the last line (a
        final line end adds no empty line)."""
        text = self.text
        if number < self.number:
            raise ValueError("lines are read in order")
        left = number - self.number
        chunk = self._CHUNK
        while left > 64 and chunk >= 1024:
            # A long jump: skip chunks that hold fewer line ends than are left (C speed).
            end = min(len(text), self.start + chunk)
            inside = text.count("\n", self.start, end)
            if inside < left and end < len(text):
                self.start, left = end, left - inside
            else:
                chunk //= 8
        while left:
            newline = text.find("\n", self.start)
            if newline == -1:
                self.number = number - left
                return None
            self.start, left = newline + 1, left - 1
        self.number = number
        if self.start >= len(text) and (number or not text):
            return None
        end = text.find("\n", self.start)
        return text[self.start :] if end == -1 else text[self.start : end]


def _candidate_lines(norm_doc: str, query: Query, budget: Budget) -> Iterator[int]:
    """0-based lines that may hold a hit, in order, found as they are asked for.

    Searches of the whole document find them, each from the line after the last hit's
    (a line of a thousand hits, or of empty ones, is one search); from a hit across a
    line end on (a class or ``\\s`` that takes the newline), every line is a candidate.
    """
    if query.line_by_line:
        yield from count()
        return
    line = 0  # the line that holds ``pos``
    pos = 0
    while (match := budget.search(query.regex, norm_doc, pos)) is not None:
        start, end = match.span()
        line += norm_doc.count("\n", pos, start)
        if norm_doc.find("\n", start, end) != -1:
            yield from count(line)  # a hit across a line end: fall back to lines
            return
        yield line
        newline = norm_doc.find("\n", end)
        if newline == -1:
            return
        line, pos = line + 1, newline + 1


def _expansion_lines(judged: str, query: Query) -> Iterator[int]:
    """0-based lines of a text that ``query.raw`` matches (``judged``: the text as
    ``judgeable`` hands it over), in order.

    Every line with a hit is one of them: the expansion matches wherever the query's
    literal can occur after normalization, and never across a line end.  So only
    these lines are normalized, not the whole document.  ``query.rough`` finds them
    (a literal start), ``query.raw`` confirms them.
    """
    rough, raw = query.rough, query.raw
    line = 0  # the line that holds ``counted``
    counted = 0
    pos = 0
    while (match := rough.search(judged, pos)) is not None:
        start = match.start()
        line += judged.count("\n", counted, start)
        counted = start
        first = judged.rfind("\n", 0, start) + 1
        end = judged.find("\n", start)
        if end == -1:
            end = len(judged)
        if rough is raw or raw.search(judged, first, end) is not None:
            yield line
        pos = end + 1


def judged_text(text: str, query: Query, presentation_free: bool = False) -> str | None:
    """The text in which ``query.raw`` finds every line that can hold a hit
    (``judgeable``), or None: the whole text must be normalized to search it."""
    literal = query.index_literal()
    if query.raw is None or query.line_by_line or literal is None:
        return None
    return judgeable(text, query.normalizer, literal, presentation_free=presentation_free)


def search_lines(
    doc: Document,
    query: Query,
    *,
    invert: bool = False,
    max_count: int | None = None,
    spans: bool = True,
    presentation_free: bool = False,
    budget: Budget | None = None,
) -> Iterator[LineMatch]:
    """The lines of ``doc`` that match (or, with ``invert``, that do not).

    Without ``spans`` (counting lines) a line's hits are not mapped back to the original
    text, unless a hit may still be rejected (typed marks, clitics): then ``spans`` is ().
    ``presentation_free``: ``doc`` is known to hold no presentation form
    (``readers.Item``).  ``budget``: the document's time, when the caller shares it.

    A document whose lines a worker searched already (``Document.searched``, for the
    same query and arguments) replays them.
    """
    searched = doc.searched
    if searched is not None:
        if searched[0] is query and searched[1] == (invert, max_count, spans):
            for line_no, text, hit_spans, splits, offset in searched[2]:
                yield LineMatch(doc, line_no, text, hit_spans, splits, offset)
            return
        if searched[3]:
            raise RuntimeError(f"{doc.id}: searched ahead with other arguments, and its text was not kept")
    exact = spans or query.filters_hits or query.clitics
    if max_count == 0 or not doc.text:
        return
    normalizer = query.normalizer
    if budget is None:
        budget = query.budget()
    lines = TextLines(doc.text)
    judged = None if invert or doc.prepared is not None else judged_text(doc.text, query, presentation_free)
    norm_lines: TextLines | None = None
    # The expansion's lines hold a hit, no need to normalize them to know it.
    decided = judged is not None and not exact and query.expansion_decides
    if judged is not None:
        numbers: Iterator[int] = _expansion_lines(judged, query)
    else:
        norm_doc = doc.normalized(normalizer)  # a worker may have done it (scan.py)
        numbers = count() if invert else _candidate_lines(norm_doc, query, budget)
        norm_lines = TextLines(norm_doc)
    selected = 0
    for index in numbers:
        line = lines.line(index)
        if line is None:
            break  # past the last line (e.g. a match on the empty text after a final line end)
        hits: list[tuple[Span, Split | None]] = []
        if norm_lines is None and exact:
            # Only a line that the expansion matched: map it at once (no second pass).
            hits = list(line_hits(line, query, budget))
            found = bool(hits)
        elif decided:
            found = True
        else:
            if norm_lines is not None:
                norm_line = norm_lines.line(index) or ""
            else:
                norm_line = normalizer.normalize(line)
            found = budget.search(query.regex, norm_line) is not None
            if found and exact:
                hits = list(line_hits(line, query, budget, norm_line))
                found = bool(hits)  # typed marks may reject every regex match
        if found == invert:
            continue
        hit_spans = tuple(span for span, _ in hits)
        splits = tuple(split for _, split in hits) if query.clitics else ()
        yield LineMatch(doc, index + 1, line, hit_spans, splits, lines.start)
        selected += 1
        if max_count is not None and selected >= max_count:
            return


def line_hits(
    line: str, query: Query, budget: Budget | None = None, normalized: str | None = None
) -> Iterator[tuple[Span, Split | None]]:
    """Every hit of ``query`` in one original line: its exact original span and split.

    ``budget``: the time left for the line's document (default: a budget of its own);
    ``normalized``: the line normalized already, if the caller has it.
    """
    mapped: Mapped | PieceMap
    if len(line) > LONG_LINE:
        mapped = PieceMap.of(line, query.normalizer, normalized) or query.normalizer.normalize_mapped(line)
    else:
        mapped = query.normalizer.normalize_mapped(line)
    if budget is None:
        budget = query.budget()
    for match in budget.finditer(query.regex, mapped.text):
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


#: Lines longer than this are mapped back piece by piece (``PieceMap``).
LONG_LINE = 1 << 16
_PIECE = 1 << 12


class PieceMap:
    """The offset map of a long line, made piece by piece as hits ask for it.

    A whole-line map keeps two integers per character (gigabytes for a 100 MB line).
    The line is cut after single spaces between letters or digits, where normalization
    cannot act across the cut; a hit's span is mapped with the map of just the pieces it
    covers.  Both cuts are checked: the pieces' normalizations must join into the line's,
    and a hit's pieces must normalize to that part of it; otherwise the whole line is
    mapped as usual.  Hits come in order, many to a piece: the last pieces' map serves
    the next hits too, so the line is mapped once however many hits it holds.
    """

    def __init__(self, line: str, normalizer: Normalizer, pieces: list[Span], starts: list[int], text: str):
        self.line, self.normalizer, self.text = line, normalizer, text
        self.pieces, self.starts = pieces, starts
        self._whole: Mapped | None = None
        self._last: tuple[int, int, Mapped | None] | None = None  # pieces first..last, their map

    @classmethod
    def of(cls, line: str, normalizer: Normalizer, normalized: str | None = None) -> PieceMap | None:
        """The map of ``line`` (``normalized``: its normalization, when known)."""
        pieces = _pieces(line)
        if len(pieces) < 2:
            return None
        parts = [normalizer.normalize(line[a:b]) for a, b in pieces]
        text = "".join(parts)
        if text != (normalizer.normalize(line) if normalized is None else normalized):
            return None
        starts = [0]
        for part in parts:
            starts.append(starts[-1] + len(part))
        return cls(line, normalizer, pieces, starts, text)

    def span_to_original(self, start: int, end: int) -> Span:
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, max(start, end - 1)) - 1
        first, last = min(first, len(self.pieces) - 1), min(last, len(self.pieces) - 1)
        known = self._last
        if known is not None and known[0] <= first and last <= known[1]:
            first, mapped = known[0], known[2]
        else:
            piece_start = self.pieces[first][0]
            mapped = self.normalizer.normalize_mapped(self.line[piece_start : self.pieces[last][1]])
            if mapped.text != self.text[self.starts[first] : self.starts[last + 1]]:
                mapped = None  # the pieces do not normalize apart: the whole line's map
            self._last = (first, last, mapped)
        if mapped is None:
            if self._whole is None:
                self._whole = self.normalizer.normalize_mapped(self.line)
            return self._whole.span_to_original(start, end)
        offset = self.pieces[first][0]
        base = self.starts[first]
        original = mapped.span_to_original(start - base, end - base)
        return original[0] + offset, original[1] + offset


def _pieces(line: str) -> list[Span]:
    """Cuts of ``line`` into pieces of about ``_PIECE`` characters, each after a single
    space that has a letter or digit on both sides."""
    pieces: list[Span] = []
    start = 0
    while len(line) - start > _PIECE:
        cut = line.find(" ", start + _PIECE)
        while cut != -1 and not (line[cut - 1].isalnum() and cut + 1 < len(line) and line[cut + 1].isalnum()):
            cut = line.find(" ", cut + 1)
        if cut == -1:
            break
        pieces.append((start, cut + 1))
        start = cut + 1
    pieces.append((start, len(line)))
    return pieces


def line_spans(line: str, query: Query) -> Iterator[Span]:
    """Every hit of ``query`` in one original line, as exact original spans."""
    for span, _ in line_hits(line, query):
        yield span


#: Documents from this many characters map their hits lazily (``iter_hits``).
LAZY_FROM = 1 << 18


def iter_hits(docs: Iterable[Document], query: Query, *, max_count: int | None = None) -> Iterator[Hit]:
    """Every hit in document order; ``max_count`` stops a document after N lines.

    In a long document a line's hits are mapped back as they are asked for (``kwic
    --limit 3`` on a line of a million hits maps three), unless a worker searched the
    document already or a hit may still be rejected: then, as in any shorter document,
    ``search_lines`` maps them all (each line normalized once, with its map).
    """
    for doc in docs:
        mapped = len(doc.text) < LAZY_FROM or doc.searched is not None or query.filters_hits or query.clitics
        budget = query.budget()
        for line in search_lines(doc, query, max_count=max_count, spans=mapped, budget=budget):
            offset = line.offset
            hits: Iterable[tuple[Span, Split | None]]
            if mapped:
                hits = zip(line.spans, line.splits or (None,) * len(line.spans), strict=True)
            else:
                hits = line_hits(line.text, query, budget)
            for (start, end), split in hits:
                if end > start:
                    yield Hit(doc, line.line_no, offset + start, offset + end, split)


# --------------------------------------------------------------------------- hits from positions


class PlacedHit(NamedTuple):
    """A hit the token layer placed: its corpus position, its line (from 1) and
    characters in its document, and its clitic split (``query.clitics``)."""

    position: int
    line_no: int
    start: int
    end: int
    split: Split | None = None


class DocumentHits(NamedTuple):
    """The hits of one document of a token layer (numbered from 0), in order."""

    number: int
    hits: list[PlacedHit]


def positional_hits(
    layer: TokenLayer,
    query: Query,
    *,
    selected: Iterable[int] | None = None,
    max_count: int | None = None,
    inside: bool = False,
) -> Iterator[DocumentHits] | None:
    """The hits of ``query`` from the token layer, document by document, exactly as
    ``iter_hits`` finds them in the text; None when the layer cannot answer ``query``
    exactly (``positions.matching_forms``): the text must then be searched.

    ``selected``: the documents to keep (``Positional.selected``; None: all);
    ``max_count``: a document's hits on its first N lines only; ``inside``: the hits
    inside a token of several words count too (``hits_inside_tokens``: a
    word in a URL), at the position of that token, where None would be returned (not
    for ``kwic --clusters``, whose clusters are the tokens around a hit as the text cuts
    them).  Lazy: ``--limit`` computes only the lines it shows.
    """
    from .positions import inner_span, matching_forms

    if inside:
        found = forms_and_inside_hits(layer, query)
        if found is None:
            return None
        forms, inside_spans = found
    else:
        matched = matching_forms(layer, query)
        if matched is None:
            return None
        forms, inside_spans = matched, {}
    inner = {f: inner_span(layer.form(f), query.normalizer) for f in forms}
    splits: dict[int, Split | None] = dict.fromkeys(forms)
    if query.clitics:
        for form in forms:
            split = whole_token_split(layer.form(form), query, inner[form])
            if split is None:
                return None
            splits[form] = split
    kept = None if selected is None else set(selected)
    positions = layer.positions([*forms, *inside_spans])
    return _placed(layer, positions, inner, splits, kept, max_count, inside_spans)


#: Per spelling, the spans of the hits inside one of its tokens (``hits_inside_tokens``).
InsideHits = dict[int, list[Span]]


def forms_and_inside_hits(layer: TokenLayer, query: Query) -> tuple[list[int], InsideHits] | None:
    """``positions.matching_forms``, and the hits the matcher sees inside tokens of
    several words (``hits_inside_tokens``) instead of None when there are such hits: for
    the answers made of hits (kwic's and grep's lines, the nodes of collocates and
    dispersion).  Not for ``kwic --clusters``, which counts the tokens around a hit as
    the text cuts them."""
    from .positions import forms_and_compounds

    found = forms_and_compounds(layer, query)
    if found is None:
        return None
    forms, compounds = found
    whole = set(forms)
    inside = hits_inside_tokens(layer, query, [f for f in compounds if f not in whole])
    return None if inside is None else (forms, inside)


def hits_inside_tokens(layer: TokenLayer, query: Query, compounds: Iterable[int]) -> InsideHits | None:
    """The hits of ``query`` inside the spellings ``compounds`` of several words (a URL or
    an e-mail address, where the matcher's -w sees words: https://t.co/x#الرياض#صباح; a
    ligature whose key is several words), per spelling that has one: each found by the
    matcher on the spelling alone, which is where the matcher finds it in any context
    when it touches neither edge of the token, nor has only characters that
    normalization deletes between it and one (its word boundaries are then the token's
    own characters).  None when one does, or the query has clitics or a constraint:
    only the text can then say."""
    if query.options.clitics is not None or query.constraint is not None:
        return None if compounds else {}
    search = query.regex.search
    normalize = query.normalizer.normalize
    found: InsideHits = {}
    for form in compounds:
        spelling = layer.form(form)
        if search(normalize(spelling)) is None:
            continue
        spans = [span for span, _ in line_hits(spelling, query)]
        # At an edge, or with only what normalization deletes between the hit and it
        # (a tatweel, an RLM ending an e-mail address): the neighbour decides.
        if any(not normalize(spelling[:start]) or not normalize(spelling[end:]) for start, end in spans):
            return None
        if spans:
            found[form] = spans
    return found


def holding_hits(
    layer: TokenLayer,
    query: Query,
    *,
    selected: Iterable[int] | None = None,
    max_count: int | None = None,
) -> Iterator[DocumentHits] | None:
    """The tokens that hold a match of the substring query ``query``, document by
    document (as ``positional_hits``), or None when its matches may lie outside tokens
    (``positions.forms_holding``).  Their lines are the lines ``search_lines`` selects
    (what ``grep -c`` and ``-l`` count); their spans are the tokens', not the matches'."""
    from .positions import forms_holding

    forms = forms_holding(layer, query)
    if forms is None:
        return None
    whole = {f: (0, len(layer.form(f))) for f in forms}
    kept = None if selected is None else set(selected)
    return _placed(layer, layer.positions(forms), whole, dict.fromkeys(forms), kept, max_count, {})


def whole_token_split(form: str, query: Query, span: Span) -> Split | None:
    """The clitic split of a hit on the whole token ``form``: the matcher's, run on the
    token alone; None unless that finds the one hit ``span`` (the layer's)."""
    found = list(line_hits(form, query))
    if len(found) != 1 or found[0][0] != span:
        return None
    return found[0][1]


def token_hits(layer: TokenLayer, positions: list[int], normalizer: Normalizer) -> Iterator[DocumentHits]:
    """The hits of whole tokens at ``positions`` (sorted), by document, each on the
    characters its spelling's inner span gives (``inner_span``): the one-token matches of
    a CQL query (``--lemma``, ``--root``) placed without numpy."""
    from .positions import inner_span

    tok = layer.tok
    inner = {f: inner_span(layer.form(f), normalizer) for f in {tok[p] for p in positions}}
    return _placed(layer, positions, inner, dict.fromkeys(inner), None, None, {})


def _placed(
    layer: TokenLayer,
    positions: list[int],
    inner: dict[int, Span],
    splits: dict[int, Split | None],
    kept: set[int] | None,
    max_count: int | None,
    inside: dict[int, list[Span]],
) -> Iterator[DocumentHits]:
    """``positional_hits``' documents: the positions walked once, in order; a document's
    or line's start is looked up (bisection) only when a position leaves the last one.
    A spelling in ``inside`` has those hits in each of its tokens, not one on the whole."""
    tok, start, docs = layer.tok, layer.start, layer.docs
    line_starts, line_numbers = layer.line_starts, layer.line_numbers
    new = tuple.__new__  # PlacedHit(...) runs a __new__ written in Python
    number = -1
    doc_end = 0  # the first position after the current document
    keep = False  # the current document's hits are kept (so far)
    hits: list[PlacedHit] = []
    lines = 0  # lines of the current document with a hit kept
    line_index = 0
    line_end = 0  # the first position after the current line
    line_no = 0
    for position in positions:
        if position >= doc_end:
            if hits:
                yield DocumentHits(number, hits)
                hits = []
            number = bisect_right(docs, position, number + 1) - 1
            doc_end = docs[number + 1]
            keep = kept is None or number in kept
            lines = 0
            line_end = 0  # a line never runs on into the next document
        if not keep:
            continue
        if position >= line_end:
            if max_count is not None and lines >= max_count:
                keep = False  # the document's first lines are taken: the rest of it is not
                continue
            line_index = bisect_right(line_starts, position, line_index) - 1
            line_end = line_starts[line_index + 1]
            line_no = line_numbers[line_index]
            lines += 1
        form = tok[position]
        first = start[position]
        if inside and form in inside:  # a word in a URL (rare)
            for a, b in inside[form]:
                hits.append(new(PlacedHit, (position, line_no, first + a, first + b, None)))
            continue
        a, b = inner[form]
        hits.append(new(PlacedHit, (position, line_no, first + a, first + b, splits[form])))
    if hits:
        yield DocumentHits(number, hits)


def with_documents(
    groups: Iterable[DocumentHits], read: Callable[[Iterable[int]], Iterator[Document]]
) -> Iterator[tuple[Document, DocumentHits]]:
    """Each group of hits with its document, read (``Positional.read``) one at a time as
    the caller asks for it: only the documents that hold a hit, and no further than
    the caller goes."""
    pending: deque[DocumentHits] = deque()

    def numbers() -> Iterator[int]:
        for group in groups:
            pending.append(group)
            yield group.number

    for doc in read(numbers()):
        yield doc, pending.popleft()


def hits_from_positions(
    groups: Iterable[DocumentHits], read: Callable[[Iterable[int]], Iterator[Document]]
) -> Iterator[Hit]:
    """``iter_hits``' hits, from the token layer (``positional_hits``)."""
    for doc, group in with_documents(groups, read):
        for hit in group.hits:
            yield Hit(doc, hit.line_no, hit.start, hit.end, hit.split)


def lines_from_positions(
    doc: Document, hits: Iterable[PlacedHit], query: Query, spans: bool
) -> Iterator[LineMatch]:
    """``search_lines``' selected lines of ``doc``, from its hits in the token layer:
    the same lines, text, offsets, spans and splits (``spans``: as ``search_lines``
    is asked; the hits are mapped back already, so a line's spans are there whenever
    that search would give them)."""
    text = doc.text
    exact = spans or query.filters_hits or query.clitics
    line: list[PlacedHit] = []
    for hit in hits:
        if line and hit.line_no != line[0].line_no:
            yield _line_match(doc, text, line, exact, query.clitics)
            line = []
        line.append(hit)
    if line:
        yield _line_match(doc, text, line, exact, query.clitics)


def _line_match(doc: Document, text: str, hits: list[PlacedHit], exact: bool, clitics: bool) -> LineMatch:
    first = hits[0].start
    offset = text.rfind("\n", 0, first) + 1
    end = text.find("\n", first)
    line = text[offset:] if end == -1 else text[offset:end]
    if not exact:
        return LineMatch(doc, hits[0].line_no, line, (), (), offset)
    hit_spans = tuple((h.start - offset, h.end - offset) for h in hits)
    splits = tuple(h.split for h in hits) if clitics else ()
    return LineMatch(doc, hits[0].line_no, line, hit_spans, splits, offset)
