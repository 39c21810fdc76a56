"""Microgrants' pages in the web workspace (``reentry serve``): the committee's agenda,
one application's whole story, declaring a conflict and voting; a round's budget;
finance's worklist, recording and confirming a tranche; making an application, changing
its budget lines, submitting and withdrawing it. Each page calls the same method of
``ctx.grants`` as the command of the same name; only the SDK is imported from the core."""

from __future__ import annotations

import re
from pathlib import Path

from reentry_core.sdk import InvalidInput, ReentryError, _

from .domain import ApplicationStatus, money_text

VOTES = (("approve", lambda: _("Approve")), ("reject", lambda: _("Reject")), ("abstain", lambda: _("Abstain")))
REASONS = (("weak_plan", lambda: _("Weak plan")), ("not_viable", lambda: _("Not viable")),
           ("costs_unrealistic", lambda: _("Costs unrealistic")), ("low_contribution", lambda: _("Low contribution")),
           ("outside_priorities", lambda: _("Outside the priorities")),
           ("funded_elsewhere", lambda: _("Funded elsewhere")), ("other", lambda: _("Other")))
KINDS = (("relative", lambda: _("Relative")), ("neighbour", lambda: _("Neighbour")),
         ("business_partner", lambda: _("Business partner")), ("other", lambda: _("Other")))
METHODS = (("cash", lambda: _("Cash")), ("bank_transfer", lambda: _("Bank transfer")),
           ("in_kind", lambda: _("In kind")))
LINE_KINDS = (("cash", lambda: _("Cash")), ("in_kind", lambda: _("In kind")))
#: a budget line's fields, as ``grants apply --line`` takes them; in the form ``item_1``, ``unit_cost_2``...
LINE_FIELDS = ("item", "quantity", "unit_cost", "kind", "supplier")


def options(pairs):
    return [(key, text()) for key, text in pairs]


def register(web) -> None:
    web.templates(Path(__file__).parent / "templates")
    web.menu(lambda: _("Committee agenda"), "/grants/agenda", permission="grants.vote", order=30)
    web.menu(lambda: _("Committee meetings"), "/grants/agenda", permission="grants.record_meeting", order=31)
    web.menu(lambda: _("Grant rounds and budgets"), "/grants/rounds", permission="grants.view", order=32)
    web.menu(lambda: _("Tranches to release"), "/grants/tranches", permission="grants.disburse", order=35)
    web.menu(lambda: _("Make a grant application"), "/grants/apply", permission="grants.apply", order=33)
    web.page("/grants/rounds", rounds, methods=("GET", "POST"))
    web.page("/grants/rounds/{round}/{move:str}", move_round, methods=("POST",))
    web.page("/grants/agenda", agenda)
    web.page("/grants/budget/{round}", budget)
    web.page("/grants/agenda/{round}/tally-sheet", tally_sheet)
    web.page("/grants/agenda/{round}/meeting", meeting, methods=("POST",))
    web.page("/grants/application/{code}/decide", decide, methods=("POST",))
    web.page("/grants/application/{code}", application)
    web.page("/grants/application/{code}/vote", vote, methods=("POST",))
    web.page("/grants/application/{code}/conflict", conflict, methods=("POST",))
    web.page("/grants/apply", new_application, methods=("GET", "POST"))
    web.page("/grants/application/{code}/change", change_application, methods=("GET", "POST"))
    web.page("/grants/application/{code}/submit", submit_application, methods=("POST",))
    web.page("/grants/application/{code}/withdraw", withdraw_application, methods=("POST",))
    web.page("/grants/tranches", tranches)
    web.page("/grants/tranche/{code}", record_tranche, methods=("GET", "POST"))
    web.page("/grants/tranche/{code}/{number:int}/confirm", confirm, methods=("POST",))


def round_labels() -> dict[str, str]:
    return {"code": _("Code"), "title": _("Title"), "budget": _("Budget (TJS)"), "min_grant": _("Smallest grant"),
            "max_grant": _("Largest grant"), "opens_on": _("Opens on"), "closes_on": _("Closes on"),
            "tranche_plan": _("Tranche plan"), "quorum": _("Quorum")}


def rounds(page, status: int = 200, **context):
    grants = page.ctx.grants
    if page.request.method == "POST":
        page.ctx.require("grants.manage_rounds")  # the service's own permission, asked before the form is read
        fields = {name: page.value(name) for name in ("budget", "min_grant", "max_grant", "opens_on", "closes_on")}
        extra = {name: page.value(name) for name in ("tranche_plan", "quorum") if page.value(name)}
        try:
            made = grants.add_round(page.value("code"), page.value("title"), **fields, **extra)
        except ReentryError as exc:
            if page.status(exc) == 403:
                return page.refused(exc)
            return page.render("grants/rounds.html", status=page.status(exc), rounds=grants.rounds(),
                               labels=round_labels(), can_manage=True, can_apply=page.ctx.can("grants.apply"),
                               errors=page.errors(exc, round_labels()))
        return page.redirect("/grants/rounds", _("Round {code} set up as a draft; open it when its committee "
                                                 "is appointed.").format(code=made.code))
    return page.render("grants/rounds.html", status=status, rounds=grants.rounds(), labels=round_labels(),
                       can_manage=page.ctx.can("grants.manage_rounds"), can_apply=page.ctx.can("grants.apply"),
                       **context)


def move_round(page):
    code, move = page.params["round"].upper(), page.params["move"]
    grants = page.ctx.grants
    if move not in ("open", "close"):
        return page.refused(_NotFound(_("no such action: {move}").format(move=move)))
    done = grants.open_round(code) if move == "open" else grants.close_round(code)
    return page.redirect("/grants/rounds", _("Round {code} is now {status}.").format(code=done.code,
                                                                                     status=done.status.value))


def _NotFound(message):
    from reentry_core.sdk import NotFound

    return NotFound(message)


def agenda(page, chosen_code: str | None = None, **context):
    grants = page.ctx.grants
    rounds = grants.rounds()
    mine = [r for r in rounds if page.ctx.code in r.committee] or (
        rounds if page.ctx.can("grants.record_meeting") else [])
    # the newest round still taking applications or deciding them, else the newest
    chosen = chosen_code or (page.query.get("round") or "").upper() or next(
        (r.code for r in reversed(mine) if r.status.value == "open"), mine[-1].code if mine else None)
    items, pager = page.window(grants.agenda(chosen) if chosen else [])
    return page.render("grants/agenda.html", rounds=mine, chosen=chosen, items=items, pager=pager,
                       can_record=page.ctx.can("grants.record_meeting"), can_decide=page.ctx.can("grants.decide"),
                       **context)


def tally_sheet(page):
    """The blank tally sheet of the round's agenda (XLSX), as ``grants agenda --out``."""
    import tempfile
    from pathlib import Path

    from starlette.responses import Response

    code = page.params["round"].upper()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"tally-{code}.xlsx"
        page.ctx.grants.write_tally_sheet(code, path)
        content = path.read_bytes()
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="tally-{code}.xlsx"'})


def meeting(page):
    """The secretary enters the meeting's filled-in tally sheet (and decides), as ``grants meeting``."""
    code = page.params["round"].upper()
    try:
        with page.uploaded("sheet") as path:
            name = path.name
            report = page.ctx.grants.record_meeting(code, path, decide=page.value("decide") == "yes",
                                                    change=page.value("change") == "yes")
    except ReentryError as exc:
        if page.status(exc) == 403:
            return page.refused(exc)
        errors = page.errors(exc, {"sheet": _("Tally sheet")})
        return agenda(page, chosen_code=code, status=page.status(exc), errors={"sheet": next(iter(errors.values()))})
    text = _("Entered {file}: {votes} new votes, {changed} changed, {conflicts} conflicts, on {n} "
             "applications.").format(
        file=name, votes=report.votes, changed=report.changed, conflicts=report.conflicts, n=len(report.applications))
    if report.decided:
        text += " " + _("Decided: {decided}; not decided: {waiting}.").format(
            decided=", ".join(f"{d.application} {d.outcome.value}" for d in report.decisions) or "-",
            waiting="; ".join(f"{n.application} ({n.reason})" for n in report.not_decided) or "-")
    return page.redirect(f"/grants/agenda?round={code}", text)


def _story_refused(page, code: str, exc: ReentryError, section: str):
    """The application's page again, the service's refusal beside the form of ``section``
    (a refusal of the role: the refusal page)."""
    if page.status(exc) == 403:
        return page.refused(exc)
    return _story_page(page, code, status=page.status(exc), errors={section: page.errors(exc).get("", str(exc))},
                       section=section)


def decide(page):
    code = page.params["code"].upper()
    try:
        decision = page.ctx.grants.decide(code)
    except ReentryError as exc:
        return _story_refused(page, code, exc, "decide")
    amount = f" {decision.amount}" if decision.amount is not None else ""
    return page.redirect(f"/grants/application/{code}", _("{code}: {outcome}{amount} ({approve} approve, "
                                                          "{reject} reject, {abstain} abstain).").format(
        code=code, outcome=decision.outcome.value, amount=amount, approve=decision.approve,
        reject=decision.reject, abstain=decision.abstain))


def budget(page):
    found = page.ctx.grants.budget(page.params["round"])
    return page.render("grants/budget.html", budget=found)


def vote_labels() -> dict[str, str]:
    return {"choice": _("Your vote"), "amount": _("Amount (TJS)"), "reason": _("Reason to reject"),
            "note": _("Note"), "kind": _("The tie"), "code": _("Application"),
            "change": _("Change my earlier vote")}


def _story_page(page, code, status=200, **context):
    story = page.ctx.grants.story(code)
    return page.render("grants/application.html", status=status, story=story, app=story.application,
                       votes=options(VOTES), reasons=options(REASONS), kinds=options(KINDS),
                       labels=vote_labels(), can_vote=page.ctx.can("grants.vote"),
                       can_declare=page.ctx.can("grants.declare_conflict"), can_decide=page.ctx.can("grants.decide"),
                       can_apply=page.ctx.can("grants.apply"),
                       can_withdraw=story.application.can_move_to(ApplicationStatus.WITHDRAWN), **context)


def application(page):
    return _story_page(page, page.params["code"].upper())


def vote(page):
    code = page.params["code"].upper()
    try:
        cast = page.ctx.grants.vote(code, page.value("choice"), amount=page.value("amount") or None,
                                    reason=page.value("reason") or None, note=page.value("note") or None,
                                    change=page.value("change") == "yes")
    except ReentryError as exc:
        if page.status(exc) == 403:  # a trainer may not vote: the refusal, not the application
            return page.refused(exc)
        return _story_page(page, code, status=page.status(exc), errors=page.errors(exc, vote_labels()), section="vote")
    return page.redirect(f"/grants/application/{code}", _("{member} votes {vote} on {code}.").format(
        member=cast.member, vote=cast.choice.value + (f" {cast.amount}" if cast.amount else ""),
        code=cast.application))


def conflict(page):
    code = page.params["code"].upper()
    try:
        page.ctx.grants.declare_conflict(code, page.value("kind"), page.value("conflict_note"))
    except ReentryError as exc:
        if page.status(exc) == 403:
            return page.refused(exc)
        errors = page.errors(exc, vote_labels())
        if "note" in errors:  # the conflict form's note field (the vote form has its own)
            errors["conflict_note"] = errors.pop("note")
        return _story_page(page, code, status=page.status(exc), errors=errors, section="conflict")
    return page.redirect(f"/grants/application/{code}", _("Your conflict of interest on {code} is recorded; "
                                                          "you do not vote on it.").format(code=code))


# --- making an application: grants apply, update, submit, withdraw ------------------------------

def apply_labels() -> dict[str, str]:
    return {"round": _("Grant round"), "participant": _("Participant code"),
            "own_contribution": _("Own contribution"), "lines": _("Budget lines")}


def line_labels() -> dict[str, str]:
    return {"item": _("Item"), "quantity": _("Quantity"), "unit_cost": _("Unit cost"),
            "kind": _("Cash or in kind"), "supplier": _("Supplier")}


def _told(page, app) -> str:
    """What became of an application, in the words ``grants apply`` and ``grants submit`` print."""
    if app.status is ApplicationStatus.INELIGIBLE:
        return _("{code} of {participant} is ineligible and kept with its reasons: {reasons}").format(
            code=app.code, participant=app.participant, reasons="; ".join(app.eligibility_problems))
    return _("{code} of {participant}: {requested} requested, {status}.").format(
        code=app.code, participant=app.participant, requested=money_text(app.requested, app.currency),
        status=page.words(app.status))


def _form_rows(page) -> list[int]:
    """The budget-line rows the form sent (``item_1``, ``item_2``...), at most 50."""
    rows = sorted(int(key[5:]) for key in page.form.keys() if key.startswith("item_") and key[5:].isdigit())
    return rows[:50]


def _form_lines(page) -> tuple[list[dict], list[int]]:
    """The budget lines typed in the form, as the dicts the service takes (it checks them),
    and the form row of each. A row with no item, unit cost or supplier is left out."""
    lines, rows = [], []
    for row in _form_rows(page):
        line = {name: page.value(f"{name}_{row}") for name in LINE_FIELDS}
        if line["item"] or line["unit_cost"] or line["supplier"]:
            lines.append(line)
            rows.append(row)
    return lines, rows


def _shown_rows(filled: int) -> list[int]:
    """The rows of the lines form: those filled and two empty ones, at least three."""
    return list(range(1, max(filled + 2, 3) + 1))


def _apply_errors(page, exc: ReentryError, rows: list[int], codes: dict[str, str]) -> dict[str, str]:
    """The service's refusal beside the field it is about. A budget line's problem
    (``line 2: unit_cost: ...``, the service numbering the lines it was given) goes beside
    that field of the line's row; another beside the field it names, or else beside the
    field whose code it quotes (``codes``: field → the code typed: the round, the participant)."""
    message = exc.render()
    for number, row in enumerate(rows, start=1):
        prefix = _("line {n}").format(n=number) + ": "
        if message.startswith(prefix):
            found = page.errors(InvalidInput(message[len(prefix):]), line_labels())
            return {f"{key or 'line'}_{row}": text for key, text in found.items()}
    found = page.errors(exc, apply_labels())
    if set(found) == {""}:
        for field, code in codes.items():
            if code and re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", message, re.IGNORECASE):
                return {field: found[""]}
    return found


def _lines_form(app) -> dict[str, str]:
    """A draft's budget lines and own contribution as the form's fields."""
    form = {"own_contribution": str(app.own_contribution)}
    for row, line in enumerate(app.lines, start=1):
        form.update({f"item_{row}": line.item, f"quantity_{row}": str(line.quantity),
                     f"unit_cost_{row}": str(line.unit_cost), f"kind_{row}": line.kind.value,
                     f"supplier_{row}": line.supplier or ""})
    return form


def new_application(page):
    """A participant's application in an open round with its budget lines, saved as a
    draft, as ``grants apply`` (``?round=`` and ``?participant=`` fill the form in)."""
    page.ctx.require("grants.apply")  # the service's own permission, asked before the form is read
    grants = page.ctx.grants
    context = dict(rounds=grants.rounds(status="open"), labels=apply_labels(), line_labels=line_labels(),
                   kinds=options(LINE_KINDS), code=None)
    if page.request.method == "GET":
        form = {"round": page.query.get("round", "").upper(), "participant": page.query.get("participant", "").upper()}
        return page.render("grants/apply.html", form=form, rows=_shown_rows(0), **context)
    lines, rows = _form_lines(page)
    try:
        app = grants.apply(page.value("round"), page.value("participant"), lines,
                           own_contribution=page.value("own_contribution") or "0")
    except ReentryError as exc:
        codes = {"participant": page.value("participant"), "round": page.value("round")}
        return page.render("grants/apply.html", status=page.status(exc), rows=_form_rows(page) or _shown_rows(0),
                           errors=_apply_errors(page, exc, rows, codes), **context)
    return page.redirect(f"/grants/application/{app.code}", _told(page, app))


def change_application(page):
    """A draft's new budget lines (they replace the old ones) and own contribution, as
    ``grants update``."""
    page.ctx.require("grants.apply")
    code = page.params["code"].upper()
    context = dict(labels=apply_labels(), line_labels=line_labels(), kinds=options(LINE_KINDS), code=code)
    if page.request.method == "GET":
        app = page.ctx.grants.get(code)
        return page.render("grants/apply.html", form=_lines_form(app), rows=_shown_rows(len(app.lines)),
                           **context)
    lines, rows = _form_lines(page)
    try:
        app = page.ctx.grants.update(code, lines=lines, own_contribution=page.value("own_contribution") or None)
    except ReentryError as exc:
        return page.render("grants/apply.html", status=page.status(exc), rows=_form_rows(page) or _shown_rows(0),
                           errors=_apply_errors(page, exc, rows, {}), **context)
    return page.redirect(f"/grants/application/{code}", _told(page, app))


def submit_application(page):
    """Submit a draft, as ``grants submit``: the service checks eligibility now."""
    code = page.params["code"].upper()
    try:
        app = page.ctx.grants.submit(code)
    except ReentryError as exc:
        return _story_refused(page, code, exc, "submit")
    return page.redirect(f"/grants/application/{code}", _told(page, app))


def withdraw_application(page):
    """Withdraw an application before a decision, with the applicant's reason, as ``grants withdraw``."""
    code = page.params["code"].upper()
    try:
        app = page.ctx.grants.withdraw(code, page.value("withdraw_reason") or None)
    except ReentryError as exc:
        return _story_refused(page, code, exc, "withdraw")
    return page.redirect(f"/grants/application/{code}", _("{code} is withdrawn.").format(code=app.code))


def tranches(page):
    grants = page.ctx.grants
    ready, pager = page.window(grants.due_tranches(None, ready=True))
    confirms = page.ctx.can("grants.confirm")
    # the first 50 waiting (and how many), not every one of the hundreds a national programme has
    pending = grants.pending_tranches(None, limit=50) if confirms else []
    return page.render("grants/tranches.html", ready=ready, pending=pending,
                       pending_total=grants.pending_count() if pending else 0, pager=pager)


def tranche_labels() -> dict[str, str]:
    return {"amount": _("Amount (TJS)"), "on": _("Date released"), "method": _("How"),
            "items": _("Items handed over"), "supplier": _("Supplier"), "receipt": _("Receipt number"),
            "reference": _("Payment reference"), "eur_rate": _("TJS per euro that day")}


def record_tranche(page):
    code = page.params["code"].upper()
    due = page.ctx.grants.due_tranches(application=code)
    context = dict(code=code, due=due[0] if due else None, methods=options(METHODS), labels=tranche_labels())
    if page.request.method == "GET":
        page.ctx.require("grants.disburse")  # the form only for whoever may send it
        return page.render("grants/tranche.html", **context)
    fields = {name: page.value(name) or None for name in ("amount", "on", "items", "supplier", "receipt",
                                                          "reference", "eur_rate")}
    try:
        tranche = page.ctx.grants.disburse(code, method=page.value("method") or "cash", **fields)
    except ReentryError as exc:
        return page.invalid("grants/tranche.html", exc, tranche_labels(), **context)
    text = _("Tranche {n} of {code}: {amount} released on {on} ({method}).").format(
        n=tranche.number, code=tranche.application, amount=f"{tranche.amount} {tranche.currency}",
        on=tranche.released_on.isoformat(), method=tranche.method.value)
    if tranche.status.value == "pending":
        text += " " + _("It counts once a second finance officer confirms it.")
    return page.redirect("/grants/tranches", text)


def confirm(page):
    code, number = page.params["code"].upper(), page.params["number"]
    tranche = page.ctx.grants.confirm_tranche(code, number)
    return page.redirect("/grants/tranches", _("Tranche {n} of {code} confirmed: {amount}.").format(
        n=tranche.number, code=tranche.application, amount=f"{tranche.amount} {tranche.currency}"))
