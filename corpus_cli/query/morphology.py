"""Lemma, root and part of speech for the commands: which spellings a ``--lemma``/``--root``
selects, and the value each spelling counts as for ``--attr``.

Both read the attributes ``corpus index build --morph`` keeps beside an index's token layer
(``TokenLayer.attribute``), compared as CQL compares them (``cql.attributes``: a lemma
unvocalized at the normalization in force, a root as letters whatever the separators, a
part of speech in lower case): ``--root كتب`` and ``[root="كتب"]`` select the same tokens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import CorpusError
from .cql.attributes import MORPHOLOGY, table, value_mask
from .cql.syntax import CqlSyntaxError, Value

if TYPE_CHECKING:
    from ..store.layer import TokenLayer
    from ..text.normalize import Normalizer


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
