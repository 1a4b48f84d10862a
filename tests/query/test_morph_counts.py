"""``--attr lemma|root|pos`` in the counts of the token layer: ``morphology.attribute_keys``
(a word without a reading is its own normalized form as a lemma, left out of root and pos),
``freq``'s rows (``layer_freq``), ``collocates`` (``layer_collocates``, nodes of one token
or of a CQL match of several) and ``keywords``' tallies, each checked against counts made
by a plain loop over the words.  The attributes are given by hand (``save_attribute``):
no analyser is needed."""

from __future__ import annotations

from collections import Counter

import pytest

from corpus_cli.query.freq import FreqRequest, layer_freq
from corpus_cli.store.layer import NO_KEY, TokenLayer, build_layer
from corpus_cli.text.normalize import Normalizer
from corpus_cli.text.tokenize import words

np = pytest.importorskip("numpy")

NORM = Normalizer.for_level("standard")

TEXTS = [
    "كتب الوزير رسالة إلى الوزراء. الوزير كتب 2024 hello",
    "الوزراء يكتبون رسالة، ووزير الخارجية كتب رسائل مع الوزير",
    "hello hello رسائل الوزير",
]

#: The readings given by hand: spelling -> (lemma, root, pos), vocalized as an analyser
#: writes them; the other spellings (numbers, Latin, ووزير) have none.
READINGS = {
    "كتب": ("كَتَبَ", "ك ت ب", "VERB"),
    "يكتبون": ("كَتَبَ", "كتب", "verb"),
    "الوزير": ("وَزِير", "وزر", "noun"),
    "الوزراء": ("وَزِير", "و-ز-ر", "noun"),
    "رسالة": ("رِسَالَة", "رسل", "noun"),
    "رسائل": ("رِسَالَة", "رسل", "noun"),
    "الخارجية": ("خَارِجِيّ", "خرج", "adj"),
    "إلى": ("إِلَى", "", "function"),
    "مع": ("مَعَ", "", "function"),
}


def _layer() -> TokenLayer:
    layer = build_layer(TEXTS, NORM)
    for column, name in enumerate(("lemma", "root", "pos")):
        per_form = []
        for form in layer.forms():
            reading = READINGS.get(form)
            per_form.append([reading[column]] if reading and reading[column] else [])
        layer.save_attribute(name, per_form)
    return layer


#: Each word's value as the tests expect it, written out (None: left out).
LEMMA = {
    "كتب": "كتب",
    "يكتبون": "كتب",
    "الوزير": "وزير",
    "الوزراء": "وزير",
    "رسالة": "رسالة",
    "رسائل": "رسالة",
    "الخارجية": "خارجي",
    "إلى": "الى",
    "مع": "مع",
    "ووزير": "ووزير",  # no reading: its normalized form
    "2024": "2024",
    "hello": "hello",
}
ROOT = {"كتب": "كتب", "يكتبون": "كتب", "الوزير": "وزر", "الوزراء": "وزر", "رسالة": "رسل", "رسائل": "رسل"}
ROOT |= {"الخارجية": "خرج"}
POS = {"كتب": "verb", "يكتبون": "verb", "الخارجية": "adj", "إلى": "function", "مع": "function"}
POS |= {w: "noun" for w in ("الوزير", "الوزراء", "رسالة", "رسائل")}
EXPECTED = {"lemma": LEMMA, "root": ROOT, "pos": POS}


def _loop(
    name: str, docs: list[int] | None = None
) -> tuple[Counter[str], Counter[str], dict[str, Counter[str]]]:
    """Counts, documents and spellings per value, by a loop over the words of the texts."""
    counts: Counter[str] = Counter()
    held: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for number, text in enumerate(TEXTS):
        if docs is not None and number not in docs:
            continue
        seen = set()
        for word in words(text):
            value = EXPECTED[name].get(word)
            if value is None:
                continue
            counts[value] += 1
            forms.setdefault(value, Counter())[word] += 1
            seen.add(value)
        held.update(seen)
    return counts, held, forms


def test_attribute_keys_fall_back_to_the_word_for_a_lemma_and_leave_out_root_and_pos() -> None:
    from corpus_cli.query.morphology import attribute_keys

    layer = _layer()
    for name in ("lemma", "root", "pos"):
        found = attribute_keys(layer, NORM, name)
        keys = list(found.keys.keys)
        assert keys == sorted(set(EXPECTED[name].values())), name
        for spelling, form in enumerate(layer.forms()):
            number = int(found.keys.of_form[spelling])
            wanted = EXPECTED[name].get(form)
            assert (None if number == NO_KEY else keys[number]) == wanted, (name, form)
    lemma = attribute_keys(layer, NORM, "lemma")
    # shown: the analyser's lemma unvocalized (hamza kept), the key otherwise
    assert lemma.term(list(lemma.keys.keys).index("الى")) == "إلى"
    assert lemma.term(list(lemma.keys.keys).index("hello")) == "hello"


@pytest.mark.parametrize("name", ["lemma", "root", "pos"])
def test_freq_rows_count_values_as_the_loop_does(name: str) -> None:
    from corpus_cli.query.morphology import attribute_keys

    layer = _layer()
    attribute = attribute_keys(layer, NORM, name)
    rows, counts, found = layer_freq(
        layer, None, None, FreqRequest(top=0), NORM, None, lambda m: None, attribute=attribute
    )
    expected, held, forms = _loop(name)
    total = sum(len(words(t)) for t in TEXTS)
    assert found and counts.total == total
    assert {row.key: row.count for row in rows} == dict(expected)
    assert {row.key: row.docs for row in rows} == dict(held)
    for row in rows:
        commonest = sorted(forms[row.key].items(), key=lambda item: (-item[1], item[0]))[:3]
        assert list(row.forms) == commonest
        assert row.per_million == pytest.approx(row.count * 1_000_000 / total)
    # most frequent first, ties in the order of the keys
    assert [row.key for row in rows] == sorted(expected, key=lambda k: (-expected[k], k))
    left_out = total - sum(expected.values())
    assert counts.left_out == (0 if name == "lemma" else left_out)  # type: ignore[attr-defined]
    if name == "lemma":
        assert left_out == 0


def test_freq_terms_selection_and_per_document_rows() -> None:
    from corpus_cli.query.morphology import attribute_keys

    layer = _layer()
    attribute = attribute_keys(layer, NORM, "root")
    request = FreqRequest(terms=("ك-ت-ب", "وزر", "قول"))
    rows, _, found = layer_freq(layer, None, [1, 2], request, NORM, None, lambda m: None, attribute=attribute)
    expected, held, _ = _loop("root", [1, 2])
    assert found
    assert [(row.key, row.count, row.docs) for row in rows] == [
        ("كتب", expected["كتب"], held["كتب"]),
        ("وزر", expected["وزر"], held["وزر"]),
        ("قول", 0, 0),
    ]
    assert rows[0].term == "كتب" and rows[2].term == "قول"


def _collocates(
    layer: TokenLayer, nodes: object, name: str, left: int, right: int, **options: object
) -> dict[str, tuple[int, int, int]]:
    from corpus_cli.query.analysis import layer_collocates
    from corpus_cli.query.morphology import attribute_keys

    result = layer_collocates(
        layer,
        nodes,  # type: ignore[arg-type]
        NORM,
        left=left,
        right=right,
        measure="logdice",
        min_freq=1,
        attribute=attribute_keys(layer, NORM, name),
        **options,  # type: ignore[arg-type]
    )
    return {row.key: (row.left, row.right, row.f_coll) for row in result.rows}


def _windows(name: str, first: str, length: int, left: int, right: int) -> dict[str, tuple[int, int, int]]:
    """The loop: per value, its words in the windows before and after each run of
    ``length`` words starting with ``first`` (within a document), and its count."""
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for text in TEXTS:
        found = words(text)
        for i, word in enumerate(found):
            if word != first or i + length > len(found):
                continue
            for other in found[max(0, i - left) : i]:
                if EXPECTED[name].get(other):
                    before[EXPECTED[name][other]] += 1
            for other in found[i + length : i + length + right]:
                if EXPECTED[name].get(other):
                    after[EXPECTED[name][other]] += 1
    totals, _, _ = _loop(name)
    return {key: (before[key], after[key], totals[key]) for key in set(before) | set(after)}


@pytest.mark.parametrize("name", ["lemma", "pos"])
def test_collocates_count_the_words_near_the_node_as_values(name: str) -> None:
    from corpus_cli.query.cooccurrence import node_arrays
    from corpus_cli.query.pattern import MatchOptions, compile_query

    layer = _layer()
    nodes = node_arrays(layer, compile_query("الوزير", NORM, MatchOptions(word=True)))
    assert nodes is not None and len(nodes.positions) == 4
    assert _collocates(layer, nodes, name, 2, 3) == _windows(name, "الوزير", 1, 2, 3)


def test_collocates_of_a_node_of_two_tokens_start_the_right_window_after_it() -> None:
    from corpus_cli.query.cooccurrence import Nodes
    from corpus_cli.query.pattern import MatchOptions, compile_query

    layer = _layer()
    tok = layer.numpy("tok")
    first_form = layer.find_form("ووزير")[0]
    firsts = np.flatnonzero(tok == first_form).astype(np.int64)
    docs = np.searchsorted(layer.numpy("docs"), firsts, side="right").astype(np.int64) - 1
    # ووزير الخارجية: the match's last token is the next one (a word)
    nodes = Nodes(
        layer, compile_query("ووزير", NORM, MatchOptions(word=True)), [first_form], firsts, docs, firsts + 1
    )
    assert _collocates(layer, nodes, "lemma", 3, 3) == _windows("lemma", "ووزير", 2, 3, 3)


def test_keyword_tallies_count_values() -> None:
    from corpus_cli.query.analysis import tally_keywords
    from corpus_cli.query.cooccurrence import Tally
    from corpus_cli.query.morphology import attribute_keys

    layer = _layer()
    attribute = attribute_keys(layer, NORM, "lemma")
    target = Tally.of(layer, attribute.keys, np.asarray([0]), shown=attribute.term)
    rest = Tally.of(layer, attribute.keys, np.asarray([1, 2]), shown=attribute.term)
    rows = tally_keywords(target, rest, min_count=1, negative=False)
    mine, _, _ = _loop("lemma", [0])
    theirs, _, _ = _loop("lemma", [1, 2])
    assert rows, "no keyword"
    for row in rows:
        assert (row.a, row.b) == (mine[row.key], theirs[row.key])
        assert row.a * row.d > row.b * row.c
    assert {row.key: row.term for row in rows}.get("الى") in (None, "إلى")
