"""Look-ups a plugin needs of the core's records, by public code, inside its own
transaction or report: who a participant is, whether their consent is in force, who a
staff member is, which centre a code names. Plugins use these (through ``reentry_core.sdk``) rather than the core's
services' internals, so the core can change how it stores people without breaking them.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from .domain import Centre, Consent, Participant, Staff
from .errors import NotFound
from .privacy import check_codes
from .i18n import _
from .services.participant_store import (  # noqa: F401
    current_consent, from_row, kept_code, load_participant, participant_id, resolve_code, resolve_codes,
)
from .storage import tables as t


def participant_ids(conn: sa.Connection, codes) -> dict[str, int]:
    """Code → id of each of ``codes`` that exists (one query); refused when one is outside
    the acting member's scope."""
    wanted = sorted({code.strip().upper() for code in codes})
    if not wanted:
        return {}
    found = dict(conn.execute(sa.select(t.participant.c.code, t.participant.c.id)
                              .where(t.participant.c.code.in_(wanted))).all())
    check_codes(conn, found)  # each must be in the acting member's scope
    if len(found) < len(wanted):  # a merged duplicate's code finds the person kept (checked in turn)
        kept = resolve_codes(conn, set(wanted) - set(found))
        ids = participant_ids(conn, kept.values()) if kept else {}
        found.update({alias: ids[code] for alias, code in kept.items() if code in ids})
    return found


def participant(conn: sa.Connection, code: str) -> Participant:
    """Participant ``code`` with every field (the caller decides what it may show); refused
    outside the acting member's scope."""
    return load_participant(conn, code)


def participant_from_row(row) -> Participant:
    """A participant from a row selected with every participant column (and the centre's code)."""
    return from_row(row)


def consent_in_force(conn: sa.Connection, person: int, on: date) -> Consent | None:
    """The consent in force on ``on`` of the participant whose id is ``person`` (its scope
    says for what), or ``None``."""
    return current_consent(conn, person, on)


def staff_member(conn: sa.Connection, code: str) -> Staff | None:
    """Staff member ``code`` with their roles and centre, or ``None``."""
    from .services.staff import load_staff

    return load_staff(conn, code)


def staff_id(conn: sa.Connection, code: str) -> int:
    found = conn.execute(sa.select(t.staff.c.id).where(t.staff.c.code == code.strip().upper())).scalar()
    if found is None:
        raise NotFound(_("staff code {code!r}: no such staff member").format(code=code.strip().upper()))
    return found


def centre(conn: sa.Connection, code: str) -> Centre:
    """Centre ``code``; :class:`NotFound` names the known codes."""
    c = t.centre.c
    found = conn.execute(sa.select(c.code, c.name, c.city).where(c.code == code.strip().upper())).first()
    if found is None:
        known = ", ".join(conn.execute(sa.select(c.code).order_by(c.code)).scalars()) or _("none yet")
        raise NotFound(_("centre {code!r} does not exist (known: {known})").format(code=code.strip().upper(),
                                                                                  known=known))
    return Centre(found.code, found.name, found.city)


def centre_id(conn: sa.Connection, code: str) -> int:
    """The database id of centre ``code`` (to join a plugin's rows to it)."""
    found = conn.execute(sa.select(t.centre.c.id).where(t.centre.c.code == code.strip().upper())).scalar()
    if found is None:
        centre(conn, code)  # raises NotFound naming the known codes
    return found
