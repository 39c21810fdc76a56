"""What a trainer still holds in business training, for the core's ``staff_open_work``:
the cohorts they lead or train in that are not finished (training still running, or
plans waiting for scores or a shortlist)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from reentry_core.sdk import _, OpenWork
from reentry_core.sdk import date_text

from . import store
from .domain import PlanStatus

#: Plans the panel still owes scores or a decision.
WAITING = (PlanStatus.SUBMITTED.value, PlanStatus.SCORED.value)


def cohorts_held(conn: sa.Connection, staff, today: date) -> list[OpenWork]:
    rows = store.cohorts_trained_by(conn, staff.code, WAITING)
    held = []
    for row in rows:
        if row.end_date < today and not row.waiting:
            continue  # finished: trained, and every plan scored and decided
        role = _("lead trainer") if row.lead else _("trainer")
        state = (_("{n} plan(s) waiting for scores or a shortlist").format(n=row.waiting) if row.waiting
                 else _("training until {on}").format(on=date_text(row.end_date)))
        reassign = (_("reentry plans cohort trainers {cohort} --add TRAINER --lead TRAINER") if row.lead
                    else _("reentry plans cohort trainers {cohort} --add TRAINER --remove {code} (not once they "
                           "have scored)")).format(cohort=row.code, code=staff.code)
        held.append(OpenWork(_("cohort"), row.code, f"{role}, {state}", reassign))
    return held
