"""Context cuts in visible characters: the C-counted cuts equal a character-by-character walk."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corpus_cli.text.visible import _ZERO_WIDTH, after_chars, before_chars


def _shown(char: str) -> bool:
    return not _ZERO_WIDTH.match(char)


def _walk_back(text: str, pos: int, width: int) -> int:
    """``width`` visible characters back from ``pos``, a mark never first."""
    count, i = 0, pos
    while i > 0 and count < width:
        i -= 1
        count += _shown(text[i])
    while i < pos and not _shown(text[i]):
        i += 1
    return i


def _walk_on(text: str, pos: int, width: int) -> int:
    """``width`` visible characters on from ``pos``, the last one's marks kept."""
    count, i = 0, pos
    while i < len(text):
        if _shown(text[i]):
            if count == width:
                break
            count += 1
        i += 1
    return i


# letters, a space, harakat, shadda, tatweel, ZWJ, RLM, Latin
TEXT = st.text(alphabet="ابت \u064e\u064f\u0651\u0640\u200d\u200fxy", max_size=40)


@given(TEXT, st.integers(0, 40), st.integers(0, 12))
def test_cuts_count_what_a_reader_sees(text: str, at: int, width: int) -> None:
    pos = min(at, len(text))
    assert before_chars(text, pos, width) == _walk_back(text, pos, width)
    assert after_chars(text, pos, width) == _walk_on(text, pos, width)


def test_marks_stay_with_their_letter() -> None:
    text = "كَتَبَ الدَّرْسَ"
    assert text[before_chars(text, len(text), 3) :] == "دَّرْسَ"
    assert text[: after_chars(text, 0, 2)] == "كَتَ"
