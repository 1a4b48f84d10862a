"""Differential tests against ripgrep: ``corpus grep -c --norm none -F`` is ``rg -c -F``.

With no normalization and a literal pattern, the tool's per-document line counts must be
ripgrep's per-file counts, on every real corpus in ../shared/corpora (skipped when it is
absent) and on generated files (Arabic words, diacritics, tatweel, CRLF, blank lines).
Both leave out documents without a match, so the non-zero counts are compared.

One difference is by design: the tool reads a lone CR as a line end (old Mac files,
README "Choosing the corpus"), ripgrep only LF.  The real corpora have no CR at all;
generated files with a lone CR are compared with ripgrep's counts on the same text with
its line ends written as LF.  Skipped when ``rg`` is not on PATH (.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corpus_cli.cli import app
from tests.conftest import PINNED_ENV, clean_env, run_corpus

RG = shutil.which("rg")
pytestmark = pytest.mark.skipif(RG is None, reason="ripgrep (rg) is not on PATH")

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
CORPORA = sorted(p.name.removesuffix(".tar.xz") for p in SHARED.glob("*.tar.xz"))
ENV: dict[str, str | None] = {**PINNED_ENV, "NO_COLOR": "1"}


def corpus_counts(root: Path, pattern: str, *, subprocess_run: bool = False) -> dict[str, int]:
    """``corpus grep -c --norm none -F PATTERN`` over the ``*.txt`` files of ``root``:
    document id (the path without ``.txt``) → count."""
    args = ["grep", "-c", "--norm", "none", "-F", "--index", "off", "--glob", "*.txt"]
    args += ["--corpus", str(root), "--", pattern]
    if subprocess_run:
        done = run_corpus(*args, text=True)
        code, out, err = done.returncode, done.stdout, done.stderr
    else:
        result = CliRunner().invoke(app, args, env=ENV, catch_exceptions=False)
        code, out, err = result.exit_code, result.stdout, result.stderr
    assert code in (0, 1), err
    counts = {}
    for line in out.splitlines():
        doc, _, number = line.rpartition(":")
        counts[doc] = int(number)
    return counts


def rg_counts(root: Path, pattern: str) -> dict[str, int]:
    """``rg -c -F PATTERN`` over the same files: path without ``.txt`` → count."""
    done = subprocess.run(
        [str(RG), "-c", "-F", "--no-ignore", "--hidden", "--no-config", "-g", "*.txt", "--", pattern],
        cwd=root,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    counts = {}
    for line in done.stdout.splitlines():
        path, _, number = line.rpartition(":")
        counts[path.removesuffix(".txt")] = int(number)
    return counts


# --------------------------------------------------------------------------- real corpora


@pytest.fixture(scope="module")
def real_corpora(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every archive of ../shared/corpora, unpacked (as tests/test_index.py does).

    ``CORPUS_TEST_CORPORA=DIR`` names a directory to unpack into and reuse (unpack.sh
    keeps what is there already), e.g. ``/tmp/corpora``; by default a temporary one.
    """
    if not (SHARED / "unpack.sh").exists():
        pytest.skip("../shared/corpora is not here")
    chosen = os.environ.get("CORPUS_TEST_CORPORA")
    dest = Path(chosen) if chosen else tmp_path_factory.mktemp("corpora")
    subprocess.run(["bash", str(SHARED / "unpack.sh"), str(dest), *CORPORA], check=True, capture_output=True)
    return dest


#: Patterns for every corpus: a fatha (all diacritized text has it), a word and a
#: phrase of news, tatweel, an RLM (the hadith), NBSP, a presentation form.
COMMON = ["َ", "الله", " من ", "ـ", "\u200f", "\u00a0", "ﻻ"]


def _from_the_text(root: Path) -> list[str]:
    """Two patterns the corpus certainly holds: its commonest word of 3+ characters in
    its first 50 files, and the middle two words of its first file's longest line."""
    files = sorted(root.rglob("*.txt"))[:50]
    texts = [f.read_text(encoding="utf-8") for f in files]
    common = Counter(w for t in texts for w in t.split() if len(w) >= 3).most_common(1)
    chosen = [common[0][0]] if common else []
    longest = max(texts[0].split("\n"), key=len).split() if texts else []
    if len(longest) >= 2:
        middle = len(longest) // 2
        chosen.append(" ".join(longest[middle - 1 : middle + 1]))
    return chosen


@pytest.mark.parametrize("name", CORPORA)
def test_line_counts_match_ripgrep_on_the_real_corpora(real_corpora: Path, name: str) -> None:
    root = real_corpora / name
    patterns = [*_from_the_text(root), *COMMON]
    if name == "saudinewsnet":  # 31,030 files: three patterns are enough
        patterns = patterns[:3]
    compared = 0
    for pattern in patterns:
        expected = rg_counts(root, pattern)
        assert corpus_counts(root, pattern, subprocess_run=True) == expected, (name, pattern)
        compared += len(expected)
    assert compared > 0, name  # the patterns from the text always match


# --------------------------------------------------------------------------- generated files

_WORDS = ["كتب", "كَتَبَ", "الكتاب", "مكتبة", "في", "فِي", "كتـــاب", "الأمم", "إلى", "على", "ﻻ", "2254", "abc"]
_LINE_ENDS = ["\n", "\n", "\r\n", "\r"]
_LINES = st.lists(st.sampled_from([*_WORDS, " ", "  ", "\u00a0", "\u200f"]), max_size=6).map(" ".join)
_FILE = st.lists(st.tuples(_LINES, st.sampled_from(_LINE_ENDS)), max_size=8).map(
    lambda lines: "".join(text + end for text, end in lines)
)
_FILES = st.lists(_FILE, min_size=1, max_size=4)


def _as_lf(text: str) -> str:
    """The text with its line ends as the tool reads them (CRLF and lone CR as LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=60, deadline=None)
@given(files=_FILES, pick=st.integers(0, 10**6), length=st.integers(1, 6), word=st.sampled_from(_WORDS))
def test_line_counts_match_ripgrep_on_generated_files(
    files: list[str], pick: int, length: int, word: str
) -> None:
    pieces = [p for text in files for p in _as_lf(text).split("\n") if p]
    pattern = word
    if pieces and pick % 3:  # mostly a piece of the text itself, so there are hits
        piece = pieces[pick % len(pieces)]
        start = (pick // 7) % len(piece)
        pattern = piece[start : start + length]
    if not pattern.strip(" "):
        pattern = word
    with tempfile.TemporaryDirectory() as folder:
        raw, lf = Path(folder, "raw"), Path(folder, "lf")
        for i, text in enumerate(files):
            for root, content in ((raw, text), (lf, _as_lf(text))):
                (root / "sub").mkdir(parents=True, exist_ok=True)
                (root / ("sub" if i % 2 else ".") / f"f{i}.txt").write_bytes(content.encode("utf-8"))
        got = corpus_counts(raw, pattern)
        assert got == rg_counts(lf, pattern), (files, pattern)
        if not any("\r" in _lone_cr(text) for text in files):
            assert got == rg_counts(raw, pattern), (files, pattern)  # CRLF: the same lines to rg


def _lone_cr(text: str) -> str:
    return text.replace("\r\n", "")


def test_a_lone_cr_is_a_line_end_for_the_tool_and_not_for_ripgrep(tmp_path: Path) -> None:
    """The one difference, by design: old Mac line ends."""
    (tmp_path / "mac.txt").write_bytes("كتب\rكتب\rسطر\n".encode())
    assert corpus_counts(tmp_path, "كتب") == {"mac": 2}
    assert rg_counts(tmp_path, "كتب") == {"mac": 1}
