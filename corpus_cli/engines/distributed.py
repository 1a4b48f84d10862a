"""``--engine dask``: ``freq``, ``grep -c/-l/--count-matches`` and ``kwic`` on a Dask cluster.

Inputs: directories or files, local or at any fsspec URL (``s3://``, ``gs://``, …), of
whatever the memory engine reads (text files, JSONL/CSV/TSV records, compressed files,
archives: :mod:`corpus_cli.store.readers`), plus Parquet shards (``corpus shard`` writes them:
columns ``id``, ``path``, ``text``).  The client lists the files and cuts them into
partitions (runs of files, or runs of a Parquet file's row groups, a few per worker
thread); each worker reads its partition with the memory engine's own reader, builds
:class:`~corpus_cli.store.corpus.Document` objects and runs the very functions the memory
engine runs (:func:`~corpus_cli.query.freq.count_tokens`, :func:`~corpus_cli.query.search.search_lines`,
:func:`~corpus_cli.query.search.iter_hits`, :func:`~corpus_cli.query.kwic.concordance`).  The client
combines the results in corpus order and prints them with the memory engine's writers,
so the output is byte for byte the same.

* ``freq``: a :class:`Tally` (flat counts of original forms) a partition, merged on the
  cluster in a tree, eight at a time; only the last merge travels to the client, which
  turns it into the :class:`~corpus_cli.query.freq.Counts` the memory engine would have.
* ``grep -c/-l``: ``(doc, number)`` pairs a partition, printed in order as they come.
* ``kwic``: concordance lines a partition (at most ``--limit``), printed in order; once
  ``--limit`` lines are printed, the partitions still pending are cancelled.

One difference: document ids are taken as read.  The memory engine renames an id that
is already taken (``ARG/ID``, ``ID~2``); it cannot be done without sending every id to
the client, so the dask engine leaves ids alone (``corpus shard`` writes unique ones).

A cluster that fails is an error, not a wait: a scheduler that does not answer (or not as
Dask does), none of its workers there, the scheduler lost during the job; each is given
``CORPUS_DASK_TIMEOUT`` seconds (:func:`patience`).

Nothing here imports Dask, fsspec or pyarrow at module level: workers import this module
for its ``_part`` functions, and the CLI imports it only for ``--engine dask``.
"""

from __future__ import annotations

import os
import posixpath
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice, pairwise
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar, cast

from ..errors import CorpusError
from ..query.freq import Counts, FreqRequest, clitic_tests, count_tokens, ngram_units
from ..store.corpus import Document, name_loaded
from ..store.fields import grouping
from ..store.readers import LineLayout, ReadOptions
from ..text.clitics import CliticMode
from ..text.normalize import Normalizer
from ..text.tokenize import words

if TYPE_CHECKING:
    from ..output.grep import GrepRequest
    from ..query.kwic import KwicRequest, Line
    from ..query.pattern import Query

INSTALL_HINT = "--engine dask needs Dask: pip install 'corpus-cli[dask]'"

#: Parquet shards: read by the dask engine only (the memory engine reads the other formats).
PARQUET_SUFFIXES = (".parquet",)
#: The most text one partition holds (files, Parquet row groups): bounds worker memory.
PARTITION_BYTES = 64 * 1024 * 1024
#: Partitions in flight per worker thread when results are consumed in order (with
#: ``kwic --limit``, fewer: the first partitions may hold all the lines needed).
WINDOW_PER_THREAD = 4
WINDOW_PER_THREAD_LIMITED = 2
#: Partial frequency lists merged by one task of the tree reduction.
SPLIT_EVERY = 8
#: Shared options the dask engine honours; any other one given is refused, not ignored.
SUPPORTED_SHARED = frozenset(
    {
        "corpus",
        "glob",
        "norm",
        "fold",
        "keep",
        "color",
        "index",
        "text_field",
        "id_field",
        "encoding",
        "where",
    }
)

T = TypeVar("T")
Warnings = list[str]
Where = list[tuple[str, str]]


class Reading(NamedTuple):
    """How the files are read: ``--text-field``, ``--id-field``, ``--encoding``; ``--where``."""

    options: ReadOptions
    where: Where


# --------------------------------------------------------------------------- planning


class FileRef(NamedTuple):
    """A corpus file as a worker opens it and as the memory engine names it."""

    url: str  # an absolute local path, or a full URL
    rel: str  # its name relative to its corpus argument: gives its format and ids
    name: str  # the path the memory engine shows (in warnings and document paths)
    size: int


class Part(NamedTuple):
    """One partition: a run of files, or row groups of one Parquet file."""

    files: tuple[FileRef, ...]
    row_groups: tuple[int, ...] | None = None  # a Parquet file: these row groups

    @property
    def parquet(self) -> bool:
        return self.row_groups is not None


def _is_url(path: str) -> bool:
    return "://" in path


def _is_parquet(name: str) -> bool:
    return name.lower().endswith(PARQUET_SUFFIXES)


def corpus_files(paths: Sequence[str], glob: str) -> list[FileRef]:
    """The files of ``paths`` in corpus order (argument order, then path order).

    A directory gives the files the memory engine reads (``glob``), plus, with the
    default glob, its Parquet shards; a file is read whatever its name.
    """
    if not paths:
        from ..store.corpus import default_corpus_path

        paths = [str(default_corpus_path())]
    refs: list[FileRef] = []
    for arg in paths:
        if arg == "-":
            raise CorpusError("--engine dask cannot read standard input; shard it first ('corpus shard')")
        refs += _remote_files(arg, glob) if _is_url(arg) else _local_files(arg, glob)
    return refs


def _local_files(arg: str, glob: str) -> list[FileRef]:
    from pathlib import Path

    from ..store.corpus import DEFAULT_GLOB
    from ..store.readers import files_of

    path = Path(arg).expanduser()
    if path.is_dir():
        found = files_of(path, glob)
        if glob == DEFAULT_GLOB:
            found = sorted({*found, *files_of(path, "*.parquet")}, key=lambda p: p.relative_to(path).parts)
        return [
            FileRef(os.path.abspath(f), f.relative_to(path).as_posix(), str(f), f.stat().st_size)
            for f in found
        ]
    if path.exists():
        return [FileRef(os.path.abspath(path), path.name, str(path), path.stat().st_size)]
    raise CorpusError(f"{arg}: no such file or directory")


def _remote_files(arg: str, glob: str) -> list[FileRef]:
    from pathlib import PurePosixPath

    from fsspec.core import url_to_fs

    from ..store.corpus import DEFAULT_GLOB
    from ..store.readers import UNFINISHED, expand_braces, name_matcher, unfinished_shards

    fs, root = url_to_fs(arg)
    if fs.isdir(root):
        patterns = expand_braces(glob)
        if any("/" in p for p in patterns):

            def wanted(rel: str) -> bool:
                return any(PurePosixPath(rel).match(p) for p in patterns)
        else:
            matches = name_matcher(glob)

            def wanted(rel: str) -> bool:
                return matches(posixpath.basename(rel))

        default = glob == DEFAULT_GLOB
        listing = []
        for path, info in fs.find(root, detail=True).items():
            rel = posixpath.relpath(path, root)
            if posixpath.basename(rel) == UNFINISHED:
                raise unfinished_shards(str(fs.unstrip_protocol(posixpath.dirname(path))))
            if info.get("type") != "directory" and (wanted(rel) or (default and _is_parquet(rel))):
                url = str(fs.unstrip_protocol(path))
                listing.append(FileRef(url, rel, url, int(info.get("size") or 0)))
        return sorted(listing, key=lambda ref: ref.rel.split("/"))
    if fs.exists(root):
        return [FileRef(arg, posixpath.basename(root.rstrip("/")), arg, int(fs.size(root) or 0))]
    raise CorpusError(f"{arg}: no such file or directory")


def partitions(refs: Sequence[FileRef], threads: int) -> list[Part]:
    """Runs of consecutive files, or of a Parquet file's row groups: a few partitions a
    worker thread (so a slow one does not hold the others up), none over PARTITION_BYTES."""
    units: list[tuple[FileRef, int | None, int]] = []  # (file, row group or None, bytes)
    for ref in refs:
        if _is_parquet(ref.rel):
            units += [(ref, index, size) for index, size in enumerate(_row_group_sizes(ref))]
        else:
            units.append((ref, None, ref.size))
    total = sum(size for _, _, size in units)
    target = max(1, min(PARTITION_BYTES, total // max(1, 4 * threads)))
    parts: list[Part] = []
    run: list[tuple[FileRef, int | None, int]] = []
    size = 0
    for unit in units:
        ref, group, bytes_ = unit
        first, first_group = run[0][:2] if run else (ref, group)
        same = first_group is None if group is None else (first_group is not None and first == ref)
        if run and (size + bytes_ > target or not same):
            parts.append(_part(run))
            run, size = [], 0
        run.append(unit)
        size += bytes_
    if run:
        parts.append(_part(run))
    return parts


def _part(run: Sequence[tuple[FileRef, int | None, int]]) -> Part:
    if run[0][1] is None:
        return Part(tuple(ref for ref, _, _ in run))
    return Part((run[0][0],), tuple(group for _, group, _ in run if group is not None))


def _row_group_sizes(ref: FileRef) -> list[int]:
    """The text bytes (uncompressed) of each row group of a Parquet file."""
    pq = _pyarrow_parquet()
    import fsspec

    with fsspec.open(ref.url, "rb") as handle:
        meta = pq.ParquetFile(handle).metadata
        return [meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)]


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise CorpusError("Parquet needs pyarrow: pip install 'corpus-cli[dask]'") from None
    return pq


# --------------------------------------------------------------------------- on the workers


def load_part(part: Part, reading: Reading) -> tuple[list[Document], Warnings]:
    """The documents of one partition, read as the memory engine reads them.

    Each file goes through the memory engine's own reader (formats, compression,
    archives, encodings); a remote file is copied to a temporary file first.
    """
    options, where = reading
    warnings: Warnings = []
    docs: list[Document] = []
    for ref in part.files:
        if part.parquet:
            docs += _parquet_documents(ref, part.row_groups or (), options, warnings)
        else:
            docs += _file_documents(ref, options, warnings)
    if where:
        docs = [d for d in docs if all(d.meta.get(field) == value for field, value in where)]
    return docs, warnings


def _file_documents(ref: FileRef, options: ReadOptions, warnings: Warnings) -> list[Document]:
    from pathlib import Path

    from ..store.readers import Reader

    if not _is_url(ref.url):
        return _read(Reader(options, _renaming(warnings, ref.url, ref.name)), ref, Path(ref.url))
    import tempfile

    import fsspec

    with tempfile.TemporaryDirectory(prefix="corpus-") as folder:
        local = Path(folder) / "file"
        try:
            with fsspec.open(ref.url, "rb") as source, open(local, "wb") as target:
                while chunk := source.read(1 << 22):
                    target.write(chunk)
        except OSError as exc:
            raise CorpusError(f"{ref.name}: {exc.strerror or exc}") from None
        return _read(Reader(options, _renaming(warnings, str(local), ref.name)), ref, local)


def _read(reader: Any, ref: FileRef, path: Any) -> list[Document]:
    opened = str(path)
    docs = []
    for item in reader.read_file(ref.rel, path):
        shown = ref.name + item.path[len(opened) :] if item.path.startswith(opened) else item.path
        docs.append(Document(item.id, shown, item.text, item.meta))
    return docs


def _renaming(warnings: Warnings, opened: str, name: str) -> Callable[[str], None]:
    """A warning callback that says ``name`` where the reader says the path it opened."""
    return lambda message: warnings.append(message.replace(opened, name))


def _parquet_documents(
    ref: FileRef, row_groups: Sequence[int], options: ReadOptions, warnings: Warnings
) -> list[Document]:
    """Rows of a Parquet file as documents, like the records of a JSONL file: the text in
    ``--text-field`` (a line layout's last field: the shards of line records keep the
    text there, the other fields as columns), the id in ``--id-field`` (default: column
    ``id`` if there is one, else FILE:N), every other column as metadata."""
    import fsspec

    pq = _pyarrow_parquet()
    layout = LineLayout.of(options.text_field)
    text_field = layout.text_field if layout is not None else options.text_field
    with fsspec.open(ref.url, "rb") as handle:
        file = pq.ParquetFile(handle)
        names = file.schema_arrow.names
        if text_field not in names:
            columns = ", ".join(names) or "none"
            warnings.append(f"skipped {ref.name}: no column '{text_field}' (columns: {columns})")
            return []
        if not row_groups:
            return []
        table = file.read_row_groups(list(row_groups))
        first = sum(file.metadata.row_group(g).num_rows for g in range(row_groups[0]))
    id_column = options.id_field or ("id" if "id" in names else None)
    values: dict[str, list[Any]] = {column: table.column(column).to_pylist() for column in names}
    texts = values.pop(text_field)
    ids = values.pop(id_column) if id_column is not None and id_column in values else [None] * len(texts)
    stem = ref.rel[: -len(".parquet")]
    docs = []
    for row, (doc_id, text) in enumerate(zip(ids, texts, strict=True)):
        number = first + row + 1
        if text is None:
            warnings.append(f"skipped {ref.name}:{number}: no text")
            continue
        body = _string(text) if isinstance(text, bytes) else text if isinstance(text, str) else str(text)
        if "\r" in body:
            body = body.replace("\r\n", "\n").replace("\r", "\n")
        meta = {k: _string(v[row]) for k, v in values.items() if v[row] is not None}
        name = _string(doc_id) if doc_id is not None else ""
        docs.append(Document(name or f"{stem}:{number}", f"{ref.name}:{number}", body, meta))
    return docs


def _string(value: Any) -> str:
    """A value as metadata: strings as they are, bytes (a ``binary`` column: ``corpus
    shard`` writes file names that are not UTF-8 so) as the names they were, anything
    else as JSON writes it."""
    if isinstance(value, (str, bytes)):
        return name_loaded(value)
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


class Tally(NamedTuple):
    """A :class:`Counts` as it travels: flat dictionaries, cheap to pickle and to merge.

    ``forms`` counts each original form (forms that normalize to nothing are left out,
    as :class:`Counts` leaves them out); ``keys`` maps a form to its normalized key.
    ``per_doc``/``doc_totals`` are per document, or with ``grouped`` per group of
    documents (``freq --by FIELD``, with ``group_doc_freq`` and ``term_docs``): a group
    may span partitions, so merging adds them up.
    """

    total: int
    forms: dict[str, int]
    keys: dict[str, str]
    doc_freq: dict[str, int]
    per_doc: dict[str, Counter[str]]
    doc_totals: dict[str, int]
    group_doc_freq: dict[str, Counter[str]]
    term_docs: dict[str, Counter[str]]
    grouped: bool = False

    @classmethod
    def of(cls, counts: Counts, *, per_doc: bool, grouped: bool = False) -> Tally:
        forms: dict[str, int] = {}
        keys: dict[str, str] = {}
        for key, spellings in counts.forms.items():
            forms.update(spellings)
            keys.update(dict.fromkeys(spellings, key))
        per = counts.per_doc if per_doc else {}
        totals = counts.doc_totals if per_doc else {}  # only --by-doc and --by read them
        return cls(
            counts.total, forms, keys, dict(counts.doc_freq), per, totals,
            counts.group_doc_freq, counts.term_docs, grouped,
        )  # fmt: skip

    def counts(self) -> Counts:
        """The :class:`Counts` the memory engine would have counted."""
        out = Counts(total=self.total, doc_freq=Counter(self.doc_freq))
        out.per_doc, out.doc_totals = self.per_doc, self.doc_totals
        out.group_doc_freq, out.term_docs = self.group_doc_freq, self.term_docs
        if self.grouped:  # groups come in their sorted order, as count_tokens gives them
            out.per_doc = dict(sorted(self.per_doc.items()))
            out.doc_totals = dict(sorted(self.doc_totals.items()))
        counts, forms, keys = out.counts, out.forms, self.keys
        for form, count in self.forms.items():
            key = keys[form]
            counts[key] += count
            spellings = forms.get(key)
            if spellings is None:
                spellings = forms[key] = Counter()
            spellings[form] = count
        return out


def merge_tallies(tallies: Sequence[Tally]) -> Tally:
    """The tallies of disjoint sets of documents, together (the inputs are not changed)."""
    if len(tallies) == 1:
        return tallies[0]
    forms: Counter[str] = Counter(tallies[0].forms)
    doc_freq: Counter[str] = Counter(tallies[0].doc_freq)
    keys = dict(tallies[0].keys)
    per_doc = dict(tallies[0].per_doc)
    doc_totals = dict(tallies[0].doc_totals)
    group_doc_freq = dict(tallies[0].group_doc_freq)
    term_docs = dict(tallies[0].term_docs)
    for tally in tallies[1:]:
        forms.update(tally.forms)
        doc_freq.update(tally.doc_freq)
        keys.update(tally.keys)
        for merged, more in (
            (per_doc, tally.per_doc),
            (group_doc_freq, tally.group_doc_freq),
            (term_docs, tally.term_docs),
        ):
            for scope, per in more.items():
                mine = merged.get(scope)
                # A group seen in an earlier partition too: a new Counter, inputs untouched.
                merged[scope] = per if mine is None else mine + per
        for scope, size in tally.doc_totals.items():
            doc_totals[scope] = doc_totals.get(scope, 0) + size
    total = sum(t.total for t in tallies)
    return Tally(
        total, dict(forms), keys, dict(doc_freq), per_doc, doc_totals,
        group_doc_freq, term_docs, tallies[0].grouped,
    )  # fmt: skip


def merge_counts(parts: Iterable[Counts], *, grouped: bool = False) -> Counts:
    """The counts of disjoint sets of documents, together."""
    return merge_tallies([Tally.of(c, per_doc=True, grouped=grouped) for c in parts]).counts()


def _freq_part(
    part: Part,
    reading: Reading,
    normalizer: Normalizer,
    ngram: int,
    keep_per_doc: bool,
    by_field: str | None = None,
    tested: tuple[list[str], CliticMode, float | None] | None = None,
) -> tuple[Tally, Warnings]:
    """``tested``: the TERMs of ``freq --by``, their clitic mode and the matching timeout."""
    docs, warnings = load_part(part, reading)
    units = ngram_units(ngram) if ngram > 1 else words
    group = grouping(by_field) if by_field is not None else None
    tests = clitic_tests(tested[0], normalizer, tested[1], tested[2]) if tested is not None else None
    counts = count_tokens(docs, normalizer, keep_per_doc=keep_per_doc, units=units, group=group, tests=tests)
    return Tally.of(counts, per_doc=keep_per_doc, grouped=by_field is not None), warnings


def _merge_part(*partials: tuple[Tally, Warnings]) -> tuple[Tally, Warnings]:
    warnings: Warnings = []
    for _, more in partials:
        warnings.extend(more)
    return merge_tallies([t for t, _ in partials]), warnings


def _summary_part(
    part: Part, reading: Reading, query: Query, request: GrepRequest
) -> tuple[list[tuple[str, int]], Warnings]:
    from ..output.grep import summary_number

    docs, warnings = load_part(part, reading)
    numbers = [(doc.id, summary_number(doc, query, request)) for doc in docs]
    return [(d, n) for d, n in numbers if n is not None], warnings


def _kwic_part(
    part: Part,
    reading: Reading,
    query: Query,
    width: int,
    context_words: int | None,
    max_count: int | None,
    per_doc: int | None,
    cap: int | None,
    within_line: bool = False,
) -> tuple[list[Line], Warnings]:
    """A partition's concordance lines, cut here where the text is (``within_line``:
    the context stops at the hit's line, as ``kwic --within line`` cuts it in process)."""
    from ..query.kwic import concordance, per_document
    from ..query.search import iter_hits

    docs, warnings = load_part(part, reading)
    lines: Iterable[Line] = concordance(
        iter_hits(docs, query, max_count=max_count), width=width, words=context_words, within_line=within_line
    )
    if per_doc is not None:
        lines = per_document(lines, per_doc)
    if cap is not None:
        lines = islice(lines, cap)
    stubs: dict[str, Document] = {}
    out = []
    for line in lines:
        doc = line.hit.doc
        stub = stubs.get(doc.id)
        if stub is None:  # the text stays on the worker: the writers need id and line only
            stub = stubs[doc.id] = Document(doc.id, doc.path, "")
        out.append(line._replace(hit=line.hit._replace(doc=stub)))
    return out, warnings


# --------------------------------------------------------------------------- the client


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise CorpusError(INSTALL_HINT) from None
    from ..output import environment

    if not environment.current().debug:
        # The client's own log (reconnection attempts, tracebacks of its closing) is not
        # for the user: what goes wrong is said in one ``corpus:`` line instead.
        import logging

        names = [name for name in logging.root.manager.loggerDict if name.startswith("distributed.")]
        for name in ["distributed", *names]:
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    return distributed


#: ``CORPUS_DASK_TIMEOUT``: seconds to wait for the cluster (to connect, for a worker to
#: run on, for a lost scheduler to come back) before giving up with an error.
TIMEOUT_VARIABLE = "CORPUS_DASK_TIMEOUT"
DEFAULT_TIMEOUT = 30.0
#: ``local[N]``: at most this many worker processes a core.
LOCAL_WORKERS_PER_CORE = 4


def patience() -> float:
    """Seconds to wait for the cluster: ``CORPUS_DASK_TIMEOUT``, else 30."""
    value = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        raise CorpusError(f"{TIMEOUT_VARIABLE}={value}: not a number of seconds (e.g. 30, 2.5)")
    return seconds


def local_workers(scheduler: str | None) -> int | None:
    """Worker processes of the local cluster ``scheduler`` asks for, or None for a remote one.

    No ``--scheduler``, or ``local``: one a core (at most 8); ``local[N]``: N, at most
    four a core (more only compete for the cores, and thousands never finish starting).
    """
    cores = os.cpu_count() or 2
    if scheduler is None or scheduler == "local":
        return min(cores, 8)
    if scheduler.startswith("local[") and scheduler.endswith("]") and scheduler[6:-1].isdigit():
        most = LOCAL_WORKERS_PER_CORE * cores
        if int(scheduler[6:-1]) > most:
            raise CorpusError(
                f"--scheduler {scheduler}: at most local[{most}] here "
                f"({LOCAL_WORKERS_PER_CORE} worker processes a core, {cores} cores)"
            )
        return max(1, int(scheduler[6:-1]))
    return None


@contextmanager
def connect(scheduler: str | None) -> Iterator[Any]:
    """A Dask client: to ``scheduler`` (address or scheduler file), else a local cluster.

    A scheduler that does not answer, or answers as no Dask scheduler does, or has no
    worker within ``patience()`` seconds, is an error; so is one lost while it works.
    """
    distributed = _import_distributed()
    workers = local_workers(scheduler)
    wait = patience()
    cluster = None
    if workers is None:
        assert scheduler is not None
        try:
            if scheduler.endswith(".json") and os.path.isfile(scheduler):
                client = _client_within(wait, distributed.Client, scheduler_file=scheduler, timeout=wait)
            else:
                client = _client_within(wait, distributed.Client, scheduler, timeout=wait)
        except Exception as exc:  # anything a server that is not a Dask scheduler makes it raise
            raise CorpusError(
                f"--scheduler {scheduler}: cannot connect ({type(exc).__name__}: {exc}); "
                "is a Dask scheduler listening there?"
            ) from None
        try:
            client.wait_for_workers(1, timeout=wait)
        except TimeoutError:
            client.close()
            raise CorpusError(
                f"--scheduler {scheduler}: no worker joined the scheduler in {wait:g} s "
                f"(start some with 'dask worker ADDRESS'; {TIMEOUT_VARIABLE} to wait longer)"
            ) from None
        except Exception as exc:
            client.close()
            raise _lost(scheduler, exc) from None
    else:
        import multiprocessing

        import dask

        # forkserver starts workers in 0.7 s where spawn takes 1.2 s (fork: unsafe with threads).
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        with dask.config.set({"distributed.worker.multiprocessing-method": method}):
            cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
            )
        client = distributed.Client(cluster)
    try:
        yield client
    except CorpusError:
        raise
    except Exception as exc:
        error = _environment_error(exc) or _cluster_error(client, scheduler, exc)
        if error is None:
            raise
        raise error from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _client_within(wait: float, make: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``make(*args, **kwargs)``, or TimeoutError after ``wait`` seconds and a little more:
    Dask's own timeout does not cover a server that accepts and then never answers."""
    import threading

    made: list[Any] = []
    failed: list[BaseException] = []

    def connecting() -> None:
        try:
            made.append(make(*args, **kwargs))
        except BaseException as exc:
            failed.append(exc)

    # A daemon thread: one that never returns is left behind when the command ends.
    thread = threading.Thread(target=connecting, name="corpus-dask-connect", daemon=True)
    thread.start()
    thread.join(wait + 1)
    if failed:
        raise failed[0]
    if not made:
        raise TimeoutError(f"no answer in {wait:g} s")
    return made[0]


def _lost(scheduler: str | None, exc: BaseException) -> CorpusError:
    from concurrent.futures import CancelledError

    if isinstance(exc, CancelledError):  # the client cancels what is pending once it gives up
        reason = "the connection was lost and did not come back"
    else:
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return CorpusError(f"lost the Dask scheduler {scheduler or '(local cluster)'} ({reason})")


def _cluster_error(client: Any, scheduler: str | None, exc: Exception) -> CorpusError | None:
    """What a failure of the cluster itself is: its scheduler lost, its workers dying."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return CorpusError(f"the workers running part of the job kept dying ({exc}); see the workers' logs")
    if isinstance(exc, (CancelledError, OSError)) or client.status != "running":
        return _lost(scheduler, exc)
    return None


def _result(client: Any, future: Any) -> Any:
    """``future.result()``, but an error once the cluster has had no worker to run it on
    for ``patience()`` seconds (none joined, or all of them died), not a wait for ever."""
    import time

    wait = patience()
    idle_since: float | None = None
    while True:
        try:
            return future.result(timeout=min(1.0, wait))
        except TimeoutError:
            pass
        if client.nthreads():
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= wait:
            raise CorpusError(
                f"the Dask cluster has had no worker for {wait:g} s (all of them stopped?); "
                f"{TIMEOUT_VARIABLE} to wait longer"
            )


def _environment_error(exc: Exception) -> CorpusError | None:
    """What a failure that comes from the cluster's software means, if that is its cause."""
    text = f"{type(exc).__name__}: {exc}"
    if "corpus_cli" in text and isinstance(exc, ImportError):
        return CorpusError(f"the workers cannot import corpus_cli ({exc}): install corpus-cli[dask] on them")
    if "deserializ" in text.lower():
        return CorpusError(
            "the cluster could not read the job: the scheduler and workers must run the same "
            "versions of corpus-cli, Dask and Python as this client (see docs/scaling.md)"
        )
    return None


def _threads(client: Any) -> int:
    return max(1, int(sum(client.nthreads().values())))


def _in_order(
    client: Any,
    fn: Callable[..., tuple[T, Warnings]],
    parts: Sequence[Part],
    *args: Any,
    warn: Callable[[str], None],
    per_thread: int = WINDOW_PER_THREAD,
) -> Generator[T, None, None]:
    """``fn(part, *args)`` for every part, run on the cluster, yielded in part order.

    A window of partitions is in flight; leaving the loop early cancels the rest.
    """
    window = per_thread * _threads(client)
    pending = iter(enumerate(parts))
    futures: deque[Any] = deque()

    def submit(count: int) -> None:
        for index, part in islice(pending, count):
            futures.append(client.submit(fn, part, *args, pure=False, priority=-index))

    submit(window)
    try:
        while futures:
            result, warnings = _result(client, futures.popleft())
            submit(1)
            for message in warnings:
                warn(message)
            yield result
    finally:
        if futures:
            client.cancel(list(futures))


class Run(Protocol):
    """What the dask engine needs of a command run (the CLI's ``Session`` is one)."""

    @property
    def paths(self) -> list[str]: ...
    @property
    def glob(self) -> str: ...
    @property
    def read_options(self) -> ReadOptions: ...
    @property
    def where(self) -> list[tuple[str, str]]: ...
    @property
    def normalizer(self) -> Normalizer: ...
    @property
    def timeout(self) -> float | None: ...
    @property
    def given(self) -> tuple[str, ...]:
        """The shared options given a value (those the engine does not run are refused)."""

    def warn(self, message: str) -> None: ...


def _refuse_unsupported(run: Run, what: dict[str, bool]) -> None:
    """Refuse options the dask engine does not run, before anything is started."""
    given = [f"--{n.replace('_', '-')}" for n in run.given if n not in SUPPORTED_SHARED]
    given += [option for option, on in what.items() if on]
    if given:
        raise CorpusError(f"{', '.join(given)}: not supported with --engine dask")


class Job(NamedTuple):
    """What every partition task needs besides its partition."""

    files: list[FileRef]
    reading: Reading


def _job(run: Run, refuse: dict[str, bool]) -> Job:
    """Check the options, list the files: all before a cluster is started."""
    _refuse_unsupported(run, refuse)
    _import_distributed()
    files = corpus_files(run.paths, run.glob)
    return Job(files, Reading(run.read_options, run.where))


# --------------------------------------------------------------------------- commands


def freq_counts(run: Run, scheduler: str | None, request: FreqRequest) -> Counts:
    """``corpus freq --engine dask``: the corpus's :class:`Counts`, counted on the
    cluster and merged in a tree (the command makes its rows as from any engine's)."""
    job = _job(run, {"--dispersion": request.dispersion})
    terms, clitics = request.terms, request.clitics
    tested = (
        (list(terms), clitics, run.timeout) if request.by_field is not None and terms and clitics else None
    )
    if not job.files:
        return Counts()
    with connect(scheduler) as client:
        futures = client.map(
            _freq_part,
            partitions(job.files, _threads(client)),
            reading=job.reading,
            normalizer=run.normalizer,
            ngram=request.ngram,
            keep_per_doc=request.keep_per_doc,
            by_field=request.by_field,
            tested=tested,
            pure=False,
        )
        while len(futures) > 1:  # a tree: at most SPLIT_EVERY a merge, runs kept in order
            n, groups = len(futures), -(-len(futures) // SPLIT_EVERY)
            bounds = [i * n // groups for i in range(groups + 1)]
            futures = [client.submit(_merge_part, *futures[lo:hi], pure=False) for lo, hi in pairwise(bounds)]
        tally, warnings = _result(client, futures[0])
    for message in warnings:
        run.warn(message)
    return tally.counts()  # type: ignore[no-any-return]


def grep_numbers(
    run: Run, query: Query, request: GrepRequest, scheduler: str | None
) -> Generator[tuple[str, int], None, None]:
    """``corpus grep -c/-l/--count-matches --engine dask``: (document, number) pairs in
    corpus order, as the cluster gives them.  The options are checked at the call."""
    if request.quiet or not request.summary:
        raise CorpusError("--engine dask runs grep with -c, -l or --count-matches only")
    job = _job(run, {})

    def numbers() -> Generator[tuple[str, int] | None, None, None]:
        with connect(scheduler) as client:
            yield None  # connected (see _connected)
            parts = partitions(job.files, _threads(client))
            batches = _in_order(client, _summary_part, parts, job.reading, query, request, warn=run.warn)
            try:
                for batch in batches:
                    yield from batch
            finally:
                batches.close()  # partitions still pending are not needed: cancelled

    return _connected(numbers())


def kwic_lines(
    run: Run, query: Query, request: KwicRequest, scheduler: str | None
) -> Generator[Line, None, None]:
    """``corpus kwic --engine dask``: concordance lines in corpus order; once the caller
    stops reading (``--limit``), the partitions still pending are cancelled.  The options
    are checked at the call."""
    from ..query.kwic import parse_sort, sample

    job = _job(run, {f"--sort {request.sort}": parse_sort(request.sort) != ["position"]})
    cap = request.limit if request.sample_size is None else None

    def lines() -> Generator[Line | None, None, None]:
        with connect(scheduler) as client:
            yield None  # connected (see _connected)
            parts = partitions(job.files, _threads(client))
            args = (
                job.reading,
                query,
                request.width,
                request.words,
                request.max_count,
                request.per_doc,
                cap,
                request.within_line,
            )
            per_thread = WINDOW_PER_THREAD if cap is None else WINDOW_PER_THREAD_LIMITED
            batches = _in_order(client, _kwic_part, parts, *args, warn=run.warn, per_thread=per_thread)
            found: Iterable[Line] = (line for batch in batches for line in batch)
            if request.sample_size is not None:
                found = sample(found, request.sample_size, request.seed)
            if request.limit is not None:
                found = islice(found, request.limit)
            try:
                yield from found
            finally:
                batches.close()  # partitions still pending are not needed: cancelled

    return _connected(lines())


def _connected(items: Generator[T | None, None, None]) -> Generator[T, None, None]:
    """``items`` run to its first ``yield None``: connected to the cluster before the caller
    writes anything (a cluster that cannot be reached is an error with nothing on stdout).
    Closing it, once started, closes the connection."""
    next(items)
    return cast("Generator[T, None, None]", items)
