"""``corpus normalize``: the normalized form of text, as every command matches it."""

import os
from collections.abc import Iterable, Iterator
from typing import Annotated

import typer

from ...errors import CorpusError
from ...output.environment import Environment
from ...output.records import ROW_FORMATS
from ..application import command
from ..options import OUTPUT_PANEL, NoHeaderOpt
from ..session import settings_of


@command("normalize", shared=("norm", "fold", "keep"), rich_help_panel="Commands")
def normalize(
    ctx: typer.Context,
    texts: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[TEXT]...",
            help="Text to normalize; without it, standard input line by line.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="plain (default), tsv, csv, jsonl or xlsx (input and normalized form).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Print the normalized form of TEXT (or of each line of standard input)."""
    settings = settings_of(ctx)
    normalizer = settings.normalizer()
    from ...output import environment
    from ...output.terminal import guarded

    env = guarded(environment.current())
    fmt_name = (fmt or "plain").lower()
    if fmt_name not in ("plain", "table", *ROW_FORMATS):
        raise CorpusError(f"unknown format '{fmt}' (plain, tsv, csv, jsonl, xlsx)")
    inputs: Iterable[str] = texts if texts else _stdin_lines(env)
    # A filter on a pipe or a terminal answers each line at once (a program at the other
    # end may wait for it); from a file, the output goes by blocks.
    flush = env.stdout.flush if not texts and not _stdin_is_file(env) else (lambda: None)
    from ...output.records import RowWriter, check_bom

    check_bom(fmt_name, settings.bom)
    if fmt_name in ("plain", "table"):
        for text in inputs:
            env.stdout.write(normalizer.normalize(text) + "\n")
            flush()
        return
    writer = RowWriter(env.stdout, fmt_name, ["input", "normalized"], header=not no_header, bom=settings.bom)
    for text in inputs:
        writer.write({"input": text, "normalized": normalizer.normalize(text)})
        flush()
    writer.close()


def _stdin_is_file(env: Environment) -> bool:
    import stat

    try:
        return env.stdin is not None and stat.S_ISREG(os.fstat(env.stdin.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):  # a fake stream (tests): no descriptor
        return False


def _stdin_lines(env: Environment) -> Iterator[str]:
    if env.stdin is None:
        return
    if env.stdin_isatty:
        env.stderr.write("corpus: reading text from standard input (Ctrl-D to end)\n")
    for number, raw in enumerate(env.stdin):
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        yield text.lstrip("\ufeff") if number == 0 else text
