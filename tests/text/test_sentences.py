"""``text.sentences``: the one definition of a sentence (``freq --ngram``, ``export``)."""

from __future__ import annotations

import pytest

from corpus_cli.query import freq
from corpus_cli.text import sentences as sentences_module
from corpus_cli.text.sentences import SENTENCE_END, ends_sentence, sentences
from corpus_cli.text.tokenize import Kind, tokenize


def words_of(text: str) -> list[list[str]]:
    return [[token.text for token in sentence] for sentence in sentences(text)]


def test_freq_uses_the_one_definition() -> None:
    assert freq.SENTENCE_END is sentences_module.SENTENCE_END
    assert "SENTENCE_END =" not in open(freq.__file__, encoding="utf-8").read()


@pytest.mark.parametrize("end", sorted(SENTENCE_END))
def test_each_sentence_end_ends_and_belongs_to_its_sentence(end: str) -> None:
    assert words_of(f"قال الوزير{end} ثم ذهب") == [["قال", "الوزير", end], ["ثم", "ذهب"]]


def test_line_ends_end_sentences_and_blank_lines_make_none() -> None:
    text = "سطر أول بلا نقطة\n\n   \nسطر ثان\r\nثالث"
    assert words_of(text) == [["سطر", "أول", "بلا", "نقطة"], ["سطر", "ثان"], ["ثالث"]]


def test_arabic_question_mark_and_semicolon() -> None:
    assert words_of("هل جاء؟ نعم؛ جاء") == [["هل", "جاء", "؟"], ["نعم", "؛"], ["جاء"]]


def test_a_run_of_ends_is_one_end() -> None:
    assert words_of("حقا؟! نعم... وبعد …") == [["حقا", "؟", "!"], ["نعم", ".", ".", "."], ["وبعد", "…"]]


def test_quotes_commas_and_brackets_do_not_end() -> None:
    text = 'قال «نعم» و"لا"، (ربما) ثم'
    assert words_of(text) == [["قال", "«", "نعم", "»", "و", '"', "لا", '"', "،", "(", "ربما", ")", "ثم"]]


def test_a_number_or_abbreviation_period_is_no_end() -> None:
    assert words_of("النمو 3.5 في أ.ف.ب اليوم.") == [["النمو", "3.5", "في", "أ.ف.ب", "اليوم", "."]]


def test_text_without_tokens_has_no_sentence() -> None:
    assert list(sentences("")) == []
    assert list(sentences(" \n\t\n")) == []
    assert list(sentences("ـــ")) == []  # tatweel alone is no token


def test_ends_sentence() -> None:
    (dot,), (word,) = tokenize("."), tokenize("كلمة")
    assert ends_sentence(dot) and not ends_sentence(word)


def test_tokens_are_tokenize_s_and_keep_kind_and_span(seed_texts: dict[str, str]) -> None:
    text = "زوروا https://example.com/a?b=1 😀 الآن! 2024م\nو 12,5"
    assert [t for s in sentences(text) for t in s] == list(tokenize(text))
    kinds = {t.kind for s in sentences(text) for t in s}
    assert {Kind.word, Kind.url, Kind.emoji, Kind.punct, Kind.number} <= kinds
    for text in seed_texts.values():
        found = list(sentences(text))
        assert [t for s in found for t in s] == list(tokenize(text))
        assert all(found), "no empty sentence"
        for sentence in found:
            # a sentence never spans a line end, and only its last tokens end it
            assert "\n" not in text[sentence[0].start : sentence[-1].end]
            inner = [t for t in sentence if ends_sentence(t)]
            assert sentence[len(sentence) - len(inner) :] == inner


def test_a_token_never_holds_a_tab_or_a_line_end(seed_texts: dict[str, str]) -> None:
    text = "كلمة\tكلمة\r\nسطر\u2028فاصل\x85 و\x0bو\x0c"
    for source in (text, *seed_texts.values()):
        for token in tokenize(source):
            assert not set(token.text) & set("\t\n\r\x0b\x0c\x85\u2028\u2029"), token


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قال: «نعم.» ثم ذهب", [["قال", ":"], ["«", "نعم", ".", "»"], ["ثم", "ذهب"]]),
        ('قال "نعم." ثم', [["قال", '"', "نعم", ".", '"'], ["ثم"]]),
        ('انتهى. "بدأ', [["انتهى", "."], ['"', "بدأ"]]),
        ("(تم.) بعد", [["(", "تم", ".", ")"], ["بعد"]]),
    ],
)
def test_what_closes_right_after_the_end_belongs_to_the_sentence(text, expected) -> None:
    assert words_of(text) == expected
