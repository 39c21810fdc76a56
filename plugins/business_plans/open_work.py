"""What a trainer still holds in business training, for the core's ``staff_open_work``:
the cohorts they lead or train in that are not finished (training still running, or
plans waiting for scores or a shortlist)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from reentry_core.sdk import _, core as t, OpenWork

from .domain import PlanStatus
from .tables import bp_cohort, bp_cohort_trainer, bp_plan, bp_plan_version

#: Plans the panel still owes scores or a decision.
WAITING = (PlanStatus.SUBMITTED.value, PlanStatus.SCORED.value)


def cohorts_held(conn: sa.Connection, staff, today: date) -> list[OpenWork]:
    waiting = (sa.select(sa.func.count()).select_from(bp_plan.join(
        bp_plan_version, sa.and_(bp_plan_version.c.plan_id == bp_plan.c.id,
                                 bp_plan_version.c.version == bp_plan.c.current_version)))
               .where(bp_plan.c.cohort_id == bp_cohort.c.id, bp_plan_version.c.status.in_(WAITING))
               .scalar_subquery())
    rows = conn.execute(
        sa.select(bp_cohort.c.code, bp_cohort.c.end_date, bp_cohort_trainer.c.lead, waiting.label("waiting"))
        .select_from(bp_cohort.join(bp_cohort_trainer).join(t.staff, t.staff.c.id == bp_cohort_trainer.c.staff_id))
        .where(t.staff.c.code == staff.code)
        .order_by(bp_cohort.c.start_date, bp_cohort.c.code))
    held = []
    for row in rows:
        if row.end_date < today and not row.waiting:
            continue  # finished: trained, and every plan scored and decided
        role = _("lead trainer") if row.lead else _("trainer")
        state = (_("{n} plan(s) waiting for scores or a shortlist").format(n=row.waiting) if row.waiting
                 else _("training until {on}").format(on=row.end_date.isoformat()))
        reassign = (_("reentry plans cohort trainers {cohort} --add TRAINER --lead TRAINER") if row.lead
                    else _("reentry plans cohort trainers {cohort} --add TRAINER --remove {code} (not once they "
                           "have scored)")).format(cohort=row.code, code=staff.code)
        held.append(OpenWork(_("cohort"), row.code, f"{role}, {state}", reassign))
    return held
