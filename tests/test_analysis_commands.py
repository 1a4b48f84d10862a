"""The analysis commands (dispersion, collocates, keywords) against hand-computed numbers.

Every corpus here is built in ``tmp_path`` from a few Arabic words separated by single
spaces, so each count can be checked by hand and by a brute-force reference written in
this file (``str.split`` over the documents).  Every score is compared twice: with the
formula of docs/statistics.md written out here, and with the ``corpus_cli.query.stats``
function the command is supposed to use.  JSON Lines rounds floats to 4 decimals, TSV
and CSV print them with 4 decimals (keyword p-values: 4 significant digits), hence the
``abs=1e-4`` tolerances.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import statistics
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus_cli.query import stats

SGR = re.compile(r"\x1b\[[0-9;]*m")
#: Bidi isolates and marks the screen tables wrap around RTL cells.
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TOL = 1e-4
SVG = "{http://www.w3.org/2000/svg}"


def tsv(text: str) -> list[dict[str, str]]:
    lines = text.splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def screen(text: str) -> str:
    """Screen output without colour codes and bidi controls."""
    return BIDI.sub("", SGR.sub("", text))


def write_corpus(root: Path, docs: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for doc_id, text in docs.items():
        (root / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    return root


# =========================================================================== dispersion

#: Three documents of different sizes: 4, 8 and 6 tokens; كتاب twice in d1 (tokens 0
#: and 2), once (vocalized, token 5) in d2, never in d3.
DISP_DOCS = {
    "d1": "كتاب قلم كتاب بيت\n",
    "d2": "بيت قلم شمس قمر نهر كِتَابٌ بحر جبل\n",
    "d3": "بيت قلم شمس قمر نهر بحر\n",
}
DISP_SIZES = [4, 8, 6]
DISP_HITS = [2, 1, 0]
DISP_N = 18
#: Token positions of the hits in the concatenated stream (d2 starts at token 4).
DISP_POSITIONS = [0, 2, 4 + 5]
DISP_OFFSETS = {"d1": [0, 9], "d2": [DISP_DOCS["d2"].index("كِتَابٌ")], "d3": []}


@pytest.fixture
def disp_corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "disp", DISP_DOCS)


def test_dispersion_jsonl_per_document_rows(invoke, disp_corpus):
    r = invoke("dispersion", "كتاب", "-C", str(disp_corpus), "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    rows = jsonl(r.stdout)
    assert [row["doc"] for row in rows] == ["d1", "d2", "d3", "(all)"]
    for row, size, hits in zip(rows[:3], DISP_SIZES, DISP_HITS, strict=True):
        assert list(row) == ["doc", "tokens", "hits", "per_million", "offsets"]
        assert row["tokens"] == size
        assert row["hits"] == hits
        assert row["per_million"] == pytest.approx(hits / size * 1e6, abs=0.01)
        assert row["offsets"] == DISP_OFFSETS[row["doc"]]
    assert [row["per_million"] for row in rows[:3]] == [500000.0, 125000.0, 0.0]
    # offsets are character offsets in the original (vocalized) text
    assert [row["offsets"] for row in rows[:3]] == [[0, 9], [20], []]
    assert DISP_DOCS["d2"][20:27] == "كِتَابٌ"


def test_dispersion_all_row_by_hand_and_by_stats(invoke, disp_corpus):
    r = invoke("dispersion", "كتاب", "-C", str(disp_corpus), "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    total = jsonl(r.stdout)[-1]
    assert total["doc"] == "(all)"
    assert "offsets" not in total
    assert total["tokens"] == DISP_N
    assert total["hits"] == 3
    assert total["per_million"] == pytest.approx(3 / 18 * 1e6, abs=0.01)
    assert total["range"] == 2
    # DP = ½(|2/3 − 4/18| + |1/3 − 8/18| + |0 − 6/18|) = ½(8/18 + 2/18 + 6/18) = 4/9
    assert total["dp"] == pytest.approx(4 / 9, abs=TOL)
    assert total["dp"] == pytest.approx(stats.gries_dp(DISP_HITS, DISP_SIZES), abs=TOL)
    # DPnorm = DP / (1 − min s_i) = (4/9) / (1 − 4/18) = 4/7
    assert total["dp_norm"] == pytest.approx(4 / 7, abs=TOL)
    assert total["dp_norm"] == pytest.approx(stats.dp_norm(DISP_HITS, DISP_SIZES), abs=TOL)
    # ARF: v = 18/3 = 6; gaps 2, 7 and 18 − 9 + 0 = 9 → (2 + 6 + 6)/6 = 7/3
    assert total["arf"] == pytest.approx(7 / 3, abs=TOL)
    assert total["arf"] == pytest.approx(stats.arf(DISP_POSITIONS, DISP_N), abs=TOL)
    # Juilland's D on the per-document rates (documented: D assumes equal parts)
    rates = [h / s for h, s in zip(DISP_HITS, DISP_SIZES, strict=True)]
    hand_d = 1 - (statistics.pstdev(rates) / statistics.fmean(rates)) / math.sqrt(len(rates) - 1)
    assert total["juilland_d"] == pytest.approx(hand_d, abs=TOL)
    assert total["juilland_d"] == pytest.approx(stats.juilland_d(rates), abs=TOL)


def test_dispersion_tsv_and_csv_carry_the_same_numbers(invoke, disp_corpus):
    r_tsv = invoke("dispersion", "كتاب", "-C", str(disp_corpus))
    r_csv = invoke("dispersion", "كتاب", "-C", str(disp_corpus), "--format", "csv")
    assert r_tsv.exit_code == r_csv.exit_code == 0
    columns = ["doc", "tokens", "hits", "per_million", "range", "juilland_d", "dp", "dp_norm", "arf"]
    assert r_tsv.stdout.splitlines()[0].split("\t") == columns
    rows_tsv = tsv(r_tsv.stdout)
    rows_csv = list(csv.DictReader(io.StringIO(r_csv.stdout)))
    assert rows_tsv == rows_csv
    assert [(row["doc"], row["tokens"], row["hits"]) for row in rows_tsv] == [
        ("d1", "4", "2"),
        ("d2", "8", "1"),
        ("d3", "6", "0"),
        ("(all)", "18", "3"),
    ]
    assert rows_tsv[0]["per_million"] == "500000.00"
    assert rows_tsv[0]["dp"] == ""  # measures only on the (all) row
    total = rows_tsv[-1]
    assert total["range"] == "2"
    assert (total["dp"], total["dp_norm"], total["arf"]) == ("0.4444", "0.5714", "2.3333")
    assert float(total["juilland_d"]) == pytest.approx(
        stats.juilland_d([h / s for h, s in zip(DISP_HITS, DISP_SIZES, strict=True)]), abs=TOL
    )


#: Gries (2008) toy corpus, 5 parts × 10 tokens, letters mapped to Arabic words.
GRIES_WORDS = dict(
    zip(
        "abcdeghikmnpqstuwx",
        "كتاب بيت قلم دار شمس قمر نهر بحر جبل ورد باب سوق حقل درس طريق عين لون رمل".split(),
        strict=True,
    )
)
GRIES_PARTS = [
    "b a m n i b e u p k",
    "b a s a t b e w q n",
    "b c a g a b e s t a",
    "b a g h a b e a a t",
    "b a h a a b e a x a",
]


@pytest.fixture
def gries_corpus(tmp_path: Path) -> Path:
    docs = {
        f"part{i}": " ".join(GRIES_WORDS[c] for c in part.split()) + "\n"
        for i, part in enumerate(GRIES_PARTS)
    }
    return write_corpus(tmp_path / "gries", docs)


@pytest.mark.parametrize(
    ("letter", "hits", "dp", "dp_norm", "juilland", "arf"),
    [
        ("a", [1, 2, 3, 4, 5], 0.20, 0.25, 0.7643, 10.8),
        ("b", [2, 2, 2, 2, 2], 0.0, 0.0, 1.0, None),
        ("t", [0, 1, 1, 1, 0], 0.40, 0.50, 0.5918, None),
    ],
)
def test_dispersion_reproduces_gries_toy_corpus(
    invoke, gries_corpus, letter, hits, dp, dp_norm, juilland, arf
):
    r = invoke("dispersion", GRIES_WORDS[letter], "-C", str(gries_corpus), "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    rows = jsonl(r.stdout)
    assert [row["hits"] for row in rows[:-1]] == hits
    assert [row["tokens"] for row in rows[:-1]] == [10] * 5
    total = rows[-1]
    assert total["tokens"] == 50
    assert total["range"] == sum(1 for h in hits if h)
    assert total["dp"] == pytest.approx(dp, abs=TOL)
    assert total["dp_norm"] == pytest.approx(dp_norm, abs=TOL)
    # equal parts: D over rates is D over the raw sub-frequencies
    assert total["juilland_d"] == pytest.approx(juilland, abs=TOL)
    assert total["juilland_d"] == pytest.approx(stats.juilland_d(hits), abs=TOL)
    if arf is not None:
        assert total["arf"] == pytest.approx(arf, abs=TOL)


def test_dispersion_terminal_strip_plot(invoke, disp_corpus, tty):
    r = invoke("dispersion", "كتاب", "-C", str(disp_corpus), "--color", "never", "--all")
    assert r.exit_code == 0, r.stderr
    lines = screen(r.stdout).splitlines()
    assert lines[0].startswith("كتاب") and "normalization standard" in lines[0]
    assert lines[1].split() == ["doc", "hits", "per", "mill.", "plot"]
    rows = {line.split()[0]: line for line in lines[2:5]}
    assert list(rows) == ["d1", "d2", "d3"]
    for doc_id, hits, per_million in (("d1", 2, "500,000.0"), ("d2", 1, "125,000.0"), ("d3", 0, "0.0")):
        fields = rows[doc_id].split()
        assert fields[1:3] == [str(hits), per_million]
        strip = fields[3]
        assert set(strip) <= {"·", "|"}
        assert strip.count("|") == hits
        # each mark sits at the hit's share of the document's length
        expected = [o * len(strip) // len(DISP_DOCS[doc_id]) for o in DISP_OFFSETS[doc_id]]
        assert [i for i, c in enumerate(strip) if c == "|"] == expected
    summary = lines[5]
    assert "range 2/3 documents" in summary
    assert "DP 0.4444" in summary and "DPnorm 0.5714" in summary and "ARF 2.33" in summary
    assert "18 tokens" in summary


def test_dispersion_terminal_plots_documents_with_hits_and_counts_the_rest(invoke, tmp_path, tty):
    docs = {f"d{n:02d}": "بيت قلم شمس\n" for n in range(12)}
    docs["d03"] = "كتاب قلم\n"
    docs["d07"] = "قلم كتاب كتاب\n"
    root = write_corpus(tmp_path / "many", docs)
    r = invoke("dispersion", "كتاب", "-C", str(root), "--color", "never")
    assert r.exit_code == 0, r.stderr
    lines = screen(r.stdout).splitlines()
    assert [line.split()[0] for line in lines[2:4]] == ["d03", "d07"]
    assert lines[4] == "10 documents without a hit (--all plots them)"
    assert lines[5].startswith("range 2/12 documents")  # the measures are over every document
    assert len(lines) == 6
    every = screen(invoke("dispersion", "كتاب", "-C", str(root), "--color", "never", "--all").stdout)
    assert [line.split()[0] for line in every.splitlines()[2:14]] == sorted(docs)
    assert "without a hit" not in every


def test_dispersion_terminal_labels_name_one_document_each(invoke, tmp_path, tty):
    ids = ["alweeam/2015-07-22_01644", "alweeam/2015-07-22_01645", "alweeam/2015-07-23_00012"]
    for doc_id in ids:
        (tmp_path / "news" / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "news" / f"{doc_id}.txt").write_text("كتاب قلم\n", encoding="utf-8")
    for columns, expected in (("80", ids), ("50", ["…07-22_01644", "…07-22_01645", "…07-23_00012"])):
        r = invoke("dispersion", "كتاب", "-C", str(tmp_path / "news"), env={"COLUMNS": columns})
        assert r.exit_code == 0, r.stderr
        assert [line.split()[0] for line in screen(r.stdout).splitlines()[2:5]] == expected


def test_dispersion_svg_one_strip_per_document_one_line_per_hit(invoke, disp_corpus, tmp_path):
    out = tmp_path / "plot.svg"
    r = invoke("dispersion", "كتاب", "-C", str(disp_corpus), "--svg", str(out), "--all")
    assert r.exit_code == 0, r.stderr
    assert tsv(r.stdout)[-1]["hits"] == "3"  # the rows are still written
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg"
    strips = [rect for rect in root.iter(f"{SVG}rect") if rect.get("x") is not None]
    lines = list(root.iter(f"{SVG}line"))
    assert len(strips) == len(DISP_DOCS)
    assert len(lines) == sum(DISP_HITS)
    for rect, (doc_id, text) in zip(strips, DISP_DOCS.items(), strict=True):
        x, y = float(rect.get("x")), float(rect.get("y"))
        width, height = float(rect.get("width")), float(rect.get("height"))
        inside = [ln for ln in lines if y <= float(ln.get("y1")) < float(ln.get("y2")) <= y + height]
        assert len(inside) == len(DISP_OFFSETS[doc_id])
        xs = sorted(float(ln.get("x1")) for ln in inside)
        assert xs == pytest.approx([x + o * width / len(text) for o in DISP_OFFSETS[doc_id]], abs=0.06)
        assert all(x <= v <= x + width for v in xs)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"d1", "d2", "d3"} <= set(labels)


def test_dispersion_svg_without_all_draws_documents_with_hits(invoke, disp_corpus, tmp_path):
    out = tmp_path / "plot.svg"
    r = invoke("dispersion", "كتاب", "-C", str(disp_corpus), "--svg", str(out))
    assert r.exit_code == 0, r.stderr
    assert [row["doc"] for row in tsv(r.stdout)] == ["d1", "d2", "d3", "(all)"]  # the rows: all
    root = ET.parse(out).getroot()
    assert len([rect for rect in root.iter(f"{SVG}rect") if rect.get("x") is not None]) == 2
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"d1", "d2"} <= set(labels) and "d3" not in labels
    assert "1 document without a hit (--all plots them)" in labels
    assert any(label.startswith("range 2/3 ") for label in labels)


def test_dispersion_svg_to_unwritable_path_exits_2(invoke, disp_corpus, tmp_path):
    target = tmp_path / "missing-dir" / "plot.svg"
    r = invoke("dispersion", "كتاب", "-C", str(disp_corpus), "--svg", str(target))
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")
    assert str(target) in r.stderr
    assert not target.exists()


def test_dispersion_no_hit_exits_1_with_zero_rows(invoke, disp_corpus):
    r = invoke("dispersion", "سيارة", "-C", str(disp_corpus), "--format", "jsonl")
    assert r.exit_code == 1
    rows = jsonl(r.stdout)
    assert [row["hits"] for row in rows] == [0, 0, 0, 0]
    assert rows[-1]["range"] == 0
    assert rows[-1]["arf"] == 0


def test_dispersion_by_folder_takes_the_folders_as_the_parts(invoke, tmp_path, tty):
    """a/ holds d1 and d2 (12 tokens, 3 hits), b/ holds d3 (6 tokens, none)."""
    root = tmp_path / "folders"
    write_corpus(root / "a", {"d1": DISP_DOCS["d1"], "d2": DISP_DOCS["d2"]})
    write_corpus(root / "b", {"d3": DISP_DOCS["d3"]})
    r = invoke("dispersion", "كتاب", "-C", str(root), "--by", "folder", "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    a, b, total = jsonl(r.stdout)
    assert a == {"by": "a", "docs": 2, "hit_docs": 2, "tokens": 12, "hits": 3, "per_million": 250000.0}
    assert (b["by"], b["docs"], b["hit_docs"], b["tokens"], b["hits"]) == ("b", 1, 0, 6, 0)
    summary = [total[k] for k in ("by", "docs", "hit_docs", "hits", "range")]
    assert summary == ["(all)", 3, 2, 3, 1]
    # DP = ½(|3/3 − 12/18| + |0 − 6/18|) = 1/3; DPnorm = (1/3) / (1 − 6/18) = 1/2; rates 1/4 and 0: D = 0
    assert total["dp"] == pytest.approx(1 / 3, abs=TOL)
    assert total["dp_norm"] == pytest.approx(1 / 2, abs=TOL)
    assert total["juilland_d"] == pytest.approx(0.0, abs=TOL)
    assert total["arf"] == pytest.approx(stats.arf(DISP_POSITIONS, DISP_N), abs=TOL)  # positions alone
    shown = screen(invoke("dispersion", "كتاب", "-C", str(root), "--by", "folder", "--color", "never").stdout)
    assert "folder" in shown and "range 1/2 groups" in shown
    r = invoke("dispersion", "كتاب", "-C", str(root), "--by", "folder", "--svg", str(tmp_path / "x.svg"))
    assert r.exit_code == 2 and "--svg" in r.stderr


# =========================================================================== collocates

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
    assert tsv(r.stdout) == []
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
    rows_tsv = tsv(r_tsv.stdout)
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


# =========================================================================== keywords

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
    assert tsv(r.stdout)[0]["p"] == f"{expected:.4g}"


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
    rows_tsv = tsv(r_tsv.stdout)
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
