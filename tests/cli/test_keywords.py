"""``corpus keywords``: the 2x2 counts, keyness measures, p bands, references and output."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from pathlib import Path

import pytest

from corpus_cli.query import stats
from tests.conftest import TOL, jsonl, screen, tsv_records, write_corpus

#: target: سلام×4 ورد×3 بيت×2 حرب×1 شمس×1 = 11 tokens
#: ref_a: حرب×4 بيت×3 قمر×2 سلام×1 ورد×1 = 11;  ref_b: بيت×3 نهر×3 حرب×2 قمر×2 = 10
KW_DOCS = {
    "target": "سلام ورد حرب سلام بيت\nورد سلام شمس بيت ورد سلام\n",
    "ref_a": "حرب قمر حرب بيت سلام\nحرب بيت ورد قمر بيت حرب\n",
    "ref_b": "حرب نهر بيت قمر نهر\nبيت حرب نهر قمر بيت\n",
}


KW_C, KW_D = 11, 21


#: key -> (a, b)
KW_POSITIVE = {"سلام": (4, 1), "ورد": (3, 1), "شمس": (1, 0)}


KW_NEGATIVE = {"قمر": (0, 4), "نهر": (0, 3), "حرب": (1, 6), "بيت": (2, 6)}


KEYNESS = ["g2", "g2-2term", "chi2", "logratio", "pctdiff", "simplemaths"]


REF_TSV_ROWS = "سلام\t1\nورد\t1\nحرب\t4\nحَرْب\t2\nبيت\t4\nقمر\t4\nنهر\t3\nبيت\t2\n"


@pytest.fixture
def kw_corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "kw", KW_DOCS)


@pytest.fixture
def kw_split(tmp_path: Path) -> tuple[Path, Path]:
    """The target alone, and the two reference documents in their own directory."""
    target = write_corpus(tmp_path / "target", {"target": KW_DOCS["target"]})
    reference = write_corpus(tmp_path / "reference", {k: v for k, v in KW_DOCS.items() if k != "target"})
    return target, reference


def xlnx(o: float, e: float) -> float:
    return o * math.log(o / e) if o > 0 else 0.0


def hand_keyness(measure: str, a: int, b: int, c: int, d: int, k: float = 1.0) -> float:
    """The statistics.md §4.4 formulas; signed (positive when a/c > b/d) where they are not ratios."""
    sign = 1 if a / c > b / d else -1
    cells = [a, b, c - a, d - b]
    n = c + d
    expected = [(a + b) * c / n, (a + b) * d / n, (n - a - b) * c / n, (n - a - b) * d / n]
    if measure == "g2":
        return sign * 2 * sum(xlnx(o, e) for o, e in zip(cells, expected, strict=True))
    if measure == "g2-2term":
        return sign * 2 * (xlnx(a, expected[0]) + xlnx(b, expected[1]))
    if measure == "chi2":
        return sign * sum((o - e) ** 2 / e for o, e in zip(cells, expected, strict=True))
    if measure == "logratio":
        return math.log2(((a or 0.5) / c) / ((b or 0.5) / d))
    if measure == "pctdiff":
        return math.inf if b == 0 else (a / c - b / d) * 100 / (b / d)
    assert measure == "simplemaths"
    return (a / c * 1e6 + k) / (b / d * 1e6 + k)


def hand_band(g2: float) -> str:
    for band, critical in (
        ("<0.0001", 15.13671),
        ("<0.001", 10.82757),
        ("<0.01", 6.634897),
        ("<0.05", 3.841459),
    ):
        if abs(g2) >= critical:
            return band
    return ">0.05"


def keywords(invoke, *args: str) -> tuple[int, list[dict]]:
    r = invoke("keywords", "--format", "jsonl", *args)
    assert r.exit_code in (0, 1), r.stderr
    return r.exit_code, jsonl(r.stdout)


def check_keyword_row(
    row: dict, measure: str, expected: dict[str, tuple[int, int]], c: int, d: int, k: float = 1.0
):
    a, b = expected[row["key"]]
    assert (row["a"], row["b"], row["c"], row["d"]) == (a, b, c, d)
    score = row[measure]
    for reference in (stats.keyness_score(measure, a, b, c, d, k=k), hand_keyness(measure, a, b, c, d, k)):
        if math.isinf(reference):
            assert score is None  # JSON has no Infinity: an infinite score is null
        else:
            assert score == pytest.approx(reference, abs=TOL)
    g2 = stats.ll_4term(a, b, c, d)
    assert abs(row["g2"]) == pytest.approx(g2, abs=TOL)
    assert abs(row["g2"]) == pytest.approx(abs(hand_keyness("g2", a, b, c, d)), abs=TOL)
    assert row["p"] == pytest.approx(math.erfc(math.sqrt(g2 / 2)), abs=TOL)
    assert row["p"] == pytest.approx(stats.chi2_sf_1df(g2), abs=TOL)
    assert row["band"] == hand_band(g2) == stats.p_value_band(g2)


def test_keywords_counts_a_b_c_d_exactly(invoke, kw_corpus):
    code, rows = keywords(invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1")
    assert code == 0
    assert {row["key"]: (row["a"], row["b"]) for row in rows} == KW_POSITIVE
    assert {(row["c"], row["d"]) for row in rows} == {(KW_C, KW_D)}
    code, rows = keywords(
        invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1", "--negative"
    )
    assert code == 0
    assert {row["key"]: (row["a"], row["b"]) for row in rows} == KW_NEGATIVE
    # the fixture data agrees with a plain count
    target = Counter(KW_DOCS["target"].split())
    rest = Counter(KW_DOCS["ref_a"].split()) + Counter(KW_DOCS["ref_b"].split())
    assert (sum(target.values()), sum(rest.values())) == (KW_C, KW_D)
    assert {w: (target[w], rest[w]) for w in target | rest} == KW_POSITIVE | KW_NEGATIVE


@pytest.mark.parametrize("measure", KEYNESS)
def test_keywords_score_per_measure(invoke, kw_corpus, measure):
    args = ("-C", str(kw_corpus), "--target", "target", "--min-count", "1", "--measure", measure)
    _, positive = keywords(invoke, *args)
    _, negative = keywords(invoke, *args, "--negative")
    assert {row["key"] for row in positive} == set(KW_POSITIVE)
    assert {row["key"] for row in negative} == set(KW_NEGATIVE)
    columns = ["rank", "term", "key", "a", "b", "c", "d", measure] + (["g2"] if measure != "g2" else [])
    for row in positive + negative:
        assert set(row) == {*columns, "p", "band"}
    for row in positive:
        check_keyword_row(row, measure, KW_POSITIVE, KW_C, KW_D)
    for row in negative:
        check_keyword_row(row, measure, KW_NEGATIVE, KW_C, KW_D)


@pytest.mark.parametrize("measure", KEYNESS)
def test_keywords_positive_and_negative_order_and_sign(invoke, kw_corpus, measure):
    args = ("-C", str(kw_corpus), "--target", "target", "--min-count", "1", "--measure", measure)
    _, positive = keywords(invoke, *args)
    _, negative = keywords(invoke, *args, "--negative")
    neutral = 1.0 if measure == "simplemaths" else 0.0
    for row in positive:
        assert row["a"] / row["c"] > row["b"] / row["d"]
        assert row[measure] is None or row[measure] > neutral
    for row in negative:
        assert row["a"] / row["c"] < row["b"] / row["d"]
        assert row[measure] < neutral
    # JSON null stands for an infinite score (pctdiff of a word absent from the reference)
    up = [math.inf if row[measure] is None else row[measure] for row in positive]
    down = [row[measure] for row in negative]
    assert up == sorted(up, reverse=True)  # most over-represented first
    assert down == sorted(down)  # most under-represented first
    for rows in (positive, negative):
        assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))


def test_keywords_g2_order_by_hand(invoke, kw_corpus):
    _, positive = keywords(invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1")
    _, negative = keywords(
        invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1", "--negative"
    )
    assert [row["key"] for row in positive] == ["سلام", "ورد", "شمس"]
    assert [row["key"] for row in negative] == ["قمر", "نهر", "حرب", "بيت"]
    assert all(row["g2"] < 0 for row in negative)
    # pctdiff: a word absent from the reference is infinitely over-represented, and ties
    # (−100 for قمر and نهر, both absent from the target) go to the larger b
    _, pct = keywords(
        invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1", "--measure", "pctdiff"
    )
    assert [row["key"] for row in pct] == ["شمس", "سلام", "ورد"]
    assert pct[0]["pctdiff"] is None  # infinite: absent from the reference
    _, pct_neg = keywords(
        invoke,
        "-C",
        str(kw_corpus),
        "--target",
        "target",
        "--min-count",
        "1",
        "--measure",
        "pctdiff",
        "--negative",
    )
    assert [row["pctdiff"] for row in pct_neg[:2]] == [-100.0, -100.0]
    assert [row["key"] for row in pct_neg] == ["قمر", "نهر", "حرب", "بيت"]


def test_keywords_min_count(invoke, kw_corpus):
    # default 2: شمس (a = 1) is left out; in --negative the count is b
    _, rows = keywords(invoke, "-C", str(kw_corpus), "--target", "target")
    assert {row["key"] for row in rows} == {"سلام", "ورد"}
    _, rows = keywords(invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "4")
    assert {row["key"] for row in rows} == {"سلام"}
    _, rows = keywords(invoke, "-C", str(kw_corpus), "--target", "target", "--negative", "--min-count", "4")
    assert {row["key"] for row in rows} == {"قمر", "حرب", "بيت"}


def test_keywords_top(invoke, kw_corpus):
    _, every = keywords(invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1", "--negative")
    _, top = keywords(
        invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1", "--negative", "--top", "2"
    )
    assert top == every[:2]


def test_keywords_simplemaths_k(invoke, kw_corpus):
    for k in ("1", "100", "1000000"):
        _, rows = keywords(
            invoke,
            "-C",
            str(kw_corpus),
            "--target",
            "target",
            "--min-count",
            "1",
            "--measure",
            "simplemaths",
            "--k",
            k,
        )
        for row in rows:
            check_keyword_row(row, "simplemaths", KW_POSITIVE, KW_C, KW_D, k=float(k))
    # a large k favours the commoner word: سلام before شمس
    assert [row["key"] for row in rows] == ["سلام", "ورد", "شمس"]
    _, rows = keywords(
        invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1", "--measure", "simplemaths"
    )
    assert rows[0]["key"] == "شمس"


def test_keywords_p_bands_against_a_large_reference(invoke, kw_split, tmp_path):
    target, reference = kw_split
    big = tmp_path / "big.tsv"
    big.write_text("سلام\t1\nورد\t10\nحرب\t5000\nبيت\t3000\n", encoding="utf-8")
    d = 8011
    _, rows = keywords(invoke, "-C", str(target), "--reference", str(big), "--min-count", "1")
    expected = {"سلام": (4, 1), "ورد": (3, 10), "شمس": (1, 0)}
    assert {row["key"] for row in rows} == set(expected)
    for row in rows:
        check_keyword_row(row, "g2", expected, KW_C, d)
    bands = {row["key"]: row["band"] for row in rows}
    assert bands == {"سلام": "<0.0001", "ورد": "<0.0001", "شمس": "<0.001"}
    # the small reference corpus: one word at <0.05, the rest not significant
    _, rows = keywords(invoke, "-C", str(target), "--reference", str(reference), "--min-count", "1")
    assert {row["key"]: row["band"] for row in rows} == {"سلام": "<0.05", "ورد": ">0.05", "شمس": ">0.05"}


def test_keywords_p_keeps_four_significant_digits(invoke, kw_split, tmp_path):
    target, _ = kw_split
    big = tmp_path / "big.tsv"
    big.write_text("سلام\t1\nورد\t10\nحرب\t5000\nبيت\t3000\n", encoding="utf-8")
    _, rows = keywords(invoke, "-C", str(target), "--reference", str(big), "--min-count", "1")
    salam = next(row for row in rows if row["key"] == "سلام")
    expected = stats.chi2_sf_1df(stats.ll_4term(4, 1, KW_C, 8011))
    assert 0 < expected < 1e-10
    assert salam["p"] == float(f"{expected:.4g}")
    r = invoke("keywords", "-C", str(target), "--reference", str(big), "--min-count", "1")
    assert tsv_records(r.stdout)[0]["p"] == f"{expected:.4g}"


def test_keywords_reference_directory_equals_target_against_rest(invoke, kw_corpus, kw_split):
    target, reference = kw_split
    for extra in ((), ("--negative",)):
        _, against_rest = keywords(
            invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1", *extra
        )
        _, against_ref = keywords(
            invoke, "-C", str(target), "--reference", str(reference), "--min-count", "1", *extra
        )
        assert against_ref == against_rest
        assert against_ref


@pytest.mark.parametrize("header", ["", "term\tcount\n"])
def test_keywords_reference_tsv(invoke, kw_corpus, kw_split, tmp_path, header):
    target, _ = kw_split
    freq = tmp_path / "ref.tsv"
    # حرب is split over a bare and a vocalized spelling, بيت over two lines: both are summed
    freq.write_text(header + REF_TSV_ROWS, encoding="utf-8")
    for extra, expected in (((), KW_POSITIVE), (("--negative",), KW_NEGATIVE)):
        code, rows = keywords(invoke, "-C", str(target), "--reference", str(freq), "--min-count", "1", *extra)
        assert code == 0
        assert {row["key"] for row in rows} == set(expected)
        for row in rows:
            check_keyword_row(row, "g2", expected, KW_C, KW_D)
        _, against_rest = keywords(
            invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1", *extra
        )
        assert [(r["key"], r["g2"]) for r in rows] == [(r["key"], r["g2"]) for r in against_rest]


def test_keywords_reference_tsv_malformed_line_exits_2(invoke, kw_split, tmp_path):
    target, _ = kw_split
    freq = tmp_path / "bad.tsv"
    freq.write_text("term\tcount\nسلام\t1\nحرب خمسة\n", encoding="utf-8")
    r = invoke("keywords", "-C", str(target), "--reference", str(freq))
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")
    assert f"{freq}:3:" in r.stderr
    assert r.stdout == ""


def test_keywords_target_by_doc_prefix(invoke, kw_corpus):
    _, by_id = keywords(invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1")
    _, by_prefix = keywords(invoke, "-C", str(kw_corpus), "--target", "tar", "--min-count", "1")
    assert by_prefix == by_id
    # two targets: the rest is ref_b alone; حرب (5/22 against 2/10) becomes key
    _, rows = keywords(
        invoke, "-C", str(kw_corpus), "--target", "tar", "--target", "ref_a", "--min-count", "1"
    )
    expected = {"سلام": (5, 0), "ورد": (4, 0), "شمس": (1, 0), "حرب": (5, 2)}
    assert {row["key"] for row in rows} == set(expected)
    for row in rows:
        check_keyword_row(row, "g2", expected, 22, 10)


def test_keywords_ambiguous_or_unknown_target_exits_2(invoke, kw_corpus):
    for ref, word in (("ref", "ambiguous"), ("zzz", "unknown")):
        r = invoke("keywords", "-C", str(kw_corpus), "--target", ref)
        assert r.exit_code == 2
        assert r.stderr.startswith("corpus: ") and word in r.stderr


def test_keywords_needs_target_or_reference(invoke, kw_corpus):
    r = invoke("keywords", "-C", str(kw_corpus))
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")
    assert "--target" in r.stderr and "--reference" in r.stderr


@pytest.fixture
def kw_folders(tmp_path: Path) -> Path:
    """The keywords corpus as two folders: t/ the target, r/ the two reference documents."""
    write_corpus(tmp_path / "kwf" / "t", {"target": KW_DOCS["target"]})
    write_corpus(tmp_path / "kwf" / "r", {k: v for k, v in KW_DOCS.items() if k != "target"})
    return tmp_path / "kwf"


def test_keywords_of_a_folder_and_by_folder(invoke, kw_folders):
    # the folder r/ (two documents) against the rest, t/: the target's negatives, sides swapped
    swapped = {key: (b, a) for key, (a, b) in KW_NEGATIVE.items()}
    for folder in ("r", "r/"):
        code, rows = keywords(invoke, "-C", str(kw_folders), "--target", folder, "--min-count", "1")
        assert code == 0 and {row["key"] for row in rows} == set(swapped)
        for row in rows:
            check_keyword_row(row, "g2", swapped, KW_D, KW_C)
    _, of_r = keywords(invoke, "-C", str(kw_folders), "--target", "r", "--min-count", "1")
    _, of_t = keywords(invoke, "-C", str(kw_folders), "--target", "t", "--min-count", "1")
    _, by = keywords(invoke, "-C", str(kw_folders), "--by", "folder", "--min-count", "1")
    assert by == [{"by": "r", **row} for row in of_r] + [{"by": "t", **row} for row in of_t]
    r = invoke("keywords", "-C", str(kw_folders), "--by", "folder", "--target", "t")
    assert r.exit_code == 2 and "--target and --by" in r.stderr


def test_keywords_reference_is_picked_by_reference_glob_not_glob(invoke, kw_corpus):
    """--glob picks the target's files; the reference directory is read with
    --reference-glob, so the two sides are never silently the same documents."""
    base = ("-C", str(kw_corpus), "--glob", "target*", "--min-count", "1")
    _, against_rest = keywords(invoke, "-C", str(kw_corpus), "--target", "target", "--min-count", "1")
    _, rows = keywords(invoke, *base, "--reference", str(kw_corpus), "--reference-glob", "ref_*")
    assert rows == against_rest
    # the default: every text file of the reference, the target's own included (a warning)
    r = invoke("keywords", *base, "--reference", str(kw_corpus), "--format", "jsonl")
    assert r.exit_code == 0
    assert {(row["c"], row["d"]) for row in jsonl(r.stdout)} == {(KW_C, KW_C + KW_D)}
    assert "1 of the target's 1 documents are also in the reference" in r.stderr
    # the same documents on both sides: every score would be 0
    r = invoke("keywords", *base, "--reference", str(kw_corpus), "--reference-glob", "target*")
    assert (r.exit_code, r.stdout) == (2, "")
    assert "the target and the reference are the same 1 documents" in r.stderr
    r = invoke("keywords", "-C", str(kw_corpus), "--target", "target", "--reference-glob", "*.txt")
    assert r.exit_code == 2 and "--reference-glob needs --reference" in r.stderr


def test_keywords_whole_corpus_as_target_exits_2(invoke, kw_corpus):
    args = ("--target", "target", "--target", "ref_a", "--target", "ref_b")
    r = invoke("keywords", "-C", str(kw_corpus), *args)
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")


def test_keywords_unknown_measure_exits_2(invoke, kw_corpus):
    r = invoke("keywords", "-C", str(kw_corpus), "--target", "target", "--measure", "pmi")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ") and "unknown measure 'pmi'" in r.stderr
    assert r.stdout == ""


def test_keywords_nothing_found_exits_1(invoke, kw_corpus):
    r = invoke("keywords", "-C", str(kw_corpus), "--target", "target", "--min-count", "99")
    assert r.exit_code == 1
    assert r.stdout.splitlines() == ["rank\tterm\tkey\ta\tb\tc\td\tg2\tp\tband"]


def test_keywords_tsv_and_csv(invoke, kw_corpus):
    args = (
        "keywords",
        "-C",
        str(kw_corpus),
        "--target",
        "target",
        "--min-count",
        "1",
        "--measure",
        "logratio",
    )
    r_tsv = invoke(*args)
    r_csv = invoke(*args, "--format", "csv")
    assert r_tsv.exit_code == r_csv.exit_code == 0
    rows_tsv = tsv_records(r_tsv.stdout)
    assert rows_tsv == list(csv.DictReader(io.StringIO(r_csv.stdout)))
    assert list(rows_tsv[0]) == ["rank", "term", "key", "a", "b", "c", "d", "logratio", "g2", "p", "band"]
    for row in rows_tsv:
        a, b = KW_POSITIVE[row["key"]]
        assert (int(row["a"]), int(row["b"]), int(row["c"]), int(row["d"])) == (a, b, KW_C, KW_D)
        assert row["logratio"] == f"{stats.log_ratio_keyness(a, b, KW_C, KW_D):.4f}"
        assert row["g2"] == f"{stats.ll_4term(a, b, KW_C, KW_D):.4f}"
        g2 = stats.ll_4term(a, b, KW_C, KW_D)
        assert row["band"] == stats.p_value_band(g2)
        assert row["p"] == f"{stats.chi2_sf_1df(g2):.4g}"


def test_keywords_table(invoke, kw_corpus, tty):
    r = invoke(
        "keywords", "-C", str(kw_corpus), "--target", "target", "--min-count", "1", "--color", "never",
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    out = screen(r.stdout)
    assert "┃" in out and "│" in out
    body = [
        [c.strip() for c in line.strip().strip("│").split("│")] for line in out.splitlines() if "│" in line
    ]
    assert [row[1] for row in body] == ["سلام", "ورد", "شمس"]
    for row in body:
        a, b = KW_POSITIVE[row[1]]
        g2 = f"{stats.ll_4term(a, b, KW_C, KW_D):.4f}"
        assert str(a) in row and str(b) in row and "11" in row and "21" in row
        assert g2 in row
        assert stats.p_value_band(stats.ll_4term(a, b, KW_C, KW_D)) in row
        assert f"{stats.chi2_sf_1df(stats.ll_4term(a, b, KW_C, KW_D)):.4g}" in row


def test_keywords_table_hides_the_key_column(invoke, kw_corpus, tty):
    r = invoke(
        "keywords", "-C", str(kw_corpus), "--target", "target", "--color", "never", env={"COLUMNS": "200"}
    )
    assert r.exit_code == 0
    header = next(line for line in screen(r.stdout).splitlines() if "rank" in line)
    assert [c.strip() for c in header.strip().strip("┃").split("┃")] == [
        "rank",
        "term",
        "a",
        "b",
        "c",
        "d",
        "g2",
        "p",
        "band",
    ]


def test_keywords_jsonl_is_strict_json_with_an_infinite_score(invoke, kw_corpus):
    r = invoke(
        "keywords", "-C", str(kw_corpus), "--target", "target", "--min-count", "1", "--measure", "pctdiff",
        "--format", "jsonl",
    )  # fmt: skip
    assert r.exit_code == 0

    def reject(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    for line in r.stdout.splitlines():
        json.loads(line, parse_constant=reject)
