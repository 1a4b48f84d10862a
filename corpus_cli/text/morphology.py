"""The morphological readings of one word, out of context: lemma, root, part of speech.

The analyser is farahidi (GPL-3.0-or-later, pure Python, its data in its wheel: the extra
``corpus-cli[morph]``), measured best on gold data (``../shared/morph``): its
disambiguator's pick for the word alone (``Disambiguator().analyze_text(word)``) is the
first reading, its root taken from the first analysis of the same lemma when the pick has
none; every other analysis follows, one reading per distinct (lemma, root, pos), in the
analyser's order.  A form that is no Arabic word (numbers, Latin, URLs, punctuation,
emoji) is never sent to it (``analysable``).
"""

from __future__ import annotations

import unicodedata
from typing import Any, NamedTuple

#: Which analyser and how its answers are read: the cache of analyses is kept per version.
ANALYSER = "farahidi 0.4.0"
READING_FORMAT = 5

#: The tag of the reading of a form the analyser does not know: its lemma is the form.
UNKNOWN = "unknown"

#: The coarse parts of speech every reading has.
POS = ("noun", "verb", "function")

#: Types of farahidi's nouns (its ``type``) that are function words in PADT's sense
#: (pronouns, relatives, demonstratives, interrogatives, conditionals).
_FUNCTION_NOUN_TYPES = ("موصول", "إشارة", "استفهام", "شرط", "ضمير")


class Reading(NamedTuple):
    """One analysis of a form: lemma (vocalized as the analyser writes it), root (letters,
    "" when none: function words, foreign names), coarse part of speech (``POS``), the
    analyser's own tag, its pattern and stem ("" when not given)."""

    lemma: str
    root: str
    pos: str
    tag: str
    pattern: str = ""
    stem: str = ""


def missing_analyser() -> str:
    return "lemmas, roots and parts of speech need farahidi: pip install 'corpus-cli[morph]'"


def have_analyser() -> bool:
    import importlib.util

    return importlib.util.find_spec("farahidi") is not None


def _arabic(char: str) -> bool:
    code = ord(char)
    return (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    )


def analysable(form: str) -> bool:
    """Is ``form`` an Arabic word: Arabic letters and marks only, one letter at least (no
    digits, Latin, punctuation, emoji)?"""
    letters = 0
    for char in form:
        category = unicodedata.category(char)
        if not _arabic(char) or category[0] not in "LM":
            return False
        letters += category == "Lo"  # not tatweel alone (Lm)
    return letters > 0


def unvocalized(text: str) -> str:
    """``text`` without its combining marks (short vowels, shadda, sukun) and tatweel: a
    lemma as the gold data and a user write it."""
    return "".join(c for c in text if not unicodedata.combining(c) and c != "\u0640")


#: A root's hamza, whatever its seat (farahidi writes ءمن, the Quranic Arabic Corpus امن,
#: a user أمن): a root has no long vowel, so a bare alef in it is a hamza too.
_HAMZA = str.maketrans({"أ": "ء", "إ": "ء", "آ": "ء", "ؤ": "ء", "ئ": "ء", "ا": "ء", "ى": "ي"})


def root_letters(root: str) -> str:
    """A root as written by a user (كتب, ك ت ب, ك-ت-ب; أمن, ءمن, امن) as roots are
    compared: its letters only, its hamza as ء, alef maksura as ي."""
    return "".join(c for c in root if not c.isspace() and c not in "-_.،,").translate(_HAMZA)


def coarse_pos(tag: str, kind: str | None, root: str) -> str:
    """noun / verb / function for farahidi's ``pos`` (اسم, فعل, حرف) and noun ``type``:
    its pronouns, relatives, demonstratives and rootless untyped nouns (في, هذا) are
    function words."""
    if tag == "فعل":
        return "verb"
    if tag == "حرف":
        return "function"
    if kind == "ظرف" and not root:
        return "function"
    if kind and any(part in kind for part in _FUNCTION_NOUN_TYPES):
        return "function"
    if not root and not kind:
        return "function"
    return "noun"


class Analyser:
    """farahidi, loaded once (3 to 7 s, 0.4 GB) and asked one form at a time."""

    def __init__(self) -> None:
        from farahidi import Disambiguator  # type: ignore[import-untyped,import-not-found,unused-ignore]

        self._disambiguator = Disambiguator()
        self._disambiguator.analyze_text("كتب")  # loads the lexicon and the language model now
        # A form's raw analyses are asked for four times (its analyses, the disambiguator's
        # lemmas, stem and root): computed once per form (farahidi 0.4.0, pinned).
        analyzer = self._disambiguator.analyzer
        compute = analyzer._process_token
        self._raw: dict[str, Any] = {}

        def process_token(word: str) -> Any:
            found = self._raw.get(word)
            if found is None:
                found = self._raw[word] = compute(word)
            return found

        analyzer._process_token = process_token

    def readings(self, form: str) -> list[Reading]:
        """Every reading of ``form``, the disambiguator's pick first; [] when the form is
        no Arabic word; one reading tagged ``UNKNOWN`` (a noun, its lemma the form) when
        the analyser knows nothing of it."""
        if not analysable(form):
            return []
        self._raw.clear()
        analyses = self._disambiguator.analyzer.analyze(form)
        if not analyses:  # mostly names the lexicon lacks (ديفيد, الشيشان): a noun, itself
            return [Reading(unvocalized(form), "", "noun", UNKNOWN, "", form)]
        readings: list[Reading] = []
        seen: set[tuple[str, str, str]] = set()
        rooted = {(a.lemma, a.pos) for a in analyses if a.root and a.root != "-"}
        for analysis in analyses:
            if (analysis.lemma, analysis.pos) in rooted and not (analysis.root and analysis.root != "-"):
                continue  # a lemma's rootless duplicate (same part of speech): no reading of its own
            reading = _reading(analysis)
            if (reading.lemma, reading.root, reading.pos) not in seen:
                seen.add((reading.lemma, reading.root, reading.pos))
                readings.append(reading)
        picked = self._disambiguator.analyze_text(form)
        if len(picked) == 1 and picked[0].analyzed:
            lemma, root = picked[0].lemma, picked[0].root or ""
            same_lemma = [r for r in readings if r.lemma == lemma]
            if same_lemma:
                if not root:  # the lemma's first root; else the first root of the form
                    root = next((r.root for r in same_lemma if r.root), "")
                if not root and same_lemma[0].pos != "function":
                    root = next((r.root for r in readings if r.root and r.pos == same_lemma[0].pos), "")
                first = next((r for r in same_lemma if r.root == root), None)
                if first is None:
                    first = same_lemma[0]._replace(root=root)
                    first = first._replace(pos=_pos_with_root(first, root))
                readings = [first] + [r for r in readings if r is not first]
        particle = next((r for r in readings if r.tag.startswith("حرف")), None)
        if particle is not None and particle is not readings[0]:
            # A form that can be a particle (في, على, إلى, لم, إن) nearly always is one: a
            # closed class of the most frequent words; it keeps the root of its lemma.
            root = next((r.root for r in readings if r.lemma == particle.lemma and r.root), "")
            first = particle._replace(root=root)
            readings = [first] + [r for r in readings if r is not particle]
        return readings


def _pos_with_root(reading: Reading, root: str) -> str:
    """A reading's coarse part of speech once it has been given ``root``."""
    tag, _, kind = reading.tag.partition(":")
    return coarse_pos(tag, kind or None, root)


def _reading(analysis: Any) -> Reading:
    root = analysis.root if analysis.root and analysis.root != "-" else ""
    kind = getattr(analysis, "type", None)
    tag = analysis.pos + (f":{kind}" if kind else "")
    return Reading(
        analysis.lemma,
        root,
        coarse_pos(analysis.pos, kind, root),
        tag,
        analysis.pattern or "",
        analysis.stem or "",
    )
