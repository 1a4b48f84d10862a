"""Concordance context and sorting; frequency counts, terms, document frequencies."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_cli.errors import CorpusError
from corpus_cli.query.freq import (
    count_tokens,
    frequency_rows,
    frequency_rows_by_doc,
    normalize_many,
    term_rows,
)
from corpus_cli.query.kwic import after_words, before_words, concordance, flatten, parse_sort, sort_lines
from corpus_cli.query.pattern import MatchOptions, compile_query
from corpus_cli.query.search import iter_hits
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import MARKS, Normalizer
from corpus_cli.text.tokenize import words
from corpus_cli.text.visible import after_chars, before_chars

STANDARD = Normalizer.for_level("standard")
AGGRESSIVE = Normalizer.for_level("aggressive")
_MARK = re.compile(f"[{MARKS}]")


def is_mark(char: str) -> bool:
    return bool(_MARK.match(char)) or unicodedata.combining(char) != 0


def hits(docs: list[Document], pattern: str, **options: bool):
    return list(iter_hits(docs, compile_query(pattern, STANDARD, MatchOptions(**options))))


# --------------------------------------------------------------------------- context by characters

QURAN = "ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ"  # the hit ٱلْكِتَٰبُ is [8, 18)


@pytest.mark.parametrize("width", range(8))
def test_before_chars_never_starts_on_a_mark(width: int) -> None:
    start = before_chars(QURAN, 8, width)
    assert 0 <= start <= 8
    assert start == 8 or not is_mark(QURAN[start])
    visible = [c for c in QURAN[start:8] if not is_mark(c)]
    assert len(visible) <= width


@pytest.mark.parametrize("width", range(8))
def test_after_chars_keeps_the_marks_of_its_last_letter(width: int) -> None:
    end = after_chars(QURAN, 18, width)
    assert 18 <= end <= len(QURAN)
    assert end == len(QURAN) or not is_mark(QURAN[end])
    visible = [c for c in QURAN[18:end] if not is_mark(c)]
    assert len(visible) == min(width, len([c for c in QURAN[18:] if not is_mark(c)]))


def test_chars_context_counts_visible_characters() -> None:
    assert QURAN[before_chars(QURAN, 8, 3) : 8] == "لِكَ "
    assert QURAN[before_chars(QURAN, 8, 50) : 8] == "ذَٰلِكَ "
    assert QURAN[18 : after_chars(QURAN, 18, 3)] == " لَا"
    assert QURAN[18 : after_chars(QURAN, 18, 0)] == ""
    assert before_chars(QURAN, 8, 0) == 8


ANY_TEXT = st.text(
    alphabet=st.sampled_from([*"ابتكلم ", "\u064e", "\u0650", "\u0651", "\u0670", "\u200f", "\u0640", "\n"]),
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(text=ANY_TEXT, pos=st.integers(0, 40), width=st.integers(0, 10))
def test_property_context_never_splits_a_letter_from_its_marks(text: str, pos: int, width: int) -> None:
    pos = min(pos, len(text))
    while 0 < pos < len(text) and is_mark(text[pos]):
        pos += 1  # a hit boundary is never in front of a mark
    start = before_chars(text, pos, width)
    end = after_chars(text, pos, width)
    assert 0 <= start <= pos <= end <= len(text)
    assert start == pos or not is_mark(text[start])
    assert end == len(text) or not is_mark(text[end])


# --------------------------------------------------------------------------- concordance

NEWS = Document("n", "n.txt", "قال الرئيس: إن الأمم المتحدة\nتجتمع اليوم في نيويورك.\n")


def test_concordance_by_characters() -> None:
    (line,) = concordance(hits([NEWS], "الأمم"), width=10)
    assert (line.before, line.match, line.after) == ("لرئيس: إن ", "الأمم", " المتحدة ت")
    assert line.hit.start == 15


def test_concordance_line_ends_become_spaces() -> None:
    (line,) = concordance(hits([NEWS], "المتحدة"), width=7)
    assert line.after == " تجتمع "
    assert "\n" not in line.after
    assert flatten("a\n\t b\r\nc") == "a b c"


def test_concordance_by_words() -> None:
    (line,) = concordance(hits([NEWS], "الأمم"), words=2)
    assert (line.before, line.match, line.after) == ("الرئيس: إن ", "الأمم", " المتحدة تجتمع")
    (line,) = concordance(hits([NEWS], "الأمم"), words=0)
    assert (line.before, line.after) == ("", "")
    (line,) = concordance(hits([NEWS], "الأمم"), words=50)
    assert line.before == "قال الرئيس: إن "
    assert line.after == " المتحدة تجتمع اليوم في نيويورك"


def test_word_context_counts_words_not_punctuation_or_tatweel() -> None:
    text = "أ « ب » ـــ ، ج"
    assert text[before_words(text, len(text), 2) :] == "ب » ـــ ، ج"
    assert text[: after_words(text, 0, 2)] == "أ « ب"


def test_word_context_in_long_text_grows_its_window() -> None:
    text = " ".join(f"كلمة{i}" for i in range(200))
    pos = text.index("كلمة150")
    start = before_words(text, pos, 60)
    assert text[start:].startswith("كلمة90 ")
    end = after_words(text, pos + len("كلمة150"), 40)
    assert text[:end].endswith("كلمة190")


def test_concordance_match_is_the_original_text() -> None:
    doc = Document("c", "c.txt", "الأُمَمُ المتحدة\nكتـــاب\n")
    lines = list(concordance(hits([doc], "الأمم|كتاب"), width=5))
    assert [line.match for line in lines] == ["الأُمَمُ", "كتـــاب"]


# --------------------------------------------------------------------------- sorting


def _lines(docs: list[Document], pattern: str):
    return list(concordance(hits(docs, pattern), width=10))


def test_sort_by_match_groups_spelling_variants_stably() -> None:
    doc = Document("s", "s.txt", "أمن ثم إبل ثم امن ثم ابل ثم آمن\n")
    lines = _lines([doc], "[اأإآ](من|بل)")
    assert [ln.match for ln in lines] == ["أمن", "إبل", "امن", "ابل", "آمن"]
    by_match = sort_lines(lines, parse_sort("match"), STANDARD)
    assert [ln.match for ln in by_match] == ["إبل", "ابل", "أمن", "امن", "آمن"]


def test_sort_by_position_keeps_order_and_by_doc_groups_documents() -> None:
    b = Document("b", "b.txt", "الأمم\n")
    a = Document("a", "a.txt", "الأمم الأمم\n")
    lines = _lines([b, a], "الأمم")
    assert [ln.hit.doc.id for ln in sort_lines(lines, parse_sort("position"), STANDARD)] == ["b", "a", "a"]
    by_doc = sort_lines(lines, parse_sort("doc"), STANDARD)
    assert [(ln.hit.doc.id, ln.hit.start) for ln in by_doc] == [("a", 0), ("a", 6), ("b", 0)]


def test_unknown_sort_key_is_an_error() -> None:
    with pytest.raises(CorpusError, match="unknown sort key"):
        parse_sort("left")


# --------------------------------------------------------------------------- freq

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


def test_ranked_tsv_writes_what_the_row_writer_writes():
    """The index's fast frequency list: same bytes as the generic writer, escapes too."""
    import io

    from corpus_cli.output.freq import COLUMNS, TSV_HEADER, ranked_tsv_lines
    from corpus_cli.output.records import RowWriter

    ranked = [(1, "في", "في", 30, 9), (2, "http://a\\b", "http://a\\b", 7, 2), (3, "إلى", "الى", 7, 1)]
    fast, generic = io.StringIO(), io.StringIO()
    fast.write(TSV_HEADER + "".join(ranked_tsv_lines(ranked, 44)))
    writer = RowWriter(generic, "tsv", COLUMNS)
    for rank, key, term, count, docs in ranked:
        writer.write(dict(zip(COLUMNS, (rank, term, key, count, count * 1_000_000 / 44, docs), strict=True)))
    assert fast.getvalue() == generic.getvalue()
    assert "http://a\\\\b" in fast.getvalue()


#: Escape sequences a terminal acts on: OSC 52 (clipboard), OSC 0 (title), CSI 2J, a C1 CSI.
SEQUENCES = ["\x1b]52;c;aGVsbG8gd29ybGQ=\x07", "\x1b]0;TITLE\x1b\\", "\x1b[2J", "\u009b31m"]


@pytest.mark.parametrize("sequence", SEQUENCES)
def test_a_context_cut_never_leaves_half_an_escape_sequence(sequence: str) -> None:
    """Whatever the width, each context holds whole sequences or none: half of one (its
    start without its end) would take over the terminal that shows a pipe's output."""
    text = f"كلمة {sequence}أولى الأمم ثانية{sequence} كلمة\n"
    (hit,) = hits([Document("e", "e.txt", text)], "الأمم")
    whole = 0
    for width in range(1, 40):
        (line,) = concordance([hit], width=width)
        assert line.match == "الأمم"
        for context in (line.before, line.after):
            rest = context.replace(sequence, "")
            assert "\x1b" not in rest and "\u009b" not in rest, (width, context)
            whole += sequence in context
    assert whole > 0  # the widest contexts keep them


def test_kwic_row_isolates_hold_against_bidi_controls_in_the_text() -> None:
    """A PDI in the text would close the row's isolate, an RLI or RLO would swallow the
    rest of the row: the screen drops such controls from what it isolates."""
    from corpus_cli.output.screen import LRM, PDF, PDI, RLE, RLI, isolate, kwic_row

    hostile = "\u2069\u202e\u2067\u202a\u2066\u2068\u202c\u202b\u202d"
    before, after = f"قال {hostile}الرئيس", f"{hostile}المتحدة {hostile}"
    row = kwic_row("d:1 ", before, f"الأمم{hostile}", after, 20, False)
    body = row[len("d:1 ") :]
    assert body.startswith(RLE) and body.endswith(PDF + LRM)
    controls = [c for c in body if c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]
    assert controls == [RLE, RLI, PDI, RLI, PDI, PDF]  # the row's own, balanced
    assert isolate(f"الأمم{hostile}") == f"{RLI}الأمم{PDI}"
