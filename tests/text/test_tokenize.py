"""Tokens: arabic.md §3b tokenizer cases and the "proposed" rows of §6.2.

Deliberate difference from §6.2's proposed row: a URL is one token of kind ``url``
(not ``https ‖ example.com ‖ ar …``), and ``words()`` skips it, so its parts are never
counted as words.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_cli.store.corpus import load_corpus
from corpus_cli.text import tokenize as tokenize_module
from corpus_cli.text.normalize import Normalizer
from corpus_cli.text.tokenize import (
    Kind,
    Token,
    _tokenize_plain,
    _tokenize_regex,
    is_word,
    tokenize,
    word_spans,
    words,
)


def texts(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.text, t.kind.value) for t in tokenize(text)]


# --------------------------------------------------------------------------- §3b


def test_kind_values() -> None:
    assert {k.value for k in Kind} == {"word", "number", "url", "emoji", "punct"}
    assert Kind("word") is Kind.word
    assert Kind.number == "number"  # a str enum: usable as output directly


def test_clitic_with_tatweel_and_curly_quotes() -> None:
    assert kinds("لـ”اللجنة”") == [("لـ", "word"), ("”", "punct"), ("اللجنة", "word"), ("”", "punct")]


def test_arabic_decimal_number_and_percent() -> None:
    assert kinds("٣٫٥٪") == [("٣٫٥", "number"), ("٪", "punct")]
    assert kinds("3.5%") == [("3.5", "number"), ("%", "punct")]
    assert kinds("1٬000") == [("1٬000", "number")]


def test_hyphenated_latin_is_one_token() -> None:
    assert kinds("COVID-19") == [("COVID-19", "word")]
    assert texts("e-mail ما-بعد") == ["e-mail", "ما-بعد"]


def test_abbreviation_in_brackets() -> None:
    assert kinds("(أ.ف.ب)") == [("(", "punct"), ("أ.ف.ب", "word"), (")", "punct")]
    # A final dot is punctuation, not part of the abbreviation.
    assert texts("U.S.") == ["U.S", "."]


@pytest.mark.parametrize(
    "token",
    [
        "أ.ف.ب",
        "د.ب.أ",
        "ق.م",
        "ص.ب",
        "بي.بي.سي",
        "سي.إن.إن",
        "إيه.بي.سي",
        "إم.تي.في",
        "بِي.بِي.سِي",
        "أ.\u200fف.ب",
        "3.5",
        "٣٫٥",
        "1.340.700",
        "و1.5",
        "U.S",
        "Ph.D",
        "vox.com",
        "v5.1.1",
    ],
)
def test_a_period_joins_abbreviations_and_numbers(token: str) -> None:
    """Single Arabic letters (أ.ف.ب), the names of Latin letters (بي.بي.سي), digits and
    Latin letters: one token with its periods."""
    assert words(token) == [token]
    assert words(f"قالت ({token}) أمس") == ["قالت", token, "أمس"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("انتهى داعش.أهمية", ["انتهى", "داعش", "أهمية"]),
        ("الوزير.والحكومة", ["الوزير", "والحكومة"]),
        ("الأطراف.وشهد", ["الأطراف", "وشهد"]),
        ("منهم.من", ["منهم", "من"]),
        ("د.محمد", ["د", "محمد"]),  # a title before a name
        ("2014.وفقا", ["2014", "وفقا"]),
        ("1.إجمالي", ["1", "إجمالي"]),
        ("المسلحة.6", ["المسلحة", "6"]),
        ("أريج.TBZAP", ["أريج", "TBZAP"]),
        ("أ.ف.ب.وقال", ["أ.ف.ب", "وقال"]),
        ("ذكرى.المولد.النبوي", ["ذكرى", "المولد", "النبوي"]),
        ("الوزيرُ.والحكومةِ", ["الوزيرُ", "والحكومةِ"]),
    ],
)
def test_a_period_between_two_arabic_words_separates_them(text: str, expected: list[str]) -> None:
    assert words(text) == expected
    assert [t.text for t in tokenize(text) if t.kind in (Kind.word, Kind.number)] == expected
    assert "." in texts(text)  # the period is punctuation again


def test_marks_and_tatweel_never_decide_a_boundary() -> None:
    """Normalization deletes them, so the tokens of the text must be the tokens of its
    normalized form: a joiner looks past them to the letters and digits beside it."""
    standard = Normalizer.for_level("standard")
    for text in ("ب.ًت", "بً.ت", "ـ-ب", "ً.بحبك", "٣ً٫٥", "ٱلْوَزِيرُ.وَالْحُكُومَةِ"):
        normalized = [standard.normalize(w) for w in words(text)]
        assert [w for w in normalized if w] == words(standard.normalize(text)), text
    assert words("ب.ًت") == ["ب.ًت"]
    assert words("ـ-ب") == ["ب"]


def test_separators_between_digits_join_a_number() -> None:
    """``٬`` is ``,`` once normalized and ``،`` is ``,`` at aggressive: between digits all
    three join a number (9،000 and 69,998 in the news), elsewhere none does."""
    for number in ("1٬000", "69,998", "85،539", "113,732,423", "3,5"):
        assert kinds(number) == [(number, "number")]
    assert words("المواد 1، 2 و3") == ["المواد", "1", "2", "و3"]
    assert words("كلمة،كلمة a,b") == ["كلمة", "كلمة", "a", "b"]


def test_quranic_word_with_all_its_marks_is_one_token() -> None:
    word = "ٱلْمَلَٰٓئِكَةَ"
    assert list(tokenize(word)) == [Token(word, 0, len(word), Kind.word)]
    assert words("عِبَادِهِۦٓ") == ["عِبَادِهِۦٓ"]  # U+06E5 small waw (Lm) and U+0653 kept


def test_zwnj_word_is_one_token() -> None:
    word = "می\u200cخواهم"
    assert kinds(word) == [(word, "word")]


def test_tatweel_only_run_is_no_token() -> None:
    assert list(tokenize("ـــ")) == []
    assert words("ـــ") == []
    assert list(word_spans("ـــ")) == []
    assert texts("كلمة ـــ أخرى") == ["كلمة", "أخرى"]
    # Tatweel inside or at the edge of a word stays with the word.
    assert texts("ــب بـ كتـــاب") == ["ــب", "بـ", "كتـــاب"]


def test_marks_alone_are_no_token() -> None:
    # A standalone Quranic pause mark (U+06D6) normalizes to "": no token.
    assert list(tokenize("عَلَيْهِمْ ۖ")) == [Token("عَلَيْهِمْ", 0, 10, Kind.word)]


def test_emoji_are_tokens_of_their_own() -> None:
    assert kinds("😍😍") == [("😍", "emoji"), ("😍", "emoji")]
    # ZWJ sequences, skin-tone modifiers and VS16 stay in one emoji token.
    family = "👨\u200d👩\u200d👧"
    assert kinds(f"{family} 👍🏽 ❤️") == [(family, "emoji"), ("👍🏽", "emoji"), ("❤️", "emoji")]
    assert words("رائع 😍😍") == ["رائع"]


def test_number_versus_word() -> None:
    assert kinds("2254 ٢٠١٥م 1441هـ الـ15 ٢٠٢٠") == [
        ("2254", "number"),
        ("٢٠١٥م", "word"),
        ("1441هـ", "word"),
        ("الـ15", "word"),
        ("٢٠٢٠", "number"),
    ]


def test_nbsp_is_a_space() -> None:
    assert list(tokenize("سعر ١٠\u00a0كم")) == [
        Token("سعر", 0, 3, Kind.word),
        Token("١٠", 4, 6, Kind.number),
        Token("كم", 7, 9, Kind.word),
    ]


def test_invisible_format_characters_do_not_split_a_word() -> None:
    # Normalization deletes an RLM inside a word, so the tokenizer must not split there.
    assert texts("ب\u200fت") == ["ب\u200fت"]
    assert texts("x\u00ady") == ["x\u00ady"]
    assert words("\u200fالقاهرة\u200f عاصمة") == ["القاهرة", "عاصمة"]


def test_invisible_format_characters_alone_are_no_token() -> None:
    """§6.5: tokens that normalize to "" are dropped.  A bidi mark, BOM or soft hyphen
    is deleted by every level but ``none``, so alone it is no token (not punctuation)."""
    for invisible in ("\u200f", "\u200e", "\ufeff", "\u00ad", "\u202b", "\u2066"):
        assert Normalizer.for_level("light").normalize(invisible) == ""
        assert texts(f"{invisible}القاهرة{invisible} عاصمة") == ["القاهرة", "عاصمة"], repr(invisible)


@pytest.mark.parametrize(
    "text",
    ["COVID-\u200e19", "COVID\u200e-19", "أ.\u200fف.ب", "اليوم_\u200fالوطني", "٣\u200f٫٥"],
)
def test_invisible_next_to_a_joiner_does_not_split_a_word(text: str) -> None:
    """Normalization deletes the bidi mark, and -w then sees one word (COVID-19): the
    tokenizer must agree, or freq counts ``19`` that grep -w cannot find."""
    assert words(text) == [text]
    light = Normalizer.for_level("light")
    assert words(light.normalize(text)) == [light.normalize(text)]


def test_spans_index_the_original_text() -> None:
    text = "قالَ الرَّئِيـــسُ (ب) كَتَبَ 😍 https://x.org/a"
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text
    assert [text[s:e] for s, e in word_spans(text)] == words(text)


def test_punctuation_is_never_a_word() -> None:
    assert kinds("x--y ، ؛") == [
        ("x", "word"),
        ("-", "punct"),
        ("-", "punct"),
        ("y", "word"),
        ("،", "punct"),
        ("؛", "punct"),
    ]
    assert words("«» () !?") == []


# --------------------------------------------------------------------------- URLs


def test_url_email_are_single_url_tokens_and_not_words() -> None:
    text = "تابعوا #اليوم_الوطني مع @user_1 على https://example.com/ar?x=1&y=2"
    assert kinds(text) == [
        ("تابعوا", "word"),
        ("#", "punct"),
        ("اليوم_الوطني", "word"),
        ("مع", "word"),
        ("@", "punct"),
        ("user_1", "word"),
        ("على", "word"),
        ("https://example.com/ar?x=1&y=2", "url"),
    ]
    assert words(text) == ["تابعوا", "اليوم_الوطني", "مع", "user_1", "على"]
    assert kinds("a@b.com www.x.org foo") == [("a@b.com", "url"), ("www.x.org", "url"), ("foo", "word")]
    assert words("a@b.com www.x.org foo") == ["foo"]


def test_an_email_address_takes_invisible_characters_between_its_own_as_a_word_does() -> None:
    """An RLM inside an address does not end it (nor one in a word: ``a\u200fb``); the
    text's ``-w`` matcher, for which normalization deletes the RLM, sees one run of letters."""
    assert kinds("x@y.الأمم\u200fالأمم ب") == [("x@y.الأمم\u200fالأمم", "url"), ("ب", "word")]
    assert kinds("x@y.com\u200f ب") == [("x@y.com", "url"), ("ب", "word")]  # not at its end
    assert kinds("x\u200f@y.com") == [("x", "word"), ("@", "punct"), ("y.com", "word")]


def test_the_part_before_an_at_sign_is_at_most_256_characters() -> None:
    """The standard allows 64; a longer run is no address (and no scan from each of its
    places runs on to a distant ``@``: long runs of invisible characters or joiners
    before one tokenized in quadratic time)."""
    assert kinds("a" * 256 + "@x.com") == [("a" * 256 + "@x.com", "url")]
    assert kinds("a" * 257 + "@x.com") == [("a" * 257, "word"), ("@", "punct"), ("x.com", "word")]
    for text in ("\u200f" * 3000 + "@x.com", "\u200f-" * 1500 + "@x.com", "a+" * 1500 + "@x.com"):
        _assert_exact(text)


def test_url_does_not_swallow_final_punctuation() -> None:
    assert kinds("(https://x.org/a).") == [
        ("(", "punct"),
        ("https://x.org/a", "url"),
        (")", "punct"),
        (".", "punct"),
    ]


# --------------------------------------------------------------------------- §6.2 rows

#: (input, the "proposed" row of §6.2 as word/number tokens), where it applies.
PROPOSED = [
    (
        "قالت مصادر لـ”اللجنة” إن القرار 2254 لم يُنفذ.",
        "قالت ‖ مصادر ‖ لـ ‖ اللجنة ‖ إن ‖ القرار ‖ 2254 ‖ لم ‖ يُنفذ",
    ),
    (
        "صدر القرار2254 في ٢٠١٥م، وذكرت (أ.ف.ب) ذلك.",
        "صدر ‖ القرار2254 ‖ في ‖ ٢٠١٥م ‖ وذكرت ‖ أ.ف.ب ‖ ذلك",
    ),
    (
        # §6.2's row shows "٣ ‖ ٥"; §3b and §6.5 keep ٣٫٥ whole (٫ joins digits).
        "ارتفع المؤشر 3.5% أو ٣٫٥٪ خلال عام 1441هـ.",
        "ارتفع ‖ المؤشر ‖ 3.5 ‖ أو ‖ ٣٫٥ ‖ خلال ‖ عام ‖ 1441هـ",
    ),
    (
        "اجتماع الـ15 بـ20 دولة في COVID-19 e-mail",
        "اجتماع ‖ الـ15 ‖ بـ20 ‖ دولة ‖ في ‖ COVID-19 ‖ e-mail",
    ),
    (
        'عبدالله و"الأمن" «الشرق الأوسط» ما-بعد',
        "عبدالله ‖ و ‖ الأمن ‖ الشرق ‖ الأوسط ‖ ما-بعد",
    ),
    (
        "الْعَرَبِيَّةُ بصدّقك جمييييل 😍😍 ـــ",
        "الْعَرَبِيَّةُ ‖ بصدّقك ‖ جمييييل",
    ),
    (
        # §6.2's row ends with the standalone pause mark ۖ; it normalizes to "" and §6.5
        # says such tokens are dropped.
        "ٱلْحَمْدُ لِلَّهِ رَبِّ ٱلْعَٰلَمِينَ ۝ صِرَٰطَ ٱلَّذِينَ أَنْعَمْتَ عَلَيْهِمْ ۖ",
        "ٱلْحَمْدُ ‖ لِلَّهِ ‖ رَبِّ ‖ ٱلْعَٰلَمِينَ ‖ صِرَٰطَ ‖ ٱلَّذِينَ ‖ أَنْعَمْتَ ‖ عَلَيْهِمْ",
    ),
    (
        "می\u200cخواهم U.S. ﻻ ﷲ",
        "می\u200cخواهم ‖ U.S ‖ ﻻ ‖ ﷲ",
    ),
]


@pytest.mark.parametrize(("text", "expected"), PROPOSED, ids=[f"row{i}" for i in range(1, len(PROPOSED) + 1)])
def test_proposed_rows_of_6_2(text: str, expected: str) -> None:
    assert words(text) == expected.split(" ‖ ")
    assert [t.text for t in tokenize(text) if t.kind in (Kind.word, Kind.number)] == expected.split(" ‖ ")


def test_tokens_normalize_to_something() -> None:
    """§6.3: a tokenizer must drop tokens that normalize to "" (Lucene's empty term)."""
    standard = Normalizer.for_level("standard")
    for text, _ in PROPOSED:
        for word in words(text):
            assert standard.normalize(word), word


# --------------------------------------------------------------------------- is_word


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("ب", True),
        ("كتـــاب", True),
        ("5", True),
        ("٣٫٥", True),
        ("COVID-19", True),
        ("ـــ", False),
        ("ً", False),
        ("،", False),
        ("😍", False),
        ("", False),
        (" ", False),
    ],
)
def test_is_word(token: str, expected: bool) -> None:
    assert is_word(token) is expected


# --------------------------------------------------------------------------- fast path
#
# Past a few megabytes ``tokenize`` runs ``re`` patterns (``_plain_tokens``) on text of
# the Basic Multilingual Plane; it must give exactly what ``regex`` gives.

_PIECES = [
    *"ابتثجحخدذرزسشصضطظعغفقكلمنهويىةءأإآؤئ",  # Arabic letters
    *("\u064b", "\u064e", "\u0650", "\u0651", "\u0652", "\u0670", "\u06e5", "\u06e6", "\u0654"),  # marks
    *("\u0640", "\u0640\u0640", "\u200c", "\u200d"),  # tatweel, ZWNJ/ZWJ
    *("\u200b", "\u200e", "\u200f", "\u061c", "\u2066", "\u2069", "\u00ad", "\ufeff", "\u2060"),  # invisibles
    *"0123456789٠١٢٣٤٥٦٧٨٩",
    *"_'’-.٫,،٬",  # joiners
    *(" ", " ", "\n", "\u00a0", "\t"),
    *"abcxyzABCUS",
    *("COVID", "com", "بي", "سي", "إيه", "الوزير", "د", "أ", "ب", "ف", "ق", "م"),
    *'()[]!?؟؛%٪"«»“”:;/\\+*#&=<>|~^$',
    *("\ufefb", "\ufdf2", "²", "½", "Ⅳ"),  # presentation forms, other numbers
    *("❤", "\ufe0f", "☺", "©", "™", "⌚", "\u2764\ufe0f", "\u2614\u200d\u2614"),  # emoji (BMP)
    *("http://", "https://", "www.", "@", ".com", "/", ":", "x.org", "a@b.co", "https://x.com/a"),
]
_ASTRAL = ["😀", "👍🏽", "👨\u200d👩", "𝐀", "𝟘", "𐤀", "\U000e0041"]  # beyond the BMP

_PLAIN_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=24).map("".join)
_ANY_TEXTS = st.lists(st.sampled_from(_PIECES + _ASTRAL), max_size=24).map("".join)
_RAW_TEXTS = st.text(st.sampled_from("".join(p for p in _PIECES if len(p) == 1) + "😀𝐀"), max_size=24)


@contextmanager
def _past_plain_threshold() -> Iterator[None]:
    """As after a few megabytes: ``tokenize`` may take its ``re`` path."""
    before = tokenize_module._tokenized[0]
    tokenize_module._tokenized[0] = tokenize_module._PLAIN_AFTER
    try:
        yield
    finally:
        tokenize_module._tokenized[0] = before


def _plain_serves(text: str) -> bool:
    """True where ``tokenize`` takes its ``re`` path (past the threshold)."""
    return tokenize_module._exact_plain(text) is not None


def _assert_exact(text: str) -> bool:
    reference = list(_tokenize_regex(text))
    with _past_plain_threshold():
        assert list(tokenize(text)) == reference
        served = _plain_serves(text)
        if served:
            assert _tokenize_plain(text) == reference
    return served


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_PLAIN_TEXTS, _ANY_TEXTS, _RAW_TEXTS))
def test_the_fast_path_gives_exactly_the_tokens_of_regex(text: str) -> None:
    _assert_exact(text)


@pytest.mark.parametrize(
    "text",
    [
        "COVID-19 ٣٫٥٪ (أ.ف.ب) www.x.com/a. ❤️ ـ hi@x.com 12 ab",
        "الوزير.والحكومة د.محمد 2014.وفقا بي.بي.سي",
        "ـَ ـ\u200c ـ-ب ١٬٠٠٠ 9،000 ﻻ.ب 😀 a\u200fb",
        "\u2764\ufe0f\u200d\u2764 ©2020 x@y.z. https://a.b/c?d=e, «ب»",
        "x@y.الأمم\u200fالأمم a\u200fb@c.d\u200e e@f\u200f.g د\u200fx@y.com\u200f",
        "قال\nالوزير.والحكومة، www.x.y/z\n\nCOVID-19 ـ\u200c ب.ب\nد.محمد ١٢",  # refused joiners: regex
    ],
)
def test_the_fast_path_on_hard_cases(text: str) -> None:
    _assert_exact(text)


def test_the_fast_path_serves_plain_text() -> None:
    assert _assert_exact("قال الوزير إن COVID-19 أصاب 1,200 شخص (أ.ف.ب) www.spa.gov.sa ❤ !")
    assert not _assert_exact("الوزير.والحكومة")  # a period that _JOINS refuses: regex
    assert not _assert_exact("كلمة 😀")  # beyond the BMP: regex


def test_the_fast_path_on_the_seeds(seed_texts: dict[str, str]) -> None:
    served = [_assert_exact(text) for text in seed_texts.values()]
    assert any(served)


def test_the_fast_path_on_every_corpus(every_corpus: Path) -> None:
    documents = load_corpus([str(every_corpus)]).documents
    assert documents
    for document in documents:
        _assert_exact(document.text)


# --------------------------------------------------------------------------- words()
#
# ``words`` and ``word_spans`` are the word and number tokens of ``tokenize``, exactly,
# on either path: an emoji takes the U+FE0F (a mark) or the ZWJ after it, so no word
# starts there.

_WORD_KINDS = (Kind.word, Kind.number)


def _word_tokens(text: str) -> list[Token]:
    return [t for t in _tokenize_regex(text) if t.kind in _WORD_KINDS]


def _assert_words_are_the_word_tokens(text: str) -> None:
    expected = _word_tokens(text)
    assert words(text) == [t.text for t in expected]
    assert list(word_spans(text)) == [(t.start, t.end) for t in expected]
    with _past_plain_threshold():
        assert words(text) == [t.text for t in expected]
        assert [t for t in tokenize(text) if t.kind in _WORD_KINDS] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مره❤️نو", ["مره", "نو"]),
        ("❤️\u200dنو ❤\u200dℹ", ["\u200dنو"]),  # an emoji takes a ZWJ only before a pictograph
        ("ℹ️ نص", ["ℹ️", "نص"]),  # a letter that is a pictograph starts a word
        ("حب❤️️️٣ ☺️www.x.com ☺️كلمة", ["حب", "٣", "كلمة"]),
    ],
)
def test_words_after_an_emoji_with_a_variation_selector(text: str, expected: list[str]) -> None:
    assert words(text) == expected
    _assert_words_are_the_word_tokens(text)


_WORD_PIECES = [
    *"ابتثجحخدذرزسشصضطظعغفقكلمنهويىةءأإآؤئ",
    *("\u064b", "\u064e", "\u0650", "\u0651", "\u0652", "\u0670", "\u06e5", "\u0654", "\u0640"),  # marks
    *"0123456789٠١٢٣٤٥٦٧٨٩",
    *("❤", "☺", "ℹ", "©", "😀", "👍🏽", "\U0001f3fd"),  # emoji, a letter that is one, a skin tone
    *("\ufe0f", "\ufe0e", "\u200d", "\u200c"),  # variation selectors, ZWJ, ZWNJ
    *"_'’-.٫,،٬!?؟؛()«» \n",
    *("abc", "COVID", "U.S", "x@y.co", "https://t.co/Ab1", "www.x.com", "http://"),
]


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(st.sampled_from(_WORD_PIECES), max_size=20).map("".join))
def test_words_are_the_word_tokens_of_tokenize(text: str) -> None:
    _assert_words_are_the_word_tokens(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_PLAIN_TEXTS, _ANY_TEXTS, _RAW_TEXTS))
def test_words_are_the_word_tokens_of_tokenize_on_any_text(text: str) -> None:
    _assert_words_are_the_word_tokens(text)
