"""The mentoring features (features/mentoring/*.feature) and the steps only they use.

Microgrants is played by the stand-in of ``tests/integration/mentoring_support.py``: it
fires ``grant_approved`` and ``tranche_released`` and asks ``tranche_verification``
inside a transaction, as the contract in docs/plugins.md says. The scenarios start on
1 May 2026 and move the date forward with "Given today is …".
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from pytest_bdd import given, parsers, scenarios, then, when

from reentry_core.convert import parse_date
from reentry_core.errors import Conflict
from reentry_mentoring import tables as t
from tests.integration.mentoring_support import (  # noqa: F401  (fixtures for these scenarios)
    FakeMicrogrants, MovableClock, grants, grants_pm, programme, run_cli,
)

pytestmark = pytest.mark.usefixtures("database_url")

scenarios("mentoring")

START = date(2026, 5, 1)


@pytest.fixture
def clock():
    return MovableClock(START)


# --- Given ---------------------------------------------------------------------------------


@given("these mentors:")
def _(admin, datatable):
    header, *rows = datatable
    for row in rows:
        mentor = dict(zip(header, row))
        admin.staff.add(mentor["code"], mentor["name"], ["mentor"], mentor["centre"])
        admin.mentoring.set_profile(mentor["code"], sex=mentor["sex"], capacity=int(mentor["capacity"]),
                                    languages=mentor["languages"], sectors=mentor["sectors"])


@given(parsers.parse("today is {day}"))
def _(clock, day):
    moved = parse_date(day)
    assert moved >= clock.today(), f"the scenario's date only moves forward ({clock.today()} → {moved})"
    clock.move_to(moved)


@given(parsers.re(r"(?P<mentor>[A-Z0-9]+) mentors (?P<code>[A-Z]+-\d{4}-\d{4})$"))
def _(admin, mentor, code):
    admin.mentoring.assign(code, mentor)


@given(parsers.parse("microgrants approved grant {grant} of {code} for a {sector} business"))
def _(admin, grants: FakeMicrogrants, world, clock, grant, code, sector):
    world.setdefault("grants", {})[grant] = grants.approve(admin, code, code=grant, sector=sector, on=clock.today())


def _release(admin, grants, world, grant, number, released_on):
    return grants.release(admin, world["grants"][grant], number, released_on)


@given(parsers.parse("microgrants recorded tranche {number:d} of {grant}, released on {day}"))
def _(admin, grants, world, number, grant, day):
    _release(admin, grants, world, grant, number, parse_date(day))


@given(parsers.parse("the case worker started the follow-up of {code} on {day}"))
def _(admin, code, day):
    admin.mentoring.start_schedule(code, day)


# --- When ----------------------------------------------------------------------------------


@when(parsers.parse("microgrants records tranche {number:d} of {grant}, released on {day}"))
def _(admin, grants, world, number, grant, day):
    _release(admin, grants, world, grant, number, parse_date(day))


@when(parsers.parse("microgrants asks to release tranche {number:d} of {grant}"))
def _(admin, grants, world, clock, number, grant):
    world.pop("released", None)
    world.pop("waiting", None)
    try:
        world["released"] = _release(admin, grants, world, grant, number, clock.today())
    except Conflict as exc:
        world["waiting"] = exc.message


# --- Then ----------------------------------------------------------------------------------


@then(parsers.re(r"(?P<mentor>[A-Z0-9]+) mentors (?P<code>[A-Z]+-\d{4}-\d{4})$"))
def _(programme, admin, mentor, code):
    (current,) = programme.act_as("ADM").mentoring.assignments(code, active=True)
    assert current.mentor == mentor, current


@then(parsers.parse("{code} has no mentor"))
def _(programme, admin, code):
    assert programme.act_as("ADM").mentoring.assignments(code, active=True) == []


@then(parsers.parse("{code} has {count:d} follow-up schedule, started on {day}, with {due:d} visits due"))
def _(programme, admin, code, count, day, due):
    schedules = programme.act_as("ADM").mentoring.schedules(code)
    assert len(schedules) == count, schedules
    assert schedules[0].started_on == parse_date(day) and len(schedules[0].due_visits) == due


@then(parsers.parse("{code} has no follow-up schedule"))
def _(programme, admin, code):
    assert programme.act_as("ADM").mentoring.schedules(code) == []


@then("the tranche waits for a mentoring visit")
def _(world):
    assert "released" not in world, "the tranche was paid"
    assert "waits for a mentoring visit" in world["waiting"]


@then(parsers.parse("the tranche is paid on the evidence of mentoring visit {visit:d} of {day} by {mentor}"))
def _(world, grants, visit, day, mentor):
    assert "waiting" not in world, world.get("waiting")
    evidence = grants.evidence[-1]
    assert evidence.reference == f"mentoring visit {visit}"
    assert evidence.visited_on == parse_date(day) and evidence.mentor == mentor


@then("no visit is logged")
def _(programme):
    with programme.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.visit)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(t.visit_risk)).scalar_one() == 0


@then(parsers.parse("the mentoring indicators of July 2026 count {visits:d} visits, {on_time:d} due visit done on time"))
def _(programme, visits, on_time):
    found = {o.key: o.value for o in programme.act_as("ADM").mentoring.outcomes(
        start="2026-07-01", end="2026-07-31", suppress=False)}
    assert (found["mentoring.visits"], found["mentoring.visits_on_time"]) == (visits, on_time), found
