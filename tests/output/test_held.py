"""Output held until the index proves fresh: answers from an index whose freshness check
is still running are written only once it passes, and are run again without it if not."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from corpus_cli.errors import StaleIndex
from corpus_cli.index import fingerprint as fp
from corpus_cli.output import held
from corpus_cli.output.held import HeldOutput
from tests.conftest import COMMANDS, run_corpus

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_nothing_goes_out_before_the_check_passes():
    out = io.StringIO()
    stream = HeldOutput(out)
    stream.write("a\n")
    stream.flush()
    assert out.getvalue() == ""
    stream.check = lambda final: True
    stream.settle()
    assert out.getvalue() == "a\n"
    stream.write("b\n")  # settled: straight through
    assert out.getvalue() == "a\nb\n" and not stream.holding


def test_a_failed_check_drops_the_output():
    out = io.StringIO()
    stream = HeldOutput(out)
    stream.write("from a stale index\n")
    stream.check = lambda final: False
    with pytest.raises(StaleIndex):
        stream.settle()
    assert out.getvalue() == ""


def test_too_much_output_settles_at_once(monkeypatch):
    monkeypatch.setattr(held, "LIMIT", 10)
    out = io.StringIO()
    stream = HeldOutput(out)
    checked = []
    stream.check = lambda final: checked.append(final) or True
    stream.write("12345")
    assert out.getvalue() == "" and not checked
    stream.write("678901")
    assert out.getvalue() == "12345678901" and checked == [False]  # mid-command: not final


def test_a_run_again_writes_only_what_did_not_go_out():
    """What went out of a first run (counted as UTF-8, text and bytes alike) is skipped
    by the second once seen to be the same; the rest is written."""
    first_out = io.StringIO()
    first = HeldOutput(first_out)
    first.settle()
    first.write("سطر أول\n")
    first.write("سطر ")
    went = first.gone
    assert went[0] == len("سطر أول\nسطر ".encode())

    again_out = io.BytesIO()
    again = HeldOutput(io.TextIOWrapper(again_out, encoding="utf-8", write_through=True), went)
    again.settle(count=False)  # no index now: still counted until past what went out
    again.write("سطر أول\n")
    again.buffer.write("سطر ثان\n".encode())
    again.finish()
    assert again_out.getvalue().decode() == "ثان\n"

    differs = HeldOutput(io.StringIO(), went)
    differs.settle()
    with pytest.raises(held.OutputDiffers):
        differs.write("سطر آخر، غير الأول\n")
    short = HeldOutput(io.StringIO(), went)
    short.settle()
    short.write("سطر")
    with pytest.raises(held.OutputDiffers):
        short.finish()


def test_stale_index_is_no_exception():
    """No ``except Exception`` between the check and the command can keep it."""
    assert not issubclass(StaleIndex, Exception)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


def _early(corpus: Path, args: list[str]) -> None:
    """What the entry point does before the CLI: fingerprint the corpus in a child."""
    fp.start_early(["--corpus", str(corpus), *args], os.environ)
    assert fp.waiting()


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_held_answers_are_the_answers(invoke, private_index_cache, corpus, args):
    """A fresh index: what was held is written as it is, once."""
    where = ("--corpus", str(corpus))
    assert invoke("index", "build", *where).exit_code == 0
    off = invoke(*args, *where, "--index", "off")
    _early(corpus, args)
    result = invoke(*args, *where)
    assert not fp.waiting()
    assert (result.exit_code, result.stdout) == (off.exit_code, off.stdout)
    assert "changed since" not in result.stderr


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_a_stale_index_found_late_answers_from_the_files(invoke, private_index_cache, corpus, args):
    """The corpus changed after the build: the answer from the index is dropped and the
    command answers again from the files, with one warning."""
    where = ("--corpus", str(corpus))
    assert invoke("index", "build", *where).exit_code == 0
    first = sorted(corpus.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nسوريا سوريا الأمن\n", encoding="utf-8")
    off = invoke(*args, *where, "--index", "off")
    _early(corpus, args)
    result = invoke(*args, *where)
    assert (result.exit_code, result.stdout) == (off.exit_code, off.stdout)
    assert result.stderr.count("changed since its index was built") == 1


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_an_edit_past_what_the_answer_read(invoke, private_index_cache, corpus, args):
    """The last file changed: an answer that stopped before it (kwic --limit, grep -l -m)
    is the index's, checked by the files it read; any other is the files'.  Either way
    it is what the files say."""
    where = ("--corpus", str(corpus))
    assert invoke("index", "build", *where).exit_code == 0
    last = sorted(corpus.iterdir())[-1]
    last.write_text(last.read_text(encoding="utf-8") + "\nسوريا الأمن كازاخستان\n", encoding="utf-8")
    off = invoke(*args, *where, "--index", "off")
    _early(corpus, args)
    result = invoke(*args, *where)
    assert (result.exit_code, result.stdout) == (off.exit_code, off.stdout)


@pytest.mark.parametrize(
    "args", [["kwic", "سوريا"], ["grep", "-w", "سوريا"], ["grep", "-w", "-c", "الأمن"]], ids=" ".join
)
def test_first_lines_let_go_early_are_not_written_twice(
    invoke, private_index_cache, corpus, monkeypatch, args
):
    """The first lines of a flowing answer go out once the files they came from prove
    unchanged; the last file, changed, makes the index stale all the same: the command
    answers again from the files, skipping what went out, and the whole is the files'."""
    from corpus_cli.cli import documents

    monkeypatch.setattr(documents, "FIRST_LINES", 1)
    where = ("--corpus", str(corpus))
    assert invoke("index", "build", *where).exit_code == 0
    fresh_off = invoke(*args, *where, "--index", "off")
    _early(corpus, args)
    fresh = invoke(*args, *where)
    assert (fresh.exit_code, fresh.stdout, fresh.stderr) == (fresh_off.exit_code, fresh_off.stdout, "")
    last = sorted(corpus.iterdir())[-1]
    last.write_text(last.read_text(encoding="utf-8") + "\nسوريا الأمن كازاخستان\n", encoding="utf-8")
    off = invoke(*args, *where, "--index", "off")
    assert off.stdout != fresh_off.stdout
    released = []
    real = HeldOutput.release
    monkeypatch.setattr(HeldOutput, "release", lambda self: released.append(self.size) or real(self))
    monkeypatch.setattr(fp, "early_ready", lambda: False)  # the check of every file still running
    _early(corpus, args)
    result = invoke(*args, *where)
    assert released, "nothing was let go before the check"
    assert (result.exit_code, result.stdout) == (off.exit_code, off.stdout)
    assert result.stderr.count("changed since its index was built") == 1


def test_a_changed_first_file_is_looked_for_once(invoke, private_index_cache, corpus, monkeypatch):
    """The first file changed: nothing is let go early, and the files of the documents
    read are checked once, not again after every document (the whole check says stale)."""
    from corpus_cli.cli import documents
    from corpus_cli.index.read import Index

    monkeypatch.setattr(documents, "FIRST_LINES", 1)
    where = ("--corpus", str(corpus))
    assert invoke("index", "build", *where).exit_code == 0
    first = sorted(corpus.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nسوريا سوريا\n", encoding="utf-8")
    off = invoke("kwic", "سوريا", *where, "--index", "off")
    calls = []
    real = Index.fresh_through
    monkeypatch.setattr(Index, "fresh_through", lambda self, last: calls.append(last) or real(self, last))
    monkeypatch.setattr(fp, "early_ready", lambda: False)
    _early(corpus, ["kwic", "سوريا"])
    result = invoke("kwic", "سوريا", *where)
    assert (result.exit_code, result.stdout) == (off.exit_code, off.stdout)
    assert len(calls) == 1


def test_let_go_output_is_counted_and_holding_goes_on():
    out = io.StringIO()
    stream = HeldOutput(out)
    stream.write("سطر\n")
    stream.release()
    assert out.getvalue() == "سطر\n" and stream.gone[0] == len("سطر\n".encode())
    stream.write("later\n")
    assert out.getvalue() == "سطر\n" and stream.holding  # held again
    stream.check = lambda final: False
    with pytest.raises(StaleIndex):
        stream.settle()
    assert out.getvalue() == "سطر\n"


def test_an_answer_that_stops_early_checks_only_what_it_read(invoke, private_index_cache, corpus):
    where = ("--corpus", str(corpus))
    assert invoke("index", "build", *where).exit_code == 0
    last = sorted(corpus.iterdir())[-1]
    os.utime(last, ns=(1, 1))  # the last file looks changed
    _early(corpus, ["kwic", "سوريا", "--limit", "1"])
    quick = invoke("kwic", "سوريا", "--limit", "1", *where)
    assert quick.exit_code == 0 and quick.stderr == ""  # answered from the index
    _early(corpus, ["kwic", "سوريا"])
    whole = invoke("kwic", "سوريا", *where)  # every hit: every file counts
    assert "changed since its index was built" in whole.stderr
    (corpus / "new.txt").write_text("سوريا\n", encoding="utf-8")  # a file added: its folder changed
    _early(corpus, ["kwic", "سوريا", "--limit", "1"])
    added = invoke("kwic", "سوريا", "--limit", "1", *where)
    assert "changed since its index was built" in added.stderr


def test_through_the_entry_point(tmp_path, corpus):
    """The real script, a corpus changed in place after the build: the files' answer."""
    env = {"CORPUS_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    run = ["--corpus", str(corpus)]
    assert run_corpus(*run, "index", "build", env=env).returncode == 0
    kwic = [*run, "kwic", "سوريا", "--limit", "3"]
    fresh = run_corpus(*kwic, env=env, text=True)
    assert fresh.returncode == 0 and fresh.stderr == "" and len(fresh.stdout.splitlines()) == 4
    first = sorted(corpus.iterdir())[0]
    first.write_text("سوريا أولا\n" + first.read_text(encoding="utf-8"), encoding="utf-8")
    stale = run_corpus(*kwic, env=env, text=True)
    off = run_corpus(*kwic, "--index", "off", env=env, text=True)
    assert stale.stdout == off.stdout and "أولا" in stale.stdout
    assert stale.stderr.count("changed since its index was built") == 1


def test_bytes_and_text_keep_their_order():
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    stream = HeldOutput(out)
    stream.write("header\n")
    stream.buffer.write("سطر\n".encode())
    stream.write("tail\n")
    assert raw.getvalue() == b""
    stream.settle()
    out.flush()
    assert raw.getvalue().decode() == "header\nسطر\ntail\n"
