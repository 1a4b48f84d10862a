"""``--cql 'CQL'`` on kwic, grep, freq, dispersion and collocates: a query of one token,
or a phrase, gives the very output of the command with the equivalent PATTERN; longer
queries match across tokens; PATTERN and --cql are one or the other; errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SEEDS, jsonl, tsv

pytest.importorskip("numpy")

CORPUS = ["--corpus", str(SEEDS), "--index", "off"]

RECORDS = [
    {"text": "قال وزير الخارجية إن سوريا بحاجة\nوزير الخارجية", "source": "okaz"},
    {"text": "سوريا والعراق. قال وزير الداخلية", "source": "sabq"},
    {"text": "قال الأمير إن وزير الخارجية سيزور سوريا", "source": "okaz"},
]


@pytest.fixture
def news(tmp_path: Path) -> Path:
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def same(invoke, ours: list[str], theirs: list[str]) -> str:
    """Both commands' stdout, asserted equal, exit 0 and not empty."""
    a = invoke(*ours, *CORPUS)
    b = invoke(*theirs, *CORPUS)
    assert (a.exit_code, b.exit_code) == (0, 0), a.stderr + b.stderr
    assert a.stdout == b.stdout
    assert a.stdout.count("\n") > 1
    return a.stdout


# --------------------------------------------------------------------------- kwic


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--format", "jsonl"],
        ["--words", "2"],
        ["--sort", "A1,B1"],
        ["--limit", "3"],
        ["--per-doc", "1"],
        ["--sample", "4", "--seed", "3"],
        ["--max-count", "1"],
        ["--clusters", "3"],
        ["--doc", "002_54a637c8796560dc"],
    ],
)
def test_kwic_cql_of_a_phrase_is_kwic_of_the_phrase(invoke, options: list[str]) -> None:
    same(
        invoke,
        ["kwic", "--cql", '"وزير" "الخارجية"', "--format", "tsv", *options],
        ["kwic", "وزير الخارجية", "--format", "tsv", *options],
    )


def test_kwic_cql_is_corpus_query(invoke) -> None:
    cql = '"وزير" []{0,2} "الخارجية" within s'
    same(invoke, ["kwic", "--cql", cql, "--format", "tsv"], ["query", cql, "--format", "tsv"])


def test_kwic_cql_matches_span_tokens(invoke, news: Path) -> None:
    result = invoke(
        "kwic", "--cql", '"وزير" [word="ال.*"]', "--corpus", str(news), "--format", "jsonl", "--index", "off"
    )
    assert result.exit_code == 0
    assert [(r["doc"], r["line"], r["start"], r["end"], r["match"]) for r in jsonl(result.stdout)] == [
        ("news:1", 1, 4, 17, "وزير الخارجية"),
        ("news:1", 2, 33, 46, "وزير الخارجية"),
        ("news:2", 1, 19, 32, "وزير الداخلية"),
        ("news:3", 1, 14, 27, "وزير الخارجية"),
    ]
    result = invoke(
        "kwic",
        "--cql",
        '"وزير" "الخارجية"',
        "--corpus",
        str(news),
        "--where",
        "source=sabq",
        "--index",
        "off",
    )
    assert result.exit_code == 1
    assert (
        result.stderr == 'corpus: 0 matches: this token pattern matches nothing in the corpus: "الخارجية"\n'
    )


# --------------------------------------------------------------------------- grep


@pytest.mark.parametrize(
    "options",
    [[], ["-c"], ["-l"], ["-o"], ["--count-matches"], ["-m", "1"], ["-C", "1"], ["--format", "jsonl"]],
)
def test_grep_w_cql_is_grep_w(invoke, options: list[str]) -> None:
    same(invoke, ["grep", "-w", "--cql", '"التصعيد"', *options], ["grep", "-w", "التصعيد", *options])


def test_grep_cql_prints_whole_matches(invoke, news: Path) -> None:
    args = ["grep", "--cql", '"قال" []{0,5} "سوريا" within s', "--corpus", str(news), "--index", "off"]
    result = invoke(*args, "-o")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "news:1:1:قال وزير الخارجية إن سوريا",
        "news:3:1:قال الأمير إن وزير الخارجية سيزور سوريا",
    ]
    assert invoke(*args, "-l").stdout.splitlines() == ["news:1", "news:3"]
    assert invoke(*args, "-c").stdout.splitlines() == ["news:1:1", "news:3:1"]
    result = invoke(*args[:2], '"سوريا" "قال"', *args[3:])
    assert result.exit_code == 1 and result.stdout == ""


# --------------------------------------------------------------------------- analysis


@pytest.mark.parametrize("options", [[], ["--window", "2", "--by-position"], ["--measure", "mi"]])
def test_collocates_cql_of_a_word_is_collocates_of_the_word(invoke, options: list[str]) -> None:
    same(
        invoke,
        ["collocates", "--cql", '"التصعيد"', "--format", "tsv", *options],
        ["collocates", "التصعيد", "--format", "tsv", *options],
    )


def test_collocates_cql_of_a_phrase_counts_around_the_whole_match(invoke) -> None:
    out = same(
        invoke,
        ["collocates", "--cql", '"وزير" "الخارجية"', "--format", "tsv", "--by-position"],
        ["collocates", "وزير الخارجية", "--format", "tsv", "--by-position"],
    )
    rows = tsv(out)
    keys = {row[2] for row in rows[1:]}
    assert "وزير" not in keys and "الخارجية" not in keys  # the node's own words are not in its window
    assert rows[1][:6] == ["1", "الروسي", "الروسي", "5", "1", "4"]
    assert {row[rows[0].index("f_node")] for row in rows[1:]} == {"15"}


def test_dispersion_cql_is_dispersion(invoke) -> None:
    same(invoke, ["dispersion", "--cql", '"لافروف"'], ["dispersion", "لافروف"])
    same(invoke, ["dispersion", "--cql", '"وزير" "الخارجية"'], ["dispersion", "وزير الخارجية"])
    out = same(
        invoke,
        ["dispersion", "--cql", '"لافروف"', "--by", "folder"],
        ["dispersion", "لافروف", "--by", "folder"],
    )
    assert out.splitlines()[-1].startswith("(all)\t5\t1\t2483\t9\t")


def test_dispersion_and_collocates_of_nothing(invoke) -> None:
    result = invoke("dispersion", "--cql", '"زززز"', *CORPUS)
    assert result.exit_code == 1
    result = invoke("collocates", "--cql", '"زززز" "في"', *CORPUS)
    assert result.exit_code == 1


# --------------------------------------------------------------------------- freq


def test_freq_cql_is_query_count(invoke) -> None:
    cql = '"في" [kind="word"]'
    same(invoke, ["freq", "--cql", cql, "--top", "0"], ["query", cql, "--count", "--format", "tsv"])
    result = invoke("freq", "--cql", cql, "--top", "3", "--min-count", "4", *CORPUS)
    assert tsv(result.stdout) == [
        ["sequence", "count", "docs"],
        ["في سوريا", "18", "4"],
        ["في ادلب", "4", "2"],
        ["في استانة", "4", "2"],
    ]
    result = invoke("freq", "--cql", cql, "--min-count", "19", *CORPUS)
    assert result.exit_code == 1 and tsv(result.stdout) == [["sequence", "count", "docs"]]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("command", ["kwic", "grep", "freq", "dispersion", "collocates"])
def test_pattern_or_cql(invoke, command: str) -> None:
    both = invoke(command, "وزير", "--cql", '"وزير"', *CORPUS)
    assert both.exit_code == 2 and "give one of them" in both.stderr
    if command != "freq":  # freq without TERM is the frequency list
        neither = invoke(command, *CORPUS)
        assert neither.exit_code == 2 and "missing PATTERN" in neither.stderr
    error = invoke(command, "--cql", '"قال" [word="وزير" []', *CORPUS)
    assert error.exit_code == 2 and error.stdout == ""
    assert error.stderr.splitlines() == [
        "corpus: CQL syntax error at column 20: expected ']' to close the token pattern, found '[]'",
        '  "قال" [word="وزير" []',
        "                     ^",
    ]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["kwic", "-i"], "-i/--ignore-case"),
        (["grep", "-v"], "-v/--invert-match"),
        (["grep", "-e", "x"], "-e/--regexp"),
        (["freq", "--ngram", "2"], "--ngram"),
        (["collocates", "--substring"], "--substring"),
        (["dispersion", "-F"], "-F/--fixed-strings"),
    ],
)
def test_options_of_a_pattern_are_refused(invoke, args: list[str], named: str) -> None:
    result = invoke(*args, "--cql", '"وزير"', *CORPUS)
    assert result.exit_code == 2
    assert f"--cql cannot be combined with {named}" in result.stderr


def test_zero_reports(invoke) -> None:
    result = invoke("kwic", "--cql", '"وزير" "زززز"', *CORPUS)
    assert result.exit_code == 1
    assert result.stderr == 'corpus: 0 matches: this token pattern matches nothing in the corpus: "زززز"\n'
    result = invoke("kwic", "--cql", '"وزير"', "--limit", "0", *CORPUS)
    assert result.exit_code == 1 and "--limit 0 asks for none" in result.stderr
    result = invoke("grep", "--cql", '"وزير"', "-m", "0", *CORPUS)
    assert result.exit_code == 1 and "--max-count 0 asks for none" in result.stderr
