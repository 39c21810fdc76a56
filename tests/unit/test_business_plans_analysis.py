""""Does the plan score predict survival?": ranks, Spearman and the protected table, checked by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from reentry_business_plans.analysis import average_ranks, band_of, spearman, survival_by_score


def test_tied_values_share_their_average_rank():
    assert average_ranks([70, 70, 80, 60]) == [D("2.5"), D("2.5"), D(4), D(1)]
    assert average_ranks([False, True, True, False, True]) == [D("1.5"), D(4), D(4), D("1.5"), D(4)]


def test_spearman_by_hand():
    # ranks 1..4 against 1.5,1.5,3.5,3.5: sxy = 4, sxx = 5, syy = 4 -> 4 / sqrt(20)
    assert spearman([50, 60, 70, 80], [False, False, True, True]).quantize(D("0.000001")) == D("0.894427")
    # score ties: ranks 2.5,2.5,4,1 against 3.5,1.5,3.5,1.5: sxy = 3, sxx = 4.5, syy = 4 -> 3 / sqrt(18)
    assert spearman([70, 70, 80, 60], [True, False, True, False]).quantize(D("0.000001")) == D("0.707107")
    assert spearman([50, 60, 70], [True, True, True]) is None


@pytest.mark.parametrize("score, band", [("0", "<60"), ("59.99", "<60"), ("60", "60–69"), ("79.5", "70–79"),
                                         ("89.99", "80–89"), ("90", "90+"), ("100", "90+")])
def test_bands(score, band):
    assert band_of(D(score)) == band


def example():
    found = []
    for score, businesses, operating in [(55, 6, 4), (65, 3, 2), (75, 7, 7), (85, 8, 6)]:
        found += [(D(score), n < operating) for n in range(businesses)]
    return found


def test_small_bands_are_hidden_with_a_complement_so_no_band_follows_from_the_total():
    table = survival_by_score(example(), threshold=5)
    assert table.rows == [
        ["<60", "<5", "<5"],  # hidden too: otherwise 24 - 7 - 8 - 0 gives 60–69 away
        ["60–69", "<5", "<5"],
        ["70–79", 7, "100.0%"],
        ["80–89", 8, "75.0%"],
        ["90+", 0, None],
        ["all", 24, "79.2%"],  # 19 of 24
    ]
    assert "(n = 24)" in table.note and "Spearman" in table.note


def test_an_admin_who_asks_sees_every_band():
    table = survival_by_score(example(), threshold=None)
    assert table.rows[:2] == [["<60", 6, "66.7%"], ["60–69", 3, "66.7%"]]


def test_too_little_data_is_said_instead_of_a_number():
    table = survival_by_score([(D(70), True), (D(80), False)], threshold=5)
    assert "too little data (n = 2" in table.note
    assert table.rows[-1] == ["all", "<5", "<5"]
