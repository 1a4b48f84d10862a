"""Tokens of Arabic (and mixed) text, found on the original text with exact spans.

A word is a run of letters, marks, digits, tatweel and ZWNJ/ZWJ, so a vocalized word
(``ٱلْمَلَٰٓئِكَةَ``) stays whole; one internal ``. _ ' ’ -`` joins two runs (``3.5``,
``COVID-19``, ``أ.ف.ب``, ``اليوم_الوطني``) and ``٫ ٬`` join digits (``٣٫٥``).  Invisible
format characters inside a word do not split it (normalization deletes them, so grep
and freq must agree).  URLs and e-mail addresses are single tokens, emoji are tokens of
their own, punctuation is never a word token, and a run of tatweel alone is no token.

The same classes define whole-word matching (``-w``): never Python's ``\\b``, which
breaks words at harakat.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from .normalize import INVISIBLES, TATWEEL

if TYPE_CHECKING:
    import regex

WORD_CHAR = r"[\p{L}\p{M}\p{N}\u0640\u200c\u200d]"
INVISIBLE = f"[{INVISIBLES.replace(chr(0x200C), '')}]"
JOINER = r"[._'’\-]"
DIGIT_JOINER = r"[\u066b\u066c]"
_RUN = f"{WORD_CHAR}+(?:{INVISIBLE}+{WORD_CHAR}+)*"
# One joiner between two runs; invisible characters around it do not break the word.
_JOIN = (
    f"{INVISIBLE}*(?:{JOINER}|(?<=\\p{{N}}{INVISIBLE}*){DIGIT_JOINER}(?={INVISIBLE}*\\p{{N}}))"
    f"{INVISIBLE}*(?=[\\p{{L}}\\p{{N}}])"
)
_CORE = f"{_RUN}(?:{_JOIN}{_RUN})*"
_URL = r"(?:https?://|www\.)[^\s<>\"«»“”]+[^\s<>\"«»“”.,;:!?)\]}'،؛؟]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_EMOJI = r"\p{Extended_Pictographic}(?:\p{EMod}|\ufe0f|\u200d\p{Extended_Pictographic})*"

_PUNCT = r"[^\s\p{L}\p{M}\p{N}\p{Cf}]"  # format characters alone are no token
_TOKEN = f"(?P<url>{_URL})|(?P<word>{_CORE})|(?P<emoji>{_EMOJI})|(?P<punct>{_PUNCT})"
#: Word and number tokens only (what ``freq`` and ``list`` count); a URL matches the
#: first, empty-handed alternative so that its parts are never counted as words.
_WORDS = f"{_URL}|({_CORE})"


@cache
def _pattern(pattern: str, version1: bool = False) -> regex.Pattern[str]:
    """``pattern`` compiled with ``regex`` on first use: grep without -w never needs the
    token patterns, a concordance only two (the whole token pattern alone takes 12 ms)."""
    import regex

    return regex.compile(pattern, regex.V1 if version1 else 0)


_CONTENT = r"[\p{L}\p{N}--\u0640]"  # has content: not tatweel alone (V1 set difference)
_LETTER = r"[\p{L}--\u0640]"  # has a letter


@cache
def _plain() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """``_WORDS`` and ``_CORE`` for the standard library's ``re``, exact on text of the
    Basic Multilingual Plane (twice as fast as ``regex``: its classes are bitmaps), and
    a test for the texts where a word token may lack content (see ``words``).

    Each property class is the set of BMP characters that ``regex`` itself puts in it,
    so both modules agree whatever their Unicode versions.  The variable-width
    lookbehind of ``_JOIN`` (a digit before the invisibles in front of ``٫ ٬``) becomes
    a one-character lookbehind at the end of the run, the same condition: invisible
    characters are never word characters.
    """
    import regex

    every = "".join(map(chr, range(0x10000)))

    def cls(pattern: str, flags: int = 0) -> str:
        """The BMP characters of the ``regex`` class ``pattern``, inside a ``re`` class."""
        spans = (m.span() for m in regex.finditer(pattern + "+", every, flags))
        return "".join(_class_range(a, b - 1) for a, b in spans)

    numeric, alnum = r"\p{N}", r"[\p{L}\p{N}]"
    bare = f"[{WORD_CHAR}--[{alnum}--\\u0640]]"  # word characters without content
    wc, digit, letter_or_digit = f"[{cls(WORD_CHAR)}]", f"[{cls(numeric)}]", f"[{cls(alnum)}]"
    inv = INVISIBLE
    run = f"{wc}+(?:{inv}+{wc}+)*"
    join = f"(?:{inv}*{JOINER}|(?<={digit}){inv}*{DIGIT_JOINER}(?={inv}*{digit})){inv}*(?={letter_or_digit})"
    # After the first run, the rest of ``_CORE`` is tried only before a character that
    # can start it (a third faster: most words end at a space).
    follows = f"[{INVISIBLE[1:-1]}{JOINER[1:-1]}{DIGIT_JOINER[1:-1]}]"
    core = f"{wc}+(?:(?={follows})(?:{inv}+{wc}+)*(?:{join}{run})*)?"
    space, w = cls(r"\s"), cls(r"\w")
    url = (
        f'(?:https?://|www\\.)[^{space}<>"«»“”]+[^{space}<>"«»“”.,;:!?)\\]}}\'،؛؟]'
        f"|[{w}.+\\-]+@[{w}\\-]+(?:\\.[{w}\\-]+)+"
    )
    # A token without content starts with a ``bare`` character that no word character
    # precedes (else the token would run on from it), or that ends an e-mail address
    # early because \w does not take it.
    suspect = f"[{cls(bare, regex.V1)}](?<!{wc}[\\s\\S])"  # the class first: ``re`` skips to it
    outside = cls(f"[{bare}--\\w]", regex.V1)
    if outside:
        suspect += f"|[{outside}]"
    return re.compile(f"{url}|({core})"), re.compile(core), re.compile(suspect)


def _class_range(first: int, last: int) -> str:
    """Characters ``first`` to ``last`` inside a ``re`` class (literal: fast to parse)."""
    a, b = (f"\\{chr(c)}" if chr(c) in "\\]^-[" else chr(c) for c in (first, last))
    return a if first == last else f"{a}-{b}" if last > first + 1 else a + b


#: Whole-word boundaries for matching, in the same terms as the tokenizer.
WORD_START = (
    f"(?<!{WORD_CHAR}{INVISIBLE}*)(?<!{WORD_CHAR}{INVISIBLE}*{JOINER}{INVISIBLE}*)"
    f"(?<!\\p{{N}}{INVISIBLE}*{DIGIT_JOINER}{INVISIBLE}*)"
)
WORD_END = (
    f"(?!{INVISIBLE}*{WORD_CHAR})(?!{INVISIBLE}*{JOINER}{INVISIBLE}*[\\p{{L}}\\p{{N}}])"
    f"(?!{INVISIBLE}*{DIGIT_JOINER}{INVISIBLE}*\\p{{N}})"
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
    """Every token of ``text`` with its kind and span in ``text``."""
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
    """Word and number tokens of ``text`` as strings (the fast path of ``freq``).

    Text without ``@``, ``://`` or ``www.`` holds no URL or e-mail address, so the
    plain word pattern does (twice as fast as trying the URL alternative everywhere).
    Once a few megabytes have been tokenized, text of the Basic Multilingual Plane goes
    to the same patterns in ``re`` (``_plain``), and unless a token can lack content
    there, no token needs a look of its own.
    """
    plain = _plain_for(text)
    if plain is not None:
        word_re, core_re, suspect = plain
        if not _may_hold_url(text):
            found = core_re.findall(text)
        else:
            found = list(filter(None, word_re.findall(text)))  # a URL leaves an empty match
        if suspect.search(text) is None:
            return found
    else:
        any_re, word_only_re = _pattern(_WORDS), _pattern(_CORE)
        found = any_re.findall(text) if _may_hold_url(text) else word_only_re.findall(text)
    has_content = _pattern(_CONTENT, True)
    # Nearly every token starts with a letter or digit; only the rest need a closer look.
    return [w for w in found if w and ((w[0] != TATWEEL and w[0].isalnum()) or has_content.search(w))]


#: Characters tokenized with ``regex`` before ``_plain`` (50 ms to build) pays off.
_PLAIN_AFTER = 1_000_000
_tokenized = [0]


def warm_words(size: int) -> None:
    """Ready ``words`` for a job of ``size`` characters (before forking workers, which
    then share the compiled patterns)."""
    _tokenized[0] += size
    if _tokenized[0] >= _PLAIN_AFTER:
        _plain()


def _plain_for(text: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]] | None:
    """The ``re`` patterns for ``text``, or None: ``regex`` serves it (a small job so
    far, or a character beyond the BMP, which ``_plain`` does not know)."""
    if _tokenized[0] < _PLAIN_AFTER:
        _tokenized[0] += len(text)
        return None
    if not text.isascii() and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):
        return None
    return _plain()


def is_word(token: str) -> bool:
    """True when ``token`` has a letter or digit other than tatweel."""
    return _pattern(_CONTENT, True).search(token) is not None
