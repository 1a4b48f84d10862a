"""Search: hits found on normalized text, reported as exact spans of the original."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_cli.query import search
from corpus_cli.query.pattern import (
    TOTAL_FACTOR,
    Budget,
    MatchOptions,
    PatternTimeout,
    compile_query,
)
from corpus_cli.query.search import iter_hits, line_spans, search_lines
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import Normalizer

STANDARD = Normalizer.for_level("standard")

DOC_A = (
    "الأُمَمُ المتحدة تجتمع اليوم\n"  # 1: vocalized hamza form
    "سطر بلا شيء\n"  # 2
    "قالت الامم المتحدة إن الأمم لها دور\n"  # 3: bare alef and hamza, two hits
    "كتـــاب جديد\n"  # 4: tatweel inside the word
    "Hello WORLD hello\n"  # 5: Latin case
    "الإمام في المسجد\n"  # 6: alef with hamza below
)


@pytest.fixture
def doc() -> Document:
    return Document("a", "a.txt", DOC_A)


def query(pattern: str, level: str = "standard", **options: bool):
    return compile_query(pattern, Normalizer.for_level(level), MatchOptions(**options))


def hit_texts(doc: Document, pattern: str, **options: bool) -> list[tuple[int, str]]:
    return [(h.line_no, h.text) for h in iter_hits([doc], query(pattern, **options))]


# --------------------------------------------------------------------------- lines


def test_search_lines_reports_original_spans_with_marks(doc: Document) -> None:
    lines = list(search_lines(doc, query("الأمم")))
    assert [line.line_no for line in lines] == [1, 3]
    assert lines[0].text == "الأُمَمُ المتحدة تجتمع اليوم"
    assert [lines[0].text[s:e] for s, e in lines[0].spans] == ["الأُمَمُ"]
    assert [lines[1].text[s:e] for s, e in lines[1].spans] == ["الامم", "الأمم"]
    assert lines[0].doc is doc


def test_tatweel_inside_a_hit_is_part_of_the_span(doc: Document) -> None:
    assert hit_texts(doc, "كتاب") == [(4, "كتـــاب")]


def test_iter_hits_offsets_are_into_the_document(doc: Document) -> None:
    hits = list(iter_hits([doc], query("الأمم")))
    assert [(h.line_no, h.start, h.end) for h in hits] == [(1, 0, 8), (3, 46, 51), (3, 63, 68)]
    for hit in hits:
        assert hit.text == doc.text[hit.start : hit.end]
        assert doc.line_of(hit.start) == hit.line_no
        assert STANDARD.normalize(hit.text) == "الامم"


def test_iter_hits_over_several_documents_in_order(doc: Document) -> None:
    other = Document("b", "b.txt", "إلى الأمم\nسطر ثان\n")
    hits = list(iter_hits([doc, other], query("الأمم")))
    assert [(h.doc.id, h.line_no) for h in hits] == [("a", 1), ("a", 3), ("a", 3), ("b", 1)]


def test_invert_selects_lines_without_a_hit(doc: Document) -> None:
    lines = list(search_lines(doc, query("الأمم"), invert=True))
    assert [line.line_no for line in lines] == [2, 4, 5, 6]
    assert all(line.spans == () for line in lines)
    assert [line.line_no for line in search_lines(doc, query("xyz"), invert=True)] == [1, 2, 3, 4, 5, 6]


def test_max_count_stops_after_n_lines(doc: Document) -> None:
    q = query("الأمم")
    assert [line.line_no for line in search_lines(doc, q, max_count=1)] == [1]
    assert list(search_lines(doc, q, max_count=0)) == []
    assert [line.line_no for line in search_lines(doc, q, invert=True, max_count=2)] == [2, 4]
    # In iter_hits, max_count counts lines: both hits of the first matching line stay.
    other = Document("b", "b.txt", "الأمم الأمم\nالأمم\n")
    hits = list(iter_hits([other, doc], q, max_count=1))
    assert [(h.doc.id, h.line_no) for h in hits] == [("b", 1), ("b", 1), ("a", 1)]


def test_ignore_case(doc: Document) -> None:
    assert hit_texts(doc, "hello") == [(5, "hello")]
    assert hit_texts(doc, "hello", ignore_case=True) == [(5, "Hello"), (5, "hello")]


def test_word_option_in_documents() -> None:
    doc = Document("c", "c.txt", "كِتَابٌ في المكتبة\nالمكتبات كثيرة\n")
    assert hit_texts(doc, "كتاب", word=True) == [(1, "كِتَابٌ")]
    assert hit_texts(doc, "مكتب") == [(1, "مكتب"), (2, "مكتب")]
    assert hit_texts(doc, "مكتب", word=True) == []


def test_empty_document_and_no_hit() -> None:
    assert list(search_lines(Document("e", "e", ""), query("ا"))) == []
    assert list(search_lines(Document("e", "e", ""), query("ا"), invert=True)) == []
    assert list(search_lines(Document("x", "x", "لا شيء هنا\n"), query("الأمم"))) == []


def test_empty_lines_can_match() -> None:
    doc = Document("b", "b", "x\n\nالأمم\n\n")
    assert [(m.line_no, m.spans) for m in search_lines(doc, query("^$"))] == [(2, ((0, 0),)), (4, ((0, 0),))]
    # Empty hits are not concordance hits.
    assert list(iter_hits([doc], query("^$"))) == []


# --------------------------------------------------------------------------- line ends


def test_a_match_across_a_line_end_is_never_reported() -> None:
    doc = Document("d", "d", "تجتمع اليوم\nسطر بلا شيء\n")
    assert hit_texts(doc, "اليوم\\sسطر") == []
    assert hit_texts(doc, "اليوم\\nسطر") == []
    # A greedy class that would run on into the next line stops at the line end.
    assert hit_texts(doc, "اليوم[^ء]*") == [(1, "اليوم")]


def test_lookbehind_is_searched_line_by_line() -> None:
    doc = Document("d", "d", "تجتمع اليوم\nسطر بلا شيء\n")
    q = query("(?<=اليوم\\s)سطر")
    assert q.line_by_line
    # On the whole normalized document the lookbehind would see the previous line.
    assert q.regex.search(STANDARD.normalize(doc.text)) is not None
    assert list(iter_hits([doc], q)) == []
    # A lookbehind inside a line still works, and reports only the consumed part.
    assert hit_texts(Document("a", "a", DOC_A), "(?<=ال)أمم") == [(1, "أُمَمُ"), (3, "امم"), (3, "أمم")]


def test_anchors_are_per_line() -> None:
    doc = Document("d", "d", "تجتمع اليوم\nسطر بلا شيء\n")
    assert hit_texts(doc, "\\Aسطر") == [(2, "سطر")]
    assert hit_texts(doc, "شيء\\Z") == [(2, "شيء")]
    assert hit_texts(doc, "^سطر") == [(2, "سطر")]
    assert hit_texts(doc, "اليوم$") == [(1, "اليوم")]


def test_hits_on_crlf_loaded_text_and_last_line_without_newline() -> None:
    doc = Document("b", "b", "إلى الأمم\nسطر ثان\nآخر سطر")
    assert hit_texts(doc, "سطر") == [(2, "سطر"), (3, "سطر")]
    assert hit_texts(doc, "اخر") == [(3, "آخر")]


def test_hit_excludes_surrounding_deleted_characters() -> None:
    text = "قالَ الرَّئِيـــسُ (ب) كَتَبَ"
    q = query("ب", word=True)
    assert [text[s:e] for s, e in line_spans(text, q)] == ["ب"]
    rlm = "\u200f"
    text = f"{rlm}القاهرة{rlm} عاصمة"
    assert [(s, e) for s, e in line_spans(text, query("القاهرة"))] == [(1, 8)]


@pytest.mark.parametrize("sign", ["\u06dd", "\u06de", "\u06e9"])
def test_hit_end_does_not_take_in_a_following_quranic_sign(sign: str) -> None:
    """End of ayah ۝ (Cf), rub el hizb ۞ and sajdah ۩ (So) are deleted from standard up,
    but they are signs of their own, not combining marks of the letter before them: a
    hit ends at its last letter's marks (arabic.md §4), so they stay outside the span."""
    text = f"عَلَيْهِمْ{sign}١"
    assert [text[s:e] for s, e in line_spans(text, query("عليهم"))] == ["عَلَيْهِمْ"]


def test_at_level_none_a_hit_still_takes_the_marks_of_its_last_letter() -> None:
    """Marks are characters at ``none``, but a highlight never leaves a letter's marks
    behind: the span of ``ا`` in ``اَب`` is ``اَ`` (so the search property below is
    checked from ``light`` up)."""
    assert list(line_spans("اَب", query("ا", "none"))) == [(0, 2)]
    assert list(line_spans("اَب", query("اَ", "none"))) == [(0, 2)]
    assert list(line_spans("اَب", query("ب", "none"))) == [(2, 3)]


# --------------------------------------------------------------------------- property

_LETTERS = "ابتجدرسعلمنهوي" + "أإآىة"
_MARKS = "\u064e\u064f\u0650\u0651\u0652\u064b\u0670"
_NOISE = ["\u0640", "\u200f", "\u200c", "\ufeff"]
_WORD = st.builds(
    lambda pieces: "".join(pieces),
    st.lists(
        st.builds(
            lambda letter, extra: letter + "".join(extra),
            st.sampled_from(_LETTERS),
            st.lists(st.sampled_from([*_MARKS, *_NOISE]), max_size=2),
        ),
        min_size=1,
        max_size=6,
    ),
)
_LINE = st.lists(_WORD, min_size=1, max_size=6).map(" ".join)


@pytest.mark.parametrize("level", ["light", "standard", "aggressive"])
@settings(max_examples=60, deadline=None)
@given(lines=st.lists(_LINE, min_size=1, max_size=4), pick=st.integers(0, 10**6))
def test_property_reported_spans_normalize_to_the_match(level: str, lines: list[str], pick: int) -> None:
    """Every span search reports normalizes to a string the query matches (whole)."""
    normalizer = Normalizer.for_level(level)
    text = "\n".join(lines) + "\n"
    tokens = normalizer.normalize(text).split()
    if not tokens:
        return  # everything normalized away (e.g. alef + tanween alone at aggressive)
    term = tokens[pick % len(tokens)]
    if level == "light":
        term = "".join(c for c in term if c not in _MARKS)  # an unvocalized query
    if not term:
        return
    q = compile_query(term, normalizer, MatchOptions(fixed=True))
    doc = Document("p", "p", text)
    hits = list(iter_hits([doc], q))
    assert hits
    for hit in hits:
        assert "\n" not in hit.text
        assert q.regex.fullmatch(normalizer.normalize(hit.text)), (hit.text, term)


@pytest.mark.parametrize("level", ["standard", "aggressive"])
@settings(max_examples=80, deadline=None)
@given(lines=st.lists(_LINE, min_size=1, max_size=3), pick=st.integers(0, 10**6), ignore=st.booleans())
def test_property_raw_prefilter_never_hides_a_hit(
    level: str, lines: list[str], pick: int, ignore: bool
) -> None:
    """The query expansion over original text (used to skip documents) is a superset."""
    from corpus_cli.text.normalize import needs_normalizing

    normalizer = Normalizer.for_level(level)
    text = "\n".join(lines) + "\n"
    tokens = normalizer.normalize(text).split()
    if not tokens:
        return
    term = tokens[pick % len(tokens)]
    q = compile_query(term, normalizer, MatchOptions(fixed=True, ignore_case=ignore))
    hits = list(iter_hits([Document("p", "p", text)], q))
    if hits and q.raw is not None:
        assert q.raw.search(text) or needs_normalizing(text), (text, term)


def test_raw_prefilter_steps_over_a_mark_between_spaces() -> None:
    """Marks go before runs of spaces collapse: " ً " is one space, and the expansion
    must match it (it once required the spaces to be adjacent, and hid the hit)."""
    normalizer = Normalizer.for_level("standard")
    q = compile_query("في الرياض", normalizer, MatchOptions(fixed=True))
    text = "وصل في ً الرياض"
    assert normalizer.normalize(text) == "وصل في الرياض"
    assert q.raw is not None and q.raw.search(text)
    assert [m.line_no for m in search_lines(Document("d", "d", text), q, spans=False)] == [1]


#: Letters with their variants, marks, tatweel, invisible characters, spaces of every
#: kind, digits of three scripts and Latin: what the expansion has to get right.
_FOLDED = st.text(
    st.sampled_from(
        "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئىةٱکیۀ٠١٢٣۴0123\u064b\u064c\u064d\u064e\u064f\u0650"
        "\u0651\u0652\u0670\u0640\u200c\u200d\u200f\u00a0\u2009  \tabAZ.-_'"
    ),
    min_size=3,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(line=_FOLDED, other=_FOLDED, data=st.data(), ignore=st.booleans(), own=st.booleans())
def test_property_expansion_decides_a_line_exactly(
    line: str, other: str, data: st.DataObject, ignore: bool, own: bool
) -> None:
    """Where ``Query.expansion_decides``, the expansion matches a (judgeable) line exactly
    when the query matches the normalized line: search_lines then skips normalizing."""
    from corpus_cli.text.normalize import judgeable

    normalizer = Normalizer.for_level("standard")
    source = normalizer.normalize(line if own else other)
    if len(source) < 3:
        return
    start = data.draw(st.integers(0, len(source) - 3))
    literal = source[start : data.draw(st.integers(start + 3, len(source)))].strip()
    if len(literal) < 3:
        return
    q = compile_query(literal, normalizer, MatchOptions(fixed=True, ignore_case=ignore))
    judged = judgeable(line, normalizer, literal)
    if not q.expansion_decides or judged is None:
        return
    assert (q.raw.search(judged) is not None) == (q.regex.search(normalizer.normalize(line)) is not None)
    counted = list(search_lines(Document("d", "d", line), q, spans=False))
    mapped = list(search_lines(Document("d", "d", line), q, spans=True))
    assert [m.line_no for m in counted] == [m.line_no for m in mapped]


def test_expansion_decides_only_plain_literals() -> None:
    standard = Normalizer.for_level("standard")
    assert compile_query("الأمم", standard).expansion_decides
    assert compile_query("الأمم", standard, MatchOptions(fixed=True, ignore_case=True)).expansion_decides
    assert not compile_query("الأمم", standard, MatchOptions(word=True)).expansion_decides
    assert not compile_query("الأُمَم", standard).expansion_decides  # typed marks: a constraint
    assert not compile_query("Rome", standard, MatchOptions(ignore_case=True)).expansion_decides
    assert not compile_query("ال.مم", standard).expansion_decides  # a regular expression
    assert not compile_query("الأمم", Normalizer.for_level("light")).expansion_decides  # marks kept


def test_raw_prefilter_skips_documents_without_a_hit() -> None:
    q = compile_query("الأمم", Normalizer.for_level("standard"), MatchOptions(word=True))
    assert q.raw is not None
    assert q.raw.search("قالت الأُمَمُ المتحدة")  # marks between the letters
    assert q.raw.search("الامـــم")  # tatweel, bare alef
    assert not q.raw.search("قالت الحكومة")


def test_a_long_line_maps_hits_as_the_whole_line_map_does():
    """search.PieceMap: the same original spans as the whole line's offset map."""
    import random

    from corpus_cli.query.search import LONG_LINE, PieceMap
    from corpus_cli.text.normalize import Normalizer

    norm = Normalizer.for_level("standard")
    rng = random.Random(7)
    words = ["الغَوّاصات", "في", "البحـــر", "أحمد", "إلى", "ﻻ", "مجلس  الأمن", "3.5", "كتب\u200f"]
    line = " ".join(rng.choice(words) for _ in range(LONG_LINE // 4))
    assert len(line) > LONG_LINE
    pieces = PieceMap.of(line, norm)
    whole = norm.normalize_mapped(line)
    assert pieces is not None and pieces.text == whole.text
    for start in range(0, len(whole.text) - 12, 997):
        for length in (0, 1, 5, 12):
            assert pieces.span_to_original(start, start + length) == whole.span_to_original(
                start, start + length
            )


#: Few letters, so that runs of one letter, alef next to fathatan and folded letters
#: next to each other come up often.
_RUNS = st.text(st.sampled_from("ابلكأإىي\u064b\u064e\u0651\u0640\u200c  "), min_size=3, max_size=40)


@pytest.mark.parametrize("level", ["standard", "aggressive"])
@settings(max_examples=300, deadline=None)
@given(text=_RUNS, data=st.data())
def test_property_the_sieve_never_drops_a_hit(level: str, text: str, data: st.DataObject) -> None:
    """A cold search skips the texts its sieve rejects: never one that holds a hit
    (aggressive: elongation and tanween-alef leave it without a sieve)."""
    from corpus_cli.engines.scan import may_match, sieve

    normalizer = Normalizer.for_level(level)
    normalized = normalizer.normalize(text)
    if len(normalized.strip()) < 3:
        return
    start = data.draw(st.integers(0, len(normalized) - 3))
    literal = normalized[start : data.draw(st.integers(start + 3, len(normalized)))].strip()
    if len(literal) < 3:
        return
    q = compile_query(literal, normalizer, MatchOptions(fixed=True))
    test = sieve(q)
    assert (test is None) == (level == "aggressive")
    assert test is None or may_match(text, test), (text, literal)
    assert list(search_lines(Document("d", "d", text), q, spans=False))


def test_budget_is_shared_by_the_calls_for_one_document() -> None:
    import regex

    slow = regex.compile("(a|aa)+$")
    budget = Budget(0.3)
    started = time.monotonic()
    with pytest.raises(PatternTimeout, match=r"after 0\.3 s"):
        for _ in range(1000):
            budget.search(slow, "a" * 20 + "b")  # each call takes milliseconds; together, more
    assert time.monotonic() - started < 5
    with pytest.raises(PatternTimeout):
        list(Budget(0.2).finditer(slow, "a" * 50_000 + "b"))
    with pytest.raises(PatternTimeout):
        Budget(0.2).fullmatch(slow, "a" * 50_000 + "b")
    # No limit, or a pattern compiled with ``re``: the calls go straight through.
    assert Budget(None).search(slow, "aab") is None
    assert Budget(0.001).search(re.compile("b"), "aab") is not None
    assert [m.span() for m in Budget(None).finditer(re.compile("a"), "aab")] == [(0, 1), (1, 2)]


def test_the_time_limit_is_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each document has a budget of its own: quick documents never add up to a timeout,
    while one document that spends the budget in many short calls does time out.

    A fake clock makes it exact: every reading advances it by 10 ms, so each metered
    call costs 10 ms of the budget.
    """
    clock = iter(range(10**9))
    monkeypatch.setattr("corpus_cli.query.pattern.perf_counter", lambda: next(clock) / 100)
    query = compile_query("كت+ب", Normalizer.for_level("standard"), timeout=1.0)
    small = [Document(str(i), str(i), "كتب\n" * 10) for i in range(20)]
    assert sum(1 for _ in search.iter_hits(small, query)) == 200  # about 0.3 s each, 6 s in all
    with pytest.raises(PatternTimeout, match="after 1 s"):
        list(search.iter_hits([Document("big", "big", "كتب\n" * 100)], query))


def test_the_whole_command_has_a_time_limit_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents that each take less than ``--timeout`` end the search once they have
    taken ``TOTAL_FACTOR`` times as long together (the fake clock of the test above)."""
    clock = iter(range(10**9))
    monkeypatch.setattr("corpus_cli.query.pattern.perf_counter", lambda: next(clock) / 100)
    query = compile_query("كت+ب", Normalizer.for_level("standard"), timeout=1.0)
    docs = [Document(str(i), str(i), "كتب\n" * 10) for i in range(200)]  # about 0.3 s each
    hits = 0
    with pytest.raises(PatternTimeout, match=r"after 30 s in all \(simplify it or raise --timeout\)"):
        for _ in search.iter_hits(docs, query):
            hits += 1
    assert 0 < hits < 2000
    assert TOTAL_FACTOR == 30
    # Each command starts with the whole of it.
    fresh = compile_query("كت+ب", Normalizer.for_level("standard"), timeout=1.0)
    assert sum(1 for _ in search.iter_hits(docs[:20], fresh)) == 200


def test_limit_stops_in_the_middle_of_a_document(five_docs: Path) -> None:
    doc = Document("d", "d", (five_docs / "d0.txt").read_text(encoding="utf-8"))
    query = compile_query("كتب", Normalizer.for_level("standard"), MatchOptions(word=True))
    hits = search.iter_hits([doc], query)
    first = next(hits)
    assert (first.line_no, first.start, first.end) == (1, 0, 3)
    second = next(hits)
    assert (second.line_no, second.start) == (2, len("كتب الطالب\n"))
