"""What a mentor still holds, for the core's ``staff_open_work``: the participants they
mentor now, and a profile still at a centre they no longer work at (after a move)."""

from __future__ import annotations

import sqlalchemy as sa

from reentry_core.sdk import _, OpenWork
from reentry_core.sdk import date_text

from . import store


def mentoring_held(conn: sa.Connection, staff) -> list[OpenWork]:
    rows = store.mentees_now(conn, staff.code)
    held = [OpenWork(_("mentee"), row.code, _("mentee since {on}").format(on=date_text(row.started_on)),
                     _('reentry mentoring assign {code} --mentor MENTOR --reason "{mentor} handed over"').format(
                         code=row.code, mentor=staff.code))
            for row in rows]
    profile_centre = store.mentor_profile_centre(conn, staff.code)
    if staff.active and staff.centre and profile_centre and profile_centre != staff.centre:
        held.append(OpenWork(_("mentor profile"), staff.code,
                             _("matched with participants of {old}, works at {new}").format(
                                 old=profile_centre, new=staff.centre),
                             _("reentry mentoring profile {code} --centre {new}").format(code=staff.code,
                                                                                         new=staff.centre)))
    return held
