"""grep's behaviour around the matcher: selection, context lines, counts, and output.

Formats: ``plain`` is grep's own (``doc:line:text``, context lines ``doc-line-text``,
``--`` between groups); ``tsv``/``csv``/``jsonl`` are records; ``table`` is the screen
(grouped by document, highlighted, long lines cut around the hit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from ..query.kwic import ANALYSIS_COLUMNS, HitAnalysis
from ..query.pattern import Query
from ..query.search import (
    DocumentHits,
    LineMatch,
    LineSearch,
    TextLines,
    line_spans,
    lines_from_positions,
    search_lines,
    with_documents,
)
from ..store.corpus import Document
from ..text.clitics import Split
from .environment import Environment
from .records import ROW_FORMATS, RowWriter
from .screen import DIM, HEADING, LINE_NO, MATCH, cell_width, fit_line, highlight, paint


class GrepRequest(NamedTuple):
    invert: bool = False
    max_count: int | None = None
    count_lines: bool = False
    count_matches: bool = False
    files_with_matches: bool = False
    only_matching: bool = False
    before: int = 0
    after: int = 0
    line_number: bool = True
    quiet: bool = False
    header: bool = True
    #: The output shows where the hits are (highlights, ``-o``, JSON's ``matches``); else
    #: a selected line's hits are not mapped back to the original text.
    spans: bool = True
    #: -A/-B/-C was given, even as 0: ``--`` between groups of lines that do not touch,
    #: as grep prints them.
    context: bool = False
    bom: bool = False  # tsv/csv start with a byte-order mark

    @property
    def grouped(self) -> bool:
        return self.context or bool(self.before or self.after)

    @property
    def summary(self) -> bool:
        """``-c``, ``--count-matches``, ``-l``: a number or a name per document, no line."""
        return self.count_lines or self.count_matches or self.files_with_matches


class Row(NamedTuple):
    """A line to print: a selected line, or a context line around one."""

    doc: Document
    line_no: int
    text: str
    spans: tuple[tuple[int, int], ...]
    selected: bool
    gap_before: bool  # a "--" separator belongs before this row
    splits: tuple[Split | None, ...] = ()
    offset: int = 0  # where the line starts in ``doc.text`` (a selected line's)

    def split_texts(self) -> list[str]:
        return [str(s) for s in self.splits if s is not None]


def line_search(request: GrepRequest) -> LineSearch:
    """The arguments of ``search_lines`` that ``request`` calls for: the only place they
    are decided, so that workers that search ahead (``scan.candidates``) ask the same."""
    max_count = request.max_count
    if request.quiet:
        return LineSearch(request.invert, 1)
    if request.summary:
        if request.files_with_matches and not request.count_lines and not request.count_matches:
            max_count = 1 if max_count is None else min(max_count, 1)
        return LineSearch(request.invert, max_count, spans=request.count_matches and not request.invert)
    return LineSearch(request.invert, max_count, spans=request.spans or request.only_matching)


def shows_spans(fmt: str, color: bool) -> bool:
    """Does grep's output in ``fmt`` show where a line's hits are (``GrepRequest.spans``)?"""
    return color or fmt in ("jsonl", "table")


def needs_text(request: GrepRequest, fmt: str) -> bool:
    """Does the output need a document's text beyond its selected lines?  Context lines
    do, and so does the screen (the width of its line numbers)."""
    return not (request.quiet or request.summary) and (
        fmt == "table" or bool(request.before or request.after)
    )


def run_grep(
    docs: Iterable[Document],
    query: Query,
    request: GrepRequest,
    fmt: str,
    env: Environment,
    color: bool,
    analysis: HitAnalysis | None = None,
) -> bool:
    """Search ``docs`` and print in ``fmt``; True when any line was selected.
    ``analysis`` (``--analysis``): each hit's lemma, root and pos too (``hit_columns``)."""
    if request.quiet:
        search = line_search(request)._asdict()
        return any(next(search_lines(d, query, **search), None) for d in docs)
    if request.summary:
        return _summaries(docs, query, request, fmt, env, color)
    return _lines(((doc, None) for doc in docs), query, request, fmt, env, color, analysis)


def run_grep_positions(
    groups: Iterable[DocumentHits],
    read: Callable[[Iterable[int]], Iterator[Document]],
    query: Query,
    request: GrepRequest,
    fmt: str,
    env: Environment,
    color: bool,
    analysis: HitAnalysis | None = None,
) -> bool:
    """``run_grep`` from the hits of the token layer (``search.positional_hits``, asked
    with ``line_search(request).max_count``; never ``invert``): the same output, with
    no document searched, and only those with a selected line read."""
    if request.quiet:
        return next(iter(groups), None) is not None
    search = line_search(request)
    if request.summary:
        numbers = (
            (doc.id, len(group.hits) if search.spans else len({hit.line_no for hit in group.hits}))
            for doc, group in with_documents(groups, read)
        )
        return write_summaries(numbers, request, fmt, env, color)
    selected = (
        (doc, lines_from_positions(doc, group.hits, query, search.spans))
        for doc, group in with_documents(groups, read)
    )
    return _lines(selected, query, request, fmt, env, color, analysis)


# --------------------------------------------------------------------------- summaries


def _summaries(
    docs: Iterable[Document],
    query: Query,
    request: GrepRequest,
    fmt: str,
    env: Environment,
    color: bool,
) -> bool:
    numbers = ((doc.id, summary_number(doc, query, request)) for doc in docs)
    return write_summaries(((d, n) for d, n in numbers if n is not None), request, fmt, env, color)


def summary_number(doc: Document, query: Query, request: GrepRequest) -> int | None:
    """``-c``/``--count-matches``/``-l``: the number for ``doc``, None when nothing is selected.

    Counted as the lines stream by (none is kept); ``-l`` stops at the first.
    """
    search = line_search(request)
    number: int | None = None
    for line in search_lines(doc, query, **search._asdict()):
        number = (number or 0) + (len(line.spans) if search.spans else 1)
    return number


def write_summaries(
    numbers: Iterable[tuple[str, int]],
    request: GrepRequest,
    fmt: str,
    env: Environment,
    color: bool,
) -> bool:
    """Print ``(doc id, number)`` pairs (documents with a selected line, in order)."""
    out = env.stdout
    columns = ["doc"] if request.files_with_matches else ["doc", "count"]
    writer = None
    if fmt in ROW_FORMATS:
        writer = RowWriter(out, fmt, columns, header=request.header, bom=request.bom)
    found = False
    for doc_id, number in numbers:
        found = True
        if writer is not None:
            record: dict[str, Any] = {"doc": doc_id}
            if not request.files_with_matches:
                record["count"] = number
            writer.write(record)
        else:
            name = paint(doc_id, HEADING, color)
            out.write(name + "\n" if request.files_with_matches else f"{name}:{number}\n")
    if writer is not None:
        writer.close()
    return found


# --------------------------------------------------------------------------- lines


#: A document and its selected lines (None: search it for them, ``search_lines``).
Selected = tuple[Document, Iterable[LineMatch] | None]


def _rows(
    doc: Document, query: Query, request: GrepRequest, found: Iterable[LineMatch] | None = None
) -> Iterator[Row]:
    """Selected lines of ``doc`` (``found``, or searched now) with their context lines,
    in order, each once.

    Streamed: each selected line comes with the context owed since the previous one,
    so no list of a document's lines is built.  With ``-v -o`` the context lines are the
    ones that match, and their hits are what ``-o`` prints, as in grep.
    """
    selected = search_lines(doc, query, **line_search(request)._asdict()) if found is None else found
    if not request.before and not request.after:
        previous = 0
        for line in selected:
            gap = request.context and previous != 0 and line.line_no != previous + 1
            yield Row(doc, line.line_no, line.text, line.spans, True, gap, line.splits, line.offset)
            previous = line.line_no
        return
    text = TextLines(doc.text)
    line_count = doc.line_count  # counted once: it reads the whole text
    last = 0  # the last line yielded
    owed = 0  # after-context is owed up to this line
    matched = request.invert and request.only_matching

    def context(first: int, stop: int) -> Iterator[Row]:
        nonlocal last
        for number in range(max(first, last + 1), stop + 1):
            line = text.line(number - 1) or ""
            spans = tuple(line_spans(line, query)) if matched else ()
            yield Row(doc, number, line, spans, False, last != 0 and number != last + 1)
            last = number

    for match in selected:
        yield from context(last + 1, min(owed, match.line_no - 1))
        yield from context(match.line_no - request.before, match.line_no - 1)
        gap = last != 0 and match.line_no != last + 1
        yield Row(doc, match.line_no, match.text, match.spans, True, gap, match.splits, match.offset)
        last = match.line_no
        owed = min(line_count, match.line_no + request.after)
    yield from context(last + 1, owed)


def _lines(
    docs: Iterable[Selected],
    query: Query,
    request: GrepRequest,
    fmt: str,
    env: Environment,
    color: bool,
    analysis: HitAnalysis | None = None,
) -> bool:
    with_context = request.grouped
    if fmt == "table":
        return _screen(docs, query, request, env, color, analysis)
    writer = None
    if fmt in ROW_FORMATS:
        if request.only_matching:
            columns = ["doc", "line", "start", "end", "match"]
        else:
            columns = ["doc", "line", "text"] + (["type"] if with_context else [])
        if query.clitics:
            columns.append("clitics")
        if analysis is not None:
            columns.extend(ANALYSIS_COLUMNS)
        writer = RowWriter(env.stdout, fmt, columns, header=request.header, bom=request.bom)
    out = env.stdout
    found = False
    last_doc: Document | None = None
    for doc, lines in docs:
        for row in _rows(doc, query, request, lines):
            found = found or row.selected
            if writer is not None:
                _write_record(writer, fmt, row, request, with_context, analysis)
                continue
            if with_context and last_doc is not None and (row.gap_before or row.doc is not last_doc):
                out.write("--\n")
            last_doc = row.doc
            _write_plain(out, row, request, color, analysis)
    if writer is not None:
        writer.close()
    return found


def _write_record(
    writer: RowWriter,
    fmt: str,
    row: Row,
    request: GrepRequest,
    with_context: bool,
    analysis: HitAnalysis | None = None,
) -> None:
    splits = row.splits or (None,) * len(row.spans)
    if request.only_matching:
        for (start, end), split in zip(row.spans, splits, strict=True):
            if start == end:
                continue  # an empty match selects its line, but -o has nothing to show
            hit: dict[str, Any] = {
                "doc": row.doc.id,
                "line": row.line_no,
                "start": start,
                "end": end,
                "match": row.text[start:end],
            }
            if split is not None:
                hit["clitics"] = split.as_dict() if fmt == "jsonl" else str(split)
            if analysis is not None:
                hit.update(zip(ANALYSIS_COLUMNS, _hit_values(analysis, row, (start, end)), strict=True))
            writer.write(hit)
        return
    record: dict[str, Any] = {"doc": row.doc.id, "line": row.line_no, "text": row.text}
    if fmt == "jsonl":
        record["matches"] = [
            _match_record(
                row.text, span, split, None if analysis is None else _hit_values(analysis, row, span)
            )
            for span, split in zip(row.spans, splits, strict=True)
        ]
    elif row.splits:
        record["clitics"] = " ".join(row.split_texts())
    if with_context:
        record["type"] = "match" if row.selected else "context"
    if analysis is not None and fmt != "jsonl":
        record.update(zip(ANALYSIS_COLUMNS, line_values(analysis, row), strict=True))
    writer.write(record)


def _match_record(
    text: str, span: tuple[int, int], split: Split | None, values: tuple[str, ...] | None = None
) -> dict[str, Any]:
    start, end = span
    record: dict[str, Any] = {"start": start, "end": end, "text": text[start:end]}
    if split is not None:
        record["clitics"] = split.as_dict()
    if values is not None:
        record.update(zip(ANALYSIS_COLUMNS, values, strict=True))
    return record


#: Between the analyses of the hits of one line (a line record, plain output).
HITS_APART = " | "


def _hit_values(analysis: HitAnalysis, row: Row, span: tuple[int, int]) -> tuple[str, ...]:
    """lemma, root and pos of a hit of ``row`` (``span``: in the line)."""
    return analysis.of(row.doc.id, row.offset + span[0], row.offset + span[1])


def line_values(analysis: HitAnalysis, row: Row) -> tuple[str, ...]:
    """lemma, root and pos of the hits of a selected line, the hits' apart by `` | ``
    (a context line: empty)."""
    if not row.selected:
        return ("",) * len(ANALYSIS_COLUMNS)
    each = [_hit_values(analysis, row, span) for span in row.spans if span[1] > span[0]]
    return tuple(HITS_APART.join(values[i] for values in each) for i in range(len(ANALYSIS_COLUMNS)))


def _write_plain(
    out: Any, row: Row, request: GrepRequest, color: bool, analysis: HitAnalysis | None = None
) -> None:
    sep = ":" if row.selected else "-"
    name = paint(row.doc.id, HEADING, color)
    number = paint(str(row.line_no), LINE_NO, color) + sep if request.line_number else ""
    if request.only_matching:
        for start, end in row.spans:
            if end > start:
                more = "" if analysis is None else _tabbed(_hit_values(analysis, row, (start, end)))
                out.write(f"{name}{sep}{number}{paint(row.text[start:end], MATCH, color)}{more}\n")
        return
    text = highlight(row.text, row.spans, color) if color else row.text
    more = "" if analysis is None or not row.selected else _tabbed(line_values(analysis, row))
    out.write(f"{name}{sep}{number}{text}{more}\n")


def _tabbed(values: tuple[str, ...]) -> str:
    return "".join(f"\t{value}" for value in values)


def _noted(values: tuple[str, ...]) -> str:
    """A hit's analysis on the screen: lemma/root/pos, · for a value it has not."""
    return "/".join(value or "·" for value in values)


def _screen(
    docs: Iterable[Selected],
    query: Query,
    request: GrepRequest,
    env: Environment,
    color: bool,
    analysis: HitAnalysis | None = None,
) -> bool:
    """Grouped by document: a heading, then numbered lines cut to the terminal width
    (``analysis``: each hit's lemma/root/pos in the note after the line)."""
    out = env.stdout
    columns = env.columns
    found = False
    first_doc = True
    for doc, lines in docs:
        width = len(str(doc.line_count))
        heading_done = False
        for row in _rows(doc, query, request, lines):
            found = found or row.selected
            if not heading_done:
                if not first_doc:
                    out.write("\n")
                out.write(paint(doc.id, HEADING, color) + "\n")
                heading_done = True
                first_doc = False
            if row.gap_before:
                out.write(paint("--", DIM, color) + "\n")
            prefix = ""
            if request.line_number:
                mark = ":" if row.selected else "-"
                prefix = paint(str(row.line_no).rjust(width), LINE_NO, color) + mark + "\u200e "
            room = columns - cell_width(prefix)
            if request.only_matching:
                for start, end in row.spans:
                    if end > start:
                        note = ""
                        if analysis is not None:
                            note = paint(
                                "  [" + _noted(_hit_values(analysis, row, (start, end))) + "]", DIM, color
                            )
                        out.write(prefix + paint(row.text[start:end], MATCH, color) + note + "\n")
                continue
            splits = row.split_texts()
            if analysis is not None and row.selected:
                splits += [
                    _noted(_hit_values(analysis, row, span)) for span in row.spans if span[1] > span[0]
                ]
            note = "  [" + " ".join(splits) + "]" if splits else ""
            text = fit_line(row.text, row.spans, room - cell_width(note), color)
            out.write(
                prefix + (text if row.selected else paint(text, DIM, color)) + paint(note, DIM, color) + "\n"
            )
    return found
