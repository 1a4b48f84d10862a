"""corpus-cli: query Arabic text corpora from the command line, or from Python.

The core is importable without the CLI::

    from corpus_cli import load_corpus, Normalizer, compile_query, iter_hits
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "Corpus",
    "CorpusError",
    "Document",
    "Level",
    "MatchOptions",
    "Normalizer",
    "__version__",
    "compile_query",
    "count_tokens",
    "iter_hits",
    "load_corpus",
    "normalize",
    "search_lines",
    "tokenize",
]


def __getattr__(name: str) -> object:
    """Import the core lazily, so that ``corpus --version`` stays instant."""
    import importlib

    homes = {
        "Corpus": "store.corpus",
        "Document": "store.corpus",
        "load_corpus": "store.corpus",
        "CorpusError": "errors",
        "Level": "text.normalize",
        "Normalizer": "text.normalize",
        "normalize": "text.normalize",
        "MatchOptions": "query.pattern",
        "compile_query": "query.pattern",
        "iter_hits": "query.search",
        "search_lines": "query.search",
        "count_tokens": "query.freq",
        "tokenize": "text.tokenize",
    }
    if name in homes:
        return getattr(importlib.import_module(f".{homes[name]}", __name__), name)
    raise AttributeError(name)
