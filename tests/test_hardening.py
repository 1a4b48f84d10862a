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
import re
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


# --------------------------------------------------------------------------- names that act on a terminal

#: Names a terminal would obey if written raw: OSC 52 (set the clipboard), OSC 0 (set the
#: title), CSI 2J (clear the screen), a C1 CSI, BEL, a carriage return, bidi controls.
HOSTILE_NAMES = [
    "clip\x1b]52;c;aGVsbG8=\x07",
    "title\x1b]0;PWNED\x07",
    "clear\x1b[2J\x1b[H",
    "c1\u009b2J",
    "cr\rbell\x07",
    "bidi\u202e\u2069\u2067",
]
#: The only escape sequences the tool writes: its colours.
OWN_SGR = re.compile(rb"\x1b\[(?:(?:0|1|2|22|31|32|35|39);)*(?:0|1|2|22|31|32|35|39)?m")
#: What a terminal acts on: ESC, BEL, C1 controls (as UTF-8), a carriage return.
ACTING = re.compile(rb"[\x1b\x07\r]|\xc2[\x80-\x9f]")


@pytest.fixture
def hostile(tmp_path: Path, untouched: Untouched) -> Path:
    """A corpus whose file names, archive members, record ids and warnings carry controls."""
    import json
    import zipfile

    root = tmp_path / "hostile"
    make(root, {f"{name}.txt": GOOD for name in HOSTILE_NAMES})
    (root / "bin\x1b]0;WARNED\x07.txt").write_bytes(b"\0\1\2")  # skipped with a warning
    os.mkdir(os.fsencode(root) + b"/latin\xff")  # a folder whose name is not UTF-8
    (Path(os.fsdecode(os.fsencode(root) + b"/latin\xff")) / "doc.txt").write_text(GOOD, encoding="utf-8")
    with zipfile.ZipFile(root / "pack.zip", "w") as pack:
        pack.writestr("member\x1b]0;ZIP\x07.txt", GOOD)
    records = [{"id": "rec\x1b]52;c;Zm9v\x07", "text": GOOD}, {"id": "rec\x9b2J", "text": GOOD}]
    (root / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    untouched(root)
    return root


def on_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, bytes]:
    """``corpus ARGS…`` with stdout and stderr on a pseudo-terminal: its exit code and
    every byte the terminal received."""
    import pty
    import select

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [*MODULE, *args], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env, cwd=cwd
    )
    os.close(follower)
    received = b""
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal's last reader is gone (EIO)
                break
            if not data:
                break
            received += data
        code = proc.wait(timeout=TIMEOUT)
    finally:
        proc.kill()
        os.close(leader)
    return code, received.replace(b"\r\n", b"\n")  # the terminal's own line ends


def acting(received: bytes) -> list[bytes]:
    """What in ``received`` a terminal would act on, the tool's colours aside."""
    return ACTING.findall(OWN_SGR.sub(b"", received))


@pytest.mark.parametrize(
    "args",
    [
        ["grep", "الامم"],
        ["grep", "-l", "الامم"],
        ["grep", "-c", "الامم"],
        ["grep", "-o", "الامم"],
        ["kwic", "الامم"],
        ["dispersion", "الامم"],
        ["freq", "--by-doc", "--top", "2"],
        ["list"],
        ["show", "title\x1b]0;PWNED\x07"],
        ["show", "nowhere\x1b]0;ERROR\x07"],  # an error names the id
        ["--id-field", "id", "grep", "الامم"],
        ["--id-field", "id", "kwic", "الامم"],
    ],
)
def test_no_name_acts_on_a_terminal(env, tmp_path, hostile, args):
    """Every id, path and warning reaches a terminal escaped; only the tool's colours pass."""
    coloured = {k: v for k, v in env.items() if k != "NO_COLOR"} | {"FORCE_COLOR": "1"}
    code, received = on_terminal([*args, "--corpus", str(hostile), "--glob", "*"], coloured, tmp_path)
    text = received.decode("utf-8")  # valid UTF-8: a name's stray bytes are escaped too
    assert acting(received) == [], text
    assert "Traceback" not in text
    assert OWN_SGR.search(received) or code == 2, text  # the colours still pass
    if args[0] == "show":
        assert code == (0 if "title" in args[1] else 2), text
        assert ("title\\x1b]0;PWNED\\x07" if code == 0 else "nowhere\\x1b]0;ERROR\\x07") in text
        return
    assert code == 0, text
    assert "WARNED" in text  # the skipped file's warning, its name escaped
    assert "member" in text and "]0;ZIP" in text  # an archive member's name
    if args[0] not in ("list", "freq"):
        assert "\\x1b]0;" in text or "\\x1b]52" in text, text


def test_names_on_a_terminal_without_colour(env, tmp_path, hostile):
    """No colour: nothing at all that a terminal acts on."""
    for args in (["grep", "-l", "الامم"], ["kwic", "الامم"], ["list"]):
        code, received = on_terminal([*args, "--corpus", str(hostile)], env, tmp_path)
        assert code == 0 and ACTING.findall(received) == [], received
        assert b"latin\\xff/doc" in received  # the byte that is not UTF-8, as an escape


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv"])
@pytest.mark.parametrize("command", [["grep", "الامم"], ["kwic", "الامم"], ["grep", "-l", "الامم"], ["list"]])
def test_records_in_a_pipe_stay_valid_utf8(env, tmp_path, hostile, command, fmt):
    """A name that is not UTF-8 is written with ``\\xff`` for its byte: every record format
    stays UTF-8; its other characters are the format's to escape (JSON: ``\\u001b``)."""
    proc = subprocess.run(
        [*MODULE, *command, "--corpus", str(hostile), "--format", fmt],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("utf-8")  # raises on a raw \xff
    assert "latin\\xff/doc" in out.replace("\\\\", "\\")  # TSV doubles the backslash
    if fmt == "jsonl":
        assert b"\x1b" not in proc.stdout


def test_plain_grep_in_a_pipe_writes_names_as_they_are(env, tmp_path, hostile):
    """``doc:line:text`` in a pipe is grep's: a name's own bytes, as GNU grep writes them
    (only the screen escapes them); a message on stderr is escaped wherever it goes."""
    proc = subprocess.run(
        [*MODULE, "grep", "-l", "الامم", "--corpus", str(hostile)],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0
    assert b"latin\xff/doc\n" in proc.stdout and b"title\x1b]0;PWNED\x07\n" in proc.stdout
    assert ACTING.findall(proc.stderr) == [] and b"WARNED" in proc.stderr
    assert all(line.startswith(b"corpus: ") for line in proc.stderr.splitlines())


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


def start_build(corpus: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """``corpus index build`` of ``corpus`` in a process group of its own (to signal it)."""
    return subprocess.Popen(
        [*MODULE, "index", "build", "--corpus", str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )


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


SEEDS = Path(__file__).resolve().parent.parent / "seeds"
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
    shutil.copytree(SEEDS, corpus)
    build(cli, "--corpus", str(corpus))
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
    if how == "documents" and (command[0] != "freq" or "--by-doc" in command):  # they read the documents
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
    build(cli, "--corpus", str(corpus))
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
    build(cli, "--corpus", str(corpus))
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
    assert index_files(cache) == [index.name]  # no temporary file, no lock file
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
    build(cli, "--corpus", str(one))
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
    build(cli, "--corpus", str(make(tmp_path / "small", {"a.txt": GOOD})))
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
    build(cli, "--corpus", str(corpus))
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
    build(cli, "--corpus", str(corpus))
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


# --------------------------------------------------------------------------- names not in UTF-8, shards

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


def test_an_index_of_a_file_named_otherwise_than_in_utf8(cli, latin_named, cache):
    from corpus_cli.index.index import Index

    corpus = str(latin_named)
    build(cli, "--corpus", corpus)
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


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_shards_of_a_file_named_otherwise_than_in_utf8(cli, latin_named, tmp_path, untouched, fmt):
    pytest.importorskip("pyarrow")
    untouched(latin_named)
    from corpus_cli.engines.distributed import Reading, corpus_files, load_part, partitions
    from corpus_cli.store.corpus import DEFAULT_GLOB
    from corpus_cli.store.readers import ReadOptions

    dest = tmp_path / "shards"
    r = cli("shard", str(latin_named), str(dest), "--format", fmt)
    assert r.code == 0, r
    assert r.out.split("\t")[1:] and r.out.split("\t")[1] == "2"  # one shard of both documents
    reading = Reading(ReadOptions("text", "id"), [])
    parts = partitions(corpus_files([str(dest)], DEFAULT_GLOB), 1)
    docs = [doc for part in parts for doc in load_part(part, reading)[0]]
    # Parquet keeps the name's bytes; JSONL's \udcXX escape is read as invalid UTF-8 is.
    assert [d.id for d in docs] == [{"parquet": "caf\udce9", "jsonl": "caf\ufffd"}[fmt], "ok"]
    assert [d.text for d in docs] == [GOOD, "الأمم\n"]


@pytest.fixture
def many_records(tmp_path: Path) -> Path:
    """20,000 one-line records in one file: 20,000 shards of one document at --size 1."""
    lines = "".join(f'{{"id": "d{i}", "text": "الأمم {i}"}}\n' for i in range(20_000))
    return make(tmp_path / "records", {"all.jsonl": lines})


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_an_interrupted_shard_is_refused_not_read_as_a_smaller_corpus(env, cli, tmp_path, many_records, sig):
    pytest.importorskip("fsspec")
    dest = tmp_path / "shards"
    proc = subprocess.Popen(
        [*MODULE, "shard", str(many_records), str(dest), "--size", "1", "--format", "jsonl"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not (dest / "part-00100.jsonl").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the shard ended unstopped"
            time.sleep(0.005)
        proc.send_signal(sig)
        proc.wait(timeout=TIMEOUT)
    finally:
        proc.kill()
    assert proc.returncode == -sig
    written = len(list(dest.glob("part-*.jsonl")))
    assert 100 < written < 20_000
    for args in (["grep", "-c", "الامم"], ["list"], ["grep", "-c", "الامم", "--engine", "dask"]):
        error(cli(*args, "--corpus", str(dest)), "unfinished set of shards")
    error(cli("list", "--corpus", str(tmp_path)), "unfinished set of shards")  # found inside a corpus too
    # Written again (no --overwrite needed: nothing complete is lost), it is read whole.
    r = cli("shard", str(many_records), str(dest), "--size", "100KB", "--format", "jsonl")
    assert r.code == 0, r
    assert len(list(dest.iterdir())) == len(r.out.splitlines())
    r = cli("grep", "-c", "الامم", "--corpus", str(dest))
    assert r.code == 0 and sum(int(line.rsplit(":", 1)[1]) for line in r.out.splitlines()) == 20_000
