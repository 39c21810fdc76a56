"""reentry participants: registration, details, consent, exit, import and export."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ReentryError
from ..i18n import _, ngettext
from .output import done, emit_record, emit_rows
from .present import Presenter
from .state import CliState, pass_state
from ..words import date_text

SEXES = ["female", "male"]
OFFENCES = ["property", "violent", "drug_related", "economic", "traffic", "other"]
EXIT_REASONS = ["completed", "moved_away", "withdrew", "lost_contact", "reoffended", "deceased", "other"]
LIST_COLUMNS = ["code", "full_name", "sex", "birth_date", "centre", "registered_on", "status"]
SENSITIVE = ["release_date", "facility", "offence_category"]
DETAIL_COLUMNS = ["code", "full_name", "sex", "birth_date", "centre", "registered_on", "phone", *SENSITIVE,
                  "status", "exit_reason", "exited_on", "exit_note"]
#: One participant in detail; :data:`SENSITIVE` fields only for those who may read them.
DETAIL = Presenter(*DETAIL_COLUMNS)
DETAIL_NOT_SENSITIVE = DETAIL.without(*SENSITIVE)


def _record(state: CliState, participant, sees_sensitive: bool) -> dict:
    return (DETAIL if sees_sensitive else DETAIL_NOT_SENSITIVE)(participant, state.converter)


def detail_options(required: bool):
    """The options shared by ``add`` and ``update``."""
    def decorate(func):
        options = [
            click.option("--name", "full_name", required=required, help=_("Full name, in Cyrillic or Latin letters.")),
            click.option("--sex", required=required, type=click.Choice(SEXES, case_sensitive=False)),
            click.option("--birth-date", "birth_date", metavar="DATE", required=required,
                         help=_("YYYY-MM-DD or DD.MM.YYYY.")),
            click.option("--phone", help=_("e.g. +992 93 123 4567.")),
            click.option("--release-date", "release_date", metavar="DATE", help=_("Date of release (sensitive).")),
            click.option("--facility", help=_("Releasing facility, e.g. 'Nurek 3/8' (sensitive).")),
            click.option("--offence", "offence_category", type=click.Choice(OFFENCES),
                         help=_("Offence category (sensitive, optional).")),
        ]
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


@click.group("participants")
def group():
    """Participants: people after release taking part in the programme."""


@group.command("add")
@detail_options(required=True)
@click.option("--centre", required=True, help=_("The centre registering them, e.g. DSH."))
@click.option("--registered-on", "registered_on", metavar="DATE", help=_("Registration date (default today)."))
@click.option("--allow-same-name", is_flag=True,
              help=_("Register even if someone with the same name and birth date is at this centre."))
@pass_state
def add(state: CliState, allow_same_name, **fields):
    """Register a participant; prints the public code they keep (e.g. DSH-2026-0042).

    \b
    Example:
      reentry --as CW1 participants add --name "Ҷамшед Раҳимов" --sex male \\
          --birth-date 12.03.1985 --centre DSH --release-date 2026-09-30 --facility "Yavan 3/6"
    """
    ctx = state.ctx()
    participant = ctx.participants.register(allow_same_name=allow_same_name, **fields)
    done(_("Registered {name} as {code}.").format(name=participant.full_name, code=participant.code),
         state.format, _record(state, participant, ctx.participants.sees_sensitive))


@group.command("list")
@click.option("--centre", help=_("Only this centre."))
@click.option("--status", type=click.Choice(["active", "exited"]))
@click.option("--sex", type=click.Choice(SEXES))
@click.option("--search", help=_("Part of a name or code."))
@click.option("--limit", type=click.IntRange(1))
@pass_state
def list_(state: CliState, centre, status, sex, search, limit):
    """List participants, by code.

    \b
    Examples:
      reentry --as CW1 participants list --centre DSH --status active
      reentry --as CW1 participants list --search раҳим
    """
    from ..convert import unstructure

    people = state.ctx().participants.list(centre=centre, status=status, sex=sex, search=search, limit=limit)
    emit_rows([unstructure(p) for p in people], LIST_COLUMNS, state.format, empty=_("No participants found."))


@group.command("show")
@click.argument("code")
@pass_state
def show(state: CliState, code):
    """Show one participant with their consent and referrals.

    Facility, release date and offence are shown only to admins and case workers.

    \b
    Example:
      reentry --as CW1 participants show DSH-2026-0001
    """
    ctx = state.ctx()
    participant = ctx.participants.get(code)
    record = _record(state, participant, ctx.participants.sees_sensitive)
    consent = ctx.participants.current_consent(participant.code)
    record["consent"] = (
        _("given {on} ({scope})").format(on=date_text(consent.given_on),
                                         scope=", ".join(sorted(s.label for s in consent.scope)))
        if consent else _("none on file")
    )
    if ctx.can("referrals.view"):
        referrals = ctx.referrals.list(participant=participant.code)
        record["referrals"] = [f"{r.id}: {r.service_type.value} → {r.to_whom} ({r.status.value})" for r in referrals]
    emit_record(record, state.format, title=participant.full_name or participant.code)


@group.command("update")
@click.argument("code")
@detail_options(required=False)
@pass_state
def update(state: CliState, code, **changes):
    """Change a participant's details. An empty value (--phone "") clears an optional field.

    \b
    Example:
      reentry --as CW1 participants update DSH-2026-0001 --phone "+992 93 555 0101"
    """
    if all(v is None for v in changes.values()):
        raise click.UsageError(_("say what to change, e.g. --phone or --name"))
    ctx = state.ctx()
    participant = ctx.participants.update(code, **changes)
    done(_("Updated {code}.").format(code=participant.code), state.format,
         _record(state, participant, ctx.participants.sees_sensitive))


@group.command("exit")
@click.argument("code")
@click.option("--reason", required=True, type=click.Choice(EXIT_REASONS))
@click.option("--on", metavar="DATE", help=_("Date they left (default today)."))
@click.option("--note", help=_("Anything worth keeping about it."))
@pass_state
def exit_(state: CliState, code, reason, on, note):
    """Record that a participant left the programme.

    \b
    Example:
      reentry --as CW1 participants exit DSH-2026-0001 --reason moved_away --note "moved to Khujand"
    """
    ctx = state.ctx()
    participant = ctx.participants.exit(code, reason, on, note)
    done(_("{code} left the programme ({reason}).").format(code=participant.code, reason=reason), state.format,
         _record(state, participant, ctx.participants.sees_sensitive))


@group.command("readmit")
@click.argument("code")
@click.option("--reason", required=True, help=_("Why they come back."))
@pass_state
def readmit(state: CliState, code, reason):
    """Take back someone who had left the programme (their held grant can be paid again).

    \b
    Example:
      reentry --as CW1 participants readmit DSH-2026-0001 --reason "back from Russia"
    """
    ctx = state.ctx()
    participant = ctx.participants.readmit(code, reason)
    done(_("{code} is back in the programme.").format(code=participant.code), state.format,
         _record(state, participant, ctx.participants.sees_sensitive))


@group.command("transfer")
@click.argument("code")
@click.option("--to", "to", required=True, metavar="CENTRE", help=_("The centre they move to, e.g. KHJ."))
@click.option("--reason", required=True, help=_("Why they move."))
@pass_state
def transfer(state: CliState, code, to, reason):
    """Move a participant to another centre (an admin, or a case worker of their centre).

    From then on the receiving centre sees them and the sending one no longer does; the
    code stays. Audited.

    \b
    Example:
      reentry --as CW1 participants transfer DSH-2026-0001 --to KHJ --reason "moved to Khujand"
    """
    ctx = state.ctx()
    participant = ctx.participants.transfer(code, to, reason)
    done(_("{code} now belongs to {centre}.").format(code=participant.code, centre=participant.centre),
         state.format, {"code": participant.code, "centre": participant.centre})


@group.command("correct-centre")
@click.argument("code")
@click.option("--to", "to", required=True, metavar="CENTRE", help=_("The centre they should have been registered at."))
@click.option("--reason", required=True, help=_("Why the registration belongs to that centre."))
@pass_state
def correct_centre(state: CliState, code, to, reason):
    """Correct a registration made at the wrong centre (an admin, or a case worker of that centre).

    Unlike a transfer (the person moved), they belonged to the other centre from the start:
    they get its next code, and the code they had still finds them. Audited with the
    registration as it was and the reason.

    \b
    Example:
      reentry --as CW1 participants correct-centre DSH-2026-0057 --to KHJ --reason "registered at the wrong desk"
    """
    participant = state.ctx().participants.correct_centre(code, to, reason)
    done(_("{was} belongs to {centre} and is now {code}; {was} still finds them.").format(
        was=code.strip().upper(), centre=participant.centre, code=participant.code),
        state.format, {"code": participant.code, "centre": participant.centre, "was": code.strip().upper()})


DUPLICATE = Presenter("first", "first_name", "second", "second_name", ("reasons", "reasons", "; ".join), "born",
                      "first_centre", "second_centre")


@group.command("duplicates")
@click.option("--centre", help=_("Only this centre's records."))
@pass_state
def duplicates(state: CliState, centre):
    """List records that may be one person registered twice, strongest first.

    A pair is listed when the names are the same or close once spelling and alphabet are set
    aside (Rahimov, Рахимов and Раҳимов alike; word order; a missing patronymic) and the birth
    date or the phone is the same. Look at both, then merge them if they are one person.

    \b
    Example:
      reentry --as CW1 participants duplicates --centre DSH
    """
    pairs = state.ctx().participants.duplicates(centre=centre)
    emit_rows([DUPLICATE(pair, state.converter) for pair in pairs], DUPLICATE.names, state.format,
              empty=_("No likely duplicates found."), keep=["first", "second", "reasons"])


@group.command("merge")
@click.argument("keep")
@click.argument("duplicate")
@click.option("--reason", required=True, help=_("Why the two records are one person."))
@pass_state
def merge(state: CliState, keep, duplicate, reason):
    """Merge the record DUPLICATE into KEEP: one person, one code.

    Their consent, referrals, plans, applications, visits and everything else recorded
    about DUPLICATE move to KEEP; details KEEP lacks (phone, release date, facility,
    offence) are taken from DUPLICATE. DUPLICATE's code still finds the person. Refused
    when the two cannot be one (both in one cohort, both applied to one round); records of
    two centres are merged by an admin. Audited with both records as they were.

    \b
    Example:
      reentry --as CW1 participants merge DSH-2026-0001 DSH-2026-0057 --reason "registered twice, same passport"
    """
    merged = state.ctx().participants.merge(keep, duplicate, reason)
    moved = sum(merged.moved.values())
    done(ngettext("Merged {gone} into {code}: {n} record moved; {gone} now finds {code}.",
                  "Merged {gone} into {code}: {n} records moved; {gone} now finds {code}.", moved).format(
        gone=merged.merged, code=merged.kept.code, n=moved),
        state.format, {"code": merged.kept.code, "merged": merged.merged, "moved": merged.moved})


@group.command("erase")
@click.argument("codes", nargs=-1, metavar="[CODE]...")
@click.option("--due", is_flag=True, help=_("Everyone whose retention period has run out."))
@click.option("--reason", help=_("Why: the person's request (with its date), or the retention period."))
@click.option("--dry-run", is_flag=True, help=_("List what would be erased; change nothing."))
@pass_state
def erase(state: CliState, codes, due, reason, dry_run):
    """Erase the identifying details of people who left the programme (admins only).

    Their name, phone, release date, facility, offence and exit note, what their referrals
    say, the plugins' notes about them, and every audit entry holding any of it are
    erased; their code, sex, birth date, centre, dates and statuses stay, so every report
    counts the same. Audited; the audit trail still verifies. Cannot be undone: try
    --dry-run first.

    \b
    Examples:
      reentry --as ADM participants erase DSH-2025-0010 --reason "asked on 2026-12-01" --dry-run
      reentry --as ADM participants erase --due --dry-run
    """
    if bool(codes) == due:
        raise click.UsageError(_("give the codes of the people to erase, or --due (not both)"))
    if codes and not reason:
        raise click.UsageError(_("say why they are erased: --reason \"asked on 2026-12-01\""))
    participants = state.ctx().participants
    if due:
        done_list = participants.erase_due(reason, dry_run=dry_run)
    else:
        done_list = []
        for code in codes:  # each person their own audited erasure, in order
            try:
                done_list.append(participants.erase(code, reason, dry_run=dry_run))
            except ReentryError:
                if done_list and not dry_run:
                    click.echo(_("Erased before the refusal: {codes}.").format(codes=", ".join(e.code for e in done_list)))
                raise
    rows = [{"code": e.code, "fields": ", ".join(e.fields) or "-", "referrals": e.referrals,
             "audit_entries": len(e.events), "plugins": "; ".join(e.plugins) or "-"} for e in done_list]
    if rows or state.format != "table":
        emit_rows(rows, ["code", "fields", "referrals", "audit_entries", "plugins"], state.format)
    if state.format != "table":
        return
    if dry_run:
        click.echo(ngettext("{n} person would be erased; nothing was changed (dry run).",
                            "{n} people would be erased; nothing was changed (dry run).", len(rows)).format(n=len(rows)))
    else:
        click.echo(ngettext("{n} person erased.", "{n} people erased.", len(rows)).format(n=len(rows)))


@group.command("retention")
@click.argument("years", required=False, metavar="[YEARS]")
@click.option("--off", is_flag=True, help=_("No retention period: people are erased only by hand."))
@pass_state
def retention(state: CliState, years, off):
    """Show the retention period, or set it (admins only; audited): people are erased
    YEARS years after they left, by 'reentry participants erase --due'.

    \b
    Examples:
      reentry --as ADM participants retention
      reentry --as ADM participants retention 5
    """
    participants = state.ctx().participants
    if years is None and not off:
        current = participants.retention()
        click.echo(_("No retention period is set: people are erased only by hand.") if current is None else
                   ngettext("People's details are kept {n} year after they leave, then erased.",
                        "People's details are kept {n} years after they leave, then erased.", current).format(n=current))
        return
    if years is not None and off:
        raise click.UsageError(_("give YEARS or --off, not both"))
    current = participants.set_retention(None if off else years)
    click.echo(_("No retention period: people are erased only by hand.") if current is None else
               ngettext("The retention period is now {n} year after leaving; see who is due with: reentry "
                        "participants erase --due --dry-run",
                        "The retention period is now {n} years after leaving; see who is due with: reentry "
                        "participants erase --due --dry-run", current).format(n=current))


@group.command("consent")
@click.argument("code")
@click.option("--given-on", metavar="DATE", help=_("Date consent was given (default today)."))
@click.option("--scope", default="programme,referrals", show_default=True,
              help=_("What they agreed to: programme, referrals, research, media (comma-separated)."))
@click.option("--withdraw", is_flag=True, help=_("Record that consent was withdrawn."))
@click.option("--on", metavar="DATE", help=_("With --withdraw: the date (default today)."))
@click.option("--history", is_flag=True, help=_("Show every consent record instead of changing anything."))
@pass_state
def consent(state: CliState, code, given_on, scope, withdraw, on, history):
    """Record, withdraw or show a participant's informed consent.

    \b
    Examples:
      reentry --as CW1 participants consent DSH-2026-0001 --given-on 2026-11-20
      reentry --as CW1 participants consent DSH-2026-0001 --withdraw
      reentry --as CW1 participants consent DSH-2026-0001 --history
    """
    from ..convert import unstructure

    ctx = state.ctx()
    if history:
        rows = [unstructure(c) for c in ctx.participants.consents(code)]
        emit_rows(rows, ["id", "participant", "given_on", "scope", "withdrawn_on"], state.format,
                  empty=_("No consent on file."))
        return
    if withdraw:
        record = ctx.participants.withdraw_consent(code, on)
        done(_("Consent of {code} withdrawn on {on}.").format(code=record.participant, on=record.withdrawn_on),
             state.format, unstructure(record))
        return
    record = ctx.participants.record_consent(code, given_on, scope)
    done(_("Consent of {code} recorded ({scope}).").format(
        code=record.participant, scope=", ".join(sorted(s.label for s in record.scope))), state.format,
        unstructure(record))


@group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help=_("Check every row, import nothing."))
@click.option("--encoding", help=_("Encoding of a CSV file if not UTF-8, e.g. cp1251."))
@pass_state
def import_(state: CliState, path, dry_run, encoding):
    """Import participants from a CSV or XLSX file: all rows, or none.

    \b
    Columns (header row, any order):
      required: full_name, sex, birth_date, centre
      optional: phone, release_date, facility, offence_category, registered_on,
                consent_given_on, consent_scope
    Dates as YYYY-MM-DD or DD.MM.YYYY. A row with the same name and birth date as
    someone already at that centre is reported as a duplicate and skipped.

    \b
    Example:
      reentry --as CW1 participants import intake-november.xlsx --dry-run
    """
    from .progress import file_progress

    ctx = state.ctx()
    with file_progress(path) as progress:
        report = ctx.participants.import_file(path, dry_run=dry_run, encoding=encoding, progress=progress)
    for line in report.duplicates:
        click.echo(_("Skipped duplicate: {line}").format(line=line))
    if report.dry_run:
        click.echo(_("Dry run: all {rows} rows of {file} are valid; {n} would be imported, {d} duplicates skipped.").format(
            rows=report.rows, file=path.name, n=report.imported, d=report.duplicate_count))
    elif not report.imported:  # the same register entered again
        click.echo(ngettext("Nothing changed: the {n} person of {file} is already registered.",
                            "Nothing changed: all {n} people of {file} are already registered.",
                            report.duplicate_count).format(n=report.duplicate_count, file=path.name))
    else:
        click.echo(_("Imported {n} participants from {file} ({first} … {last}); {d} duplicates skipped.").format(
            n=report.imported, file=path.name, first=report.first_code or "-", last=report.last_code or "-",
            d=report.duplicate_count))


@group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--file-format", type=click.Choice(["csv", "xlsx", "json"]),
              help=_("Default: from the file's extension."))
@click.option("--pseudonymise", is_flag=True,
              help=_("The research export: only people with research consent in force, stable pseudonyms, "
                     "ages, dates and centres generalised until each group has at least k people."))
@click.option("--centre", help=_("Only this centre."))
@pass_state
def export(state: CliState, path, file_format, pseudonymise, centre):
    """Export participants to CSV, XLSX or JSON.

    \b
    Examples:
      reentry --as CW1 participants export dushanbe.xlsx --centre DSH
      reentry --as ME1 participants export research.csv --pseudonymise
    """
    if pseudonymise:
        summary = state.ctx().participants.research_export(path, fmt=file_format, centre=centre)
        click.echo(_("Wrote {n} participants to {path}.").format(n=summary.rows, path=path))
        click.echo(summary.describe())
        return
    count = state.ctx().participants.export_file(path, fmt=file_format, centre=centre)
    click.echo(_("Wrote {n} participants to {path}.").format(n=count, path=path))
