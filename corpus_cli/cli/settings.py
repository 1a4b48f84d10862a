"""The shared options of one command run, typed: what the corpus is, how it is read,
normalized and shown.

Every command takes the shared options (``options.SHARED_OPTIONS``) after its name, and
the root callback takes them before it (``Defaults``); ``Settings.of`` merges the two,
the one after the name winning.  Commands and the layers below read a ``Settings``,
never the raw values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ..errors import CorpusError
from ..output.environment import ColorWhen
from ..text.normalize import Level, Normalizer


class Defaults(dict[str, Any]):
    """The shared options given before the subcommand name, by name: each applies to
    the commands that take it, unless given again after the name."""


class Settings(NamedTuple):
    """The shared options of a command: after its name, else before it, else defaults."""

    corpus: tuple[str, ...] = ()
    glob: str | None = None
    doc: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    text_field: str | None = None
    id_field: str | None = None
    encoding: str | None = None
    norm: Level | None = None
    fold: str | None = None
    keep: str | None = None
    color: ColorWhen | None = None
    index_option: str | None = None  # --index (a tuple has an ``index`` method)
    timeout: float | None = None
    bom: bool = False
    #: The command takes ``--corpus`` (it reads a corpus: ``CORPUS_PATH`` must name
    #: files that exist, and an index may answer it).
    reads_corpus: bool = False
    #: The shared options given a value (``--engine dask`` refuses those it does not run).
    given: tuple[str, ...] = ()

    @classmethod
    def of(cls, values: Mapping[str, Any], before: object = None) -> Settings:
        """The settings of a command whose shared options are ``values`` (by parameter
        name), filled in from ``before`` (``Defaults``): a repeatable option given after
        the name replaces, not extends, the values before it, as ``--corpus``'s always has."""
        merged = dict(values)
        if isinstance(before, Defaults):
            for name, value in values.items():
                earlier = before.get(name)
                if (value is None or value == []) and earlier is not None and earlier != []:  # "" is given
                    merged[name] = earlier
        fields = set(cls._fields)
        typed: dict[str, Any] = {}
        for name, value in merged.items():
            field = "index_option" if name == "index" else name
            if field not in fields:
                raise TypeError(f"no shared option {name!r}")
            if isinstance(value, (list, tuple)):
                value = tuple(value)
            typed[field] = bool(value) if name == "bom" else value
        given = tuple(n for n, v in merged.items() if v)
        return cls(
            **{k: v for k, v in typed.items() if v is not None}, reads_corpus="corpus" in merged, given=given
        )

    @property
    def level(self) -> Level:
        return self.norm or Level.standard

    def normalizer(self) -> Normalizer:
        """The normalizer of ``--norm``, ``--fold`` and ``--keep``."""
        return adjust_normalizer(Normalizer.for_level(self.level), self.fold, self.keep)

    @property
    def index_choice(self) -> str:
        """``--index``: auto, off or an index file."""
        return (self.index_option or "auto").strip()

    @property
    def whole_corpus(self) -> bool:
        """No document is left out by --doc or --where (corpus-wide numbers of an index apply)."""
        return not self.doc and not self.where


_STEP_ALIASES = {"tanween": "tanween_alef", "diacritics": "marks", "ligature": "ligatures"}


def _steps(value: str | None, option: str) -> list[str]:
    names = [n.strip().lower().replace("-", "_") for n in (value or "").split(",") if n.strip()]
    names = [_STEP_ALIASES.get(n, n) for n in names]
    known = Normalizer.step_names()
    for name in names:
        if name not in known:
            raise CorpusError(f"{option}: unknown step '{name}' (steps: {', '.join(known)})")
    return names


def adjust_normalizer(normalizer: Normalizer, fold: str | None, keep: str | None) -> Normalizer:
    """The level's steps, plus ``--fold`` steps, minus ``--keep`` steps."""
    toggles = {name: True for name in _steps(fold, "--fold")}
    for name in _steps(keep, "--keep"):
        if name in toggles:
            raise CorpusError(f"step '{name}' is both in --fold and --keep")
        toggles[name] = False
    return normalizer.with_steps(**toggles) if toggles else normalizer


def describe_normalizer(level: Level, normalizer: Normalizer) -> str:
    """``standard +yeh -digits``: the level and what --fold/--keep changed."""
    base = Normalizer.for_level(level)
    changes = [
        ("+" if getattr(normalizer, n) else "-") + n
        for n in Normalizer.step_names()
        if getattr(normalizer, n) != getattr(base, n)
    ]
    return " ".join([level.value, *changes])
