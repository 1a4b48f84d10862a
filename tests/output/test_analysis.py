"""Writing the rows of dispersion, collocates and keywords (``corpus_cli.output.analysis``)
to any ``Target``, here a plain object, never the CLI's session."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import NamedTuple

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.output.analysis import (
    write_dispersion,
    write_dispersion_by,
    write_dispersion_svg,
    write_keywords,
    write_records,
)
from corpus_cli.output.environment import Environment
from corpus_cli.query.analysis import (
    HitDispersion,
    dispersion_by,
    hit_dispersion,
    keyness_sides,
    ranked_keywords,
)
from corpus_cli.query.pattern import compile_query
from corpus_cli.store.corpus import Document
from corpus_cli.text.normalize import Normalizer


class FakeTarget(NamedTuple):
    env: Environment
    stdout: io.StringIO
    color: bool = False
    bom: bool = False
    normalization: str = "none"


def _target() -> FakeTarget:
    out = io.StringIO()
    return FakeTarget(Environment(out, io.StringIO(), None, False, False, False, {"COLUMNS": "100"}), out)


def _result() -> HitDispersion:
    docs = [
        Document("a/1", "/c/a/1.txt", "قلم كتاب قلم\n", {"year": "2020"}),
        Document("b/1", "/c/b/1.txt", "بيت بيت شجرة\n", {"year": "2021"}),
    ]
    return hit_dispersion(docs, compile_query("قلم", Normalizer()))


def test_write_records_rounds_floats_and_keeps_p_significant() -> None:
    target = _target()
    write_records(target, "tsv", False, ["x", "p"], [{"x": 1.234567, "p": 0.000012345}])
    assert target.stdout.getvalue() == "x\tp\n1.2346\t1.234e-05\n"


def test_dispersion_rows_end_with_the_all_row() -> None:
    target = _target()
    write_dispersion(target, "قلم", _result(), "jsonl", False, every=False)
    rows = [json.loads(line) for line in target.stdout.getvalue().splitlines()]
    assert [r["doc"] for r in rows] == ["a/1", "b/1", "(all)"]
    assert rows[0]["offsets"] == [0, 9] and rows[-1]["hits"] == 2 and rows[-1]["range"] == 1


def test_dispersion_screen_plots_documents_with_a_hit() -> None:
    target = _target()
    write_dispersion(target, "قلم", _result(), "table", False, every=False)
    text = target.stdout.getvalue()
    assert text.startswith("قلم · normalization none\n")
    assert "1 document without a hit (--all plots them)" in text


def test_dispersion_by_rows_one_per_group() -> None:
    target = _target()
    by = dispersion_by(_result(), "year", pytest.fail)
    write_dispersion_by(target, "قلم", by, "year", "tsv", False)
    lines = target.stdout.getvalue().splitlines()
    assert lines[0].startswith("by\tdocs\thit_docs")
    assert [line.split("\t")[0] for line in lines[1:]] == ["2020", "2021", "(all)"]


def test_svg_plot_and_an_unwritable_path(tmp_path: Path) -> None:
    path = tmp_path / "plot.svg"
    write_dispersion_svg(str(path), "قلم", _result(), "none", True)
    assert path.read_text(encoding="utf-8").count('stroke="#c00"') == 2
    with pytest.raises(CorpusError, match=r"plot\.svg"):
        write_dispersion_svg(str(tmp_path / "missing" / "plot.svg"), "قلم", _result(), "none", False)


def test_keywords_rows_carry_by_and_g2_once() -> None:
    docs = _result().per_doc
    sides = keyness_sides([d.doc for d in docs], Normalizer(), by_field="year", warn=pytest.fail)
    rows = ranked_keywords(sides, min_count=1, top=1)
    target = _target()
    write_keywords(target, rows, "g2", "tsv", False, by_field="year")
    header = target.stdout.getvalue().splitlines()[0].split("\t")
    assert header == ["by", "rank", "term", "key", "a", "b", "c", "d", "g2", "p", "band"]
