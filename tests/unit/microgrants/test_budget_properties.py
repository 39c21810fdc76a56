"""Property: whatever the committee, finance and the admin do, and in whatever order — decide,
vote again, pay tranches, cancel, reduce — a round's money adds up:

* committed + remaining = budget, and approved − returned = committed;
* 0 ≤ disbursed ≤ committed, and no grant pays out more than it commits;
* disbursed counts confirmed tranches only (a second finance officer confirms what one
  records; a reversed tranche counts no more), pending ones are counted apart;
* remaining is never negative (the budget is never overcommitted).

Each example runs on its own copy of a SQLite database holding a round with six
applications under review that together ask for twice its budget.
"""

from __future__ import annotations

import shutil
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from reentry_core import hookimpl, open_programme
from reentry_core.errors import Conflict, InvalidInput
from reentry_core.plugins import load_plugins
from reentry_core.services import FixedClock
from reentry_core.testing import TODAY
from tests.grants_support import COMMITTEE, OTHERS, PEOPLE, ROUND, Evidence, line

REQUESTS = ["3000", "4500", "6000", "7500", "9000", "10000"]  # 40,000 asked of a 20,000 budget
CENT = Decimal("0.01")


class AlwaysVerified:
    """A mentor has always just been: every verification is answered."""

    @hookimpl(optionalhook=True)
    def tranche_verification(self, tx, application, tranche, since):
        return Evidence("visit", since, "MN1", "operating")


def plugins():
    return load_plugins(disabled=OTHERS, extra=[("verified", AlwaysVerified())])


@pytest.fixture(scope="module")
def scene(sqlite_template, tmp_path_factory):
    """A database with the round R2026 (plan 50,50:verified) and six applications under review."""
    path = tmp_path_factory.mktemp("grants") / "scene.db"
    shutil.copy(sqlite_template, path)
    with open_programme(f"sqlite:///{path}", plugins=plugins(), clock=FixedClock(TODAY)) as prog:
        prog.bootstrap_admin("ADM", "Нигина Каримова")
        admin = prog.act_as("ADM")
        admin.centres.add("DSH", "Dushanbe centre", "Dushanbe")
        for code in COMMITTEE:
            admin.staff.add(code, "Аҳмад Саидов", ["committee_member"])
        admin.staff.add("FO1", "Гулнора Раҷабова", ["finance_officer"])
        admin.staff.add("FO2", "Бахтиёр Олимов", ["finance_officer"])
        admin.grants.add_round("R2026", "Start-up grants", **{**ROUND, "min_grant": "1000",
                                                              "tranche_plan": "50,50:verified"})
        admin.grants.add_committee_members("R2026", COMMITTEE)
        admin.grants.open_round("R2026")
        for (name, sex, born), amount in zip(PEOPLE + [("Саида Раҳимова", "female", "1995-02-02")], REQUESTS):
            person = admin.participants.register(full_name=name, sex=sex, birth_date=born, centre="DSH")
            admin.participants.record_consent(person.code)
            app = admin.grants.apply("R2026", person.code, [line(amount)], submit=True)
            for member in COMMITTEE[:3]:
                prog.act_as(member).grants.vote(app.code, "approve")
    return path


def fraction_of(amount: Decimal, share: Decimal) -> Decimal:
    return (amount * share).quantize(CENT, ROUND_DOWN)


shares = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1"), places=2)
apps = st.integers(0, len(REQUESTS) - 1)


def test_the_budget_identity_holds_after_any_sequence_of_actions(scene, tmp_path):
    copies = iter(range(10_000))

    class Round(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            path = tmp_path / f"example-{next(copies)}.db"
            shutil.copy(scene, path)
            self.programme = open_programme(f"sqlite:///{path}", plugins=plugins(), clock=FixedClock(TODAY))
            self.codes = [f"R2026-{n:03d}" for n in range(1, len(REQUESTS) + 1)]
            self.actions = 0

        def grants(self, who: str):
            return self.programme.act_as(who).grants

        def attempt(self, action, *args, **kwargs):
            try:
                action(*args, **kwargs)
                self.actions += 1
            except (Conflict, InvalidInput):
                pass  # refused: nothing may have changed, which the invariants check

        @rule(i=apps, member=st.sampled_from(COMMITTEE[:3]), share=shares)
        def vote_again(self, i, member, share):
            requested = Decimal(REQUESTS[i])
            amount = max(Decimal("1000"), fraction_of(requested, share))
            self.attempt(self.grants(member).vote, self.codes[i], "approve", amount=amount, change=True)

        @rule(i=apps)
        def decide(self, i):
            self.attempt(self.grants("CM1").decide, self.codes[i])

        @rule(i=apps, share=shares)
        def pay(self, i, share):
            app = self.grants("ADM").get(self.codes[i])
            if app.amount_granted is not None:
                amount = max(CENT, fraction_of(app.undisbursed, share))
                self.attempt(self.grants("FO1").disburse, self.codes[i], amount=amount)

        @rule(i=apps)
        def pay_the_planned_part(self, i):
            self.attempt(self.grants("FO1").disburse, self.codes[i])

        @rule(i=apps)
        def confirm(self, i):
            for tranche in self.grants("ADM").tranches(self.codes[i]):
                if tranche.status.value == "pending":
                    self.attempt(self.grants("FO2").confirm_tranche, self.codes[i], tranche.number)

        @rule(i=apps)
        def reverse_the_last(self, i):
            found = [t for t in self.grants("ADM").tranches(self.codes[i]) if t.status.value != "reversed"]
            if found:
                self.attempt(self.grants("FO2").reverse_tranche, self.codes[i], found[-1].number, "wrong amount")

        @rule(i=apps, share=shares)
        def reduce(self, i, share):
            app = self.grants("ADM").get(self.codes[i])
            if app.amount_granted is not None:
                to = max(CENT, app.disbursed + fraction_of(app.undisbursed, share))
                self.attempt(self.grants("ADM").reduce, self.codes[i], to, "lower price")

        @precondition(lambda self: self.actions > 2)
        @rule(i=apps)
        def cancel(self, i):
            self.attempt(self.grants("ADM").cancel, self.codes[i], "moved away")

        @invariant()
        def money_adds_up(self):
            grants = self.grants("ADM")
            budget = grants.budget("R2026")
            assert budget.committed + budget.remaining == budget.budget == Decimal("20000.00")
            assert budget.approved - budget.returned == budget.committed
            assert Decimal(0) <= budget.disbursed <= budget.committed
            assert budget.remaining >= 0
            applications = grants.applications(round="R2026")
            assert sum((a.amount_granted or Decimal(0)) for a in applications) == budget.committed
            assert sum(a.confirmed for a in applications) == budget.disbursed
            assert sum(a.pending for a in applications) == budget.pending
            for app in applications:
                assert app.disbursed <= (app.amount_granted or Decimal(0)), app.code
                assert Decimal(0) <= app.confirmed <= app.disbursed, app.code
                if app.status.value == "completed":
                    assert app.confirmed == app.disbursed == app.amount_granted

        def teardown(self):
            self.programme.close()

    run_state_machine_as_test(Round, settings=settings(max_examples=40, stateful_step_count=30, deadline=None,
                                                       suppress_health_check=[HealthCheck.too_slow]))
