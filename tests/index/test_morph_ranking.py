"""Readings ranked by what the corpus attests (``index.reading_ranking``), and the index
attributes that ``index.morphology.annotate`` keeps in that order."""

from __future__ import annotations

import pytest

from corpus_cli.index import morphology as index_morphology
from corpus_cli.index.reading_ranking import (
    RANKING_VERSION,
    evidence_key,
    first_reading_evidence,
    rank_readings,
    with_hamza_readings,
)
from corpus_cli.text.morphology import Reading

#: The verb كَتَبَ and the noun كُتُب (plural of كِتَاب) share the spelling كتب.
WROTE = Reading("كَتَبَ", "كتب", "verb", "فعل")
BOOKS = Reading("كِتَاب", "كتب", "noun", "اسم")
LITTLE = Reading("كُتَيْب", "كتب", "noun", "اسم")
IN = Reading("فِي", "", "function", "اسم")
FULFILLED = Reading("وَفَى", "وفي", "verb", "فعل")
LEBANON = Reading("لُبْنَان", "لبن", "noun", "اسم:اسم علم")
APPEARED = Reading("بَانَ", "بين", "verb", "فعل")


def test_the_evidence_of_a_lemma_is_the_tokens_of_the_forms_it_is_first_for():
    readings = {"الكتاب": [BOOKS], "كتابا": [BOOKS, WROTE], "كتب": [WROTE, BOOKS], "hello": []}
    evidence = first_reading_evidence(readings, {"الكتاب": 30, "كتابا": 12, "كتب": 100, "hello": 5})
    assert evidence == {("كتاب", "كتب", "noun"): 42, ("كتب", "كتب", "verb"): 100}
    assert evidence_key(WROTE) == ("كتب", "كتب", "verb")
    assert evidence_key(Reading("أَمِنَ", "أمن", "verb", "فعل")) == ("أمن", "ءمن", "verb")


def test_a_lemma_the_rest_of_the_corpus_attests_far_more_goes_first():
    readings = {"كتب": [WROTE, LITTLE, BOOKS], "الكتاب": [BOOKS], "كتبت": [WROTE], "والكتب": [BOOKS]}
    counts = {"كتب": 50, "الكتاب": 40, "كتبت": 3, "والكتب": 5}
    ranked = rank_readings(readings, counts)
    # كتب's own 50 tokens do not count for its first reading: 45 > 8 × (3 + 2)
    assert ranked["كتب"] == [BOOKS, WROTE, LITTLE]
    assert ranked["الكتاب"] == [BOOKS]
    # more tokens of the verb elsewhere: the analyser's order stands (45 < 8 × (4 + 2))
    assert rank_readings(readings, counts | {"كتبت": 4})["كتب"] == [WROTE, LITTLE, BOOKS]
    assert rank_readings(readings, counts, margin=20)["كتب"] == [WROTE, LITTLE, BOOKS]


def test_a_handful_of_tokens_overrules_nothing():
    readings = {"كتب": [WROTE, BOOKS], "الكتاب": [BOOKS]}
    assert rank_readings(readings, {"كتب": 9, "الكتاب": 16})["كتب"] == [WROTE, BOOKS]  # 16 ≤ 8 × 2
    assert rank_readings(readings, {"كتب": 9, "الكتاب": 17})["كتب"] == [BOOKS, WROTE]
    assert rank_readings(readings, {"كتب": 9, "الكتاب": 1}, smoothing=0.0)["كتب"] == [BOOKS, WROTE]


def test_a_function_word_or_a_name_first_stays_first():
    readings = {"في": [IN, FULFILLED], "وفى": [FULFILLED], "لبنان": [LEBANON, APPEARED], "بان": [APPEARED]}
    ranked = rank_readings(readings, {"في": 10, "وفى": 500, "لبنان": 10, "بان": 500})
    assert ranked["في"] == [IN, FULFILLED]
    assert ranked["لبنان"] == [LEBANON, APPEARED]


def test_the_readings_of_the_winning_lemma_move_together_in_their_order():
    other_books = BOOKS._replace(tag="اسم:جمع")
    readings = {"كتب": [WROTE, BOOKS, LITTLE, other_books], "كتابه": [BOOKS]}
    ranked = rank_readings(readings, {"كتب": 1, "كتابه": 100})
    assert ranked["كتب"] == [BOOKS, other_books, WROTE, LITTLE]


def test_ranking_keeps_every_form_and_every_reading():
    readings = {"كتب": [WROTE, BOOKS], "hello": [], "الكتاب": [BOOKS]}
    ranked = rank_readings(readings, {"الكتاب": 1000})  # forms without a count count 0
    assert set(ranked) == set(readings)
    assert all(sorted(ranked[f]) == sorted(readings[f]) for f in readings)
    assert ranked["hello"] == []
    assert ranked["كتب"] == [BOOKS, WROTE]


def test_annotate_keeps_the_readings_in_the_corpus_order(monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("numpy")
    from corpus_cli.store.layer import build_layer
    from corpus_cli.text.normalize import Level, Normalizer

    layer = build_layer(
        ["كتب الكتاب " * 3 + "الكتاب " * 20, "كتب في البيت"], Normalizer.for_level(Level.standard)
    )
    analyses = {
        "كتب": [WROTE, BOOKS],
        "الكتاب": [BOOKS],
        "في": [IN, FULFILLED],
        "البيت": [Reading("بَيْت", "بيت", "noun", "اسم")],
    }
    monkeypatch.setattr(
        index_morphology, "analyse", lambda forms, **_: {f: analyses[f] for f in forms if f in analyses}
    )
    assert index_morphology.layer_counts(layer) == {"كتب": 4, "الكتاب": 23, "في": 1, "البيت": 1}
    ranked = index_morphology.annotate(layer)
    assert ranked["كتب"] == [BOOKS, WROTE]  # 23 tokens of الكتاب > 8 × (4 - 4 + 2)
    lemma = layer.attribute("lemma")
    assert lemma is not None
    (number,) = layer.find_form("كتب")
    start, end = int(lemma.offsets[number]), int(lemma.offsets[number + 1])
    assert [lemma.values[int(v)] for v in lemma.readings[start:end]] == ["كتاب", "كتب"]
    assert lemma.values[int(lemma.first[number])] == "كتاب"


def test_an_index_annotated_as_now_is_not_annotated_again(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """``annotated`` tells that annotating an index's layer again would change nothing: its
    three attributes were made for this build of it, by this analyser, ranking and values;
    not when any of these changed, nor for a layer in memory."""
    pytest.importorskip("numpy")
    from corpus_cli.store.layer import TokenLayer, build_layer
    from corpus_cli.text.normalize import Level, Normalizer

    path = tmp_path / "layer"
    built = build_layer(["كتب الكتاب في البيت hello"], Normalizer.for_level(Level.standard))
    path.write_bytes(bytes(built.buffer))
    analyses = {"كتب": [WROTE, BOOKS], "الكتاب": [BOOKS], "في": [IN, FULFILLED]}
    monkeypatch.setattr(
        index_morphology, "analyse", lambda forms, **_: {f: analyses[f] for f in forms if f in analyses}
    )
    layer = TokenLayer.open(path)
    assert layer is not None
    assert index_morphology.annotated(layer) is None  # no attributes yet
    index_morphology.annotate(layer)
    assert index_morphology.annotated(layer) == 3
    about = layer.attribute_about("root")
    assert (
        about is not None
        and about["made_with"]["ranking"] == f"v{RANKING_VERSION} margin 8.0 smoothing 2.0 own 2.0"
    )
    monkeypatch.setattr(index_morphology, "VALUES_VERSION", index_morphology.VALUES_VERSION + 1)
    assert index_morphology.annotated(layer) is None
    monkeypatch.undo()
    monkeypatch.setattr(index_morphology, "ranking", lambda: "v3 margin 8.0 smoothing 2.0")
    assert index_morphology.annotated(layer) is None
    monkeypatch.undo()
    assert index_morphology.annotated(layer) == 3
    layer.save_attribute("pos", [[] for _ in range(layer.lexicon_size)], made_by="another tool")
    assert index_morphology.annotated(layer) is None  # one attribute made otherwise
    assert index_morphology.annotated(built) is None  # in memory: made per command


#: كبيرة: the noun "a grave sin" first, then the adjective كبير; مدينة: the noun "city",
#: then the participle مَدِين "indebted".
GRAVE_SIN = Reading("كَبِيرَة", "كبر", "noun", "اسم:اسم جامد")
BIG = Reading("كَبِير", "كبر", "noun", "اسم:صفة مشبهة")
CITY = Reading("مَدِينَة", "مدن", "noun", "اسم:اسم علم")
INDEBTED = Reading("مَدِين", "دين", "noun", "اسم:اسم مفعول")


def test_the_feminine_of_an_adjective_has_its_masculine_lemma():
    readings = {
        "كبيرة": [GRAVE_SIN, BIG],
        "الكبيرة": [GRAVE_SIN, BIG],
        "كبير": [BIG],
        "مدينة": [CITY, INDEBTED],
        "المدينة": [CITY, INDEBTED],
        "مدين": [INDEBTED],
    }
    counts = {"كبيرة": 40, "الكبيرة": 14, "كبير": 41, "مدينة": 60, "المدينة": 46, "مدين": 2}
    ranked = rank_readings(readings, counts)
    assert ranked["كبيرة"] == [BIG, GRAVE_SIN]  # 41 > 14 + 2: كبير is written, and more often
    assert ranked["الكبيرة"] == [GRAVE_SIN, BIG]  # الكبير is never written as the adjective
    assert ranked["مدينة"] == [CITY, INDEBTED]  # 2 < 46 + 2
    assert rank_readings(readings, counts | {"كبير": 55})["الكبيرة"] == [GRAVE_SIN, BIG]
    assert rank_readings(readings, counts | {"الكبيرة": 40})["كبيرة"] == [GRAVE_SIN, BIG]  # 41 ≤ 40 + 2
    assert rank_readings(readings | {"الكبير": [BIG]}, counts | {"الكبير": 3})["الكبيرة"] == [BIG, GRAVE_SIN]


#: ضمن "within" (a noun here) and the verb ضَمَّ "to join"; the particle لَمْ and the verb لَمَّ.
WITHIN = Reading("ضِمْن", "ضمن", "noun", "اسم:اسم جامد")
JOINED = Reading("ضَمَّ", "ضمم", "verb", "فعل")
NOT = Reading("لَمْ", "لمم", "function", "حرف:جزم")
GATHERED = Reading("لَمَّ", "لمم", "verb", "فعل")
FILM = Reading("فِيلْم", "", "noun", "اسم:اسم جامد")


def test_a_noun_as_frequent_as_the_verb_it_could_be_stays_a_noun():
    readings = {"ضمن": [WITHIN, JOINED], "يضم": [JOINED], "ضم": [JOINED], "وضمن": [WITHIN]}
    counts = {"ضمن": 400, "يضم": 500, "ضم": 250, "وضمن": 10}
    assert rank_readings(readings, counts)["ضمن"] == [WITHIN, JOINED]  # 750 > 8 × 12, but ≤ 2 × 400
    assert rank_readings(readings, counts | {"يضم": 600})["ضمن"] == [JOINED, WITHIN]  # 850 > 800


def test_a_particle_is_no_evidence_for_a_verb_spelled_alike():
    """لَمْ is first for its 9,000 tokens: none of them says that فيلم is the verb لَمَّ."""
    readings = {"فيلم": [FILM, GATHERED], "لم": [NOT, GATHERED]}
    assert rank_readings(readings, {"فيلم": 20, "لم": 9000})["فيلم"] == [FILM, GATHERED]


#: المملكة: first the instrument noun مِمْلَك (its masculine), then the noun مَمْلَكَة "kingdom".
INSTRUMENT = Reading("مِمْلَك", "ملك", "noun", "اسم:اسم آلة")
KINGDOM = Reading("مَمْلَكَة", "ملك", "noun", "اسم:اسم جامد")


def test_a_noun_whose_masculine_the_corpus_hardly_writes_keeps_its_own_lemma():
    readings = {"المملكة": [INSTRUMENT, KINGDOM], "مملكة": [INSTRUMENT, KINGDOM], "المملك": [INSTRUMENT]}
    ranked = rank_readings(readings, {"المملكة": 500, "مملكة": 15})
    assert ranked["المملكة"] == [KINGDOM, INSTRUMENT]  # 500 > 8 × (0 + 2)
    # 15 ≤ 8 × (0 + 2): too few to say (and the lemma مملكة written 15 times, nor by that rule)
    assert rank_readings(readings, {"مملكة": 15})["مملكة"] == [INSTRUMENT, KINGDOM]
    assert rank_readings(readings, {"المملكة": 500, "المملك": 61})["المملكة"] == [INSTRUMENT, KINGDOM]
    # an adjective's feminine is not concerned (كبيرة: the adjective كبير comes first by its own rule)
    assert rank_readings({"كبيرة": [BIG, GRAVE_SIN]}, {"كبيرة": 500})["كبيرة"] == [BIG, GRAVE_SIN]


#: ايران as the analyser reads it (أَيْر), and إيران; انه (the verb نَهَى) and أنه, إنه.
AYR = Reading("أَيْر", "ءير", "noun", "اسم:مصدر أصلي")
IRAN = Reading("إِيرَان", "ءرن", "noun", "اسم:اسم علم")
FORBID = Reading("نَهَى", "نهي", "verb", "فعل")
THAT = Reading("أَنَّ", "ءنن", "function", "حرف:ناسخ")
INDEED = Reading("إِنَّ", "", "function", "حرف:ناسخ")


def test_a_hamza_less_word_reads_as_the_spelling_with_a_hamza_the_corpus_writes_more():
    readings = {
        "ايران": [AYR],
        "إيران": [IRAN],
        "لإيران": [IRAN],
        "انه": [FORBID],
        "أنه": [THAT],
        "إنه": [INDEED],
        "آنه": [AYR],
    }
    counts = {"ايران": 600, "إيران": 5000, "لإيران": 400, "انه": 1200, "أنه": 12000, "إنه": 3000}
    assert with_hamza_readings("ايران", [AYR], readings, counts) == [AYR, IRAN]
    assert with_hamza_readings("انه", [FORBID], readings, counts) == [
        FORBID,
        THAT,
        INDEED,
    ]  # آنه: not written
    ranked = rank_readings(readings, counts)
    assert ranked["ايران"] == [IRAN, AYR]
    assert ranked["انه"] == [THAT, FORBID, INDEED]
    # written with its hamza less often than without: a word of its own (واحد, not وأحد)
    assert with_hamza_readings("ايران", [AYR], readings, counts | {"إيران": 500}) == [AYR]
    assert rank_readings(readings, counts | {"إيران": 500, "لإيران": 0})["ايران"] == [AYR]
    assert with_hamza_readings("إيران", [IRAN], readings, counts) == [IRAN]  # no bare alef


#: لكن as the analyser reads it first: لِ with the pronoun كُنَّ; then the particle لَكِنَّ "but".
TO_YOU = Reading("لِ", "", "function", "حرف:جار ومجرور")
BUT = Reading("لَكِنَّ", "", "function", "حرف:ناسخ")


#: إلا as the analyser reads it first: إِنْ (with لا); then إِلَّا "except".
IF = Reading("إِنْ", "", "function", "اسم:شرط")
EXCEPT = Reading("إِلَّا", "", "function", "اسم:استثناء")
#: في read first as itself: nothing to move.
VERB_FULFIL = Reading("وَفَى", "وفي", "verb", "فعل")


def test_a_function_word_spelled_as_the_word_goes_before_one_with_something_attached():
    readings = {"لكن": [TO_YOU, BUT], "ولكن": [TO_YOU, BUT], "لهن": [TO_YOU, BUT], "إلا": [IF, EXCEPT]}
    ranked = rank_readings(readings, {"لكن": 10, "ولكن": 5, "لهن": 3, "إلا": 7})
    assert ranked["لكن"] == [BUT, TO_YOU]
    assert ranked["ولكن"] == [BUT, TO_YOU]  # after the conjunction و
    assert ranked["لهن"] == [TO_YOU, BUT]  # لكن is not how لهن is spelled
    assert ranked["إلا"] == [EXCEPT, IF]
    assert rank_readings({"في": [IN, VERB_FULFIL]}, {"في": 9})["في"] == [IN, VERB_FULFIL]


#: عيد as the analyser reads it first (عِيدَ, the passive of عَادَ "to return"), then the
#: noun عِيد "feast"; نقل first as نَ + قُلْ (of قَالَ), then the verb and the noun نَقْل.
RETURNED = Reading("عَادَ", "عود", "verb", "فعل")
FEAST = Reading("عِيد", "عود", "noun", "اسم:اسم جامد")
SAID = Reading("قَالَ", "قول", "verb", "فعل")
MOVED = Reading("نَقَلَ", "نقل", "verb", "فعل")
MOVING = Reading("نَقْل", "نقل", "noun", "اسم:مصدر أصلي")


def test_a_word_the_corpus_writes_with_the_article_is_not_a_verb_read_with_a_prefix():
    readings = {"عيد": [RETURNED, FEAST], "نقل": [SAID, MOVED, MOVING]}
    ranked = rank_readings(readings, {"عيد": 100, "العيد": 12, "نقل": 100, "النقل": 12})
    assert ranked["عيد"] == [FEAST, RETURNED]  # 12 ≥ 0.1 × 100 + 2
    assert ranked["نقل"] == [MOVING, SAID, MOVED]  # the noun first: the article is the noun's
    # the article too rare: the analyser's order stands
    assert rank_readings(readings, {"عيد": 100, "العيد": 11})["عيد"] == [RETURNED, FEAST]
    # a verb spelled as the form is not concerned, nor a form no reading spells whole
    assert rank_readings({"نقل": [MOVED, MOVING]}, {"نقل": 10, "النقل": 9})["نقل"] == [MOVED, MOVING]
    assert rank_readings({"عيد": [RETURNED, SAID]}, {"عيد": 10, "العيد": 9})["عيد"] == [RETURNED, SAID]


#: ثقافة as farahidi reads it first (the noun ثَقَاف, a lemma nobody writes), then ثَقَافَة;
#: موارد first as the plural of مَوْرِد, then the participle مُوَارِد.
THAQAF = Reading("ثَقَاف", "ثقف", "noun", "اسم:اسم جامد")
CULTURE = Reading("ثَقَافَة", "ثقف", "noun", "اسم:مصدر أصلي")
YEARS_BACK_FORMED = Reading("سَنَوَة", "سنو", "noun", "اسم:اسم جامد")
YEAR = Reading("سَنَة", "سني", "noun", "اسم:اسم جامد")
SOURCE = Reading("مَوْرِد", "ورد", "noun", "اسم:اسم جامد")
COMING = Reading("مُوَارِد", "ورد", "noun", "اسم:اسم فاعل")


def test_a_noun_whose_lemma_the_corpus_writes_goes_before_one_whose_lemma_it_hardly_writes():
    readings = {"الثقافة": [THAQAF, CULTURE], "سنوات": [YEARS_BACK_FORMED, YEAR], "الموارد": [SOURCE, COMING]}
    counts = {"الثقافة": 50, "ثقافة": 10, "الثقاف": 1, "سنوات": 40, "سنة": 30, "الموارد": 50, "موارد": 40}
    ranked = rank_readings(readings, counts)
    assert ranked["الثقافة"] == [CULTURE, THAQAF]  # 60 written > 8 × (1 + 2)
    assert ranked["سنوات"] == [YEAR, YEARS_BACK_FORMED]  # one root, its weak radical spelled two ways
    assert ranked["الموارد"] == [SOURCE, COMING]  # a participle spelled like the plural: no evidence
    # one root spelled with a doubled radical and with a weak one (طقق, طوق)
    packed = Reading("طَاقّ", "طقق", "noun", "اسم:اسم فاعل")
    energy = Reading("طَاقَة", "طوق", "noun", "اسم:مصدر أصلي")
    assert rank_readings({"الطاقة": [packed, energy]}, {"الطاقة": 30})["الطاقة"] == [energy, packed]
    # written, but not far more often: the analyser's order stands
    assert rank_readings(readings, counts | {"الثقاف": 6})["الثقافة"] == [THAQAF, CULTURE]  # 60 ≤ 8 × 8


#: العقاري as the evidence of عقار and العقار puts it first (the noun عَقَار, its ي read as
#: a letter of the pattern), then the relative adjective; الجاري as a participle.
REAL_ESTATE = Reading("عَقَار", "عقر", "noun", "اسم:اسم جامد", "فَعَالِي", "عَقَارِي")
OF_REAL_ESTATE = Reading("عَقَارِيّ", "عقر", "noun", "اسم:نسبة", "فَعَالِيّ", "عَقَارِيّ")
RUNNING = Reading("جَارٍ", "جري", "noun", "اسم:اسم فاعل", "فَاعِل", "جَارِي")
OF_A_NEIGHBOUR = Reading("جَارِيّ", "جور", "noun", "اسم:نسبة", "فَاعِلِيّ", "جَارِيّ")


def test_a_relative_adjective_with_the_article_is_itself_not_the_noun_it_comes_from():
    ranked = rank_readings({"العقاري": [REAL_ESTATE, OF_REAL_ESTATE]}, {"العقاري": 10})
    assert ranked["العقاري"] == [OF_REAL_ESTATE, REAL_ESTATE]
    # without the article the ي may be a pronoun or a construct ending: the order stands
    assert rank_readings({"عقاري": [REAL_ESTATE, OF_REAL_ESTATE]}, {"عقاري": 10})["عقاري"] == [
        REAL_ESTATE,
        OF_REAL_ESTATE,
    ]
    # a verb that takes the article for letters of its own: the relative adjective first
    commanded = Reading("لَءَمَ", "لءم", "verb", "فعل", "افْعَلْ", "الْأَم")
    security = Reading("أَمْنِيّ", "ءمن", "noun", "اسم:نسبة", "فَعْلِيّ", "أَمْنِيّ")
    assert rank_readings({"الأمني": [commanded, security]}, {"الأمني": 5})["الأمني"] == [security, commanded]
    # a participle first (الجاري: جَارٍ, "current") stays first
    assert rank_readings({"الجاري": [RUNNING, OF_A_NEIGHBOUR]}, {"الجاري": 10})["الجاري"] == [
        RUNNING,
        OF_A_NEIGHBOUR,
    ]
