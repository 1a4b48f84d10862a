"""``corpus index build|status|list|drop``: the persistent index of a corpus."""

from pathlib import Path
from typing import Annotated, Any

import typer

from ...errors import CorpusError
from ...output.records import RowWriter
from ...store.layer import remove_layer
from ..application import app, command
from ..documents import progress_bar
from ..options import FormatOpt, NoHeaderOpt
from ..session import Session

index_app = typer.Typer(
    name="index",
    help="Build and manage the persistent index that makes big corpora answer at once.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(index_app, name="index", rich_help_panel="Commands")

#: What makes an index the one of a query: the corpus, how its files are read, the normalizer.
SHARED = ("corpus", "glob", "text_field", "id_field", "encoding", "norm", "fold", "keep", "color")
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="DIR", help="Write the index into DIR instead of the cache directory."
    ),
]
#: ``-o`` of the commands that find the index ``index build -o DIR`` wrote.
FoundInOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="DIR",
        help="The index that 'index build -o DIR' wrote into DIR, not the cache directory's.",
    ),
]


def _selection(session: Session) -> Any:
    from ...index.layout import Selection
    from ...store.corpus import default_corpus_path

    paths = session.paths or [str(default_corpus_path())]
    return Selection.of(paths, session.glob, session.normalizer, session.read_options)


def _destination(session: Session, output: Path | None) -> Path:
    """Where the index of the session's selection is (``index.layout.destination``)."""
    from ...index.layout import destination

    return destination(_selection(session), output)


FrozenOpt = Annotated[
    bool,
    typer.Option(
        "--frozen",
        help="The corpus is an archive that does not change: queries check its "
        "directories (a file added, removed or renamed) instead of every file, which "
        "costs a stat per file (seconds for 600,000 files). 'index status' checks every file.",
    ),
]


MorphOpt = Annotated[
    bool,
    typer.Option(
        "--morph",
        help="Also analyse every Arabic word form (lemma, root, part of speech: the CQL "
        "attributes lemma, root, pos and lempos), on every core, each form once ever (cached in the "
        "cache directory). Needs pip install 'corpus-cli\\[morph]'.",
    ),
]


@command("build", shared=SHARED, target=index_app)
def build(
    ctx: typer.Context, output: OutputOpt = None, frozen: FrozenOpt = False, morph: MorphOpt = False
) -> None:
    """Index the selected corpus (paths, glob, reading and normalization) for fast queries.

    A query uses it when it selects the same, --text-field, --id-field and --encoding
    included. Records keep their metadata in it, for --where and --by.

    Written to a temporary file and renamed into place: an interrupted build leaves
    the previous index as it was, and readers keep working while it is rebuilt.
    """
    from ...index.build import build as build_index
    from ...index.build import build_when_free, check_writable
    from ...index.fingerprint import Stamps
    from ...index.layout import destination
    from ...store.corpus import sources

    session = Session(ctx)
    selection = _selection(session)
    dest = destination(selection, output)
    check_writable(dest.parent)
    if morph:
        _check_morph()

    def attempt() -> Any:
        # The fingerprints first (the directories too: Index.fresh_through), then the
        # files are listed and read: whatever changes after the fingerprint makes the
        # index stale.  Taken at the same time, a file added meanwhile could be in the
        # fingerprint and not in the index, which would then say fresh and miss it.
        stamps = Stamps(selection.paths, folders=True)
        try:
            stamps.result()
        except BaseException:
            stamps.stop()
            raise
        # Read during the build, a batch of files at a time: never the whole corpus in
        # memory.  The list of files (a third of a gigabyte for 650,000) is handed over.
        return build_index(
            sources(session.paths, session.glob, session.warn),
            selection,
            session.normalizer,
            dest,
            progress=progress_bar(session.env),
            warn=session.warn,
            options=session.read_options,
            frozen=frozen,
            stamps=stamps,
        )

    stats = build_when_free(attempt, dest, session.note)
    session.note(
        f"indexed {stats.documents:,} documents, {stats.tokens:,} tokens, {stats.types:,} types "
        f"in {stats.seconds:.1f} s: {stats.path} ({stats.size / 1e6:.1f} MB)"
    )
    if morph:
        _analyse_index(session, stats.path)


def _check_morph() -> None:
    """Fail before the build, not after it, when the analyser or numpy is missing."""
    from ...store.layer import have_numpy, missing_numpy
    from ...text.morphology import have_analyser, missing_analyser

    if not have_analyser():
        raise CorpusError(missing_analyser())
    if not have_numpy():
        raise CorpusError(missing_numpy())


def _analyse_index(session: Session, path: Path) -> None:
    """Give the token layer of the index at ``path`` its lemma, root and pos."""
    import time

    from ...index.morphology import annotate, annotated
    from ...index.read import Index
    from ..documents import LateBar

    index = Index(path)
    try:
        layer = index.layer()
        if layer is None:
            raise CorpusError(f"{path}: the index has no token layer to annotate")
        done = annotated(layer)
        if done is not None:
            session.note(
                f"already analysed: {done:,} Arabic word forms of {layer.lexicon_size:,} spellings "
                "(lemma, root, pos), nothing to do"
            )
            return
        started = time.monotonic()
        bar = LateBar(session.env, "analysing")
        try:
            analysed = annotate(layer, progress=bar)
        finally:
            bar.close()
        session.note(
            f"analysed {len(analysed):,} Arabic word forms of {layer.lexicon_size:,} spellings "
            f"in {time.monotonic() - started:.1f} s (lemma, root, pos)"
        )
    finally:
        index.close()


@command("status", shared=SHARED, target=index_app)
def status(ctx: typer.Context, output: FoundInOpt = None) -> None:
    """Say whether the selected corpus has an index, and whether it is fresh."""
    from ...index.read import Index

    session = Session(ctx)
    path = _destination(session, output)
    if not path.exists():
        session.stdout.write(f"no index for this corpus and normalization (would be {path})\n")
        raise typer.Exit(1)
    index = Index(path)
    fresh = index.is_fresh(every_file=True)
    state = "fresh" if fresh else "stale (the corpus changed since: rebuild it)"
    if index.frozen:
        state += " (frozen: queries check its directories only)"
    meta = index.meta
    session.stdout.write(
        f"{path}\n  state: {state}\n  built: {meta.get('built')}\n"
        f"  documents: {_count(meta.get('documents'))}\n  tokens: {_count(meta.get('tokens'))}\n"
        f"  types: {_count(meta.get('types'))}\n"
        f"  steps: {', '.join(index.steps)}\n"
        f"  size: {path.stat().st_size / 1e6:.1f} MB\n"
    )
    given = _reading_arguments(index.reading)
    if given:
        session.stdout.write(f"  read with: {given}\n")
    layer = index.layer()
    if layer is not None:
        session.stdout.write(f"  morphology: {_morphology_state(layer)}\n")
    raise typer.Exit(0 if fresh else 1)


def _morphology_state(layer: Any) -> str:
    """``index status``'s line about the morphology's attributes (lemma, root, pos, lempos)."""
    from ...text.morphology import MORPHOLOGY
    from ..morph import CURRENT, NONE, analysis_state

    names = ", ".join(MORPHOLOGY)
    state = analysis_state(layer)
    if state == CURRENT:
        return names
    if state == NONE:
        return f"none ('corpus index morph' adds {names})"
    again = "analysed again when first asked for, or by 'corpus index morph'"
    return f"{names} made by an earlier version ({again})"


def _count(value: Any) -> str:
    """A number of the index's metadata as the other counts on screen: 31,030."""
    return f"{int(value):,}" if str(value).isdigit() else str(value)


def _reading_arguments(options: Any) -> str:
    """The options that read the corpus as the index did, when not the defaults."""
    from shlex import quote

    given = [("--text-field", options.text_field if options.text_field != "text" else None)]
    given += [("--id-field", options.id_field), ("--encoding", options.encoding)]
    return " ".join(f"{name} {quote(value)}" for name, value in given if value)


@command("list", shared=("color",), target=index_app)
def list_indexes(ctx: typer.Context, fmt: FormatOpt = None, no_header: NoHeaderOpt = False) -> None:
    """Every index in the cache directory, with the corpus it is of."""
    import json

    from ...index.read import catalogue

    session = Session(ctx)
    rows = []
    for entry in catalogue():
        meta = entry.meta
        rows.append(
            {
                "path": str(entry.path),
                "corpus": " ".join(json.loads(meta["paths"])) if meta else "(unreadable)",
                "documents": int(meta.get("documents", 0)) if meta else 0,
                "built": meta.get("built", ""),
                "size_mb": round(entry.path.stat().st_size / 1e6, 1),
            }
        )
    fmt_name = session.table_or(fmt, "tsv")
    columns = ["path", "corpus", "documents", "built", "size_mb"]
    if fmt_name == "table":
        from ...output.screen import print_table

        print_table(
            session.env, session.color, columns, [[r[c] for c in columns] for r in rows], flexible="corpus"
        )
    else:
        RowWriter(session.stdout, fmt_name, columns, header=not no_header, bom=session.bom).write_all(rows)
    raise typer.Exit(0 if rows else 1)


@command("morph", shared=SHARED, target=index_app)
def morph(ctx: typer.Context, output: FoundInOpt = None) -> None:
    """Analyse the word forms of the corpus's index (lemma, root, POS).

    What 'index build --morph' adds to a build, without rebuilding the index.
    Each form is analysed once ever (the analyses are cached in the cache
    directory): a second run, or another corpus's, takes only the new forms.
    """
    from ...index.read import Index

    session = Session(ctx)
    _check_morph()
    path = _destination(session, output)
    if not path.exists():
        raise CorpusError(
            f"no index for this corpus and normalization (would be {path}): 'index build --morph'"
        )
    index = Index(path)
    try:
        if not index.is_fresh():
            raise CorpusError(f"{path}: the index is stale (the corpus changed since): 'index build --morph'")
    finally:
        index.close()
    _analyse_index(session, path)


@command("drop", shared=SHARED, target=index_app)
def drop(
    ctx: typer.Context,
    output: FoundInOpt = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Drop every index in the cache directory.")
    ] = False,
) -> None:
    """Delete the index of the selected corpus (or, with --all, every index).

    --all deletes only the files that open as indexes of this tool, and the temporary
    files that interrupted builds left.
    """
    from ...index.build import sweep
    from ...index.layout import cache_dir
    from ...index.read import catalogue

    session = Session(ctx)
    if everything:
        for path in sweep(cache_dir()):
            session.note(f"removed {path}, left by an interrupted build")
        paths = []
        for entry in catalogue():
            if entry.meta and entry.path.is_file():
                paths.append(entry.path)
            else:
                session.note(f"left {entry.path}: not a usable index of this tool")
    else:
        paths = [_destination(session, output)]
    dropped = 0
    for path in paths:
        if path.is_dir():
            raise CorpusError(f"{path} is a directory, not an index: left as it is")
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise CorpusError(f"cannot drop {path}: {exc.strerror or exc}") from None
        remove_layer(path)
        session.note(f"dropped {path}")
        dropped += 1
    if not dropped:
        session.note("no index to drop")
    raise typer.Exit(0 if dropped else 1)
