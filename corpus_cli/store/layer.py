"""The token layer: every token of a corpus at a corpus position, as the Corpus Workbench
keeps a corpus (a token stream, a lexicon, an inverted list of positions per entry).

Positions count every token ``text.tokenize`` gives (words, numbers, URLs, emoji and
punctuation), document after document, in the order the index numbers documents: the
positions of ``corpus export --format vrt``.  Per position the layer keeps the lexicon id
of the token's spelling (``tok``) and its first character in its document (``start``; the
end is ``start`` plus the spelling's length).  Documents and sentences (``text.sentences``)
are the positions they start at; so are lines that hold a token, with their numbers in
their documents (``grep``'s line numbers).

The lexicon holds each spelling once, with its kind, sorted by code point (so a spelling is
found by binary search, without building a dictionary); each spelling has its key at the
layer's normalization (``norm``), and the keys are a sorted lexicon of their own with the
spellings of each.  Keys at another level, or with other ``--fold/--keep``, are a map over
the spellings (hundreds of thousands), never a pass over the tokens (millions).

One file holds it all: a header, then the arrays, each aligned to 8 bytes, read through a
memory map (``TokenLayer.open``) or from bytes (``build_layer``: a corpus without an index
gets the very same layer in memory).  Lookups use the standard library (``memoryview``);
computations over whole arrays use numpy (``arrays``), which only building needs for sure.
"""

from __future__ import annotations

import json
import os
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from ..errors import CorpusError
from ..text.sentences import SENTENCE_END, closes_sentence
from ..text.tokenize import Kind, Token, plain_kind, token_columns, tokenize

if TYPE_CHECKING:
    import numpy as np

    from ..text.normalize import Normalizer

MAGIC = b"corpus-cli token layer\n"
FORMAT = 1
#: Lexicon ids of kinds, as ``kinds`` stores them.
KINDS = (Kind.word, Kind.number, Kind.url, Kind.emoji, Kind.punct)
_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
#: A spelling whose key is empty (normalization deletes all of it) has no key id.
NO_KEY = 0xFFFFFFFF
#: The array types: uint32 everywhere but the UTF-8 text of the lexicons and the kinds.
_TYPES = {
    "tok": "I",
    "start": "I",
    "docs": "I",
    "sentences": "I",
    "lines": "I",
    "line_numbers": "I",
    "forms": "B",
    "form_offsets": "I",
    "form_lengths": "I",
    "kinds": "B",
    "form_keys": "I",
    "keys": "B",
    "key_offsets": "I",
    "key_form_offsets": "I",
    "key_forms": "I",
    "postings": "I",
    "posting_offsets": "I",
}


def missing_numpy() -> str:
    return "the token layer needs numpy: pip install 'corpus-cli[index]'"


def have_numpy() -> bool:
    import importlib.util

    return importlib.util.find_spec("numpy") is not None


class Part(NamedTuple):
    """The tokens of a batch of documents, their spellings numbered by the ``Numbering``
    of the process that made it: it carries the spellings new to that numbering only, so
    a worker sends each spelling once, and the builder looks each up once per worker."""

    spellings: list[str]  # the (spelling, kind) entries new to its ``Numbering``, in order
    kinds: bytes  # per new entry
    ids: bytes  # array('I'): per token, its entry's number in the ``Numbering``
    starts: bytes  # array('I'): per token, its first character in its document
    doc_tokens: bytes  # array('I'): per document, its tokens
    sentence_tokens: bytes  # array('I'): per sentence, its tokens
    line_tokens: bytes  # array('I'): per line that holds a token, its tokens
    line_numbers: bytes  # array('I'): per such line, its number in its document (from 1)
    first: int = 0  # the number of the first new entry


class Numbering:
    """(spelling, kind) entries numbered in order of first occurrence.

    A worker keeps one across its parts, so that a part carries only the spellings new
    to it; the builder keeps one for the corpus, and maps each worker's new entries to
    its own numbers once (a dictionary lookup costs a microsecond in a big lexicon: per
    entry of every part, it was most of the builder's time).  A spelling is keyed by
    itself, and by (spelling, kind) in the rare case it comes as a second kind too.
    """

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.other_kinds: dict[tuple[str, int], int] = {}
        self.spellings: list[str] = []
        self.kinds = bytearray()

    def __len__(self) -> int:
        return len(self.spellings)

    def number(self, np: Any, spellings: list[str], kinds: Any) -> Any:
        """The numbers of the entries ``spellings`` with ``kinds`` (uint8), new ones
        numbered: an int64 array."""
        count = len(spellings)
        table = np.fromiter(map(self.numbers.get, spellings, repeat(-1)), dtype=np.int64, count=count)
        new = np.flatnonzero(table < 0)
        names = list(map(spellings.__getitem__, new.tolist()))
        if len(dict.fromkeys(names)) == len(names):  # each new spelling once: numbered at once
            first = len(self.spellings)
            self.spellings += names
            self.kinds += kinds[new].tobytes()
            self.numbers.update(zip(names, range(first, first + len(names)), strict=True))
            table[new] = np.arange(first, first + len(names))
        for i in np.flatnonzero(self._unknown(np, table, kinds)).tolist():  # another kind: rare
            spelling, kind = spellings[i], int(kinds[i])
            number = self.numbers.get(spelling)
            if number is None or self.kinds[number] != kind:
                number = self._new(spelling, kind, number is None)
            table[i] = number
        return table

    def _unknown(self, np: Any, table: Any, kinds: Any) -> Any:
        """Which entries are still unnumbered, or known spellings as another kind (a
        function of its own: the view of ``self.kinds`` ends before it grows)."""
        ours = np.frombuffer(self.kinds, dtype=np.uint8)
        known = table >= 0
        unknown = ~known
        unknown[known] = ours[table[known]] != kinds[known]
        return unknown

    def _new(self, spelling: str, kind: int, first: bool) -> int:
        if not first:
            number = self.other_kinds.get((spelling, kind))
            if number is not None:
                return number
        number = len(self.spellings)
        self.spellings.append(spelling)
        self.kinds.append(kind)
        if first:
            self.numbers[spelling] = number
        else:
            self.other_kinds[(spelling, kind)] = number
        return number


def part_of(texts: Iterable[str], numbering: Numbering | None = None) -> Part:
    """Tokenize ``texts`` (documents) into lines, sentences and tokens.  Spellings are
    numbered in ``numbering`` (default: a new one), and the part carries the new ones.
    Needs numpy.

    Most texts are tokenized into columns (``token_columns``: no Python code per token);
    the others into ``tokenize``'s tuples, taken apart with the garbage collector
    waiting (a tuple per token, and not one cycle among them).  Kinds, numbering the
    spellings, lines and sentences (``text.sentences``' rules, the tests hold the two
    together) are array operations over the whole batch.
    """
    import gc

    import numpy as np

    spellings: list[str] = []
    starts: list[int] = []
    kinds: list[tuple[int, tuple[Kind, ...]]] = []  # the tokens of ``tokenize``: first, kinds
    doc_tokens: list[int] = []
    kept: list[str] = []
    for text in texts:
        columns = token_columns(text)
        if columns is not None:
            spellings += columns.spellings
            starts += columns.starts
            doc_tokens.append(len(columns.spellings))
        else:
            collecting = gc.isenabled()
            gc.disable()
            try:
                found = list(tokenize(text))
            finally:
                if collecting:
                    gc.enable()
            if found:
                spelled, began, _, kind = zip(*found, strict=True)
                kinds.append((len(spellings), kind))
                spellings += spelled
                starts += began
            doc_tokens.append(len(found))
        kept.append(text)
    return _part(
        np, spellings, starts, kinds, doc_tokens, kept, Numbering() if numbering is None else numbering
    )


_PUNCT = _KIND_CODE[Kind.punct]


def _part(
    np: Any,
    spellings: list[str],
    starts: list[int],
    kinds: list[tuple[int, tuple[Kind, ...]]],
    doc_tokens: list[int],
    texts: list[str],
    numbering: Numbering,
) -> Part:
    """``part_of`` once the tokens are lists: see there.  A token's kind is its
    spelling's ``plain_kind``, but for the runs of tokens in ``kinds``."""
    total = len(spellings)
    numbered = dict.fromkeys(spellings)  # in order of first occurrence, in C
    entries = list(numbered)
    number = dict(zip(entries, range(len(entries)), strict=True))
    del numbered
    ids = np.fromiter(map(number.__getitem__, spellings), dtype=np.uint32, count=total)
    code_of = {id(kind): code for kind, code in _KIND_CODE.items()}
    if sum(len(run) for _, run in kinds) < total:  # some from ``token_columns``
        plain_codes = np.fromiter(
            map(code_of.__getitem__, map(id, map(plain_kind, entries))), dtype=np.uint8, count=len(entries)
        )
        token_kinds = plain_codes[ids]
    else:  # ``plain_kind`` would compile the patterns of ``re`` for nothing
        token_kinds = np.zeros(total, dtype=np.uint8)
    for first, run in kinds:
        token_kinds[first : first + len(run)] = np.fromiter(
            map(code_of.__getitem__, map(id, run)), dtype=np.uint8, count=len(run)
        )
    entry_kinds = np.zeros(len(entries), dtype=np.uint8)
    entry_kinds[ids] = token_kinds
    other = np.flatnonzero(entry_kinds[ids] != token_kinds)
    if len(other):  # a spelling found as two kinds: an entry for each
        more: dict[tuple[str, int], int] = {}
        added = []
        for i in other.tolist():
            key = (spellings[i], int(token_kinds[i]))
            if key not in more:
                more[key] = len(entries)
                entries.append(key[0])
                added.append(key[1])
            ids[i] = more[key]
        entry_kinds = np.concatenate([entry_kinds, np.asarray(added, dtype=np.uint8)])

    # Where each token starts and ends in its document, and where the one before it ended.
    count = len(entries)
    lengths = np.fromiter(map(len, entries), dtype=np.int64, count=count)
    start = np.asarray(starts, dtype=np.int64) if total else np.zeros(0, dtype=np.int64)
    end = start + lengths[ids]
    sizes = np.asarray(doc_tokens, dtype=np.int64)
    firsts = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=firsts[1:])
    opens_doc = np.zeros(total, dtype=bool)
    opens_doc[firsts[:-1][sizes > 0]] = True
    before = np.zeros(total, dtype=np.int64)  # ``last`` of text.sentences: 0 at a document's start
    before[1:] = end[:-1]
    before[opens_doc] = 0
    # Line ends between a token and the one before it: the texts' newlines, counted.
    bases = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=bases[1:])
    base = np.repeat(bases[:-1], sizes)
    joined = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    newlines = np.flatnonzero(joined == 10)
    del joined
    lines_before = np.searchsorted(newlines, start + base)
    breaks = lines_before != np.searchsorted(newlines, before + base)

    opens_line = breaks | opens_doc
    line_firsts = np.flatnonzero(opens_line)
    line_numbers = 1 + lines_before[line_firsts] - np.searchsorted(newlines, base[line_firsts])

    # Sentences: a token goes on with a sentence that has its end when it ends one too
    # or closes what it opened (``closes_sentence``, decided per spelling: anywhere, or
    # only right after the token before it); a line end or any other token cuts.
    ends, closes, closes_adjacent = (np.zeros(count, dtype=bool) for _ in range(3))
    for entry in np.flatnonzero(entry_kinds == _PUNCT).tolist():
        spelling = entries[entry]
        ends[entry] = spelling in SENTENCE_END
        closes[entry] = closes_sentence(Token(spelling, 1, 1 + len(spelling), Kind.punct), 0)
        closes_adjacent[entry] = closes_sentence(Token(spelling, 0, len(spelling), Kind.punct), 0)
    is_end = ends[ids]
    goes_on = is_end | closes[ids] | (closes_adjacent[ids] & (start == before))
    # The sentence has its end after token t when one of the tokens since the last that
    # cut (or opened the document) is an end: every token in between went on.
    where = np.arange(total)
    last_cut = np.maximum.accumulate(np.where(breaks | ~goes_on | opens_doc, where, 0))
    last_end = np.maximum.accumulate(np.where(is_end, where, -1))
    ended = last_end >= last_cut
    opens_sentence = opens_line.copy()
    opens_sentence[1:] |= ended[:-1] & ~goes_on[1:]
    sentence_firsts = np.flatnonzero(opens_sentence)

    def sizes_of(firsts_of: Any) -> bytes:
        return np.diff(firsts_of, append=total).astype(np.uint32).tobytes()  # type: ignore[no-any-return]

    first = len(numbering)
    table = numbering.number(np, entries, entry_kinds).astype(np.uint32)
    return Part(
        numbering.spellings[first:],
        bytes(numbering.kinds[first:]),
        table[ids].tobytes(),
        start.astype(np.uint32).tobytes(),
        sizes.astype(np.uint32).tobytes(),
        sizes_of(sentence_firsts),
        sizes_of(line_firsts),
        line_numbers.astype(np.uint32).tobytes(),
        first,
    )


class LayerBuilder:
    """Parts added in corpus order, then ``finish``: the lexicons sorted, the keys of the
    normalizer, the inverted lists.  Needs numpy.

    The token ids and start offsets (4 bytes a token each) go to temporary files in
    ``spill`` as they come (in memory when None): memory holds the lexicon, not the corpus.
    """

    def __init__(self, spill: Path | None = None) -> None:
        import numpy as np

        self._np = np
        self.lexicon = Numbering()
        #: per source of parts (a worker's ``Numbering``): the number here of each of its entries
        self.tables: dict[int, Any] = {}
        self.tok = _Spill(spill)  # per token, its spelling's number in order of first occurrence
        self.starts = _Spill(spill)
        self.doc_tokens: list[Any] = []
        self.sentence_tokens: list[Any] = []
        self.line_tokens: list[Any] = []
        self.line_numbers: list[Any] = []

    def add(self, part: Part, source: int = 0) -> None:
        """Add ``part``, numbered by the ``Numbering`` of ``source``."""
        np = self._np
        table = self.tables.get(source, np.empty(0, dtype=np.uint32))
        if part.first != len(table):
            raise ValueError(f"a part numbered from {part.first} after {len(table)} entries of its source")
        kinds = np.frombuffer(part.kinds, dtype=np.uint8)
        new = self.lexicon.number(np, part.spellings, kinds).astype(np.uint32)
        table = self.tables[source] = np.concatenate([table, new])
        self.tok.append(table[np.frombuffer(part.ids, dtype=np.uint32)])
        self.starts.append(np.frombuffer(part.starts, dtype=np.uint32))
        self.doc_tokens.append(np.frombuffer(part.doc_tokens, dtype=np.uint32))
        self.sentence_tokens.append(np.frombuffer(part.sentence_tokens, dtype=np.uint32))
        self.line_tokens.append(np.frombuffer(part.line_tokens, dtype=np.uint32))
        self.line_numbers.append(np.frombuffer(part.line_numbers, dtype=np.uint32))

    def finish(self, normalizer: Normalizer, out: BinaryIO, identity: str = "") -> None:
        """Write the layer's file to ``out``: the token arrays copied from their
        temporary files, the inverted lists made as they are written."""
        from ..text.normalize import normalize_many

        np = self._np
        u4 = np.uint32
        lexicon, self.lexicon, self.tables = self.lexicon, Numbering(), {}
        count = len(lexicon)
        if lexicon.other_kinds:
            order = sorted(
                range(count), key=list(zip(lexicon.spellings, lexicon.kinds, strict=True)).__getitem__
            )
        else:  # each spelling once: sorted by itself (a key function in C)
            order = sorted(range(count), key=lexicon.spellings.__getitem__)
        rank = np.empty(count, dtype=u4)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(count, dtype=u4)
        spellings = list(map(lexicon.spellings.__getitem__, order))
        kinds = np.frombuffer(bytes(lexicon.kinds), dtype=np.uint8)[np.asarray(order, dtype=np.int64)]
        del order, lexicon
        total = len(self.tok)
        if total >= NO_KEY:
            raise CorpusError("a corpus of 2^32 tokens or more is beyond the token layer")
        frequencies = np.zeros(count, dtype=np.int64)
        for first, chunk in self.tok.chunks(np, READ_CHUNK):  # the ids become ranks, in place
            np.take(rank, chunk, out=chunk)
            self.tok.put(first, chunk)
            frequencies += np.bincount(chunk, minlength=count)
        del rank
        docs = _firsts(np, self.doc_tokens)
        sentence_starts = _firsts(np, self.sentence_tokens)
        line_starts = _firsts(np, self.line_tokens)
        line_numbers = np.concatenate(self.line_numbers) if self.line_numbers else np.empty(0, dtype=u4)

        forms, form_offsets = _texts(np, spellings)
        form_lengths = np.fromiter(map(len, spellings), dtype=u4, count=count)
        keys_of = normalize_many(spellings, normalizer)
        keys = sorted({k for k in keys_of.values() if k})
        key_number = {k: i for i, k in enumerate(keys)}
        form_keys = np.fromiter(
            map(key_number.get, map(keys_of.__getitem__, spellings), repeat(NO_KEY)), dtype=u4, count=count
        )
        del keys_of, key_number, spellings
        key_text, key_offsets = _texts(np, keys)
        by_key = np.argsort(form_keys, kind="stable").astype(u4)
        keyed = int(np.count_nonzero(form_keys != NO_KEY))
        key_forms = by_key[:keyed]
        key_form_offsets = _offsets(np, np.bincount(form_keys[key_forms], minlength=len(keys)))
        arrays = {
            "tok": self.tok,
            "start": self.starts,
            "docs": docs,
            "sentences": sentence_starts,
            "lines": line_starts,
            "line_numbers": line_numbers,
            "forms": forms,
            "form_offsets": form_offsets,
            "form_lengths": form_lengths,
            "kinds": kinds,
            "form_keys": form_keys,
            "keys": key_text,
            "key_offsets": key_offsets,
            "key_form_offsets": key_form_offsets,
            "key_forms": key_forms,
            "postings": _Postings(np, self.tok, frequencies),
            "posting_offsets": _offsets(np, frequencies),
        }
        try:
            _write_arrays(out, arrays, {"steps": list(normalizer.active_steps), "id": identity})
        finally:
            self.tok.close()
            self.starts.close()


#: Characters of documents that ``build_layer`` tokenizes into one part.
PART_SIZE = 4 << 20
#: Tokens read from a temporary file at a time (4 bytes each).
READ_CHUNK = 1 << 22
#: Positions sorted at a time into the inverted lists (``_Postings``), 8 bytes each.
SORT_CHUNK = 1 << 24


class _Spill:
    """A uint32 array kept in a temporary file as it grows (an unnamed one: nothing is
    left behind, however the build ends), or in memory."""

    def __init__(self, folder: Path | None) -> None:
        import io
        import tempfile

        self.file: Any = tempfile.TemporaryFile(dir=folder) if folder is not None else io.BytesIO()
        self.count = 0

    def append(self, values: Any) -> None:
        self.file.write(memoryview(values).cast("B"))
        self.count += len(values)

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        return 4 * self.count

    def chunks(self, np: Any, size: int) -> Iterator[tuple[int, Any]]:
        """(first position, values) of ``size`` values at a time, each a new array."""
        for first in range(0, self.count, size):
            chunk = np.empty(min(size, self.count - first), dtype=np.uint32)
            self.file.seek(4 * first)
            if self.file.readinto(memoryview(chunk).cast("B")) != chunk.nbytes:
                raise CorpusError("the token layer's temporary file was cut short")
            yield first, chunk

    def put(self, first: int, values: Any) -> None:
        self.file.seek(4 * first)
        self.file.write(memoryview(values).cast("B"))

    def write_to(self, out: BinaryIO) -> None:
        import shutil

        self.file.seek(0)
        shutil.copyfileobj(self.file, out, 1 << 22)

    def close(self) -> None:
        self.file.close()


class _Postings:
    """The inverted lists: the positions of ``tok`` ordered by spelling, then position,
    made as they are written.  The lists of a range of spellings at a time (about
    ``SORT_CHUNK`` positions; more for one spelling alone) are one sort of
    ``spelling << 32 | position`` keys, the fastest sort numpy has (a stable argsort of
    the ids takes seven times as long)."""

    def __init__(self, np: Any, tok: _Spill, frequencies: Any) -> None:
        self.np = np
        self.tok = tok
        self.frequencies = frequencies

    def __len__(self) -> int:
        return len(self.tok)

    @property
    def nbytes(self) -> int:
        return self.tok.nbytes

    def write_to(self, out: BinaryIO) -> None:
        for values in _sorted_lists(self.np, self.tok, self.frequencies):
            out.write(memoryview(values).cast("B"))


def _sorted_lists(np: Any, tok: _Spill, frequencies: Any) -> Iterator[Any]:
    """The postings of ``tok``, range of spellings after range (see ``_Postings``)."""
    ends = np.cumsum(frequencies)
    count = len(frequencies)
    first = 0
    while first < count:
        done = int(ends[first - 1]) if first else 0
        last = max(int(np.searchsorted(ends, done + SORT_CHUNK, side="right")), first + 1)
        keys = np.empty(int(ends[last - 1]) - done, dtype=np.uint64)
        filled = 0
        for offset, chunk in tok.chunks(np, READ_CHUNK):
            if first == 0 and last == count:  # every spelling: every position
                found = np.arange(len(chunk), dtype=np.uint64)
            else:
                found = np.flatnonzero((chunk >= first) & (chunk < last)).astype(np.uint64)
                chunk = chunk[found]
            put = keys[filled : filled + len(found)]
            put[:] = chunk
            put <<= np.uint64(32)
            put |= found + np.uint64(offset)
            filled += len(found)
        keys.sort()
        yield keys.astype(np.uint32)  # the low half: the positions
        first = last


def _firsts(np: Any, sizes: list[Any]) -> Any:
    """From sizes (documents', sentences') to the first position of each, and the end."""
    joined = np.concatenate(sizes) if sizes else np.empty(0, dtype=np.uint32)
    return _offsets(np, joined)


def _offsets(np: Any, sizes: Any) -> Any:
    out = np.zeros(len(sizes) + 1, dtype=np.uint64)
    np.cumsum(sizes, out=out[1:])
    if len(out) and out[-1] > NO_KEY:
        raise CorpusError("the token layer holds at most 2^32 tokens")
    return out.astype(np.uint32)


def _texts(np: Any, strings: Sequence[str]) -> tuple[Any, Any]:
    """Strings as one UTF-8 array and the byte offset of each (and of the end)."""
    encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
    text = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    lengths = np.fromiter(map(len, encoded), dtype=np.uint64, count=len(encoded))
    return text, _offsets(np, lengths)


def _write_arrays(out: BinaryIO, arrays: dict[str, Any], about: dict[str, Any]) -> None:
    """The file: magic, a JSON header (format, what was built with, where each array
    is), then the arrays at offsets aligned to 8 bytes.  An array is a numpy array, or
    what writes itself (``write_to``: ``_Spill``, ``_Postings``)."""
    places: dict[str, list[int]] = {}
    size = 0
    for name, values in arrays.items():
        size += -size % 8
        places[name] = [size, len(values)]
        size += values.nbytes
    header = json.dumps({"format": FORMAT, **about, "arrays": places}).encode("utf-8")
    head = MAGIC + len(header).to_bytes(4, "little") + header
    out.write(head + b"\0" * (-len(head) % 8))
    written = 0
    for values in arrays.values():
        out.write(b"\0" * (-written % 8))
        written += -written % 8
        if hasattr(values, "write_to"):
            values.write_to(out)
        else:
            out.write(values.data if values.flags.c_contiguous else values.tobytes())
        written += values.nbytes


class ArrayFile:
    """Arrays behind a header (``_write_arrays``), read from a memory map or from bytes."""

    def __init__(self, buffer: Any, source: str = "token layer") -> None:
        self.buffer = buffer
        view = memoryview(buffer)
        if bytes(view[: len(MAGIC)]) != MAGIC:
            raise CorpusError(f"{source}: not a token layer")
        size = int.from_bytes(view[len(MAGIC) : len(MAGIC) + 4], "little")
        start = len(MAGIC) + 4
        try:
            header = json.loads(bytes(view[start : start + size]))
        except ValueError:
            raise CorpusError(f"{source}: a damaged token layer") from None
        if not isinstance(header, dict):
            raise CorpusError(f"{source}: a damaged token layer")
        if header.get("format") != FORMAT:
            raise CorpusError(f"{source}: token layer format {header.get('format')} (expected {FORMAT})")
        self.header = header
        self.identity: str = header.get("id", "")
        self.steps: tuple[str, ...] = tuple(header.get("steps", ()))
        self._base = start + size + (-(start + size) % 8)
        self._view = view
        self._arrays: dict[str, memoryview] = {}

    @staticmethod
    def mapped(path: Path) -> Any:
        """The file at ``path`` as a read-only memory map, or None."""
        import mmap

        try:
            with open(path, "rb") as file:
                return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None

    def array(self, name: str) -> memoryview:
        """An array as a memoryview of its type (no copy)."""
        found = self._arrays.get(name)
        if found is None:
            offset, count = self.header["arrays"][name]
            kind = _TYPES[name]
            width = array(kind).itemsize
            at = self._base + offset
            if at + count * width > len(self._view):
                raise ValueError(f"array {name} runs past the end of the file")
            found = self._arrays[name] = self._view[at : at + count * width].cast("I" if kind == "I" else "B")
        return found

    def numpy(self, name: str) -> np.ndarray[Any, Any]:
        """An array as numpy sees it (no copy)."""
        import numpy as np

        offset, count = self.header["arrays"][name]
        return np.frombuffer(
            self.buffer, dtype=np.dtype(_TYPES[name]), count=count, offset=self._base + offset
        )


class TokenLayer(ArrayFile):
    """A token layer, read from a memory map or from bytes."""

    def __init__(self, buffer: Any, source: str = "token layer", path: Path | None = None) -> None:
        super().__init__(buffer, source)
        self.path = path  # the file it was read from (None: built in memory)
        # Built in memory from some of a corpus's documents (--doc, --where): the tokens
        # of each spelling in the whole corpus, by which its readings are ranked.
        self.corpus_counts: Callable[[], Mapping[str, int]] | None = None
        try:
            self.tok = self.array("tok")
            self.start = self.array("start")
            self.docs = self.array("docs")
            self.sentence_starts = self.array("sentences")
            self.line_starts = self.array("lines")
            self.line_numbers = self.array("line_numbers")
            self.lexicon_size = len(self.array("kinds"))
            self.key_count = len(self.array("key_offsets")) - 1
        except (KeyError, TypeError, ValueError):
            raise CorpusError(f"{source}: a damaged token layer") from None
        self.tokens = len(self.tok)
        self.documents = len(self.docs) - 1
        self.sentences = len(self.sentence_starts) - 1
        try:
            consistent = self._consistent()
        except (KeyError, TypeError, ValueError):
            consistent = False
        if not consistent:
            raise CorpusError(f"{source}: a damaged token layer")

    def _consistent(self) -> bool:
        """Do the arrays have the sizes and ends that one another imply (a cut or
        overwritten file fails here, not in the middle of a command)?"""
        n, forms, keys = self.tokens, self.lexicon_size, self.key_count
        sizes = {
            "start": n,
            "postings": n,
            "form_offsets": forms + 1,
            "form_lengths": forms,
            "form_keys": forms,
            "posting_offsets": forms + 1,
            "key_form_offsets": keys + 1,
            "line_numbers": len(self.line_starts) - 1,
        }
        if any(len(self.array(name)) != size for name, size in sizes.items()):
            return False
        ends = ("docs", "sentences", "lines", "posting_offsets")
        if any(len(self.array(name)) == 0 or self.array(name)[-1] != n for name in ends):
            return False
        return (
            self.array("form_offsets")[-1] == len(self.array("forms"))
            and self.array("key_offsets")[-1] == len(self.array("keys"))
            and self.array("key_form_offsets")[-1] == len(self.array("key_forms"))
        )

    @classmethod
    def open(cls, path: Path, identity: str | None = None) -> TokenLayer | None:
        """The layer in ``path`` through a memory map, or None when there is none there, or
        it is not the one ``identity`` names (an index and its layer are written together)."""
        mapped = cls.mapped(path)
        if mapped is None:
            return None
        try:
            layer = cls(mapped, str(path), path)
        except CorpusError:
            return None
        if identity is not None and layer.identity != identity:
            return None
        return layer

    def saved_keys(self, steps: Sequence[str]) -> tuple[Lexicon, memoryview] | None:
        """Keys at another normalization saved beside the layer (``save_keys``): the key
        lexicon and the key of each spelling, or None."""
        if self.path is None:
            return None
        mapped = self.mapped(_keys_path(self.path, steps))
        if mapped is None:
            return None
        try:
            saved = ArrayFile(mapped)
            if saved.identity != self.identity or list(saved.steps) != list(steps):
                return None
            of_form = saved.array("form_keys")
            if len(of_form) != self.lexicon_size:
                return None
            return Lexicon(saved.array("keys"), saved.array("key_offsets")), of_form
        except (CorpusError, KeyError, TypeError, ValueError):
            return None

    def save_keys(self, steps: Sequence[str], keys: Sequence[str], of_form: Sequence[int]) -> None:
        """Keep keys made at another normalization beside the layer, for the next command
        (written aside and renamed; where the folder is read-only, not kept)."""
        if self.path is None:
            return
        import numpy as np

        text, offsets = _texts(np, keys)
        arrays = {"keys": text, "key_offsets": offsets, "form_keys": np.asarray(of_form, dtype=np.uint32)}
        target = _keys_path(self.path, steps)
        aside = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with open(aside, "wb") as out:
                _write_arrays(out, arrays, {"steps": list(steps), "id": self.identity})
            os.replace(aside, target)
        except OSError:
            aside.unlink(missing_ok=True)

    def attribute(self, name: str) -> Attribute | None:
        """A lexicon-level attribute saved beside the layer (``save_attribute``), or None
        when there is none, or it was made for another build of the layer."""
        saved = self._saved_attribute(name)
        return None if saved is None else saved[0]

    def attribute_about(self, name: str) -> dict[str, Any] | None:
        """What attribute ``name`` was saved with (``save_attribute``'s ``about``; {} when
        none), or None when the layer has no such attribute (or one of another build)."""
        saved = self._saved_attribute(name)
        return None if saved is None else saved[1]

    def _saved_attribute(self, name: str) -> tuple[Attribute, dict[str, Any]] | None:
        if self.path is None:
            kept: dict[str, Attribute] = self.__dict__.get("_attributes", {})
            about: dict[str, dict[str, Any]] = self.__dict__.get("_attributes_about", {})
            return (kept[name], about.get(name, {})) if name in kept else None
        mapped = self.mapped(attribute_path(self.path, name))
        if mapped is None:
            return None
        try:
            saved = ArrayFile(mapped)
            if saved.identity != self.identity or saved.header.get("attribute") != name:
                return None
            first, offsets = saved.array("form_keys"), saved.array("key_form_offsets")
            values = Lexicon(saved.array("keys"), saved.array("key_offsets"))
            readings = saved.array("key_forms")
            if len(first) != self.lexicon_size or len(offsets) != self.lexicon_size + 1:
                return None
            if offsets[-1] != len(readings):
                return None
            about = saved.header.get("about", {})
            found = Attribute(values, first, offsets, readings, saved.header.get("made_by", ""))
            return found, about if isinstance(about, dict) else {}
        except (CorpusError, KeyError, TypeError, ValueError):
            return None

    def save_attribute(
        self,
        name: str,
        per_form: Sequence[Sequence[str]],
        made_by: str = "",
        about: Mapping[str, Any] | None = None,
    ) -> None:
        """Keep attribute ``name`` beside the layer: per spelling its values, the first
        one the spelling's own (none: no value); tied to this build of the layer.  A layer
        built in memory keeps it in memory, for the command.  ``about``: what it was made
        with, in the file's header (JSON; ``attribute_about``), so that a later command
        can tell whether it would make the same again."""
        import numpy as np

        values = sorted({v for vs in per_form for v in vs})
        number = {v: i for i, v in enumerate(values)}
        first = np.fromiter((number[vs[0]] if vs else NO_KEY for vs in per_form), dtype=np.uint32)
        readings = np.fromiter((number[v] for vs in per_form for v in vs), dtype=np.uint32)
        offsets = _offsets(np, np.fromiter(map(len, per_form), dtype=np.int64, count=len(per_form)))
        text, text_offsets = _texts(np, values)
        arrays = {
            "keys": text,
            "key_offsets": text_offsets,
            "form_keys": first,
            "key_form_offsets": offsets,
            "key_forms": readings,
        }
        if self.path is None:
            found = Attribute(
                Lexicon(text.data, text_offsets.data), first.data, offsets.data, readings.data, made_by
            )
            self.__dict__.setdefault("_attributes", {})[name] = found
            self.__dict__.setdefault("_attributes_about", {})[name] = dict(about or {})
            return
        target = attribute_path(self.path, name)
        aside = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with open(aside, "wb") as out:
                header: dict[str, Any] = {
                    "steps": [],
                    "id": self.identity,
                    "attribute": name,
                    "made_by": made_by,
                }
                if about:
                    header["about"] = dict(about)
                _write_arrays(out, arrays, header)
            os.replace(aside, target)
        except OSError as exc:
            aside.unlink(missing_ok=True)
            raise CorpusError(f"cannot write {target}: {exc.strerror}") from None

    # ------------------------------------------------------------------ the lexicons

    def form(self, number: int) -> str:
        offsets = self.array("form_offsets")
        return bytes(self.array("forms")[offsets[number] : offsets[number + 1]]).decode(
            "utf-8", "surrogatepass"
        )

    def kind(self, number: int) -> Kind:
        return KINDS[self.array("kinds")[number]]

    def key(self, number: int) -> str:
        offsets = self.array("key_offsets")
        return bytes(self.array("keys")[offsets[number] : offsets[number + 1]]).decode(
            "utf-8", "surrogatepass"
        )

    def forms(self) -> list[str]:
        """Every spelling, in lexicon order."""
        return _decoded(self.array("forms"), self.array("form_offsets"))

    def keys(self) -> list[str]:
        """Every key, in lexicon order."""
        return _decoded(self.array("keys"), self.array("key_offsets"))

    def find_form(self, spelling: str) -> range:
        """The lexicon ids of ``spelling`` (one per kind it was found as; usually one)."""
        text, offsets = self.array("forms"), self.array("form_offsets")
        first = _lower_bound(text, offsets, spelling.encode("utf-8", "surrogatepass"), self.lexicon_size)
        last = first
        while last < self.lexicon_size and self.form(last) == spelling:
            last += 1
        return range(first, last)

    def find_key(self, key: str) -> int | None:
        """The id of ``key`` in the key lexicon, or None."""
        text, offsets = self.array("keys"), self.array("key_offsets")
        wanted = key.encode("utf-8", "surrogatepass")
        at = _lower_bound(text, offsets, wanted, self.key_count)
        if at < self.key_count and bytes(text[offsets[at] : offsets[at + 1]]) == wanted:
            return at
        return None

    def forms_of_key(self, key_id: int) -> memoryview:
        """The lexicon ids of the spellings whose key is ``key_id`` (sorted)."""
        offsets = self.array("key_form_offsets")
        return self.array("key_forms")[offsets[key_id] : offsets[key_id + 1]]

    def key_of(self, number: int) -> int:
        """The key id of spelling ``number`` (``NO_KEY``: none)."""
        return int(self.array("form_keys")[number])

    def frequency(self, number: int) -> int:
        offsets = self.array("posting_offsets")
        return int(offsets[number + 1] - offsets[number])

    # ------------------------------------------------------------------ positions

    def postings(self, number: int) -> memoryview:
        """The sorted positions of spelling ``number``."""
        offsets = self.array("posting_offsets")
        return self.array("postings")[offsets[number] : offsets[number + 1]]

    def positions(self, numbers: Iterable[int]) -> list[int]:
        """The sorted positions of any of the spellings ``numbers``."""
        lists = [self.postings(n) for n in numbers]
        if len(lists) == 1:
            return lists[0].tolist()
        merged: list[int] = []
        for found in lists:
            merged.extend(found)
        merged.sort()
        return merged

    def document_of(self, position: int) -> int:
        """The number (from 0) of the document that holds ``position``."""
        return bisect_right(self.docs, position) - 1

    def sentence_of(self, position: int) -> int:
        return bisect_right(self.sentence_starts, position) - 1

    def line_of(self, position: int) -> int:
        """The number (from 1) in its document of the line that holds ``position``."""
        return int(self.line_numbers[bisect_right(self.line_starts, position) - 1])

    def span(self, position: int) -> tuple[int, int]:
        """The characters of the token at ``position`` in its document."""
        start = self.start[position]
        return start, start + self.array("form_lengths")[self.tok[position]]


class Attribute(NamedTuple):
    """A lexicon-level attribute (lemma, root, pos): its distinct values (a sorted
    lexicon), per spelling the number of its first value (``NO_KEY``: none), and per
    spelling all its values (CSR: ``readings[offsets[i]:offsets[i + 1]]``, first first)."""

    values: Lexicon
    first: memoryview
    offsets: memoryview
    readings: memoryview
    made_by: str


class Lexicon(Sequence[str]):
    """A sorted lexicon as a sequence of strings, each decoded when asked for (opening
    one costs nothing; decoding all 270,000 keys of saudinewsnet, 0.17 s)."""

    def __init__(self, text: memoryview, offsets: memoryview) -> None:
        self.text = text
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, number: Any) -> Any:
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        if number < 0:
            number += len(self)
        if not 0 <= number < len(self):
            raise IndexError(number)
        offsets = self.offsets
        return bytes(self.text[offsets[number] : offsets[number + 1]]).decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        return iter(_decoded(self.text, self.offsets))

    def find(self, entry: str) -> int | None:
        """The number of ``entry``, or None (a binary search)."""
        wanted = entry.encode("utf-8", "surrogatepass")
        at = _lower_bound(self.text, self.offsets, wanted, len(self))
        if at < len(self) and bytes(self.text[self.offsets[at] : self.offsets[at + 1]]) == wanted:
            return at
        return None


def _decoded(text: memoryview, offsets: memoryview) -> list[str]:
    whole = bytes(text)
    return [
        whole[offsets[i] : offsets[i + 1]].decode("utf-8", "surrogatepass") for i in range(len(offsets) - 1)
    ]


def _lower_bound(text: memoryview, offsets: memoryview, wanted: bytes, count: int) -> int:
    """The first entry not below ``wanted`` (UTF-8 sorts as code points do)."""
    low, high = 0, count
    while low < high:
        middle = (low + high) // 2
        if bytes(text[offsets[middle] : offsets[middle + 1]]) < wanted:
            low = middle + 1
        else:
            high = middle
    return low


def build_layer(texts: Iterable[str], normalizer: Normalizer) -> TokenLayer:
    """The token layer of ``texts`` (documents in order), in memory."""
    import io

    builder = LayerBuilder()
    numbering = Numbering()
    batch: list[str] = []
    size = 0
    for text in texts:  # a few megabytes at a time: a part's lists take 40 bytes a token
        batch.append(text)
        size += len(text)
        if size >= PART_SIZE:
            builder.add(part_of(batch, numbering))
            batch, size = [], 0
    if batch or not builder.doc_tokens:
        builder.add(part_of(batch, numbering))
    out = io.BytesIO()
    builder.finish(normalizer, out)
    return TokenLayer(out.getbuffer(), "the corpus")


def layer_path(index_path: Path) -> Path:
    """Where the token layer of the index at ``index_path`` is (beside it)."""
    return index_path.with_name(index_path.name + "-tokens")


def _keys_path(path: Path, steps: Sequence[str]) -> Path:
    """Where keys at the normalization of ``steps`` are kept beside the layer at ``path``."""
    import zlib

    return path.with_name(f"{path.name}-keys-{zlib.crc32(' '.join(steps).encode()):08x}")


def attribute_path(path: Path, name: str) -> Path:
    """Where attribute ``name`` is kept beside the layer at ``path`` (named as kept keys
    are, so that ``remove_layer`` removes it too)."""
    return path.with_name(f"{path.name}-keys-attribute-{name}")


def remove_layer(index_path: Path) -> None:
    """Delete the layer of the index at ``index_path`` and the keys kept beside it."""
    layer = layer_path(index_path)
    for path in [layer, *layer.parent.glob(f"{layer.name}-keys-*")]:
        try:
            os.unlink(path)
        except OSError:
            pass
