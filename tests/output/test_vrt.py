"""``output.vrt``: the vertical file of ``corpus export``."""

from __future__ import annotations

import io
from typing import NamedTuple, TextIO

from corpus_cli.output.environment import Environment
from corpus_cli.output.vrt import (
    VRT_COLUMNS,
    attribute_name,
    attribute_names,
    document_vrt,
    escape,
    write_vrt,
)
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import Level, Normalizer

STANDARD = Normalizer.for_level(Level.standard)


class FakeTarget(NamedTuple):
    env: Environment | None
    stdout: TextIO
    color: bool = False
    bom: bool = False
    normalization: str = "standard"


def test_columns() -> None:
    assert VRT_COLUMNS == ("word", "norm", "kind", "start", "end")


def test_escape() -> None:
    assert escape('a & b < c > d "e"') == "a &amp; b &lt; c &gt; d &quot;e&quot;"
    assert escape("&amp;") == "&amp;amp;"
    assert escape("tab\there\nline\r\x1c\u2028") == "tab&#9;here&#10;line&#13;&#28;&#8232;"
    assert escape("سوريا 'x'") == "سوريا 'x'"


def test_attribute_names_are_xml_and_cwb_safe() -> None:
    assert attribute_name("Source") == "source"
    assert attribute_name("Pub Date") == "pub_date"
    assert attribute_name("meta.author-name") == "meta_author_name"
    assert attribute_name("2nd") == "f_2nd"
    assert attribute_name("المصدر") == "field"
    assert attribute_name("_x_") == "x"
    assert attribute_names(["id", "ID", "source", "Source", "x y"]) == {
        "id": "id_2",
        "ID": "id_3",
        "source": "source",
        "Source": "source_2",
        "x y": "x_y",
    }


def test_a_document_with_markup_characters_in_text_and_metadata() -> None:
    doc = Document("a&b<1>", "p", 'قال "نعم" & <لا>.\nسطر', {"Note": 'a & b <c> "d"\tx\ny', "source": "okaz"})
    vrt = document_vrt(doc, STANDARD)
    assert vrt.splitlines() == [
        '<doc id="a&amp;b&lt;1&gt;" note="a &amp; b &lt;c&gt; &quot;d&quot;&#9;x&#10;y" source="okaz">',
        "<s>",
        "قال\tقال\tword\t0\t3",
        "&quot;\t&quot;\tpunct\t4\t5",
        "نعم\tنعم\tword\t5\t8",
        "&quot;\t&quot;\tpunct\t8\t9",
        "&amp;\t&amp;\tpunct\t10\t11",
        "&lt;\t&lt;\tpunct\t12\t13",
        "لا\tلا\tword\t13\t15",
        "&gt;\t&gt;\tpunct\t15\t16",
        ".\t.\tpunct\t16\t17",
        "</s>",
        "<s>",
        "سطر\tسطر\tword\t18\t21",
        "</s>",
        "</doc>",
    ]


def test_norm_column_is_the_normalizer_s() -> None:
    doc = Document("d", "d", "الأُمَمُ إلى")
    rows = [line.split("\t") for line in document_vrt(doc, STANDARD).splitlines() if "\t" in line]
    assert [(r[0], r[1]) for r in rows] == [("الأُمَمُ", "الامم"), ("إلى", "الى")]
    none = Normalizer.for_level(Level.none)
    rows = [line.split("\t") for line in document_vrt(doc, none).splitlines() if "\t" in line]
    assert [r[1] for r in rows] == [r[0] for r in rows]


def test_an_empty_document_is_a_doc_without_sentences() -> None:
    assert document_vrt(Document("e", "e", " \n"), STANDARD) == '<doc id="e">\n</doc>\n'


def test_write_vrt_writes_each_document_and_counts_them() -> None:
    out = io.StringIO()
    docs = [Document("a", "a", "نص."), Document("b", "b", "آخر")]
    assert write_vrt(FakeTarget(None, out), iter(docs), STANDARD) == 2
    assert out.getvalue() == "".join(document_vrt(d, STANDARD) for d in docs)
    assert write_vrt(FakeTarget(None, io.StringIO()), [], STANDARD) == 0


def test_write_vrt_streams_document_by_document() -> None:
    """Each document is written before the next one is read."""
    out = io.StringIO()
    seen: list[int] = []

    def docs():
        for n in range(3):
            seen.append(out.tell())
            yield Document(str(n), str(n), "كلمة")

    write_vrt(FakeTarget(None, out), docs(), STANDARD)
    assert seen[0] == 0 and seen[1] > 0 and seen[2] > seen[1]
