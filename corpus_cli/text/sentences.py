"""Sentences: the one definition that ``freq --ngram`` and ``export`` share.

A sentence ends at a punctuation token in ``SENTENCE_END`` or at a line end, whichever
comes first.  The punctuation that ends a sentence belongs to it, and so does a run of
it (``?!``, ``...``: three tokens, one end), and the quotes and brackets that close
right after it (``«قال: نعم.»``: the ``»`` too; a straight quote when nothing separates
it from the end).  Other punctuation (quotes, commas, brackets) never ends a sentence.
A sentence holds at least one token: a blank line or a line of spaces makes none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from .tokenize import Kind, Token, tokenize

#: Punctuation that ends a sentence: n-grams never run across it (nor across a line end).
SENTENCE_END = frozenset(".!?؟;؛:…")


def ends_sentence(token: Token) -> bool:
    """Is ``token`` punctuation that ends a sentence?"""
    return token.kind is Kind.punct and token.text in SENTENCE_END


def closes_sentence(token: Token, after: int) -> bool:
    """Does ``token``, after a sentence's end at offset ``after``, close what the sentence
    opened (a closing bracket or quote, or a straight quote right after the end)?"""
    if token.kind is not Kind.punct:
        return False
    if unicodedata.category(token.text[0]) in ("Pe", "Pf"):
        return True
    return token.text in ('"', "'") and token.start == after


def sentences(text: str) -> Iterator[list[Token]]:
    """The sentences of ``text``, each the list of its tokens (every kind, with their
    spans in ``text``, exactly as ``tokenize(text)`` gives them)."""
    sentence: list[Token] = []
    ended = False  # the sentence has its end; a run of more sentence ends joins it
    last = 0  # where the previous token ended
    for token in tokenize(text):
        goes_on = ends_sentence(token) or closes_sentence(token, last)
        if sentence and (text.find("\n", last, token.start) != -1 or (ended and not goes_on)):
            yield sentence
            sentence, ended = [], False
        sentence.append(token)
        ended = ended or ends_sentence(token)
        last = token.end
    if sentence:
        yield sentence
