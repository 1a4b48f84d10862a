"""The analyst's commands: ``dispersion``, ``collocates`` and ``keywords``.

Registered on the same app as the core commands (see the end of :mod:`corpus_cli.cli`).
"""

from typing import Annotated, Any

import typer

from .cli import (
    MATCH_PANEL,
    OUTPUT_PANEL,
    CliticsOpt,
    ExplainOpt,
    FixedOpt,
    FormatOpt,
    IgnoreCaseOpt,
    NoHeaderOpt,
    PatternArg,
    Session,
    StrictMarksOpt,
    _key_filter,
    command,
)
from .errors import CorpusError
from .output import RowWriter

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
    from .screen import print_table

    fmt_name = session.table_or(fmt, "tsv")
    hidden = table.pop("hide", ())
    if fmt_name == "table":
        shown = [c for c in columns if c not in hidden]
        print_table(
            session.env,
            session.color,
            shown,
            [[_screen_cell(rec[c], c) for c in shown] for rec in records],
            **table,
        )
        return
    writer = RowWriter(session.stdout, fmt_name, columns, header=not no_header)
    for rec in records:
        if fmt_name == "jsonl":
            writer.write({k: v if k == "p" else _fmt(v) for k, v in rec.items()})
        else:
            writer.write({k: _text(k, v) for k, v in rec.items()})


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
    fmt: FormatOpt = None,
    no_header: NoHeaderOpt = False,
) -> None:
    """Where PATTERN occurs in each document, and how evenly it spreads.

    On a terminal, one strip per document with a mark at each hit (like AntConc's
    concordance plot), with counts, per million and, below, range, Juilland's D,
    Gries' DP/DPnorm and ARF over the documents (real sizes). In a pipe, one row per
    document and a last row "(all)" that carries the measures.
    """
    from .analysis import hit_dispersion
    from .pattern import MatchOptions

    session = Session(ctx)
    query = session.query(
        pattern, MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks), explain
    )
    result = hit_dispersion(session.corpus.documents, query)
    total_hits = sum(len(d.offsets) for d in result.per_doc)
    scores = result.scores
    if svg:
        _write_svg(svg, pattern, result, session.settings)
    fmt_name = session.table_or(fmt, "tsv")
    if fmt_name == "table":
        _dispersion_screen(session, pattern, result)
    else:
        columns = ["doc", "tokens", "hits", "per_million", "range", "juilland_d", "dp", "dp_norm", "arf"]
        if fmt_name == "jsonl":
            columns.append("offsets")
        writer = RowWriter(session.stdout, fmt_name, columns, header=not no_header)
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
            summary[name] = round(value, 4) if fmt_name == "jsonl" else f"{value:.4f}"
        writer.write(summary)
    raise typer.Exit(0 if total_hits else 1)


def _dispersion_screen(session: Session, pattern: str, result: Any) -> None:
    from .screen import DIM, HEADING, MATCH, cell_width, paint

    out = session.stdout
    color = session.color
    docs = result.per_doc
    label_width = min(24, max([cell_width(d.doc.id) for d in docs] + [3]))
    numbers = [
        f"{len(d.offsets):>5} {len(d.offsets) * 1e6 / d.tokens if d.tokens else 0:>10,.1f}" for d in docs
    ]
    strip_width = max(10, session.env.columns - label_width - 20)
    out.write(paint(f"{pattern} · normalization {session.settings}", DIM, color) + "\n")
    out.write(f"{'doc'.ljust(label_width)} {'hits':>5} {'per mill.':>10} plot\n")
    for d, number in zip(docs, numbers, strict=True):
        cells = ["·"] * strip_width
        length = max(1, len(d.doc.text))
        for offset in d.offsets:
            cells[min(strip_width - 1, offset * strip_width // length)] = "|"
        strip = "".join(paint(c, MATCH, color) if c == "|" else c for c in cells)
        label = d.doc.id[:label_width].ljust(label_width)
        out.write(f"{paint(label, HEADING, color)} {number} {strip}\n")
    s = result.scores
    out.write(
        paint(
            f"range {s.range}/{len(docs)} documents · Juilland's D {s.juilland_d:.4f} · DP {s.dp:.4f} · "
            f"DPnorm {s.dp_norm:.4f} · ARF {s.arf:.2f} · {result.total_tokens:,} tokens",
            DIM,
            color,
        )
        + "\n"
    )


def _write_svg(path: str, pattern: str, result: Any, settings: str) -> None:
    """The dispersion plot as SVG: one strip per document, a tick per hit."""
    from xml.sax.saxutils import escape

    row, label, width, top = 22, 230, 900, 48
    docs = result.per_doc
    height = top + row * len(docs) + 40
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
        parts.append(f'<text x="10" y="{y + 15}">{escape(d.doc.id[:32])}</text>')
        parts.append(f'<text x="{label - 10}" y="{y + 15}" text-anchor="end">{len(d.offsets)}</text>')
        parts.append(
            f'<rect x="{label}" y="{y + 4}" width="{strip}" height="{row - 8}" fill="#f3f3f3" stroke="#999"/>'
        )
        length = max(1, len(d.doc.text))
        for offset in d.offsets:
            x = label + offset * strip / length
            parts.append(f'<line x1="{x:.1f}" y1="{y + 4}" x2="{x:.1f}" y2="{y + row - 4}" stroke="#c00"/>')
    s = result.scores
    parts.append(
        f'<text x="10" y="{height - 14}" fill="#555">range {s.range}/{len(docs)} · '
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
    from .analysis import collocates
    from .pattern import MatchOptions

    session = Session(ctx)
    query = session.query(
        pattern, MatchOptions(fixed, not substring, ignore_case, clitics, strict_marks), explain
    )
    keep_key = _key_filter(session, stopwords, None, 1)
    result = collocates(
        session.corpus.documents,
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
            help="Target documents (repeatable); the rest is the reference.",
            rich_help_panel=MATCH_PANEL,
        ),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            metavar="PATH",
            help="A reference corpus (file or directory), or a frequency list (.tsv: term<TAB>count).",
            rich_help_panel=MATCH_PANEL,
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

    Either --target DOC... against the rest of the corpus, or the corpus against
    --reference PATH. Rows carry a and b (the word's frequency in target and
    reference), c and d (their sizes), the score, G² and its p-value band.
    """
    from .analysis import keywords, reference_counts
    from .corpus import load_corpus
    from .freq import count_tokens
    from .stats import KEYNESS

    name = measure.lower()
    if name not in KEYNESS:
        raise CorpusError(f"unknown measure '{measure}' (choose from {', '.join(KEYNESS)})")
    session = Session(ctx)
    docs = session.corpus.documents
    if target:
        chosen = {id(session.corpus.resolve(t)) for t in target}
        target_docs = [d for d in docs if id(d) in chosen]
        rest = [d for d in docs if id(d) not in chosen]
    elif reference is None:
        raise CorpusError("give --target DOC (against the rest) or --reference PATH")
    else:
        target_docs, rest = docs, []
    target_counts = count_tokens(target_docs, session.normalizer)
    if reference is not None:
        ref_counts = reference_counts(
            reference,
            session.normalizer,
            lambda p: load_corpus([p], glob=session.glob, warn=session.warn).documents,
        )
    else:
        ref_counts = count_tokens(rest, session.normalizer)
    rows = keywords(
        target_counts,
        ref_counts,
        measure=name,
        k=k,
        negative=negative,
        min_count=min_count,
        keep=_key_filter(session, stopwords, None, 1),
    )
    rows = rows[:top] if top else rows
    columns = (
        ["rank", "term", "key", "a", "b", "c", "d", name] + (["g2"] if name != "g2" else []) + ["p", "band"]
    )
    records = [
        {
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
        for i, r in enumerate(rows, 1)
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
    )
    raise typer.Exit(0 if rows else 1)
