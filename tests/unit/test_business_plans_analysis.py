""""Does the plan score predict survival?": ranks, Spearman and the table the core protects."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from reentry_business_plans.analysis import average_ranks, band_of, spearman, survival_table
from reentry_core.protection import protect
from reentry_core.services.reports import PublishedCells, ReportCell


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
        found += [(D(score), n < operating, "DSH") for n in range(businesses)]
    return found


def published(found, threshold):
    """The table as the core publishes it: the grid protected, then rendered."""
    table = survival_table(found, ("DSH", "KHJ"))
    name = table.grid.name
    hidden = {key: why for (_n, key), why in protect({name: table.grid}, table.grid.relations(), threshold).items()} \
        if threshold else {}
    cells = PublishedCells(lambda key: ReportCell(None, hidden[key]) if key in hidden else
                           ReportCell(table.grid.value(key)), threshold)
    return table.render(cells, None)


def test_the_bands_are_protected_by_outcome_too_so_a_share_never_gives_a_small_count_away():
    rows = published(example(), threshold=5).rows
    bands = {row[0]: row for row in rows}
    # 70–79: 7 of 7 operating (none not operating) is published
    assert bands["70–79"][1] == ReportCell(7) and bands["70–79"][2].value == D(1)
    # 80–89: 6 of 8 would say 2 not operating: the share is hidden, the 8 is not
    assert bands["80–89"][1] == ReportCell(8) and bands["80–89"][2].hidden
    # 60–69 has 3 businesses: hidden as small, its share with it
    assert bands["60–69"][1].suppressed == "small" and bands["60–69"][2].hidden
    assert all(cell.value is None for row in rows for cell in row[1:] if cell.hidden)


def test_an_admin_who_asks_sees_every_band():
    rows = published(example(), threshold=None).rows
    assert [rows[0][1].value, rows[1][1].value] == [6, 3]
    assert rows[-1][1].value == 24 and rows[-1][2].value == D(19) / 24


def test_too_little_data_is_said_instead_of_a_number_and_n_is_shown_as_the_table_shows_it():
    analysis = published([(D(70), True, "DSH"), (D(80), False, "KHJ")], threshold=5)
    assert "too little data (n = <5" in analysis.note
    assert analysis.rows[-1][1].suppressed == "small"
    assert "(n = 24)" in published(example(), threshold=5).note
