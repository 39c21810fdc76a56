"""The demo's round in euros (issue 18): the EU's own round, EU2026Q2, held in EUR; each
of its tranches records the month's somoni rate, and the programme report's TJS money
counts it converted at that rate, saying so. The expected figures are worked out here from
the tranches table itself, not from the plugin's queries."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

CODE = "EU2026Q2"
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from reentry_core import open_programme
    from reentry_core.demo import run

    url = f"sqlite:///{tmp_path_factory.mktemp('eur') / 'demo.db'}"
    with open_programme(url) as programme:
        run(programme, "small", seed=2)  # seed 2: five grantees in the EU's round, enough to be shown alone
    return url


def _tranches(programme, round_code: str | None = None) -> list:
    """Every confirmed tranche: (round, currency, amount, tjs_rate, method, released_on)."""
    from reentry_microgrants import tables as t

    query = (sa.select(t.grant_round.c.code, t.grant_round.c.currency, t.tranche.c.amount, t.tranche.c.tjs_rate,
                       t.tranche.c.method, t.tranche.c.released_on)
             .select_from(t.tranche.join(t.application).join(t.grant_round))
             .where(t.tranche.c.status == "confirmed"))
    if round_code:
        query = query.where(t.grant_round.c.code == round_code)
    with programme.reading() as conn:
        return conn.execute(query).all()


def _in_tjs(rows) -> Decimal:
    """What the rows come to in somoni: a TJS round's amount as it is, another's at its rate."""
    return sum((r.amount if r.currency == "TJS" else (r.amount * r.tjs_rate).quantize(CENT, ROUND_HALF_UP)
                for r in rows), Decimal(0))


def _total(report, key):
    row = next(r for r in report.rows() if r.key == key and r.category is None)
    return row.cells[()]


def test_the_eu_round_is_in_euros_and_its_tranches_carry_the_months_rate(demo):
    from reentry_core import open_programme

    with open_programme(demo) as programme:
        rounds = {r.code: r for r in programme.act_as("ADM").grants.rounds()}
        eu = rounds[CODE]
        assert eu.currency == "EUR" and list(eu.donors) == ["EU"]
        assert eu.budget < Decimal(10_000) and eu.max_grant == Decimal(835)
        assert all(r.currency == "TJS" for code, r in rounds.items() if code != CODE)
        paid = _tranches(programme, CODE)
        assert len(paid) >= 5 and all(isinstance(r.amount, Decimal) for r in paid)
        assert all(r.tjs_rate is not None and Decimal("11.5") <= r.tjs_rate <= Decimal("12.5") for r in paid)
        by_month = {(r.released_on.year, r.released_on.month): r.tjs_rate for r in paid}
        assert len(set(by_month.values())) > 1, "the rate moves from month to month"
        assert all(by_month[(r.released_on.year, r.released_on.month)] == r.tjs_rate for r in paid), \
            "one rate a month"
        # a TJS round's tranches keep no somoni rate (their amount is somoni)
        assert all(r.tjs_rate is None for r in _tranches(programme) if r.currency == "TJS")


def test_the_programme_reports_tjs_money_counts_the_eu_round_converted(demo):
    from reentry_core import open_programme

    with open_programme(demo) as programme:
        report = programme.act_as("ME1").reports.programme()
        everything = _tranches(programme)
        assert any(r.code == CODE for r in everything), "the EU's round paid out"
        expected = _in_tjs(everything)
        assert _total(report, "grants.amount_disbursed").value == expected
        assert expected > _in_tjs([r for r in everything if r.currency == "TJS"])
        in_kind = _in_tjs([r for r in everything if r.method == "in_kind"])
        assert _total(report, "grants.amount_in_kind").value == in_kind
        # money paid out by month: the EU's round is a column, in TJS, and the note says how
        paid = next(a for a in report.analyses if a.key == "grants.paid_by_month")
        assert CODE in paid.columns and "somoni rate recorded on each tranche" in paid.note
        budget = paid.rows[0]
        assert budget[paid.columns.index(CODE)].value is None, "a budget in euros is not added to somoni"
        rounds = {r.code: r for r in programme.act_as("ADM").grants.rounds()}
        assert budget[-1].value == sum(rounds[c].budget for c in paid.columns[1:-1] if c != CODE)
        # commitments are counted for TJS rounds only: the EU's round is no column of them
        committed = next(a for a in report.analyses if a.key == "grants.committed_by_month")
        assert CODE not in committed.columns


def test_a_report_for_the_eu_round_alone(demo):
    from reentry_core import open_programme

    with open_programme(demo) as programme:
        me = programme.act_as("ME1")
        mine = me.reports.programme(round=CODE.lower())
        assert mine.period.round == CODE
        (label, note), = mine.notes
        assert f"round {CODE}" in note and "rounds in EUR at the somoni rate recorded on each tranche" in note
        assert _total(mine, "grants.amount_disbursed").value == _in_tjs(_tranches(programme, CODE))
        paid = next(a for a in mine.analyses if a.key == "grants.paid_by_month")
        assert paid.columns[1:-1] == [CODE]
        # the donors: the EU funds it (and the TJS rounds with BMZ), BMZ does not
        assert CODE in me.reports.programme(donor="EU").notes[0][1]
        bmz = me.reports.programme(donor="BMZ").notes[0][1]
        assert CODE not in bmz and "All these rounds are in TJS" in bmz


def test_the_cli_report_says_the_eu_round_is_converted(demo):
    from click.testing import CliRunner

    from reentry_core.cli import build_cli

    result = CliRunner().invoke(build_cli(), ["--db", demo, "--as", "ME1", "--format", "json", "report",
                                              "programme", "--round", CODE])
    assert result.exit_code == 0, result.output
    assert "somoni rate recorded on each tranche" in json.loads(result.stdout)["notes"]["Grants"]
    result = CliRunner().invoke(build_cli(), ["--db", demo, "--as", "ME1", "report", "programme"])
    assert result.exit_code == 0, result.output
    assert CODE in result.output and "a round in another currency at the somoni rate" in result.output
