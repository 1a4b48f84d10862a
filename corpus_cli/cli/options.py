"""Every option of the CLI, declared once: ``Annotated`` types the commands reuse, and
the shared ones (``SHARED_OPTIONS``) that ``application.command`` adds to every command.

The shared options go after a command's name as well as before it; given on both sides,
the one after the name wins (``settings.Settings.of``).
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Annotated, Any

import typer

from ..errors import CorpusError
from ..output.environment import ColorWhen
from ..output.records import Format, GrepFormat
from ..text.clitics import CliticMode
from ..text.normalize import Level

CORPUS_PANEL = "Corpus"
MATCH_PANEL = "Matching"
OUTPUT_PANEL = "Output"

CorpusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--corpus",
        "-C",
        metavar="PATH",
        help="File, directory (recursive) or - for stdin; repeatable. "
        "Default: $CORPUS_PATH, else the bundled seeds.",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]
GlobOpt = Annotated[
    str | None,
    typer.Option(
        "--glob",
        metavar="PATTERN",
        help="Which files of a directory to read; {a,b} gives alternatives "
        "\\[default: *.txt, *.jsonl, *.csv, *.tsv, plain or .gz/.bz2/.xz].",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]
TextFieldOpt = Annotated[
    str | None,
    typer.Option(
        "--text-field",
        metavar="FIELD",
        help="Records (.jsonl, .csv, .tsv): the field that holds the text \\[default: text]. "
        "Names joined by | ; , or a tab (sura|aya|text): each line of a text file is a record "
        "of those fields, the last one its text.",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]
IdFieldOpt = Annotated[
    str | None,
    typer.Option(
        "--id-field",
        metavar="FIELD",
        help="Records: the field that holds the document id \\[default: FILE:N, N the record number].",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        metavar="NAME",
        help="Read the files in this encoding \\[default: UTF-8, else Arabic CP-1256 with a warning].",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="FIELD=VALUE",
        help="Only documents whose metadata FIELD is VALUE; repeatable (all must hold).",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]
DocOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--doc",
        metavar="ID",
        help="Only this document (id or unique prefix) or folder (DIR/: all its documents); repeatable.",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]
NormOpt = Annotated[
    Level | None,
    typer.Option(
        "--norm",
        help="Normalization level for matching and counting \\[default: standard].",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
        case_sensitive=False,
    ),
]
FoldOpt = Annotated[
    str | None,
    typer.Option(
        "--fold",
        metavar="STEPS",
        help="Add normalization steps to the level, comma-separated (e.g. yeh,teh,hamza; "
        "uthmani: the Quran's Uthmani spelling read as modern spelling).",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]
KeepOpt = Annotated[
    str | None,
    typer.Option(
        "--keep",
        metavar="STEPS",
        help="Remove normalization steps from the level (e.g. digits,alef).",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]
CliticsOpt = Annotated[
    CliticMode | None,
    typer.Option(
        "--clitics",
        help="Also match the word with clitics: pro (و ف ب ك ل س ال before it), enc "
        "(pronouns after it) or both (the default when given bare). Each hit shows its "
        "split (و+ال+أمن). False friends are shown, not hidden: كمال for مال, مصري for مصر. "
        "Needs a word of 3+ letters (shorter words match only themselves).",
        rich_help_panel=MATCH_PANEL,
        show_default=False,
        case_sensitive=False,
    ),
]
StrictMarksOpt = Annotated[
    bool,
    typer.Option(
        "--strict-marks",
        help="Marks typed in the query must be written in the text (unvocalized text no "
        "longer matches a vocalized query).",
        rich_help_panel=MATCH_PANEL,
    ),
]
ExplainOpt = Annotated[
    bool,
    typer.Option(
        "--explain",
        help="Print on stderr the normalized query, the active steps and the compiled pattern.",
        rich_help_panel=MATCH_PANEL,
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        help="Output format \\[default: table on a terminal, tsv in a pipe].",
        rich_help_panel=OUTPUT_PANEL,
        show_default=False,
        case_sensitive=False,
    ),
]
GrepFormatOpt = Annotated[
    GrepFormat | None,
    typer.Option(
        "--format",
        help="Output format \\[default: table on a terminal, plain in a pipe].",
        rich_help_panel=OUTPUT_PANEL,
        show_default=False,
        case_sensitive=False,
    ),
]
ColorOpt = Annotated[
    ColorWhen | None,
    typer.Option(
        "--color",
        help="Colour: auto (terminal only; honours NO_COLOR, FORCE_COLOR, CLICOLOR), always, never.",
        rich_help_panel=OUTPUT_PANEL,
        show_default=False,
        case_sensitive=False,
    ),
]
NoHeaderOpt = Annotated[
    bool,
    typer.Option("--no-header", help="Omit the header row of tsv/csv output.", rich_help_panel=OUTPUT_PANEL),
]
BomOpt = Annotated[
    bool,
    typer.Option(
        "--bom",
        help="Start tsv/csv output with a byte-order mark, so that Excel reads it as UTF-8 "
        "(or use --format xlsx).",
        rich_help_panel=OUTPUT_PANEL,
        show_default=False,
    ),
]
FixedOpt = Annotated[
    bool,
    typer.Option("--fixed-strings", "-F", help="PATTERN is a literal string.", rich_help_panel=MATCH_PANEL),
]
SubstringOpt = Annotated[
    bool,
    typer.Option(
        "--substring", help="Match inside words too (default: whole words).", rich_help_panel=MATCH_PANEL
    ),
]
IgnoreCaseOpt = Annotated[
    bool,
    typer.Option("--ignore-case", "-i", help="Ignore Latin letter case.", rich_help_panel=MATCH_PANEL),
]
PatternArg = Annotated[
    str,
    typer.Argument(
        metavar="PATTERN",
        help="Regular expression (regex module syntax) matched on normalized text.",
        show_default=False,
    ),
]
#: PATTERN where ``--cql`` may stand in its place (``cli.cql.pattern_or_cql``).
PatternOrCqlArg = Annotated[
    str | None,
    typer.Argument(
        metavar="PATTERN",
        help="Regular expression (regex module syntax) matched on normalized text (or --cql CQL).",
        show_default=False,
    ),
]


def _finite_seconds(value: float | None) -> float | None:
    """``--timeout`` is a number of seconds: ``nan`` and ``inf`` are none (0 is no limit)."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a number of seconds (0: no limit)")
    return value


TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        min=0,
        metavar="SECONDS",
        callback=_finite_seconds,
        help="Stop with an error (exit 2) when matching one document takes longer than "
        "SECONDS, as a catastrophic regular expression like (a+)+$ can, or matching all "
        "documents takes 30 times SECONDS; 0: no limit \\[default: 10].",
        rich_help_panel=MATCH_PANEL,
        show_default=False,
    ),
]


IndexOpt = Annotated[
    str | None,
    typer.Option(
        "--index",
        metavar="auto|off|PATH",
        help="Use the corpus index: auto (the one 'corpus index build' made for the "
        "--corpus/CORPUS_PATH corpus, reading options and normalization, if fresh), off, "
        "or an index file "
        "\\[default: auto].",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]


_CLITIC_MODES = {m.value for m in CliticMode}


def expand_bare_options(args: list[str]) -> list[str]:
    """``--clitics`` given without a mode means ``--clitics both``."""
    out: list[str] = []
    for i, arg in enumerate(args):
        out.append(arg)
        if arg == "--clitics" and (i + 1 == len(args) or args[i + 1].lower() not in _CLITIC_MODES):
            out.append(CliticMode.both.value)
    return out


GrepCorpusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--corpus",
        metavar="PATH",
        help="File, directory or - for stdin; repeatable (-C is --context here).",
        rich_help_panel=CORPUS_PANEL,
        show_default=False,
    ),
]

#: Options every command shares, added to each command's signature by ``command``:
#: one place to declare them, and the commands only read ``Session(ctx)``.
SHARED_OPTIONS: dict[str, Any] = {
    "corpus": CorpusOpt,
    "glob": GlobOpt,
    "doc": DocOpt,
    "where": WhereOpt,
    "text_field": TextFieldOpt,
    "id_field": IdFieldOpt,
    "encoding": EncodingOpt,
    "norm": NormOpt,
    "fold": FoldOpt,
    "keep": KeepOpt,
    "color": ColorOpt,
    "index": IndexOpt,
}
#: Options of the commands that match a pattern (``command(..., matching=True)``).
MATCHING_OPTIONS: dict[str, Any] = {"timeout": TimeoutOpt}
#: Options of the commands that write rows (those with ``--no-header``).
ROW_OPTIONS: dict[str, Any] = {"bom": BomOpt}
#: Options of the commands that write rows (those with ``--no-header``).


ENGINE_PANEL = "Engine"


class Engine(str, Enum):
    memory = "memory"
    dask = "dask"


EngineOpt = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="memory: load the corpus here. dask: run on a Dask cluster over sharded inputs "
        "(directories or fsspec URLs of text files, JSONL or Parquet shards); needs "
        "pip install 'corpus-cli\\[dask]' (see docs/scaling.md).",
        rich_help_panel=ENGINE_PANEL,
        case_sensitive=False,
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="With --engine dask: the scheduler (tcp://host:8786), a scheduler file (.json), "
        "or local[N] for N local worker processes \\[default: a local cluster].",
        rich_help_panel=ENGINE_PANEL,
        show_default=False,
    ),
]


def refuse_given(message: str, given: dict[str, object]) -> None:
    """A usage error naming the options of ``given`` that were given (a value other than
    None or False), put where ``message`` has ``{}``; nothing when none was."""
    names = [name for name, value in given.items() if value not in (None, False)]
    if names:
        raise CorpusError(message.format(", ".join(names)))


def use_dask(engine: Engine, scheduler: str | None) -> bool:
    """True for ``--engine dask``; ``--scheduler`` alone is a mistake worth saying."""
    if engine is Engine.dask:
        return True
    if scheduler is not None:
        raise CorpusError("--scheduler needs --engine dask")
    return False


# --------------------------------------------------------------------------- concordance lines
# kwic's and query's options of the lines shown.

WidthOpt = Annotated[
    int,
    typer.Option(
        "--width",
        min=0,
        metavar="N",
        help="Context: N characters on each side.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
WordsOpt = Annotated[
    int | None,
    typer.Option(
        "--words",
        min=0,
        metavar="N",
        help="Context: N words on each side (instead of --width).",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
LimitOpt = Annotated[
    int | None,
    typer.Option("--limit", min=0, metavar="N", help="Show at most N lines.", rich_help_panel=OUTPUT_PANEL),
]
SortOpt = Annotated[
    str,
    typer.Option(
        "--sort",
        metavar="KEYS",
        help="Comma-separated, applied in order: position, match, doc, B1-B3 (1st-3rd word "
        "before the match), A1-A3 (after). Words compare in normalized form; the sort is stable.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
SampleOpt = Annotated[
    int | None,
    typer.Option(
        "--sample",
        min=0,
        metavar="N",
        help="A random sample of N lines (see --seed).",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
SeedOpt = Annotated[
    int | None,
    typer.Option(
        "--seed",
        metavar="S",
        help="Seed of --sample: the same seed gives the same lines.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
PerDocOpt = Annotated[
    int | None,
    typer.Option(
        "--per-doc",
        min=0,
        metavar="N",
        help="At most N lines from each document.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]


class Within(str, Enum):
    """How far a concordance line's context may reach (``--within``)."""

    doc = "doc"
    line = "line"


WithinOpt = Annotated[
    Within,
    typer.Option(
        "--within",
        help="Where the context (--width or --words) stops: doc (the document, line ends shown as "
        "spaces) or line (the line of the hit, or the lines a hit spans: a verse or record per line).",
        rich_help_panel=OUTPUT_PANEL,
        case_sensitive=False,
    ),
]
