"""The CQP oracle's fixtures: CWB's binaries, and the samples of the shared corpora encoded
in CWB beside their token layers (built once per session; skipped without CWB, numpy or
the corpora)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpus_cli.output.vrt import attribute_names
from corpus_cli.store.corpus import Document
from corpus_cli.store.layer import TokenLayer, build_layer
from corpus_cli.text.normalize import Level, Normalizer
from tests.cql.cqp import (
    CORPORA,
    SAMPLES,
    Cqp,
    cwb_bin,
    encode,
    load_documents,
    sample_records,
    write_jsonl,
)
from tests.cql.cqp import write_vrt as write_sample_vrt

#: The normalization of every sample (the CLI's default): CQP's ``norm`` column.
NORMALIZER = Normalizer.for_level(Level.standard)


@dataclass(frozen=True)
class Sample:
    """One sample: its documents, their token layer, and the same corpus in CWB."""

    key: str
    jsonl: Path
    documents: list[Document]
    layer: TokenLayer
    cqp: Cqp

    @property
    def metadata(self) -> list[Mapping[str, str]]:
        """Per layer document, its metadata as CQP's ``match.doc_FIELD`` sees it:
        ``id`` and every field under its VRT attribute name."""
        return [
            {"id": doc.id, **{attribute_names(doc.meta)[f]: v for f, v in doc.meta.items()}}
            for doc in self.documents
        ]


@pytest.fixture(scope="session")
def cwb() -> Path:
    """The directory of CWB's binaries (``cqp``, ``cwb-encode``, ``cwb-makeall``...)."""
    found = cwb_bin()
    if found is None:
        pytest.skip("CWB is not built: bash ../shared/tools/cwb/build.sh /tmp/cwb (or set CWB_PREFIX)")
    return found


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """``folder`` for one process at a time (pytest-xdist's workers share it)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: every worker builds its own
            yield
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder all of the session's xdist workers see (their base's parent), else the base."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "cqp-samples"


@pytest.fixture(scope="session")
def samples(cwb: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Sample]:
    """Every sample whose corpus is unpacked, keyed as ``SAMPLES``.  Its files (JSONL, VRT,
    CWB's registry) and CQP's answers are made once per session and shared by the xdist
    workers; each worker builds the token layers itself (in memory)."""
    pytest.importorskip("numpy")
    root = _shared_root(tmp_path_factory)
    built = {}
    for key, spec in SAMPLES.items():
        folder = root / key
        jsonl, registry = folder / f"{key}.jsonl", folder / "registry"
        with _locked(folder):
            if not (folder / "done").exists():
                records = sample_records(spec)
                if records is None:
                    continue
                write_jsonl(records, jsonl)
                documents = load_documents(jsonl)
                vrt = write_sample_vrt(documents, NORMALIZER, folder / f"{key}.vrt")
                encode(cwb, vrt, folder, key, list(documents[0].meta))
                (folder / "done").touch()
        documents = load_documents(jsonl)
        layer = build_layer([doc.text for doc in documents], NORMALIZER)
        built[key] = Sample(key, jsonl, documents, layer, Cqp(cwb, registry, key, cache=folder / "answers"))
    if not built:
        pytest.skip(f"no corpus of the samples in {CORPORA} (../shared/corpora/unpack.sh {CORPORA})")
    return built


def sample(samples: dict[str, Sample], key: str) -> Sample:
    """The sample ``key``, or a skip when its corpus is not unpacked."""
    if key not in samples:
        pytest.skip(f"{SAMPLES[key].corpus} is not in {CORPORA}")
    return samples[key]
