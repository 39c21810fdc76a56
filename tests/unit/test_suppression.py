"""Small-count protection: no hidden cell can be worked out from the published totals."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reentry_core.suppression import all_keys, equations, protect, with_margins

SEXES = ("female", "male")
CENTRES = ("DSH", "KHJ", "KHG")


def test_a_small_cell_and_one_other_in_its_row_are_hidden():
    levels = (SEXES,)
    counts = with_margins({("female",): 3, ("male",): 40}, levels)
    assert counts[(None,)] == 43
    # female alone would be total - male: male is hidden with it
    assert protect(counts, levels, 5) == {("female",), ("male",)}


def test_nothing_is_hidden_when_every_count_is_large_or_zero():
    levels = (SEXES, CENTRES)
    counts = with_margins({("female", "DSH"): 12, ("male", "DSH"): 30, ("male", "KHJ"): 8}, levels)
    assert protect(counts, levels, 5) == set()


def test_in_a_cross_table_the_hidden_cells_form_a_pattern_no_total_gives_away():
    levels = (SEXES, CENTRES)
    counts = with_margins({("female", "DSH"): 2, ("female", "KHJ"): 9, ("female", "KHG"): 11,
                           ("male", "DSH"): 30, ("male", "KHJ"): 25, ("male", "KHG"): 40}, levels)
    hidden = protect(counts, levels, 5)
    assert ("female", "DSH") in hidden
    assert ("male", "DSH") in hidden       # the DSH column total would give it away
    assert ("female", "KHJ") in hidden     # the smallest other cell in the female row
    assert ("male", "KHJ") in hidden       # ... whose column then needs a second hidden cell
    assert_no_total_gives_a_cell_away(counts, levels, hidden)


def test_a_small_cell_next_to_zeros_hides_its_total():
    levels = (SEXES,)
    counts = with_margins({("female",): 2}, levels)
    assert protect(counts, levels, 5) == {("female",), (None,)}


def assert_no_total_gives_a_cell_away(counts, levels, hidden):
    for total, parts in equations(levels):
        members = [total, *parts]
        alone = [m for m in members if m in hidden]
        if len(alone) == 1:
            # the only allowed exception: a hidden total whose cells are all published zeros
            assert alone[0] == total and all(counts[p] == 0 for p in parts), (total, parts, hidden)


tables = st.integers(min_value=1, max_value=3).flatmap(lambda k: st.tuples(
    st.just(k),
    st.lists(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True),
             min_size=k, max_size=k),
)).flatmap(lambda kl: st.tuples(
    st.just(tuple(tuple(level) for level in kl[1])),
    st.dictionaries(st.tuples(*[st.sampled_from(level) for level in kl[1]]),
                    st.integers(min_value=0, max_value=30), max_size=30),
    st.integers(min_value=2, max_value=10),
))


@settings(max_examples=300, deadline=None)
@given(tables)
def test_protection_holds_for_any_table(table):
    levels, cells, threshold = table
    counts = with_margins(cells, levels)
    hidden = protect(counts, levels, threshold)
    # every small count is hidden; zeros and large counts only to protect others
    assert {k for k, n in counts.items() if 0 < n < threshold} <= hidden
    assert_no_total_gives_a_cell_away(counts, levels, hidden)
    assert hidden <= set(all_keys(levels))
    # the same table is always protected the same way
    assert protect(counts, levels, threshold) == hidden


@settings(max_examples=100, deadline=None)
@given(tables)
def test_margins_add_up_along_every_dimension(table):
    levels, cells, _threshold = table
    counts = with_margins(cells, levels)
    for total, parts in equations(levels):
        assert counts[total] == sum(counts[p] for p in parts)
