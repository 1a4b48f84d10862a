"""What a writer needs of a command run: where to write, and how.

The CLI's ``Session`` is one; tests and other front ends can pass any object with these
attributes.  Writers name this Protocol, never the CLI (the layer above them).
"""

from __future__ import annotations

from typing import Protocol, TextIO

from .environment import Environment


class Target(Protocol):
    @property
    def env(self) -> Environment:
        """The streams, terminal width and colour variables."""

    @property
    def stdout(self) -> TextIO:
        """Where rows go (the environment's stdout, or output held for an index check)."""

    @property
    def color(self) -> bool:
        """Colour on (the ``--color`` policy, decided)."""

    @property
    def bom(self) -> bool:
        """``--bom``: tsv and csv start with a byte-order mark."""

    @property
    def normalization(self) -> str:
        """The normalization in words (``standard +yeh``), for captions."""
