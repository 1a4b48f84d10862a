"""``corpus analyze`` marks first the reading the corpus's tokens carry: the order its index
keeps (read back from the attributes lemma, root and pos, no ranking of the corpus again),
or without an index the order of a layer analysed in memory; the first reading's lemma is
the one ``corpus query --count-by lemma`` counts for the word, also where the corpus's
ranking moves another reading before the analyser's first.  The analyser's order for a
word the corpus does not hold, said in ``ranked_by``.  They skip without the extra
corpus-cli[morph] (farahidi), except the test of the orders alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus_cli.cli.commands.analyze import stored_order
from corpus_cli.index import morphology, reading_ranking
from corpus_cli.text.morphology import Reading, unvocalized
from tests.conftest import SEEDS, Invoke, jsonl, run_corpus

pytest.importorskip("numpy")

ON = ["--corpus", str(SEEDS)]

#: كبير three times as the adjective: the corpus's ranking puts كَبِير before the noun
#: كَبِيرَة, the analyser's first reading of كبيرة (``rank_readings``: the masculine).
WITH_THE_MASCULINE = "بيت كبير وقصر كبير ومدينة كبيرة.\nعمل كبير في مدينة كبيرة.\n"
#: كبيرة without كبير: the analyser's first reading stays first.
WITHOUT_IT = "مدينة كبيرة وبيت جميل.\n"


@pytest.fixture(scope="module")
def seeds_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the seeds' index built with --morph, and so the analyses of every
    form of the seeds, and those of the small corpora's words (the tests load no analyser)."""
    pytest.importorskip("farahidi", reason="the extra corpus-cli[morph] is not installed")
    cache = tmp_path_factory.mktemp("analyze-ranking") / "cache"
    built = run_corpus(
        "index", "build", *ON, "--morph", env={"CORPUS_CACHE_DIR": str(cache)}, text=True, timeout=600
    )
    assert built.returncode == 0, built.stderr
    from corpus_cli.text.tokenize import words

    theirs = sorted({*words(WITH_THE_MASCULINE), *words(WITHOUT_IT), "كتابة"})
    analysed = run_corpus("analyze", *theirs, env={"CORPUS_CACHE_DIR": str(cache)}, text=True, timeout=600)
    assert analysed.returncode == 0, analysed.stderr
    return cache


def _env(cache: Path) -> dict[str, str | None]:
    return {"CORPUS_CACHE_DIR": str(cache)}


def _private(cache: Path, tmp_path: Path) -> Path:
    """A copy of ``cache`` that a test may change."""
    copy = tmp_path / "cache"
    shutil.copytree(cache, copy)
    return copy


def _analyses(cache: Path, forms: list[str]) -> dict[str, list[Reading]]:
    """The readings of ``forms`` as the cache of analyses at ``cache`` keeps them."""
    store = morphology.Cache(cache / morphology.cache_path().name)
    try:
        return morphology.analyse(forms, cache=store)
    finally:
        store.close()


def _seeds_layer():
    from corpus_cli.store.layer import build_layer
    from corpus_cli.text.normalize import Normalizer

    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    return build_layer(texts, Normalizer.for_level("standard"))


def _seeds_ranked(cache: Path) -> tuple[dict[str, list[Reading]], dict[str, list[Reading]]]:
    """The readings of the seeds' forms in the analyser's order, and as their tokens'
    counts rank them (``rank_readings``)."""
    layer = _seeds_layer()
    every = _analyses(cache, layer.forms())
    return every, reading_ranking.rank_readings(every, morphology.layer_counts(layer))


def _analyze(invoke: Invoke, cache: Path, *args: str) -> tuple[list[dict], str]:
    done = invoke("analyze", *args, "--format", "jsonl", env=_env(cache))
    assert done.exit_code == 0, done.stderr
    return jsonl(done.stdout), done.stderr


def _carried(invoke: Invoke, cache: Path, *where: str) -> dict[str, tuple[str, str, str]]:
    """The lemma, root and pos every token of the corpus carries (``kwic --analysis`` of
    every token), by spelling, for the spellings that have a reading (and that are the
    token's: a hit leaves out a tatweel that ends its token, as in لـ)."""
    spellings = set(_seeds_layer().forms())
    done = invoke("kwic", "--cql", "[]", "--analysis", "--format", "jsonl", *where, env=_env(cache))
    assert done.exit_code == 0, done.stderr
    carried: dict[str, set[tuple[str, str, str]]] = {}
    for hit in jsonl(done.stdout):
        if hit["pos"] and hit["match"] in spellings:
            carried.setdefault(hit["match"], set()).add((hit["lemma"], hit["root"], hit["pos"]))
    assert all(len(values) == 1 for values in carried.values())
    return {spelling: next(iter(values)) for spelling, values in carried.items()}


def _firsts(rows: list[dict]) -> dict[str, tuple[str, str, str]]:
    """The first reading's lemma (unvocalized), root and pos of each word analysed."""
    return {
        row["word"]: (unvocalized(row["lemma"]), row["root"], row["pos"])
        for row in rows
        if row["first"] == "yes"
    }


def _counted_lemmas(invoke: Invoke, cache: Path, word: str, *args: str) -> list[str]:
    """The lemmas ``corpus query '[word="WORD"]' --count-by lemma`` counts."""
    done = invoke("query", f'[word="{word}"]', "--count", "--count-by", "lemma", *args, env=_env(cache))
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "sequence\tcount\tdocs"
    return [line.split("\t")[0] for line in lines[1:]]


def test_the_first_mark_is_what_every_token_of_the_seeds_carries(invoke: Invoke, seeds_cache: Path):
    """The seeds named and analysed in memory: the first reading of every word of the
    seeds has the lemma, root and pos its tokens carry in kwic --analysis."""
    carried = _carried(invoke, seeds_cache, *ON, "--index", "off")
    assert len(carried) > 1000
    rows, notes = _analyze(invoke, seeds_cache, *sorted(carried), *ON, "--index", "off")
    assert notes == ""
    assert {row["ranked_by"] for row in rows} == {"corpus"}
    assert _firsts(rows) == carried
    joined: set[str] = set()
    for word in carried:
        ours = [row for row in rows if row["word"] == word]
        assert [row["reading"] for row in ours] == list(range(1, len(ours) + 1))
        assert [row["first"] for row in ours] == ["yes"] + ["no"] * (len(ours) - 1)
        # the analyser's readings, then (without a rank) those of the spellings with a
        # hamza that a hamza-less word may stand for (ان: أن, إن)
        ranks = [row["analyser_rank"] for row in ours]
        analysers = sorted(rank for rank in ranks if rank != "")
        assert analysers == list(range(1, len(analysers) + 1))
        joined.update(row["word"] for row in ours if row["analyser_rank"] == "")
    assert "ان" in joined


def test_an_analysed_index_gives_its_order_without_ranking_again(
    invoke: Invoke, seeds_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    """With the seeds' index, the same rows as from a layer analysed in memory
    (--index off), read from the index's attributes: the corpus is not ranked again."""
    carried = _carried(invoke, seeds_cache, *ON)
    words = [*sorted(carried), "hello", "كتابة"]
    off, off_notes = _analyze(invoke, seeds_cache, *words, *ON, "--index", "off")

    def no_ranking(*args: object, **kwargs: object) -> None:
        raise AssertionError("the corpus was ranked again")

    monkeypatch.setattr(reading_ranking, "rank_readings", no_ranking)
    monkeypatch.setattr(morphology, "rank_readings", no_ranking)
    indexed, notes = _analyze(invoke, seeds_cache, *words, *ON)
    assert indexed == off
    assert (
        notes
        == off_notes
        == "corpus: not in this corpus as spelled: كتابة: readings in the analyser's order\n"
    )
    assert {word: first for word, first in _firsts(indexed).items() if word in carried} == carried
    assert [row["reading"] for row in indexed if row["word"] == "hello"] == [0]


@pytest.mark.parametrize(
    ("text", "first"), [(WITH_THE_MASCULINE, "كَبِير"), (WITHOUT_IT, "كَبِيرَة")], ids=["moved", "kept"]
)
@pytest.mark.parametrize("index", ["auto", "off"])
def test_the_same_word_in_two_corpora(
    invoke: Invoke, seeds_cache: Path, tmp_path: Path, text: str, first: str, index: str
):
    """كبيرة is first the adjective كبير where the corpus writes كبير as one, and the noun
    كبيرة elsewhere: each time the lemma query counts, from an index and without."""
    cache = _private(seeds_cache, tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    where = ["--corpus", str(corpus), "--index", index]
    built = run_corpus("index", "build", "--corpus", str(corpus), "--morph", env=_env(cache), text=True)
    assert built.returncode == 0, built.stderr
    rows, notes = _analyze(invoke, cache, "كبيرة", "كتابة", *where)
    ours = [row for row in rows if row["word"] == "كبيرة"]
    assert (ours[0]["lemma"], ours[0]["first"], ours[0]["ranked_by"]) == (first, "yes", "corpus")
    analysers_first = next(row for row in ours if row["analyser_rank"] == 1)
    assert analysers_first["lemma"] == "كَبِيرَة"
    assert _counted_lemmas(invoke, cache, "كبيرة", *where) == [unvocalized(first)]
    # a word the corpus does not hold: the analyser's order, and a note that says so
    absent = [row for row in rows if row["word"] == "كتابة"]
    assert absent and all(row["ranked_by"] == "analyser" for row in absent)
    assert [row["analyser_rank"] for row in absent] == [row["reading"] for row in absent]
    assert notes == "corpus: not in this corpus as spelled: كتابة: readings in the analyser's order\n"


def _tiny(tmp_path: Path, seeds_cache: Path, *build: str) -> tuple[Path, list[str]]:
    """WITH_THE_MASCULINE indexed (``build``: options of ``index build``) into a private
    cache; the cache and the options that name the corpus."""
    cache = _private(seeds_cache, tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(WITH_THE_MASCULINE, encoding="utf-8")
    done = run_corpus("index", "build", "--corpus", str(corpus), *build, env=_env(cache), text=True)
    assert done.returncode == 0, done.stderr
    return cache, ["--corpus", str(corpus)]


def test_an_index_not_analysed_shows_the_analysers_order(invoke: Invoke, seeds_cache: Path, tmp_path: Path):
    cache, where = _tiny(tmp_path, seeds_cache)
    rows, notes = _analyze(invoke, cache, "كبيرة", *where)
    assert [row["analyser_rank"] for row in rows] == [row["reading"] for row in rows]
    assert {row["ranked_by"] for row in rows} == {"analyser"}
    assert rows[0]["lemma"] == "كَبِيرَة"
    assert notes == (
        "corpus: this corpus's index is not analysed, so its tokens carry no reading: the readings "
        "are in the analyser's order (analyse it with 'corpus index morph')\n"
    )


def test_attributes_made_from_other_readings(invoke: Invoke, seeds_cache: Path, tmp_path: Path):
    """The cache's readings of a word changed since the index was analysed: the reading
    with the values its tokens carry goes first, and a note says so; when none has them,
    the analyser's order."""
    cache, where = _tiny(tmp_path, seeds_cache, "--morph")
    (before,) = _analyses(cache, ["كبيرة"]).values()
    assert [unvocalized(r.lemma) for r in before] == ["كبيرة", "كبير", "بيرة"]
    store = morphology.Cache(cache / morphology.cache_path().name)
    try:
        store.put({"كبيرة": before[:2]})  # بيرة gone: no order of these has the index's values
        rows, notes = _analyze(invoke, cache, "كبيرة", *where)
        assert [(row["lemma"], row["analyser_rank"], row["ranked_by"]) for row in rows] == [
            ("كَبِير", 2, "corpus"),
            ("كَبِيرَة", 1, "corpus"),
        ]
        assert notes == (
            "corpus: كبيرة: the index's attributes were made from other readings than the cache's "
            "now; first, the one with the lemma كبير, root كبر, pos noun its tokens carry (analyse "
            "the index again with 'corpus index morph')\n"
        )
        store.put({"كبيرة": before[2:]})
        rows, notes = _analyze(invoke, cache, "كبيرة", *where)
        assert [(row["lemma"], row["ranked_by"]) for row in rows] == [("بِيرَة", "analyser")]
        assert "كبيرة: its tokens carry lemma كبير, root كبر, pos noun, of none of its readings now" in notes
    finally:
        store.close()


def test_without_numpy_the_analysers_order_and_a_note(
    invoke: Invoke, seeds_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    from corpus_cli.store import layer

    monkeypatch.setattr(layer, "have_numpy", lambda: False)
    rows, notes = _analyze(invoke, seeds_cache, "وزارة", *ON, "--index", "off")
    assert len(rows) > 1
    assert {row["ranked_by"] for row in rows} == {"analyser"}
    assert [row["analyser_rank"] for row in rows] == [row["reading"] for row in rows]
    assert notes == (
        "corpus: the readings are in the analyser's order (the token layer needs numpy: "
        "pip install 'corpus-cli[index]')\n"
    )


def test_stored_order_gives_back_the_seeds_ranking(seeds_cache: Path):
    """For every form of the seeds, the order read back from the values the ranked
    readings make is the ranking's own."""
    every, ranked = _seeds_ranked(seeds_cache)
    assert len(ranked) > 1000
    counts = morphology.layer_counts(_seeds_layer())
    for form, readings in ranked.items():
        values = {name: morphology.attribute_values(readings, name) for name in ("lemma", "root", "pos")}
        shown = reading_ranking.with_hamza_readings(form, every[form], every, counts)
        order = stored_order(shown, values)
        assert order is not None, form
        assert [shown[at] for at in order] == readings, form


def _reading(lemma: str, root: str, tag: str) -> Reading:
    return Reading(lemma, root, "noun", tag)


def test_stored_order_after_two_moves():
    """``rank_readings`` moves a (lemma, root) first, then the adjective's masculine before
    it: the order is read back from the values it leaves (no analyser needed)."""
    analysers = [
        _reading("سَعْدَة", "سعد", "اسم:اسم جامد"),
        _reading("سَعِيدَة", "سعد", "اسم:اسم جامد"),
        _reading("سَعِيد", "سعد", "اسم:صفة مشبهة"),
    ]
    readings_by_form = {
        "سعيدة": analysers,
        "السعيدة": [_reading("سَعِيدَة", "سعد", "اسم:اسم جامد")],
        "سعيد": [analysers[2]],
    }
    # سَعِيدَة is attested best (100 tokens), then the masculine سَعِيد (95) beats it once
    # the form's own 10 tokens, which voted for سَعْدَة, are taken off (95 > 100 - 10 + 2)
    counts = {"سعيدة": 10, "السعيدة": 100, "سعيد": 95}
    ranked = reading_ranking.rank_readings(readings_by_form, counts)["سعيدة"]
    assert ranked == [analysers[2], analysers[1], analysers[0]]
    values = {name: morphology.attribute_values(ranked, name) for name in ("lemma", "root", "pos")}
    assert stored_order(analysers, values) == [2, 1, 0]
    assert stored_order(analysers, {**values, "lemma": ["سعيد", "سعدة"]}) is None


def test_without_a_corpus_named_the_analysers_order_at_once(invoke: Invoke, seeds_cache: Path, monkeypatch):
    """No --corpus nor CORPUS_PATH: a quick look-up in the analyser's order, no corpus
    read (the layer is never built), no note."""
    from corpus_cli.store import layer

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a corpus was read for a look-up out of any corpus")

    monkeypatch.setattr(layer, "build_layer", never)
    rows, notes = _analyze(invoke, seeds_cache, "كبيرة", "وزارة")
    assert notes == ""
    assert {row["ranked_by"] for row in rows} == {"analyser"}
    assert [row["analyser_rank"] for row in rows] == [row["reading"] for row in rows]
