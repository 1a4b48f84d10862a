"""The index file: what it holds, and where it lives.

One SQLite file (standard library, no extra dependency) holds:

* ``docs``: every document as loaded (id, path, text, the metadata of a record) with its
  list statistics, so no file is read or decoded again (texts compressed: ``pack_text``);
* beside it, the token layer (``store.layer``: positions, lexicons, inverted lists),
  which ``meta.layer`` names;
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

``build`` writes an index (``index.build``), ``Index`` reads one (``index.read``); this
module is what both agree on: the format number, the tables, the cache directory and the
selection key an index is found by.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..errors import CorpusError
from ..text.normalize import Normalizer
from .fingerprint import (
    SUFFIX,
    cache_folder,
)

if TYPE_CHECKING:
    from ..store.readers import ReadOptions

FORMAT = 9


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
                and reading_options(meta) == self.reading
            )
        except (KeyError, ValueError):
            return False

    def default_path(self) -> Path:
        return cache_dir() / f"{self.key}{SUFFIX}"


def reading_options(meta: dict[str, str]) -> ReadOptions:
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


SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(
    n INTEGER PRIMARY KEY, id TEXT NOT NULL, path TEXT NOT NULL,
    tokens INTEGER NOT NULL, types INTEGER NOT NULL,
    fields TEXT,  -- a record's metadata as a JSON object in its order; NULL: none
    text BLOB NOT NULL  -- UTF-8, compressed (pack_text); last: a row's head is read without it
);
CREATE VIRTUAL TABLE grams USING fts5(norm, content='', tokenize='trigram case_sensitive 1', detail='none');
CREATE TABLE keys(
    rank INTEGER PRIMARY KEY, key TEXT NOT NULL, term TEXT NOT NULL,
    count INTEGER NOT NULL, docs INTEGER NOT NULL
);
CREATE TABLE forms(key TEXT NOT NULL, form TEXT NOT NULL, count INTEGER NOT NULL);
CREATE TABLE ranked_tsv(rank INTEGER PRIMARY KEY, count INTEGER NOT NULL, packed BLOB NOT NULL);
CREATE TABLE files(first INTEGER NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL);
"""


def pack_text(text: str) -> bytes:
    """A document's text as the index stores it: UTF-8, compressed by zlib (level 6: 35%
    of the size of the text; 0.5 s to unpack all of saudinewsnet's 100 MB)."""
    import zlib

    return zlib.compress(text.encode("utf-8"), 6)


def pack_block(block: bytes) -> bytes:
    """A block of the frequency list rendered as TSV (``ranked_tsv``), compressed as the
    texts are: saudinewsnet's 11.7 MB of rows take 3 MB; a block unpacks in about 1 ms."""
    import zlib

    return zlib.compress(block, 6)


def unpack_block(stored: bytes) -> bytes:
    import zlib

    return zlib.decompress(stored)


def unpack_text(stored: bytes) -> str:
    import zlib

    return zlib.decompress(stored).decode("utf-8")


def destination(selection: Selection, output: Path | None) -> Path:
    """Where the index of ``selection`` goes: into ``output``, else the cache directory;
    never inside the corpus (it would be part of what it indexes, and stale for ever):
    then an error, which says how to put it elsewhere."""
    folder = selection.default_path().parent if output is None else output.expanduser()
    corpus_dirs = [Path(p) for p in selection.paths]
    resolved = folder.resolve()
    if any(resolved == d or d in resolved.parents for d in corpus_dirs):
        if output is None:
            raise CorpusError(
                f"the cache directory {folder} is inside the corpus, and an index is never written "
                "into the corpus; set CORPUS_CACHE_DIR or give -o DIR outside it"
            )
        raise CorpusError(f"{output}: the index is never written into the corpus; choose another directory")
    return folder / f"{selection.key}{SUFFIX}"


def lock_path(dest: Path) -> Path:
    """The lock file of a build of ``dest``: one builder at a time, the others wait."""
    return dest.with_name(f".{dest.name}.lock")
