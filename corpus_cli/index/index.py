"""A persistent index of a corpus, so that big corpora answer at once.

One SQLite file (standard library, no extra dependency) holds:

* ``docs``: every document as loaded (id, path, text, the metadata of a record) with its
  list statistics, so no file is read or decoded again;
* ``grams``: a contentless FTS5 trigram index of the *normalized* text, used only to
  find the documents that may hold a literal query (a superset: every candidate is then
  searched by the same matcher as without an index, so results are identical);
* ``keys`` and ``forms``: the frequency list (count, documents, most frequent spelling)
  as ``freq`` computes it, and the spellings of the keys spelled otherwise than as
  themselves.

An index belongs to a corpus selection (paths, glob, and the text field, id field and
encoding the files are read with) and a normalizer.  It is found in the user's cache
directory under a key made of those, never written into the corpus,
written to a temporary file and renamed into place (a crash or Ctrl-C during a build
leaves the previous index intact, readers keep the file they opened), and it records a
fingerprint of the corpus files (paths, sizes, modification times, modes), taken before
they are listed and read, to detect staleness.  It is opened defensively: only the tables
it is made of, each statement bounded, damage found at any read (``DamagedIndex``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..engines import forking
from ..errors import CorpusError
from ..output.held import DamagedIndex
from ..store.corpus import name_loaded, name_stored
from ..text.normalize import Normalizer
from .fingerprint import (
    SUFFIX,
    Stamps,
    abandon_early,
    cache_folder,
    directory_fingerprint,
    early,
    fingerprint,
    waiting,
)

if TYPE_CHECKING:
    from ..query.freq import Counts
    from ..store.corpus import Corpus, Document, Source
    from ..store.readers import ReadOptions

FORMAT = 6


def cache_dir() -> Path:
    """``CORPUS_CACHE_DIR``, else the platform's user cache directory."""
    return Path(cache_folder())


class Selection(NamedTuple):
    """What an index is of: resolved paths, glob, the normalizer's steps and how the
    files are read (text field, id field, encoding): other options, other documents."""

    paths: tuple[str, ...]
    glob: str
    steps: tuple[str, ...]
    text_field: str = "text"
    id_field: str | None = None
    encoding: str | None = None

    @classmethod
    def of(
        cls, paths: Sequence[str], glob: str, normalizer: Normalizer, options: ReadOptions | None = None
    ) -> Selection:
        from ..store.readers import ReadOptions

        if any(p == "-" for p in paths):
            raise CorpusError("standard input cannot be indexed")
        resolved = tuple(_resolved(p) for p in paths)
        return cls(resolved, glob, tuple(normalizer.active_steps), *(options or ReadOptions()))

    @property
    def reading(self) -> ReadOptions:
        """The options the corpus files are read with (``build`` reads them so)."""
        from ..store.readers import ReadOptions

        return ReadOptions(self.text_field, self.id_field, self.encoding)

    @property
    def key(self) -> str:
        """A file name for the index; two CRCs (zlib is loaded anyway, hashlib costs
        6 ms of start-up).  A clash is harmless: ``matches`` checks the index's own record.
        """
        import zlib

        reading = [self.text_field, self.id_field or "", self.encoding or ""]
        parts = [str(FORMAT), *self.paths, "\1", self.glob, "\1", *self.steps, "\1", *reading]
        blob = "\0".join(parts).encode("utf-8", "surrogateescape")
        return f"{zlib.crc32(blob):08x}{zlib.crc32(blob[::-1]):08x}{len(blob) % 4096:03x}"

    def selects_as(self, meta: dict[str, str]) -> bool:
        """Is an index with this ``meta`` of these paths and glob (its reading and
        normalization aside, which may differ: then it is left aside with a warning)?"""
        import json

        try:
            return tuple(json.loads(meta["paths"])) == self.paths and meta["glob"] == self.glob
        except (KeyError, ValueError, TypeError):
            return False

    def describe(self, meta: dict[str, str]) -> str:
        """What an index with this ``meta`` is of, said against this selection."""
        import json

        try:
            paths = " ".join(json.loads(meta["paths"]))
        except (KeyError, ValueError, TypeError):
            paths = "?"
        glob = meta.get("glob", "?")
        return f"built for {paths} --glob '{glob}', not {' '.join(self.paths)} --glob '{self.glob}'"

    def matches(self, meta: dict[str, str]) -> bool:
        import json

        try:
            return (
                tuple(json.loads(meta["paths"])) == self.paths
                and meta["glob"] == self.glob
                and tuple(json.loads(meta["steps"])) == self.steps
                and _reading(meta) == self.reading
            )
        except (KeyError, ValueError):
            return False

    def default_path(self) -> Path:
        return cache_dir() / f"{self.key}{SUFFIX}"


def _reading(meta: dict[str, str]) -> ReadOptions:
    """The reading options an index was built with, from its ``meta`` table."""
    from ..store.readers import ReadOptions

    return ReadOptions(meta["text_field"], meta["id_field"] or None, meta["encoding"] or None)


def _resolved(path: str) -> str:
    """``path`` made absolute, symbolic links resolved; a loop stays unresolved (the
    corpus reader then says what is wrong with it)."""
    try:
        return str(Path(path).expanduser().resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return str(Path(path).expanduser().absolute())


# --------------------------------------------------------------------------- build

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(
    n INTEGER PRIMARY KEY, id TEXT NOT NULL, path TEXT NOT NULL, text TEXT NOT NULL,
    tokens INTEGER NOT NULL, types INTEGER NOT NULL,
    fields TEXT  -- a record's metadata as a JSON object in its order; NULL: none
);
CREATE VIRTUAL TABLE grams USING fts5(norm, content='', tokenize='trigram case_sensitive 1', detail='none');
CREATE TABLE keys(
    rank INTEGER PRIMARY KEY, key TEXT NOT NULL, term TEXT NOT NULL,
    count INTEGER NOT NULL, docs INTEGER NOT NULL
);
CREATE TABLE forms(key TEXT NOT NULL, form TEXT NOT NULL, count INTEGER NOT NULL);
CREATE TABLE ranked_tsv(rank INTEGER PRIMARY KEY, count INTEGER NOT NULL, text BLOB NOT NULL);
CREATE TABLE files(first INTEGER NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL);
"""


class BuildStats(NamedTuple):
    path: Path
    documents: int
    tokens: int
    types: int
    seconds: float
    size: int


def build(
    corpus: Corpus | Sequence[Source],
    selection: Selection,
    normalizer: Normalizer,
    dest: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    warn: Callable[[str], None] | None = None,
    options: ReadOptions | None = None,
    workers: int | None = None,
    frozen: bool = False,
    stamps: Stamps | None = None,
) -> BuildStats:
    """Write the index of ``corpus`` to ``dest`` atomically (temporary file, then rename).

    ``frozen``: the corpus is an archive that does not change, so queries check only
    its directories (``Index.is_fresh``).  ``stamps``: its fingerprints, taken before
    its files were listed (default: taken here, before they are read).

    ``corpus`` is a loaded corpus, or the files of one (``corpus.sources``), read here
    batch by batch with ``options`` (default: the selection's reading options; warnings
    to ``warn``) so that memory holds a few batches, never the corpus.  Batches are
    read, tokenized, counted and normalized by ``workers`` forked processes (default:
    one per core; in process when the corpus is small or the system cannot fork), while
    this process writes them in corpus order.
    ``progress(done, total)`` counts documents, or bytes of files.
    """
    import json
    import time

    from ..store.corpus import Corpus

    started = time.monotonic()
    if stamps is None:
        stamps = Stamps(selection.paths, folders=True)  # the directories too: see Index.fresh_through
    try:
        stamps.result()  # before a file is read: a change after it makes the index stale
        if isinstance(corpus, Corpus):
            job = _Job(normalizer, documents=corpus.documents)
        else:
            job = _Job(normalizer, sources=corpus, options=options or selection.reading)
            del corpus  # the job has the files in a compact form: the list can go
    except BaseException:
        stamps.stop()
        raise
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    lock = _Lock(dest.with_name(f".{dest.name}.lock"))
    team: _Team | None = None
    restore = _ending_cleanly()
    try:
        lock.acquire()
        sweep(dest.parent)
        if tmp.exists():
            tmp.unlink()
        size = _team_size(workers, job.size)
        if size > 1 and len(job.batches) > 1:
            team = _Team(job, size)  # forked before the database is opened
        writer = _Writer(tmp)
        try:
            done = 0
            for digest in team.digests() if team is not None else map(job.digest, range(len(job.batches))):
                for message in digest.warnings:
                    if warn is not None:
                        warn(message)
                if digest.crash is not None:
                    raise RuntimeError(f"a worker of the index build failed:\n{digest.crash}")
                if digest.error is not None:
                    raise CorpusError(digest.error)
                writer.add(job, digest)
                done += digest.size
                if progress:
                    progress(done, job.size)
            if team is not None:
                frequencies = team.frequencies()
            else:
                frequencies = _frequencies([job.tally], len(job.batches))
            writer.finish(frequencies)
            if team is not None:
                team.stop()
                team = None
            meta = {
                "format": str(FORMAT),
                "paths": _names_json(list(selection.paths)),
                "glob": selection.glob,
                "steps": json.dumps(list(selection.steps)),
                "text_field": selection.text_field,
                "id_field": selection.id_field or "",
                "encoding": selection.encoding or "",
                "fields": json.dumps(sorted(writer.fields), ensure_ascii=False),
                "documents": str(writer.documents),
                "tokens": str(frequencies.tokens),
                "types": str(frequencies.types),
                "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            taken = stamps.result()
            assert taken is not None  # made without ``when``: the child always answers
            files, folders, folders_stamp = taken
            meta["fingerprint"] = files
            if folders is not None and folders_stamp is not None:
                meta["directories"] = _names_json(folders)
                meta["directory_fingerprint"] = folders_stamp
                if frozen:
                    meta["frozen"] = "1"
            writer.db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            writer.db.commit()
        finally:
            writer.db.close()
        os.replace(tmp, dest)  # atomic: readers see the old index or the new one
    except BaseException as exc:
        stamps.stop()
        if team is not None:
            team.stop()  # Ctrl-C, SIGTERM or an error: no worker outlives the build
        tmp.unlink(missing_ok=True)
        if isinstance(exc, _Terminated):
            lock.release()
            exc.die()
        raise
    finally:
        lock.release()
        restore()
    if progress:
        progress(job.size, job.size)
    return BuildStats(
        dest,
        writer.documents,
        frequencies.tokens,
        frequencies.types,
        time.monotonic() - started,
        dest.stat().st_size,
    )


class _Terminated(BaseException):
    """SIGTERM or SIGHUP during a build: it ends as Ctrl-C does, its temporary file
    removed and its workers stopped, then by that signal (``die``)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    def die(self) -> None:
        import signal

        signal.signal(self.signum, signal.SIG_DFL)
        os.kill(os.getpid(), self.signum)
        raise SystemExit(128 + self.signum)  # only if the signal is blocked


#: The signals that end a build cleanly (``_ending_cleanly``); SIGINT is Ctrl-C's.
ENDING = ("SIGTERM", "SIGHUP")


def _ending_cleanly() -> Callable[[], None]:
    """Make SIGTERM and SIGHUP raise ``_Terminated`` in this process (the main thread
    only can); return what puts the previous handlers back."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def end(signum: int, _frame: object) -> None:
        raise _Terminated(signum)

    numbers = [getattr(signal, name) for name in ENDING if hasattr(signal, name)]
    previous = {number: signal.signal(number, end) for number in numbers}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    return restore


def sweep(folder: Path) -> list[Path]:
    """Remove the temporary files that builds killed on the way left in ``folder``
    (``.KEY.corpus-index.PID.tmp`` of a process that is no more); return them."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        head, _, pid = name.removesuffix(".tmp").rpartition(".")
        if not (name.startswith(".") and name.endswith(".tmp") and head.endswith(SUFFIX) and pid.isdigit()):
            continue
        if _alive(int(pid)):
            continue
        path = folder / name
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    """Is there a process ``pid`` (of anyone)?"""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # OverflowError: no pid is that big
        return False
    except OSError:  # another user's: alive
        return True
    return True


#: A batch: about this many characters of documents, or bytes of files.  Big enough
#: that a batch's vocabulary is worth counting apart (then adding it to the tally),
#: small enough to balance the workers and keep memory low.
BATCH_SIZE = 4 << 20
#: Below this size (characters or bytes) starting workers costs more than it saves.
PARALLEL_FROM = 8 << 20


def _team_size(workers: int | None, size: int) -> int:
    if not hasattr(os, "fork"):
        return 1
    if workers is None:
        if size < PARALLEL_FROM:
            return 1
        try:
            workers = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - macOS
            workers = os.cpu_count() or 1
        workers = min(workers, 8)
    return workers


class _Digest(NamedTuple):
    """What the writer gets of a batch: its documents, ready for SQLite."""

    #: per document: (id, path, text, argument, metadata as JSON or None) when read from
    #: files, else None; its normalized text, its tokens and its types (distinct keys).
    #: Texts travel as UTF-8, what SQLite stores: neither end of the pipe converts them again.
    docs: list[tuple[tuple[str, str, bytes, str, str | None] | None, bytes, int, int]]
    size: int  # documents, or bytes of files: what progress counts
    warnings: list[str]
    error: str | None = None  # a file that cannot be read
    crash: str | None = None  # a worker's traceback
    #: per file read: its absolute path, size and modification time (taken before it was
    #: read) and how many documents it held
    files: Sequence[tuple[str, int, int, int]] = ()
    #: the metadata fields of the documents read (records)
    fields: frozenset[str] = frozenset()


class _Tally:
    """The counts of the batches one process digested.

    Spellings are in order of first occurrence, and ``marks`` says where each batch's
    new ones start: the tallies of all processes merge into corpus order.  Most
    spellings are their own key; only the others (``changed``) are looked up.
    """

    def __init__(self) -> None:
        self.forms: Counter[str] = Counter()  # tokens per spelling
        self.changed: dict[str, str] = {}  # the key of every spelling that is not its own
        self.docs: Counter[str] = Counter()  # documents per key
        self.marks: list[int] = []  # per batch: where its new spellings start in ``forms``

    def clear(self) -> None:
        for counts in (self.forms, self.changed, self.docs, self.marks):
            counts.clear()

    def add(self, tokens: list[list[str]], normalizer: Normalizer) -> list[int]:
        """Count the tokens of a batch's documents; return their types.

        Counted first in counters of the batch (small: they stay in the processor's
        cache), then added to the tally's in C (``Counter.update`` adds in Python).
        """
        from itertools import islice

        from ..query.freq import normalize_many

        batch: Counter[str] = Counter()
        for found in tokens:
            batch.update(found)  # counted in C
        start = len(self.forms)
        self.marks.append(start)
        _add_into(self.forms, batch)
        changed = self.changed
        for form, key in normalize_many(islice(self.forms, start, None), normalizer).items():
            if key != form:
                changed[form] = key
        here = {form: changed[form] for form in changed.keys() & batch.keys()}  # small: fast
        spelled = set(here)
        docs: Counter[str] = Counter()
        types = []
        for found in tokens:
            keys = set(found)
            other = keys & spelled
            if other:
                keys -= other
                keys.update(map(here.__getitem__, other))
                keys.discard("")
            docs.update(keys)
            types.append(len(keys))
        _add_into(self.docs, docs)
        return types


def _add_into(total: Counter[str], part: Counter[str]) -> None:
    """``total.update(part)`` in C (map, zip): ``Counter.update`` adds a mapping in Python."""
    from itertools import repeat
    from operator import add

    names = list(part)
    dict.update(total, zip(names, map(add, map(total.get, names, repeat(0)), part.values()), strict=True))


#: A row of the frequency list: rank, key, term, count, documents.
Ranked = tuple[int, str, str, int, int]


class _Frequencies(NamedTuple):
    """The frequency list of the corpus, as the ``keys`` and ``forms`` tables hold it:
    rows made (or received) as they are written, never all in memory at once."""

    tokens: int
    types: int
    keys: Iterator[Ranked]
    forms: Iterator[tuple[str, str, int]]  # key, spelling, count
    #: Once ``keys`` is read: the list rendered as ``freq``'s TSV (``Index.ranked_tsv``),
    #: as (rank and count of a block's last row, UTF-8 block)
    blocks: Callable[[], list[tuple[int, int, bytes]]]


def _rendered(rows: Iterator[Ranked], tokens: int, blocks: list[tuple[int, int, bytes]]) -> Iterator[Ranked]:
    """``rows`` as they go by, rendered as ``freq``'s TSV into ``blocks`` too."""
    from ..output.freq import ranked_tsv_lines

    rates: dict[int, str] = {}  # shared by the blocks: each count's rate is formatted once
    while block := list(islice(rows, TSV_BLOCK)):
        text = "".join(ranked_tsv_lines(block, tokens, rates)).encode("utf-8")
        blocks.append((block[-1][0], block[-1][3], text))
        yield from block


def _frequencies(tallies: list[_Tally], batches: int) -> _Frequencies:
    """The tallies of all processes together, as ``count_tokens`` counts.

    Process ``w`` of ``n`` digested batches ``w``, ``w + n``…: the spellings new to it in
    each batch, taken batch after batch, are all spellings in order of first occurrence.
    Most keys are spelled one way, as themselves: only the others are grouped (a list per
    key for every key costs more than all the rest of the merge).
    """
    order: dict[str, Any] = tallies[0].forms  # one process: in order already
    if len(tallies) > 1:
        order = {}
        names = [list(tally.forms) for tally in tallies]
        for batch in range(batches):
            i, w = divmod(batch, len(tallies))
            marks = tallies[w].marks
            stop = marks[i + 1] if i + 1 < len(marks) else len(names[w])
            order.update(dict.fromkeys(names[w][marks[i] : stop]))
        del names
    forms, changed, docs = tallies[0].forms, tallies[0].changed, tallies[0].docs
    for tally in tallies[1:]:
        _add_into(forms, tally.forms)
        changed.update(tally.changed)
        _add_into(docs, tally.docs)
        tally.clear()
    tokens = sum(forms.values())
    counts: dict[str, int] = dict(forms)  # then every changed spelling moves to its key
    moved = [(form, key, counts.pop(form)) for form, key in changed.items()]
    grouped: dict[str, list[tuple[str, int]]] = {}  # the keys spelled otherwise than as themselves
    for form, key, count in moved:
        if key:
            counts[key] = counts.get(key, 0) + count
            if key in grouped:
                grouped[key].append((form, count))
            else:
                grouped[key] = [(form, count)]
    for key, group in grouped.items():
        if key in forms and key not in changed:
            group.append((key, forms[key]))
    terms = {key: _term(group) for key, group in grouped.items()}
    del moved, grouped
    # Rank order: count descending, then key, as ``frequency_rows`` (two sorts without
    # a Python key function: the second, stable, keeps keys in order among equal counts).
    ranked = sorted(counts)
    ranked.sort(key=counts.__getitem__, reverse=True)
    ranks = ((rank, key, terms.get(key, key), counts[key], docs[key]) for rank, key in enumerate(ranked, 1))
    rows = _spellings(order, forms, changed, terms)
    blocks: list[tuple[int, int, bytes]] = []
    return _Frequencies(tokens, len(ranked), _rendered(ranks, tokens, blocks), rows, lambda: blocks)


def _spellings(
    order: Iterable[str], forms: Counter[str], changed: dict[str, str], terms: dict[str, str]
) -> Iterator[tuple[str, str, int]]:
    """The rows of the ``forms`` table: every spelling of the keys in ``terms`` (those
    spelled otherwise than as themselves), in order of first occurrence.  A key that is
    not there has one spelling, itself (``_LazyForms``)."""
    for form in order:
        key = changed.get(form, form)
        if key in terms:
            yield key, form, forms[form]


def _term(spellings: list[tuple[str, int]]) -> str:
    """The most frequent spelling (ties: the one that sorts first), as ``Counts.term``."""
    if len(spellings) == 1:
        return spellings[0][0]
    return min(spellings, key=lambda item: (-item[1], item[0]))[0]


class _Job:
    """A build's batches and how to digest one, the same in process and in a worker."""

    def __init__(
        self,
        normalizer: Normalizer,
        *,
        documents: Sequence[Document] = (),
        sources: Sequence[Source] = (),
        options: ReadOptions | None = None,
    ) -> None:
        from ..store.readers import ReadOptions

        self.normalizer = normalizer
        self.documents = documents
        self.from_files = bool(sources)
        self.options = options or ReadOptions()
        self.tally = _Tally()
        if sources:
            sizes = [_file_size(s.path) for s in sources if s.path is not None]  # stdin: never
        else:
            sizes = [len(d.text) for d in documents]
        self.batches: list[tuple[int, int, int]] = []  # start, stop, size
        # A small corpus in 16 batches at least: the writer starts soon, workers end together.
        limit = min(BATCH_SIZE, max(BATCH_SIZE // 16, sum(sizes) // 16))
        start = total = 0
        for i, size in enumerate(sizes):
            total += size
            if total >= limit or i == len(sizes) - 1:
                self.batches.append((start, i + 1, total))
                start, total = i + 1, 0
        self.size = sum(sizes) if sources else len(documents)
        # The files of each batch in one string: a worker reads its own without touching
        # (so copying) the objects of the list, a third of a gigabyte for 650,000 files.
        files = [s for s in sources if s.path is not None]
        self.arguments = list(dict.fromkeys(s.arg for s in files))
        number = {arg: str(i) for i, arg in enumerate(self.arguments)}
        self.files = [
            "\0".join(f"{s.name}\0{s.path}\0{number[s.arg]}" for s in files[a:b]) for a, b, _ in self.batches
        ]
        from ..text.tokenize import warm_words

        warm_words(sum(sizes))  # forked workers inherit what it compiles

    def digest(self, batch: int) -> _Digest:
        from ..text.tokenize import words

        start, stop, size = self.batches[batch]
        warnings: list[str] = []
        error = None
        read: list[tuple[str, str, bytes, str, str | None] | None] = []
        texts: list[str] = []
        files: list[tuple[str, int, int, int]] = []
        names: set[str] = set()
        if self.from_files:
            from ..store.readers import Reader

            reader = Reader(self.options, warnings.append)
            fields = self.files[batch].split("\0")
            try:
                for name, path, arg in zip(fields[::3], fields[1::3], fields[2::3], strict=True):
                    stamp = _stamp(path)
                    before, warned = len(read), len(warnings)
                    for got in reader.read_file(name, path):
                        meta = None
                        if got.meta:  # a record with fields: text files have none
                            meta = _fields_json(got.meta)
                            names.update(got.meta)
                        text = got.text
                        read.append((got.id, got.path, text.encode("utf-8"), self.arguments[int(arg)], meta))
                        texts.append(text)
                    if len(read) == before and len(warnings) > warned:  # skipped: never fresh
                        stamp = (stamp[0], -1, -1)
                    files.append((*stamp, len(read) - before))
            except CorpusError as exc:
                error = str(exc)
        else:
            texts = [doc.text for doc in self.documents[start:stop]]
            read = [None] * len(texts)
            size = len(texts)
        tokens = [words(text) for text in texts]
        types = self.tally.add(tokens, self.normalizer)
        normalize = self.normalizer.normalize
        docs = [
            (item, normalize(text).encode("utf-8"), len(found), n)
            for item, text, found, n in zip(read, texts, tokens, types, strict=True)
        ]
        return _Digest(docs, size, warnings, error, files=files, fields=frozenset(names))


def _fields_json(meta: dict[str, str]) -> str:
    """A document's metadata as the ``fields`` column stores it (``Index.documents``)."""
    import json

    return json.dumps(meta, ensure_ascii=False)


def _names_json(names: list[str]) -> str:
    """Paths as ``meta`` keeps them: JSON, a name that is not UTF-8 as ``\\udcXX`` escapes."""
    import json

    text = json.dumps(names, ensure_ascii=False)
    return text if isinstance(name_stored(text), str) else json.dumps(names)


def _stamp(path: str) -> tuple[str, int, int]:
    """A file's absolute path, size and modification time, as ``Index.fresh_through``
    compares them (-1: it could not be examined, so it never looks fresh)."""
    full = os.path.abspath(path)
    try:
        info = os.stat(full)
    except OSError:
        return full, -1, -1
    return full, info.st_size, info.st_mtime_ns


def _file_size(path: str | None) -> int:
    try:
        return os.stat(path).st_size if path is not None else 0
    except OSError:
        return 0


class _Writer:
    """The index file being written: documents and grams batch by batch, then the
    frequency list."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        self.db = sqlite3.connect(path)
        self.db.executescript(
            # One transaction, no journal (a failed build is deleted); the FTS5 index
            # flushes its terms every 64 MB, not every 1 MB, and merges its segments
            # only when a level holds 16 of them ('crisismerge').  Never merged into one
            # ('optimize'): that took 7.6 s of the 147 s on 1 GB, one core working,
            # and made no lookup measurably faster (22-60 ms either way).
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY;"
            "PRAGMA cache_size=-65536;"
            + _SCHEMA
            + "INSERT INTO grams(grams, rank) VALUES ('hashsize', 67108864);"
            "INSERT INTO grams(grams, rank) VALUES ('automerge', 0);"
        )
        self.documents = 0
        self.seen: set[str] = set()
        self.fields: set[str] = set()  # the metadata fields of every document

    def add(self, job: _Job, digest: _Digest) -> None:
        from ..store.corpus import _unique

        n = self.documents
        rows: list[tuple[int, str | bytes, str | bytes, str | bytes, int, int, str | None]] = []
        if job.from_files:
            for item, _normalized, tokens, types in digest.docs:
                assert item is not None
                doc_id, path, text, arg, meta = item
                n += 1
                doc_id = _unique(doc_id, arg, self.seen)
                rows.append((n, name_stored(doc_id), name_stored(path), text, tokens, types, meta))
            self.fields.update(digest.fields)
        else:
            for doc, (_, _normalized, tokens, types) in zip(
                job.documents[n : n + len(digest.docs)], digest.docs, strict=True
            ):
                n += 1
                meta = _fields_json(doc.meta) if doc.meta else None
                self.fields.update(doc.meta)
                rows.append((n, name_stored(doc.id), name_stored(doc.path), doc.text, tokens, types, meta))
        # CAST: UTF-8 bytes become text as they are (no conversion, no check).
        self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, CAST(? AS TEXT), ?, ?, ?)", rows)
        self.db.executemany(
            "INSERT INTO grams(rowid, norm) VALUES (?, CAST(? AS TEXT))",
            zip(range(self.documents + 1, n + 1), (d[1] for d in digest.docs), strict=True),
        )
        first = self.documents + 1
        files = []
        for path, size, mtime, count in digest.files:
            files.append((first, name_stored(path), size, mtime))
            first += count
        self.db.executemany("INSERT INTO files VALUES (?, ?, ?, ?)", files)
        self.documents = n

    def finish(self, frequencies: _Frequencies) -> None:
        """The frequency list (stored in rank order: a frequency list is then one
        sequential read) and its indexes."""
        self.db.executemany("INSERT INTO keys VALUES (?, ?, ?, ?, ?)", frequencies.keys)
        self.db.executemany("INSERT INTO ranked_tsv VALUES (?, ?, ?)", frequencies.blocks())
        self.db.executemany("INSERT INTO forms VALUES (?, ?, ?)", frequencies.forms)
        self.db.execute("CREATE INDEX forms_key ON forms(key)")
        self.db.execute("CREATE INDEX keys_key ON keys(key)")


#: Rows of the frequency list per block of rendered TSV (``Index.ranked_tsv``).
TSV_BLOCK = 8192

_WORKER = "a worker process of the index build"
#: Rows of the frequency list per message from worker 0 to the writer.
ROWS_PER_MESSAGE = 20_000


class _Team:
    """Forked workers, each with a pipe to the writer (as ``scan._Team``): worker ``w``
    digests batches ``w``, ``w + n``… and writes each digest, pickled and
    length-prefixed, to its pipe; the writer reads batch ``i`` from pipe ``i mod n``, so
    digests come in order.  A full pipe makes a worker wait: memory holds a few batches.
    Then every worker sends its tally to worker 0, which adds them up while the writer
    is still busy, and sends the frequency list.  Stopping is a SIGKILL to each worker
    and a ``waitpid``.
    """

    def __init__(self, job: _Job, size: int) -> None:
        import gc

        self.count = len(job.batches)
        self.pipes: list[int] = []
        self.pids: list[int] = []
        size = max(1, min(size, self.count))
        tallies = [os.pipe() for _ in range(size - 1)]  # worker w > 0 to worker 0
        # What exists now is shared with the workers until written to: kept out of their
        # garbage collector, which would touch (so copy) every object.
        gc.freeze()
        for worker in range(size):
            pid, pipe = forking.start(partial(self._work, job, worker, size, tallies))
            self.pids.append(pid)
            self.pipes.append(pipe)
        gc.unfreeze()
        for pair in tallies:
            for fd in pair:
                os.close(fd)

    def _work(self, job: _Job, worker: int, size: int, tallies: list[tuple[int, int]], out: int) -> None:
        """In worker ``worker``: digest its batches, then (worker 0) the frequency list."""
        _die_with_parent()
        for pipe in self.pipes:  # the other workers' pipes, inherited
            os.close(pipe)
        for i, (tally_in, tally_out) in enumerate(tallies):  # keep only our ends
            if worker:
                os.close(tally_in)
            if i != worker - 1:
                os.close(tally_out)
        for batch in range(worker, self.count, size):
            forking.send(out, _digest_or_crash(job, batch))
        if worker:
            forking.send(tallies[worker - 1][1], job.tally)
            return
        mine = [job.tally] + [forking.receive(tally_in, _WORKER) for tally_in, _ in tallies]
        result = _frequencies(mine, self.count)
        forking.send(out, (result.tokens, result.types))
        for rows in (result.keys, result.forms):  # in chunks: memory stays low
            while chunk := list(islice(rows, ROWS_PER_MESSAGE)):
                forking.send(out, chunk)
            forking.send(out, [])
            if rows is result.keys:
                forking.send(out, result.blocks())  # rendered here, on this core

    def digests(self) -> Iterator[_Digest]:
        for i in range(self.count):
            yield forking.receive(self.pipes[i % len(self.pipes)], _WORKER)

    def frequencies(self) -> _Frequencies:
        """Worker 0's frequency list: its totals, then its rows as they come."""
        tokens, types = forking.receive(self.pipes[0], _WORKER)
        return _Frequencies(
            tokens, types, self._rows(), self._rows(), lambda: forking.receive(self.pipes[0], _WORKER)
        )

    def _rows(self) -> Iterator[Any]:
        while chunk := forking.receive(self.pipes[0], _WORKER):
            yield from chunk

    def stop(self) -> None:
        forking.stop(self.pids, self.pipes)


def _die_with_parent() -> None:
    """In a worker: the default action for the signals the build handles, and (Linux)
    SIGKILL when the build dies, however it dies (SIGKILL included)."""
    import signal

    for name in ENDING:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux
        pass


def _digest_or_crash(job: _Job, batch: int) -> _Digest:
    try:
        return job.digest(batch)
    except Exception:  # a bug: the writer shows where
        import traceback

        return _Digest([], 0, [], None, traceback.format_exc())


class _Lock:
    """One builder per index at a time; a second one says so instead of racing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: Any = None

    def acquire(self) -> None:
        self.handle = open(self.path, "a+")
        try:
            import fcntl

            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - Windows: no advisory lock
            return
        except OSError:
            self.handle.close()
            self.handle = None
            raise CorpusError(
                f"another process is building this index ({self.path.name}); try again later"
            ) from None

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
            self.path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- read


class Index:
    """An open index (read only)."""

    def __init__(self, path: Path) -> None:
        import sqlite3
        from urllib.parse import quote

        self.path = path
        usable = "rebuild it with 'corpus index build'"
        try:
            # Quoted: a '#', '?' or '%' in the path is part of the name, not of the URI.
            where = quote(os.path.abspath(path), errors="surrogateescape")  # a name's own bytes
            db = sqlite3.connect(f"file:{where}?mode=ro", uri=True)
        except sqlite3.DatabaseError as exc:
            raise CorpusError(f"{path}: not a usable index ({exc}); {usable}") from None
        try:
            _check_schema(db)
            self.db = _Guarded(db, path)
            self.meta = dict(self.db.execute(f"SELECT key, value FROM meta LIMIT {META_ROWS}"))
        except (sqlite3.DatabaseError, CorpusError) as exc:
            db.close()
            raise CorpusError(f"{path}: not a usable index ({exc}); {usable}") from None
        except DamagedIndex as exc:
            db.close()
            raise CorpusError(f"{path}: not a usable index ({exc.why}); {usable}") from None
        if self.meta.get("format") != str(FORMAT):
            raise CorpusError(
                f"{path}: index format {self.meta.get('format')} (expected {FORMAT}); rebuild it"
            )

    @property
    def paths(self) -> list[str]:
        import json

        return list(json.loads(self.meta["paths"]))

    @property
    def steps(self) -> tuple[str, ...]:
        import json

        return tuple(json.loads(self.meta["steps"]))

    @property
    def reading(self) -> ReadOptions:
        """The text field, id field and encoding the corpus files were read with."""
        return _reading(self.meta)

    @property
    def fields(self) -> list[str]:
        """Every metadata field of the documents, sorted (records; none for texts)."""
        import json

        return list(json.loads(self.meta["fields"]))

    @property
    def frozen(self) -> bool:
        """Built with ``--frozen``: queries check its directories, not every file."""
        return self.meta.get("frozen") == "1"

    def is_fresh(self, *, every_file: bool = False) -> bool:
        """Do the corpus files look as they did at the build?

        A frozen index is checked by the modification times of its directories (a file
        added, removed or renamed), unless ``every_file``; any other by every file's.
        """
        if self.frozen and not every_file:
            abandon_early()
            return self._folders_unchanged()
        paths = self.paths
        return (early(paths) or fingerprint(paths)) == self.meta.get("fingerprint")

    def fresh_through(self, last: int) -> bool | None:
        """Do the files of documents 1 to ``last`` look as they did at the build, and no
        file was added, removed or renamed (their directories' modification times)?

        What an answer from those documents alone needs (``kwic --limit``, ``grep -q``):
        an edit further on cannot change it.  A few hundred ``stat`` calls where
        ``is_fresh`` makes one per file.  None: the index cannot tell (built from
        documents, not files).
        """
        if "directories" not in self.meta or not self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone():
            return None
        if not self._folders_unchanged():
            return False
        for first, path, size, mtime in self.db.execute(
            "SELECT first, path, size, mtime FROM files ORDER BY rowid"
        ):
            if first > last:
                break
            try:
                info = os.stat(name_loaded(path))
            except OSError:
                return False
            if (info.st_size, info.st_mtime_ns) != (size, mtime):
                return False
        return True

    def _folders_unchanged(self) -> bool:
        """No file added, removed or renamed: the folders' modification times."""
        import json

        folders = json.loads(self.meta.get("directories") or "[]")
        return directory_fingerprint(folders) == self.meta.get("directory_fingerprint")

    def checks_early(self) -> bool:
        """Will ``is_fresh`` wait for the early fingerprint (``fingerprint.start_early``)?"""
        return not self.frozen and waiting(self.paths)

    def serves(self, normalizer: Normalizer) -> bool:
        """Were the grams and counts made with this normalizer?"""
        return self.steps == tuple(normalizer.active_steps)

    def reads_as(self, options: ReadOptions) -> bool:
        """Were its documents read with these options (other fields, other documents)?"""
        return self.reading == options

    def documents(self, numbers: Iterable[int] | None = None) -> Iterator[Document]:
        """Documents in corpus order: all of them, or those numbered (ascending)."""
        from ..store.corpus import Document

        if numbers is None:
            rows = self.db.execute("SELECT n, id, path, text, fields FROM docs ORDER BY n")
            for _, doc_id, path, text, fields in self._every(rows):
                yield Document(name_loaded(doc_id), name_loaded(path), text, _fields(fields))
            return
        for n in numbers:
            row = self.db.execute("SELECT id, path, text, fields FROM docs WHERE n = ?", (n,)).fetchone()
            if row is None:  # numbered by the index itself: lost
                raise DamagedIndex(self.path, f"document {n} is missing")
            doc_id, path, text, fields = row
            yield Document(name_loaded(doc_id), name_loaded(path), text, _fields(fields))

    def _every(self, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """``rows`` of ``docs`` in order, numbered from 1 (``n`` first), checked to be all
        of them: a damaged file can lose rows without an error from SQLite."""
        expected = 1
        for row in rows:
            if row[0] != expected:
                raise DamagedIndex(self.path, f"document {expected} is missing")
            expected += 1
            yield row
        if expected - 1 != int(self.meta.get("documents") or 0):
            raise DamagedIndex(self.path, f"document {expected} is missing")

    def candidates(self, literal: str) -> list[int]:
        """Numbers of the documents whose normalized text may contain ``literal``.

        Every trigram of the literal must be in the document: a superset of the
        documents that contain it, which the matcher then searches as usual.  The
        trigrams keep case (a third faster to build): for a search that ignores case,
        see ``serves_case``.
        """
        grams = sorted({literal[i : i + 3] for i in range(len(literal) - 2)})
        query = " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)
        sql = "SELECT rowid FROM grams WHERE grams MATCH ? ORDER BY rowid"
        return [n for (n,) in self.db.execute(sql, (query,))]

    @staticmethod
    def serves_case(literal: str, ignore_case: bool) -> bool:
        """Can ``candidates`` answer for ``literal``?  Not when case is ignored and the
        literal has letters with case: every document is then a candidate."""
        return not ignore_case or all(c.lower() == c == c.upper() for c in literal)

    def counts(self, *, keys: bool = True) -> Counts:
        """The frequency data of the whole corpus, as ``count_tokens`` gives it."""
        return _indexed_counts(self, keys=keys)

    def ranked(self, top: int, min_count: int) -> list[tuple[int, str, str, int, int]]:
        """The frequency list straight from the index, in ``frequency_rows`` order."""
        sql = "SELECT rank, key, term, count, docs FROM keys WHERE count >= ? ORDER BY rank"
        rows = self.db.execute(sql + (" LIMIT ?" if top else ""), (min_count, top) if top else (min_count,))
        return rows.fetchall()

    def ranked_tsv(self, top: int, min_count: int) -> Iterator[bytes]:
        """``ranked`` as ``freq`` writes it in TSV (header excluded), rendered at build
        time: the whole list of saudinewsnet's 272,754 types is 40 reads of a block."""
        last = 0  # the rank of the last row written
        sql = "SELECT rank, count, text FROM ranked_tsv ORDER BY rank"
        for rank, count, text in self.db.execute(sql):
            if (top and rank > top) or count < min_count:
                kept = []
                for number, line in enumerate(text.splitlines(keepends=True), start=last + 1):
                    if (top and number > top) or int(line.split(b"\t", 4)[3]) < min_count:
                        break
                    kept.append(line)
                yield b"".join(kept)
                return
            yield text
            last = rank

    def listing(self) -> Iterator[tuple[str, str, str, int, int, dict[str, str]]]:
        """Every document's id, path, text, tokens, types and metadata, in corpus order,
        one row at a time (``corpus list``)."""
        sql = "SELECT n, id, path, text, tokens, types, fields FROM docs ORDER BY n"
        for _, doc_id, path, text, tokens, types, fields in self._every(self.db.execute(sql)):
            yield name_loaded(doc_id), name_loaded(path), text, tokens, types, _fields(fields) or {}

    def headers(self) -> Iterator[tuple[int, Document]]:
        """Every document's number, and its id, path and metadata without its text
        (``--doc``, ``--where``), in corpus order."""
        from ..store.corpus import Document

        rows = self.db.execute("SELECT n, id, path, fields FROM docs ORDER BY n")
        for n, doc_id, path, fields in self._every(rows):
            yield n, Document(name_loaded(doc_id), name_loaded(path), "", _fields(fields))

    def close(self) -> None:
        self.db.close()


#: Rows of ``meta`` read at most (a dozen are written).
META_ROWS = 64
#: What one statement may cost, in SQLite virtual machine steps: this many per byte of
#: the index file (a full scan of ``docs`` takes about one per 20 bytes), and at least
#: ``STEPS_AT_LEAST``; counted ``STEPS_PER_CHECK`` at a time.
STEPS_PER_BYTE = 64
STEPS_AT_LEAST = 50_000_000
STEPS_PER_CHECK = 100_000


def _expected_schema() -> dict[str, tuple[str, str | None]]:
    """The entries of ``sqlite_master`` an index has: name -> (type, SQL; None: any
    SQL of that type, for the tables FTS5 makes itself and the primary key's index)."""
    expected: dict[str, tuple[str, str | None]] = {}
    for statement in _SCHEMA.strip().split(";\n"):
        statement = statement.strip().rstrip(";")
        name = statement.split("(", 1)[0].split()[3 if "VIRTUAL TABLE" in statement else 2]
        expected[name] = ("table", statement)
        if "VIRTUAL TABLE" in statement:
            for shadow in ("data", "idx", "docsize", "config"):
                expected[f"{name}_{shadow}"] = ("table", None)
    for name, table in (("forms_key", "forms"), ("keys_key", "keys")):
        expected[name] = ("index", f"CREATE INDEX {name} ON {table}(key)")
    expected["sqlite_autoindex_meta_1"] = ("index", None)
    return expected


def _check_schema(db: Any) -> None:
    """Refuse a file that is not made of the index's own tables (a view, a trigger, a
    table of another shape) before any query on it: a view can compute without end."""
    expected = _expected_schema()
    found = db.execute(f"SELECT type, name, sql FROM sqlite_master LIMIT {2 * len(expected)}").fetchall()
    if {name for _, name, _ in found} != set(expected) or len(found) != len(expected):
        raise CorpusError("not the tables of an index")
    for kind, name, sql in found:
        want_kind, want_sql = expected[name]
        if kind != want_kind or (want_sql is not None and sql != want_sql):
            raise CorpusError(f"'{name}' is not the {want_kind} of an index")
        if want_sql is None and kind == "table" and not str(sql).startswith("CREATE TABLE "):
            raise CorpusError(f"'{name}' is not the table of an index")


class _Guarded:
    """An index's connection whose reads are bounded (a budget of steps per statement,
    as the file's size allows) and whose errors say the index is damaged
    (``DamagedIndex``), wherever they happen: at the query or row by row."""

    def __init__(self, db: Any, path: Path) -> None:
        self.db = db
        self.path = path
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0
        self.budget = max(STEPS_AT_LEAST, STEPS_PER_BYTE * size) // STEPS_PER_CHECK
        self.left = self.budget
        db.set_progress_handler(self._step, STEPS_PER_CHECK)

    def _step(self) -> bool:
        self.left -= 1
        return self.left < 0  # true: SQLite interrupts the statement

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> _Rows:
        import sqlite3

        self.left = self.budget
        try:
            return _Rows(self.db.execute(sql, parameters), self)
        except sqlite3.DatabaseError as exc:
            raise self.damaged(exc) from None

    def damaged(self, exc: Exception) -> DamagedIndex:
        if self.left < 0:
            return DamagedIndex(self.path, "a query read more than the index holds")
        return DamagedIndex(self.path, exc)

    def close(self) -> None:
        self.db.close()


class _Rows:
    """A cursor of ``_Guarded``: its rows, read a few hundred at a time."""

    def __init__(self, cursor: Any, guard: _Guarded) -> None:
        self.cursor = cursor
        self.guard = guard

    def __iter__(self) -> Iterator[Any]:
        import sqlite3

        fetch = self.cursor.fetchmany
        try:
            while rows := fetch(256):
                yield from rows
        except sqlite3.DatabaseError as exc:
            raise self.guard.damaged(exc) from None

    def fetchone(self) -> Any:
        return next(iter(self), None)

    def fetchall(self) -> list[Any]:
        return list(self)


def _fields(stored: str | None) -> dict[str, str] | None:
    """The ``fields`` column back into a document's metadata (None: it has none)."""
    if stored is None:
        return None
    import json

    meta: dict[str, str] = json.loads(stored)
    return meta


class _LazyForms(dict[str, Counter[str]]):
    """Spellings of a key, read from the index only when asked for: from ``forms``, or,
    for a key spelled only as itself (most keys, absent from ``forms``), from ``keys``."""

    def __init__(self, index: Index) -> None:
        super().__init__()
        self.index = index

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self:
            db = self.index.db
            rows = db.execute("SELECT form, count FROM forms WHERE key = ?", (key,)).fetchall()
            if not rows:  # spelled one way, as itself (or not in the corpus)
                rows = db.execute("SELECT key, count FROM keys WHERE key = ?", (key,)).fetchall()
            self[key] = Counter(dict(rows))
        return super().get(key, default) or default


def _indexed_counts(index: Index, *, keys: bool = True) -> Counts:
    """``Counts`` filled from the index (spellings read lazily, terms precomputed).

    Without ``keys`` only the totals and the spellings are there: enough to write rows
    that come ranked from the index itself.
    """
    from ..query.freq import Counts

    class IndexedCounts(Counts):
        terms: dict[str, str]
        types: int

        @property
        def type_count(self) -> int:
            return self.types

        def term(self, key: str) -> str:
            return self.terms.get(key, key)

    counts = IndexedCounts()
    counts.terms = {}
    counts.types = int(index.meta["types"])
    if keys:
        for key, term, count, docs in index.db.execute(
            "SELECT key, term, count, docs FROM keys ORDER BY rank"
        ):
            counts.counts[key] = count
            counts.doc_freq[key] = docs
            counts.terms[key] = term
    counts.total = int(index.meta["tokens"])
    counts.forms = _LazyForms(index)
    return counts


# --------------------------------------------------------------------------- catalogue


class Entry(NamedTuple):
    path: Path
    meta: dict[str, str]


def catalogue(directory: Path | None = None) -> list[Entry]:
    """Every index in the cache directory, with what it is of."""
    folder = directory or cache_dir()
    entries = []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []:
        try:
            index = Index(path)
        except CorpusError:
            entries.append(Entry(path, {}))
            continue
        entries.append(Entry(path, index.meta))
        index.close()
    return entries
