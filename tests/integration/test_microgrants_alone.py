"""microgrants with business_plans and mentoring disabled: nobody links a plan, a round that
requires a shortlisted plan says nobody can check it, and a tranche that needs a verified
visit goes out only with an admin's override."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reentry_core.errors import Conflict
from reentry_core.plugins import load_plugins
from tests.grants_support import OTHERS, ROUND, desk, fakes, line, programme, run_cli  # noqa: F401  (fixtures)


@pytest.fixture
def grants_pm(monkeypatch):
    """What ``REENTRY_DISABLE_PLUGINS=business_plans,mentoring`` loads."""
    monkeypatch.setenv("REENTRY_DISABLE_PLUGINS", ",".join(sorted(OTHERS)))
    pm = load_plugins()
    assert {pm.infos[name].state for name in OTHERS} == {"disabled"}
    assert pm.infos["microgrants"].state == "loaded" and pm.failures == []
    return pm


def test_no_plan_is_linked_and_a_required_plan_cannot_be_checked(desk):
    assert desk.apply(0).plan is None
    grants = desk.admin.grants
    grants.add_round("STRICT", "Plans required", require_shortlisted_plan=True, **ROUND)
    grants.add_committee_members("STRICT", ["CM1", "CM2", "CM3"])
    grants.open_round("STRICT")
    app = desk.apply(1, round_code="STRICT")
    assert app.status.value == "ineligible"
    assert app.eligibility_problems == (
        "the requirement 'shortlisted_plan' cannot be checked: no loaded plugin checks it",)


def test_a_verified_tranche_needs_an_admin_override(desk, run_cli):
    code = desk.approved(0, "8000")
    assert desk.grants("FO1").disburse(code).amount == Decimal("4800.00")
    desk.grants("FO2").confirm_tranche(code, 1)
    with pytest.raises(Conflict, match="needs a verified visit on or after .*; no loaded plugin can verify visits"):
        desk.grants("FO1").disburse(code)
    result = run_cli("--as", "ADM", "grants", "override", code, "--reason", "no mentoring in this programme")
    assert result.exit_code == 0, result.output
    second = desk.grants("FO1").disburse(code)
    assert second.verification.override_reason == "no mentoring in this programme"
    desk.grants("FO2").confirm_tranche(code, 2)
    assert desk.admin.grants.get(code).status.value == "completed"


def test_the_cli_lists_the_plugins_and_runs_grants(desk, run_cli):
    listing = run_cli("--format", "json", "plugins", "list")
    states = {row["name"]: row["state"] for row in json.loads(listing.stdout)}
    assert states["microgrants"] == "loaded" and states["business_plans"] == states["mentoring"] == "disabled"
    result = run_cli("--as", "CW1", "grants", "apply", "R2026", desk.people[0], "--line", line(5000), "--submit")
    assert result.exit_code == 0 and "under review" in result.stdout, result.output
