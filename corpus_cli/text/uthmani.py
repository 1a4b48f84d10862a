"""The Quran's Uthmani spelling read as modern spelling, one word at a time: the rules
of the ``uthmani`` fold (``--fold uthmani``; ``normalize._UthmaniStep`` applies them to
text and keeps the offset map).  Each rule needs the marks of vocalized text, so modern
spelling is never changed; ``uthmani_word`` says what each character of a word becomes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from .letters import ALEF_FOLD, TATWEEL

DAGGER_ALEF = "\u0670"
HAMZA_ABOVE = "\u0654"
ALEF_MAKSURA = "\u0649"
#: Short vowels, tanween, shadda and sukun: the harakat whose presence decides a rule.
_HARAKAT = frozenset("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652")
_KASRA = frozenset("\u0650\u064d")
_DAMMA = frozenset("\u064f\u064c")
_FATHA = frozenset("\u064e\u064b")
_TANWEEN = frozenset("\u064b\u064c\u064d")
#: What a word of the Uthmani script is made of: Arabic letters, tatweel, marks, the
#: alef wasla, the small letters and the Quranic marks written on a letter; not the
#: signs that stand on their own (end of ayah, rub el hizb, sajdah), which no token holds.
WORD_CHARS = "\u0621-\u063a\u0640-\u065f\u0670-\u06d3\u06d5-\u06dc\u06df-\u06e8\u06ea-\u06ed\u08d3-\u08ff"
#: Something one of the rules acts on: a dagger alef, a hamza on a seat of its own, a
#: small yeh/high yeh/high noon, a vocalized alef maksura or hamza, or ٱلَّيْل's one lam.
TRIGGER = (
    "[\u0670\u0654\u06e5-\u06e8]|[\u064b-\u0652]\u0649|\u0649[\u064b-\u0652]"
    "|\u0621[\u064b-\u0652]|\u0644[\u064e\u0651]+\u064a"
)
#: Words that modern spelling, too, writes without the alef that a dagger alef stands
#: for (هذا, ذلك, الرحمن, أولئك, لكن, إله, الله), with their proclitics (interrogative
#: أ, و/ف, ب/ك/ل) and pronoun suffixes, as letters with every alef read as ا.  The
#: group that matches ends at the letter that carries the unwritten alef.
_HIDDEN_ALEF = re.compile(
    "(?:ا?[وف]?[بكل]?)(?:"
    "(ه)(?:ذا|ذه|ذا?ن|ذين|ؤلاء|كذا)"
    "|(ذ)لك(?:م|ما|ن)?"
    "|(ا?لرحم)ن"
    "|(اول)ئكم?"
    "|(ل)كن(?:ا|ي|ه|هم|كم|ني|نا|هما)?"
    "|(ال)ه(?:ا|ين|ك|كم|نا|ه|هم|كما|هما)?"
    "|(ا?لل)هم?"
    ")"
)
#: Proclitics (interrogative أ, و/ف, ب/ك/ل, the article) that may stand before a word's
#: first letter: a hamza after them is written as at the start of a word (بِـَٔايَـٰتِ: بآيات).
_PROCLITICS = re.compile("ا?[وف]?[بكل]?(?:ال)?")
#: ٱلَّيْل (the night), which writes the article's ل and the word's as one, with proclitics.
_ONE_LAM_NIGHT = re.compile("[وف]?[بكل]?اليل")
_YEH, _WAW, _ALEF, _HAMZA = "\u064a", "\u0648", "\u0627", "\u0621"


class _Cluster(NamedTuple):
    """A base character of a word (a letter or a tatweel) and the marks written on it."""

    base: int  # index in the word
    marks: tuple[int, ...]


def _clusters(word: str) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    marks: list[int] = []
    base = -1
    for i, char in enumerate(word):
        if unicodedata.combining(char) or char in "\u06e5\u06e6":
            if base >= 0:
                marks.append(i)
            continue
        if base >= 0:
            clusters.append(_Cluster(base, tuple(marks)))
        base, marks = i, []
    if base >= 0:
        clusters.append(_Cluster(base, tuple(marks)))
    return clusters


class _UthmaniWord:
    """One word under the ``uthmani`` fold: ``out`` holds what each character becomes."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.out = list(word)
        self.clusters = _clusters(word)
        #: The clusters of letters (not of a tatweel), in order.
        self.letters = [k for k, c in enumerate(self.clusters) if word[c.base] != TATWEEL]

    def base(self, k: int) -> str:
        return self.word[self.clusters[k].base]

    def marks(self, k: int) -> dict[str, int]:
        return {self.word[i]: i for i in self.clusters[k].marks}

    def harakat(self, k: int) -> set[str]:
        return set(self.marks(k)) & _HARAKAT

    def owner(self, k: int) -> int:
        """The letter a cluster's marks belong to (a tatweel lends its marks to the one before)."""
        while k > 0 and self.base(k) == TATWEEL:
            k -= 1
        return k

    def before(self, k: int) -> int | None:
        """The letter before cluster ``k`` (before its owner, for a tatweel)."""
        mine = self.owner(k) if self.base(k) == TATWEEL else k
        earlier = [j for j in self.letters if j < mine]
        return earlier[-1] if earlier else None

    def letters_after(self, k: int) -> int:
        return sum(1 for j in self.letters if j > k)

    def alef_follows(self, k: int) -> bool:
        """The next cluster is an alef, or a tatweel that carries a dagger alef (ـَٔـٰ: آ)."""
        n = k + 1
        if n >= len(self.clusters):
            return False
        return self.base(n) in "\u0627\u0671" or (self.base(n) == TATWEEL and DAGGER_ALEF in self.marks(n))

    def skeleton(self, upto: int | None = None) -> tuple[str, list[int]]:
        """The letters written so far (``out``) of the clusters before ``upto``, every
        alef as ا, and per letter its cluster."""
        chars: list[str] = []
        owners: list[int] = []
        for k in self.letters:
            if upto is not None and k >= upto:
                break
            for char in self.out[self.clusters[k].base]:
                chars.append(ALEF_FOLD.get(char, char))
                owners.append(k)
        return "".join(chars), owners

    def word_initial(self, k: int) -> bool:
        """Only proclitics before cluster ``k``: a hamza there is at the start of the word."""
        return _PROCLITICS.fullmatch(self.skeleton(upto=k)[0]) is not None

    def hamza_seat(self, k: int) -> str | None:
        """The letter modern spelling writes for the vocalized hamza of cluster ``k`` (a
        hamza on the line, or on a tatweel), "" where it and the alef after it are آ, or
        None to leave it: by the strongest of its vowel and the vowel before it (kasra,
        then damma, then fatha), as modern spelling seats a hamza."""
        own = self.harakat(k)
        if not own:
            return None
        fatha_alef = "\u064e" in own and self.alef_follows(k)
        if self.word_initial(k):
            if fatha_alef:
                return ""
            return "\u0625" if own & _KASRA else "\u0623"
        earlier = [j for j in self.letters if j < k]  # a tatweel under a hamza is its seat
        if not earlier:
            return None
        before = earlier[-1]
        prior, prior_base = self.harakat(before), self.base(before)
        if self.base(k) == _HAMZA and prior_base in (_ALEF, _WAW, "\u0622") and not prior:
            return "\u0626" if own & _KASRA else None  # after a long vowel: on the line
        if own & _KASRA or prior & _KASRA or (prior_base in (_YEH, ALEF_MAKSURA) and not prior & _FATHA):
            return "\u0626"
        if own & _DAMMA or prior & _DAMMA:
            if self.base(k) == _HAMZA and k + 1 < len(self.clusters) and self.base(k + 1) == _WAW:
                return None  # رَءُوفٌ, رُءُوسَ: before the wāw of ū, written on the line too
            return "\u0624"
        if fatha_alef:
            return ""
        if own & _FATHA or prior & _FATHA or "\u0652" in own:
            return "\u0623"
        return None


#: The rules of the ``uthmani`` fold, by name (``_UthmaniStep`` says what each
#: does); ``uthmani_word`` takes a subset, for measuring each (benchmarks/quran_spelling.py).
UTHMANI_RULES = ("yeh", "hamza", "small", "dagger", "waw", "maksura", "vocative", "lam")


@lru_cache(maxsize=1 << 16)
def uthmani_word(word: str, rules: tuple[str, ...] = UTHMANI_RULES) -> tuple[str, ...] | None:
    """What each character of ``word`` (a run of ``WORD_CHARS``) becomes under the
    ``uthmani`` fold (one string per character, "" for a deletion), or None when the
    word is left as it is.  Every replacement stands for one original character, so
    offsets stay exact.  The rules are those of ``_UthmaniStep``.  Cached: the Quran's
    78,000 words are 19,000 spellings.
    """
    if not re.search(TRIGGER, word):
        return None
    w = _UthmaniWord(word)
    out, clusters = w.out, w.clusters
    if not w.letters:
        return None
    # Letters first: hamza seats, the dotless yeh, the small letters.
    for k, cluster in enumerate(clusters):
        base, marks = w.base(k), w.marks(k)
        if base == ALEF_MAKSURA and DAGGER_ALEF not in marks and "yeh" in rules:
            before = w.before(k)
            if marks.keys() & _HARAKAT or (before is not None and w.harakat(before) & _KASRA):
                out[cluster.base] = _YEH  # فِى, شَىْءٍ: a yeh written without its dots
        elif base == TATWEEL and HAMZA_ABOVE in marks and "hamza" in rules:
            seat = w.hamza_seat(k)
            out[cluster.base], out[marks[HAMZA_ABOVE]] = ("\u0621" if seat is None else seat), ""
        elif (
            base == _HAMZA
            and "hamza" in rules
            and w.letters_after(k)  # a final hamza stays on the line: شَىْءٍ, جُزْءًا
            and not marks.keys() & _TANWEEN
            and (seat := w.hamza_seat(k)) is not None
        ):
            out[cluster.base] = seat  # ءَامَنُوا, يَسْتَهْزِءُونَ, إِسْرَٰٓءِيلَ
        for small, letter in (("\u06e6", _YEH), ("\u06e5", _WAW), ("\u06e7", _YEH), ("\u06e8", "\u0646")):
            if (
                small in marks
                and "small" in rules
                and not (small in "\u06e5\u06e6" and w.base(w.owner(k)) == "\u0647")
            ):
                out[marks[small]] = letter  # يُحْىِۦ, دَاوُۥدَ, إِبْرَٰهِـۧمَ; not بِهِۦ, لَهُۥ
    # Then the dagger alefs, which words that modern spelling writes without the alef keep.
    skeleton, owners = w.skeleton()
    # The vocative يَـٰ that starts a word (يَـٰٓأَيُّهَا): the rest is a word of its own.
    vocative = re.match("\u0648?\u064a", skeleton) if "vocative" in rules else None
    if vocative is not None:
        yeh = owners[vocative.end() - 1]
        carries = any(DAGGER_ALEF in w.marks(j) and w.owner(j) == yeh for j in range(yeh, len(clusters)))
        if not carries or w.letters_after(yeh) < 2:
            vocative = None
    rest = vocative.end() if vocative is not None else 0
    hidden: int | None = None
    match = _HIDDEN_ALEF.fullmatch(skeleton, rest)
    if match is not None:
        group = next(g for g in range(1, (match.lastindex or 0) + 1) if match.group(g) is not None)
        hidden = owners[match.end(group) - 1]
    for k, cluster in enumerate(clusters):
        dagger = w.marks(k).get(DAGGER_ALEF)
        if dagger is None:
            continue
        base = w.base(k)
        if base == ALEF_MAKSURA:
            if w.letters_after(k) and "maksura" in rules:  # هَدَىٰهُمْ: ā inside the word is an alef (هداهم)
                out[cluster.base], out[dagger] = _ALEF, ""
        elif base == _WAW and not w.harakat(k):  # ٱلصَّلَوٰةَ: a wāw that seats ā
            if "waw" not in rules:
                continue
            n = k + 1
            alef_next = n < len(clusters) and w.base(n) == _ALEF  # ٱلرِّبَوٰا۟: الربا
            out[cluster.base], out[dagger] = ("" if alef_next else _ALEF), ""
        elif w.owner(k) == hidden:
            pass
        elif "dagger" in rules or vocative is not None:
            # The alef takes the place of a tatweel that carries the dagger alef (ـٰ), so
            # that the span of a word maps back to the characters that spell it.
            carrier = cluster.base if base == TATWEEL and out[cluster.base] == TATWEEL else dagger
            if vocative is not None and w.owner(k) == owners[vocative.end() - 1]:
                # يَـٰٓأَيُّهَا, يَـٰقَوْمِ: the vocative يا is a word, which ends after its marks
                out[carrier], out[dagger] = "", ""
                out[carrier] = _ALEF
                out[max(cluster.marks)] += " "
            elif "dagger" in rules:
                out[dagger] = ""
                out[carrier] = _ALEF
    # ٱلَّيْل and ٱلَّـٰتِى write the article's ل and the word's as one.
    skeleton, owners = w.skeleton()
    start = _PROCLITICS.match(skeleton, rest)
    if (
        "lam" in rules
        and start is not None
        and start.end() - rest >= 2
        and skeleton[start.end() - 2 : start.end()] == "\u0627\u0644"
        and start.end() < len(skeleton)
    ):
        lam = owners[start.end() - 1]
        doubled = _ONE_LAM_NIGHT.fullmatch(skeleton, rest) or any(
            DAGGER_ALEF in w.marks(j) for j in range(lam, min(lam + 2, len(clusters))) if w.owner(j) == lam
        )
        if doubled and w.base(lam) == "\u0644" and "\u0651" in w.marks(lam):
            out[clusters[lam].base] = "\u0644\u0644"
    return None if "".join(out) == word else tuple(out)
