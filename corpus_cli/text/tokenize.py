"""Tokens of Arabic (and mixed) text, found on the original text with exact spans.

A word is a run of letters, marks, digits, tatweel and ZWNJ/ZWJ, so a vocalized word
(``ٱلْمَلَٰٓئِكَةَ``) stays whole.  One joiner between two runs joins them: ``_ ' ’ -``
always (``COVID-19``, ``اليوم_الوطني``); ``, ، ٬`` between digits (``9،000``, ``69,998``:
in the news they always write a number); ``.`` (and ``٫``, a period once normalized)
with no Arabic letter beside it (``3.5``, ``U.S``, ``vox.com``).  Beside an Arabic
letter a period joins only an abbreviation's pieces: two single letters (``أ.ف.ب``,
``ق.م``) or two pieces of two or three letters, the names of Latin letters
(``بي.بي.سي``).  Anything else is words that a missing space glued, two tokens:
``الوزير.والحكومة``, ``د.محمد``, ``2014.وفقا`` (1,741 tokens of saudinewsnet, where the
rule keeps its 639 abbreviations whole and splits the few with a longer piece, such as
``بي.إم.دبليو``).

Marks, tatweel, the small waw and yeh, ZWNJ/ZWJ and invisible format characters never
decide a boundary: normalization deletes them, so a joiner looks past them to the
letters and digits beside it, and the tokens of the normalized text are the normalized
tokens (grep -w, kwic, --clitics and freq agree).  Only foldings that change how many
letters a piece has can move a boundary beside a period: presentation forms (``ﻻ``)
and, at ``aggressive``, a letter written three times or tanween-alef.  URLs and e-mail
addresses are single tokens, emoji are tokens of their own, punctuation is never a
word token, and a run of tatweel alone is no token.

The same classes define whole-word matching (``-w``, ``--clitics``): never Python's
``\\b``, which breaks words at harakat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from enum import Enum
from functools import cache
from itertools import repeat
from typing import TYPE_CHECKING, NamedTuple

from .normalize import INVISIBLES

if TYPE_CHECKING:
    import regex

WORD_CHAR = r"[\p{L}\p{M}\p{N}\u0640\u200c\u200d]"
INVISIBLE = f"[{INVISIBLES.replace(chr(0x200C), '')}]"
#: Letters that normalization deletes: tatweel and the small waw and yeh (U+06E5, U+06E6).
_SILENT = "\u0640\u06e5\u06e6"
#: What stands in a word without deciding where it ends: marks, the silent letters,
#: ZWNJ/ZWJ and invisible format characters.  Some level of normalization deletes
#: each of them, so a boundary is decided by the letters and digits around them.
_FILLER = f"[\\p{{M}}{_SILENT}\\u200c\\u200d{INVISIBLE[1:-1]}]"
_CONTENT_CHAR = f"(?![{_SILENT}])[\\p{{L}}\\p{{N}}]"
_ARABIC_LETTER = f"(?![{_SILENT}])(?=\\p{{L}})\\p{{Arabic}}"
_PIECE_CHAR = f"(?:{WORD_CHAR}|{INVISIBLE})"
# Joiners: ``_ ' ’ -`` between any two runs; a period (``٫`` is one once normalized)
# as below; ``, ، ٬`` (all ``,`` once normalized) between digits.  Each has a letter or
# digit on both sides, fillers apart.
_LINK = r"[_'’\-]"
_PERIOD = r"[.\u066b]"
_COMMA = r"[,\u060c\u066c]"
# Abbreviation pieces: one Arabic letter (أ.ف.ب), or two or three (بي.بي.سي).
_ONE = f"{_FILLER}*{_ARABIC_LETTER}{_FILLER}*"
_FEW = f"{_FILLER}*{_ARABIC_LETTER}{_FILLER}*{_ARABIC_LETTER}{_FILLER}*(?:{_ARABIC_LETTER}{_FILLER}*)?"


def _between(piece: str) -> str:
    """A period between two whole pieces of the shape ``piece``."""
    return f"(?<=(?<!{_PIECE_CHAR}){piece}){_PERIOD}(?={piece}(?!{_PIECE_CHAR}))"


# A period with no Arabic letter beside it joins (3.5, U.S, vox.com); beside an Arabic
# letter, only the pieces of an abbreviation (two words or a title and a name are two
# tokens: الوزير.والحكومة, د.محمد).
_ALONE = f"(?<!{_ARABIC_LETTER}{_FILLER}*){_PERIOD}(?!{_FILLER}*{_ARABIC_LETTER})"
_PERIOD_JOINS = f"(?:{_ALONE}|{_between(_ONE)}|{_between(_FEW)})"
#: One joiner character that joins the runs on either side of it.
_JOINS = (
    f"(?<={_CONTENT_CHAR}{_FILLER}*)"
    f"(?:{_LINK}|{_PERIOD_JOINS}|(?<=\\p{{N}}{_FILLER}*){_COMMA}(?={_FILLER}*\\p{{N}}))"
    f"(?={_FILLER}*{_CONTENT_CHAR})"
)
_RUN = f"{WORD_CHAR}+(?:{INVISIBLE}+{WORD_CHAR}+)*"
# One joiner between two runs; invisible characters around it do not break the word.
_JOIN = f"{INVISIBLE}*{_JOINS}{INVISIBLE}*"
_CORE = f"{_RUN}(?:{_JOIN}{_RUN})*"
# An e-mail address takes invisible format characters between its characters, as a word
# does (``_RUN``): ``x@y.org`` + U+200F + ``الأمم`` is one token, not an address and a
# word that the text's matcher, which sees them joined, would not find as a whole word.
# The lookaheads turn a place with no ``@`` close ahead away in one short scan (without
# them, each place a word starts was tried a character at a time: tokenizing was 20%
# slower), and bound the part before the ``@`` to 256 characters (the standard allows
# 64): a scan from every place of a long run of such characters took quadratic time.
_LABEL = f"[\\w-]+(?:{INVISIBLE}+[\\w-]+)*"
_LOCAL_AHEAD = f"(?=[\\w.+-])(?=[\\w.+{INVISIBLE[1:-1]}-]{{1,256}}@)"
_EMAIL = f"{_LOCAL_AHEAD}[\\w.+-]+(?:{INVISIBLE}+[\\w.+-]+)*@{_LABEL}(?:\\.{_LABEL})+"
_URL = r"(?:https?://|www\.)[^\s<>\"«»“”]+[^\s<>\"«»“”.,;:!?)\]}'،؛؟]|" + _EMAIL
_EMOJI = r"\p{Extended_Pictographic}(?:\p{EMod}|\ufe0f|\u200d\p{Extended_Pictographic})*"

_PUNCT = r"[^\s\p{L}\p{M}\p{N}\p{Cf}]"  # format characters alone are no token
_TOKEN = f"(?P<url>{_URL})|(?P<word>{_CORE})|(?P<emoji>{_EMOJI})|(?P<punct>{_PUNCT})"
#: Word and number tokens only (what ``freq`` and ``list`` count); a URL or an emoji
#: matches an empty-handed alternative, in ``_TOKEN``'s order, so that its parts are
#: never counted as words: an emoji takes the variation selector U+FE0F after it, a mark
#: that would otherwise start a word (``مره❤️نو``: ``❤️`` then ``نو``, not ``️نو``).
_WORDS = f"{_URL}|({_CORE})|{_EMOJI}"
#: The characters after its first that an emoji token takes and a word could start
#: with: U+FE0F, and ZWJ (before a pictograph, which may be a letter: ``ℹ``).  Text
#: without them needs no emoji alternative.
_EMOJI_TAKES = ("\ufe0f", "\u200d")


def _emoji_takes_word_characters(text: str) -> bool:
    return _EMOJI_TAKES[0] in text or _EMOJI_TAKES[1] in text


@cache
def _pattern(pattern: str, version1: bool = False) -> regex.Pattern[str]:
    """``pattern`` compiled with ``regex`` on first use: grep without -w never needs the
    token patterns, a concordance only two (the whole token pattern alone takes 12 ms)."""
    import regex

    return regex.compile(pattern, regex.V1 if version1 else 0)


_CONTENT = f"[[\\p{{L}}\\p{{N}}]--[{_SILENT}]]"  # has content: not fillers alone (V1 set difference)
_LETTER = f"[\\p{{L}}--[{_SILENT}]]"  # has a letter


class _Plain(NamedTuple):
    """The ``re`` patterns of ``words`` (see ``_plain``)."""

    words: re.Pattern[str]
    core: re.Pattern[str]
    words_beside_emoji: re.Pattern[str]  # ``words`` with the emoji alternative of ``_WORDS``
    suspect: re.Pattern[str]  # where a word token may lack content
    joiners: re.Pattern[str]  # every joiner that ``_JOINS`` may refuse, and more


@cache
def _plain() -> _Plain:
    """``_WORDS`` and ``_CORE`` for the standard library's ``re``, exact on text of the
    Basic Multilingual Plane (twice as fast as ``regex``: its classes are bitmaps), and
    tests for the texts where they may not be (see ``words``).

    Each property class is the set of BMP characters that ``regex`` itself puts in it,
    so both modules agree whatever their Unicode versions.  ``re`` has no lookbehind of
    variable width: these patterns take every joiner with a letter or digit after it
    for one (a comma: between a digit or filler and a digit), and ``joiners`` finds
    every one of them that ``_JOINS`` may refuse: after a filler, or a period beside an
    Arabic letter.
    """
    import regex

    cls = _bmp_class
    numeric, alnum = r"\p{N}", r"[\p{L}\p{N}]"
    bare = f"[{WORD_CHAR}--[{alnum}--[{_SILENT}]]]"  # word characters without content
    wc, digit = f"[{cls(WORD_CHAR)}]", cls(numeric)
    inv = INVISIBLE
    run = f"{wc}+(?:{inv}+{wc}+)*"
    filler, content = cls(_FILLER), cls(f"[{alnum}--[{_SILENT}]]", regex.V1)
    arabic = cls(f"[[\\p{{Arabic}}&&\\p{{L}}]--[{_SILENT}]]", regex.V1)
    joins = (
        f"(?:[{_LINK[1:-1]}{_PERIOD[1:-1]}](?=[{filler}]*[{content}])"
        f"|(?<=[{digit}{filler}]){_COMMA}(?=[{filler}]*[{digit}]))"
    )
    join = f"{inv}*{joins}{inv}*"
    # After the first run, the rest of ``_CORE`` is tried only before a character that
    # can start it (a third faster: most words end at a space).
    follows = f"[{INVISIBLE[1:-1]}{_LINK[1:-1]}{_PERIOD[1:-1]}{_COMMA[1:-1]}]"
    core = f"{wc}+(?:(?={follows})(?:{inv}+{wc}+)*(?:{join}{run})*)?"
    # The joiner first, the character before it in a lookbehind: ``re`` skips to it.
    link, period, comma = _LINK[1:-1] + _PERIOD[1:-1], _PERIOD[1:-1], _COMMA[1:-1]
    joiners = (
        f"[{link}{comma}](?:(?<=[{filler}][{link}])(?=[{filler}]*[{content}])"
        f"|(?<=[{filler}][{comma}])(?=[{filler}]*[{digit}])"
        f"|(?<=[{arabic}][{period}])(?=[{filler}]*[{content}])|(?<={wc}[{period}])(?=[{filler}]*[{arabic}]))"
    )
    url = _plain_url()
    # A token without content starts with a ``bare`` character that no word character
    # precedes (else the token would run on from it), or that ends an e-mail address
    # early because \w does not take it.
    suspect = f"[{cls(bare, regex.V1)}](?<!{wc}[\\s\\S])"  # the class first: ``re`` skips to it
    outside = cls(f"[{bare}--\\w]", regex.V1)
    if outside:
        suspect += f"|[{outside}]"
    return _Plain(
        re.compile(f"{url}|({core})"),
        re.compile(core),
        re.compile(f"{url}|({core})|{_plain_emoji()}"),
        re.compile(suspect),
        re.compile(joiners),
    )


def _plain_emoji() -> str:
    """``_EMOJI`` for ``re``, exact on BMP text."""
    pictograph, modifier = _bmp_class(r"\p{Extended_Pictographic}"), _bmp_class(r"\p{EMod}")
    return f"[{pictograph}](?:{f'[{modifier}]|' if modifier else ''}\ufe0f|\u200d[{pictograph}])*"


def _plain_url() -> str:
    """``_URL`` for ``re``, exact on BMP text."""
    space, w = _bmp_class(r"\s"), _bmp_class(r"\w")
    return (
        f'(?:https?://|www\\.)[^{space}<>"«»“”]+[^{space}<>"«»“”.,;:!?)\\]}}\'،؛؟]'
        f"|(?=[{w}.+\\-])(?=[{w}.+{INVISIBLE[1:-1]}\\-]{{1,256}}@)[{w}.+\\-]+(?:{INVISIBLE}+[{w}.+\\-]+)*@[{w}\\-]+(?:{INVISIBLE}+[{w}\\-]+)*"
        f"(?:\\.[{w}\\-]+(?:{INVISIBLE}+[{w}\\-]+)*)+"
    )


@cache
def _bmp_class(pattern: str, flags: int = 0) -> str:
    """The BMP characters of the ``regex`` class ``pattern``, inside a ``re`` class."""
    import regex

    spans = (m.span() for m in regex.finditer(pattern + "+", _bmp(), flags))
    return "".join(_class_range(a, b - 1) for a, b in spans)


@cache
def _bmp_set(pattern: str, flags: int = 0) -> frozenset[str]:
    """The BMP characters of the ``regex`` class ``pattern``."""
    import regex

    return frozenset(regex.findall(pattern, _bmp(), flags))


@cache
def _bmp() -> str:
    return "".join(map(chr, range(0x10000)))


def _class_range(first: int, last: int) -> str:
    """Characters ``first`` to ``last`` inside a ``re`` class (literal: fast to parse)."""
    a, b = (f"\\{chr(c)}" if chr(c) in "\\]^-[" else chr(c) for c in (first, last))
    return a if first == last else f"{a}-{b}" if last > first + 1 else a + b


#: Whole-word boundaries for matching, in the same terms as the tokenizer.
WORD_START = f"(?<!{WORD_CHAR}{INVISIBLE}*)(?<!{_JOINS}{INVISIBLE}*)"
WORD_END = f"(?!{INVISIBLE}*{WORD_CHAR})(?!{INVISIBLE}*{_JOINS})"
#: A joiner that the ``re`` patterns of ``_plain`` take for one and ``_JOINS`` does not.
_REFUSED = (
    f"(?<={WORD_CHAR}{INVISIBLE}*)(?!{_JOINS})"
    f"(?:{_LINK}|{_PERIOD}|(?<=[\\p{{N}}{_FILLER[1:-1]}]){_COMMA})(?={_FILLER}*{_CONTENT_CHAR})"
)


class Kind(str, Enum):
    word = "word"
    number = "number"
    url = "url"
    emoji = "emoji"
    punct = "punct"


class Token(NamedTuple):
    text: str
    start: int
    end: int
    kind: Kind


def tokenize(text: str) -> Iterator[Token]:
    """Every token of ``text`` with its kind and span in ``text``.

    Past a few megabytes, text of the Basic Multilingual Plane goes to ``_TOKEN`` built
    for ``re`` (``_plain_tokens``) unless ``_JOINS`` refuses a joiner there, as in
    ``words``; the rest goes to ``regex`` (``_tokenize_regex``).
    """
    if _exact_plain(text) is None:
        return _tokenize_regex(text)
    return iter(_tokenize_plain(text))


def _exact(plain: _Plain, text: str) -> bool:
    """True when ``_JOINS`` takes every joiner of ``text`` that ``plain`` takes."""
    return plain.joiners.search(text) is None or _pattern(_REFUSED).search(text) is None


class _PlainTokens(NamedTuple):
    """``_TOKEN`` for ``re`` (see ``_plain_tokens``)."""

    tokens: re.Pattern[str]  # (url)|(word|emoji|punct), for text that may hold a URL
    others: re.Pattern[str]  # word|emoji|punct, without groups
    split: re.Pattern[str]  # (word|emoji|punct): ``split`` gives the gaps and the tokens
    suspect: re.Pattern[str]  # where a word token may lack content (``_Plain.suspect``)
    letters: frozenset[str]  # a token that starts with a letter is a word
    kinds: dict[str, Kind | None]  # else its first character: an emoji, None for a
    # word or number, absent for punctuation
    contents: frozenset[str]  # a word token that starts with one has content
    letter: re.Pattern[str]
    content: re.Pattern[str]


@cache
def _plain_tokens() -> _PlainTokens:
    """``_TOKEN`` for ``re``, exact on BMP text where ``words`` may use ``_plain``: the
    same word pattern, and the URL, emoji and punctuation alternatives with the BMP
    characters of their ``regex`` classes.

    ``findall`` gives the tokens faster than match objects; each starts with a
    character that never stands between two tokens (only white space and format
    characters do), so the first occurrence of a token after the previous one is the
    token itself, and its first character tells which alternative found it: a word
    character the word, else a pictograph the emoji (the alternatives are tried in
    that order).
    """
    import regex

    core, cls = _plain().core.pattern, _bmp_class
    emoji = _plain_emoji()
    punct = "[^" + cls(r"[\s\p{L}\p{M}\p{N}\p{Cf}]") + "]"
    others = f"{core}|{emoji}|{punct}"
    word_chars, letters = _bmp_set(WORD_CHAR), _bmp_set(_LETTER, regex.V1)
    return _PlainTokens(
        re.compile(f"({_plain_url()})|({others})"),
        re.compile(others),
        re.compile(f"({others})"),
        _plain().suspect,
        letters,
        {
            **dict.fromkeys(_bmp_set(r"\p{Extended_Pictographic}"), Kind.emoji),
            **dict.fromkeys(word_chars - letters),
        },
        _bmp_set(_CONTENT, regex.V1),
        re.compile(f"[{cls(_LETTER, regex.V1)}]"),
        re.compile(f"[{cls(_CONTENT, regex.V1)}]"),
    )


def _tokenize_plain(text: str) -> list[Token]:
    """``_tokenize_regex`` with the ``re`` patterns of ``_plain_tokens`` (BMP text whose
    joiners ``_JOINS`` all takes)."""
    plain = _plain_tokens()
    letters, kinds, contents = plain.letters, plain.kinds, plain.contents
    has_letter, has_content = plain.letter.search, plain.content.search
    word, number, punct, url = Kind.word, Kind.number, Kind.punct, Kind.url
    find, new = text.find, tuple.__new__  # Token(...) runs a __new__ written in Python
    found: list[Token] = []
    add = found.append
    if _may_hold_url(text):
        pairs: Iterable[tuple[str, str]] = plain.tokens.findall(text)
    else:
        pairs = zip(repeat(""), plain.others.findall(text))
    end = 0
    for link, value in pairs:
        if link:
            start = find(link, end)
            end = start + len(link)
            add(new(Token, (link, start, end, url)))
            continue
        start = find(value, end)
        end = start + len(value)
        first = value[0]
        if first in letters:
            kind = word
        else:
            found_kind = kinds.get(first, punct)
            if found_kind is None:  # a word token that starts with a digit or filler
                if first not in contents and not has_content(value):
                    continue  # tatweel or marks alone
                kind = word if has_letter(value) else number
            else:
                kind = found_kind
        add(new(Token, (value, start, end, kind)))
    return found


class Columns(NamedTuple):
    """The tokens of a text as columns (``token_columns``): each token's spelling and
    first character; its kind is ``plain_kind(spelling)``."""

    spellings: list[str]
    starts: list[int]


def token_columns(text: str) -> Columns | None:
    """``tokenize(text)`` as columns, made in C: the spellings and starts of its tokens,
    each token's kind a function of its spelling alone (``plain_kind``).  None when the
    text needs ``tokenize``: it may hold a URL, a token there may lack content, or
    ``tokenize`` would not serve it with ``_plain_tokens``.

    ``split`` on the token pattern gives the gaps between tokens and the tokens in
    turn, and the running sum of their lengths gives each token's start: no Python code
    runs per token (the token layer's build spent a third of its time in the loop of
    ``_tokenize_plain``).
    """
    from itertools import accumulate, islice

    if _may_hold_url(text) or _exact_plain(text) is None:
        return None
    plain = _plain_tokens()
    if plain.suspect.search(text) is not None:
        return None
    parts = plain.split.split(text)
    spellings = parts[1::2]
    return Columns(spellings, list(islice(accumulate(map(len, parts)), 0, 2 * len(spellings), 2)))


def plain_kind(spelling: str) -> Kind:
    """The kind of a token that ``token_columns`` found (as ``_tokenize_plain`` decides
    it: by its first character, then whether it has a letter)."""
    plain = _plain_tokens()
    first = spelling[0]
    if first in plain.letters:
        return Kind.word
    kind = plain.kinds.get(first, Kind.punct)
    if kind is None:  # a word token that starts with a digit or filler
        return Kind.word if plain.letter.search(spelling) else Kind.number
    return kind


def _tokenize_regex(text: str) -> Iterator[Token]:
    """``tokenize`` with ``regex`` alone: the reference, and the path of the texts
    that ``_plain_tokens`` does not serve."""
    token_re, has_content, has_letter = _pattern(_TOKEN), _pattern(_CONTENT, True), _pattern(_LETTER, True)
    for match in token_re.finditer(text):
        group = match.lastgroup
        value = match.group()
        if group == "word":
            if not has_content.search(value):
                continue  # tatweel or marks alone
            kind = Kind.word if has_letter.search(value) else Kind.number
        else:
            kind = Kind(group)
        yield Token(value, match.start(), match.end(), kind)


def word_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of word and number tokens: what counts, and what ``--words`` walks over."""
    word_re, has_content = _pattern(_WORDS), _pattern(_CONTENT, True)
    for match in word_re.finditer(text):
        if match.start(1) >= 0 and has_content.search(match.group(1)):
            yield match.span(1)


def _may_hold_url(text: str) -> bool:
    return "@" in text or "://" in text or "www." in text


def words(text: str) -> list[str]:
    """Word and number tokens of ``text`` as strings (the fast path of ``freq``): the word
    and number tokens of ``tokenize``, exactly.

    Text without ``@``, ``://`` or ``www.`` holds no URL or e-mail address, so the
    plain word pattern does (twice as fast as trying the URL alternative everywhere);
    likewise text without U+FE0F or ZWJ needs no emoji alternative (``_EMOJI_TAKES``).
    Once a few megabytes have been tokenized, text of the Basic Multilingual Plane goes
    to the same patterns in ``re`` (``_plain``) unless ``_JOINS`` refuses a joiner there,
    and unless a token can lack content there, no token needs a look of its own.
    """
    plain = _exact_plain(text)
    if plain is not None:
        if _emoji_takes_word_characters(text):
            found = list(filter(None, plain.words_beside_emoji.findall(text)))  # as below
        elif not _may_hold_url(text):
            found = plain.core.findall(text)
        else:
            found = list(filter(None, plain.words.findall(text)))  # a URL leaves an empty match
        if plain.suspect.search(text) is None:
            return found
    elif _emoji_takes_word_characters(text) or _may_hold_url(text):
        found = _pattern(_WORDS).findall(text)  # a URL or an emoji leaves an empty match
    else:
        found = _pattern(_CORE).findall(text)
    has_content = _pattern(_CONTENT, True)
    # Nearly every token starts with a letter or digit; only the rest need a closer look.
    return [w for w in found if w and ((w[0] not in _SILENT and w[0].isalnum()) or has_content.search(w))]


#: Characters tokenized with ``regex`` before ``_plain`` (50 ms to build) pays off.
_PLAIN_AFTER = 1_000_000
_tokenized = [0]


def warm_words(size: int) -> None:
    """Ready ``words`` for a job of ``size`` characters (before forking workers, which
    then share the compiled patterns)."""
    _tokenized[0] += size
    if _tokenized[0] >= _PLAIN_AFTER:
        _plain()


def _plain_for(text: str) -> _Plain | None:
    """The ``re`` patterns for ``text``, or None: ``regex`` serves it (a small job so
    far, or a character beyond the BMP, which ``_plain`` does not know)."""
    if _tokenized[0] < _PLAIN_AFTER:
        _tokenized[0] += len(text)
        return None
    if not text.isascii() and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):
        return None
    return _plain()


def _exact_plain(text: str) -> _Plain | None:
    """``_plain_for(text)`` where its word pattern finds the words of ``_CORE`` in
    ``text`` (``_JOINS`` takes every joiner there that it takes), else None."""
    plain = _plain_for(text)
    return plain if plain is not None and _exact(plain, text) else None


def is_word(token: str) -> bool:
    """True when ``token`` has a letter or digit other than tatweel and the small waw
    and yeh (which normalization deletes)."""
    return _pattern(_CONTENT, True).search(token) is not None
