"""The pipeline contract in real processes: closed pipes, exit codes, streams, signals.

CliRunner cannot show what a shell sees (EPIPE, the entry point's own handlers, the
installed script), so these tests run ``python -m corpus_cli`` and the ``corpus``
script.  They are the slow ones: keep them few.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MODULE, SCRIPT, clean_env, corpus_argv, run_corpus

TIMEOUT = 60


@pytest.fixture
def env() -> dict[str, str]:
    """``clean_env()``, unbuffered."""
    return clean_env({"PYTHONUNBUFFERED": "1"})


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 lines that all match: far more output than a pipe buffer holds."""
    root = tmp_path_factory.mktemp("big")
    lines = (f"السطر رقم {i} في الأُمَمِ المتحدة\n" for i in range(20_000))
    (root / "big.txt").write_text("".join(lines), encoding="utf-8")
    return root


def run(cmd: list[str], env: dict[str, str], cwd: Path, stdin: bytes | None = None):
    """``cmd``: a launcher (MODULE or SCRIPT) and the arguments of ``corpus``."""
    launcher = SCRIPT if cmd[: len(SCRIPT)] == SCRIPT else MODULE
    assert cmd[: len(launcher)] == launcher, cmd
    args = cmd[len(launcher) :]
    return run_corpus(*args, launcher=launcher, input=stdin, env=env, cwd=cwd, timeout=TIMEOUT)


def pipe_to_head(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[bytes, int, bytes]:
    """``cmd | head -1``: the first line, the producer's exit status and its stderr."""
    producer = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    assert producer.stdout is not None and producer.stderr is not None
    head = subprocess.Popen(["head", "-1"], stdin=producer.stdout, stdout=subprocess.PIPE)
    producer.stdout.close()  # only head holds the read end now
    first, _ = head.communicate(timeout=TIMEOUT)
    err = producer.stderr.read()
    status = producer.wait(timeout=TIMEOUT)
    return first, status, err


@pytest.mark.parametrize(
    ("launcher", "args", "first"),
    [
        (MODULE, ["grep", "الامم"], "big:1:السطر رقم 0 في الأُمَمِ المتحدة"),
        (SCRIPT, ["kwic", "الامم", "--format", "jsonl"], '{"doc": "big", "line": 1,'),
        (SCRIPT, ["freq", "--top", "1500", "--format", "table"], "┏"),
    ],
    ids=["module-grep", "script-kwic-jsonl", "script-freq-table"],
)
def test_closed_pipe_ends_quietly_with_0(big_corpus, env, tmp_path, launcher, args, first):
    out, status, err = pipe_to_head([*launcher, *args, "--corpus", str(big_corpus)], env, tmp_path)
    assert out.decode("utf-8").startswith(first)
    assert err == b""
    assert status == 0


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["grep", "-c", "الامم"], 0),
        (["grep", "zzz_not_there"], 1),
        (["kwic", "الامم", "--corpus", "/nonexistent/corpus"], 2),
    ],
)
def test_exit_codes(env, tmp_path, args, status):
    r = run([*SCRIPT, *args], env, tmp_path)  # run from another directory: seeds still found
    assert r.returncode == status, r.stderr
    if status == 0:
        assert r.stdout.decode().splitlines() == [
            "000_942301ab0c5a4d11:1",
            "003_6b73772203161856:2",
            "004_b89014a9ba1a7d7b:2",
        ]
    if status == 1:
        assert r.stdout == b""
        assert all(line.startswith("corpus: ") for line in r.stderr.decode().splitlines())
    if status == 2:
        assert r.stdout == b""
        assert r.stderr.decode().splitlines() == ["corpus: /nonexistent/corpus: no such file or directory"]


def test_empty_pattern_exit_codes_in_a_pipe(env, tmp_path):
    """grep's: '' selects every line (0), ``-v ''`` none (1, silently); a PATTERN
    beside -e is an error (2)."""
    (tmp_path / "t.txt").write_text("الأمم\n\nسطر\n", encoding="utf-8")
    corpus = ["--corpus", str(tmp_path / "t.txt")]
    r = run([*SCRIPT, "grep", "", *corpus], env, tmp_path)
    assert (r.returncode, r.stdout.decode(), r.stderr) == (0, "t:1:الأمم\nt:2:\nt:3:سطر\n", b"")
    r = run([*SCRIPT, "grep", "-v", "-e", "", *corpus], env, tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (1, b"", b"")
    r = run([*SCRIPT, "grep", "-e", "", "سطر", *corpus], env, tmp_path)
    assert (r.returncode, r.stdout) == (2, b"")
    assert len(r.stderr.decode().splitlines()) == 1


def test_errors_are_one_line_without_corpus_debug(env, tmp_path):
    r = run([*MODULE, "grep", "(الأمم"], env, tmp_path)
    assert r.returncode == 2
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("corpus: ") and "position" in lines[0]
    assert r.stdout == b""


def test_stdout_has_only_data_and_warnings_go_to_stderr(env, tmp_path):
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    (corpus / "good.txt").write_text("الأمم المتحدة\n", encoding="utf-8")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    r = run([*SCRIPT, "grep", "الامم", "--corpus", str(corpus)], env, tmp_path)
    assert r.returncode == 0
    assert r.stdout.decode() == "good:1:الأمم المتحدة\n"
    warnings = r.stderr.decode().splitlines()
    assert len(warnings) == 1
    assert warnings[0].startswith("corpus: ") and "image.txt" in warnings[0]
    listed = run([*SCRIPT, "list", "--corpus", str(corpus), "--format", "tsv"], env, tmp_path)
    rows = [line.split("\t")[0] for line in listed.stdout.decode().splitlines()]
    assert rows == ["id", "good"]


def test_stdin_as_a_document(env, tmp_path):
    text = "قال الأُمَمُ\r\nلا شيء\r\nالأمم\r\n"
    r = run([*SCRIPT, "grep", "الامم", "--corpus", "-"], env, tmp_path, stdin=text.encode())
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == "stdin:1:قال الأُمَمُ\nstdin:3:الأمم\n"
    r = run([*MODULE, "normalize"], env, tmp_path, stdin="الأُمَمُ\nكتـــاب\n".encode())
    assert r.stdout.decode() == "الامم\nكتاب\n"


@pytest.mark.parametrize("launcher", [MODULE, SCRIPT], ids=["module", "script"])
def test_version(env, tmp_path, launcher):
    from corpus_cli import __version__

    r = run([*launcher, "--version"], env, tmp_path)
    assert r.returncode == 0
    assert r.stdout.decode() == f"corpus {__version__}\n"
    assert r.stderr == b""


def test_ctrl_c_exits_130_without_a_traceback(env, tmp_path):
    proc = subprocess.Popen(
        corpus_argv("normalize"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("الأُمَمُ\n".encode())
    proc.stdin.flush()
    # Once the first line is out, the command is waiting for the next one.
    assert proc.stdout.readline().decode() == "الامم\n"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130
    assert b"Traceback" not in err


def _with_streams(cmd: list[str], redirect: str, env: dict[str, str], cwd: Path) -> tuple[int, bytes]:
    """``cmd`` run by the shell with ``redirect`` (``>&-``, ``>/dev/full``...) and stderr
    captured unless the redirect closes it: its exit status and stderr."""
    script = f'exec "$@" {redirect}'
    shell = ["sh", "-c", script, "sh", *cmd]
    proc = subprocess.run(shell, stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=TIMEOUT, check=False)
    return proc.returncode, proc.stderr


@pytest.mark.parametrize(
    ("args", "redirect", "status", "said"),
    [
        (["grep", "الامم"], ">&-", 2, b"corpus: write error: Bad file descriptor\n"),
        (["grep", "-q", "الامم"], ">&-", 0, b""),
        (["grep", "-q", "zzz_not_there"], ">&-", 1, b""),
        (["grep", "-q", "الامم"], ">&- 2>&-", 0, b""),
        (["grep", "الامم"], ">&- 2>&-", 2, b""),
        (["grep", "الامم"], ">/dev/full", 2, b"corpus: write error: No space left on device\n"),
        (["grep", "-q", "الامم"], ">/dev/full", 0, b""),
        (["kwic", "الامم"], ">/dev/full", 2, b"corpus: write error: No space left on device\n"),
        (["grep", "الامم"], ">/dev/full 2>/dev/full", 2, b""),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_write_errors_are_said_as_grep_says_them(big_corpus, env, tmp_path, args, redirect, status, said):
    if "/dev/full" in redirect and not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    code, err = _with_streams(corpus_argv(*args, "--corpus", str(big_corpus)), redirect, env, tmp_path)
    assert code == status
    if "2>" not in redirect:
        assert err == said
