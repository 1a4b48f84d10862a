"""``--engine memory|dask`` and ``--scheduler``: the options, nothing heavy.

Importing this module never imports Dask: the dask engine lives in
:mod:`corpus_cli.distributed`, imported only when ``--engine dask`` is given.
"""

from enum import Enum
from typing import Annotated

import typer

from ..errors import CorpusError

ENGINE_PANEL = "Engine"


class Engine(str, Enum):
    memory = "memory"
    dask = "dask"


EngineOpt = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="memory: load the corpus here. dask: run on a Dask cluster over sharded inputs "
        "(directories or fsspec URLs of text files, JSONL or Parquet shards); needs "
        "pip install 'corpus-cli\\[dask]' (see docs/scaling.md).",
        rich_help_panel=ENGINE_PANEL,
        case_sensitive=False,
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="With --engine dask: the scheduler (tcp://host:8786), a scheduler file (.json), "
        "or local[N] for N local worker processes \\[default: a local cluster].",
        rich_help_panel=ENGINE_PANEL,
        show_default=False,
    ),
]


def use_dask(engine: Engine, scheduler: str | None) -> bool:
    """True for ``--engine dask``; ``--scheduler`` alone is a mistake worth saying."""
    if engine is Engine.dask:
        return True
    if scheduler is not None:
        raise CorpusError("--scheduler needs --engine dask")
    return False
