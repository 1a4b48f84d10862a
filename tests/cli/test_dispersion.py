"""``corpus dispersion``: per-document rows, Gries' DP, plots (terminal and SVG) and parts."""

from __future__ import annotations

import csv
import io
import math
import statistics
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from corpus_cli.query import stats
from tests.conftest import TOL, _words_text, jsonl, read_xlsx, screen, tsv_records, write_corpus


def test_xlsx_of_dispersion_by_a_field_keeps_its_measures_as_numbers(invoke, small_corpus):
    pytest.importorskip("xlsxwriter")
    r = invoke("dispersion", "الامم", "--by", "folder", "--corpus", str(small_corpus), "--format", "xlsx")
    assert r.exit_code == 0, r.stderr
    rows = read_xlsx(r.stdout_bytes)
    header, summary = rows[0], rows[-1]
    assert summary[0] == "(all)"
    assert all(isinstance(summary[header.index(name)], float) for name in ("juilland_d", "dp", "arf"))


SVG = "{http://www.w3.org/2000/svg}"


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
    rows_tsv = tsv_records(r_tsv.stdout)
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
    assert tsv_records(r.stdout)[-1]["hits"] == "3"  # the rows are still written
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
    assert [row["doc"] for row in tsv_records(r.stdout)] == ["d1", "d2", "d3", "(all)"]  # the rows: all
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


@pytest.mark.parametrize("command", ["dispersion", "collocates"])
def test_statistics_on_a_long_line_map_it_once(
    invoke, tmp_path: Path, mapped_characters: list[int], command: str
) -> None:
    """The same on a 1 MB line (the statistics cost more per hit): equal to the text in lines."""
    words = _words_text(500_000)
    (tmp_path / "one").mkdir()
    (tmp_path / "lines").mkdir()
    (tmp_path / "one" / "doc.txt").write_text(" ".join(words) + "\n", encoding="utf-8")
    in_lines = "\n".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12)) + "\n"
    (tmp_path / "lines" / "doc.txt").write_text(in_lines, encoding="utf-8")
    args = [command, "الامم", "--format", "tsv", "--index", "off", "--corpus"]
    one = invoke(*args, str(tmp_path / "one"))
    assert one.exit_code == 0, one.stderr
    assert sum(mapped_characters) < 2 * len(in_lines)
    assert one.stdout == invoke(*args, str(tmp_path / "lines")).stdout
