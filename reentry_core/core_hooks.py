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
    register("staff.manage", "add, deactivate and move staff and change their roles", [A])
    register("staff.view", "list staff", EVERYONE)
    register("participants.register", "register and update participants", [A, CW])
    register("participants.view", "see participants (without sensitive fields)", EVERYONE)
    register("participants.all_centres", "see the participants of every centre (not only one's own)", [A, ME])
    register("participants.view_names", "see participants' names and birth dates", [A, CW, TR, CM, MN])
    register("participants.view_contact", "see participants' phone numbers", [A, CW, MN])
    register("participants.transfer", "move a participant to another centre", [A, CW])
    register("participants.merge", "find people registered twice and merge their records", [A, CW])
    register("participants.merge_across_centres", "merge records of one person made at two centres", [A])
    register("referrals.view_health", "see referrals to health services (drug treatment, psychological) "
             "and what any referral or risk note says", [A, CW])
    register("access.view", "read the log of who looked at whose records", [A])
    register("participants.view_sensitive", "see facility, release date and offence", [A, CW])
    register("participants.exit", "record that a participant left the programme", [A, CW])
    register("participants.erase", "erase people who left and set the retention period", [A])
    register("participants.import", "import participants from a file", [A, CW])
    register("participants.export", "export participants with names", [A, CW])
    register("participants.export_pseudonymised", "export participants with pseudonyms", [A, CW, ME])
    register("consent.record", "record or withdraw consent", [A, CW])
    register("referrals.manage", "open referrals and follow their status", [A, CW, MN])
    register("referrals.view", "list referrals", [A, CW, MN, ME])
    register("audit.view", "read the audit trail", [A, ME])
    register("reports.view", "make programme reports (small counts hidden)", [A, ME])
    register("reports.unsuppressed", "make programme reports showing small counts", [A])
    register("reports.threshold", "set the small-count threshold of every report", [A])
    register("db.backup", "copy the database to a backup file", [A])
    register("db.restore", "replace the database with a backup", [A])


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
def staff_open_work(conn, staff):
    from .services.staff import referrals_opened_by

    return referrals_opened_by(conn, staff)


@hookimpl
def audited_tables():
    from .services.audit_state import core_tables

    return core_tables()


@hookimpl
def register_indicators(register):
    import sqlalchemy as sa

    from .domain import ReferralStatus, ServiceType
    from .storage import tables as t

    p, r, c = t.participant, t.referral, t.consent
    register("participants.registered", _("Participants registered"),
             _("People registered in the period (by their registration date)."),
             lambda period: sa.select(p.c.id.label("participant_id")).where(period.covers(p.c.registered_on)),
             aggregate="people", unit="people", funnel_stage=10)
    register("participants.consented", _("Participants who gave consent"),
             _("People who gave informed consent in the period (a renewed consent counts once)."),
             lambda period: sa.select(c.c.participant_id).where(period.covers(c.c.given_on)),
             aggregate="people", unit="people")
    register("referrals.by_type", _("Referrals opened, by service"),
             _("Referrals to other services opened in the period, by the kind of service."),
             lambda period: sa.select(r.c.participant_id, r.c.service_type.label("category"))
             .where(period.covers(r.c.opened_on)),
             aggregate="count", unit="referrals", categories=ServiceType.values())
    register("referrals.by_status", _("Referrals opened, by status now"),
             _("Referrals opened in the period, by where they stand today."),
             lambda period: sa.select(r.c.participant_id, r.c.status.label("category"))
             .where(period.covers(r.c.opened_on)),
             aggregate="count", unit="referrals", categories=ReferralStatus.values())


@hookimpl
def demo_setup(demo):
    from . import demo as core_demo

    core_demo.setup(demo)


@hookimpl
def demo_month(demo, month):
    from . import demo as core_demo

    core_demo.month(demo, month)
