"""``corpus normalize``: standard input, levels and formats."""

from __future__ import annotations

import pytest

from tests.conftest import jsonl, tsv


def test_normalize_arguments(invoke):
    r = invoke("normalize", "الأُمَمُ", "كتـــاب", "إلى")
    assert (r.exit_code, r.stdout) == (0, "الامم\nكتاب\nالى\n")


def test_normalize_standard_input_line_by_line(invoke):
    r = invoke("normalize", input="الأُمَمُ المتحدة\r\nكتـــاب\n\n٢٢٥٤\n")
    assert (r.exit_code, r.stdout) == (0, "الامم المتحدة\nكتاب\n\n2254\n")


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("none", "إنّ الأمم المتحدة لـ"),
        ("light", "إنّ الأمم المتحدة ل"),
        ("standard", "ان الامم المتحدة ل"),
        ("aggressive", "ان الامم المتحده ل"),
    ],
)
def test_normalize_levels(invoke, level, expected):
    r = invoke("normalize", "--norm", level, "إنّ الأمم المتحدة لـ")
    assert r.stdout == expected + "\n"
    before = invoke("--norm", level, "normalize", "إنّ الأمم المتحدة لـ")
    assert before.stdout == expected + "\n"


def test_normalize_jsonl_and_tsv(invoke):
    r = invoke("normalize", "--format", "jsonl", "الأُمَمُ", "كتـاب")
    assert jsonl(r.stdout) == [
        {"input": "الأُمَمُ", "normalized": "الامم"},
        {"input": "كتـاب", "normalized": "كتاب"},
    ]
    r = invoke("normalize", "--format", "tsv", "الأُمَمُ")
    assert tsv(r.stdout) == [["input", "normalized"], ["الأُمَمُ", "الامم"]]
    r = invoke("normalize", "--format", "jsonl", input="إلى\n")
    assert jsonl(r.stdout) == [{"input": "إلى", "normalized": "الى"}]


def test_normalize_unknown_format(invoke):
    r = invoke("normalize", "--format", "xml", "x")
    assert r.exit_code == 2 and r.stderr.startswith("corpus: ")


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_normalize_formats(invoke, fmt):
    r = invoke("normalize", "--format", fmt, "الأُمَمُ")
    assert "الامم" in r.stdout and r.stdout.count("\n") == (1 if fmt == "jsonl" else 2)
