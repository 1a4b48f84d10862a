"""The ``uthmani`` fold (``--fold uthmani``): Quranic spelling read as modern spelling.

Each rule on the words of the Tanzil Uthmani text it was made for, through both drivers;
the offsets of what it writes (a letter from a mark, a space after يا, a doubled ل);
that it leaves unvocalized and modern text alone (so the levels' own cases are
unchanged); and, as properties, that the drivers agree and that every whole word of the
normalized text maps back to original characters that normalize to it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_cli.cli.settings import adjust_normalizer
from corpus_cli.text.normalize import Normalizer
from corpus_cli.text.tokenize import word_spans
from corpus_cli.text.uthmani import UTHMANI_RULES, uthmani_word

STANDARD = Normalizer.for_level("standard")
UTHMANI = STANDARD.with_steps(uthmani=True)
CASES = json.loads(
    (Path(__file__).parents[1] / "data" / "normalization-cases.json").read_text(encoding="utf-8")
)

#: Uthmani word, its form at ``standard --fold uthmani``, the rule that makes it so.
FOLDED = [
    ("ٱلْكِتَـٰبَ", "الكتاب", "dagger"),
    ("ٱلسَّمَـٰوَٰتِ", "السماوات", "dagger"),
    ("إِبْرَٰهِـۧمَ", "ابراهيم", "dagger"),
    ("هَـٰذَا", "هذا", "dagger"),
    ("هَـٰذَٰنِ", "هذان", "dagger"),
    ("ذَٰلِكَ", "ذلك", "dagger"),
    ("فَذَٰلِكُم", "فذلكم", "dagger"),
    ("ٱلرَّحْمَـٰنِ", "الرحمن", "dagger"),
    ("أُو۟لَـٰٓئِكَ", "اولئك", "dagger"),
    ("وَلَـٰكِنَّ", "ولكن", "dagger"),
    ("إِلَـٰهَكُمْ", "الهكم", "dagger"),
    ("ٱلْمَلَـٰٓئِكَةِ", "الملائكة", "dagger"),
    ("عَلَىٰ", "على", "maksura"),
    ("مُوسَىٰ", "موسى", "maksura"),
    ("هَدَىٰهُمْ", "هداهم", "maksura"),
    ("ٱلصَّلَوٰةَ", "الصلاة", "waw"),
    ("ٱلْحَيَوٰةِ", "الحياة", "waw"),
    ("ٱلرِّبَوٰا۟", "الربا", "waw"),
    ("فِى", "في", "yeh"),
    ("ٱلَّذِىٓ", "الذي", "yeh"),
    ("شَىْءٍۢ", "شيء", "yeh"),
    ("عَلَىَّ", "علي", "yeh"),
    ("هُدًى", "هدى", "yeh"),
    ("شَيْـًۭٔا", "شيئا", "hamza"),
    ("يَسْـَٔلُونَكَ", "يسالونك", "hamza"),
    ("ٱلسَّيِّـَٔاتِ", "السيئات", "hamza"),
    ("بِـَٔايَـٰتِنَا", "باياتنا", "hamza"),
    ("ٱلْـَٔاخِرَةِ", "الاخرة", "hamza"),
    ("ٱلْـَٔـٰنَ", "الان", "hamza"),
    ("ءَامَنُوا۟", "امنوا", "hamza"),
    ("ٱلْقُرْءَانَ", "القران", "hamza"),
    ("يَسْتَهْزِءُونَ", "يستهزئون", "hamza"),
    ("إِسْرَٰٓءِيلَ", "اسرائيل", "hamza"),
    ("أَءِذَا", "ااذا", "hamza"),
    ("جَآءَهُمْ", "جاءهم", "hamza"),
    ("شُرَكَآءِىَ", "شركائي", "hamza"),
    ("يُحْىِۦ", "يحيي", "small"),
    ("دَاوُۥدَ", "داوود", "small"),
    ("نُـۨجِى", "ننجي", "small"),
    ("بِهِۦ", "به", "small"),
    ("لَهُۥ", "له", "small"),
    ("يَـٰٓأَيُّهَا", "يا ايها", "vocative"),
    ("وَيَـٰقَوْمِ", "ويا قوم", "vocative"),
    ("يَـٰٓـَٔادَمُ", "يا ادم", "vocative"),
    ("ٱلَّيْلِ", "الليل", "lam"),
    ("ٱلَّـٰتِى", "اللاتي", "lam"),
    ("ٱلَّذِينَ", "الذين", "lam"),
]


@pytest.mark.parametrize(("word", "modern", "rule"), FOLDED, ids=[f"{r}-{m}" for _, m, r in FOLDED])
def test_rule_on_uthmani_words(word: str, modern: str, rule: str) -> None:
    assert UTHMANI.normalize(word) == modern
    mapped = UTHMANI.normalize_mapped(word)
    assert mapped.text == modern
    assert mapped.starts == sorted(mapped.starts)
    assert all(0 <= s < e <= len(word) for s, e in zip(mapped.starts, mapped.ends, strict=True))


def test_modern_spelling_of_the_same_words_meets_the_uthmani() -> None:
    """The query side: what a reader types (or the simple script writes) folds alike."""
    for typed, uthmani in [
        ("الكتاب", "ٱلْكِتَـٰبَ"),
        ("الصلاة", "ٱلصَّلَوٰةَ"),
        ("هذا", "هَـٰذَا"),
        ("هَٰذَا", "هَـٰذَا"),  # the simple script's own dagger alef
        ("في", "فِى"),
        ("آمنوا", "ءَامَنُوا۟"),
        ("السماوات", "ٱلسَّمَـٰوَٰتِ"),
        ("الرَّحْمَٰنِ", "ٱلرَّحْمَـٰنِ"),
        ("عَلَىٰ", "عَلَىٰ"),
        ("شيئا", "شَيْـًۭٔا"),
    ]:
        assert UTHMANI.normalize(typed) == UTHMANI.normalize(uthmani), typed


@pytest.mark.parametrize("rule", UTHMANI_RULES)
def test_each_rule_is_needed(rule: str) -> None:
    """Without its rule, each word of that rule keeps its Uthmani form (or another)."""
    words = [(w, m) for w, m, r in FOLDED if r == rule and uthmani_word(w) is not None]
    assert words
    others = tuple(r for r in UTHMANI_RULES if r != rule)
    changed = [w for w, _ in words if uthmani_word(w, others) != uthmani_word(w)]
    assert changed, rule


def test_offsets_of_what_the_fold_writes() -> None:
    # A dagger alef on a letter becomes an alef that stands for the dagger alone.
    word = "إِبْرَٰهِيمَ"
    mapped = UTHMANI.normalize_mapped(word)
    assert mapped.text == "ابراهيم"
    dagger = word.index("\u0670")
    assert (mapped.starts[3], mapped.ends[3]) == (dagger, dagger + 1)
    # On a tatweel (ـٰ), the alef stands for the tatweel; a span ending there takes the
    # dagger alef too, as it takes the marks of its last letter.
    word = "ٱلْكِتَـٰبَ"
    mapped = UTHMANI.normalize_mapped(word)
    tatweel = word.index("\u0640")
    assert (mapped.starts[4], mapped.ends[4]) == (tatweel, tatweel + 1)
    assert word[slice(*mapped.span_to_original(0, 5))] == "ٱلْكِتَـٰ"
    assert mapped.span_to_original(0, len(mapped.text)) == (0, len(word))
    # ٱلصَّلَوٰةَ: the alef stands for the wāw, and the span of الصلا for وٰ.
    word = "ٱلصَّلَوٰةَ"
    mapped = UTHMANI.normalize_mapped(word)
    assert mapped.text == "الصلاة"
    assert mapped.starts[4] == word.index("\u0648")
    assert word[slice(*mapped.span_to_original(0, 5))] == "ٱلصَّلَوٰ"
    # The vocative: يا maps to يَـٰٓ, أيها to أَيُّهَا, the space to the madda before it.
    verse = "يَـٰٓأَيُّهَا ٱلنَّاسُ"
    mapped = UTHMANI.normalize_mapped(verse)
    assert mapped.text == "يا ايها الناس"
    assert verse[slice(*mapped.span_to_original(0, 2))] == "يَـٰٓ"
    assert verse[slice(*mapped.span_to_original(3, 7))] == "أَيُّهَا"
    assert verse[slice(*mapped.span_to_original(8, 13))] == "ٱلنَّاسُ"
    # ٱلَّيْلِ: both ل of الليل stand for the one ل written.
    word = "وَٱلَّيْلِ"
    mapped = UTHMANI.normalize_mapped(word)
    assert mapped.text == "والليل"
    lam = word.index("ل")
    assert mapped.starts[2] == mapped.starts[3] == lam
    assert word[slice(*mapped.span_to_original(1, 6))] == "ٱلَّيْلِ"


def test_unvocalized_text_is_left_alone() -> None:
    text = "في الذي آمنوا الكتاب الصلوة هذا على علي شيء يا أيها الليل اليل ءامنوا مسئول"
    assert UTHMANI.normalize(text) == STANDARD.normalize(text)
    assert uthmani_word("الصلوة") is None


#: The cases of arabic.md §3 that the fold changes, by level: only the Quranic ones.
CHANGED = {
    "light": {19: "ذَٰلِكَ ٱلْكِتَابُ لَا رَيْبَ ۛ فِيهِ ۛ", 21: "ٱلْمَلَآئِكَةَ", 24: "ٱلصَّلَاةَ", 25: "۞ يَآ أَيُّهَا"},
    "standard": {19: "ذلك الكتاب لا ريب فيه ", 21: "الملائكة", 24: "الصلاة", 25: " يا ايها"},
    "aggressive": {19: "ذلك الكتاب لا ريب فيه ", 21: "الملايكه", 24: "الصلاه", 25: " يا ايها"},
}


@pytest.mark.parametrize("level", ["light", "standard", "aggressive"])
def test_the_levels_cases_change_only_where_they_are_quranic(level: str) -> None:
    folded = Normalizer.for_level(level).with_steps(uthmani=True)
    changed = {
        i: folded.normalize(c["input"])
        for i, c in enumerate(CASES, 1)
        if folded.normalize(c["input"]) != c[level]
    }
    assert changed == CHANGED[level]
    for number, expected in CHANGED[level].items():
        assert folded.normalize_mapped(CASES[number - 1]["input"]).text == expected


def test_fold_option_names_the_step() -> None:
    assert adjust_normalizer(STANDARD, "uthmani", None) == UTHMANI
    assert "uthmani" in Normalizer.step_names()
    assert not any(
        Normalizer.for_level(level).uthmani for level in ("none", "light", "standard", "aggressive")
    )


def test_query_expansion_is_not_used_with_the_fold() -> None:
    from corpus_cli.text.normalize import raw_pattern

    assert raw_pattern("الكتاب", STANDARD) is not None
    assert raw_pattern("الكتاب", UTHMANI) is None


# --------------------------------------------------------------------------- properties

_LETTERS = list("ابتثجحخدذرسشصضطظعغفقكلمنهويىءٱأئؤة")
_MARKS = [
    *"\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0670",
    *"\u06e5\u06e6\u06e7\u06e8\u06df\u06ed",
]
_PIECE = st.builds(
    lambda letter, tatweel, marks: letter + "\u0640" * tatweel + "".join(marks),
    st.sampled_from(_LETTERS),
    st.integers(0, 1),
    st.lists(st.sampled_from(_MARKS), max_size=3),
)
_WORD = st.lists(_PIECE, min_size=1, max_size=7).map("".join)
_TEXT = st.lists(_WORD, max_size=6).map(" ".join)
#: Real words whose rules interact, and lone marks, signs and line ends, mixed into the
#: random words; a word is glued to the one before it now and then.
_REAL = st.sampled_from([w for w, _, _ in FOLDED])
_LONE = st.sampled_from(["\u0640", "\u0670", "\u0654", "\u06de", "\u06d6", "\n"])
_MIXED = st.lists(st.one_of(_WORD, _REAL, _LONE), max_size=8).map(
    lambda words: "".join(w if i % 3 else " " + w for i, w in enumerate(words))
)


@settings(max_examples=400, deadline=None)
@given(text=_MIXED)
@example(text=" ٱلْكِتَـٰبَ ۞أَءِذَا")  # a rub el hizb glued to a word is no part of it
@example(text=" وٰ")  # the alef of وٰ stands for the wāw and its dagger alef
@example(text=" يٰهَـٰذَا")  # after the vocative, هذا is a word of its own
def test_property_drivers_agree_and_words_map_back(text: str) -> None:
    mapped = UTHMANI.normalize_mapped(text)
    assert mapped.text == UTHMANI.normalize(text)
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    assert mapped.starts == sorted(mapped.starts)
    for start, end in zip(mapped.starts, mapped.ends, strict=True):
        assert 0 <= start < end <= len(text)
    # A whole word of the normalized text (what grep -w, kwic and freq report) maps back
    # to original characters that normalize to it: each word folds as it does in its text.
    for a, b in word_spans(mapped.text):
        start, end = mapped.span_to_original(a, b)
        assert UTHMANI.normalize(text[start:end]) == mapped.text[a:b], (text, mapped.text[a:b])


@settings(max_examples=200, deadline=None)
@given(text=_TEXT)
def test_property_idempotent_and_line_local(text: str) -> None:
    once = UTHMANI.normalize(text)
    assert UTHMANI.normalize(once) == once
    two = text + "\n" + text
    assert UTHMANI.normalize(two) == once + "\n" + once
