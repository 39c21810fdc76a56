"""The indicators microgrants contributes, computed and disaggregated by the core."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from reentry_core.reporting import Period, compute
from reentry_core.testing import TODAY
from tests.grants_support import desk, fakes, grants_pm, programme, run_cli  # noqa: F401  (fixtures)

D = Decimal


@pytest.fixture
def figures(desk, programme):
    """Zarina approved 8,000 (4,800 paid in kind at 12 TJS/EUR); Jamshed approved 6,000 (3,600
    paid in cash, then cancelled), both tranches confirmed by a second finance officer; Madina
    rejected; Firdavs deferred; Firuza's application a draft."""
    zarina = desk.approved(0, "8000")
    desk.grants("FO1").disburse(zarina, method="in_kind", items="2 sewing machines", supplier="Textile LLC",
                                receipt="0457", eur_rate="12")
    jamshed = desk.approved(1, "6000")
    desk.grants("FO1").disburse(jamshed)
    for code in (zarina, jamshed):  # a second finance officer confirms: only confirmed money counts
        desk.grants("FO2").confirm_tranche(code, 1)
    desk.admin.grants.cancel(jamshed, "moved away")
    madina = desk.apply(2).code
    desk.votes(madina, "reject", "reject", "reject")
    desk.grants("CM1").decide(madina)
    firdavs = desk.apply(3).code
    desk.votes(firdavs, "approve", "reject", "abstain")
    desk.grants("CM1").decide(firdavs)
    desk.apply(4, submit=False)

    def get(key, by=(), period=Period()):
        with programme.engine.connect() as conn:
            return {group: f.value for group, f in
                    compute(conn, programme.indicators, key, period, by=by, today=TODAY).items()}

    return get


def test_applications_approvals_and_the_approval_rate(figures):
    assert figures("grants.applications") == {(): 4}
    assert figures("grants.applications", by=("sex",)) == {("female",): 2, ("male",): 2}
    assert figures("grants.approvals", by=("sex",)) == {("female",): 1, ("male",): 1}
    assert figures("grants.decided", by=("sex",)) == {("female",): 2, ("male",): 1}
    assert figures("grants.approval_rate") == {(): D(2) / D(3)}
    assert figures("grants.approval_rate", by=("sex",)) == {("female",): D("0.5"), ("male",): D(1)}
    assert figures("grants.approvals", by=("age_band", "centre")) == {("35-44", "DSH"): 2}


def test_amounts_approved_and_disbursed_in_tjs_and_eur(figures):
    assert figures("grants.amount_approved", by=("sex",)) == {("female",): D("8000.00"), ("male",): D("6000.00")}
    assert figures("grants.amount_disbursed") == {(): D("8400.00")}
    assert figures("grants.amount_disbursed_eur") == {(): D("400.00")}
    assert figures("grants.amount_in_kind") == {(): D("4800.00")}
    assert figures("grants.in_kind_share") == {(): D("4800.00") / D("8400.00")}


def test_budget_use_is_a_programme_figure(figures):
    assert figures("grants.budget") == {(): D("20000.00")}
    assert figures("grants.budget_committed") == {(): D("11600.00")}
    assert figures("grants.budget_use") == {(): D("0.58")}
    assert figures("grants.budget_use", by=("sex",)) == {}


def test_the_period_selects_by_date(figures):
    later = Period(TODAY + timedelta(days=1), None)
    for key in ("grants.applications", "grants.approvals", "grants.amount_disbursed", "grants.budget"):
        assert figures(key, period=later) == {}, key
    assert figures("grants.approvals", period=Period(TODAY, TODAY)) == {(): 2}


def test_every_indicator_is_documented(programme):
    ours = [i for i in programme.indicators if i.key.startswith("grants.")]
    assert {i.plugin for i in ours} == {"microgrants"}
    assert len(ours) == 13 and all(i.label and i.definition for i in ours)
    assert [i.key for i in ours if i.funnel_stage] == ["grants.approvals", "grants.first_tranche"]


def test_first_tranches_count_people_once(programme):
    """The funnel's 'first tranche' stage: one row per grantee whose first tranche was released."""
    indicator = programme.indicators.get("grants.first_tranche")
    assert (indicator.aggregate, indicator.funnel_stage) == ("people", 50)



def test_only_confirmed_tranches_count(desk, programme):
    """A tranche waiting for its second person, or reversed, is not money disbursed."""
    code = desk.approved(0, "8000")
    other = desk.approved(1, "5000")
    desk.grants("FO1").disburse(code)
    desk.grants("FO1").disburse(other)

    def figure(key):
        with programme.engine.connect() as conn:
            return {group: f.value for group, f in
                    compute(conn, programme.indicators, key, Period(), today=TODAY).items()}

    assert figure("grants.amount_disbursed") in ({}, {(): D("0.00")}, {(): 0})
    assert figure("grants.first_tranche") in ({}, {(): 0})
    desk.grants("FO2").confirm_tranche(code, 1)
    desk.grants("FO2").reverse_tranche(other, 1, "paid to the wrong account")
    assert figure("grants.amount_disbursed") == {(): D("4800.00")}
    assert figure("grants.first_tranche") == {(): 1}


def test_a_round_in_euros_counts_in_the_tjs_totals_at_each_tranches_rate(desk, programme):
    """A round in EUR: a tranche recorded with its somoni rate counts in the money paid out
    in TJS at that rate; one recorded without is left out (never mixed in as somoni)."""
    from tests.grants_support import COMMITTEE, ROUND

    desk.admin.grants.add_round("R2026EU", "EU top-up", **{**ROUND, "currency": "EUR", "budget": "2000",
                                                          "min_grant": "300", "max_grant": "1000"})
    desk.admin.grants.add_committee_members("R2026EU", COMMITTEE)
    desk.admin.grants.open_round("R2026EU")
    paid_in_tjs = desk.approved(0, "8000")
    desk.grants("FO1").disburse(paid_in_tjs, amount="1000")
    euros = []
    for person in (1, 2):
        app = desk.apply(person, "800", round_code="R2026EU")
        desk.votes(app.code, "approve", "approve", "approve")
        desk.grants("CM1").decide(app.code)
        euros.append(app.code)
    tranche = desk.grants("FO1").disburse(euros[0], amount="400", tjs_rate="11.9", eur_rate="1")
    assert (tranche.amount_tjs, tranche.amount_eur) == (D("4760.00"), D("400"))
    desk.grants("FO1").disburse(euros[1], amount="300")  # no somoni rate recorded
    for code in (paid_in_tjs, *euros):
        desk.grants("FO2").confirm_tranche(code, 1)
    with programme.engine.connect() as conn:
        paid = compute(conn, programme.indicators, "grants.amount_disbursed", Period(), today=TODAY)
    assert paid[()].value == D("1000.00") + D("4760.00")
    with pytest.raises(Exception, match="tjs_rate is for a round in another currency"):
        desk.grants("FO1").disburse(paid_in_tjs, amount="100", tjs_rate="1")
    # the audit trail holds the rate, and audit verify finds the table as the trail says
    result = desk.admin.audit.verify()
    assert result.ok, result.problems


def test_audit_verify_sees_a_tampered_somoni_rate(desk, programme):
    """``tjs_rate`` is compared with the trail like every tranche field (``amount_tjs`` is
    worked out from it and the amount, like ``amount_eur``, and not compared)."""
    import sqlalchemy as sa

    from reentry_microgrants import tables as t
    from tests.grants_support import COMMITTEE, ROUND

    desk.admin.grants.add_round("R2026EU", "EU top-up", **{**ROUND, "currency": "EUR", "budget": "2000",
                                                          "min_grant": "300", "max_grant": "1000"})
    desk.admin.grants.add_committee_members("R2026EU", COMMITTEE)
    desk.admin.grants.open_round("R2026EU")
    app = desk.apply(1, "800", round_code="R2026EU")
    desk.votes(app.code, "approve", "approve", "approve")
    desk.grants("CM1").decide(app.code)
    desk.grants("FO1").disburse(app.code, amount="400", tjs_rate="11.9")
    assert desk.admin.audit.verify().ok
    with programme.engine.begin() as conn:
        conn.execute(sa.update(t.tranche).values(tjs_rate="13.5"))
    result = desk.admin.audit.verify()
    assert not result.ok and any("tjs_rate" in problem for problem in result.problems), result.problems
