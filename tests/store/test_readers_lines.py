"""Line records (``--text-field 'sura|aya|text'``): text files whose lines are records
with fields, as Tanzil writes the Quran.  The layout, the reader, the corpus loader,
and the commands that see the difference (freq no longer counts the prefix, list shows
the fields, --where selects by them), with and without an index.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.store.corpus import load_corpus
from corpus_cli.store.readers import Item, LineLayout, Reader, ReadOptions, filter_where, kind_of

TANZIL = "sura|aya|text"
#: Two suras as Tanzil lays them out, one file each (the verses of the simple script).
SURAS = {
    "001": "1|1|بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ\n1|2|الْحَمْدُ لِلَّهِ رَبِّ الْعَالَمِينَ\n",
    "112": ("112|1|قُلْ هُوَ اللَّهُ أَحَدٌ\n112|2|اللَّهُ الصَّمَدُ\n112|3|لَمْ يَلِدْ وَلَمْ يُولَدْ\n112|4|وَلَمْ يَكُن لَهُ كُفُوًا أَحَدٌ\n"),
}


@pytest.fixture
def quran(tmp_path: Path) -> Path:
    root = tmp_path / "quran"
    root.mkdir()
    for sura, text in SURAS.items():
        (root / f"{sura}.txt").write_text(text, encoding="utf-8")
    return root


# --------------------------------------------------------------------------- the layout


def test_one_field_name_is_no_layout() -> None:
    for name in ("text", "body", "first-name", "dc:title", "nested.text"):
        assert LineLayout.of(name) is None


@pytest.mark.parametrize(
    ("value", "names", "separator"),
    [
        (TANZIL, ("sura", "aya", "text"), "|"),
        ("id\ttext", ("id", "text"), "\t"),
        ("book;chapter;verse;text", ("book", "chapter", "verse", "text"), ";"),
        ("n,text", ("n", "text"), ","),
    ],
)
def test_layouts(value: str, names: tuple[str, ...], separator: str) -> None:
    layout = LineLayout.of(value)
    assert layout == LineLayout(names, separator)
    assert layout is not None and layout.text_field == names[-1]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("sura||text", "empty"),
        ("|text", "empty"),
        ("sura| aya|text", "space"),
        ("text|text", "named twice"),
        ("sura|aya;text", "one separator"),
    ],
)
def test_bad_layouts_are_refused(value: str, problem: str) -> None:
    with pytest.raises(CorpusError, match=problem):
        LineLayout.of(value)
    with pytest.raises(CorpusError, match="--text-field"):
        Reader(ReadOptions(text_field=value))


# --------------------------------------------------------------------------- the reader


def _items(
    text: str, text_field: str = TANZIL, id_field: str | None = None, name: str = "002.txt"
) -> tuple[list[Item], list[str]]:
    warnings: list[str] = []
    reader = Reader(ReadOptions(text_field, id_field), warnings.append)
    return reader.items(kind_of(name), text.encode("utf-8"), name), warnings


def test_each_line_is_a_record() -> None:
    items, warnings = _items("2|1|الم\n\n2|2|ذَٰلِكَ الْكِتَابُ لَا رَيْبَ فِيهِ\n")
    assert warnings == []
    assert [(i.id, i.path, i.text, i.meta) for i in items] == [
        ("002:1", "002.txt:1", "الم", {"sura": "2", "aya": "1"}),
        ("002:2", "002.txt:2", "ذَٰلِكَ الْكِتَابُ لَا رَيْبَ فِيهِ", {"sura": "2", "aya": "2"}),
    ]


def test_the_text_keeps_the_separators_it_holds_and_fields_lose_their_spaces() -> None:
    items, _ = _items(" 2 | 7 |a|b| c\n")
    assert (items[0].text, items[0].meta) == ("a|b| c", {"sura": "2", "aya": "7"})


def test_a_line_without_its_fields_is_skipped_with_a_warning() -> None:
    items, warnings = _items("# Tanzil Quran Text\n2|1|الم\n2|2\n")
    assert [i.id for i in items] == ["002:2"]
    assert warnings == [
        "skipped 002.txt:1: 1 field, not 3 ('sura|aya|text')",
        "skipped 002.txt:3: 2 fields, not 3 ('sura|aya|text')",
    ]


def test_id_field_names_one_of_the_fields() -> None:
    items, _ = _items("x|first\ny|second\n", text_field="key|text", id_field="key")
    assert [(i.id, i.text, i.meta) for i in items] == [("x", "first", {}), ("y", "second", {})]


def test_tab_separated_lines() -> None:
    items, _ = _items("a1\tنص أول\na2\tنص\tثان\n", text_field="id\ttext", id_field="id", name="t.txt")
    assert [(i.id, i.text) for i in items] == [("a1", "نص أول"), ("a2", "نص\tثان")]


def test_record_files_take_the_text_from_the_last_field() -> None:
    data = json.dumps({"sura": 2, "aya": 3, "text": "الَّذِينَ يُؤْمِنُونَ"}, ensure_ascii=False) + "\n"
    items, _ = _items(data, name="verses.jsonl")
    assert [(i.id, i.text, i.meta) for i in items] == [
        ("verses:1", "الَّذِينَ يُؤْمِنُونَ", {"sura": "2", "aya": "3"})
    ]


def test_without_a_layout_a_text_file_is_one_document() -> None:
    items, _ = _items("2|1|الم\n", text_field="text")
    assert [(i.id, i.text, i.meta) for i in items] == [("002", "2|1|الم\n", {})]


def test_load_corpus_and_where(quran: Path) -> None:
    corpus = load_corpus([str(quran)], text_field=TANZIL)
    assert [d.id for d in corpus] == ["001:1", "001:2", "112:1", "112:2", "112:3", "112:4"]
    chosen = filter_where(corpus, [("sura", "112"), ("aya", "2")])
    assert [(d.id, d.text) for d in chosen] == [("112:2", "اللَّهُ الصَّمَدُ")]


# --------------------------------------------------------------------------- the commands


def _tsv(text: str) -> list[dict[str, str]]:
    header, *rows = text.splitlines()
    return [dict(zip(header.split("\t"), row.split("\t"), strict=True)) for row in rows]


def test_freq_counts_the_verses_words_not_their_numbers(invoke, quran: Path) -> None:
    plain = invoke("freq", "--corpus", str(quran), "--format", "tsv", "--top", "0", "--index", "off")
    records = invoke(
        "freq",
        "--corpus",
        str(quran),
        "--text-field",
        TANZIL,
        "--format",
        "tsv",
        "--top",
        "0",
        "--index",
        "off",
    )
    assert plain.exit_code == records.exit_code == 0
    counted = {r["key"]: int(r["count"]) for r in _tsv(plain.stdout)}
    assert counted["112"] == 4 and counted["1"] == 4  # 1|1 (twice), 1|2, 112|1: the prefixes count
    rows = _tsv(records.stdout)
    words = {r["key"]: int(r["count"]) for r in rows}
    assert not any(key.isdigit() for key in words)
    assert words["الله"] == 3 and words["احد"] == 2
    assert sum(words.values()) == sum(counted.values()) - 12  # two numbers for each of six verses
    assert {r["docs"] for r in rows if r["key"] == "احد"} == {"2"}  # a verse is a document


def test_list_shows_the_fields(invoke, quran: Path) -> None:
    result = invoke(
        "list", "--corpus", str(quran), "--text-field", TANZIL, "--format", "tsv", "--index", "off"
    )
    assert result.exit_code == 0
    rows = _tsv(result.stdout)
    assert [(r["id"], r["sura"], r["aya"]) for r in rows] == [
        ("001:1", "1", "1"),
        ("001:2", "1", "2"),
        ("112:1", "112", "1"),
        ("112:2", "112", "2"),
        ("112:3", "112", "3"),
        ("112:4", "112", "4"),
    ]


def test_where_selects_verses(invoke, quran: Path) -> None:
    result = invoke(
        "kwic",
        "أحد",
        "--corpus",
        str(quran),
        "--text-field",
        TANZIL,
        "--where",
        "sura=112",
        "--format",
        "tsv",
    )
    assert result.exit_code == 0
    assert [(r["doc"], r["match"]) for r in _tsv(result.stdout)] == [("112:1", "أَحَدٌ"), ("112:4", "أَحَدٌ")]
    nothing = invoke(
        "kwic", "أحد", "--corpus", str(quran), "--text-field", TANZIL, "--where", "sura=1", "--format", "tsv"
    )
    assert _tsv(nothing.stdout) == []


def test_an_index_reads_the_lines_as_records_too(invoke, quran: Path) -> None:
    args = ("--corpus", str(quran), "--text-field", TANZIL)
    built = invoke("index", "build", *args)
    assert built.exit_code == 0, built.stderr
    assert "6 documents" in built.stderr
    for command in (
        ("freq", "--top", "0"),
        ("freq", "--by", "sura"),
        ("list",),
        ("kwic", "الله"),
        ("kwic", "أحد", "--where", "aya=4"),
    ):
        indexed = invoke(*command, *args, "--format", "tsv")
        scanned = invoke(*command, *args, "--format", "tsv", "--index", "off")
        assert indexed.exit_code == scanned.exit_code == 0
        assert indexed.stdout == scanned.stdout, command
    # Read without the layout, the same files are another corpus: that index does not serve it.
    whole = invoke("list", "--corpus", str(quran), "--format", "tsv")
    assert [r["id"] for r in _tsv(whole.stdout)] == ["001", "112"]
