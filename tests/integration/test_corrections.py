"""Issue 20, corrections: a mistake put right the way an auditor accepts it — the earlier
value kept in the audit trail with who corrected it and why, the rules still holding."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from reentry_core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reentry_core.storage import tables as t
from reentry_core.testing import TODAY


def last_event(programme, action: str):
    with programme.engine.connect() as conn:
        row = conn.execute(sa.select(t.audit_event).where(t.audit_event.c.action == action)
                           .order_by(t.audit_event.c.seq.desc())).first()
    return row.actor, json.loads(row.before), json.loads(row.after)


def test_a_centre_is_renamed_with_a_reason_and_the_trail_keeps_the_old_name(programme, admin):
    centre = admin.centres.edit("khj", name="Khujand reintegration centre No. 1", reason="office renamed")
    assert (centre.code, centre.name, centre.city) == ("KHJ", "Khujand reintegration centre No. 1", "Khujand")
    assert admin.centres.get("KHJ") == centre
    actor, before, after = last_event(programme, "centre.edit")
    assert (actor, before["name"], after["name"], after["correction"]) == (
        "ADM", "Khujand reintegration centre", "Khujand reintegration centre No. 1", "office renamed")
    assert admin.audit.verify().ok


@pytest.mark.parametrize(("changes", "error", "message"), [
    ({"name": "New name", "reason": "  "}, InvalidInput, "reason: say why the centre is changed"),
    ({"reason": "no change given"}, InvalidInput, "name, city: give the new value of at least one"),
    ({"city": "Khujand", "reason": "same"}, Conflict, "centre KHJ already has that name and city"),
    ({"name": "", "reason": "blank"}, InvalidInput, "name"),
])
def test_a_centre_correction_that_says_nothing_or_breaks_a_rule_is_refused(admin, changes, error, message):
    with pytest.raises(error, match=message):
        admin.centres.edit("KHJ", **changes)
    assert admin.centres.get("KHJ").name == "Khujand reintegration centre"


def test_only_who_manages_centres_corrects_them(admin, case_worker):
    with pytest.raises(PermissionDenied):
        case_worker.centres.edit("DSH", city="Душанбе", reason="Cyrillic")
    with pytest.raises(NotFound, match="centre 'XXX' does not exist"):
        admin.centres.edit("XXX", city="Душанбе", reason="Cyrillic")


@pytest.fixture
def referred(admin, case_worker):
    person = case_worker.participants.register(full_name="Ҷамшед Раҳимов", sex="male", birth_date="1985-03-12",
                                               centre="DSH", registered_on=TODAY.replace(day=1))
    case_worker.participants.record_consent(person.code, given_on=TODAY.replace(day=1), scope="programme,referrals")
    referral = case_worker.referrals.add(person.code, "legal", "Legal aid centre, Dushanbe", "a fine to appeal",
                                         opened_on=TODAY.replace(day=1))
    return person.code, referral.id


def test_a_done_referral_is_corrected_and_keeps_its_status(programme, admin, case_worker, referred):
    code, ident = referred
    case_worker.referrals.update(ident, "accepted")
    case_worker.referrals.update(ident, "done", note="fine cancelled")
    after = case_worker.referrals.edit(ident, to_whom="Legal aid centre, Khujand", referral_reason="a fine to contest",
                                       reason="the lawyer sits in Khujand")
    assert (after.to_whom, after.reason, after.status.value, after.note) == (
        "Legal aid centre, Khujand", "a fine to contest", "done", "fine cancelled")
    actor, before, stated = last_event(programme, "referral.edit")
    assert (actor, before["to_whom"], stated["to_whom"], stated["correction"]) == (
        "CW1", "Legal aid centre, Dushanbe", "Legal aid centre, Khujand", "the lawyer sits in Khujand")
    assert admin.audit.verify().ok


def test_a_referral_correction_keeps_the_dates_in_order_and_the_health_rule(case_worker, staff_as, referred):
    _code, ident = referred
    case_worker.referrals.update(ident, "accepted", on=TODAY.replace(day=2))
    with pytest.raises(InvalidInput, match="before the referral was accepted or closed"):
        case_worker.referrals.edit(ident, opened_on=TODAY.replace(day=3), reason="typed the wrong day")
    with pytest.raises(InvalidInput, match="nothing to correct"):
        case_worker.referrals.edit(ident, reason="nothing")
    with pytest.raises(Conflict, match="already says that"):
        case_worker.referrals.edit(ident, service_type="legal", reason="same")
    with pytest.raises(InvalidInput, match="reason: say why the referral is corrected"):
        case_worker.referrals.edit(ident, to_whom="Legal aid, Vahdat", reason="")
    mentor = staff_as("mentor", code="MN1")  # manages referrals, may not see health ones
    with pytest.raises(PermissionDenied, match="MN1 may not refer to a health service"):
        mentor.referrals.edit(ident, service_type="drug_treatment", reason="it was a clinic")
    assert case_worker.referrals.get(ident).opened_on == TODAY.replace(day=1)


@pytest.mark.parametrize(("moves", "back_to"), [(["accepted", "done"], "accepted"), (["declined"], "open"),
                                                (["cancelled"], "open")])
def test_a_referral_closed_by_mistake_is_reopened_where_it_was(admin, case_worker, referred, moves, back_to):
    _code, ident = referred
    for status in moves:
        case_worker.referrals.update(ident, status)
    reopened = case_worker.referrals.reopen(ident, "closed by mistake")
    assert (reopened.status.value, reopened.closed_on) == (back_to, None)
    assert case_worker.referrals.get(ident).status.value == back_to
    with pytest.raises(Conflict, match=f"referral {ident} is {back_to}, not closed; there is nothing to reopen"):
        case_worker.referrals.reopen(ident, "again")
    assert admin.audit.verify().ok


def test_a_referral_of_someone_who_left_is_not_reopened(case_worker, referred):
    code, ident = referred
    case_worker.participants.exit(code, "moved_away")  # cancels the open referral
    with pytest.raises(Conflict, match=f"{code} has left the programme; their referrals cannot be reopened"):
        case_worker.referrals.reopen(ident, "closed by mistake")
    with pytest.raises(NotFound):
        case_worker.referrals.reopen(9999, "no such referral")


def test_cli_corrections_need_a_reason(run_cli, admin):
    result = run_cli("--as", "ADM", "centres", "edit", "DSH", "--city", "Душанбе")
    assert result.exit_code == 2 and "Missing option '--reason'" in result.output
    result = run_cli("--as", "ADM", "centres", "edit", "DSH", "--city", "Душанбе", "--reason", "Cyrillic")
    assert result.exit_code == 0 and "Centre DSH is now Dushanbe reintegration centre (Душанбе)." in result.output
