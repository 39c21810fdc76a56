"""reentry referrals: hand-overs to other services and their status."""

from __future__ import annotations

import click

from ..i18n import _
from .output import done, emit_rows
from .state import CliState, pass_state

COLUMNS = ["id", "participant", "service_type", "to_whom", "status", "opened_on", "accepted_on", "closed_on",
           "reason", "note"]
SERVICES = ["legal", "psychological", "drug_treatment", "employment", "documents", "other"]
STATUSES = ["open", "accepted", "done", "declined", "cancelled"]


@click.group("referrals")
def group():
    """Referrals to lawyers, psychologists, drug treatment, employment and document services."""


@group.command("add")
@click.argument("participant")
@click.option("--service", "service_type", required=True, type=click.Choice(SERVICES), help=_("Kind of service."))
@click.option("--to", "to_whom", required=True, help=_("The organisation or person referred to."))
@click.option("--reason", required=True, help=_("Why the referral is made."))
@click.option("--on", "opened_on", metavar="DATE", help=_("Date opened (default today)."))
@pass_state
def add(state: CliState, participant, service_type, to_whom, reason, opened_on):
    """Refer PARTICIPANT to another service. Needs consent on file that covers referrals.

    \b
    Example:
      reentry --as CW1 referrals add DSH-2026-0001 --service legal --to "Legal aid centre, Dushanbe" \\
          --reason "passport was not returned on release"
    """
    from ..convert import unstructure

    referral = state.ctx().referrals.add(participant, service_type, to_whom, reason, opened_on)
    done(_("Opened referral {id}: {participant} to {to} ({service}).").format(
        id=referral.id, participant=referral.participant, to=referral.to_whom, service=referral.service_type.label),
        state.format, unstructure(referral))


@group.command("update")
@click.argument("referral_id", type=int)
@click.option("--status", required=True, type=click.Choice(STATUSES[1:]), help=_("The new status."))
@click.option("--on", metavar="DATE", help=_("Date of the change (default today)."))
@click.option("--note", help=_("What happened."))
@pass_state
def update(state: CliState, referral_id, status, on, note):
    """Move a referral along: open → accepted → done, or declined / cancelled.

    \b
    Example:
      reentry --as CW1 referrals update 12 --status done --note "passport issued"
    """
    from ..convert import unstructure

    referral = state.ctx().referrals.update(referral_id, status, on, note)
    done(_("Referral {id} is now {status}.").format(id=referral.id, status=referral.status.label),
         state.format, unstructure(referral))


@group.command("edit")
@click.argument("referral_id", type=int)
@click.option("--service", "service_type", type=click.Choice(SERVICES), help=_("The right kind of service."))
@click.option("--to", "to_whom", help=_("The right organisation or person referred to."))
@click.option("--referral-reason", help=_("The right reason the referral was made."))
@click.option("--on", "opened_on", metavar="DATE", help=_("The right date it was opened."))
@click.option("--reason", required=True, help=_("Why it is corrected (kept in the audit trail with the earlier "
                                                "values)."))
@pass_state
def edit(state: CliState, referral_id, service_type, to_whom, referral_reason, opened_on, reason):
    """Correct what was entered about referral REFERRAL_ID, at any status.

    \b
    Example:
      reentry --as CW1 referrals edit 12 --to "Legal aid centre, Khujand" --reason "sent to the Khujand office"
    """
    from ..convert import unstructure

    referral = state.ctx().referrals.edit(referral_id, service_type=service_type, to_whom=to_whom,
                                          referral_reason=referral_reason, opened_on=opened_on, reason=reason)
    done(_("Corrected referral {id}: {participant} to {to} ({service}).").format(
        id=referral.id, participant=referral.participant, to=referral.to_whom, service=referral.service_type.label),
        state.format, unstructure(referral))


@group.command("reopen")
@click.argument("referral_id", type=int)
@click.option("--reason", required=True, help=_("Why it is reopened (kept in the audit trail)."))
@pass_state
def reopen(state: CliState, referral_id, reason):
    """Reopen referral REFERRAL_ID, closed by mistake: back to accepted if it was accepted, else open.

    \b
    Example:
      reentry --as CW1 referrals reopen 12 --reason "marked done by mistake; the passport is not issued yet"
    """
    from ..convert import unstructure

    referral = state.ctx().referrals.reopen(referral_id, reason)
    done(_("Referral {id} is {status} again.").format(id=referral.id, status=referral.status.label),
         state.format, unstructure(referral))


@group.command("list")
@click.option("--participant", help=_("Only this participant's referrals."))
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--service", "service_type", type=click.Choice(SERVICES))
@click.option("--centre", help=_("Only participants of this centre."))
@pass_state
def list_(state: CliState, participant, status, service_type, centre):
    """List referrals.

    \b
    Example:
      reentry --as CW1 referrals list --status open --centre DSH
    """
    from ..convert import unstructure

    referrals = state.ctx().referrals.list(participant=participant, status=status, service_type=service_type,
                                           centre=centre)
    emit_rows([unstructure(r) for r in referrals], COLUMNS, state.format, empty=_("No referrals found."))
