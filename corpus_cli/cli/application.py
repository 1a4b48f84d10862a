"""The ``corpus`` command: options in, core calls, output writers out.

The options every command shares (``SHARED_OPTIONS``: the corpus, how it is read and
normalized, ``--color``, ``--index``) go after a command's name as well as before it;
given on both sides, the one after the name wins.  Errors from the core become one
``corpus: …`` line and exit code 2.
"""

import errno
import functools
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar, cast

import typer
from typer.core import TyperCommand

from .. import __version__
from ..errors import CorpusError
from ..index.fingerprint import BEFORE_COMMAND, abandon_early, waiting
from ..output import held
from ..output.environment import ColorWhen, Environment
from ..output.held import DamagedIndex, HeldOutput, StaleIndex, hold
from ..output.records import ROW_FORMATS, Format, GrepFormat
from ..text.clitics import CliticMode
from ..text.normalize import Level, Normalizer
from .engine_options import Engine, EngineOpt, SchedulerOpt, use_dask

if TYPE_CHECKING:
    from ..index.index import Index
    from ..query.pattern import MatchOptions, Query
    from ..query.search import LineSearch
    from ..store.corpus import Corpus, Document, Sources

app = typer.Typer(
    name="corpus",
    help="Query Arabic text corpora: list, grep, concordance (kwic), frequencies.\n\n"
    "Matching ignores what readers ignore (diacritics, tatweel, alef variants...) "
    "while everything shown is the original text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# --------------------------------------------------------------------------- options

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
        help="Records (.jsonl, .csv, .tsv): the field that holds the text \\[default: text].",
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
        help="Add normalization steps to the level, comma-separated (e.g. yeh,teh,hamza).",
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


class Defaults(dict[str, Any]):
    """The shared options (``SHARED_OPTIONS``) given before the subcommand name, by
    name: each applies to the commands that take it, unless given again after the name."""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"corpus {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    corpus: CorpusOpt = None,
    glob: GlobOpt = None,
    doc: DocOpt = None,
    where: WhereOpt = None,
    text_field: TextFieldOpt = None,
    id_field: IdFieldOpt = None,
    encoding: EncodingOpt = None,
    norm: NormOpt = None,
    fold: FoldOpt = None,
    keep: KeepOpt = None,
    color: ColorOpt = None,
    index: IndexOpt = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    ctx.obj = Defaults(
        corpus=corpus,
        glob=glob,
        doc=doc,
        where=where,
        text_field=text_field,
        id_field=id_field,
        encoding=encoding,
        norm=norm,
        fold=fold,
        keep=keep,
        color=color,
        index=index,
    )


# --------------------------------------------------------------------------- session


_STEP_ALIASES = {"tanween": "tanween_alef", "diacritics": "marks", "ligature": "ligatures"}


def _steps(value: str | None, option: str) -> list[str]:
    names = [n.strip().lower().replace("-", "_") for n in (value or "").split(",") if n.strip()]
    names = [_STEP_ALIASES.get(n, n) for n in names]
    known = Normalizer.step_names()
    for name in names:
        if name not in known:
            raise CorpusError(f"{option}: unknown step '{name}' (steps: {', '.join(known)})")
    return names


def adjust_normalizer(normalizer: Normalizer, fold: str | None, keep: str | None) -> Normalizer:
    """The level's steps, plus ``--fold`` steps, minus ``--keep`` steps."""
    toggles = {name: True for name in _steps(fold, "--fold")}
    for name in _steps(keep, "--keep"):
        if name in toggles:
            raise CorpusError(f"step '{name}' is both in --fold and --keep")
        toggles[name] = False
    return normalizer.with_steps(**toggles) if toggles else normalizer


def describe_normalizer(level: Level, normalizer: Normalizer) -> str:
    """``standard +yeh -digits``: the level and what --fold/--keep changed."""
    base = Normalizer.for_level(level)
    changes = [
        ("+" if getattr(normalizer, n) else "-") + n
        for n in Normalizer.step_names()
        if getattr(normalizer, n) != getattr(base, n)
    ]
    return " ".join([level.value, *changes])


STALE_INDEX = (
    "the corpus changed since its index was built; searching without it "
    "(rebuild it with 'corpus index build')"
)


def _index_may_answer(shared: dict[str, Any]) -> bool:
    """May an index answer this command: one named, or any in the cache directory?"""
    from ..index.fingerprint import any_index

    choice = (shared.get("index") or "auto").strip()
    return choice != "off" and (choice != "auto" or any_index())


#: Documents (or files) from which a corpus is too big to normalize again in full just
#: for the no-silent-zero report (``Session.report_zero``).
BIG_CORPUS = 256


class Session:
    """What one command run needs: environment, normalizer, colour, the corpus."""

    def __init__(self, ctx: typer.Context) -> None:
        from ..output import environment
        from ..output.terminal import guarded

        shared = self.shared = shared_options(ctx)  # given after the name, else before it
        corpus, glob, docs = shared.get("corpus"), shared.get("glob"), shared.get("doc")
        norm, color = shared.get("norm"), shared.get("color")
        self.env = guarded(environment.current())
        self.paths = list(corpus or ())
        if not self.paths:
            from ..store.corpus import paths_from_env

            env_paths = self.env.environ.get("CORPUS_PATH")
            self.paths = paths_from_env(env_paths)
            if env_paths is not None and env_paths.strip() and not self.paths:
                raise CorpusError("CORPUS_PATH names no path")
            missing = [p for p in self.paths if p != "-" and not os.path.lexists(os.path.expanduser(p))]
            if missing and "corpus" in shared:  # a command that reads the corpus
                raise CorpusError(f"CORPUS_PATH: {missing[0]}: no such file or directory")
        from ..store.corpus import DEFAULT_GLOB
        from ..store.readers import ReadOptions, check_encoding, parse_where

        self.glob = glob or DEFAULT_GLOB
        self.docs = list(docs or [])
        self.read_options = ReadOptions(
            shared.get("text_field") or "text",
            shared.get("id_field") or None,
            check_encoding(shared.get("encoding")),
        )
        self.where = parse_where(shared.get("where") or [])
        index = shared.get("index")
        if index is not None and not index.strip():
            raise CorpusError("--index needs a value: auto, off or an index file")
        self.level = norm or Level.standard
        self.normalizer = adjust_normalizer(
            Normalizer.for_level(self.level), shared.get("fold"), shared.get("keep")
        )
        self.color = self.env.color(color)
        self.held: HeldOutput | None = None
        #: The last document of the index that the answer read (None: any may count).
        self._reach: int | None = 0
        if "corpus" in shared and (waiting() or held.resuming() or _index_may_answer(shared)):
            # An index may answer before it is checked, or be found damaged while it
            # answers: the output is held, then counted (``held``).
            self.held = hold(self.env.stdout)
            self.env = self.env._replace(stdout=cast(TextIO, self.held))
        self.stdout = self.env.stdout

    @property
    def whole_corpus(self) -> bool:
        """No document is left out (so corpus-wide numbers of an index apply)."""
        return not self.docs and not self.shared.get("where")

    def warn(self, message: str) -> None:
        """Each warning once, however often the files are read (``report_zero``)."""
        given = self.__dict__.setdefault("_warned", set())
        if message not in given:
            given.add(message)
            self.note(f"warning: {message}")

    def note(self, message: str) -> None:
        if self.held is not None:
            self.held.settle()  # said of this answer: the index must be fresh
        from ..output.terminal import say

        say(self.env.stderr, message)

    @property
    def settings(self) -> str:
        return describe_normalizer(self.level, self.normalizer)

    @property
    def timeout(self) -> float | None:
        """``--timeout``: the seconds matching may take on one document (None: no limit)."""
        from ..query.pattern import DEFAULT_TIMEOUT

        value = self.shared.get("timeout")
        return DEFAULT_TIMEOUT if value is None else (float(value) or None)

    def query(self, pattern: str | Sequence[str], options: "MatchOptions", explain: bool = False) -> "Query":
        """Compile ``pattern`` (or grep's patterns, see ``compile_query``); with
        ``explain``, say on stderr how it will be matched."""
        from ..query.pattern import compile_query

        query = compile_query(pattern, self.normalizer, options, timeout=self.timeout)
        if explain:
            typed = [pattern] if isinstance(pattern, str) else list(pattern)
            normalized = query.normalized.split("\n") if len(typed) > 1 else [query.normalized]
            for one, norm in zip(typed, normalized, strict=True):
                self.note(f"query: '{one}' -> normalized '{norm}'")
            self.note(f"normalization: {self.settings}: {', '.join(self.normalizer.active_steps) or 'none'}")
            flags = [
                name
                for name, on in (
                    ("literal", options.fixed),
                    ("whole words", options.word),
                    ("ignore case", options.ignore_case),
                    ("strict marks", options.strict_marks),
                )
                if on
            ]
            if options.clitics is not None:
                flags.append(f"clitics={options.clitics.value}")
            self.note(f"options: {', '.join(flags) or 'none'}")
            if query.constraint is not None:
                self.note(f"typed marks (constraints): {query.constraint.describe()}")
            from ..text.tokenize import WORD_END, WORD_START

            # The boundaries of a token are a page of lookarounds: named, not shown.
            shown = query.regex.pattern.replace(WORD_START, "<token start>").replace(WORD_END, "<token end>")
            self.note(f"pattern: {shown}")
        return query

    def report_zero(
        self,
        pattern: str | Sequence[str],
        options: "MatchOptions",
        *,
        norm_given: bool,
        whole_words: bool,
        asked_none: str | None = None,
    ) -> None:
        """No silent zero: say what would have matched with options the user did not set.

        ``asked_none``: the option that asked for no hit at all (``--max-count 0``),
        which is then the whole reason for the zero (grep -m 0 is silent, exit 1).
        """
        from ..query.pattern import compile_query
        from ..query.search import LineSearch, iter_hits

        if asked_none is not None:
            self.note(f"0 hits shown ({asked_none} asks for none)")
            return
        tries: list[tuple[str, Normalizer, MatchOptions]] = []
        if options.clitics is None:
            tries.append(("--clitics", self.normalizer, options._replace(clitics=CliticMode.both)))
        if not norm_given and self.level is not Level.aggressive:
            tries.append(("--norm aggressive", Normalizer.for_level(Level.aggressive), options))
        if whole_words and options.word:
            tries.append(("--substring", self.normalizer, options._replace(word=False)))
        found = []
        for label, normalizer, variant in tries:
            try:
                query = compile_query(pattern, normalizer, variant, timeout=self.timeout)
            except CorpusError:
                continue
            if not self._quick(query):
                found.append(f"{label} not tried on a corpus this size")
                continue
            # Searched where the files are read (on every core, without an index): only
            # the lines with hits come back, nothing is normalized twice.
            docs = self.documents_for(query, search=LineSearch(), keep_text=False)
            count = sum(1 for _ in iter_hits(docs, query))
            found.append(f"{count:,} with {label}")
        self.note("; ".join(["0 hits", *found]))

    def _quick(self, query: "Query") -> bool:
        """Can ``query`` be answered without normalizing a big corpus in full?  It can
        where the index answers it, or without an index where its expansion skips most
        documents unread (``scan.sieve``); any query on a small corpus."""
        from ..engines.scan import sieve

        index = self.index
        if index is not None:
            return index.serves(query.normalizer) or int(index.meta.get("documents") or 0) < BIG_CORPUS
        size = len(self.corpus.documents) if "corpus" in self.__dict__ else len(self.sources)
        return size < BIG_CORPUS or sieve(query) is not None

    @property
    def index(self) -> "Index | None":
        """The index to answer from, or None (off, none built, stale, other normalizer),
        for an answer that may depend on any document of it."""
        self._reach = None
        return self._index

    @functools.cached_property
    def _index(self) -> "Index | None":
        """``index``, for searches that track how far they read (``documents_for``)."""
        index = self._unchecked_index
        output = self.held
        if index is not None and output is not None and output.holding and index.checks_early():
            output.check = functools.partial(self._fresh, index)  # awaited when the output goes out
            return index
        if output is not None:
            output.settle(count=index is not None)  # nothing to wait for: the output flows
        if index is not None and not index.is_fresh():
            self.warn(STALE_INDEX)
            return None
        return index

    def _fresh(self, index: "Index", final: bool) -> bool:
        """Is ``index`` fresh enough for this command's answer?  When the command is over
        and read documents 1 to N only (it stopped early), their files and the folders
        must not have changed (``Index.fresh_through``); else (or when that cannot say
        so: a file skipped at the build is never taken as unchanged) every file."""
        if final and self._reach is not None and index.fresh_through(self._reach):
            abandon_early()  # the stat of every file is not needed
            return True
        return index.is_fresh()

    @functools.cached_property
    def _unchecked_index(self) -> "Index | None":
        """``index`` before its freshness check."""
        choice = (self.shared.get("index") or "auto").strip()
        if choice == "off" or "-" in self.paths or (choice == "auto" and not self.paths):
            return None  # auto: only for corpora named by --corpus or CORPUS_PATH, not the seeds
        from pathlib import Path

        from ..index.index import Index, Selection
        from ..store.corpus import default_corpus_path

        paths = self.paths or [str(default_corpus_path())]
        selection = Selection.of(paths, self.glob, self.normalizer, self.read_options)
        if choice == "auto":
            path = selection.default_path()
            if not path.exists():
                return None
        else:
            path = Path(choice).expanduser()
            if not path.is_file():
                raise CorpusError(f"{choice}: no such index")
        try:
            index = Index(path)
        except CorpusError as exc:
            if choice != "auto":
                raise
            self.warn(f"{exc}; searching without it")
            return None
        if choice != "auto" and not selection.selects_as(index.meta):
            index.close()
            raise CorpusError(
                f"{choice} is the index of another corpus ({selection.describe(index.meta)}); "
                "name this corpus's index, or use --index auto or --index off"
            )
        if choice == "auto" and not selection.matches(index.meta):
            return None  # another corpus's index under the same name
        if not index.serves(self.normalizer):
            if choice != "auto":
                self.warn(f"{path} was built for other normalization steps; searching without it")
            return None
        if not index.reads_as(self.read_options):  # named by --index: other fields, other documents
            self.warn(
                f"{path} was built with other reading options (--text-field, --id-field, --encoding); "
                "searching without it"
            )
            return None
        return index

    def documents_for(
        self,
        query: "Query",
        *,
        invert: bool = False,
        search: "LineSearch | None" = None,
        keep_text: bool = True,
    ) -> Iterable[Any]:
        """The documents that may hold ``query``: with an index, only its candidates.

        Read one by one as the search goes, so ``--limit`` stops the reading too.
        ``search``/``keep_text``: how the caller searches them (``scan.candidates``).
        """
        index = self._index
        if index is None:
            return self._scanned(query, invert, search, keep_text) or self.corpus.documents
        literal = None if invert else query.index_literal()
        if (
            literal is None
            or not index.serves(query.normalizer)  # report_zero's --norm aggressive
            or not index.serves_case(literal, query.options.ignore_case)
        ):
            return self.corpus.documents
        docs = self._reading(index, index.candidates(literal))
        if self.docs or self.where:
            wanted = self._selected
            return (d for d in docs if d.id in wanted)
        return docs

    def _reading(self, index: "Index", numbers: list[int]) -> Iterator["Document"]:
        """The documents ``numbers`` of ``index``, noting the last one read: an answer
        that stops before the end depends on documents 1 to it alone (``_fresh``)."""
        for n in numbers:
            if self._reach is not None:
                self._reach = max(self._reach, n)
            yield from index.documents((n,))
        self._reach = None  # read to the end: any document may count

    def _scanned(
        self, query: "Query", invert: bool, search: "LineSearch | None", keep_text: bool
    ) -> Iterator[Any] | None:
        """Without an index, the documents of a big corpus that may hold ``query``,
        read and pre-filtered on every core (None: load the corpus as usual)."""
        if invert or self.docs or self.where or "corpus" in self.__dict__ or "-" in self.paths:
            return None
        from ..engines.scan import candidates, worth_it

        if not worth_it(self.sources):
            return None
        return candidates(
            self.sources, self.read_options, query, warn=self.warn, search=search, keep_text=keep_text
        )

    @functools.cached_property
    def sources(self) -> "Sources":
        """The corpus files, listed once for the whole command."""
        from ..store.corpus import sources

        return sources(self.paths, self.glob, self.warn)

    @functools.cached_property
    def _selected(self) -> dict[str, int]:
        """With an index: the documents --doc and --where select (id: number in the
        index), chosen from the ids and metadata alone, as ``corpus`` chooses them."""
        from ..store.corpus import Corpus
        from ..store.readers import filter_where

        numbers: dict[str, int] = {}
        headers = []
        for n, doc in self.index.headers() if self.index else ():
            numbers[doc.id] = n
            headers.append(doc)
        chosen = filter_where(Corpus(headers).select(self.docs).documents, self.where, self.warn)
        return {d.id: numbers[d.id] for d in chosen}

    @functools.cached_property
    def corpus(self) -> "Corpus":
        from ..store.corpus import Corpus, load_corpus

        if self.index is not None:
            if self.docs or self.where:  # only the texts of the documents chosen
                return Corpus(list(self.index.documents(self._selected.values())))
            corpus = Corpus(list(self.index.documents()))
        else:
            stdin = self.env.stdin
            corpus = load_corpus(
                self.paths,
                glob=self.glob,
                stdin=(lambda: stdin.read() if stdin else b""),
                warn=self.warn,
                progress=_progress(self.env),
                **self.read_options._asdict(),
                found=self.sources,
            )
        corpus = corpus.select(self.docs)
        if self.where:
            from ..store.readers import filter_where

            corpus = Corpus(filter_where(corpus.documents, self.where, self.warn))
        return corpus

    def table_or(self, requested: Any, piped: str) -> str:
        """The output format: the one asked for, else table on a terminal, else ``piped``."""
        from ..output.records import check_bom

        if requested is not None:
            fmt = str(requested.value)
        else:
            fmt = "table" if self.env.stdout_isatty else piped
        check_bom(fmt, self.bom)
        return fmt

    @property
    def bom(self) -> bool:
        """``--bom``: tsv and csv start with a byte-order mark."""
        return bool(self.shared.get("bom"))


def _progress(env: Environment) -> Callable[[int, int], None] | None:
    """A progress bar on stderr, shown only when a load takes more than a second."""
    if not env.stderr_isatty:
        return None
    started = time.monotonic()
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            if time.monotonic() - started < 1.0 or done >= total:
                return
            from rich.console import Console
            from rich.progress import Progress

            bar = Progress(console=Console(file=env.stderr), transient=True)
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("loading", total=total)
        bar.update(state["task"], completed=done)
        if done >= total:
            bar.stop()

    return update


F = TypeVar("F", bound=Callable[..., Any])


_CLITIC_MODES = {m.value for m in CliticMode}


def expand_bare_options(args: list[str]) -> list[str]:
    """``--clitics`` given without a mode means ``--clitics both``."""
    out: list[str] = []
    for i, arg in enumerate(args):
        out.append(arg)
        if arg == "--clitics" and (i + 1 == len(args) or args[i + 1].lower() not in _CLITIC_MODES):
            out.append(CliticMode.both.value)
    return out


class _Command(TyperCommand):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, expand_bare_options(args))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The help, its examples (``examples``) at the end: looked up only for --help."""
        from .examples import epilog

        self.epilog = self.epilog or epilog(ctx.command_path.partition(" ")[2])  # "index build"
        super().format_help(ctx, formatter)


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
_SHARED_KEY = "corpus_cli.shared"


def shared_options(ctx: typer.Context) -> dict[str, Any]:
    """The shared options given to the running command (see ``command``)."""
    value = ctx.meta.get(_SHARED_KEY, {})
    return value if isinstance(value, dict) else {}


def _given_before(values: dict[str, Any], defaults: Any) -> None:
    """Fill in ``values`` (a command's shared options) the ones given before the command
    name (``Defaults``): those given after it win, a repeatable option's values too
    (they replace, not extend, the ones before, as ``--corpus``'s always have)."""
    if not isinstance(defaults, Defaults):
        return
    for name, value in values.items():
        before = defaults.get(name)
        if (value is None or value == []) and before is not None and before != []:  # "" is given
            values[name] = list(before) if isinstance(before, list) else before


def command(
    name: str | None = None,
    *,
    shared: tuple[str, ...] = tuple(SHARED_OPTIONS),
    overrides: dict[str, Any] | None = None,
    target: typer.Typer | None = None,
    matching: bool = False,
    **kwargs: Any,
) -> Callable[[F], F]:
    """Register a command: add the ``shared`` options, map errors to exit codes.

    ``overrides`` replaces the declaration of a shared option (grep's ``--corpus``
    has no ``-C``, which is grep's context option there); ``matching`` adds the
    options of commands that match a pattern (``--timeout``).
    """
    if matching:
        shared = (*shared, *MATCHING_OPTIONS)
    import inspect

    def register(fn: F) -> F:
        signature = inspect.signature(fn)
        declared = {**SHARED_OPTIONS, **MATCHING_OPTIONS, **ROW_OPTIONS, **(overrides or {})}
        rows = tuple(ROW_OPTIONS) if "no_header" in signature.parameters else ()
        extra = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=declared[name])
            for name in (*shared, *rows)
            if name not in signature.parameters
        ]
        positional = [p for p in signature.parameters.values() if p.kind is not p.KEYWORD_ONLY]
        keyword = [p for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]
        parameters = [
            p.replace(kind=p.POSITIONAL_OR_KEYWORD) if p.kind is p.KEYWORD_ONLY else p
            for p in [*positional, *keyword, *extra]
        ]

        @functools.wraps(fn)
        def run(*args: Any, **kw: Any) -> Any:
            values = {p.name: kw.pop(p.name, None) for p in extra}
            context = kw.get("ctx") or next((a for a in args if isinstance(a, typer.Context)), None)
            if context is not None:
                _given_before(values, context.obj)
                context.meta[_SHARED_KEY] = values
            try:
                body = _for_format(fn, kw.get("fmt"))
                held.forget()
                try:
                    result = _settled(body, args, kw)
                except StaleIndex as exc:  # answered from an index found stale or damaged since
                    held.drop()
                    if isinstance(exc, DamagedIndex) and (values.get("index") or "auto").strip() != "auto":
                        raise CorpusError(exc.error) from None
                    _error(f"warning: {exc}" if str(exc) else f"warning: {STALE_INDEX}")
                    values["index"] = "off"  # again without it, not writing twice what went out
                    abandon_early()
                    held.resume()
                    result = _settled(body, args, kw)
                sys.stdout.flush()
                return result
            except CorpusError as exc:
                _error(str(exc))
                raise typer.Exit(2) from None
            except BrokenPipeError:
                _silence_stdout()
                raise typer.Exit(0) from None
            except KeyboardInterrupt:
                raise typer.Exit(130) from None
            except (typer.Exit, typer.Abort):
                raise
            except Exception as exc:
                if _write_failed(exc):
                    raise typer.Exit(2) from None
                if os.environ.get("CORPUS_DEBUG"):
                    raise
                if type(exc).__module__ == "sqlite3":  # only indexes are SQLite files
                    _error(f"damaged index ({exc}); rebuild it with 'corpus index build' or use --index off")
                    raise typer.Exit(2) from None
                _error(f"internal error: {type(exc).__name__}: {exc} (set CORPUS_DEBUG=1 for a traceback)")
                raise typer.Exit(2) from None

        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        (target or app).command(name, cls=_Command, **kwargs)(run)
        return fn

    return register


def _for_format(fn: Callable[..., Any], fmt: Any) -> Callable[..., Any]:
    """``fn`` as ``--format`` needs it run.  xlsx is refused before any work when it
    cannot be written, and the sheets that rows went to are written when the command
    ends well (exit 0 or 1), dropped when it fails."""
    if not (isinstance(fmt, str) and fmt.lower() == "xlsx"):
        return fn
    from ..output import environment
    from ..output.spreadsheet import check_xlsx, close_sheets, drop_sheets

    check_xlsx(environment.current().stdout_isatty)

    @functools.wraps(fn)
    def writing(*args: Any, **kw: Any) -> Any:
        try:
            result = fn(*args, **kw)
        except typer.Exit as exc:
            (close_sheets if exc.exit_code in (0, 1) else drop_sheets)()
            raise
        except BaseException:
            drop_sheets()
            raise
        close_sheets()
        return result

    return writing


def _settled(fn: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]) -> Any:
    """``fn(*args, **kw)``, its held output written out once the index it came from
    proves fresh (``held``): when it returns or fails, but not when it is interrupted."""
    try:
        result = fn(*args, **kw)
    except (KeyboardInterrupt, StaleIndex):
        held.drop()
        raise
    except BaseException:
        held.settle(final=True)
        held.finish()
        held.drop()
        raise
    held.settle(final=True)
    held.finish()
    held.drop()
    return result


def _norm_given(ctx: typer.Context) -> bool:
    return shared_options(ctx).get("norm") is not None


def _error(message: str) -> None:
    from ..output.terminal import say

    try:
        say(sys.stderr, message)
        sys.stderr.flush()
    except OSError:  # stderr full or closed: nowhere left to say it
        pass


#: How writing to stdout fails: closed (``>&-``), a full disk or ``/dev/full``, a quota,
#: a file too big, a terminal gone.
_WRITE_ERRNOS = frozenset({errno.EBADF, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _write_failed(exc: BaseException) -> bool:
    """Is ``exc`` a failed write of the output?  If so, say so as grep does
    (``corpus: write error: ...``) and drop what is still pending, so that the flush at
    exit cannot fail again.  (An error about a file names the file.)"""
    if not isinstance(exc, OSError) or exc.errno not in _WRITE_ERRNOS or exc.filename is not None:
        return False
    _error(f"write error: {exc.strerror}")
    _silence_stdout()
    return True


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the exit-time flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


#: Root options that take a value (so the subcommand name can be found after them).
_ROOT_VALUE_OPTIONS = {"--corpus", "-C", *BEFORE_COMMAND}


def _invoked_command(argv: list[str]) -> str | None:
    """The subcommand named on the command line, if any."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _ROOT_VALUE_OPTIONS:
            i += 2
        elif arg.startswith("-"):
            i += 1
        else:
            return arg
    return None


def _app_for(argv: list[str]) -> typer.Typer:
    """An app holding only the invoked command.

    Typer builds every command's parameters on each run; building just the one that
    runs keeps start-up short (Click's "lazily loading subcommands" idea).
    """
    name = _invoked_command(argv)
    chosen = [c for c in app.registered_commands if c.name == name]
    if not chosen:
        return app
    lean = typer.Typer(
        name=app.info.name,
        help=app.info.help,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings=app.info.context_settings,
    )
    lean.registered_callback = app.registered_callback
    lean.registered_commands = chosen
    return lean


def _command_path(ctx: Any) -> str:
    """``corpus index build``: the names of a context and of its parents, as typed."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(["corpus", *reversed(names)])


def main() -> None:
    """Entry point of the ``corpus`` script.

    Runs the command outside Click's standalone mode so that every failure, usage
    errors included, ends as one ``corpus: …`` line on stderr with exit code 2.
    """
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
    from typer.main import get_command

    argv = sys.argv[1:]
    try:
        command = get_command(_app_for(argv))
        code = command.main(args=argv, prog_name="corpus", standalone_mode=False)
        sys.stdout.flush()
        sys.exit(code if isinstance(code, int) else 0)
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(2)
    except UsageError as exc:
        _error(f"{exc.format_message().rstrip('.')}; see '{_command_path(exc.ctx)} --help'")
        sys.exit(2)
    except ClickException as exc:
        _error(exc.format_message())
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except Exception as exc:  # outside a command (start-up)
        if _write_failed(exc):
            sys.exit(2)
        if os.environ.get("CORPUS_DEBUG"):
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (set CORPUS_DEBUG=1 for a traceback)")
        sys.exit(2)


# --------------------------------------------------------------------------- list


@command("list", rich_help_panel="Commands")
def list_(
    ctx: typer.Context,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """List the documents: id, title, characters, tokens, types, lines.

    Documents read from records add their metadata: one column per field (jsonl: a
    "meta" object).
    """
    from ..output.screen import print_table
    from ..query.freq import document_stats
    from ..store.corpus import Document

    session = Session(ctx)
    fmt_name = session.table_or(fmt, "tsv")
    base = ["id", "path", "title", "chars", "tokens", "types", "lines"]
    index = session.index if session.whole_corpus else None
    if index is not None:
        # One document at a time from the index, its text dropped once measured: memory
        # stays flat whatever the corpus size (a screen table keeps the rows alone).
        total_tokens, total_types = int(index.meta["tokens"]), int(index.meta["types"])
        meta = _meta_columns(index.fields, base)
        listed = (
            _with_meta(_list_row(Document(doc_id, path, text), tokens, types), fields, meta, fmt_name)
            for doc_id, path, text, tokens, types, fields in index.listing()
        )
        if fmt_name != "table":
            _write_rows(session, fmt_name, [*base, *meta.values()], listed, no_header)
            return
        rows = list(listed)
    else:
        docs = session.corpus.documents
        stats, total_tokens, total_types = document_stats(docs, session.normalizer)
        meta = _meta_columns((field for d in docs for field in d.meta), base)
        rows = [
            _with_meta(_list_row(d, stats[d.id].tokens, stats[d.id].types), d.meta, meta, fmt_name)
            for d in docs
        ]
    if fmt_name == "table":
        columns = ["id", "title", "chars", "tokens", "types", "lines"]
        footer = [
            f"{len(rows):,} documents",
            "",
            sum(r["chars"] for r in rows),
            total_tokens,
            total_types,
            sum(r["lines"] for r in rows),
        ]
        cells = [[r[c] for c in columns] for r in rows]
        shown, caption = _screen_meta(session.env.columns, columns, cells, footer, rows, list(meta.values()))
        for i, row in enumerate(rows):
            cells[i] += [_cut(row[c], 20) for c in shown]
        print_table(
            session.env,
            session.color,
            columns + shown,
            cells,
            numeric=("chars", "tokens", "types", "lines"),
            flexible="title",
            footer=footer + [""] * len(shown),
            caption=caption,
        )
        return
    _write_rows(session, fmt_name, [*base, *meta.values()], rows, no_header)


def _list_row(doc: "Document", tokens: int, types: int) -> dict[str, Any]:
    return {
        "id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "chars": len(doc.text),
        "tokens": tokens,
        "types": types,
        "lines": doc.line_count,
    }


def _meta_columns(fields: Iterable[str], taken: list[str]) -> dict[str, str]:
    """Metadata field → its column: every field of any document, sorted; ``meta.FIELD``
    when the name is already a column."""
    return {f: f"meta.{f}" if f in taken else f for f in sorted(set(fields))}


def _with_meta(
    row: dict[str, Any], fields: dict[str, str], meta: dict[str, str], fmt_name: str
) -> dict[str, Any]:
    """``row`` with a document's metadata: a cell per column of ``meta``, or (jsonl) a
    "meta" object when the corpus has any."""
    if fmt_name != "jsonl":
        row.update({column: fields.get(field) for field, column in meta.items()})
    elif meta:
        row["meta"] = fields
    return row


def _screen_meta(
    room: int,
    columns: list[str],
    cells: list[list[Any]],
    footer: list[Any],
    rows: list[dict[str, Any]],
    meta: list[str],
) -> tuple[list[str], str | None]:
    """The metadata columns that fit on the screen beside the others (the title keeps
    12 cells), and a caption naming those left out."""
    from ..output.screen import cell_width

    def width(values: list[Any]) -> int:
        return max(cell_width(f"{v:,}" if isinstance(v, int) else str(v)) for v in values) + 3

    others = [
        width([column, foot, *(cell[i] for cell in cells)])
        for i, (column, foot) in enumerate(zip(columns, footer, strict=True))
        if column != "title"
    ]
    used = 1 + 3 + 12 + sum(others)  # the last border, and the title's padding and room
    shown = []
    for column in meta:
        need = width([column, *(_cut(r[column], 20) for r in rows)])
        if used + need > room:
            break
        shown.append(column)
        used += need
    left = meta[len(shown) :]
    caption = f"not shown: {', '.join(left)} (see --format tsv)" if left else None
    return shown, caption


def _cut(value: Any, width: int) -> Any:
    """A metadata cell on screen: one line, at most ``width`` characters."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _write_rows(
    session: Session,
    fmt_name: str,
    columns: list[str],
    rows: Iterable[dict[str, Any]],
    no_header: bool = False,
) -> int:
    from ..output.records import RowWriter

    writer = RowWriter(session.stdout, fmt_name, columns, header=not no_header, bom=session.bom)
    return writer.write_all(rows)


# --------------------------------------------------------------------------- show


@command(
    "show",
    shared=("corpus", "glob", "text_field", "id_field", "encoding", "norm", "fold", "keep", "color", "index"),
    rich_help_panel="Commands",
    matching=True,
)
def show(
    ctx: typer.Context,
    document: Annotated[
        str,
        typer.Argument(
            metavar="DOC", help="Document id, unique prefix, or folder (DIR/: all its documents)."
        ),
    ],
    highlight: Annotated[
        str | None,
        typer.Option(
            "--highlight",
            metavar="PATTERN",
            help="Highlight the matches of PATTERN.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    fixed: FixedOpt = False,
    word: Annotated[
        bool, typer.Option("--word-regexp", "-w", help="Whole words only.", rich_help_panel=MATCH_PANEL)
    ] = False,
    ignore_case: IgnoreCaseOpt = False,
    clitics: CliticsOpt = None,
    strict_marks: StrictMarksOpt = False,
    explain: ExplainOpt = False,
    fmt: GrepFormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Print a document's original text, with the matches of --highlight marked.

    In a pipe the text is written exactly as loaded; --format tsv/csv/jsonl give one
    record per line (jsonl with the match offsets, as grep). A folder (aawsat/)
    prints each of its documents in turn.
    """
    from ..query.pattern import MatchOptions
    from ..query.search import line_hits

    session = Session(ctx)
    docs = session.corpus.matching(document)
    query = (
        session.query(highlight, MatchOptions(fixed, word, ignore_case, clitics, strict_marks), explain)
        if highlight
        else None
    )
    fmt_name = session.table_or(fmt, "plain")
    out = session.stdout
    if fmt_name == "plain" and query is None:
        for number, doc in enumerate(docs, 1):
            out.write(doc.text)  # exactly as loaded, like cat
            if number < len(docs) and doc.text and not doc.text.endswith("\n"):
                out.write("\n")  # the next document starts on a line of its own
        return

    def records(doc: "Document") -> Iterator[dict[str, Any]]:
        budget = query.budget() if query else None  # the whole document's
        for n, line in enumerate(doc.split_lines(), 1):
            yield _line_record(doc.id, n, line, tuple(line_hits(line, query, budget)) if query else ())

    if fmt_name in ROW_FORMATS:
        columns = ["doc", "line", "text"] if fmt_name != "jsonl" else []
        _write_rows(session, fmt_name, columns, (r for doc in docs for r in records(doc)), no_header)
        return
    from ..output.screen import HEADING, LINE_NO, paint
    from ..output.screen import highlight as paint_spans

    use_color = session.color
    for number, doc in enumerate(docs):
        if fmt_name != "table":  # plain with --highlight
            for record in records(doc):
                spans = [(m["start"], m["end"]) for m in record["matches"]]
                out.write(paint_spans(record["text"], spans, use_color) + "\n")
            continue
        out.write(("\n" if number else "") + paint(f"{doc.id}", HEADING, use_color) + f"  {doc.path}\n")
        width = len(str(doc.line_count))
        for record in records(doc):
            spans = [(m["start"], m["end"]) for m in record["matches"]]
            line_no = paint(str(record["line"]).rjust(width), LINE_NO, use_color)
            out.write(f"{line_no}\u200e  {paint_spans(record['text'], spans, use_color)}\n")


def _line_record(
    doc_id: str, line_no: int, text: str, hits: Iterable[tuple[tuple[int, int], Any]]
) -> dict[str, Any]:
    matches = []
    for (start, end), split in hits:
        match: dict[str, Any] = {"start": start, "end": end, "text": text[start:end]}
        if split is not None:
            match["clitics"] = split.as_dict()
        matches.append(match)
    return {"doc": doc_id, "line": line_no, "text": text, "matches": matches}


# --------------------------------------------------------------------------- grep


@command("grep", overrides={"corpus": GrepCorpusOpt}, rich_help_panel="Commands", matching=True)
def grep(
    ctx: typer.Context,
    pattern: Annotated[
        str | None,
        typer.Argument(
            metavar="PATTERN",
            help="Regular expression (regex module syntax) matched on normalized text; "
            "'' matches every line.",
            show_default=False,
        ),
    ] = None,
    regexp: Annotated[
        list[str] | None,
        typer.Option(
            "--regexp",
            "-e",
            metavar="PATTERN",
            help="A pattern, in place of PATTERN (repeatable: a line matches if any matches; "
            "for one that starts with -).",
            rich_help_panel=MATCH_PANEL,
            show_default=False,
        ),
    ] = None,
    fixed: FixedOpt = False,
    word: Annotated[
        bool,
        typer.Option(
            "--word-regexp",
            "-w",
            help="Whole words only (Arabic-aware: marks are part of words).",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = False,
    ignore_case: IgnoreCaseOpt = False,
    clitics: CliticsOpt = None,
    strict_marks: StrictMarksOpt = False,
    explain: ExplainOpt = False,
    invert: Annotated[
        bool,
        typer.Option(
            "--invert-match", "-v", help="Select lines that do not match.", rich_help_panel=MATCH_PANEL
        ),
    ] = False,
    max_count: Annotated[
        int | None,
        typer.Option(
            "--max-count",
            "-m",
            min=0,
            metavar="N",
            help="Stop a document after N selected lines.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    count: Annotated[
        bool,
        typer.Option(
            "--count",
            "-c",
            help="Print the number of selected lines per document.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    count_matches: Annotated[
        bool,
        typer.Option(
            "--count-matches", help="Print the number of matches per document.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = False,
    files_with_matches: Annotated[
        bool,
        typer.Option(
            "--files-with-matches",
            "-l",
            help="Print only the ids of documents with a match.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    only_matching: Annotated[
        bool,
        typer.Option(
            "--only-matching", "-o", help="Print each match on its own line.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = False,
    after_context: Annotated[
        int | None,
        typer.Option(
            "--after-context",
            "-A",
            min=0,
            metavar="N",
            help="Show N lines after each selected line.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    before_context: Annotated[
        int | None,
        typer.Option(
            "--before-context",
            "-B",
            min=0,
            metavar="N",
            help="Show N lines before each selected line.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    context: Annotated[
        int | None,
        typer.Option(
            "--context",
            "-C",
            min=0,
            metavar="N",
            help="Show N lines before and after.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    line_number: Annotated[
        bool,
        typer.Option(
            "--line-number/--no-line-number", "-n/-N", help="Show line numbers.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = True,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print nothing; exit 0 at the first match.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = False,
    engine: EngineOpt = Engine.memory,
    scheduler: SchedulerOpt = None,
    fmt: GrepFormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Print the lines that match PATTERN, like grep, on normalized text.

    In a pipe: doc:line:text (doc:count with -c, doc with -l). On a terminal:
    grouped by document, matches highlighted, long lines cut around the match.
    Exit status: 0 a line was selected, 1 none, 2 an error.
    """
    from ..output.grep import GrepRequest, line_search, needs_text, run_grep, shows_spans
    from ..query.pattern import MatchOptions

    if count and files_with_matches:
        raise CorpusError("-c/--count and -l/--files-with-matches cannot be combined")
    if count_matches and files_with_matches:
        raise CorpusError("--count-matches and -l/--files-with-matches cannot be combined")
    if only_matching and fmt is GrepFormat.jsonl:
        raise CorpusError(
            "-o/--only-matching cannot be combined with --format jsonl (its records carry every match)"
        )
    if regexp and pattern is not None:
        raise CorpusError(f"PATTERN '{pattern}' and -e/--regexp: give the patterns one way (several -e)")
    if not regexp and pattern is None:
        raise CorpusError("missing PATTERN (or -e PATTERN); see 'corpus grep --help'")
    patterns = regexp or [pattern or ""]
    session = Session(ctx)
    query = session.query(patterns, MatchOptions(fixed, word, ignore_case, clitics, strict_marks), explain)
    shape = session.table_or(fmt, "plain")
    request = GrepRequest(
        invert=invert,
        max_count=max_count,
        count_lines=count,
        count_matches=count_matches,
        files_with_matches=files_with_matches,
        only_matching=only_matching,
        before=before_context if before_context is not None else (context or 0),
        after=after_context if after_context is not None else (context or 0),
        line_number=line_number,
        quiet=quiet,
        header=not no_header,
        spans=shows_spans(shape, session.color),
        bom=session.bom,
        context=(before_context, after_context, context) != (None, None, None),
    )
    if use_dask(engine, scheduler):
        from ..engines.distributed import grep_dask

        raise typer.Exit(0 if grep_dask(session, query, request, shape, scheduler) else 1)
    docs = session.documents_for(
        query, invert=invert, search=line_search(request), keep_text=needs_text(request, shape)
    )
    found = run_grep(docs, query, request, shape, session.env, session.color)
    if not found and not quiet and not invert:
        session.report_zero(
            patterns,
            query.options,
            norm_given=_norm_given(ctx),
            whole_words=False,
            asked_none="--max-count 0" if max_count == 0 else None,
        )
    raise typer.Exit(0 if found else 1)


# --------------------------------------------------------------------------- kwic


@command("kwic", rich_help_panel="Commands", matching=True)
def kwic(
    ctx: typer.Context,
    pattern: PatternArg,
    fixed: FixedOpt = False,
    substring: Annotated[
        bool,
        typer.Option(
            "--substring", help="Match inside words too (default: whole words).", rich_help_panel=MATCH_PANEL
        ),
    ] = False,
    ignore_case: IgnoreCaseOpt = False,
    clitics: CliticsOpt = None,
    strict_marks: StrictMarksOpt = False,
    explain: ExplainOpt = False,
    max_count: Annotated[
        int | None,
        typer.Option(
            "--max-count",
            "-m",
            min=0,
            metavar="N",
            help="Stop a document after N matching lines.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    width: Annotated[
        int,
        typer.Option(
            "--width",
            min=0,
            metavar="N",
            help="Context: N characters on each side.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 40,
    words: Annotated[
        int | None,
        typer.Option(
            "--words",
            min=0,
            metavar="N",
            help="Context: N words on each side (instead of --width).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", min=0, metavar="N", help="Show at most N lines.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            metavar="KEYS",
            help="Comma-separated, applied in order: position, match, doc, B1-B3 (1st-3rd word "
            "before the match), A1-A3 (after). Words compare in normalized form; the sort is stable.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = "position",
    sample_size: Annotated[
        int | None,
        typer.Option(
            "--sample",
            min=0,
            metavar="N",
            help="A random sample of N lines (see --seed).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            metavar="S",
            help="Seed of --sample: the same seed gives the same lines.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    per_doc: Annotated[
        int | None,
        typer.Option(
            "--per-doc",
            min=0,
            metavar="N",
            help="At most N lines from each document.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    engine: EngineOpt = Engine.memory,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Concordance: every hit of PATTERN with its context (before, match, after).

    Whole words by default. On a terminal the rows stay aligned for right-to-left
    text; in a pipe, tsv columns doc, line, start, end, before, match, after
    (start/end: character offsets into the document), no padding or controls.
    """
    from ..output.kwic import run_kwic
    from ..query.pattern import MatchOptions

    session = Session(ctx)
    query = session.query(
        pattern, MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks), explain
    )
    if use_dask(engine, scheduler):
        from ..engines.distributed import kwic_dask

        found = kwic_dask(
            session,
            query,
            scheduler,
            fmt_name=session.table_or(fmt, "tsv"),
            width=width,
            words=words,
            limit=limit,
            sort=sort,
            max_count=max_count,
            header=not no_header,
            sample_size=sample_size,
            seed=seed,
            per_doc=per_doc,
        )
        raise typer.Exit(0 if found else 1)
    found = run_kwic(
        session.documents_for(query),
        query,
        session,
        fmt_name=session.table_or(fmt, "tsv"),
        width=width,
        words=words,
        limit=limit,
        sort=sort,
        max_count=max_count,
        header=not no_header,
        sample_size=sample_size,
        seed=seed,
        per_doc=per_doc,
    )
    if not found:
        limits = {"--max-count": max_count, "--limit": limit, "--per-doc": per_doc, "--sample": sample_size}
        session.report_zero(
            pattern,
            query.options,
            norm_given=_norm_given(ctx),
            whole_words=True,
            asked_none=next((f"{name} 0" for name, value in limits.items() if value == 0), None),
        )
    raise typer.Exit(0 if found else 1)


# --------------------------------------------------------------------------- freq


@command("freq", rich_help_panel="Commands", matching=True)
def freq(
    ctx: typer.Context,
    terms: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[TERM]...",
            help="Count exactly these terms (normalized), zeros included; a term of N words "
            "is counted as the n-gram it is (as --ngram N counts it).",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top",
            min=0,
            metavar="N",
            help="Show the N most frequent (0 = all).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 20,
    min_count: Annotated[
        int,
        typer.Option(
            "--min-count",
            min=1,
            metavar="N",
            help="Only terms seen at least N times.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 1,
    by_doc: Annotated[
        bool, typer.Option("--by-doc", help="One row per document and term.", rich_help_panel=OUTPUT_PANEL)
    ] = False,
    by_field: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            help="One list per value of FIELD: a metadata field, or folder, date, year, month "
            'from the ids (documents without it: "").',
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    ngram: Annotated[
        int,
        typer.Option(
            "--ngram",
            min=1,
            max=5,
            metavar="N",
            help="Count runs of N words (2-5), never across a line end or sentence-ending punctuation.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = 1,
    stopwords: Annotated[
        str | None,
        typer.Option(
            "--stopwords",
            metavar="FILE",
            help="Drop function words: 'builtin' (Arabic list written for this tool; "
            "negations kept) or a file, one word per line. N-grams are dropped when they "
            "begin or end with one.",
            rich_help_panel=MATCH_PANEL,
            show_default=False,
        ),
    ] = None,
    match: Annotated[
        str | None,
        typer.Option(
            "--match",
            metavar="PATTERN",
            help="Only terms whose normalized form matches PATTERN.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    forms: Annotated[
        bool,
        typer.Option(
            "--forms",
            help="Show every original spelling of each term with its count.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    with_dispersion: Annotated[
        bool,
        typer.Option(
            "--dispersion",
            help="Add range (documents), Juilland's D, Gries' DP and DPnorm, and ARF.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    clitics: CliticsOpt = None,
    engine: EngineOpt = Engine.memory,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Frequency list of normalized word and number tokens (or n-grams).

    A count is the number of tokens whose normalized form equals the key; the term
    shown is that key's most frequent original spelling. per_million is relative to
    all tokens (of the document, with --by-doc); docs is the number of documents
    that contain the key (of the group's documents, with --by). Punctuation, URLs
    and emoji are not counted. With TERMs and --clitics, a term also counts the
    tokens that are the term with clitics. A TERM of several words ('مجلس الأمن')
    is counted as an n-gram of that many words.
    """
    from ..output.freq import write_freq
    from ..query.freq import (
        count_tokens,
        ngram_units,
        terms_as_ngrams,
        with_forms,
        with_group_dispersion,
    )
    from ..query.freq import (
        with_dispersion as add_dispersion,
    )
    from ..text.tokenize import words

    session = Session(ctx)
    if terms:
        terms, ngram = terms_as_ngrams(terms, ngram)
        if clitics is not None and ngram > 1:
            raise CorpusError(f"--clitics needs a single word, not '{terms[0]}'")
    if use_dask(engine, scheduler):
        from ..engines.distributed import freq_dask

        found = freq_dask(
            session,
            scheduler,
            terms=terms,
            top=top,
            min_count=min_count,
            by_doc=by_doc,
            ngram=ngram,
            stopwords=stopwords,
            match=match,
            forms=forms,
            dispersion=with_dispersion,
            clitics=clitics,
            fmt=fmt,
            no_header=no_header,
            by_field=by_field,
        )
        raise typer.Exit(0 if found else 1)
    units = ngram_units(ngram) if ngram > 1 else words
    if by_field is not None and by_doc:
        raise CorpusError("--by and --by-doc cannot be combined")
    by_doc = by_doc or by_field is not None  # a group is listed as a document is
    keep_per_doc = by_doc or bool(terms and clitics)
    indexed = session.whole_corpus and ngram == 1 and not keep_per_doc and session.index is not None
    plain_list = not terms and stopwords is None and match is None
    if indexed and session.index is not None:
        # The index's frequency list: the same numbers, and ranked already when no
        # term is filtered out.
        counts = session.index.counts(keys=not plain_list)
        docs, group = None, None
    else:
        docs = session.corpus.documents
        group, tests = _freq_groups(session, docs, by_field, terms, clitics)
        counts = count_tokens(
            docs, session.normalizer, keep_per_doc=keep_per_doc, units=units, group=group, tests=tests
        )
    if indexed and plain_list and session.index is not None and not (forms or with_dispersion):
        if session.table_or(fmt, "tsv") == "tsv":
            from ..output.freq import write_tsv_blocks

            write_tsv_blocks(
                session.stdout,
                session.index.ranked_tsv(top, min_count),
                header=not no_header,
                bom=session.bom,
            )
            raise typer.Exit(0)
    if indexed and plain_list and session.index is not None:
        from ..query.freq import FreqRow

        total = counts.total
        rows = [
            FreqRow(rank, term, key, count, count * 1_000_000 / total if total else 0.0, docs)
            for rank, key, term, count, docs in session.index.ranked(top, min_count)
        ]
        found = True
    else:
        rows, found = freq_rows(
            session, counts, terms=terms, clitics=clitics, by_doc=by_doc, top=top,
            min_count=min_count, stopwords=stopwords, match=match, ngram=ngram,
        )  # fmt: skip
    if forms:
        rows = with_forms(rows, counts)
    if with_dispersion and group is not None:
        rows = with_group_dispersion(rows, session.corpus.documents, session.normalizer, units, group)
    elif with_dispersion:
        rows = add_dispersion(rows, docs or session.corpus.documents, session.normalizer, units)
    write_freq(
        session,
        rows,
        counts,
        fmt,
        no_header,
        by_doc=by_doc,
        forms=forms,
        dispersion=with_dispersion,
        by=by_field,
    )
    raise typer.Exit(0 if found else 1)


def _freq_groups(
    session: Session,
    docs: list["Document"],
    by_field: str | None,
    terms: list[str] | None,
    clitics: CliticMode | None,
) -> tuple[Callable[["Document"], str] | None, Any]:
    """``freq --by FIELD``: the group of a document, and the tests of TERMs with
    clitics (how many documents of a group hold a term with its clitics)."""
    if by_field is None:
        return None, None
    from ..query.freq import clitic_tests
    from ..store.fields import grouping, unknown_field

    problem = unknown_field(by_field, docs)
    if problem is not None:
        session.warn(problem)
    tests = clitic_tests(terms, session.normalizer, clitics, session.timeout) if terms and clitics else None
    return grouping(by_field), tests


def freq_rows(
    session: Session,
    counts: Any,
    *,
    terms: list[str] | None,
    clitics: CliticMode | None,
    by_doc: bool,
    top: int,
    min_count: int,
    stopwords: str | None,
    match: str | None,
    ngram: int,
) -> tuple[list[Any], bool]:
    """The rows ``freq`` prints from ``counts`` (any engine), and whether any term counts."""
    from ..query.freq import frequency_rows, frequency_rows_by_doc, term_rows

    if terms:
        members = _clitic_members(counts, session, clitics) if clitics is not None else None
        rows = term_rows(counts, terms, session.normalizer, by_doc=by_doc, members=members)
        return rows, any(r.count for r in rows)
    keep_key = _key_filter(session, stopwords, match, ngram)
    make = frequency_rows_by_doc if by_doc else frequency_rows
    return make(counts, top=top, min_count=min_count, keep=keep_key), True


def _key_filter(
    session: Session, stopwords: str | None, match: str | None, ngram: int
) -> Callable[[str], bool] | None:
    """The keys ``freq`` keeps: not stopwords (n-grams: not at either end), matching --match."""
    tests: list[Callable[[str], bool]] = []
    if stopwords is not None:
        from ..text.stopwords import load_stopwords

        stop = load_stopwords(stopwords, session.normalizer)
        if ngram > 1:
            tests.append(lambda key: key.split(" ")[0] not in stop and key.split(" ")[-1] not in stop)
        else:
            tests.append(lambda key: key not in stop)
    if match is not None:
        from ..query.pattern import Budget, MatchOptions, compile_query

        regex = compile_query(match, session.normalizer, MatchOptions()).regex
        budget = Budget(session.timeout)  # the list of terms is matched as one document
        tests.append(lambda key: budget.search(regex, key) is not None)
    if not tests:
        return None
    return lambda key: all(test(key) for test in tests)


def _clitic_members(counts: Any, session: Session, mode: CliticMode) -> Callable[[str], list[str]]:
    """``freq TERM --clitics``: the keys that are the term with clitics."""
    from ..query.pattern import Budget, MatchOptions, compile_query

    def members(term: str) -> list[str]:
        regex = compile_query(term, session.normalizer, MatchOptions(clitics=mode)).regex
        budget = Budget(session.timeout)
        return sorted(k for k in counts.counts if budget.fullmatch(regex, k))

    return members


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
    shared = shared_options(ctx)
    level = shared.get("norm") or Level.standard
    normalizer = adjust_normalizer(Normalizer.for_level(level), shared.get("fold"), shared.get("keep"))
    from ..output import environment
    from ..output.terminal import guarded

    env = guarded(environment.current())
    fmt_name = (fmt or "plain").lower()
    if fmt_name not in ("plain", "table", *ROW_FORMATS):
        raise CorpusError(f"unknown format '{fmt}' (plain, tsv, csv, jsonl, xlsx)")
    inputs: Iterable[str] = texts if texts else _stdin_lines(env)
    # A filter on a pipe or a terminal answers each line at once (a program at the other
    # end may wait for it); from a file, the output goes by blocks.
    flush = env.stdout.flush if not texts and not _stdin_is_file(env) else (lambda: None)
    from ..output.records import RowWriter, check_bom

    check_bom(fmt_name, bool(shared.get("bom")))
    if fmt_name in ("plain", "table"):
        for text in inputs:
            env.stdout.write(normalizer.normalize(text) + "\n")
            flush()
        return
    writer = RowWriter(
        env.stdout, fmt_name, ["input", "normalized"], header=not no_header, bom=bool(shared.get("bom"))
    )
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


# The analyst's and the index commands register themselves on ``app``.
from .commands import analysis as cli_analysis  # noqa: E402, F401
from .commands import index as cli_index  # noqa: E402, F401
from .commands import shard as cli_shard  # noqa: E402, F401
