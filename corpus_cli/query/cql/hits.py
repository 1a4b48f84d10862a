"""CQL matches as the hits of a concordance: each placed in its document (its line, the
characters from its first token to its last), grouped by document as the token layer's
hits of one-token queries are (``search.DocumentHits``), so that every command that shows
or counts hits (kwic's writers, ``--per-doc``, ``--sample``, ``--sort``) takes them as they
are.  ``kwic --cql`` and the others need only ``cql_hits``."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..positions import inner_span
from ..search import DocumentHits, PlacedHit
from .attributes import table
from .evaluate import Match, find_matches
from .syntax import CqlQuery, parse

if TYPE_CHECKING:
    from ...store.layer import TokenLayer
    from ...text.normalize import Normalizer


def place(layer: TokenLayer, matches: Sequence[Match], normalizer: Normalizer) -> Iterator[DocumentHits]:
    """``matches`` as hits grouped by document: a hit's ``position`` is the match's first
    token, its line that token's line, its characters from the first token's (as a
    one-token query's hit begins) to the end of the last's (as such a hit ends)."""
    tok, start, docs = layer.tok, layer.start, layer.docs
    line_starts, line_numbers = layer.line_starts, layer.line_numbers
    inner: dict[int, tuple[int, int]] = {}

    def span_of(form: int) -> tuple[int, int]:
        found = inner.get(form)
        if found is None:
            found = inner[form] = inner_span(layer.form(form), normalizer)
        return found

    number = -1
    doc_end = 0
    hits: list[PlacedHit] = []
    for match in matches:
        first, last = match.first, match.last
        if first >= doc_end:
            if hits:
                yield DocumentHits(number, hits)
                hits = []
            number = bisect_right(docs, first) - 1
            doc_end = docs[number + 1]
        line_no = int(line_numbers[bisect_right(line_starts, first) - 1])
        begin = start[first] + span_of(tok[first])[0]
        end = start[last] + span_of(tok[last])[1]
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
