"""The rules of microgrants that need no database: the tranche plan, the tally, the
median, and the checks of rounds, lines, votes and tranches."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from reentry_core.convert import structure
from reentry_core.errors import InvalidInput
from reentry_microgrants import cli, domain
from reentry_microgrants.domain import (
    BudgetLine, GrantRound, Outcome, Tranche, TrancheStep, Vote, gated_steps, median_amount, next_planned_amount,
    parse_tranche_plan, plan_text, step_bounds, tally,
)

D = Decimal


def round_(**changes):
    fields = {"code": "R2026", "title": "Start-up grants", "budget": "20000", "min_grant": "3000",
              "max_grant": "10000", "opens_on": date(2026, 11, 1), "closes_on": date(2026, 12, 15)}
    return GrantRound(**{**fields, **changes})


# --- the tranche plan ---------------------------------------------------------------------


@pytest.mark.parametrize("text, steps", [
    ("100", [(D(100), False)]),
    ("60,40:verified", [(D(60), False), (D(40), True)]),
    ("60%; 40% verified", [(D(60), False), (D(40), True)]),
    ("50, 25:VERIFIED, 25:verified", [(D(50), False), (D(25), True), (D(25), True)]),
    ("33.33,33.33,33.34", [(D("33.33"), False), (D("33.33"), False), (D("33.34"), False)]),
])
def test_tranche_plans_are_read_from_text(text, steps):
    plan = parse_tranche_plan(text)
    assert [(s.percent, s.verified) for s in plan] == steps
    assert parse_tranche_plan(plan_text(plan)) == plan


@pytest.mark.parametrize("text, message", [
    ("60,30", "add up to 90%, not 100%"), ("", "tranche_plan is empty"), ("60,forty", "'forty' is not a part"),
    ("0,100", "more than 0%"), ("60,40:checked", "'40:checked' is not a part"), ("60.123,39.877", "is not a part"),
])
def test_bad_tranche_plans_are_refused_saying_why(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_tranche_plan(text)


def test_the_plan_is_described_for_people():
    assert domain.describe_plan(parse_tranche_plan("60,40:verified")) == "60% on signing, 40% after a verified visit"
    assert domain.describe_plan(parse_tranche_plan("50,50")) == "50% on signing, 50% without verification"


def test_step_bounds_end_at_the_grant_exactly():
    plan = parse_tranche_plan("33.33,33.33,33.34")
    assert step_bounds(plan, D("1000.01")) == [D("333.30"), D("666.61"), D("1000.01")]


def test_a_tranche_that_reaches_into_a_verified_part_needs_verification():
    plan = parse_tranche_plan("60,40:verified")
    amount = D("8000.00")
    assert gated_steps(plan, amount, D(0), D("4800.00")) == []
    assert gated_steps(plan, amount, D(0), D("4800.01")) == [2]   # one diram too far
    assert gated_steps(plan, amount, D("4800.00"), D("100.00")) == [2]
    assert gated_steps(plan, amount, D("1000.00"), D("3000.00")) == []  # still inside the first part
    assert next_planned_amount(plan, amount, D(0)) == D("4800.00")
    assert next_planned_amount(plan, amount, D("1000.00")) == D("3800.00")
    assert next_planned_amount(plan, amount, D("4800.00")) == D("3200.00")
    assert next_planned_amount(plan, amount, amount) == D("0.00")


@st.composite
def plans(draw):
    cuts = sorted(draw(st.sets(st.integers(1, 9999), max_size=5)))
    points = [0, *cuts, 10000]
    return tuple(TrancheStep(D(b - a) / 100, draw(st.booleans())) for a, b in zip(points, points[1:]))


amounts = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)


@given(plans(), amounts)
def test_the_parts_of_a_grant_add_up_to_it_and_only_grow(plan, amount):
    bounds = step_bounds(plan, amount)
    assert bounds[-1] == amount and bounds == sorted(bounds)
    assert parse_tranche_plan(plan_text(plan)) == plan


@given(plans(), amounts, st.data())
def test_paying_the_plan_part_by_part_touches_exactly_the_verified_parts(plan, amount, data):
    released, touched = D("0.00"), []
    while released < amount:
        step = next_planned_amount(plan, amount, released)
        assert step > 0
        touched += gated_steps(plan, amount, released, step)
        released += step
    verified = [n for n, (s, low, high) in enumerate(zip(plan, [D(0), *step_bounds(plan, amount)],
                                                         step_bounds(plan, amount)), start=1)
                if s.verified and high > low]
    assert touched == verified
    # paying everything at once touches every verified part that holds money
    assert gated_steps(plan, amount, D(0), amount) == verified


# --- the tally ------------------------------------------------------------------------------


def votes(*choices, counted=True):
    made = []
    for i, choice in enumerate(choices):
        choice, amount = (choice, None) if isinstance(choice, str) else choice
        if choice == "approve" and amount is None:
            amount = "8000"
        extra = {"reason": "weak_plan", "note": "no market"} if choice == "reject" else {}
        made.append(Vote("R2026-001", f"CM{i + 1}", choice, amount, counted=counted, **extra))
    return made


@pytest.mark.parametrize("choices, outcome", [
    (["approve", "approve", "approve"], Outcome.APPROVED),
    (["approve", "approve", "reject"], Outcome.APPROVED),
    (["approve", "reject", "abstain"], Outcome.DEFERRED),   # no majority of the valid votes either way
    (["approve", "approve", "abstain", "abstain"], Outcome.DEFERRED),
    (["reject", "reject", "approve"], Outcome.REJECTED),
    (["abstain", "abstain", "abstain"], Outcome.DEFERRED),
])
def test_simple_majority_of_valid_votes(choices, outcome):
    assert tally(votes(*choices), quorum=3).outcome is outcome


def test_no_outcome_without_quorum_and_a_conflicted_vote_does_not_count():
    result = tally(votes("approve", "approve") + votes("approve", counted=False), quorum=3)
    assert (result.valid, result.has_quorum, result.outcome) == (2, False, None)


def test_the_approved_amount_is_the_median_of_the_approving_amounts():
    result = tally(votes(("approve", "6000"), ("approve", "9000"), ("approve", "7000"), "reject"), quorum=3)
    assert result.outcome is Outcome.APPROVED and result.amount == D("7000.00")
    assert result.approving_amounts == (D("6000.00"), D("7000.00"), D("9000.00"))
    assert "median of the approving amounts 6,000.00, 7,000.00, 9,000.00 = 7,000.00 TJS" in domain.explain(
        result, "TJS")


def test_an_even_median_is_rounded_down_to_the_cent():
    assert median_amount([D("5000.01"), D("5000.02")]) == D("5000.01")
    assert median_amount([D("4000.00"), D("6000.00")]) == D("5000.00")


@given(st.lists(amounts, min_size=1, max_size=9))
def test_the_median_lies_between_the_smallest_and_the_largest_vote(values):
    middle = median_amount(values)
    assert min(values) <= middle <= max(values)
    assert middle == middle.quantize(D("0.01"))


@given(st.lists(st.sampled_from(["approve", "reject", "abstain"]), max_size=9), st.integers(1, 5))
def test_the_outcome_follows_the_counts(choices, quorum):
    result = tally(votes(*choices), quorum=quorum)
    assert result.approve + result.reject + result.abstain == result.valid == len(choices)
    if len(choices) < quorum:
        assert result.outcome is None
    elif 2 * result.approve > result.valid:
        assert result.outcome is Outcome.APPROVED and result.amount is not None
    elif 2 * result.reject > result.valid:
        assert result.outcome is Outcome.REJECTED and result.amount is None
    else:
        assert result.outcome is Outcome.DEFERRED


# --- rounds, lines, votes, tranches -------------------------------------------------------------


@pytest.mark.parametrize("changes, message", [
    ({"budget": "-5"}, "budget: -5 must be more than zero"),
    ({"budget": "0"}, "budget: 0 must be more than zero"),
    ({"budget": "20000.0001"}, "budget: 20000.0001 has more than two decimals"),
    ({"min_grant": "ten"}, "min_grant: 'ten' is not a number"),
    ({"min_grant": "12000"}, "min_grant 12,000.00 is above max_grant 10,000.00"),
    ({"max_grant": "25000", "min_grant": "100"}, "max_grant 25,000.00 is above the budget 20,000.00"),
    ({"closes_on": date(2026, 10, 1)}, "closes_on 2026-10-01 is before opens_on 2026-11-01"),
    ({"code": "r 2026"}, "round code 'R 2026' must be"),
    ({"currency": "somoni"}, "currency 'SOMONI' must be a three-letter code"),
    ({"quorum": 0}, "quorum: 0 must be at least 1"),
    ({"min_plan_score": "101"}, "min_plan_score: 101 is more than 100"),
    ({"title": " "}, "title is empty"),
])
def test_a_round_refuses_bad_settings_naming_the_field(changes, message):
    with pytest.raises(InvalidInput, match=message):
        round_(**changes)


def test_a_round_says_when_it_takes_applications():
    rnd = round_(status="open")
    assert rnd.closed_reason(date(2026, 11, 20)) is None
    assert rnd.closed_reason(date(2026, 10, 31)) == "round R2026 opens on 2026-11-01"
    assert rnd.closed_reason(date(2026, 12, 16)) == "round R2026 closed on 2026-12-15"
    assert round_().closed_reason(date(2026, 11, 20)) == "round R2026 is not open yet (it is a draft)"
    assert round_(status="closed").closed_reason(date(2026, 11, 20)) == "round R2026 is closed"
    assert rnd.requirements() == {"shortlisted_plan": False, "training_completed": False, "min_plan_score": None}


def test_a_line_total_is_rounded_to_the_cent_and_the_request_is_their_sum():
    lines = [BudgetLine("Fabric", "2.5", "10.01"), BudgetLine("Sewing machine", "1", "3500", "in_kind", "Textile")]
    assert lines[0].total == D("25.03")
    assert domain.requested_amount(lines) == D("3525.03")


@pytest.mark.parametrize("data, message", [
    ({"item": "Fabric", "quantity": "0", "unit_cost": "10"}, "quantity: 0 must be more than zero"),
    ({"item": "Fabric", "quantity": "1", "unit_cost": "-10"}, "unit_cost: -10 must be more than zero"),
    ({"item": "Fabric", "quantity": "1", "unit_cost": "10.0005"}, "unit_cost: 10.0005 has more than two decimals"),
    ({"item": "Fabric", "quantity": "x", "unit_cost": "10"}, "quantity: 'x' is not a number"),
    ({"item": "", "quantity": "1", "unit_cost": "10"}, "item is empty"),
    ({"item": "Fabric", "quantity": "1", "unit_cost": "10", "kind": "loan"}, "kind: 'loan' is not one of cash, in_kind"),
])
def test_a_bad_budget_line_is_refused_naming_the_field(data, message):
    with pytest.raises(InvalidInput, match=message):
        structure(data, BudgetLine, where="line 1")


@pytest.mark.parametrize("kwargs, message", [
    ({"choice": "approve"}, "amount: an approving vote says how much"),
    ({"choice": "reject", "note": "weak"}, "reason: a vote to reject gives a reason"),
    ({"choice": "reject", "reason": "weak_plan"}, "note: a vote to reject explains itself"),
    ({"choice": "abstain", "amount": "10"}, "only an approving vote has an amount"),
    ({"choice": "approve", "amount": "10", "reason": "other"}, "only a vote to reject has a reason"),
    ({"choice": "maybe"}, "choice: 'maybe' is not one of approve, reject, abstain"),
    ({"choice": "approve", "amount": "0"}, "amount: 0 must be more than zero"),
])
def test_a_vote_must_be_complete(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        Vote("R2026-001", "CM1", **kwargs)


def test_a_tranche_in_kind_names_items_supplier_and_receipt_and_converts_to_euro():
    with pytest.raises(InvalidInput, match="a tranche in kind needs supplier, receipt"):
        Tranche("R2026-001", 1, "4800", date(2026, 11, 23), "in_kind", items="2 sewing machines")
    tranche = Tranche("R2026-001", 1, "4800", date(2026, 11, 23), "bank_transfer", eur_rate="11.65")
    assert tranche.amount_eur == D("412.02")
    assert Tranche("R2026-001", 1, "100", date(2026, 11, 23), "cash", currency="EUR").amount_eur == D("100.00")
    with pytest.raises(InvalidInput, match="eur_rate: -1 must be more than zero"):
        Tranche("R2026-001", 1, "4800", date(2026, 11, 23), "cash", eur_rate="-1")


def test_the_women_share_is_of_the_grants_made():
    budget = domain.Budget("R2026", "TJS", D(100), D(50), D(0), D(50), D(0), D(50), 3, 2)
    assert budget.women_share == D("66.7")
    assert domain.Budget("R2026", "TJS", D(100), D(0), D(0), D(0), D(0), D(100), 0, 0).women_share is None


@pytest.mark.parametrize("listed, choice", [
    (cli.APPLICATION_STATUSES, domain.ApplicationStatus), (cli.ROUND_STATUSES, domain.RoundStatus),
    (cli.VOTE_CHOICES, domain.VoteChoice), (cli.REJECT_REASONS, domain.RejectReason),
    (cli.CONFLICT_KINDS, domain.ConflictKind), (cli.METHODS, domain.TrancheMethod),
])
def test_the_cli_offers_exactly_the_domain_choices(listed, choice):
    assert listed == choice.values()


def test_every_state_is_reached_and_final_states_stay_final():
    reached = {s for targets in domain.TRANSITIONS.values() for s in targets} | {domain.ApplicationStatus.DRAFT}
    assert reached == set(domain.ApplicationStatus)
    for final in ("ineligible", "rejected", "completed", "withdrawn", "cancelled"):
        assert domain.TRANSITIONS[domain.ApplicationStatus(final)] == frozenset()
