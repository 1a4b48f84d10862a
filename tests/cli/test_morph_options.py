"""``--lemma``, ``--root``, ``--readings`` and ``--analysis`` on kwic and grep, and the
no-silent-zero hints of the morphology ("0 hits; 34 with --root وزر"): the same hits as
``corpus query``, the same output with the seeds' index (built with ``--morph``) and
without it (a layer built in memory, analysed from the cache the build filled), values
that agree with what the options select.  They skip without the extra corpus-cli[morph]."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_cli.query.cql.attributes import morphology_normalizer
from corpus_cli.text.normalize import Normalizer
from tests.conftest import SEEDS, jsonl, run_corpus

pytest.importorskip("numpy")

ON = ["--corpus", str(SEEDS)]
OFF = [*ON, "--index", "off"]


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A cache holding the seeds' index built with --morph (and so the analyses of every
    form of the seeds): the environment that points at it."""
    pytest.importorskip("farahidi", reason="the extra corpus-cli[morph] is not installed")
    cache = tmp_path_factory.mktemp("morph-options") / "cache"
    env = {"CORPUS_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    built = run_corpus("index", "build", *ON, "--morph", env=env, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    return env


def both(invoke, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``corpus ARGS`` with the index and with --index off: the same exit code, stdout
    and notes asserted; returned."""
    with_index = invoke(*args, *ON, env=env)
    without = invoke(*args, *OFF, env=env)
    assert with_index.exit_code == without.exit_code, with_index.stderr + without.stderr
    assert with_index.stdout == without.stdout
    assert with_index.stderr == without.stderr
    return with_index.exit_code, with_index.stdout, with_index.stderr


def places(output: str) -> list[tuple[str, int, int]]:
    return [(r["doc"], r["start"], r["end"]) for r in jsonl(output)]


LEMMA = morphology_normalizer(Normalizer.for_level("standard"), "lemma")
ROOT = morphology_normalizer(Normalizer.for_level("standard"), "root")


# --------------------------------------------------------------------------- the hits


@pytest.mark.parametrize(
    ("options", "cql"),
    [
        (["--lemma", "وزير"], '[lemma="وزير"%l]'),
        (["--root", "وزر"], '[root="وزر"%l]'),
        (["--root", "و ز ر"], '[root="وزر"%l]'),
        (["--root", "و-ز-ر", "--lemma", "وزارة"], '[lemma="وزارة"%l & root="وزر"%l]'),
    ],
)
def test_kwic_lemma_and_root_are_corpus_query(invoke, analysed, options: list[str], cql: str) -> None:
    ours = invoke("kwic", *options, "--format", "jsonl", *OFF, env=analysed)
    theirs = invoke("query", cql, "--format", "jsonl", *OFF, env=analysed)
    assert (ours.exit_code, theirs.exit_code) == (0, 0), ours.stderr + theirs.stderr
    assert places(ours.stdout) == places(theirs.stdout)
    assert len(places(ours.stdout)) >= 3


def test_readings_any_is_corpus_querys(invoke, analysed) -> None:
    ours = invoke("kwic", "--lemma", "زار", "--readings", "any", "--format", "jsonl", *ON, env=analysed)
    theirs = invoke("query", '[lemma="زار"%l]', "--readings", "any", "--format", "jsonl", *ON, env=analysed)
    cql = invoke(
        "kwic", "--cql", '[lemma="زار"]', "--readings", "any", "--format", "jsonl", *ON, env=analysed
    )
    assert places(ours.stdout) == places(theirs.stdout) == places(cql.stdout)
    assert places(ours.stdout)


def test_grep_lemma_is_grep_cql(invoke, analysed) -> None:
    ours = invoke("grep", "--root", "وزر", *ON, env=analysed)
    theirs = invoke("grep", "--cql", '[root="وزر"%l]', *ON, env=analysed)
    assert (ours.exit_code, theirs.exit_code) == (0, 0)
    assert ours.stdout == theirs.stdout
    assert {line.split(":")[0] for line in ours.stdout.splitlines()} == {
        "000_942301ab0c5a4d11",
        "001_b0761bee8ed67ba9",
        "002_54a637c8796560dc",
        "003_6b73772203161856",
        "004_b89014a9ba1a7d7b",
    }


PARITY = [
    ["kwic", "--lemma", "وزير"],
    ["kwic", "--root", "وزر", "--analysis", "--format", "jsonl"],
    ["kwic", "--root", "وزر", "--sort", "A1,B1", "--analysis"],
    ["kwic", "--lemma", "وزير", "--sample", "5", "--seed", "2", "--words", "3"],
    ["kwic", "--lemma", "وزير", "--per-doc", "1", "--max-count", "1", "--format", "csv", "--analysis"],
    ["kwic", "--lemma", "وزير", "--clusters", "2"],
    ["kwic", "--lemma", "وزير", "--within", "line", "--analysis"],
    ["grep", "--lemma", "زار", "--readings", "any", "--analysis", "-o"],
    ["kwic", "--lemma", "زار", "--readings", "any", "--analysis"],
    ["kwic", "--cql", '[lemma="وزير"] [pos="noun"]', "--analysis", "--format", "jsonl"],
    ["kwic", "وزير", "--analysis"],
    ["kwic", "الخارجية", "--analysis", "--format", "table"],
    ["kwic", "--substring", "زير", "--analysis", "--limit", "4"],
    ["kwic", "وزير", "--clitics", "--analysis", "--format", "jsonl"],
    ["kwic", "وزير الخارجية", "--analysis", "--format", "jsonl"],
    ["grep", "--lemma", "وزير"],
    ["grep", "--root", "وزر", "--analysis"],
    ["grep", "--root", "وزر", "--analysis", "-o", "--format", "tsv"],
    ["grep", "--root", "وزر", "--analysis", "--format", "jsonl"],
    ["grep", "--lemma", "وزير", "--analysis", "--format", "csv", "-A", "1"],
    ["grep", "--lemma", "وزير", "--analysis", "--format", "table"],
    ["grep", "-w", "سوريا", "--analysis", "--format", "tsv"],
    ["grep", "سوري", "--analysis", "-o"],
    ["grep", "-c", "--lemma", "وزير"],
    ["grep", "--count-matches", "--root", "وزر"],
    ["grep", "-l", "--root", "وزر", "--format", "jsonl"],
    ["kwic", "خارجي"],
    ["kwic", "وزر"],
    ["grep", "-w", "خارجي"],
    ["kwic", "--lemma", "زار"],
]


@pytest.mark.parametrize("args", PARITY, ids=lambda args: " ".join(args))
def test_index_and_memory_give_the_same_output(invoke, analysed, args: list[str]) -> None:
    code, stdout, stderr = both(invoke, analysed, *args)
    assert code in (0, 1), stderr
    assert stdout.count("\n") >= 1 if code == 0 else stderr.startswith("corpus: 0 ")


# --------------------------------------------------------------------------- --analysis


def test_analysis_columns_agree_with_the_lemma_asked_for(invoke, analysed) -> None:
    done = invoke("kwic", "--lemma", "وزير", "--analysis", "--format", "jsonl", *ON, env=analysed)
    rows = jsonl(done.stdout)
    assert len(rows) == len(
        jsonl(invoke("query", '[lemma="وزير"%l]', "--format", "jsonl", *ON, env=analysed).stdout)
    )
    assert list(rows[0]) == [
        "doc",
        "line",
        "start",
        "end",
        "before",
        "match",
        "after",
        "lemma",
        "root",
        "pos",
    ]
    assert {LEMMA(r["lemma"]) for r in rows} == {"وزير"}
    assert {r["pos"] for r in rows} == {"noun"}
    by_root = invoke("kwic", "--root", "وزر", "--analysis", "--format", "jsonl", *ON, env=analysed)
    root_rows = jsonl(by_root.stdout)
    assert {ROOT(r["root"]) for r in root_rows} == {"وزر"}
    assert {LEMMA(r["lemma"]) for r in root_rows} >= {"وزير", "وزارة"}
    verbs = invoke("kwic", "--cql", '[pos="verb"]', "--analysis", "--format", "jsonl", *ON, env=analysed)
    assert {r["pos"] for r in jsonl(verbs.stdout)} == {"verb"}


def test_analysis_of_a_pattern_is_that_of_its_token(invoke, analysed) -> None:
    """PATTERN's hits get their spelling's first reading, as 'corpus analyze' marks it,
    and are among the hits of --lemma of that reading's lemma."""
    from corpus_cli.text.morphology import unvocalized

    pattern = jsonl(invoke("kwic", "وزير", "--analysis", "--format", "jsonl", *OFF, env=analysed).stdout)
    analyzed = jsonl(invoke("analyze", "وزير", "--format", "jsonl", env=analysed).stdout)
    first = next(r for r in analyzed if r["first"] == "yes")
    expected = (unvocalized(first["lemma"]), first["root"], first["pos"])
    assert len(pattern) == 16
    assert {(r["lemma"], r["root"], r["pos"]) for r in pattern} == {expected}
    by_lemma = jsonl(
        invoke("kwic", "--lemma", expected[0], "--analysis", "--format", "jsonl", *OFF, env=analysed).stdout
    )
    assert {(r["doc"], r["start"]) for r in pattern} <= {(r["doc"], r["start"]) for r in by_lemma}


def test_analysis_of_several_tokens_and_of_none(invoke, analysed) -> None:
    def rows(*args: str) -> list[dict]:
        return jsonl(invoke("kwic", *args, "--analysis", "--format", "jsonl", *ON, env=analysed).stdout)

    phrase = rows("وزير الخارجية")
    assert len(phrase) == 15
    for row in phrase:  # each token's value, apart by a space
        lemmas, roots, tags = (row[name].split(" ") for name in ("lemma", "root", "pos"))
        assert LEMMA(lemmas[0]) == "وزير" and [ROOT(r) for r in roots] == ["وزر", "خرج"]
        assert len(lemmas) == len(tags) == 2
    punct = rows("--cql", '[pos="noun"] [kind="punct"]')
    assert punct
    for row in punct:  # a token without a reading, among several: _
        assert row["lemma"].endswith(" _") and row["root"].endswith(" _") and row["pos"] == "noun _"
    inside = jsonl(
        invoke("kwic", "--substring", "زير", "--analysis", "--format", "jsonl", *ON, env=analysed).stdout
    )
    assert inside and all((r["lemma"], r["root"], r["pos"]) == ("", "", "") for r in inside if r["start"] > 0)
    numbers = jsonl(
        invoke(
            "kwic", "--cql", '[kind="number"]', "--analysis", "--format", "jsonl", *ON, env=analysed
        ).stdout
    )
    assert numbers and {(r["lemma"], r["root"], r["pos"]) for r in numbers} == {("", "", "")}


def test_grep_analysis_in_every_format(invoke, analysed) -> None:
    args = ["grep", "--lemma", "وزير", "--analysis", "--doc", "001_b0761bee8ed67ba9", *ON]
    plain = invoke(*args, env=analysed).stdout.splitlines()
    assert plain[0].split("\t")[1:] == ["وزير", "وزر", "noun"] or plain[0].endswith("\tnoun")
    records = list(
        json.loads(line) for line in invoke(*args, "--format", "jsonl", env=analysed).stdout.splitlines()
    )
    assert all(
        set(m) == {"start", "end", "text", "lemma", "root", "pos"} for r in records for m in r["matches"]
    )
    assert {LEMMA(m["lemma"]) for r in records for m in r["matches"]} == {"وزير"}
    tsv = invoke(*args, "--format", "tsv", env=analysed).stdout.splitlines()
    assert tsv[0].split("\t") == ["doc", "line", "text", "lemma", "root", "pos"]
    many = [line.split("\t") for line in tsv[1:] if " | " in line]
    for cells in many:  # a line of several hits: theirs apart by " | "
        assert cells[5] == " | ".join(["noun"] * (cells[5].count("|") + 1))
    only = invoke(*args, "-o", "--format", "csv", env=analysed).stdout.splitlines()
    assert only[0] == "doc,line,start,end,match,lemma,root,pos"
    assert len(only) - 1 == sum(len(r["matches"]) for r in records)
    screen = invoke(*args, "--format", "table", env=analysed).stdout
    assert "/وزر/noun" in screen


# --------------------------------------------------------------------------- no silent zero


def _count(invoke, env: dict[str, str], *args: str) -> int:
    return len(jsonl(invoke("kwic", *args, "--format", "jsonl", *ON, env=env).stdout))


def test_zero_hits_say_how_many_a_lemma_or_root_has(invoke, analysed) -> None:
    lemma = _count(invoke, analysed, "--lemma", "خارجي")
    root = _count(invoke, analysed, "--root", "وزر")
    assert lemma > 0 and root > 0
    for extra in ([], ["--index", "off"]):
        kwic = invoke("kwic", "خارجي", *ON, *extra, env=analysed)
        assert kwic.exit_code == 1
        assert kwic.stderr.startswith(f"corpus: 0 hits; {lemma} with --lemma خارجي;")
        by_root = invoke("kwic", "وزر", *ON, *extra, env=analysed)
        assert f"0 hits; {root} with --root وزر;" in by_root.stderr
        grep = invoke("grep", "-w", "خارجي", *ON, *extra, env=analysed)
        assert grep.exit_code == 1
        assert f"0 hits; {lemma} with --lemma خارجي;" in grep.stderr


def test_no_hint_when_it_would_take_the_analyser(invoke, tmp_path: Path) -> None:
    """A cache without the analyses (and an index without them): nothing is analysed
    for the report, and it says nothing of lemmas."""
    env = {"CORPUS_CACHE_DIR": str(tmp_path / "empty")}
    off = invoke("kwic", "خارجي", *OFF, env=env)
    assert off.exit_code == 1
    assert "--lemma" not in off.stderr and "0 hits; 0 with --clitics" in off.stderr
    assert not list((tmp_path / "empty").glob("morphology-*"))
    built = invoke("index", "build", *ON, env=env)
    assert built.exit_code == 0
    indexed = invoke("kwic", "خارجي", *ON, env=env)
    assert indexed.exit_code == 1 and "--lemma" not in indexed.stderr


def test_zero_with_the_first_reading_says_how_many_any_reading_has(invoke, analysed) -> None:
    """A lemma no token has as its first reading, but some as another (found at test
    time, the readings' order being the analyser's)."""
    for lemma in ("زار", "زير", "زور", "كتب", "نظر"):
        first = _count(invoke, analysed, "--lemma", lemma)
        anyway = _count(invoke, analysed, "--lemma", lemma, "--readings", "any")
        if first == 0 and anyway > 0:
            break
    else:
        pytest.fail("no lemma of the seeds is only ever a later reading")
    for command in ("kwic", "grep"):
        done = invoke(command, "--lemma", lemma, *ON, env=analysed)
        assert done.exit_code == 1
        assert done.stderr == f"corpus: 0 hits; {anyway} with --readings any\n"
    cql = invoke("kwic", "--cql", f'[lemma="{lemma}"]', *ON, env=analysed)
    assert cql.stderr == f"corpus: 0 matches; {anyway} with --readings any\n"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kwic", "وزير", "--lemma", "وزير"], "PATTERN and --lemma/--root: give one of them"),
        (["kwic", "--cql", '"وزير"', "--root", "وزر"], "--cql and --lemma/--root: give one of them"),
        (["kwic", "--lemma", "وزير", "-F"], "--lemma/--root cannot be combined with -F/--fixed-strings"),
        (["grep", "--root", "وزر", "-v"], "--lemma/--root cannot be combined with -v/--invert-match"),
        (["kwic", "وزير", "--readings", "any"], "--readings any is for --lemma, --root or --cql"),
        (
            ["freq", "--attr", "root", "--readings", "any", "كتب"],
            "(a list counts each word as its first reading: --attr too)",
        ),
        (
            ["grep", "--lemma", "وزير", "--analysis", "-c"],
            "--analysis is shown beside each hit: not with -c/--count",
        ),
        (["kwic", "--lemma", "وزير", "--analysis", "--clusters", "2"], "not with --clusters"),
        (["kwic"], "missing PATTERN (or --cql CQL, --lemma LEMMA, --root ROOT)"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    done = run_corpus(*args, *OFF, env={"CORPUS_CACHE_DIR": str(tmp_path)}, text=True)
    assert done.returncode == 2
    assert message in done.stderr


def test_without_the_analyser_the_options_say_how_to_install_it(invoke, monkeypatch, tmp_path: Path) -> None:
    from corpus_cli.text import morphology

    monkeypatch.setattr(morphology, "have_analyser", lambda: False)
    env = {"CORPUS_CACHE_DIR": str(tmp_path)}
    for args in (["kwic", "--lemma", "وزير"], ["grep", "وزير", "--analysis"]):
        done = invoke(*args, *OFF, env=env)
        assert done.exit_code == 2
        assert "pip install 'corpus-cli[morph]'" in done.stderr


def test_exit_codes_in_a_pipe(analysed) -> None:
    found = run_corpus("grep", "--lemma", "وزير", "-q", *ON, env=analysed, text=True)
    assert found.returncode == 0 and found.stdout == ""
    none = run_corpus("kwic", "--root", "ققق", *ON, env=analysed, text=True)
    assert none.returncode == 1
    assert "0 hits" in none.stderr


def test_zero_with_lemma_or_root_says_why(invoke, analysed) -> None:
    lemma = _count(invoke, analysed, "--lemma", "وزير")
    root = _count(invoke, analysed, "--root", "سور")
    assert lemma > 0 and root > 0
    for command in ("kwic", "grep"):
        nothing = invoke(command, "--lemma", "وزيرة", *ON, env=analysed)
        assert nothing.exit_code == 1
        assert nothing.stderr == "corpus: 0 hits: no token has the lemma وزيرة in any of its readings\n"
        both_options = invoke(command, "--lemma", "وزير", "--root", "سور", *ON, env=analysed)
        assert both_options.exit_code == 1
        assert (
            both_options.stderr
            == f"corpus: 0 hits; {lemma} with --lemma وزير alone; {root} with --root سور alone\n"
        )


RECORDS = [
    {"text": "قال وزير الخارجية إن سوريا بحاجة\nوزير الخارجية", "source": "okaz"},
    {"text": "سوريا والعراق. قال وزير الداخلية", "source": "sabq"},
    {"text": "قال الأمير إن وزير الخارجية سيزور سوريا", "source": "okaz"},
]


def test_records_place_their_hits_in_the_layer(invoke, analysed, tmp_path: Path) -> None:
    """Hits on the second line of a record, in records chosen by --where: the values of
    the token at the hit, with the index and without."""
    news = tmp_path / "news.jsonl"
    news.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    corpus = ["--corpus", str(news)]
    built = invoke("index", "build", "--morph", *corpus, env=analysed)
    assert built.exit_code == 0, built.stderr
    outputs = []
    for extra in ([], ["--index", "off"]):
        grep = invoke("grep", "وزير", "--analysis", *corpus, *extra, env=analysed)
        kwic = invoke(
            "kwic", "--root", "وزر", "--analysis", "--format", "jsonl", *corpus, *extra, env=analysed
        )
        outputs.append((grep.stdout, kwic.stdout))
    assert outputs[0] == outputs[1]
    grep_out, kwic_out = outputs[0]
    assert [line.split("\t")[0] for line in grep_out.splitlines()] == [
        "news:1:1:قال وزير الخارجية إن سوريا بحاجة",
        "news:1:2:وزير الخارجية",
        "news:2:1:سوريا والعراق. قال وزير الداخلية",
        "news:3:1:قال الأمير إن وزير الخارجية سيزور سوريا",
    ]
    rows = jsonl(kwic_out)
    assert [(r["doc"], r["line"], r["start"]) for r in rows] == [
        ("news:1", 1, 4),
        ("news:1", 2, 33),
        ("news:2", 1, 19),
        ("news:3", 1, 14),
    ]
    assert {(LEMMA(r["lemma"]), ROOT(r["root"]), r["pos"]) for r in rows} == {("وزير", "وزر", "noun")}
    assert len({line.split("\t", 1)[1] for line in grep_out.splitlines()}) == 1


def test_attributes_of_an_earlier_version_are_made_again(
    invoke, analysed, monkeypatch, tmp_path: Path
) -> None:
    """An index analysed by an earlier version (another ranking, here) is analysed again
    when a command first asks for its lemmas, with a note, and then gives what a new
    index gives; ``index status`` says which it has."""
    import shutil

    from corpus_cli.index import morphology as index_morphology

    cache = tmp_path / "cache"
    shutil.copytree(analysed["CORPUS_CACHE_DIR"], cache)
    env = {**analysed, "CORPUS_CACHE_DIR": str(cache)}
    expected = invoke("freq", "--attr", "lemma", "--top", "20", *ON, env=env)
    assert "earlier version" not in expected.stderr
    assert "morphology: lemma, root, pos, lempos\n" in invoke("index", "status", *ON, env=env).stdout
    with monkeypatch.context() as older:
        older.setattr(index_morphology, "ranking", lambda: "v0 margin 8.0 smoothing 2.0")
        assert invoke("index", "morph", *ON, env=env).exit_code == 0  # made "by v0"
    status = invoke("index", "status", *ON, env=env).stdout
    assert "made by an earlier version" in status
    again = invoke("freq", "--attr", "lemma", "--top", "20", *ON, env=env)
    assert (again.exit_code, again.stdout) == (0, expected.stdout)
    assert "made by an earlier version: analysing again" in again.stderr
    assert "morphology: lemma, root, pos, lempos\n" in invoke("index", "status", *ON, env=env).stdout
    assert "earlier version" not in invoke("kwic", "--lemma", "وزير", *ON, env=env).stderr


def test_an_attribute_new_to_this_version_is_made_when_asked_for(
    invoke, analysed, monkeypatch, tmp_path: Path
) -> None:
    """An index analysed before lempos existed has lemma, root and pos but no lempos: it is
    analysed again when a command asks for lempos, not refused."""
    import shutil

    from corpus_cli.index import morphology as index_morphology

    cache = tmp_path / "cache"
    shutil.copytree(analysed["CORPUS_CACHE_DIR"], cache)
    env = {**analysed, "CORPUS_CACHE_DIR": str(cache)}
    expected = invoke("freq", "--attr", "lempos", "--top", "20", *ON, env=env)
    assert expected.exit_code == 0 and "earlier version" not in expected.stderr
    with monkeypatch.context() as older:
        older.setattr(index_morphology, "MORPHOLOGY", ("lemma", "root", "pos"))
        older.setattr(index_morphology, "ranking", lambda: "v0 margin 8.0 smoothing 2.0")
        assert invoke("index", "morph", *ON, env=env).exit_code == 0  # three attributes, "by v0"
    for path in cache.glob("*-attribute-lempos"):
        path.unlink()
    again = invoke("freq", "--attr", "lempos", "--top", "20", *ON, env=env)
    assert (again.exit_code, again.stdout) == (0, expected.stdout)
    assert "made by an earlier version: analysing again" in again.stderr


def test_a_part_of_speech_this_tool_does_not_have_is_named_with_those_it_has(invoke, analysed) -> None:
    result = invoke("query", '[pos="ADJ"]', *ON, env=analysed)
    assert result.exit_code == 1
    assert '[pos="ADJ"] (pos is one of noun, verb, function)' in result.stderr


def test_a_few_hits_say_how_many_any_reading_has(invoke, analysed, monkeypatch) -> None:
    """No silent few: --lemma بان finds 1 token whose first reading has it, and 9 of which
    one reading has (the threshold lowered from 10 times to 5 here); the output is the
    same, and a lemma with many hits says nothing."""
    from corpus_cli.cli import cql

    monkeypatch.setattr(cql, "MANY_TIMES", 5)
    for command in (["kwic"], ["grep", "-c"]):
        result = invoke(*command, "--lemma", "بان", *ON, env=analysed)
        assert result.exit_code == 0
        assert result.stderr == "corpus: 1 hit; 9 with --readings any\n", command
    many = invoke("kwic", "--lemma", "وزير", *ON, env=analysed)
    assert many.exit_code == 0 and many.stderr == ""
    monkeypatch.setattr(cql, "MANY_TIMES", 10)
    assert invoke("kwic", "--lemma", "بان", *ON, env=analysed).stderr == ""
