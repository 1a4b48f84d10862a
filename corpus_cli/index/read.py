"""Reading an index: opened defensively (only the tables it is made of, each statement
bounded, damage found at any read raised as ``DamagedIndex``), fresh or not."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import CorpusError, DamagedIndex
from ..store.corpus import name_loaded
from ..text.normalize import Normalizer
from .fingerprint import (
    SUFFIX,
    abandon_early,
    directory_fingerprint,
    early,
    fingerprint,
    waiting,
)
from .layout import FORMAT, SCHEMA, cache_dir, reading_options, unpack_block, unpack_text

if TYPE_CHECKING:
    from ..query.freq import Counts
    from ..store.corpus import Document
    from ..store.layer import TokenLayer
    from ..store.readers import ReadOptions

#: The most documents ``Index.documents`` reads with one SELECT.
DOCUMENTS_BATCH = 256


class Index:
    """An open index (read only)."""

    def __init__(self, path: Path) -> None:
        import sqlite3
        from urllib.parse import quote

        self.path = path
        self._layer: TokenLayer | bool | None = None  # False: looked for, none
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
        return reading_options(self.meta)

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

    def documents(self, numbers: Iterable[int] | None = None, *, text: bool = True) -> Iterator[Document]:
        """Documents in corpus order: all of them, or those numbered (ascending); with
        ``text`` False, numbered ones without their text (ids for ``grep -c``: no text
        read from the file, none unpacked)."""
        from ..store.corpus import Document

        if numbers is None:
            rows = self.db.execute("SELECT n, id, path, text, fields FROM docs ORDER BY n")
            for _, doc_id, path, text, fields in self._every(rows):
                yield Document(name_loaded(doc_id), name_loaded(path), self._text(text), _fields(fields))
            return
        wanted = iter(numbers)
        size = 1
        while batch := list(islice(wanted, size)):
            # One SELECT a batch (a SELECT a document took 0.08 s of kwic's 5,514 lines), the
            # batches growing so that a reader of the first lines (``| head``) reads few.
            marks = ",".join("?" * len(batch))
            column = "text" if text else "''"
            sql = f"SELECT n, id, path, {column}, fields FROM docs WHERE n IN ({marks})"
            found = {row[0]: row[1:] for row in self.db.execute(sql, batch)}
            for n in batch:
                row = found.get(n)
                if row is None:  # numbered by the index itself: lost
                    raise DamagedIndex(self.path, f"document {n} is missing")
                doc_id, path, packed, fields = row
                unpacked = self._text(packed) if text else ""
                yield Document(name_loaded(doc_id), name_loaded(path), unpacked, _fields(fields))
            size = min(2 * size, DOCUMENTS_BATCH)

    def _text(self, stored: Any) -> str:
        """A document's text, unpacked (``layout.pack_text``)."""
        import zlib

        try:
            return unpack_text(stored)
        except (zlib.error, TypeError, UnicodeDecodeError) as exc:
            raise DamagedIndex(self.path, f"a document's text cannot be read ({exc})") from None

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
        sql = "SELECT rank, count, packed FROM ranked_tsv ORDER BY rank"
        for rank, count, packed in self.db.execute(sql):
            text = unpack_block(packed)
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
            yield (
                name_loaded(doc_id),
                name_loaded(path),
                self._text(text),
                tokens,
                types,
                _fields(fields) or {},
            )

    def headers(self) -> Iterator[tuple[int, Document]]:
        """Every document's number, and its id, path and metadata without its text
        (``--doc``, ``--where``), in corpus order."""
        from ..store.corpus import Document

        rows = self.db.execute("SELECT n, id, path, fields FROM docs ORDER BY n")
        for n, doc_id, path, fields in self._every(rows):
            yield n, Document(name_loaded(doc_id), name_loaded(path), "", _fields(fields))

    def layer(self) -> TokenLayer | None:
        """The token layer built with this index (memory-mapped), or None: built without
        one (numpy was missing), or the file beside it is not the one it was built with."""
        if "layer" not in self.meta:
            return None
        from ..store.layer import TokenLayer, layer_path

        if self._layer is None:
            self._layer = TokenLayer.open(layer_path(self.path), self.meta["layer"]) or False
        return self._layer if isinstance(self._layer, TokenLayer) else None

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
    for statement in SCHEMA.strip().split(";\n"):
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
