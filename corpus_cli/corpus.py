"""Loading a corpus into memory: files, directories and standard input.

A document is one decoded text file: UTF-8 with a leading BOM dropped and every line end
(CRLF, CR) read as ``\\n``.  All offsets the tool reports are code points into that
text.  Files that are not text are skipped with a warning, never fatal; a path that does
not exist is an error.
"""

from __future__ import annotations

import fnmatch
import os
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path

from .errors import CorpusError

STDIN = "-"
DEFAULT_GLOB = "*.txt"
BINARY_SNIFF = 8192

Warn = Callable[[str], None]
Progress = Callable[[int, int], None]


class Document:
    """One text: its id (path relative to the corpus argument, without ``.txt``)."""

    def __init__(self, id: str, path: str, text: str) -> None:
        self.id = id
        self.path = path
        self.text = text

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
        found = [d for d in self.documents if d.id.startswith(ref)]
        if len(found) == 1:
            return found[0]
        if not found:
            ids = [d.id for d in self.documents]
            raise CorpusError(f"unknown document '{ref}'; documents: {_sample(ids)}")
        ids = [d.id for d in found]
        raise CorpusError(f"ambiguous document '{ref}' matches {len(ids)}: {_sample(ids)}")

    def select(self, refs: Sequence[str]) -> Corpus:
        """The named documents in corpus order (all of them when none is named)."""
        if not refs:
            return self
        wanted = {id(self.resolve(ref)) for ref in refs}
        return Corpus([d for d in self.documents if id(d) in wanted])


def _sample(ids: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f", … ({len(ids) - limit} more)" if len(ids) > limit else "")


def default_corpus_path() -> Path:
    """The bundled seeds: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "seeds", here.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    raise CorpusError("the bundled seed corpus is missing; pass --corpus PATH")


def paths_from_env(value: str | None) -> list[str]:
    """``CORPUS_PATH``: paths separated by the OS path separator, blanks ignored."""
    if not value:
        return []
    return [p for p in value.split(os.pathsep) if p.strip()]


def decode(data: bytes, name: str) -> str:
    """Bytes of a text file to its text, or ``CorpusError`` saying why it is not text."""
    if b"\x00" in data[:BINARY_SNIFF]:
        raise CorpusError(f"skipped {name}: binary file (NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"skipped {name}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _files_of(root: Path, pattern: str) -> list[Path]:
    """Files under ``root`` whose name matches ``pattern``, in path order.

    ``os.walk`` and string sorting: on 31,000 files ``Path.rglob`` and ``Path``
    comparisons cost a second of start-up.
    """
    if "/" in pattern or os.sep in pattern:
        return sorted((p for p in root.rglob(pattern) if p.is_file()), key=lambda p: p.parts)
    found: list[tuple[list[str], str]] = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in fnmatch.filter(files, pattern):
            full = os.path.join(folder, name)
            found.append((os.path.relpath(full, root).split(os.sep), full))
    found.sort()
    return [Path(full) for _, full in found]


def _doc_id(relative: str) -> str:
    return relative[:-4] if relative.endswith(".txt") else relative


def load_corpus(
    paths: Sequence[str] | None = None,
    *,
    glob: str = DEFAULT_GLOB,
    stdin: Callable[[], bytes] | None = None,
    warn: Warn | None = None,
    progress: Progress | None = None,
) -> Corpus:
    """Load ``paths`` (files, directories, ``-``), or the bundled seeds when empty."""
    targets = list(paths) if paths else [str(default_corpus_path())]
    found: list[tuple[str, Path | None, str]] = []  # (id, path, argument)
    for arg in targets:
        if arg == STDIN:
            found.append(("stdin", None, arg))
            continue
        path = Path(arg).expanduser()
        if path.is_dir():
            for file in _files_of(path, glob):
                found.append((_doc_id(file.relative_to(path).as_posix()), file, arg))
        elif path.exists():
            found.append((_doc_id(path.name), path, arg))
        else:
            raise CorpusError(f"{arg}: no such file or directory")
    return Corpus(list(_read_all(found, stdin, warn, progress)))


def _read_all(
    found: Sequence[tuple[str, Path | None, str]],
    stdin: Callable[[], bytes] | None,
    warn: Warn | None,
    progress: Progress | None,
) -> Iterable[Document]:
    seen: set[str] = set()
    total = len(found)
    for done, (doc_id, path, arg) in enumerate(found, 1):
        if path is None:
            data = stdin() if stdin else b""
            name = "<stdin>"
        else:
            name = str(path)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CorpusError(f"{name}: {exc.strerror or exc}") from None
        try:
            text = decode(data, name)
        except CorpusError as exc:
            if warn:
                warn(str(exc))
            continue
        yield Document(_unique(doc_id, arg, seen), name, text)
        if progress:
            progress(done, total)


def _unique(doc_id: str, arg: str, seen: set[str]) -> str:
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
