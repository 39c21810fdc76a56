"""Issue 20, corrections in grants: a donor's top-up (or a cut) of a round's budget, its
limits and dates changed after it opened, audited with the earlier values and a reason,
never below what the round has committed."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from reentry_core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reentry_core.storage import tables as t
from reentry_core.testing import TODAY
from tests.grants_support import desk, fakes, grants_pm, programme  # noqa: F401  (fixtures)

D = Decimal


def test_a_donors_top_up_raises_an_open_rounds_budget_and_the_trail_keeps_the_old_one(desk, programme):
    desk.approved(0, "8000")
    rnd = desk.admin.grants.change_round("R2026", budget="25 000,00", max_grant="12000",
                                         closes_on=TODAY + timedelta(days=40), reason="EU top-up, letter of 1 Dec")
    assert (rnd.budget, rnd.max_grant, rnd.closes_on, rnd.status.value) == (
        D("25000.00"), D("12000.00"), TODAY + timedelta(days=40), "open")
    budget = desk.admin.grants.budget("R2026")
    assert (budget.budget, budget.committed, budget.remaining) == (D("25000.00"), D("8000.00"), D("17000.00"))
    with programme.engine.connect() as conn:
        row = conn.execute(sa.select(t.audit_event).where(t.audit_event.c.action == "grants.round.change")).one()
    before, after = json.loads(row.before), json.loads(row.after)
    assert (row.actor, before["budget"], after["budget"], after["correction"]) == (
        "ADM", "20000.00", "25000.00", "EU top-up, letter of 1 Dec")
    assert desk.admin.audit.verify().ok


def test_a_cut_never_goes_below_what_the_round_has_committed(desk):
    desk.approved(0, "8000")
    desk.approved(1, "9000")
    with pytest.raises(Conflict, match="budget 16,000.00 is below what round R2026 has committed "
                                       "\\(17,000.00 TJS\\); cancel or reduce grants first"):
        desk.admin.grants.change_round("R2026", budget="16000", max_grant="9000", reason="donor cut")
    assert desk.admin.grants.change_round("R2026", budget="17000", max_grant="9000", reason="donor cut").budget == \
        D("17000.00")
    assert desk.admin.grants.get("R2026-002").amount_granted == D("9000.00")  # decided grants keep their amounts


def test_a_round_change_that_breaks_a_rule_or_says_nothing_is_refused(desk):
    grants = desk.admin.grants
    with pytest.raises(Conflict, match="round R2026 is open: its opening date stays"):
        grants.change_round("R2026", opens_on=TODAY, reason="typo")
    with pytest.raises(Conflict, match="has passed; to stop applications now, close the round"):
        grants.change_round("R2026", closes_on=TODAY - timedelta(days=1), reason="early close")
    with pytest.raises(InvalidInput, match="min_grant 11,000.00 is above max_grant 10,000.00"):
        grants.change_round("R2026", min_grant="11000", reason="bigger grants")
    with pytest.raises(InvalidInput, match="nothing to change"):
        grants.change_round("R2026", reason="nothing")
    with pytest.raises(InvalidInput, match="reason: say why the round changes"):
        grants.change_round("R2026", budget="30000", reason=" ")
    with pytest.raises(InvalidInput, match="budget"):
        grants.change_round("R2026", budget="1,000", reason="ambiguous amount")
    with pytest.raises(Conflict, match="already has those settings"):
        grants.change_round("R2026", budget="20000", reason="same")
    with pytest.raises(PermissionDenied):
        desk.grants("FO1").change_round("R2026", budget="30000", reason="not mine to change")
    assert grants.get_round("R2026").budget == D("20000.00")


def test_cli_round_change_prints_the_round_and_needs_a_reason(desk, run_cli):
    result = run_cli("--as", "ADM", "grants", "round", "change", "R2026", "--budget", "30000")
    assert result.exit_code == 2 and "Missing option '--reason'" in result.output
    result = run_cli("--as", "ADM", "grants", "round", "change", "R2026", "--budget", "30000", "--reason", "top-up")
    assert result.exit_code == 0, result.output
    assert "Round R2026 changed: budget 30,000.00 TJS, grants 3,000.00 to 10,000.00 TJS" in result.output


def test_a_conflict_declared_by_mistake_is_listed_and_withdrawn_and_the_member_may_vote(desk, programme):
    app = desk.apply(0)
    desk.grants("CM4").declare_conflict(app.code, "neighbour", "lives next door")
    desk.admin.grants.declare_conflict(app.code, "relative", "cousin", member="CM2")
    assert [(c.member, c.kind.value) for c in desk.admin.grants.conflicts(app.code)] == [
        ("CM2", "relative"), ("CM4", "neighbour")]
    withdrawn = desk.grants("CM4").withdraw_conflict(app.code, "declared on the wrong application")
    assert (withdrawn.member, withdrawn.note) == ("CM4", "lives next door")
    with pytest.raises(PermissionDenied):
        desk.grants("CM4").withdraw_conflict(app.code, "not mine", member="CM2")
    desk.admin.grants.withdraw_conflict(app.code, "same surname, not a cousin", member="cm2")
    assert desk.admin.grants.conflicts(app.code) == []
    assert desk.grants("CM4").vote(app.code, "approve").member == "CM4"
    with programme.engine.connect() as conn:
        rows = conn.execute(sa.select(t.audit_event.c.actor, t.audit_event.c.before, t.audit_event.c.after)
                            .where(t.audit_event.c.action == "grants.conflict.withdraw")
                            .order_by(t.audit_event.c.seq)).all()
    assert [(r.actor, json.loads(r.before)["member"], json.loads(r.after)["correction"]) for r in rows] == [
        ("CM4", "CM4", "declared on the wrong application"), ("ADM", "CM2", "same surname, not a cousin")]
    assert desk.admin.audit.verify().ok


def test_a_conflict_is_not_withdrawn_without_a_reason_twice_or_after_the_decision(desk):
    app = desk.apply(0)
    with pytest.raises(NotFound, match=f"CM4 has declared no conflict of interest on {app.code}"):
        desk.grants("CM4").withdraw_conflict(app.code, "never declared")
    desk.grants("CM4").declare_conflict(app.code, "neighbour", "lives next door")
    with pytest.raises(InvalidInput, match="reason: say why the conflict of interest is withdrawn"):
        desk.grants("CM4").withdraw_conflict(app.code, "")
    desk.votes(app.code, "approve", "approve", "approve")
    desk.grants("CM1").decide(app.code)
    with pytest.raises(Conflict, match=f"application {app.code} is approved; a conflict of interest is withdrawn "
                                       "only while it is under review or deferred"):
        desk.grants("CM4").withdraw_conflict(app.code, "too late")


def test_cli_conflict_list_and_withdraw(desk, run_cli):
    app = desk.apply(0)
    desk.grants("CM4").declare_conflict(app.code, "neighbour", "lives next door")
    result = run_cli("--as", "ADM", "--format", "csv", "grants", "conflict", "list", app.code)
    assert result.exit_code == 0 and "CM4,neighbour,lives next door" in result.output
    result = run_cli("--as", "CM4", "grants", "conflict", "withdraw", app.code, "--reason", "wrong application")
    assert result.exit_code == 0, result.output
    assert f"Withdrawn: CM4 no longer has a conflict of interest on {app.code}; they may vote on it." in result.output
    result = run_cli("--as", "ADM", "grants", "conflict", "list", app.code)
    assert f"No conflicts of interest on {app.code}." in result.output
