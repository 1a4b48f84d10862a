"""CQL queries evaluated on the token layer, with CQP's matching strategies.

The query's token sequence becomes a position automaton (Glushkov's: one state per token
pattern of the query, repetitions written out, no empty moves).  Each token condition is
a boolean mask over the lexicon (``attributes``), tested once per spelling.  The starts
tried are the positions of the query's rarest token that every match holds at a fixed
offset from its start (read from the inverted lists), filtered by the other such tokens;
then the automaton runs from all of them at once, one corpus position a step, in numpy.

What CQP does (``cqp/eval.c: simulate`` and ``ranges.c``), and so what this does:

- from each start, the matches of the sequence: the *first* end reached (standard,
  shortest) or the *last* (longest), never past the bound of ``within`` (the end of the
  start's sentence or document, or start + N tokens; without ``within``, start + 500, CQP's
  HardBoundary); a global constraint (``::``) is a condition on the end being accepted;
- then one pass over those (start, end) pairs, sorted: *standard* keeps, of the matches
  that end at the same token, the one that starts first (optional tokens at the start are
  taken in, not those at the end); *shortest* drops every match that holds another;
  *longest* drops every match held in another.

One deliberate difference: a match never runs from one document into the next
(``within_documents``; CQP's token stream runs on across documents when no ``within``
stops it).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .attributes import literal_spellings, strip_marks, table, value_mask
from .syntax import (
    HARD_BOUNDARY,
    STRATEGIES,
    Alternatives,
    And,
    Anything,
    Attribute,
    Compare,
    Condition,
    CqlQuery,
    CqlSyntaxError,
    Implies,
    Not,
    Or,
    Pattern,
    Reference,
    Repeat,
    Token,
    Value,
)
from .syntax import Sequence as Seq

if TYPE_CHECKING:
    from ...store.layer import TokenLayer
    from ...text.normalize import Normalizer


#: Starts run through the automaton at once: its state is a few arrays of this many rows.
CHUNK = 1 << 19


class Match(NamedTuple):
    first: int  # corpus position of the first token of the match
    last: int  # corpus position of its last token (inclusive, like CQP's matchend)
    target: int | None  # position of the token marked @ (None when the query has no @)
    keyword: int | None  # the keyword (@1) if the query sets one, else None


# --------------------------------------------------------------------------- the automaton


class Automaton(NamedTuple):
    """A position automaton: state ``j`` is "token pattern ``tokens[j]`` was just matched"."""

    tokens: list[Token]
    first: list[int]  # the states a match can begin with
    final: list[int]  # the states a match can end with
    before: list[list[int]]  # per state, the states it can follow
    nullable: bool  # the sequence matches no token at all


def automaton(pattern: Pattern) -> Automaton:
    tokens: list[Token] = []
    follow: list[list[int]] = []

    def add(token: Token) -> int:
        tokens.append(token)
        follow.append([])
        return len(tokens) - 1

    def link(lasts: list[int], firsts: list[int]) -> None:
        for last in lasts:
            for first in firsts:
                if first not in follow[last]:
                    follow[last].append(first)

    def build(node: Pattern) -> tuple[bool, list[int], list[int]]:
        if isinstance(node, Token):
            j = add(node)
            return False, [j], [j]
        if isinstance(node, Seq):
            return _sequence([_later(build, item) for item in node.items], link)
        if isinstance(node, Alternatives):
            nullable = False
            firsts: list[int] = []
            lasts: list[int] = []
            for option in node.options:
                n, f, la = build(option)
                nullable = nullable or n
                firsts += f
                lasts += la
            return nullable, firsts, lasts
        return _repeat(node, build, link)

    nullable, first, final = build(pattern)
    before: list[list[int]] = [[] for _ in tokens]
    for i, targets in enumerate(follow):
        for j in targets:
            before[j].append(i)
    return Automaton(tokens, first, final, before, nullable)


Built = tuple[bool, list[int], list[int]]  # nullable, first states, last states


def _later(build: Callable[[Pattern], Built], item: Pattern) -> Callable[[], Built]:
    """``build(item)`` when the sequence gets to it (states are numbered in query order)."""
    return lambda: build(item)


def _sequence(
    parts: list[Callable[[], tuple[bool, list[int], list[int]]]],
    link: Callable[[list[int], list[int]], None],
) -> tuple[bool, list[int], list[int]]:
    nullable = True
    firsts: list[int] = []
    lasts: list[int] = []
    for part in parts:
        n, f, la = part()
        link(lasts, f)
        if nullable:
            firsts = firsts + f
        lasts = (lasts + la) if n else la
        nullable = nullable and n
    return nullable, firsts, lasts


def _repeat(
    node: Repeat,
    build: Callable[[Pattern], tuple[bool, list[int], list[int]]],
    link: Callable[[list[int], list[int]], None],
) -> tuple[bool, list[int], list[int]]:
    """``item{least,most}`` written out: ``least`` copies, then ``most - least`` optional
    ones (or a starred one when unbounded)."""

    def copy(optional: bool, starred: bool) -> Callable[[], tuple[bool, list[int], list[int]]]:
        def made() -> tuple[bool, list[int], list[int]]:
            n, f, la = build(node.item)
            if starred:
                link(la, f)
            return n or optional, f, la

        return made

    parts = [copy(False, False) for _ in range(node.least)]
    if node.most is None:
        parts.append(copy(True, True))
    else:
        parts += [copy(True, False) for _ in range(node.most - node.least)]
    if not parts:
        return True, [], []
    return _sequence(parts, link)


# --------------------------------------------------------------------------- conditions


class _Masks:
    """The spelling mask of each token condition of a query, computed once."""

    def __init__(self, layer: TokenLayer, normalizer: Normalizer, any_reading: bool = False) -> None:
        self.layer = layer
        self.normalizer = normalizer
        self.any_reading = any_reading  # lemma, root, pos: any reading's value, not the first's
        self.cache: dict[Condition, Any] = {}

    def of(self, condition: Condition) -> Any:
        found = self.cache.get(condition)
        if found is None:
            found = self.cache[condition] = self._mask(condition)
        return found

    def _mask(self, condition: Condition) -> Any:
        import numpy as np

        if isinstance(condition, Anything):
            return np.ones(self.layer.lexicon_size, dtype=bool)
        if isinstance(condition, Not):
            return ~self.of(condition.operand)
        if isinstance(condition, And):
            return self.of(condition.left) & self.of(condition.right)
        if isinstance(condition, Or):
            return self.of(condition.left) | self.of(condition.right)
        if isinstance(condition, Implies):
            return ~self.of(condition.left) | self.of(condition.right)
        assert isinstance(condition.left, Attribute) and isinstance(condition.right, Value)
        attribute = condition.left
        mask = value_mask(
            self.layer,
            self.normalizer,
            attribute.name,
            attribute.column,
            condition.right,
            any_reading=self.any_reading,
        )
        return ~mask if condition.op == "!=" else mask


# --------------------------------------------------------------------------- evaluation


def find_matches(
    layer: TokenLayer,
    query: CqlQuery,
    *,
    normalizer: Normalizer,
    strategy: str = "standard",
    documents: Sequence[Mapping[str, str]] | None = None,
    selected: Collection[int] | None = None,
    within_documents: bool = True,
    any_reading: bool = False,
) -> list[Match]:
    """The matches of ``query`` in ``layer``, sorted by first, then last position.

    ``strategy``: CQP's matching strategy (an embedded ``(?longest)`` wins over it);
    ``documents``: each layer document's metadata for ``::`` constraints, keyed as CQP
    sees them in our VRT (``id`` and the ``<doc>`` attribute names; a field's own name
    works too); ``selected``: only matches that start in these documents (numbers from
    0); ``within_documents``: no match crosses a document boundary (False: as CQP);
    ``any_reading`` (``--readings any``): ``lemma``, ``root`` and ``pos`` match a token
    when any reading of its spelling has the value, not only the first.
    """
    looked_up = None if any_reading else _looked_up(layer, query, normalizer, selected)
    if looked_up is not None:
        return looked_up
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is the [index] extra
        from ...errors import CorpusError
        from ...store.layer import missing_numpy

        raise CorpusError(f"CQL {missing_numpy()}") from None

    strategy = query.strategy or strategy
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown matching strategy {strategy!r}")
    machine = automaton(query.pattern)
    if machine.nullable:
        raise CqlSyntaxError("the query matches an empty sequence of tokens (it would match everywhere)", 0)
    masks = _Masks(layer, normalizer, any_reading)
    token_masks = [masks.of(token.condition) for token in machine.tokens]
    if layer.tokens == 0:
        return []
    starts = _starts(layer, query.pattern, machine, masks, token_masks)
    docs_np = layer.numpy("docs").astype(np.int64)
    doc_of = np.searchsorted(docs_np, starts, side="right") - 1
    keep = None
    if selected is not None:
        keep = np.isin(doc_of, np.fromiter(selected, dtype=np.int64))
    constraint = (
        _Constraint(query.constraint, layer, normalizer, documents, any_reading) if query.constraint else None
    )
    if constraint is not None and constraint.per_document and within_documents:
        good = constraint.documents_passing(layer.documents)
        passing = good[doc_of]
        keep = passing if keep is None else keep & passing
        constraint = None  # settled: it holds for every start left
    if keep is not None:
        starts, doc_of = starts[keep], doc_of[keep]
    bounds = _bounds(layer, query, starts, doc_of, docs_np, within_documents)
    starts, bounds = _reachable(layer, query.pattern, masks, starts, bounds)
    parts = [
        _run(
            layer,
            machine,
            token_masks,
            starts[at : at + CHUNK],
            bounds[at : at + CHUNK],
            strategy,
            constraint,
        )
        for at in range(0, len(starts), CHUNK)
    ]
    if not parts:
        return []
    joined = [np.concatenate([part[k] for part in parts]) for k in range(4)]
    firsts, lasts, targets, keywords = _reduce(joined[0], joined[1], joined[2], joined[3], strategy)
    if query.cut is not None:
        firsts, lasts, targets, keywords = (a[: query.cut] for a in (firsts, lasts, targets, keywords))
    has_target = any(t.marker == "target" for t in machine.tokens)
    has_keyword = any(t.marker == "keyword" for t in machine.tokens)
    return _listed(firsts, lasts, targets if has_target else None, keywords if has_keyword else None)


def _looked_up(
    layer: TokenLayer, query: CqlQuery, normalizer: Normalizer, selected: Collection[int] | None
) -> list[Match] | None:
    """The matches of a query of one token that tests lemma, root or pos against literals
    (``--lemma``, ``--root``; ``attributes.literal_spellings``): the positions of its
    spellings from the inverted lists, as the automaton would find them, without numpy
    (whose import is a tenth of ``kwic --root كتب``).  None for any other query."""
    pattern = query.pattern
    if query.constraint is not None or not isinstance(pattern, Token) or pattern.marker is not None:
        return None
    forms = literal_spellings(layer, normalizer, pattern.condition)
    if forms is None:
        return None
    positions = layer.positions(forms)
    if selected is not None:
        positions = _in_documents(layer.docs, positions, set(selected))
    if query.cut is not None:
        positions = positions[: query.cut]
    return [Match(position, position, None, None) for position in positions]


def _in_documents(docs: Sequence[int], positions: list[int], chosen: set[int]) -> list[int]:
    """The ``positions`` (sorted) in the documents ``chosen`` (numbers from 0); ``docs``:
    each document's first position, then the corpus's end."""
    kept: list[int] = []
    number, end, keep = -1, 0, False
    for position in positions:
        if position >= end:
            number = bisect_right(docs, position, number + 1) - 1
            end, keep = docs[number + 1], number in chosen
        if keep:
            kept.append(position)
    return kept


def _listed(firsts: Any, lasts: Any, targets: Any | None, keywords: Any | None) -> list[Match]:
    """The matches as ``Match`` tuples: built without the cyclic garbage collector, which
    would walk the millions of new tuples again and again (half the time otherwise)."""
    import gc
    from itertools import repeat

    def column(values: Any | None) -> Any:
        if values is None:
            return repeat(None)
        return [value if value >= 0 else None for value in values.tolist()]

    collecting = gc.isenabled()
    gc.disable()
    try:
        return list(
            map(
                tuple.__new__,
                repeat(Match),
                zip(firsts.tolist(), lasts.tolist(), column(targets), column(keywords), strict=False),
            )
        )
    finally:
        if collecting:
            gc.enable()


def token_counts(
    layer: TokenLayer, query: CqlQuery, normalizer: Normalizer, any_reading: bool = False
) -> list[tuple[Token, int]]:
    """Each token pattern of ``query`` with how many positions of the corpus it matches
    on its own (the no-silent-zero report names those that match none)."""

    masks = _Masks(layer, normalizer, any_reading)
    frequencies = _frequencies(layer)
    return [(token, int(frequencies[masks.of(token.condition)].sum())) for token in query.tokens()]


def _frequencies(layer: TokenLayer) -> Any:
    """How many positions each spelling has (kept on the layer for the command)."""
    import numpy as np

    found = layer.__dict__.get("_cql_frequencies")
    if found is None:
        found = layer.__dict__["_cql_frequencies"] = np.diff(layer.numpy("posting_offsets").astype(np.int64))
    return found


def _positions(layer: TokenLayer, mask: Any) -> Any:
    """The sorted positions whose spelling ``mask`` holds: from the inverted lists for a
    few spellings, else one numpy pass over ``tok``."""
    import numpy as np

    forms = np.flatnonzero(mask)
    if len(forms) > 2000:
        return np.flatnonzero(mask[layer.numpy("tok")]).astype(np.int64)
    offsets = layer.numpy("posting_offsets")
    postings = layer.numpy("postings")
    parts = [postings[offsets[f] : offsets[f + 1]] for f in forms.tolist()]
    if not parts:
        return np.empty(0, dtype=np.int64)
    joined = np.concatenate(parts).astype(np.int64)
    if len(parts) > 1:
        joined.sort()
    return joined


def _fixed(pattern: Pattern) -> list[tuple[int, Token]]:
    """The token patterns every match holds at a fixed offset from its first token (the
    sequence's leading tokens, up to its first part of varying length)."""
    items = pattern.items if isinstance(pattern, Seq) else (pattern,)
    fixed: list[tuple[int, Token]] = []
    offset = 0
    for item in items:
        if isinstance(item, Token):
            fixed.append((offset, item))
            offset += 1
        elif isinstance(item, Repeat) and isinstance(item.item, Token):
            fixed += [(offset + k, item.item) for k in range(item.least)]
            if item.most != item.least:
                break
            offset += item.least
        else:
            break
    return fixed


def _starts(
    layer: TokenLayer, pattern: Pattern, machine: Automaton, masks: _Masks, token_masks: list[Any]
) -> Any:
    """The positions a match may start at: of the rarest fixed-offset token, moved back by
    its offset, and kept where every other fixed-offset token holds too."""
    import numpy as np

    frequencies = _frequencies(layer)
    fixed = [(offset, masks.of(token.condition)) for offset, token in _fixed(pattern)]
    tok = layer.numpy("tok")
    n = layer.tokens
    if not fixed:  # the positions of any token a match may begin with
        union = np.zeros(layer.lexicon_size, dtype=bool)
        for j in machine.first:
            union |= token_masks[j]
        return _positions(layer, union)
    counted = sorted(
        ((int(frequencies[mask].sum()), offset, mask) for offset, mask in fixed), key=lambda t: t[0]
    )
    _, offset, mask = counted[0]
    starts = _positions(layer, mask) - offset
    starts = starts[starts >= 0]
    for _, other, other_mask in counted[1:]:
        if other_mask.all():
            continue
        at = starts + other
        starts = starts[at < n]
        starts = starts[other_mask[tok[starts + other]]]
    return starts


def _least(pattern: Pattern) -> int:
    """The fewest tokens ``pattern`` matches."""
    if isinstance(pattern, Token):
        return 1
    if isinstance(pattern, Repeat):
        return pattern.least * _least(pattern.item)
    if isinstance(pattern, Seq):
        return sum(_least(item) for item in pattern.items)
    return min(_least(option) for option in pattern.options)


def _reachable(
    layer: TokenLayer, pattern: Pattern, masks: _Masks, starts: Any, bounds: Any
) -> tuple[Any, Any]:
    """The starts from which every token the sequence must hold past its fixed-offset
    part (``"a" []* "b"``: the "b") is there before the bound: its next position at or
    after the least offset it can have, found by bisection in its positions."""
    import numpy as np

    if not isinstance(pattern, Seq) or not len(starts):
        return starts, bounds
    fixed = len(_fixed(pattern))
    offset = 0
    for item in pattern.items:
        token = item if isinstance(item, Token) else None
        if isinstance(item, Repeat) and isinstance(item.item, Token) and item.least >= 1:
            token = item.item
        if token is not None and offset >= fixed:
            mask = masks.of(token.condition)
            if int(_frequencies(layer)[mask].sum()) < 4 * len(starts):
                positions = _positions(layer, mask)
                at = np.searchsorted(positions, starts + offset)
                found = at < len(positions)
                found[found] = positions[at[found]] <= bounds[found]
                starts, bounds = starts[found], bounds[found]
                if not len(starts):
                    break
        offset += _least(item)
    return starts, bounds


def _bounds(
    layer: TokenLayer, query: CqlQuery, starts: Any, doc_of: Any, docs_np: Any, within_documents: bool
) -> Any:
    """Per start, the last position its match may reach (CQP's ``calculate_rightboundary``)."""
    import numpy as np

    n = layer.tokens
    within = query.within
    if within is None or within.unit == "words":
        size = HARD_BOUNDARY if within is None else within.size
        bounds = starts + size
    else:
        regions = docs_np if within.unit == "doc" else layer.numpy("sentences").astype(np.int64)
        count = len(regions) - 1
        region = np.searchsorted(regions, starts, side="right") - 1
        bounds = regions[np.minimum(region + within.size - 1, count - 1) + 1] - 1
    if within_documents:
        bounds = np.minimum(bounds, docs_np[doc_of + 1] - 1)
    return np.minimum(bounds, n - 1)


def _run(
    layer: TokenLayer,
    machine: Automaton,
    token_masks: list[Any],
    starts: Any,
    bounds: Any,
    strategy: str,
    constraint: _Constraint | None,
) -> tuple[Any, Any, Any, Any]:
    """Run the automaton from every start at once; per start that matches, its end (the
    first or the last reached) and its target and keyword positions."""
    import numpy as np

    tok = layer.numpy("tok")
    states = len(machine.tokens)
    names = ["target", "keyword", *sorted({t.label for t in machine.tokens if t.label})]
    sets = [
        [j for j, t in enumerate(machine.tokens) if (t.marker == name if i < 2 else t.label == name)]
        for i, name in enumerate(names)
    ]
    setters = [set(s) for s in sets]
    tracked = [i for i, s in enumerate(sets) if s and (i < 2 or constraint is not None)]
    longest = strategy == "longest"
    total = len(starts)
    ends = np.full(total, -1, dtype=np.int64)
    found_bindings = np.full((len(names), total), -1, dtype=np.int64)
    rows = np.arange(total)
    position = starts.copy()
    symbols = tok[position]
    active = np.zeros((total, states), dtype=bool)
    bindings = {i: np.full((total, states), -1, dtype=np.int64) for i in tracked}
    for j in machine.first:
        active[:, j] = token_masks[j][symbols]
        for i in tracked:
            if j in setters[i]:
                bindings[i][:, j] = np.where(active[:, j], position, -1)
    final = machine.final
    while len(rows):
        accepted = active[:, final].any(axis=1)
        if accepted.any():
            which = np.flatnonzero(accepted)
            winner_state = np.full(len(which), -1, dtype=np.int64)
            for j in final:  # the first final state reached gives the bindings
                unset = winner_state < 0
                winner_state[unset & active[which, j]] = j
            if constraint is not None:
                keep = constraint.holds(
                    layer, which, winner_state, position, starts[rows], bindings, names, active, final
                )
                which, winner_state = which[keep], winner_state[keep]
            if len(which):
                ends[rows[which]] = position[which]
                for i in tracked:
                    found_bindings[i, rows[which]] = bindings[i][which, winner_state]
                if not longest:
                    alive = np.ones(len(rows), dtype=bool)
                    alive[which] = False
                    rows, position, active = rows[alive], position[alive], active[alive]
                    bindings = {i: b[alive] for i, b in bindings.items()}
        position = position + 1
        alive = active.any(axis=1) & (position <= bounds[rows])
        if not alive.all():
            rows, position, active = rows[alive], position[alive], active[alive]
            bindings = {i: b[alive] for i, b in bindings.items()}
        if not len(rows):
            break
        symbols = tok[position]
        moved = np.zeros_like(active)
        moved_bindings = {i: np.full_like(b, -1) for i, b in bindings.items()}
        for j in range(states):
            before = machine.before[j]
            if not before:
                continue
            reached = active[:, before].any(axis=1) & token_masks[j][symbols]
            moved[:, j] = reached
            for i in tracked:
                if j in setters[i]:
                    moved_bindings[i][:, j] = np.where(reached, position, -1)
                    continue
                value = np.full(len(rows), -1, dtype=np.int64)
                unset = reached.copy()
                for k in before:  # from the first state it can follow that was active
                    take = unset & active[:, k]
                    value[take] = bindings[i][take, k]
                    unset &= ~take
                moved_bindings[i][:, j] = value
        active, bindings = moved, moved_bindings
    matched = ends >= 0
    return starts[matched], ends[matched], found_bindings[0, matched], found_bindings[1, matched]


def _reduce(firsts: Any, lasts: Any, targets: Any, keywords: Any, strategy: str) -> tuple[Any, Any, Any, Any]:
    """CQP's pass over the sorted matches (``ranges.c``: RLeftMaximalMatches,
    RMinimalMatches, RMaximalMatches); the starts are distinct and ascending."""
    import numpy as np

    if len(firsts) < 2:
        return firsts, lasts, targets, keywords
    if strategy == "standard":  # of the matches that end at the same token, the first
        _, first_of_end = np.unique(lasts, return_index=True)
        keep = np.zeros(len(firsts), dtype=bool)
        keep[first_of_end] = True
    elif strategy == "shortest":  # no match that holds a later one
        later_min = np.minimum.accumulate(lasts[::-1])[::-1]
        keep = np.ones(len(firsts), dtype=bool)
        keep[:-1] = later_min[1:] > lasts[:-1]
    else:  # no match held in an earlier one
        earlier_max = np.maximum.accumulate(lasts)
        keep = np.ones(len(firsts), dtype=bool)
        keep[1:] = earlier_max[:-1] < lasts[1:]
    return firsts[keep], lasts[keep], targets[keep], keywords[keep]


# --------------------------------------------------------------------------- global constraints


def _attribute_name(field: str) -> str:
    """A metadata field as ``corpus export --format vrt`` names it in ``<doc>`` (its
    ``output.vrt.attribute_name``, without the ``_2`` of a clash)."""
    import re

    name = re.sub(r"[^a-z0-9_]+", "_", field.lower()).strip("_")
    if not name:
        return "field"
    return name if name[0].isascii() and name[0].isalpha() else f"f_{name}"


class _Constraint:
    """A global constraint (``:: ...``): on labels' positions, on their tokens'
    attributes (``a.word``) and on their documents' metadata (``match.doc_source``)."""

    def __init__(
        self,
        condition: Condition,
        layer: TokenLayer,
        normalizer: Normalizer,
        documents: Sequence[Mapping[str, str]] | None,
        any_reading: bool = False,
    ) -> None:
        self.condition = condition
        self.any_reading = any_reading
        self.layer = layer
        self.normalizer = normalizer
        self.documents = documents
        self.per_document = all(
            ref.attribute is not None and ref.attribute.startswith("doc_") for ref in _references(condition)
        )
        self._matchers: dict[Value, Callable[[str], Any]] = {}
        fields: set[str] | None = None
        for ref in _references(condition):
            if ref.attribute is not None and ref.attribute.startswith("doc_"):
                if documents is None:
                    raise CqlSyntaxError("this corpus has no document metadata to test", ref.column)
                if fields is None:
                    fields = {
                        name
                        for meta in documents
                        for field in meta
                        for name in (field, _attribute_name(field))
                    }
                if ref.attribute[4:] not in fields:
                    known = (
                        ", ".join(sorted(f"doc_{f}" for f in fields if f == _attribute_name(f))) or "doc_id"
                    )
                    raise CqlSyntaxError(
                        f"no document has the metadata field '{ref.attribute[4:]}' ({known})", ref.column
                    )
            elif ref.attribute is not None:
                table(layer, normalizer, ref.attribute, ref.column)  # an unknown one fails now

    def documents_passing(self, count: int) -> Any:
        """Per document, does a constraint on document metadata alone hold there?"""
        import numpy as np

        def document(doc: int) -> bool:
            return self._holds(lambda _label: doc, doc)

        return np.fromiter(map(document, range(count)), dtype=bool, count=count)

    def holds(
        self,
        layer: TokenLayer,
        which: Any,
        states: Any,
        position: Any,
        starts: Any,
        bindings: dict[int, Any],
        names: list[str],
        active: Any,
        final: list[int],
    ) -> Any:
        """For each accepting row ``which``, does the constraint hold at its match?  Tested
        on all of them at once: label positions are arrays, attributes value numbers."""
        import numpy as np

        index = {name: i for i, name in enumerate(names)}
        positions: dict[str, Any] = {"match": starts[which], "matchend": position[which]}
        for ref in _references(self.condition):
            if ref.label not in positions:
                i = index.get("target" if ref.label == "collocate" else ref.label, -1)
                bound = bindings.get(i)
                positions[ref.label] = (
                    np.full(len(which), -1, dtype=np.int64) if bound is None else bound[which, states]
                )
        return self._vector(self.condition, positions)

    def _vector(self, condition: Condition, positions: dict[str, Any]) -> Any:
        import numpy as np

        if isinstance(condition, Not):
            return ~self._vector(condition.operand, positions)
        if isinstance(condition, And):
            return self._vector(condition.left, positions) & self._vector(condition.right, positions)
        if isinstance(condition, Or):
            return self._vector(condition.left, positions) | self._vector(condition.right, positions)
        if isinstance(condition, Implies):
            return ~self._vector(condition.left, positions) | self._vector(condition.right, positions)
        size = len(positions["match"])
        if isinstance(condition, Anything):
            return np.ones(size, dtype=bool)
        assert isinstance(condition, Compare)
        left, right, op = condition.left, condition.right, condition.op
        if isinstance(right, Value) and isinstance(left, Reference) and left.attribute is not None:
            at = positions[left.label]
            defined = at >= 0
            if left.attribute.startswith("doc_"):
                per_doc = self._documents_matching(left.attribute, right)
                found = per_doc[self._documents(at)]
            else:
                mask = value_mask(
                    self.layer,
                    self.normalizer,
                    left.attribute,
                    left.column,
                    right,
                    any_reading=self.any_reading,
                )
                found = mask[self._tok(at)]
            return defined & (found if op == "=" else ~found)
        kinds = {self._kind(left), self._kind(right)}
        if len(kinds) > 1 or (kinds != {"position"} and op not in ("=", "!=")):
            raise CqlSyntaxError(
                "a comparison needs two positions, two values of one attribute, or a value and a string",
                condition.column,
            )
        a, a_defined = self._values(left, positions, size)
        b, b_defined = self._values(right, positions, size)
        comparisons = {"=": np.equal, "!=": np.not_equal, "<": np.less, ">": np.greater}
        comparisons.update({"<=": np.less_equal, ">=": np.greater_equal})
        return a_defined & b_defined & comparisons[op](a, b)

    def _kind(self, operand: Any) -> str:
        """What a comparison compares: positions (and integers), or an attribute's values."""
        if isinstance(operand, int) or (isinstance(operand, Reference) and operand.attribute is None):
            return "position"
        if isinstance(operand, Reference):
            attribute = operand.attribute or ""
            return f"doc:{attribute}" if attribute.startswith("doc_") else f"value:{attribute}"
        return "string"

    def _values(self, operand: Any, positions: dict[str, Any], size: int) -> tuple[Any, Any]:
        """An operand as numbers (positions, integers, value numbers) and where it is defined."""
        import numpy as np

        if isinstance(operand, int):
            return np.full(size, operand, dtype=np.int64), np.ones(size, dtype=bool)
        assert isinstance(operand, Reference)
        at = positions[operand.label]
        defined = at >= 0
        if operand.attribute is None:
            return at, defined
        if operand.attribute.startswith("doc_"):
            return self._document_values(operand.attribute)[self._documents(at)], defined
        found = table(self.layer, self.normalizer, operand.attribute, operand.column)
        return found.of_form[self._tok(at)], defined

    def _tok(self, at: Any) -> Any:
        """The spelling at each position (position 0's where a label is undefined)."""
        import numpy as np

        return self.layer.numpy("tok")[np.maximum(at, 0)]

    def _documents(self, at: Any) -> Any:
        import numpy as np

        return np.searchsorted(self.layer.numpy("docs"), np.maximum(at, 0), side="right") - 1

    def _documents_matching(self, attribute: str, value: Value) -> Any:
        """Per document, does its ``attribute`` (``doc_FIELD``) match ``value``?"""
        import numpy as np

        matches = self._matcher(value, None)
        out = np.zeros(self.layer.documents, dtype=bool)
        for doc in range(self.layer.documents):
            found = self._metadata(doc, attribute[4:])
            out[doc] = found is not None and matches(found) is not None
        return out

    def _document_values(self, attribute: str) -> Any:
        """Per document, a number for the value of its ``attribute`` (-1: none)."""
        import numpy as np

        numbers: dict[str, int] = {}
        out = np.full(self.layer.documents, -1, dtype=np.int64)
        for doc in range(self.layer.documents):
            found = self._metadata(doc, attribute[4:])
            if found is not None:
                out[doc] = numbers.setdefault(found, len(numbers))
        return out

    def _holds(self, position_of: Callable[[str], int], doc: int | None) -> bool:
        return self._eval(self.condition, position_of, doc)

    def _eval(self, condition: Condition, position_of: Callable[[str], int], doc: int | None) -> bool:
        if isinstance(condition, Not):
            return not self._eval(condition.operand, position_of, doc)
        if isinstance(condition, And):
            return self._eval(condition.left, position_of, doc) and self._eval(
                condition.right, position_of, doc
            )
        if isinstance(condition, Or):
            return self._eval(condition.left, position_of, doc) or self._eval(
                condition.right, position_of, doc
            )
        if isinstance(condition, Implies):
            return (not self._eval(condition.left, position_of, doc)) or self._eval(
                condition.right, position_of, doc
            )
        if isinstance(condition, Anything):
            return True
        assert isinstance(condition, Compare)
        left = self._operand(condition.left, position_of, doc)
        right = self._operand(condition.right, position_of, doc)
        if left is None or right is None:
            return False  # an undefined label: CQP's comparisons with it fail
        op = condition.op
        if isinstance(condition.right, Value):
            assert isinstance(left, str)
            attribute = condition.left.attribute if isinstance(condition.left, Reference) else None
            found = self._matcher(condition.right, attribute)(left) is not None
            return found if op == "=" else not found
        if isinstance(left, str) or isinstance(right, str):
            if op not in ("=", "!="):
                raise CqlSyntaxError(f"values are compared with = or !=, not {op}", condition.column)
            return (left == right) == (op == "=")
        comparisons = {
            "=": left == right,
            "!=": left != right,
            "<": left < right,
            ">": left > right,
            "<=": left <= right,
            ">=": left >= right,
        }
        return comparisons[op]

    def _operand(self, operand: Any, position_of: Callable[[str], int], doc: int | None) -> str | int | None:
        if isinstance(operand, int):
            return operand
        if isinstance(operand, Value):
            return operand.text
        assert isinstance(operand, Reference)
        if operand.attribute is not None and operand.attribute.startswith("doc_"):
            if doc is None:
                at = position_of(operand.label)
                if at < 0:
                    return None
                doc = self.layer.document_of(at)
            return self._metadata(doc, operand.attribute[4:])
        at = position_of(operand.label)
        if at < 0:
            return None
        if operand.attribute is None:
            return at
        found = table(self.layer, self.normalizer, operand.attribute, operand.column)
        return found.value(int(found.of_form[self.layer.tok[at]]))

    def _metadata(self, doc: int, field: str) -> str | None:
        assert self.documents is not None
        meta = self.documents[doc]
        value = meta.get(field)
        if value is None:
            for name, candidate in meta.items():
                if _attribute_name(name) == field:
                    return candidate
        return value

    def _matcher(self, value: Value, attribute: str | None) -> Callable[[str], Any]:
        from .attributes import compiled

        key = value
        found = self._matchers.get(key)
        if found is None:
            normalize = self.normalizer.normalize if attribute == "word" else None
            literal = value.literal
            if literal is not None:
                target = normalize(literal) if normalize is not None else literal
                found = _equal(target)
            else:
                matches = compiled(value, normalize)
                found = (lambda s: matches(strip_marks(s))) if "d" in value.flags else matches
            self._matchers[key] = found
        return found


def _equal(target: str) -> Callable[[str], Any]:
    return lambda s: True if s == target else None


def _references(condition: Condition) -> list[Reference]:
    if isinstance(condition, Not):
        return _references(condition.operand)
    if isinstance(condition, (And, Or, Implies)):
        return _references(condition.left) + _references(condition.right)
    if isinstance(condition, Compare):
        return [side for side in (condition.left, condition.right) if isinstance(side, Reference)]
    return []
