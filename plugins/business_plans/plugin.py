"""Entry point of the business_plans plugin (group ``reentry.plugins``).

Kept light: it is imported on every ``reentry`` call, so the commands (click only) are
added here and everything heavy (SQLAlchemy, the services) loads inside the hooks that
need it.
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
    from .cli import plans

    cli.add_command(plans)


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

    register("plans.view", "see cohorts, plans, scores and rankings", list(Role))
    register("plans.cohorts", "open training cohorts, plan sessions and enrol participants",
             [Role.ADMIN, Role.TRAINER, Role.CASE_WORKER])
    register("plans.attendance", "record attendance at training sessions", [Role.ADMIN, Role.TRAINER])
    register("plans.write", "write, submit and resubmit business plans",
             [Role.ADMIN, Role.TRAINER, Role.CASE_WORKER])
    register("plans.rubrics", "add scoring rubrics", [Role.ADMIN])
    register("plans.score", "score business plans (trainers of the cohort)", [Role.TRAINER])
    register("plans.conflicts", "declare a conflict of interest with a participant", [Role.ADMIN, Role.TRAINER])
    register("plans.moderate", "moderate wide disagreements and return plans for revision",
             [Role.ADMIN, Role.TRAINER])
    register("plans.shortlist", "shortlist a cohort's plans", [Role.ADMIN, Role.TRAINER])
    register("plans.calibrate", "open calibration rounds for a cohort's panel (its lead trainer)",
             [Role.ADMIN, Role.TRAINER])


@hookimpl
def register_services(register):
    def plans(ctx):
        from .services import PlansService

        return PlansService(ctx)

    register("plans", plans)


@hookimpl
def register_converter_hooks(converter):
    from .domain import CostItem, structure_cost

    converter.register_structure_hook(CostItem, structure_cost)


@hookimpl
def register_indicators(register):
    from .indicators import register as register_all

    register_all(register)


@hookimpl
def register_eligibility_rules(register):
    register("training_completed", "completed a business-training cohort (attendance threshold)")
    register("shortlisted_plan", "has a shortlisted business plan")
    register("min_plan_score", "the panel score (0-100) of their shortlisted or latest scored plan is at least this")


@hookimpl
def eligibility_problems(tx, participant, purpose, requirements):
    ours = {"training_completed", "shortlisted_plan", "min_plan_score"}
    if not ours & set(requirements):
        return []
    from .services import eligibility_problems as problems

    return problems(tx, participant, requirements)


@hookimpl(optionalhook=True)
def grant_plan(tx, participant):
    from .services import grant_plan as find

    return find(tx, participant)


@hookimpl
def participant_erased(tx, participant, dry_run):
    """The words about the person's plans go; titles, sectors, figures and scores stay."""
    from reentry_core.sdk import ngettext

    from .store import erase_notes

    counts = erase_notes(tx.conn, participant.code, dry_run)
    lines = {
        "plans": ngettext("{n} plan version's summary and notes", "{n} plan versions' summaries and notes",
                          counts["plans"]),
        "sheets": ngettext("{n} score sheet's comment", "{n} score sheets' comments", counts["sheets"]),
        "scores": ngettext("{n} criterion comment", "{n} criterion comments", counts["scores"]),
        "conflicts": ngettext("{n} conflict note", "{n} conflict notes", counts["conflicts"]),
    }
    return [lines[kind].format(n=n) for kind, n in counts.items() if n]


@hookimpl
def participant_merging(tx, keep, duplicate):
    """One person cannot be in one cohort twice; a conflict declared about both stays once."""
    from reentry_core.sdk import _, Conflict, participant_id

    from .store import drop_doubled_conflicts, shared_cohorts

    keep_id, gone_id = participant_id(tx.conn, keep.code), participant_id(tx.conn, duplicate.code)
    cohorts = shared_cohorts(tx.conn, keep_id, gone_id)
    if cohorts:
        raise Conflict(_("{keep} and {gone} are both in cohort {cohorts}: unenrol {gone} first, or withdraw one "
                         "plan").format(keep=keep.code, gone=duplicate.code, cohorts=", ".join(cohorts)))
    dropped = drop_doubled_conflicts(tx.conn, keep_id, gone_id)
    return {"conflicts_declared_twice": dropped} if dropped else None


@hookimpl
def participant_audit_keys(conn, participant):
    """The person's plans: score sheets and moderation are audited under the plan's code."""
    from .store import plan_codes_of

    return plan_codes_of(conn, participant.code)


@hookimpl
def demo_month(demo, month):
    from .demo import month as run_month

    run_month(demo, month)


@hookimpl
def report_analyses(conn, hook, participants):
    from .analysis import analyses

    return analyses(conn, hook, participants)


@hookimpl
def staff_open_work(conn, staff, today):
    from .open_work import cohorts_held

    return cohorts_held(conn, staff, today)


@hookimpl
def participant_scope(conn, staff):
    """A trainer reaches the people enrolled in the cohorts she trains."""
    if "trainer" not in {str(getattr(r, "value", r)) for r in staff.roles}:
        return None
    from .store import trainer_scope

    return trainer_scope(staff.code)


@hookimpl
def register_web(web):
    from .web import register

    register(web)
