"""Frequency lists of normalized tokens.

A count is the number of word and number tokens whose normalized form equals the key;
the term shown for a key is its most frequent original spelling.  Distinct original
forms are normalized together in one pass (normalization never crosses a line end, so
joining them with ``\\n`` and splitting the result is exact), which keeps a big corpus
to one normalization call per document plus one for its vocabulary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from ..errors import CorpusError
from ..store.corpus import Document
from ..text.clitics import CliticMode
from ..text.normalize import Normalizer, normalize_many
from ..text.sentences import SENTENCE_END
from ..text.tokenize import Kind, tokenize, words
from .stats import Dispersion, dispersion

Units = Callable[[str], list[str]]
KeyFilter = Callable[[str], bool]


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
    #: Per group (``count_tokens``'s ``group``): how many of its documents hold each key.
    group_doc_freq: dict[str, Counter[str]] = field(default_factory=dict)
    #: Per group: how many of its documents hold a key that passes each term's test.
    term_docs: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def type_count(self) -> int:
        return len(self.counts)

    def docs_of(self, key: str, scope: str | None = None) -> int:
        """The documents that hold ``key``: of the group ``scope`` when the counts are
        by group, else of all the documents counted."""
        group = self.group_doc_freq.get(scope) if scope is not None and self.group_doc_freq else None
        return (group if group is not None else self.doc_freq).get(key, 0)

    def term(self, key: str) -> str:
        """The most frequent original spelling (ties: the one that sorts first)."""
        forms = self.forms.get(key)
        if not forms:
            return key
        return min(forms.items(), key=lambda item: (-item[1], item[0]))[0]


def ngram_units(n: int) -> Units:
    """Units for ``--ngram N``: runs of N words within a sentence (``text.sentences``:
    never across a line end or ``SENTENCE_END`` punctuation).

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


def terms_as_ngrams(terms: Sequence[str], ngram: int) -> tuple[list[str], int]:
    """``freq TERM...``: a term of several words counts as the n-gram it is, so the
    terms come back written as ``ngram_units`` writes that n-gram, with its length.

    One count is one length: the terms must all have as many words, and as many as
    ``--ngram`` (when it asks for more than one).  A term with no word counts as one.
    """
    lengths = [max(1, len(words(term))) for term in terms]
    n = max(lengths, default=1)
    if len(set(lengths)) > 1:
        shown = " and ".join(map(str, sorted(set(lengths))))
        raise CorpusError(f"TERMs of {shown} words: count the terms of each length with a freq of their own")
    if ngram > 1 and n != ngram:
        words_of = f"{n} word{'s' if n > 1 else ''}"
        raise CorpusError(f"'{terms[0]}' has {words_of}; --ngram {ngram} counts runs of {ngram}")
    if n == 1:
        return list(terms), 1
    written = []
    for term in terms:
        grams = ngram_units(n)(term)
        if len(grams) != 1:
            raise CorpusError(f"'{term}' runs across the end of a sentence, which an n-gram never does")
        written.append(grams[0])
    return written, n


def count_tokens(
    docs: Iterable[Document],
    normalizer: Normalizer,
    *,
    keep_per_doc: bool = False,
    units: Units = words,
    group: Callable[[Document], str] | None = None,
    tests: Mapping[str, Callable[[str], bool]] | None = None,
) -> Counts:
    """Count every word/number token (or other ``units``) of ``docs`` by normalized key.

    With ``group``, ``per_doc``, ``doc_totals`` and ``group_doc_freq`` are per group of
    documents (e.g. the value of a metadata field, ``freq --by``), in the groups' sorted
    order; ``tests`` (by term: the keys that count for it, as a term with its clitics)
    then fill ``term_docs``, which no sum of the keys' document counts could give.
    """
    result = Counts()
    raw_per_doc: list[tuple[str, Counter[str]]] = []
    raw_groups: dict[str, Counter[str]] = {}
    raw_total: Counter[str] = Counter()
    cache: dict[str, str] = {}
    passed: dict[str, tuple[str, ...]] = {}  # key -> the terms whose test it passes
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
        if group is not None:
            result.group_doc_freq.setdefault(scope, Counter()).update(keys)
            if tests:
                held: set[str] = set()
                for key in keys:
                    terms = passed.get(key)
                    if terms is None:
                        terms = passed[key] = tuple(t for t, test in tests.items() if test(key))
                    held.update(terms)
                result.term_docs.setdefault(scope, Counter()).update(held)
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
        rows.append(
            FreqRow(rank, term, key, count, _per_million(count, total), counts.docs_of(key, doc), doc)
        )
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
                docs = counts.docs_of(key, doc_id)
            elif doc_id is not None and counts.group_doc_freq:
                docs = counts.term_docs.get(doc_id, Counter())[term]
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


def with_group_dispersion(
    rows: list[FreqRow],
    docs: Sequence[Document],
    normalizer: Normalizer,
    units: Units,
    group: Callable[[Document], str],
) -> list[FreqRow]:
    """``with_dispersion`` for the rows of ``freq --by``: each group's rows over the
    documents of that group, as its counts are."""
    from itertools import groupby

    members: dict[str, list[Document]] = {}
    for doc in docs:
        members.setdefault(group(doc), []).append(doc)
    out: list[FreqRow] = []
    for scope, scoped in groupby(rows, key=lambda row: row.doc):
        out += with_dispersion(list(scoped), members.get(scope or "", []), normalizer, units)
    return out


def clitic_tests(
    terms: Iterable[str], normalizer: Normalizer, mode: CliticMode, timeout: float | None
) -> dict[str, Callable[[str], bool]]:
    """Per term, whether a key is the term with clitics (``freq TERM --clitics``)."""
    from .pattern import Budget, MatchOptions, compile_query

    def test(term: str) -> Callable[[str], bool]:
        regex = compile_query(term, normalizer, MatchOptions(clitics=mode)).regex
        budget = Budget(timeout)  # the vocabulary is matched as one document
        return lambda key: budget.fullmatch(regex, key) is not None

    return {term: test(term) for term in terms}


# --------------------------------------------------------------------------- the freq command's rows


class FreqRequest(NamedTuple):
    """What ``freq`` counts and lists (its options, the engine and format aside)."""

    terms: tuple[str, ...] = ()
    top: int = 20
    min_count: int = 1
    by_doc: bool = False
    by_field: str | None = None  # --by FIELD: one list per value of the field
    ngram: int = 1
    stopwords: str | None = None
    match: str | None = None
    forms: bool = False
    dispersion: bool = False
    clitics: CliticMode | None = None

    def with_ngram_terms(self) -> FreqRequest:
        """The request with its TERMs written as the n-grams they are (``terms_as_ngrams``);
        ``CorpusError`` for a TERM of several words with ``--clitics``."""
        if not self.terms:
            return self
        terms, ngram = terms_as_ngrams(self.terms, self.ngram)
        if self.clitics is not None and ngram > 1:
            raise CorpusError(f"--clitics needs a single word, not '{terms[0]}'")
        return self._replace(terms=tuple(terms), ngram=ngram)

    def check_grouping(self) -> None:
        """``CorpusError`` for ``--by`` with ``--by-doc`` (one row per group or per document)."""
        if self.by_field is not None and self.by_doc:
            raise CorpusError("--by and --by-doc cannot be combined")

    @property
    def per_doc(self) -> bool:
        """Rows per document (``--by-doc``) or per group (``--by``: listed as a document is)."""
        return self.by_doc or self.by_field is not None

    @property
    def keep_per_doc(self) -> bool:
        """The counts must be kept per document (or group)."""
        return self.per_doc or bool(self.terms and self.clitics)

    @property
    def plain_list(self) -> bool:
        """The frequency list with no term filtered out (an index keeps it ranked)."""
        return not self.terms and self.stopwords is None and self.match is None

    def units(self) -> Units:
        return ngram_units(self.ngram) if self.ngram > 1 else words


def freq_rows(
    counts: Counts, request: FreqRequest, normalizer: Normalizer, timeout: float | None
) -> tuple[list[FreqRow], bool]:
    """The rows ``freq`` prints from ``counts`` (of any engine), and whether any term counts."""
    if request.terms:
        mode = request.clitics
        members = clitic_members(counts, normalizer, mode, timeout) if mode is not None else None
        rows = term_rows(counts, list(request.terms), normalizer, by_doc=request.per_doc, members=members)
        return rows, any(r.count for r in rows)
    keep_key = key_filter(normalizer, request.stopwords, request.match, request.ngram, timeout)
    make = frequency_rows_by_doc if request.per_doc else frequency_rows
    return make(counts, top=request.top, min_count=request.min_count, keep=keep_key), True


def freq_groups(
    docs: list[Document],
    request: FreqRequest,
    normalizer: Normalizer,
    timeout: float | None,
    warn: Callable[[str], None],
) -> tuple[Callable[[Document], str] | None, dict[str, Callable[[str], bool]] | None]:
    """``freq --by FIELD``: the group of a document, and the tests of TERMs with
    clitics (how many documents of a group hold a term with its clitics)."""
    if request.by_field is None:
        return None, None
    from ..store.fields import grouping, unknown_field

    problem = unknown_field(request.by_field, docs)
    if problem is not None:
        warn(problem)
    terms, mode = request.terms, request.clitics
    tests = clitic_tests(terms, normalizer, mode, timeout) if terms and mode else None
    return grouping(request.by_field), tests


def key_filter(
    normalizer: Normalizer, stopwords: str | None, match: str | None, ngram: int, timeout: float | None
) -> Callable[[str], bool] | None:
    """The keys a list keeps: not stopwords (n-grams: not at either end), matching ``match``."""
    tests: list[Callable[[str], bool]] = []
    if stopwords is not None:
        from ..text.stopwords import load_stopwords

        stop = load_stopwords(stopwords, normalizer)
        if ngram > 1:
            tests.append(lambda key: key.split(" ")[0] not in stop and key.split(" ")[-1] not in stop)
        else:
            tests.append(lambda key: key not in stop)
    if match is not None:
        from .pattern import Budget, MatchOptions, compile_query

        regex = compile_query(match, normalizer, MatchOptions()).regex
        budget = Budget(timeout)  # the list of terms is matched as one document
        tests.append(lambda key: budget.search(regex, key) is not None)
    if not tests:
        return None
    return lambda key: all(test(key) for test in tests)


def clitic_members(
    counts: Counts, normalizer: Normalizer, mode: CliticMode, timeout: float | None
) -> Callable[[str], list[str]]:
    """``freq TERM --clitics``: the keys that are the term with clitics."""
    from .pattern import Budget, MatchOptions, compile_query

    def members(term: str) -> list[str]:
        regex = compile_query(term, normalizer, MatchOptions(clitics=mode)).regex
        budget = Budget(timeout)
        return sorted(k for k in counts.counts if budget.fullmatch(regex, k))

    return members
