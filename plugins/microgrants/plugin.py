"""Entry point of the microgrants plugin (group ``reentry.plugins``).

Kept light: it is imported on every ``reentry`` call, so heavy modules (SQLAlchemy,
cattrs, rich) load inside the hooks and commands that need them.
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
    from .cli import grants

    cli.add_command(grants)


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_tables():
    from .tables import TABLES

    return list(TABLES)


@hookimpl
def audited_tables():
    from .audited import audited_tables

    return audited_tables()


@hookimpl
def register_permissions(register):
    from reentry_core.sdk import Role  # here, not at the top: the entry module stays light

    register("grants.view", "see grant rounds, applications, votes, decisions and tranches",
             [Role.ADMIN, Role.CASE_WORKER, Role.COMMITTEE_MEMBER, Role.FINANCE_OFFICER, Role.MENTOR, Role.ME_OFFICER])
    register("grants.manage_rounds", "set up grant rounds, open and close them, appoint their committee",
             [Role.ADMIN])
    register("grants.apply", "make, change, submit and withdraw grant applications",
             [Role.ADMIN, Role.CASE_WORKER])
    register("grants.vote", "vote on grant applications as a committee member", [Role.COMMITTEE_MEMBER])
    register("grants.declare_conflict", "declare one's own conflict of interest on an application",
             [Role.COMMITTEE_MEMBER])
    register("grants.record_conflict", "record a committee member's conflict of interest", [Role.ADMIN])
    register("grants.record_meeting", "enter a committee meeting's tally sheet: the votes and conflicts of "
                                      "interest of its members", [Role.ADMIN])
    register("grants.decide", "record the committee's decision on an application",
             [Role.ADMIN, Role.COMMITTEE_MEMBER])
    register("grants.disburse", "record the release of a grant tranche", [Role.ADMIN, Role.FINANCE_OFFICER])
    register("grants.confirm", "confirm or reverse a tranche someone else recorded (maker-checker)",
             [Role.ADMIN, Role.FINANCE_OFFICER])
    register("grants.override_verification", "let a tranche go out without a verified visit, with a reason",
             [Role.ADMIN])
    register("grants.cancel", "cancel or reduce an approved grant", [Role.ADMIN])


@hookimpl
def register_converter_hooks(converter):
    from .domain import TrancheStep, parse_tranche_plan

    # a round's tranche plan is typed as text ("60,40:verified"), not as a list of steps
    converter.register_structure_hook_func(lambda t: t == tuple[TrancheStep, ...],
                                           lambda value, _t: parse_tranche_plan(value))


@hookimpl
def register_services(register):
    from .services import GrantService

    register("grants", GrantService)


@hookimpl
def report_scope(conn, donor, round):
    from .scope import report_scope as scope

    return scope(conn, donor, round)


@hookimpl
def report_analyses(conn, period):
    from .analysis import round_money

    return round_money(conn, period)


@hookimpl
def register_indicators(register):
    from .indicators import declare

    declare(register)


@hookimpl
def participant_erased(tx, participant, dry_run):
    """The words about the person's grants go; amounts, dates, votes and decisions stay."""
    from reentry_core.sdk import ngettext

    from .store import erase_notes

    counts = erase_notes(tx.conn, participant.code, dry_run)
    lines = {
        "applications": ngettext("{n} application's closing reason", "{n} applications' closing reasons",
                                 counts["applications"]),
        "votes": ngettext("{n} vote note", "{n} vote notes", counts["votes"]),
        "conflicts": ngettext("{n} conflict note", "{n} conflict notes", counts["conflicts"]),
        "overrides": ngettext("{n} override reason", "{n} override reasons", counts["overrides"]),
        "tranches": ngettext("{n} verification note", "{n} verification notes", counts["tranches"]),
        "reversals": ngettext("{n} reversal reason", "{n} reversal reasons", counts["reversals"]),
        "events": ngettext("{n} note in a grant's story", "{n} notes in a grant's story", counts["events"]),
    }
    return [lines[kind].format(n=n) for kind, n in counts.items() if n]


@hookimpl
def participant_merging(tx, keep, duplicate):
    from .applications import refuse_merge

    refuse_merge(tx.conn, keep, duplicate)


@hookimpl
def participant_audit_keys(conn, participant):
    """The person's applications: the grant's story is audited under its code."""
    from .store import application_codes_of

    return application_codes_of(conn, participant.code)


@hookimpl
def demo_month(demo, month):
    from .demo import month as add_month

    add_month(demo, month)


@hookimpl
def staff_open_work(conn, staff):
    from .open_work import committee_work

    return committee_work(conn, staff)


@hookimpl
def participant_scope(conn, staff):
    """A committee member reaches the applicants of the rounds she sits on; finance the
    grantees it pays (every grant ever approved)."""
    roles = {str(getattr(r, "value", r)) for r in staff.roles}
    if not roles & {"committee_member", "finance_officer"}:
        return None
    import sqlalchemy as sa

    from reentry_core.sdk import core

    from .tables import application, committee_member

    me = sa.select(core.staff.c.id).where(core.staff.c.code == staff.code).scalar_subquery()
    terms = []
    if "committee_member" in roles:
        terms.append(application.c.round_id.in_(
            sa.select(committee_member.c.round_id).where(committee_member.c.staff_id == me)))
    if "finance_officer" in roles:
        terms.append(application.c.approved_on.is_not(None))  # approved once: paid, being paid, or stopped
    return sa.select(application.c.participant_id).where(sa.or_(*terms))


@hookimpl(optionalhook=True)
def plan_relied_on(tx, plan):
    """Business plans asks before a shortlist is undone: the applications made with the plan
    (not withdrawn or cancelled)."""
    from .applications import made_with_plan

    return made_with_plan(tx.conn, plan)


@hookimpl(optionalhook=True)
def visit_relied_on(tx, visit):
    """Mentoring asks before a visit is cancelled or stops verifying: the tranches released
    on its strength (not reversed)."""
    from .tranches import released_on_visit

    return released_on_visit(tx.conn, visit)


@hookimpl
def register_web(web):
    from .web import register

    register(web)
