"""A report for one donor's or one grant round's grants: only the people granted under
them and only their money, with a note saying so (``--donor``, ``--round``)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from reentry_core.errors import NotFound


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from reentry_core import open_programme
    from reentry_core.demo import run

    url = f"sqlite:///{tmp_path_factory.mktemp('filters') / 'demo.db'}"
    with open_programme(url) as programme:
        run(programme, "small", seed=2)
    return url


def _total(report, key):
    row = next(r for r in report.rows() if r.key == key and r.category is None)
    return row.cells[()]


def test_a_round_keeps_only_its_grantees_and_its_money(demo):
    from reentry_core import open_programme

    with open_programme(demo) as programme:
        me = programme.act_as("ME1")
        with programme.reading() as conn:
            code = "R2026Q1"
            grantees = conn.execute(sa.text(
                "SELECT COUNT(DISTINCT a.participant_id) FROM mg_application a JOIN mg_round r ON r.id = a.round_id "
                "WHERE r.code = :c AND a.approved_on IS NOT NULL"), {"c": code}).scalar()
            paid = conn.execute(sa.text(
                "SELECT SUM(t.amount) FROM mg_tranche t JOIN mg_application a ON a.id = t.application_id "
                "JOIN mg_round r ON r.id = a.round_id WHERE r.code = :c AND t.status = 'confirmed'"),
                {"c": code}).scalar()
        everyone = me.reports.programme()
        mine = me.reports.programme(round="r2026q1")
        assert grantees >= 5
        assert _total(mine, "participants.registered").value == grantees
        assert _total(everyone, "participants.registered").value > grantees
        # money: that round's confirmed tranches only (Money is stored in minor units)
        assert _total(mine, "grants.amount_disbursed").value == Decimal(paid) / 100
        assert _total(mine, "grants.amount_disbursed").value < _total(everyone, "grants.amount_disbursed").value
        assert mine.period.round == "R2026Q1"
        (label, note), = mine.notes
        assert label == "Grants" and "round R2026Q1" in note and "exchange rate recorded" in note
        # the round's own analyses: only its money by month
        paid_by_month = next(a for a in mine.analyses if a.key == "grants.paid_by_month")
        assert paid_by_month.columns[1:-1] == ["R2026Q1"]


def test_a_donor_keeps_the_rounds_it_funds(demo):
    from reentry_core import open_programme

    with open_programme(demo) as programme:
        me = programme.act_as("ME1")
        eu = me.reports.programme(donor="eu")
        assert eu.period.donor == "EU" and "funded by EU" in eu.notes[0][1]
        with pytest.raises(NotFound, match="no grant round is funded by UN; donors: BMZ, EU"):
            me.reports.programme(donor="UN")
        with pytest.raises(NotFound, match="no grant round R2099Q1"):
            me.reports.programme(round="R2099Q1")


def test_the_cli_says_what_was_included(demo, tmp_path):
    from click.testing import CliRunner

    from reentry_core.cli import build_cli

    runner = CliRunner()
    result = runner.invoke(build_cli(), ["--db", demo, "--as", "ME1", "--format", "json", "report", "programme",
                                         "--donor", "EU", "--round", "R2026Q1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "round R2026Q1 (funded by EU)" in data["notes"]["Grants"]
    out = tmp_path / "eu.html"
    result = runner.invoke(build_cli(), ["--db", demo, "--as", "ME1", "report", "programme", "--donor", "EU",
                                         "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "the rounds funded by EU" in out.read_text(encoding="utf-8")


def test_the_reports_for_one_donor_are_audited_too(demo):
    from reentry_core import open_programme

    with open_programme(demo) as programme:
        audit = programme.act_as("ME1").reports.audit(round="R2026Q1")
        assert audit.findings and not audit.exposed
