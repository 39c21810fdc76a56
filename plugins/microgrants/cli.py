"""``reentry grants``: rounds, applications, the committee, decisions and tranches.

Each command parses its options, calls one method of ``ctx.grants`` and prints the
answer. Only click is imported at the top: the rest loads when a command runs. Amounts
are passed on as typed; the service checks them (``reentry_core.convert.parse_money``).
"""

from __future__ import annotations

import click

from reentry_core.sdk import _, CliState, Presenter, done, emit_record, emit_rows, pass_state
from reentry_core.sdk import date_text

# the choices as click shows them; tests check they match reentry_microgrants.domain
APPLICATION_STATUSES = ["draft", "submitted", "ineligible", "under_review", "approved", "rejected", "deferred",
                        "disbursing", "completed", "withdrawn", "cancelled"]
ROUND_STATUSES = ["draft", "open", "closed"]
VOTE_CHOICES = ["approve", "reject", "abstain"]
REJECT_REASONS = ["weak_plan", "not_viable", "costs_unrealistic", "low_contribution", "outside_priorities",
                  "funded_elsewhere", "other"]
CONFLICT_KINDS = ["relative", "neighbour", "business_partner", "other"]
METHODS = ["cash", "bank_transfer", "in_kind"]

ROUND_COLUMNS = ["code", "title", "status", "currency", "budget", "min_grant", "max_grant", "opens_on", "closes_on",
                 "quorum", "committee"]
APP_COLUMNS = ["code", "participant", "name", "status", "requested", "approved", "granted", "disbursed",
               "submitted_on", "plan"]
LINE_COLUMNS = ["item", "quantity", "unit_cost", "kind", "supplier", "total"]
VOTE_COLUMNS = ["member", "vote", "amount", "reason", "note", "cast_on", "changed_on", "counted"]
CONFLICT_COLUMNS = ["member", "kind", "note", "recorded_by", "recorded_on"]
DECISION_COLUMNS = ["number", "outcome", "amount", "decided_on", "decided_by", "explanation"]
TRANCHE_COLUMNS = ["number", "amount", "released_on", "method", "items", "supplier", "receipt", "reference",
                   "eur_rate", "amount_eur", "recorded_by", "verification", "status", "confirmed_by"]
PENDING_COLUMNS = ["application", "number", "amount", "released_on", "method", "reference", "recorded_by"]
EVENT_COLUMNS = ["on", "event", "by", "note"]


# --- records: what is printed ------------------------------------------------------------------

money = Presenter.money


def _tranche_plan(rnd):
    from .domain import describe_plan

    return describe_plan(rnd.tranche_plan)


ROUND = Presenter("code", "title", "status", "donors", "currency", ("budget", "budget", money),
                  ("min_grant", "min_grant", money), ("max_grant", "max_grant", money), "opens_on", "closes_on",
                  "require_shortlisted_plan", "require_training", "min_plan_score", "quorum", "rule",
                  ("tranche_plan", _tranche_plan), "committee", "four_eyes", "visit_wait_days")

BUDGET = Presenter("round", "currency", *((name, name, money) for name in (
    "budget", "approved", "returned", "committed", "disbursed", "pending", "remaining")),
    "grants", "grants_to_women", ("women_share", "women_share", Presenter.percent))


def _plan_text(app) -> str | None:
    if app.plan is None:
        return None
    parts = [app.plan + (f" v{app.plan_version}" if app.plan_version else "")]
    if app.plan_title:
        parts.append(f'"{app.plan_title}"')
    details = [d for d in (app.sector, f"score {app.plan_score}" if app.plan_score is not None else None,
                           app.plan_status) if d]
    if details:
        parts.append(f"({', '.join(details)})")
    return " ".join(parts)


APPLICATION = Presenter("code", "round", "participant", ("name", "participant_name"), "status", "currency",
                        ("requested", "requested", money), ("own_contribution", "own_contribution", money),
                        ("approved", "amount_approved", money), ("granted", "amount_granted", money),
                        ("disbursed", "disbursed", money), "created_on", "submitted_on", "decided_on", "closed_on",
                        "close_reason", ("plan", _plan_text), "eligibility_problems")

LINE = Presenter("item", "quantity", ("unit_cost", "unit_cost", money), "kind", "supplier",
                 ("total", "total", money))

VOTE = Presenter("member", ("vote", "choice"), ("amount", "amount", money), "reason", "note", "cast_on",
                 "changed_on", "counted")

CONFLICT = Presenter("member", "kind", "note", "recorded_by", "recorded_on")

DECISION = Presenter("number", "outcome", ("amount", "amount", money), "decided_on", "decided_by", "explanation")


def _verification(v) -> str | None:
    from .payments import _verification_text

    return _verification_text(v)


def _reversal(r) -> str:
    return _("{on} by {by}: {reason}").format(on=date_text(r.reversed_on), by=r.reversed_by, reason=r.reason)


TRANCHE = Presenter("number", ("amount", "amount", money), "released_on", "method", "items", "supplier", "receipt",
                    "reference", "eur_rate", ("amount_eur", "amount_eur", money), "tjs_rate",
                    ("amount_tjs", "amount_tjs", money), "recorded_by",
                    ("verification", "verification", _verification), "status", "confirmed_by", "confirmed_on",
                    ("reversal", "reversal", _reversal))
#: A tranche in a list of several grants' tranches: its application first.
GRANT_TRANCHE = Presenter("application", *TRANCHE.columns)


def _money(amount, currency: str = "") -> str:
    from .domain import money_text

    return money_text(amount, currency)


# --- the group -------------------------------------------------------------------------------


@click.group("grants")
def grants():
    """Grant rounds, applications, committee decisions and tranches.

    \b
    A round's life:
      reentry --as ADM grants round add R2026 --title "Start-up grants 2026" --budget 20000 \\
          --min 3000 --max 10000 --opens 2026-11-01 --closes 2026-12-15 --tranche-plan 60,40:verified
      reentry --as ADM grants committee add R2026 CM1 CM2 CM3
      reentry --as ADM grants round open R2026
      reentry --as CW1 grants apply R2026 DSH-2026-0001 --line "Sewing machine;2;3500;in_kind;Textile LLC" --submit
      reentry --as CM1 grants vote R2026-001 approve
      reentry --as CM1 grants decide R2026-001
      reentry --as FO1 grants disburse R2026-001 --method bank_transfer --reference TR-118
    """


# --- rounds ------------------------------------------------------------------------------------


@grants.group("round")
def round_group():
    """Grant rounds: a budget, grant limits, eligibility, a committee and a tranche plan."""


@round_group.command("add")
@click.argument("code")
@click.option("--title", required=True, help=_("What the round is called."))
@click.option("--budget", required=True, metavar="AMOUNT", help=_("The total the round may commit."))
@click.option("--min", "min_grant", required=True, metavar="AMOUNT", help=_("The smallest grant."))
@click.option("--max", "max_grant", required=True, metavar="AMOUNT", help=_("The largest grant."))
@click.option("--opens", "opens_on", required=True, metavar="DATE", help=_("First day applications are taken."))
@click.option("--closes", "closes_on", required=True, metavar="DATE", help=_("Last day applications are taken."))
@click.option("--donor", "donors", multiple=True, help=_("A donor (repeat, or separate with commas)."))
@click.option("--currency", default="TJS", show_default=True, help=_("Three-letter currency code."))
@click.option("--require-shortlisted-plan", is_flag=True, help=_("Only participants with a shortlisted plan."))
@click.option("--require-training", is_flag=True, help=_("Only participants who completed business training."))
@click.option("--min-plan-score", metavar="SCORE", help=_("The plan's panel score (0-100) must be at least this."))
@click.option("--quorum", default=3, show_default=True, type=int, help=_("Valid votes needed for a decision."))
@click.option("--tranche-plan", default="100", show_default=True,
              help=_("Percentages of each tranche; ':verified' marks one released after a verified mentor visit, "
                     "e.g. 60,40:verified."))
@click.option("--four-eyes/--no-four-eyes", default=True, show_default=True,
              help=_("A tranche one finance officer records waits until a second person confirms it."))
@click.option("--visit-wait", "visit_wait_days", default=0, show_default=True, type=int, metavar="DAYS",
              help=_("A verified part goes out at the earliest this many days after the verifying visit."))
@pass_state
def round_add(state: CliState, code, title, **fields):
    """Set up a grant round as a draft (open it once its committee is appointed).

    \b
    Example:
      reentry --as ADM grants round add R2026 --title "Start-up grants 2026" --donor EU --donor BMZ \\
          --budget 20000 --min 3000 --max 10000 --opens 2026-11-01 --closes 2026-12-15 \\
          --require-shortlisted-plan --require-training --min-plan-score 60 --tranche-plan 60,40:verified
    """
    rnd = state.ctx().grants.add_round(code, title, **fields)
    done(_("Added round {code} ({status}): budget {budget}, grants of {low} to {high}. Appoint its committee "
           "(grants committee add {code} …), then open it (grants round open {code}).").format(
        code=rnd.code, status=rnd.status.label, budget=_money(rnd.budget, rnd.currency), low=_money(rnd.min_grant),
        high=_money(rnd.max_grant, rnd.currency)), state.format, ROUND(rnd, state.converter))


@round_group.command("payment-rules")
@click.argument("code")
@click.option("--four-eyes/--no-four-eyes", default=None,
              help=_("A tranche one finance officer records waits until a second person confirms it."))
@click.option("--visit-wait", "visit_wait_days", type=int, metavar="DAYS",
              help=_("A verified part goes out at the earliest this many days after the verifying visit (0: none)."))
@pass_state
def round_payment_rules(state: CliState, code, four_eyes, visit_wait_days):
    """(admin) Change how a round pays: four eyes on its tranches (on by default) and the
    days a verified part waits after the verifying visit (none by default).

    \b
    Example:
      reentry --as ADM grants round payment-rules R2026 --visit-wait 14
    """
    rnd = state.ctx().grants.set_payment_rules(code, four_eyes=four_eyes, visit_wait_days=visit_wait_days)
    done(_("Round {code}: four eyes {eyes}; a verified part waits {n} days after the verifying visit.").format(
        code=rnd.code, eyes=_("on") if rnd.four_eyes else _("off"), n=rnd.visit_wait_days), state.format,
        ROUND(rnd, state.converter))


@round_group.command("change")
@click.argument("code")
@click.option("--title", help=_("The round's new title."))
@click.option("--budget", help=_("The new budget (a donor's top-up or a cut)."))
@click.option("--min-grant", help=_("The new smallest grant."))
@click.option("--max-grant", help=_("The new largest grant."))
@click.option("--opens", "opens_on", metavar="DATE", help=_("The new opening date (a draft round only)."))
@click.option("--closes", "closes_on", metavar="DATE", help=_("The new closing date."))
@click.option("--reason", required=True, help=_("Why it changes (kept in the audit trail with the earlier values)."))
@pass_state
def round_change(state: CliState, code, title, budget, min_grant, max_grant, opens_on, closes_on, reason):
    """(admin) Change a round's budget, grant limits, dates or title, also after it opened;
    never below what it has committed. Grants already decided keep their amounts.

    \b
    Example:
      reentry --as ADM grants round change R2026 --budget 250000 --reason "EU top-up of 50,000, letter of 1 Dec"
    """
    rnd = state.ctx().grants.change_round(code, title=title, budget=budget, min_grant=min_grant,
                                          max_grant=max_grant, opens_on=opens_on, closes_on=closes_on, reason=reason)
    done(_("Round {code} changed: budget {budget}, grants {low} to {high}, open {opens} to {closes}.").format(
        code=rnd.code, budget=_money(rnd.budget, rnd.currency), low=_money(rnd.min_grant),
        high=_money(rnd.max_grant, rnd.currency), opens=date_text(rnd.opens_on),
        closes=date_text(rnd.closes_on)), state.format, ROUND(rnd, state.converter))


@round_group.command("list")
@click.option("--status", type=click.Choice(ROUND_STATUSES))
@pass_state
def round_list(state: CliState, status):
    """List grant rounds.

    \b
    Example:
      reentry --as ADM grants round list --status open
    """
    rounds = state.ctx().grants.rounds(status=status)
    emit_rows(ROUND.rows(rounds, state.converter), ROUND_COLUMNS, state.format, empty=_("No grant rounds found."))


@round_group.command("show")
@click.argument("code")
@pass_state
def round_show(state: CliState, code):
    """Show a round: its settings, committee and budget.

    \b
    Example:
      reentry --as ADM grants round show R2026
    """
    grants_ = state.ctx().grants
    rnd = grants_.get_round(code)
    record = ROUND(rnd, state.converter)
    budget = BUDGET(grants_.budget(code), state.converter)
    for key in ("approved", "committed", "disbursed", "pending", "remaining", "grants", "women_share"):
        record[key] = budget[key]
    emit_record(record, state.format, title=_("Round {code}: {title}").format(code=rnd.code, title=rnd.title))


@round_group.command("open")
@click.argument("code")
@pass_state
def round_open(state: CliState, code):
    """Open a draft round for applications (its committee must reach the quorum).

    \b
    Example:
      reentry --as ADM grants round open R2026
    """
    rnd = state.ctx().grants.open_round(code)
    done(_("Round {code} is open for applications from {opens} to {closes}.").format(
        code=rnd.code, opens=date_text(rnd.opens_on), closes=date_text(rnd.closes_on)), state.format,
        ROUND(rnd, state.converter))


@round_group.command("close")
@click.argument("code")
@pass_state
def round_close(state: CliState, code):
    """Stop taking applications; the committee still decides, finance still pays.

    \b
    Example:
      reentry --as ADM grants round close R2026
    """
    rnd = state.ctx().grants.close_round(code)
    done(_("Round {code} is closed for applications.").format(code=rnd.code), state.format, ROUND(rnd, state.converter))


@grants.command("budget")
@click.argument("round_code", metavar="ROUND")
@pass_state
def budget(state: CliState, round_code):
    """Where a round's money stands: budget, committed (approved less what cancellations and
    reductions returned), disbursed, remaining, number of grants and women's share.

    \b
    Example:
      reentry --as ADM grants budget R2026
    """
    record = BUDGET(state.ctx().grants.budget(round_code), state.converter)
    emit_record(record, state.format, title=_("Budget of round {code} ({currency})").format(
        code=record["round"], currency=record["currency"]))


# --- the committee --------------------------------------------------------------------------------


@grants.group("committee")
def committee_group():
    """A round's committee: staff with the committee_member role."""


@committee_group.command("add")
@click.argument("round_code", metavar="ROUND")
@click.argument("members", nargs=-1, required=True)
@pass_state
def committee_add(state: CliState, round_code, members):
    """Put staff members (with the committee_member role) on a round's committee.

    \b
    Example:
      reentry --as ADM grants committee add R2026 CM1 CM2 CM3 CM4
    """
    rnd = state.ctx().grants.add_committee_members(round_code, members)
    done(_("The committee of round {code}: {members} (quorum {quorum}).").format(
        code=rnd.code, members=", ".join(rnd.committee), quorum=rnd.quorum), state.format, ROUND(rnd, state.converter))


@committee_group.command("remove")
@click.argument("round_code", metavar="ROUND")
@click.argument("member")
@pass_state
def committee_remove(state: CliState, round_code, member):
    """Take a member off a round's committee (not once they have voted in it).

    \b
    Example:
      reentry --as ADM grants committee remove R2026 CM4
    """
    rnd = state.ctx().grants.remove_committee_member(round_code, member)
    done(_("The committee of round {code}: {members} (quorum {quorum}).").format(
        code=rnd.code, members=", ".join(rnd.committee) or "-", quorum=rnd.quorum), state.format,
        ROUND(rnd, state.converter))


# --- applications ----------------------------------------------------------------------------------


def line_options(func):
    """``--line`` (repeatable) and ``--lines-file``: the budget lines of an application."""
    func = click.option("--lines-file", type=click.Path(dir_okay=False),
                        help=_("A CSV file with the columns item, quantity, unit_cost, kind, supplier."))(func)
    return click.option("--line", "lines", multiple=True, metavar='"ITEM;QTY;UNIT COST;cash|in_kind;SUPPLIER"',
                        help=_("A budget line (repeat for more); kind and supplier may be left off."))(func)


def _lines(lines, lines_file):
    if lines_file:
        from .lines import read_lines_file

        return list(lines) + list(read_lines_file(lines_file))
    return list(lines)


def _application_done(app, state: CliState) -> None:
    if app.status.value == "ineligible":
        message = _("{code} of {participant} is ineligible and kept with its reasons: {reasons}").format(
            code=app.code, participant=app.participant, reasons="; ".join(app.eligibility_problems))
    else:
        message = _("{code} of {participant}: {requested} requested, {status}.").format(
            code=app.code, participant=app.participant, requested=_money(app.requested, app.currency),
            status=app.status.label.replace("_", " "))
    done(message, state.format, APPLICATION(app, state.converter))


@grants.command("apply")
@click.argument("round_code", metavar="ROUND")
@click.argument("participant")
@line_options
@click.option("--contribution", "own_contribution", default="0", metavar="AMOUNT",
              help=_("What the participant puts in themselves."))
@click.option("--submit", is_flag=True, help=_("Submit at once (eligibility is checked)."))
@pass_state
def apply(state: CliState, round_code, participant, lines, lines_file, own_contribution, submit):
    """Make PARTICIPANT's application in an open ROUND, with its budget lines. The amount
    requested is the sum of the lines, between the round's minimum and maximum grant.

    \b
    Examples:
      reentry --as CW1 grants apply R2026 DSH-2026-0001 --contribution 1500 \\
          --line "Sewing machine;2;3500;in_kind;Textile LLC" --line "Fabric;10;120;cash" --submit
      reentry --as CW1 grants apply R2026 DSH-2026-0002 --lines-file budget.csv
    """
    app = state.ctx().grants.apply(round_code, participant, _lines(lines, lines_file),
                                   own_contribution=own_contribution, submit=submit)
    _application_done(app, state)


@grants.command("update")
@click.argument("code")
@line_options
@click.option("--contribution", "own_contribution", metavar="AMOUNT", help=_("A new own contribution."))
@pass_state
def update(state: CliState, code, lines, lines_file, own_contribution):
    """Change a draft application: new budget lines (they replace the old ones) or a new
    own contribution.

    \b
    Example:
      reentry --as CW1 grants update R2026-001 --line "Sewing machine;2;3300;in_kind;Textile LLC"
    """
    new_lines = _lines(lines, lines_file) or None
    app = state.ctx().grants.update(code, lines=new_lines, own_contribution=own_contribution)
    _application_done(app, state)


@grants.command("submit")
@click.argument("code")
@pass_state
def submit(state: CliState, code):
    """Submit a draft: eligibility is checked now. An ineligible application is kept with
    its reasons; an eligible one goes to the committee.

    \b
    Example:
      reentry --as CW1 grants submit R2026-001
    """
    _application_done(state.ctx().grants.submit(code), state)


@grants.command("withdraw")
@click.argument("code")
@click.option("--reason", help=_("Why the applicant withdraws."))
@pass_state
def withdraw(state: CliState, code, reason):
    """Withdraw an application before the committee approves or rejects it.

    \b
    Example:
      reentry --as CW1 grants withdraw R2026-001 --reason "found a job in Khujand"
    """
    app = state.ctx().grants.withdraw(code, reason)
    done(_("{code} is withdrawn.").format(code=app.code), state.format, APPLICATION(app, state.converter))


@grants.command("list")
@click.option("--round", "round_code", metavar="ROUND", help=_("Only this round."))
@click.option("--status", type=click.Choice(APPLICATION_STATUSES))
@click.option("--participant", help=_("Only this participant's applications."))
@pass_state
def list_(state: CliState, round_code, status, participant):
    """List applications by round and number.

    \b
    Example:
      reentry --as CM1 grants list --round R2026 --status under_review
    """
    apps = state.ctx().grants.applications(round=round_code, status=status, participant=participant)
    emit_rows(APPLICATION.rows(apps, state.converter), APP_COLUMNS, state.format, empty=_("No applications found."))


@grants.command("show")
@click.argument("code")
@pass_state
def show(state: CliState, code):
    """The whole story of an application: lines, eligibility, votes with conflicts,
    decisions, tranches and every change of state.

    \b
    Example:
      reentry --as ADM grants show R2026-001
    """
    story = state.ctx().grants.story(code)
    app = story.application
    record = APPLICATION(app, state.converter)
    record["round"] = f"{story.round.code}: {story.round.title}"
    sections = {
        "lines": LINE.rows(app.lines, state.converter),
        "conflicts": CONFLICT.rows(story.conflicts, state.converter),
        "votes": VOTE.rows(story.votes, state.converter),
        "decisions": DECISION.rows(story.decisions, state.converter),
        "tranches": TRANCHE.rows(story.tranches, state.converter),
        "history": story.events,
    }
    if state.format == "json":
        emit_record({**record, **sections}, "json")
        return
    if state.format == "csv":
        emit_record(record, "csv")
        return
    record["eligibility"] = ("; ".join(app.eligibility_problems) if app.eligibility_problems
                             else _("eligible") if app.submitted_on else _("not yet checked (a draft)"))
    del record["eligibility_problems"]
    emit_record(record, "table", title=_("Application {code} of {name} ({participant})").format(
        code=app.code, name=app.participant_name or "—", participant=app.participant))
    titles = {"lines": _("Budget lines"), "conflicts": _("Conflicts of interest"), "votes": _("Votes"),
              "decisions": _("Decisions"), "tranches": _("Tranches"), "history": _("History")}
    columns = {"lines": LINE_COLUMNS, "conflicts": CONFLICT_COLUMNS, "votes": VOTE_COLUMNS,
               "decisions": DECISION_COLUMNS, "tranches": TRANCHE_COLUMNS, "history": EVENT_COLUMNS}
    for key, rows in sections.items():
        if rows:
            emit_rows(rows, columns[key], "table", title=titles[key])


# --- the committee at work ---------------------------------------------------------------------------


@grants.group("conflict")
def conflict_group():
    """Conflicts of interest of committee members."""


@conflict_group.command("declare")
@click.argument("code")
@click.option("--kind", required=True, type=click.Choice(CONFLICT_KINDS))
@click.option("--note", required=True, help=_("What the tie is."))
@click.option("--member", help=_("(admin) Record the conflict of this committee member."))
@pass_state
def conflict_declare(state: CliState, code, kind, note, member):
    """Declare a conflict of interest on an application: the member then neither votes nor
    counts towards the quorum on it. An admin records one for a member with --member.

    \b
    Examples:
      reentry --as CM4 grants conflict declare R2026-001 --kind neighbour --note "lives next door"
      reentry --as ADM grants conflict declare R2026-002 --member CM2 --kind relative --note "cousin"
    """
    conflict = state.ctx().grants.declare_conflict(code, kind, note, member=member)
    done(_("Recorded: {member} has a conflict of interest ({kind}) on {code}.").format(
        member=conflict.member, kind=conflict.kind.label, code=conflict.application), state.format,
        CONFLICT(conflict, state.converter))


@conflict_group.command("list")
@click.argument("code")
@pass_state
def conflict_list(state: CliState, code):
    """List the conflicts of interest declared on application CODE.

    \b
    Example:
      reentry --as ADM grants conflict list R2026-001
    """
    conflicts = state.ctx().grants.conflicts(code)
    emit_rows([CONFLICT(c, state.converter) for c in conflicts], CONFLICT_COLUMNS, state.format,
              empty=_("No conflicts of interest on {code}.").format(code=code.strip().upper()))


@conflict_group.command("withdraw")
@click.argument("code")
@click.option("--member", help=_("(admin) Withdraw the conflict of this committee member."))
@click.option("--reason", required=True, help=_("Why it is withdrawn (kept in the audit trail with the conflict)."))
@pass_state
def conflict_withdraw(state: CliState, code, member, reason):
    """Withdraw a conflict of interest declared by mistake on application CODE, while it is
    under review: the member may then vote on it. An admin withdraws a member's with --member.

    \b
    Examples:
      reentry --as CM4 grants conflict withdraw R2026-001 --reason "declared on the wrong application"
      reentry --as ADM grants conflict withdraw R2026-002 --member CM2 --reason "not her cousin: same surname"
    """
    conflict = state.ctx().grants.withdraw_conflict(code, reason, member=member)
    done(_("Withdrawn: {member} no longer has a conflict of interest on {code}; they may vote on it.").format(
        member=conflict.member, code=conflict.application), state.format, CONFLICT(conflict, state.converter))


@grants.command("vote")
@click.argument("code")
@click.argument("choice", type=click.Choice(VOTE_CHOICES))
@click.option("--amount", metavar="AMOUNT", help=_("approve: how much (default: the amount requested)."))
@click.option("--reason", type=click.Choice(REJECT_REASONS), help=_("reject: why."))
@click.option("--note", help=_("reject: say more (required); otherwise optional."))
@click.option("--change", is_flag=True, help=_("Replace your earlier vote (the change is audited)."))
@pass_state
def vote(state: CliState, code, choice, amount, reason, note, change):
    """Vote on an application as a member of its round's committee.

    \b
    Examples:
      reentry --as CM1 grants vote R2026-001 approve --amount 7500
      reentry --as CM2 grants vote R2026-002 reject --reason costs_unrealistic --note "machine prices doubled"
      reentry --as CM3 grants vote R2026-002 approve --change
    """
    cast = state.ctx().grants.vote(code, choice, amount=amount, reason=reason, note=note, change=change)
    done(_("{member} votes {vote} on {code}.").format(
        member=cast.member, vote=cast.choice.label + (f" {_money(cast.amount)}" if cast.amount else ""),
        code=cast.application), state.format, VOTE(cast, state.converter))


@grants.command("decide")
@click.argument("code", required=False)
@click.option("--round", "round_code", metavar="ROUND",
              help=_("Decide every application of ROUND under review, highest plan score first."))
@pass_state
def decide(state: CliState, code, round_code):
    """Record the committee's decision from the valid votes. Refused without quorum, or
    when an approval would commit more than the round has left. An approval's amount is
    the median of the approving votes' amounts; deferred keeps the application open.
    With --round instead of CODE, every application of the round under review is decided,
    highest plan score first, within the budget; those that cannot be decided are listed.

    \b
    Examples:
      reentry --as CM1 grants decide R2026-001
      reentry --as ADM grants decide --round R2026
    """
    if bool(code) == bool(round_code):
        raise click.UsageError(_("name one application (CODE) or one round (--round ROUND)"))
    if round_code:
        _meeting_done(state.ctx().grants.decide_round(round_code), state)
        return
    decision = state.ctx().grants.decide(code)
    amount = f" ({_money(decision.amount)})" if decision.amount is not None else ""
    done(_("{code} is {outcome}{amount}: {explanation}.").format(
        code=decision.application, outcome=decision.outcome.label, amount=amount,
        explanation=decision.explanation), state.format, DECISION(decision, state.converter))


AGENDA_COLUMNS = ["application", "participant", "name", "status", "requested", "plan_score", "voted", "conflicted",
                  "waiting"]
MEETING_COLUMNS = ["application", "outcome", "amount", "explanation"]


AGENDA_ITEM = Presenter("application", "participant", "name", "status", ("requested", "requested", money),
                        "plan_score", "voted", "conflicted", "waiting")
#: A decision of a meeting: its application first.
MEETING_DECISION = Presenter("application", *DECISION.columns)


@grants.command("agenda")
@click.argument("round_code", metavar="ROUND")
@click.option("--deferred", is_flag=True, help=_("Also the deferred applications, to vote on again."))
@click.option("-o", "--out", type=click.Path(dir_okay=False),
              help=_("Write the meeting's blank tally sheet (.csv or .xlsx): a row per member still to vote on "
                     "each application."))
@pass_state
def agenda(state: CliState, round_code, deferred, out):
    """The committee's agenda: the applications of ROUND under review, highest plan score
    first, with who has voted, who declared a conflict and who has still to vote. With
    --out, the tally sheet to fill in at the meeting and enter with 'grants meeting'.

    \b
    Examples:
      reentry --as ADM grants agenda R2026
      reentry --as ADM grants agenda R2026 --out meeting-2026-12.xlsx
    """
    grants_ = state.ctx().grants
    if out:
        count = grants_.write_tally_sheet(round_code, out, deferred=deferred)
        done(_("Wrote the tally sheet of round {round} to {file}: {n} rows to fill in (vote: approve, reject, "
               "abstain or conflict).").format(round=round_code.upper(), file=out, n=count), state.format,
             {"round": round_code.upper(), "file": out, "rows": count})
        return
    items = grants_.agenda(round_code, deferred=deferred)
    emit_rows(AGENDA_ITEM.rows(items, state.converter), AGENDA_COLUMNS, state.format,
              empty=_("Nothing is in front of the committee of round {round}.").format(round=round_code.upper()))


def _sheet_counts(file: str, done: int, unchanged: int, skipped: int, told: str) -> str:
    """What a sheet entered did: ``told`` (what was recorded), the rows already recorded
    (nothing changed) and the rows nobody filled in; or that nothing changed at all."""
    if not done and unchanged:
        text = _("{file}: nothing changed: all {n} rows are already recorded").format(file=file, n=unchanged)
    else:
        text = told
        if unchanged:
            text += _("; {n} rows already recorded (nothing changed)").format(n=unchanged)
    if skipped:
        text += _("; {n} rows not filled in").format(n=skipped)
    return text + "."


def _meeting_done(report, state: CliState) -> None:
    lines = []
    if report.file is not None:
        lines.append(_sheet_counts(report.file, report.votes + report.changed + report.conflicts, report.unchanged,
                                   report.skipped, _(
            "{file}: {votes} votes, {changed} changed, {conflicts} conflicts of interest recorded on "
            "{apps} applications of round {round}").format(
            file=report.file, votes=report.votes, changed=report.changed, conflicts=report.conflicts,
            apps=len(report.applications), round=report.round)))
    if report.decided:
        counts = {}
        for d in report.decisions:
            counts[d.outcome.value] = counts.get(d.outcome.value, 0) + 1
        lines.append(_("Decided {n}: {approved} approved ({amount}), {rejected} rejected, {deferred} deferred; "
                       "{left} not decided.").format(
            n=len(report.decisions), approved=counts.get("approved", 0),
            amount=_money(sum((d.amount for d in report.decisions if d.amount is not None), 0)),
            rejected=counts.get("rejected", 0), deferred=counts.get("deferred", 0), left=len(report.not_decided)))
    record = {"round": report.round, "file": report.file, "rows": report.rows, "votes": report.votes,
              "changed": report.changed, "conflicts": report.conflicts, "applications": list(report.applications),
              "unchanged": report.unchanged, "not_filled_in": report.skipped,
              "decisions": MEETING_DECISION.rows(report.decisions, state.converter),
              "not_decided": [{"application": n.application, "reason": n.reason} for n in report.not_decided]}
    if state.format != "table":
        emit_record(record, state.format)
        return
    click.echo("\n".join(lines))
    if report.decisions:
        emit_rows(MEETING_DECISION.rows(report.decisions, state.converter), MEETING_COLUMNS, "table",
                  title=_("Decisions"))
    if report.not_decided:
        emit_rows([{"application": n.application, "reason": n.reason} for n in report.not_decided],
                  ["application", "reason"], "table", title=_("Not decided"))


@grants.command("meeting")
@click.argument("round_code", metavar="ROUND")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--decide", "decide_", is_flag=True,
              help=_("Then decide every application under review (and each deferred one on the sheet), highest "
                     "plan score first, within the budget."))
@click.option("--change", is_flag=True, help=_("A member who voted before may change the vote on this sheet."))
@pass_state
def meeting(state: CliState, round_code, file, decide_, change):
    """(the committee's secretary) Enter a meeting's tally sheet, a .csv or .xlsx file with
    the columns application, member, vote, amount, reason, note: one row per member per
    application. vote is approve (amount: default the amount requested), reject (reason:
    weak_plan, not_viable, costs_unrealistic, low_contribution, outside_priorities,
    funded_elsewhere or other, and a note), abstain, or conflict (reason: relative,
    neighbour, business_partner or other, and a note). Every row is checked; a sheet with
    a bad row records nothing, and each bad row is listed.

    \b
    Example:
      reentry --as ADM grants agenda R2026 --out meeting.csv      # filled in at the meeting
      reentry --as ADM grants meeting R2026 meeting.csv --decide
    """
    _meeting_done(state.ctx().grants.record_meeting(round_code, file, decide=decide_, change=change), state)


# --- paying out ---------------------------------------------------------------------------------------


@grants.command("disburse")
@click.argument("code")
@click.option("--amount", metavar="AMOUNT", help=_("Default: the next part of the round's tranche plan."))
@click.option("--on", metavar="DATE", help=_("Date released (default today)."))
@click.option("--method", type=click.Choice(METHODS), default="cash", show_default=True)
@click.option("--items", help=_("in_kind: what was handed over."))
@click.option("--supplier", help=_("in_kind: who supplied it."))
@click.option("--receipt", help=_("Receipt number (required in kind)."))
@click.option("--reference", help=_("Bank transfer or payment reference."))
@click.option("--eur-rate", metavar="RATE", help=_("How many units of the round's currency one euro cost that day."))
@click.option("--tjs-rate", metavar="RATE",
              help=_("A round in another currency: how many somoni one unit of it cost that day (its TJS totals)."))
@pass_state
def disburse(state: CliState, code, **fields):
    """Record a tranche of an approved grant (finance). Never beyond the amount granted,
    never by whoever recorded the approval, and a part of the plan marked verified only
    after a verified mentor visit (or an admin's override).

    \b
    Examples:
      reentry --as FO1 grants disburse R2026-001 --method in_kind --items "2 sewing machines" \\
          --supplier "Textile LLC" --receipt 0457 --eur-rate 11.65
      reentry --as FO1 grants disburse R2026-001 --method bank_transfer --reference TR-2026-118
    """
    tranche = state.ctx().grants.disburse(code, **fields)
    text = _("Tranche {n} of {code}: {amount} released on {on} ({method}).").format(
        n=tranche.number, code=tranche.application, amount=_money(tranche.amount, tranche.currency),
        on=date_text(tranche.released_on), method=tranche.method.label)
    if tranche.status.value == "pending":
        text += " " + _("It counts once a second finance officer confirms it: reentry grants confirm {code} "
                        "--tranche {n}").format(code=tranche.application, n=tranche.number)
    done(text, state.format, TRANCHE(tranche, state.converter))


@grants.command("confirm")
@click.argument("code")
@click.option("--tranche", "number", required=True, type=int, help=_("The tranche's number."))
@pass_state
def confirm(state: CliState, code, number):
    """(finance) Confirm a tranche another finance officer recorded: only confirmed money
    counts (the budget, the reports) and the grant's next tranche waits for it. Not by
    whoever recorded it, nor by anyone who took part in deciding the grant (its decision,
    votes or tally sheet).

    \b
    Example:
      reentry --as FO2 grants confirm R2026-001 --tranche 1
    """
    tranche = state.ctx().grants.confirm_tranche(code, number)
    done(_("Tranche {n} of {code} confirmed: {amount}.").format(
        n=tranche.number, code=tranche.application, amount=_money(tranche.amount, tranche.currency)), state.format,
        TRANCHE(tranche, state.converter))


@grants.command("reverse")
@click.argument("code")
@click.option("--tranche", "number", required=True, type=int, help=_("The tranche's number."))
@click.option("--reason", required=True, help=_("Why the tranche was wrong."))
@pass_state
def reverse(state: CliState, code, number, reason):
    """(finance) Reverse a wrong tranche by an audited counter-entry: it is never deleted,
    its money no longer counts, and the part may be paid again as a new tranche. Not by
    whoever recorded it, nor by anyone who took part in deciding the grant.

    \b
    Example:
      reentry --as FO2 grants reverse R2026-001 --tranche 1 --reason "paid to the wrong account"
    """
    tranche = state.ctx().grants.reverse_tranche(code, number, reason)
    done(_("Tranche {n} of {code} ({amount}) reversed: {reason}").format(
        n=tranche.number, code=tranche.application, amount=_money(tranche.amount, tranche.currency),
        reason=tranche.reversal.reason), state.format, TRANCHE(tranche, state.converter))


DUE_COLUMNS = ["application", "participant", "name", "tranche", "amount", "since", "ready", "verification",
               "waiting"]


DUE = Presenter("application", "participant", "name", "round", ("tranche", "number"), ("amount", "amount", money),
                "currency", "since", "ready", ("verification", "verification", _verification), "waiting")


@grants.command("tranches")
@click.argument("code", required=False)
@click.option("--ready", is_flag=True, help=_("Finance's worklist: the tranches that can be released today."))
@click.option("--due", is_flag=True, help=_("The next tranche of every grant not yet paid, ready or waiting."))
@click.option("--pending", is_flag=True, help=_("The tranches waiting for a second person's confirmation."))
@click.option("--round", "round_code", metavar="ROUND", help=_("Only this round (with --ready or --due)."))
@click.option("-o", "--out", type=click.Path(dir_okay=False),
              help=_("With --ready: write the payment sheet (.csv or .xlsx) to fill in and enter with "
                     "'grants payments'."))
@pass_state
def tranches(state: CliState, code, ready, due, pending, round_code, out):
    """The tranches of one grant (CODE), or finance's worklist: with --ready the tranches
    that can go out today (a first tranche; a later one whose verified visit came, or
    that an admin let out), with --due every grant's next tranche and why it waits, with
    --pending the tranches waiting for a second person's confirmation.

    \b
    Examples:
      reentry --as FIN1 grants tranches R2026-001
      reentry --as FIN1 grants tranches --ready
      reentry --as FIN1 grants tranches --due --round R2026
      reentry --as FIN1 grants tranches --ready --out payments-2026-12.xlsx
      reentry --as FIN2 grants tranches --pending
    """
    grants_ = state.ctx().grants
    if pending:
        if code or ready or due or out:
            raise click.UsageError(_("--pending lists every tranche waiting for confirmation (--round: one round)"))
        emit_rows(GRANT_TRANCHE.rows(grants_.pending_tranches(round_code), state.converter),
                  PENDING_COLUMNS, state.format, empty=_("No tranche waits for confirmation."))
        return
    if code:
        if ready or due or round_code or out:
            raise click.UsageError(_("name a grant (CODE) or ask for the worklist (--ready or --due), not both"))
        emit_rows(TRANCHE.rows(grants_.tranches(code), state.converter), TRANCHE_COLUMNS, state.format,
                  empty=_("No tranches of {code} yet.").format(code=code.upper()))
        return
    if not (ready or due):
        raise click.UsageError(_("name a grant (CODE), or ask for --ready or --due"))
    if out:
        if not ready:
            raise click.UsageError(_("--out writes the tranches that are --ready"))
        count = grants_.write_payment_sheet(out, round_code)
        done(_("Wrote {n} tranches ready to release to {file}.").format(n=count, file=out), state.format,
             {"file": out, "rows": count})
        return
    found = grants_.due_tranches(round_code, ready=ready)
    emit_rows(DUE.rows(found, state.converter), DUE_COLUMNS, state.format,
              empty=_("No tranche is ready to release.") if ready else _("No grant is waiting for a tranche."))


@grants.command("payments")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_state
def payments(state: CliState, file):
    """(finance) Enter a payment run: a .csv or .xlsx file with the columns application,
    tranche, amount, released_on, method, items, supplier, receipt, reference, eur_rate,
    one tranche per row. Blank amount: the plan's next part; blank released_on: today;
    blank method: cash (in_kind needs items, supplier and receipt). Every row is checked
    as 'grants disburse' checks it; a file with a bad row records nothing, and each bad
    row is listed. A row naming a tranche already recorded as it says changes nothing (a
    run entered twice releases nothing more); a row of the worklist's sheet with nothing
    filled in is skipped. The tranches wait for a second person's confirmation
    ('grants confirm').

    \b
    Example:
      reentry --as FIN1 grants tranches --ready --out payments.xlsx      # then fill in method, references
      reentry --as FIN1 grants payments payments.xlsx
    """
    report = state.ctx().grants.record_payments(file)
    currency = report.tranches[0].currency if report.tranches else ""
    done(_sheet_counts(report.file, len(report.tranches), report.unchanged, report.skipped, _(
        "{file}: {n} tranches released, {total} in all; {completed} grants fully paid").format(
        file=report.file, n=len(report.tranches), total=_money(report.total, currency),
        completed=len(report.completed))), state.format,
        {"file": report.file, "tranches": GRANT_TRANCHE.rows(report.tranches, state.converter),
         "completed": list(report.completed), "unchanged": report.unchanged, "not_filled_in": report.skipped})


@grants.command("override")
@click.argument("code")
@click.option("--reason", required=True, help=_("Why the tranche may go out without a verified visit."))
@pass_state
def override(state: CliState, code, reason):
    """(admin) Let the next tranche that needs a verified visit go out without one. The
    reason is kept with that tranche.

    \b
    Example:
      reentry --as ADM grants override R2026-001 --reason "mentor on leave; director saw the workshop"
    """
    granted = state.ctx().grants.override_verification(code, reason)
    done(_("The next verified tranche of {code} may go out without a visit: {reason}").format(
        code=granted.application, reason=granted.reason), state.format,
        {"application": granted.application, "reason": granted.reason, "granted_by": granted.granted_by,
         "granted_on": granted.granted_on})


@grants.command("cancel")
@click.argument("code")
@click.option("--reason", required=True, help=_("Why the grant is cancelled."))
@pass_state
def cancel(state: CliState, code, reason):
    """Cancel an approved grant; what is not yet paid out returns to the round's budget.

    \b
    Example:
      reentry --as ADM grants cancel R2026-002 --reason "moved to Russia for work"
    """
    app = state.ctx().grants.cancel(code, reason)
    done(_("{code} is cancelled; the {paid} paid out stays committed, the rest is back in the budget of round "
           "{round}.").format(code=app.code, paid=_money(app.disbursed, app.currency), round=app.round),
         state.format, APPLICATION(app, state.converter))


@grants.command("reduce")
@click.argument("code")
@click.option("--to", "to", required=True, metavar="AMOUNT", help=_("The new amount of the grant."))
@click.option("--reason", required=True, help=_("Why the grant is reduced."))
@pass_state
def reduce(state: CliState, code, to, reason):
    """Lower an approved grant (not below what was paid out); the difference returns to
    the round's budget.

    \b
    Example:
      reentry --as ADM grants reduce R2026-001 --to 7000 --reason "the supplier lowered the price"
    """
    app = state.ctx().grants.reduce(code, to, reason)
    done(_("{code} is reduced to {amount} ({status}).").format(
        code=app.code, amount=_money(app.amount_granted, app.currency), status=app.status.label), state.format,
        APPLICATION(app, state.converter))
