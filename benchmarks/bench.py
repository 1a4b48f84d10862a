#!/usr/bin/env python3
"""Benchmark corpus-cli: start-up against a minimal Typer app, big-corpus commands
against ripgrep, GNU grep, a shell frequency pipeline and NLTK (concordance, FreqDist),
with and without the index, and load-time scaling.

Standalone, standard library only (the NLTK rows run the corpus Python with nltk in a
child, and are skipped when it cannot import nltk).  Every case runs as a child process
with its output read through a pipe (what a pipeline sees: plain/TSV output); wall time
is measured around the child, peak memory is its max RSS from GNU time's ``%M`` (else
``os.wait4``; for a shell pipeline: the largest single process in it).  The cases of a
group run interleaved, N rounds, after one untimed warm-up round.

    python3 benchmarks/bench.py                 # everything (~5-8 minutes)
    python3 benchmarks/bench.py --small-only    # start-up rows only (seconds)
    python3 benchmarks/bench.py -n 9 --big-n 1  # more start-up rounds, one big round
    python3 benchmarks/bench.py --corpus /tmp/gigabyte --index --timeout 3600 --big-n 1
    python3 benchmarks/bench.py --big-only --layer-only  # the token layer's goals (issue 15) only

See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIG = "saudinewsnet"

#: Queries that exist in saudinewsnet (lines holding the literal, by rg -F):
COMMON = "السعودية"  # 9,619 lines
KWIC = "الرياض"  # 7,431 lines
RARE = "الغواصات"  # 5 lines
SMALL = "سوريا"  # the start-up query, on the bundled seeds
TARGET_FOLDER = "aawsat"  # a folder of saudinewsnet (1,681,532 of its 9,012,028 words): keywords --target
FIRST_HIT = "في"  # in nearly every document: grep -q stops after loading + one document
KWIC_LIMIT = 100  # lines of the limited concordance (corpus kwic --limit, NLTK concordance_list)
KWIC_WIDTH = 40  # characters of context each side: corpus kwic's default --width

MINIMAL_APP = '''\
"""The smallest real Typer app: one command that prints a string."""

import typer

app = typer.Typer(add_completion=False)


@app.command()
def main() -> None:
    print("hello")


if __name__ == "__main__":
    app()
'''

NLTK_PEER = '''\
"""NLTK peer of corpus kwic/freq: read every .txt file under ROOT, wordpunct_tokenize.

    nltk_peer.py concordance ROOT MAX_BYTES TERM WIDTH LINES  # Text.concordance_list
    nltk_peer.py freq ROOT MAX_BYTES                          # FreqDist.most_common(), TSV

MAX_BYTES (0: none) caps the address space, so a corpus too big for NLTK's token lists
fails with exit 3 instead of pushing a shared machine into the OOM killer.
"""

import os
import resource
import sys


def main() -> int:
    mode, root, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cap:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import nltk
    from nltk.text import Text
    from nltk.tokenize import wordpunct_tokenize

    tokens = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".txt"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    tokens.extend(wordpunct_tokenize(fh.read()))
    out = sys.stdout
    out.reconfigure(encoding="utf-8")
    if mode == "concordance":
        term, width, lines = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
        text = Text(tokens)
        del tokens
        for line in text.concordance_list(term, width=width, lines=lines):
            out.write(line.line + "\\n")
    else:
        counts = nltk.FreqDist(tokens)
        del tokens
        out.writelines(f"{word}\\t{count}\\n" for word, count in counts.most_common())
    out.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except MemoryError:
        print(f"nltk_peer: out of memory (cap {sys.argv[3]} bytes)", file=sys.stderr)
        os._exit(3)
'''

# Goals from the issue.
STARTUP_RATIO = 1.3
STARTUP_MS = 100.0
MEMORY_FACTOR = 4.0

# Goals of the token layer (issue 15), checked with --index.  Times in seconds at 9M tokens
# (saudinewsnet); collocates also at 90M (the 1 GB corpus); the ratios hold at any size.
LAYER_VS_RG = 0.6  # kwic TERM, grep -c TERM: this times ripgrep at most
LEVEL_RATIO = 1.2  # freq at another normalization level: this times the default level at most
BUILD_MIN_PER_GB = 1.5
BUILD_RSS_MB = 1024.0
INDEX_SIZE_FACTOR = 2.5  # the index (SQLite file + token layer) over the corpus bytes
NGRAM_RSS_MB = 500.0
SMALL_TOKENS = 9e6  # saudinewsnet
LARGE_TOKENS = 90e6  # the 1 GB corpus


# --------------------------------------------------------------------------- running


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system seconds of the child and what it waited for
    rss_kb: int
    out_lines: int
    rc: int
    timed_out: bool = False
    stderr: tuple[str, ...] = ()  # its last lines on stderr


@dataclass
class Case:
    label: str
    argv: list[str]
    peers: tuple[str, ...] = ()  # labels of the cases this one is compared with
    is_corpus: bool = False  # a corpus-cli run (memory goal applies)
    ok_codes: tuple[int, ...] = (0, 1)
    exit_meaning: dict[int, str] = field(default_factory=dict)  # failure codes explained in the report
    env: dict[str, str] = field(default_factory=dict)  # set in the child's environment for this case
    samples: list[Sample] = field(default_factory=list)
    warmup: Sample | None = None  # the untimed first run (it may make caches, such as keys of a level)
    failed: str | None = None
    warnings: list[str] = field(default_factory=list)  # distinct warning lines it printed on stderr

    @property
    def walls(self) -> list[float]:
        return [s.wall for s in self.samples]

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def best(self) -> float:
        return min(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss_mb(self) -> float:
        return max(s.rss_kb for s in self.samples) / 1024

    @property
    def out_lines(self) -> int:
        return self.samples[-1].out_lines


class RssProbe:
    """Max RSS of a child.

    ``os.wait4`` alone is not enough: Linux keeps a process's peak RSS across fork and
    exec, so every child of this (Python) process reports at least this process's own
    peak.  GNU time forks the command from its own small image, so its ``%M`` is the
    command's.  Without it, wait4 is used and the floor is reported in the notes.
    """

    def __init__(self, tmp: Path) -> None:
        self.out = tmp / "rss"
        self.time = shutil.which("time", path="/usr/bin:/bin")
        if self.time:
            probe = subprocess.run(
                [self.time, "-f", "%M", "-o", str(self.out), sys.executable, "-c", ""], check=False
            )
            if probe.returncode != 0 or not self.out.read_text().strip().isdigit():
                self.time = None

    def wrap(self, argv: list[str]) -> list[str]:
        return [self.time, "-f", "%M", "-o", str(self.out), *argv] if self.time else argv

    def reset(self) -> None:
        self.out.unlink(missing_ok=True)  # a run killed by the timeout writes nothing

    def read(self, fallback_kb: int) -> int:
        if not self.time:
            return fallback_kb
        try:
            last = self.out.read_text().strip().splitlines()[-1]  # after any "exited with" line
        except (OSError, IndexError):
            return fallback_kb
        return int(last) if last.isdigit() else fallback_kb


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


STDERR_TAIL = 1 << 16  # bytes of a child's stderr kept: its last lines say why it failed


def run_once(argv: list[str], env: dict[str, str], timeout: float, rss: RssProbe, errors: Path) -> Sample:
    """Run ``argv``, drain its stdout through a pipe, return wall time and max RSS.

    The child runs in its own process group: after ``timeout`` seconds the whole group
    (GNU time, the command, a pipeline's processes) is killed, even if it prints nothing.
    Its stderr goes to the file ``errors`` (never a terminal, so no progress bar costs
    time), then to this process's stderr; its last lines are kept in the sample.
    """
    rss.reset()
    started = time.perf_counter()
    with open(errors, "wb") as stderr:
        proc = subprocess.Popen(
            rss.wrap(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            start_new_session=True,
        )
    assert proc.stdout is not None
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        kill_group(proc.pid)

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    timer.start()
    lines = 0
    try:
        while chunk := proc.stdout.read(1 << 16):
            lines += chunk.count(b"\n")
    except BaseException:  # Ctrl-C: the child is in another process group, take it along
        kill_group(proc.pid)
        raise
    finally:
        timer.cancel()
        proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen quiet
    cpu = usage.ru_utime + usage.ru_stime
    with open(errors, "rb") as fh:
        fh.seek(max(0, fh.seek(0, os.SEEK_END) - STDERR_TAIL))
        said = fh.read().decode("utf-8", "replace")
    if said:
        sys.stderr.write(said if said.endswith("\n") else said + "\n")
    tail = tuple(line.strip() for line in said.splitlines() if line.strip())[-5:]
    return Sample(wall, cpu, rss.read(usage.ru_maxrss), lines, proc.returncode, expired.is_set(), tail)


def last_words(sample: Sample) -> str:
    """The child's last line on stderr, for the report of a failed row."""
    if not sample.stderr:
        return ""
    line = sample.stderr[-1]
    return f"; it said: {line[:300]}{'…' if len(line) > 300 else ''}"


def run_group(
    cases: list[Case],
    rounds: int,
    env: dict[str, str],
    timeout: float,
    rss: RssProbe,
    title: str,
    errors: Path,
) -> None:
    """One untimed warm-up round, then ``rounds`` interleaved rounds.

    A case that times out or exits with a code it does not expect is dropped (its row
    is missing, the notes say why); the others go on.
    """
    for r in range(rounds + 1):
        tag = "warm-up" if r == 0 else f"round {r}/{rounds}"
        for case in cases:
            if case.failed:
                continue
            log(f"[{title}] {tag}: {case.label}")
            sample = run_once(case.argv, {**env, **case.env}, timeout, rss, errors)
            for line in sample.stderr:
                if "warning" in line and line not in case.warnings:
                    case.warnings.append(line)
            if sample.timed_out:
                case.failed = f"timed out after {timeout:g} s (--timeout): `{shlex.join(case.argv)}`"
                log(f"bench: {case.label!r} {case.failed}; dropped")
            elif sample.rc not in case.ok_codes:
                meaning = f" ({case.exit_meaning[sample.rc]})" if sample.rc in case.exit_meaning else ""
                case.failed = f"exited {sample.rc}{meaning}: `{shlex.join(case.argv)}`{last_words(sample)}"
                log(f"bench: {case.label!r} {case.failed}; dropped")
            elif r > 0:
                case.samples.append(sample)
            else:
                case.warmup = sample


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- setup


def interpreter_of(script: str) -> str:
    """The Python that runs the ``corpus`` script (its shebang), else this one."""
    try:
        with open(script, "rb") as fh:
            first = fh.readline().decode("utf-8", "replace").strip()
    except OSError:
        return sys.executable
    if first.startswith("#!") and "python" in first:
        parts = first[2:].split()
        if parts and Path(parts[0]).name != "env":
            return parts[0]
        if len(parts) > 1:
            return shutil.which(parts[1]) or sys.executable
    return sys.executable


def child_env(pycache: Path, cache: Path, keep_env: bool) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "CORPUS_PATH", "CORPUS_DEBUG"):
        env.pop(name, None)
    # A private, empty index cache: the rows without "(index)" read the files even where
    # the user has built an index of the corpus, and --index never writes to the user's.
    env["CORPUS_CACHE_DIR"] = str(cache)
    if not keep_env:
        # Byte-code as an installed package has it: compiled once (by the warm-up),
        # into a private cache, even where PYTHONDONTWRITEBYTECODE is set and the
        # checkout's __pycache__ is stale.  The same for corpus and the minimal app.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def version_of(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


def snapshot(rev: str, dest: Path, python: str) -> str:
    """``rev`` of this repository unpacked in ``dest``, and a ``corpus`` script that runs it."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", rev], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    script = dest / "corpus"
    script.write_text(
        f"#!{python}\nimport sys\nsys.path.insert(0, {str(dest)!r})\n"
        "from corpus_cli.launch import main\nsys.exit(main())\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return str(script)


def find_big_corpus(corpora: Path, notes: list[str]) -> Path | None:
    target = corpora / BIG
    if target.is_dir():
        return target
    unpack = REPO.parent / "shared" / "corpora" / "unpack.sh"
    if not unpack.is_file():
        notes.append(f"{target} is missing and {unpack} is not there: big-corpus rows skipped.")
        return None
    log(f"unpacking {BIG} into {corpora} ...")
    result = subprocess.run(["bash", str(unpack), str(corpora), BIG], capture_output=True, text=True)
    if result.returncode != 0 or not target.is_dir():
        notes.append(f"unpacking {BIG} failed ({result.stderr.strip()[:200]}): big-corpus rows skipped.")
        return None
    return target


def text_files(root: Path) -> list[Path]:
    """The ``.txt`` files under ``root`` in path order (os.walk: Path.rglob is slow on 300k files)."""
    found: list[tuple[list[str], str]] = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            if name.endswith(".txt"):
                full = os.path.join(folder, name)
                if os.path.isfile(full):
                    found.append((os.path.relpath(full, root).split(os.sep), full))
    found.sort()
    return [Path(full) for _, full in found]


def find_dir(root: Path, name: str) -> Path | None:
    """The first directory called ``name`` under ``root`` (``root`` included), in path order."""
    if root.name == name:
        return root
    for folder, dirs, _ in os.walk(root):
        dirs.sort()
        if name in dirs:
            return Path(folder) / name
    return None


def physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 0


def symlink_subset(files: list[Path], root: Path, dest: Path, step: int) -> int:
    """Every ``step``-th file of ``files`` as a symlink tree under ``dest``; its bytes."""
    total = 0
    for file in files[::step]:
        link = dest / file.relative_to(root)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(file)
        total += file.stat().st_size
    return total


# --------------------------------------------------------------------------- report


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(cases: list[Case]) -> list[str]:
    by_label = {c.label: c for c in cases}
    rows = [
        "| command | median wall | min wall | peak RSS MB | ratio vs peer | median CPU | output lines |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for c in cases:
        if not c.samples:
            continue
        peers = [p for p in (by_label.get(label) for label in c.peers) if p is not None and p.samples]
        if peers:
            ratio = "; ".join(f"{c.median / p.median:.2f}× `{p.label}`" for p in peers)
        else:
            ratio = "(peer)" if any(c.label in o.peers for o in cases) else ""
        rows.append(
            f"| `{c.label}` | {fmt_s(c.median)} | {fmt_s(c.best)} | {c.rss_mb:.1f} "
            f"| {ratio} | {fmt_s(c.cpu)} | {c.out_lines} |"
        )
    return rows


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def unmeasured(case: Case | None, label: str) -> str:
    """Why a goal has no number: its row failed (timed out, an exit code) or never ran."""
    if case is None:
        return f"`{label}` did not run"
    return f"`{label}` {case.failed}" if case.failed else f"`{label}` has no timed run"


def warned(*cases: Case) -> str:
    """A remark for a goal whose rows warned (an index they could not use: the number is the text's)."""
    said = [c.label for c in cases if c.warnings]
    return f" (warned on stderr: {', '.join(f'`{label}`' for label in said)}; see the notes)" if said else ""


def ratio_goal(goal: str, cases: dict[str, Case], label: str, peer: str, limit: float) -> str:
    """A check line: ``label``'s median wall over ``peer``'s is at most ``limit``."""
    case, base = cases.get(label), cases.get(peer)
    for c, name in ((case, label), (base, peer)):
        if c is None or not c.samples:
            return f"- {goal}: not measured: {unmeasured(c, name)}"
    assert case is not None and base is not None
    ratio = case.median / base.median
    return (
        f"- {goal}: `{label}` {fmt_s(case.median)} = {ratio:.2f}× `{peer}` ({fmt_s(base.median)}): "
        f"≤ {limit:g}× {verdict(ratio <= limit)}; by CPU time {case.cpu / base.cpu:.2f}×{warned(case, base)}"
    )


def seconds_goal(
    goal: str, cases: dict[str, Case], label: str, limit: float | None, rss_limit_mb: float | None = None
) -> str:
    """A check line: ``label``'s median wall is at most ``limit`` seconds (None: reported only)."""
    case = cases.get(label)
    if case is None or not case.samples:
        return f"- {goal}: not measured: {unmeasured(case, label)}"
    parts = [f"- {goal}: `{label}` {fmt_s(case.median)} (CPU {fmt_s(case.cpu)})"]
    if limit is not None:
        parts.append(f": ≤ {limit:g} s {verdict(case.median <= limit)}")
    parts.append(f"; peak RSS {case.rss_mb:.0f} MB")
    if rss_limit_mb is not None:
        parts.append(f": ≤ {rss_limit_mb:.0f} MB {verdict(case.rss_mb <= rss_limit_mb)}")
    parts.append(warned(case))
    return "".join(parts)


def index_files_in(index_dir: Path) -> tuple[Path | None, list[Path]]:
    """The index that ``index build -o index_dir`` wrote, and every file beside it.

    The SQLite file is ``*.corpus-index``; its token layer (``*.corpus-index-tokens``) and
    the keys kept for other normalization levels (``*-tokens-keys-*``) sit beside it and
    count in its size on disk.
    """
    files = sorted(p for p in index_dir.glob("*") if p.is_file())
    main = [p for p in files if p.name.endswith(".corpus-index")]
    return (main[0] if len(main) == 1 else None), files


def token_count(status_argv: list[str], env: dict[str, str]) -> int | None:
    """The corpus's tokens, as ``corpus index status`` reports them (None if it cannot)."""
    try:
        out = subprocess.run(status_argv, capture_output=True, text=True, env=env, timeout=600).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.splitlines():
        name, _, value = line.strip().partition(":")
        if name == "tokens" and value.strip().replace(",", "").isdigit():
            return int(value.strip().replace(",", ""))
    return None


def in_pipe_to_head(argv: list[str]) -> list[str]:
    """``argv | head`` in bash with pipefail: head exits after 10 lines and closes the pipe."""
    return ["bash", "-c", 'set -o pipefail; "$@" | head', "bash", *argv]


def layer_goal_checks(
    cases: dict[str, Case],
    build: Case | None,
    corpus_bytes: int,
    index_bytes: int,
    tokens: int | None,
    keywords_label: str | None,
) -> list[str]:
    """The Goals lines of issue 15 (the token layer), from the rows of one run.

    The times in seconds are the issue's at 9M tokens (saudinewsnet); on a corpus several
    times that size (the 1 GB corpus: 90M) only collocates has a goal (5 s), the others are
    reported.  Ratios and the build's goals hold at any size.
    """
    large = tokens > 3 * SMALL_TOKENS if tokens is not None else corpus_bytes > 300e6
    scale = f"{tokens / 1e6:.1f}M tokens" if tokens is not None else f"{corpus_bytes / 1e6:.0f} MB"

    def small_only(limit: float) -> float | None:
        return None if large else limit

    lines = [
        ratio_goal(
            "kwic (all lines)", cases, f"corpus kwic {KWIC} (index)", f"rg -F -w -o {KWIC}", LAYER_VS_RG
        ),
        ratio_goal("grep -c", cases, f"corpus grep -c {COMMON} (index)", f"rg -c -F {COMMON}", LAYER_VS_RG),
        ratio_goal(
            "kwic | head, never slower with the index",
            cases,
            f"corpus kwic {KWIC} | head (index)",
            f"corpus kwic {KWIC} | head",
            1.0,
        ),
        seconds_goal(
            f"collocates at {scale}",
            cases,
            f"corpus collocates {KWIC} (index)",
            5.0 if large else 1.0,
        ),
        seconds_goal(
            "freq --ngram 2",
            cases,
            "corpus freq --ngram 2 --top 100 (index)",
            small_only(3.0),
            small_only(NGRAM_RSS_MB),
        ),
        seconds_goal("dispersion", cases, f"corpus dispersion {KWIC} (index)", small_only(0.5)),
        seconds_goal("keywords", cases, keywords_label, small_only(1.0))
        if keywords_label
        else f"- keywords: not measured: no {TARGET_FOLDER}/ folder",
        seconds_goal(
            "freq TERM --clitics --by-doc",
            cases,
            f"corpus freq {KWIC} --clitics --by-doc (index)",
            small_only(2.0),
        ),
    ]
    for level in ("--keep alef", "--norm aggressive"):
        lines.append(
            ratio_goal(
                f"freq {level}, as fast as the default level",
                cases,
                f"corpus freq {level} --top 100 (index)",
                "corpus freq --top 100 (index)",
                LEVEL_RATIO,
            )
        )
    if large:
        lines.append(
            f"- at {scale} the issue sets no time in seconds except for collocates (5 s at "
            f"{LARGE_TOKENS / 1e6:.0f}M tokens): the other times and freq --ngram's memory are reported, "
            f"not checked (their goals are set at {SMALL_TOKENS / 1e6:.0f}M tokens)"
        )
    if build is None or not build.samples:
        lines.append(f"- index build: not measured: {unmeasured(build, 'corpus index build')}")
    else:
        per_gb = build.median / 60 / (corpus_bytes / 1e9)
        size = index_bytes / corpus_bytes
        lines.append(
            f"- index build: {fmt_s(build.median)} for {corpus_bytes / 1e6:.1f} MB = {per_gb:.2f} min/GB: "
            f"≤ {BUILD_MIN_PER_GB:g} {verdict(per_gb <= BUILD_MIN_PER_GB)}; peak RSS {build.rss_mb:.0f} MB: "
            f"≤ 1 GB ({BUILD_RSS_MB:.0f} MB) {verdict(build.rss_mb <= BUILD_RSS_MB)}; index + token layer "
            f"{index_bytes / 1e6:.1f} MB = {size:.2f}× the corpus bytes: ≤ {INDEX_SIZE_FACTOR:g}× "
            f"{verdict(size <= INDEX_SIZE_FACTOR)}"
        )
    return lines


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus-bin", help="the corpus command (default: `corpus` on PATH)")
    parser.add_argument("--corpora", default="/tmp/corpora", help="where the unpacked corpora are")
    parser.add_argument(
        "--corpus",
        metavar="PATH",
        help=f"the big corpus: a directory of .txt files (default: CORPORA/{BIG}, unpacked if missing), "
        "e.g. the 1 GB one benchmarks/make_gigabyte.py makes",
    )
    parser.add_argument(
        "--index",
        action="store_true",
        help="build the corpus index first (a row: build time, peak RSS) and add (index) rows",
    )
    parser.add_argument(
        "--frozen",
        action="store_true",
        help="with --index, also build a frozen index (index build --frozen) and add (frozen index) rows",
    )
    parser.add_argument(
        "--layer-only",
        action="store_true",
        help="only the index build and the token-layer goal rows of issue 15 with their peers "
        "(implies --index; no grep/--limit/freq --top 0/NLTK/list/load rows): the 1 GB corpus in minutes",
    )
    parser.add_argument(
        "--build-timeout", type=float, default=3600, help="seconds for the index build (3600)"
    )
    parser.add_argument("--no-nltk", action="store_true", help="skip the NLTK rows")
    parser.add_argument(
        "--nltk-mem-gb",
        type=float,
        default=round(physical_memory() / 2**30 / 2, 1) or 8.0,
        help="address-space cap of an NLTK row in GiB (default: half the RAM)",
    )
    parser.add_argument(
        "--kwic-limit", type=int, default=KWIC_LIMIT, help=f"lines of the limited kwic rows ({KWIC_LIMIT})"
    )
    parser.add_argument("-n", "--small-n", type=int, default=5, help="rounds for start-up rows (5)")
    parser.add_argument("--big-n", type=int, default=3, help="rounds for big-corpus rows (3)")
    parser.add_argument("--small-only", action="store_true", help="only the start-up rows")
    parser.add_argument("--big-only", action="store_true", help="only the big-corpus rows")
    parser.add_argument("--no-list", action="store_true", help="skip `corpus list` on the big corpus")
    parser.add_argument(
        "--no-analysis", action="store_true", help="skip collocates and keywords on the big corpus"
    )
    parser.add_argument("--no-scaling", action="store_true", help="skip the load-scaling rows")
    parser.add_argument(
        "--keep-env",
        action="store_true",
        help="keep this environment's Python settings for children (the index cache stays private)",
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds per run before it is killed")
    parser.add_argument("--output", help="also write the report (Markdown) to this file")
    parser.add_argument(
        "--rev",
        help="benchmark this git revision of the repo (unpacked to a temp dir, run with the "
        "corpus script's Python) instead of the working tree",
    )
    args = parser.parse_args()
    args.index = args.index or args.layer_only
    if args.corpus and not Path(args.corpus).is_dir():
        parser.error(f"--corpus {args.corpus}: not a directory")
    group = Path(args.corpus).resolve().name if args.corpus else BIG

    corpus_bin = args.corpus_bin or shutil.which("corpus")
    if not corpus_bin:
        parser.error("no `corpus` on PATH: pass --corpus-bin (e.g. .venv/bin/corpus)")
    corpus_bin = str(Path(corpus_bin).resolve())
    python = interpreter_of(corpus_bin)
    notes: list[str] = []
    checks: list[str] = []
    started = time.monotonic()
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix="corpus-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = child_env(tmp / "pycache", tmp / "index-cache", args.keep_env)
        if args.rev:
            rev_id = version_of(["git", "-C", str(REPO), "rev-parse", "--short", args.rev])
            corpus_bin = snapshot(args.rev, tmp / "snapshot", python)
            notes.append(f"corpus-cli at git revision {args.rev} ({rev_id}), not the working tree.")
        rss = RssProbe(tmp)
        nltk_version = ""
        if not (args.small_only or args.no_nltk or args.layer_only):
            nltk_version = version_of([python, "-c", "import nltk; print(nltk.__version__)"])
            if nltk_version == "?":
                nltk_version = ""
                notes.append(
                    f"nltk is not importable by `{python}`: NLTK rows skipped "
                    "(pip install 'corpus-cli[bench]', or pip install nltk)."
                )
        if not rss.time:
            floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            notes.append(
                "GNU time (/usr/bin/time) is missing: peak RSS comes from os.wait4 and is at least "
                f"this script's own peak (about {floor:.0f} MB or more) for every row."
            )
        minimal = tmp / "minimal_app.py"
        minimal.write_text(MINIMAL_APP, encoding="utf-8")

        # ------------------------------------------------------------ start-up
        small: list[Case] = []
        if not args.big_only:
            small = [
                Case(
                    f"corpus grep {SMALL}",
                    [corpus_bin, "grep", SMALL],
                    peers=("minimal typer app",),
                    is_corpus=True,
                ),
                Case("minimal typer app", [python, str(minimal)]),
                Case("python -c 'import typer'", [python, "-c", "import typer"]),
                Case("python -c pass", [python, "-c", "pass"]),
            ]
            run_group(small, args.small_n, env, args.timeout, rss, "start-up", tmp / "stderr")
            cli, mini = small[0], small[1]
            ratio = cli.median / mini.median
            checks.append(
                f"- start-up: `corpus grep {SMALL}` median {cli.median * 1000:.1f} ms = {ratio:.2f}× the "
                f"minimal Typer app ({mini.median * 1000:.1f} ms): ≤ {STARTUP_RATIO}× "
                f"{verdict(ratio <= STARTUP_RATIO)}, ≤ {STARTUP_MS:.0f} ms "
                f"{verdict(cli.median * 1000 <= STARTUP_MS)}; by CPU time (less sensitive to other "
                f"load) {cli.cpu * 1000:.1f} ms = {cli.cpu / mini.cpu:.2f}× ({mini.cpu * 1000:.1f} ms)"
            )
            if cli.samples[-1].rc != 0 or cli.out_lines == 0:
                notes.append(f"`corpus grep {SMALL}` found nothing on the seeds (exit {cli.samples[-1].rc}).")

        # ------------------------------------------------------------ big corpus
        big: list[Case] = []
        builds: list[Case] = []  # the index builds (--index), rows of their own
        scaling: list[tuple[Case, int]] = []
        corpus_bytes = 0
        n_files = 0
        root: Path | None = None
        if not args.small_only:
            root = Path(args.corpus).resolve() if args.corpus else find_big_corpus(Path(args.corpora), notes)
        rg = shutil.which("rg")
        if root is not None and rg is None:
            notes.append("ripgrep (rg) is not installed: big-corpus rows skipped (apt-get install ripgrep).")
            root = None
        if root is not None:
            log(f"listing the .txt files under {root} ...")
            files = text_files(root)
            if not files:
                notes.append(f"no .txt files under {root}: big-corpus rows skipped.")
                root = None
        if root is not None and rg is not None:
            n_files = len(files)
            corpus_bytes = sum(f.stat().st_size for f in files)
            d = str(root)
            cb = [corpus_bin, "--corpus", d]
            pipeline = (
                f"find {shlex.quote(d)} -name '*.txt' -print0 | xargs -0 cat "
                "| tr -s '[:space:]' '\\n' | LC_ALL=C sort | uniq -c | LC_ALL=C sort -rn"
            )

            # The index (--index): built once, timed as a row, then "(index)" rows beside
            # the corpus rows that read the files.
            index_file: Path | None = None
            frozen_file: Path | None = None
            index_dir = tmp / "index"  # where the plain (not --frozen) index is built
            index_bytes = 0  # the index on disk after the build: SQLite file + token layer
            tokens: int | None = None
            if args.index:
                log(f"[{group}] reading the corpus once (page cache), then corpus index build ...")
                subprocess.run(
                    ["bash", "-c", f"find {shlex.quote(d)} -name '*.txt' -print0 | xargs -0 cat >/dev/null"],
                    check=False,
                )
                for frozen in (False, True) if args.frozen else (False,):
                    build_dir = tmp / "frozen-index" if frozen else index_dir
                    label = "corpus index build --frozen" if frozen else "corpus index build"
                    build_argv = [
                        *cb,
                        "index",
                        "build",
                        "-o",
                        str(build_dir),
                        *(["--frozen"] if frozen else []),
                    ]
                    build = Case(label, build_argv, is_corpus=True)
                    builds.append(build)
                    sample = run_once(build_argv, env, args.build_timeout, rss, tmp / "stderr")
                    built, beside = index_files_in(build_dir) if sample.rc == 0 else (None, [])
                    if sample.timed_out:
                        build.failed = f"timed out after {args.build_timeout:g} s (--build-timeout)"
                    elif sample.rc != 0 or built is None:
                        found = ", ".join(p.name for p in beside) or "nothing"
                        command = shlex.join(build.argv)
                        build.failed = f"exited {sample.rc} (wrote {found}): `{command}`{last_words(sample)}"
                    else:
                        build.samples.append(sample)
                        if frozen:
                            frozen_file = built
                        else:
                            index_file = built
                            index_bytes = sum(p.stat().st_size for p in beside)
                            sizes = ", ".join(f"`{p.name}` {p.stat().st_size / 1e6:.1f} MB" for p in beside)
                            notes.append(
                                f"`corpus index build`: one run after a read of every file (warm page "
                                f"cache); the index is {index_bytes / 1e6:.1f} MB on disk ({sizes}). "
                                f"The (index) rows pass `--index {built.name}` (in a temp dir)."
                            )
                            tokens = token_count([*cb, "index", "status", "-o", str(build_dir)], env)
                    if build.failed:
                        log(f"bench: {label} {build.failed}; no rows for it")
                if frozen_file is not None:
                    notes.append(
                        "`--frozen`: the (frozen index) rows use an index built with `index build "
                        "--frozen`, which queries check by its directories only (no `stat` of every file)."
                    )

            def corpus_rows(
                label: str,
                sub: list[str],
                peers: tuple[str, ...] = (),
                wrap: Callable[[list[str]], list[str]] | None = None,
                ok_codes: tuple[int, ...] = (0, 1),
            ) -> list[Case]:
                """``corpus SUB`` on the files and, with an index, ``--index FILE`` after the command.

                ``wrap`` turns the command into the argv that runs (a pipeline around it).
                """
                around = wrap or (lambda argv: argv)
                rows = [Case(label, around([*cb, *sub]), peers=peers, is_corpus=True, ok_codes=ok_codes)]
                for kind, built_file in (("index", index_file), ("frozen index", frozen_file)):
                    if built_file is not None:
                        argv = around([*cb, sub[0], "--index", str(built_file), *sub[1:]])
                        rows.append(
                            Case(
                                f"{label} ({kind})",
                                argv,
                                peers=(*peers, label),
                                is_corpus=True,
                                ok_codes=ok_codes,
                            )
                        )
                return rows

            nltk_conc = f"nltk concordance {KWIC} ({args.kwic_limit})"
            nltk_freq = "nltk FreqDist"
            nltk_cases: dict[str, Case] = {}
            if nltk_version:
                peer_script = tmp / "nltk_peer.py"
                peer_script.write_text(NLTK_PEER, encoding="utf-8")
                cap = str(int(args.nltk_mem_gb * 2**30))
                width = 2 * KWIC_WIDTH + len(KWIC) + 2  # NLTK: (width - len(term) - 2) // 2 a side
                peer = [python, str(peer_script)]
                conc = ["concordance", d, cap, KWIC, str(width), str(args.kwic_limit)]
                oom = {3: f"over the {args.nltk_mem_gb:g} GiB cap of --nltk-mem-gb"}
                nltk_cases = {
                    "conc": Case(nltk_conc, [*peer, *conc], ok_codes=(0,), exit_meaning=oom),
                    "freq": Case(nltk_freq, [*peer, "freq", d, cap], ok_codes=(0,), exit_meaning=oom),
                }
                notes.append(
                    f"NLTK rows (nltk {nltk_version}, run by `{python}`): every .txt file read into one "
                    "token list with `wordpunct_tokenize` (regex `\\w+|[^\\w\\s]+`: diacritics split "
                    "words, no Arabic normalization), then `Text(tokens).concordance_list(term, "
                    f"width={width}, lines={args.kwic_limit})` (exact token, contexts "
                    "run across documents) or `FreqDist(tokens).most_common()` as TSV (punctuation "
                    f"tokens counted too). Address space capped at {args.nltk_mem_gb:g} GiB "
                    "(--nltk-mem-gb): over it the row fails with exit 3."
                )

            full = not args.layer_only  # the rows from before the token layer; --layer-only skips them
            kwic_head = f"corpus kwic {KWIC} | head"
            if full:
                big += [
                    *corpus_rows(f"corpus grep {COMMON}", ["grep", COMMON], peers=(f"rg -F {COMMON}",)),
                    Case(f"rg -F {COMMON}", [rg, "--no-config", "-F", "-n", "-g", "*.txt", COMMON, d]),
                    Case(f"grep -F -r {COMMON}", ["grep", "-F", "-r", "-n", "--include=*.txt", COMMON, d]),
                ]
            big += [
                *corpus_rows(
                    f"corpus grep -c {COMMON}", ["grep", "-c", COMMON], peers=(f"rg -c -F {COMMON}",)
                ),
                Case(f"rg -c -F {COMMON}", [rg, "--no-config", "-c", "-F", "-g", "*.txt", COMMON, d]),
            ]
            if full:
                big += [
                    *corpus_rows(f"corpus grep {RARE}", ["grep", RARE], peers=(f"rg -F {RARE}",)),
                    Case(f"rg -F {RARE}", [rg, "--no-config", "-F", "-n", "-g", "*.txt", RARE, d]),
                    Case(f"grep -F -r {RARE}", ["grep", "-F", "-r", "-n", "--include=*.txt", RARE, d]),
                ]
            big += [
                *corpus_rows(f"corpus kwic {KWIC}", ["kwic", KWIC], peers=(f"rg -F -w -o {KWIC}",)),
                Case(
                    f"rg -F -w -o {KWIC}",
                    [rg, "--no-config", "-F", "-w", "-o", "-n", "--column", "-g", "*.txt", KWIC, d],
                ),
                # head exits after 10 lines: how soon kwic notices the closed pipe and stops.
                # 141 = killed by SIGPIPE, an acceptable way to stop here.
                *corpus_rows(kwic_head, ["kwic", KWIC], wrap=in_pipe_to_head, ok_codes=(0, 1, 141)),
            ]
            if full:
                big += [
                    *corpus_rows(
                        f"corpus kwic {KWIC} --limit {args.kwic_limit}",
                        ["kwic", KWIC, "--limit", str(args.kwic_limit), "--width", str(KWIC_WIDTH)],
                        peers=(f"rg -F {KWIC}", nltk_conc),
                    ),
                    Case(f"rg -F {KWIC}", [rg, "--no-config", "-F", "-n", "-g", "*.txt", KWIC, d]),
                    *([nltk_cases["conc"]] if nltk_cases else []),
                    *corpus_rows(
                        "corpus freq --top 0",
                        ["freq", "--top", "0"],
                        peers=("shell freq pipeline", nltk_freq),
                    ),
                    Case(
                        "shell freq pipeline", ["bash", "-c", f"set -o pipefail; {pipeline}"], ok_codes=(0,)
                    ),
                    *([nltk_cases["freq"]] if nltk_cases else []),
                ]
            target, reference = find_dir(root, TARGET_FOLDER), find_dir(root, "okaz")
            if full and not args.no_analysis:
                # The analyst's commands: no peer does the same job, so no ratio.
                big += [
                    Case(
                        f"corpus collocates {KWIC}", [*cb, "collocates", KWIC, "--top", "20"], is_corpus=True
                    ),
                ]
                if target is not None and reference is not None:
                    big.append(
                        Case(
                            f"corpus keywords ({TARGET_FOLDER} vs okaz)",
                            [corpus_bin, "--corpus", str(target), "keywords", "--reference", str(reference)],
                            is_corpus=True,
                        )
                    )
                    if target.parent != root:
                        notes.append(f"keywords: `{target}` against `{reference}`.")
                else:
                    notes.append(
                        f"no {TARGET_FOLDER}/ and okaz/ folders under {root}: the keywords row is skipped."
                    )
            # The token layer's goals (issue 15): commands that answer from the index's positions.
            keywords_label: str | None = None
            if index_file is not None:

                def index_row(
                    label: str, sub: list[str], peers: tuple[str, ...] = (), auto: bool = False
                ) -> Case:
                    """``corpus SUB`` with ``--index FILE`` after the command: an (index) row.

                    ``auto``: ``--index auto`` with the build's directory as the cache, the way a
                    query at another normalization level finds the default level's index (its
                    token layer); ``--index FILE`` at another level searches without the index.
                    """
                    if auto:
                        argv = [*cb, sub[0], "--index", "auto", *sub[1:]]
                        environment = {"CORPUS_CACHE_DIR": str(index_dir)}
                        return Case(f"{label} (index)", argv, peers=peers, is_corpus=True, env=environment)
                    argv = [*cb, sub[0], "--index", str(index_file), *sub[1:]]
                    return Case(f"{label} (index)", argv, peers=peers, is_corpus=True)

                default_level = "corpus freq --top 100 (index)"
                big += [
                    index_row(
                        f"corpus collocates {KWIC}",
                        ["collocates", KWIC, "--top", "20"],
                        peers=(f"corpus collocates {KWIC}",),
                    ),
                    index_row("corpus freq --ngram 2 --top 100", ["freq", "--ngram", "2", "--top", "100"]),
                    index_row(f"corpus dispersion {KWIC}", ["dispersion", KWIC]),
                    index_row(
                        f"corpus freq {KWIC} --clitics --by-doc", ["freq", KWIC, "--clitics", "--by-doc"]
                    ),
                    # The three levels the same way (--index auto), so that only the level differs.
                    index_row("corpus freq --top 100", ["freq", "--top", "100"], auto=True),
                    index_row(
                        "corpus freq --keep alef --top 100",
                        ["freq", "--keep", "alef", "--top", "100"],
                        peers=(default_level,),
                        auto=True,
                    ),
                    index_row(
                        "corpus freq --norm aggressive --top 100",
                        ["freq", "--norm", "aggressive", "--top", "100"],
                        peers=(default_level,),
                        auto=True,
                    ),
                ]
                if target is not None and target != root:
                    # Documents are selected by id; a folder's ids start with its path under the corpus.
                    folder = target.relative_to(root).as_posix() + "/"
                    keywords_label = f"corpus keywords --target {folder}"
                    big.append(index_row(keywords_label, ["keywords", "--target", folder]))
                    keywords_label += " (index)"
                else:
                    notes.append(f"no {TARGET_FOLDER}/ folder under {root}: no `keywords --target` row.")
            if full and not args.no_list:
                big += [
                    *corpus_rows("corpus list", ["list"], peers=("wc -lwm (xargs)",)),
                    Case(
                        "wc -lwm (xargs)",
                        ["bash", "-c", f"find {shlex.quote(d)} -name '*.txt' -print0 | xargs -0 wc -lwm"],
                        ok_codes=(0,),
                    ),
                ]
            if full and not args.no_scaling:
                for step, name in ((4, "1/4"), (2, "1/2"), (1, "all")):
                    sub = tmp / f"subset_{step}"
                    size = symlink_subset(files, root, sub, step)
                    case = Case(
                        f"corpus load {name} ({size / 1e6:.1f} MB)",
                        [corpus_bin, "--corpus", str(sub), "grep", "-q", FIRST_HIT],
                        is_corpus=True,
                    )
                    scaling.append((case, size))
                    big.append(case)
            run_group(big, args.big_n, env, args.timeout, rss, group, tmp / "stderr")

            if args.index:
                by_label = {c.label: c for c in builds + big}
                plain_build = next((b for b in builds if b.label == "corpus index build"), None)
                checks += layer_goal_checks(
                    by_label, plain_build, corpus_bytes, index_bytes, tokens, keywords_label
                )
                if tokens is not None:
                    notes.append(f"`corpus index status`: {tokens:,} tokens (words and numbers).")
            if index_file is not None:
                kept = [p for p in index_dir.glob("*-keys-*") if p.is_file()]
                firsts = [
                    f"`{c.label}` {fmt_s(c.warmup.wall)}"
                    for c in big
                    if c.warmup is not None and ("--keep" in c.argv or "--norm" in c.argv)
                ]
                notes.append(
                    "`freq --top 100`, `freq --keep alef` and `freq --norm aggressive` (index) run with "
                    "`--index auto` and the build's directory as CORPUS_CACHE_DIR (`--index FILE` at "
                    "another level searches without the index). The index is built at the "
                    "default level; a query at another level is served by its token layer, whose first run "
                    "at that level computes the keys of every spelling and keeps them beside the layer. "
                    "The untimed warm-up round makes them (its runs: "
                    + ("; ".join(firsts) or "none")
                    + "), so the timed rounds read kept keys"
                    + (
                        f" ({', '.join(f'`{p.name}` {p.stat().st_size / 1e6:.1f} MB' for p in kept)}, not "
                        "counted in the index size above)."
                        if kept
                        else "; no keys file was kept beside the layer: those rows did not read it at "
                        "their level (see their warnings, if any)."
                    )
                )

            for c in builds + big:
                if c.is_corpus and c.samples:
                    factor = c.rss_mb * 1024 * 1024 / corpus_bytes
                    if "load" in c.label and "all" not in c.label:
                        continue
                    checks.append(
                        f"- memory: `{c.label}` peak RSS {c.rss_mb:.0f} MB = {factor:.2f}× the corpus "
                        f"bytes: ≤ {MEMORY_FACTOR:.0f}× {verdict(factor <= MEMORY_FACTOR)}"
                    )
            if corpus_bytes < 50e6:
                notes.append(
                    f"{group} is {corpus_bytes / 1e6:.1f} MB: the memory goal is meant for big corpora; "
                    "here the interpreter's own ~20 MB dominate every corpus row's peak RSS."
                )
            scaling = [(case, size) for case, size in scaling if case.samples]
            if len(scaling) > 1:
                base = small[0].median if small and small[0].samples else 0.0  # start-up, not loading
                lines = []
                points = []
                for case, size in scaling:
                    net = max(case.median - base, 1e-6)
                    points.append((size, net))
                    lines.append(
                        f"{size / 1e6:.1f} MB: {case.median:.2f} s ({net / (size / 1e6) * 1000:.1f} ms/MB "
                        f"after start-up, RSS {case.rss_mb:.0f} MB)"
                    )
                (s0, t0), (s1, t1) = points[0], points[-1]
                exponent = math.log(t1 / t0) / math.log(s1 / s0)
                checks.append(
                    f"- loading: {'; '.join(lines)}. Time grows as size^{exponent:.2f} from 1/4 to all "
                    f"(1 = linear, 2 = quadratic): not quadratic {verdict(exponent < 1.3)}"
                )

    load_after = os.getloadavg()
    elapsed = time.monotonic() - started

    out: list[str] = ["# corpus-cli benchmark", ""]
    out.append(
        f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    out.append(
        f"- corpus: `{corpus_bin}`, Python {version_of([python, '-c', 'import sys; print(sys.version)'])}"
    )
    out.append(
        "- typer "
        + version_of([python, "-c", "import typer; print(typer.__version__)"])
        + (f", {version_of([rg, '--version'])}" if rg else ", no rg")
        + f", {version_of(['grep', '--version'])}"
        + (f", nltk {nltk_version}" if nltk_version else "")
    )
    if corpus_bytes:
        out.append(
            f"- {group}: {corpus_bytes / 1e6:.1f} MB in {n_files:,} .txt files under `{root}`; "
            f"rounds: start-up {args.small_n}, big {args.big_n} (+1 untimed warm-up each)"
        )
    elif small:
        out.append(f"- rounds: start-up {args.small_n} (+1 untimed warm-up)")
    if not args.keep_env:
        out.append("- children run without PYTHONDONTWRITEBYTECODE, with a private PYTHONPYCACHEPREFIX")
    out.append(
        "- children use a private, empty CORPUS_CACHE_DIR: rows without `(index)` read the files"
        + (f"; `--timeout {args.timeout:.0f}` s per run" if args.timeout != 300 else "")
    )
    out.append(f"- total benchmark time {elapsed:.0f} s")
    out.append("")
    if small:
        out += ["## Start-up (bundled seeds)", "", *table(small), ""]
    if big:
        out += [f"## {group}", "", *table(builds + big), ""]
    if checks:
        out += ["## Goals", "", *checks, ""]
    for c in small + builds + big:
        if c.failed:
            notes.append(f"`{c.label}` {c.failed}; its row is missing")
        for warning in c.warnings[:3]:
            notes.append(f"`{c.label}` warned on stderr: {warning[:300]}")
    if notes:
        out += ["## Notes", "", *(f"- {n}" for n in notes), ""]
    report = "\n".join(out)
    print(report)
    if args.output:
        Path(args.output).write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
