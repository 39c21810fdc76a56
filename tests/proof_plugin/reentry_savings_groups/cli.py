"""reentry savings: parse, call the service, print."""

from __future__ import annotations

import click

from reentry_core.sdk import CliState, done, emit_rows, pass_state


@click.group("savings")
def group():
    """Savings groups: members save together from the first month of their business."""


@group.command("group-add")
@click.argument("code")
@click.option("--centre", required=True)
@click.option("--name", required=True)
@click.option("--formed-on", metavar="DATE")
@pass_state
def group_add(state: CliState, code, centre, name, formed_on):
    """Form a savings group at a centre.

    \b
    Example:
      reentry --as CW1 savings group-add SG-DSH-1 --centre DSH --name "Tailors of Sino"
    """
    made = state.ctx().savings.add_group(code, centre, name, formed_on)
    done(f"Formed savings group {made.code} at {made.centre}.", state.format, {"code": made.code})


@group.command("join")
@click.argument("group_code")
@click.argument("participant")
@click.option("--on", metavar="DATE")
@pass_state
def join(state: CliState, group_code, participant, on):
    """Add PARTICIPANT to a savings group.

    \b
    Example:
      reentry --as CW1 savings join SG-DSH-1 DSH-2026-0001
    """
    state.ctx().savings.join(group_code, participant, on)
    done(f"{participant.upper()} joined {group_code.upper()}.", state.format, None)


@group.command("deposit")
@click.argument("group_code")
@click.argument("participant")
@click.argument("amount")
@click.option("--on", metavar="DATE")
@pass_state
def deposit(state: CliState, group_code, participant, amount, on):
    """Record a member's deposit (TJS).

    \b
    Example:
      reentry --as CW1 savings deposit SG-DSH-1 DSH-2026-0001 150
    """
    value = state.ctx().savings.deposit(group_code, participant, amount, on)
    done(f"Deposited {value} TJS for {participant.upper()}.", state.format, {"amount": str(value)})


@group.command("balance")
@click.argument("group_code")
@pass_state
def balance(state: CliState, group_code):
    """Each member's savings in a group.

    \b
    Example:
      reentry --as CW1 savings balance SG-DSH-1
    """
    rows = [{"participant": b.participant, "full_name": b.full_name, "joined_on": b.joined_on, "saved": b.saved}
            for b in state.ctx().savings.balance(group_code)]
    emit_rows(rows, ["participant", "full_name", "joined_on", "saved"], state.format, empty="No members yet.")
