"""What a committee member still holds in grant rounds, for the core's ``staff_open_work``:
the committees of rounds still deciding, and the votes they have not cast on applications
under review there (a vote is not handed over: the others' votes decide)."""

from __future__ import annotations

import sqlalchemy as sa

from reentry_core.sdk import _, OpenWork

from . import store
from .domain import IN_REVIEW, ApplicationStatus, RoundStatus

#: Applications the committee has yet to decide on.
UNDECIDED = tuple(s.value for s in (ApplicationStatus.SUBMITTED, *sorted(IN_REVIEW)))


def committee_work(conn: sa.Connection, staff) -> list[OpenWork]:
    rounds, pending = store.committee_held(conn, staff.code, UNDECIDED, sorted(s.value for s in IN_REVIEW))
    held = [OpenWork(_("committee"), row.code,
                     _("member of round {code}'s committee ({status}, {n} application(s) undecided)").format(
                         code=row.code, status=row.status, n=row.undecided),
                     _("reentry grants committee add {code} MEMBER, then: reentry grants committee remove {code} "
                       "{member} (not once they have voted)").format(code=row.code, member=staff.code))
            for row in rounds if row.status != RoundStatus.CLOSED.value or row.undecided]
    held.extend(OpenWork(_("vote"), row.code, _("vote not cast ({status})").format(status=row.status.replace("_", " ")),
                         _("none: the committee decides with the others' votes"))
                for row in pending)
    return held
