"""``corpus kwic``: context, widths, sorting, sampling, output formats and the screen layout."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from corpus_cli.output.screen import cell_width
from tests.conftest import (
    CLITIC_TEXT,
    ELLIPSIS,
    LRM,
    NBSP,
    PDF,
    PDI,
    RLE,
    RLI,
    assert_one_error_line,
    jsonl,
    kwic,
    piped,
    plain,
    tsv,
)

#: Bidi controls that the screen layout uses and machine output must never carry.
BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def visible_len(text: str) -> int:
    """Characters a reader counts: marks and format characters excluded."""
    return sum(1 for c in text if unicodedata.category(c) not in ("Mn", "Cf"))


def test_kwic_whole_words_by_default_and_substring(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "كتاب", "--format", "jsonl")
    assert [rec["match"] for rec in jsonl(r.stdout)] == ["كتـــاب", "كِتَابٌ"]
    r = kwic(invoke, small_corpus, "كتاب", "--substring", "--format", "jsonl")
    assert [rec["match"] for rec in jsonl(r.stdout)] == ["كتـــاب", "كِتَابٌ", "كتاب"]


def test_kwic_shares_grep_matching_options(invoke, small_corpus):
    assert kwic(invoke, small_corpus, "الأ.م", "--substring").exit_code == 0
    assert kwic(invoke, small_corpus, "-F", "الأ.م", "--substring").exit_code == 1
    assert kwic(invoke, small_corpus, "world").exit_code == 1
    r = kwic(invoke, small_corpus, "-i", "world", "--format", "jsonl")
    assert [rec["match"] for rec in jsonl(r.stdout)] == ["WORLD"]
    r = kwic(invoke, small_corpus, "-m", "1", "الامم", "--format", "jsonl")
    assert [(rec["doc"], rec["line"]) for rec in jsonl(r.stdout)] == [("a", 1), ("b", 1)]


def test_kwic_jsonl_schema_and_document_offsets(invoke, small_corpus, small_texts):
    r = kwic(invoke, small_corpus, "الامم", "--format", "jsonl")
    assert r.exit_code == 0
    records = jsonl(r.stdout)
    assert len(records) == 4
    for rec in records:
        assert list(rec) == ["doc", "line", "start", "end", "before", "match", "after"]
        text = small_texts[rec["doc"]]
        assert text[rec["start"] : rec["end"]] == rec["match"]
        assert text[: rec["start"]].count("\n") + 1 == rec["line"]
    assert [(rec["doc"], rec["line"], rec["match"]) for rec in records] == [
        ("a", 1, "الأُمَمُ"),
        ("a", 3, "الامم"),
        ("a", 3, "الأمم"),
        ("b", 1, "الأمم"),
    ]


def test_kwic_offsets_into_seed_texts(invoke, seed_texts):
    r = invoke("kwic", "سوريا|الأمم|2254", "--format", "jsonl")
    records = jsonl(r.stdout)
    assert len(records) > 40
    for rec in records:
        assert seed_texts[rec["doc"]][rec["start"] : rec["end"]] == rec["match"]


def test_kwic_tsv_columns(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "الامم", "--width", "5")
    rows = tsv(r.stdout)
    assert rows[0] == ["doc", "line", "start", "end", "before", "match", "after"]
    assert rows[2] == ["a", "3", "46", "51", "قالت ", "الامم", " المت"]


def test_kwic_width(invoke, small_corpus):
    narrow = jsonl(kwic(invoke, small_corpus, "الامم", "--width", "5", "--format", "jsonl").stdout)
    wide = jsonl(kwic(invoke, small_corpus, "الامم", "--width", "20", "--format", "jsonl").stdout)
    for rec in narrow:
        assert visible_len(rec["before"]) <= 5 and visible_len(rec["after"]) <= 5
    assert max(visible_len(rec["after"]) for rec in narrow) == 5
    assert max(visible_len(rec["after"]) for rec in wide) == 20
    # Default width is 40.
    default = jsonl(kwic(invoke, small_corpus, "الامم", "--format", "jsonl").stdout)
    assert max(visible_len(rec["after"]) for rec in default) == 40


def test_kwic_words(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "الامم", "--words", "1", "--format", "jsonl")
    records = jsonl(r.stdout)
    assert [(rec["before"].strip(), rec["after"].strip()) for rec in records] == [
        ("", "المتحدة"),
        ("قالت", "المتحدة"),
        ("إن", "لها"),
        ("إلى", "سطر"),
    ]
    r = kwic(invoke, small_corpus, "الامم", "--words", "2", "--format", "jsonl")
    assert jsonl(r.stdout)[1]["after"].split() == ["المتحدة", "إن"]


def test_kwic_limit(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "الامم", "--limit", "2", "--format", "jsonl")
    assert [rec["match"] for rec in jsonl(r.stdout)] == ["الأُمَمُ", "الامم"]


def test_kwic_sort(invoke, small_corpus):
    position = jsonl(kwic(invoke, small_corpus, "سطر|الامم", "--format", "jsonl").stdout)
    assert [rec["match"] for rec in position][:2] == ["الأُمَمُ", "سطر"]
    by_match = jsonl(kwic(invoke, small_corpus, "سطر|الامم", "--sort", "match", "--format", "jsonl").stdout)
    assert [rec["match"] for rec in by_match] == ["الأُمَمُ", "الامم", "الأمم", "الأمم", "سطر", "سطر", "سطر"]
    explicit = kwic(invoke, small_corpus, "سطر|الامم", "--sort", "position", "--format", "jsonl")
    assert jsonl(explicit.stdout) == position


def test_kwic_sort_doc(invoke, small_corpus):
    args = ["kwic", "الامم", "--corpus", str(small_corpus / "b.txt"), "--corpus", str(small_corpus / "a.txt")]
    args += ["--format", "jsonl"]
    assert [rec["doc"] for rec in jsonl(invoke(*args).stdout)] == ["b", "a", "a", "a"]
    assert [rec["doc"] for rec in jsonl(invoke(*args, "--sort", "doc").stdout)] == ["a", "a", "a", "b"]


def test_kwic_bad_sort_key(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "الامم", "--sort", "left")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ") and "position" in r.stderr


def test_kwic_no_hit_exit_1(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "zzz", "--format", "jsonl")
    assert (r.exit_code, r.stdout) == (1, "")


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_kwic_piped_output_has_no_controls_or_padding(invoke, small_corpus, fmt):
    r = kwic(invoke, small_corpus, "الامم", "--format", fmt)
    assert r.exit_code == 0
    assert not set(r.stdout) & set(BIDI_CONTROLS)
    assert NBSP not in r.stdout
    assert "\x1b[" not in r.stdout


def test_kwic_default_pipe_output_on_seeds_has_no_controls(invoke):
    r = invoke("kwic", "سوريا")
    assert r.exit_code == 0
    assert r.stdout.startswith("doc\tline\tstart\tend\tbefore\tmatch\tafter\n")
    assert not set(r.stdout) & set(BIDI_CONTROLS)


def test_kwic_screen_uses_rtl_layout(invoke, small_corpus, tty):
    r = kwic(invoke, small_corpus, "الامم", "--width", "10", "--color", "never")
    assert r.exit_code == 0
    rows = [line for line in r.stdout.splitlines() if RLE in line]  # a summary line may precede
    assert len(rows) == 4
    for row in rows:
        assert PDF in row and row.count(RLI) == 2 and row.count(PDI) == 2
        assert row.endswith(PDF + LRM)
    assert NBSP * 10 in rows[0]  # a hit at the start of a document: padding, not spaces
    assert "\t" not in r.stdout


def test_kwic_screen_keyword_column_is_aligned(invoke, tty):
    r = invoke("kwic", "سوريا", "--limit", "12", "--color", "always", env={"COLUMNS": "100"})
    assert r.exit_code == 0
    columns = set()
    rows = [row for row in r.stdout.splitlines() if "\x1b[1;31m" in row]
    assert len(rows) == 12
    for row in rows:
        keyword = row.index("\x1b[1;31m")
        columns.add(cell_width(plain(row[:keyword])))
    assert len(columns) == 1


#: Ids as a newspaper corpus has them: a folder and a date, the same first 12 characters.
NEWS_IDS = ["alweeam/2015-07-22_01644", "alweeam/2015-07-22_01645", "alweeam/2015-07-23_00012"]


@pytest.fixture
def news_corpus(tmp_path: Path) -> Path:
    for doc_id in NEWS_IDS:
        path = tmp_path / "news" / f"{doc_id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("قالت الوزارة إن الأمم المتحدة تجتمع\n", encoding="utf-8")
    return tmp_path / "news"


def kwic_labels(stdout: str) -> list[str]:
    """The document label of each kwic screen row (before ``:line``)."""
    rows = [plain(row) for row in stdout.splitlines() if RLE in row]
    return [row.split(" ", 1)[0].rpartition(":")[0] for row in rows]


def test_kwic_screen_shows_whole_ids_when_they_fit(invoke, news_corpus, tty):
    r = kwic(invoke, news_corpus, "الامم", "--color", "never", env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.stderr
    assert kwic_labels(r.stdout) == NEWS_IDS
    assert all(cell_width(plain(row)) <= 80 for row in r.stdout.splitlines())


def test_kwic_screen_cuts_ids_to_an_end_that_names_one_document(invoke, news_corpus, tty):
    r = kwic(invoke, news_corpus, "الامم", "--color", "never", env={"COLUMNS": "60"})
    assert r.exit_code == 0, r.stderr
    labels = kwic_labels(r.stdout)
    assert len(labels) == 3 and len(set(labels)) == 3
    for label, doc_id in zip(labels, NEWS_IDS, strict=True):
        assert label.startswith(ELLIPSIS) and cell_width(label) <= 12
        assert [i for i in NEWS_IDS if i.endswith(label[1:])] == [doc_id]


def test_id_labels_never_name_two_ids():
    from corpus_cli.output.screen import id_labels

    assert id_labels(["a", "sub/c"], 12) == {"a": "a", "sub/c": "sub/c"}
    ids = [*NEWS_IDS, "alyaum/2015-07-22_01644", "2015-07-22_01644", "okaz/2015-08-01_00001"]
    for room in range(1, 30):
        labels = id_labels(ids, room)
        for doc_id, label in labels.items():
            if label == doc_id:
                continue  # whole: it fits, or no end of it that fits names it alone
            assert label.startswith(ELLIPSIS) and cell_width(label) <= room
            assert [i for i in ids if i.endswith(label[1:])] == [doc_id]
        fits = [i for i in ids if cell_width(i) <= room]
        assert all(labels[i] == i for i in fits)
    # an id that ends another cannot be cut, nor can the other below it
    assert id_labels(["alyaum/2015-07-22_01644", "2015-07-22_01644"], 10) == {
        "alyaum/2015-07-22_01644": "alyaum/2015-07-22_01644",
        "2015-07-22_01644": "2015-07-22_01644",
    }


def test_empty_pattern_is_an_error_for_kwic(invoke):
    assert_one_error_line(invoke("kwic", ""), "empty")


def test_kwic_shows_the_original_match(invoke, small_corpus):
    r = kwic(invoke, small_corpus, "الامم", "--format", "jsonl")
    assert "الأُمَمُ" in [rec["match"] for rec in jsonl(r.stdout)]


def test_cli_kwic_tsv_and_jsonl_clitics(invoke):
    r = piped(invoke, "kwic", "--clitics", "--format", "tsv", "مدرسة", text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    rows = tsv(r.stdout)
    assert rows[0] == ["doc", "line", "start", "end", "before", "match", "after", "clitics"]
    assert [(row[5], row[7]) for row in rows[1:]] == [("مدرستها", "مدرست+ها")]

    r = piped(invoke, "kwic", "--clitics", "--format", "jsonl", "مال", text=CLITIC_TEXT)
    [record] = jsonl(r.stdout)
    assert record["match"] == "كمال"
    assert record["clitics"] == {"pre": "ك", "stem": "مال", "post": ""}


def test_cli_kwic_without_clitics_has_no_clitics_column(invoke):
    r = piped(invoke, "kwic", "--format", "tsv", "مصر", text=CLITIC_TEXT)
    assert tsv(r.stdout)[0] == ["doc", "line", "start", "end", "before", "match", "after"]
    r = piped(invoke, "kwic", "--format", "jsonl", "مصر", text=CLITIC_TEXT)
    assert all("clitics" not in rec for rec in jsonl(r.stdout))


def test_cli_kwic_screen_shows_split_column(invoke, tty):
    r = piped(invoke, "kwic", "--clitics", "الأمن", "--color", "never", text=CLITIC_TEXT)
    assert r.exit_code == 0, r.stderr
    assert "3 lines" in r.stdout
    for split in ("و+ل+ال+أمن", "ب+ال+أمن", "ل+ال+أمن"):
        assert split in r.stdout


def test_fold_settings_in_kwic_screen_header(invoke, tty):
    r = piped(invoke, "kwic", "على", "--fold", "yeh", "--color", "never", text="على علي\n")
    assert r.exit_code == 0, r.stderr
    header = r.stdout.splitlines()[0]
    assert "2 lines" in header
    assert "standard +yeh" in header
    r = piped(invoke, "kwic", "على", "--keep", "digits", "--color", "never", text="على علي\n")
    assert "standard -digits" in r.stdout.splitlines()[0]


def test_explain_keep_digits(invoke):
    r = piped(invoke, "kwic", "--explain", "--keep", "digits", "2254", text="2254\n")
    [line] = [ln for ln in r.stderr.splitlines() if "standard -digits" in ln]
    steps = line.rsplit(": ", 1)[1].split(", ")
    assert "digits" not in steps
    assert {"marks", "alef", "nfc"} <= set(steps)


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


def kwic_rows(invoke, text: str, *args: str) -> list[list[str]]:
    r = piped(invoke, "kwic", "--format", "tsv", *args, text=text)
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
    r = piped(invoke, "kwic", "الكتاب", "--sort", key, text=SORT_TEXT)
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")
    assert "sort key" in r.stderr
    assert r.stdout == ""


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
