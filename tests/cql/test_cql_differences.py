"""Where CQL here deliberately differs from CQP, with what each side answers on the samples
(``tests/cql/cqp.py``).  README's CQL section documents the same list.

1. ``word`` is the key at the normalization in force, the value normalized too: ours
   ``"الأمير"`` is CQP's ``[norm="الامير"]``, not CQP's ``[word="الأمير"]`` (which is ours
   ``[orig="الأمير"]``).
2. Without ``within``, a match never runs from one document into the next; CQP's token
   stream runs on (``find_matches(..., within_documents=False)`` does as CQP does).
3. A token whose normalized form is empty (the Quran's ۞ and ۩) has the key "": ours
   ``[word=""]`` finds it, CQP stores ``__UNDEF__`` for an empty column.
4. ``%d`` on ``word`` changes nothing (the normalization already removed the marks); on
   ``orig`` it is CQP's ``%d`` (NFD, marks dropped, NFC), which does not fold alef wasla.
5. A label that no constraint uses is allowed (CQP refuses the query: "Illegal use of
   labels", ``cqp/symtab.c: check_labels``).
"""

from __future__ import annotations

import pytest

from corpus_cli.store.layer import NO_KEY
from tests.cql.conftest import NORMALIZER, Sample, sample
from tests.cql.cqp import UNDEF, CqpError


def ours(s: Sample, query: str, *, within_documents: bool = True) -> list[tuple[int, int]]:
    from corpus_cli.query.cql import find_matches, parse

    found = find_matches(
        s.layer, parse(query), normalizer=NORMALIZER, documents=s.metadata, within_documents=within_documents
    )
    return [(m.first, m.last) for m in found]


def cqp(s: Sample, *queries: str) -> list[list[tuple[int, int]]]:
    return [[(m.first, m.last) for m in found] for found in s.cqp.matches([(q, "standard") for q in queries])]


def test_word_is_the_normalized_key_and_orig_is_cqps_word(samples: dict[str, Sample]) -> None:
    s = sample(samples, "news")
    by_word, by_norm = cqp(s, '[word="الأمير"]', '[norm="الامير"]')
    assert ours(s, '"الأمير"') == ours(s, '[word="الامير"]') == by_norm
    assert ours(s, '[orig="الأمير"]') == by_word
    assert set(by_word) < set(by_norm), "the normalization finds الامير too"


@pytest.mark.parametrize(
    ("key", "query"),
    [("news", '[kind="punct"]{2}'), ("tweets", '[kind="emoji"] [kind="word"]'), ("hadith", '"قال" []')],
)
def test_no_match_crosses_a_document(samples: dict[str, Sample], key: str, query: str) -> None:
    s = sample(samples, key)
    (answer,) = cqp(s, query.replace('"قال"', '[norm="قال"]'))
    document_of = s.layer.document_of
    crossing = [m for m in answer if document_of(m[0]) != document_of(m[1])]
    assert crossing, "CQP runs on into the next document"
    assert ours(s, query) == [m for m in answer if m not in crossing]
    assert ours(s, query, within_documents=False) == answer


def test_a_token_whose_key_is_empty(samples: dict[str, Sample]) -> None:
    s = sample(samples, "quran")
    layer = s.layer
    empty = [f for f in range(layer.lexicon_size) if layer.key_of(f) == NO_KEY]
    assert {layer.form(f) for f in empty} >= {"۞"}
    positions = sorted(layer.positions(empty))
    undefined, empty_regex, non_empty = cqp(s, f'[norm="{UNDEF}"]', '[norm="|"]', '[norm!="[^ ]+"]')
    assert [(p, p) for p in positions] == undefined == ours(s, '[word=""]') == ours(s, '"|"')
    assert ours(s, '[word!="[^ ]+"]') == undefined
    assert empty_regex == non_empty == []


def test_diacritics_flag(samples: dict[str, Sample]) -> None:
    hadith = sample(samples, "hadith")
    (by_norm,) = cqp(hadith, '[norm="قال"]')
    assert ours(hadith, '[word="قَالَ"%d]') == ours(hadith, '[word="قال"]') == by_norm
    quran = sample(samples, "quran")
    allah, wasla = cqp(quran, '[word="الله"%d]', '[norm="الله"]')
    assert ours(quran, '[orig="الله"%d]') == allah == []  # ٱ (alef wasla) is a letter of its own
    assert ours(quran, '"الله"') == wasla != []  # the normalization folds it to ا


def test_a_label_nobody_uses(samples: dict[str, Sample]) -> None:
    s = sample(samples, "news")
    (phrase,) = cqp(s, '[norm="ولي"] [norm="العهد"]')
    assert ours(s, 'a:"ولي" "العهد"') == ours(s, '"ولي" "العهد"') == phrase != []
    with pytest.raises(CqpError, match="Illegal use of labels"):
        cqp(s, 'a:[norm="ولي"] [norm="العهد"]')
