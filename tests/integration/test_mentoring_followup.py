"""The follow-up schedule and visits through the Python API, with a stand-in for microgrants:
grant events start schedules, visits fulfil due visits, verify businesses, raise risks."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from reentry_core import hookimpl
from reentry_core.errors import Conflict, InvalidInput, PermissionDenied
from reentry_mentoring import tables as t
from reentry_mentoring.domain import DueState, EndReason, Fulfilment, RiskFlag, RiskOutcome, ScheduleStatus
from tests.integration.mentoring_support import (  # noqa: F401  (fixtures)
    Application, add_mentor, clock, grants, grants_pm, mentoring_plugins, programme, register,
)

RELEASED = date(2026, 6, 10)


def rows(prog, table) -> int:
    with prog.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


@pytest.fixture
def funded(admin, programme, grants, clock):
    """Мадина (DSH-2026-0001) got grant G-2026-001; MN1 mentors her; the first tranche came on 10 June."""
    add_mentor(admin, "MN1", "Фарида Каримова", "female")
    add_mentor(admin, "MN2", "Раҳим Назаров", "male")
    code = register(admin, "Мадина Сафарова", "female")
    clock.move_to(date(2026, 5, 4))
    application = grants.approve(admin, code)
    admin.mentoring.assign(code, "MN1")
    clock.move_to(RELEASED)
    grants.release(admin, application, 1, RELEASED)
    return code, application


def visit(ctx, code, on, **fields):
    fields.setdefault("mode", "on_site")
    fields.setdefault("business_status", "operating")
    return ctx.mentoring.log_visit(code, visited_on=on, **fields)


# --- schedules ----------------------------------------------------------------------------


def test_an_approved_grant_waits_and_its_first_tranche_starts_the_schedule(admin, grants, clock):
    code = register(admin, "Мадина Сафарова", "female")
    clock.move_to(date(2026, 5, 4))
    application = grants.approve(admin, code, sector="Car repair")
    (pending,) = admin.mentoring.schedules(code)
    assert pending.status is ScheduleStatus.PENDING and pending.grant == "G-2026-001" and pending.due_visits == ()
    assert admin.mentoring.mentee(code).sector == "car_repair"
    clock.move_to(RELEASED)
    grants.release(admin, application, 1, RELEASED)
    (schedule,) = admin.mentoring.schedules(code)
    assert schedule.status is ScheduleStatus.ACTIVE and schedule.started_on == RELEASED
    assert [(d.months, d.due_on, d.window_start, d.window_end) for d in schedule.due_visits] == [
        (1, date(2026, 7, 10), date(2026, 6, 26), date(2026, 7, 24)),
        (3, date(2026, 9, 10), date(2026, 8, 27), date(2026, 9, 24)),
        (6, date(2026, 12, 10), date(2026, 11, 26), date(2026, 12, 24)),
        (12, date(2027, 6, 10), date(2027, 5, 27), date(2027, 6, 24)),
    ]


def test_re_sending_the_same_events_changes_nothing(admin, programme, grants, funded):
    code, application = funded
    events = len(admin.audit.log(limit=1000))
    grants.approve(admin, code)
    grants.release(admin, application, 1, RELEASED)
    grants.release(admin, application, 1, date(2026, 6, 20))  # a corrected date is not a new schedule
    assert rows(programme, t.schedule) == 1 and rows(programme, t.due_visit) == 4
    assert admin.mentoring.schedules(code)[0].started_on == RELEASED
    assert len(admin.audit.log(limit=1000)) == events


def test_a_tranche_without_the_approval_event_still_starts_the_schedule(admin, grants, clock):
    code = register(admin, "Мадина Сафарова", "female")
    # approved while mentoring was disabled: only the tranche is heard
    application = Application("G-2026-009", code, "R-1", Decimal("5000"), "TJS", date(2026, 5, 1), None, None)
    grants.release(admin, application, 1, RELEASED)
    (schedule,) = admin.mentoring.schedules(code)
    assert schedule.grant == "G-2026-009" and schedule.status is ScheduleStatus.ACTIVE


def test_scheduling_twice_for_the_same_grant_is_refused(admin, programme, funded):
    code, _application = funded
    admin.mentoring.end_schedule(code, "moved")
    with pytest.raises(Conflict, match=re.escape("grant G-2026-001 already has a follow-up schedule "
                                                 "(DSH-2026-0001, ended)")):
        admin.mentoring.start_schedule(code, "2026-06-10", grant="G-2026-001")
    assert rows(programme, t.schedule) == 1


def test_a_second_schedule_while_one_runs_is_refused(admin, programme, funded):
    code, _application = funded
    with pytest.raises(Conflict, match=re.escape("DSH-2026-0001 already follows a schedule (grant G-2026-001, "
                                                 "started 2026-06-10); end it first: reentry mentoring schedule "
                                                 "DSH-2026-0001 --end REASON")):
        admin.mentoring.start_schedule(code, "2026-06-01")
    assert rows(programme, t.schedule) == 1


@pytest.mark.parametrize("start, message", [
    ("2026-12-24", "start date 2026-12-24 is in the future"),
    ("2025-01-01", "start date 2025-01-01 is before DSH-2026-0001's registration (2026-01-15)"),
    ("", "say when the follow-up starts: start (the first tranche's release)"),
])
def test_a_schedule_by_hand_needs_a_possible_start(admin, programme, start, message):
    code = register(admin, "Мадина Сафарова", "female")
    with pytest.raises(InvalidInput, match=re.escape(message)):
        admin.mentoring.start_schedule(code, start)
    assert rows(programme, t.schedule) == 0


def test_a_schedule_started_by_hand_is_taken_over_by_its_grant(admin, grants, programme):
    code = register(admin, "Мадина Сафарова", "female")
    admin.mentoring.start_schedule(code, "2026-06-01")
    application = grants.approve(admin, code, code="G-2026-002")
    grants.release(admin, application, 1, RELEASED)
    (schedule,) = admin.mentoring.schedules(code)
    assert schedule.grant == "G-2026-002" and schedule.started_on == date(2026, 6, 1)
    assert schedule.status is ScheduleStatus.ACTIVE and rows(programme, t.due_visit) == 4


def test_a_new_grants_first_tranche_replaces_the_old_follow_up(admin, grants, funded):
    code, _first = funded
    second = grants.approve(admin, code, code="G-2026-050", sector="cooking")
    grants.release(admin, second, 1, date(2026, 11, 1))
    old, new = admin.mentoring.schedules(code)
    assert old.status is ScheduleStatus.ENDED and old.ended_because is EndReason.REPLACED
    assert old.end_note == "replaced by the follow-up of grant G-2026-050" and old.ended_on == date(2026, 11, 1)
    assert new.grant == "G-2026-050" and new.status is ScheduleStatus.ACTIVE
    assert admin.mentoring.mentee(code).sector == "cooking"


def test_new_offsets_and_windows_apply_to_new_schedules_only(admin, funded):
    code, _application = funded
    admin.mentoring.configure(offsets="2,4", window_days=10)
    other = register(admin, "Гулнора Ҳасанова", "female")
    admin.mentoring.start_schedule(other, "2026-01-31")
    (schedule,) = admin.mentoring.schedules(other)
    assert [(d.months, d.due_on, d.window_start) for d in schedule.due_visits] == [
        (2, date(2026, 3, 31), date(2026, 3, 21)), (4, date(2026, 5, 31), date(2026, 5, 21))]
    assert len(admin.mentoring.schedules(code)[0].due_visits) == 4


def test_due_lists_what_is_owed_soonest_first(admin, funded, clock):
    code, _application = funded
    clock.move_to(date(2026, 8, 1))  # the 1-month window closed on 24 July without a visit
    (overdue, upcoming3, upcoming6, upcoming12) = admin.mentoring.due()
    assert (overdue.months, overdue.state, overdue.mentor, overdue.days) == (1, DueState.OVERDUE, "MN1", -22)
    assert [r.months for r in (upcoming3, upcoming6, upcoming12)] == [3, 6, 12]
    assert [r.months for r in admin.mentoring.due(overdue=True)] == [1]
    assert [r.months for r in admin.mentoring.due(within=45)] == [1, 3]
    assert admin.mentoring.due(mentor="MN2") == []
    assert len(admin.mentoring.due(mentor="MN1", centre="DSH")) == 4
    assert admin.mentoring.due(centre="KHJ") == []
    clock.move_to(date(2026, 9, 1))  # the 3-month window opened: the 1-month visit is missed, no longer owed
    assert [(r.months, r.state) for r in admin.mentoring.due(within=30)] == [(3, DueState.OPEN)]
    with pytest.raises(InvalidInput, match="within: -1 days is negative"):
        admin.mentoring.due(within=-1)


def test_leaving_the_programme_ends_the_follow_up(admin, funded, clock):
    code, _application = funded
    clock.move_to(date(2026, 8, 1))
    admin.participants.exit(code, "moved_away")
    (schedule,) = admin.mentoring.schedules(code)
    assert schedule.ended_because is EndReason.LEFT_PROGRAMME and schedule.ended_on == date(2026, 8, 1)
    assert [s for _d, s in schedule.states(clock.today())] == [
        DueState.MISSED, DueState.CANCELLED, DueState.CANCELLED, DueState.CANCELLED]
    assert admin.mentoring.due() == []


def test_no_visit_is_logged_after_someone_left_until_they_are_readmitted(admin, programme, funded, clock):
    code, _application = funded
    clock.move_to(date(2026, 8, 1))
    admin.participants.exit(code, "withdrew")
    clock.move_to(date(2026, 8, 5))
    with pytest.raises(Conflict, match=f"{code} left the programme on 2026-08-01; no visit after that is logged"):
        visit(admin, code, "2026-08-05")
    admin.participants.readmit(code, "came back")
    assert programme.act_as("ADM").participants.get(code).status.value == "active"


# --- visits -------------------------------------------------------------------------------


def test_the_one_month_visit_fulfils_its_due_visit_and_verifies_the_business(admin, staff_as, programme, grants,
                                                                            funded, clock):
    code, application = funded
    mentor = programme.act_as("MN1")
    clock.move_to(date(2026, 7, 12))
    report = visit(mentor, code, "2026-07-12", revenue="4 500,00", costs="2800", owners=1, family_workers=1,
                   hired_workers=2, equipment_seen="yes", discussed="prices", advice="keep a cash book",
                   next_steps="register with the tax office")
    v = report.visit
    assert (v.due_months, v.fulfilment, v.mentor) == (1, Fulfilment.ON_TIME, "MN1")
    assert v.revenue == Decimal("4500.00") and v.profit == Decimal("1700.00") and v.people_working == 4
    assert v.verifies and report.risks == ()
    grants.release(admin, application, 2, date(2026, 7, 20), since=RELEASED)
    (evidence,) = grants.evidence
    assert evidence.reference == f"mentoring visit {v.id}" and evidence.visited_on == date(2026, 7, 12)
    assert evidence.mentor == "MN1" and "operating, equipment seen" in evidence.note
    assert admin.mentoring.verification(code, RELEASED) == evidence
    assert admin.mentoring.verification(code, date(2026, 7, 13)) is None
    assert admin.mentoring.verification(code, None) == evidence


def test_a_later_tranche_waits_when_no_visit_saw_the_equipment(admin, programme, grants, funded, clock):
    code, application = funded
    clock.move_to(date(2026, 7, 12))
    visit(programme.act_as("MN1"), code, "2026-07-12", equipment_seen=False)
    visit(programme.act_as("MN1"), code, "2026-07-12", business_status="temporarily_closed", equipment_seen=True)
    with pytest.raises(Conflict, match="waits for a mentoring visit"):
        grants.release(admin, application, 2, date(2026, 7, 20), since=RELEASED)


def test_only_the_assigned_mentor_or_an_admin_logs_a_visit(admin, programme, funded, clock):
    code, _application = funded
    clock.move_to(date(2026, 7, 12))
    with pytest.raises(PermissionDenied, match=re.escape(
            "MN2 is not the mentor of DSH-2026-0001 (MN1 is, since 2026-05-04); only the assigned mentor or an "
            "admin logs visits")):
        visit(programme.act_as("MN2"), code, "2026-07-12")
    with pytest.raises(PermissionDenied, match="MN1 may log only their own visits, not MN2's"):
        visit(programme.act_as("MN1"), code, "2026-07-12", mentor="MN2")
    assert rows(programme, t.visit) == 0
    by_admin = visit(admin, code, "2026-07-12").visit
    assert by_admin.mentor == "MN1"  # the assigned mentor's visit, logged by the admin
    assert visit(admin, code, "2026-07-12", mentor="MN2").visit.mentor == "MN2"


def test_the_mentor_on_the_visit_date_is_the_one_who_logs(admin, programme, funded, clock):
    code, _application = funded
    clock.move_to(date(2026, 8, 1))
    admin.mentoring.assign(code, "MN2", reason="MN1 on leave", on="2026-07-30")
    assert visit(programme.act_as("MN1"), code, "2026-07-20").visit.mentor == "MN1"
    with pytest.raises(PermissionDenied, match="MN1 is not the mentor of DSH-2026-0001 \\(MN2 is, since 2026-07-30\\)"):
        visit(programme.act_as("MN1"), code, "2026-07-31")


@pytest.mark.parametrize("fields, message", [
    ({"visited_on": "2026-07-13"}, "visit date 2026-07-13 is in the future"),
    ({"visited_on": "2026-06-09"}, "visit date 2026-06-09 is before DSH-2026-0001's follow-up started (2026-06-10)"),
    ({"revenue": "-10"}, "revenue: -10 is negative"),
    ({"costs": "12.3456"}, "costs: 12.3456 has more than two decimals"),
    ({"business_status": "runing"}, "business_status: 'runing' is not one of operating, temporarily_closed, closed, "
                                    "not_started"),
    ({"mode": "letter"}, "mode: 'letter' is not one of on_site, phone, video"),
    ({"risk_flags": "debt,gambling"}, "'gambling' is not one of relapse, police_harassment, debt, family_conflict, "
                                      "health, housing, other"),
    ({"mode": "phone", "equipment_seen": True}, "equipment_seen: a phone call cannot see the equipment"),
    ({"hired_workers": -2}, "hired_workers: -2 is not between 0 and 500"),
    ({"end_follow_up": "sold"}, "end_follow_up: only a visit that finds the business closed ends the follow-up "
                                "(this one found it operating)"),
    ({"colour": "red"}, "unknown visit field(s): colour"),
])
def test_a_bad_visit_is_refused_in_one_line_and_nothing_is_written(admin, programme, funded, clock, fields, message):
    code, _application = funded
    clock.move_to(date(2026, 7, 12))
    fields = {"visited_on": "2026-07-12", "mode": "on_site", "business_status": "operating", **fields}
    events = len(admin.audit.log(limit=1000))
    with pytest.raises(InvalidInput) as err:
        programme.act_as("MN1").mentoring.log_visit(code, **fields)
    assert message in err.value.message and "\n" not in err.value.message
    assert rows(programme, t.visit) == rows(programme, t.visit_risk) == 0
    assert len(admin.audit.log(limit=1000)) == events


def test_a_visit_without_a_schedule_is_refused_saying_how_to_start_one(admin, programme):
    add_mentor(admin, "MN1", "Фарида Каримова", "female")
    code = register(admin, "Мадина Сафарова", "female")
    admin.mentoring.assign(code, "MN1")
    with pytest.raises(Conflict, match=re.escape(
            "DSH-2026-0001 has no follow-up schedule yet; it starts when the first tranche is released, or by hand: "
            "reentry mentoring schedule DSH-2026-0001 --from DATE")):
        visit(programme.act_as("MN1"), code, "2026-11-23")


def test_late_extra_and_displaced_visits(admin, programme, funded, clock):
    code, _application = funded
    mentor = programme.act_as("MN1")
    clock.move_to(date(2026, 11, 23))
    early = visit(mentor, code, "2026-06-20").visit  # before the first window opens
    assert early.due_months is None and early.placement() == "extra visit"
    late = visit(mentor, code, "2026-08-05").visit  # after the 1-month window, before the 3-month one
    assert (late.due_months, late.fulfilment) == (1, Fulfilment.LATE)
    inside = visit(mentor, code, "2026-07-20")  # logged afterwards, inside the window: it takes the place
    assert (inside.visit.due_months, inside.visit.fulfilment) == (1, Fulfilment.ON_TIME)
    assert inside.displaced == late.id
    on_time_3 = visit(mentor, code, "2026-09-11").visit
    assert (on_time_3.due_months, on_time_3.fulfilment) == (3, Fulfilment.ON_TIME)
    again = visit(mentor, code, "2026-09-12").visit
    assert again.due_months is None
    placements = {v.id: v.placement() for v in admin.mentoring.visits(code)}
    assert placements == {early.id: "extra visit", late.id: "extra visit", inside.visit.id: "1 month, on time",
                          on_time_3.id: "3 months, on time", again.id: "extra visit"}
    states = [s for _d, s in admin.mentoring.schedules(code)[0].states(clock.today())]
    assert states == [DueState.DONE, DueState.DONE, DueState.UPCOMING, DueState.UPCOMING]


def test_a_police_harassment_flag_opens_a_legal_referral(admin, programme, funded, clock):
    code, _application = funded
    clock.move_to(date(2026, 12, 10))
    report = visit(programme.act_as("MN1"), code, "2026-12-10", risk_flags=["police harassment"],
                   risk_note="market police ask for money every week")
    (risk,) = report.risks
    assert risk.flag is RiskFlag.POLICE_HARASSMENT and risk.outcome is RiskOutcome.OPENED
    referral = admin.referrals.get(risk.referral_id)
    assert referral.service_type.value == "legal" and referral.to_whom == "Legal aid"
    # the risk note stays with the visit: a referral goes to another service
    assert referral.reason == f"police harassment raised at mentoring visit {report.visit.id} on 2026-12-10 by MN1"
    assert risk.message == f"Opened referral {referral.id} for police harassment: legal → Legal aid."
    # the same alarm at the next visit: the referral is still open, no second one
    again = visit(programme.act_as("MN1"), code, "2026-12-10", risk_flags="police_harassment,debt")
    assert [(r.flag.value, r.outcome.value, r.referral_id) for r in again.risks] == [
        ("debt", "already_open", referral.id), ("police_harassment", "already_open", referral.id)]
    assert len(admin.referrals.list(participant=code)) == 1


def test_without_consent_the_visit_is_logged_and_the_mentor_told_why_no_referral(admin, programme, funded, clock):
    code, _application = funded
    clock.move_to(date(2026, 12, 10))
    admin.participants.withdraw_consent(code, on="2026-11-01")
    report = visit(programme.act_as("MN1"), code, "2026-12-10", risk_flags=["relapse"])
    (risk,) = report.risks
    assert risk.outcome is RiskOutcome.NO_CONSENT and risk.referral_id is None
    assert risk.message.startswith("No referral opened for relapse: DSH-2026-0001 has no consent on file for "
                                   "referrals. Record it first (reentry participants consent DSH-2026-0001 --scope "
                                   "programme,referrals), then: reentry referrals add DSH-2026-0001 --service "
                                   "drug_treatment")
    assert admin.referrals.list() == []
    assert [v.risk_flags for v in admin.mentoring.visits(code)] == [frozenset({RiskFlag.RELAPSE})]


def test_the_risk_mapping_is_configurable(admin, programme, funded, clock):
    code, _application = funded
    admin.mentoring.configure(risk_referrals=["housing=other:Dushanbe housing office", "other=none"])
    admin.mentoring.configure(risk_referrals={"family conflict": ("legal", "Family lawyer")})
    clock.move_to(date(2026, 12, 10))
    report = visit(programme.act_as("MN1"), code, "2026-12-10", risk_flags="housing,other,family_conflict")
    outcome = {r.flag.value: r for r in report.risks}
    assert outcome["other"].outcome is RiskOutcome.NOT_MAPPED
    assert outcome["other"].message == "No referral opened for other: the mentoring settings open none for it."
    referrals = {r.service_type.value: r.to_whom for r in admin.referrals.list()}
    assert referrals == {"other": "Dushanbe housing office", "legal": "Family lawyer"}
    with pytest.raises(InvalidInput, match="risk referral 'debt=bank': service_type: 'bank' is not one of legal,"):
        admin.mentoring.configure(risk_referrals=["debt=bank"])
    with pytest.raises(InvalidInput, match="write FLAG=SERVICE:TO_WHOM"):
        admin.mentoring.configure(risk_referrals=["debt"])


def test_a_closed_business_ends_the_follow_up_only_when_the_mentor_says_so(admin, programme, funded, clock):
    code, _application = funded
    mentor = programme.act_as("MN1")
    clock.move_to(date(2026, 9, 12))
    first = visit(mentor, code, "2026-09-11", business_status="closed")
    assert first.closed_but_continuing and not first.schedule_ended
    assert admin.mentoring.schedules(code)[0].status is ScheduleStatus.ACTIVE
    second = visit(mentor, code, "2026-09-12", business_status="closed",
                   end_follow_up="sold the sewing machine, works in a shop")
    assert second.schedule_ended
    (schedule,) = admin.mentoring.schedules(code)
    assert (schedule.status, schedule.ended_because, schedule.ended_on) == (
        ScheduleStatus.ENDED, EndReason.BUSINESS_CLOSED, date(2026, 9, 12))
    assert schedule.end_note == "sold the sewing machine, works in a shop"
    clock.move_to(date(2026, 12, 10))
    with pytest.raises(Conflict, match=re.escape("DSH-2026-0001's follow-up ended on 2026-09-12 (business closed: "
                                                 "sold the sewing machine, works in a shop); a visit on 2026-12-10 "
                                                 "cannot be logged")):
        visit(mentor, code, "2026-12-10")
    assert admin.mentoring.due() == []


def test_every_logged_visit_is_announced_with_the_contract_attributes(database_url, clock, grants):
    heard = []

    class Listener:
        @hookimpl(optionalhook=True)
        def visit_logged(self, tx, visit):
            heard.append((visit.id, visit.participant, visit.mentor, visit.visited_on, visit.business_status.value,
                          visit.equipment_seen, sorted(f.value for f in visit.risk_flags), tx.actor.code))

    from reentry_core.services import open_programme

    pm = mentoring_plugins(("fake_microgrants", grants), ("listener", Listener()))
    with open_programme(database_url, plugins=pm, clock=clock) as prog:
        prog.bootstrap_admin("ADM", "Нигина Каримова")
        admin = prog.act_as("ADM")
        admin.centres.add("DSH", "Dushanbe centre", "Dushanbe")
        add_mentor(admin, "MN1", "Фарида Каримова", "female")
        code = register(admin, "Мадина Сафарова", "female")
        admin.mentoring.assign(code, "MN1", on="2026-06-01")
        admin.mentoring.start_schedule(code, "2026-06-10")
        report = visit(prog.act_as("MN1"), code, "2026-07-12", equipment_seen=True, risk_flags="debt")
    assert heard == [(report.visit.id, code, "MN1", date(2026, 7, 12), "operating", True, ["debt"], "MN1")]
