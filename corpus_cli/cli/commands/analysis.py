"""The analyst's commands: ``dispersion``, ``collocates`` and ``keywords``.

Registered on ``application.app`` when :mod:`corpus_cli.cli` imports it.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ...errors import CorpusError
from ...output.records import RowWriter, keeps_numbers
from ..application import command
from ..options import (
    MATCH_PANEL,
    OUTPUT_PANEL,
    CliticsOpt,
    ExplainOpt,
    FixedOpt,
    FormatOpt,
    IgnoreCaseOpt,
    NoHeaderOpt,
    PatternArg,
    StrictMarksOpt,
)
from ..session import Session

if TYPE_CHECKING:
    from ...query.freq import Counts
    from ...store.corpus import Document

SubstringOpt = Annotated[
    bool,
    typer.Option(
        "--substring", help="Match inside words too (default: whole words).", rich_help_panel=MATCH_PANEL
    ),
]
TopOpt = Annotated[
    int,
    typer.Option(
        "--top", min=0, metavar="N", help="Show the N best rows (0 = all).", rich_help_panel=OUTPUT_PANEL
    ),
]
StopwordsOpt = Annotated[
    str | None,
    typer.Option(
        "--stopwords",
        metavar="FILE",
        help="Leave out function words: 'builtin' or a file, one word per line.",
        rich_help_panel=MATCH_PANEL,
        show_default=False,
    ),
]


def _fmt(value: Any, digits: int = 4) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def _rows_out(
    session: Session,
    fmt: Any,
    no_header: bool,
    columns: list[str],
    records: list[dict[str, Any]],
    **table: Any,
) -> None:
    from ...output.screen import print_table

    fmt_name = session.table_or(fmt, "tsv")
    hidden = table.pop("hide", ())
    names = table.pop("names", {})
    if fmt_name == "table":
        shown = [c for c in columns if c not in hidden]
        print_table(
            session.env,
            session.color,
            [names.get(c, c) for c in shown],
            [[_screen_cell(rec[c], c) for c in shown] for rec in records],
            **table,
        )
        return
    writer = RowWriter(session.stdout, fmt_name, columns, header=not no_header, bom=session.bom)
    for rec in records:
        if keeps_numbers(fmt_name):
            writer.write({k: v if k == "p" else _fmt(v) for k, v in rec.items()})
        else:
            writer.write({k: _text(k, v) for k, v in rec.items()})
    writer.close()


def _text(column: str, value: Any) -> Any:
    """Floats in tsv/csv: 4 decimals, but a p-value keeps 4 significant digits."""
    if not isinstance(value, float):
        return value
    return f"{value:.4g}" if column == "p" else f"{value:.4f}"


def _screen_cell(value: Any, column: str = "") -> Any:
    if isinstance(value, float) and column == "p":
        return f"{value:.4g}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4f}"
    return value


# --------------------------------------------------------------------------- dispersion


@command("dispersion", rich_help_panel="Analysis", matching=True)
def dispersion_command(
    ctx: typer.Context,
    pattern: PatternArg,
    fixed: FixedOpt = False,
    substring: SubstringOpt = False,
    ignore_case: IgnoreCaseOpt = False,
    clitics: CliticsOpt = None,
    strict_marks: StrictMarksOpt = False,
    explain: ExplainOpt = False,
    svg: Annotated[
        str | None,
        typer.Option(
            "--svg",
            metavar="FILE",
            help="Also save the plot as an SVG picture.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Plot every document, also those without a hit (on a terminal and in --svg).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    by_field: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            help="One row per value of FIELD (metadata, or folder, date, year, month from the ids), "
            "the measures taken over these groups as the parts.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = None,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Where PATTERN occurs in each document, and how evenly it spreads.

    On a terminal, one strip per document with a hit, a mark at each hit (like
    AntConc's concordance plot), with counts, per million, a line for the documents
    without a hit (--all plots them too) and, below, range, Juilland's D, Gries'
    DP/DPnorm and ARF over all the documents (real sizes). In a pipe, one row per
    document and a last row "(all)" that carries the measures. With --by, a row per
    group of documents (a paper's folder, a year) and the measures over the groups.
    """
    from ...query.analysis import hit_dispersion
    from ...query.pattern import MatchOptions

    session = Session(ctx)
    query = session.query(
        pattern, MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks), explain
    )
    if by_field is not None and (svg or every):
        raise CorpusError("--by gives a table of groups: it cannot be combined with --svg or --all")
    result = hit_dispersion(session.source.corpus.documents, query)
    total_hits = sum(len(d.offsets) for d in result.per_doc)
    if by_field is not None:
        _dispersion_by(session, pattern, result, by_field, fmt, no_header)
        raise typer.Exit(0 if total_hits else 1)
    scores = result.scores
    if svg:
        _write_svg(svg, pattern, result, session.normalization, every)
    fmt_name = session.table_or(fmt, "tsv")
    if fmt_name == "table":
        _dispersion_screen(session, pattern, result, every)
    else:
        columns = ["doc", "tokens", "hits", "per_million", "range", "juilland_d", "dp", "dp_norm", "arf"]
        if fmt_name == "jsonl":
            columns.append("offsets")
        writer = RowWriter(session.stdout, fmt_name, columns, header=not no_header, bom=session.bom)
        for d in result.per_doc:
            record: dict[str, Any] = {
                "doc": d.doc.id,
                "tokens": d.tokens,
                "hits": len(d.offsets),
                "per_million": round(len(d.offsets) * 1e6 / d.tokens, 2) if d.tokens else 0.0,
            }
            if fmt_name == "jsonl":
                record["offsets"] = list(d.offsets)
            writer.write(record)
        summary: dict[str, Any] = {
            "doc": "(all)",
            "tokens": result.total_tokens,
            "hits": total_hits,
            "per_million": round(total_hits * 1e6 / result.total_tokens, 2) if result.total_tokens else 0.0,
            "range": scores.range,
        }
        for name in ("juilland_d", "dp", "dp_norm", "arf"):
            value = getattr(scores, name)
            summary[name] = round(value, 4) if keeps_numbers(fmt_name) else f"{value:.4f}"
        writer.write(summary)
        writer.close()
    raise typer.Exit(0 if total_hits else 1)


def _dispersion_by(
    session: Session, pattern: str, result: Any, by_field: str, fmt: Any, no_header: bool
) -> None:
    """``dispersion --by FIELD``: a row per group, the measures over the groups."""
    from ...query.analysis import part_dispersion
    from ...store.fields import grouping, unknown_field

    problem = unknown_field(by_field, [d.doc for d in result.per_doc])
    if problem is not None:
        session.warn(problem)
    by = part_dispersion(result, grouping(by_field))
    s = by.scores
    hits = sum(p.hits for p in by.parts)
    fmt_name = session.table_or(fmt, "tsv")
    if fmt_name == "table":
        from ...output.screen import DIM, paint

        heading = paint(f"{pattern} · normalization {session.normalization}", DIM, session.color)
        session.stdout.write(heading + "\n")
        columns = ["by", "docs", "with hits", "tokens", "hits", "per million"]
        records = [
            dict(
                zip(
                    columns,
                    [p.part, p.docs, p.hit_docs, p.tokens, p.hits, _rate(p.hits, p.tokens)],
                    strict=True,
                )
            )
            for p in by.parts
        ]
        _rows_out(
            session,
            fmt,
            no_header,
            columns,
            records,
            names={"by": by_field},
            numeric=columns[1:],
            flexible=by_field,
            caption=f"range {s.range}/{len(by.parts)} groups · Juilland's D {s.juilland_d:.4f} · "
            f"DP {s.dp:.4f} · DPnorm {s.dp_norm:.4f} · ARF {s.arf:.2f} · {by.total_tokens:,} tokens",
        )
        return
    columns = [
        "by",
        "docs",
        "hit_docs",
        "tokens",
        "hits",
        "per_million",
        "range",
        "juilland_d",
        "dp",
        "dp_norm",
        "arf",
    ]
    writer = RowWriter(session.stdout, fmt_name, columns, header=not no_header, bom=session.bom)
    for p in by.parts:
        writer.write(
            {
                "by": p.part,
                "docs": p.docs,
                "hit_docs": p.hit_docs,
                "tokens": p.tokens,
                "hits": p.hits,
                "per_million": round(_rate(p.hits, p.tokens), 2),
            }
        )
    summary: dict[str, Any] = {
        "by": "(all)",
        "docs": sum(p.docs for p in by.parts),
        "hit_docs": sum(p.hit_docs for p in by.parts),
        "tokens": by.total_tokens,
        "hits": hits,
        "per_million": round(_rate(hits, by.total_tokens), 2),
        "range": s.range,
    }
    for name in ("juilland_d", "dp", "dp_norm", "arf"):
        value = getattr(s, name)
        summary[name] = round(value, 4) if keeps_numbers(fmt_name) else f"{value:.4f}"
    writer.write(summary)
    writer.close()


def _rate(hits: int, tokens: int) -> float:
    return hits * 1e6 / tokens if tokens else 0.0


def _plotted(result: Any, every: bool) -> tuple[list[Any], str]:
    """The documents a plot draws (those with a hit, or ``every`` one) and the line
    that stands for the others ("" when none is left out)."""
    if every:
        return result.per_doc, ""
    docs = [d for d in result.per_doc if d.offsets]
    left_out = len(result.per_doc) - len(docs)
    if not left_out:
        return docs, ""
    return docs, f"{left_out:,} document{'s' if left_out != 1 else ''} without a hit (--all plots them)"


def _dispersion_screen(session: Session, pattern: str, result: Any, every: bool) -> None:
    from ...output.screen import DIM, HEADING, MATCH, cell_width, id_labels, paint

    out = session.stdout
    color = session.color
    docs, rest = _plotted(result, every)
    # The ids get what 32 cells of strip and the numbers leave.
    names = id_labels((d.doc.id for d in docs), max(12, session.env.columns - 19 - 32))
    label_width = max([cell_width(name) for name in names.values()] + [3])
    numbers = [
        f"{len(d.offsets):>5} {len(d.offsets) * 1e6 / d.tokens if d.tokens else 0:>10,.1f}" for d in docs
    ]
    strip_width = max(10, session.env.columns - label_width - 20)
    out.write(paint(f"{pattern} · normalization {session.normalization}", DIM, color) + "\n")
    out.write(f"{'doc'.ljust(label_width)} {'hits':>5} {'per mill.':>10} plot\n")
    for d, number in zip(docs, numbers, strict=True):
        cells = ["·"] * strip_width
        length = max(1, len(d.doc.text))
        for offset in d.offsets:
            cells[min(strip_width - 1, offset * strip_width // length)] = "|"
        strip = "".join(paint(c, MATCH, color) if c == "|" else c for c in cells)
        label = names[d.doc.id] + " " * (label_width - cell_width(names[d.doc.id]))
        out.write(f"{paint(label, HEADING, color)} {number} {strip}\n")
    if rest:
        out.write(paint(rest, DIM, color) + "\n")
    s = result.scores
    out.write(
        paint(
            f"range {s.range:,}/{len(result.per_doc):,} documents · Juilland's D {s.juilland_d:.4f} · "
            f"DP {s.dp:.4f} · DPnorm {s.dp_norm:.4f} · ARF {s.arf:.2f} · {result.total_tokens:,} tokens",
            DIM,
            color,
        )
        + "\n"
    )


def _write_svg(path: str, pattern: str, result: Any, settings: str, every: bool) -> None:
    """The dispersion plot as SVG: one strip per document (with a hit), a tick per hit."""
    from xml.sax.saxutils import escape

    from ...output.screen import id_labels

    row, label, width, top = 22, 230, 900, 48
    docs, rest = _plotted(result, every)
    names = id_labels((d.doc.id for d in docs), 32)
    height = top + row * len(docs) + (row if rest else 0) + 40
    strip = width - label - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(pattern)}: dispersion</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="10" y="20" font-size="15" direction="rtl" unicode-bidi="plaintext">'
        f"{escape(pattern)}</text>",
        f'<text x="10" y="38" fill="#555">normalization {escape(settings)}; '
        "hits, then their places in each document</text>",
    ]
    for i, d in enumerate(docs):
        y = top + i * row
        parts.append(f'<text x="10" y="{y + 15}">{escape(names[d.doc.id])}</text>')
        parts.append(f'<text x="{label - 10}" y="{y + 15}" text-anchor="end">{len(d.offsets)}</text>')
        parts.append(
            f'<rect x="{label}" y="{y + 4}" width="{strip}" height="{row - 8}" fill="#f3f3f3" stroke="#999"/>'
        )
        length = max(1, len(d.doc.text))
        for offset in d.offsets:
            x = label + offset * strip / length
            parts.append(f'<line x1="{x:.1f}" y1="{y + 4}" x2="{x:.1f}" y2="{y + row - 4}" stroke="#c00"/>')
    if rest:
        parts.append(f'<text x="10" y="{top + len(docs) * row + 15}" fill="#555">{escape(rest)}</text>')
    s = result.scores
    parts.append(
        f'<text x="10" y="{height - 14}" fill="#555">range {s.range}/{len(result.per_doc)} · '
        f"Juilland's D {s.juilland_d:.4f} · DP {s.dp:.4f} · DPnorm {s.dp_norm:.4f} · ARF {s.arf:.2f}</text>"
    )
    parts.append("</svg>")
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(parts) + "\n")
    except OSError as exc:
        raise CorpusError(f"{path}: {exc.strerror or exc}") from None


# --------------------------------------------------------------------------- collocates


@command("collocates", rich_help_panel="Analysis", matching=True)
def collocates_command(
    ctx: typer.Context,
    pattern: PatternArg,
    window: Annotated[
        int,
        typer.Option(
            "--window", min=0, metavar="N", help="N words on each side.", rich_help_panel=MATCH_PANEL
        ),
    ] = 5,
    left: Annotated[
        int | None,
        typer.Option(
            "--left",
            min=0,
            metavar="L",
            help="L words before (overrides --window).",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    right: Annotated[
        int | None,
        typer.Option(
            "--right",
            min=0,
            metavar="R",
            help="R words after (overrides --window).",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    measure: Annotated[
        str,
        typer.Option(
            "--measure",
            metavar="NAME",
            help="mi, mi3, t, z, logdice, g2 or dice.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = "logdice",
    min_freq: Annotated[
        int,
        typer.Option(
            "--min-freq",
            min=1,
            metavar="N",
            help="Only collocates seen N+ times near the node.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 2,
    top: TopOpt = 20,
    stopwords: StopwordsOpt = None,
    fixed: FixedOpt = False,
    substring: SubstringOpt = False,
    ignore_case: IgnoreCaseOpt = False,
    clitics: CliticsOpt = None,
    strict_marks: StrictMarksOpt = False,
    explain: ExplainOpt = False,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Words that occur near PATTERN, scored by an association measure.

    Every row shows the counts its score comes from: O11 (co-occurrences in the
    windows, split into left and right), E11 (expected) and f(coll); the header (on
    a terminal) or the f_node/n/window columns (in a pipe) state the convention:
    E11 = f(node)·f(coll)·W/N, as CQPweb.
    """
    from ...query.analysis import collocates
    from ...query.pattern import MatchOptions

    session = Session(ctx)
    query = session.query(
        pattern, MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks), explain
    )
    from ...query.freq import key_filter

    keep_key = key_filter(session.normalizer, stopwords, None, 1, session.timeout)
    result = collocates(
        session.source.corpus.documents,
        query,
        left=window if left is None else left,
        right=window if right is None else right,
        measure=measure.lower(),
        min_freq=min_freq,
        keep=keep_key,
    )
    rows = result.rows[:top] if top else result.rows
    columns = [
        "rank",
        "collocate",
        "key",
        "o11",
        "left",
        "right",
        "e11",
        "f_coll",
        measure.lower(),
        "f_node",
        "n",
        "window",
    ]
    records = [
        {
            "rank": i,
            "collocate": r.term,
            "key": r.key,
            "o11": r.o11,
            "left": r.left,
            "right": r.right,
            "e11": r.e11,
            "f_coll": r.f_coll,
            measure.lower(): r.score,
            "f_node": result.f_node,
            "n": result.n,
            "window": f"{result.left}L{result.right}R",
        }
        for i, r in enumerate(rows, 1)
    ]
    if session.table_or(fmt, "tsv") == "table":
        session.stdout.write(result.convention + "\n")
    _rows_out(
        session,
        fmt,
        no_header,
        columns,
        records,
        hide=("key", "f_node", "n", "window"),
        numeric=("rank", "o11", "left", "right", "e11", "f_coll", measure.lower()),
        flexible="collocate",
    )
    raise typer.Exit(0 if rows else 1)


# --------------------------------------------------------------------------- keywords


@command("keywords", rich_help_panel="Analysis")
def keywords_command(
    ctx: typer.Context,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            metavar="DOC",
            help="Target documents: id, unique prefix or folder (DIR/: all its documents); "
            "repeatable. The rest of the corpus is the reference.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    by_field: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            help="One list per value of FIELD (metadata, or folder, date, year, month from the "
            "ids): each group against the rest of the corpus, or against --reference.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            metavar="PATH",
            help="A reference corpus (file or directory, its files picked by --reference-glob, "
            "not --glob), or a frequency list (.tsv: term<TAB>count).",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    reference_glob: Annotated[
        str | None,
        typer.Option(
            "--reference-glob",
            metavar="PATTERN",
            help="Which files of the --reference directory to read; --glob picks the corpus's "
            "alone \\[default: *.txt, *.jsonl, *.csv, *.tsv, plain or .gz/.bz2/.xz].",
            rich_help_panel=MATCH_PANEL,
            show_default=False,
        ),
    ] = None,
    measure: Annotated[
        str,
        typer.Option(
            "--measure",
            metavar="NAME",
            help="g2 (4-term log-likelihood, default), g2-2term, chi2, logratio, pctdiff or simplemaths.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = "g2",
    k: Annotated[
        float,
        typer.Option("--k", metavar="K", help="The constant of simplemaths.", rich_help_panel=OUTPUT_PANEL),
    ] = 1.0,
    negative: Annotated[
        bool,
        typer.Option(
            "--negative",
            help="Show words under-represented in the target instead.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    min_count: Annotated[
        int,
        typer.Option(
            "--min-count",
            min=1,
            metavar="N",
            help="Only words seen N+ times where they are key.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = 2,
    top: TopOpt = 20,
    stopwords: StopwordsOpt = None,
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Keywords: words over-represented in a target against a reference.

    Either --target DOC... against the rest of the corpus, --by FIELD (each group
    against the rest), or the corpus against --reference PATH. The corpus options
    (--corpus, --glob, --doc, --where) choose the target's side alone; the reference
    PATH is read as the corpus is (--text-field, --id-field, --encoding), its files
    picked by --reference-glob. Rows carry a and b (the word's frequency in target
    and reference), c and d (their sizes), the score, G² and its p-value band.
    """
    from ...query.analysis import keywords
    from ...query.stats import KEYNESS

    name = measure.lower()
    if name not in KEYNESS:
        raise CorpusError(f"unknown measure '{measure}' (choose from {', '.join(KEYNESS)})")
    if target and by_field is not None:
        raise CorpusError("--target and --by cannot be combined")
    if reference_glob is not None and reference is None:
        raise CorpusError("--reference-glob needs --reference PATH")
    if not target and by_field is None and reference is None:
        raise CorpusError("give --target DOC or --by FIELD (against the rest), or --reference PATH")
    session = Session(ctx)
    from ...query.freq import key_filter

    keep = key_filter(session.normalizer, stopwords, None, 1, session.timeout)
    rows = []
    for group, target_counts, ref_counts in _keyness_sides(
        session, target, by_field, reference, reference_glob
    ):
        found = keywords(
            target_counts, ref_counts, measure=name, k=k, negative=negative, min_count=min_count, keep=keep
        )
        rows += [(group, rank, r) for rank, r in enumerate(found[:top] if top else found, 1)]
    columns = (
        ["rank", "term", "key", "a", "b", "c", "d", name] + (["g2"] if name != "g2" else []) + ["p", "band"]
    )
    if by_field is not None:
        columns.insert(0, "by")
    records = [
        {
            **({"by": group} if by_field is not None else {}),
            "rank": i,
            "term": r.term,
            "key": r.key,
            "a": r.a,
            "b": r.b,
            "c": r.c,
            "d": r.d,
            name: r.score,
            "g2": r.g2,
            "p": float(f"{r.p:.4g}"),
            "band": r.band,
        }
        for group, i, r in rows
    ]
    _rows_out(
        session,
        fmt,
        no_header,
        columns,
        records,
        hide=("key",),
        numeric=("rank", "a", "b", "c", "d", name, "g2", "p"),
        flexible="term",
        names={"by": by_field} if by_field else {},
    )
    raise typer.Exit(0 if rows else 1)


def _keyness_sides(
    session: Session,
    target: list[str] | None,
    by_field: str | None,
    reference: str | None,
    reference_glob: str | None,
) -> Iterator[tuple[str, "Counts", "Counts"]]:
    """What ``keywords`` compares: (group, target's counts, reference's counts) for each
    target (one, or one per group of ``--by``; group "" without ``--by``)."""
    from ...query.analysis import reference_counts, together, without
    from ...query.freq import count_tokens
    from ...store.corpus import DEFAULT_GLOB, load_corpus

    docs = session.source.corpus.documents
    targets: dict[str, list[Document]] = {}
    if target:
        chosen = {id(d) for d in session.source.corpus.select(target)}
        targets[""] = [d for d in docs if id(d) in chosen]
    elif by_field is not None:
        from ...store.fields import grouping, unknown_field

        problem = unknown_field(by_field, docs)
        if problem is not None:
            session.warn(problem)
        value = grouping(by_field)
        for doc in docs:
            targets.setdefault(value(doc), []).append(doc)
        targets = dict(sorted(targets.items()))
    else:
        targets[""] = docs
    if reference is not None:

        def load(path: str) -> list["Document"]:
            options = session.read_options._asdict()
            found = load_corpus([path], glob=reference_glob or DEFAULT_GLOB, warn=session.warn, **options)
            _check_overlap(targets, found.documents, session)
            return found.documents

        ref_counts = reference_counts(reference, session.normalizer, load)
        for group, members in targets.items():
            yield group, count_tokens(members, session.normalizer), ref_counts
        return
    if target:
        rest = [d for d in docs if id(d) not in chosen]
        if not rest:
            raise CorpusError("--target names every document of the corpus: no reference is left")
        yield "", count_tokens(targets[""], session.normalizer), count_tokens(rest, session.normalizer)
        return
    if len(targets) == 1:
        raise CorpusError(
            f"--by {by_field}: every document is in the group '{next(iter(targets))}': no reference is left"
        )
    counts = {group: count_tokens(members, session.normalizer) for group, members in targets.items()}
    whole = together(counts.values())
    for group, part in counts.items():
        yield group, part, without(whole, part)


def _check_overlap(
    targets: dict[str, list["Document"]], reference: list["Document"], session: Session
) -> None:
    """A reference that holds the target's own documents: an error when they are the
    same documents (every score would be 0), else a warning."""
    import os

    def where(doc: "Document") -> str:
        return os.path.realpath(doc.path)

    theirs = {where(d) for d in reference}
    for group, docs in targets.items():
        mine = {where(d) for d in docs}
        if mine and mine == theirs:
            scope = f"the group '{group}'" if len(targets) > 1 else "the target"
            raise CorpusError(
                f"{scope} and the reference are the same {len(mine):,} documents "
                "(the reference's files are picked by --reference-glob, not --glob)"
            )
    shared = {where(d) for docs in targets.values() for d in docs} & theirs
    if shared:
        total = sum(len(docs) for docs in targets.values())
        session.warn(
            f"{len(shared):,} of the target's {total:,} documents are also in the reference: "
            "their words count on both sides"
        )
