"""Issue 15 point 3, maker-checker for money: a tranche one person records is pending until
a second person confirms it; who may confirm or reverse it; a reversal is a counter-entry
and the part may be paid again; only confirmed money counts; the round's switches (four
eyes, a wait after the verifying visit)."""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal

import pytest

from reentry_core.errors import Conflict, InvalidInput, PermissionDenied, RowErrors
from reentry_core.testing import TODAY
from tests.grants_support import ROUND, desk, fakes, grants_pm, programme  # noqa: F401  (fixtures)

D = Decimal


def test_a_tranche_is_pending_until_a_second_finance_officer_confirms_it(desk):
    code = desk.approved(0, "8000")
    tranche = desk.grants("FO1").disburse(code)
    assert (tranche.status.value, tranche.confirmed_by) == ("pending", None)
    assert desk.admin.grants.get(code).status.value == "disbursing"
    budget = desk.admin.grants.budget("R2026")
    assert (budget.disbursed, budget.pending) == (D("0.00"), D("4800.00"))
    with pytest.raises(PermissionDenied, match="four eyes: FO1 recorded tranche 1 of R2026-001, so someone else "
                                               "confirms it"):
        desk.grants("FO1").confirm_tranche(code, 1)
    with pytest.raises(PermissionDenied, match="may not confirm or reverse a tranche"):
        desk.grants("CW1").confirm_tranche(code, 1)
    confirmed = desk.grants("FO2").confirm_tranche(code, 1)
    assert (confirmed.status.value, confirmed.confirmed_by, confirmed.confirmed_on) == ("confirmed", "FO2", TODAY)
    with pytest.raises(Conflict, match="tranche 1 of R2026-001 is confirmed; only a pending tranche is confirmed"):
        desk.grants("FO2").confirm_tranche(code, 1)
    assert desk.admin.grants.budget("R2026").disbursed == D("4800.00")
    assert desk.admin.grants.pending_tranches() == []
    assert "grants.tranche.confirm" in [e.action for e in desk.admin.audit.log(key=code)]


def test_an_admin_confirms_only_without_a_part_in_the_decision_or_its_tally_sheet(desk, tmp_path):
    desk.admin.staff.add("ADM2", "Нигора Исмоилова", ["admin"])
    app = desk.apply(0)
    path = tmp_path / "tally.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["application", "member", "vote"]] + [[app.code, m, "approve"]
                                                                        for m in ("CM1", "CM2", "CM3")])
    desk.admin.grants.record_meeting("R2026", path)  # ADM enters the tally sheet
    desk.grants("CM1").decide(app.code)
    desk.grants("FO1").disburse(app.code)
    with pytest.raises(PermissionDenied, match="four eyes: ADM took part in deciding R2026-001 \\(its decision, votes "
                                               "or tally sheet\\), so someone else confirms it"):
        desk.admin.grants.confirm_tranche(app.code, 1)
    with pytest.raises(PermissionDenied, match="CM1 .* may not confirm"):
        desk.grants("CM1").confirm_tranche(app.code, 1)
    assert desk.grants("ADM2").confirm_tranche(app.code, 1).confirmed_by == "ADM2"


def test_the_next_tranche_waits_for_the_last_ones_confirmation(desk, fakes):
    code = desk.approved(0, "8000")
    fakes.mentoring.visit(desk.people[0], TODAY)
    desk.grants("FO1").disburse(code)
    with pytest.raises(Conflict, match="tranche 1 of R2026-001 waits for a second person's confirmation "
                                       "\\(reentry grants confirm R2026-001 --tranche 1\\)"):
        desk.grants("FO1").disburse(code)
    [due] = desk.admin.grants.due_tranches()
    assert (due.number, due.ready) == (2, False) and "waits for a second person's confirmation" in due.waiting
    desk.grants("FO2").confirm_tranche(code, 1)
    desk.grants("FO1").disburse(code)
    assert desk.admin.grants.get(code).status.value == "disbursing"  # completed once confirmed
    desk.grants("FO2").confirm_tranche(code, 2)
    done = desk.admin.grants.get(code)
    assert (done.status.value, done.confirmed, done.closed_on) == ("completed", D("8000.00"), TODAY)
    with pytest.raises(Conflict, match="R2026-001 is completed: its tranches were confirmed in full and stand"):
        desk.grants("FO2").reverse_tranche(code, 2, "too late")


def test_a_wrong_tranche_is_reversed_by_a_counter_entry_and_paid_again(desk):
    code = desk.approved(0, "8000")
    desk.grants("FO1").disburse(code, method="bank_transfer", reference="TR-1")
    desk.grants("FO2").confirm_tranche(code, 1)
    with pytest.raises(InvalidInput, match="reason: say why"):
        desk.grants("FO2").reverse_tranche(code, 1, " ")
    with pytest.raises(PermissionDenied, match="four eyes: FO1 recorded tranche 1 of R2026-001, so someone else "
                                               "reverses it"):
        desk.grants("FO1").reverse_tranche(code, 1, "wrong account")
    reversed_ = desk.grants("FO2").reverse_tranche(code, 1, "paid to the wrong account")
    assert reversed_.status.value == "reversed"
    assert (reversed_.reversal.reason, reversed_.reversal.reversed_by) == ("paid to the wrong account", "FO2")
    with pytest.raises(Conflict, match="tranche 1 of R2026-001 is already reversed"):
        desk.admin.grants.reverse_tranche(code, 1, "again")
    app = desk.admin.grants.get(code)
    assert (app.disbursed, app.confirmed) == (D("0.00"), D("0.00"))
    assert desk.admin.grants.budget("R2026").disbursed == D("0.00")
    again = desk.grants("FO1").disburse(code, method="bank_transfer", reference="TR-2")
    assert (again.number, again.amount) == (2, D("4800.00"))  # the same part, a new number
    assert [(t.number, t.status.value) for t in desk.admin.grants.tranches(code)] == [(1, "reversed"),
                                                                                      (2, "pending")]
    event = next(e for e in desk.admin.audit.log(key=code) if e.action == "grants.tranche.reverse")
    assert "paid to the wrong account" in str(event.after)
    assert [e["event"] for e in desk.admin.grants.story(code).events][-3:] == ["confirmed", "reversed", "disbursing"]


def test_a_payment_row_naming_a_reversed_tranche_is_refused(desk, tmp_path):
    code = desk.approved(0, "8000")
    path = tmp_path / "run.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["application", "tranche", "method"], [code, "1", "cash"]])
    desk.grants("FO1").record_payments(path)
    desk.grants("FO2").reverse_tranche(code, 1, "never handed over")
    with pytest.raises(RowErrors) as caught:
        desk.grants("FO1").record_payments(path)
    assert caught.value.problems == [
        "row 2, tranche: tranche 1 of R2026-001 was reversed; a payment made again is a new tranche: leave the "
        "tranche number out or give tranche 2"]


def test_a_round_without_four_eyes_confirms_on_recording(desk):
    grants = desk.admin.grants
    grants.add_round("SOLO", "One signature", **{**ROUND, "tranche_plan": "100"}, four_eyes=False)
    grants.add_committee_members("SOLO", ["CM1", "CM2", "CM3"])
    grants.open_round("SOLO")
    app = desk.apply(0, "6000", round_code="SOLO")
    desk.votes(app.code, "approve", "approve", "approve")
    desk.grants("CM1").decide(app.code)
    tranche = desk.grants("FO1").disburse(app.code)
    assert (tranche.status.value, tranche.confirmed_by) == ("confirmed", "FO1")
    assert grants.get(app.code).status.value == "completed"
    assert grants.budget("SOLO").disbursed == D("6000.00")
    assert grants.set_payment_rules("SOLO", four_eyes=True).four_eyes is True
    with pytest.raises(PermissionDenied):
        desk.grants("FO1").set_payment_rules("SOLO", four_eyes=False)


def test_a_round_may_ask_for_days_between_the_visit_and_the_release(desk, fakes, programme):
    from reentry_core.services import FixedClock

    code = desk.approved(0, "8000")
    desk.grants("FO1").disburse(code)
    desk.grants("FO2").confirm_tranche(code, 1)
    desk.admin.grants.set_payment_rules("R2026", visit_wait_days=7)
    fakes.mentoring.visit(desk.people[0], TODAY)
    with pytest.raises(Conflict, match=f"needs a verified visit on or after {TODAY.isoformat()}, 7 days before the "
                                       "release at the latest; none is on file"):
        desk.grants("FO1").disburse(code)
    [due] = desk.admin.grants.due_tranches()
    assert not due.ready and "7 days before the release" in due.waiting
    programme.clock = FixedClock(TODAY + timedelta(days=7))
    assert desk.grants("FO1").disburse(code).verification.visited_on == TODAY
    with pytest.raises(InvalidInput, match="visit_wait_days: 400 is not between 0 and 366"):
        desk.admin.grants.set_payment_rules("R2026", visit_wait_days=400)


def test_erasing_a_grantee_clears_the_words_about_their_grant_and_keeps_the_money(desk):
    """Issue 14, point 5, the grants' part: vote notes and the story's notes go, here and in
    the audit trail (the grant's events are audited under its code); amounts stay."""
    app = desk.apply(0)
    desk.votes(app.code, "approve", "approve", "reject")  # the reject carries "no market for it"
    desk.grants("CM1").decide(app.code)
    desk.grants("FO1").disburse(app.code)
    desk.grants("FO2").confirm_tranche(app.code, 1)
    before = desk.admin.grants.budget("R2026")
    code = desk.people[0]
    desk.admin.participants.exit(code, "withdrew")
    done = desk.admin.participants.erase(code, "asked")
    assert "1 vote note" in done.plugins
    with desk.programme.engine.connect() as conn:
        left = [r[0] for r in conn.exec_driver_sql("select seq, before, after from audit_event")
                if "no market for it" in f"{r[1]}{r[2]}"]
    assert left == []
    assert desk.admin.grants.budget("R2026") == before
    assert desk.admin.audit.verify().ok
