"""``corpus shard``: the selected corpus as Parquet or JSONL shards, for ``--engine dask``.

Registered on ``application.app`` when ``cli.load`` imports it (for its commands, or ``--help``).
"""

from enum import Enum
from typing import Annotated

import typer

from ...errors import CorpusError
from ..application import command
from ..options import OUTPUT_PANEL, SHARED_OPTIONS
from ..session import Session

#: Every shared option that selects documents (not --corpus: SOURCE is the corpus).
_SELECTING = tuple(n for n in SHARED_OPTIONS if n not in ("corpus", "norm", "fold", "keep", "color", "index"))


class ShardFormat(str, Enum):
    parquet = "parquet"
    jsonl = "jsonl"


@command("shard", shared=_SELECTING, rich_help_panel="Commands")
def shard(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(metavar="SOURCE", help="The corpus: a file or directory, as --corpus takes it."),
    ],
    dest: Annotated[
        str,
        typer.Argument(metavar="DEST", help="Directory or fsspec URL (s3://bucket/corpus/) to write to."),
    ],
    size: Annotated[
        str,
        typer.Option(
            "--size",
            metavar="SIZE",
            help="About this many bytes a shard (KB, MB, GB; KiB, MiB, GiB).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = "256MB",
    fmt: Annotated[
        ShardFormat,
        typer.Option(
            "--format",
            help="parquet (columns id, path, text; zstd) or jsonl (one record a line).",
            rich_help_panel=OUTPUT_PANEL,
            case_sensitive=False,
        ),
    ] = ShardFormat.parquet,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Replace the shards DEST already holds.", rich_help_panel=OUTPUT_PANEL
        ),
    ] = False,
) -> None:
    """Write the corpus as shards of about --size each (part-00000.parquet, ...).

    The shards keep the documents' ids, paths and texts in corpus order: queries with
    --engine dask over them give what the same queries give over SOURCE. DEST may be a
    local directory or any fsspec URL (s3://, gs://, ...; see docs/scaling.md).
    """
    from ...store.shard import parse_size, write_shards

    target = parse_size(size)
    if source == "-":
        raise CorpusError("shard reads files and directories, not standard input")
    session = Session(ctx, corpus=(source,), reads_corpus=True)
    try:
        shards = write_shards(
            session.source.corpus.documents, dest, size=target, fmt=fmt.value, overwrite=overwrite
        )
    except ImportError:
        raise CorpusError("corpus shard needs fsspec: pip install 'corpus-cli[dask]'") from None
    for written in shards:
        session.stdout.write(f"{written.url}\t{written.documents}\t{written.bytes}\n")
    total = sum(s.documents for s in shards)
    session.note(f"{total:,} documents in {len(shards):,} shards")
