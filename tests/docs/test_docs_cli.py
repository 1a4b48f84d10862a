"""docs/cli.md is every command's ``--help``, kept current (sqlite-utils' cog check, by hand)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "cli_docs.py"


@pytest.fixture(scope="module")
def cli_docs() -> ModuleType:
    if not SCRIPT.exists():  # an sdist ships tests/ without scripts/ and docs/
        pytest.skip("scripts/cli_docs.py is not in this tree")
    spec = importlib.util.spec_from_file_location("cli_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered(cli_docs: ModuleType) -> str:
    text = cli_docs.render()
    assert isinstance(text, str)
    return text


def test_docs_cli_is_current(rendered: str) -> None:
    doc = ROOT / "docs" / "cli.md"
    current = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if current != rendered:
        pytest.fail("docs/cli.md is out of date: run python scripts/cli_docs.py", pytrace=False)


def test_docs_cli_covers_every_command(cli_docs: ModuleType, rendered: str) -> None:
    names = [" ".join(("corpus", *path)) for path, _ in cli_docs.commands()]
    assert {"corpus", "corpus grep", "corpus index", "corpus index build"} <= set(names)
    for name in names:
        assert f"\n## {name}\n" in rendered
        assert f"Usage: {name} " in rendered


def test_docs_cli_is_plain_and_stable(
    cli_docs: ModuleType, rendered: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No escape codes, no padding, and the terminal settings of the run change nothing."""
    assert "\x1b" not in rendered
    assert all(line == line.rstrip() for line in rendered.splitlines())
    for name, value in {
        "COLUMNS": "40",
        "FORCE_COLOR": "1",
        "TERM": "xterm-256color",
        "NO_COLOR": "",
    }.items():
        monkeypatch.setenv(name, value)
    assert cli_docs.render() == rendered
