"""CQL evaluated on small token layers: each construct and strategy on hand-made texts,
and a property against a plain reference (the sets of ends each start reaches, then CQP's
strategies as ``cqp/ranges.c`` defines them), over generated queries and texts."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")

from corpus_cli.query.cql import CqlSyntaxError, Match, find_matches, parse
from corpus_cli.query.cql.evaluate import automaton, token_counts
from corpus_cli.query.cql.hits import cql_hits, document_counts, place, sequence_counts
from corpus_cli.store.layer import TokenLayer, build_layer
from corpus_cli.text.normalize import Level, Normalizer

STANDARD = Normalizer.for_level(Level.standard)


def spans(layer: TokenLayer, text: str, strategy: str = "standard", **kw: object) -> list[tuple[int, int]]:
    return [
        (m.first, m.last)
        for m in find_matches(layer, parse(text), normalizer=STANDARD, strategy=strategy, **kw)
    ]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def abc() -> TokenLayer:
    # positions: 0 x 1 a 2 b 3 c 4 . | 5 a 6 a 7 b 8 . 9 b 10 c | 11 a 12 b
    return build_layer(["x a b c. a a b. b c", "a b"], STANDARD)


def test_the_layer_of_the_tests(abc: TokenLayer) -> None:
    assert [abc.form(abc.tok[i]) for i in range(abc.tokens)] == list("xabc.aab.bcab")
    assert list(abc.sentence_starts) == [0, 5, 9, 11, 13]
    assert list(abc.docs) == [0, 11, 13]


def test_a_sequence(abc: TokenLayer) -> None:
    assert spans(abc, '"a" "b"') == [(1, 2), (6, 7), (11, 12)]
    assert spans(abc, '[orig="a"] [] [orig!="b"]') == [(1, 3), (6, 8)]


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        # optional tokens at the start are taken in, not those at the end
        ("standard", [(1, 2), (5, 7), (9, 9), (11, 12)]),
        # no match holds another
        ("shortest", [(2, 2), (7, 7), (9, 9), (12, 12)]),
        # no match is held in another
        ("longest", [(1, 3), (5, 7), (9, 10), (11, 12)]),
    ],
)
def test_the_strategies(abc: TokenLayer, strategy: str, expected: list[tuple[int, int]]) -> None:
    assert spans(abc, '"a"* "b" "c"?', strategy) == expected


def test_an_embedded_strategy_wins(abc: TokenLayer) -> None:
    assert spans(abc, '(?longest) "b" "c"?', "shortest") == [(2, 3), (7, 7), (9, 10), (12, 12)]


def test_repetition_and_groups(abc: TokenLayer) -> None:
    assert spans(abc, '"a"{2}') == [(5, 6)]
    assert spans(abc, '"a"{1,2} "b"', "longest") == [(1, 2), (5, 7), (11, 12)]
    assert spans(abc, '("a" "b"){1,2}', "longest") == [(1, 2), (6, 7), (11, 12)]
    assert spans(abc, '[orig="[abc]"]+', "longest") == [(1, 3), (5, 7), (9, 10), (11, 12)]


def test_alternatives_of_sequences(abc: TokenLayer) -> None:
    assert spans(abc, '"x" "a" | "b" "c"') == [(0, 1), (2, 3), (9, 10)]


def test_within(abc: TokenLayer) -> None:
    assert spans(abc, '"a" []* "c"', "longest") == [(1, 10)]  # (5, 10) is held in it
    assert spans(abc, '"a" []* "c"') == [(1, 3), (5, 10)]
    assert spans(abc, '"a" []* "c" within s') == [(1, 3)]
    assert spans(abc, '"a" []* "c" within 2 s') == [(1, 3), (5, 10)]
    assert spans(abc, '"a" []* "c" within doc', "longest") == [(1, 10)]
    # within N: tokens up to start + N (CQP's calculate_rightboundary)
    assert spans(abc, '"a" []* "c" within 2') == [(1, 3)]
    assert spans(abc, '"x" []* "c" within 2') == []
    assert spans(abc, '"x" []* "c" within 3') == [(0, 3)]


def test_documents_bound_matches_unless_asked(abc: TokenLayer) -> None:
    assert spans(abc, '"c" "a"') == []
    assert spans(abc, '"c" "a"', within_documents=False) == [(10, 11)]


def test_selected_documents(abc: TokenLayer) -> None:
    assert spans(abc, '"a" "b"', selected=[1]) == [(11, 12)]


def test_target_and_keyword(abc: TokenLayer) -> None:
    found = find_matches(abc, parse('"a" @"b" @1[]'), normalizer=STANDARD)
    assert found == [Match(1, 3, 2, 3), Match(6, 8, 7, 8)]
    plain = find_matches(abc, parse('"a" "b"'), normalizer=STANDARD)
    assert {(m.target, m.keyword) for m in plain} == {(None, None)}
    optional = find_matches(abc, parse('@"x"? "a"'), normalizer=STANDARD)
    assert optional == [
        Match(0, 1, 0, None),
        Match(5, 5, None, None),
        Match(6, 6, None, None),
        Match(11, 11, None, None),
    ]


def test_global_constraints_on_labels(abc: TokenLayer) -> None:
    assert spans(abc, "p:[] q:[] :: p.orig = q.orig") == [(5, 6)]
    assert spans(abc, 'p:[] []* q:"c" :: p.orig = "a" within s') == [(1, 3)]
    assert spans(abc, 'p:[orig="[ab]"] q:[] :: q.orig != "b" & p < q') == [(2, 3), (5, 6), (7, 8), (9, 10)]


def test_global_constraints_on_metadata(abc: TokenLayer) -> None:
    documents = [{"id": "one", "Source": "okaz"}, {"id": "two", "Source": "sabq"}]
    assert spans(abc, '"a" "b" :: match.doc_id = "two"', documents=documents) == [(11, 12)]
    # a field's own name, or its VRT attribute name
    assert spans(abc, '"a" "b" :: match.doc_Source = "ok.*"', documents=documents) == [(1, 2), (6, 7)]
    assert spans(abc, '"a" "b" :: match.doc_source != "okaz"', documents=documents) == [(11, 12)]
    with pytest.raises(CqlSyntaxError, match="no document metadata"):
        spans(abc, '"a" :: match.doc_id = "x"')


def test_cut(abc: TokenLayer) -> None:
    assert spans(abc, '"a" cut 2') == [(1, 1), (5, 5)]


def test_a_query_that_matches_no_token_is_refused(abc: TokenLayer) -> None:
    with pytest.raises(CqlSyntaxError, match="empty sequence"):
        spans(abc, '"a"? []*')


def test_an_unknown_attribute_names_its_column(abc: TokenLayer) -> None:
    with pytest.raises(CqlSyntaxError) as caught:
        spans(abc, '"a" [lemma="b"]')
    assert caught.value.column == 5 and "unknown attribute 'lemma'" in caught.value.message


def test_an_invalid_regular_expression_names_its_value(abc: TokenLayer) -> None:
    with pytest.raises(CqlSyntaxError) as caught:
        spans(abc, '[orig="a("]')
    assert caught.value.column == 6 and "invalid regular expression" in caught.value.message


# --------------------------------------------------------------------------- attributes


@pytest.fixture(scope="module")
def arabic() -> TokenLayer:
    texts = [
        "قال أحمد إن مُحَمَّد وصل في 2015 إلى الرياض.",
        "وقال Apple و apple: احمد والرياض 😀 https://un.org/x",
    ]
    return build_layer(texts, STANDARD)


def forms(layer: TokenLayer, found: Sequence[tuple[int, int]]) -> list[str]:
    return [" ".join(layer.form(layer.tok[p]) for p in range(a, b + 1)) for a, b in found]


def test_word_is_compared_after_normalization(arabic: TokenLayer) -> None:
    assert forms(arabic, spans(arabic, '[word="احمد"]')) == ["أحمد", "احمد"]
    assert forms(arabic, spans(arabic, '"أحمد"')) == ["أحمد", "احمد"]
    assert forms(arabic, spans(arabic, '[word="أ.*د"]')) == ["أحمد", "احمد"]  # its letters normalized
    assert forms(arabic, spans(arabic, '[word="محمد"]')) == ["مُحَمَّد"]


def test_orig_is_the_spelling_as_written(arabic: TokenLayer) -> None:
    assert forms(arabic, spans(arabic, '[orig="احمد"]')) == ["احمد"]
    assert forms(arabic, spans(arabic, '[orig="محمد"]')) == []
    assert forms(arabic, spans(arabic, '[orig="محمد"%d]')) == ["مُحَمَّد"]
    assert forms(arabic, spans(arabic, '[orig="ا.*"%d]')) == ["أحمد", "إن", "إلى", "الرياض", "احمد"]
    assert forms(arabic, spans(arabic, '[orig="apple"%c]')) == ["Apple", "apple"]
    assert forms(arabic, spans(arabic, '[orig="."%l]')) == ["."]


def test_norm_is_the_key_compared_as_written(arabic: TokenLayer) -> None:
    assert forms(arabic, spans(arabic, '[norm="احمد"]')) == ["أحمد", "احمد"]
    assert forms(arabic, spans(arabic, '[norm="أحمد"]')) == []


def test_kind(arabic: TokenLayer) -> None:
    assert forms(arabic, spans(arabic, '[kind="number"]')) == ["2015"]
    assert forms(arabic, spans(arabic, '[kind="url|emoji"]')) == ["😀", "https://un.org/x"]
    assert forms(arabic, spans(arabic, '[kind="word" & orig="و.*"]')) == ["وصل", "وقال", "و", "والرياض"]


def test_token_counts_name_what_matches_nothing(arabic: TokenLayer) -> None:
    query = parse('"قال" [orig="زززز"] []')
    counted = [(query.source(t), n) for t, n in token_counts(arabic, query, STANDARD)]
    assert counted == [('"قال"', 1), ('[orig="زززز"]', 0), ("[]", arabic.tokens)]


# --------------------------------------------------------------------------- hits


def test_hits_span_from_the_first_token_to_the_last() -> None:
    texts = ["سطر أول\nقال وزير الخارجية اليوم", "وزير  الخارجية"]
    layer = build_layer(texts, STANDARD)
    groups = list(cql_hits(layer, '"وزير" "الخارجية"', STANDARD))
    assert [(g.number, [(h.line_no, texts[g.number][h.start : h.end]) for h in g.hits]) for g in groups] == [
        (0, [(2, "وزير الخارجية")]),
        (1, [(1, "وزير  الخارجية")]),
    ]
    matches = find_matches(layer, parse('"وزير" []'), normalizer=STANDARD)
    assert [r for r in sequence_counts(layer, matches, STANDARD)] == [("وزير الخارجية", 2, 2)]
    assert [r for r in document_counts(layer, matches, ["okaz", "sabq"])] == [("okaz", 1, 1), ("sabq", 1, 1)]
    assert list(place(layer, [], STANDARD)) == []


def test_a_hit_ends_where_a_one_token_hit_ends() -> None:
    """A tatweel after the last letter is left out of the hit, as kwic leaves it out."""
    text = "قال الوزيرــــ اليوم"
    layer = build_layer([text], STANDARD)
    (group,) = cql_hits(layer, '"قال" "الوزير"', STANDARD)
    assert text[group.hits[0].start : group.hits[0].end] == "قال الوزير"


# --------------------------------------------------------------------------- the reference


class _Ref:
    """The matches by definition: from each start, every end its pattern reaches."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens

    def ends(self, node: object, pos: int, bound: int) -> set[int]:
        from corpus_cli.query.cql.syntax import Alternatives, Repeat, Sequence, Token

        if isinstance(node, Token):
            return {pos + 1} if pos <= bound and self.holds(node.condition, self.tokens[pos]) else set()
        if isinstance(node, Sequence):
            current = {pos}
            for item in node.items:
                current = {e for p in current for e in self.ends(item, p, bound)}
            return current
        if isinstance(node, Alternatives):
            return {e for option in node.options for e in self.ends(option, pos, bound)}
        assert isinstance(node, Repeat)
        current = {pos}
        for _ in range(node.least):
            current = {e for p in current for e in self.ends(node.item, p, bound)}
        found = set(current)
        if node.most is None:
            frontier = set(current)
            while frontier:
                frontier = {e for p in frontier for e in self.ends(node.item, p, bound)} - found
                found |= frontier
        else:
            for _ in range(node.most - node.least):
                current = {e for p in current for e in self.ends(node.item, p, bound)}
                found |= current
        return found

    def holds(self, condition: object, token: str) -> bool:
        from corpus_cli.query.cql.syntax import Anything, Compare, Not, Or

        if isinstance(condition, Anything):
            return True
        if isinstance(condition, Not):
            return not self.holds(condition.operand, token)
        if isinstance(condition, Or):
            return self.holds(condition.left, token) or self.holds(condition.right, token)
        assert isinstance(condition, Compare)
        found = re.fullmatch(condition.right.text, token) is not None  # type: ignore[union-attr]
        return found if condition.op == "=" else not found


def reference(layer: TokenLayer, text: str, strategy: str) -> list[tuple[int, int]]:
    query = parse(text)
    tokens = [layer.form(layer.tok[i]) for i in range(layer.tokens)]
    ref = _Ref(tokens)
    docs, sentences = list(layer.docs), list(layer.sentence_starts)
    found = []
    for start in range(layer.tokens):
        doc_end = next(d for d in docs if d > start) - 1
        if query.within is None:
            bound = start + 500
        elif query.within.unit == "words":
            bound = start + query.within.size
        else:
            regions = sentences if query.within.unit == "s" else docs
            index = max(i for i, r in enumerate(regions[:-1]) if r <= start)
            last = min(index + query.within.size - 1, len(regions) - 2)
            bound = regions[last + 1] - 1
        bound = min(bound, doc_end, layer.tokens - 1)
        ends = {e - 1 for e in ref.ends(query.pattern, start, bound) if e > start}
        if ends:
            found.append((start, max(ends) if strategy == "longest" else min(ends)))
    if strategy == "standard":
        return [m for m in found if not any(o[1] == m[1] and o[0] < m[0] for o in found)]
    if strategy == "shortest":
        return [m for m in found if not any(o != m and m[0] <= o[0] and o[1] <= m[1] for o in found)]
    return [m for m in found if not any(o != m and o[0] <= m[0] and m[1] <= o[1] for o in found)]


CONDITIONS = [
    '"a"',
    '[orig="b"]',
    '[orig!="a"]',
    "[]",
    '[orig="a|c"]',
    '[orig="\\."]',
    '[!orig="c" | orig="c"]',
]


def _patterns() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        quantifiers = st.sampled_from(["?", "*", "+", "{2}", "{0,2}", "{1,3}", "{2,}", "{,2}"])
        return st.one_of(
            st.lists(inner, min_size=2, max_size=3).map(" ".join),
            st.lists(inner, min_size=2, max_size=2).map(lambda o: f"({o[0]} | {o[1]})"),
            st.tuples(inner, quantifiers).map(lambda t: f"({t[0]}){t[1]}"),
        )

    return st.recursive(st.sampled_from(CONDITIONS), extend, max_leaves=5)


TEXTS = st.lists(
    st.lists(st.sampled_from(["a", "b", "c", "a", "b", "."]), min_size=1, max_size=12).map(" ".join),
    min_size=1,
    max_size=3,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    TEXTS,
    _patterns(),
    st.sampled_from(["", " within s", " within doc", " within 2", " within 2 s"]),
    st.sampled_from(["standard", "shortest", "longest"]),
)
def test_matches_are_those_of_the_definition(
    texts: list[str], pattern: str, within: str, strategy: str
) -> None:
    layer = build_layer(texts, STANDARD)
    text = pattern + within
    if automaton(parse(text).pattern).nullable:
        with pytest.raises(CqlSyntaxError):
            spans(layer, text, strategy)
        return
    assert spans(layer, text, strategy) == reference(layer, text, strategy)


def test_word_classes_are_pcre_s() -> None:
    """CQP's PCRE2: ``\\w`` and ``[:alpha:]`` are letters (and digits) without marks, so a
    vocalized spelling is no run of them; ``[\\w\\p{M}]+`` is."""
    layer = build_layer(["كَتَبَ كتب × ؟"], STANDARD)
    assert forms(layer, spans(layer, r'[orig="\w+"]')) == ["كتب"]
    assert forms(layer, spans(layer, r'[orig="[[:alpha:]]+"]')) == ["كتب"]
    assert forms(layer, spans(layer, r'[orig="[\w\p{M}]+"]')) == ["كَتَبَ", "كتب"]
    assert forms(layer, spans(layer, r'[orig="\W+"]')) == ["×", "؟"]
    assert forms(layer, spans(layer, r'[orig="[[:punct:]]+"]')) == ["؟"]  # × is a symbol past ASCII
    assert forms(layer, spans(layer, r'[orig="\x{061F}"]')) == ["؟"]
    assert forms(layer, spans(layer, r'[word="\w+"]')) == ["كَتَبَ", "كتب"]  # normalized: no marks left


def test_starts_run_in_chunks_give_the_same_matches(abc: TokenLayer, monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus_cli.query.cql import evaluate

    queries = ['"a"* "b" "c"?', '@[] [orig!="a"]', "p:[] q:[] :: p.orig = q.orig", "[]+ within s"]
    whole = {
        (q, s): find_matches(abc, parse(q), normalizer=STANDARD, strategy=s)
        for q in queries
        for s in ("standard", "longest")
    }
    monkeypatch.setattr(evaluate, "CHUNK", 2)
    chunked = {
        (q, s): find_matches(abc, parse(q), normalizer=STANDARD, strategy=s)
        for q in queries
        for s in ("standard", "longest")
    }
    assert chunked == whole
    assert all(whole.values())


def test_orig_is_compared_in_nfc_as_cqp_stores_it() -> None:
    """cwb-encode puts every token into NFC and CQP a regular expression when it compiles
    it: a spelling with its marks out of canonical order is found by a value written in
    either order (a literal is put into NFC too, as queries sent to CQP are)."""
    shadda_first = "الل\u0651\u064eه"  # shadda before fatha: not NFC
    in_nfc = "الل\u064e\u0651ه"
    layer = build_layer([f"{shadda_first} {in_nfc} الله"], STANDARD)
    assert spans(layer, f'[orig="{in_nfc}"]') == [(0, 0), (1, 1)]
    assert spans(layer, f'[orig="{shadda_first}"]') == [(0, 0), (1, 1)]
    assert spans(layer, f'[orig="{shadda_first}|x"]') == [(0, 0), (1, 1)]
    assert spans(layer, '[orig="الل.+ه"]') == [(0, 0), (1, 1)]
