"""Rank each form's readings by what the corpus itself says.

The analyser orders a form's readings out of context, one form at a time.  The corpus
knows more: the analyser's first readings of all its other forms.  A (lemma, root) that
the analyser picks first for many tokens of other spellings is a likely reading of an
ambiguous spelling too: بن alone is first the verb بَانَ, but the first reading of ابن,
ابنه, أبناء is اِبْن (root بنو); ربك alone is first the rare noun رَبْك, but رب, ربهم,
ربكم are رَبّ (root ربب).  ``rank_readings`` puts first the reading whose (lemma, root)
the rest of the corpus attests far more often than the analyser's first reading's;
every other order is kept.

Measured on gold data (``benchmarks/morph_scores.py``): this helps roots (Quran +0.8 to
+1.2 points, news +0.5 with saudinewsnet's counts) and leaves lemmas and parts of speech
as they are (±0.2).  Putting the adjective before a noun spelled as its feminine
(``_masculine``: كبيرة is كبير) adds +0.4 lemma points on PADT with saudinewsnet's
counts (+0.2 with PADT's own), roots and parts of speech unchanged.  Counting only the
unambiguous forms (those with a single lemma) instead was measured worse on lemmas
(−1.8 points with saudinewsnet's counts): a lemma every form of which is ambiguous
(منطقة with منطق) gets no evidence at all that way.  Evidence per (lemma, root) without
the part of speech, and without ``OWN_FACTOR``, moved 3,952 forms of saudinewsnet (58,623
tokens) from a noun to a verb, most of them wrongly (عام "year" read as عَامَ "to swim",
ضمن as ضَمَّ, فيلم as لَمَّ by the evidence of the particle لَمْ); now 2,219 (18,778 tokens),
mostly the verbs the analyser took for verbal nouns (تسمح, تقرر): +0.1 lemma and +0.2 POS
points on PADT with saudinewsnet's counts, the roots unchanged.  Three more rules
(``with_hamza_readings``: ايران reads as إيران, انه as أنه; ``_feminine_noun``: المملكة is
مَمْلَكَة, not مِمْلَك; ``_function_word_spelled_so``: لكن is لَكِنَّ, not لِ with a pronoun, إلا
is إِلَّا, not إِنْ) change the first reading of 778 forms of saudinewsnet (72,264 tokens:
المملكة's 11,509, ان's 7,501, إلا's 7,194, لكن's 6,344, جدة's 4,185 among them): +0.4
lemma points on PADT with saudinewsnet's counts, +0.2 with its own, roots and parts of
speech unchanged.  A verb read with a prefix goes after a word spelled as the whole form
when the corpus writes that form with the article (``_spelled_whole``: عيد is عِيد, not
عِيدَ of عَادَ; فيصل is the name, not فَ + يَصِلُ; نقل and أقل are not forms of قَالَ): 333
forms of saudinewsnet (38,482 tokens), +0.4 lemma, +0.3 root and +0.3 POS points on PADT
with saudinewsnet's counts (its own text is too small to attest the article).  A noun
whose lemma the corpus writes far more often goes before one whose lemma it hardly
writes (``_written_lemma``: ثقافة is ثَقَافَة, not ثَقَاف; سنوات is سَنَة, not سَنَوَة): 3,551
forms of saudinewsnet (96,453 tokens), +0.5 lemma, +0.1 root (QAC and PADT) points with
saudinewsnet's counts, none with PADT's own.  A relative adjective with the article is
itself, not the noun it derives from nor a verb read off the article
(``_nisba_with_article``: العقاري is عَقَارِيّ, not عَقَار; الأمني أَمْنِيّ, not an
imperative of لَأَمَ): 99 forms of saudinewsnet (9,187 tokens, their feminines among
them), +0.1 root and +0.1 lemma point on PADT with saudinewsnet's counts (+0.1 root, +0.1
lemma on the analysed tokens with PADT's own), nothing lower.

Pure and deterministic: the forms' readings and counts in, their readings out, so that an
index's attributes (``index.morphology.annotate``) and the gold scores rank alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from ..text.morphology import (
    UNKNOWN,
    Reading,
    hamza_spellings,
    root_letters,
    unvocalized,
)

#: How many times more tokens must attest another (lemma, root) than the first reading's
#: (plus ``SMOOTHING``) before it goes first: the analyser's own pick is right most of the
#: time, so the corpus overrules it only when it says so clearly.
MARGIN = 8.0
#: Tokens added to the first reading's evidence: a reading attested by a handful of
#: tokens overrules nothing.
SMOOTHING = 2.0

#: How many times its own tokens a verb must be attested to go before a form's noun: a
#: form about as frequent as the whole verb it would be an inflection of is a word of its
#: own (ضمن "within" is not a form of ضَمَّ).
OWN_FACTOR = 2.0

#: The version of this ranking: bump it when ``rank_readings`` (or what it calls) ranks
#: otherwise, so that the indexes annotated the old way are annotated again
#: (``index.morphology.annotated``).
RANKING_VERSION = 8

#: The analyser's tag of a proper name (its ``type``, in ``Reading.tag``).
PROPER_NAME = "اسم علم"
#: The analyser's tags of the readings that are adjectives or participles.
ADJECTIVES = ("صفة", "اسم فاعل", "اسم مفعول", "نسبة", "مبالغة")

Evidence = tuple[str, str, str]


def ranking() -> str:
    """This ranking, as an index's attributes record what made them."""
    return f"v{RANKING_VERSION} margin {MARGIN} smoothing {SMOOTHING} own {OWN_FACTOR}"


def evidence_key(reading: Reading) -> Evidence:
    """What the corpus attests of a reading: its lemma unvocalized, with its root and its
    part of speech (two lemmas spelled alike with different roots are different words, and
    so are the noun عام "year" and the verb عَامَ "to swim", the function word لَمْ and the
    verb لَمَّ)."""
    return unvocalized(reading.lemma), root_letters(reading.root), reading.pos


def first_reading_evidence(
    readings_by_form: Mapping[str, Sequence[Reading]], counts: Mapping[str, int]
) -> dict[Evidence, int]:
    """Per (lemma, root, pos), the tokens of the forms whose first reading has it."""
    evidence: dict[Evidence, int] = defaultdict(int)
    key = _keys()
    for form, readings in readings_by_form.items():
        if readings:
            evidence[key(readings[0])] += counts.get(form, 0)
    return evidence


def _keys() -> Callable[[Reading], Evidence]:
    """``evidence_key``, remembered per (lemma, root, pos): a corpus's 300,000 forms have
    a million readings but far fewer lemmas."""
    known: dict[tuple[str, str, str], Evidence] = {}

    def key(reading: Reading) -> Evidence:
        found = known.get((reading.lemma, reading.root, reading.pos))
        if found is None:
            found = known[(reading.lemma, reading.root, reading.pos)] = evidence_key(reading)
        return found

    return key


def rank_readings(
    readings_by_form: Mapping[str, Sequence[Reading]],
    counts: Mapping[str, int],
    *,
    margin: float = MARGIN,
    smoothing: float = SMOOTHING,
) -> dict[str, list[Reading]]:
    """The readings of each form, first the one the rest of the corpus attests best when
    it beats the analyser's first by ``margin``; ``counts`` gives each form's tokens.

    A form's evidence leaves out its own tokens (they would always vote for its first
    reading).  A form whose first reading is a function word or a proper name keeps it:
    the function words are a closed class of the most frequent words (في is not the verb
    وفى however often وفى is seen), and a name's frequency is its own (لبنان is not a form
    of the verb بان however common بان is).  Nor does a noun whose form is at least half as
    frequent as the verb's evidence (``OWN_FACTOR``).  The readings moved first are all those of
    the winning (lemma, root, pos), in their order.

    Then the feminine of an adjective: a form whose first reading is a noun or a name
    spelled as a feminine (كبيرة as the noun كَبِيرَة, جميلة and المقبلة as names) and which
    also reads as an adjective with that lemma's masculine (كَبِير, جَمِيل, مُقْبِل) takes
    the adjective first when the rest of the corpus attests the masculine more than the
    feminine: the lemma of كبيرة is كبير, as in every Arabic lemmatizer's convention, and
    a lemma count then counts the adjective once.  The corpus must also write the
    masculine spelling as that adjective (كبير beside كبيرة), and the noun stays first
    where it is the common word (مدينة: مَدِين is rare).

    Conversely, a form spelled as a feminine noun whose first reading is a noun, not an
    adjective, with that noun's masculine as lemma (المملكة: the instrument مِمْلَك before
    مَمْلَكَة "kingdom") takes the feminine noun first when the corpus writes the form
    ``margin`` times more often than the masculine spelling (plus ``smoothing``): a lemma
    nobody writes is no likely reading.  A function word spelled as the form goes before
    one with something attached (``_function_word_spelled_so``: لكن, إلا), and a word spelled
    as the whole form before a verb read with a prefix when the corpus writes the form
    with the article (``_spelled_whole``: العيد beside عيد), and a noun whose lemma the
    corpus writes before one whose lemma it hardly writes (``_written_lemma``: ثقافة,
    not ثقاف), and a relative adjective with the article before the noun it derives from
    or a verb read off the article (``_nisba_with_article``: العقاري, الأمني).  And a form written with a
    hamza-less initial alef is ranked with the readings of the spellings with a hamza it
    may stand for (``with_hamza_readings``)."""
    readings_by_form = {
        form: with_hamza_readings(form, readings, readings_by_form, counts)
        for form, readings in readings_by_form.items()
    }
    evidence = first_reading_evidence(readings_by_form, counts)
    key_of = _keys()
    ranked: dict[str, list[Reading]] = {}
    for form, readings in readings_by_form.items():
        ranked[form] = list(readings)
        if len(readings) < 2 or readings[0].pos == "function" or PROPER_NAME in readings[0].tag:
            continue
        first = key_of(readings[0])
        others = [key for key in dict.fromkeys(map(key_of, readings)) if key != first]
        if not others:
            continue
        best = max(others, key=lambda key: evidence.get(key, 0))  # the first of the best
        own = evidence.get(first, 0) - counts.get(form, 0)
        found = evidence.get(best, 0)
        to_verb = readings[0].pos == "noun" and best[2] == "verb"
        if found > margin * (own + smoothing) and not (to_verb and found <= OWN_FACTOR * counts.get(form, 0)):
            ranked[form] = _moved_first(readings, best, key_of)
    for form, readings in ranked.items():
        whole = _function_word_spelled_so(form, readings, key_of)
        if whole is not None:
            ranked[form] = _moved_first(readings, whole, key_of)
            continue
        stem = _spelled_whole(form, readings, key_of, counts)
        if stem is not None:
            ranked[form] = _moved_first(readings, stem, key_of)
            continue
        nisba = _nisba_with_article(form, readings, key_of)
        if nisba is not None:
            ranked[form] = _moved_first(readings, nisba, key_of)
            continue
        written = _written_lemma(readings, key_of, counts, margin, smoothing)
        if written is not None:
            ranked[form] = _moved_first(readings, written, key_of)
            continue
        feminine = _feminine_noun(readings, key_of) if form.endswith("ة") else None
        if feminine is not None and counts.get(form, 0) > margin * (counts.get(form[:-1], 0) + smoothing):
            ranked[form] = _moved_first(readings, feminine, key_of)
            continue
        masculine = _masculine(readings, key_of)
        if masculine is not None and form.endswith("ة"):
            own = evidence.get(key_of(readings[0]), 0) - counts.get(form, 0)
            # The corpus writes the masculine as that adjective: كبير beside كبيرة, الكبير
            # beside الكبيرة (never الباح beside الباحة, a city).
            spelled = ranked.get(form[:-1])
            if evidence.get(masculine, 0) > own + smoothing and spelled and key_of(spelled[0]) == masculine:
                ranked[form] = _moved_first(readings, masculine, key_of)
    return ranked


def _moved_first(
    readings: Sequence[Reading], key: Evidence, key_of: Callable[[Reading], Evidence]
) -> list[Reading]:
    """``readings`` with those of ``key`` first, each part in its order."""
    return [r for r in readings if key_of(r) == key] + [r for r in readings if key_of(r) != key]


#: How often, against the form, the corpus must write the form with the article before a
#: reading spelled as the whole form goes before a verb read with a prefix
#: (``_spelled_whole``): at least this share of the form's tokens, plus ``SMOOTHING``.
DEFINITE_SHARE = 0.1


def _spelled_whole(
    form: str, readings: Sequence[Reading], key_of: Callable[[Reading], Evidence], counts: Mapping[str, int]
) -> Evidence | None:
    """The (lemma, root, pos) of a reading whose lemma is spelled as the whole form, when
    the first reading is a verb with another lemma (a prefix read off the form: عيد as
    عِيدَ of عَادَ, فيصل as فَ + يَصِلُ, نقل as نَ + قُلْ, أقل as أَقُولُ) and the corpus writes
    the form with the article (العيد, الفيصل, النقل): no verb takes it, so the form is
    also a word of its own, which the analyser passed over.  A noun among such readings
    goes first (the article is the noun's), else the first of them.  None otherwise."""
    if len(readings) < 2 or readings[0].pos != "verb" or key_of(readings[0])[0] == form:
        return None
    if counts.get("ال" + form, 0) < DEFINITE_SHARE * counts.get(form, 0) + SMOOTHING:
        return None
    whole = [key_of(r) for r in readings[1:] if key_of(r)[0] == form]
    nouns = [key for key in whole if key[2] == "noun"]
    return (nouns or whole)[0] if whole else None


#: The analyser's tag of a relative adjective (nisba: عَقَارِيّ, تِجَارِيّ).
NISBA = "نسبة"


def _nisba_with_article(
    form: str, readings: Sequence[Reading], key_of: Callable[[Reading], Evidence]
) -> Evidence | None:
    """The (lemma, root, pos) of the relative adjective spelled as the form with the
    article when the first reading is the noun it derives from (العقاري as عَقَار, first
    by the evidence of عقار and العقار; التجاري as تَجَار) or a verb that takes the
    article for letters of its own (الأمني, الفني, الزمني as imperatives of لَأَمَ, لَفَا,
    لَزِمَ): العقاري is عَقَارِيّ, الأمني أَمْنِيّ, as every lemmatizer of Arabic has them.
    Not when the first reading is a name, a relative adjective already, or a participle
    (الجاري is جَارٍ, العالي عَالٍ).  None otherwise."""
    if not form.startswith("ال") or not form.endswith("ي") or len(readings) < 2:
        return None
    first, bare = readings[0], form[2:]
    derived_from = (
        first.pos == "noun"
        and not any(kind in first.tag for kind in (PROPER_NAME, NISBA, "اسم فاعل"))
        and key_of(first)[0] == bare[:-1]
    )
    if first.pos != "verb" and not derived_from:
        return None
    for reading in readings[1:]:
        if NISBA in reading.tag and key_of(reading)[0] == bare:
            return key_of(reading)
    return None


def _skeleton(root: str) -> str:
    """A root without its weak radicals and hamza, a doubled radical once (فيد and فود are
    فد, طقق and طوق طق): how two readings' roots are compared when the analyser spells a
    weak or doubled radical one way in one reading and another way in the other."""
    letters = [char for char in root if char not in "اويءى"]
    return "".join(char for i, char in enumerate(letters) if i == 0 or char != letters[i - 1])


#: The analyser's tags of the nouns derived from a verb that take a pattern of their own
#: (مُوَارِد "one who comes to", a place noun): spelled like a broken plural (موارد, مشاكل,
#: ملابس), whose written spelling is no evidence for them.
DERIVED = ("اسم فاعل", "اسم مفعول", "اسم زمان أو مكان")


#: The first readings ``_written_lemma`` leaves first: a name, an adjective (كبيرة is كبير
#: however rarely the corpus writes كبير; the abstract noun التحتية is no likelier than
#: the adjective تحتي).
KEPT_FIRST = (PROPER_NAME, "صفة", "نسبة")


def _written_lemma(
    readings: Sequence[Reading],
    key_of: Callable[[Reading], Evidence],
    counts: Mapping[str, int],
    margin: float,
    smoothing: float,
) -> Evidence | None:
    """The (lemma, root, pos) of a noun whose lemma the corpus writes ``margin`` times more
    often (as a word, bare or with the article; plus ``smoothing``) than the first
    reading's, when the first reading is a noun (not a name or an adjective:
    ``KEPT_FIRST``) and both have one root (``_skeleton``): ثقافة is ثَقَافَة, not
    farahidi's ثَقَاف; عقوبة, فائدة likewise; سنوات is سَنَة, not سَنَوَة; الإنسان إِنْسَان,
    not إِنْس; الشعب شَعْب, not the plural of شُعْبَة.  Not a participle or place noun
    (``DERIVED``): موارد is the plural of مَوْرِد.  Else None."""
    if len(readings) < 2 or readings[0].pos != "noun" or any(kind in readings[0].tag for kind in KEPT_FIRST):
        return None
    first = key_of(readings[0])

    def written(lemma: str) -> int:
        return counts.get(lemma, 0) + counts.get("ال" + lemma, 0)

    bar = margin * (written(first[0]) + smoothing)
    root = _skeleton(first[1])
    for reading in readings[1:]:
        key = key_of(reading)
        if key[2] != "noun" or key[0] == first[0] or any(kind in reading.tag for kind in DERIVED):
            continue
        if _skeleton(key[1]) == root and written(key[0]) > bar:
            return key
    return None


def _masculine(readings: Sequence[Reading], key_of: Callable[[Reading], Evidence]) -> Evidence | None:
    """The (lemma, root, pos) of the adjective whose feminine the form may be, when its first
    reading is a noun or name spelled as that feminine (كبيرة: the noun كَبِيرَة "a grave
    sin", then the adjective كَبِير), else None."""
    if len(readings) < 2 or readings[0].pos != "noun":
        return None
    lemma = key_of(readings[0])[0]
    if not lemma.endswith("ة"):
        return None
    for reading in readings[1:]:
        key = key_of(reading)
        if key[0] == lemma[:-1] and reading.pos == "noun" and any(kind in reading.tag for kind in ADJECTIVES):
            return key
    return None


def _function_word_spelled_so(
    form: str, readings: Sequence[Reading], key_of: Callable[[Reading], Evidence]
) -> Evidence | None:
    """The (lemma, root, pos) of a function word spelled as the form (after a conjunction و
    or ف) when the first reading makes another function word of it, with something
    attached: لكن, ولكن are the particle لَكِنَّ "but", not لِ with the pronoun كُنَّ; إلا
    is إِلَّا "except", not إِنْ with لا.  None otherwise."""
    if len(readings) < 2 or readings[0].pos != "function":
        return None
    spelled = {form, form[1:]} if form[:1] in ("و", "ف") else {form}
    if key_of(readings[0])[0] in spelled:
        return None
    for reading in readings[1:]:
        if reading.pos == "function":
            key = key_of(reading)
            if key[0] in spelled:
                return key
    return None


def _feminine_noun(readings: Sequence[Reading], key_of: Callable[[Reading], Evidence]) -> Evidence | None:
    """The (lemma, root, pos) of the noun spelled as the form (its lemma ends in ة) when the
    first reading is a noun, not an adjective, whose lemma is that noun's masculine (the
    analyser's مِمْلَك "an instrument" for المملكة, before مَمْلَكَة "kingdom"); else None."""
    if len(readings) < 2 or readings[0].pos != "noun" or any(kind in readings[0].tag for kind in ADJECTIVES):
        return None
    lemma = key_of(readings[0])[0]
    for reading in readings[1:]:
        key = key_of(reading)
        if key[0] == lemma + "ة" and reading.pos == "noun":
            return key
    return None


def with_hamza_readings(
    form: str,
    readings: Sequence[Reading],
    readings_by_form: Mapping[str, Sequence[Reading]],
    counts: Mapping[str, int],
) -> list[Reading]:
    """``readings`` of a form written with a hamza-less initial alef (ايران, انه, لان), then
    the first reading of each spelling with a hamza that it may stand for and that the
    corpus writes more often than the form (إيران; أنه, إنه; لأن: ``hamza_spellings``),
    when it is another (lemma, root, pos): the analyser reads such a form as another word
    (أَيْر, the verb نَهَى, the noun لان), and the corpus's evidence may then put the
    hamza's reading first.  A word of its own, written more often than the spelling with
    a hamza it might stand for (واحد beside وأحد, كاهل beside كأهل), is left alone."""
    joined = list(readings)
    if not readings or "ا" not in form[:4]:
        return joined
    own = counts.get(form, 0)
    theirs = [
        found[0]
        for spelling in hamza_spellings(form)
        if counts.get(spelling, 0) > own
        and (found := readings_by_form.get(spelling))
        and found[0].tag != UNKNOWN
    ]
    if theirs:  # most forms with an alef have no such spelling: no key computed for them
        keys = {evidence_key(reading) for reading in readings}
        for reading in theirs:
            key = evidence_key(reading)
            if key not in keys:
                keys.add(key)
                joined.append(reading)
    return joined
