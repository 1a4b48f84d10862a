"""Properties over generated input (hypothesis), beyond those of test_normalize/test_search.

test_normalize checks the drivers, idempotence and nesting on texts built from curated
pieces; here the texts are drawn from whole Unicode blocks (Arabic, Arabic Supplement,
Extended-A, both presentation-form blocks) so that unexpected characters are tried too.
Then: tokens never lose or duplicate a character of a word, and on text where joiners
meet letters, digits and marks, freq counts each key as often as whole-word search (and
--clitics) finds it; the streaming search finds
exactly the lines a line-by-line search finds, and grep's streamed context lines are the
set-based definition; and every command, given random valid options and patterns, exits
0, 1 or 2 without a traceback.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from itertools import pairwise
from typing import Any

import pytest
import regex
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corpus_cli.cli import app
from corpus_cli.errors import CorpusError
from corpus_cli.output.grep import GrepRequest, Row, _rows
from corpus_cli.query.freq import count_tokens
from corpus_cli.query.pattern import MatchOptions, compile_query
from corpus_cli.query.search import iter_hits, line_hits, search_lines
from corpus_cli.store.corpus import Document
from corpus_cli.text import tokenize as tokenize_module
from corpus_cli.text.clitics import CliticMode
from corpus_cli.text.normalize import MARKS, Level, Mapped, Normalizer
from corpus_cli.text.tokenize import Kind, tokenize, word_spans, words
from tests.conftest import PINNED_ENV, SEED_IDS

LEVELS = [level.value for level in Level]
PAIRS = list(pairwise(LEVELS))  # none→light, light→standard, standard→aggressive

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- texts

#: Every code point of the Arabic blocks (unassigned ones included: they must pass
#: through untouched), and the characters that meet Arabic in real text.
ARABIC_BLOCKS = st.one_of(
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.characters(min_codepoint=0x0750, max_codepoint=0x077F),
    st.characters(min_codepoint=0x08A0, max_codepoint=0x08FF),
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFDFF),
    st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFF),
)
COMMON = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئىة" + "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
EXTRA = " \n\t\u00a0\u2009\u200c\u200d\u200e\u200f\ufeff\u00ad\u0640\u0653\u0654\u0655abZ09.-_'😍"
CHARS = st.one_of(ARABIC_BLOCKS, st.sampled_from(COMMON), st.sampled_from(EXTRA))
TEXTS = st.text(CHARS, max_size=24)


@pytest.mark.parametrize("level", LEVELS)
@FAST
@given(text=TEXTS)
def test_idempotent_at_every_level(level: str, text: str) -> None:
    normalizer = Normalizer.for_level(level)
    once = normalizer.normalize(text)
    assert normalizer.normalize(once) == once
    assert normalizer.normalize_mapped(once).text == once


@pytest.mark.parametrize(("lower", "upper"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
@FAST
@given(text=TEXTS)
def test_levels_nest(lower: str, upper: str, text: str) -> None:
    """Normalizing the lower level's output at the upper level is the upper level.

    Tanween-alef (aggressive only) needs the tanween that standard deletes, so texts
    with U+064B next to an alef cannot nest by specification (see test_normalize).
    """
    if upper == "aggressive":
        assume("\u0627\u064b" not in text and "\u064b\u0627" not in text)
    low, high = Normalizer.for_level(lower), Normalizer.for_level(upper)
    assert high.normalize(low.normalize(text)) == high.normalize(text)


def _word_spans_of(mapped: Mapped) -> list[tuple[int, int]]:
    """Word tokens of the normalized text whose ends are not inside one original
    character's expansion (ﷺ → four words: a cut inside it has no original span)."""
    spans = []
    for start, end in word_spans(mapped.text):
        inside = (start > 0 and mapped.ends[start - 1] > mapped.starts[start]) or (
            end < len(mapped.text) and mapped.ends[end - 1] > mapped.starts[end]
        )
        if not inside:
            spans.append((start, end))
    return spans


@pytest.mark.parametrize("level", LEVELS)
@FAST
@given(text=TEXTS)
def test_offsets_map_inside_the_original_and_round_trip(level: str, text: str) -> None:
    normalizer = Normalizer.for_level(level)
    mapped = normalizer.normalize_mapped(text)
    assert mapped.text == normalizer.normalize(text)
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    for start, end in zip(mapped.starts, mapped.ends, strict=True):
        assert 0 <= start < end <= len(text)
    assert mapped.starts == sorted(mapped.starts)  # in order: a hit never maps backwards
    for a, b in _word_spans_of(mapped):
        start, end = mapped.span_to_original(a, b)
        assert 0 <= start <= end <= len(text)
        assert normalizer.normalize(text[start:end]) == mapped.text[a:b], (text, a, b)


# --------------------------------------------------------------------------- tokens


def _is_word_char(char: str) -> bool:
    """A letter or a digit other than tatweel and the small waw and yeh, which
    normalization deletes (a run of them alone is no token)."""
    return char not in "\u0640\u06e5\u06e6" and unicodedata.category(char)[0] in "LN"


@FAST
@given(text=TEXTS)
def test_tokens_cover_every_word_character_once(text: str) -> None:
    tokens = list(tokenize(text))
    covered = [0] * len(text)
    last_end = 0
    for token in tokens:
        assert last_end <= token.start < token.end <= len(text)  # in order, never overlapping
        assert text[token.start : token.end] == token.text
        last_end = token.end
        for i in range(token.start, token.end):
            covered[i] += 1
        if token.kind is Kind.punct:
            assert not any(_is_word_char(c) for c in token.text), token
    for i, char in enumerate(text):
        if _is_word_char(char):
            assert covered[i] == 1, (text, i, char)
    # The word tokens, three ways: they must agree.
    spans = list(word_spans(text))
    assert spans == [(t.start, t.end) for t in tokens if t.kind in (Kind.word, Kind.number)]
    assert words(text) == [text[s:e] for s, e in spans]
    assert "".join(text[s:e] for s, e in spans) == "".join(
        t.text for t in tokens if t.kind in (Kind.word, Kind.number)
    )


#: Text where joiners meet words, single letters, the names of Latin letters, digits,
#: marks, tatweel and invisible characters: every case of the joining rules.
JOINED_TEXTS = st.lists(
    st.sampled_from(
        [
            *("الوزير", "والحكومة", "حكومة", "للحكومة", "حكومتها", "داعش", "ب", "ف", "بي", "سي", "إيه"),
            *("U", "com", "3", "٥", "2014", ".", ".", "٫", "٬", ",", "،", "-", "_", "'", " ", "\n", "(", "؟"),
            *("\u064e", "\u0651", "\u0640", "\u06e5", "\u200c", "\u200f"),
        ]
    ),
    max_size=12,
).map("".join)


@FAST
@given(text=st.one_of(TEXTS, JOINED_TEXTS))
def test_the_re_patterns_find_the_tokens(text: str) -> None:
    """Past a few megabytes ``words`` runs ``re`` patterns that take every joiner for
    one; where the tokenizer refuses one, the text must go to ``regex``."""
    every = [text[s:e] for s, e in word_spans(text)]
    before = tokenize_module._tokenized[0]
    tokenize_module._tokenized[0] = tokenize_module._PLAIN_AFTER
    try:
        assert words(text) == every
    finally:
        tokenize_module._tokenized[0] = before


@FAST
@given(
    text=st.one_of(TEXTS, JOINED_TEXTS, st.lists(st.one_of(TEXTS, JOINED_TEXTS), max_size=4).map(" ".join))
)
def test_token_columns_are_the_tokens(text: str) -> None:
    """The token layer's columns (spellings and starts, kinds from the spellings) are
    ``tokenize``'s tokens exactly, wherever ``token_columns`` serves a text."""
    before = tokenize_module._tokenized[0]
    tokenize_module._tokenized[0] = tokenize_module._PLAIN_AFTER
    try:
        columns = tokenize_module.token_columns(text)
        if columns is not None:
            found = [
                (spelling, start, start + len(spelling), tokenize_module.plain_kind(spelling))
                for spelling, start in zip(columns.spellings, columns.starts, strict=True)
            ]
            assert found == [tuple(token) for token in tokenize(text)]
    finally:
        tokenize_module._tokenized[0] = before


MARK = regex.compile(f"[{MARKS}]")
LEADING_MARK = regex.compile(f"[{MARKS}\\p{{M}}]")


def _without_letter_folds(level: str, text: str) -> bool:
    """False where ``aggressive`` folds letters away (a letter written three times,
    tanween-alef), changing how many letters stand between two periods."""
    if level != "aggressive":
        return True
    aggressive, standard = Normalizer.for_level(level), Normalizer.for_level("standard")
    return all(len(aggressive.normalize(w)) == len(standard.normalize(w)) for w in words(text))


@pytest.mark.parametrize("level", LEVELS)
@FAST
@given(text=JOINED_TEXTS)
def test_freq_counts_what_whole_word_search_finds(level: str, text: str) -> None:
    """One tokenizer, one answer: each key of the frequency list is found by kwic and
    grep -w exactly as many times as freq counts it, with --clitics too.

    Where marks are kept (``light``) a query without marks finds every vocalization, so
    it finds the keys that are the same letters together.  A token that begins with a
    mark is left out: a query matches marks after its letters, never before the first.
    """
    assume(_without_letter_folds(level, text))
    normalizer = Normalizer.for_level(level)
    doc = Document("d", "d.txt", text)
    counts = count_tokens([doc], normalizer)
    every_vocalization = not (normalizer.is_identity or normalizer.marks)
    expected: Counter[str] = Counter()
    for key, count in counts.counts.items():
        if not LEADING_MARK.match(key):
            expected[MARK.sub("", key) if every_vocalization else key] += count
    for key, count in expected.items():
        query = compile_query(key, normalizer, MatchOptions(fixed=True, word=True))
        assert len(list(iter_hits([doc], query))) == count, (key, text)
    if level == "standard":
        for stem in ("حكومة", "داعش"):
            query = compile_query(stem, normalizer, MatchOptions(clitics=CliticMode.both))
            members = sum(n for key, n in counts.counts.items() if query.regex.fullmatch(key))
            assert len(list(iter_hits([doc], query))) == members, (stem, text)


# --------------------------------------------------------------------------- streaming search

_LINE_CHARS = st.sampled_from([*"ابتسكلم", " ", "\u064e", "\u0640", "a", "A"])
DOCS = (
    st.lists(st.text(_LINE_CHARS, max_size=8), min_size=0, max_size=8)
    .map("\n".join)
    .flatmap(lambda body: st.sampled_from(["", "\n"]).map(lambda end: body + end))
)
#: Pieces of patterns: letters, classes and escapes that take a line end (\s, [^ب]),
#: anchors, lookarounds (searched line by line) and quantifiers.
PIECES = st.sampled_from(
    [
        "ب",
        "ت",
        "س",
        "ك",
        "ا",
        "a",
        ".",
        r"\s",
        r"\s+",
        "[^ب]",
        "[بت]",
        "^",
        "$",
        "ب*",
        "(ا|ب)",
        "(?<=ب)",
        "(?!ت)",
        " ",
        "+?",
        "?",
    ]
)
PATTERNS = st.lists(PIECES, min_size=1, max_size=4).map("".join)


def _reference_lines(
    doc: Document, query: Any, invert: bool
) -> list[tuple[int, tuple[tuple[int, int], ...]]]:
    """Line by line, no whole-document pass, no streaming: what search_lines must find."""
    found = []
    for number, line in enumerate(doc.split_lines(), 1):
        spans = tuple(span for span, _ in line_hits(line, query))
        if bool(spans) != invert:
            found.append((number, spans))
    return found


@settings(max_examples=300, deadline=None)
@given(
    text=DOCS,
    pattern=PATTERNS,
    level=st.sampled_from(LEVELS),
    invert=st.booleans(),
    ignore_case=st.booleans(),
    max_count=st.sampled_from([None, 1, 2]),
)
def test_streaming_search_finds_what_a_line_by_line_search_finds(
    text: str, pattern: str, level: str, invert: bool, ignore_case: bool, max_count: int | None
) -> None:
    try:
        query = compile_query(pattern, Normalizer.for_level(level), MatchOptions(ignore_case=ignore_case))
    except CorpusError:
        return
    doc = Document("d", "d", text)
    expected = _reference_lines(doc, query, invert)[:max_count] if text else []
    got = list(search_lines(doc, query, invert=invert, max_count=max_count))
    assert [(m.line_no, m.spans) for m in got] == expected
    for m in got:  # offsets locate each line in the document
        assert doc.text[m.offset : m.offset + len(m.text)] == m.text
        assert m.offset == 0 or doc.text[m.offset - 1] == "\n"
    if not invert:
        hits = [(h.start, h.end) for h in iter_hits([doc], query, max_count=max_count)]
        assert hits == [(m.offset + s, m.offset + e) for m in got for s, e in m.spans if e > s]


def _reference_rows(doc: Document, query: Any, request: GrepRequest) -> list[tuple[Any, ...]]:
    """grep's context lines as a set: every line within reach of a selected one."""
    matches = list(
        search_lines(
            Document(doc.id, doc.path, doc.text), query, invert=request.invert, max_count=request.max_count
        )
    )
    by_number = {m.line_no: m for m in matches}
    wanted: set[int] = set()
    for m in matches:
        wanted.update(
            range(max(1, m.line_no - request.before), min(doc.line_count, m.line_no + request.after) + 1)
        )
    rows = []
    last = 0
    lines = doc.split_lines()
    for number in sorted(wanted):
        gap = last != 0 and number != last + 1 and bool(request.before or request.after)
        match = by_number.get(number)
        if match is not None:
            rows.append((number, match.text, match.spans, True, gap))
        else:
            rows.append((number, lines[number - 1], (), False, gap))
        last = number
    return rows


@settings(max_examples=200, deadline=None)
@given(
    text=DOCS,
    pattern=st.sampled_from(["ب", "ت", "اس", "^$", "ك|م", "a"]),
    before=st.integers(0, 3),
    after=st.integers(0, 3),
    invert=st.booleans(),
    max_count=st.sampled_from([None, 1, 2]),
)
def test_streamed_context_lines_are_the_set_of_lines_within_reach(
    text: str, pattern: str, before: int, after: int, invert: bool, max_count: int | None
) -> None:
    query = compile_query(pattern, Normalizer.for_level("standard"))
    doc = Document("d", "d", text)
    request = GrepRequest(invert=invert, max_count=max_count, before=before, after=after)
    rows: list[Row] = list(_rows(doc, query, request))
    got = [(r.line_no, r.text, r.spans, r.selected, r.gap_before) for r in rows]
    assert got == _reference_rows(doc, query, request)


# --------------------------------------------------------------------------- the CLI

#: Arabic letters, diacritics, tatweel, regex metacharacters, Latin and digits.
PATTERN_CHARS = st.sampled_from(
    [*"اأبتكلمنهوية", *"\u064e\u064f\u0650\u0651\u0652", "\u0640", *".*+?()[]{}|^$\\", *"aZ1 -"]
)
CLI_PATTERNS = st.text(PATTERN_CHARS, min_size=1, max_size=8)
NUMBERS = st.integers(0, 5).map(str)
FORMATS = st.sampled_from(["table", "tsv", "csv", "jsonl"])
NORMS = st.sampled_from(LEVELS)
SORTS = st.sampled_from(["position", "match", "doc", "A1", "B1", "A2,B1", "B3,match"])
CLITICS = st.sampled_from(["", "both", "pro", "enc"])


def _flags(*names: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(names), max_size=3, unique=True)


def _valued(**choices: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """Options with a value: a random subset, each as ``[--name, value]``."""
    names = sorted(choices)
    return st.lists(st.sampled_from(names), max_size=3, unique=True).flatmap(
        lambda chosen: st.tuples(*(choices[n] for n in chosen)).map(
            lambda values: [x for n, v in zip(chosen, values, strict=True) for x in (n, v) if x != ""]
        )
    )


_SHARED = {
    "--norm": NORMS,
    "--fold": st.sampled_from(["yeh", "teh,hamza", "elongation"]),
    "--keep": st.sampled_from(["digits", "alef", "marks"]),
    "--doc": st.sampled_from(["000", "003"]),
}

COMMANDS: dict[str, st.SearchStrategy[list[str]]] = {
    "grep": st.tuples(
        _flags(
            "-F",
            "-w",
            "-i",
            "-v",
            "-c",
            "--count-matches",
            "-l",
            "-o",
            "-N",
            "-q",
            "--strict-marks",
            "--explain",
        ),
        _valued(
            **_SHARED,
            **{
                "-m": NUMBERS,
                "-A": NUMBERS,
                "-B": NUMBERS,
                "--context": NUMBERS,
                "--format": st.sampled_from(["plain", "table", "tsv", "csv", "jsonl"]),
                "--clitics": CLITICS,
            },
        ),
        CLI_PATTERNS.map(lambda p: [p]),
    ),
    "kwic": st.tuples(
        _flags("-F", "--substring", "-i", "--strict-marks", "--no-header"),
        _valued(
            **_SHARED,
            **{
                "--width": NUMBERS,
                "--words": NUMBERS,
                "--limit": NUMBERS,
                "--sort": SORTS,
                "--sample": NUMBERS,
                "--seed": NUMBERS,
                "--per-doc": NUMBERS,
                "-m": NUMBERS,
                "--format": FORMATS,
                "--clitics": CLITICS,
            },
        ),
        CLI_PATTERNS.map(lambda p: [p]),
    ),
    "freq": st.tuples(
        _flags("--by-doc", "--forms", "--dispersion", "--no-header"),
        _valued(
            **_SHARED,
            **{
                "--top": NUMBERS,
                "--min-count": st.integers(1, 3).map(str),
                "--ngram": st.integers(1, 5).map(str),
                "--stopwords": st.just("builtin"),
                "--match": CLI_PATTERNS,
                "--format": FORMATS,
                "--clitics": CLITICS,
            },
        ),
        st.lists(CLI_PATTERNS, max_size=2),
    ),
    "show": st.tuples(
        _flags("-F", "-w", "-i"),
        _valued(
            **{
                "--highlight": CLI_PATTERNS,
                "--norm": NORMS,
                "--format": st.sampled_from(["plain", "table", "tsv", "jsonl"]),
            }
        ),
        st.sampled_from([*SEED_IDS, "00", "9"]).map(lambda d: [d]),
    ),
    "dispersion": st.tuples(
        _flags("-F", "--substring", "-i"),
        _valued(**_SHARED, **{"--format": FORMATS, "--clitics": CLITICS}),
        CLI_PATTERNS.map(lambda p: [p]),
    ),
    "collocates": st.tuples(
        _flags("-F", "--substring"),
        _valued(
            **_SHARED,
            **{
                "--window": NUMBERS,
                "--left": NUMBERS,
                "--right": NUMBERS,
                "--top": NUMBERS,
                "--measure": st.sampled_from(["mi", "mi3", "t", "z", "logdice", "g2", "dice"]),
                "--min-freq": st.integers(1, 3).map(str),
                "--stopwords": st.just("builtin"),
                "--format": FORMATS,
            },
        ),
        CLI_PATTERNS.map(lambda p: [p]),
    ),
    "keywords": st.tuples(
        _flags("--negative").map(lambda flags: ["--target", "001", *flags]),
        _valued(
            **{
                "--target": st.sampled_from(["003", "001"]),
                "--norm": NORMS,
                "--top": NUMBERS,
                "--measure": st.sampled_from(
                    ["g2", "g2-2term", "chi2", "logratio", "pctdiff", "simplemaths"]
                ),
                "--min-count": st.integers(1, 3).map(str),
                "--format": FORMATS,
            }
        ),
        st.just([]),
    ),
    "list": st.tuples(
        st.just([]), _valued(**{"--format": FORMATS, "--norm": NORMS, "--doc": st.just("002")}), st.just([])
    ),
    "normalize": st.tuples(
        st.just([]),
        _valued(**{"--norm": NORMS, "--fold": st.just("yeh")}),
        st.lists(CLI_PATTERNS, max_size=2),
    ),
}
MATCHING = {"grep", "kwic", "freq", "show", "dispersion", "collocates"}

INVOCATIONS = st.sampled_from(sorted(COMMANDS)).flatmap(
    lambda name: COMMANDS[name].map(lambda parts: (name, parts[0], parts[1], parts[2]))
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invocation=INVOCATIONS)
def test_every_command_exits_0_1_or_2_without_a_traceback(
    invocation: tuple[str, list[str], list[str], list[str]],
) -> None:
    name, flags, valued, positional = invocation
    args = [name, *flags, *valued, *(["--timeout", "2"] if name in MATCHING else []), "--", *positional]
    result = CliRunner().invoke(app, args, env=PINNED_ENV, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, args
    assert "internal error" not in result.stderr, (args, result.stderr)
    if result.exit_code == 2:
        assert result.stderr.strip(), args  # an error always says what it is
