"""``fork`` for the tool's worker processes: a Ctrl-C ends a worker without a word.

Ctrl-C reaches every process of the terminal's group.  A child that Python is still
setting up after ``fork`` (its at-fork hooks) would print "Exception ignored …
KeyboardInterrupt" with a traceback; so SIGINT is blocked across the ``fork``, and the
child takes the default action (end, silently) before it is unblocked.  The parent
gets its KeyboardInterrupt as usual once it unblocks, and stops its workers.
"""

from __future__ import annotations

import os
import signal


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
