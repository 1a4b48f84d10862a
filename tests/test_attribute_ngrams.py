"""Lemma, root and pos n-grams (``freq --attr A --ngram N``, ``morphology.ValueNgrams``) and the
one function both CQL and ``--attr`` take an attribute's values from
(``cql.attributes.first_values``).

The layer tests give the attributes by hand (``save_attribute``: no analyser needed) and check
the counts against a plain loop over the runs of words ``freq --ngram N`` counts
(``query.freq.ngram_units``' boundaries).  The command tests build an index with ``--morph``
(they skip without farahidi, the extra corpus-cli[morph]) and compare its answers with
``--index off`` (a layer built and analysed in memory) for many option combinations and every
output format, on the seeds and on a sample of saudinewsnet from ../shared/corpora (skipped
when it is not there)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import Result

from corpus_cli.query.freq import FreqRequest, layer_freq
from corpus_cli.query.morphology import AttributeKeys
from corpus_cli.store.layer import NO_KEY, TokenLayer, build_layer
from corpus_cli.text.normalize import Normalizer
from corpus_cli.text.sentences import SENTENCE_END
from corpus_cli.text.tokenize import Kind, tokenize
from tests.conftest import SEEDS, SHARED_CORPORA, Invoke, first_documents, jsonl, read_xlsx, run_corpus
from tests.query.test_morph_counts import READINGS as COUNTED_READINGS

np = pytest.importorskip("numpy")

NORM = Normalizer.for_level("standard")

#: Three documents: sentence ends (. ؟ and a line end), a comma stepped over, a number and a
#: Latin word (no reading), function words without a root (إلى، مع، في).
TEXTS = [
    "كتب الوزير رسالة إلى الوزراء. الوزير كتب 2024 hello\nالوزراء يكتبون رسالة، مع الوزير",
    "الوزراء يكتبون رسالة، ووزير الخارجية كتب رسائل مع الوزير؟ في الوزراء رسالة",
    "hello hello رسائل الوزير كتب رسالة",
]

#: spelling -> (lemma, root, pos) of its first reading, vocalized as an analyser writes
#: them: those of the counts' tests, and في (a function word without a root).
READINGS = {**COUNTED_READINGS, "في": ("فِي", "", "function")}

#: Each word's value as counted (None: none, the word's n-grams are left out).
LEMMA = {"كتب": "كتب", "يكتبون": "كتب", "الوزير": "وزير", "الوزراء": "وزير", "رسالة": "رسالة"}
LEMMA |= {"رسائل": "رسالة", "الخارجية": "خارجي", "إلى": "الى", "مع": "مع", "في": "في"}
LEMMA |= {"ووزير": "ووزير", "2024": "2024", "hello": "hello"}  # no reading: the normalized form
ROOT = {"كتب": "كتب", "يكتبون": "كتب", "الوزير": "وزر", "الوزراء": "وزر", "رسالة": "رسل"}
ROOT |= {"رسائل": "رسل", "الخارجية": "خرج"}
POS = {"كتب": "verb", "يكتبون": "verb", "الخارجية": "adj", "إلى": "function", "مع": "function"}
POS |= {"في": "function"} | {w: "noun" for w in ("الوزير", "الوزراء", "رسالة", "رسائل")}
EXPECTED = {"lemma": LEMMA, "root": ROOT, "pos": POS}


def _layer(texts: list[str] = TEXTS, path: Path | None = None) -> TokenLayer:
    """The layer of ``texts`` with the readings of ``READINGS`` (kept beside the file at
    ``path``, as an index keeps them, when given)."""
    layer = build_layer(texts, NORM)
    if path is not None:
        path.write_bytes(bytes(layer.buffer))
        opened = TokenLayer.open(path)
        assert opened is not None
        layer = opened
    for column, name in enumerate(("lemma", "root", "pos")):
        per_form = []
        for form in layer.forms():
            reading = READINGS.get(form)
            per_form.append([reading[column]] if reading and reading[column] else [])
        layer.save_attribute(name, per_form)
    return layer


def _runs(text: str) -> list[list[str]]:
    """The runs of words ``ngram_units`` takes n-grams from: within a line, between
    sentence-ending punctuation, other punctuation stepped over."""
    runs = []
    for line in text.split("\n"):
        run: list[str] = []
        for token in tokenize(line):
            if token.kind is Kind.punct and token.text in SENTENCE_END:
                runs.append(run)
                run = []
            elif token.kind in (Kind.word, Kind.number):
                run.append(token.text)
        runs.append(run)
    return runs


class Loop:
    """N-grams of values counted by a loop over the texts: per key (values joined by
    spaces) its count, documents and spellings; all n-grams (``total``)."""

    def __init__(self, name: str, n: int, docs: list[int] | None = None) -> None:
        self.counts: Counter[str] = Counter()
        self.held: Counter[str] = Counter()
        self.forms: dict[str, Counter[str]] = {}
        self.total = 0
        self.per_doc: dict[int, Counter[str]] = {}
        for number, text in enumerate(TEXTS):
            if docs is not None and number not in docs:
                continue
            mine: Counter[str] = Counter()
            for run in _runs(text):
                for i in range(len(run) - n + 1):
                    gram = run[i : i + n]
                    self.total += 1
                    values = [EXPECTED[name].get(word) for word in gram]
                    if None in values:
                        continue
                    key = " ".join(v for v in values if v is not None)
                    mine[key] += 1
                    self.forms.setdefault(key, Counter())[" ".join(gram)] += 1
            self.counts.update(mine)
            self.held.update(set(mine))
            self.per_doc[number] = mine


def _attribute(layer: TokenLayer, name: str) -> AttributeKeys:
    from corpus_cli.query.morphology import attribute_keys

    return attribute_keys(layer, NORM, name)


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("name", ["lemma", "root", "pos"])
def test_value_ngrams_count_as_the_loop(name: str, n: int) -> None:
    layer = _layer()
    request = FreqRequest(top=0, ngram=n)
    rows, counts, found = layer_freq(
        layer, None, None, request, NORM, None, lambda m: None, attribute=_attribute(layer, name)
    )
    loop = Loop(name, n)
    assert found and counts.total == loop.total
    assert {row.key: row.count for row in rows} == dict(loop.counts)
    assert {row.key: row.docs for row in rows} == dict(loop.held)
    assert [row.key for row in rows] == sorted(loop.counts, key=lambda k: (-loop.counts[k], k))
    for row in rows:
        commonest = sorted(loop.forms[row.key].items(), key=lambda item: (-item[1], item[0]))[:3]
        assert list(row.forms) == commonest
        assert row.per_million == pytest.approx(row.count * 1_000_000 / loop.total)
    left_out = loop.total - sum(loop.counts.values())
    assert counts.left_out == (0 if name == "lemma" else left_out)  # type: ignore[attr-defined]
    if name == "root":  # إلى, مع, في, 2024, hello and ووزير have no root
        assert left_out > 0


def test_value_ngrams_are_the_runs_freq_ngram_counts() -> None:
    """As many n-grams as ``freq --ngram N`` counts (the same runs), none across a sentence
    end, a line end or a document's end; the lemma bigram shows the analyser's lemmas."""
    layer = _layer()
    lemma = _attribute(layer, "lemma")
    for n in (2, 3, 5):
        plain = layer_freq(layer, None, None, FreqRequest(top=0, ngram=n), NORM, None, lambda m: None)[1]
        request = FreqRequest(top=0, ngram=n)
        valued = layer_freq(layer, None, None, request, NORM, None, lambda m: None, attribute=lemma)[1]
        assert valued.total == plain.total == Loop("lemma", n).total
    request = FreqRequest(top=0, ngram=2)
    rows = layer_freq(layer, None, None, request, NORM, None, lambda m: None, attribute=lemma)[0]
    keys = {row.key for row in rows}
    assert "الى وزير" in keys  # إلى الوزراء
    assert "وزير وزير" not in keys  # الوزراء. الوزير: a sentence end between them
    assert "وزير وزير" not in keys and "hello وزير" not in keys  # hello\nالوزراء: a line end
    assert "وزير hello" not in keys  # الوزير (end of the first document) hello (the third's start)
    assert "رسالة مع" in keys  # رسالة، مع: a comma is stepped over
    shown = {row.key: row.term for row in rows}
    assert shown["الى وزير"] == "إلى وزير"  # unvocalized, hamza kept


def test_value_ngram_terms_selection_and_rows_per_document() -> None:
    from corpus_cli.errors import CorpusError

    layer = _layer()
    attribute = _attribute(layer, "root")
    request = FreqRequest(terms=("ك-ت-ب رسل", "وزر ك ت ب", "قول وزر"), ngram=2)
    with pytest.raises(CorpusError, match="has 4 values"):
        layer_freq(layer, None, None, request, NORM, None, lambda m: None, attribute=attribute)
    request = FreqRequest(terms=("ك-ت-ب رسل", "وزر كتب", "قول وزر"), ngram=2)
    rows, _, found = layer_freq(layer, None, [1, 2], request, NORM, None, lambda m: None, attribute=attribute)
    loop = Loop("root", 2, [1, 2])
    assert found
    assert [(row.key, row.count, row.docs) for row in rows] == [
        ("كتب رسل", loop.counts["كتب رسل"], loop.held["كتب رسل"]),
        ("وزر كتب", loop.counts["وزر كتب"], loop.held["وزر كتب"]),
        ("قول وزر", 0, 0),
    ]
    assert loop.counts["كتب رسل"] == 3 and loop.counts["وزر كتب"] == 2  # يكتبون رسالة، الوزير كتب...
    assert rows[2].term == "قول وزر"
    headers = [type("Doc", (), {"id": f"d{i}", "meta": {}})() for i in range(len(TEXTS))]
    by_doc = FreqRequest(top=2, ngram=2, by_doc=True)
    rows, _, _ = layer_freq(
        layer, headers, None, by_doc, NORM, None, lambda m: None, attribute=_attribute(layer, "pos")
    )
    loop = Loop("pos", 2)
    for row in rows:
        number = int(str(row.doc)[1:])
        assert row.count == loop.per_doc[number][row.key]
        assert row.rank is not None and row.rank <= 2


def test_first_values_are_what_cql_and_attr_count(tmp_path: Path) -> None:
    """One function gives CQL's values and ``--attr``'s keys: the same values and value per
    spelling for root and pos; for a lemma, CQL's where a spelling has a reading, else the
    spelling's normalized form (``--attr``) or "" (CQL).  Kept beside a layer on disk, the
    next command reads the same."""
    from corpus_cli.query.cql.attributes import first_values, table
    from corpus_cli.query.morphology import attribute_keys

    for path in (None, tmp_path / "layer"):
        for again in (False, True):
            layer = _layer(path=path) if not again or path is None else TokenLayer.open(path)
            assert layer is not None
            for name in ("lemma", "root", "pos"):
                shared = first_values(layer, NORM, name)
                assert shared is not None
                values = list(shared.values)
                cql = table(layer, NORM, name)
                keys = attribute_keys(layer, NORM, name).keys
                for spelling, form in enumerate(layer.forms()):
                    first = int(shared.first[spelling])
                    value = None if first == NO_KEY else values[first]
                    assert bool(shared.has_reading[spelling]) == (value is not None)
                    assert cql.value(int(cql.of_form[spelling])) == (value or "")
                    number = int(keys.of_form[spelling])
                    counted = None if number == NO_KEY else keys.keys[number]
                    if name != "lemma" or value is not None:
                        assert counted == value, (name, form)
                    if form in READINGS:
                        assert value == EXPECTED[name].get(form), (name, form)
                    elif form in LEMMA and name == "lemma":
                        assert value is None and counted == LEMMA[form]
    kept = sorted(p.name.split("-keys-")[1] for p in tmp_path.glob("layer-keys-*"))
    attributes = ["attribute-lemma", "attribute-pos", "attribute-root"]
    assert [name for name in kept if name.startswith("attribute-")] == attributes
    assert len(kept) == 3 + 3 + 1  # the values of the three, and the lemma keys of --attr


# --------------------------------------------------------------------------- the command


class Analysed:
    """A corpus indexed with ``--morph`` into a private cache."""

    def __init__(self, selection: list[str], cache: Path) -> None:
        self.selection, self.cache = selection, cache

    def run(self, invoke: Invoke, *args: str, index: bool = True) -> Result:
        where = (*self.selection, *(() if index else ("--index", "off")))
        return invoke(*args, *where, env={"CORPUS_CACHE_DIR": str(self.cache)})

    def same(self, invoke: Invoke, *args: str) -> Result:
        """``args`` answered from the index and with ``--index off``: the same stdout
        (bytes), stderr and exit code."""
        indexed = self.run(invoke, *args)
        plain = self.run(invoke, *args, index=False)
        assert (indexed.exit_code, indexed.stdout_bytes, indexed.stderr) == (
            plain.exit_code,
            plain.stdout_bytes,
            plain.stderr,
        ), args
        return indexed


def _analysed(root: Path, selection: list[str]) -> Analysed:
    cache = root / "cache"
    env = {"CORPUS_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    built = run_corpus("index", "build", *selection, "--morph", env=env, text=True, timeout=900)
    assert built.returncode == 0, built.stderr
    return Analysed(selection, cache)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Analysed:
    """The bundled seeds as records with a source (a: the first three, b: the others), and
    one more whose words normalize to nothing (ﹰ) or to words with a space (ﷺ)."""
    pytest.importorskip("farahidi", reason="the extra corpus-cli[morph] is not installed")
    root = tmp_path_factory.mktemp("attribute-ngrams")
    records = [
        {"id": seed.stem, "source": "a" if number < 3 else "b", "text": seed.read_text(encoding="utf-8")}
        for number, seed in enumerate(sorted(SEEDS.glob("*.txt")))
    ]
    odd = "قال الوزير ﷺ في الحديث. كتاب ﹰ جديد قال الوزير ﹰ في الحديث"
    records.append({"id": "odd", "source": "b", "text": odd})
    path = root / "corpus" / "seeds.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return _analysed(root, ["--corpus", str(path.parent), "--id-field", "id"])


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Analysed:
    """The first 12 documents of saudinewsnet (../shared/corpora)."""
    pytest.importorskip("farahidi", reason="the extra corpus-cli[morph] is not installed")
    archive = SHARED_CORPORA / "saudinewsnet.tar.xz"
    if not archive.exists():
        pytest.skip("../shared/corpora is not here")
    root = tmp_path_factory.mktemp("attribute-ngrams-news")
    return _analysed(root, ["--corpus", str(first_documents(archive, 12, root / "corpus"))])


#: freq options that go with --attr A --ngram N, answered from the index and in memory.
OPTIONS = [
    [],
    ["--top", "0", "--format", "jsonl"],
    ["--top", "5", "--format", "csv"],
    ["--top", "5", "--format", "table"],
    ["--by-doc", "--top", "3"],
    ["--by", "source", "--top", "4", "--format", "jsonl"],
    ["--dispersion", "--min-count", "2"],
    ["--forms", "--top", "5"],
    ["--stopwords", "builtin", "--top", "10"],
    ["--match", "وزير", "--top", "0"],
    ["--min-count", "3", "--top", "0", "--no-header"],
]


@pytest.mark.parametrize("name", ["lemma", "root", "pos"])
def test_attr_ngrams_from_the_index_and_in_memory_are_the_same(
    invoke: Invoke, seeds: Analysed, name: str
) -> None:
    for n in ("2", "3"):
        for options in OPTIONS:
            result = seeds.same(invoke, "freq", "--attr", name, "--ngram", n, *options)
            assert result.exit_code == 0, (options, result.stderr)
    first = sorted(SEEDS.glob("*.txt"))[0].stem
    for options in (["--doc", first], ["--doc", "odd"], ["--where", "source=b"]):
        chosen = seeds.same(invoke, "freq", "--attr", name, "--ngram", "2", "--top", "0", *options)
        assert chosen.exit_code == 0, (options, chosen.stderr)
        every = seeds.run(invoke, "freq", "--attr", name, "--ngram", "2", "--top", "0")
        assert sum(int(line.split("\t")[3]) for line in chosen.stdout.splitlines()[1:]) < sum(
            int(line.split("\t")[3]) for line in every.stdout.splitlines()[1:]
        )


def test_attr_ngrams_xlsx_holds_the_tsv_rows(invoke: Invoke, seeds: Analysed) -> None:
    pytest.importorskip("xlsxwriter")
    args = ("freq", "--attr", "lemma", "--ngram", "2", "--top", "5")
    indexed = seeds.run(invoke, *args, "--format", "xlsx")
    plain = seeds.run(invoke, *args, "--format", "xlsx", index=False)
    assert indexed.exit_code == plain.exit_code == 0
    sheet = read_xlsx(indexed.stdout_bytes)
    assert sheet == read_xlsx(plain.stdout_bytes)
    rows = [line.split("\t") for line in seeds.run(invoke, *args).stdout.splitlines()]
    assert sheet[1:] == [
        [float(r[0]), r[1], r[2], float(r[3]), pytest.approx(float(r[4])), float(r[5]), r[6]]
        for r in rows[1:]
    ]


def test_lemma_bigrams_count_the_bigrams_of_freq_ngram_by_lemma(invoke: Invoke, seeds: Analysed) -> None:
    """Each lemma bigram's count is the sum of the word bigrams it shows (with --forms, all
    of them), and all the bigrams together are those of freq --ngram 2 (the same per million)."""
    lemmas = jsonl(
        seeds.same(
            invoke, "freq", "--attr", "lemma", "--ngram", "2", "--top", "0", "--forms", "--format", "jsonl"
        ).stdout
    )
    plain = jsonl(
        seeds.run(invoke, "freq", "--ngram", "2", "--top", "0", "--forms", "--format", "jsonl").stdout
    )
    spelled: Counter[str] = Counter()
    for row in plain:
        spelled.update(row["forms"])
    for row in lemmas:
        assert row["count"] == sum(row["forms"].values())
    every: Counter[str] = Counter()
    for row in lemmas:
        every.update(row["forms"])
    # every bigram's spellings, counted once under its lemmas; those with ﹰ (a word that
    # normalizes to nothing: no lemma) left out, and counted in the per million
    assert every == Counter({form: count for form, count in spelled.items() if "ﹰ" not in form.split(" ")})
    assert len(every) < len(spelled)
    total = sum(r["count"] for r in plain)
    assert all(row["per_million"] == pytest.approx(row["count"] * 1_000_000 / total) for row in lemmas)
    assert any(" " in row["term"] and len(row["key"].split(" ")) > 2 for row in lemmas)  # ﷺ's lemma


def test_root_ngrams_leave_out_the_runs_with_a_word_without_a_root(invoke: Invoke, seeds: Analysed) -> None:
    roots = seeds.same(invoke, "freq", "--attr", "root", "--ngram", "2", "--top", "0", "--format", "jsonl")
    plain = jsonl(seeds.run(invoke, "freq", "--ngram", "2", "--top", "0", "--format", "jsonl").stdout)
    total = sum(row["count"] for row in plain)
    counted = sum(row["count"] for row in jsonl(roots.stdout))
    assert 0 < counted < total
    assert f"{total - counted:,} of {total:,} 2-grams" in roots.stderr
    assert "hold a word with no root" in roots.stderr and "counted in the totals" in roots.stderr
    row = jsonl(roots.stdout)[0]
    assert row["per_million"] == pytest.approx(row["count"] * 1_000_000 / total)


def test_attr_ngram_terms(invoke: Invoke, seeds: Analysed) -> None:
    result = seeds.same(invoke, "freq", "--attr", "lemma", "--ngram", "2", "وَزِير خارجي", "لا شيء")
    assert result.exit_code == 0, result.stderr
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    listed = jsonl(
        seeds.run(invoke, "freq", "--attr", "lemma", "--ngram", "2", "--top", "0", "--format", "jsonl").stdout
    )
    counts = {row["key"]: row["count"] for row in listed}
    assert [(line[2], int(line[3])) for line in lines[1:]] == [
        ("وزير خارجي", counts["وزير خارجي"]),
        ("لا شيء", 0),
    ]
    assert counts["وزير خارجي"] > 0
    wrong = seeds.run(invoke, "freq", "--attr", "root", "--ngram", "2", "ك ت ب")
    assert wrong.exit_code == 2 and "has 3 values" in wrong.stderr and "ك-ت-ب" in wrong.stderr


def test_attr_with_clitics_is_refused_and_says_why(invoke: Invoke, seeds: Analysed) -> None:
    for args in (["--attr", "lemma", "--clitics"], ["--attr", "root", "--ngram", "2", "--clitics", "pro"]):
        result = seeds.run(invoke, "freq", *args)
        assert result.exit_code == 2
        assert "--attr cannot be combined with --clitics" in result.stderr
        assert "taken off by the analyser" in result.stderr


@pytest.mark.parametrize("name", ["lemma", "root", "pos"])
def test_attr_ngrams_on_news_from_the_index_and_in_memory_are_the_same(
    invoke: Invoke, news: Analysed, name: str
) -> None:
    for n in ("2", "4"):
        for options in (["--top", "0", "--format", "jsonl"], ["--by-doc", "--top", "3"], ["--dispersion"]):
            result = news.same(invoke, "freq", "--attr", name, "--ngram", n, *options)
            assert result.exit_code == 0, (options, result.stderr)


# --------------------------------------------------------------------------- --lemma, --root

#: One-token queries that test the morphology against literals: ``--lemma`` and ``--root``
#: (``evaluate._looked_up``: answered from the inverted lists, without masks).
LOOKED_UP = [
    '[lemma="وزير"%l]',
    '[lemma="الوزير"]',
    '[root="كتب"]',
    '[root="ك ت ب"%l]',
    '[root="ك-ت-ب"]',
    '[pos="NOUN"]',
    '[pos="noun"%l & root="وزر"%l]',
    '[lemma="رسالة" & root="رسل" & pos="noun"]',
    '[lemma="زززز"%l]',
    '[root="كتب" & pos="noun"]',
    '[root="رسل"] cut 3',
]


@pytest.mark.parametrize("on_disk", [False, True])
def test_lemma_and_root_lookups_match_as_the_automaton_does(
    tmp_path: Path, on_disk: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The positions from the inverted lists are the automaton's matches, in every
    selection of documents, and are placed as its hits are (``hits.place``)."""
    from corpus_cli.query.cql import evaluate, find_matches, parse
    from corpus_cli.query.cql.hits import _placed_chunks, place

    path = tmp_path / "layer" if on_disk else None
    layer = _layer(path=path)
    if path is not None:  # a second command: the values kept beside the layer
        reopened = TokenLayer.open(path)
        assert reopened is not None
        layer = reopened
    for text in LOOKED_UP:
        query = parse(text)
        for selected in (None, {0, 2}, set()):
            fast = find_matches(layer, query, normalizer=NORM, selected=selected)
            assert evaluate._looked_up(layer, query, NORM, selected) is not None, text
            with monkeypatch.context() as patched:
                patched.setattr(evaluate, "_looked_up", lambda *args: None)
                slow = find_matches(layer, query, normalizer=NORM, selected=selected)
            assert fast == slow, (text, selected)
            assert list(place(layer, fast, NORM)) == list(_placed_chunks(layer, slow, NORM))
    found = find_matches(layer, parse('[root="كتب"]'), normalizer=NORM)
    assert {layer.form(layer.tok[m.first]) for m in found} == {"كتب", "يكتبون"}


@pytest.mark.parametrize(
    "text",
    ['[lemma="وز.*"]', '[lemma=""]', '[lemma!="وزير"]', '@[root="كتب"]', '[word="الوزير"]', '[root="كتب"%c]'],
)
def test_other_queries_are_left_to_the_automaton(text: str) -> None:
    from corpus_cli.query.cql import evaluate, parse

    assert evaluate._looked_up(_layer(), parse(text), NORM, None) is None
