"""reentry audit: who changed what, and proof that nobody rewrote it."""

from __future__ import annotations

import click

from ..errors import ExitCode
from ..i18n import _, ngettext
from .output import emit_rows
from .state import CliState, pass_state

COLUMNS = ["seq", "at", "actor", "action", "entity", "entity_key", "before", "after"]
TABLE_COLUMNS = ["seq", "at", "actor", "action", "record", "changes"]


@click.group("audit")
def group():
    """The audit trail of every change."""


@group.command("log")
@click.option("--entity", help=_("participant, staff, centre, referral …"))
@click.option("--key", help=_("The record's code or number, e.g. DSH-2026-0001."))
@click.option("--actor", help=_("Only changes by this staff code."))
@click.option("--action", help=_("e.g. participant.register, or participant.* for all."))
@click.option("--since", metavar="DATE", help=_("From this date (inclusive)."))
@click.option("--until", metavar="DATE", help=_("Up to this date (inclusive)."))
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@pass_state
def log(state: CliState, entity, key, actor, action, since, until, limit):
    """List audit events, newest first.

    \b
    Examples:
      reentry --as ADM audit log --key DSH-2026-0001
      reentry --as ADM audit log --actor CW1 --since 2026-11-01 --format json
    """
    from ..convert import parse_date

    events = state.ctx().audit.log(
        entity=entity, key=key.upper() if key else None, actor=actor, action=action,
        since=parse_date(since) if since else None, until=parse_date(until) if until else None, limit=limit,
    )
    if state.format == "table":
        rows = [{"seq": ev.seq, "at": ev.at.strftime("%Y-%m-%d %H:%M"), "actor": ev.actor, "action": ev.action,
                 "record": f"{ev.entity} {ev.entity_key}", "changes": describe_change(ev.before, ev.after)}
                for ev in events]
        emit_rows(rows, TABLE_COLUMNS, state.format, empty=_("No audit events match."))
        return
    rows = [{"seq": ev.seq, "at": ev.at, "actor": ev.actor, "action": ev.action, "entity": ev.entity,
             "entity_key": ev.entity_key, "before": ev.before, "after": ev.after} for ev in events]
    emit_rows(rows, COLUMNS, state.format)


def describe_change(before: dict | None, after: dict | None) -> str:
    """For people: what a change did, in a few words (``phone: — → +99293…``)."""
    if before is None:
        records = after.get("records") if isinstance(after, dict) else None
        if isinstance(records, dict) and len(records) != 1:  # a batch event (an import)
            return ngettext("{n} record created", "{n} records created", len(records)).format(n=len(records))
        return _("created")
    if after is None:
        return _("deleted")
    changed = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return "; ".join(f"{k}: {_short(before.get(k))} → {_short(after.get(k))}" for k in changed)


def _short(value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


@group.command("verify")
@click.option("--anchor", "anchors", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help=_("An anchor made by 'audit anchor': the trail must still hold what it saw. Repeatable."))
@pass_state
def verify(state: CliState, anchors):
    """Check the hash chain: any edited or deleted event is reported.

    With --anchor, also check the trail against checkpoints kept outside the database:
    a trail emptied, cut back or recomputed since the anchor was made is reported.

    \b
    Examples:
      reentry --as ADM audit verify
      reentry --as ME1 audit verify --anchor anchor-2026-11.txt --anchor anchor-2026-12.txt
    """
    result = state.ctx().audit.verify(anchor=list(anchors) or None)
    for problem in result.problems:
        click.echo(problem, err=True)
    for note in result.notes:
        click.echo(_("Note: {note}").format(note=note), err=True)
    if not result.ok:
        click.echo(ngettext("Error: the audit trail was tampered with ({n} problem).",
                            "Error: the audit trail was tampered with ({n} problems).", len(result.problems)).format(
            n=len(result.problems)), err=True)
        raise SystemExit(ExitCode.TAMPERED)
    if result.unchecked:
        click.echo(ngettext(
            "No problem found in {ok} of {n} events; {k} keyed event could not be checked: it needs an audit key "
            "not set here (REENTRY_AUDIT_KEY_FILE). Last hash {hash}.",
            "No problem found in {ok} of {n} events; {k} keyed events could not be checked: they need an audit key "
            "not set here (REENTRY_AUDIT_KEY_FILE). Last hash {hash}.", result.unchecked).format(
            ok=result.checked - result.unchecked, n=result.checked, k=result.unchecked, hash=result.head_hash))
    else:
        click.echo(_("The audit trail is intact: {n} events, last hash {hash}.").format(
            n=result.checked, hash=result.head_hash))
    if result.anchors:
        click.echo(ngettext("It still holds what the {n} anchor given saw.",
                            "It still holds what the {n} anchors given saw.", result.anchors).format(n=result.anchors))


@group.command("anchor")
@click.option("--out", type=click.Path(dir_okay=False), metavar="FILE",
              help=_("Write the anchor to FILE (owner-only) instead of printing it."))
@pass_state
def anchor(state: CliState, out):
    """Make a checkpoint of the audit trail to keep outside the database.

    The anchor is a few lines: this database's id, the number of events, the newest
    hash and the time, signed with the audit key when one is set. Print it, e-mail it
    to the donor or keep it on another machine; 'audit verify --anchor FILE' then shows
    whether the trail was emptied, cut back or recomputed since. Making it is audited.

    \b
    Examples:
      reentry --as ME1 audit anchor
      reentry --as ME1 audit anchor --out anchor-2026-12.txt
    """
    from pathlib import Path

    made = state.ctx().audit.anchor(Path(out) if out else None)
    if out:
        click.echo(_("Anchor written to {file}: {n} events, last hash {hash}. Keep it outside the database.").format(
            file=out, n=made.seq, hash=made.head))
    else:
        click.echo(made.text, nl=False)


@group.command("new-key")
@click.argument("file", type=click.Path(dir_okay=False))
def new_key(file):
    """Make a new secret audit key in FILE (owner-only; refused if FILE exists).

    Keep the file off the database's machine or at least out of the database's reach
    and make REENTRY_AUDIT_KEY_FILE name it wherever reentry writes: new events are then
    chained with HMAC-SHA256 under it, and anchors are signed. Losing the key means the
    events it chained can no longer be checked.

    \b
    Example:
      reentry audit new-key ~/reentry-audit.key && export REENTRY_AUDIT_KEY_FILE=~/reentry-audit.key
    """
    from ..services.audit_log import write_new_key

    key_id = write_new_key(file)
    click.echo(_("A new audit key (fingerprint {id}) is in {file}.").format(id=key_id, file=file))


@group.command("access")
@click.option("--key", help=_("Who looked at this participant, e.g. DSH-2026-0001."))
@click.option("--staff", help=_("What this staff member looked at."))
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.option("--verify", "check", is_flag=True, help=_("Check the access log's own hash chain instead."))
@pass_state
def access(state: CliState, key, staff, limit, check):
    """Who looked at whose records: views and exports, newest first (admins).

    \b
    Examples:
      reentry --as ADM audit access --key DSH-2026-0001
      reentry --as ADM audit access --staff ME1 --format csv
      reentry --as ADM audit access --verify
    """
    ctx = state.ctx()
    if check:
        result = ctx.access.verify()
        for problem in result.problems:
            click.echo(problem, err=True)
        if not result.ok:
            click.echo(ngettext("Error: the access log was tampered with ({n} problem).",
                                "Error: the access log was tampered with ({n} problems).",
                                len(result.problems)).format(n=len(result.problems)), err=True)
            raise SystemExit(ExitCode.TAMPERED)
        click.echo(_("The access log is intact: {n} entries, last hash {hash}.").format(
            n=result.checked, hash=result.head_hash))
        if result.waiting:
            click.echo(ngettext("{n} view made while the database was busy waits to be chained by the next one.",
                                "{n} views made while the database was busy wait to be chained by the next one.",
                                result.waiting).format(n=result.waiting))
        return
    entries = ctx.access.log(key=key, staff=staff, limit=limit)
    rows = [{"seq": e.seq, "at": e.at.strftime("%Y-%m-%d %H:%M") if state.format == "table" else e.at,
             "actor": e.actor, "action": e.action, "people": e.people, "detail": e.detail or ""}
            for e in entries]
    emit_rows(rows, ["seq", "at", "actor", "action", "people", "detail"], state.format,
              empty=_("Nobody looked at these records through reentry yet."))
