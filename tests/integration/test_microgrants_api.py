"""ctx.grants, the Python API of microgrants, on SQLite and PostgreSQL: rounds, applications,
eligibility, the committee, decisions within the budget, tranches, cancellations and the
hooks other plugins hear. business_plans and mentoring are played by the stand-ins of
tests/grants_support.py."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from reentry_core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reentry_core.testing import TODAY
from tests.grants_support import (  # noqa: F401  (fixtures)
    ROUND, desk, fakes, grants_pm, line, programme, run_cli,
)

D = Decimal


# --- rounds -----------------------------------------------------------------------------------


def test_a_round_is_set_up_opened_and_closed(desk):
    grants = desk.admin.grants
    rnd = grants.get_round("r2026")
    assert (rnd.status.value, rnd.committee, rnd.quorum, rnd.donors) == ("open", ("CM1", "CM2", "CM3", "CM4"), 3,
                                                                        ("EU", "BMZ"))
    assert [r.code for r in grants.rounds(status="open")] == ["R2026"]
    assert grants.close_round("R2026").status.value == "closed"
    with pytest.raises(Conflict, match="round R2026 is closed; only a round that is open can become closed"):
        grants.close_round("R2026")
    with pytest.raises(Conflict, match="cannot apply: round R2026 is closed"):
        desk.apply(0)
    events = desk.admin.audit.log(entity="grant_round", key="R2026")
    assert {e.action for e in events} == {"grants.round.add", "grants.committee.add", "grants.round.open",
                                          "grants.round.close"}


def test_a_round_opens_only_with_a_committee_that_can_reach_quorum(desk):
    grants = desk.admin.grants
    grants.add_round("R2027", "Second round", **ROUND)
    grants.add_committee_members("R2027", ["CM1", "CM2"])
    with pytest.raises(Conflict, match="its committee has 2 members, fewer than its quorum of 3"):
        grants.open_round("R2027")
    with pytest.raises(InvalidInput, match="CW1 does not have the committee_member role"):
        grants.add_committee_members("R2027", ["CW1"])
    with pytest.raises(Conflict, match="CM1 is already on the committee of round R2027"):
        grants.add_committee_members("R2027", ["CM1"])
    with pytest.raises(Conflict, match="grant round R2026 already exists"):
        grants.add_round("R2026", "Again", **ROUND)
    with pytest.raises(NotFound, match="grant round 'NOPE' does not exist"):
        grants.get_round("NOPE")


def test_only_an_admin_manages_rounds(desk):
    with pytest.raises(PermissionDenied, match="CW1 \\(case_worker\\) may not set up grant rounds"):
        desk.grants("CW1").add_round("R2027", "Mine", **ROUND)


def test_a_member_who_voted_stays_on_the_committee(desk):
    app = desk.apply(0)
    desk.votes(app.code, "approve")
    with pytest.raises(Conflict, match="CM1 has voted in round R2026 and stays on its committee"):
        desk.admin.grants.remove_committee_member("R2026", "CM1")
    assert desk.admin.grants.remove_committee_member("R2026", "CM4").committee == ("CM1", "CM2", "CM3")


# --- applications ---------------------------------------------------------------------------------


def test_an_application_is_made_as_a_draft_changed_and_submitted(desk):
    grants = desk.grants("CW1")
    app = grants.apply("R2026", desk.people[0], ["Sewing machine;2;3500;in_kind;Textile LLC", "Fabric;10;120"],
                       own_contribution="1500")
    assert (app.code, app.status.value, app.requested, app.own_contribution) == (
        "R2026-001", "draft", D("8200.00"), D("1500.00"))
    assert [(x.item, x.total, x.kind.value) for x in app.lines] == [
        ("Sewing machine", D("7000.00"), "in_kind"), ("Fabric", D("1200.00"), "cash")]
    changed = grants.update(app.code, lines=[{"item": "Sewing machine", "quantity": 2, "unit_cost": "3300",
                                              "kind": "in_kind", "supplier": "Textile LLC"}])
    assert changed.requested == D("6600.00") and changed.own_contribution == D("1500.00")
    submitted = grants.submit(app.code)
    assert submitted.status.value == "under_review" and submitted.submitted_on == TODAY
    with pytest.raises(Conflict, match="R2026-001 is under_review; only a draft is changed"):
        grants.update(app.code, own_contribution="2000")
    assert [e["event"] for e in desk.admin.grants.story(app.code).events] == [
        "draft", "updated", "submitted", "under_review"]


@pytest.mark.parametrize("lines, message", [
    ([line("10000.01")], "requested 10,000.01 TJS is above the round's maximum grant of 10,000.00 TJS"),
    ([line("2999.99")], "requested 2,999.99 TJS is below the round's minimum grant of 3,000.00 TJS"),
    (["Sewing machine;1"], "line 1: 'Sewing machine;1' is not item;quantity;unit cost;cash|in_kind;supplier"),
    ([line("5000"), "Fabric;-2;10"], "line 2: quantity: -2 must be more than zero"),
    ([], "lines: an application needs at least one budget line"),
])
def test_a_bad_request_is_refused_and_nothing_is_written(desk, lines, message):
    with pytest.raises(InvalidInput, match=message):
        desk.grants("CW1").apply("R2026", desk.people[0], lines)
    assert desk.admin.grants.applications() == []


def test_a_bad_own_contribution_is_refused(desk):
    with pytest.raises(InvalidInput, match="own_contribution: -5 is negative"):
        desk.grants("CW1").apply("R2026", desk.people[0], [line("5000")], own_contribution="-5")


def test_one_open_application_per_participant_per_round(desk):
    first = desk.apply(0, submit=False)
    with pytest.raises(Conflict, match=f"{desk.people[0]} already has application R2026-001 \\(draft\\) in round R2026"):
        desk.apply(0)
    desk.grants("CW1").withdraw(first.code, "changed her mind")
    second = desk.apply(0)
    assert second.code == "R2026-002"
    desk.votes(second.code, "approve", "approve", "approve")
    desk.grants("CM1").decide(second.code)
    with pytest.raises(Conflict, match="already has application R2026-002 \\(approved\\)"):
        desk.apply(0)


def test_withdrawing_is_possible_before_a_decision_only(desk):
    app = desk.apply(0)
    desk.votes(app.code, "approve", "reject", "abstain")
    assert desk.grants("CM1").decide(app.code).outcome.value == "deferred"
    assert desk.grants("CW1").withdraw(app.code).status.value == "withdrawn"
    code = desk.approved(1)
    with pytest.raises(Conflict, match="R2026-002 is approved; it cannot be withdrawn"):
        desk.grants("CW1").withdraw(code)


def test_applying_to_a_round_that_has_not_opened_or_has_ended(desk, programme):
    desk.admin.grants.add_round("LATER", "Next year", **{**ROUND, "opens_on": TODAY + timedelta(days=5)})
    desk.admin.grants.add_committee_members("LATER", ["CM1", "CM2", "CM3"])
    with pytest.raises(Conflict, match="cannot apply: round LATER is not open yet"):
        desk.apply(0, round_code="LATER")
    desk.admin.grants.open_round("LATER")
    with pytest.raises(Conflict, match=f"cannot apply: round LATER opens on {(TODAY + timedelta(days=5)).isoformat()}"):
        desk.apply(0, round_code="LATER")


def test_an_unknown_participant_or_application_is_named(desk):
    with pytest.raises(NotFound, match="participant 'DSH-2026-0099' does not exist"):
        desk.grants("CW1").apply("R2026", "DSH-2026-0099", [line("5000")])
    with pytest.raises(NotFound, match="application 'R2026-404' does not exist"):
        desk.admin.grants.story("R2026-404")


# --- eligibility and the linked plan ----------------------------------------------------------------


def test_the_plan_is_linked_when_the_plans_plugin_answers(desk, fakes):
    fakes.plans.give_plan(desk.people[0], score="82.5", sector="sewing")
    app = desk.apply(0)
    assert (app.plan, app.plan_version, app.plan_title, app.sector, app.plan_score, app.plan_status) == (
        "BP-001", 1, "Business 1", "sewing", D("82.5"), "shortlisted")
    assert desk.apply(1).plan is None


def test_eligibility_is_checked_on_submit_and_an_ineligible_application_is_kept(desk, fakes):
    grants = desk.admin.grants
    grants.add_round("STRICT", "Strict round", require_shortlisted_plan=True, require_training=True,
                     min_plan_score="70", **ROUND)
    grants.add_committee_members("STRICT", ["CM1", "CM2", "CM3"])
    grants.open_round("STRICT")
    ready, weak = desk.people[0], desk.people[1]
    fakes.plans.give_plan(ready, score="82")
    fakes.plans.trained.add(ready)
    fakes.plans.give_plan(weak, score="55")
    ok = desk.apply(0, round_code="STRICT")
    assert ok.status.value == "under_review" and ok.eligibility_problems == ()
    refused = desk.apply(1, round_code="STRICT")
    assert refused.status.value == "ineligible"
    assert refused.eligibility_problems == (f"{weak} has not completed business training",
                                            f"{weak}'s plan scored below 70")
    kept = grants.get(refused.code)
    assert kept.status.value == "ineligible" and kept.eligibility_problems == refused.eligibility_problems
    assert kept.closed_on == TODAY
    # after training and a better plan, a new application may be made
    fakes.plans.trained.add(weak)
    fakes.plans.give_plan(weak, score="71")
    assert desk.apply(1, round_code="STRICT").status.value == "under_review"


def test_the_cores_checks_apply_too_consent_and_being_active(desk):
    admin = desk.admin
    admin.participants.withdraw_consent(desk.people[0])
    app = desk.apply(0)
    assert app.status.value == "ineligible"
    assert app.eligibility_problems == (f"{desk.people[0]} has no consent in force for the programme",)


# --- conflicts and votes ------------------------------------------------------------------------------


def test_a_conflicted_member_cannot_vote_and_does_not_count_towards_quorum(desk):
    app = desk.apply(0)
    conflict = desk.grants("CM4").declare_conflict(app.code, "neighbour", "lives next door")
    assert (conflict.member, conflict.kind.value, conflict.recorded_by) == ("CM4", "neighbour", "CM4")
    with pytest.raises(PermissionDenied, match="CM4 declared a conflict of interest \\(neighbour\\) on R2026-001 "
                                               "and cannot vote on it"):
        desk.grants("CM4").vote(app.code, "approve")
    desk.votes(app.code, "approve", "approve")
    with pytest.raises(Conflict, match="no quorum on R2026-001: 2 valid votes, 3 needed \\(conflict of interest: "
                                       "CM4; not yet voted: CM3\\)"):
        desk.grants("CM1").decide(app.code)
    with pytest.raises(Conflict, match="CM4 has already declared a conflict of interest"):
        desk.grants("CM4").declare_conflict(app.code, "relative", "cousin")


def test_an_admin_records_a_conflict_for_a_member_and_that_vote_no_longer_counts(desk):
    app = desk.apply(0)
    desk.votes(app.code, "approve", "approve", "reject")
    with pytest.raises(PermissionDenied, match="may not record a committee member's conflict of interest"):
        desk.grants("CM1").declare_conflict(app.code, "relative", "brother-in-law", member="CM2")
    desk.admin.grants.declare_conflict(app.code, "business_partner", "shares a shop", member="CM2")
    votes = {v.member: v.counted for v in desk.admin.grants.votes(app.code)}
    assert votes == {"CM1": True, "CM2": False, "CM3": True}
    with pytest.raises(Conflict, match="no quorum on R2026-001: 2 valid votes, 3 needed"):
        desk.grants("CM1").decide(app.code)
    with pytest.raises(Conflict, match="CW1 is not on the committee"):
        desk.admin.grants.declare_conflict(app.code, "relative", "aunt", member="CW1")
    with pytest.raises(InvalidInput, match="note: say what the conflict of interest is"):
        desk.grants("CM4").declare_conflict(app.code, "other", " ")


def test_votes_from_outside_the_committee_twice_or_above_the_request_are_refused(desk):
    app = desk.apply(0, amount="8000")
    desk.admin.staff.add("CM5", "Шоҳрух Мирзоев", ["committee_member"])
    with pytest.raises(PermissionDenied, match="CM5 is not on the committee of round R2026 and cannot vote"):
        desk.grants("CM5").vote(app.code, "approve")
    with pytest.raises(PermissionDenied, match="FO1 \\(finance_officer\\) may not vote"):
        desk.grants("FO1").vote(app.code, "approve")
    with pytest.raises(InvalidInput, match="amount 8,000.01 is more than the 8,000.00 TJS requested in R2026-001"):
        desk.grants("CM1").vote(app.code, "approve", amount="8000.01")
    with pytest.raises(InvalidInput, match="amount 2,000.00 is below the round's minimum grant of 3,000.00 TJS"):
        desk.grants("CM1").vote(app.code, "approve", amount="2000")
    assert desk.grants("CM1").vote(app.code, "approve").amount == D("8000.00")  # the amount requested
    with pytest.raises(Conflict, match="CM1 has already voted on R2026-001 \\(approve 8,000.00\\); to change the vote"):
        desk.grants("CM1").vote(app.code, "reject", reason="weak_plan", note="no market")


def test_a_changed_vote_is_audited(desk):
    app = desk.apply(0)
    desk.grants("CM1").vote(app.code, "approve", amount="7000")
    changed = desk.grants("CM1").vote(app.code, "reject", reason="costs_unrealistic", note="prices doubled",
                                      change=True)
    assert (changed.choice.value, changed.cast_on, changed.changed_on) == ("reject", TODAY, TODAY)
    [event] = desk.admin.audit.log(action="grants.vote.change")
    assert event.actor == "CM1" and event.entity_key == "R2026-001"
    assert (event.before["choice"], event.before["amount"]) == ("approve", "7000.00")
    assert (event.after["choice"], event.after["reason"]) == ("reject", "costs_unrealistic")


# --- decisions -------------------------------------------------------------------------------------------


def test_the_approval_is_the_median_of_the_approving_amounts(desk, fakes):
    app = desk.apply(0, amount="9000")
    desk.votes(app.code, ("approve", "6000"), ("approve", "9000"), ("approve", "7000"), "reject")
    decision = desk.grants("CM2").decide(app.code)
    assert (decision.outcome.value, decision.amount, decision.decided_by) == ("approved", D("7000.00"), "CM2")
    assert (decision.valid, decision.approve, decision.reject, decision.abstain) == (4, 3, 1, 0)
    assert "median of the approving amounts 6,000.00, 7,000.00, 9,000.00 = 7,000.00 TJS" in decision.explanation
    approved = desk.admin.grants.get(app.code)
    assert (approved.status.value, approved.amount_approved, approved.amount_granted) == (
        "approved", D("7000.00"), D("7000.00"))
    assert fakes.mentoring.heard == [("grant_approved", app.code, desk.people[0], "R2026", D("7000.00"), "TJS", TODAY,
                                      None, None)]


def test_a_deferred_application_stays_open_and_is_decided_again(desk):
    app = desk.apply(0)
    desk.votes(app.code, "approve", "reject", "abstain")
    assert desk.grants("CM1").decide(app.code).outcome.value == "deferred"
    assert desk.admin.grants.get(app.code).status.value == "deferred"
    desk.grants("CM3").vote(app.code, "approve", change=True)
    second = desk.grants("CM1").decide(app.code)
    assert (second.number, second.outcome.value) == (2, "approved")
    with pytest.raises(Conflict, match="R2026-001 is approved; a decision is made only while it is under review"):
        desk.grants("CM1").decide(app.code)


def test_a_rejection_closes_the_application(desk, fakes):
    app = desk.apply(0)
    desk.votes(app.code, "reject", "reject", "approve")
    assert desk.grants("CM1").decide(app.code).outcome.value == "rejected"
    rejected = desk.admin.grants.get(app.code)
    assert rejected.status.value == "rejected" and rejected.closed_on == TODAY and rejected.amount_granted is None
    assert fakes.mentoring.heard == []


def test_who_may_record_a_decision(desk):
    app = desk.apply(0)
    desk.votes(app.code, "approve", "approve", "approve")
    desk.admin.staff.add("CM5", "Шоҳрух Мирзоев", ["committee_member"])
    with pytest.raises(PermissionDenied, match="CM5 is not on the committee of round R2026 and cannot record"):
        desk.grants("CM5").decide(app.code)
    desk.grants("CM4").declare_conflict(app.code, "relative", "uncle")
    with pytest.raises(PermissionDenied, match="CM4 declared a conflict of interest on R2026-001 and cannot record"):
        desk.grants("CM4").decide(app.code)
    with pytest.raises(PermissionDenied, match="may not record the committee's decision"):
        desk.grants("CW1").decide(app.code)
    assert desk.admin.grants.decide(app.code).decided_by == "ADM"


def test_a_decision_beyond_the_remaining_budget_is_refused_with_the_figures(desk):
    desk.approved(0, "8000")
    desk.approved(1, "8000")
    third = desk.apply(2, "8000")
    desk.votes(third.code, "approve", "approve", "approve")
    with pytest.raises(Conflict) as refused:
        desk.grants("CM1").decide(third.code)
    assert refused.value.message == (
        "approving R2026-003 for 8,000.00 TJS would commit more than round R2026 has left: budget 20,000.00, "
        "committed 16,000.00, remaining 4,000.00 TJS")
    assert desk.admin.grants.get(third.code).status.value == "under_review"
    assert desk.admin.grants.decisions(third.code) == []
    # a lower approval fits
    for member in ("CM1", "CM2", "CM3"):
        desk.grants(member).vote(third.code, "approve", amount="4000", change=True)
    assert desk.grants("CM1").decide(third.code).amount == D("4000.00")
    assert desk.admin.grants.budget("R2026").remaining == D("0.00")


# --- tranches ----------------------------------------------------------------------------------------------


def test_two_tranches_the_second_after_a_verified_visit(desk, fakes):
    code = desk.approved(0, "8000")
    finance = desk.grants("FO1")
    first = finance.disburse(code, method="in_kind", items="2 sewing machines", supplier="Textile LLC",
                             receipt="0457", eur_rate="11.65")
    assert (first.number, first.amount, first.amount_eur, first.verification) == (1, D("4800.00"), D("412.02"), None)
    assert desk.admin.grants.get(code).status.value == "disbursing"
    desk.grants("FO2").confirm_tranche(code, 1)  # a second finance officer confirms it (four eyes)
    with pytest.raises(Conflict) as refused:
        finance.disburse(code, method="bank_transfer", reference="TR-118")
    assert refused.value.message == (
        "tranche 2 of R2026-001 draws on part 2 of the plan (60% on signing, 40% after a verified visit) and needs "
        f"a verified visit on or after {TODAY.isoformat()}; none is on file. An admin may override: "
        "reentry grants override R2026-001 --reason TEXT")
    fakes.mentoring.visit(desk.people[0], TODAY)
    second = finance.disburse(code, method="bank_transfer", reference="TR-118")
    assert second.amount == D("3200.00")
    assert (second.verification.reference, second.verification.visited_on, second.verification.mentor) == (
        "mentoring visit 1", TODAY, "MN1")
    desk.grants("FO2").confirm_tranche(code, 2)
    done = desk.admin.grants.get(code)
    assert (done.status.value, done.disbursed, done.closed_on) == ("completed", D("8000.00"), TODAY)
    assert fakes.mentoring.asked == [(code, 2, TODAY), (code, 2, TODAY)]
    assert [h[:4] for h in fakes.mentoring.heard if h[0] == "tranche_released"] == [
        ("tranche_released", code, 1, D("4800.00")), ("tranche_released", code, 2, D("3200.00"))]
    stored = desk.admin.grants.tranches(code)
    assert [(t.number, t.method.value, t.receipt, t.recorded_by) for t in stored] == [
        (1, "in_kind", "0457", "FO1"), (2, "bank_transfer", None, "FO1")]
    assert stored[1].verification == second.verification


def test_a_visit_before_the_last_release_does_not_verify(desk, fakes, programme):
    from reentry_core.services import FixedClock

    day = lambda n: TODAY + timedelta(days=n)  # noqa: E731
    code = desk.approved(0, "8000")
    fakes.mentoring.visit(desk.people[0], day(2))
    programme.clock = FixedClock(day(5))
    desk.grants("FO1").disburse(code)
    desk.grants("FO2").confirm_tranche(code, 1)
    programme.clock = FixedClock(day(10))
    with pytest.raises(Conflict, match=f"needs a verified visit on or after {day(5).isoformat()}; none is on file"):
        desk.grants("FO1").disburse(code)
    assert fakes.mentoring.asked[-1] == (code, 2, day(5))
    fakes.mentoring.visit(desk.people[0], day(7))
    assert desk.grants("FO1").disburse(code).verification.visited_on == day(7)


def test_an_admin_override_lets_one_verified_tranche_out_with_its_reason(desk):
    code = desk.approved(0, "8000")
    finance = desk.grants("FO1")
    finance.disburse(code, amount="4000")
    desk.grants("FO2").confirm_tranche(code, 1)
    with pytest.raises(PermissionDenied, match="may not let a tranche go out without a verified visit"):
        finance.override_verification(code, "please")
    override = desk.admin.grants.override_verification(code, "mentor on leave; the director saw the workshop")
    assert (override.granted_by, override.granted_on) == ("ADM", TODAY)
    with pytest.raises(Conflict, match="already has an override waiting"):
        desk.admin.grants.override_verification(code, "again")
    second = finance.disburse(code, amount="2000")  # crosses into the verified part
    assert second.verification.overridden and second.verification.overridden_by == "ADM"
    desk.grants("FO2").confirm_tranche(code, 2)
    with pytest.raises(Conflict, match="tranche 3 of R2026-001 draws on part 2"):
        finance.disburse(code)  # the override was used up
    assert desk.admin.grants.story(code).overrides[0].used_by_tranche == 2


def test_four_eyes_the_approver_cannot_record_the_tranches(desk):
    desk.admin.staff.set_roles("FO1", add=["committee_member"])
    desk.admin.grants.add_committee_members("R2026", ["FO1"])
    app = desk.apply(0)
    desk.votes(app.code, "approve", "approve", "approve")
    desk.grants("FO1").decide(app.code)
    with pytest.raises(PermissionDenied, match="four eyes: FO1 recorded the approval of R2026-001, so someone else "
                                               "records its tranches"):
        desk.grants("FO1").disburse(app.code)
    assert desk.grants("FO2").disburse(app.code).recorded_by == "FO2"


def test_a_tranche_beyond_the_grant_or_on_a_bad_date_is_refused(desk):
    code = desk.approved(0, "8000")
    finance = desk.grants("FO1")
    with pytest.raises(Conflict, match="a tranche of 8,000.01 would bring R2026-001 to 8,000.01, beyond the 8,000.00 "
                                       "TJS granted \\(8,000.00 TJS left\\)"):
        finance.disburse(code, amount="8000.01")
    with pytest.raises(InvalidInput, match="amount: 0 must be more than zero"):
        finance.disburse(code, amount="0")
    with pytest.raises(InvalidInput, match="amount: 12.3456 has more than two decimals"):
        finance.disburse(code, amount="12.3456")
    with pytest.raises(InvalidInput, match="released_on .* is in the future"):
        finance.disburse(code, on=TODAY + timedelta(days=1))
    with pytest.raises(InvalidInput, match="is before the grant was approved"):
        finance.disburse(code, on=TODAY - timedelta(days=1))
    with pytest.raises(InvalidInput, match="a tranche in kind needs items, supplier, receipt"):
        finance.disburse(code, method="in_kind")
    assert desk.admin.grants.tranches(code) == []


def test_no_tranche_before_approval(desk):
    app = desk.apply(0)
    with pytest.raises(Conflict, match="R2026-001 is under_review; tranches are released only for an approved grant"):
        desk.grants("FO1").disburse(app.code)


# --- cancelling and reducing ---------------------------------------------------------------------------------


def test_cancelling_returns_the_undisbursed_money_to_the_budget(desk):
    code = desk.approved(0, "8000")
    desk.grants("FO1").disburse(code)  # 4,800
    desk.grants("FO2").confirm_tranche(code, 1)
    with pytest.raises(PermissionDenied, match="may not cancel or reduce an approved grant"):
        desk.grants("FO1").cancel(code, "moved")
    cancelled = desk.admin.grants.cancel(code, "moved to Russia for work")
    assert (cancelled.status.value, cancelled.amount_granted, cancelled.close_reason) == (
        "cancelled", D("4800.00"), "moved to Russia for work")
    budget = desk.admin.grants.budget("R2026")
    assert (budget.approved, budget.returned, budget.committed, budget.disbursed, budget.remaining, budget.grants) == (
        D("8000.00"), D("3200.00"), D("4800.00"), D("4800.00"), D("15200.00"), 0)
    with pytest.raises(Conflict, match="R2026-001 is cancelled; tranches are released only"):
        desk.grants("FO1").disburse(code)
    undecided = desk.apply(1)
    with pytest.raises(Conflict, match="R2026-002 is under_review; only an approved grant is cancelled; withdraw it"):
        desk.admin.grants.cancel(undecided.code, "no")


def test_reducing_returns_the_difference_and_may_complete_the_grant(desk):
    code = desk.approved(0, "8000")
    desk.grants("FO1").disburse(code)  # 4,800
    desk.grants("FO2").confirm_tranche(code, 1)
    with pytest.raises(InvalidInput, match="R2026-001 cannot be reduced to 4,000.00: 4,800.00 TJS is already paid out"):
        desk.admin.grants.reduce(code, "4000", "cheaper")
    with pytest.raises(InvalidInput, match="9,000.00 is not below the 8,000.00 TJS granted"):
        desk.admin.grants.reduce(code, "9000", "more")
    with pytest.raises(InvalidInput, match="to: 'lots' is not a number"):
        desk.admin.grants.reduce(code, "lots", "x")
    with pytest.raises(InvalidInput, match="reason: say why"):
        desk.admin.grants.reduce(code, "7000", " ")
    reduced = desk.admin.grants.reduce(code, "7000", "the supplier lowered the price")
    assert (reduced.status.value, reduced.amount_granted) == ("disbursing", D("7000.00"))
    assert desk.admin.grants.budget("R2026").remaining == D("13000.00")
    # the plan's parts follow the reduced grant: the rest (2,200) is the verified part
    with pytest.raises(Conflict, match="draws on part 2"):
        desk.grants("FO1").disburse(code)
    assert desk.admin.grants.reduce(code, "4800", "the rest was not needed").status.value == "completed"
    events = [e["event"] for e in desk.admin.grants.story(code).events]
    assert events[-3:] == ["reduced", "reduced", "completed"]


# --- the budget and the story -----------------------------------------------------------------------------------


def test_the_budget_counts_grants_and_the_womens_share(desk):
    desk.approved(0, "5000")   # a woman
    desk.approved(1, "6000")   # a man
    desk.approved(2, "4000")   # a woman
    desk.grants("FO1").disburse("R2026-001")
    desk.grants("FO1").disburse("R2026-002")
    budget = desk.admin.grants.budget("R2026")
    # recorded, not yet confirmed by a second finance officer: pending, not disbursed
    assert (budget.disbursed, budget.pending) == (D("0.00"), D("6600.00"))
    desk.grants("FO2").confirm_tranche("R2026-001", 1)
    budget = desk.admin.grants.budget("R2026")
    assert (budget.budget, budget.committed, budget.disbursed, budget.remaining, budget.pending) == (
        D("20000.00"), D("15000.00"), D("3000.00"), D("5000.00"), D("3600.00"))
    assert (budget.grants, budget.grants_to_women, budget.women_share) == (3, 2, D("66.7"))


def test_the_story_holds_everything(desk, fakes):
    fakes.plans.give_plan(desk.people[0])
    app = desk.apply(0)
    desk.grants("CM4").declare_conflict(app.code, "neighbour", "lives next door")
    desk.votes(app.code, "approve", "approve", "approve")
    desk.grants("CM1").decide(app.code)
    desk.grants("FO1").disburse(app.code)
    story = desk.grants("ME1").story(app.code)
    assert story.application.plan == "BP-001" and story.round.code == "R2026"
    assert [c.member for c in story.conflicts] == ["CM4"]
    assert [v.member for v in story.votes] == ["CM1", "CM2", "CM3"]
    assert [d.outcome.value for d in story.decisions] == ["approved"]
    assert [t.number for t in story.tranches] == [1]
    assert [e["event"] for e in story.events] == ["draft", "submitted", "under_review", "approved", "disbursing"]
    assert desk.admin.audit.verify().ok


def test_the_lists_filter_by_round_status_and_participant(desk):
    desk.approved(0)
    desk.apply(1)
    grants = desk.admin.grants
    assert [a.code for a in grants.applications(round="R2026")] == ["R2026-001", "R2026-002"]
    assert [a.code for a in grants.applications(status="approved")] == ["R2026-001"]
    assert [a.code for a in grants.applications(participant=desk.people[1])] == ["R2026-002"]
    assert grants.applications()[0].participant_name == "Зарина Ашурова"


def test_rounds_at_the_largest_budget_sum_in_the_report_without_overflow(desk):
    """Money is stored in minor units in 64-bit integers; the largest amount reentry takes
    keeps any sum of them far from overflowing (two rounds at the old limit did)."""
    from reentry_core.convert import MAX_AMOUNT

    grants = desk.admin.grants
    for code in ("R2027", "R2028"):
        grants.add_round(code, "The largest round", **{**ROUND, "budget": f"{MAX_AMOUNT}", "max_grant": "10000"})
    with pytest.raises(InvalidInput, match="more than the largest amount reentry takes"):
        grants.add_round("R2029", "Too large", **{**ROUND, "budget": f"{MAX_AMOUNT + D('0.01')}"})
    report = desk.admin.reports.programme(suppress=False)
    assert report.sections  # summed, not "integer overflow"
    assert sum(r.budget for r in grants.rounds()) >= 2 * MAX_AMOUNT
