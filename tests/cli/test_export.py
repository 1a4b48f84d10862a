"""``corpus export``: the selected documents as a vertical file (VRT)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus_cli.store.corpus import load_corpus
from corpus_cli.store.vrt import VrtDocument, read_vrt
from corpus_cli.text.normalize import Level, Normalizer
from corpus_cli.text.tokenize import tokenize
from tests.cql.cqp import cwb_bin

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
#: CWB's sources and build script, in ../shared beside the checkout.
CWB_TOOLS = ROOT.parent / "shared" / "tools" / "cwb"


def exported(invoke, *args: str) -> list[VrtDocument]:
    r = invoke("export", *args)
    assert r.exit_code == 0, r.stderr
    return list(read_vrt(r.stdout.splitlines()))


def assert_round_trip(texts: dict[str, str], docs: list[VrtDocument], normalizer: Normalizer) -> None:
    assert [d.id for d in docs] == list(texts)
    for doc in docs:
        assert [(t.text, t.kind, t.start, t.end) for t in tokenize(texts[doc.id])] == [
            (t.word, t.kind, t.start, t.end) for t in doc.tokens
        ], doc.id
        assert all(t.norm == normalizer.normalize(t.word) for t in doc.tokens), doc.id
        assert all(doc.sentences), "no empty sentence"


def test_round_trip_of_the_seeds(invoke, seed_texts: dict[str, str]) -> None:
    docs = exported(invoke)
    assert_round_trip(seed_texts, docs, Normalizer.for_level(Level.standard))
    assert all(d.meta == {} for d in docs)


def test_round_trip_of_every_shared_corpus(invoke, every_corpus: Path) -> None:
    corpus = load_corpus([str(every_corpus)])
    texts = {d.id: d.text for d in corpus}
    assert texts
    docs = exported(invoke, "--corpus", str(every_corpus))
    assert_round_trip(texts, docs, Normalizer.for_level(Level.standard))


def test_the_vrt_shape(invoke) -> None:
    r = invoke("export", "--doc", "001", "--format", "VRT")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:3] == ['<doc id="001_b0761bee8ed67ba9">', "<s>", "مباحثات\tمباحثات\tword\t0\t7"]
    assert lines[-2:] == ["</s>", "</doc>"]
    for line in lines:
        assert re.fullmatch(
            r'<doc id="[^"]+">|</doc>|<s>|</s>|[^\t]+\t[^\t]*\t(word|number|punct|url|emoji)\t\d+\t\d+', line
        )
    assert lines.count("<s>") == lines.count("</s>") > 10


def test_the_readme_example_is_the_output(invoke) -> None:
    """README's "Export to CWB" block shows the first lines of a real export."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n\$ corpus export --doc 001 \| head -(\d+)\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    r = invoke("export", "--doc", "001")
    assert r.stdout.splitlines(keepends=True)[: int(block.group(1))] == block.group(2).splitlines(
        keepends=True
    )


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    records = [
        {
            "id": "a1",
            "text": 'قال "نعم" & <لا>.\nسطر',
            "Source": "okaz",
            "Pub Date": "2015",
            "note": 'a & b <c> "d"',
        },
        {"id": "a2", "text": "سوريا؟ الأُمَمُ", "Source": "sabq", "Pub Date": "2016"},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_metadata_attributes_from_a_jsonl_corpus(invoke, feed: Path) -> None:
    r = invoke("export", "--corpus", str(feed), "--id-field", "id")
    assert r.exit_code == 0, r.stderr
    tags = [line for line in r.stdout.splitlines() if line.startswith("<doc")]
    assert tags == [
        '<doc id="a1" source="okaz" pub_date="2015" note="a &amp; b &lt;c&gt; &quot;d&quot;">',
        '<doc id="a2" source="sabq" pub_date="2016">',
    ]
    docs = list(read_vrt(r.stdout.splitlines()))
    assert docs[0].meta == {"source": "okaz", "pub_date": "2015", "note": 'a & b <c> "d"'}
    texts = {"a1": 'قال "نعم" & <لا>.\nسطر', "a2": "سوريا؟ الأُمَمُ"}
    assert_round_trip(texts, docs, Normalizer.for_level(Level.standard))
    assert "&amp;\t&amp;\tpunct\t10\t11" in r.stdout.splitlines()
    assert "&lt;\t&lt;\tpunct\t12\t13" in r.stdout.splitlines()


def test_doc_and_where_select(invoke, feed: Path) -> None:
    docs = exported(invoke, "--corpus", str(feed), "--id-field", "id", "--where", "Source=sabq")
    assert [d.id for d in docs] == ["a2"]
    docs = exported(invoke, "--corpus", str(feed), "--id-field", "id", "--doc", "a1")
    assert [d.id for d in docs] == ["a1"]
    docs = exported(invoke, "--doc", "002", "--doc", "004")
    assert [d.id for d in docs] == ["002_54a637c8796560dc", "004_b89014a9ba1a7d7b"]


def test_norm_light_changes_the_norm_column(invoke, feed: Path) -> None:
    args = ("--corpus", str(feed), "--id-field", "id", "--doc", "a2")
    standard = {t.word: t.norm for d in exported(invoke, *args) for t in d.tokens}
    light = {t.word: t.norm for d in exported(invoke, *args, "--norm", "light") for t in d.tokens}
    assert standard["الأُمَمُ"] == "الامم"
    assert light["الأُمَمُ"] == Normalizer.for_level(Level.light).normalize("الأُمَمُ") != "الامم"
    kept = {t.word: t.norm for d in exported(invoke, *args, "--keep", "alef") for t in d.tokens}
    assert kept["الأُمَمُ"] == "الأمم"
    # the shared options before the command name too
    r = invoke("--norm", "none", "export", *args)
    assert "الأُمَمُ\tالأُمَمُ\tword" in r.stdout


def test_no_document_selected_is_exit_1(invoke, feed: Path) -> None:
    r = invoke("export", "--corpus", str(feed), "--where", "Source=nowhere")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert "no document selected" in r.stderr


def test_errors_are_exit_2(invoke) -> None:
    r = invoke("export", "--format", "xml")
    assert r.exit_code == 2
    r = invoke("export", "--doc", "nothing-such")
    assert r.exit_code == 2
    assert "unknown document" in r.stderr
    assert invoke("export", "--bom").exit_code == 2  # no rows, no byte-order mark


def test_export_from_an_index_is_the_same(invoke, tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    shutil.copytree(SEEDS, corpus)
    without = invoke("export", "--corpus", str(corpus), "--index", "off").stdout
    assert invoke("index", "build", "--corpus", str(corpus)).exit_code == 0
    assert invoke("export", "--corpus", str(corpus)).stdout == without


def test_broken_pipe_ends_quietly() -> None:
    from tests.conftest import clean_env, corpus_argv

    proc = subprocess.Popen(
        corpus_argv("export"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env()
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert b"Traceback" not in err


# --------------------------------------------------------------------------- CWB as the oracle


@pytest.fixture(scope="session")
def cwb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """CWB's bin directory: the one the CQL differential tests use when it is installed
    (CI builds it), else built once per session from ../shared/tools/cwb (skipped without
    it, or when the build fails)."""
    installed = cwb_bin()
    if installed is not None:
        yield installed
        return
    script = CWB_TOOLS / "build.sh"
    if not script.is_file():
        pytest.skip("../shared/tools/cwb is not here")
    prefix = tmp_path_factory.mktemp("cwb")
    try:
        built = subprocess.run(
            ["bash", str(script), str(prefix)], capture_output=True, timeout=600, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"CWB build failed: {exc}")
    if built.returncode != 0 or not (prefix / "bin" / "cqp").is_file():
        pytest.skip(f"CWB build failed: {built.stdout.decode(errors='replace')[-300:]}")
    yield prefix / "bin"


def test_cwb_encodes_the_export_and_cqp_agrees(invoke, cwb: Path, tmp_path: Path) -> None:
    r = invoke("export")
    assert r.exit_code == 0, r.stderr
    vrt = tmp_path / "seeds.vrt"
    vrt.write_text(r.stdout, encoding="utf-8")
    data, registry = tmp_path / "data", tmp_path / "registry"
    data.mkdir()
    registry.mkdir()
    encode = [str(cwb / "cwb-encode"), "-c", "utf8", "-x", "-s", "-B", "-d", str(data), "-f", str(vrt)]
    encode += ["-R", str(registry / "seeds"), "-P", "norm", "-P", "kind", "-P", "start", "-P", "end"]
    encode += ["-S", "doc:0+id", "-S", "s:0"]
    subprocess.run(encode, check=True, capture_output=True, timeout=120)
    subprocess.run(
        [str(cwb / "cwb-makeall"), "-r", str(registry), "-V", "SEEDS"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    queries = ["SEEDS", "All = []", "size All", ".EOL.", 'A = [word="سوريا"]', "size A", ".EOL."]
    queries += ["S = <s> []", "size S"]  # the first token of each sentence
    script = "".join(f"{q};\n" for q in queries)
    cqp = subprocess.run(
        [str(cwb / "cqp"), "-c", "-r", str(registry)],
        input=script.encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert cqp.stderr == b"", cqp.stderr.decode(errors="replace")
    out = cqp.stdout.decode().splitlines()[1:]  # after the version line
    sizes = [int(part[0]) for part in _split(out, "-::-EOL-::-")]
    docs = list(read_vrt(r.stdout.splitlines()))
    tokens = [t for d in docs for t in d.tokens]
    assert sizes[0] == len(tokens) > 0
    assert sizes[1] == sum(t.word == "سوريا" for t in tokens) > 0
    assert sizes[2] == sum(len(d.sentences) for d in docs)


def _split(lines: list[str], marker: str) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for line in lines:
        if line == marker:
            parts.append([])
        else:
            parts[-1].append(line)
    return parts
