"""kwic's output: records in a pipe, aligned right-to-left rows on a screen."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..query.kwic import Line, concordance, parse_sort, per_document, sample, sort_lines
from ..query.pattern import Query
from ..query.search import iter_hits
from ..store.corpus import Document
from ..text.clitics import Split
from ..text.visible import after_chars, before_chars
from .records import RowWriter
from .screen import DIM, HEADING, LINE_NO, cell_width, id_labels, isolate, kwic_row, paint, unembedded

if TYPE_CHECKING:
    from ..cli.application import Session

COLUMNS = ["doc", "line", "start", "end", "before", "match", "after"]
#: Cells each context keeps on a screen (when --width allows) before document ids are cut.
MIN_SIDE = 20


def run_kwic(
    docs: Iterable[Document],
    query: Query,
    session: Session,
    *,
    fmt_name: str,
    width: int,
    words: int | None,
    limit: int | None,
    sort: str,
    max_count: int | None,
    header: bool,
    sample_size: int | None = None,
    seed: int | None = None,
    per_doc: int | None = None,
) -> bool:
    """Print the concordance of ``query``; True when there was at least one hit.

    Order of work: hits → at most ``per_doc`` per document → a random sample →
    sorting → ``limit``.  With none of these, hits stream straight to the output.
    """
    keys = parse_sort(sort)
    hits = iter_hits(docs, query, max_count=max_count)
    if fmt_name == "table":
        width = screen_width(width, session)
    lines: Iterable[Line] = concordance(hits, width=width, words=words)
    if per_doc is not None:
        lines = per_document(lines, per_doc)
    if sample_size is not None:
        lines = sample(lines, sample_size, seed)
    if keys != ["position"]:
        lines = sort_lines(list(lines), keys, session.normalizer)
    if limit is not None:
        lines = islice(lines, limit)
    return write_kwic(lines, session, fmt_name=fmt_name, width=width, clitics=query.clitics, header=header)


def screen_width(width: int, session: Session) -> int:
    """The context width kwic uses on a screen: what fits beside the match."""
    prefix_room = 16
    return max(8, min(width, (session.env.columns - prefix_room - 12) // 2))


def write_kwic(
    lines: Iterable[Line], session: Session, *, fmt_name: str, width: int, clitics: bool, header: bool
) -> bool:
    """Print concordance lines (a table on a screen); True when there was one."""
    if fmt_name == "table":
        return _screen(lines, session, width)
    columns = [*COLUMNS, "clitics"] if clitics else COLUMNS
    writer = RowWriter(session.env.stdout, fmt_name, columns, header=header, bom=session.bom)
    found = False
    for line in lines:
        found = True
        hit = line.hit
        writer.write(
            {
                "doc": hit.doc.id,
                "line": hit.line_no,
                "start": hit.start,
                "end": hit.end,
                "before": line.before,
                "match": line.match,
                "after": line.after,
                **_clitics(hit.split, fmt_name),
            }
        )
    writer.close()
    return found


def _clitics(split: Split | None, fmt_name: str) -> dict[str, Any]:
    if split is None:
        return {}
    return {"clitics": split.as_dict() if fmt_name == "jsonl" else str(split)}


def _screen(lines: Iterable[Line], session: Session, width: int) -> bool:
    rows = list(lines)
    if not rows:
        return False
    color = session.color
    columns = session.env.columns
    splits = [str(ln.hit.split) if ln.hit.split else "" for ln in rows]
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
    out = session.env.stdout
    out.write(paint(f"{len(rows):,} lines · normalization {session.settings}", DIM, color) + "\n")
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
