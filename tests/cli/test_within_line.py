"""``--within line`` beyond kwic's own path (issue 17's left-outs):

- ``corpus query --within line``: the context of a CQL match stops at the line it is on,
  or at the lines it spans (a match may run across a line end without ``within s``);
  ``--words N`` counts the words of those lines only, and ``--sort`` sees the context
  shown.  The same lines as ``kwic --cql ... --within line``, with the index's token
  layer and without (``--index off``).
- ``kwic --within line --engine dask``: the contexts are cut on the workers, where the
  text is; the same output as the memory engine, from files, Parquet and JSONL shards.

CQL itself gets no ``line`` region: ``corpus export --format vrt`` writes ``<doc>`` and
``<s>`` only, so a ``within line`` would have no CQP counterpart, and a sentence already
ends at a line end (``text.sentences``): ``within s`` keeps a match on one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_cli.query.kwic import flatten, line_bounds
from tests.cli.test_kwic_within import QURAN, TEXTS, _verses
from tests.cli.test_positional_kwic import _build, same_output
from tests.conftest import tsv_records
from tests.engines import test_dask
from tests.engines.test_dask import memory, on_dask, shards

#: The dask tests' local cluster (a fixture), started once for this module too.
scheduler = test_dask.scheduler

#: A match across a line end (الرحيم ends verse 1, الحمد starts verse 2) and one inside a line.
ACROSS = '"الرحيم" []{0,5} "الحمد" | "آخره" [] "سطر"'


@pytest.fixture(scope="module")
def made_up(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("within-line")
    for name, text in TEXTS.items():
        (root / name).write_text(text, encoding="utf-8")
    cache = tmp_path_factory.mktemp("within-line-cache")
    _build(root, cache)
    return root, cache


def _query(invoke, where: tuple[Path, Path], *args: str) -> list[tuple[str, ...]]:
    corpus, cache = where
    result = invoke("query", *args, "--corpus", str(corpus), env={"CORPUS_CACHE_DIR": str(cache)})
    assert result.exit_code == 0, result.stderr
    return [(r["doc"], r["line"], r["before"], r["match"], r["after"]) for r in tsv_records(result.stdout)]


def test_query_within_line_stops_at_the_line(invoke, made_up) -> None:
    assert _query(invoke, made_up, '"الرحيم"', "--within", "line") == [
        ("verses", "1", "1|1|بسم الله الرحمن ", "الرحيم", ""),
        ("verses", "3", "1|3|الرحمن ", "الرحيم", ""),
        ("verses", "6", "", "الرحيم", ""),  # the last line, without its line end
    ]
    across_doc = _query(invoke, made_up, '"الرحيم"')
    assert across_doc[0][4] == " 1|2|الحمد لله رب العالمين 1|3|الرحمن ال"
    assert _query(invoke, made_up, '"الرحيم"', "--within", "doc") == across_doc


def test_a_match_across_a_line_end_keeps_both_lines(invoke, made_up) -> None:
    assert _query(invoke, made_up, ACROSS, "--within", "line") == [
        ("notes", "2", "الرحمن في أول سطر ثان وفي ", "آخره الرحمن سطر", " أخير بلا كلمة"),
        ("verses", "1", "1|1|بسم الله الرحمن ", "الرحيم 1|2|الحمد", " لله رب العالمين"),
    ]
    assert _query(invoke, made_up, ACROSS)[1][4] == " لله رب العالمين 1|3|الرحمن الرحيم 1|4|"


def test_words_count_on_the_line_only(invoke, made_up) -> None:
    query = '"الحمد" | "الرحمن"'
    within = _query(invoke, made_up, query, "--within", "line", "--words", "1")
    across = _query(invoke, made_up, query, "--words", "1")
    assert [(row[2], row[4]) for row in within] == [
        ("", " في"),  # the line starts with the hit: no word of the line before it
        ("آخره ", ""),  # and ends with it
        ("الله ", " الرحيم"),
        ("2|", " لله"),  # a number is a word to --words: the verse's number
        ("3|", " الرحيم"),
    ]
    assert [(row[2], row[4]) for row in across][:2] == [("سطر ", " في"), ("آخره ", " سطر")]


def test_sorting_sees_the_context_shown(invoke, made_up) -> None:
    query = '"الحمد" | "الرحمن"'
    within = _query(invoke, made_up, query, "--within", "line", "--sort", "B1")
    # B1: "" (nothing before on its line), 2, 3, آخره, الله
    assert [(row[0], row[1], row[2]) for row in within] == [
        ("notes", "2", ""),
        ("verses", "2", "1|2|"),
        ("verses", "3", "1|3|"),
        ("notes", "2", "الرحمن في أول سطر ثان وفي آخره "),
        ("verses", "1", "1|1|بسم الله "),
    ]
    across = _query(invoke, made_up, query, "--sort", "B1")
    assert across[-1][:2] == ("notes", "2") and across[-1][2].endswith("هذا أول سطر ")  # B1 سطر


QUERY_WITHIN = [
    ['"الرحيم"', "--within", "line"],
    ['"الرحيم"', "--within", "LINE", "--width", "5"],
    [ACROSS, "--within", "line"],
    [ACROSS, "--within", "line", "--width", "0"],
    [ACROSS, "--within", "line", "--words", "2"],
    [ACROSS, "--within", "line", "--words", "30", "--format", "jsonl"],
    ['"الحمد" | "الرحمن"', "--within", "line", "--sort", "A1,B1"],
    ['"الحمد" | "الرحمن"', "--within", "line", "--sort", "B2", "--limit", "2"],
    ['"الحمد" | "الرحمن"', "--within", "line", "--per-doc", "1"],
    ['"الحمد" | "الرحمن"', "--within", "line", "--sample", "2", "--seed", "3"],
    ['[kind="number"] [] [kind="number"]', "--within", "line", "--words", "1"],
]


@pytest.mark.parametrize("args", QUERY_WITHIN, ids=" ".join)
def test_query_within_with_and_without_the_index(invoke, monkeypatch, made_up, args) -> None:
    result = same_output(invoke, monkeypatch, made_up, "query", *args)
    assert result.exit_code == 0


@pytest.mark.parametrize("args", QUERY_WITHIN, ids=" ".join)
def test_query_shows_what_kwic_cql_shows(invoke, made_up, args) -> None:
    corpus, cache = made_up
    env = {"CORPUS_CACHE_DIR": str(cache)}
    query, *options = args
    from_query = invoke("query", query, *options, "--corpus", str(corpus), env=env)
    from_kwic = invoke("kwic", "--cql", query, *options, "--corpus", str(corpus), env=env)
    assert (from_query.exit_code, from_query.stdout) == (from_kwic.exit_code, from_kwic.stdout)
    assert from_query.stdout.count("\n") >= 2


@pytest.fixture(scope="module")
def quran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not QURAN.is_dir():
        pytest.skip(f"the Tanzil Quran (simple script) is not in {QURAN.parent}")
    cache = tmp_path_factory.mktemp("quran-within-cache")
    _build(QURAN, cache)
    return QURAN, cache


@pytest.mark.parametrize(
    "args",
    [
        ['"الرحيم"'],
        ['"الله"', "--words", "3"],
        ['"يوم" "القيامة"', "--width", "60"],
        [ACROSS, "--words", "5"],
    ],
    ids=" ".join,
)
def test_query_on_the_quran_a_verse_per_line(invoke, monkeypatch, quran, args) -> None:
    """Every context shown lies in the verses its match is on (``start``/``end`` place
    it in its sura's text); without ``--within line`` some run into the next verse."""
    result = same_output(invoke, monkeypatch, quran, "query", *args, "--within", "line")
    rows = tsv_records(result.stdout)
    assert len(rows) > 20 or args[0] == ACROSS
    suras = {path.stem: path.read_text(encoding="utf-8") for path in quran[0].glob("*.txt")}
    for row in rows:
        first, last = line_bounds(suras[row["doc"]], int(row["start"]), int(row["end"]))
        assert row["before"] + row["match"] + row["after"] in flatten(suras[row["doc"]][first:last]), row
    across = tsv_records(
        invoke("query", *args, "--corpus", str(quran[0]), env={"CORPUS_CACHE_DIR": str(quran[1])}).stdout
    )
    assert [(r["doc"], r["start"]) for r in across] == [(r["doc"], r["start"]) for r in rows]
    verses = _verses(quran[0])
    assert any(
        row["before"] + row["match"] + row["after"] not in verses[(row["doc"], int(row["line"]))]
        for row in across
    ), "without --within line, some contexts run into the next verse"


# --------------------------------------------------------------------------- kwic on dask


@pytest.fixture(scope="module")
def dask_corpora(scheduler: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The made-up verses and notes, and more files of lines (so that the cluster has
    several partitions), as files and as small Parquet and JSONL shards."""
    root = tmp_path_factory.mktemp("within-dask")
    for name, text in TEXTS.items():
        (root / name).write_text(text, encoding="utf-8")
    for number in range(12):
        verses = [f"{number}|{aya}|الرحمن الرحيم {'في أول سطر ' * (aya % 4)}الحمد لله" for aya in range(1, 9)]
        (root / f"more{number:02d}.txt").write_text("\n".join(verses) + "\n", encoding="utf-8")
    parquet = shards(root, tmp_path_factory.mktemp("within-parquet") / "parquet", "--size", "2KB")
    jsonl = shards(
        root, tmp_path_factory.mktemp("within-jsonl") / "jsonl", "--size", "2KB", "--format", "jsonl"
    )
    assert len(list(parquet.glob("*.parquet"))) >= 2
    assert len(list(jsonl.glob("*.jsonl"))) >= 2
    return {
        "text": ["--corpus", str(root)],
        "parquet": ["--corpus", str(parquet)],
        "jsonl": ["--corpus", str(jsonl), "--id-field", "id"],
    }


DASK_WITHIN = [
    ["kwic", "الرحيم", "--within", "line"],
    ["kwic", "الرحمن", "--within", "line", "--width", "12"],
    ["kwic", "الحمد", "--within", "line", "--words", "2", "--format", "jsonl"],
    ["kwic", "الرحمن", "--within", "line", "--words", "1", "--per-doc", "2"],
    ["kwic", "لله", "--within", "line", "--sample", "7", "--seed", "5"],
    ["kwic", "سطر", "--within", "line", "-m", "1", "--limit", "9"],
    ["kwic", "الرحمن الرحيم", "--within", "line", "--words", "3"],
]


@pytest.mark.parametrize("layout", ["text", "parquet", "jsonl"])
@pytest.mark.parametrize("args", DASK_WITHIN, ids=" ".join)
def test_kwic_within_line_on_dask(
    args: list[str], layout: str, dask_corpora: dict[str, list[str]], scheduler: str
) -> None:
    expected = memory(args, dask_corpora["text"])
    assert expected[0] == 0 and expected[1].count("\n") > 2
    assert on_dask(args, dask_corpora[layout], scheduler) == expected
    if layout == "text" and "--format" not in args:  # the contexts are the line's, not the document's
        doc_wide = memory([a for a in args if a not in ("--within", "line")], dask_corpora["text"])
        assert doc_wide != expected


def test_kwic_within_line_on_dask_on_the_quran(scheduler: str, tmp_path: Path) -> None:
    if not QURAN.is_dir():
        pytest.skip(f"the Tanzil Quran (simple script) is not in {QURAN.parent}")
    parquet = shards(QURAN, tmp_path / "parquet", "--size", "300KB")
    for args in (
        ["kwic", "الرحيم", "--within", "line"],
        ["kwic", "الله", "--within", "line", "--words", "4"],
    ):
        expected = memory(args, ["--corpus", str(QURAN)])
        rows = tsv_records(expected[1])
        assert len(rows) > 100
        verses = _verses(QURAN)
        assert all(r["before"] + r["match"] + r["after"] in verses[(r["doc"], int(r["line"]))] for r in rows)
        assert on_dask(args, ["--corpus", str(QURAN)], scheduler) == expected
        assert on_dask(args, ["--corpus", str(parquet)], scheduler) == expected
