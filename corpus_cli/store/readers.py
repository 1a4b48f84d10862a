"""Reading corpus files: text, records, compressed files, archives and encodings.

* Text files (``.txt``, or any name a ``--glob`` selects): one document each.
* Record files (``.jsonl``, ``.csv``, ``.tsv``): one document per record.  The text is
  in ``text_field`` (default ``text``); the id is the value of ``id_field`` or, without
  one, ``FILE:N`` (N the record number from 1); every other field is metadata, kept as
  strings.  TSV is read like CSV with tabs (quotes as in CSV, as pandas reads it).
* Line records (``LineLayout``): a ``text_field`` that names several fields joined by
  ``|``, ``;``, ``,`` or a tab (``sura|aya|text``) makes each non-empty line of a text
  file a record of those fields, split at that separator, the last field the text (it
  keeps any separator it holds); ids, paths and metadata as for record files.  Tanzil's
  Quran (``sura|aya|text`` lines) is read so, and so are ``id<TAB>text`` files.
* Compressed files (``.gz``, ``.bz2``, ``.xz``) are read as the file they hold; the id
  drops the compression suffix too.
* Archives (``.zip``, ``.tar``, ``.tar.gz``/``.tgz``, ``.tar.bz2``, ``.tar.xz``): every
  member that is a text or record file (plain or compressed) is read as if it were a
  file ``ARCHIVE/MEMBER``.  Nothing is extracted to disk; members are read one at a
  time, those over 2 GiB are skipped, and so is what a zip bomb would expand to
  (``Expansion``).
* Bytes to text: UTF-8 by default; a file that is UTF-8 but for a few bad bytes is read
  with U+FFFD for them, and one that is Arabic in CP-1256 (Windows Arabic, still common
  in archives) is read so, each with a warning; a forced ``encoding`` replaces both.  A
  file that starts with a UTF-16 or UTF-32 BOM is read so; any other file with a NUL
  byte anywhere is binary and skipped.

Everything that is wrong with one file (binary, undecodable, damaged, a record without
text) is a warning and the file or record is skipped; only a missing or unreadable named
path is an error.  The modules for formats and compression are imported when such a
file is met, so a corpus of ``.txt`` files pays nothing for them.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from pathlib import Path
from stat import S_ISREG
from typing import IO, Any, NamedTuple

from ..errors import CorpusError

Warn = Callable[[str], None]
Progress = Callable[[int, int], None]

#: The files of a directory read by default: text and record files, plain or compressed.
DEFAULT_GLOB = "*.{txt,jsonl,csv,tsv}{,.gz,.bz2,.xz}"
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}
ARCHIVES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")
RECORD_FORMATS = (".jsonl", ".csv", ".tsv")
#: Larger members (or decompressed files) are skipped: no corpus file is that big.
MAX_MEMBER = 2 * 1024**3
#: An archive or compressed file holds at most this many times its own size (once it
#: holds ``RATIO_FLOOR`` bytes): beyond, it is a zip bomb and the rest is skipped.
MAX_RATIO = 100
RATIO_FLOOR = 32 * 1024**2
#: Detailed warnings per file about bad records; the rest are summed up in one line.
RECORD_WARNINGS = 5
#: A record whose values nest deeper than Python's recursion limit allows.
TOO_DEEP = "nested too deeply to read"
#: Progress is reported every this many records.
PROGRESS_EVERY = 1000
CHUNK = 1 << 20


class ReadOptions(NamedTuple):
    #: The field that holds the text, or a ``LineLayout`` (``sura|aya|text``).
    text_field: str = "text"
    id_field: str | None = None
    encoding: str | None = None


#: What joins the field names of a ``LineLayout`` (one of them for all).
LAYOUT_SEPARATORS = "|;,\t"


class LineLayout(NamedTuple):
    """The fields of the lines of a line-record file, as ``--text-field`` names them:
    ``sura|aya|text`` (``names`` sura, aya, text; ``separator`` ``|``).  The last field
    is the text, and takes the rest of the line."""

    names: tuple[str, ...]
    separator: str

    @property
    def text_field(self) -> str:
        return self.names[-1]

    @classmethod
    def of(cls, text_field: str) -> LineLayout | None:
        """The layout ``text_field`` describes, or None for the name of one field.

        ``CorpusError`` for a layout with an empty, spaced or repeated name."""
        used = [c for c in LAYOUT_SEPARATORS if c in text_field]
        if not used:
            return None
        separator = used[0]
        names = tuple(text_field.split(separator))
        problem = None
        if len(used) > 1:
            problem = f"one separator joins the fields (here {' and '.join(map(repr, used))})"
        elif any(not n or n != n.strip() or any(c.isspace() for c in n) for n in names):
            problem = "a field name is empty or has a space"
        elif len(set(names)) < len(names):
            problem = "a field is named twice"
        if problem is not None:
            raise CorpusError(f"--text-field '{text_field}': {problem} (a line layout: 'sura|aya|text')")
        return cls(names, separator)

    def describe(self) -> str:
        return self.separator.join(self.names).replace("\t", "<TAB>")


class Item(NamedTuple):
    """One document read from a source, before its id is made unique."""

    id: str
    path: str
    text: str
    meta: dict[str, str]
    #: Known from the bytes to hold no Arabic presentation form (U+FB50 on), so that a
    #: search need not scan for them (``normalize.judgeable``).  False: not known.
    presentation_free: bool = False


class Kind(NamedTuple):
    """What a file name says: ``stem`` is the name without format and compression."""

    stem: str
    format: str  # text, jsonl, csv, tsv or archive
    compression: str | None = None  # gzip, bz2, lzma
    archive: str | None = None  # zip or tar


class Skipped(Exception):
    """A file or member that is skipped with a warning (the message)."""


class Bomb(Skipped):
    """Compressed data that expands past what ``MAX_RATIO`` allows."""


BOMB = f"expands to more than {MAX_RATIO} times its compressed size (a zip bomb?)"


class Expansion:
    """How far the compressed data of one file or archive may expand: the bytes taken
    out of it against the compressed bytes read (``consumed``).  Past ``RATIO_FLOOR``,
    more than ``MAX_RATIO`` times as many is a zip bomb, not text (text compresses 3 to
    10 times): one bound for all the members of an archive, so that neither one member
    nor many small ones hold more memory than the archive's size allows."""

    def __init__(self, consumed: Callable[[], int]) -> None:
        self.consumed = consumed
        self.kept = 0  # the bytes taken so far

    def exceeded(self, pending: int) -> bool:
        """Whether ``pending`` more bytes go past the bound."""
        out = self.kept + pending
        return out > RATIO_FLOOR and out > MAX_RATIO * self.consumed()

    def take(self, stream: IO[bytes], name: str, report: Callable[[], None] | None) -> bytes:
        """The rest of ``stream`` (``name``: whose it is), read in chunks and refused
        (``Skipped``, ``Bomb``) as soon as it is too big, never held twice."""
        import io

        buffer = io.BytesIO()  # ``getvalue`` hands over its bytes without a copy
        size = 0
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > MAX_MEMBER:
                raise Skipped(f"skipped {name}: more than 2 GiB uncompressed")
            if self.exceeded(size):
                raise Bomb(f"skipped {name}: {BOMB}")
            buffer.write(chunk)
            if report is not None:
                report()
        self.kept += size
        return buffer.getvalue()


def kind_of(name: str) -> Kind:
    """The format of ``name`` from its suffixes (any case)."""
    if name.endswith(".txt") and len(name) > 4:
        return Kind(name[:-4], "text", None)  # most files, at once (no other suffix ends so)
    lower = name.lower()
    for suffix in ARCHIVES:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return Kind(name[: -len(suffix)], "archive", None, "zip" if suffix == ".zip" else "tar")
    compression = None
    for suffix, method in COMPRESSIONS.items():
        if lower.endswith(suffix) and len(name) > len(suffix):
            name, lower, compression = name[: -len(suffix)], lower[: -len(suffix)], method
            break
    for suffix in RECORD_FORMATS:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return Kind(name[: -len(suffix)], suffix[1:], compression)
    if lower.endswith(".txt") and len(name) > 4:
        name = name[:-4]
    return Kind(name, "text", compression)


def member_kind(name: str) -> Kind | None:
    """The kind of an archive member that is read, or None (other files, nested archives)."""
    base = name.rsplit("/", 1)[-1]
    if not base or base.startswith("._") or name.startswith("__MACOSX/"):
        return None
    kind = kind_of(name)
    if kind.format == "archive":
        return None
    if kind.format == "text" and not name.lower().removesuffix(_suffix(kind.compression)).endswith(".txt"):
        return None
    return kind


def _suffix(compression: str | None) -> str:
    return next((s for s, m in COMPRESSIONS.items() if m == compression), "") if compression else ""


# --------------------------------------------------------------------------- globs


def expand_braces(pattern: str) -> list[str]:
    """``*.{txt,csv}{,.gz}`` → ``*.txt *.txt.gz *.csv *.csv.gz`` (shell brace expansion)."""
    match = re.search(r"\{([^{}]*,[^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [p for alt in match.group(1).split(",") for p in expand_braces(head + alt + tail)]


_GLOB_CHARS = re.compile(r"[*?\[\]]")


def name_matcher(pattern: str) -> Callable[[str], bool]:
    """A test of file names against ``pattern`` (fnmatch syntax plus ``{a,b}``)."""
    patterns = expand_braces(pattern)
    suffixes = tuple(p[1:] for p in patterns)
    case_sensitive = os.path.normcase("A") == "A"
    if case_sensitive and all(p.startswith("*") and not _GLOB_CHARS.search(p[1:]) for p in patterns):
        # The usual ``*.txt``-style globs (the default is 16 of them): a suffix test.
        return lambda name: name.endswith(suffixes)
    if len(patterns) == 1:
        single = patterns[0]
        return lambda name: fnmatch.fnmatch(name, single)
    regex = re.compile("|".join(fnmatch.translate(os.path.normcase(p)) for p in patterns))
    return lambda name: regex.match(os.path.normcase(name)) is not None


#: Left in a directory while ``corpus shard`` writes into it, removed once every shard
#: is written: a directory that holds it has an unfinished set of shards, not a corpus.
UNFINISHED = ".corpus-shard-unfinished"


def unfinished_shards(folder: str) -> CorpusError:
    """What reading a folder that ``corpus shard`` did not finish writing is."""
    return CorpusError(
        f"{folder}: an unfinished set of shards ('corpus shard' was interrupted, or is still "
        "writing): some documents are missing; write it again with 'corpus shard'"
    )


def files_of(root: Path, pattern: str) -> list[Path]:
    """Files under ``root`` whose name (or relative path, if ``pattern`` has a ``/``)
    matches ``pattern``, in path order."""
    return [Path(full) for _, full in relative_files(root, pattern)]


def relative_files(root: Path, pattern: str, warn: Warn | None = None) -> Iterator[tuple[str, str]]:
    """``files_of`` as (path relative to ``root`` with ``/``, full path) strings, as the
    walk finds them (a list of 650,000 pairs is 50 MB); ``warn`` hears of the
    directories that cannot be listed.

    ``os.walk`` and string operations: on 31,000 files ``Path.rglob``, ``relative_to``
    and ``Path`` comparisons cost a second.
    """
    patterns = expand_braces(pattern)
    if any("/" in p or os.sep in p for p in patterns):
        unique = {p for pat in patterns for p in root.rglob(pat) if p.is_file()}
        for folder in sorted({root, *(p.parent for p in unique)}):
            if os.path.lexists(folder / UNFINISHED):
                raise unfinished_shards(str(folder))
        for p in sorted(unique, key=lambda p: p.parts):
            yield p.relative_to(root).as_posix(), str(p)
        return
    matches = name_matcher(pattern)

    def unlisted(error: OSError) -> None:
        if warn is not None:
            warn(f"skipped {error.filename}: {error.strerror or error}")

    def listed(folder: str) -> Iterator[os.DirEntry[str]]:
        try:
            with os.scandir(folder) as entries:
                return iter(sorted(entries, key=attrgetter("name")))
        except OSError as error:
            unlisted(error)
            return iter(())

    # A depth-first walk with each directory's entries sorted by name yields the files
    # in ``Path.parts`` order, so nothing is sorted afterwards.  Directories as
    # ``os.walk`` sees them: a symbolic link to one is not followed, and an entry that
    # cannot be examined (a link loop) counts as a file, so that reading it says why.
    stack = [(listed(str(root)), "")]
    while stack:
        entries, prefix = stack[-1]
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                if entry.name == UNFINISHED:
                    raise unfinished_shards(os.path.dirname(entry.path))
                if matches(entry.name):
                    yield prefix + entry.name, entry.path
            elif not entry.is_symlink():
                stack.append((listed(entry.path), f"{prefix}{entry.name}/"))
                break
        else:
            stack.pop()


# --------------------------------------------------------------------------- encodings


def check_encoding(name: str | None) -> str | None:
    """The codec's canonical name, or ``CorpusError`` for an unknown or non-text one."""
    if name is None:
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise CorpusError(f"--encoding: unknown encoding '{name}'") from None
    if not getattr(info, "_is_text_encoding", True):  # base64, rot13, zlib...
        raise CorpusError(f"--encoding: '{name}' is not a text encoding")
    return info.name


def _cp1256_arabic_bytes() -> bytes:
    table = bytes(range(128, 256)).decode("cp1256")
    return bytes(b for b, char in zip(range(128, 256), table, strict=True) if "\u0600" <= char <= "\u06ff")


_HIGH = bytes(range(128, 256))
_ARABIC_CP1256: bytes | None = None
_CP1256_WORD: re.Pattern[bytes] | None = None


def looks_cp1256(data: bytes) -> bool:
    """Whether ``data`` (not UTF-8) is Arabic in CP-1256: it has Arabic letters, they
    make at least 80 % of its non-ASCII bytes, and most of them stand in words of two
    letters or more.

    Every byte is defined in CP-1256, so decoding proves nothing: Latin-1 text would
    decode too (as Latin letters mixed with stray Arabic ones), and so would a stray
    bad byte in UTF-8 text (one "Arabic letter" alone).
    """
    global _ARABIC_CP1256, _CP1256_WORD
    if _ARABIC_CP1256 is None or _CP1256_WORD is None:
        _ARABIC_CP1256 = _cp1256_arabic_bytes()
        _CP1256_WORD = re.compile(b"[" + re.escape(_ARABIC_CP1256) + b"]{2,}")
    high = len(data) - len(data.translate(None, _HIGH))
    arabic = len(data) - len(data.translate(None, _ARABIC_CP1256))
    if not (arabic > 0 and arabic * 5 >= high * 4):
        return False
    in_words = sum(len(word) for word in _CP1256_WORD.findall(data))
    if in_words * 2 < arabic:
        return False
    # Latin-1 with accented capitals, ñ or ó passes the count (Ä Ö Ñ are Arabic letters
    # or marks in CP-1256) but puts them inside Latin words: "niٌo", "ضFFNUNG".
    glued = len(_GLUED_TO_LATIN.findall(data.decode("cp1256")))
    return glued * 20 <= arabic


#: An Arabic character written against a Latin letter: in Arabic text, almost never.
_GLUED_TO_LATIN = re.compile("[A-Za-z][\u0600-\u06ff]|[\u0600-\u06ff][A-Za-z]")


class Damaged(NamedTuple):
    """``data`` (not UTF-8) read as UTF-8, each bad sequence as U+FFFD.

    A place of damage (a stray byte, a cut character) is a run of bad sequences: a
    byte dropped into a character spoils the character's other bytes too.
    """

    text: str
    bad: int  # the bad sequences
    places: int  # the runs of them
    good: int  # the non-ASCII characters that are good UTF-8

    @classmethod
    def of(cls, data: bytes) -> Damaged:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.count("\ufffd".encode())
        non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
        return cls(text, bad, len(re.findall("\ufffd+", text)), non_ascii - bad)

    @property
    def mostly_utf8(self) -> bool:
        """Four good non-ASCII characters or more for each place of damage: UTF-8 text
        (in Arabic, say) with a damaged or truncated character.  Text in another
        encoding read as UTF-8 has next to no good character: its non-ASCII bytes
        rarely make one."""
        return self.places * 4 <= self.good

    @property
    def few(self) -> bool:
        """One place of damage, or at most one in 1,000 characters: stray bytes in
        mostly-ASCII UTF-8.  Prose in Latin-1 has several accented letters in 1,000
        characters (Italian 4, German 15, French 32)."""
        return self.places == 1 or self.places * 1000 <= len(self.text)


def decode_text(data: bytes, name: str, encoding: str | None = None, warn: Warn | None = None) -> str:
    """Bytes of a file to its text (BOM dropped, CRLF and CR read as ``\\n``).

    Raises ``Skipped`` saying why it is not text.  ``encoding`` is a checked codec name.
    """
    if encoding is None and data[:2] in _WIDE_BOMS:
        return _decode_wide(data, name, warn)
    wide = encoding is not None and encoding.startswith(("utf-16", "utf-32"))
    if not wide and b"\x00" in data:  # anywhere, as grep and ripgrep see it: a memchr
        raise Skipped(f"skipped {name}: binary file (NUL bytes)")
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise Skipped(
                f"skipped {name}: not {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start})"
            ) from None
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            # CP-1256 only when it is Arabic in CP-1256 and not UTF-8 with damage.
            damaged = Damaged.of(data)
            cp1256 = not damaged.mostly_utf8 and looks_cp1256(data)
            if cp1256:
                text = data.decode("cp1256")
                if warn:
                    warn(f"{name}: not UTF-8, read as CP-1256 (Windows Arabic); --encoding to choose")
            elif damaged.mostly_utf8 or damaged.few:
                text = damaged.text
                if warn:
                    warn(
                        f"{name}: {damaged.bad} invalid UTF-8 sequence(s) read as U+FFFD (the first: "
                        f"byte 0x{data[exc.start]:02x} at offset {exc.start})"
                    )
            else:
                raise Skipped(
                    f"skipped {name}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}) "
                    "nor Arabic in CP-1256; see --encoding"
                ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


#: The first two bytes of the BOMs of UTF-16 and UTF-32 (little and big endian).
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE[:2])


def wide_encoding(data: bytes) -> str | None:
    """The encoding that the BOM of ``data`` names, if it is UTF-16 or UTF-32."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # before UTF-16, whose BOM begins that of UTF-32 little endian
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _decode_wide(data: bytes, name: str, warn: Warn | None) -> str:
    """``decode_text`` for a file whose BOM says UTF-16 or UTF-32: NUL bytes are then
    half its characters, not the sign of a binary file."""
    encoding = wide_encoding(data)
    if encoding is None:
        raise Skipped(f"skipped {name}: binary file (NUL bytes)")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        text = data.decode(encoding, errors="replace")
        if warn:
            warn(f"{name}: invalid {encoding.upper()} read as U+FFFD (the first at offset {exc.start})")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _below_ef(data: bytes) -> bool:
    """No character from U+F000 on in ``data`` read as UTF-8 (or as CP-1256, which has
    none): no byte 0xEF but that of a leading BOM.  A ``memchr``, not a scan."""
    return data.find(b"\xef", 3 if data.startswith(codecs.BOM_UTF8) else 0) == -1


def read_regular(path: str | Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file, in four system calls and no file
    object (most of a cold search over many small files is this); None for anything
    else (``open_input`` then deals with it)."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    try:
        info = os.fstat(fd)
        if not S_ISREG(info.st_mode) or info.st_size >= _LARGE:
            return None
        data = os.read(fd, info.st_size + 1)
        if len(data) <= info.st_size:
            return data  # to the end: a read asked for more than there was
        chunks = [data]  # the file grew since fstat: read on to its end
        while chunk := os.read(fd, CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


#: From this size on a file is read by ``open_input``'s file object (one ``read`` stops
#: short of 2 GiB on Linux).
_LARGE = 1 << 30


def open_input(path: str | Path, name: str) -> IO[bytes]:
    """``open(path, "rb")`` for what can be read to its end without waiting for ever.

    A FIFO is read when a writer holds it (``--corpus <(command)``); one that nobody
    writes to would block the read for ever, and is skipped.  Devices and sockets are
    skipped.  Opened without blocking, so that the test itself cannot block.
    """
    import io
    import stat

    # Unbuffered: ``read()`` is then one ``readall`` sized by the file (the fastest way
    # from Python to a file's bytes, and most of a cold search over many small files).
    raw = open(os.open(path, os.O_RDONLY | _NONBLOCK), "rb", buffering=0)
    mode = os.fstat(raw.fileno()).st_mode
    if stat.S_ISREG(mode):
        return raw
    with raw:
        if not stat.S_ISFIFO(mode):
            raise Skipped(f"skipped {name}: not a regular file")
        try:
            head = os.read(raw.fileno(), CHUNK)
        except BlockingIOError:
            head = None  # a writer holds it: its text is on the way
        if head == b"":
            raise Skipped(f"skipped {name}: a FIFO that nothing is written to")
        os.set_blocking(raw.fileno(), True)
        return io.BytesIO((head or b"") + raw.read())


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


# --------------------------------------------------------------------------- progress


class Meter:
    """Progress in bytes of the named files: a file's share advances as it is read."""

    def __init__(self, progress: Progress | None, files: Iterable[str | Path | None]) -> None:
        self.progress = progress
        self.sizes: dict[str, int] = {}
        if progress is not None:
            for path in files:
                if path is not None and str(path) not in self.sizes:
                    try:
                        self.sizes[str(path)] = os.stat(path).st_size
                    except OSError:
                        self.sizes[str(path)] = 0
        self.total = sum(self.sizes.values())
        self.base = 0
        self.size = 0

    def start(self, path: str | Path | None) -> None:
        self.size = self.sizes.get(str(path), 0) if path is not None else 0

    def at(self, fraction: float) -> None:
        """The current file is read up to ``fraction``."""
        if self.progress is not None and self.total:
            self.progress(self.base + int(self.size * min(max(fraction, 0.0), 1.0)), self.total)

    def done(self) -> None:
        self.base += self.size
        self.size = 0
        if self.progress is not None:
            self.progress(self.base, self.total)


# --------------------------------------------------------------------------- reading


class Reader:
    """Reads the sources of a corpus into ``Item``s."""

    def __init__(
        self,
        options: ReadOptions,
        warn: Warn | None = None,
        meter: Meter | None = None,
    ) -> None:
        self.options = options._replace(encoding=check_encoding(options.encoding))
        #: Text files are line records of these fields (``--text-field 'sura|aya|text'``).
        self.layout = LineLayout.of(options.text_field)
        self.warn_fn = warn
        self.meter = meter or Meter(None, [])

    def warn(self, message: str) -> None:
        if self.warn_fn is not None:
            self.warn_fn(message)

    def read_file(self, doc_id: str, path: str | Path) -> list[Item]:
        """The documents of the file at ``path`` (``doc_id``: its id before suffixes
        are dropped, i.e. its name relative to the corpus argument)."""
        meter = self.meter if self.meter.progress is not None else None  # none: a hot loop
        if meter is not None:
            meter.start(path)
        try:
            return self._read_file(doc_id, path)
        except Skipped as exc:
            self.warn(str(exc))
            return []
        finally:
            if meter is not None:
                meter.done()

    def read_stdin(self, data: bytes) -> list[Item]:
        try:
            return [Item("stdin", "<stdin>", self.decode(data, "<stdin>"), {})]
        except Skipped as exc:
            self.warn(str(exc))
            return []

    def decode(self, data: bytes, name: str) -> str:
        return decode_text(data, name, self.options.encoding, self.warn)

    def _read_file(self, doc_id: str, path: str | Path) -> list[Item]:
        name = str(path)
        kind = kind_of(doc_id)
        if kind.format == "archive":
            return self._read_archive(kind, path)
        # Progress: decompressing a record file is its first half, its records the second.
        split = 0.5 if kind.compression is not None and kind.format != "text" else 1.0
        try:
            data = read_regular(path) if kind.format == "text" and kind.compression is None else None
            if data is None:
                with open_input(path, name) as raw:
                    if kind.compression is None:
                        data = raw.read()
                    else:
                        data = self._decompress(raw, kind.compression, name, self._position(raw, split))
        except OSError as exc:
            # A named path that cannot be read is an error before reading starts
            # (``corpus.sources``): here it is a file met in a directory.
            raise Skipped(f"skipped {name}: {exc.strerror or exc}") from None
        return self.items(kind, data, name, share=(0.0 if split == 1.0 else split, 1.0))

    def _position(self, raw: IO[bytes], scale: float = 1.0) -> Callable[[], None]:
        """Reports the current file's progress from the position of its raw stream."""
        size = self.meter.size

        def report() -> None:
            if size:
                self.meter.at(scale * raw.tell() / size)

        return report

    def items(
        self, kind: Kind, data: bytes, name: str, *, share: tuple[float, float] | None = (0.0, 1.0)
    ) -> list[Item]:
        """The documents in ``data``, the content of a file of ``kind`` named ``name``.

        ``share``: the part of the current file's progress that its records cover (None:
        the caller reports progress).
        """
        text = self.decode(data, name)
        if kind.format == "text" and self.layout is None:
            known = self.options.encoding is None and data[:2] not in _WIDE_BOMS and _below_ef(data)
            return [Item(kind.stem, name, text, {}, known)]
        return list(self._records(kind, text, name, share))

    # ------------------------------------------------------------------- compression

    def _decompress(
        self,
        raw: IO[bytes],
        method: str,
        name: str,
        report: Callable[[], None] | None,
        expansion: Expansion | None = None,
    ) -> bytes:
        """The content of compressed ``raw``; ``expansion``: the bound it is held to (by
        default its own: ``raw``'s position is the compressed bytes read)."""
        import importlib

        module: Any = importlib.import_module(method)
        if expansion is None:
            expansion = Expansion(raw.tell)
        try:
            with module.open(raw, "rb") as stream:
                return expansion.take(stream, name, report)
        except Skipped:
            raise
        except Exception as exc:  # each codec has its own errors for damaged data
            raise Skipped(f"skipped {name}: damaged {_suffix(method)[1:]} data ({exc})") from None

    # ------------------------------------------------------------------- archives

    def _read_archive(self, kind: Kind, path: str | Path) -> list[Item]:
        """The documents of the members of an archive, read one at a time: a member's
        bytes are let go before the next is read."""
        name = str(path)
        try:
            raw = open(path, "rb")  # closed by the with below
        except OSError as exc:
            raise CorpusError(f"{name}: {exc.strerror or exc}") from None
        with raw:
            members = self._zip_members(raw, name) if kind.archive == "zip" else self._tar_members(raw, name)
            found: list[tuple[list[str], list[Item]]] = []
            for member, data, expansion, report in members:
                inner = member_kind(member)
                if inner is not None:
                    member_name = f"{name}/{member}"
                    inner = inner._replace(stem=f"{kind.stem}/{inner.stem}")
                    try:
                        if inner.compression is not None:
                            import io

                            packed = len(data)
                            data = self._decompress(
                                io.BytesIO(data), inner.compression, member_name, None, expansion
                            )
                            expansion.kept -= packed  # counted as what it expands to
                        found.append((member.split("/"), self.items(inner, data, member_name, share=None)))
                    except Skipped as exc:
                        self.warn(str(exc))
                    report()
                del data
        found.sort(key=lambda pair: pair[0])
        return [item for _, items in found for item in items]

    def _zip_members(
        self, raw: IO[bytes], name: str
    ) -> Iterator[tuple[str, bytes, Expansion, Callable[[], None]]]:
        import functools
        import zipfile

        try:
            archive = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, OSError) as exc:
            raise Skipped(f"skipped {name}: not a zip archive ({exc})") from None
        with archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            total = sum(i.compress_size for i in infos) or 1
            read = packed = current = 0
            expansion = Expansion(lambda: packed + current)
            for info in infos:
                read += info.compress_size
                member = _member_path(info.filename)
                if member is None or member_kind(member) is None:
                    continue
                member_name = f"{name}/{member}"
                if info.file_size > MAX_MEMBER:
                    self.warn(f"skipped {member_name}: more than 2 GiB")
                    continue
                # The bound counts the members kept: a skipped one lends the next nothing.
                current = info.compress_size
                # A member never holds more than its declared size (``zipfile`` stops there).
                if expansion.exceeded(info.file_size):
                    self.warn(f"skipped {member_name}: {BOMB}")
                    continue
                try:
                    with archive.open(info) as stream:
                        data = expansion.take(stream, member_name, None)
                except Skipped as exc:
                    self.warn(str(exc))
                    continue
                except Exception as exc:  # encrypted, damaged, unsupported compression
                    self.warn(f"skipped {member_name}: cannot read it from the archive ({exc})")
                    continue
                finally:
                    current = 0
                packed += info.compress_size
                yield member, data, expansion, functools.partial(self.meter.at, read / total)
                del data

    def _tar_members(
        self, raw: IO[bytes], name: str
    ) -> Iterator[tuple[str, bytes, Expansion, Callable[[], None]]]:
        import tarfile

        report = self._position(raw)
        expansion = Expansion(raw.tell)
        try:
            # Stream mode: one pass, no seeking back into compressed data.
            archive = tarfile.open(fileobj=raw, mode="r|*")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise Skipped(f"skipped {name}: not a tar archive ({exc})") from None
        with archive:
            try:
                for info in archive:
                    member = _member_path(info.name)
                    if not info.isfile() or member is None or member_kind(member) is None:
                        continue
                    if info.size > MAX_MEMBER:
                        self.warn(f"skipped {name}/{member}: more than 2 GiB")
                        continue
                    stream = archive.extractfile(info)
                    if stream is None:
                        continue
                    try:
                        data = expansion.take(stream, f"{name}/{member}", None)
                    except Bomb:  # the whole stream expands so: read no further
                        self.warn(f"skipped {name}/{member} and the rest of the archive: {BOMB}")
                        return
                    yield member, data, expansion, report
                    del data
            except Skipped:
                raise
            except Exception as exc:  # truncated or damaged archive: keep what was read
                self.warn(f"{name}: damaged archive, read up to the damage ({exc})")

    # ------------------------------------------------------------------- records

    def _records(self, kind: Kind, text: str, name: str, share: tuple[float, float] | None) -> Iterator[Item]:
        options, layout = self.options, self.layout
        text_field = options.text_field if layout is None else layout.text_field
        id_field = options.id_field
        problems = _Problems(self, name)
        without_id = 0
        if kind.format == "jsonl":
            rows = _json_rows(text)
        elif kind.format == "text" and layout is not None:
            rows = _line_rows(text, layout)
        else:
            rows = _table_rows(text, kind.format, name, text_field, self.warn)
        length = len(text) or 1
        for number, position, record, error in rows:
            if share is not None and number % PROGRESS_EVERY == 0:
                self.meter.at(share[0] + (share[1] - share[0]) * position / length)
            if error is not None or record is None:
                problems.add(number, error or "not a record")
                continue
            body = record.get(text_field)
            if body is None:
                fields = ", ".join(k for k in record if k) or "none"
                problems.add(number, f"no field '{text_field}'", f" (fields: {fields}; see --text-field)")
                continue
            try:
                body = _string(body)
                value = record.get(id_field) if id_field is not None else None
                doc_id = _string(value) if value is not None else ""
                meta = {
                    key: _string(value)
                    for key, value in record.items()
                    if key not in (text_field, id_field) and key and value is not None
                }
            except RecursionError:  # a value nested too deeply for ``json.dumps``
                problems.add(number, TOO_DEEP)
                continue
            if "\r" in body:
                body = body.replace("\r\n", "\n").replace("\r", "\n")
            if id_field is not None and not doc_id:
                without_id += 1
            yield Item(doc_id or f"{kind.stem}:{number}", f"{name}:{number}", body, meta)
        problems.close()
        if without_id:
            self.warn(f"{name}: {without_id} record(s) without field '{id_field}': ids {kind.stem}:N used")


class _Problems:
    """Warnings about bad records: the first few in detail, then a count."""

    def __init__(self, reader: Reader, name: str) -> None:
        self.reader, self.name, self.count = reader, name, 0

    def add(self, number: int, problem: str, hint: str = "") -> None:
        self.count += 1
        if self.count <= RECORD_WARNINGS:
            self.reader.warn(f"skipped {self.name}:{number}: {problem}{hint if self.count == 1 else ''}")

    def close(self) -> None:
        if self.count > RECORD_WARNINGS:
            self.reader.warn(f"skipped {self.name}: {self.count - RECORD_WARNINGS:,} more bad records")


Row = tuple[int, int, dict[str, Any] | None, str | None]  # number, offset, record, error


def _numbered_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """The lines of ``text`` that hold more than spaces, each with its number among
    them (from 1) and its offset in ``text`` (lines end at ``\\n`` only, as records do)."""
    number = 0
    position = 0
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end == -1 else end
        line = text[position:end]
        offset, position = position, end + 1
        if line.strip():
            number += 1
            yield number, offset, line


def _line_rows(text: str, layout: LineLayout) -> Iterator[Row]:
    """The non-empty lines of ``text`` as records of ``layout``'s fields; the fields
    before the text lose the spaces around them."""
    names, separator = layout.names, layout.separator
    before = len(names) - 1
    for number, offset, line in _numbered_lines(text):
        values = line.split(separator, before)
        if len(values) <= before:
            found = f"{len(values)} field{'s' if len(values) > 1 else ''}"
            yield number, offset, None, f"{found}, not {len(names)} ('{layout.describe()}')"
            continue
        record = {name: value.strip() for name, value in zip(names[:before], values, strict=False)}
        record[names[-1]] = values[-1]
        yield number, offset, record, None


def _json_rows(text: str) -> Iterator[Row]:
    import json

    for number, offset, line in _numbered_lines(text):
        try:
            record = json.loads(line)
            if isinstance(record, dict) and ("\\u" in line or "\\U" in line):
                record = _without_surrogates(record)
        except ValueError as exc:
            yield number, offset, None, f"invalid JSON ({getattr(exc, 'msg', exc)})"
            continue
        except RecursionError:
            yield number, offset, None, TOO_DEEP
            continue
        if not isinstance(record, dict):
            yield number, offset, None, "not a JSON object"
            continue
        yield number, offset, record, None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` (changed in place) with each lone surrogate (a ``\\ud800`` escape that
    JSON allows and no text encoding can write) read as U+FFFD, as invalid UTF-8 is.

    A loop, not a recursion: any depth that ``json.loads`` reads is walked.
    """

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _SURROGATE.sub("\ufffd", value)
        if isinstance(value, dict | list):
            pending.append(value)
        return value

    pending: list[dict[str, Any] | list[Any]] = [record]
    while pending:
        container = pending.pop()
        if isinstance(container, dict):
            pairs = list(container.items())
            container.clear()
            for key, value in pairs:
                container[clean(key)] = clean(value)
        else:
            container[:] = [clean(value) for value in container]
    return record


def _table_rows(text: str, fmt: str, name: str, text_field: str, warn: Warn) -> Iterator[Row]:
    import csv
    import io

    csv.field_size_limit(min(MAX_MEMBER, 2**31 - 1))  # a whole article is one field
    delimiter = "\t" if fmt == "tsv" else ","
    stream = io.StringIO(text)
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            return
        if text_field not in header:
            columns = ", ".join(h for h in header if h) or "none"
            unclosed = _open_quote(text, 0, delimiter)
            if unclosed is not None:
                columns += f"; the quote opened on line {_line(text, unclosed)} is never closed"
            raise Skipped(f"skipped {name}: no column '{text_field}' (columns: {columns}; see --text-field)")
        number = 0
        start = row_start = stream.tell()
        for row in reader:
            row_start, start = start, stream.tell()
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            number += 1
            yield number, start, dict(zip(header, row, strict=False)), None
    except csv.Error as exc:
        raise Skipped(f"skipped {name}: not valid {fmt.upper()} ({exc})") from None
    # A quote left open makes the last record hold the rest of the file, without an error.
    unclosed = _open_quote(text, row_start, delimiter)
    if unclosed is not None:
        warn(
            f"{name}: the quote opened on line {_line(text, unclosed)} is never closed: "
            f"record {number} holds the rest of the file"
        )


_QUOTED = re.compile(r'"(?:[^"]|"")*+"')


def _open_quote(text: str, start: int, delimiter: str) -> int | None:
    """The offset of a quote at or after ``start`` that opens a field and is never
    closed, or None.  As ``csv`` reads: a quote opens a field only as its first
    character, ``""`` inside is a quote, and what follows the closing one is text."""
    unquoted = re.compile(f"[^{re.escape(delimiter)}\n]*")
    position = start
    while position < len(text):
        if text[position] == '"':
            closed = _QUOTED.match(text, position)
            if closed is None:
                return position
            position = closed.end()
        end = unquoted.match(text, position)
        position = (end.end() if end is not None else position) + 1
    return None


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _string(value: Any) -> str:
    """Metadata as strings: JSON numbers and booleans as JSON writes them."""
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False)


def _member_path(name: str) -> str | None:
    """A member's path inside its archive, without ``./`` or a leading ``/``."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts) or None


def filter_where(
    documents: Iterable[Any], conditions: list[tuple[str, str]], warn: Warn | None = None
) -> list[Any]:
    """The documents whose metadata has every ``FIELD=VALUE`` of ``conditions``."""
    docs = list(documents)
    if not conditions:
        return docs
    if warn is not None:
        for field in dict.fromkeys(f for f, _ in conditions):
            if not any(field in d.meta for d in docs):
                warn(f"--where: no document has the field '{field}'")
    return [d for d in docs if all(d.meta.get(f) == v for f, v in conditions)]


def parse_where(values: Iterable[str]) -> list[tuple[str, str]]:
    """``FIELD=VALUE`` strings to pairs; ``CorpusError`` for a malformed one."""
    pairs = []
    for value in values:
        field, sep, wanted = value.partition("=")
        if not sep or not field.strip():
            raise CorpusError(f"--where: expected FIELD=VALUE, got '{value}'")
        pairs.append((field.strip(), wanted))
    return pairs
