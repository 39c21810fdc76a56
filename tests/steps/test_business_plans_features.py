"""Steps of the business_plans features (``features/business_plans``): trainers running a
cohort, scoring plans, moderating and shortlisting. Given steps set things up through the
Python API; the shared When/Then steps (``reentry_core.testing``) run the CLI as typed."""

from __future__ import annotations

import csv
import re

import pytest
from pytest_bdd import given, parsers, scenarios, then

pytestmark = pytest.mark.usefixtures("database_url")

scenarios("business_plans")

CRITERIA = ("market_understanding", "financial_viability", "skills_experience", "realistic_budget", "commitment",
            "benefit_family_community")


def codes_in(text: str) -> list[str]:
    return re.findall(r"[A-Z]+-\d{4}-\d{4}", text)


def plans_of(programme, staff: str = "ADM"):
    return programme.act_as(staff).plans


@given(parsers.re(r"(?P<trainer>[A-Z0-9]+) opened cohort (?P<cohort>[A-Z0-9-]+) at (?P<centre>[A-Z]+) with the "
                  r"trainers (?P<trainers>[A-Z0-9, ]+) and these sessions:"))
def _(programme, admin, trainer, cohort, centre, trainers, datatable):
    header, *rows = datatable
    sessions = [f"{dict(zip(header, row))['date']}:{dict(zip(header, row))['topic']}" for row in rows]
    plans_of(programme, trainer).add_cohort(cohort, centre, f"Business training {cohort}", "2026-09-01", "2026-11-30",
                                            [t.strip() for t in trainers.split(",")], sessions=sessions)


@given(parsers.re(r"(?P<people>.+) (?:is|are) enrolled in (?P<cohort>[A-Z0-9-]+)$"))
def _(programme, people, cohort):
    plans_of(programme).enrol(cohort, codes_in(people))


def _plan(programme, participant, title, sector, cohort, amount, submit):
    amount = int(amount)
    return plans_of(programme).add_plan(
        participant, cohort, submit=submit, title=title, sector=sector,
        costs=[f"Equipment:1:{amount + 1000}"], own_contribution="1000", requested_funding=str(amount),
        monthly_revenue="3000", monthly_costs="1200")


@given(parsers.parse('{participant} submitted the plan "{title}" ({sector}) in {cohort}, requesting {amount:d} TJS'))
def _(programme, participant, title, sector, cohort, amount):
    _plan(programme, participant, title, sector, cohort, amount, submit=True)


@given(parsers.parse('{participant} wrote the draft plan "{title}" ({sector}) in {cohort}, requesting {amount:d} TJS'))
def _(programme, participant, title, sector, cohort, amount):
    _plan(programme, participant, title, sector, cohort, amount, submit=False)


@given(parsers.parse("{trainer} gave {plan} a {value:d} on every criterion"))
def _(programme, trainer, plan, value):
    plans_of(programme, trainer).score(plan, {key: value for key in CRITERIA})


@given("the trainers gave these values on every criterion:")
def _(programme, datatable):
    header, *rows = datatable
    for row in rows:
        line = dict(zip(header, row))
        for trainer in header[1:]:
            plans_of(programme, trainer).score(line["plan"], {key: int(line[trainer]) for key in CRITERIA})


@given(parsers.parse("{participant} is enrolled in a new cohort {cohort} with trainer {trainer} and wrote plan "
                     "{plan} there"))
def _(programme, tmp_path, monkeypatch, participant, cohort, trainer, plan):
    monkeypatch.chdir(tmp_path)
    plans = plans_of(programme, trainer)
    plans.add_cohort(cohort, "DSH", "Extra cohort", "2026-09-01", "2026-11-30", [trainer], min_sheets=1)
    plans.enrol(cohort, [participant])
    made = _plan(programme, participant, "Sewing workshop", "sewing", cohort, 5000, submit=True)
    assert made.code == plan


@given(parsers.parse('{trainer} filled in {value:d} for every criterion of {plan} in "{name}"'))
def _(tmp_path, trainer, value, plan, name):
    path = tmp_path / name
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    for row in rows[1:]:
        if row[0] == plan:
            for key in CRITERIA:
                row[header.index(key)] = str(value)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


# --- calibration rounds ------------------------------------------------------------------


@given(parsers.re(r"the spring cohort (?P<cohort>[A-Z0-9-]+), trained by (?P<first>[A-Z0-9]+) and "
                  r"(?P<second>[A-Z0-9]+), scored these plans on every criterion:"))
def _(programme, admin, cohort, first, second, datatable):
    """An earlier cohort whose two trainers scored each plan with one value on every criterion."""
    header, *rows = datatable
    lines = [{k: v.strip() for k, v in zip(header, row)} for row in rows]
    plans = plans_of(programme, first)
    plans.add_cohort(cohort, "DSH", "Spring training", "2026-03-02", "2026-05-29", [first, second])
    plans.enrol(cohort, [line["participant"] for line in lines])
    for line in lines:
        made = _plan(programme, line["participant"], line["title"], line["sector"], cohort, 4000, submit=True)
        for trainer in (first, second):
            plans_of(programme, trainer).score(made.code, {key: int(line[trainer]) for key in CRITERIA})


@given(parsers.parse("{lead} opened calibration round {code} with {first} and {second}"))
def _(programme, tmp_path, monkeypatch, lead, code, first, second):
    monkeypatch.chdir(tmp_path)  # the trainer's folder, where sheets are written
    found = plans_of(programme, lead).new_calibration(code.rsplit("-CAL", 1)[0], [first, second])
    assert found.code == code


@given(parsers.parse("in round {code} the trainers gave these values on every criterion:"))
def _(programme, code, datatable):
    header, *rows = datatable
    for row in rows:
        line = dict(zip(header, row))
        for trainer in header[1:]:
            plans_of(programme, trainer).calibration_score(code, line["plan"],
                                                           {key: int(line[trainer]) for key in CRITERIA})


@then(parsers.parse("plan {plan} is {status}"))
def _(programme, plan, status):
    assert plans_of(programme).get(plan).status.value == status


@then(parsers.parse("{plan} has no score sheets"))
def _(programme, plan):
    assert plans_of(programme).sheets(plan) == []


@then(parsers.parse("{plan} has 1 score sheet, by {trainer}, of {total}"))
def _(programme, plan, trainer, total):
    sheets = plans_of(programme).sheets(plan)
    assert [(s.trainer, str(s.total)) for s in sheets] == [(trainer, total)]


@then(parsers.parse("{cohort} has no plans"))
def _(programme, cohort):
    assert plans_of(programme).list(cohort=cohort) == []


@then(parsers.parse("no attendance is recorded in {cohort}"))
def _(programme, cohort):
    assert all(c.held == 0 for c in plans_of(programme).completion(cohort))
