"""Before comparing matches: CQP's corpus positions are ours.  Each sample encoded in CWB
from the project's VRT has the layer's tokens at the layer's positions (spelling in NFC,
normalized key, kind, offsets), its sentences and documents as ``<s>`` and ``<doc>``
regions, and the documents' ids and metadata; and ``corpus export --format vrt`` encodes
to the regions of the index's own layer."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from corpus_cli.output.vrt import attribute_names
from corpus_cli.store.layer import NO_KEY
from tests.conftest import Invoke
from tests.cql.conftest import Sample, sample
from tests.cql.cqp import SAMPLES, UNDEF, decode_regions, decode_tokens, encode, nfc


def _regions(starts: list[int]) -> list[tuple[int, int]]:
    """The layer's ``docs``/``sentences`` array (first positions, then the total) as
    CWB regions: first and last position.  An empty document (a whitespace-only file:
    saudinewsnet has some) is a region in the layer, none in CWB."""
    return [(a, b - 1) for a, b in pairwise(starts) if b > a]


def _kept(starts: list[int], values: list[str]) -> list[str]:
    """``values`` (one per document) of the documents that hold a token."""
    return [v for v, (a, b) in zip(values, pairwise(starts), strict=True) if b > a]


@pytest.mark.parametrize("key", list(SAMPLES))
def test_cqp_tokens_are_the_layers(samples: dict[str, Sample], key: str) -> None:
    s = sample(samples, key)
    layer = s.layer
    rows = decode_tokens(s.cqp.cqp.parent, s.cqp.registry, key)
    assert len(rows) == layer.tokens > 1000
    # per lexicon entry: the spelling in NFC, the key (__UNDEF__ when empty), the kind
    entries = [
        (nfc(form), UNDEF if layer.key_of(i) == NO_KEY else layer.key(layer.key_of(i)), layer.kind(i).value)
        for i, form in enumerate(layer.forms())
    ]
    lengths = [len(form) for form in layer.forms()]
    tok, start = layer.array("tok"), layer.array("start")
    expected = [
        [*entries[t], str(first), str(first + lengths[t])]
        for t, first in zip(tok.tolist(), start.tolist(), strict=True)
    ]
    assert rows == expected


@pytest.mark.parametrize("key", list(SAMPLES))
def test_cqp_sentences_and_documents_are_the_layers(samples: dict[str, Sample], key: str) -> None:
    s = sample(samples, key)
    bin_dir, registry = s.cqp.cqp.parent, s.cqp.registry
    sentences = decode_regions(bin_dir, registry, key, "s")
    assert [(a, b) for a, b, _ in sentences] == _regions(list(s.layer.array("sentences")))
    starts = list(s.layer.array("docs"))
    docs = decode_regions(bin_dir, registry, key, "doc_id")
    assert [(a, b) for a, b, _ in docs] == _regions(starts)
    assert [v for _, _, v in docs] == _kept(starts, [doc.id for doc in s.documents])
    for field in s.documents[0].meta:
        name = attribute_names(s.documents[0].meta)[field]
        values = [v for _, _, v in decode_regions(bin_dir, registry, key, f"doc_{name}")]
        assert values == _kept(starts, [doc.meta[field] for doc in s.documents])


def test_corpus_export_encodes_to_the_regions_of_the_index_layer(
    invoke: Invoke, samples: dict[str, Sample], private_index_cache: Path, tmp_path: Path
) -> None:
    """The CLI's ``export`` (not the harness's exporter) of the Quran sample, encoded in
    CWB: the tokens, sentences and documents of the layer of ``corpus index build``."""
    from corpus_cli.index.read import Index

    s = sample(samples, "quran")
    corpus = ["--corpus", str(s.jsonl), "--id-field", "id"]
    built = invoke("index", "build", *corpus)
    assert built.exit_code == 0, built.stderr
    (path,) = private_index_cache.glob("*.corpus-index")
    layer = Index(path).layer()
    assert layer is not None
    exported = invoke("export", *corpus, "--format", "vrt")
    assert exported.exit_code == 0, exported.stderr
    vrt = tmp_path / "quran.vrt"
    vrt.write_text(exported.stdout, encoding="utf-8")
    bin_dir = s.cqp.cqp.parent
    registry = encode(bin_dir, vrt, tmp_path, "export", list(s.documents[0].meta))
    words = [row[0] for row in decode_tokens(bin_dir, registry, "export")]
    tok = layer.array("tok")
    assert words == [nfc(layer.form(tok[p])) for p in range(layer.tokens)]
    sentences = decode_regions(bin_dir, registry, "export", "s")
    assert [(a, b) for a, b, _ in sentences] == _regions(list(layer.array("sentences")))
    docs = decode_regions(bin_dir, registry, "export", "doc_id")
    starts = list(layer.array("docs"))
    assert [(a, b) for a, b, _ in docs] == _regions(starts)
    assert [v for _, _, v in docs] == _kept(starts, [doc.id for doc in s.documents])
