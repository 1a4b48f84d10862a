"""The ``corpus`` command line: options in, core calls, writers out.

A run imports the module of the command it runs and no other (``load``): start-up stays
short, as Click's lazily loaded subcommands.  ``--help``, an unknown name and ``app``
load every command, in the order ``corpus --help`` lists them (Typer lists commands as
they were registered).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

#: The modules of ``cli.commands`` in --help order, with the commands each registers.
COMMANDS: dict[str, tuple[str, ...]] = {
    "listing": ("list", "show"),
    "grep": ("grep",),
    "kwic": ("kwic",),
    "query": ("query",),
    "freq": ("freq",),
    "normalize": ("normalize",),
    "export": ("export",),
    "analysis": ("dispersion", "collocates", "keywords"),
    "index": ("index",),
    "shard": ("shard",),
    "analyze": ("analyze",),
}


def load(command: str | None = None) -> None:
    """Register ``command`` (its module alone), or every command when it is None or unknown."""
    modules = [module for module, names in COMMANDS.items() if command in names] or list(COMMANDS)
    for module in modules:
        importlib.import_module(f".commands.{module}", __name__)


def prepared(argv: list[str]) -> Callable[[], None]:
    """Import the application and the command ``argv`` names: what runs it, once imported
    (``launch`` imports under its Ctrl-C guard, then runs)."""
    from .application import invoked_command
    from .application import main as run

    load(invoked_command(argv))
    return run


def main() -> None:
    """The ``corpus`` command line: register the command named, run it."""
    prepared(sys.argv[1:])()


def __getattr__(name: str) -> Any:
    """``app``: the Typer app with every command (tests, documentation)."""
    if name == "app":
        load()
        from .application import app

        return app
    raise AttributeError(name)
