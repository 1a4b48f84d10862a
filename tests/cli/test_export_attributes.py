"""``corpus export --attributes lemma,root,pos``: the VRT's columns after the five, each
token's first reading written as ``corpus query`` compares it; the same file from an index
built with ``--morph`` and from a layer built in memory (analysed from the cache); and the
errors (no analyser, an index without the morphology, an unknown column).  CQP's answers on
those columns are in ``tests/cql/test_cqp_morphology.py``."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from corpus_cli.index.read import Index
from corpus_cli.output.vrt import escape
from corpus_cli.query.cql.attributes import morphology_normalizer
from corpus_cli.store.layer import NO_KEY, TokenLayer
from corpus_cli.text import morphology as text_morphology
from corpus_cli.text.normalize import Level, Normalizer
from corpus_cli.text.tokenize import tokenize
from tests.conftest import SEEDS, run_corpus

NEEDS_FARAHIDI = "the extra corpus-cli[morph] is not installed"


def _token_rows(vrt: str) -> list[list[str]]:
    return [line.split("\t") for line in vrt.splitlines() if not line.startswith("<")]


def test_an_unknown_column_is_refused(invoke) -> None:
    for given, message in (
        (
            "lemma,stem",
            "no column stem (choose from lemma, root, pos, lempos, lemma_set, root_set, pos_set, lempos_set)",
        ),
        ("pos,pos", "a column is named twice"),
        (",", "no column named"),
    ):
        result = invoke("export", "--attributes", given)
        assert result.exit_code == 2
        assert message in result.stderr
        assert result.stdout == ""


def test_without_the_analyser_it_says_how_to_install_it(invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("numpy")
    monkeypatch.setattr(text_morphology, "have_analyser", lambda: False)
    result = invoke("export", "--attributes", "lemma", "--index", "off")
    assert result.exit_code == 2
    assert "pip install 'corpus-cli[morph]'" in result.stderr
    assert result.stdout == ""


def test_an_index_without_the_morphology_says_how_to_add_it(invoke, tmp_path: Path) -> None:
    pytest.importorskip("farahidi", reason=NEEDS_FARAHIDI)
    env = {"CORPUS_CACHE_DIR": str(tmp_path)}
    assert invoke("index", "build", "-C", str(SEEDS), env=env).exit_code == 0
    result = invoke("export", "-C", str(SEEDS), "--attributes", "root", env=env)
    assert result.exit_code == 2
    assert "index build --morph" in result.stderr


@pytest.fixture(scope="module")
def seeds_analysed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str, str]:
    """The seeds exported with their morphology without an index (a layer built in
    memory, analysed into the cache), then from an index built with ``--morph``; the
    environment and both files."""
    pytest.importorskip("farahidi", reason=NEEDS_FARAHIDI)
    pytest.importorskip("numpy")
    env = {"CORPUS_CACHE_DIR": str(tmp_path_factory.mktemp("export-morph"))}
    seeds = ("-C", str(SEEDS))
    memory = run_corpus(*seeds, "export", "--attributes", "lemma,root,pos", env=env, text=True, timeout=600)
    assert memory.returncode == 0, memory.stderr
    assert not list(Path(env["CORPUS_CACHE_DIR"]).glob("*.corpus-index"))
    built = run_corpus(*seeds, "index", "build", "--morph", env=env, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    indexed = run_corpus(*seeds, "export", "--attributes", "lemma,root,pos", env=env, text=True)
    assert indexed.returncode == 0, indexed.stderr
    return env, memory.stdout, indexed.stdout


def _index_layer(env: dict[str, str]) -> TokenLayer:
    (path,) = Path(env["CORPUS_CACHE_DIR"]).glob("*.corpus-index")
    layer = Index(path).layer()
    assert layer is not None
    return layer


def test_the_columns_are_the_first_reading_as_compared(seeds_analysed) -> None:
    """Each token's values: its spelling's first reading as the index's layer keeps it
    (``TokenLayer.attribute``), at the comparison of ``morphology_normalizer``."""
    env, vrt, _ = seeds_analysed
    rows = _token_rows(vrt)
    assert {len(row) for row in rows} == {8}
    normalizer = Normalizer.for_level(Level.standard)
    layer = _index_layer(env)
    expected = []
    for row in rows:
        (spelling, *_) = layer.find_form(html.unescape(row[0]))
        values = []
        for name in ("lemma", "root", "pos"):
            saved = layer.attribute(name)
            assert saved is not None
            first = saved.first[spelling]
            values.append(
                "" if first == NO_KEY else morphology_normalizer(normalizer, name)(saved.values[first])
            )
        expected.append(values)
    assert [row[5:] for row in rows] == expected
    by_word = {row[0]: row[5:] for row in rows}
    assert by_word["الخارجية"] == ["خارجي", "خرج", "noun"]
    assert by_word["الأطراف"] == ["طرف", "طرف", "noun"]  # a broken plural: its singular
    assert by_word["2020"] == ["", "", ""]  # a number is not analysed
    assert by_word["."] == ["", "", ""]
    assert sum(row[7] == "verb" for row in rows) > 100


def test_the_first_five_columns_are_the_plain_export(invoke, seeds_analysed) -> None:
    _, vrt, _ = seeds_analysed
    plain = invoke("export", "--index", "off").stdout
    assert (
        "\n".join(
            line if line.startswith("<") else "\t".join(line.split("\t")[:5]) for line in vrt.splitlines()
        )
        + "\n"
        == plain
    )
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    assert [row[0] for row in _token_rows(vrt)] == [
        escape(t.text) for text in texts.values() for t in tokenize(text)
    ]


def test_from_the_index_and_from_memory_the_same_file(seeds_analysed) -> None:
    env, memory, indexed = seeds_analysed
    assert memory == indexed
    chosen = run_corpus(
        "export", "-C", str(SEEDS), "--attributes", "pos,lemma", "--doc", "002", env=env, text=True
    )
    assert chosen.returncode == 0, chosen.stderr
    rows = _token_rows(chosen.stdout)
    full = {row[0]: row for row in _token_rows(memory)}
    assert rows and all(row[5:] == [full[row[0]][7], full[row[0]][5]] for row in rows)


def test_the_feature_sets_hold_every_reading_first_first(seeds_analysed) -> None:
    env, memory, _ = seeds_analysed
    done = run_corpus(
        "export", "-C", str(SEEDS), "--attributes", "lemma_set,root_set,pos_set", env=env, text=True
    )
    assert done.returncode == 0, done.stderr
    rows, first = _token_rows(done.stdout), _token_rows(memory)
    assert len(rows) == len(first)
    for row, plain in zip(rows, first, strict=True):
        for members, value in zip(row[5:], plain[5:], strict=True):
            assert members.startswith("|") and members.endswith("|")
            listed = members.strip("|").split("|") if members != "|" else []
            assert len(set(listed)) == len(listed) and "" not in listed
            if value:  # the first reading's value first; a first reading without one
                assert listed[0] == value  # (في has no root) leaves the others' values
    ambiguous = [row for row in rows if row[7].count("|") > 2]
    assert len(ambiguous) > len(rows) // 4  # ambiguity is kept, not hidden


def test_a_selection_without_an_index_ranks_readings_as_the_index_does(seeds_analysed) -> None:
    """Without an index, ``--doc`` builds a layer of the chosen documents only; their
    readings are still ranked by the whole corpus's counts, as the index ranks them."""
    env, _, _ = seeds_analysed
    export = ("export", "-C", str(SEEDS), "--attributes", "lemma,root,pos")
    chosen = [
        run_corpus(*export, "--doc", doc, "--index", index, env=env, text=True)
        for doc in ("002", "004")
        for index in ("auto", "off")
    ]
    for done in chosen:
        assert done.returncode == 0, done.stderr
    assert chosen[0].stdout == chosen[1].stdout and chosen[2].stdout == chosen[3].stdout
    assert chosen[0].stdout != chosen[2].stdout
