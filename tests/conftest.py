"""Shared fixtures for the command-line tests.

* ``invoke(*args, input=None, env=None)`` runs ``corpus_cli.cli.application.app`` under Typer's
  ``CliRunner`` with an environment pinned so that the results do not depend on the
  shell that runs pytest: no colour variables, no ``CORPUS_PATH`` (unless given), a
  fixed terminal width and ``TERM``.
* ``tty`` makes the commands believe stdout and stderr are terminals while still
  writing into the runner's captured streams (httpie's ``MockEnvironment`` idea), so
  the screen paths (tables, grouped grep, aligned kwic) can be tested.
* ``small_corpus`` is a directory of a few Arabic documents with diacritics, tatweel,
  CRLF line ends and a nested directory.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from corpus_cli.cli.application import app
from corpus_cli.output import environment

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))

#: Variables that change colour, corpus or width decisions; removed unless a test sets them.
PINNED_ENV: dict[str, str | None] = {
    "NO_COLOR": None,
    "FORCE_COLOR": None,
    "CLICOLOR": None,
    "CLICOLOR_FORCE": None,
    "PY_COLORS": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "GITHUB_ACTIONS": None,
    "CORPUS_PATH": None,
    "CORPUS_DEBUG": None,
    "TERM": "xterm-256color",
    "COLUMNS": "80",
    "LINES": "24",
}

Invoke = Callable[..., Result]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner) -> Invoke:
    """Run ``corpus ARGS...``; ``env`` entries override the pinned ones (None deletes)."""

    def run(
        *args: str, input: str | bytes | None = None, env: Mapping[str, str | None] | None = None
    ) -> Result:
        merged = dict(PINNED_ENV)
        if env:
            merged.update(env)
        return runner.invoke(app, list(args), input=input, env=merged, catch_exceptions=False)

    return run


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout/stderr claim to be terminals; the streams are the runner's at call time."""

    def fake_current() -> environment.Environment:
        import os

        return environment.Environment(
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin=getattr(sys.stdin, "buffer", None),
            stdout_isatty=True,
            stderr_isatty=True,
            stdin_isatty=False,
            environ=os.environ,
        )

    monkeypatch.setattr(environment, "current", fake_current)


# --------------------------------------------------------------------------- corpora

#: a.txt: vocalized, hamza variants, two hits on one line, tatweel, Latin case.
DOC_A = (
    "الأُمَمُ المتحدة تجتمع اليوم\n"  # 1: vocalized hamza form
    "سطر بلا شيء\n"  # 2
    "قالت الامم المتحدة إن الأمم لها دور\n"  # 3: bare alef and hamza, two hits
    "كتـــاب جديد\n"  # 4: tatweel inside the word
    "Hello WORLD hello\n"  # 5: Latin case
    "الإمام في المسجد\n"  # 6: alef with hamza below
)
#: b.txt: CRLF line ends.
DOC_B = "إلى الأمم\r\nسطر ثان\r\nآخر سطر\r\n"
#: sub/c.txt: nested directory, a vocalized word and a longer word that contains it.
DOC_C = "كِتَابٌ في المكتبة\nالمكتبات كثيرة\nالكتابة فن\n"
#: notes.md: only loaded with --glob.
NOTES = "الأمم في ملف ماركداون\n"


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "small"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(DOC_A, encoding="utf-8")
    (root / "b.txt").write_bytes(DOC_B.encode("utf-8"))
    (root / "sub" / "c.txt").write_text(DOC_C, encoding="utf-8")
    (root / "notes.md").write_text(NOTES, encoding="utf-8")
    return root


@pytest.fixture
def small_texts() -> dict[str, str]:
    """The documents of ``small_corpus`` as loaded (ids, CRLF read as LF)."""
    return {"a": DOC_A, "b": DOC_B.replace("\r\n", "\n"), "sub/c": DOC_C}


@pytest.fixture
def seed_texts() -> dict[str, str]:
    """The bundled seed documents by id."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(autouse=True)
def private_index_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Indexes built or looked up by a test live in a directory of its own."""
    folder = tmp_path_factory.mktemp("index-cache")
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(folder))
    return folder


SHARED_CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def every_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample of every corpus in ../shared/corpora: the first 40 documents of each
    archive, one folder per corpus (read straight from the .tar.xz stream, which is
    decompressed only as far as needed)."""
    import tarfile

    archives = sorted(SHARED_CORPORA.glob("*.tar.xz"))
    if not archives:
        pytest.skip("../shared/corpora is not here")
    root = tmp_path_factory.mktemp("every-corpus")
    for archive in archives:
        name = archive.name.removesuffix(".tar.xz")
        taken = 0
        with tarfile.open(archive, "r|xz") as stream:
            for member in stream:
                if not (member.isfile() and member.name.endswith(".txt")) or "/_about/" in member.name:
                    continue
                data = stream.extractfile(member)
                if data is None:
                    continue
                target = root / name / f"{taken:03d}.txt"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data.read())
                taken += 1
                if taken == 40:
                    break
    return root


@pytest.fixture(autouse=True)
def _no_early_state_between_tests() -> Iterator[None]:
    """A test that starts an early fingerprint (``fingerprint.start_early``) or holds
    output (``held``) leaves neither to the next one, whatever it did with them."""
    yield
    from corpus_cli.index import fingerprint
    from corpus_cli.output import held

    fingerprint.abandon_early()
    fingerprint._early.clear()
    held.drop()
