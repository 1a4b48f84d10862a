"""``corpus index`` (build, status, list, drop) on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import HITS, damage, error, help_text, the_index


def test_index_output_option_says_what_each_command_does_with_dir(invoke):
    assert "Write the index into DIR" in help_text(invoke("index", "build", "--help").stdout)
    for name in ("status", "drop"):
        text = help_text(invoke("index", name, "--help").stdout)
        assert "Write the index" not in text, name
        assert "The index that 'index build -o DIR' wrote into DIR" in text, name


@pytest.mark.parametrize("how", ["garbage", "truncated", "trigrams"])
def test_corrupted_index(cli, indexed, cache, how):
    index = the_index(cache)
    if how == "garbage":
        index.write_bytes(b"this is not an index " * 100)
        reason = "not a usable index (file is not a database)"
    elif how == "truncated":
        index.write_bytes(index.read_bytes()[:3000])
        reason = "not a usable index (database disk image is malformed)"
    else:
        damage(index, "grams_data")
        reason = "damaged index ("
    # Auto: a warning, and the answer from the files.
    r = cli("grep", "الامم", "--corpus", str(indexed))
    assert (r.code, r.out) == (0, HITS)
    assert len(r.err) == 1
    assert r.err[0].startswith(f"corpus: warning: {index}: {reason}")
    assert r.err[0].endswith("; searching without it")
    # Named: an error.
    r = cli("grep", "الامم", "--corpus", str(indexed), "--index", str(index))
    error(r, f"corpus: {index}: {reason}")


def test_the_index_commands_take_the_options_before_their_name(invoke, bodies: Path) -> None:
    selection = ["--corpus", str(bodies), "--norm", "aggressive", "--fold", "teh"]
    assert invoke(*selection, "index", "build").exit_code == 0
    assert invoke(*selection, "index", "status").exit_code == 0  # the same selection: found
    assert invoke("index", "status", *selection).exit_code == 0
    assert invoke("--corpus", str(bodies), "index", "status").exit_code == 1  # another normalization
    assert invoke(*selection, "index", "drop").exit_code == 0
