"""Mentoring without the other built-in plugins: it loads, its commands work, and a
follow-up schedule is started by hand. Its entry module stays light."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from reentry_core.cli import build_cli
from reentry_core.plugins import load_plugins
from reentry_core.services import open_programme
from tests.integration.mentoring_support import MovableClock
from tests.integration.test_startup import run as run_in_a_fresh_python

ALONE = {"microgrants", "business_plans"}


@pytest.fixture
def alone():
    pm = load_plugins(disabled=ALONE)
    assert pm.infos["mentoring"].state == "loaded" and pm.failures == []
    assert {pm.infos[name].state for name in ALONE} == {"disabled"}
    return pm


def test_mentoring_works_with_microgrants_and_business_plans_disabled(database_url, alone):
    clock = MovableClock(date(2026, 11, 23))
    with open_programme(database_url, plugins=alone, clock=clock) as prog:
        prog.bootstrap_admin("ADM", "Нигина Каримова")
        admin = prog.act_as("ADM")
        admin.centres.add("DSH", "Dushanbe centre", "Dushanbe")
        admin.staff.add("MN1", "Фарида Каримова", ["mentor"], "DSH")
        person = admin.participants.register(full_name="Мадина Сафарова", sex="female", birth_date="1990-02-01",
                                             centre="DSH", registered_on="2026-01-10")
        admin.participants.record_consent(person.code, given_on="2026-01-10")

    def cli(*args):
        result = CliRunner().invoke(build_cli(alone, clock=clock), ["--db", database_url, *args],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    cli("--as", "ADM", "mentoring", "profile", "MN1", "--sex", "female", "--capacity", "4", "--languages", "tg")
    cli("--as", "ADM", "mentoring", "assign", person.code, "--mentor", "MN1", "--on", "2026-06-01")
    assert "started on 2026-06-10" in cli("--as", "ADM", "mentoring", "schedule", person.code, "--from", "2026-06-10")
    logged = cli("--as", "MN1", "mentoring", "visit", person.code, "--on", "2026-07-12", "--mode", "on_site",
                 "--status", "operating", "--equipment-seen", "--risk", "police_harassment")
    assert "the 1-month visit, on time" in logged and "Opened referral 1 for police harassment" in logged
    due = json.loads(cli("--as", "MN1", "--format", "json", "mentoring", "due"))
    assert [(r["months"], r["state"]) for r in due] == [(3, "overdue"), (6, "upcoming"), (12, "upcoming")]
    outcomes = {r["key"]: r["value"] for r in json.loads(cli("--as", "ADM", "--format", "json", "mentoring",
                                                             "outcomes", "--no-suppress"))}
    assert outcomes["mentoring.visits_on_time"] == 1 and outcomes["mentoring.risk_referrals"] == 1
    assert "grants" not in build_cli(alone).commands


def test_the_mentoring_commands_start_without_sqlalchemy():
    result = run_in_a_fresh_python(["mentoring", "visit", "--help"])
    assert result["code"] == 0 and "--end-follow-up" in result["help"]
    assert result["loaded"] == []
