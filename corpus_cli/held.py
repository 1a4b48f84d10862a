"""Output held back until the index it came from proves fresh.

An index is fresh when no corpus file changed since its build: one ``stat`` per file,
which ``fingerprint.start_early`` runs on the other core while the command starts, and
which takes as long as the whole answer (0.1 s for 31,000 files).  Rather than wait
for it, a command answers from the index at once while its output is held here; the
check is awaited when the command ends, when more than ``LIMIT`` characters are held,
or before anything is written to stderr.  At the end, a command that stopped early
(``kwic --limit``) needs only the files it read checked (``Index.fresh_through``).  A
stale index then raises ``StaleIndex`` and the command runs again without it: nothing
of the first answer has been written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

#: Characters held at most: past them the check is awaited and the output flows.
LIMIT = 1 << 20


class StaleIndex(BaseException):
    """The index answered from changed under the corpus (a ``BaseException``, like
    ``KeyboardInterrupt``, so that no ``except Exception`` on the way can keep it)."""


class HeldOutput:
    """A text stream that keeps what is written until ``settle``; then it passes all
    writes through to ``stream``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.parts: list[str | bytes] = []  # bytes: written to the stream's ``buffer``
        self.size = 0
        self.holding = True
        #: What decides whether the held output may go out (None: it may); told whether
        #: the command is over (``final``): then only what it has read needs checking.
        self.check: Callable[[bool], bool] | None = None

    def write(self, text: str) -> int:
        if not self.holding:
            return self.stream.write(text)
        return self._keep(text)

    def _keep(self, data: str | bytes) -> int:
        self.parts.append(data)
        self.size += len(data)
        if self.size > LIMIT:
            self.settle()
        return len(data)

    @property
    def buffer(self) -> Any:
        """The stream's binary side: held alike, in the same order as the text."""
        real = self.stream.buffer  # AttributeError when it has none, as the stream would
        return _HeldBytes(self, real)

    def flush(self) -> None:
        if not self.holding:
            self.stream.flush()

    def settle(self, final: bool = False) -> None:
        """Run the check: write out what is held and stop holding, or raise
        ``StaleIndex`` (what is held is dropped).  ``final``: the command is over."""
        if not self.holding:
            return
        check, self.check = self.check, None
        if check is not None and not check(final):
            self.parts.clear()
            raise StaleIndex
        self.holding = False
        parts, self.parts = self.parts, []
        for part in parts:
            if isinstance(part, str):
                self.stream.write(part)
            else:
                self.stream.flush()
                self.stream.buffer.write(part)

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)  # isatty, encoding… of the real stream


class _HeldBytes:
    """``HeldOutput.buffer``: bytes kept with the text while it holds."""

    def __init__(self, held: HeldOutput, real: Any) -> None:
        self.held = held
        self.real = real

    def write(self, data: bytes) -> int:
        if self.held.holding:
            return self.held._keep(bytes(data))
        return int(self.real.write(data))

    def flush(self) -> None:
        if not self.held.holding:
            self.real.flush()


_current: list[HeldOutput] = []


def hold(stream: TextIO) -> HeldOutput:
    """Hold ``stream``'s output for this command (``settle`` lets it go)."""
    held = HeldOutput(stream)
    _current[:] = [held]
    return held


def settle(final: bool = False) -> None:
    """Settle the command's held output, if any (may raise ``StaleIndex``)."""
    if _current:
        _current[0].settle(final)


def drop() -> None:
    """Forget the held output (the command is run again, or is over)."""
    _current.clear()
