"""Small-count protection: no hidden cell can be worked out from what is published, by an
attacker who knows every published figure, every sum that ties the cells together, what
the marks mean, and that counts are whole numbers (linear programming with HiGHS)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reentry_core.protection import (AMOUNT, FEW_PEOPLE, SECONDARY, SMALL, Attack, Grid, Interval, Relation, all_keys,
                                     protect, with_margins)
from reentry_core.protection.attacker import too_narrow

SEXES = ("female", "male")
CENTRES = ("DSH", "KHJ", "KHG")


def grid(cells, levels, name="g", people=None) -> Grid:
    levels = tuple(tuple(level) for level in levels)
    values = with_margins(cells, levels)
    return Grid(name, levels, values, dict(values) if people is None else with_margins(people, levels))


def hide(g: Grid, threshold: int = 5) -> dict:
    return {key: reason for (_name, key), reason in protect({g.name: g}, g.relations(), threshold).items()}


def exposed(g: Grid, hidden: dict, threshold: int = 5) -> dict:
    """What the attacker narrows too far: {key: interval}."""
    attack = Attack({g.name: g}, g.relations(), {(g.name, k): r for k, r in hidden.items()}, threshold)
    cells = [cell for cell in attack.hidden if attack.occupied(cell)]
    return {cell[1]: interval for cell, interval in attack.intervals(cells).items()
            if too_narrow(g, g.value(cell[1]), interval)}


def test_a_small_cell_and_one_other_in_its_row_are_hidden_each_with_its_reason():
    g = grid({("female",): 3, ("male",): 40}, (SEXES,))
    assert g.values[(None,)] == 43
    # female alone would be total - male: male is hidden with it, as "x" (at least 5)
    assert hide(g) == {("female",): SMALL, ("male",): SECONDARY}


def test_nothing_is_hidden_when_every_count_is_large_or_zero_and_no_small_one_is_near():
    g = grid({("female", "DSH"): 12, ("male", "DSH"): 30, ("male", "KHJ"): 8}, (SEXES, CENTRES))
    assert hide(g) == {}


def test_a_zero_beside_a_small_count_is_hidden_with_it_so_the_small_one_may_be_empty_too():
    g = grid({("DSH",): 3, ("KHJ",): 20}, (CENTRES,))  # KHG is 0
    hidden = hide(g)
    assert hidden[("DSH",)] == SMALL and hidden[("KHG",)] == SMALL  # "<5": zero is fewer than five
    assert ("KHJ",) not in hidden  # DSH + KHG = 3 leaves DSH anywhere from 0 to 3
    assert exposed(g, hidden) == {}


def test_four_centres_of_one_each_are_not_pinned_by_their_marks():
    """Four "<5" cells adding up to a "<5" total would each be 1 if a "<5" could not be 0."""
    g = grid({("a",): 1, ("b",): 1, ("c",): 1, ("d",): 1}, (("a", "b", "c", "d", "e"),))
    hidden = hide(g)
    assert set(hidden) == {("a",), ("b",), ("c",), ("d",), ("e",), (None,)}
    assert exposed(g, hidden) == {}


def test_two_small_cells_under_a_published_total_of_eight_are_not_left_at_four_each():
    g = grid({("female", "DSH"): 4, ("male", "DSH"): 4, ("female", "KHJ"): 30, ("male", "KHJ"): 40},
             (SEXES, ("DSH", "KHJ")))
    hidden = hide(g)
    assert hidden[("female", "DSH")] == hidden[("male", "DSH")] == SMALL
    assert exposed(g, hidden) == {}


def test_the_attacker_finds_what_a_weak_pattern_gives_away():
    """The old rule (no sum with exactly one hidden member) leaves these open: the marks and
    the sums pin them."""
    g = grid({("female", "DSH"): 4, ("male", "DSH"): 4, ("female", "KHJ"): 30, ("male", "KHJ"): 40},
             (SEXES, ("DSH", "KHJ")))
    weak = {("female", "DSH"): SMALL, ("male", "DSH"): SMALL, ("female", "KHJ"): SECONDARY,
            ("male", "KHJ"): SECONDARY}
    # 8 = a + b with both at most 4: both are 4, and then the row totals give KHJ away too
    assert set(exposed(g, weak)) == set(weak)
    alone = grid({("female",): 3, ("male",): 40}, (SEXES,))
    assert exposed(alone, {("female",): SMALL}) == {("female",): Interval(3, 3)}  # 43 - 40


def test_an_amount_hidden_with_its_few_people_cannot_be_worked_out_to_within_ten_percent():
    levels = (SEXES,)
    amounts = with_margins({("female",): Decimal("4000"), ("male",): Decimal("18866")}, levels)
    g = Grid("money", levels, amounts, with_margins({("female",): 2, ("male",): 10}, levels), AMOUNT)
    hidden = hide(g)
    assert hidden == {("female",): FEW_PEOPLE, ("male",): SECONDARY}
    assert exposed(g, hidden) == {}
    # the man's amount alone published: the woman's follows exactly
    assert set(exposed(g, {("female",): FEW_PEOPLE})) == {("female",)}


def test_categories_a_person_can_be_in_several_of_are_at_most_their_sum():
    levels = (("legal", "psychological"), SEXES)
    values = with_margins({("legal", "female"): 2, ("legal", "male"): 9, ("psychological", "female"): 7,
                           ("psychological", "male"): 12}, levels)
    values.update({(None, "female"): 8, (None, "male"): 20, (None, None): 28})  # some have both
    g = Grid("people", levels, values, dict(values), additive=(False, True))
    relations = g.relations()
    assert Relation.at_most(("people", ("legal", "female")), ("people", (None, "female"))) in relations
    hidden = hide(g)
    assert hidden[("legal", "female")] == SMALL
    assert exposed(g, hidden) == {}


counts = st.integers(min_value=0, max_value=40) | st.integers(min_value=0, max_value=6)
tables = st.integers(min_value=1, max_value=3).flatmap(lambda k: st.tuples(
    st.lists(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True),
             min_size=k, max_size=k),
    st.integers(min_value=3, max_value=8),
)).flatmap(lambda lt: st.tuples(
    st.just(tuple(tuple(level) for level in lt[0])),
    st.dictionaries(st.tuples(*[st.sampled_from(level) for level in lt[0]]), counts, max_size=40),
    st.just(lt[1]),
))


@settings(max_examples=150, deadline=None)
@given(tables)
def test_no_protected_table_gives_a_cell_away_and_every_mark_is_true(table):
    levels, cells, threshold = table
    g = grid(cells, levels)
    hidden = hide(g, threshold)
    assert exposed(g, hidden, threshold) == {}
    for key in all_keys(levels):
        n = g.value(key)
        if 0 < n < threshold:
            assert hidden.get(key) == SMALL  # every small count is hidden, as small
        if hidden.get(key) == SMALL:
            assert n < threshold  # "<5" never stands for 5 or more
        if hidden.get(key) == SECONDARY:
            assert n >= threshold  # "x" is never a small count
    assert hide(g, threshold) == hidden  # the same figures are always hidden the same way


@settings(max_examples=60, deadline=None)
@given(tables)
def test_margins_add_up_along_every_dimension(table):
    levels, cells, _threshold = table
    g = grid(cells, levels)
    for relation in g.relations():
        assert relation.holds(lambda cell: g.value(cell[1]))
