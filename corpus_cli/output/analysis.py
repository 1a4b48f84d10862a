"""The output of ``dispersion``, ``collocates`` and ``keywords``: records in a pipe,
tables and the strip plot on a screen, the plot as SVG.

Rich is imported only when a table is drawn (``screen.print_table``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import CorpusError
from ..query.analysis import plotted, rate, total_hits
from .records import RowWriter, keeps_numbers, tsv_field
from .terminal import utf8

if TYPE_CHECKING:
    from ..query.analysis import Collocate, CollocationResult, HitDispersion, PartDispersion, RankedKeyword
    from .target import Target

#: The measures of a dispersion summary row.
MEASURES = ("juilland_d", "dp", "dp_norm", "arf")


def _fmt(value: Any, digits: int = 4) -> Any:
    return round(value, digits) if isinstance(value, float) else value


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


def write_records(
    target: Target,
    fmt_name: str,
    no_header: bool,
    columns: list[str],
    records: list[dict[str, Any]],
    *,
    hide: Collection[str] = (),
    names: Mapping[str, str] | None = None,
    **table: Any,
) -> None:
    """``records`` as a table on a screen (``fmt_name`` "table": without the ``hide``
    columns, headed by ``names``, ``table`` passed on to ``print_table``), else as rows
    of ``fmt_name`` (floats rounded; a p-value keeps 4 significant digits)."""
    if fmt_name == "table":
        from .screen import print_table

        shown = [c for c in columns if c not in hide]
        headings = names or {}
        print_table(
            target.env,
            target.color,
            [headings.get(c, c) for c in shown],
            [[_screen_cell(rec[c], c) for c in shown] for rec in records],
            **table,
        )
        return
    writer = RowWriter(target.stdout, fmt_name, columns, header=not no_header, bom=target.bom)
    for rec in records:
        if keeps_numbers(fmt_name):
            writer.write({k: v if k == "p" else _fmt(v) for k, v in rec.items()})
        else:
            writer.write({k: _text(k, v) for k, v in rec.items()})
    writer.close()


def _measures(scores: Any, fmt_name: str) -> dict[str, Any]:
    """The measures of a summary row: numbers where the format keeps them, else 4 decimals."""
    out: dict[str, Any] = {}
    for name in MEASURES:
        value = getattr(scores, name)
        out[name] = round(value, 4) if keeps_numbers(fmt_name) else f"{value:.4f}"
    return out


# --------------------------------------------------------------------------- dispersion


def write_dispersion(
    target: Target, pattern: str, result: HitDispersion, fmt_name: str, no_header: bool, *, every: bool
) -> None:
    """``dispersion``: the strip plot on a screen (``every``: also the documents without
    a hit), else a row per document and a last row "(all)" with the measures."""
    if fmt_name == "table":
        _dispersion_screen(target, pattern, result, every)
        return
    scores = result.scores
    hits = total_hits(result)
    columns = ["doc", "tokens", "hits", "per_million", "range", "juilland_d", "dp", "dp_norm", "arf"]
    if fmt_name == "jsonl":
        columns.append("offsets")
    writer = RowWriter(target.stdout, fmt_name, columns, header=not no_header, bom=target.bom)
    if fmt_name == "tsv":
        _dispersion_tsv(target, result)
    else:
        for d in result.per_doc:
            record: dict[str, Any] = {
                "doc": d.doc.id,
                "tokens": d.tokens,
                "hits": len(d.offsets),
                "per_million": round(rate(len(d.offsets), d.tokens), 2),
            }
            if fmt_name == "jsonl":
                record["offsets"] = list(d.offsets)
            writer.write(record)
    summary: dict[str, Any] = {
        "doc": "(all)",
        "tokens": result.total_tokens,
        "hits": hits,
        "per_million": round(rate(hits, result.total_tokens), 2),
        "range": scores.range,
    }
    summary.update(_measures(scores, fmt_name))
    writer.write(summary)
    writer.close()


def _dispersion_tsv(target: Target, result: HitDispersion) -> None:
    """The documents' rows of ``dispersion`` in TSV, as ``RowWriter`` writes them (a
    name that is not UTF-8 escaped, the measures left empty), a block of rows at a time:
    a row per document of a corpus of 30,000 costs more than the numbers do."""
    out = target.stdout
    lines: list[str] = []
    for d in result.per_doc:
        hits = len(d.offsets)
        per_million = round(rate(hits, d.tokens), 2)
        lines.append(f"{tsv_field(utf8(d.doc.id))}\t{d.tokens}\t{hits}\t{per_million:.2f}\t\t\t\t\t\n")
        if len(lines) == 4096:
            out.write("".join(lines))
            lines.clear()
    out.write("".join(lines))


def write_dispersion_by(
    target: Target, pattern: str, by: PartDispersion, by_field: str, fmt_name: str, no_header: bool
) -> None:
    """``dispersion --by FIELD``: a row per group, the measures over the groups."""
    s = by.scores
    hits = sum(p.hits for p in by.parts)
    if fmt_name == "table":
        from .screen import DIM, paint

        heading = paint(f"{pattern} · normalization {target.normalization}", DIM, target.color)
        target.stdout.write(heading + "\n")
        shown = ["by", "docs", "with hits", "tokens", "hits", "per million"]
        records = [
            dict(
                zip(
                    shown,
                    [p.part, p.docs, p.hit_docs, p.tokens, p.hits, rate(p.hits, p.tokens)],
                    strict=True,
                )
            )
            for p in by.parts
        ]
        write_records(
            target,
            fmt_name,
            no_header,
            shown,
            records,
            names={"by": by_field},
            numeric=shown[1:],
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
    writer = RowWriter(target.stdout, fmt_name, columns, header=not no_header, bom=target.bom)
    for p in by.parts:
        writer.write(
            {
                "by": p.part,
                "docs": p.docs,
                "hit_docs": p.hit_docs,
                "tokens": p.tokens,
                "hits": p.hits,
                "per_million": round(rate(p.hits, p.tokens), 2),
            }
        )
    summary: dict[str, Any] = {
        "by": "(all)",
        "docs": sum(p.docs for p in by.parts),
        "hit_docs": sum(p.hit_docs for p in by.parts),
        "tokens": by.total_tokens,
        "hits": hits,
        "per_million": round(rate(hits, by.total_tokens), 2),
        "range": s.range,
    }
    summary.update(_measures(s, fmt_name))
    writer.write(summary)
    writer.close()


def _dispersion_screen(target: Target, pattern: str, result: HitDispersion, every: bool) -> None:
    from .screen import DIM, HEADING, MATCH, cell_width, id_labels, paint

    out = target.stdout
    color = target.color
    docs, rest = plotted(result, every)
    # The ids get what 32 cells of strip and the numbers leave.
    names = id_labels((d.doc.id for d in docs), max(12, target.env.columns - 19 - 32))
    label_width = max([cell_width(name) for name in names.values()] + [3])
    numbers = [f"{len(d.offsets):>5} {rate(len(d.offsets), d.tokens):>10,.1f}" for d in docs]
    strip_width = max(10, target.env.columns - label_width - 20)
    out.write(paint(f"{pattern} · normalization {target.normalization}", DIM, color) + "\n")
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


def write_dispersion_svg(
    path: str, pattern: str, result: HitDispersion, normalization: str, every: bool
) -> None:
    """The dispersion plot as SVG in ``path``: one strip per document (with a hit, or
    ``every`` one), a tick per hit.  ``CorpusError`` when the file cannot be written."""
    from xml.sax.saxutils import escape

    from .screen import id_labels

    row, label, width, top = 22, 230, 900, 48
    docs, rest = plotted(result, every)
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
        f'<text x="10" y="38" fill="#555">normalization {escape(normalization)}; '
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


def write_collocates(
    target: Target, result: CollocationResult, rows: Sequence[Collocate], fmt_name: str, no_header: bool
) -> None:
    """``collocates``: on a screen, the convention line then a table; in a pipe, rows
    that also carry f_node, n and the window.  ``--by-position``: a column per slot of
    the window (L3 … R3) after the left and right totals (WordSmith's order); on a
    screen, o11, the slots and the score alone."""
    measure = result.measure
    slots = result.slots if result.by_position else []
    columns = [
        "rank",
        "collocate",
        "key",
        "o11",
        "left",
        "right",
        *slots,
        "e11",
        "f_coll",
        measure,
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
            **dict(zip(slots, r.positions, strict=True)),
            "e11": r.e11,
            "f_coll": r.f_coll,
            measure: r.score,
            "f_node": result.f_node,
            "n": result.n,
            "window": f"{result.left}L{result.right}R",
        }
        for i, r in enumerate(rows, 1)
    ]
    if fmt_name == "table":
        target.stdout.write(result.convention + "\n")
    hidden = ["key", "f_node", "n", "window"]
    if slots:  # the slots take the room: their sum and the score stay
        hidden += ["left", "right", "e11", "f_coll"]
    write_records(
        target,
        fmt_name,
        no_header,
        columns,
        records,
        hide=hidden,
        numeric=("rank", "o11", "left", "right", *slots, "e11", "f_coll", measure),
        flexible="collocate",
    )


# --------------------------------------------------------------------------- keywords


def write_keywords(
    target: Target,
    rows: Sequence[RankedKeyword],
    measure: str,
    fmt_name: str,
    no_header: bool,
    *,
    by_field: str | None = None,
) -> None:
    """``keywords``: a row per keyword (a "by" column first with ``--by``), the score of
    ``measure``, G² (when the measure is not G² itself), its p-value and band."""
    columns = (
        ["rank", "term", "key", "a", "b", "c", "d", measure]
        + (["g2"] if measure != "g2" else [])
        + ["p", "band"]
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
            measure: r.score,
            "g2": r.g2,
            "p": float(f"{r.p:.4g}"),
            "band": r.band,
        }
        for group, i, r in rows
    ]
    write_records(
        target,
        fmt_name,
        no_header,
        columns,
        records,
        hide=("key",),
        numeric=("rank", "a", "b", "c", "d", measure, "g2", "p"),
        flexible="term",
        names={"by": by_field} if by_field else {},
    )
