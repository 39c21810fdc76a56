"""reentry centres: the reintegration centres."""

from __future__ import annotations

import click

from ..i18n import _
from .output import done, emit_rows
from .state import CliState, pass_state

COLUMNS = ["code", "name", "city"]


@click.group("centres")
def group():
    """Reintegration centres (one per city)."""


@group.command("add")
@click.argument("code")
@click.option("--name", required=True, help=_("The centre's name."))
@click.option("--city", required=True, help=_("The city it serves."))
@pass_state
def add(state: CliState, code, name, city):
    """Add a centre with a short CODE (2–6 capital letters).

    \b
    Example:
      reentry --as ADM centres add KHJ --name "Khujand reintegration centre" --city Khujand
    """
    from ..convert import unstructure

    centre = state.ctx().centres.add(code, name, city)
    done(_("Added centre {code} ({city}).").format(code=centre.code, city=centre.city), state.format, unstructure(centre))


@group.command("edit")
@click.argument("code")
@click.option("--name", help=_("The centre's new name."))
@click.option("--city", help=_("The new city."))
@click.option("--reason", required=True, help=_("Why it changes (kept in the audit trail with the earlier values)."))
@pass_state
def edit(state: CliState, code, name, city, reason):
    """Correct the name or city of centre CODE; its code stays on every record.

    \b
    Example:
      reentry --as ADM centres edit KHJ --name "Khujand reintegration centre No. 1" --reason "office renamed"
    """
    from ..convert import unstructure

    centre = state.ctx().centres.edit(code, name=name, city=city, reason=reason)
    done(_("Centre {code} is now {name} ({city}).").format(code=centre.code, name=centre.name, city=centre.city),
         state.format, unstructure(centre))


@group.command("list")
@pass_state
def list_(state: CliState):
    """List the centres.

    \b
    Example:
      reentry --as ADM centres list
    """
    from ..convert import unstructure

    centres = state.ctx().centres.list()
    emit_rows([unstructure(c) for c in centres], COLUMNS, state.format, empty=_("No centres yet."))
