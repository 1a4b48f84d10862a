"""Counts over the token layer with numpy: word positions, node hits, the windows around
them, and the spellings and keys of any selection of documents.

The text path counts *words* (tokens of kind word or number, ``text.tokenize.words``),
keyed by their normalized form; a word whose key is "" counts in the totals and takes its
place in a window, but is never a key.  The layer's positions hold every token
(punctuation, URLs and emoji too), so these functions work on *word positions*: the
positions of the word tokens, in order, numbered from 0 (a word's index is how many words
come before it in the corpus).  A document's words are a range of word indexes.

numpy is imported inside the functions (``corpus-cli[index]``); nothing here runs at
start-up.  Counts come back as numpy arrays of int64, turned into Python ints before
any score is computed, so that every number is the one the text path computes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..store.layer import KINDS, NO_KEY, TokenLayer
from ..text.tokenize import Kind
from .positions import Keys, inner_span
from .search import forms_and_inside_hits

if TYPE_CHECKING:
    from .pattern import Query

Array = Any  # a numpy array (numpy is imported lazily)

#: The kinds that count as words (``text.tokenize.words``).
WORD_KINDS = tuple(code for code, kind in enumerate(KINDS) if kind in (Kind.word, Kind.number))


def _numpy() -> Any:
    import numpy

    return numpy


def word_spellings(layer: TokenLayer) -> Array:
    """Per spelling of the lexicon: is it a word or a number (bool; kept on the layer)."""
    found = layer.__dict__.get("_word_spellings")
    if found is None:
        found = layer.__dict__["_word_spellings"] = _numpy().isin(layer.numpy("kinds"), WORD_KINDS)
    return found


class WordPositions:
    """The word tokens of a layer, told apart from the others (punctuation, URLs, emoji:
    about one token in ten) by the positions of those others, which come from the
    inverted lists of a few hundred spellings without a pass over the tokens."""

    def __init__(self, layer: TokenLayer) -> None:
        np = _numpy()
        postings, offsets = layer.numpy("postings"), layer.numpy("posting_offsets")
        others = np.flatnonzero(~word_spellings(layer))
        lists = [postings[offsets[f] : offsets[f + 1]] for f in others.tolist()]
        self.tokens = layer.tokens
        #: the positions of the tokens that are not words, ascending (int64)
        self.others = np.sort(np.concatenate([np.empty(0, dtype=np.uint32), *lists]).astype(np.int64))
        #: per token that is not a word: the words before it
        self.words_before = self.others - np.arange(len(self.others))
        docs = layer.numpy("docs").astype(np.int64)
        #: per document, and one more: the index of its first word
        self.doc_first = docs - np.searchsorted(self.others, docs)
        self._positions: Array | None = None

    def doc_sizes(self) -> Array:
        """Words per document."""
        return _numpy().diff(self.doc_first)

    def word_of(self, positions: Array) -> Array:
        """The word index at each position: how many words come before it."""
        return positions - _numpy().searchsorted(self.others, positions)

    def position_of(self, words: Array) -> Array:
        """The position of each word index (a search, or a look-up once ``prepare`` made the
        table of every word's position)."""
        if self._positions is not None:
            return self._positions[words]
        return words + _numpy().searchsorted(self.words_before, words, side="right")

    def prepare(self, lookups: int) -> None:
        """Make ``position_of`` a look-up when it will be asked for ``lookups`` positions,
        enough to pay for a table of every word's position."""
        if self._positions is None and lookups * 16 > self.tokens:
            np = _numpy()
            is_word = np.ones(self.tokens, dtype=bool)
            is_word[self.others] = False
            self._positions = np.flatnonzero(is_word)


def word_positions(layer: TokenLayer) -> WordPositions:
    """The word positions of ``layer`` (kept on the layer: a command may ask twice)."""
    cached: WordPositions | None = layer.__dict__.get("_word_positions")
    if cached is None:
        cached = layer.__dict__["_word_positions"] = WordPositions(layer)
    return cached


def word_keys(layer: TokenLayer, keys: Keys) -> Array:
    """Per spelling, its key id at ``keys``'s normalization when it is a word (else ``NO_KEY``):
    the keys that ``freq``, ``collocates`` and ``keywords`` count."""
    np = _numpy()
    return np.where(word_spellings(layer), keys.numpy(), np.uint32(NO_KEY)).astype(np.uint32)


def document_positions(layer: TokenLayer, docs: Array) -> Array:
    """Every position of the documents ``docs`` (layer numbers, ascending), in order."""
    np = _numpy()
    bounds = layer.numpy("docs").astype(np.int64)
    firsts, sizes = bounds[docs], bounds[docs + 1] - bounds[docs]
    kept = sizes > 0
    firsts, sizes = firsts[kept], sizes[kept]
    if not len(sizes):
        return np.empty(0, dtype=np.int64)
    # Steps of 1 within a document; at a document's first position, the jump to it.
    steps = np.ones(int(sizes.sum()), dtype=np.int64)
    steps[0] = firsts[0]
    steps[np.cumsum(sizes[:-1])] = firsts[1:] - (firsts[:-1] + sizes[:-1] - 1)
    return np.cumsum(steps)


# --------------------------------------------------------------------------- nodes


class Nodes:
    """The hits of a one-token query, in corpus order, as arrays: their positions and
    documents, and (computed when asked for) their first characters in their documents,
    all as ``query.positions.node_hits`` gives them."""

    def __init__(
        self,
        layer: TokenLayer,
        query: Query,
        forms: list[int],
        positions: Array,
        docs: Array,
        lasts: Array | None = None,
        within: Array | None = None,
    ) -> None:
        self.layer, self.query, self.forms = layer, query, forms
        self.positions = positions  # int64
        self.docs = docs  # int64, the layer's document numbers
        #: the last position of each hit, when hits are longer than a token (a CQL
        #: query's matches: the window's right side starts after it); None: one token
        self.lasts = lasts
        #: each hit's first character within its token, when some hits are inside a
        #: token (a word in a URL: ``search.hits_inside_tokens``); None: from ``forms``
        self.within = within

    @cached_property
    def starts(self) -> Array:
        """Each hit's first character in its document: the matcher's span on the normalized
        token, within the token (int64)."""
        np = _numpy()
        layer = self.layer
        if self.within is not None:
            return layer.numpy("start")[self.positions].astype(np.int64) + self.within
        form_ids = np.asarray(sorted(self.forms), dtype=np.int64)
        inner = np.asarray(
            [inner_span(layer.form(int(f)), self.query.normalizer)[0] for f in form_ids], dtype=np.int64
        )
        starts = layer.numpy("start")[self.positions].astype(np.int64)
        if len(form_ids):
            starts += inner[np.searchsorted(form_ids, layer.numpy("tok")[self.positions])]
        return starts


def node_arrays(layer: TokenLayer, query: Query, selected: Sequence[int] | None = None) -> Nodes | None:
    """The hits of ``query`` in the documents ``selected`` (None: all), or None when the
    layer cannot answer it exactly (``query.search.forms_and_inside_hits``).  A hit
    inside a token (a word in a URL) is a node at that token, as the text path takes it:
    a node that is not a word (``node_words``)."""
    found = forms_and_inside_hits(layer, query)
    if found is None:
        return None
    forms, inside = found
    np = _numpy()
    postings, offsets = layer.numpy("postings"), layer.numpy("posting_offsets")
    lists = [postings[offsets[f] : offsets[f + 1]] for f in forms]
    within = None
    if inside:  # each hit inside a token at that token, in order of its first character
        normalizer = query.normalizer
        firsts = [
            np.full(len(listed), inner_span(layer.form(f), normalizer)[0])
            for f, listed in zip(forms, lists, strict=True)
        ]
        for form, spans in inside.items():
            found_at = postings[offsets[form] : offsets[form + 1]]
            for start, _ in spans:
                lists.append(found_at)
                firsts.append(np.full(len(found_at), start))
    positions = np.concatenate([np.empty(0, dtype=np.uint32), *lists]).astype(np.int64)
    if inside:
        within = np.concatenate([np.empty(0, dtype=np.int64), *firsts]).astype(np.int64)
        order = np.lexsort((within, positions))
        positions, within = positions[order], within[order]
    elif len(lists) > 1:
        positions.sort()
    docs = np.searchsorted(layer.numpy("docs"), positions, side="right").astype(np.int64) - 1
    if selected is not None:
        keep = np.zeros(layer.documents, dtype=bool)
        keep[np.asarray(selected, dtype=np.int64)] = True
        chosen = keep[docs]
        positions, docs = positions[chosen], docs[chosen]
        within = None if within is None else within[chosen]
    return Nodes(layer, query, forms, positions, docs, within=within)


def node_words(words: WordPositions, nodes: Nodes) -> Array:
    """The word index of each node: how many words come before it (the text path's first
    token of the hit; a node that is not a word itself takes the next word's index)."""
    return words.word_of(nodes.positions)


# --------------------------------------------------------------------------- windows


def window_keys(
    layer: TokenLayer, words: WordPositions, keys_of: Array, nodes: Nodes, left: int, right: int
) -> list[Array]:
    """The keys in each slot around the nodes, slots ``L<left>``…``L1``, ``R1``…``R<right>``:
    per slot, the key ids of the words there (words of the node's document only; words
    without a key leave their slot empty), one per node that has the slot.

    As the text path counts: L1 is the word before the node's first word, R1 the word
    after it (``collocates``: ``keys[first - left:first]`` and ``keys[first + 1:…]``);
    after a hit of several tokens (``Nodes.lasts``), R1 is the first word after its last."""
    tok = layer.numpy("tok")
    first = node_words(words, nodes)
    after = first + 1 if nodes.lasts is None else words.word_of(nodes.lasts + 1)
    low, high = words.doc_first[nodes.docs], words.doc_first[nodes.docs + 1]
    words.prepare(len(first) * (left + right))
    slots = []
    for offset in [*range(-left, 0), *range(1, right + 1)]:
        at = first + offset if offset < 0 else after + (offset - 1)
        inside = at >= low if offset < 0 else at < high
        found = keys_of[tok[words.position_of(at[inside])]]
        slots.append(found[found != NO_KEY])
    return slots


def bincount(values: Array, size: int) -> Array:
    """How many times each of ``0 … size-1`` occurs in ``values`` (int64)."""
    np = _numpy()
    return np.bincount(values, minlength=size).astype(np.int64)


# --------------------------------------------------------------------------- tallies


def spelling_counts(layer: TokenLayer, docs: Array | None = None) -> Array:
    """Per spelling, its word tokens in the documents ``docs`` (layer numbers, ascending;
    None: the whole layer, read from the inverted lists without a pass over the tokens)."""
    np = _numpy()
    size = layer.lexicon_size
    if docs is None:
        counts = np.diff(layer.numpy("posting_offsets")).astype(np.int64)
    else:
        bounds = layer.numpy("docs").astype(np.int64)
        chosen = int((bounds[docs + 1] - bounds[docs]).sum())
        tok = layer.numpy("tok")
        if chosen * 2 <= layer.tokens:
            counts = bincount(tok[document_positions(layer, docs)], size)
        else:  # most of the corpus: the whole less the documents left out
            rest = np.setdiff1d(np.arange(layer.documents), docs, assume_unique=True)
            counts = np.diff(layer.numpy("posting_offsets")).astype(np.int64)
            counts -= bincount(tok[document_positions(layer, rest)], size)
    counts[~word_spellings(layer)] = 0
    return counts


class Tally:
    """The word tokens of a set of documents of a layer: per spelling and per key at one
    normalization (``keys_of``: ``word_keys``).  Tallies of disjoint sets add up, and a
    tally less a tally of some of its documents is the rest's."""

    def __init__(
        self,
        layer: TokenLayer,
        keys: Keys,
        keys_of: Array,
        spellings: Array,
        shown: Callable[[int], str] | None = None,
    ) -> None:
        self.layer = layer
        self.keys = keys
        self.keys_of = keys_of
        self.spellings = spellings  # int64 per spelling (0 for what is not a word)
        #: what a key is shown as, when not its commonest spelling (``--attr``: the lemma)
        self.shown = shown

    @classmethod
    def of(
        cls,
        layer: TokenLayer,
        keys: Keys,
        docs: Array | None = None,
        keys_of: Array | None = None,
        shown: Callable[[int], str] | None = None,
    ) -> Tally:
        """The tally of the documents ``docs`` (None: all); ``keys_of``: ``word_keys``
        of ``keys``, when the caller has it (tallies that share it share their work)."""
        found = word_keys(layer, keys) if keys_of is None else keys_of
        return cls(layer, keys, found, spelling_counts(layer, docs), shown)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.layer, self.keys, self.keys_of, self.spellings + other.spellings, self.shown)

    def __sub__(self, other: Tally) -> Tally:
        return Tally(self.layer, self.keys, self.keys_of, self.spellings - other.spellings, self.shown)

    @cached_property
    def total(self) -> int:
        """Word tokens, those whose key is "" included."""
        return int(self.spellings.sum())

    @cached_property
    def counts(self) -> Array:
        """Per key id, its tokens (int64)."""
        np = _numpy()
        keyed = self.keys_of != NO_KEY
        weights = self.spellings[keyed].astype(np.float64)  # exact: counts stay below 2^53
        found = np.bincount(self.keys_of[keyed], weights=weights, minlength=len(self.keys.keys))
        return found.astype(np.int64)

    @property
    def _spellings_by_key(self) -> tuple[Array, Array]:
        """The spellings of each key (CSR: ids ascending within a key, and offsets): the
        layer's own lists at its normalization, else made once for the keys at hand."""
        if self.keys.of_form is self.layer.array("form_keys"):
            return self.layer.numpy("key_forms"), self.layer.numpy("key_form_offsets")
        cache: dict[int, tuple[Any, Array, Array]] = self.layer.__dict__.setdefault("_spellings_by_key", {})
        found = cache.get(id(self.keys_of))
        if found is None or found[0] is not self.keys_of:
            np = _numpy()
            order = np.argsort(self.keys_of, kind="stable")
            keyed = order[: int(np.count_nonzero(self.keys_of != NO_KEY))]
            offsets = np.zeros(len(self.keys.keys) + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.keys_of[keyed], minlength=len(self.keys.keys)), out=offsets[1:])
            found = cache[id(self.keys_of)] = (self.keys_of, keyed, offsets)
        return found[1], found[2]

    def term(self, key: int) -> str:
        """The key's most frequent spelling here (ties: the first in code-point order, as
        ``Counts.term``); the key itself when it has no token here; with ``shown``
        (``--attr``), what that says."""
        if self.shown is not None:
            return self.shown(key)
        spellings, offsets = self._spellings_by_key
        ids = spellings[offsets[key] : offsets[key + 1]]
        counts = self.spellings[ids]
        if not len(ids) or counts.max() <= 0:
            return self.keys.keys[key]
        return self.layer.form(int(ids[int(counts.argmax())]))  # the first of the largest
