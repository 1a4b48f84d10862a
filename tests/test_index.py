"""The persistent index: same answers as without it, built safely, never stale."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from corpus_cli import index as index_module
from corpus_cli.corpus import load_corpus
from corpus_cli.errors import CorpusError
from corpus_cli.index import Index, Selection, build, fingerprint
from corpus_cli.normalize import Normalizer

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
#: The bundled seeds, named explicitly: ``--index auto`` leaves the default corpus alone.
SEEDS = ("--corpus", str(Path(__file__).resolve().parent.parent / "seeds"))

#: Every command, in the variants an index changes the path of (candidates, cached
#: counts, stored documents): each must print exactly what it prints without one.
COMMANDS = [
    ["list"],
    ["list", "--format", "jsonl"],
    ["grep", "-c", "سوريا"],
    ["grep", "-l", "الأمم"],
    ["grep", "-o", "-n", "مجلس الامن"],
    ["grep", "-w", "--format", "jsonl", "الخارجية"],
    ["grep", "-v", "-c", "سوريا"],
    ["grep", "-C", "1", "كازاخستان"],
    ["grep", "-i", "-c", "covid"],
    ["grep", "-c", "سوري[اة]"],
    ["grep", "-c", "--doc", "003", "سوريا"],
    ["grep", "-c", "xyzzyq"],
    ["kwic", "سوريا", "--limit", "7"],
    ["kwic", "الأمن", "--clitics", "--format", "jsonl"],
    ["kwic", "الله", "--clitics"],
    ["kwic", "سوريا", "--sort", "A1,B1", "--words", "2"],
    ["kwic", "سوريا", "--substring", "--per-doc", "2"],
    ["kwic", "كُتب"],
    ["freq", "--top", "0"],
    ["freq", "--top", "10", "--forms"],
    ["freq", "--top", "5", "--dispersion"],
    ["freq", "سوريا", "الامم", "غير_موجود"],
    ["freq", "الأمن", "--clitics", "--forms"],
    ["freq", "--top", "5", "--stopwords", "builtin", "--match", "^ال"],
    ["freq", "--by-doc", "--top", "2"],
    ["freq", "--ngram", "2", "--top", "5"],
    ["freq", "--top", "5", "--doc", "001"],
    ["show", "002", "--highlight", "لافروف", "--format", "jsonl"],
    ["dispersion", "سوريا"],
    ["collocates", "سوريا", "--top", "5"],
    ["keywords", "--target", "003", "--top", "5"],
]


def _run(invoke, corpus: Path | None, args: list[str], *extra: str):
    where = ["--corpus", str(corpus)] if corpus is not None else []
    result = invoke(*args, *where, *extra)
    return result.exit_code, result.stdout


@pytest.fixture
def seeds_index(invoke, private_index_cache: Path) -> Path:
    result = invoke("index", "build")
    assert result.exit_code == 0, result.stderr
    built = list(private_index_cache.glob("*.corpus-index"))
    assert len(built) == 1
    return built[0]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_parity_on_the_seeds(invoke, seeds_index, args):
    """Byte for byte the same output (and exit code) with and without the index."""
    assert _run(invoke, None, args, *SEEDS) == _run(invoke, None, args, "--index", "off")
    assert _run(invoke, None, args, "--index", str(seeds_index)) == _run(invoke, None, args, "--index", "off")


@pytest.fixture(scope="module")
def hadith(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (SHARED / "unpack.sh").exists():
        pytest.skip("../shared/corpora is not here")
    dest = tmp_path_factory.mktemp("corpora")
    subprocess.run(
        ["bash", str(SHARED / "unpack.sh"), str(dest), "hadith_darimi"], check=True, capture_output=True
    )
    root = dest / "hadith_darimi"
    sample = dest / "sample"
    sample.mkdir()
    for path in sorted(root.glob("*.txt"))[:400]:
        shutil.copy(path, sample / path.name)
    return sample


REAL = [
    ["grep", "-c", "حدثنا"],
    ["kwic", "الله", "--limit", "50"],
    ["kwic", "رسول", "--clitics", "--limit", "30", "--format", "jsonl"],
    ["freq", "--top", "0"],
    ["freq", "عن", "بن", "الله", "--forms"],
    ["list", "--format", "jsonl"],
    ["grep", "-l", "صلى الله عليه وسلم"],
]


@pytest.mark.parametrize("args", REAL, ids=lambda a: " ".join(a))
def test_parity_on_a_real_corpus(invoke, hadith, args):
    """Fully diacritized hadith with RLM marks: 400 documents."""
    if not list(Path(os.environ["CORPUS_CACHE_DIR"]).glob("*.corpus-index")):
        assert invoke("index", "build", "--corpus", str(hadith)).exit_code == 0
    assert _run(invoke, hadith, args) == _run(invoke, hadith, args, "--index", "off")


def test_the_index_is_used(invoke, seeds_index, monkeypatch):
    """With a fresh index, documents come from it: no file is read."""
    calls = []
    real = Index.documents

    def spy(self, numbers=None):
        calls.append(numbers)
        return real(self, numbers)

    monkeypatch.setattr(Index, "documents", spy)
    assert invoke("kwic", "كازاخستان", *SEEDS).exit_code == 0
    assert calls and calls[0] is not None  # only the candidates were read


def test_candidates_are_a_superset(tmp_path):
    corpus = load_corpus()
    normalizer = Normalizer.for_level("standard")
    selection = Selection.of([str(Path(corpus.documents[0].path).parent)], "*.txt", normalizer)
    dest = build(corpus, selection, normalizer, tmp_path / "seeds.corpus-index").path
    index = Index(dest)
    ids = [d.id for d in index.documents(index.candidates("كازاخستان"))]
    assert ids == ["003_6b73772203161856"]
    assert len(index.candidates("سوريا")) == 4
    assert index.candidates("لا يوجد هذا النص") == []


def test_stale_index_is_not_used(invoke, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("سوريا والعراق\n", encoding="utf-8")
    assert invoke("index", "build", "--corpus", str(corpus)).exit_code == 0
    assert invoke("index", "status", "--corpus", str(corpus)).exit_code == 0
    before = (corpus / "a.txt").read_bytes()
    (corpus / "a.txt").write_text("سوريا والعراق ولبنان\n", encoding="utf-8")
    os.utime(corpus / "a.txt", ns=(1, 1))
    result = invoke("grep", "لبنان", "--corpus", str(corpus))
    assert result.exit_code == 0 and "ولبنان" in result.stdout  # the new text, not the index
    assert "changed since its index was built" in result.stderr
    status = invoke("index", "status", "--corpus", str(corpus))
    assert status.exit_code == 1 and "stale" in status.stdout
    assert before != (corpus / "a.txt").read_bytes()


def test_build_never_writes_into_the_corpus(invoke, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("نص\n", encoding="utf-8")
    stamp = os.stat(corpus / "a.txt").st_mtime_ns
    result = invoke("index", "build", "--corpus", str(corpus), "-o", str(corpus / "idx"))
    assert result.exit_code == 2 and "never written into the corpus" in result.stderr
    assert sorted(p.name for p in corpus.iterdir()) == ["a.txt"]
    assert invoke("index", "build", "--corpus", str(corpus)).exit_code == 0
    assert sorted(p.name for p in corpus.iterdir()) == ["a.txt"]
    assert os.stat(corpus / "a.txt").st_mtime_ns == stamp


def test_interrupted_build_keeps_the_previous_index(invoke, seeds_index, monkeypatch):
    before = seeds_index.read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(index_module, "_indexed_counts", boom)  # not used by build
    monkeypatch.setattr("corpus_cli.freq.count_tokens", boom)
    result = invoke("index", "build")
    assert result.exit_code == 130
    assert seeds_index.read_bytes() == before
    assert not [p for p in seeds_index.parent.iterdir() if p.name.endswith(".tmp")]
    assert invoke("grep", "-c", "سوريا").exit_code == 0


def test_a_second_builder_is_refused(invoke, seeds_index):
    import fcntl

    lock = seeds_index.with_name(f".{seeds_index.name}.lock")
    with open(lock, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        result = invoke("index", "build")
    assert result.exit_code == 2 and "another process is building" in result.stderr


def test_corrupted_index(invoke, seeds_index):
    seeds_index.write_bytes(b"not a database at all" * 100)
    auto = invoke("grep", "-c", "سوريا", *SEEDS)
    assert auto.exit_code == 0 and "not a usable index" in auto.stderr  # falls back, says why
    explicit = invoke("grep", "-c", "سوريا", "--index", str(seeds_index))
    assert explicit.exit_code == 2 and explicit.stderr.startswith("corpus: ")


def test_other_normalization_does_not_use_it(invoke, seeds_index):
    result = invoke("freq", "--top", "3", "--norm", "light", "--index", str(seeds_index))
    assert result.exit_code == 0 and "other normalization steps" in result.stderr


def test_list_and_drop(invoke, seeds_index):
    listed = invoke("index", "list")
    assert listed.exit_code == 0 and str(seeds_index) in listed.stdout
    assert invoke("index", "drop").exit_code == 0
    assert not seeds_index.exists()
    assert invoke("index", "drop").exit_code == 1
    assert invoke("index", "status").exit_code == 1


def test_fingerprint_sees_a_new_file(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    first = fingerprint([str(tmp_path)])
    (tmp_path / "b.txt").write_text("y", encoding="utf-8")
    assert fingerprint([str(tmp_path)]) != first


def test_stdin_cannot_be_indexed():
    with pytest.raises(CorpusError):
        Selection.of(["-"], "*.txt", Normalizer.for_level("standard"))


EVERY = [
    ["list"],
    ["grep", "-c", "الله"],
    ["grep", "-n", "--format", "jsonl", "في"],
    ["kwic", "على", "--limit", "200"],
    ["kwic", "قال", "--clitics", "--sort", "A1"],
    ["freq", "--top", "0"],
    ["freq", "من", "إلى", "--forms", "--dispersion"],
    ["collocates", "الله", "--top", "10"],
]


@pytest.mark.parametrize("args", EVERY, ids=lambda a: " ".join(a))
def test_parity_on_every_corpus(invoke, every_corpus, args):
    """A sample of each corpus of ../shared/corpora: news, Quran (both scripts), hadith,
    classical and Al Jazeera diacritized text, dialect tweets."""
    if not list(Path(os.environ["CORPUS_CACHE_DIR"]).glob("*.corpus-index")):
        assert invoke("index", "build", "--corpus", str(every_corpus)).exit_code == 0
    with_index = _run(invoke, every_corpus, args)
    assert with_index[1].count("\n") > 1  # something to compare
    assert with_index == _run(invoke, every_corpus, args, "--index", "off")
