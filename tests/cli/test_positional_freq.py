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
from tests.conftest import SEEDS, jsonl, write

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
