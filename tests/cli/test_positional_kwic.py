"""kwic and grep -w answered from the token layer of the index: byte for byte the output
of the text (``--index off``), and the layer really answers (the text search refuses
to run while it does).

Corpora: the seeds, a corpus made for the corner cases (vocalized and typed marks,
tatweel, Latin case, CRLF, clitics, several hits on a line, long lines, URLs, emoji, an
empty document, JSONL records with metadata for ``--where``), and a sample of every
corpus of ../shared/corpora (skipped when it is absent).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_cli.cli import app
from corpus_cli.index.read import Index
from corpus_cli.output import grep as output_grep
from corpus_cli.query import search
from tests.conftest import CLITIC_TEXT, DOC_A, DOC_B, DOC_C, PINNED_ENV, SEEDS, read_xlsx

LONG = " ".join(["قالت الأمم المتحدة، في بيان. ثم قال الوزير: الأمم!"] * 400) + "\n"
TEXTS = {
    "a.txt": DOC_A,
    "b.txt": DOC_B,
    "sub/c.txt": DOC_C,
    "clitics.txt": CLITIC_TEXT,
    "long.txt": "سطر أول\n" + LONG + "الأمم في آخر سطر",
    "web.txt": "زوروا https://un.org/news والأمم 😀 الأمم؟ «الأمم» 2015 الأمم-المتحدة الأمم\n\n\nالأمم",
    "empty.txt": "",
}
RECORDS = [
    {"text": "قال الوزير إن سوريا بحاجة\nوالأمم المتحدة", "source": "okaz", "date": "2015-07-21"},
    {"text": "سوريا والعراق. الأمم المتحدة", "source": "sabq", "date": "2015-07-21"},
    {"text": "قال الأمير إن الأمم المتحدة ستجتمع\nفي سوريا", "source": "okaz", "date": "2015-07-22"},
    {"text": "خبر بلا مصدر عن سوريا والأمم", "date": "2015-07-23"},
]


def _build(corpus: Path, cache: Path) -> None:
    """``corpus index build`` into ``cache``, with its token layer (numpy builds it)."""
    pytest.importorskip("numpy")
    result = CliRunner().invoke(
        app,
        ["index", "build", "--corpus", str(corpus)],
        env={**PINNED_ENV, "CORPUS_CACHE_DIR": str(cache)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    (path,) = cache.glob("*.corpus-index")
    assert Index(path).layer() is not None


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The corner-case corpus and the cache that holds its index."""
    root = tmp_path_factory.mktemp("mixed")
    for name, text in TEXTS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode("utf-8"))
    (root / "news.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8"
    )
    cache = tmp_path_factory.mktemp("mixed-cache")
    _build(root, cache)
    return root, cache


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    cache = tmp_path_factory.mktemp("seeds-cache")
    _build(SEEDS, cache)
    return SEEDS, cache


@pytest.fixture(scope="module")
def every(every_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    cache = tmp_path_factory.mktemp("every-cache")
    _build(every_corpus, cache)
    return every_corpus, cache


def _refuse(*args: object, **kwargs: object) -> Iterator[object]:
    raise AssertionError("the text was searched although the token layer answers")


def same_output(
    invoke, monkeypatch, where: tuple[Path, Path], *args: str, layer: bool = True, report: bool = True
):
    """Run ``args`` with the index and with ``--index off``: the same exit code, stdout
    and stderr.  With the index, ``layer``: the text search refuses to run (when the
    files' answer has a hit; without one, the no-silent-zero report searches the text);
    else the text must be searched.  ``report``: compare stderr when there is no hit too
    (not on 256 documents or more: there an index leaves ``--norm aggressive`` untried
    in the report, as it always did)."""
    corpus, cache = where
    env = {"CORPUS_CACHE_DIR": str(cache)}
    without = invoke(*args, "--corpus", str(corpus), "--index", "off", env=env)
    searched: list[object] = []
    real = search.search_lines

    def spy(*a: object, **k: object) -> Iterator[object]:
        searched.append(a)
        return real(*a, **k)

    with monkeypatch.context() as patched:
        if not layer or without.exit_code == 0:
            text_search = spy if not layer else _refuse
            patched.setattr(search, "search_lines", text_search)
            patched.setattr(output_grep, "search_lines", text_search)
        with_index = invoke(*args, "--corpus", str(corpus), env=env)
    compared = report or without.exit_code == 0
    assert (with_index.exit_code, with_index.stdout, compared and with_index.stderr) == (
        without.exit_code,
        without.stdout,
        compared and without.stderr,
    )
    assert layer or searched, "the text was not searched"
    return with_index


# --------------------------------------------------------------------------- kwic

KWIC = [
    ["الأمم"],
    ["الامم", "--format", "jsonl"],
    ["الامم", "--format", "csv"],
    ["الامم", "--format", "tsv", "--no-header"],
    ["الامم", "--width", "5"],
    ["الامم", "--width", "0"],
    ["الامم", "--words", "2"],
    ["الامم", "--words", "0"],
    ["الامم", "--limit", "3"],
    ["الامم", "--limit", "0"],
    ["الامم", "--sort", "A1"],
    ["الامم", "--sort", "B2,match,doc"],
    ["الامم", "--sort", "doc,A3", "--limit", "5"],
    ["الامم", "--per-doc", "1"],
    ["الامم", "--per-doc", "0"],
    ["الامم", "--per-doc", "2", "--sample", "4", "--seed", "7"],
    ["الامم", "--sample", "5", "--seed", "1", "--sort", "A1"],
    ["الامم", "--sample", "1000"],
    ["الامم", "-m", "1"],
    ["الامم", "-m", "0"],
    ["الامم", "-m", "2", "--per-doc", "3", "--limit", "4"],
    ["الأُمَمُ"],  # typed marks: only the vocalized hit
    ["الأمم", "--strict-marks"],
    ["كتاب"],  # tatweel and vocalization in the hits
    ["hello", "-i"],
    ["WORLD"],
    ["world", "-i", "--format", "jsonl"],
    ["الأمن", "--clitics"],
    ["الامن", "--clitics", "pro", "--format", "jsonl"],
    ["مدرسة", "--clitics", "enc"],
    ["مصر", "--clitics", "--sort", "A1"],
    ["الأمم", "--norm", "light"],
    ["الامم", "--norm", "aggressive"],
    ["الأمم", "--keep", "alef"],
    ["2015"],
    ["سوريا", "--where", "source=okaz"],
    ["سوريا", "--where", "source=okaz", "--where", "date=2015-07-22"],
    ["الأمم", "--doc", "long", "--limit", "2"],
    ["الأمم", "--doc", "sub/", "--doc", "web"],
    ["الامم", "--color", "always"],
]


@pytest.mark.parametrize("args", KWIC, ids=" ".join)
def test_kwic_from_positions(invoke, monkeypatch, mixed, args):
    same_output(invoke, monkeypatch, mixed, "kwic", *args)


@pytest.mark.parametrize(
    "args", [["الامم"], ["الأمن", "--clitics", "--width", "12"], ["كتاب", "--limit", "1"]]
)
def test_kwic_on_a_screen_from_positions(invoke, monkeypatch, mixed, tty, args):
    result = same_output(invoke, monkeypatch, mixed, "kwic", *args)
    assert "lines · normalization" in result.stdout


#: Queries the layer leaves to the text (phrases, regular expressions, substrings,
#: typed marks with clitics): the same answers with the index, from the text.
TEXT_ANSWERS = [
    ["kwic", "الأمم المتحدة"],
    ["kwic", "الأ.م"],
    ["kwic", "الامم", "--substring"],
    ["kwic", "الأُمَمُ", "--clitics"],
    ["kwic", "الأمم المتحدة", "--clusters", "3"],
    ["kwic", "الامم", "--substring", "--clusters", "2", "--format", "jsonl"],
    ["grep", "-w", "الأمم المتحدة"],
    ["grep", "-w", "-v", "-c", "الامم"],
    ["grep", "-w", "-e", "الامم", "-e", "سوريا"],
    ["grep", "الامم"],
    ["grep", "-c", "--norm", "light", "الأمم"],
    ["grep", "-c", "الأُمَم"],
    ["grep", "--count-matches", "الامم"],
    ["grep", "-c", "الأمم المتحدة"],
    ["grep", "-l", "ال.م"],
    ["grep", "-v", "-c", "الامم"],
]

#: Substrings counted or listed (grep -c, -l, -q without -w): the lines of the tokens
#: whose key holds the substring, from the layer.
SUBSTRING_COUNTS = [
    ["grep", "-c", "الامم"],
    ["grep", "-l", "الأمم"],
    ["grep", "-q", "مم"],
    ["grep", "-c", "20"],
    ["grep", "-c", "-i", "HTTPS"],
    ["grep", "-c", "un"],
    ["grep", "-c", "-m", "1", "الأمم"],
    ["grep", "-c", "الأمم", "--where", "source=okaz"],
    ["grep", "-l", "سوريا", "--doc", "news"],
    ["grep", "-c", "--norm", "aggressive", "الامم"],
    ["grep", "-c", "--keep", "alef", "الأمم"],
    ["grep", "-c", "--norm", "none", "الأمم"],
    ["grep", "-c", "--format", "jsonl", "ال"],
    ["grep", "-l", "--format", "csv", "م"],
    ["grep", "-c", "-F", "وزير"],
    ["grep", "-c", "اليونسكو"],
]


@pytest.mark.parametrize("args", SUBSTRING_COUNTS, ids=" ".join)
def test_substrings_counted_from_positions(invoke, monkeypatch, mixed, args):
    same_output(invoke, monkeypatch, mixed, *args)


def test_a_substring_across_two_keys_is_no_match(invoke, monkeypatch, tmp_path):
    """The keys lie end to end in the layer's lexicon: a literal found across two of them
    (1120 then 15: "2015") is in neither, and no line is counted for it."""
    corpus = tmp_path / "numbers"
    corpus.mkdir()
    (corpus / "a.txt").write_text("عام 1120 ثم 15 فقط\n", encoding="utf-8")
    (corpus / "b.txt").write_text("عام 2015 وعام 15\n", encoding="utf-8")
    cache = tmp_path / "cache"
    _build(corpus, cache)
    result = same_output(invoke, monkeypatch, (corpus, cache), "grep", "-c", "2015")
    assert result.stdout == "b:1\n"


@pytest.mark.parametrize("args", TEXT_ANSWERS, ids=" ".join)
def test_what_the_layer_cannot_answer_comes_from_the_text(invoke, monkeypatch, mixed, args):
    assert same_output(invoke, monkeypatch, mixed, *args, layer=False).exit_code == 0


def test_a_word_inside_a_url_is_left_to_the_text(invoke, monkeypatch, tmp_path):
    """The matcher finds whole words inside a URL (``-w`` sees ``/`` as a boundary) where
    the layer holds one token: such a query is answered from the text, the same."""
    corpus = tmp_path / "web"
    corpus.mkdir()
    (corpus / "a.txt").write_text("زوروا https://un.org/الأمم اليوم\nالأمم المتحدة\n", encoding="utf-8")
    cache = tmp_path / "cache"
    _build(corpus, cache)
    for args in (["kwic", "الأمم"], ["grep", "-w", "-o", "الأمم"], ["grep", "-w", "-c", "الامم", "-i"]):
        assert same_output(invoke, monkeypatch, (corpus, cache), *args, layer=False).exit_code == 0
    assert same_output(invoke, monkeypatch, (corpus, cache), "kwic", "اليوم").exit_code == 0  # not in it
    assert (
        "a:1:الأمم\na:2:الأمم\n"
        == invoke(
            "grep", "-w", "-o", "الأمم", "--corpus", str(corpus), env={"CORPUS_CACHE_DIR": str(cache)}
        ).stdout
    )


def test_a_word_inside_a_url_away_from_its_edges_is_answered_by_the_layer(invoke, monkeypatch, tmp_path):
    """A tweet's URL runs on into its hashtags (``https://t.co/Ab1#الأمم#اليوم``): the
    matcher finds الأمم there as a word, and so does the layer, by the matcher run on
    that spelling alone (its boundaries are the URL's own characters), at the URL's
    position; the rest from positions.  Clusters count the tokens around a hit: those
    still come from the text."""
    corpus = tmp_path / "tweets"
    corpus.mkdir()
    text = "زوروا https://t.co/Ab1#الأمم#اليوم والأمم الأمم\nالأمم المتحدة https://t.co/x#الامم#الامم#y\n"
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    (corpus / "b.txt").write_text("الأمم\n", encoding="utf-8")
    cache = tmp_path / "cache"
    _build(corpus, cache)
    where = (corpus, cache)
    for args in (
        ["kwic", "الأمم"],
        ["kwic", "الامم", "--limit", "3", "--format", "jsonl"],
        ["grep", "-w", "-o", "الأمم"],
        ["grep", "-w", "-c", "الامم"],
        ["grep", "-w", "-n", "--color", "always", "الامم"],
    ):
        assert same_output(invoke, monkeypatch, where, *args).exit_code == 0
    found = invoke("grep", "-w", "-o", "الامم", "--corpus", str(corpus), env={"CORPUS_CACHE_DIR": str(cache)})
    assert found.stdout.count("\n") == 6  # 3 in the URLs' hashtags, 3 elsewhere (not والأمم)
    assert (
        same_output(invoke, monkeypatch, where, "kwic", "الأمم", "--clusters", "2", layer=False).exit_code
        == 0
    )


def test_a_word_inside_a_ligature_or_a_joined_vocative_is_left_to_the_text(invoke, monkeypatch, tmp_path):
    """ﷺ normalizes to four words and, under ``--fold uthmani``, يَـٰٓأَيُّهَا to two: one
    token of the layer each, where the matcher sees whole words.  A query that may hit
    inside such a key is answered from the text, the same; one that cannot, from the layer."""
    corpus = tmp_path / "ligatures"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "قال النبي ﷺ إن الله غفور\nيَـٰٓأَيُّهَا ٱلنَّاسُ ٱتَّقُوا۟ رَبَّكُمُ\nيا قوم\n", encoding="utf-8"
    )
    cache = tmp_path / "cache"
    _build(corpus, cache)
    where = (corpus, cache)
    for args in (["kwic", "الله"], ["grep", "-w", "-c", "وسلم"], ["kwic", "يا", "--fold", "uthmani"]):
        assert same_output(invoke, monkeypatch, where, *args, layer=False).exit_code == 0
    assert invoke("kwic", "يا", "--fold", "uthmani", "--corpus", str(corpus)).stdout.count("\n") == 3
    assert same_output(invoke, monkeypatch, where, "kwic", "غفور").exit_code == 0  # in no such key


# --------------------------------------------------------------------------- grep -w

GREP = [
    [],
    ["-n"],
    ["-N"],
    ["-c"],
    ["--count-matches"],
    ["-c", "--count-matches"],
    ["-l"],
    ["-o"],
    ["-o", "-N"],
    ["-q"],
    ["-m", "1"],
    ["-m", "2", "-c"],
    ["-m", "1", "--count-matches"],
    ["-m", "0"],
    ["-C", "1"],
    ["-A", "2"],
    ["-B", "1", "-m", "1"],
    ["-C", "0"],
    ["--format", "jsonl"],
    ["--format", "tsv"],
    ["--format", "csv", "-C", "1"],
    ["--format", "tsv", "-o"],
    ["--format", "jsonl", "-c"],
    ["--format", "csv", "-l"],
    ["--color", "always"],
    ["--color", "always", "-o"],
    ["--color", "always", "-C", "1"],
]


@pytest.mark.parametrize("options", GREP, ids=" ".join)
@pytest.mark.parametrize("word", ["الامم", "الأُمَمُ"])
def test_grep_w_from_positions(invoke, monkeypatch, mixed, options, word):
    same_output(invoke, monkeypatch, mixed, "grep", "-w", word, *options)


GREP_MATCHING = [
    ["-w", "-i", "hello"],
    ["-w", "-i", "hello", "--format", "jsonl"],
    ["-w", "--clitics", "الأمن"],
    ["-w", "--clitics", "الأمن", "--format", "jsonl"],
    ["-w", "--clitics", "الأمن", "--format", "tsv"],
    ["-w", "--clitics", "الأمن", "-o", "--format", "csv"],
    ["-w", "--clitics", "both", "مدرسة", "-c"],
    ["-w", "--strict-marks", "الأمم"],
    ["-w", "كتاب", "-o"],
    ["-w", "2015", "-c"],
    ["-w", "سوريا", "--where", "source=okaz"],
    ["-w", "سوريا", "--where", "source=okaz", "-c", "--doc", "news"],
    ["-w", "الأمم", "--doc", "long", "-o", "-m", "3"],
    ["-w", "الامم", "--norm", "aggressive", "-l"],
    ["-w", "الأمم", "--keep", "alef", "-n"],
]


@pytest.mark.parametrize("args", GREP_MATCHING, ids=" ".join)
def test_grep_w_matching_options_from_positions(invoke, monkeypatch, mixed, args):
    same_output(invoke, monkeypatch, mixed, "grep", *args)


@pytest.mark.parametrize("command", [["grep", "-w", "الامم", "-n"], ["kwic", "الأمن", "--clitics"]])
def test_a_workbook_from_positions(invoke, monkeypatch, mixed, command):
    """xlsx: the same cells (a workbook's bytes carry the time it was made)."""
    corpus, cache = mixed
    env = {"CORPUS_CACHE_DIR": str(cache)}
    without = invoke(*command, "--format", "xlsx", "--corpus", str(corpus), "--index", "off", env=env)
    with monkeypatch.context() as patched:
        patched.setattr(search, "search_lines", _refuse)
        patched.setattr(output_grep, "search_lines", _refuse)
        with_index = invoke(*command, "--format", "xlsx", "--corpus", str(corpus), env=env)
    assert with_index.exit_code == without.exit_code == 0
    rows = read_xlsx(with_index.stdout_bytes)
    assert len(rows) > 3 and rows == read_xlsx(without.stdout_bytes)


@pytest.mark.parametrize("args", [["الامم"], ["الامم", "-C", "1"], ["الامم", "-o"], ["الأمن", "--clitics"]])
def test_grep_w_on_a_screen_from_positions(invoke, monkeypatch, mixed, tty, args):
    same_output(invoke, monkeypatch, mixed, "grep", "-w", *args)


def test_zero_hits_from_positions_report_as_the_text_does(invoke, monkeypatch, mixed):
    """No hit: the same exit code and the same no-silent-zero report."""
    for args in (
        ["kwic", "اليونسكو"],
        ["grep", "-w", "اليونسكو"],
        ["grep", "-w", "-c", "الأمم", "--doc", "empty"],
    ):
        result = same_output(invoke, monkeypatch, mixed, *args)
        assert result.exit_code == 1


# --------------------------------------------------------------------------- the documents read


def test_only_the_documents_of_the_lines_shown_are_read(invoke, monkeypatch, mixed):
    """kwic --limit 1 reads one document; grep -w -c reads those with a hit, never the
    whole corpus."""
    corpus, cache = mixed
    read: list[int] = []
    real = Index.documents

    def spy(self: Index, numbers: object = None, **options: object) -> Iterator[object]:
        assert numbers is not None, "the whole corpus was read"

        def noted() -> Iterator[int]:
            for n in numbers:  # type: ignore[attr-defined]
                read.append(n)
                yield n

        return real(self, noted(), **options)  # type: ignore[arg-type]

    monkeypatch.setattr(Index, "documents", spy)
    env = {"CORPUS_CACHE_DIR": str(cache)}
    assert invoke("kwic", "الامم", "--limit", "1", "--corpus", str(corpus), env=env).exit_code == 0
    assert len(read) == 1
    read.clear()
    result = invoke("grep", "-w", "-c", "الامم", "--corpus", str(corpus), env=env)
    assert len(read) == len(result.stdout.splitlines()) < len(TEXTS) + len(RECORDS)


def test_counts_from_positions_unpack_no_text(invoke, monkeypatch, mixed):
    """grep -c and -l from the layer read the ids of the documents with a hit, not their
    texts."""
    corpus, cache = mixed

    def no_text(self: Index, stored: object) -> str:
        raise AssertionError("a text was unpacked for a count")

    monkeypatch.setattr(Index, "_text", no_text)
    env = {"CORPUS_CACHE_DIR": str(cache)}
    for args in (["-w", "-c", "الامم"], ["-c", "الامم"], ["-l", "سوريا"]):
        result = invoke("grep", *args, "--corpus", str(corpus), env=env)
        assert result.exit_code == 0 and result.stdout, args


# --------------------------------------------------------------------------- clusters

CLUSTERS = [
    ["الأمم", "--clusters", "2"],
    ["الامم", "--clusters", "3", "--format", "jsonl"],
    ["الامم", "--clusters", "4", "--format", "csv", "--limit", "3"],
    ["الامم", "--clusters", "5"],
    ["الأمن", "--clusters", "2", "--clitics"],
    ["الامم", "--clusters", "2", "--per-doc", "1"],
    ["الامم", "--clusters", "2", "--sample", "6", "--seed", "2"],
    ["الامم", "--clusters", "3", "-m", "1"],
    ["سوريا", "--clusters", "2", "--where", "source=okaz"],
    ["الامم", "--clusters", "2", "--limit", "0"],
    ["الأُمَمُ", "--clusters", "2"],
]


@pytest.mark.parametrize("args", CLUSTERS, ids=" ".join)
def test_clusters_from_positions_and_from_the_text(invoke, monkeypatch, mixed, args):
    same_output(invoke, monkeypatch, mixed, "kwic", *args)


def test_clusters_on_a_screen(invoke, monkeypatch, mixed, tty):
    result = same_output(invoke, monkeypatch, mixed, "kwic", "الامم", "--clusters", "3")
    assert "clusters of 3 words around" in result.stdout


# --------------------------------------------------------------------------- seeds and every corpus

SEED_ARGS = [
    ["kwic", "سوريا"],
    ["kwic", "في", "--words", "3", "--sort", "A1,B1"],
    ["kwic", "سوريا", "--clitics", "--format", "jsonl"],
    ["kwic", "الخارجية", "--sample", "5", "--seed", "9", "--per-doc", "3"],
    ["kwic", "في", "--clusters", "3"],
    ["kwic", "سوريا", "--clusters", "2", "--clitics", "--format", "jsonl"],
    ["grep", "-w", "في", "-c"],
    ["grep", "-w", "أستانة", "-C", "2", "--format", "tsv"],
    ["grep", "-w", "2254", "-o"],
    ["grep", "-w", "الأزمة", "--format", "jsonl", "--clitics"],
]


@pytest.mark.parametrize("args", SEED_ARGS, ids=" ".join)
def test_parity_on_the_seeds(invoke, monkeypatch, seeds, args):
    assert same_output(invoke, monkeypatch, seeds, *args).exit_code == 0


EVERY_ARGS = [
    ["kwic", "{w}"],
    ["kwic", "{w}", "--clitics", "--format", "jsonl"],
    ["kwic", "{w}", "--words", "3", "--sort", "A1,B2", "--limit", "20"],
    ["kwic", "{w}", "--sample", "7", "--seed", "3", "--per-doc", "2"],
    ["kwic", "{w}", "--clusters", "3"],
    ["grep", "-w", "-c", "{w}"],
    ["grep", "-w", "-n", "-C", "1", "{w}"],
    ["grep", "-w", "-o", "{w}", "--format", "tsv"],
    ["grep", "-w", "-i", "{w}", "--format", "jsonl", "-m", "2"],
    ["grep", "-c", "{w}"],
    ["grep", "-l", "{w}", "-m", "1"],
]
#: Words of every kind of text there: the Quran, hadith, poetry, news, tweets.
WORDS = ["الله", "في", "من", "قال"]


@pytest.mark.parametrize("args", EVERY_ARGS, ids=" ".join)
def test_parity_on_every_corpus(invoke, monkeypatch, every, args):
    corpus, _ = every
    answered = 0
    for folder in sorted(p.name for p in corpus.iterdir() if p.is_dir()):
        for word in WORDS:
            asked = [a.format(w=word) for a in args]
            result = same_output(invoke, monkeypatch, every, *asked, "--doc", f"{folder}/", report=False)
            answered += result.exit_code == 0
    assert answered >= len(WORDS) * 4  # most corpora hold most of the words
    for word in WORDS:
        same_output(invoke, monkeypatch, every, *[a.format(w=word) for a in args], report=False)


# --------------------------------------------------------------------------- the context cut


def test_context_cuts_take_the_quick_way_only_where_every_character_is_visible():
    """``before_chars``/``after_chars`` find a run of visible characters in C; the same
    cuts as counting one character at a time (marks, tatweel and invisibles included)."""
    import random

    from corpus_cli.text import visible

    def before(text: str, pos: int, width: int) -> int:
        count, i = 0, pos
        while i > 0 and count < width:
            i -= 1
            count += visible._visible(text[i])
        while i < pos and not visible._visible(text[i]):
            i += 1
        return i

    def after(text: str, pos: int, width: int) -> int:
        count, i = 0, pos
        while i < len(text):
            if visible._visible(text[i]):
                if count == width:
                    break
                count += 1
            i += 1
        return i

    rng = random.Random(3)
    for _ in range(20_000):
        text = "".join(rng.choice("اب \u064e\u0651\u200f\u0640x\n") for _ in range(rng.randint(0, 14)))
        pos, width = rng.randint(0, len(text)), rng.randint(0, 9)
        assert visible.before_chars(text, pos, width) == before(text, pos, width), (text, pos, width)
        assert visible.after_chars(text, pos, width) == after(text, pos, width), (text, pos, width)


def test_a_word_of_letters_and_digits_is_one_token_without_the_tokenizer():
    """``positions.single_token``'s quick answer for letters and digits is the tokenizer's."""
    import random

    from corpus_cli.query.pattern import MatchOptions, compile_query
    from corpus_cli.query.positions import single_token
    from corpus_cli.text.normalize import Level, Normalizer
    from corpus_cli.text.tokenize import Kind, tokenize

    rng = random.Random(11)
    pieces = ["ا", "ب", "ـ", "\u06e5", "\u06e6", "1", "٣", "x", "Z", "²", "ⅷ", "中", "ß", "ǅ", "\u0670"]
    none = Normalizer.for_level(Level.none)
    words = ["ـ", "ـــ", "\u06e5ـ", "١٢", "ـ1", "xـ", "²", "ⅷ", "ǅa"]  # no content; numbers; other letters
    words += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))) for _ in range(250)]
    for word in words:
        query = compile_query(word, none, MatchOptions(word=True))
        tokens = list(tokenize(word))
        expected = len(tokens) == 1 and tokens[0].text == word and tokens[0].kind in (Kind.word, Kind.number)
        assert single_token(query) == expected, word


def test_the_early_fingerprint_is_looked_at_without_waiting(mixed, monkeypatch):
    """``fingerprint.early_ready``: true with nothing to wait for, and once the child
    has sent its fingerprint (then ``early`` answers it at once)."""
    import time

    from corpus_cli.index import fingerprint as fp

    corpus, cache = mixed
    assert fp.early_ready()
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(cache))
    fp.start_early(["--corpus", str(corpus)], {"CORPUS_CACHE_DIR": str(cache)})
    assert fp.waiting()
    deadline = time.monotonic() + 30
    while not fp.early_ready():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert fp.early(fp.resolve([str(corpus)])) == fp.fingerprint(fp.resolve([str(corpus)]))
