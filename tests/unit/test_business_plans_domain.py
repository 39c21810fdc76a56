"""Business plans' own rules: money figures, rubrics from TOML, score values, cohorts."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal

import pytest

from reentry_business_plans.domain import (
    AttendanceMark, Cohort, Completion, CostItem, Plan, PlanSector, PlanStatus, Rubric, TrainingSession,
    rubric_from_toml,
)
from reentry_business_plans.rubrics import default_rubric_text, parse_rubric_text
from reentry_core.errors import InvalidInput

PLAN = dict(participant="DSH-2026-0001", cohort="DSH-26A", title="Sewing workshop", sector="sewing",
            costs=["Sewing machine:2:1800", "Overlock:1:2500"], own_contribution="500", requested_funding="5000",
            monthly_revenue="3000", monthly_costs="1200")


def plan(**changes):
    return Plan(**{**PLAN, **changes})


def test_a_plan_derives_its_figures():
    p = plan()
    assert p.total_cost == Decimal("6100.00")
    assert p.funding_gap == Decimal("600.00")
    assert p.monthly_profit == Decimal("1800.00")
    assert p.payback_months == 4  # 6100 / 1800 = 3.4, rounded up
    assert p.currency == "TJS" and p.status is PlanStatus.DRAFT and p.sector is PlanSector.SEWING


def test_a_plan_without_profit_never_pays_back():
    assert plan(monthly_costs="3000").payback_months is None
    assert plan(monthly_costs="3500").monthly_profit == Decimal("-500.00")


def test_quantities_may_be_fractions_and_totals_round_to_the_diram():
    item = CostItem("Cloth, metres", "2.5", "33.33")
    assert item.total == Decimal("83.33")  # 83.325 half-up


@pytest.mark.parametrize("changes, message", [
    ({"requested_funding": "6100.01"}, "requested_funding 6100.01 TJS is more than the total cost 6100.00 TJS"),
    ({"costs": ["Oven:1:-300"]}, "cost 'Oven:1:-300': unit_cost: -300 must be more than zero"),
    ({"costs": ["Oven:-1:300"]}, "quantity: -1 must be more than zero"),
    ({"own_contribution": "-1"}, "own_contribution: -1 is negative"),
    ({"monthly_costs": "-5"}, "monthly_costs: -5 is negative"),
    ({"requested_funding": "0"}, "requested_funding: 0 must be more than zero"),
    ({"costs": []}, "costs: a plan needs at least one start-up cost item"),
    ({"costs": ["just an oven"]}, "write ITEM:QUANTITY:UNIT_COST"),
    ({"sector": "spaceflight"}, "sector: 'spaceflight' is not one of"),
    ({"currency": "somoni"}, "is not a currency code like TJS"),
    ({"title": " "}, "title is empty"),
])
def test_bad_plans_are_refused_with_one_line(changes, message):
    with pytest.raises(InvalidInput) as err:
        plan(**changes)
    assert message in err.value.message and "\n" not in err.value.message


def test_sector_aliases():
    assert plan(sector="bakery").sector is PlanSector.COOKING
    assert plan(sector="Car repair").sector is PlanSector.CAR_REPAIR


def test_attendance_marks_accept_short_forms():
    assert [AttendanceMark.parse(x) for x in ("P", "a", "e", "Present")] == [
        AttendanceMark.PRESENT, AttendanceMark.ABSENT, AttendanceMark.EXCUSED, AttendanceMark.PRESENT]


def test_completion_counts_excused_as_not_attended():
    c = Completion("DSH-2026-0001", "Зарина", present=8, absent=1, excused=1, held=10, threshold=80)
    assert c.completed and c.rate == Decimal("80.0")
    assert not Completion("X", "Y", 7, 0, 3, 10, 80).completed
    assert not Completion("X", "Y", 0, 0, 0, 0, 80).completed and Completion("X", "Y", 0, 0, 0, 0, 80).rate is None


COHORT = dict(code="dsh-26a", centre="dsh", title="Autumn 2026", start_date=date(2026, 9, 1),
              end_date=date(2026, 11, 30), trainers=["TR1", "tr2"])


def test_a_cohort_takes_its_first_trainer_as_lead():
    cohort = Cohort(**COHORT)
    assert cohort.code == "DSH-26A" and cohort.trainers == ("TR1", "TR2") and cohort.lead_trainer == "TR1"
    assert cohort.completion_threshold == 80 and cohort.min_sheets == 2 and cohort.spread_limit == 20


@pytest.mark.parametrize("changes, message", [
    ({"end_date": date(2026, 8, 1)}, "end_date 2026-08-01 is before start_date 2026-09-01"),
    ({"trainers": []}, "a cohort needs at least one trainer"),
    ({"lead_trainer": "TR9"}, "lead_trainer TR9 is not one of the cohort's trainers"),
    ({"completion_threshold": 0}, "completion_threshold must be between 1 and 100"),
    ({"code": "a"}, "cohort code 'A' must be"),
    ({"spread_limit": "20.1255"}, "spread_limit: 20.1255 has more than two decimals"),
    ({"sessions": [TrainingSession(date(2026, 12, 5), "marketing")]}, "session on 2026-12-05 is outside"),
])
def test_bad_cohorts_are_refused(changes, message):
    with pytest.raises(InvalidInput, match=message):
        Cohort(**{**COHORT, **changes})


def test_sessions_parse_from_text():
    s = TrainingSession.parse("07.09.2026:business_planning")
    assert (s.on, s.topic.value) == (date(2026, 9, 7), "business_planning")
    with pytest.raises(InvalidInput, match="write DATE:TOPIC"):
        TrainingSession.parse("2026-09-07")
    with pytest.raises(InvalidInput, match="topic"):
        TrainingSession.parse("2026-09-07:juggling")


# --- rubrics --------------------------------------------------------------------------------


def test_the_default_rubric_has_the_six_criteria():
    rubric = parse_rubric_text(default_rubric_text(), "default.toml")
    assert rubric.keys == ["market_understanding", "financial_viability", "skills_experience", "realistic_budget",
                           "commitment", "benefit_family_community"]
    assert (rubric.scale_min, rubric.scale_max) == (1, 5)
    assert sum(c.weight for c in rubric.criteria) == 100


RUBRIC = """
key = "short"
title = "A short rubric"
scale = [1, 5]
[[criteria]]
key = "market"
label = "Market"
weight = {weight}
[[criteria]]
key = "money"
label = "Money"
weight = 1
"""


@pytest.mark.parametrize("weight, message", [
    ("0", "criterion market: weight: 0 must be more than zero"),
    ("-2", "criterion market: weight: -2 must be more than zero"),
    ('"heavy"', "criterion market: weight: 'heavy' is not a number"),
    ("true", "criterion market: weight: True is not a number"),
])
def test_rubric_weights_must_be_positive_numbers(weight, message):
    with pytest.raises(InvalidInput) as err:
        parse_rubric_text(RUBRIC.format(weight=weight), "short.toml")
    assert err.value.message == f"short.toml: {message}"


@pytest.mark.parametrize("text, message", [
    ('key = "x"\ntitle = "t"\nscale = [5, 1]\n[[criteria]]\nkey="a"\nlabel="A"\nweight=1', "0 <= lowest < highest"),
    ('key = "x"\ntitle = "t"\nscale = [1, 5]', "criteria: add at least one"),
    ('key = "x"\ntitle = "t"\nscale = [1, 5]\n[[criteria]]\nkey="a"\nlabel="A"', "criterion 1: missing weight"),
    ('key = "x"\ntitle = "t"\nscale = [1, 5]\n[[criteria]]\nkey="a"\nlabel="A"\nweight=1\n[[criteria]]\nkey="a"\n'
     'label="B"\nweight=1', "the key 'a' is used twice"),
    ('key = "x"\ntitle = "t"\nscale = [1, 5]\ncolour = "red"', "unknown field(s) colour"),
    ('key = "x"\ntitle = "t"\nscale = 5', "scale = [1, 5]"),
    ('key = "X Y"\ntitle = "t"\nscale = [1, 5]\n[[criteria]]\nkey="a"\nlabel="A"\nweight=1', "key 'X Y' must be"),
    ("key = ", "is not valid TOML"),
])
def test_bad_rubric_files_are_refused(text, message):
    with pytest.raises(InvalidInput) as err:
        parse_rubric_text(text, "r.toml")
    assert message in err.value.message and err.value.message.startswith("r.toml")


def rubric() -> Rubric:
    return rubric_from_toml(tomllib.loads(RUBRIC.format(weight=3)), "short.toml")


def test_score_values_are_checked_against_the_rubric():
    r = rubric()
    assert r.check_values({"market": "4", "money": 2}) == {"market": 4, "money": 2}
    assert r.weighted_total({"market": 5, "money": 1}) == Decimal("75.00")


@pytest.mark.parametrize("values, message", [
    ({"market": 6, "money": 3}, "market: 6 is outside the scale 1–5"),
    ({"market": 0, "money": 3}, "market: 0 is outside the scale 1–5"),
    ({"market": 4}, "no value for money"),
    ({"market": 4, "money": 3, "charm": 5}, "unknown criterion 'charm'"),
    ({"market": "4.5", "money": 3}, "market: '4.5' is not a whole number"),
    ({"market": "lots", "money": 3}, "market: 'lots' is not a whole number"),
])
def test_bad_score_values_are_refused(values, message):
    with pytest.raises(InvalidInput, match=message):
        rubric().check_values(values, where="plan DSH-26A-P001")
