"""Where output goes and what it is allowed to look like.

All terminal questions (is stdout a TTY? colour? how wide?) are answered here, once, so
the commands stay testable: tests build an ``Environment`` that claims to be a terminal
instead of needing one.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from enum import Enum
from typing import IO, NamedTuple, TextIO


class ColorWhen(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _isatty(stream: IO[str] | IO[bytes] | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (ValueError, AttributeError):  # closed or fake stream
        return False


class Environment(NamedTuple):
    """The process's streams and settings, as the commands see them."""

    stdout: TextIO
    stderr: TextIO
    stdin: IO[bytes] | None
    stdout_isatty: bool
    stderr_isatty: bool
    stdin_isatty: bool
    environ: Mapping[str, str] = {}

    @classmethod
    def from_system(cls) -> Environment:
        stdin = getattr(sys.stdin, "buffer", None)
        stdout_isatty = _isatty(sys.stdout)
        if not stdout_isatty and getattr(sys.stdout, "write_through", False):
            # Python's -u (PYTHONUNBUFFERED) makes every write a system call; into a pipe
            # or a file, output goes by blocks, as grep's and ripgrep's does.
            try:
                sys.stdout.reconfigure(write_through=False)  # type: ignore[union-attr]
            except (AttributeError, ValueError):
                pass
        return cls(
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin=stdin,
            stdout_isatty=stdout_isatty,
            stderr_isatty=_isatty(sys.stderr),
            stdin_isatty=_isatty(sys.stdin),
            environ=os.environ,
        )

    @property
    def columns(self) -> int:
        """Terminal width (``COLUMNS`` wins; 80 when unknown)."""
        value = self.environ.get("COLUMNS", "")
        if value.isdigit() and int(value) > 0:
            return int(value)
        if self.stdout_isatty:
            return shutil.get_terminal_size((80, 24)).columns
        return 80

    def color(self, when: ColorWhen | None, *, stream_isatty: bool | None = None) -> bool:
        """The colour policy: flag, NO_COLOR, FORCE_COLOR/CLICOLOR_FORCE, CLICOLOR, TTY."""
        if when is ColorWhen.always:
            return True
        if when is ColorWhen.never:
            return False
        env = self.environ
        if env.get("NO_COLOR"):
            return False
        for name in ("FORCE_COLOR", "CLICOLOR_FORCE"):
            value = env.get(name)
            if value and value != "0":
                return True
        if env.get("CLICOLOR") == "0" or env.get("TERM") in ("dumb", "unknown"):
            return False
        return self.stdout_isatty if stream_isatty is None else stream_isatty

    @property
    def debug(self) -> bool:
        return bool(self.environ.get("CORPUS_DEBUG"))


#: Tests replace this to fake a terminal (httpie's MockEnvironment idea).
def current() -> Environment:
    return Environment.from_system()
