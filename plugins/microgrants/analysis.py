"""Microgrants' analyses for the programme report: each round's money committed and paid
out, by month (the chart "each round's budget committed and paid out" draws them).

Committed: the amount a grant commits now (approved less reductions), in the month the
committee approved it, for rounds in TJS. Paid out: confirmed tranches, in the month they
were released, in TJS (a round in another currency at the somoni rate recorded on each
tranche), as the indicators count them; such a round's budget, not in TJS, is left out of
the budget line. Both within the report's period, programme-wide (by round and month, not
by centre). The core protects each table as amounts (the people behind every cell, margins
included); the chart draws only what the tables publish.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from reentry_core.sdk import _, Analysis, AnalysisTable, ChartHint, count_grid, ReportCell

from . import tables as mt
from .indicators import CONFIRMED, IN_TJS, TJS, TJS_KNOWN
from .scope import funded

COMMITTED, PAID = "grants.committed_by_month", "grants.paid_by_month"


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(days: list[date]) -> list[str]:
    first, last = min(days), max(days)
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _table(key: str, title: str, short: str, note: str, found, rounds: list[str],
           budgets: dict[str, Decimal | None], series: str) -> AnalysisTable:
    """Money by round × month, programme-wide: a round's money is the programme's, and a
    table by centre as well would cost the protection ten times the cells for nothing a
    donor reads (a report for one centre shows it too, saying so)."""
    months = _months([day for _p, day, _a, _r in found])
    sums: dict[tuple, Decimal] = {}
    units = []
    for person, day, amount, round_code in found:
        cell = (round_code, _month(day))
        sums[cell] = sums.get(cell, Decimal(0)) + Decimal(amount)
        units.append((cell, person))
    grid = count_grid(key, (rounds, months), sums, ("round", "month"), units=units, amounts=True)

    def render(cell, centre: str | None) -> Analysis:
        # a round's budget is the programme's own decision, about nobody: shown as it is, in
        # TJS (a round in another currency has none here: it is not somoni, and no rate converts it)
        in_tjs = [budgets[r] for r in rounds if budgets[r] is not None]
        rows: list[list] = [[_("budget"), *[ReportCell(budgets[r]) for r in rounds],
                             ReportCell(sum(in_tjs, Decimal(0)) if in_tjs else None)]]
        rows += [[month if month is not None else _("all"), *[cell((r, month)) for r in [*rounds, None]]]
                 for month in [*months, None]]
        told = note if centre is None else note + " " + _("All centres: a round's money is the programme's.")
        return Analysis(key, title, [_("month"), *rounds, _("total")], rows, told,
                        ("text", *["money"] * (len(rounds) + 1)), short_title=short,
                        chart=ChartHint("rounds", "running", _("Each round's budget committed and paid out over time"),
                                        series, _("TJS")))

    return AnalysisTable(key, grid, render)


def round_money(conn: sa.Connection, period) -> list[AnalysisTable]:
    a, r, tr = mt.application, mt.grant_round, mt.tranche
    people = a.join(r, r.c.id == a.c.round_id)
    committed = conn.execute(
        sa.select(a.c.participant_id, a.c.approved_on, a.c.amount_granted, r.c.code).select_from(people)
        .where(a.c.approved_on.is_not(None), a.c.amount_granted.is_not(None), r.c.currency == TJS,
               period.covers(a.c.approved_on), funded(period))).all()
    paid = conn.execute(
        sa.select(a.c.participant_id, tr.c.released_on, IN_TJS, r.c.code)
        .select_from(tr.join(people, a.c.id == tr.c.application_id))
        .where(CONFIRMED, TJS_KNOWN, period.covers(tr.c.released_on), funded(period))).all()
    if not committed and not paid:
        return []
    used = sorted({row[3] for row in [*committed, *paid]})
    rounds = conn.execute(sa.select(r.c.code, r.c.currency, r.c.budget).where(r.c.code.in_(used))).all()
    currencies = {code: currency for code, currency, _budget in rounds}
    budgets = {code: budget if currency == TJS else None for code, currency, budget in rounds}
    tables = []
    if committed:
        # commitments are counted for rounds in TJS only: a round in another currency is not a column here
        tables.append(_table(COMMITTED, _("Grant money committed by month (TJS)"), _("Committed by month"),
                             _("What each round's grants commit now (approved less reductions), in the month the "
                               "committee approved them; rounds in TJS. The first line is each round's budget."),
                             committed, [code for code in used if currencies[code] == TJS], budgets, _("committed")))
    if paid:
        tables.append(_table(PAID, _("Grant money paid out by month (TJS)"), _("Paid out by month"),
                             _("Confirmed tranches (money and equipment) by the month they were released; a round "
                               "in another currency at the somoni rate recorded on each tranche. The first line is "
                               "each round's budget; a round in another currency has none here (its budget is not in "
                               "TJS), and the total is of the TJS rounds' budgets."), paid, used, budgets,
                             _("paid out")))
    return tables
