"""The CQL parser: the tree of each construct, CQP's lexical rules, and errors that name
the column (from 0) of the token they are about."""

from __future__ import annotations

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.query.cql import CqlSyntaxError, parse
from corpus_cli.query.cql.syntax import (
    Alternatives,
    And,
    Anything,
    Attribute,
    Compare,
    Implies,
    Not,
    Or,
    Reference,
    Repeat,
    Sequence,
    Token,
    Value,
    Within,
    lex,
)


def word(text: str, flags: str = "", column: int = 0) -> Compare:
    return Compare(Attribute("word", column), "=", Value(text, flags, column), column)


def test_a_bare_string_is_the_word_attribute() -> None:
    query = parse('"وزير"')
    assert query.pattern == Token(word("وزير"), None, None, 0, 6)
    assert query.within is None and query.constraint is None and query.warnings == ()


def test_a_sequence_of_token_patterns_with_any_token() -> None:
    query = parse('[word="وزير"] [] [orig!="ال.*"%c]')
    assert isinstance(query.pattern, Sequence)
    first, any_token, last = query.pattern.items
    assert isinstance(first, Token) and first.condition == Compare(
        Attribute("word", 1), "=", Value("وزير", "", 6), 1
    )
    assert isinstance(any_token, Token) and any_token.condition == Anything()
    assert isinstance(last, Token) and last.condition == Compare(
        Attribute("orig", 18), "!=", Value("ال.*", "c", 24), 18
    )
    assert [query.source(t) for t in query.tokens()] == ['[word="وزير"]', "[]", '[orig!="ال.*"%c]']


def test_boolean_operators_have_cqp_precedence() -> None:
    """``->`` binds loosest, then ``|``, then ``&``; ``!`` binds tightest."""
    condition = parse('[word="a" | word="b" & !kind="punct" -> kind="word"]').pattern
    assert isinstance(condition, Token)
    tree = condition.condition
    assert isinstance(tree, Implies)
    assert isinstance(tree.left, Or)
    assert isinstance(tree.left.right, And)
    assert isinstance(tree.left.right.right, Not)


def test_repetitions_over_tokens_and_groups() -> None:
    pattern = parse('"a"? "b"* "c"+ "d"{2} "e"{2,} "f"{,3} "g"{1,4} ("h" "i"){2}').pattern
    assert isinstance(pattern, Sequence)
    bounds = [(p.least, p.most) for p in pattern.items if isinstance(p, Repeat)]
    assert bounds == [(0, 1), (0, None), (1, None), (2, 2), (2, None), (0, 3), (1, 4), (2, 2)]
    group = pattern.items[-1]
    assert isinstance(group, Repeat) and isinstance(group.item, Sequence) and len(group.item.items) == 2


def test_alternatives_of_sequences() -> None:
    pattern = parse('"a" "b" | "c"').pattern
    assert isinstance(pattern, Alternatives)
    assert isinstance(pattern.options[0], Sequence) and isinstance(pattern.options[1], Token)


def test_target_keyword_and_labels() -> None:
    pattern = parse('@"a" @1 b:[] @0:"c" d:"e" :: d.word = b.word').pattern
    assert isinstance(pattern, Sequence)
    markers = [(t.marker, t.label) for t in pattern.items if isinstance(t, Token)]
    assert markers == [("target", None), ("keyword", "b"), ("target", None), (None, "d")]


def test_within_and_global_constraints() -> None:
    query = parse('"a" []* "b" :: match.doc_source = "okaz" & match < 3 within 2 s cut 10;')
    assert query.within == Within("s", 2)
    assert query.cut == 10
    assert isinstance(query.constraint, And)
    assert query.constraint.left == Compare(
        Reference("match", "doc_source", 15), "=", Value("okaz", "", 34), 15
    )
    assert query.constraint.right == Compare(Reference("match", None, 43), "<", 3, 43)
    assert parse('"a" within doc').within == Within("doc", 1)
    assert parse('"a" within 5').within == Within("words", 5)
    assert parse('"a" within 5 words').within == Within("words", 5)


def test_an_embedded_strategy() -> None:
    assert parse('(?longest) "a" "b"?').strategy == "longest"


def test_strings_follow_cqp_quoting() -> None:
    """Single or double quotes; a doubled quote is one; a backslash stays (PCRE reads it)."""
    assert parse("'it''s'").pattern == Token(word("it's"), None, None, 0, 7)
    assert lex(r'"a\"b"')[0].text == r"a\"b"
    assert parse('"ال.*" %c').tokens()[0].condition == word("ال.*", "c")


def test_an_unbounded_repetition_without_within_warns() -> None:
    assert "HardBoundary" in parse('"a" []* "b"').warnings[0]
    assert parse('"a" []* "b" within s').warnings == ()
    assert parse('"a" []{0,5} "b"').warnings == ()


@pytest.mark.parametrize(
    ("query", "column", "message"),
    [
        ('[word="a"', 9, "expected ']'"),
        ('[word="a" []', 10, "expected ']'"),
        ('"a', 0, "no closing"),
        ('{2} "a"', 0, "expected a token pattern"),
        ('"a"{3,2}', 3, "maximum < minimum"),
        ('"a" within', 10, "expected 's', 'doc'"),
        ('"a" within 2 p', 13, "unknown structure 'p'"),
        ('"a" :: x.word="b"', 7, "'x' is not a label"),
        ("[word]", 5, "expected '='"),
        ('[word="a"%x]', 9, "unknown flag %x"),
        ('[word="a"%lc]', 9, "cannot be combined"),
        ('"a" $', 4, "unexpected character"),
        ("", 0, "expected a token pattern"),
        ('(?fastest) "a"', 2, "unknown matching strategy"),
        ("[word = b.word]", 8, "'b' is not a label"),
        ('b:"x" [word = b.word]', 14, "label references inside a token pattern"),
        ('"a" ) "b"', 4, "expected a token pattern, '|'"),
        ('[word < "a"]', 8, "compared with = or !="),
        ('@12 "a"', 1, "between 0 and 9"),
        ('match:"a"', 0, "reserved name"),
    ],
)
def test_errors_name_their_column(query: str, column: int, message: str) -> None:
    with pytest.raises(CqlSyntaxError) as caught:
        parse(query)
    assert caught.value.column == column
    assert message in caught.value.message
    assert isinstance(caught.value, CorpusError)


def test_the_pointed_message_puts_a_caret_under_the_column() -> None:
    with pytest.raises(CqlSyntaxError) as caught:
        parse('"a" [word="b"')
    assert caught.value.pointed('"a" [word="b"').splitlines() == [
        "CQL syntax error at column 14: expected ']' to close the token pattern, found the end of the query",
        '  "a" [word="b"',
        "               ^",
    ]


def test_the_attributes_a_query_tests() -> None:
    """What the layer must have: in the token patterns, and in the constraint after ::."""
    query = parse('[lemma="x" & !(pos="n" | word="y")] a:[] :: a.root="k" & match.doc_id="3"')
    assert query.attributes() == {"lemma", "pos", "word", "root", "doc_id"}
    assert parse('"قال" []').attributes() == {"word"}
    assert parse("[]").attributes() == set()
