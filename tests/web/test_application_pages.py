"""Making a grant application in the browser (issue 17): a case worker starts one in an
open round, changes its budget lines, submits and withdraws it, through the services of
``grants apply``, ``update``, ``submit`` and ``withdraw``; each refusal in the service's
words beside the field it is about, and nothing written."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from .conftest import messages
from .test_browser import browser, phone, server  # noqa: F401  (the phone test's fixtures)

ROUND = "RWEB1"


@pytest.fixture
def open_round(web_programme):
    """A round open today (the demo's rounds may all have closed by the tests' today)."""
    admin = web_programme.act_as("ADM")
    today = web_programme.clock.today()
    admin.grants.add_round(ROUND, "Web applications", budget="200000", min_grant="2000", max_grant="10000",
                           opens_on=today.isoformat(), closes_on=(today + timedelta(days=30)).isoformat())
    admin.grants.add_committee_members(ROUND, ["COM1", "COM2", "COM3"])
    admin.grants.open_round(ROUND)
    return ROUND


def dushanbe_people(programme, consent: bool) -> list[str]:
    """Dushanbe participants without any application, with (or without) a consent on file."""
    cw = programme.act_as("DSH-CW1")
    found = []
    for person in cw.participants.list(centre="DSH", limit=500):
        if person.status.value != "active" or cw.grants.applications(participant=person.code):
            continue
        if bool(cw.participants.consents(person.code)) == consent:
            found.append(person.code)
    return found


def applications_of(programme, code: str):
    return programme.act_as("ADM").grants.applications(participant=code)


def lines_form(c, **fields) -> dict:
    base = {"csrf": c.csrf, "own_contribution": "500",
            "item_1": "Sewing machine", "quantity_1": "1", "unit_cost_1": "3500", "kind_1": "in_kind",
            "supplier_1": "Dushanbe Textile",
            "item_2": "Fabric", "quantity_2": "10", "unit_cost_2": "120.50", "kind_2": "cash", "supplier_2": "",
            "item_3": "", "quantity_3": "", "unit_cost_3": "", "kind_3": "cash", "supplier_3": ""}
    return {**base, **fields}


def error_beside(r, field: str) -> str:
    """The one error the page shows, which must stand beside ``field``."""
    errors = [m for m in messages(r) if m]
    assert len(errors) == 1, errors
    assert f'id="e-{field}"' in r.text, (field, errors)
    return errors[0]


def test_a_case_worker_makes_changes_submits_and_withdraws_an_application(signed_in, web_programme, open_round):
    person = dushanbe_people(web_programme, consent=True)[0]
    c = signed_in("DSH-CW1")
    assert f"/grants/apply?round={open_round}" in c.get("/grants/rounds").text
    form = c.get(f"/grants/apply?round={open_round}&participant={person}")
    assert form.status_code == 200
    for field in ("round", "participant", "own_contribution", "item_1", "quantity_1", "unit_cost_1", "supplier_1"):
        assert f'<label for="f-{field}"' in form.text, field
    assert f'<option value="{open_round}" selected' in form.text and f'value="{person}"' in form.text

    r = c.post("/grants/apply", data=lines_form(c, round=open_round, participant=person))
    assert r.status_code == 200, messages(r)
    [app] = applications_of(web_programme, person)
    assert r.url.path == f"/grants/application/{app.code}"
    assert app.status.value == "draft" and app.requested == Decimal("4705.00")
    assert [(l.item, l.kind.value) for l in app.lines] == [("Sewing machine", "in_kind"), ("Fabric", "cash")]
    assert f"{app.code} of {person}" in messages(r)[0]
    assert f"/grants/application/{app.code}/change" in r.text and f"/grants/application/{app.code}/submit" in r.text

    change = c.get(f"/grants/application/{app.code}/change")
    assert change.status_code == 200 and 'value="Sewing machine"' in change.text
    r = c.post(f"/grants/application/{app.code}/change", data=lines_form(
        c, quantity_1="2", unit_cost_1="3 300", item_2="", quantity_2="", unit_cost_2=""))
    assert r.status_code == 200, messages(r)
    [app] = applications_of(web_programme, person)
    assert app.requested == Decimal("6600.00") and len(app.lines) == 1

    r = c.post(f"/grants/application/{app.code}/submit", data={"csrf": c.csrf})
    assert r.status_code == 200, messages(r)
    [app] = applications_of(web_programme, person)
    assert app.status.value == "under_review", app.eligibility_problems
    assert "under review" in messages(r)[0]

    r = c.post(f"/grants/application/{app.code}/withdraw", data={"csrf": c.csrf,
                                                                 "withdraw_reason": "found a job in Khujand"})
    assert r.status_code == 200 and messages(r) == [f"{app.code} is withdrawn."]
    [app] = applications_of(web_programme, person)
    assert app.status.value == "withdrawn" and app.close_reason == "found a job in Khujand"
    assert "/withdraw" not in r.text  # nothing more to withdraw


def test_submitting_shows_each_eligibility_problem_in_the_services_words(signed_in, web_programme, open_round):
    person = dushanbe_people(web_programme, consent=False)[0]
    c = signed_in("DSH-CW1")
    r = c.post("/grants/apply", data=lines_form(c, round=open_round, participant=person))
    [app] = applications_of(web_programme, person)
    r = c.post(f"/grants/application/{app.code}/submit", data={"csrf": c.csrf})
    [app] = applications_of(web_programme, person)
    assert app.status.value == "ineligible" and app.eligibility_problems
    for problem in app.eligibility_problems:
        assert problem in messages(r)[0] and problem in r.text.split("Eligibility")[1]


@pytest.mark.parametrize("fields, field, status, words", [
    ({"unit_cost_1": "12,3.4"}, "unit_cost_1", 400, "is not a number"),
    ({"unit_cost_2": "-5"}, "unit_cost_2", 400, "must be more than zero"),
    ({"quantity_1": "x"}, "quantity_1", 400, "is not a number"),
    ({"item_1": "", "item_2": "", "unit_cost_1": "", "unit_cost_2": "", "supplier_1": ""}, "lines", 400,
     "at least one budget line"),
    ({"own_contribution": "abc"}, "own_contribution", 400, "is not a number"),
    ({"round": "NOPE"}, "round", 404, "does not exist"),
    ({"round": "R2026Q1"}, "round", 409, "closed"),
    ({"participant": "DSH-2099-0001"}, "participant", 404, "does not exist"),
    ({"unit_cost_1": "9000"}, "", 400, "above the round's maximum grant"),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(
        fields, field, status, words, signed_in, web_programme, open_round):
    person = dushanbe_people(web_programme, consent=True)[0]
    c = signed_in("DSH-CW1")
    r = c.post("/grants/apply", data=lines_form(c, **{"round": open_round, "participant": person, **fields}))
    assert r.status_code == status, messages(r)
    if field == "lines":
        assert [m for m in messages(r) if words in m]
    elif field:
        assert words in error_beside(r, field)
    else:  # the whole request: above the form
        assert 'id="form-error"' in r.text and words in messages(r)[0]
    assert applications_of(web_programme, person) == []
    assert 'name="csrf"' in r.text and 'name="item_1"' in r.text  # the form again, as typed
    for name, value in fields.items():
        if value and name != "round":
            assert re.search(rf'name="{name}"[^>]*value="{re.escape(value)}"', r.text), name


def test_a_draft_is_changed_only_while_it_is_a_draft(signed_in, web_programme, open_round):
    person = dushanbe_people(web_programme, consent=True)[0]
    c = signed_in("DSH-CW1")
    c.post("/grants/apply", data=lines_form(c, round=open_round, participant=person))
    [app] = applications_of(web_programme, person)
    r = c.post(f"/grants/application/{app.code}/change", data=lines_form(c, unit_cost_1="12,3.4"))
    assert r.status_code == 400 and "is not a number" in error_beside(r, "unit_cost_1")
    c.post(f"/grants/application/{app.code}/submit", data={"csrf": c.csrf})
    r = c.post(f"/grants/application/{app.code}/change", data=lines_form(c))
    assert r.status_code == 409 and "only a draft is changed" in messages(r)[0]
    [after] = applications_of(web_programme, person)
    assert after.requested == app.requested and after.status.value != "draft"


def test_a_mentor_may_not_make_an_application(signed_in, web_programme, open_round):
    person = dushanbe_people(web_programme, consent=True)[0]
    c = signed_in("DSH-MN1")
    r = c.get("/grants/apply")
    assert r.status_code == 403 and "DSH-MN1 (" in messages(r)[0] and "may not" in messages(r)[0]
    r = c.post("/grants/apply", data=lines_form(c, round=open_round, participant=person))
    assert r.status_code == 403 and "may not make, change, submit and withdraw grant applications" in messages(r)[0]
    assert applications_of(web_programme, person) == []
    assert "/grants/apply" not in c.get("/grants/rounds").text


def test_a_case_worker_makes_an_application_on_a_phone(request, web_programme, open_round, tmp_path):
    """On a 360-px screen, by tapping: the form fits, every field is found by its label."""
    from .test_browser import CHROMIUM, fits, shot

    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    person = dushanbe_people(web_programme, consent=True)[0]
    page = request.getfixturevalue("phone")("DSH-CW1")
    page.get_by_role("link", name="Make a grant application").first.click()
    fits(page)
    page.get_by_label("Grant round").select_option(open_round)
    page.get_by_label("Participant code").fill(person)
    page.get_by_label("Own contribution").fill("500")
    page.locator("#f-item_1").fill("Sewing machine")
    page.locator("#f-quantity_1").fill("1")
    page.locator("#f-unit_cost_1").fill("12,3.4")
    page.get_by_role("button", name="Save as a draft").click()
    page.wait_for_load_state()
    assert "is not a number" in page.locator("#e-unit_cost_1").inner_text()
    fits(page)
    page.locator("#f-unit_cost_1").fill("3500")
    shot(page, tmp_path, "case-worker-application-form")
    page.get_by_role("button", name="Save as a draft").click()
    page.wait_for_load_state()
    assert f"of {person}" in page.locator(".flash").inner_text()
    fits(page)
    shot(page, tmp_path, "case-worker-application-draft")
    [app] = applications_of(web_programme, person)
    assert app.status.value == "draft" and app.requested == Decimal("3500.00")
