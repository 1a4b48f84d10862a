"""Stopwords: a built-in list of Arabic function words, or the user's own file.

The built-in list (``data/stopwords-ar.txt``) was written for this project and is
stored normalized; negations are left out of it on purpose.  Entries of any list are
normalized with the same normalizer as the text, and match whole tokens only.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CorpusError
from .normalize import Normalizer

BUILTIN = Path(__file__).resolve().parent.parent / "data" / "stopwords-ar.txt"


def read_list(path: Path) -> list[str]:
    """One word per line; blank lines and ``#`` comments ignored."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CorpusError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CorpusError(f"{path}: not UTF-8") from None
    words = []
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


def load_stopwords(source: str | None, normalizer: Normalizer) -> frozenset[str]:
    """The normalized stopwords of ``source`` (``None`` or ``""``: the built-in list)."""
    path = BUILTIN if not source or source == "builtin" else Path(source).expanduser()
    return frozenset(normalizer.normalize(w) for w in read_list(path)) - {""}
