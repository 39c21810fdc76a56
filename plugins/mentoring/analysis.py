"""Mentoring's analysis for the programme report: due visits on time, late and missed,
by the month they were due (the chart "due visits by month" draws it).

The same due visits as the indicators (``outcomes.py``): due in the report's period, as
they stand at its end. The core protects the table (people behind every cell, margins
included) like any other; the chart draws only what the table publishes.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from reentry_core.sdk import _, Analysis, AnalysisTable, ChartHint, core as t, count_grid

from . import tables as mt
from .domain import Fulfilment
from .outcomes import _missed

KEY = "mentoring.due_by_month"
OUTCOMES = ("on_time", "late", "missed")


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def due_by_month(conn: sa.Connection, period, participants=None) -> list[AnalysisTable]:
    """``participants``: a select of the ids a report for one donor's grants keeps."""
    d, s, v = mt.due_visit, mt.schedule, mt.visit
    on_time = d.c.fulfilment == Fulfilment.ON_TIME.value
    late = d.c.fulfilment == Fulfilment.LATE.value
    missed = _missed(period)
    outcome = sa.case((on_time, "on_time"), (late, "late"), (missed, "missed"), else_=sa.null())
    p, c = t.participant, t.centre
    found = conn.execute(
        sa.select(s.c.participant_id, d.c.due_on, outcome, c.c.code)
        .select_from(d.join(s, s.c.id == d.c.schedule_id).outerjoin(v, v.c.id == d.c.visit_id)
                     .join(p, p.c.id == s.c.participant_id).join(c, c.c.id == p.c.centre_id))
        .where(period.covers(d.c.due_on), sa.or_(on_time, late, missed),
               *([p.c.id.in_(participants)] if participants is not None else []))).all()
    if not found:
        return []
    months = _months(min(r[1] for r in found), max(r[1] for r in found))
    centres = tuple(conn.execute(sa.select(c.c.code).order_by(c.c.code)).scalars())
    counts: dict[tuple, int] = {}
    units = []
    for person, due_on, kind, centre in found:
        key = (f"{due_on.year:04d}-{due_on.month:02d}", kind, centre)
        counts[key] = counts.get(key, 0) + 1
        units.append((key, person))
    grid = count_grid(KEY, (months, OUTCOMES, centres), counts, ("month", "due visit", "centre"), units=units)
    titles = {"on_time": _("on time"), "late": _("late"), "missed": _("missed")}

    def render(cell, centre: str | None) -> Analysis:
        rows = [[month if month is not None else _("all"), *[cell((month, kind, centre)) for kind in OUTCOMES],
                 cell((month, None, centre))] for month in [*months, None]]
        return Analysis(KEY, _("Due visits by month"), [_("month"), *titles.values(), _("closed")], rows,
                        _("Due visits by the month they were due, as they stand at the end of the period; 'closed' "
                          "is done on time, done late or missed."), ("text", "count", "count", "count", "count"),
                        short_title=_("Due visits by month"),
                        chart=ChartHint("visits", "columns", _("Due visits on time, late and missed, by month"),
                                        axis=_("due visits")))

    return [AnalysisTable(KEY, grid, render)]
