"""A persistent index of a corpus, so that big corpora answer at once.

One SQLite file (standard library, no extra dependency) holds:

* ``docs``: every document as loaded (id, path, text) with its list statistics, so no
  file is read or decoded again;
* ``grams``: a contentless FTS5 trigram index of the *normalized* text, used only to
  find the documents that may hold a literal query (a superset: every candidate is then
  searched by the same matcher as without an index, so results are identical);
* ``keys`` and ``forms``: the frequency list (count, documents, most frequent spelling,
  every spelling) as ``freq`` computes it.

An index belongs to a corpus selection (paths and glob) and a normalizer.  It is found
in the user's cache directory under a key made of those, never written into the corpus,
written to a temporary file and renamed into place (a crash or Ctrl-C during a build
leaves the previous index intact, readers keep the file they opened), and it records a
fingerprint of the corpus files (paths, sizes, modification times) to detect staleness.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import CorpusError
from .fingerprint import early, fingerprint
from .normalize import Normalizer

if TYPE_CHECKING:
    from .corpus import Corpus, Document
    from .freq import Counts

FORMAT = 2
SUFFIX = ".corpus-index"


def cache_dir() -> Path:
    """``CORPUS_CACHE_DIR``, else the platform's user cache directory."""
    explicit = os.environ.get("CORPUS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "corpus-cli" / "indexes"


class Selection(NamedTuple):
    """What an index is of: resolved paths, glob and the normalizer's steps."""

    paths: tuple[str, ...]
    glob: str
    steps: tuple[str, ...]

    @classmethod
    def of(cls, paths: Sequence[str], glob: str, normalizer: Normalizer) -> Selection:
        if any(p == "-" for p in paths):
            raise CorpusError("standard input cannot be indexed")
        resolved = tuple(str(Path(p).expanduser().resolve()) for p in paths)
        return cls(resolved, glob, tuple(normalizer.active_steps))

    @property
    def key(self) -> str:
        """A file name for the index; two CRCs (zlib is loaded anyway, hashlib costs
        6 ms of start-up).  A clash is harmless: ``matches`` checks the index's own record.
        """
        import zlib

        blob = "\0".join([str(FORMAT), *self.paths, "\1", self.glob, "\1", *self.steps]).encode(
            "utf-8", "surrogateescape"
        )
        return f"{zlib.crc32(blob):08x}{zlib.crc32(blob[::-1]):08x}{len(blob) % 4096:03x}"

    def matches(self, meta: dict[str, str]) -> bool:
        import json

        try:
            return (
                tuple(json.loads(meta["paths"])) == self.paths
                and meta["glob"] == self.glob
                and tuple(json.loads(meta["steps"])) == self.steps
            )
        except (KeyError, ValueError):
            return False

    def default_path(self) -> Path:
        return cache_dir() / f"{self.key}{SUFFIX}"


# --------------------------------------------------------------------------- build

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(
    n INTEGER PRIMARY KEY, id TEXT NOT NULL, path TEXT NOT NULL, text TEXT NOT NULL,
    tokens INTEGER NOT NULL, types INTEGER NOT NULL
);
CREATE VIRTUAL TABLE grams USING fts5(norm, content='', tokenize='trigram', detail='none');
CREATE TABLE keys(
    rank INTEGER PRIMARY KEY, key TEXT NOT NULL, term TEXT NOT NULL,
    count INTEGER NOT NULL, docs INTEGER NOT NULL
);
CREATE TABLE forms(key TEXT NOT NULL, form TEXT NOT NULL, count INTEGER NOT NULL);
"""


class BuildStats(NamedTuple):
    path: Path
    documents: int
    tokens: int
    types: int
    seconds: float
    size: int


def build(
    corpus: Corpus,
    selection: Selection,
    normalizer: Normalizer,
    dest: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> BuildStats:
    """Write the index of ``corpus`` to ``dest`` atomically (temporary file, then rename)."""
    import json
    import sqlite3
    import time

    from .freq import count_tokens

    started = time.monotonic()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    lock = _Lock(dest.with_name(f".{dest.name}.lock"))
    try:
        lock.acquire()
        if tmp.exists():
            tmp.unlink()
        db = sqlite3.connect(tmp)
        try:
            db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
            docs = corpus.documents
            counts = count_tokens(docs, normalizer)  # one tokenizing pass for everything
            for n, doc in enumerate(docs, 1):
                db.execute(
                    "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)",
                    (n, doc.id, doc.path, doc.text, counts.doc_totals[doc.id], counts.doc_types[doc.id]),
                )
                db.execute(
                    "INSERT INTO grams(rowid, norm) VALUES (?, ?)", (n, normalizer.normalize(doc.text))
                )
                if progress and n % 256 == 0:
                    progress(n, len(docs))
            # Stored in rank order (count descending, then key, as ``frequency_rows``):
            # a frequency list is then one sequential read.
            ranked = sorted(counts.counts.items(), key=lambda item: (-item[1], item[0]))
            db.executemany(
                "INSERT INTO keys VALUES (?, ?, ?, ?, ?)",
                (
                    (rank, key, counts.term(key), count, counts.doc_freq[key])
                    for rank, (key, count) in enumerate(ranked, 1)
                ),
            )
            db.executemany(
                "INSERT INTO forms VALUES (?, ?, ?)",
                ((key, form, n) for key, forms in counts.forms.items() for form, n in forms.items()),
            )
            db.execute("CREATE INDEX forms_key ON forms(key)")
            db.execute("CREATE INDEX keys_key ON keys(key)")
            db.execute("INSERT INTO grams(grams) VALUES ('optimize')")
            meta = {
                "format": str(FORMAT),
                "paths": json.dumps(list(selection.paths), ensure_ascii=False),
                "glob": selection.glob,
                "steps": json.dumps(list(selection.steps)),
                "fingerprint": fingerprint(selection.paths),
                "documents": str(len(docs)),
                "tokens": str(counts.total),
                "types": str(len(counts.counts)),
                "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            db.commit()
        finally:
            db.close()
        os.replace(tmp, dest)  # atomic: readers see the old index or the new one
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        lock.release()
    if progress:
        progress(len(corpus.documents), len(corpus.documents))
    return BuildStats(
        dest,
        len(corpus.documents),
        counts.total,
        len(counts.counts),
        time.monotonic() - started,
        dest.stat().st_size,
    )


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

        self.path = path
        try:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            self.meta = dict(self.db.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as exc:
            raise CorpusError(
                f"{path}: not a usable index ({exc}); rebuild it with 'corpus index build'"
            ) from None
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

    def is_fresh(self) -> bool:
        paths = self.paths
        return (early(paths) or fingerprint(paths)) == self.meta.get("fingerprint")

    def serves(self, normalizer: Normalizer) -> bool:
        """Were the grams and counts made with this normalizer?"""
        return self.steps == tuple(normalizer.active_steps)

    def documents(self, numbers: Iterable[int] | None = None) -> Iterator[Document]:
        """Documents in corpus order: all of them, or those numbered (ascending)."""
        import sqlite3

        from .corpus import Document

        try:
            if numbers is None:
                for _, doc_id, path, text in self.db.execute("SELECT n, id, path, text FROM docs ORDER BY n"):
                    yield Document(doc_id, path, text)
                return
            for n in numbers:
                row = self.db.execute("SELECT id, path, text FROM docs WHERE n = ?", (n,)).fetchone()
                if row is not None:
                    yield Document(*row)
        except sqlite3.DatabaseError as exc:
            raise CorpusError(
                f"{self.path}: damaged index ({exc}); rebuild it with 'corpus index build'"
            ) from None

    def candidates(self, literal: str) -> list[int]:
        """Numbers of the documents whose normalized text may contain ``literal``.

        Every trigram of the literal must be in the document: a superset of the
        documents that contain it, which the matcher then searches as usual.
        """
        grams = sorted({literal[i : i + 3] for i in range(len(literal) - 2)})
        query = " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)
        import sqlite3

        try:
            return [
                n
                for (n,) in self.db.execute(
                    "SELECT rowid FROM grams WHERE grams MATCH ? ORDER BY rowid", (query,)
                )
            ]
        except sqlite3.DatabaseError as exc:
            raise CorpusError(
                f"{self.path}: damaged index ({exc}); rebuild it with 'corpus index build'"
            ) from None

    def counts(self, *, keys: bool = True) -> Counts:
        """The frequency data of the whole corpus, as ``count_tokens`` gives it."""
        return _indexed_counts(self, keys=keys)

    def ranked(self, top: int, min_count: int) -> list[tuple[int, str, str, int, int]]:
        """The frequency list straight from the index, in ``frequency_rows`` order."""
        sql = "SELECT rank, key, term, count, docs FROM keys WHERE count >= ? ORDER BY rank"
        rows = self.db.execute(sql + (" LIMIT ?" if top else ""), (min_count, top) if top else (min_count,))
        return rows.fetchall()

    def doc_stats(self) -> dict[str, tuple[int, int]]:
        return {
            doc_id: (tokens, types)
            for doc_id, tokens, types in self.db.execute("SELECT id, tokens, types FROM docs")
        }

    def close(self) -> None:
        self.db.close()


class _LazyForms(dict[str, Counter[str]]):
    """Spellings of a key, read from the index only when asked for."""

    def __init__(self, index: Index) -> None:
        super().__init__()
        self.index = index

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self:
            rows = self.index.db.execute("SELECT form, count FROM forms WHERE key = ?", (key,)).fetchall()
            self[key] = Counter(dict(rows))
        return super().get(key, default) or default


def _indexed_counts(index: Index, *, keys: bool = True) -> Counts:
    """``Counts`` filled from the index (spellings read lazily, terms precomputed).

    Without ``keys`` only the totals and the spellings are there: enough to write rows
    that come ranked from the index itself.
    """
    from .freq import Counts

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
