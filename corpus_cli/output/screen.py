"""What a person sees on a terminal: highlights, cut lines, aligned RTL concordances.

Only used when stdout is a terminal (or ``--format table``).  Match highlighting writes
SGR codes directly (Rich's styling is ~200× slower per line); Rich draws tables only.
Corpus text is never read as Rich markup.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from .environment import Environment

RESET = "\x1b[0m"
MATCH = "\x1b[1;31m"
HEADING = "\x1b[1;35m"
LINE_NO = "\x1b[32m"
DIM = "\x1b[2m"

LRM, RLE, PDF, RLI, PDI, NBSP = "\u200e", "\u202b", "\u202c", "\u2067", "\u2069", "\u00a0"
ELLIPSIS = "…"
#: Embeddings, overrides and isolates (LRE…RLO, LRI…PDI): in a row's text they could
#: close the isolate the row puts it in, or open one that swallows the rest of the row.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{RESET}" if color and text else text


def cell_width(text: str) -> int:
    """Terminal cells: marks and format characters take none, wide CJK/emoji take two."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def is_rtl(text: str) -> bool:
    """Direction of a paragraph from its first strong character (UAX #9, P2)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def visible(text: str) -> str:
    """Tabs and other control characters would break a screen row: show them as spaces."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def unembedded(text: str) -> str:
    """``text`` without bidi embeddings, overrides and isolates: the screen places it
    in isolates of its own, which its controls must not be able to close or extend."""
    return _BIDI_CONTROLS.sub("", text) if _BIDI_CONTROLS.search(text) else text


def highlight(text: str, spans: Sequence[tuple[int, int]], color: bool, offset: int = 0) -> str:
    """``text`` with the spans (relative to ``offset``) painted as matches."""
    if not color or not spans:
        return visible(text)
    out = []
    last = 0
    for start, end in spans:
        start, end = max(start - offset, last), min(end - offset, len(text))
        if end <= start:
            continue
        out.append(visible(text[last:start]))
        out.append(paint(visible(text[start:end]), MATCH, color))
        last = end
    out.append(visible(text[last:]))
    return "".join(out)


def fit_line(line: str, spans: Sequence[tuple[int, int]], room: int, color: bool) -> str:
    """The line, or a window of it around the first hit cut with ``…``, highlighted."""
    if cell_width(line) <= room or room < 10:
        return highlight(line, spans, color)
    anchor_start, anchor_end = spans[0] if spans else (0, 0)
    side = max(4, (room - cell_width(line[anchor_start:anchor_end])) // 2 - 1)
    from ..text.visible import after_chars, before_chars  # screens only: not at start-up

    left = before_chars(line, anchor_start, side)
    right = after_chars(line, anchor_end, side)
    inside = [(s, e) for s, e in spans if s >= left and e <= right]
    hidden = len(spans) - len(inside)
    body = highlight(line[left:right], inside, color, offset=left)
    text = (ELLIPSIS if left > 0 else "") + body + (ELLIPSIS if right < len(line) else "")
    if hidden:
        text += paint(f" [+{hidden}]", DIM, color)
    return text


def kwic_row(prefix: str, before: str, match: str, after: str, width: int, color: bool) -> str:
    """One aligned concordance row (cli-conventions, "KWIC alignment for RTL text").

    RTL rows are built in logical order inside an RTL embedding with each context in
    an isolate and NBSP padding, so the keyword stays in one column both in terminals
    that run the bidi algorithm and in those that do not.
    """
    before = _fit_start(unembedded(before), width)
    after = _fit_end(unembedded(after), width)
    match = unembedded(match)
    keyword = paint(visible(match), MATCH, color)
    pad_before = NBSP * (width - cell_width(before))
    pad_after = NBSP * (width - cell_width(after))
    if is_rtl(before + match + after):
        return f"{prefix}{RLE}{pad_before}{RLI}{before}{PDI} {keyword} {RLI}{after}{PDI}{pad_after}{PDF}{LRM}"
    return f"{prefix}{pad_before}{before} {keyword} {after}{pad_after}"


def _fit_start(text: str, width: int) -> str:
    """The end of ``text`` that fits in ``width`` cells (cut at its start)."""
    text = visible(text)
    if cell_width(text) <= width:
        return text
    from ..text.visible import before_chars

    start = before_chars(text, len(text), max(0, width - 1))
    return ELLIPSIS + text[start:]


def _fit_end(text: str, width: int) -> str:
    """The start of ``text`` that fits in ``width`` cells (cut at its end)."""
    text = visible(text)
    if cell_width(text) <= width:
        return text
    from ..text.visible import after_chars

    end = after_chars(text, 0, max(0, width - 1))
    return text[:end] + ELLIPSIS


#: Where a cut id may start: after one of these, its end reads as a name of its own.
_ID_SEPARATORS = "/\\:_-. "


def id_labels(ids: Iterable[str], room: int) -> dict[str, str]:
    """How each document id is shown in a column of ``room`` cells: whole when the
    longest fits, else each id longer than ``room`` as ``…`` and as much of its end as
    fits, when that end is no other listed id's end (ids of a corpus often share a long
    start: a folder, a date), else whole.  Never a cut that could name two documents.
    """
    unique = list(dict.fromkeys(ids))
    if not unique or max(cell_width(i) for i in unique) <= room:
        return {i: i for i in unique}
    # An id's longest common end with any other id is one it shares with a neighbour
    # in the order of reversed ids.
    ordered = sorted(unique, key=lambda i: i[::-1])
    shared = [0] + [_common_end(a, b) for a, b in pairwise(ordered)] + [0]
    labels = {}
    for n, doc_id in enumerate(ordered):
        need = max(shared[n], shared[n + 1]) + 1  # characters of the end that set it apart
        keep = _fitting_end(doc_id, room - 1)
        if cell_width(doc_id) <= room or need > keep:
            labels[doc_id] = doc_id  # it fits, or what sets it apart does not: whole
            continue
        end = doc_id[-keep:]
        if doc_id[-keep - 1] not in _ID_SEPARATORS:
            # Not a piece of a word: start at a separator, if what follows still sets it apart.
            for i, char in enumerate(end[: len(end) - need + 1]):
                if char in _ID_SEPARATORS:
                    end = end[i:] if char == "/" or len(end) - i - 1 < need else end[i + 1 :]
                    break
        labels[doc_id] = ELLIPSIS + end
    return {i: labels[i] for i in unique}


def _common_end(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _fitting_end(text: str, room: int) -> int:
    """How many characters of the end of ``text`` fit in ``room`` cells."""
    width = 0
    for n, char in enumerate(reversed(text)):
        width += cell_width(char)
        if width > room:
            return n
    return len(text)


def isolate(text: str) -> str:
    """Wrap RTL text in an isolate so a table cell cannot swap with its neighbours."""
    text = unembedded(text)
    return f"{RLI}{text}{PDI}" if is_rtl(text) else text


def print_table(
    env: Environment,
    color: bool,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    numeric: Sequence[str] = (),
    flexible: str | None = None,
    footer: Sequence[Any] | None = None,
    caption: str | None = None,
) -> None:
    """A Rich table on stdout; every corpus string is plain text, never markup.

    Only the ``flexible`` column is cut (with …) to fit the terminal; ids and numbers
    are always shown whole.  RTL cells are isolated so that a bidi terminal cannot
    move them across column borders.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    class PipeAwareConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError  # Rich would exit 1; a closed pipe is a clean end (0)

    console = PipeAwareConsole(
        file=env.stdout,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        width=env.columns,
    )
    table = Table(show_footer=footer is not None, header_style="bold")
    cells = [[_cell(v) for v in row] for row in rows]
    feet = [_cell(v) for v in footer] if footer is not None else None
    widths = [
        max([cell_width(name)] + [cell_width(r[i]) for r in cells] + ([cell_width(feet[i])] if feet else []))
        for i, name in enumerate(columns)
    ]
    if flexible in columns:
        i = columns.index(flexible)
        # Each column costs 3 cells of border and padding, plus one for the last border.
        room = env.columns - (sum(widths) - widths[i]) - 3 * len(columns) - 1
        widths[i] = max(min(widths[i], room), min(widths[i], 8))
    for i, name in enumerate(columns):
        table.add_column(
            name,
            justify="right" if name in numeric else "left",
            footer=Text(feet[i]) if feet is not None else "",
            no_wrap=True,
            overflow="ellipsis",
            width=widths[i],
        )
    for row in cells:
        # Cut before isolating: a cut isolate would swallow the rest of the row.
        table.add_row(*(Text(isolate(_fit_end(v, widths[i]))) for i, v in enumerate(row)))
    console.print(table)
    if caption:
        console.print(Text(caption, style="dim"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
