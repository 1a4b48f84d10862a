"""Concordance lines (``corpus_cli.query.kwic`` and ``corpus_cli.text.visible``): character and
word context, original text, sorting.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_cli.errors import CorpusError
from corpus_cli.query.kwic import after_words, before_words, concordance, flatten, parse_sort, sort_lines
from corpus_cli.query.pattern import MatchOptions, compile_query
from corpus_cli.query.search import iter_hits
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import MARKS
from corpus_cli.text.visible import after_chars, before_chars
from tests.conftest import STANDARD

_MARK = re.compile(f"[{MARKS}]")


def is_mark(char: str) -> bool:
    return bool(_MARK.match(char)) or unicodedata.combining(char) != 0


def hits(docs: list[Document], pattern: str, **options: bool):
    return list(iter_hits(docs, compile_query(pattern, STANDARD, MatchOptions(**options))))


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


_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(f"ab قال\u064e\u200c\u200f{_SPACES}"), max_size=30))
def test_flatten_turns_every_run_of_whitespace_into_one_space(text: str) -> None:
    """``flatten`` returns a text without line ends or other spaces as it is (its fast
    path): every other text has each run of whitespace made one space."""
    assert flatten(text) == re.sub(r"\s+", " ", text)


def test_flatten_keeps_single_spaces_and_marks() -> None:
    assert flatten("قَالَ  الوزير\u200c اليوم") == "قَالَ الوزير\u200c اليوم"
    assert flatten("سطر\nوسطر\u00a0\tآخر ") == "سطر وسطر آخر "
    assert flatten("كلمة واحدة") == "كلمة واحدة"
