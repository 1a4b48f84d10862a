"""``corpus query``: CQL concordances and counts, from an index's token layer or from one
built in memory; a phrase gives kwic's very lines; errors point at their column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_cli.cli import app
from tests.conftest import PINNED_ENV, SEEDS, jsonl, tsv

pytest.importorskip("numpy")

RECORDS = [
    {"text": "قال وزير الخارجية إن سوريا بحاجة\nوزير الخارجية", "source": "okaz", "date": "2015-07-21"},
    {"text": "سوريا والعراق. قال وزير الداخلية", "source": "sabq", "date": "2015-07-21"},
    {"text": "قال الأمير إن وزير الخارجية سيزور سوريا", "source": "okaz", "date": "2015-07-22"},
]


@pytest.fixture
def news(tmp_path: Path) -> Path:
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding an index of the seeds, with its token layer."""
    cache = tmp_path_factory.mktemp("query-seeds-cache")
    result = CliRunner().invoke(
        app,
        ["index", "build", "--corpus", str(SEEDS)],
        env={**PINNED_ENV, "CORPUS_CACHE_DIR": str(cache)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    return cache


PHRASES = [("وزير", "الخارجية"), ("الأزمة", "السورية"), ("في", "سوريا"), ("مجلس", "الامن")]
OPTIONS = [
    [],
    ["--format", "jsonl"],
    ["--format", "csv"],
    ["--no-header"],
    ["--width", "7"],
    ["--words", "2"],
    ["--sort", "A1,B1"],
    ["--limit", "3"],
    ["--per-doc", "1"],
    ["--sample", "4", "--seed", "3"],
]


@pytest.mark.parametrize("phrase", PHRASES)
@pytest.mark.parametrize("options", OPTIONS)
def test_a_phrase_gives_the_lines_of_kwic(invoke, phrase: tuple[str, str], options: list[str]) -> None:
    """Two tokens in sequence are kwic's phrase: the same lines, spans and contexts."""
    cql = " ".join(f'"{word}"' for word in phrase)
    ours = invoke("query", cql, "--corpus", str(SEEDS), "--format", "tsv", *options)
    theirs = invoke(
        "kwic", " ".join(phrase), "--corpus", str(SEEDS), "--format", "tsv", "--index", "off", *options
    )
    assert ours.exit_code == theirs.exit_code == 0
    assert ours.stdout == theirs.stdout
    assert ours.stdout.count("\n") > 1


@pytest.mark.parametrize(
    "args",
    [
        ['"وزير" []{0,2} "الخارجية" within s', "--format", "tsv"],
        ['[word="ال.*ية"] "السورية"', "--format", "jsonl"],
        ['"في" [kind="word"]', "--count"],
        ['"في" [kind="word"]', "--count", "--count-by", "orig", "--limit", "3"],
        ['[word="مجلس"] []? "الامن" within s', "--strategy", "longest"],
    ],
)
def test_the_index_layer_and_the_layer_in_memory_agree(invoke, seeds_index: Path, args: list[str]) -> None:
    with_index = invoke("query", *args, "--corpus", str(SEEDS), env={"CORPUS_CACHE_DIR": str(seeds_index)})
    without = invoke("query", *args, "--corpus", str(SEEDS), "--index", "off")
    assert (with_index.exit_code, with_index.stdout) == (without.exit_code, without.stdout)
    assert with_index.exit_code == 0 and with_index.stdout


def test_a_match_spans_its_tokens(invoke, news: Path) -> None:
    result = invoke("query", '"قال" []{0,2} "الخارجية" within s', "--corpus", str(news), "--format", "jsonl")
    assert result.exit_code == 0
    rows = jsonl(result.stdout)
    assert [(r["doc"], r["line"], r["start"], r["end"], r["match"]) for r in rows] == [
        ("news:1", 1, 0, 17, "قال وزير الخارجية"),
    ]


def test_strategies(invoke, news: Path) -> None:
    def matches(*args: str) -> list[str]:
        result = invoke("query", '"وزير" [word="ال.*"]?', "--corpus", str(news), "--format", "tsv", *args)
        return [row[5] for row in tsv(result.stdout)[1:]]

    assert matches() == ["وزير", "وزير", "وزير", "وزير"]
    assert matches("--strategy", "longest") == [
        "وزير الخارجية",
        "وزير الخارجية",
        "وزير الداخلية",
        "وزير الخارجية",
    ]
    assert matches("--strategy", "shortest") == matches()


def test_metadata_constraints_and_where(invoke, news: Path) -> None:
    query = '"وزير" "الخارجية" :: match.doc_source = "okaz"'
    result = invoke("query", query, "--corpus", str(news), "--format", "tsv")
    assert [(row[0], row[1]) for row in tsv(result.stdout)[1:]] == [
        ("news:1", "1"),
        ("news:1", "2"),
        ("news:3", "1"),
    ]
    result = invoke("query", '"وزير"', "--corpus", str(news), "--where", "date=2015-07-21", "--format", "tsv")
    assert [row[0] for row in tsv(result.stdout)[1:]] == ["news:1", "news:1", "news:2"]


def test_count_and_by(invoke, news: Path) -> None:
    result = invoke("query", '"وزير" []', "--corpus", str(news), "--count", "--format", "tsv")
    assert result.exit_code == 0
    assert tsv(result.stdout) == [
        ["sequence", "count", "docs"],
        ["وزير الخارجية", "3", "2"],
        ["وزير الداخلية", "1", "1"],
    ]
    result = invoke("query", '"وزير" []', "--corpus", str(news), "--by", "source", "--format", "tsv")
    assert tsv(result.stdout) == [["source", "count", "docs"], ["okaz", "3", "2"], ["sabq", "1", "1"]]
    result = invoke("query", '"وزير"', "--corpus", str(news), "--by", "nope", "--format", "tsv")
    assert result.exit_code == 2 and "no document has this metadata field" in result.stderr


def test_a_table_on_a_screen(invoke, news: Path) -> None:
    result = invoke("query", '"وزير" "الخارجية"', "--corpus", str(news), "--format", "table")
    assert result.exit_code == 0 and "3 lines" in result.stdout and "الخارجية" in result.stdout


def test_a_syntax_error_points_at_its_column(invoke, news: Path) -> None:
    result = invoke("query", '"قال" [word="وزير" []', "--corpus", str(news))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "corpus: CQL syntax error at column 20: expected ']' to close the token pattern, found '[]'",
        '  "قال" [word="وزير" []',
        "                     ^",
    ]


def test_an_unknown_attribute_is_a_syntax_error(invoke, news: Path) -> None:
    result = invoke("query", '[lema="قال"]', "--corpus", str(news))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "corpus: CQL syntax error at column 2: unknown attribute 'lema' "
        "(this corpus has word, orig, norm, kind; lemma, root, pos, lempos with the morphology)"
    )


def test_lemma_without_the_analyser_says_how_to_install_it(
    invoke, news: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpus_cli.text import morphology

    monkeypatch.setattr(morphology, "have_analyser", lambda: False)
    result = invoke("query", '[lemma="قال"]', "--corpus", str(news), "--index", "off")
    assert result.exit_code == 2
    assert "pip install 'corpus-cli[morph]'" in result.stderr


def test_no_silent_zero_names_the_token_that_matches_nothing(invoke, news: Path) -> None:
    result = invoke("query", '"قال" [word="زززز"] []', "--corpus", str(news))
    assert result.exit_code == 1 and result.stdout.count("\n") <= 1
    assert (
        result.stderr
        == 'corpus: 0 matches: this token pattern matches nothing in the corpus: [word="زززز"]\n'
    )
    result = invoke("query", '"سوريا" "قال"', "--corpus", str(news))
    assert result.exit_code == 1
    assert (
        result.stderr == "corpus: 0 matches: each token pattern matches on its own, never in this sequence\n"
    )
    result = invoke("query", '"قال"', "--corpus", str(news), "--limit", "0")
    assert result.exit_code == 1 and "--limit 0 asks for none" in result.stderr


def test_an_unbounded_query_is_bounded_and_says_so(invoke, news: Path) -> None:
    result = invoke("query", '"قال" []* "سوريا"', "--corpus", str(news), "--format", "tsv")
    assert result.exit_code == 0
    assert "warning: an unbounded repetition without 'within'" in result.stderr
    assert [row[5] for row in tsv(result.stdout)[1:]] == [
        "قال وزير الخارجية إن سوريا",
        "قال الأمير إن وزير الخارجية سيزور سوريا",
    ]


def test_a_constraint_that_holds_nowhere_says_so(invoke, news: Path) -> None:
    result = invoke("query", '"وزير" :: match.doc_source = "nowhere"', "--corpus", str(news))
    assert result.exit_code == 1
    assert result.stderr == "corpus: 0 matches: 4 without the constraint after '::', none with it\n"


def test_a_metadata_field_no_document_has_is_an_error(invoke, news: Path) -> None:
    result = invoke("query", '"وزير" :: match.doc_paper = "okaz"', "--corpus", str(news))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "corpus: CQL syntax error at column 11: no document has the metadata field 'paper' "
        "(doc_date, doc_id, doc_source)"
    )
