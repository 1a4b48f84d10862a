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
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import CorpusError
from ..store.corpus import Document
from ..text.clitics import CliticMode
from ..text.normalize import Normalizer, normalize_many
from ..text.sentences import SENTENCE_END
from ..text.tokenize import Kind, tokenize, words
from .stats import Dispersion, dispersion

if TYPE_CHECKING:
    from ..store.layer import TokenLayer
    from .morphology import AttributeKeys
    from .pattern import Budget
    from .tallies import Units as LayerUnits

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


# ------------------------------------------------------------------------- the rows from the token layer


class LayerCounts(Counts):
    """The totals of counts made on the token layer, for the writer's caption (the rows
    carry everything else)."""

    types: int = 0
    #: ``--attr root|pos``: the words left out of the list, without a reading
    left_out: int = 0

    @property
    def type_count(self) -> int:
        return self.types


class _Scopes(NamedTuple):
    """The lists of ``freq --by-doc`` or ``--by`` (or the documents of ``--clitics``'s
    count): their names in the order they are listed, per layer document the list it
    counts in (-1: none), and the units of each."""

    names: list[str]
    of_doc: Any  # numpy int64 array
    totals: list[int]


def layer_freq(
    layer: TokenLayer,
    headers: Sequence[Document] | None,
    selected: Sequence[int] | None,
    request: FreqRequest,
    normalizer: Normalizer,
    timeout: float | None,
    warn: Callable[[str], None],
    progress: Callable[[int, int], None] | None = None,
    attribute: AttributeKeys | None = None,
) -> tuple[list[FreqRow], Counts, bool]:
    """``freq``'s rows computed on a token layer: the very rows that ``count_tokens`` and
    ``freq_rows`` (with ``with_forms`` and ``with_dispersion``) make of the text, without
    reading it.

    ``headers``: the layer's documents (ids and metadata, no text needed), which
    ``--by-doc``, ``--by`` and ``--clitics`` need (``request.keep_per_doc``);
    ``selected``: the layer numbers of the documents chosen (ascending; None: all).
    ``attribute``: count words by their lemma, root or part of speech (``freq --attr``,
    ``morphology.attribute_keys``) in place of their normalized form, or n-grams by their
    words' values (``morphology.ValueNgrams``): the rows show the value (values) and the
    commonest spellings counted under it (all of them with ``forms``).
    Returns the rows, counts for the caption, and whether any term counts."""
    import numpy as np

    from .tallies import units as units_of

    steps = 3 + request.forms + request.dispersion
    tell = progress or (lambda done, of: None)
    chosen = np.arange(layer.documents) if selected is None else np.asarray(selected, dtype=np.int64)
    if request.by_field is not None:
        from ..store.fields import unknown_field

        assert headers is not None
        problem = unknown_field(request.by_field, (headers[d] for d in chosen.tolist()))
        if problem is not None:
            warn(problem)
    units: LayerUnits
    if attribute is not None and request.ngram > 1:
        from .morphology import ValueNgrams

        units = ValueNgrams(layer, normalizer, request.ngram, selected, attribute)
    else:
        units = units_of(
            layer, normalizer, request.ngram, selected, None if attribute is None else attribute.keys
        )
    tell(1, steps)
    scopes = None
    if request.keep_per_doc:
        assert headers is not None
        scopes = _layer_scopes(units, headers, chosen, request.by_field)
    tell(2, steps)
    if request.terms:
        key_of: Callable[[str], str] = normalizer.normalize
        if attribute is not None:
            key_of = _value_key(normalizer, attribute.name, request.ngram)
        rows, ids = _layer_term_rows(units, scopes, request, normalizer, timeout, key_of)
        found = any(row.count for row in rows)
    else:
        rows, ids = _layer_list_rows(
            units,
            scopes if request.per_doc else None,
            request,
            normalizer,
            timeout,
            with_ids=attribute is not None,
        )
        found = True
    tell(3, steps)
    if attribute is not None:
        rows = _attribute_rows(units, rows, ids, attribute, every=request.forms)
    elif request.forms:
        rows = _layer_forms(units, rows, ids)
    if request.forms:
        tell(4, steps)
    if request.dispersion:
        grouped = scopes if request.by_field is not None else None
        rows = _layer_dispersion(units, rows, ids, chosen, grouped)
    tell(steps, steps)
    counts = LayerCounts(total=units.total)
    counts.types = units.types
    if attribute is not None and attribute.name != "lemma":  # the words (n-grams) without a value
        counts.left_out = units.total - int(units.counts.sum())
    return rows, counts, found


def _value_key(normalizer: Normalizer, name: str, ngram: int) -> Callable[[str], str]:
    """The key of a TERM of ``freq --attr``: a value as ``morphology_normalizer`` compares
    it; with ``--ngram N``, N values separated by spaces (``CorpusError`` for another number)."""
    from .cql.attributes import morphology_normalizer

    compare = morphology_normalizer(normalizer, name)
    if ngram == 1:
        return compare

    def key(term: str) -> str:
        values = term.split()
        if len(values) != ngram:
            shown = f"{len(values)} value{'s' if len(values) != 1 else ''}"
            hint = " (a root written without spaces: كتب or ك-ت-ب)" if name == "root" else ""
            raise CorpusError(
                f"'{term}' has {shown}; --attr {name} --ngram {ngram} counts runs of {ngram}{hint}"
            )
        return " ".join(compare(value) for value in values)

    return key


#: The spellings ``freq --attr`` shows of each value (``--forms``: all of them).
FORMS_SHOWN = 3


def _attribute_rows(
    units: LayerUnits,
    rows: list[FreqRow],
    ids: dict[str, int | None],
    attribute: AttributeKeys,
    *,
    every: bool,
) -> list[FreqRow]:
    """Rows of ``freq --attr``: the value as the analyser writes it (``AttributeKeys.term``;
    an n-gram's: its values' so written, ``ValueNgrams.shown``) and its commonest spellings
    in the documents counted, ``FORMS_SHOWN`` of them or all."""
    from .morphology import ValueNgrams
    from .tallies import Words

    assert isinstance(units, Words | ValueNgrams)  # words, or n-grams of values
    # the key ids the rows were made from (an n-gram's key may not split back into its
    # values: a lemma that is a word's normalized form may hold a space, as ﷺ's)
    ids = {row.key: ids[row.key] if row.key in ids else units.key_id(row.key) for row in rows}
    wanted = sorted({k for k in ids.values() if k is not None})
    spellings = units.spellings(wanted, most=0 if every else FORMS_SHOWN)
    term = attribute.term if isinstance(units, Words) else units.shown
    out = []
    for row in rows:
        key = ids[row.key]
        if key is None:
            out.append(row)
            continue
        forms = spellings.get(key, [])
        shown = term(key) if row.count else row.term
        out.append(replace(row, term=shown, forms=tuple(forms)))
    return out


def _layer_scopes(
    units: LayerUnits, headers: Sequence[Document], chosen: Any, by_field: str | None
) -> _Scopes:
    """The scopes of ``count_tokens``: with ``by_field``, one per value of the field (sorted);
    else one per document id, in the order the ids come, each counted from the last
    document of that id (as ``Counts.per_doc``, a dict by id, keeps them)."""
    import numpy as np

    of_doc = np.full(units.layer.documents, -1, dtype=np.int64)
    if by_field is None:
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for d in chosen.tolist():
            doc_id = headers[d].id
            first.setdefault(doc_id, len(first))
            last[doc_id] = d
        names = list(first)
        for doc_id, d in last.items():
            of_doc[d] = first[doc_id]
    else:
        from ..store.fields import grouping

        value = grouping(by_field)
        values = {d: value(headers[d]) for d in chosen.tolist()}
        names = sorted(set(values.values()))
        number = {name: i for i, name in enumerate(names)}
        for d, name in values.items():
            of_doc[d] = number[name]
    kept = of_doc >= 0
    sizes = units.doc_sizes()[kept].astype(np.float64)  # exact: below 2^53
    totals = np.bincount(of_doc[kept], weights=sizes, minlength=len(names)).astype(np.int64)
    return _Scopes(names, of_doc, totals.tolist())


def _layer_term_rows(
    units: LayerUnits,
    scopes: _Scopes | None,
    request: FreqRequest,
    normalizer: Normalizer,
    timeout: float | None,
    key_of: Callable[[str], str] | None = None,
) -> tuple[list[FreqRow], dict[str, int | None]]:
    """``term_rows`` on the layer; and the key id of each key the rows name (None: absent).
    ``key_of``: a term's key (default: the term normalized)."""
    import numpy as np

    terms = list(request.terms)
    counts = units.counts
    texts: dict[int, str] = {}
    members: dict[str, list[int]] | None = None
    if request.clitics is not None:  # ``clitic_members``: the keys counted that are the term with clitics
        from .pattern import Budget, MatchOptions, compile_query

        present = units.present()
        texts = dict(present)
        strings = [text for _, text in present]
        members = {}
        for term in terms:
            regex = compile_query(term, normalizer, MatchOptions(clitics=request.clitics)).regex
            members[term] = [present[i][0] for i in full_matches(regex, strings, Budget(timeout))]
    own = {term: (key_of or normalizer.normalize)(term) for term in terms}
    ids: dict[str, int | None] = {key: units.find(key) for key in own.values()}
    covered: dict[str, list[int]] = {}
    for term in terms:
        if members is not None:
            covered[term] = members[term]
            ids.update((texts[k], k) for k in members[term])
        else:
            found = ids[own[term]]
            covered[term] = [] if found is None else [found]
    # The term shown: its key's commonest spelling, else that of its commonest member.
    shown_by: dict[str, int | None] = {}
    for term in terms:
        found = ids[own[term]]
        if found is None and covered[term]:
            found = max(covered[term], key=lambda k: (int(counts[k]), texts[k]))
        shown_by[term] = found
    spelled = units.terms([k for k in shown_by.values() if k is not None])
    own_ids = [k for k in (ids[own[term]] for term in terms) if k is not None]
    doc_counts = dict(zip(own_ids, units.docs_of(own_ids), strict=True))
    shown = {term: term if k is None else spelled[k] for term, k in shown_by.items()}
    named = {term: tuple(texts[k] for k in covered[term]) if members is not None else () for term in terms}

    rows: list[FreqRow] = []
    if not request.per_doc:
        for term in terms:
            found = ids[own[term]]
            count = sum(int(counts[k]) for k in covered[term])
            if members is None:
                rank = None if found is None else 1 + units.keys_ahead(counts, found, int(counts[found]))
                docs = 0 if found is None else int(doc_counts[found])
            else:  # the documents (by id) that hold any of the keys
                assert scopes is not None
                rank, docs = None, int(_holding(units, covered[term], scopes).sum())
            per_million = _per_million(count, units.total)
            rows.append(FreqRow(rank, shown[term], own[term], count, per_million, docs, members=named[term]))
        return rows, ids

    assert scopes is not None
    size = len(scopes.names)
    grouped = request.by_field is not None
    in_scope = {term: _scope_totals(units, covered[term], scopes) for term in terms}
    ranks: dict[str, Any] = {}
    docs_in: dict[str, Any] = {}
    if members is None:  # ranks within each scope that holds a term; the documents of each group that do
        from .tallies import scope_counts

        wanted = np.zeros(size, dtype=bool)
        for term in terms:
            wanted |= in_scope[term] > 0
        entries = scope_counts(units, scopes.of_doc, wanted)
        entry_ranks = units.ranks[entries.keys]
        for term in terms:
            found = ids[own[term]]
            if found is None:
                continue
            theirs = in_scope[term][entries.scopes]
            ahead = (entries.counts > theirs) | (
                (entries.counts == theirs) & (entry_ranks < units.ranks[found])
            )
            ranks[term] = 1 + np.bincount(entries.scopes[ahead], minlength=size)
            if grouped:
                docs_in[term] = _holding(units, [found], scopes)
    else:
        for term in terms:
            holding = _holding(units, covered[term], scopes)
            docs_in[term] = holding if grouped else np.full(size, int(holding.sum()), dtype=np.int64)
    for scope, name in enumerate(scopes.names):
        total = scopes.totals[scope]
        for term in terms:
            found = ids[own[term]]
            count = int(in_scope[term][scope])
            rank = int(ranks[term][scope]) if members is None and found is not None and count else None
            if members is None and not grouped:
                docs = 0 if found is None else int(doc_counts[found])
            else:
                docs = int(docs_in[term][scope]) if term in docs_in else 0
            per_million = _per_million(count, total)
            rows.append(
                FreqRow(rank, shown[term], own[term], count, per_million, docs, name, members=named[term])
            )
    return rows, ids


def full_matches(pattern: Any, strings: Sequence[str], budget: Budget) -> list[int]:
    """The indexes of the ``strings`` (none with a line end) that ``pattern`` matches in
    full: one search of them all joined by line ends, anchored to lines (a scan in C, not
    a call per string: 0.01 s for saudinewsnet's 272,000 keys, not 0.6 s), each match then
    confirmed on its string alone; a call per string if a match runs across a line end."""
    import re
    from bisect import bisect_right

    module: Any = re
    if not isinstance(pattern, re.Pattern):
        import regex as module
    lines = module.compile(f"^(?:{pattern.pattern})$", pattern.flags | module.MULTILINE)
    starts, at = [], 0
    for string in strings:
        starts.append(at)
        at += len(string) + 1
    found = []
    for match in budget.finditer(lines, "\n".join(strings)):
        i = bisect_right(starts, match.start()) - 1
        if match.end() > starts[i] + len(strings[i]):
            return [i for i, string in enumerate(strings) if budget.fullmatch(pattern, string) is not None]
        if match.start() == starts[i] and budget.fullmatch(pattern, strings[i]) is not None:
            found.append(i)
    return found


def _scope_totals(units: LayerUnits, keys: Sequence[int], scopes: _Scopes) -> Any:
    """Per scope, the units of any of ``keys``."""
    import numpy as np

    where = scopes.of_doc[units.docs_holding(keys)]
    return np.bincount(where[where >= 0], minlength=len(scopes.names)).astype(np.int64)


def _holding(units: LayerUnits, keys: Sequence[int], scopes: _Scopes) -> Any:
    """Per scope, its documents that hold any of ``keys``."""
    import numpy as np

    from .tallies import distinct

    where = scopes.of_doc[distinct(units.docs_holding(keys))]
    return np.bincount(where[where >= 0], minlength=len(scopes.names)).astype(np.int64)


def _layer_list_rows(
    units: LayerUnits,
    scopes: _Scopes | None,
    request: FreqRequest,
    normalizer: Normalizer,
    timeout: float | None,
    *,
    with_ids: bool = False,
) -> tuple[list[FreqRow], dict[str, int | None]]:
    """``frequency_rows`` (one list) or ``frequency_rows_by_doc`` (a list per scope) on the
    layer; and the key id of each key the rows name (when ``--forms``, ``--dispersion`` or
    ``with_ids`` needs them)."""
    import numpy as np

    from .tallies import distinct, ranked, ranked_in_scopes, scope_counts, scope_doc_counts

    keep = key_filter(normalizer, request.stopwords, request.match, request.ngram, timeout)
    top, least = request.top, request.min_count
    kept: dict[int, bool] = {}

    def keeps(key: int) -> bool:
        found = kept.get(key)
        if found is None:
            found = kept[key] = keep is None or keep(units.key_text(key))
        return found

    if scopes is None:  # one list
        order = ranked(units, units.counts, least=least, top=top if keep is None else 0)
        if keep is None:
            keys = order[:top] if top else order
        else:
            walked = []
            for key in order.tolist():
                if keeps(key):
                    walked.append(key)
                    if top and len(walked) == top:
                        break
            keys = np.asarray(walked, dtype=np.int64)
        places, counts = np.arange(1, len(keys) + 1), units.counts[keys]
        in_scopes = np.zeros(len(keys), dtype=np.int64)
    else:  # a list per scope
        in_scopes, keys, counts = ranked_in_scopes(units, scope_counts(units, scopes.of_doc))
        firsts = np.searchsorted(in_scopes, np.arange(len(scopes.names) + 1))
        if keep is None:
            places = np.arange(len(keys)) - firsts[in_scopes] + 1
            chosen = counts >= least
            if top:
                chosen &= places <= top
        else:
            chosen = np.zeros(len(keys), dtype=bool)
            places = np.zeros(len(keys), dtype=np.int64)
            for scope in range(len(scopes.names)):
                rank = 0
                for at in range(int(firsts[scope]), int(firsts[scope + 1])):
                    key = int(keys[at])
                    if counts[at] < least:
                        break
                    if not keeps(key):
                        continue
                    rank += 1
                    if top and rank > top:
                        break
                    chosen[at], places[at] = True, rank
        in_scopes, places, keys, counts = in_scopes[chosen], places[chosen], keys[chosen], counts[chosen]
    shown = distinct(keys)
    at = np.searchsorted(shown, keys)
    spelled, texts = units.term_list(shown), units.key_texts(shown.tolist())
    if scopes is not None and request.by_field is not None:  # the documents of the group that hold it
        width = max(1, units.key_count)
        held = scope_doc_counts(units, scopes.of_doc)
        docs = held.counts[np.searchsorted(held.scopes * width + held.keys, in_scopes * width + keys)]
    else:
        docs = np.asarray(units.docs_of(shown.tolist()), dtype=np.int64)[at]
    names: list[str | None] = [None] if scopes is None else list(scopes.names)
    totals = [units.total] if scopes is None else scopes.totals
    rows = [
        FreqRow(rank, spelled[i], texts[i], count, _per_million(count, totals[scope]), held_by, names[scope])
        for scope, rank, i, count, held_by in zip(
            in_scopes.tolist(), places.tolist(), at.tolist(), counts.tolist(), docs.tolist(), strict=True
        )
    ]
    ids: dict[str, int | None] = {}
    if request.forms or request.dispersion or with_ids:
        ids = dict(zip(texts, shown.tolist(), strict=True))
    return rows, ids


def _layer_forms(units: LayerUnits, rows: list[FreqRow], ids: dict[str, int | None]) -> list[FreqRow]:
    """``with_forms`` on the layer."""
    wanted = sorted({k for row in rows for k in (ids.get(key) for key in row.keys) if k is not None})
    spellings = units.spellings(wanted)
    out = []
    for row in rows:
        found = [k for k in (ids.get(key) for key in row.keys) if k is not None]
        if len(found) == 1:
            forms = tuple(spellings.get(found[0], ()))
        else:
            merged: Counter[str] = Counter()
            for k in found:
                merged.update(dict(spellings.get(k, ())))
            forms = tuple(sorted(merged.items(), key=lambda item: (-item[1], item[0])))
        out.append(replace(row, forms=forms))
    return out


def _layer_dispersion(
    units: LayerUnits,
    rows: list[FreqRow],
    ids: dict[str, int | None],
    chosen: Any,
    groups: _Scopes | None,
) -> list[FreqRow]:
    """``with_dispersion`` (over the documents chosen) or, with ``groups`` (``--by``),
    ``with_group_dispersion`` (each group's rows over its own documents) on the layer."""
    import numpy as np

    from .tallies import dispersion_inputs

    members: dict[str | None, Any] = {}
    offsets = None
    if groups is not None:  # each group's documents, and where each begins in its group's stream
        sizes = units.doc_sizes()
        offsets = np.zeros(units.layer.documents, dtype=np.int64)
        filled = [0] * len(groups.names)
        for d in chosen.tolist():
            number = int(groups.of_doc[d])
            offsets[d] = filled[number]
            filled[number] += int(sizes[d])
            members.setdefault(groups.names[number], []).append(d)
    found: dict[tuple[tuple[int, ...], str | None], Dispersion] = {}
    out = []
    for row in rows:
        keys = tuple(k for k in (ids.get(key) for key in row.keys) if k is not None)
        scope = row.doc if groups is not None else None
        score = found.get((keys, scope))
        if score is None:
            docs = chosen if groups is None else np.asarray(members.get(scope or "", []), dtype=np.int64)
            score = found[(keys, scope)] = dispersion(*dispersion_inputs(units, keys, docs, offsets))
        out.append(replace(row, dispersion=score))
    return out
