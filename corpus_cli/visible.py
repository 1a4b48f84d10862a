"""Counting what a reader sees: letters count, their marks and format characters do not.

Context windows and screen cuts are measured in visible characters so that a letter is
never separated from its harakat.
"""

from __future__ import annotations

import re

from .normalize import COMBINING_MARKS, INVISIBLES

_ZERO_WIDTH = re.compile(f"[\\u0300-\\u036f{COMBINING_MARKS}{INVISIBLES}\\u200d\\ufe0f]")


def _visible(char: str) -> bool:
    return not _ZERO_WIDTH.match(char)


def before_chars(text: str, pos: int, width: int) -> int:
    """Start of the ``width`` visible characters that end at ``pos``."""
    count = 0
    i = pos
    while i > 0 and count < width:
        i -= 1
        if _visible(text[i]):
            count += 1
    # Do not start on a mark: it belongs to the letter before, which was cut.
    while i < pos and not _visible(text[i]):
        i += 1
    return i


def after_chars(text: str, pos: int, width: int) -> int:
    """End of the ``width`` visible characters that start at ``pos`` (marks kept)."""
    count = 0
    i = pos
    n = len(text)
    while i < n:
        if _visible(text[i]):
            if count == width:
                break
            count += 1
        i += 1
    return i
