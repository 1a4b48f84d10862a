"""``store.layer``: the token layer holds every token of ``tokenize`` at its position, with
its spelling, kind, span, key, document, sentence and line; written beside an index."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("numpy")

from corpus_cli.index.build import build, sweep
from corpus_cli.index.layout import Selection
from corpus_cli.index.read import Index
from corpus_cli.store.corpus import Document, load_corpus
from corpus_cli.store.layer import NO_KEY, TokenLayer, build_layer, layer_path
from corpus_cli.text.normalize import Level, Normalizer
from corpus_cli.text.sentences import sentences
from corpus_cli.text.tokenize import tokenize

STANDARD = Normalizer.for_level(Level.standard)


def assert_layer_holds(layer: TokenLayer, texts: list[str], normalizer: Normalizer = STANDARD) -> None:
    """Every token of every text, in order, as the layer keeps it."""
    position = 0
    sentence = 0
    for number, text in enumerate(texts):
        assert layer.docs[number] == position
        for run in sentences(text):
            assert layer.sentence_starts[sentence] == position
            sentence += 1
            for token in run:
                spelling = layer.tok[position]
                assert layer.form(spelling) == token.text
                assert layer.kind(spelling) is token.kind
                assert layer.span(position) == (token.start, token.end)
                assert layer.document_of(position) == number
                assert layer.line_of(position) == text.count("\n", 0, token.start) + 1
                key = normalizer.normalize(token.text)
                if key:
                    assert layer.key(layer.key_of(spelling)) == key
                else:
                    assert layer.key_of(spelling) == NO_KEY
                position += 1
    assert position == layer.tokens == layer.docs[len(texts)]
    assert layer.documents == len(texts) and layer.sentences == sentence


def test_the_seeds_token_by_token(seed_texts: dict[str, str]) -> None:
    texts = list(seed_texts.values())
    assert_layer_holds(build_layer(texts, STANDARD), texts)


def test_every_shared_corpus_token_by_token(every_corpus: Path) -> None:
    for folder in sorted(every_corpus.iterdir()):
        texts = [d.text for d in load_corpus([str(folder)]).documents]
        assert_layer_holds(build_layer(texts, STANDARD), texts)


def test_edge_cases_empty_documents_blank_lines_and_odd_tokens() -> None:
    texts = [
        "",
        "\n\n  \n",
        "قال: «نعم.» ثم ذهب!\n\nhttps://a.b/c?d=1 😀 ـــ\r\n٣٫٥ كِتَابٌ",
        "سطر\nسطر آخر",
    ]
    layer = build_layer(texts, STANDARD)
    assert_layer_holds(layer, texts)
    assert [layer.docs[i] for i in range(5)] == [0, 0, 0, layer.docs[3], layer.tokens]
    # Lines are numbered in their documents, blank ones counted.
    third = [p for p in range(layer.docs[2], layer.docs[3])]
    assert {layer.line_of(p) for p in third} == {1, 3, 4}
    assert [layer.line_of(p) for p in range(layer.docs[3], layer.tokens)] == [1, 2, 2]


def test_lexicons_sorted_and_inverted_lists_complete(seed_texts: dict[str, str]) -> None:
    texts = list(seed_texts.values())
    layer = build_layer(texts, STANDARD)
    forms, keys = layer.forms(), layer.keys()
    assert forms == sorted(forms) and keys == sorted(keys) and len(set(keys)) == len(keys)
    seen = 0
    for spelling in range(layer.lexicon_size):
        positions = list(layer.postings(spelling))
        assert positions == sorted(positions)
        assert all(layer.tok[p] == spelling for p in positions)
        assert layer.frequency(spelling) == len(positions)
        seen += len(positions)
        assert spelling in layer.find_form(forms[spelling])
        key = layer.key_of(spelling)
        if key != NO_KEY:
            assert spelling in layer.forms_of_key(key)
            assert layer.find_key(keys[key]) == key
    assert seen == layer.tokens
    assert layer.find_key("لا-يوجد-هذا") is None and list(layer.find_form("xyz-none")) == []
    # A key's positions are those of all its spellings.
    key = max(range(layer.key_count), key=lambda k: len(layer.forms_of_key(k)))  # most spellings
    assert len(layer.forms_of_key(key)) > 1
    merged = layer.positions(layer.forms_of_key(key))
    assert merged == sorted(p for p in range(layer.tokens) if layer.key_of(layer.tok[p]) == key)


def test_kinds_and_positions_of_spellings() -> None:
    texts = ["x ٣ x!", "٣ https://a.b 😀"]
    layer = build_layer(texts, STANDARD)
    kinds = {layer.form(i): layer.kind(i).value for i in range(layer.lexicon_size)}
    assert kinds == {"x": "word", "٣": "number", "!": "punct", "https://a.b": "url", "😀": "emoji"}
    assert layer.positions(layer.find_form("x")) == [0, 2]
    assert layer.positions(layer.find_form("٣")) == [1, 4]


def test_an_index_writes_its_layer_beside_it(tmp_path: Path, seed_texts: dict[str, str]) -> None:
    from corpus_cli.store.corpus import Corpus

    docs = [Document(i, i, t) for i, t in seed_texts.items()]
    selection = Selection.of([str(tmp_path)], "*.txt", STANDARD)
    dest = tmp_path / "out" / "x.corpus-index"
    build(Corpus(docs), selection, STANDARD, dest)
    assert layer_path(dest).name == "x.corpus-index-tokens" and layer_path(dest).is_file()
    index = Index(dest)
    layer = index.layer()
    assert layer is not None and layer.identity == index.meta["layer"]
    assert_layer_holds(layer, list(seed_texts.values()))
    # Another build's layer (or a damaged file) beside the index is never used.
    other = tmp_path / "other" / "x.corpus-index"
    build(Corpus(docs), selection, STANDARD, other)
    layer_path(dest).write_bytes(layer_path(other).read_bytes())
    assert Index(dest).layer() is None
    layer_path(dest).write_bytes(b"not a layer")
    assert Index(dest).layer() is None
    # Its own layer, cut short or with an array's end overwritten: not used either.
    whole = (
        layer_path(other)
        .read_bytes()
        .replace(Index(other).meta["layer"].encode(), index.meta["layer"].encode())
    )
    layer_path(dest).write_bytes(whole)
    assert Index(dest).layer() is not None
    layer_path(dest).write_bytes(whole[: len(whole) - 100])
    assert Index(dest).layer() is None
    layer = TokenLayer(whole)
    offset, count = layer.header["arrays"]["docs"]
    at = layer._base + offset + 4 * (count - 1)
    layer_path(dest).write_bytes(whole[:at] + (10**6).to_bytes(4, "little") + whole[at + 4 :])
    assert Index(dest).layer() is None
    layer_path(dest).unlink()
    assert Index(dest).layer() is None


def test_without_positions_no_layer_and_no_stale_one(tmp_path: Path, seed_texts: dict[str, str]) -> None:
    from corpus_cli.store.corpus import Corpus

    docs = Corpus([Document(i, i, t) for i, t in seed_texts.items()])
    selection = Selection.of([str(tmp_path)], "*.txt", STANDARD)
    dest = tmp_path / "x.corpus-index"
    build(docs, selection, STANDARD, dest)
    assert layer_path(dest).exists()
    build(docs, selection, STANDARD, dest, positions=False)
    assert not layer_path(dest).exists() and Index(dest).layer() is None


def test_sweep_removes_a_dead_builds_layer(tmp_path: Path) -> None:
    dead = tmp_path / ".k.corpus-index-tokens.999999999.tmp"
    dead.write_bytes(b"x")
    alive = tmp_path / f".k.corpus-index-tokens.{__import__('os').getpid()}.tmp"
    alive.write_bytes(b"x")
    assert sweep(tmp_path) == [dead]
    assert alive.exists()


def test_a_layer_at_one_level_gives_keys_at_another(seed_texts: dict[str, str]) -> None:
    from corpus_cli.query.positions import Keys

    texts = list(seed_texts.values())
    layer = build_layer(texts, STANDARD)
    for normalizer in (Normalizer.for_level(Level.aggressive), STANDARD.with_steps(alef=False)):
        keys = Keys.of(layer, normalizer)
        for spelling, form in enumerate(layer.forms()):
            key = normalizer.normalize(form)
            number = keys.of_form[spelling]
            assert (keys.keys[number] if number != NO_KEY else "") == key
        assert Keys.of(layer, normalizer) is keys  # made once per layer and level
    stored = Keys.of(layer, STANDARD)
    assert list(stored.keys) == layer.keys()


def test_tokens_match_tokenize_exactly_for_a_big_text() -> None:
    # Past a megabyte the tokenizer takes its fast path: the layer is the same.
    text = "في الرياض، قال الوزير: «نعم». " * 40_000
    layer = build_layer([text], STANDARD)
    expected = list(tokenize(text))
    assert layer.tokens == len(expected)
    for position in (0, 1, 7, len(expected) // 2, len(expected) - 1):
        assert layer.span(position) == (expected[position].start, expected[position].end)


def test_keys_at_another_level_are_kept_beside_an_index_layer(
    tmp_path: Path, seed_texts: dict[str, str]
) -> None:
    from corpus_cli.query.positions import Keys
    from corpus_cli.store.corpus import Corpus
    from corpus_cli.store.layer import remove_layer

    docs = Corpus([Document(i, i, t) for i, t in seed_texts.items()])
    selection = Selection.of([str(tmp_path)], "*.txt", STANDARD)
    dest = tmp_path / "x.corpus-index"
    build(docs, selection, STANDARD, dest)
    aggressive = Normalizer.for_level(Level.aggressive)
    layer = Index(dest).layer()
    assert layer is not None
    made = Keys.of(layer, aggressive)
    kept = sorted(tmp_path.glob("x.corpus-index-tokens-keys-*"))
    assert len(kept) == 1
    again = Index(dest).layer()
    assert again is not None
    assert again.saved_keys(aggressive.active_steps) is not None
    found = Keys.of(again, aggressive)
    assert list(found.keys) == list(made.keys) and list(found.of_form) == list(made.of_form)
    # Keys kept for another build of the layer are not used.
    build(docs, selection, STANDARD, dest)
    rebuilt = Index(dest).layer()
    assert rebuilt is not None and rebuilt.saved_keys(aggressive.active_steps) is None
    remove_layer(dest)
    assert not list(tmp_path.glob("x.corpus-index-tokens*"))


def test_a_spelling_found_as_two_kinds_is_two_entries() -> None:
    """No tokenizer rule gives one spelling two kinds today (none in saudinewsnet's 322,000
    spellings), but the layer would keep them apart: parts made by hand, from two sources
    (workers) that number their spellings each in its own way."""
    import io
    from array import array

    from corpus_cli.store.layer import KINDS, LayerBuilder, Part
    from corpus_cli.text.tokenize import Kind

    def part(kinds: list[Kind], ids: list[int], first: int) -> Part:
        one, two = array("I", [len(ids)]), array("I", [1])
        return Part(
            ["x"] * len(kinds),
            bytes(KINDS.index(kind) for kind in kinds),
            array("I", ids).tobytes(),
            array("I", range(0, 2 * len(ids), 2)).tobytes(),
            one.tobytes(),
            one.tobytes(),
            one.tobytes(),
            two.tobytes(),
            first,
        )

    builder = LayerBuilder()
    builder.add(part([Kind.word], [0, 0], 0), source=0)  # positions 0 1
    builder.add(part([Kind.punct, Kind.word], [0, 1, 1], 0), source=1)  # 2 3 4
    builder.add(part([], [0, 0], 1), source=0)  # 5 6: known to its source
    builder.add(part([Kind.punct], [0, 1], 1), source=0)  # 7 8
    with pytest.raises(ValueError):
        builder.add(part([Kind.punct], [0], 0), source=0)  # numbered as if it were the first
    out = io.BytesIO()
    builder.finish(STANDARD, out)
    layer = TokenLayer(out.getbuffer())
    assert layer.lexicon_size == 2 and list(layer.find_form("x")) == [0, 1]
    assert [layer.kind(i) for i in range(2)] == [Kind.word, Kind.punct]
    assert layer.positions([0]) == [0, 1, 3, 4, 5, 6, 7] and layer.positions([1]) == [2, 8]


def test_a_numbering_numbers_each_entry_once() -> None:
    import numpy as np

    from corpus_cli.store.layer import Numbering

    numbering = Numbering()
    codes = np.asarray([0, 0, 4], dtype=np.uint8)
    assert numbering.number(np, ["b", "a", "b"], codes).tolist() == [0, 1, 2]  # b as a word, then as punct
    assert numbering.number(np, ["a", "c", "b", "b"], np.asarray([0, 0, 4, 0], np.uint8)).tolist() == [
        1,
        3,
        2,
        0,
    ]
    assert numbering.spellings == ["b", "a", "b", "c"] and bytes(numbering.kinds) == bytes([0, 0, 4, 0])


def test_parts_carry_only_the_spellings_new_to_their_numbering(seed_texts: dict[str, str]) -> None:
    from corpus_cli.store.layer import Numbering, part_of

    texts = list(seed_texts.values())
    numbering = Numbering()
    first = part_of(texts[:2], numbering)
    second = part_of(texts[2:], numbering)
    assert first.first == 0 and second.first == len(first.spellings) > 0
    assert not set(first.spellings) & set(second.spellings)
    assert numbering.spellings == first.spellings + second.spellings


@pytest.mark.parametrize(
    ("tokens", "spellings", "chunk", "read"),
    [(0, 3, 4, 3), (10, 3, 4, 3), (1000, 50, 7, 64), (50_000, 900, 4096, 999), (50_000, 900, 1 << 20, 999)],
)
def test_inverted_lists_sorted_range_by_range_are_a_stable_sort(
    monkeypatch, tmp_path: Path, tokens, spellings, chunk, read
) -> None:
    import numpy as np

    from corpus_cli.store import layer as layer_module

    monkeypatch.setattr(layer_module, "SORT_CHUNK", chunk)
    monkeypatch.setattr(layer_module, "READ_CHUNK", read)
    rng = np.random.default_rng(tokens)
    tok = (rng.zipf(1.3, tokens) % spellings).astype(np.uint32)  # a few spellings hold most tokens
    spill = layer_module._Spill(tmp_path)
    spill.append(tok)
    lists = list(layer_module._sorted_lists(np, spill, np.bincount(tok, minlength=spellings)))
    got = np.concatenate(lists) if lists else np.empty(0, dtype=np.uint32)
    assert got.tolist() == np.argsort(tok, kind="stable").tolist()
    assert (len(lists) > 1) == (0 < chunk < tokens)
    spill.close()
    assert list(tmp_path.iterdir()) == []  # an unnamed temporary file


def test_a_layer_made_in_small_pieces_is_the_same_layer(monkeypatch, seed_texts: dict[str, str]) -> None:
    """Small parts, small reads and small sorts: the same bytes."""
    from corpus_cli.store import layer as layer_module

    texts = list(seed_texts.values())
    whole = bytes(build_layer(texts, STANDARD).buffer)
    monkeypatch.setattr(layer_module, "SORT_CHUNK", 97)
    monkeypatch.setattr(layer_module, "READ_CHUNK", 50)
    monkeypatch.setattr(layer_module, "PART_SIZE", 300)
    assert bytes(build_layer(texts, STANDARD).buffer) == whole


def test_a_builder_spills_to_unnamed_files_in_its_folder(tmp_path: Path, seed_texts: dict[str, str]) -> None:
    import io

    from corpus_cli.store.layer import LayerBuilder, part_of

    texts = list(seed_texts.values())
    builder = LayerBuilder(tmp_path)
    builder.add(part_of(texts))
    assert list(tmp_path.iterdir()) == []
    out = io.BytesIO()
    builder.finish(STANDARD, out)
    assert out.getvalue() == bytes(build_layer(texts, STANDARD).buffer)


def test_sentences_and_lines_at_their_edges() -> None:
    """Where the vectorized rules of ``part_of`` could slip: a run of ends, closers right
    after an end or not, a straight quote touching the end or spaced from it, a line end
    inside a run, a quote opening a document, CRLF, a document that ends on an end."""
    texts = [
        '"قال." "نعم" ثم.) لا (نعم). و',
        "أ؟! ب... ج\n.» د «هـ.» و\r\nز",
        ")؟ x. ' y.' z.'\n' w",
        ". . .",
        "",
        "x",
        '\n\nx.\n\n"y"',
    ]
    assert_layer_holds(build_layer(texts, STANDARD), texts)


def test_parts_from_columns_are_the_parts_from_tuples(monkeypatch, seed_texts: dict[str, str]) -> None:
    """``part_of`` takes most texts as columns (``token_columns``) and the rest as
    ``tokenize``'s tuples: the same part either way, in one batch that mixes them (a
    URL, tatweel alone, empty text, blank lines)."""
    from corpus_cli.store.layer import Numbering, part_of
    from corpus_cli.text import tokenize as tokenize_module

    texts = [
        *seed_texts.values(),
        "زار www.spa.gov.sa الموقع.",
        "موقع www.spa.gov.sa",  # a URL here, a word in the next text
        "اسم النطاق spa.gov.sa وحده، و ـــ وحدها",  # tatweel alone: no token
        "",
        "سطر\n\nوسطر آخر؟ نعم!",
    ]
    monkeypatch.setattr(tokenize_module, "token_columns", lambda text: None)
    monkeypatch.setattr("corpus_cli.store.layer.token_columns", lambda text: None)
    by_tuples = part_of(texts, Numbering())
    monkeypatch.undo()
    monkeypatch.setattr(tokenize_module, "_tokenized", [tokenize_module._PLAIN_AFTER])
    used = []
    real = tokenize_module.token_columns

    def columns(text: str) -> tokenize_module.Columns | None:
        used.append(real(text))
        return used[-1]

    monkeypatch.setattr("corpus_cli.store.layer.token_columns", columns)
    by_columns = part_of(texts, Numbering())
    assert sum(found is not None for found in used) >= len(seed_texts)
    assert sum(found is None for found in used) >= 2
    assert by_columns == by_tuples
