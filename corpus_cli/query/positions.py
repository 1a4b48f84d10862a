"""Queries answered from the token layer: which spellings a query matches, and where.

A whole-word query that can only ever match one token (a single word, with or without
clitics, typed marks or Latin case) matches a set of *spellings*: it is tested once per
entry of the layer's lexicon, never once per token, and its hits are the merged inverted
lists of those spellings.  Anything else (a phrase, a regular expression that may span
tokens, a substring query) returns None here and is answered by the matcher on the text,
which is the reference these answers are tested against.

Keys at the level the layer was built with are stored; other levels and ``--fold/--keep``
get theirs from a pass over the spellings (``Keys.of``), not over the tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..store.layer import KINDS, NO_KEY, Lexicon, TokenLayer
from ..text.normalize import Normalizer, normalize_many
from ..text.tokenize import Kind, tokenize

if TYPE_CHECKING:
    from .pattern import Query


class Keys(NamedTuple):
    """The keys of a layer's spellings at one normalization: ``keys`` sorted, and per
    spelling the number of its key in ``keys`` (``NO_KEY``: normalization leaves nothing)."""

    keys: Sequence[str]
    of_form: Sequence[int]

    @classmethod
    def of(cls, layer: TokenLayer, normalizer: Normalizer) -> Keys:
        """The layer's stored keys when it was built at this normalization, else keys made
        from its spellings: 1.2 s for saudinewsnet's 322,000 at ``aggressive``, so kept
        beside an index's layer for the next command (``TokenLayer.save_keys``), and on
        the layer object for this one."""
        steps = tuple(normalizer.active_steps)
        if steps == layer.steps:
            return cls(Lexicon(layer.array("keys"), layer.array("key_offsets")), layer.array("form_keys"))
        cache: dict[tuple[str, ...], Keys] = layer.__dict__.setdefault("_keys", {})
        found = cache.get(steps)
        if found is None:
            saved = layer.saved_keys(steps)
            if saved is not None:
                found = cls(*saved)
            else:
                forms = layer.forms()
                key_of = normalize_many(forms, normalizer)
                keys = sorted({k for k in key_of.values() if k})
                number = {k: i for i, k in enumerate(keys)}
                found = cls(keys, [number.get(key_of[f], NO_KEY) for f in forms])
                layer.save_keys(steps, found.keys, found.of_form)
            cache[steps] = found
        return found

    def numpy(self) -> Any:
        """``of_form`` as a numpy array (for computations over every token)."""
        import numpy as np

        return np.asarray(self.of_form, dtype=np.uint32)


def single_token(query: Query) -> bool:
    """Can every hit of ``query`` only be one whole token?  A whole-word query of one
    plain word or number (its literal is one token, as the tokenizer cuts it; the word
    boundaries of punctuation are not a token's)."""
    if not query.options.word or query.literal is None or query.line_by_line:
        return False
    if query.literal.isalnum():  # letters and digits (L, N) alone: one run of word characters,
        # one token unless all of it is tatweel or small waw/yeh (no content); without
        # compiling the tokenizer's pattern (40 ms), which a query needs nowhere else
        return query.literal.strip("\u0640\u06e5\u06e6") != ""
    tokens = list(tokenize(query.literal))
    return len(tokens) == 1 and tokens[0].text == query.literal and tokens[0].kind in (Kind.word, Kind.number)


def inside_tokens(query: Query) -> bool:
    """Does every match of ``query`` (not a whole-word query) lie inside one token, so
    that the lines holding one are the lines of the tokens whose key holds one?  True
    for a literal of letters and digits alone (a run of word characters: never across
    a token's edge, since the tokens of the normalized text are the normalized tokens)
    without typed marks, at a level where its pattern is the literal itself (marks
    deleted, or nothing folded): where marks are kept, a "mark" the pattern allows
    after a letter may be a symbol between two tokens (۞)."""
    options, literal = query.options, query.literal
    if options.word or options.clitics is not None or literal is None or query.line_by_line:
        return False
    if query.constraint is not None or not (query.normalizer.marks or query.normalizer.is_identity):
        return False
    # Tatweel and the small waw and yeh alone are no token (``tokenize``): not in the literal.
    return literal.isalnum() and not any(char in "\u0640\u06e5\u06e6" for char in literal)


def forms_holding(layer: TokenLayer, query: Query) -> list[int] | None:
    """The lexicon ids of the spellings whose key holds a match of ``query``, or None
    when its matches may lie outside tokens (``inside_tokens``).  The literal is found
    in the bytes of the sorted keys (UTF-8: a byte match is a character match), not in
    each key decoded; ignoring case, each key is searched."""
    if not inside_tokens(query):
        return None
    keys = Keys.of(layer, query.normalizer)
    assert query.literal is not None
    if isinstance(keys.keys, Lexicon) and not query.options.ignore_case:
        numbers = _keys_holding(keys.keys, query.literal.encode("utf-8", "surrogatepass"))
    else:
        search = query.regex.search
        numbers = {i for i, key in enumerate(keys.keys) if search(key) is not None}
    return _forms_of_keys(layer, keys, numbers)


def _keys_holding(keys: Lexicon, wanted: bytes) -> set[int]:
    """The numbers of the keys that hold ``wanted``, found in the lexicon's bytes (UTF-8: a
    byte match is a character match), not by decoding every key.  The keys lie end to end:
    a match across the end of one is in neither."""
    from bisect import bisect_right

    text, offsets = keys.text.tobytes(), keys.offsets
    numbers: set[int] = set()
    at = text.find(wanted)
    while at >= 0:
        number = bisect_right(offsets, at) - 1
        end = offsets[number + 1]
        if at + len(wanted) <= end:
            numbers.add(number)
            at = text.find(wanted, end)  # the next key
        else:
            at = text.find(wanted, at + 1)
    return numbers


def _forms_of_keys(layer: TokenLayer, keys: Keys, numbers: set[int]) -> list[int]:
    """The lexicon ids of the spellings whose key is one of ``numbers``, ascending: from
    the layer's lists of the spellings of each key when ``keys`` are its own."""
    if not numbers:
        return []
    if keys.of_form is layer.array("form_keys"):
        return sorted(f for n in numbers for f in layer.forms_of_key(n))
    return [f for f, k in enumerate(keys.of_form) if k in numbers]


def layer_may_answer(query: Query) -> bool:
    """May a token layer answer ``query`` exactly (``matching_forms``)?  Told without a
    layer, before one is built for it; the layer may still refuse (a hit inside a URL)."""
    if not single_token(query):
        return False
    # Typed marks with clitics are judged on the stem of each split: the matcher's business.
    return query.constraint is None or query.options.clitics is None


def matching_forms(layer: TokenLayer, query: Query) -> list[int] | None:
    """The lexicon ids of the spellings every hit of ``query`` is one of, or None when the
    layer cannot answer ``query`` exactly (``layer_may_answer``)."""
    found = forms_and_compounds(layer, query)
    if found is None or found[1]:  # the matcher's -w may see words in a URL or a ligature
        return None
    return found[0]


def forms_and_compounds(layer: TokenLayer, query: Query) -> tuple[list[int], list[int]] | None:
    """``matching_forms``, and, where the matcher may find ``query`` inside a token of
    several words (``may_hit_inside_a_token``), those tokens' spellings
    (``compound_forms``) instead of None: ``search.forms_and_inside_hits`` finds the hits
    in them.  None when the layer cannot answer at all (``layer_may_answer``)."""
    if not layer_may_answer(query):
        return None
    keys = Keys.of(layer, query.normalizer)
    if _may_hit_inside_a_token(layer, query, keys):
        return _whole_forms(layer, query, keys), compound_forms(layer, keys)
    return _whole_forms(layer, query, keys), []


def compound_forms(layer: TokenLayer, keys: Keys) -> list[int]:
    """The spellings that may hold several words: URLs and e-mail addresses, and those
    whose key holds a space (ﷺ), ascending."""
    return sorted({*_url_forms(layer), *_forms_of_keys(layer, keys, _spaced_numbers(keys.keys))})


def _url_forms(layer: TokenLayer) -> list[int]:
    """The lexicon ids of the spellings tokenized as a URL (or an e-mail address)."""
    code = re.escape(bytes([KINDS.index(Kind.url)]))
    return [m.start() for m in re.finditer(code, layer.array("kinds").tobytes())]


def _whole_forms(layer: TokenLayer, query: Query, keys: Keys) -> list[int]:
    """The spellings whose key the query matches whole (``matching_forms``)."""
    assert query.literal is not None
    if query.options.clitics is None and not query.options.ignore_case and isinstance(keys.keys, Lexicon):
        found = keys.keys.find(query.literal)  # a binary search
        forms = _forms_of_keys(layer, keys, set() if found is None else {found})
    else:
        fullmatch = query.regex.fullmatch
        wanted = {i for i, key in enumerate(keys.keys) if fullmatch(key) is not None}
        forms = _forms_of_keys(layer, keys, wanted)
    if query.constraint is not None:
        accepts, normalizer = query.constraint.accepts, query.normalizer
        forms = [f for f in forms if accepts(layer.form(f), normalizer)]
    return forms


def _may_hit_inside_a_token(layer: TokenLayer, query: Query, keys: Keys) -> bool:
    """Could the matcher find ``query`` as a word inside one token of the layer?  In a
    URL or an e-mail address (``-w`` sees words in ``https://un.org/الأمم``), or in a
    token whose key is several words (ﷺ is صلى الله عليه وسلم, the Uthmani يَـٰٓأَيُّهَا is
    يا ايها).  Tested on each such spelling or key of the lexicon alone: a hit in context
    is a hit there (the word boundaries only look for what the edges of a token lack)."""
    cache: dict[tuple[str, ...], list[str]] = layer.__dict__.setdefault("_compound_keys", {})
    steps = tuple(query.normalizer.active_steps)
    texts = cache.get(steps)
    if texts is None:
        urls = [layer.form(f) for f in _url_forms(layer)]
        texts = cache[steps] = [*normalize_many(urls, query.normalizer).values(), *_spaced(keys.keys)]
    anchor = None if query.options.ignore_case else query.index_literal()
    if anchor is not None:  # in every hit's text: most often in none of them (and the regex is not needed)
        texts = [text for text in texts if anchor in text]
    if not texts:
        return False
    search = query.regex.search
    return any(search(text) is not None for text in texts)


def _spaced(keys: Sequence[str]) -> list[str]:
    """The keys that hold a space."""
    return [keys[n] for n in sorted(_spaced_numbers(keys))]


def _spaced_numbers(keys: Sequence[str]) -> set[int]:
    """The numbers of the keys that hold a space: found in the lexicon's bytes, not by
    decoding every key."""
    if not isinstance(keys, Lexicon):
        return {n for n, key in enumerate(keys) if " " in key}
    return _keys_holding(keys, b" ")


def inner_span(form: str, normalizer: Normalizer) -> tuple[int, int]:
    """The characters of ``form`` that a hit on the whole token covers: the matcher's hit
    on the normalized token, mapped back (a tatweel after the last letter is left out, the
    marks on the last letter are not)."""
    mapped = normalizer.normalize_mapped(form)
    return mapped.span_to_original(0, len(mapped.text))


class NodeHit(NamedTuple):
    """A hit from the layer: its corpus position, its document (from 0) and its
    characters in that document, exactly as the matcher would give them."""

    position: int
    doc: int
    start: int
    end: int


def node_hits(layer: TokenLayer, query: Query) -> list[NodeHit] | None:
    """The hits of ``query`` in corpus order, or None (``matching_forms``)."""
    from bisect import bisect_right

    forms = matching_forms(layer, query)
    if forms is None:
        return None
    inner = {f: inner_span(layer.form(f), query.normalizer) for f in forms}
    tok, start, docs = layer.tok, layer.start, layer.docs
    hits = []
    doc = 0
    for position in layer.positions(forms):
        if docs[doc + 1] <= position:
            doc = bisect_right(docs, position) - 1
        first = start[position]
        a, b = inner[tok[position]]
        hits.append(NodeHit(position, doc, first + a, first + b))
    return hits
