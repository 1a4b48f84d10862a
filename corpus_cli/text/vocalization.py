"""Diacritics typed in a query are constraints, not noise.

An unvocalized query matches every vocalization.  A mark the user types must be on
that letter in the text: ``كُتب`` matches ``كُتِبَ`` and — since unvocalized text says
nothing — ``كتب``, but not ``كَتَبَ``.  With ``strict`` a letter without marks in the
text does not satisfy a typed mark either.

Letters are aligned after normalization (so ``أ`` in the query lines up with ``ا`` in
the text); a query and a hit that do not align letter for letter (a ligature expanded
on one side) are not judged and the hit stands.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from .normalize import MARKS, Level, Normalizer

_MARK = re.compile(f"[{MARKS}]")
_LIGHT = Normalizer.for_level(Level.light)

Cluster = tuple[str, frozenset[str]]


def clusters(text: str, normalizer: Normalizer) -> list[Cluster]:
    """Letters of ``text`` (normalized by ``normalizer``) with the marks written on them."""
    light = _LIGHT.normalize(text)  # NFC, no tatweel or invisibles between a letter and its marks
    result: list[tuple[str, set[str]]] = []
    for char in light:
        if _MARK.match(char):
            if result:
                result[-1][1].add(char)
            continue
        if char.isspace():
            continue
        for base in normalizer.normalize(char):
            if not base.isspace():
                result.append((base, set()))
    return [(base, frozenset(marks)) for base, marks in result]


class MarkConstraint(NamedTuple):
    """The marks a query carries, letter by letter."""

    letters: tuple[Cluster, ...]
    strict: bool = False

    def accepts(self, original: str, normalizer: Normalizer) -> bool:
        """Does an original hit carry (or, unless strict, not contradict) every typed mark?"""
        found = clusters(original, normalizer)
        if [b for b, _ in found] != [b for b, _ in self.letters]:
            return True  # cannot align letter for letter: not ours to judge
        for (_, wanted), (_, written) in zip(self.letters, found, strict=True):
            if not wanted:
                continue
            if not written:
                if self.strict:
                    return False
                continue
            if not wanted <= written:
                return False
        return True

    def describe(self) -> str:
        parts = []
        for base, marks in self.letters:
            if marks:
                names = ", ".join(unicodedata.name(m, hex(ord(m))).title() for m in sorted(marks))
                parts.append(f"{base}: {names}")
        return "; ".join(parts)


def mark_constraint(query: str, normalizer: Normalizer, *, strict: bool = False) -> MarkConstraint | None:
    """The constraint a literal query's marks impose, or None when it has none.

    At level ``none`` marks are matched as characters already, so nothing is added.
    """
    if normalizer.is_identity:
        return None
    letters = clusters(query, normalizer)
    if not any(marks for _, marks in letters):
        return None
    return MarkConstraint(tuple(letters), strict)
