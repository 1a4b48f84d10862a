"""Clusters around a node (``kwic TERM --clusters N``): the most frequent sequences of N
words that contain a hit, as AntConc's Clusters tool lists them.

A cluster is an n-gram exactly as ``freq --ngram N`` counts one (``freq.ngram_units``):
N word or number tokens in a row within a sentence (never across a line end or
sentence-ending punctuation; other punctuation stepped over, URLs and emoji skipped),
keyed by its normalization.  Each hit counts once for each cluster around it (a window
of N words that holds every word of the hit); a cluster is shown in its most frequent
spelling.  Two sources give the same windows: the token layer (a hit's sentence, from
positions) and the text (a hit's line, tokenized as ``ngram_units`` tokenizes it).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..store.layer import KINDS
from ..text.normalize import Normalizer, normalize_many
from ..text.sentences import SENTENCE_END
from ..text.tokenize import Kind, tokenize

if TYPE_CHECKING:
    from ..store.layer import TokenLayer
    from .search import DocumentHits, Hit

#: The layer's kind codes of the tokens an n-gram is made of.
_WORDISH = frozenset(KINDS.index(kind) for kind in (Kind.word, Kind.number))


class Cluster(NamedTuple):
    """A cluster of the list: its most frequent spelling, its key, the hits it is
    around, and the documents of those hits."""

    cluster: str
    key: str
    hits: int  # the "count" column: the hits it is around
    docs: int


def windows(words: Sequence[str], first: int, last: int, size: int) -> list[str]:
    """The n-grams of ``size`` words of the run ``words`` that hold its words ``first``
    to ``last`` (a hit's), each written as ``ngram_units`` writes it."""
    low = max(0, last - size + 1)
    high = min(first, len(words) - size)
    return [" ".join(words[i : i + size]) for i in range(low, high + 1)]


class TextWindows:
    """The n-grams around a hit, from its line: tokenized as ``ngram_units`` tokenizes
    it, cut into runs of words, and the one run that holds every word the hit touches
    (none when the hit touches no word, or words of two runs).  The last line's runs
    are kept: the hits of a line come one after the other."""

    def __init__(self) -> None:
        self.line: tuple[int, int] | None = None  # the document (its id()) and offset
        self.words: list[tuple[int, int, int, int]] = []  # start, end, run, index in the run
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.runs: list[list[str]] = []

    def __call__(self, hit: Hit, size: int) -> list[str]:
        text = hit.doc.text
        offset = text.rfind("\n", 0, hit.start) + 1
        end = text.find("\n", hit.start)
        if end == -1:
            end = len(text)
        if hit.end > end:
            return []  # across a line end: no n-gram holds it
        if self.line != (id(hit.doc), offset):
            self.line = (id(hit.doc), offset)
            self._tokenize(text[offset:end])
        words = self.words
        first = bisect_right(self.ends, hit.start - offset)  # the first word that ends inside
        last = bisect_left(self.starts, hit.end - offset) - 1  # the last that starts inside
        if first > last or words[first][2] != words[last][2]:
            return []  # no word, or words of two runs (a sentence end inside the hit)
        return windows(self.runs[words[first][2]], words[first][3], words[last][3], size)

    def _tokenize(self, line: str) -> None:
        """The words of ``line``, in runs that sentence-ending punctuation cuts."""
        self.words, self.runs = [], [[]]
        for token in tokenize(line):
            if token.kind is Kind.punct and token.text in SENTENCE_END:
                self.runs.append([])
            elif token.kind in (Kind.word, Kind.number):
                run = self.runs[-1]
                self.words.append((token.start, token.end, len(self.runs) - 1, len(run)))
                run.append(token.text)
        self.starts = [word[0] for word in self.words]
        self.ends = [word[1] for word in self.words]


class LayerWindows:
    """The n-grams around a hit at a position of the token layer: the words of its
    sentence (a sentence of ``text.sentences`` holds one run of ``ngram_units``: both
    end at a line end or at sentence-ending punctuation), as far as ``size`` reaches
    on either side."""

    def __init__(self, layer: TokenLayer) -> None:
        self.layer = layer
        self.kinds = layer.array("kinds")
        self.spelling: dict[int, str] = {}

    def __call__(self, position: int, size: int) -> list[str]:
        layer = self.layer
        starts = layer.sentence_starts
        sentence = bisect_right(starts, position) - 1
        if self.kinds[layer.tok[position]] not in _WORDISH:
            return []  # not a word (a hit of the layer always is)
        before = self._words(position - 1, starts[sentence] - 1, -1, size - 1)
        after = self._words(position + 1, starts[sentence + 1], 1, size - 1)
        run = [*reversed(before), self._form(position), *after]
        return windows(run, len(before), len(before), size)

    def _words(self, first: int, stop: int, step: int, wanted: int) -> list[str]:
        """Up to ``wanted`` words from position ``first`` on (by ``step``), before ``stop``."""
        tok, kinds = self.layer.tok, self.kinds
        found: list[str] = []
        for p in range(first, stop, step):
            if len(found) == wanted:
                break
            if kinds[tok[p]] in _WORDISH:
                found.append(self._form(p))
        return found

    def _form(self, position: int) -> str:
        form = self.layer.tok[position]
        text = self.spelling.get(form)
        if text is None:
            text = self.spelling[form] = self.layer.form(form)
        return text


def rank_clusters(
    around: Iterable[tuple[Hashable, list[str]]], normalizer: Normalizer, limit: int | None = None
) -> list[Cluster]:
    """The clusters of ``around`` (per hit: its document and the n-grams around it),
    most frequent first, then by key; ``limit``: the first N.

    A hit counts once for a key however many of its windows have it; a spelling counts
    once per hit that has it.  Keys are normalized as ``freq`` normalizes n-grams; an
    n-gram whose key is empty is no cluster.
    """
    per_hit = list(around)
    spellings = {gram for _, grams in per_hit for gram in grams}
    key_of = normalize_many(spellings, normalizer)
    counts: Counter[str] = Counter()
    docs: dict[str, set[Hashable]] = {}
    forms: dict[str, Counter[str]] = {}
    for doc_id, grams in per_hit:
        keys = set()
        for gram in set(grams):
            key = key_of[gram]
            if key:
                keys.add(key)
                forms.setdefault(key, Counter())[gram] += 1
        for key in keys:
            counts[key] += 1
            docs.setdefault(key, set()).add(doc_id)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if limit is not None:
        ranked = ranked[:limit]
    return [
        Cluster(min(forms[key].items(), key=lambda f: (-f[1], f[0]))[0], key, count, len(docs[key]))
        for key, count in ranked
    ]


def clusters_of_hits(
    hits: Iterable[Hit], size: int, normalizer: Normalizer, limit: int | None = None
) -> tuple[list[Cluster], int]:
    """The clusters around ``hits`` (found in the text), and how many hits there were."""
    around = TextWindows()
    per_hit = [(hit.doc.id, around(hit, size)) for hit in hits]
    return rank_clusters(per_hit, normalizer, limit), len(per_hit)


def clusters_of_positions(
    layer: TokenLayer,
    groups: Iterable[DocumentHits],
    size: int,
    normalizer: Normalizer,
    limit: int | None = None,
) -> tuple[list[Cluster], int]:
    """The clusters around the hits of the token layer (``search.positional_hits``),
    and how many hits there were: no document is read."""
    around = LayerWindows(layer)
    per_hit = [(group.number, around(hit.position, size)) for group in groups for hit in group.hits]
    return rank_clusters(per_hit, normalizer, limit), len(per_hit)
