"""CQL's lemma, root and pos against CQP (CWB 3.5.1): the corpus exported with
``corpus export --attributes lemma,root,pos``, encoded with those three p-attributes, and
queried by cqp; the same matches as ``find_matches`` on the corpus's token layer (built in
memory, analysed from the same cache of analyses) and as ``corpus query`` (from an index
built with ``--morph``), on the seeds and a sample of saudinewsnet (``MORPH_NEWS``).

Each case is written twice, explicitly: ours, then what CQP is asked.  The export writes
each value as ours compares it (``query.cql.attributes.morphology_normalizer``), so CQP is
asked for the value written that way: a lemma unvocalized and normalized as ``norm``
(ours ``[lemma="أزمة"]`` = CQP ``[lemma="ازمة"]``), a root as its letters with its hamza as
ء (ours ``[root="أ م ن"]`` = CQP ``[root="ءمن"]``), a part of speech in lower case.  A token
without a reading has the value "" in ours and ``__UNDEF__`` in CQP (cwb-encode's empty
column).  The other attributes map as in ``test_cqp_differential.py``.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

import pytest

from tests.cql.conftest import MORPHOLOGY, NORMALIZER, MorphCorpus
from tests.cql.cqp import P_ATTRIBUTES, CqpMatch, decode_tokens, nfc, outside_quotes


class Case(NamedTuple):
    construct: str
    corpus: str
    ours: str
    cqp: str
    strategy: str = "standard"
    readings: str = "first"  # any: ours with --readings any, CQP on the feature sets


C = Case
CASES = [
    # ------------------------------------------------------------------ lemma
    C("lemma", "seeds", '[lemma="وزير"]', '[lemma="وزير"]'),
    C("lemma", "seeds", '[lemma="أزمة"]', '[lemma="ازمة"]'),
    C("lemma", "seeds", '[lemma="أَزْمَة"]', '[lemma="ازمة"]'),
    C("lemma", "seeds", '[lemma="سوري"]', '[lemma="سوري"]'),
    C("lemma", "seeds", '[lemma="في"]', '[lemma="في"]'),
    C("lemma", "seeds", '[lemma="إلى"]', '[lemma="الى"]'),
    C("lemma", "seeds", '[lemma="خارجي"]', '[lemma="خارجي"]'),
    C("lemma", "seeds", '[lemma="منطقة"%l]', '[lemma="منطقة"%l]'),
    C("lemma", "seeds", '[lemma="أمن"%l]', '[lemma="امن"%l]'),
    C("lemma", "seeds", '[lemma!="في"]', '[lemma!="في"]'),
    C("lemma", "seeds", '[lemma=""]', '[lemma="__UNDEF__"]'),
    # ------------------------------------------------------------------ root
    C("root", "seeds", '[root="خرج"]', '[root="خرج"]'),
    C("root", "seeds", '[root="ع م ل"]', '[root="عمل"]'),
    C("root", "seeds", '[root="و-ز-ر"]', '[root="وزر"]'),
    C("root", "seeds", '[root="أمن"]', '[root="ءمن"]'),
    C("root", "seeds", '[root="ءزم"]', '[root="ءزم"]'),
    C("root", "seeds", '[root="سور"]', '[root="سور"]'),
    C("root", "seeds", '[root=""]', '[root="__UNDEF__"]'),
    # ------------------------------------------------------------------ pos
    C("pos", "seeds", '[pos="noun"]', '[pos="noun"]'),
    C("pos", "seeds", '[pos="VERB"]', '[pos="verb"]'),
    C("pos", "seeds", '[pos="function"]', '[pos="function"]'),
    C("pos", "seeds", '[pos=""]', '[pos="__UNDEF__"]'),
    C("pos", "seeds", '[pos!="noun"]', '[pos!="noun"]'),
    # ------------------------------------------------------------------ regular expressions
    C("regex", "seeds", '[lemma="سوري.*"]', '[lemma="سوري.*"]'),
    C("regex", "seeds", '[lemma="أ.*"]', '[lemma="ا.*"]'),
    C("regex", "seeds", '[lemma=".*ية"]', '[lemma=".*ية"]'),
    C("regex", "seeds", '[lemma="(وزير|وزارة)"]', '[lemma="(وزير|وزارة)"]'),
    C("regex", "seeds", '[root="ء.*"]', '[root="ء.*"]'),
    C("regex", "seeds", '[root="..."]', '[root="..."]'),
    C("regex", "seeds", '[pos="n.*|v.*"]', '[pos="n.*|v.*"]'),
    C("regex", "seeds", '[lemma="ال.*"]', '[lemma="ال.*"]'),
    # ------------------------------------------------------------------ with word, orig, kind
    C("with word", "seeds", '[lemma="سوري" & word!="سوريا"]', '[lemma="سوري" & norm!="سوريا"]'),
    C("with word", "seeds", '[root="خرج" & orig="الخارجية"]', '[root="خرج" & word="الخارجية"]'),
    C(
        "with word",
        "seeds",
        '[pos="noun" & kind="word" & word="ال.*"]',
        '[pos="noun" & kind="word" & norm="ال.*"]',
    ),
    C("with word", "seeds", '[lemma="وزير" | root="وزر"]', '[lemma="وزير" | root="وزر"]'),
    C("with word", "seeds", '[!(pos="noun") & kind="word"]', '[!(pos="noun") & kind="word"]'),
    C("with word", "seeds", '[word="ال.*" & lemma!="ال.*"]', '[norm="ال.*" & lemma!="ال.*"]'),
    C("with word", "seeds", '[word="سوريا" & lemma="سوري|سوريا"]', '[norm="سوريا" & lemma="سوري|سوريا"]'),
    # ------------------------------------------------------------------ sequences
    C("sequence", "seeds", '[pos="noun"] [pos="noun"]', '[pos="noun"] [pos="noun"]'),
    C(
        "sequence",
        "seeds",
        '[pos="verb"] [pos="noun"] [pos="noun"]',
        '[pos="verb"] [pos="noun"] [pos="noun"]',
    ),
    C("sequence", "seeds", '[lemma="وزير"] [root="خرج"]', '[lemma="وزير"] [root="خرج"]'),
    C("sequence", "seeds", '"وزارة" [lemma="خارجي"]', '[norm="وزارة"] [lemma="خارجي"]'),
    C("sequence", "seeds", '[pos="function"] [pos="noun"]{2,3}', '[pos="function"] [pos="noun"]{2,3}'),
    C("sequence", "seeds", '[pos="noun"]+ [kind="punct"]', '[pos="noun"]+ [kind="punct"]'),
    C("sequence", "seeds", '[pos="noun"]+', '[pos="noun"]+', "longest"),
    C("sequence", "seeds", '[lemma="في"] []{0,2} [root="سور"]', '[lemma="في"] []{0,2} [root="سور"]'),
    C(
        "sequence",
        "seeds",
        '[pos="verb"] []* [lemma="سوري"] within s',
        '[pos="verb"] []* [lemma="سوري"] within s',
    ),
    C("sequence", "seeds", '@[pos="noun"] [lemma="مصري"]', '@[pos="noun"] [lemma="مصري"]'),
    C("labels", "seeds", 'a:[pos="noun"] b:[] :: a.lemma=b.lemma', 'a:[pos="noun"] b:[] :: a.lemma=b.lemma'),
    C(
        "labels",
        "seeds",
        'a:[] b:[] :: a.root=b.root & a.kind="word"',
        'a:[] b:[] :: a.root=b.root & a.kind="word"',
    ),
    # ------------------------------------------------------------------ news (saudinewsnet)
    C("lemma", "news", '[lemma="أمير"]', '[lemma="امير"]'),
    C("nothing", "news", '[lemma="الأمير"]', '[lemma="الامير"]'),
    C("lemma", "news", '[lemma="عِيد"]', '[lemma="عيد"]'),
    C("lemma", "news", '[lemma="سعودي"]', '[lemma="سعودي"]'),
    C("lemma", "news", '[lemma="أمانة"%l]', '[lemma="امانة"%l]'),
    C("lemma", "news", '[lemma="قال"]', '[lemma="قال"]'),
    C("lemma", "news", '[lemma=""]', '[lemma="__UNDEF__"]'),
    C("root", "news", '[root="م ل ك"]', '[root="ملك"]'),
    C("root", "news", '[root="رأس"]', '[root="رءس"]'),
    C("root", "news", '[root="س-ع-د"]', '[root="سعد"]'),
    C("root", "news", '[root="ق و ل"]', '[root="قول"]'),
    C("pos", "news", '[pos="Verb"]', '[pos="verb"]'),
    C("pos", "news", '[pos="function"]', '[pos="function"]'),
    C("regex", "news", '[lemma="م.*ة"]', '[lemma="م.*ة"]'),
    C("regex", "news", '[lemma="(أمير|ملك|وزير)"]', '[lemma="(امير|ملك|وزير)"]'),
    C("regex", "news", '[root="ء.."]', '[root="ء.."]'),
    C("regex", "news", '[root=".ل."]', '[root=".ل."]'),
    C("nothing", "news", '[lemma="[0-9]+"]', '[lemma="[0-9]+"]'),
    C("with word", "news", '[lemma="أمير" & orig="الأمير"]', '[lemma="امير" & word="الأمير"]'),
    C("with word", "news", '[root="ملك" & word!="المملكة"]', '[root="ملك" & norm!="المملكة"]'),
    C("with word", "news", '[pos="verb" & word="و.*"]', '[pos="verb" & norm="و.*"]'),
    C("with word", "news", '[kind="number" | pos="function"]', '[kind="number" | pos="function"]'),
    C("sequence", "news", '[lemma="وزير"] [pos="noun"]', '[lemma="وزير"] [pos="noun"]'),
    C("sequence", "news", '[pos="noun"] [pos="noun"] [pos="noun"]', '[pos="noun"] [pos="noun"] [pos="noun"]'),
    C("sequence", "news", '[pos="verb"] [pos="noun"]', '[pos="verb"] [pos="noun"]', "shortest"),
    C("sequence", "news", '[lemma="أمير"] [pos="noun"]', '[lemma="امير"] [pos="noun"]'),
    C(
        "sequence",
        "news",
        '[root="قول"] []{0,3} [lemma="أن"] within s',
        '[root="قول"] []{0,3} [lemma="ان"] within s',
    ),
    C("sequence", "news", '[pos="noun"]{2,} [kind="punct"]', '[pos="noun"]{2,} [kind="punct"]', "longest"),
    C(
        "match.doc",
        "news",
        '[pos="verb"] [lemma="في"] :: match.doc_source="okaz" | match.doc_source="sabq"',
        '[pos="verb"] [lemma="في"] :: match.doc_source="okaz" | match.doc_source="sabq"',
    ),
    C(
        "labels",
        "news",
        'a:[pos="noun"] b:[pos="noun"] :: a.root=b.root',
        'a:[pos="noun"] b:[pos="noun"] :: a.root=b.root',
    ),
    # ------------------------------------------------------------------ any reading: the feature sets
    C("any reading", "seeds", '[lemma="زار"]', '[lemma_set contains "زار"]', readings="any"),
    C("any reading", "seeds", '[lemma="خارجية"]', '[lemma_set contains "خارجية"]', readings="any"),
    C("any reading", "seeds", '[root="ع ي ن"]', '[root_set contains "عين"]', readings="any"),
    C("any reading", "seeds", '[pos="verb"]', '[pos_set contains "verb"]', readings="any"),
    C("any reading", "seeds", '[lemma="أولوية"]', '[lemma_set contains "اولوية"]', readings="any"),
    C("any reading", "seeds", '[lemma="مجال.*"]', '[lemma_set contains "مجال.*"]', readings="any"),
    C("any reading", "seeds", '[lemma=""]', '[lemma_set="\\|"]', readings="any"),
    C("any reading", "seeds", '[pos!="noun"]', '[!(pos_set contains "noun")]', readings="any"),
    C(
        "any reading",
        "seeds",
        '[pos="verb" & pos="noun"] [lemma="في"]',
        '[pos_set contains "verb" & pos_set contains "noun"] [lemma_set contains "في"]',
        readings="any",
    ),
    C("any reading", "news", '[lemma="قال"]', '[lemma_set contains "قال"]', readings="any"),
    C("lempos", "seeds", '[lempos="سوري-n"]', '[lempos="سوري-n"]'),
    C("lempos", "news", '[lempos="قدم-v"]', '[lempos="قدم-v"]'),
    C("lempos", "news", '[lempos="أكد-V"] [pos="noun"]', '[lempos="اكد-v"] [pos="noun"]'),
    C("lempos", "news", '[lempos=".*-f"]', '[lempos=".*-f"]'),
    C("any reading", "news", '[lempos="قدم-n"]', '[lempos_set contains "قدم-n"]', readings="any"),
    C(
        "any reading",
        "news",
        '[root="ملك"] [pos="verb"]',
        '[root_set contains "ملك"] [pos_set contains "verb"]',
        readings="any",
    ),
    C("any reading", "news", '[root="ء.."]', '[root_set contains "ء.."]', readings="any"),
    C("nothing", "news", '[lemma="لاتوجدكلمةكهذه"]', '[lemma="لاتوجدكلمةكهذه"]'),
    C("nothing", "seeds", '[lemma="لاتوجدكلمةكهذه"]', '[lemma="لاتوجدكلمةكهذه"]'),
    C("sequence", "seeds", '[pos="verb"] [pos="verb"] [pos="verb"] [pos="verb"]', '[pos="verb"]{4}'),
    C("nothing", "seeds", '[pos="verb"]{5}', '[pos="verb"]{5}'),
]


def cqp_within_doc(query: str) -> str:
    """CQP's equivalent of ``query`` as our CLI runs it (no match crosses a document)."""
    return query if "within" in outside_quotes(query) else f"{query} within doc"


def _param(case: Case) -> object:
    return pytest.param(
        case, id=f"{case.construct}|{case.corpus}|{case.ours}|{case.strategy}|{case.readings}"
    )


def _corpus(morph_corpora: dict[str, MorphCorpus], key: str) -> MorphCorpus:
    if key not in morph_corpora:
        pytest.skip(f"no {key} corpus (saudinewsnet is not unpacked)")
    return morph_corpora[key]


@pytest.fixture(scope="session")
def morph_answers(morph_corpora: dict[str, MorphCorpus]) -> dict[tuple[str, str, str], list[CqpMatch]]:
    """CQP's matches of every case, as written and within doc, one cqp process per corpus."""
    answers = {}
    for key, corpus in morph_corpora.items():
        cases = [c for c in CASES if c.corpus == key]
        asked = sorted({(nfc(q), c.strategy) for c in cases for q in (c.cqp, cqp_within_doc(c.cqp))})
        for (query, strategy), found in zip(asked, corpus.cqp.matches(asked), strict=True):
            answers[(key, query, strategy)] = found
    return answers


def _ours(
    corpus: MorphCorpus, case: Case, *, within_documents: bool
) -> list[tuple[int, int, int | None, int | None]]:
    from corpus_cli.query.cql import find_matches, parse

    found = find_matches(
        corpus.layer,
        parse(case.ours),
        normalizer=NORMALIZER,
        strategy=case.strategy,
        documents=corpus.metadata,
        within_documents=within_documents,
        any_reading=case.readings == "any",
    )
    return [(m.first, m.last, m.target, m.keyword) for m in found]


def test_the_suite_covers_each_attribute() -> None:
    assert len({(c.corpus, c.ours, c.strategy, c.readings) for c in CASES}) == len(CASES), "a case is twice"
    for name in ("lemma", "root", "pos", "lempos"):
        tests = re.compile(rf"\b{name}!?=")  # not pos in lempos
        assert sum(bool(tests.search(c.ours)) for c in CASES) >= (8 if name != "lempos" else 4), name
    assert sum(c.construct == "sequence" for c in CASES) >= 8


def test_the_export_holds_the_layers_values(morph_corpora: dict[str, MorphCorpus], cwb) -> None:
    """The VRT's columns are the layer's first readings at the comparison of ours, token
    for token, as CQP decodes them, and the feature sets all its readings' values."""
    from corpus_cli.query.cql.attributes import table

    for corpus in morph_corpora.values():
        decoded = decode_tokens(cwb, corpus.cqp.registry, corpus.key, (*P_ATTRIBUTES, *MORPHOLOGY))
        assert len(decoded) == corpus.layer.tokens
        tok = corpus.layer.numpy("tok")
        names = ("lemma", "root", "pos", "lempos")
        for column, name in enumerate(names, start=5):
            found = table(corpus.layer, NORMALIZER, name)
            expected = [found.value(int(found.of_form[t])) or "__UNDEF__" for t in tok]
            assert [row[column] for row in decoded] == expected, (corpus.key, name)
            assert found.readings is not None
            offsets, numbers = found.readings()
            values = found.values()
            members = [{values[n] for n in numbers[offsets[t] : offsets[t + 1]]} - {""} for t in tok]
            sets = column + len(names)
            assert [set(row[sets].strip("|").split("|")) - {""} for row in decoded] == members
        assert sum(row[7] == "noun" for row in decoded) > corpus.layer.tokens // 3
        assert sum("|verb|" in row[11] and row[7] != "verb" for row in decoded) > 100  # ambiguity kept
        assert all(row[8] == f"{row[5]}-{row[7][0]}" for row in decoded if row[7] != "__UNDEF__")


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_morphology_agrees_with_cqp(
    morph_corpora: dict[str, MorphCorpus],
    morph_answers: dict[tuple[str, str, str], list[CqpMatch]],
    case: Case,
) -> None:
    corpus = _corpus(morph_corpora, case.corpus)
    expected = morph_answers[(case.corpus, nfc(case.cqp), case.strategy)]
    if case.construct == "nothing":
        assert expected == []
    else:
        assert expected, f"CQP finds nothing for {case.cqp}: the case tests nothing"
    assert _ours(corpus, case, within_documents=False) == [tuple(m) for m in expected]
    within = morph_answers[(case.corpus, nfc(cqp_within_doc(case.cqp)), case.strategy)]
    if "within" not in outside_quotes(case.ours):
        assert _ours(corpus, case, within_documents=True) == [tuple(m) for m in within]


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_corpus_query_agrees_with_cqp(
    invoke,
    morph_corpora: dict[str, MorphCorpus],
    morph_answers: dict[tuple[str, str, str], list[CqpMatch]],
    case: Case,
) -> None:
    """``corpus query`` (from the index built with --morph) prints the matches CQP finds
    within a document: same document, same characters (placed as ``corpus query`` places
    a match: ``cql.hits.place``, a tatweel that ends a token left out)."""
    from corpus_cli.query.cql.hits import place

    corpus = _corpus(morph_corpora, case.corpus)
    found = morph_answers[(case.corpus, nfc(cqp_within_doc(case.cqp)), case.strategy)]
    places = corpus.places
    expected = [
        (places[hit.position][0], hit.start, hit.end)
        for group in place(corpus.layer, found, NORMALIZER)  # type: ignore[arg-type]
        for hit in group.hits
    ]
    assert len(expected) == len(found)
    args = [*corpus.options, "query", case.ours, "--strategy", case.strategy, "--readings", case.readings]
    args += ["--format", "jsonl"]
    result = invoke(*args, env={"CORPUS_CACHE_DIR": str(corpus.cache)})
    assert result.exit_code == (0 if expected else 1), result.stderr
    assert "stale" not in result.stderr and "building" not in result.stderr
    shown = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["doc"], r["start"], r["end"]) for r in shown] == expected
