"""What one command run needs: its settings, environment, normalizer and documents.

A ``Session`` is built by each command from its ``Settings`` (``Session(ctx)``); it
is what the output writers call a ``Target`` and the dask engine a ``Run``: those
layers name Protocols of their own and never import this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

import typer

from ..errors import CorpusError
from ..index.fingerprint import waiting
from ..output import held
from ..output.held import HeldOutput, hold
from ..text.clitics import CliticMode
from ..text.normalize import Level, Normalizer
from .documents import DocumentSource, Reading, index_may_answer
from .settings import Settings, describe_normalizer

if TYPE_CHECKING:
    from ..query.pattern import MatchOptions, Query
    from ..store.readers import ReadOptions

#: Where ``application.command`` leaves a run's ``Settings`` for ``Session``.
SETTINGS_KEY = "corpus_cli.settings"


def settings_of(ctx: typer.Context) -> Settings:
    """The settings of the running command (see ``application.command``)."""
    value = ctx.meta.get(SETTINGS_KEY)
    return value if isinstance(value, Settings) else Settings()


class Session:
    """One command run: environment, settings, normalizer, colour, the documents."""

    def __init__(self, ctx: typer.Context, **changes: Any) -> None:
        """``changes``: settings this command fixes itself (``shard``'s SOURCE is the corpus)."""
        from ..output import environment
        from ..output.terminal import guarded

        settings = settings_of(ctx)
        self.settings = settings = settings._replace(**changes) if changes else settings
        self.env = guarded(environment.current())
        self.paths = list(settings.corpus)
        if not self.paths:
            from ..store.corpus import paths_from_env

            env_paths = self.env.environ.get("CORPUS_PATH")
            self.paths = paths_from_env(env_paths)
            if env_paths is not None and env_paths.strip() and not self.paths:
                raise CorpusError("CORPUS_PATH names no path")
            missing = [p for p in self.paths if p != "-" and not os.path.lexists(os.path.expanduser(p))]
            if missing and settings.reads_corpus:
                raise CorpusError(f"CORPUS_PATH: {missing[0]}: no such file or directory")
        reading = Reading.of(settings)
        if settings.index_option is not None and not settings.index_option.strip():
            raise CorpusError("--index needs a value: auto, off or an index file")
        self.level = settings.level
        self.normalizer = settings.normalizer()
        self.color = self.env.color(settings.color)
        self.held: HeldOutput | None = None
        self._warned: set[str] = set()
        if settings.reads_corpus and (waiting() or held.resuming() or index_may_answer(settings)):
            # An index may answer before it is checked, or be found damaged while it
            # answers: the output is held, then counted (``held``).
            self.held = hold(self.env.stdout)
            self.env = self.env._replace(stdout=cast(TextIO, self.held))
        self.stdout = self.env.stdout
        self.source = DocumentSource(
            settings, self.paths, reading, self.normalizer, self.env, self.held, self.warn
        )

    # What the dask engine's ``Run`` and the scan need besides the documents.
    @property
    def glob(self) -> str:
        return self.source.glob

    @property
    def read_options(self) -> ReadOptions:
        return self.source.read_options

    @property
    def where(self) -> list[tuple[str, str]]:
        return self.source.where

    @property
    def given(self) -> tuple[str, ...]:
        return self.settings.given

    def warn(self, message: str) -> None:
        """Each warning once, however often the files are read (``report_zero``)."""
        if message not in self._warned:
            self._warned.add(message)
            self.note(f"warning: {message}")

    def note(self, message: str) -> None:
        if self.held is not None:
            self.held.settle()  # said of this answer: the index must be fresh
        from ..output.terminal import say

        say(self.env.stderr, message)

    @property
    def normalization(self) -> str:
        """The normalization in words (``standard +yeh``), for captions and --explain."""
        return describe_normalizer(self.level, self.normalizer)

    @property
    def timeout(self) -> float | None:
        """``--timeout``: the seconds matching may take on one document (None: no limit)."""
        from ..query.pattern import DEFAULT_TIMEOUT

        value = self.settings.timeout
        return DEFAULT_TIMEOUT if value is None else (float(value) or None)

    @property
    def norm_given(self) -> bool:
        return self.settings.norm is not None

    @property
    def bom(self) -> bool:
        """``--bom``: tsv and csv start with a byte-order mark."""
        return self.settings.bom

    def table_or(self, requested: Any, piped: str) -> str:
        """The output format: the one asked for, else table on a terminal, else ``piped``."""
        from ..output.records import check_bom

        if requested is not None:
            fmt = str(requested.value)
        else:
            fmt = "table" if self.env.stdout_isatty else piped
        check_bom(fmt, self.bom)
        return fmt

    def query(self, pattern: str | Sequence[str], options: MatchOptions, explain: bool = False) -> Query:
        """Compile ``pattern`` (or grep's patterns, see ``compile_query``); with
        ``explain``, say on stderr how it will be matched."""
        from ..query.pattern import compile_query

        query = compile_query(pattern, self.normalizer, options, timeout=self.timeout)
        if explain:
            typed = [pattern] if isinstance(pattern, str) else list(pattern)
            normalized = query.normalized.split("\n") if len(typed) > 1 else [query.normalized]
            for one, norm in zip(typed, normalized, strict=True):
                self.note(f"query: '{one}' -> normalized '{norm}'")
            self.note(
                f"normalization: {self.normalization}: {', '.join(self.normalizer.active_steps) or 'none'}"
            )
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
        options: MatchOptions,
        *,
        whole_words: bool,
        asked_none: str | None = None,
        more: Callable[[], Sequence[str]] | None = None,
    ) -> None:
        """No silent zero: say what would have matched with options the user did not set.

        ``asked_none``: the option that asked for no hit at all (``--max-count 0``),
        which is then the whole reason for the zero (grep -m 0 is silent, exit 1).
        ``more``: what else to say first (``morph.zero_hints``: "214 with --lemma ...").
        """
        from ..query.pattern import compile_query
        from ..query.search import LineSearch, iter_hits

        if asked_none is not None:
            self.note(f"0 hits shown ({asked_none} asks for none)")
            return
        tries: list[tuple[str, Normalizer, MatchOptions]] = []
        if options.clitics is None:
            tries.append(("--clitics", self.normalizer, options._replace(clitics=CliticMode.both)))
        if not self.norm_given and self.level is not Level.aggressive:
            tries.append(("--norm aggressive", Normalizer.for_level(Level.aggressive), options))
        if whole_words and options.word:
            tries.append(("--substring", self.normalizer, options._replace(word=False)))
        found = list(more()) if more is not None else []
        for label, normalizer, variant in tries:
            try:
                query = compile_query(pattern, normalizer, variant, timeout=self.timeout)
            except CorpusError:
                continue
            if not self.source.quick(query):
                found.append(f"{label} not tried on a corpus this size")
                continue
            # Searched where the files are read (on every core, without an index): only
            # the lines with hits come back, nothing is normalized twice.
            docs = self.source.documents_for(query, search=LineSearch(), keep_text=False)
            count = sum(1 for _ in iter_hits(docs, query))
            found.append(f"{count:,} with {label}")
        self.note("; ".join(["0 hits", *found]))
