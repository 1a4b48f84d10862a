"""Counts over the token layer: the words or n-grams of a selection of documents, by key,
per document and per group of documents, computed with numpy from the layer's arrays
(``store.layer``) instead of re-reading and re-tokenizing the text.

The units are those of ``query.freq``: word and number tokens (``text.tokenize.words``), or
runs of N of them within a sentence (``ngram_units``; the layer's sentences end where those
runs end: at a line end and after sentence-ending punctuation, so the words of one sentence
are one run).  A unit's key is its normalized form at any normalization (``Keys.of``: a pass
over the spellings, not the tokens).  Keys are numbered in the order of their strings, so
that numpy sorts and counts integers and ties fall where ``sorted`` puts strings; a string
is made only for what is shown.

The key of an n-gram is the normalization of its spellings joined by spaces: the keys of
its words joined by spaces (no normalization step reaches across a space), except where a
word's key is empty or holds a space (a phrase ligature such as ﷺ), whose runs of spaces
the normalizer collapses.  Those few n-grams are normalized as text (``_odd_keys``) and
take their place among the others by their strings.

numpy is imported inside the functions (``corpus-cli[index]``): nothing here runs at start-up.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from bisect import bisect_left
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from ..store.layer import NO_KEY, TokenLayer
from .cooccurrence import WORD_KINDS, word_positions, word_spellings
from .positions import Keys

if TYPE_CHECKING:
    from ..text.normalize import Normalizer

Array = Any  # a numpy array (numpy is imported lazily)

#: The kinds that are counted (``text.tokenize.words``: words and numbers).
COUNTED = WORD_KINDS
#: Codes are kept below this, so that a code and a count or an index pack into 64 bits.
_CODE_LIMIT = 1 << 62


def _numpy() -> Any:
    import numpy

    return numpy


# --------------------------------------------------------------------------- sorting integers


class Groups(NamedTuple):
    """Values grouped by equal code: ``order`` lists the indexes of the values sorted by code
    (stably: ascending within a code), ``starts`` where each distinct code begins in it (and
    the end), ``codes`` the distinct codes ascending."""

    order: Array
    starts: Array
    codes: Array

    def sizes(self) -> Array:
        return _numpy().diff(self.starts)

    def labels(self) -> Array:
        """Per value, the number of its code among ``codes`` (dense ids in code order)."""
        np = _numpy()
        kind = index_type(len(self.codes) + 1)
        ids = np.empty(len(self.order), dtype=kind)
        ids[self.order] = np.repeat(np.arange(len(self.codes), dtype=kind), self.sizes())
        return ids

    def members(self, group: int) -> Array:
        """The indexes of the values of one group, ascending."""
        return self.order[self.starts[group] : self.starts[group + 1]]


def grouped(codes: Array, *, spend: bool = False) -> Groups:
    """``codes`` (non-negative integers) grouped.  The index is packed under the code and
    the whole sorted in place when both fit in 64 bits (a plain sort is several times faster
    than a stable argsort); else a stable argsort.  ``spend``: ``codes`` (int64) is not
    needed afterwards, and its memory is used for the sort."""
    np = _numpy()
    count = len(codes)
    if not count:
        empty = np.empty(0, dtype=np.int64)
        return Groups(empty, np.zeros(1, dtype=np.int64), empty)
    shift = max(1, (count - 1).bit_length())
    if int(codes.max()).bit_length() + shift <= 64:
        packed = codes.view(np.uint64) if spend and codes.dtype == np.int64 else codes.astype(np.uint64)
        packed <<= np.uint64(shift)
        for low, high in _chunks(count):  # the indexes, without an array of them all
            packed[low:high] |= np.arange(low, high, dtype=np.uint64)
        packed.sort()
        order = np.empty(count, dtype=index_type(count))
        mask = np.uint64((1 << shift) - 1)
        for low, high in _chunks(count):
            order[low:high] = packed[low:high] & mask
        packed >>= np.uint64(shift)
        ordered = packed
    else:
        order = np.argsort(codes, kind="stable")
        ordered = codes[order]
    new = np.empty(count, dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    firsts = np.flatnonzero(new)
    distinct = ordered[firsts].astype(np.int64)
    return Groups(order, np.append(firsts, count).astype(np.int64), distinct)


def index_type(count: int) -> Any:
    """The integer type of indexes into ``count`` values: 32 bits when they fit (half the memory)."""
    np = _numpy()
    return np.int32 if count < 1 << 31 else np.int64


def _chunks(count: int, size: int = 1 << 20) -> list[tuple[int, int]]:
    return [(low, min(low + size, count)) for low in range(0, count, size)]


def ranges(low: Array, high: Array) -> Array:
    """The integers of every range ``low[i]`` to ``high[i]`` (excluded), one after the other."""
    np = _numpy()
    sizes = np.maximum(high - low, 0)
    starts = np.repeat(low - np.cumsum(sizes) + sizes, sizes)
    return starts + np.arange(int(sizes.sum()), dtype=np.int64)


def joined(columns: Sequence[Array], table: Sequence[str]) -> list[str]:
    """Per row of ``columns`` (ids into ``table``), their strings joined by spaces."""
    parts = [[table[i] for i in column.tolist()] for column in columns]
    return [" ".join(row) for row in zip(*parts, strict=True)]


def nonzero(mask: Array) -> Array:
    """``np.flatnonzero(mask)`` as 32-bit indexes when they fit, made a chunk at a time
    (no 64-bit array of them all: half the memory to fault in)."""
    np = _numpy()
    kind = index_type(len(mask))
    parts = [np.flatnonzero(mask[low:high]).astype(kind) + kind(low) for low, high in _chunks(len(mask))]
    return np.concatenate(parts) if parts else np.empty(0, dtype=kind)


def distinct(values: Array) -> Array:
    """The distinct ``values`` ascending (a sort: ``np.unique``'s hashing is several times
    slower on millions of integers)."""
    return tallied(values)[0]


def tallied(codes: Array) -> tuple[Array, Array]:
    """The distinct ``codes`` ascending and how many times each occurs (a sort, no argsort)."""
    np = _numpy()
    if not len(codes):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    ordered = np.sort(codes)
    new = np.empty(len(ordered), dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    firsts = np.flatnonzero(new)
    return ordered[firsts].astype(np.int64), np.diff(np.append(firsts, len(ordered))).astype(np.int64)


def sorted_by(*columns: Array) -> Array:
    """The permutation that sorts rows by ``columns`` (non-negative integers; the first
    decides first), stable: packed into one integer when they fit, else ``np.lexsort``."""
    np = _numpy()
    count = len(columns[0])
    widths = [max(1, int(c.max()).bit_length()) if len(c) else 1 for c in columns]
    shift = max(1, (count - 1).bit_length())
    if sum(widths) + shift > 64:
        return np.lexsort(columns[::-1])
    packed = np.zeros(count, dtype=np.uint64)
    for column, width in zip(columns, widths, strict=True):
        packed <<= np.uint64(width)
        packed |= column.astype(np.uint64)
    packed <<= np.uint64(shift)
    packed |= np.arange(count, dtype=np.uint64)
    packed.sort()
    return (packed & np.uint64((1 << shift) - 1)).astype(np.int64)


class TupleCodes:
    """Codes of tuples of small integers (each below ``radix``) that sort as the tuples do:
    ``code * radix + next``, with the codes made dense first (their rank among those seen)
    whenever the next product could pass ``_CODE_LIMIT``.  ``encode`` codes one more tuple
    the same way (None when its prefix was never seen: no tuple seen has it)."""

    def __init__(self, radix: int) -> None:
        self.radix = radix
        self.tables: list[Array | None] = []  # per step: the codes made dense there, or None
        self.bound = radix  # every code is below it

    def codes(self, columns: Sequence[Callable[[], Array]]) -> Array:
        """The codes of the rows of ``columns``: makers of the columns, each called when its
        turn comes and handing a new array (the codes are made in the first one's memory
        when it is int64)."""
        np = _numpy()
        code = columns[0]().astype(np.int64, copy=False)
        for column in columns[1:]:
            if self.bound * self.radix >= _CODE_LIMIT:
                groups = grouped(code, spend=True)
                code = groups.labels().astype(np.int64)
                self.tables.append(groups.codes)
                self.bound = len(groups.codes)
            else:
                self.tables.append(None)
            code *= self.radix
            code += column()
            self.bound *= self.radix
        return code

    def decode(self, code: int) -> list[int]:
        """The tuple of a code (of a tuple that was coded)."""
        values = []
        for table in reversed(self.tables):
            code, value = divmod(code, self.radix)
            values.append(value)
            if table is not None:
                code = int(table[code])
        values.append(code)
        return values[::-1]

    def decode_all(self, codes: Array) -> list[Array]:
        """The tuples of many codes, as columns."""
        np = _numpy()
        columns = []
        code = codes.astype(np.int64)
        for table in reversed(self.tables):
            code, value = np.divmod(code, self.radix)
            columns.append(value)
            if table is not None:
                code = table[code]
        columns.append(code)
        return columns[::-1]

    def encode(self, values: Sequence[int]) -> int | None:
        np = _numpy()
        code = values[0]
        for table, value in zip(self.tables, values[1:], strict=True):
            if table is not None:
                at = int(np.searchsorted(table, code))
                if at == len(table) or int(table[at]) != code:
                    return None
                code = at
            code = code * self.radix + value
        return code


# --------------------------------------------------------------------------- units


def counted_positions(layer: TokenLayer, selected: Sequence[int] | None) -> tuple[Array, Array]:
    """The positions of the word and number tokens of the documents ``selected`` (layer
    numbers, ascending; None: all), and per layer document the index of its first one
    among them (and the end)."""
    np = _numpy()
    counted = word_spellings(layer)[layer.numpy("tok")]
    bounds = layer.numpy("docs").astype(np.int64)
    if selected is not None:
        chosen = np.zeros(layer.documents, dtype=bool)
        chosen[np.asarray(selected, dtype=np.int64)] = True
        counted &= np.repeat(chosen, np.diff(bounds))
    positions = nonzero(counted)
    return positions, np.searchsorted(positions, bounds)


def units(
    layer: TokenLayer,
    normalizer: Normalizer,
    n: int = 1,
    selected: Sequence[int] | None = None,
    keys: Keys | None = None,
) -> Units:
    """The units ``freq`` counts (words, or n-grams of ``n`` words) in the documents
    ``selected`` of ``layer`` (layer numbers, ascending; None: all), keyed at ``normalizer``,
    or by ``keys`` (words only: ``freq --attr``, ``morphology.attribute_keys``)."""
    if n == 1:
        return Words(layer, normalizer, selected, keys)
    if keys is not None:
        raise ValueError("n-grams are keyed at the normalization")
    return Ngrams(layer, normalizer, n, selected)


class Units(ABC):
    """The units ``freq`` counts in a selection of a layer's documents, in corpus order,
    each with its key.

    Keys have ids from 0 to ``key_count`` (a key id may have no unit in the selection: its
    count is 0, and it is absent as a key is absent from ``Counts``); ``ranks`` puts them
    in the order of their strings.  A word whose key is "" has none (-1): it counts in the
    totals, never as a key.
    """

    n: int
    key_count: int

    def __init__(
        self,
        layer: TokenLayer,
        normalizer: Normalizer,
        selected: Sequence[int] | None,
        keys: Keys | None = None,
    ) -> None:
        np = _numpy()
        self.layer = layer
        self.normalizer = normalizer
        self.selected = selected
        self.keys = Keys.of(layer, normalizer) if keys is None else keys
        self.key_of_form = np.asarray(self.keys.of_form, dtype=np.int64)

    @cached_property
    def _counted(self) -> tuple[Array, Array]:
        return counted_positions(self.layer, self.selected)

    @property
    def words(self) -> Array:
        """The positions of the selection's words (word and number tokens), ascending."""
        return self._counted[0]

    @property
    def word_doc_starts(self) -> Array:
        """Per layer document, the index of its first word among ``words`` (and the end)."""
        return self._counted[1]

    # What a kind of unit tells.

    @property
    @abstractmethod
    def doc_starts(self) -> Array:
        """Per layer document, the index of its first unit (and the end)."""

    @property
    @abstractmethod
    def counts(self) -> Array:
        """Per key id, its units."""

    @property
    @abstractmethod
    def ranks(self) -> Array:
        """Per key id, its place in the order of the keys' strings."""

    @property
    @abstractmethod
    def unit_keys(self) -> Array:
        """Per unit, its key id (-1: none)."""

    @abstractmethod
    def key_text(self, key: int) -> str: ...

    def key_texts(self, keys: Sequence[int]) -> list[str]:
        """``key_text`` of many keys (decoded in bulk where that pays)."""
        return [self.key_text(key) for key in keys]

    @abstractmethod
    def key_id(self, key: str) -> int | None:
        """The id of the key ``key``, or None (counted or not)."""

    @abstractmethod
    def units_of(self, keys: Sequence[int]) -> Array:
        """The units (indexes, ascending) of any of ``keys``."""

    @abstractmethod
    def spellings(self, keys: Sequence[int], *, first: bool = False) -> dict[int, list[tuple[str, int]]]:
        """Per key, its original spellings with their counts, commonest first (ties: in the
        order of the strings), as ``Counts.forms`` sorted; with ``first``, the commonest alone.
        Keys without a unit are left out."""

    # What follows from it.

    @property
    def total(self) -> int:
        """Units, those without a key included."""
        return int(self.doc_starts[-1])

    @cached_property
    def types(self) -> int:
        """Keys with a unit."""
        return int(_numpy().count_nonzero(self.counts))

    def doc_sizes(self) -> Array:
        """Per layer document, its units (0 for a document not selected)."""
        return _numpy().diff(self.doc_starts)

    @cached_property
    def unit_docs(self) -> Array:
        """Per unit, its document (layer number)."""
        np = _numpy()
        documents = self.layer.documents
        return np.repeat(np.arange(documents, dtype=index_type(documents)), self.doc_sizes())

    def docs_of_units(self, found: Array) -> Array:
        """The document (layer number) of each unit of ``found``, without ``unit_docs``."""
        return _numpy().searchsorted(self.doc_starts, found, side="right") - 1

    def docs_holding(self, keys: Sequence[int]) -> Array:
        """The document (layer number) of each unit of any of ``keys``, ascending."""
        return self.docs_of_units(self.units_of(keys))

    def find(self, key: str) -> int | None:
        """The id of ``key`` when the selection has a unit of it, else None."""
        found = self.key_id(key)
        return found if found is not None and self.counts[found] else None

    def present(self) -> list[tuple[int, str]]:
        """Every key with a unit, and its string, in the order of the strings."""
        np = _numpy()
        found = np.flatnonzero(self.counts)
        keys = found[np.argsort(self.ranks[found], kind="stable")].tolist()
        return list(zip(keys, self.key_texts(keys), strict=True))

    def docs_of(self, keys: Sequence[int]) -> list[int]:
        """Per key of ``keys``, the documents that hold it."""
        np = _numpy()
        if len(keys) * 16 > self.key_count:
            every = self.doc_counts
            return [int(every[k]) for k in keys]
        found = []
        for key in keys:
            docs = self.docs_holding([key])
            found.append(int(np.count_nonzero(docs[1:] != docs[:-1])) + int(len(docs) > 0))
        return found

    @cached_property
    def doc_counts(self) -> Array:
        """Per key id, the documents that hold it (one sort of every unit)."""
        np = _numpy()
        keys = self.unit_keys
        kept = keys >= 0
        width = max(1, self.key_count)
        pairs, _ = tallied(self.unit_docs[kept].astype(np.int64) * width + keys[kept])
        return np.bincount(pairs % width, minlength=self.key_count).astype(np.int64)

    def terms(self, keys: Sequence[int]) -> dict[int, str]:
        """Per key, its most frequent spelling (``Counts.term``)."""
        return {key: spellings[0][0] for key, spellings in self.spellings(keys, first=True).items()}

    def term_list(self, keys: Array) -> list[str]:
        """``terms`` of ``keys`` (ascending, distinct, each with a unit), as a list."""
        found = self.terms(keys.tolist())
        return [found[key] for key in keys.tolist()]

    def keys_ahead(self, counts: Array, key: int, count: int) -> int:
        """How many keys of ``counts`` (per key id) rank before a key ``key`` counted
        ``count`` times: more frequent, or as frequent with a string that sorts first."""
        np = _numpy()
        ranks = self.ranks
        return int(np.count_nonzero((counts > count) | ((counts == count) & (ranks < ranks[key]))))


class Words(Units):
    """Word and number tokens, by the ids of their keys at the normalization (``Keys``):
    counted from the spellings (the inverted lists' lengths, or one pass over the
    selection's tokens), a term's words found from its inverted lists; only the documents
    of every key at once (``doc_counts``) take a sort."""

    n = 1

    def __init__(
        self,
        layer: TokenLayer,
        normalizer: Normalizer,
        selected: Sequence[int] | None,
        keys: Keys | None = None,
    ) -> None:
        super().__init__(layer, normalizer, selected, keys)
        self.key_count = len(self.keys.keys)

    @cached_property
    def doc_starts(self) -> Array:
        """From the words' positions when they are there; else each document's tokens less
        those that are not words (``cooccurrence.WordPositions``, which ``collocates`` and
        ``keywords`` count with too: from the inverted lists of the spellings that are not
        words, a tenth of the tokens, without a pass over the tokens)."""
        np = _numpy()
        if "_counted" in self.__dict__:
            return self.word_doc_starts
        layer = self.layer
        sizes = word_positions(layer).doc_sizes()
        if self.selected is not None:
            chosen = np.zeros(layer.documents, dtype=bool)
            chosen[np.asarray(self.selected, dtype=np.int64)] = True
            sizes[~chosen] = 0
        starts = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=starts[1:])
        return starts

    @property
    def total(self) -> int:
        if self.selected is None:
            return int(self.spelling_counts.sum())
        return int(self.doc_starts[-1])

    @cached_property
    def spelling_counts(self) -> Array:
        """Per spelling, its word tokens in the selection (0 for what is not a word)."""
        np = _numpy()
        layer = self.layer
        if self.selected is None:
            found = np.diff(layer.numpy("posting_offsets")).astype(np.int64)
        else:
            found = np.bincount(layer.numpy("tok")[self.words], minlength=layer.lexicon_size).astype(np.int64)
        found[~word_spellings(layer)] = 0
        return found

    @cached_property
    def counts(self) -> Array:
        np = _numpy()
        keyed = self.key_of_form != NO_KEY
        weights = self.spelling_counts[keyed].astype(np.float64)  # exact: counts stay below 2^53
        found = np.bincount(self.key_of_form[keyed], weights=weights, minlength=self.key_count)
        return found.astype(np.int64)

    @cached_property
    def ranks(self) -> Array:
        return _numpy().arange(self.key_count)

    @cached_property
    def unit_keys(self) -> Array:
        keyed = self.key_of_form.astype(index_type(self.key_count + 1))
        keyed[self.key_of_form == NO_KEY] = -1
        return keyed[self.layer.numpy("tok")[self.words]]

    def key_text(self, key: int) -> str:
        return self.keys.keys[key]

    def key_texts(self, keys: Sequence[int]) -> list[str]:
        if len(keys) < 1000:
            return super().key_texts(keys)
        every = list(self.keys.keys)
        return [every[key] for key in keys]

    def key_id(self, key: str) -> int | None:
        return find_key(self.keys, key)

    @cached_property
    def _forms_by_key(self) -> tuple[Array, Array]:
        """The spellings of each key (CSR: ids ascending within a key, and offsets)."""
        np = _numpy()
        order = np.argsort(self.key_of_form, kind="stable")
        keyed = order[: int(np.count_nonzero(self.key_of_form != NO_KEY))]
        offsets = np.zeros(self.key_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.key_of_form[keyed], minlength=self.key_count), out=offsets[1:])
        return keyed, offsets

    def forms_of(self, key: int) -> Array:
        """The spellings (lexicon ids, ascending) of the key ``key`` that are counted here."""
        forms, offsets = self._forms_by_key
        mine = forms[offsets[key] : offsets[key + 1]]
        return mine[self.spelling_counts[mine] > 0]

    def positions_of(self, keys: Sequence[int]) -> Array:
        """The positions of the words of any of ``keys`` in the selection, ascending (from
        the inverted lists)."""
        np = _numpy()
        postings, offsets = self.layer.numpy("postings"), self.layer.numpy("posting_offsets")
        lists = [postings[offsets[f] : offsets[f + 1]] for k in keys for f in self.forms_of(k).tolist()]
        if not lists:
            return np.empty(0, dtype=np.int64)
        positions = (np.sort(np.concatenate(lists)) if len(lists) > 1 else lists[0]).astype(np.int64)
        if self.selected is not None:
            chosen = np.zeros(self.layer.documents, dtype=bool)
            chosen[np.asarray(self.selected, dtype=np.int64)] = True
            positions = positions[chosen[self._layer_docs(positions)]]
        return positions

    def docs_of(self, keys: Sequence[int]) -> list[int]:
        """``Units.docs_of``: per key, the documents its inverted lists reach (in the
        selection), marked in a table of the documents: no sort of its positions."""
        np = _numpy()
        if len(keys) * 16 > self.key_count:
            return super().docs_of(keys)
        layer = self.layer
        postings, offsets = layer.numpy("postings"), layer.numpy("posting_offsets")
        bounds = layer.numpy("docs")
        chosen = None
        if self.selected is not None:
            chosen = np.zeros(layer.documents, dtype=bool)
            chosen[np.asarray(self.selected, dtype=np.int64)] = True
        doc_at = None  # per position its document, when the keys hold a good part of the corpus
        if int(self.counts[np.asarray(list(keys), dtype=np.int64)].sum()) * 4 > layer.tokens:
            small = np.uint16 if layer.documents < 1 << 16 else np.uint32  # a smaller table, fewer misses
            doc_at = np.repeat(np.arange(layer.documents, dtype=small), np.diff(bounds))
        found = []
        for key in keys:
            lists = [postings[offsets[f] : offsets[f + 1]] for f in self.forms_of(key).tolist()]
            if not lists:
                found.append(0)
                continue
            held = np.zeros(layer.documents + 1, dtype=bool)
            positions = np.concatenate(lists)
            if doc_at is not None:
                held[doc_at.take(positions)] = True
            else:
                held[np.searchsorted(bounds, positions, side="right") - 1] = True
            held = held[: layer.documents]
            found.append(int(np.count_nonzero(held if chosen is None else held & chosen)))
        return found

    def _layer_docs(self, positions: Array) -> Array:
        return _numpy().searchsorted(self.layer.numpy("docs"), positions, side="right") - 1

    def docs_holding(self, keys: Sequence[int]) -> Array:
        return self._layer_docs(self.positions_of(keys))

    def units_of(self, keys: Sequence[int]) -> Array:
        return _numpy().searchsorted(self.words, self.positions_of(keys)).astype(_numpy().int64)

    def spellings(
        self, keys: Sequence[int], *, first: bool = False, most: int = 0
    ) -> dict[int, list[tuple[str, int]]]:
        """``Units.spellings``; ``most``: the commonest ``most`` of each key alone (0: all),
        only they decoded."""
        np = _numpy()
        wanted = np.zeros(self.key_count, dtype=bool)
        wanted[np.asarray(list(keys), dtype=np.int64)] = True
        counts = self.spelling_counts
        keyed = self.key_of_form != NO_KEY
        forms = np.flatnonzero(keyed & (counts > 0))
        forms = forms[wanted[self.key_of_form[forms]]]
        # By key, then commonest first; ties in lexicon order, which is the strings' order.
        forms = forms[sorted_by(self.key_of_form[forms], int(counts[forms].max(initial=0)) - counts[forms])]
        owners = self.key_of_form[forms]
        if first:
            most = 1
        if most:
            leading = np.ones(len(forms), dtype=bool)
            leading[1:] = owners[1:] != owners[:-1]
            starts = np.flatnonzero(leading)
            place = np.arange(len(forms)) - starts[np.cumsum(leading) - 1]
            forms, owners = forms[place < most], owners[place < most]
        text = self.layer.forms().__getitem__ if len(forms) > 2000 else self.layer.form
        found: dict[int, list[tuple[str, int]]] = {}
        for key, form, count in zip(owners.tolist(), forms.tolist(), counts[forms].tolist(), strict=True):
            found.setdefault(key, []).append((text(form), count))
        return found


def _gather(values: Array, firsts: Array, offset: int) -> Callable[[], Array]:
    """A maker of the column ``values[firsts + offset]`` (the ``offset``-th word of n-grams)."""
    return lambda: values[firsts + offset]


def find_key(keys: Keys, key: str) -> int | None:
    """The id of ``key`` among the keys of words, or None (a binary search)."""
    lexicon = keys.keys
    find = getattr(lexicon, "find", None)
    if find is not None:
        found: int | None = find(key)
        return found
    at = bisect_left(lexicon, key)
    return at if at < len(lexicon) and lexicon[at] == key else None


class Ngrams(Units):
    """Runs of N words within a sentence, by the ids of their keys among those of the
    selection (in the order of their strings), grouped by one sort of every n-gram."""

    def __init__(
        self,
        layer: TokenLayer,
        normalizer: Normalizer,
        n: int,
        selected: Sequence[int] | None,
        keys: Keys | None = None,
    ) -> None:
        super().__init__(layer, normalizer, selected, keys)
        np = _numpy()
        self.n = n
        self.firsts = self._runs(n)
        self._doc_starts = np.searchsorted(self.firsts, self.word_doc_starts)
        self._odd: list[str] = []  # keys normalized as text, in the order of their strings
        self._coder: TupleCodes | None = None
        self._odd_base = 0  # codes from here on are odd keys
        self.groups = self._group()
        self.key_count = len(self.groups.codes)

    @property
    def doc_starts(self) -> Array:
        return self._doc_starts

    def _runs(self, n: int) -> Array:
        """The index (among ``words``) of the first word of each run of N words within a
        sentence."""
        np = _numpy()
        words = self.words
        if len(words) < n:
            return np.empty(0, dtype=np.int64)
        opens = np.zeros(len(words) + 1, dtype=np.int8)  # a word that opens a sentence
        opens[np.searchsorted(words, self.layer.numpy("sentences")[:-1])] = 1
        opens[0] = 1
        sentence = np.cumsum(opens[: len(words)], dtype=index_type(len(words) + 1))
        del opens
        whole = sentence[n - 1 :] == sentence[: len(words) - n + 1]
        del sentence
        return nonzero(whole)

    def _group(self) -> Groups:
        """The n-grams grouped by key."""
        empty = len(self.keys.keys)  # the id of "": after every key
        keyed = self.key_of_form.astype(index_type(empty + 1))
        keyed[self.key_of_form == NO_KEY] = empty
        word_keys = keyed[self.layer.numpy("tok")[self.words]]
        codes = self._codes(word_keys, empty)
        del word_keys
        return grouped(codes, spend=True)

    def _codes(self, word_keys: Array, empty: int) -> Array:
        """Per n-gram, the code of its key (``TupleCodes`` of its words' keys; the odd ones
        normalized as text)."""
        np = _numpy()
        firsts = self.firsts
        self._coder = coder = TupleCodes(empty + 1)
        codes = coder.codes([_gather(word_keys, firsts, j) for j in range(self.n)])
        odd = self._odd_words(empty)
        if odd is not None:  # the n-grams that hold an odd word: those that begin up to n-1 words before it
            odd_words = nonzero(odd[word_keys]).astype(np.int64)
            low = np.searchsorted(firsts, odd_words - (self.n - 1))
            high = np.searchsorted(firsts, odd_words, side="right")
            hit = distinct(ranges(low, high))
            self._odd_keys(codes, hit.astype(np.int64), odd)
        return codes

    def _odd_words(self, empty: int) -> Array | None:
        """Per key id (and the id ``empty`` standing for ""), whether an n-gram with a word
        of that key must be normalized as text; None when no counted word has such a key."""
        np = _numpy()
        keys = self.keys.keys
        odd = np.zeros(empty + 1, dtype=bool)
        odd[empty] = True
        text, at = getattr(keys, "text", None), getattr(keys, "offsets", None)
        if text is not None and at is not None:  # a stored lexicon: its bytes, without decoding the keys
            offsets = np.asarray(at, dtype=np.int64)
            low = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) <= 0x20)
            odd[np.searchsorted(offsets, low, side="right") - 1] = True
        else:
            for number, key in enumerate(keys):
                if any(c <= " " for c in key):
                    odd[number] = True
        counted = word_spellings(self.layer)
        keyed = np.where(self.key_of_form == NO_KEY, empty, self.key_of_form)
        return odd if odd[keyed[counted]].any() else None

    def _odd_keys(self, codes: Array, units: Array, odd: Array) -> None:
        """Give the n-grams ``units``, which have an odd word (``_odd_words``), the code of
        their key normalized as text: the code of the same key written the usual way when
        there is one, else a code after every other, in the order of the strings (``_odd``)."""
        from ..text.normalize import normalize_many

        if not len(units):
            return
        forms = self.layer.forms() if len(units) > 2000 else None
        spellings = [self.spelling_text(int(u), forms) for u in units]
        normalized = normalize_many(set(spellings), self.normalizer)
        coder = self._coder
        assert coder is not None
        usual = {key: self._usual_code(key, odd) for key in set(normalized.values())}
        self._odd = sorted(key for key, code in usual.items() if code is None)
        self._odd_base = base = coder.bound
        place = {key: base + i for i, key in enumerate(self._odd)}
        codes[units] = [
            usual[k] if usual[k] is not None else place[k] for k in (normalized[s] for s in spellings)
        ]

    def _usual_code(self, key: str, odd: Array) -> int | None:
        """The code of ``key`` written as N keys of words that are not odd, or None."""
        parts = key.split(" ")
        if len(parts) != self.n:
            return None
        numbers = []
        for part in parts:
            number = find_key(self.keys, part)
            if number is None or odd[number]:
                return None
            numbers.append(number)
        assert self._coder is not None
        return self._coder.encode(numbers)

    # ------------------------------------------------------------------ keys

    def key_id(self, key: str) -> int | None:
        np = _numpy()
        code: int | None
        if key in self._odd:
            code = self._odd_base + self._odd.index(key)
        else:
            parts = key.split(" ")
            numbers = [find_key(self.keys, part) for part in parts]
            if len(parts) != self.n or None in numbers:
                return None
            assert self._coder is not None
            code = self._coder.encode([n for n in numbers if n is not None])
        if code is None:
            return None
        codes = self.groups.codes
        at = int(np.searchsorted(codes, code))
        return at if at < self.key_count and int(codes[at]) == code else None

    def key_text(self, key: int) -> str:
        code = int(self.groups.codes[key])
        if self._odd and code >= self._odd_base:
            return self._odd[code - self._odd_base]
        assert self._coder is not None
        return " ".join(self.keys.keys[number] for number in self._coder.decode(code))

    def key_texts(self, keys: Sequence[int]) -> list[str]:
        """Many keys: their codes decoded into columns of word keys with numpy, each word's
        key decoded once."""
        np = _numpy()
        if len(keys) < 1000:
            return super().key_texts(keys)
        assert self._coder is not None
        codes = self.groups.codes[np.asarray(keys, dtype=np.int64)]
        usual = codes < self._odd_base if self._odd else np.ones(len(codes), dtype=bool)
        texts = joined(self._coder.decode_all(codes[usual]), list(self.keys.keys))
        if usual.all():
            return texts
        out: list[str] = []
        usual_texts = iter(texts)
        for code, is_usual in zip(codes.tolist(), usual.tolist(), strict=True):
            out.append(next(usual_texts) if is_usual else self._odd[code - self._odd_base])
        return out

    @cached_property
    def ranks(self) -> Array:
        np = _numpy()
        count = self.key_count
        if not self._odd:
            return np.arange(count, dtype=np.int64)
        usual = int(np.searchsorted(self.groups.codes, self._odd_base))
        odd_keys = [self._odd[int(self.groups.codes[i]) - self._odd_base] for i in range(usual, count)]
        # Where each odd key goes among the usual keys (a binary search on their strings).
        at = np.asarray([self._place(key, usual) for key in odd_keys], dtype=np.int64)
        ranks = np.empty(count, dtype=np.int64)
        ranks[:usual] = np.arange(usual) + np.searchsorted(at, np.arange(usual), "right")
        ranks[usual:] = at + np.arange(count - usual)
        return ranks

    def _place(self, key: str, usual: int) -> int:
        low, high = 0, usual
        while low < high:
            middle = (low + high) // 2
            if self.key_text(middle) < key:
                low = middle + 1
            else:
                high = middle
        return low

    # ------------------------------------------------------------------ per unit and key

    @cached_property
    def counts(self) -> Array:
        return self.groups.sizes()

    @cached_property
    def unit_keys(self) -> Array:
        return self.groups.labels()

    @cached_property
    def doc_counts(self) -> Array:
        """Per key id, the documents that hold it (from the units grouped by key)."""
        np = _numpy()
        if not self.key_count:
            return np.empty(0, dtype=np.int64)
        docs = self.unit_docs[self.groups.order]
        changes = np.empty(len(docs), dtype=bool)
        np.not_equal(docs[1:], docs[:-1], out=changes[1:])
        del docs
        changes[self.groups.starts[:-1]] = True
        return np.add.reduceat(changes, self.groups.starts[:-1], dtype=np.int64)

    def units_of(self, keys: Sequence[int]) -> Array:
        np = _numpy()
        parts = [self.groups.members(k) for k in keys]
        if not parts:
            return np.empty(0, dtype=np.int64)
        return parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))

    # ------------------------------------------------------------------ spellings

    def spelling_text(self, unit: int, forms: Sequence[str] | None = None) -> str:
        """The original spelling of an n-gram: its words' spellings joined by spaces."""
        text = forms.__getitem__ if forms is not None else self.layer.form
        tok, first = self.layer.tok, int(self.firsts[unit])
        return " ".join(text(tok[int(self.words[first + j])]) for j in range(self.n))

    def _spelling_runs(self, keys: Sequence[int], first: bool) -> tuple[Array, Array, Array]:
        """Per key (ascending) and spelling, commonest first (ties: in the order of the
        strings): the key, an n-gram spelled so, and the count (``first``: the commonest
        spelling of each key alone)."""
        np = _numpy()
        wanted = distinct(np.asarray(keys, dtype=np.int64))
        groups = self.groups
        if len(wanted) * 8 > self.key_count:  # most keys: every unit, those of other keys dropped
            labels = np.repeat(np.arange(self.key_count, dtype=np.int64), groups.sizes())
            units = groups.order
            if len(wanted) < self.key_count:
                chosen = np.zeros(self.key_count, dtype=bool)
                chosen[wanted] = True
                kept = chosen[labels]
                labels, units = labels[kept], units[kept]
        elif len(wanted):
            units = np.concatenate([groups.members(int(k)) for k in wanted])
            labels = np.repeat(wanted, groups.sizes()[wanted])
        else:
            return wanted, wanted, wanted
        tok, words, firsts = self.layer.numpy("tok"), self.words, self.firsts[units]

        def spellings_of(offset: int) -> Callable[[], Array]:
            return lambda: tok[words[firsts + offset]].astype(np.int64)

        spelling = TupleCodes(self.layer.lexicon_size).codes([spellings_of(j) for j in range(self.n)])
        # Codes of spellings sort as their strings do: lexicon ids sort as their spellings,
        # and no word holds a character below the space that joins them.
        order = sorted_by(labels, spelling)
        labels, spelling, units = labels[order], spelling[order], units[order]
        del order
        new = np.ones(len(units), dtype=bool)
        new[1:] = (labels[1:] != labels[:-1]) | (spelling[1:] != spelling[:-1])
        runs = np.flatnonzero(new)
        run_counts = np.diff(np.append(runs, len(units)))
        run_labels, run_units = labels[runs], units[runs]
        ranked = sorted_by(run_labels, int(run_counts.max()) - run_counts)  # stable: strings stay in order
        if first:
            leading = np.ones(len(ranked), dtype=bool)
            leading[1:] = run_labels[ranked][1:] != run_labels[ranked][:-1]
            ranked = ranked[leading]
        return run_labels[ranked], run_units[ranked], run_counts[ranked]

    def spellings(self, keys: Sequence[int], *, first: bool = False) -> dict[int, list[tuple[str, int]]]:
        labels, units, counts = self._spelling_runs(keys, first)
        found: dict[int, list[tuple[str, int]]] = {}
        texts = self.spelling_texts(units)
        for label, text, count in zip(labels.tolist(), texts, counts.tolist(), strict=True):
            found.setdefault(label, []).append((text, count))
        return found

    def term_list(self, keys: Array) -> list[str]:
        _, units, _ = self._spelling_runs(keys, True)
        return self.spelling_texts(units)

    def spelling_texts(self, units: Array) -> list[str]:
        """``spelling_text`` of many n-grams (the lexicon decoded once when they are many)."""
        if len(units) < 2000:
            return [self.spelling_text(unit) for unit in units.tolist()]
        tok, words, firsts = self.layer.numpy("tok"), self.words, self.firsts[units]
        return joined([tok[words[firsts + j]] for j in range(self.n)], self.layer.forms())


# --------------------------------------------------------------------------- per scope


class ScopeCounts(NamedTuple):
    """Counts per scope (a document, or a group of documents) and key, one entry per pair
    that occurs, sorted by scope and then by key."""

    scopes: Array
    keys: Array
    counts: Array


def scope_counts(units: Units, scope_of_doc: Array, only: Array | None = None) -> ScopeCounts:
    """The units of each key in each scope (``scope_of_doc``: per layer document, its scope,
    or -1: counted in no scope); ``only``: per scope, whether it is wanted (None: all).

    A count per pair of a dense table when scopes times keys are few (``--by year``),
    else one sort of the units' pairs (``--by-doc``)."""
    np = _numpy()
    size = int(scope_of_doc.max(initial=-1)) + 1
    if only is not None:
        scope_of_doc = np.where(
            scope_of_doc >= 0, np.where(only[np.maximum(scope_of_doc, 0)], scope_of_doc, -1), -1
        )
    width = max(1, units.key_count)
    if size * width <= 1 << 24 and isinstance(units, Words):
        table = _word_table(units, scope_of_doc, size * width)
        distinct = np.flatnonzero(table)
        return ScopeCounts(distinct // width, distinct % width, table[distinct].astype(np.int64))
    scopes = np.repeat(scope_of_doc.astype(index_type(size + 1)), units.doc_sizes())
    keys = units.unit_keys
    kept = (scopes >= 0) & (keys >= 0)
    codes = scopes[kept].astype(np.int64)
    del scopes
    codes *= width
    codes += keys[kept]
    del kept
    if size * width <= 1 << 24:
        table = np.bincount(codes, minlength=size * width)
        distinct = np.flatnonzero(table)
        counts = table[distinct].astype(np.int64)
    else:
        distinct, counts = tallied(codes)
    return ScopeCounts(distinct // width, distinct % width, counts)


def _word_table(units: Words, scope_of_doc: Array, size: int) -> Array:
    """``scope_counts`` of words into a dense table (scope times keys), from the tokens a
    block of documents at a time: no array as long as the corpus (``--by year``)."""
    np = _numpy()
    layer = units.layer
    key_of = np.where(units.key_of_form == NO_KEY, -1, units.key_of_form)
    key_of[~word_spellings(layer)] = -1  # not a word
    tok, bounds = layer.numpy("tok"), layer.numpy("docs").astype(np.int64)
    table = np.zeros(size, dtype=np.int64)
    width = max(1, units.key_count)
    wanted = np.flatnonzero(scope_of_doc >= 0)
    if not len(wanted):
        return table
    first = int(wanted[0])
    while first <= int(wanted[-1]):
        last = int(np.searchsorted(bounds, bounds[first] + (1 << 20), side="right")) - 1
        last = min(max(last, first + 1), layer.documents)
        keys = key_of[tok[bounds[first] : bounds[last]]]
        scopes = np.repeat(scope_of_doc[first:last], np.diff(bounds[first : last + 1]))
        kept = (keys >= 0) & (scopes >= 0)
        table += np.bincount(scopes[kept] * width + keys[kept], minlength=size)
        first = last
    return table


def scope_doc_counts(units: Units, scope_of_doc: Array) -> ScopeCounts:
    """The documents of each scope that hold each key."""
    np = _numpy()
    docs = units.unit_docs
    keys = units.unit_keys
    kept = (np.repeat(scope_of_doc, units.doc_sizes()) >= 0) & (keys >= 0)
    width = max(1, units.key_count)
    pairs, _ = tallied(docs[kept].astype(np.int64) * width + keys[kept])
    del kept
    scopes = scope_of_doc[pairs // width].astype(np.int64)
    distinct, counts = tallied(scopes * width + pairs % width)
    return ScopeCounts(distinct // width, distinct % width, counts)


def ranked_in_scopes(units: Units, entries: ScopeCounts) -> ScopeCounts:
    """``entries`` sorted by scope, then as a frequency list ranks keys (most frequent
    first, ties in the order of the keys' strings).  A pair of scope and key occurs once,
    so scope, count and rank pack into one integer that sorts alone, and unpack again
    (no permutation to carry) when they fit in 64 bits."""
    np = _numpy()
    if not len(entries.counts):
        return entries
    most = int(entries.counts.max())
    ranks = units.ranks
    columns = [entries.scopes, most - entries.counts, ranks[entries.keys]]
    widths = [max(1, int(c.max()).bit_length()) for c in columns]
    if sum(widths) > 64:
        order = sorted_by(*columns)
        return ScopeCounts(entries.scopes[order], entries.keys[order], entries.counts[order])
    packed = np.zeros(len(entries.counts), dtype=np.uint64)
    for column, width in zip(columns, widths, strict=True):
        packed <<= np.uint64(width)
        packed |= column.astype(np.uint64)
    del columns
    packed.sort()
    rank_bits, count_bits = widths[2], widths[1]
    by_rank = np.empty(len(ranks), dtype=np.int64)
    by_rank[ranks] = np.arange(len(ranks))
    keys = by_rank[(packed & np.uint64((1 << rank_bits) - 1)).astype(np.int64)]
    packed >>= np.uint64(rank_bits)
    counts = most - (packed & np.uint64((1 << count_bits) - 1)).astype(np.int64)
    packed >>= np.uint64(count_bits)
    return ScopeCounts(packed.astype(np.int64), keys, counts)


def ranked(units: Units, counts: Array, *, least: int = 1, top: int = 0) -> Array:
    """The key ids with at least ``least`` units in ``counts`` (per key id), most frequent
    first (ties in the order of the keys' strings); with ``top``, only as many as the list of
    the ``top`` first needs (all those tied with the last one too)."""
    np = _numpy()
    chosen = np.flatnonzero(counts >= max(least, 1))
    if top and len(chosen) > top:
        last = np.partition(counts[chosen], len(chosen) - top)[len(chosen) - top]
        chosen = chosen[counts[chosen] >= last]
    if not len(chosen):
        return chosen
    found = counts[chosen]
    return chosen[sorted_by(int(found.max()) - found, units.ranks[chosen])]


def dispersion_inputs(
    units: Units, keys: Sequence[int], docs: Array, offsets: Array | None = None
) -> tuple[list[int], list[int], list[int], int]:
    """What ``stats.dispersion`` takes for the units of ``keys`` over the documents ``docs``
    (layer numbers, in order), as ``query.freq.with_dispersion`` counts them: per document,
    their count and its size, their places in the stream of those documents, its length.

    ``offsets``: per layer document, where it begins in that stream (None: ``docs`` are
    every document the units were taken from, whose stream is theirs)."""
    np = _numpy()
    found = units.units_of(keys)
    doc_of = units.docs_of_units(found)
    sizes = units.doc_sizes()[docs]
    if offsets is not None:
        chosen = np.zeros(units.layer.documents, dtype=bool)
        chosen[docs] = True
        inside = chosen[doc_of]
        found, doc_of = found[inside], doc_of[inside]
        found = found - units.doc_starts[doc_of] + offsets[doc_of]
    values = np.bincount(doc_of, minlength=units.layer.documents)[docs]
    return values.tolist(), sizes.tolist(), found.tolist(), int(sizes.sum())
