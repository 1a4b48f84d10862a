"""``--engine dask`` and ``corpus shard``: byte for byte what ``--engine memory`` prints.

One local Dask cluster (two worker processes) serves the whole module: every dask run
connects to it with ``--scheduler``.  The parity tests run each command with both
engines on the seeds, on Parquet and JSONL shards that ``corpus shard`` wrote, and on a
sample of two real corpora (skipped when ../shared/corpora is absent).  Tests that need
no cluster (option checks, sizes, merging counts) run without the extra installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpus_cli.cli import app
from corpus_cli.engines.distributed import _environment_error, merge_counts
from corpus_cli.errors import CorpusError
from corpus_cli.query.freq import count_tokens
from corpus_cli.store.corpus import load_corpus
from corpus_cli.store.shard import parse_size
from corpus_cli.text.normalize import Normalizer
from tests.conftest import PINNED_ENV, clean_env, corpus_argv

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared" / "corpora"

#: Commands as the dask engine runs them, on the seeds: each must print what memory prints.
SEED_COMMANDS = [
    ["freq", "--top", "0"],
    ["freq", "سوريا", "الامم", "غير_موجود"],
    ["freq", "--top", "10", "--forms"],
    ["freq", "--ngram", "2", "--top", "20"],
    ["freq", "مجلس الامن", "قرار مجلس", "--by-doc"],
    ["freq", "--by-doc", "--top", "3"],
    ["freq", "الأمن", "--clitics", "--forms"],
    ["freq", "--top", "5", "--stopwords", "builtin", "--match", "^ال"],
    ["freq", "--top", "5", "--format", "jsonl", "--norm", "aggressive"],
    ["grep", "-c", "سوريا"],
    ["grep", "-l", "الأمم"],
    ["grep", "--count-matches", "في"],
    ["grep", "-v", "-c", "سوريا"],
    ["grep", "-c", "-m", "2", "-w", "سوريا"],
    ["grep", "-c", "--format", "jsonl", "سوري[اة]"],
    ["grep", "-c", "xyzzyq"],
    ["kwic", "سوريا", "--limit", "7"],
    ["kwic", "في", "--limit", "60"],
    ["kwic", "الأمن", "--clitics", "--format", "jsonl"],
    ["kwic", "سوريا", "--words", "2", "--per-doc", "2"],
    ["kwic", "في", "--sample", "5", "--seed", "1"],
    ["kwic", "كُتب"],
    ["kwic", "xyzzyq"],
]

#: On the real sample (diacritized hadith with RLM marks, and the Uthmani Quran).
REAL_COMMANDS = [
    ["freq", "--top", "0"],
    ["freq", "الله", "قال", "الرحمن", "--forms"],
    ["grep", "-c", "حدثنا"],
    ["grep", "-l", "صلى الله عليه وسلم"],
    ["kwic", "الله", "--limit", "50"],
    ["kwic", "رسول", "--clitics", "--limit", "30", "--format", "jsonl"],
    ["kwic", "الرحمن", "--limit", "400"],
]


def cli(*args: str) -> tuple[int, str, str]:
    """``corpus ARGS`` in this process: exit code, stdout, stderr."""
    result = CliRunner().invoke(app, list(args), env=PINNED_ENV, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a local cluster started once for the module."""
    pytest.importorskip("dask.distributed")
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
        )
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


def shards(source: Path, dest: Path, *options: str) -> Path:
    code, out, err = cli("shard", str(source), str(dest), *options)
    assert code == 0, err
    assert out.count("\n") == len(list(dest.glob("part-*"))) >= 1
    return dest


@pytest.fixture(scope="module")
def seed_shards(scheduler: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The seeds as small Parquet and JSONL shards (several of each)."""
    root = tmp_path_factory.mktemp("seed-shards")
    parquet = shards(SEEDS, root / "parquet", "--size", "8KB")
    jsonl = shards(SEEDS, root / "jsonl", "--size", "12KB", "--format", "jsonl")
    assert len(list(parquet.glob("*.parquet"))) >= 2
    assert len(list(jsonl.glob("*.jsonl"))) >= 2
    return {
        "text": ["--corpus", str(SEEDS)],
        "parquet": ["--corpus", str(parquet)],
        "jsonl": ["--corpus", str(jsonl), "--id-field", "id"],
    }


def memory(args: list[str], corpus: list[str]) -> tuple[int, str]:
    code, out, _ = cli(*args, *corpus, "--engine", "memory", "--index", "off")
    return code, out


def indexed(args: list[str], corpus: list[str]) -> tuple[int, str]:
    """The memory engine answering from the index that ``index build`` made of ``corpus``."""
    code, out, err = cli(*args, *corpus, "--engine", "memory")
    assert "without it" not in err, err
    return code, out


def on_dask(args: list[str], corpus: list[str], scheduler: str) -> tuple[int, str]:
    code, out, err = cli(*args, *corpus, "--engine", "dask", "--scheduler", scheduler)
    assert code in (0, 1), err
    return code, out


@pytest.mark.parametrize("layout", ["text", "parquet", "jsonl"])
@pytest.mark.parametrize("args", SEED_COMMANDS, ids=lambda a: " ".join(a))
def test_parity_on_the_seeds(args: list[str], layout: str, seed_shards: dict[str, list[str]], scheduler: str):
    """Same stdout and exit code as the memory engine on the seed files themselves."""
    expected = memory(args, seed_shards["text"])
    assert on_dask(args, seed_shards[layout], scheduler) == expected


@pytest.fixture(scope="module")
def real_sample(scheduler: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """300 hadith of al-Darimi and the 114 suras of the Uthmani Quran, as files and shards."""
    if not (SHARED / "unpack.sh").exists():
        pytest.skip("../shared/corpora is not here")
    unpacked = tmp_path_factory.mktemp("corpora")
    names = ["hadith_darimi", "tanzil_quran_uthmani"]
    subprocess.run(
        ["bash", str(SHARED / "unpack.sh"), str(unpacked), *names], check=True, capture_output=True
    )
    sample = tmp_path_factory.mktemp("sample")
    for name, count in zip(names, [300, 114], strict=True):
        (sample / name).mkdir()
        for path in sorted((unpacked / name).glob("*.txt"))[:count]:
            shutil.copy(path, sample / name / path.name)
    root = tmp_path_factory.mktemp("real-shards")
    parquet = shards(sample, root / "parquet", "--size", "200KB")
    jsonl = shards(sample, root / "jsonl", "--size", "1MB", "--format", "jsonl")
    return {
        "text": ["--corpus", str(sample)],
        "parquet": ["--corpus", str(parquet)],
        "jsonl": ["--corpus", str(jsonl), "--id-field", "id"],
    }


@pytest.mark.parametrize("layout", ["text", "parquet", "jsonl"])
@pytest.mark.parametrize("args", REAL_COMMANDS, ids=lambda a: " ".join(a))
def test_parity_on_real_corpora(
    args: list[str], layout: str, real_sample: dict[str, list[str]], scheduler: str
):
    expected = memory(args, real_sample["text"])
    assert expected[1].count("\n") > 1  # something to compare
    assert on_dask(args, real_sample[layout], scheduler) == expected


def test_two_corpus_arguments_keep_their_order(scheduler: str, tmp_path: Path) -> None:
    """Documents come in argument order, then path order."""
    (tmp_path / "b").mkdir()
    shutil.copy(SEEDS / "001_b0761bee8ed67ba9.txt", tmp_path / "b" / "x.txt")
    corpus = ["--corpus", str(tmp_path / "b"), "--corpus", str(SEEDS)]
    for args in (["grep", "-c", "سوريا"], ["kwic", "سوريا"], ["freq", "--top", "0"]):
        assert on_dask(args, corpus, scheduler) == memory(args, corpus)


@pytest.mark.parametrize("layout", ["parquet", "jsonl"])
def test_where_filters_on_the_workers(layout: str, seed_shards: dict[str, list[str]], scheduler: str) -> None:
    """Shards keep the other fields as metadata (here: path), and --where selects on them."""
    where = ["--where", f"path={SEEDS / '001_b0761bee8ed67ba9.txt'}", "--id-field", "id"]
    expected = memory(["grep", "-c", "سوريا"], [*seed_shards["jsonl"], *where])
    assert expected == (0, "001_b0761bee8ed67ba9:6\n")
    assert on_dask(["grep", "-c", "سوريا"], [*seed_shards[layout], *where], scheduler) == expected


def test_shards_keep_the_metadata_of_records(scheduler: str, tmp_path: Path) -> None:
    """Fields of JSONL records become Parquet columns: --where and --by work on the shards
    too, and a --by group spread over several partitions is counted once.  The index of
    the records keeps them as well: memory, index and dask answer alike."""
    records = [("n0", "سوريا اليوم", "okaz"), ("n1", "الرياض", "aawsat"), ("n2", "سوريا والرياض", "okaz")]
    (tmp_path / "src").mkdir()
    for number in range(3):  # three files: three partitions, each with both sources
        lines = [
            json.dumps({"id": f"{i}.{number}", "text": t, "source": s}, ensure_ascii=False)
            for i, t, s in records
        ]
        (tmp_path / "src" / f"news{number}.jsonl").write_text(
            "\n".join([*lines, f'{{"id": "n3.{number}", "text": "سوريا"}}']) + "\n", encoding="utf-8"
        )
    source = ["--corpus", str(tmp_path / "src"), "--id-field", "id"]
    parquet = ["--corpus", str(shards(tmp_path / "src", tmp_path / "p", "--id-field", "id"))]
    assert cli("index", "build", *source)[0] == 0
    assert cli("index", "status", *source)[0] == 0  # fresh: the index answers
    where = ["--where", "source=okaz"]
    for args in (["grep", "-c", "سوريا"], ["freq", "--top", "0"], ["kwic", "سوريا"]):
        expected = memory(args, [*source, *where])
        assert indexed(args, [*source, *where]) == expected
        assert on_dask(args, [*parquet, *where], scheduler) == expected
        assert on_dask(args, [*source, *where], scheduler) == expected
    assert memory(["grep", "-l", "سوريا"], [*source, *where]) == (0, "n0.0\nn2.0\nn0.1\nn2.1\nn0.2\nn2.2\n")
    for args in (["freq", "--by", "source", "--top", "2"], ["freq", "سوريا", "--by", "source"]):
        expected = memory(args, source)
        assert "aawsat" in expected[1] and "okaz" in expected[1]
        assert indexed(args, source) == expected
        assert on_dask(args, source, scheduler) == expected
        assert on_dask(args, parquet, scheduler) == expected


def test_freq_by_counts_the_documents_of_a_group_across_partitions(scheduler: str, tmp_path: Path) -> None:
    """docs of a --by row: the group's documents, added up over the partitions that hold
    them; a field that ids give (folder, year) groups as metadata does."""
    texts = {"okaz/2015-07-21_1": "قال الوزير", "sabq/2015-07-21_1": "قال الأمير"}
    texts |= {"sabq/2016-01-02_2": "وقال الأمير", "sabq/2016-01-03_3": "قال"}
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").parent.mkdir(exist_ok=True)
        (tmp_path / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    source = ["--corpus", str(tmp_path)]
    expected = {
        ("freq", "قال", "--by", "folder"): [["okaz", "1", "1"], ["sabq", "2", "2"]],
        ("freq", "قال", "--clitics", "--by", "folder"): [["okaz", "1", "1"], ["sabq", "3", "3"]],
        ("freq", "قال", "--by", "year"): [["2015", "2", "2"], ["2016", "1", "1"]],
    }
    for args, rows in expected.items():
        code, out = memory(list(args), source)
        table = [line.split("\t") for line in out.splitlines()[1:]]
        assert [[row[0], row[4], row[6]] for row in table] == rows
        assert on_dask(list(args), source, scheduler) == (code, out)


def test_a_local_cluster_without_scheduler() -> None:
    """No --scheduler: the engine starts (and stops) a local cluster of its own."""
    pytest.importorskip("dask.distributed")
    args = ["grep", "-c", "سوريا", "--corpus", str(SEEDS)]
    code, out, err = cli(*args, "--engine", "dask", "--scheduler", "local[1]")
    assert (code, out) == memory(args[:3], args[3:]), err


# --------------------------------------------------------------------------- shard


def test_shards_are_about_the_size_asked(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    shards(SEEDS, tmp_path / "p", "--size", "6KB")
    files = sorted((tmp_path / "p").glob("*.parquet"))
    assert [f.name for f in files[:2]] == ["part-00000.parquet", "part-00001.parquet"]
    assert all(f.stat().st_size < 2 * 6000 for f in files)
    shards(SEEDS, tmp_path / "j", "--size", "10KB", "--format", "jsonl")
    sizes = [f.stat().st_size for f in sorted((tmp_path / "j").glob("*.jsonl"))]
    assert all(size <= 10_000 for size in sizes[:-1] if size) or len(sizes) == 5  # one document each


def test_shard_refuses_to_mix_with_old_shards(tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    shards(SEEDS, tmp_path / "s", "--size", "1KB", "--format", "jsonl")
    code, _, err = cli("shard", str(SEEDS), str(tmp_path / "s"), "--format", "jsonl")
    assert code == 2 and "already holds shards" in err
    code, _, err = cli("shard", str(SEEDS), str(tmp_path / "s"), "--format", "jsonl", "--overwrite")
    assert code == 0, err
    assert len(list((tmp_path / "s").glob("part-*"))) == 1  # one shard of 256MB


@pytest.mark.parametrize(
    ("value", "size"),
    [("256MB", 256_000_000), ("512KB", 512_000), ("1GB", 10**9), ("1.5mb", 1_500_000), ("64MiB", 64 << 20)],
)
def test_sizes(value: str, size: int) -> None:
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["", "MB", "12XB", "-1MB", "0KB"])
def test_bad_sizes(value: str) -> None:
    with pytest.raises(CorpusError):
        parse_size(value)


# --------------------------------------------------------------------------- no cluster needed


def test_merged_counts_are_the_counts_of_the_whole() -> None:
    """What the tree reduction does: counting halves and merging = counting everything."""
    docs = load_corpus([str(SEEDS)]).documents
    normalizer = Normalizer.for_level("standard")
    whole = count_tokens(docs, normalizer, keep_per_doc=True)
    parts = [
        count_tokens(docs[:2], normalizer, keep_per_doc=True),
        count_tokens(docs[2:], normalizer, keep_per_doc=True),
    ]
    merged = merge_counts(parts)
    assert merged.total == whole.total
    assert merged.counts == whole.counts
    assert merged.doc_freq == whole.doc_freq
    assert merged.forms == whole.forms
    assert list(merged.per_doc.items()) == list(whole.per_doc.items())
    assert list(merged.doc_totals.items()) == list(whole.doc_totals.items())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grep", "سوريا"], "--engine dask runs grep with -c, -l or --count-matches only"),
        (["grep", "-q", "-c", "سوريا"], "--engine dask runs grep with -c, -l or --count-matches only"),
        (["grep", "-o", "سوريا"], "--engine dask runs grep with -c, -l or --count-matches only"),
        (["kwic", "سوريا", "--sort", "A1"], "--sort A1: not supported with --engine dask"),
        (["freq", "--dispersion"], "--dispersion: not supported with --engine dask"),
        (["freq", "--doc", "001"], "--doc: not supported with --engine dask"),
        (["grep", "-c", "سوريا", "--corpus", "-"], "cannot read standard input"),
    ],
)
def test_what_the_dask_engine_refuses(args: list[str], message: str) -> None:
    code, out, err = cli(*args, "--engine", "dask")
    assert (code, out) == (2, "")
    assert err.startswith("corpus: ") and message in err


def test_scheduler_needs_the_dask_engine() -> None:
    code, _, err = cli("freq", "--scheduler", "tcp://127.0.0.1:8786")
    assert code == 2 and "corpus: --scheduler needs --engine dask" in err


def test_without_the_extra_the_engine_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    for args in (["freq"], ["grep", "-c", "سوريا"], ["kwic", "سوريا"]):
        code, out, err = cli(*args, "--engine", "dask")
        assert (code, out) == (2, "")
        assert err == "corpus: --engine dask needs Dask: pip install 'corpus-cli[dask]'\n"


def test_start_up_does_not_import_dask() -> None:
    """``corpus grep`` (and ``--help`` of a dask-capable command) never import the extra."""
    code = (
        "import sys\n"
        "from corpus_cli.cli import main\n"
        "sys.argv = ['corpus', *sys.argv[1:]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'dask', 'distributed', 'pyarrow', 'fsspec'}\n"
        "sys.stderr.write(repr(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    for args in (["grep", "سوريا"], ["freq", "--help"], ["kwic", "سوريا", "--limit", "1"]):
        done = subprocess.run(
            [sys.executable, "-c", code, *args, "--corpus", str(SEEDS)],
            env=clean_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.stderr.endswith("[]"), done.stderr


def test_a_cluster_with_other_software_is_explained() -> None:
    error = _environment_error(RuntimeError("Error during deserialization of the task graph."))
    assert error is not None and "same versions of corpus-cli" in str(error)
    error = _environment_error(ModuleNotFoundError("No module named 'corpus_cli'"))
    assert error is not None and "install corpus-cli[dask] on them" in str(error)
    assert _environment_error(ValueError("something else")) is None


EVERY_COMMANDS = [
    ["freq", "--top", "0"],
    ["grep", "-c", "الله"],
    ["grep", "-l", "في"],
    ["kwic", "على", "--limit", "200"],
]


@pytest.mark.parametrize("args", EVERY_COMMANDS, ids=lambda a: " ".join(a))
def test_parity_on_every_corpus(args: list[str], every_corpus: Path, scheduler: str, tmp_path: Path) -> None:
    """A sample of each corpus of ../shared/corpora, as files and as Parquet shards."""
    files = ["--corpus", str(every_corpus)]
    expected = memory(args, files)
    assert expected[1].count("\n") > 1  # something to compare
    assert on_dask(args, files, scheduler) == expected
    parquet = shards(every_corpus, tmp_path / "parquet", "--size", "300KB")
    assert on_dask(args, ["--corpus", str(parquet)], scheduler) == expected


# --------------------------------------------------------------------------- a cluster that fails

#: A fault is said within this many seconds of CORPUS_DASK_TIMEOUT (2 s here).
FAULT_LIMIT = 20
DASK = Path(sys.executable).with_name("dask")


def start_corpus(*args: str) -> subprocess.Popen[bytes]:
    """``corpus ARGS`` in a process of its own, waiting 2 s for the cluster."""
    env = clean_env({"NO_COLOR": "1", "CORPUS_DASK_TIMEOUT": "2"})
    return subprocess.Popen(corpus_argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def one_error(proc: subprocess.Popen[bytes], message: str, *, since: float) -> None:
    """``proc`` ends soon with exit code 2 and one ``corpus:`` line that says ``message``."""
    try:
        out, err = proc.communicate(timeout=FAULT_LIMIT + 10)
    finally:
        proc.kill()  # still waiting: the fault was not noticed
    lines = err.decode("utf-8", "replace").splitlines()
    assert (proc.returncode, out) == (2, b""), lines
    assert len(lines) == 1 and lines[0].startswith("corpus: ") and message in lines[0], lines
    assert time.monotonic() - since < FAULT_LIMIT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def spawn() -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """``spawn("scheduler", …)``: a ``dask`` process in a session of its own, killed with
    all its children (a worker's nanny and process) when the test ends."""
    pytest.importorskip("dask.distributed")
    if not DASK.exists():
        pytest.skip("no dask command next to the interpreter")
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [str(DASK), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=clean_env(),
            start_new_session=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.fixture
def dask_scheduler(spawn: Callable[..., subprocess.Popen[bytes]]) -> tuple[str, subprocess.Popen[bytes]]:
    """A ``dask scheduler`` on 127.0.0.1, listening, without workers."""
    port = free_port()
    proc = spawn(
        "scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", "127.0.0.1:0"
    )
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert proc.poll() is None and time.monotonic() < deadline, "the scheduler did not start"
        time.sleep(0.1)
    return f"tcp://127.0.0.1:{port}", proc


@pytest.fixture
def cluster(
    dask_scheduler: tuple[str, subprocess.Popen[bytes]], spawn: Callable[..., subprocess.Popen[bytes]]
) -> Iterator[tuple[str, subprocess.Popen[bytes], subprocess.Popen[bytes], Any]]:
    """The scheduler, one ``dask worker`` that joined it, and a client to watch them."""
    from distributed import Client

    address, scheduler_proc = dask_scheduler
    worker = spawn(
        "worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1",
        "--no-dashboard", "--death-timeout", "30",
    )  # fmt: skip
    with Client(address, timeout=30) as watcher:
        watcher.wait_for_workers(1, timeout=60)
        yield address, scheduler_proc, worker, watcher


@pytest.fixture
def stuck_corpus(tmp_path: Path) -> Iterator[Path]:
    """A corpus whose second file is a FIFO held open and never written to: the worker
    that reads it waits, so the job is still running whatever the test then kills."""
    corpus = tmp_path / "stuck"
    corpus.mkdir()
    (corpus / "a.txt").write_text("سوريا\n", encoding="utf-8")
    os.mkfifo(corpus / "b.txt")
    held = os.open(corpus / "b.txt", os.O_RDWR)
    try:
        yield corpus
    finally:
        os.close(held)


def submitted(watcher: Any) -> None:
    """Wait until the scheduler holds the job's tasks."""
    deadline = time.monotonic() + 60
    while not watcher.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)):
        assert time.monotonic() < deadline, "the job never reached the scheduler"
        time.sleep(0.05)


def test_a_scheduler_without_workers_is_an_error_not_a_wait(dask_scheduler: tuple[str, Any]) -> None:
    started = time.monotonic()
    proc = start_corpus(
        "grep", "-c", "سوريا", "--corpus", str(SEEDS), "--engine", "dask", "--scheduler", dask_scheduler[0]
    )
    one_error(proc, "no worker joined the scheduler in 2 s", since=started)


def test_workers_killed_during_the_job(cluster: tuple[str, Any, Any, Any], stuck_corpus: Path) -> None:
    address, _, worker, watcher = cluster
    proc = start_corpus(
        "grep", "-c", "سوريا", "--corpus", str(stuck_corpus), "--engine", "dask", "--scheduler", address
    )
    submitted(watcher)
    kill(worker)
    one_error(proc, "the Dask cluster has had no worker for 2 s", since=time.monotonic())


def test_a_scheduler_killed_during_the_job(cluster: tuple[str, Any, Any, Any], stuck_corpus: Path) -> None:
    address, scheduler_proc, _, watcher = cluster
    proc = start_corpus("freq", "--corpus", str(stuck_corpus), "--engine", "dask", "--scheduler", address)
    submitted(watcher)
    watcher.close()
    kill(scheduler_proc)
    one_error(proc, f"lost the Dask scheduler {address}", since=time.monotonic())


@pytest.mark.parametrize(
    "reply", [b"\xff" * 64 + b"HTTP/1.0 200 OK\r\n\r\nnot dask" * 64, b""], ids=["nonsense", "silence"]
)
def test_a_server_that_is_not_a_dask_scheduler(reply: bytes) -> None:
    """A plain TCP server on 127.0.0.1 that answers nonsense, or nothing at all."""
    pytest.importorskip("dask.distributed")
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        peers = []
        while not stop.is_set():
            try:
                peer, _ = server.accept()
            except TimeoutError:
                continue
            peers.append(peer)
            with contextlib.suppress(OSError):
                peer.sendall(reply)
        for peer in peers:
            peer.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        started = time.monotonic()
        proc = start_corpus("freq", "--corpus", str(SEEDS), "--engine", "dask", "--scheduler", address)
        one_error(proc, f"--scheduler {address}: cannot connect", since=started)
    finally:
        stop.set()
        thread.join(timeout=10)
        server.close()


@pytest.mark.parametrize(
    "args",
    [["kwic", "سوريا"], ["grep", "-c", "--format", "tsv", "سوريا"]],
    ids=["kwic", "grep-c-tsv"],
)
def test_no_header_is_written_before_the_cluster_answers(args: list[str]) -> None:
    """The lines and counts stream from the cluster, but the connection is made before
    the writer starts: a scheduler that is not there leaves stdout empty (no header)."""
    pytest.importorskip("dask.distributed")
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    proc = start_corpus(*args, "--corpus", str(SEEDS), "--engine", "dask", "--scheduler", address)
    one_error(proc, f"--scheduler {address}: cannot connect", since=started)


def test_a_local_cluster_too_big_to_start_is_refused() -> None:
    pytest.importorskip("dask.distributed")
    code, out, err = cli(
        "grep", "-c", "سوريا", "--corpus", str(SEEDS), "--engine", "dask", "--scheduler", "local[1000]"
    )
    assert (code, out) == (2, "")
    assert err.startswith("corpus: --scheduler local[1000]: at most local[") and err.count("\n") == 1


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_a_bad_dask_timeout_is_refused(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dask.distributed")
    monkeypatch.setenv("CORPUS_DASK_TIMEOUT", value)
    code, _, err = cli(
        "grep", "-c", "سوريا", "--corpus", str(SEEDS), "--engine", "dask", "--scheduler", "local[1]"
    )
    assert (
        code == 2 and err == f"corpus: CORPUS_DASK_TIMEOUT={value}: not a number of seconds (e.g. 30, 2.5)\n"
    )
