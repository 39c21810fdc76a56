"""Two desks deciding at once never overcommit a round's budget, and two finance officers
paying at once never pay beyond a grant: each action locks its round first (FOR UPDATE on
PostgreSQL, BEGIN IMMEDIATE on SQLite). A listener that lingers inside the transaction
keeps the window between the budget check and the commit wide open."""

from __future__ import annotations

import multiprocessing
import time
from decimal import Decimal

from reentry_core import hookimpl
from reentry_core.testing import TODAY
from tests.grants_support import OTHERS, ROUND, desk, fakes, grants_pm, programme, run_cli  # noqa: F401  (fixtures)

PAUSE = 0.8


class Lingering:
    """Sleeps inside the deciding or paying transaction, after the budget was checked."""

    @hookimpl(optionalhook=True)
    def grant_approved(self, tx, application):
        time.sleep(PAUSE)

    @hookimpl(optionalhook=True)
    def tranche_released(self, tx, application, tranche):
        time.sleep(PAUSE)


def _act(url: str, who: str, action: str, code: str, barrier) -> tuple[str, str]:
    from reentry_core import open_programme
    from reentry_core.errors import ReentryError
    from reentry_core.plugins import load_plugins
    from reentry_core.services import FixedClock

    programme = open_programme(url, plugins=load_plugins(disabled=OTHERS, extra=[("lingering", Lingering())]),
                               clock=FixedClock(TODAY))
    grants = programme.act_as(who).grants
    barrier.wait(timeout=60)
    try:
        if action == "decide":
            result = str(grants.decide(code).amount)
        else:
            result = str(grants.disburse(code, amount="5000").amount)
        return "done", result
    except ReentryError as exc:
        return "refused", exc.message
    finally:
        programme.close()


def race(url: str, jobs: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(len(jobs))
        with context.Pool(len(jobs)) as pool:
            return pool.starmap(_act, [(url, *job, barrier) for job in jobs])


def test_two_decisions_that_together_exceed_the_budget_exactly_one_succeeds(database_url, desk):
    desk.approved(0, "5000")  # 15,000 left
    codes = []
    for person in (1, 2):
        app = desk.apply(person, "8000")
        desk.votes(app.code, "approve", "approve", "approve")
        codes.append(app.code)
    results = race(database_url, [("CM1", "decide", codes[0]), ("CM2", "decide", codes[1])])
    assert sorted(r[0] for r in results) == ["done", "refused"], results
    [refusal] = [message for outcome, message in results if outcome == "refused"]
    assert refusal.endswith("would commit more than round R2026 has left: budget 20,000.00, committed 13,000.00, "
                            "remaining 7,000.00 TJS"), refusal
    budget = desk.admin.grants.budget("R2026")
    assert (budget.committed, budget.remaining, budget.grants) == (Decimal("13000.00"), Decimal("7000.00"), 2)
    assert sorted(a.status.value for a in desk.admin.grants.applications()) == ["approved", "approved", "under_review"]
    assert desk.admin.audit.verify().ok


def test_two_tranches_that_together_exceed_the_grant_exactly_one_is_recorded(database_url, desk):
    # no four eyes: the race is on the grant's limit, not on a pending tranche
    desk.admin.grants.add_round("ONE", "One tranche", **{**ROUND, "tranche_plan": "100"}, four_eyes=False)
    desk.admin.grants.add_committee_members("ONE", ["CM1", "CM2", "CM3"])
    desk.admin.grants.open_round("ONE")
    app = desk.apply(0, "8000", round_code="ONE")
    desk.votes(app.code, "approve", "approve", "approve")
    desk.grants("CM1").decide(app.code)
    results = race(database_url, [("FO1", "disburse", app.code), ("FO2", "disburse", app.code)])
    assert sorted(r[0] for r in results) == ["done", "refused"], results
    [refusal] = [message for outcome, message in results if outcome == "refused"]
    assert "a tranche of 5,000.00 would bring ONE-001 to 10,000.00, beyond the 8,000.00 TJS granted" in refusal
    assert desk.admin.grants.get(app.code).disbursed == Decimal("5000.00")
