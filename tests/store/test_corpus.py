"""Loading: files, directories, standard input, ids, decoding and the bundled seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.store.corpus import Corpus, Document, default_corpus_path, load_corpus, paths_from_env
from corpus_cli.text.tokenize import words
from tests.conftest import error

SEED_IDS = [
    "000_942301ab0c5a4d11",
    "001_b0761bee8ed67ba9",
    "002_54a637c8796560dc",
    "003_6b73772203161856",
    "004_b89014a9ba1a7d7b",
]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def load(*paths: Path | str, **kwargs) -> Corpus:
    return load_corpus([str(p) for p in paths], **kwargs)


# --------------------------------------------------------------------------- decoding


def test_bom_is_dropped(tmp_path: Path) -> None:
    file = write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + "بسم الله".encode())
    (doc,) = load(file)
    assert doc.text == "بسم الله"
    assert doc.title == "بسم الله"


def test_only_a_leading_bom_is_dropped(tmp_path: Path) -> None:
    file = write(tmp_path / "mid.txt", "أ\ufeffب")
    (doc,) = load(file)
    assert doc.text == "أ\ufeffب"  # the original is kept; normalization deletes it


def test_crlf_and_lone_cr_become_newlines(tmp_path: Path) -> None:
    file = write(tmp_path / "ends.txt", "إلى الأمم\r\nسطر ثان\rآخر سطر\r\n")
    (doc,) = load(file)
    assert doc.text == "إلى الأمم\nسطر ثان\nآخر سطر\n"
    assert "\r" not in doc.text
    assert doc.split_lines() == ["إلى الأمم", "سطر ثان", "آخر سطر"]
    assert doc.line_count == 3


def test_binary_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", "نص عربي")
    binary = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    warnings: list[str] = []
    corpus = load(binary, good, warn=warnings.append)
    assert [d.id for d in corpus] == ["good"]
    assert len(warnings) == 1
    assert str(binary) in warnings[0]
    assert "binary" in warnings[0]


def test_invalid_utf8_is_skipped_with_a_warning_naming_the_file(tmp_path: Path) -> None:
    """Not UTF-8: Arabic CP-1256 is read with a warning (tests/store/test_readers.py), the rest skipped."""
    write(tmp_path / "a.txt", "الأمم المتحدة")
    latin1 = write(tmp_path / "b.txt", "Le café est déjà très chaud.".encode("latin-1"))
    cp1256 = write(tmp_path / "c.txt", "سلام".encode("cp1256"))
    write(tmp_path / "d.txt", "آخر")
    warnings: list[str] = []
    corpus = load(tmp_path, warn=warnings.append)
    assert [d.id for d in corpus] == ["a", "c", "d"]
    assert corpus.resolve("c").text == "سلام"
    assert len(warnings) == 2
    assert str(latin1) in warnings[0] and "skipped" in warnings[0]
    assert str(cp1256) in warnings[1] and "CP-1256" in warnings[1]
    assert all("UTF-8" in w for w in warnings)


def test_skipped_files_without_a_warn_callback_are_silent(tmp_path: Path) -> None:
    write(tmp_path / "bad.txt", b"\x89PNG\x00a")  # binary (FF FE first would be a UTF-16 BOM)
    write(tmp_path / "ok.txt", "نص")
    assert [d.id for d in load(tmp_path)] == ["ok"]


@pytest.mark.parametrize("content", ["", "   \n\t\n", "\n\n"])
def test_empty_and_whitespace_only_documents_are_kept(tmp_path: Path, content: str) -> None:
    file = write(tmp_path / "empty.txt", content)
    warnings: list[str] = []
    (doc,) = load(file, warn=warnings.append)
    assert warnings == []
    assert doc.id == "empty"
    assert doc.text == content
    assert words(doc.text) == []
    assert doc.title == ""


# --------------------------------------------------------------------------- paths


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(CorpusError, match="no such file or directory"):
        load(missing)
    with pytest.raises(CorpusError, match="nope"):
        load(write(tmp_path / "x.txt", "نص"), missing)


def test_directory_is_recursive_with_txt_by_default(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "b.txt", "ب")
    write(root / "a.txt", "أ")
    write(root / "sub" / "c.txt", "ج")
    write(root / "sub" / "deeper" / "d.txt", "د")
    write(root / "notes.md", "ملاحظات")
    write(root / "data.csv", "x,y")
    corpus = load(root)
    assert [d.id for d in corpus] == ["a", "b", "sub/c", "sub/deeper/d"]
    assert [d.text for d in corpus] == ["أ", "ب", "ج", "د"]
    assert Path(corpus.documents[2].path) == root / "sub" / "c.txt"


def test_custom_glob(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "a.txt", "أ")
    write(root / "notes.md", "ملاحظات")
    write(root / "sub" / "more.md", "المزيد")
    corpus = load(root, glob="*.md")
    # Only .txt is stripped from ids.
    assert [d.id for d in corpus] == ["notes.md", "sub/more.md"]


def test_file_argument_id_is_its_name_without_txt(tmp_path: Path) -> None:
    file = write(tmp_path / "deep" / "dir" / "report.txt", "تقرير")
    other = write(tmp_path / "page.html", "<p>نص</p>")
    assert [d.id for d in load(file, other)] == ["report", "page.html"]


def test_documents_keep_argument_order(tmp_path: Path) -> None:
    z = write(tmp_path / "z.txt", "ز")
    a = write(tmp_path / "a.txt", "أ")
    assert [d.id for d in load(z, a)] == ["z", "a"]


def test_clashing_ids_across_arguments_stay_unique(tmp_path: Path) -> None:
    write(tmp_path / "one" / "a.txt", "واحد")
    write(tmp_path / "two" / "a.txt", "اثنان")
    corpus = load(tmp_path / "one", tmp_path / "two")
    ids = [d.id for d in corpus]
    assert len(set(ids)) == 2
    assert ids[0] == "a"
    assert corpus.resolve(ids[1]).text == "اثنان"


def test_stdin_is_one_document_with_id_stdin(tmp_path: Path) -> None:
    corpus = load_corpus(["-"], stdin=lambda: "\ufeffسطر\r\nآخر".encode())
    (doc,) = corpus
    assert doc.id == "stdin"
    assert doc.text == "سطر\nآخر"


def test_stdin_beside_files(tmp_path: Path) -> None:
    file = write(tmp_path / "f.txt", "ملف")
    corpus = load_corpus([str(file), "-"], stdin=lambda: "من الدخل".encode())
    assert [d.id for d in corpus] == ["f", "stdin"]


def test_binary_stdin_is_skipped_with_a_warning() -> None:
    warnings: list[str] = []
    corpus = load_corpus(["-"], stdin=lambda: b"\x00\x01\x02", warn=warnings.append)
    assert len(corpus) == 0
    assert len(warnings) == 1
    assert "stdin" in warnings[0]


def test_paths_from_env_uses_the_os_path_separator() -> None:
    assert paths_from_env(None) == []
    assert paths_from_env("") == []
    assert paths_from_env("one") == ["one"]
    assert paths_from_env(os.pathsep.join(["a", "b/c", "", " "])) == ["a", "b/c"]


def test_progress_callback_counts_files(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        write(tmp_path / f"{name}.txt", name)
    seen: list[tuple[int, int]] = []
    load(tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3, 3)


# --------------------------------------------------------------------------- default corpus


def test_default_corpus_is_the_five_seeds() -> None:
    corpus = load_corpus()
    assert [d.id for d in corpus] == SEED_IDS
    assert [d.id for d in load_corpus([])] == SEED_IDS
    assert default_corpus_path().is_dir()
    for doc in corpus:
        assert doc.text
        assert "\r" not in doc.text
        assert not doc.text.startswith("\ufeff")
        assert words(doc.text)
    # Doc 000's text is one 2,259-character line.
    first = corpus.resolve("000")
    assert len(first.split_lines()[0]) == 2259


# --------------------------------------------------------------------------- ids


def test_id_prefix_resolution() -> None:
    corpus = load_corpus()
    assert corpus.resolve("003").id == "003_6b73772203161856"
    assert corpus.resolve("003_6b73772203161856").id == "003_6b73772203161856"
    assert corpus.resolve("004_b").id == "004_b89014a9ba1a7d7b"


def test_ambiguous_prefix_lists_the_candidates() -> None:
    corpus = load_corpus()
    with pytest.raises(CorpusError) as info:
        corpus.resolve("00")
    message = str(info.value)
    assert "ambiguous" in message
    for seed_id in SEED_IDS:
        assert seed_id in message


def test_unknown_id_lists_the_documents() -> None:
    corpus = load_corpus()
    with pytest.raises(CorpusError) as info:
        corpus.resolve("zz")
    message = str(info.value)
    assert "unknown" in message
    assert "'zz'" in message
    for seed_id in SEED_IDS:
        assert seed_id in message


def test_exact_id_wins_over_a_longer_one(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "قصير")
    write(tmp_path / "ab.txt", "طويل")
    corpus = load(tmp_path)
    assert corpus.resolve("a").text == "قصير"
    assert corpus.resolve("ab").text == "طويل"


def test_a_folder_names_every_document_inside_it() -> None:
    ids = ["aawsat/2015-07-21_00000", "aawsat/2015-07-21_00001", "aawsatx/1", "news", "news/a/1", "news/b"]
    corpus = Corpus([Document(i, i, "") for i in ids])

    def named(ref: str) -> list[str]:
        return [d.id for d in corpus.matching(ref)]

    assert named("aawsat") == named("aawsat/") == ids[:2]
    assert named("aawsatx") == ["aawsatx/1"]  # a folder, not a prefix of aawsat's ids
    assert named("news") == ["news"]  # an exact id comes first
    assert named("news/") == ["news/a/1", "news/b"] and named("news/a") == ["news/a/1"]
    assert named("aawsat/2015-07-21_00001") == [ids[1]]
    assert [d.id for d in corpus.select(["news/", "aawsat"])] == [ids[0], ids[1], ids[4], ids[5]]
    with pytest.raises(CorpusError, match=r"ambiguous .* matches 2: .*'aawsat/' names all its documents"):
        corpus.matching("aawsat/2015")
    with pytest.raises(CorpusError, match="unknown document 'okaz/'"):
        corpus.matching("okaz/")


def test_long_candidate_lists_are_cut(tmp_path: Path) -> None:
    for i in range(15):
        write(tmp_path / f"doc{i:02d}.txt", "نص")
    with pytest.raises(CorpusError, match=r"15: .*5 more"):
        load(tmp_path).resolve("doc")


def test_select_keeps_corpus_order_and_resolves_prefixes() -> None:
    corpus = load_corpus()
    selected = corpus.select(["004", "001_b0761bee8ed67ba9", "004"])
    assert [d.id for d in selected] == ["001_b0761bee8ed67ba9", "004_b89014a9ba1a7d7b"]
    assert corpus.select([]) is corpus
    with pytest.raises(CorpusError):
        corpus.select(["0"])


# --------------------------------------------------------------------------- Document


def test_document_lines() -> None:
    doc = Document("x", "x.txt", "أول\n\nثالث\n")
    assert doc.split_lines() == ["أول", "", "ثالث"]
    assert doc.line_count == 3
    assert doc.line_starts == [0, 4, 5]
    assert [doc.line(n) for n in (1, 2, 3)] == ["أول", "", "ثالث"]


def test_document_without_final_newline() -> None:
    doc = Document("x", "x.txt", "a\nb")
    assert doc.split_lines() == ["a", "b"]
    assert doc.line_count == 2
    assert doc.line_starts == [0, 2]
    assert doc.line(2) == "b"


def test_empty_document_lines() -> None:
    doc = Document("x", "x.txt", "")
    assert doc.split_lines() == []
    assert doc.line_count == 0
    assert doc.line_starts == []
    assert doc.title == ""


def test_line_of_offset() -> None:
    text = "أول\n\nثالث\n"
    doc = Document("x", "x.txt", text)
    assert [doc.line_of(i) for i in range(len(text))] == [1, 1, 1, 1, 2, 3, 3, 3, 3, 3]
    # Every offset's line holds that offset.
    for offset in range(len(text)):
        number = doc.line_of(offset)
        start = doc.line_starts[number - 1]
        assert start <= offset <= start + len(doc.line(number))


def test_title_is_the_first_non_empty_line_with_spaces_collapsed() -> None:
    assert Document("x", "p", "\n  \n\t العنوان   الأول \nنص").title == "العنوان الأول"
    assert Document("x", "p", "سطر واحد").title == "سطر واحد"
    assert Document("x", "p", " \n\t\n").title == ""


def test_document_repr_names_id_and_size() -> None:
    text = repr(Document("abc", "abc.txt", "12345"))
    assert "abc" in text
    assert "5" in text


def test_the_listing_is_in_path_order_as_pathlib_sorts_it(tmp_path: Path) -> None:
    """``relative_files`` walks depth first with sorted entries: the order of
    ``Path.parts`` (``a/x`` before ``a-b``, a directory's files where its name sorts),
    symbolic links to directories not followed, a link loop listed (reading it warns)."""
    from corpus_cli.store.readers import relative_files

    names = ["a-b.txt", "a/x.txt", "a/b/c.txt", "a.txt", "ab/a.txt", "b.txt", "a b/z.txt", "z/a.csv", "z/x"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    found = list(relative_files(tmp_path, "*.{txt,csv}"))
    files = [p for p in tmp_path.rglob("*") if p.suffix in (".txt", ".csv") and not p.is_dir()]
    relative = [p.relative_to(tmp_path) for p in files if "linked" not in p.parts]
    expected = sorted(relative, key=lambda p: p.parts)
    assert [relative for relative, _ in found] == [p.as_posix() for p in expected]
    assert all(full == str(tmp_path / relative) for relative, full in found)
    assert "loop.txt" in [relative for relative, _ in found]


def test_sources_hold_names_and_give_the_files_as_before(tmp_path: Path) -> None:
    """``corpus.sources``: a compact sequence of ``Source``, the same as listing them."""
    from corpus_cli.store.corpus import Source, sources
    from corpus_cli.store.readers import relative_files

    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ("d/a.txt", "d/sub/b.txt", "d/c.txt", "single.txt"):
        (tmp_path / name).write_text("نص\n", encoding="utf-8")
    folder, single = str(tmp_path / "d"), str(tmp_path / "single.txt")
    found = sources([folder, single, "-", folder])
    expected = [Source(n, full, folder) for n, full in relative_files(Path(folder), "*.txt")]
    expected += [Source("single.txt", single, single), Source("stdin", None, "-"), *expected]
    assert list(found) == expected
    assert len(found) == len(expected) == 8
    assert [found[i] for i in range(-8, 8)] == expected + expected
    assert found[2:6] == expected[2:6] and found[::3] == expected[::3]
    with pytest.raises(IndexError):
        found[8]
    assert list(sources([str(tmp_path / "d" / "sub")], "*.csv")) == []


@pytest.mark.parametrize("command", [["grep", "x"], ["kwic", "x"], ["list"], ["freq"], ["show", "x"]])
def test_missing_path(cli, tmp_path, command):
    r = cli(*command, "--corpus", str(tmp_path / "nowhere"))
    error(r, f"corpus: {tmp_path}/nowhere: no such file or directory")


def test_document_constructor_stays_backwards_compatible() -> None:
    a, b = Document("a", "a.txt", "نص"), Document("b", "b.txt", "نص")
    assert a.meta == {} and b.meta == {}
    a.meta["x"] = "1"
    assert b.meta == {}  # no shared default
    assert Document("c", "c.jsonl:1", "نص", {"k": "v"}).meta == {"k": "v"}


def test_text_corpora_do_not_import_the_format_modules(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "نص")
    code = (
        "import sys; from corpus_cli.store.corpus import load_corpus; "
        f"assert len(load_corpus([{str(tmp_path)!r}])) == 1; "
        "print(' '.join(m for m in ('csv', 'gzip', 'zipfile', 'tarfile') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
