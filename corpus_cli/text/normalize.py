"""Arabic normalization for matching, with a map back to the original text.

Matching happens on normalized text; what is shown is always the original.  Every step
here is one of three kinds, and each kind has two drivers that must agree exactly:

* a fast driver (``Normalizer.normalize``) built on C-level ``re``/``str`` operations,
  used on whole documents;
* a mapped driver (``Normalizer.normalize_mapped``) that also records, for every output
  character, the range of original characters it came from.  It is used on queries and
  on the few lines that hold a hit, so its Python-level cost never touches the corpus.

The levels (``none``, ``light``, ``standard``, ``aggressive``) are presets over
independent toggles, in the fixed order of the specification: NFC, presentation forms,
NFC, invisibles and tatweel, tanween-alef, marks, NFC, letter folds, elongation, spaces.
The ``uthmani`` fold (Quranic spelling as modern spelling: ``_UthmaniStep``, its rules in
``uthmani.py``) is in no level; it runs before tatweel and marks are deleted, whose
context it needs.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from enum import Enum
from functools import cached_property, lru_cache
from typing import NamedTuple

from .letters import ALEF_FOLD, TATWEEL

# --------------------------------------------------------------------------- classes

ZWJ = "\u200d"
#: Format characters that readers never see (bidi controls, ZWNJ, BOM, soft hyphen).
INVISIBLES = "\u200b\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\u2060\ufeff\u00ad"
#: Marks written on a letter: harakat, Quranic annotation marks, extended-Arabic marks,
#: and the small waw/yeh (U+06E5, U+06E6: category Lm, but they sit on the letter).
COMBINING_MARKS = (
    "\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8"
    "\u06ea-\u06ed\u08d3-\u08e1\u08e3-\u08ff\u06e5\u06e6"
)
#: Quranic signs that stand on their own: end of ayah, rub el hizb, sajdah.
QURANIC_SIGNS = "\u06dd\u06de\u06e9"
#: What ``standard`` deletes as diacritics.
MARKS = COMBINING_MARKS + QURANIC_SIGNS
#: Horizontal spaces (Unicode Zs); tabs and newlines are left alone.
HSPACES = "\u0020\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
EMOJI = "\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
EMOJI_TAIL = EMOJI + "\ufe0f\U0001f3fb-\U0001f3ff"
ARABIC_LETTERS = "\u0621-\u063a\u0641-\u064a"
PRESENTATION = "\ufb50-\ufdff\ufe70-\ufefe"
PHRASE_LIGATURES = {
    "\ufdfa": "صلى الله عليه وسلم",
    "\ufdfb": "جل جلاله",
    "\ufdfd": "بسم الله الرحمن الرحيم",
}

LOOKALIKE_FOLD = {
    "\u06a9": "\u0643",
    "\u06aa": "\u0643",
    "\u06cc": "\u064a",
    "\u06c1": "\u0647",
    "\u06be": "\u0647",
    "\u06c3": "\u0629",
}
DIGIT_FOLD = {
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
    "\u066b": ".",
    "\u066c": ",",
    "\u066a": "%",
}
YEH_FOLD = {"\u0649": "\u064a"}
TEH_FOLD = {"\u0629": "\u0647"}
HAMZA_FOLD = {"\u0624": "\u0648", "\u0626": "\u064a"}
PUNCT_FOLD = {"\u060c": ",", "\u061b": ";", "\u061f": "?"}


class Level(str, Enum):
    """The four presets; ``standard`` is what every command uses unless told."""

    none = "none"
    light = "light"
    standard = "standard"
    aggressive = "aggressive"


class Normalizer(NamedTuple):
    """A set of independent folding steps.  Build one with ``Normalizer.for_level``."""

    nfc: bool = False
    presentation: bool = False
    ligatures: bool = False
    tatweel: bool = False
    invisibles: bool = False
    spaces: bool = False
    tanween_alef: bool = False
    marks: bool = False
    alef: bool = False
    lookalikes: bool = False
    digits: bool = False
    yeh: bool = False
    teh: bool = False
    hamza: bool = False
    punct: bool = False
    elongation: bool = False
    #: The Quran's Uthmani spelling read as modern spelling (``_UthmaniStep``); in no level.
    uthmani: bool = False

    @staticmethod
    def for_level(level: Level | str) -> Normalizer:
        return _LEVELS[Level(level)]

    @staticmethod
    def step_names() -> list[str]:
        return list(Normalizer._fields)

    def with_steps(self, **toggles: bool) -> Normalizer:
        return self._replace(**toggles)

    @property
    def active_steps(self) -> list[str]:
        return [name for name in self.step_names() if getattr(self, name)]

    @property
    def is_identity(self) -> bool:
        return not self.active_steps

    def normalize(self, text: str) -> str:
        """Normalize ``text`` (fast path: whole documents).

        An NFC step after the first is skipped when no step changed the text since
        the last one (every step hands back the very same string when it changes
        nothing): text in NFC stays in NFC.
        """
        changed = True  # since the last NFC step (or the start)
        for step in _pipeline(self):
            if isinstance(step, _NFCStep):
                if changed:
                    text = step.apply(text)
                    changed = False
                continue
            before = text
            text = step.apply(text)
            changed = changed or text is not before
        return text

    def normalize_mapped(self, text: str) -> Mapped:
        """Normalize ``text`` and keep, per output character, its original range."""
        n = len(text)
        mapped = Mapped(text, text, list(range(n)), list(range(1, n + 1)))
        for step in _pipeline(self):
            mapped = step.apply_mapped(mapped)
        return mapped


_LIGHT = Normalizer(nfc=True, presentation=True, tatweel=True, invisibles=True, spaces=True)
_STANDARD = _LIGHT._replace(ligatures=True, marks=True, alef=True, lookalikes=True, digits=True)
_AGGRESSIVE = _STANDARD._replace(
    tanween_alef=True,
    yeh=True,
    teh=True,
    hamza=True,
    punct=True,
    elongation=True,
)
_LEVELS = {
    Level.none: Normalizer(),
    Level.light: _LIGHT,
    Level.standard: _STANDARD,
    Level.aggressive: _AGGRESSIVE,
}


def normalize(text: str, level: Level | str = Level.standard) -> str:
    """Normalize ``text`` at a named level (the function queries and texts share)."""
    return Normalizer.for_level(level).normalize(text)


# --------------------------------------------------------------------------- mapping


#: A hit's end extends over the marks of its last letter (not over a Quranic sign).
_EXTEND = f"[\\u0300-\\u036f{COMBINING_MARKS}]"


def normalize_many(forms: Iterable[str], normalizer: Normalizer) -> dict[str, str]:
    """Normalize many newline-free strings with one call."""
    forms = list(forms)
    if not forms:
        return {}
    keys = normalizer.normalize("\n".join(forms)).split("\n")
    return dict(zip(forms, keys, strict=True))


class Mapped(NamedTuple):
    """A normalized string with, per character, the original range it came from."""

    original: str
    text: str
    starts: list[int]
    ends: list[int]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized span to the exact original characters.

        The start skips whatever was deleted before the hit; the end does not swallow
        deletions that follow it (tatweel, bidi marks, brackets), but it does extend
        over the combining marks written on the hit's last letter.
        """
        n = len(self.text)
        if start >= n:
            pos = len(self.original) if n == 0 else self.ends[n - 1]
            return pos, pos
        orig_start = self.starts[start]
        if end <= start:
            return orig_start, orig_start
        orig_end = self.ends[end - 1]
        original = self.original
        if orig_end > orig_start and not original[orig_end - 1].isspace():
            extend = re.compile(_EXTEND)  # cached by re after the first call
            while orig_end < len(original) and extend.match(original, orig_end):
                orig_end += 1
        return orig_start, orig_end


# --------------------------------------------------------------------------- steps


class _Step(ABC):
    """One normalization step, with its fast and its mapped driver."""

    @abstractmethod
    def apply(self, text: str) -> str: ...

    @abstractmethod
    def apply_mapped(self, mapped: Mapped) -> Mapped: ...


class _RegexStep(_Step):
    """Replace every match of ``pattern``; each output char maps to the whole match."""

    def __init__(
        self, pattern: str, repl: Callable[[re.Match[str]], str] | str, needs: str | None = None
    ) -> None:
        self.pattern = pattern
        self.repl = repl
        self.needs = needs  # a string every match contains: absent, the step is skipped

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def _replacement(self, match: re.Match[str]) -> str:
        return self.repl(match) if callable(self.repl) else self.repl

    def apply(self, text: str) -> str:
        if self.needs is not None and self.needs not in text:
            return text
        return self.regex.sub(self.repl, text)

    def apply_mapped(self, mapped: Mapped) -> Mapped:
        text, starts, ends = mapped.text, mapped.starts, mapped.ends
        if self.needs is not None and self.needs not in text:
            return mapped
        out: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        last = 0
        for match in self.regex.finditer(text):
            s, e = match.span()
            out.append(text[last:s])
            new_starts.extend(starts[last:s])
            new_ends.extend(ends[last:s])
            repl = self._replacement(match)
            if repl:
                out.append(repl)
                first, final = starts[s], ends[e - 1]
                new_starts.extend([first] * len(repl))
                new_ends.extend([final] * len(repl))
            elif new_ends and starts[s] < new_ends[-1]:
                # The deletion removes part of one original character whose rest survives
                # (the alef of ﻻ): what survives now also stands for what was deleted.
                new_ends[-1] = max(new_ends[-1], ends[e - 1])
            last = e
        if last == 0 and not out:
            return mapped
        out.append(text[last:])
        new_starts.extend(starts[last:])
        new_ends.extend(ends[last:])
        return Mapped(mapped.original, "".join(out), new_starts, new_ends)


class _CharMapStep(_RegexStep):
    """One-to-one (or one-to-none) character folds: ``str.replace`` on the fast path."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        chars = "".join(re.escape(c) for c in table)
        super().__init__(f"[{chars}]", lambda m: table[m.group()])

    def apply(self, text: str) -> str:
        for source, target in self.table.items():
            if source in text:
                text = text.replace(source, target)
        return text

    def apply_mapped(self, mapped: Mapped) -> Mapped:
        if all(len(target) == 1 for target in self.table.values()):
            # One character for one: positions do not move.
            return mapped._replace(text=self.apply(mapped.text))
        return super().apply_mapped(mapped)


class _NFCStep(_Step):
    """Unicode NFC; a recomposed cluster maps to the whole original cluster."""

    def apply(self, text: str) -> str:
        if unicodedata.is_normalized("NFC", text):
            return text
        return unicodedata.normalize("NFC", text)

    def apply_mapped(self, mapped: Mapped) -> Mapped:
        text = mapped.text
        if unicodedata.is_normalized("NFC", text):
            return mapped
        target = unicodedata.normalize("NFC", text)
        pieces: list[tuple[int, int, str]] = []
        # NFC never works across whitespace: only the words it changes need a closer look.
        for s, e in _space_chunks(text):
            word = text[s:e]
            if unicodedata.is_normalized("NFC", word):
                pieces.append((s, e, word))
                continue
            normalized = unicodedata.normalize("NFC", word)
            clusters = [
                (a, b, unicodedata.normalize("NFC", text[a:b])) for a, b in _starter_chunks(text, s, e)
            ]
            if "".join(p for _, _, p in clusters) == normalized:
                pieces.extend(clusters)
            else:
                pieces.append((s, e, normalized))
        if "".join(p for _, _, p in pieces) != target:
            pieces = [(0, len(text), target)]  # cannot happen for real text; stay exact anyway
        starts: list[int] = []
        ends: list[int] = []
        for s, e, piece in pieces:
            if piece == text[s:e]:
                starts.extend(mapped.starts[s:e])
                ends.extend(mapped.ends[s:e])
            else:
                starts.extend([mapped.starts[s]] * len(piece))
                ends.extend([mapped.ends[e - 1]] * len(piece))
        return Mapped(mapped.original, target, starts, ends)


def _starter_chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` before every character of combining class 0."""
    bounds = [i for i in range(start, end) if i == start or unicodedata.combining(text[i]) == 0]
    return list(zip(bounds, [*bounds[1:], end], strict=True))


def _space_chunks(text: str) -> list[tuple[int, int]]:
    """Words with the whitespace that follows each."""
    bounds = sorted({0} | {m.end() for m in re.finditer(r"\s", text) if m.end() < len(text)})
    return list(zip(bounds, [*bounds[1:], len(text)], strict=True))


def _presentation_replacement(ligatures: bool) -> Callable[[re.Match[str]], str]:
    def fold(match: re.Match[str]) -> str:
        char = match.group()
        if char in PHRASE_LIGATURES:
            return PHRASE_LIGATURES[char] if ligatures else char
        folded = unicodedata.normalize("NFKC", char)
        # Isolated tashkeel forms decompose to "space + mark": keep only the mark.
        if len(folded) > 1 and folded[0] == " " and unicodedata.combining(folded[1]):
            folded = folded[1:]
        return folded

    return fold


def _deletion_steps(classes: Iterable[str], zwj: bool) -> list[_Step]:
    """Delete runs of the classes; then ZWJ, except between emoji (family, flags).

    Two steps, not one alternation: a plain class runs three times faster.
    """
    body = "".join(classes)
    steps: list[_Step] = []
    if body:
        steps.append(_RegexStep(f"[{body}]+", ""))
    if zwj:
        steps.append(_RegexStep(f"(?<![{EMOJI_TAIL}]){ZWJ}|{ZWJ}(?![{EMOJI}])", "", needs=ZWJ))
    return steps


class _UthmaniStep(_Step):
    """The ``uthmani`` fold (``--fold uthmani``): the Quran's Uthmani spelling read as
    modern spelling, so that الكتاب finds ٱلْكِتَـٰبَ and الصلاة finds ٱلصَّلَوٰةَ, while
    هذا still finds هَـٰذَا.  Text, queries and keys all go through it, so each rule
    turns the Uthmani spelling into the modern one and leaves modern spelling as it is:
    every rule needs the marks of vocalized text (a dagger alef, a vowel on ى or ء, a
    hamza on a tatweel, a small letter), and unvocalized text is never changed.

    * ``dagger``: a dagger alef (U+0670) is an alef (ٱلْكِتَـٰبَ → الكتاب, ٱلسَّمَـٰوَٰتِ →
      السماوات), except in the words that modern spelling also writes without it: هذا
      هذه هذان هؤلاء هكذا, ذلك, الرحمن, أولئك, لكن, إله, الله, with their proclitics and
      pronouns (وَلَـٰكِنَّ, فَذَٰلِكُم, إِلَـٰهَكُمْ): there the mark is deleted, as by
      ``marks``.
    * ``maksura``: ىٰ inside a word is an alef (هَدَىٰهُمْ → هداهم); at the end it stays
      ى (عَلَىٰ → على, مُوسَىٰ → موسى).
    * ``waw``: a wāw with a dagger alef and no vowel of its own is an alef (ٱلصَّلَوٰةَ →
      الصلاة, ٱلْحَيَوٰةِ → الحياة; ٱلرِّبَوٰا۟ → الربا); a voweled one stays (ٱلسَّمَـٰوَٰتِ).
    * ``yeh``: ى with a vowel, shadda or sukun of its own, or after a kasra, is the yeh
      written without its dots (فِى → في, ٱلَّذِى → الذي, شَىْءٍ → شيء, عَلَىَّ → علي);
      ى for ā (عَلَى, هُدًى) stays.
    * ``hamza``: a hamza on a tatweel (ـٔ) or on the line (ء) with a vowel takes the seat
      modern spelling gives it, by the strongest of its vowel and the one before it
      (kasra ئ, then damma ؤ, then fatha أ): شَيْـًٔا → شيئا, يَسْـَٔلُونَ → يسألون,
      يَسْتَهْزِءُونَ → يستهزئون, إِسْرَٰٓءِيلَ → إسرائيل; after a proclitic it is at the
      start of a word (بِـَٔايَـٰتِ → بآيات, أَءِذَا → أإذا); with fatha before an alef it
      is آ (ءَامَنُوا → آمنوا, ٱلْقُرْءَانَ → القرآن); after a long vowel it stays on the
      line (جَآءَهُمْ) unless it has a kasra (شُرَكَآءِىَ → شركائي); so does a final
      one (شَىْءٍ) and one before the wāw of ū (رَءُوفٌ), as modern spelling writes them.
    * ``small``: the small yeh (U+06E6), high yeh (U+06E7), small waw (U+06E5) and high
      noon (U+06E8) are the letters they stand for (يُحْىِۦ → يحيي, إِبْرَٰهِـۧمَ →
      إبراهيم, دَاوُۥدَ → داوود, نُـۨجِى → ننجي), except the small waw and yeh after the
      pronoun ه, which modern spelling does not write (بِهِۦ → به, لَهُۥ → له).
    * ``vocative``: يَـٰ joined to the next word is the word يا (يَـٰٓأَيُّهَا → يا أيها,
      يَـٰقَوْمِ → يا قوم): the fold writes a space after it, as the phrase ligatures
      do, so ``grep -w`` and ``kwic`` find يا and أيها in it; ``freq`` counts the
      Uthmani word as one unit (key يا ايها), as it counts ﷺ.
    * ``lam``: ٱلَّيْل and ٱلَّـٰتِى write the article's ل and the word's as one: two
      (الليل, اللاتي; ٱلَّذِى stays الذي, as modern spelling writes it).

    Every other Quranic mark is deleted by ``marks`` (annotation marks U+06D6–U+06ED,
    madda U+0653 written apart, the open tanween U+08F0–U+08F2) and the alef wasla is
    folded by ``alef``, as at ``standard``.
    Measured on Tanzil's two scripts (benchmarks/quran_spelling.py): 99.6 % of the
    simple script's words, as it writes them or typed unvocalized, are found in their
    Uthmani verse at ``standard --fold uthmani`` (85.2 % at ``standard``), and 99.99 %
    of the verses where a word is found have it.  What it leaves: an alef that the
    Uthmani spelling writes and modern spelling does not, or the reverse, without a
    mark to tell (أُو۟لُوا۟ for أولو, يَدْعُوا۟ for يدعو, جَآءُو for جاءوا, رَءَا for
    رأى), and ها joined to أنتم (هَـٰٓأَنتُمْ).  Meant for ``standard``: at
    ``aggressive``, ``tanween_alef`` does not see an alef with a Quranic mark between it
    and its tanween (صَـٰلِحًۭا).

    Word by word (a run of Arabic letters, marks and tatweel), before tatweel is
    deleted (a hamza on a tatweel needs it); each output character maps to the one
    original character it stands for (an alef to its dagger alef, or to the tatweel,
    wāw or ى that carries it; an inserted ل to the ل it doubles; the space after يا to
    the mark it follows), so offsets stay exact.  The rules look at a whole word, so
    a whole word of the normalized text maps back to characters that normalize to it
    (what ``grep -w``, ``kwic`` and ``freq`` report); a piece of a word (``--substring``)
    may not, when its rule needs the rest of the word (the ا of هَـٰذَٰنِ).
    """

    @cached_property
    def regex(self) -> re.Pattern[str]:
        from .uthmani import TRIGGER, WORD_CHARS  # imported when the fold is used: its patterns compile then

        word = f"[{WORD_CHARS}]"
        return re.compile(f"(?<!{word}){word}*?(?:{TRIGGER}){word}*")

    def apply(self, text: str) -> str:
        if not self.regex.search(text):
            return text
        from .uthmani import uthmani_word

        def fold(match: re.Match[str]) -> str:
            out = uthmani_word(match.group())
            return match.group() if out is None else "".join(out)

        folded = self.regex.sub(fold, text)
        return text if folded == text else folded

    def apply_mapped(self, mapped: Mapped) -> Mapped:
        text, starts, ends = mapped.text, mapped.starts, mapped.ends
        out: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        last = 0
        from .uthmani import uthmani_word

        for match in self.regex.finditer(text):
            folded = uthmani_word(match.group())
            if folded is None:
                continue
            s = match.start()
            out.append(text[last:s])
            new_starts.extend(starts[last:s])
            new_ends.extend(ends[last:s])
            for offset, piece in enumerate(folded):
                i = s + offset
                if piece:
                    out.append(piece)
                    new_starts.extend([starts[i]] * len(piece))
                    new_ends.extend([ends[i]] * len(piece))
                elif new_ends and starts[i] < new_ends[-1]:
                    new_ends[-1] = max(new_ends[-1], ends[i])
            last = match.end()
        if last == 0:
            return mapped
        out.append(text[last:])
        new_starts.extend(starts[last:])
        new_ends.extend(ends[last:])
        return Mapped(mapped.original, "".join(out), new_starts, new_ends)


@lru_cache(maxsize=64)
def fold_table(norm: Normalizer) -> dict[str, str]:
    """The one-for-one letter, digit and punctuation folds of ``norm``, composed."""
    table: dict[str, str] = {}
    for enabled, fold in (
        (norm.alef, ALEF_FOLD),
        (norm.lookalikes, LOOKALIKE_FOLD),
        (norm.digits, DIGIT_FOLD),
        (norm.yeh, YEH_FOLD),
        (norm.teh, TEH_FOLD),
        (norm.hamza, HAMZA_FOLD),
        (norm.punct, PUNCT_FOLD),
    ):
        if enabled:
            # Compose: a later fold applies to what an earlier one produced (ۃ → ة → ه).
            table = {k: fold.get(v, v) for k, v in table.items()}
            for k, v in fold.items():
                table.setdefault(k, v)
    return {k: v for k, v in table.items() if k != v}


def raw_pattern(literal: str, norm: Normalizer) -> str | None:
    """A pattern over *original* text that matches wherever ``literal`` (normalized)
    can occur after normalization — query expansion (arabic.md §4.4): each letter
    becomes the class of letters that fold to it, and what normalization deletes may
    stand between them.  None where that cannot be exact (elongation, tanween-alef,
    the ``uthmani`` fold, which makes letters of marks).

    It holds for text in NFC without presentation forms or composing hamza/madda marks;
    ``judgeable`` tells the other texts apart.
    """
    if norm.elongation or norm.tanween_alef or norm.uthmani or not norm.marks:
        return None
    sources: dict[str, set[str]] = {}
    for source, target in fold_table(norm).items():
        sources.setdefault(target, set()).add(source)
    deleted = TATWEEL * norm.tatweel + (INVISIBLES + ZWJ) * norm.invisibles + MARKS
    ignorable = f"[{deleted}]*"
    parts = []
    for char in literal:
        if char == " " and norm.spaces:
            # A run of spaces, with whatever is deleted before the run collapses (the
            # spaces step comes last): " ً " is one space once the mark is gone.
            parts.append(f"[{HSPACES}][{HSPACES}{deleted}]*")
            continue
        options = sorted({char} | sources.get(char, set()))
        parts.append("[" + "".join(re.escape(c) for c in options) + "]")
    return ignorable.join(parts)


#: Arabic letters from the most to the least frequent in running text.
_BY_FREQUENCY = "اليموةنهرتبعدفقسكحجشطصذخضزثغظء"


def rough_pattern(literal: str, norm: Normalizer) -> str | None:
    """``raw_pattern`` of the tail of ``literal`` from its rarest letter that no other
    letter folds to or from, with that letter first and alone: ``re`` then jumps from
    one occurrence of it to the next at C speed.  Every match of the whole expansion
    holds a match of this one.  None when no letter qualifies.

    A letter with two more after it is preferred: a tail of one letter (the ض that
    ends الرياض) is in most texts, and rejects next to nothing by itself.
    """
    folds = fold_table(norm)
    variable = set(folds) | set(folds.values())
    fixed = [i for i, c in enumerate(literal) if c in _BY_FREQUENCY and c not in variable]
    if not fixed:
        return None
    long_tails = [i for i in fixed if len(literal) - i >= 3]
    start = max(long_tails or fixed, key=lambda i: (_BY_FREQUENCY.index(literal[i]), -i))
    expansion = raw_pattern(literal[start:], norm)
    head = "[" + re.escape(literal[start]) + "]"
    if not expansion or not expansion.startswith(head):
        return None
    return re.escape(literal[start]) + expansion[len(head) :]


_NEEDS_NORMALIZING = re.compile(f"[{PRESENTATION}\u0653-\u0655]")


def needs_normalizing(text: str) -> bool:
    """Text whose normalized form ``raw_pattern`` cannot predict letter by letter."""
    return bool(_NEEDS_NORMALIZING.search(text)) or not unicodedata.is_normalized("NFC", text)


def judgeable(text: str, norm: Normalizer, literal: str, *, presentation_free: bool = False) -> str | None:
    """A text that ``raw_pattern(literal, norm)`` judges letter by letter in place of
    ``text``: itself, or its NFC form when ``norm`` starts with NFC (``norm`` then
    normalizes both alike); None when neither will do (presentation forms, composing
    hamza or madda).

    Most text that is not in NFC only has a shadda written before a vowel: NFC just
    reorders those marks, which the expansion steps over, and composes an Arabic letter
    only with U+0653–U+0655 (found above).  So for a literal in Arabic letters such text
    is judged as it is; for others (Latin accents compose) in its NFC form.

    ``presentation_free``: the caller knows that ``text`` has no presentation form (from
    its bytes: ``readers.Item``), so only the three composing marks are looked for,
    at C speed, instead of a scan of every character.
    """
    if presentation_free:
        if "\u0653" in text or "\u0654" in text or "\u0655" in text:  # the composing marks
            return None
    elif _NEEDS_NORMALIZING.search(text):
        return None
    if _arabic_only(literal) or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text) if norm.nfc else None


@lru_cache(maxsize=64)
def _arabic_only(literal: str) -> bool:
    return all("\u0600" <= c <= "\u06ff" for c in literal)


@lru_cache(maxsize=64)
def _pipeline(norm: Normalizer) -> tuple[_Step, ...]:
    steps: list[_Step] = []
    if norm.nfc:
        steps.append(_NFCStep())
    if norm.tanween_alef:
        # Before presentation forms are unfolded: only an alef written as a letter takes
        # part (never the alef inside ﻻ or ﷲ), and the rule needs no context.
        steps.append(_RegexStep("\u0627\u064b|\u064b\u0627", ""))
    if norm.presentation:
        steps.append(
            _RegexStep(
                f"[{PRESENTATION}]",
                _presentation_replacement(norm.ligatures),
            )
        )
        if norm.nfc:
            steps.append(_NFCStep())
    elif norm.ligatures:
        steps.append(_RegexStep(f"[{''.join(PHRASE_LIGATURES)}]", lambda m: PHRASE_LIGATURES[m.group()]))
    if norm.uthmani:
        # Before tatweel goes: a hamza written on a tatweel needs its seat (ـَٔ).
        steps.append(_UthmaniStep())
    early = _deletion_steps([TATWEEL] * norm.tatweel + [INVISIBLES] * norm.invisibles, zwj=norm.invisibles)
    if early:
        steps.extend(early)
        if norm.nfc:
            # A mark written after a tatweel belongs to the letter before it (وـٔ → ؤ).
            steps.append(_NFCStep())
    marks = _deletion_steps([MARKS] * norm.marks, zwj=False)
    if marks:
        steps.extend(marks)
        if norm.nfc:
            steps.append(_NFCStep())
    table = fold_table(norm)
    if table:
        steps.append(_CharMapStep(table))
    if norm.elongation:
        steps.append(_RegexStep(f"([{ARABIC_LETTERS}])\\1{{2,}}", lambda m: m.group(1)))
    if norm.spaces:
        # Other horizontal spaces become spaces, then runs collapse (two plain passes
        # are twice as fast as one alternation).
        steps.append(_RegexStep(f"[{HSPACES.replace(' ', '')}]", " "))
        steps.append(_RegexStep(" {2,}", " ", needs="  "))
    return tuple(steps)
