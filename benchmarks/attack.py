#!/usr/bin/env python3
"""Attack corpus-cli from outside: faults during builds, hostile names, files, archives
and indexes, signals, closed pipes, and a real Dask cluster on 127.0.0.1.

Each attack runs ``corpus`` as child processes (in their own process groups, killed on
a time-out), on corpora it writes into a temporary directory, with a private, empty
``CORPUS_CACHE_DIR``; it never imports the package.  The table says, per attack, how
many trials ran, what the tool should do, what it did, and ok or FAIL (skip when
something the attack needs is absent: setpriv, dask, the saudinewsnet corpus).

    python3 benchmarks/attack.py                       # every attack (~10-15 minutes)
    python3 benchmarks/attack.py --quick               # fewer trials, smaller inputs
    python3 benchmarks/attack.py --only small-edges,closed-stdout --quick
    python3 benchmarks/attack.py --list                # the attacks and their items

Standard library only.  Network: loopback only (127.0.0.1).  Every process and temporary
directory it makes is removed at the end, on Ctrl-C too.  Exit status: 0 when every
attack that ran is ok, 1 otherwise.  See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import atexit
import fcntl
import json
import os
import pty
import random
import resource
import select
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

#: Words of the synthetic corpora (a few hundred distinct forms, Arabic letters only).
ROOTS = "كتب درس علم عمل قرأ سمع نظر حكم وزر شرك دول سلم حرب نصر قتل خرج دخل ذهب رجع جلس".split()
PATTERNS = ["{0}{1}{2}", "م{0}{1}{2}", "{0}ا{1}{2}", "ال{0}{1}{2}", "{0}{1}{2}ة", "ت{0}{1}{2}", "{0}{1}ي{2}"]
WORDS = [p.format(*r) for r in ROOTS for p in PATTERNS] + ["في", "من", "على", "إلى", "أن", "الذي", "مع"]
WORD = "سوريا"  # the word the attacks look for; never produced by the generator
ESC = "\x1b"
BEL = "\x07"


def now() -> float:
    return time.monotonic()


# --------------------------------------------------------------------------- processes


@dataclass
class Run:
    code: int | None  # None: killed at the time-out
    out: bytes
    err: bytes
    seconds: float
    peak_mb: float | None = None

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "replace")

    @property
    def error(self) -> str:
        return self.err.decode("utf-8", "replace")

    @property
    def internal(self) -> bool:
        """An internal error, a traceback or a RecursionError on stderr."""
        e = self.error
        return "internal error" in e or "Traceback" in e or "RecursionError" in e

    def brief(self) -> str:
        if self.code is None:
            return f"hung >{self.seconds:.0f}s"
        last = self.error.strip().splitlines()[-1:] or [""]
        return f"exit {self.code} {self.seconds:.1f}s {printable(last[0])[:90]}".strip()


def printable(text: str) -> str:
    return "".join(
        c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in text
    )


class Processes:
    """Every process group started here, killed at the end (or on a signal)."""

    def __init__(self) -> None:
        self.groups: list[subprocess.Popen[bytes]] = []
        self.lock = threading.Lock()

    def start(self, args: Sequence[str], **kw: object) -> subprocess.Popen[bytes]:
        proc: subprocess.Popen[bytes] = subprocess.Popen(list(args), start_new_session=True, **kw)  # type: ignore[call-overload]
        with self.lock:
            self.groups.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def cleanup(self) -> None:
        with self.lock:
            groups, self.groups = self.groups, []
        for proc in groups:
            self.kill(proc)
        for proc in groups:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


PROCS = Processes()


def group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs (zombies do not count)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def limit_memory(megabytes: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, megabytes << 20))

    return apply


def gnu_time() -> str | None:
    """GNU time (``-f %M``: the peak RSS of the command), or None."""
    found = shutil.which("time")
    if found is None:
        return None
    try:
        probe = subprocess.run([found, "-f", "%M", "true"], capture_output=True, timeout=10)
    except OSError:
        return None
    return found if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


N = TypeVar("N", int, float)


class Context:
    def __init__(self, args: argparse.Namespace, root: Path) -> None:
        self.bin = args.corpus_bin
        self.quick: bool = args.quick
        self.root = root
        self.rnd = random.Random(args.seed)
        self.corpora = Path(args.corpora)
        self.timeout: float = args.timeout
        self.gnu_time = gnu_time()
        self.counter = 0

    def n(self, quick: N, full: N) -> N:
        return quick if self.quick else full

    def tmp(self, name: str) -> Path:
        self.counter += 1
        path = self.root / f"{self.counter:03d}-{name}"
        path.mkdir(parents=True)
        return path

    def env(self, cache: Path | None = None, **extra: str | None) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("CORPUS_", "FORCE_COLOR", "CLICOLOR"))
        }
        env.update(NO_COLOR="1", COLUMNS="200", LINES="50", TERM="xterm-256color", PYTHONUNBUFFERED="1")
        env["CORPUS_CACHE_DIR"] = str(cache if cache is not None else self.tmp("cache"))
        for key, value in extra.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def start(self, args: Sequence[str], env: dict[str, str], **kw: object) -> subprocess.Popen[bytes]:
        return PROCS.start([self.bin, *args], env=env, **kw)

    def run(
        self,
        args: Sequence[str],
        env: dict[str, str],
        timeout: float | None = None,
        *,
        prefix: Sequence[str] = (),
        shell: str | None = None,
        measure: bool = False,
        preexec: Callable[[], None] | None = None,
        stdin: int | None = subprocess.DEVNULL,
    ) -> Run:
        """``corpus ARGS`` (or ``sh -c SHELL corpus ARGS``) with its output in pipes,
        the whole group killed after ``timeout``; ``measure``: peak RSS by GNU time."""
        command = [self.bin, *args]
        if shell is not None:
            command = ["sh", "-c", shell, *command]
        report = None
        if measure and self.gnu_time:
            self.counter += 1
            report = self.root / f"{self.counter:03d}.rss"
            command = [self.gnu_time, "-f", "%M", "-o", str(report), *command]
        command = [*prefix, *command]
        started = now()
        proc = PROCS.start(
            command, env=env, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec
        )
        try:
            out, err = proc.communicate(timeout=timeout or self.timeout)
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            PROCS.kill(proc)
            out, err = proc.communicate()
            code = None
        seconds = now() - started
        peak = None
        if report is not None and report.exists():
            lines = report.read_text().split()
            peak = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else None
        return Run(code, out, err, seconds, peak)

    def on_tty(self, args: Sequence[str], env: dict[str, str], timeout: float = 60) -> Run:
        """``corpus ARGS`` with stdout and stderr on a pseudo-terminal of 200 columns."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        started = now()
        proc = self.start(args, env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
        os.close(slave)
        chunks: list[bytes] = []
        deadline = started + timeout
        while now() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif proc.poll() is not None:
                break
        os.close(master)
        code: int | None
        try:
            code = proc.wait(timeout=max(0.1, deadline - now()))
        except subprocess.TimeoutExpired:
            PROCS.kill(proc)
            proc.wait()
            code = None
        return Run(code, b"".join(chunks), b"", now() - started)


# --------------------------------------------------------------------------- corpora


def sentence(rnd: random.Random, words: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(words))


def make_corpus(root: Path, files: int, lines: int, rnd: random.Random, *, hits: int = 0) -> Path:
    """``files`` text files of ``lines`` lines in 10 folders; the first ``hits`` hold WORD."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        folder = root / f"f{i % 10}"
        folder.mkdir(exist_ok=True)
        text = [sentence(rnd, rnd.randint(6, 14)) for _ in range(lines)]
        if i < hits:
            text[len(text) // 2] += f" {WORD}"
        (folder / f"doc{i:05d}.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    return root


def write(root: Path, files: dict[str | bytes, bytes | str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = os.path.join(os.fsencode(root), name if isinstance(name, bytes) else os.fsencode(name))
        with open(path, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return root


def counts(run: Run) -> int:
    """The sum of the ``doc:count`` lines of ``grep -c``."""
    return sum(
        int(line.rsplit(":", 1)[1]) for line in run.text.splitlines() if line.rsplit(":", 1)[-1].isdigit()
    )


def index_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.corpus-index")) if cache.is_dir() else []


def real_corpus(ctx: Context) -> Path | None:
    """saudinewsnet (one of its folders with --quick), when it is unpacked."""
    real = ctx.corpora / "saudinewsnet"
    if not real.is_dir():
        return None
    return real if not ctx.quick else next((p for p in sorted(real.iterdir()) if p.is_dir()), real)


def unprivileged() -> list[str] | None:
    """A prefix under which file permissions hold even for root (setpriv), or None."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"] if setpriv else None


def denied(prefix: list[str], path: Path) -> bool:
    probe = subprocess.run(
        [*prefix, "cat", str(path)], capture_output=True, timeout=10, stdin=subprocess.DEVNULL
    )
    return probe.returncode != 0


# --------------------------------------------------------------------------- results


@dataclass
class Row:
    attack: str
    trials: int
    expected: str
    observed: str
    verdict: str  # ok, FAIL, skip


@dataclass
class Attack:
    name: str
    item: int
    summary: str
    run: Callable[[Context], list[Row]]


ATTACKS: list[Attack] = []


def attack(
    name: str, item: int, summary: str
) -> Callable[[Callable[[Context], list[Row]]], Callable[[Context], list[Row]]]:
    def register(fn: Callable[[Context], list[Row]]) -> Callable[[Context], list[Row]]:
        ATTACKS.append(Attack(name, item, summary, fn))
        return fn

    return register


def row(name: str, trials: int, expected: str, failures: list[str], ok_note: str = "") -> Row:
    if failures:
        shown = "; ".join(dict.fromkeys(failures))
        return Row(name, trials, expected, f"{len(failures)} wrong in {trials} trials: {shown}", "FAIL")
    return Row(name, trials, expected, ok_note or "as expected", "ok")


def skip(name: str, expected: str, why: str) -> list[Row]:
    return [Row(name, 0, expected, why, "skip")]


# --------------------------------------------------------------------------- 1. stale index


@attack("stale-index", 1, "a file added 0.03-0.3 s into 'index build': the index answers as --index off")
def stale_index(ctx: Context) -> list[Row]:
    rnd = ctx.rnd
    corpus = make_corpus(ctx.tmp("stale") / "c", 3000, 12, rnd)
    window = 0.3
    trials = ctx.n(6, 32)
    failures: list[str] = []
    build_seconds: list[float] = []
    for t in range(trials):
        cache = ctx.tmp("cache")
        env = ctx.env(cache)
        added = corpus / f"f{t % 10}" / f"added{t:03d}.txt"
        proc = ctx.start(
            ["index", "build", "--corpus", str(corpus)],
            env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started = now()
        time.sleep(rnd.uniform(0.03, window))
        added.write_text(f"{sentence(rnd, 8)} {WORD}\n", encoding="utf-8")
        try:
            proc.wait(timeout=ctx.timeout)
        except subprocess.TimeoutExpired:
            PROCS.kill(proc)
            failures.append("build hung")
            continue
        build_seconds.append(now() - started)
        indexed = ctx.run(["grep", "-c", WORD, "--corpus", str(corpus)], env)
        plain = ctx.run(["grep", "-c", WORD, "--corpus", str(corpus), "--index", "off"], env)
        if (indexed.code, indexed.out) != (plain.code, plain.out):
            status = ctx.run(["index", "status", "--corpus", str(corpus)], env)
            said = "fresh" if "fresh" in status.text + status.error else "not fresh"
            failures.append(f"index exit {indexed.code} vs off exit {plain.code} (status {said})")
        added.unlink()
    rows = [
        row(
            "stale-index (added file)",
            trials,
            "grep with index == --index off",
            failures,
            f"builds took {min(build_seconds, default=0):.1f}-{max(build_seconds, default=0):.1f}s, "
            f"files added 0.03-{window:.1f}s in",
        )
    ]
    rows.append(_skipped_then_readable(ctx, corpus))
    return rows


def _skipped_then_readable(ctx: Context, corpus: Path) -> Row:
    name, expected = (
        "stale-index (unreadable file)",
        "file unreadable at build, readable later: answer == off",
    )
    prefix = unprivileged()
    hidden = corpus / "f0" / "hidden.txt"
    hidden.write_text(f"{WORD}\n", encoding="utf-8")
    try:
        hidden.chmod(0)
        if prefix is None or not denied(prefix, hidden):
            return Row(name, 0, expected, "cannot deny a read here (root without setpriv)", "skip")
        cache = ctx.tmp("cache")
        cache.chmod(0o777)
        env = ctx.env(cache)
        built = ctx.run([*(), "index", "build", "--corpus", str(corpus)], env, prefix=prefix)
        if built.code != 0:
            return Row(name, 1, expected, f"build {built.brief()}", "FAIL")
        hidden.chmod(0o644)
        indexed = ctx.run(["grep", "-c", WORD, "--corpus", str(corpus)], env, prefix=prefix)
        plain = ctx.run(["grep", "-c", WORD, "--corpus", str(corpus), "--index", "off"], env, prefix=prefix)
        bad = (
            []
            if (indexed.code, indexed.out) == (plain.code, plain.out)
            else [f"index exit {indexed.code} vs off exit {plain.code}"]
        )
        return row(name, 1, expected, bad)
    finally:
        hidden.chmod(0o644)
        hidden.unlink()


# --------------------------------------------------------------------------- 2. escapes

HOSTILE = {
    "osc52": f"{ESC}]52;c;cHduZWQ={BEL}",
    "title": f"{ESC}]0;pwned{BEL}",
    "clear": f"{ESC}[2J",
    "c1csi": "\u009b2J",
}
CONTROLS = (b"\x1b", b"\x07", b"\xc2\x9b", b"\xc2\x9d")
EMBED_OPEN = set("\u202a\u202b\u202d\u202e")
ISOLATE_OPEN = set("\u2066\u2067\u2068")


def bidi_balanced(line: str) -> bool:
    """No override (U+202D/E: the text's own), and every PDF/PDI closes what the line
    opened, so the text's controls cannot end the row's own isolate or embedding."""
    stack: list[str] = []
    for char in line:
        if char in "\u202d\u202e":
            return False
        if char in EMBED_OPEN or char in ISOLATE_OPEN:
            stack.append(char)
        elif char == "\u202c":
            if not stack or stack.pop() not in EMBED_OPEN:
                return False
        elif char == "\u2069":
            if not stack or stack.pop() not in ISOLATE_OPEN:
                return False
    return not stack


@attack("escapes", 2, "escape sequences in file names, record ids and warnings never reach a terminal")
def escapes(ctx: Context) -> list[Row]:
    base = ctx.tmp("escapes")
    files: dict[str | bytes, bytes | str] = {
        f"{tag}{seq}.txt": f"قال {WORD} اليوم\n" for tag, seq in HOSTILE.items()
    }
    files[f"bin{HOSTILE['title']}.txt"] = b"\x00\x01binary\x00"
    ids = "".join(
        json.dumps({"id": f"rec{seq}", "text": f"خبر عن {WORD}"}, ensure_ascii=False) + "\n"
        for seq in HOSTILE.values()
    )
    files["records.jsonl"] = ids
    files["bidi.txt"] = f"قبل \u2069\u202e{ESC}[31m {WORD} بعد \u202c\u2069 نص\n"
    corpus = write(base / "c", files)
    cache = ctx.tmp("cache")
    env = ctx.env(cache)
    sel = ["--corpus", str(corpus), "--id-field", "id", "--index", "off", "--color", "never"]
    commands = {
        "grep": ["grep", WORD, *sel],
        "grep -l": ["grep", "-l", WORD, *sel],
        "grep -c": ["grep", "-c", WORD, *sel],
        "kwic": ["kwic", WORD, *sel],
        "dispersion": ["dispersion", WORD, *sel],
        "list": ["list", *sel],
        "show": ["show", "title", *sel],
    }
    failures: list[str] = []
    for label, args in commands.items():
        shown = ctx.on_tty(args, env)
        if shown.code is None:
            failures.append(f"{label} hung")
        elif any(c in shown.out for c in CONTROLS):
            failures.append(f"{label}: raw control on the terminal")
        if label == "kwic":
            for line in shown.out.decode("utf-8", "replace").splitlines():
                if not bidi_balanced(line):
                    failures.append("kwic: a bidi control of the text closes or overrides the row's isolate")
                    break
    rows = [row("escapes (terminal)", len(commands), "no ESC/BEL/C1 on a tty (--color never)", failures)]
    # Pipes: a file name that is not UTF-8 still gives valid UTF-8 JSONL and CSV.
    odd = write(base / "odd", {b"bad-\xff\xfe.txt": f"{WORD}\n", "good.txt": f"{WORD}\n"})
    bad: list[str] = []
    for fmt, args in {
        "grep jsonl": ["grep", WORD, "--format", "jsonl"],
        "kwic jsonl": ["kwic", WORD, "--format", "jsonl"],
        "list csv": ["list", "--format", "csv"],
        "grep csv": ["grep", WORD, "--format", "csv"],
    }.items():
        got = ctx.run([*args, "--corpus", str(odd), "--index", "off"], env)
        try:
            text = got.out.decode("utf-8")
            if "jsonl" in fmt:
                [json.loads(line) for line in text.splitlines()]
            if got.code != 0 or text.count("\n") < 2 - (fmt == "list csv"):
                bad.append(f"{fmt}: {got.brief()}")
        except (UnicodeDecodeError, ValueError) as exc:
            bad.append(f"{fmt}: {type(exc).__name__}")
    rows.append(row("escapes (pipe, non-UTF-8 name)", 4, "valid UTF-8 JSONL/CSV, both files", bad))
    return rows


# --------------------------------------------------------------------------- 3. foreign index


@attack("foreign-index", 3, "--index PATH built for another corpus is refused")
def foreign_index(ctx: Context) -> list[Row]:
    base = ctx.tmp("foreign")
    a = make_corpus(base / "a", 20, 4, ctx.rnd, hits=3)
    b = make_corpus(base / "b", 20, 4, ctx.rnd, hits=0)
    env = ctx.env()
    built = ctx.run(["index", "build", "--corpus", str(a), "-o", str(base / "ix")], env)
    found = index_files(base / "ix")
    if built.code != 0 or not found:
        return [Row("foreign-index", 1, "exit 2", f"build {built.brief()}", "FAIL")]
    failures = []
    for args in (["grep", WORD], ["list"], ["freq", "--top", "3"]):
        got = ctx.run([*args, "--corpus", str(b), "--index", str(found[0])], env)
        if got.code != 2 or got.internal:
            failures.append(f"{args[0]}: {got.brief()}")
    return [row("foreign-index", 3, "exit 2, corpus: line", failures)]


# --------------------------------------------------------------------------- 4. damaged index


@attack(
    "damaged-index", 4, "32 KB of random bytes in a cached index: every command falls back or stops first"
)
def damaged_index(ctx: Context) -> list[Row]:
    corpus = make_corpus(ctx.tmp("damaged") / "c", 300, 10, ctx.rnd, hits=40)
    cache = ctx.tmp("cache")
    env = ctx.env(cache)
    built = ctx.run(["index", "build", "--corpus", str(corpus)], env)
    found = index_files(cache)
    if built.code != 0 or not found:
        return [Row("damaged-index", 1, "", f"build {built.brief()}", "FAIL")]
    index = found[0]
    pristine = index.read_bytes()
    sel = ["--corpus", str(corpus)]
    commands = [
        ["list"],
        ["show", "f0/doc00000"],
        ["dispersion", WORD],
        ["collocates", WORD],
        ["keywords", "--target", "f1/"],
        ["grep", "-c", "."],
        ["freq", "--by-doc", "--top", "5"],
        ["kwic", WORD],
    ]
    expected = {i: ctx.run([*c, *sel, "--index", "off"], env) for i, c in enumerate(commands)}
    failures = []
    trials = 0
    for _ in range(ctx.n(2, 8)):
        data = bytearray(pristine)
        at = ctx.rnd.randrange(0, max(1, len(data) - 32768))
        data[at : at + 32768] = ctx.rnd.randbytes(32768)
        for i, args in enumerate(commands):
            index.write_bytes(bytes(data))
            got = ctx.run([*args, *sel], env)
            trials += 1
            want = expected[i]
            if (got.code, got.out) == (want.code, want.out):
                continue
            if got.code == 2 and not got.out and not got.internal:
                continue
            failures.append(f"{args[0]}: {got.brief()}")
    return [row("damaged-index", trials, "answer == --index off, or exit 2 before any output", failures)]


# --------------------------------------------------------------------------- 5. malicious index

RECURSIVE = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"


def plant_views(index: Path, tables: Sequence[str]) -> None:
    """Replace ``tables`` of the SQLite file ``index`` by endless recursive views of
    the same columns."""
    db = sqlite3.connect(index)
    try:
        for table in tables:
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
            if not columns:
                continue
            picks = ", ".join(
                f"CASE WHEN n > 0 THEN printf('%d', n) END AS {c}"
                if c in {"key", "value", "id", "path", "text", "term", "form", "fields"}
                else f"n AS {c}"
                for c in columns
            )
            db.execute(f"DROP TABLE {table}")
            db.execute(f"CREATE VIEW {table} AS {RECURSIVE} SELECT {picks} FROM r")
        db.commit()
    finally:
        db.close()


@attack("malicious-index", 5, "an index whose tables are recursive views neither hangs nor grows")
def malicious_index(ctx: Context) -> list[Row]:
    corpus = make_corpus(ctx.tmp("malicious") / "c", 30, 5, ctx.rnd, hits=5)
    bound = ctx.n(20, 30)
    failures: list[str] = []
    trials = 0
    for tables in (["docs", "keys", "ranked_tsv", "forms"], ["meta", "files", "docs"]):
        cache = ctx.tmp("cache")
        env = ctx.env(cache)
        built = ctx.run(["index", "build", "--corpus", str(corpus)], env)
        found = index_files(cache)
        if built.code != 0 or not found:
            return [Row("malicious-index", 1, "", f"build {built.brief()}", "FAIL")]
        plant_views(found[0], tables)
        sel = ["--corpus", str(corpus)]
        for args in (
            ["grep", WORD, *sel],
            ["freq", "--top", "5", *sel],
            ["list", *sel],
            ["index", "list"],
            ["index", "status", *sel],
        ):
            trials += 1
            got = ctx.run(args, env, bound, preexec=limit_memory(3000))
            if got.code is None or got.internal or got.code not in (0, 1, 2):
                failures.append(f"{' '.join(args[:2])} ({tables[0]}): {got.brief()}")
    return [row("malicious-index", trials, f"ends in {bound}s, <3 GB, no internal error", failures)]


# --------------------------------------------------------------------------- 6. deep JSON


@attack("deep-json", 6, "a JSONL record nested 3,000 deep is skipped with a warning")
def deep_json(ctx: Context) -> list[Row]:
    nested = '{"text": "x", "a": ' + "[" * 3000 + "]" * 3000 + "}"
    lines = [
        json.dumps({"text": f"أول {WORD}"}, ensure_ascii=False),
        nested,
        json.dumps({"text": f"ثالث {WORD}"}, ensure_ascii=False),
    ]
    corpus = write(ctx.tmp("deep") / "c", {"news.jsonl": "\n".join(lines) + "\n"})
    env = ctx.env()
    failures = []
    runs = [
        ("grep -c", ["grep", "-c", WORD], True),
        ("list", ["list"], True),
        ("index build", ["index", "build"], True),
        ("grep -c (indexed)", ["grep", "-c", WORD], False),  # the warning was the build's
    ]
    for label, args, warns in runs:
        got = ctx.run([*args, "--corpus", str(corpus)], env)
        if got.code != 0 or got.internal or (warns and "warning" not in got.error):
            failures.append(f"{label}: {got.brief() if got.error.strip() else got.brief() + ' no warning'}")
        elif args[0] == "grep" and counts(got) != 2:
            failures.append(f"{label} counted {counts(got)}, not 2")
    return [row("deep-json", len(runs), "exit 0, the 2 other records, a warning", failures)]


# --------------------------------------------------------------------------- 7. non-UTF-8 names


@attack("non-utf8-name", 7, "a file name that is not UTF-8: index build and shard work")
def non_utf8_name(ctx: Context) -> list[Row]:
    base = ctx.tmp("names")
    corpus = write(base / "c", {b"caf\xe9-\xff.txt": f"{WORD} هنا\n", "plain.txt": f"{WORD} هناك\n"})
    env = ctx.env()
    failures = []
    want = ctx.run(["grep", "-c", WORD, "--corpus", str(corpus), "--index", "off"], env)
    built = ctx.run(["index", "build", "--corpus", str(corpus)], env)
    if built.code != 0 or built.internal:
        failures.append(f"index build: {built.brief()}")
    else:
        got = ctx.run(["grep", "-c", WORD, "--corpus", str(corpus)], env)
        if (got.code, got.out) != (want.code, want.out):
            failures.append(f"grep with the index: {got.brief()}")
    shards = base / "shards"
    done = ctx.run(["shard", str(corpus), str(shards), "--format", "jsonl"], env)
    parts = sorted(shards.glob("part-*")) if shards.is_dir() else []
    if done.code != 0 or done.internal:
        failures.append(f"shard: {done.brief()}")
    if any(p.stat().st_size == 0 for p in parts):
        failures.append("shard left an empty part")
    if done.code == 0:
        got = ctx.run(["grep", "-c", WORD, "--corpus", str(shards), "--index", "off"], env)
        if counts(got) != counts(want):
            failures.append(f"shards count {counts(got)}, files {counts(want)}")
    return [row("non-utf8-name", 3, "exit 0; shards and index answer as the files", failures)]


# --------------------------------------------------------------------------- 8. archives


@attack("archive-bomb", 8, "a small zip of 4 huge members: memory bounded per member and overall")
def archive_bomb(ctx: Context) -> list[Row]:
    member_mb = ctx.n(128, 1024)
    bound_mb = ctx.n(450, 2500)  # about 2 members: memory must not grow with their sum
    base = ctx.tmp("archive")
    archive = base / "c" / "bomb.zip"
    archive.parent.mkdir()
    line = (sentence(random.Random(1), 12) + "\n").encode()
    block = line * (1048576 // len(line) + 1)
    text = base / "member.txt"
    with open(text, "wb") as handle:
        for _ in range(member_mb):
            handle.write(block[:1048576])
        handle.write(f"\n{WORD}\n".encode())
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True) as zf:
        for m in range(4):
            zf.write(text, f"m{m}.txt")
    text.unlink()
    env = ctx.env()
    got = ctx.run(
        ["grep", "-c", "-F", WORD, "--corpus", str(archive), "--index", "off"],
        env,
        ctx.n(120, 300),
        measure=True,
        preexec=limit_memory(5000),
    )
    size = archive.stat().st_size / 1e6
    problems = []
    if got.code is None or got.internal or got.code not in (0, 1, 2) or "MemoryError" in got.error:
        problems.append(got.brief())
    elif counts(got) != 4 and "warning" not in got.error and got.code != 2:
        problems.append(f"read {counts(got)} of 4 members without a word")
    if got.peak_mb is not None and got.peak_mb > bound_mb:
        problems.append(f"peak {got.peak_mb:.0f} MB")
    peak = f"{got.peak_mb:.0f} MB" if got.peak_mb is not None else "n/a"
    warned = [line for line in got.error.splitlines() if "warning" in line][:1]
    return [
        row(
            f"archive-bomb ({size:.1f} MB zip, 4x{member_mb} MiB)",
            1,
            f"peak RSS <= {bound_mb} MB under a 5 GB cap; 4 members read or a warning",
            problems,
            f"{got.brief()}, peak {peak}" + "".join(f"; {printable(w)[:90]}" for w in warned),
        )
    ]


# --------------------------------------------------------------------------- 9. shards


@attack("shard-interrupt", 9, "an interrupted 'corpus shard' is never read as a smaller corpus")
def shard_interrupt(ctx: Context) -> list[Row]:
    base = ctx.tmp("shard")
    corpus, word = real_corpus(ctx), "في"
    if corpus is None:
        corpus, word = make_corpus(base / "c", ctx.n(3000, 8000), 30, ctx.rnd, hits=ctx.n(3000, 8000)), WORD
    env = ctx.env()
    started = now()
    full = ctx.run(["shard", str(corpus), str(base / "full"), "--format", "jsonl", "--size", "200KB"], env)
    seconds = now() - started
    want = ctx.run(["grep", "-c", word, "--corpus", str(base / "full"), "--index", "off"], env)
    if full.code != 0 or counts(want) == 0:
        return [Row("shard-interrupt", 1, "", f"shard {full.brief()}", "FAIL")]
    failures = []
    trials = ctx.n(3, 6)
    for t in range(trials):
        dest = base / f"cut{t}"
        proc = ctx.start(
            ["shard", str(corpus), str(dest), "--format", "jsonl", "--size", "200KB"],
            env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(ctx.rnd.uniform(0.4, 0.9) * seconds)
        sig = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)[t % 3]
        PROCS.kill(proc, sig)
        proc.wait(timeout=30)
        got = ctx.run(["grep", "-c", word, "--corpus", str(dest), "--index", "off"], env)
        if got.code == 2 or (got.code == 0 and counts(got) == counts(want)):
            continue
        if got.code == 0 and not dest.exists():
            continue
        failures.append(
            f"{signal.Signals(sig).name}: read {counts(got):,} of {counts(want):,} (exit {got.code})"
        )
    name = f"shard-interrupt ({corpus.name})"
    return [row(name, trials, "full count or exit 2", failures, f"shard takes {seconds:.1f}s")]


# --------------------------------------------------------------------------- 10. killed builds


def temporary(cache: Path) -> list[str]:
    return [p.name for p in cache.iterdir() if p.name.endswith(".tmp")] if cache.is_dir() else []


@attack("killed-build", 10, "KILL/TERM/HUP during 'index build': no temporary files or workers left")
def killed_build(ctx: Context) -> list[Row]:
    corpus = make_corpus(ctx.tmp("killed") / "c", ctx.n(2500, 5000), 20, ctx.rnd)
    env0 = ctx.env()
    started = now()
    ctx.run(["index", "build", "--corpus", str(corpus)], env0)
    seconds = now() - started
    failures = []
    trials = ctx.n(3, 9)
    for t in range(trials):
        cache = ctx.tmp("cache")
        env = ctx.env(cache)
        sig = (signal.SIGKILL, signal.SIGTERM, signal.SIGHUP)[t % 3]
        name = signal.Signals(sig).name
        proc = ctx.start(
            ["index", "build", "--corpus", str(corpus)],
            env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(ctx.rnd.uniform(0.4, 0.8) * seconds)
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
        time.sleep(1.0)
        if sig != signal.SIGKILL and group_alive(proc.pid):
            failures.append(f"{name}: workers alive 1s after the parent")
        PROCS.kill(proc)
        if sig != signal.SIGKILL and temporary(cache):
            failures.append(f"{name}: left {len(temporary(cache))} .tmp")
        if sig == signal.SIGKILL and temporary(cache):
            ctx.run(["index", "build", "--corpus", str(corpus)], env)
            if temporary(cache):
                failures.append("KILL: a later build leaves the dead build's .tmp")
            ctx.run(["index", "drop", "--all"], env)
            if temporary(cache):
                failures.append("KILL: drop --all leaves the dead build's .tmp")
    return [
        row(
            "killed-build",
            trials,
            "no .tmp after TERM/HUP, a later build or drop; no orphans",
            failures,
            f"build takes {seconds:.1f}s",
        )
    ]


# --------------------------------------------------------------------------- 11. Dask


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = now() + seconds
    while now() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def registered(log: Path) -> bool:
    return b"Registered to" in log.read_bytes()


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Garbage(threading.Thread):
    """A server on 127.0.0.1 that answers anything with bytes that are not Dask's."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.5)
        self.port = int(self.sock.getsockname()[1])
        self.stop = False

    def run(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + b"\xff" * 64 + os.urandom(4096))
                except OSError:
                    pass
        self.sock.close()


@attack("dask", 11, "a real Dask scheduler and workers on 127.0.0.1, killed: a corpus: line, never a hang")
def dask(ctx: Context) -> list[Row]:
    dask_bin = Path(ctx.bin).parent / "dask"
    if not dask_bin.exists():
        found = shutil.which("dask")
        if not found:
            return skip("dask", "", "no 'dask' command next to corpus or on PATH")
        dask_bin = Path(found)
    base = ctx.tmp("dask")
    corpus = make_corpus(base / "c", 200, 10, ctx.rnd, hits=50)
    env = ctx.env()
    made = ctx.run(["shard", str(corpus), str(base / "shards"), "--size", "64KB"], env)
    if made.code != 0:
        return [Row("dask", 1, "", f"shard {made.brief()}", "FAIL")]
    want = ctx.run(["grep", "-c", WORD, "--corpus", str(corpus), "--index", "off"], env)
    bound = ctx.n(60, 120)
    query = ["grep", "-c", WORD, "--corpus", str(base / "shards"), "--engine", "dask"]
    rows: list[Row] = []
    logs = base / "logs"
    logs.mkdir()

    def scheduler() -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        proc = PROCS.start(
            [
                str(dask_bin),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                "127.0.0.1:0",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(logs / f"scheduler-{port}.log", "wb"),
        )
        if not wait_for(lambda: listening(port), 30):
            raise RuntimeError("the scheduler did not listen")
        return proc, f"tcp://127.0.0.1:{port}"

    def workers(address: str, n: int) -> list[subprocess.Popen[bytes]]:
        procs = []
        for i in range(n):
            log = logs / f"worker-{address.rsplit(':', 1)[1]}-{i}.log"
            procs.append(
                PROCS.start(
                    [
                        str(dask_bin),
                        "worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=open(log, "wb"),
                )
            )
            if not wait_for(partial(registered, log), 60):
                raise RuntimeError("a worker did not register")
        return procs

    def clean(run: Run) -> bool:
        return (
            run.code == 2
            and not run.internal
            and run.error.strip().startswith("corpus:")
            and len(run.error.strip().splitlines()) <= 3
        )

    def judge(name: str, run: Run, answer_ok: bool) -> Row:
        good = clean(run) or (answer_ok and run.code == want.code and run.out == want.out)
        return Row(
            f"dask: {name}",
            1,
            f"a corpus: line (exit 2) in {bound}s" + (" or the answer" if answer_ok else ""),
            run.brief(),
            "ok" if good else "FAIL",
        )

    try:
        sched, address = scheduler()
        rows.append(judge("no workers", ctx.run([*query, "--scheduler", address], env, bound), False))
        pool = workers(address, 2)
        got = ctx.run([*query, "--scheduler", address], env, bound)
        right = got.code == want.code and got.out == want.out
        rows.append(
            Row("dask: 2 workers", 1, "the memory engine's answer", got.brief(), "ok" if right else "FAIL")
        )
        proc = ctx.start(
            [*query, "--scheduler", address], env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        time.sleep(0.3)
        for w in pool:
            PROCS.kill(w)
        rows.append(judge("workers killed mid-query", _finish(proc, bound), True))
        pool = workers(address, 1)
        proc = ctx.start(
            [*query, "--scheduler", address], env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        time.sleep(0.5)
        PROCS.kill(sched)
        rows.append(judge("scheduler killed mid-query", _finish(proc, bound), True))
        for w in pool:
            PROCS.kill(w)
    except RuntimeError as exc:
        rows.append(Row("dask: cluster", 1, "", str(exc), "skip"))
    garbage = Garbage()
    garbage.start()
    try:
        got = ctx.run([*query, "--scheduler", f"tcp://127.0.0.1:{garbage.port}"], env, bound)
        rows.append(judge("a non-Dask server", got, False))
    finally:
        garbage.stop = True
    rows.append(_local_thousand(ctx, query, env, bound, judge))
    return rows


def _local_thousand(
    ctx: Context, query: list[str], env: dict[str, str], bound: float, judge: Callable[[str, Run, bool], Row]
) -> Row:
    """local[1000], run as nobody with at most 150 processes, so that a tool that
    tries to start them all cannot exhaust a shared machine."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() == 0 and not setpriv:
        return Row("dask: local[1000]", 0, "", "needs setpriv to cap processes as root", "skip")
    prefix = (
        [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups"]
        if os.geteuid() == 0 and setpriv
        else []
    )

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_NPROC, (150, 150))

    cache = Path(env["CORPUS_CACHE_DIR"])
    cache.chmod(0o777)
    for parent in [ctx.root, *[p for p in cache.parents if str(p).startswith(str(ctx.root))]]:
        parent.chmod(0o755)
    shards = Path(query[query.index("--corpus") + 1])
    for path in [shards, *shards.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    local_env = dict(env, HOME=str(cache), TMPDIR=str(cache))
    got = ctx.run([*query, "--scheduler", "local[1000]"], local_env, bound, prefix=prefix, preexec=cap)
    return judge("local[1000] (as nobody, 150 procs)", got, True)


def _finish(proc: subprocess.Popen[bytes], bound: float) -> Run:
    started = now()
    try:
        out, err = proc.communicate(timeout=bound)
        return Run(proc.returncode, out, err, now() - started)
    except subprocess.TimeoutExpired:
        PROCS.kill(proc)
        out, err = proc.communicate()
        return Run(None, out, err, now() - started)


# --------------------------------------------------------------------------- 12. regex budget


#: The whole command's matching may take this many times --timeout (grep --help says so).
WHOLE_FACTOR = 30


@attack("regex-budget", 12, "--timeout bounds the whole command; --timeout nan is refused")
def regex_budget(ctx: Context) -> list[Row]:
    corpus = real_corpus(ctx)
    if corpus is None:
        corpus = ctx.tmp("regex") / "c"
        for i in range(ctx.n(300, 2000)):
            write(corpus, {f"d{i}.txt": "\n".join(sentence(ctx.rnd, 22) + " ." for _ in range(8)) + "\n"})
    env = ctx.env()
    limit = ctx.n(0.3, 1.0)
    bound = WHOLE_FACTOR * limit + 15
    got = ctx.run(
        ["grep", "--timeout", str(limit), "--index", "off", r"(\w+\s?)+$", "--corpus", str(corpus)],
        env,
        bound * 4,
    )
    lines = got.out.count(b"\n")
    rows = [
        Row(
            f"regex-budget ({corpus.name}, --timeout {limit})",
            1,
            f"ends within {WHOLE_FACTOR}x--timeout+15s = {bound:.0f}s",
            f"{got.brief()}, {lines:,} lines",
            "ok" if got.code is not None and got.seconds <= bound and not got.internal else "FAIL",
        )
    ]
    nan = ctx.run(["grep", "--timeout", "nan", WORD, "--corpus", str(corpus)], env)
    rows.append(
        Row(
            "regex-budget (--timeout nan)",
            1,
            "exit 2, corpus: line",
            nan.brief(),
            "ok" if nan.code == 2 and not nan.internal else "FAIL",
        )
    )
    return rows


# --------------------------------------------------------------------------- 13. long lines


@attack("long-line", 13, "documents of one 8 MB (and 200 MB) line answer a plain word quickly")
def long_line(ctx: Context) -> list[Row]:
    base = ctx.tmp("long")
    rnd = ctx.rnd
    chunk = " ".join(rnd.choice(WORDS) for _ in range(20))
    piece = f"{chunk} {WORD} "  # a hit every ~200 bytes
    eight = base / "eight"
    eight.mkdir()
    (eight / "one.txt").write_text(piece * (8_000_000 // len(piece.encode()) + 1) + "\n", encoding="utf-8")
    big_mb = ctx.n(50, 200)
    huge = base / "huge"
    huge.mkdir()
    with open(huge / "one.txt", "w", encoding="utf-8") as handle:
        handle.write(piece)  # the first match is at the start: -m1 need not read on
        filler = " ".join(rnd.choice(WORDS) for _ in range(2000)) + " "
        for _ in range(big_mb * 1_000_000 // len(filler.encode())):
            handle.write(filler)
        handle.write(f"{WORD}\n")
    env = ctx.env()
    failures = []
    cases = [
        (eight, ["kwic", "--limit", "3", WORD], 10.0),
        (eight, ["collocates", WORD], 30.0),
        (eight, ["dispersion", WORD], 30.0),
        (huge, ["grep", "-o", "-m1", WORD], 20.0),
    ]
    times = []
    for corpus, args, bound in cases:
        got = ctx.run([*args, "--corpus", str(corpus), "--index", "off"], env, bound * 3)
        times.append(f"{' '.join(args[:2])} {got.seconds:.0f}s")
        if got.code != 0 or got.seconds > bound:
            failures.append(f"{' '.join(args[:2])}: {got.brief()}")
    return [
        row(
            f"long-line (8 MB; {big_mb} MB for grep)",
            len(cases),
            "exit 0 within 10s (kwic), 30s, 30s, 20s (grep)",
            failures,
            ", ".join(times),
        )
    ]


# --------------------------------------------------------------------------- 14. closed stdout


@attack("closed-stdout", 14, "closed stdout, /dev/full: 'corpus: write error', exit 2; grep -q still exits 0")
def closed_stdout(ctx: Context) -> list[Row]:
    corpus = make_corpus(ctx.tmp("closed") / "c", 5, 4, ctx.rnd, hits=2)
    env = ctx.env()
    sel = ["--corpus", str(corpus), "--index", "off"]
    failures = []
    cases = [
        ('exec "$0" "$@" >&-', ["grep", WORD], 2, True),
        ('exec "$0" "$@" >&-', ["freq", "--top", "5"], 2, True),
        ('exec "$0" "$@" >&-', ["grep", "-q", WORD], 0, False),
        ('exec "$0" "$@" >&- 2>&-', ["grep", "-q", WORD], 0, False),
        ('exec "$0" "$@" >/dev/full', ["grep", WORD], 2, True),
        ('exec "$0" "$@" >/dev/full', ["list"], 2, True),
    ]
    for shell, args, code, says in cases:
        got = ctx.run([*args, *sel], env, shell=shell)
        bad = got.code != code or got.internal or (says and "corpus: write error" not in got.error)
        if bad:
            redirect = shell.split('"$@" ')[1]
            failures.append(f"{' '.join(args[:2])} {redirect}: {got.brief()}")
    return [row("closed-stdout", len(cases), "write error exit 2; -q exit 0", failures)]


# --------------------------------------------------------------------------- 15. cache places


def fresh(status: Run) -> bool:
    """Whether ``index status`` said the index is fresh."""
    return status.code == 0 and "fresh" in status.text and "stale" not in status.text


def writable(prefix: list[str], folder: Path) -> bool:
    probe = subprocess.run([*prefix, "touch", str(folder / "probe")], capture_output=True, timeout=10)
    (folder / "probe").unlink(missing_ok=True)
    return probe.returncode == 0


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@attack("cache-place", 15, "indexes never in the corpus; odd cache paths; drop on odd caches")
def cache_place(ctx: Context) -> list[Row]:
    base = ctx.tmp("place")
    corpus = make_corpus(base / "c", 20, 4, ctx.rnd, hits=4)
    sel = ["--corpus", str(corpus)]
    rows = []
    failures = []
    # inside the corpus: a cache dir in it, and the corpus as $HOME
    for label, env in (
        ("cache inside", ctx.env(corpus / ".cache" / "ix")),
        ("corpus is $HOME", ctx.env(None, HOME=str(corpus), XDG_CACHE_HOME=None, CORPUS_CACHE_DIR=None)),
    ):
        before = tree(corpus)
        built = ctx.run(["index", "build", *sel], env)
        added = tree(corpus) - before
        inside = any(a.endswith((".corpus-index", ".tmp")) for a in added)
        if built.internal:
            failures.append(f"{label}: {built.brief()}")
        elif built.code == 0 and inside and not fresh(ctx.run(["index", "status", *sel], env)):
            failures.append(f"{label}: index written in the corpus, and stale at once")
        for name in (".cache", ".local"):
            shutil.rmtree(corpus / name, ignore_errors=True)
    rows.append(
        row("cache-place (inside the corpus)", 2, "no index in the corpus, or one that stays fresh", failures)
    )
    odd = base / "c#1?x=%41"
    env = ctx.env(odd)
    built = ctx.run(["index", "build", *sel], env)
    status = ctx.run(["index", "status", *sel], env)
    got = ctx.run(["grep", WORD, *sel], env)
    usable = built.code == 0 and fresh(status) and "warning" not in got.error
    rows.append(
        Row(
            "cache-place ('#?%' in the cache path)",
            1,
            "index fresh and used",
            f"{status.brief() or status.text.strip()[:60]}; grep {got.brief()}",
            "ok" if usable else "FAIL",
        )
    )
    # drop --all keeps what is not an index; a directory named like an index
    cache = ctx.tmp("cache")
    env = ctx.env(cache)
    ctx.run(["index", "build", *sel], env)
    (cache / "notes.txt").write_text("mine\n")
    (cache / "photo.sqlite").write_bytes(b"SQLite format 3\x00" + bytes(100))
    (cache / "folder.corpus-index").mkdir()
    failures = []
    listed = ctx.run(["index", "list"], env)
    if listed.internal:
        failures.append(f"index list: {listed.brief()}")
    dropped = ctx.run(["index", "drop", "--all"], env)
    if dropped.internal:
        failures.append(f"drop --all: {dropped.brief()}")
    for keep in ("notes.txt", "photo.sqlite"):
        if not (cache / keep).exists():
            failures.append(f"drop --all deleted {keep}")
    prefix = unprivileged()
    ro = ctx.tmp("cache")
    env = ctx.env(ro)
    ctx.run(["index", "build", *sel], env)
    ro.chmod(0o555)
    try:
        if prefix is not None and not writable(prefix, ro):
            got = ctx.run(["index", "drop", *sel], env, prefix=prefix)
            if got.internal or got.code != 2:
                failures.append(f"drop on a read-only cache: {got.brief()}")
    finally:
        ro.chmod(0o755)
    rows.append(row("cache-place (drop)", 4, "no internal error; only indexes deleted", failures))
    return rows


# --------------------------------------------------------------------------- 16. encodings


@attack("wide-encodings", 16, "UTF-16/32 with a BOM are read; a CSV with an open quote warns")
def wide_encodings(ctx: Context) -> list[Row]:
    text = f"خبر عن {WORD} اليوم\n"
    corpus = write(
        ctx.tmp("wide") / "c",
        {
            "u16le.txt": b"\xff\xfe" + text.encode("utf-16-le"),
            "u16be.txt": b"\xfe\xff" + text.encode("utf-16-be"),
            "u32le.txt": b"\xff\xfe\x00\x00" + text.encode("utf-32-le"),
        },
    )
    env = ctx.env()
    got = ctx.run(["grep", "-l", WORD, "--corpus", str(corpus), "--index", "off"], env)
    found = len(got.text.splitlines())
    rows = [
        Row(
            "wide-encodings (BOM)",
            3,
            "3 files found, exit 0",
            f"{found} found, {got.brief()}",
            "ok" if found == 3 and got.code == 0 else "FAIL",
        )
    ]
    csv = write(ctx.tmp("csv") / "c", {"news.csv": f'text\n"{WORD} بداية\nسطر آخر\n{WORD} نهاية\n'})
    got = ctx.run(["list", "--corpus", str(csv), "--index", "off"], env)
    rows.append(
        Row(
            "wide-encodings (open CSV quote)",
            1,
            "a warning",
            got.brief(),
            "ok" if "warning" in got.error and not got.internal else "FAIL",
        )
    )
    return rows


# --------------------------------------------------------------------------- 17. edges


@attack("small-edges", 17, "kwic --limit 0, 'index status --index', --index ' '")
def small_edges(ctx: Context) -> list[Row]:
    corpus = make_corpus(ctx.tmp("edges") / "c", 5, 4, ctx.rnd, hits=3)
    env = ctx.env()
    sel = ["--corpus", str(corpus)]
    rows = []
    got = ctx.run(["kwic", "--limit", "0", WORD, *sel], env)
    rows.append(
        Row(
            "small-edges (kwic --limit 0)",
            1,
            "not 'exit 1, 0 hits' when there are hits",
            got.brief(),
            "FAIL" if got.internal or (got.code == 1 and "--limit" not in got.error) else "ok",
        )
    )
    got = ctx.run(["index", "status", "--index", "auto", *sel], env)
    wrong = "corpus status" in got.error or got.internal
    rows.append(
        Row(
            "small-edges (index status --index)",
            1,
            "help named right",
            got.brief(),
            "FAIL" if wrong else "ok",
        )
    )
    got = ctx.run(["grep", WORD, "--index", " ", *sel], env)
    wrong = got.code != 2 or "corpus: : " in got.error or got.internal
    rows.append(
        Row("small-edges (--index ' ')", 1, "exit 2, the value named", got.brief(), "FAIL" if wrong else "ok")
    )
    return rows


# --------------------------------------------------------------------------- 18. memory


@attack("memory", 18, "freq --ngram 5 within 4x the corpus; a 106 KB -F literal bounded")
def memory(ctx: Context) -> list[Row]:
    if not ctx.gnu_time:
        return skip("memory", "", "no GNU time to measure peak RSS")
    corpus = real_corpus(ctx)
    if corpus is None:
        corpus = make_corpus(ctx.tmp("memory") / "c", ctx.n(500, 3000), 40, ctx.rnd)
    size_mb = sum(p.stat().st_size for p in corpus.rglob("*.txt")) / 1e6
    bound = max(4 * size_mb, 300)
    env = ctx.env()
    got = ctx.run(
        ["freq", "--ngram", "5", "--top", "10", "--index", "off", "--corpus", str(corpus)],
        env,
        ctx.n(300, 900),
        measure=True,
    )
    peak = got.peak_mb or 0
    rows = [
        Row(
            f"memory (freq --ngram 5, {corpus.name} {size_mb:.0f} MB)",
            1,
            f"exit 0, peak <= {bound:.0f} MB",
            f"{got.brief()}, peak {peak:.0f} MB",
            "ok" if got.code == 0 and peak <= bound else "FAIL",
        )
    ]
    literal = sentence(random.Random(2), 12000)[:60000]
    small = make_corpus(ctx.tmp("literal") / "c", 50, 10, ctx.rnd)
    got = ctx.run(
        ["grep", "-c", "-F", "-e", literal, "--index", "off", "--corpus", str(small)], env, 120, measure=True
    )
    peak = got.peak_mb or 0
    fine = got.code in (1, 2) and not got.internal and got.seconds <= 10 and peak <= 500
    rows.append(
        Row(
            f"memory (-F literal {len(literal.encode()) // 1000} KB)",
            1,
            "exit 1 or 2 in 10s, peak <= 500 MB",
            f"{got.brief()}, peak {peak:.0f} MB",
            "ok" if fine else "FAIL",
        )
    )
    return rows


# --------------------------------------------------------------------------- driver


def table(rows: list[Row]) -> str:
    header = ("attack", "trials", "expected", "observed", "verdict")
    cells = [header, *[(r.attack, str(r.trials), r.expected, r.observed, r.verdict) for r in rows]]
    widths = [min(max(len(c[i]) for c in cells), (44, 6, 48, 120, 7)[i]) for i in range(5)]
    lines = []
    for n, c in enumerate(cells):
        parts = [c[i][: widths[i]].ljust(widths[i]) if i != 1 else c[i].rjust(widths[i]) for i in range(5)]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def selected(only: str | None) -> Iterator[Attack]:
    if not only:
        yield from ATTACKS
        return
    wanted = {w.strip() for w in only.split(",") if w.strip()}
    unknown = wanted - {a.name for a in ATTACKS} - {str(a.item) for a in ATTACKS}
    if unknown:
        raise SystemExit(f"attack.py: no attack {', '.join(sorted(unknown))} (see --list)")
    yield from (a for a in ATTACKS if a.name in wanted or str(a.item) in wanted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus-bin",
        default=str(REPO / ".venv" / "bin" / "corpus"),
        help="the corpus command (default: .venv/bin/corpus)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer trials and smaller inputs (a few minutes)"
    )
    parser.add_argument(
        "--only", metavar="NAMES", help="comma-separated attack names or issue items (see --list)"
    )
    parser.add_argument("--list", action="store_true", help="list the attacks and exit")
    parser.add_argument(
        "--corpora", default="/tmp/corpora", help="where saudinewsnet is unpacked (default: /tmp/corpora)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds a single run may take (default: 120)"
    )
    args = parser.parse_args(argv)
    if args.list:
        for a in ATTACKS:
            print(f"{a.item:>3}  {a.name:<16} {a.summary}")
        return 0
    if not os.access(args.corpus_bin, os.X_OK):
        print(f"attack.py: {args.corpus_bin} is not an executable (--corpus-bin)", file=sys.stderr)
        return 2
    attacks = list(selected(args.only))
    root = Path(tempfile.mkdtemp(prefix="corpus-attack-"))

    def cleanup() -> None:
        PROCS.cleanup()
        for path in [root, *root.rglob("*")] if root.exists() else []:
            try:
                path.chmod(0o755 if path.is_dir() else 0o644)
            except OSError:
                pass
        shutil.rmtree(root, ignore_errors=True)

    def interrupted(signum: int, _frame: object) -> None:
        cleanup()
        raise SystemExit(128 + signum)

    atexit.register(cleanup)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    ctx = Context(args, root)
    rows: list[Row] = []
    started = now()
    try:
        for a in attacks:
            print(f"attack.py: {a.name} (item {a.item}) ...", file=sys.stderr, flush=True)
            t0 = now()
            try:
                rows.extend(a.run(ctx))
            except Exception as exc:  # an attack that breaks is a row, not a stop
                rows.append(
                    Row(a.name, 0, a.summary, f"the attack broke: {type(exc).__name__}: {exc}", "FAIL")
                )
            finally:
                PROCS.cleanup()
            print(f"attack.py: {a.name} done in {now() - t0:.0f}s", file=sys.stderr, flush=True)
    finally:
        cleanup()
    print(table(rows))
    failed = sum(r.verdict == "FAIL" for r in rows)
    print(
        f"\n{len(rows)} rows: {sum(r.verdict == 'ok' for r in rows)} ok, {failed} FAIL, "
        f"{sum(r.verdict == 'skip' for r in rows)} skipped; {now() - started:.0f}s; seed {args.seed}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
