"""Frequency counting (``corpus_cli.query.freq``): tokens by normalized key, document
frequency, term and ranked rows.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_cli.query.freq import (
    count_tokens,
    frequency_rows,
    frequency_rows_by_doc,
    normalize_many,
    term_rows,
)
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import Normalizer
from corpus_cli.text.tokenize import words
from tests.conftest import STANDARD

AGGRESSIVE = Normalizer.for_level("aggressive")


DOC_1 = Document("a", "a.txt", "الأمم المتحدة أمم الأمم\nالامم على علي 2254 ٢٢٥٤ ،\n")


DOC_2 = Document("b", "b.txt", "إلى الأمم المتحدة\nكتـــاب كتاب 😍 https://x.org ـــ\n")


@pytest.fixture
def counts():
    return count_tokens([DOC_1, DOC_2], STANDARD, keep_per_doc=True)


def test_counts_are_tokens_by_normalized_key(counts) -> None:
    assert counts.counts == Counter(
        {"الامم": 4, "المتحدة": 2, "2254": 2, "كتاب": 2, "امم": 1, "على": 1, "علي": 1, "الى": 1}
    )
    # Emoji, URLs, punctuation and tatweel runs are not tokens.
    assert counts.total == 14
    assert counts.doc_totals == {"a": 9, "b": 5}


def test_counts_keep_alef_maqsura_apart_at_standard_and_merge_at_aggressive() -> None:
    assert count_tokens([DOC_1], STANDARD).counts["على"] == 1
    assert count_tokens([DOC_1], AGGRESSIVE).counts["علي"] == 2


def test_document_frequency(counts) -> None:
    assert counts.doc_freq["الامم"] == 2
    assert counts.doc_freq["المتحدة"] == 2
    assert counts.doc_freq["2254"] == 1
    assert counts.doc_freq["كتاب"] == 1
    assert counts.per_doc["a"]["الامم"] == 3
    assert counts.per_doc["b"]["الامم"] == 1


def test_term_is_the_most_frequent_original_spelling(counts) -> None:
    assert counts.forms["الامم"] == Counter({"الأمم": 3, "الامم": 1})
    assert counts.term("الامم") == "الأمم"
    assert counts.term("الى") == "إلى"
    # Ties go to the spelling that sorts first.
    assert counts.term("2254") == "2254"
    assert counts.term("كتاب") == "كتاب"
    assert counts.term("absent") == "absent"


def test_frequency_rows(counts) -> None:
    rows = frequency_rows(counts, top=0)
    assert [(r.rank, r.term, r.key, r.count, r.docs) for r in rows[:4]] == [
        (1, "الأمم", "الامم", 4, 2),
        (2, "2254", "2254", 2, 1),
        (3, "المتحدة", "المتحدة", 2, 2),
        (4, "كتاب", "كتاب", 2, 1),
    ]
    assert len(rows) == 8
    assert rows[0].per_million == pytest.approx(4 / 14 * 1_000_000)
    assert sum(r.count for r in rows) == counts.total
    assert [r.rank for r in frequency_rows(counts, top=2)] == [1, 2]
    assert [r.key for r in frequency_rows(counts, top=0, min_count=2)] == ["الامم", "2254", "المتحدة", "كتاب"]


def test_frequency_rows_by_doc(counts) -> None:
    rows = frequency_rows_by_doc(counts, top=1)
    assert [(r.doc, r.rank, r.key, r.count) for r in rows] == [("a", 1, "الامم", 3), ("b", 1, "كتاب", 2)]
    assert rows[1].per_million == pytest.approx(2 / 5 * 1_000_000)


def test_term_rows_count_exactly_the_given_terms(counts) -> None:
    rows = term_rows(counts, ["الأمم", "سوريا", "٢٢٥٤", "علي"], STANDARD)
    assert [(r.term, r.key, r.count, r.docs, r.rank) for r in rows] == [
        ("الأمم", "الامم", 4, 2, 1),
        ("سوريا", "سوريا", 0, 0, None),
        ("2254", "2254", 2, 1, 2),
        ("علي", "علي", 1, 1, 8),
    ]
    assert rows[1].per_million == 0.0


def test_term_rows_by_doc_include_zeros(counts) -> None:
    rows = term_rows(counts, ["الأمم", "كتاب"], STANDARD, by_doc=True)
    assert [(r.doc, r.key, r.count, r.rank) for r in rows] == [
        ("a", "الامم", 3, 1),
        ("a", "كتاب", 0, None),
        ("b", "الامم", 1, 2),
        ("b", "كتاب", 2, 1),
    ]


def test_empty_selection() -> None:
    counts = count_tokens([Document("e", "e", ""), Document("w", "w", "  \n")], STANDARD)
    assert counts.total == 0
    assert frequency_rows(counts) == []
    (row,) = term_rows(counts, ["الأمم"], STANDARD)
    assert (row.count, row.per_million, row.rank) == (0, 0.0, None)


def test_normalize_many() -> None:
    forms = ["أ", "كتـاب", "ﷺ", "", "إلى", "مُحَمَّد"]
    assert normalize_many(forms, STANDARD) == {form: STANDARD.normalize(form) for form in forms}
    assert normalize_many([], STANDARD) == {}


_WORDS = st.sampled_from(
    ["الأمم", "الامم", "الإمام", "على", "علي", "كتـاب", "كِتَاب", "٢٠٢٠", "2020", "ـــ", "،", "😍"]
)


_DOCS = st.lists(st.lists(_WORDS, max_size=12).map(" ".join), min_size=1, max_size=4)


@pytest.mark.parametrize("level", ["standard", "aggressive"])
@settings(max_examples=50, deadline=None)
@given(texts=_DOCS)
def test_property_counts_equal_tokens_with_that_key(level: str, texts: list[str]) -> None:
    normalizer = Normalizer.for_level(level)
    docs = [Document(f"d{i}", "p", text) for i, text in enumerate(texts)]
    counts = count_tokens(docs, normalizer)
    every = [normalizer.normalize(w) for doc in docs for w in words(doc.text)]
    assert counts.counts == Counter(k for k in every if k)
    assert counts.total == len(every)
    for key in counts.counts:
        assert counts.doc_freq[key] == sum(
            any(normalizer.normalize(w) == key for w in words(doc.text)) for doc in docs
        )
        assert normalizer.normalize(counts.term(key)) == key
