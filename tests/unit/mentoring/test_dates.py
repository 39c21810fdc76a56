"""Date arithmetic of the follow-up schedule: month ends, leap years, windows, and where a
visit falls (examples, then properties with hypothesis)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reentry_mentoring.domain import (
    DueState, Fulfilment, add_months, due_state, place_visit, plan_due_visits,
)


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),   # no 31 February
    (date(2028, 1, 31), 1, date(2028, 2, 29)),   # a leap year has the 29th
    (date(2026, 1, 30), 1, date(2026, 2, 28)),
    (date(2026, 1, 28), 1, date(2026, 2, 28)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2027, 8, 31), 6, date(2028, 2, 29)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),  # a leap day a year later
    (date(2028, 2, 29), 48, date(2032, 2, 29)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 31), 1, date(2027, 1, 31)),  # over the year's end
    (date(2026, 12, 15), 12, date(2027, 12, 15)),
    (date(2026, 6, 10), 0, date(2026, 6, 10)),
])
def test_adding_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(min_value=0, max_value=120))
def test_a_month_later_is_in_the_right_month_on_the_same_day_or_its_last(day, months):
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    last = calendar.monthrange(later.year, later.month)[1]
    assert later.day == day.day or (later.day == last and day.day > last)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
       st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_more_months_never_give_an_earlier_date(day, a, b):
    a, b = sorted((a, b))
    assert add_months(day, a) <= add_months(day, b)


def test_the_due_visits_of_a_schedule_started_on_the_31st_of_august_in_a_leap_cycle():
    planned = plan_due_visits(date(2027, 8, 31), (1, 3, 6, 12), 14)
    assert [(v.months, v.due_on) for v in planned] == [
        (1, date(2027, 9, 30)), (3, date(2027, 11, 30)), (6, date(2028, 2, 29)), (12, date(2028, 8, 31))]
    six = planned[2]
    assert (six.window_start, six.window_end) == (date(2028, 2, 15), date(2028, 3, 14))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2080, 12, 31)), st.integers(min_value=0, max_value=13))
def test_windows_of_the_default_offsets_never_overlap_and_open_after_the_start(start, window):
    planned = plan_due_visits(start, (1, 3, 6, 12), window)
    assert planned[0].window_start > start
    for earlier, later in zip(planned, planned[1:]):
        assert earlier.window_end < later.window_start


START = date(2026, 6, 10)  # due: 10 Jul (26 Jun – 24 Jul), 10 Sep (27 Aug – 24 Sep), 10 Dec, 10 Jun 2027


def planned():
    return list(plan_due_visits(START, (1, 3, 6, 12), 14))


@pytest.mark.parametrize("day, expected", [
    (date(2026, 6, 25), None),                                  # before the first window: extra
    (date(2026, 6, 26), (0, Fulfilment.ON_TIME)),               # the window's first day
    (date(2026, 7, 24), (0, Fulfilment.ON_TIME)),               # and its last
    (date(2026, 7, 25), (0, Fulfilment.LATE)),                  # after it, before the next window
    (date(2026, 8, 26), (0, Fulfilment.LATE)),
    (date(2026, 8, 27), (1, Fulfilment.ON_TIME)),               # the next window opened: that one
    (date(2027, 7, 30), (3, Fulfilment.LATE)),                  # the last one stays owed
])
def test_where_a_visit_falls(day, expected):
    assert place_visit(planned(), day) == expected


def test_a_visit_in_a_window_already_done_on_time_is_extra_but_one_done_late_gives_way():
    visits = planned()
    on_time = [attrs.evolve(visits[0], visit_id=7, fulfilment=Fulfilment.ON_TIME), *visits[1:]]
    assert place_visit(on_time, date(2026, 7, 1)) is None
    assert place_visit(on_time, date(2026, 8, 1)) is None  # after a window already done
    late = [attrs.evolve(visits[0], visit_id=7, fulfilment=Fulfilment.LATE), *visits[1:]]
    assert place_visit(late, date(2026, 7, 1)) == (0, Fulfilment.ON_TIME)


@pytest.mark.parametrize("today, states", [
    (date(2026, 6, 20), ["upcoming", "upcoming", "upcoming", "upcoming"]),
    (date(2026, 7, 1), ["open", "upcoming", "upcoming", "upcoming"]),
    (date(2026, 8, 1), ["overdue", "upcoming", "upcoming", "upcoming"]),
    (date(2026, 9, 1), ["missed", "open", "upcoming", "upcoming"]),
    (date(2027, 8, 1), ["missed", "missed", "missed", "overdue"]),
])
def test_the_state_of_each_due_visit_on_a_day(today, states):
    visits = planned()
    assert [due_state(visits, i, today).value for i in range(4)] == states


def test_an_ended_schedule_cancels_what_had_not_opened_and_misses_the_rest():
    visits = planned()
    ended = date(2026, 9, 1)  # the 3-month window was open
    assert [due_state(visits, i, date(2026, 12, 1), ended) for i in range(4)] == [
        DueState.MISSED, DueState.MISSED, DueState.CANCELLED, DueState.CANCELLED]


@given(st.dates(min_value=date(2026, 6, 10), max_value=date(2028, 1, 1)))
def test_a_visit_falls_in_at_most_one_due_visit_and_never_before_the_start(day):
    visits = planned()
    placed = place_visit(visits, day)
    inside = [i for i, v in enumerate(visits) if v.window_start <= day <= v.window_end]
    assert len(inside) <= 1
    if inside:
        assert placed == (inside[0], Fulfilment.ON_TIME)
    elif placed is not None:
        index, how = placed
        assert how is Fulfilment.LATE and visits[index].window_end < day
        assert index + 1 == len(visits) or day < visits[index + 1].window_start
    assert day - START >= timedelta(0)
