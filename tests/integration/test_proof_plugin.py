"""The fourth plugin (tests/proof_plugin: savings groups), written only against the public
API: its table and migration branch, command group, permission, indicators and its answer
to grant_approved all work with no change to the core or the built-in plugins.

Runs when the plugin is installed (``.ci/run`` runs the whole suite a second time with
``pip install -e tests/proof_plugin``); skipped otherwise.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

pytest.importorskip("reentry_savings_groups", reason="the proof plugin is not installed (pip install -e tests/proof_plugin)")

from reentry_core.errors import Conflict, InvalidInput, PermissionDenied  # noqa: E402
from reentry_core.plugins import load_plugins  # noqa: E402
from reentry_core.storage import schema  # noqa: E402


@pytest.fixture
def member(admin, case_worker):
    person = admin.participants.register(full_name="Зарина Ашурова", sex="female", birth_date="1991-07-04",
                                         centre="DSH")
    case_worker.savings.add_group("SG-DSH-1", "DSH", "Tailors of Sino", "2026-10-01")
    case_worker.savings.join("SG-DSH-1", person.code, "2026-10-05")
    return person


def test_it_loads_through_its_entry_point_with_its_hooks():
    info = load_plugins().infos["savings_groups"]
    assert info.state == "loaded" and info.module == "reentry_savings_groups.plugin"
    assert {"register_commands", "register_tables", "register_migrations", "register_permissions",
            "register_services", "register_indicators", "grant_approved"} <= set(info.hooks)


def test_its_branch_is_migrated_with_the_rest(programme):
    assert schema.schema_differences(programme.engine, programme.pm) == []
    assert ("savings_groups", "sg0001") in [(b.label, b.current) for b in programme.schema_status().branches]


def test_a_case_worker_runs_a_savings_group_from_the_cli(run_cli, member):
    assert run_cli("--as", "CW1", "savings", "deposit", "SG-DSH-1", member.code, "150").output == \
        f"Deposited 150.00 TJS for {member.code}.\n"
    assert run_cli("--as", "CW1", "savings", "deposit", "SG-DSH-1", member.code, "99,50", "--on",
                   "2026-11-01").exit_code == 0
    result = run_cli("--as", "CW1", "--format", "json", "savings", "balance", "SG-DSH-1")
    import json

    assert json.loads(result.stdout) == [{"participant": member.code, "full_name": "Зарина Ашурова",
                                          "joined_on": "2026-10-05", "saved": "249.50"}]
    bad = run_cli("--as", "CW1", "savings", "deposit", "SG-DSH-1", member.code, "12.3456")
    assert bad.exit_code == 1 and "Error: 12.3456 has more than two decimals" in bad.output


def test_its_rules_and_permission_hold_in_the_python_api(staff_as, case_worker, member):
    with pytest.raises(Conflict, match="already a member"):
        case_worker.savings.join("SG-DSH-1", member.code)
    with pytest.raises(InvalidInput, match="between joining"):
        case_worker.savings.deposit("SG-DSH-1", member.code, "10", "2026-09-30")
    with pytest.raises(PermissionDenied, match="run savings groups"):
        staff_as("trainer").savings.deposit("SG-DSH-1", member.code, "10")
    assert case_worker.savings.balance("SG-DSH-1")[0].saved == Decimal("0")


def test_its_indicators_are_in_the_programme_report(staff_as, admin, case_worker, member):
    case_worker.savings.deposit("SG-DSH-1", member.code, "250")
    def saved(ctx, **options):
        report = ctx.reports.programme(by="sex", **options)
        section = next(s for s in report.sections if s.plugin == "savings_groups")
        return next(r for r in section.rows if r.key == "savings.saved")

    # An admin reading without protection sees the plugin's figure ...
    shown = saved(admin, suppress=False)
    assert shown.cells[(None,)].value == Decimal("250.00")
    assert shown.cells[("female",)].value == Decimal("250.00")
    # ... and the M&E officer's protected report hides money saved by one person.
    hidden = saved(staff_as("me_officer", code="ME1"))
    assert hidden.cells[(None,)].hidden and hidden.cells[("female",)].hidden


@attrs.frozen
class Application:
    """What microgrants' grant_approved carries (docs/plugins.md)."""

    code: str
    participant: str
    round: str
    amount_approved: Decimal
    currency: str
    decided_on: date
    plan: str | None = None
    sector: str | None = None


def test_a_grantee_joins_the_savings_group_of_their_centre(programme, admin, case_worker, member):
    if not hasattr(programme.pm.hook, "grant_approved"):
        pytest.skip("microgrants (which owns grant_approved) is not loaded")
    grantee = admin.participants.register(full_name="Ҷамшед Раҳимов", sex="male", birth_date="1985-03-12",
                                          centre="DSH")
    with admin.transaction() as tx:
        tx.emit("grant_approved", application=Application("G-1", grantee.code, "R1", Decimal("5000"), "TJS",
                                                          date(2026, 11, 23)))
    assert [b.participant for b in case_worker.savings.balance("SG-DSH-1")] == sorted([member.code, grantee.code])
    assert admin.audit.log(key=grantee.code, action="savings.join")
