"""CQL against CQP (CWB 3.5.1), query for query: the same matches (first and last token,
target, keyword) on samples of four shared corpora (``tests/cql/cqp.py``: news, fully
diacritized hadith, the Uthmani Quran, tweets), encoded in CWB from the project's own VRT.

Each case is written twice, explicitly: ours, then what CQP is asked.  Our attributes map
to the columns of the VRT as CQP sees them:

- ours ``orig`` (the spelling as written) = CQP ``word``;
- ours ``word`` (the key at the normalization in force, the value normalized too) = CQP
  ``norm`` with the value normalized by hand (``"أحمد"`` = ``[norm="احمد"]``), so a bare
  ``"value"`` of ours is ``[norm="..."]`` in CQP;
- ``norm`` and ``kind`` are the same columns on both sides.

CQP's queries are put into NFC before they are sent, as cwb-encode puts every token into
NFC (``nfc``); ours are run as written.  Each case is checked twice: ours with
``within_documents=False`` against CQP's query as it is (CQP's token stream runs on from
one document into the next), and ours as the CLI runs it (no match crosses a document)
against CQP's query with ``within doc`` added when it has no ``within``.  Queries that CQP
cannot express the same way are in ``test_cql_differences.py``.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

import pytest

from tests.cql.conftest import NORMALIZER, Sample, sample
from tests.cql.cqp import CqpMatch, nfc, outside_quotes

#: Spellings as the corpora write them: shadda (U+0651) before the vowel, which NFC puts
#: after it (canonical order: fatha 30, kasra 32, shadda 33).
HADDATHANA = "\u062d\u064e\u062f\u0651\u064e\u062b\u064e\u0646\u064e\u0627"  # حَدَّثَنَا
ALLAHI = "\u0627\u0644\u0644\u0651\u064e\u0647\u0650"  # اللَّهِ
WASLA_ALLAHI = "\u0671\u0644\u0644\u0651\u064e\u0647\u0650"  # ٱللَّهِ


class Case(NamedTuple):
    construct: str
    sample: str
    ours: str
    cqp: str
    strategy: str = "standard"


C = Case
CASES = [
    # ------------------------------------------------------------------ literals ("value")
    C("literal", "news", '"في"', '[norm="في"]'),
    C("literal", "news", '"أن"', '[norm="ان"]'),
    C("literal", "news", '"إلى"', '[norm="الى"]'),
    C("literal", "news", '"السعودية"', '[norm="السعودية"]'),
    C("literal", "news", '"الأمير"', '[norm="الامير"]'),
    C("literal", "news", '"داعش"', '[norm="داعش"]'),
    C("literal", "news", '"مشيرًا"', '[norm="مشيرا"]'),
    C("literal", "hadith", '"قال"', '[norm="قال"]'),
    C("literal", "hadith", '"اللَّهِ"', '[norm="الله"]'),
    C("literal", "hadith", '"حدثنا"', '[norm="حدثنا"]'),
    C("literal", "quran", '"الرحمن"', '[norm="الرحمن"]'),
    C("literal", "quran", '"ٱلْإِنسَـٰنُ"', '[norm="الانسن"]'),
    C("literal", "tweets", '"مصر"', '[norm="مصر"]'),
    C("literal", "tweets", '"اللي"', '[norm="اللي"]'),
    C("literal", "tweets", "'الله'", "[norm='الله']"),
    # ------------------------------------------------------------------ [word="..."] = CQP norm
    C("word", "news", '[word="وزير"]', '[norm="وزير"]'),
    C("word", "news", '[word="أكثر"]', '[norm="اكثر"]'),
    C("word", "news", '[word="الإمارات"]', '[norm="الامارات"]'),
    C("word", "news", '[word="10"]', '[norm="10"]'),
    C("word", "hadith", '[word="رَسُولُ"]', '[norm="رسول"]'),
    C("word", "hadith", '[word="النبي"]', '[norm="النبي"]'),
    C("word", "quran", '[word="يومئذ"]', '[norm="يومئذ"]'),
    C("word", "tweets", '[word="كلهههم"]', '[norm="كلهههم"]'),
    C("word", "tweets", '[word="العبرة"]', '[norm="العبرة"]'),
    # ------------------------------------------------------------------ [norm="..."] as written
    C("norm", "news", '[norm="الامير"]', '[norm="الامير"]'),
    C("norm", "hadith", '[norm="عبد"]', '[norm="عبد"]'),
    C("norm", "quran", '[norm="الانسن"]', '[norm="الانسن"]'),
    # ------------------------------------------------------------------ [orig="..."] = CQP word
    C("orig", "news", '[orig="أن"]', '[word="أن"]'),
    C("orig", "news", '[orig="ان"]', '[word="ان"]'),
    C("orig", "news", '[orig="إلى"]', '[word="إلى"]'),
    C("orig", "news", '[orig="١٠"]', '[word="١٠"]'),
    C("orig", "hadith", '[orig="قَالَ"]', '[word="قَالَ"]'),
    # as the corpus writes them (shadda, then the vowel: not NFC) and in NFC (vowel first)
    C("orig", "hadith", f'[orig="{HADDATHANA}"]', f'[word="{HADDATHANA}"]'),
    C("orig", "hadith", f'[orig="{nfc(HADDATHANA)}"]', f'[word="{nfc(HADDATHANA)}"]'),
    C("orig", "hadith", f'[orig="{ALLAHI}"]', f'[word="{ALLAHI}"]'),
    C("orig", "hadith", f'[orig="{nfc(ALLAHI)}"]', f'[word="{nfc(ALLAHI)}"]'),
    C("orig", "quran", f'[orig="{WASLA_ALLAHI}"]', f'[word="{WASLA_ALLAHI}"]'),
    C("orig", "quran", f'[orig="{nfc(WASLA_ALLAHI)}"]', f'[word="{nfc(WASLA_ALLAHI)}"]'),
    C("orig", "quran", '[orig="يَوْمَئِذٍۢ"]', '[word="يَوْمَئِذٍۢ"]'),
    C("orig", "tweets", '[orig="العِبــــرة"]', '[word="العِبــــرة"]'),
    C("orig", "tweets", '[orig="Hello"]', '[word="Hello"]'),
    # ------------------------------------------------------------------ regular expressions
    C("regex", "news", '[word="ال.*ية"]', '[norm="ال.*ية"]'),
    C("regex", "news", '[word="وزار.*"]', '[norm="وزار.*"]'),
    C("regex", "news", '[word="(وزير|وزارة)"]', '[norm="(وزير|وزارة)"]'),
    C("regex", "news", '[word="وزير|وزارة"]', '[norm="وزير|وزارة"]'),
    C("regex", "news", '[orig="أ.+"]', '[word="أ.+"]'),
    C("regex", "news", '[orig="[0-9]+"]', '[word="[0-9]+"]'),
    C("regex", "news", '[orig="[٠-٩]+"]', '[word="[٠-٩]+"]'),
    C("regex", "news", '[orig="\\d{4}"]', '[word="\\d{4}"]'),
    C("regex", "news", '[orig="ال[^ ]{2}"]', '[word="ال[^ ]{2}"]'),
    C("regex", "news", '[orig="م.?ن"]', '[word="م.?ن"]'),
    C("regex", "news", '[orig=".*ات"]', '[word=".*ات"]'),
    C("regex", "news", '[orig="بال.*"]', '[word="بال.*"]'),
    C(
        "regex",
        "hadith",
        '[orig="[\\p{L}\\p{M}]*ّ[\\p{L}\\p{M}]*"]',
        '[word="[\\p{L}\\p{M}]*ّ[\\p{L}\\p{M}]*"]',
    ),
    C("regex", "hadith", '[word="ابن|ابي|ابو"]', '[norm="ابن|ابي|ابو"]'),
    C("regex", "hadith", '[word="ف.*"]', '[norm="ف.*"]'),
    C("regex", "quran", '[orig=".*\\p{Mn}"]', '[word=".*\\p{Mn}"]'),
    C("regex", "quran", '[orig="ٱل.*"]', '[word="ٱل.*"]'),
    C("regex", "tweets", '[orig="https?://.*"]', '[word="https?://.*"]'),
    C("regex", "tweets", '[orig=".*(.)\\1\\1.*"]', '[word=".*(.)\\1\\1.*"]'),
    # anchoring: the value matches the whole token, never a part of it
    C("anchoring", "news", '[word="ال"]', '[norm="ال"]'),
    C("anchoring", "news", '[orig="وزير"]', '[word="وزير"]'),
    C("anchoring", "news", '[word="مملكة"]', '[norm="مملكة"]'),
    C("anchoring", "news", '[orig="سعود|السعودية"]', '[word="سعود|السعودية"]'),
    C("anchoring", "tweets", '[orig="ب"]', '[word="ب"]'),
    # ------------------------------------------------------------------ != and !
    C("not", "news", '"وزير" [word!="الخارجية"]', '[norm="وزير"] [norm!="الخارجية"]'),
    C("not", "news", '"ولي" [orig!="العهد"]', '[norm="ولي"] [word!="العهد"]'),
    C("not", "news", '[!kind="word"] "في"', '[!kind="word"] [norm="في"]'),
    C("not", "news", '[!(orig="في" | orig="من") & word="ف.*"]', '[!(word="في" | word="من") & norm="ف.*"]'),
    C("not", "hadith", '"قال" [!(word="رسول")]', '[norm="قال"] [!(norm="رسول")]'),
    C("not", "tweets", '[kind!="word" & kind!="punct"]', '[kind!="word" & kind!="punct"]'),
    # ------------------------------------------------------------------ & | ( )
    C(
        "boolean",
        "news",
        '[word="ال.*" & kind="word" & word!="الله"] "بن"',
        '[norm="ال.*" & kind="word" & norm!="الله"] [norm="بن"]',
    ),
    C("boolean", "news", '[orig="أن" | orig="إن"]', '[word="أن" | word="إن"]'),
    C(
        "boolean",
        "news",
        '[(word="وزير" | word="وزارة") & orig!="وزارة"]',
        '[(norm="وزير" | norm="وزارة") & word!="وزارة"]',
    ),
    C(
        "boolean",
        "news",
        '[kind="number" | kind="punct" & orig="%"]',
        '[kind="number" | kind="punct" & word="%"]',
    ),
    C("boolean", "hadith", f'[word="الله" & orig!="{ALLAHI}"]', f'[norm="الله" & word!="{ALLAHI}"]'),
    C("boolean", "quran", '[orig=".*ۥ" & word="انه|له|به"]', '[word=".*ۥ" & norm="انه|له|به"]'),
    C(
        "boolean",
        "tweets",
        '[(kind="emoji" | kind="url") & !(orig="❤️")]',
        '[(kind="emoji" | kind="url") & !(word="❤️")]',
    ),
    # ------------------------------------------------------------------ [] any token
    C("any", "news", '"وزير" [] "السعودي"', '[norm="وزير"] [] [norm="السعودي"]'),
    C("any", "news", '"خادم" [] []', '[norm="خادم"] [] []'),
    C("any", "news", '[] "عبدالعزيز"', '[] [norm="عبدالعزيز"]'),
    C("any", "hadith", '"صلى" [] [] "وسلم"', '[norm="صلى"] [] [] [norm="وسلم"]'),
    C("any", "quran", '[] [] "الرحيم"', '[] [] [norm="الرحيم"]'),
    C("any", "tweets", '"سبحان" []', '[norm="سبحان"] []'),
    # ------------------------------------------------------------------ %c
    C("flag %c", "tweets", '[orig="hello"%c]', '[word="hello"%c]'),
    C("flag %c", "tweets", '[word="HELLO"%c]', '[norm="HELLO"%c]'),
    C("flag %c", "news", '[orig="world"%c]', '[word="world"%c]'),
    C("flag %c", "news", '[orig="[a-z]+"%c]', '[word="[a-z]+"%c]'),
    C("flag %c", "news", '[orig="[a-z]+"]', '[word="[a-z]+"]'),
    C("flag %c", "news", '"وزير"%c', '[norm="وزير"%c]'),
    # ------------------------------------------------------------------ %d on orig
    C("flag %d", "hadith", '[orig="قال"%d]', '[word="قال"%d]'),
    C("flag %d", "hadith", '[orig="الله"%d]', '[word="الله"%d]'),
    C("flag %d", "hadith", '[orig="ان"%d]', '[word="ان"%d]'),
    C("flag %d", "hadith", '[orig="حدثنا"%d]', '[word="حدثنا"%d]'),
    C("flag %d", "hadith", '[orig="اب.*"%d]', '[word="اب.*"%d]'),
    C("flag %d", "hadith", '[orig="عن"%cd]', '[word="عن"%cd]'),
    C("flag %d", "hadith", '[orig="قَال"%d]', '[word="قَال"%d]'),
    C("flag %d", "quran", '[orig="ٱلله"%d]', '[word="ٱلله"%d]'),
    C("flag %d", "quran", '[orig="يومئذ"%d]', '[word="يومئذ"%d]'),
    C("flag %d", "news", '[orig="الى"%d]', '[word="الى"%d]'),
    C("flag %d", "news", '[orig="مشيرا"%d]', '[word="مشيرا"%d]'),
    C("flag %d", "news", '[word="الى"%d]', '[norm="الى"%d]'),
    # ------------------------------------------------------------------ sequences
    C("sequence", "news", '"ولي" "العهد"', '[norm="ولي"] [norm="العهد"]'),
    C("sequence", "news", '"خادم" "الحرمين" "الشريفين"', '[norm="خادم"] [norm="الحرمين"] [norm="الشريفين"]'),
    C("sequence", "news", '"من" "خلال"', '[norm="من"] [norm="خلال"]'),
    C("sequence", "news", '"بن" "عبدالعزيز" [orig="آل"]', '[norm="بن"] [norm="عبدالعزيز"] [word="آل"]'),
    C("sequence", "news", '[kind="number"] [orig="%"]', '[kind="number"] [word="%"]'),
    C(
        "sequence",
        "hadith",
        '"صلى" "الله" "عليه" "وسلم"',
        '[norm="صلى"] [norm="الله"] [norm="عليه"] [norm="وسلم"]',
    ),
    C("sequence", "hadith", '"قال" "قال"', '[norm="قال"] [norm="قال"]'),
    C(
        "sequence",
        "quran",
        '"بسم" "الله" "الرحمن" "الرحيم"',
        '[norm="بسم"] [norm="الله"] [norm="الرحمن"] [norm="الرحيم"]',
    ),
    C("sequence", "quran", '"ويل" "يومئذ" "للمكذبين"', '[norm="ويل"] [norm="يومئذ"] [norm="للمكذبين"]'),
    C("sequence", "tweets", '"اللهم" "ارحم"', '[norm="اللهم"] [norm="ارحم"]'),
    # ------------------------------------------------------------------ repetition over tokens
    C(
        "repeat ?",
        "news",
        '"وزير" "خارجية"? "السعودية"?',
        '[norm="وزير"] [norm="خارجية"]? [norm="السعودية"]?',
    ),
    C("repeat ?", "news", '"الأمير" "محمد"? "بن"', '[norm="الامير"] [norm="محمد"]? [norm="بن"]'),
    C("repeat ?", "hadith", '"رسول" [orig="اللَّهِ"]?', '[norm="رسول"] [word="اللَّهِ"]?'),
    C("repeat *", "news", '"ولي" "ولي"* "العهد"', '[norm="ولي"] [norm="ولي"]* [norm="العهد"]'),
    C(
        "repeat *",
        "news",
        '[kind="number"] [orig="[/.]"]* [kind="number"]',
        '[kind="number"] [word="[/.]"]* [kind="number"]',
    ),
    C(
        "repeat *",
        "quran",
        '[kind="number"] [orig="\\|"]* [kind="number"]',
        '[kind="number"] [word="\\|"]* [kind="number"]',
    ),
    C("repeat +", "news", '[kind="number"]+', '[kind="number"]+'),
    C("repeat +", "news", '[kind="punct"]+ "و.*"', '[kind="punct"]+ [norm="و.*"]'),
    C("repeat +", "tweets", '[kind="emoji"]+', '[kind="emoji"]+'),
    C(
        "repeat +",
        "hadith",
        '"عن" [word!="عن"]+ "عن" within 6',
        '[norm="عن"] [norm!="عن"]+ [norm="عن"] within 6',
    ),
    C("repeat {n}", "news", '[kind="punct"]{2}', '[kind="punct"]{2}'),
    C("repeat {n}", "news", '[kind="word"]{3} "،"', '[kind="word"]{3} [norm="،"]'),
    C("repeat {n}", "tweets", '[orig="[^ ]*ه{3,}[^ ]*"]{1}', '[word="[^ ]*ه{3,}[^ ]*"]{1}'),
    C("repeat {n,}", "news", '[kind="punct"]{2,}', '[kind="punct"]{2,}'),
    C("repeat {n,}", "tweets", '[kind="punct"]{3,}', '[kind="punct"]{3,}'),
    C(
        "repeat {n,}",
        "news",
        '"ولي" [kind="word"]{1,} "العهد" within s',
        '[norm="ولي"] [kind="word"]{1,} [norm="العهد"] within s',
    ),
    C("repeat {n,m}", "news", '"وزير" []{0,2} "الخارجية"', '[norm="وزير"] []{0,2} [norm="الخارجية"]'),
    C("repeat {n,m}", "news", '"خادم" []{1,3} "الملك"', '[norm="خادم"] []{1,3} [norm="الملك"]'),
    C(
        "repeat {n,m}",
        "news",
        '[kind="word"]{2,3} "بن" "عبدالعزيز"',
        '[kind="word"]{2,3} [norm="بن"] [norm="عبدالعزيز"]',
    ),
    C("repeat {n,m}", "hadith", '"عن" []{0,3} "عن"', '[norm="عن"] []{0,3} [norm="عن"]'),
    C("repeat {n,m}", "quran", '"إن" []{1,2} "الله"', '[norm="ان"] []{1,2} [norm="الله"]'),
    C("repeat {,m}", "news", '"في" []{,1} "المنطقة"', '[norm="في"] []{,1} [norm="المنطقة"]'),
    # ------------------------------------------------------------------ repetition over groups
    C("group repeat", "news", '("بن" [kind="word"]){2}', '([norm="بن"] [kind="word"]){2}'),
    C("group repeat", "news", '("بن" [kind="word"])+', '([norm="بن"] [kind="word"])+'),
    C(
        "group repeat",
        "news",
        '"محمد" ("بن" [kind="word"])* "آل"',
        '[norm="محمد"] ([norm="بن"] [kind="word"])* [norm="ال"]',
    ),
    C(
        "group repeat",
        "news",
        '"الأمير" ("بن"? [kind="word"]){1,3} "بن"',
        '[norm="الامير"] ([norm="بن"]? [kind="word"]){1,3} [norm="بن"]',
    ),
    C("group repeat", "hadith", '("عن" [] []?){2,}', '([norm="عن"] [] []?){2,}'),
    C(
        "group repeat",
        "hadith",
        '("قال" | "فقال") ("يا" "رسول")?',
        '([norm="قال"] | [norm="فقال"]) ([norm="يا"] [norm="رسول"])?',
    ),
    C("group repeat", "quran", '([kind="number"] [orig="\\|"]){2}', '([kind="number"] [word="\\|"]){2}'),
    C("group repeat", "tweets", '("الله" [kind="punct"]?){2}', '([norm="الله"] [kind="punct"]?){2}'),
    # ------------------------------------------------------------------ alternation of sequences
    C(
        "alternation",
        "news",
        '"ولي" "العهد" | "وزير" "الداخلية"',
        '[norm="ولي"] [norm="العهد"] | [norm="وزير"] [norm="الداخلية"]',
    ),
    C(
        "alternation",
        "news",
        '("ولي" "العهد" | "وزير" "الداخلية") "الأمير"',
        '([norm="ولي"] [norm="العهد"] | [norm="وزير"] [norm="الداخلية"]) [norm="الامير"]',
    ),
    C(
        "alternation",
        "news",
        '"عيد" ("الفطر" | "الأضحى") "المبارك"?',
        '[norm="عيد"] ([norm="الفطر"] | [norm="الاضحى"]) [norm="المبارك"]?',
    ),
    C("alternation", "news", '"في" | "من" "خلال"', '[norm="في"] | [norm="من"] [norm="خلال"]'),
    C("alternation", "hadith", '"حدثنا" | "أخبرنا" "محمد"', '[norm="حدثنا"] | [norm="اخبرنا"] [norm="محمد"]'),
    C(
        "alternation",
        "quran",
        '("الذين" "ءامنوا" | "الذين" "كفروا")',
        '([norm="الذين"] [norm="ءامنوا"] | [norm="الذين"] [norm="كفروا"])',
    ),
    C(
        "alternation",
        "tweets",
        '"سبحان" "الله" | "الحمد" "لله" | "اللهم"',
        '[norm="سبحان"] [norm="الله"] | [norm="الحمد"] [norm="لله"] | [norm="اللهم"]',
    ),
    # ------------------------------------------------------------------ within
    C("within s", "news", '"قال" []* "إن" within s', '[norm="قال"] []* [norm="ان"] within s'),
    C(
        "within s",
        "news",
        '"وزير" []{0,3} "الخارجية" within s',
        '[norm="وزير"] []{0,3} [norm="الخارجية"] within s',
    ),
    C("within s", "news", '[orig="،"] []+ [orig="\\."] within s', '[word="،"] []+ [word="\\."] within s'),
    C("within s", "news", '"الملك" []* "سلمان" within s', '[norm="الملك"] []* [norm="سلمان"] within s'),
    C(
        "within s",
        "quran",
        '[kind="number"] []* "الله" within s',
        '[kind="number"] []* [norm="الله"] within s',
    ),
    C("within s", "tweets", '"الله" []* "الله" within s', '[norm="الله"] []* [norm="الله"] within s'),
    C("within doc", "news", '"داعش" []* "إيران" within doc', '[norm="داعش"] []* [norm="ايران"] within doc'),
    C(
        "within doc",
        "tweets",
        '"الله" []* [kind="url"] within doc',
        '[norm="الله"] []* [kind="url"] within doc',
    ),
    C("within doc", "hadith", '"عمر" []+ "عمر" within doc', '[norm="عمر"] []+ [norm="عمر"] within doc'),
    # no within: CQP's HardBoundary (a match ends at most 500 tokens past its start)
    C("hard boundary", "news", '"قال" []* "إن"', '[norm="قال"] []* [norm="ان"]'),
    C(
        "hard boundary",
        "news",
        '"السعودية" []+ "السعودية"',
        '[norm="السعودية"] []+ [norm="السعودية"]',
        "longest",
    ),
    C("hard boundary", "hadith", '"عمر" []* "عمر"', '[norm="عمر"] []* [norm="عمر"]', "shortest"),
    C("within N", "news", '"الأمير" []* "بن" within 4', '[norm="الامير"] []* [norm="بن"] within 4'),
    C("within N", "news", '"وزير" []* "الداخلية" within 3', '[norm="وزير"] []* [norm="الداخلية"] within 3'),
    C("within N", "hadith", '"صلى" []* "وسلم" within 4', '[norm="صلى"] []* [norm="وسلم"] within 4'),
    C("within N", "hadith", '"صلى" []* "وسلم" within 3', '[norm="صلى"] []* [norm="وسلم"] within 3'),
    C(
        "within N",
        "hadith",
        '"صلى" "الله" "عليه" "وسلم" within 3',
        '[norm="صلى"] [norm="الله"] [norm="عليه"] [norm="وسلم"] within 3',
    ),
    C(
        "within s",
        "news",
        '"وزير" []* "الداخلية" within 2 s',
        '[norm="وزير"] []* [norm="الداخلية"] within 2 s',
    ),
    # ------------------------------------------------------------------ target @, keyword @1
    C("target", "news", '"وزير" @[]', '[norm="وزير"] @[]'),
    C("target", "news", '@[kind="word"] "بن" "عبدالعزيز"', '@[kind="word"] [norm="بن"] [norm="عبدالعزيز"]'),
    C("target", "news", '"الأمير" []{0,2} @"بن"', '[norm="الامير"] []{0,2} @[norm="بن"]'),
    C("target", "news", '"ولي" @"ولي"? "العهد"', '[norm="ولي"] @[norm="ولي"]? [norm="العهد"]'),
    C("target", "hadith", '"عن" @[] "عن"', '[norm="عن"] @[] [norm="عن"]'),
    C("target", "quran", '@0[kind="number"] [orig="\\|"]', '@0[kind="number"] [word="\\|"]'),
    C("keyword", "news", '"وزير" @1[] @[]', '[norm="وزير"] @1[] @[]'),
    C("keyword", "hadith", '@1"رسول" "الله"', '@1[norm="رسول"] [norm="الله"]'),
    C("keyword", "tweets", '@[] @1"الله"', '@[] @1[norm="الله"]'),
    # ------------------------------------------------------------------ labels
    C("labels", "news", 'a:[] "بن" :: a.kind="word"', 'a:[] [norm="بن"] :: a.kind="word"'),
    C("labels", "news", 'a:"ولي" b:[] :: a.norm=b.norm', 'a:[norm="ولي"] b:[] :: a.norm=b.norm'),
    C(
        "labels",
        "news",
        'a:"ولي" [] b:[] :: b.orig="الأمير" & a.orig="ولي"',
        'a:[norm="ولي"] [] b:[] :: b.word="الأمير" & a.word="ولي"',
    ),
    C(
        "labels",
        "hadith",
        'a:[] [] b:[] :: a.norm=b.norm & a.kind="word"',
        'a:[] [] b:[] :: a.norm=b.norm & a.kind="word"',
    ),
    C(
        "labels",
        "hadith",
        'a:"الله" []{0,3} b:"الله" :: a.orig!=b.orig',
        'a:[norm="الله"] []{0,3} b:[norm="الله"] :: a.word!=b.word',
    ),
    # ------------------------------------------------------------------ global constraints on metadata
    C("match.doc", "news", '"في" :: match.doc_source="okaz"', '[norm="في"] :: match.doc_source="okaz"'),
    C(
        "match.doc",
        "news",
        '"ولي" "العهد" :: match.doc_source="okaz" | match.doc_source="sabq"',
        '[norm="ولي"] [norm="العهد"] :: match.doc_source="okaz" | match.doc_source="sabq"',
    ),
    C(
        "match.doc",
        "news",
        '"السعودية" :: match.doc_source="al.*"',
        '[norm="السعودية"] :: match.doc_source="al.*"',
    ),
    C(
        "match.doc",
        "news",
        '"السعودية" :: match.doc_source!="al.*"',
        '[norm="السعودية"] :: match.doc_source!="al.*"',
    ),
    C(
        "match.doc",
        "news",
        '"العيد" :: match.doc_date="2015-07-2[01]"',
        '[norm="العيد"] :: match.doc_date="2015-07-2[01]"',
    ),
    C(
        "match.doc",
        "tweets",
        '[] :: match.doc_id="test/00005_msa_POS"',
        '[] :: match.doc_id="test/00005_msa_POS"',
    ),
    C("match.doc", "tweets", '"مش" :: match.doc_dialect="egypt"', '[norm="مش"] :: match.doc_dialect="egypt"'),
    C(
        "match.doc",
        "tweets",
        '"الله" :: match.doc_dialect="msa" & match.doc_sentiment="NEG"',
        '[norm="الله"] :: match.doc_dialect="msa" & match.doc_sentiment="NEG"',
    ),
    C("match.doc", "hadith", '"عمر" :: match.doc_number="1.?"', '[norm="عمر"] :: match.doc_number="1.?"'),
    C("match.doc", "quran", '"الله" :: match.doc_sura="112"', '[norm="الله"] :: match.doc_sura="112"'),
    # ------------------------------------------------------------------ matching strategies
    C("strategy", "news", '[kind="word"]? "بن"', '[kind="word"]? [norm="بن"]'),
    C("strategy", "news", '[kind="word"]? "بن"', '[kind="word"]? [norm="بن"]', "shortest"),
    C("strategy", "news", '[kind="word"]? "بن"', '[kind="word"]? [norm="بن"]', "longest"),
    C("strategy", "news", '"بن" [kind="word"]?', '[norm="بن"] [kind="word"]?'),
    C("strategy", "news", '"بن" [kind="word"]?', '[norm="بن"] [kind="word"]?', "shortest"),
    C("strategy", "news", '"بن" [kind="word"]?', '[norm="بن"] [kind="word"]?', "longest"),
    C("strategy", "news", '[kind="word"]* "الرياض"', '[kind="word"]* [norm="الرياض"]'),
    C("strategy", "news", '[kind="word"]* "الرياض"', '[kind="word"]* [norm="الرياض"]', "shortest"),
    C(
        "strategy",
        "news",
        '[kind="word"]* "الرياض" within s',
        '[kind="word"]* [norm="الرياض"] within s',
        "longest",
    ),
    C("strategy", "news", '"قال" []* "إن" within s', '[norm="قال"] []* [norm="ان"] within s', "shortest"),
    C("strategy", "news", '"قال" []* "إن" within s', '[norm="قال"] []* [norm="ان"] within s', "longest"),
    C("strategy", "news", '[kind="punct"]+', '[kind="punct"]+', "shortest"),
    C("strategy", "news", '[kind="punct"]+', '[kind="punct"]+', "longest"),
    C("strategy", "news", '[kind="punct"]+', '[kind="punct"]+'),
    C("strategy", "tweets", '[kind="emoji"]+', '[kind="emoji"]+', "longest"),
    C("strategy", "news", '("بن" [kind="word"])+', '([norm="بن"] [kind="word"])+', "longest"),
    C("strategy", "hadith", '"عن" []{0,3} "عن"', '[norm="عن"] []{0,3} [norm="عن"]', "shortest"),
    C("strategy", "hadith", '"عن" []{0,3} "عن"', '[norm="عن"] []{0,3} [norm="عن"]', "longest"),
    C("strategy", "hadith", '[]{1,2} "عن" []{1,2}', '[]{1,2} [norm="عن"] []{1,2}'),
    C("strategy", "hadith", '[]{1,2} "عن" []{1,2}', '[]{1,2} [norm="عن"] []{1,2}', "shortest"),
    C("strategy", "hadith", '[]{1,2} "عن" []{1,2}', '[]{1,2} [norm="عن"] []{1,2}', "longest"),
    C("strategy", "quran", '"إن" []* "الله" within s', '[norm="ان"] []* [norm="الله"] within s'),
    C("strategy", "quran", '"إن" []* "الله" within s', '[norm="ان"] []* [norm="الله"] within s', "shortest"),
    C("strategy", "quran", '"إن" []* "الله" within s', '[norm="ان"] []* [norm="الله"] within s', "longest"),
    C(
        "strategy",
        "tweets",
        '[kind="punct"]* "الله" [kind="punct"]*',
        '[kind="punct"]* [norm="الله"] [kind="punct"]*',
    ),
    C(
        "strategy",
        "tweets",
        '[kind="punct"]* "الله" [kind="punct"]*',
        '[kind="punct"]* [norm="الله"] [kind="punct"]*',
        "shortest",
    ),
    C(
        "strategy",
        "tweets",
        '[kind="punct"]* "الله" [kind="punct"]*',
        '[kind="punct"]* [norm="الله"] [kind="punct"]*',
        "longest",
    ),
    C("strategy", "news", '"ولي" @"ولي"? "العهد"?', '[norm="ولي"] @[norm="ولي"]? [norm="العهد"]?', "longest"),
    # ------------------------------------------------------------------ kinds
    C("kind", "news", '[kind="number"]', '[kind="number"]'),
    C("kind", "news", '[kind="url"]', '[kind="url"]'),
    C("kind", "tweets", '[kind="emoji"]', '[kind="emoji"]'),
    C("kind", "tweets", '[kind="url"] []? [kind="url"]', '[kind="url"] []? [kind="url"]'),
    C("kind", "tweets", '[kind="emoji"] [kind="word"]', '[kind="emoji"] [kind="word"]'),
    C(
        "kind",
        "quran",
        '[kind="number"] [kind="punct"] [kind="number"]',
        '[kind="number"] [kind="punct"] [kind="number"]',
    ),
    C("kind", "news", '[kind="w.*"] [kind="p.*"]', '[kind="w.*"] [kind="p.*"]'),
    # ------------------------------------------------------------------ punctuation
    C("punctuation", "news", '[orig="،"]', '[word="،"]'),
    C("punctuation", "news", '"،"', '[norm="،"]'),
    C("punctuation", "news", '[orig="[؟?!]"]', '[word="[؟?!]"]'),
    C("punctuation", "news", '[orig="«"] []{1,4} [orig="»"]', '[word="«"] []{1,4} [word="»"]'),
    C("punctuation", "news", '[orig=\'"\'] [kind="word"]', '[word=\'"\'] [kind="word"]'),
    C("punctuation", "news", '[orig="\\("] [] [orig="\\)"]', '[word="\\("] [] [word="\\)"]'),
    C("punctuation", "tweets", '[orig="#"] [kind="word"]', '[word="#"] [kind="word"]'),
    C("punctuation", "quran", '"\\|"', '[norm="\\|"]'),
    # ------------------------------------------------------------------ numbers
    C("number", "news", '"2015"', '[norm="2015"]'),
    C("number", "news", '[word="[0-9]+" & orig!="[0-9]+"]', '[norm="[0-9]+" & word!="[0-9]+"]'),
    C("number", "news", '[orig="10"]', '[word="10"]'),
    C("number", "news", '[kind="number"] "مليون"', '[kind="number"] [norm="مليون"]'),
    C("number", "news", '[word="[0-9]{1,2}"] "يوليو"', '[norm="[0-9]{1,2}"] [norm="يوليو"]'),
    C("number", "quran", '[orig="11[0-4]"]', '[word="11[0-4]"]'),
    # ------------------------------------------------------------------ nothing matches
    C("nothing", "news", '"لاتوجدكلمةكهذه"', '[norm="لاتوجدكلمةكهذه"]'),
    C("nothing", "news", '"في" "في" "في"', '[norm="في"] [norm="في"] [norm="في"]'),
    C("nothing", "news", '[kind="emoji"]', '[kind="emoji"]'),
    C("nothing", "news", '[orig="الامير" & orig="الأمير"]', '[word="الامير" & word="الأمير"]'),
    C("nothing", "hadith", '[orig="قال"]', '[word="قال"]'),
    C(
        "nothing",
        "hadith",
        '"صلى" "الله" "عليه" "وسلم" within 2',
        '[norm="صلى"] [norm="الله"] [norm="عليه"] [norm="وسلم"] within 2',
    ),
    C("nothing", "quran", '[orig="الله"]', '[word="الله"]'),
    C(
        "nothing",
        "tweets",
        '"مصر" :: match.doc_dialect="levant"',
        '[norm="مصر"] :: match.doc_dialect="levant"',
    ),
    C(
        "nothing",
        "news",
        '"الأمير" :: match.doc_source="nowhere"',
        '[norm="الامير"] :: match.doc_source="nowhere"',
    ),
    C("nothing", "news", '[word="ال"]{3}', '[norm="ال"]{3}'),
    C("nothing", "news", '[norm="الأمير"]', '[norm="الأمير"]'),
    C("nothing", "quran", '[orig="الله"%d]', '[word="الله"%d]'),
]


def cqp_within_doc(query: str) -> str:
    """CQP's equivalent of ``query`` as our CLI runs it (no match crosses a document):
    ``within doc`` added when it has no ``within``."""
    return query if "within" in outside_quotes(query) else f"{query} within doc"


def _param(case: Case) -> object:
    return pytest.param(case, id=f"{case.construct}|{case.sample}|{case.ours}|{case.strategy}")


@pytest.fixture(scope="session")
def cqp_answers(samples: dict[str, Sample]) -> dict[tuple[str, str, str], list[CqpMatch]]:
    """CQP's matches of every case, as written and ``cqp_within_doc``, one cqp process
    per sample: (sample, query sent, strategy) -> matches."""
    answers = {}
    for key, s in samples.items():
        cases = [c for c in CASES if c.sample == key]
        asked = sorted({(nfc(q), c.strategy) for c in cases for q in (c.cqp, cqp_within_doc(c.cqp))})
        for (query, strategy), found in zip(asked, s.cqp.matches(asked), strict=True):
            answers[(key, query, strategy)] = found
    return answers


def test_the_suite_covers_every_construct() -> None:
    counts = Counter(c.construct for c in CASES)
    assert len(CASES) >= 150
    assert len({(c.sample, c.ours, c.strategy) for c in CASES}) == len(CASES), "a case is twice"
    assert {c.sample for c in CASES} == {"news", "hadith", "quran", "tweets"}
    for construct in (
        "flag %c",
        "flag %d",
        "target",
        "keyword",
        "labels",
        "match.doc",
        "within N",
        "nothing",
    ):
        assert counts[construct] >= 3, construct
    assert {c.strategy for c in CASES} == {"standard", "shortest", "longest"}


def _ours(s: Sample, case: Case, *, within_documents: bool) -> list[tuple[int, int, int | None, int | None]]:
    from corpus_cli.query.cql import find_matches, parse

    found = find_matches(
        s.layer,
        parse(case.ours),
        normalizer=NORMALIZER,
        strategy=case.strategy,
        documents=s.metadata,
        within_documents=within_documents,
    )
    return [(m.first, m.last, m.target, m.keyword) for m in found]


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_cql_agrees_with_cqp(
    samples: dict[str, Sample], cqp_answers: dict[tuple[str, str, str], list[CqpMatch]], case: Case
) -> None:
    s = sample(samples, case.sample)
    expected = cqp_answers[(case.sample, nfc(case.cqp), case.strategy)]
    if case.construct == "nothing":
        assert expected == []
    else:
        assert expected, f"CQP finds nothing for {case.cqp}: the case tests nothing"
    assert _ours(s, case, within_documents=False) == [tuple(m) for m in expected]


#: Ours as the CLI runs it without ``within``: bounded by the document *and* CQP's
#: HardBoundary, which CQP cannot say in one query (``within doc`` lifts the 500).
IN_DOCUMENTS = [c for c in CASES if "within" not in outside_quotes(c.ours) and c.construct != "hard boundary"]


@pytest.mark.parametrize("case", [_param(c) for c in IN_DOCUMENTS])
def test_cql_in_documents_agrees_with_cqp_within_doc(
    samples: dict[str, Sample], cqp_answers: dict[tuple[str, str, str], list[CqpMatch]], case: Case
) -> None:
    s = sample(samples, case.sample)
    expected = cqp_answers[(case.sample, nfc(cqp_within_doc(case.cqp)), case.strategy)]
    assert _ours(s, case, within_documents=True) == [tuple(m) for m in expected]
