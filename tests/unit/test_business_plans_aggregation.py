"""The arithmetic of business plan scoring: sheet totals, panels, normalisation, agreement."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reentry_business_plans.aggregation import (
    Sheet, complete_block, deviations, icc, mean_of, normalised_totals, panels, weighted_total,
)

# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
# reliability. Psychological Bulletin 86(2), 420-428. Table 2: four judges rate six targets.
SHROUT_FLEISS_TABLE_2 = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]
# Table 4 of the paper, to the two decimals it prints.
PUBLISHED = {"icc1_1": 0.17, "icc2_1": 0.29, "icc3_1": 0.71, "icc1_k": 0.44, "icc2_k": 0.62, "icc3_k": 0.91}


def test_icc_matches_the_published_example_of_shrout_and_fleiss():
    result = icc(SHROUT_FLEISS_TABLE_2)
    assert (result.n, result.k) == (6, 4)
    for name, published in PUBLISHED.items():
        assert round(getattr(result, name), 2) == published, name
    # the mean squares of their Table 3
    assert result.bms == pytest.approx(11.24, abs=0.005)
    assert result.wms == pytest.approx(6.26, abs=0.005)
    assert result.jms == pytest.approx(32.49, abs=0.005)
    assert result.ems == pytest.approx(1.02, abs=0.005)


def test_icc_of_identical_scores_is_not_a_number_but_none():
    result = icc([[5, 5], [5, 5], [5, 5]])
    assert result.icc1_1 is None and result.icc3_k is None


def test_icc_refuses_an_incomplete_matrix():
    with pytest.raises(ValueError, match="complete matrix"):
        icc([[1, 2], [3]])
    with pytest.raises(ValueError):
        icc([[1, 2]])


def test_weighted_total_is_on_0_to_100():
    weights = [Decimal(20), Decimal(20), Decimal(15), Decimal(15), Decimal(15), Decimal(15)]
    assert weighted_total([(5, w) for w in weights], 1, 5) == Decimal("100.00")
    assert weighted_total([(1, w) for w in weights], 1, 5) == Decimal("0.00")
    assert weighted_total(list(zip([4, 3, 5, 4, 5, 4], weights)), 1, 5) == Decimal("77.50")
    # exact, rounded half-up: (2/3) of 100 with equal weights
    assert weighted_total([(3, Decimal(1)), (3, Decimal(1)), (5, Decimal(1))], 1, 4) == Decimal("88.89")


def test_mean_of_rounds_half_up_exactly():
    assert mean_of([Decimal("10.00"), Decimal("10.01")]) == Decimal("10.01")
    assert mean_of([Decimal("0.01"), Decimal("0.00"), Decimal("0.00")]) == Decimal("0.00")


def sheet(plan, trainer, total):
    return Sheet.of(plan, trainer, Decimal(total))


def test_panels_give_mean_spread_and_count():
    result = panels([sheet("A", "T1", "80.00"), sheet("A", "T2", "50.00"), sheet("B", "T1", "60.00")])
    assert (result["A"].sheets, result["A"].raw_score, result["A"].spread) == (2, Decimal("65.00"), Decimal("30.00"))
    assert (result["B"].sheets, result["B"].raw_score, result["B"].spread) == (1, Decimal("60.00"), Decimal("0.00"))
    assert result["A"].score == result["A"].raw_score


def test_normalisation_evens_out_a_harsh_trainer():
    # T2 scores everything 30 points lower; after normalisation both agree on each plan
    sheets = [sheet(p, "T1", t) for p, t in (("A", "90"), ("B", "70"), ("C", "50"))]
    sheets += [sheet(p, "T2", t) for p, t in (("A", "60"), ("B", "40"), ("C", "20"))]
    result = panels(sheets, normalise=True)
    adjusted = normalised_totals(sheets)
    assert adjusted[0] == pytest.approx(adjusted[3]) and adjusted[2] == pytest.approx(adjusted[5])
    assert result["A"].score > result["B"].score > result["C"].score
    assert result["A"].spread == Decimal("30.00")  # the spread is of the raw sheets


def test_complete_block_takes_the_trainers_giving_the_most_scores():
    sheets = [sheet(p, t, 50 + i) for i, p in enumerate("ABCDE") for t in ("T1", "T2", "T3")]
    sheets += [sheet("A", "T4", 40), sheet("B", "T4", 41)]  # T4 scored two plans only
    block = complete_block(sheets)
    assert block.trainers == ("T1", "T2", "T3") and len(block.plans) == 5
    assert block.trainers_left_out == ("T4",) and block.plans_left_out == 0
    assert len(block.matrix) == 5 and all(len(row) == 3 for row in block.matrix)


def test_complete_block_leaves_out_plans_not_scored_by_every_trainer():
    sheets = [sheet(p, t, 60) for p in "ABC" for t in ("T1", "T2")] + [sheet("D", "T1", 70)]
    block = complete_block(sheets)
    assert block.plans == ("A", "B", "C") and block.plans_left_out == 1


def test_complete_block_too_small_is_empty():
    block = complete_block([sheet("A", "T1", 60), sheet("A", "T2", 70), sheet("B", "T1", 50)])
    assert block.plans == () and block.plans_left_out == 2


def test_deviations_show_the_harsh_trainer():
    sheets = [sheet("A", "T1", 80), sheet("A", "T2", 60), sheet("B", "T1", 70), sheet("B", "T2", 50),
              sheet("C", "T1", 90)]
    found = {d.trainer: d for d in deviations(sheets)}
    assert found["T1"].mean_deviation == Decimal("10.00") and found["T1"].sheets == 3
    assert found["T2"].mean_deviation == Decimal("-10.00") and found["T2"].sheets == 2


def test_deviation_of_a_trainer_who_never_shared_a_plan_is_none():
    found = {d.trainer: d for d in deviations([sheet("A", "T1", 80), sheet("B", "T2", 60)])}
    assert found["T1"].mean_deviation is None


# --- properties ----------------------------------------------------------------------------

totals = st.integers(min_value=0, max_value=10_000)  # hundredths of a point
trainers = st.sampled_from(["T1", "T2", "T3", "T4"])
plans = st.sampled_from([f"P{i}" for i in range(8)])
sheet_lists = st.lists(st.tuples(plans, trainers, totals), min_size=1, max_size=40,
                       unique_by=lambda s: (s[0], s[1])).map(lambda rows: [Sheet(*r) for r in rows])


@settings(max_examples=150, deadline=None)
@given(sheet_lists, st.randoms(use_true_random=False), st.booleans())
def test_the_order_of_the_sheets_changes_nothing(sheets, rnd, normalise):
    shuffled = list(sheets)
    rnd.shuffle(shuffled)
    assert panels(sheets, normalise) == panels(shuffled, normalise)
    assert deviations(sheets) == deviations(shuffled)
    assert complete_block(sheets) == complete_block(shuffled)


@settings(max_examples=150, deadline=None)
@given(sheet_lists)
def test_normalisation_keeps_each_trainers_own_order(sheets):
    adjusted = normalised_totals(sheets)
    for i, a in enumerate(sheets):
        for j, b in enumerate(sheets):
            if a.trainer == b.trainer and a.cents < b.cents:
                assert adjusted[i] <= adjusted[j]
    one_trainer = {}
    for s in sheets:
        one_trainer.setdefault(s.trainer, []).append(s)
    for own in one_trainer.values():  # plans scored by one trainer only rank as that trainer ranked them
        by_plan = panels(own, normalise=True)
        raw = sorted(own, key=lambda s: s.cents)
        assert [by_plan[s.plan].score for s in raw] == sorted(by_plan[s.plan].score for s in raw)


weights = st.lists(st.decimals(min_value="0.001", max_value="100", places=3), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(weights, st.data(), st.decimals(min_value="0.001", max_value="1000", places=3))
def test_scaling_every_weight_by_the_same_number_changes_nothing(ws, data, factor):
    values = data.draw(st.lists(st.integers(1, 5), min_size=len(ws), max_size=len(ws)))
    scaled = [w * factor for w in ws]
    assert weighted_total(list(zip(values, ws)), 1, 5) == weighted_total(list(zip(values, scaled)), 1, 5)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 100), min_size=3, max_size=3), min_size=2, max_size=12))
def test_icc_values_stay_in_their_range(matrix):
    result = icc(matrix)
    for name in ("icc1_1", "icc2_1", "icc3_1"):
        value = getattr(result, name)
        assert value is None or (value <= 1 + 1e-9 and math.isfinite(value))
