"""The entry point's set-up before the CLI is imported."""

from __future__ import annotations

from corpus_cli.launch import _one_blas_thread


def test_openblas_gets_one_thread_unless_the_user_chose():
    environ: dict[str, str] = {}
    _one_blas_thread(environ)
    assert environ == {"OPENBLAS_NUM_THREADS": "1"}
    chosen = {"OPENBLAS_NUM_THREADS": "4"}
    _one_blas_thread(chosen)
    assert chosen == {"OPENBLAS_NUM_THREADS": "4"}
