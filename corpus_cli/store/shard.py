"""Writing a corpus as shards for ``--engine dask``: Parquet (zstd) or JSON Lines.

A shard holds whole documents in corpus order, one row (or line) each, with the
columns ``id``, ``path`` and ``text``; ``part-00000.parquet``, ``part-00001.parquet``, …
are written to a local directory or an fsspec URL (``s3://bucket/corpus/``).  A Parquet
shard is cut into row groups of at most :data:`ROW_GROUP_BYTES` of text, so a worker can
read part of a big shard; a shard is closed when the next row group would take it past
the size asked for (its size on disk, compressed).

A set of shards is published whole: while shards are written the directory holds a
file named :data:`~corpus_cli.store.readers.UNFINISHED`, removed once the last one is
closed, and readers refuse a directory that holds it (an interrupted run leaves it).
A file name that is not UTF-8 (Python's surrogate escapes) is kept as its bytes: in
JSONL as ``\\udcXX`` escapes, which ``json`` reads back; in Parquet, a column holding
such a name is ``binary`` (its values the names' bytes) instead of ``string``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from ..errors import CorpusError
from .corpus import Document, name_stored
from .readers import UNFINISHED

#: Text in one Parquet row group, at most (a worker reads row groups, not whole files).
ROW_GROUP_BYTES = 16 * 1024 * 1024
SHARD_NAME = "part-{:05d}.{}"
FORMATS = ("parquet", "jsonl")

_UNITS = {
    "": 1,
    "B": 1,
    "K": 1000,
    "KB": 1000,
    "M": 1000**2,
    "MB": 1000**2,
    "G": 1000**3,
    "GB": 1000**3,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*")


def parse_size(value: str) -> int:
    """``256MB`` → 256,000,000 bytes (KB/MB/GB are powers of 1000; KiB/MiB/GiB of 1024)."""
    match = _SIZE.fullmatch(value)
    unit = match.group(2).upper() if match else ""
    if match is None or unit not in _UNITS:
        raise CorpusError(f"--size {value}: not a size (e.g. 256MB, 512KB, 1GB)")
    size = int(float(match.group(1)) * _UNITS[unit])
    if size <= 0:
        raise CorpusError(f"--size {value}: must be more than 0")
    return size


class Shard(NamedTuple):
    url: str
    documents: int
    bytes: int


def write_shards(
    docs: Iterable[Document],
    dest: str,
    *,
    size: int,
    fmt: str = "parquet",
    overwrite: bool = False,
) -> list[Shard]:
    """Write ``docs`` as shards of about ``size`` bytes each into ``dest``."""
    from fsspec.core import url_to_fs

    if fmt not in FORMATS:
        raise CorpusError(f"unknown shard format '{fmt}' (parquet, jsonl)")
    fs, root = url_to_fs(dest)
    if fs.exists(root) and not fs.isdir(root):
        raise CorpusError(f"{dest}: exists and is not a directory")
    fs.makedirs(root, exist_ok=True)
    marker = f"{root}/{UNFINISHED}"
    unfinished = fs.exists(marker)  # the shards of an interrupted run: nothing to keep
    old = [p for p in fs.ls(root, detail=False) if re.fullmatch(r"part-\d{5}\.(parquet|jsonl)", _name(p))]
    if old and not overwrite and not unfinished:
        raise CorpusError(f"{dest} already holds shards ({_name(old[0])}, …): remove them or --overwrite")
    docs = list(docs)
    fields = meta_fields(docs)
    with fs.open(marker, "wb") as handle:
        handle.write(f"corpus shard is writing here (process {os.getpid()})\n".encode())
    for path in old:
        fs.rm(path)
    if fmt == "parquet":
        shards = _write_parquet(docs, fields, fs, root, dest, size)
    else:
        shards = _write_jsonl(docs, fields, fs, root, dest, size)
    fs.rm(marker)  # the set is complete
    return shards


def meta_fields(docs: Iterable[Document]) -> dict[str, str]:
    """Metadata field → its column: every field of any document, sorted; ``meta.FIELD``
    for a field named like a column of its own (id, path, text)."""
    fields = sorted({field for doc in docs for field in getattr(doc, "meta", {})})
    return {f: f"meta.{f}" if f in ("id", "path", "text") else f for f in fields}


def _shown(fs: Any, path: str, dest: str) -> str:
    """A shard as the user named its directory: a local path, or a URL."""
    if "://" not in dest:
        return os.path.join(dest, _name(path))
    return str(fs.unstrip_protocol(path))


def _name(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _record(doc: Document, fields: dict[str, str]) -> dict[str, str]:
    record = {"id": doc.id, "path": doc.path, "text": doc.text}
    meta = getattr(doc, "meta", {})
    record.update({column: meta[field] for field, column in fields.items() if field in meta})
    return record


def _write_jsonl(
    docs: Iterable[Document], fields: dict[str, str], fs: Any, root: str, dest: str, size: int
) -> list[Shard]:
    shards: list[Shard] = []
    handle: Any = None
    written = count = 0
    try:
        for doc in docs:
            record = _record(doc, fields)
            try:
                line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
            except UnicodeEncodeError:  # a name that is not UTF-8: escapes that round-trip
                line = (json.dumps(record) + "\n").encode("ascii")
            if handle is not None and written and written + len(line) > size:
                handle.close()
                shards[-1] = shards[-1]._replace(documents=count, bytes=written)
                handle = None
            if handle is None:
                path = f"{root}/{SHARD_NAME.format(len(shards), 'jsonl')}"
                handle = fs.open(path, "wb")
                shards.append(Shard(_shown(fs, path, dest), 0, 0))
                written = count = 0
            handle.write(line)
            written += len(line)
            count += 1
    finally:
        if handle is not None:
            handle.close()
            shards[-1] = shards[-1]._replace(documents=count, bytes=written)
    return shards


def _value(value: str | None, raw: bool) -> str | bytes | None:
    """A value for its Parquet column: a ``binary`` column holds the bytes of names."""
    if value is None or not raw:
        return value
    return name_stored(value)


def _batches(docs: Iterable[Document], limit: int) -> Iterator[list[Document]]:
    """Runs of documents with at most ``limit`` bytes of text (at least one document)."""
    batch: list[Document] = []
    total = 0
    for doc in docs:
        n = len(doc.text.encode("utf-8"))
        if batch and total + n > limit:
            yield batch
            batch, total = [], 0
        batch.append(doc)
        total += n
    if batch:
        yield batch


def _write_parquet(
    docs: Sequence[Document], fields: dict[str, str], fs: Any, root: str, dest: str, size: int
) -> list[Shard]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise CorpusError(
            "Parquet needs pyarrow: pip install 'corpus-cli[dask]' (or --format jsonl)"
        ) from None
    columns = ["id", "path", "text", *fields.values()]
    # Columns that hold a name that is not UTF-8 are binary columns of the names' bytes.
    raw = {c for doc in docs for c, v in _record(doc, fields).items() if isinstance(name_stored(v), bytes)}
    schema = pa.schema([(column, pa.binary() if column in raw else pa.string()) for column in columns])
    shards: list[Shard] = []
    handle: Any = None
    writer: Any = None
    count = groups = 0

    def close() -> None:
        nonlocal handle, writer
        writer.close()
        written = handle.tell()
        handle.close()
        shards[-1] = shards[-1]._replace(documents=count, bytes=written)
        handle = writer = None

    # Row groups of about a quarter of the size asked for (text, before compression), so a
    # shard ends close to it; never more than ROW_GROUP_BYTES.
    try:
        for batch in _batches(docs, max(1, min(ROW_GROUP_BYTES, size // 4))):
            if writer is not None and groups and handle.tell() * (groups + 1) / groups > size:
                close()
            if writer is None:
                path = f"{root}/{SHARD_NAME.format(len(shards), 'parquet')}"
                handle = fs.open(path, "wb")
                writer = pq.ParquetWriter(handle, schema, compression="zstd")
                shards.append(Shard(_shown(fs, path, dest), 0, 0))
                count = groups = 0
            records = [_record(doc, fields) for doc in batch]
            rows = pa.table(
                {c: [_value(r.get(c), c in raw) for r in records] for c in columns}, schema=schema
            )
            writer.write_table(rows, row_group_size=len(batch))
            count += len(batch)
            groups += 1
    finally:
        if writer is not None:
            close()
    return shards
