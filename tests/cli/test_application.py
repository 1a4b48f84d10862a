"""What every command shares: exit codes and error messages, options before the command name,
``--help`` and its examples, ``--version``, the colour policy, the output formats (tsv, csv, jsonl,
xlsx, BOM), the corpus options, document ids and broken pipes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from corpus_cli.cli.options import SHARED_OPTIONS
from corpus_cli.query.pattern import DEFAULT_TIMEOUT
from tests.conftest import (
    ARABIC,
    CLITIC_TEXT,
    GOOD,
    INTERRUPTED,
    MODULE,
    NBSP,
    PAPERS,
    RLE,
    SGR,
    TIMEOUT,
    _checked,
    _children,
    assert_one_error_line,
    corpus_argv,
    error,
    grep,
    help_text,
    interrupt,
    jsonl,
    jsonl_bytes,
    make,
    message,
    piped,
    plain,
    read_xlsx,
    records,
    run_corpus,
    tsv,
    write,
)


def test_ids_reach_a_terminal_escaped(invoke, tmp_path, tty):
    """A file name holding ESC sequences or C1 controls cannot act on the terminal: only
    the tool's colours are escape sequences, the name's controls are shown as escapes."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "t\x1b]0;PWNED\x07\u009b2J.txt").write_text("الأمم\n", encoding="utf-8")
    for args in (["grep", "الامم"], ["grep", "-c", "الامم"], ["kwic", "الامم"], ["show", "t\x1b]0;PWNED"]):
        r = invoke(*args, "--corpus", str(corpus))
        out = SGR.sub("", r.stdout + r.stderr)
        assert "\x1b" not in out and "\x07" not in out and "\u009b" not in out, (args, out)
        assert "\\x1b]0;PWNED" in out, (args, out)


def test_counts_on_screen_have_thousands_separators(invoke, tmp_path, tty):
    """Every count a person reads, as the numbers of the tables: 1,200, never 1200."""
    feed = tmp_path / "feed.jsonl"
    lines = [json.dumps({"text": "وللأمن"}, ensure_ascii=False)] * 1200 + ["not json"] * 1010
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = ("--corpus", str(feed))
    r = invoke("list", *corpus)
    assert "1,200 documents" in plain(r.stdout)
    assert "1,005 more bad records" in r.stderr  # the first five are named one by one
    assert "1,200 lines" in plain(invoke("kwic", "--clitics", "الأمن", *corpus).stdout)
    assert "0 hits; 1,200 with --clitics" in invoke("grep", "-w", "الأمن", *corpus).stderr
    assert invoke("index", "build", *corpus).exit_code == 0
    status = invoke("index", "status", *corpus).stdout
    assert "documents: 1,200\n" in status and "tokens: 1,200\n" in status


def test_help_shows_the_defaults(invoke):
    """Help texts written as ``[default: …]`` must not be eaten as Rich markup."""
    text = help_text(invoke("list", "--help").stdout)
    assert "*.txt" in text
    assert "tsv in a pipe" in text
    assert "[default: standard]" in text


#: The commands whose help ends with examples.
EXAMPLE_COMMANDS = [
    ("list",),
    ("show",),
    ("grep",),
    ("kwic",),
    ("freq",),
    ("normalize",),
    ("export",),
    ("dispersion",),
    ("collocates",),
    ("keywords",),
    ("shard",),
    ("index", "build"),
]


def help_examples(invoke) -> dict[tuple[str, ...], list[str]]:
    """Every command's path → the command lines its --help shows as examples."""
    from typer.core import TyperGroup
    from typer.main import get_command

    from corpus_cli.cli import app

    def walk(command, path):
        yield path
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                yield from walk(sub, (*path, name))

    found = {}
    for path in walk(get_command(app), ()):
        text = plain(invoke(*path, "--help").stdout)
        found[path] = [m.group(1) for m in re.finditer(r"^ *\$ (corpus .*?) *$", text, re.MULTILINE)]
    return found


def test_every_example_of_every_help_runs(invoke, tmp_path, monkeypatch):
    """Run as written, on the bundled seeds (CORPUS_PATH, for the examples that name the
    corpus), each exits 0 or 1, never 2; the main commands have two or more each."""
    import importlib.util
    import shlex

    seeds = str(Path(__file__).resolve().parents[2] / "seeds")
    monkeypatch.setenv("CORPUS_PATH", seeds)
    monkeypatch.chdir(tmp_path)  # what the examples write (--svg, shards) goes here
    examples = help_examples(invoke)
    for path in EXAMPLE_COMMANDS:
        assert len(examples[path]) >= 2, path
    parquet = all(importlib.util.find_spec(m) for m in ("fsspec", "pyarrow"))
    ran, failed = 0, []
    for line in (line for lines in examples.values() for line in lines):
        if line.startswith("corpus shard") and not parquet:
            continue  # an extra: pip install 'corpus-cli[dask]'
        argv = [os.path.expandvars(arg) for arg in shlex.split(line)[1:]]
        r = invoke(*argv, env={"CORPUS_PATH": seeds})
        ran += 1
        if r.exit_code not in (0, 1) or "internal error" in r.stderr:
            failed.append(f"{line}: exit {r.exit_code}: {r.stderr.strip()}")
    assert not failed, "\n".join(failed)
    assert ran >= 2 * len(EXAMPLE_COMMANDS) - (0 if parquet else 2)


def test_default_corpus_is_the_seeds(invoke, seed_texts):
    r = invoke("list", "--format", "jsonl")
    assert [rec["id"] for rec in jsonl(r.stdout)] == list(seed_texts)


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--corpus", "{b}", "--corpus", "{c}"],
        ["list", "-C", "{b}", "-C", "{c}"],
        ["--corpus", "{b}", "-C", "{c}", "list"],
    ],
)
def test_corpus_option_repeatable_before_and_after_the_name(invoke, small_corpus, argv):
    paths = {"{b}": str(small_corpus / "b.txt"), "{c}": str(small_corpus / "sub")}
    r = invoke(*[paths.get(a, a) for a in argv], "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    ids = [rec["id"] for rec in jsonl(r.stdout)]
    assert "b" in ids and "c" in ids


@pytest.mark.parametrize(
    "argv",
    [
        ["grep", "الامم", "--corpus", "{p}"],
        ["--corpus", "{p}", "grep", "الامم"],
        ["-C", "{p}", "grep", "الامم"],
        ["kwic", "الامم", "-C", "{p}"],
        ["freq", "الامم", "-C", "{p}"],
        ["show", "b", "-C", "{p}"],
        ["list", "-C", "{p}"],
    ],
)
def test_corpus_option_on_every_command(invoke, small_corpus, argv):
    r = invoke(*[str(small_corpus) if a == "{p}" else a for a in argv])
    assert r.exit_code == 0, r.stderr
    assert "000_942301ab0c5a4d11" not in r.stdout
    assert "الأمم" in r.stdout


def test_corpus_path_environment_variable(invoke, small_corpus):
    value = os.pathsep.join([str(small_corpus / "b.txt"), str(small_corpus / "sub")])
    r = invoke("list", "--format", "jsonl", env={"CORPUS_PATH": value})
    assert [rec["id"] for rec in jsonl(r.stdout)] == ["b", "c"]
    # --corpus replaces CORPUS_PATH.
    r = invoke(
        "list", "--format", "jsonl", "--corpus", str(small_corpus / "a.txt"), env={"CORPUS_PATH": value}
    )
    assert [rec["id"] for rec in jsonl(r.stdout)] == ["a"]
    r = invoke("grep", "الامم", env={"CORPUS_PATH": value})
    assert r.stdout == "b:1:إلى الأمم\n"


def test_document_ids_are_relative_paths_without_txt(invoke, small_corpus):
    r = invoke("list", "--corpus", str(small_corpus), "--format", "jsonl")
    assert [rec["id"] for rec in jsonl(r.stdout)] == ["a", "b", "sub/c"]


def test_glob_after_and_before_the_name(invoke, small_corpus):
    r = invoke("grep", "الامم", "--corpus", str(small_corpus), "--glob", "*.md")
    assert r.stdout == "notes.md:1:الأمم في ملف ماركداون\n"
    r = invoke("--glob", "*.md", "--corpus", str(small_corpus), "list", "--format", "jsonl")
    assert [rec["id"] for rec in jsonl(r.stdout)] == ["notes.md"]
    r = invoke("freq", "--corpus", str(small_corpus), "--glob", "**/c.txt", "--format", "jsonl", "--top", "0")
    assert {rec["docs"] for rec in jsonl(r.stdout)} == {1}


@pytest.mark.parametrize(
    ("argv", "expected_docs"),
    [
        (["list", "--doc", "su", "--doc", "b"], {"b", "sub/c"}),
        (["grep", "-l", "سطر", "--doc", "b"], {"b"}),
        (["kwic", "الامم", "--doc", "b"], {"b"}),
        (["freq", "--by-doc", "--doc", "a"], {"a"}),
    ],
)
def test_doc_option_restricts_by_prefix(invoke, small_corpus, argv, expected_docs):
    r = invoke(*argv, "--corpus", str(small_corpus), "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    assert {rec.get("doc", rec.get("id")) for rec in jsonl(r.stdout)} == expected_docs


def test_doc_prefix_on_the_seeds(invoke):
    r = invoke("list", "--doc", "003", "--format", "jsonl")
    assert [rec["id"] for rec in jsonl(r.stdout)] == ["003_6b73772203161856"]


@pytest.mark.parametrize("folder", ["sabq", "sabq/"])
@pytest.mark.parametrize(
    "argv",
    [["list"], ["grep", "-l", "الامير"], ["kwic", "الامير"], ["freq", "--by-doc", "--top", "1"]],
)
def test_a_folder_names_all_its_documents(invoke, papers, argv, folder):
    r = invoke(*argv, "--corpus", str(papers), "--doc", folder, "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    named = {rec.get("doc", rec.get("id")) for rec in jsonl(r.stdout)}
    assert named == {i for i in PAPERS if i.startswith("sabq/")}


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "00"],
        ["list", "--doc", "0"],
        ["grep", "سوريا", "--doc", "00"],
        ["kwic", "سوريا", "--doc", "0"],
        ["freq", "--doc", "00"],
    ],
)
def test_ambiguous_document_lists_candidates(invoke, argv):
    r = invoke(*argv)
    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("corpus: ")
    assert "ambiguous" in lines[0]
    for doc_id in ("000_942301ab0c5a4d11", "001_b0761bee8ed67ba9", "004_b89014a9ba1a7d7b"):
        assert doc_id in lines[0]


@pytest.mark.parametrize("argv", [["show", "999"], ["grep", "x", "--doc", "zz"], ["list", "--doc", "nope"]])
def test_unknown_document_lists_the_documents(invoke, argv):
    r = invoke(*argv)
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("corpus: ")
    assert "unknown" in lines[0] and "003_6b73772203161856" in lines[0]


def test_stdin_document(invoke, small_corpus):
    text = "الأُمَمُ في سطر\nسطر ثان\n"
    r = invoke("grep", "الامم", "--corpus", "-", input=text)
    assert (r.exit_code, r.stdout) == (0, "stdin:1:الأُمَمُ في سطر\n")
    r = invoke("show", "stdin", "-C", "-", input=text)
    assert r.stdout == text
    r = invoke("list", "-C", "-", "--format", "jsonl", input=text)
    assert [(rec["id"], rec["lines"], rec["tokens"]) for rec in jsonl(r.stdout)] == [("stdin", 2, 5)]
    r = invoke("grep", "الامم", "--corpus", "-", "--corpus", str(small_corpus / "b.txt"), input=text)
    assert r.stdout == "stdin:1:الأُمَمُ في سطر\nb:1:إلى الأمم\n"


@pytest.mark.parametrize(
    ("argv", "standard", "none"),
    [
        (["grep", "-c", "الامم"], "a:2\nb:1\n", "a:1\n"),
        (["kwic", "الامم", "--format", "jsonl"], 4, 1),
        (["freq", "الامم", "--format", "jsonl"], 4, 1),
        (["show", "a", "--highlight", "الامم", "--format", "jsonl"], 3, 1),
        (["list", "--format", "jsonl", "--doc", "a"], 19, 21),
    ],
)
def test_norm_option_on_every_command(invoke, small_corpus, argv, standard, none):
    def measure(*extra: str) -> object:
        r = invoke(*argv, *extra, "--corpus", str(small_corpus))
        assert r.exit_code == 0, r.stderr
        if argv[0] == "grep":
            return r.stdout
        records = jsonl(r.stdout)
        if argv[0] == "kwic":
            return len(records)
        if argv[0] == "freq":
            return records[0]["count"]
        if argv[0] == "show":
            return sum(len(rec["matches"]) for rec in records)
        return records[0]["types"]

    assert measure() == standard
    assert measure("--norm", "standard") == standard
    assert measure("--norm", "none") == none
    assert measure("--norm", "NONE") == none


def test_norm_before_the_name(invoke, small_corpus):
    r = invoke("--norm", "none", "grep", "-c", "الامم", "--corpus", str(small_corpus))
    assert r.stdout == "a:1\n"


def test_unknown_norm_level_is_an_error(invoke):
    r = invoke("grep", "x", "--norm", "extreme")
    assert r.exit_code == 2


FORMAT_CASES = [
    ["list"],
    ["show", "a"],
    ["grep", "الامم"],
    ["kwic", "الامم"],
    ["freq", "--top", "3"],
]


@pytest.mark.parametrize("argv", FORMAT_CASES, ids=lambda a: a[0])
@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_format_option_on_every_command(invoke, small_corpus, argv, fmt):
    r = invoke(*argv, "--corpus", str(small_corpus), "--format", fmt)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines
    if fmt == "jsonl":
        assert all(isinstance(json.loads(line), dict) for line in lines)
    elif fmt == "tsv":
        widths = {len(line.split("\t")) for line in lines}
        assert len(widths) == 1 and widths.pop() >= 3
    else:
        rows = list(csv.reader(io.StringIO(r.stdout)))
        assert len({len(row) for row in rows}) == 1 and len(rows[0]) >= 3
        assert "\t" not in r.stdout


@pytest.mark.parametrize("argv", FORMAT_CASES, ids=lambda a: a[0])
def test_format_table_in_a_pipe(invoke, small_corpus, argv):
    r = invoke(*argv, "--corpus", str(small_corpus), "--format", "table")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "\t" not in out and "\x1b[" not in out  # a pipe: drawn without colour
    first = out.splitlines()[0]
    if argv[0] in ("list", "freq"):
        assert first.startswith("┏")
    elif argv[0] == "show":
        assert first.split() == ["a", str(small_corpus / "a.txt")]
    elif argv[0] == "grep":
        assert first == "a"
    else:
        assert any(RLE in line and NBSP in line for line in out.splitlines())


@pytest.mark.parametrize("argv", FORMAT_CASES, ids=lambda a: a[0])
def test_format_tsv_on_a_terminal(invoke, small_corpus, tty, argv):
    r = invoke(*argv, "--corpus", str(small_corpus), "--format", "tsv")
    assert r.exit_code == 0, r.stderr
    assert "\x1b[" not in r.stdout
    assert len({len(line.split("\t")) for line in r.stdout.splitlines()}) == 1
    assert "\t" in r.stdout


def test_unknown_format_is_an_error(invoke):
    r = invoke("list", "--format", "xml")
    assert r.exit_code == 2


XLSX_CASES = [
    ["list"],
    ["show", "a"],
    ["grep", "الامم"],
    ["grep", "-c", "الامم"],
    ["grep", "-o", "الامم"],
    ["kwic", "الامم"],
    ["freq", "--top", "5", "--dispersion"],
    ["dispersion", "الامم"],
    ["collocates", "الامم", "--min-freq", "1", "--top", "5"],
    ["keywords", "--target", "a", "--min-count", "1", "--top", "5"],
]


def same_cell(xlsx: object, text: str) -> bool:
    """An xlsx cell holds what the tsv field says: the same text, or the same number
    (tsv prints floats with 2 or 4 decimals)."""
    if xlsx is None:
        return text == ""
    if isinstance(xlsx, float):
        decimals = len(text.partition(".")[2])
        return math.isclose(xlsx, float(text), abs_tol=0.6 * 10**-decimals, rel_tol=1e-3)
    return xlsx == text


@pytest.mark.parametrize("argv", XLSX_CASES, ids=lambda a: " ".join(a[:2]))
def test_xlsx_holds_the_tsv_rows_with_numbers_as_numbers(invoke, small_corpus, argv):
    pytest.importorskip("xlsxwriter")
    args = [*argv, "--corpus", str(small_corpus)]
    r = invoke(*args, "--format", "xlsx")
    assert r.exit_code == 0, r.stderr
    assert r.stdout_bytes.startswith(b"PK\x03\x04")  # a zip: the whole output is the workbook
    sheet = read_xlsx(r.stdout_bytes)
    rows = tsv(invoke(*args, "--format", "tsv").stdout)
    assert len(sheet) == len(rows) > 1
    assert sheet[0] == rows[0]
    numbers = 0
    for cells, fields in zip(sheet[1:], rows[1:], strict=True):
        cells += [None] * (len(fields) - len(cells))  # empty cells at the end of a row
        assert all(same_cell(c, f) for c, f in zip(cells, fields, strict=True)), (cells, fields)
        numbers += sum(isinstance(c, float) for c in cells)
    assert numbers  # counts, lines, offsets, scores: numbers, not text


def test_xlsx_arabic_text_and_counts(invoke, small_corpus):
    pytest.importorskip("xlsxwriter")
    r = invoke("freq", "--corpus", str(small_corpus), "--top", "1", "--format", "xlsx", "--no-header")
    assert r.exit_code == 0, r.stderr
    listed = jsonl(invoke("list", "--corpus", str(small_corpus), "--format", "jsonl").stdout)
    per_million = 4e6 / sum(rec["tokens"] for rec in listed)
    assert read_xlsx(r.stdout_bytes) == [[1.0, "الأمم", "الامم", 4.0, pytest.approx(per_million), 2.0]]


def test_xlsx_text_is_never_a_formula_or_a_link(invoke, tmp_path):
    pytest.importorskip("xlsxwriter")
    (tmp_path / "f.txt").write_text('=HYPERLINK("http://x.test") الأمم\nhttps://x.test الأمم\n')
    r = invoke("grep", "الامم", "--corpus", str(tmp_path / "f.txt"), "--format", "xlsx")
    assert r.exit_code == 0, r.stderr
    sheet = read_xlsx(r.stdout_bytes)  # asserts that no cell is a formula
    assert [row[2] for row in sheet[1:]] == ['=HYPERLINK("http://x.test") الأمم', "https://x.test الأمم"]

    parts = zipfile.ZipFile(io.BytesIO(r.stdout_bytes)).namelist()
    assert not [n for n in parts if "worksheets/_rels" in n]  # no hyperlinks


def test_xlsx_rows_are_written_when_the_command_ends_well():
    """A writer its command leaves open still reaches stdout (exit 0 or 1), and a failed
    command writes no workbook."""
    pytest.importorskip("xlsxwriter")
    import typer

    from corpus_cli.cli.application import _for_format
    from corpus_cli.output.records import RowWriter

    def command(out: io.TextIOWrapper, code: int) -> None:
        RowWriter(out, "xlsx", ["doc", "hits"]).write({"doc": "أ/1", "hits": 3})
        raise typer.Exit(code)

    for code, written in ((0, True), (1, True), (2, False)):
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with pytest.raises(typer.Exit):
            _for_format(command, "xlsx")(out, code)
        out.flush()
        data = out.buffer.getvalue()
        assert (read_xlsx(data) if written else data) == ([["doc", "hits"], ["أ/1", 3.0]] if written else b"")


def test_xlsx_is_not_written_to_a_terminal(invoke, small_corpus, tty):
    r = invoke("freq", "--corpus", str(small_corpus), "--format", "xlsx")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith("corpus: --format xlsx") and "redirect" in r.stderr


def test_xlsx_without_xlsxwriter_says_how_to_install_it(invoke, small_corpus, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "xlsxwriter", None)  # import xlsxwriter: ImportError
    for argv in (["kwic", "الامم", "--corpus", str(small_corpus)], ["normalize", "الأمم"]):
        r = invoke(*argv, "--format", "xlsx")
        assert r.exit_code == 2
        assert r.stdout == ""
        assert r.stderr == (
            "corpus: --format xlsx needs the xlsxwriter package: pip install 'corpus-cli[xlsx]'\n"
        )


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_bom_starts_csv_and_tsv(invoke, small_corpus, fmt):
    argvs = (["freq", "--top", "2"], ["grep", "-c", "الامم"], ["kwic", "الامم"], ["list"])
    for argv in (*argvs, ["dispersion", "الامم", "--by", "folder"]):
        plain_out = invoke(*argv, "--corpus", str(small_corpus), "--format", fmt).stdout
        r = invoke(*argv, "--corpus", str(small_corpus), "--format", fmt, "--bom")
        assert r.exit_code == 0, r.stderr
        assert r.stdout_bytes.startswith("\ufeff".encode())
        assert r.stdout == "\ufeff" + plain_out
    assert invoke("normalize", "--format", fmt, "--bom", "الأمم").stdout.startswith("\ufeffinput")


def test_bom_with_the_frequency_list_of_an_index(invoke, small_corpus):
    assert invoke("index", "build", "--corpus", str(small_corpus)).exit_code == 0
    r = invoke("freq", "--corpus", str(small_corpus), "--bom")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("\ufeffrank\tterm\t")


@pytest.mark.parametrize(
    "argv", [["freq", "--format", "jsonl"], ["grep", "الامم"], ["kwic", "الامم", "--format", "table"]]
)
def test_bom_is_for_tsv_and_csv_only(invoke, small_corpus, argv):
    r = invoke(*argv, "--corpus", str(small_corpus), "--bom")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith("corpus: --bom is for tsv and csv output")


@pytest.mark.parametrize(
    ("pattern", "position"),
    [("a(", 2), ("[ا", 2), ("*ا", 0), ("ا)", 1), ("a{2,1}", 2)],
)
def test_invalid_regex(invoke, pattern, position):
    message = assert_one_error_line(invoke("grep", pattern), "position")
    assert re.search(rf"position {position}\b", message)


@pytest.mark.parametrize(
    "argv",
    [
        ["grep", "-w", "a("],
        ["kwic", "a("],
        ["kwic", "--substring", "a("],
        ["show", "003", "--highlight", "a("],
    ],
)
def test_invalid_regex_position_is_in_the_pattern_as_typed(invoke, argv):
    """The position refers to the user's pattern, not to the word-boundary wrapper."""
    message = assert_one_error_line(invoke(*argv), "position")
    assert re.search(r"position 2\b", message), message


@pytest.mark.parametrize(
    "argv",
    [
        ["grep", "x", "--corpus", "/nonexistent/corpus"],
        ["list", "-C", "/nonexistent/corpus"],
        ["kwic", "x", "-C", "/nonexistent/corpus"],
        ["freq", "-C", "/nonexistent/corpus"],
        ["show", "a", "-C", "/nonexistent/corpus"],
    ],
)
def test_missing_path(invoke, argv):
    assert_one_error_line(invoke(*argv), "/nonexistent/corpus")


def test_missing_path_in_corpus_path(invoke):
    assert_one_error_line(invoke("list", env={"CORPUS_PATH": "/nonexistent/corpus"}), "/nonexistent/corpus")


@pytest.mark.parametrize(
    ("argv", "helped"),
    [
        (["index", "build", "--no-such"], "corpus index build"),
        (["index", "status", "--no-such"], "corpus index status"),
        (["index", "--no-such"], "corpus index"),
        (["grep", "--no-such", "x"], "corpus grep"),
        (["--no-such"], "corpus"),
    ],
)
def test_a_usage_error_names_the_help_of_the_whole_command(argv, helped, monkeypatch, capsys):
    """The entry point's one line names the command as typed, nested groups included."""
    from corpus_cli.cli import main

    monkeypatch.setattr("sys.argv", ["corpus", *argv])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("corpus: No such option: --no-such") and err.endswith(f"; see '{helped} --help'\n")


def test_no_sgr_in_piped_output_by_default(invoke, small_corpus):
    for argv in (["grep", "الامم"], ["grep", "-c", "الامم"], ["kwic", "الامم"], ["list"], ["freq"]):
        r = invoke(*argv, "--corpus", str(small_corpus))
        assert "\x1b[" not in r.stdout, argv


def test_color_always_in_a_pipe(invoke, small_corpus):
    r = grep(invoke, small_corpus, "الامم", "--color", "always")
    assert "\x1b[1;31mالأُمَمُ\x1b[0m" in r.stdout
    assert plain(r.stdout) == grep(invoke, small_corpus, "الامم").stdout
    r = invoke("--color", "always", "grep", "الامم", "--corpus", str(small_corpus))
    assert "\x1b[" in r.stdout


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_color_always_never_touches_machine_formats(invoke, small_corpus, fmt):
    for argv in (["grep", "الامم"], ["kwic", "الامم"], ["freq"], ["list"]):
        r = invoke(*argv, "--corpus", str(small_corpus), "--format", fmt, "--color", "always")
        assert "\x1b[" not in r.stdout, argv


@pytest.mark.parametrize(
    ("env", "flag", "colored"),
    [
        ({}, None, True),
        ({}, "never", False),
        ({"NO_COLOR": "1"}, None, False),
        ({"NO_COLOR": "1"}, "always", True),
        ({"NO_COLOR": ""}, None, True),
        ({"CLICOLOR": "0"}, None, False),
        ({"TERM": "dumb"}, None, False),
        ({"FORCE_COLOR": "1", "TERM": "dumb"}, None, True),
        ({"FORCE_COLOR": "1"}, "never", False),
    ],
)
def test_color_policy_on_a_terminal(invoke, small_corpus, tty, env, flag, colored):
    args = ["grep", "الامم", "--corpus", str(small_corpus)]
    if flag:
        args += ["--color", flag]
    r = invoke(*args, env=env)
    assert r.exit_code == 0
    assert ("\x1b[" in r.stdout) is colored


@pytest.mark.parametrize(
    ("env", "colored"),
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, False),
        ({"CLICOLOR_FORCE": "1"}, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ({"CLICOLOR": "1"}, False),
    ],
)
def test_color_policy_in_a_pipe(invoke, small_corpus, env, colored):
    r = grep(invoke, small_corpus, "الامم", env=env)
    assert ("\x1b[" in r.stdout) is colored


def test_table_colour_follows_the_policy(invoke, small_corpus, tty):
    assert "\x1b[" in invoke("list", "--corpus", str(small_corpus)).stdout
    assert "\x1b[" not in invoke("list", "--corpus", str(small_corpus), env={"NO_COLOR": "1"}).stdout


def test_version(invoke):
    r = invoke("--version")
    assert r.exit_code == 0
    assert re.fullmatch(r"corpus \d+\.\d+\.\d+\S*\n", r.stdout)


#: Words glued by a period, as in saudinewsnet: two tokens for every command.
GLUED = "انتهى داعش.أهمية التحالف\nقال الوزير.والحكومة (أ.ف.ب) إن حكومة #اليوم_الوطني\n"


@pytest.mark.parametrize(
    ("word", "plain", "with_clitics"),
    [("داعش", 1, 1), ("حكومة", 1, 2), ("الوزير", 1, 1), ("ف", 0, 0), ("أ.ف.ب", 1, 1), ("الوطني", 0, 0)],
)
def test_every_command_sees_the_same_tokens(invoke, word, plain, with_clitics):
    """kwic, grep -w, freq and their --clitics forms count the tokens of ``tokenize``."""

    def count(*args: str) -> int:
        r = piped(invoke, *args, text=GLUED)
        assert r.exit_code in (0, 1), r.stderr
        return len(tsv(r.stdout)) - 1

    def freq(*args: str) -> int:
        r = piped(invoke, "freq", word, *args, text=GLUED)
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
    r = piped(invoke, *args, text=CLITIC_TEXT)
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")
    assert r.stdout == ""


def test_typed_marks_through_the_cli(invoke):
    text = "كُتِبَ الدرس\nكَتَبَ الولد\nكتب جديدة\n"
    r = piped(invoke, "grep", "كُتب", text=text)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "stdin:1:كُتِبَ الدرس\nstdin:3:كتب جديدة\n"
    r = piped(invoke, "grep", "--strict-marks", "كُتب", text=text)
    assert r.stdout == "stdin:1:كُتِبَ الدرس\n"
    r = piped(invoke, "kwic", "--format", "tsv", "كُتب", text=text)
    assert [row[5] for row in tsv(r.stdout)[1:]] == ["كُتِبَ", "كتب"]


@pytest.mark.parametrize("command", [["list"], ["grep", "x"], ["kwic", "x"], ["freq"], ["show", "stdin"]])
@pytest.mark.parametrize(
    "steps", [["--fold", "bogus"], ["--keep", "bogus"], ["--fold", "yeh", "--keep", "yeh"]]
)
def test_fold_keep_errors_on_every_command(invoke, command, steps):
    r = piped(invoke, *command, *steps, text="نص\n")
    assert r.exit_code == 2
    assert r.stderr.startswith("corpus: ")
    assert ("bogus" in r.stderr) or ("yeh" in r.stderr)


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
    plain = piped(invoke, *args, "--fold", "yeh", text=text)
    explained = piped(invoke, *args, "--fold", "yeh", "--explain", text=text)
    assert explained.exit_code == plain.exit_code == 0
    assert explained.stdout == plain.stdout
    err = explained.stderr
    assert "الامن" in err  # the normalized query
    assert "standard +yeh" in err  # the active settings
    assert "yeh" in err and "marks" in err and "alef" in err  # the active steps
    assert "pattern:" in err


def test_explain_names_the_token_boundaries(invoke):
    """Whole words and clitics match between token boundaries, pages of lookarounds
    that --explain names instead of printing."""
    r = piped(invoke, "grep", "--explain", "-w", "سوريا", text="سوريا\n")
    assert "pattern: <token start>(?:سوريا)<token end>\n" in r.stderr
    r = piped(invoke, "kwic", "--explain", "--clitics", "الأمن", text="وللأمن\n")
    [line] = [ln for ln in r.stderr.splitlines() if ln.startswith("corpus: pattern: ")]
    assert line.startswith("corpus: pattern: <token start>(?P<pre>") and line.endswith("<token end>")


def test_zero_reports_clitic_count(invoke):
    r = piped(invoke, "grep", "-w", "الأمن", text="وللأمن للأمن\nبالأمن\n")
    assert r.exit_code == 1
    assert "corpus: 0 hits; 3 with --clitics" in r.stderr
    r = piped(invoke, "kwic", "الأمن", text="وللأمن للأمن\nبالأمن\n")
    assert r.exit_code == 1
    assert "3 with --clitics" in r.stderr


def test_zero_reports_clitic_count_for_fixed_strings_too(invoke):
    # -F and --clitics combine (grep -F --clitics الأمن finds وللأمن), so a -F search
    # that finds nothing should say what --clitics would find too.
    assert piped(invoke, "grep", "-F", "--clitics", "الأمن", text="وللأمن\n").exit_code == 0
    r = piped(invoke, "kwic", "-F", "الأمن", text="وللأمن\n")
    assert r.exit_code == 1
    assert "1 with --clitics" in r.stderr


def test_zero_report_is_the_same_with_an_index(invoke, private_index_cache):
    """The index answers its own normalization only: the --norm aggressive count is the
    files' (it once searched the index's trigrams for the aggressive spelling: 0)."""
    seeds = ("--corpus", str(Path(__file__).resolve().parents[2] / "seeds"))
    assert invoke("index", "build", *seeds).exit_code == 0
    with_index = invoke("grep", "-c", "الخارجيه", *seeds)
    without = invoke("grep", "-c", "الخارجيه", *seeds, "--index", "off")
    assert with_index.stderr == without.stderr
    assert "30 with --norm aggressive" in with_index.stderr


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


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("nothere", "corpus: unknown document 'nothere'; documents: doc_alpha, doc_beta, other"),
        ("doc", "corpus: ambiguous document 'doc' matches 2: doc_alpha, doc_beta"),
    ],
    ids=["unknown", "ambiguous"],
)
def test_unknown_and_ambiguous_document_ids(cli, ids_corpus, ref, message):
    error(cli("show", ref, "--corpus", str(ids_corpus)), message)
    error(cli("grep", "الامم", "--doc", ref, "--corpus", str(ids_corpus)), message)
    error(cli("kwic", "الامم", "--doc", ref, "--corpus", str(ids_corpus)), message)


@pytest.fixture(scope="module")
def many_lines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 matching lines: far more than a pipe buffer."""
    root = tmp_path_factory.mktemp("lines")
    (root / "big.txt").write_text("".join(f"السطر {i} في الأمم المتحدة\n" for i in range(20_000)), "utf-8")
    return root


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["grep", "الامم"], "big:1:السطر 0 في الأمم المتحدة"),
        (["kwic", "الامم", "--format", "jsonl"], '{"doc": "big", "line": 1,'),
        (["freq", "--top", "0", "--format", "jsonl"], '{"rank": 1,'),
    ],
    ids=["grep", "kwic", "freq"],
)
def test_broken_pipe_after_one_line(env, tmp_path, many_lines, untouched, args, first):
    untouched(many_lines)
    producer = subprocess.Popen(
        corpus_argv(*args, "--corpus", str(many_lines)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    assert producer.stdout is not None and producer.stderr is not None
    head = subprocess.Popen(["head", "-1"], stdin=producer.stdout, stdout=subprocess.PIPE)
    producer.stdout.close()  # only head reads the pipe now: it closes it after a line
    out, _ = head.communicate(timeout=TIMEOUT)
    err = producer.stderr.read()
    assert producer.wait(timeout=TIMEOUT) == 0  # ripgrep's convention: a closed pipe is no error
    assert out.decode().startswith(first)
    assert err == b""


@pytest.mark.parametrize("command", [["list"], ["grep", "-c", "كلمةفريدة"]], ids=["list", "grep"])
def test_ctrl_c_during_a_load(env, tmp_path, many_files, untouched, command):
    root, taken = many_files
    untouched(root, taken=taken)
    proc = subprocess.Popen(
        corpus_argv(*command, "--corpus", str(root)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    started = time.monotonic()

    def reading() -> bool:
        """Start-up done, files being read: grep's worker processes are there, or (list
        reads in process) 1.5 s have passed."""
        elapsed = time.monotonic() - started
        return elapsed > 1.5 or (elapsed > 0.3 and bool(_children(proc.pid)))

    r = interrupt(proc, reading)
    assert r.code in INTERRUPTED
    assert len(r.err) <= 1


def test_ctrl_c_during_start_up(env, tmp_path, ids_corpus):
    """Interrupted while the CLI is imported (``-X importtime`` says when: each import's
    line is written as it ends; typer's comes inside the import of the CLI)."""
    proc = subprocess.Popen(
        corpus_argv(
            "grep",
            "x",
            "--corpus",
            str(ids_corpus),
            launcher=[sys.executable, "-X", "importtime", *MODULE[1:]],
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.split(b"|")[-1].strip() == b"typer":
            break
    else:
        pytest.fail("typer was never imported")
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=TIMEOUT)
    ours = b"".join(line + b"\n" for line in err.splitlines() if not line.startswith(b"import time:"))
    r = _checked(proc.returncode, out, ours)
    assert r.code in INTERRUPTED
    assert r.err == []


def test_corpus_path_pointing_nowhere(cli, tmp_path, untouched):
    corpus = make(tmp_path / "news", {"a.txt": GOOD})
    untouched(corpus)
    nowhere = str(tmp_path / "nowhere")
    r = cli("grep", "الامم", environ={"CORPUS_PATH": nowhere})
    error(r, f"corpus: CORPUS_PATH: {nowhere}: no such file or directory")
    r = cli("kwic", "الامم", environ={"CORPUS_PATH": f"{corpus}{os.pathsep}{nowhere}"})
    error(r, f"corpus: CORPUS_PATH: {nowhere}: no such file or directory")
    error(cli("list", environ={"CORPUS_PATH": os.pathsep}), "corpus: CORPUS_PATH names no path")
    # --corpus wins over it; commands without a corpus do not look at it.
    r = cli("grep", "الامم", "--corpus", str(corpus), environ={"CORPUS_PATH": nowhere})
    assert (r.code, r.out, r.err) == (0, "a:2:الأمم المتحدة تجتمع\n", [])
    r = cli("normalize", "الأمم", environ={"CORPUS_PATH": nowhere})
    assert (r.code, r.out) == (0, "الامم\n")


@pytest.fixture
def hostile_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "hostile"
    root.mkdir()
    (root / "latin.txt").write_text("a" * 50_000 + "b\n", encoding="utf-8")
    (root / "arabic.txt").write_text("ب" * 50_000 + "\n", encoding="utf-8")
    return root


MATCHING_COMMANDS = [
    ["grep", "(a+)+$"],
    ["grep", "-c", "(ب+)+ت"],
    ["grep", "-v", "(a+)+$"],
    ["grep", "-o", "--norm", "none", "ب+ب+ب+ب+ت"],
    ["kwic", "(a+)+$"],
    ["kwic", "--substring", "--sort", "A1", "(ب+)+ت"],
    ["show", "latin", "--highlight", "(a+)+$", "--format", "jsonl"],
    ["freq", "--match", "(a+)+$"],
    ["dispersion", "(ب+)+ت"],
    ["collocates", "(a+)+$"],
]


@pytest.mark.parametrize("args", MATCHING_COMMANDS, ids=" ".join)
def test_every_matching_command_times_out(invoke, hostile_corpus: Path, args: list[str]) -> None:
    result = invoke(*args, "--corpus", str(hostile_corpus), "--timeout", "0.2")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr == message("0.2")


def test_timeout_is_documented_on_the_commands_that_match(invoke) -> None:
    for args in (
        ["grep", "x"],
        ["kwic", "x"],
        ["show", "x"],
        ["freq"],
        ["dispersion", "x"],
        ["collocates", "x"],
    ):
        text = " ".join(invoke(*args, "--help").stdout.replace("│", " ").split())  # across lines
        assert "--timeout" in text and "[default: 10]" in text, args
    for args in (["list"], ["keywords"], ["normalize"]):
        assert "--timeout" not in invoke(*args, "--help").stdout, args
    assert DEFAULT_TIMEOUT == 10


def test_shared_options_are_declared_once_and_on_every_corpus_command(invoke) -> None:
    for name in ("text_field", "id_field", "encoding", "where"):
        assert name in SHARED_OPTIONS
    for args in (["list"], ["grep", "x"], ["kwic", "x"], ["freq"], ["dispersion", "x"], ["collocates", "x"]):
        text = invoke(*args, "--help").stdout
        for option in ("--text-field", "--id-field", "--encoding", "--where"):
            assert option in text, (args, option)
    shown = invoke("show", "x", "--help").stdout
    assert "--text-field" in shown and "--encoding" in shown


#: Each shared option that selects or reads the corpus, with a command whose answer it changes.
BOTH_SIDES = [
    (["--where", "source=okaz"], ["list"]),
    (["--text-field", "body"], ["grep", "-c", "الامم"]),
    (["--id-field", "key"], ["list"]),
    (["--doc", "feed:2"], ["grep", "-c", "الامم"]),
    (["--norm", "none"], ["grep", "-c", "الامم"]),
    (["--fold", "yeh"], ["freq", "علي"]),
    (["--keep", "alef"], ["grep", "-c", "الامم"]),
    (["--glob", "*.txt"], ["list"]),
    (["--encoding", "latin-1"], ["grep", "-c", "Ø"]),  # UTF-8 Arabic read as Latin-1
]


@pytest.mark.parametrize(("option", "argv"), BOTH_SIDES, ids=[o[0] for o, _ in BOTH_SIDES])
def test_every_corpus_option_works_before_the_command_name(invoke, bodies: Path, option, argv) -> None:
    """The same answer whichever side of the command name the option is on."""
    corpus = ["--corpus", str(bodies)]
    base = ["--text-field", "body"] if option[0] != "--text-field" else []
    after = invoke(*argv, *corpus, *base, *option)
    before = invoke(*option, *argv, *corpus, *base)
    without = invoke(*argv, *corpus, *base)
    assert after.exit_code in (0, 1) and after.stderr == before.stderr, after.stderr
    assert (before.exit_code, before.stdout) == (after.exit_code, after.stdout)
    assert (before.exit_code, before.stdout) != (without.exit_code, without.stdout)  # it did something


def test_index_before_the_command_name(invoke, bodies: Path) -> None:
    corpus = ["--corpus", str(bodies), "--text-field", "body"]
    r = invoke("--corpus", str(bodies), "--index", "off", "list", "--text-field", "body")
    assert r.exit_code == 0 and r.stdout.count("\n") == 4
    r = invoke("--index", str(bodies / "none.corpus-index"), "grep", "x", *corpus)
    assert r.exit_code == 2 and "none.corpus-index: no such index" in r.stderr


@pytest.mark.parametrize("value", ["", " ", "\t"])
def test_an_empty_index_value_is_refused_clearly(invoke, small_corpus, value: str) -> None:
    """``--index ''`` is neither auto nor a file: an error that says what it takes."""
    for args in (["--index", value, "grep", "x"], ["grep", "x", "--index", value]):
        r = invoke(*args, "--corpus", str(small_corpus))
        assert r.exit_code == 2
        assert r.stderr == "corpus: --index needs a value: auto, off or an index file\n"


def test_a_usage_error_of_a_subcommand_names_its_whole_help(tmp_path) -> None:
    r = run_corpus("index", "status", "--index", text=True, cwd=tmp_path, timeout=60)
    assert r.returncode == 2 and r.stderr.endswith("; see 'corpus index status --help'\n"), r.stderr


def test_an_option_after_the_command_name_replaces_the_one_before(invoke, bodies: Path) -> None:
    """Repeatable ones too: --where, --doc and --corpus given after the name replace
    the values given before it, not add to them."""
    corpus = ["--corpus", str(bodies), "--text-field", "body"]
    r = invoke("--where", "source=okaz", "list", *corpus, "--where", "source=sabq")
    assert [row[0] for row in tsv(r.stdout)[1:]] == ["feed:2"]
    r = invoke("--doc", "feed:1", "grep", "-c", "سوريا", *corpus, "--doc", "feed:3")
    assert r.stdout == "feed:3:1\n"
    r = invoke("--text-field", "nothing", "list", *corpus)
    assert len(tsv(r.stdout)) == 4


def test_an_option_before_a_command_that_does_not_take_it_is_ignored(invoke) -> None:
    """As ``corpus --corpus X normalize`` always was: an alias can carry any of them."""
    r = invoke("--doc", "001", "--where", "a=b", "show", "003")
    assert r.exit_code == 0 and r.stdout.startswith("بيان الجولة")
    r = invoke("--doc", "001", "--encoding", "latin-1", "normalize", "الأُمَمُ")
    assert (r.exit_code, r.stdout) == (0, "الامم\n")


def test_the_root_takes_every_shared_option() -> None:
    """One list: the root callback, ``Defaults`` and the options the lean app skips."""
    import inspect

    from typer.main import get_command

    from corpus_cli.cli import application as cli

    params = [p for p in inspect.signature(cli.root).parameters if p not in ("ctx", "version")]
    assert params == list(SHARED_OPTIONS)
    root = get_command(cli.app)
    takes_value = {opt for p in root.params if not getattr(p, "is_flag", False) for opt in p.opts}
    assert takes_value == cli._ROOT_VALUE_OPTIONS


@pytest.mark.parametrize(
    "argv",
    [
        ["--where", "a=b", "list"],
        ["--text-field", "body", "--index", "off", "grep", "x"],
        ["--encoding", "cp1256", "--keep", "alef", "-C", "x", "kwic", "y"],
    ],
)
def test_the_lean_app_finds_the_command_after_every_root_option(argv) -> None:
    from corpus_cli.cli import application as cli

    assert cli.invoked_command(argv) == argv[-1 if argv[-1] == "list" else -2]


def test_where_filters_every_command(invoke, news: Path) -> None:
    base = ["--corpus", str(news)]
    ids = tsv(invoke("list", *base, "--where", "source=alyaum").stdout)
    assert [row[0] for row in ids[1:]] == ["feed:1", "feed:4"]
    both = tsv(invoke("list", *base, "--where", "source=alyaum", "--where", "pages=3").stdout)
    assert [row[0] for row in both[1:]] == ["feed:4"]
    r = invoke("grep", "-c", "سوريا", *base, "--where", "source=alyaum")
    assert r.stdout == "feed:4:1\n"
    r = invoke("kwic", "الأمم", *base, "--where", "source=ahram", "--format", "jsonl")
    assert [rec["doc"] for rec in records(r.stdout)] == ["more:1"]
    r = invoke("freq", "سوريا", *base, "--where", "source=okaz", "--format", "jsonl")
    assert records(r.stdout)[0]["count"] == 1
    r = invoke("list", *base, "--where", "source=")
    assert [row[0] for row in tsv(r.stdout)[1:]] == ["more:2"]  # an empty value is a value


def test_where_errors_and_warnings(invoke, news: Path) -> None:
    r = invoke("list", "--corpus", str(news), "--where", "source")
    assert r.exit_code == 2 and r.stderr.startswith("corpus: ") and "FIELD=VALUE" in r.stderr
    r = invoke("list", "--corpus", str(news), "--where", "=x")
    assert r.exit_code == 2
    r = invoke("list", "--corpus", str(news), "--where", "sorce=okaz")
    assert r.exit_code == 0 and "sorce" in r.stderr and len(tsv(r.stdout)) == 1


def test_text_and_id_fields_on_the_command_line(invoke, tmp_path: Path) -> None:
    file = write(
        tmp_path / "d.jsonl", jsonl_bytes([{"body": "الأمم", "key": "k1"}, {"body": "مصر", "key": "k2"}])
    )
    r = invoke("grep", "الامم", "--corpus", str(file), "--text-field", "body", "--id-field", "key")
    assert r.stdout == "k1:1:الأمم\n"
    r = invoke("show", "k2", "--corpus", str(file), "--text-field", "body", "--id-field", "key")
    assert r.stdout == "مصر"


def test_encoding_on_the_command_line(invoke, tmp_path: Path) -> None:
    write(tmp_path / "old.txt", ARABIC.encode("cp1256"))
    r = invoke("grep", "-c", "الامم", "--corpus", str(tmp_path))
    assert r.stdout == "old:1\n"
    assert len(r.stderr.splitlines()) == 1 and "CP-1256" in r.stderr
    r = invoke("grep", "-c", "الامم", "--corpus", str(tmp_path), "--encoding", "cp1256")
    assert r.stdout == "old:1\n" and r.stderr == ""
    r = invoke("list", "--corpus", str(tmp_path), "--encoding", "klingon")
    assert r.exit_code == 2
    assert r.stderr == "corpus: --encoding: unknown encoding 'klingon'\n"


@pytest.mark.parametrize(
    ("argv", "first"),
    [
        (["kwic", "x", "--encoding", "bogus", "--fold", "bogus"], "--encoding: unknown encoding 'bogus'"),
        (["kwic", "x", "--where", "bad", "--fold", "zz"], "--where: expected FIELD=VALUE, got 'bad'"),
        (["kwic", "x", "--index=", "--encoding", "bogus"], "--encoding: unknown encoding 'bogus'"),
        (["freq", "--scheduler", "X", "--by", "year", "--by-doc"], "--scheduler needs --engine dask"),
        (["freq", "مجلس الامن", "--clitics", "--scheduler", "X"], "--clitics needs a single word"),
    ],
)
def test_of_several_mistakes_the_first_checked_is_said(invoke, argv, first):
    """The order the options are checked in: how the files are read, then the index and
    the normalization; a TERM, then the engine, then the grouping."""
    r = invoke(*argv)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith(f"corpus: {first}") and r.stderr.count("\n") == 1
