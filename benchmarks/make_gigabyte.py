#!/usr/bin/env python3
"""Make the issue's 1 GB corpus: the real corpora concatenated ten times under new ids.

Every file of every corpus under SOURCE (default ``/tmp/corpora``, made by
``../shared/corpora/unpack.sh``) that ``corpus`` reads by default (its default glob
``*.{txt,jsonl,csv,tsv}{,.gz,.bz2,.xz}``; ``_about/`` holds none) is copied COPIES times
(default 10) to ``DEST/copy01/CORPUS/...`` ... ``DEST/copy10/CORPUS/...``: the same text,
new relative paths, so new document ids.  Real copies (own inodes, new modification
times), not links, so reading them is honest I/O.

    python3 benchmarks/make_gigabyte.py /tmp/gigabyte
    python3 benchmarks/bench.py --corpus /tmp/gigabyte --index --timeout 3600 --big-n 1

The result is real text under the corpora's licences (see their ``_about/``): keep it out
of the repository.  Standard library only.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: corpus_cli.store.readers.DEFAULT_GLOB, expanded: what ``corpus --corpus DIR`` reads of DIR.
READ_PATTERNS = [
    f"*.{ext}{comp}" for ext in ("txt", "jsonl", "csv", "tsv") for comp in ("", ".gz", ".bz2", ".xz")
]
BLOCK = 4096


def readable_files(source: Path, skip: Path) -> list[Path]:
    """The files under ``source`` that corpus reads by default, in path order, not under ``skip``."""
    found: list[tuple[list[str], str]] = []
    for folder, dirs, names in os.walk(source):
        dirs.sort()
        if Path(folder).resolve() == skip:
            dirs.clear()
            continue
        for name in names:
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in READ_PATTERNS):
                full = os.path.join(folder, name)
                if os.path.isfile(full):
                    found.append((os.path.relpath(full, source).split(os.sep), full))
    found.sort()
    return [Path(full) for _, full in found]


def corpus_reads(root: Path) -> int | None:
    """How many files corpus_cli itself would read under ``root`` (None: not importable)."""
    sys.path.insert(0, str(REPO))
    try:
        from corpus_cli.store.readers import DEFAULT_GLOB, files_of
    except Exception:  # another checkout state, a broken tree: the check is optional
        return None
    finally:
        sys.path.pop(0)
    return len(files_of(root, DEFAULT_GLOB))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dest", metavar="DEST", help="where to write the copies (missing or empty)")
    parser.add_argument("--source", default="/tmp/corpora", help="the unpacked corpora (/tmp/corpora)")
    parser.add_argument("--copies", type=int, default=10, help="how many copies (10, as in the issue)")
    args = parser.parse_args()

    source = Path(args.source).resolve()
    dest = Path(args.dest).resolve()
    if not source.is_dir():
        parser.error(f"--source {source}: not a directory (unpack: ../shared/corpora/unpack.sh {source})")
    if args.copies < 1:
        parser.error("--copies must be at least 1")
    if dest == source or dest in source.parents:
        parser.error(f"{dest} holds the source {source}")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        parser.error(f"{dest} exists and is not an empty directory: remove it first")

    files = readable_files(source, skip=dest)
    if not files:
        parser.error(f"no files under {source} that corpus reads ({', '.join(READ_PATTERNS[:4])}, ...)")
    sizes = [f.stat().st_size for f in files]
    one_copy = sum(sizes)
    on_disk = sum(-(-size // BLOCK) * BLOCK for size in sizes) * args.copies
    dest.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(dest).free
    if on_disk * 1.1 > free:
        print(
            f"make_gigabyte: needs about {on_disk / 1e9:.1f} GB on disk, {free / 1e9:.1f} GB free",
            file=sys.stderr,
        )
        return 1
    # The corpora: the top-level folders of SOURCE ("." for files directly in it).
    corpora = sorted({(f.relative_to(source).parts[:-1] or (".",))[0] for f in files})
    print(
        f"{len(files):,} files, {one_copy:,} bytes ({one_copy / 1e6:.1f} MB) in {len(corpora)} corpora "
        f"({', '.join(corpora)}); {args.copies} copies -> {dest}",
        file=sys.stderr,
    )

    started = time.monotonic()
    total_bytes = total_files = 0
    for n in range(1, args.copies + 1):
        base = dest / f"copy{n:02d}"
        made: set[Path] = set()
        for file in files:
            target = base / file.relative_to(source)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            shutil.copyfile(file, target)  # content only: own inode, new mtime
        total_files += len(files)
        total_bytes += one_copy
        print(f"  copy{n:02d}: done, {time.monotonic() - started:.0f} s", file=sys.stderr)

    about = dest / "_about"
    about.mkdir(exist_ok=True)
    (about / "SOURCE.md").write_text(
        f"{args.copies} copies of the files corpus reads under {source} ({', '.join(corpora)}), "
        "made by benchmarks/make_gigabyte.py for benchmarks only. The licences of the source "
        "corpora (their _about/ folders) apply; never commit this text.\n",
        encoding="utf-8",
    )
    written = sum(f.stat().st_size for f in readable_files(dest, skip=source))
    assert written == total_bytes, (written, total_bytes)
    print(f"{dest}: {total_files:,} files, {total_bytes:,} bytes ({total_bytes / 1e9:.2f} GB)")
    reads = corpus_reads(dest)
    if reads is not None:
        verdict = "as written" if reads == total_files else f"NOT the {total_files:,} written"
        print(f"corpus --corpus {dest} reads {reads:,} files ({verdict})")
    print(f"took {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0 if reads is None or reads == total_files else 1


if __name__ == "__main__":
    sys.exit(main())
