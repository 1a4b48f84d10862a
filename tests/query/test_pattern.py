"""Queries: the literal parts of a regex go through the text's normalization; its syntax
does not.  Whole-word boundaries (``-w``) use the tokenizer's word definition."""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_cli.errors import CorpusError
from corpus_cli.query.pattern import MatchOptions, compile_query, normalize_regex
from corpus_cli.query.search import search_lines
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import Level, Normalizer
from corpus_cli.text.tokenize import WORD_END, WORD_START
from tests.conftest import error

NONE = Normalizer.for_level("none")
LIGHT = Normalizer.for_level("light")
STANDARD = Normalizer.for_level("standard")
AGGRESSIVE = Normalizer.for_level("aggressive")

WORD = MatchOptions(word=True)


def find_all(
    pattern: str, text: str, normalizer: Normalizer = STANDARD, options: MatchOptions = MatchOptions()
):
    """Matched strings of ``pattern`` in the normalized ``text``."""
    query = compile_query(pattern, normalizer, options)
    return [m.group() for m in query.regex.finditer(normalizer.normalize(text))]


# --------------------------------------------------------------------------- literals


def test_literal_runs_are_normalized() -> None:
    assert normalize_regex("أ", STANDARD) == "ا"
    assert normalize_regex("كتـــاب", STANDARD) == "كتاب"
    assert normalize_regex("٢٢٥٤", STANDARD) == "2254"
    assert normalize_regex("إنّ", STANDARD) == "ان"
    assert normalize_regex("ﻻ", STANDARD) == "لا"
    assert normalize_regex("ة", STANDARD) == "ة"
    assert normalize_regex("ة", AGGRESSIVE) == "ه"


def test_hamza_forms_match_each_other() -> None:
    text = "الأمم الامم الإمام آمن"
    assert find_all("أ", "ا") == ["ا"]
    assert find_all("أ", "إ") == ["ا"]
    assert find_all("الأمم", text) == ["الامم", "الامم"]
    assert find_all("الإمام", text) == ["الامام"]
    assert find_all("امن", text) == ["امن"]


def test_query_and_text_share_the_normalizer() -> None:
    query = compile_query("أعلنت", STANDARD)
    assert query.normalizer is STANDARD
    assert query.normalized == STANDARD.normalize("أعلنت") == "اعلنت"
    assert query.source == "أعلنت"


def test_fixed_string_is_escaped() -> None:
    query = compile_query("a.b", STANDARD, MatchOptions(fixed=True))
    assert query.regex.search("axb") is None
    assert query.regex.search("a.b") is not None
    assert find_all("(أ.ف.ب)", "وذكرت (أ.ف.ب) ذلك", options=MatchOptions(fixed=True)) == ["(ا.ف.ب)"]


# --------------------------------------------------------------------------- classes


def test_classes_are_normalized() -> None:
    assert normalize_regex("[أإ]ن", STANDARD) == "[اا]ن"
    assert find_all("[أإ]ن", "إن أن ان") == ["ان", "ان", "ان"]
    assert normalize_regex("[^ؤ]", STANDARD) == "[^ؤ]"
    assert normalize_regex("[^ؤ]", AGGRESSIVE) == "[^و]"
    assert normalize_regex("[؟]", AGGRESSIVE) == "[?]"
    assert normalize_regex("[\\]أ]", STANDARD) == "[\\]ا]"
    # Characters a level deletes drop out of the class.
    assert normalize_regex("[أـ]", STANDARD) == "[ا]"


def test_posix_classes_inside_a_class_keep_their_meaning() -> None:
    """GNU grep's foad1: ``[[:alpha:]]`` is the class of letters, not ``[`` and ``:``."""
    assert normalize_regex("[[:alpha:]]", STANDARD) == "[[:alpha:]]"
    assert find_all("[[:alpha:]]", "[: a") == ["a"]
    assert find_all("[^[:space:][:digit:]]+", "أمم 12 [") == ["امم", "["]


def test_class_of_only_ignored_characters_is_an_error() -> None:
    with pytest.raises(CorpusError, match="empty after normalization"):
        compile_query("[ـَ]", STANDARD)
    # At light the marks are kept, so the same class is fine.
    assert compile_query("[َ]", LIGHT).regex.search("بَ") is not None


def test_class_range_is_kept_as_written_and_still_matches_normalized_text() -> None:
    normalized = normalize_regex("[أ-ي]+", STANDARD)
    assert normalized.startswith("[أ-ي")  # the range the user wrote is still there
    assert find_all("[أ-ي]+", "الأمم 2254") == ["الامم"]
    assert find_all("[a-c]+", "abcd") == ["abc"]


def test_class_range_of_arabic_indic_digits_matches_folded_digits() -> None:
    """Digits fold to ASCII from standard; a range written with Arabic-Indic digits must
    still find them (query and text go through the same function)."""
    assert find_all("[٠-٩]+", "القرار ٢٢٥٤") == ["2254"]


# --------------------------------------------------------------------------- syntax kept


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("\\bأ", "\\bا"),
        ("\\d{4}", "\\d{4}"),
        ("\\p{Arabic}+", "\\p{Arabic}+"),
        ("\\N{ARABIC LETTER ALEF}", "\\N{ARABIC LETTER ALEF}"),
        ("\\.أ", "\\.ا"),
        ("أ+", "ا+"),
        ("أمم?", "امم?"),
        ("(?:أ|إ){2,3}", "(?:ا|ا){2,3}"),
        ("(?P<x>أمم)", "(?P<x>امم)"),
        ("(?<n>أ)\\k<n>", "(?<n>ا)\\k<n>"),
        ("(?<=ال)أمم", "(?<=ال)امم"),
        ("(?i)abc", "(?i)abc"),
        ("(?#تعليق)أ", "(?#تعليق)ا"),
        ("^إلى$", "^الى$"),
        ("a|أ", "a|ا"),
        ("x{,3}", "x{,3}"),
        ("{", "\\{"),
    ],
)
def test_syntax_is_kept(pattern: str, expected: str) -> None:
    assert normalize_regex(pattern, STANDARD) == expected


def test_named_group_survives_compilation() -> None:
    query = compile_query("(?P<noun>أمم)", STANDARD)
    match = query.regex.search(STANDARD.normalize("الأمم المتحدة"))
    assert match is not None
    assert match.group("noun") == "امم"


def test_quantifier_after_a_deleted_mark_does_not_move_to_the_letter() -> None:
    """``كتابَ+`` repeats the fatha, which standard ignores: it must not become ``كتاب+``
    (one or more ب), which would take in a following ب."""
    query = compile_query("كتابَ+", STANDARD)
    assert query.regex.fullmatch("كتابب") is None
    assert query.regex.fullmatch("كتاب") is not None


def test_arabic_question_mark_is_escaped_at_aggressive() -> None:
    query = compile_query("هل؟", AGGRESSIVE)
    assert query.regex.pattern.endswith("\\?")
    text = AGGRESSIVE.normalize("هل انتهى الاجتماع؟ هل")
    assert [m.group() for m in query.regex.finditer(text)] == []
    assert find_all("الاجتماع؟", "هل انتهى الاجتماع؟ الاجتماع", AGGRESSIVE) == ["الاجتماع?"]
    # At standard ؟ is not folded and is an ordinary character.
    assert find_all("الاجتماع؟", "هل انتهى الاجتماع؟ الاجتماع") == ["الاجتماع؟"]


# --------------------------------------------------------------------------- ignoring case


def cased_characters() -> str:
    """Every character with a case, in ``re``'s Unicode or in ``regex``'s (a newer one)."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    python = {c for c in every if c.lower() != c or c.upper() != c or c.casefold() != c}
    newer = regex.findall(r"[\p{Cased}\p{Changes_When_Casemapped}\p{Changes_When_Casefolded}]", every)
    return "".join(sorted(python | set(newer)))


def test_ignoring_case_every_cased_character_means_what_regex_says() -> None:
    """A plain pattern runs on ``re`` (the fast path), the same one in a group on
    ``regex``: ignoring case they find the same characters, ``I`` as well as ``I{1}``."""
    options = MatchOptions(ignore_case=True)
    cased = cased_characters()
    for char in cased:
        fast = compile_query(char, NONE, options).regex
        general = compile_query(f"(?:{char})", NONE, options).regex
        assert fast.findall(cased) == general.findall(cased), f"U+{ord(char):04X}"
    assert find_all("I", "aİb aıb", NONE, options) == find_all("I{1}", "aİb aıb", NONE, options) == ["ı"]


#: Letters whose case ``re`` and ``regex`` could read apart, Arabic, and the operators
#: that keep a pattern on the fast path.
CASE_PIECES = st.sampled_from([*"iIİıßẞsSſkKKaA", *"امل", ".", "^", "$", "|", "\\.", " "])
CASE_TEXTS = st.text(st.sampled_from([*"iIİıßẞsSſkKKaA", *"اأمل", ".", " ", "\n"]), max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(CASE_PIECES, min_size=1, max_size=5),
    text=CASE_TEXTS,
    level=st.sampled_from(["none", "standard"]),
    ignore_case=st.booleans(),
    invert=st.booleans(),
)
def test_a_plain_pattern_finds_what_the_same_in_a_group_finds(
    pieces: list[str], text: str, level: str, ignore_case: bool, invert: bool
) -> None:
    """One engine's semantics whichever path runs: the fast path (``re``, the query's
    expansion over the original text) against ``regex`` alone."""
    pattern = "".join(pieces)
    normalizer, options = Normalizer.for_level(level), MatchOptions(ignore_case=ignore_case)
    doc = Document("d", "d", text)
    found = []
    for written in (pattern, f"(?:{pattern})"):
        query = compile_query(written, normalizer, options)
        found.append([(m.line_no, m.spans) for m in search_lines(doc, query, invert=invert)])
    assert found[0] == found[1]


# --------------------------------------------------------------------------- errors


def test_empty_pattern_is_an_error() -> None:
    with pytest.raises(CorpusError, match="empty pattern"):
        compile_query("", STANDARD)


@pytest.mark.parametrize("pattern", ["ًٌ", "َ", "ـــ", "\u200f", "َ+"])
def test_pattern_of_only_ignored_characters_is_a_clear_error(pattern: str) -> None:
    with pytest.raises(CorpusError) as info:
        compile_query(pattern, STANDARD)
    message = str(info.value)
    assert "empty after normalization" in message
    assert "--norm light" in message  # says how to search them


def test_diacritic_pattern_is_fine_where_marks_are_kept() -> None:
    assert compile_query("َ", LIGHT).regex.search(LIGHT.normalize("كَتَبَ")) is not None
    assert compile_query("َ", NONE).regex.search("كَتَبَ") is not None


@pytest.mark.parametrize(
    ("pattern", "position"),
    [("a**", 2), ("ab(", 3), ("(أ", 2), ("a{2}{3}", 4), ("x[", None)],
)
def test_invalid_regex_error_names_the_position(pattern: str, position: int | None) -> None:
    with pytest.raises(CorpusError) as info:
        compile_query(pattern, STANDARD)
    message = str(info.value)
    assert message.startswith("invalid pattern")
    assert pattern in message
    assert re.search(r"at position \d+", message)
    if position is not None:
        assert f"at position {position}" in message


def test_invalid_regex_position_is_in_the_typed_pattern_with_word_option() -> None:
    """-w wraps the pattern in long boundary assertions; the position must still be the
    user's (not an offset into the wrapped pattern)."""
    with pytest.raises(CorpusError, match=r"at position 2$"):
        compile_query("a**", STANDARD, WORD)


def test_invalid_regex_shows_the_normalized_form_when_it_differs() -> None:
    with pytest.raises(CorpusError) as info:
        compile_query("كتـــاب(", STANDARD)
    assert "كتـــاب(" in str(info.value)
    assert "كتاب(" in str(info.value)


# --------------------------------------------------------------------------- -w


def test_python_word_boundary_breaks_at_harakat_but_ours_does_not() -> None:
    word = "كِتَابٌ"
    python_starts = [i for i in range(len(word) + 1) if re.compile(r"\b").match(word, i)]
    assert len(python_starts) > 2  # \b fires between letters and their marks
    starts = [i for i in range(len(word) + 1) if regex.compile(WORD_START).match(word, i)]
    ends = [i for i in range(len(word) + 1) if regex.compile(WORD_END).match(word, i)]
    assert starts == [0]
    assert ends == [len(word)]


@pytest.mark.parametrize("normalizer", [NONE, LIGHT], ids=["none", "light"])
@pytest.mark.parametrize("pattern", ["تَابٌ", "كِ", "ك", "تاب", "ب"])
def test_word_option_never_matches_inside_a_vocalized_word(normalizer: Normalizer, pattern: str) -> None:
    for options in (WORD, MatchOptions(word=True, fixed=True)):
        assert find_all(pattern, "كِتَابٌ جديد", normalizer, options) == []


@pytest.mark.parametrize("normalizer", [NONE, LIGHT], ids=["none", "light"])
def test_word_option_matches_the_whole_vocalized_word(normalizer: Normalizer) -> None:
    assert find_all("كِتَابٌ", "كِتَابٌ جديد", normalizer, WORD) == ["كِتَابٌ"]


def test_word_option_at_standard() -> None:
    text = "كِتَابٌ الكتاب كتابه كتاب"
    assert find_all("كتاب", text, options=WORD) == ["كتاب", "كتاب"]
    assert find_all("كتاب", text) == ["كتاب"] * 4
    query = compile_query("كتاب", STANDARD, WORD)
    spans = [m.span() for m in query.regex.finditer(STANDARD.normalize(text))]
    assert spans == [(0, 4), (18, 22)]


def test_word_option_respects_joined_tokens() -> None:
    assert find_all("19", "COVID-19", options=WORD) == []
    assert find_all("COVID", "COVID-19", options=WORD) == []
    assert find_all("COVID-19", "COVID-19 في", options=WORD) == ["COVID-19"]
    assert find_all("19", "في 19 يوم", options=WORD) == ["19"]
    assert find_all("5", "٣٫٥", options=WORD) == []  # ٫ joins digits: 3.5 is one token
    assert find_all("ف", "(أ.ف.ب)", options=WORD) == []
    # Punctuation that does not join is a boundary.
    assert find_all("اللجنة", "لـ”اللجنة”", options=WORD) == ["اللجنة"]


def test_word_option_ignores_invisibles_inside_words() -> None:
    assert find_all("ب", "ب\u200fت", NONE, WORD) == []


def test_word_option_with_alternation_is_grouped() -> None:
    assert find_all("كتب|قلم", "كتب قلمه قلم", options=WORD) == ["كتب", "قلم"]


# --------------------------------------------------------------------------- -i


def test_ignore_case_is_for_latin() -> None:
    text = "Hello WORLD hello HELLO"
    assert find_all("hello", text) == ["hello"]
    assert find_all("hello", text, options=MatchOptions(ignore_case=True)) == ["Hello", "hello", "HELLO"]
    assert find_all("covid", "COVID-19", options=MatchOptions(ignore_case=True, word=True)) == []
    assert find_all("covid-19", "COVID-19", options=MatchOptions(ignore_case=True, fixed=True)) == [
        "COVID-19"
    ]
    # Normalization itself never folds Latin case (arabic.md §2).
    assert STANDARD.normalize("iPhone") == "iPhone"


# --------------------------------------------------------------------------- line-by-line


def test_lookarounds_and_anchors_are_searched_line_by_line() -> None:
    assert compile_query("(?<=ال)أمم", STANDARD).line_by_line
    assert compile_query("أمم(?!ي)", STANDARD).line_by_line
    assert compile_query("\\Aأ", STANDARD).line_by_line
    assert not compile_query("الأمم", STANDARD).line_by_line
    assert not compile_query("(?<=ال)", STANDARD, MatchOptions(fixed=True)).line_by_line


def test_anchors_are_per_line() -> None:
    query = compile_query("^إلى", STANDARD)
    assert [m.start() for m in query.regex.finditer("سطر\nالى الامم\nالى")] == [4, 14]


# --------------------------------------------------------------------------- very long literals


def _long_literal(characters: int) -> str:
    words = "كتب الطالب في المدرسة درسا جديدا عن تاريخ الأمم المتحدة".split()
    out = " ".join(words[i % len(words)] for i in range(characters // 4))
    return out[:characters].strip()


@pytest.mark.parametrize("counting", [False, True], ids=["lines", "count"])
def test_a_very_long_literal_is_expanded_in_part_and_still_matched_whole(counting: bool) -> None:
    """A 130 KB ``-F`` literal: its expansion over the original text is built from its
    start only (seconds and gigabytes otherwise), so it finds lines without deciding
    them: a line that has only the start of the literal is no hit."""
    literal = _long_literal(72_000)  # 130 KB of UTF-8
    query = compile_query(literal, STANDARD, MatchOptions(fixed=True))
    assert query.raw is not None and len(query.raw.pattern) < 20_000
    assert not query.expansion_decides
    half = len(literal) // 2
    varied = literal[:half] + "ـ" + literal[half:].replace("ا", "أ", 3)  # tatweel, hamza: the same
    doc = Document("d", "d", f"{literal}\n{literal[:1000]} فقط\n{varied} آخر\n{literal[:-5]}\n")
    lines = [m.line_no for m in search_lines(doc, query, spans=not counting)]
    assert lines == [1, 3]


def test_a_very_long_literal_with_optional_marks_is_refused_not_compiled() -> None:
    from corpus_cli.query.pattern import LONGEST_MARKED

    with pytest.raises(CorpusError, match=r"too long where marks are kept .* 10,000 characters at most"):
        compile_query(_long_literal(LONGEST_MARKED + 2), LIGHT, MatchOptions(fixed=True))
    query = compile_query(_long_literal(2_000), LIGHT, MatchOptions(fixed=True))
    marked = _long_literal(2_000).replace("كتب", "كَتَبَ")
    assert query.regex.search(LIGHT.normalize(marked)) is not None


def hits(query: str, text: str, normalizer: Normalizer = STANDARD, **options: object) -> list[str]:
    """The original text of every hit of ``query`` (no clitics) in ``text``."""
    compiled = compile_query(query, normalizer, MatchOptions(**options))  # type: ignore[arg-type]
    out = []
    for line in search_lines(Document("d", "d.txt", text), compiled):
        out += [line.text[s:e] for s, e in line.spans]
    return out


VOCALIZED = "كُتِبَ كَتَبَ كتب كُتُب"


@pytest.mark.parametrize("level", [Level.light, Level.standard, Level.aggressive])
def test_typed_marks_are_constraints(level):
    normalizer = Normalizer.for_level(level)
    assert hits("كُتب", VOCALIZED, normalizer) == ["كُتِبَ", "كتب", "كُتُب"]
    assert hits("كُتب", VOCALIZED, normalizer, strict_marks=True) == ["كُتِبَ", "كُتُب"]
    # An unvocalized query matches every vocalization.
    assert hits("كتب", VOCALIZED, normalizer) == ["كُتِبَ", "كَتَبَ", "كتب", "كُتُب"]


def test_typed_marks_at_level_none_are_plain_characters():
    none = Normalizer.for_level(Level.none)
    assert compile_query("كُتب", none).constraint is None
    assert hits("كُتب", VOCALIZED, none) == []
    assert hits("كُتب", "كُتب", none) == ["كُتب"]


def test_typed_marks_several_letters():
    # كَتَب: fatha on the first two letters; كَتِب contradicts the second.
    assert hits("كَتَب", "كَتَبَ كَتِبَ كتب") == ["كَتَبَ", "كتب"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grep", "("], "corpus: invalid pattern '(': missing ) at position 1"),
        (
            ["kwic", "الأمم[ا"],
            "corpus: invalid pattern 'الأمم[ا' (normalized 'الامم[ا'): unterminated character set",
        ),
        (["kwic", ""], "corpus: empty pattern"),
        (["grep", "\u064e\u064f\u0650"], "is empty after normalization: it has only marks, tatweel"),
        (["grep", "\u0640\u0640\u0640"], "is empty after normalization: it has only marks, tatweel"),
        (["kwic", "\u0651"], "is empty after normalization: it has only marks, tatweel"),
    ],
    ids=["grep-paren", "kwic-bracket", "kwic-empty", "diacritics", "tatweel", "shadda"],
)
def test_bad_patterns(cli, ids_corpus, args, message):
    error(cli(*args, "--corpus", str(ids_corpus)), message)


def test_a_literal_paren_is_fine_with_F(cli, ids_corpus):
    r = cli("grep", "-F", "(", "--corpus", str(ids_corpus))
    assert (r.code, r.out) == (1, "")


def test_patterns_that_can_backtrack_are_compiled_with_regex() -> None:
    none = Normalizer()
    # Quantifier-free plain patterns keep the fast start-up of ``re``...
    for pattern in ("abc", "a|b", "a.b", "^x$", r"a\+b"):
        assert isinstance(compile_query(pattern, none).regex, re.Pattern), pattern
    # ... anything with a quantifier goes to ``regex``, which honours the timeout.
    for pattern in ("a.*a.*b", "ب+ب+ت", "ab?", r"a\\+"):
        assert not isinstance(compile_query(pattern, none).regex, re.Pattern), pattern
