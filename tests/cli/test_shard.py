"""``corpus shard``: counts, options before the name, odd file names and interrupted shards."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import GOOD, TIMEOUT, corpus_argv, error, make, records


def test_shard_counts_have_thousands_separators(invoke, tmp_path):
    pytest.importorskip("fsspec")
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(1001):
        (folder / f"{i}.txt").write_text("نص", encoding="utf-8")
    r = invoke("shard", str(folder), str(tmp_path / "shards"), "--format", "jsonl")
    assert r.exit_code == 0 and "corpus: 1,001 documents in 1 shards" in r.stderr


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_shards_of_a_file_named_otherwise_than_in_utf8(cli, latin_named, tmp_path, untouched, fmt):
    pytest.importorskip("pyarrow")
    untouched(latin_named)
    from corpus_cli.engines.distributed import Reading, corpus_files, load_part, partitions
    from corpus_cli.store.corpus import DEFAULT_GLOB
    from corpus_cli.store.readers import ReadOptions

    dest = tmp_path / "shards"
    r = cli("shard", str(latin_named), str(dest), "--format", fmt)
    assert r.code == 0, r
    assert r.out.split("\t")[1:] and r.out.split("\t")[1] == "2"  # one shard of both documents
    reading = Reading(ReadOptions("text", "id"), [])
    parts = partitions(corpus_files([str(dest)], DEFAULT_GLOB), 1)
    docs = [doc for part in parts for doc in load_part(part, reading)[0]]
    # Parquet keeps the name's bytes; JSONL's \udcXX escape is read as invalid UTF-8 is.
    assert [d.id for d in docs] == [{"parquet": "caf\udce9", "jsonl": "caf\ufffd"}[fmt], "ok"]
    assert [d.text for d in docs] == [GOOD, "الأمم\n"]


@pytest.fixture
def many_records(tmp_path: Path) -> Path:
    """20,000 one-line records in one file: 20,000 shards of one document at --size 1."""
    lines = "".join(f'{{"id": "d{i}", "text": "الأمم {i}"}}\n' for i in range(20_000))
    return make(tmp_path / "records", {"all.jsonl": lines})


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_an_interrupted_shard_is_refused_not_read_as_a_smaller_corpus(env, cli, tmp_path, many_records, sig):
    pytest.importorskip("fsspec")
    dest = tmp_path / "shards"
    proc = subprocess.Popen(
        corpus_argv("shard", str(many_records), str(dest), "--size", "1", "--format", "jsonl"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not (dest / "part-00100.jsonl").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the shard ended unstopped"
            time.sleep(0.005)
        proc.send_signal(sig)
        proc.wait(timeout=TIMEOUT)
    finally:
        proc.kill()
    assert proc.returncode == -sig
    written = len(list(dest.glob("part-*.jsonl")))
    assert 100 < written < 20_000
    for args in (["grep", "-c", "الامم"], ["list"], ["grep", "-c", "الامم", "--engine", "dask"]):
        error(cli(*args, "--corpus", str(dest)), "unfinished set of shards")
    error(cli("list", "--corpus", str(tmp_path)), "unfinished set of shards")  # found inside a corpus too
    # Written again (no --overwrite needed: nothing complete is lost), it is read whole.
    r = cli("shard", str(many_records), str(dest), "--size", "100KB", "--format", "jsonl")
    assert r.code == 0, r
    assert len(list(dest.iterdir())) == len(r.out.splitlines())
    r = cli("grep", "-c", "الامم", "--corpus", str(dest))
    assert r.code == 0 and sum(int(line.rsplit(":", 1)[1]) for line in r.out.splitlines()) == 20_000


def test_shard_takes_the_options_before_its_name(invoke, bodies: Path, tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    before = ["--text-field", "body", "--where", "source=okaz", "--id-field", "key"]
    r = invoke(*before, "shard", str(bodies), str(tmp_path / "out"), "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    assert [rec["id"] for rec in records((tmp_path / "out" / "part-00000.jsonl").read_text())] == ["k1", "k3"]


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_shards_of_line_records_are_read_with_the_same_text_field(cli, tmp_path: Path, fmt: str) -> None:
    """``--text-field 'sura|aya|text'`` reads the shards of line records as it read the
    lines: the text from the layout's last field, the other fields as metadata."""
    pytest.importorskip("pyarrow")
    pytest.importorskip("dask")
    source = tmp_path / "quran"
    source.mkdir()
    (source / "q.txt").write_text(
        "1|1|بسم الله الرحمن الرحيم\n1|2|الحمد لله رب العالمين\n2|1|الم\n", encoding="utf-8"
    )
    layout = ("--text-field", "sura|aya|text")
    dest = tmp_path / "shards"
    assert cli("shard", str(source), str(dest), "--format", fmt, *layout).code == 0
    counted = cli(
        "freq", "--corpus", str(dest), "--engine", "dask", *layout, "--by", "sura", "--format", "tsv"
    )
    assert counted.code == 0, counted
    rows = [line.split("\t") for line in counted.out.splitlines()[1:]]
    tokens: dict[str, int] = {}
    for row in rows:
        tokens[row[0]] = tokens.get(row[0], 0) + int(row[4])
    assert tokens == {"1": 8, "2": 1}  # the prefixes are metadata, not tokens
    assert not {row[2] for row in rows} & {"1", "2"}
    hits = cli("grep", "-c", "الله", "--corpus", str(dest), "--engine", "dask", *layout)
    assert hits.code == 0, hits
    assert hits.out.strip().endswith(":1") and "aya" not in hits.err
