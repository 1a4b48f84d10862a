"""``corpus freq``: counts, terms, n-grams, stopwords, ``--match``, ``--forms``, ``--dispersion`` and
grouping by document or field.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus_cli.query import stats
from tests.conftest import (
    CLITIC_TEXT,
    error,
    freq,
    help_text,
    jsonl,
    jsonl_bytes,
    piped,
    plain,
    records,
    tsv,
    write,
)


def test_freq_default_top_20_and_tsv_header(invoke, small_corpus):
    r = freq(invoke, small_corpus)
    assert r.exit_code == 0
    rows = tsv(r.stdout)
    assert rows[0] == ["rank", "term", "key", "count", "per_million", "docs"]
    assert len(rows) == 21
    assert rows[1] == ["1", "الأمم", "الامم", "4", rows[1][4], "2"]


def test_freq_top(invoke, small_corpus):
    assert len(tsv(freq(invoke, small_corpus, "--top", "2").stdout)) == 3
    everything = tsv(freq(invoke, small_corpus, "--top", "0").stdout)[1:]
    assert len(everything) > 20
    assert [int(row[0]) for row in everything] == list(range(1, len(everything) + 1))
    counts = [int(row[3]) for row in everything]
    assert counts == sorted(counts, reverse=True)
    keys = [row[2] for row in everything]
    assert len(keys) == len(set(keys))


def test_freq_min_count(invoke, small_corpus):
    everything = tsv(freq(invoke, small_corpus, "--top", "0").stdout)[1:]
    frequent = tsv(freq(invoke, small_corpus, "--top", "0", "--min-count", "2").stdout)[1:]
    assert frequent == [row for row in everything if int(row[3]) >= 2]
    assert 0 < len(frequent) < len(everything)


def test_freq_jsonl_keys_and_per_million(invoke, small_corpus):
    total = sum(
        rec["tokens"]
        for rec in jsonl(invoke("list", "--corpus", str(small_corpus), "--format", "jsonl").stdout)
    )
    records = jsonl(freq(invoke, small_corpus, "--format", "jsonl", "--top", "0").stdout)
    assert sum(rec["count"] for rec in records) == total
    for rec in records:
        assert list(rec) == ["rank", "term", "key", "count", "per_million", "docs"]
        assert rec["per_million"] == pytest.approx(rec["count"] * 1_000_000 / total)
    top = records[0]
    assert (top["term"], top["key"], top["count"], top["docs"]) == ("الأمم", "الامم", 4, 2)


def test_freq_by_doc(invoke, small_corpus):
    r = freq(invoke, small_corpus, "--by-doc", "--top", "1")
    rows = tsv(r.stdout)
    assert rows[0] == ["doc", "rank", "term", "key", "count", "per_million", "docs"]
    assert [row[0] for row in rows[1:]] == ["a", "b", "sub/c"]
    assert all(row[1] == "1" for row in rows[1:])
    records = jsonl(freq(invoke, small_corpus, "--by-doc", "--top", "0", "--format", "jsonl").stdout)
    assert all(list(rec) == ["doc", "rank", "term", "key", "count", "per_million", "docs"] for rec in records)
    a = [rec for rec in records if rec["doc"] == "a"]
    assert a[0]["key"] == "الامم" and a[0]["count"] == 3


def test_freq_terms_with_zeros(invoke, small_corpus):
    r = freq(invoke, small_corpus, "الأمم", "كتاب", "zzz")
    assert r.exit_code == 0
    rows = tsv(r.stdout)[1:]
    assert [(row[2], row[3]) for row in rows] == [("الامم", "4"), ("كتاب", "2"), ("zzz", "0")]


def test_freq_terms_all_zero_exit_1(invoke, small_corpus):
    r = freq(invoke, small_corpus, "zzz", "qqq", "--format", "jsonl")
    assert r.exit_code == 1
    assert [(rec["key"], rec["count"]) for rec in jsonl(r.stdout)] == [("zzz", 0), ("qqq", 0)]


def test_freq_terms_are_normalized(invoke, small_corpus):
    r = freq(invoke, small_corpus, "الأُمَمُ", "كتـاب", "--format", "jsonl")
    assert [(rec["key"], rec["count"]) for rec in jsonl(r.stdout)] == [("الامم", 4), ("كتاب", 2)]


def test_freq_norm_none_counts_alef_variants_apart(invoke, small_corpus):
    standard = jsonl(freq(invoke, small_corpus, "الأمم", "--format", "jsonl").stdout)[0]
    none = jsonl(freq(invoke, small_corpus, "الأمم", "--norm", "none", "--format", "jsonl").stdout)[0]
    assert standard["count"] == 4
    assert none["count"] == 2
    bare = jsonl(freq(invoke, small_corpus, "الامم", "--norm", "none", "--format", "jsonl").stdout)[0]
    assert bare["count"] == 1


def test_freq_table_on_terminal(invoke, small_corpus, tty):
    r = freq(invoke, small_corpus, "--top", "3")
    out = plain(r.stdout)
    assert "per million" in out and "\t" not in out
    assert "الأمم" in out
    assert re.search(r"normalization:? standard", out)  # the caption names the level


def test_freq_help_states_what_a_count_is(invoke):
    r = invoke("freq", "--help")
    assert r.exit_code == 0
    assert "number of tokens whose normalized form equals the key" in help_text(r.stdout)


@pytest.mark.parametrize("word", ["سوريا", "الأمم", "2254", "على", "السورية"])
def test_freq_kwic_and_grep_count_the_same_tokens(invoke, word):
    """A count is the number of tokens whose normalized form is the key."""
    count = jsonl(invoke("freq", word, "--format", "jsonl").stdout)[0]["count"]
    hits = len(jsonl(invoke("kwic", word, "--format", "jsonl").stdout))
    per_doc = invoke("grep", "-w", "--count-matches", word).stdout.splitlines()
    assert count == hits == sum(int(line.rsplit(":", 1)[1]) for line in per_doc) > 0


def test_cli_freq_term_with_clitics(invoke):
    r = piped(invoke, "freq", "مصر", "--clitics", text=CLITIC_TEXT + "بمصر\n")
    assert r.exit_code == 0, r.stderr
    [header, row] = tsv(r.stdout)
    assert header[:6] == ["rank", "term", "key", "count", "per_million", "docs"]
    assert row[1:4] == ["مصر", "مصر", "3"]  # مصر, مصري, بمصر
    plain = piped(invoke, "freq", "مصر", text=CLITIC_TEXT + "بمصر\n")
    assert tsv(plain.stdout)[1][3] == "1"
    pro = piped(invoke, "freq", "مصر", "--clitics", "pro", text=CLITIC_TEXT + "بمصر\n")
    assert tsv(pro.stdout)[1][3] == "2"  # مصر, بمصر (مصري needs an enclitic)


def test_cli_freq_term_with_clitics_forms(invoke):
    r = piped(invoke, "freq", "الأمن", "--clitics", "--forms", "--format", "jsonl", text=CLITIC_TEXT)
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


def test_fold_yeh_merges_ala_and_ali(invoke):
    text = "ذهب على الطريق مع علي\n"
    keys = {row[2]: row[3] for row in tsv(piped(invoke, "freq", "--top", "0", text=text).stdout)[1:]}
    assert keys["على"] == "1" and keys["علي"] == "1"
    r = piped(invoke, "freq", "--top", "0", "--fold", "yeh", text=text)
    assert r.exit_code == 0, r.stderr
    keys = {row[2]: row[3] for row in tsv(r.stdout)[1:]}
    assert keys["علي"] == "2"
    assert "على" not in keys


def test_fold_adds_a_step_to_a_lower_level(invoke):
    text = "٢٢٥٤ و 2254\n"
    r = piped(invoke, "freq", "--norm", "light", "--fold", "digits", "--format", "jsonl", text=text)
    records = {rec["key"]: rec["count"] for rec in jsonl(r.stdout)}
    assert records["2254"] == 2


def test_fold_settings_in_freq_screen_caption(invoke, tty):
    r = piped(invoke, "freq", "--fold", "yeh,teh", "--color", "never", text="على علي\n")
    assert r.exit_code == 0, r.stderr
    assert "standard +yeh +teh" in r.stdout


def freq_rows(invoke, text: str, *args: str) -> dict[str, int]:
    r = piped(invoke, "freq", "--top", "0", *args, text=text)
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
    r = piped(invoke, "freq", "--ngram", "2", "--top", "0", text=text)
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
    r = piped(invoke, "freq", "--ngram", n, text="أ ب ج\n")
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
    r = piped(invoke, "freq", *args, text="ان شاء الله\n")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ") and r.stdout == ""


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
    r = piped(invoke, "freq", "--stopwords", str(tmp_path / "nope.txt"), text="نص\n")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")


def test_stopwords_ranks_stay_dense(invoke):
    r = piped(invoke, "freq", "--stopwords", "builtin", "--top", "0", text="في في في كتاب قلم قلم\n")
    rows = tsv(r.stdout)[1:]
    assert [(row[0], row[2], row[3]) for row in rows] == [("1", "قلم", "2"), ("2", "كتاب", "1")]


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
    r = piped(invoke, "freq", "--match", "(", text="نص\n")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")


FORMS_TEXT = "الأمم الأمم الامم الأُمَمُ كتاب\n"


def test_forms_tsv(invoke):
    r = piped(invoke, "freq", "--forms", "--top", "0", text=FORMS_TEXT)
    assert r.exit_code == 0, r.stderr
    rows = tsv(r.stdout)
    assert rows[0] == ["rank", "term", "key", "count", "per_million", "docs", "forms"]
    assert rows[1][1:4] == ["الأمم", "الامم", "4"]
    assert rows[1][6] == "الأمم:2 الأُمَمُ:1 الامم:1"  # commonest first, then in order
    assert rows[2][6] == "كتاب:1"


def test_forms_jsonl(invoke):
    r = piped(invoke, "freq", "--forms", "--format", "jsonl", text=FORMS_TEXT)
    records = jsonl(r.stdout)
    assert records[0]["forms"] == {"الأمم": 2, "الأُمَمُ": 1, "الامم": 1}
    assert sum(records[0]["forms"].values()) == records[0]["count"]
    assert list(records[0]["forms"]) == ["الأمم", "الأُمَمُ", "الامم"]  # commonest first


def test_forms_of_ngrams(invoke):
    r = piped(invoke, "freq", "--forms", "--ngram", "2", "--format", "jsonl", text="إلى الأمم\nالى الامم\n")
    [record] = jsonl(r.stdout)
    assert record["key"] == "الى الامم"
    assert record["forms"] == {"إلى الأمم": 1, "الى الامم": 1}


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


def test_freq_by_and_by_doc_conflict(cli, ids_corpus):
    r = cli("freq", "--by", "source", "--by-doc", "--corpus", str(ids_corpus))
    error(r, "corpus: --by and --by-doc cannot be combined")


def test_freq_by_field(invoke, news: Path) -> None:
    r = invoke("freq", "--corpus", str(news), "--by", "source", "--top", "2")
    assert r.exit_code == 0
    header, *rows = tsv(r.stdout)
    assert header == ["by", "rank", "term", "key", "count", "per_million", "docs"]
    groups = [row[0] for row in rows]
    assert groups == sorted(groups) and set(groups) == {"", "ahram", "alyaum", "okaz"}
    alyaum = [row for row in rows if row[0] == "alyaum"]
    # alyaum: "الأمم المتحدة تجتمع اليوم" + "سوريا سوريا الأمم" = 7 tokens
    assert [row[1:5] for row in alyaum] == [["1", "الأمم", "الامم", "2"], ["2", "سوريا", "سوريا", "2"]]
    assert alyaum[0][5] == f"{2 * 1_000_000 / 7:.2f}"  # relative to the group's tokens
    # the group "": plain.txt (no such field) and more:2 (an empty cell), 5 tokens
    empty = [row for row in rows if row[0] == ""]
    assert [row[2] for row in empty] == ["بلا", "بيانات"]
    assert empty[0][5] == f"{1_000_000 / 5:.2f}"


def test_freq_by_field_jsonl_terms_and_table(invoke, news: Path, tty) -> None:
    r = invoke("freq", "سوريا", "--corpus", str(news), "--by", "source", "--format", "jsonl")
    counts = {rec["by"]: rec["count"] for rec in records(r.stdout)}
    assert counts == {"": 0, "ahram": 0, "alyaum": 2, "okaz": 1}
    screen = invoke("freq", "--corpus", str(news), "--by", "source", "--color", "never").stdout
    assert "source" in screen.splitlines()[1]  # the column is named after the field
    r = invoke("freq", "--corpus", str(news), "--by", "source", "--by-doc")
    assert r.exit_code == 2 and "--by" in r.stderr


def test_freq_by_a_field_the_ids_give(invoke, news: Path, tmp_path: Path) -> None:
    for name in ("okaz/2015-07-21_1", "sabq/2015-08-01_1", "sabq/2016-01-02_2"):
        write(tmp_path / "papers" / f"{name}.txt", "قال")
    papers = str(tmp_path / "papers")
    r = invoke("freq", "--corpus", papers, "--by", "folder", "--format", "tsv", "--no-header")
    assert [row[0] + " " + row[4] for row in tsv(r.stdout)] == ["okaz 1", "sabq 2"]
    r = invoke("freq", "--corpus", papers, "--by", "month", "--format", "tsv", "--no-header")
    assert [row[0] for row in tsv(r.stdout)] == ["2015-07", "2015-08", "2016-01"]
    # the records' own "date" field wins; a document without it takes its id's (none here)
    r = invoke("freq", "--corpus", str(news), "--by", "date", "--top", "1", "--format", "tsv", "--no-header")
    assert [row[0] for row in tsv(r.stdout)] == ["", "2015-01-01", "2015-01-02"]
    r = invoke("freq", "--corpus", papers, "--by", "sorce")
    assert "no document has the field 'sorce'" in r.stderr and "folder, date, year, month" in r.stderr


def test_freq_by_counts_the_documents_of_each_group(invoke, tmp_path: Path) -> None:
    """docs (and the range of --dispersion) of a --by row are the group's documents."""
    file = write(
        tmp_path / "r.jsonl",
        jsonl_bytes(
            [
                {"text": "قال الوزير", "source": "okaz"},
                {"text": "قال الأمير", "source": "sabq"},
                {"text": "وقال الأمير", "source": "sabq"},
                {"text": "الأمير", "source": "sabq"},
            ]
        ),
    )

    def rows(*args: str) -> dict[str, list[str]]:
        r = invoke("freq", *args, "--corpus", str(file), "--by", "source", "--format", "tsv")
        assert r.exit_code == 0, r.stderr
        header, *body = tsv(r.stdout)
        return {f"{row[0]} {row[3]}": row[header.index("count") :] for row in body}

    assert rows("قال") == {"okaz قال": ["1", "500000.00", "1"], "sabq قال": ["1", "200000.00", "1"]}
    # with its clitics: sabq:1 and sabq:2 hold قال or وقال; okaz:1 alone holds one in okaz
    with_clitics = rows("قال", "--clitics")
    assert [with_clitics[k][::2] for k in ("okaz قال", "sabq قال")] == [["1", "1"], ["2", "2"]]
    listed = rows("--top", "0", "--dispersion")
    assert listed["sabq الامير"][:3] == ["3", "600000.00", "3"]
    assert listed["sabq قال"][2:4] == ["1", "1"]  # docs and range: of sabq's 3 documents
    assert listed["okaz قال"][2:4] == ["1", "1"]
