"""Lemma, root and part of speech for the commands: which spellings a ``--lemma``/``--root``
selects, and the value each spelling counts as for ``--attr``.

Both read the attributes ``corpus index build --morph`` keeps beside an index's token layer
(``TokenLayer.attribute``), compared as CQL compares them (``cql.attributes``: a lemma
unvocalized at the normalization in force, a root as letters whatever the separators, a
part of speech in lower case): ``--root كتب`` and ``[root="كتب"]`` select the same tokens.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import CorpusError
from ..text.morphology import MORPHOLOGY
from .cql.attributes import table, value_mask
from .cql.syntax import CqlSyntaxError, Value

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
        raise CorpusError(f"unknown attribute '{name}' (lemma, root, pos)")
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

        if self.name != "lemma":
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

        from ..store.layer import NO_KEY

        of_form = np.asarray(self.keys.of_form, dtype=np.int64)
        order = np.argsort(of_form, kind="stable")
        keyed = order[: int(np.count_nonzero(of_form != NO_KEY))]
        offsets = np.zeros(len(self.keys.keys) + 1, dtype=np.int64)
        np.cumsum(np.bincount(of_form[keyed], minlength=len(self.keys.keys)), out=offsets[1:])
        return keyed, offsets


def attribute_keys(layer: TokenLayer, normalizer: Normalizer, name: str) -> AttributeKeys:
    """The keys of attribute ``name`` over ``layer``'s spellings at ``normalizer`` (kept on
    the layer for the command).  Values compared as ``values_of`` compares them, the
    lexicons decoded and a lemma's values normalized in one call each (saudinewsnet's
    84,000 lemmas: 0.05 s, not 0.7 s one by one)."""
    import numpy as np

    from ..store.layer import NO_KEY
    from .cql.attributes import compared_values, kept_as
    from .positions import Keys

    cache: dict[tuple[str, tuple[str, ...]], AttributeKeys] = layer.__dict__.setdefault("_attribute_keys", {})
    wanted = (name, tuple(normalizer.active_steps))
    found = cache.get(wanted)
    if found is not None:
        return found
    saved = layer.attribute(_checked(name))
    if saved is None:
        known = [a for a in MORPHOLOGY if layer.attribute(a) is not None]
        raise CorpusError(
            f"this corpus has no {name} (it has {', '.join(known) or 'no morphology'}): build its index "
            "with 'corpus index build --morph'"
        )
    first = np.asarray(saved.first, dtype=np.int64)
    has_reading = first != NO_KEY
    kept = kept_as(layer, name, saved.made_by, normalizer, "attribute")
    if kept is not None:  # made by an earlier command, beside the index
        found_keys = layer.saved_keys(kept)
        if found_keys is not None:
            # a first value that compares as "" (في's root) is none, as when the keys were made
            if name != "lemma":  # no fallback: a spelling has a key when it has a value
                has_reading = np.asarray(found_keys[1], dtype=np.int64) != NO_KEY
            elif (blank := saved.values.find("")) is not None:
                has_reading &= first != blank
            found = cache[wanted] = AttributeKeys(layer, name, Keys(*found_keys), has_reading)
            return found
    compared = compared_values(saved.values, normalizer, name)
    empty = np.fromiter((v == "" for v in compared), dtype=bool, count=len(compared))
    has_reading[has_reading] = ~empty[first[has_reading]]  # a value of marks alone is none
    strings = set(compared) - {""}
    if name == "lemma":  # a word without a reading: its normalized form
        from .cooccurrence import word_spellings

        words = Keys.of(layer, normalizer)
        fallback_of = np.asarray(words.of_form, dtype=np.int64)
        fallback_of[has_reading | ~word_spellings(layer)] = NO_KEY
        used = np.unique(fallback_of[fallback_of != NO_KEY])
        word_strings = {k: words.keys[k] for k in used.tolist()}
        strings.update(word_strings.values())
    ordered = sorted(strings)
    number = {value: i for i, value in enumerate(ordered)}
    remap = np.fromiter((number.get(v, NO_KEY) for v in compared), dtype=np.int64, count=len(compared))
    of_form = np.full(len(first), NO_KEY, dtype=np.int64)
    of_form[has_reading] = remap[first[has_reading]]
    if name == "lemma":
        falls = fallback_of != NO_KEY
        word_remap = np.full(len(words.keys), NO_KEY, dtype=np.int64)
        word_remap[used] = [number[word_strings[k]] for k in used.tolist()]
        of_form[falls] = word_remap[fallback_of[falls]]
    keys = Keys(ordered, of_form.astype(np.uint32))  # type: ignore[arg-type]
    if kept is not None:
        layer.save_keys(kept, keys.keys, keys.of_form)
    found = cache[wanted] = AttributeKeys(layer, name, keys, has_reading)
    return found
