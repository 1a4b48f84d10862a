"""The built-in stopword list and stopword files (``corpus_cli.text.stopwords``)."""

from __future__ import annotations

from pathlib import Path

from corpus_cli.text.stopwords import BUILTIN, load_stopwords, read_list
from tests.conftest import STANDARD


def test_builtin_stopwords_list_size_normalized_and_without_negations():
    entries = read_list(BUILTIN)
    assert 100 <= len(entries) <= 150
    assert len(set(entries)) == len(entries)
    assert all(STANDARD.normalize(word) == word for word in entries)
    for negation in ("لا", "لم", "لن", "ليس", "ما"):
        assert negation not in entries
    assert {"في", "من", "على", "الى", "ان", "هذا"} <= set(entries)


def test_load_stopwords_normalizes_entries(tmp_path: Path):
    path = tmp_path / "stop.txt"
    path.write_text("# comment\nإلى\n\nأنَّ  # trailing comment\n", encoding="utf-8")
    assert load_stopwords(str(path), STANDARD) == frozenset({"الى", "ان"})
    assert load_stopwords("builtin", STANDARD) == load_stopwords(None, STANDARD)
