"""benchmarks/fuzz.py still runs: a thousand inputs, no failure (the million is by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "fuzz.py"


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
