"""Inputs: record files (JSON Lines, CSV, TSV), compression, archives, encodings,
--text-field/--id-field/--encoding/--where, metadata in ``list`` and ``freq --by``.

Every corpus here is made in ``tmp_path`` with the standard library's own writers.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import random
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from corpus_cli.cli.application import SHARED_OPTIONS
from corpus_cli.errors import CorpusError
from corpus_cli.store import readers
from corpus_cli.store.corpus import Corpus, Document, load_corpus
from corpus_cli.store.readers import expand_braces, kind_of, looks_cp1256

NEWS = [
    {"id": "n1", "text": "الأمم المتحدة تجتمع اليوم", "source": "alyaum", "date": "2015-01-01"},
    {"id": "n2", "text": "سوريا والأمم المتحدة", "source": "okaz", "date": "2015-01-02"},
    {"title": "سجل بلا نص", "source": "okaz"},
    {"id": "n4", "text": "سوريا سوريا الأمم", "source": "alyaum", "pages": 3, "ok": True, "none": None},
]


def jsonl_bytes(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def load(*paths: Path | str, **kwargs) -> Corpus:
    return load_corpus([str(p) for p in paths], **kwargs)


def by_id(corpus: Corpus) -> dict[str, Document]:
    return {d.id: d for d in corpus}


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def tsv(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()]


# =========================================================================== Document


def test_document_constructor_stays_backwards_compatible() -> None:
    a, b = Document("a", "a.txt", "نص"), Document("b", "b.txt", "نص")
    assert a.meta == {} and b.meta == {}
    a.meta["x"] = "1"
    assert b.meta == {}  # no shared default
    assert Document("c", "c.jsonl:1", "نص", {"k": "v"}).meta == {"k": "v"}


# =========================================================================== JSON Lines


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


# =========================================================================== CSV and TSV


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


# =========================================================================== directories and globs


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


# =========================================================================== compression


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


# =========================================================================== archives

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


# =========================================================================== encodings

ARABIC = "قالت الأمم المتحدة إن الوضع في سوريا صعب\n"


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


# =========================================================================== progress


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
    """cli._progress draws on a terminal once loading has taken a second."""
    from corpus_cli.cli import application as cli
    from corpus_cli.output import environment

    clock = iter(range(0, 10_000, 1))
    monkeypatch.setattr(cli.time, "monotonic", lambda: float(next(clock)))

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
    update = cli._progress(env)
    assert update is not None
    file = write(tmp_path / "many.jsonl", jsonl_bytes([{"text": "نص"}] * 2500))
    assert len(load(file, progress=update)) == 2500
    assert "loading" in err.getvalue()


# =========================================================================== start-up


def test_text_corpora_do_not_import_the_format_modules(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "نص")
    code = (
        "import sys; from corpus_cli.store.corpus import load_corpus; "
        f"assert len(load_corpus([{str(tmp_path)!r}])) == 1; "
        "print(' '.join(m for m in ('csv', 'gzip', 'zipfile', 'tarfile') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# =========================================================================== command line


@pytest.fixture
def news(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    write(root / "feed.jsonl", jsonl_bytes(NEWS))
    rows = [["title", "text", "source"], ["عنوان", "الأمم في مصر", "ahram"], ["", "مصر ومصر", ""]]
    write(root / "more.csv", csv_bytes(rows))
    write(root / "plain.txt", "نص بلا بيانات\n")
    return root


def test_shared_options_are_declared_once_and_on_every_corpus_command(invoke) -> None:
    for name in ("text_field", "id_field", "encoding", "where"):
        assert name in SHARED_OPTIONS
    for args in (["list"], ["grep", "x"], ["kwic", "x"], ["freq"], ["dispersion", "x"], ["collocates", "x"]):
        text = invoke(*args, "--help").stdout
        for option in ("--text-field", "--id-field", "--encoding", "--where"):
            assert option in text, (args, option)
    shown = invoke("show", "x", "--help").stdout
    assert "--text-field" in shown and "--encoding" in shown


@pytest.fixture
def bodies(tmp_path: Path) -> Path:
    """Records whose text is in ``body``, from two sources."""
    root = tmp_path / "bodies"
    rows = [
        {"key": "k1", "body": "الأمم المتحدة وسوريا", "source": "okaz"},
        {"key": "k2", "body": "على علي والامم", "source": "sabq"},
        {"key": "k3", "body": "سوريا سوريا", "source": "okaz"},
    ]
    write(root / "feed.jsonl", jsonl_bytes(rows))
    return root


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
    cmd = [sys.executable, "-m", "corpus_cli", "index", "status", "--index"]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False)
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


def test_the_index_commands_take_the_options_before_their_name(invoke, bodies: Path) -> None:
    selection = ["--corpus", str(bodies), "--norm", "aggressive", "--fold", "teh"]
    assert invoke(*selection, "index", "build").exit_code == 0
    assert invoke(*selection, "index", "status").exit_code == 0  # the same selection: found
    assert invoke("index", "status", *selection).exit_code == 0
    assert invoke("--corpus", str(bodies), "index", "status").exit_code == 1  # another normalization
    assert invoke(*selection, "index", "drop").exit_code == 0


def test_shard_takes_the_options_before_its_name(invoke, bodies: Path, tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    before = ["--text-field", "body", "--where", "source=okaz", "--id-field", "key"]
    r = invoke(*before, "shard", str(bodies), str(tmp_path / "out"), "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    assert [rec["id"] for rec in records((tmp_path / "out" / "part-00000.jsonl").read_text())] == ["k1", "k3"]


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

    assert cli._invoked_command(argv) == argv[-1 if argv[-1] == "list" else -2]


def test_list_tsv_has_metadata_columns(invoke, news: Path) -> None:
    r = invoke("list", "--corpus", str(news), "--format", "tsv")
    assert r.exit_code == 0
    rows = tsv(r.stdout)
    base = ["id", "path", "title", "chars", "tokens", "types", "lines"]
    # union of the fields, sorted, after the usual columns; a clash gets "meta."
    assert rows[0] == [*base, "date", "meta.id", "ok", "pages", "source", "meta.title"]
    table = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert list(table) == ["feed:1", "feed:2", "feed:4", "more:1", "more:2", "plain"]
    assert table["feed:4"]["pages"] == "3" and table["feed:4"]["source"] == "alyaum"
    assert table["more:1"]["meta.title"] == "عنوان" and table["more:1"]["title"] == "الأمم في مصر"
    assert table["plain"]["source"] == ""
    assert "feed.jsonl:3" in r.stderr


def test_list_csv_and_jsonl_metadata(invoke, news: Path) -> None:
    r = invoke("list", "--corpus", str(news), "--format", "csv")
    header, *rows = list(csv.reader(io.StringIO(r.stdout)))
    assert header[-1] == "meta.title" and len(rows) == 6
    recs = records(invoke("list", "--corpus", str(news), "--format", "jsonl").stdout)
    assert recs[0]["meta"] == {"id": "n1", "source": "alyaum", "date": "2015-01-01"}
    assert recs[-1]["meta"] == {}
    assert set(recs[0]) == {"id", "path", "title", "chars", "tokens", "types", "lines", "meta"}


def test_list_without_metadata_is_unchanged(invoke, small_corpus: Path) -> None:
    r = invoke("list", "--corpus", str(small_corpus), "--format", "jsonl")
    assert all("meta" not in rec for rec in records(r.stdout))
    assert invoke("list", "--corpus", str(small_corpus)).stdout.splitlines()[0].split("\t")[-1] == "lines"


def test_list_table_shows_metadata_that_fits(invoke, news: Path, tty) -> None:
    wide = invoke("list", "--corpus", str(news), "--color", "never", env={"COLUMNS": "200"}).stdout
    assert "source" in wide and "alyaum" in wide and "not shown" not in wide
    narrow = invoke("list", "--corpus", str(news), "--color", "never", env={"COLUMNS": "90"}).stdout
    assert "not shown:" in narrow and "--format tsv" in narrow


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


def test_freq_by_field(invoke, news: Path) -> None:
    r = invoke("freq", "--corpus", str(news), "--by", "source", "--top", "2")
    assert r.exit_code == 0
    header, *rows = tsv(r.stdout)
    assert header == ["by", "rank", "term", "key", "count", "per_million", "docs"]
    groups = [row[0] for row in rows]
    assert groups == sorted(groups) and set(groups) == {"", "ahram", "alyaum", "okaz"}
    alyaum = [row for row in rows if row[0] == "alyaum"]
    # alyaum: "الأمم المتحدة تجتمع اليوم" + "سوريا سوريا الأمم" = 7 tokens
    assert [row[1:5] for row in alyaum] == [["1", "الأمم", "الامم", "2"], ["2", "سوريا", "سوريا", "2"]]
    assert alyaum[0][5] == f"{2 * 1_000_000 / 7:.2f}"  # relative to the group's tokens
    # the group "": plain.txt (no such field) and more:2 (an empty cell), 5 tokens
    empty = [row for row in rows if row[0] == ""]
    assert [row[2] for row in empty] == ["بلا", "بيانات"]
    assert empty[0][5] == f"{1_000_000 / 5:.2f}"


def test_freq_by_field_jsonl_terms_and_table(invoke, news: Path, tty) -> None:
    r = invoke("freq", "سوريا", "--corpus", str(news), "--by", "source", "--format", "jsonl")
    counts = {rec["by"]: rec["count"] for rec in records(r.stdout)}
    assert counts == {"": 0, "ahram": 0, "alyaum": 2, "okaz": 1}
    screen = invoke("freq", "--corpus", str(news), "--by", "source", "--color", "never").stdout
    assert "source" in screen.splitlines()[1]  # the column is named after the field
    r = invoke("freq", "--corpus", str(news), "--by", "source", "--by-doc")
    assert r.exit_code == 2 and "--by" in r.stderr


def test_ids_give_the_fields_folder_date_year_and_month() -> None:
    from corpus_cli.store.fields import grouping

    docs = [
        Document("aawsat/2015-07-21_00001", "", ""),
        Document("archive/2014-06/daily2014-06-11.txt", "", ""),
        Document("top", "", ""),
        Document("a/b/2015-13-01_x", "", ""),  # no month 13: no date
        Document("feed:1", "", "", {"folder": "okaz", "year": "1999"}),  # metadata comes first
    ]
    table = {f: [grouping(f)(d) for d in docs] for f in ("folder", "date", "year", "month", "source")}
    assert table == {
        "folder": ["aawsat", "archive/2014-06", "", "a/b", "okaz"],
        "date": ["2015-07-21", "2014-06-11", "", "", ""],
        "year": ["2015", "2014", "", "", "1999"],
        "month": ["2015-07", "2014-06", "", "", ""],
        "source": ["", "", "", "", ""],
    }


def test_freq_by_a_field_the_ids_give(invoke, news: Path, tmp_path: Path) -> None:
    for name in ("okaz/2015-07-21_1", "sabq/2015-08-01_1", "sabq/2016-01-02_2"):
        write(tmp_path / "papers" / f"{name}.txt", "قال")
    papers = str(tmp_path / "papers")
    r = invoke("freq", "--corpus", papers, "--by", "folder", "--format", "tsv", "--no-header")
    assert [row[0] + " " + row[4] for row in tsv(r.stdout)] == ["okaz 1", "sabq 2"]
    r = invoke("freq", "--corpus", papers, "--by", "month", "--format", "tsv", "--no-header")
    assert [row[0] for row in tsv(r.stdout)] == ["2015-07", "2015-08", "2016-01"]
    # the records' own "date" field wins; a document without it takes its id's (none here)
    r = invoke("freq", "--corpus", str(news), "--by", "date", "--top", "1", "--format", "tsv", "--no-header")
    assert [row[0] for row in tsv(r.stdout)] == ["", "2015-01-01", "2015-01-02"]
    r = invoke("freq", "--corpus", papers, "--by", "sorce")
    assert "no document has the field 'sorce'" in r.stderr and "folder, date, year, month" in r.stderr


def test_freq_by_counts_the_documents_of_each_group(invoke, tmp_path: Path) -> None:
    """docs (and the range of --dispersion) of a --by row are the group's documents."""
    file = write(
        tmp_path / "r.jsonl",
        jsonl_bytes(
            [
                {"text": "قال الوزير", "source": "okaz"},
                {"text": "قال الأمير", "source": "sabq"},
                {"text": "وقال الأمير", "source": "sabq"},
                {"text": "الأمير", "source": "sabq"},
            ]
        ),
    )

    def rows(*args: str) -> dict[str, list[str]]:
        r = invoke("freq", *args, "--corpus", str(file), "--by", "source", "--format", "tsv")
        assert r.exit_code == 0, r.stderr
        header, *body = tsv(r.stdout)
        return {f"{row[0]} {row[3]}": row[header.index("count") :] for row in body}

    assert rows("قال") == {"okaz قال": ["1", "500000.00", "1"], "sabq قال": ["1", "200000.00", "1"]}
    # with its clitics: sabq:1 and sabq:2 hold قال or وقال; okaz:1 alone holds one in okaz
    with_clitics = rows("قال", "--clitics")
    assert [with_clitics[k][::2] for k in ("okaz قال", "sabq قال")] == [["1", "1"], ["2", "2"]]
    listed = rows("--top", "0", "--dispersion")
    assert listed["sabq الامير"][:3] == ["3", "600000.00", "3"]
    assert listed["sabq قال"][2:4] == ["1", "1"]  # docs and range: of sabq's 3 documents
    assert listed["okaz قال"][2:4] == ["1", "1"]


# =========================================================================== real corpora

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "hadith_darimi.tar.xz"


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
    done = subprocess.run(
        [sys.executable, "-m", "corpus_cli", "--corpus", str(tmp_path), "grep", "--index", "off", "abc"],
        capture_output=True,
        check=False,
    )
    assert (done.returncode, done.stdout.decode(), done.stderr) == (0, "a:1:1:abc \ufffd def\n", b"")
