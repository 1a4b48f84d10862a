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
from tests.conftest import SEEDS, run_corpus
from tests.cql.cqp import (
    CORPORA,
    P_ATTRIBUTES,
    SAMPLES,
    Cqp,
    SampleSpec,
    _first_of_each_folder,
    _news_fields,
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


# --------------------------------------------------------------------------- morphology

#: The columns ``corpus export --attributes`` adds, as CQP's p-attributes: the first
#: reading's values, then every reading's as feature sets (``|a|b|``).
MORPHOLOGY = ("lemma", "root", "pos", "lempos", "lemma_set", "root_set", "pos_set", "lempos_set")
#: The corpora of the morphology's differential: the seeds, and 3 articles of each paper of
#: saudinewsnet (42 documents, 5,600 Arabic forms: analysed in about 20 CPU-seconds).
MORPH_NEWS = SampleSpec("saudinewsnet", _first_of_each_folder(3), _news_fields)


@dataclass(frozen=True)
class MorphCorpus:
    """A corpus exported by ``corpus export --attributes`` (``MORPHOLOGY``), encoded in CWB,
    and indexed with ``--morph`` in ``cache`` (where its analyses are kept too)."""

    key: str
    options: tuple[str, ...]  # the CLI's options that name the corpus
    cache: Path  # CORPUS_CACHE_DIR: the analyses and the index
    vrt: Path
    layer: TokenLayer  # built in memory from the documents, analysed from ``cache``
    cqp: Cqp
    places: list[tuple[str, int, int]]  # per corpus position: document id, start, end
    metadata: list[Mapping[str, str]]  # per document, as CQP's match.doc_FIELD sees it


def _vrt_places(vrt: Path) -> list[tuple[str, int, int]]:
    """Per token of a VRT file: its document's id, its start and end."""
    places = []
    doc = ""
    with vrt.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("<doc id="):
                doc = line.split('"')[1]
            elif not line.startswith("<"):
                columns = line.rstrip("\n").split("\t")
                places.append((doc, int(columns[3]), int(columns[4])))
    return places


@pytest.fixture(scope="session")
def morph_corpora(cwb: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, MorphCorpus]:
    """The seeds and (when unpacked) a sample of saudinewsnet, each exported with its
    lemma, root and pos through the CLI (a layer built in memory, analysed then), encoded
    in CWB, and indexed with ``--morph``; made once per session for every xdist worker."""
    pytest.importorskip("numpy")
    pytest.importorskip("farahidi", reason="the extra corpus-cli[morph] is not installed")
    from corpus_cli.index.morphology import annotate
    from corpus_cli.store.corpus import load_corpus

    root = _shared_root(tmp_path_factory).with_name("cqp-morphology")
    cache = root / "cache"
    built = {}
    for key in ("seeds", "news"):
        folder = root / key
        jsonl = folder / f"{key}.jsonl"
        options = ("-C", str(SEEDS)) if key == "seeds" else ("-C", str(jsonl), "--id-field", "id")
        vrt = folder / f"{key}.vrt"
        with _locked(folder):
            if not (folder / "done").exists():
                fields: list[str] = []
                if key == "news":
                    records = sample_records(MORPH_NEWS)
                    if records is None:
                        continue
                    write_jsonl(records, jsonl)
                    fields = ["source", "date"]
                env = {"CORPUS_CACHE_DIR": str(cache)}
                asked = ",".join(MORPHOLOGY)
                done = run_corpus(*options, "export", "--attributes", asked, env=env, timeout=900)
                assert done.returncode == 0, done.stderr.decode()
                vrt.write_bytes(done.stdout)
                sets = [f"{name}/" if name.endswith("_set") else name for name in MORPHOLOGY]
                encode(cwb, vrt, folder, key, fields, (*P_ATTRIBUTES, *sets))
                built_index = run_corpus(*options, "index", "build", "--morph", env=env, timeout=900)
                assert built_index.returncode == 0, built_index.stderr.decode()
                (folder / "done").touch()
        paths = [str(SEEDS)] if key == "seeds" else [str(jsonl)]
        corpus = load_corpus(paths, id_field=None if key == "seeds" else "id")
        layer = build_layer([doc.text for doc in corpus.documents], NORMALIZER)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("CORPUS_CACHE_DIR", str(cache))
            annotate(layer)
        cqp = Cqp(cwb, folder / "registry", key, cache=folder / "answers")
        metadata: list[Mapping[str, str]] = [
            {"id": doc.id, **{attribute_names(doc.meta)[f]: v for f, v in doc.meta.items()}}
            for doc in corpus.documents
        ]
        built[key] = MorphCorpus(key, options, cache, vrt, layer, cqp, _vrt_places(vrt), metadata)
    return built
