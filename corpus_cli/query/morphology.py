"""Lemma, root and part of speech for the commands: which spellings a ``--lemma``/``--root``
selects, the value each spelling counts as for ``--attr``, and the n-grams of values
``freq --attr A --ngram N`` counts (``ValueNgrams``).

Both read the attributes ``corpus index build --morph`` keeps beside an index's token layer
(``TokenLayer.attribute``), compared as CQL compares them (``cql.attributes``: a lemma
unvocalized at the normalization in force, a root as letters whatever the separators, a
part of speech in lower case): ``--root كتب`` and ``[root="كتب"]`` select the same tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import CorpusError
from ..store.layer import NO_KEY
from ..text.morphology import MORPHOLOGY
from .cql.attributes import table, value_mask
from .cql.syntax import CqlSyntaxError, Value
from .tallies import Groups, Ngrams, TupleCodes, grouped, index_type

if TYPE_CHECKING:
    from ..store.layer import Attribute, TokenLayer
    from ..text.normalize import Normalizer
    from .positions import Keys


class Values(NamedTuple):
    """An attribute over a layer's spellings: its distinct values (the last one "", the
    value of a spelling without a reading) and, per spelling, the number of its value."""

    values: list[str]
    of_form: Any  # numpy int64 array, one per spelling


def selected_spellings(
    layer: TokenLayer, normalizer: Normalizer, name: str, wanted: str, *, any_reading: bool = False
) -> list[int]:
    """The lexicon ids of the spellings whose ``name`` (lemma, root, pos) is ``wanted``
    (their first reading's; with ``any_reading``, any reading's): their positions are
    ``layer.positions(...)``."""
    import numpy as np

    try:
        mask = value_mask(layer, normalizer, _checked(name), 0, Value(wanted, "l"), any_reading=any_reading)
    except CqlSyntaxError as exc:  # no such attribute: said as an option's error, no column
        raise CorpusError(exc.message) from None
    return [int(number) for number in np.flatnonzero(mask)]


def values_of(layer: TokenLayer, normalizer: Normalizer, name: str) -> Values:
    """The value of ``name`` for every spelling (``freq --attr lemma``: count the tokens by
    ``of_form[tok]``)."""
    try:
        found = table(layer, normalizer, _checked(name))
    except CqlSyntaxError as exc:
        raise CorpusError(exc.message) from None
    return Values(list(found.values()), found.of_form)


def _checked(name: str) -> str:
    if name not in MORPHOLOGY:
        raise CorpusError(f"unknown attribute '{name}' ({', '.join(MORPHOLOGY)})")
    return name


class AttributeKeys:
    """The keys ``--attr lemma|root|pos`` counts, in the shape of ``positions.Keys`` (so
    that ``freq``, ``collocates`` and ``keywords`` count them as they count words):
    ``keys.keys`` the values sorted, ``keys.of_form`` per spelling the number of its
    value, ``NO_KEY`` for a spelling left out (a ``root`` or ``pos`` without a reading;
    punctuation and the like, never counted anyway).

    A word without a reading (numbers, Latin words, words the analyser does not know)
    has no ``root`` or ``pos`` and is left out of their lists; its ``lemma`` is its own
    normalized form, as Sketch Engine's lemmatized corpora count unknown words.
    """

    def __init__(self, layer: TokenLayer, name: str, keys: Keys, has_reading: Any) -> None:
        self.layer, self.name, self.keys = layer, name, keys
        self._has_reading = has_reading  # per spelling (numpy bool)
        self._shown: dict[int, str] = {}

    def term(self, key: int) -> str:
        """What a row shows for ``key``: for a lemma, the analyser's lemma unvocalized, of
        the spellings of the key the one with the most tokens in the corpus (ties: the
        first in the analyser's order), as أحمد for the key احمد at the standard level;
        else, and for a word without a reading, the key."""
        found = self._shown.get(key)
        if found is None:
            found = self._shown[key] = self._spelled(key)
        return found

    def _spelled(self, key: int) -> str:
        import numpy as np

        from ..text.morphology import unvocalized

        if self.name not in ("lemma", "lempos"):
            return self.keys.keys[key]
        forms, offsets = self._forms_by_key
        mine = forms[offsets[key] : offsets[key + 1]]
        mine = mine[self._has_reading[mine]]
        saved = self._saved
        if not len(mine) or saved is None:
            return self.keys.keys[key]
        raw = np.frombuffer(saved.first, dtype=np.uint32)[mine].astype(np.int64)
        postings = self.layer.numpy("posting_offsets")
        tokens = (postings[mine + 1] - postings[mine]).astype(np.int64)
        values, at = np.unique(raw, return_inverse=True)
        weights = np.bincount(at, weights=tokens.astype(np.float64))
        return unvocalized(saved.values[int(values[int(np.argmax(weights))])])

    @cached_property
    def _saved(self) -> Attribute | None:
        return self.layer.attribute(self.name)

    @cached_property
    def _forms_by_key(self) -> tuple[Any, Any]:
        """The spellings of each key (CSR: ids, and offsets per key)."""
        import numpy as np

        of_form = np.asarray(self.keys.of_form, dtype=np.int64)
        order = np.argsort(of_form, kind="stable")
        keyed = order[: int(np.count_nonzero(of_form != NO_KEY))]
        offsets = np.zeros(len(self.keys.keys) + 1, dtype=np.int64)
        np.cumsum(np.bincount(of_form[keyed], minlength=len(self.keys.keys)), out=offsets[1:])
        return keyed, offsets


def attribute_keys(layer: TokenLayer, normalizer: Normalizer, name: str) -> AttributeKeys:
    """The keys of attribute ``name`` over ``layer``'s spellings at ``normalizer`` (kept on
    the layer for the command): the values CQL compares (``cql.attributes.first_values``),
    and for a lemma, the normalized forms of the words without a reading as well (kept
    beside an index's layer once made, as those values are)."""
    import numpy as np

    from ..store.layer import Lexicon
    from .cql.attributes import first_values, kept_as, lexicon_strings
    from .positions import Keys

    cache: dict[tuple[str, tuple[str, ...]], AttributeKeys] = layer.__dict__.setdefault("_attribute_keys", {})
    wanted = (name, tuple(normalizer.active_steps))
    found = cache.get(wanted)
    if found is not None:
        return found
    shared = first_values(layer, normalizer, _checked(name))
    if shared is None:
        known = [a for a in MORPHOLOGY if layer.attribute(a) is not None]
        raise CorpusError(
            f"this corpus has no {name} (it has {', '.join(known) or 'no morphology'}): build its index "
            "with 'corpus index build --morph'"
        )
    has_reading = shared.has_reading
    if name != "lemma":  # a spelling has a key when it has a value
        keys = Keys(shared.values, shared.first)
        found = cache[wanted] = AttributeKeys(layer, name, keys, has_reading)
        return found
    saved = layer.attribute(name)
    assert saved is not None
    kept = kept_as(layer, name, saved.made_by, normalizer, "attribute")
    kept_keys = layer.saved_keys(kept) if kept is not None else None  # made by an earlier command
    if kept_keys is not None:
        found = cache[wanted] = AttributeKeys(layer, name, Keys(*kept_keys), has_reading)
        return found
    # A word without a reading: its normalized form, among the analyser's lemmas.
    from .cooccurrence import word_spellings

    words = Keys.of(layer, normalizer)
    fallback_of = np.asarray(words.of_form, dtype=np.int64)
    fallback_of[has_reading | ~word_spellings(layer)] = NO_KEY
    used = np.unique(fallback_of[fallback_of != NO_KEY])
    word_strings = {k: words.keys[k] for k in used.tolist()}
    lemmas = lexicon_strings(shared.values) if isinstance(shared.values, Lexicon) else list(shared.values)
    ordered = sorted(set(lemmas).union(word_strings.values()))
    number = {value: i for i, value in enumerate(ordered)}
    remap = np.fromiter((number[v] for v in lemmas), dtype=np.int64, count=len(lemmas))
    first = np.asarray(shared.first, dtype=np.int64)
    of_form = np.full(len(first), NO_KEY, dtype=np.int64)
    of_form[has_reading] = remap[first[has_reading]]
    falls = fallback_of != NO_KEY
    word_remap = np.full(len(words.keys), NO_KEY, dtype=np.int64)
    word_remap[used] = [number[word_strings[k]] for k in used.tolist()]
    of_form[falls] = word_remap[fallback_of[falls]]
    keys = Keys(ordered, of_form.astype(np.uint32))  # type: ignore[arg-type]
    if kept is not None:
        layer.save_keys(kept, keys.keys, keys.of_form)
    found = cache[wanted] = AttributeKeys(layer, name, keys, has_reading)
    return found


class ValueNgrams(Ngrams):
    """``freq --attr A --ngram N``: the runs of N words ``freq --ngram N`` counts (within a
    sentence: never across a line end, sentence-ending punctuation or a document's end;
    other punctuation stepped over), each keyed by its words' values of attribute A
    (``AttributeKeys``) in place of their normalized forms.  A run holding a word without
    a value (a root for في, a part of speech for a word the analyser does not know) has
    no key (``unit_keys`` -1): left out of the list and counted in the totals, as ``freq
    --attr`` leaves out such a word."""

    def __init__(
        self,
        layer: TokenLayer,
        normalizer: Normalizer,
        n: int,
        selected: Sequence[int] | None,
        attribute: AttributeKeys,
    ) -> None:
        self.attribute = attribute
        super().__init__(layer, normalizer, n, selected, attribute.keys)

    def _group(self) -> Groups:
        """The runs grouped by the codes of their values (``TupleCodes``: codes sort as the
        values' strings joined by spaces do); those with a word without a value take a code
        after every other, and their group is dropped: they have no key."""
        import numpy as np

        none = len(self.keys.keys)  # the number standing for "no value"
        values = self.key_of_form.astype(index_type(none + 1))
        values[self.key_of_form == NO_KEY] = none
        word_values = values[self.layer.numpy("tok")[self.words]]
        del values
        firsts = self.firsts
        self._coder = coder = TupleCodes(none + 1)
        codes = coder.codes([_column(word_values, firsts, j) for j in range(self.n)])
        keyless = None
        if len(word_values) and int(word_values.max()) == none:
            keyless = np.zeros(len(firsts), dtype=bool)
            for j in range(self.n):
                keyless |= word_values[firsts + j] == none
            codes[keyless] = coder.bound
        del word_values
        groups = grouped(codes, spend=True)
        if keyless is None or not keyless.any():
            return groups
        end = int(groups.starts[-2])  # the keyless runs: the last group
        return Groups(groups.order[:end], groups.starts[:-1], groups.codes[:-1])

    @cached_property
    def unit_keys(self) -> Any:
        """Per run, its key id; -1 for a run without one."""
        import numpy as np

        kind = index_type(self.key_count + 1)
        ids = np.full(len(self.firsts), -1, dtype=kind)
        ids[self.groups.order] = np.repeat(np.arange(self.key_count, dtype=kind), self.groups.sizes())
        return ids

    def shown(self, key: int) -> str:
        """What a row shows for ``key``: each word's value as ``AttributeKeys.term`` shows it."""
        assert self._coder is not None
        values = self._coder.decode(int(self.groups.codes[key]))
        return " ".join(self.attribute.term(value) for value in values)

    def spellings(
        self, keys: Sequence[int], *, first: bool = False, most: int = 0
    ) -> dict[int, list[tuple[str, int]]]:
        """``Ngrams.spellings``; ``most``: the commonest ``most`` of each key alone (0: all),
        only they decoded."""
        import numpy as np

        labels, units, counts = self._spelling_runs(keys, first)
        if most and len(labels):
            leading = np.ones(len(labels), dtype=bool)
            leading[1:] = labels[1:] != labels[:-1]
            starts = np.flatnonzero(leading)
            place = np.arange(len(labels)) - starts[np.cumsum(leading) - 1]
            kept = place < most
            labels, units, counts = labels[kept], units[kept], counts[kept]
        found: dict[int, list[tuple[str, int]]] = {}
        texts = self.spelling_texts(units)
        for label, text, count in zip(labels.tolist(), texts, counts.tolist(), strict=True):
            found.setdefault(label, []).append((text, count))
        return found


def _column(values: Any, firsts: Any, offset: int) -> Callable[[], Any]:
    """A maker of the column ``values[firsts + offset]`` (the ``offset``-th word of runs)."""
    return lambda: values[firsts + offset]
