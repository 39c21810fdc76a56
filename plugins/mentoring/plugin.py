"""Entry point of the mentoring plugin (group ``reentry.plugins``).

Kept light: it is imported on every ``reentry`` call, so it holds only hook
implementations; SQLAlchemy, cattrs and the services load inside the hooks and
commands that need them.

Mentoring learns about grants only through microgrants' events (``grant_approved``,
``tranche_released``) and answers its question (``tranche_verification``); those
implementations are ``optionalhook`` so mentoring loads when microgrants is disabled.
"""

from __future__ import annotations

from pathlib import Path

from reentry_core.sdk import hookimpl

from . import __version__  # noqa: F401  (shown by ``reentry plugins list``)


@hookimpl
def register_hookspecs(add):
    from . import hookspecs

    add(hookspecs)


@hookimpl
def register_commands(cli):
    from .cli import group

    cli.add_command(group)


@hookimpl
def register_tables():
    from .tables import TABLES

    return list(TABLES)


@hookimpl
def audited_tables():
    from .audited import audited_tables

    return audited_tables()


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_permissions(register):
    from reentry_core.sdk import Role  # here, not at the top: the entry module stays light

    register("mentoring.mentors", "set up mentor profiles", [Role.ADMIN])
    register("mentoring.mentees", "record a participant's languages, sector and mentor preference",
             [Role.ADMIN, Role.CASE_WORKER, Role.MENTOR])
    register("mentoring.assign", "assign mentors to participants", [Role.ADMIN, Role.CASE_WORKER])
    register("mentoring.override_capacity", "assign a mentor beyond their capacity", [Role.ADMIN])
    register("mentoring.schedule", "start or end a follow-up schedule by hand", [Role.ADMIN, Role.CASE_WORKER])
    register("mentoring.visit", "log mentoring visits", [Role.ADMIN, Role.MENTOR])
    register("mentoring.visit_any", "log visits for a participant another mentor follows", [Role.ADMIN])
    register("mentoring.view", "see mentors, follow-up schedules, visits and outcomes",
             [Role.ADMIN, Role.CASE_WORKER, Role.MENTOR, Role.ME_OFFICER])
    register("mentoring.configure", "change the follow-up offsets, windows and risk referrals", [Role.ADMIN])


@hookimpl
def register_services(register):
    def mentoring(ctx):
        from .services import MentoringService

        return MentoringService(ctx)

    register("mentoring", mentoring)


@hookimpl
def register_indicators(register):
    from .outcomes import declare_indicators

    declare_indicators(register)


# --- microgrants' events and question -------------------------------------------------------


@hookimpl(optionalhook=True)
def grant_approved(tx, application):
    from .schedules import on_grant_approved

    on_grant_approved(tx, application)


@hookimpl(optionalhook=True)
def tranche_released(tx, application, tranche):
    from .schedules import on_tranche_released

    on_tranche_released(tx, application, tranche)


@hookimpl(optionalhook=True)
def tranche_verification(tx, application, tranche, since):
    from .visits import verifying_visit

    return verifying_visit(tx.conn, tx.today, application.participant, since)


@hookimpl(optionalhook=True)
def tranche_verifications(tx, asked):
    from .visits import verifying_visits

    return verifying_visits(tx.conn, tx.today, [(application.participant, since) for application, _t, since in asked])


@hookimpl
def report_analyses(conn, period, participants):
    from .analysis import due_by_month

    return due_by_month(conn, period, participants)


# --- business_plans' question ---------------------------------------------------------------


@hookimpl(optionalhook=True)
def business_outcomes(conn, months):
    from .outcomes import business_outcomes as known_outcomes

    return known_outcomes(months)


# --- the core's events ----------------------------------------------------------------------


@hookimpl
def participant_exited(tx, participant):
    from .schedules import on_participant_exited

    return on_participant_exited(tx, participant)


@hookimpl
def participant_merging(tx, keep, duplicate):
    """One person has one mentor and one follow-up; the kept record's mentee profile stands."""
    from reentry_core.sdk import _, Conflict, participant_id

    from .store import doubled_follow_up, drop_doubled_mentee

    keep_id, gone_id = participant_id(tx.conn, keep.code), participant_id(tx.conn, duplicate.code)
    doubled = doubled_follow_up(tx.conn, keep_id, gone_id)
    if doubled == "mentor":
        raise Conflict(_("{keep} and {gone} both have a mentor: end {gone}'s mentoring first").format(
            keep=keep.code, gone=duplicate.code))
    if doubled == "schedule":
        raise Conflict(_("{keep} and {gone} are both followed up: end {gone}'s follow-up first").format(
            keep=keep.code, gone=duplicate.code))
    return {"mentee_profile_dropped": True} if drop_doubled_mentee(tx.conn, keep_id, gone_id) else None


@hookimpl
def participant_erased(tx, participant, dry_run):
    """What mentors wrote about the person goes; visits, dates and figures stay."""
    from reentry_core.sdk import ngettext

    from .store import erase_notes

    counts = erase_notes(tx.conn, participant.code, dry_run)
    lines = {
        "visits": ngettext("{n} visit's notes", "{n} visits' notes", counts["visits"]),
        "follow_ups": ngettext("{n} follow-up's end note", "{n} follow-ups' end notes", counts["follow_ups"]),
        "assignments": ngettext("{n} mentor assignment's end reason", "{n} mentor assignments' end reasons",
                                counts["assignments"]),
    }
    return [lines[kind].format(n=n) for kind, n in counts.items() if n]


# --- reentry demo -----------------------------------------------------------------------------


@hookimpl
def demo_setup(demo):
    from .demo import setup

    setup(demo)


@hookimpl
def demo_month(demo, month):
    from .demo import month as demo_month_of

    demo_month_of(demo, month)


@hookimpl
def staff_open_work(conn, staff):
    from .open_work import mentoring_held

    return mentoring_held(conn, staff)


@hookimpl
def participant_scope(conn, staff):
    """A mentor reaches the participants she mentors now, wherever they are registered."""
    if "mentor" not in {str(getattr(r, "value", r)) for r in staff.roles}:
        return None
    from .store import mentored_by

    return mentored_by(staff.code)


@hookimpl
def register_web(web):
    from .web import register

    register(web)
