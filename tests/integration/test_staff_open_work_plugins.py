"""What each built-in plugin answers to ``staff_open_work``: the cohorts a trainer leads or
trains in that are not finished, a committee member's rounds still deciding and votes not
cast, a mentor's mentees (and a profile left behind at the centre they moved from)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reentry_core.testing import TODAY
from tests.grants_support import Desk, line


def held(admin, code) -> list[tuple[str, str]]:
    return [(item.kind, item.key) for item in admin.staff.open_work(code)]


# --- business_plans -------------------------------------------------------------------------


@pytest.fixture
def trainers(admin):
    for code in ("TR1", "TR2"):
        admin.staff.add(code, "Trainer Person", ["trainer"], "DSH")
    return admin


def test_a_running_cohort_is_held_by_its_lead_and_its_trainers(trainers):
    admin = trainers
    admin.plans.add_cohort("DSH-26A", "DSH", "Start your business", TODAY - timedelta(days=10),
                           TODAY + timedelta(days=20), ["TR1", "TR2"])
    lead, other = admin.staff.open_work("TR1"), admin.staff.open_work("TR2")
    assert [(w.kind, w.key) for w in lead] == [("cohort", "DSH-26A")]
    until = (TODAY + timedelta(days=20)).isoformat()
    assert lead[0].description == f"lead trainer, training until {until}"
    assert lead[0].reassign == "reentry plans cohort trainers DSH-26A --add TRAINER --lead TRAINER"
    assert other[0].description == f"trainer, training until {until}"
    assert other[0].reassign == ("reentry plans cohort trainers DSH-26A --add TRAINER --remove TR2 (not once they "
                                 "have scored)")
    admin.plans.set_trainers("DSH-26A", remove=["TR2"])
    assert held(admin, "TR2") == []


def test_a_cohort_whose_training_ended_is_held_while_plans_wait_for_the_panel(trainers):
    admin = trainers
    admin.plans.add_cohort("DSH-25B", "DSH", "Last year's cohort", TODAY - timedelta(days=90),
                           TODAY - timedelta(days=30), ["TR1"])
    admin.plans.add_cohort("DSH-25C", "DSH", "A finished cohort", TODAY - timedelta(days=90),
                           TODAY - timedelta(days=30), ["TR1"])
    person = admin.participants.register(full_name="Ҷамшед Раҳимов", sex="male", birth_date="1985-03-12",
                                         centre="DSH", registered_on=TODAY - timedelta(days=100))
    admin.participants.record_consent(person.code, given_on=TODAY - timedelta(days=100))
    admin.plans.enrol("DSH-25B", [person.code], on=TODAY - timedelta(days=90))
    admin.plans.add_plan(person.code, "DSH-25B", submit=True, title="Tailoring workshop", sector="sewing",
                         costs=["Sewing machine:1:4000"], own_contribution="500", requested_funding="3500",
                         monthly_revenue="3000", monthly_costs="1500")
    work = admin.staff.open_work("TR1")
    assert [(w.kind, w.key) for w in work] == [("cohort", "DSH-25B")]  # DSH-25C is finished
    assert work[0].description == "lead trainer, 1 plan(s) waiting for scores or a shortlist"


# --- microgrants ------------------------------------------------------------------------------


def test_a_committee_member_holds_the_rounds_still_deciding_and_the_votes_not_cast(programme, admin):
    desk = Desk(programme, admin)
    apps = [desk.grants("CW1").apply("R2026", code, [line(5000)], submit=True).code for code in desk.people[:3]]
    desk.grants("CM1").vote(apps[0], "approve")
    desk.grants("CM1").declare_conflict(apps[1], "relative", "my cousin")
    work = admin.staff.open_work("CM1")
    assert [(w.kind, w.key) for w in work] == [("committee", "R2026"), ("vote", apps[2])]
    assert work[0].description == "member of round R2026's committee (open, 3 application(s) undecided)"
    assert work[0].reassign == ("reentry grants committee add R2026 MEMBER, then: reentry grants committee remove "
                                "R2026 CM1 (not once they have voted)")
    assert work[1].description == "vote not cast (under review)"
    assert held(admin, "CM2") == [("committee", "R2026"), *[("vote", code) for code in apps]]
    change = admin.staff.deactivate("CM2", "left the committee")
    assert [(w.kind, w.key) for w in change.open_work] == held(admin, "CM2")


def test_a_closed_round_with_nothing_left_to_decide_is_not_held(programme, admin):
    desk = Desk(programme, admin)
    admin.grants.close_round("R2026")
    assert held(admin, "CM1") == []


# --- mentoring ---------------------------------------------------------------------------------


def test_a_mentor_holds_their_mentees_and_a_profile_left_at_the_old_centre(programme, admin):
    admin.staff.add("MN1", "Mentor Person", ["mentor"], "DSH")
    admin.mentoring.set_profile("MN1", sex="female", capacity=5, languages="tg,ru")
    people = []
    for name in ("Зарина Ашурова", "Мадина Сафарова"):
        person = admin.participants.register(full_name=name, sex="female", birth_date="1990-05-05", centre="DSH",
                                             registered_on=TODAY - timedelta(days=60))
        admin.participants.record_consent(person.code, given_on=TODAY - timedelta(days=60))
        admin.mentoring.assign(person.code, "MN1", on=TODAY - timedelta(days=30))
        people.append(person.code)
    admin.mentoring.unassign(people[1], "moved away")
    work = admin.staff.open_work("MN1")
    assert [(w.kind, w.key) for w in work] == [("mentee", people[0])]
    assert work[0].description == f"mentee since {(TODAY - timedelta(days=30)).isoformat()}"
    assert work[0].reassign == f'reentry mentoring assign {people[0]} --mentor MENTOR --reason "MN1 handed over"'
    moved = admin.staff.move("MN1", centre="KHJ")
    assert [(w.kind, w.key, w.description) for w in moved.open_work][1:] == [
        ("mentor profile", "MN1", "matched with participants of DSH, works at KHJ")]
    admin.mentoring.set_profile("MN1", centre="KHJ")
    assert held(admin, "MN1") == [("mentee", people[0])]
