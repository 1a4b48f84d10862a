"""The frequency list of a whole corpus at another normalization than its index's,
kept beside the index's token layer so that the next ``freq`` at that level reads it, as
it reads the index's own list, instead of counting again."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..output.freq import plain_tsv_lines

if TYPE_CHECKING:
    from ..query.freq import FreqRow
    from ..store.layer import TokenLayer
    from ..text.normalize import Normalizer


class SavedRanking:
    """The frequency list of the whole corpus at another normalization than its index's
    (``--keep alef``, ``--norm aggressive``), kept beside the token layer as ``freq``
    wrote it in TSV, so that the next list at that level is read, as the index's own
    list is, rather than counted again: counting needs numpy, whose import alone (0.11 s)
    is what the layer's answer took longer than the index's list.

    The file holds the first rows of the ranking (as many as a command printed) and, when
    that command's list ran out before its ``--top``, the ``--min-count`` down to which
    it holds every row; a first line of JSON names the layer and the normalization."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.header = header

    @classmethod
    def beside(cls, layer: TokenLayer, normalizer: Normalizer) -> SavedRanking | None:
        """The place of the list for this layer and normalization (None: a layer in
        memory, or one at this normalization, whose index keeps its own list)."""
        place, steps = layer.path, list(normalizer.active_steps)
        if place is None or tuple(steps) == layer.steps:
            return None
        # Named as the keys kept beside the layer are, so that removing it removes this too.
        path = place.with_name(f"{place.name}-keys-{zlib.crc32(' '.join(steps).encode()):08x}-ranked")
        return cls(path, {"id": layer.identity, "steps": steps})

    def read(self, top: int, min_count: int) -> list[bytes] | None:
        """The TSV lines of ``freq --top top --min-count min_count`` (header excluded), or
        None when the file holds no such list, or not all of it."""
        try:
            with open(self.path, "rb") as stream:
                saved = json.loads(stream.readline())
                if {k: saved.get(k) for k in self.header} != self.header:
                    return None
                lines: list[bytes] = []
                for line in stream:
                    if int(line.split(b"\t", 4)[3]) < min_count:
                        return lines  # ranked by count: no further row counts enough
                    lines.append(line)
                    if top and len(lines) == top:
                        return lines
        except (OSError, ValueError, IndexError):
            return None
        complete_from = saved.get("complete_from")
        return lines if complete_from is not None and min_count >= complete_from else None

    def save(self, rows: list[FreqRow], *, top: int, min_count: int) -> None:
        """Keep ``rows``, the list of ``--top top --min-count min_count`` (written aside
        and renamed; not kept where the folder is read-only or a row has a stray byte)."""
        try:
            text = "".join(plain_tsv_lines(rows, lead=False)).encode("utf-8")
        except UnicodeEncodeError:
            return
        exhausted = top == 0 or len(rows) < top  # every row counted min_count times or more
        header = {**self.header, "complete_from": min_count if exhausted else None}
        aside = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(aside, "wb") as out:
                out.write(json.dumps(header).encode() + b"\n" + text)
            os.replace(aside, self.path)
        except OSError:
            aside.unlink(missing_ok=True)
