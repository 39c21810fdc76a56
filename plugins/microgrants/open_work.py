"""What a committee member still holds in grant rounds, for the core's ``staff_open_work``:
the committees of rounds still deciding, and the votes they have not cast on applications
under review there (a vote is not handed over: the others' votes decide)."""

from __future__ import annotations

import sqlalchemy as sa

from reentry_core.sdk import _, core, OpenWork

from . import tables as t
from .domain import IN_REVIEW, ApplicationStatus, RoundStatus

#: Applications the committee has yet to decide on.
UNDECIDED = tuple(s.value for s in (ApplicationStatus.SUBMITTED, *sorted(IN_REVIEW)))


def committee_work(conn: sa.Connection, staff) -> list[OpenWork]:
    cm, r, app = t.committee_member, t.grant_round, t.application
    staff_id = conn.execute(sa.select(core.staff.c.id).where(core.staff.c.code == staff.code)).scalar_one()
    undecided = (sa.select(sa.func.count()).select_from(app)
                 .where(app.c.round_id == r.c.id, app.c.status.in_(UNDECIDED)).scalar_subquery())
    rounds = conn.execute(
        sa.select(r.c.code, r.c.status, undecided.label("undecided"))
        .select_from(r.join(cm, cm.c.round_id == r.c.id))
        .where(cm.c.staff_id == staff_id).order_by(r.c.opens_on, r.c.code))
    held = [OpenWork(_("committee"), row.code,
                     _("member of round {code}'s committee ({status}, {n} application(s) undecided)").format(
                         code=row.code, status=row.status, n=row.undecided),
                     _("reentry grants committee add {code} MEMBER, then: reentry grants committee remove {code} "
                       "{member} (not once they have voted)").format(code=row.code, member=staff.code))
            for row in rounds if row.status != RoundStatus.CLOSED.value or row.undecided]
    voted = sa.exists().where(t.vote.c.application_id == app.c.id, t.vote.c.staff_id == staff_id)
    conflicted = sa.exists().where(t.conflict.c.application_id == app.c.id, t.conflict.c.staff_id == staff_id)
    pending = conn.execute(
        sa.select(app.c.code, app.c.status)
        .select_from(app.join(cm, sa.and_(cm.c.round_id == app.c.round_id, cm.c.staff_id == staff_id)))
        .where(app.c.status.in_(sorted(s.value for s in IN_REVIEW)), ~voted, ~conflicted)
        .order_by(app.c.code))
    held.extend(OpenWork(_("vote"), row.code, _("vote not cast ({status})").format(status=row.status.replace("_", " ")),
                         _("none: the committee decides with the others' votes"))
                for row in pending)
    return held
