"""Normalization: the 47 cases of arabic.md §3, the §3b offsets and the offset property.

Every case goes through both drivers (the fast ``normalize`` and the mapped
``normalize_mapped``), which must agree character for character.  The hypothesis
properties at the end are the issue's "for random Arabic strings with random
marks/tatweel/invisibles inserted, the normalized form of every reported original span
equals the normalized match", plus idempotence, nesting of levels and line locality.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_cli.text.normalize import MARKS, Level, Mapped, Normalizer, normalize

CASES = json.loads(
    (Path(__file__).parents[1] / "data" / "normalization-cases.json").read_text(encoding="utf-8")
)
LEVELS = ["none", "light", "standard", "aggressive"]
STANDARD = Normalizer.for_level("standard")

RLM = "\u200f"


# --------------------------------------------------------------------------- §3: 47 cases


def test_there_are_47_cases() -> None:
    assert len(CASES) == 47
    for case in CASES:
        assert set(LEVELS) <= set(case)
        assert case["none"] == case["input"]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", CASES, ids=[f"case{i:02d}" for i in range(1, len(CASES) + 1)])
def test_case_fast_driver(case: dict[str, str], level: str) -> None:
    assert Normalizer.for_level(level).normalize(case["input"]) == case[level]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", CASES, ids=[f"case{i:02d}" for i in range(1, len(CASES) + 1)])
def test_case_mapped_driver(case: dict[str, str], level: str) -> None:
    mapped = Normalizer.for_level(level).normalize_mapped(case["input"])
    assert mapped.text == case[level]
    assert mapped.original == case["input"]
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    # Every output character comes from a non-empty, in-bounds, ordered original range.
    for start, end in zip(mapped.starts, mapped.ends, strict=True):
        assert 0 <= start < end <= len(case["input"])
    assert mapped.starts == sorted(mapped.starts)


def test_module_function_and_level_enum() -> None:
    assert normalize("إلى") == "الى"  # standard is the default
    assert normalize("إلى", Level.aggressive) == "الي"
    assert normalize("إلى", "none") == "إلى"
    assert Normalizer.for_level(Level.light) == Normalizer.for_level("light")
    assert Normalizer.for_level("none").is_identity
    assert not STANDARD.is_identity
    with pytest.raises(ValueError):
        Normalizer.for_level("medium")


def test_levels_are_presets_over_toggles() -> None:
    light = Normalizer.for_level("light")
    aggressive = Normalizer.for_level("aggressive")
    assert set(light.active_steps) < set(STANDARD.active_steps) < set(aggressive.active_steps)
    # A toggle added to a preset works on its own (``--norm standard --fold-yeh``).
    assert STANDARD.with_steps(yeh=True).normalize("على") == "علي"
    assert STANDARD.normalize("على") == "على"
    assert STANDARD.with_steps(teh=True).normalize("مدرسة") == "مدرسه"


def test_identity_level_returns_input_unchanged() -> None:
    text = "قالَ\u00a0 الرَّئِيـــسُ\u200f ﷺ\r\n"
    none = Normalizer.for_level("none")
    assert none.normalize(text) == text
    mapped = none.normalize_mapped(text)
    assert mapped.text == text
    assert mapped.starts == list(range(len(text)))
    assert mapped.ends == list(range(1, len(text) + 1))


# --------------------------------------------------------------------------- §3b: offsets


def _span(text: str, query: str, level: str = "standard") -> tuple[int, int]:
    mapped = Normalizer.for_level(level).normalize_mapped(text)
    start = mapped.text.find(query)
    assert start >= 0, (mapped.text, query)
    assert mapped.text[start : start + len(query)] == query
    return mapped.span_to_original(start, start + len(query))


SENTENCE = "قالَ الرَّئِيـــسُ (ب) كَتَبَ"


def test_offsets_word_with_marks_and_tatweel() -> None:
    assert _span(SENTENCE, "الرئيس") == (5, 18)
    assert SENTENCE[5:18] == "الرَّئِيـــسُ"


def test_offsets_end_extends_over_final_mark() -> None:
    assert _span(SENTENCE, "قال") == (0, 4)
    assert SENTENCE[0:4] == "قالَ"


def test_offsets_end_does_not_swallow_following_deletions() -> None:
    # "ب" inside "(ب)": just the letter, not the bracket (Lucene's ``ب)`` artefact).
    mapped = STANDARD.normalize_mapped(SENTENCE)
    inside = mapped.text.index("(ب)") + 1
    start, end = mapped.span_to_original(inside, inside + 1)
    assert SENTENCE[start:end] == "ب"
    assert (start, end) == (20, 21)
    # The verb at the end keeps all its marks.
    start, end = _span(SENTENCE, "كتب")
    assert SENTENCE[start:end] == "كَتَبَ"
    assert end == len(SENTENCE)


def test_offsets_exclude_bidi_marks() -> None:
    text = f"{RLM}القاهرة{RLM} عاصمة"
    assert _span(text, "القاهرة") == (1, 8)
    assert text[1:8] == "القاهرة"


def test_offsets_quranic() -> None:
    text = "ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ"
    assert _span(text, "الكتب") == (8, 18)
    assert text[8:18] == "ٱلْكِتَٰبُ"


def test_offsets_tatweel_after_hit_not_included() -> None:
    text = "مصادر لـ«الشرق»"
    start, end = _span(text, "ل")
    assert text[start:end] == "ل"


def test_offsets_presentation_form_expansion_maps_to_the_ligature() -> None:
    text = "ﻻ إله إلا ﷲ"
    assert _span(text, "لا") == (0, 1)
    assert _span(text, "الله") == (10, 11)
    # A phrase ligature (standard): every word of the expansion maps to the one glyph.
    text = "محمد ﷺ"
    assert _span(text, "الله") == (5, 6)


def test_offsets_empty_and_past_the_end() -> None:
    mapped = STANDARD.normalize_mapped("كَتَبَ")
    assert mapped.text == "كتب"
    assert mapped.span_to_original(1, 1) == (mapped.starts[1], mapped.starts[1])
    start, end = mapped.span_to_original(3, 3)  # an empty hit at the very end
    assert start == end
    assert 5 <= start <= 6  # after the last letter (its final fatha is unspecified)
    assert STANDARD.normalize_mapped("").span_to_original(0, 0) == (0, 0)
    only_marks = STANDARD.normalize_mapped("َُ")
    assert only_marks.text == ""
    assert only_marks.span_to_original(0, 0) == (2, 2)


def test_offsets_with_nbsp_run_and_decomposed_hamza() -> None:
    text = "سعر ١٠\u00a0\u00a0كم"
    mapped = STANDARD.normalize_mapped(text)
    assert mapped.text == "سعر 10 كم"
    space = mapped.text.index(" ", 4)
    assert mapped.span_to_original(space, space + 1) == (6, 8)
    assert _span(text, "10 كم") == (4, 10)
    # ا + U+0654 composes to أ and folds to ا: one output letter, two original chars.
    text = "ا\u0654حمد"
    assert _span(text, "احمد") == (0, 5)
    assert _span(text, "حمد") == (2, 5)


# --------------------------------------------------------------------------- properties

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي" + "ءآأؤإئىة" + "ٱکیۃہ"
BASES = [
    *ARABIC_LETTERS,
    *"aZk09",  # ASCII letters and digits
    *"٠٣٩۴٫٪،؟",  # Arabic-Indic and Persian digits, Arabic punctuation
    " ",
    "\u00a0",  # NBSP
    "\u2009",  # thin space
    "\n",
    "😍",
    "-",
    ".",
]
INSERTS = [
    *"\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652",  # harakat, shadda, sukun
    "\u0670",  # dagger alef
    *"\u0653\u0654\u0655",  # madda, hamza above/below (compose with NFC)
    *"\u06e5\u06dd\u06de\u06db",  # small waw, end of ayah, rub el hizb, pause mark
    "\u0640",  # tatweel
    "\u200f",  # RLM
    "\u200e",  # LRM
    "\u200c",  # ZWNJ
    "\u200d",  # ZWJ
    "\ufeff",  # BOM / ZWNBSP
    "\u00ad",  # soft hyphen
    "\ufefb",  # ﻻ lam-alef ligature
    "\ufef7",  # ﻷ lam-alef with hamza
    "\ufdf2",  # ﷲ Allah ligature
    "\ufdfa",  # ﷺ phrase ligature (expanded from standard)
    "\ufe8d",  # ﺍ isolated alef
    "\ufe91",  # ﺑ initial beh
    "\ufe7c",  # ﹼ isolated shadda
]

#: A piece is a base character (repeated 1-4 times, so elongation happens) followed
#: by up to three inserted marks, format characters or presentation forms.
_PIECE = st.builds(
    lambda base, times, inserted: base * times + "".join(inserted),
    st.sampled_from(BASES),
    st.integers(1, 4),
    st.lists(st.sampled_from(INSERTS), max_size=3),
)
TEXTS = st.lists(_PIECE, max_size=16).map("".join)

PROPERTY = settings(max_examples=150, deadline=None)

_MARK = re.compile(f"[\\u0300-\\u036f{MARKS}]")


def _is_mark(char: str) -> bool:
    return unicodedata.combining(char) != 0 or _MARK.match(char) is not None


def _boundaries(mapped: Mapped) -> list[int]:
    """Positions of the normalized text where a hit may start or end ("word-ish").

    Excluded, because no original span can normalize to such a piece:
    * a position before a combining mark (at ``light`` marks stay; a hit ends after the
      marks of its last letter, and the mapping extends an end over them);
    * a position inside one original character's expansion (ﻻ → لا, ﷲ → الله, ﷺ → four
      words) or composition: one original char yields several normalized chars, and a
      cut through them has no original counterpart (a real limit of any offset map);
    * a position next to a ZWJ that is kept (it only survives inside an emoji sequence,
      which is one grapheme: cutting it is not a word-ish position).
    """
    text = mapped.text
    if not text:
        return [0]
    result = [0]
    for p in range(1, len(text)):
        if _is_mark(text[p]) or "\u200d" in (text[p], text[p - 1]):
            continue
        if mapped.ends[p - 1] > mapped.starts[p]:  # overlapping sources: inside an expansion
            continue
        result.append(p)
    result.append(len(text))
    return result


def _check_span(level: str, text: str, a: int, b: int) -> None:
    normalizer = Normalizer.for_level(level)
    mapped = normalizer.normalize_mapped(text)
    match = mapped.text[a:b]
    start, end = mapped.span_to_original(a, b)
    assert 0 <= start <= end <= len(text)
    assert normalizer.normalize(text[start:end]) == match, (level, text, (a, b), match, text[start:end])


@pytest.mark.parametrize("level", LEVELS)
@PROPERTY
@given(text=TEXTS)
def test_property_drivers_agree_idempotent_line_local(level: str, text: str) -> None:
    normalizer = Normalizer.for_level(level)
    once = normalizer.normalize(text)
    # (a) the fast driver and the mapped driver give the same text
    mapped = normalizer.normalize_mapped(text)
    assert mapped.text == once
    assert len(mapped.starts) == len(mapped.ends) == len(once)
    for start, end in zip(mapped.starts, mapped.ends, strict=True):
        assert 0 <= start < end <= len(text)
    # (b) idempotent
    assert normalizer.normalize(once) == once
    # (d) line-local: normalization never crosses, adds or removes a line end
    assert once == "\n".join(normalizer.normalize(line) for line in text.split("\n"))


@PROPERTY
@given(text=TEXTS)
@example(text="وـٔ")  # regression: see test_standard_composes_hamza_after_tatweel_like_light
def test_property_standard_contains_light(text: str) -> None:
    light = Normalizer.for_level("light")
    assert STANDARD.normalize(light.normalize(text)) == STANDARD.normalize(text)


@PROPERTY
@given(text=TEXTS)
def test_property_aggressive_contains_standard(text: str) -> None:
    # Tanween-alef (ا + U+064B) is folded only at aggressive and needs the tanween that
    # standard deletes (case 44: standard كتابًا → كتابا, aggressive → كتاب), so texts
    # with U+064B cannot nest by specification.
    text = text.replace("\u064b", "")
    aggressive = Normalizer.for_level("aggressive")
    assert aggressive.normalize(STANDARD.normalize(text)) == aggressive.normalize(text)


def test_tanween_alef_is_why_aggressive_does_not_contain_standard() -> None:
    aggressive = Normalizer.for_level("aggressive")
    assert aggressive.normalize("كتابًا") == "كتاب"
    assert aggressive.normalize(STANDARD.normalize("كتابًا")) == "كتابا"


@pytest.mark.parametrize("level", LEVELS)
@PROPERTY
@given(text=TEXTS, first=st.integers(0, 10**6), second=st.integers(0, 10**6))
@example(text="تًﷲ", first=1, second=0)  # regression: see test_offsets_tanween_next_to_an_expansion
@example(text="ﻻـً", first=0, second=0)  # regression: see test_offsets_tanween_next_to_an_expansion
def test_property_reported_span_normalizes_to_the_match(
    level: str, text: str, first: int, second: int
) -> None:
    """THE property: normalize(original[span]) == the normalized match, for any hit.

    A hit is any substring of the normalized text between two word-ish positions: taken
    where it was drawn, and where ``str.find`` first finds it (as a search would).
    """
    mapped = Normalizer.for_level(level).normalize_mapped(text)
    bounds = _boundaries(mapped)
    if len(bounds) < 2:
        return
    a = bounds[first % (len(bounds) - 1)]
    later = [p for p in bounds if p > a]
    b = later[second % len(later)]
    _check_span(level, text, a, b)
    query = mapped.text[a:b]
    found = mapped.text.find(query)
    if found in bounds and found + len(query) in bounds:  # else not a hit at word-ish positions
        _check_span(level, text, found, found + len(query))


def _all_spans_map_back(level: str, text: str) -> None:
    mapped = Normalizer.for_level(level).normalize_mapped(text)
    bounds = _boundaries(mapped)
    for i, a in enumerate(bounds):
        for b in bounds[i + 1 :]:
            _check_span(level, text, a, b)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    "text",
    [
        SENTENCE,
        f"{RLM}القاهرة{RLM} عاصمة",
        "ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ ۛ فِيهِ ۛ",
        "ٱلْمَلَٰٓئِكَةَ عِبَادِهِۦٓ",
        "كتابًا كتاباً دولاراً",
        "واااااو جمييييييل 😍\u200d😍",
        "ﻻ إله إلا ﷲ محمد ﷺ",
        "ا\u0654حمد بﹼب بَّ",
        "سعر ١٠\u00a0\u00a0 كم ٣٫٥٪",
        "هل انتهى الاجتماع؟",
        "ﻻً لاـً",  # tanween after the alef of an expansion, inside the span
    ],
)
def test_every_span_of_tricky_texts_maps_back(level: str, text: str) -> None:
    _all_spans_map_back(level, text)


# --------------------------------------------------------------------------- regressions


def test_standard_composes_hamza_after_tatweel_like_light() -> None:
    """Levels nest: standard(light(x)) == standard(x), also when a tatweel (or an invisible)
    separates a carrier from a decomposed hamza above.

    Light deletes the tatweel and recomposes (و + ـ + U+0654 → ؤ); standard must
    recompose before it deletes marks, or the hamza is lost (و).  ؤ and ئ are kept in
    standard (case 9), so both give ؤ (and ئ for يـٔ).
    """
    light = Normalizer.for_level("light")
    for text in ("وـٔ", "يـٔ", "و\u200fٔ"):
        assert STANDARD.normalize(text) == STANDARD.normalize(light.normalize(text)), text
    assert STANDARD.normalize("وـٔ") == "ؤ"
    assert STANDARD.normalize("يـٔ") == "ئ"
    assert light.normalize("وـٔ") == "ؤ"


@pytest.mark.parametrize("text", ["تًﷲ", "ًﷲ", "ﻻً", "ﻻـً", "كتاب ﻻـً"])
def test_offsets_tanween_next_to_an_expansion(text: str) -> None:
    """At aggressive, tanween-alef may delete the alef of an expansion (ﷲ → الله, ﻻ → لا).

    What is left of the expansion must still map to an original span whose normalized
    form is the match (here the span must take in the tanween, tatweel included).
    """
    _all_spans_map_back("aggressive", text)
