"""CQL matches placed in their documents (``cql.hits.place``), many at once: chunks of
matches that cross documents and lines, each hit where its text is."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")

from corpus_cli.query.cql import find_matches, parse
from corpus_cli.query.cql.hits import PLACE_CHUNK, place
from corpus_cli.store.layer import build_layer
from corpus_cli.text.normalize import Level, Normalizer

STANDARD = Normalizer.for_level(Level.standard)


def test_every_match_of_many_is_placed_in_its_document_and_line() -> None:
    """Over 2 × ``PLACE_CHUNK`` matches in documents of varied sizes (some without a
    hit, one empty): each hit's document, line and characters are those of its text,
    and each document's hits come together, in order."""
    phrases = ["وزير الخارجية", "وزيرــ الخارجيةــ", "وَزِيرُ  الخارجية"]
    texts = []
    for number in range(300):
        if number % 7 == 3:
            texts.append("" if number == 3 else "لا شيء هنا\nولا هنا")
            continue
        lines = [
            f"سطر {line} قال {phrases[(number + line) % 3]} اليوم. {phrases[line % 3]}"
            for line in range(1 + number % 40)
        ]
        texts.append("\n".join(lines))
    layer = build_layer(texts, STANDARD)
    matches = find_matches(layer, parse('"وزير" "الخارجية"'), normalizer=STANDARD)
    assert len(matches) > 2 * PLACE_CHUNK
    groups = list(place(layer, matches, STANDARD))
    expected = [number for number, text in enumerate(texts) if "الخارجية" in text]
    assert [group.number for group in groups] == expected
    assert sum(len(group.hits) for group in groups) == len(matches)
    placed = [hit for group in groups for hit in group.hits]
    assert [hit.position for hit in placed] == [match.first for match in matches]
    for group in groups:
        text = texts[group.number]
        assert len(group.hits) == 2 * text.count("\n") + 2
        for hit in group.hits:
            assert text[hit.start : hit.end] in ("وزير الخارجية", "وزيرــ الخارجية", "وَزِيرُ  الخارجية")
            assert hit.line_no == text.count("\n", 0, hit.start) + 1
            assert hit.split is None
