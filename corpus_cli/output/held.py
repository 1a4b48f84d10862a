"""Output held back until the index it came from proves fresh.

An index is fresh when no corpus file changed since its build: one ``stat`` per file,
which ``fingerprint.start_early`` runs on the other core while the command starts, and
which takes as long as the whole answer (0.1 s for 31,000 files).  Rather than wait
for it, a command answers from the index at once while its output is held here; the
check is awaited when the command ends, when more than ``LIMIT`` characters are held,
or before anything is written to stderr.  At the end, a command that stopped early
(``kwic --limit``) needs only the files it read checked (``Index.fresh_through``).  A
stale index then raises ``StaleIndex`` and the command runs again without it: nothing
of the first answer has been written, but for the first lines of an answer that flows
in document order, let go (``release``) once the files of the documents they came from
proved unchanged, which the run again skips as below (``| head`` on 650,000 files gets
its lines without the 2 s of the whole check).

An index found damaged while it answers (``DamagedIndex``) is left aside the same way,
at any point of the output: what already went out is counted (bytes, and their CRC),
and the command runs again without the index, its first bytes skipped once they are
seen to be the same (``resume``): the output is the files' answer, written once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from ..errors import CorpusError, StaleIndex

#: Characters held at most: past them the check is awaited and the output flows.
LIMIT = 1 << 20


class OutputDiffers(CorpusError):
    """Run again without the index, a command wrote otherwise than what went out."""

    def __init__(self) -> None:
        super().__init__(
            "the output above came in part from a damaged index and differs from the "
            "corpus files' answer; run the command again with --index off"
        )


class HeldOutput:
    """A text stream that keeps what is written until ``settle``; then it passes all
    writes through to ``stream``."""

    def __init__(self, stream: TextIO, skip: tuple[int, int] = (0, 0)) -> None:
        self.stream = stream
        self.parts: list[str | bytes] = []  # bytes: written to the stream's ``buffer``
        self.size = 0
        self.holding = True
        #: What decides whether the held output may go out (None: it may); told whether
        #: the command is over (``final``): then only what it has read needs checking.
        self.check: Callable[[bool], bool] | None = None
        #: Count what goes out (``gone``): off once no index answers (``settle(count=False)``).
        self.counting = True
        #: UTF-8 bytes gone out and their CRC-32
        self.gone = (0, 0)
        #: What went out of a first run: not written again, only compared (``resume``)
        self.skip = skip

    def write(self, text: str) -> int:
        if not self.holding:
            if self.counting:
                self._out(text)
                return len(text)
            return self.stream.write(text)
        return self._keep(text)

    def _out(self, data: str | bytes) -> None:
        """Write ``data`` out, counted; the part a first run wrote already is skipped."""
        import zlib

        raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")
        done, crc = self.gone
        left = self.skip[0] - done
        if left > 0:
            seen = raw[:left]
            done, crc = done + len(seen), zlib.crc32(seen, crc)
            self.gone = (done, crc)
            if done == self.skip[0] and crc != self.skip[1]:
                raise OutputDiffers
            if len(raw) <= left:
                return
            raw = data = raw[left:]
        self.gone = (done + len(raw), zlib.crc32(raw, crc))
        if isinstance(data, str):
            self.stream.write(data)
        else:
            self.stream.flush()
            self.stream.buffer.write(data)

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

    def settle(self, final: bool = False, *, count: bool = True) -> None:
        """Run the check: write out what is held and stop holding, or raise
        ``StaleIndex`` (what is held is dropped).  ``final``: the command is over.
        ``count``: an index may still answer, so count what goes out."""
        if not self.holding:
            return
        check, self.check = self.check, None
        if check is not None and not check(final):
            self.parts.clear()
            raise StaleIndex
        self.holding = False
        self.counting = count or self.gone[0] < self.skip[0]
        parts, self.parts = self.parts, []
        for part in parts:
            self._out(part)

    def release(self) -> None:
        """Write out what is held, counted, and go on holding what comes next: for the
        part of an answer already proven to be the files' own (``Index.fresh_through``
        of the documents it came from).  Should the index still prove stale, the command
        runs again without it and skips these bytes (``resume``)."""
        if not self.holding:
            return
        parts, self.parts = self.parts, []
        self.size = 0
        for part in parts:
            self._out(part)

    def finish(self) -> None:
        """The command is over: a run again that wrote less than the first did differs."""
        if self.gone[0] < self.skip[0]:
            raise OutputDiffers

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
        if self.held.counting:
            self.held._out(bytes(data))
            return len(data)
        return int(self.real.write(data))

    def flush(self) -> None:
        if not self.held.holding:
            self.real.flush()


_current: list[HeldOutput] = []
#: What the last command's output wrote before it was dropped (``drop``), for ``resume``.
_gone: list[tuple[int, int]] = []
#: Set by ``resume``: the next ``hold`` skips it.
_skip: list[tuple[int, int]] = []


def hold(stream: TextIO) -> HeldOutput:
    """Hold ``stream``'s output for this command (``settle`` lets it go)."""
    held = HeldOutput(stream, _skip.pop() if _skip else (0, 0))
    _current[:] = [held]
    _gone.clear()
    return held


def resume() -> bool:
    """The command runs again after its index was left aside: the next ``hold``
    skips what the first run wrote (True: it wrote something)."""
    gone = _gone[-1] if _gone else (0, 0)
    _gone.clear()
    _skip[:] = [gone] if gone[0] else []
    return bool(gone[0])


def forget() -> None:
    """A command starts: nothing of an earlier one is skipped or resumed."""
    _gone.clear()
    _skip.clear()


def resuming() -> bool:
    """Will the next ``hold`` skip what a first run wrote?"""
    return bool(_skip)


def finish() -> None:
    """The command is over: check it wrote all the first run had (``HeldOutput.finish``)."""
    if _current:
        _current[0].finish()


def settle(final: bool = False) -> None:
    """Settle the command's held output, if any (may raise ``StaleIndex``)."""
    if _current:
        _current[0].settle(final)


def drop() -> None:
    """Forget the held output (the command is run again, or is over), noting what of
    it went out."""
    if _current:
        _gone[:] = [_current[0].gone]
    _current.clear()
