"""Analyst features of issue 3: clitics, typed diacritics, fold toggles, --explain, no
silent zero, kwic sorting and sampling, and freq's n-grams, stopwords, --match, --forms
and --dispersion.

Clitic cases come from ../shared/docs/arabic.md §5 (the §5.1 proposal and its list of
failure cases, which are tested here as *documented current behaviour*) and §3b.  Core
tests go through ``compile_query`` + ``search_lines`` on a small ``Document``; CLI tests
feed text on standard input (``--corpus -``, document id ``stdin``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.query import stats
from corpus_cli.query.pattern import MatchOptions, compile_query
from corpus_cli.query.search import search_lines
from corpus_cli.store.corpus import Document
from corpus_cli.text.clitics import CliticMode
from corpus_cli.text.normalize import Level, Normalizer
from corpus_cli.text.stopwords import BUILTIN, load_stopwords, read_list

STANDARD = Normalizer.for_level(Level.standard)
BOTH = MatchOptions(clitics=CliticMode.both)


def tsv(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()]


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


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


def hits(query: str, text: str, normalizer: Normalizer = STANDARD, **options: object) -> list[str]:
    """The original text of every hit of ``query`` (no clitics) in ``text``."""
    compiled = compile_query(query, normalizer, MatchOptions(**options))  # type: ignore[arg-type]
    out = []
    for line in search_lines(Document("d", "d.txt", text), compiled):
        out += [line.text[s:e] for s, e in line.spans]
    return out


def cli(invoke, *args: str, text: str):
    """``corpus ARGS... --corpus -`` with ``text`` on standard input."""
    return invoke(*args, "--corpus", "-", input=text.encode("utf-8"))


# =========================================================================== clitics: core


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


# --------------------------------------------------------------------------- §5.1 failure cases
# Each documents what the matcher does today; the split is what lets a reader judge.


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


# =========================================================================== clitics: CLI

CLITIC_TEXT = "قال وللأمن العام\nذهب إلى مدرستها\nكمال في مصر وهو مصري\nبالأمن للأمن\n"


@pytest.mark.parametrize("position", ["before", "after"])
def test_cli_bare_clitics_means_both(invoke, position):
    args = ["--clitics", "الأمن"] if position == "before" else ["الأمن", "--clitics"]
    r = cli(invoke, "grep", *args, text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "stdin:1:قال وللأمن العام\nstdin:4:بالأمن للأمن\n"
    explicit = cli(invoke, "grep", "--clitics", "both", "الأمن", text=CLITIC_TEXT)
    assert explicit.stdout == r.stdout


def test_cli_without_clitics_does_not_match_attached_forms(invoke):
    r = cli(invoke, "grep", "-w", "الأمن", text=CLITIC_TEXT)
    assert r.exit_code == 1
    assert r.stdout == ""


def test_cli_grep_only_matching_tsv_has_clitics_column(invoke):
    r = cli(invoke, "grep", "--clitics", "-o", "--format", "tsv", "الأمن", text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    assert tsv(r.stdout) == [
        ["doc", "line", "start", "end", "match", "clitics"],
        ["stdin", "1", "4", "10", "وللأمن", "و+ل+ال+أمن"],
        ["stdin", "4", "0", "6", "بالأمن", "ب+ال+أمن"],
        ["stdin", "4", "7", "12", "للأمن", "ل+ال+أمن"],
    ]


def test_cli_grep_line_tsv_has_clitics_column(invoke):
    r = cli(invoke, "grep", "--clitics", "--format", "tsv", "الأمن", text=CLITIC_TEXT)
    assert tsv(r.stdout) == [
        ["doc", "line", "text", "clitics"],
        ["stdin", "1", "قال وللأمن العام", "و+ل+ال+أمن"],
        ["stdin", "4", "بالأمن للأمن", "ب+ال+أمن ل+ال+أمن"],
    ]


def test_cli_grep_jsonl_matches_carry_clitics_object(invoke):
    r = cli(invoke, "grep", "--clitics", "--format", "jsonl", "مصر", text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    [record] = jsonl(r.stdout)
    assert record["line"] == 3
    assert record["matches"] == [
        {"start": 8, "end": 11, "text": "مصر", "clitics": {"pre": "", "stem": "مصر", "post": ""}},
        {"start": 16, "end": 20, "text": "مصري", "clitics": {"pre": "", "stem": "مصر", "post": "ي"}},
    ]


def test_cli_kwic_tsv_and_jsonl_clitics(invoke):
    r = cli(invoke, "kwic", "--clitics", "--format", "tsv", "مدرسة", text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    rows = tsv(r.stdout)
    assert rows[0] == ["doc", "line", "start", "end", "before", "match", "after", "clitics"]
    assert [(row[5], row[7]) for row in rows[1:]] == [("مدرستها", "مدرست+ها")]

    r = cli(invoke, "kwic", "--clitics", "--format", "jsonl", "مال", text=CLITIC_TEXT)
    [record] = jsonl(r.stdout)
    assert record["match"] == "كمال"
    assert record["clitics"] == {"pre": "ك", "stem": "مال", "post": ""}


def test_cli_kwic_without_clitics_has_no_clitics_column(invoke):
    r = cli(invoke, "kwic", "--format", "tsv", "مصر", text=CLITIC_TEXT)
    assert tsv(r.stdout)[0] == ["doc", "line", "start", "end", "before", "match", "after"]
    r = cli(invoke, "kwic", "--format", "jsonl", "مصر", text=CLITIC_TEXT)
    assert all("clitics" not in rec for rec in jsonl(r.stdout))


def test_cli_kwic_screen_shows_split_column(invoke, tty):
    r = cli(invoke, "kwic", "--clitics", "الأمن", "--color", "never", text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    assert "3 lines" in r.stdout
    for split in ("و+ل+ال+أمن", "ب+ال+أمن", "ل+ال+أمن"):
        assert split in r.stdout


def test_cli_grep_screen_shows_splits(invoke, tty):
    r = cli(invoke, "grep", "--clitics", "مصر", "--color", "never", text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    assert "[مصر مصر+ي]" in r.stdout


def test_cli_show_highlight_with_clitics(invoke):
    r = cli(
        invoke, "show", "stdin", "--highlight", "الأمن", "--clitics", "--format", "jsonl", text=CLITIC_TEXT
    )
    assert r.exit_code == 0, r.stderr
    records = jsonl(r.stdout)
    assert [m["text"] for m in records[0]["matches"]] == ["وللأمن"]
    assert [m["text"] for m in records[3]["matches"]] == ["بالأمن", "للأمن"]
    assert records[1]["matches"] == []


def test_cli_freq_term_with_clitics(invoke):
    r = cli(invoke, "freq", "مصر", "--clitics", text=CLITIC_TEXT + "بمصر\n")
    assert r.exit_code == 0, r.stderr
    [header, row] = tsv(r.stdout)
    assert header[:6] == ["rank", "term", "key", "count", "per_million", "docs"]
    assert row[1:4] == ["مصر", "مصر", "3"]  # مصر, مصري, بمصر
    plain = cli(invoke, "freq", "مصر", text=CLITIC_TEXT + "بمصر\n")
    assert tsv(plain.stdout)[1][3] == "1"
    pro = cli(invoke, "freq", "مصر", "--clitics", "pro", text=CLITIC_TEXT + "بمصر\n")
    assert tsv(pro.stdout)[1][3] == "2"  # مصر, بمصر (مصري needs an enclitic)


def test_cli_freq_term_with_clitics_forms(invoke):
    r = cli(invoke, "freq", "الأمن", "--clitics", "--forms", "--format", "jsonl", text=CLITIC_TEXT)
    [record] = jsonl(r.stdout)
    assert record["count"] == 3
    assert record["forms"] == {"وللأمن": 1, "بالأمن": 1, "للأمن": 1}


def test_cli_freq_term_with_clitics_dispersion_counts_the_same_tokens(invoke, tmp_path: Path):
    (tmp_path / "a.txt").write_text("في القاهرة\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("مصري بمصر\n", encoding="utf-8")
    r = invoke("freq", "مصر", "--clitics", "--dispersion", "--format", "jsonl", "--corpus", str(tmp_path))
    assert r.exit_code == 0, r.stderr
    [record] = jsonl(r.stdout)
    assert record["count"] == 2 and record["docs"] == 1
    # dispersion of the tokens counted: مصري, بمصر, both in b, positions 2 and 3 of 4
    assert record["range"] == 1
    assert record["dp"] == pytest.approx(stats.gries_dp([0, 2], [2, 2]), abs=1e-4)
    assert record["arf"] == pytest.approx(stats.arf([2, 3], 4), abs=1e-4)


def test_cli_freq_term_with_clitics_by_doc(invoke, tmp_path: Path):
    (tmp_path / "a.txt").write_text("مصر\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("مصري بمصر\n", encoding="utf-8")
    r = invoke("freq", "مصر", "--clitics", "--by-doc", "--corpus", str(tmp_path))
    assert r.exit_code == 0, r.stderr
    rows = tsv(r.stdout)
    assert rows[0][:6] == ["doc", "rank", "term", "key", "count", "per_million"]
    assert [(row[0], row[4]) for row in rows[1:]] == [("a", "1"), ("b", "2")]


#: Words glued by a period, as in saudinewsnet: two tokens for every command.
GLUED = "انتهى داعش.أهمية التحالف\nقال الوزير.والحكومة (أ.ف.ب) إن حكومة #اليوم_الوطني\n"


@pytest.mark.parametrize(
    ("word", "plain", "with_clitics"),
    [("داعش", 1, 1), ("حكومة", 1, 2), ("الوزير", 1, 1), ("ف", 0, 0), ("أ.ف.ب", 1, 1), ("الوطني", 0, 0)],
)
def test_every_command_sees_the_same_tokens(invoke, word, plain, with_clitics):
    """kwic, grep -w, freq and their --clitics forms count the tokens of ``tokenize``."""

    def count(*args: str) -> int:
        r = cli(invoke, *args, text=GLUED)
        assert r.exit_code in (0, 1), r.stderr
        return len(tsv(r.stdout)) - 1

    def freq(*args: str) -> int:
        r = cli(invoke, "freq", word, *args, text=GLUED)
        assert r.exit_code in (0, 1), r.stderr
        return int(tsv(r.stdout)[1][3])

    assert count("kwic", "-F", word) == plain
    assert count("grep", "-w", "-F", "-o", "--format", "tsv", word) == plain
    assert freq() == plain
    if len(word) >= 3 and "." not in word:
        assert count("kwic", "--clitics", word) == with_clitics
        assert freq("--clitics") == with_clitics


@pytest.mark.parametrize(
    "args",
    [
        ["grep", "--clitics", "مص.ر"],
        ["kwic", "--clitics", "مص+ر"],
        ["grep", "--clitics", "--norm", "aggressive", "مصر"],
        ["kwic", "--clitics", "--norm", "aggressive", "مصر"],
        ["show", "stdin", "--highlight", "مصر", "--clitics", "--norm", "aggressive"],
        ["freq", "مصر", "--clitics", "--norm", "aggressive"],
    ],
)
def test_cli_clitics_with_regex_or_aggressive_is_an_error(invoke, args):
    r = cli(invoke, *args, text=CLITIC_TEXT)
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")
    assert r.stdout == ""


def test_cli_help_documents_clitics_and_false_friends(invoke):
    r = invoke("grep", "--help")
    text = " ".join(r.stdout.replace("│", " ").split())
    assert "--clitics" in text
    assert "كمال" in text and "مصري" in text


# =========================================================================== typed diacritics

VOCALIZED = "كُتِبَ كَتَبَ كتب كُتُب"


@pytest.mark.parametrize("level", [Level.light, Level.standard, Level.aggressive])
def test_typed_marks_are_constraints(level):
    normalizer = Normalizer.for_level(level)
    assert hits("كُتب", VOCALIZED, normalizer) == ["كُتِبَ", "كتب", "كُتُب"]
    assert hits("كُتب", VOCALIZED, normalizer, strict_marks=True) == ["كُتِبَ", "كُتُب"]
    # An unvocalized query matches every vocalization.
    assert hits("كتب", VOCALIZED, normalizer) == ["كُتِبَ", "كَتَبَ", "كتب", "كُتُب"]


def test_typed_marks_at_level_none_are_plain_characters():
    none = Normalizer.for_level(Level.none)
    assert compile_query("كُتب", none).constraint is None
    assert hits("كُتب", VOCALIZED, none) == []
    assert hits("كُتب", "كُتب", none) == ["كُتب"]


def test_typed_marks_several_letters():
    # كَتَب: fatha on the first two letters; كَتِب contradicts the second.
    assert hits("كَتَب", "كَتَبَ كَتِبَ كتب") == ["كَتَبَ", "كتب"]


def test_typed_marks_through_the_cli(invoke):
    text = "كُتِبَ الدرس\nكَتَبَ الولد\nكتب جديدة\n"
    r = cli(invoke, "grep", "كُتب", text=text)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "stdin:1:كُتِبَ الدرس\nstdin:3:كتب جديدة\n"
    r = cli(invoke, "grep", "--strict-marks", "كُتب", text=text)
    assert r.stdout == "stdin:1:كُتِبَ الدرس\n"
    r = cli(invoke, "kwic", "--format", "tsv", "كُتب", text=text)
    assert [row[5] for row in tsv(r.stdout)[1:]] == ["كُتِبَ", "كتب"]


def test_typed_marks_rejecting_every_hit_exits_1(invoke):
    r = cli(invoke, "grep", "كُتب", text="كَتَبَ الولد\n")
    assert r.exit_code == 1
    assert r.stdout == ""


# =========================================================================== --fold / --keep


def test_fold_yeh_merges_ala_and_ali(invoke):
    text = "ذهب على الطريق مع علي\n"
    keys = {row[2]: row[3] for row in tsv(cli(invoke, "freq", "--top", "0", text=text).stdout)[1:]}
    assert keys["على"] == "1" and keys["علي"] == "1"
    r = cli(invoke, "freq", "--top", "0", "--fold", "yeh", text=text)
    assert r.exit_code == 0, r.stderr
    keys = {row[2]: row[3] for row in tsv(r.stdout)[1:]}
    assert keys["علي"] == "2"
    assert "على" not in keys


def test_keep_digits_separates_arabic_indic_and_ascii(invoke):
    text = "القرار ٢٢٥٤ صدر\nوالقرار 2254 أيضا\n"
    assert cli(invoke, "grep", "2254", text=text).stdout.count("\n") == 2
    r = cli(invoke, "grep", "2254", "--keep", "digits", text=text)
    assert r.stdout == "stdin:2:والقرار 2254 أيضا\n"
    r = cli(invoke, "grep", "٢٢٥٤", "--keep", "digits", text=text)
    assert r.stdout == "stdin:1:القرار ٢٢٥٤ صدر\n"


def test_fold_adds_a_step_to_a_lower_level(invoke):
    text = "٢٢٥٤ و 2254\n"
    r = cli(invoke, "freq", "--norm", "light", "--fold", "digits", "--format", "jsonl", text=text)
    records = {rec["key"]: rec["count"] for rec in jsonl(r.stdout)}
    assert records["2254"] == 2


@pytest.mark.parametrize("command", [["list"], ["grep", "x"], ["kwic", "x"], ["freq"], ["show", "stdin"]])
@pytest.mark.parametrize(
    "steps", [["--fold", "bogus"], ["--keep", "bogus"], ["--fold", "yeh", "--keep", "yeh"]]
)
def test_fold_keep_errors_on_every_command(invoke, command, steps):
    r = cli(invoke, *command, *steps, text="نص\n")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")
    assert ("bogus" in r.stderr) or ("yeh" in r.stderr)


def test_fold_settings_in_kwic_screen_header(invoke, tty):
    r = cli(invoke, "kwic", "على", "--fold", "yeh", "--color", "never", text="على علي\n")
    assert r.exit_code == 0, r.stderr
    header = r.stdout.splitlines()[0]
    assert "2 lines" in header
    assert "standard +yeh" in header
    r = cli(invoke, "kwic", "على", "--keep", "digits", "--color", "never", text="على علي\n")
    assert "standard -digits" in r.stdout.splitlines()[0]


def test_fold_settings_in_freq_screen_caption(invoke, tty):
    r = cli(invoke, "freq", "--fold", "yeh,teh", "--color", "never", text="على علي\n")
    assert r.exit_code == 0, r.stderr
    assert "standard +yeh +teh" in r.stdout


# =========================================================================== --explain


@pytest.mark.parametrize(
    "args",
    [
        ["grep", "الأمن"],
        ["kwic", "--format", "tsv", "الأمن"],
        ["show", "stdin", "--highlight", "الأمن", "--format", "jsonl"],
    ],
)
def test_explain_on_stderr_leaves_stdout_unchanged(invoke, args):
    text = "قال الأمن العام\n"
    plain = cli(invoke, *args, "--fold", "yeh", text=text)
    explained = cli(invoke, *args, "--fold", "yeh", "--explain", text=text)
    assert explained.exit_code == plain.exit_code == 0
    assert explained.stdout == plain.stdout
    err = explained.stderr
    assert "الامن" in err  # the normalized query
    assert "standard +yeh" in err  # the active settings
    assert "yeh" in err and "marks" in err and "alef" in err  # the active steps
    assert "pattern:" in err


def test_explain_shows_clitic_pattern_and_mark_constraints(invoke):
    r = cli(invoke, "grep", "--explain", "--clitics", "الأمن", text="وللأمن\n")
    assert "clitics=both" in r.stderr
    assert "(?P<pre>" in r.stderr and "(?P<post>" in r.stderr
    r = cli(invoke, "grep", "--explain", "كُتب", text="كتب\n")
    assert "'كتب'" in r.stderr  # normalized without the damma
    assert "Damma" in r.stderr  # the typed mark is reported as a constraint


def test_explain_names_the_token_boundaries(invoke):
    """Whole words and clitics match between token boundaries, pages of lookarounds
    that --explain names instead of printing."""
    r = cli(invoke, "grep", "--explain", "-w", "سوريا", text="سوريا\n")
    assert "pattern: <token start>(?:سوريا)<token end>\n" in r.stderr
    r = cli(invoke, "kwic", "--explain", "--clitics", "الأمن", text="وللأمن\n")
    [line] = [ln for ln in r.stderr.splitlines() if ln.startswith("corpus: pattern: ")]
    assert line.startswith("corpus: pattern: <token start>(?P<pre>") and line.endswith("<token end>")


def test_explain_keep_digits(invoke):
    r = cli(invoke, "kwic", "--explain", "--keep", "digits", "2254", text="2254\n")
    [line] = [ln for ln in r.stderr.splitlines() if "standard -digits" in ln]
    steps = line.rsplit(": ", 1)[1].split(", ")
    assert "digits" not in steps
    assert {"marks", "alef", "nfc"} <= set(steps)


# =========================================================================== no silent zero


def test_kwic_zero_on_seeds_suggests_aggressive(invoke):
    r = invoke("kwic", "الخارجيه")
    assert r.exit_code == 1
    line = [ln for ln in r.stderr.splitlines() if "0 hits" in ln]
    assert len(line) == 1
    assert line[0].startswith("corpus: 0 hits")
    assert "30 with --norm aggressive" in line[0]
    assert "0 with --clitics" in line[0]
    # and the suggestion is right: aggressive does find 30
    found = invoke("kwic", "الخارجيه", "--norm", "aggressive", "--format", "tsv")
    assert len(tsv(found.stdout)) == 31


def test_grep_zero_on_seeds_suggests_aggressive(invoke):
    r = invoke("grep", "الخارجيه")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert "corpus: 0 hits" in r.stderr
    assert "30 with --norm aggressive" in r.stderr


def test_zero_reports_clitic_count(invoke):
    r = cli(invoke, "grep", "-w", "الأمن", text="وللأمن للأمن\nبالأمن\n")
    assert r.exit_code == 1
    assert "corpus: 0 hits; 3 with --clitics" in r.stderr
    r = cli(invoke, "kwic", "الأمن", text="وللأمن للأمن\nبالأمن\n")
    assert r.exit_code == 1
    assert "3 with --clitics" in r.stderr


def test_zero_reports_clitic_count_for_fixed_strings_too(invoke):
    # -F and --clitics combine (grep -F --clitics الأمن finds وللأمن), so a -F search
    # that finds nothing should say what --clitics would find too.
    assert cli(invoke, "grep", "-F", "--clitics", "الأمن", text="وللأمن\n").exit_code == 0
    r = cli(invoke, "kwic", "-F", "الأمن", text="وللأمن\n")
    assert r.exit_code == 1
    assert "1 with --clitics" in r.stderr


def test_zero_tries_only_options_not_set(invoke):
    r = cli(invoke, "grep", "--norm", "standard", "الخارجيه", text="وزارة الخارجية\n")
    assert r.exit_code == 1
    assert "0 hits" in r.stderr
    assert "--norm aggressive" not in r.stderr
    r = cli(invoke, "grep", "--clitics", "الخارجيه", text="وزارة الخارجية\n")
    assert r.exit_code == 1
    assert "0 hits" in r.stderr
    assert "with --clitics" not in r.stderr


def test_zero_report_is_the_same_with_an_index(invoke, private_index_cache):
    """The index answers its own normalization only: the --norm aggressive count is the
    files' (it once searched the index's trigrams for the aggressive spelling: 0)."""
    seeds = ("--corpus", str(Path(__file__).resolve().parent.parent / "seeds"))
    assert invoke("index", "build", *seeds).exit_code == 0
    with_index = invoke("grep", "-c", "الخارجيه", *seeds)
    without = invoke("grep", "-c", "الخارجيه", *seeds, "--index", "off")
    assert with_index.stderr == without.stderr
    assert "30 with --norm aggressive" in with_index.stderr


def test_zero_report_skips_what_would_normalize_a_big_corpus(invoke, tmp_path, monkeypatch):
    """A variant that no index or expansion can answer quickly (--norm aggressive) is
    not run on a big corpus; the report says so.  (Big: from cli.BIG_CORPUS files.)"""
    from corpus_cli.cli import application as cli

    monkeypatch.setattr(cli, "BIG_CORPUS", 3)
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text("وزارة الخارجية\n", encoding="utf-8")
    r = invoke("grep", "الخارجيه", "--corpus", str(tmp_path))
    assert r.exit_code == 1
    assert r.stderr == "corpus: 0 hits; 0 with --clitics; --norm aggressive not tried on a corpus this size\n"


def test_zero_message_not_printed_when_quiet_or_found(invoke):
    r = cli(invoke, "grep", "-q", "الخارجيه", text="وزارة الخارجية\n")
    assert r.exit_code == 1
    assert r.stderr == ""
    r = cli(invoke, "grep", "الخارجية", text="وزارة الخارجية\n")
    assert r.exit_code == 0
    assert "0 hits" not in r.stderr


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["grep", "-m", "0"], "--max-count"),
        (["grep", "-c", "--max-count", "0"], "--max-count"),
        (["kwic", "-m", "0"], "--max-count"),
        (["kwic", "--limit", "0"], "--limit"),
        (["kwic", "--per-doc", "0"], "--per-doc"),
        (["kwic", "--sample", "0"], "--sample"),
    ],
)
def test_zero_asked_for_is_reported_as_such(invoke, argv, option):
    """No hit was asked for: exit 1 and nothing out, as grep -m 0, and the report says
    why instead of what other options "would" find (it said: 0 hits; 44 with --clitics)."""
    r = invoke(*argv, "سوريا")
    assert (r.exit_code, r.stdout.count("\n")) == (1, 1 if argv[0] == "kwic" else 0)  # kwic: the header
    assert r.stderr == f"corpus: 0 hits shown ({option} 0 asks for none)\n"


# =========================================================================== kwic --sort


def kwic_rows(invoke, text: str, *args: str) -> list[list[str]]:
    r = cli(invoke, "kwic", "--format", "tsv", *args, text=text)
    assert r.exit_code == 0, r.stderr
    return tsv(r.stdout)[1:]


def lines_of(rows: list[list[str]]) -> list[int]:
    return [int(row[1]) for row in rows]


SORT_TEXT = "\n".join(
    [
        "زاي الكتاب إلى",  # A1 إلى → الى
        "باء الكتاب ابن",  # A1 ابن
        "ألف الكتاب أمس",  # A1 أمس → امس
        "جيم الكتاب ابن",  # A1 ابن (tie with line 2)
    ]
)


def test_sort_a1_compares_normalized_forms(invoke):
    # Raw code points would give أمس (U+0623) < إلى (U+0625) < ابن (U+0627).
    assert lines_of(kwic_rows(invoke, SORT_TEXT, "الكتاب", "--sort", "A1")) == [2, 4, 1, 3]


def test_sort_b1_is_the_nearest_word_before(invoke):
    # B1: زاي, باء, ألف→الف, جيم → الف < باء < جيم < زاي
    assert lines_of(kwic_rows(invoke, SORT_TEXT, "الكتاب", "--sort", "B1")) == [3, 2, 4, 1]


def test_sort_b2_and_a2(invoke):
    text = "ب د الكتاب ج ب\nأ ج الكتاب ب أ\nج أ الكتاب أ ج\n"
    # B2 (second word before): ب, أ, ج ; A2: ب, أ, ج
    assert lines_of(kwic_rows(invoke, text, "الكتاب", "--sort", "B2")) == [2, 1, 3]
    assert lines_of(kwic_rows(invoke, text, "الكتاب", "--sort", "A2")) == [2, 1, 3]
    # A missing word sorts first.
    assert lines_of(kwic_rows(invoke, "الكتاب ب\nالكتاب\n", "الكتاب", "--sort", "A1")) == [2, 1]


def test_sort_keys_combine_and_sort_is_stable(invoke):
    # A1: ابن, ابن, أمس→امس (lines 1 and 2 tie); B1: زاي, باء, ألف→الف.
    text = "زاي الكتاب ابن\nباء الكتاب ابن\nألف الكتاب أمس\n"
    assert lines_of(kwic_rows(invoke, text, "الكتاب", "--sort", "A1")) == [1, 2, 3]  # stable
    assert lines_of(kwic_rows(invoke, text, "الكتاب", "--sort", "A1,B1")) == [2, 1, 3]
    assert lines_of(kwic_rows(invoke, text, "الكتاب", "--sort", "B1,A1")) == [3, 2, 1]


def test_sort_match_and_position_and_lowercase_keys(invoke):
    text = "أمس\nابن\nإلى\n"
    assert lines_of(kwic_rows(invoke, text, "أمس|ابن|إلى", "--sort", "match")) == [2, 3, 1]
    assert lines_of(kwic_rows(invoke, text, "أمس|ابن|إلى", "--sort", "position")) == [1, 2, 3]
    assert kwic_rows(invoke, SORT_TEXT, "الكتاب", "--sort", "a1") == kwic_rows(
        invoke, SORT_TEXT, "الكتاب", "--sort", "A1"
    )


def test_sort_doc_and_limit(invoke, tmp_path: Path):
    (tmp_path / "a.txt").write_text("الكتاب ج\nالكتاب ب\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("الكتاب أ\n", encoding="utf-8")
    base = ["kwic", "--format", "tsv", "الكتاب", "--corpus", str(tmp_path)]
    rows = tsv(invoke(*base, "--sort", "A1").stdout)[1:]
    assert [(r[0], r[1]) for r in rows] == [("b", "1"), ("a", "2"), ("a", "1")]
    rows = tsv(invoke(*base, "--sort", "doc,A1").stdout)[1:]
    assert [(r[0], r[1]) for r in rows] == [("a", "2"), ("a", "1"), ("b", "1")]
    rows = tsv(invoke(*base, "--sort", "A1", "--limit", "1").stdout)[1:]
    assert [(r[0], r[1]) for r in rows] == [("b", "1")]  # sorted, then cut


@pytest.mark.parametrize("key", ["Z9", "A4", "B0", "left", "A1,", "A1,Z9"])
def test_sort_bad_key_is_an_error(invoke, key):
    r = cli(invoke, "kwic", "الكتاب", "--sort", key, text=SORT_TEXT)
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")
    assert "sort key" in r.stderr
    assert r.stdout == ""


# =========================================================================== kwic --sample, --per-doc

SAMPLE_TEXT = "".join(f"سطر {i} فيه الكلمة هنا\n" for i in range(1, 31))


def test_sample_is_reproducible_and_in_corpus_order(invoke):
    first = kwic_rows(invoke, SAMPLE_TEXT, "الكلمة", "--sample", "5", "--seed", "7")
    again = kwic_rows(invoke, SAMPLE_TEXT, "الكلمة", "--sample", "5", "--seed", "7")
    assert first == again
    assert len(first) == 5
    numbers = lines_of(first)
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 5


def test_sample_different_seeds_usually_differ(invoke):
    samples = {
        tuple(lines_of(kwic_rows(invoke, SAMPLE_TEXT, "الكلمة", "--sample", "5", "--seed", str(s))))
        for s in range(1, 6)
    }
    assert len(samples) > 1


def test_sample_larger_than_hits_keeps_everything(invoke):
    rows = kwic_rows(invoke, SAMPLE_TEXT, "الكلمة", "--sample", "100", "--seed", "1")
    assert lines_of(rows) == list(range(1, 31))


def test_sample_then_sort(invoke):
    args = ("الكلمة", "--words", "3", "--sample", "6", "--seed", "3")
    rows = kwic_rows(invoke, SAMPLE_TEXT, *args, "--sort", "B2")
    sampled = lines_of(kwic_rows(invoke, SAMPLE_TEXT, *args))
    assert sorted(lines_of(rows)) == sampled  # the same sample, sorted afterwards
    # before = "سطر i فيه": B2 is the number i, compared as a string
    numbers = [row[4].split()[1] for row in rows]
    assert numbers == [str(n) for n in lines_of(rows)]
    assert numbers == sorted(numbers)


def test_per_doc_limits_lines_per_document(invoke, tmp_path: Path):
    (tmp_path / "a.txt").write_text("الكلمة\nالكلمة\nالكلمة\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("الكلمة\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("الكلمة الكلمة\n", encoding="utf-8")
    r = invoke("kwic", "--format", "tsv", "الكلمة", "--per-doc", "2", "--corpus", str(tmp_path))
    rows = tsv(r.stdout)[1:]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("a", "1", "0"),
        ("a", "2", "7"),
        ("b", "1", "0"),
        ("c", "1", "0"),
        ("c", "1", "7"),
    ]


# =========================================================================== freq --ngram


def freq_rows(invoke, text: str, *args: str) -> dict[str, int]:
    r = cli(invoke, "freq", "--top", "0", *args, text=text)
    assert r.exit_code == 0, r.stderr
    return {row[2]: int(row[3]) for row in tsv(r.stdout)[1:]}


@pytest.mark.parametrize("punct", [".", "!", "?", "؟", ";", "؛", ":", "…"])
def test_ngram_never_crosses_sentence_end(invoke, punct):
    keys = freq_rows(invoke, f"كتب قلم{punct} بيت باب\n", "--ngram", "2")
    assert keys == {"كتب قلم": 1, "بيت باب": 1}


@pytest.mark.parametrize("punct", ["،", ",", '"', "«", "»", "(", ")"])
def test_ngram_crosses_commas_and_quotes(invoke, punct):
    keys = freq_rows(invoke, f"كتب قلم{punct} بيت\n", "--ngram", "2")
    assert keys == {"كتب قلم": 1, "قلم بيت": 1}


def test_ngram_never_crosses_a_line_end(invoke):
    keys = freq_rows(invoke, "كتب قلم\nبيت باب\n", "--ngram", "2")
    assert keys == {"كتب قلم": 1, "بيت باب": 1}
    assert freq_rows(invoke, "كتب قلم\nبيت باب\n", "--ngram", "3") == {}


def test_ngram_counts_normalized_keys_and_per_million_over_ngrams(invoke):
    text = 'قال الوزير إن الحكومة، "الجديدة" تعمل. الحكومة الجديدة؟ نعم\nالحكومة\nالجديدة في\n'
    r = cli(invoke, "freq", "--ngram", "2", "--top", "0", text=text)
    rows = tsv(r.stdout)[1:]
    counts = {row[2]: int(row[3]) for row in rows}
    assert counts == {
        "قال الوزير": 1,
        "الوزير ان": 1,
        "ان الحكومة": 1,
        "الحكومة الجديدة": 2,
        "الجديدة تعمل": 1,
        "الجديدة في": 1,
    }
    first = rows[0]
    assert first[1:4] == ["الحكومة الجديدة", "الحكومة الجديدة", "2"]
    assert float(first[4]) == pytest.approx(2 / 7 * 1e6, abs=0.01)
    terms = {row[2]: row[1] for row in rows}
    assert terms["الوزير ان"] == "الوزير إن"  # shown in its original spelling


@pytest.mark.parametrize("n", ["3", "4", "5"])
def test_ngram_sizes(invoke, n):
    text = "أ ب ج د هـ و\n"
    keys = freq_rows(invoke, text, "--ngram", n)
    assert sum(keys.values()) == 6 - int(n) + 1
    assert all(len(key.split(" ")) == int(n) for key in keys)


@pytest.mark.parametrize("n", ["0", "6"])
def test_ngram_out_of_range_is_an_error(invoke, n):
    r = cli(invoke, "freq", "--ngram", n, text="أ ب ج\n")
    assert r.exit_code == 2


def test_a_term_of_two_words_is_counted_as_the_bigram_it_is(invoke):
    """On the seeds: the row of ``freq --ngram 2`` for that bigram, and kwic's hits."""
    r = invoke("freq", "مجلس الامن")
    assert r.exit_code == 0, r.stderr
    [row] = tsv(r.stdout)[1:]
    bigrams = {row[2]: row for row in tsv(invoke("freq", "--ngram", "2", "--top", "0").stdout)[1:]}
    assert row == bigrams["مجلس الامن"]
    assert row[1:4] == ["مجلس الأمن", "مجلس الامن", "6"]
    assert len(tsv(invoke("kwic", "مجلس الامن").stdout)[1:]) == 6
    by_doc = tsv(invoke("freq", "مجلس الامن", "--by-doc").stdout)[1:]
    every = tsv(invoke("freq", "--ngram", "2", "--by-doc", "--top", "0").stdout)[1:]
    assert [r for r in by_doc if r[4] != "0"] == [r for r in every if r[3] == "مجلس الامن"]


def test_a_term_of_several_words_counts_as_its_ngram_counts(invoke):
    text = "قال ان شاء الله، ان، شاء\nان\nشاء. ان «شاء» الله\n"
    assert freq_rows(invoke, text, "ان شاء", "ان  شاء") == {"ان شاء": 3}
    assert freq_rows(invoke, text, "ان شاء الله") == {"ان شاء الله": 2}
    assert freq_rows(invoke, text, "--ngram", "2")["ان شاء"] == 3


@pytest.mark.parametrize(
    "args",
    [
        ["ان شاء", "الله"],  # one count is one length
        ["--ngram", "3", "ان شاء"],
        ["--ngram", "2", "الله"],
        ["ان. شاء"],  # never across a sentence end
        ["--clitics", "ان شاء"],
    ],
)
def test_terms_an_ngram_count_cannot_answer_are_errors(invoke, args):
    r = cli(invoke, "freq", *args, text="ان شاء الله\n")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ") and r.stdout == ""


# =========================================================================== freq --stopwords


def test_builtin_stopwords_list_size_normalized_and_without_negations():
    entries = read_list(BUILTIN)
    assert 100 <= len(entries) <= 150
    assert len(set(entries)) == len(entries)
    assert all(STANDARD.normalize(word) == word for word in entries)
    for negation in ("لا", "لم", "لن", "ليس", "ما"):
        assert negation not in entries
    assert {"في", "من", "على", "الى", "ان", "هذا"} <= set(entries)


def test_load_stopwords_normalizes_entries(tmp_path: Path):
    path = tmp_path / "stop.txt"
    path.write_text("# comment\nإلى\n\nأنَّ  # trailing comment\n", encoding="utf-8")
    assert load_stopwords(str(path), STANDARD) == frozenset({"الى", "ان"})
    assert load_stopwords("builtin", STANDARD) == load_stopwords(None, STANDARD)


def test_stopwords_builtin_drops_function_words_keeps_negations(invoke):
    text = "ذهب الوزير إلى في من هذا لا لم لن ليس ما الحكومة\n"
    keys = freq_rows(invoke, text, "--stopwords", "builtin")
    assert set(keys) == {"ذهب", "الوزير", "لا", "لم", "لن", "ليس", "ما", "الحكومة"}
    assert "الى" in freq_rows(invoke, text)


def test_stopwords_ngrams_dropped_at_either_end_only(invoke):
    text = "الحكومة في البلد\nفي البلد\nالبلد في\n"
    bigrams = freq_rows(invoke, text, "--ngram", "2", "--stopwords", "builtin")
    assert bigrams == {}
    trigrams = freq_rows(invoke, text, "--ngram", "3", "--stopwords", "builtin")
    assert trigrams == {"الحكومة في البلد": 1}  # stopword inside: kept


def test_stopwords_from_file(invoke, tmp_path: Path):
    path = tmp_path / "stop.txt"
    path.write_text("الحكومة\nإلى\n", encoding="utf-8")
    keys = freq_rows(invoke, "ذهب الى الحكومة في\n", "--stopwords", str(path))
    assert set(keys) == {"ذهب", "في"}


def test_stopwords_missing_file_is_an_error(invoke, tmp_path: Path):
    r = cli(invoke, "freq", "--stopwords", str(tmp_path / "nope.txt"), text="نص\n")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")


def test_stopwords_ranks_stay_dense(invoke):
    r = cli(invoke, "freq", "--stopwords", "builtin", "--top", "0", text="في في في كتاب قلم قلم\n")
    rows = tsv(r.stdout)[1:]
    assert [(row[0], row[2], row[3]) for row in rows] == [("1", "قلم", "2"), ("2", "كتاب", "1")]


# =========================================================================== freq --match


def test_match_filters_normalized_keys(invoke):
    text = "الأمم المتحدة الإمام كتاب أمس\n"
    keys = freq_rows(invoke, text, "--match", "^ال")
    assert set(keys) == {"الامم", "المتحدة", "الامام"}
    # the pattern is normalized like the text: أ in it means ا
    assert set(freq_rows(invoke, text, "--match", "^الأ")) == {"الامم", "الامام"}
    assert set(freq_rows(invoke, text, "--match", "ب$")) == {"كتاب"}


def test_match_with_ngrams_and_stopwords(invoke):
    text = "الحكومة الجديدة في البلد الجديدة\n"
    keys = freq_rows(invoke, text, "--ngram", "2", "--match", "الجديدة", "--stopwords", "builtin")
    assert keys == {"الحكومة الجديدة": 1, "البلد الجديدة": 1}


def test_match_bad_regex_is_an_error(invoke):
    r = cli(invoke, "freq", "--match", "(", text="نص\n")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")


# =========================================================================== freq --forms

FORMS_TEXT = "الأمم الأمم الامم الأُمَمُ كتاب\n"


def test_forms_tsv(invoke):
    r = cli(invoke, "freq", "--forms", "--top", "0", text=FORMS_TEXT)
    assert r.exit_code == 0, r.stderr
    rows = tsv(r.stdout)
    assert rows[0] == ["rank", "term", "key", "count", "per_million", "docs", "forms"]
    assert rows[1][1:4] == ["الأمم", "الامم", "4"]
    assert rows[1][6] == "الأمم:2 الأُمَمُ:1 الامم:1"  # commonest first, then in order
    assert rows[2][6] == "كتاب:1"


def test_forms_jsonl(invoke):
    r = cli(invoke, "freq", "--forms", "--format", "jsonl", text=FORMS_TEXT)
    records = jsonl(r.stdout)
    assert records[0]["forms"] == {"الأمم": 2, "الأُمَمُ": 1, "الامم": 1}
    assert sum(records[0]["forms"].values()) == records[0]["count"]
    assert list(records[0]["forms"]) == ["الأمم", "الأُمَمُ", "الامم"]  # commonest first


def test_forms_of_ngrams(invoke):
    r = cli(invoke, "freq", "--forms", "--ngram", "2", "--format", "jsonl", text="إلى الأمم\nالى الامم\n")
    [record] = jsonl(r.stdout)
    assert record["key"] == "الى الامم"
    assert record["forms"] == {"إلى الأمم": 1, "الى الامم": 1}


# =========================================================================== freq --dispersion


@pytest.fixture
def three_docs(tmp_path: Path) -> Path:
    """Three documents of 4, 6 and 2 tokens (a, b, c in corpus order)."""
    root = tmp_path / "disp"
    root.mkdir()
    (root / "a.txt").write_text("سلام سلام كلب قط\n", encoding="utf-8")
    (root / "b.txt").write_text("سلام بيت بيت بيت بيت بيت\n", encoding="utf-8")
    (root / "c.txt").write_text("قط كلب\n", encoding="utf-8")
    return root


def expected_dispersion(values: list[int], positions: list[int]) -> dict[str, float]:
    sizes = [4, 6, 2]
    rates = [v / s for v, s in zip(values, sizes, strict=True)]
    return {
        "range": stats.dispersion_range(values),
        "juilland_d": stats.juilland_d(rates),
        "dp": stats.gries_dp(values, sizes),
        "dp_norm": stats.dp_norm(values, sizes),
        "arf": stats.arf(positions, sum(sizes)),
    }


# token stream: a = سلام0 سلام1 كلب2 قط3; b = سلام4 بيت5..9; c = قط10 كلب11
DISPERSION_CASES = {
    "سلام": ([2, 1, 0], [0, 1, 4]),
    "بيت": ([0, 5, 0], [5, 6, 7, 8, 9]),
    "قط": ([1, 0, 1], [3, 10]),
    "كلب": ([1, 0, 1], [2, 11]),
}


def test_dispersion_jsonl_matches_stats_functions(invoke, three_docs):
    r = invoke("freq", "--dispersion", "--format", "jsonl", "--top", "0", "--corpus", str(three_docs))
    assert r.exit_code == 0, r.stderr
    records = {rec["key"]: rec for rec in jsonl(r.stdout)}
    assert set(records) == set(DISPERSION_CASES)
    for key, (values, positions) in DISPERSION_CASES.items():
        want = expected_dispersion(values, positions)
        got = records[key]
        assert got["range"] == want["range"], key
        for column in ("juilland_d", "dp", "dp_norm", "arf"):
            assert got[column] == pytest.approx(want[column], abs=5e-5), (key, column)


def test_dispersion_hand_values(invoke, three_docs):
    """The same numbers worked out by hand, so a shared mistake cannot hide."""
    r = invoke("freq", "--dispersion", "--format", "jsonl", "--top", "0", "--corpus", str(three_docs))
    records = {rec["key"]: rec for rec in jsonl(r.stdout)}
    # سلام: 2,1,0 in parts of 4,6,2 → DP = ½(|2/3−1/3|+|1/3−1/2|+|0−1/6|) = 1/3; max 1−1/6
    assert records["سلام"]["dp"] == pytest.approx(1 / 3, abs=1e-4)
    assert records["سلام"]["dp_norm"] == pytest.approx((1 / 3) / (5 / 6), abs=1e-4)
    # ARF: v = 12/3 = 4, gaps 1, 3, 12−4+0 = 8 → (1+3+4)/4 = 2
    assert records["سلام"]["arf"] == pytest.approx(2.0, abs=1e-4)
    # بيت: all in one part → range 1, D 0; ARF: v = 12/5, gaps 1,1,1,1,8 → (4+2.4)/2.4
    assert records["بيت"]["range"] == 1
    assert records["بيت"]["juilland_d"] == pytest.approx(0.0, abs=1e-4)
    assert records["بيت"]["arf"] == pytest.approx(6.4 / 2.4, abs=1e-4)


def test_dispersion_tsv_columns(invoke, three_docs):
    r = invoke("freq", "--dispersion", "--top", "0", "--corpus", str(three_docs))
    rows = tsv(r.stdout)
    assert rows[0] == [
        "rank",
        "term",
        "key",
        "count",
        "per_million",
        "docs",
        "range",
        "juilland_d",
        "dp",
        "dp_norm",
        "arf",
    ]
    by_key = {row[2]: row for row in rows[1:]}
    assert by_key["سلام"][6:] == ["2", "0.3386", "0.3333", "0.4000", "2.0000"]
    assert by_key["قط"][6:] == ["2", "0.4226", "0.5000", "0.6000", "1.8333"]


def test_dispersion_of_ngrams_uses_ngram_counts_as_part_sizes(invoke, three_docs):
    r = invoke(
        "freq", "--ngram", "2", "--dispersion", "--format", "jsonl", "--top", "1", "--corpus", str(three_docs)
    )
    [record] = jsonl(r.stdout)
    assert record["key"] == "بيت بيت"
    # parts of 3, 5 and 1 bigrams; بيت بيت is bigrams 4..7 of 9 (0-based, b starts at 3)
    assert record["count"] == 4 and record["range"] == 1
    assert record["dp"] == pytest.approx(stats.gries_dp([0, 4, 0], [3, 5, 1]), abs=1e-4)
    assert record["dp_norm"] == pytest.approx(stats.dp_norm([0, 4, 0], [3, 5, 1]), abs=1e-4)
    assert record["arf"] == pytest.approx(stats.arf([4, 5, 6, 7], 9), abs=1e-4)


def test_dispersion_with_forms_and_term(invoke, three_docs):
    r = invoke("freq", "سلام", "--dispersion", "--forms", "--format", "jsonl", "--corpus", str(three_docs))
    assert r.exit_code == 0, r.stderr
    [record] = jsonl(r.stdout)
    assert record["count"] == 3
    assert record["forms"] == {"سلام": 3}
    assert record["range"] == 2
    assert record["arf"] == pytest.approx(2.0, abs=1e-4)
