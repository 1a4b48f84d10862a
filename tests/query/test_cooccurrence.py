"""Counts over the token layer (``query.cooccurrence``) and the analyses made of them
(``query.analysis``: ``layer_collocates``, ``layer_dispersion``, ``tally_keywords``),
each against the text path, which is the reference: the same numbers, rows and order."""

from __future__ import annotations

import math
import random
from collections import Counter
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")

from corpus_cli.query import analysis  # noqa: E402
from corpus_cli.query.cooccurrence import (  # noqa: E402
    Tally,
    document_positions,
    node_arrays,
    node_words,
    spelling_counts,
    window_keys,
    word_keys,
    word_positions,
)
from corpus_cli.query.freq import count_tokens  # noqa: E402
from corpus_cli.query.pattern import MatchOptions, compile_query  # noqa: E402
from corpus_cli.query.positions import Keys, node_hits  # noqa: E402
from corpus_cli.query.stats import (  # noqa: E402
    ASSOCIATION,
    KEYNESS,
    association_many,
    contingency,
    keyness_many,
    keyness_score,
    shortlist,
)
from corpus_cli.store.corpus import Document  # noqa: E402
from corpus_cli.store.layer import NO_KEY, build_layer  # noqa: E402
from corpus_cli.text.clitics import CliticMode  # noqa: E402
from corpus_cli.text.normalize import Level, Normalizer  # noqa: E402
from corpus_cli.text.tokenize import Kind, tokenize, words  # noqa: E402

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

#: Words among punctuation, a URL, an e-mail address, emoji and numbers, an empty
#: document and one of punctuation alone: what a window steps over, and where it stops.
MIXED = [
    "قال الوزير: «الأمن أولاً»، ثم قال الوزير 3 مرات! انظر https://example.com/a?b=1 الأمن.",
    "",
    "... !!! ؟",
    "الأمن 😀 الوزير الأمن، الوزير؛ info@example.com الأمن 2015 قال",
    "الأمن",
    "كِتَابٌ الأمن الامن الأَمن — الأمن (الأمن) الوزير",
]


def _docs(texts: list[str]) -> list[Document]:
    return [Document(f"d{i:02d}", f"d{i:02d}.txt", text) for i, text in enumerate(texts)]


@pytest.fixture(scope="module")
def seeds() -> list[Document]:
    return [Document(p.stem, p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]


def _query(pattern: str, normalizer: Normalizer, **options: object):
    return compile_query(pattern, normalizer, MatchOptions(word=True, **options))


# --------------------------------------------------------------------------- positions


@pytest.mark.parametrize("table", [False, True])
def test_word_positions_step_over_everything_that_is_not_a_word(table: bool) -> None:
    layer = build_layer(MIXED, Normalizer.for_level(Level.standard))
    tokens = [t for text in MIXED for t in tokenize(text)]
    expected = [p for p, t in enumerate(tokens) if t.kind in (Kind.word, Kind.number)]
    found = word_positions(layer)
    if table:
        found.prepare(layer.tokens)  # every word's position in a table
    assert found.position_of(np.arange(len(expected))).tolist() == expected
    assert found.word_of(np.asarray(expected)).tolist() == list(range(len(expected)))
    sizes = [len(words(text)) for text in MIXED]
    assert found.doc_sizes().tolist() == sizes
    assert found.doc_first.tolist() == [sum(sizes[:i]) for i in range(len(MIXED) + 1)]


def test_document_positions_are_the_runs_of_the_documents() -> None:
    layer = build_layer(MIXED, Normalizer.for_level(Level.standard))
    bounds = layer.numpy("docs").tolist()
    for chosen in ([0], [1], [0, 3], [1, 2, 4], [2, 5], list(range(len(MIXED)))):
        expected = [p for d in chosen for p in range(bounds[d], bounds[d + 1])]
        assert document_positions(layer, np.asarray(chosen)).tolist() == expected


@pytest.mark.parametrize(
    ("pattern", "options", "level"),
    [
        ("الأمن", {}, Level.standard),
        ("الامن", {"clitics": CliticMode.both}, Level.standard),
        ("قال", {}, Level.light),
        ("سوريا", {"clitics": CliticMode.pro}, Level.light),
        ("covid", {"ignore_case": True}, Level.standard),
    ],
)
def test_node_arrays_are_the_node_hits(seeds, pattern, options, level) -> None:
    """The hits as arrays: the same positions, documents and first characters as
    ``positions.node_hits`` (itself checked against the matcher), in a selection too."""
    normalizer = Normalizer.for_level(level)
    texts = [d.text for d in seeds] + MIXED
    layer = build_layer(texts, normalizer)
    query = _query(pattern, normalizer, **options)
    hits = node_hits(layer, query)
    nodes = node_arrays(layer, query)
    assert hits is not None and nodes is not None
    assert (nodes.positions.tolist(), nodes.docs.tolist(), nodes.starts.tolist()) == (
        [h.position for h in hits],
        [h.doc for h in hits],
        [h.start for h in hits],
    )
    selected = [1, 2, len(seeds) + 3]
    some = node_arrays(layer, query, selected)
    assert some is not None
    assert some.positions.tolist() == [h.position for h in hits if h.doc in selected]
    assert some.starts.tolist() == [h.start for h in hits if h.doc in selected]


def test_a_phrase_or_a_regular_expression_is_left_to_the_text() -> None:
    normalizer = Normalizer.for_level(Level.standard)
    layer = build_layer(MIXED, normalizer)
    assert node_arrays(layer, _query("قال الوزير", normalizer)) is None
    assert node_arrays(layer, compile_query("الأمن", normalizer, MatchOptions(word=False))) is None


@pytest.mark.parametrize(("left", "right"), [(1, 1), (2, 3), (0, 4), (5, 0), (6, 6)])
def test_window_keys_are_the_words_around_each_node_within_its_document(left: int, right: int) -> None:
    normalizer = Normalizer.for_level(Level.standard)
    layer = build_layer(MIXED, normalizer)
    nodes = node_arrays(layer, _query("الأمن", normalizer))
    assert nodes is not None
    keys = Keys.of(layer, normalizer)
    slots = window_keys(layer, word_positions(layer), word_keys(layer, keys), nodes, left, right)
    expected: list[list[str]] = [[] for _ in range(left + right)]
    for text in MIXED:
        keyed = [normalizer.normalize(w) for w in words(text)]
        for i, key in enumerate(keyed):
            if key != "الامن":
                continue
            for slot, offset in enumerate([*range(-left, 0), *range(1, right + 1)]):
                if 0 <= i + offset < len(keyed) and keyed[i + offset]:
                    expected[slot].append(keyed[i + offset])
    assert [[keys.keys[k] for k in slot.tolist()] for slot in slots] == expected
    assert expected[left - 1 if left else left] or not left  # something was there to count


# --------------------------------------------------------------------------- tallies


def test_spelling_counts_of_few_documents_and_of_most(seeds) -> None:
    """A selection is counted from its positions, or as the whole less the rest: the same."""
    texts = [d.text for d in seeds] + MIXED
    layer = build_layer(texts, Normalizer.for_level(Level.standard))
    forms = layer.forms()
    for chosen in ([0], [1, 3], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5, 6, 8, 9, 10], list(range(len(texts)))):
        counts = spelling_counts(layer, np.asarray(chosen))
        expected = Counter(w for i in chosen for w in words(texts[i]))
        assert {forms[i]: c for i, c in enumerate(counts.tolist()) if c} == dict(expected)
    whole = spelling_counts(layer)
    assert int(whole.sum()) == sum(len(words(t)) for t in texts)


@pytest.mark.parametrize("level", [Level.standard, Level.aggressive])
def test_a_tally_holds_what_count_tokens_counts(seeds, level) -> None:
    normalizer = Normalizer.for_level(level)
    docs = seeds + _docs(MIXED)
    layer = build_layer(
        (d.text for d in docs), Normalizer.for_level(Level.light)
    )  # keys at another level: computed
    keys = Keys.of(layer, normalizer)
    chosen = [0, 2, 5, 7]
    tally = Tally.of(layer, keys, np.asarray(chosen))
    counts = count_tokens([docs[i] for i in chosen], normalizer)
    assert tally.total == counts.total
    assert {keys.keys[k]: c for k, c in enumerate(tally.counts.tolist()) if c} == dict(counts.counts)
    for key in counts.counts:
        assert tally.term(keys.keys.index(key)) == counts.term(key)
    mirrored = analysis.as_counts(tally)
    assert (mirrored.total, mirrored.counts, mirrored.forms) == (counts.total, counts.counts, counts.forms)
    whole = Tally.of(layer, keys)
    rest = count_tokens([d for i, d in enumerate(docs) if i not in chosen], normalizer)
    assert dict(analysis.as_counts(whole - tally).counts) == dict(rest.counts)
    assert (tally + (whole - tally)).spellings.tolist() == whole.spellings.tolist()


# --------------------------------------------------------------------------- scores over arrays


def _tables(seed: int, size: int = 400) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    return [(rng.randint(1, 60), rng.randint(1, 5000)) for _ in range(size)]


@pytest.mark.parametrize("measure", sorted(ASSOCIATION))
@pytest.mark.parametrize(("f_node", "n", "window"), [(40, 100_000, 10), (7, 5_000, 4), (900, 2_000, 6)])
def test_association_over_arrays_is_the_score_within_the_margin(measure, f_node, n, window) -> None:
    pairs = [(o, max(o, f)) for o, f in _tables(len(measure))]
    many = association_many(measure, [o for o, _ in pairs], [f for _, f in pairs], f_node, n, window)
    for (o11, f_coll), value in zip(pairs, many.tolist(), strict=True):
        exact = ASSOCIATION[measure](contingency(o11, f_node, f_coll, n, window=window))
        assert value == pytest.approx(exact, rel=1e-11, abs=1e-9)


@pytest.mark.parametrize("measure", sorted(KEYNESS))
@pytest.mark.parametrize(("c", "d", "k"), [(50_000, 900_000, 1.0), (3_000, 3_000, 0.0), (800, 120, 100.0)])
def test_keyness_over_arrays_is_the_score_within_the_margin(measure, c, d, k) -> None:
    rng = random.Random(measure)
    pairs = [(rng.randint(0, min(c, 300)), rng.randint(0, min(d, 300))) for _ in range(400)]
    pairs += [(0, 5), (5, 0), (0, 0), (c, d)]
    many = keyness_many(measure, [a for a, _ in pairs], [b for _, b in pairs], c, d, k)
    for (a, b), value in zip(pairs, many.tolist(), strict=True):
        exact = keyness_score(measure, a, b, c, d, k=k)
        if math.isinf(exact):
            assert value == exact
        else:
            assert value == pytest.approx(exact, rel=1e-11, abs=1e-9)


def test_a_shortlist_keeps_every_score_that_may_rank_among_the_top() -> None:
    rng = random.Random(7)
    exact = [rng.choice([1.5, 2.0, 2.0, 3.25]) + rng.choice([0.0, 1e-12]) for _ in range(200)]
    exact += [math.inf, -math.inf]
    approximate = [v * (1 + rng.uniform(-1e-13, 1e-13)) if math.isfinite(v) else v for v in exact]
    for top in (1, 3, 20, 60, 500):
        chosen = set(shortlist(np.asarray(approximate), top).tolist())
        ranked = sorted(range(len(exact)), key=lambda i: (-round(exact[i], 9), i))
        assert set(ranked[:top]) <= chosen
    assert shortlist(np.asarray([1.0, 2.0]), 0).tolist() == [0, 1]


# --------------------------------------------------------------------------- the analyses


COLLOCATIONS = [
    {"left": 5, "right": 5, "measure": "logdice", "min_freq": 1},
    {"left": 2, "right": 0, "measure": "mi", "min_freq": 2, "top": 5},
    {"left": 0, "right": 3, "measure": "t", "min_freq": 1, "top": 1},
    {"left": 1, "right": 1, "measure": "z", "min_freq": 1},
    {"left": 4, "right": 2, "measure": "g2", "min_freq": 2, "top": 3},
    {"left": 3, "right": 3, "measure": "mi3", "min_freq": 1, "top": 10},
    {"left": 2, "right": 2, "measure": "dice", "min_freq": 1, "top": 4},
]


@pytest.mark.parametrize("by_position", [False, True])
@pytest.mark.parametrize("options", COLLOCATIONS, ids=lambda o: "-".join(map(str, o.values())))
@pytest.mark.parametrize("pattern", ["في", "سوريا", "الأمن"])
def test_layer_collocates_are_the_collocates_of_the_text(seeds, pattern, options, by_position) -> None:
    normalizer = Normalizer.for_level(Level.standard)
    docs = seeds + _docs(MIXED)
    layer = build_layer((d.text for d in docs), normalizer)
    query = _query(pattern, normalizer)
    nodes = node_arrays(layer, query)
    assert nodes is not None
    top = options.get("top", 0)
    window = {k: v for k, v in options.items() if k != "top"}
    text = analysis.collocates(docs, query, by_position=by_position, **window)
    found = analysis.layer_collocates(layer, nodes, normalizer, by_position=by_position, top=top, **window)
    assert found == text._replace(rows=text.rows[:top] if top else text.rows)
    assert found.rows and found.f_node == len(nodes.positions)
    if by_position:
        assert all(sum(r.positions) == r.o11 for r in found.rows)


def test_layer_collocates_of_a_selection_and_with_a_filter(seeds) -> None:
    normalizer = Normalizer.for_level(Level.standard)
    docs = seeds + _docs(MIXED)
    layer = build_layer((d.text for d in docs), normalizer)
    query = _query("الأمن", normalizer, clitics=CliticMode.both)
    chosen = [0, 2, len(seeds), len(seeds) + 3, len(seeds) + 5]
    nodes = node_arrays(layer, query, chosen)
    assert nodes is not None

    def keep(key: str) -> bool:
        return key not in {"في", "من"}

    options = {"left": 3, "right": 3, "measure": "logdice", "min_freq": 1, "keep": keep}
    text = analysis.collocates([docs[i] for i in chosen], query, **options)
    found = analysis.layer_collocates(layer, nodes, normalizer, selected=chosen, top=4, **options)
    assert found == text._replace(rows=text.rows[:4])
    assert {r.key for r in text.rows} & {"في", "من"} == set()


@pytest.mark.parametrize("pattern", ["في", "سوريا", "الوزير", "غير_موجود"])
def test_layer_dispersion_is_the_dispersion_of_the_text(seeds, pattern) -> None:
    normalizer = Normalizer.for_level(Level.standard)
    docs = seeds + _docs(MIXED)
    layer = build_layer((d.text for d in docs), normalizer)
    query = _query(pattern, normalizer)
    nodes = node_arrays(layer, query)
    assert nodes is not None
    assert analysis.layer_dispersion(layer, nodes, docs, None) == analysis.hit_dispersion(docs, query)
    chosen = [1, 3, len(seeds) + 1, len(seeds) + 3]
    some = node_arrays(layer, query, chosen)
    assert some is not None
    chosen_docs = [docs[i] for i in chosen]
    assert analysis.layer_dispersion(layer, some, chosen_docs, chosen) == analysis.hit_dispersion(
        chosen_docs, query
    )


def test_with_texts_reads_only_the_documents_a_plot_draws(seeds) -> None:
    normalizer = Normalizer.for_level(Level.standard)
    layer = build_layer((d.text for d in seeds), normalizer)
    nodes = node_arrays(layer, _query("لافروف", normalizer))
    assert nodes is not None
    bare = [Document(d.id, d.path, "", d.meta) for d in seeds]
    result = analysis.layer_dispersion(layer, nodes, bare, None)
    asked: list[list[int]] = []

    def read(wanted: list[int]) -> list[Document]:
        asked.append(wanted)
        return [seeds[i] for i in wanted]

    full = analysis.with_texts(result, False, read)
    assert asked == [[i for i, d in enumerate(result.per_doc) if d.offsets]] and asked[0]
    assert [d.doc.text for d in full.per_doc] == [
        seeds[i].text if i in asked[0] else "" for i in range(len(seeds))
    ]
    assert (
        analysis.with_texts(result, True, read).per_doc == analysis.hit_dispersion(seeds, nodes.query).per_doc
    )


@pytest.mark.parametrize(
    "options",
    [
        {"measure": "g2"},
        {"measure": "g2", "negative": True, "min_count": 1},
        {"measure": "logratio", "top": 5},
        {"measure": "pctdiff", "min_count": 1, "top": 8},
        {"measure": "simplemaths", "k": 10.0, "top": 3},
        {"measure": "chi2", "negative": True, "top": 4},
        {"measure": "g2-2term", "min_count": 3},
    ],
    ids=lambda o: "-".join(map(str, o.values())),
)
def test_tally_keywords_are_the_keywords_of_the_text(seeds, options) -> None:
    normalizer = Normalizer.for_level(Level.standard)
    docs = seeds + _docs(MIXED)
    layer = build_layer((d.text for d in docs), normalizer)
    keys = Keys.of(layer, normalizer)
    number = {id(d): i for i, d in enumerate(docs)}

    def count(members):
        return Tally.of(layer, keys, np.asarray(sorted(number[id(d)] for d in members)))

    for target in (docs[:1], docs[1:3], docs[::2]):
        text = analysis.ranked_keywords(
            analysis.keyness_sides(docs, normalizer, target=target, warn=print), **options
        )
        found = analysis.ranked_keywords(
            analysis.keyness_sides(docs, normalizer, target=target, warn=print, count=count), **options
        )
        assert found == text and text


def test_tally_keywords_by_a_field_and_against_a_reference(seeds) -> None:
    normalizer = Normalizer.for_level(Level.standard)
    docs = [Document(d.id, d.path, d.text, {"half": str(i % 2)}) for i, d in enumerate(seeds + _docs(MIXED))]
    layer = build_layer((d.text for d in docs), normalizer)
    keys = Keys.of(layer, normalizer)
    number = {id(d): i for i, d in enumerate(docs)}

    def count(members):
        return Tally.of(layer, keys, np.asarray(sorted(number[id(d)] for d in members)))

    for layer_count in (None, count):
        sides = analysis.keyness_sides(docs, normalizer, by_field="half", warn=print, count=layer_count)
        found = analysis.ranked_keywords(sides, min_count=1, top=6)
        if layer_count is None:
            text = found
    assert found == text and {r.group for r in text} == {"0", "1"}
    reference = SEEDS / "002_54a637c8796560dc.txt"

    def load(path: str) -> list[Document]:
        return [Document("ref", path, Path(path).read_text(encoding="utf-8"))]

    rows = [
        analysis.ranked_keywords(
            analysis.keyness_sides(
                docs[:2], normalizer, reference=str(reference), load_reference=load, warn=print, count=how
            ),
            top=5,
        )
        for how in (None, count)
    ]
    assert rows[0] == rows[1] and rows[0]


def test_word_keys_leave_out_what_is_not_a_word() -> None:
    layer = build_layer(MIXED, Normalizer.for_level(Level.standard))
    keyed = word_keys(layer, Keys.of(layer, Normalizer.for_level(Level.standard))).tolist()
    for spelling, key in enumerate(keyed):
        is_word = layer.kind(spelling) in (Kind.word, Kind.number)
        assert (key != NO_KEY) == (
            is_word and Normalizer.for_level(Level.standard).normalize(layer.form(spelling)) != ""
        )


def test_node_words_of_nodes_are_their_word_indexes() -> None:
    normalizer = Normalizer.for_level(Level.standard)
    layer = build_layer(MIXED, normalizer)
    nodes = node_arrays(layer, _query("الوزير", normalizer))
    assert nodes is not None
    all_words = [w for text in MIXED for w in words(text)]
    assert [all_words[i] for i in node_words(word_positions(layer), nodes).tolist()] == ["الوزير"] * 5
