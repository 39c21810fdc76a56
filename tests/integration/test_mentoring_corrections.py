"""Issue 20, corrections in mentoring: a visit's findings corrected, a visit logged by
mistake cancelled — audited with the earlier values and a reason; refused when a tranche
was released on the strength of the visit (reverse the tranche first)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from reentry_core.demo import run
from reentry_core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reentry_core.storage import tables as t

RELIED = sa.text(
    "SELECT v.id, a.code, tr.number FROM mn_visit v JOIN participant p ON p.id = v.participant_id "
    "JOIN staff s ON s.id = v.mentor_id JOIN mg_application a ON a.participant_id = p.id "
    "JOIN mg_tranche tr ON tr.application_id = a.id AND tr.verified_by = s.code AND tr.verified_on = v.visited_on "
    "WHERE tr.status <> 'reversed' ORDER BY v.id LIMIT 1")
FREE = sa.text(
    "SELECT v.id, s.code FROM mn_visit v JOIN staff s ON s.id = v.mentor_id JOIN mn_due_visit d ON d.visit_id = v.id "
    "WHERE NOT EXISTS (SELECT 1 FROM mg_tranche tr WHERE tr.verified_by = s.code AND tr.verified_on = v.visited_on) "
    "ORDER BY v.id LIMIT 1")


@pytest.fixture
def demo(programme):
    return run(programme, "small", seed=3)


def query(programme, statement):
    with programme.engine.connect() as conn:
        return conn.execute(statement).first()


def test_a_visit_a_tranche_rests_on_is_neither_cancelled_nor_made_to_stop_verifying(programme, demo):
    admin = demo.act_as("ADM").mentoring
    visit_id, app, number = query(programme, RELIED)
    with pytest.raises(Conflict, match=f"visit {visit_id} verified tranche {number} of {app}, released on .*; it "
                                       "cannot be cancelled \\(reverse that first\\)"):
        admin.cancel_visit(visit_id, "logged on the wrong person")
    with pytest.raises(Conflict, match="cannot be corrected so that it no longer verifies the business"):
        admin.correct_visit(visit_id, "the equipment was not there", equipment_seen=False)
    corrected = admin.correct_visit(visit_id, "typed the revenue wrong", revenue="5400")
    assert (corrected.revenue, corrected.verifies) == (Decimal("5400.00"), True)
    before = query(programme, sa.select(t.audit_event.c.before, t.audit_event.c.after)
                   .where(t.audit_event.c.action == "mentoring.visit.correct"))
    assert json.loads(before.after)["correction"] == "typed the revenue wrong"
    assert json.loads(before.before)["revenue"] != "5400.00"
    assert demo.act_as("ME1").audit.verify().ok


def test_a_visit_logged_by_mistake_is_cancelled_and_its_due_visit_is_owed_again(programme, demo):
    visit_id, mentor = query(programme, FREE)
    mentoring = demo.act_as(mentor).mentoring
    cancelled = mentoring.cancel_visit(visit_id, "logged on DSH-2026-0001 instead of DSH-2026-0011")
    assert cancelled.id == visit_id
    assert query(programme, sa.text("SELECT count(*) FROM mn_due_visit WHERE visit_id = :id")
                 .bindparams(id=visit_id))[0] == 0
    assert query(programme, sa.text("SELECT count(*) FROM mn_visit WHERE id = :id").bindparams(id=visit_id))[0] == 0
    with pytest.raises(NotFound, match=f"visit {visit_id} does not exist"):
        mentoring.cancel_visit(visit_id, "again")
    assert demo.act_as("ME1").audit.verify().ok


def test_a_visit_correction_names_what_it_cannot_change_and_who_may_make_it(programme, demo):
    visit_id, mentor = query(programme, FREE)
    admin = demo.act_as("ADM").mentoring
    with pytest.raises(InvalidInput, match="risk_flags, visited_on: a visit's day, participant and risk flags are "
                                           "not corrected"):
        admin.correct_visit(visit_id, "wrong day", visited_on="2026-01-01", risk_flags="debt")
    with pytest.raises(InvalidInput, match="nothing to correct"):
        admin.correct_visit(visit_id, "nothing")
    with pytest.raises(InvalidInput, match="reason: say why the visit is corrected"):
        admin.correct_visit(visit_id, " ", revenue="100")
    other = query(programme, sa.text(
        "SELECT s.code FROM staff s JOIN staff_role r ON r.staff_id = s.id WHERE r.role = 'mentor' AND s.code <> :m "
        "ORDER BY s.code LIMIT 1").bindparams(m=mentor))[0]
    with pytest.raises((PermissionDenied, NotFound)):  # another centre's mentor does not even see it
        demo.act_as(other).mentoring.correct_visit(visit_id, "not mine", revenue="100")
