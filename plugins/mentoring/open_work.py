"""What a mentor still holds, for the core's ``staff_open_work``: the participants they
mentor now, and a profile still at a centre they no longer work at (after a move)."""

from __future__ import annotations

import sqlalchemy as sa

from reentry_core.sdk import _, core, OpenWork

from . import tables as t


def mentoring_held(conn: sa.Connection, staff) -> list[OpenWork]:
    a, p = t.assignment, core.participant
    rows = conn.execute(
        sa.select(p.c.code, a.c.started_on)
        .select_from(a.join(p, p.c.id == a.c.participant_id).join(core.staff, core.staff.c.id == a.c.mentor_id))
        .where(core.staff.c.code == staff.code, a.c.ended_on.is_(None))
        .order_by(p.c.code))
    held = [OpenWork(_("mentee"), row.code, _("mentee since {on}").format(on=row.started_on.isoformat()),
                     _('reentry mentoring assign {code} --mentor MENTOR --reason "{mentor} handed over"').format(
                         code=row.code, mentor=staff.code))
            for row in rows]
    profile_centre = conn.execute(
        sa.select(core.centre.c.code)
        .select_from(t.mentor.join(core.centre, core.centre.c.id == t.mentor.c.centre_id)
                     .join(core.staff, core.staff.c.id == t.mentor.c.staff_id))
        .where(core.staff.c.code == staff.code)).scalar()
    if staff.active and staff.centre and profile_centre and profile_centre != staff.centre:
        held.append(OpenWork(_("mentor profile"), staff.code,
                             _("matched with participants of {old}, works at {new}").format(
                                 old=profile_centre, new=staff.centre),
                             _("reentry mentoring profile {code} --centre {new}").format(code=staff.code,
                                                                                         new=staff.centre)))
    return held
