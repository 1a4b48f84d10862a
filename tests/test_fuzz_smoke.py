"""benchmarks/fuzz.py still runs: a thousand inputs, no failure (the million is by hand);
benchmarks/attack.py still runs and its cheap attacks pass (the full run is by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "fuzz.py"
ATTACK = SCRIPT.with_name("attack.py")


def test_fuzz_script_smoke() -> None:
    if not SCRIPT.exists():  # an sdist ships tests/ without benchmarks/
        pytest.skip("benchmarks/fuzz.py is not in this tree")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--count", "1000", "--jobs", "1", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["check", "inputs", "failures", "seconds"]
    assert all(" 1,000 " in line and line.split()[-2] == "0" for line in lines[1:4]), done.stdout


def test_attack_script_smoke() -> None:
    if not ATTACK.exists():
        pytest.skip("benchmarks/attack.py is not in this tree")
    corpus = Path(sys.executable).with_name("corpus")
    if not corpus.exists() or sys.platform == "win32":  # it drives a pty and process groups
        pytest.skip("no corpus script next to this Python, or not a POSIX system")
    done = subprocess.run(
        [
            sys.executable,
            str(ATTACK),
            "--quick",
            "--only",
            "small-edges,escapes",
            "--corpus-bin",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = done.stdout.splitlines()
    assert lines and lines[0].split() == ["attack", "trials", "expected", "observed", "verdict"], (
        done.stdout + done.stderr
    )
    rows = [line for line in lines[2:] if line.startswith(("small-edges", "escapes"))]
    assert len(rows) == 5 and all(row.split()[-1] == "ok" for row in rows), done.stdout
    assert done.returncode == 0, done.stdout + done.stderr
