"""``query.clusters``: the n-grams around a hit, from the text and from the token layer
(the same ones), counted as ``freq --ngram`` counts n-grams."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from corpus_cli.query.clusters import Cluster, LayerWindows, TextWindows, rank_clusters, windows
from corpus_cli.query.search import Hit
from corpus_cli.store.corpus import Document, load_corpus
from corpus_cli.text.normalize import Level, Normalizer
from corpus_cli.text.tokenize import Kind, tokenize
from tests.conftest import SEEDS

STANDARD = Normalizer.for_level(Level.standard)


def around(text: str, word: str, size: int, nth: int = 0) -> list[str]:
    """The n-grams around the ``nth`` occurrence of ``word`` (as a token) in ``text``."""
    doc = Document("d", "d", text)
    starts = [t for t in tokenize(text) if t.text == word]
    token = starts[nth]
    return TextWindows()(Hit(doc, 1, token.start, token.end), size)


def test_windows_hold_the_hit():
    words = ["a", "b", "c", "d", "e"]
    assert windows(words, 2, 2, 2) == ["b c", "c d"]
    assert windows(words, 2, 2, 3) == ["a b c", "b c d", "c d e"]
    assert windows(words, 0, 0, 3) == ["a b c"]
    assert windows(words, 1, 2, 3) == ["a b c", "b c d"]  # a hit of two words
    assert windows(words, 2, 2, 5) == ["a b c d e"]
    assert windows(words, 2, 2, 6) == []
    assert windows(["a"], 0, 0, 2) == []


def test_text_windows_stop_at_sentence_ends_and_line_ends():
    text = "قال الوزير. الأمم المتحدة، تجتمع اليوم؟ ثم\nالأمم هنا"
    assert around(text, "الأمم", 2) == ["الأمم المتحدة"]  # the period before, the comma stepped over
    assert around(text, "الأمم", 3) == ["الأمم المتحدة تجتمع"]
    assert around(text, "الأمم", 4) == ["الأمم المتحدة تجتمع اليوم"]
    assert around(text, "الأمم", 5) == []  # the question mark ends the sentence
    assert around(text, "الأمم", 2, nth=1) == ["الأمم هنا"]  # a new line, a new run
    assert around(text, "الأمم", 3, nth=1) == []


def test_text_windows_skip_urls_and_emoji_and_keep_numbers():
    text = "زوروا https://un.org/x الأمم 😀 في 2015 «اليوم»"
    assert around(text, "الأمم", 3) == ["زوروا الأمم في", "الأمم في 2015"]
    assert around(text, "2015", 2) == ["في 2015", "2015 اليوم"]


def test_a_hit_across_a_sentence_end_or_on_no_word_has_no_cluster():
    doc = Document("d", "d", "قال الوزير. الأمم المتحدة")
    text = doc.text
    across = Hit(doc, 1, text.index("الوزير"), text.index("الأمم") + 5)
    assert TextWindows()(across, 2) == []
    on_the_period = Hit(doc, 1, text.index("."), text.index(".") + 1)
    assert TextWindows()(on_the_period, 2) == []
    phrase = Hit(doc, 1, text.index("الأمم"), len(text))
    assert TextWindows()(phrase, 2) == ["الأمم المتحدة"]
    assert TextWindows()(phrase, 3) == []


def test_ranked_by_hits_then_key_with_the_most_frequent_spelling():
    per_hit = [
        ("a", ["الأمم المتحدة", "في الأمم"]),
        ("a", ["الامم المتحدة"]),
        ("b", ["الأمم المتحدة", "الأمم المتحدة"]),  # twice around one hit: counted once
        ("c", ["قالت الأمم"]),
    ]
    assert rank_clusters(per_hit, STANDARD) == [
        Cluster("الأمم المتحدة", "الامم المتحدة", 3, 2),
        Cluster("في الأمم", "في الامم", 1, 1),
        Cluster("قالت الأمم", "قالت الامم", 1, 1),
    ]
    assert rank_clusters(per_hit, STANDARD, limit=1) == [Cluster("الأمم المتحدة", "الامم المتحدة", 3, 2)]
    assert rank_clusters([], STANDARD) == []


def test_an_ngram_whose_key_is_empty_is_no_cluster():
    assert rank_clusters([("a", ["\u0640"]), ("a", ["x"])], STANDARD) == [Cluster("x", "x", 1, 1)]


def _word_positions(layer) -> list[int]:
    kinds = layer.array("kinds")
    return [p for p in range(layer.tokens) if kinds[layer.tok[p]] in (0, 1)]


def assert_layer_windows_are_the_texts(docs: list[Document], every: int = 1) -> int:
    """Around every ``every``-th word token: the same n-grams from the layer as from the
    text, for every size."""
    from corpus_cli.store.layer import build_layer

    layer = build_layer([d.text for d in docs], STANDARD)
    from_layer, from_text = LayerWindows(layer), TextWindows()
    checked = 0
    for position in _word_positions(layer)[::every]:
        doc = docs[layer.document_of(position)]
        start, end = layer.span(position)
        hit = Hit(doc, 0, start, end)
        for size in range(2, 6):
            assert from_layer(position, size) == from_text(hit, size), (doc.id, start, size)
        checked += 1
    return checked


def test_the_layer_gives_the_texts_windows_on_the_seeds():
    pytest.importorskip("numpy")
    docs = load_corpus([str(SEEDS)]).documents
    assert assert_layer_windows_are_the_texts(docs) > 2400  # every word of the seeds


def test_the_layer_gives_the_texts_windows_on_every_corpus(every_corpus: Path):
    pytest.importorskip("numpy")
    docs = load_corpus([str(every_corpus)]).documents
    assert assert_layer_windows_are_the_texts(docs, every=7) > 10_000


def test_the_layer_gives_the_texts_windows_on_edge_cases():
    pytest.importorskip("numpy")
    texts = [
        "قال: «نعم.» ثم مضى... وقال؟! لا\n\n  \nكلمة\r\nأخرى",
        "3.5 و 9،000 و U.S و أ.ف.ب و الوزير.والحكومة و COVID-19 و اليوم_الوطني",
        "http://x.com/a?b=1. كلمة www.y.org, كلمة a@b.com؛ كلمة 😀👍🏽 كلمة",
        "كتـــاب ـــ الأُمَمُ\u200fالمتحدة \ufefb",
        "",
        "!!!",
    ]
    rng = random.Random(5)
    alphabet = ["كلمة", "في", " ", " ", ".", "،", "؟", "\n", "«", "»", "2015", "😀", ":", "-", "ـ", "\u064e"]
    texts += ["".join(rng.choice(alphabet) for _ in range(60)) for _ in range(200)]
    docs = [Document(str(i), str(i), text) for i, text in enumerate(texts)]
    assert assert_layer_windows_are_the_texts(docs) > 1000


def test_clusters_count_as_freq_counts_ngrams(invoke):
    """For every cluster with one word of the node, its count and documents are the
    n-gram's in ``freq --ngram`` (each of its occurrences holds one hit), and every such
    n-gram of ``freq`` is a cluster."""
    node = "سوريا"
    for size in (2, 3):
        clusters = invoke("kwic", node, "--clusters", str(size), "--format", "jsonl").stdout
        grams = invoke("freq", "--ngram", str(size), "--top", "0", "--format", "jsonl").stdout
        found = {r["key"]: (r["count"], r["docs"]) for r in map(json.loads, clusters.splitlines())}
        counted = {r["key"]: (r["count"], r["docs"]) for r in map(json.loads, grams.splitlines())}
        once = {k: v for k, v in counted.items() if k.split(" ").count(node) == 1}
        assert len(once) > 10
        assert {k: v for k, v in found.items() if k.split(" ").count(node) == 1} == once


def test_kinds_of_the_layer_are_words_then_numbers():
    """``LayerWindows`` takes kind codes 0 and 1 for words and numbers."""
    from corpus_cli.store.layer import KINDS

    assert KINDS[:2] == (Kind.word, Kind.number)
