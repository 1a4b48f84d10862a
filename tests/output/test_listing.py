"""Writing ``list`` and ``show`` (``corpus_cli.output.listing``) to a plain ``Target``."""

from __future__ import annotations

import io
import json
from typing import NamedTuple

from corpus_cli.output.environment import Environment
from corpus_cli.output.listing import line_record, meta_columns, with_meta, write_list, write_show
from corpus_cli.store.corpus import Document


class FakeTarget(NamedTuple):
    env: Environment
    stdout: io.StringIO
    color: bool = False
    bom: bool = False
    normalization: str = "none"


def _target(columns: int = 100) -> FakeTarget:
    out = io.StringIO()
    env = Environment(out, io.StringIO(), None, False, False, False, {"COLUMNS": str(columns)})
    return FakeTarget(env, out)


DOCS = [
    Document("a", "/c/a.jsonl", "سطر أول\nسطر ثان\n", {"year": "2020", "id": "x"}),
    Document("b", "/c/b.jsonl", "نص\n", {"year": "2021"}),
]


def test_meta_columns_rename_taken_names_and_jsonl_nests_them() -> None:
    meta = meta_columns(["year", "id", "year"], ["id", "path"])
    assert meta == {"id": "meta.id", "year": "year"}
    assert with_meta({"id": "a"}, {"year": "2020"}, meta, "tsv") == {
        "id": "a",
        "meta.id": None,
        "year": "2020",
    }
    assert with_meta({"id": "a"}, {"year": "2020"}, meta, "jsonl") == {"id": "a", "meta": {"year": "2020"}}


def test_write_list_rows_in_a_pipe() -> None:
    target = _target()
    listed = ((d, 2, 2, d.meta) for d in DOCS)
    write_list(target, listed, ["year", "id"], "jsonl", False, total_tokens=4, total_types=4)
    rows = [json.loads(line) for line in target.stdout.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["meta"] == {"year": "2020", "id": "x"} and rows[0]["lines"] == 2


def test_write_list_table_names_the_metadata_left_out() -> None:
    target = _target(columns=60)
    listed = ((d, 2, 2, d.meta) for d in DOCS)
    write_list(target, listed, ["year", "id"], "table", False, total_tokens=4, total_types=4)
    text = target.stdout.getvalue()
    assert "2 documents" in text and "not shown:" in text


def test_line_record_and_show() -> None:
    assert line_record("a", 1, "سطر أول", [((0, 3), None)]) == {
        "doc": "a",
        "line": 1,
        "text": "سطر أول",
        "matches": [{"start": 0, "end": 3, "text": "سطر"}],
    }
    target = _target()
    write_show(target, DOCS, lambda doc: [], "plain", False, highlighted=False)
    assert target.stdout.getvalue() == "سطر أول\nسطر ثان\nنص\n"
    target = _target()

    def lines(doc: Document) -> list[tuple[int, str, tuple[()]]]:
        return [(n, line, ()) for n, line in enumerate(doc.split_lines(), 1)]

    write_show(target, DOCS, lines, "tsv", False, highlighted=False)
    assert target.stdout.getvalue().splitlines() == [
        "doc\tline\ttext",
        "a\t1\tسطر أول",
        "a\t2\tسطر ثان",
        "b\t1\tنص",
    ]
