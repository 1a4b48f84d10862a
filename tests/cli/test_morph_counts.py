"""``freq``, ``collocates``, ``keywords`` and ``dispersion`` with the morphology: ``--attr
lemma|root|pos`` and ``--lemma``/``--root``/``--readings``.  The expected numbers come from a
plain loop over the words of the texts, each word given the value the index keeps for its
spelling (``query.morphology.values_of``, as ``corpus analyze`` ranks readings at test time);
the index's answers and those of ``--index off`` (a layer built and analysed in memory) are
the same bytes.  Skips without the extra corpus-cli[morph] (farahidi)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from corpus_cli.text.normalize import Normalizer
from corpus_cli.text.tokenize import words
from tests.conftest import SEEDS, Invoke, jsonl, run_corpus

pytest.importorskip("numpy")

NORM = Normalizer.for_level("standard")


class Analysed:
    """A corpus indexed with ``--morph``, its texts, and per spelling its value of each
    attribute as the index keeps it ("" for none)."""

    def __init__(self, root: Path, cache: Path, texts: dict[str, str]) -> None:
        from corpus_cli.index.read import Index
        from corpus_cli.query.morphology import values_of

        self.root, self.cache, self.texts = root, cache, texts
        self.list_file = root.parent / "list.tsv"  # a frequency list
        (path,) = cache.glob("*.corpus-index")
        layer = Index(path).layer()
        assert layer is not None
        self.value: dict[str, dict[str, str]] = {}
        for name in ("lemma", "root", "pos"):
            values, of_form = values_of(layer, NORM, name)
            self.value[name] = {form: values[int(of_form[i])] for i, form in enumerate(layer.forms())}

    def of(self, name: str, word: str) -> str | None:
        """A word's value: its reading's, else (lemma) its normalized form, else None."""
        found = self.value[name][word]
        if found:
            return found
        return (NORM.normalize(word) or None) if name == "lemma" else None

    def env(self) -> dict[str, str | None]:
        return {"CORPUS_CACHE_DIR": str(self.cache)}

    def loop(self, name: str, docs: list[str] | None = None) -> tuple[Counter[str], Counter[str], dict]:
        """Per value: its words, documents and spellings, in the documents ``docs`` (ids)."""
        counts: Counter[str] = Counter()
        held: Counter[str] = Counter()
        forms: dict[str, Counter[str]] = {}
        for doc, text in self.texts.items():
            if docs is not None and doc not in docs:
                continue
            seen = set()
            for word in words(text):
                value = self.of(name, word)
                if value is None:
                    continue
                counts[value] += 1
                forms.setdefault(value, Counter())[word] += 1
                seen.add(value)
            held.update(seen)
        return counts, held, forms


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Analysed:
    """The start of three seed documents (a few hundred word forms to analyse), indexed
    with --morph into a private cache."""
    pytest.importorskip("farahidi", reason="the extra corpus-cli[morph] is not installed")
    root = tmp_path_factory.mktemp("morph-counts")
    corpus = root / "corpus"
    corpus.mkdir()
    texts = {}
    for seed in sorted(SEEDS.glob("*.txt"))[:3]:
        text = seed.read_text(encoding="utf-8")[:1500]
        (corpus / seed.name).write_text(text, encoding="utf-8")
        texts[seed.stem] = text
    cache = root / "cache"
    (root / "list.tsv").write_text("وزير\t3\n", encoding="utf-8")
    env = {"CORPUS_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    built = run_corpus("index", "build", "-C", str(corpus), "--morph", env=env, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    return Analysed(corpus, cache, texts)


def _run(invoke: Invoke, analysed: Analysed, *args: str, index: bool = True):
    where = ("--corpus", str(analysed.root)) + (() if index else ("--index", "off"))
    return invoke(*args, *where, env=analysed.env())


def same(invoke: Invoke, analysed: Analysed, *args: str):
    """``args`` from the index and with ``--index off``: the same stdout, stderr, exit code."""
    indexed = _run(invoke, analysed, *args)
    plain = _run(invoke, analysed, *args, index=False)
    assert (indexed.exit_code, indexed.stdout, indexed.stderr) == (
        plain.exit_code,
        plain.stdout,
        plain.stderr,
    )
    return indexed


@pytest.mark.parametrize("name", ["lemma", "root", "pos"])
def test_freq_attr_counts_as_the_loop(invoke: Invoke, analysed: Analysed, name: str) -> None:
    result = same(invoke, analysed, "freq", "--attr", name, "--top", "0", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = jsonl(result.stdout)
    counts, held, forms = analysed.loop(name)
    total = sum(len(words(t)) for t in analysed.texts.values())
    assert {r["key"]: r["count"] for r in rows} == dict(counts)
    assert {r["key"]: r["docs"] for r in rows} == dict(held)
    for row in rows:
        commonest = sorted(forms[row["key"]].items(), key=lambda item: (-item[1], item[0]))[:3]
        assert list(row["forms"].items()) == commonest
        assert row["per_million"] == pytest.approx(row["count"] * 1_000_000 / total)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    left_out = total - sum(counts.values())
    if name == "lemma":
        assert left_out == 0 and result.stderr == ""
    else:
        assert left_out > 0  # the numbers of the seeds
        assert f"{left_out:,} of {total:,} words" in result.stderr
        assert f"have no {name}" in result.stderr


def test_freq_attr_lemma_shows_the_lemma_and_takes_lemmas_as_terms(
    invoke: Invoke, analysed: Analysed
) -> None:
    counts, held, _ = analysed.loop("lemma")
    result = same(invoke, analysed, "freq", "--attr", "lemma", "وَزِير", "سوريا", "لاشيءهنا")
    assert result.exit_code == 0, result.stderr
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert lines[0] == ["rank", "term", "key", "count", "per_million", "docs", "forms"]
    got = {line[2]: (int(line[3]), int(line[5])) for line in lines[1:]}
    assert got == {
        "وزير": (counts["وزير"], held["وزير"]),
        "سوريا": (counts["سوريا"], held["سوريا"]),
        "لاشيءهنا": (0, 0),
    }
    assert counts["وزير"] > 0
    top = jsonl(_run(invoke, analysed, "freq", "--attr", "lemma", "--top", "5", "--format", "jsonl").stdout)
    for row in top:  # the lemma as the analyser writes it, unvocalized, folds to the key
        assert NORM.normalize(row["term"]) == row["key"]


def test_freq_attr_options_agree_with_the_index(invoke: Invoke, analysed: Analysed) -> None:
    """The freq options that go with --attr, index against --index off; and their numbers."""
    for args in (
        ["--attr", "lemma", "--by-doc", "--top", "3"],
        ["--attr", "root", "--by", "folder", "--top", "4", "--format", "jsonl"],
        ["--attr", "lemma", "--dispersion", "--min-count", "3", "--format", "csv"],
        ["--attr", "lemma", "--forms", "--top", "5"],
        ["--attr", "lemma", "--stopwords", "builtin", "--top", "5"],
        ["--attr", "pos", "--doc", next(iter(analysed.texts))],
    ):
        assert same(invoke, analysed, "freq", *args).exit_code == 0, args
    doc = next(iter(analysed.texts))
    counts, _, _ = analysed.loop("lemma", [doc])
    rows = jsonl(
        _run(
            invoke, analysed, "freq", "--attr", "lemma", "--doc", doc, "--top", "0", "--format", "jsonl"
        ).stdout
    )
    assert {r["key"]: r["count"] for r in rows} == dict(counts)
    every = jsonl(
        _run(invoke, analysed, "freq", "--attr", "lemma", "--forms", "--top", "0", "--format", "jsonl").stdout
    )
    _, _, forms = analysed.loop("lemma")
    assert {r["key"]: r["forms"] for r in every} == {k: dict(v) for k, v in forms.items()}


def test_freq_lemma_is_the_cql_query(invoke: Invoke, analysed: Analysed) -> None:
    by_lemma = same(invoke, analysed, "freq", "--lemma", "وزير", "--top", "0")
    by_cql = _run(invoke, analysed, "freq", "--cql", '[lemma="وزير"]', "--top", "0")
    assert by_lemma.exit_code == 0 and by_lemma.stdout == by_cql.stdout
    counted = {line.split("\t")[0]: int(line.split("\t")[1]) for line in by_lemma.stdout.splitlines()[1:]}
    expected = Counter(
        w for t in analysed.texts.values() for w in words(t) if analysed.of("lemma", w) == "وزير"
    )
    assert counted == dict(expected)


def _windows(
    analysed: Analysed, name: str, is_node, length: int, left: int, right: int
) -> tuple[int, dict[str, tuple[int, int, int]]]:
    """The loop of collocates: nodes (runs of ``length`` words whose first passes
    ``is_node``), per value its words before and after them in the document, its count."""
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    nodes = 0
    for text in analysed.texts.values():
        found = words(text)
        for i in range(len(found)):
            if not is_node(found, i) or i + length > len(found):
                continue
            nodes += 1
            for other in found[max(0, i - left) : i]:
                if analysed.of(name, other):
                    before[analysed.of(name, other)] += 1  # type: ignore[index]
            for other in found[i + length : i + length + right]:
                if analysed.of(name, other):
                    after[analysed.of(name, other)] += 1  # type: ignore[index]
    totals, _, _ = analysed.loop(name)
    return nodes, {k: (before[k], after[k], totals[k]) for k in set(before) | set(after)}


def _collocate_rows(stdout: str) -> tuple[int, dict[str, tuple[int, int, int]]]:
    rows = jsonl(stdout)
    f_node = rows[0]["f_node"] if rows else 0
    return f_node, {r["key"]: (r["left"], r["right"], r["f_coll"]) for r in rows}


def test_collocates_attr_lemma_counts_lemmas_near_the_node(invoke: Invoke, analysed: Analysed) -> None:
    node = NORM.normalize("سوريا")
    args = ["--attr", "lemma", "--window", "3", "--min-freq", "1", "--top", "0", "--format", "jsonl"]
    result = same(invoke, analysed, "collocates", "سوريا", *args)
    assert result.exit_code == 0, result.stderr
    expected = _windows(analysed, "lemma", lambda ws, i: NORM.normalize(ws[i]) == node, 1, 3, 3)
    assert _collocate_rows(result.stdout) == expected


def test_collocates_attr_with_a_lemma_node_and_a_cql_match_of_two_words(
    invoke: Invoke, analysed: Analysed
) -> None:
    args = [
        "--attr",
        "root",
        "--left",
        "2",
        "--right",
        "3",
        "--min-freq",
        "1",
        "--top",
        "0",
        "--format",
        "jsonl",
    ]
    result = same(invoke, analysed, "collocates", "--lemma", "وزير", *args)
    assert result.exit_code == 0, result.stderr
    is_vizier = lambda ws, i: analysed.of("lemma", ws[i]) == "وزير"  # noqa: E731
    assert _collocate_rows(result.stdout) == _windows(analysed, "root", is_vizier, 1, 2, 3)
    # [lemma="وزير"] [kind="word"]: two words, the right window after the second
    two = same(invoke, analysed, "collocates", "--cql", '[lemma="وزير"] [kind="word"]', *args)
    assert two.exit_code == 0, two.stderr
    f_node, rows = _collocate_rows(two.stdout)
    nodes, expected = _windows(
        analysed,
        "root",
        lambda ws, i: is_vizier(ws, i) and i + 1 < len(ws) and not ws[i + 1].isdigit(),
        2,
        2,
        3,
    )
    assert f_node == nodes > 0  # each match two adjacent words of the loop (no number)
    assert rows == expected
    for measure in ("mi", "t", "g2", "dice"):
        assert (
            same(
                invoke, analysed, "collocates", "--lemma", "وزير", "--attr", "lemma", "--measure", measure
            ).exit_code
            == 0
        )
    assert (
        same(
            invoke, analysed, "collocates", "سوريا", "--attr", "lemma", "--by-position", "--window", "2"
        ).exit_code
        == 0
    )


def test_keywords_attr_lemma_counts_target_and_rest_as_lemmas(invoke: Invoke, analysed: Analysed) -> None:
    target = next(iter(analysed.texts))
    result = same(
        invoke,
        analysed,
        "keywords",
        "--target",
        target,
        "--attr",
        "lemma",
        "--top",
        "0",
        "--min-count",
        "1",
        "--format",
        "jsonl",
    )
    assert result.exit_code == 0, result.stderr
    mine, _, _ = analysed.loop("lemma", [target])
    rest, _, _ = analysed.loop("lemma", [d for d in analysed.texts if d != target])
    rows = jsonl(result.stdout)
    assert rows
    for row in rows:
        assert (row["a"], row["b"]) == (mine[row["key"]], rest[row["key"]])
    assert rows[0]["c"] == sum(mine.values()) and rows[0]["d"] == sum(rest.values())


def test_keywords_attr_lemma_against_a_reference_corpus_analysed_too(
    invoke: Invoke, analysed: Analysed, tmp_path: Path
) -> None:
    first, *others = list(analysed.texts)
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "other.txt").write_text(analysed.texts[first], encoding="utf-8")
    chosen = [arg for doc in others for arg in ("--doc", doc)]
    args = ["keywords", "--attr", "lemma", "--reference", str(reference), *chosen, "--top", "0"]
    result = same(invoke, analysed, *args, "--min-count", "1", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    mine, _, _ = analysed.loop("lemma", others)
    theirs, _, _ = analysed.loop("lemma", [first])
    rows = jsonl(result.stdout)
    assert rows
    for row in rows:
        assert (row["a"], row["b"], row["c"], row["d"]) == (
            mine[row["key"]],
            theirs[row["key"]],
            sum(mine.values()),
            sum(theirs.values()),
        )


def test_dispersion_lemma_and_readings_any(invoke: Invoke, analysed: Analysed) -> None:
    result = same(invoke, analysed, "dispersion", "--lemma", "وزير", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = jsonl(result.stdout)
    counts, _, _ = analysed.loop("lemma")
    assert rows[-1]["doc"] == "(all)" and rows[-1]["hits"] == counts["وزير"]
    first = _run(invoke, analysed, "dispersion", "--root", "كتب", "--format", "jsonl")
    every = same(invoke, analysed, "dispersion", "--root", "كتب", "--readings", "any", "--format", "jsonl")
    assert jsonl(every.stdout)[-1]["hits"] >= (jsonl(first.stdout)[-1]["hits"] if first.exit_code == 0 else 0)


def test_usage_errors(invoke: Invoke, analysed: Analysed) -> None:
    for args, words_said in (
        (["freq", "--attr", "lemma", "--clitics"], "taken off by the analyser"),
        (["freq", "--lemma", "وزير", "--attr", "lemma"], "--attr"),
        (["freq", "--readings", "any"], "--readings"),
        (["collocates", "سوريا", "--lemma", "وزير"], "give one of them"),
        (["collocates", "سوري.*", "--attr", "lemma"], "--cql"),
        (["keywords", "--attr", "lemma", "--reference", str(analysed.list_file)], "frequency list"),
        (["dispersion", "--lemma", "وزير", "-F"], "--lemma/--root"),
    ):
        result = _run(invoke, analysed, *args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert words_said in result.stderr, (args, result.stderr)


def test_without_the_analyser_the_options_say_how_to_install_it(
    invoke: Invoke, analysed: Analysed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from corpus_cli.text import morphology

    monkeypatch.setattr(morphology, "have_analyser", lambda: False)
    empty = {"CORPUS_CACHE_DIR": str(tmp_path)}  # no index: a layer in memory, to analyse
    result = invoke("freq", "--attr", "lemma", "--corpus", str(analysed.root), env=empty)
    assert result.exit_code == 2
    assert "pip install 'corpus-cli[morph]'" in result.stderr


def test_an_index_without_the_morphology_says_how_to_add_it(invoke: Invoke, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("كتب الوزير رسالة إلى الوزراء\n", encoding="utf-8")
    (corpus / "b.txt").write_text("الوزير كتب رسالة\n", encoding="utf-8")
    env: dict[str, str | None] = {"CORPUS_CACHE_DIR": str(tmp_path / "cache")}
    built = invoke("index", "build", "--corpus", str(corpus), env=env)
    assert built.exit_code == 0, built.stderr
    for args in (
        ["freq", "--attr", "lemma"],
        ["collocates", "الوزير", "--attr", "root"],
        ["keywords", "--target", "a", "--attr", "pos"],
    ):
        result = invoke(*args, "--corpus", str(corpus), env=env)
        assert result.exit_code == 2, (args, result.stderr)
        assert "corpus index morph" in result.stderr, (args, result.stderr)
