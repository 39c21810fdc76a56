"""The core answers its own hooks like any plugin: its permissions, tables, migrations."""

from __future__ import annotations

from pathlib import Path

from .hookspecs import hookimpl
from .i18n import _

A, CW, TR, CM, FO, MN, ME = (
    "admin", "case_worker", "trainer", "committee_member", "finance_officer", "mentor", "me_officer",
)
EVERYONE = (A, CW, TR, CM, FO, MN, ME)


@hookimpl
def register_permissions(register):
    register("centres.manage", "add and change centres", [A])
    register("staff.manage", "add staff and change their roles", [A])
    register("staff.view", "list staff", EVERYONE)
    register("participants.register", "register and update participants", [A, CW])
    register("participants.view", "see participants (without sensitive fields)", EVERYONE)
    register("participants.view_sensitive", "see facility, release date and offence", [A, CW])
    register("participants.exit", "record that a participant left the programme", [A, CW])
    register("participants.import", "import participants from a file", [A, CW])
    register("participants.export", "export participants with names", [A, CW])
    register("participants.export_pseudonymised", "export participants with pseudonyms", [A, CW, ME])
    register("consent.record", "record or withdraw consent", [A, CW])
    register("referrals.manage", "open referrals and follow their status", [A, CW, MN])
    register("referrals.view", "list referrals", [A, CW, MN, ME])
    register("audit.view", "read the audit trail", [A, ME])


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_tables():
    from .storage.tables import CORE_TABLES

    return list(CORE_TABLES)


@hookimpl
def eligibility_problems(tx, participant):
    from .services.eligibility import core_problems

    return core_problems(tx, participant)


@hookimpl
def register_indicators(register):
    import sqlalchemy as sa

    from .storage import tables as t

    register("participants.registered", _("Participants registered"),
             _("People registered in the period (by their registration date)."),
             lambda period: sa.select(t.participant.c.id.label("participant_id"))
             .where(period.covers(t.participant.c.registered_on)),
             aggregate="people", unit="people")
    register("referrals.opened", _("Referrals opened"),
             _("Referrals to other services opened in the period, of any type and status."),
             lambda period: sa.select(t.referral.c.participant_id).where(period.covers(t.referral.c.opened_on)),
             aggregate="count", unit="referrals")
