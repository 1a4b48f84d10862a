"""The attributes a CQL token condition tests, each a table over the layer's lexicon.

An attribute has one value per *spelling* (a lexicon entry), not per position: ``word``
(the key at the normalization in force), ``orig`` (the spelling), ``norm`` (the key,
compared as written), ``kind``.  A condition is therefore tested once per distinct value
(hundreds of thousands at most) and gives a boolean mask over spellings; a position
passes when the mask holds for its spelling (``tok``).  Attributes the morphology brings
(lemma, root, pos: one value per spelling too) are tables of the same shape.
"""

from __future__ import annotations

import sys
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from ...store.layer import KINDS, NO_KEY, Lexicon, TokenLayer, attribute_path
from ...text.morphology import MORPHOLOGY, root_letters, split_lempos, unvocalized
from ..positions import Keys
from .syntax import And, Attribute, Compare, Condition, CqlSyntaxError, Value

if TYPE_CHECKING:
    from ...text.normalize import Normalizer

#: The attributes every layer has, as ``corpus export --format vrt`` names its columns
#: (``orig`` is the VRT's ``word``: the spelling as written).
ATTRIBUTES = ("word", "orig", "norm", "kind")


class Table(NamedTuple):
    """An attribute's distinct values and, per spelling, the number of its value."""

    values: Callable[[], Sequence[str]]  # decoded when a regular expression needs them all
    value: Callable[[int], str]  # one value, decoded alone
    of_form: Any  # numpy int array, one per spelling
    size: int  # how many values
    find: Callable[[str], list[int]]  # the numbers of the values equal to a string
    normalize: Callable[[str], str] | None  # what the query's characters go through first
    # lemma, root, pos: per spelling the numbers of the values of all its readings (CSR:
    # offsets, numbers), for ``--readings any``, made when asked; None for the others
    readings: Callable[[], tuple[Any, Any]] | None = None


def table(layer: TokenLayer, normalizer: Normalizer, name: str, column: int = 0) -> Table:
    """The table of attribute ``name`` (cached on the layer for the command)."""
    cache: dict[tuple[str, tuple[str, ...]], Table] = layer.__dict__.setdefault("_cql_tables", {})
    key = (name, tuple(normalizer.active_steps))
    found = cache.get(key)
    if found is None:
        found = cache[key] = _make(layer, normalizer, name, column)
    return found


def _make(layer: TokenLayer, normalizer: Normalizer, name: str, column: int) -> Table:
    import numpy as np

    if name == "orig":
        return _spellings(layer)
    if name == "kind":
        names = [kind.value for kind in KINDS]
        return Table(
            lambda: names,
            names.__getitem__,
            layer.numpy("kinds").astype(np.int64),
            len(names),
            lambda s: [i for i, v in enumerate(names) if v == s],
            None,
        )
    if name in ("word", "norm"):
        keys = Keys.of(layer, normalizer)
        count = len(keys.keys)
        of_form = np.asarray(keys.of_form, dtype=np.int64)
        of_form[of_form == NO_KEY] = count  # the empty key: one more value, ""
        decoded: list[str] = []

        def values() -> list[str]:
            if not decoded:
                if isinstance(keys.keys, Lexicon) and keys.of_form is layer.array("form_keys"):
                    decoded.extend(layer.keys())
                else:
                    decoded.extend(keys.keys)
                decoded.append("")
            return decoded

        def value(number: int) -> str:
            return "" if number == count else keys.keys[number]

        def find(s: str) -> list[int]:
            if s == "":
                return [count]
            if isinstance(keys.keys, Lexicon):
                at = keys.keys.find(s)
                return [] if at is None else [at]
            at = bisect_left(keys.keys, s)
            return [at] if at < count and keys.keys[at] == s else []

        return Table(
            values, value, of_form, count + 1, find, normalizer.normalize if name == "word" else None
        )
    if name in MORPHOLOGY:
        return _morphology(layer, normalizer, name, column)
    known = ", ".join(ATTRIBUTES + tuple(a for a in MORPHOLOGY if layer.attribute(a) is not None))
    if layer.attribute(MORPHOLOGY[0]) is None:
        known += f"; {', '.join(MORPHOLOGY)} with the morphology"
    raise CqlSyntaxError(f"unknown attribute '{name}' (this corpus has {known})", column)


def morphology_normalizer(normalizer: Normalizer, name: str) -> Callable[[str], str]:
    """How a value of ``lemma``, ``root`` or ``pos`` is compared, in the layer and in a
    query alike: a lemma unvocalized and at the normalization in force (وزير finds
    وَزِير, أحمد finds احمد at the standard level); a root as letters (كتب, ك ت ب and
    ك-ت-ب are one root); a part of speech in lower case (NOUN is noun); a lempos as its
    lemma, a hyphen and its initial in lower case (وَزِير-N is وزير-n)."""
    if name == "lemma":
        return lambda value: normalizer.normalize(unvocalized(value))
    if name == "root":
        return lambda value: root_letters(unvocalized(value))
    if name == "lempos":

        def compare(value: str) -> str:
            lemma, initial = split_lempos(value)
            lemma = normalizer.normalize(unvocalized(lemma))
            return f"{lemma}-{initial.lower()}" if initial else lemma

        return compare
    return str.lower


def compared_values(values: Lexicon, normalizer: Normalizer, name: str) -> list[str]:
    """Every value of a saved attribute as ``morphology_normalizer`` compares it, at once
    (saudinewsnet's 84,000 lemmas: 0.05 s, not 0.7 s one by one)."""
    raw = lexicon_strings(values)
    if name == "lemma":
        return _lemmas(raw, normalizer)
    if name == "lempos":  # the lemmas at once, as above; their initials as they are
        parts = [split_lempos(value) for value in raw]
        lemmas = _lemmas([lemma for lemma, _ in parts], normalizer)
        return [
            f"{lemma}-{initial}" if initial else lemma
            for lemma, (_, initial) in zip(lemmas, parts, strict=True)
        ]
    compare = morphology_normalizer(normalizer, name)
    return [compare(value) for value in raw]


class FirstValues:
    """An attribute (lemma, root, pos) over a layer's spellings, at a normalization: its
    values as ``morphology_normalizer`` compares them and, per spelling, its first reading's."""

    def __init__(self, values: Sequence[str], first: Any) -> None:
        self.values = values  # the distinct values of every reading, sorted, "" not among them
        self.first = first  # per spelling, the number of its first reading's value; NO_KEY: none (uint32)

    @cached_property
    def has_reading(self) -> Any:
        """Per spelling (numpy bool): it has a first value (not one that compares as "")."""
        import numpy as np

        return np.asarray(self.first, dtype=np.uint32) != NO_KEY

    def spellings_of(self, number: int) -> list[int]:
        """The spellings whose first value is value ``number``, in lexicon order, found
        without numpy (``bytes.find`` over the saved array): ``kwic --root كتب`` need not
        import it."""
        view = memoryview(self.first)
        assert view.itemsize == 4  # uint32
        first = view.cast("B").tobytes()
        wanted = number.to_bytes(4, sys.byteorder)
        found: list[int] = []
        at = first.find(wanted)
        while at != -1:
            if at % 4 == 0:
                found.append(at // 4)
                at = first.find(wanted, at + 4)
            else:
                at = first.find(wanted, at + 1)
        return found


def first_values(layer: TokenLayer, normalizer: Normalizer, name: str) -> FirstValues | None:
    """Attribute ``name`` of ``layer``'s spellings as compared at ``normalizer`` (None when the
    layer has no such attribute): what CQL tests (``[lemma="وزير"]``) and what ``--attr``
    counts (``morphology.attribute_keys``) start from.  A spelling without a reading, or
    whose first value compares as nothing (a value of marks alone), has none.  Kept on the
    layer for the command and, once computed, beside an index's layer (at this
    normalization): the next command reads them (saudinewsnet's lemmas: 0.4 s saved)."""
    cache: dict[tuple[str, tuple[str, ...]], FirstValues] = layer.__dict__.setdefault("_first_values", {})
    wanted = (name, tuple(normalizer.active_steps))
    found = cache.get(wanted)
    if found is not None:
        return found
    saved = layer.attribute(name)
    if saved is None:
        return None
    kept = kept_as(layer, name, saved.made_by, normalizer, "first-values")
    kept_keys = layer.saved_keys(kept) if kept is not None else None
    distinct: Sequence[str]
    first_value: Any
    if kept_keys is not None:
        distinct, first_value = kept_keys
    else:
        import numpy as np

        compared = compared_values(saved.values, normalizer, name)
        distinct = sorted(set(compared) - {""})
        number = {value: i for i, value in enumerate(distinct)}
        remap = np.fromiter((number.get(v, NO_KEY) for v in compared), dtype=np.int64, count=len(compared))
        first = np.asarray(saved.first, dtype=np.int64)
        first_value = np.full(len(first), NO_KEY, dtype=np.uint32)
        has = first != NO_KEY
        first_value[has] = remap[first[has]]
        if kept is not None:
            layer.save_keys(kept, distinct, first_value)
    found = cache[wanted] = FirstValues(distinct, first_value)
    return found


def literal_spellings(layer: TokenLayer, normalizer: Normalizer, condition: Condition) -> list[int] | None:
    """The spellings (sorted) whose first reading passes ``condition`` when it tests
    lemma, root or pos against literal strings, one test or several joined by ``&``
    (what ``--lemma`` and ``--root`` ask): found without a mask over the lexicon, nor
    numpy.  None for any other condition, and for an attribute the layer lacks (the masks
    then test it, or say what is missing)."""
    if isinstance(condition, And):
        left = literal_spellings(layer, normalizer, condition.left)
        right = None if left is None else literal_spellings(layer, normalizer, condition.right)
        if left is None or right is None:
            return None
        both = set(right)
        return [form for form in left if form in both]
    if not (
        isinstance(condition, Compare)
        and condition.op == "="
        and isinstance(condition.left, Attribute)
        and isinstance(condition.right, Value)
        and condition.left.name in MORPHOLOGY
    ):
        return None
    literal = condition.right.literal
    name = condition.left.name
    shared = None if literal is None else first_values(layer, normalizer, name)
    if literal is None or shared is None:
        return None
    wanted = morphology_normalizer(normalizer, name)(literal)
    if not wanted:  # the value "": the spellings without a reading
        return None
    values = shared.values
    if isinstance(values, Lexicon):
        number = values.find(wanted)
    else:
        at = bisect_left(values, wanted)
        number = at if at < len(values) and values[at] == wanted else None
    return [] if number is None else shared.spellings_of(number)


def _morphology(layer: TokenLayer, normalizer: Normalizer, name: str, column: int) -> Table:
    """``lemma``, ``root``, ``pos``: the first reading's value of each spelling
    (``first_values``), kept beside the layer by ``corpus index build --morph``; a spelling
    without one has the value ""."""
    import numpy as np

    shared = first_values(layer, normalizer, name)
    if shared is None:
        raise CqlSyntaxError(
            f"unknown attribute '{name}' (this corpus has no {name}: build its index with "
            "'corpus index build --morph')",
            column,
        )
    saved = layer.attribute(name)
    assert saved is not None
    distinct, first_value = shared.values, shared.first
    count = len(distinct)
    of_form = np.array(first_value, dtype=np.int64)  # a copy: the shared values stay as they are
    of_form[of_form == NO_KEY] = count  # no value: the value ""
    decoded: list[str] = []

    def values() -> list[str]:
        if not decoded:
            decoded.extend([*distinct, ""])
        return decoded

    def value(number: int) -> str:
        return "" if number == count else distinct[number]

    def find(s: str) -> list[int]:
        if s == "":
            return [count]
        if isinstance(distinct, Lexicon):
            at = distinct.find(s)
            return [] if at is None else [at]
        at = bisect_left(distinct, s)
        return [at] if at < count and distinct[at] == s else []

    def readings() -> tuple[Any, Any]:
        """Per spelling the numbers of all its readings' values (``--readings any``)."""
        numbers = [find(v) for v in compared_values(saved.values, normalizer, name)]
        remap = np.fromiter((n[0] if n else count for n in numbers), dtype=np.int64, count=len(numbers))
        return np.asarray(saved.offsets, dtype=np.int64), remap[np.asarray(saved.readings, dtype=np.int64)]

    normalize = morphology_normalizer(normalizer, name)
    return Table(values, value, of_form, count + 1, find, normalize, readings)


def kept_as(
    layer: TokenLayer, name: str, made_by: str, normalizer: Normalizer, purpose: str
) -> list[str] | None:
    """The name under which what ``purpose`` makes of attribute ``name`` at ``normalizer``
    is kept beside an index's layer (``TokenLayer.save_keys``, as keys at another
    normalization are): with the analyser and the attribute file's size and time, so
    that a new analysis (``corpus index morph``) is never answered with the keys of the
    last; None in memory."""
    if layer.path is None:
        return None
    try:
        stat = attribute_path(layer.path, name).stat()
    except OSError:
        return None
    made = f"{made_by}:{stat.st_size}:{stat.st_mtime_ns}"
    return [purpose, name, made, *normalizer.active_steps]


def _spellings(layer: TokenLayer) -> Table:
    """``orig``: the spelling as CQP has it from our VRT, in NFC (``cwb-encode`` puts every
    token into NFC): the values a regular expression is tested on are the spellings' NFC,
    and a literal (in NFC too) finds the spellings whose NFC it is."""
    import numpy as np

    forms: list[str] = []
    unusual: list[tuple[int, str]] = []  # the spellings not in NFC, with their NFC

    def values() -> list[str]:
        if not forms:
            for number, form in enumerate(layer.forms()):
                if not unicodedata.is_normalized("NFC", form):
                    form = unicodedata.normalize("NFC", form)
                    unusual.append((number, form))
                forms.append(form)
        return forms

    def value(number: int) -> str:
        return unicodedata.normalize("NFC", layer.form(number))

    def find(text: str) -> list[int]:
        values()
        exact = [f for f in layer.find_form(text) if unicodedata.is_normalized("NFC", layer.form(f))]
        return exact + [number for number, form in unusual if form == text]

    return Table(values, value, np.arange(layer.lexicon_size, dtype=np.int64), layer.lexicon_size, find, None)


def strip_marks(text: str) -> str:
    """CQP's ``%d``: decomposed, every combining mark dropped, composed again (so the
    hamza and madda that NFD splits off alef go too)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    )


def value_mask(
    layer: TokenLayer,
    normalizer: Normalizer,
    name: str,
    column: int,
    value: Value,
    *,
    any_reading: bool = False,
) -> Any:
    """The spellings whose ``name`` matches ``value`` as a whole (numpy bool array): the
    value of their first reading, or with ``any_reading`` (``--readings any``) the value
    of any of their readings (lemma, root, pos; a spelling without one has "")."""
    import numpy as np

    found = table(layer, normalizer, name, column)
    wanted = np.zeros(found.size, dtype=bool)
    literal = value.literal
    if literal is not None:
        if found.normalize is not None:
            literal = found.normalize(literal)
        elif name == "orig":  # a spelling in NFC, as CQP has it (and a harness sends it)
            literal = unicodedata.normalize("NFC", literal)
        wanted[found.find(literal)] = True
    else:
        matches = compiled(value, found.normalize, nfc=name == "orig")
        transform = strip_marks if "d" in value.flags else None
        values = found.values()
        if transform is not None:
            wanted[:] = [matches(transform(v)) is not None for v in values]
        else:
            wanted[:] = [matches(v) is not None for v in values]
    if any_reading and found.readings is not None:
        offsets, numbers = found.readings()
        passed = np.zeros(len(numbers) + 1, dtype=np.int64)
        np.cumsum(wanted[numbers], out=passed[1:])
        mask = passed[offsets[1:]] > passed[offsets[:-1]]
        mask[offsets[1:] == offsets[:-1]] = wanted[found.size - 1]  # no reading: the value ""
        return mask
    return wanted[found.of_form]


def compiled(
    value: Value, normalize: Callable[[str], str] | None, *, nfc: bool = False
) -> Callable[[str], Any]:
    """The ``fullmatch`` of ``value``'s regular expression: the query's own characters put
    through ``normalize`` (its operators kept), or into NFC (``nfc``: as CQP compiles a
    regular expression), ``%d`` marks stripped, ``%c`` any case."""
    import regex

    pattern = unicodedata.normalize("NFC", value.text) if nfc else value.text
    if "l" in value.flags:
        pattern = regex.escape(pattern)
    else:
        pattern = _pcre_escapes(pattern)
        if normalize is not None:
            pattern = normalized_pattern(pattern, normalize)
    if "d" in value.flags:
        pattern = strip_marks(pattern)
    flags = regex.V0 | (regex.IGNORECASE | regex.FULLCASE if "c" in value.flags else 0)
    try:
        return regex.compile(pattern, flags).fullmatch
    except regex.error as exc:
        raise CqlSyntaxError(f'invalid regular expression "{value.text}": {exc}', value.column) from None


_META = frozenset(".^$*+?|()")


def _pcre_escapes(pattern: str) -> str:
    """PCRE's ``\\x{HHHH}`` (which Python's ``regex`` lacks) as ``\\uHHHH``/``\\UHHHHHHHH``."""
    import re

    def code(match: re.Match[str]) -> str:
        digits = match.group(2)
        value = int(digits, 16)
        escaped = f"\\u{value:04x}" if value <= 0xFFFF else f"\\U{value:08x}"
        return match.group(1) + escaped

    return _pcre_word(re.sub(r"((?:^|[^\\])(?:\\\\)*)\\x\{([0-9A-Fa-f]{1,6})\}", code, pattern))


#: PCRE2's classes in CQP (Unicode properties, no PCRE2_UCP extras): letters are ``\p{L}``,
#: so a combining mark is no word character (``regex`` counts marks in ``\w``).
_POSIX = {
    "alpha": r"\p{L}",
    "alnum": r"\p{L}\p{N}",
    "word": r"\p{L}\p{N}_",
    "digit": r"\p{Nd}",
    "lower": r"\p{Ll}",
    "upper": r"\p{Lu}",
    "punct": r"\p{P}$+<=>^`|~",  # and the ASCII symbols only
}


_W = _POSIX["word"]
#: ``\\b`` between a word character and another character (PCRE2's ``\\w``).
_BOUNDARY = f"(?:(?<=[{_W}])(?![{_W}])|(?<![{_W}])(?=[{_W}]))"


def _pcre_word(pattern: str) -> str:
    """``\\w``, ``\\W`` and ``[:alpha:]``-style classes as CQP's PCRE2 reads them: a
    vocalized Arabic word is no run of ``\\w`` there (its marks are not letters)."""
    if "\\" not in pattern and "[:" not in pattern:
        return pattern
    out: list[str] = []
    in_class = False
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            following = pattern[i + 1]
            if following == "w":
                out.append(_POSIX["word"] if in_class else f"[{_POSIX['word']}]")
            elif following == "W" and not in_class:
                out.append(f"[^{_POSIX['word']}]")
            elif following in "bB" and not in_class:
                out.append(_BOUNDARY if following == "b" else f"(?!{_BOUNDARY})")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if pattern.startswith("[:", i):
                close = pattern.find(":]", i + 2)
                if close > 0:
                    name = pattern[i + 2 : close]
                    out.append(_POSIX.get(name, pattern[i : close + 2]))
                    i = close + 2
                    continue
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":  # a ] first in a class is itself
                out.append("]")
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def normalized_pattern(pattern: str, normalize: Callable[[str], str]) -> str:
    """``pattern`` with each run of its literal characters normalized, its operators,
    escapes, quantifiers and the structure of its classes kept: so ``"أحمد"`` and
    ``"أ.*د"`` find the spellings ``word`` finds for أحمد at the level in force."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(_escaped(normalize("".join(run))))
            run.clear()

    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            flush()
            j = _escape_end(pattern, i)
            out.append(pattern[i:j])
            i = j
        elif c == "[":
            flush()
            j = _class_end(pattern, i)
            out.append(_normalized_class(pattern[i:j], normalize))
            i = j
        elif c == "{":
            flush()
            j = pattern.find("}", i)
            j = n if j < 0 else j + 1
            out.append(pattern[i:j])
            i = j
        elif c == "(" and pattern.startswith("(?", i):
            flush()
            j = i + 2
            while j < n and pattern[j] not in ":)" and (pattern[j].isascii()):
                j += 1
            j = min(n, j + 1)
            out.append(pattern[i:j])
            i = j
        elif c in _META:
            flush()
            out.append(c)
            i += 1
        else:
            run.append(c)
            i += 1
    flush()
    return "".join(out)


def _escaped(text: str) -> str:
    import regex

    return regex.escape(text, literal_spaces=True)


def _escape_end(pattern: str, i: int) -> int:
    """Where the escape at ``i`` (a backslash) ends: ``\\p{..}``, ``\\x{..}``, ``\\N{..}``
    with their braces."""
    j = min(len(pattern), i + 2)
    if j < len(pattern) and pattern[i + 1 : i + 2] in ("p", "P", "x", "N") and pattern[j] == "{":
        close = pattern.find("}", j)
        return len(pattern) if close < 0 else close + 1
    return j


def _class_end(pattern: str, i: int) -> int:
    """Where the character class that opens at ``i`` ends (after its ``]``)."""
    j = i + 1
    n = len(pattern)
    if j < n and pattern[j] == "^":
        j += 1
    if j < n and pattern[j] == "]":
        j += 1
    while j < n:
        if pattern[j] == "\\":
            j = _escape_end(pattern, j)
            continue
        if pattern[j] == "[" and pattern.startswith("[:", j):
            close = pattern.find(":]", j + 2)
            j = n if close < 0 else close + 2
            continue
        if pattern[j] == "]":
            return j + 1
        j += 1
    return n


def _normalized_class(text: str, normalize: Callable[[str], str]) -> str:
    """A class with each of its plain characters normalized on its own (a character that
    normalizes to one character becomes that one; ranges and escapes are kept)."""
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            j = _escape_end(text, i)
            out.append(text[i:j])
            i = j
            continue
        if c in "[]^-:" or c.isascii():
            out.append(c)
        else:
            folded = normalize(c)
            out.append(folded if len(folded) == 1 else c)
        i += 1
    return "".join(out)


def _lemmas(values: list[str], normalizer: Normalizer) -> list[str]:
    """``morphology_normalizer``'s lemma (unvocalized, then normalized) of every value at
    once: the marks dropped by one ``translate``, the normalization of all the values
    joined by line ends (which it never crosses: ``normalize_many``)."""
    import unicodedata

    if not values:
        return []
    joined = "\n".join(values)
    marks = {ord(c): None for c in set(joined) if unicodedata.combining(c) or c == "\u0640"}
    return normalizer.normalize(joined.translate(marks)).split("\n")


def lexicon_strings(lexicon: Any) -> list[str]:
    """Every entry of a ``Lexicon`` (entries without a line end), decoded at once: the
    entries' bytes with a line end after each, one ``decode`` and one ``split``."""
    import numpy as np

    count = len(lexicon)
    if not count:
        return []
    text = np.frombuffer(lexicon.text, dtype=np.uint8)
    offsets = np.asarray(lexicon.offsets, dtype=np.int64)
    joined = np.full(len(text) + count, ord("\n"), dtype=np.uint8)
    entry = np.repeat(np.arange(count, dtype=np.int64), np.diff(offsets))
    joined[np.arange(len(text), dtype=np.int64) + entry] = text
    found = joined[:-1].tobytes().decode("utf-8", "surrogatepass").split("\n")
    assert len(found) == count
    return found
