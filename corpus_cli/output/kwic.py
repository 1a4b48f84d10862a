"""kwic's output: records in a pipe, aligned right-to-left rows on a screen; and the
clusters of ``kwic --clusters``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..query.kwic import ANALYSIS_COLUMNS, HitAnalysis, Line
from ..text.clitics import Split
from ..text.visible import after_chars, before_chars
from .records import RowWriter
from .screen import DIM, HEADING, LINE_NO, cell_width, id_labels, isolate, kwic_row, paint, unembedded

if TYPE_CHECKING:
    from ..query.clusters import Cluster
    from .environment import Environment
    from .target import Target

COLUMNS = ["doc", "line", "start", "end", "before", "match", "after"]
#: Cells each context keeps on a screen (when --width allows) before document ids are cut.
MIN_SIDE = 20


def screen_width(width: int, env: Environment) -> int:
    """The context width kwic uses on a screen: what fits beside the match."""
    prefix_room = 16
    return max(8, min(width, (env.columns - prefix_room - 12) // 2))


def write_kwic(
    lines: Iterable[Line],
    target: Target,
    *,
    fmt_name: str,
    width: int,
    clitics: bool,
    header: bool,
    analysis: HitAnalysis | None = None,
) -> bool:
    """Print concordance lines (a table on a screen); True when there was one.
    ``analysis`` (``--analysis``): the columns lemma, root and pos, after the others."""
    if fmt_name == "table":
        return _screen(lines, target, width, analysis)
    columns = [*COLUMNS, "clitics"] if clitics else list(COLUMNS)
    if analysis is not None:
        columns.extend(ANALYSIS_COLUMNS)
    writer = RowWriter(target.env.stdout, fmt_name, columns, header=header, bom=target.bom)
    if fmt_name == "tsv" and not clitics and analysis is None:
        return _tsv(lines, writer)
    found = False
    for line in lines:
        found = True
        hit = line.hit
        record = _record(line, fmt_name)
        if analysis is not None:
            record.update(zip(ANALYSIS_COLUMNS, analysis.of(hit.doc.id, hit.start, hit.end), strict=True))
        writer.write(record)
    writer.close()
    return found


#: What ``RowWriter`` escapes in a TSV field, a tab aside (``records.tsv_field``).
_ESCAPED_BUT_TAB = re.compile(r"[\\\n\r]")
#: TSV rows written at once by ``write_kwic`` (a write each cost as much as making the row).
ROWS_AT_ONCE = 64


def _tsv(lines: Iterable[Line], writer: RowWriter) -> bool:
    """``write_kwic``'s TSV rows without clitics or analysis, each made at once: the
    row ``RowWriter`` makes when no field needs escaping and the row can be written as
    UTF-8, which is nearly always (a record per line took a third of the writing of
    ``kwic --root كتب``'s 14,345 lines); the others go through ``writer``.  Rows go out
    ``ROWS_AT_ONCE`` at a time (what is made is written even when making the next fails)."""
    write = writer.stream.write
    found = False
    rows: list[str] = []

    def write_rows() -> None:
        made = "".join(rows)
        rows.clear()  # before the write: a write that fails is not tried again
        write(made)

    try:
        for line in lines:
            found = True
            hit = line.hit
            place = f"{hit.doc.id}\t{hit.line_no}\t{hit.start}\t{hit.end}"
            row = f"{place}\t{line.before}\t{line.match}\t{line.after}\n"
            if row.count("\t") == 6 and _ESCAPED_BUT_TAB.search(row, 0, len(row) - 1) is None:
                try:
                    row.encode("utf-8")
                except UnicodeEncodeError:
                    pass  # a lone surrogate (a file name that is not UTF-8): the writer's escape
                else:
                    rows.append(row)
                    if len(rows) == ROWS_AT_ONCE:
                        write_rows()
                    continue
            if rows:
                write_rows()
            writer.write(_record(line, "tsv"))
    finally:
        if rows:
            write_rows()
    writer.close()
    return found


def _record(line: Line, fmt_name: str) -> dict[str, Any]:
    """A concordance line as ``RowWriter``'s record (no analysis)."""
    hit = line.hit
    return {
        "doc": hit.doc.id,
        "line": hit.line_no,
        "start": hit.start,
        "end": hit.end,
        "before": line.before,
        "match": line.match,
        "after": line.after,
        **_clitics(hit.split, fmt_name),
    }


def _clitics(split: Split | None, fmt_name: str) -> dict[str, Any]:
    if split is None:
        return {}
    return {"clitics": split.as_dict() if fmt_name == "jsonl" else str(split)}


def _screen(lines: Iterable[Line], target: Target, width: int, analysis: HitAnalysis | None = None) -> bool:
    rows = list(lines)
    if not rows:
        return False
    color = target.color
    columns = target.env.columns
    splits = [str(ln.hit.split) if ln.hit.split else "" for ln in rows]
    if analysis is not None:  # the analysis in the clitics' column: "lemma root pos" (· for none)
        splits = [
            " ".join(part for part in (split, _analysis_cell(analysis, ln)) if part)
            for split, ln in zip(splits, rows, strict=True)
        ]
    split_width = max(cell_width(s) for s in splits)
    split_room = split_width + 1 if split_width else 0
    # The ids get what the contexts leave (MIN_SIDE cells each, the match 12); the
    # contexts then get what the longest label leaves.
    number_room = max(len(str(ln.hit.line_no)) for ln in rows) + 2
    id_room = columns - 12 - 2 * min(width, MIN_SIDE) - number_room - split_room
    names = id_labels((ln.hit.doc.id for ln in rows), max(12, id_room))
    labels = [f"{names[ln.hit.doc.id]}:{ln.hit.line_no}" for ln in rows]
    label_width = max(cell_width(label) for label in labels)
    made, width = width, max(8, min(width, (columns - label_width - 1 - split_room - 12) // 2))
    out = target.env.stdout
    out.write(paint(f"{len(rows):,} lines · normalization {target.normalization}", DIM, color) + "\n")
    for label, split, line in zip(labels, splits, rows, strict=True):
        doc, _, number = label.rpartition(":")
        prefix = paint(unembedded(doc), HEADING, color) + ":" + paint(number, LINE_NO, color)
        prefix += " " * (label_width - cell_width(label) + 1)
        if split_width:
            # The clitic split as a column of its own, isolated so it cannot move.
            prefix += paint(isolate(split), DIM, color) + " " * (split_width - cell_width(split) + 1)
        before, after = line.before, line.after
        if width < made:  # contexts cut for the screen before the ids took their room: cut again
            if cell_width(before) <= made:
                before = before[before_chars(before, len(before), width) :]
            if cell_width(after) <= made:
                after = after[: after_chars(after, 0, width)]
        out.write(kwic_row(prefix, before, line.match, after, width, color) + "\n")
    return True


CLUSTER_COLUMNS = ["cluster", "key", "count", "docs"]


def write_clusters(
    rows: Sequence[Cluster], target: Target, *, fmt_name: str, header: bool, hits: int, size: int
) -> bool:
    """Print the clusters of ``kwic --clusters`` (a table on a screen); True when there
    was one."""
    if fmt_name == "table":
        if rows:
            from .screen import print_table

            print_table(
                target.env,
                target.color,
                ["cluster", "count", "docs"],
                [[row.cluster, row.hits, row.docs] for row in rows],
                numeric=("count", "docs"),
                flexible="cluster",
                caption=f"clusters of {size} words around {hits:,} hits"
                f" · normalization {target.normalization}",
            )
        return bool(rows)
    writer = RowWriter(target.env.stdout, fmt_name, CLUSTER_COLUMNS, header=header, bom=target.bom)
    for row in rows:
        writer.write({"cluster": row.cluster, "key": row.key, "count": row.hits, "docs": row.docs})
    writer.close()
    return bool(rows)


def _analysis_cell(analysis: HitAnalysis, line: Line) -> str:
    """A hit's analysis on the screen: lemma, root and pos separated by /, · for a
    value the hit has not."""
    hit = line.hit
    return "/".join(value or "·" for value in analysis.of(hit.doc.id, hit.start, hit.end))
