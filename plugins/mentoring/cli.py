"""reentry mentoring: mentors, matching, follow-up schedules, visits, risks and outcomes.

Each command reads its options, calls one method of ``ctx.mentoring`` and prints. Only
click is imported at the top: this module is loaded on every ``reentry`` call.
"""

from __future__ import annotations

import click

from reentry_core.sdk import _, CliState, Presenter, done, emit_record, emit_rows, ngettext, pass_state
from reentry_core.sdk import date_text

MODES = "on_site, phone, video"
STATUSES = "operating, temporarily_closed, closed, not_started"
FLAGS = "relapse, police_harassment, debt, family_conflict, health, housing, other"
LANGUAGES = "tg, ru, uz, en, ky, fa"


@click.group("mentoring")
def group():
    """Mentor matching, follow-up visits, risks and outcomes."""


def _plain(obj) -> dict:
    from reentry_core.sdk import unstructure

    return unstructure(obj)


_joined = Presenter.joined


# --- mentors and mentees --------------------------------------------------------------------


PROFILE = Presenter("mentor", "full_name", "centre", "sex", "capacity", ("languages", "languages", _joined),
                    ("sectors", "sectors", _joined))

MENTEE = Presenter("participant", ("languages", "languages", _joined), "sector",
                   ("same_sex_mentor", lambda m: {True: "yes", False: "no", None: "not asked"}[m.same_sex_mentor]))


@group.command("profile")
@click.argument("staff_code")
@click.option("--centre", help=_("The centre they mentor at (default: the centre they work at)."))
@click.option("--sex", help=_("female or male."))
@click.option("--capacity", type=int, help=_("The most people they follow at once."))
@click.option("--languages", help=_("Languages they speak, comma-separated: {known}.").format(known=LANGUAGES))
@click.option("--sectors", help=_("Business sectors they know, comma-separated, e.g. sewing,car repair "
                                  "(\"\" clears them)."))
@pass_state
def profile(state: CliState, staff_code, centre, sex, capacity, languages, sectors):
    """Show or set up a mentor's profile (a staff member with the mentor role).

    Without options the profile is shown. A new profile needs --sex, --capacity and
    --languages; later, give only what changes.

    \b
    Examples:
      reentry --as ADM mentoring profile MN1 --sex female --capacity 5 --languages tg,ru \\
          --sectors sewing,confectionery
      reentry --as ADM mentoring profile MN1 --capacity 6
      reentry --as CW1 mentoring profile MN1
    """
    service = state.ctx().mentoring
    if all(v is None for v in (centre, sex, capacity, languages, sectors)):
        emit_record(PROFILE(service.profile(staff_code), state.converter), state.format)
        return
    result = service.set_profile(staff_code, centre=centre, sex=sex, capacity=capacity, languages=languages,
                                 sectors=sectors)
    done(_("Mentor profile of {code}: {centre}, capacity {capacity}, speaks {languages}.").format(
        code=result.mentor, centre=result.centre, capacity=result.capacity, languages=_joined(result.languages)),
        state.format, PROFILE(result, state.converter))


@group.command("mentors")
@click.option("--centre", help=_("Only mentors of this centre."))
@pass_state
def mentors(state: CliState, centre):
    """List mentors with how many people each follows now.

    \b
    Example:
      reentry --as CW1 mentoring mentors --centre DSH
    """
    rows = [{**PROFILE(p, state.converter), "mentees": n} for p, n in state.ctx().mentoring.mentors(centre)]
    emit_rows(rows, ["mentor", "full_name", "centre", "sex", "languages", "sectors", "mentees", "capacity"],
              state.format, empty=_("No mentor profiles yet."))


SAME_SEX = {"yes": True, "no": False, "not_asked": ""}


@group.command("mentee")
@click.argument("participant")
@click.option("--languages", help=_("Languages they speak, comma-separated: {known} (\"\" clears).").format(
    known=LANGUAGES))
@click.option("--sector", help=_("Their business sector, e.g. sewing (\"\" clears)."))
@click.option("--same-sex-mentor", type=click.Choice(list(SAME_SEX)),
              help=_("Did they ask for a mentor of their own sex? yes, no (it does not matter) or not_asked."))
@pass_state
def mentee(state: CliState, participant, languages, sector, same_sex_mentor):
    """Show or record what matching needs to know about a participant.

    An approved grant fills the sector from the grant.

    \b
    Examples:
      reentry --as CW1 mentoring mentee DSH-2026-0001 --languages tg,ru --sector sewing --same-sex-mentor yes
      reentry --as CW1 mentoring mentee DSH-2026-0001
    """
    service = state.ctx().mentoring
    if languages is None and sector is None and same_sex_mentor is None:
        result = service.mentee(participant)
    else:
        result = service.set_mentee(participant, languages=languages, sector=sector,
                                    same_sex_mentor=SAME_SEX.get(same_sex_mentor))
    record = MENTEE(result, state.converter)
    if languages is None and sector is None and same_sex_mentor is None:
        emit_record(record, state.format)
    else:
        done(_("Recorded the mentoring profile of {code}.").format(code=result.participant), state.format, record)


@group.command("suggest")
@click.argument("participant")
@click.option("--limit", type=click.IntRange(1), help=_("Show only the best N."))
@pass_state
def suggest(state: CliState, participant, limit):
    """Rank mentors for PARTICIPANT, with the reasons behind each score.

    \b
    The score (100 at most):
      same centre                                   +30
      knows the participant's business sector       +25
      a language in common                          +20
      free places: 15 x free / capacity, rounded    +0 to 15
      the participant asked for a mentor of their
      own sex, and the mentor is                    +10
    Mentors with a free place come first, then by score.

    \b
    Example:
      reentry --as CW1 mentoring suggest DSH-2026-0001 --limit 3
    """
    rows = []
    for rank, s in enumerate(state.ctx().mentoring.suggest(participant, limit), start=1):
        rows.append({"rank": rank, "mentor": s.mentor, "full_name": s.full_name, "centre": s.centre,
                     "score": s.score, "mentees": f"{s.mentees} / {s.capacity}", "reasons": "; ".join(s.reasons)})
    emit_rows(rows, ["rank", "mentor", "full_name", "centre", "score", "mentees", "reasons"], state.format,
              empty=_("No mentors to suggest: set up mentor profiles first (reentry mentoring profile)."))


@group.command("assign")
@click.argument("participant")
@click.option("--mentor", required=True, help=_("The mentor's staff code."))
@click.option("--on", metavar="DATE", help=_("From when (default today)."))
@click.option("--reason", help=_("Why, when the participant already has a mentor (reassignment)."))
@click.option("--override-capacity", metavar="REASON",
              help=_("Assign beyond the mentor's capacity, saying why (admins only)."))
@pass_state
def assign(state: CliState, participant, mentor, on, reason, override_capacity):
    """Make a mentor follow PARTICIPANT. One mentor at a time: a reassignment ends the
    previous one and needs --reason.

    \b
    Examples:
      reentry --as CW1 mentoring assign DSH-2026-0001 --mentor MN1
      reentry --as CW1 mentoring assign DSH-2026-0001 --mentor MN2 --reason "MN1 moved to Khujand"
      reentry --as ADM mentoring assign DSH-2026-0001 --mentor MN2 --override-capacity "only Uzbek speaker"
    """
    result = state.ctx().mentoring.assign(participant, mentor, on=on, reason=reason,
                                          override_capacity=override_capacity)
    a = result.assignment
    message = _("Assigned {mentor} to {code} from {on}.").format(mentor=a.mentor, code=a.participant,
                                                                 on=date_text(a.started_on))
    if result.previous is not None:
        message += " " + _("{mentor}'s assignment ended ({reason}).").format(
            mentor=result.previous.mentor, reason=result.previous.end_reason)
    if a.capacity_override:
        message += " " + _("Beyond capacity: {reason}.").format(reason=a.capacity_override)
    record = _plain(a)
    record["previous"] = _plain(result.previous) if result.previous else None
    done(message, state.format, record)


@group.command("match")
@click.option("--centre", help=_("Only participants of this centre."))
@click.option("--on", metavar="DATE", help=_("From when (default today; the follow-up's start if later)."))
@pass_state
def match(state: CliState, centre, on):
    """Give everyone whose follow-up has started and who has no mentor the best-ranked
    mentor of their own centre with a free place (see reentry mentoring suggest), first
    come first served. Those for whom no mentor of the centre has a place are listed:
    add a mentor, or raise a mentor's capacity.

    \b
    Examples:
      reentry --as CW1 mentoring match --centre DSH
      reentry --as ADM mentoring match
    """
    result = state.ctx().mentoring.match_waiting(centre=centre, on=on)
    lines = [ngettext("Matched {n} participant with a mentor.", "Matched {n} participants with a mentor.",
                      len(result.assigned)).format(n=len(result.assigned))]
    lines.extend(_("{code} → {mentor} from {on}").format(code=a.participant, mentor=a.mentor,
                                                           on=date_text(a.started_on)) for a in result.assigned)
    if result.waiting:
        lines.append(_("Still waiting, no mentor of their centre has a place: {codes}").format(
            codes=", ".join(result.waiting)))
    done("\n".join(lines), state.format, _plain(result))


@group.command("unassign")
@click.argument("participant")
@click.option("--reason", required=True, help=_("Why the mentoring ends."))
@click.option("--on", metavar="DATE", help=_("When (default today)."))
@pass_state
def unassign(state: CliState, participant, reason, on):
    """End PARTICIPANT's mentoring by their current mentor.

    \b
    Example:
      reentry --as CW1 mentoring unassign DSH-2026-0001 --reason "mentor on leave"
    """
    ended = state.ctx().mentoring.unassign(participant, reason, on=on)
    done(_("{mentor} no longer mentors {code} (from {on}).").format(
        mentor=ended.mentor, code=ended.participant, on=date_text(ended.ended_on)), state.format, _plain(ended))


# --- schedules ------------------------------------------------------------------------------

def _state_text(state_value: str) -> str:
    return {"done": _("done on time"), "late": _("done late"), "upcoming": _("upcoming"), "open": _("window open"),
            "overdue": _("OVERDUE"), "missed": _("missed"), "cancelled": _("cancelled")}[state_value]


@group.command("schedule")
@click.argument("participant")
@click.option("--from", "start", metavar="DATE", help=_("Start a follow-up by hand from this date "
                                                         "(the first tranche's release)."))
@click.option("--grant", help=_("With --from: the grant it follows (a grant is followed once)."))
@click.option("--end", "end_reason", metavar="REASON", help=_("End the participant's follow-up, saying why."))
@click.option("--on", metavar="DATE", help=_("With --end: the date (default today)."))
@pass_state
def schedule(state: CliState, participant, start, grant, end_reason, on):
    """Show, start or end PARTICIPANT's follow-up schedule.

    When a grant's first tranche is released (microgrants), the schedule starts by itself:
    visits due 1, 3, 6 and 12 months later, each with a window of ±14 days (see
    reentry mentoring settings). Without microgrants, start it by hand with --from.

    \b
    Examples:
      reentry --as CW1 mentoring schedule DSH-2026-0001 --from 2026-10-01 --grant G-2026-014
      reentry --as CW1 mentoring schedule DSH-2026-0001
      reentry --as CW1 mentoring schedule DSH-2026-0001 --end "moved to Russia for work"
    """
    if start and end_reason:
        raise click.UsageError(_("give --from to start or --end to end, not both"))
    if (grant and not start) or (on and not end_reason):
        raise click.UsageError(_("--grant goes with --from, --on with --end"))
    service = state.ctx().mentoring
    if start:
        result = service.start_schedule(participant, start, grant=grant)
        first = result.due_visits[0]
        done(_("Follow-up of {code} started on {on}: {n} visits due, the first on {due} "
               "(window {a} … {b}).").format(
            code=result.participant, on=date_text(result.started_on), n=len(result.due_visits),
            due=date_text(first.due_on), a=date_text(first.window_start), b=date_text(first.window_end)),
            state.format, _plain(result))
        return
    if end_reason:
        result = service.end_schedule(participant, end_reason, on=on)
        done(_("Follow-up of {code} ended on {on}.").format(code=result.participant, on=date_text(result.ended_on)),
             state.format, _plain(result))
        return
    today = state.programme().clock.today()
    rows = []
    for s in service.schedules(participant):
        head = {"participant": s.participant, "grant": s.grant, "status": s.status.value,
                "started_on": s.started_on, "ended_on": s.ended_on,
                "end": ": ".join(filter(None, [s.ended_because.value if s.ended_because else None, s.end_note]))}
        if not s.due_visits:
            rows.append({**head, "visit": _("waiting for the first tranche")})
        for d, st in s.states(today):
            rows.append({**head, "visit": d.label(), "due_on": d.due_on,
                         "window": f"{d.window_start.isoformat()} … {d.window_end.isoformat()}",
                         "state": _state_text(st.value) if state.format == "table" else st.value,
                         "visit_id": d.visit_id})
    emit_rows(rows, ["participant", "grant", "status", "started_on", "visit", "due_on", "window", "state", "visit_id",
                     "ended_on", "end"], state.format, empty=_("No follow-up schedule."))


@group.command("due")
@click.option("--mentor", help=_("Only the participants this mentor follows."))
@click.option("--centre", help=_("Only participants of this centre."))
@click.option("--overdue", is_flag=True, help=_("Only visits whose window has closed."))
@click.option("--within", type=click.IntRange(0), metavar="DAYS", help=_("Only visits due in the next DAYS days "
                                                                           "(overdue ones too)."))
@pass_state
def due(state: CliState, mentor, centre, overdue, within):
    """The visits owed, soonest first; overdue ones are marked OVERDUE.

    A visit inside its window counts on time; after the window it still counts (late)
    until the next visit's window opens, and is missed after that.

    \b
    Examples:
      reentry --as MN1 mentoring due --mentor MN1 --within 30
      reentry --as CW1 mentoring due --centre DSH --overdue
    """
    found = state.ctx().mentoring.due(mentor=mentor, centre=centre, overdue=overdue, within=within)
    rows = []
    for r in found:
        row = {**_plain(r), "overdue": r.overdue, "visit": _visit_label(r.months),
               "window": f"{r.window_start.isoformat()} … {r.window_end.isoformat()}"}
        if state.format == "table":
            row["mentor"] = r.mentor or _("nobody assigned")
            row["state"] = (_("OVERDUE: window closed {d}").format(d=date_text(r.window_end)) if r.overdue
                            else _("window open until {d}").format(d=date_text(r.window_end))
                            if r.state.value == "open" else _("in {n} days").format(n=r.days))
        rows.append(row)
    columns = (["due_on", "participant", "full_name", "centre", "mentor", "visit", "window", "state"]
               if state.format == "table" else
               ["participant", "full_name", "centre", "mentor", "months", "due_on", "window_start", "window_end",
                "state", "overdue", "days"])
    emit_rows(rows, columns, state.format, empty=_("No visits due."))


def _visit_label(months: int) -> str:
    from .domain import visit_label

    return visit_label(months)


# --- visits ---------------------------------------------------------------------------------


def _findings(equipment_default):
    """The options of what a mentor found, shared by ``visit`` and ``correct-visit``
    (``equipment_default``: ``False`` when logging, ``None``, unchanged, when correcting)."""
    options = [
        click.option("--revenue", metavar="AMOUNT", help=_("Monthly revenue (TJS).")),
        click.option("--costs", metavar="AMOUNT", help=_("Monthly costs (TJS).")),
        click.option("--owner", "owners", type=int, metavar="N", help=_("Owners working in the business (usually 1).")),
        click.option("--family", "family_workers", type=int, metavar="N", help=_("Family members working there.")),
        click.option("--hired", "hired_workers", type=int, metavar="N", help=_("Hired workers.")),
        click.option("--equipment-seen/--equipment-not-seen", "equipment_seen", default=equipment_default,
                     help=_("Whether the grant's equipment was seen (not on a phone call).")),
        click.option("--discussed", help=_("What was discussed.")),
        click.option("--advice", help=_("Advice given.")),
        click.option("--next-steps", "next_steps", help=_("Agreed next steps.")),
    ]

    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command

    return apply


@group.command("visit")
@click.argument("participant")
@click.option("--on", "visited_on", metavar="DATE", help=_("The visit's date (default today)."))
@click.option("--mode", required=True, help=_("How: {modes}.").format(modes=MODES))
@click.option("--status", "business_status", required=True,
              help=_("The business found: {statuses}.").format(statuses=STATUSES))
@_findings(equipment_default=False)
@click.option("--risk", "risk_flags", multiple=True,
              help=_("A risk seen (repeat, or comma-separated): {flags}.").format(flags=FLAGS))
@click.option("--risk-note", help=_("What the mentor saw; goes into the referral's reason."))
@click.option("--mentor", help=_("Admins: whose visit it was (default: the assigned mentor)."))
@click.option("--end-follow-up", metavar="REASON",
              help=_("With --status closed: end the follow-up, saying why (the mentor decides)."))
@pass_state
def visit(state: CliState, participant, visited_on, mentor, end_follow_up, risk_flags, **fields):
    """Log a visit to PARTICIPANT's business.

    It fulfils the due visit whose window holds its date (or counts as an extra visit).
    A visit that finds the business operating with the equipment seen verifies it for
    the next tranche. Each risk opens a referral (see reentry mentoring settings) if
    consent is on file; otherwise you are told why not.

    \b
    Example:
      reentry --as MN1 mentoring visit DSH-2026-0001 --on 2026-11-02 --mode on_site \\
          --status operating --revenue 4500 --costs 2800 --owner 1 --family 1 --hired 1 \\
          --equipment-seen --discussed "prices, new orders" --advice "keep a cash book" \\
          --next-steps "register with the tax office" --risk police_harassment \\
          --risk-note "market police ask for money every week"
    """
    report = state.ctx().mentoring.log_visit(
        participant, visited_on=visited_on, mentor=mentor, end_follow_up=end_follow_up,
        risk_flags=[f for value in risk_flags for f in value.split(",") if f.strip()], **fields)
    from .visits import describe_placement

    v = report.visit
    lines = [_("Logged visit {id}: {code} on {on} by {mentor}, {placement}.").format(
        id=v.id, code=v.participant, on=date_text(v.visited_on), mentor=v.mentor, placement=describe_placement(v))]
    if report.displaced:
        lines.append(_("Visit {id}, logged as late before, now counts as an extra visit.").format(id=report.displaced))
    if v.verifies:
        lines.append(_("This visit verifies the business for the next tranche: operating, equipment seen."))
    lines.extend(r.message for r in report.risks)
    if report.schedule_ended:
        lines.append(_("The follow-up of {code} has ended: the business closed.").format(code=v.participant))
    elif report.closed_but_continuing:
        lines.append(_("The business is reported closed; the follow-up goes on. To end it, log the visit with "
                       "--end-follow-up REASON."))
    record = _plain(v)
    record.update(placement=v.placement(), verifies=v.verifies, profit=v.profit, people_working=v.people_working,
                  risks=[_plain(r) for r in report.risks], displaced=report.displaced,
                  schedule_ended=report.schedule_ended)
    done("\n".join(lines), state.format, record)


@group.command("correct-visit")
@click.argument("visit_id", type=int)
@click.option("--mode", help=_("How: {modes}.").format(modes=MODES))
@click.option("--status", "business_status", help=_("The business found: {statuses}.").format(statuses=STATUSES))
@_findings(equipment_default=None)
@click.option("--risk-note", help=_("What the mentor saw; goes into the referral's reason."))
@click.option("--reason", required=True, help=_("Why it is corrected (kept in the audit trail with the earlier "
                                                "values)."))
@pass_state
def correct_visit(state: CliState, visit_id, reason, **fields):
    """Correct what was found at visit VISIT_ID (its day, participant and risks stay: a visit
    logged on the wrong day or person is cancelled and logged again). Refused when it
    verified a tranche already released and would no longer verify it.

    \b
    Example:
      reentry --as MN1 mentoring correct-visit 12 --revenue 5400 --reason "typed 4500 for 5400"
    """
    v = state.ctx().mentoring.correct_visit(visit_id, reason, **fields)
    done(_("Corrected visit {id}: {code} on {on} by {mentor}.").format(
        id=v.id, code=v.participant, on=date_text(v.visited_on), mentor=v.mentor), state.format, _plain(v))


@group.command("cancel-visit")
@click.argument("visit_id", type=int)
@click.option("--reason", required=True, help=_("Why it is cancelled (kept in the audit trail with the visit)."))
@pass_state
def cancel_visit(state: CliState, visit_id, reason):
    """Cancel visit VISIT_ID, logged by mistake: the due visit it fulfilled is owed again;
    referrals its risks opened stay. Refused when it verified a tranche already released
    (reverse the tranche first).

    \b
    Example:
      reentry --as MN1 mentoring cancel-visit 12 --reason "logged on DSH-2026-0001 instead of DSH-2026-0011"
    """
    v = state.ctx().mentoring.cancel_visit(visit_id, reason)
    done(_("Cancelled visit {id}: {code} on {on} by {mentor}.").format(
        id=v.id, code=v.participant, on=date_text(v.visited_on), mentor=v.mentor), state.format, _plain(v))


@group.command("visitsheet")
@click.option("-o", "--out", "path", type=click.Path(dir_okay=False),
              help=_("A .xlsx or .csv file (default: visits-MENTOR-YYYY-MM.xlsx, this month)."))
@click.option("--mentor", help=_("Whose sheet (default: yours)."))
@click.option("--within", type=click.IntRange(0), default=31, show_default=True, metavar="DAYS",
              help=_("The visits due in the next DAYS days (and every overdue one)."))
@pass_state
def visitsheet(state: CliState, path, mentor, within):
    """Write a mentor's visit sheet (CSV or XLSX) to fill in on the road: one row per visit
    owed, with the participant's name and the due visit's window; the columns of a visit
    (visited_on, mode, business_status, revenue, costs, …) are left empty. Fill in a row
    per visit made (add rows for extra visits), then: reentry mentoring import-visits FILE.

    \b
    Examples:
      reentry --as MN1 mentoring visitsheet
      reentry --as ADM mentoring visitsheet --mentor MN2 --within 45 -o visits-MN2.csv
    """
    ctx = state.ctx()
    if not path:
        who = (mentor or ctx.code).strip().upper()
        path = f"visits-{who}-{ctx.today:%Y-%m}.xlsx"
    count = ctx.mentoring.visit_sheet(path, mentor=mentor, within=within)
    done(ngettext("Wrote {file}: {n} visit owed.", "Wrote {file}: {n} visits owed.", count).format(
        file=path, n=count), state.format, {"file": path, "rows": count})


@group.command("import-visits")
@click.argument("path", metavar="FILE")
@click.option("--encoding", help=_("Encoding of a CSV file if not UTF-8, e.g. cp1251."))
@pass_state
def import_visits(state: CliState, path, encoding):
    """Log every visit of a filled-in visit sheet (CSV or XLSX): every row or none.

    Columns: participant, visited_on, mode, business_status (required); revenue, costs,
    owners, family_workers, hired_workers, equipment_seen (yes/no), discussed, advice,
    next_steps, risk_flags (comma-separated), risk_note, end_follow_up (a reason, on a row
    that found the business closed), mentor (admins: whose visit). Each row follows the
    rules of reentry mentoring visit; the visits are placed in date order. Rows of the
    sheet left empty (no visited_on, no findings) were not visited and are skipped. The
    same sheet imported again changes nothing: rows already logged as they say are
    counted; a row that says otherwise about a logged visit is refused.

    \b
    Example:
      reentry --as MN1 mentoring import-visits visits-MN1-2026-11.xlsx
    """
    imported = state.ctx().mentoring.import_visits(path, encoding)
    reports = [item.report for item in imported]
    on_time = sum(1 for r in reports if r.visit.fulfilment is not None and r.visit.fulfilment.value == "on_time")
    late = sum(1 for r in reports if r.visit.fulfilment is not None and r.visit.fulfilment.value == "late")
    counts = "; ".join([
        ngettext("{n} visit logged", "{n} visits logged", len(reports)).format(n=len(reports)),
        ngettext("{n} row already logged (nothing changed)", "{n} rows already logged (nothing changed)",
                 imported.unchanged).format(n=imported.unchanged),
        ngettext("{n} row not visited (not filled in)", "{n} rows not visited (not filled in)",
                 imported.skipped).format(n=imported.skipped)]) + "."
    if not reports:
        done("\n".join([counts, _("Nothing changed: every visit of {file} is already logged.").format(file=path)]),
             state.format, {"file": path, "visits": [], "unchanged": imported.unchanged, "skipped": imported.skipped})
        return
    lines = [counts, ngettext("Logged {n} visit from {file}: {on_time} on time, {late} late, {extra} extra; {verified} "
                      "verify a business for its next tranche.",
                      "Logged {n} visits from {file}: {on_time} on time, {late} late, {extra} extra; {verified} "
                      "verify a business for its next tranche.", len(reports)).format(
        n=len(reports), file=path, on_time=on_time, late=late, extra=len(reports) - on_time - late,
        verified=sum(1 for r in reports if r.visit.verifies))]
    for item in imported:
        r = item.report
        notes = [x.message for x in r.risks]
        if r.schedule_ended:
            notes.append(_("the follow-up has ended: the business closed."))
        elif r.closed_but_continuing:
            notes.append(_("reported closed; the follow-up goes on."))
        lines.extend(_("row {n} ({code}): {note}").format(n=item.row, code=r.visit.participant, note=note)
                     for note in notes)
    records = [{"row": item.row, **_plain(item.report.visit), "placement": item.report.visit.placement(),
                "risks": [_plain(x) for x in item.report.risks], "schedule_ended": item.report.schedule_ended}
               for item in imported]
    done("\n".join(lines), state.format, {"file": path, "visits": records, "unchanged": imported.unchanged,
                                           "skipped": imported.skipped})


VISIT_COLUMNS = ["id", "visited_on", "participant", "mentor", "mode", "business_status", "revenue", "costs", "profit",
                 "people_working", "equipment_seen", "placement", "risk_flags"]


@group.command("visits")
@click.argument("participant", required=False)
@click.option("--mentor", help=_("Only this mentor's visits."))
@click.option("--centre", help=_("Only participants of this centre."))
@click.option("--since", metavar="DATE", help=_("From this date."))
@click.option("--until", metavar="DATE", help=_("Up to this date."))
@click.option("--details", is_flag=True, help=_("Also show what was discussed, advised and agreed."))
@pass_state
def visits(state: CliState, participant, mentor, centre, since, until, details):
    """List visits, oldest first, with the due visit each fulfilled.

    \b
    Examples:
      reentry --as CW1 mentoring visits DSH-2026-0001 --details
      reentry --as ME1 --format csv mentoring visits --centre DSH --since 2026-01-01
    """
    found = state.ctx().mentoring.visits(participant, mentor=mentor, centre=centre, since=since, until=until)
    rows = [{**_plain(v), "profit": v.profit, "people_working": v.people_working, "placement": v.placement()}
            for v in found]
    columns = list(VISIT_COLUMNS)
    if details or state.format != "table":
        columns += ["owners", "family_workers", "hired_workers", "discussed", "advice", "next_steps", "risk_note"]
    if state.format != "table":
        columns += ["due_months", "fulfilment"]
    emit_rows(rows, columns, state.format, empty=_("No visits found."))


@group.command("caseload")
@click.option("--mentor", help=_("Only this mentor's mentees."))
@pass_state
def caseload(state: CliState, mentor):
    """Each mentor's mentees: last visit, next visit due, risks flagged at the last visit.

    \b
    Examples:
      reentry --as MN1 mentoring caseload --mentor MN1
      reentry --as CW1 mentoring caseload
    """
    rows = []
    for r in state.ctx().mentoring.caseload(mentor):
        row = _plain(r)
        if state.format == "table":
            row["mentor"] = f"{r.mentor} {r.mentor_name or ''}".strip()
            row["next_due"] = (f"{r.next_due.isoformat()} ({_visit_label(r.next_due_months)}, "
                               f"{_state_text(r.next_due_state.value)})" if r.next_due else "-")
            row["last_visit"] = (f"{r.last_visit.isoformat()} ({r.last_status.value})" if r.last_visit else "-")
        rows.append(row)
    columns = (["mentor", "participant", "full_name", "assigned_on", "last_visit", "next_due", "open_risks"]
               if state.format == "table" else
               ["mentor", "mentor_name", "participant", "full_name", "assigned_on", "last_visit", "last_status",
                "next_due", "next_due_months", "next_due_state", "open_risks"])
    emit_rows(rows, columns, state.format, empty=_("No mentees."))


# --- outcomes and settings ------------------------------------------------------------------


def _figure(value, aggregate_rate: bool) -> str:
    from decimal import Decimal

    if value is None:
        return "-"
    if aggregate_rate:
        return f"{(Decimal(value) * 100).quantize(Decimal('0.1'))}%"
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return str(value)


@group.command("outcomes")
@click.option("--from", "start", metavar="DATE", help=_("Start of the period (default: the beginning)."))
@click.option("--to", "end", metavar="DATE", help=_("End of the period (default today)."))
@click.option("--centre", help=_("Only participants of this centre."))
@click.option("--by", "by", multiple=True, type=click.Choice(["sex", "age_band", "centre"]),
              help=_("Break down by sex, age_band or centre (repeatable)."))
@click.option("--no-suppress", is_flag=True, help=_("Show small counts too (admins only; recorded in the audit trail)."))
@pass_state
def outcomes(state: CliState, start, end, centre, by, no_suppress):
    """Mentoring's indicators: businesses followed, visits on time / late / missed,
    survival and profit at 6 and 12 months, jobs, risks and referrals.

    Survival counts a business operating only when the visit closing that milestone
    found it so; a milestone without a visit is unknown, shown apart, and stays in
    the denominator. Figures about due visits are as of the period's end. Small
    counts are hidden exactly as in the programme report (<5, x, c).

    \b
    Examples:
      reentry --as ME1 mentoring outcomes --from 2026-01-01 --to 2026-12-31
      reentry --as ME1 --format csv mentoring outcomes --by sex --by centre
    """
    from reentry_core.sdk import hidden_mark

    ctx = state.ctx()
    found = ctx.mentoring.outcomes(start=start, end=end, centre=centre, by=by, suppress=not no_suppress)
    threshold = ctx.reports.threshold()
    rows = []
    for o in found:
        rate = o.rate
        row = {"key": o.key, "indicator": o.label, "unit": o.unit, **dict(zip(by, o.group)),
               "numerator": o.numerator, "denominator": o.denominator, "suppressed": o.suppressed}
        if state.format == "table":
            row["value"] = hidden_mark(o.suppressed, threshold) if o.suppressed else _figure(o.value, rate)
            row["detail"] = (_("{a} of {b}").format(a=o.numerator, b=o.denominator)
                             if rate and o.numerator is not None and o.denominator is not None else o.unit)
        else:
            row["value"] = o.value
        rows.append(row)
    columns = (["indicator", *by, "value", "detail"] if state.format == "table"
               else ["key", "indicator", *by, "value", "suppressed", "unit", "numerator", "denominator"])
    emit_rows(rows, columns, state.format, empty=_("Nothing to report."))


@group.command("settings")
@click.option("--offsets", metavar="MONTHS", help=_("Months after the first tranche when visits are due, "
                                                   "e.g. 1,3,6,12."))
@click.option("--window-days", type=int, metavar="DAYS", help=_("Days either side of a due date that count "
                                                                 "as on time."))
@click.option("--risk-referral", "risk_referrals", multiple=True, metavar="FLAG=SERVICE:TO",
              help=_("The referral a risk flag opens, e.g. debt=legal:Legal aid centre; FLAG=none for none "
                     "(repeatable)."))
@pass_state
def settings(state: CliState, offsets, window_days, risk_referrals):
    """Show or change how follow-up works: when visits are due, their window, and which
    referral each risk flag opens.

    \b
    Default risk referrals:
      relapse           → drug_treatment (Drug treatment service)
      police_harassment → legal (Legal aid)
      debt              → legal (Legal aid (debt advice))
      family_conflict   → psychological (Psychologist (family counselling))
      health, housing, other → other
    New schedules use new offsets and windows; schedules already started keep theirs.

    \b
    Examples:
      reentry --as ADM mentoring settings
      reentry --as ADM mentoring settings --offsets 1,3,6,12,24 --window-days 21
      reentry --as ADM mentoring settings --risk-referral "housing=other:Khorog housing office"
    """
    service = state.ctx().mentoring
    changing = offsets is not None or window_days is not None or risk_referrals
    result = (service.configure(offsets=offsets, window_days=window_days, risk_referrals=list(risk_referrals) or None)
              if changing else service.settings())
    record = {"offsets": ",".join(str(m) for m in result.offsets), "window_days": result.window_days}
    for flag, target in sorted(result.risk_referrals.items()):
        record[f"risk {flag.value}"] = f"{target.service_type.value} → {target.to_whom}" if target else _("none")
    if changing:
        done(_("Mentoring settings changed."), state.format, record)
    else:
        emit_record(record, state.format)
