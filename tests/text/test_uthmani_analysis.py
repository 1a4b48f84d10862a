"""Words of the Quran's Uthmani script analysed as the modern spelling they stand for
(``text.morphology.analysed_spelling``), so that its lemmas and roots are those of the
simple script (issue 17)."""

from __future__ import annotations

import tarfile
from collections import Counter
from pathlib import Path

import pytest

from corpus_cli.index import morphology as index_morphology
from corpus_cli.index.morphology import Cache, analyse
from corpus_cli.text.morphology import Reading, analysed_spelling, unvocalized
from tests.conftest import SHARED_CORPORA

NO_EXTRA = "the extra corpus-cli[morph] is not installed"


def test_an_uthmani_word_is_given_to_the_analyser_in_modern_spelling():
    cases = {
        "ٱلرَّحِيمِ": "الرحيم",  # alef wasla
        "ٱلْكِتَـٰبُ": "الكتاب",  # dagger alef on a tatweel
        "كِتَـٰبٌ": "كتاب",
        "ءَامَنُوا": "آمنوا",  # ءَا is آ
        "ءَامَنُوا۟": "آمنوا",  # with the small high rounded zero on its last alef
        "ٱلْقُرْءَانَ": "القرآن",
        "بِـَٔايَـٰتِ": "بآيات",  # a hamza on a tatweel before an alef
        "ٱلصَّلَوٰةَ": "الصلاة",  # a wāw for ā
        "فِى": "في",  # a yeh without its dots
        "ٱلَّذِى": "الذي",
        "شَىْءٍ": "شيء",
        "هَـٰذَا": "هذا",  # a word modern spelling writes without the alef, too
        "ٱلرَّحْمَـٰنِ": "الرحمن",
        "ٱلسَّمَـٰوَٰتِ": "السماوات",
        "ٱلَّيْلِ": "الليل",
        "يَـٰقَوْمِ": "قوم",  # the noun after a vocative يا
        "إِبْرَٰهِـۧمَ": "إبراهيم",  # a small high yeh
        "بِهِۦ": "به",  # the small waw after the pronoun is not written
        "ٱلْأَرْضِ": "الأرض",
        "ٱلرَّحْمَٰنِ": "الرحمن",  # the simple script's dagger alef
        "\u0645\u064e\u0627\u0653": "ما",  # the madda of a long vowel (مَآ), written apart
        "\u062c\u064e\u0627\u0653\u0621\u064e": "جاء",  # جَآءَ
        "\u0642\u064f\u0648\u0653\u0627\u06df": "قوا",  # قُوٓا۟
    }
    for uthmani, modern in cases.items():
        assert analysed_spelling(uthmani) == modern, uthmani


def test_modern_spelling_is_given_as_it_is():
    """So that the cached analyses of modern words stay valid."""
    for form in ("كتاب", "والكتابة", "كِتَابٌ", "الرَّحِيمِ", "ءامنوا", "شىء", "في", "السَّمَاءِ", "مَسْؤُولٌ"):
        assert analysed_spelling(form) == form, form
    assert analysed_spelling("hello") == "hello"
    # آ decomposed (alef and madda apart), as modern text may have it: no fatha before it
    for form in ("\u0627\u0653\u0645\u064e\u0646\u064e", "\u0642\u064f\u0631\u0652\u0627\u0653\u0646"):
        assert analysed_spelling(form) == form, form


def test_an_uthmani_word_has_the_cached_readings_of_its_modern_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    cache = Cache(tmp_path / "morph.sqlite")
    rahim = [Reading("رَحِيم", "رحم", "noun", "اسم:مبالغة اسم الفاعل", "فَعِيل", "رَحِيم")]
    cache.put({"الرحيم": rahim})

    def no_analyser() -> None:
        raise AssertionError("the analyser was loaded for a form whose modern spelling is cached")

    monkeypatch.setattr(index_morphology, "have_analyser", lambda: True)
    monkeypatch.setattr(index_morphology, "Analyser", no_analyser)
    got = analyse(["ٱلرَّحِيمِ", "الرحيم", "ٱلرَّحِيمُ", "2024"], cache=cache)
    assert got == {"ٱلرَّحِيمِ": rahim, "الرحيم": rahim, "ٱلرَّحِيمُ": rahim}
    rows = [row[0] for row in cache.db.execute("SELECT form FROM readings")]
    assert rows == ["الرحيم"]  # no entry of its own: the modern spelling's is shared
    assert analyse(["ٱلرَّحِيمِ"], cache=cache) == {"ٱلرَّحِيمِ": rahim}  # only the forms asked for
    cache.close()


@pytest.fixture(scope="module")
def analyser():
    pytest.importorskip("farahidi", reason=NO_EXTRA)
    from corpus_cli.text.morphology import Analyser

    return Analyser()


def test_uthmani_words_have_real_lemmas_and_roots(analyser):
    expected = {
        "ٱلرَّحِيمِ": ("رحيم", "رحم", "noun"),
        "ٱلْكِتَـٰبُ": ("كتاب", "كتب", "noun"),
        "كِتَـٰبٌ": ("كتاب", "كتب", "noun"),
        "ءَامَنُوا": ("آمن", "ءمن", "verb"),
        "ٱلصَّلَوٰةَ": ("صلاة", "صلو", "noun"),
        "ٱلْقُرْءَانَ": ("قرآن", "قرء", "noun"),
        "يَـٰقَوْمِ": ("قوم", "قوم", "noun"),
    }
    for form, (lemma, root, pos) in expected.items():
        first = analyser.readings(form)[0]
        assert (unvocalized(first.lemma), first.root, first.pos) == (lemma, root, pos), form
        assert analyser.readings(form) == analyser.readings(analysed_spelling(form))


def test_an_unknown_uthmani_word_has_its_modern_spelling_as_lemma(analyser):
    # A name the analyser lacks, in Uthmani dress (alef wasla, dagger alef): its lemma is
    # the modern spelling without its article, not ٱلشِّيشَـٰن.
    assert analyser.readings("ٱلشِّيشَـٰنِ") == [Reading("شيشان", "", "noun", "unknown", "", "الشيشان")]


#: Suras of both scripts whose words are compared (Al-Fatiha, Ya-Sin, Ar-Rahman, Al-Mulk,
#: the last three): a few thousand forms, analysed in seconds.
SURAS = ("001", "036", "055", "067", "112", "113", "114")


def _verses(script: str) -> list[str]:
    """The verses of ``SURAS`` in Tanzil's ``script`` (their text after ``sura|aya|``)."""
    archive = SHARED_CORPORA / f"tanzil_quran_{script}.tar.xz"
    if not archive.exists():
        pytest.skip(f"../shared/corpora has no {archive.name}")
    verses: list[str] = []
    with tarfile.open(archive, "r|xz") as stream:
        for member in stream:
            if member.isfile() and Path(member.name).stem in SURAS:
                data = stream.extractfile(member)
                assert data is not None
                verses.extend(line.split("|", 2)[2] for line in data.read().decode("utf-8").splitlines())
    return verses


def _root_counts(verses: list[str], cache: Cache) -> tuple[Counter[str], int]:
    """Tokens per root of their first reading, and the tokens of words without a root."""
    from corpus_cli.text.tokenize import words

    tokens = [word for verse in verses for word in words(verse)]
    readings = analyse(tokens, cache=cache)
    roots: Counter[str] = Counter()
    rootless = 0
    for token in tokens:
        found = readings.get(token)
        if found and found[0].root:
            roots[found[0].root] += 1
        else:
            rootless += 1
    return roots, rootless


def test_the_uthmani_quran_has_the_roots_of_the_simple_script(tmp_path: Path):
    """Verse-aligned, the two scripts have the same words: their roots are counted alike.
    Measured: رحم 30 tokens in both scripts of these suras, ءمن 7 (Uthmani) and 8, قول 35,
    ربب 47; 30.7 % of the Uthmani words without a root, 33.4 % of the simple ones.  Before
    the Uthmani words were analysed in modern spelling: رحم 2 against 13, ءمن 4 against 8,
    قول 24 against 35, and 69.1 % of the Uthmani words without a root (36.4 %)."""
    pytest.importorskip("farahidi", reason=NO_EXTRA)
    simple, uthmani = _verses("simple"), _verses("uthmani")
    assert len(simple) == len(uthmani) == 7 + 83 + 78 + 30 + 4 + 5 + 6
    cache = Cache(tmp_path / "morph.sqlite")
    simple_roots, simple_rootless = _root_counts(simple, cache)
    uthmani_roots, uthmani_rootless = _root_counts(uthmani, cache)
    cache.close()
    for root in ("رحم", "ءمن", "قول", "كفر", "خلق", "ربب"):
        assert uthmani_roots[root] >= 0.85 * simple_roots[root] > 0, root
    total = sum(uthmani_roots.values()) + uthmani_rootless
    assert uthmani_rootless / total <= simple_rootless / (sum(simple_roots.values()) + simple_rootless) + 0.05
