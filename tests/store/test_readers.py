"""Reading a corpus (``corpus_cli.store.readers``): record files (JSONL, CSV, TSV), compressed
files and archives, encodings, binary and damaged files, odd files (FIFOs, devices, symlink
loops, unreadable paths) and progress.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import random
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.store import readers
from corpus_cli.store.corpus import Corpus, Document, load_corpus
from corpus_cli.store.readers import expand_braces, kind_of, looks_cp1256
from tests.conftest import (
    ARABIC,
    GOOD,
    NEWS,
    _unprivileged,
    csv_bytes,
    error,
    jsonl_bytes,
    make,
    require_denied,
    run_corpus,
    warnings,
    write,
)

ZERO_HITS = "corpus: 0 hits"  # grep's note when nothing matched (not an error)


def test_cp1256_file_is_read_with_a_warning(cli, tmp_path, untouched):
    corpus = make(tmp_path / "c", {"cp.txt": "مرحبا بالعالم\r\nالأمم المتحدة\r\n".encode("cp1256")})
    untouched(corpus)
    r = cli("grep", "-n", "الامم", "--corpus", str(corpus))
    assert (r.code, r.out) == (0, "cp:2:الأمم المتحدة\n")
    assert r.err == [
        f"corpus: warning: {corpus}/cp.txt: not UTF-8, read as CP-1256 (Windows Arabic); --encoding to choose"
    ]


@pytest.mark.parametrize(
    "latin",
    [
        "Le garçon a mangé une crème brûlée à côté de la fenêtre.\n",
        "El niño comió piña en la montaña. ¿Cómo estás?\n",  # ñ ó are Arabic marks in CP-1256
        "ÇA ÉTÉ À CÔTÉ DE LA FENÊTRE, ÖFFNUNG ÜBER STRAßE\n",  # so are most accented capitals
    ],
    ids=["french", "spanish", "capitals"],
)
def test_latin1_file_is_skipped_with_a_warning_never_read_as_arabic(cli, tmp_path, untouched, latin):
    corpus = make(tmp_path / "c", {"good.txt": GOOD, "latin.txt": latin.encode("latin-1")})
    untouched(corpus)
    r = cli("grep", "الامم", "--corpus", str(corpus))
    assert (r.code, r.out) == (0, "good:2:الأمم المتحدة تجتمع\n")
    assert len(r.err) == 1
    assert r.err[0].startswith(f"corpus: warning: skipped {corpus}/latin.txt: not UTF-8 (byte 0x")
    assert r.err[0].endswith("nor Arabic in CP-1256; see --encoding")
    # The hint works: --encoding reads it as what it is.
    word = latin.split()[1]
    r = cli("grep", "-F", word, "--encoding", "latin-1", "--corpus", f"{corpus}/latin.txt")
    assert (r.code, r.out, r.err) == (0, f"latin:1:{latin}", [])


def test_binary_files_are_skipped_with_a_warning(cli, tmp_path, untouched):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
    corpus = make(
        tmp_path / "c",
        {"good.txt": GOOD, "image.txt": png, "nul.txt": "الأمم\x00المتحدة\nالأمم\n".encode()},
    )
    untouched(corpus)
    r = cli("grep", "الامم", "--corpus", str(corpus))
    # nul.txt holds a match, but a NUL byte makes a file binary.
    assert (r.code, r.out) == (0, "good:2:الأمم المتحدة تجتمع\n")
    assert r.err == [
        f"corpus: warning: skipped {corpus}/image.txt: binary file (NUL bytes)",
        f"corpus: warning: skipped {corpus}/nul.txt: binary file (NUL bytes)",
    ]


@pytest.mark.parametrize("command", [("grep", "الامم"), ("index", "build")])
def test_a_record_nested_3000_deep_is_skipped_with_a_warning(cli, tmp_path, untouched, command):
    deep = '{"text": "الأمم", "x": ' + "[" * 3000 + "]" * 3000 + "}"
    corpus = make(tmp_path / "c", {"feed.jsonl": f'{{"text": "الأمم المتحدة"}}\n{deep}\n'})
    untouched(corpus)
    r = cli(*command, "--corpus", str(corpus))
    assert r.code == 0, r
    assert f"corpus: warning: skipped {corpus}/feed.jsonl:2: nested too deeply to read" in r.err
    if command[0] == "grep":
        assert r.out == "feed:1:1:الأمم المتحدة\n"


def test_utf16_and_utf32_files_with_a_bom_are_read_not_called_binary(cli, tmp_path, untouched):
    text = "ﻻ سطر\nالأمم المتحدة\n"  # a presentation form (U+FEFB) on line 1
    corpus = make(
        tmp_path / "c",
        {
            "le16.txt": "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"),
            "be32.txt": "\ufeff".encode("utf-32-be") + text.encode("utf-32-be"),
            "table.csv": "\ufeff".encode("utf-16-be") + "id,text\n1,الأمم\n".encode("utf-16-be"),
        },
    )
    untouched(corpus)
    r = cli("grep", "-c", "لا", "--corpus", str(corpus), "--index", "off")
    assert (r.code, r.out, r.err) == (0, "be32:2\nle16:2\ntable:1:1\n", [])


def test_an_unclosed_csv_quote_is_a_warning(cli, tmp_path, untouched):
    corpus = make(tmp_path / "c", {"t.csv": 'id,text\n1,الأمم\n2,"مفتوح\n3,الأمم\n'})
    untouched(corpus)
    r = cli("grep", "-c", "الامم", "--corpus", str(corpus))
    assert (r.code, r.out) == (0, "t:1:1\nt:2:1\n")
    assert r.err == [
        f"corpus: warning: {corpus}/t.csv: the quote opened on line 3 is never closed: "
        "record 2 holds the rest of the file"
    ]


#: Runs the rest of its arguments with at most 768 MiB of address space.
LIMITED = [
    sys.executable,
    "-c",
    "import os, resource, sys; resource.setrlimit(resource.RLIMIT_AS, (768 << 20, 768 << 20)); "
    "os.execv(sys.argv[1], sys.argv[1:])",
]


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux has it")
def test_a_zip_bomb_does_not_exhaust_memory(cli, tmp_path, untouched):
    """A 4 MB zip of 4 × 128 MiB members of one repeated line (a zip bomb), next to a
    real member: the bomb's members are skipped with a warning, the real one is read,
    all within 768 MiB (reading every member held more than 1 GB)."""
    import zipfile

    line = ("ا" * 63 + "\n").encode()
    block = line * 8192  # 1 MiB
    path = tmp_path / "c" / "bomb.zip"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("real.txt", GOOD)
        for i in range(4):
            with archive.open(f"m{i}.txt", "w", force_zip64=True) as member:
                for _ in range(128):
                    member.write(block)
    untouched(path.parent)
    r = cli("grep", "-c", "الامم", "--corpus", str(path), "--index", "off", prefix=LIMITED)
    assert (r.code, r.out) == (0, "bomb/real:1\n")
    assert r.err == [
        f"corpus: warning: skipped {path}/m{i}.txt: expands to more than 100 times its compressed size "
        "(a zip bomb?)"
        for i in range(4)
    ]


def test_empty_blank_and_bom_only_files_are_empty_documents(cli, tmp_path, untouched):
    corpus = make(tmp_path / "c", {"empty.txt": b"", "blank.txt": b"  \n\t\r\n", "bom.txt": b"\xef\xbb\xbf"})
    untouched(corpus)
    r = cli("list", "--corpus", str(corpus), "--format", "tsv")
    assert (r.code, r.err) == (0, [])
    rows = [line.split("\t") for line in r.out.splitlines()]
    assert [(row[0], row[3], row[6]) for row in rows] == [
        ("id", "chars", "lines"),
        ("blank", "5", "2"),
        ("bom", "0", "0"),
        ("empty", "0", "0"),
    ]
    r = cli("grep", "الامم", "--corpus", str(corpus))
    assert (r.code, r.out) == (1, "")
    assert warnings(r) == [] and r.err[0].startswith(ZERO_HITS)
    r = cli("show", "bom", "--corpus", str(corpus))
    assert (r.code, r.out, r.err) == (0, "", [])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("first\r\nالأمم one\r\nthird\r\n".encode(), [2]),
        ("first\rالأمم one\rthird\r".encode(), [2]),
        (
            "first\r\nالأمم one\rthird\nالأمم four\r\n\r\nsix الأمم".encode(),
            [2, 4, 6],
        ),
    ],
    ids=["crlf", "cr", "mixed"],
)
def test_line_ends_crlf_cr_and_mixed(cli, tmp_path, untouched, data, expected):
    corpus = make(tmp_path / "c", {"ends.txt": data})
    untouched(corpus)
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode().split("\n")
    r = cli("grep", "-n", "الامم", "--corpus", str(corpus))
    assert (r.code, r.err) == (0, [])
    assert "\r" not in r.out
    assert r.out == "".join(f"ends:{n}:{lines[n - 1]}\n" for n in expected)
    r = cli("grep", "-o", "الامم", "--corpus", str(corpus))
    assert r.out == "".join(f"ends:{n}:الأمم\n" for n in expected)
    r = cli("kwic", "الامم", "--corpus", str(corpus), "--format", "jsonl")
    assert "\\r" not in r.out and "\r" not in r.out
    assert r.out.count('"match": "الأمم"') == len(expected)


def test_invalid_utf8_in_the_middle_is_read_as_replacement_characters(cli, tmp_path, untouched):
    lines = [f"سطر رقم {i} من نص عربي طويل".encode() for i in range(1, 41)]
    lines[19] = "في هذا السطر بايت تالف: ".encode() + b"\xff\xfe" + " بعده".encode()
    lines[29] = "الأمم المتحدة بعد البايت التالف".encode()
    data = b"\n".join(lines) + b"\n" + "الأمم".encode()[:-1]  # and a truncated last character
    corpus = make(tmp_path / "c", {"damaged.txt": data})
    untouched(corpus)
    r = cli("grep", "-n", "الامم", "--corpus", str(corpus))
    assert (r.code, r.out) == (0, "damaged:30:الأمم المتحدة بعد البايت التالف\n")
    offset = data.index(b"\xff")
    assert r.err == [
        f"corpus: warning: {corpus}/damaged.txt: 3 invalid UTF-8 sequence(s) read as U+FFFD "
        f"(the first: byte 0xff at offset {offset})"
    ]
    r = cli("grep", "-n", "تالف", "--corpus", str(corpus))
    assert "damaged:20:في هذا السطر بايت تالف: \ufffd\ufffd بعده\n" in r.out


def test_path_with_spaces_and_arabic_names(cli, tmp_path, untouched):
    root = tmp_path / "مدونة الأخبار"
    make(root, {"مجلد فيه مسافات/ملف عربي.txt": GOOD})
    untouched(root)
    r = cli("grep", "الامم", "--corpus", str(root))
    assert (r.code, r.out, r.err) == (0, "مجلد فيه مسافات/ملف عربي:2:الأمم المتحدة تجتمع\n", [])
    r = cli("grep", "الامم", "--corpus", str(root / "مجلد فيه مسافات" / "ملف عربي.txt"))
    assert (r.code, r.out) == (0, "ملف عربي:2:الأمم المتحدة تجتمع\n")
    r = cli("show", "مجلد فيه", "--corpus", str(root))
    assert (r.code, r.out) == (0, GOOD)


def test_unreadable_directory_and_files(cli, tmp_path, untouched):
    prefix = _unprivileged()
    locked = make(tmp_path / "locked", {"a.txt": GOOD})
    corpus = make(tmp_path / "c", {"good.txt": GOOD, "secret.txt": GOOD, "sub/inner.txt": GOOD})
    untouched(locked, corpus)
    modes = {path: path.stat().st_mode for path in (locked, corpus / "secret.txt", corpus / "sub")}
    for path in modes:
        path.chmod(0)
    try:
        require_denied(locked, prefix)
        # Named: an error.
        error(
            cli("grep", "الامم", "--corpus", str(locked), prefix=prefix),
            f"corpus: {locked}: permission denied",
        )
        r = cli("grep", "الامم", "--corpus", str(corpus / "secret.txt"), prefix=prefix)
        error(r, f"corpus: {corpus}/secret.txt: permission denied")
        # Inside the corpus: warnings, and the rest is searched.
        r = cli("grep", "الامم", "--corpus", str(corpus), prefix=prefix)
        assert (r.code, r.out) == (0, "good:2:الأمم المتحدة تجتمع\n")
        assert sorted(r.err) == [
            f"corpus: warning: skipped {corpus}/secret.txt: Permission denied",
            f"corpus: warning: skipped {corpus}/sub: Permission denied",
        ]
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def test_symlink_loops(cli, tmp_path, untouched):
    corpus = make(tmp_path / "c", {"good.txt": GOOD})
    (corpus / "l1.txt").symlink_to("l2.txt")
    (corpus / "l2.txt").symlink_to("l1.txt")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "up").symlink_to("..")  # a directory cycle: never followed
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    untouched(corpus)
    error(
        cli("grep", "x", "--corpus", str(tmp_path / "loop")), f"corpus: {tmp_path}/loop: symbolic link loop"
    )
    r = cli("grep", "x", "--corpus", str(tmp_path / "dangling.txt"))
    error(r, f"corpus: {tmp_path}/dangling.txt: broken symbolic link")
    r = cli("grep", "الامم", "--corpus", str(corpus))
    assert (r.code, r.out) == (0, "good:2:الأمم المتحدة تجتمع\n")
    assert r.err == [
        f"corpus: warning: skipped {corpus}/l1.txt: Too many levels of symbolic links",
        f"corpus: warning: skipped {corpus}/l2.txt: Too many levels of symbolic links",
    ]


def test_fifo_is_never_waited_for(cli, tmp_path, untouched):
    corpus = make(tmp_path / "c", {"good.txt": GOOD})
    os.mkfifo(corpus / "pipe.txt")
    os.mkfifo(tmp_path / "named.txt")
    untouched(corpus)
    # Nobody writes to them: skipped with a warning, at once.
    r = cli("grep", "الامم", "--corpus", str(corpus), timeout=10)
    assert (r.code, r.out) == (0, "good:2:الأمم المتحدة تجتمع\n")
    assert r.err == [f"corpus: warning: skipped {corpus}/pipe.txt: a FIFO that nothing is written to"]
    r = cli("grep", "الامم", "--corpus", str(tmp_path / "named.txt"), timeout=10)
    assert (r.code, r.out) == (1, "")
    assert r.err[0] == f"corpus: warning: skipped {tmp_path}/named.txt: a FIFO that nothing is written to"
    assert r.err[1].startswith(ZERO_HITS)
    # A pipe with a writer, as --corpus <(command) gives: read.
    read_end, write_end = os.pipe()
    os.write(write_end, "الأمم في أنبوب\n".encode())
    os.close(write_end)
    try:
        r = cli("grep", "الامم", "--corpus", f"/dev/fd/{read_end}", pass_fds=(read_end,), timeout=10)
    finally:
        os.close(read_end)
    assert (r.code, r.out, r.err) == (0, f"{read_end}:1:الأمم في أنبوب\n", [])


def test_a_device_is_not_read(cli):
    r = cli("grep", "x", "--corpus", "/dev/zero", timeout=10)
    assert r.code == 1
    assert r.err[0] == "corpus: warning: skipped /dev/zero: not a regular file"


def test_100k_tiny_files(cli, many_files, untouched):
    root, taken = many_files
    untouched(root, taken=taken)
    started = time.monotonic()
    r = cli("grep", "-n", "كلمةفريدة", "--corpus", str(root))
    assert (r.code, r.out, r.err) == (0, "054/054321:1:هنا كلمةفريدة\n", [])
    assert time.monotonic() - started < 20, "100,000 files took more than 20 s"


@pytest.fixture(scope="module")
def million_lines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One document of 1,000,000 lines; كلمةفريدة on line 765,433, رابع on three lines."""
    root = tmp_path_factory.mktemp("million")
    lines = [f"سطر رقم {i} من النص\n" for i in range(1_000_000)]
    lines[765_432] = "هنا كلمةفريدة في السطر\n"
    for n in (10, 500_000, 999_999):
        lines[n] = f"سطر رابع {n}\n"
    (root / "million.txt").write_text("".join(lines), "utf-8")
    return root


def test_a_million_lines(cli, million_lines, untouched):
    untouched(million_lines)
    path = str(million_lines / "million.txt")
    r = cli("grep", "-n", "كلمةفريدة", "--corpus", path)
    assert (r.code, r.out, r.err) == (0, "million:765433:هنا كلمةفريدة في السطر\n", [])
    r = cli("grep", "-n", "رابع", "--corpus", path)
    assert (
        r.out == "million:11:سطر رابع 10\nmillion:500001:سطر رابع 500000\nmillion:1000000:سطر رابع 999999\n"
    )


@pytest.fixture(scope="module")
def one_long_line(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 100 MB document that is one line, كلمةفريدة at its end."""
    root = tmp_path_factory.mktemp("long")
    chunk = ("الأمم المتحدة في نيويورك " * 40).encode() * 1000  # about 1 MB
    with open(root / "long.txt", "wb") as out:
        for _ in range(100 * 1024 * 1024 // len(chunk)):
            out.write(chunk)
        out.write(" كلمةفريدة\n".encode())
    return root


def test_a_100_mb_single_line(cli, one_long_line, untouched):
    """A hit's span is mapped with the pieces of the line around it (search.PieceMap)."""
    untouched(one_long_line)
    r = cli("grep", "-o", "كلمةفريدة", "--corpus", str(one_long_line), timeout=60)
    assert (r.code, r.out, r.err) == (0, "long:1:كلمةفريدة\n", [])


def load(*paths: Path | str, **kwargs) -> Corpus:
    return load_corpus([str(p) for p in paths], **kwargs)


def by_id(corpus: Corpus) -> dict[str, Document]:
    return {d.id: d for d in corpus}


def test_jsonl_one_document_per_record_with_metadata(tmp_path: Path) -> None:
    file = write(tmp_path / "news.jsonl", jsonl_bytes(NEWS))
    warnings: list[str] = []
    docs = by_id(load(file, warn=warnings.append))
    assert list(docs) == ["news:1", "news:2", "news:4"]  # record numbers, the bad one skipped
    assert docs["news:1"].text == NEWS[0]["text"]
    assert docs["news:1"].path == f"{file}:1"
    # every other field is metadata, as strings; the text is not; null is no value
    assert docs["news:1"].meta == {"id": "n1", "source": "alyaum", "date": "2015-01-01"}
    assert docs["news:4"].meta == {"id": "n4", "source": "alyaum", "pages": "3", "ok": "true"}
    assert len(warnings) == 1
    assert f"{file}:3" in warnings[0] and "'text'" in warnings[0] and "title" in warnings[0]


def test_jsonl_id_field_and_text_field(tmp_path: Path) -> None:
    rows = [{"body": "نص أول", "key": "a-1", "lang": "ar"}, {"body": "نص ثان", "lang": "ar"}]
    file = write(tmp_path / "data.jsonl", jsonl_bytes(rows))
    warnings: list[str] = []
    corpus = load(file, text_field="body", id_field="key", warn=warnings.append)
    assert [d.id for d in corpus] == ["a-1", "data:2"]  # no id: the record number
    assert [d.text for d in corpus] == ["نص أول", "نص ثان"]
    assert all(d.meta == {"lang": "ar"} for d in corpus)  # neither text nor id is metadata
    assert len(warnings) == 1 and "'key'" in warnings[0]


def test_jsonl_bad_lines_are_warnings_blank_lines_ignored(tmp_path: Path) -> None:
    data = '{"text": "أول"}\n\n   \n{broken\n[1, 2]\n{"text": "سطر\\r\\nثان"}\n'
    file = write(tmp_path / "mixed.jsonl", data)
    warnings: list[str] = []
    corpus = load(file, warn=warnings.append)
    assert [(d.id, d.text) for d in corpus] == [("mixed:1", "أول"), ("mixed:4", "سطر\nثان")]
    assert len(warnings) == 2
    assert f"{file}:2" in warnings[0] and "JSON" in warnings[0]
    assert f"{file}:3" in warnings[1] and "object" in warnings[1]


def test_many_bad_records_are_summed_up(tmp_path: Path) -> None:
    file = write(tmp_path / "bad.jsonl", jsonl_bytes([{"body": str(i)} for i in range(20)]))
    warnings: list[str] = []
    assert len(load(file, warn=warnings.append)) == 0
    assert len(warnings) == readers.RECORD_WARNINGS + 1
    assert "15 more" in warnings[-1]


def test_a_record_nested_too_deeply_is_skipped_with_a_warning(tmp_path: Path) -> None:
    """3,000 levels are past what ``json.loads`` reads; 700 with an escape are read."""
    deep = '{"text": "عميق", "x": ' + "[" * 3000 + "]" * 3000 + "}"
    escaped = '{"text": "نص\\ud800", "x": ' + "[" * 700 + '{"\\udc00": "\\ud800"}' + "]" * 700 + "}"
    file = write(tmp_path / "deep.jsonl", f'{{"text": "أول"}}\n{deep}\n{escaped}\n')
    warnings: list[str] = []
    corpus = load(file, warn=warnings.append)
    assert [(d.id, d.text) for d in corpus] == [("deep:1", "أول"), ("deep:3", "نص\ufffd")]
    assert corpus.documents[1].meta["x"].count("\ufffd") == 2
    assert warnings == [f"skipped {file}:2: {readers.TOO_DEEP}"]


def test_csv_records_with_quoted_multiline_fields(tmp_path: Path) -> None:
    rows = [["title", "text", "date"], ["عنوان", "سطر أول\r\nسطر, ثان", "2015"], ["", "آخر", ""]]
    file = write(tmp_path / "a.csv", b"\xef\xbb\xbf" + csv_bytes(rows))  # BOM before the header
    docs = by_id(load(file))
    assert list(docs) == ["a:1", "a:2"]
    assert docs["a:1"].text == "سطر أول\nسطر, ثان"
    assert docs["a:1"].meta == {"title": "عنوان", "date": "2015"}
    assert docs["a:2"].meta == {"title": "", "date": ""}


def test_tsv_records(tmp_path: Path) -> None:
    file = write(tmp_path / "t.tsv", csv_bytes([["doc", "text"], ["x1", "نص"], ["x2", "نص آخر"]], "\t"))
    corpus = load(file, id_field="doc")
    assert [(d.id, d.text, d.meta) for d in corpus] == [("x1", "نص", {}), ("x2", "نص آخر", {})]


def test_table_without_the_text_column_is_one_warning(tmp_path: Path) -> None:
    file = write(tmp_path / "t.csv", csv_bytes([["body", "date"]] + [["نص", "1"]] * 50))
    warnings: list[str] = []
    assert len(load(file, warn=warnings.append)) == 0
    assert len(warnings) == 1
    assert str(file) in warnings[0] and "'text'" in warnings[0] and "body" in warnings[0]
    assert [d.text for d in load(file, text_field="body")] == ["نص"] * 50


def test_short_csv_row_without_text_is_skipped(tmp_path: Path) -> None:
    file = write(tmp_path / "s.csv", "date,text\n2015,نص\n2016\n")
    warnings: list[str] = []
    corpus = load(file, warn=warnings.append)
    assert [d.id for d in corpus] == ["s:1"]
    assert len(warnings) == 1 and f"{file}:2" in warnings[0]


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_an_unclosed_quote_is_a_warning_naming_its_line(tmp_path: Path, delimiter: str) -> None:
    """``csv`` reads the rest of the file into the open field without a word."""
    sep = delimiter
    data = f'id{sep}text\r\n1{sep}"أول ""مقتبس""\r\nسطر"\r\n2{sep}ثان\r\n3{sep}"مفتوح\r\n4{sep}رابع\r\n'
    file = write(tmp_path / ("t.tsv" if sep == "\t" else "t.csv"), data)
    warnings: list[str] = []
    corpus = load(file, warn=warnings.append)
    assert [d.text for d in corpus] == ['أول "مقتبس"\nسطر', "ثان", f"مفتوح\n4{sep}رابع\n"]
    assert warnings == [
        f"{file}: the quote opened on line 5 is never closed: record 3 holds the rest of the file"
    ]
    closed = write(file.with_stem("closed"), data.replace('"مفتوح', '"مفتوح"') + f'5{sep}6" literal\n')
    warnings.clear()
    assert len(load(closed, warn=warnings.append)) == 5 and warnings == []


def test_default_glob_reads_text_record_and_compressed_files(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "نص")
    write(tmp_path / "b.jsonl", jsonl_bytes([{"text": "سجل"}]))
    write(tmp_path / "c.csv", "text\nخلية\n")
    write(tmp_path / "d.tsv", "text\nخانة\n")
    write(tmp_path / "sub" / "e.txt.gz", gzip.compress("مضغوط".encode()))
    write(tmp_path / "f.jsonl.xz", lzma.compress(jsonl_bytes([{"text": "إكس"}])))
    write(tmp_path / "notes.md", "لا")
    write(tmp_path / "pack.zip", b"")  # archives in a directory only with --glob
    assert [d.id for d in load(tmp_path)] == ["a", "b:1", "c:1", "d:1", "f:1", "sub/e"]
    assert [d.id for d in load(tmp_path, glob="*.md")] == ["notes.md"]
    assert [d.id for d in load(tmp_path, glob="*.{md,csv}")] == ["c:1", "notes.md"]


def test_expand_braces() -> None:
    assert expand_braces("*.txt") == ["*.txt"]
    assert expand_braces("*.{txt,md}") == ["*.txt", "*.md"]
    assert expand_braces("*.{a,b}{,.gz}") == ["*.a", "*.a.gz", "*.b", "*.b.gz"]
    assert len(expand_braces(readers.DEFAULT_GLOB)) == 16


@pytest.mark.parametrize(
    ("name", "stem", "fmt", "compression", "archive"),
    [
        ("a.txt", "a", "text", None, None),
        ("a.TXT.GZ", "a", "text", "gzip", None),
        ("notes.md", "notes.md", "text", None, None),
        ("x.txt.txt", "x.txt", "text", None, None),
        ("n.jsonl.bz2", "n", "jsonl", "bz2", None),
        ("t.tsv.xz", "t", "tsv", "lzma", None),
        ("c.CSV", "c", "csv", None, None),
        ("p.tar.gz", "p", "archive", None, "tar"),
        ("p.tgz", "p", "archive", None, "tar"),
        ("p.tar.bz2", "p", "archive", None, "tar"),
        ("p.tar.xz", "p", "archive", None, "tar"),
        ("p.tar", "p", "archive", None, "tar"),
        ("p.zip", "p", "archive", None, "zip"),
        (".gz", ".gz", "text", None, None),
    ],
)
def test_kind_of(name: str, stem: str, fmt: str, compression: str | None, archive: str | None) -> None:
    assert kind_of(name) == (stem, fmt, compression, archive)


@pytest.mark.parametrize(
    ("suffix", "compress"), [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)]
)
def test_compressed_files_are_read_directly(tmp_path: Path, suffix: str, compress) -> None:
    text_file = write(tmp_path / f"article.txt{suffix}", compress("الأمم\r\nالمتحدة\n".encode()))
    record_file = write(tmp_path / f"feed.jsonl{suffix}", compress(jsonl_bytes(NEWS[:2])))
    docs = by_id(load(text_file, record_file))
    assert list(docs) == ["article", "feed:1", "feed:2"]  # the compression suffix is dropped too
    assert docs["article"].text == "الأمم\nالمتحدة\n"
    assert docs["article"].path == str(text_file)
    assert docs["feed:2"].meta["source"] == "okaz"


def test_damaged_compressed_file_is_a_warning(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.txt.gz", gzip.compress("نص".encode())[:12])
    write(tmp_path / "good.txt", "نص")
    warnings: list[str] = []
    assert [d.id for d in load(tmp_path, warn=warnings.append)] == ["good"]
    assert len(warnings) == 1 and str(bad) in warnings[0]


def test_oversized_decompressed_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_MEMBER", 100)
    monkeypatch.setattr(readers, "CHUNK", 64)
    big = write(tmp_path / "big.txt.gz", gzip.compress(("نص " * 100).encode()))
    warnings: list[str] = []
    assert len(load(big, warn=warnings.append)) == 0
    assert len(warnings) == 1 and "2 GiB" in warnings[0]


MEMBERS = {
    "corpus/b.txt": "عضو باء".encode(),
    "./corpus/a.txt": "عضو ألف".encode(),
    "corpus/sub/c.txt.gz": gzip.compress("عضو مضغوط".encode()),
    "corpus/feed.jsonl": jsonl_bytes(NEWS[:2]),
    "corpus/README.md": b"not read",
    "corpus/inner.zip": b"PK not read",
    "__MACOSX/corpus/._a.txt": b"\x00\x05\x16\x07",
}


MEMBER_IDS = [
    "pack/corpus/a",
    "pack/corpus/b",
    "pack/corpus/feed:1",
    "pack/corpus/feed:2",
    "pack/corpus/sub/c",
]


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def make_tar(path: Path, members: dict[str, bytes], mode: str) -> Path:
    with tarfile.open(path, mode) as archive:
        folder = tarfile.TarInfo("corpus")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("corpus/link.txt")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    return path


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("pack.zip", None),
        ("pack.tar", "w"),
        ("pack.tar.gz", "w:gz"),
        ("pack.tgz", "w:gz"),
        ("pack.tar.bz2", "w:bz2"),
        ("pack.tar.xz", "w:xz"),
    ],
)
def test_archive_members_become_documents(tmp_path: Path, name: str, mode: str | None) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / name
    make_zip(path, MEMBERS) if mode is None else make_tar(path, MEMBERS, mode)
    warnings: list[str] = []
    docs = by_id(load(path, warn=warnings.append))
    assert list(docs) == MEMBER_IDS  # in member path order, whatever the archive order
    assert docs["pack/corpus/a"].text == "عضو ألف"
    assert docs["pack/corpus/sub/c"].text == "عضو مضغوط"
    assert docs["pack/corpus/a"].path == f"{path}/corpus/a.txt"
    assert docs["pack/corpus/feed:2"].meta == {"id": "n2", "source": "okaz", "date": "2015-01-02"}
    assert warnings == []
    assert [p.name for p in folder.iterdir()] == [name]  # nothing extracted to disk


def test_archive_selected_in_a_directory_with_glob(tmp_path: Path) -> None:
    make_zip(tmp_path / "pack.zip", {"a.txt": "نص".encode()})
    assert [d.id for d in load(tmp_path)] == []
    assert [d.id for d in load(tmp_path, glob="*.zip")] == ["pack/a"]


def test_oversized_members_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_MEMBER", 50)
    members = {"small.txt": "نص".encode(), "big.txt": ("نص " * 50).encode()}
    for path in (make_zip(tmp_path / "p.zip", members), make_tar(tmp_path / "p.tar.gz", members, "w:gz")):
        warnings: list[str] = []
        assert [d.id for d in load(path, warn=warnings.append)] == ["p/small"]
        assert len(warnings) == 1 and "big.txt" in warnings[0] and "2 GiB" in warnings[0]


def test_damaged_archives_are_warnings(tmp_path: Path) -> None:
    write(tmp_path / "bad.zip", b"not a zip at all")
    rng = random.Random(1)  # text that does not compress away: the cut falls inside a member
    texts = {
        f"m{i}.txt": "".join(rng.choice("ابتثجحخدذرزسشصضطظعغفقكلمنهوي ") for _ in range(3000))
        for i in range(5)
    }
    good = make_tar(tmp_path / "cut.tar.gz", {name: text.encode() for name, text in texts.items()}, "w:gz")
    data = good.read_bytes()
    cut = write(tmp_path / "cut2.tar.gz", data[: len(data) // 2])
    warnings: list[str] = []
    assert len(load(tmp_path / "bad.zip", warn=warnings.append)) == 0
    assert len(warnings) == 1 and "bad.zip" in warnings[0]
    warnings.clear()
    corpus = load(cut, warn=warnings.append)  # what was read before the damage is kept
    assert 0 < len(corpus) < 5
    assert len(warnings) == 1 and "damaged" in warnings[0]


def test_archive_members_in_cp1256_and_binary(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "p.zip", {"a.txt": "سلام عليكم".encode("cp1256"), "b.txt": b"\x00\x01"})
    warnings: list[str] = []
    assert [(d.id, d.text) for d in load(path, warn=warnings.append)] == [("p/a", "سلام عليكم")]
    assert len(warnings) == 2
    assert f"{path}/a.txt" in warnings[0] and "CP-1256" in warnings[0]
    assert f"{path}/b.txt" in warnings[1] and "binary" in warnings[1]


#: 127 KB that deflate packs into a few hundred bytes, and 30 KB that packs 2 to 3 times.
BOMB = ("ا" * 63 + "\n").encode() * 1000


PROSE = "".join(random.Random(2).choices("ابتثجحخدذرزسشصضطظعغفقكلمنهوي ", k=15_000)).encode()


@pytest.fixture
def bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The zip-bomb bound from 10 KB on, read in 4 KB chunks: a bomb is small and fast."""
    monkeypatch.setattr(readers, "RATIO_FLOOR", 10_000, raising=False)
    monkeypatch.setattr(readers, "CHUNK", 4096)


def test_a_zip_bomb_is_skipped_member_by_member(tmp_path: Path, bounded: None) -> None:
    # First: the text read before them would let the archive as a whole expand further.
    members = {"b.txt": BOMB, "c.txt.gz": gzip.compress(BOMB), "a.txt": PROSE, "d.txt": PROSE}
    path = make_zip(tmp_path / "p.zip", members)
    warnings: list[str] = []
    assert [d.id for d in load(path, warn=warnings.append)] == ["p/a", "p/d"]
    assert warnings == [f"skipped {path}/{m}: {readers.BOMB}" for m in ("b.txt", "c.txt.gz")]


def test_a_tar_bomb_stops_the_archive_and_keeps_what_came_before(tmp_path: Path, bounded: None) -> None:
    # 5 MB: ``tarfile`` reads ahead 10 KB of compressed data, which allows 1 MB.
    members = {"a.txt": PROSE[:4000] + b"\n", "b.txt": BOMB * 40, "d.txt": PROSE}
    path = make_tar(tmp_path / "p.tar.gz", members, "w:gz")
    warnings: list[str] = []
    assert [d.id for d in load(path, warn=warnings.append)] == ["p/a"]
    assert warnings == [f"skipped {path}/b.txt and the rest of the archive: {readers.BOMB}"]


def test_a_compressed_bomb_is_skipped(tmp_path: Path, bounded: None) -> None:
    bomb = write(tmp_path / "c" / "bomb.txt.xz", lzma.compress(BOMB))
    write(tmp_path / "c" / "fine.txt.gz", gzip.compress(PROSE))
    warnings: list[str] = []
    assert [d.id for d in load(tmp_path / "c", warn=warnings.append)] == ["fine"]
    assert warnings == [f"skipped {bomb}: {readers.BOMB}"]


def test_cp1256_file_is_read_with_one_warning(tmp_path: Path) -> None:
    file = write(tmp_path / "old.txt", ARABIC.encode("cp1256"))
    warnings: list[str] = []
    (doc,) = load(file, warn=warnings.append)
    assert doc.text == ARABIC
    assert len(warnings) == 1 and str(file) in warnings[0] and "CP-1256" in warnings[0]


def test_cp1256_records(tmp_path: Path) -> None:
    file = write(tmp_path / "old.csv", f"text,source\n{ARABIC.strip()},عكاظ\n".encode("cp1256"))
    warnings: list[str] = []
    (doc,) = load(file, warn=warnings.append)
    assert doc.text == ARABIC.strip() and doc.meta == {"source": "عكاظ"}
    assert len(warnings) == 1


def test_latin1_is_not_taken_for_cp1256() -> None:
    assert looks_cp1256(ARABIC.encode("cp1256"))
    assert not looks_cp1256("café, naïve, Größe".encode("latin-1"))
    assert not looks_cp1256(b"plain ascii")


def test_forced_encoding(tmp_path: Path) -> None:
    latin = write(tmp_path / "latin.txt", "Le café est déjà très chaud.".encode("latin-1"))
    warnings: list[str] = []
    assert len(load(latin, warn=warnings.append)) == 0  # skipped without --encoding
    (doc,) = load(latin, encoding="latin-1", warn=warnings.append)
    assert doc.text == "Le café est déjà très chaud."
    old = write(tmp_path / "old.txt", ARABIC.encode("cp1256"))
    warnings.clear()
    assert load(old, encoding="windows-1256", warn=warnings.append).documents[0].text == ARABIC
    assert warnings == []  # forced: no warning
    assert len(load(old, encoding="utf-8", warn=warnings.append)) == 0  # forced UTF-8: no fallback
    assert "utf-8" in warnings[0]


def test_forced_utf16_is_not_taken_for_binary(tmp_path: Path) -> None:
    file = write(tmp_path / "wide.txt", ARABIC.encode("utf-16"))
    (doc,) = load(file, encoding="utf-16")
    assert doc.text == ARABIC


WIDE = ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]


def with_bom(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding`` (a UTF-16 or UTF-32 with its byte order) after its BOM."""
    return "\ufeff".encode(encoding) + text.encode(encoding)


@pytest.mark.parametrize("encoding", WIDE)
def test_utf16_and_utf32_with_a_bom_are_read(tmp_path: Path, encoding: str) -> None:
    """The BOM says what the NUL bytes are: in plain files, records, compressed files
    and archive members alike."""
    text = "الأمم\r\nﻻ سطر\n"  # with a presentation form (U+FEFB)
    feed = jsonl_bytes(NEWS[:1]).decode()
    table = "id,text\n1,نص\n"
    files = {
        "plain.txt": with_bom(text, encoding),
        "feed.jsonl": with_bom(feed, encoding),
        "table.csv.gz": gzip.compress(with_bom(table, encoding)),
    }
    for name, data in files.items():
        write(tmp_path / "c" / name, data)
    make_zip(tmp_path / "c" / "pack.zip", {f"in/{name}": data for name, data in files.items()})
    warnings: list[str] = []
    docs = by_id(load(tmp_path / "c", glob="*.{txt,jsonl,csv.gz,zip}", warn=warnings.append))
    assert warnings == []
    for prefix in ("", "pack/in/"):
        assert docs[f"{prefix}plain"].text == "الأمم\nﻻ سطر\n"
        assert docs[f"{prefix}feed:1"].text == NEWS[0]["text"]
        assert docs[f"{prefix}table:1"].text == "نص"
    # Not known to be free of presentation forms: a search then looks for them.
    items = readers.Reader(readers.ReadOptions()).read_file("plain.txt", tmp_path / "c" / "plain.txt")
    assert not items[0].presentation_free


def test_a_damaged_utf16_file_is_read_with_a_replacement(tmp_path: Path) -> None:
    file = write(tmp_path / "cut.txt", with_bom("نص", "utf-16-le") + b"\x27")  # half a character
    warnings: list[str] = []
    assert [d.text for d in load(file, warn=warnings.append)] == ["نص\ufffd"]
    assert warnings == [f"{file}: invalid UTF-16 read as U+FFFD (the first at offset 6)"]


def test_binary_is_still_skipped(tmp_path: Path) -> None:
    file = write(tmp_path / "img.txt", b"\x89PNG\r\n\x1a\n\x00\x00")
    warnings: list[str] = []
    assert len(load(file, warn=warnings.append)) == 0
    assert "binary" in warnings[0]


def test_a_nul_byte_far_into_a_file_makes_it_binary(tmp_path: Path) -> None:
    """GNU grep and ripgrep see a NUL wherever it is, not only in the first 8 KiB."""
    data = "".join(f"سطر رقم {i} من نص عربي\n" for i in range(2000)).encode()
    cut = data.index(b"\n", 40_000) + 1
    file = write(tmp_path / "late.txt", data[:cut] + b"\x00" + data[cut:])
    warnings: list[str] = []
    assert len(load(file, warn=warnings.append)) == 0
    assert warnings == [f"skipped {file}: binary file (NUL bytes)"]


def test_mostly_ascii_utf8_with_a_stray_byte_is_read_with_a_replacement(tmp_path: Path) -> None:
    """GNU grep's encoding-error file: ASCII lines and one byte that is not UTF-8."""
    data = b"Alfred Jones\nJohn Smith\nPedro P\xe9rez\n"
    file = write(tmp_path / "names.txt", data)
    warnings: list[str] = []
    (doc,) = load(file, warn=warnings.append)
    assert doc.text == "Alfred Jones\nJohn Smith\nPedro P\ufffdrez\n"
    offset = data.index(b"\xe9")
    assert warnings == [
        f"{file}: 1 invalid UTF-8 sequence(s) read as U+FFFD (the first: byte 0xe9 at offset {offset})"
    ]


def test_stray_bytes_are_damage_and_arabic_in_cp1256_is_words(tmp_path: Path) -> None:
    """A byte that CP-1256 reads as one Arabic letter alone is a stray byte; stray bytes
    in a long ASCII text are few; Latin-1 prose has too many to be damage."""
    assert not looks_cp1256(b"the total is \xc7 units")
    assert looks_cp1256("the total is سبعة units".encode("cp1256"))
    english = "".join(f"line {i} of a long English text\n" for i in range(200))
    head, middle, tail = english[:1000].encode(), english[1000:3000].encode(), english[3000:].encode()
    stray = head + b"\xc7" + middle + b"\xff" + tail
    file = write(tmp_path / "stray.txt", stray)
    warnings: list[str] = []
    (doc,) = load(file, warn=warnings.append)
    assert doc.text == english[:1000] + "\ufffd" + english[1000:3000] + "\ufffd" + english[3000:]
    assert warnings[0].startswith(f"{file}: 2 invalid UTF-8 sequence(s) read as U+FFFD")
    # One byte spliced into an Arabic character spoils it: one place of damage.
    arabic = ARABIC.encode()
    spliced = write(tmp_path / "spliced.txt", arabic[:1] + b"\xff" + arabic[1:])
    (doc,) = load(spliced, warn=warnings.append)
    assert doc.text.startswith("\ufffd\ufffd\ufffd") and doc.text[3:] == ARABIC[1:]
    latin = write(tmp_path / "latin.txt", ("Le café est déjà très chaud. " * 40).encode("latin-1"))
    assert len(load(latin, warn=warnings.append)) == 0


def test_unknown_encoding_is_an_error(tmp_path: Path) -> None:
    file = write(tmp_path / "a.txt", "نص")
    for name in ("klingon", "base64"):
        with pytest.raises(CorpusError, match="--encoding"):
            load(file, encoding=name)


def test_progress_advances_within_a_record_file(tmp_path: Path) -> None:
    file = write(tmp_path / "many.jsonl", jsonl_bytes([{"text": f"نص {i}"} for i in range(3500)]))
    seen: list[tuple[int, int]] = []
    corpus = load(file, progress=lambda done, total: seen.append((done, total)))
    assert len(corpus) == 3500
    size = file.stat().st_size
    assert seen[-1] == (size, size)
    assert len(seen) >= 4  # every 1,000 records, and at the end
    assert all(0 < done < size for done, _ in seen[:-1])
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_progress_counts_bytes_of_compressed_and_archived_files(tmp_path: Path) -> None:
    write(tmp_path / "a.txt.gz", gzip.compress("نص".encode()))
    make_tar(tmp_path / "b.tar.xz", {"x.txt": b"x", "y.txt": b"y"}, "w:xz")
    seen: list[tuple[int, int]] = []
    load(tmp_path / "a.txt.gz", tmp_path / "b.tar.xz", progress=lambda d, t: seen.append((d, t)))
    total = (tmp_path / "a.txt.gz").stat().st_size + (tmp_path / "b.tar.xz").stat().st_size
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_progress_bar_for_a_slow_record_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """documents.progress_bar draws on a terminal once loading has taken a second."""
    from corpus_cli.cli import documents
    from corpus_cli.output import environment

    clock = iter(range(0, 10_000, 1))
    monkeypatch.setattr(documents.time, "monotonic", lambda: float(next(clock)))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    env = environment.Environment(
        stdout=io.StringIO(),
        stderr=err,
        stdin=None,
        stdout_isatty=True,
        stderr_isatty=True,
        stdin_isatty=False,
        environ={},
    )
    update = documents.progress_bar(env)
    assert update is not None
    file = write(tmp_path / "many.jsonl", jsonl_bytes([{"text": "نص"}] * 2500))
    assert len(load(file, progress=update)) == 2500
    assert "loading" in err.getvalue()


REAL = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "hadith_darimi.tar.xz"


@pytest.mark.skipif(not REAL.exists(), reason="../shared/corpora is not here")
def test_a_real_corpus_archive_is_read_in_place() -> None:
    corpus = load(REAL)
    assert len(corpus) == 3367  # README.md of the corpora: one .txt per hadith
    assert corpus.documents[0].id == "hadith_darimi/hadith_darimi/00001"
    assert all(d.text for d in corpus.documents[:50])


def test_a_lone_surrogate_escape_reads_as_a_replacement_character(tmp_path: Path) -> None:
    """JSON allows ``\\ud800`` alone; no encoding can write it, so it reads as U+FFFD."""
    record = '{"text": "abc \\ud800 def", "id": "x\\udfff", "tag": ["\\ud83d\\ude00", "\\ud83d"]}\n'
    (tmp_path / "a.jsonl").write_text(record, encoding="utf-8")
    corpus = load_corpus([str(tmp_path)], id_field="id")
    (doc,) = corpus.documents
    assert (doc.id, doc.text) == ("x\ufffd", "abc \ufffd def")
    assert doc.meta["tag"] == '["😀", "\ufffd"]'  # a surrogate pair is one character, as it should be
    done = run_corpus("--corpus", str(tmp_path), "grep", "--index", "off", "abc")
    assert (done.returncode, done.stdout.decode(), done.stderr) == (0, "a:1:1:abc \ufffd def\n", b"")
