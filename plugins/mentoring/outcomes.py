"""Mentoring's report indicators (unit-record queries; the core counts and disaggregates).

Every figure about due visits takes the due visits whose due date lies in the report's
period, as they stand at the period's end (today when the period is open):

* on time / late: fulfilled by a visit inside the window / after it (before the next
  window opened); missed: the window closed without a visit. Due visits cancelled
  because the follow-up ended before their window opened are not counted.
* survival at 6 and 12 months: of the due visits at that milestone that are *reached*,
  those whose fulfilling visit found the business operating. Reached = operating +
  not operating + unknown, all three given: not operating when the visit found it
  otherwise, or the follow-up ended with the business closed before that window
  closed; unknown when the window closed with no visit (a missing visit is never
  counted as operating). The rate divides by every reached milestone, unknowns included.
* average monthly profit at 6 and 12 months: revenue − costs at the fulfilling visit,
  where both were recorded.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from reentry_core.sdk import _, Money, Period

from . import tables as t
from .domain import BusinessStatus, EndReason, Fulfilment, Outcome, RiskOutcome

_d, _s, _v = t.due_visit, t.schedule, t.visit
OPERATING = BusinessStatus.OPERATING.value
CLOSED = EndReason.BUSINESS_CLOSED.value
MILESTONES = (6, 12)


def as_of(period: Period):
    """The day a report describes: the period's end, or today (in SQL) for an open period."""
    return period.end if period.end is not None else sa.func.current_date()


def _not_cancelled():
    return sa.or_(_s.c.ended_on.is_(None), _d.c.window_start <= _s.c.ended_on)


def _due(period: Period, *conditions, months: int | None = None):
    """Unit records: due visits (due in the period) meeting ``conditions``, one row each."""
    query = (sa.select(_s.c.participant_id)
             .select_from(_d.join(_s, _s.c.id == _d.c.schedule_id).outerjoin(_v, _v.c.id == _d.c.visit_id))
             .where(period.covers(_d.c.due_on), *conditions))
    if months is not None:
        query = query.where(_d.c.months == months)
    return query


def _missed(period: Period):
    return sa.and_(_d.c.visit_id.is_(None), _not_cancelled(), _d.c.window_end < as_of(period))


def _closed_by_then(period: Period):
    """The follow-up ended with the business closed before this due visit's window closed."""
    return sa.and_(_s.c.ended_because == CLOSED, _s.c.ended_on <= _d.c.window_end, _s.c.ended_on <= as_of(period))


def _not_closed_by_then(period: Period):
    return sa.or_(_s.c.ended_because.is_(None), _s.c.ended_because != CLOSED, _s.c.ended_on > _d.c.window_end,
                  _s.c.ended_on > as_of(period))


def _not_replaced_away():
    """Leaves out the due visits a new grant's follow-up took over."""
    return sa.or_(_s.c.ended_because.is_(None), _s.c.ended_because != EndReason.REPLACED.value, _not_cancelled())


def survival_conditions(period: Period) -> dict[str, sa.ColumnElement[bool]]:
    fulfilled = _d.c.visit_id.is_not(None)
    operating = sa.and_(fulfilled, _v.c.business_status == OPERATING)
    not_operating = sa.or_(sa.and_(fulfilled, _v.c.business_status != OPERATING),
                           sa.and_(_d.c.visit_id.is_(None), _closed_by_then(period)))
    unknown = sa.and_(_d.c.visit_id.is_(None), _not_closed_by_then(period), _d.c.window_end < as_of(period))
    return {"operating": operating, "not_operating": not_operating, "unknown": unknown,
            "reached": sa.or_(operating, not_operating, unknown)}


def business_outcomes(months: int):
    """business_plans' ``business_outcomes`` question: (participant_id, operating), one row per
    business (follow-up schedule) whose ``months``-month outcome is known today, by the survival
    conditions above: operating at the visit that closed the milestone → true; found not
    operating, or closed before that window closed → false; unknown outcomes are left out."""
    today = survival_conditions(Period())
    operating = sa.case((today["operating"], sa.true()), else_=sa.false())
    return (sa.select(_s.c.participant_id, sa.type_coerce(operating, sa.Boolean).label("operating"))
            .select_from(_d.join(_s, _s.c.id == _d.c.schedule_id).outerjoin(_v, _v.c.id == _d.c.visit_id))
            .where(_d.c.months == int(months), _not_replaced_away(),
                   sa.or_(today["operating"], today["not_operating"]))
            .order_by(_s.c.participant_id, _s.c.id))


def _businesses(period: Period):
    terms = [_s.c.started_on.is_not(None), _s.c.started_on <= as_of(period)]
    if period.start is not None:
        terms.append(sa.or_(_s.c.ended_on.is_(None), _s.c.ended_on >= period.start))
    return sa.select(_s.c.participant_id).where(*terms)


def _profit(period: Period, months: int):
    return (sa.select(_s.c.participant_id, sa.type_coerce(_v.c.revenue - _v.c.costs, Money).label("value"))
            .select_from(_d.join(_s, _s.c.id == _d.c.schedule_id).join(_v, _v.c.id == _d.c.visit_id))
            .where(period.covers(_d.c.due_on), _d.c.months == months, _v.c.revenue.is_not(None),
                   _v.c.costs.is_not(None)))


def _jobs(period: Period):
    """Each participant's last visit in the period: the people working there (owner, family,
    hired) if the business was operating, else none."""
    ranked = sa.select(
        _v.c.participant_id, _v.c.business_status, _v.c.owners, _v.c.family_workers, _v.c.hired_workers,
        sa.func.row_number().over(partition_by=_v.c.participant_id,
                                  order_by=(_v.c.visited_on.desc(), _v.c.id.desc())).label("n"),
    ).where(period.covers(_v.c.visited_on)).subquery()
    counts = [ranked.c.owners, ranked.c.family_workers, ranked.c.hired_workers]
    people = sum((sa.func.coalesce(c, 0) for c in counts[1:]), sa.func.coalesce(counts[0], 0))
    recorded = sa.or_(*(c.is_not(None) for c in counts))
    return (sa.select(ranked.c.participant_id,
                      sa.case((ranked.c.business_status == OPERATING, people), else_=0).label("value"))
            .where(ranked.c.n == 1, sa.or_(ranked.c.business_status != OPERATING, recorded)))


def _risks(period: Period, *conditions):
    r = t.visit_risk
    return (sa.select(_v.c.participant_id).select_from(r.join(_v, _v.c.id == r.c.visit_id))
            .where(period.covers(_v.c.visited_on), *conditions))


def declare_indicators(register) -> None:
    """Mentoring's indicators, in the order reports show them (see :data:`KEYS`)."""
    register("mentoring.businesses", _("Businesses under mentoring"),
             _("Participants whose follow-up schedule ran at some time in the period."),
             _businesses, aggregate="people", unit="people")
    register("mentoring.visits", _("Mentoring visits"), _("Visits logged with a date in the period."),
             lambda p: sa.select(_v.c.participant_id).where(p.covers(_v.c.visited_on)), unit="visits")
    register("mentoring.due_visits", _("Due visits closed"),
             _("Due visits (due in the period) that were done, or whose window closed by the period's end; "
               "the base of the on-time rate."),
             lambda p: _due(p, sa.or_(_d.c.visit_id.is_not(None), _missed(p))), unit="due visits",
             parts=("mentoring.visits_on_time", "mentoring.visits_late", "mentoring.visits_missed"))
    register("mentoring.visits_on_time", _("Due visits done on time"),
             _("Due visits (due in the period) fulfilled by a visit inside their window."),
             lambda p: _due(p, _d.c.fulfilment == Fulfilment.ON_TIME.value), unit="due visits")
    register("mentoring.visits_late", _("Due visits done late"),
             _("Due visits (due in the period) fulfilled after their window, before the next window opened."),
             lambda p: _due(p, _d.c.fulfilment == Fulfilment.LATE.value), unit="due visits")
    register("mentoring.visits_missed", _("Due visits missed"),
             _("Due visits (due in the period) whose window closed by the period's end without a visit; "
               "a late visit later moves one to 'late'."),
             lambda p: _due(p, _missed(p)), unit="due visits")
    register("mentoring.on_time_rate", _("Share of due visits done on time"),
             _("Due visits done on time / due visits closed."), aggregate="rate",
             numerator="mentoring.visits_on_time", denominator="mentoring.due_visits")
    for months in MILESTONES:
        key = f"mentoring.survival_{months}m"
        parts = {
            "reached": (_("Businesses reaching the {n}-month visit"),
                        _("Due {n}-month visits (due in the period) that were done, or whose window closed, or whose "
                          "business had closed: operating + not operating + unknown.")),
            "operating": (_("Businesses operating at the {n}-month visit"),
                          _("The visit that fulfilled the {n}-month due visit found the business operating.")),
            "not_operating": (_("Businesses not operating at the {n}-month visit"),
                              _("The {n}-month visit found the business temporarily closed, closed or not started, "
                                "or the follow-up ended with the business closed before that window closed.")),
            "unknown": (_("Businesses with unknown status at {n} months"),
                        _("The {n}-month window closed without a visit: counted as unknown, never as operating.")),
        }
        for part, (label, definition) in parts.items():
            register(f"{key}.{part}", label.format(n=months), definition.format(n=months),
                     lambda p, _m=months, _part=part: _due(p, _not_replaced_away(), survival_conditions(p)[_part],
                                                           months=_m),
                     unit="businesses",
                     # the programme funnel ends with businesses still operating at 6, then 12 months
                     funnel_stage=60 + months if part == "operating" else None,
                     # reached = operating + not operating + unknown: protected as one family
                     parts=tuple(f"{key}.{p}" for p in parts if p != "reached") if part == "reached" else ())
        register(key, _("Survival at {n} months").format(n=months),
                 _("Businesses operating at the {n}-month visit / businesses reaching it (unknowns stay in the "
                   "denominator).").format(n=months),
                 aggregate="rate", numerator=f"{key}.operating", denominator=f"{key}.reached")
        register(f"mentoring.profit_{months}m", _("Average monthly profit at {n} months").format(n=months),
                 _("Revenue minus costs per month, at the visit that fulfilled the {n}-month due visit, where both "
                   "were recorded.").format(n=months),
                 lambda p, _m=months: _profit(p, _m), aggregate="mean", unit="TJS per month")
    register("mentoring.jobs", _("Jobs at mentored businesses"),
             _("People working (owner, family, hired) at each participant's last visit in the period, when the "
               "business was operating; none when it was not."),
             _jobs, aggregate="sum", unit="jobs")
    register("mentoring.risk_flags", _("Risk flags raised"), _("Risk flags raised at visits in the period."),
             lambda p: _risks(p), unit="flags")
    register("mentoring.risk_referrals", _("Referrals opened from risks"),
             _("Referrals opened by risk flags raised at visits in the period."),
             lambda p: _risks(p, t.visit_risk.c.outcome == RiskOutcome.OPENED.value), unit="referrals",
             within="mentoring.risk_flags")


#: Mentoring's indicator keys, in report order.
KEYS = (
    "mentoring.businesses", "mentoring.visits", "mentoring.due_visits", "mentoring.visits_on_time",
    "mentoring.visits_late", "mentoring.visits_missed", "mentoring.on_time_rate",
    *(f"mentoring.survival_{m}m{part}" for m in MILESTONES
      for part in ("", ".reached", ".operating", ".not_operating", ".unknown")),
    *(f"mentoring.profit_{m}m" for m in MILESTONES),
    "mentoring.jobs", "mentoring.risk_flags", "mentoring.risk_referrals",
)


class OutcomesMixin:
    """``ctx.mentoring``: the outcomes of mentoring, computed and protected by the core's
    reporting exactly as the programme report shows them."""

    ctx: object

    def outcomes(self, *, start: date | str | None = None, end: date | str | None = None,
                 centre: str | None = None, by: tuple[str, ...] | list[str] = (),
                 suppress: bool = True) -> list[Outcome]:
        """Every mentoring indicator for the period (``end`` defaults to today), one
        :class:`Outcome` per group of ``by`` (``sex``, ``age_band``, ``centre``). Small
        counts are hidden as in the programme report; ``suppress=False`` (admins only,
        audited) shows them. Staff of one centre get their centre's figures."""
        from reentry_core.sdk import parse_date

        from .mentors import centre_in_scope

        end = parse_date(end) if end else self.ctx.today
        self.ctx.require("mentoring.view")
        with self.ctx.reading() as conn:
            centre = centre_in_scope(self.ctx, conn, centre)
        rows = {row.key: row for row in self.ctx.reports.figures(
            KEYS, start=start, end=end, centre=centre, by=by, permission="mentoring.view", suppress=suppress)}
        found = []
        for key in KEYS:
            row = rows[key]
            indicator = self.ctx.programme.indicators.get(key)
            for group, cell in row.cells.items():
                if by and None in group:
                    continue  # the groups themselves; their totals are the rows without --by
                top = rows[indicator.numerator].cells[group] if indicator.numerator else None
                bottom = rows[indicator.denominator].cells[group] if indicator.denominator else None
                found.append(Outcome(key, indicator.label, cell.value, row.unit, group if by else (), top and top.value,
                                     bottom and bottom.value, cell.suppressed))
        return found
