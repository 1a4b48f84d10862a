#!/usr/bin/env python3
"""Write docs/cli.md: the ``--help`` of ``corpus`` and of every command and subcommand.

    python scripts/cli_docs.py            # rewrite docs/cli.md
    python scripts/cli_docs.py --check    # exit 1 if docs/cli.md is out of date

``tests/docs/test_docs_cli.py`` calls :func:`render` and compares it with the file (the way
sqlite-utils keeps its CLI reference in step with cog), so a changed option or help text
fails the suite until this script is run again.

The help is Typer's Rich help as a user sees it, rendered into a Rich console of fixed
width with no colour, no terminal and an empty environment: the same bytes on every
machine whatever ``COLUMNS``, ``NO_COLOR``, ``FORCE_COLOR`` or ``TERMINAL_WIDTH`` say.
Trailing spaces (Rich pads every line to the width) are stripped.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # document this checkout, not another installed copy

import typer.rich_utils  # noqa: E402
from rich.console import Console  # noqa: E402
from typer._click import Command, Context  # noqa: E402  (Typer's own Click, as in corpus_cli.cli.application)
from typer.core import TyperGroup  # noqa: E402
from typer.main import get_command  # noqa: E402

from corpus_cli.cli import app  # noqa: E402  (every command registered: the full app)

DOC = ROOT / "docs" / "cli.md"
WIDTH = 88
COMMAND = "python scripts/cli_docs.py"

HEADER = f"""\
# Command reference

<!-- Generated from each command's --help by {COMMAND}: do not edit.
     tests/docs/test_docs_cli.py fails when this file is out of date. -->

The `--help` of every `corpus` command, as printed on a terminal {WIDTH} columns wide.
The options of the Corpus panel and `--color` are accepted before the command name as
well as after it (the one after the name wins). The examples that end a command's help
run as written on the bundled seeds (`tests/cli/test_application.py` runs them all).
"""


def commands(
    command: Command | None = None, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Command]]:
    """Every command of the app, depth first in the order ``--help`` lists them."""
    if command is None:
        command = get_command(app)
    yield path, command
    if isinstance(command, TyperGroup):
        ctx = Context(command, info_name=" ".join(("corpus", *path)))
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from commands(sub, (*path, name))


def help_text(root: Command, path: tuple[str, ...]) -> str:
    """``corpus PATH... --help``, rendered at ``WIDTH`` columns without colour."""
    buffer = io.StringIO()

    def console(stderr: bool = False) -> Console:
        return Console(
            file=buffer,
            width=WIDTH,
            color_system=None,
            force_terminal=False,
            force_interactive=False,
            legacy_windows=False,
            _environ={},
        )

    echoed = io.StringIO()  # Click echoes what get_help returns: "" once Rich has printed
    with (
        mock.patch.object(typer.rich_utils, "_get_rich_console", console),
        contextlib.redirect_stdout(echoed),
    ):
        code = root.main(args=[*path, "--help"], prog_name="corpus", standalone_mode=False)
    if code not in (0, None) or echoed.getvalue().strip():
        raise RuntimeError(f"corpus {' '.join(path)} --help: exit {code}, stdout {echoed.getvalue()!r}")
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def render() -> str:
    """The whole of docs/cli.md."""
    root = get_command(app)
    found = list(commands(root))
    names = [" ".join(("corpus", *path)) for path, _ in found]
    toc = "\n".join(f"- [`{name}`](#{name.replace(' ', '-')})" for name in names)
    sections = [
        f"## {name}\n\n```text\n{help_text(root, path)}```\n"
        for name, (path, _) in zip(names, found, strict=True)
    ]
    return "\n".join([HEADER, toc + "\n", *sections])


def main(argv: list[str]) -> int:
    text = render()
    if argv == ["--check"]:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current == text:
            return 0
        diff = difflib.unified_diff(
            current.splitlines(keepends=True), text.splitlines(keepends=True), str(DOC), "generated"
        )
        sys.stderr.writelines(diff)
        sys.stderr.write(f"docs/cli.md is out of date: run {COMMAND}\n")
        return 1
    if argv:
        sys.stderr.write(f"usage: {COMMAND} [--check]\n")
        return 2
    DOC.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
