"""The persistent index: same answers as without it, built safely, never stale."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus_cli.errors import CorpusError
from corpus_cli.index import build as build_module
from corpus_cli.index import read as index_read
from corpus_cli.index.build import build
from corpus_cli.index.fingerprint import Stamps, fingerprint
from corpus_cli.index.layout import Selection
from corpus_cli.index.read import Index
from corpus_cli.store.corpus import load_corpus
from corpus_cli.text.normalize import Normalizer
from tests.conftest import (
    COMMANDS,
    GOOD,
    HITS,
    INTERRUPTED,
    LATIN_NAME,
    TIMEOUT,
    Cli,
    _checked,
    _children,
    _unprivileged,
    corpus_argv,
    damage,
    error,
    index_build,
    interrupt,
    make,
    require_denied,
    snapshot,
    the_index,
    warnings,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpora"
#: The bundled seeds, named explicitly: ``--index auto`` leaves the default corpus alone.
SEEDS = ("--corpus", str(Path(__file__).resolve().parents[2] / "seeds"))


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


@pytest.mark.parametrize("top", [0, 1, 4, 5, 9])
@pytest.mark.parametrize("min_count", [1, 2, 40])
def test_the_rendered_list_cuts_inside_a_block(invoke, private_index_cache, monkeypatch, top, min_count):
    """``Index.ranked_tsv`` with blocks of 4 rows: a cut anywhere gives the rows themselves."""
    from corpus_cli.index import build

    monkeypatch.setattr(build, "TSV_BLOCK", 4)
    assert invoke("index", "build").exit_code == 0
    args = ["freq", "--top", str(top), "--min-count", str(min_count)]
    assert _run(invoke, None, args, *SEEDS) == _run(invoke, None, args, "--index", "off")


@pytest.mark.parametrize("args", [["-i", "covid"], ["-i", "COVID-19"], ["COVID"], ["covid"], ["-i", "كورون"]])
def test_case_is_kept_by_the_trigrams_and_ignored_when_asked(invoke, private_index_cache, tmp_path, args):
    corpus = tmp_path / "latin"
    corpus.mkdir()
    for i, line in enumerate(["أخبار COVID-19 اليوم", "covid في كل مكان", "عن Covid وكورونا", "لا شيء"]):
        (corpus / f"{i}.txt").write_text(line + "\n", encoding="utf-8")
    where = ["--corpus", str(corpus)]
    assert invoke("index", "build", *where).exit_code == 0
    with_index = _run(invoke, None, ["grep", *args], *where)
    assert with_index == _run(invoke, None, ["grep", *args], *where, "--index", "off")
    assert with_index[0] == 0


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

    monkeypatch.setattr(index_read, "_indexed_counts", boom)  # not used by build
    for method in ("add", "add_part"):  # the build counts every batch, with or without the layer
        monkeypatch.setattr(build_module._Tally, method, boom)
    result = invoke("index", "build")
    assert result.exit_code == 130
    assert seeds_index.read_bytes() == before
    assert not [p for p in seeds_index.parent.iterdir() if p.name.endswith(".tmp")]
    assert invoke("grep", "-c", "سوريا").exit_code == 0


def test_a_second_builder_waits_for_the_first(invoke, seeds_index):
    """Another process holds the build lock for a moment: this build waits, then runs."""
    import sys
    import time

    lock = seeds_index.with_name(f".{seeds_index.name}.lock")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; h = open(sys.argv[1], 'a+'); "
         "fcntl.flock(h, fcntl.LOCK_EX); print('held', flush=True); time.sleep(2)", str(lock)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    started = time.monotonic()
    result = invoke("index", "build")
    holder.wait(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert "waiting for it to finish" in result.stderr and time.monotonic() - started > 1


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


@pytest.mark.parametrize("folders", [False, True])
def test_stamps_are_the_fingerprints_as_the_build_began(tmp_path, folders):
    """Taken in a child process from the start of a build: what an in-process
    fingerprint gives, and a file changed after that makes the index stale."""
    from corpus_cli.index.fingerprint import directories, directory_fingerprint

    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("سلام", encoding="utf-8")
    paths = [str(root)]
    stamps = Stamps(paths, folders)
    assert stamps.child is not None
    pid = stamps.child[0]
    expected = (fingerprint(paths), None, None)
    if folders:
        folders = directories(paths)
        expected = (expected[0], folders, directory_fingerprint(folders))
    assert stamps.result() == expected
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped
    assert stamps.child is None

    normalizer = Normalizer.for_level("standard")
    selection = Selection.of(paths, "*.txt", normalizer)
    dest = tmp_path / "index" / "x.corpus-index"
    assert Index(build(load_corpus(paths), selection, normalizer, dest).path).is_fresh()
    stamps = Stamps(selection.paths, False)
    stamps.result = lambda real=stamps.result: (real(), (root / "sub" / "a.txt").write_text("x"))[0]
    built = build(load_corpus(paths), selection, normalizer, dest, stamps=stamps)
    assert not Index(built.path).is_fresh()  # changed during the build: stale at once


def test_a_file_added_while_the_build_lists_the_corpus_makes_it_stale(invoke, tmp_path, monkeypatch):
    """The fingerprint is taken before the files are listed: a file that arrives
    between the two is missing from the index, and the index then says stale (a
    fingerprint taken meanwhile, slowly here, would include it and say fresh)."""
    import time

    from corpus_cli.index import fingerprint as fp
    from corpus_cli.store import corpus as corpus_module

    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("سلام\n", encoding="utf-8")
    slow, listing = fp.fingerprint, corpus_module.sources

    def late(paths, split_after=None):  # the fingerprint of a busy machine (in the forked child too)
        time.sleep(0.3)
        return slow(paths, split_after)

    def listed_then_added(*args, **kwargs):
        found = listing(*args, **kwargs)
        (root / "b.txt").write_text("وصل متأخرا\n", encoding="utf-8")
        return found

    with monkeypatch.context() as patched:
        patched.setattr(fp, "fingerprint", late)
        patched.setattr(corpus_module, "sources", listed_then_added)
        assert invoke("index", "build", "--corpus", str(root)).exit_code == 0
    status = invoke("index", "status", "--corpus", str(root))
    assert status.exit_code == 1 and "stale" in status.stdout
    found = invoke("grep", "-c", "متأخرا", "--corpus", str(root))
    assert (found.exit_code, found.stdout) == (0, "b:1\n")


def test_a_query_on_an_index_is_bounded(seeds_index, monkeypatch):
    """A statement that reads more than the file can hold is stopped: the index is
    then damaged (left aside), never a hang."""
    from corpus_cli.errors import DamagedIndex

    monkeypatch.setattr(index_read, "STEPS_AT_LEAST", 1_000_000)
    monkeypatch.setattr(index_read, "STEPS_PER_BYTE", 1)
    index = Index(seeds_index)
    assert len(list(index.documents())) == 5  # what an index holds is read in full
    forever = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    with pytest.raises(DamagedIndex, match="a query read more than the index holds"):
        index.db.execute(forever).fetchall()
    index.close()


def test_stamps_stop_leaves_no_process(tmp_path):
    stamps = Stamps([str(tmp_path)], False)
    assert stamps.child is not None
    pid = stamps.child[0]
    stamps.stop()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


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


#: Commands that name folders of documents or group by the fields their ids give.
FOLDER_COMMANDS = [
    ["list", "--doc", "sabq"],
    ["grep", "-c", "قال", "--doc", "sabq/"],
    ["kwic", "الامير", "--doc", "sabq", "--doc", "okaz/"],
    ["freq", "--top", "0", "--doc", "sabq"],
    ["freq", "قال", "--clitics", "--by", "folder"],
    ["freq", "--by", "year", "--top", "2", "--dispersion"],
    ["show", "sabq/"],
    ["dispersion", "قال", "--by", "folder"],
    ["keywords", "--target", "sabq", "--min-count", "1"],
    ["keywords", "--by", "month", "--min-count", "1"],
]


@pytest.mark.parametrize("args", FOLDER_COMMANDS, ids=lambda a: " ".join(a))
def test_parity_on_folders(invoke, tmp_path, monkeypatch, args):
    """A folder named as a document and --by on a field the ids give: the same answers
    from the index, which reads no file."""
    texts = {"okaz/2015-07-21_1": "قال الوزير", "sabq/2015-07-21_1": "قال الأمير"}
    texts |= {"sabq/2016-01-02_2": "وقال الأمير قال", "sabq/2016-01-03_3": "الأمير"}
    for name, text in texts.items():
        (tmp_path / "papers" / f"{name}.txt").parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "papers" / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    corpus = tmp_path / "papers"
    assert invoke("index", "build", "--corpus", str(corpus)).exit_code == 0
    with monkeypatch.context() as patched:
        patched.setattr("corpus_cli.store.readers.Reader.read_file", _never_read)
        with_index = _run(invoke, corpus, args)
    assert with_index[0] == 0 and with_index[1].count("\n") > 1
    assert with_index == _run(invoke, corpus, args, "--index", "off")


# --------------------------------------------------------------------------- parallel build


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything a query reads of an index: rows in stored order, the grams' postings."""
    import sqlite3

    from corpus_cli.store.layer import layer_path

    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE temp.postings USING fts5vocab(main, grams, instance)")
    tables = {
        "docs": "SELECT * FROM docs ORDER BY n",
        "keys": "SELECT * FROM keys ORDER BY rank",
        "forms": "SELECT rowid, * FROM forms ORDER BY rowid",
        "meta": "SELECT * FROM meta WHERE key NOT IN ('built', 'layer') ORDER BY key",
        "grams": "SELECT term, doc FROM temp.postings ORDER BY term, doc",
    }
    found = {name: db.execute(sql).fetchall() for name, sql in tables.items()}
    (layer_id,) = db.execute("SELECT value FROM meta WHERE key = 'layer'").fetchone() or ("",)
    db.close()
    layer = layer_path(path)
    if layer.exists():  # the token layer, but for the identity it shares with its index
        found["layer"] = [(layer.read_bytes().replace(layer_id.encode(), b"ID"),)]
    return found


@pytest.fixture
def mixed_corpus(tmp_path: Path) -> Path:
    """Seeds, hadith-like vocalized text, URLs, e-mail, emoji, tatweel alone, a
    non-UTF-8 file (a warning) and two files with the same id (made unique)."""
    root = tmp_path / "mixed"
    (root / "sub").mkdir(parents=True)
    seeds = sorted(Path(__file__).resolve().parents[2].joinpath("seeds").glob("*.txt"))
    for i, seed in enumerate(seeds * 4):
        (root / f"{i:02d}.txt").write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    (root / "sub" / "odd.txt").write_text(
        "ٱلْمَلَٰٓئِكَةَ ـــ ً زُرْ www.example.com/ar إلى الى أن ان 😀👍🏽 a@b.org ٣٫٥\n", encoding="utf-8"
    )
    (root / "sub" / "cp1256.txt").write_bytes("سلام عليكم".encode("cp1256"))
    return root


def test_parallel_build_is_identical(mixed_corpus, tmp_path, monkeypatch):
    """Workers, in process, from files or from a loaded corpus: the same index."""
    from corpus_cli.store.corpus import sources

    monkeypatch.setattr(build_module, "BATCH_SIZE", 3000)  # many batches
    normalizer = Normalizer.for_level("standard")
    selection = Selection.of([str(mixed_corpus)], "*.txt", normalizer)
    files = sources([str(mixed_corpus)], "*.txt")
    built = {}
    for name, corpus, workers in [
        ("files, 3 workers", files, 3),
        ("files, in process", files, 1),
        ("loaded, 2 workers", load_corpus([str(mixed_corpus)], glob="*.txt"), 2),
        ("loaded, in process", load_corpus([str(mixed_corpus)], glob="*.txt"), 1),
    ]:
        warnings: list[str] = []
        dest = tmp_path / name / "x.corpus-index"
        stats = build(corpus, selection, normalizer, dest, workers=workers, warn=warnings.append)
        assert stats.documents == 22
        built[name] = _tables(dest)
        if isinstance(corpus, list):
            assert len(warnings) == 1 and "CP-1256" in warnings[0]
    first = built.pop("files, 3 workers")
    assert len(first["docs"]) == 22 and first["keys"] and first["grams"]
    for name, tables in built.items():
        assert tables == first, name


def test_parallel_build_counts_as_freq(mixed_corpus, tmp_path, monkeypatch):
    """The frequency list of a parallel build is what ``count_tokens`` counts."""
    from corpus_cli.query.freq import count_tokens

    monkeypatch.setattr(build_module, "BATCH_SIZE", 2000)
    normalizer = Normalizer.for_level("standard")
    corpus = load_corpus([str(mixed_corpus)], glob="*.txt")
    selection = Selection.of([str(mixed_corpus)], "*.txt", normalizer)
    dest = build(corpus, selection, normalizer, tmp_path / "x.corpus-index", workers=2).path
    counts = count_tokens(corpus.documents, normalizer)
    tables = _tables(dest)
    ranked = sorted(counts.counts.items(), key=lambda item: (-item[1], item[0]))
    expected = [
        (rank, key, counts.term(key), n, counts.doc_freq[key]) for rank, (key, n) in enumerate(ranked, 1)
    ]
    assert tables["keys"] == expected
    # Stored: the spellings of the keys spelled otherwise than as themselves, each key's
    # in order of first occurrence; the index hands every key's spellings as freq has them.
    spelled = {key for key, group in counts.forms.items() if list(group) != [key]}
    assert spelled and len(spelled) < len(counts.forms)
    stored: dict[str, list[tuple[str, int]]] = {}
    for _, key, form, n in tables["forms"]:
        stored.setdefault(key, []).append((form, n))
    assert stored == {key: list(counts.forms[key].items()) for key in spelled}
    index = Index(dest)
    try:
        indexed = index.counts().forms
        for key, group in counts.forms.items():
            assert list(indexed.get(key).items()) == list(group.items()), key
        assert indexed.get("لاوجودلهذا", "none") == "none"
    finally:
        index.close()
    assert [(d[3], d[4]) for d in tables["docs"]] == [
        (counts.doc_totals[d.id], counts.doc_types[d.id]) for d in corpus.documents
    ]


@pytest.fixture
def workers_left(monkeypatch):
    """Call it to know which of the build's worker processes still exist (none should)."""
    started: list[int] = []
    real = build_module._Team.__init__

    def spy(self, *args, **kwargs):
        real(self, *args, **kwargs)
        started.extend(self.pids)

    monkeypatch.setattr(build_module._Team, "__init__", spy)

    def left() -> list[int]:
        assert started, "no worker was started"
        alive = []
        for pid in started:
            try:
                os.waitpid(pid, os.WNOHANG)  # ours, if not reaped yet
                alive.append(pid)
            except ChildProcessError:
                pass  # reaped: gone
        return alive

    return left


def test_interrupted_parallel_build(mixed_corpus, tmp_path, monkeypatch, workers_left):
    """Ctrl-C while workers run: the previous index stays, no temporary file, no worker."""
    from corpus_cli.store.corpus import sources

    monkeypatch.setattr(build_module, "BATCH_SIZE", 2000)
    normalizer = Normalizer.for_level("standard")
    selection = Selection.of([str(mixed_corpus)], "*.txt", normalizer)
    files = sources([str(mixed_corpus)], "*.txt")
    dest = tmp_path / "x.corpus-index"
    build(files, selection, normalizer, dest, workers=2)
    before = dest.read_bytes()

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(files, selection, normalizer, dest, workers=2, progress=interrupt)
    assert dest.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixed", "x.corpus-index", "x.corpus-index-tokens"]
    assert workers_left() == []


def test_a_failing_worker_fails_the_build(mixed_corpus, tmp_path, monkeypatch, workers_left):
    """A bug in a worker is an error with its traceback, not a hang or a partial index."""
    from corpus_cli.store.corpus import sources

    def broken(self, *args):
        raise ValueError("broken tally")

    monkeypatch.setattr(build_module, "BATCH_SIZE", 2000)
    for method in ("add", "add_part"):  # without the token layer, and with it
        monkeypatch.setattr(build_module._Tally, method, broken)  # inherited by the forked workers
    normalizer = Normalizer.for_level("standard")
    selection = Selection.of([str(mixed_corpus)], "*.txt", normalizer)
    with pytest.raises(RuntimeError, match="broken tally"):
        build(
            sources([str(mixed_corpus)], "*.txt"),
            selection,
            normalizer,
            tmp_path / "x.corpus-index",
            workers=2,
        )
    assert list(tmp_path.iterdir()) == [mixed_corpus]
    assert workers_left() == []


def test_fresh_through_checks_the_files_read_and_the_folders(tmp_path):
    """``Index.fresh_through(N)``: the files of documents 1 to N and every folder."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    for name in ("a", "b", "c"):
        (corpus / f"{name}.txt").write_text(f"نص {name}\n", encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")  # no document: still a file
    normalizer = Normalizer.for_level("standard")
    selection = Selection.of([str(corpus)], "*.txt", normalizer)
    from corpus_cli.store.corpus import sources

    index = Index(build(sources([str(corpus)]), selection, normalizer, tmp_path / "i.corpus-index").path)
    assert [index.fresh_through(n) for n in (1, 2, 3)] == [True, True, True]
    os.utime(corpus / "c.txt", ns=(1, 1))
    assert [index.fresh_through(n) for n in (1, 2, 3)] == [True, True, False]
    assert not index.is_fresh()
    (corpus / "d.txt").write_text("x", encoding="utf-8")
    assert index.fresh_through(1) is False  # a file added: the folder changed
    from_documents = Index(
        build(load_corpus([str(corpus)]), selection, normalizer, tmp_path / "d.corpus-index").path
    )
    assert from_documents.fresh_through(1) is None  # no files recorded: cannot tell


def test_an_index_damaged_past_its_opening(invoke, seeds_index):
    """The trigram and document tables are gone: found only when a search needs
    candidates; with ``--index auto`` the files answer (not the index's documents), and
    say why."""
    import sqlite3

    with sqlite3.connect(seeds_index) as db:
        db.execute("DROP TABLE grams")
        db.execute("DROP TABLE docs")
    auto = invoke("grep", "-c", "سوريا", *SEEDS)
    off = invoke("grep", "-c", "سوريا", *SEEDS, "--index", "off")
    assert (auto.exit_code, auto.stdout) == (off.exit_code, off.stdout)
    assert "searching without it" in auto.stderr


# --------------------------------------------------------------------------- records


#: Reading options of the records corpus: the text is in ``body``, the id in ``url``.
READING = ("--text-field", "body", "--id-field", "url")


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """Records with metadata: JSONL (a field some records lack, a number) and CSV (a
    field named as a column of ``list``: title); the text in ``body``, the id in ``url``."""
    import csv
    import json

    root = tmp_path / "records"
    root.mkdir()
    news = [
        {
            "url": "okaz/1",
            "source": "okaz",
            "date": "2015-07-21",
            "body": "قال الوزير إن سوريا بحاجة\nوالأمم المتحدة",
        },
        {"url": "sabq/1", "source": "sabq", "date": "2015-07-21", "body": "سوريا والعراق", "views": 12},
        {"url": "okaz/2", "source": "okaz", "date": "2015-07-22", "body": "قال الأمير إن الاقتصاد ينمو"},
        {"url": "x/1", "date": "2015-07-23", "body": "خبر بلا مصدر عن سوريا"},
    ]
    (root / "news.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in news), encoding="utf-8"
    )
    with open(root / "more.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["url", "source", "title", "body"])
        writer.writerow(["aawsat/1", "aawsat", "عنوان", "الأمم المتحدة تناقش سوريا\nوالعراق"])
        writer.writerow(["okaz/3", "okaz", "آخر", "سوريا سوريا في الأمم المتحدة"])
    return root


RECORD_COMMANDS = [
    ["list"],
    ["list", "--format", "jsonl"],
    ["list", "--format", "csv"],
    ["list", "--format", "table"],
    ["list", "--where", "source=okaz"],
    ["freq", "--by", "source", "--top", "3"],
    ["freq", "سوريا", "الأمم", "--by", "date"],
    ["freq", "--top", "5", "--where", "source=okaz"],
    ["grep", "-c", "سوريا", "--where", "source=okaz"],
    ["grep", "-n", "سوريا", "--where", "source=okaz", "--where", "date=2015-07-21"],
    ["grep", "-c", "سوريا", "--where", "source=okaz", "--doc", "okaz/3"],
    ["grep", "-l", "سوريا", "--where", "nosuchfield=x"],
    ["grep", "-v", "-c", "سوريا", "--where", "source=okaz"],
    ["kwic", "سوريا", "--where", "source=okaz"],
    ["kwic", "الأمم", "--limit", "1", "--where", "source=okaz"],
    ["kwic", "المتحدة", "--clitics", "--where", "title=آخر"],
    ["show", "sabq/1"],
    ["dispersion", "سوريا", "--where", "source=okaz"],
    ["collocates", "سوريا", "--where", "source=okaz"],
]


def _never_read(*args, **kwargs):
    raise AssertionError("a corpus file was read although the index holds it")


@pytest.mark.parametrize("args", RECORD_COMMANDS, ids=lambda a: " ".join(a))
def test_parity_on_records_with_metadata(invoke, records, monkeypatch, args):
    """An index of records keeps their metadata and answers --where itself: the same
    output, warnings and exit code as the files, and no file read."""
    corpus = ("--corpus", str(records), *READING)
    built = invoke("index", "build", *corpus)
    assert built.exit_code == 0 and "indexed 6 documents" in built.stderr, built.stderr
    with monkeypatch.context() as patched:
        patched.setattr("corpus_cli.store.readers.Reader.read_file", _never_read)
        with_index = invoke(*args, *corpus)
    without = invoke(*args, *corpus, "--index", "off")
    assert (with_index.exit_code, with_index.stdout, with_index.stderr) == (
        without.exit_code,
        without.stdout,
        without.stderr,
    )
    assert with_index.stdout or "no document has the field" in with_index.stderr


def test_the_metadata_survives_the_index(invoke, records):
    """What a user of ``list`` and ``freq --by`` sees of the metadata, with an index."""
    import json

    corpus = ("--corpus", str(records), *READING)
    assert invoke("index", "build", *corpus).exit_code == 0
    header = invoke("list", *corpus).stdout.splitlines()[0].split("\t")
    assert header[7:] == ["date", "source", "meta.title", "views"]
    groups = invoke("freq", "سوريا", "--by", "source", "--format", "jsonl", *corpus).stdout
    assert [json.loads(line)["by"] for line in groups.splitlines()] == ["", "aawsat", "okaz", "sabq"]


def test_parallel_build_keeps_the_metadata(records, tmp_path, monkeypatch):
    """From files by workers or in process, or from the loaded records: the same index."""
    from corpus_cli.store.corpus import sources
    from corpus_cli.store.readers import ReadOptions

    monkeypatch.setattr(build_module, "BATCH_SIZE", 100)  # a batch per file
    normalizer = Normalizer.for_level("standard")
    options = ReadOptions("body", "url")
    selection = Selection.of([str(records)], "*.{jsonl,csv}", normalizer, options)
    loaded = load_corpus([str(records)], glob="*.{jsonl,csv}", text_field="body", id_field="url")
    built = []
    for corpus, workers in [(sources([str(records)], "*.{jsonl,csv}"), 2), (loaded, 1)]:
        dest = tmp_path / f"{workers}" / "x.corpus-index"
        build(corpus, selection, normalizer, dest, options=options, workers=workers)
        built.append(_tables(dest))
        index = Index(dest)
        assert [(d.id, d.meta) for d in index.documents()] == [(d.id, d.meta) for d in loaded.documents]
        assert index.reading == options
        index.close()
    assert built[0] == built[1]


def test_index_build_reads_records_as_told(invoke, records, monkeypatch):
    """``index build --text-field body``: every record indexed, and only a query read
    with the same options uses that index; the default options have their own."""
    corpus = ("--corpus", str(records))
    plain = invoke("index", "build", *corpus)
    assert plain.exit_code == 0 and "indexed 0 documents" in plain.stderr  # no field 'text'
    body = invoke("index", "build", *corpus, *READING)
    assert body.exit_code == 0 and "indexed 6 documents" in body.stderr, body.stderr
    paths = sorted(Path(os.environ["CORPUS_CACHE_DIR"]).glob("*.corpus-index"))
    assert len(paths) == 2
    status = invoke("index", "status", *corpus, *READING)
    assert status.exit_code == 0 and "documents: 6" in status.stdout
    assert "read with: --text-field body --id-field url" in status.stdout
    with monkeypatch.context() as patched:
        patched.setattr("corpus_cli.store.readers.Reader.read_file", _never_read)
        found = invoke("grep", "-c", "سوريا", *corpus, *READING)
    assert (found.exit_code, found.stdout) == (0, "aawsat/1:1\nokaz/3:1\nokaz/1:1\nsabq/1:1\nx/1:1\n")
    # Other reading options never use it: the files answer (ids FILE:N here), also when
    # it is named with --index, with a warning.
    alone = invoke("grep", "-c", "سوريا", *corpus, "--text-field", "body")
    assert alone.exit_code == 0 and alone.stdout.startswith("more:1:1\n")
    other = next(p for p in paths if Index(p).reading.text_field == "body")
    named = invoke("grep", "-c", "سوريا", *corpus, "--text-field", "body", "--index", str(other))
    assert (named.exit_code, named.stdout) == (alone.exit_code, alone.stdout)
    assert "other reading options" in named.stderr
    assert invoke("index", "drop", *corpus, *READING).exit_code == 0
    assert invoke("index", "status", *corpus).exit_code == 0  # the other one stays


def test_reading_options_are_part_of_the_selection(records):
    import json

    from corpus_cli.store.readers import ReadOptions

    normalizer = Normalizer.for_level("standard")
    default = Selection.of([str(records)], "*.jsonl", normalizer)
    body = Selection.of([str(records)], "*.jsonl", normalizer, ReadOptions("body"))
    ids = Selection.of([str(records)], "*.jsonl", normalizer, ReadOptions("body", "url"))
    encoded = Selection.of([str(records)], "*.jsonl", normalizer, ReadOptions("body", "url", "cp1256"))
    assert len({s.default_path() for s in (default, body, ids, encoded)}) == 4
    meta = {
        "paths": json.dumps([str(records.resolve())]),
        "glob": "*.jsonl",
        "steps": json.dumps(list(default.steps)),
        "text_field": "body",
        "id_field": "url",
        "encoding": "",
    }
    assert ids.matches(meta)
    assert not body.matches(meta) and not default.matches(meta) and not encoded.matches(meta)


def start_build(corpus: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """``corpus index build`` of ``corpus`` in a process group of its own (to signal it)."""
    return subprocess.Popen(
        corpus_argv("index", "build", "--corpus", str(corpus)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )


def index_files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.is_dir() else []


@pytest.mark.parametrize(
    ("table", "options"),
    [("ranked_tsv", []), ("keys", ["--forms"])],
    ids=["the rendered list", "the rows"],
)
def test_damage_found_late_falls_back_to_the_files(cli, indexed, cache, table, options):
    index = the_index(cache)
    damage(index, table)
    r = cli("freq", "--top", "3", *options, "--corpus", str(indexed))
    off = cli("freq", "--top", "3", *options, "--corpus", str(indexed), "--index", "off")
    assert (r.code, r.out) == (off.code, off.out) and off.out.splitlines()[1].split("\t")[1] == "الأمم"
    malformed = "damaged index (database disk image is malformed); searching without it"
    assert r.err == [f"corpus: warning: {index}: {malformed}"]
    # Named: an error, said once.
    r = cli("freq", "--top", "3", *options, "--corpus", str(indexed), "--index", str(index))
    assert r.code == 2 and r.err == [
        f"corpus: {index}: damaged index (database disk image is malformed); "
        "rebuild it with 'corpus index build' or use --index off"
    ]


SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


#: The commands that read the documents of an index (and a few that read its counts).
READERS = [
    ["list"],
    ["show", "002"],
    ["dispersion", "سوريا"],
    ["collocates", "سوريا", "--top", "5"],
    ["keywords", "--target", "003", "--top", "5"],
    ["grep", "-c", "."],
    ["grep", "الأمم"],
    ["kwic", "سوريا"],
    ["freq", "--by-doc", "--top", "2"],
    ["freq", "--top", "5"],
]


@pytest.fixture
def seeds_indexed(tmp_path: Path, cli: Cli) -> Path:
    corpus = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, corpus)
    index_build(cli, "--corpus", str(corpus))
    return corpus


@pytest.mark.parametrize("how", ["documents", "random"])
@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_damaged_index_in_the_cache_is_left_aside_by_every_command(cli, seeds_indexed, cache, command, how):
    """The files' answer, whatever the command read of the index before the damage."""
    import random

    index = the_index(cache)
    if how == "documents":
        damage(index, "docs")
    else:  # 32 KB of random bytes inside the file
        data = bytearray(index.read_bytes())
        start = len(data) // 3
        data[start : start + 32768] = random.Random(13).randbytes(32768)
        index.write_bytes(bytes(data))
    off = cli(*command, "--corpus", str(seeds_indexed), "--index", "off")
    r = cli(*command, "--corpus", str(seeds_indexed))
    assert (r.code, r.out) == (off.code, off.out)
    assert all("damaged index" in line or "not a usable index" in line for line in warnings(r))
    assert len(warnings(r)) == len(r.err) - len(off.err)
    # They read the documents (collocates answers from the token layer alone).
    if how == "documents" and command[0] != "collocates" and (command[0] != "freq" or "--by-doc" in command):
        assert warnings(r), r.err


def damage_the_end(index: Path, table: str, fraction: float) -> None:
    """Overwrite the last ``fraction`` of the pages of ``table`` with garbage."""
    db = sqlite3.connect(index)
    pages = sorted(n for (n,) in db.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,)))
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    data = bytearray(index.read_bytes())
    for n in pages[int(len(pages) * (1 - fraction)) :]:
        data[(n - 1) * size : n * size] = b"\xa5" * size
    index.write_bytes(bytes(data))


def test_damage_found_after_output_went_out_is_not_written_twice(cli, tmp_path, cache):
    """Past a megabyte the output flows; damage found then: the command runs again from
    the files and writes only what did not go out yet."""
    line = "الأمم المتحدة تجتمع في نيويورك " * 40 + "\n"
    corpus = make(tmp_path / "big", {f"{i:03d}.txt": line * 30 for i in range(120)})
    index_build(cli, "--corpus", str(corpus))
    index = the_index(cache)
    damage_the_end(index, "docs", 0.2)
    off = cli("grep", "الامم", "--corpus", str(corpus), "--index", "off")
    assert len(off.out.encode()) > 3 << 20
    r = cli("grep", "الامم", "--corpus", str(corpus))
    assert r.code == off.code == 0
    assert r.out == off.out
    malformed = "damaged index (database disk image is malformed); searching without it"
    assert r.err == [f"corpus: warning: {index}: {malformed}"]


def test_stale_index_answers_from_the_new_files(cli, indexed, cache, untouched):
    (indexed / "b.txt").write_text("لا شيء هنا\nلكن الأمم هنا الآن\n", "utf-8")
    (indexed / "d.txt").write_text("الأمم من جديد\n", "utf-8")
    untouched.watched.clear()  # the corpus as changed here is what the run must leave alone
    untouched(indexed)
    r = cli("grep", "الامم", "--corpus", str(indexed))
    assert r.code == 0
    assert r.out == "a:2:الأمم المتحدة تجتمع\nb:2:لكن الأمم هنا الآن\nd:1:الأمم من جديد\nsub/c:1:الأمم\n"
    assert r.err == [
        "corpus: warning: the corpus changed since its index was built; searching without it "
        "(rebuild it with 'corpus index build')"
    ]


def test_ctrl_c_during_an_index_build(env, tmp_path, cli, cache, untouched):
    corpus = make(tmp_path / "news", {"a.txt": GOOD, "big.txt": "الأمم\n"})
    big = corpus / "big.txt"
    index_build(cli, "--corpus", str(corpus))
    index = the_index(cache)
    before = index.read_bytes()
    small, small_stat = big.read_bytes(), big.stat()
    # The same selection, now slow to index: interrupted once its temporary file is there.
    big.write_text("".join(f"سطر رقم {i} من النص\n" for i in range(300_000)), "utf-8")
    taken = snapshot(corpus)
    proc = start_build(corpus, env, tmp_path)
    r = interrupt(proc, lambda: any(name.endswith(".tmp") for name in index_files(cache)))
    assert r.code in INTERRUPTED
    assert len(r.err) <= 1
    # no temporary file, no lock file: the index and its token layer
    assert index_files(cache) == [index.name, f"{index.name}-tokens"]
    assert index.read_bytes() == before
    assert snapshot(corpus) == taken  # the corpus was not written to
    # Put the corpus back as it was: the previous index is fresh, and used.
    big.write_bytes(small)
    os.utime(big, ns=(small_stat.st_atime_ns, small_stat.st_mtime_ns))
    assert cli("index", "status", "--corpus", str(corpus)).code == 0
    r = cli("grep", "الامم", "--corpus", str(corpus), "--index", str(index))
    assert (r.code, r.out, r.err) == (0, "a:2:الأمم المتحدة تجتمع\nbig:1:الأمم\n", [])


REBUILD = "(rebuild it with 'corpus index build')"


def test_a_file_added_during_a_build_is_never_missed_by_a_fresh_index(env, tmp_path, cli, cache):
    """Files added at random moments of a build: the index finds them, or says it is
    stale and is left aside; never fresh and blind to them."""
    import random

    corpus = make(tmp_path / "news", {f"{i:04d}.txt": f"سطر {i} من النص\n" * 20 for i in range(1500)})
    pick = random.Random(1)
    started = time.monotonic()
    for trial in range(8):
        if time.monotonic() - started > 40:
            break
        for path in cache.glob("*.corpus-index"):
            path.unlink()
        proc = start_build(corpus, env, tmp_path)
        time.sleep(pick.uniform(0.03, 0.3))
        (corpus / f"{pick.choice('ab')}-added-{trial}.txt").write_text(f"كلمة{trial}جديدة\n", "utf-8")
        _, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, err.decode()
        status = cli("index", "status", "--corpus", str(corpus))
        found = cli("grep", "-c", f"كلمة{trial}جديدة", "--corpus", str(corpus))
        assert found.code == 0, (trial, status, found)  # from the files when stale
        if status.code == 0:
            assert found.err == [], (trial, found)  # fresh: the index found it itself
        else:
            assert "stale" in status.out
            assert found.err == [f"corpus: warning: {STALE}"], (trial, found)


STALE = "the corpus changed since its index was built; searching without it " + REBUILD


def test_a_file_skipped_at_the_build_then_made_readable_makes_the_index_stale(cli, tmp_path, cache):
    prefix = _unprivileged()
    corpus = make(tmp_path / "news", {"a.txt": GOOD, "0secret.txt": "الأمم في السر\n"})
    secret = corpus / "0secret.txt"  # first: an answer from the first document depends on it
    secret.chmod(0)
    try:
        require_denied(secret, prefix)
        r = cli("index", "build", "--corpus", str(corpus), prefix=prefix)
        assert r.code == 0 and r.err[0] == f"corpus: warning: skipped {secret}: Permission denied"
        assert cli("index", "status", "--corpus", str(corpus), prefix=prefix).code == 0
        r = cli("kwic", "الأمم", "--limit", "1", "--corpus", str(corpus), prefix=prefix)
        assert (r.code, r.err) == (0, [])  # unchanged since: the index answers
    finally:
        secret.chmod(0o644)
    status = cli("index", "status", "--corpus", str(corpus), prefix=prefix)
    assert status.code == 1 and "stale" in status.out
    for args in (["grep", "الامم"], ["grep", "-q", "السر"], ["kwic", "الأمم", "--limit", "1"]):
        r = cli(*args, "--corpus", str(corpus), prefix=prefix)
        off = cli(*args, "--corpus", str(corpus), "--index", "off", prefix=prefix)
        assert (r.code, r.out) == (off.code, off.out) == (0, off.out)
        assert r.err == [f"corpus: warning: {STALE}"]


def test_an_index_named_for_another_corpus_is_refused(cli, tmp_path, cache):
    one = make(tmp_path / "one", {"a.txt": GOOD})
    other = make(tmp_path / "other", {"b.txt": "الأمم هنا\n"})
    index_build(cli, "--corpus", str(one))
    index = the_index(cache)
    r = cli("grep", "الامم", "--corpus", str(other), "--index", str(index))
    error(r, f"corpus: {index} is the index of another corpus (built for {one} --glob")
    assert f"not {other} --glob" in r.err[0]
    r = cli("grep", "الامم", "--corpus", str(one), "--glob", "*.md", "--index", str(index))
    assert r.code == 2 and "is the index of another corpus" in r.err[0]
    r = cli("grep", "الامم", "--corpus", str(one), "--index", str(index))  # its own: used
    assert (r.code, r.out, r.err) == (0, "a:2:الأمم المتحدة تجتمع\n", [])


#: A view that counts for ever, in place of a table.
FOREVER = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT {} FROM n"


@pytest.mark.parametrize("replaced", ["meta", "docs"])
def test_a_malicious_index_never_hangs(cli, indexed, cache, replaced):
    """An index whose table is a view computing without end: refused at the opening,
    planted in the cache (auto) or named; ``index list`` says it is unreadable."""
    index = the_index(cache)
    db = sqlite3.connect(index)
    if replaced == "meta":
        db.execute("DROP TABLE meta")
        db.execute("CREATE VIEW meta(key, value) AS " + FOREVER.format("'format', '6'"))
    else:
        db.execute("DROP TABLE docs")
        row = "i AS n, 'x' AS id, 'x' AS path, 'الأمم' AS text, 1 AS tokens, 1 AS types, NULL AS fields"
        db.execute("CREATE VIEW docs AS " + FOREVER.format(row))
    db.commit()
    db.close()
    r = cli("grep", "الامم", "--corpus", str(indexed), timeout=20)
    assert (r.code, r.out) == (0, HITS)
    # (the view of meta also lost the index of its primary key: not the tables of an index)
    why = "not the tables of an index" if replaced == "meta" else f"'{replaced}' is not the table of an index"
    unusable = f"{index}: not a usable index ({why}); rebuild it with 'corpus index build'"
    assert r.err == [f"corpus: warning: {unusable}; searching without it"]
    error(cli("grep", "الامم", "--corpus", str(indexed), "--index", str(index), timeout=20), unusable)
    r = cli("index", "list", timeout=20)
    assert r.code == 0 and r.out.splitlines()[1].split("\t")[:2] == [str(index), "(unreadable)"]


@pytest.fixture(scope="module")
def slow_to_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 MB of text in 48 files: indexed by several workers, for seconds."""
    root = tmp_path_factory.mktemp("slow")
    for i in range(48):
        lines = "".join(f"سطر رقم {n} من الملف {i}\n" for n in range(6500))
        (root / f"{i:02d}.txt").write_text(lines, "utf-8")
    return root


def _gone(pids: list[str], within: float) -> bool:
    """Have the processes ``pids`` ended (exited, or dead and waiting to be reaped)?"""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state != "Z":
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.02)
    return False


def _killed_build(env: dict[str, str], cwd: Path, corpus: Path, cache: Path, sig: int) -> list[str]:
    """An index build sent ``sig`` once its workers write: its workers' pids."""
    proc = start_build(corpus, env, cwd)
    deadline = time.monotonic() + TIMEOUT
    workers: list[str] = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if len(workers) > 1 and any(name.endswith(".tmp") for name in index_files(cache)):
            break
        time.sleep(0.005)
    assert proc.poll() is None and len(workers) > 1, "the build ended before it could be killed"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == -sig, err.decode()
    assert b"Traceback" not in err
    return workers


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_terminated_build_leaves_nothing_behind(env, tmp_path, cache, slow_to_index, sig):
    workers = _killed_build(env, tmp_path, slow_to_index, cache, sig)
    assert _gone(workers, within=0.5)  # stopped by the build, not left to finish
    assert [n for n in index_files(cache) if n.endswith(".tmp")] == []


def test_the_temporary_file_of_a_killed_build_is_swept(env, tmp_path, cli, cache, slow_to_index):
    workers = _killed_build(env, tmp_path, slow_to_index, cache, signal.SIGKILL)
    assert _gone(workers, within=1)  # they die with the build
    (left,) = [n for n in index_files(cache) if n.endswith(".tmp")]  # SIGKILL: nothing can clean
    orphan = cache / left
    r = cli("index", "drop", "--all")
    assert r.code == 1 and r.err[0] == f"corpus: removed {orphan}, left by an interrupted build"
    assert [n for n in index_files(cache) if n.endswith(".tmp")] == []
    # A later build sweeps them too.
    _killed_build(env, tmp_path, slow_to_index, cache, signal.SIGKILL)
    assert len([n for n in index_files(cache) if n.endswith(".tmp")]) == 1
    index_build(cli, "--corpus", str(make(tmp_path / "small", {"a.txt": GOOD})))
    assert [n for n in index_files(cache) if n.endswith(".tmp")] == []


def test_an_index_is_never_written_into_the_corpus(cli, tmp_path, untouched):
    corpus = make(tmp_path / "home", {"a.txt": GOOD})
    untouched(corpus)
    inside = {"CORPUS_CACHE_DIR": str(corpus / ".cache" / "corpus-cli")}
    r = cli("index", "build", "--corpus", str(corpus), environ=inside)
    error(r, f"corpus: the cache directory {corpus}/.cache/corpus-cli is inside the corpus")
    assert "set CORPUS_CACHE_DIR or give -o DIR outside it" in r.err[0]
    home = {"CORPUS_CACHE_DIR": None, "XDG_CACHE_HOME": None, "HOME": str(corpus)}
    r = cli("index", "build", "--corpus", str(corpus), environ=home)
    assert r.code == 2 and "is inside the corpus" in r.err[0]
    assert cli("grep", "الامم", "--corpus", str(corpus), environ=inside).code == 0


def test_a_cache_path_with_uri_characters(cli, tmp_path):
    corpus = make(tmp_path / "news", {"a.txt": GOOD})
    odd = {"CORPUS_CACHE_DIR": str(tmp_path / "cache #1?mode=rw&x=%41%")}
    r = cli("index", "build", "--corpus", str(corpus), environ=odd)
    assert r.code == 0 and r.err[-1].startswith("corpus: indexed 1 documents"), r
    r = cli("index", "status", "--corpus", str(corpus), environ=odd)
    assert r.code == 0 and "state: fresh" in r.out
    r = cli("grep", "الامم", "--corpus", str(corpus), environ=odd)
    assert (r.code, r.out, r.err) == (0, "a:2:الأمم المتحدة تجتمع\n", [])
    r = cli("index", "list", environ=odd)
    assert r.code == 0 and str(corpus) in r.out and "(unreadable)" not in r.out


def test_index_drop_in_odd_places(cli, tmp_path, cache):
    corpus = make(tmp_path / "news", {"a.txt": GOOD})
    index_build(cli, "--corpus", str(corpus))
    index = the_index(cache)
    (cache / "notes.corpus-index").write_text("my notes, not an index\n")
    (cache / "folder.corpus-index").mkdir()
    # --all: only the indexes go.
    r = cli("index", "drop", "--all")
    assert r.code == 0
    assert sorted(r.err) == sorted(
        [
            f"corpus: dropped {index}",
            f"corpus: left {cache}/folder.corpus-index: not a usable index of this tool",
            f"corpus: left {cache}/notes.corpus-index: not a usable index of this tool",
        ]
    )
    assert index_files(cache) == ["folder.corpus-index", "notes.corpus-index"]
    # A directory where the index would be.
    index.mkdir()
    error(cli("index", "drop", "--corpus", str(corpus)), f"corpus: {index} is a directory, not an index")
    index.rmdir()
    # A read-only cache directory.
    index_build(cli, "--corpus", str(corpus))
    prefix = _unprivileged()
    cache.chmod(0o555)
    try:
        probe = "import os, sys; sys.exit(3 if os.access(sys.argv[1], os.W_OK) else 0)"
        if subprocess.run([*prefix, sys.executable, "-c", probe, str(cache)], timeout=TIMEOUT).returncode:
            pytest.skip("the cache directory is writable anyway (root without setpriv)")
        r = cli("index", "drop", "--corpus", str(corpus), prefix=prefix)
        error(r, f"corpus: cannot drop {index}: Permission denied")
        r = cli("index", "drop", "--all", prefix=prefix)
        assert r.code == 2 and r.err[-1] == f"corpus: cannot drop {index}: Permission denied"
    finally:
        cache.chmod(0o755)
    assert index.is_file()


def test_two_builds_at_once(env, tmp_path, cli, cache, untouched):
    corpus = make(tmp_path / "news", {"a.txt": GOOD})
    (corpus / "b.txt").write_text("".join(f"سطر رقم {i} من النص\n" for i in range(40_000)), "utf-8")
    untouched(corpus)
    command = corpus_argv("index", "build", "--corpus", str(corpus))
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=TIMEOUT) for p in procs]
    runs = [_checked(p.returncode, *output) for p, output in zip(procs, outputs, strict=True)]
    for r in runs:  # both succeed (one waits for the other when they meet)
        assert r.code == 0, r
        assert r.err[-1].startswith("corpus: indexed 2 documents")
        assert all(line.startswith(("corpus: indexed", "corpus: another process")) for line in r.err)
    assert index_files(cache) == [the_index(cache).name, f"{the_index(cache).name}-tokens"]
    assert cli("index", "status", "--corpus", str(corpus)).code == 0
    r = cli("grep", "الامم", "--corpus", str(corpus))
    assert (r.code, r.out, r.err) == (0, "a:2:الأمم المتحدة تجتمع\n", [])


def test_unwritable_cache_directory(cli, tmp_path, untouched):
    corpus = make(tmp_path / "news", {"a.txt": GOOD})
    untouched(corpus)
    (tmp_path / "a-file").write_text("not a directory")
    nowhere = {"CORPUS_CACHE_DIR": str(tmp_path / "a-file" / "indexes")}
    r = cli("index", "build", "--corpus", str(corpus), environ=nowhere)
    error(r, f"corpus: cannot write the index into {tmp_path}/a-file/indexes: Not a directory")
    # Queries do not need it.
    r = cli("grep", "الامم", "--corpus", str(corpus), environ=nowhere)
    assert (r.code, r.out, r.err) == (0, "a:2:الأمم المتحدة تجتمع\n", [])


def test_read_only_cache_directory(cli, tmp_path, untouched):
    prefix = _unprivileged()
    corpus = make(tmp_path / "news", {"a.txt": GOOD})
    untouched(corpus)
    locked = tmp_path / "ro-cache"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        probe = "import os, sys; sys.exit(3 if os.access(sys.argv[1], os.W_OK) else 0)"
        if subprocess.run([*prefix, sys.executable, "-c", probe, str(locked)], timeout=TIMEOUT).returncode:
            pytest.skip("the cache directory is writable anyway (root without setpriv)")
        ro = {"CORPUS_CACHE_DIR": str(locked)}
        r = cli("index", "build", "--corpus", str(corpus), environ=ro, prefix=prefix)
        error(r, f"corpus: cannot write the index into {locked}: permission denied")
        r = cli("grep", "الامم", "--corpus", str(corpus), environ=ro, prefix=prefix)
        assert (r.code, r.out, r.err) == (0, "a:2:الأمم المتحدة تجتمع\n", [])
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_an_index_of_a_file_named_otherwise_than_in_utf8(cli, latin_named, cache):
    from corpus_cli.index.read import Index

    corpus = str(latin_named)
    index_build(cli, "--corpus", corpus)
    for args in (["grep", "-c", "الامم"], ["list"], ["kwic", "الامم", "--limit", "1"]):
        with_index = cli(*args, "--corpus", corpus)
        assert with_index == cli(*args, "--corpus", corpus, "--index", "off"), args
        assert with_index.code == 0
    index = Index(the_index(cache))
    try:
        assert [d.id for d in index.documents()] == ["caf\udce9", "ok"]
        assert index.documents().__next__().path == str(latin_named / "caf\udce9.txt")
        assert index.is_fresh() and index.fresh_through(1)
        with (latin_named / os.fsdecode(LATIN_NAME)).open("a", encoding="utf-8") as grown:
            grown.write("سطر\n")
        assert not index.is_fresh() and not index.fresh_through(1)
    finally:
        index.close()
    assert "stale" in cli("index", "status", "--corpus", corpus).out


def test_a_tally_counts_a_layer_part_as_it_counts_words(mixed_corpus):
    """``_Tally.add_part`` (from the token layer's ids) and ``_Tally.add`` (from word lists):
    the same counts, types and spellings in the same order, batch after batch."""
    pytest.importorskip("numpy")
    from corpus_cli.store.layer import Numbering, part_of
    from corpus_cli.text.tokenize import words

    normalizer = Normalizer.for_level("standard")
    texts = [d.text for d in load_corpus([str(mixed_corpus)], glob="*.txt").documents]
    texts += ["", "ـــ ً", "إلى الى إلى", "٣٫٥ 3.5 ٣٫٥"]
    by_words, by_part, numbering = build_module._Tally(), build_module._Tally(), Numbering()
    for first in range(0, len(texts), 5):
        batch = texts[first : first + 5]
        found = [words(text) for text in batch]
        expected = ([len(w) for w in found], by_words.add(found, normalizer))
        assert by_part.add_part(part_of(batch, numbering), numbering, normalizer) == expected
        assert list(by_part.forms.items()) == list(by_words.forms.items())
        assert by_part.changed == by_words.changed and by_part.docs == by_words.docs
        assert by_part.marks == by_words.marks
    assert by_words.forms and by_words.changed and max(by_words.docs.values()) > 1
