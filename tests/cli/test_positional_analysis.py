"""``collocates``, ``dispersion`` and ``keywords`` from the index's token layer: byte for
byte what the text gives with ``--index off`` (output, warnings, exit code), on the seeds,
on records with metadata, on folders of papers and on samples of every corpus in
/tmp/corpora; the text path is made to fail while the index answers, to show that the
layer did.  Also ``collocates --by-position`` and the progress bar."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from corpus_cli.cli import app
from tests.conftest import PINNED_ENV, SEEDS, Invoke, jsonl, tsv

pytest.importorskip("numpy")

CORPORA = Path("/tmp/corpora")

#: The function of the text path each command calls when the layer cannot answer.
TEXT_PATH = {
    "collocates": "corpus_cli.query.analysis.collocates",
    "dispersion": "corpus_cli.query.analysis.hit_dispersion",
    "keywords": "corpus_cli.query.analysis.count_tokens",
}


def _text_path(*args: object, **kwargs: object) -> None:
    raise AssertionError("the text path answered although the token layer could")


def _build(root: Path, cache: Path, *where: str) -> None:
    """``corpus index build`` of a corpus into ``cache``, once for a module's tests."""
    env = {**PINNED_ENV, "CORPUS_CACHE_DIR": str(cache)}
    result = CliRunner().invoke(app, ["index", "build", "--corpus", str(root), *where], env=env)
    assert result.exit_code == 0, result.output
    assert list(cache.glob("*.corpus-index-tokens")), "built without a token layer"


class Indexed:
    """A corpus, the reading options it needs, and the cache holding its index."""

    def __init__(self, root: Path, cache: Path, *reading: str) -> None:
        self.where = ("--corpus", str(root), *reading)
        self.cache = cache


def _index(tmp_path_factory: pytest.TempPathFactory, root: Path, *reading: str) -> Indexed:
    cache = tmp_path_factory.mktemp("cache")
    _build(root, cache, *reading)
    return Indexed(root, cache, *reading)


def same(
    invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    corpus: Indexed,
    args: list[str],
    *,
    layer: bool = True,
    files: bool = True,
):
    """``args`` answered from the index (the text path failing when ``layer``, and the
    reading of a file unless ``files``) and with ``--index off``: the same stdout,
    stderr and exit code.  The index's result."""
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(corpus.cache))
    with monkeypatch.context() as patched:
        if layer:
            patched.setattr(TEXT_PATH[args[0]], _text_path)
        if not files:
            patched.setattr("corpus_cli.store.readers.Reader.read_file", _text_path)
        indexed = invoke(*args, *corpus.where)
    plain = invoke(*args, *corpus.where, "--index", "off")
    assert (indexed.exit_code, indexed.stdout, indexed.stderr) == (
        plain.exit_code,
        plain.stdout,
        plain.stderr,
    )
    return indexed


# --------------------------------------------------------------------------- the seeds


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    return _index(tmp_path_factory, SEEDS)


SEED_COMMANDS = [
    ["collocates", "سوريا"],
    ["collocates", "سوريا", "--window", "2", "--measure", "mi", "--min-freq", "1", "--top", "0"],
    ["collocates", "في", "--left", "3", "--right", "0", "--measure", "t"],
    ["collocates", "في", "--left", "0", "--right", "4", "--measure", "z", "--top", "7"],
    ["collocates", "الأمن", "--clitics", "--measure", "g2", "--format", "jsonl"],
    ["collocates", "من", "--measure", "dice", "--stopwords", "builtin", "--format", "csv"],
    ["collocates", "من", "--measure", "mi3", "--min-freq", "3", "--top", "3"],
    ["collocates", "في", "--measure", "logdice", "--window", "1", "--min-freq", "1", "--top", "0"],
    ["collocates", "سوريا", "--doc", "003"],
    ["collocates", "سوريا", "--doc", "001", "--doc", "003", "--format", "jsonl"],
    ["collocates", "ICON", "-i", "--min-freq", "1", "--window", "8"],
    ["collocates", "المتحدة", "--strict-marks", "--min-freq", "1"],
    ["collocates", "سوريا", "--by-position"],
    ["collocates", "في", "--by-position", "--window", "3", "--format", "jsonl", "--top", "0"],
    ["collocates", "الأمن", "--by-position", "--left", "2", "--right", "1", "--format", "csv", "--clitics"],
    ["collocates", "xyzzyq"],
    ["dispersion", "سوريا"],
    ["dispersion", "في", "--format", "jsonl"],
    ["dispersion", "الأمن", "--clitics", "--format", "csv"],
    ["dispersion", "سوريا", "--by", "year"],
    ["dispersion", "سوريا", "--doc", "001", "--doc", "003"],
    ["dispersion", "xyzzyq"],
    ["dispersion", "المتحدة", "--format", "jsonl", "--clitics"],
    ["keywords", "--target", "003"],
    ["keywords", "--target", "003", "--negative", "--measure", "logratio", "--top", "0"],
    ["keywords", "--target", "001", "--target", "002", "--measure", "simplemaths", "--k", "10"],
    ["keywords", "--target", "002", "--measure", "pctdiff", "--min-count", "1"],
    ["keywords", "--target", "002", "--measure", "chi2", "--stopwords", "builtin", "--format", "jsonl"],
    ["keywords", "--target", "004", "--measure", "g2-2term", "--format", "csv", "--negative"],
    ["keywords", "--target", "003", "--doc", "001", "--doc", "003", "--doc", "004", "--min-count", "1"],
    ["keywords", "--by", "folder"],
    ["keywords", "--target", "00"],
]

#: The commands above whose node is no single word: the text answers either way.
PHRASES = [
    ["collocates", "مجلس الأمن", "--min-freq", "1"],
    ["collocates", "سوري[اة]", "--min-freq", "1"],
    ["dispersion", "الأمم المتحدة"],
    ["dispersion", "سوري", "--substring"],
]


#: Seed commands that find nothing (1) or refuse what they are asked (2).
NOTHING = {"xyzzyq": 1, "folder": 2, "00": 2}


@pytest.mark.parametrize("args", SEED_COMMANDS, ids=" ".join)
def test_the_seeds_from_the_layer(invoke, monkeypatch, seeds, args):
    result = same(invoke, monkeypatch, seeds, args)
    if args[-1] in NOTHING or args[1] in NOTHING:
        assert result.exit_code == NOTHING.get(args[-1], NOTHING.get(args[1]))
    else:
        assert result.exit_code == 0 and result.stdout.count("\n") > 1


@pytest.mark.parametrize("args", PHRASES, ids=" ".join)
def test_phrases_and_expressions_are_answered_from_the_text(invoke, monkeypatch, seeds, args):
    result = same(invoke, monkeypatch, seeds, args, layer=False)
    assert result.exit_code == 0 and result.stdout.count("\n") > 1


@pytest.mark.parametrize(
    "args",
    [
        ["collocates", "سوريا", "--top", "5"],
        ["collocates", "سوريا", "--by-position", "--window", "2", "--top", "5"],
        ["dispersion", "سوريا"],
        ["dispersion", "لافروف", "--all"],
        ["keywords", "--target", "003", "--top", "5"],
    ],
    ids=" ".join,
)
def test_the_screen_from_the_layer(invoke, monkeypatch, seeds, tty, args):
    """Tables and the dispersion plot (which reads the texts of the documents it draws)."""
    result = same(invoke, monkeypatch, seeds, args)
    assert result.exit_code == 0 and result.stdout.count("\n") > 3


def test_the_dispersion_picture_from_the_layer(invoke, monkeypatch, seeds, tmp_path):
    for every in ([], ["--all"]):
        indexed, plain = tmp_path / f"i{len(every)}.svg", tmp_path / f"p{len(every)}.svg"
        monkeypatch.setenv("CORPUS_CACHE_DIR", str(seeds.cache))
        with monkeypatch.context() as patched:
            patched.setattr(TEXT_PATH["dispersion"], _text_path)
            assert invoke("dispersion", "سوريا", "--svg", str(indexed), *every, *seeds.where).exit_code == 0
        assert (
            invoke(
                "dispersion", "سوريا", "--svg", str(plain), *every, *seeds.where, "--index", "off"
            ).exit_code
            == 0
        )
        assert indexed.read_bytes() == plain.read_bytes() and b"<line" in indexed.read_bytes()


def test_a_table_of_numbers_reads_no_text(invoke, monkeypatch, seeds):
    """dispersion, collocates and keywords in a pipe read no document's text from the
    index: the layer and the documents' ids and metadata are enough."""
    from corpus_cli.index.read import Index

    def never(*args, **kwargs):
        raise AssertionError("a document's text was read")

    monkeypatch.setenv("CORPUS_CACHE_DIR", str(seeds.cache))
    monkeypatch.setattr(Index, "documents", never)
    for args in (["dispersion", "في"], ["collocates", "في"], ["keywords", "--target", "003"]):
        assert invoke(*args, *seeds.where).exit_code == 0


def test_keywords_against_a_reference_corpus(invoke, monkeypatch, seeds, tmp_path):
    """The target's counts from the layer, the reference's from its text."""
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "r.txt").write_text("سوريا في الأمم المتحدة مجلس الأمن في سوريا\n" * 3, encoding="utf-8")
    for args in (
        ["--reference", str(reference)],
        ["--reference", str(reference), "--negative", "--measure", "logratio"],
    ):
        result = same(invoke, monkeypatch, seeds, ["keywords", *args, "--min-count", "1"], layer=False)
        assert result.exit_code == 0 and result.stdout.count("\n") > 3


#: Another normalization than the index's: its layer answers, keys made at this one.
OTHER_LEVELS = [
    ["collocates", "الامن", "--norm", "aggressive", "--top", "10"],
    ["collocates", "سوريا", "--keep", "alef", "--by-position", "--window", "2"],
    ["collocates", "في", "--norm", "light", "--doc", "003", "--measure", "mi"],
    ["dispersion", "الامم", "--norm", "aggressive"],
    ["dispersion", "في", "--keep", "alef", "--format", "jsonl", "--doc", "001", "--doc", "002"],
    ["keywords", "--target", "003", "--norm", "aggressive"],
    ["keywords", "--target", "001", "--keep", "alef", "--negative", "--measure", "logratio"],
]


@pytest.mark.parametrize("args", OTHER_LEVELS, ids=" ".join)
def test_other_normalizations_from_the_layer_of_the_index(invoke, monkeypatch, seeds, args):
    """The index of the same files at the default level lends its layer (no file is read)."""
    result = same(invoke, monkeypatch, seeds, args, files=False)
    assert result.exit_code == 0 and result.stdout.count("\n") > 1


SMALL_COMMANDS = [
    ["dispersion", "كتاب", "--format", "jsonl"],
    ["dispersion", "الأمم", "--format", "jsonl", "--strict-marks"],
    ["dispersion", "الامم", "--clitics", "--format", "jsonl"],
    ["dispersion", "hello", "-i", "--format", "jsonl"],
    ["dispersion", "كِتَابٌ", "--strict-marks", "--format", "jsonl"],
    ["collocates", "الأمم", "--min-freq", "1", "--window", "3"],
    ["collocates", "كتاب", "--min-freq", "1", "--by-position"],
    ["keywords", "--target", "sub/", "--min-count", "1", "--top", "0"],
]


@pytest.mark.parametrize("args", SMALL_COMMANDS, ids=" ".join)
def test_marks_tatweel_hamza_and_case_from_the_layer(invoke, monkeypatch, small_corpus, tmp_path, args):
    """Hits in vocalized words, across tatweel, on hamza variants and in Latin case:
    the same offsets (jsonl) and counts from the layer."""
    cache = tmp_path / "cache"
    _build(small_corpus, cache)
    result = same(invoke, monkeypatch, Indexed(small_corpus, cache), args)
    assert result.exit_code == 0 and result.stdout.count("\n") >= 1


@pytest.mark.parametrize("command", ["dispersion", "collocates"])
def test_a_word_inside_a_url_is_left_to_the_text(invoke, monkeypatch, tmp_path, command):
    """``-w`` sees الأمم in ``https://un.org/الأمم``, one token of the layer: the text
    answers, and both ways agree (three hits, not two)."""
    root = tmp_path / "urls"
    root.mkdir()
    (root / "a.txt").write_text("الأمم المتحدة https://un.org/الأمم اليوم\n", encoding="utf-8")
    (root / "b.txt").write_text("قالت الأمم المتحدة\n", encoding="utf-8")
    cache = tmp_path / "cache"
    _build(root, cache)
    args = [command, "الأمم", "--format", "tsv"]
    result = same(invoke, monkeypatch, Indexed(root, cache), args, layer=False)
    assert result.exit_code == 0
    if command == "dispersion":
        hits = [row.split("\t")[2] for row in result.stdout.splitlines()[1:]]
        assert hits == ["2", "1", "3"]  # a.txt, b.txt, and (all)


@pytest.mark.parametrize(
    "args",
    [
        ["dispersion", "الأمم"],
        ["collocates", "الأمم", "--min-freq", "1"],
        ["collocates", "الامم", "--by-position", "--window", "2", "--min-freq", "1"],
        ["collocates", "الأمم", "--measure", "mi", "--min-freq", "1", "--format", "jsonl"],
    ],
    ids=" ".join,
)
def test_a_word_inside_a_url_away_from_its_edges_is_a_node_of_the_layer(invoke, monkeypatch, tmp_path, args):
    """A tweet's URL runs on into its hashtags: الأمم inside ``https://t.co/Q#الامم#x#الأمم#y``
    (twice) is found by the layer too, a node at the URL (not a word), as the text takes it."""
    root = tmp_path / "tweets"
    root.mkdir()
    (root / "a.txt").write_text(
        "قال الوزير https://t.co/Ab1#الأمم#اليوم في بيان\nالأمم المتحدة\n", encoding="utf-8"
    )
    (root / "b.txt").write_text("الأمم https://t.co/Q#الامم#x#الأمم#y بيان\n", encoding="utf-8")
    cache = tmp_path / "cache"
    _build(root, cache)
    result = same(invoke, monkeypatch, Indexed(root, cache), args)  # TSV in a pipe, unless asked
    assert result.exit_code == 0
    if args[0] == "dispersion":
        hits = [row.split("\t")[2] for row in result.stdout.splitlines()[1:]]
        assert hits == ["2", "3", "5"]  # a.txt, b.txt, and (all)


# --------------------------------------------------------------------------- by position


def test_by_position_counts_each_slot_of_the_window(invoke, tmp_path):
    """L2 L1 R1 R2 by hand: a column per slot, summing to o11 (left: L2 + L1)."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("شمس قمر كتاب نهر بحر\nقمر كتاب، شمس\n", encoding="utf-8")
    (corpus / "b.txt").write_text("كتاب قمر قمر\n", encoding="utf-8")
    args = (
        "collocates",
        "كتاب",
        "--window",
        "2",
        "--min-freq",
        "1",
        "--by-position",
        "--corpus",
        str(corpus),
    )
    assert tsv(invoke(*args).stdout)[0] == [
        "rank", "collocate", "key", "o11", "left", "right", "L2", "L1", "R1", "R2",
        "e11", "f_coll", "logdice", "f_node", "n", "window",
    ]  # fmt: skip
    rows = jsonl(invoke(*args, "--format", "jsonl").stdout)
    # a: شمس قمر [كتاب] نهر بحر قمر [كتاب] ، شمس (lines and commas are no boundary)
    # b: [كتاب] قمر قمر
    assert {r["collocate"]: [r["L2"], r["L1"], r["R1"], r["R2"]] for r in rows} == {
        "قمر": [0, 2, 1, 1],
        "شمس": [1, 0, 1, 0],
        "نهر": [0, 0, 1, 0],
        "بحر": [1, 0, 0, 1],
    }
    for r in rows:
        assert r["L2"] + r["L1"] == r["left"] and r["R1"] + r["R2"] == r["right"]


def test_by_position_without_numpy_counts_from_the_text(invoke, monkeypatch, seeds):
    """Without numpy (no layer in memory) the text counts by position: the same rows."""
    args = ["collocates", "في", "--by-position", "--window", "3", "--top", "0", "--format", "jsonl"]
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(seeds.cache))
    from_layer = invoke(*args, *seeds.where)
    in_memory = invoke(*args, *seeds.where, "--index", "off")
    monkeypatch.setattr("corpus_cli.store.layer.have_numpy", lambda: False)
    from_text = invoke(*args, *seeds.where, "--index", "off")
    assert from_layer.stdout == in_memory.stdout == from_text.stdout
    assert len(jsonl(from_text.stdout)) > 20


def test_by_position_on_a_screen_shows_the_slots_o11_and_the_score(invoke, tty):
    result = invoke("collocates", "سوريا", "--by-position", "--window", "2", "--top", "3")
    header = next(line for line in result.stdout.splitlines() if "L2" in line)
    assert [
        c for c in ("rank", "collocate", "o11", "L2", "L1", "R1", "R2", "logdice") if c not in header
    ] == []
    assert "e11" not in header and "f_coll" not in header
    assert result.stdout.startswith("window 2L 2R")


def test_by_position_has_help_and_an_example(invoke):
    from corpus_cli.cli.examples import EXAMPLES

    assert "--by-position" in invoke("collocates", "--help").stdout
    assert any("--by-position" in line for _, line in EXAMPLES["collocates"])


# --------------------------------------------------------------------------- records and folders


#: Reading options of the records: the text in ``body``, the id in ``url``.
READING = ("--text-field", "body", "--id-field", "url")


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    """Records with metadata in JSONL: two sources, dates, a field some records lack."""
    root = tmp_path_factory.mktemp("records")
    news = [
        ("okaz/1", "okaz", "2015-07-21", "قال الوزير إن سوريا بحاجة إلى دعم\nوالأمم المتحدة في سوريا"),
        ("sabq/1", "sabq", "2015-07-21", "سوريا والعراق في الأخبار، قال الأمير"),
        ("okaz/2", "okaz", "2015-07-22", "قال الأمير إن الاقتصاد ينمو في سوريا والعراق"),
        ("sabq/2", "sabq", "2015-08-01", "الأمم المتحدة قالت إن سوريا في أزمة. سوريا!"),
        ("x/1", None, "2015-08-02", "خبر بلا مصدر عن سوريا في العراق"),
        ("okaz/3", "okaz", "2015-08-03", "في الرياض قال الوزير: سوريا سوريا"),
    ]
    lines = []
    for url, source, date, body in news:
        record = {"url": url, "date": date, "body": body} | ({"source": source} if source else {})
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    (root / "news.jsonl").write_text("".join(lines), encoding="utf-8")
    return _index(tmp_path_factory, root, *READING)


RECORD_COMMANDS = [
    ["collocates", "سوريا", "--min-freq", "1"],
    ["collocates", "سوريا", "--min-freq", "1", "--where", "source=okaz"],
    ["collocates", "في", "--min-freq", "1", "--by-position", "--where", "date=2015-07-21"],
    ["collocates", "سوريا", "--min-freq", "1", "--where", "nosuchfield=x"],
    ["dispersion", "سوريا"],
    ["dispersion", "سوريا", "--by", "source"],
    ["dispersion", "سوريا", "--by", "month", "--format", "jsonl"],
    ["dispersion", "سوريا", "--where", "source=sabq"],
    ["dispersion", "سوريا", "--by", "nosuchfield"],
    ["keywords", "--by", "source", "--min-count", "1"],
    ["keywords", "--by", "source", "--min-count", "1", "--measure", "logratio"],
    ["keywords", "--target", "okaz/", "--min-count", "1"],
    ["keywords", "--target", "okaz/1", "--min-count", "1", "--where", "source=okaz"],
    ["keywords", "--by", "date", "--min-count", "1", "--negative", "--top", "2"],
]


@pytest.mark.parametrize("args", RECORD_COMMANDS, ids=" ".join)
def test_records_with_metadata_from_the_layer(invoke, monkeypatch, records, args):
    result = same(invoke, monkeypatch, records, args)
    assert result.stdout.count("\n") > 1 or "no document has the field" in result.stderr


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    """Two newspapers as folders of dated articles, as saudinewsnet is."""
    root = tmp_path_factory.mktemp("papers")
    texts = {
        "okaz/2015-07-21_1": "قال الوزير إن الأمير قال",
        "okaz/2015-08-21_2": "الوزير في الرياض. قال: الأمير",
        "sabq/2015-07-21_1": "قال الأمير في جدة",
        "sabq/2016-01-02_2": "وقال الأمير قال الوزير",
        "sabq/2016-01-03_3": "الأمير الأمير في الرياض",
    }
    for name, text in texts.items():
        (root / f"{name}.txt").parent.mkdir(exist_ok=True)
        (root / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    return _index(tmp_path_factory, root)


PAPER_COMMANDS = [
    ["collocates", "الأمير", "--min-freq", "1", "--doc", "sabq/"],
    ["dispersion", "قال", "--by", "folder"],
    ["dispersion", "الأمير", "--by", "year", "--doc", "sabq"],
    ["keywords", "--target", "sabq/", "--min-count", "1"],
    ["keywords", "--by", "folder", "--min-count", "1", "--top", "3"],
    ["keywords", "--by", "month", "--min-count", "1"],
]


@pytest.mark.parametrize("args", PAPER_COMMANDS, ids=" ".join)
def test_folders_of_papers_from_the_layer(invoke, monkeypatch, papers, args):
    result = same(invoke, monkeypatch, papers, args)
    assert result.exit_code == 0 and result.stdout.count("\n") > 1


# --------------------------------------------------------------------------- real corpora


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    """24 documents of every corpus in /tmp/corpora (spread over its folders), one folder each."""
    names = sorted(p.name for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else []
    if not names:
        pytest.skip("/tmp/corpora is not here (../shared/corpora/unpack.sh /tmp/corpora)")
    root = tmp_path_factory.mktemp("corpora")
    for name in names:
        files = sorted(f for f in (CORPORA / name).rglob("*.txt") if "_about" not in f.parts)
        for file in files[:: max(1, len(files) // 24)][:24]:
            target = root / name / file.relative_to(CORPORA / name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
    return _index(tmp_path_factory, root)


CORPUS_COMMANDS = [
    ["collocates", "في"],
    ["collocates", "الله", "--window", "3", "--measure", "mi", "--min-freq", "1", "--top", "30"],
    ["collocates", "من", "--left", "1", "--right", "2", "--measure", "g2", "--top", "0"],
    ["collocates", "قال", "--clitics", "--measure", "t", "--format", "jsonl"],
    ["collocates", "الله", "--doc", "tanzil_quran_simple/", "--by-position", "--top", "10"],
    ["collocates", "على", "--stopwords", "builtin", "--measure", "z", "--top", "15"],
    ["dispersion", "في"],
    ["dispersion", "الله", "--by", "folder"],
    ["dispersion", "قال", "--clitics", "--format", "jsonl"],
    ["keywords", "--target", "saudinewsnet/"],
    ["keywords", "--target", "hadith_darimi/", "--negative", "--measure", "logratio", "--top", "30"],
    ["keywords", "--by", "folder", "--min-count", "3", "--top", "5"],
    ["keywords", "--target", "arsarcasm_v2/", "--measure", "simplemaths", "--k", "100", "--format", "csv"],
]


@pytest.mark.parametrize("args", CORPUS_COMMANDS, ids=" ".join)
def test_every_corpus_from_the_layer(invoke, monkeypatch, corpora, args):
    """News, the Quran in both scripts, hadith, classical and Al Jazeera text with
    diacritics, dialect tweets: the same answers from the layer as from the text."""
    result = same(invoke, monkeypatch, corpora, args)
    assert result.exit_code == 0 and result.stdout.count("\n") > 3


# --------------------------------------------------------------------------- no index


def same_in_memory(invoke: Invoke, monkeypatch: pytest.MonkeyPatch, corpus: Indexed, args: list[str]):
    """``args`` with ``--index off`` from a layer built in memory (the text path failing,
    as if the corpus were past ``LAYER_IN_MEMORY_FROM``) and from the text (a small
    corpus): the same stdout, stderr and exit code.  The in-memory result."""
    off = [*args, *corpus.where, "--index", "off"]
    built = []
    from corpus_cli.store.layer import build_layer

    def counted_build(*a: object, **k: object):
        built.append(1)
        return build_layer(*a, **k)

    with monkeypatch.context() as patched:
        patched.setattr("corpus_cli.cli.documents.LAYER_IN_MEMORY_FROM", 0)
        patched.setattr(TEXT_PATH[args[0]], _text_path)
        patched.setattr("corpus_cli.store.layer.build_layer", counted_build)
        in_memory = invoke(*off)
    assert built, "no layer was built"
    plain = invoke(*off)
    assert (in_memory.exit_code, in_memory.stdout, in_memory.stderr) == (
        plain.exit_code,
        plain.stdout,
        plain.stderr,
    )
    return in_memory


@pytest.mark.parametrize("args", [a for a in SEED_COMMANDS if a[0] == "collocates"], ids=" ".join)
def test_collocates_without_an_index_from_a_layer_in_memory(invoke, monkeypatch, seeds, args):
    result = same_in_memory(invoke, monkeypatch, seeds, args)
    assert result.exit_code == NOTHING.get(args[1], 0)


@pytest.mark.parametrize("args", [a for a in CORPUS_COMMANDS if a[0] == "collocates"], ids=" ".join)
def test_collocates_of_every_corpus_without_an_index_from_a_layer_in_memory(
    invoke, monkeypatch, corpora, args
):
    result = same_in_memory(invoke, monkeypatch, corpora, args)
    assert result.exit_code == 0 and result.stdout.count("\n") > 3


def test_small_corpora_and_phrases_without_an_index_are_read_from_the_text(invoke, monkeypatch, seeds):
    """Below ``LAYER_IN_MEMORY_FROM`` characters, or for a phrase, no layer is built."""
    monkeypatch.setattr("corpus_cli.store.layer.build_layer", _text_path)
    assert invoke("collocates", "سوريا", *seeds.where, "--index", "off").exit_code == 0
    monkeypatch.setattr("corpus_cli.cli.documents.LAYER_IN_MEMORY_FROM", 0)
    assert (
        invoke("collocates", "مجلس الأمن", "--min-freq", "1", *seeds.where, "--index", "off").exit_code == 0
    )
    for args in (["dispersion", "سوريا"], ["keywords", "--target", "003"]):
        assert invoke(*args, *seeds.where, "--index", "off").exit_code == 0


# --------------------------------------------------------------------------- progress


class FakeProgress:
    """Stands for Rich's ``Progress``: records what a bar would have shown."""

    made: ClassVar[list[FakeProgress]] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.events: list[tuple[object, ...]] = []
        FakeProgress.made.append(self)

    def add_task(self, label: str, total: object = None, completed: int = 0) -> int:
        self.events.append(("task", label, total))
        return 1

    def start(self) -> None:
        self.events.append(("start",))

    def update(self, task: int, completed: int, total: int) -> None:
        self.events.append(("update", completed, total))

    def stop(self) -> None:
        self.events.append(("stop",))


@pytest.fixture
def fake_progress(monkeypatch: pytest.MonkeyPatch) -> list[FakeProgress]:
    import rich.progress

    FakeProgress.made = []
    monkeypatch.setattr(rich.progress, "Progress", FakeProgress)
    return FakeProgress.made


def test_a_long_computation_shows_a_bar_on_a_terminal(invoke, monkeypatch, tty, fake_progress):
    """Past PROGRESS_AFTER seconds (here at once) a bar on stderr follows the documents
    of the text path, and is gone at the end."""
    from corpus_cli.cli.commands import analysis

    monkeypatch.setattr(analysis, "PROGRESS_AFTER", 0.0)
    import time

    real = analysis.LateBar.__init__

    def started(self, *args, **kwargs):  # let the timer thread start the bar first
        real(self, *args, **kwargs)
        time.sleep(0.2)

    monkeypatch.setattr(analysis.LateBar, "__init__", started)
    assert invoke("collocates", "في", "--index", "off").exit_code == 0
    (bar,) = fake_progress
    assert bar.events[:2] == [("task", "collocates", None), ("start",)]
    updates = [e for e in bar.events if e[0] == "update"]
    assert updates and updates[-1][1] == updates[-1][2] == 2 * len(list(SEEDS.glob("*.txt")))
    assert bar.events[-1] == ("stop",)


def test_no_bar_in_a_pipe_or_for_a_quick_computation(invoke, monkeypatch, fake_progress, tty):
    from corpus_cli.cli.commands import analysis

    monkeypatch.setattr(analysis, "PROGRESS_AFTER", 60.0)
    assert invoke("collocates", "في").exit_code == 0  # over before the bar is due
    monkeypatch.setattr(analysis, "PROGRESS_AFTER", 0.0)
    monkeypatch.setattr(analysis, "LateBar", None)  # a pipe never makes one
    monkeypatch.setattr("corpus_cli.output.environment.current", _piped)
    assert invoke("dispersion", "في").exit_code == 0
    assert fake_progress == []


def _piped():
    import os
    import sys

    from corpus_cli.output import environment

    return environment.Environment(
        stdout=sys.stdout,
        stderr=sys.stderr,
        stdin=None,
        stdout_isatty=False,
        stderr_isatty=False,
        stdin_isatty=False,
        environ=os.environ,
    )


def test_the_rows_of_dispersion_are_written_as_row_writer_writes_them() -> None:
    """The documents' rows in TSV, a block at a time: what ``RowWriter`` writes of the
    same records, for ids with a tab, a backslash, a line end and a byte that is not
    UTF-8 in their names."""
    import io

    from corpus_cli.output.analysis import _dispersion_tsv
    from corpus_cli.output.records import RowWriter
    from corpus_cli.query.analysis import DocHits, HitDispersion, rate
    from corpus_cli.query.stats import dispersion
    from corpus_cli.store.corpus import Document

    ids = ["a", "b\tc", "d\\e", "f\ng", "h\udcffi", "سوريا/2015-07-21_1"] * 1500
    per_doc = [
        DocHits(Document(name, name, ""), tokens, tuple(range(hits)), tuple(range(hits)))
        for n, name in enumerate(ids)
        for tokens, hits in [(n % 7 * 13, n % 3)]
    ]
    result = HitDispersion(per_doc, 0, dispersion([1], [1], [0], 1))

    class Out:
        stdout = io.StringIO()

    _dispersion_tsv(Out, result)  # type: ignore[arg-type]
    expected = io.StringIO()
    writer = RowWriter(
        expected,
        "tsv",
        ["doc", "tokens", "hits", "per_million", "range", "juilland_d", "dp", "dp_norm", "arf"],
    )
    for d in per_doc:
        rates = round(rate(len(d.offsets), d.tokens), 2)
        writer.write({"doc": d.doc.id, "tokens": d.tokens, "hits": len(d.offsets), "per_million": rates})
    assert Out.stdout.getvalue() == expected.getvalue().split("\n", 1)[1]
    assert "\\xff" in Out.stdout.getvalue() and "b\\tc" in Out.stdout.getvalue()
