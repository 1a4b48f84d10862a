"""``kwic --within line``: the context (``--width`` or ``--words``) stops at the line of
the hit instead of running into its neighbours; the same lines with the index's token
layer and without (``--index off``); ``--within doc`` (the default) as before.

Corpora: a small made-up one (verses, records, a hit across a line end with ``--cql``,
lines shorter than the context, an empty line, a last line without its line end) and the
Tanzil Quran in the simple script (``sura|aya|text``, a verse per line) when unpacked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_cli.query.kwic import KwicRequest, concordance, concordance_of_hits, flatten, line_bounds
from corpus_cli.query.search import Hit
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import Level, Normalizer
from tests.cli.test_positional_kwic import _build, same_output
from tests.conftest import tsv_records
from tests.cql.cqp import CORPORA

QURAN = CORPORA / "tanzil_quran_simple"
VERSES = "\n".join(
    [
        "1|1|بسم الله الرحمن الرحيم",
        "1|2|الحمد لله رب العالمين",
        "1|3|الرحمن الرحيم",
        "",
        "1|4|مالك يوم الدين",
        "الرحيم",
    ]
)
TEXTS = {
    "verses.txt": VERSES,
    "notes.txt": "قال الراوي: هذا أول سطر\nالرحمن في أول سطر ثان وفي آخره الرحمن\nسطر أخير بلا كلمة\n",
}


def _hit(doc: Document, word: str, occurrence: int = 0) -> Hit:
    start = -1
    for _ in range(occurrence + 1):
        start = doc.text.index(word, start + 1)
    return Hit(doc, doc.text.count("\n", 0, start) + 1, start, start + len(word))


def _line(doc: Document, word: str, occurrence: int = 0, **options: object) -> tuple[str, str, str]:
    (line,) = concordance([_hit(doc, word, occurrence)], **options)  # type: ignore[arg-type]
    return line.before, line.match, line.after


def test_line_bounds() -> None:
    text = "ab\ncd ef\n\ngh"
    assert line_bounds(text, 3, 5) == (3, 8)  # cd
    assert line_bounds(text, 6, 8) == (3, 8)  # ef: the line end is not in it
    assert line_bounds(text, 0, 2) == (0, 2)
    assert line_bounds(text, 10, 12) == (10, 12)  # the last line, no line end
    assert line_bounds(text, 0, 5) == (0, 8)  # a hit across a line end: both lines
    assert line_bounds(text, 6, 9) == (3, 9)  # a hit that ends with its line end: nothing after
    assert line_bounds(text, 9, 9) == (9, 9)  # an empty hit on the empty line


def test_the_context_stops_at_the_line() -> None:
    doc = Document("v", "v.txt", VERSES)
    assert _line(doc, "الرحيم", width=40) == (
        "1|1|بسم الله الرحمن ",
        "الرحيم",
        " 1|2|الحمد لله رب العالمين 1|3|الرحمن ال",
    )
    assert _line(doc, "الرحيم", width=40, within_line=True) == ("1|1|بسم الله الرحمن ", "الرحيم", "")
    assert _line(doc, "الرحيم", 1, width=40, within_line=True) == ("1|3|الرحمن ", "الرحيم", "")
    assert _line(doc, "الحمد", width=6, within_line=True) == ("1|2|", "الحمد", " لله ر")
    assert _line(doc, "لله", 1, words=1, within_line=True) == ("الحمد ", "لله", " رب")
    assert _line(doc, "لله", 1, words=9, within_line=True) == ("1|2|الحمد ", "لله", " رب العالمين")
    assert _line(doc, "لله", 1, words=9) == (
        "1|1|بسم الله الرحمن الرحيم 1|2|الحمد ",
        "لله",
        " رب العالمين 1|3|الرحمن الرحيم 1|4|مالك",
    )
    # the last line, which has no line end
    assert _line(doc, "الرحيم", 2, width=40, within_line=True) == ("", "الرحيم", "")
    assert _line(doc, "الرحيم", 2, words=3, within_line=True) == ("", "الرحيم", "")
    # a hit across a line end: the context of its first line before it, of its last after
    hit = Hit(doc, 3, VERSES.index("1|3|") + 4, VERSES.index("مالك") + 4)
    (line,) = concordance([hit], width=40, within_line=True)
    assert (line.before, line.match, line.after) == ("1|3|", "الرحمن الرحيم 1|4|مالك", " يوم الدين")


def test_sorting_by_context_sees_the_line_only() -> None:
    doc = Document("n", "n.txt", TEXTS["notes.txt"])
    hits = [_hit(doc, "الرحمن"), _hit(doc, "الرحمن", 1)]
    request = KwicRequest(width=12, sort="B1", within_line=True)
    lines = list(concordance_of_hits(hits, request, Normalizer.for_level(Level.standard)))
    # the first hit starts its line: no word before it (""), so it sorts first
    assert [(line.before, line.after) for line in lines] == [("", " في أول سطر "), ("ان وفي آخره ", "")]
    across = list(
        concordance_of_hits(hits, request._replace(within_line=False), Normalizer.for_level(Level.standard))
    )
    assert [line.hit.start for line in across] == [hits[1].start, hits[0].start]  # آخره < سطر


@pytest.fixture(scope="module")
def made_up(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("within")
    for name, text in TEXTS.items():
        (root / name).write_text(text, encoding="utf-8")
    cache = tmp_path_factory.mktemp("within-cache")
    _build(root, cache)
    return root, cache


def test_kwic_within_line_on_the_command_line(invoke, made_up) -> None:
    corpus, cache = made_up
    env = {"CORPUS_CACHE_DIR": str(cache)}
    result = invoke("kwic", "الرحيم", "--corpus", str(corpus), "--within", "line", env=env)
    assert result.exit_code == 0, result.stderr
    assert [(r["doc"], r["line"], r["before"], r["after"]) for r in tsv_records(result.stdout)] == [
        ("verses", "1", "1|1|بسم الله الرحمن ", ""),
        ("verses", "3", "1|3|الرحمن ", ""),
        ("verses", "6", "", ""),
    ]
    default = invoke("kwic", "الرحيم", "--corpus", str(corpus), env=env)
    assert (
        default.stdout == invoke("kwic", "الرحيم", "--corpus", str(corpus), "--within", "doc", env=env).stdout
    )
    assert tsv_records(default.stdout)[0]["after"].startswith(" 1|2|الحمد")


WITHIN = [
    ["الرحمن", "--within", "line"],
    ["الرحمن", "--within", "LINE", "--width", "5"],
    ["الرحمن", "--within", "line", "--width", "0"],
    ["الرحمن", "--within", "line", "--words", "2"],
    ["الرحمن", "--within", "line", "--words", "20", "--format", "jsonl"],
    ["الرحمن", "--within", "line", "--sort", "A1,B1"],
    ["الرحمن", "--within", "line", "--sort", "B2", "--limit", "2"],
    ["الرحمن", "--within", "line", "--per-doc", "1"],
    ["الرحمن", "--within", "line", "--sample", "2", "--seed", "3"],
    ["الرحيم", "--within", "line", "-m", "1"],
    ["سطر", "--within", "line", "--words", "1"],
    ["الرحيم", "--within", "doc"],
    ["--cql", '"الرحيم" []{0,2} "الحمد"', "--within", "line"],
    ["--cql", '"الرحيم" []{0,2} "الحمد"', "--within", "line", "--words", "1"],
]


@pytest.mark.parametrize("args", WITHIN, ids=" ".join)
def test_kwic_within_with_and_without_the_index(invoke, monkeypatch, made_up, args) -> None:
    same_output(invoke, monkeypatch, made_up, "kwic", *args)


@pytest.fixture(scope="module")
def quran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not QURAN.is_dir():
        pytest.skip(f"the Tanzil Quran (simple script) is not in {CORPORA}")
    cache = tmp_path_factory.mktemp("quran-cache")
    _build(QURAN, cache)
    return QURAN, cache


def _verses(corpus: Path) -> dict[tuple[str, int], str]:
    return {
        (path.stem, number): line
        for path in corpus.glob("*.txt")
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
    }


@pytest.mark.parametrize(
    "args", [["الرحيم"], ["الله", "--words", "3"], ["يومئذ", "--width", "60"]], ids=" ".join
)
def test_the_quran_a_verse_per_line(invoke, monkeypatch, quran, args) -> None:
    result = same_output(invoke, monkeypatch, quran, "kwic", *args, "--within", "line")
    rows = tsv_records(result.stdout)
    assert len(rows) > 20
    verses = _verses(quran[0])
    beyond = 0
    for row in rows:
        verse = verses[(row["doc"], int(row["line"]))]
        shown = row["before"] + row["match"] + row["after"]
        assert shown in verse, row
    across = tsv_records(
        invoke("kwic", *args, "--corpus", str(quran[0]), env={"CORPUS_CACHE_DIR": str(quran[1])}).stdout
    )
    for row in across:
        verse = verses[(row["doc"], int(row["line"]))]
        beyond += (row["before"] + row["match"] + row["after"]) not in verse
    assert beyond, "without --within line, some contexts run into the next verse"


@pytest.fixture(scope="module")
def every(every_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A sample of every shared corpus and the cache that holds its index."""
    cache = tmp_path_factory.mktemp("every-within-cache")
    _build(every_corpus, cache)
    return every_corpus, cache


@pytest.mark.parametrize(
    "args",
    [
        ["--within", "line"],
        ["--within", "line", "--words", "4", "--sort", "A1,B1"],
        ["--within", "line", "--width", "15", "--format", "jsonl", "--per-doc", "3"],
    ],
    ids=" ".join,
)
def test_parity_on_every_corpus(invoke, monkeypatch, every, args) -> None:
    """Every kind of text (the Quran, hadith, poetry, news, tweets): the same lines with the
    index and without, and no context reaches past its line."""
    corpus, _ = every
    answered = checked = 0
    for word in ("الله", "في", "قال"):
        result = same_output(invoke, monkeypatch, every, "kwic", word, *args, report=False)
        answered += result.exit_code == 0
        rows = [] if "--format" in args else tsv_records(result.stdout)
        for row in rows:
            path = corpus / f"{row['doc']}.txt"
            if path.is_file():
                line = path.read_text(encoding="utf-8").split("\n")[int(row["line"]) - 1]
                assert row["before"] + row["match"] + row["after"] in flatten(line), row
                checked += 1
    assert answered == 3
    assert checked or "--format" in args
