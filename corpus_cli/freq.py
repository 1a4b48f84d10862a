"""Frequency lists of normalized tokens.

A count is the number of word and number tokens whose normalized form equals the key;
the term shown for a key is its most frequent original spelling.  Distinct original
forms are normalized together in one pass (normalization never crosses a line end, so
joining them with ``\\n`` and splitting the result is exact), which keeps a big corpus
to one normalization call per document plus one for its vocabulary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .corpus import Document
from .normalize import Normalizer
from .stats import Dispersion, dispersion
from .tokenize import Kind, tokenize, words

Units = Callable[[str], list[str]]
KeyFilter = Callable[[str], bool]

#: Punctuation that ends a sentence: n-grams never run across it (nor across a line end).
SENTENCE_END = frozenset(".!?؟;؛:…")


@dataclass(frozen=True)
class FreqRow:
    rank: int | None
    term: str
    key: str
    count: int
    per_million: float
    docs: int
    doc: str | None = None
    forms: tuple[tuple[str, int], ...] = ()
    dispersion: Dispersion | None = None
    members: tuple[str, ...] = ()  # the keys a row counts, when more than its own

    @property
    def keys(self) -> tuple[str, ...]:
        return self.members or (self.key,)


@dataclass
class Counts:
    """Token counts of a set of documents, by normalized key."""

    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    doc_freq: Counter[str] = field(default_factory=Counter)
    forms: dict[str, Counter[str]] = field(default_factory=dict)
    per_doc: dict[str, Counter[str]] = field(default_factory=dict)
    doc_totals: dict[str, int] = field(default_factory=dict)
    doc_types: dict[str, int] = field(default_factory=dict)

    @property
    def type_count(self) -> int:
        return len(self.counts)

    def term(self, key: str) -> str:
        """The most frequent original spelling (ties: the one that sorts first)."""
        forms = self.forms.get(key)
        if not forms:
            return key
        return min(forms.items(), key=lambda item: (-item[1], item[0]))[0]


def normalize_many(forms: Iterable[str], normalizer: Normalizer) -> dict[str, str]:
    """Normalize many newline-free strings with one call."""
    forms = list(forms)
    if not forms:
        return {}
    keys = normalizer.normalize("\n".join(forms)).split("\n")
    return dict(zip(forms, keys, strict=True))


def ngram_units(n: int) -> Units:
    """Units for ``--ngram N``: runs of N words within a sentence of one line.

    Punctuation that does not end a sentence (quotes, commas) is stepped over; URLs and
    emoji are not words and break nothing.
    """

    def units(text: str) -> list[str]:
        grams: list[str] = []
        for line in text.split("\n"):
            run: list[str] = []
            for token in tokenize(line):
                if token.kind is Kind.punct and token.text in SENTENCE_END:
                    grams.extend(_grams(run, n))
                    run = []
                elif token.kind in (Kind.word, Kind.number):
                    run.append(token.text)
            grams.extend(_grams(run, n))
        return grams

    return units


def _grams(run: list[str], n: int) -> Iterator[str]:
    for i in range(len(run) - n + 1):
        yield " ".join(run[i : i + n])


def count_tokens(
    docs: Iterable[Document],
    normalizer: Normalizer,
    *,
    keep_per_doc: bool = False,
    units: Units = words,
    group: Callable[[Document], str] | None = None,
) -> Counts:
    """Count every word/number token (or other ``units``) of ``docs`` by normalized key.

    With ``group``, ``per_doc`` and ``doc_totals`` are per group of documents (e.g. the
    value of a metadata field, ``freq --by``), in the groups' sorted order.
    """
    result = Counts()
    raw_per_doc: list[tuple[str, Counter[str]]] = []
    raw_groups: dict[str, Counter[str]] = {}
    raw_total: Counter[str] = Counter()
    cache: dict[str, str] = {}
    for doc in docs:
        tokens = units(doc.text)
        # Counted once, from the list (in C); a document's own counts only when kept.
        raw: Counter[str] = Counter(tokens) if keep_per_doc else Counter()
        distinct = set(tokens)
        if group is not None:
            scope = group(doc)
            result.doc_totals[scope] = result.doc_totals.get(scope, 0) + len(tokens)
            if keep_per_doc:
                raw_groups.setdefault(scope, Counter()).update(raw)
        else:
            result.doc_totals[doc.id] = len(tokens)
        result.total += len(tokens)
        raw_total.update(tokens)
        new = distinct.difference(cache)
        if new:
            cache.update(normalize_many(new, normalizer))
        keys = set(map(cache.__getitem__, distinct))
        keys.discard("")
        result.doc_freq.update(keys)
        result.doc_types[doc.id] = len(keys)
        if keep_per_doc and group is None:
            raw_per_doc.append((doc.id, raw))
    for form, count in raw_total.items():
        key = cache[form]
        if not key:
            continue
        result.counts[key] += count
        result.forms.setdefault(key, Counter())[form] += count
    if group is not None:
        result.doc_totals = {scope: result.doc_totals[scope] for scope in sorted(result.doc_totals)}
        raw_per_doc = sorted(raw_groups.items()) if keep_per_doc else []
    for doc_id, raw in raw_per_doc:
        per: Counter[str] = Counter()
        for form, count in raw.items():
            if cache[form]:
                per[cache[form]] += count
        result.per_doc[doc_id] = per
    return result


class DocStats(NamedTuple):
    tokens: int
    types: int


def document_stats(docs: Iterable[Document], normalizer: Normalizer) -> tuple[dict[str, DocStats], int, int]:
    """Tokens and types of each document, and of all of them together.

    Keeps only the vocabulary, never a counter per document, so memory stays flat on a
    corpus of many documents.
    """
    cache: dict[str, str] = {}
    keys: set[str] = set()
    stats: dict[str, DocStats] = {}
    total = 0
    for doc in docs:
        forms = words(doc.text)
        distinct = set(forms)
        new = [form for form in distinct if form not in cache]
        cache.update(normalize_many(new, normalizer))
        doc_keys = {cache[form] for form in distinct} - {""}
        keys |= doc_keys
        stats[doc.id] = DocStats(len(forms), len(doc_keys))
        total += len(forms)
    return stats, total, len(keys)


def _per_million(count: int, total: int) -> float:
    return count * 1_000_000 / total if total else 0.0


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _list(
    counts: Counts,
    counter: Counter[str],
    total: int,
    *,
    top: int,
    min_count: int,
    keep: KeyFilter | None,
    doc: str | None = None,
) -> list[FreqRow]:
    """One ranked list: ``keep`` drops keys before ranking, so ranks stay dense."""
    rows = []
    ranked = [item for item in _ranked(counter) if keep is None or keep(item[0])]
    for rank, (key, count) in enumerate(ranked, 1):
        if count < min_count or (top and rank > top):
            break
        term = counts.term(key)
        rows.append(FreqRow(rank, term, key, count, _per_million(count, total), counts.doc_freq[key], doc))
    return rows


def frequency_rows(
    counts: Counts, *, top: int = 20, min_count: int = 1, keep: KeyFilter | None = None
) -> list[FreqRow]:
    """The frequency list, most frequent first (ties in key order)."""
    return _list(counts, counts.counts, counts.total, top=top, min_count=min_count, keep=keep)


def frequency_rows_by_doc(
    counts: Counts, *, top: int = 20, min_count: int = 1, keep: KeyFilter | None = None
) -> list[FreqRow]:
    """One list per document, each ranked within its document."""
    rows = []
    for doc_id, per in counts.per_doc.items():
        total = counts.doc_totals[doc_id]
        rows += _list(counts, per, total, top=top, min_count=min_count, keep=keep, doc=doc_id)
    return rows


def term_rows(
    counts: Counts,
    terms: Sequence[str],
    normalizer: Normalizer,
    *,
    by_doc: bool = False,
    members: Callable[[str], Sequence[str]] | None = None,
) -> list[FreqRow]:
    """Counts of exactly the given terms (normalized), zeros included, in given order.

    ``members`` widens a term to several keys (``--clitics``: the term with its clitics);
    its count is then theirs together.  ``rank`` is the term's place in the full
    frequency list (None when absent, or when the term covers several keys).
    """
    rows = []
    scopes: list[tuple[str | None, Counter[str], int]]
    if by_doc:
        scopes = [(d, c, counts.doc_totals[d]) for d, c in counts.per_doc.items()]
    else:
        scopes = [(None, counts.counts, counts.total)]
    covered = {term: tuple(members(term)) if members else (normalizer.normalize(term),) for term in terms}
    for doc_id, counter, total in scopes:
        ranks = {key: rank for rank, (key, _) in enumerate(_ranked(counter), 1)}
        for term in terms:
            keys = covered[term]
            key = normalizer.normalize(term)
            count = sum(counter.get(k, 0) for k in keys)
            present = [k for k in keys if counts.counts.get(k)]
            if counts.counts.get(key):
                shown = counts.term(key)  # the term itself, spelled as the corpus spells it
            elif present:
                shown = counts.term(max(present, key=lambda k: (counts.counts[k], k)))
            else:
                shown = term
            if members is None:
                docs = counts.doc_freq.get(key, 0)
            elif counts.per_doc:
                docs = sum(1 for per in counts.per_doc.values() if any(k in per for k in keys))
            else:
                docs = max((counts.doc_freq.get(k, 0) for k in keys), default=0)
            rows.append(
                FreqRow(
                    ranks.get(key) if members is None else None,
                    shown,
                    key,
                    count,
                    _per_million(count, total),
                    docs,
                    doc_id,
                    members=keys if members else (),
                )
            )
    return rows


def with_forms(rows: list[FreqRow], counts: Counts) -> list[FreqRow]:
    """Rows with every original spelling of their key and its count, commonest first."""
    from dataclasses import replace

    return [
        replace(
            row,
            forms=tuple(
                sorted(
                    sum((counts.forms.get(k, Counter()) for k in row.keys), Counter()).items(),
                    key=lambda i: (-i[1], i[0]),
                )
            ),
        )
        for row in rows
    ]


def with_dispersion(
    rows: list[FreqRow],
    docs: Sequence[Document],
    normalizer: Normalizer,
    units: Units = words,
) -> list[FreqRow]:
    """Rows with their dispersion over the documents (parts of their real sizes).

    DP and DPnorm use the real part sizes, Juilland's D their rates (``stats.dispersion``);
    ARF uses positions in the token stream of the whole selection.
    """
    from dataclasses import replace

    wanted = {key for row in rows for key in row.keys}
    sizes: list[int] = []
    per_doc: list[Counter[str]] = []
    positions: dict[str, list[int]] = {key: [] for key in wanted}
    cache: dict[str, str] = {}
    offset = 0
    for doc in docs:
        forms = units(doc.text)
        new = {f for f in forms if f not in cache}
        cache.update(normalize_many(new, normalizer))
        counter: Counter[str] = Counter()
        for i, form in enumerate(forms):
            key = cache[form]
            if key in wanted:
                counter[key] += 1
                positions[key].append(offset + i)
        sizes.append(len(forms))
        per_doc.append(counter)
        offset += len(forms)
    out = []
    for row in rows:
        values = [sum(c[k] for k in row.keys) for c in per_doc]
        places = sorted(p for k in row.keys for p in positions[k])
        out.append(replace(row, dispersion=dispersion(values, sizes, places, offset)))
    return out
