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
from typing import Any, Hashable, Iterable, NamedTuple, Sequence

import attrs

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


@attrs.frozen
class Icc:
    """The six intraclass correlations of Shrout & Fleiss (1979) for ``n`` targets (plans)
    each rated by the same ``k`` judges (trainers), with the mean squares behind them.
    A value is ``None`` where its formula divides by zero (e.g. every score the same)."""

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


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom and math.isfinite(bottom) and abs(bottom) > 1e-12 else None


def icc(matrix: Sequence[Sequence[float]]) -> Icc:
    """ICC(1,1), ICC(2,1), ICC(3,1) and ICC(1,k), ICC(2,k), ICC(3,k) of a complete
    ``n × k`` matrix (rows: targets, columns: judges), ``n >= 2`` and ``k >= 2``.

    Two-way ANOVA: BMS between targets, JMS between judges, EMS residual; one-way:
    WMS within targets. Then, as in Shrout & Fleiss, Table 1:
    ICC(1,1) = (BMS−WMS)/(BMS+(k−1)WMS); ICC(2,1) = (BMS−EMS)/(BMS+(k−1)EMS+k(JMS−EMS)/n);
    ICC(3,1) = (BMS−EMS)/(BMS+(k−1)EMS); ICC(1,k) = (BMS−WMS)/BMS;
    ICC(2,k) = (BMS−EMS)/(BMS+(JMS−EMS)/n); ICC(3,k) = (BMS−EMS)/BMS.
    """
    n = len(matrix)
    k = len(matrix[0]) if n else 0
    if n < 2 or k < 2 or any(len(row) != k for row in matrix):
        raise ValueError("icc needs a complete matrix of at least 2 targets x 2 judges")
    cells = [float(x) for row in matrix for x in row]
    grand = math.fsum(cells) / (n * k)
    row_means = [math.fsum(float(x) for x in row) / k for row in matrix]
    col_means = [math.fsum(float(matrix[i][j]) for i in range(n)) / n for j in range(k)]
    ss_total = math.fsum((x - grand) ** 2 for x in cells)
    ss_rows = k * math.fsum((m - grand) ** 2 for m in row_means)
    ss_cols = n * math.fsum((m - grand) ** 2 for m in col_means)
    ss_within = ss_total - ss_rows
    ss_error = ss_within - ss_cols
    bms = ss_rows / (n - 1)
    wms = ss_within / (n * (k - 1))
    jms = ss_cols / (k - 1)
    ems = ss_error / ((n - 1) * (k - 1))
    return Icc(
        n=n, k=k,
        icc1_1=_ratio(bms - wms, bms + (k - 1) * wms),
        icc2_1=_ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        icc3_1=_ratio(bms - ems, bms + (k - 1) * ems),
        icc1_k=_ratio(bms - wms, bms),
        icc2_k=_ratio(bms - ems, bms + (jms - ems) / n),
        icc3_k=_ratio(bms - ems, bms),
        bms=bms, wms=wms, jms=jms, ems=ems,
    )


@attrs.frozen
class Block:
    """The plans × trainers block the correlations are computed on, and what was left out."""

    trainers: tuple[Hashable, ...]
    plans: tuple[Hashable, ...]
    matrix: tuple[tuple[float, ...], ...]
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
    matrix = tuple(tuple(by_plan[p][t] / 100 for t in trainers) for p in plans)
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


def _signed_round(value: Fraction) -> int:
    """A fraction of hundredths rounded half-up (away from zero) to whole hundredths."""
    if value < 0:
        return -_signed_round(-value)
    return math.floor(value + Fraction(1, 2))


def describe(value: Any) -> str:
    """A correlation for people: three decimals, or ``n/a``."""
    return "n/a" if value is None else f"{value:.3f}"
