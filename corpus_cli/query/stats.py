"""Corpus statistics: relative frequency, dispersion, collocation and keyness.

Pure functions over counts, nothing else: the commands count, these score.  The
formulas, their references and the test vectors are in ``docs/statistics.md``; the
names below follow it (O11/R1/C1/N for collocation, a/b/c/d for keyness).

No score raises on a zero count.  The conventions, chosen so that results stay sortable:

* ``0·ln 0 = 0`` in every log-likelihood sum.
* A log of a zero ratio is ``-inf`` (MI, MI3, logDice of a pair that never co-occurs);
  a ratio over a zero reference is ``inf`` (%DIFF, odds ratio, z-score).
* Log Ratio (collocation and keyness) substitutes 0.5 for a zero count instead, as
  CQPweb does (Hardie 2014), so it is always finite.
* A score with no data at all (empty corpus, word absent everywhere) is its neutral
  value: 0 for differences and log-ratios, 1 for ratios.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from itertools import pairwise
from typing import Any, NamedTuple

__all__ = [
    "ASSOCIATION",
    "CRITICAL_VALUES_1DF",
    "KEYNESS",
    "SHORTLIST_MARGIN",
    "Contingency",
    "Dispersion",
    "arf",
    "association_many",
    "chi2",
    "chi2_sf_1df",
    "chi2_yates",
    "contingency",
    "delta_p",
    "dice",
    "dispersion",
    "dispersion_range",
    "dp_norm",
    "fisher_exact",
    "g2",
    "gries_dp",
    "juilland_d",
    "keyness_many",
    "keyness_score",
    "ll_2term",
    "ll_4term",
    "ll_4term_williams",
    "log_dice",
    "log_ratio",
    "log_ratio_keyness",
    "mi",
    "mi3",
    "min_sensitivity",
    "odds_ratio",
    "p_value_band",
    "pct_diff",
    "per_million",
    "shortlist",
    "simple_maths",
    "t_score",
    "williams_q",
    "z_score",
]


def _ratio(x: float, y: float) -> float:
    """``x/y`` with 0 for an empty denominator: a rate in a corpus with no tokens is 0."""
    return x / y if y else 0.0


def _xlogx_over(o: float, e: float) -> float:
    """``o·ln(o/e)`` with ``0·ln 0 = 0``; a non-positive cell adds nothing."""
    return o * math.log(o / e) if o > 0 and e > 0 else 0.0


def per_million(f: float, n: float) -> float:
    """Frequency per million tokens (i.p.m.), so corpora of different sizes compare; 0 if ``n`` is 0."""
    return _ratio(f, n) * 1e6


# --- Dispersion ------------------------------------------------------------------------


class Dispersion(NamedTuple):
    """Every dispersion score of one word, for a frequency list column set."""

    range: int
    juilland_d: float
    dp: float
    dp_norm: float
    arf: float


def dispersion_range(values: Sequence[float]) -> int:
    """Number of parts the word occurs in: the simplest, most readable dispersion."""
    return sum(1 for v in values if v > 0)


def juilland_d(values: Sequence[float]) -> float:
    """Juilland's D, ``1 − (σ/μ)/√(n−1)`` with the population SD, clipped to [0, 1].

    It assumes parts of equal size; use :func:`dp_norm` for documents of unequal length.
    A word absent from every part (or no parts) gets 0, the most clumped value, like its
    range of 0.  A single part gets 1: the word is in all the parts there are, and the
    formula's 0/0 has no other reading.
    """
    n = len(values)
    total = math.fsum(values)
    if n == 0 or total <= 0:
        return 0.0
    if n == 1:
        return 1.0
    mean = total / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / n)
    return min(1.0, max(0.0, 1.0 - (sd / mean) / math.sqrt(n - 1)))


def _check_parts(values: Sequence[float], sizes: Sequence[float]) -> None:
    if len(values) != len(sizes):
        raise ValueError(f"{len(values)} sub-frequencies for {len(sizes)} part sizes")


def _shares(sizes: Sequence[float]) -> list[float]:
    """Each part's share of the corpus; equal shares if the parts hold no tokens at all."""
    size = math.fsum(sizes)
    if size <= 0:
        return [1 / len(sizes)] * len(sizes)
    return [s / size for s in sizes]


def gries_dp(values: Sequence[float], sizes: Sequence[float]) -> float:
    """Gries's DP, ``½·Σ|v_i/f − s_i|`` with ``s_i`` the part's real share of the corpus.

    0 is perfectly even; the maximum is ``1 − min s_i``.  A word absent from every part
    gets that maximum, so its :func:`dp_norm` is 1, as clumped as can be, consistently
    with :func:`juilland_d`.  Parts that hold no tokens at all count as equal.
    """
    _check_parts(values, sizes)
    if not values:
        return 0.0
    shares = _shares(sizes)
    f = math.fsum(values)
    if f <= 0:
        return 1.0 - min(shares)
    return 0.5 * math.fsum(abs(v / f - s) for v, s in zip(values, shares, strict=True))


def dp_norm(values: Sequence[float], sizes: Sequence[float]) -> float:
    """DP divided by its maximum ``1 − min s_i`` (Lijffijt & Gries 2012), so that 1 is fully clumped.

    A single part (maximum 0) gets 0, as even as its DP; an absent word gets 1.
    """
    _check_parts(values, sizes)
    if not values:
        return 0.0
    if math.fsum(values) <= 0:
        return 1.0
    top = 1.0 - min(_shares(sizes))
    if top <= 0:
        return 0.0
    return min(1.0, gries_dp(values, sizes) / top)


def arf(positions: Sequence[int], n: int) -> float:
    """Average reduced frequency (Savický & Hlaváčová 2002): the frequency, discounting clumps.

    ``positions`` are the 0-based token positions of the occurrences in a corpus of ``n``
    tokens (in any order).  With ``v = n/f``, ``ARF = (1/v)·Σ min(d_i, v)`` where the
    ``d_i`` are the gaps between successive occurrences and the last gap wraps around the
    end of the corpus.  A word that does not occur (or an empty corpus) gets 0.
    """
    f = len(positions)
    if f == 0 or n <= 0:
        return 0.0
    ordered = sorted(positions)
    v = n / f
    gaps = [b - a for a, b in pairwise(ordered)]
    gaps.append(n - ordered[-1] + ordered[0])
    return math.fsum(min(d, v) for d in gaps) / v


def dispersion(
    values: Sequence[float], sizes: Sequence[float], positions: Sequence[int], n: int
) -> Dispersion:
    """All the dispersion scores of a word: sub-frequencies and part sizes, plus its positions for ARF.

    Juilland's D is taken on the parts' rates (``v/size``): it assumes equal parts, and
    rates make unequal documents comparable (with equal parts it is the same number).
    """
    rates = [v / s for v, s in zip(values, sizes, strict=True) if s]
    return Dispersion(
        range=dispersion_range(values),
        juilland_d=juilland_d(rates),
        dp=gries_dp(values, sizes),
        dp_norm=dp_norm(values, sizes),
        arf=arf(positions, n),
    )


# --- Collocation -----------------------------------------------------------------------


class Contingency(NamedTuple):
    """The 2×2 co-occurrence table of a node and a collocate.

    ``o11`` co-occurrences, ``r1`` node-side total (``f(node)·window``), ``c1`` collocate
    frequency, ``n`` corpus size; the other cells and the expected counts follow.
    ``window`` is kept so that the measures defined on ``f(node)`` (Dice, logDice,
    min. sensitivity) can recover it as ``r1/window``; :func:`contingency` lowers it when
    it caps R1 at N.
    """

    o11: float
    r1: float
    c1: float
    n: float
    window: float = 1

    @classmethod
    def from_cells(cls, o11: float, o12: float, o21: float, o22: float) -> Contingency:
        """The table from its four observed cells (row 1 = node, column 1 = collocate)."""
        return cls(o11, o11 + o12, o11 + o21, o11 + o12 + o21 + o22)

    @property
    def r2(self) -> float:
        return self.n - self.r1

    @property
    def c2(self) -> float:
        return self.n - self.c1

    @property
    def o12(self) -> float:
        return self.r1 - self.o11

    @property
    def o21(self) -> float:
        return self.c1 - self.o11

    @property
    def o22(self) -> float:
        return self.n - self.r1 - self.c1 + self.o11

    @property
    def e11(self) -> float:
        return _ratio(self.r1 * self.c1, self.n)

    @property
    def e12(self) -> float:
        return _ratio(self.r1 * self.c2, self.n)

    @property
    def e21(self) -> float:
        return _ratio(self.r2 * self.c1, self.n)

    @property
    def e22(self) -> float:
        return _ratio(self.r2 * self.c2, self.n)

    @property
    def f_node(self) -> float:
        """The node's frequency, before the window widened R1."""
        return self.r1 / self.window

    @property
    def observed(self) -> tuple[float, float, float, float]:
        return (self.o11, self.o12, self.o21, self.o22)

    @property
    def expected(self) -> tuple[float, float, float, float]:
        return (self.e11, self.e12, self.e21, self.e22)


def contingency(o11: float, f_node: float, f_coll: float, n: float, window: int = 1) -> Contingency:
    """The table for ``o11`` co-occurrences inside windows of ``window`` slots around each node.

    CQPweb/KorAP convention: R1 = f(node)·W, the tokens inside all node windows, so
    E11 = f(node)·f(coll)·W/N.  R1 is capped at N (the windows of a tiny corpus cannot
    hold more tokens than it has), which keeps R2 and every expected count non-negative.
    Say which window and convention produced a score wherever it is shown.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1 slot, not {window}")
    r1 = f_node * window
    if r1 <= n:
        return Contingency(o11, r1, f_coll, n, window)
    return Contingency(o11, n, f_coll, n, n / f_node)


def mi(c: Contingency, base: float = 2.0) -> float:
    """Pointwise mutual information ``log2(O11/E11)`` (Church & Hanks 1990); −inf if O11 is 0.

    ``base`` exists because quanteda's keyness ``pmi`` uses the natural log; every
    concordancer (WordSmith, CQPweb, Sketch Engine, NLTK) uses base 2.
    """
    if c.o11 <= 0 or c.e11 <= 0:
        return -math.inf if c.o11 <= 0 else math.inf
    return math.log(c.o11 / c.e11, base)


def mi3(c: Contingency) -> float:
    """Daille's MI3, ``log2(O11³/E11)``: MI with less reward for rare pairs; −inf if O11 is 0.

    Not WordSmith's "MI3", which is a different formula.
    """
    if c.o11 <= 0 or c.e11 <= 0:
        return -math.inf if c.o11 <= 0 else math.inf
    return 3 * math.log2(c.o11) - math.log2(c.e11)


def t_score(c: Contingency) -> float:
    """t-score ``(O11 − E11)/√O11`` (Church et al. 1991); −inf if O11 is 0 but E11 is not, else 0."""
    if c.o11 <= 0:
        return -math.inf if c.e11 > 0 else 0.0
    return (c.o11 - c.e11) / math.sqrt(c.o11)


def z_score(c: Contingency) -> float:
    """z-score ``(O11 − E11)/√E11`` (Berry-Rogghe 1973), without CQPweb's Yates correction.

    E11 is 0 only for an empty row or column: 0 then (inf for an inconsistent O11 > 0).
    """
    if c.e11 <= 0:
        return math.inf if c.o11 > 0 else 0.0
    return (c.o11 - c.e11) / math.sqrt(c.e11)


def dice(c: Contingency) -> float:
    """Dice coefficient ``2·O11/(f(node) + f(coll))`` (Smadja et al. 1996), 0..1; 0 with no data."""
    return _ratio(2 * c.o11, c.f_node + c.c1)


def log_dice(c: Contingency, window_adjusted: bool = False) -> float:
    """logDice ``14 + log2(Dice)`` (Rychlý 2008): at most 14, independent of N; −inf if O11 is 0.

    Rychlý's definition uses f(node) whatever the window.  ``window_adjusted`` is KorAP's
    variant, with f(node)·W (that is R1) in the denominator.
    """
    denominator = (c.r1 if window_adjusted else c.f_node) + c.c1
    if c.o11 <= 0 or denominator <= 0:
        return -math.inf
    return 14 + math.log2(2 * c.o11 / denominator)


def g2(c: Contingency, signed: bool = True) -> float:
    """Log-likelihood ``2·Σ O_ij·ln(O_ij/E_ij)`` over the four cells (Dunning 1993), ``0·ln 0 = 0``.

    Signed by default, negative when O11 < E11, so that a sorted list does not mix
    attraction with repulsion; ``signed=False`` gives the plain G² (always ≥ 0).
    """
    value = 2 * math.fsum(_xlogx_over(o, e) for o, e in zip(c.observed, c.expected, strict=True))
    value = max(0.0, value)
    return -value if signed and c.o11 < c.e11 else value


def min_sensitivity(c: Contingency) -> float:
    """``min(O11/f(node), O11/f(coll))`` (Pedersen & Bruce 1996); 0 for an empty margin."""
    return min(_ratio(c.o11, c.f_node), _ratio(c.o11, c.c1))


def log_ratio(c: Contingency) -> float:
    """Hardie's Log Ratio ``log2((O11/R1)/(O21/R2))``: the binary log of the relative risk.

    0.5 is substituted for a zero O11 or O21 (CQPweb), so the result is always finite;
    0 when R1 or R2 is empty.
    """
    if c.r1 <= 0 or c.r2 <= 0:
        return 0.0
    o11 = c.o11 if c.o11 > 0 else 0.5
    o21 = c.o21 if c.o21 > 0 else 0.5
    return math.log2((o11 / c.r1) / (o21 / c.r2))


def delta_p(c: Contingency, reverse: bool = False) -> float:
    """ΔP (Gries 2013), a directional association: ``P(coll | node) − P(coll | ¬node)``.

    ``reverse`` gives the other direction, ``P(node | coll) − P(node | ¬coll)``.  An empty
    margin's probability counts as 0.
    """
    if reverse:
        return _ratio(c.o11, c.c1) - _ratio(c.o12, c.c2)
    return _ratio(c.o11, c.r1) - _ratio(c.o21, c.r2)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(c: Contingency) -> float:
    """Two-tailed p of Fisher's exact test: the hypergeometric tables no likelier than this one.

    For small counts where χ² and G² are unreliable.  Counts are rounded to integers;
    ties within a relative 1e-7 count as equal, as in R's ``fisher.test``.  The cost is
    linear in ``min(R1, C1)``.
    """
    o11, r1, c1, n = (round(x) for x in (c.o11, c.r1, c.c1, c.n))
    lo, hi = max(0, r1 + c1 - n), min(r1, c1)
    if hi <= lo:
        return 1.0
    base = _log_comb(n, r1)

    def log_p(x: int) -> float:
        return _log_comb(c1, x) + _log_comb(n - c1, r1 - x) - base

    limit = log_p(o11) + math.log1p(1e-7)
    p = math.fsum(math.exp(lp) for lp in map(log_p, range(lo, hi + 1)) if lp <= limit)
    return min(1.0, p)


AssociationMeasure = Callable[[Contingency], float]

#: The collocation measures by their command-line names; each takes a :class:`Contingency`.
ASSOCIATION: Mapping[str, AssociationMeasure] = {
    "mi": mi,
    "mi3": mi3,
    "t": t_score,
    "z": z_score,
    "logdice": log_dice,
    "g2": g2,
    "dice": dice,
}


# --- Keyness ---------------------------------------------------------------------------
#
# a = frequency in the target, b = in the reference, c = target size, d = reference size;
# the 2×2 cells are (a, b, c − a, d − b).


def _keyness_table(a: float, b: float, c: float, d: float) -> Contingency:
    """The keyness cells as a :class:`Contingency`: row 1 = the word, column 1 = the target."""
    return Contingency.from_cells(a, b, c - a, d - b)


def _signed(value: float, a: float, b: float, c: float, d: float, signed: bool) -> float:
    """``value`` with the sign of ``a/c − b/d`` if asked: a positive keyword is commoner in the target."""
    return -value if signed and _ratio(a, c) < _ratio(b, d) else value


def ll_2term(a: float, b: float, c: float, d: float, *, signed: bool = False) -> float:
    """Rayson & Garside's log-likelihood: only the two word cells (UCREL wizard, WordSmith).

    ``E1 = c·(a+b)/(c+d)``, ``E2 = d·(a+b)/(c+d)``, ``LL = 2·(a·ln(a/E1) + b·ln(b/E2))``.
    It drifts from the full G² on small corpora; keep the variant in the output.
    """
    total = a + b
    e1 = _ratio(c * total, c + d)
    e2 = _ratio(d * total, c + d)
    value = max(0.0, 2 * (_xlogx_over(a, e1) + _xlogx_over(b, e2)))
    return _signed(value, a, b, c, d, signed)


def ll_4term(a: float, b: float, c: float, d: float, *, signed: bool = False) -> float:
    """The full G² over the four cells, uncorrected (AntConc, CQPweb, quanteda ``lr`` without correction)."""
    return _signed(g2(_keyness_table(a, b, c, d), signed=False), a, b, c, d, signed)


def williams_q(a: float, b: float, c: float, d: float) -> float:
    """Williams' correction divisor ``1 + (N·Σ1/row − 1)(N·Σ1/col − 1)/(6N)``; 1 for an empty margin."""
    t = _keyness_table(a, b, c, d)
    rows, cols = (t.r1, t.r2), (t.c1, t.c2)
    if t.n <= 0 or min(*rows, *cols) <= 0:
        return 1.0
    row_term = t.n * math.fsum(1 / r for r in rows) - 1
    col_term = t.n * math.fsum(1 / k for k in cols) - 1
    return 1 + row_term * col_term / (6 * t.n)


def ll_4term_williams(a: float, b: float, c: float, d: float, *, signed: bool = False) -> float:
    """G² divided by Williams' q: quanteda's default ``lr``, slightly more conservative for small counts."""
    return ll_4term(a, b, c, d, signed=signed) / williams_q(a, b, c, d)


def _chi2(a: float, b: float, c: float, d: float, yates: bool) -> float:
    t = _keyness_table(a, b, c, d)
    total = 0.0
    for o, e in zip(t.observed, t.expected, strict=True):
        if e <= 0:
            continue
        diff = abs(o - e)
        if yates:
            diff -= min(0.5, diff)
        total += diff * diff / e
    return total


def chi2(a: float, b: float, c: float, d: float, *, signed: bool = False) -> float:
    """Pearson's χ² ``Σ(O − E)²/E`` over the four cells, without continuity correction."""
    return _signed(_chi2(a, b, c, d, yates=False), a, b, c, d, signed)


def chi2_yates(a: float, b: float, c: float, d: float, *, signed: bool = False) -> float:
    """χ² with Yates' correction ``Σ(|O − E| − 0.5)²/E`` (quanteda's default ``chi2``).

    As in R's ``chisq.test``, the correction never exceeds ``|O − E|``, so a table at
    independence scores 0 rather than a spurious positive value.
    """
    return _signed(_chi2(a, b, c, d, yates=True), a, b, c, d, signed)


def log_ratio_keyness(a: float, b: float, c: float, d: float) -> float:
    """Hardie's Log Ratio ``log2((a/c)/(b/d))``: each doubling of the relative frequency adds 1.

    0.5 is substituted for a zero ``a`` or ``b`` (CQPweb), so a word missing from one
    corpus gets a large finite score instead of ±inf; 0 when either corpus is empty.
    """
    if c <= 0 or d <= 0:
        return 0.0
    a = a if a > 0 else 0.5
    b = b if b > 0 else 0.5
    return math.log2((a / c) / (b / d))


def pct_diff(a: float, b: float, c: float, d: float) -> float:
    """%DIFF (Gabrielatos & Marchi 2011): how much more frequent in the target, in percent.

    A word absent from the reference gets ``math.inf`` (no substitution: the difference
    is unbounded, and inf sorts first); absent from both, 0.
    """
    target, reference = _ratio(a, c), _ratio(b, d)
    if reference <= 0:
        return math.inf if target > 0 else 0.0
    return (target - reference) * 100 / reference


def simple_maths(a: float, b: float, c: float, d: float, k: float = 1.0) -> float:
    """Kilgarriff's simple maths ``(pm_target + k)/(pm_reference + k)`` on per-million frequencies.

    Raise ``k`` by orders of magnitude (0.1, 1, 10, 100) to favour commoner words.  With
    ``k = 0`` a word absent from the reference gets ``math.inf`` (1 if absent from both).
    """
    numerator = per_million(a, c) + k
    denominator = per_million(b, d) + k
    if denominator <= 0:
        return math.inf if numerator > 0 else 1.0
    return numerator / denominator


def odds_ratio(a: float, b: float, c: float, d: float) -> float:
    """Odds ratio ``(a/(c − a))/(b/(d − b))`` (Pojanapunya & Todd 2016).

    ``math.inf`` when the reference odds are 0 (or the target odds infinite), 0 when the
    target odds are 0, 1 when both are undefined.
    """
    top, bottom = a * (d - b), b * (c - a)
    if bottom <= 0:
        return math.inf if top > 0 else 1.0
    return top / bottom


KeynessMeasure = Callable[[float, float, float, float], float]

#: The keyness scores by their command-line names, each ``(a, b, c, d) -> score``.  G² and
#: χ² are signed: positive keywords are over-represented in the target.  ``simplemaths``
#: is :func:`simple_maths` with k = 1; pass another k through :func:`keyness_score`.
KEYNESS: Mapping[str, KeynessMeasure] = {
    "g2": partial(ll_4term, signed=True),
    "g2-2term": partial(ll_2term, signed=True),
    "chi2": partial(chi2, signed=True),
    "logratio": log_ratio_keyness,
    "pctdiff": pct_diff,
    "simplemaths": simple_maths,
}


def keyness_score(measure: str, a: float, b: float, c: float, d: float, k: float = 1.0) -> float:
    """The :data:`KEYNESS` score ``measure``, passing ``k`` to simple maths (the only one that takes it)."""
    if measure == "simplemaths":
        return simple_maths(a, b, c, d, k)
    return KEYNESS[measure](a, b, c, d)


# --- Significance ----------------------------------------------------------------------

#: χ² critical values for 1 degree of freedom, strictest first (CQPweb ``keywords.inc.php``).
CRITICAL_VALUES_1DF: tuple[tuple[str, float], ...] = (
    ("<0.0001", 15.13671),
    ("<0.001", 10.82757),
    ("<0.01", 6.634897),
    ("<0.05", 3.841459),
)


def p_value_band(g2_or_chi2: float) -> str:
    """The significance band of a G² or χ² with 1 d.f., e.g. ``"<0.01"``, or ``">0.05"``.

    The magnitude is used, so signed keyness scores work as they are.  The table values
    are rounded up, so a score equal to one is inside its band.
    """
    score = abs(g2_or_chi2)
    for band, critical in CRITICAL_VALUES_1DF:
        if score >= critical:
            return band
    return ">0.05"


def chi2_sf_1df(x: float) -> float:
    """The exact p of a χ² (or G²) with 1 d.f., ``erfc(√(x/2))``; the magnitude of a signed score is used."""
    return math.erfc(math.sqrt(abs(x) / 2))


# --- Many at once (numpy) --------------------------------------------------------------
#
# The scores above over arrays of counts, for a ranking of many candidates (collocates,
# keywords on the token layer).  They follow the formulas above but not to the last bit
# (numpy's logarithms are not the standard library's, a sum of four terms is not fsum):
# a ranking shortlists with them (``shortlist``) and scores the shortlist with the
# functions above, whose numbers alone are ever shown.  numpy is imported on use.

#: How far an array score may stray from the exact one, relative to its size (or to 1):
#: far above the rounding of these formulas, far below any difference a ranking shows.
SHORTLIST_MARGIN = 1e-6


def association_many(
    measure: str, o11: Sequence[float], f_coll: Sequence[float], f_node: float, n: float, window: int
) -> Any:
    """The :data:`ASSOCIATION` score ``measure`` of many collocates of one node at once:
    ``o11`` and ``f_coll`` arrays (one value per collocate), the rest as :func:`contingency`."""
    import numpy as np

    table = contingency(0, f_node, 0, n, window=window)  # R1, N and W, capped as contingency does
    r1, total, node = table.r1, table.n, table.f_node
    o = np.asarray(o11, dtype=np.float64)
    c1 = np.asarray(f_coll, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        e11 = r1 * c1 / total if total else np.zeros_like(o)
        if measure == "mi":
            return np.where(o <= 0, -np.inf, np.where(e11 <= 0, np.inf, np.log2(o / e11)))
        if measure == "mi3":
            return np.where(o <= 0, -np.inf, np.where(e11 <= 0, np.inf, 3 * np.log2(o) - np.log2(e11)))
        if measure == "t":
            return np.where(o <= 0, np.where(e11 > 0, -np.inf, 0.0), (o - e11) / np.sqrt(o))
        if measure == "z":
            return np.where(e11 <= 0, np.where(o > 0, np.inf, 0.0), (o - e11) / np.sqrt(e11))
        denominator = node + c1
        if measure == "dice":
            return np.where(denominator != 0, 2 * o / denominator, 0.0)
        if measure == "logdice":
            return np.where((o <= 0) | (denominator <= 0), -np.inf, 14 + np.log2(2 * o / denominator))
        if measure == "g2":
            value = _g2_many(np, o, r1 + 0 * o, c1, total + 0 * o)
            return np.where(o < e11, -value, value)
    raise ValueError(f"unknown association measure '{measure}'")


def _g2_many(np: Any, o11: Any, r1: Any, c1: Any, n: Any) -> Any:
    """:func:`g2` unsigned, over arrays of tables."""
    r2, c2 = n - r1, n - c1
    observed = (o11, r1 - o11, c1 - o11, n - r1 - c1 + o11)
    expected = (r1 * c1 / n, r1 * c2 / n, r2 * c1 / n, r2 * c2 / n)
    value = sum(
        np.where((o > 0) & (e > 0), o * np.log(np.where(o > 0, o, 1) / np.where(e > 0, e, 1)), 0.0)
        for o, e in zip(observed, expected, strict=True)
    )
    return np.maximum(0.0, 2 * value)


def keyness_many(
    measure: str, a: Sequence[float], b: Sequence[float], c: float, d: float, k: float = 1.0
) -> Any:
    """The :data:`KEYNESS` score ``measure`` of many words at once: ``a`` and ``b`` arrays
    (each word's frequency in the target and the reference), ``c`` and ``d`` the sizes."""
    import numpy as np

    fa = np.asarray(a, dtype=np.float64)
    fb = np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        target = fa / c if c else np.zeros_like(fa)
        reference = fb / d if d else np.zeros_like(fb)
        below = target < reference  # the sign of every signed score
        if measure in ("g2", "g2-2term", "chi2"):
            if measure == "g2":
                value = _g2_many(np, fa, fa + fb, c + 0 * fa, (c + d) + 0 * fa)
            elif measure == "g2-2term":
                total = fa + fb
                e1 = c * total / (c + d) if c + d else np.zeros_like(fa)
                e2 = d * total / (c + d) if c + d else np.zeros_like(fa)
                terms = [np.where((o > 0) & (e > 0), o * np.log(o / e), 0.0) for o, e in ((fa, e1), (fb, e2))]
                value = np.maximum(0.0, 2 * (terms[0] + terms[1]))
            else:
                value = _chi2_many(np, fa, fb, c, d)
            return np.where(below, -value, value)
        if measure == "logratio":
            if c <= 0 or d <= 0:
                return np.zeros_like(fa)
            return np.log2((np.where(fa > 0, fa, 0.5) / c) / (np.where(fb > 0, fb, 0.5) / d))
        if measure == "pctdiff":
            return np.where(
                reference <= 0, np.where(target > 0, np.inf, 0.0), (target - reference) * 100 / reference
            )
        if measure == "simplemaths":
            numerator, denominator = target * 1e6 + k, reference * 1e6 + k
            return np.where(denominator <= 0, np.where(numerator > 0, np.inf, 1.0), numerator / denominator)
    raise ValueError(f"unknown keyness measure '{measure}'")


def _chi2_many(np: Any, a: Any, b: Any, c: float, d: float) -> Any:
    """Pearson's χ² (unsigned, uncorrected) of the keyness tables of many words."""
    o11, r1, c1, n = a, a + b, c + 0 * a, (c + d) + 0 * a
    r2, c2 = n - r1, n - c1
    observed = (o11, r1 - o11, c1 - o11, n - r1 - c1 + o11)
    expected = (r1 * c1 / n, r1 * c2 / n, r2 * c1 / n, r2 * c2 / n)
    return sum(
        np.where(e > 0, (o - e) ** 2 / np.where(e > 0, e, 1), 0.0)
        for o, e in zip(observed, expected, strict=True)
    )


def shortlist(scores: Any, top: int) -> Any:
    """The indexes of the array ``scores`` (approximate: ``association_many``,
    ``keyness_many``) whose exact scores may be among the ``top`` highest (0: all of
    them): those within ``SHORTLIST_MARGIN`` of the top-th approximate score, and every
    score that is not finite (an infinity is exact in both, but best kept).  Exact
    scores decide among them; ties stay in, so ranking them by score and anything else
    gives the first ``top`` of the whole ranking."""
    import numpy as np

    values = np.asarray(scores, dtype=np.float64)
    if not top or len(values) <= top:
        return np.arange(len(values))
    bar = float(np.partition(values, len(values) - top)[len(values) - top])
    if math.isnan(bar):  # no score is NaN; were one, nothing would be left out
        return np.arange(len(values))
    if not math.isfinite(bar):
        return np.flatnonzero((values >= bar) | ~np.isfinite(values))
    margin = SHORTLIST_MARGIN * max(1.0, abs(bar))
    return np.flatnonzero((values >= bar - margin) | ~np.isfinite(values))
