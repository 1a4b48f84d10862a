"""The cold search on every core: the same answers as a search of every document."""

from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_cli.cli import documents
from corpus_cli.engines import scan
from corpus_cli.query.pattern import MatchOptions, compile_query
from corpus_cli.text.normalize import Normalizer
from tests.conftest import run_corpus

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
STANDARD = Normalizer.for_level("standard")

#: Texts that test the sieve: vocalized, tatweel, alef and yeh variants, shadda before a
#: vowel (not NFC), presentation forms, composing hamza, Latin accents decomposed.
VARIANTS = [
    "الغَوّاصَات في البحر",
    "الغـــواصات",
    "الغواصات",
    "الغواصّات",
    "الغوّاصات",  # shadda then nothing: NFC
    "الغو\u0651\u064eاصات",  # shadda before fatha: not NFC
    "\ufe8e\ufedf\ufed0\ufeee\ufe8d\ufebb\ufe8e\ufe95",  # presentation forms
    "ﺍﻟﺴﻌﻮﺩﻳﺔ",
    "السعودية",
    "السعوديه",
    "إلى السعودیة",  # Farsi yeh
    "اٌلسعودية",
    "cafe\u0301 café",
    "ما من شيء",
    "ﻻ ISTANBUL",  # a presentation form: the sieve normalizes it; the case is still ignored
]


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """Over ``documents.SCAN_FROM`` files: the seeds many times over, and the variants."""
    root = tmp_path_factory.mktemp("big")
    for n in range(60):
        shutil.copytree(SEEDS, root / f"copy{n:02d}")
    for n, text in enumerate(VARIANTS):
        (root / "variants" / f"{n:02d}.txt").parent.mkdir(exist_ok=True)
        (root / "variants" / f"{n:02d}.txt").write_text(f"سطر\n{text}\n", encoding="utf-8")
    (root / "variants" / "binary.txt").write_bytes(b"\x89PNG\x00\x00")
    (root / "variants" / "cp1256.txt").write_bytes("السعودية والغواصات".encode("cp1256"))
    return root


@pytest.mark.parametrize(
    "args",
    [
        ["grep", "-c", "السعودية"],
        ["grep", "-n", "الغواصات"],
        ["grep", "-w", "سوريا", "--format", "jsonl"],
        ["grep", "-l", "café"],
        ["grep", "-c", "-i", "COVID"],
        ["grep", "-c", "-i", "istanbul"],
        ["grep", "-c", "سوري[اة]"],
        ["grep", "-c", "xyzzyq"],
        ["grep", "-C", "1", "السعودية"],
        ["grep", "-o", "-m", "2", "السعودية"],
        ["grep", "--count-matches", "سوريا"],
        ["grep", "--format", "table", "الغواصات"],
        ["grep", "-w", "-c", "السعودية"],
        ["grep", "--format", "tsv", "-N", "إلى"],
        ["grep", "-l", "-m", "1", "السعودية"],
        ["grep", "-q", "الغواصات"],
        ["grep", "--format", "jsonl", "الغوّاصات"],
        ["kwic", "الأمن", "--limit", "30"],
        ["kwic", "مجلس الامن", "--clitics"],
    ],
)
@pytest.mark.parametrize("ahead", ["searched ahead", "too many lines to send"])
def test_same_answers_as_every_document(invoke, big, monkeypatch, args, ahead):
    """Workers that search ahead send a document's lines; past ``MAX_LINES`` its text."""
    if ahead != "searched ahead":
        monkeypatch.setattr(scan, "MAX_LINES", 0)
    where = ["--corpus", str(big)]
    scanned = invoke(*where, *args[:1], "--index", "off", *args[1:])
    monkeypatch.setattr(documents, "SCAN_FROM", 10**9)  # no workers: every document loaded
    loaded = invoke(*where, *args[:1], "--index", "off", *args[1:])
    assert scanned.exit_code == loaded.exit_code, scanned.stderr
    assert scanned.stdout == loaded.stdout
    if "--limit" in args:  # files after the last one needed are never read, nor warned about
        assert set(scanned.stderr.splitlines()) <= set(loaded.stderr.splitlines())
    else:
        assert sorted(scanned.stderr.splitlines()) == sorted(loaded.stderr.splitlines())


def test_an_early_stop_stops_the_workers(big):
    from corpus_cli.store.corpus import sources
    from corpus_cli.store.readers import ReadOptions

    found = sources([str(big)])
    query = compile_query("سوريا", STANDARD, MatchOptions())
    docs = scan.candidates(found, ReadOptions(), query)
    first = next(docs)
    docs.close()  # stops the workers
    assert first.id.startswith("copy00/")
    assert scan._job == {}


def test_an_earlier_scan_closed_late_leaves_the_running_one_its_job(big):
    """A scan left unfinished (``grep -q``) is closed when it is collected, which may be
    while a later scan forks its workers: it must not clear the later scan's job."""
    from corpus_cli.store.corpus import sources
    from corpus_cli.store.readers import ReadOptions

    found = sources([str(big)])
    first = scan.candidates(found, ReadOptions(), compile_query("سوريا", STANDARD, MatchOptions()))
    next(first)
    later_query = compile_query("الغواصات", STANDARD, MatchOptions())
    later = scan.candidates(found, ReadOptions(), later_query)
    next(later)
    first.close()
    assert scan._job.get("query") is later_query
    later.close()
    assert scan._job == {}


@pytest.mark.parametrize("args", [["grep", "-q", "سوريا"], ["kwic", "سوريا", "--limit", "1"]])
def test_a_quick_answer_leaves_no_worker_behind(big, args):
    """``-q`` never closes the document iterator itself: leaving must still not hang."""
    env = {"CORPUS_CACHE_DIR": str(big / "no-cache"), "NO_COLOR": "1"}
    done = run_corpus("--corpus", str(big), *args, env=env, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr.count("warning") == 0


def test_a_worker_that_dies_is_an_error(big, monkeypatch):
    from corpus_cli.errors import CorpusError
    from corpus_cli.store.corpus import sources
    from corpus_cli.store.readers import ReadOptions

    def die(bounds):
        os._exit(3)

    monkeypatch.setattr(scan, "_read_chunk", die)
    with pytest.raises(CorpusError, match="worker process"):
        list(scan.candidates(sources([str(big)]), ReadOptions(), None))


@pytest.mark.parametrize("word", ["الغواصات", "السعودية", "إلى", "cafe"])
@pytest.mark.parametrize("text", VARIANTS)
def test_the_sieve_never_drops_a_text_that_matches(word, text):
    query = compile_query(word, STANDARD, MatchOptions())
    sieve = scan.sieve(query)
    if sieve is None:
        return
    if query.literal and query.literal in STANDARD.normalize(text):
        assert scan.may_match(text, sieve)


_LETTERS = "الغواصتسعديةأإآیىـ\u064e\u0651\u064b\u0652\u0654 "


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_LETTERS, max_size=30), st.sampled_from(["الغواصات", "سعودية", "أسد", "يد"]))
def test_the_sieve_is_sound(text, word):
    """``may_match`` False means the normalized text cannot hold the query."""
    text = unicodedata.normalize("NFC", text) if len(text) % 2 else text
    query = compile_query(word, STANDARD, MatchOptions())
    sieve = scan.sieve(query)
    if sieve is not None and not scan.may_match(text, sieve):
        assert query.literal not in STANDARD.normalize(text)
