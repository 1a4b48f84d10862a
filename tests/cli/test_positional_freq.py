"""``corpus freq`` answered from the token layer of an index: byte for byte the output of
``--index off`` (the text path), for every option and their combinations, on the seeds, a
JSONL corpus with metadata and duplicate ids, and a sample of every shared corpus; and the
layer path taken where the index's stored list does not answer.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus_cli.query import freq as freq_module
from tests.conftest import SEEDS, SHARED_CORPORA, first_documents, jsonl, write

pytest.importorskip("numpy")

#: An absent word, to count zeros.
ABSENT = "ززززز"


@pytest.fixture
def layer_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Every call of ``layer_freq``: the terms it was asked for (the layer path taken)."""
    calls: list[tuple[str, ...]] = []
    original = freq_module.layer_freq

    def recorded(*args, **kwargs):
        calls.append(args[3].terms)
        return original(*args, **kwargs)

    monkeypatch.setattr(freq_module, "layer_freq", recorded)
    return calls


def build(invoke, *selection: str) -> None:
    r = invoke("index", "build", *selection)
    assert r.exit_code == 0, r.output


def frequent_words(invoke, *selection: str, count: int = 3) -> list[str]:
    """The most frequent words of three letters or more (terms worth counting)."""
    rows = jsonl(invoke("freq", *selection, "--top", "0", "--format", "jsonl", "--index", "off").stdout)
    words = [row["term"] for row in rows if len(row["key"]) >= 3 and " " not in row["key"]]
    return words[:count]


def cases(terms: list[str], fields: list[str]) -> Iterator[list[str]]:
    """Option combinations of ``freq`` (each with a layer path to test)."""
    one, two = terms[0], terms[1]
    yield ["--ngram", "2"]
    yield ["--ngram", "2", "--top", "0"]
    yield ["--ngram", "3", "--top", "50", "--min-count", "2"]
    yield ["--ngram", "4", "--forms"]
    yield ["--ngram", "5", "--top", "0", "--format", "jsonl"]
    yield ["--ngram", "2", "--stopwords", "builtin", "--top", "30"]
    yield ["--ngram", "2", "--by-doc", "--top", "3"]
    yield ["--ngram", "3", "--dispersion", "--top", "10"]
    yield ["--by-doc", "--top", "5"]
    yield ["--by-doc", "--top", "0", "--min-count", "2", "--format", "csv"]
    yield ["--by-doc", "--match", "^ال", "--top", "4"]
    yield ["--dispersion"]
    yield ["--dispersion", "--forms", "--top", "0"]
    yield ["--match", "ات$", "--dispersion"]
    yield ["--match", "^ال", "--top", "0"]
    yield ["--stopwords", "builtin", "--forms"]
    yield [one]
    yield [one, two, ABSENT]
    yield [one, ABSENT, "--by-doc"]
    yield [one, two, "--by-doc", "--dispersion", "--forms"]
    yield [one, "--clitics", "both"]
    yield [one, two, "--clitics", "pro", "--forms"]
    yield [one, "--clitics", "both", "--by-doc"]
    yield [ABSENT, "--clitics", "both", "--by-doc"]
    yield [one, "--clitics", "enc", "--dispersion"]
    yield [f"{one} {two}"]
    yield [f"{one} {two}", f"{two} {one}", "--by-doc", "--forms"]
    for field in fields:
        yield ["--by", field, "--top", "5"]
        yield ["--by", field, "--top", "0", "--dispersion", "--forms"]
        yield ["--by", field, "--ngram", "2", "--top", "3"]
        yield ["--by", field, "--stopwords", "builtin", "--top", "3"]
        yield [one, two, "--by", field]
        yield [one, "--by", field, "--dispersion", "--forms"]
        yield [one, "--clitics", "both", "--by", field]
        yield [one, "--clitics", "pro", "--by", field, "--dispersion"]
        yield [f"{one} {two}", "--by", field]


def compare(invoke, selection: list[str], args: list[str], calls: list[tuple[str, ...]]) -> str | None:
    """Where the index's answer and ``--index off``'s differ (None: byte for byte the same),
    or the layer was not used."""
    before = len(calls)
    indexed = invoke("freq", *args, *selection)
    if len(calls) == before:
        return f"{args}: the layer path was not taken"
    plain = invoke("freq", *args, *selection, "--index", "off")
    if (indexed.exit_code, indexed.stdout) != (plain.exit_code, plain.stdout):
        lines = difflib.unified_diff(plain.stdout.splitlines(), indexed.stdout.splitlines(), lineterm="", n=1)
        diff = "\n".join(list(lines)[:12])
        return f"{args}: exit {indexed.exit_code} with the layer, {plain.exit_code} without\n{diff}"
    return None


def check_all(invoke, selection: list[str], fields: list[str], calls, extra: list[list[str]] = ()) -> int:
    terms = frequent_words(invoke, *selection)
    assert len(terms) >= 2, terms
    problems = []
    checked = 0
    for args in [*cases(terms, fields), *extra]:
        problem = compare(invoke, selection, args, calls)
        checked += 1
        if problem:
            problems.append(problem)
    assert not problems, "\n\n".join(problems)
    return checked


def test_the_seeds_the_same_with_the_layer(invoke, layer_calls) -> None:
    selection = ["--corpus", str(SEEDS)]
    build(invoke, *selection)
    first = frequent_words(invoke, *selection, count=1)[0]
    extra = [
        ["--doc", "000_942301ab0c5a4d11"],
        ["--doc", "001", "--doc", "003", "--ngram", "2", "--by-doc"],
        ["--doc", "002", first, "--clitics", "both", "--by-doc"],
        ["--format", "table", "--ngram", "2", "--top", "5"],
        ["--by", "nothing", "--top", "2"],
    ]
    assert check_all(invoke, selection, ["folder", "year"], layer_calls, extra) > 40


def test_other_levels_and_folds_from_the_standard_layer(invoke, layer_calls) -> None:
    """An index built at the standard level answers ``--keep``, ``--fold`` and ``--norm``
    from its layer's spellings (``Keys.of``), the same as the text at that level."""
    selection = ["--corpus", str(SEEDS)]
    build(invoke, *selection)
    problems = []
    for level in (["--norm", "aggressive"], ["--norm", "light"], ["--keep", "alef"], ["--norm", "none"]):
        for args in (["--top", "0"], ["--ngram", "2", "--top", "40"], ["--by-doc", "--top", "3", "--forms"]):
            problem = compare(invoke, [*selection, *level], args, layer_calls)
            if problem:
                problems.append(f"{level}: {problem}")
    assert not problems, "\n\n".join(problems)


@pytest.fixture
def records_corpus(tmp_path: Path) -> Path:
    """Records with metadata (source, date), a duplicate id, a document of no words, and
    n-grams that normalization spells with spaces (ﷺ) or with nothing (ﹰ)."""
    rows = [
        {
            "id": "a1",
            "source": "okaz",
            "date": "2015-07-21",
            "text": "قال الوزير إن الأمم المتحدة تجتمع اليوم",
        },
        {"id": "a2", "source": "sabq", "date": "2015-07-22", "text": "قال الأمير: الأمم المتحدة؟ نعم. قال ﷺ"},
        {"id": "a1", "source": "sabq", "date": "2016-01-02", "text": "وقال الأمير قال للأمم وبالأمم"},
        {"id": "a3", "source": "okaz", "date": "2016-01-03", "text": "!!! ... ؟"},
        {
            "id": "a4",
            "date": "2016-02-03",
            "text": "كتاب ﹰ جديد قال ﷺ في الحديث\nصلى الله عليه وسلم في الحديث",
        },
        {"id": "a5", "source": "okaz", "text": "الأمم المتحدة. الأمم المتحدة، والأمم المتحدة قال الوزير"},
    ]
    return write(
        tmp_path / "records" / "news.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    ).parent


def test_records_with_metadata_the_same_with_the_layer(invoke, records_corpus: Path, layer_calls) -> None:
    selection = ["--corpus", str(records_corpus), "--id-field", "id"]
    build(invoke, *selection)
    extra = [
        ["--where", "source=okaz"],
        ["--where", "source=sabq", "--ngram", "2", "--by-doc"],
        ["--where", "source=okaz", "الأمم", "--clitics", "both", "--by", "date"],
        ["--doc", "a1", "--by-doc", "--dispersion"],
        ["--ngram", "2", "--top", "0", "--forms"],
        ["--ngram", "5", "--top", "0", "--by", "source"],
        ["صلى الله", "--by-doc"],
        ["--where", "source=nowhere"],
        ["--where", "source=nowhere", "الأمم", "--clitics", "both", "--by-doc"],
        ["--where", "source=nowhere", "--ngram", "2", "--by", "source", "--dispersion"],
    ]
    assert check_all(invoke, selection, ["source", "date", "month"], layer_calls, extra) > 60


def test_every_shared_corpus_the_same_with_the_layer(invoke, every_corpus: Path, layer_calls) -> None:
    selection = ["--corpus", str(every_corpus)]
    build(invoke, *selection)
    check_all(invoke, selection, ["folder"], layer_calls)


@pytest.fixture(scope="module")
def arsarcasm_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 300 tweets of ../shared/corpora/arsarcasm_v2 with an emoji variation
    selector (``❤️``) or a zero-width joiner, where ``words`` once began a word at the
    selector (``مره❤️نو``) that ``tokenize``, and so the layer, did not."""
    archive = SHARED_CORPORA / "arsarcasm_v2.tar.xz"
    if not archive.is_file():
        pytest.skip("../shared/corpora/arsarcasm_v2.tar.xz is not here")
    joined = ("\ufe0f".encode(), "\u200d".encode())
    return first_documents(
        archive, 300, tmp_path_factory.mktemp("arsarcasm"), keep=lambda text: any(j in text for j in joined)
    )


def test_a_sample_of_arsarcasm_the_same_with_the_layer(invoke, arsarcasm_sample: Path, layer_calls) -> None:
    selection = ["--corpus", str(arsarcasm_sample)]
    build(invoke, *selection)
    extra = [["--by-doc", "--top", "0"], ["--ngram", "2", "--by-doc", "--top", "0"]]
    assert check_all(invoke, selection, ["folder"], layer_calls, extra) > 30


def test_the_stored_list_still_answers_the_whole_corpus(invoke, layer_calls) -> None:
    """The plain list of the index's level is read from the index, not counted again."""
    selection = ["--corpus", str(SEEDS)]
    build(invoke, *selection)
    for args in ([], ["--top", "0"], ["--forms"], ["--top", "3", "--format", "jsonl"]):
        assert (
            invoke("freq", *args, *selection).stdout
            == invoke("freq", *args, *selection, "--index", "off").stdout
        )
    assert layer_calls == []


def test_a_long_count_shows_a_bar_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bar of a computation told in steps shows once it has run for ``delay`` (a timer:
    a long first step shows it too), follows the steps, and is gone at the end."""
    import io
    import time
    from types import SimpleNamespace

    from corpus_cli.cli.documents import LateBar as CountingBar

    monkeypatch.setattr(CountingBar, "delay", 0.0)
    bar = CountingBar(SimpleNamespace(stderr_isatty=True, stderr=io.StringIO()))
    waited = time.monotonic()
    while bar.bar is None and time.monotonic() - waited < 5:
        time.sleep(0.01)
    assert bar.bar is not None
    bar(2, 3)
    (task,) = bar.bar.tasks
    assert (task.description, task.completed, task.total) == ("counting", 2, 3)
    bar.close()
    assert bar.bar is None and bar.over

    quiet = CountingBar(SimpleNamespace(stderr_isatty=False, stderr=io.StringIO()))
    quiet(1, 2)
    time.sleep(0.05)
    quiet.close()
    assert quiet.bar is None and not quiet.timer.is_alive()


def test_the_list_at_another_level_is_kept_and_read_back(
    invoke, layer_calls, private_index_cache: Path
) -> None:
    """``freq --keep alef`` (or any level but the index's) counts on the layer once and
    keeps the list it printed; a list that the kept rows hold is read back (no count),
    byte for byte what ``--index off`` prints; one they do not hold is counted again."""
    selection = ["--corpus", str(SEEDS)]
    build(invoke, *selection)

    def answered(*args: str) -> bool:
        """Same output as --index off; True when read back (the layer not counting)."""
        before = len(layer_calls)
        indexed = invoke("freq", *args, *selection)
        plain = invoke("freq", *args, *selection, "--index", "off")
        assert (indexed.exit_code, indexed.stdout) == (plain.exit_code, plain.stdout), args
        return len(layer_calls) == before

    level = ["--keep", "alef"]
    assert not answered(*level)  # counted, and kept: the first 20 rows
    kept = list(private_index_cache.glob("*-keys-*-ranked"))
    assert len(kept) == 1
    assert answered(*level)
    assert answered(*level, "--top", "7", "--no-header")
    assert answered(*level, "--min-count", "1000000")  # the first kept row counts fewer
    assert not answered(*level, "--top", "21")  # more than was kept
    assert not answered(*level, "--top", "0", "--min-count", "3")  # counted: all rows seen 3 times or more
    assert answered(*level, "--top", "0", "--min-count", "5")
    assert answered(*level, "--top", "100000", "--min-count", "3")
    assert not answered(*level, "--top", "0", "--min-count", "2")  # rows seen twice were not kept
    assert not answered(*level, "--format", "jsonl")  # TSV alone is kept
    assert not answered(*level, "--forms")
    assert not answered("--norm", "aggressive", "--top", "5")  # another level, another list
    assert answered("--norm", "aggressive", "--top", "3")
    assert len(list(private_index_cache.glob("*-keys-*-ranked"))) == 2
    # A list kept for another layer (rebuilt since) is not read.
    header, rest = kept[0].read_bytes().split(b"\n", 1)
    kept[0].write_bytes(json.dumps({**json.loads(header), "id": "another"}).encode() + b"\n" + rest)
    assert not answered(*level, "--top", "5")
    assert answered(*level, "--top", "5")


@pytest.mark.parametrize("corpus", ["seeds", "records"])
def test_ngrams_and_clitics_without_an_index_from_a_layer_in_memory(
    invoke, monkeypatch: pytest.MonkeyPatch, layer_calls, records_corpus: Path, corpus: str
) -> None:
    """Without an index, n-grams and clitics by document or group of a corpus past
    ``LAYER_IN_MEMORY_FROM`` characters are counted on a layer built in memory (of the
    documents --doc and --where keep): the text's output, byte for byte; other lists are
    counted on the text."""
    if corpus == "seeds":
        selection, fields, extra = ["--corpus", str(SEEDS)], ["folder"], []
    else:
        selection, fields = ["--corpus", str(records_corpus), "--id-field", "id"], ["source", "date"]
        extra = [
            ["--where", "source=sabq", "--ngram", "2", "--by-doc"],
            ["--where", "source=okaz", "الأمم", "--clitics", "both", "--by", "date"],
            ["--doc", "a1", "--ngram", "3", "--by-doc", "--dispersion"],
            ["--where", "source=nowhere", "الأمم", "--clitics", "both", "--by-doc"],
            ["--where", "source=nowhere", "--ngram", "2", "--by", "source", "--dispersion"],
        ]
    selection.extend(["--index", "off"])
    terms = frequent_words(invoke, *selection)
    layered = [
        args
        for args in [*cases(terms, fields), *extra]
        if "--ngram" in args or ("--clitics" in args and ("--by-doc" in args or "--by" in args))
    ]
    layered += [[f"{terms[0]} {terms[1]}", "--by-doc"]]
    assert len(layered) > 10
    problems = []
    for args in layered:
        plain = invoke("freq", *args, *selection)
        assert not layer_calls
        with monkeypatch.context() as patched:
            patched.setattr("corpus_cli.cli.documents.LAYER_IN_MEMORY_FROM", 0)
            built = invoke("freq", *args, *selection)
            assert len(layer_calls) == 1, args
            for other in (
                ["--by-doc"],
                [terms[0], "--by-doc"],
                ["--dispersion"],
                [terms[0], "--clitics", "both"],
            ):
                invoke("freq", *other, *selection)  # counted on the text
            assert len(layer_calls) == 1, args
        layer_calls.clear()
        if (built.exit_code, built.stdout) != (plain.exit_code, plain.stdout):
            problems.append(f"{args}: exit {built.exit_code} in memory, {plain.exit_code} from the text")
    assert not problems, "\n".join(problems)
