"""Entry point (group ``reentry.plugins``): hook implementations only, kept light."""

from __future__ import annotations

from pathlib import Path

from reentry_core.sdk import hookimpl

from . import __version__  # noqa: F401


@hookimpl
def register_commands(cli):
    from .cli import group

    cli.add_command(group)


@hookimpl
def register_tables():
    from .tables import TABLES

    return list(TABLES)


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_permissions(register):
    from reentry_core.sdk import Role

    register("savings.manage", "run savings groups: form them, add members, record deposits",
             [Role.ADMIN, Role.CASE_WORKER, Role.MENTOR])


@hookimpl
def register_services(register):
    from .services import SavingsService

    register("savings", SavingsService)


@hookimpl
def register_indicators(register):
    from .services import deposits, members

    register("savings.members", "Members of savings groups", "People who joined a savings group in the period.",
             members, aggregate="people", unit="people")
    register("savings.saved", "Amount saved in savings groups", "Deposits paid in the period.",
             deposits, aggregate="sum", unit="TJS")


@hookimpl(optionalhook=True)
def grant_approved(tx, application):
    """A new grantee joins the savings group of their centre (when it has one)."""
    from .services import join_centre_group

    join_centre_group(tx, application.participant)
