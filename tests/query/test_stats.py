"""``corpus_cli.query.stats`` against the test vectors of ``docs/statistics.md``.

Each expected value is written as the document prints it, and :func:`printed` compares to
that precision (half a unit in the last printed decimal).  The Gries (2008) toy corpus is
built from its letters, so sub-frequencies, part sizes and positions are computed, not
copied.  The last sections encode the pitfalls of §4.5 and a few invariants (hypothesis).
"""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus_cli.query.stats import (
    ASSOCIATION,
    CRITICAL_VALUES_1DF,
    KEYNESS,
    Contingency,
    Dispersion,
    arf,
    chi2,
    chi2_sf_1df,
    chi2_yates,
    contingency,
    delta_p,
    dice,
    dispersion,
    dispersion_range,
    dp_norm,
    fisher_exact,
    g2,
    gries_dp,
    juilland_d,
    keyness_score,
    ll_2term,
    ll_4term,
    ll_4term_williams,
    log_dice,
    log_ratio,
    log_ratio_keyness,
    mi,
    mi3,
    min_sensitivity,
    odds_ratio,
    p_value_band,
    pct_diff,
    per_million,
    simple_maths,
    t_score,
    williams_q,
    z_score,
)


def printed(value: str) -> object:
    """``value`` to the precision it is printed with: ±half a unit of its last decimal."""
    decimals = len(value.partition(".")[2])
    return pytest.approx(float(value.replace(",", "")), abs=0.5 * 10**-decimals)


# --- The Gries (2008) toy corpus: 5 parts of 10 tokens ---------------------------------

TOY = (
    "b a m n i b e u p k | b a s a t b e w q n | b c a g a b e s t a | "
    "b a g h a b e a a t | b a h a a b e a x a"
)
PARTS = [part.split() for part in TOY.split("|")]
TOKENS = [token for part in PARTS for token in part]
SIZES = [len(part) for part in PARTS]


def sub_frequencies(word: str) -> list[int]:
    return [part.count(word) for part in PARTS]


def positions(word: str) -> list[int]:
    return [i for i, token in enumerate(TOKENS) if token == word]


def test_toy_corpus_shape() -> None:
    assert SIZES == [10] * 5
    assert len(TOKENS) == 50
    assert sub_frequencies("a") == [1, 2, 3, 4, 5]
    assert sub_frequencies("b") == [2, 2, 2, 2, 2]
    assert sub_frequencies("t") == [0, 1, 1, 1, 0]


# --- 4.1 Relative frequency --------------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "n", "expected"),
    [
        (10, 1_000_000, "10"),
        (100, 100_000_000, "1"),
        (35, 112_289_776, "0.3117"),
        (263, 1_559_716_979, "0.1686"),
    ],
)
def test_per_million(f: int, n: int, expected: str) -> None:
    assert per_million(f, n) == printed(expected)


def test_per_million_of_empty_corpus_is_zero() -> None:
    assert per_million(0, 0) == 0.0


# --- 4.2 Dispersion ----------------------------------------------------------------------


def test_juilland_d_carroll() -> None:
    assert juilland_d([0, 4, 3, 2, 1]) == printed("0.6464")


@pytest.mark.parametrize(
    ("word", "dp", "dpnorm", "d"),
    [("a", "0.20", "0.25", "0.7643"), ("b", "0", "0", "1"), ("t", "0.40", "0.50", "0.5918")],
)
def test_toy_corpus_dispersion(word: str, dp: str, dpnorm: str, d: str) -> None:
    values = sub_frequencies(word)
    assert gries_dp(values, SIZES) == printed(dp)
    assert dp_norm(values, SIZES) == printed(dpnorm)
    assert juilland_d(values) == printed(d)


def test_dp_norm_lijffijt_gries() -> None:
    assert dp_norm([2, 1, 0], [1, 1, 1]) == printed("0.5")


def test_dp_unequal_parts() -> None:
    assert gries_dp([2, 1, 0], [100, 50, 50]) == printed("0.25")


def test_arf_toy_corpus() -> None:
    assert arf(positions("a"), len(TOKENS)) == printed("10.8")


def test_arf_order_of_positions_does_not_matter() -> None:
    assert arf(positions("a")[::-1], len(TOKENS)) == arf(positions("a"), len(TOKENS))


def test_arf_limits() -> None:
    assert arf([], 50) == 0.0
    assert arf([3], 0) == 0.0
    assert arf([17], 50) == pytest.approx(1.0)
    assert arf(range(0, 50, 5), 50) == pytest.approx(10.0)  # evenly spread: ARF = f
    assert arf(range(10), 50) == pytest.approx(1.0 + 9 / 5)  # one clump: ~1


def test_dispersion_range() -> None:
    assert dispersion_range(sub_frequencies("t")) == 3
    assert dispersion_range([0, 0]) == 0


def test_dispersion_bundles_every_score() -> None:
    values = sub_frequencies("a")
    result = dispersion(values, SIZES, positions("a"), len(TOKENS))
    assert isinstance(result, Dispersion)
    assert result.range == 5
    assert result.juilland_d == printed("0.7643")
    assert result.dp == printed("0.20")
    assert result.dp_norm == printed("0.25")
    assert result.arf == printed("10.8")


def test_dispersion_of_absent_word_is_most_clumped() -> None:
    """The documented convention: no occurrence → range 0, D 0, DP at its maximum, DPnorm 1, ARF 0."""
    result = dispersion([0, 0, 0], [100, 50, 50], [], 200)
    assert result._replace(dp=round(result.dp, 12)) == Dispersion(
        range=0, juilland_d=0.0, dp=0.75, dp_norm=1.0, arf=0.0
    )


def test_dispersion_edge_cases() -> None:
    assert juilland_d([]) == 0.0
    assert juilland_d([7]) == 1.0
    assert juilland_d([5, 0, 0, 0]) == pytest.approx(0.0)
    assert gries_dp([4], [10]) == 0.0
    assert dp_norm([4], [10]) == 0.0
    assert gries_dp([], []) == 0.0
    assert dp_norm([0, 0], [0, 0]) == 1.0


def test_dp_needs_one_size_per_part() -> None:
    with pytest.raises(ValueError):
        gries_dp([1, 2], [10])
    with pytest.raises(ValueError):
        dp_norm([1, 2], [10])


# --- 4.3 Collocation ---------------------------------------------------------------------


@pytest.fixture
def church_hanks() -> Contingency:
    """Church & Hanks 1990 p.24: O11 = 8, f(x) = 1105, f(y) = 44, N = 15,000,000."""
    return contingency(8, 1105, 44, 15_000_000)


def test_church_hanks(church_hanks: Contingency) -> None:
    c = church_hanks
    assert c.e11 == printed("0.003241")
    assert mi(c) == printed("11.27")
    assert mi(c) == printed("11.3")  # as published
    assert mi3(c) == printed("17.27")
    assert t_score(c) == printed("2.8273")
    assert z_score(c) == printed("140.46")
    assert log_dice(c) == printed("7.834")
    assert g2(c) == printed("110.594")


def test_manning_schutze_t_score() -> None:
    c = contingency(8, 15_828, 4_675, 14_307_668)
    assert t_score(c) == printed("0.999932")


def test_dunning_g2() -> None:
    c = Contingency.from_cells(10, 0, 3, 31_764)
    assert c.observed == (10, 0, 3, 31_764)
    assert c == contingency(10, 10, 13, 31_777)
    assert g2(c) == printed("167.23")


@pytest.fixture
def window_example() -> Contingency:
    """f(node) = 500, f(coll) = 2,000, O11 = 60 inside 5L+5R (W = 10), N = 1,000,000."""
    return contingency(60, 500, 2_000, 1_000_000, window=10)


def test_window_example(window_example: Contingency) -> None:
    c = window_example
    assert c.r1 == 5_000
    assert c.f_node == 500
    assert c.e11 == printed("10.000")
    assert mi(c) == printed("2.5850")
    assert mi3(c) == printed("14.3987")
    assert t_score(c) == printed("6.4550")
    assert log_dice(c) == printed("9.6192")
    assert log_dice(c, window_adjusted=True) == printed("8.1338")
    assert g2(c) == printed("116.7833")


def test_contingency_cells(window_example: Contingency) -> None:
    c = window_example
    assert c.observed == (60, 4_940, 1_940, 1_000_000 - 5_000 - 2_000 + 60)
    assert sum(c.expected) == pytest.approx(c.n)
    assert c.expected[0] == c.e11
    assert (c.r2, c.c2) == (995_000, 998_000)


def test_contingency_caps_r1_at_n() -> None:
    c = contingency(3, 4, 5, 20, window=10)
    assert c.r1 == 20
    assert c.f_node == 4
    assert min(c.expected) >= 0
    assert c.r2 == 0
    assert math.isfinite(g2(c))


def test_contingency_rejects_empty_window() -> None:
    with pytest.raises(ValueError):
        contingency(1, 1, 1, 10, window=0)


def test_min_sensitivity_pedersen_bruce() -> None:
    assert min_sensitivity(Contingency.from_cells(17, 240, 1_001, 1_298_742)) == printed("0.016699")


def test_dice_smadja() -> None:
    """The triple is (O11, f(node) − O11, f(coll) − O11): the first three cells; Dice ignores N."""
    for o22 in (0, 10**6):
        c = Contingency.from_cells(130, 3_121 - 130, 143 - 130, o22)
        assert (c.f_node, c.c1) == (3_121, 143)
        assert dice(c) == printed("0.08")


def test_dice_uses_node_frequency_not_window(window_example: Contingency) -> None:
    assert dice(window_example) == pytest.approx(2 * 60 / (500 + 2_000))


def test_delta_p_gries() -> None:
    c = Contingency.from_cells(5_610, 168_938, 2_257, 10_233_063)
    assert delta_p(c) == printed("0.032")
    assert delta_p(c, reverse=True) == printed("0.697")
    assert delta_p(Contingency.from_cells(5_610, 2_257, 168_938, 10_233_063)) == printed("0.697")


def test_log_ratio_collocation() -> None:
    c = Contingency.from_cells(20, 980, 10, 98_990)
    assert log_ratio(c) == pytest.approx(math.log2((20 / 1_000) / (10 / 99_000)))
    assert log_ratio(Contingency.from_cells(20, 980, 0, 99_000)) == pytest.approx(
        math.log2((20 / 1_000) / (0.5 / 99_000))
    )


def test_association_registry(church_hanks: Contingency) -> None:
    assert set(ASSOCIATION) == {"mi", "mi3", "t", "z", "logdice", "g2", "dice"}
    assert ASSOCIATION["t"](church_hanks) == t_score(church_hanks)
    assert ASSOCIATION["logdice"](church_hanks) == log_dice(church_hanks)
    assert ASSOCIATION["g2"](church_hanks) == g2(church_hanks)


# --- 4.4 Keyness -------------------------------------------------------------------------

KEYNESS_TABLE = [
    # a, b, c, d, LL 2-term, LL 4-term, Log Ratio, %DIFF, simple maths, χ², χ² Yates
    (120, 300, 50_000, 10**6, "257.4130", "257.6232", "3.0000", "700.00", "7.9767", "525.2101", "519.9711"),
    (7, 2, 10, 9, "2.4401", "4.5349", "1.6554", "215.00", "3.1500", "4.3372", "2.6324"),
]


@pytest.mark.parametrize(("a", "b", "c", "d", "ll2", "ll4", "lr", "pct", "sm", "x2", "x2y"), KEYNESS_TABLE)
def test_keyness_table(
    a: int, b: int, c: int, d: int, ll2: str, ll4: str, lr: str, pct: str, sm: str, x2: str, x2y: str
) -> None:
    assert ll_2term(a, b, c, d) == printed(ll2)
    assert ll_4term(a, b, c, d) == printed(ll4)
    assert log_ratio_keyness(a, b, c, d) == printed(lr)
    assert pct_diff(a, b, c, d) == printed(pct)
    assert simple_maths(a, b, c, d) == printed(sm)
    assert chi2(a, b, c, d) == printed(x2)
    assert chi2_yates(a, b, c, d) == printed(x2y)


def test_simple_maths_shard() -> None:
    assert simple_maths(35, 263, 112_289_776, 1_559_716_979) == printed("1.1224")


def test_simple_maths_k_favours_common_words() -> None:
    rare, common = (10, 0, 10**6, 10**6), (10_000, 5_000, 10**6, 10**6)
    assert simple_maths(*rare, k=0.1) > simple_maths(*common, k=0.1)
    assert simple_maths(*rare, k=100) < simple_maths(*common, k=100)


def quanteda_counts() -> tuple[int, int, int, int]:
    """Feature *b* in quanteda's test documents d1 (target) and d2 (reference)."""
    d1, d2 = "b b b b b b b a a a".split(), "a a a a a a a b b".split()
    return d1.count("b"), d2.count("b"), len(d1), len(d2)


def test_quanteda() -> None:
    a, b, c, d = quanteda_counts()
    assert (a, b, c, d) == (7, 2, 10, 9)
    assert chi2_yates(a, b, c, d) == printed("2.6324")
    assert ll_4term(a, b, c, d) == printed("4.5349")
    assert williams_q(a, b, c, d) == printed("1.0795")
    assert ll_4term_williams(a, b, c, d) == printed("4.2008")
    pmi_ln = mi(Contingency.from_cells(a, b, c - a, d - b), base=math.e)
    assert pmi_ln == printed("0.3905")


def test_odds_ratio_pojanapunya_todd() -> None:
    assert odds_ratio(16_217, 735, 2_796_938, 2_087_946) == printed("16.6")


def test_pct_diff_gabrielatos_marchi() -> None:
    assert pct_diff(206_523, 178_174, 959_641, 1_562_358) == printed("88.7")


def test_fisher_exact() -> None:
    assert fisher_exact(Contingency.from_cells(1, 3, 3, 1)) == printed("0.486")
    assert fisher_exact(Contingency.from_cells(0, 0, 0, 0)) == 1.0


def test_keyness_registry() -> None:
    row = KEYNESS_TABLE[1][:4]
    swapped = (row[1], row[0], row[3], row[2])
    assert set(KEYNESS) == {"g2", "g2-2term", "chi2", "logratio", "pctdiff", "simplemaths"}
    assert KEYNESS["g2"](*row) == ll_4term(*row)
    assert KEYNESS["g2"](*swapped) == -ll_4term(*swapped)
    assert KEYNESS["g2-2term"](*swapped) == -ll_2term(*swapped)
    assert KEYNESS["chi2"](*swapped) == -chi2(*swapped)
    assert KEYNESS["logratio"](*row) == log_ratio_keyness(*row)
    assert KEYNESS["pctdiff"](*row) == pct_diff(*row)
    assert KEYNESS["simplemaths"](*row) == simple_maths(*row)
    assert keyness_score("simplemaths", *row, k=10) == simple_maths(*row, k=10)
    assert keyness_score("g2", *row) == KEYNESS["g2"](*row)


# --- Critical values and p ---------------------------------------------------------------


@pytest.mark.parametrize(("band", "critical"), CRITICAL_VALUES_1DF)
def test_critical_values(band: str, critical: float) -> None:
    p = float(band[1:])
    assert p_value_band(critical) == band
    assert p_value_band(-critical) == band  # signed scores
    assert p_value_band(critical - 1e-3) != band
    assert chi2_sf_1df(critical) == pytest.approx(p, rel=1e-5)
    assert chi2_sf_1df(critical) < p


def test_critical_value_table() -> None:
    assert dict(CRITICAL_VALUES_1DF) == {
        "<0.05": 3.841459,
        "<0.01": 6.634897,
        "<0.001": 10.82757,
        "<0.0001": 15.13671,
    }
    assert p_value_band(3.84) == ">0.05"
    assert p_value_band(0.0) == ">0.05"
    assert p_value_band(math.inf) == "<0.0001"


def test_chi2_sf_1df() -> None:
    assert chi2_sf_1df(0.0) == 1.0
    assert chi2_sf_1df(math.inf) == 0.0
    assert chi2_sf_1df(1.0) == pytest.approx(0.3173105, abs=1e-7)


# --- 4.5 Pitfalls ------------------------------------------------------------------------


def test_pitfall_mi_uses_log2(church_hanks: Contingency) -> None:
    c = church_hanks
    assert mi(c) == pytest.approx(math.log2(c.o11 / c.e11))
    assert mi(c, base=math.e) == pytest.approx(math.log(c.o11 / c.e11))
    assert mi(c) != pytest.approx(mi(c, base=math.e))


def test_pitfall_ll_2term_and_4term_differ() -> None:
    small, large = KEYNESS_TABLE[1][:4], KEYNESS_TABLE[0][:4]
    assert ll_4term(*small) - ll_2term(*small) > 2  # 4.53 vs 2.44
    assert ll_4term(*large) == pytest.approx(ll_2term(*large), rel=1e-3)
    assert ll_4term_williams(*small) < ll_4term(*small)
    assert chi2_yates(*small) < chi2(*small)


def test_pitfall_negative_keyword_sign() -> None:
    a, b, c, d = 10, 300, 50_000, 1_000_000  # 200 pm in the target vs 300 pm in the reference
    assert ll_4term(a, b, c, d) > 0
    assert ll_4term(a, b, c, d, signed=True) == -ll_4term(a, b, c, d)
    assert ll_2term(a, b, c, d, signed=True) < 0
    assert chi2(a, b, c, d, signed=True) < 0
    assert chi2_yates(a, b, c, d, signed=True) < 0
    assert ll_4term_williams(a, b, c, d, signed=True) < 0
    assert log_ratio_keyness(a, b, c, d) < 0
    assert pct_diff(a, b, c, d) < 0


def test_pitfall_g2_sign_for_negative_association() -> None:
    c = contingency(1, 1_000, 1_000, 10_000)  # E11 = 100
    assert c.o11 < c.e11
    assert g2(c) < 0
    assert g2(c, signed=False) == -g2(c) > 0
    assert t_score(c) < 0 and z_score(c) < 0 and mi(c) < 0


def test_pitfall_window_conventions(window_example: Contingency) -> None:
    plain = contingency(60, 500, 2_000, 1_000_000)
    assert window_example.e11 == pytest.approx(10 * plain.e11)
    assert log_dice(window_example) == log_dice(plain)
    assert log_dice(window_example, window_adjusted=True) < log_dice(window_example)
    assert log_dice(plain, window_adjusted=True) == log_dice(plain)


def test_pitfall_juilland_population_sd() -> None:
    values = [0, 4, 3, 2, 1]
    mean = statistics.mean(values)
    with_sample_sd = 1 - (statistics.stdev(values) / mean) / math.sqrt(len(values) - 1)
    assert juilland_d(values) == pytest.approx(1 - (statistics.pstdev(values) / mean) / 2)
    assert juilland_d(values) != pytest.approx(with_sample_sd, abs=1e-3)


def test_pitfall_dp_uses_real_part_sizes() -> None:
    assert gries_dp([2, 1, 0], [1, 1, 1]) == pytest.approx(1 / 3)
    assert gries_dp([2, 1, 0], [100, 50, 50]) == pytest.approx(0.25)


def test_pitfall_zero_cells_collocation() -> None:
    never = contingency(0, 100, 200, 10_000)
    assert mi(never) == mi3(never) == log_dice(never) == t_score(never) == -math.inf
    assert z_score(never) == pytest.approx(-math.sqrt(2.0))
    assert math.isfinite(g2(never)) and g2(never) < 0
    assert dice(never) == min_sensitivity(never) == 0.0
    assert math.isfinite(log_ratio(never))
    empty = Contingency(0, 0, 0, 0)
    for measure in (*ASSOCIATION.values(), min_sensitivity, log_ratio, delta_p, fisher_exact):
        assert not math.isnan(measure(empty))
    assert g2(empty) == z_score(empty) == dice(empty) == 0.0
    assert g2(Contingency.from_cells(5, 0, 0, 5)) > 0  # two empty cells: 0·ln 0 = 0


def test_pitfall_zero_cells_keyness() -> None:
    only_target = (5, 0, 1_000, 1_000)
    assert pct_diff(*only_target) == math.inf
    assert odds_ratio(*only_target) == math.inf
    assert log_ratio_keyness(*only_target) == pytest.approx(math.log2(5 / 0.5))
    for measure in (ll_2term, ll_4term, ll_4term_williams, chi2, chi2_yates, simple_maths):
        assert math.isfinite(measure(*only_target)) and measure(*only_target) > 0
    only_reference = (0, 5, 1_000, 1_000)
    assert pct_diff(*only_reference) == -100.0
    assert odds_ratio(*only_reference) == 0.0
    assert log_ratio_keyness(*only_reference) == pytest.approx(math.log2(0.5 / 5))
    assert KEYNESS["g2"](*only_reference) < 0
    absent = (0, 0, 1_000, 1_000)
    nothing = (0, 0, 0, 0)
    for row in (absent, nothing):
        assert ll_2term(*row) == ll_4term(*row) == chi2(*row) == chi2_yates(*row) == 0.0
        assert log_ratio_keyness(*row) == pct_diff(*row) == 0.0
        assert simple_maths(*row) == williams_q(*row) == 1.0
    assert simple_maths(5, 0, 1_000, 1_000, k=0) == math.inf


# --- Invariants ---------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10**6)
parts = st.lists(st.integers(min_value=0, max_value=1_000), min_size=1, max_size=20)


@given(counts, counts, counts, counts)
def test_g2_sign_matches_o11_minus_e11(o11: int, o12: int, o21: int, o22: int) -> None:
    c = Contingency.from_cells(o11, o12, o21, o22)
    assert g2(c, signed=False) >= 0
    if c.o11 > c.e11:
        assert g2(c) >= 0
    elif c.o11 < c.e11:
        assert g2(c) <= 0
    assert abs(g2(c)) == g2(c, signed=False)


@given(counts, counts, st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_keyness_invariants(a: int, b: int, extra_c: int, extra_d: int) -> None:
    c, d = a + extra_c, b + extra_d
    assert ll_2term(a, b, c, d) >= 0
    assert ll_4term(a, b, c, d) >= 0
    assert 0 <= chi2_yates(a, b, c, d) <= chi2(a, b, c, d) + 1e-9
    assert williams_q(a, b, c, d) >= 1
    direction = KEYNESS["g2"](a, b, c, d)
    if direction and a and b:  # a zero count is replaced by 0.5 (Hardie), which can flatten the ratio
        assert math.copysign(1, direction) == math.copysign(1, log_ratio_keyness(a, b, c, d))


@given(parts)
def test_juilland_d_in_unit_interval(values: list[int]) -> None:
    assert 0.0 <= juilland_d(values) <= 1.0


@given(st.lists(st.tuples(st.integers(0, 1_000), st.integers(1, 10_000)), min_size=1, max_size=20))
def test_dp_in_unit_interval(pairs: list[tuple[int, int]]) -> None:
    values = [v for v, _ in pairs]
    sizes = [s for _, s in pairs]
    assert 0.0 <= gries_dp(values, sizes) <= 1.0
    assert 0.0 <= dp_norm(values, sizes) <= 1.0
    assert gries_dp(values, sizes) <= dp_norm(values, sizes) + 1e-12


corpora = st.integers(min_value=1, max_value=500).flatmap(
    lambda n: st.tuples(st.just(n), st.sets(st.integers(0, n - 1)))
)


@given(corpora)
def test_arf_between_one_and_frequency(case: tuple[int, set[int]]) -> None:
    n, occurrences = case
    value = arf(sorted(occurrences), n)
    if occurrences:
        assert 1.0 - 1e-9 <= value <= len(occurrences) + 1e-9
    else:
        assert value == 0.0


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_band_agrees_with_exact_p(x: float) -> None:
    band, p = p_value_band(x), chi2_sf_1df(x)
    if band == ">0.05":
        assert p >= 0.05 - 1e-6
    else:
        assert p < float(band[1:])
