"""Issue 20, corrections in training: a session planned on the wrong day moved or
cancelled, an enrolment made by mistake taken back — audited with the earlier values and
a reason, refused once a session was held or a plan exists."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from reentry_core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reentry_core.storage import tables as t
from tests.integration.test_business_plans import plan_for, world  # noqa: F401  (fixtures)


def sessions(world):
    return [(s.number, s.on.isoformat(), s.topic.value) for s in world.act("TR1").cohort("DSH-26A").sessions]


def last_event(programme, action: str):
    with programme.engine.connect() as conn:
        row = conn.execute(sa.select(t.audit_event).where(t.audit_event.c.action == action)
                           .order_by(t.audit_event.c.seq.desc())).first()
    return row.actor, json.loads(row.before), json.loads(row.after)


def test_a_session_moves_and_the_sessions_are_numbered_by_date_again(world):
    moved = world.act("TR1").move_session("DSH-26A", 2, "2026-09-30", "the hall was taken")
    assert (moved.number, moved.on) == (4, date(2026, 9, 30))
    assert sessions(world) == [(1, "2026-09-07", "business_planning"), (2, "2026-09-21", "bookkeeping"),
                               (3, "2026-09-28", "personal_development"), (4, "2026-09-30", "marketing"),
                               (5, "2026-10-05", "civic_education")]
    actor, before, after = last_event(world.programme, "cohort.session.move")
    assert (actor, before["on"], before["number"], after["on"], after["correction"]) == (
        "TR1", "2026-09-14", 2, "2026-09-30", "the hall was taken")
    cancelled = world.act("TR1").cancel_session("DSH-26A", "2026-09-21", "planned twice")
    assert (cancelled.number, cancelled.topic.value) == (2, "bookkeeping")
    assert [n for n, _on, _topic in sessions(world)] == [1, 2, 3, 4]
    assert world.admin.audit.verify().ok


def test_a_held_session_or_one_before_a_held_session_stays(world):
    tr1 = world.act("TR1")
    tr1.attend("DSH-26A", 3, others="present")
    with pytest.raises(Conflict, match="session 3 of DSH-26A already has attendance; a session that was held is "
                                       "not moved"):
        tr1.move_session("DSH-26A", 3, "2026-09-25", "wrong day")
    with pytest.raises(Conflict, match="session 2 of DSH-26A comes before sessions already held \\(3\\); it is not "
                                       "cancelled"):
        tr1.cancel_session("DSH-26A", 2, "not held")
    with pytest.raises(Conflict, match="would come before sessions already held"):
        tr1.move_session("DSH-26A", 5, "2026-09-20", "earlier")
    with pytest.raises(InvalidInput, match="outside the cohort's dates"):
        tr1.move_session("DSH-26A", 5, "2027-01-20", "later")
    with pytest.raises(InvalidInput, match="reason: say why the session moves"):
        tr1.move_session("DSH-26A", 5, "2026-10-20", "")
    with pytest.raises(NotFound, match="cohort DSH-26A has no session 9"):
        tr1.cancel_session("DSH-26A", 9, "no such session")
    world.admin.staff.add("MN1", "Руслан Азимов", ["mentor"], "DSH")
    with pytest.raises(PermissionDenied):
        world.programme.act_as("MN1").plans.cancel_session("DSH-26A", 5, "a mentor does not plan training")
    assert len(sessions(world)) == 5


def test_an_enrolment_made_by_mistake_is_taken_back_with_its_marks(world):
    tr1 = world.act("TR1")
    wrong = world.codes[2]
    tr1.attend("DSH-26A", 1, absent=[wrong], others="present")
    assert tr1.unenrol("DSH-26A", wrong.lower(), "enrolled instead of her sister") == wrong
    assert tr1.enrolled_count("DSH-26A") == 2
    _actor, before, after = last_event(world.programme, "cohort.unenrol")
    assert (before["participant"], before["marks"], after["correction"]) == (
        wrong, {"1": "absent"}, "enrolled instead of her sister")
    with pytest.raises(NotFound, match=f"{wrong} is not enrolled in DSH-26A"):
        tr1.unenrol("DSH-26A", wrong, "again")
    tr1.enrol("DSH-26A", [wrong])  # enrolled again, without the old marks
    assert [c.participant for c in tr1.completion("DSH-26A")].count(wrong) == 1
    assert world.admin.audit.verify().ok


def test_an_enrolment_with_a_plan_is_not_taken_back(world):
    plan = plan_for(world, 0)
    with pytest.raises(Conflict, match=f"{world.codes[0]} has business plan {plan.code} in DSH-26A; an enrolment "
                                       "with a plan is not taken back"):
        world.act("TR1").unenrol("DSH-26A", world.codes[0], "wrong person")


def test_cli_training_corrections(world, run_cli):
    result = run_cli("--as", "TR1", "plans", "cohort", "move-session", "DSH-26A", "5", "--on", "2026-10-12",
                     "--reason", "holiday")
    assert result.exit_code == 0, result.output
    assert "Session 5 of DSH-26A is now on 2026-10-12 (civic_education)." in result.output
    result = run_cli("--as", "TR1", "plans", "cohort", "cancel-session", "DSH-26A", "5")
    assert result.exit_code == 2 and "Missing option '--reason'" in result.output
    result = run_cli("--as", "TR1", "plans", "unenrol", "DSH-26A", world.codes[1], "--reason", "wrong cohort")
    assert result.exit_code == 0 and f"{world.codes[1]} is no longer enrolled in DSH-26A." in result.output


# --- a shortlist undone -------------------------------------------------------------------------

APPLIED_COHORT = sa.text(
    "SELECT c.code, a.code, pl.code FROM bp_cohort c JOIN bp_plan pl ON pl.cohort_id = c.id "
    "JOIN bp_plan_version v ON v.plan_id = pl.id AND v.version = pl.current_version "
    "JOIN mg_application a ON a.plan_code = pl.code "
    "WHERE v.status = 'shortlisted' AND a.status NOT IN ('withdrawn', 'cancelled') ORDER BY a.code LIMIT 1")


def test_a_shortlist_a_grant_application_rests_on_is_not_undone(programme):
    from reentry_core.demo import run

    demo = run(programme, "small", seed=3)
    with programme.engine.connect() as conn:
        cohort, application, plan = conn.execute(APPLIED_COHORT).first()
    admin = demo.act_as("ADM").plans
    with pytest.raises(InvalidInput, match="reason: say why the shortlist is undone"):
        admin.undo_shortlist(cohort, "")
    with pytest.raises(Conflict, match=f"the shortlist of {cohort} cannot be undone while .*application {application} "
                                       f"\\(\\w+\\) was made with plan {plan}"):
        admin.undo_shortlist(cohort, "shortlisted by mistake")
    with programme.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM bp_plan_version WHERE status = 'shortlisted'")).scalar()
    assert demo.act_as("ADM").audit.verify().ok
