"""``corpus export``: the selected documents as a vertical file (VRT), for the IMS Corpus
Workbench (CQP, CQPweb), Sketch Engine and NoSketch Engine."""

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from ...errors import CorpusError
from ..application import command
from ..options import OUTPUT_PANEL
from ..session import Session

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ...output.vrt import TokenAttributes
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
    attributes: Annotated[
        str | None,
        typer.Option(
            "--attributes",
            metavar="NAMES",
            help="More columns after the five, comma-separated, in the order given: lemma, root, pos, "
            "lempos (each token's first reading), lemma_set, root_set, pos_set, lempos_set (all its "
            "readings, as |a|b|). Needs the morphology: pip install 'corpus-cli\\[morph]'.",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
        ),
    ] = None,
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

    With --attributes (lemma,root,pos...), more columns, in the order given:
      lemma      the lemma of the token's first reading, without its vowel marks
                 and normalized as norm is
      root       its root: letters only, a hamza on any seat as ء, alef maksura
                 as ي
      pos        its part of speech: noun, verb or function
      lempos     its lemma, a hyphen and its part of speech's initial (n, v,
                 f), as Sketch Engine's lempos: قدم-n, قدم-v
      lemma_set  the lemmas of all its readings (first first) as a CWB feature
                 set: |a|b|, and | without a reading; root_set, pos_set,
                 lempos_set alike
    lemma, root, pos and lempos are empty for a token without a reading (numbers,
    punctuation, Latin; cwb-encode keeps an empty column as __UNDEF__). Each
    value is written as corpus query compares it, not as the analyser spells it
    (its lemma is vocalized): CQP compares bytes, so \\[lemma="امير"] over the
    export finds what \\[lemma="أمير"] finds in corpus query, as \\[norm="..."]
    stands for \\[word="..."]; \\[lemma_set contains "..."] (cwb-encode -P
    lemma_set/) finds what corpus query --readings any finds. The readings come
    from the index (corpus index build --morph), or, for a corpus without one,
    from the cache of analyses (the forms not in it are analysed now).

    & < > " are written &amp; &lt; &gt; &quot;. Exit 1 when no document is selected.
    """
    from ...output.vrt import write_vrt

    session = Session(ctx)
    source = session.source
    columns = _token_attributes(session, attributes) if attributes is not None else None
    index = source.index if source.whole_corpus else None
    # From an index, one document at a time (memory stays flat whatever the corpus size).
    docs: Iterable[Document] = index.documents() if index is not None else source.corpus.documents
    if not write_vrt(session, docs, session.normalizer, columns):
        session.note("no document selected")
        raise typer.Exit(1)


def _token_attributes(session: Session, given: str) -> "TokenAttributes":
    """The columns ``--attributes`` names, from the index's token layer (or one built in
    memory and analysed now): an unknown name, or the morphology missing, exit 2."""
    from ...output.vrt import MORPHOLOGY_COLUMNS, TokenAttributes
    from ...store.layer import missing_numpy
    from ...text.morphology import have_analyser, missing_analyser
    from ..morph import ensure_attributes

    names = [name.strip().lower() for name in given.split(",") if name.strip()]
    unknown = [name for name in names if name not in MORPHOLOGY_COLUMNS]
    if unknown or not names:
        choices = ", ".join(MORPHOLOGY_COLUMNS)
        raise CorpusError(
            f"--attributes {given}: no column {', '.join(unknown) or 'named'} (choose from {choices})"
        )
    if len(set(names)) < len(names):
        raise CorpusError(f"--attributes {given}: a column is named twice")
    attributes = {name.removesuffix("_set") for name in names}
    positional = session.source.positional() or session.source.positional(in_memory=True)
    if positional is None:
        raise CorpusError(f"--attributes {missing_numpy()}")
    if not have_analyser() and any(positional.layer.attribute(name) is None for name in attributes):
        raise CorpusError(missing_analyser())
    ensure_attributes(session, positional.layer, attributes)
    return TokenAttributes(positional.layer, names, session.normalizer)
