"""Microgrants' pages in the web workspace (``reentry serve``): the committee's agenda,
one application's whole story, declaring a conflict and voting; a round's budget;
finance's worklist, recording and confirming a tranche. Each page calls the same method
of ``ctx.grants`` as the command of the same name; only the SDK is imported."""

from __future__ import annotations

from pathlib import Path

from reentry_core.sdk import ReentryError, _

VOTES = (("approve", lambda: _("Approve")), ("reject", lambda: _("Reject")), ("abstain", lambda: _("Abstain")))
REASONS = (("weak_plan", lambda: _("Weak plan")), ("not_viable", lambda: _("Not viable")),
           ("costs_unrealistic", lambda: _("Costs unrealistic")), ("low_contribution", lambda: _("Low contribution")),
           ("outside_priorities", lambda: _("Outside the priorities")),
           ("funded_elsewhere", lambda: _("Funded elsewhere")), ("other", lambda: _("Other")))
KINDS = (("relative", lambda: _("Relative")), ("neighbour", lambda: _("Neighbour")),
         ("business_partner", lambda: _("Business partner")), ("other", lambda: _("Other")))
METHODS = (("cash", lambda: _("Cash")), ("bank_transfer", lambda: _("Bank transfer")),
           ("in_kind", lambda: _("In kind")))


def options(pairs):
    return [(key, text()) for key, text in pairs]


def register(web) -> None:
    web.templates(Path(__file__).parent / "templates")
    web.menu(lambda: _("Committee agenda"), "/grants/agenda", permission="grants.vote", order=30)
    web.menu(lambda: _("Grant rounds and budgets"), "/grants/rounds", permission="grants.view", order=32)
    web.menu(lambda: _("Tranches to release"), "/grants/tranches", permission="grants.disburse", order=35)
    web.page("/grants/rounds", rounds)
    web.page("/grants/agenda", agenda)
    web.page("/grants/budget/{round}", budget)
    web.page("/grants/application/{code}", application)
    web.page("/grants/application/{code}/vote", vote, methods=("POST",))
    web.page("/grants/application/{code}/conflict", conflict, methods=("POST",))
    web.page("/grants/tranches", tranches)
    web.page("/grants/tranche/{code}", record_tranche, methods=("GET", "POST"))
    web.page("/grants/tranche/{code}/{number:int}/confirm", confirm, methods=("POST",))


def rounds(page):
    return page.render("grants/rounds.html", rounds=page.ctx.grants.rounds())


def agenda(page):
    grants = page.ctx.grants
    mine = [r for r in grants.rounds() if page.ctx.code in r.committee]
    chosen = (page.query.get("round") or "").upper() or next(
        (r.code for r in reversed(mine) if grants.agenda(r.code)), None)
    items, pager = page.window(grants.agenda(chosen) if chosen else [])
    return page.render("grants/agenda.html", rounds=mine, chosen=chosen, items=items, pager=pager)


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
                       can_declare=page.ctx.can("grants.declare_conflict"), **context)


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


def tranches(page):
    grants = page.ctx.grants
    ready, pager = page.window(grants.due_tranches(None, ready=True))
    pending = grants.pending_tranches(None) if page.ctx.can("grants.confirm") else []
    return page.render("grants/tranches.html", ready=ready, pending=pending[:50], pending_total=len(pending),
                       pager=pager)


def tranche_labels() -> dict[str, str]:
    return {"amount": _("Amount (TJS)"), "on": _("Date released"), "method": _("How"),
            "items": _("Items handed over"), "supplier": _("Supplier"), "receipt": _("Receipt number"),
            "reference": _("Payment reference"), "eur_rate": _("TJS per euro that day")}


def record_tranche(page):
    code = page.params["code"].upper()
    due = [d for d in page.ctx.grants.due_tranches(None) if d.application == code]
    context = dict(code=code, due=due[0] if due else None, methods=options(METHODS), labels=tranche_labels())
    if page.request.method == "GET":
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
