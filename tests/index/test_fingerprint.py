"""The corpus fingerprint, and its early computation in a child process."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from corpus_cli.index import fingerprint as fp
from tests.conftest import run_corpus

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["--corpus", "a", "grep", "x"], {}, ["a"]),
        (["grep", "--corpus", "a", "--corpus=b", "x"], {}, ["a", "b"]),
        (["-C", "a", "grep", "-C", "2", "x"], {}, ["a"]),  # -C after grep is --context
        (["--norm", "light", "kwic", "x"], {"CORPUS_PATH": f"a{os.pathsep}b"}, ["a", "b"]),
        (["--corpus", "a", "kwic", "x", "--index", "off"], {}, []),
        (["--corpus", "a", "index", "build"], {}, []),
        (["--corpus", "-", "grep", "x"], {}, []),
        (["grep", "x"], {}, []),
        # the value of an option before the command is not the command: -C still counts
        (["--doc", "index", "-C", "a", "grep", "x"], {}, ["a"]),
        (["--fold", "yeh", "-C", "a", "grep", "-C", "2", "x"], {}, ["a"]),
    ],
)
def test_corpus_arguments(argv, env, expected):
    assert fp.corpus_arguments(argv, env) == expected


def test_corpus_arguments_skip_the_value_of_every_option_before_the_command():
    """Every root option that takes a value, as the root command declares them."""
    from typer.main import get_command

    from corpus_cli.cli import app

    root = get_command(app)
    taking = {name for p in root.params if not getattr(p, "is_flag", True) for name in p.opts}
    assert set(fp.BEFORE_COMMAND) == taking - {"--corpus", "-C"}


@pytest.mark.parametrize("split_after", [fp.SPLIT_AFTER, 0.0])
def test_early_fingerprint_equals_the_direct_one(tmp_path, monkeypatch, split_after):
    """Taken in the early child, with helpers of its own (``split_after`` 0) or alone."""
    monkeypatch.setattr(fp, "SPLIT_AFTER", split_after)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("سلام", encoding="utf-8")
    for folder in ("x", "y", "z"):
        (corpus / folder).mkdir()
        (corpus / folder / "b.txt").write_text(folder, encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "x.corpus-index").write_bytes(b"")  # some index exists: worth checking
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(cache))
    fp.start_early(["--corpus", str(corpus), "grep", "x"], {})
    resolved = fp.resolve([str(corpus)])
    assert fp.early(resolved) == fp.fingerprint(resolved)
    assert fp.early(("/elsewhere",)) is None  # another corpus: computed in process


def test_no_index_no_child_work(tmp_path, monkeypatch):
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(tmp_path / "none"))
    fp.start_early(["--corpus", str(SEEDS), "grep", "x"], {})
    assert fp.early(fp.resolve([str(SEEDS)])) is None


@pytest.mark.parametrize("named", [["--index", "/some/file.corpus-index"], ["--index=x.corpus-index"]])
def test_a_named_index_gets_its_fingerprint_early(tmp_path, monkeypatch, named):
    """``--index PATH``: the index is not in the cache directory, but is worth checking."""
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(tmp_path / "none"))
    fp.start_early(["--corpus", str(SEEDS), "grep", "x", *named], {})
    resolved = fp.resolve([str(SEEDS)])
    assert fp.early(resolved) == fp.fingerprint(resolved)


def test_stale_index_is_seen_through_the_entry_point(tmp_path):
    """The real script: the child's fingerprint must notice a changed corpus."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("مرحبا بالعالم\n", encoding="utf-8")
    env = {"CORPUS_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    run = ["--corpus", str(corpus)]
    assert run_corpus(*run, "index", "build", env=env).returncode == 0
    fresh = run_corpus(*run, "grep", "-c", "مرحبا", env=env, text=True)
    assert fresh.returncode == 0 and fresh.stderr == ""
    (corpus / "b.txt").write_text("مرحبا\n", encoding="utf-8")
    stale = run_corpus(*run, "grep", "-c", "مرحبا", env=env, text=True)
    assert "changed since its index was built" in stale.stderr
    assert sorted(stale.stdout.split()) == ["a:1", "b:1"]


def test_a_frozen_index_checks_directories_only(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "a.txt").write_text("مرحبا بالعالم\n", encoding="utf-8")
    env = {"CORPUS_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}

    def corpus_cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_corpus("--corpus", str(corpus), *args, env=env, text=True)

    assert corpus_cli("index", "build", "--frozen").returncode == 0
    assert "frozen" in corpus_cli("index", "status").stdout
    # An edit inside a file: queries do not look (that is what --frozen says) ...
    os.utime(corpus / "sub" / "a.txt", ns=(1, 1))
    assert corpus_cli("grep", "-c", "مرحبا").stderr == ""
    status = corpus_cli("index", "status")  # ... but the status checks every file
    assert status.returncode == 1 and "stale" in status.stdout
    # A file added in a subdirectory changes that directory: the index is left aside.
    (corpus / "sub" / "b.txt").write_text("مرحبا\n", encoding="utf-8")
    stale = corpus_cli("grep", "-c", "مرحبا")
    assert "changed since its index was built" in stale.stderr
    assert sorted(stale.stdout.split()) == ["sub/a:1", "sub/b:1"]


def test_the_fingerprint_hashes_as_it_goes(tmp_path, monkeypatch):
    """Lines hashed a few at a time give the hash of them all: same value, and memory
    that does not grow with the number of files.  The fingerprint is the hash of the
    hashes of its parts, one per folder at the top of the corpus here."""
    for folder in ("a", "b/c", "d"):
        (tmp_path / folder).mkdir(parents=True)
        for i in range(5):
            (tmp_path / folder / f"{i}.txt").write_text("x" * i, encoding="utf-8")
    whole = fp.fingerprint([str(tmp_path)])
    monkeypatch.setattr(fp._Sink, "SPILL", 2)
    assert fp.fingerprint([str(tmp_path)]) == whole
    import hashlib

    digests = []
    for top in ("a", "b", "d"):
        lines: list[str] = []
        for root, dirs, files in os.walk(tmp_path / top):
            dirs.sort()
            for name in sorted(files):
                info = os.stat(os.path.join(root, name))
                line = f"{os.path.join(root, name)}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_mode:o}"
                lines.append(line)
        digests.append(hashlib.sha256("\n".join(lines).encode()).hexdigest())
    assert whole == hashlib.sha256("\n".join(digests).encode()).hexdigest()


def _tree(root: Path) -> None:
    """Files at the top and in folders, a link, enough names for several runs."""
    for i in range(7):
        (root / f"top{i}.txt").write_text("x" * i, encoding="utf-8")
    for folder in ("a", "b/c", "b/d", "e"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for i in range(4):
            (root / folder / f"{i}.txt").write_text("y" * i, encoding="utf-8")
    (root / "z.txt").write_text("z", encoding="utf-8")
    (root / "link.txt").symlink_to(root / "top1.txt")


def test_the_fingerprint_is_the_same_however_its_parts_are_shared_out(tmp_path, monkeypatch):
    """Parts hashed by forked helpers (``split_after``), by a helper that failed (done
    again in process), or all here: one value; an edit in a helper's share changes it."""
    _tree(tmp_path)
    monkeypatch.setattr(fp, "RUN", 3)  # runs of three files: more parts
    monkeypatch.setattr(fp, "_cores", lambda: 3)  # two helpers
    paths = [str(tmp_path), str(tmp_path / "z.txt")]
    # a, b, e; link.txt top0 top1, top2-4, top5 top6 z.txt; the path z.txt
    assert len(fp._parts(paths)) == 7
    serial = fp.fingerprint(paths)
    assert fp.fingerprint(paths, split_after=0) == serial
    shared_out: list[tuple[int, int]] = []
    started = fp._helper

    def helper(parts, low, high):
        shared_out.append((low, high))
        return started(parts, low, high)

    monkeypatch.setattr(fp, "_helper", helper)
    assert fp.fingerprint(paths, split_after=0) == serial
    assert len(shared_out) == 2
    monkeypatch.setattr(fp, "_helper", lambda parts, low, high: None)  # fork refused
    assert fp.fingerprint(paths, split_after=0) == serial
    monkeypatch.setattr(fp, "_helper", started)

    def lost(pid: int, pipe: int, count: int) -> None:
        os.close(pipe)
        os.waitpid(pid, 0)

    monkeypatch.setattr(fp, "_collected", lost)
    assert fp.fingerprint(paths, split_after=0) == serial  # a helper's answer lost
    monkeypatch.undo()
    monkeypatch.setattr(fp, "RUN", 3)
    monkeypatch.setattr(fp, "_cores", lambda: 3)
    (tmp_path / "e" / "3.txt").write_text("changed", encoding="utf-8")  # the last part's
    assert fp.fingerprint(paths, split_after=0) != serial


def test_an_empty_folder_at_the_top_counts_for_nothing(tmp_path):
    """As anywhere deeper: a folder without a file under it adds no line."""
    _tree(tmp_path)
    before = fp.fingerprint([str(tmp_path)])
    (tmp_path / "empty" / "deeper").mkdir(parents=True)
    assert fp.fingerprint([str(tmp_path)]) == before
    assert fp.fingerprint([str(tmp_path)], split_after=0) == before
    (tmp_path / "empty" / "deeper" / "f.txt").write_text("x", encoding="utf-8")
    assert fp.fingerprint([str(tmp_path)]) != before


@pytest.mark.skipif(not os.path.isdir("/proc/self") or not hasattr(os, "fork"), reason="needs fork and /proc")
def test_helpers_stop_when_the_process_that_forked_them_is_gone(tmp_path):
    """The early child is killed when its fingerprint is not wanted (``Stamps.stop``):
    its helpers stop at their next spill instead of finishing their share."""
    import signal
    import time

    corpus = tmp_path / "corpus"
    for folder, files in (("a", 1), ("b", 100), ("c", 100), ("d", 100)):  # shared after a
        (corpus / folder).mkdir(parents=True)
        for i in range(files):
            (corpus / folder / f"{i}.txt").write_text("x", encoding="utf-8")
    pids = tmp_path / "pids"
    child = os.fork()
    if child == 0:  # the early child's stand-in: each stat 50 ms, a share of 5 s a helper
        try:
            fp._Sink.SPILL = 1
            stat = os.stat

            def slow(*args, **kwargs):
                time.sleep(0.05)
                return stat(*args, **kwargs)

            os.stat = slow
            started = fp._helper

            def helper(parts, low, high):
                found = started(parts, low, high)
                if found is not None:
                    with open(pids, "a", encoding="ascii") as out:
                        out.write(f"{found[0]}\n")
                return found

            fp._helper = helper
            fp._cores = lambda: 3
            fp.fingerprint([str(corpus)], split_after=0)
        finally:
            os._exit(0)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (not pids.exists() or len(pids.read_text().split()) < 2):
        time.sleep(0.02)
    helpers = [int(p) for p in pids.read_text().split()]
    assert len(helpers) == 2
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)

    def running(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 2  # their shares would take 5 s
    while time.monotonic() < deadline and any(map(running, helpers)):
        time.sleep(0.02)
    assert not any(map(running, helpers))
