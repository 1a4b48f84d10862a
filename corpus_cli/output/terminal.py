"""What may reach a terminal: text and the tool's own colours, never a control from a corpus.

A file name, an archive member, an ``--id-field`` value or a line of text can hold ESC,
BEL or C1 controls that a terminal obeys (set its title or clipboard, clear the screen).
``shown`` writes each such control as ``\\x1b`` and each byte of a name that is not
UTF-8 as ``\\xff``; ``Screen`` passes everything written to a terminal through it, and
``say`` every ``corpus: ...`` message.  The only escape sequences that reach a terminal
are the colours that ``screen`` and its tables paint with.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, TextIO, cast

if TYPE_CHECKING:
    from .environment import Environment

_SURROGATE = re.compile("[\ud800-\udfff]")
#: Compiled when first needed (a terminal, a message): a command piping its answer pays
#: nothing for them at start-up.
_PATTERNS = {
    # Controls a terminal may act on (C0 but newline and tab, DEL, C1) and lone surrogates
    # (a name's bytes that are not UTF-8, or a character no encoding can write).
    "control": "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]",
    # In a message, also newline and tab (a message is one line) and bidi embeddings,
    # overrides and isolates (a name must not reorder the rest of its line).
    "message": "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]",
    # The colours the tool paints with (SGR: reset, bold, dim, red, green, magenta).
    "own_sgr": r"\x1b\[(?:(?:0|1|2|22|31|32|35|39);)*(?:0|1|2|22|31|32|35|39)?m",
}


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(_PATTERNS[name])


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` with every control a terminal could act on written as an escape."""
    control = _pattern("control")
    return control.sub(_escape, text) if control.search(text) else text


def utf8(text: str) -> str:
    """``text`` as valid UTF-8 can carry it: a byte of a name that is not UTF-8 as
    ``\\xff`` (any other lone surrogate as ``\\udfff``), everything else unchanged."""
    return _SURROGATE.sub(_escape, text) if _SURROGATE.search(text) else text


def screened(text: str) -> str:
    """What of ``text`` may reach a terminal: the tool's colours kept, the rest ``shown``."""
    if not _pattern("control").search(text):
        return text
    out = []
    last = 0
    for sgr in _pattern("own_sgr").finditer(text):
        out.append(shown(text[last : sgr.start()]))
        out.append(sgr.group())
        last = sgr.end()
    out.append(shown(text[last:]))
    return "".join(out)


def say(stream: TextIO, message: str) -> None:
    """Write ``corpus: message`` as one line in which no control can act."""
    control = _pattern("message")
    text = control.sub(_escape, message) if control.search(message) else message
    stream.write(f"corpus: {text}\n")


class Screen:
    """A text stream on a terminal: every write is ``screened``; the rest is the stream's."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(screened(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def guarded(env: Environment) -> Environment:
    """``env`` with its stdout ``Screen``-ed when it is a terminal (a pipe gets the text as is)."""
    if not env.stdout_isatty or isinstance(env.stdout, Screen):
        return env
    return env._replace(stdout=cast(TextIO, Screen(env.stdout)))
