"""Mentoring's indicators, computed by the core (``reentry_core.reporting.compute``), on a
programme whose outcomes are known by hand; and the same through ``ctx.mentoring.outcomes``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reentry_core.reporting import Period, compute
from reentry_core.testing import TODAY
from tests.integration.mentoring_support import (  # noqa: F401  (fixtures)
    add_mentor, clock, grants, grants_pm, programme, register,
)

START = "2025-09-15"  # due: 1m 2025-10-15, 3m 2025-12-15, 6m 2026-03-15, 12m 2026-09-15 (windows ±14 days)


def log(ctx, code, on, status="operating", **fields):
    return ctx.mentoring.log_visit(code, visited_on=on, mode="on_site", business_status=status, **fields)


@pytest.fixture
def followed(admin):
    """Four businesses; what each should count is written next to it."""
    add_mentor(admin, "MN1", "Фарида Каримова", "female", capacity=10)
    people = {}
    for key, name, sex, born, centre, consent in [
        ("A", "Мадина Сафарова", "female", "1990-02-01", "DSH", True),
        ("B", "Ҷамшед Раҳимов", "male", "1985-06-01", "DSH", True),
        ("C", "Фирдавс Назаров", "male", "1970-05-05", "KHJ", False),
        ("D", "Гулнора Ҳасанова", "female", "1995-03-03", "DSH", True),
    ]:
        people[key] = register(admin, name, sex, born=born, centre=centre, consent=consent, registered_on="2025-01-10")
        admin.mentoring.assign(people[key], "MN1", on="2025-01-10")
    a, b, c, d = (people[k] for k in "ABCD")
    for code in (a, b, c):
        admin.mentoring.start_schedule(code, START)
    admin.mentoring.start_schedule(d, "2026-09-01")  # 1m due 2026-10-01 (window to 10-15): missed; 3m upcoming
    # A: every visit on time, operating; a police harassment flag opens a legal referral
    log(admin, a, "2025-10-15", revenue="3000", costs="2000")
    log(admin, a, "2025-12-20")
    log(admin, a, "2026-03-10", revenue="5000", costs="3000", risk_flags="police_harassment")
    log(admin, a, "2026-09-10", revenue="6000", costs="3500", owners=1, family_workers=1, hired_workers=2)
    # B: the 1-month visit late, the 3-month missed, temporarily closed at 6 months, no 12-month visit
    log(admin, b, "2025-11-05")
    log(admin, b, "2026-03-20", status="temporarily_closed", revenue="500", costs="800", owners=1)
    # C: closed at the 3-month visit, the mentor ends the follow-up; a debt flag without consent
    log(admin, c, "2025-10-16")
    log(admin, c, "2025-12-10", status="closed", risk_flags="debt", end_follow_up="sold the van")
    return people


def figures(programme, key, period=Period(None, TODAY), by=()):
    with programme.engine.connect() as conn:
        found = compute(conn, programme.indicators, key, period, by=by, today=TODAY)
    return {group: (f.value, f.people) for group, f in found.items()}


def test_counts_of_businesses_visits_and_due_visits(programme, followed):
    assert figures(programme, "mentoring.businesses") == {(): (4, 4)}
    assert figures(programme, "mentoring.visits") == {(): (8, 3)}
    assert figures(programme, "mentoring.visits_on_time") == {(): (7, 3)}  # A: 4, B: 1 (6 months), C: 2
    assert figures(programme, "mentoring.visits_late") == {(): (1, 1)}  # B at 1 month
    assert figures(programme, "mentoring.visits_missed") == {(): (3, 2)}  # B: 3 and 12 months; D: 1 month
    assert figures(programme, "mentoring.due_visits") == {(): (11, 4)}  # C's cancelled 6 and 12 are not due
    with programme.engine.connect() as conn:
        rate = compute(conn, programme.indicators, "mentoring.on_time_rate", Period(None, TODAY), today=TODAY)[()]
    assert (rate.value, rate.numerator, rate.denominator) == (Decimal(7) / 11, 7, 11)


def test_survival_counts_a_missing_visit_as_unknown_never_as_operating(programme, followed):
    six = {part: figures(programme, f"mentoring.survival_6m.{part}")
           for part in ("reached", "operating", "not_operating", "unknown")}
    # A operating; B temporarily closed; C closed before the window: not operating
    assert six == {"reached": {(): (3, 3)}, "operating": {(): (1, 1)}, "not_operating": {(): (2, 2)},
                   "unknown": {}}
    twelve = {part: figures(programme, f"mentoring.survival_12m.{part}")
              for part in ("reached", "operating", "not_operating", "unknown")}
    # A operating; B no visit: unknown; C closed
    assert twelve == {"reached": {(): (3, 3)}, "operating": {(): (1, 1)}, "not_operating": {(): (1, 1)},
                      "unknown": {(): (1, 1)}}
    with programme.engine.connect() as conn:
        rate = compute(conn, programme.indicators, "mentoring.survival_12m", Period(None, TODAY), today=TODAY)[()]
    assert (rate.numerator, rate.denominator) == (1, 3)  # the unknown stays in the denominator


def test_survival_by_sex_and_centre(programme, followed):
    assert figures(programme, "mentoring.survival_6m.operating", by=("sex",)) == {("female",): (1, 1)}
    assert figures(programme, "mentoring.survival_6m.reached", by=("sex",)) == {("female",): (1, 1),
                                                                                 ("male",): (2, 2)}
    assert figures(programme, "mentoring.survival_12m.not_operating", by=("centre",)) == {("KHJ",): (1, 1)}


def test_profit_jobs_and_risks(programme, followed):
    assert figures(programme, "mentoring.profit_6m") == {(): (Decimal("850"), 2)}  # (2000 + -300) / 2
    assert figures(programme, "mentoring.profit_12m") == {(): (Decimal("2500"), 1)}
    value, people = figures(programme, "mentoring.profit_6m")[()]
    assert isinstance(value, Decimal)
    assert figures(programme, "mentoring.jobs") == {(): (4, 3)}  # A: 1 + 1 + 2; B and C not operating: 0
    assert figures(programme, "mentoring.risk_flags") == {(): (2, 2)}
    assert figures(programme, "mentoring.risk_referrals") == {(): (1, 1)}  # C had no consent


def test_a_period_counts_the_due_visits_due_in_it_as_they_stood_at_its_end(programme, followed):
    spring = Period(date(2026, 1, 1), date(2026, 6, 30))
    assert figures(programme, "mentoring.visits_on_time", spring) == {(): (2, 2)}  # A and B at 6 months
    assert figures(programme, "mentoring.visits_missed", spring) == {}
    assert figures(programme, "mentoring.visits", spring) == {(): (2, 2)}
    assert figures(programme, "mentoring.survival_6m.reached", spring) == {(): (3, 3)}
    assert figures(programme, "mentoring.survival_12m.reached", spring) == {}
    # C ended in December 2025, D started in September 2026
    assert figures(programme, "mentoring.businesses", spring) == {(): (2, 2)}
    # as of 20 September 2026 the 12-month windows (to 29 September) were still open: nothing unknown yet
    early = Period(None, date(2026, 9, 20))
    assert figures(programme, "mentoring.survival_12m.unknown", early) == {}
    assert figures(programme, "mentoring.survival_12m.reached", early) == {(): (2, 2)}  # A visited; C closed


def test_outcomes_through_the_service_name_every_indicator(admin, followed):
    hidden = {o.key: o for o in admin.mentoring.outcomes()}
    assert hidden["mentoring.businesses"].value is None and hidden["mentoring.businesses"].suppressed == "small"
    rows = {o.key: o for o in admin.mentoring.outcomes(suppress=False)}
    assert rows["mentoring.businesses"].value == 4
    assert rows["mentoring.survival_6m.unknown"].value == 0  # nothing to count is a zero, shown
    assert rows["mentoring.survival_12m"].value == Decimal(1) / 3
    assert (rows["mentoring.survival_12m"].numerator, rows["mentoring.survival_12m"].denominator) == (1, 3)
    assert rows["mentoring.profit_6m"].unit == "TJS per month"
    by_sex = [o for o in admin.mentoring.outcomes(by=["sex"], suppress=False) if o.key == "mentoring.businesses"]
    assert [(o.group, o.value) for o in by_sex] == [(("female",), 2), (("male",), 2)]
    khj = {o.key: o.value for o in admin.mentoring.outcomes(centre="KHJ", suppress=False)}
    assert khj["mentoring.businesses"] == 1 and khj["mentoring.survival_12m.not_operating"] == 1


def test_an_open_period_is_taken_as_of_the_database_today(programme, followed):
    """Without an end, due-visit figures are as of the database's CURRENT_DATE (here: after
    every 6-month window of the example closed, whatever the calendar says)."""
    assert figures(programme, "mentoring.survival_6m.reached", Period()) == {(): (3, 3)}
    assert figures(programme, "mentoring.survival_6m.not_operating", Period()) == {(): (2, 2)}
