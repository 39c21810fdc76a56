"""reentry plans: training cohorts, attendance, business plans, scoring, ranking.

Each command reads its options, calls one method of ``ctx.plans`` and prints. Only
click is imported at the top: this module is loaded on every ``reentry`` call.
"""

from __future__ import annotations

from pathlib import Path

import click

from reentry_core.sdk import _, CliState, Presenter, done, emit_record, emit_rows, money, ngettext, pass_state
from reentry_core.sdk import date_text

SECTORS = ["sewing", "car_repair", "cooking", "confectionery", "carpentry", "welding", "hairdressing", "agriculture",
           "trade", "services", "other"]
STATUSES = ["draft", "submitted", "scored", "shortlisted", "needs_revision", "not_selected"]
MARKS = ["present", "absent", "excused"]
CONFLICTS = ["relative", "neighbour", "former_cellmate", "business_partner", "friend", "other"]
PLAN_COLUMNS = ["code", "version", "status", "participant", "title", "sector", "total_cost", "requested_funding",
                "currency", "submitted_on", "panel_score"]
RANKING_COLUMNS = ["rank", "plan", "participant", "full_name", "title", "sector", "status", "sheets", "panel_score",
                   "raw_score", "spread", "flags"]


def _loaded(file: str, recorded: str, written: int, unchanged: int, skipped: int) -> str:
    """The line every import ends with: what it recorded, the rows already recorded as the
    sheet says (a file entered again changes nothing, and says so) and the pre-printed rows
    nobody filled in."""
    if not written:
        return _("Nothing changed: {file} has {unchanged} rows already recorded; {skipped} rows not filled in.").format(
            file=file, unchanged=unchanged, skipped=skipped)
    return _("Loaded {file}: {recorded}; {unchanged} rows already recorded (nothing changed); {skipped} rows not "
             "filled in.").format(file=file, recorded=recorded, unchanged=unchanged, skipped=skipped)


def _split(values) -> list[str]:
    return [v.strip() for value in values or () for v in value.split(",") if v.strip()]


def _pairs(values, option: str) -> dict[str, str]:
    pairs = {}
    for text in values or ():
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(_("{option} takes KEY=VALUE, e.g. {option} market_understanding=4").format(
                option=option))
        pairs[key.strip()] = value.strip()
    return pairs


@click.group("plans")
def plans():
    """Business training: cohorts, attendance, business plans, rubric scoring, ranking and shortlists."""


# --- cohorts ---------------------------------------------------------------------------------


#: A cohort as the converter gives it, its sessions counted (and how many were held).
COHORT = Presenter(Presenter.ALL, ("completion_threshold", "completion_threshold", Presenter.percent),
                   ("sessions", lambda cohort: len(cohort.sessions)),
                   ("held", lambda cohort: sum(1 for s in cohort.sessions if s.held)))


@plans.group("cohort")
def cohort():
    """Training cohorts: a group at a centre with its trainers and sessions."""


@cohort.command("add")
@click.argument("code")
@click.option("--centre", required=True, help=_("The centre running it, e.g. DSH."))
@click.option("--title", required=True, help=_("e.g. 'Business training, autumn 2026'."))
@click.option("--start", "start_date", required=True, metavar="DATE", help=_("First day."))
@click.option("--end", "end_date", required=True, metavar="DATE", help=_("Last day."))
@click.option("--trainer", "trainers", multiple=True, required=True,
              help=_("A trainer's staff code (repeat, or separate with commas); the first is the lead."))
@click.option("--lead", "lead_trainer", help=_("The lead trainer, if not the first named."))
@click.option("--session", "sessions", multiple=True, metavar="DATE:TOPIC",
              help=_("A planned session (repeatable), e.g. 2026-09-07:business_planning. Topics: business_planning, "
                     "marketing, bookkeeping, personal_development, civic_education, legal_literacy, other."))
@click.option("--rubric", help=_("Rubric KEY or KEY@VERSION (default: the newest default rubric)."))
@click.option("--completion", "completion_threshold", type=click.IntRange(1, 100),
              help=_("Share of held sessions to attend to complete, in % (default 80)."))
@click.option("--min-sheets", type=click.IntRange(1, 20), help=_("Score sheets a plan needs to count (default 2)."))
@click.option("--spread", "spread_limit", metavar="POINTS",
              help=_("Sheets further apart than this need moderation (default 20)."))
@click.option("--normalise", is_flag=True, help=_("Rank by per-trainer z-normalised scores (harsh/lenient trainers)."))
@pass_state
def cohort_add(state: CliState, code, trainers, sessions, **options):
    """Open a training cohort with its trainers and planned sessions.

    \b
    Example:
      reentry --as TR1 plans cohort add DSH-26A --centre DSH --title "Business training, autumn 2026" \\
          --start 2026-09-01 --end 2026-11-20 --trainer TR1 --trainer TR2,TR3 \\
          --session 2026-09-07:business_planning --session 2026-09-14:marketing
    """
    made = state.ctx().plans.add_cohort(code, trainers=_split(trainers), sessions=sessions, **options)
    done(_("Opened cohort {code} with {n} planned sessions; rubric {rubric}.").format(
        code=made.code, n=len(made.sessions), rubric=made.rubric), state.format, COHORT(made, state.converter))


@cohort.command("list")
@click.option("--centre", help=_("Only this centre."))
@pass_state
def cohort_list(state: CliState, centre):
    """List cohorts, oldest first.

    \b
    Example:
      reentry --as TR1 plans cohort list --centre DSH
    """
    rows = COHORT.rows(state.ctx().plans.cohorts(centre=centre), state.converter)
    emit_rows(rows, ["code", "centre", "title", "start_date", "end_date", "lead_trainer", "trainers", "sessions", "held",
                     "rubric"], state.format, empty=_("No cohorts yet."))


@cohort.command("show")
@click.argument("code")
@pass_state
def cohort_show(state: CliState, code):
    """Show a cohort: settings, trainers and sessions (held once attendance is recorded).

    \b
    Example:
      reentry --as TR1 plans cohort show DSH-26A
    """
    plans_api = state.ctx().plans
    found = plans_api.cohort(code)
    record = {**COHORT(found, state.converter), "enrolled": plans_api.enrolled_count(code)}
    record["sessions"] = [f"{s.number}. {s.on.isoformat()} {s.topic.value}{' (held)' if s.held else ''}"
                          for s in found.sessions]
    emit_record(record, state.format, title=found.title)


@cohort.command("settings")
@click.argument("code")
@click.option("--title", help=_("A new title."))
@click.option("--completion", "completion_threshold", type=click.IntRange(1, 100),
              help=_("Share of held sessions to attend to complete, in %."))
@click.option("--spread", "spread_limit", metavar="POINTS", help=_("Sheets further apart than this need moderation."))
@click.option("--normalise/--raw", "normalise", default=None,
              help=_("Rank by per-trainer z-normalised scores, or by the raw mean of the sheets."))
@pass_state
def cohort_settings(state: CliState, code, **changes):
    """Change a cohort's title, completion threshold, moderation spread or normalisation.

    \b
    Example:
      reentry --as TR1 plans cohort settings DSH-26A --normalise --spread 25
    """
    found = state.ctx().plans.update_cohort(code, **changes)
    done(_("Cohort {code}: completion {completion}%, spread {spread}, {mode} scores.").format(
        code=found.code, completion=found.completion_threshold, spread=found.spread_limit,
        mode=_("normalised") if found.normalise else _("raw")), state.format, COHORT(found, state.converter))


@cohort.command("session")
@click.argument("code")
@click.option("--on", required=True, metavar="DATE", help=_("The session's date."))
@click.option("--topic", required=True, help=_("business_planning, marketing, bookkeeping, personal_development, "
                                               "civic_education, legal_literacy or other."))
@pass_state
def cohort_session(state: CliState, code, on, topic):
    """Plan one more session (sessions are numbered by date).

    \b
    Example:
      reentry --as TR1 plans cohort session DSH-26A --on 2026-10-05 --topic bookkeeping
    """
    from reentry_core.sdk import unstructure

    session = state.ctx().plans.add_session(code, on, topic)
    done(_("Planned session {n} of {code} on {on} ({topic}).").format(
        n=session.number, code=code.upper(), on=date_text(session.on), topic=session.topic.label), state.format,
        unstructure(session))


@cohort.command("move-session")
@click.argument("code")
@click.argument("session")
@click.option("--on", required=True, metavar="DATE", help=_("The right date."))
@click.option("--reason", required=True, help=_("Why it moves (kept in the audit trail with the earlier date)."))
@pass_state
def cohort_move_session(state: CliState, code, session, on, reason):
    """Move SESSION (its number or date) of cohort CODE to another day: only a session not
    yet held; sessions are numbered by date again.

    \b
    Example:
      reentry --as TR1 plans cohort move-session DSH-26A 3 --on 2026-10-12 --reason "the hall is taken that day"
    """
    from reentry_core.sdk import unstructure

    moved = state.ctx().plans.move_session(code, session, on, reason)
    done(_("Session {n} of {code} is now on {on} ({topic}).").format(
        n=moved.number, code=code.upper(), on=date_text(moved.on), topic=moved.topic.label), state.format,
        unstructure(moved))


@cohort.command("cancel-session")
@click.argument("code")
@click.argument("session")
@click.option("--reason", required=True, help=_("Why it is cancelled (kept in the audit trail with the session)."))
@pass_state
def cohort_cancel_session(state: CliState, code, session, reason):
    """Cancel SESSION (its number or date) of cohort CODE, planned by mistake: only a session
    not yet held; the later sessions move up one.

    \b
    Example:
      reentry --as TR1 plans cohort cancel-session DSH-26A 2026-10-05 --reason "planned twice"
    """
    from reentry_core.sdk import unstructure

    cancelled = state.ctx().plans.cancel_session(code, session, reason)
    done(_("Cancelled session {n} of {code} on {on}.").format(
        n=cancelled.number, code=code.upper(), on=date_text(cancelled.on)), state.format, unstructure(cancelled))


@cohort.command("trainers")
@click.argument("code")
@click.option("--add", "add", multiple=True, help=_("Add a trainer (repeatable)."))
@click.option("--remove", "remove", multiple=True, help=_("Remove a trainer who has not scored yet."))
@click.option("--lead", help=_("Make this trainer the lead."))
@pass_state
def cohort_trainers(state: CliState, code, add, remove, lead):
    """Change a cohort's trainers or its lead trainer.

    \b
    Example:
      reentry --as ADM plans cohort trainers DSH-26A --add TR4 --lead TR2
    """
    if not (add or remove or lead):
        raise click.UsageError(_("say what changes: --add, --remove or --lead"))
    found = state.ctx().plans.set_trainers(code, add=_split(add), remove=_split(remove), lead=lead)
    done(_("{code} trainers: {trainers} (lead {lead}).").format(
        code=found.code, trainers=", ".join(found.trainers), lead=found.lead_trainer), state.format,
        COHORT(found, state.converter))


@plans.command("enrol")
@click.argument("cohort_code", metavar="COHORT")
@click.argument("participants", nargs=-1, required=True)
@click.option("--on", metavar="DATE", help=_("Enrolment date (default today)."))
@pass_state
def enrol(state: CliState, cohort_code, participants, on):
    """Enrol participants in a cohort: all of them, or nobody.

    \b
    Example:
      reentry --as TR1 plans enrol DSH-26A DSH-2026-0001 DSH-2026-0002
    """
    codes = state.ctx().plans.enrol(cohort_code, _split(participants), on=on)
    done(_("Enrolled {n} in {cohort}: {codes}.").format(n=len(codes), cohort=cohort_code.upper(),
                                                        codes=", ".join(codes)), state.format,
         {"cohort": cohort_code.upper(), "enrolled": codes})


@plans.command("unenrol")
@click.argument("cohort_code", metavar="COHORT")
@click.argument("participant")
@click.option("--reason", required=True, help=_("Why the enrolment is taken back (kept in the audit trail with "
                                                "their attendance)."))
@pass_state
def unenrol(state: CliState, cohort_code, participant, reason):
    """Take back an enrolment made by mistake; their attendance in the cohort goes with it.
    Refused once they have a business plan in the cohort.

    \b
    Example:
      reentry --as TR1 plans unenrol DSH-26A DSH-2026-0007 --reason "enrolled instead of DSH-2026-0017"
    """
    code = state.ctx().plans.unenrol(cohort_code, participant, reason)
    done(_("{code} is no longer enrolled in {cohort}.").format(code=code, cohort=cohort_code.upper()), state.format,
         {"cohort": cohort_code.upper(), "unenrolled": code})


@plans.command("attend")
@click.argument("cohort_code", metavar="COHORT")
@click.argument("session", required=False)
@click.option("--present", multiple=True, help=_("Participant codes present (repeat or separate with commas)."))
@click.option("--absent", multiple=True, help=_("Participant codes absent."))
@click.option("--excused", multiple=True, help=_("Participant codes absent with a reason."))
@click.option("--others", type=click.Choice(MARKS), help=_("Mark every other enrolled participant not yet marked."))
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path),
              help=_("A CSV/XLSX register with columns session, participant, mark (all rows or none)."))
@click.option("--encoding", help=_("Encoding of a CSV file if not UTF-8 or UTF-16, e.g. cp1251."))
@pass_state
def attend(state: CliState, cohort_code, session, present, absent, excused, others, path, encoding):
    """Record attendance at a session (its number or date), or a whole register from a file.

    A register (columns session, participant, mark; name is not read) is recorded whole or
    not at all; a row without a mark is skipped, a mark already recorded changes nothing, a
    different mark replaces the earlier one (audited), and the same session and participant
    twice in one file is refused naming both rows. Entering a register again is safe.

    \b
    Examples:
      reentry --as TR1 plans attend DSH-26A 1 --present DSH-2026-0001,DSH-2026-0002 --excused DSH-2026-0003
      reentry --as TR1 plans attend DSH-26A 2026-09-14 --absent DSH-2026-0002 --others present
      reentry --as TR1 plans attend DSH-26A --file register.csv
    """
    plans_api = state.ctx().plans
    if path is not None:
        if session or present or absent or excused or others:
            raise click.UsageError(_("give either --file or a SESSION with marks, not both"))
        result = plans_api.import_attendance(cohort_code, path, encoding=encoding)
        recorded = _("{n} attendance marks of {cohort} recorded").format(n=result.written, cohort=cohort_code.upper())
        done(_loaded(path.name, recorded, result.written, result.unchanged, result.skipped), state.format,
             {"marks": result.written, "unchanged": result.unchanged, "skipped": result.skipped})
        return
    if not session:
        raise click.UsageError(_("name the SESSION (number or date), or give --file"))
    marks = plans_api.attend(cohort_code, session, present=_split(present), absent=_split(absent),
                             excused=_split(excused), others=others)
    counts = {m: sum(1 for v in marks.values() if v.value == m) for m in MARKS}
    done(_("Session {session} of {cohort}: {present} present, {absent} absent, {excused} excused recorded.").format(
        session=session, cohort=cohort_code.upper(), **counts), state.format,
        {"session": session, "marks": {c: m.value for c, m in marks.items()}})


@plans.command("completion")
@click.argument("cohort_code", metavar="COHORT")
@pass_state
def completion(state: CliState, cohort_code):
    """Each enrolled participant's attendance and whether they completed the training.

    Completion: present at the cohort's threshold (default 80%) of held sessions;
    an excused absence is recorded but is not attendance.

    \b
    Example:
      reentry --as TR1 plans completion DSH-26A
    """
    rows = [{"participant": c.participant, "full_name": c.full_name, "present": c.present, "absent": c.absent,
             "excused": c.excused, "held": c.held, "rate": f"{c.rate}%" if c.rate is not None else "",
             "completed": c.completed} for c in state.ctx().plans.completion(cohort_code)]
    emit_rows(rows, ["participant", "full_name", "present", "absent", "excused", "held", "rate", "completed"],
              state.format, empty=_("Nobody is enrolled yet."))


# --- plans ---------------------------------------------------------------------------------


def plan_options(required: bool):
    def decorate(func):
        options = [
            click.option("--title", required=required, help=_("e.g. 'Sewing workshop'.")),
            click.option("--sector", required=required, type=click.Choice(SECTORS)),
            click.option("--summary", help=_("A few lines on the business.")),
            click.option("--cost", "costs", multiple=True, required=required, metavar="ITEM:QTY:UNIT_COST",
                         help=_("A start-up cost (repeatable), e.g. 'Sewing machine:2:1800'.")),
            click.option("--own", "own_contribution", required=required, metavar="AMOUNT",
                         help=_("The participant's own contribution (0 allowed).")),
            click.option("--request", "requested_funding", required=required, metavar="AMOUNT",
                         help=_("Funding requested; not more than the total cost.")),
            click.option("--revenue", "monthly_revenue", required=required, metavar="AMOUNT",
                         help=_("Forecast monthly revenue.")),
            click.option("--costs", "monthly_costs", required=required, metavar="AMOUNT",
                         help=_("Forecast monthly running costs.")),
            click.option("--currency", help=_("Currency code (default TJS).")),
        ]
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


PLAN = Presenter(
    "code", "version", "status", "participant", "cohort", "title", "sector", "summary",
    ("costs", lambda plan: [f"{c.item}: {c.quantity} × {c.unit_cost} = {c.total}" for c in plan.costs]),
    "total_cost", "own_contribution", "requested_funding", "funding_gap", "monthly_revenue", "monthly_costs",
    "monthly_profit", "payback_months", "currency", "submitted_on", "scored_on", "decided_on", "panel_score", "note")


def _changes(options: dict) -> dict:
    if options.get("costs") == ():
        options["costs"] = None
    return {k: v for k, v in options.items() if v is not None}


@plans.command("add")
@click.argument("participant")
@click.option("--cohort", "cohort_code", required=True, help=_("The cohort the participant is enrolled in."))
@plan_options(required=True)
@click.option("--submit", "submit_now", is_flag=True, help=_("Submit at once instead of keeping a draft."))
@pass_state
def add(state: CliState, participant, cohort_code, submit_now, **fields):
    """Write a participant's business plan (a draft until submitted).

    \b
    Example:
      reentry --as TR1 plans add DSH-2026-0001 --cohort DSH-26A --title "Sewing workshop" --sector sewing \\
          --cost "Sewing machine:2:1800" --cost "Overlock:1:2500" --own 500 --request 5000 \\
          --revenue 3000 --costs 1200
    """
    plan = state.ctx().plans.add_plan(participant, cohort_code, submit=submit_now, **_changes(fields))
    done(_("Plan {code} of {participant}: {status}, total cost {total}, requested {request}.").format(
        code=plan.code, participant=plan.participant, status=plan.status.label,
        total=money(plan.total_cost, plan.currency), request=money(plan.requested_funding, plan.currency)),
        state.format, PLAN(plan, state.converter))


@plans.command("plansheet")
@click.argument("cohort_code", metavar="COHORT")
@click.option("-o", "--out", "--output", "path", type=click.Path(dir_okay=False, path_type=Path),
              help=_("A .xlsx or .csv file (default: COHORT-plans.xlsx)."))
@pass_state
def plansheet(state: CliState, cohort_code, path):
    """Write a sheet to type the cohort's paper plan forms into: one row per participant
    who completed the training and has no plan yet, one column per field.

    Fill in a row per plan form (costs as ITEM:QTY:UNIT_COST items separated by ';'),
    leave a row empty to skip it, then load it with: reentry plans import COHORT FILE

    \b
    Example:
      reentry --as TR1 plans plansheet DSH-26A -o DSH-26A-plans.xlsx
    """
    path = path or Path(f"{cohort_code.upper()}-plans.xlsx")
    count = state.ctx().plans.plansheet(cohort_code, path)
    done(_("Wrote {n} participants to {file}.").format(n=count, file=path), state.format,
         {"file": str(path), "participants": count})


@plans.command("import")
@click.argument("cohort_code", metavar="COHORT")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--submit", "submit_now", is_flag=True, help=_("Submit the plans at once instead of keeping drafts."))
@click.option("--encoding", help=_("Encoding of a CSV file if not UTF-8 or UTF-16, e.g. cp1251."))
@pass_state
def import_(state: CliState, cohort_code, path, submit_now, encoding):
    """Load a cohort's business plans typed from paper forms (CSV or XLSX): every row or none.

    \b
    Columns (one row per plan; the file from 'plans plansheet' has them all):
      participant        the participant's code (enrolled in COHORT, no plan there yet)
      title, sector      e.g. 'Sewing workshop', sewing
      costs              start-up costs ITEM:QTY:UNIT_COST separated by ';'
                         e.g. 'Sewing machine:2:1800; Overlock:1:2500'
      own_contribution, requested_funding, monthly_revenue, monthly_costs   amounts
      summary, currency  optional (currency default TJS); full_name is not read
    A row with only the participant filled in is skipped. Plans are numbered in file order.
    A participant whose plan in COHORT already says what the row says is left as it is, so
    entering the file again changes nothing; a different plan is refused (edit or resubmit).

    \b
    Example:
      reentry --as TR1 plans import DSH-26A DSH-26A-plans.xlsx --submit
    """
    made = state.ctx().plans.import_plans(cohort_code, path, submit=submit_now, encoding=encoding)
    codes = [plan.code for plan in made.plans]
    status = "submitted" if submit_now else "draft"
    span = codes[0] if len(codes) == 1 else f"{codes[0]} to {codes[-1]}" if codes else ""
    recorded = _("{n} plans of {cohort} ({span}), {status}").format(n=len(codes), cohort=made.cohort, span=span,
                                                                     status=status)
    done(_loaded(path.name, recorded, len(codes), made.unchanged, made.skipped), state.format,
         {"cohort": made.cohort, "plans": codes, "status": status, "unchanged": made.unchanged,
          "skipped": made.skipped})


@plans.command("edit")
@click.argument("code")
@plan_options(required=False)
@pass_state
def edit(state: CliState, code, **fields):
    """Change a draft plan (given --cost options replace all cost items).

    \b
    Example:
      reentry --as TR1 plans edit DSH-26A-P001 --request 4500
    """
    plan = state.ctx().plans.edit_plan(code, **_changes(fields))
    done(_("Updated draft {code}.").format(code=plan.code), state.format, PLAN(plan, state.converter))


@plans.command("submit")
@click.argument("code")
@pass_state
def submit(state: CliState, code):
    """Submit a draft plan to the panel.

    \b
    Example:
      reentry --as TR1 plans submit DSH-26A-P001
    """
    plan = state.ctx().plans.submit(code)
    done(_("Plan {code} submitted (version {version}).").format(code=plan.code, version=plan.version), state.format,
         PLAN(plan, state.converter))


@plans.command("resubmit")
@click.argument("code")
@plan_options(required=False)
@pass_state
def resubmit(state: CliState, code, **fields):
    """Submit a new version of a plan; earlier versions keep their score sheets.

    \b
    Example:
      reentry --as TR1 plans resubmit DSH-26A-P001 --cost "Oven:1:3200" --request 3000
    """
    plan = state.ctx().plans.resubmit(code, **_changes(fields))
    done(_("Plan {code} resubmitted as version {version}.").format(code=plan.code, version=plan.version),
         state.format, PLAN(plan, state.converter))


@plans.command("return")
@click.argument("code")
@click.option("--reason", required=True, help=_("What the plan needs."))
@pass_state
def return_(state: CliState, code, reason):
    """Return a plan to its author for revision (admin or lead trainer).

    \b
    Example:
      reentry --as TR1 plans return DSH-26A-P001 --reason "get written quotes for the machines"
    """
    plan = state.ctx().plans.return_for_revision(code, reason)
    done(_("Plan {code} needs revision: {reason}").format(code=plan.code, reason=plan.note), state.format,
         PLAN(plan, state.converter))


@plans.command("show")
@click.argument("code")
@click.option("--version", type=click.IntRange(1), help=_("An earlier version (default: the current one)."))
@pass_state
def show(state: CliState, code, version):
    """Show a plan: its figures, its versions and the score sheets of the version shown.

    \b
    Example:
      reentry --as TR1 plans show DSH-26A-P001 --version 1
    """
    plans_api = state.ctx().plans
    plan = plans_api.get(code, version)
    record = PLAN(plan, state.converter)
    record["versions"] = [
        f"{h['plan'].version}: {h['plan'].status.value}, {h['sheets']} sheets"
        + (f", raw score {h['raw_score']}" if h["raw_score"] is not None else "")
        for h in plans_api.history(code)]
    record["sheets"] = [f"{s.trainer}: {s.total} ({', '.join(f'{k}={v}' for k, v in s.values.items())})"
                        + (f" — {s.comment}" if s.comment else "") for s in plans_api.sheets(code, plan.version)]
    emit_record(record, state.format, title=f"{plan.code} v{plan.version}: {plan.title}")


@plans.command("list")
@click.option("--cohort", "cohort_code", help=_("Only this cohort."))
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--participant", help=_("Only this participant's plans."))
@pass_state
def list_(state: CliState, cohort_code, status, participant):
    """List plans at their current versions.

    \b
    Example:
      reentry --as TR1 plans list --cohort DSH-26A --status submitted
    """
    rows = PLAN.rows(state.ctx().plans.list(cohort=cohort_code, status=status,
                                                              participant=participant), state.converter)
    emit_rows(rows, PLAN_COLUMNS, state.format, empty=_("No plans found."))


# --- rubrics ----------------------------------------------------------------------------------


@plans.group("rubric")
def rubric():
    """Scoring rubrics: weighted criteria on a scale, versioned, written in TOML."""


def _rubric_rows(found) -> list[dict]:
    return [{"key": c.key, "label": c.label, "weight": c.weight, "description": c.description}
            for c in found.criteria]


@rubric.command("add")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def rubric_add(state: CliState, path):
    """Add a rubric from a TOML file; the same key again makes a new version.

    \b
    The file:
      key = "default"
      title = "Business plan rubric"
      scale = [1, 5]
      [[criteria]]
      key = "market_understanding"
      label = "Market understanding"
      weight = 20
      description = "Knows customers, competitors and prices."   # optional
    \b
    Example:
      reentry --as ADM plans rubric add rubric-2027.toml
    """
    found = state.ctx().plans.add_rubric(path)
    done(_("Added rubric {ref} with {n} criteria on the scale {scale}.").format(
        ref=found.ref, n=len(found.criteria), scale=found.scale), state.format,
        {"rubric": found.ref, "title": found.title, "scale": found.scale, "criteria": _rubric_rows(found)})


@rubric.command("list")
@pass_state
def rubric_list(state: CliState):
    """List every rubric version.

    \b
    Example:
      reentry --as TR1 plans rubric list
    """
    rows = [{"rubric": r.ref, "title": r.title, "scale": r.scale, "criteria": r.keys}
            for r in state.ctx().plans.rubrics()]
    emit_rows(rows, ["rubric", "title", "scale", "criteria"], state.format)


@rubric.command("show")
@click.argument("ref", default="default")
@pass_state
def rubric_show(state: CliState, ref):
    """Show a rubric's criteria: KEY (newest version) or KEY@VERSION.

    \b
    Example:
      reentry --as TR1 plans rubric show default@1
    """
    found = state.ctx().plans.rubric(ref)
    emit_rows(_rubric_rows(found), ["key", "label", "weight", "description"], state.format,
              title=_("{ref}: {title}, scale {scale}").format(ref=found.ref, title=found.title, scale=found.scale))


# --- scoring -----------------------------------------------------------------------------------


#: A score sheet's fields as the command line gives them (the total before the values).
SHEET_FIELDS = ("plan", "version", "trainer", "rubric", "total", "values", "comments", "comment", "scored_on")


#: A score sheet as the converter gives it, in the order of :data:`SHEET_FIELDS`.
SHEET = Presenter(*SHEET_FIELDS)


@plans.command("score")
@click.argument("code")
@click.option("--value", "values", multiple=True, metavar="CRITERION=N",
              help=_("A criterion's value (repeat for every criterion); without any, you are asked one by one."))
@click.option("--note", "notes", multiple=True, metavar="CRITERION=TEXT", help=_("A comment on one criterion."))
@click.option("--comment", help=_("An overall comment."))
@click.option("--rubric", "rubric_ref", metavar="KEY@VERSION", help=_("The rubric version you scored with (checked)."))
@pass_state
def score(state: CliState, code, values, notes, comment, rubric_ref):
    """Score the current version of a plan as the acting trainer.

    Scoring the same version again replaces your earlier sheet.

    \b
    Examples:
      reentry --as TR1 plans score DSH-26A-P001          (asks criterion by criterion)
      reentry --as TR1 plans score DSH-26A-P001 --value market_understanding=4 --value financial_viability=3 \\
          --value skills_experience=5 --value realistic_budget=4 --value commitment=5 \\
          --value benefit_family_community=4 --comment "strong, check the rent"
    """
    plans_api = state.ctx().plans
    given = _pairs(values, "--value")
    comments = _pairs(notes, "--note")
    if not given:
        found = plans_api.rubric_to_score(code)
        click.echo(_("Scoring {code} with rubric {ref} (scale {scale}).").format(
            code=code.upper(), ref=found.ref, scale=found.scale))
        for criterion in found.criteria:
            given[criterion.key] = click.prompt(
                _("{label} [{key}], weight {weight}").format(label=criterion.label, key=criterion.key,
                                                             weight=criterion.weight),
                type=click.IntRange(found.scale_min, found.scale_max))
            note = click.prompt(_("  comment (Enter for none)"), default="", show_default=False)
            if note.strip():
                comments[criterion.key] = note
        if comment is None:
            comment = click.prompt(_("Overall comment (Enter for none)"), default="", show_default=False) or None
        rubric_ref = rubric_ref or found.ref
    sheet = plans_api.score(code, given, comments=comments, comment=comment, rubric=rubric_ref)
    done(_("Scored {code} v{version}: {total} of 100 ({trainer}).").format(
        code=sheet.plan, version=sheet.version, total=sheet.total, trainer=sheet.trainer), state.format,
        SHEET(sheet, state.converter))


@plans.command("sheets")
@click.argument("code")
@click.option("--version", type=click.IntRange(1), help=_("An earlier version (default: the current one)."))
@pass_state
def sheets(state: CliState, code, version):
    """List the score sheets of a plan version.

    \b
    Example:
      reentry --as TR1 plans sheets DSH-26A-P001
    """
    rows = SHEET.rows(state.ctx().plans.sheets(code, version), state.converter)
    emit_rows(rows, ["trainer", "version", "rubric", "total", "values", "comment", "scored_on"], state.format,
              empty=_("No score sheets yet."))


@plans.command("scoresheet")
@click.argument("cohort_code", metavar="COHORT")
@click.option("-o", "--out", "--output", "path", type=click.Path(dir_okay=False, path_type=Path),
              help=_("A .xlsx or .csv file (default: COHORT-TRAINER.xlsx)."))
@pass_state
def scoresheet(state: CliState, cohort_code, path):
    """Write your score sheet for offline scoring: one row per plan, one column per criterion.

    Fill in the values (whole numbers on the rubric's scale), leave a row empty to skip
    it, then load it with: reentry plans scores import FILE

    \b
    Example:
      reentry --as TR1 plans scoresheet DSH-26A -o DSH-26A-TR1.xlsx
    """
    ctx = state.ctx()
    path = path or Path(f"{cohort_code.upper()}-{ctx.code}.xlsx")
    count = ctx.plans.scoresheet(cohort_code, path)
    done(_("Wrote {n} plans to {file}.").format(n=count, file=path), state.format,
         {"file": str(path), "plans": count})


@plans.group("scores")
def scores():
    """Score sheets in bulk."""


@scores.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--encoding", help=_("Encoding of a CSV file if not UTF-8 or UTF-16, e.g. cp1251."))
@pass_state
def scores_import(state: CliState, path, encoding):
    """Load a filled-in score sheet (CSV or XLSX) as the acting trainer: every row or none.

    The sheet names its trainer (only they may load it), each plan's version and the
    rubric version; a row without values is skipped, the same values again change nothing
    (entering a sheet twice is safe) and other values replace your earlier sheet (audited).

    \b
    Example:
      reentry --as TR1 plans scores import DSH-26A-TR1.xlsx
    """
    counts = state.ctx().plans.import_scores(path, encoding=encoding)
    recorded = _("{added} new sheets, {replaced} replaced").format(**counts)
    done(_loaded(path.name, recorded, counts["added"] + counts["replaced"], counts["unchanged"], counts["skipped"]),
         state.format, counts)


# --- ranking, moderation, shortlist, agreement -------------------------------------------------


def _ranking_row(line) -> dict:
    return {"rank": line.rank, "plan": line.plan, "version": line.version, "participant": line.participant,
            "full_name": line.full_name, "title": line.title, "sector": line.sector, "status": line.status,
            "sheets": line.sheets, "panel_score": line.panel_score, "raw_score": line.raw_score,
            "spread": line.spread, "flags": line.flags, "requested_funding": line.requested_funding,
            "currency": line.currency}


@plans.command("ranking")
@click.argument("cohort_code", metavar="COHORT")
@pass_state
def ranking(state: CliState, cohort_code):
    """Rank a cohort's plans by panel score, with sheets, spread, flags and status.

    Plans with fewer sheets than the cohort's minimum are listed last, unranked.

    \b
    Example:
      reentry --as TR1 plans ranking DSH-26A
    """
    rows = [_ranking_row(r) for r in state.ctx().plans.ranking(cohort_code)]
    emit_rows(rows, RANKING_COLUMNS, state.format, empty=_("No submitted plans yet."))


@plans.command("moderate")
@click.argument("code")
@click.option("--reason", required=True, help=_("Why the scores stand after discussing them."))
@pass_state
def moderate(state: CliState, code, reason):
    """Resolve a plan's needs-moderation flag with a recorded reason (admin or lead trainer).

    \b
    Example:
      reentry --as TR1 plans moderate DSH-26A-P003 --reason "TR3 knows the market; scores stand"
    """
    line = state.ctx().plans.moderate(code, reason)
    done(_("Plan {code} moderated: panel score {score}, spread {spread}.").format(
        code=line.plan, score=line.panel_score, spread=line.spread), state.format, _ranking_row(line))


@plans.command("shortlist")
@click.argument("cohort_code", metavar="COHORT")
@click.option("--min-score", metavar="N", help=_("Shortlist every scored plan with a panel score of at least N."))
@click.option("--top", type=click.IntRange(1), help=_("Shortlist the K best (ties at the cut all go in)."))
@pass_state
def shortlist(state: CliState, cohort_code, min_score, top):
    """Shortlist a cohort's scored plans; the other scored plans become not_selected.

    Refused while a plan needs moderation or a submitted plan has too few sheets.

    \b
    Examples:
      reentry --as TR1 plans shortlist DSH-26A --min-score 60
      reentry --as ADM plans shortlist DSH-26A --top 10
    """
    result = state.ctx().plans.shortlist(cohort_code, min_score=min_score, top=top)
    if state.format == "table":
        click.echo(_("Shortlisted {n} plan(s) of {cohort}: {plans}.").format(
            n=len(result.shortlisted), cohort=result.cohort, plans=", ".join(r.plan for r in result.shortlisted)))
        click.echo(_("Not selected: {n}.").format(n=len(result.not_selected)))
        if result.tie_at_cut:
            click.echo(_("More than {k} because of a tie at the cut.").format(k=top))
        return
    emit_rows([_ranking_row(r) for r in result.shortlisted + result.not_selected], RANKING_COLUMNS, state.format)


@plans.command("unshortlist")
@click.argument("cohort_code", metavar="COHORT")
@click.option("--reason", required=True, help=_("Why the shortlist is undone."))
@pass_state
def unshortlist(state: CliState, cohort_code, reason):
    """Undo a cohort's shortlist made by mistake: its plans are scored again, waiting for a new one.

    An admin or the cohort's lead trainer. Refused while a grant application was made with
    a shortlisted plan (withdraw it first). Audited with each plan's decision and the reason.

    \b
    Example:
      reentry --as TR1 plans unshortlist DSH-26A --reason "shortlisted before the last plan was scored"
    """
    plans_undone = state.ctx().plans.undo_shortlist(cohort_code, reason)
    done(ngettext("The shortlist of {cohort} is undone: {n} plan waits for a new decision.",
                  "The shortlist of {cohort} is undone: {n} plans wait for a new decision.", len(plans_undone)).format(
        cohort=cohort_code.strip().upper(), n=len(plans_undone)), state.format,
        {"cohort": cohort_code.strip().upper(), "plans": plans_undone})


def _form_text(form) -> str:
    """One ICC form for people: value, interval, F test and reading (or why not)."""
    from reentry_business_plans.aggregation import rounded

    if form.value is None:
        return _("undefined ({reason})").format(reason=form.reason)
    text = str(rounded(form.value))
    if form.lower is not None:
        text += f" [{rounded(form.lower)}, {rounded(form.upper)}]"
    else:
        text += f" ({form.interval_note})"
    if form.f is not None:
        p = rounded(form.p, 5)
        text += f"; F({form.df1}, {form.df2}) = {rounded(form.f, 2)}, p {'< 0.00001' if not p else f'= {p}'}"
    reading = form.reading or _("no reading: {why}").format(why=form.reading_note)
    return f"{text}; {reading}"


def _rounded(places: int = 3):
    """A statistic rounded for people and JSON (``aggregation.rounded``, loaded when used)."""
    def rounded(value):
        from reentry_business_plans.aggregation import rounded

        return rounded(value, places)
    return rounded


FORM = Presenter(("form", "name"), "key", ("value", "value", _rounded()), "reason", ("f", "f", _rounded(2)), "df1",
                 "df2", ("p", "p", _rounded(5)), ("lower", "lower", _rounded()), ("upper", "upper", _rounded()),
                 "interval_note", "reading", "reading_note")


def _alpha_text(found, least: str | None = None) -> str:
    from reentry_business_plans.aggregation import rounded

    alpha = found.alpha
    if alpha.value is None:
        text = _("undefined ({reason})").format(reason=alpha.reason)
    else:
        text = _("{alpha} ({plans} plans, {values} scores)").format(
            alpha=rounded(alpha.value), plans=alpha.units, values=alpha.values)
    return text + (_("  ← least agreement") if found.key == least else "")


ALPHA = Presenter(("criterion", "key"), "label", ("level", "alpha.level"), ("alpha", "alpha.value", _rounded()),
                  ("reason", "alpha.reason"), ("plans", "alpha.units"), ("scores", "alpha.values"))


@plans.command("agreement")
@click.argument("cohort_code", metavar="COHORT")
@pass_state
def agreement(state: CliState, cohort_code):
    """How far the trainers agree: ICCs with intervals, alpha per criterion, deviations.

    ICC(1,1), ICC(2,1), ICC(3,1) and the average-measure ICC(1,k), ICC(2,k), ICC(3,k)
    (Shrout & Fleiss 1979) on the weighted totals of the plans scored by the same
    trainers: the trainers who scored most, as many as give the most scores in a
    complete block; plans and trainers left out are counted. Each form shows its 95%
    interval [lower, upper], its F test and a reading of the interval (Koo & Li 2016:
    poor < 0.5 ≤ moderate < 0.75 ≤ good ≤ 0.9 < excellent), withheld under 5 plans.
    Krippendorff's alpha uses every sheet, incomplete panels too: ordinal for each
    criterion (the least agreed is marked), interval for the weighted totals. The
    deviation is a trainer's mean (own total − panel's raw score) over plans with 2+
    sheets: negative means harsh. See docs/agreement.md.

    \b
    Example:
      reentry --as TR1 plans agreement DSH-26A
    """
    from reentry_business_plans.aggregation import ICC_FORMS, rounded

    result = state.ctx().plans.agreement(cohort_code)
    table = state.format == "table"
    record = {"cohort": result.cohort, "plans": result.plans, "trainers": list(result.trainers),
              "plans_left_out": result.plans_left_out, "trainers_left_out": list(result.trainers_left_out)}
    forms = {form.key: form for form in result.forms}
    k = len(result.trainers) or "k"
    for key, _model, average in ICC_FORMS:
        form = forms.get(key)
        if table:  # as Shrout & Fleiss write them: ICC(2,1), ICC(2,4)
            record[f"ICC({key[3]},{k if average else 1})"] = _form_text(form) if form else "n/a"
        else:
            record[key] = rounded(form.value) if form else None
    if not table:
        record["forms"] = FORM.rows(result.forms, state.converter)
    least = result.least_agreement
    if table:
        for found in result.criteria:
            record[_("alpha {criterion}").format(criterion=found.key)] = _alpha_text(found, least)
        record[_("alpha weighted total")] = _alpha_text(result.total)
    else:
        record["alpha"] = {"criteria": ALPHA.rows(result.criteria, state.converter),
                           "least_agreement": least, "total": ALPHA(result.total, state.converter)}
    record["deviations"] = [{"trainer": d.trainer, "sheets": d.sheets, "mean_deviation": d.mean_deviation}
                            for d in result.deviations]
    if result.note:
        record["note"] = result.note
    if table:
        record["deviations"] = [f"{d.trainer}: {d.mean_deviation if d.mean_deviation is not None else 'n/a'} "
                                f"({d.sheets} sheets)" for d in result.deviations]
    emit_record(record, state.format, title=_("Agreement of the panel of {cohort}").format(cohort=result.cohort))


# --- calibration rounds ---------------------------------------------------------------------------

CALIBRATION_COLUMNS = ["trainer", "criterion", "plans", "from_panel", "from_consensus", "flag"]


#: A calibration round as the converter gives it, its code named ``round``.
CALIBRATION_ROUND = Presenter(("round", "code"), Presenter.ALL, omit=("code",))


@plans.group("calibration")
def calibration():
    """Calibration rounds: the panel scores anonymised earlier plans before scoring a cohort."""


@calibration.command("new")
@click.argument("cohort_code", metavar="COHORT")
@click.option("--plan", "plan_codes", multiple=True, required=True,
              help=_("A plan of an earlier cohort, scored by 2+ trainers (repeat, or separate with commas)."))
@click.option("--band", default="1", show_default=True, metavar="POINTS",
              help=_("Flag a trainer whose mean deviation on a criterion is further than this, in rubric points."))
@pass_state
def calibration_new(state: CliState, cohort_code, plan_codes, band):
    """Open a calibration round for a cohort's panel (its lead trainer or an admin).

    The panel sees the plans as C1, C2, … in the order given: no participant, no code.

    \b
    Example:
      reentry --as TR1 plans calibration new DSH-26A --plan DSH-25B-P004,DSH-25B-P011 --band 1
    """
    found = state.ctx().plans.new_calibration(cohort_code, _split(plan_codes), band=band)
    done(_("Opened calibration round {code} for {cohort}: {n} plans ({labels}), band {band} point(s) per criterion.")
         .format(code=found.code, cohort=found.cohort, n=len(found.plans), labels=", ".join(found.plans),
                 band=found.band), state.format, CALIBRATION_ROUND(found, state.converter))


@calibration.command("list")
@click.argument("cohort_code", metavar="COHORT")
@pass_state
def calibration_list(state: CliState, cohort_code):
    """List a cohort's calibration rounds.

    \b
    Example:
      reentry --as TR2 plans calibration list DSH-26A
    """
    rows = CALIBRATION_ROUND.rows(state.ctx().plans.calibrations(cohort_code), state.converter)
    emit_rows(rows, ["round", "band", "rubric", "plans", "created_by", "created_on"], state.format,
              empty=_("No calibration rounds yet."))


@calibration.command("plans")
@click.argument("round_code", metavar="ROUND")
@pass_state
def calibration_plans(state: CliState, round_code):
    """Show a round's plans as the panel scores them: anonymised, as C1, C2, …

    \b
    Example:
      reentry --as TR2 plans calibration plans DSH-26A-CAL1
    """
    rows = [{"plan": p.label, "title": p.title, "sector": p.sector, "summary": p.summary,
             "costs": [f"{c.item}: {c.quantity} × {c.unit_cost}" for c in p.costs], "total_cost": p.total_cost,
             "own_contribution": p.own_contribution, "requested_funding": p.requested_funding,
             "monthly_revenue": p.monthly_revenue, "monthly_costs": p.monthly_costs, "currency": p.currency}
            for p in state.ctx().plans.calibration_plans(round_code)]
    emit_rows(rows, ["plan", "title", "sector", "costs", "total_cost", "requested_funding", "monthly_revenue",
                     "monthly_costs", "currency", "summary"], state.format)


@calibration.command("sheet")
@click.argument("round_code", metavar="ROUND")
@click.option("-o", "--out", "path", type=click.Path(dir_okay=False, path_type=Path),
              help=_("A .xlsx or .csv file (default: ROUND-TRAINER.xlsx)."))
@pass_state
def calibration_sheet(state: CliState, round_code, path):
    """Write your calibration sheet: one row per plan (C1, C2, …), one column per criterion.

    Fill in the values, then load it with: reentry plans calibration import ROUND FILE

    \b
    Example:
      reentry --as TR2 plans calibration sheet DSH-26A-CAL1 -o cal-TR2.xlsx
    """
    ctx = state.ctx()
    path = path or Path(f"{round_code.upper()}-{ctx.code}.xlsx")
    count = ctx.plans.calibration_sheet(round_code, path)
    done(_("Wrote {n} plans to {file}.").format(n=count, file=path), state.format, {"file": str(path), "plans": count})


@calibration.command("score")
@click.argument("round_code", metavar="ROUND")
@click.argument("label", metavar="PLAN")
@click.option("--value", "values", multiple=True, required=True, metavar="CRITERION=N",
              help=_("A criterion's value (repeat for every criterion)."))
@pass_state
def calibration_score(state: CliState, round_code, label, values):
    """Score one plan of a calibration round (C1, C2, …) as the acting trainer.

    Scoring it again replaces your earlier values.

    \b
    Example:
      reentry --as TR2 plans calibration score DSH-26A-CAL1 C1 --value market_understanding=4 ...
    """
    given = state.ctx().plans.calibration_score(round_code, label, _pairs(values, "--value"))
    done(_("Scored {label} of {round}.").format(label=label.upper(), round=round_code.upper()), state.format,
         {"round": round_code.upper(), "plan": label.upper(), "values": given})


@calibration.command("import")
@click.argument("round_code", metavar="ROUND")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--encoding", help=_("Encoding of a CSV file if not UTF-8 or UTF-16, e.g. cp1251."))
@pass_state
def calibration_import(state: CliState, round_code, path, encoding):
    """Load your filled-in calibration sheet (CSV or XLSX): every row or none.

    The sheet names its trainer (only they may load it); a row without values is skipped,
    the same values again change nothing and other values replace yours (audited).

    \b
    Example:
      reentry --as TR2 plans calibration import DSH-26A-CAL1 cal-TR2.xlsx
    """
    counts = state.ctx().plans.import_calibration(round_code, path, encoding=encoding)
    recorded = _("{added} plans scored, {replaced} replaced").format(**counts)
    done(_loaded(path.name, recorded, counts["added"] + counts["replaced"], counts["unchanged"], counts["skipped"]),
         state.format, counts)


@calibration.command("show")
@click.argument("round_code", metavar="ROUND")
@pass_state
def calibration_show(state: CliState, round_code):
    """A round's results: each trainer's deviation per criterion, flagged outside the band.

    from panel: the trainer's mean (own value − the round's panel mean) over the plans
    two or more trainers scored; from consensus: the mean (own value − the earlier
    panel's mean) over the round's plans; in rubric points, negative means harsh. A
    trainer is flagged when either lies further from 0 than the band. Alpha: the
    panel's agreement per criterion on the round's plans (ordinal Krippendorff's alpha).

    \b
    Example:
      reentry --as TR1 plans calibration show DSH-26A-CAL1
    """
    result = state.ctx().plans.calibration_results(round_code)
    found = result.round
    flag = _("outside the band")
    rows = [{"trainer": d.trainer, "criterion": d.criterion, "plans": d.plans, "from_panel": d.from_panel,
             "from_consensus": d.from_consensus, "flag": flag if d.outside else ""} for d in result.deviations]
    if state.format == "json":
        record = CALIBRATION_ROUND(found, state.converter)
        record.update({"scored": result.scored, "deviations": rows, "outside": result.outside,
                       "alpha": {"criteria": ALPHA.rows(result.criteria, state.converter),
                                 "least_agreement": result.least_agreement}})
        emit_record(record, state.format)
        return
    if state.format == "csv":
        emit_rows(rows, CALIBRATION_COLUMNS, state.format)
        return
    click.echo(_("Calibration round {code} of {cohort}: plans {labels}; band {band} point(s) per criterion; rubric "
                 "{rubric}.").format(code=found.code, cohort=found.cohort, labels=", ".join(found.plans),
                                     band=found.band, rubric=found.rubric))
    click.echo(_("Scored: {progress}.").format(progress=", ".join(
        f"{trainer} {n}/{len(found.plans)}" for trainer, n in result.scored.items())))
    emit_rows(rows, CALIBRATION_COLUMNS, state.format, empty=_("Nobody has scored yet."))
    for found_alpha in result.criteria:
        click.echo(_("alpha {criterion}: {text}").format(criterion=found_alpha.key,
                                                          text=_alpha_text(found_alpha, result.least_agreement)))
    if result.outside:
        click.echo(_("Outside the band: {trainers}.").format(trainers=", ".join(result.outside)))
    elif rows:
        click.echo(_("Every trainer is within the band."))


# --- conflicts -----------------------------------------------------------------------------------


@plans.group("conflict")
def conflict():
    """Conflicts of interest between trainers and participants."""


@conflict.command("declare")
@click.argument("participant")
@click.option("--kind", required=True, type=click.Choice(CONFLICTS))
@click.option("--note", help=_("Anything worth keeping about it."))
@click.option("--trainer", help=_("Admins: the trainer declaring (default: you)."))
@pass_state
def conflict_declare(state: CliState, participant, kind, note, trainer):
    """Declare a tie to a participant; you will not score their plans.

    \b
    Example:
      reentry --as TR2 plans conflict declare DSH-2026-0001 --kind neighbour
    """
    from reentry_core.sdk import unstructure

    found = state.ctx().plans.declare_conflict(participant, kind, note, trainer)
    done(_("{trainer} declared a conflict ({kind}) with {participant}.").format(
        trainer=found.trainer, kind=found.kind.label, participant=found.participant), state.format,
        unstructure(found))


@conflict.command("list")
@click.option("--trainer", help=_("Only this trainer's conflicts."))
@click.option("--participant", help=_("Only conflicts with this participant."))
@pass_state
def conflict_list(state: CliState, trainer, participant):
    """List declared conflicts.

    \b
    Example:
      reentry --as ADM plans conflict list --trainer TR2
    """
    from reentry_core.sdk import unstructure

    rows = [unstructure(c) for c in state.ctx().plans.conflicts(trainer=trainer, participant=participant)]
    emit_rows(rows, ["trainer", "participant", "kind", "note", "declared_on"], state.format,
              empty=_("No conflicts declared."))
