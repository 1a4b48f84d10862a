"""The morphological readings of one word, out of context: lemma, root, part of speech.

The analyser is farahidi (GPL-3.0-or-later, pure Python, its data in its wheel: the extra
``corpus-cli[morph]``), measured best on gold data (``../shared/morph``): its
disambiguator's pick for the word alone (``Disambiguator().analyze_text(word)``) is the
first reading, its root taken from the first analysis of the same lemma when the pick has
none; every other analysis follows, one reading per distinct (lemma, root, pos), in the
analyser's order.  A form that is no Arabic word (numbers, Latin, URLs, punctuation,
emoji) is never sent to it (``analysable``).  A form it knows nothing of is tried again
in other spellings of the same word (``alternative_spellings``: Uthmani ءامنوا, hamza-less
news spelling اعلن); a form still unknown is a noun of its own, without its article
(``unknown_lemma``).  A word of the Quran's Uthmani script, which farahidi does not know
(ٱلرَّحِيمِ, ٱلْكِتَـٰبُ), is analysed as the modern spelling it stands for
(``analysed_spelling``: الرحيم, الكتاب).  farahidi is made faster (its pattern matching
indexed) and its order of equal analyses fixed (it followed Python's hash randomization),
with the same analyses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple

#: Which analyser and how its answers are read: the cache of analyses is kept per version.
ANALYSER = "farahidi 0.4.0"
READING_FORMAT = 6

#: The tag of the reading of a form the analyser does not know: its lemma is the form.
UNKNOWN = "unknown"

#: The coarse parts of speech every reading has.
POS = ("noun", "verb", "function")
#: The token attributes the analyses give a corpus (``corpus index build --morph``):
#: ``lempos`` is the lemma with the part of speech's initial (``lempos()``), as Sketch
#: Engine's lempos, so that a noun and a verb spelled alike (قدم-n, قدم-v) are two.
MORPHOLOGY = ("lemma", "root", "pos", "lempos")
#: The attributes ``--analysis`` shows beside a hit.
ANALYSIS = ("lemma", "root", "pos")

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


#: The initial a ``lempos`` gives each part of speech (Sketch Engine's -n and -v).
POS_INITIALS = {"noun": "n", "verb": "v", "function": "f"}


def lempos(lemma: str, pos: str) -> str:
    """A reading's lempos: its lemma (unvocalized), a hyphen and its part of speech's
    initial (قدم-n "foot", قدم-v "to present", في-f); "" without a lemma."""
    return f"{lemma}-{POS_INITIALS.get(pos, pos)}" if lemma else ""


def split_lempos(value: str) -> tuple[str, str]:
    """A lempos's lemma and initial ("" when it has no hyphen: a lemma alone)."""
    lemma, hyphen, initial = value.rpartition("-")
    return (lemma, initial) if hyphen else (value, "")


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
    its adverbs (أمس, حيث), pronouns, relatives, demonstratives and rootless untyped nouns
    (في, هذا) are function words (and the nouns that work as prepositions:
    ``conventional_readings``, which also mends readings cached before)."""
    if tag == "فعل":
        return "verb"
    if tag == "حرف":
        return "function"
    if kind == "ظرف":
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
        _filter_patterns_by_letters(analyzer)
        _segments_in_a_fixed_order()

    def readings(self, form: str) -> list[Reading]:
        """Every reading of ``form``, the disambiguator's pick first; [] when the form is
        no Arabic word; one reading tagged ``UNKNOWN`` (a noun, its lemma the form) when
        the analyser knows nothing of it.  A word of the Uthmani script has the readings
        of its modern spelling (``analysed_spelling``), its unknown lemma too."""
        if not analysable(form):
            return []
        form = analysed_spelling(form)
        self._raw.clear()
        analyses = self._disambiguator.analyzer.analyze(form)
        spelling = form
        if not analyses:  # another spelling of the same word (ءامنوا, شىء, اعلن)?
            for spelling in alternative_spellings(form):
                self._raw.clear()
                analyses = self._disambiguator.analyzer.analyze(spelling)
                if analyses:
                    break
        if not analyses:  # mostly names the lexicon lacks (ديفيد, الشيشان): a noun, itself
            return [Reading(unknown_lemma(form), "", "noun", UNKNOWN, "", form)]
        readings: list[Reading] = []
        seen: set[tuple[str, str, str]] = set()
        rooted = {(a.lemma, a.pos) for a in analyses if _root(a)}
        for analysis in analyses:
            if (analysis.lemma, analysis.pos) in rooted and not _root(analysis):
                continue  # a lemma's rootless duplicate (same part of speech): no reading of its own
            reading = _reading(analysis)
            if (reading.lemma, reading.root, reading.pos) not in seen:
                seen.add((reading.lemma, reading.root, reading.pos))
                readings.append(reading)
        picked = self._disambiguator.analyze_text(spelling)
        if len(picked) == 1 and picked[0].analyzed:
            lemma, root = picked[0].lemma, _root(picked[0])
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
        particle = next((r for r in readings if r.tag.startswith("حرف") and _free(r, spelling)), None)
        if particle is not None and particle is not readings[0]:
            # A form that can be a particle (في, على, إلى, لم, إن) nearly always is one: a
            # closed class of the most frequent words; it keeps the root of its lemma.
            root = next((r.root for r in readings if r.lemma == particle.lemma and r.root), "")
            first = particle._replace(root=root)
            readings = [first] + [r for r in readings if r is not particle]
        if readings[0].pos == "function" and not readings[0].root:
            # A function word has the root of the same word's content reading (بين of بَيْن,
            # عند of عَنْد, كيف of كَيْف), so that --root بين finds it too.
            lemma = unvocalized(readings[0].lemma)
            root = next((r.root for r in readings if r.root and unvocalized(r.lemma) == lemma), "")
            if root:
                readings = [readings[0]._replace(root=root), *readings[1:]]
        return conventional_readings(readings)


def _filter_patterns_by_letters(analyzer: Any) -> None:
    """Make farahidi 0.4.0's ``_possible_solutions`` (a third of its time) faster, with the
    same answers: it tries every stem pattern of the stem's length (thousands) against the
    stem, normalizing each pattern's hamza every time; here the patterns are normalized
    once and indexed by their fixed letters (those that are not ف ع ل), so that a stem
    meets only the patterns whose fixed letters it has, in their order.  A pattern's
    candidate roots are taken in sorted order, not in the order of farahidi's set of them,
    which changes from run to run (hash randomization): so a form's readings, and which
    one comes first, no longer do."""
    from farahidi import normalize as letters  # type: ignore[import-untyped,import-not-found,unused-ignore]

    lexicon = analyzer.lex
    indexes: dict[
        tuple[str, int], tuple[list[tuple[Any, str]], dict[tuple[int, ...], dict[str, list[int]]]]
    ] = {}

    def index(
        category: str, length: int
    ) -> tuple[list[tuple[Any, str]], dict[tuple[int, ...], dict[str, list[int]]]]:
        found = indexes.get((category, length))
        if found is None:
            patterns: list[tuple[Any, str]] = []
            by_letters: dict[tuple[int, ...], dict[str, list[int]]] = {}
            for number, unvoweled in enumerate(lexicon.unvoweled_stems(category, length)):
                value = unvoweled["val"]
                pattern = value[0] + letters.normalize_hamza(value[1:])
                patterns.append((unvoweled, pattern))
                fixed = tuple(at for at, char in enumerate(pattern[:length]) if char not in "فعل")
                key = "".join(pattern[at] for at in fixed)
                by_letters.setdefault(fixed, {}).setdefault(key, []).append(number)
            found = indexes[(category, length)] = (patterns, by_letters)
        return found

    def possible_solutions(seg: Any, cat: str, cache: dict[str, Any]) -> dict[str, Any]:
        stem1 = seg.stem
        if stem1 in cache:
            return cache[stem1]  # type: ignore[no-any-return]
        stem = stem1[0] + letters.normalize_hamza(stem1[1:]) if stem1 else stem1
        patterns, by_letters = index(cat, len(stem))
        numbers: list[int] = []
        for fixed, table in by_letters.items():
            if all(at < len(stem) for at in fixed):
                numbers.extend(table.get("".join(stem[at] for at in fixed), ()))
        result: dict[str, Any] = {}
        for number in sorted(numbers):
            unvoweled, pattern = patterns[number]
            roots = analyzer._get_possible_roots(stem, unvoweled["rules"], cat)
            if not roots:
                continue
            roots_map: dict[str, Any] = {}
            for root in sorted(roots):  # farahidi's set order changes with PYTHONHASHSEED
                value = letters.word_from_root_and_pattern(root, pattern)
                root_entity = lexicon.root_entity(cat, root)
                if root_entity is None:
                    continue
                length = len(seg.stem)
                id_root = root_entity.get(f"len{length}") if 1 <= length <= 12 else None
                if id_root and letters.normalize_hamza(value) == letters.normalize_hamza(stem):
                    found = analyzer._get_info_result(id_root, unvoweled["ids"], length, cat)
                    if found:
                        roots_map[root] = found
            if roots_map:
                result[unvoweled["val"]] = roots_map
        cache[stem1] = result
        return result

    analyzer._possible_solutions = possible_solutions


def _segments_in_a_fixed_order() -> None:
    """farahidi 0.4.0 splits a word into proclitic + stem + enclitic trying each pair's
    stems from a set, whose order changes from run to run (hash randomization), and so
    may the order of equally scored analyses, the first one included: each pair's stems
    are taken in sorted order here."""
    from farahidi import analyzer  # type: ignore[import-untyped,import-not-found,unused-ignore]

    split = analyzer.get_lists_segment
    if getattr(split, "fixed_order", False):
        return

    def get_lists_segment(lexicon: Any, word: str) -> list[Any]:
        segments: list[Any] = []
        run: list[Any] = []
        for segment in split(lexicon, word):  # one run of segments per (proclitic, enclitic)
            if run and (segment.proclitic is not run[0].proclitic or segment.enclitic is not run[0].enclitic):
                segments.extend(sorted(run, key=lambda one: str(one.stem)))
                run = []
            run.append(segment)
        segments.extend(sorted(run, key=lambda one: str(one.stem)))
        return segments

    get_lists_segment.fixed_order = True  # type: ignore[attr-defined]
    analyzer.get_lists_segment = get_lists_segment


def _free(reading: Reading, form: str) -> bool:
    """Is ``reading`` a word of its own, not a bound clitic (the article اَلْـ of كل) unless
    the form is the clitic alone (ب, ل)?"""
    return not reading.lemma.endswith("\u0640") or unvocalized(reading.lemma) == unvocalized(form)


#: A form's proclitics before a hamza-less initial alef (و, ف, ب, ل, ك, the article).
_BEFORE_ALEF = ("", "و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "ول", "وب", "فل", "فب")
#: The article with the proclitics that may precede it, longest first.
_ARTICLES = ("وال", "فال", "بال", "كال", "لل", "ال")


def alternative_spellings(form: str) -> list[str]:
    """Other spellings of the same word, tried in order when the analyser knows no reading
    of ``form``: Uthmani spelling (ءا for آ, ى for medial and final ي: ءامنوا, شىء, النبى),
    a hamza-less initial alef as news writes it (اعلن, والاسلام: أ then إ), a final ه for
    ة (Egyptian spelling)."""
    found: list[str] = []

    def add(spelling: str) -> None:
        if spelling != form and spelling not in found:
            found.append(spelling)

    modern = form.replace("ءا", "آ")
    modern = "".join("ي" if c == "ى" and at + 1 < len(modern) else c for at, c in enumerate(modern))
    add(modern)
    if modern.endswith("ى"):
        add(modern[:-1] + "ي")
    at = _initial_alef(form)
    if at is not None and len(form) > at + 2:
        for hamza in ("أ", "إ"):
            add(form[:at] + hamza + form[at + 1 :])
    if form.endswith("ه") and len(form) > 2:
        add(form[:-1] + "ة")
    return found


def hamza_spellings(form: str) -> list[str]:
    """The spellings with a hamza that a hamza-less initial alef of ``form`` may stand for,
    as news writes them (ايران for إيران, انه for أنه or إنه, لان for لأن): after the
    proclitics, أ, إ and آ.  [] when the form has no such alef (السلام: the article's)."""
    at = _initial_alef(form)
    if at is None:
        return []
    return [form[:at] + hamza + form[at + 1 :] for hamza in ("أ", "إ", "آ")]


def _initial_alef(form: str) -> int | None:
    """Where a bare alef that may be a hamza-less أ, إ or آ starts ``form`` after its
    proclitics (``_BEFORE_ALEF``, the longest that fits), or None: not before ل, which
    is the article's (السلام) or إلى's (``_ILA``)."""
    for proclitic in _PROCLITICS_LONGEST_FIRST:
        at = len(proclitic)
        if form.startswith(proclitic) and len(form) > at + 1 and form[at] == "ا" and form[at + 1] != "ل":
            return at
    return None


_PROCLITICS_LONGEST_FIRST = sorted(_BEFORE_ALEF, key=len, reverse=True)


#: What only the Quran's Uthmani script writes in a word: the dagger alef, the alef wasla,
#: the Quranic marks and small letters (U+06D6–U+06ED), the open tanween; the madda of a
#: long vowel held (مَآ, جَآءَ, إِلَّآ, قُوٓا: the sign apart, U+0653, after an alef with a
#: fatha before it, a wāw after a damma, a yeh after a kasra), where the Uthmani text
#: writes no آ (ءَا is its آ) and modern spelling no madda (its آ, decomposed, has no
#: fatha before it: القرآن, آمن).
_UTHMANI_ONLY = (
    "[\u0670\u0671\u06d6-\u06ed\u08f0-\u08f2]|\u064e\u0627\u0653|\u064f\u0648\u0653|\u0650\u064a\u0653"
)
#: Vocalized spellings of the Uthmani script that modern spelling never writes: a hamza on
#: a tatweel (شَيْـًٔا), ء with a vowel before an alef (ءَامَنُوا, ءَأَنتُمْ) or after one
#: (أَءِذَا), ى after a kasra (فِى, رَبِّى), ى with a shadda, kasra or sukun (عَلَىَّ, يُحْىِ,
#: كَىْ), ى inside a word (شَىْءٍ).  Not ى with a tanween (هُدًى is modern: مستوىً), nor
#: ء with a vowel elsewhere (مُرُوءَة).
_UTHMANI_SPELLING = (
    "\u0640[\u064b-\u0652]*\u0654"
    "|\u0621[\u064b-\u0652]+[\u0627\u0623\u0625]|[\u0623\u0625][\u064b-\u0652]+\u0621"
    "|\u0650\u0651?\u0649|\u0649[\u064b-\u0652]*[\u0650\u0651\u0652]"
    "|\u0649[\u064b-\u0652]*[\u0621-\u063a\u0641-\u064a]"
)
#: What every word of the Uthmani script that ``analysed_spelling`` changes holds: a mark
#: (a vowel, shadda, sukun, the hamza above, the dagger alef), the alef wasla, a Quranic
#: mark or small letter.  Most words of a corpus have none: they are given as they are.
_MARKED = "[\u064b-\u0654\u0670\u0671\u06d6-\u06ed\u08f0-\u08f2]"
#: The Quranic marks and small letters, which modern spelling does not write (some are
#: letters, not combining marks: ``unvocalized`` keeps those).
_QURANIC_MARKS = str.maketrans("", "", "".join(map(chr, [*range(0x06D6, 0x06EE), *range(0x08F0, 0x08F3)])))


#: The preposition إلى as news often writes it, without its hamza (الى, اليه, والى: 6,909
#: tokens of الى alone in saudinewsnet), which the analyser does not know (the alternative
#: spellings leave an initial ال alone: it is the article in الشيشان): given to it as إلى.
_ILA = re.compile("^([وف]?)ا(?=ل(?:ى|ي(?:ه|ها|هم|هما|هن|ك|كم|كما|كن|نا))$)")
_ILA_STARTS = frozenset({"الى", "الي", "وال", "فال"})


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """``_MARKED``, ``_UTHMANI_ONLY`` and ``_UTHMANI_SPELLING`` compiled on first use (not
    at start-up: most commands never analyse a word)."""
    return re.compile(_MARKED), re.compile(_UTHMANI_ONLY), re.compile(_UTHMANI_SPELLING)


def analysed_spelling(form: str) -> str:
    """The spelling the analyser is given for ``form``: the form itself, except for a word
    of the Quran's Uthmani script (a character only it writes, ``_UTHMANI_ONLY``, or a
    vocalized spelling that modern spelling never writes, ``_UTHMANI_SPELLING``), which
    farahidi does not know: the modern spelling it stands for under the ``uthmani`` fold,
    unvocalized (the analyser knows a bare word more often than a vocalized one):
    ٱلرَّحِيمِ الرحيم, ٱلْكِتَـٰبُ الكتاب, ٱلصَّلَوٰةَ الصلاة, ءَامَنُوا آمنوا, فِى في; of a
    vocative joined to its noun, the noun (يَـٰقَوْمِ: قوم).  Modern spelling, vocalized
    or not, is given as it is (but for tatweel, presentation forms and إلى written
    without its hamza: ``_modern``): so its cached analyses stay valid, and an Uthmani
    word shares the cache entry of its modern spelling."""
    from .uthmani import uthmani_word

    marked, only, spelled = _patterns()
    if marked.search(form) is None:
        return _modern(form)
    if only.search(form):
        folded = uthmani_word(form)
    elif spelled.search(form):
        folded = uthmani_word(form)
        if folded is None:
            return _modern(form)
    else:
        return _modern(form)
    chars = list(folded) if folded is not None else list(form)
    _hamza_and_alef(form, chars)
    words = unvocalized("".join(chars).translate(_QURANIC_MARKS).replace("\u0671", "\u0627")).split()
    spelling = words[-1] if words else ""  # يا قوم: the vocative يا is a word apart
    return spelling if analysable(spelling) else form


def _modern(form: str) -> str:
    """A word of modern spelling as the analyser knows it: without tatweel, presentation
    forms as the letters they draw (المملكـة, ﻓﻲ: unknown to it as written), and إلى with
    its hamza (``_ILA``)."""
    if _DRAWN.search(form):
        plain = unicodedata.normalize("NFKC", form.replace("\u0640", ""))
        if plain and " " not in plain and analysable(plain):
            form = plain
    return _ILA.sub("\\1إ", form) if form[:3] in _ILA_STARTS else form


#: Tatweel and the Arabic presentation forms: how a word is drawn, not spelled.
_DRAWN = re.compile("[\u0640\ufb50-\ufdff\ufe70-\ufefe]")


def modern_spellings(forms: Iterable[str]) -> dict[str, str]:
    """The words among ``forms`` that ``analysed_spelling`` gives the analyser in another
    spelling, with that spelling (the unmarked forms, most of a corpus, skipped at once,
    but for the hamza-less إلى and the words drawn with tatweel or presentation forms)."""
    marked = _patterns()[0].search
    return {
        form: spelling
        for form in forms
        if (marked(form) or form[:3] in _ILA_STARTS or _DRAWN.search(form))
        and (spelling := analysed_spelling(form)) != form
    }


def _hamza_and_alef(word: str, chars: list[str]) -> None:
    """Write آ in ``chars`` (what each character of ``word`` becomes under the ``uthmani``
    fold) where the fold deleted a hamza because it and the alef after it are آ (ءَامَنُوا,
    ٱلْقُرْءَانَ, بِـَٔايَـٰتِ): the fold leaves an alef, which the analyser needs as آ."""
    for at, char in enumerate(word):
        if char not in "\u0621\u0640" or chars[at] != "":
            continue
        # the next letter, past the marks (the hamza above a tatweel is one)
        after = next((j for j in range(at + 1, len(word)) if not unicodedata.combining(word[j])), None)
        if after is not None and chars[after] in ("\u0627", "\u0671"):
            chars[after] = "\u0622"


def unknown_lemma(form: str) -> str:
    """The lemma of a word the analyser does not know (a name, a loanword): the form
    unvocalized, without its article and the proclitics before it (الشيشان, للشيشان:
    شيشان) when three letters at least remain."""
    bare = unvocalized(form)
    for article in _ARTICLES:
        if bare.startswith(article) and len(bare) - len(article) >= 3:
            return bare[len(article) :]
    return bare


#: The analyser's tag of a demonstrative.
DEMONSTRATIVE = "اسم:إشارة"
#: Demonstratives by their stem: near (هذا) and far (ذلك).  The analyser gives them all
#: the lemma ذا (أولاء for the plurals); Arabic lemmatizers and treebanks (PADT, SAMA,
#: Sketch Engine's arTenTen) lemmatize the near ones as هذا and the far ones as ذلك.
_NEAR = frozenset({"هذا", "هذه", "هذي", "هذان", "هذين", "هاتان", "هاتين", "هؤلاء"})
_FAR = frozenset({"ذلك", "تلك", "ذلكم", "ذلكما", "تلكم", "ذانك", "أولئ", "أولئك"})


#: The analyser's tag of a preposition with its pronoun (بها, لهم, عليه).
PREPOSITION_WITH_PRONOUN = "حرف:جار ومجرور"
#: The analyser's lemma of ب and ل with a pronoun (بها, لهم: بِي, لِي), and the lemma of
#: the preposition itself, which PADT, SAMA and arTenTen give them.
_PREPOSITIONS = {"بي": "بِ", "لي": "لِ"}
#: The feminine elatives (pattern فُعْلَى), by their lemma unvocalized, with the lemma of
#: their masculine (أَفْعَل), which every Arabic lemmatizer gives them as it gives كبيرة
#: كبير: أخرى آخر, الصغرى أصغر (the analyser's lemma is the feminine for some of them).
_ELATIVES = {
    "أخرى": "آخَر",
    "أولى": "أَوَّل",
    "كبرى": "أَكْبَر",
    "صغرى": "أَصْغَر",
    "عظمى": "أَعْظَم",
    "قصوى": "أَقْصَى",
    "وسطى": "أَوْسَط",
    "عليا": "أَعْلَى",
    "سفلى": "أَسْفَل",
}
#: The pattern of a feminine elative.
_FEMININE_ELATIVE = "فُعْلَى"
#: The analyser's tag of an adverb (ظرف: أمس, فقط, بعد, حيث), a function word whether or
#: not it has a root (PADT tags them ADV or ADP).
ADVERB = "اسم:ظرف"
#: Nouns that work as prepositions (ظروف and verbal nouns: بعد, خلال, حول), and the
#: exceptive إلا (a noun of exception to the analyser), by their lemma unvocalized:
#: function words in PADT's sense (it tags them ADP and PART), as في and على are.  Not
#: those as often nouns of their own (نحو "grammar", وسط "middle", غير, مثل).
SEMI_PREPOSITIONS = frozenset(
    "بعد قبل خلال حول دون ضد أمام عبر حسب ضمن تجاه عند بين مع فوق تحت وراء لدى منذ حين إثر "
    "عقب إزاء جراء حيال طوال حوالي حوالى إبان أثناء لدن إلا".split()
)


#: Conjunctions and particles written as one word with ما (كما "as", عندما "when", بينما
#: "while", إنما "only"), which the analyser reads as their first part (ما, عند, بين, إنّ):
#: words of their own, as PADT and SAMA lemmatize them.  Not لما (لَمّا "when" or لِما
#: "for what") nor مما (من and ما).
COMPOUNDS = frozenset(
    "كما عندما بينما حينما كلما ريثما ربما إنما فيما مثلما بعدما حيثما أينما كيفما قلما طالما".split()
)
#: The tag of a ``COMPOUNDS`` reading (farahidi's tag of such words as فيما and سيما).
COMPOUND = "حرف:مركب"


def compound_reading(form: str, root: str = "") -> Reading | None:
    """The reading of the conjunction written with ما (``COMPOUNDS``) that ``form`` is,
    after a و or ف (وكما): a function word whose lemma is the whole conjunction, with
    ``root``; None for any other form."""
    bare = unvocalized(form)
    if bare not in COMPOUNDS and bare[:1] in ("و", "ف"):
        bare = bare[1:]
    if bare not in COMPOUNDS:
        return None
    return Reading(bare, root, "function", COMPOUND, "", bare)


def conventional_readings(readings: list[Reading]) -> list[Reading]:
    """``readings`` as users look them up, where the analyser's conventions differ from
    those of Arabic lemmatizers and treebanks (PADT, SAMA, Sketch Engine's arTenTen): the
    demonstratives هذه, هؤلاء under هذا; تلك, أولئك under ذلك; هكذا under itself (the
    adverb), not all under ذا; ب and ل with a pronoun (بها, له, لهم) under the
    preposition, not under بِي, لِي; an adverb (أمس, فقط) and a noun that works as a
    preposition (بعد, خلال: ``SEMI_PREPOSITIONS``) a function word; a feminine elative under its masculine
    (أخرى آخر, الصغرى أصغر), as كبيرة is under كبير.  Applied to cached readings as they are read,
    so that no form is analysed again for them."""
    changed: list[Reading] | None = None
    for at, reading in enumerate(readings):
        conventional = _conventional(reading)
        if conventional is not reading:
            if changed is None:
                changed = list(readings)
            changed[at] = conventional
    return readings if changed is None else changed


def _conventional(reading: Reading) -> Reading:
    if reading.tag == DEMONSTRATIVE:
        return _demonstrative(reading)
    if reading.tag == PREPOSITION_WITH_PRONOUN:
        preposition = _PREPOSITIONS.get(unvocalized(reading.lemma))
        if preposition is not None:
            return reading._replace(lemma=preposition)
    if reading.pos == "noun" and (reading.tag == ADVERB or _semi_preposition(reading.lemma)):
        return reading._replace(pos="function")
    if reading.pattern == _FEMININE_ELATIVE:
        masculine = _ELATIVES.get(unvocalized(reading.lemma))
        if masculine is not None:
            return reading._replace(lemma=masculine)
    return reading


@cache
def _semi_preposition(lemma: str) -> bool:
    """Is ``lemma`` (vocalized) one of ``SEMI_PREPOSITIONS``?  Remembered: a corpus's
    million readings have some 80,000 lemmas."""
    return unvocalized(lemma) in SEMI_PREPOSITIONS


def _demonstrative(reading: Reading) -> Reading:
    if unvocalized(reading.lemma) not in ("ذا", "أولاء"):
        return reading
    stem = unvocalized(reading.stem)
    if stem in _NEAR:
        return reading._replace(lemma="هَذَا")
    if stem in _FAR:
        return reading._replace(lemma="ذَلِكَ")
    if stem == "هكذا":
        return reading._replace(lemma="هَكَذَا")
    return reading


def _pos_with_root(reading: Reading, root: str) -> str:
    """A reading's coarse part of speech once it has been given ``root``."""
    tag, _, kind = reading.tag.partition(":")
    return coarse_pos(tag, kind or None, root)


def _root(analysis: Any) -> str:
    """An analysis's root, "" when it has none (farahidi writes "-" or "#": ب)."""
    root: str = analysis.root or ""
    return "" if root in ("-", "#") else root


def _reading(analysis: Any) -> Reading:
    root = _root(analysis)
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
