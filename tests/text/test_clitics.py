"""Clitic splitting (``corpus_cli.text.clitics``) through ``compile_query`` + ``search_lines``.

Cases come from ../shared/docs/arabic.md §5 (the §5.1 proposal and its list of failure cases,
which are tested here as *documented current behaviour*) and §3b.
"""

from __future__ import annotations

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.query.pattern import MatchOptions, compile_query
from corpus_cli.query.search import search_lines
from corpus_cli.store.corpus import Document
from corpus_cli.text.clitics import CliticMode
from corpus_cli.text.normalize import Level, Normalizer
from tests.conftest import STANDARD

BOTH = MatchOptions(clitics=CliticMode.both)


def clitic_hits(
    query: str,
    text: str,
    mode: CliticMode = CliticMode.both,
    normalizer: Normalizer = STANDARD,
) -> dict[str, str]:
    """``{original hit: its split}`` for every hit of ``query`` with clitics in ``text``."""
    compiled = compile_query(query, normalizer, MatchOptions(clitics=mode))
    found: dict[str, str] = {}
    for line in search_lines(Document("d", "d.txt", text), compiled):
        assert len(line.splits) == len(line.spans)  # every hit reports its split
        for (start, end), split in zip(line.spans, line.splits, strict=True):
            assert split is not None
            found[line.text[start:end]] = str(split)
    return found


def test_clitics_article_query_finds_lam_article_and_conjunctions():
    found = clitic_hits("الأمن", "للأمن وللأمن بالأمن والأمن فالأمن كالأمن الأمن")
    assert found == {
        "للأمن": "ل+ال+أمن",
        "وللأمن": "و+ل+ال+أمن",
        "بالأمن": "ب+ال+أمن",
        "والأمن": "و+ال+أمن",
        "فالأمن": "ف+ال+أمن",
        "كالأمن": "ك+ال+أمن",
        "الأمن": "ال+أمن",
    }


def test_clitics_article_typed_by_the_user_is_required():
    # "require ال when the user typed it": أمن / لأمن / وأمن have no article.
    assert clitic_hits("الأمن", "أمن لأمن وأمن بأمن") == {}


def test_clitics_teh_marbuta_becomes_teh_before_a_pronoun():
    found = clitic_hits("مدرسة", "مدرستها مدرسته بمدرستها مدرستي المدرسة مدرسة")
    assert found == {
        "مدرستها": "مدرست+ها",
        "مدرسته": "مدرست+ه",
        "بمدرستها": "ب+مدرست+ها",
        "مدرستي": "مدرست+ي",
        "المدرسة": "ال+مدرسة",
        "مدرسة": "مدرسة",
    }


def test_clitics_teh_without_a_pronoun_is_not_the_word():
    # مدرست alone is not مدرسة: ت only stands for ة before an enclitic.
    assert clitic_hits("مدرسة", "مدرست مدرسه") == {}


def test_clitics_alef_maqsura_becomes_alef_before_a_pronoun():
    found = clitic_hits("مستشفى", "مستشفاه المستشفى مستشفى")
    assert found == {"مستشفاه": "مستشفا+ه", "المستشفى": "ال+مستشفى", "مستشفى": "مستشفى"}
    assert clitic_hits("مستشفى", "مستشفا") == {}  # ا only stands for ى before an enclitic


def test_clitics_allah_found_in_lillah():
    found = clitic_hits("الله", "لله ولله بالله والله الله")
    assert found["لله"] == "ل+ال+له"  # لل+ل collapse: ل + ال + (ل)له
    assert found["ولله"] == "و+ل+ال+له"
    assert found["بالله"] == "ب+ال+له"
    assert found["الله"] == "ال+له"
    assert set(found) == {"لله", "ولله", "بالله", "والله", "الله"}


@pytest.mark.parametrize("mode", list(CliticMode))
def test_clitics_query_under_three_letters_matches_only_itself(mode):
    assert clitic_hits("صل", "وصل فصل لصل بصل صلها صلي صل", mode) == {"صل": "صل"}
    assert clitic_hits("ها", "هنا بها لها", mode) == {}


def test_clitics_split_of_every_hit_as_dict():
    compiled = compile_query("الأمن", STANDARD, BOTH)
    [line] = search_lines(Document("d", "d.txt", "قال وللأمن"), compiled)
    assert line.spans == ((4, 10),)
    assert [s.as_dict() for s in line.splits] == [{"pre": "و+ل+ال", "stem": "أمن", "post": ""}]

    compiled = compile_query("مدرسة", STANDARD, BOTH)
    [line] = search_lines(Document("d", "d.txt", "ذهب إلى مدرستها"), compiled)
    assert line.spans == ((8, 15),)
    assert [s.as_dict() for s in line.splits] == [{"pre": "", "stem": "مدرست", "post": "ها"}]


def test_clitics_known_false_friends_are_matched_and_shown_split():
    assert clitic_hits("مال", "كمال") == {"كمال": "ك+مال"}
    assert clitic_hits("مصر", "مصري") == {"مصري": "مصر+ي"}
    # §3b: مصر must flag مصري as a clitic split, next to the plain hit.
    assert clitic_hits("مصر", "في مصر وهو مصري") == {"مصر": "مصر", "مصري": "مصر+ي"}


def test_clitics_modes_pro_and_enc():
    text = "للأمن الأمنها الأمن"
    assert clitic_hits("الأمن", text, CliticMode.pro) == {"للأمن": "ل+ال+أمن", "الأمن": "ال+أمن"}
    assert clitic_hits("الأمن", text, CliticMode.enc) == {"الأمنها": "ال+أمن+ها", "الأمن": "ال+أمن"}
    text = "مدرستها بمدرسة مدرسة"
    assert clitic_hits("مدرسة", text, CliticMode.pro) == {"بمدرسة": "ب+مدرسة", "مدرسة": "مدرسة"}
    assert clitic_hits("مدرسة", text, CliticMode.enc) == {"مدرستها": "مدرست+ها", "مدرسة": "مدرسة"}


def test_clitics_future_sin_before_an_imperfect_verb():
    found = clitic_hits("يكتب", "سيكتب وسيكتب فسيكتبها")
    assert found == {"سيكتب": "س+يكتب", "وسيكتب": "و+س+يكتب", "فسيكتبها": "ف+س+يكتب+ها"}
    assert clitic_hits("كتب", "سكتب") == {}  # no future س before a non-imperfect


def test_clitics_all_enclitic_pronouns():
    pronouns = ["ه", "ها", "هما", "هم", "هن", "ك", "كما", "كم", "كن", "ي", "ني", "نا"]
    text = " ".join("كتاب" + p for p in pronouns)
    found = clitic_hits("كتاب", text)
    assert found == {"كتاب" + p: "كتاب+" + p for p in pronouns}


def test_clitics_hit_and_stem_keep_original_marks_and_tatweel():
    assert clitic_hits("الأمن", "وَلِلْأَمْنِ قال") == {"وَلِلْأَمْنِ": "و+ل+ال+أَمْنِ"}
    assert clitic_hits("مدرسة", "مدرسـتها") == {"مدرسـتها": "مدرسـت+ها"}


def test_clitics_with_typed_marks_still_checks_the_marks():
    compiled = compile_query("كُتب", STANDARD, BOTH)
    [line] = search_lines(Document("d", "d.txt", "وكَتَبَ وكُتِبَ وكتب"), compiled)
    assert [line.text[s:e] for s, e in line.spans] == ["وكُتِبَ", "وكتب"]
    assert [str(s) for s in line.splits] == ["و+كُتِبَ", "و+كتب"]


def test_clitics_refuse_regex_and_teh_folding():
    with pytest.raises(CorpusError, match="regular expression"):
        compile_query("مص.ر", STANDARD, BOTH)
    with pytest.raises(CorpusError, match="ة"):
        compile_query("مصر", Normalizer.for_level(Level.aggressive), BOTH)
    with pytest.raises(CorpusError, match="ة"):
        compile_query("مصر", STANDARD.with_steps(teh=True), BOTH)


def test_failure_1_stems_beginning_with_clitic_letters():
    # A short query matches the end of an unrelated word, shown with a clitic split.
    assert clitic_hits("مال", "كمال") == {"كمال": "ك+مال"}
    assert clitic_hits("بنان", "لبنان") == {"لبنان": "ل+بنان"}
    assert clitic_hits("هام", "الهام") == {"الهام": "ال+هام"}
    assert clitic_hits("بان", "البان") == {"البان": "ال+بان"}
    # A query that itself begins with clitic letters is its own stem, never cut.
    assert clitic_hits("وصل", "وصل فوصل") == {"وصل": "وصل", "فوصل": "ف+وصل"}
    assert clitic_hits("لبنان", "لبنان") == {"لبنان": "لبنان"}


def test_failure_2_nisba_yeh_read_as_my():
    assert clitic_hits("مصر", "مصري") == {"مصري": "مصر+ي"}
    assert clitic_hits("علم", "علمي") == {"علمي": "علم+ي"}
    assert clitic_hits("عرب", "عربي") == {"عربي": "عرب+ي"}


def test_failure_3_kaf_pronoun_vs_stem_final_kaf():
    assert clitic_hits("ملا", "ملاك") == {"ملاك": "ملا+ك"}  # angel read as "your mullah"
    assert clitic_hits("ملك", "ملك ملكك") == {"ملك": "ملك", "ملكك": "ملك+ك"}


def test_failure_4_na_pronoun_vs_stems_ending_in_na():
    assert clitic_hits("أحيا", "أحيانا") == {"أحيانا": "أحيا+نا"}  # "sometimes"
    assert clitic_hits("هنا", "هنا") == {"هنا": "هنا"}


def test_failure_5_lam_lam_collapse():
    assert clitic_hits("الله", "لله") == {"لله": "ل+ال+له"}
    assert clitic_hits("اللغة", "للغة") == {"للغة": "ل+ال+لغة"}
    assert clitic_hits("الليل", "لليل") == {"لليل": "ل+ال+ليل"}
    # Without the article typed, للغة reads as ل + لغة: the article is not shown.
    assert clitic_hits("لغة", "للغة") == {"للغة": "ل+لغة"}


def test_failure_6_alef_folding_widens_matches():
    assert clitic_hits("أمن", "آمن الأمن") == {"آمن": "آمن", "الأمن": "ال+أمن"}


def test_failure_7_hamza_seat_changes_not_generated():
    found = clitic_hits("سماء", "سماء سماءه سماؤه سمائه")
    assert found == {"سماء": "سماء", "سماءه": "سماء+ه"}


def test_failure_8_broken_plurals_and_nun_drop_out_of_scope():
    assert clitic_hits("معلمون", "معلموه المعلمون") == {"المعلمون": "ال+معلمون"}
    assert clitic_hits("كتاب", "كتب") == {}
