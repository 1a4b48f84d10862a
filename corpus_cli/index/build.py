"""Building an index: documents read and tallied on every core, written to a temporary
file, renamed into place (``layout`` says what it holds)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..engines import forking
from ..errors import CorpusError, IndexBusy
from ..store.corpus import name_stored
from ..store.layer import KINDS, LayerBuilder, Numbering, Part, have_numpy, layer_path, part_of
from ..text.normalize import Normalizer
from ..text.tokenize import Kind
from .fingerprint import (
    SUFFIX,
    Stamps,
)
from .layout import FORMAT, SCHEMA, Selection, lock_path, pack_block, pack_text

if TYPE_CHECKING:
    from ..store.corpus import Corpus, Document, Source
    from ..store.readers import ReadOptions


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
    positions: bool | None = None,
) -> BuildStats:
    """Write the index of ``corpus`` to ``dest`` atomically (temporary file, then rename).

    ``frozen``: the corpus is an archive that does not change, so queries check only
    its directories (``Index.is_fresh``).  ``stamps``: its fingerprints, taken before
    its files were listed (default: taken here, before they are read).
    ``positions``: write the token layer beside the index (``store.layer``; default:
    when numpy is installed).

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
        if positions is None:
            positions = have_numpy()
        if isinstance(corpus, Corpus):
            job = _Job(normalizer, documents=corpus.documents, positions=positions)
        else:
            job = _Job(normalizer, sources=corpus, options=options or selection.reading, positions=positions)
            del corpus  # the job has the files in a compact form: the list can go
    except BaseException:
        stamps.stop()
        raise
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp_layer = dest.with_name(f".{layer_path(dest).name}.{os.getpid()}.tmp")
    lock = _Lock(lock_path(dest))
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
        layer = LayerBuilder(dest.parent) if positions else None  # spilled beside the index
        try:
            done = 0
            digests = team.digests() if team is not None else map(job.digest, range(len(job.batches)))
            for batch, digest in enumerate(digests):
                for message in digest.warnings:
                    if warn is not None:
                        warn(message)
                if digest.crash is not None:
                    raise RuntimeError(f"a worker of the index build failed:\n{digest.crash}")
                if digest.error is not None:
                    raise CorpusError(digest.error)
                writer.add(job, digest)
                if layer is not None and digest.layer is not None:
                    layer.add(digest.layer, team.worker_of(batch) if team is not None else 0)
                done += digest.size
                if progress:
                    progress(done, job.size)
            layer_id = ""
            if layer is not None:  # meanwhile worker 0 adds up the tallies, on the other core
                layer_id = os.urandom(8).hex()  # the index's meta says the same
                with open(tmp_layer, "wb") as out:
                    layer.finish(normalizer, out, layer_id)
                layer = None
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
            if layer_id:
                meta["layer"] = layer_id
            writer.db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            writer.db.commit()
        finally:
            writer.db.close()
        # The layer first: an index is used with the layer its meta names, and no other.
        if tmp_layer.exists():
            os.replace(tmp_layer, layer_path(dest))
        else:
            layer_path(dest).unlink(missing_ok=True)
        os.replace(tmp, dest)  # atomic: readers see the old index or the new one
    except BaseException as exc:
        stamps.stop()
        if team is not None:
            team.stop()  # Ctrl-C, SIGTERM or an error: no worker outlives the build
        tmp.unlink(missing_ok=True)
        tmp_layer.unlink(missing_ok=True)
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
        dest.stat().st_size + (layer_path(dest).stat().st_size if positions else 0),
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
    (``.KEY.corpus-index.PID.tmp`` and ``.KEY.corpus-index-tokens.PID.tmp`` of a process
    that is no more); return them."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        head, _, pid = name.removesuffix(".tmp").rpartition(".")
        head = head.removesuffix(layer_path(Path(SUFFIX)).name[len(SUFFIX) :])  # a layer's
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
    #: the batch's tokens for the token layer (None: no layer is built)
    layer: Part | None = None


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

    def _add_forms(self, batch: Mapping[str, int], normalizer: Normalizer) -> dict[str, str]:
        """Add a batch's spelling counts; normalize the spellings new to the tally (their
        start marked in ``marks``); return ``changed``, every spelling's key that differs."""
        from itertools import islice

        from ..text.normalize import normalize_many

        start = len(self.forms)
        self.marks.append(start)
        _add_into(self.forms, batch)
        changed = self.changed
        for form, key in normalize_many(islice(self.forms, start, None), normalizer).items():
            if key != form:
                changed[form] = key
        return changed

    def add(self, tokens: list[list[str]], normalizer: Normalizer) -> list[int]:
        """Count the tokens of a batch's documents; return their types.

        Counted first in counters of the batch (small: they stay in the processor's
        cache), then added to the tally's in C (``Counter.update`` adds in Python).
        """

        batch: Counter[str] = Counter()
        for found in tokens:
            batch.update(found)  # counted in C
        changed = self._add_forms(batch, normalizer)
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

    def add_part(
        self, part: Part, numbering: Numbering, normalizer: Normalizer
    ) -> tuple[list[int], list[int]]:
        """``add`` from the token layer's part of the batch, numbered in ``numbering``:
        the counts are array operations on its ids, not a dictionary per document.
        Returns the word tokens and the types of each document.

        The spellings new to the tally come in order of first occurrence, as ``add``
        has them: they are new to ``numbering`` too, so numbered in that order (unless a
        spelling came as two kinds: then ``add``)."""
        import numpy as np

        ids = np.frombuffer(part.ids, dtype=np.uint32)
        sizes = np.frombuffer(part.doc_tokens, dtype=np.uint32)
        documents = len(sizes)
        counts_kind = np.asarray([kind in (Kind.word, Kind.number) for kind in KINDS])
        counted = counts_kind[np.frombuffer(numbering.kinds, dtype=np.uint8)[ids]]
        entries = ids[counted]  # of the word and number tokens
        doc_of = np.repeat(np.arange(documents), sizes)[counted]
        del counted
        per_entry = np.bincount(entries, minlength=len(numbering))
        present = np.flatnonzero(per_entry)
        spellings = list(map(numbering.spellings.__getitem__, present.tolist()))
        batch = dict(zip(spellings, per_entry[present].tolist(), strict=True))
        changed = self._add_forms(batch, normalizer)
        # Each word token's key, numbered here ("" dropped), then one (document, key) per pair.
        key_numbers: dict[str, int] = {}
        keys = [changed.get(s, s) for s in spellings]
        numbered = [key_numbers.setdefault(k, len(key_numbers)) if k else -1 for k in keys]
        key_of = np.full(len(numbering), -1, dtype=np.int64)
        key_of[present] = numbered
        token_keys = key_of[entries]
        kept = token_keys >= 0
        width = max(len(key_numbers), 1)
        pairs = doc_of[kept] * width + token_keys[kept]
        pairs.sort()  # then each once (np.unique hashes: ten times as long)
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
        docs = np.bincount(pairs % width, minlength=len(key_numbers))
        _add_into(self.docs, dict(zip(key_numbers, docs.tolist(), strict=True)))
        types = np.bincount(pairs // width, minlength=documents)
        return np.bincount(doc_of, minlength=documents).tolist(), types.tolist()


def _add_into(total: Counter[str], part: Mapping[str, int]) -> None:
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
    #: as (rank and count of a block's last row, the UTF-8 block packed: ``pack_block``)
    blocks: Callable[[], list[tuple[int, int, bytes]]]


def _rendered(rows: Iterator[Ranked], tokens: int, blocks: list[tuple[int, int, bytes]]) -> Iterator[Ranked]:
    """``rows`` as they go by, rendered as ``freq``'s TSV into ``blocks`` too."""
    from ..output.freq import ranked_tsv_lines

    rates: dict[int, str] = {}  # shared by the blocks: each count's rate is formatted once
    while block := list(islice(rows, TSV_BLOCK)):
        text = "".join(ranked_tsv_lines(block, tokens, rates)).encode("utf-8")
        blocks.append((block[-1][0], block[-1][3], pack_block(text)))
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
        positions: bool = False,
    ) -> None:
        from ..store.readers import ReadOptions

        self.normalizer = normalizer
        self.positions = positions
        self.documents = documents
        self.from_files = bool(sources)
        self.options = options or ReadOptions()
        self.tally = _Tally()
        self.numbering = Numbering()  # the spellings of the layer's parts this process made
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
                        read.append((got.id, got.path, pack_text(text), self.arguments[int(arg)], meta))
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
        layer = part_of(texts, self.numbering) if self.positions else None
        if layer is not None and not self.numbering.other_kinds:
            # One tokenization for both: the word tokens are what ``words`` gives.
            counts, types = self.tally.add_part(layer, self.numbering, self.normalizer)
        else:
            tokens = [words(text) for text in texts]
            counts, types = list(map(len, tokens)), self.tally.add(tokens, self.normalizer)
        normalize = self.normalizer.normalize
        docs = [
            (item, normalize(text).encode("utf-8"), found, n)
            for item, text, found, n in zip(read, texts, counts, types, strict=True)
        ]
        return _Digest(docs, size, warnings, error, files=files, fields=frozenset(names), layer=layer)


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
            + SCHEMA
            + "INSERT INTO grams(grams, rank) VALUES ('hashsize', 67108864);"
            "INSERT INTO grams(grams, rank) VALUES ('automerge', 0);"
        )
        self.documents = 0
        self.seen: set[str] = set()
        self.fields: set[str] = set()  # the metadata fields of every document

    def add(self, job: _Job, digest: _Digest) -> None:
        from ..store.corpus import unique_id

        n = self.documents
        rows: list[tuple[int, str | bytes, str | bytes, int, int, str | None, bytes]] = []
        if job.from_files:
            for item, _normalized, tokens, types in digest.docs:
                assert item is not None
                doc_id, path, text, arg, meta = item
                n += 1
                doc_id = unique_id(doc_id, arg, self.seen)
                rows.append((n, name_stored(doc_id), name_stored(path), tokens, types, meta, text))
            self.fields.update(digest.fields)
        else:
            for doc, (_, _normalized, tokens, types) in zip(
                job.documents[n : n + len(digest.docs)], digest.docs, strict=True
            ):
                n += 1
                meta = _fields_json(doc.meta) if doc.meta else None
                self.fields.update(doc.meta)
                rows.append(
                    (n, name_stored(doc.id), name_stored(doc.path), tokens, types, meta, pack_text(doc.text))
                )
        self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
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

    def worker_of(self, batch: int) -> int:
        """The worker that digests ``batch`` (its parts' spellings are numbered there)."""
        return batch % len(self.pipes)

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
            raise IndexBusy(self.path.name) from None

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
            self.path.unlink(missing_ok=True)


def check_writable(folder: Path) -> None:
    """Fail before the corpus is read when the index cannot be written into ``folder``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CorpusError(f"cannot write the index into {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CorpusError(f"cannot write the index into {folder}: permission denied")


def build_when_free(attempt: Callable[[], BuildStats], dest: Path, note: Callable[[str], None]) -> BuildStats:
    """``attempt()`` (a build of ``dest``); while another process builds the same index,
    wait for it to end and build after it (two builds at once both succeed, one after
    the other)."""
    import sqlite3

    waited = False
    while True:
        try:
            return attempt()
        except IndexBusy:
            pass
        except (OSError, sqlite3.Error) as exc:  # disk full, a cache directory gone read-only
            why = getattr(exc, "strerror", None) or exc
            raise CorpusError(f"cannot write the index {dest}: {why}") from None
        if not waited:
            note("another process is building this index: waiting for it to finish")
            waited = True
        _wait_for_lock(lock_path(dest))


def _wait_for_lock(path: Path) -> None:
    """Block until no process holds the lock file ``path`` (gone: none does)."""
    import fcntl  # where there is no fcntl, _Lock never says another process builds

    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)  # granted when the builder lets go
