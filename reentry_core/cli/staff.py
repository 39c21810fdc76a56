"""reentry staff: the people who use the tool, and their roles."""

from __future__ import annotations

import click

from ..i18n import _
from .output import done, emit_rows
from .state import CliState, pass_state

COLUMNS = ["code", "full_name", "roles", "centre", "active"]
WORK_COLUMNS = ["kind", "key", "description", "reassign"]
ROLES = "admin, case_worker, trainer, committee_member, finance_officer, mentor, me_officer"


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@click.group("staff")
def group():
    """Staff members: their roles, centre, deactivation, and the work they hold."""


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
    done(_("Added {code} ({roles}).").format(code=member.code, roles=", ".join(sorted(r.label for r in member.roles))),
         state.format, unstructure(member))


@group.command("list")
@click.option("--centre", help=_("Only staff of this centre."))
@click.option("--role", help=_("Only staff with this role."))
@click.option("--inactive", is_flag=True, help=_("Only deactivated staff."))
@click.option("--all", "everyone", is_flag=True, help=_("Active and deactivated staff."))
@pass_state
def list_(state: CliState, centre, role, inactive, everyone):
    """List the active staff members (--inactive: the deactivated ones; --all: both).

    \b
    Examples:
      reentry --as ADM staff list --role trainer
      reentry --as ADM staff list --inactive
    """
    from ..convert import unstructure

    if inactive and everyone:
        raise click.UsageError(_("--inactive and --all cannot go together"))
    active = None if everyone else not inactive
    members = state.ctx().staff.list(centre=centre, role=role, active=active)
    emit_rows([unstructure(m) for m in members], COLUMNS, state.format, empty=_("No staff found."))


@group.command("roles")
@click.argument("code", required=False)
@click.option("--add", "add_roles", multiple=True, help=_("Give a role (repeatable)."))
@click.option("--remove", "remove_roles", multiple=True, help=_("Take a role away (repeatable)."))
@click.option("--set", "set_roles", multiple=True, help=_("Give exactly these roles (repeat, or separate with commas)."))
@pass_state
def roles(state: CliState, code, add_roles, remove_roles, set_roles):
    """Without CODE: each role and its permissions. With CODE: change that person's roles.

    \b
    Examples:
      reentry --as ADM staff roles
      reentry --as ADM staff roles TR1 --add committee_member --remove mentor
      reentry --as ADM staff roles TR1 --set trainer,mentor
    """
    from ..convert import unstructure

    ctx = state.ctx()
    if code is None:
        if add_roles or remove_roles or set_roles:
            raise click.UsageError(_("name the staff member whose roles change: staff roles CODE --add ROLE"))
        emit_rows(ctx.staff.role_table(), ["role", "permissions"], state.format)
        return
    if not (add_roles or remove_roles or set_roles):
        member = ctx.staff.get(code)
        emit_rows([unstructure(member)], COLUMNS, state.format)
        return
    if set_roles and (add_roles or remove_roles):
        raise click.UsageError(_("--set gives exactly the roles named; it cannot go with --add or --remove"))
    member = ctx.staff.set_roles(code, add=_split(add_roles), remove=_split(remove_roles),
                                 roles=_split(set_roles) if set_roles else None)
    done(_("{code} now has the roles {roles}.").format(
        code=member.code, roles=", ".join(sorted(r.label for r in member.roles))), state.format, unstructure(member))


@group.command("deactivate")
@click.argument("code")
@click.option("--reason", required=True, help=_("Why they stop (left the programme, long leave …)."))
@pass_state
def deactivate(state: CliState, code, reason):
    """Stop CODE acting: they can no longer sign in with --as or REENTRY_USER; what they
    did stays theirs in the records and the audit trail. Lists the work they still hold,
    to hand over (see reentry staff work).

    \b
    Example:
      reentry --as ADM staff deactivate DSH-MN1 --reason "left the programme"
    """
    change = state.ctx().staff.deactivate(code, reason)
    code = change.member.code
    if change.open_work:
        message = _("{code} is deactivated; still holds: {work} — hand it over: reentry staff work {code}").format(
            code=code, work=holding(change.open_work))
    else:
        message = _("{code} is deactivated; they hold no open work.").format(code=code)
    done(message, state.format, _change_record(change))


@group.command("reactivate")
@click.argument("code")
@pass_state
def reactivate(state: CliState, code):
    """Let a deactivated staff member act again, with the roles and centre they had.

    \b
    Example:
      reentry --as ADM staff reactivate DSH-MN1
    """
    from ..convert import unstructure

    member = state.ctx().staff.reactivate(code)
    done(_("{code} is active again.").format(code=member.code), state.format, unstructure(member))


@group.command("move")
@click.argument("code")
@click.option("--centre", help=_("The centre they now work at."))
@click.option("--head-office", is_flag=True, help=_("They now work at head office (no centre)."))
@pass_state
def move(state: CliState, code, centre, head_office):
    """Move a staff member to another centre, or to head office. Lists the work they
    still hold, most of it at the centre they leave.

    \b
    Examples:
      reentry --as ADM staff move DSH-CW1 --centre KHJ
      reentry --as ADM staff move DSH-CW1 --head-office
    """
    if bool(centre) == head_office:
        raise click.UsageError(_("say where they move: --centre CODE or --head-office"))
    change = state.ctx().staff.move(code, centre=centre, head_office=head_office)
    member = change.member
    message = _("{code} now works at {where}.").format(code=member.code, where=member.centre or _("head office"))
    if change.open_work:
        message = _("{code} now works at {where}; still holds: {work} — hand it over: reentry staff work {code}").format(
            code=member.code, where=member.centre or _("head office"), work=holding(change.open_work))
    done(message, state.format, _change_record(change))


@group.command("set-password")
@click.argument("code", required=False)
@click.option("--password-stdin", is_flag=True, help=_("Read the password from the first line of standard input."))
@pass_state
def set_password(state: CliState, code, password_stdin):
    """Set or reset CODE's password for the web workspace (reentry serve). Asked twice,
    never shown, never stored or audited as typed (only its argon2 hash is kept). Without
    CODE: change your own, giving the current one first (with --password-stdin: the
    current one on the first line, the new one on the second).

    \b
    Examples:
      reentry --as ADM staff set-password DSH-MN1
      printf '%s\\n' "$PASSWORD" | reentry --as ADM staff set-password DSH-MN1 --password-stdin
      reentry --as DSH-MN1 staff set-password
    """
    import sys

    def read(prompt: str, confirm: bool) -> str:
        if password_stdin:
            return sys.stdin.readline().rstrip("\r\n")
        return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)

    ctx = state.ctx()
    if code is None:
        current = read(_("Current password"), False)
        ctx.staff.change_own_password(current, read(_("New password"), True))
        done(_("Your password is changed."), state.format, {"code": ctx.code, "password": "changed"})
        return
    ctx.staff.set_password(code, read(_("Password"), True))
    done(_("The password of {code} is set.").format(code=code.strip().upper()), state.format,
         {"code": code.strip().upper(), "password": "set"})


@group.command("work")
@click.argument("code")
@pass_state
def work(state: CliState, code):
    """What CODE still holds and how to hand each item over: the referrals they opened
    that are still open, and what the plugins count (cohorts they train, committees they
    sit on and votes not cast, mentees). Before or after a deactivation or a move.

    \b
    Example:
      reentry --as ADM staff work DSH-MN1
    """
    from ..convert import unstructure

    items = state.ctx().staff.open_work(code)
    emit_rows([unstructure(item) for item in items], WORK_COLUMNS, state.format,
              empty=_("{code} holds no open work.").format(code=code.strip().upper()))


def holding(items, shown: int = 5) -> str:
    """The work held, in one line: each kind with its first keys (``mentee DSH-2026-0012, …``)."""
    by_kind: dict[str, list[str]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item.key)
    parts = []
    for kind, keys in by_kind.items():
        more = _(", … ({n} in all)").format(n=len(keys)) if len(keys) > shown else ""
        parts.append(f"{kind} {', '.join(keys[:shown])}{more}")
    return "; ".join(parts)


def _change_record(change) -> dict:
    """A deactivation's or a move's answer for scripts: the member as stored, and the open
    work they still hold. It stays a function, not a Presenter: it joins two things (the
    member and a list of other records) rather than showing the columns of one object."""
    from ..convert import unstructure

    return {**unstructure(change.member), "open_work": [unstructure(item) for item in change.open_work]}
