#!/usr/bin/env python3
"""The three speed goals of CQL (issue 16) on saudinewsnet, for ``corpus query`` with the
index (its token layer) and for CQP (CWB 3.5.1) on the same corpus encoded from
``corpus export --format vrt``:

1. a two-token phrase;
2. ``[word="..."] []{0,3} [word="..."] within s``;
3. a regex token condition over the lexicon (``[word="ال.*ية"]``) followed by a word.

Each is a whole process, timed from start to exit (median of ``--runs``; wall and CPU
of the child): ``corpus query Q`` writing its concordance to a pipe (TSV, header and one
line a match), and ``cqp -c``
running ``A = Q; size A;`` (CQP's own start-up and corpus opening included).  The match
counts of both are printed beside the times: they differ only where CQP's matches run
from one article into the next (no ``within``; ours never cross a document).

    .venv/bin/python benchmarks/cql_vs_cqp.py --cache /tmp/cc2 --cwb /tmp/cwb/bin \\
        --work /tmp/cqpbench            # encodes the corpus in CWB once (a few minutes)

``--cache`` is the CORPUS_CACHE_DIR that holds the corpus's index (built beforehand with
``corpus index build``; this script never builds it).  Standard library only.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

#: (name, ours, CQP's query): CQP's ``word`` is our ``orig``; ours ``word`` (normalized)
#: is CQP's ``norm`` (the export's normalized column) with the value normalized by hand.
GOALS = [
    ("phrase (goal <= 0.2 s)", '"ولي" "العهد"', '[norm="ولي"] [norm="العهد"]'),
    (
        "gap within s (goal <= 1 s)",
        '[word="وزير"] []{0,3} [word="الخارجية"] within s',
        '[norm="وزير"] []{0,3} [norm="الخارجية"] within s',
    ),
    ("lexicon regex + word (goal <= 1 s)", '[word="ال.*ية"] "السعودية"', '[norm="ال.*ية"] [norm="السعودية"]'),
]


def timed(command: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the child) and stdout of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1) or (command[0].endswith("cqp") and done.stderr.strip()):
        sys.exit(f"{' '.join(command[:3])}... failed ({done.returncode}): {done.stderr.strip()[:500]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def encode(corpus: list[str], cwb: Path, work: Path, env: dict[str, str]) -> Path:
    """The corpus in CWB under ``work`` (exported and encoded when not there yet): the
    registry directory."""
    registry = work / "registry"
    if (registry / "saudi").is_file():
        return registry
    work.mkdir(parents=True, exist_ok=True)
    vrt = work / "saudi.vrt"
    if not vrt.is_file():
        print(f"exporting to {vrt} ...", file=sys.stderr)
        with vrt.open("w", encoding="utf-8") as out:
            subprocess.run([*corpus, "export", "--format", "vrt"], stdout=out, env=env, check=True)
    data = work / "data"
    data.mkdir(exist_ok=True)
    registry.mkdir(exist_ok=True)
    print("encoding ...", file=sys.stderr)
    encode_command = [str(cwb / "cwb-encode"), "-c", "utf8", "-x", "-s", "-B", "-d", str(data)]
    encode_command += ["-f", str(vrt), "-R", str(registry / "saudi"), "-P", "norm", "-P", "kind"]
    encode_command += ["-P", "start", "-P", "end", "-S", "doc:0+id", "-S", "s:0"]
    subprocess.run(encode_command, check=True)
    subprocess.run([str(cwb / "cwb-makeall"), "-r", str(registry), "-V", "SAUDI"], check=True)
    return registry


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/corpora/saudinewsnet"))
    parser.add_argument("--cache", type=Path, required=True, help="CORPUS_CACHE_DIR with the corpus's index")
    parser.add_argument("--cwb", type=Path, default=Path("/tmp/cwb/bin"), help="CWB's bin directory")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cqpbench"), help="where CWB's corpus goes")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "CORPUS_CACHE_DIR": str(args.cache), "NO_COLOR": "1"}
    corpus = [str(REPO / ".venv" / "bin" / "corpus"), "-C", str(args.corpus)]
    registry = encode(corpus, args.cwb, args.work, env)

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'goal':36} {'tool':12} {'wall s (median)':>16} {'cpu s':>8} {'matches':>8}")
    for name, ours, theirs in GOALS:
        rows = []
        for _ in range(args.runs):
            wall, cpu, out = timed([*corpus, "query", ours], env)
            rows.append((wall, cpu, max(len(out.splitlines()) - 1, 0)))  # the TSV header
        runs = {"corpus query": rows}
        script = f"SAUDI;\nset MatchingStrategy standard;\nA = {theirs};\nsize A;\n"
        rows = []
        for _ in range(args.runs):
            wall, cpu, out = timed([str(args.cwb / "cqp"), "-c", "-r", str(registry)], env, script)
            rows.append((wall, cpu, int(out.splitlines()[-1])))
        runs["cqp"] = rows
        for tool, measured in runs.items():
            wall = statistics.median(r[0] for r in measured)
            cpu = statistics.median(r[1] for r in measured)
            print(f"{name:36} {tool:12} {wall:16.3f} {cpu:8.3f} {measured[0][2]:8d}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
