"""Business plans' pages in the web workspace (``reentry serve``): a trainer's cohorts,
the attendance register of a session (one tap per person), scoring a plan with each
criterion's description and the plan's figures beside it, the ranking with its
moderation flags and the panel's agreement. Each page calls the same method of
``ctx.plans`` as the command of the same name; only the SDK is imported."""

from __future__ import annotations

from pathlib import Path

from reentry_core.sdk import ReentryError, _

MARKS = (("present", lambda: _("Present")), ("absent", lambda: _("Absent")), ("excused", lambda: _("Excused")))


def register(web) -> None:
    web.templates(Path(__file__).parent / "templates")
    web.menu(lambda: _("Training cohorts"), "/plans/cohorts", permission="plans.attendance", order=10)
    web.page("/plans/cohorts", cohorts)
    web.page("/plans/cohort/{code}", cohort)
    web.page("/plans/cohort/{code}/session/{number:int}", attendance, methods=("GET", "POST"))
    web.page("/plans/cohort/{code}/ranking", ranking)
    web.page("/plans/plan/{code}/score", score, methods=("GET", "POST"))


def cohorts(page):
    """The member's own cohorts first (a trainer's), newest first, a screenful at a time."""
    found = page.ctx.plans.cohorts(centre=page.ctx.member.centre)  # head office: every centre's
    me = page.ctx.code
    mine = [c for c in found if me in c.trainers] or found
    shown, pager = page.window(list(reversed(mine)))
    return page.render("plans/cohorts.html", cohorts=shown, pager=pager)


def cohort(page):
    code = page.params["code"].upper()
    plans = page.ctx.plans
    found = plans.cohort(code)
    return page.render("plans/cohort.html", cohort=found, people=plans.completion(code),
                       plans=plans.list(cohort=code))


def attendance(page):
    code, number = page.params["code"].upper(), page.params["number"]
    plans = page.ctx.plans
    found = plans.cohort(code)
    session = next((s for s in found.sessions if s.number == number), None)
    people = plans.completion(code)
    context = dict(cohort=found, session=session, number=number, people=people,
                   marks=[(key, text()) for key, text in MARKS])
    if page.request.method == "GET":
        page.ctx.require("plans.attendance")  # the register only for whoever may mark it
        return page.render("plans/attendance.html", **context)
    marks = {p.participant: page.value(f"mark-{p.participant}") for p in people if page.value(f"mark-{p.participant}")}
    try:
        recorded = plans.attend(code, number, marks)
    except ReentryError as exc:
        return page.invalid("plans/attendance.html", exc, {}, **context)
    return page.redirect(f"/plans/cohort/{code}", _("Attendance recorded for {n} people at session {s}.").format(
        n=len(recorded), s=number))


def ranking(page):
    code = page.params["code"].upper()
    plans = page.ctx.plans
    return page.render("plans/ranking.html", cohort=plans.cohort(code), ranked=plans.ranking(code),
                       agreement=plans.agreement(code))


def score(page):
    code = page.params["code"].upper()
    plans = page.ctx.plans
    rubric = plans.rubric_to_score(code)  # refused (not on the panel, a conflict …) before any box is shown
    plan = plans.get(code)
    labels = {c.key: c.label for c in rubric.criteria}
    context = dict(plan=plan, rubric=rubric, labels=labels, scale=list(range(rubric.scale_min, rubric.scale_max + 1)))
    if page.request.method == "GET":
        return page.render("plans/score.html", **context)
    values = {c.key: page.value(f"value-{c.key}") for c in rubric.criteria if page.value(f"value-{c.key}")}
    comments = {c.key: page.value(f"comment-{c.key}") for c in rubric.criteria if page.value(f"comment-{c.key}")}
    try:
        sheet = plans.score(code, values, comments=comments, comment=page.value("comment") or None)
    except ReentryError as exc:
        return page.invalid("plans/score.html", exc, {**labels, "values": _("Scores")}, **context)
    text = _("{trainer} scored {plan} v{version}: {total} of 100.").format(
        trainer=sheet.trainer, plan=sheet.plan, version=sheet.version, total=sheet.total)
    return page.redirect(f"/plans/cohort/{plan.cohort}", text)
