"""Turning what the user typed into a compiled query over normalized text.

The query goes through the very function the text goes through.  For a regular
expression only its literal parts are normalized: escapes, classes' syntax, group
openers and quantifiers are kept, so ``أ+`` and ``[أإ]ن`` mean what they say, and a
folded character that happens to be a metacharacter (``؟`` → ``?`` at ``aggressive``) is
escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from time import perf_counter
from typing import Any, NamedTuple

from ..errors import CorpusError
from ..text.clitics import CliticMode, clitic_pattern
from ..text.normalize import MARKS, Normalizer, raw_pattern, rough_pattern
from ..text.tokenize import WORD_END, WORD_START
from ..text.vocalization import MarkConstraint, mark_constraint

_QUANTIFIER = re.compile(r"(?:[*+?]|\{\d*(?:,\d*)?\})[?+]?")
_ESCAPE = re.compile(
    r"\\(?:[pP]\{[^}]*\}|[pP].|N\{[^}]*\}|x\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}"
    r"|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|g<[^>]*>|k<[^>]*>|.)",
    re.DOTALL,
)
_GROUP_OPEN = re.compile(r"\(\?(?:P?<[^>=!]+>|P=[^)]+\)|#[^)]*\)|[:=!>|]|<[=!]|[a-zA-Z\-]+[:)])|\(")
_META = set(".^$|)")
# Lookarounds and absolute anchors can see past a line end when a whole document is
# searched at once: patterns with them are searched line by line.
_NEEDS_LINES = re.compile(r"\(\?<?[=!]|\\[AZzG]")


class MatchOptions(NamedTuple):
    """How a pattern is read: literal (``-F``), whole words, Latin case, clitics, marks."""

    fixed: bool = False
    word: bool = False
    ignore_case: bool = False
    clitics: CliticMode | None = None
    strict_marks: bool = False


class EitherConstraint:
    """The typed marks of several patterns (``-e``): a hit stands when a pattern that
    matches it alone accepts it (one without typed marks accepts any), or when none
    matches it alone (not ours to judge, as in ``MarkConstraint``).  A plain class: a
    named tuple costs a tenth of a millisecond of start-up."""

    __slots__ = ("choices",)

    def __init__(self, choices: tuple[tuple[Any, MarkConstraint | None], ...]) -> None:
        self.choices = choices  # (compiled pattern, its marks)

    def accepts(self, original: str, normalizer: Normalizer) -> bool:
        text = normalizer.normalize(original)
        judged = False
        for regex, constraint in self.choices:
            if regex.fullmatch(text) is None:
                continue
            if constraint is None or constraint.accepts(original, normalizer):
                return True
            judged = True
        return not judged

    def describe(self) -> str:
        return "; ".join(c.describe() for _, c in self.choices if c is not None)


class Query(NamedTuple):
    """A compiled query: ``regex`` runs on text normalized by ``normalizer``.

    ``constraint`` holds the marks typed in a literal query (checked on each hit's
    original text); ``clitics`` says the pattern has pre/stem/post groups.
    """

    source: str
    normalized: str
    regex: Any  # a compiled ``regex`` (or, for plain patterns, ``re``) pattern
    normalizer: Normalizer
    options: MatchOptions
    line_by_line: bool
    constraint: MarkConstraint | EitherConstraint | None = None
    literal: str | None = None  # the normalized query, when it is a plain string
    raw: Any = None  # a compiled pattern over original text that every hit's text matches
    rough: Any = None  # a faster pattern that every match of ``raw`` holds (``rough_pattern``)
    timeout: float | None = None  # seconds the matcher may spend on one document (None: no limit)
    total: Budget | None = None  # the time left to the whole command's matching (``TOTAL_FACTOR``)

    def budget(self) -> Budget:
        """A new document's time: ``timeout``, within what is left of ``total``."""
        return Budget(self.timeout, self.total)

    def index_literal(self) -> str | None:
        """A string every hit's normalized text contains (for an index), if there is one.

        With clitics, the stem without the article and without a final ة or ى (they
        change or drop before clitics); shorter than 3 characters is no use to a
        trigram index.  Where marks are kept (``light``) they may stand between the
        letters of a hit, so no string is certain.
        """
        if self.literal is None or not self.normalizer.marks:
            return None
        word = self.literal
        if self.options.clitics is not None:
            if word.startswith("ال"):
                word = word[2:]
            if word.endswith(("ة", "ى")):
                word = word[:-1]
        return word if len(word) >= 3 else None

    @property
    def clitics(self) -> bool:
        return self.options.clitics is not None

    @property
    def expansion_decides(self) -> bool:
        """Does a line of judgeable text (``normalize.judgeable``) hold a hit exactly when
        ``raw`` matches it?  So for a plain literal: every normalization step that
        ``raw`` allows for works letter by letter, so the expansion is exact as well as
        complete; not with whole words, clitics or typed marks (more to check) or a case
        to ignore."""
        literal = self.literal
        return (
            self.raw is not None
            and literal is not None
            and self.index_literal() == literal
            and len(literal) <= EXPANDED
            and not self.options.word
            and self.options.clitics is None
            and self.constraint is None
            and (not self.options.ignore_case or literal.lower() == literal.upper())
        )

    @property
    def filters_hits(self) -> bool:
        """True when a regex match may still be rejected (so it cannot prefilter lines)."""
        return self.constraint is not None


#: The characters of a literal that its expansion over the original text (``Query.raw``)
#: is made of: compiling one class per character (two patterns of them) takes seconds and
#: gigabytes for a literal of 100,000.  A longer literal is expanded in part: the lines
#: that hold its start are normalized and searched for the whole of it.
EXPANDED = 256

#: ``--timeout``'s default: the seconds a pattern may spend matching one document.
DEFAULT_TIMEOUT = 10.0
#: The whole command's matching may take this many times ``--timeout``: a pattern that
#: takes a little less than its time on each of thousands of documents ends too.
TOTAL_FACTOR = 30


class PatternTimeout(CorpusError):
    """A pattern ran out of its time on a document, or of the whole command's
    (``in_all``): catastrophic backtracking."""

    def __init__(self, seconds: float, in_all: bool = False) -> None:
        where = " in all" if in_all else ""
        super().__init__(f"pattern timed out after {seconds:g} s{where} (simplify it or raise --timeout)")
        self.seconds = seconds


class Budget:
    """The time the matcher may still spend on one document (``Query.timeout``), and on
    all of them together (``total``, a budget shared by the documents of one command, in
    each process that matches).

    Every call made through a budget hands the ``regex`` module the time left, and
    the module itself stops a call that runs out (``TimeoutError``: no threads, no
    signals); the time each call took is then taken off.  Patterns compiled with
    ``re`` cannot backtrack (see ``_compile``) and run unmetered, as does everything
    when there is no limit.
    """

    __slots__ = ("left", "limit", "total")

    def __init__(self, limit: float | None, total: Budget | None = None) -> None:
        self.limit = limit
        self.left = limit if limit is not None else 0.0
        self.total = total if limit is not None else None

    def _metered(self, pattern: Any) -> bool:
        return self.limit is not None and not isinstance(pattern, re.Pattern)

    def _time_left(self) -> float:
        total = self.total
        left = self.left if total is None else min(self.left, total.left)
        if left <= 0:
            raise self._expired()
        return left

    def _expired(self) -> PatternTimeout:
        """The error of the budget that ran out first: the document's or the command's."""
        total = self.total
        if total is not None and total.left < self.left:
            return PatternTimeout(total.limit or 0.0, in_all=True)
        return PatternTimeout(self.limit or 0.0)

    def _spend(self, seconds: float) -> None:
        self.left -= seconds
        if self.total is not None:
            self.total.left -= seconds

    def search(self, pattern: Any, text: str, pos: int = 0) -> Any:
        """``pattern.search(text, pos)`` within the budget."""
        return self._call(pattern.search, pattern, text, pos)

    def fullmatch(self, pattern: Any, text: str) -> Any:
        """``pattern.fullmatch(text)`` within the budget."""
        return self._call(pattern.fullmatch, pattern, text)

    def _call(self, method: Any, pattern: Any, text: str, pos: int = 0) -> Any:
        if not self._metered(pattern):
            return method(text, pos)
        allowed = self._time_left()
        started = perf_counter()
        try:
            return method(text, pos, timeout=allowed)
        except TimeoutError:
            raise self._expired() from None
        finally:
            self._spend(perf_counter() - started)

    def finditer(self, pattern: Any, text: str) -> Iterator[Any]:
        """``pattern.finditer(text)`` within the budget (time spent by the caller between
        two matches is not counted)."""
        if not self._metered(pattern):
            return iter(pattern.finditer(text))
        return self._finditer(pattern, text)

    def _finditer(self, pattern: Any, text: str) -> Iterator[Any]:
        allowed = self._time_left()
        started = perf_counter()
        try:
            for match in pattern.finditer(text, timeout=allowed):
                self._spend(perf_counter() - started)
                self._time_left()  # other calls may have spent the rest meanwhile
                yield match
                started = perf_counter()
        except TimeoutError:
            self._spend(perf_counter() - started)
            raise self._expired() from None
        self._spend(perf_counter() - started)


def compile_query(
    pattern: str | Sequence[str],
    normalizer: Normalizer,
    options: MatchOptions = MatchOptions(),
    *,
    timeout: float | None = None,
) -> Query:
    """Compile ``pattern`` for matching normalized text; errors say what is wrong.

    ``pattern``: one pattern, which must not be empty (an empty match is no hit), or
    several (grep's ``-e``): a line matches when one of them does, and an empty one
    matches every line, as in grep.  ``timeout``: the seconds matching may take on one
    document, and ``TOTAL_FACTOR`` times that on all of them (see ``Budget``).
    """
    if isinstance(pattern, str):
        if pattern == "":
            raise CorpusError("empty pattern")
        patterns = [pattern]
    else:
        patterns = list(pattern)
        if not patterns:
            raise CorpusError("no pattern")
    parts = [_part(p, normalizer, options) for p in patterns]
    flags = re.MULTILINE | (re.IGNORECASE if options.ignore_case else 0)
    constraint: MarkConstraint | EitherConstraint | None
    if len(parts) == 1:
        (part,) = parts
        source, body, literal, constraint = patterns[0], part.body, part.normalized, part.constraint
        is_literal = part.literal
    else:
        for typed, part in zip(patterns, parts, strict=True):
            _checked(part.body, typed, flags)  # alone first: error positions are the user's
        # Empty patterns last: where another one matches, its match is the one shown.
        ordered = sorted(parts, key=lambda part: not part.body)
        source = "\n".join(patterns)
        body = "|".join(f"(?:{part.body})" for part in ordered)
        literal = "\n".join(part.normalized for part in parts)
        is_literal = False
        constraint = None
        if any(part.constraint is not None for part in parts):
            constraint = EitherConstraint(tuple((_compile(p.body, flags), p.constraint) for p in parts))
    if options.clitics is not None:
        if len(parts) > 1 or not literal:
            raise CorpusError("--clitics takes one word")
        if not is_literal:
            raise CorpusError("--clitics takes a word, not a regular expression")
        if normalizer.teh:
            raise CorpusError(
                "--clitics needs ة kept apart from ه (the pronoun ه): use --norm standard or --keep teh"
            )
        body = clitic_pattern(literal, options.clitics)
    compiled = _checked(body, source, flags)  # alone first: error positions are the user's
    if options.word and options.clitics is None:
        whole = f"{WORD_START}(?:{body}){WORD_END}"
        # A word's pattern, compiled when first used: the token layer answers most word
        # queries without it (its word boundaries take ``regex`` 15-25 ms to compile).
        compiled = LazyPattern(whole, flags) if is_literal else _checked(whole, source, flags)
    needs_lines = not options.fixed and any(_NEEDS_LINES.search(p) for p in patterns)
    query = Query(
        source,
        literal,
        compiled,
        normalizer,
        options,
        needs_lines,
        constraint,
        literal if is_literal else None,
        timeout=timeout or None,
        total=Budget(timeout * TOTAL_FACTOR) if timeout else None,
    )
    anchor = query.index_literal()
    if anchor and len(anchor) > EXPANDED:
        anchor = anchor[:EXPANDED]  # part of the literal: it finds lines, no longer decides
    expanded = raw_pattern(anchor, normalizer) if anchor else None
    if expanded and (not options.ignore_case or re.fullmatch(_CASE_SAFE, anchor or "")):
        # Query expansion over the original text: documents it cannot match are skipped
        # without being normalized (most of a grep on a big corpus).  Ignoring case, it
        # must take whatever ``regex`` takes: ``re`` does so on ASCII and Arabic.
        case = re.IGNORECASE if options.ignore_case else 0
        raw = re.compile(expanded, case)
        tail = rough_pattern(anchor, normalizer) if anchor else None
        query = query._replace(raw=raw, rough=re.compile(tail, case) if tail else raw)
    return query


class _Part:
    """One pattern as typed, made ready: its regex body and normalized form."""

    __slots__ = ("body", "constraint", "literal", "normalized")

    def __init__(self, body: str, normalized: str, literal: bool, constraint: MarkConstraint | None) -> None:
        self.body, self.normalized, self.constraint = body, normalized, constraint
        self.literal = literal  # a plain string (``-F``, or no metacharacter)


def _part(pattern: str, normalizer: Normalizer, options: MatchOptions) -> _Part:
    is_literal = options.fixed or not _METACHARS.search(pattern)
    if options.fixed:
        literal = normalizer.normalize(pattern)
        body = _literal_body(literal, normalizer)
    else:
        body = normalize_regex(pattern, normalizer)
        literal = normalizer.normalize(pattern) if is_literal else body
    if pattern and not literal:
        raise CorpusError(
            f"pattern '{pattern}' is empty after normalization: it has only marks, "
            "tatweel or invisible characters, which this level ignores "
            "(--norm light keeps marks; --norm none keeps tatweel and invisible characters too)"
        )
    constraint = mark_constraint(pattern, normalizer, strict=options.strict_marks) if is_literal else None
    return _Part(body, literal, is_literal, constraint)


def _checked(body: str, pattern: str, flags: int) -> Any:
    """``_compile(body, flags)``, or an error that names ``pattern`` as the user typed it."""
    try:
        return _compile(body, flags)
    except Exception as exc:  # regex.error: only importable when regex is used
        pos = getattr(exc, "pos", None)
        where = f" at position {pos}" if pos is not None else ""
        message = getattr(exc, "msg", str(exc))
        shown = f"'{pattern}'" if body == pattern else f"'{pattern}' (normalized '{body}')"
        raise CorpusError(f"invalid pattern {shown}: {message}{where}") from None


_METACHARS = re.compile(r"[\\.^$|?*+()\[\]{}]")


def _literal_body(text: str, normalizer: Normalizer) -> str:
    """A literal as a pattern; where marks are kept (``light``) they become optional.

    Marks typed in a query are constraints checked on each hit (``vocalization``), so
    the pattern itself must match every vocalization of the letters.
    """
    if normalizer.is_identity or normalizer.marks:
        return re.escape(text)
    bare = _MARKS_RE.sub("", text)
    if len(bare) > LONGEST_MARKED:
        raise CorpusError(
            f"a literal of {len(bare):,} characters is too long where marks are kept (--norm light): "
            f"marks may follow each of its letters, which can be matched for {LONGEST_MARKED:,} "
            "characters at most; --norm standard or none takes any length"
        )
    # One group per letter, so that a quantifier typed after it repeats letter + marks.
    return "".join(re.escape(c) if c.isspace() else f"(?:{re.escape(c)}{_OPTIONAL_MARKS})" for c in bare)


#: The longest literal matched with optional marks (``_literal_body``): the pattern takes
#: about 0.4 ms and 6 KB to compile per letter.
LONGEST_MARKED = 10_000
_MARKS_RE = re.compile(f"[{MARKS}]")
_OPTIONAL_MARKS = f"[{MARKS}]*"


# Patterns made of letters, escaped literals and the basic operators mean the same in
# ``re`` and ``regex``; they skip importing ``regex`` (a tenth of the start-up time).
# Only those without a quantifier, though: ``re`` has no time limit, and ``a.*a.*a.*b``
# can backtrack for hours, so whatever can backtrack goes to ``regex`` and its timeout.
_PLAIN = re.compile(r"(?:[^\\()\[\]{}]|\\\W)*")
_ESCAPED = re.compile(r"\\.", re.DOTALL)
_QUANTIFIER_CHARS = re.compile(r"[*+?]")


#: Ignoring case, ``re`` and ``regex`` agree on ASCII but for ``i`` and ``I``: ``re``
#: also takes ``ı`` and ``İ`` (``regex`` only the one that is a case of the letter, as
#: GNU grep does).  Arabic has no case.  Other scripts differ more (``regex`` has a newer
#: Unicode, with new case pairs).  So ignoring case the fast path takes only ASCII and
#: Arabic, and writes ``i`` and ``I`` as ``regex`` reads them; tests/test_pattern.py
#: checks every cased character of both modules.
#: (Patterns compiled on first use, by ``re``'s cache: half a millisecond of start-up.)
_CASE_CLASSES = {"i": "(?-i:[iIİ])", "I": "(?-i:[Iiı])"}
_CASE_SAFE = "[\x00-\x7f\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]*"
_CASE_TOKENS = r"(?s:\\.|[iI])"


class LazyPattern:
    """A pattern compiled (``_compile``) when one of its attributes is first asked for,
    then the compiled pattern's own attributes: for a pattern that cannot fail to
    compile (a literal word within word boundaries), which may never be used."""

    def __init__(self, body: str, flags: int) -> None:
        self.body, self.body_flags = body, flags

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # copy and pickle ask for protocols the class has not
            raise AttributeError(name)
        compiled = self.__dict__.get("compiled")
        if compiled is None:
            compiled = self.__dict__["compiled"] = _compile(self.body, self.body_flags)
        value = getattr(compiled, name)
        setattr(self, name, value)  # found directly the next time
        return value

    def __reduce__(self) -> tuple[type[LazyPattern], tuple[str, int]]:
        return LazyPattern, (self.body, self.body_flags)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LazyPattern):
            return NotImplemented
        return (self.body, self.body_flags) == (other.body, other.body_flags)

    def __hash__(self) -> int:
        return hash((self.body, self.body_flags))


def _compile(body: str, flags: int) -> Any:
    """Compile with ``re`` when that is certain to mean the same and cannot backtrack,
    else with ``regex``."""
    if _PLAIN.fullmatch(body) and not _QUANTIFIER_CHARS.search(_ESCAPED.sub("", body)):
        plain: str | None = body
        if flags & re.IGNORECASE:
            plain = re.sub(_CASE_TOKENS, _case_class, body) if re.fullmatch(_CASE_SAFE, body) else None
        if plain is not None:
            try:
                return re.compile(plain, flags)
            except re.error:
                pass  # e.g. possessive quantifiers before Python 3.11: let regex decide
    import regex

    return regex.compile(body, flags)


def _case_class(token: re.Match[str]) -> str:
    return _CASE_CLASSES.get(token.group(), token.group())


def normalize_regex(pattern: str, normalizer: Normalizer) -> str:
    """Normalize the literal runs of a regular expression and keep its syntax."""
    out: list[str] = []
    run: list[str] = []
    i = 0
    n = len(pattern)

    def flush() -> bool:
        """Emit the pending literal run; False when it normalized to nothing."""
        if not run:
            return True
        text = normalizer.normalize("".join(run))
        run.clear()
        out.append(_literal_body(text, normalizer))
        return bool(text)

    while i < n:
        char = pattern[i]
        if char == "\\":
            match = _ESCAPE.match(pattern, i)
            end = match.end() if match else n
            flush()
            out.append(pattern[i:end])
            i = end
        elif char == "[":
            flush()
            end = _class_end(pattern, i)
            out.append(_normalize_class(pattern[i:end], normalizer))
            i = end
        elif char == "(":
            flush()
            match = _GROUP_OPEN.match(pattern, i)
            end = match.end() if match else i + 1
            out.append(pattern[i:end])
            i = end
        elif char in _META:
            flush()
            out.append(char)
            i += 1
        else:
            quantifier = _QUANTIFIER.match(pattern, i)
            if quantifier and (char != "{" or quantifier.end() > i + 1):
                if not run:
                    out.append(quantifier.group())  # after a group or a class
                else:
                    # A quantifier repeats the run's last character only: normalize that
                    # character apart, and drop the quantifier if normalization deletes it
                    # (``كتابَ+`` repeats a fatha, not the ب).
                    last = run.pop()
                    whole = normalizer.normalize("".join(run) + last)
                    head = normalizer.normalize("".join(run))
                    run.clear()
                    if head:
                        out.append(_literal_body(head, normalizer))
                    if whole != head:
                        tail = whole[len(head) :] if whole.startswith(head) else whole
                        if not whole.startswith(head) and head:
                            out.pop()  # normalization joined them: repeat the whole run
                        body = _literal_body(tail, normalizer)
                        if len(tail) > 1 and not body.startswith("(?:"):
                            body = f"(?:{body})"
                        out.append(body + quantifier.group())
                i = quantifier.end()
            else:
                run.append(char)
                i += 1
    flush()
    return "".join(out)


def _class_end(pattern: str, start: int) -> int:
    """Index just past the ``]`` that closes the class opened at ``start``."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "[" and pattern.startswith("[:", i):
            close = pattern.find(":]", i + 2)
            if close != -1:
                i = close + 2
                continue
        if pattern[i] == "]":
            return i + 1
        i += 1
    return len(pattern)  # unterminated: let the regex compiler report it


def _normalize_class(cls: str, normalizer: Normalizer) -> str:
    """Normalize the single characters of a ``[...]`` class; ranges stay as written."""
    if not cls.endswith("]") or len(cls) < 2:
        return cls
    head = "[^" if cls.startswith("[^") else "["
    body = cls[len(head) : -1]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            match = _ESCAPE.match(body, i)
            end = match.end() if match else len(body)
            out.append(body[i:end])
            i = end
        elif body.startswith("[:", i) and (close := body.find(":]", i + 2)) != -1:
            out.append(body[i : close + 2])  # a POSIX class, [:alpha:]
            i = close + 2
        elif i + 2 < len(body) and body[i + 1] == "-":
            out.append(body[i : i + 3])
            low, high = normalizer.normalize(body[i]), normalizer.normalize(body[i + 2])
            inside = body[i] <= low and high <= body[i + 2]
            if len(low) == len(high) == 1 and low <= high and not inside:
                out.append(f"{_escape_in_class(low)}-{_escape_in_class(high)}")  # [٠-٩] also 0-9
            i += 3
        else:
            folded = normalizer.normalize(char)
            if len(folded) == 1:
                out.append(_escape_in_class(folded))
            elif len(folded) > 1:
                out.append(_escape_in_class(char))
            i += 1
    if not out:
        raise CorpusError(
            f"character class {cls} is empty after normalization: its characters "
            "are all ignored at this level (try --norm light or --norm none)"
        )
    return head + "".join(out) + "]"


def _escape_in_class(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char
