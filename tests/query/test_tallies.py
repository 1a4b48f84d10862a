"""``query.tallies`` (counts over the token layer with numpy) and ``query.freq.layer_freq``:
the numbers and rows of the text path (``count_tokens``, ``freq_rows``, ``with_forms``,
``with_dispersion``), from layers built in memory at one level and queried at another.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.query import tallies
from corpus_cli.query.freq import (
    FreqRequest,
    count_tokens,
    freq_groups,
    freq_rows,
    layer_freq,
    ngram_units,
    with_dispersion,
    with_forms,
    with_group_dispersion,
)
from corpus_cli.store.corpus import Document
from corpus_cli.store.layer import build_layer
from corpus_cli.text.clitics import CliticMode
from corpus_cli.text.normalize import Normalizer
from corpus_cli.text.tokenize import words
from tests.conftest import SEEDS

np = pytest.importorskip("numpy")

#: Words whose keys hold spaces (ﷺ) or are nothing but a space (ﹰ), a document of no word,
#: sentences ended by punctuation and lines, numbers, Latin, a repeated id.
ODD = [
    ("a", {"source": "x"}, "قال النبي ﷺ في الحديث\nكتاب ﹰ جديد كتاب ﹰ جديد\nصلى الله عليه وسلم في الحديث\n"),
    ("b", {"source": "y"}, "ﷺ في الحديث. قال ﷺ\nكتاب  جديد ﹰ\nقال النبي صلى الله عليه وسلم في\n"),
    ("c", {}, "!!! ؟ ...\n"),
    ("a", {"source": "y"}, "الأمم المتحدة: الأمم المتحدة، 2015 و3.5 Hello hello.\nوللأمم بالأمم للأمم"),
]


def corpus_of(rows: list[tuple[str, dict[str, str], str]]) -> list[Document]:
    return [Document(doc_id, doc_id, text, dict(meta)) for doc_id, meta, text in rows]


def seeds() -> list[Document]:
    return [Document(p.stem, str(p), p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]


def text_freq(docs: list[Document], request: FreqRequest, normalizer: Normalizer):
    """The text path of ``freq`` (as the command runs it without an index)."""
    group, tests = freq_groups(docs, request, normalizer, None, lambda message: None)
    units = request.units()
    counts = count_tokens(
        docs, normalizer, keep_per_doc=request.keep_per_doc, units=units, group=group, tests=tests
    )
    rows, found = freq_rows(counts, request, normalizer, None)
    if request.forms:
        rows = with_forms(rows, counts)
    if request.dispersion and group is not None:
        rows = with_group_dispersion(rows, docs, normalizer, units, group)
    elif request.dispersion:
        rows = with_dispersion(rows, docs, normalizer, units)
    return rows, counts.total, counts.type_count, found


def same_as_text(docs: list[Document], request: FreqRequest, built: str, level: str, selected=None) -> None:
    """``layer_freq`` on a layer built at ``built`` and asked at ``level`` gives the rows of the
    text path at ``level`` (over the documents ``selected``)."""
    normalizer = Normalizer.for_level(level)
    layer = build_layer((d.text for d in docs), Normalizer.for_level(built))
    chosen = docs if selected is None else [docs[i] for i in selected]
    try:
        expected = text_freq(chosen, request, normalizer)
    except CorpusError as exc:  # --clitics at a level that folds ة into ه, for one
        with pytest.raises(CorpusError, match=re.escape(str(exc))):
            layer_freq(layer, docs, selected, request, normalizer, None, lambda message: None)
        return
    rows, counts, found = layer_freq(layer, docs, selected, request, normalizer, None, lambda message: None)
    assert (rows, counts.total, counts.type_count, found) == expected, request


REQUESTS = [
    FreqRequest(top=0),
    FreqRequest(top=5, min_count=2, forms=True, dispersion=True),
    FreqRequest(ngram=2, top=0, forms=True),
    FreqRequest(ngram=3, top=0, dispersion=True),
    FreqRequest(ngram=5, top=0),
    FreqRequest(by_doc=True, top=3, forms=True, dispersion=True),
    FreqRequest(by_doc=True, ngram=2, top=0, stopwords="builtin"),
    FreqRequest(by_field="source", top=0, dispersion=True),
    FreqRequest(by_field="source", ngram=2, top=2, match="^ال"),
    FreqRequest(terms=("الأمم", "ززز", "الحديث"), forms=True, dispersion=True),
    FreqRequest(terms=("الأمم", "في"), by_doc=True),
    FreqRequest(terms=("الأمم", "في"), by_field="source", dispersion=True),
    FreqRequest(terms=("الأمم",), clitics=CliticMode.both, forms=True),
    FreqRequest(terms=("الأمم", "كتاب"), clitics=CliticMode.pro, by_doc=True),
    FreqRequest(terms=("الأمم",), clitics=CliticMode.both, by_field="source", dispersion=True),
    FreqRequest(terms=("في الحديث", "صلى الله")).with_ngram_terms(),
    FreqRequest(terms=("في الحديث",), by_doc=True, forms=True).with_ngram_terms(),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=range(len(REQUESTS)))
@pytest.mark.parametrize(
    ("built", "level"), [("standard", "standard"), ("standard", "aggressive"), ("light", "none")]
)
def test_layer_rows_are_the_text_rows(request_: FreqRequest, built: str, level: str) -> None:
    same_as_text(corpus_of(ODD), request_, built, level)


@pytest.mark.parametrize("request_", REQUESTS[:9], ids=range(9))
def test_layer_rows_of_the_seeds(request_: FreqRequest) -> None:
    same_as_text(seeds(), request_, "standard", "standard")


@pytest.mark.parametrize("request_", [REQUESTS[i] for i in (0, 2, 3, 4, 6, 8)], ids=range(6))
def test_thousands_of_keys_with_odd_ones(request_: FreqRequest) -> None:
    """Enough keys for the bulk paths (keys and spellings decoded all at once), odd n-grams
    among them."""
    same_as_text(seeds() + corpus_of(ODD), request_, "standard", "standard")


@pytest.mark.parametrize("request_", REQUESTS, ids=range(len(REQUESTS)))
def test_a_selection_of_documents(request_: FreqRequest) -> None:
    same_as_text(corpus_of(ODD), request_, "standard", "standard", selected=[1, 3])


def test_n_grams_of_odd_keys_merge_with_the_usual_ones() -> None:
    """ﷺ في is the bigram of 'صلى الله عليه وسلم في' as 5 words: at 5 words, one key."""
    docs = corpus_of(ODD)
    normalizer = Normalizer.for_level("standard")
    layer = build_layer((d.text for d in docs), normalizer)
    five = tallies.units(layer, normalizer, 5)
    key = five.find("صلى الله عليه وسلم في")
    assert key is not None
    assert (
        five.counts[key]
        == Counter(g for d in docs for g in map(normalizer.normalize, ngram_units(5)(d.text)))[
            "صلى الله عليه وسلم في"
        ]
    )
    two = tallies.units(layer, normalizer, 2)
    odd = two.find("صلى الله عليه وسلم في")
    assert odd is not None and two.key_text(odd) == "صلى الله عليه وسلم في"
    assert two.find("كتاب ") is not None  # كتاب ﹰ: the space the mark leaves
    ordered = [text for _, text in two.present()]
    assert ordered == sorted(ordered)


def test_words_count_from_the_inverted_lists() -> None:
    docs = seeds()
    normalizer = Normalizer.for_level("standard")
    layer = build_layer((d.text for d in docs), normalizer)
    found = tallies.units(layer, normalizer)
    counts = count_tokens(docs, normalizer)
    assert found.total == counts.total == sum(len(words(d.text)) for d in docs)
    assert found.types == counts.type_count
    key = found.find("سوريا")
    assert key is not None and found.counts[key] == counts.counts["سوريا"]
    assert found.docs_of([key]) == [counts.doc_freq["سوريا"]]
    assert found.doc_sizes().tolist() == [len(words(d.text)) for d in docs]
    assert found.find("ززز") is None


def test_a_densified_tuple_code_keeps_the_order_of_the_tuples(monkeypatch: pytest.MonkeyPatch) -> None:
    """Codes made dense on the way (``_CODE_LIMIT``) still sort as the tuples, past 2^31."""
    monkeypatch.setattr(tallies, "_CODE_LIMIT", 1 << 40)
    radix = 300_000
    rng = np.random.default_rng(7)
    columns = [rng.integers(0, radix, 10_000) for _ in range(4)]
    coder = tallies.TupleCodes(radix)
    codes = coder.codes([lambda c=c: c.copy() for c in columns])
    assert [table is not None for table in coder.tables] == [False, True, True]
    rows = list(zip(*(c.tolist() for c in columns), strict=True))
    assert sorted(range(len(rows)), key=lambda i: (codes[i], i)) == sorted(
        range(len(rows)), key=lambda i: (rows[i], i)
    )
    assert int(codes.max()) > 1 << 31
    for i in (0, 17, 9999):
        assert coder.decode(int(codes[i])) == list(rows[i])
        assert coder.encode(list(rows[i])) == int(codes[i])
    assert coder.encode([radix - 1, radix - 1, radix - 1, 0]) is None  # a prefix never seen


def test_grouped_sorted_by_and_tallied() -> None:
    codes = np.asarray([5, 3, 5, 0, 3, 5], dtype=np.int64)
    groups = tallies.grouped(codes)
    assert groups.codes.tolist() == [0, 3, 5]
    assert groups.order.tolist() == [3, 1, 4, 0, 2, 5]  # stable: ascending within a code
    assert groups.starts.tolist() == [0, 1, 3, 6]
    assert groups.labels().tolist() == [2, 1, 2, 0, 1, 2]
    assert tallies.tallied(codes)[1].tolist() == [1, 2, 3]
    big = np.asarray([1 << 61, 3, 1 << 61], dtype=np.int64)  # no room for the index: argsort
    assert tallies.grouped(big).order.tolist() == [1, 0, 2]
    first, second = np.asarray([2, 1, 2, 1]), np.asarray([0, 9, 0, 3])
    assert tallies.sorted_by(first, second).tolist() == [3, 1, 0, 2]
    assert tallies.sorted_by(first, np.asarray([1 << 62, 0, 0, 0])).tolist() == [1, 3, 2, 0]


def test_an_unknown_field_is_told_once(tmp_path: Path) -> None:
    docs = corpus_of(ODD)
    normalizer = Normalizer.for_level("standard")
    layer = build_layer((d.text for d in docs), normalizer)
    told: list[str] = []
    rows, _, _ = layer_freq(
        layer, docs, None, FreqRequest(by_field="nothing", top=1), normalizer, None, told.append
    )
    assert told == [
        "--by: no document has the field 'nothing' (every document has folder, date, year, month)"
    ]
    assert [row.doc for row in rows] == [""]


def test_progress_is_told_in_steps() -> None:
    docs = corpus_of(ODD)
    normalizer = Normalizer.for_level("standard")
    layer = build_layer((d.text for d in docs), normalizer)
    steps: list[tuple[int, int]] = []
    request = FreqRequest(top=2, forms=True, dispersion=True)
    layer_freq(
        layer, docs, None, request, normalizer, None, print, progress=lambda d, n: steps.append((d, n))
    )
    assert steps == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
