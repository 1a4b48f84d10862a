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
def _compiled() -> tuple[
    regex.Pattern[str], regex.Pattern[str], regex.Pattern[str], regex.Pattern[str], regex.Pattern[str]
]:
    """The token patterns, compiled on first use (grep without -w never needs them)."""
    import regex

    return (
        regex.compile(_TOKEN),
        regex.compile(_WORDS),
        regex.compile(_CORE),
        regex.compile(r"[\p{L}\p{N}--\u0640]", regex.V1),  # has content: not tatweel alone
        regex.compile(r"[\p{L}--\u0640]", regex.V1),  # has a letter
    )


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
    token_re, _, _, has_content, has_letter = _compiled()
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
    _, word_re, _, has_content, _ = _compiled()
    for match in word_re.finditer(text):
        if match.start(1) >= 0 and has_content.search(match.group(1)):
            yield match.span(1)


def _may_hold_url(text: str) -> bool:
    return "@" in text or "://" in text or "www." in text


def words(text: str) -> list[str]:
    """Word and number tokens of ``text`` as strings (the fast path of ``freq``).

    Text without ``@``, ``://`` or ``www.`` holds no URL or e-mail address, so the
    plain word pattern does (twice as fast as trying the URL alternative everywhere).
    """
    _, word_re, core_re, has_content, _ = _compiled()
    found = word_re.findall(text) if _may_hold_url(text) else core_re.findall(text)
    # Nearly every token starts with a letter or digit; only the rest need a closer look.
    return [w for w in found if w and ((w[0] != TATWEEL and w[0].isalnum()) or has_content.search(w))]


def is_word(token: str) -> bool:
    """True when ``token`` has a letter or digit other than tatweel."""
    return _compiled()[3].search(token) is not None
