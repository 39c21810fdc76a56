"""Referrals: consent that covers referrals, the status loop, dates."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from reentry_core.domain import REFERRAL_TRANSITIONS, ReferralStatus, ServiceType
from reentry_core.errors import Conflict, InvalidInput, NotFound
from reentry_core.storage import tables as t

PERSON = {"full_name": "Ҷамшед Раҳимов", "sex": "male", "birth_date": "1985-03-12", "centre": "DSH"}


def count(programme, table) -> int:
    with programme.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


@pytest.fixture
def participant(case_worker):
    return case_worker.participants.register(**PERSON, registered_on="2026-10-01")


@pytest.fixture
def consented(case_worker, participant):
    case_worker.participants.record_consent(participant.code, "2026-11-01", "programme,referrals")
    return participant


def refer(ctx, code="DSH-2026-0001", **kw):
    args = {"service_type": "legal", "to_whom": "Legal aid centre, Dushanbe", "reason": "passport not returned"}
    args.update(kw)
    return ctx.referrals.add(code, **args)


# --- consent ------------------------------------------------------------------------


def test_referral_without_consent_is_refused(programme, case_worker, participant):
    with pytest.raises(Conflict) as err:
        refer(case_worker)
    assert "DSH-2026-0001 has no consent on file for referrals" in err.value.message
    assert "participants consent DSH-2026-0001 --scope programme,referrals" in err.value.message
    assert count(programme, t.referral) == 0


def test_consent_without_the_referrals_scope_is_not_enough(programme, case_worker, participant):
    case_worker.participants.record_consent(participant.code, "2026-11-01", "programme,research,media")
    with pytest.raises(Conflict, match="no consent on file for referrals"):
        refer(case_worker)
    assert count(programme, t.referral) == 0


def test_withdrawn_consent_is_not_enough(case_worker, consented):
    case_worker.participants.withdraw_consent(consented.code, "2026-11-10")
    with pytest.raises(Conflict, match="no consent on file for referrals"):
        refer(case_worker)
    # but a referral dated while the consent was in force is fine
    assert refer(case_worker, opened_on="2026-11-05").opened_on == date(2026, 11, 5)


def test_consent_must_be_in_force_on_the_opening_day(case_worker, consented):
    with pytest.raises(Conflict):
        refer(case_worker, opened_on="2026-10-31")  # consent given on 2026-11-01
    assert refer(case_worker, opened_on="01.11.2026").opened_on == date(2026, 11, 1)


def test_referral_with_consent_opens(programme, admin, case_worker, consented):
    referral = refer(case_worker, code="dsh-2026-0001", service_type="Drug treatment")
    assert referral.id is not None and referral.participant == "DSH-2026-0001"
    assert referral.status is ReferralStatus.OPEN and referral.service_type is ServiceType.DRUG_TREATMENT
    assert referral.opened_on == date(2026, 11, 23)
    assert case_worker.referrals.get(referral.id) == referral
    event = admin.audit.log(action="referral.*")[0]
    assert (event.action, event.entity_key, event.after["status"]) == ("referral.open", str(referral.id), "open")


def test_unknown_participant_or_bad_values(case_worker, consented):
    with pytest.raises(NotFound, match="participant 'DSH-2026-0099' does not exist"):
        refer(case_worker, code="DSH-2026-0099")
    with pytest.raises(InvalidInput, match="service_type"):
        refer(case_worker, service_type="astrology")
    with pytest.raises(InvalidInput, match="reason"):
        refer(case_worker, reason="   ")
    with pytest.raises(InvalidInput, match="opened_on 2026-11-24 is in the future"):
        refer(case_worker, opened_on="2026-11-24")


# --- the status loop ----------------------------------------------------------------


def test_open_accepted_done(admin, case_worker, consented):
    referral = refer(case_worker, opened_on="2026-11-02")
    accepted = case_worker.referrals.update(referral.id, "accepted", "2026-11-03")
    assert accepted.status is ReferralStatus.ACCEPTED
    assert accepted.accepted_on == date(2026, 11, 3) and accepted.closed_on is None
    done = case_worker.referrals.update(referral.id, "done", note="passport issued")
    assert done.status is ReferralStatus.DONE
    assert (done.accepted_on, done.closed_on, done.note) == (date(2026, 11, 3), date(2026, 11, 23), "passport issued")
    assert case_worker.referrals.get(referral.id) == done
    updates = admin.audit.log(action="referral.update")
    assert [(e.before["status"], e.after["status"]) for e in reversed(updates)] == [
        ("open", "accepted"), ("accepted", "done")]


@pytest.mark.parametrize("closing", ["declined", "cancelled"])
def test_open_can_be_closed_directly(case_worker, consented, closing):
    referral = refer(case_worker)
    closed = case_worker.referrals.update(referral.id, closing)
    assert closed.status.value == closing and closed.closed_on == date(2026, 11, 23) and closed.accepted_on is None


def walk(ctx, referral_id, path):
    for status in path:
        ctx.referrals.update(referral_id, status)


@pytest.mark.parametrize("path", [[], ["accepted"], ["accepted", "done"], ["declined"], ["cancelled"],
                                  ["accepted", "cancelled"]])
@pytest.mark.parametrize("target", [s.value for s in ReferralStatus])
def test_every_move_not_in_the_table_is_refused(case_worker, consented, path, target):
    referral = refer(case_worker)
    walk(case_worker, referral.id, path)
    current = case_worker.referrals.get(referral.id)
    allowed = REFERRAL_TRANSITIONS[current.status]
    if ReferralStatus(target) in allowed:
        assert case_worker.referrals.update(referral.id, target).status.value == target
        return
    with pytest.raises(Conflict) as err:
        case_worker.referrals.update(referral.id, target)
    message = err.value.message
    assert f"referral {referral.id} is {current.status.value}; it cannot become {target}" in message
    if allowed:
        assert "possible: " + ", ".join(sorted(s.value for s in allowed)) in message
    else:
        assert "none: it is closed" in message
    assert case_worker.referrals.get(referral.id) == current


def test_status_dates_before_opening_or_in_the_future_are_refused(case_worker, consented):
    referral = refer(case_worker, opened_on="2026-11-10")
    with pytest.raises(InvalidInput, match=r"date 2026-11-09 must be between the referral's opening \(2026-11-10\)"):
        case_worker.referrals.update(referral.id, "accepted", "2026-11-09")
    with pytest.raises(InvalidInput, match="2026-11-24"):
        case_worker.referrals.update(referral.id, "accepted", "2026-11-24")
    assert case_worker.referrals.get(referral.id).status is ReferralStatus.OPEN
    assert case_worker.referrals.update(referral.id, "accepted", "10.11.2026").accepted_on == date(2026, 11, 10)


def test_unknown_referral_and_status(case_worker, consented):
    with pytest.raises(NotFound, match="referral 999 does not exist"):
        case_worker.referrals.update(999, "accepted")
    referral = refer(case_worker)
    with pytest.raises(InvalidInput):
        case_worker.referrals.update(referral.id, "finished")


def test_list_filters(admin, case_worker, consented):
    other = admin.participants.register(full_name="Нигора Саидова", sex="ж", birth_date="1990-07-01", centre="KHJ",
                                        registered_on="2026-10-01")
    admin.participants.record_consent(other.code, "2026-11-01")
    a = refer(case_worker, service_type="legal")
    b = refer(admin, code=other.code, service_type="employment")
    case_worker.referrals.update(a.id, "declined")
    assert [r.id for r in admin.referrals.list()] == [a.id, b.id]
    assert [r.id for r in case_worker.referrals.list()] == [a.id]  # Khujand's is not Dushanbe's business
    assert [r.id for r in admin.referrals.list(status="open")] == [b.id]
    assert [r.id for r in admin.referrals.list(service_type="Legal")] == [a.id]
    assert [r.id for r in admin.referrals.list(centre="khj")] == [b.id]
    assert [r.id for r in admin.referrals.list(participant="dsh-2026-0001")] == [a.id]
