"""``corpus export``: the selected documents as a vertical file (VRT), for the IMS Corpus
Workbench (CQP, CQPweb), Sketch Engine and NoSketch Engine."""

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from ..application import command
from ..options import OUTPUT_PANEL
from ..session import Session

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ...store.corpus import Document


class ExportFormat(str, Enum):
    vrt = "vrt"


@command("export", rich_help_panel="Commands")
def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="vrt: the vertical file of CWB's cwb-encode and Sketch Engine.",
            rich_help_panel=OUTPUT_PANEL,
            case_sensitive=False,
        ),
    ] = ExportFormat.vrt,
) -> None:
    """Write the documents as a vertical file (VRT, UTF-8) on standard output.

    For CWB (cwb-encode, CQP, CQPweb), Sketch Engine and NoSketch Engine.
    A document is <doc id="ID" FIELD="VALUE"...> ... </doc>, its metadata as
    attributes (names in lower case, a run of characters other than a-z, 0-9
    and _ as one _, a field named id as id_2). A sentence is <s> ... </s>: it
    ends at . ! ? ؟ ; ؛ : … (a run of them, and the quotes and brackets that close
    right after) or at a line end.

    A token is a line of five columns, separated by tabs:
      word   the original spelling
      norm   normalized as --norm, --fold and --keep say
      kind   word, number, punct, url or emoji
      start  its first character's offset in the document (as kwic's)
      end    the offset after its last character

    & < > " are written &amp; &lt; &gt; &quot;. Exit 1 when no document is selected.
    """
    from ...output.vrt import write_vrt

    session = Session(ctx)
    source = session.source
    index = source.index if source.whole_corpus else None
    # From an index, one document at a time (memory stays flat whatever the corpus size).
    docs: Iterable[Document] = index.documents() if index is not None else source.corpus.documents
    if not write_vrt(session, docs, session.normalizer):
        session.note("no document selected")
        raise typer.Exit(1)
