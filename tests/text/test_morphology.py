"""The analyser of one word (``text.morphology``) and its cache (``index.morphology``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_cli.index import morphology as index_morphology
from corpus_cli.index.morphology import Cache, analyse, attribute_values
from corpus_cli.text.morphology import (
    Reading,
    alternative_spellings,
    analysable,
    coarse_pos,
    compound_reading,
    conventional_readings,
    hamza_spellings,
    lempos,
    root_letters,
    split_lempos,
    unknown_lemma,
    unvocalized,
)


def test_only_arabic_words_are_analysable():
    assert analysable("والكتابة")
    assert analysable("كِتَابٌ")
    for form in ("hello", "2024", "٢٠٢٤", "https://x.sa", "،", "😀", "كتب2", "ـ", ""):
        assert not analysable(form), form


def test_roots_and_lemmas_as_users_write_them():
    assert root_letters("ك ت ب") == root_letters("ك-ت-ب") == root_letters("كتب") == "كتب"
    assert root_letters("أمن") == root_letters("امن") == root_letters("ءمن") == "ءمن"
    assert root_letters("رأى") == "رءي"
    assert unvocalized("كِتَاب") == "كتاب"
    assert unvocalized("كتـــاب") == "كتاب"


def test_other_spellings_of_a_word_the_analyser_does_not_know():
    assert alternative_spellings("ءامنوا") == ["آمنوا"]  # Uthmani: ءا for آ
    assert alternative_spellings("شىء") == ["شيء"]  # Uthmani: ى inside a word
    assert alternative_spellings("النبى") == ["النبي"]  # ى for a final ي
    assert alternative_spellings("اعلن") == ["أعلن", "إعلن"]  # news: a hamza-less alef
    assert alternative_spellings("والاسلام") == ["والأسلام", "والإسلام"]
    assert alternative_spellings("لاسرائيل") == ["لأسرائيل", "لإسرائيل"]
    assert alternative_spellings("مدرسه") == ["مدرسة"]  # ه for ة
    assert alternative_spellings("السلام") == []  # the article's alef is no hamza
    assert alternative_spellings("كتب") == []


def test_the_spellings_with_a_hamza_of_a_bare_initial_alef():
    assert hamza_spellings("ايران") == ["أيران", "إيران", "آيران"]
    assert hamza_spellings("لان") == ["لأن", "لإن", "لآن"]  # after a proclitic
    assert hamza_spellings("والاسلام") == ["والأسلام", "والإسلام", "والآسلام"]
    assert hamza_spellings("ان") == ["أن", "إن", "آن"]
    assert hamza_spellings("السلام") == []  # the article's alef
    assert hamza_spellings("الى") == []  # إلى's (``_ILA``)
    assert hamza_spellings("إيران") == hamza_spellings("كتب") == hamza_spellings("ا") == []
    assert alternative_spellings("اب") == []  # too short to be a hamza-less word


def test_the_lemma_of_an_unknown_word_has_no_article():
    assert unknown_lemma("الشيشان") == unknown_lemma("للشيشان") == unknown_lemma("والشيشان") == "شيشان"
    assert unknown_lemma("الدُّوما") == "دوما"
    assert unknown_lemma("الكو") == "الكو"  # no article: three letters at least remain
    assert unknown_lemma("بيلزبوري") == "بيلزبوري"


def test_coarse_parts_of_speech():
    assert coarse_pos("فعل", None, "كتب") == "verb"
    assert coarse_pos("حرف", "جر", "") == "function"
    assert coarse_pos("اسم", "موصول", "") == "function"
    assert coarse_pos("اسم", None, "") == "function"  # في, as farahidi has it
    assert coarse_pos("اسم", "اسم علم", "") == "noun"
    assert coarse_pos("اسم", "مصدر أصلي", "كتب") == "noun"
    assert coarse_pos("اسم", "ظرف", "ءمس") == "function"  # أمس: an adverb, with its root


def test_attribute_values_are_distinct_and_first_first():
    readings = [
        Reading("كِتَاب", "كتب", "noun", "اسم"),
        Reading("كِتَاب", "كتب", "noun", "اسم:مصدر أصلي"),
        Reading("كَتَبَ", "كتب", "verb", "فعل"),
        Reading("فِي", "", "function", "اسم"),
    ]
    assert attribute_values(readings, "lemma") == ["كتاب", "كتب", "في"]
    assert attribute_values(readings, "root") == ["كتب"]
    assert attribute_values(readings, "pos") == ["noun", "verb", "function"]
    # the first reading's value first, even none: في has no root, though وَفَى has one
    fi = [Reading("فِي", "", "function", "اسم"), Reading("وَفَى", "وفي", "verb", "فعل")]
    assert attribute_values(fi, "root") == ["", "وفي"]
    assert attribute_values([], "root") == []


def test_cached_forms_are_not_analysed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cache = Cache(tmp_path / "morph.sqlite")
    known = {"كتب": [Reading("كَتَبَ", "كتب", "verb", "فعل", "فَعَلَ", "كَتَب")], "فيلم": []}
    cache.put(known)

    def no_analyser() -> None:
        raise AssertionError("the analyser was loaded for cached forms")

    monkeypatch.setattr(index_morphology, "have_analyser", lambda: True)
    monkeypatch.setattr(index_morphology, "Analyser", no_analyser)
    got = analyse(["كتب", "فيلم", "hello", "2024", "كتب"], cache=cache)
    assert got == known
    cache.close()


def _demonstrative(lemma: str, stem: str) -> Reading:
    return Reading(lemma, "", "function", "اسم:إشارة", "", stem)


def test_demonstratives_have_the_lemmas_users_look_up():
    """The analyser's ذا for every demonstrative becomes هذا (near) or ذلك (far), as PADT,
    SAMA and arTenTen lemmatize them; هكذا is its own lemma; other readings stay."""
    verb = Reading("هَذَّ", "هذذ", "verb", "فعل", "فُعِلَ", "هُذّ")
    cases = {
        "هَذِه": "هَذَا",
        "هَاتَيْن": "هَذَا",
        "هَؤُلَاء": "هَذَا",
        "ذَلِك": "ذَلِكَ",
        "تِلْك": "ذَلِكَ",
        "أُوْلَئ": "ذَلِكَ",
        "هَكَذَا": "هَكَذَا",
        "ذَات": "ذَا",  # not a demonstrative's stem that users look up under another lemma
    }
    for stem, lemma in cases.items():
        first = _demonstrative("أُولَاءِ" if stem in ("هَؤُلَاء", "أُوْلَئ") else "ذَا", stem)
        assert conventional_readings([first, verb]) == [first._replace(lemma=lemma), verb], stem
    assert conventional_readings([verb]) == [verb]
    here = Reading("هُنَا", "", "function", "اسم:إشارة", "", "هُنَا")
    assert conventional_readings([here]) == [here]


#: بها as the analyser reads it: the preposition with its pronoun, lemma بِي; then the verb بَهَا.
WITH_HER = Reading("بِي", "", "function", "حرف:جار ومجرور")
SHONE = Reading("بَهَا", "بهو", "verb", "فعل", "فَعَلَ", "بَهَا")


def test_a_preposition_with_its_pronoun_has_the_prepositions_lemma():
    """بها, لهم: ب and ل (PADT's, SAMA's and arTenTen's lemmas), not the analyser's بِي, لِي;
    على and من with a pronoun are already theirs."""
    assert conventional_readings([WITH_HER, SHONE]) == [WITH_HER._replace(lemma="بِ"), SHONE]
    for_them = Reading("لِي", "", "function", "حرف:جار ومجرور")
    assert conventional_readings([for_them]) == [for_them._replace(lemma="لِ")]
    on_him = Reading("عَلَى", "علي", "function", "حرف:جار ومجرور")
    assert conventional_readings([on_him]) == [on_him]


def test_a_noun_that_works_as_a_preposition_is_a_function_word():
    """بعد, خلال (PADT's ADP), the adverb أمس (ADV); the verb عَبَرَ stays a verb, نحو
    "grammar" a noun."""
    yesterday = Reading("أَمْسِ", "ءمس", "noun", "اسم:ظرف")
    assert conventional_readings([yesterday]) == [yesterday._replace(pos="function")]
    except_ = Reading("إِلَّا", "", "noun", "اسم:استثناء")  # PADT's PART
    assert conventional_readings([except_]) == [except_._replace(pos="function")]
    after = Reading("بَعْدَ", "بعد", "noun", "اسم:اسم جامد")
    during = Reading("خِلَال", "خلل", "noun", "اسم:مصدر أصلي")
    crossed = Reading("عَبَرَ", "عبر", "verb", "فعل")
    grammar = Reading("نَحْو", "نحو", "noun", "اسم:اسم جامد")
    assert conventional_readings([after, during, crossed, grammar]) == [
        after._replace(pos="function"),
        during._replace(pos="function"),
        crossed,
        grammar,
    ]
    unchanged = [crossed, grammar]
    assert conventional_readings(unchanged) is unchanged


def test_lempos_joins_a_lemma_and_the_initial_of_its_part_of_speech():
    assert lempos("قدم", "noun") == "قدم-n"
    assert lempos("قدم", "verb") == "قدم-v"
    assert lempos("في", "function") == "في-f"
    assert lempos("", "noun") == ""
    assert split_lempos("قدم-v") == ("قدم", "v")
    assert split_lempos("بن-سلمان-n") == ("بن-سلمان", "n")  # the last hyphen
    assert split_lempos("قدم") == ("قدم", "")
    assert index_morphology.attribute_values([WITH_HER, SHONE], "lempos") == ["بي-f", "بها-v"]


def test_a_feminine_elative_has_its_masculine_lemma():
    """أخرى آخر, الصغرى أصغر, as PADT lemmatizes them; أَوْلَى "worthier" (another pattern)
    is no feminine of أول."""
    other = Reading("أُخْرَى", "ءخر", "noun", "اسم:اسم جامد", "فُعْلَى", "أُخْرَى")
    smaller = Reading("صُغْرَى", "صغر", "noun", "اسم:اسم جامد", "فُعْلَى", "صُغْرَى")
    worthier = Reading("أَوْلَى", "ولي", "noun", "اسم:اسم تفضيل", "أَفْعَل", "أَوْلَى")
    assert conventional_readings([other, smaller, worthier]) == [
        other._replace(lemma="آخَر"),
        smaller._replace(lemma="أَصْغَر"),
        worthier,
    ]


def test_a_conjunction_written_with_ma_is_read_as_itself_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """كما, عندما, بينما (PADT's CONJ): first a function word of their own, then as the
    analyser reads them (ما, عند); بينما keeps the root of بين; لما is left alone."""
    assert compound_reading("كما") == Reading("كما", "", "function", "حرف:مركب", "", "كما")
    assert compound_reading("وكَمَا") == compound_reading("كما")
    assert compound_reading("فيما") == Reading("فيما", "", "function", "حرف:مركب", "", "فيما")
    assert compound_reading("لما") is None and compound_reading("ما") is None
    what = Reading("مَا", "", "function", "اسم:موصول")
    between = Reading("بَيْنَ", "بين", "function", "اسم:ظرف")
    cache = Cache(tmp_path / "morph.sqlite")
    cache.put({"كما": [what], "بينما": [between], "ما": [what]})
    monkeypatch.setattr(index_morphology, "have_analyser", lambda: True)
    got = analyse(["كما", "بينما", "ما"], cache=cache)
    assert got["كما"] == [compound_reading("كما"), what]
    assert got["بينما"] == [compound_reading("بينما", "بين"), between]
    assert got["ما"] == [what]
    cache.close()


def test_readings_cached_before_the_conventions_get_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cache = Cache(tmp_path / "morph.sqlite")
    cache.put(
        {
            "وهذه": [_demonstrative("ذَا", "هَذِه")],
            "بها": [WITH_HER, SHONE],
            "كتب": [Reading("كَتَبَ", "كتب", "verb", "فعل")],
        }
    )
    monkeypatch.setattr(index_morphology, "have_analyser", lambda: True)
    got = analyse(["وهذه", "بها", "كتب"], cache=cache)
    assert got["وهذه"] == [_demonstrative("هَذَا", "هَذِه")]
    assert got["بها"] == [WITH_HER._replace(lemma="بِ"), SHONE]
    assert got["كتب"] == [Reading("كَتَبَ", "كتب", "verb", "فعل")]
    cache.close()


NO_EXTRA = "the extra corpus-cli[morph] is not installed"


@pytest.fixture(scope="module")
def analyser():
    pytest.importorskip("farahidi", reason=NO_EXTRA)
    from corpus_cli.text.morphology import Analyser

    return Analyser()


def test_readings_put_the_disambiguators_pick_first(analyser):
    readings = analyser.readings("والكتابة")
    first = readings[0]
    assert (unvocalized(first.lemma), first.root, first.pos) == ("كتاب", "كتب", "noun")
    assert first.stem == "كِتَابَة"
    assert len(readings) > 1 and all(r.root == "كتب" for r in readings)
    assert len({(r.lemma, r.root, r.pos) for r in readings}) == len(readings)


def test_ambiguity_is_kept(analyser):
    readings = analyser.readings("في")
    assert (readings[0].lemma, readings[0].root, readings[0].pos) == ("فِي", "", "function")
    assert ("وَفَى", "وفي", "verb") in [(r.lemma, r.root, r.pos) for r in readings]


def test_a_form_that_can_be_a_particle_is_one_first(analyser):
    readings = analyser.readings("على")
    assert (readings[0].lemma, readings[0].pos, readings[0].tag) == ("عَلَى", "function", "حرف:جر")
    assert readings[0].root == "علي"  # its lemma's root, as the analyser gives it
    assert "verb" in [r.pos for r in readings[1:]]


def test_an_unknown_word_is_a_noun_of_its_own(analyser):
    assert analyser.readings("بيلزبوري") == [Reading("بيلزبوري", "", "noun", "unknown", "", "بيلزبوري")]


def test_other_spellings_are_analysed_when_the_form_is_unknown(analyser):
    first = analyser.readings("ءامنوا")[0]  # Uthmani spelling of آمنوا
    assert (unvocalized(first.lemma), first.root, first.pos) == ("آمن", "ءمن", "verb")
    first = analyser.readings("شىء")[0]
    assert (unvocalized(first.lemma), first.root) == ("شيء", "شيء")
    first = analyser.readings("والاسلام")[0]  # news spelling of والإسلام
    assert (unvocalized(first.lemma), first.root, first.pos) == ("إسلام", "سلم", "noun")
    assert analyser.readings("الشيشان") == [Reading("شيشان", "", "noun", "unknown", "", "الشيشان")]


def test_the_article_is_no_word_of_its_own(analyser):
    first = analyser.readings("كل")[0]  # ك + ال is an analysis, not the word first
    assert (unvocalized(first.lemma), first.root) == ("كل", "كلل")
    assert "ال" not in [unvocalized(r.lemma) for r in analyser.readings("كل")][:1]
    readings = analyser.readings("ب")  # the clitic alone is itself (farahidi's root "#": none)
    assert [(unvocalized(r.lemma), r.pos, r.root) for r in readings] == [("ب", "function", "")]


def test_a_function_word_has_the_root_of_its_content_reading(analyser):
    for form, root in (("بين", "بين"), ("عند", "عند"), ("كيف", "كيف")):
        first = analyser.readings(form)[0]
        assert (unvocalized(first.lemma), first.pos, first.root) == (form, "function", root)
    assert analyser.readings("هذا")[0].root == ""  # no reading of its lemma has a root


def test_verbs_and_non_words(analyser):
    first = analyser.readings("يكتبون")[0]
    assert (unvocalized(first.lemma), first.root, first.pos) == ("كتب", "كتب", "verb")
    assert analyser.readings("hello") == []
    assert analyser.readings("2024") == []


def test_workers_give_what_one_process_gives(tmp_path: Path):
    pytest.importorskip("farahidi", reason=NO_EXTRA)
    words = [line.split("\t")[0] for line in _sample_words()]
    alone = analyse(words, workers=1, cache=Cache(tmp_path / "one.sqlite"))
    forked = analyse(words, workers=2, cache=Cache(tmp_path / "two.sqlite"))
    assert alone == forked
    assert len(alone) == len({w for w in words if analysable(w)}) > 400


def _sample_words() -> list[str]:
    """Words of the seed corpus (enough that two workers are forked)."""
    from corpus_cli.text.tokenize import words
    from tests.conftest import SEEDS

    found: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        found.extend(words(path.read_text(encoding="utf-8")))
    return sorted(set(found))[:600]


#: Forms whose first reading followed Python's hash randomization in farahidi 0.4.0.
UNSTABLE = ["أبغى", "أجئتنا", "أحسوا", "أحصى", "أخزى", "أدعوا", "أضلونا", "أفسدوها", "أنسوكم", "اخسوا"]


def test_readings_are_the_same_in_every_run():
    pytest.importorskip("farahidi", reason=NO_EXTRA)
    import json
    import os
    import subprocess
    import sys

    program = (
        "import json, sys\n"
        "from corpus_cli.text.morphology import Analyser\n"
        "analyser = Analyser()\n"
        "print(json.dumps({f: analyser.readings(f) for f in sys.argv[1:]}, ensure_ascii=False))\n"
    )
    runs = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", program, *UNSTABLE],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=Path(__file__).resolve().parents[2],
        )
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
    assert set(runs[0]) == set(UNSTABLE) and all(runs[0].values())


def test_the_cache_reads_alike_by_look_ups_and_by_one_pass(tmp_path: Path):
    """``Cache.get`` reads the whole table in one pass when most of it is wanted, and by
    look-ups of 500 forms otherwise: the same readings either way, only those asked for
    (an old row of four fields gets the default pattern and stem)."""
    cache = Cache(tmp_path / "morph.sqlite")
    many = {f"كتب{'ا' * n}": [Reading("كَتَبَ", "كتب", "verb", "فعل", "فَعَلَ", str(n))] for n in range(1200)}
    many["فيلم"] = []
    cache.put(many)
    with cache.db:
        cache.db.execute("INSERT INTO readings VALUES (?, ?)", ("كاتب", '[["كَاتِب", "كتب", "noun", "اسم"]]'))
    old = Reading("كَاتِب", "كتب", "noun", "اسم", "", "")
    everything = cache.get(sorted([*many, "كاتب", "غائب"]))  # most of the table: one pass
    assert everything == {**many, "كاتب": [old]}
    assert all(type(r) is Reading for readings in everything.values() for r in readings)
    assert everything["كتبا"][0].stem == "1"
    few = ["كاتب", "فيلم", "كتبااا", "غائب"]  # a few of 1,202 rows: look-ups
    assert cache.get(few) == {"كاتب": [old], "فيلم": [], "كتبااا": many["كتبااا"]}
    cache.close()


def test_the_hamza_less_ila_is_analysed_as_ila():
    """News writes إلى without its hamza (الى, اليه, والى); the analyser knows it only
    with it.  Nothing else that starts with ال is touched (اليوم, الية, والي, اليمن)."""
    from corpus_cli.text.morphology import analysed_spelling, modern_spellings

    given = {"الى": "إلى", "والى": "وإلى", "فاليه": "فإليه", "اليها": "إليها", "الينا": "إلينا"}
    for form, spelling in given.items():
        assert analysed_spelling(form) == spelling, form
    kept = ["اليوم", "الية", "والي", "اليمن", "الي", "الكتاب", "إلى", "والتي"]
    assert [analysed_spelling(form) for form in kept] == kept
    assert modern_spellings([*given, *kept]) == given


def test_a_word_drawn_with_tatweel_or_presentation_forms_is_analysed_as_spelled():
    """The analyser knows no tatweel (المملكـة) nor presentation form (ﻓﻲ): it is given the
    letters they draw, and the form shares their cache entry.  Not what is not one word
    (ﷺ: four), nor a form without them."""
    from corpus_cli.text.morphology import analysed_spelling, modern_spellings

    given = {"المملكـة": "المملكة", "الوزيـر": "الوزير", "لـ": "ل", "ﻓﻲ": "في", "ﻻ": "لا"}
    for form, spelling in given.items():
        assert analysed_spelling(form) == spelling, form
    kept = ["ﷺ", "المملكة", "كتب", "ـــ"]
    assert [analysed_spelling(form) for form in kept] == kept
    assert modern_spellings([*given, *kept]) == given


def test_a_form_is_cached_under_the_spelling_the_analyser_is_given(tmp_path: Path):
    """المملكـة is analysed as المملكة: the cache that holds المملكة holds it too (what the
    zero-hit hints ask before they analyse nothing)."""
    from corpus_cli.index.morphology import all_cached

    cache = Cache(tmp_path / "morph.sqlite")
    cache.put({"المملكة": [Reading("مَمْلَكَة", "ملك", "noun", "اسم")]})
    assert all_cached(["المملكـة", "المملكة", "2015", "hello"], cache)
    assert not all_cached(["المملكـة", "الوزيـر"], cache)
    cache.close()
