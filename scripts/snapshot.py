"""Run a fixed set of commands and record what each printed, to compare two versions.

A refactoring must not change what the CLI does. Run this at the old and at the new commit
and compare the two files; any difference is a change in behaviour::

    python scripts/snapshot.py OUT.json            # one version
    python scripts/snapshot.py --compare A.json B.json

Each command runs in a real subprocess (``python -m corpus_cli``) with a fixed environment,
on the bundled seeds and on a small corpus of records with metadata written to a temporary
directory; stdout, stderr and the exit code are recorded. Paths of the temporary directory
are replaced by ``TMP`` so that two runs compare equal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

RECORDS = [
    {"id": "a1", "text": "قال وزير الخارجية إن المحادثات في الرياض مستمرة.", "year": "2020"},
    {"id": "a2", "text": "وصل وزيرُ الخارجيةِ إلى الرياضِ اليوم، والمحادثات مستمرة.", "year": "2021"},
    {"id": "a3", "text": "لا شيء هنا عن الموضوع سوى كلمة السعودية.", "year": "2021"},
]

#: Each command: (name, argv after ``corpus``, stdin or None). ``REC`` is the records corpus
#: (indexed by ``rec-index-build`` in the cache directory of the run).
COMMANDS: list[tuple[str, list[str], str | None]] = [
    ("version", ["--version"], None),
    ("help", ["--help"], None),
    *[
        (f"help-{c}", [*c.split(), "--help"], None)
        for c in (
            "list show grep kwic freq normalize shard index dispersion collocates keywords "
            "index_build index_status index_list index_drop"
        )
        .replace("index_", "index@")
        .split()
        for c in [c.replace("@", " ")]
    ],
    ("list", ["list"], None),
    ("list-jsonl", ["list", "--format", "jsonl"], None),
    ("list-table", ["list", "--format", "table"], None),
    ("grep", ["grep", "سوريا"], None),
    ("grep-c", ["grep", "-c", "السعودية"], None),
    ("grep-n-color", ["grep", "-n", "--color", "always", "وزير"], None),
    ("grep-w-o", ["grep", "-w", "-o", "الامن"], None),
    ("grep-json", ["grep", "--format", "jsonl", "مجلس"], None),
    ("grep-none", ["grep", "لاشيءهنااطلاقا"], None),
    ("grep-bad-regex", ["grep", "("], None),
    ("grep-context", ["grep", "-C", "1", "-m", "2", "الخارجية"], None),
    ("kwic", ["kwic", "أستانة"], None),
    ("kwic-table", ["kwic", "--format", "table", "--width", "30", "وزير"], None),
    ("kwic-jsonl", ["kwic", "--format", "jsonl", "--limit", "3", "مجلس"], None),
    ("kwic-sort", ["kwic", "--sort", "A1", "--limit", "5", "في"], None),
    ("kwic-clitics", ["kwic", "--clitics", "--limit", "5", "حكومة"], None),
    ("kwic-csv", ["kwic", "--format", "csv", "--limit", "4", "الامن"], None),
    ("kwic-none", ["kwic", "لاشيءهنااطلاقا"], None),
    ("freq", ["freq", "--top", "15"], None),
    ("freq-table", ["freq", "--top", "10", "--format", "table"], None),
    ("freq-term", ["freq", "سوريا", "مجلس"], None),
    ("freq-ngram", ["freq", "--ngram", "2", "--top", "10"], None),
    ("freq-bydoc", ["freq", "--by-doc", "--top", "3"], None),
    ("freq-disp", ["freq", "--dispersion", "--top", "5"], None),
    ("freq-stop", ["freq", "--stopwords", "--top", "10", "--format", "jsonl"], None),
    ("normalize", ["normalize", "أَلْعَرَبِيَّةُ"], None),
    ("normalize-stdin", ["normalize"], "إِنَّ الـــكتاب\nمُسْتَشْفَى\n"),
    ("show", ["show", "--highlight", "سوريا", "--color", "always", "001"], None),
    ("dispersion", ["dispersion", "سوريا"], None),
    ("dispersion-jsonl", ["dispersion", "--format", "jsonl", "مجلس"], None),
    ("collocates", ["collocates", "--top", "10", "الامن"], None),
    ("collocates-ll", ["collocates", "--measure", "g2", "--top", "5", "وزير"], None),
    ("keywords", ["keywords", "--target", "001", "--top", "10"], None),
    ("rec-list", ["--corpus", "REC", "list"], None),
    ("rec-freq-by", ["--corpus", "REC", "freq", "--by", "year", "الرياض"], None),
    ("rec-where", ["--corpus", "REC", "kwic", "--where", "year=2021", "الخارجية"], None),
    ("rec-index-build", ["--corpus", "REC", "index", "build"], None),
    ("rec-index-kwic", ["--corpus", "REC", "kwic", "الرياض"], None),
    ("rec-index-freq", ["--corpus", "REC", "freq", "--top", "5"], None),
    ("rec-index-grep", ["--corpus", "REC", "grep", "-c", "مستمرة"], None),
    ("rec-index-status", ["--corpus", "REC", "index", "status"], None),
    ("rec-index-list", ["--corpus", "REC", "index", "list"], None),
    ("rec-shard", ["shard", "REC", "SHARDS", "--format", "jsonl"], None),
    ("stdin-grep", ["--corpus", "-", "grep", "سلام"], "سلام عليكم\nلا شيء\nوالسلام\n"),
    ("dask-grep", ["grep", "--engine", "dask", "-c", "سوريا"], None),
    ("dask-kwic", ["kwic", "--engine", "dask", "--limit", "4", "مجلس"], None),
    ("dask-freq", ["freq", "--engine", "dask", "--top", "8"], None),
    ("dask-freq-term", ["freq", "--engine", "dask", "--by-doc", "سوريا"], None),
    ("bad-option", ["grep", "--nope", "x"], None),
    ("bad-corpus", ["--corpus", "/nonexistent/path", "list"], None),
    ("no-command", [], None),
]


def run_all(python: str, cwd: Path) -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rec = tmp / "records.jsonl"
        rec.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp),
            "XDG_CACHE_HOME": str(tmp / "cache"),
            "LANG": "C.UTF-8",
            "COLUMNS": "80",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        replace = {"REC": str(rec), "SHARDS": str(tmp / "shards")}
        for name, args, stdin in COMMANDS:
            argv = [replace.get(a, a) for a in args]
            proc = subprocess.run(
                [python, "-m", "corpus_cli", *argv],
                input=(stdin or "").encode(),
                capture_output=True,
                env=env,
                cwd=cwd,
                timeout=120,
            )

            def clean(data: bytes) -> str:
                text = data.decode("utf-8", "replace").replace(tmp_name, "TMP")
                text = re.sub(r"[0-9a-f]{16,}\.corpus-index", "HASH.corpus-index", text)
                text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", "TIME", text)
                return re.sub(r"\b\d+(\.\d+)? s\b", "N s", text)  # durations vary

            results[name] = {
                "argv": args,
                "exit": proc.returncode,
                "stdout": clean(proc.stdout),
                "stderr": clean(proc.stderr),
            }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", help="where to write the snapshot (JSON)")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--cwd", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    if args.compare:
        old, new = (json.loads(Path(p).read_text()) for p in args.compare)
        differ = [k for k in old.keys() | new.keys() if old.get(k) != new.get(k)]
        for key in sorted(differ):
            print(f"differs: {key}")
        print(f"{len(old.keys() | new.keys()) - len(differ)} identical, {len(differ)} differ")
        return 1 if differ else 0
    results = run_all(args.python, Path(args.cwd))
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"{len(results)} commands recorded in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
