"""Statistics over hits and token streams: dispersion of a query, collocates, keywords.

Pure computation on loaded documents; the numbers come from :mod:`corpus_cli.query.stats`,
and every result carries the counts it was computed from so it can be audited.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

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
    chi2_sf_1df,
    contingency,
    dispersion,
    keyness_score,
    ll_4term,
    p_value_band,
)

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


def hit_dispersion(docs: Sequence[Document], query: Query) -> HitDispersion:
    """Where the hits of ``query`` fall in each document, and how evenly they spread."""
    cache: dict[str, str] = {}
    by_doc: dict[str, list[tuple[int, int]]] = {}
    for hit in iter_hits(docs, query):
        by_doc.setdefault(hit.doc.id, []).append((hit.start, hit.end))
    per_doc: list[DocHits] = []
    positions: list[int] = []
    offset = 0
    for doc in docs:
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
    values = [len(d.offsets) for d in per_doc]
    sizes = [d.tokens for d in per_doc]
    return HitDispersion(per_doc, offset, dispersion(values, sizes, positions, offset))


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


class CollocationResult(NamedTuple):
    rows: list[Collocate]
    f_node: int
    n: int
    left: int
    right: int
    measure: str

    @property
    def window(self) -> int:
        return self.left + self.right

    @property
    def convention(self) -> str:
        return (
            f"window {self.left}L {self.right}R (W={self.window}) around each of f(node)={self.f_node:,} "
            f"hits in N={self.n:,} tokens; O11 counts every window (so logDice can pass 14 "
            f"when windows overlap), E11 = f(node)·f(coll)·W/N (R1 = f(node)·W, capped at N; "
            f"CQPweb convention), measure {self.measure}"
        )


def collocates(
    docs: Sequence[Document],
    query: Query,
    *,
    left: int,
    right: int,
    measure: str,
    min_freq: int = 1,
    keep: Callable[[str], bool] | None = None,
) -> CollocationResult:
    """Words near the hits of ``query`` (within one document), scored by ``measure``."""
    if measure not in ASSOCIATION:
        raise CorpusError(f"unknown measure '{measure}' (choose from {', '.join(ASSOCIATION)})")
    if left + right <= 0:
        raise CorpusError("the window is empty: give --window, --left or --right above 0")
    cache: dict[str, str] = {}
    freq: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    near_left: Counter[str] = Counter()
    near_right: Counter[str] = Counter()
    f_node = 0
    n = 0
    hits_by_doc: dict[str, list[tuple[int, int]]] = {}
    for hit in iter_hits(docs, query):
        hits_by_doc.setdefault(hit.doc.id, []).append((hit.start, hit.end))
    for doc in docs:
        stream = token_stream(doc, query.normalizer, cache)
        n += len(stream.keys)
        freq.update(stream.keys)
        for form, key in zip(stream.forms, stream.keys, strict=True):
            forms.setdefault(key, Counter())[form] += 1
        for start, end in hits_by_doc.get(doc.id, []):
            first, last = _token_range(stream, start, end)
            f_node += 1
            near_left.update(stream.keys[max(0, first - left) : first])
            near_right.update(stream.keys[last : last + right])
    window = left + right
    rows = []
    for key in set(near_left) | set(near_right):
        o11 = near_left[key] + near_right[key]
        if o11 < min_freq or not key or (keep is not None and not keep(key)):
            continue
        table = contingency(o11, f_node, freq[key], n, window=window)
        term = min(forms[key].items(), key=lambda item: (-item[1], item[0]))[0]
        score = ASSOCIATION[measure](table)
        rows.append(Collocate(term, key, o11, near_left[key], near_right[key], freq[key], table.e11, score))
    # Scores equal in theory can differ in the last bits: round before comparing.
    rows.sort(key=lambda r: (-round(r.score, 9), -r.o11, r.key))
    return CollocationResult(rows, f_node, n, left, right, measure)


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
    file = Path(path).expanduser()
    if file.is_file() and file.suffix.lower() in (".tsv", ".freq", ".csv"):
        return _frequency_list(file, normalizer)
    return count_tokens(load(path), normalizer)


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
    c, d = target.total, reference.total
    if c == 0 or d == 0:
        raise CorpusError("keywords need tokens in both the target and the reference")
    rows = []
    for key in set(target.counts) | set(reference.counts):
        a, b = target.counts.get(key, 0), reference.counts.get(key, 0)
        over = a * d > b * c
        if over == negative or (a if not negative else b) < min_count:
            continue
        if keep is not None and not keep(key):
            continue
        score = keyness_score(measure, a, b, c, d, k=k)
        g2 = ll_4term(a, b, c, d, signed=True)
        source = target if a else reference
        rows.append(Keyword(source.term(key), key, a, b, c, d, score, g2, chi2_sf_1df(g2), p_value_band(g2)))
    rows.sort(key=lambda r: ((r.score if negative else -r.score), -(r.a if not negative else r.b), r.key))
    return rows


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


class KeynessSide(NamedTuple):
    """One comparison of ``keywords``: a target (its group, "" without ``--by``) and its reference."""

    group: str
    target: Counts
    reference: Counts


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
) -> Iterator[KeynessSide]:
    """What ``keywords`` compares, one side at a time (counted when it is reached).

    The targets: ``target`` (documents of ``docs``, kept in corpus order), or one per
    value of ``by_field`` (sorted), or the whole of ``docs``.  The reference: the
    corpus or frequency list ``reference`` (read with ``load_reference``, checked
    against the targets by :func:`check_overlap`), else the rest of ``docs``
    (``target``: the documents not chosen; ``by_field``: the other groups).
    ``CorpusError`` when no reference is left.
    """
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

        ref_counts = reference_counts(reference, normalizer, load)
        for group, members in targets.items():
            yield KeynessSide(group, count_tokens(members, normalizer), ref_counts)
        return
    if target is not None:
        rest = [d for d in docs if id(d) not in chosen]
        if not rest:
            raise CorpusError("--target names every document of the corpus: no reference is left")
        yield KeynessSide("", count_tokens(targets[""], normalizer), count_tokens(rest, normalizer))
        return
    if len(targets) == 1:
        raise CorpusError(
            f"--by {by_field}: every document is in the group '{next(iter(targets))}': no reference is left"
        )
    counts = {group: count_tokens(members, normalizer) for group, members in targets.items()}
    whole = together(counts.values())
    for group, part in counts.items():
        yield KeynessSide(group, part, without(whole, part))


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
        found = keywords(
            side.target,
            side.reference,
            measure=measure,
            k=k,
            negative=negative,
            min_count=min_count,
            keep=keep,
        )
        rows += [
            RankedKeyword(side.group, rank, r) for rank, r in enumerate(found[:top] if top else found, 1)
        ]
    return rows
