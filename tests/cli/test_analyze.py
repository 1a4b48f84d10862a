"""``corpus analyze`` and ``corpus index build --morph`` with the CQL attributes lemma,
root and pos (they skip without the extra corpus-cli[morph])."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_cli.index import morphology
from tests.conftest import run_corpus

A = "كتب الطالب الدرس في المدرسة. والكتابة مهمة 2024 hello.\n"
B = "يكتبون الكتب في البيت، وكتب الوزير رسالة.\n"


def test_analyze_without_the_extra_says_how_to_install_it(invoke, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(morphology, "have_analyser", lambda: False)
    result = invoke("analyze", "كتب")
    assert result.exit_code == 2
    assert "pip install 'corpus-cli[morph]'" in result.stderr


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A two-document corpus indexed with --morph, and the environment of its cache."""
    pytest.importorskip("farahidi", reason="the extra corpus-cli[morph] is not installed")
    root = tmp_path_factory.mktemp("morph")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(A, encoding="utf-8")
    (corpus / "b.txt").write_text(B, encoding="utf-8")
    env = {"CORPUS_CACHE_DIR": str(root / "cache"), "NO_COLOR": "1"}
    built = run_corpus("index", "build", "-C", str(corpus), "--morph", env=env, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert "analysed 13 Arabic word forms of 17 spellings" in built.stderr
    return corpus, env


def _query(analysed: tuple[Path, dict[str, str]], cql: str) -> list[str]:
    corpus, env = analysed
    done = run_corpus("query", "-C", str(corpus), cql, "--format", "jsonl", env=env, text=True)
    assert done.returncode in (0, 1), done.stderr
    return [json.loads(line)["match"] for line in done.stdout.splitlines()]


def test_analyze_prints_every_reading_first_marked(analysed):
    corpus, env = analysed
    done = run_corpus(
        "analyze", "-C", str(corpus), "والكتابة", "hello", "--format", "jsonl", env=env, text=True
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    ours = [r for r in rows if r["word"] == "والكتابة"]
    assert [r["reading"] for r in ours] == list(range(1, len(ours) + 1))
    assert [r["first"] for r in ours] == ["yes"] + ["no"] * (len(ours) - 1)
    assert {r["ranked_by"] for r in ours} == {"corpus"}
    assert sorted(r["analyser_rank"] for r in ours) == list(range(1, len(ours) + 1))
    assert (ours[0]["lemma"], ours[0]["root"], ours[0]["pos"]) == ("كِتَاب", "كتب", "noun")
    assert [r for r in rows if r["word"] == "hello"] == [
        {
            "word": "hello",
            "reading": 0,
            "first": "",
            "lemma": "",
            "root": "",
            "pos": "",
            "tag": "",
            "pattern": "",
            "stem": "",
            "ranked_by": "",
            "analyser_rank": "",
        }
    ]
    tsv = run_corpus("analyze", "-C", str(corpus), "في", env=env, text=True).stdout.splitlines()
    assert tsv[0].split("\t") == [
        "word",
        "reading",
        "first",
        "lemma",
        "root",
        "pos",
        "tag",
        "pattern",
        "stem",
        "ranked_by",
        "analyser_rank",
    ]
    assert tsv[1].split("\t")[:6] == ["في", "1", "yes", "فِي", "", "function"]
    assert tsv[1].split("\t")[-2:] == ["corpus", "1"]


def test_root_written_three_ways(analysed):
    expected = ["كتب", "والكتابة", "يكتبون", "الكتب", "وكتب"]
    assert _query(analysed, '[root="كتب"]') == expected
    assert _query(analysed, '[root="ك ت ب"]') == expected
    assert _query(analysed, '[root="ك-ت-ب"]') == expected


def test_lemma_unvocalized_or_vocalized_and_pos(analysed):
    assert _query(analysed, '[lemma="كتاب"]') == ["كتب", "والكتابة", "الكتب", "وكتب"]
    assert _query(analysed, '[lemma="كِتَاب"]') == ["كتب", "والكتابة", "الكتب", "وكتب"]
    assert _query(analysed, '[lemma="كتب"]') == ["يكتبون"]
    assert _query(analysed, '[pos="VERB"] [pos="noun"]') == ["يكتبون الكتب"]
    assert _query(analysed, '[root="كتب" & pos="verb"]') == ["يكتبون"]
    assert _query(analysed, '[lemma="ك.*" & pos!="verb"]') == ["كتب", "والكتابة", "الكتب", "وكتب"]
    assert _query(analysed, '[lemma="ك.*" & pos!="noun"]') == ["يكتبون"]


def test_lempos_is_the_lemma_with_its_part_of_speech(analysed):
    """``lempos`` (Sketch Engine's): a noun and a verb of the same root apart, as
    ``[lemma & pos]`` finds them; its initial in any case, its lemma vocalized or not."""
    assert _query(analysed, '[lempos="كتاب-n"]') == _query(analysed, '[lemma="كتاب" & pos="noun"]')
    assert _query(analysed, '[lempos="كتاب-n"]') == ["كتب", "والكتابة", "الكتب", "وكتب"]
    assert _query(analysed, '[lempos="كِتَاب-N"]') == ["كتب", "والكتابة", "الكتب", "وكتب"]
    assert _query(analysed, '[lempos="كتب-v"]') == ["يكتبون"]
    assert _query(analysed, '[lempos="كتب-n"]') == []
    assert _query(analysed, '[lempos=".*-v"]') == _query(analysed, '[pos="verb"]')
    corpus, env = analysed
    done = run_corpus("freq", "-C", str(corpus), "--attr", "lempos", "--format", "tsv", env=env, text=True)
    assert done.returncode == 0, done.stderr
    terms = {line.split("\t")[1]: int(line.split("\t")[3]) for line in done.stdout.splitlines()[1:]}
    assert terms["كتاب-n"] == 4 and terms["كتب-v"] == 1


def test_a_rebuilt_layer_does_not_use_stale_attributes(analysed, tmp_path: Path):
    _, env = analysed
    copy = tmp_path / "corpus"
    copy.mkdir()
    (copy / "a.txt").write_text(A, encoding="utf-8")
    cache_env = {**env, "CORPUS_CACHE_DIR": str(tmp_path / "cache")}
    assert run_corpus("index", "build", "-C", str(copy), "--morph", env=cache_env).returncode == 0
    (copy / "b.txt").write_text(B, encoding="utf-8")
    assert run_corpus("index", "build", "-C", str(copy), env=cache_env).returncode == 0
    done = run_corpus("query", "-C", str(copy), '[root="كتب"]', "--index", "auto", env=cache_env, text=True)
    assert done.returncode == 2
    assert "this corpus's index has no root: analyse it with 'corpus index morph'" in done.stderr


def test_without_an_index_the_layer_in_memory_is_analysed(analysed):
    """The same matches from the index's attributes and from a layer built and analysed in
    memory (from the cache the index's analysis filled)."""
    queries = ['[root="كتب"]', '[lemma="كتاب"]', '[pos="verb"]', '[lemma="ك.*" & pos!="noun"]']
    corpus, env = analysed
    for cql in queries:
        both = [
            run_corpus(
                "query", "-C", str(corpus), cql, "--format", "jsonl", "--index", index, env=env, text=True
            )
            for index in ("auto", "off")
        ]
        assert both[0].returncode == 0, both[0].stderr
        assert both[0].stdout == both[1].stdout, cql


def test_readings_any_on_the_command_line(analysed):
    corpus, env = analysed
    first = _query(analysed, '[pos="verb"]')
    done = run_corpus(
        "query",
        "-C",
        str(corpus),
        '[pos="verb"]',
        "--readings",
        "any",
        "--format",
        "jsonl",
        env=env,
        text=True,
    )
    every = [json.loads(line)["match"] for line in done.stdout.splitlines()]
    assert first == ["يكتبون"]
    assert set(first) < set(every)
    assert {"كتب", "وكتب", "في"} <= set(every)


def _layer(analysed):
    from corpus_cli.store.layer import TokenLayer

    _, env = analysed
    (path,) = Path(env["CORPUS_CACHE_DIR"]).glob("*.corpus-index-tokens")
    layer = TokenLayer.open(path)
    assert layer is not None
    return layer


def _spellings(layer, mask) -> list[str]:
    return [layer.form(number) for number in range(layer.lexicon_size) if mask[number]]


def test_readings_any_matches_a_token_by_any_of_its_readings(analysed):
    from corpus_cli.query.cql.attributes import value_mask
    from corpus_cli.query.cql.syntax import Value
    from corpus_cli.text.normalize import Level, Normalizer

    layer = _layer(analysed)
    normalizer = Normalizer.for_level(Level.standard)
    first = value_mask(layer, normalizer, "pos", 0, Value("verb"))
    every = value_mask(layer, normalizer, "pos", 0, Value("verb"), any_reading=True)
    assert _spellings(layer, first) == ["يكتبون"]
    # كتب is first a noun (كُتُب) but can be the verb كَتَبَ; في can be the verb وَفَى
    assert {"كتب", "وكتب", "في", "يكتبون"} <= set(_spellings(layer, every))
    assert not set(_spellings(layer, every)) & {"2024", "hello", ".", "،"}
    # a spelling without a reading has the value "" either way
    empty = value_mask(layer, normalizer, "lemma", 0, Value(""), any_reading=True)
    assert set(_spellings(layer, empty)) == {"2024", "hello", ".", "،"}
    assert (value_mask(layer, normalizer, "lemma", 0, Value("")) == empty).all()


def test_the_api_of_lemma_and_root_options(analysed):
    import numpy as np

    from corpus_cli.query.morphology import selected_spellings, values_of
    from corpus_cli.text.normalize import Level, Normalizer

    layer = _layer(analysed)
    normalizer = Normalizer.for_level(Level.standard)
    roots = selected_spellings(layer, normalizer, "root", "ك ت ب")
    assert sorted(layer.form(n) for n in roots) == sorted(["كتب", "والكتابة", "يكتبون", "الكتب", "وكتب"])
    assert len(layer.positions(roots)) == 5
    lemmas = values_of(layer, normalizer, "lemma")
    counts = np.bincount(lemmas.of_form[layer.numpy("tok")], minlength=len(lemmas.values))
    by_lemma = {lemmas.values[i]: int(c) for i, c in enumerate(counts) if c}
    assert by_lemma["كتاب"] == 4
    assert by_lemma[""] == 6  # 2024, hello, three full stops, a comma
    assert lemmas.values[-1] == ""


def test_index_morph_analyses_an_index_without_rebuilding_it(analysed, tmp_path: Path):
    _, env = analysed
    copy = tmp_path / "corpus"
    copy.mkdir()
    (copy / "b.txt").write_text(B, encoding="utf-8")
    cache_env = {**env, "CORPUS_CACHE_DIR": str(tmp_path / "cache")}
    missing = run_corpus("index", "morph", "-C", str(copy), env=cache_env, text=True)
    assert missing.returncode == 2
    assert "no index for this corpus" in missing.stderr
    assert run_corpus("index", "build", "-C", str(copy), env=cache_env).returncode == 0
    (index,) = (tmp_path / "cache").glob("*.corpus-index")
    before = index.stat().st_mtime_ns
    done = run_corpus("index", "morph", "-C", str(copy), env=cache_env, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "analysed 7 Arabic word forms of 9 spellings" in done.stderr
    assert index.stat().st_mtime_ns == before
    found = run_corpus(
        "query", "-C", str(copy), '[root="كتب"]', "--format", "jsonl", env=cache_env, text=True
    )
    assert [json.loads(line)["match"] for line in found.stdout.splitlines()] == ["يكتبون", "الكتب", "وكتب"]


def test_count_by_lemma_root_and_pos(analysed):
    """``query --count --count-by lemma`` joins the matched tokens' lemmas (unvocalized),
    from the index and from a layer analysed in memory alike."""
    corpus, env = analysed
    for index in ("auto", "off"):
        done = run_corpus(
            "query", "-C", str(corpus), '[root="كتب"]', "--count", "--count-by", "lemma",
            "--index", index, env=env, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == ["sequence\tcount\tdocs", "كتاب\t4\t2", "كتب\t1\t1"]
        pos = run_corpus(
            "query", "-C", str(corpus), '[root="كتب"] []', "--count", "--count-by", "pos",
            "--index", index, env=env, text=True,
        )  # fmt: skip
        assert "noun noun\t" in pos.stdout and "verb noun\t1\t1" in pos.stdout


def test_index_morph_on_an_index_already_analysed_does_nothing(analysed):
    """A second ``index morph`` finds the attributes made for this build of the index by
    this analyser, ranking and values: it says so and leaves them as they are."""
    corpus, env = analysed
    attributes = sorted(Path(env["CORPUS_CACHE_DIR"]).glob("*-attribute-*"))
    assert len(attributes) == 4  # lemma, root, pos, lempos
    before = [path.stat().st_mtime_ns for path in attributes]
    done = run_corpus("index", "morph", "-C", str(corpus), env=env, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "already analysed: 13 Arabic word forms of 17 spellings (lemma, root, pos)" in done.stderr
    assert [path.stat().st_mtime_ns for path in attributes] == before
    assert _query(analysed, '[root="كتب"]') == ["كتب", "والكتابة", "يكتبون", "الكتب", "وكتب"]
