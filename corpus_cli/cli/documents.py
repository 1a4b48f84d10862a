"""Which documents a command reads, and from where: the index, a parallel scan, a full load.

``DocumentSource`` answers "the documents that may hold this query" and "the corpus" for
one command run.  It chooses, once:

* the index (``--index auto`` finds the one ``corpus index build`` made for these paths,
  reading options and normalizer) when it is fresh, its output held until that is known
  (``output.held``: the check runs while the command answers);
* without one, on a big corpus, a scan of the files on every core that keeps only the
  documents the query may match (``engines.scan``);
* else the corpus loaded in full, with a progress bar on a terminal.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import CorpusError
from ..index.fingerprint import abandon_early
from ..output.environment import Environment
from ..output.held import HeldOutput
from ..text.normalize import Normalizer
from .settings import Settings

if TYPE_CHECKING:
    from ..index.read import Index
    from ..query.pattern import Query
    from ..query.search import DocumentHits, LineSearch
    from ..store.corpus import Corpus, Document, Sources
    from ..store.layer import TokenLayer
    from ..store.readers import ReadOptions

STALE_INDEX = (
    "the corpus changed since its index was built; searching without it "
    "(rebuild it with 'corpus index build')"
)

#: Files from which a corpus without an index is read on every core (``engines.scan``):
#: below, reading in process is as fast as starting workers (and the scan is not imported).
SCAN_FROM = 256

#: Documents (or files) from which a corpus is too big to normalize again in full just
#: for the no-silent-zero report (``Session.report_zero``).
BIG_CORPUS = 256

#: Characters of a loaded corpus from which, without an index, a token layer built in
#: memory answers what takes the text longest (``collocates``, ``freq --ngram``,
#: ``--clitics``): building it (0.5 µs a character, saudinewsnet's 55M in 29 s) costs
#: less than those take on the text (1.4-1.7 µs a character: 77 s, 91 s), plus numpy's
#: import and the rest (0.1 s), which the text path is spared on small corpora (the seeds).
LAYER_IN_MEMORY_FROM = 250_000


def index_may_answer(settings: Settings) -> bool:
    """May an index answer this command: one named, or any in the cache directory?"""
    from ..index.fingerprint import any_index

    choice = settings.index_choice
    return choice != "off" and (choice != "auto" or any_index())


class Reading(NamedTuple):
    """How the files are read (``--text-field``, ``--id-field``, ``--encoding``) and which
    records are kept (``--where``), checked before anything else is made of the settings."""

    options: ReadOptions
    where: list[tuple[str, str]]

    @classmethod
    def of(cls, settings: Settings) -> Reading:
        from ..store.readers import ReadOptions, check_encoding, parse_where

        options = ReadOptions(
            settings.text_field or "text", settings.id_field or None, check_encoding(settings.encoding)
        )
        return cls(options, parse_where(settings.where))


class Positional(NamedTuple):
    """A token layer and the documents it numbers (from 0, in its order)."""

    layer: TokenLayer
    #: the documents numbered (ascending), read as asked for
    read: Callable[[Iterable[int]], Iterator[Document]]
    #: the same without their text when it comes from the index (ids: ``grep -c``)
    heads: Callable[[Iterable[int]], Iterator[Document]]
    #: the documents --doc and --where chose, ascending (None: every one)
    selected: list[int] | None
    #: every document of the layer, in its order, without its text when it comes from
    #: the index (ids and metadata: ``--by``, ``--target``)
    headers: Callable[[], list[Document]]


#: Characters of a flowing answer let go before the whole index check (``DocumentSource.
#: _release_first_lines``): enough for ``| head`` and a screenful.
FIRST_LINES = 1 << 16


class DocumentSource:
    """The documents of one command run (see the module's docstring)."""

    def __init__(
        self,
        settings: Settings,
        paths: list[str],
        reading: Reading,
        normalizer: Normalizer,
        env: Environment,
        held: HeldOutput | None,
        warn: Callable[[str], None],
    ) -> None:
        from ..store.corpus import DEFAULT_GLOB

        self.settings = settings
        self.paths = paths
        self.glob = settings.glob or DEFAULT_GLOB
        self.docs = list(settings.doc)
        self.read_options, self.where = reading
        self.normalizer = normalizer
        self.env = env
        self.held = held
        self.warn = warn
        self._corpus: Corpus | None = None
        self._whole: Corpus | None = None  # loaded without an index, before --doc/--where
        #: The last document of the index that the answer read (None: any may count).
        self._reach: int | None = 0

    @property
    def whole_corpus(self) -> bool:
        """No document is left out (so corpus-wide numbers of an index apply)."""
        return self.settings.whole_corpus

    def quick(self, query: Query) -> bool:
        """Can ``query`` be answered without normalizing a big corpus in full?  It can
        where the index answers it, or without an index where its expansion skips most
        documents unread (``scan.sieve``); any query on a small corpus."""
        from ..engines.scan import sieve

        index = self.index
        if index is not None:
            return index.serves(query.normalizer) or int(index.meta.get("documents") or 0) < BIG_CORPUS
        size = len(self._corpus.documents) if self._corpus is not None else len(self.sources)
        return size < BIG_CORPUS or sieve(query) is not None

    @property
    def index(self) -> Index | None:
        """The index to answer from, or None (off, none built, stale, other normalizer),
        for an answer that may depend on any document of it."""
        self._reach = None
        return self._index

    @functools.cached_property
    def _index(self) -> Index | None:
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

    def _fresh(self, index: Index, final: bool) -> bool:
        """Is ``index`` fresh enough for this command's answer?  When the command is over
        and read documents 1 to N only (it stopped early), their files and the folders
        must not have changed (``Index.fresh_through``); else (or when that cannot say
        so: a file skipped at the build is never taken as unchanged) every file."""
        if final and self._reach is not None and index.fresh_through(self._reach):
            abandon_early()  # the stat of every file is not needed
            return True
        return index.is_fresh()

    @functools.cached_property
    def _unchecked_index(self) -> Index | None:
        """``index`` before its freshness check."""
        choice = self.settings.index_choice
        if choice == "off" or "-" in self.paths or (choice == "auto" and not self.paths):
            return None  # auto: only for corpora named by --corpus or CORPUS_PATH, not the seeds
        from pathlib import Path

        from ..index.layout import Selection
        from ..index.read import Index
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
        query: Query,
        *,
        invert: bool = False,
        search: LineSearch | None = None,
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

    def positional(self, *, in_memory: bool = False, tracked: bool = False) -> Positional | None:
        """The token layer to answer from: the fresh index's, when it has one; else, with
        ``in_memory``, one built now from the selected documents (numpy installed); else
        None (the answer then comes from the text, as it always may).  ``tracked``: the
        caller says how far in the layer its answer went (``reached``), so that one that
        stops early needs only those documents' files unchanged (``_fresh``)."""
        index = (self._index if tracked else self.index) or self._index_at_another_level
        if index is not None:
            layer = index.layer()
            if layer is None:
                return None
            selected = None
            if self.docs or self.where:
                selected = sorted(n - 1 for n in self._selected.values())

            def read(numbers: Iterable[int], index: Index = index) -> Iterator[Document]:
                return index.documents(n + 1 for n in numbers)

            def heads(numbers: Iterable[int], index: Index = index) -> Iterator[Document]:
                return index.documents((n + 1 for n in numbers), text=False)

            def headers(index: Index = index) -> list[Document]:
                return [doc for _, doc in index.headers()]

            return Positional(layer, read, heads, selected, headers)
        if not in_memory:
            return None
        from ..store.layer import build_layer, have_numpy

        if not have_numpy():
            return None
        docs = self.corpus.documents
        layer = build_layer((d.text for d in docs), self.normalizer)
        whole = self._whole
        if whole is not None and len(whole.documents) != len(docs):

            def counts() -> dict[str, int]:
                from ..index.morphology import layer_counts

                assert whole is not None
                return layer_counts(build_layer((d.text for d in whole.documents), self.normalizer))

            layer.corpus_counts = counts

        def in_memory_read(numbers: Iterable[int]) -> Iterator[Document]:
            return (docs[n] for n in numbers)

        return Positional(layer, in_memory_read, in_memory_read, None, lambda: list(docs))

    def layer_hits(
        self,
        query: Query,
        max_count: int | None,
        *,
        flowing: bool = True,
        lines_only: bool = False,
        inside: bool = True,
    ) -> tuple[Iterator[DocumentHits], Callable[[Iterable[int]], Iterator[Document]], TokenLayer] | None:
        """The hits of ``query`` from the index's token layer (``tracked``), how to read
        their documents, and the layer; or None: no layer, or a query it cannot answer
        exactly (a phrase, a regular expression, a substring), which the text then
        answers.  ``flowing``: the output may go out as it comes (not when it is cut).

        ``lines_only``: the caller wants the lines that hold a hit and the documents'
        ids, not the hits (``grep -c``, ``-l``, ``-q``): documents are then read
        without their text, and a substring query within tokens is answered too
        (``search.holding_hits``: the tokens that hold its matches).  ``inside``: a hit
        inside a token (a word in a URL) is a hit at that token's position
        (``search.positional_hits``); not for ``kwic --clusters``."""
        from ..query.positions import inside_tokens, single_token
        from ..query.search import holding_hits, positional_hits

        whole = single_token(query)
        if not whole and not (lines_only and inside_tokens(query)):
            return None  # asked first: the layer is not even opened
        positional = self.positional(tracked=True)
        if positional is None:
            return None
        if whole:
            groups = positional_hits(
                positional.layer, query, selected=positional.selected, max_count=max_count, inside=inside
            )
        else:
            groups = holding_hits(positional.layer, query, selected=positional.selected, max_count=max_count)
        if groups is None:
            return None
        settle = self.held.settle if flowing and self.held is not None else None
        read = positional.heads if lines_only else positional.read
        return self.tracked(groups, settle), read, positional.layer

    def layer_in_memory_pays(self) -> bool:
        """Without an index, is the loaded corpus big enough for a layer built in memory
        to answer sooner than the text (``LAYER_IN_MEMORY_FROM``), numpy installed?  With
        one (fresh, without a layer), the text answers as it did."""
        from ..store.layer import have_numpy

        if self.index is not None or not have_numpy():
            return False
        return sum(len(d.text) for d in self.corpus.documents) >= LAYER_IN_MEMORY_FROM

    def reached(self, number: int | None) -> None:
        """An answer from the token layer (``positional(tracked=True)``) went as far as
        document ``number`` of the layer (from 0); None: to the end, any may count."""
        if self._reach is not None:
            self._reach = None if number is None else max(self._reach, number + 1)

    def tracked(
        self, groups: Iterator[DocumentHits], settle: Callable[[], None] | None
    ) -> Iterator[DocumentHits]:
        """``groups`` (hits from the layer, document by document), noting how far the
        answer went (``reached``: one that stops early needs only those documents
        unchanged); ``settle``: the output held for the index check is let go after a
        document as soon as that check (begun at start-up) is over, never waited for, so
        a reader that wants a few lines (``| head``) gets them without the rest."""
        from ..index.fingerprint import early_ready

        tried = False
        for group in groups:
            self.reached(group.number)
            yield group
            if settle is not None and early_ready():
                settle()
                settle = None
            elif settle is not None and not tried:
                tried = self._release_first_lines()
        self.reached(None)

    def _release_first_lines(self) -> bool:
        """Let the first ``FIRST_LINES`` characters of a flowing answer go before the check
        of every file is over, once the files of the documents they came from prove
        unchanged (``Index.fresh_through``): they are the files' answer whatever the
        later files hold.  True once tried (let go, or a file of theirs changed: the
        whole check will say so), False while too little is held to try."""
        held, index, reach = self.held, self._unchecked_index, self._reach
        if held is None or index is None or reach is None or not held.holding:
            return True
        if held.size < FIRST_LINES:
            return False
        if index.fresh_through(reach):
            held.release()
        return True

    @functools.cached_property
    def _index_at_another_level(self) -> Index | None:
        """With ``--index auto``, for the token layer only: a fresh index of these files,
        read as these are, built at another normalization (its layer's keys at this one
        are a map over its spellings, ``query.positions.Keys``).  None when this run's
        own index exists (fresh or not: it said so) or there is no such index."""
        if (
            self.settings.index_choice != "auto"
            or not self.paths
            or "-" in self.paths
            or self._unchecked_index is not None
        ):
            return None
        from ..index.layout import Selection, reading_options
        from ..index.read import Index, catalogue

        selection = Selection.of(self.paths, self.glob, self.normalizer, self.read_options)
        for entry in catalogue(selection.default_path().parent):
            meta = entry.meta
            if not meta.get("layer") or not selection.selects_as(meta):
                continue
            if reading_options(meta) != self.read_options:
                continue
            index = Index(entry.path)
            if index.is_fresh():
                return index
            index.close()
        return None

    def _reading(self, index: Index, numbers: list[int]) -> Iterator[Document]:
        """The documents ``numbers`` of ``index``, noting the last one read: an answer
        that stops before the end depends on documents 1 to it alone (``_fresh``)."""
        for n in numbers:
            if self._reach is not None:
                self._reach = max(self._reach, n)
            yield from index.documents((n,))
        self._reach = None  # read to the end: any document may count

    def _scanned(
        self, query: Query, invert: bool, search: LineSearch | None, keep_text: bool
    ) -> Iterator[Any] | None:
        """Without an index, the documents of a big corpus that may hold ``query``,
        read and pre-filtered on every core (None: load the corpus as usual)."""
        if invert or self.docs or self.where or self._corpus is not None or "-" in self.paths:
            return None
        if not scan_pays(self.sources):
            return None
        from ..engines.scan import candidates

        return candidates(
            self.sources, self.read_options, query, warn=self.warn, search=search, keep_text=keep_text
        )

    @functools.cached_property
    def sources(self) -> Sources:
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
        index = self.index or self._index_at_another_level
        for n, doc in index.headers() if index else ():
            numbers[doc.id] = n
            headers.append(doc)
        chosen = filter_where(Corpus(headers).select(self.docs).documents, self.where, self.warn)
        return {d.id: numbers[d.id] for d in chosen}

    @property
    def corpus(self) -> Corpus:
        """The selected documents, loaded (from the index when there is one)."""
        if self._corpus is None:
            self._corpus = self._load()
        return self._corpus

    def _load(self) -> Corpus:
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
                progress=progress_bar(self.env),
                **self.read_options._asdict(),
                found=self.sources,
            )
            self._whole = corpus
        corpus = corpus.select(self.docs)
        if self.where:
            from ..store.readers import filter_where

            corpus = Corpus(filter_where(corpus.documents, self.where, self.warn))
        return corpus


def scan_pays(sources: Sources) -> bool:
    """Enough files to gain from more than one core, and a system that can fork."""
    return len(sources) >= SCAN_FROM and (os.cpu_count() or 1) > 1 and hasattr(os, "fork")


def progress_bar(env: Environment) -> Callable[[int, int], None] | None:
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


class LateBar:
    """A progress bar on stderr (a terminal only) that shows once a computation has run
    ``after`` seconds (``delay`` by default): a timer thread starts it, since numpy and the
    matcher report nothing meanwhile; filled as the computation says how far it is
    (``bar(done, total)``), gone at ``close``."""

    #: Seconds before the bar shows.
    delay = 1.0

    def __init__(self, env: Environment, label: str = "counting", after: float | None = None) -> None:
        import threading

        self.env, self.label = env, label
        self.lock = threading.Lock()
        self.done, self.total = 0, 0
        self.told = False  # has the computation given a total?
        self.over = False
        self.bar: Any = None
        self.task: Any = None
        self.timer = threading.Timer(self.delay if after is None else after, self._show)
        self.timer.daemon = True
        if env.stderr_isatty:
            self.timer.start()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import Progress

        with self.lock:
            if self.over:
                return
            self.bar = Progress(console=Console(file=self.env.stderr), transient=True)
            total = self.total if self.told else None
            self.task = self.bar.add_task(self.label, total=total, completed=self.done)
            self.bar.start()

    def __call__(self, done: int, total: int) -> None:
        with self.lock:
            self.done, self.total, self.told = done, total, True
            if self.bar is not None:
                self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        self.timer.cancel()
        with self.lock:
            self.over = True
            bar, self.bar = self.bar, None
        if bar is not None:
            bar.stop()
