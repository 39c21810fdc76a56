"""A trainer starts the work in the browser (issue 17): a cohort opened, people enrolled
(and an enrolment made by mistake taken back), a plan written as a draft and submitted,
through the services the `plans` commands call; bad input is refused next to its field
in the service's words and writes nothing; a mentor or committee member is refused."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from .conftest import messages

COHORT = "DSH-2612-09"


def _free(programme, cohort: str, n: int) -> list[str]:
    """``n`` active Dushanbe participants not yet enrolled in ``cohort``."""
    ctx = programme.act_as("DSH-TR1")
    enrolled = {p.participant for p in ctx.plans.completion(cohort)}
    return [p.code for p in ctx.participants.list(centre="DSH", status="active") if p.code not in enrolled][:n]


def _new_cohort(c, **fields):
    data = {"csrf": c.csrf, "code": COHORT, "title": "Business training, winter", "centre": "DSH",
            "start_date": "2026-12-07", "end_date": "2027-02-20", "trainers": "DSH-TR1, DSH-TR2",
            "session-on-0": "2026-12-10", "session-topic-0": "business_planning",
            "session-on-1": "2026-12-17", "session-topic-1": "marketing",
            "completion_threshold": "80", "min_sheets": "2", "spread_limit": "20", **fields}
    return c.post("/plans/cohorts/new", data=data)


PLAN = {"title": "Sewing workshop", "sector": "sewing", "summary": "School uniforms for the district.",
        "cost-item-0": "Sewing machine", "cost-quantity-0": "2", "cost-unit-0": "1800",
        "cost-item-1": "Overlock", "cost-quantity-1": "1", "cost-unit-1": "2500,50",
        "own_contribution": "500", "requested_funding": "5000", "monthly_revenue": "3000", "monthly_costs": "1200"}


def test_a_trainer_opens_a_cohort_enrols_two_and_writes_and_submits_a_plan(signed_in, web_programme):
    c = signed_in("DSH-TR1")
    assert 'href="/plans/cohorts/new"' in c.get("/plans/cohorts").text
    form = c.get("/plans/cohorts/new")
    assert form.status_code == 200
    assert 'name="trainers" type="text" value="DSH-TR1"' in form.text  # the defaults shown
    assert 'value="2026-12-06"' in form.text and "business planning" in form.text
    r = _new_cohort(c)
    assert r.status_code == 200 and r.url.path == f"/plans/cohort/{COHORT}"
    assert messages(r) == [f"Opened cohort {COHORT} with 2 planned sessions; rubric default@1."]
    plans = web_programme.act_as("DSH-TR1").plans
    made = plans.cohort(COHORT)
    assert made.trainers == ("DSH-TR1", "DSH-TR2") and made.centre == "DSH" and len(made.sessions) == 2
    assert f'href="/plans/cohort/{COHORT}/enrol"' in r.text and f'href="/plans/cohort/{COHORT}/plan"' in r.text

    page = c.get(f"/plans/cohort/{COHORT}/enrol")
    ticked, typed = re.findall(r'name="participants" value="([A-Z0-9-]+)"', page.text)[:2]
    r = c.post(f"/plans/cohort/{COHORT}/enrol", data={"csrf": c.csrf, "participants": [ticked], "codes": typed})
    assert r.status_code == 200
    assert messages(r) == [f"Enrolled 2 in {COHORT}: {ticked}, {typed}."]
    assert {p.participant for p in plans.completion(COHORT)} == {ticked, typed}

    form = c.get(f"/plans/cohort/{COHORT}/plan")
    assert form.status_code == 200 and f'value="{ticked}"' in form.text and "car repair" in form.text
    r = c.post(f"/plans/cohort/{COHORT}/plan", data={"csrf": c.csrf, "participant": ticked, **PLAN})
    code = f"{COHORT}-P001"
    assert r.status_code == 200 and r.url.path == f"/plans/plan/{code}"
    assert messages(r)[0].startswith(f"Plan {code} of {ticked}: draft, total cost")
    draft = plans.get(code)
    assert draft.status.value == "draft" and draft.total_cost == Decimal("6100.50")
    assert draft.costs[1].unit_cost == Decimal("2500.50") and draft.requested_funding == Decimal("5000")
    assert "Submit to the panel" in r.text

    r = c.post(f"/plans/plan/{code}/submit", data={"csrf": c.csrf})
    assert r.status_code == 200 and messages(r) == [f"Plan {code} submitted (version 1)."]
    assert plans.get(code).status.value == "submitted"
    assert "Submit to the panel" not in r.text
    event = web_programme.act_as("ADM").audit.log(key=code, action="plan.submit")[0]
    assert event.actor == "DSH-TR1"  # the signed-in trainer, as --as makes them


def test_an_enrolment_made_by_mistake_is_taken_back(signed_in, web_programme):
    c = signed_in("DSH-TR1")
    _new_cohort(c)
    first, second = _free(web_programme, COHORT, 2)
    c.post(f"/plans/cohort/{COHORT}/enrol", data={"csrf": c.csrf, "codes": f"{first} {second}"})
    assert f'href="/plans/cohort/{COHORT}/unenrol/{second}"' in c.get(f"/plans/cohort/{COHORT}").text
    assert c.get(f"/plans/cohort/{COHORT}/unenrol/{second}").status_code == 200
    r = c.post(f"/plans/cohort/{COHORT}/unenrol/{second}", data={"csrf": c.csrf, "reason": ""})
    assert r.status_code == 400
    assert re.search(r'id="e-reason"[^>]*>Why: say why the enrolment is taken back<', r.text)
    r = c.post(f"/plans/cohort/{COHORT}/unenrol/{second}", data={"csrf": c.csrf, "reason": "the wrong person"})
    assert r.status_code == 200 and messages(r) == [f"{second} is no longer enrolled in {COHORT}."]
    assert [p.participant for p in web_programme.act_as("DSH-TR1").plans.completion(COHORT)] == [first]


def test_a_date_that_is_not_a_date_is_refused_beside_its_field(signed_in, web_programme):
    c = signed_in("DSH-TR1")
    r = _new_cohort(c, start_date="2026-13-45")
    assert r.status_code == 400
    assert messages(r) == ["First day: '2026-13-45' is not a date; write YYYY-MM-DD or DD.MM.YYYY"]
    assert re.search(r'id="e-start_date"[^>]*>First day: &#39;2026-13-45&#39; is not a date', r.text)
    assert 'aria-invalid="true" aria-describedby="e-start_date"' in r.text
    assert COHORT not in {k.code for k in web_programme.act_as("DSH-TR1").plans.cohorts()}


def test_an_unknown_participant_code_enrols_nobody(signed_in, web_programme):
    c = signed_in("DSH-TR1")
    _new_cohort(c)
    (free,) = _free(web_programme, COHORT, 1)
    r = c.post(f"/plans/cohort/{COHORT}/enrol", data={"csrf": c.csrf, "participants": [free],
                                                      "codes": "DSH-2026-9999"})
    assert r.status_code == 400
    assert messages(r) == ["participant 'DSH-2026-9999' does not exist; nobody was enrolled"]
    assert re.search(r'id="e-codes"[^>]*>participant &#39;DSH-2026-9999&#39; does not exist', r.text)
    assert web_programme.act_as("DSH-TR1").plans.completion(COHORT) == []


def test_a_negative_amount_writes_no_plan(signed_in, web_programme):
    c = signed_in("DSH-TR1")
    _new_cohort(c)
    (free,) = _free(web_programme, COHORT, 1)
    c.post(f"/plans/cohort/{COHORT}/enrol", data={"csrf": c.csrf, "codes": free})
    r = c.post(f"/plans/cohort/{COHORT}/plan", data={"csrf": c.csrf, "participant": free,
                                                     **PLAN, "own_contribution": "-500"})
    assert r.status_code == 400
    assert len(messages(r)) == 1 and messages(r)[0].startswith("Own contribution: ")
    assert re.search(r'id="e-own_contribution"[^>]*>Own contribution: -500', r.text)
    assert 'value="Sewing machine"' in r.text  # what was typed stays
    gap = {"cost-item-1": "", "cost-quantity-1": "", "cost-unit-1": "", "cost-item-3": "Overlock",
           "cost-quantity-3": "1", "cost-unit-3": "-2500"}  # the second line sent is the form's fourth row
    r = c.post(f"/plans/cohort/{COHORT}/plan", data={"csrf": c.csrf, "participant": free, **PLAN, **gap})
    assert r.status_code == 400
    assert re.search(r'id="e-costs.3"[^>]*>Cost line 4: unit_cost: -2500', r.text)
    assert 'id="e-costs.1"' not in r.text
    assert web_programme.act_as("DSH-TR1").plans.list(cohort=COHORT) == []


@pytest.mark.parametrize("code, words", [("DSH-MN1", "DSH-MN1 (mentor) may not"),
                                         ("COM1", "COM1 (committee_member) may not")])
def test_a_mentor_or_committee_member_is_refused(code, words, signed_in, web_programme):
    trainer = signed_in("DSH-TR1")
    _new_cohort(trainer)
    (free,) = _free(web_programme, COHORT, 1)
    trainer.post(f"/plans/cohort/{COHORT}/enrol", data={"csrf": trainer.csrf, "codes": free})
    r = trainer.post(f"/plans/cohort/{COHORT}/plan", data={"csrf": trainer.csrf, "participant": free, **PLAN})
    plan = f"{COHORT}-P001"
    c = signed_in(code)
    assert 'href="/plans/cohorts/new"' not in c.get("/plans/cohorts").text
    assert f'href="/plans/cohort/{COHORT}/enrol"' not in c.get(f"/plans/cohort/{COHORT}").text
    for path in ("/plans/cohorts/new", f"/plans/cohort/{COHORT}/enrol", f"/plans/cohort/{COHORT}/plan",
                 f"/plans/cohort/{COHORT}/unenrol/{free}"):
        r = c.get(path)
        assert r.status_code == 403 and messages(r)[0].startswith(words), path
    r = _new_cohort(c, code="DSH-2612-10")
    assert r.status_code == 403 and words in messages(r)[0]
    r = c.post(f"/plans/cohort/{COHORT}/enrol", data={"csrf": c.csrf, "codes": free})
    assert r.status_code == 403
    assert "Submit to the panel" not in c.get(f"/plans/plan/{plan}").text
    r = c.post(f"/plans/plan/{plan}/submit", data={"csrf": c.csrf})
    assert r.status_code == 403 and messages(r)  # the permission, or (committee) the participant out of scope
    plans = web_programme.act_as("DSH-TR1").plans
    assert plans.get(plan).status.value == "draft"
    assert "DSH-2612-10" not in {k.code for k in plans.cohorts()}
