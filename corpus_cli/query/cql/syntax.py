"""CQL, the query language of the IMS Corpus Workbench (CQP), parsed by hand.

A small recursive-descent parser over the tokens of CQP's own lexer (``cqp/parser.l``):
strings in double or single quotes (a doubled quote stands for one, a backslash passes
through with the character after it, as CQP hands it to PCRE), flags ``%c %d %l``,
identifiers, ``label:``, ``label.attribute``, integers and punctuation.  The grammar is
``cqp/parser.y``'s standard query, without the commands around it::

    query     := ["(?" strategy ")"] sequences ["::" condition] ["within" space] ["cut" N] [";"]
    sequences := sequence ("|" sequence)*
    sequence  := factor+
    factor    := atom ["?" | "*" | "+" | "{n}" | "{n,}" | "{,m}" | "{n,m}"]
    atom      := "(" sequences ")" | ["@" [digit] [":"]] [label ":"] token
    token     := STRING [flags] | "[]" | "[" condition "]"
    condition := or ("->" or)* ; or := and ("|" and)* ; and := not ("&" not)*
    not       := "!" not | "(" condition ")" | operand [op operand]

Hand-written rather than generated, or borrowed from a CQL parser on PyPI (BlackLab's
dialect differs from CQP's: no ``%d``, no global constraints, other anchors): every error
says which token was expected at which column of the query, which the CLI shows with a
caret under it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from ...errors import CorpusError

#: CQP's HardBoundary: a query without ``within`` matches at most this many tokens past its
#: first (CQP's option ``HardBoundary``, 500 by default).
HARD_BOUNDARY = 500
#: The attribute a bare ``"value"`` is compared with.
DEFAULT_ATTRIBUTE = "word"
STRATEGIES = ("standard", "shortest", "longest")


class CqlSyntaxError(CorpusError):
    """A query CQL cannot read: the message and the column (from 0) it is about."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def pointed(self, text: str) -> str:
        """The message, then the query, then a caret under the column: what the CLI prints
        (after ``corpus: ``, so the query is indented to line up with the first line)."""
        line = text.replace("\n", " ").replace("\t", " ")
        return (
            f"CQL syntax error at column {self.column + 1}: {self.message}\n  {line}\n  {' ' * self.column}^"
        )


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Value:
    """A string a token is compared with: a regular expression (PCRE in CQP) that must
    match the whole value, with CQP's flags (``c``: case, ``d``: diacritics, ``l``: literal)."""

    text: str
    flags: str = ""
    column: int = 0

    @property
    def literal(self) -> str | None:
        """The one string this value matches, when it is one (no operator, no flag but
        ``%l``), else None."""
        if "l" in self.flags:
            return self.text
        if self.flags or any(c in _REGEX_OPERATORS for c in self.text):
            return None
        return self.text


_REGEX_OPERATORS = frozenset(".^$*+?{}[]()|\\")


@dataclass(frozen=True)
class Reference:
    """A label's position or one of its token's attributes: ``a``, ``a.word``,
    ``match.doc_id`` (``attribute`` None: the position itself)."""

    label: str
    attribute: str | None
    column: int = 0


@dataclass(frozen=True)
class Attribute:
    """An attribute of the token being tested (``word`` in ``[word="x"]``)."""

    name: str
    column: int = 0


Operand = Reference | Attribute | Value | int


@dataclass(frozen=True)
class Compare:
    """``left op right``: ``=`` and ``!=`` match regular expressions (or compare two
    references' values); ``< > <= >=`` compare positions or integers."""

    left: Operand
    op: str
    right: Operand
    column: int = 0


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class And:
    left: Condition
    right: Condition


@dataclass(frozen=True)
class Or:
    left: Condition
    right: Condition


@dataclass(frozen=True)
class Implies:
    left: Condition
    right: Condition


@dataclass(frozen=True)
class Anything:
    """``[]``: any token."""


Condition = Compare | Not | And | Or | Implies | Anything


@dataclass(frozen=True)
class Token:
    """One token of the sequence: its condition, its marker (``@``: target, ``@1``:
    keyword), its label (``a:``) and where it is written in the query."""

    condition: Condition
    marker: str | None = None  # "target" | "keyword" | None
    label: str | None = None
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Sequence:
    items: tuple[Pattern, ...]


@dataclass(frozen=True)
class Alternatives:
    options: tuple[Pattern, ...]


@dataclass(frozen=True)
class Repeat:
    item: Pattern
    least: int
    most: int | None  # None: unbounded


Pattern = Token | Sequence | Alternatives | Repeat


class Within(NamedTuple):
    """``within 3 s``: ``unit`` is ``words`` or a structure (``s``, ``doc``), ``count``
    how many of them."""

    unit: str
    size: int


@dataclass(frozen=True)
class CqlQuery:
    text: str
    pattern: Pattern
    constraint: Condition | None = None
    within: Within | None = None
    strategy: str | None = None  # an embedded (?longest) etc.
    cut: int | None = None
    warnings: tuple[str, ...] = field(default=())

    def tokens(self) -> list[Token]:
        """The token patterns of the query, in the order they are written."""
        return list(_tokens(self.pattern))

    def source(self, token: Token) -> str:
        """How ``token`` is written in the query."""
        return self.text[token.start : token.end]

    def attributes(self) -> set[str]:
        """The token attributes the query tests, in its token patterns and its global
        constraint (``a.lemma``): which ones the layer must have (``lemma`` needs the
        morphology)."""
        names: set[str] = set()
        conditions = [token.condition for token in self.tokens()]
        if self.constraint is not None:
            conditions.append(self.constraint)
        while conditions:
            condition = conditions.pop()
            if isinstance(condition, Not):
                conditions.append(condition.operand)
            elif isinstance(condition, And | Or | Implies):
                conditions += [condition.left, condition.right]
            elif isinstance(condition, Compare):
                for operand in (condition.left, condition.right):
                    if isinstance(operand, Attribute):
                        names.add(operand.name)
                    elif isinstance(operand, Reference) and operand.attribute is not None:
                        names.add(operand.attribute)
        return names


def _tokens(pattern: Pattern) -> Iterator[Token]:
    if isinstance(pattern, Token):
        yield pattern
    elif isinstance(pattern, Repeat):
        yield from _tokens(pattern.item)
    elif isinstance(pattern, Sequence):
        for item in pattern.items:
            yield from _tokens(item)
    else:
        for option in pattern.options:
            yield from _tokens(option)


def unbounded(pattern: Pattern) -> bool:
    """Can ``pattern`` match any number of tokens (``*``, ``+`` or ``{n,}``)?"""
    if isinstance(pattern, Token):
        return False
    if isinstance(pattern, Repeat):
        return pattern.most is None or unbounded(pattern.item)
    parts = pattern.items if isinstance(pattern, Sequence) else pattern.options
    return any(unbounded(p) for p in parts)


# --------------------------------------------------------------------------- the lexer


class Lexeme(NamedTuple):
    kind: str  # "string", "flags", "id", "label", "qid", "int", "[]", "end", or the punctuation
    text: str  # a string's value (quotes removed), else as written
    column: int


_PUNCTUATION = ("::", "->", "!=", "<=", ">=", "(?", "[", "]", "(", ")", "{", "}", ",", "|", "&", "!", "=")
_SINGLE = "<>@:?*+;"


def lex(text: str) -> list[Lexeme]:
    """The lexemes of ``text`` as CQP's lexer cuts them, with their columns."""
    out: list[Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c == "#":  # a comment to the end of the line
            while i < n and text[i] != "\n":
                i += 1
            continue
        if c in "\"'":
            i = _string(text, i, out)
            continue
        if c == "%" and i + 1 < n and "a" <= text[i + 1] <= "z":
            j = i + 1
            while j < n and "a" <= text[j] <= "z":
                j += 1
            out.append(Lexeme("flags", text[i + 1 : j], i))
            i = j
            continue
        if c == "[":
            j = i + 1
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] == "]":
                out.append(Lexeme("[]", text[i : j + 1], i))
                i = j + 1
                continue
        if c.isascii() and (c.isdigit() or (c in "+-" and i + 1 < n and text[i + 1].isdigit())):
            if c in "+-" and out and out[-1].kind in ("id", "string", "]", ")", "int", "[]", "qid"):
                pass  # a quantifier, not a sign
            else:
                j = i + 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
                out.append(Lexeme("int", text[i:j], i))
                i = j
                continue
        if c.isascii() and (c.isalpha() or c == "_"):
            j = i + 1
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] in "_-"):
                j += 1
            word = text[i:j]
            if j < n and text[j] == ":" and text[j : j + 2] != "::":
                out.append(Lexeme("label", word, i))
                i = j + 1
                continue
            if (
                j + 1 < n
                and text[j] == "."
                and text[j + 1].isascii()
                and (text[j + 1].isalpha() or text[j + 1] == "_")
            ):
                k = j + 2
                while k < n and text[k].isascii() and (text[k].isalnum() or text[k] in "_-"):
                    k += 1
                out.append(Lexeme("qid", text[i:k], i))
                i = k
                continue
            out.append(Lexeme("id", word, i))
            i = j
            continue
        for mark in _PUNCTUATION:
            if text.startswith(mark, i):
                out.append(Lexeme(mark, mark, i))
                i += len(mark)
                break
        else:
            if c in _SINGLE:
                out.append(Lexeme(c, c, i))
                i += 1
            else:
                raise CqlSyntaxError(f"unexpected character {c!r}", i)
    out.append(Lexeme("end", "", n))
    return out


def _string(text: str, i: int, out: list[Lexeme]) -> int:
    """Read the string that starts at ``i``; return where it ends."""
    quote = text[i]
    chars: list[str] = []
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\" and j + 1 < n and text[j + 1] not in "\r\n":
            chars.append(text[j : j + 2])  # passed to the regular expression as written
            j += 2
        elif c == quote:
            if j + 1 < n and text[j + 1] == quote:  # a doubled quote: one, in the value
                chars.append(quote)
                j += 2
            else:
                out.append(Lexeme("string", "".join(chars), i))
                return j + 1
        elif c in "\r\n":
            break
        else:
            chars.append(c)
            j += 1
    raise CqlSyntaxError(f"the string that starts here has no closing {quote}", i)


# --------------------------------------------------------------------------- the parser


_FIELDS = ("match", "matchend", "target", "keyword", "collocate")
_COMPARISONS = ("=", "!=", "<", ">", "<=", ">=")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lexemes = lex(text)
        self.at = 0
        self.labels: set[str] = set()

    @property
    def next(self) -> Lexeme:
        return self.lexemes[self.at]

    def take(self) -> Lexeme:
        lexeme = self.lexemes[self.at]
        self.at += 1
        return lexeme

    def accept(self, kind: str) -> Lexeme | None:
        if self.next.kind == kind:
            return self.take()
        return None

    def expect(self, kind: str, what: str) -> Lexeme:
        if self.next.kind != kind:
            self.fail(f"expected {what}")
        return self.take()

    def fail(self, expected: str) -> None:
        lexeme = self.next
        found = "the end of the query" if lexeme.kind == "end" else _shown(lexeme)
        raise CqlSyntaxError(f"{expected}, found {found}", lexeme.column)

    # ---------------------------------------------------------------- query

    def query(self) -> CqlQuery:
        strategy = None
        if self.next.kind == "(?":
            opening = self.take()
            name = self.expect("id", "a matching strategy (longest, shortest or standard)")
            if name.text not in STRATEGIES:
                raise CqlSyntaxError(
                    f"unknown matching strategy '{name.text}' (longest, shortest or standard)", name.column
                )
            self.expect(")", "')' after the matching strategy")
            strategy = name.text
            del opening
        if self.next.kind == "end":
            self.fail('expected a token pattern such as [word="..."] or "..."')
        pattern = self.sequences()
        constraint = within = cut = None
        while self.next.kind in ("::", "id") and self.next.kind != "end":
            lexeme = self.next
            if lexeme.kind == "::" and constraint is None:
                self.take()
                constraint = self.condition(global_=True)
            elif lexeme.kind == "id" and lexeme.text == "within" and within is None:
                self.take()
                within = self.space()
            elif lexeme.kind == "id" and lexeme.text == "cut" and cut is None:
                self.take()
                cut = int(self.expect("int", "the number of matches to keep after 'cut'").text)
            else:
                break
        self.accept(";")
        if self.next.kind != "end":
            expected = "expected a token pattern, '|', '::', 'within', 'cut' or the end of the query"
            self.fail(expected)
        warnings: tuple[str, ...] = ()
        if within is None and unbounded(pattern):
            warnings = (
                f"an unbounded repetition without 'within': matches stop {HARD_BOUNDARY} tokens after "
                "their first token, as CQP's HardBoundary has them (add 'within s' or 'within doc')",
            )
        return CqlQuery(self.text, pattern, constraint, within, strategy, cut, warnings)

    def space(self) -> Within:
        number = self.accept("int")
        count = int(number.text) if number is not None else 1
        if number is not None and count < 0:
            raise CqlSyntaxError("'within' needs a number of 0 or more", number.column)
        unit = self.accept("id")
        if unit is None:
            if number is None:
                self.fail("expected 's', 'doc' or a number of tokens after 'within'")
            return Within("words", count)
        name = unit.text
        if name in ("word", "words"):
            return Within("words", count)
        if name in ("s", "doc"):
            if count == 0:
                raise CqlSyntaxError(f"'within 0 {name}' matches nothing", unit.column)
            return Within(name, count)
        raise CqlSyntaxError(f"unknown structure '{name}' (this corpus has s and doc)", unit.column)

    # ---------------------------------------------------------------- the token sequence

    def sequences(self) -> Pattern:
        options = [self.sequence()]
        while self.accept("|"):
            options.append(self.sequence())
        return options[0] if len(options) == 1 else Alternatives(tuple(options))

    def sequence(self) -> Pattern:
        items = [self.factor()]
        while self.next.kind in ("(", "string", "[", "[]", "@", "label"):
            items.append(self.factor())
        return items[0] if len(items) == 1 else Sequence(tuple(items))

    def factor(self) -> Pattern:
        atom = self.atom()
        kind = self.next.kind
        if kind == "?":
            self.take()
            return Repeat(atom, 0, 1)
        if kind == "*":
            self.take()
            return Repeat(atom, 0, None)
        if kind == "+":
            self.take()
            return Repeat(atom, 1, None)
        if kind == "{":
            return self.repeat(atom)
        return atom

    def repeat(self, atom: Pattern) -> Pattern:
        opening = self.take()
        least: int | None = None
        if self.next.kind == "int":
            least = self._count()
        if self.accept("}"):
            if least is None:
                raise CqlSyntaxError("expected a number in '{}'", opening.column + 1)
            return Repeat(atom, least, least)
        self.expect(",", "',' or '}' in a repetition")
        most = self._count() if self.next.kind == "int" else None
        if least is None and most is None:
            self.fail("expected a number in '{,}'")
        self.expect("}", "'}' at the end of the repetition")
        if least is not None and most is not None and most < least:
            raise CqlSyntaxError("invalid repetition range (maximum < minimum)", opening.column)
        return Repeat(atom, least or 0, most)

    def _count(self) -> int:
        lexeme = self.take()
        value = int(lexeme.text)
        if value < 0 or lexeme.text[0] in "+-":
            raise CqlSyntaxError("expected a non-negative integer value", lexeme.column)
        return value

    def atom(self) -> Pattern:
        start = self.next.column
        if self.next.kind == "<":
            raise CqlSyntaxError(
                "structure tags such as <s> and </s> are not supported: use 'within s' (or 'within doc')",
                start,
            )
        if self.accept("("):
            inner = self.sequences()
            self.expect(")", "')' to close the group")
            return inner
        marker = None
        if self.next.kind == "@":
            self.take()
            number = self.accept("int")
            if number is not None:
                digit = int(number.text)
                if not 0 <= digit <= 9:
                    raise CqlSyntaxError("expected number between 0 and 9", number.column)
                marker = "target" if digit == 0 else "keyword" if digit == 1 else None
            else:
                marker = "target"
            self.accept(":")
        label = None
        if self.next.kind == "label":
            lexeme = self.take()
            label = lexeme.text
            if label in _FIELDS or label == "_":
                raise CqlSyntaxError(f"'{label}' is a reserved name, not a label", lexeme.column)
            self.labels.add(label)
        condition = self.token()
        return Token(
            condition,
            marker,
            label,
            start,
            self.lexemes[self.at - 1].column + len(self._written(self.at - 1)),
        )

    def _written(self, index: int) -> str:
        """How lexeme ``index`` is written (its length in the query)."""
        lexeme = self.lexemes[index]
        following = self.lexemes[index + 1].column if index + 1 < len(self.lexemes) else len(self.text)
        return self.text[lexeme.column : following].rstrip()

    def token(self) -> Condition:
        lexeme = self.next
        if lexeme.kind == "string":
            self.take()
            value = Value(lexeme.text, self.flags(), lexeme.column)
            return Compare(Attribute(DEFAULT_ATTRIBUTE, lexeme.column), "=", value, lexeme.column)
        if lexeme.kind == "[]":
            self.take()
            return Anything()
        if lexeme.kind == "[":
            self.take()
            condition = self.condition(global_=False)
            self.expect("]", "']' to close the token pattern")
            return condition
        self.fail('expected a token pattern such as [word="..."] or "..."')
        raise AssertionError  # fail raises

    def flags(self) -> str:
        lexeme = self.accept("flags")
        if lexeme is None:
            return ""
        for flag in lexeme.text:
            if flag not in "cdl":
                raise CqlSyntaxError(f"unknown flag %{flag} (CQL has %c, %d and %l)", lexeme.column)
        if "l" in lexeme.text and lexeme.text != "l":
            raise CqlSyntaxError("%l cannot be combined with %c or %d", lexeme.column)
        return lexeme.text

    # ---------------------------------------------------------------- conditions

    def condition(self, *, global_: bool) -> Condition:
        left = self.disjunction(global_)
        while self.accept("->"):
            left = Implies(left, self.disjunction(global_))
        return left

    def disjunction(self, global_: bool) -> Condition:
        left = self.conjunction(global_)
        while self.accept("|"):
            left = Or(left, self.conjunction(global_))
        return left

    def conjunction(self, global_: bool) -> Condition:
        left = self.negation(global_)
        while self.accept("&"):
            left = And(left, self.negation(global_))
        return left

    def negation(self, global_: bool) -> Condition:
        if self.accept("!"):
            return Not(self.negation(global_))
        if self.accept("("):
            inner = self.condition(global_=global_)
            self.expect(")", "')' to close the parenthesis")
            return inner
        return self.comparison(global_)

    def comparison(self, global_: bool) -> Condition:
        lexeme = self.next
        left = self.operand(global_, left_side=True)
        op = self.next.kind
        if op == "not" or (self.next.kind == "id" and self.next.text in ("contains", "matches", "not")):
            raise CqlSyntaxError(
                "'contains' and 'matches' (feature sets) are not supported", self.next.column
            )
        if op not in _COMPARISONS:
            if op in ("<", ">"):
                pass
            self.fail("expected '=', '!=' or a comparison after " + _shown(lexeme))
        self.take()
        right = self.operand(global_, left_side=False)
        if isinstance(right, Value) and op not in ("=", "!="):
            raise CqlSyntaxError(f"a string is compared with = or !=, not {op}", right.column)
        if isinstance(left, Attribute) and not isinstance(right, Value):
            column = right.column if isinstance(right, (Reference, Attribute)) else lexeme.column
            raise CqlSyntaxError(
                "a token's attribute is compared with a string here (label references inside a token "
                "pattern are not supported)",
                column,
            )
        return Compare(left, op, right, lexeme.column)

    def operand(self, global_: bool, *, left_side: bool) -> Operand:
        lexeme = self.next
        if lexeme.kind == "string" and not left_side:
            self.take()
            return Value(lexeme.text, self.flags(), lexeme.column)
        if lexeme.kind == "int" and not left_side:
            self.take()
            return int(lexeme.text)
        if lexeme.kind == "qid":
            self.take()
            label, _, attribute = lexeme.text.partition(".")
            if label == "_":
                if global_:
                    raise CqlSyntaxError(
                        "'_' (this token) has no meaning in a global constraint", lexeme.column
                    )
                return Attribute(attribute, lexeme.column)
            self._check_label(label, lexeme.column)
            if not global_:
                raise CqlSyntaxError(
                    "label references inside a token pattern are not supported", lexeme.column
                )
            return Reference(label, attribute, lexeme.column)
        if lexeme.kind == "id":
            self.take()
            if global_:
                self._check_label(lexeme.text, lexeme.column)
                return Reference(lexeme.text, None, lexeme.column)
            if not left_side:
                raise CqlSyntaxError(
                    "label references inside a token pattern are not supported", lexeme.column
                )
            return Attribute(lexeme.text, lexeme.column)
        if left_side:
            self.fail(
                "expected an attribute name" if not global_ else "expected a label reference such as a.word"
            )
        self.fail("expected a string in quotes")
        raise AssertionError  # fail raises

    def _check_label(self, label: str, column: int) -> None:
        if label in _FIELDS or label in self.labels:
            return
        raise CqlSyntaxError(
            f"'{label}' is not a label of this query (labels are set with '{label}:[...]')", column
        )


def _shown(lexeme: Lexeme) -> str:
    if lexeme.kind == "string":
        return f'"{lexeme.text}"'
    if lexeme.kind == "label":
        return f"'{lexeme.text}:'"
    return f"'{lexeme.text}'"


def parse(text: str) -> CqlQuery:
    """Parse a CQL query; ``CqlSyntaxError`` says what is wrong and at which column."""
    return _Parser(text).query()
