"""Shared fixtures and helpers of the test suite.

The tests mirror the package: text/, store/, query/, output/, engines/, index/ hold the
tests of one module each; cli/ one file per command (``test_<command>.py``) and
``test_application.py`` for what every command shares; docs/ the documentation checked
by tests; the files at the top check across the whole tool (peer suites, ripgrep,
properties, real processes).  What several files need is here.

* ``PINNED_ENV`` is the one list of environment variables the tests pin or remove.
* ``run_corpus(*args, input=None, env=None, cwd=None, timeout=60, text=False, launcher=MODULE,
  prefix=(), **popen)`` runs ``corpus ARGS...`` in a process (``python -m corpus_cli``, or
  ``launcher=SCRIPT``) in ``clean_env(env)`` and returns the ``CompletedProcess``.  Tests
  that start the process themselves (pipes, signals, a terminal) use ``corpus_argv(*args)``
  and ``clean_env()``; peer tools (grep, rg) run in ``clean_env()`` too.
* ``cli`` (a fixture) is ``run_corpus`` for the hardening tests: it checks that stderr holds
  only ``corpus: …`` lines and never a traceback, and returns a ``Run``.

* ``invoke(*args, input=None, env=None)`` runs ``corpus_cli.cli.application.app`` under Typer's
  ``CliRunner`` with an environment pinned so that the results do not depend on the
  shell that runs pytest: no colour variables, no ``CORPUS_PATH`` (unless given), a
  fixed terminal width and ``TERM``.
* ``tty`` makes the commands believe stdout and stderr are terminals while still
  writing into the runner's captured streams (httpie's ``MockEnvironment`` idea), so
  the screen paths (tables, grouped grep, aligned kwic) can be tested.
* ``small_corpus`` is a directory of a few Arabic documents with diacritics, tatweel,
  CRLF line ends and a nested directory.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from typer.testing import CliRunner, Result

from corpus_cli.cli import app
from corpus_cli.output import environment
from corpus_cli.text.normalize import Level, Normalizer

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))

#: Variables that change colour, corpus or width decisions; removed unless a test sets them.
PINNED_ENV: dict[str, str | None] = {
    "NO_COLOR": None,
    "FORCE_COLOR": None,
    "CLICOLOR": None,
    "CLICOLOR_FORCE": None,
    "PY_COLORS": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "GITHUB_ACTIONS": None,
    "CORPUS_PATH": None,
    "CORPUS_DEBUG": None,
    "TERM": "xterm-256color",
    "COLUMNS": "80",
    "LINES": "24",
}

Invoke = Callable[..., Result]


# --------------------------------------------------------------------------- corpus in a process

#: The two launchers of ``corpus``: the module, and the script pip installs next to the
#: interpreter (or the one on PATH).
MODULE = [sys.executable, "-m", "corpus_cli"]
_SCRIPT = Path(sys.executable).with_name("corpus")
SCRIPT = [str(_SCRIPT)] if _SCRIPT.exists() else [shutil.which("corpus") or "corpus"]


def clean_env(env: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The environment of every process a test starts (``corpus`` or a peer tool): the
    caller's, with ``PINNED_ENV`` applied and then ``env`` (a value None removes it)."""
    merged = dict(os.environ)
    for key, value in {**PINNED_ENV, **(env or {})}.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def corpus_argv(*args: str, launcher: Sequence[str] = MODULE) -> list[str]:
    """``corpus ARGS...`` as an argv, for the tests that start the process themselves
    (Popen: pipes, signals, a terminal); they pass ``env=clean_env(...)``."""
    return [*launcher, *args]


def run_corpus(
    *args: str,
    input: str | bytes | None = None,
    env: Mapping[str, str | None] | None = None,
    cwd: Path | str | None = None,
    timeout: float = 60,
    text: bool = False,
    launcher: Sequence[str] = MODULE,
    prefix: Sequence[str] = (),
    **popen: Any,
) -> subprocess.CompletedProcess:
    """Run ``corpus ARGS...`` in a process and wait for it: output captured (bytes, or str
    with ``text``), ``env`` applied over ``clean_env()``, ``prefix`` before the launcher
    (``prlimit``, ``setpriv``...), ``launcher`` MODULE or SCRIPT, other keywords to
    ``subprocess.run`` (``stdin``, ``pass_fds``...)."""
    popen.setdefault("capture_output", "stdout" not in popen and "stderr" not in popen)
    return subprocess.run(
        [*prefix, *corpus_argv(*args, launcher=launcher)],
        input=input,
        env=clean_env(env),
        cwd=cwd,
        timeout=timeout,
        text=text,
        check=False,
        **popen,
    )


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner) -> Invoke:
    """Run ``corpus ARGS...``; ``env`` entries override the pinned ones (None deletes)."""

    def run(
        *args: str, input: str | bytes | None = None, env: Mapping[str, str | None] | None = None
    ) -> Result:
        merged = dict(PINNED_ENV)
        if env:
            merged.update(env)
        return runner.invoke(app, list(args), input=input, env=merged, catch_exceptions=False)

    return run


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout/stderr claim to be terminals; the streams are the runner's at call time."""

    def fake_current() -> environment.Environment:
        import os

        return environment.Environment(
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin=getattr(sys.stdin, "buffer", None),
            stdout_isatty=True,
            stderr_isatty=True,
            stdin_isatty=False,
            environ=os.environ,
        )

    monkeypatch.setattr(environment, "current", fake_current)


# --------------------------------------------------------------------------- corpora

#: a.txt: vocalized, hamza variants, two hits on one line, tatweel, Latin case.
DOC_A = (
    "الأُمَمُ المتحدة تجتمع اليوم\n"  # 1: vocalized hamza form
    "سطر بلا شيء\n"  # 2
    "قالت الامم المتحدة إن الأمم لها دور\n"  # 3: bare alef and hamza, two hits
    "كتـــاب جديد\n"  # 4: tatweel inside the word
    "Hello WORLD hello\n"  # 5: Latin case
    "الإمام في المسجد\n"  # 6: alef with hamza below
)
#: b.txt: CRLF line ends.
DOC_B = "إلى الأمم\r\nسطر ثان\r\nآخر سطر\r\n"
#: sub/c.txt: nested directory, a vocalized word and a longer word that contains it.
DOC_C = "كِتَابٌ في المكتبة\nالمكتبات كثيرة\nالكتابة فن\n"
#: notes.md: only loaded with --glob.
NOTES = "الأمم في ملف ماركداون\n"


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "small"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(DOC_A, encoding="utf-8")
    (root / "b.txt").write_bytes(DOC_B.encode("utf-8"))
    (root / "sub" / "c.txt").write_text(DOC_C, encoding="utf-8")
    (root / "notes.md").write_text(NOTES, encoding="utf-8")
    return root


@pytest.fixture
def small_texts() -> dict[str, str]:
    """The documents of ``small_corpus`` as loaded (ids, CRLF read as LF)."""
    return {"a": DOC_A, "b": DOC_B.replace("\r\n", "\n"), "sub/c": DOC_C}


@pytest.fixture
def seed_texts() -> dict[str, str]:
    """The bundled seed documents by id."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(autouse=True)
def private_index_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Indexes built or looked up by a test live in a directory of its own."""
    folder = tmp_path_factory.mktemp("index-cache")
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(folder))
    return folder


SHARED_CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def first_documents(
    archive: Path, count: int, folder: Path, keep: Callable[[bytes], bool] | None = None
) -> Path:
    """The first ``count`` .txt files of a corpus archive of ../shared/corpora (those
    ``keep`` accepts), written to ``folder`` as 00000.txt, 00001.txt... (read from the
    .tar.xz stream, which is decompressed only as far as needed)."""
    taken = 0
    with tarfile.open(archive, "r|xz") as stream:
        for member in stream:
            if taken == count:
                break
            if not (member.isfile() and member.name.endswith(".txt")) or "/_about/" in member.name:
                continue
            data = stream.extractfile(member)
            if data is None:
                continue
            text = data.read()
            if keep is not None and not keep(text):
                continue
            target = folder / f"{taken:05d}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text)
            taken += 1
    return folder


@pytest.fixture(scope="session")
def every_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample of every corpus in ../shared/corpora: the first 40 documents of each
    archive, one folder per corpus (read straight from the .tar.xz stream, which is
    decompressed only as far as needed)."""

    archives = sorted(SHARED_CORPORA.glob("*.tar.xz"))
    if not archives:
        pytest.skip("../shared/corpora is not here")
    root = tmp_path_factory.mktemp("every-corpus")
    for archive in archives:
        first_documents(archive, 40, root / archive.name.removesuffix(".tar.xz"))
    return root


@pytest.fixture(autouse=True)
def _no_early_state_between_tests() -> Iterator[None]:
    """A test that starts an early fingerprint (``fingerprint.start_early``) or holds
    output (``held``) leaves neither to the next one, whatever it did with them."""
    yield
    from corpus_cli.index import fingerprint
    from corpus_cli.output import held

    fingerprint.abandon_early()
    fingerprint._early.clear()
    held.drop()


# --------------------------------------------------------------------------- output helpers

SGR = re.compile(r"\x1b\[[0-9;]*m")


LRM, RLE, PDF, RLI, PDI, NBSP = "\u200e", "\u202b", "\u202c", "\u2067", "\u2069", "\u00a0"


ELLIPSIS = "…"


def tsv(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()]


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def plain(text: str) -> str:
    """Output without SGR codes."""
    return SGR.sub("", text)


def help_text(text: str) -> str:
    """Rich help with its box drawing removed and whitespace collapsed."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", plain(text)).split())


def grep(invoke, corpus: Path, *args: str, **kw):
    return invoke("grep", *args, "--corpus", str(corpus), **kw)


def kwic(invoke, corpus: Path, *args: str, **kw):
    return invoke("kwic", *args, "--corpus", str(corpus), **kw)


def freq(invoke, corpus: Path, *args: str, **kw):
    return invoke("freq", *args, "--corpus", str(corpus), **kw)


#: Two newspapers as folders of dated articles, as saudinewsnet is.
PAPERS = {
    "okaz/2015-07-21_1": "قال الوزير\n",
    "sabq/2015-07-21_1": "قال الأمير\n",
    "sabq/2016-01-02_2": "وقال الأمير قال",
    "sabq/2016-01-03_3": "الأمير\n",
}


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    for name, text in PAPERS.items():
        (tmp_path / f"{name}.txt").parent.mkdir(exist_ok=True)
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    return tmp_path


XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_xlsx(data: bytes) -> list[list[object]]:
    """The cells of an .xlsx file's first sheet, row by row: str, float, or None (empty).

    Read with zipfile and ElementTree alone, so that what Excel reads is checked, not
    what a library that could share xlsxwriter's mistakes reads."""

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            strings = ET.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{XLSX_NS}t")) for si in strings]
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{XLSX_NS}row"):
        cells: dict[int, object] = {}
        for cell in row.iter(f"{XLSX_NS}c"):
            letters = re.match(r"[A-Z]+", cell.get("r", "")).group()
            column = 0
            for letter in letters:
                column = column * 26 + ord(letter) - 64
            assert cell.find(f"{XLSX_NS}f") is None  # never a formula
            kind, value = cell.get("t"), cell.find(f"{XLSX_NS}v")
            if kind == "inlineStr":
                cells[column - 1] = "".join(t.text or "" for t in cell.iter(f"{XLSX_NS}t"))
            elif kind == "s":
                cells[column - 1] = shared[int(value.text)]
            else:
                assert kind is None and value is not None, (kind, cell.get("r"))
                cells[column - 1] = float(value.text)
        rows.append([cells.get(i) for i in range(max(cells) + 1)] if cells else [])
    return rows


def assert_one_error_line(result, *words: str) -> str:
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("corpus: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


STANDARD = Normalizer.for_level(Level.standard)


def piped(invoke, *args: str, text: str):
    """``corpus ARGS... --corpus -`` with ``text`` on standard input."""
    return invoke(*args, "--corpus", "-", input=text.encode("utf-8"))


CLITIC_TEXT = "قال وللأمن العام\nذهب إلى مدرستها\nكمال في مصر وهو مصري\nبالأمن للأمن\n"


#: Bidi isolates and marks the screen tables wrap around RTL cells.
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


TOL = 1e-4


def tsv_records(text: str) -> list[dict[str, str]]:
    lines = text.splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def screen(text: str) -> str:
    """Screen output without colour codes and bidi controls."""
    return BIDI.sub("", SGR.sub("", text))


def write_corpus(root: Path, docs: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for doc_id, text in docs.items():
        (root / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    return root


# --------------------------------------------------------------------------- the hardening harness
#
# The bad-input matrix runs in real processes: every way a corpus, a query or the
# environment can be wrong, and what ``corpus`` does about it.  The contract each case
# checks (``cli`` asserts the first two on every run):
#
# * stderr holds only ``corpus: …`` lines and never a traceback;
# * an error is exactly one such line and exit code 2; a warning (``corpus: warning: …``)
#   lets the command go on, and the exit code is then grep's: 0 found, 1 not found;
# * nothing hangs: every run has a timeout;
# * the corpus is never written to: ``untouched`` snapshots the corpus's files (bytes,
#   ``st_mtime_ns``, mode) and directories (listing, ``st_mtime_ns``) before the run and
#   compares them after the test.
#
# Decisions written down, case by case: a Latin-1 file is skipped with a warning
# (``--encoding latin-1`` reads it), never decoded as CP-1256 mojibake; a binary file (a NUL
# byte anywhere) is skipped with a warning, as ripgrep skips binary files; a UTF-8 file
# with a few bad bytes is read with U+FFFD in their place and a warning; a FIFO nobody
# writes to, a device or a socket is skipped with a warning (a FIFO with a writer,
# ``--corpus <(command)``, is read); a file or directory inside the corpus that cannot be
# read is a warning, a named path that cannot be read is an error.

TIMEOUT = 30


GOOD = "سطر أول\nالأمم المتحدة تجتمع\n"  # good.txt: one hit of الامم, on line 2


#: Ctrl-C: exit code 130, or death by SIGINT when it lands as the interpreter exits (a
#: shell shows both as $? = 130).
INTERRUPTED = (130, -signal.SIGINT)


class Run(NamedTuple):
    code: int
    out: str
    err: list[str]  # the lines of stderr


Cli = Callable[..., Run]


def _checked(code: int, out: bytes, err: bytes) -> Run:
    text = err.decode("utf-8", errors="replace")
    assert "Traceback" not in text, text
    lines = text.splitlines()
    assert all(line.startswith("corpus: ") for line in lines), text
    return Run(code, out.decode("utf-8", errors="replace"), lines)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def env(cache: Path) -> dict[str, str]:
    """``clean_env()`` for the processes of the hardening tests: no colour, their own
    index cache, unbuffered (what they read as it comes)."""
    return clean_env({"NO_COLOR": "1", "CORPUS_CACHE_DIR": str(cache), "PYTHONUNBUFFERED": "1"})


@pytest.fixture
def cli(env: dict[str, str], tmp_path: Path) -> Cli:
    """``corpus ARGS…`` in a process: ``timeout`` seconds at most, ``environ`` added to
    (a value None removes the variable), ``prefix`` before the interpreter."""

    def run(
        *args: str,
        timeout: float = TIMEOUT,
        environ: dict[str, str | None] | None = None,
        prefix: list[str] | None = None,
        pass_fds: tuple[int, ...] = (),
    ) -> Run:
        proc = run_corpus(
            *args,
            env={**env, **(environ or {})},
            cwd=tmp_path,
            timeout=timeout,
            prefix=prefix or (),
            stdin=subprocess.DEVNULL,
            pass_fds=pass_fds,
        )
        return _checked(proc.returncode, proc.stdout, proc.stderr)

    return run


def error(run: Run, message: str) -> None:
    """An error: one line that says ``message``, exit code 2, nothing on stdout."""
    assert run.code == 2, run
    assert len(run.err) == 1, run.err
    assert message in run.err[0], run.err
    assert run.out == ""


def warnings(run: Run) -> list[str]:
    return [line for line in run.err if line.startswith("corpus: warning: ")]


Snapshot = dict[str, tuple[object, ...]]


def snapshot(root: Path) -> Snapshot:
    """What ``root`` holds: each file's digest, size, mode and mtime, each directory's
    listing and mtime; FIFOs and symbolic links are not followed (nor read)."""
    found: Snapshot = {}
    todo = [root]
    while todo:
        path = todo.pop()
        info = os.lstat(path)
        kind = stat.S_IFMT(info.st_mode)
        if stat.S_ISDIR(info.st_mode):
            try:
                names = sorted(os.listdir(path))
            except PermissionError:
                names = []
            found[str(path)] = (kind, info.st_mode, info.st_mtime_ns, tuple(names))
            todo += [path / name for name in names]
        elif stat.S_ISREG(info.st_mode):
            digest = hashlib.blake2b(path.read_bytes()).hexdigest()
            found[str(path)] = (kind, info.st_mode, info.st_mtime_ns, info.st_size, digest)
        else:
            found[str(path)] = (kind, info.st_mode, info.st_mtime_ns)
    return found


class Untouched:
    """Corpus roots to compare, at the end of the test, with their snapshots."""

    def __init__(self) -> None:
        self.watched: list[tuple[Path, Snapshot]] = []

    def __call__(self, *roots: Path, taken: Snapshot | None = None) -> None:
        for root in roots:
            self.watched.append((root, taken if taken is not None else snapshot(root)))

    def check(self) -> None:
        for root, before in self.watched:
            after = snapshot(root)
            changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
            assert not changed, f"the corpus {root} was written to: {changed[:5]}"


@pytest.fixture
def untouched() -> Iterator[Untouched]:
    watch = Untouched()
    yield watch
    watch.check()


def make(root: Path, files: dict[str, bytes | str]) -> Path:
    """A corpus directory ``root`` with ``files`` (name → content)."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def _unprivileged() -> list[str]:
    """A prefix under which file permissions hold: nothing for a user; for root, setpriv
    without the capabilities that override them (when setpriv is there)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"] if setpriv else []


def require_denied(path: Path, prefix: list[str]) -> None:
    """Skip unless ``path`` really cannot be read (listed) under ``prefix``."""
    probe = "import os, sys; p = sys.argv[1]; os.listdir(p) if os.path.isdir(p) else open(p).close()"
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-c", probe, str(path)], capture_output=True, timeout=TIMEOUT
        )
    except OSError as exc:
        pytest.skip(f"cannot drop privileges here: {exc}")
    if done.returncode == 0:
        pytest.skip(f"{path.name} is readable anyway (root, and setpriv cannot drop the capabilities)")


@pytest.fixture
def ids_corpus(tmp_path: Path, untouched: Untouched) -> Path:
    corpus = make(tmp_path / "ids", {"doc_alpha.txt": GOOD, "doc_beta.txt": GOOD, "other.txt": "نص\n"})
    untouched(corpus)
    return corpus


@pytest.fixture(scope="module")
def many_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Snapshot]:
    """100,000 one-line files in 100 directories; one holds كلمةفريدة."""
    root = tmp_path_factory.mktemp("many")
    plain, unique = "نص قصير في ملف صغير\n".encode(), "هنا كلمةفريدة\n".encode()
    for i in range(100_000):
        folder = root / f"{i // 1000:03d}"
        if i % 1000 == 0:
            folder.mkdir()
        fd = os.open(folder / f"{i:06d}.txt", os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, unique if i == 54_321 else plain)
        os.close(fd)
    return root, snapshot(root)


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def interrupt(proc: subprocess.Popen[bytes], ready: Callable[[], bool], limit: float = 20) -> Run:
    """Ctrl-C once ``ready()``: SIGINT to the process group of ``proc`` (started in a
    session of its own), as a terminal sends it, workers included; its exit code and
    streams."""
    deadline = time.monotonic() + limit
    while not ready():
        assert proc.poll() is None, "the process ended before it could be interrupted"
        assert time.monotonic() < deadline, "never ready to interrupt"
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=TIMEOUT)
    return _checked(proc.returncode, out, err)


def index_build(cli: Cli, *args: str) -> Run:
    r = cli("index", "build", *args)
    assert r.code == 0, r
    assert r.err[-1].startswith("corpus: indexed ")
    return r


def the_index(cache: Path) -> Path:
    (path,) = cache.glob("*.corpus-index")
    return path


@pytest.fixture
def indexed(tmp_path: Path, cli: Cli, cache: Path, untouched: Untouched) -> Path:
    corpus = make(tmp_path / "news", {"a.txt": GOOD, "b.txt": "لا شيء هنا\n", "sub/c.txt": "الأمم\n"})
    index_build(cli, "--corpus", str(corpus))
    untouched(corpus)
    return corpus


HITS = "a:2:الأمم المتحدة تجتمع\nsub/c:1:الأمم\n"


def damage(index: Path, table: str) -> None:
    """Overwrite the pages of ``table`` in ``index`` (an SQLite file) with garbage."""
    db = sqlite3.connect(index)
    try:
        pages = [n for (n,) in db.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table")
    finally:
        db.close()
    data = bytearray(index.read_bytes())
    for n in pages:
        data[(n - 1) * size : n * size] = b"\xa5" * size
    index.write_bytes(bytes(data))


#: A Latin-1 file name, as Linux allows: Python names it with a surrogate escape.
LATIN_NAME = b"caf\xe9.txt"


@pytest.fixture
def latin_named(tmp_path: Path) -> Path:
    try:
        corpus = make(tmp_path / "names", {"ok.txt": "الأمم\n"})
        (corpus / os.fsdecode(LATIN_NAME)).write_text(GOOD, "utf-8")
    except (OSError, UnicodeError):
        pytest.skip("this file system takes UTF-8 names only")
    return corpus


# --------------------------------------------------------------------------- time limits


def message(seconds: str) -> str:
    return f"corpus: pattern timed out after {seconds} s (simplify it or raise --timeout)\n"


@pytest.fixture
def five_docs(tmp_path: Path) -> Path:
    root = tmp_path / "five"
    root.mkdir()
    for i in range(5):
        (root / f"d{i}.txt").write_text("كتب الطالب\n" * 2000, encoding="utf-8")
    return root


def _words_text(characters: int) -> list[str]:
    """Words of a plain Arabic text, ``characters`` long with their spaces; one in about
    twelve is الأمم."""

    pick = random.Random(13).choice
    vocabulary = "كتب الطالب في المدرسة درسا جديدا عن تاريخ الأمم المتحدة وقال إن".split()
    words: list[str] = []
    size = 0
    while size < characters:
        words.append(pick(vocabulary))
        size += len(words[-1]) + 1
    return words


@pytest.fixture
def mapped_characters(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The characters each offset map was made of (``Normalizer.normalize_mapped``)."""
    sizes: list[int] = []
    original = Normalizer.normalize_mapped

    def counting(self: Normalizer, text: str) -> Any:
        sizes.append(len(text))
        return original(self, text)

    monkeypatch.setattr(Normalizer, "normalize_mapped", counting)
    return sizes


# --------------------------------------------------------------------------- record corpora

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


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


ARABIC = "قالت الأمم المتحدة إن الوضع في سوريا صعب\n"


@pytest.fixture
def news(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    write(root / "feed.jsonl", jsonl_bytes(NEWS))
    rows = [["title", "text", "source"], ["عنوان", "الأمم في مصر", "ahram"], ["", "مصر ومصر", ""]]
    write(root / "more.csv", csv_bytes(rows))
    write(root / "plain.txt", "نص بلا بيانات\n")
    return root


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


# --------------------------------------------------------------------------- index

#: Every command, in the variants an index changes the path of (candidates, cached
#: counts, stored documents): each must print exactly what it prints without one.
COMMANDS = [
    ["list"],
    ["list", "--format", "jsonl"],
    ["list", "--format", "table"],
    ["grep", "-c", "سوريا"],
    ["grep", "-l", "الأمم"],
    ["grep", "-o", "-n", "مجلس الامن"],
    ["grep", "-w", "--format", "jsonl", "الخارجية"],
    ["grep", "-v", "-c", "سوريا"],
    ["grep", "-C", "1", "كازاخستان"],
    ["grep", "-i", "-c", "covid"],
    ["grep", "-i", "-c", "CoViD"],
    ["grep", "-c", "COVID"],
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
    ["freq", "--top", "7", "--min-count", "2"],
    ["freq", "--min-count", "3", "--no-header"],
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
