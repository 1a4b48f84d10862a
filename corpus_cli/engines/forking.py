"""``fork`` for the tool's worker processes: a Ctrl-C ends a worker without a word.

Ctrl-C reaches every process of the terminal's group.  A child that Python is still
setting up after ``fork`` (its at-fork hooks) would print "Exception ignored …
KeyboardInterrupt" with a traceback; so SIGINT is blocked across the ``fork``, and the
child takes the default action (end, silently) before it is unblocked.  The parent
gets its KeyboardInterrupt as usual once it unblocks, and stops its workers.

Workers talk to their parent through pipes (``send``/``receive``): no threads and no
shared queue, so stopping them is a SIGKILL and a ``waitpid`` (``stop``).
"""

from __future__ import annotations

import os
import signal

from ..errors import CorpusError

TYPE_CHECKING = False  # see fingerprint.py
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def fork() -> int:
    """``os.fork()``; in the child, SIGINT ends the process quietly."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
        return pid
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def start(work: Callable[[int], object]) -> tuple[int, int]:
    """Fork a worker that runs ``work(write_end)`` and leaves without any clean-up of
    the parent's (``os._exit``); return its pid and the read end of its pipe."""
    read_end, write_end = os.pipe()
    pid = fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_end)
            work(write_end)
        except BaseException:  # a closed pipe, Ctrl-C: the parent knows what to do
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def send(fd: int, value: Any) -> None:
    """Write ``value`` to the pipe ``fd``, pickled and length-prefixed."""
    import pickle  # here: ``start`` runs before anything else, while Python starts

    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view) :]


def receive(fd: int, who: str) -> Any:
    """One value from the pipe ``fd``, written by our own ``who`` with ``send``."""
    head = _read_exactly(fd, 8)
    data = _read_exactly(fd, int.from_bytes(head, "little")) if head is not None else None
    if data is None:
        raise CorpusError(f"{who} stopped unexpectedly")
    import pickle

    return pickle.loads(data)


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts = []
    while size:
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            return None
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def stop(pids: list[int], pipes: list[int]) -> None:
    """End the workers ``pids`` (SIGKILL, then ``waitpid``) and close their ``pipes``."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass  # done already
    for fd in pipes:
        os.close(fd)
    for pid in pids:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
    pids.clear()
    pipes.clear()
