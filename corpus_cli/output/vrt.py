"""The vertical file (VRT) of ``corpus export``: what the IMS Corpus Workbench
(``cwb-encode``), Sketch Engine and NoSketch Engine read.

Per document ``<doc id="ID" FIELD="VALUE"...>`` ... ``</doc>``, its metadata fields as
attributes (``attribute_names``); per sentence (``text.sentences``) ``<s>`` ... ``</s>``;
per token one line of ``VRT_COLUMNS``, separated by tabs: ``word`` (the original
spelling), ``norm`` (normalized at the level in force), ``kind`` (word, number, punct,
url, emoji), ``start`` and ``end`` (its character offsets in the document's text, as
``kwic`` prints them); then, when asked for (``MORPHOLOGY_COLUMNS``, ``TokenAttributes``),
``lemma``, ``root``, ``pos`` and ``lempos`` (the first reading's), and ``lemma_set``,
``root_set``, ``pos_set`` and ``lempos_set`` (every reading's, as CWB's feature sets
``|a|b|``).  ``& < > "`` are written
``&amp; &lt; &gt; &quot;`` in attribute values and token columns, and a character that
would end a line or a column (tab, line ends) as a numeric reference (``&#10;``);
``store.vrt.read_vrt`` reads back a file of the five columns.

Written document by document: never the whole corpus as one string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..text.sentences import sentences

if TYPE_CHECKING:
    from ..store.corpus import Document
    from ..store.layer import TokenLayer
    from ..text.normalize import Normalizer
    from .target import Target

#: The positional attributes, in the order of a token's columns.
VRT_COLUMNS = ("word", "norm", "kind", "start", "end")
#: The columns ``corpus export --attributes`` may add after ``VRT_COLUMNS``: the first
#: reading's lemma, root, pos and lempos, and (``_set``) every reading's, as a CWB feature set.
MORPHOLOGY_COLUMNS = ("lemma", "root", "pos", "lempos", "lemma_set", "root_set", "pos_set", "lempos_set")

#: Characters that would end a line (``str.splitlines``) or a column: written as ``&#N;``.
_BREAKING = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", **{c: f"&#{ord(c)};" for c in _BREAKING}}
)
_NOT_NAME = re.compile(r"[^a-z0-9_]+")
#: The normalized forms kept between documents (then forgotten, so memory stays flat).
_CACHE_LIMIT = 200_000


def escape(value: str) -> str:
    """``value`` as an attribute value or a token column: ``& < > "`` as entities,
    tabs and line ends as numeric references."""
    return value.translate(_ESCAPES)


def attribute_name(field: str) -> str:
    """A metadata field as an XML (and CWB) attribute name: lower-case ASCII letters,
    digits and ``_``; every run of other characters one ``_``; ``f_`` before a name that
    does not start with a letter; ``field`` for a name left empty."""
    name = _NOT_NAME.sub("_", field.lower()).strip("_")
    if not name:
        return "field"
    return name if name[0].isascii() and name[0].isalpha() else f"f_{name}"


def attribute_names(fields: Iterable[str]) -> dict[str, str]:
    """Each field of ``fields`` (in that order) → its attribute name (``attribute_name``),
    made unique with ``_2``, ``_3``...: ``id`` is the document's id, so a field ``id``
    becomes ``id_2``."""
    taken = {"id"}
    names = {}
    for field in fields:
        base = name = attribute_name(field)
        n = 2
        while name in taken:
            name = f"{base}_{n}"
            n += 1
        taken.add(name)
        names[field] = name
    return names


class TokenAttributes:
    """The ``lemma``, ``root`` and ``pos`` columns of a token, from a token layer that has
    them (``TokenLayer.attribute``): its spelling's first reading, written as ``corpus
    query`` compares it (``query.cql.attributes.morphology_normalizer``: a lemma
    unvocalized and normalized as ``norm`` is, a root as its letters with its hamza as ء,
    a part of speech in lower case), so that ``[lemma="..."]`` in CQP over the export and
    in ``corpus query`` find the same tokens when the value is written that way, as
    ``[norm="..."]`` is; "" for a spelling without a reading (cwb-encode keeps an empty
    column as ``__UNDEF__``).  ``lemma_set``, ``root_set``, ``pos_set``: the values of all
    its readings (the same way), first first, as a CWB feature set (``|a|b|``; ``|``
    without a reading): CQP's ``[lemma_set contains "..."]`` finds what ``corpus query
    --readings any '[lemma="..."]'`` finds."""

    def __init__(self, layer: TokenLayer, names: Iterable[str], normalizer: Normalizer) -> None:
        from ..query.cql.attributes import morphology_normalizer
        from ..store.layer import NO_KEY

        self.layer = layer
        self.names = tuple(names)
        self.columns: list[tuple[list[str], memoryview, memoryview | None, memoryview]] = []
        for name in self.names:
            if name not in MORPHOLOGY_COLUMNS:
                raise ValueError(f"no column {name!r} (choose from {', '.join(MORPHOLOGY_COLUMNS)})")
            attribute = name.removesuffix("_set")
            saved = layer.attribute(attribute)
            if saved is None:
                raise ValueError(f"the token layer has no {attribute}")
            normalize = morphology_normalizer(normalizer, attribute)
            values = [escape(normalize(value)) for value in saved.values]
            offsets = saved.offsets if name.endswith("_set") else None
            self.columns.append((values, saved.first, offsets, saved.readings))
        self.no_value = NO_KEY
        self.known: dict[str, str] = {}

    def of(self, spelling: str) -> str:
        """The columns of a token spelled ``spelling``, each after a tab."""
        found = self.known.get(spelling)
        if found is None:
            if len(self.known) > _CACHE_LIMIT:
                self.known.clear()
            numbers = self.layer.find_form(spelling)  # one per kind: the same analysis
            parts = []
            for values, first, offsets, readings in self.columns:
                if offsets is not None:  # a feature set: each value once, in the readings' order
                    found_values = (
                        readings[offsets[numbers[0]] : offsets[numbers[0] + 1]].tolist() if numbers else []
                    )
                    members = [values[n] for n in found_values]
                    kept = [v for i, v in enumerate(members) if v and v not in members[:i]]
                    parts.append("|" + "".join(f"{v}|" for v in kept))
                    continue
                number = first[numbers[0]] if numbers else self.no_value
                parts.append("" if number == self.no_value else values[number])
            found = self.known[spelling] = "".join(f"\t{part}" for part in parts)
        return found


def doc_tag(doc: Document) -> str:
    """The ``<doc ...>`` line of ``doc``: its id, then its metadata."""
    names = attribute_names(doc.meta)
    attributes = "".join(f' {names[field]}="{escape(value)}"' for field, value in doc.meta.items())
    return f'<doc id="{escape(doc.id)}"{attributes}>\n'


def document_vrt(
    doc: Document,
    normalizer: Normalizer,
    cache: dict[str, str] | None = None,
    attributes: TokenAttributes | None = None,
) -> str:
    """The VRT of one document, from ``<doc>`` to ``</doc>`` (``cache``: the normalized
    form of the words seen, kept by the caller between documents; ``attributes``: the
    columns after ``VRT_COLUMNS``)."""
    known = cache if cache is not None else {}
    lines = [doc_tag(doc)]
    for sentence in sentences(doc.text):
        lines.append("<s>\n")
        for token in sentence:
            word = token.text
            norm = known.get(word)
            if norm is None:
                norm = known[word] = normalizer.normalize(word)
            more = "" if attributes is None else attributes.of(word)
            lines.append(
                f"{escape(word)}\t{escape(norm)}\t{token.kind.value}\t{token.start}\t{token.end}{more}\n"
            )
        lines.append("</s>\n")
    lines.append("</doc>\n")
    return "".join(lines)


def write_vrt(
    target: Target,
    docs: Iterable[Document],
    normalizer: Normalizer,
    attributes: TokenAttributes | None = None,
) -> int:
    """``docs`` as VRT on ``target``'s stdout, one document at a time (``attributes``: the
    columns after ``VRT_COLUMNS``); the number of documents written."""
    out = target.stdout
    cache: dict[str, str] = {}
    written = 0
    for doc in docs:
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        out.write(document_vrt(doc, normalizer, cache, attributes))
        written += 1
    return written
