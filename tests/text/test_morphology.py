"""The analyser of one word (``text.morphology``) and its cache (``index.morphology``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_cli.index import morphology as index_morphology
from corpus_cli.index.morphology import Cache, analyse, attribute_values
from corpus_cli.text.morphology import Reading, analysable, coarse_pos, root_letters, unvocalized


def test_only_arabic_words_are_analysable():
    assert analysable("والكتابة")
    assert analysable("كِتَابٌ")
    for form in ("hello", "2024", "٢٠٢٤", "https://x.sa", "،", "😀", "كتب2", "ـ", ""):
        assert not analysable(form), form


def test_roots_and_lemmas_as_users_write_them():
    assert root_letters("ك ت ب") == root_letters("ك-ت-ب") == root_letters("كتب") == "كتب"
    assert root_letters("أمن") == root_letters("امن") == root_letters("ءمن") == "ءمن"
    assert root_letters("رأى") == "رءي"
    assert unvocalized("كِتَاب") == "كتاب"
    assert unvocalized("كتـــاب") == "كتاب"


def test_coarse_parts_of_speech():
    assert coarse_pos("فعل", None, "كتب") == "verb"
    assert coarse_pos("حرف", "جر", "") == "function"
    assert coarse_pos("اسم", "موصول", "") == "function"
    assert coarse_pos("اسم", None, "") == "function"  # في, as farahidi has it
    assert coarse_pos("اسم", "اسم علم", "") == "noun"
    assert coarse_pos("اسم", "مصدر أصلي", "كتب") == "noun"


def test_attribute_values_are_distinct_and_first_first():
    readings = [
        Reading("كِتَاب", "كتب", "noun", "اسم"),
        Reading("كِتَاب", "كتب", "noun", "اسم:مصدر أصلي"),
        Reading("كَتَبَ", "كتب", "verb", "فعل"),
        Reading("فِي", "", "function", "اسم"),
    ]
    assert attribute_values(readings, "lemma") == ["كتاب", "كتب", "في"]
    assert attribute_values(readings, "root") == ["كتب"]
    assert attribute_values(readings, "pos") == ["noun", "verb", "function"]


def test_cached_forms_are_not_analysed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cache = Cache(tmp_path / "morph.sqlite")
    known = {"كتب": [Reading("كَتَبَ", "كتب", "verb", "فعل", "فَعَلَ", "كَتَب")], "فيلم": []}
    cache.put(known)

    def no_analyser() -> None:
        raise AssertionError("the analyser was loaded for cached forms")

    monkeypatch.setattr(index_morphology, "have_analyser", lambda: True)
    monkeypatch.setattr(index_morphology, "Analyser", no_analyser)
    got = analyse(["كتب", "فيلم", "hello", "2024", "كتب"], cache=cache)
    assert got == known
    cache.close()


NO_EXTRA = "the extra corpus-cli[morph] is not installed"


@pytest.fixture(scope="module")
def analyser():
    pytest.importorskip("farahidi", reason=NO_EXTRA)
    from corpus_cli.text.morphology import Analyser

    return Analyser()


def test_readings_put_the_disambiguators_pick_first(analyser):
    readings = analyser.readings("والكتابة")
    first = readings[0]
    assert (unvocalized(first.lemma), first.root, first.pos) == ("كتاب", "كتب", "noun")
    assert first.stem == "كِتَابَة"
    assert len(readings) > 1 and all(r.root == "كتب" for r in readings)
    assert len({(r.lemma, r.root, r.pos) for r in readings}) == len(readings)


def test_ambiguity_is_kept(analyser):
    readings = analyser.readings("في")
    assert (readings[0].lemma, readings[0].root, readings[0].pos) == ("فِي", "", "function")
    assert ("وَفَى", "وفي", "verb") in [(r.lemma, r.root, r.pos) for r in readings]


def test_a_form_that_can_be_a_particle_is_one_first(analyser):
    readings = analyser.readings("على")
    assert (readings[0].lemma, readings[0].pos, readings[0].tag) == ("عَلَى", "function", "حرف:جر")
    assert readings[0].root == "علي"  # its lemma's root, as the analyser gives it
    assert "verb" in [r.pos for r in readings[1:]]


def test_an_unknown_word_is_a_noun_of_its_own(analyser):
    assert analyser.readings("بيلزبوري") == [Reading("بيلزبوري", "", "noun", "unknown", "", "بيلزبوري")]


def test_verbs_and_non_words(analyser):
    first = analyser.readings("يكتبون")[0]
    assert (unvocalized(first.lemma), first.root, first.pos) == ("كتب", "كتب", "verb")
    assert analyser.readings("hello") == []
    assert analyser.readings("2024") == []


def test_workers_give_what_one_process_gives(tmp_path: Path):
    pytest.importorskip("farahidi", reason=NO_EXTRA)
    words = [line.split("\t")[0] for line in _sample_words()]
    alone = analyse(words, workers=1, cache=Cache(tmp_path / "one.sqlite"))
    forked = analyse(words, workers=2, cache=Cache(tmp_path / "two.sqlite"))
    assert alone == forked
    assert len(alone) == len({w for w in words if analysable(w)}) > 400


def _sample_words() -> list[str]:
    """Words of the seed corpus (enough that two workers are forked)."""
    from corpus_cli.text.tokenize import words
    from tests.conftest import SEEDS

    found: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        found.extend(words(path.read_text(encoding="utf-8")))
    return sorted(set(found))[:600]
