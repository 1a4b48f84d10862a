"""Reading a vertical file (VRT) as ``corpus export`` writes it (``output.vrt``).

``read_vrt(lines)`` yields a ``VrtDocument`` per ``<doc>``: its id, its metadata (the
other attributes, by their attribute names), and its sentences, each a list of
``VrtToken`` (word, norm, kind, start, end), every value unescaped.  Lines outside a
document, blank lines and comments (``<!-- ... -->``) are skipped; anything else that is
not this shape is a ``CorpusError`` naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ..errors import CorpusError
from ..text.tokenize import Kind

_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_DOC = re.compile(r'<doc((?:\s+[^\s=]+="[^"]*")*)\s*>')
_ATTRIBUTE = re.compile(r'([^\s=]+)="([^"]*)"')


class VrtToken(NamedTuple):
    word: str
    norm: str
    kind: Kind
    start: int
    end: int


class VrtDocument(NamedTuple):
    id: str
    meta: dict[str, str]
    sentences: list[list[VrtToken]]

    @property
    def tokens(self) -> list[VrtToken]:
        """Every token, the sentences flattened."""
        return [token for sentence in self.sentences for token in sentence]


def unescape(value: str) -> str:
    """``value`` with the entities and numeric references of ``output.vrt.escape`` (and
    ``&apos;``) replaced by their characters."""
    if "&" not in value:
        return value

    def character(match: re.Match[str]) -> str:
        named, decimal, hexadecimal = match.groups()
        if named:
            return _NAMED[named]
        return chr(int(decimal) if decimal else int(hexadecimal, 16))

    return _ENTITY.sub(character, value)


def read_vrt(lines: Iterable[str]) -> Iterator[VrtDocument]:
    """The documents of the VRT ``lines`` (line ends are dropped), in order."""
    doc: VrtDocument | None = None
    sentence: list[VrtToken] | None = None
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if doc is None:
            match = _DOC.fullmatch(line)
            if match is not None:
                attributes = {name: unescape(value) for name, value in _ATTRIBUTE.findall(match.group(1))}
                if "id" not in attributes:
                    raise CorpusError(f"VRT line {number}: <doc> without an id")
                doc_id = attributes.pop("id")
                doc = VrtDocument(doc_id, attributes, [])
            elif line.strip() and not line.startswith("<!--"):
                raise CorpusError(f"VRT line {number}: expected <doc ...>, found {line[:40]!r}")
            continue
        if line == "</doc>":
            if sentence is not None:
                raise CorpusError(f"VRT line {number}: </doc> inside a sentence")
            yield doc
            doc = None
        elif line == "<s>":
            if sentence is not None:
                raise CorpusError(f"VRT line {number}: <s> inside a sentence")
            sentence = []
        elif line == "</s>":
            if sentence is None:
                raise CorpusError(f"VRT line {number}: </s> without <s>")
            doc.sentences.append(sentence)
            sentence = None
        elif sentence is not None:
            sentence.append(_token(line, number))
        elif line.strip() and not line.startswith("<!--"):
            raise CorpusError(f"VRT line {number}: a token outside a sentence")
    if doc is not None:
        raise CorpusError(f"VRT: document '{doc.id}' has no </doc>")


def _token(line: str, number: int) -> VrtToken:
    columns = line.split("\t")
    if len(columns) != 5:
        raise CorpusError(f"VRT line {number}: {len(columns)} columns, not 5 (word, norm, kind, start, end)")
    word, norm, kind, start, end = columns
    try:
        return VrtToken(unescape(word), unescape(norm), Kind(kind), int(start), int(end))
    except ValueError:
        raise CorpusError(f"VRT line {number}: bad kind or offsets: {line[:60]!r}") from None
