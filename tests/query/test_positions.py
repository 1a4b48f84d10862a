"""``query.positions``: a one-word query answered from the token layer gives exactly the
hits of the matcher (``iter_hits``): same documents, same characters, same order."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")

from corpus_cli.query.pattern import MatchOptions, compile_query
from corpus_cli.query.positions import Keys, matching_forms, node_hits, single_token
from corpus_cli.query.search import forms_and_inside_hits, iter_hits
from corpus_cli.store.corpus import Document, load_corpus
from corpus_cli.store.layer import build_layer
from corpus_cli.text.clitics import CliticMode
from corpus_cli.text.normalize import Level, Normalizer

STANDARD = Normalizer.for_level(Level.standard)
OPTIONS = [
    MatchOptions(word=True),
    MatchOptions(word=True, ignore_case=True),
    MatchOptions(word=True, clitics=CliticMode.both),
]
NORMALIZERS = [
    STANDARD,
    Normalizer.for_level(Level.aggressive),
    Normalizer.for_level(Level.light),
    STANDARD.with_steps(alef=False),
]


def assert_same_hits(
    docs: list[Document], terms: list[str], normalizer: Normalizer, built_at: Normalizer
) -> int:
    """Compare the layer's hits with the matcher's for every term and option; return how
    many queries the layer answered."""
    layer = build_layer([d.text for d in docs], built_at)
    number = {id(d): i for i, d in enumerate(docs)}
    answered = 0
    for term in terms:
        for options in OPTIONS:
            try:
                query = compile_query(term, normalizer, options)
            except Exception:  # a term that is no valid pattern: not this test's business
                continue
            hits = node_hits(layer, query)
            if hits is None:
                assert not single_token(query) or (query.constraint and options.clitics)
                continue
            answered += 1
            expected = [(number[id(h.doc)], h.start, h.end) for h in iter_hits(docs, query)]
            assert [(h.doc, h.start, h.end) for h in hits] == expected, (term, options, normalizer)
            for hit in hits:
                assert layer.document_of(hit.position) == hit.doc
    return answered


def sample_terms(docs: list[Document], normalizer: Normalizer, size: int, seed: int = 1) -> list[str]:
    layer = build_layer([d.text for d in docs], normalizer)
    keys = layer.keys()
    chosen = random.Random(seed).sample(keys, min(size, len(keys)))
    # and the spellings as written, marks and all (typed marks constrain the hits)
    forms = random.Random(seed).sample(layer.forms(), min(size // 2, layer.lexicon_size))
    return chosen + forms


def test_the_seeds_at_every_level(seed_texts: dict[str, str]) -> None:
    docs = [Document(i, i, t) for i, t in seed_texts.items()]
    terms = [*sample_terms(docs, STANDARD, 60), "الأمم", "الامم", "كتاب", "سوريا", "hello", "٢٠٢٤"]
    for normalizer in NORMALIZERS:
        assert assert_same_hits(docs, terms, normalizer, built_at=STANDARD) > 50


def test_vocalized_and_tatweel_spellings() -> None:
    docs = [
        Document("a", "a", "الأُمَمُ المتحدة\nكتـــاب جديد مـﻧـــ الخاصــ\nHello WORLD hello"),
        Document("b", "b", "كِتَابٌ في المكتبة ـــ كتاب"),
    ]
    terms = ["الامم", "الأُمَمُ", "كتاب", "كِتَاب", "من", "الخاص", "hello", "world"]
    for normalizer in NORMALIZERS:
        assert assert_same_hits(docs, terms, normalizer, built_at=STANDARD) > 10


def test_every_shared_corpus(every_corpus: Path) -> None:
    for folder in sorted(every_corpus.iterdir()):
        docs = load_corpus([str(folder)]).documents
        terms = sample_terms(docs, STANDARD, 40)
        assert assert_same_hits(docs, terms, STANDARD, built_at=STANDARD) > 0, folder.name
        aggressive = Normalizer.for_level(Level.aggressive)
        assert assert_same_hits(docs, terms[:15], aggressive, built_at=STANDARD) > 0, folder.name


def test_what_the_layer_leaves_to_the_matcher() -> None:
    layer = build_layer(["في الرياض - اليوم، «نعم»"], STANDARD)
    for pattern, options in [
        ("في الرياض", MatchOptions(word=True)),  # a phrase
        ("الرياض", MatchOptions()),  # a substring query
        ("-", MatchOptions(word=True)),  # punctuation: its word boundaries are not a token's
        ("ال.*", MatchOptions(word=True)),  # a regular expression
    ]:
        query = compile_query(pattern, STANDARD, options)
        assert matching_forms(layer, query) is None and node_hits(layer, query) is None


def test_a_query_for_nothing_is_no_hit() -> None:
    layer = build_layer(["في الرياض"], STANDARD)
    query = compile_query("جدة", STANDARD, MatchOptions(word=True))
    assert matching_forms(layer, query) == [] and node_hits(layer, query) == []


def test_keys_at_the_build_level_are_the_stored_ones() -> None:
    layer = build_layer(["أحمد احمد إحمد"], STANDARD)
    keys = Keys.of(layer, STANDARD)
    assert list(keys.keys) == ["احمد"]
    assert [keys.of_form[i] for i in range(layer.lexicon_size)] == [0, 0, 0]
    kept = Keys.of(layer, STANDARD.with_steps(alef=False))
    assert sorted(kept.keys) == ["أحمد", "إحمد", "احمد"]


def test_a_word_inside_a_url_leaves_the_query_to_the_matcher() -> None:
    """``-w`` sees words in ``https://un.org/الأمم``; the layer holds the URL as one token."""
    docs = [Document("a", "a", "الأمم المتحدة https://un.org/الأمم"), Document("b", "b", "الأمم")]
    layer = build_layer([d.text for d in docs], STANDARD)
    inside = compile_query("الامم", STANDARD, MatchOptions(word=True))
    assert len(list(iter_hits(docs, inside))) == 3
    assert matching_forms(layer, inside) is None and node_hits(layer, inside) is None
    elsewhere = compile_query("المتحدة", STANDARD, MatchOptions(word=True))
    assert [(h.doc, h.start) for h in node_hits(layer, elsewhere) or []] == [(0, 6)]


def test_the_hits_inside_a_url_away_from_its_edges_are_the_matchers_on_it_alone() -> None:
    """A tweet's URL runs on into its hashtags: the hits there are found on the URL alone,
    unless one touches its edge (https://un.org/الأمم: the text must say)."""
    text = "الأمم https://t.co/Ab1#الأمم#اليوم"
    layer = build_layer([text], STANDARD)
    query = compile_query("الامم", STANDARD, MatchOptions(word=True))
    found = forms_and_inside_hits(layer, query)
    assert found is not None
    forms, inside = found
    assert [layer.form(f) for f in forms] == ["الأمم"]
    assert {layer.form(f): spans for f, spans in inside.items()} == {
        "https://t.co/Ab1#الأمم#اليوم": [(17, 22)]
    }
    docs = [Document("a", "a", text)]
    assert [(h.start, h.end) for h in iter_hits(docs, query)] == [(0, 5), (23, 28)]
    edge = build_layer(["الأمم https://un.org/الأمم"], STANDARD)
    assert forms_and_inside_hits(edge, query) is None
    # nothing but what normalization deletes (a tatweel, an RLM) between the hit and the
    # edge of an e-mail address: what comes after the edge decides, so the text must say
    deleted = build_layer(["كلمة a@b.الأممـ\u200f هنا"], STANDARD)
    assert forms_and_inside_hits(deleted, query) is None
    # a letter after an RLM is the address's own (as in a word): no hit, on the layer as
    # in the text, where the letters are joined
    glued = "كلمة a@b.الأممـ\u200fب هنا"
    assert [layer_form for layer_form in build_layer([glued], STANDARD).forms()] == [
        "a@b.الأممـ\u200fب",
        "كلمة",
        "هنا",
    ]
    assert forms_and_inside_hits(build_layer([glued], STANDARD), query) == ([], {})
    assert list(iter_hits([Document("a", "a", glued)], query)) == []
    assert matching_forms(layer, query) is None  # for counts of the tokens around a hit


def test_a_word_is_found_on_the_layer_without_compiling_its_pattern() -> None:
    """A word query's pattern (``LazyPattern``: its word boundaries cost ``regex`` 15-25
    ms) is compiled only when the matcher needs it, and then matches as compiled at once."""
    import copy
    import pickle

    from corpus_cli.query.pattern import LazyPattern

    texts = ["قال الوزير إن الأمم المتحدة https://un.org/news", "الأمم و الامم والأمم"]
    layer = build_layer(texts, STANDARD)
    query = compile_query("الأمم", STANDARD, MatchOptions(word=True))
    assert isinstance(query.regex, LazyPattern)
    hits = node_hits(layer, query)
    expected = [(0, 14, 19), (1, 0, 5), (1, 8, 13)]
    assert hits is not None and [(h.doc, h.start, h.end) for h in hits] == expected
    assert "compiled" not in query.regex.__dict__  # the layer needed no pattern
    again = pickle.loads(pickle.dumps(query))
    assert again == query and copy.copy(query) == query
    docs = [Document(str(i), str(i), text) for i, text in enumerate(texts)]
    assert [(h.start, h.end) for h in iter_hits(docs, query)] == [(14, 19), (0, 5), (8, 13)]
    assert "compiled" in query.regex.__dict__
    assert query.regex.pattern == query.regex.__dict__["compiled"].pattern
    assert [m.span() for m in again.regex.finditer(STANDARD.normalize(texts[1]))] == [(0, 5), (8, 13)]
    # Patterns the user typed are compiled at once: their errors are the user's to see.
    assert not isinstance(compile_query("الأ.م", STANDARD, MatchOptions(word=True)).regex, LazyPattern)


#: The pieces of the texts: words, a URL running into hashtags, an e-mail address's start,
#: a ligature, and a tatweel (deleted by normalization).
_URL_PIECES = st.sampled_from(
    [
        "الأمم",
        "الامم",
        "اليوم",
        " ",
        "\n",
        "https://t.co/Ab1#",
        "#",
        "/",
        "x@y.",
        ".",
        "a",
        "#الامم",
        "الأمم#",
        "ﷺ",
        "\u0640",
    ]
)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.lists(_URL_PIECES, max_size=14).map("".join), min_size=1, max_size=3))
def test_the_layer_finds_the_matchers_hits_inside_urls(texts: list[str]) -> None:
    """Whatever the URLs around a word: when the layer answers (``inside``), its hits are
    the matcher's, and its nodes (``node_arrays``) start where those hits start."""
    from corpus_cli.query.cooccurrence import node_arrays
    from corpus_cli.query.search import hits_from_positions, positional_hits

    docs = [Document(str(i), str(i), text) for i, text in enumerate(texts)]
    layer = build_layer(texts, STANDARD)
    for term in ("الامم", "اليوم"):
        query = compile_query(term, STANDARD, MatchOptions(word=True))
        expected = [(h.doc.id, h.line_no, h.start, h.end) for h in iter_hits(docs, query)]
        groups = positional_hits(layer, query, inside=True)
        if groups is None:
            continue
        read = lambda numbers: (docs[n] for n in numbers)  # noqa: E731
        assert [(h.doc.id, h.line_no, h.start, h.end) for h in hits_from_positions(groups, read)] == expected
        nodes = node_arrays(layer, query)
        assert nodes is not None
        assert list(zip(nodes.docs.tolist(), nodes.starts.tolist(), strict=True)) == [
            (int(doc), start) for doc, _, start, _ in expected
        ]
