"""Every page for every role: what each may open, what is refused with the service's own
words, and the work each role does through the pages (the same services as the CLI)."""

from __future__ import annotations

import re

import pytest

from .conftest import messages

ROLES = ("ADM", "DSH-CW1", "DSH-TR1", "COM1", "FIN1", "DSH-MN1", "KHJ-MN1", "ME1")
PLAN = "DSH-2510-01-P001"
PAGES = {
    # path: the permission the page's service asks for (None: everyone signed in)
    "/": None,
    "/me": None,
    "/mentoring/due": "mentoring.view",
    "/mentoring/caseload": "mentoring.view",
    "/grants/rounds": "grants.view",
    "/grants/agenda": "grants.view",
    "/grants/budget/R2026Q1": "grants.view",
    "/grants/application/R2026Q1-004": "grants.view",
    "/grants/tranches": "grants.view",
    "/grants/apply": "grants.apply",
    "/grants/application/R2026Q1-004/change": "grants.apply",
    "/plans/cohorts": "plans.view",
    "/plans/cohort/DSH-2607-01": "plans.view",
    "/plans/cohort/DSH-2607-01/session/1": "plans.attendance",
    "/mentoring/visit/DSH-2026-0020": "mentoring.visit",
    "/grants/tranche/R2026Q3-006": "grants.disburse",
    "/grants/agenda/R2026Q3/tally-sheet": "grants.view",
    f"/plans/plan/{PLAN}/score": "plans.score",
    "/plans/cohort/DSH-2607-01/ranking": "plans.view",
    "/plans/cohorts/new": "plans.cohorts",
    "/plans/cohort/DSH-2607-01/enrol": "plans.cohorts",
    "/plans/cohort/DSH-2607-01/unenrol/DSH-2026-0002": "plans.cohorts",
    "/plans/cohort/DSH-2607-01/plan": "plans.write",
    f"/plans/plan/{PLAN}": "plans.view",
    "/participants": "participants.view",
    "/participants/new": "participants.register",
    "/participants/DSH-2025-0010": "participants.view",
    "/referrals": "referrals.view",
    "/report": "reports.view",
    "/report/indicators": "reports.view",
    "/admin/staff": "staff.manage",
    "/admin/centres": "centres.manage",
    "/admin/settings": "reports.threshold",
}


@pytest.mark.parametrize("code", ROLES)
def test_every_page_opens_or_is_refused_in_the_services_words(code, signed_in, web_programme):
    c = signed_in(code)
    ctx = web_programme.act_as(code)
    for path, permission in PAGES.items():
        r = c.get(path)
        assert len(r.content) < 100_000, path
        if permission is None or ctx.can(permission):
            assert r.status_code in (200, 400, 403, 404, 409), (path, r.status_code)
            if r.status_code != 200:  # refused by a narrower rule of the service (scope, the plan's state)
                assert messages(r), path
        else:
            assert r.status_code == 403, (code, path, r.status_code)
            assert f"{code} (" in messages(r)[0] and "may not" in messages(r)[0]


def test_the_home_page_shows_each_role_its_own_work(signed_in):
    assert "/mentoring/due" in signed_in("DSH-MN1").get("/").text
    assert "/grants/agenda" in signed_in("COM1").get("/").text
    assert "/grants/agenda" not in signed_in("DSH-TR1").get("/").text
    assert "/grants/tranches" in signed_in("FIN1").get("/").text
    assert "/plans/cohorts" in signed_in("DSH-TR1").get("/").text


# --- mentor -----------------------------------------------------------------------------------

def test_a_mentor_sees_the_visits_due_and_logs_one(signed_in, web_programme):
    c = signed_in("DSH-MN1")
    due = c.get("/mentoring/due")
    assert "DSH-2026-0020" in due.text
    form = c.get("/mentoring/visit/DSH-2026-0020")
    assert form.status_code == 200 and 'name="business_status"' in form.text
    r = c.post("/mentoring/visit/DSH-2026-0020", data={
        "csrf": c.csrf, "mode": "on_site", "business_status": "operating", "revenue": "6500", "costs": "4100",
        "owners": "1", "hired_workers": "1", "equipment_seen": "yes", "discussed": "winter orders"})
    assert r.status_code == 200
    assert any(m.startswith("Logged visit") and "verifies the business" in m for m in messages(r))
    visits = web_programme.act_as("DSH-MN1").mentoring.visits("DSH-2026-0020")
    assert visits[-1].discussed == "winter orders"
    event = web_programme.act_as("ADM").audit.log(key="DSH-2026-0020", action="mentoring.visit")[0]
    assert event.actor == "DSH-MN1"  # the signed-in person, as --as makes them


def test_a_visit_form_shows_each_refusal_next_to_its_field(signed_in):
    c = signed_in("DSH-MN1")
    r = c.post("/mentoring/visit/DSH-2026-0020", data={"csrf": c.csrf, "mode": "on_site", "revenue": "abc"})
    assert r.status_code == 400
    html = r.text
    assert re.search(r'id="e-business_status"[^>]*>The business: missing', html)
    assert re.search(r"id=\"e-revenue\"[^>]*>Monthly revenue \(TJS\): &#39;abc&#39; is not a number", html)
    assert 'aria-invalid="true" aria-describedby="e-revenue"' in html


def test_a_khujand_mentor_cannot_open_a_dushanbe_visit_page(signed_in):
    c = signed_in("KHJ-MN1")
    r = c.get("/mentoring/visit/DSH-2026-0020")
    assert r.status_code == 403
    assert messages(r) == ["DSH-2026-0020 belongs to Dushanbe; you work at Khujand"]
    r = c.post("/mentoring/visit/DSH-2026-0020", data={"csrf": c.csrf, "mode": "on_site",
                                                       "business_status": "operating"})
    assert r.status_code == 403


def test_a_mentor_reads_the_caseload(signed_in):
    r = signed_in("DSH-MN1").get("/mentoring/caseload")
    assert r.status_code == 200 and "DSH-2026-0020" in r.text


# --- committee -----------------------------------------------------------------------------------

def test_a_committee_member_reads_an_application_and_votes(signed_in, web_programme):
    c = signed_in("COM2")
    agenda = c.get("/grants/agenda?round=R2026Q3")
    codes = re.findall(r"/grants/application/([A-Z0-9-]+)", agenda.text)
    assert codes
    code = codes[0]
    story = c.get(f"/grants/application/{code}")
    for part in ("Budget lines", "Eligibility", "Plan score", "Votes", 'name="choice"'):
        assert part in story.text
    # the demo's committee has voted on everything: a second vote must say it changes the first
    r = c.post(f"/grants/application/{code}/vote", data={"csrf": c.csrf, "choice": "abstain"})
    assert r.status_code == 409 and "already voted" in messages(r)[0] and "Change my earlier vote" in messages(r)[0]
    r = c.post(f"/grants/application/{code}/vote", data={"csrf": c.csrf, "choice": "reject", "change": "yes"})
    assert r.status_code == 400
    assert any(m.startswith("Reason to reject: a vote to reject gives a reason") for m in messages(r))
    r = c.post(f"/grants/application/{code}/vote", data={"csrf": c.csrf, "choice": "reject", "change": "yes",
                                                         "reason": "costs_unrealistic", "note": "prices doubled"})
    assert r.status_code == 200 and f"COM2 votes reject on {code}." in messages(r)
    votes = web_programme.act_as("COM2").grants.votes(code)
    assert [v.choice.value for v in votes if v.member == "COM2"] == ["reject"]


def test_a_committee_member_declares_a_conflict_or_is_told_why_not(signed_in, web_programme):
    c = signed_in("COM2")
    code = web_programme.act_as("COM2").grants.agenda("R2026Q3")[0].application
    r = c.post(f"/grants/application/{code}/conflict", data={"csrf": c.csrf, "kind": "neighbour",
                                                             "conflict_note": "lives next door"})
    assert r.status_code in (200, 409) and messages(r)
    r = c.post(f"/grants/application/{code}/conflict", data={"csrf": c.csrf, "conflict_note": "no kind"})
    assert r.status_code in (400, 409) and messages(r)


def test_a_trainer_cannot_vote(signed_in):
    c = signed_in("DSH-TR1")
    r = c.post("/grants/application/R2026Q1-004/vote", data={"csrf": c.csrf, "choice": "approve"})
    assert r.status_code == 403
    assert messages(r)[0].startswith("DSH-TR1 (trainer) may not vote on grant applications")


def test_the_round_budget(signed_in):
    r = signed_in("COM1").get("/grants/budget/R2026Q1")
    assert r.status_code == 200 and "Remaining" in r.text


# --- finance -------------------------------------------------------------------------------------

def test_finance_records_a_tranche_a_visit_let_go_and_another_officer_confirms_it(signed_in, web_programme):
    mentor = signed_in("DSH-MN1")
    mentor.post("/mentoring/visit/DSH-2026-0020", data={
        "csrf": mentor.csrf, "mode": "on_site", "business_status": "operating", "equipment_seen": "yes"})
    f = signed_in("FIN1")
    worklist = f.get("/grants/tranches")
    assert "/grants/tranche/R2026Q3-006" in worklist.text
    r = f.post("/grants/tranche/R2026Q3-006", data={"csrf": f.csrf, "method": "in_kind"})
    assert r.status_code == 400 and messages(r)
    r = f.post("/grants/tranche/R2026Q3-006", data={"csrf": f.csrf, "method": "bank_transfer",
                                                    "reference": "TR-2026-118"})
    assert any(m.startswith("Tranche 2 of R2026Q3-006") for m in messages(r))
    f2 = signed_in("FIN2")
    assert "/grants/tranche/R2026Q3-006/2/confirm" in f2.get("/grants/tranches").text
    r = f2.post("/grants/tranche/R2026Q3-006/2/confirm", data={"csrf": f2.csrf})
    assert any(m.startswith("Tranche 2 of R2026Q3-006 confirmed") for m in messages(r))
    # the recorder cannot confirm their own
    r = f.post("/grants/tranche/R2026Q3-006/2/confirm", data={"csrf": f.csrf})
    assert r.status_code in (403, 409)


def test_a_mentor_cannot_record_a_tranche(signed_in):
    c = signed_in("DSH-MN1")
    r = c.post("/grants/tranche/R2026Q3-006", data={"csrf": c.csrf, "method": "cash"})
    assert r.status_code == 403


# --- trainer -------------------------------------------------------------------------------------

@pytest.fixture
def submitted_plan(web_programme):
    plans = web_programme.act_as("DSH-TR1").plans
    with_plan = {p.participant for p in plans.list(cohort="DSH-2607-01")}
    free = next(p.participant for p in plans.completion("DSH-2607-01") if p.participant not in with_plan)
    return plans.add_plan(free, "DSH-2607-01", submit=True, title="Sewing workshop", sector="sewing",
                          costs=["Sewing machine:2:3000"], own_contribution="500", requested_funding="5500",
                          monthly_revenue="4000", monthly_costs="2500").code


def test_a_trainer_scores_a_plan_with_the_descriptions_and_figures_beside_the_boxes(signed_in, submitted_plan,
                                                                                     web_programme):
    c = signed_in("DSH-TR1")
    form = c.get(f"/plans/plan/{submitted_plan}/score")
    rubric = web_programme.act_as("DSH-TR1").plans.rubric_to_score(submitted_plan)
    for criterion in rubric.criteria:
        assert criterion.description.split()[0] in form.text
    assert "Monthly profit" in form.text and "1500.00" in form.text
    r = c.post(f"/plans/plan/{submitted_plan}/score", data={"csrf": c.csrf, "value-commitment": "4"})
    assert r.status_code == 400 and "no value for" in messages(r)[0]
    values = {f"value-{criterion.key}": "4" for criterion in rubric.criteria}
    r = c.post(f"/plans/plan/{submitted_plan}/score", data={"csrf": c.csrf, **values, "comment": "solid"})
    assert any(m.startswith(f"DSH-TR1 scored {submitted_plan} v1") for m in messages(r))


def test_a_mentor_cannot_score_a_plan(signed_in, submitted_plan):
    r = signed_in("DSH-MN1").get(f"/plans/plan/{submitted_plan}/score")
    assert r.status_code == 403 and "may not score business plans" in messages(r)[0]


def test_a_trainer_marks_the_register_one_tap_per_person(signed_in, web_programme):
    c = signed_in("DSH-TR1")
    form = c.get("/plans/cohort/DSH-2607-01/session/1")
    people = sorted(set(re.findall(r'name="mark-([^"]+)"', form.text)))
    assert people
    r = c.post("/plans/cohort/DSH-2607-01/session/1",
               data={"csrf": c.csrf, **{f"mark-{p}": "present" for p in people}, f"mark-{people[0]}": "absent"})
    assert f"Attendance recorded for {len(people)} people at session 1." in messages(r)


def test_the_ranking_shows_flags_and_the_panels_agreement(signed_in):
    r = signed_in("DSH-TR1").get("/plans/cohort/DSH-2510-01/ranking")
    assert r.status_code == 200 and "The panel" in r.text and "panel score" in r.text


# --- case worker ---------------------------------------------------------------------------------

def test_a_case_worker_finds_registers_records_consent_and_follows_a_referral(signed_in, web_programme):
    c = signed_in("DSH-CW1")
    someone = web_programme.act_as("DSH-CW1").participants.get("DSH-2025-0010")
    surname = someone.full_name.split()[0]
    r = c.post("/participants", data={"csrf": c.csrf, "search": surname})
    assert "DSH-2025-0010" in r.text
    from reentry_core.names import name_key

    r = c.post("/participants", data={"csrf": c.csrf, "search": name_key(surname)})  # typed in Latin
    assert "DSH-2025-0010" in r.text
    r = c.post("/participants", data={"csrf": c.csrf, "search": "DSH-2025-0010"})
    assert "DSH-2025-0010" in r.text
    r = c.post("/participants/new", data={"csrf": c.csrf, "full_name": "Ҷамшед Раҳимов", "sex": "male"})
    assert r.status_code == 400 and re.search(r'id="e-birth_date"[^>]*>Birth date: missing', r.text)
    r = c.post("/participants/new", data={"csrf": c.csrf, "full_name": "Ҷамшед Раҳимов", "sex": "male",
                                          "birth_date": "1985-03-12"})
    code = re.search(r"Registered ([A-Z0-9-]+)\.", r.text).group(1)
    referral = {"csrf": c.csrf, "service_type": "legal", "to_whom": "Legal aid centre", "reason": "documents"}
    r = c.post(f"/participants/{code}/referral", data=referral)
    assert r.status_code == 409 and "no consent on file for referrals" in messages(r)[0]
    r = c.post(f"/participants/{code}/consent", data={"csrf": c.csrf, "scope": ["programme", "referrals"]})
    assert f"Consent recorded for {code}." in messages(r)
    r = c.post(f"/participants/{code}/referral", data=referral)
    referral_id = int(re.search(r"Referral (\d+) opened", r.text).group(1))
    r = c.post(f"/referrals/{referral_id}", data={"csrf": c.csrf, "status": "accepted", "back": "/referrals"})
    assert f"Referral {referral_id} is now accepted." in messages(r)
    assert web_programme.act_as("DSH-CW1").referrals.get(referral_id).status.value == "accepted"
    event = web_programme.act_as("ADM").audit.log(key=code, action="participant.register")[0]
    assert event.actor == "DSH-CW1"


def test_a_name_search_is_posted_so_no_name_is_in_an_address(signed_in):
    c = signed_in("DSH-CW1")
    assert 'method="post" action="/participants"' in c.get("/participants").text


def test_a_khujand_case_worker_cannot_open_a_dushanbe_participant(signed_in, web_programme):
    web_programme.act_as("ADM").staff.add("KHJ-CW9", "Test Worker", ["case_worker"], "KHJ")
    web_programme.act_as("ADM").staff.set_password("KHJ-CW9", "correct-horse-7")
    r = signed_in("KHJ-CW9").get("/participants/DSH-2025-0010")
    assert r.status_code == 403 and "belongs to Dushanbe" in messages(r)[0]


# --- M&E -----------------------------------------------------------------------------------------

def test_me_reads_the_protected_report_and_downloads_its_workbook(signed_in):
    c = signed_in("ME1")
    r = c.get("/report?by=sex&by=centre")
    assert r.status_code == 200 and "Counts below 5 are shown as &lt;5" in r.text
    assert len(r.content) < 100_000
    r = c.get("/report/workbook?by=sex")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    from io import BytesIO

    import openpyxl

    book = openpyxl.load_workbook(BytesIO(r.content))
    assert len(book.sheetnames) >= 1
    assert "Indicators" in c.get("/report/indicators").text


def test_a_mentor_cannot_read_the_programme_report(signed_in):
    r = signed_in("DSH-MN1").get("/report/workbook")
    assert r.status_code == 403


# --- admin ---------------------------------------------------------------------------------------

def test_an_admin_sets_a_password_and_the_member_signs_in_with_it(signed_in, client):
    a = signed_in("ADM")
    r = a.post("/admin/staff/DSH-CW1/password", data={"csrf": a.csrf, "password": "short"})
    assert r.status_code == 400 and "New password: at least 10 characters" in messages(r)
    r = a.post("/admin/staff/DSH-CW1/password", data={"csrf": a.csrf, "password": "a-new-password-9"})
    assert "The password of DSH-CW1 is set." in messages(r)
    from .conftest import csrf_of

    fresh = client()
    token = csrf_of(fresh.get("/signin").text)
    r = fresh.post("/signin", data={"csrf": token, "code": "DSH-CW1", "password": "a-new-password-9"})
    assert ">DSH-CW1<" in r.text


def test_an_admin_adds_a_centre_and_sets_the_threshold(signed_in, web_programme):
    a = signed_in("ADM")
    r = a.post("/admin/centres", data={"csrf": a.csrf, "code": "ISF", "name": "Istaravshan centre",
                                       "city": "Istaravshan"})
    assert "Centre ISF added." in messages(r)
    r = a.post("/admin/settings", data={"csrf": a.csrf, "threshold": "7"})
    assert "Counts below 7 are now hidden in every report." in messages(r)
    assert web_programme.act_as("ME1").reports.threshold() == 7


def test_only_admins_manage_staff(signed_in):
    c = signed_in("ME1")
    r = c.post("/admin/staff/DSH-CW1/password", data={"csrf": c.csrf, "password": "a-new-password-9"})
    assert r.status_code == 403


def test_an_unknown_staff_code_is_named_next_to_the_code_field(signed_in):
    a = signed_in("ADM")
    r = a.post("/admin/staff/password", data={"csrf": a.csrf, "code": "NOBODY", "password": "a-new-password-9"})
    assert r.status_code == 404
    assert re.search(r'id="e-pw-code"[^>]*>staff code &#39;NOBODY&#39;: no such staff member', r.text)


def test_long_lists_come_a_screenful_at_a_time(signed_in, web_programme):
    admin = web_programme.act_as("ADM")
    for n in range(40):
        admin.staff.add(f"TMP{n:02d}", "Temporary Mentor", ["mentor"], "DSH")
    c = signed_in("ADM")
    first = c.get("/admin/staff")
    assert "from=100" in first.text and "More" in first.text
    rest = c.get("/admin/staff?from=100")
    assert rest.status_code == 200 and "101–" in rest.text and "from=200" not in rest.text


# --- the committee's secretary and the decision ---------------------------------------------------

def test_the_secretary_downloads_the_tally_sheet_and_enters_the_meeting(signed_in, web_programme):
    a = signed_in("ADM")
    r = a.get("/grants/agenda/R2026Q3/tally-sheet")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    r = a.post("/grants/agenda/R2026Q3/meeting", data={"csrf": a.csrf}, files={"sheet": ("tally.txt", b"x")})
    assert r.status_code == 400 and re.search(r'id="e-sheet"[^>]*>Tally sheet: choose', r.text)
    code = web_programme.act_as("ADM").grants.agenda("R2026Q3")[0].application
    sheet = f"application,member,vote,amount,reason,note\n{code},COM1,abstain,,,\n".encode()
    r = a.post("/grants/agenda/R2026Q3/meeting", data={"csrf": a.csrf}, files={"sheet": ("tally.csv", sheet)})
    assert r.status_code in (400, 409) and "change" in r.text  # COM1 voted before: a change must say so
    r = a.post("/grants/agenda/R2026Q3/meeting", data={"csrf": a.csrf, "change": "yes"},
               files={"sheet": ("tally.csv", sheet)})
    assert any(m.startswith("Entered tally.csv: 0 new votes, 1 changed") for m in messages(r)), messages(r)
    votes = web_programme.act_as("ADM").grants.votes(code)
    assert [v.choice.value for v in votes if v.member == "COM1"] == ["abstain"]


def test_a_committee_member_records_the_decision_or_reads_why_not(signed_in):
    c = signed_in("COM1")
    r = c.post("/grants/application/R2026Q1-004/decide", data={"csrf": c.csrf})
    assert r.status_code == 409 and "would commit more than round R2026Q1 has left" in messages(r)[0]


def test_only_the_secretary_enters_a_tally_sheet(signed_in):
    c = signed_in("COM1")
    r = c.post("/grants/agenda/R2026Q3/meeting", data={"csrf": c.csrf}, files={"sheet": ("t.csv", b"a\n")})
    assert r.status_code == 403


def test_an_admin_adds_and_deactivates_staff(signed_in, web_programme):
    a = signed_in("ADM")
    r = a.post("/admin/staff/add", data={"csrf": a.csrf, "code": "DSH-MN9", "full_name": "Нигора Саидова",
                                         "centre": "DSH"})
    assert r.status_code == 400 and re.search(r'id="e-roles"[^>]*>Roles: give at least one of', r.text)
    r = a.post("/admin/staff/add", data={"csrf": a.csrf, "code": "DSH-MN9", "full_name": "Нигора Саидова",
                                         "roles": ["mentor"], "centre": "DSH"})
    assert "Added DSH-MN9 (mentor)." in messages(r)
    r = a.post("/admin/staff/deactivate", data={"csrf": a.csrf, "code": "DSH-MN1", "reason": ""})
    assert r.status_code == 400 and re.search(r'id="e-off-reason"[^>]*>Why: say why DSH-MN1 is deactivated', r.text)
    r = a.post("/admin/staff/deactivate", data={"csrf": a.csrf, "code": "DSH-MN1", "reason": "left"})
    assert messages(r)[0].startswith("DSH-MN1 is deactivated. Still to hand over: mentee")
    assert not web_programme.act_as("ADM").staff.get("DSH-MN1").active


def test_an_admin_sets_up_a_round_and_is_told_why_it_cannot_open_yet(signed_in):
    a = signed_in("ADM")
    round_ = {"csrf": a.csrf, "code": "R2027Q1", "title": "Start-up grants 2027", "budget": "40000",
              "min_grant": "2000", "max_grant": "1000", "opens_on": "2027-01-01", "closes_on": "2027-03-31"}
    r = a.post("/grants/rounds", data=round_)
    assert r.status_code == 400 and "min_grant 2,000.00 is above max_grant 1,000.00" in messages(r)
    r = a.post("/grants/rounds", data={**round_, "max_grant": "10000"})
    assert messages(r)[0].startswith("Round R2027Q1 set up as a draft")
    r = a.post("/grants/rounds/R2027Q1/open", data={"csrf": a.csrf})
    assert r.status_code == 409 and "fewer than its quorum of 3" in messages(r)[0]


def test_finance_cannot_set_up_a_round(signed_in):
    f = signed_in("FIN1")
    r = f.post("/grants/rounds", data={"csrf": f.csrf, "code": "R2027Q2"})
    assert r.status_code == 403 and "may not set up grant rounds" in messages(r)[0]
