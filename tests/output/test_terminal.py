"""Names that reach a terminal or a pipe: hostile file names never act on the terminal and
records stay valid UTF-8 (``corpus_cli.output.terminal``).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import GOOD, TIMEOUT, Untouched, corpus_argv, make

#: Names a terminal would obey if written raw: OSC 52 (set the clipboard), OSC 0 (set the
#: title), CSI 2J (clear the screen), a C1 CSI, BEL, a carriage return, bidi controls.
HOSTILE_NAMES = [
    "clip\x1b]52;c;aGVsbG8=\x07",
    "title\x1b]0;PWNED\x07",
    "clear\x1b[2J\x1b[H",
    "c1\u009b2J",
    "cr\rbell\x07",
    "bidi\u202e\u2069\u2067",
]


#: The only escape sequences the tool writes: its colours.
OWN_SGR = re.compile(rb"\x1b\[(?:(?:0|1|2|22|31|32|35|39);)*(?:0|1|2|22|31|32|35|39)?m")


#: What a terminal acts on: ESC, BEL, C1 controls (as UTF-8), a carriage return.
ACTING = re.compile(rb"[\x1b\x07\r]|\xc2[\x80-\x9f]")


@pytest.fixture
def hostile(tmp_path: Path, untouched: Untouched) -> Path:
    """A corpus whose file names, archive members, record ids and warnings carry controls."""
    import json
    import zipfile

    root = tmp_path / "hostile"
    make(root, {f"{name}.txt": GOOD for name in HOSTILE_NAMES})
    (root / "bin\x1b]0;WARNED\x07.txt").write_bytes(b"\0\1\2")  # skipped with a warning
    os.mkdir(os.fsencode(root) + b"/latin\xff")  # a folder whose name is not UTF-8
    (Path(os.fsdecode(os.fsencode(root) + b"/latin\xff")) / "doc.txt").write_text(GOOD, encoding="utf-8")
    with zipfile.ZipFile(root / "pack.zip", "w") as pack:
        pack.writestr("member\x1b]0;ZIP\x07.txt", GOOD)
    records = [{"id": "rec\x1b]52;c;Zm9v\x07", "text": GOOD}, {"id": "rec\x9b2J", "text": GOOD}]
    (root / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    untouched(root)
    return root


def on_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, bytes]:
    """``corpus ARGS…`` with stdout and stderr on a pseudo-terminal: its exit code and
    every byte the terminal received."""
    import pty
    import select

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        corpus_argv(*args), stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env, cwd=cwd
    )
    os.close(follower)
    received = b""
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal's last reader is gone (EIO)
                break
            if not data:
                break
            received += data
        code = proc.wait(timeout=TIMEOUT)
    finally:
        proc.kill()
        os.close(leader)
    return code, received.replace(b"\r\n", b"\n")  # the terminal's own line ends


def acting(received: bytes) -> list[bytes]:
    """What in ``received`` a terminal would act on, the tool's colours aside."""
    return ACTING.findall(OWN_SGR.sub(b"", received))


@pytest.mark.parametrize(
    "args",
    [
        ["grep", "الامم"],
        ["grep", "-l", "الامم"],
        ["grep", "-c", "الامم"],
        ["grep", "-o", "الامم"],
        ["kwic", "الامم"],
        ["dispersion", "الامم"],
        ["freq", "--by-doc", "--top", "2"],
        ["list"],
        ["show", "title\x1b]0;PWNED\x07"],
        ["show", "nowhere\x1b]0;ERROR\x07"],  # an error names the id
        ["--id-field", "id", "grep", "الامم"],
        ["--id-field", "id", "kwic", "الامم"],
    ],
)
def test_no_name_acts_on_a_terminal(env, tmp_path, hostile, args):
    """Every id, path and warning reaches a terminal escaped; only the tool's colours pass."""
    coloured = {k: v for k, v in env.items() if k != "NO_COLOR"} | {"FORCE_COLOR": "1"}
    code, received = on_terminal([*args, "--corpus", str(hostile), "--glob", "*"], coloured, tmp_path)
    text = received.decode("utf-8")  # valid UTF-8: a name's stray bytes are escaped too
    assert acting(received) == [], text
    assert "Traceback" not in text
    assert OWN_SGR.search(received) or code == 2, text  # the colours still pass
    if args[0] == "show":
        assert code == (0 if "title" in args[1] else 2), text
        assert ("title\\x1b]0;PWNED\\x07" if code == 0 else "nowhere\\x1b]0;ERROR\\x07") in text
        return
    assert code == 0, text
    assert "WARNED" in text  # the skipped file's warning, its name escaped
    assert "member" in text and "]0;ZIP" in text  # an archive member's name
    if args[0] not in ("list", "freq"):
        assert "\\x1b]0;" in text or "\\x1b]52" in text, text


def test_names_on_a_terminal_without_colour(env, tmp_path, hostile):
    """No colour: nothing at all that a terminal acts on."""
    for args in (["grep", "-l", "الامم"], ["kwic", "الامم"], ["list"]):
        code, received = on_terminal([*args, "--corpus", str(hostile)], env, tmp_path)
        assert code == 0 and ACTING.findall(received) == [], received
        assert b"latin\\xff/doc" in received  # the byte that is not UTF-8, as an escape


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv"])
@pytest.mark.parametrize("command", [["grep", "الامم"], ["kwic", "الامم"], ["grep", "-l", "الامم"], ["list"]])
def test_records_in_a_pipe_stay_valid_utf8(env, tmp_path, hostile, command, fmt):
    """A name that is not UTF-8 is written with ``\\xff`` for its byte: every record format
    stays UTF-8; its other characters are the format's to escape (JSON: ``\\u001b``)."""
    proc = subprocess.run(
        corpus_argv(*command, "--corpus", str(hostile), "--format", fmt),
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("utf-8")  # raises on a raw \xff
    assert "latin\\xff/doc" in out.replace("\\\\", "\\")  # TSV doubles the backslash
    if fmt == "jsonl":
        assert b"\x1b" not in proc.stdout


def test_plain_grep_in_a_pipe_writes_names_as_they_are(env, tmp_path, hostile):
    """``doc:line:text`` in a pipe is grep's: a name's own bytes, as GNU grep writes them
    (only the screen escapes them); a message on stderr is escaped wherever it goes."""
    proc = subprocess.run(
        corpus_argv("grep", "-l", "الامم", "--corpus", str(hostile)),
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0
    assert b"latin\xff/doc\n" in proc.stdout and b"title\x1b]0;PWNED\x07\n" in proc.stdout
    assert ACTING.findall(proc.stderr) == [] and b"WARNED" in proc.stderr
    assert all(line.startswith(b"corpus: ") for line in proc.stderr.splitlines())
