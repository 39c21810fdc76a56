"""The arithmetic of scoring, with no database: sheet totals, panels, normalisation,
flags and the intraclass correlations of a panel.

* A sheet's **weighted total** is on 0–100: each value is placed on its scale
  (lowest → 0, highest → 1), weighted, and the weighted mean is multiplied by 100. It
  is computed exactly (fractions) and rounded half-up to 0.01, so scaling every weight
  by the same number never changes it.
* The **panel score** of a plan version is the mean of its sheets' totals. With
  per-trainer **normalisation** each sheet is first turned into a z-score within its
  trainer's sheets of the cohort, then put back on the cohort's scale
  (``cohort mean + z × cohort standard deviation``), which evens out harsh and lenient
  trainers and keeps each trainer's own order. Sums use ``math.fsum``: the order of the
  sheets never changes a result.
* The **spread** of a plan version is its highest minus its lowest raw total.
* **Agreement** follows Shrout & Fleiss (1979), "Intraclass correlations: uses in
  assessing rater reliability", Psychological Bulletin 86(2), 420–428, on a complete
  block of plans × trainers (see :func:`complete_block`).
"""

from __future__ import annotations

import functools
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Hashable, Iterable, Mapping, NamedTuple, Sequence

import attrs

from reentry_core.sdk import _

CENT = Decimal("0.01")


def round_half_up(value: Fraction) -> Decimal:
    """An exact fraction rounded half-up to two decimals."""
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return (Decimal(hundredths) / 100).quantize(CENT)


@functools.lru_cache(maxsize=256)
def _whole_weights(weights: tuple[Decimal, ...]) -> tuple[int, ...]:
    """Weights scaled by one common factor to whole numbers (exact: the same proportions)."""
    exact = [Fraction(w) for w in weights]
    common = math.lcm(*(f.denominator for f in exact))
    return tuple(int(f * common) for f in exact)


def weighted_total(pairs: Iterable[tuple[int, Decimal]], scale_min: int, scale_max: int) -> Decimal:
    """``pairs`` of (value, weight) → the weighted score on 0–100, two decimals (exact,
    rounded half-up). Computed on whole numbers: a rubric's weights are scaled once."""
    pairs = list(pairs)
    weights = _whole_weights(tuple(w for _v, w in pairs))
    top = sum(w * (value - scale_min) for (value, _w), w in zip(pairs, weights))
    below = sum(weights) * (scale_max - scale_min)
    # floor(top * 100 * 100 / below + 1/2): hundredths of a point, half-up
    return Decimal((2 * top * 10000 + below) // (2 * below)).scaleb(-2)


def mean_of(totals: Sequence[Decimal]) -> Decimal:
    """The exact mean of two-decimal totals, rounded half-up to two decimals."""
    return points(mean_cents(sum(_cents(t) for t in totals), len(totals)))


def _cents(total: Decimal) -> int:
    """A two-decimal total in hundredths of a point (73.33 → 7333)."""
    return int(total.scaleb(2))


def points(cents: int) -> Decimal:
    """Hundredths of a point as a two-decimal ``Decimal`` (7333 → 73.33)."""
    return Decimal(cents).scaleb(-2)


class Points(dict):
    """``points[cents]``: :func:`points`, remembered (ranking a cohort set converts the
    same few thousand values tens of thousands of times)."""

    def __missing__(self, cents: int) -> Decimal:
        value = self[cents] = points(cents)
        return value


def mean_cents(total: int, n: int) -> int:
    """``total / n`` rounded half-up (away from zero on a tie), in whole hundredths."""
    if total < 0:
        return -mean_cents(-total, n)
    return (2 * total + n) // (2 * n)


class Sheet(NamedTuple):
    """What aggregation needs of a score sheet: the plan version, the trainer, and the
    weighted total in hundredths of a point (``Sheet.of`` takes a Decimal total). A plain
    tuple: a cohort set has tens of thousands of sheets."""

    plan: Hashable
    trainer: Hashable
    cents: int

    @classmethod
    def of(cls, plan: Hashable, trainer: Hashable, total: Decimal) -> "Sheet":
        return cls(plan, trainer, _cents(total))

    @property
    def total(self) -> Decimal:
        return points(self.cents)


@attrs.frozen
class Panel:
    """A plan version's panel: how many sheets, the raw mean, the score used for ranking
    (normalised or raw), and the spread between the highest and lowest sheet."""

    plan: Hashable
    sheets: int
    raw_score: Decimal
    score: Decimal
    spread: Decimal

    @classmethod
    def from_sums(cls, plan: Hashable, sheets: int, total: int, lowest: int, highest: int,
                  score: Decimal | None = None) -> "Panel":
        """A panel from its sheets' count, sum, lowest and highest total (in hundredths):
        what a grouped SQL query gives. ``score`` defaults to the raw mean."""
        raw = points(mean_cents(total, sheets))
        return cls(plan, sheets, raw, raw if score is None else score, points(highest - lowest))


def normalised_totals(sheets: Sequence[Sheet]) -> list[float]:
    """Each sheet's total after per-trainer z-score normalisation, on the scale of all
    the sheets given (normally one cohort's). A trainer with one sheet, or with every
    sheet the same, gives z = 0 (their sheets count at the cohort mean)."""
    if not sheets:
        return []
    values = [s.cents / 100 for s in sheets]
    grand_mean = math.fsum(values) / len(values)
    grand_sd = math.sqrt(math.fsum((v - grand_mean) ** 2 for v in values) / len(values))
    by_trainer: dict[Hashable, list[float]] = {}
    for sheet, value in zip(sheets, values):
        by_trainer.setdefault(sheet.trainer, []).append(value)
    stats = {}
    for trainer, own in by_trainer.items():
        mean = math.fsum(own) / len(own)
        sd = math.sqrt(math.fsum((v - mean) ** 2 for v in own) / len(own))
        stats[trainer] = (mean, sd)
    out = []
    for sheet, value in zip(sheets, values):
        mean, sd = stats[sheet.trainer]
        z = (value - mean) / sd if sd > 0 else 0.0
        out.append(grand_mean + z * grand_sd)
    return out


def _float_to_points(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENT, ROUND_HALF_UP)


def panels(sheets: Sequence[Sheet], normalise: bool = False) -> dict[Hashable, Panel]:
    """Every plan version's panel from the sheets of one cohort."""
    grouped: dict[Hashable, list[int]] = {}
    for i, sheet in enumerate(sheets):
        grouped.setdefault(sheet.plan, []).append(i)
    adjusted = normalised_totals(sheets) if normalise else None
    result = {}
    for plan, indexes in grouped.items():
        totals = [sheets[i].cents for i in indexes]
        score = (_float_to_points(math.fsum(adjusted[i] for i in indexes) / len(indexes))
                 if adjusted is not None else None)
        result[plan] = Panel.from_sums(plan, len(totals), sum(totals), min(totals), max(totals), score)
    return result


# --- agreement -------------------------------------------------------------------------------


#: Below this share of the total mean square a mean square counts as zero: sums of squares
#: are exact (fractions of the scores as written), so this only absorbs the binary
#: leftovers of float input (4.85e-13 where the answer is 0).
RELATIVE_TOLERANCE = Fraction(1, 10**9)
#: Fewer plans than this (or fewer than 2 trainers) give no plain-language reading.
MIN_PLANS_FOR_READING = 5
#: Koo & Li (2016): below 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, above 0.9 excellent.
KOO_LI_BANDS = ((Fraction(1, 2), "poor"), (Fraction(3, 4), "moderate"), (Fraction(9, 10), "good"))

#: The six forms of Shrout & Fleiss (1979): key, model, single (1) or average (k) measure.
ICC_FORMS = (("icc1_1", 1, False), ("icc2_1", 2, False), ("icc3_1", 3, False),
             ("icc1_k", 1, True), ("icc2_k", 2, True), ("icc3_k", 3, True))


def exact(value: Any) -> Fraction:
    """A score as an exact fraction: a float as the decimal it prints as (0.1 → 1/10)."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


@attrs.frozen
class Icc:
    """The six intraclass correlations of Shrout & Fleiss (1979) for ``n`` targets (plans)
    each rated by the same ``k`` judges (trainers), with the mean squares behind them.
    A value is ``None`` where its formula divides by zero (e.g. every score the same);
    ``reasons`` then says why, by key (``"icc3_1"``). The correlations are computed
    exactly (fractions) and given as floats."""

    n: int
    k: int
    icc1_1: float | None
    icc2_1: float | None
    icc3_1: float | None
    icc1_k: float | None
    icc2_k: float | None
    icc3_k: float | None
    bms: float
    wms: float
    jms: float
    ems: float
    reasons: dict[str, str] = attrs.field(factory=dict)
    exact: dict[str, Fraction] = attrs.field(factory=dict, eq=False, repr=False)

    def name(self, key: str) -> str:
        """``ICC(2,1)``, ``ICC(3,4)``: as Shrout & Fleiss write them."""
        return f"ICC({key[3]},{self.k if key.endswith('k') else 1})"


def icc(matrix: Sequence[Sequence[Any]]) -> Icc:
    """ICC(1,1), ICC(2,1), ICC(3,1) and ICC(1,k), ICC(2,k), ICC(3,k) of a complete
    ``n × k`` matrix (rows: targets, columns: judges), ``n >= 2`` and ``k >= 2``.

    Two-way ANOVA: BMS between targets, JMS between judges, EMS residual; one-way:
    WMS within targets. Then, as in Shrout & Fleiss, Table 1:
    ICC(1,1) = (BMS−WMS)/(BMS+(k−1)WMS); ICC(2,1) = (BMS−EMS)/(BMS+(k−1)EMS+k(JMS−EMS)/n);
    ICC(3,1) = (BMS−EMS)/(BMS+(k−1)EMS); ICC(1,k) = (BMS−WMS)/BMS;
    ICC(2,k) = (BMS−EMS)/(BMS+(JMS−EMS)/n); ICC(3,k) = (BMS−EMS)/BMS.

    The sums of squares are exact, and a mean square within :data:`RELATIVE_TOLERANCE`
    of the total mean square is zero: a residual that should vanish does.
    """
    n = len(matrix)
    k = len(matrix[0]) if n else 0
    if n < 2 or k < 2 or any(len(row) != k for row in matrix):
        raise ValueError("icc needs a complete matrix of at least 2 targets x 2 judges")
    rows = [[exact(x) for x in row] for row in matrix]
    grand = sum(sum(row) for row in rows) / (n * k)
    row_means = [sum(row) / k for row in rows]
    col_means = [sum(rows[i][j] for i in range(n)) / n for j in range(k)]
    ss_total = sum((x - grand) ** 2 for row in rows for x in row)
    ss_rows = k * sum((m - grand) ** 2 for m in row_means)
    ss_cols = n * sum((m - grand) ** 2 for m in col_means)
    ss_within = ss_total - ss_rows
    ss_error = ss_within - ss_cols
    scale = ss_total / (n * k - 1)

    def ms(ss: Fraction, df: int) -> Fraction:
        value = ss / df
        return Fraction(0) if abs(value) <= RELATIVE_TOLERANCE * scale else value

    bms, wms = ms(ss_rows, n - 1), ms(ss_within, n * (k - 1))
    jms, ems = ms(ss_cols, k - 1), ms(ss_error, (n - 1) * (k - 1))
    parts = {
        "icc1_1": (bms - wms, bms + (k - 1) * wms),
        "icc2_1": (bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        "icc3_1": (bms - ems, bms + (k - 1) * ems),
        "icc1_k": (bms - wms, bms),
        "icc2_k": (bms - ems, bms + (jms - ems) / n),
        "icc3_k": (bms - ems, bms),
    }
    values: dict[str, Fraction] = {}
    reasons: dict[str, str] = {}
    for key, (top, bottom) in parts.items():
        if bottom == 0:
            reasons[key] = _undefined_reason(key, ss_total, bms, jms, ems)
        else:
            values[key] = top / bottom
    floats = {key: float(values[key]) if key in values else None for key in parts}
    return Icc(n=n, k=k, **floats, bms=float(bms), wms=float(wms), jms=float(jms), ems=float(ems),
               reasons=reasons, exact={"bms": bms, "wms": wms, "jms": jms, "ems": ems, **values})


def _undefined_reason(key: str, ss_total: Fraction, bms: Fraction, jms: Fraction, ems: Fraction) -> str:
    """Why the form ``key`` divides by zero, in the words of the mean squares that vanish."""
    if ss_total == 0:
        return _("every score is the same")
    if key == "icc3_1":
        return _("the plans do not differ and the trainers differ only in their own level (BMS = EMS = 0)")
    if key == "icc2_1" and bms == 0 and jms == 0:
        return _("neither the plans nor the trainers differ on average (BMS = JMS = 0)")
    if key in ("icc1_k", "icc3_k"):
        return _("the plans do not differ on average (BMS = 0)")
    return _("its denominator is 0")


@attrs.frozen
class IccForm:
    """One form of :class:`Icc` with its F test and its confidence interval (McGraw & Wong
    1996, Table 7; Shrout & Fleiss 1979): ``value`` ``None`` with a ``reason`` where the
    form is undefined; ``lower``/``upper`` ``None`` with ``interval_note`` where the
    interval is; ``reading`` (Koo & Li 2016, from the interval) ``None`` with
    ``reading_note`` where it is withheld."""

    key: str
    name: str
    value: float | None
    reason: str | None
    f: float | None
    df1: int
    df2: float
    p: float | None
    lower: float | None
    upper: float | None
    interval_note: str | None
    reading: str | None
    reading_note: str | None


def icc_forms(result: Icc, confidence: float = 0.95) -> list[IccForm]:
    """Every form of ``result`` with its F statistic, p value, ``confidence`` interval and
    reading. F: BMS/WMS for the one-way forms, BMS/EMS for the two-way forms. Intervals:

    * ICC(1,·), ICC(3,·): F_L = F / F(1−α/2; df1, df2), F_U = F · F(1−α/2; df2, df1);
      single measure (F_L − 1)/(F_L + k − 1) … (F_U − 1)/(F_U + k − 1), average measure
      1 − 1/F_L … 1 − 1/F_U.
    * ICC(2,1): the approximate degrees of freedom v of McGraw & Wong (Satterthwaite) and
      L = n(BMS − F*·EMS)/(F*·(k·JMS + (kn − k − n)·EMS) + n·BMS),
      U = n(F_*·BMS − EMS)/(k·JMS + (kn − k − n)·EMS + n·F_*·BMS), F* = F(1−α/2; n−1, v),
      F_* = F(1−α/2; v, n−1); ICC(2,k) is ICC(2,1)'s limits stepped up by Spearman–Brown.

    SciPy gives the F quantiles (imported here, so ``reentry --help`` stays quick)."""
    from scipy.stats import f as f_dist

    n, k, x = result.n, result.k, result.exact
    q = 1 - (1 - confidence) / 2
    bms, wms, jms, ems = x["bms"], x["wms"], x["jms"], x["ems"]
    one_way = (n - 1, n * (k - 1), _f_ratio(bms, wms))
    two_way = (n - 1, (n - 1) * (k - 1), _f_ratio(bms, ems))
    forms = []
    for key, model, average in ICC_FORMS:
        df1, df2, f = one_way if model == 1 else two_way
        value = x.get(key)
        p = None if f is None else (0.0 if f == math.inf else float(f_dist.sf(f, df1, df2)))
        lower = upper = note = None
        if value is None:
            note = result.reasons[key]
        elif f is None:
            note = _("no interval: BMS and {error} are both 0").format(error="WMS" if model == 1 else "EMS")
        elif model == 2:
            lower, upper, note = _icc2_interval(n, k, x.get("icc2_1"), bms, jms, ems, q, f_dist)
        elif f == math.inf:
            lower = upper = 1.0
        else:
            f_low = f / float(f_dist.ppf(q, df1, df2))
            f_high = f * float(f_dist.ppf(q, df2, df1))
            lower, upper = (_single(f_low, k), _single(f_high, k)) if not average else (1 - 1 / f_low,
                                                                                           1 - 1 / f_high)
        if lower is not None and average and model == 2:
            lower, upper = _stepped_up(lower, k), _stepped_up(upper, k)
        reading, why = _reading(lower, upper, n, k, value is None, note)
        forms.append(IccForm(key, result.name(key), float(value) if value is not None else None,
                             result.reasons.get(key), None if f is None or f == math.inf else float(f), df1, df2,
                             p, lower, upper, note, reading, why))
    return forms


def _f_ratio(top: Fraction, bottom: Fraction) -> float | None:
    """``top / bottom`` as a float; ``inf`` when only the bottom is 0, ``None`` when both are."""
    if bottom == 0:
        return math.inf if top > 0 else None
    return float(top / bottom)


def _single(f: float, k: int) -> float:
    return (f - 1) / (f + k - 1)


def _stepped_up(r: float, k: int) -> float:
    """Spearman–Brown: the reliability of the mean of ``k`` judges from that of one."""
    return k * r / (1 + (k - 1) * r)


def _icc2_interval(n, k, value, bms, jms, ems, q, f_dist):
    """ICC(2,1)'s limits (McGraw & Wong 1996, Table 7, case 2A); ``value`` is ICC(2,1)."""
    if value is None:
        return None, None, _("no interval: ICC(2,1) is undefined")
    if value == 1:
        return 1.0, 1.0, None
    icc_, bms_, jms_, ems_ = float(value), float(bms), float(jms), float(ems)
    a = k * icc_ / (n * (1 - icc_))
    b = 1 + k * icc_ * (n - 1) / (n * (1 - icc_))
    top = (a * jms_ + b * ems_) ** 2
    bottom = (a * jms_) ** 2 / (k - 1) + (b * ems_) ** 2 / ((n - 1) * (k - 1))
    if not bottom > 0:
        return None, None, _("no interval: the approximate degrees of freedom are undefined")
    v = top / bottom
    f_star, f_low = float(f_dist.ppf(q, n - 1, v)), float(f_dist.ppf(q, v, n - 1))
    spread = k * jms_ + (k * n - k - n) * ems_
    lower = n * (bms_ - f_star * ems_) / (f_star * spread + n * bms_)
    upper = n * (f_low * bms_ - ems_) / (spread + n * f_low * bms_)
    return lower, upper, None


def band(value: float) -> str:
    """Koo & Li's (2016) word for a correlation: poor, moderate, good or excellent."""
    value = exact(value)
    for limit, word in KOO_LI_BANDS:
        if value < limit or (word == "good" and value <= limit):
            return word
    return "excellent"


def _reading(lower, upper, n: int, k: int, undefined: bool, note: str | None) -> tuple[str | None, str | None]:
    """The reading of an interval, or why there is none."""
    if undefined:
        return None, _("undefined")
    if n < MIN_PLANS_FOR_READING or k < 2:
        return None, _("too few for a meaningful reading: {n} plans and {k} trainers, at least {min} plans and "
                       "2 trainers are needed").format(n=n, k=k, min=MIN_PLANS_FOR_READING)
    if lower is None:
        return None, note
    low, high = band(lower), band(upper)
    return (low if low == high else _("{low} to {high}").format(low=low, high=high)), None


# --- Krippendorff's alpha ------------------------------------------------------------------------

#: The levels of measurement alpha knows.
LEVELS = ("nominal", "ordinal", "interval", "ratio")


@attrs.frozen
class Alpha:
    """Krippendorff's alpha at one level of measurement: ``value`` (exact) ``None`` with a
    ``reason`` where it is undefined; ``units`` with two or more values (pairable),
    ``values`` in them."""

    level: str
    value: Fraction | None
    units: int
    values: int
    reason: str | None = None


def krippendorff_alpha(units: Iterable[Iterable[Any]], level: str = "interval") -> Alpha:
    """Krippendorff's alpha of ``units`` (each the values its coders gave; ``None`` or an
    absent coder is a missing value), computed exactly as in Krippendorff (2011),
    "Computing Krippendorff's Alpha-Reliability": the coincidence matrix
    o_ck = Σ_u (pairs c–k in u)/(m_u − 1) over units with m_u ≥ 2 values, then
    α = 1 − (n − 1)·Σ o_ck·δ²_ck / Σ n_c·n_k·δ²_ck with the ``level``'s δ²:
    nominal 0/1; ordinal (Σ_{g=c..k} n_g − (n_c + n_k)/2)²; interval (c − k)²;
    ratio ((c − k)/(c + k))²."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    coincidences: dict[tuple[Fraction, Fraction], Fraction] = {}
    pairable = 0
    for unit in units:
        counts: dict[Fraction, int] = {}
        for value in unit:
            if value is not None:
                key = exact(value)
                counts[key] = counts.get(key, 0) + 1
        m = sum(counts.values())
        if m < 2:
            continue
        pairable += 1
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nc - 1) if c == k else nc * nk
                if pairs:
                    coincidences[c, k] = coincidences.get((c, k), Fraction(0)) + Fraction(pairs, m - 1)
    totals: dict[Fraction, Fraction] = {}
    for (c, _k), o in coincidences.items():
        totals[c] = totals.get(c, Fraction(0)) + o
    n = sum(totals.values(), Fraction(0))
    if not pairable:
        return Alpha(level, None, 0, 0, _("no plan has two or more scores"))
    delta = _metric(level, totals)
    observed = sum(o * delta(c, k) for (c, k), o in coincidences.items())
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in totals for k in totals)
    if expected == 0:
        return Alpha(level, None, pairable, int(n), _("every score is the same"))
    return Alpha(level, 1 - (n - 1) * observed / expected, pairable, int(n))


def _metric(level: str, totals: Mapping[Fraction, Fraction]):
    """δ² of ``level``; the ordinal one uses the values' totals ``n_g``."""
    if level == "nominal":
        return lambda c, k: 0 if c == k else 1
    if level == "interval":
        return lambda c, k: (c - k) ** 2
    if level == "ratio":
        return lambda c, k: ((c - k) / (c + k)) ** 2 if c + k else 0
    ranked = sorted(totals)
    below = {}
    running = Fraction(0)
    for value in ranked:
        below[value] = running  # the total of the values lower than this one
        running += totals[value]

    def ordinal(c, k):
        if c > k:
            c, k = k, c
        between = below[k] + totals[k] - below[c]  # Σ n_g for g from c to k
        return (between - (totals[c] + totals[k]) / 2) ** 2

    return ordinal


def rounded(value: Fraction | float | None, places: int = 3) -> Decimal | None:
    """A statistic for people and JSON: half-up to ``places`` decimals, never ``-0.000``."""
    if value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = Fraction(value)
    scale = 10 ** places
    whole = _signed_round(value * scale)
    return (Decimal(whole) / scale).quantize(Decimal(1).scaleb(-places)) if whole else Decimal(0).quantize(
        Decimal(1).scaleb(-places))


@attrs.frozen
class Block:
    """The plans × trainers block the correlations are computed on, and what was left out."""

    trainers: tuple[Hashable, ...]
    plans: tuple[Hashable, ...]
    matrix: tuple[tuple[Fraction, ...], ...]
    plans_left_out: int
    trainers_left_out: tuple[Hashable, ...]


def complete_block(sheets: Iterable[Sheet]) -> Block:
    """The largest complete block this way: trainers ordered by how many plans they scored
    (most first, then by code); for each k from all of them down to 2, the top k trainers
    and the plans every one of them scored. The k giving the most scores (plans × k) wins,
    the larger k on a tie. Plans outside the block, and trainers left out, are counted
    and reported, never silently mixed in."""
    by_plan: dict[Hashable, dict[Hashable, int]] = {}
    counts: dict[Hashable, int] = {}
    for plan, trainer, cents in sheets:
        by_plan.setdefault(plan, {})[trainer] = cents
        counts[trainer] = counts.get(trainer, 0) + 1
    order = sorted(counts, key=lambda t: (-counts[t], str(t)))
    bit = {t: 1 << i for i, t in enumerate(order)}
    masks = {plan: sum(bit[t] for t in scores) for plan, scores in by_plan.items()}
    best: tuple[int, int] | None = None  # (cells, k)
    for k in range(len(order), 1, -1):
        want = (1 << k) - 1
        n = sum(1 for m in masks.values() if m & want == want)
        if n >= 2 and (best is None or n * k > best[0]):
            best = (n * k, k)
    if best is None:
        return Block((), (), (), len(by_plan), tuple(order))
    k = best[1]
    trainers = tuple(order[:k])
    want = (1 << k) - 1
    plans = tuple(sorted((p for p, m in masks.items() if m & want == want), key=str))
    matrix = tuple(tuple(Fraction(by_plan[p][t], 100) for t in trainers) for p in plans)
    return Block(trainers, plans, matrix, len(by_plan) - len(plans), tuple(order[k:]))


@attrs.frozen
class Deviation:
    """How far a trainer's sheets lie from the panel: the mean of (their total − the
    plan's raw panel score), over the plans with at least two sheets. Negative: harsh."""

    trainer: Hashable
    sheets: int
    mean_deviation: Decimal | None


def deviations(sheets: Sequence[Sheet]) -> list[Deviation]:
    """Each trainer's :class:`Deviation`, exactly: a gap ``x − S/n`` is kept as
    ``(n·x − S)·(L/n)`` in units of ``1/L`` with ``L`` the least common multiple of the
    panel sizes, so the sums stay whole numbers."""
    by_plan: dict[Hashable, list[int]] = {}
    for sheet in sheets:
        by_plan.setdefault(sheet.plan, []).append(sheet.cents)
    sums = {plan: (sum(c), len(c)) for plan, c in by_plan.items() if len(c) >= 2}
    unit = math.lcm(*{n for _s, n in sums.values()}) if sums else 1
    gaps: dict[Hashable, list[int]] = {}
    written: dict[Hashable, int] = {}
    for plan, trainer, cents in sheets:
        written[trainer] = written.get(trainer, 0) + 1
        if plan in sums:
            total, n = sums[plan]
            own = gaps.setdefault(trainer, [0, 0])
            own[0] += (n * cents - total) * (unit // n)
            own[1] += 1
    result = []
    for trainer in sorted(written, key=str):
        if trainer in gaps:
            gap, count = gaps[trainer]
            mean = points(_signed_round(Fraction(gap, unit * count)))
        else:
            mean = None
        result.append(Deviation(trainer, written[trainer], mean))
    return result


@attrs.frozen
class CalibrationDeviation:
    """One trainer on one criterion of a calibration round: the mean of (their value − the
    round's panel mean) over the plans at least two trainers scored, and of (their value −
    the earlier panel's consensus) over the plans with one; ``outside`` when either is
    further from 0 than the band. Rubric points, two decimals; ``None`` where nothing compares."""

    trainer: Hashable
    criterion: str
    plans: int
    from_panel: Decimal | None
    from_consensus: Decimal | None
    outside: bool


def calibration_deviations(scores: Iterable[tuple[Hashable, Hashable, str, int]],
                           consensus: Mapping[tuple[Hashable, str], Fraction], band: Decimal,
                           criteria: Sequence[str]) -> list[CalibrationDeviation]:
    """Every (trainer, criterion) of ``scores`` — ``(plan, trainer, criterion, value)`` —
    in trainer then ``criteria`` order, exactly (fractions), rounded half-up at the end."""
    by_cell: dict[tuple[Hashable, str], list[int]] = {}
    mine: dict[tuple[Hashable, str], list[tuple[Hashable, int]]] = {}
    for plan, trainer, criterion, value in scores:
        by_cell.setdefault((plan, criterion), []).append(value)
        mine.setdefault((trainer, criterion), []).append((plan, value))
    limit = exact(band)
    result = []
    for trainer in sorted({t for t, _c in mine}, key=str):
        for criterion in criteria:
            own = mine.get((trainer, criterion), [])
            panel = [value - Fraction(sum(by_cell[plan, criterion]), len(by_cell[plan, criterion]))
                     for plan, value in own if len(by_cell[plan, criterion]) >= 2]
            earlier = [value - consensus[plan, criterion] for plan, value in own if (plan, criterion) in consensus]
            gaps = [sum(panel) / len(panel) if panel else None, sum(earlier) / len(earlier) if earlier else None]
            result.append(CalibrationDeviation(
                trainer, criterion, len(own), *(points(_signed_round(g * 100)) if g is not None else None
                                                for g in gaps),
                any(g is not None and abs(g) > limit for g in gaps)))
    return result


def _signed_round(value: Fraction) -> int:
    """A fraction of hundredths rounded half-up (away from zero) to whole hundredths."""
    if value < 0:
        return -_signed_round(-value)
    return math.floor(value + Fraction(1, 2))
