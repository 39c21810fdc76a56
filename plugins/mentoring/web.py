"""Mentoring's pages in the web workspace (``reentry serve``): the visits due, logging a
visit in a few taps on a phone, the caseload. Each page calls the same method of
``ctx.mentoring`` as the command of the same name; only the SDK is imported."""

from __future__ import annotations

from pathlib import Path

from reentry_core.sdk import ReentryError, _

MODES = (("on_site", lambda: _("On site")), ("phone", lambda: _("Phone")), ("video", lambda: _("Video")))
STATUSES = (("operating", lambda: _("Operating")), ("temporarily_closed", lambda: _("Temporarily closed")),
            ("closed", lambda: _("Closed")), ("not_started", lambda: _("Not started")))
FLAGS = (("relapse", lambda: _("Relapse or substance use")), ("police_harassment", lambda: _("Police harassment")),
         ("debt", lambda: _("Debt")), ("family_conflict", lambda: _("Family conflict")),
         ("health", lambda: _("Health")), ("housing", lambda: _("Housing")), ("other", lambda: _("Other")))
#: the visit form's fields, as log_visit names them
NUMBERS = ("revenue", "costs", "owners", "family_workers", "hired_workers")
TEXTS = ("discussed", "advice", "next_steps", "risk_note")


def options(pairs):
    return [(key, text()) for key, text in pairs]


def register(web) -> None:
    web.templates(Path(__file__).parent / "templates")
    web.menu(lambda: _("Visits due"), "/mentoring/due", permission="mentoring.view", order=20)
    web.menu(lambda: _("Caseload"), "/mentoring/caseload", permission="mentoring.view", order=21)
    web.page("/mentoring/due", due)
    web.page("/mentoring/caseload", caseload)
    web.page("/mentoring/visit/{participant}", visit, methods=("GET", "POST"))


def _mine(page) -> str | None:
    """A mentor sees their own mentees; others (case workers, admins) every one they may."""
    member = page.ctx.member
    return member.code if any(r.value == "mentor" for r in member.roles) else None


#: the visits due shown first: the next two months (and every overdue one), as `due --within 60`
SOON = 60


def due(page):
    overdue = page.query.get("overdue") == "1"
    everything = page.query.get("all") == "1"
    rows = page.ctx.mentoring.due(mentor=_mine(page), overdue=overdue, within=None if everything else SOON)
    rows, pager = page.window(rows)
    return page.render("mentoring/due.html", rows=rows, overdue=overdue, everything=everything, pager=pager,
                       soon=SOON)


def caseload(page):
    rows, pager = page.window(page.ctx.mentoring.caseload(_mine(page)))
    return page.render("mentoring/caseload.html", rows=rows, pager=pager)


def labels() -> dict[str, str]:
    return {"participant": _("Participant"), "visited_on": _("Date of the visit"), "mode": _("How"),
            "business_status": _("The business"), "revenue": _("Monthly revenue (TJS)"),
            "costs": _("Monthly costs (TJS)"), "owners": _("Owners working"), "family_workers": _("Family working"),
            "hired_workers": _("Hired workers"), "equipment_seen": _("Equipment seen"),
            "discussed": _("What was discussed"), "advice": _("Advice given"), "next_steps": _("Next steps"),
            "risk_flags": _("Risks seen"), "risk_note": _("What you saw (goes into the referral)"),
            "end_follow_up": _("End the follow-up: why")}


def visit(page):
    code = page.params["participant"].upper()
    schedules = page.ctx.mentoring.schedules(code)  # the participant in this member's scope, or refused
    today = page.ctx.today
    owed = [(d, s) for schedule in schedules if schedule.ended_on is None for d, s in schedule.states(today)
            if s.value in ("upcoming", "open", "overdue")]
    context = dict(code=code, owed=owed[:3], modes=options(MODES), statuses=options(STATUSES),
                   flags=options(FLAGS), labels=labels(), today=today.isoformat())
    if page.request.method == "GET":
        page.ctx.require("mentoring.visit")  # the form only for whoever may send it
        return page.render("mentoring/visit.html", **context)
    fields = {name: page.value(name) or None for name in (*NUMBERS, *TEXTS)}
    try:
        report = page.ctx.mentoring.log_visit(
            code, visited_on=page.value("visited_on") or None, mode=page.value("mode") or None,
            business_status=page.value("business_status") or None,
            equipment_seen=page.value("equipment_seen") == "yes", risk_flags=page.values("risk_flags"),
            end_follow_up=page.value("end_follow_up") or None, **fields)
    except ReentryError as exc:
        return page.invalid("mentoring/visit.html", exc, labels(), **context)
    from .visits import describe_placement

    v = report.visit
    lines = [_("Logged visit {id}: {code} on {on} by {mentor}, {placement}.").format(
        id=v.id, code=v.participant, on=v.visited_on.isoformat(), mentor=v.mentor, placement=describe_placement(v))]
    if v.verifies:
        lines.append(_("This visit verifies the business for the next tranche: operating, equipment seen."))
    lines.extend(r.message for r in report.risks)
    if report.schedule_ended:
        lines.append(_("The follow-up of {code} has ended: the business closed.").format(code=v.participant))
    return page.redirect("/mentoring/due", " ".join(lines))
