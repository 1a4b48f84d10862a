#!/usr/bin/env python3
"""Benchmark corpus-cli: start-up against a minimal Typer app, big-corpus commands
against ripgrep, GNU grep and a shell frequency pipeline, and load-time scaling.

Standalone, standard library only.  Every case runs as a child process with its
output read through a pipe (what a pipeline sees: plain/TSV output); wall time is
measured around the child, peak memory is its max RSS from GNU time's ``%M`` (else
``os.wait4``; for a shell pipeline: the largest single process in it).  The cases of a group run interleaved,
N rounds, after one untimed warm-up round.

    python3 benchmarks/bench.py                 # everything (~5-8 minutes)
    python3 benchmarks/bench.py --small-only    # start-up rows only (seconds)
    python3 benchmarks/bench.py -n 9 --big-n 1  # more start-up rounds, one big round

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
import statistics
import subprocess
import sys
import tempfile
import time
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
FIRST_HIT = "في"  # in nearly every document: grep -q stops after loading + one document

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

# Goals from the issue.
STARTUP_RATIO = 1.3
STARTUP_MS = 100.0
MEMORY_FACTOR = 4.0


# --------------------------------------------------------------------------- running


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system seconds of the child and what it waited for
    rss_kb: int
    out_lines: int
    rc: int


@dataclass
class Case:
    label: str
    argv: list[str]
    peer: str | None = None  # label of the case this one is compared with
    is_corpus: bool = False  # a corpus-cli run (memory goal applies)
    ok_codes: tuple[int, ...] = (0, 1)
    samples: list[Sample] = field(default_factory=list)
    failed: str | None = None

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

    def read(self, fallback_kb: int) -> int:
        if not self.time:
            return fallback_kb
        last = self.out.read_text().strip().splitlines()[-1]  # after any "exited with" line
        return int(last)


def run_once(argv: list[str], env: dict[str, str], timeout: float, rss: RssProbe) -> Sample:
    """Run ``argv``, drain its stdout through a pipe, return wall time and max RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(rss.wrap(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    lines = 0
    deadline = started + timeout
    while chunk := proc.stdout.read(1 << 16):
        lines += chunk.count(b"\n")
        if time.perf_counter() > deadline:
            proc.kill()
            break
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen quiet
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(wall, cpu, rss.read(usage.ru_maxrss), lines, proc.returncode)


def run_group(
    cases: list[Case], rounds: int, env: dict[str, str], timeout: float, rss: RssProbe, title: str
) -> None:
    """One untimed warm-up round, then ``rounds`` interleaved rounds."""
    for r in range(rounds + 1):
        tag = "warm-up" if r == 0 else f"round {r}/{rounds}"
        for case in cases:
            if case.failed:
                continue
            log(f"[{title}] {tag}: {case.label}")
            sample = run_once(case.argv, env, timeout, rss)
            if sample.rc not in case.ok_codes:
                case.failed = f"exited {sample.rc}: `{shlex.join(case.argv)}`"
                log(f"bench: {case.label!r} {case.failed}; dropped")
            elif r > 0:
                case.samples.append(sample)


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


def child_env(pycache: Path, keep_env: bool) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "CORPUS_PATH", "CORPUS_DEBUG"):
        env.pop(name, None)
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
        "from corpus_cli.cli import main\nsys.exit(main())\n",
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
    return sorted(p for p in root.rglob("*.txt") if p.is_file())


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
        peer = by_label.get(c.peer) if c.peer else None
        if peer is not None and peer.samples:
            ratio = f"{c.median / peer.median:.2f}× `{peer.label}`"
        else:
            ratio = "(peer)" if any(o.peer == c.label for o in cases) else ""
        rows.append(
            f"| `{c.label}` | {fmt_s(c.median)} | {fmt_s(c.best)} | {c.rss_mb:.1f} "
            f"| {ratio} | {fmt_s(c.cpu)} | {c.out_lines} |"
        )
    return rows


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus-bin", help="the corpus command (default: `corpus` on PATH)")
    parser.add_argument("--corpora", default="/tmp/corpora", help="where the unpacked corpora are")
    parser.add_argument("-n", "--small-n", type=int, default=5, help="rounds for start-up rows (5)")
    parser.add_argument("--big-n", type=int, default=3, help="rounds for big-corpus rows (3)")
    parser.add_argument("--small-only", action="store_true", help="only the start-up rows")
    parser.add_argument("--big-only", action="store_true", help="only the big-corpus rows")
    parser.add_argument("--no-list", action="store_true", help="skip `corpus list` on the big corpus")
    parser.add_argument(
        "--no-analysis", action="store_true", help="skip collocates and keywords on the big corpus"
    )
    parser.add_argument("--no-scaling", action="store_true", help="skip the load-scaling rows")
    parser.add_argument("--keep-env", action="store_true", help="run children in this environment as is")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per run before it is killed")
    parser.add_argument("--output", help="also write the report (Markdown) to this file")
    parser.add_argument(
        "--rev",
        help="benchmark this git revision of the repo (unpacked to a temp dir, run with the "
        "corpus script's Python) instead of the working tree",
    )
    args = parser.parse_args()

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
        env = child_env(tmp / "pycache", args.keep_env)
        if args.rev:
            rev_id = version_of(["git", "-C", str(REPO), "rev-parse", "--short", args.rev])
            corpus_bin = snapshot(args.rev, tmp / "snapshot", python)
            notes.append(f"corpus-cli at git revision {args.rev} ({rev_id}), not the working tree.")
        rss = RssProbe(tmp)
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
                    peer="minimal typer app",
                    is_corpus=True,
                ),
                Case("minimal typer app", [python, str(minimal)]),
                Case("python -c 'import typer'", [python, "-c", "import typer"]),
                Case("python -c pass", [python, "-c", "pass"]),
            ]
            run_group(small, args.small_n, env, args.timeout, rss, "start-up")
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
        scaling: list[tuple[Case, int]] = []
        corpus_bytes = 0
        root = None if args.small_only else find_big_corpus(Path(args.corpora), notes)
        rg = shutil.which("rg")
        if root is not None and rg is None:
            notes.append("ripgrep (rg) is not installed: big-corpus rows skipped (apt-get install ripgrep).")
            root = None
        if root is not None and rg is not None:
            files = text_files(root)
            corpus_bytes = sum(f.stat().st_size for f in files)
            d = str(root)
            cb = [corpus_bin, "--corpus", d]
            pipeline = (
                f"find {shlex.quote(d)} -name '*.txt' -print0 | xargs -0 cat "
                "| tr -s '[:space:]' '\\n' | LC_ALL=C sort | uniq -c | LC_ALL=C sort -rn"
            )
            big = [
                Case(f"corpus grep {COMMON}", [*cb, "grep", COMMON], peer=f"rg -F {COMMON}", is_corpus=True),
                Case(f"rg -F {COMMON}", [rg, "--no-config", "-F", "-n", "-g", "*.txt", COMMON, d]),
                Case(f"grep -F -r {COMMON}", ["grep", "-F", "-r", "-n", "--include=*.txt", COMMON, d]),
                Case(f"corpus grep {RARE}", [*cb, "grep", RARE], peer=f"rg -F {RARE}", is_corpus=True),
                Case(f"rg -F {RARE}", [rg, "--no-config", "-F", "-n", "-g", "*.txt", RARE, d]),
                Case(f"grep -F -r {RARE}", ["grep", "-F", "-r", "-n", "--include=*.txt", RARE, d]),
                Case(f"corpus kwic {KWIC}", [*cb, "kwic", KWIC], peer=f"rg -F -w -o {KWIC}", is_corpus=True),
                Case(
                    f"rg -F -w -o {KWIC}",
                    [rg, "--no-config", "-F", "-w", "-o", "-n", "--column", "-g", "*.txt", KWIC, d],
                ),
                Case(
                    "corpus freq --top 0",
                    [*cb, "freq", "--top", "0"],
                    peer="shell freq pipeline",
                    is_corpus=True,
                ),
                Case("shell freq pipeline", ["bash", "-c", f"set -o pipefail; {pipeline}"], ok_codes=(0,)),
            ]
            if not args.no_analysis:
                # The analyst's commands: no peer does the same job, so no ratio.
                big += [
                    Case(
                        f"corpus collocates {KWIC}", [*cb, "collocates", KWIC, "--top", "20"], is_corpus=True
                    ),
                    Case(
                        "corpus keywords (aawsat vs okaz)",
                        [corpus_bin, "--corpus", f"{d}/aawsat", "keywords", "--reference", f"{d}/okaz"],
                        is_corpus=True,
                    ),
                ]
            if not args.no_list:
                big += [
                    Case("corpus list", [*cb, "list"], peer="wc -lwm (xargs)", is_corpus=True),
                    Case(
                        "wc -lwm (xargs)",
                        ["bash", "-c", f"find {shlex.quote(d)} -name '*.txt' -print0 | xargs -0 wc -lwm"],
                        ok_codes=(0,),
                    ),
                ]
            if not args.no_scaling:
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
            run_group(big, args.big_n, env, args.timeout, rss, BIG)

            for c in big:
                if c.is_corpus:
                    factor = c.rss_mb * 1024 * 1024 / corpus_bytes
                    if "load" in c.label and "all" not in c.label:
                        continue
                    checks.append(
                        f"- memory: `{c.label}` peak RSS {c.rss_mb:.0f} MB = {factor:.2f}× the corpus "
                        f"bytes: ≤ {MEMORY_FACTOR:.0f}× {verdict(factor <= MEMORY_FACTOR)}"
                    )
            if scaling:
                base = small[0].median if small else 0.0  # start-up, not loading
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
    )
    if corpus_bytes:
        out.append(
            f"- {BIG}: {corpus_bytes / 1e6:.1f} MB in .txt files under `{args.corpora}/{BIG}`; "
            f"rounds: start-up {args.small_n}, big {args.big_n} (+1 untimed warm-up each)"
        )
    elif small:
        out.append(f"- rounds: start-up {args.small_n} (+1 untimed warm-up)")
    if not args.keep_env:
        out.append("- children run without PYTHONDONTWRITEBYTECODE, with a private PYTHONPYCACHEPREFIX")
    out.append(f"- total benchmark time {elapsed:.0f} s")
    out.append("")
    if small:
        out += ["## Start-up (bundled seeds)", "", *table(small), ""]
    if big:
        out += [f"## {BIG}", "", *table(big), ""]
    if checks:
        out += ["## Goals", "", *checks, ""]
    for c in small + big:
        if c.failed:
            notes.append(f"`{c.label}` {c.failed}; its row is missing")
    if notes:
        out += ["## Notes", "", *(f"- {n}" for n in notes), ""]
    report = "\n".join(out)
    print(report)
    if args.output:
        Path(args.output).write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
