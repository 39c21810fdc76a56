"""The arithmetic of business plan scoring: sheet totals, panels, normalisation, agreement."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reentry_business_plans.aggregation import (
    LEVELS, Sheet, band, calibration_deviations, complete_block, deviations, icc, icc_forms, krippendorff_alpha,
    mean_of, normalised_totals, panels, rounded, weighted_total,
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
    assert result.reasons["icc1_1"] == "every score is the same"


# psych::ICC (R) on the Shrout & Fleiss data above, as printed in D. Wollschläger's R examples
# (github.com/dwoll/RExRepos, "interRaterICC"): ICC, F, df1, df2, p, lower and upper bound of the
# 95% interval; the ICCs to 2 decimals, F to 1, p to 5, lower bounds to 3, upper bounds to 2.
PSYCH_SHROUT_FLEISS = {
    "icc1_1": (0.17, 1.8, 5, 18, 0.16477, -0.133, 0.72),
    "icc2_1": (0.29, 11.0, 5, 15, 0.00013, 0.019, 0.76),
    "icc3_1": (0.71, 11.0, 5, 15, 0.00013, 0.342, 0.95),
    "icc1_k": (0.44, 1.8, 5, 18, 0.16477, -0.884, 0.91),
    "icc2_k": (0.62, 11.0, 5, 15, 0.00013, 0.071, 0.93),
    "icc3_k": (0.91, 11.0, 5, 15, 0.00013, 0.676, 0.99),
}


def test_icc_intervals_and_f_tests_match_psych_on_the_shrout_and_fleiss_data():
    for form in icc_forms(icc(SHROUT_FLEISS_TABLE_2)):
        value, f, df1, df2, p, lower, upper = PSYCH_SHROUT_FLEISS[form.key]
        assert (round(form.value, 2), round(form.f, 1), form.df1, form.df2) == (value, f, df1, df2), form.key
        assert round(form.p, 5) == p and round(form.lower, 3) == lower and round(form.upper, 2) == upper, form
    names = [form.name for form in icc_forms(icc(SHROUT_FLEISS_TABLE_2))]
    assert names == ["ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,4)", "ICC(2,4)", "ICC(3,4)"]


# McGraw & Wong (1996), Table 6: ten targets, two judges; the comment of RP Matthew's f_ICC.m
# (MATLAB File Exchange) gives R's output for it: ICC, F, lower and upper bound to 3 decimals.
MCGRAW_WONG_TABLE_6 = [[103, 119], [82, 65], [116, 106], [102, 102], [99, 105], [98, 100], [104, 107], [62, 85],
                       [97, 101], [107, 110]]
R_MCGRAW_WONG = {"icc1_1": (0.722, 6.18, 0.241, 0.922), "icc2_1": (0.720, 6.00, 0.228, 0.922),
                 "icc3_1": (0.714, 6.00, 0.197, 0.920), "icc1_k": (0.838, 6.18, 0.389, 0.959),
                 "icc2_k": (0.837, 6.00, 0.371, 0.959), "icc3_k": (0.833, 6.00, 0.329, 0.959)}


def test_icc_intervals_match_r_on_mcgraw_and_wongs_table_6():
    for form in icc_forms(icc(MCGRAW_WONG_TABLE_6)):
        value, f, lower, upper = R_MCGRAW_WONG[form.key]
        assert (round(form.value, 3), round(form.f, 2), round(form.lower, 3), round(form.upper, 3)) == (
            value, f, lower, upper), form.key


def test_a_reading_needs_five_plans_and_follows_the_interval():
    forms = {f.key: f for f in icc_forms(icc(SHROUT_FLEISS_TABLE_2))}
    assert forms["icc3_k"].reading == "moderate to excellent" and forms["icc3_k"].reading_note is None
    assert forms["icc1_1"].reading == "poor to moderate"
    few = {f.key: f for f in icc_forms(icc(SHROUT_FLEISS_TABLE_2[:4]))}
    assert few["icc3_1"].reading is None and few["icc3_1"].lower is not None
    assert few["icc3_1"].reading_note == ("too few for a meaningful reading: 4 plans and 4 trainers, at least 5 "
                                          "plans and 2 trainers are needed")
    assert [band(x) for x in (0.2, 0.5, 0.74, 0.75, 0.9, 0.91)] == [
        "poor", "moderate", "moderate", "good", "good", "excellent"]


def test_an_exactly_zero_residual_leaves_icc3_undefined_and_icc2_zero():
    # every plan scored 0, 0, 1 and 3 by the same four trainers: no residual at all
    for cell in (0, 0.0, Decimal("0")):
        matrix = [[cell, cell + 0, cell + 1, cell + 3]] * 6
        result = icc(matrix)
        assert result.ems == 0 and result.bms == 0
        assert result.icc3_1 is None and result.icc3_k is None and result.icc1_k is None
        assert result.icc2_1 == 0 and rounded(result.icc2_1) == Decimal("0.000")
        assert "BMS = EMS = 0" in result.reasons["icc3_1"]
        forms = {f.key: f for f in icc_forms(result)}
        assert forms["icc3_1"].value is None and forms["icc3_1"].reason == result.reasons["icc3_1"]
        assert forms["icc2_1"].lower is None and forms["icc2_1"].interval_note == "no interval: BMS and EMS are both 0"


def test_a_float_leftover_is_within_the_relative_tolerance():
    # 0.1 + 0.2 != 0.3 in binary; the scores as written are exact
    matrix = [[0.1, 0.2, 0.3], [0.1 + 0.2, 0.4, 0.5], [0.7, 0.8, 0.9 + 1e-17]]
    result = icc(matrix)
    assert result.ems == 0 and result.icc3_1 == 1


def test_rounded_never_prints_minus_zero():
    assert str(rounded(-0.0001)) == "0.000" and str(rounded(Fraction(-2, 3))) == "-0.667"
    assert rounded(None) is None and str(rounded(Fraction(1, 2), 2)) == "0.50"


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section E: four observers,
# twelve units, values 1-5, missing values as None. Published: nominal 0.743, ordinal 0.815,
# interval 0.849; ratio 0.797 (the krippendorff package's tests, pln-fing-udelar/fast-krippendorff).
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
PUBLISHED_ALPHA = {"nominal": "0.743", "ordinal": "0.815", "interval": "0.849", "ratio": "0.797"}
# Wikipedia's computational example (three coders, fifteen units), as the krippendorff package
# tests it: nominal 0.691358, interval 0.810845.
WIKIPEDIA = [
    [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
]


def test_krippendorffs_alpha_reproduces_the_published_worked_example():
    units = list(zip(*KRIPPENDORFF_2011))
    for level in LEVELS:
        found = krippendorff_alpha(units, level)
        assert str(rounded(found.value)) == PUBLISHED_ALPHA[level], level
        assert (found.units, found.values) == (11, 40)  # unit 12 has one value: not pairable
    # the exact nominal value: 1 - 39 * 10/(40*39 - ...) as the paper works it out
    assert krippendorff_alpha(units, "nominal").value == Fraction(113, 152)
    wiki = list(zip(*WIKIPEDIA))
    assert round(float(krippendorff_alpha(wiki, "nominal").value), 6) == 0.691358
    assert round(float(krippendorff_alpha(wiki, "interval").value), 6) == 0.810845


def test_krippendorffs_alpha_undefined_says_why():
    assert krippendorff_alpha([[3, 3], [3, None]], "ordinal").reason == "every score is the same"
    none = krippendorff_alpha([[1, None], [None, 2]], "ordinal")
    assert none.value is None and none.reason == "no plan has two or more scores" and none.units == 0
    assert krippendorff_alpha([[1, 1], [2, 2], [3, 3]], "ordinal").value == 1
    with pytest.raises(ValueError):
        krippendorff_alpha([[1, 2]], "cardinal")


def test_calibration_deviations_from_the_panel_and_the_earlier_consensus():
    scores = [("C1", "T1", "budget", 4), ("C1", "T2", "budget", 2), ("C2", "T1", "budget", 5),
              ("C2", "T2", "budget", 5), ("C2", "T3", "budget", 2)]
    consensus = {("C1", "budget"): Fraction(3), ("C2", "budget"): Fraction(7, 2)}
    found = {(d.trainer, d.criterion): d for d in calibration_deviations(scores, consensus, Decimal("1"),
                                                                          ["budget", "market"])}
    t1 = found["T1", "budget"]
    # C1: 4 - 3 = 1; C2: 5 - 4 = 1 → 1.00 from the panel; 4 - 3 and 5 - 3.5 → 1.25 from the consensus
    assert (t1.plans, t1.from_panel, t1.from_consensus, t1.outside) == (2, Decimal("1.00"), Decimal("1.25"), True)
    t3 = found["T3", "budget"]
    assert (t3.from_panel, t3.from_consensus, t3.outside) == (Decimal("-2.00"), Decimal("-1.50"), True)
    assert found["T2", "budget"].outside is False
    assert found["T1", "market"] == found["T1", "market"].__class__("T1", "market", 0, None, None, False)


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


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=2, max_size=5), st.integers(2, 9), st.sampled_from([int, float, Decimal]),
       st.integers(-3, 3))
def test_an_exact_zero_residual_never_prints_a_defined_icc3(trainer_levels, n, kind, shift):
    """Every plan scored alike (each trainer's own level, the same for every plan): the
    plans do not differ and nothing is left over, so ICC(3,1), ICC(3,k) and ICC(1,k) are
    undefined and ICC(2,1), ICC(2,k) are 0 (never -0.000), whatever type the scores have."""
    matrix = [[kind(level + shift) for level in trainer_levels] for _ in range(n)]
    result = icc(matrix)
    forms = {f.key: f for f in icc_forms(result)}
    for key in ("icc3_1", "icc3_k", "icc1_k"):
        assert getattr(result, key) is None and forms[key].value is None and forms[key].reason
    for key in ("icc2_1", "icc2_k"):
        value = getattr(result, key)
        assert value is None or str(rounded(value)) == "0.000"
    assert all(forms[key].reading is None for key in ("icc3_1", "icc3_k", "icc1_k"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=2, max_size=8),
       st.lists(st.integers(0, 3), min_size=3, max_size=3))
def test_adding_a_plan_constant_changes_no_consistency_form(matrix, offsets):
    """A trainer's constant offset is not disagreement for ICC(3,·): the residual stays."""
    shifted = [[x + o for x, o in zip(row, offsets)] for row in matrix]
    assert icc(matrix).icc3_1 == icc(shifted).icc3_1
