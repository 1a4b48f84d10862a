"""The domain logic of ``dispersion`` and ``keywords`` (``corpus_cli.query.analysis``),
called with plain values: documents, a normalizer, a ``warn`` list, a loader."""

from __future__ import annotations

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.query.analysis import (
    KeynessSide,
    check_overlap,
    dispersion_by,
    hit_dispersion,
    keyness_sides,
    plotted,
    ranked_keywords,
    rate,
    total_hits,
)
from corpus_cli.query.pattern import compile_query
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import Normalizer

NORM = Normalizer()


def _docs() -> list[Document]:
    return [
        Document("a/1", "/c/a/1.txt", "قلم كتاب قلم\n", {"year": "2020"}),
        Document("a/2", "/c/a/2.txt", "كتاب بيت\n", {"year": "2021"}),
        Document("b/1", "/c/b/1.txt", "بيت بيت شجرة\n", {"year": "2021"}),
    ]


def test_rate_and_total_hits_and_plotted() -> None:
    docs = _docs()
    result = hit_dispersion(docs, compile_query("قلم", NORM))
    assert total_hits(result) == 2
    assert rate(2, 0) == 0.0 and rate(1, 4) == 250_000.0
    shown, rest = plotted(result, every=False)
    assert [d.doc.id for d in shown] == ["a/1"]
    assert rest == "2 documents without a hit (--all plots them)"
    shown, rest = plotted(result, every=True)
    assert len(shown) == 3 and rest == ""


def test_dispersion_by_groups_and_warns_of_an_unknown_field() -> None:
    result = hit_dispersion(_docs(), compile_query("بيت", NORM))
    said: list[str] = []
    by = dispersion_by(result, "year", said.append)
    assert [(p.part, p.docs, p.hit_docs, p.hits) for p in by.parts] == [("2020", 1, 0, 0), ("2021", 2, 2, 3)]
    assert said == []
    dispersion_by(result, "colour", said.append)
    assert len(said) == 1 and "'colour'" in said[0]


def test_keyness_sides_target_against_the_rest_in_corpus_order() -> None:
    docs = _docs()
    sides = list(keyness_sides(docs, NORM, target=[docs[2], docs[0]], warn=pytest.fail))
    assert len(sides) == 1
    group, target, reference = sides[0]
    assert group == "" and target.total == 6 and reference.total == 2
    with pytest.raises(CorpusError, match="--target names every document"):
        list(keyness_sides(docs, NORM, target=docs, warn=pytest.fail))


def test_keyness_sides_by_field_each_group_against_the_rest() -> None:
    docs = _docs()
    sides = list(keyness_sides(docs, NORM, by_field="year", warn=pytest.fail))
    assert [(s.group, s.target.total, s.reference.total) for s in sides] == [("2020", 3, 5), ("2021", 5, 3)]
    with pytest.raises(CorpusError, match="every document is in the group ''"):
        list(keyness_sides(docs, NORM, by_field="colour", warn=lambda message: None))


def test_keyness_sides_against_a_reference_loads_it_once_and_checks_overlap() -> None:
    docs = _docs()
    loaded: list[str] = []
    said: list[str] = []

    def load(path: str) -> list[Document]:
        loaded.append(path)
        return [Document("x", "/elsewhere/x.txt", "قلم شجرة شجرة\n"), Document("a/2", "/c/a/2.txt", "كتاب\n")]

    sides = list(keyness_sides(docs, NORM, reference="ref/", load_reference=load, warn=said.append))
    assert loaded == ["ref/"]
    assert [(s.group, s.target.total) for s in sides] == [("", 8)]
    assert said == [
        "1 of the target's 3 documents are also in the reference: their words count on both sides"
    ]


def test_check_overlap_refuses_the_same_documents() -> None:
    docs = _docs()
    with pytest.raises(CorpusError, match="the target and the reference are the same 3 documents"):
        check_overlap({"": docs}, list(docs), pytest.fail)
    with pytest.raises(CorpusError, match="the group '2021' and the reference are the same 2 documents"):
        check_overlap({"2020": docs[:1], "2021": docs[1:]}, docs[1:], pytest.fail)


def test_ranked_keywords_ranks_each_side_and_keeps_the_top() -> None:
    docs = _docs()
    sides = list(keyness_sides(docs, NORM, by_field="year", warn=pytest.fail))
    rows = ranked_keywords(sides, min_count=1, top=1)
    assert [(r.group, r.rank) for r in rows] == [("2020", 1), ("2021", 1)]
    assert all(isinstance(s, KeynessSide) for s in sides)
