"""``corpus collocates``: window counts, association measures, stopwords and output."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus_cli.query import stats
from tests.conftest import TOL, jsonl, screen, tsv_records, write_corpus

#: كتاب is the node.  d1 has two nodes two tokens apart (كتاب جديد كتاب) so that one
#: token sits in two windows; d2 ends with a node and d3 starts with جديد, which a window
#: crossing documents would pick up.  d3 has clitic and derived forms of the node; d4 is
#: filler, so that f(node)·W stays below N (R1 is capped at N otherwise).
COLL_DOCS = {
    "d1": "جديد كتاب مفيد في بيت كتاب جديد كتاب\n",
    "d2": "كتاب قديم شمس قمر نهر في كتاب\n",
    "d3": "جديد بحر جبل ورد الكتاب بالكتاب في نهر كتابات\n",
    "d4": "سماء نجم غيم مطر ريح ثلج برق رعد فجر ليل صبح ظهر عصر غروب حديقة\n",
}


COLL_N = 39


COLL_F_NODE = 5


#: 2L 2R by hand: key -> (o11, left, right, f_coll).
#: d1 node@1: L جديد | R مفيد في;  node@5: L في بيت | R جديد كتاب;  node@7: L كتاب جديد
#: d2 node@0: R قديم شمس;  node@6: L نهر في (and nothing from d3)
COLL_2L2R = {
    "جديد": (3, 2, 1, 3),
    "في": (3, 2, 1, 3),
    "كتاب": (2, 1, 1, 5),
    "مفيد": (1, 0, 1, 1),
    "بيت": (1, 1, 0, 1),
    "قديم": (1, 0, 1, 1),
    "شمس": (1, 0, 1, 1),
    "نهر": (1, 1, 0, 2),
}


MEASURES = ["mi", "mi3", "t", "z", "logdice", "g2", "dice"]


@pytest.fixture
def coll_corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "coll", COLL_DOCS)


def window_counts(
    texts: list[str], is_node: Callable[[str], bool], left: int, right: int
) -> tuple[int, int, Counter[str], Counter[str], Counter[str]]:
    """Brute force: f_node, N, left and right co-occurrences (each window counts), frequencies."""
    f_node = n = 0
    near_left: Counter[str] = Counter()
    near_right: Counter[str] = Counter()
    freq: Counter[str] = Counter()
    for text in texts:
        tokens = text.split()
        n += len(tokens)
        freq.update(tokens)
        for i, token in enumerate(tokens):
            if is_node(token):
                f_node += 1
                near_left.update(tokens[max(0, i - left) : i])
                near_right.update(tokens[i + 1 : i + 1 + right])
    return f_node, n, near_left, near_right, freq


def hand_association(measure: str, o11: int, f_node: int, f_coll: int, n: int, w: int) -> float:
    """The statistics.md §4.3 formulas, written out with R1 = f(node)·W."""
    r1 = f_node * w
    e11 = r1 * f_coll / n
    if measure == "mi":
        return math.log2(o11 / e11)
    if measure == "mi3":
        return math.log2(o11**3 / e11)
    if measure == "t":
        return (o11 - e11) / math.sqrt(o11)
    if measure == "z":
        return (o11 - e11) / math.sqrt(e11)
    if measure == "dice":
        return 2 * o11 / (f_node + f_coll)
    if measure == "logdice":
        return 14 + math.log2(2 * o11 / (f_node + f_coll))
    assert measure == "g2"
    observed = [o11, r1 - o11, f_coll - o11, n - r1 - f_coll + o11]
    rows = [r1, r1, n - r1, n - r1]
    cols = [f_coll, n - f_coll, f_coll, n - f_coll]
    expected = [r * c / n for r, c in zip(rows, cols, strict=True)]
    value = 2 * sum(o * math.log(o / e) for o, e in zip(observed, expected, strict=True) if o > 0)
    return -value if o11 < e11 else value


def collocates(invoke, corpus: Path, *args: str) -> tuple[int, list[dict]]:
    r = invoke("collocates", "كتاب", "-C", str(corpus), "--format", "jsonl", *args)
    assert r.exit_code in (0, 1), r.stderr
    return r.exit_code, jsonl(r.stdout)


def test_collocates_window_counts_by_hand(invoke, coll_corpus):
    code, rows = collocates(invoke, coll_corpus, "--window", "2", "--min-freq", "1", "--top", "0")
    assert code == 0
    got = {row["key"]: (row["o11"], row["left"], row["right"], row["f_coll"]) for row in rows}
    assert got == COLL_2L2R
    for row in rows:
        assert row["o11"] == row["left"] + row["right"]
        assert (row["f_node"], row["n"], row["window"]) == (COLL_F_NODE, COLL_N, "2L2R")
        assert row["collocate"] == row["key"]
    # the same counts from the brute-force reference
    f_node, n, near_left, near_right, freq = window_counts(list(COLL_DOCS.values()), "كتاب".__eq__, 2, 2)
    assert (f_node, n) == (COLL_F_NODE, COLL_N)
    assert got == {k: (near_left[k] + near_right[k], near_left[k], near_right[k], freq[k]) for k in got}


def test_collocates_windows_never_cross_documents(invoke, coll_corpus):
    _, rows = collocates(invoke, coll_corpus, "--window", "2", "--min-freq", "1", "--top", "0")
    by_key = {row["key"]: row for row in rows}
    # d2 ends with the node, d3 starts with جديد بحر: neither is in its right window
    assert by_key["جديد"]["right"] == 1
    assert "بحر" not in by_key
    # and d1's last node is not a left neighbour of d2's first one
    assert by_key["كتاب"]["left"] == 1


def test_collocates_each_window_counts_even_when_windows_overlap(invoke, coll_corpus):
    # "كتاب جديد كتاب" in d1: جديد is right of one node and left of the next
    _, rows = collocates(invoke, coll_corpus, "--window", "1", "--min-freq", "1", "--top", "0")
    by_key = {row["key"]: row for row in rows}
    assert (by_key["جديد"]["left"], by_key["جديد"]["right"]) == (2, 1)
    assert by_key["جديد"]["o11"] == 3


def test_collocates_e11_is_f_node_f_coll_w_over_n(invoke, coll_corpus):
    for window in (1, 2):
        _, rows = collocates(invoke, coll_corpus, "--window", str(window), "--min-freq", "1", "--top", "0")
        assert rows
        w = 2 * window
        for row in rows:
            assert row["e11"] == pytest.approx(COLL_F_NODE * row["f_coll"] * w / COLL_N, abs=TOL)
    # e.g. جديد in 2L2R: 5·3·4/39 = 60/39
    _, rows = collocates(invoke, coll_corpus, "--window", "2", "--min-freq", "1")
    assert next(row["e11"] for row in rows if row["key"] == "جديد") == round(60 / 39, 4)


def test_collocates_r1_is_capped_at_n_in_a_tiny_corpus(invoke, tmp_path):
    # f(node)·W = 2·10 > N = 4: stats.contingency caps R1 at N, so E11 = N·f(coll)/N = f(coll)
    corpus = write_corpus(tmp_path / "tiny", {"a": "كتاب جديد كتاب قديم\n"})
    _, rows = collocates(invoke, corpus, "--min-freq", "1", "--measure", "mi")
    by_key = {row["key"]: row for row in rows}
    assert {k: (r["o11"], r["left"], r["right"]) for k, r in by_key.items()} == {
        "جديد": (2, 1, 1),
        "قديم": (2, 0, 2),
        "كتاب": (2, 1, 1),
    }
    for row in rows:
        assert (row["f_node"], row["n"], row["window"]) == (2, 4, "5L5R")
        assert row["e11"] == row["f_coll"]
        table = stats.contingency(row["o11"], 2, row["f_coll"], 4, window=10)
        assert row["e11"] == pytest.approx(table.e11, abs=TOL)
        assert row["mi"] == pytest.approx(math.log2(row["o11"] / row["f_coll"]), abs=TOL)


@pytest.mark.parametrize("measure", MEASURES)
def test_collocates_measure_equals_formula_and_stats(invoke, coll_corpus, measure):
    _, rows = collocates(
        invoke, coll_corpus, "--window", "2", "--min-freq", "1", "--top", "0", "--measure", measure.upper()
    )
    assert {row["key"] for row in rows} == set(COLL_2L2R)
    for row in rows:
        assert list(row) == [
            "rank",
            "collocate",
            "key",
            "o11",
            "left",
            "right",
            "e11",
            "f_coll",
            measure,
            "f_node",
            "n",
            "window",
        ]
        o11, f_coll = row["o11"], row["f_coll"]
        table = stats.contingency(o11, COLL_F_NODE, f_coll, COLL_N, window=4)
        assert row[measure] == pytest.approx(stats.ASSOCIATION[measure](table), abs=TOL)
        assert row[measure] == pytest.approx(
            hand_association(measure, o11, COLL_F_NODE, f_coll, COLL_N, 4), abs=TOL
        )
    # ranked by the score, best first
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    scores = [row[measure] for row in rows]
    assert scores == sorted(scores, reverse=True)


def test_collocates_default_measure_is_logdice_and_default_min_freq_is_2(invoke, coll_corpus):
    _, rows = collocates(invoke, coll_corpus, "--window", "2")
    assert "logdice" in rows[0]
    assert {row["key"] for row in rows} == {k for k, v in COLL_2L2R.items() if v[0] >= 2}
    # جديد: 14 + log2(2·3/(5 + 3))
    jadid = next(row for row in rows if row["key"] == "جديد")
    assert jadid["logdice"] == pytest.approx(14 + math.log2(6 / 8), abs=TOL)


def test_collocates_min_freq(invoke, coll_corpus):
    for min_freq in (1, 2, 3, 4):
        code, rows = collocates(invoke, coll_corpus, "--window", "2", "--min-freq", str(min_freq))
        expected = {k for k, v in COLL_2L2R.items() if v[0] >= min_freq}
        assert {row["key"] for row in rows} == expected
        assert code == (0 if expected else 1)


def test_collocates_top(invoke, coll_corpus):
    _, every = collocates(invoke, coll_corpus, "--window", "2", "--min-freq", "1", "--top", "0")
    assert len(every) == len(COLL_2L2R)
    _, top3 = collocates(invoke, coll_corpus, "--window", "2", "--min-freq", "1", "--top", "3")
    assert top3 == every[:3]
    # the default shows at most 20 rows; all 8 here
    _, default = collocates(invoke, coll_corpus, "--window", "2", "--min-freq", "1")
    assert default == every


def test_collocates_builtin_stopwords_drop_function_words(invoke, coll_corpus):
    _, rows = collocates(invoke, coll_corpus, "--window", "2", "--min-freq", "1", "--stopwords", "builtin")
    keys = {row["key"] for row in rows}
    assert "في" not in keys
    assert keys == set(COLL_2L2R) - {"في"}
    # the other rows keep their counts: f_node and N are not changed by the filter
    for row in rows:
        assert (row["o11"], row["left"], row["right"], row["f_coll"]) == COLL_2L2R[row["key"]]
        assert (row["f_node"], row["n"]) == (COLL_F_NODE, COLL_N)


def test_collocates_stopwords_file(invoke, coll_corpus, tmp_path):
    stop = tmp_path / "stop.txt"
    stop.write_text("# my list\nجَدِيد\n\nمفيد  # a comment\n", encoding="utf-8")
    _, rows = collocates(invoke, coll_corpus, "--window", "2", "--min-freq", "1", "--stopwords", str(stop))
    assert {row["key"] for row in rows} == set(COLL_2L2R) - {"جديد", "مفيد"}


def test_collocates_stopwords_missing_file_exits_2(invoke, coll_corpus, tmp_path):
    r = invoke("collocates", "كتاب", "-C", str(coll_corpus), "--stopwords", str(tmp_path / "nope.txt"))
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        # L1: جديد (d1@1), بيت (d1@5), جديد (d1@7), في (d2@6)
        ("1", "0", {"جديد": (2, 2, 0), "بيت": (1, 1, 0), "في": (1, 1, 0)}),
        # R1: مفيد (d1@1), جديد (d1@5), قديم (d2@0)
        ("0", "1", {"مفيد": (1, 0, 1), "جديد": (1, 0, 1), "قديم": (1, 0, 1)}),
        # L2 R1
        (
            "2",
            "1",
            {"جديد": (3, 2, 1), "في": (2, 2, 0), "بيت": (1, 1, 0), "كتاب": (1, 1, 0)}
            | {"نهر": (1, 1, 0), "مفيد": (1, 0, 1), "قديم": (1, 0, 1)},
        ),
    ],
)
def test_collocates_asymmetric_window(invoke, coll_corpus, left, right, expected):
    _, rows = collocates(
        invoke, coll_corpus, "--left", left, "--right", right, "--min-freq", "1", "--top", "0"
    )
    assert {row["key"]: (row["o11"], row["left"], row["right"]) for row in rows} == expected
    w = int(left) + int(right)
    f_node, n, near_left, near_right, freq = window_counts(
        list(COLL_DOCS.values()), "كتاب".__eq__, int(left), int(right)
    )
    for row in rows:
        assert row["window"] == f"{left}L{right}R"
        assert (row["left"], row["right"]) == (near_left[row["key"]], near_right[row["key"]])
        assert row["e11"] == pytest.approx(f_node * freq[row["key"]] * w / n, abs=TOL)
        table = stats.contingency(row["o11"], f_node, row["f_coll"], n, window=w)
        assert row["logdice"] == pytest.approx(stats.log_dice(table), abs=TOL)


def test_collocates_left_right_override_window_one_side_at_a_time(invoke, coll_corpus):
    _, rows = collocates(invoke, coll_corpus, "--window", "2", "--left", "1", "--min-freq", "1")
    assert {row["window"] for row in rows} == {"1L2R"}
    _, _, near_left, near_right, _ = window_counts(list(COLL_DOCS.values()), "كتاب".__eq__, 1, 2)
    assert {row["key"]: (row["left"], row["right"]) for row in rows} == {
        k: (near_left[k], near_right[k]) for k in set(near_left) | set(near_right)
    }


def test_collocates_empty_window_exits_2(invoke, coll_corpus):
    r = invoke("collocates", "كتاب", "-C", str(coll_corpus), "--window", "0")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ") and "window" in r.stderr


@pytest.mark.parametrize(
    ("option", "is_node", "f_node"),
    [
        # whole words: only كتاب itself
        ((), "كتاب".__eq__, 5),
        # inside words: also الكتاب, بالكتاب and كتابات
        (("--substring",), lambda t: "كتاب" in t, 8),
        # with clitics: الكتاب (ال+كتاب) and بالكتاب (ب+ال+كتاب), not كتابات
        (("--clitics",), {"كتاب", "الكتاب", "بالكتاب"}.__contains__, 7),
    ],
)
def test_collocates_matching_options_change_f_node(invoke, coll_corpus, option, is_node, f_node):
    _, rows = collocates(invoke, coll_corpus, "--window", "2", "--min-freq", "1", "--top", "0", *option)
    assert rows
    assert {row["f_node"] for row in rows} == {f_node}
    ref_f_node, n, near_left, near_right, freq = window_counts(list(COLL_DOCS.values()), is_node, 2, 2)
    assert ref_f_node == f_node
    expected = {k: (near_left[k], near_right[k], freq[k]) for k in set(near_left) | set(near_right)}
    assert {row["key"]: (row["left"], row["right"], row["f_coll"]) for row in rows} == expected
    for row in rows:
        assert row["e11"] == pytest.approx(f_node * row["f_coll"] * 4 / n, abs=TOL)


def test_collocates_unknown_measure_exits_2(invoke, coll_corpus):
    r = invoke("collocates", "كتاب", "-C", str(coll_corpus), "--measure", "pmi2")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ") and "unknown measure" in r.stderr
    assert r.stdout == ""


def test_collocates_no_hit_exits_1(invoke, coll_corpus):
    r = invoke("collocates", "سيارة", "-C", str(coll_corpus))
    assert r.exit_code == 1
    assert tsv_records(r.stdout) == []
    assert r.stdout.startswith("rank\tcollocate\tkey\to11")


def test_collocates_tsv_and_csv(invoke, coll_corpus):
    args = (
        "collocates",
        "كتاب",
        "-C",
        str(coll_corpus),
        "--window",
        "2",
        "--min-freq",
        "1",
        "--measure",
        "t",
    )
    r_tsv = invoke(*args)
    r_csv = invoke(*args, "--format", "csv")
    r_json = invoke(*args, "--format", "jsonl")
    assert r_tsv.exit_code == r_csv.exit_code == r_json.exit_code == 0
    rows_tsv = tsv_records(r_tsv.stdout)
    rows_csv = list(csv.DictReader(io.StringIO(r_csv.stdout)))
    assert rows_tsv == rows_csv
    assert list(rows_tsv[0]) == [
        "rank",
        "collocate",
        "key",
        "o11",
        "left",
        "right",
        "e11",
        "f_coll",
        "t",
        "f_node",
        "n",
        "window",
    ]
    for text_row, json_row in zip(rows_tsv, jsonl(r_json.stdout), strict=True):
        assert text_row["key"] == json_row["key"]
        assert int(text_row["o11"]) == json_row["o11"]
        assert text_row["e11"] == f"{json_row['e11']:.4f}"
        assert float(text_row["t"]) == pytest.approx(json_row["t"], abs=TOL)
        assert text_row["window"] == "2L2R"
    no_header = invoke(*args, "--no-header")
    assert no_header.stdout.splitlines() == r_tsv.stdout.splitlines()[1:]


def test_collocates_table_states_the_convention(invoke, coll_corpus, tty):
    r = invoke(
        "collocates",
        "كتاب",
        "-C",
        str(coll_corpus),
        "--window",
        "2",
        "--min-freq",
        "2",
        "--color",
        "never",
        env={"COLUMNS": "200"},
    )
    assert r.exit_code == 0, r.stderr
    out = screen(r.stdout)
    first = out.splitlines()[0]
    assert "2L 2R (W=4)" in first
    assert "f(node)=5" in first and "N=39" in first
    assert "E11 = f(node)·f(coll)·W/N" in first and "logdice" in first
    header = next(line for line in out.splitlines() if "┃" in line and "rank" in line)
    names = [c.strip() for c in header.strip().strip("┃").split("┃")]
    body = [line for line in out.splitlines() if "│" in line]
    rows = [
        dict(zip(names, (c.strip() for c in line.strip().strip("│").split("│")), strict=True))
        for line in body
    ]
    assert [row["rank"] for row in rows] == ["1", "2", "3"]
    assert {row["collocate"] for row in rows} == {"جديد", "في", "كتاب"}
    for row in rows:
        o11, left, right, f_coll = COLL_2L2R[row["collocate"]]
        assert (row["o11"], row["left"], row["right"], row["f_coll"]) == tuple(
            map(str, (o11, left, right, f_coll))
        )
        assert row["e11"] == f"{COLL_F_NODE * f_coll * 4 / COLL_N:.4f}"
        table = stats.contingency(o11, COLL_F_NODE, f_coll, COLL_N, window=4)
        assert row["logdice"] == f"{stats.log_dice(table):.4f}"


def test_collocates_table_hides_the_machine_columns(invoke, coll_corpus, tty):
    r = invoke(
        "collocates",
        "كتاب",
        "-C",
        str(coll_corpus),
        "--window",
        "2",
        "--color",
        "never",
        env={"COLUMNS": "200"},
    )
    assert r.exit_code == 0
    header = next(line for line in screen(r.stdout).splitlines() if "rank" in line)
    names = [c.strip() for c in header.strip("┃").split("┃")]
    assert names == ["rank", "collocate", "o11", "left", "right", "e11", "f_coll", "logdice"]
