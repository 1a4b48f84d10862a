"""Loading a corpus into memory: files, directories and standard input.

A document is one decoded text file, or one record of a JSON Lines, CSV or TSV file
(see ``readers``: formats, compression, archives, encodings), with a leading BOM dropped
and every line end (CRLF, CR) read as ``\\n``.  All offsets the tool reports are code
points into that text.  Files that are not text are skipped with a warning, never
fatal; a path that does not exist is an error.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import CorpusError

if TYPE_CHECKING:
    from ..text.normalize import Normalizer

STDIN = "-"
#: Text and record files, plain or compressed (``{a,b}`` alternatives, as in a shell).
DEFAULT_GLOB = "*.{txt,jsonl,csv,tsv}{,.gz,.bz2,.xz}"

Warn = Callable[[str], None]


def name_stored(name: str) -> str | bytes:
    """An id or a path as a store that wants valid UTF-8 keeps it (SQLite, Parquet):
    itself, or for a file name that is not UTF-8 (Python's surrogate escapes) its bytes,
    which ``name_loaded`` turns back into the same name."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape")
    return name


def name_loaded(stored: str | bytes) -> str:
    """A name that ``name_stored`` kept, as the corpus reader names it."""
    return stored if isinstance(stored, str) else stored.decode("utf-8", "surrogateescape")


Progress = Callable[[int, int], None]


class Document:
    """One text: its id (path relative to the corpus argument, without ``.txt``), and
    for a record its metadata (the record's other fields, as strings)."""

    def __init__(self, id: str, path: str, text: str, meta: dict[str, str] | None = None) -> None:
        self.id = id
        self.path = path
        self.text = text
        self.meta: dict[str, str] = meta if meta is not None else {}
        #: The text normalized by a normalizer, when a worker process did it already.
        self.prepared: tuple[Normalizer, str] | None = None
        #: The lines a worker process selected already (``search.search_lines``): the
        #: query, the search's arguments, the lines, and whether ``text`` was left out.
        self.searched: tuple[Any, tuple[Any, ...], list[Any], bool] | None = None

    def normalized(self, normalizer: Normalizer) -> str:
        """``text`` normalized by ``normalizer`` (prepared by a worker, or now)."""
        prepared = self.prepared
        if prepared is not None and prepared[0] == normalizer:
            return prepared[1]
        return normalizer.normalize(self.text)

    def __repr__(self) -> str:
        return f"Document(id={self.id!r}, path={self.path!r}, chars={len(self.text)})"

    def split_lines(self) -> list[str]:
        """The lines without their ``\\n``; a final line end adds no empty line.

        Not kept: on a big corpus a second copy of every text would double memory.
        """
        if not self.text:
            return []
        lines = self.text.split("\n")
        if lines[-1] == "":
            lines.pop()
        return lines

    @property
    def line_count(self) -> int:
        text = self.text
        if not text:
            return 0
        return text.count("\n") + (0 if text.endswith("\n") else 1)

    @cached_property
    def line_starts(self) -> list[int]:
        """Offset of the first character of every line in ``text``."""
        starts = [0]
        text = self.text
        pos = text.find("\n")
        while pos != -1 and pos + 1 < len(text):
            starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        return starts if text else []

    def line_of(self, offset: int) -> int:
        """The 1-based number of the line that holds ``offset``."""
        return max(1, bisect_right(self.line_starts, offset))

    def line(self, number: int) -> str:
        """Line ``number`` (from 1) without its line end."""
        start = self.line_starts[number - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end == -1 else self.text[start:end]

    @property
    def title(self) -> str:
        """The first non-empty line, with runs of whitespace made single spaces."""
        text = self.text
        start = 0
        while start < len(text):
            end = text.find("\n", start)
            end = len(text) if end == -1 else end
            if text[start:end].strip():
                return " ".join(text[start:end].split())
            start = end + 1
        return ""


class Corpus:
    """The loaded documents, in a stable order (argument order, then path order)."""

    def __init__(self, documents: list[Document] | None = None) -> None:
        self.documents = documents if documents is not None else []

    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def resolve(self, ref: str) -> Document:
        """Find a document by id or by a unique id prefix."""
        exact = [d for d in self.documents if d.id == ref]
        if exact:
            return exact[0]
        return self._by_prefix(ref)

    def matching(self, ref: str) -> list[Document]:
        """The documents ``ref`` names, in corpus order: the one whose id it is, else
        every document of the folder it names (``aawsat/``, or ``aawsat`` when ids
        begin ``aawsat/``), else the one whose id it uniquely begins."""
        exact = [d for d in self.documents if d.id == ref]
        if exact:
            return exact[:1]
        folder = ref if ref.endswith("/") else ref + "/"
        inside = [d for d in self.documents if d.id.startswith(folder)]
        if inside:
            return inside
        return [self._by_prefix(ref)]

    def _by_prefix(self, ref: str) -> Document:
        found = [d for d in self.documents if d.id.startswith(ref)]
        if len(found) == 1:
            return found[0]
        if not found:
            ids = [d.id for d in self.documents]
            raise CorpusError(f"unknown document '{ref}'; documents: {_sample(ids)}")
        ids = [d.id for d in found]
        folders = sorted({i.rpartition("/")[0] for i in ids} - {""})
        hint = f" (a folder such as '{folders[0]}/' names all its documents)" if folders else ""
        raise CorpusError(f"ambiguous document '{ref}' matches {len(ids)}: {_sample(ids)}{hint}")

    def select(self, refs: Sequence[str]) -> Corpus:
        """The named documents (``matching``) in corpus order (all of them when none is named)."""
        if not refs:
            return self
        wanted = {id(d) for ref in refs for d in self.matching(ref)}
        return Corpus([d for d in self.documents if id(d) in wanted])


def _sample(ids: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f", … ({len(ids) - limit} more)" if len(ids) > limit else "")


def default_corpus_path() -> Path:
    """The bundled seeds: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent.parent  # the package
    for candidate in (here / "seeds", here.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    raise CorpusError("the bundled seed corpus is missing; pass --corpus PATH")


def paths_from_env(value: str | None) -> list[str]:
    """``CORPUS_PATH``: paths separated by the OS path separator, blanks ignored."""
    if not value:
        return []
    return [p for p in value.split(os.pathsep) if p.strip()]


def decode(data: bytes, name: str, encoding: str | None = None, warn: Warn | None = None) -> str:
    """Bytes of a text file to its text, or ``CorpusError`` saying why it is not text.

    UTF-8, else Arabic CP-1256 (with a warning), or the given ``encoding``.
    """
    from .readers import Skipped, check_encoding, decode_text

    try:
        return decode_text(data, name, check_encoding(encoding), warn)
    except Skipped as exc:
        raise CorpusError(str(exc)) from None


def load_corpus(
    paths: Sequence[str] | None = None,
    *,
    glob: str | None = DEFAULT_GLOB,
    stdin: Callable[[], bytes] | None = None,
    warn: Warn | None = None,
    progress: Progress | None = None,
    text_field: str = "text",
    id_field: str | None = None,
    encoding: str | None = None,
    found: Sequence[Source] | None = None,
) -> Corpus:
    """Load ``paths`` (files, directories, ``-``), or the bundled seeds when empty.

    ``glob`` picks the files of a directory; ``text_field`` and ``id_field`` are the
    fields of records that hold the text and the id; ``encoding`` forces one (default:
    UTF-8, else Arabic CP-1256 with a warning); ``progress(done, total)`` counts bytes;
    ``found``: the files of ``paths``, when the caller has listed them (``sources``).
    """
    from .readers import Meter, Reader, ReadOptions

    reader = Reader(ReadOptions(text_field, id_field, encoding), warn)  # checks the encoding
    if found is None:
        found = sources(paths, glob, warn)
    reader.meter = Meter(progress, (source for _, source, _ in found))
    seen: set[str] = set()
    documents = []
    for name, source, arg in found:
        if source is None:
            items = reader.read_stdin(stdin() if stdin else b"")
        else:
            items = reader.read_file(name, source)
        documents += [Document(unique_id(i.id, arg, seen), i.path, i.text, i.meta) for i in items]
    return Corpus(documents)


class Source(NamedTuple):
    """A file to read: its name relative to its argument (the id before suffixes are
    dropped), its path (None: standard input) and the argument that named it."""

    name: str
    path: str | None
    arg: str


class Sources(Sequence[Source]):
    """The ``Source`` of every file of a corpus, in order, held as their names alone
    where a file's path is its folder argument's path and its name (nearly always):
    650,000 files take 67 MB instead of 188 MB.  Each ``Source`` is made when asked for.
    """

    def __init__(self) -> None:
        self._names: list[str] = []
        self._runs: list[tuple[int, str, str]] = []  # first index, path prefix, argument
        self._paths: dict[int, str | None] = {}  # the paths that are not prefix + name

    def add(self, name: str, path: str | None, arg: str, prefix: str = "") -> None:
        """One more file; ``prefix``: what its path is expected to start with."""
        index = len(self._names)
        if not self._runs or self._runs[-1][1:] != (prefix, arg):
            self._runs.append((index, prefix, arg))
        if path is None or path != prefix + name:
            self._paths[index] = path
        self._names.append(name)

    def __len__(self) -> int:
        return len(self._names)

    def _make(self, index: int, run: tuple[int, str, str]) -> Source:
        name = self._names[index]
        path = self._paths[index] if index in self._paths else run[1] + name
        return Source(name, path, run[2])

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return [self[i] for i in range(*key.indices(len(self)))]
        index = key + len(self) if key < 0 else key
        if not 0 <= index < len(self):
            raise IndexError(key)
        return self._make(index, self._runs[bisect_right(self._runs, index, key=itemgetter(0)) - 1])

    def __iter__(self) -> Iterator[Source]:
        ends = [run[0] for run in self._runs[1:]] + [len(self._names)] * bool(self._runs)
        for run, end in zip(self._runs, ends, strict=True):
            for index in range(run[0], end):
                yield self._make(index, run)


def sources(
    paths: Sequence[str] | None, glob: str | None = DEFAULT_GLOB, warn: Warn | None = None
) -> Sources:
    """The files that ``paths`` (or the bundled seeds) name, in corpus order.

    A named path that cannot be read is an error; a directory inside one that cannot be
    listed is a warning (``warn``) and skipped.
    """
    from .readers import relative_files

    targets = list(paths) if paths else [str(default_corpus_path())]
    found = Sources()
    for arg in targets:
        if arg == STDIN:
            found.add("stdin", None, arg)
            continue
        path = Path(arg).expanduser()
        problem = _unreadable(path)
        if problem is not None:
            raise CorpusError(f"{arg}: {problem}")
        if path.is_dir():
            prefix = os.path.join(str(path), "") if os.sep == "/" else ""  # relative names use "/"
            for name, full in relative_files(path, glob or DEFAULT_GLOB, warn):
                found.add(name, full, arg, prefix)
        else:
            found.add(path.name, str(path), arg)
    return found


def _unreadable(path: Path) -> str | None:
    """Why a named path cannot be read (None: it can): it does not exist, it is a
    symbolic link that leads nowhere, or there is no permission to read (a directory:
    to list) it."""
    import errno
    import stat

    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        if exc.errno == errno.ENOENT:
            return "broken symbolic link" if path.is_symlink() else "no such file or directory"
        return (exc.strerror or str(exc)).lower()  # e.g. permission denied on a parent
    wanted = os.R_OK | os.X_OK if stat.S_ISDIR(info.st_mode) else os.R_OK
    return None if os.access(path, wanted) else "permission denied"


def unique_id(doc_id: str, arg: str, seen: set[str]) -> str:
    """Ids must be unique across arguments: a clash is prefixed with its argument."""
    candidate = doc_id
    if candidate in seen:
        candidate = f"{Path(arg).name or arg}/{doc_id}"
    n = 2
    base = candidate
    while candidate in seen:
        candidate = f"{base}~{n}"
        n += 1
    seen.add(candidate)
    return candidate
