"""CQL matches as the hits of a concordance: each placed in its document (its line, the
characters from its first token to its last), grouped by document as the token layer's
hits of one-token queries are (``search.DocumentHits``), so that every command that shows
or counts hits (kwic's writers, ``--per-doc``, ``--sample``, ``--sort``) takes them as they
are.  ``kwic --cql`` and the others need only ``cql_hits``."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..positions import inner_span
from ..search import DocumentHits, PlacedHit, token_hits
from .attributes import table
from .evaluate import Match, find_matches
from .syntax import CqlQuery, parse

if TYPE_CHECKING:
    import numpy as np

    from ...store.layer import TokenLayer
    from ...text.normalize import Normalizer


#: Matches placed at once (``place``): numpy's work for many, the first lines soon.
PLACE_CHUNK = 4096


def place(layer: TokenLayer, matches: Sequence[Match], normalizer: Normalizer) -> Iterator[DocumentHits]:
    """``matches`` as hits grouped by document: a hit's ``position`` is the match's first
    token, its line that token's line, its characters from the first token's (as a
    one-token query's hit begins) to the end of the last's (as such a hit ends).

    Matches of one token each (``--lemma``, ``--root``) are placed as a word query's
    positions are (``search.token_hits``: one walk, no numpy); others a chunk at a time
    with numpy (a match at a time took a sixth of ``kwic --root كتب``'s 14,345 lines),
    the chunks growing so that a reader of the first lines (``| head``) waits for few."""
    if all(match.first == match.last for match in matches):
        return token_hits(layer, [match.first for match in matches], normalizer)
    return _placed_chunks(layer, matches, normalizer)


def _placed_chunks(
    layer: TokenLayer, matches: Sequence[Match], normalizer: Normalizer
) -> Iterator[DocumentHits]:
    import numpy as np

    docs = layer.numpy("docs")
    tok, start = layer.numpy("tok"), layer.numpy("start")
    line_starts, line_numbers = layer.numpy("lines"), layer.numpy("line_numbers")
    inner: dict[int, tuple[int, int]] = {}

    def spans_of(forms: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """The inner spans (``inner_span``) of the spellings ``forms``: starts, ends."""
        distinct, where = np.unique(forms, return_inverse=True)
        found = []
        for form in distinct.tolist():
            span = inner.get(form)
            if span is None:
                span = inner[form] = inner_span(layer.form(form), normalizer)
            found.append(span)
        table = np.asarray(found, dtype=np.int64).reshape(-1, 2)
        return table[where, 0], table[where, 1]

    number = -1
    hits: list[PlacedHit] = []
    low, size = 0, 64
    while low < len(matches):
        chunk = matches[low : low + size]
        low, size = low + size, min(2 * size, PLACE_CHUNK)
        firsts = np.fromiter((match.first for match in chunk), dtype=np.int64, count=len(chunk))
        lasts = np.fromiter((match.last for match in chunk), dtype=np.int64, count=len(chunk))
        numbers = np.searchsorted(docs, firsts, side="right") - 1
        lines = line_numbers[np.searchsorted(line_starts, firsts, side="right") - 1]
        begins = start[firsts] + spans_of(tok[firsts])[0]
        ends = start[lasts] + spans_of(tok[lasts])[1]
        for first, doc, line_no, begin, end in zip(
            firsts.tolist(), numbers.tolist(), lines.tolist(), begins.tolist(), ends.tolist(), strict=True
        ):
            if doc != number:
                if hits:
                    yield DocumentHits(number, hits)
                    hits = []
                number = doc
            hits.append(PlacedHit(first, line_no, begin, end))
    if hits:
        yield DocumentHits(number, hits)


def cql_hits(
    layer: TokenLayer,
    text: str | CqlQuery,
    normalizer: Normalizer,
    *,
    strategy: str = "standard",
    documents: Sequence[Mapping[str, str]] | None = None,
    selected: Collection[int] | None = None,
) -> Iterator[DocumentHits]:
    """The hits of CQL query ``text`` (or one parsed already), by document: what
    ``--cql`` gives a command that takes hits from the token layer."""
    query = parse(text) if isinstance(text, str) else text
    matches = find_matches(
        layer, query, normalizer=normalizer, strategy=strategy, documents=documents, selected=selected
    )
    return place(layer, matches, normalizer)


class Sequenced(NamedTuple):
    """A matched sequence and how often it was matched, in how many documents."""

    sequence: str
    matches: int
    docs: int


def sequence_counts(
    layer: TokenLayer, matches: Sequence[Match], normalizer: Normalizer, attribute: str = "word"
) -> list[Sequenced]:
    """CQP's ``count A by word``: each distinct matched sequence (its tokens' ``attribute``
    joined by spaces), most frequent first, then in code-point order."""
    found = table(layer, normalizer, attribute)
    value, of_form = found.value, found.of_form
    tok, docs = layer.tok, layer.docs
    names: dict[int, str] = {}
    counts: Counter[str] = Counter()
    seen: dict[str, set[int]] = {}
    for match in matches:
        words = []
        for position in range(match.first, match.last + 1):
            form = tok[position]
            name = names.get(form)
            if name is None:
                name = names[form] = value(int(of_form[form]))
            words.append(name)
        sequence = " ".join(words)
        counts[sequence] += 1
        seen.setdefault(sequence, set()).add(bisect_right(docs, match.first) - 1)
    return [
        Sequenced(sequence, count, len(seen[sequence]))
        for sequence, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def document_counts(layer: TokenLayer, matches: Sequence[Match], values: Sequence[str]) -> list[Sequenced]:
    """The matches per value of a metadata field (``values``: each layer document's),
    most frequent first: the number of matches and of documents with one."""
    counts: Counter[str] = Counter()
    seen: dict[str, set[int]] = {}
    docs = layer.docs
    for match in matches:
        doc = bisect_right(docs, match.first) - 1
        value = values[doc]
        counts[value] += 1
        seen.setdefault(value, set()).add(doc)
    return [
        Sequenced(value, count, len(seen[value]))
        for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
