"""Counting what a reader sees: letters count, their marks and format characters do not.

Context windows and screen cuts are measured in visible characters so that a letter is
never separated from its harakat, and a cut never leaves half a terminal escape sequence.
"""

from __future__ import annotations

import re

from .normalize import COMBINING_MARKS, INVISIBLES

_ZERO_WIDTH = re.compile(f"[\\u0300-\\u036f{COMBINING_MARKS}{INVISIBLES}\\u200d\\ufe0f]")
_ZERO_RUN = re.compile(f"{_ZERO_WIDTH.pattern}+")


#: A terminal escape sequence (ECMA-48): CSI; OSC, DCS, SOS, PM, APC up to BEL or ST;
#: the other ESC sequences.
_SEQUENCE = re.compile(
    "(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]"
    "|(?:\x1b[\\]P^_X]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)"
    "|\x1b[ -/]*[0-OQ-WYZ\\\\`a-~]"
)
_INTRODUCERS = "\x1b\x90\x98\x9b\x9d\x9e\x9f"
_INTRODUCER = re.compile(f"[{_INTRODUCERS}]")
#: How long a sequence may be, and how far a cut looks back for one's start (past that,
#: a context can only start with a sequence's tail, which a terminal shows as text).
SEQUENCE_REACH = 4096
LOOK_BACK = 64


def _visible(char: str) -> bool:
    return not _ZERO_WIDTH.match(char)


def before_chars(text: str, pos: int, width: int) -> int:
    """Start of the ``width`` visible characters that end at ``pos``."""
    low = max(0, pos - width)
    if _ZERO_WIDTH.search(text, low, pos) is None:
        return low  # the usual case, found in C: every character there is visible
    # Widen by the characters short (each added one is visible or not: never too far),
    # counting the invisible ones in C.
    while low > 0:
        short = width - (pos - low - len(_ZERO_WIDTH.findall(text, low, pos)))
        if short <= 0:
            break
        low = max(0, low - short)
    # Do not start on a mark: it belongs to the letter before, which was cut.
    marks = _ZERO_RUN.match(text, low, pos)
    return marks.end() if marks is not None else low


def after_chars(text: str, pos: int, width: int) -> int:
    """End of the ``width`` visible characters that start at ``pos`` (marks kept)."""
    n = len(text)
    high = min(n, pos + width)
    if _ZERO_WIDTH.search(text, pos, high + 1) is None:
        return high  # the usual case, found in C: no mark to keep, none in the way
    while high < n:
        short = width - (high - pos - len(_ZERO_WIDTH.findall(text, pos, high)))
        if short <= 0:
            break
        high = min(n, high + short)
    # Keep the marks of the last letter.
    marks = _ZERO_RUN.match(text, high)
    return marks.end() if marks is not None else high


def outside_sequences(text: str, left: int, start: int, end: int, right: int) -> tuple[int, int]:
    """The cuts ``left`` and ``right`` of a context around ``text[start:end]``, moved
    so that ``text[left:start]`` does not start and ``text[end:right]`` does not end
    inside an escape sequence (half of one would act on the terminal that shows it)."""
    lo = max(0, left - LOOK_BACK)
    near = text[lo:right]
    if not any(c in near for c in _INTRODUCERS):
        return left, right  # the usual case: no sequence near
    last = max((text.rfind(c, lo, left) for c in _INTRODUCERS), default=-1)
    if last >= 0:
        sequence = _SEQUENCE.match(text, last, last + SEQUENCE_REACH)
        if sequence is not None and sequence.end() > left:
            left = min(sequence.end(), start)
    for found in _INTRODUCER.finditer(text, end, right):
        sequence = _SEQUENCE.match(text, found.start(), found.start() + SEQUENCE_REACH)
        if sequence is None or sequence.end() > right:
            right = found.start()
            break
    return left, right
