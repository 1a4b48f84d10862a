"""``store.vrt``: reading back the vertical file that ``output.vrt`` writes."""

from __future__ import annotations

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.output.vrt import document_vrt, escape
from corpus_cli.store.corpus import Document
from corpus_cli.store.vrt import VrtDocument, VrtToken, read_vrt, unescape
from corpus_cli.text.normalize import Level, Normalizer
from corpus_cli.text.tokenize import Kind, tokenize

STANDARD = Normalizer.for_level(Level.standard)


def round_trip(docs: list[Document], normalizer: Normalizer = STANDARD) -> list[VrtDocument]:
    text = "".join(document_vrt(d, normalizer) for d in docs)
    return list(read_vrt(text.splitlines()))


def assert_round_trip(doc: Document, back: VrtDocument, normalizer: Normalizer = STANDARD) -> None:
    assert back.id == doc.id
    assert [(t.text, t.kind, t.start, t.end) for t in tokenize(doc.text)] == [
        (t.word, t.kind, t.start, t.end) for t in back.tokens
    ]
    assert all(t.norm == normalizer.normalize(t.word) for t in back.tokens)


def test_unescape_inverts_escape() -> None:
    for value in ['a & b <c> "d"', "&amp;", "tab\tline\n\r\x1c\u2028\x85", "سوريا", "&#9;"]:
        assert unescape(escape(value)) == value
    assert unescape("&apos;&#x41;&#65;") == "'AA"
    assert unescape("& alone") == "& alone"


def test_round_trip_of_the_seeds(seed_texts: dict[str, str]) -> None:
    docs = [Document(i, i, text) for i, text in seed_texts.items()]
    back = round_trip(docs)
    assert len(back) == len(docs)
    for doc, read in zip(docs, back, strict=True):
        assert_round_trip(doc, read)
        assert read.meta == {}
        assert all(read.sentences)


def test_round_trip_of_markup_metadata_and_odd_characters() -> None:
    doc = Document(
        'x"&<y>',
        "p",
        'نص & <b> "q"\x1cفاصل\x00 https://a.b/c?d=1&e=2 😀\n\nآخر',
        {"Note": 'a & b <c> "d"\tx\ny', "id": "clash"},
    )
    (back,) = round_trip([doc])
    assert_round_trip(doc, back)
    assert back.meta == {"note": 'a & b <c> "d"\tx\ny', "id_2": "clash"}


def test_other_levels_round_trip(seed_texts: dict[str, str]) -> None:
    aggressive = Normalizer.for_level(Level.aggressive)
    doc = Document("003", "003", seed_texts[next(iter(seed_texts))])
    (back,) = round_trip([doc], aggressive)
    assert_round_trip(doc, back, aggressive)


def test_sentences_and_tokens_are_read_as_written() -> None:
    (back,) = round_trip([Document("d", "d", "هل جاء؟ نعم")])
    assert back.sentences == [
        [
            VrtToken("هل", "هل", Kind.word, 0, 2),
            VrtToken("جاء", "جاء", Kind.word, 3, 6),
            VrtToken("؟", "؟", Kind.punct, 6, 7),
        ],
        [VrtToken("نعم", "نعم", Kind.word, 8, 11)],
    ]


def test_lines_with_their_line_ends_blank_lines_and_comments() -> None:
    lines = [
        "<!-- made by corpus -->\n",
        "\n",
        '<doc id="a">\n',
        "<s>\n",
        "و\tو\tword\t0\t1\n",
        "</s>\n",
        "</doc>\n",
    ]
    assert list(read_vrt(lines)) == [VrtDocument("a", {}, [[VrtToken("و", "و", Kind.word, 0, 1)]])]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["word"], "expected <doc"),
        (['<doc source="x">'], "without an id"),
        (['<doc id="a">', "<s>", "a\tb\tword\t0"], "4 columns"),
        (['<doc id="a">', "<s>", "a\ta\tverb\t0\t1"], "bad kind"),
        (['<doc id="a">', "a\ta\tword\t0\t1"], "outside a sentence"),
        (['<doc id="a">', "</s>"], "without <s>"),
        (['<doc id="a">', "<s>", "</doc>"], "inside a sentence"),
        (['<doc id="a">', "<s>", "</s>"], "no </doc>"),
    ],
)
def test_malformed_vrt_is_an_error(lines: list[str], message: str) -> None:
    with pytest.raises(CorpusError, match=message):
        list(read_vrt(lines))
