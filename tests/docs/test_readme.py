"""The README's examples are real: every ``console`` block is run and compared."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_cli.cli import app
from tests.conftest import PINNED_ENV

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    examples = []
    for block in BLOCK.findall(README.read_text(encoding="utf-8")):
        command, _, expected = block.partition("\n")
        assert command.startswith("$ corpus "), command
        examples.append((command[len("$ corpus ") :], expected))
    return examples


def test_readme_has_examples() -> None:
    assert len(_examples()) >= 5


@pytest.mark.parametrize(("command", "expected"), _examples())
def test_readme_example(command: str, expected: str) -> None:
    result = CliRunner().invoke(
        app, shlex.split(command), env={**PINNED_ENV, "CORPUS_PATH": "", "NO_COLOR": "1"}
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected
