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
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from ..errors import CorpusError
from ..text.sentences import SENTENCE_END, closes_sentence
from ..text.tokenize import Kind, tokenize

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
    """The tokens of a batch of documents, with spellings numbered within the batch (so
    that a worker process can make it and send it cheaply)."""

    spellings: list[str]  # in order of first occurrence
    kinds: bytes  # per spelling
    ids: bytes  # array('I'): per token, its spelling's number in this part
    starts: bytes  # array('I'): per token, its first character in its document
    doc_tokens: bytes  # array('I'): per document, its tokens
    sentence_tokens: bytes  # array('I'): per sentence, its tokens
    line_tokens: bytes  # array('I'): per line that holds a token, its tokens
    line_numbers: bytes  # array('I'): per such line, its number in its document (from 1)


def part_of(texts: Iterable[str]) -> Part:
    """Tokenize ``texts`` (documents) into lines, sentences and tokens.

    Sentences as ``text.sentences`` cuts them (the tests hold the two together), its
    rules applied here in the one pass over the tokens: a third of the time.
    """
    numbers: dict[tuple[str, Kind], int] = {}
    spellings: list[str] = []
    kinds = bytearray()
    ids = array("I")
    starts = array("I")
    doc_tokens = array("I")
    sentence_tokens = array("I")
    line_tokens = array("I")
    line_numbers = array("I")
    punct = Kind.punct
    for text in texts:
        before = len(ids)
        line = 1
        line_began = before  # the position the current line began at
        sentence_began = before
        ended = False  # the sentence has its end; a run of more sentence ends joins it
        last = 0  # where the previous token ended
        count = text.count
        for token in tokenize(text):
            spelling, start, end, kind = token
            breaks = count("\n", last, start) if start > last else 0
            if kind is punct:
                is_end = spelling in SENTENCE_END
                goes_on = is_end or closes_sentence(token, last)
            else:
                is_end = goes_on = False
            here = len(ids)
            if here > sentence_began and (breaks or (ended and not goes_on)):
                sentence_tokens.append(here - sentence_began)
                sentence_began, ended = here, False
            if breaks or here == before:  # this token opens a line
                if here > before:
                    line_tokens.append(here - line_began)
                line += breaks
                line_numbers.append(line)
                line_began = here
            ended = ended or is_end
            last = end
            number = numbers.get((spelling, kind))
            if number is None:
                number = numbers[(spelling, kind)] = len(spellings)
                spellings.append(spelling)
                kinds.append(_KIND_CODE[kind])
            ids.append(number)
            starts.append(start)
        if len(ids) > before:
            sentence_tokens.append(len(ids) - sentence_began)
            line_tokens.append(len(ids) - line_began)
        doc_tokens.append(len(ids) - before)
    return Part(
        spellings,
        bytes(kinds),
        ids.tobytes(),
        starts.tobytes(),
        doc_tokens.tobytes(),
        sentence_tokens.tobytes(),
        line_tokens.tobytes(),
        line_numbers.tobytes(),
    )


class LayerBuilder:
    """Parts added in corpus order, then ``finish``: the lexicons sorted, the keys of the
    normalizer, the inverted lists.  Needs numpy."""

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        self.numbers: dict[str, int] = {}
        self.other_kinds: dict[tuple[str, int], int] = {}
        self.spellings: list[str] = []
        self.kinds = bytearray()
        self.tok: list[Any] = []
        self.starts: list[Any] = []
        self.doc_tokens: list[Any] = []
        self.sentence_tokens: list[Any] = []
        self.line_tokens: list[Any] = []
        self.line_numbers: list[Any] = []

    def add(self, part: Part) -> None:
        np = self._np
        numbers, kinds = self.numbers, self.kinds
        table = []
        for spelling, kind in zip(part.spellings, part.kinds, strict=True):
            number = numbers.get(spelling)
            if number is None or kinds[number] != kind:
                number = self._new(spelling, kind, number is None)
            table.append(number)
        table = np.asarray(table, dtype=np.uint32)
        self.tok.append(table[np.frombuffer(part.ids, dtype=np.uint32)])
        self.starts.append(np.frombuffer(part.starts, dtype=np.uint32))
        self.doc_tokens.append(np.frombuffer(part.doc_tokens, dtype=np.uint32))
        self.sentence_tokens.append(np.frombuffer(part.sentence_tokens, dtype=np.uint32))
        self.line_tokens.append(np.frombuffer(part.line_tokens, dtype=np.uint32))
        self.line_numbers.append(np.frombuffer(part.line_numbers, dtype=np.uint32))

    def _new(self, spelling: str, kind: int, first: bool) -> int:
        """The number of ``spelling`` as ``kind``: a spelling is keyed by itself, and by
        (spelling, kind) in the rare case it comes as a second kind too."""
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

    def finish(self, normalizer: Normalizer, out: BinaryIO, identity: str = "") -> None:
        """Write the layer's file to ``out`` (each array as it is: no copy of the whole)."""
        from ..text.normalize import normalize_many

        np = self._np
        u4 = np.uint32
        count = len(self.spellings)
        order = sorted(range(count), key=lambda i: (self.spellings[i], self.kinds[i]))
        rank = np.empty(count, dtype=u4)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(count, dtype=u4)
        spellings = [self.spellings[i] for i in order]
        kinds = bytes(self.kinds[i] for i in order)
        tok = np.concatenate(self.tok) if self.tok else np.empty(0, dtype=u4)
        self.tok.clear()
        np.take(rank, tok, out=tok)  # in place: the corpus's ids stay in memory once
        total = len(tok)
        if total >= NO_KEY:
            raise CorpusError("a corpus of 2^32 tokens or more is beyond the token layer")
        starts = _Chunks(self.starts)  # written as they are: never joined in memory
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
            (key_number.get(keys_of[s], NO_KEY) for s in spellings), dtype=u4, count=count
        )
        key_text, key_offsets = _texts(np, keys)
        by_key = np.argsort(form_keys, kind="stable").astype(u4)
        keyed = int(np.count_nonzero(form_keys != NO_KEY))
        key_forms = by_key[:keyed]
        key_form_offsets = _offsets(np, np.bincount(form_keys[key_forms], minlength=len(keys)))
        frequencies = np.bincount(tok, minlength=count)
        postings = _postings(np, tok, frequencies)
        posting_offsets = _offsets(np, frequencies)
        arrays = {
            "tok": tok,
            "start": starts,
            "docs": docs,
            "sentences": sentence_starts,
            "lines": line_starts,
            "line_numbers": line_numbers,
            "forms": forms,
            "form_offsets": form_offsets,
            "form_lengths": form_lengths,
            "kinds": np.frombuffer(kinds, dtype=np.uint8),
            "form_keys": form_keys,
            "keys": key_text,
            "key_offsets": key_offsets,
            "key_form_offsets": key_form_offsets,
            "key_forms": key_forms,
            "postings": postings,
            "posting_offsets": posting_offsets,
        }
        _write_arrays(out, arrays, {"steps": list(normalizer.active_steps), "id": identity})


class _Chunks:
    """Arrays of one type written one after the other as one array (``_write_arrays``)."""

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts
        self.nbytes = sum(p.nbytes for p in parts)

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)


#: Positions sorted at a time into the inverted lists (``_postings``).
SORT_CHUNK = 1 << 23


def _postings(np: Any, tok: Any, frequencies: Any) -> Any:
    """The positions of ``tok`` ordered by spelling, then position (a stable sort), with
    the memory of a chunk: each chunk sorted alone, its positions placed after those of
    the chunks before it (a full argsort takes 8 bytes a token, this 4)."""
    postings = np.empty(len(tok), dtype=np.uint32)
    cursor = np.zeros(len(frequencies), dtype=np.int64)
    np.cumsum(frequencies[:-1], out=cursor[1:])
    for first in range(0, len(tok), SORT_CHUNK):
        chunk = tok[first : first + SORT_CHUNK]
        order = np.argsort(chunk, kind="stable")
        ids = chunk[order]
        within = np.arange(len(ids)) - np.searchsorted(ids, ids, side="left")
        postings[cursor[ids] + within] = order + first
        cursor += np.bincount(chunk, minlength=len(frequencies))
    return postings


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
    is), then the arrays at offsets aligned to 8 bytes."""
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
        for part in values.parts if isinstance(values, _Chunks) else [values]:
            out.write(part.data if part.flags.c_contiguous else part.tobytes())
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
    builder.add(part_of(texts))
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


def remove_layer(index_path: Path) -> None:
    """Delete the layer of the index at ``index_path`` and the keys kept beside it."""
    layer = layer_path(index_path)
    for path in [layer, *layer.parent.glob(f"{layer.name}-keys-*")]:
        try:
            os.unlink(path)
        except OSError:
            pass
