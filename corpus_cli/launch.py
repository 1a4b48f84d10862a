"""The ``corpus`` entry point: start what can run beside start-up, then the CLI.

Importing the CLI (Typer, Click) takes most of a quick command's time; an index's
freshness check (a ``stat`` of every corpus file) runs meanwhile on another core.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping


def main() -> None:
    _standard_streams()
    _one_blas_thread(os.environ)
    try:
        from .index.fingerprint import start_early

        start_early(sys.argv[1:], os.environ)
        from .cli import prepared

        run = prepared(sys.argv[1:])
    except KeyboardInterrupt:  # Ctrl-C while starting up: as quiet as Ctrl-C later on
        sys.exit(130)
    run()


def _one_blas_thread(environ: MutableMapping[str, str]) -> None:
    """numpy's OpenBLAS starts a thread per core when it is imported, and nothing here
    multiplies matrices: one thread (unless the user chose) saves 0.05–0.09 CPU-s of
    every command that reads a token layer, and leaves the other core to the freshness
    check.  Set before numpy is imported; processes started from here inherit it."""
    environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _standard_streams() -> None:
    """Give a closed stdout or stderr (``>&-``) a descriptor again, before anything opens a
    file that would take its number.  stdout gets ``/dev/null`` read-only, so that writing
    to it fails (``EBADF``: a write error, as in grep) while a command with nothing to
    write (``grep -q``) ends well; stderr gets ``/dev/null``, where messages vanish."""
    for fd, name, flags in ((1, "stdout", os.O_RDONLY), (2, "stderr", os.O_WRONLY)):
        if getattr(sys, name) is not None:
            continue
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, flags)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)
        setattr(sys, name, open(fd, "w", encoding="utf-8", errors="replace", closefd=False))
