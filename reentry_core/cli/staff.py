"""reentry staff: the people who use the tool, and their roles."""

from __future__ import annotations

import click

from ..i18n import _
from .output import done, emit_rows
from .state import CliState, pass_state

COLUMNS = ["code", "full_name", "roles", "centre", "active"]
ROLES = "admin, case_worker, trainer, committee_member, finance_officer, mentor, me_officer"


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@click.group("staff")
def group():
    """Staff members and their roles."""


@group.command("add")
@click.argument("code")
@click.option("--name", "full_name", required=True, help=_("Full name."))
@click.option("--role", "roles", multiple=True, required=True,
              help=_("A role (repeat, or separate with commas): {roles}.").format(roles=ROLES))
@click.option("--centre", help=_("The centre they work at (none for head office)."))
@pass_state
def add(state: CliState, code, full_name, roles, centre):
    """Add a staff member with a short CODE.

    On an empty database the first staff member, an admin, is added without --as.

    \b
    Examples:
      reentry staff add ADM --name "Нигина Каримова" --role admin
      reentry --as ADM staff add TR1 --name "Фарҳод Саидов" --role trainer --role mentor --centre DSH
    """
    from ..convert import unstructure

    roles = _split(roles)
    if state.acting_as:
        member = state.ctx().staff.add(code, full_name, roles, centre)
    else:
        member = state.programme().bootstrap_admin(code, full_name, roles, centre)
    done(_("Added {code} ({roles}).").format(code=member.code, roles=", ".join(sorted(r.value for r in member.roles))),
         state.format, unstructure(member))


@group.command("list")
@click.option("--centre", help=_("Only staff of this centre."))
@click.option("--role", help=_("Only staff with this role."))
@pass_state
def list_(state: CliState, centre, role):
    """List staff members.

    \b
    Example:
      reentry --as ADM staff list --role trainer
    """
    from ..convert import unstructure

    members = state.ctx().staff.list(centre=centre, role=role)
    emit_rows([unstructure(m) for m in members], COLUMNS, state.format, empty=_("No staff found."))


@group.command("roles")
@click.argument("code", required=False)
@click.option("--add", "add_roles", multiple=True, help=_("Give a role (repeatable)."))
@click.option("--remove", "remove_roles", multiple=True, help=_("Take a role away (repeatable)."))
@pass_state
def roles(state: CliState, code, add_roles, remove_roles):
    """Without CODE: each role and its permissions. With CODE: change that person's roles.

    \b
    Examples:
      reentry --as ADM staff roles
      reentry --as ADM staff roles TR1 --add committee_member --remove mentor
    """
    from ..convert import unstructure

    ctx = state.ctx()
    if code is None:
        if add_roles or remove_roles:
            raise click.UsageError(_("name the staff member whose roles change: staff roles CODE --add ROLE"))
        emit_rows(ctx.staff.role_table(), ["role", "permissions"], state.format)
        return
    if not (add_roles or remove_roles):
        member = ctx.staff.get(code)
        emit_rows([unstructure(member)], COLUMNS, state.format)
        return
    member = ctx.staff.set_roles(code, add=_split(add_roles), remove=_split(remove_roles))
    done(_("{code} now has the roles {roles}.").format(
        code=member.code, roles=", ".join(sorted(r.value for r in member.roles))), state.format, unstructure(member))
