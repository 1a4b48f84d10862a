"""The bad-input matrix, in real processes: every way a corpus, a query or the
environment can be wrong, and what ``corpus`` does about it.

The contract each case checks (``cli`` asserts the first two on every run):

* stderr holds only ``corpus: …`` lines and never a traceback;
* an error is exactly one such line and exit code 2; a warning (``corpus: warning: …``)
  lets the command go on, and the exit code is then grep's: 0 found, 1 not found;
* nothing hangs: every run has a timeout;
* the corpus is never written to: ``untouched`` snapshots the corpus's files (bytes,
  ``st_mtime_ns``, mode) and directories (listing, ``st_mtime_ns``) before the run and
  compares them after the test.

Decisions written down here, case by case: a Latin-1 file is skipped with a warning
(``--encoding latin-1`` reads it), never decoded as CP-1256 mojibake; a binary file (a NUL
byte anywhere) is skipped with a warning, as ripgrep skips binary files; a
UTF-8 file with a few bad bytes is read with U+FFFD in their place and a warning; a FIFO
nobody writes to, a device or a socket is skipped with a warning (a FIFO with a writer,
``--corpus <(command)``, is read); a file or directory inside the corpus that cannot be
read is a warning, a named path that cannot be read is an error.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

MODULE = [sys.executable, "-m", "corpus_cli"]
TIMEOUT = 30
GOOD = "سطر أول\nالأمم المتحدة تجتمع\n"  # good.txt: one hit of الامم, on line 2
ZERO_HITS = "corpus: 0 hits"  # grep's note when nothing matched (not an error)
#: Ctrl-C: exit code 130, or death by SIGINT when it lands as the interpreter exits (a
#: shell shows both as $? = 130).
INTERRUPTED = (130, -signal.SIGINT)


class Run(NamedTuple):
    code: int
    out: str
    err: list[str]  # the lines of stderr


Cli = Callable[..., Run]


def _environ(cache: Path) -> dict[str, str]:
    """The caller's environment without what changes colour, corpus or debugging."""
    dropped = {"FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "PY_COLORS", "CORPUS_PATH", "CORPUS_DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(NO_COLOR="1", CORPUS_CACHE_DIR=str(cache), PYTHONUNBUFFERED="1")
    return env


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
    return _environ(cache)


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
        merged = dict(env)
        for key, value in (environ or {}).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        proc = subprocess.run(
            [*(prefix or []), *MODULE, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=merged,
            cwd=tmp_path,
            timeout=timeout,
            check=False,
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


# --------------------------------------------------------------------------- the corpus is never written to


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


# --------------------------------------------------------------------------- permissions


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


# --------------------------------------------------------------------------- encodings


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


# --------------------------------------------------------------------------- paths


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


@pytest.mark.parametrize("command", [["grep", "x"], ["kwic", "x"], ["list"], ["freq"], ["show", "x"]])
def test_missing_path(cli, tmp_path, command):
    r = cli(*command, "--corpus", str(tmp_path / "nowhere"))
    error(r, f"corpus: {tmp_path}/nowhere: no such file or directory")


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


# --------------------------------------------------------------------------- documents and queries


@pytest.fixture
def ids_corpus(tmp_path: Path, untouched: Untouched) -> Path:
    corpus = make(tmp_path / "ids", {"doc_alpha.txt": GOOD, "doc_beta.txt": GOOD, "other.txt": "نص\n"})
    untouched(corpus)
    return corpus


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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grep", "("], "corpus: invalid pattern '(': missing ) at position 1"),
        (
            ["kwic", "الأمم[ا"],
            "corpus: invalid pattern 'الأمم[ا' (normalized 'الامم[ا'): unterminated character set",
        ),
        (["kwic", ""], "corpus: empty pattern"),
        (["grep", "\u064e\u064f\u0650"], "is empty after normalization: it has only marks, tatweel"),
        (["grep", "\u0640\u0640\u0640"], "is empty after normalization: it has only marks, tatweel"),
        (["kwic", "\u0651"], "is empty after normalization: it has only marks, tatweel"),
    ],
    ids=["grep-paren", "kwic-bracket", "kwic-empty", "diacritics", "tatweel", "shadda"],
)
def test_bad_patterns(cli, ids_corpus, args, message):
    error(cli(*args, "--corpus", str(ids_corpus)), message)


def test_a_literal_paren_is_fine_with_F(cli, ids_corpus):
    r = cli("grep", "-F", "(", "--corpus", str(ids_corpus))
    assert (r.code, r.out) == (1, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-c", "-l"], "corpus: -c/--count and -l/--files-with-matches cannot be combined"),
        (["--count-matches", "-l"], "corpus: --count-matches and -l/--files-with-matches cannot be combined"),
        (["-o", "--format", "jsonl"], "corpus: -o/--only-matching cannot be combined with --format jsonl"),
        (["--format", "xml"], "corpus: Invalid value for '--format'"),
        (["-m", "-1"], "corpus: Invalid value for '--max-count'"),
    ],
    ids=["count-files", "count-matches-files", "only-jsonl", "bad-format", "negative-max"],
)
def test_conflicting_and_invalid_flags(cli, ids_corpus, args, message):
    error(cli("grep", *args, "الامم", "--corpus", str(ids_corpus)), message)


def test_freq_by_and_by_doc_conflict(cli, ids_corpus):
    r = cli("freq", "--by", "source", "--by-doc", "--corpus", str(ids_corpus))
    error(r, "corpus: --by and --by-doc cannot be combined")


# --------------------------------------------------------------------------- pipes and signals


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
        [*MODULE, *args, "--corpus", str(many_lines)],
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


def test_100k_tiny_files(cli, many_files, untouched):
    root, taken = many_files
    untouched(root, taken=taken)
    started = time.monotonic()
    r = cli("grep", "-n", "كلمةفريدة", "--corpus", str(root))
    assert (r.code, r.out, r.err) == (0, "054/054321:1:هنا كلمةفريدة\n", [])
    assert time.monotonic() - started < 20, "100,000 files took more than 20 s"


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


@pytest.mark.parametrize("command", [["list"], ["grep", "-c", "كلمةفريدة"]], ids=["list", "grep"])
def test_ctrl_c_during_a_load(env, tmp_path, many_files, untouched, command):
    root, taken = many_files
    untouched(root, taken=taken)
    proc = subprocess.Popen(
        [*MODULE, *command, "--corpus", str(root)],
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
        [sys.executable, "-X", "importtime", *MODULE[1:], "grep", "x", "--corpus", str(ids_corpus)],
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


# --------------------------------------------------------------------------- the index


def index_files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.is_dir() else []


def build(cli: Cli, *args: str) -> Run:
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
    build(cli, "--corpus", str(corpus))
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


@pytest.mark.parametrize("how", ["garbage", "truncated", "trigrams"])
def test_corrupted_index(cli, indexed, cache, how):
    index = the_index(cache)
    if how == "garbage":
        index.write_bytes(b"this is not an index " * 100)
        reason = "not a usable index (file is not a database)"
    elif how == "truncated":
        index.write_bytes(index.read_bytes()[:3000])
        reason = "not a usable index (database disk image is malformed)"
    else:
        damage(index, "grams_data")
        reason = "damaged index ("
    # Auto: a warning, and the answer from the files.
    r = cli("grep", "الامم", "--corpus", str(indexed))
    assert (r.code, r.out) == (0, HITS)
    assert len(r.err) == 1
    assert r.err[0].startswith(f"corpus: warning: {index}: {reason}")
    assert r.err[0].endswith("; searching without it")
    # Named: an error.
    r = cli("grep", "الامم", "--corpus", str(indexed), "--index", str(index))
    error(r, f"corpus: {index}: {reason}")


@pytest.mark.parametrize(
    ("table", "options"),
    [("ranked_tsv", []), ("keys", ["--forms"])],
    ids=["the rendered list", "the rows"],
)
def test_damage_found_late_is_one_clear_line(cli, indexed, cache, table, options):
    damage(the_index(cache), table)
    r = cli("freq", "--top", "3", *options, "--corpus", str(indexed))
    error(r, "corpus: damaged index (database disk image is malformed); rebuild it with 'corpus index build'")
    r = cli("freq", "--top", "3", "--corpus", str(indexed), "--index", "off")
    assert r.code == 0 and r.out.splitlines()[1].split("\t")[1] == "الأمم"


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
    build(cli, "--corpus", str(corpus))
    index = the_index(cache)
    before = index.read_bytes()
    small, small_stat = big.read_bytes(), big.stat()
    # The same selection, now slow to index: interrupted once its temporary file is there.
    big.write_text("".join(f"سطر رقم {i} من النص\n" for i in range(300_000)), "utf-8")
    taken = snapshot(corpus)
    proc = subprocess.Popen(
        [*MODULE, "index", "build", "--corpus", str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    r = interrupt(proc, lambda: any(name.endswith(".tmp") for name in index_files(cache)))
    assert r.code in INTERRUPTED
    assert len(r.err) <= 1
    assert index_files(cache) == [index.name]  # no temporary file, no lock file
    assert index.read_bytes() == before
    assert snapshot(corpus) == taken  # the corpus was not written to
    # Put the corpus back as it was: the previous index is fresh, and used.
    big.write_bytes(small)
    os.utime(big, ns=(small_stat.st_atime_ns, small_stat.st_mtime_ns))
    assert cli("index", "status", "--corpus", str(corpus)).code == 0
    r = cli("grep", "الامم", "--corpus", str(corpus), "--index", str(index))
    assert (r.code, r.out, r.err) == (0, "a:2:الأمم المتحدة تجتمع\nbig:1:الأمم\n", [])


def test_two_builds_at_once(env, tmp_path, cli, cache, untouched):
    corpus = make(tmp_path / "news", {"a.txt": GOOD})
    (corpus / "b.txt").write_text("".join(f"سطر رقم {i} من النص\n" for i in range(40_000)), "utf-8")
    untouched(corpus)
    command = [*MODULE, "index", "build", "--corpus", str(corpus)]
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
    assert index_files(cache) == [the_index(cache).name]
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


# --------------------------------------------------------------------------- CORPUS_PATH


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
