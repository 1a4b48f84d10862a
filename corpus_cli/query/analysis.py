"""Statistics over hits and token streams: dispersion of a query, collocates, keywords.

Pure computation on loaded documents; the numbers come from :mod:`corpus_cli.query.stats`,
and every result carries the counts it was computed from so it can be audited.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Union

from ..errors import CorpusError
from ..store.corpus import Document
from ..text.normalize import Normalizer, normalize_many
from ..text.tokenize import word_spans, words
from .freq import Counts, count_tokens
from .pattern import Query
from .search import iter_hits
from .stats import (
    ASSOCIATION,
    Dispersion,
    association_many,
    chi2_sf_1df,
    contingency,
    dispersion,
    keyness_many,
    keyness_score,
    ll_4term,
    p_value_band,
    shortlist,
)

if TYPE_CHECKING:
    from ..store.layer import TokenLayer
    from .cooccurrence import Nodes, Tally
    from .morphology import AttributeKeys

#: ``progress(done, total)``: how far a long computation is (a bar on a terminal).
Progress = Callable[[int, int], None]


def _ticking(
    docs: Iterable[Document], progress: Progress | None, done: int, total: int
) -> Iterator[Document]:
    """``docs``, telling ``progress`` how many of ``total`` are done (``done`` before these)."""
    for number, doc in enumerate(docs, done):
        if progress is not None and not number % 64:
            progress(number, total)
        yield doc


# --------------------------------------------------------------------------- tokens


class TokenStream(NamedTuple):
    """The word tokens of one document: spans in its text and normalized keys."""

    starts: list[int]
    ends: list[int]
    keys: list[str]
    forms: list[str]


def token_stream(doc: Document, normalizer: Normalizer, cache: dict[str, str]) -> TokenStream:
    spans = list(word_spans(doc.text))
    forms = [doc.text[s:e] for s, e in spans]
    new = {f for f in forms if f not in cache}
    cache.update(normalize_many(new, normalizer))
    return TokenStream([s for s, _ in spans], [e for _, e in spans], [cache[f] for f in forms], forms)


def _token_range(stream: TokenStream, start: int, end: int) -> tuple[int, int]:
    """Indexes [first, last) of the tokens a hit at [start, end) overlaps."""
    first = bisect_right(stream.ends, start)
    last = bisect_left(stream.starts, end)
    return first, max(last, first + 1)


# --------------------------------------------------------------------------- dispersion


class DocHits(NamedTuple):
    doc: Document
    tokens: int
    offsets: tuple[int, ...]  # character offsets of the hits in the document
    token_positions: tuple[int, ...]  # token index of each hit in the document


class HitDispersion(NamedTuple):
    per_doc: list[DocHits]
    total_tokens: int
    scores: Dispersion


def hit_dispersion(docs: Sequence[Document], query: Query, progress: Progress | None = None) -> HitDispersion:
    """Where the hits of ``query`` fall in each document, and how evenly they spread."""
    cache: dict[str, str] = {}
    by_doc: dict[str, list[tuple[int, int]]] = {}
    total = 2 * len(docs)
    for hit in iter_hits(_ticking(docs, progress, 0, total), query):
        by_doc.setdefault(hit.doc.id, []).append((hit.start, hit.end))
    per_doc: list[DocHits] = []
    positions: list[int] = []
    offset = 0
    for doc in _ticking(docs, progress, len(docs), total):
        hits = by_doc.get(doc.id, [])
        if hits:
            stream = token_stream(doc, query.normalizer, cache)
            tokens = len(stream.starts)
            token_positions = tuple(_token_range(stream, s, e)[0] for s, e in hits)
        else:  # only the size: the fast tokenizer (the same tokens, without their spans)
            tokens = len(words(doc.text))
            token_positions = ()
        per_doc.append(DocHits(doc, tokens, tuple(s for s, _ in hits), token_positions))
        positions.extend(offset + p for p in token_positions)
        offset += tokens
    if progress is not None:
        progress(total, total)
    values = [len(d.offsets) for d in per_doc]
    sizes = [d.tokens for d in per_doc]
    return HitDispersion(per_doc, offset, dispersion(values, sizes, positions, offset))


def layer_dispersion(
    layer: TokenLayer, nodes: Nodes, docs: Sequence[Document], selected: Sequence[int] | None
) -> HitDispersion:
    """``hit_dispersion`` from the token layer: ``nodes`` the hits (``cooccurrence.node_arrays``),
    ``docs`` the documents ``selected`` (layer numbers; None: all), in order, whose text is
    read only by a plot (their ids and metadata are enough for the numbers)."""
    import numpy as np

    from .cooccurrence import node_words, word_positions

    words = word_positions(layer)
    numbers = np.arange(layer.documents) if selected is None else np.asarray(selected, dtype=np.int64)
    sizes = words.doc_sizes()[numbers]
    in_doc = node_words(words, nodes) - words.doc_first[nodes.docs]  # each hit's word in its document
    firsts = np.searchsorted(nodes.docs, numbers, side="left").tolist()
    lasts = np.searchsorted(nodes.docs, numbers, side="right").tolist()
    before = np.zeros(len(numbers), dtype=np.int64)  # the words of the documents before each
    np.cumsum(sizes[:-1], out=before[1:])
    positions = (before[np.searchsorted(numbers, nodes.docs)] + in_doc).tolist()
    starts, token_positions = nodes.starts.tolist(), in_doc.tolist()
    per_doc = [
        DocHits(doc, tokens, tuple(starts[a:b]), tuple(token_positions[a:b]))
        for doc, tokens, a, b in zip(docs, sizes.tolist(), firsts, lasts, strict=True)
    ]
    total = int(sizes.sum())
    values = [b - a for a, b in zip(firsts, lasts, strict=True)]
    return HitDispersion(per_doc, total, dispersion(values, sizes.tolist(), positions, total))


def with_texts(
    result: HitDispersion, every: bool, read: Callable[[list[int]], Iterable[Document]]
) -> HitDispersion:
    """``result`` with the documents a plot draws (``plotted``) read in full, as ``read``
    gives the documents at indexes of ``per_doc``: the plot needs their texts' lengths."""
    wanted = [i for i, d in enumerate(result.per_doc) if every or d.offsets]
    full = dict(zip(wanted, read(wanted), strict=True))
    return result._replace(
        per_doc=[d._replace(doc=full[i]) if i in full else d for i, d in enumerate(result.per_doc)]
    )


# --------------------------------------------------------------------------- collocates


class Collocate(NamedTuple):
    term: str
    key: str
    o11: int
    left: int
    right: int
    f_coll: int
    e11: float
    score: float
    #: ``--by-position``: co-occurrences per slot, L<left>…L1 then R1…R<right>
    positions: tuple[int, ...] = ()


class CollocationResult(NamedTuple):
    rows: list[Collocate]
    f_node: int
    n: int
    left: int
    right: int
    measure: str
    #: the rows carry their counts per slot (``Collocate.positions``)
    by_position: bool = False

    @property
    def window(self) -> int:
        return self.left + self.right

    @property
    def slots(self) -> list[str]:
        """The names of the window's slots, nearest the node in the middle: L3 L2 L1 R1 R2 R3."""
        return [f"L{i}" for i in range(self.left, 0, -1)] + [f"R{i}" for i in range(1, self.right + 1)]

    @property
    def convention(self) -> str:
        return (
            f"window {self.left}L {self.right}R (W={self.window}) around each of f(node)={self.f_node:,} "
            f"hits in N={self.n:,} tokens; O11 counts every window (so logDice can pass 14 "
            f"when windows overlap), E11 = f(node)·f(coll)·W/N (R1 = f(node)·W, capped at N; "
            f"CQPweb convention), measure {self.measure}"
        )


def _check_window(measure: str, left: int, right: int) -> None:
    if measure not in ASSOCIATION:
        raise CorpusError(f"unknown measure '{measure}' (choose from {', '.join(ASSOCIATION)})")
    if left + right <= 0:
        raise CorpusError("the window is empty: give --window, --left or --right above 0")


def _collocate(
    term: str, key: str, left: int, right: int, f_coll: int, f_node: int, n: int, window: int, measure: str
) -> Collocate:
    """A row of ``collocates``: the key's counts, expected count and score."""
    o11 = left + right
    table = contingency(o11, f_node, f_coll, n, window=window)
    return Collocate(term, key, o11, left, right, f_coll, table.e11, ASSOCIATION[measure](table))


def _collocate_order(row: Collocate) -> tuple[float, int, str]:
    # Scores equal in theory can differ in the last bits: round before comparing.
    return (-round(row.score, 9), -row.o11, row.key)


def collocates(
    docs: Sequence[Document],
    query: Query,
    *,
    left: int,
    right: int,
    measure: str,
    min_freq: int = 1,
    keep: Callable[[str], bool] | None = None,
    by_position: bool = False,
    progress: Progress | None = None,
    hits: Mapping[str, list[tuple[int, int]]] | None = None,
) -> CollocationResult:
    """Words near the hits of ``query`` (within one document), scored by ``measure``;
    ``by_position``: with their counts in each slot of the window.  ``hits``: the hits
    found already (``--cql``), each document's [start, end) characters by its id."""
    _check_window(measure, left, right)
    cache: dict[str, str] = {}
    freq: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    near_left: Counter[str] = Counter()
    near_right: Counter[str] = Counter()
    slots: list[Counter[str]] = [Counter() for _ in range(left + right)] if by_position else []
    f_node = 0
    n = 0
    hits_by_doc: dict[str, list[tuple[int, int]]] = {}
    total = 2 * len(docs)
    if hits is None:
        for hit in iter_hits(_ticking(docs, progress, 0, total), query):
            hits_by_doc.setdefault(hit.doc.id, []).append((hit.start, hit.end))
    for doc in _ticking(docs, progress, len(docs), total):
        stream = token_stream(doc, query.normalizer, cache)
        n += len(stream.keys)
        freq.update(stream.keys)
        for form, key in zip(stream.forms, stream.keys, strict=True):
            forms.setdefault(key, Counter())[form] += 1
        for start, end in (hits_by_doc if hits is None else hits).get(doc.id, []):
            first, last = _token_range(stream, start, end)
            f_node += 1
            before = stream.keys[max(0, first - left) : first]
            after = stream.keys[last : last + right]
            near_left.update(before)
            near_right.update(after)
            if by_position:  # L1 is the word before the node, R1 the word after it
                for slot, key in zip(range(left - 1, -1, -1), reversed(before), strict=False):
                    slots[slot][key] += 1
                for slot, key in enumerate(after, left):
                    slots[slot][key] += 1
    if progress is not None:
        progress(total, total)
    window = left + right
    rows = []
    for key in set(near_left) | set(near_right):
        o11 = near_left[key] + near_right[key]
        if o11 < min_freq or not key or (keep is not None and not keep(key)):
            continue
        term = min(forms[key].items(), key=lambda item: (-item[1], item[0]))[0]
        row = _collocate(term, key, near_left[key], near_right[key], freq[key], f_node, n, window, measure)
        rows.append(row._replace(positions=tuple(slot[key] for slot in slots)))
    rows.sort(key=_collocate_order)
    return CollocationResult(rows, f_node, n, left, right, measure, by_position)


def layer_collocates(
    layer: TokenLayer,
    nodes: Nodes,
    normalizer: Normalizer,
    *,
    selected: Sequence[int] | None = None,
    left: int,
    right: int,
    measure: str,
    min_freq: int = 1,
    keep: Callable[[str], bool] | None = None,
    by_position: bool = False,
    top: int = 0,
    attribute: AttributeKeys | None = None,
) -> CollocationResult:
    """``collocates`` from the token layer: the hits ``nodes`` (``cooccurrence.node_arrays``)
    in the documents ``selected`` (layer numbers; None: all), f(coll) and N counted over
    those documents.  Only the ``top`` rows (0: all) are made, the same as ``collocates``'s
    first ``top``.  ``attribute`` (``--attr``): the collocates counted as lemmas (roots,
    parts of speech), a word without one leaving its slot empty; the node is unchanged."""
    _check_window(measure, left, right)
    import numpy as np

    from .cooccurrence import Tally, bincount, window_keys, word_positions
    from .positions import Keys

    keys = Keys.of(layer, normalizer) if attribute is None else attribute.keys
    docs = None if selected is None else np.asarray(selected, dtype=np.int64)
    tally = Tally.of(layer, keys, docs, shown=None if attribute is None else attribute.term)
    slots = window_keys(layer, word_positions(layer), tally.keys_of, nodes, left, right)
    size = len(keys.keys)
    empty = np.empty(0, dtype=np.uint32)
    near_left = bincount(np.concatenate([empty, *slots[:left]]), size)
    near_right = bincount(np.concatenate([empty, *slots[left:]]), size)
    both = near_left + near_right
    found = np.flatnonzero(both >= max(min_freq, 1))
    f_node, n, window = len(nodes.positions), tally.total, left + right
    names, score_of = keys.keys, ASSOCIATION[measure]
    if keep is not None:
        found = found[np.asarray([keep(names[key_id]) for key_id in found.tolist()], dtype=bool)]
    f_colls = tally.counts[found]
    # Scored over arrays first: only the collocates that may be among the top are
    # scored exactly, and ranked as ``_collocate_order`` ranks rows (by key id for the
    # key: ids are in the keys' sorted order; the keys of rows not shown stay undecoded).
    chosen = shortlist(association_many(measure, both[found], f_colls, f_node, n, window), top)
    ranked = []
    for key_id, before, after, f_coll in zip(
        found[chosen].tolist(),
        near_left[found[chosen]].tolist(),
        near_right[found[chosen]].tolist(),
        f_colls[chosen].tolist(),
        strict=True,
    ):
        o11 = before + after
        score = score_of(contingency(o11, f_node, f_coll, n, window=window))
        ranked.append((-round(score, 9), -o11, key_id, before, after, f_coll))
    kept = heapq.nsmallest(top, ranked) if top else sorted(ranked)
    ids = np.asarray([row[2] for row in kept], dtype=np.int64)
    per_slot = [bincount(slot, size)[ids].tolist() for slot in slots] if by_position else []
    out = [
        _collocate(
            tally.term(key_id), names[key_id], before, after, f_coll, f_node, n, window, measure
        )._replace(positions=tuple(counts[i] for counts in per_slot))
        for i, (_, _, key_id, before, after, f_coll) in enumerate(kept)
    ]
    return CollocationResult(out, f_node, n, left, right, measure, by_position)


# --------------------------------------------------------------------------- keywords


class Keyword(NamedTuple):
    term: str
    key: str
    a: int
    b: int
    c: int
    d: int
    score: float
    g2: float
    p: float
    band: str


def reference_counts(path: str, normalizer: Normalizer, load: Callable[[str], Iterable[Document]]) -> Counts:
    """A reference: a corpus (file, directory) or a TSV frequency list ``term<TAB>count``."""
    if _is_frequency_list(path):
        return _frequency_list(Path(path).expanduser(), normalizer)
    return count_tokens(load(path), normalizer)


def _is_frequency_list(path: str) -> bool:
    file = Path(path).expanduser()
    return file.is_file() and file.suffix.lower() in (".tsv", ".freq", ".csv")


def _frequency_list(file: Path, normalizer: Normalizer) -> Counts:
    counts = Counts()
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{file}: cannot read the frequency list ({exc})") from None
    raw: Counter[str] = Counter()
    separator = "," if file.suffix.lower() == ".csv" else "\t"
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        fields = line.split(separator)
        if len(fields) < 2 or not fields[1].strip().isdigit():
            if number == 1 and len(fields) >= 2:
                continue  # a header row
            shape = "term<TAB>count" if separator == "\t" else "term,count"
            raise CorpusError(f"{file}:{number}: expected {shape}, got {line!r}")
        raw[fields[0].strip()] += int(fields[1])
    keys = normalize_many(raw, normalizer)
    for form, count in raw.items():
        key = keys[form]
        if key:
            counts.counts[key] += count
            counts.forms.setdefault(key, Counter())[form] += count
            counts.total += count
    return counts


def keywords(
    target: Counts,
    reference: Counts,
    *,
    measure: str = "g2",
    k: float = 1.0,
    negative: bool = False,
    min_count: int = 1,
    keep: Callable[[str], bool] | None = None,
) -> list[Keyword]:
    """Keyness of every key of the target (or, ``negative``, of the reference) against the other.

    G² is signed like every score: negative for words the target under-uses.
    Positive keywords are over-represented in the target (``a/c > b/d``); negative ones
    are under-represented.  Every row carries a, b, c, d, the score, G² and its p-value.
    """
    c, d = _sizes(target.total, reference.total)
    rows = []
    for key in set(target.counts) | set(reference.counts):
        a, b = target.counts.get(key, 0), reference.counts.get(key, 0)
        over = a * d > b * c
        if over == negative or (a if not negative else b) < min_count:
            continue
        if keep is not None and not keep(key):
            continue
        source = target if a else reference
        rows.append(_keyword(source.term(key), key, a, b, c, d, keyness_score(measure, a, b, c, d, k=k)))
    rows.sort(key=_keyword_order(negative))
    return rows


def _sizes(c: int, d: int) -> tuple[int, int]:
    if c == 0 or d == 0:
        raise CorpusError("keywords need tokens in both the target and the reference")
    return c, d


def _keyword(term: str, key: str, a: int, b: int, c: int, d: int, score: float) -> Keyword:
    """A row of ``keywords``: the key's counts, its score, G² and G²'s p-value."""
    g2 = ll_4term(a, b, c, d, signed=True)
    return Keyword(term, key, a, b, c, d, score, g2, chi2_sf_1df(g2), p_value_band(g2))


def _keyword_order(negative: bool) -> Callable[[Keyword], tuple[float, int, str]]:
    """Best first: by score, then by the count where the word is key, then by key."""
    if negative:
        return lambda r: (r.score, -r.b, r.key)
    return lambda r: (-r.score, -r.a, r.key)


def tally_keywords(
    target: Tally,
    reference: Tally,
    *,
    measure: str = "g2",
    k: float = 1.0,
    negative: bool = False,
    min_count: int = 1,
    keep: Callable[[str], bool] | None = None,
    top: int = 0,
) -> list[Keyword]:
    """``keywords`` of two tallies of the token layer (``cooccurrence.Tally``), the ``top``
    rows only (0: all): the keys that may be key are found over arrays, and only those
    are scored."""
    import numpy as np

    c, d = _sizes(target.total, reference.total)
    a_all, b_all = target.counts, reference.counts
    if c * d >= 2**63:  # a·d and b·c could overflow int64: Python's integers
        a_all, b_all = a_all.astype(object), b_all.astype(object)
    over = (a_all * d > b_all * c).astype(bool)
    present = (a_all > 0) | (b_all > 0)
    found = np.flatnonzero(present & (over != negative) & ((b_all if negative else a_all) >= min_count))
    names = target.keys.keys
    if keep is not None:
        found = found[np.asarray([keep(names[key_id]) for key_id in found.tolist()], dtype=bool)]
    a_found, b_found = a_all[found], b_all[found]
    # Scored over arrays first: only the keys that may be among the top are scored
    # exactly, and ranked as ``_keyword_order`` ranks rows (by key id for the key: ids
    # are in the keys' sorted order; the keys of rows not shown stay undecoded).
    sign = 1 if negative else -1
    approximate = keyness_many(measure, a_found.astype(np.float64), b_found.astype(np.float64), c, d, k)
    chosen = shortlist(-sign * approximate, top)
    ranked = []
    for key_id, a, b in zip(
        found[chosen].tolist(), a_found[chosen].tolist(), b_found[chosen].tolist(), strict=True
    ):
        score = keyness_score(measure, a, b, c, d, k=k)
        ranked.append((sign * score, -(b if negative else a), key_id, a, b, score))
    kept = heapq.nsmallest(top, ranked) if top else sorted(ranked)
    return [
        _keyword((target if a else reference).term(key_id), names[key_id], a, b, c, d, score)
        for _, _, key_id, a, b, score in kept
    ]


def together(parts: Iterable[Counts]) -> Counts:
    """The tokens and spellings of disjoint sets of documents, as one set."""
    out = Counts()
    for part in parts:
        out.total += part.total
        out.counts.update(part.counts)
        for key, forms in part.forms.items():
            out.forms.setdefault(key, Counter()).update(forms)
    return out


def without(whole: Counts, part: Counts) -> Counts:
    """``whole`` less ``part``, a subset of its documents: the rest's tokens.  Spellings
    stay the whole's, which are the rest's for every key ``part`` lacks (the only keys
    ``keywords`` takes a reference's spelling for)."""
    return Counts(total=whole.total - part.total, counts=whole.counts - part.counts, forms=whole.forms)


class PartHits(NamedTuple):
    """The hits of one part made of whole documents (``dispersion --by``)."""

    part: str
    docs: int
    hit_docs: int  # its documents with a hit
    tokens: int
    hits: int


class PartDispersion(NamedTuple):
    parts: list[PartHits]
    total_tokens: int
    scores: Dispersion


def part_dispersion(result: HitDispersion, part: Callable[[Document], str]) -> PartDispersion:
    """``result`` over parts made of whole documents (a folder, a year), in their sorted
    order: hits and tokens added up per part, and the measures with these parts as the
    corpus's parts (range: the parts with a hit).  ARF reads positions alone: the same."""
    tally: dict[str, list[int]] = {}
    positions: list[int] = []
    offset = 0
    for d in result.per_doc:
        row = tally.setdefault(part(d.doc), [0, 0, 0, 0])
        row[0] += 1
        row[1] += bool(d.offsets)
        row[2] += d.tokens
        row[3] += len(d.offsets)
        positions.extend(offset + p for p in d.token_positions)
        offset += d.tokens
    parts = [PartHits(name, *row) for name, row in sorted(tally.items())]
    scores = dispersion([p.hits for p in parts], [p.tokens for p in parts], positions, offset)
    return PartDispersion(parts, offset, scores)


def rate(hits: int, tokens: int) -> float:
    """Hits per million tokens (0.0 for no tokens)."""
    return hits * 1e6 / tokens if tokens else 0.0


def total_hits(result: HitDispersion) -> int:
    """The hits of ``result`` over all its documents."""
    return sum(len(d.offsets) for d in result.per_doc)


def plotted(result: HitDispersion, every: bool) -> tuple[list[DocHits], str]:
    """The documents a dispersion plot draws (those with a hit, or ``every`` one) and the
    line that stands for the others ("" when none is left out)."""
    if every:
        return result.per_doc, ""
    docs = [d for d in result.per_doc if d.offsets]
    left_out = len(result.per_doc) - len(docs)
    if not left_out:
        return docs, ""
    return docs, f"{left_out:,} document{'s' if left_out != 1 else ''} without a hit (--all plots them)"


def dispersion_by(result: HitDispersion, by_field: str, warn: Callable[[str], None]) -> PartDispersion:
    """``dispersion --by FIELD``: ``result`` over the groups of documents that share a
    value of ``by_field`` (``warn``: said when no document has the field)."""
    from ..store.fields import grouping, unknown_field

    problem = unknown_field(by_field, [d.doc for d in result.per_doc])
    if problem is not None:
        warn(problem)
    return part_dispersion(result, grouping(by_field))


#: What ``keywords`` counts a side in: counts of text, or a tally of the token layer.
Side = Union[Counts, "Tally"]


class KeynessSide(NamedTuple):
    """One comparison of ``keywords``: a target (its group, "" without ``--by``) and its reference."""

    group: str
    target: Side
    reference: Side


class RankedKeyword(NamedTuple):
    """A row of ``keywords``: the group it is key in, its rank there, and its numbers."""

    group: str
    rank: int
    keyword: Keyword


def keyness_sides(
    docs: Sequence[Document],
    normalizer: Normalizer,
    *,
    target: Sequence[Document] | None = None,
    by_field: str | None = None,
    reference: str | None = None,
    load_reference: Callable[[str], Sequence[Document]] | None = None,
    warn: Callable[[str], None],
    count: Callable[[Sequence[Document]], Side] | None = None,
    progress: Progress | None = None,
    count_reference: Callable[[Sequence[Document]], Side] | None = None,
) -> Iterator[KeynessSide]:
    """What ``keywords`` compares, one side at a time (counted when it is reached).

    The targets: ``target`` (documents of ``docs``, kept in corpus order), or one per
    value of ``by_field`` (sorted), or the whole of ``docs``.  The reference: the
    corpus or frequency list ``reference`` (read with ``load_reference``, checked
    against the targets by :func:`check_overlap`), else the rest of ``docs``
    (``target``: the documents not chosen; ``by_field``: the other groups).
    ``CorpusError`` when no reference is left.  ``count``: how a set of ``docs`` is
    counted (a ``Tally`` of the token layer; default: ``count_tokens`` of their text);
    ``count_reference``: how the documents of a reference corpus are (``--attr``: by
    lemma, as the targets), a frequency list then refused.
    """
    done = [0]

    def counted(members: Sequence[Document]) -> Side:
        if count is not None:
            return count(members)
        found = count_tokens(_ticking(members, progress, done[0], len(docs)), normalizer)
        done[0] += len(members)
        return found

    targets: dict[str, list[Document]] = {}
    chosen: set[int] = set()
    if target is not None:
        chosen = {id(d) for d in target}
        targets[""] = [d for d in docs if id(d) in chosen]
    elif by_field is not None:
        from ..store.fields import grouping, unknown_field

        problem = unknown_field(by_field, docs)
        if problem is not None:
            warn(problem)
        value = grouping(by_field)
        for doc in docs:
            targets.setdefault(value(doc), []).append(doc)
        targets = dict(sorted(targets.items()))
    else:
        targets[""] = list(docs)
    if reference is not None:
        if load_reference is None:
            raise ValueError("a reference path needs load_reference")
        loader = load_reference

        def load(path: str) -> Sequence[Document]:
            found = loader(path)
            check_overlap(targets, found, warn)
            return found

        if count_reference is None:
            ref_counts = reference_counts(reference, normalizer, load)
        elif _is_frequency_list(reference):
            raise CorpusError(
                f"{reference}: a frequency list counts words, not lemmas: give a reference corpus"
            )
        else:
            ref_counts = as_counts(count_reference(list(load(reference))))
        for group, members in targets.items():
            yield KeynessSide(group, as_counts(counted(members)), ref_counts)
        return
    if target is not None:
        rest = [d for d in docs if id(d) not in chosen]
        if not rest:
            raise CorpusError("--target names every document of the corpus: no reference is left")
        yield KeynessSide("", counted(targets[""]), counted(rest))
        return
    if len(targets) == 1:
        raise CorpusError(
            f"--by {by_field}: every document is in the group '{next(iter(targets))}': no reference is left"
        )
    counts = {group: counted(members) for group, members in targets.items()}
    whole = _together(list(counts.values()))
    for group, part in counts.items():
        yield KeynessSide(group, part, _without(whole, part))


def as_counts(side: Side) -> Counts:
    """A side of a keyword comparison as ``Counts`` (totals, keys, spellings): a tally of
    the token layer gives the same numbers as counts of the text."""
    if isinstance(side, Counts):
        return side
    import numpy as np

    from ..store.layer import NO_KEY

    out = Counts(total=side.total)
    found = np.flatnonzero((side.spellings > 0) & (side.keys_of != NO_KEY))
    names = side.keys.keys
    for spelling, key, count in zip(
        found.tolist(), side.keys_of[found].tolist(), side.spellings[found].tolist(), strict=True
    ):
        name = names[key]
        out.counts[name] += count
        shown = side.layer.form(spelling) if side.shown is None else side.shown(key)  # --attr: the lemma
        out.forms.setdefault(name, Counter())[shown] += count
    return out


def _together(parts: list[Side]) -> Side:
    counted = [part for part in parts if isinstance(part, Counts)]
    if len(counted) == len(parts):
        return together(counted)
    tallies = [part for part in parts if not isinstance(part, Counts)]
    total = tallies[0]
    for part in tallies[1:]:
        total = total + part
    return total


def _without(whole: Side, part: Side) -> Side:
    if isinstance(whole, Counts) or isinstance(part, Counts):
        return without(as_counts(whole), as_counts(part))
    return whole - part


def check_overlap(
    targets: Mapping[str, Sequence[Document]], reference: Sequence[Document], warn: Callable[[str], None]
) -> None:
    """A reference that holds the targets' own documents (by real path): ``CorpusError``
    when a target is the same documents (every score would be 0), else a warning."""
    import os

    def where(doc: Document) -> str:
        return os.path.realpath(doc.path)

    theirs = {where(d) for d in reference}
    for group, docs in targets.items():
        mine = {where(d) for d in docs}
        if mine and mine == theirs:
            scope = f"the group '{group}'" if len(targets) > 1 else "the target"
            raise CorpusError(
                f"{scope} and the reference are the same {len(mine):,} documents "
                "(the reference's files are picked by --reference-glob, not --glob)"
            )
    shared = {where(d) for docs in targets.values() for d in docs} & theirs
    if shared:
        total = sum(len(docs) for docs in targets.values())
        warn(
            f"{len(shared):,} of the target's {total:,} documents are also in the reference: "
            "their words count on both sides"
        )


def ranked_keywords(
    sides: Iterable[KeynessSide],
    *,
    measure: str = "g2",
    k: float = 1.0,
    negative: bool = False,
    min_count: int = 1,
    top: int = 0,
    keep: Callable[[str], bool] | None = None,
) -> list[RankedKeyword]:
    """The ``top`` keywords (0: all) of each side, ranked from 1 in each, sides in turn."""
    rows: list[RankedKeyword] = []
    for side in sides:
        target, reference = side.target, side.reference
        if isinstance(target, Counts) or isinstance(reference, Counts):
            found = keywords(
                as_counts(target),
                as_counts(reference),
                measure=measure,
                k=k,
                negative=negative,
                min_count=min_count,
                keep=keep,
            )
            found = found[:top] if top else found
        else:
            found = tally_keywords(
                target,
                reference,
                measure=measure,
                k=k,
                negative=negative,
                min_count=min_count,
                keep=keep,
                top=top,
            )
        rows += [RankedKeyword(side.group, rank, r) for rank, r in enumerate(found, 1)]
    return rows
