"""Clitic-aware matching: ``الأمن`` also finds ``للأمن``, ``وللأمن``, ``بالأمن``.

Query-side only: the corpus is never stemmed.  A normalized query word is compiled to a
pattern that allows, in their only legal order, a conjunction (و ف), a preposition
(ب ك ل) or the future ``س``, the article (``ال``, written ``لل`` after ``ل``) before it,
and a pronoun (ه ها هما هم هن ك كما كم كن ي ني نا) after it, with the spelling changes
a pronoun causes (``ة`` → ``ت``: مدرسة → مدرستها; ``ى`` → ``ا``: مستشفى → مستشفاه).

Every hit carries its split (``و+ال+أمن``) so the reader can judge it: a stem that
begins or ends with clitic letters gives false friends (``كمال`` for ``مال``, ``مصري``
for ``مصر``), which the split makes visible.  Queries of fewer than three letters
match only themselves.  A hit is a whole token, as ``-w`` and ``freq`` see it
(``tokenize``): ``الوطني`` is not found inside ``اليوم_الوطني``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, NamedTuple

from ..errors import CorpusError
from .tokenize import WORD_END, WORD_START

ENCLITICS = ("هما", "هم", "هن", "ها", "ه", "كما", "كم", "كن", "ك", "نا", "ني", "ي")
MIN_LETTERS = 3
ARTICLE = "ال"
_ENCL = "(?:" + "|".join(ENCLITICS) + ")"


class CliticMode(str, Enum):
    pro = "pro"
    enc = "enc"
    both = "both"


class Split(NamedTuple):
    """How a hit divides into proclitics, stem and enclitic (original spelling)."""

    pre: tuple[str, ...]
    stem: str
    post: str

    def __str__(self) -> str:
        return "+".join([*self.pre, self.stem] + ([self.post] if self.post else []))

    def as_dict(self) -> dict[str, str]:
        return {"pre": "+".join(self.pre), "stem": self.stem, "post": self.post}


def clitic_pattern(word: str, mode: CliticMode) -> str:
    """A regex over normalized text for ``word`` (normalized) with its clitics.

    Groups: ``pre`` (proclitics), ``merged`` (ل + article whose lam merged with a
    stem-initial lam: لله), ``stem``, ``post`` (enclitic).
    """
    if any(not (c.isalpha() or c.isspace()) for c in word) or " " in word:
        raise CorpusError(f"--clitics needs a single word, not '{word}'")
    if len(word) < MIN_LETTERS:
        return f"{WORD_START}(?P<pre>)(?P<stem>{word})(?P<post>){WORD_END}"
    pro = mode in (CliticMode.pro, CliticMode.both)
    enc = mode in (CliticMode.enc, CliticMode.both)
    article = "(?:[وف]?[بك]?ال|[وف]?لل)"
    stem = word
    lead = ""
    if pro:
        if word.startswith(ARTICLE) and len(word) > len(ARTICLE):
            stem = word[len(ARTICLE) :]
            merged = "|(?P<merged>[وف]?ل)" if stem.startswith("ل") else ""
            # The query has the article: a hit must have it too (or its merged lam).
            lead = f"(?P<pre>{article}{merged})"
        else:
            future = "|[وف]?س" if word[0] in "يتنا" else ""
            lead = f"(?P<pre>{article}|[وف]?[بكل]?{future})"
    elif word.startswith(ARTICLE):
        stem = word[len(ARTICLE) :]
        lead = "(?P<pre>ال)"
    else:
        lead = "(?P<pre>)"
    bodies = [stem]
    if enc and stem.endswith("ة"):
        bodies.append(f"{stem[:-1]}ت(?={_ENCL})")
    if enc and stem.endswith("ى"):
        bodies.append(f"{stem[:-1]}ا(?={_ENCL})")
    post = f"(?P<post>{_ENCL})?" if enc else "(?P<post>)"
    return f"{WORD_START}{lead}(?P<stem>{'|'.join(bodies)}){post}{WORD_END}"


def split_match(match: Any, original_stem: str) -> Split:
    """The split of a clitic-pattern match, the stem in its original spelling."""
    pre = match.group("pre") or ""
    morphemes: list[str] = []
    if pre[:1] in ("و", "ف"):
        morphemes.append(pre[0])
        pre = pre[1:]
    if pre == "لل":
        morphemes += ["ل", ARTICLE]
    else:
        if pre[:1] in ("ب", "ك", "ل", "س") and pre != ARTICLE:
            morphemes.append(pre[0])
            pre = pre[1:]
        if pre == ARTICLE:
            morphemes.append(ARTICLE)
    try:
        merged = match.group("merged")
    except IndexError:
        merged = None
    if merged:
        morphemes.append(ARTICLE)
    return Split(tuple(morphemes), original_stem, match.group("post") or "")
