"""The package's public names (``corpus_cli.__all__``): importable without the CLI."""

from __future__ import annotations

import subprocess
import sys

import corpus_cli


def test_every_public_name_is_importable() -> None:
    for name in corpus_cli.__all__:
        assert getattr(corpus_cli, name) is not None, name


def test_normalize_and_tokenize_are_the_functions() -> None:
    """Not the modules of the same name: the functions ``__all__`` declares."""
    from corpus_cli import normalize, tokenize

    assert callable(normalize) and normalize("أَلْعَرَبِيَّةُ") == "العربية"
    assert [t.text for t in tokenize("في الرياض.")][:2] == ["في", "الرياض"]
    import corpus_cli.text.normalize

    assert corpus_cli.normalize is normalize


def test_the_core_does_not_load_the_cli() -> None:
    code = (
        "import sys; from corpus_cli import load_corpus, compile_query, iter_hits, Normalizer; "
        "q = compile_query('سوريا', Normalizer.for_level('standard')); "
        "n = sum(1 for _ in iter_hits(load_corpus(), q)); "
        "print(n, any(m.startswith(('corpus_cli.cli', 'typer', 'rich')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    count, cli_loaded = out.split()
    assert int(count) > 0 and cli_loaded == "False"
