"""Business plans' pages in the web workspace (``reentry serve``): a trainer's cohorts,
the attendance register of a session (one tap per person), scoring a plan with each
criterion's description and the plan's figures beside it, the ranking with its
moderation flags and the panel's agreement; and starting the work: a new cohort, enrolling
its participants (and taking back an enrolment made by mistake), a participant's plan
written as a draft and submitted to the panel. Each page calls the same method of
``ctx.plans`` as the command of the same name; only the SDK is imported."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from reentry_core.sdk import ReentryError, _, money

from .domain import PlanSector, PlanStatus, SessionTopic

MARKS = (("present", lambda: _("Present")), ("absent", lambda: _("Absent")), ("excused", lambda: _("Excused")))


def register(web) -> None:
    web.templates(Path(__file__).parent / "templates")
    web.menu(lambda: _("Training cohorts"), "/plans/cohorts", permission="plans.attendance", order=10)
    web.page("/plans/cohorts", cohorts)
    web.page("/plans/cohorts/new", new_cohort, methods=("GET", "POST"))
    web.page("/plans/cohort/{code}/enrol", enrol, methods=("GET", "POST"))
    web.page("/plans/cohort/{code}/unenrol/{participant}", unenrol, methods=("GET", "POST"))
    web.page("/plans/cohort/{code}/plan", new_plan, methods=("GET", "POST"))
    web.page("/plans/plan/{code}", plan)
    web.page("/plans/plan/{code}/submit", submit, methods=("POST",))
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
    return page.render("plans/cohorts.html", cohorts=shown, pager=pager, can_open=page.ctx.can("plans.cohorts"))


def cohort(page):
    code = page.params["code"].upper()
    plans = page.ctx.plans
    found = plans.cohort(code)
    return page.render("plans/cohort.html", cohort=found, people=plans.completion(code),
                       plans=plans.list(cohort=code), can_enrol=page.ctx.can("plans.cohorts"),
                       can_write=page.ctx.can("plans.write"))


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


# --- starting the work: a cohort, its people, their plans ---------------------------------------

#: rows of session fields and of cost lines a form offers (a phone shows them one under another)
SESSION_ROWS = 4
COST_ROWS = 5
#: a new cohort runs about ten weeks by default
WEEKS = 10


def cohort_labels() -> dict[str, str]:
    labels = {"code": _("Cohort code"), "centre": _("Centre"), "title": _("Title"), "start_date": _("First day"),
              "end_date": _("Last day"), "trainers": _("Trainers"), "lead_trainer": _("Lead trainer"),
              "rubric": _("Scoring rubric"), "completion_threshold": _("Attendance needed to complete (%)"),
              "min_sheets": _("Score sheets a plan needs"), "spread_limit": _("Spread that needs moderation (points)"),
              "normalise": _("Rank by normalised scores")}
    labels.update({f"sessions.{i}": _("Session {n}").format(n=i + 1) for i in range(SESSION_ROWS)})
    return labels


def new_cohort(page):
    """``plans cohort add``: a cohort at the member's centre, with sensible defaults shown."""
    page.ctx.require("plans.cohorts")  # the form only for whoever may send it, before anything is read
    plans = page.ctx.plans
    today = page.ctx.today
    centre = page.ctx.member.centre or ""
    taken = {c.code for c in plans.cohorts(centre=centre or None)}
    prefix = f"{centre}-{today:%y%m}-" if centre else f"{today:%y%m}-"
    code = next(f"{prefix}{n:02d}" for n in range(1, 100) if f"{prefix}{n:02d}" not in taken)
    defaults = {"code": code, "centre": centre, "start_date": today.isoformat(),
                "end_date": (today + timedelta(weeks=WEEKS)).isoformat(), "trainers": page.ctx.code,
                "completion_threshold": "80", "min_sheets": "2", "spread_limit": "20"}
    context = dict(defaults=defaults, labels=cohort_labels(), rubrics=[f"{r.key}@{r.version}" for r in plans.rubrics()],
                   topics=[(t.value, page.words(t)) for t in SessionTopic], rows=range(SESSION_ROWS))
    if page.request.method == "GET":
        return page.render("plans/cohort_new.html", **context)
    sessions = [f"{page.value(f'session-on-{i}')}:{page.value(f'session-topic-{i}')}" for i in range(SESSION_ROWS)
                if page.value(f"session-on-{i}")]
    options = {name: page.value(name) or None for name in ("rubric", "lead_trainer", "completion_threshold",
                                                            "min_sheets", "spread_limit")}
    trainers = page.value("trainers").replace(" ", ",")  # "TR1, TR2" or "TR1 TR2", as --trainer takes them
    try:
        made = plans.add_cohort(page.value("code"), page.value("centre"), page.value("title"),
                                page.value("start_date"), page.value("end_date"), trainers, sessions=sessions,
                                normalise=page.value("normalise") == "yes", **options)
    except ReentryError as exc:
        return page.invalid("plans/cohort_new.html", exc, context["labels"], **context)
    return page.redirect(f"/plans/cohort/{made.code}", _("Opened cohort {code} with {n} planned sessions; rubric "
                                                         "{rubric}.").format(code=made.code, n=len(made.sessions),
                                                                             rubric=made.rubric))


def enrol(page):
    """``plans enrol``: the centre's active participants not yet in the cohort as boxes to tick
    (a screenful at a time), and a field for codes; all of them are enrolled, or nobody."""
    code = page.params["code"].upper()
    page.ctx.require("plans.cohorts")  # before the centre's people are listed
    plans = page.ctx.plans
    found = plans.cohort(code)
    enrolled = {p.participant for p in plans.completion(code)}
    free = [p for p in page.ctx.participants.list(centre=found.centre, status="active") if p.code not in enrolled]
    shown, pager = page.window(free)
    labels = {"participants": _("Participants"), "codes": _("Other participant codes"), "on": _("Enrolment date")}
    context = dict(cohort=found, people=shown, pager=pager, labels=labels, today=page.ctx.today.isoformat())
    if page.request.method == "GET":
        return page.render("plans/enrol.html", **context)
    codes = page.values("participants") + page.value("codes").replace(",", " ").split()
    try:
        done = plans.enrol(code, codes, on=page.value("on") or None)
    except ReentryError as exc:
        errors = page.errors(exc, labels)
        if "" in errors:  # the service names the people it refuses: beside the codes typed
            errors["codes"] = errors.pop("")
        return page.render("plans/enrol.html", status=page.status(exc), errors=errors, **context)
    return page.redirect(f"/plans/cohort/{code}", _("Enrolled {n} in {cohort}: {codes}.").format(
        n=len(done), cohort=code, codes=", ".join(done)))


def unenrol(page):
    """``plans unenrol``: take back an enrolment made by mistake, saying why."""
    code, participant = page.params["code"].upper(), page.params["participant"].upper()
    page.ctx.require("plans.cohorts")
    found = page.ctx.plans.cohort(code)
    person = next((p for p in page.ctx.plans.completion(code) if p.participant == participant), None)
    context = dict(cohort=found, participant=participant, person=person, labels={"reason": _("Why")})
    if page.request.method == "GET":
        return page.render("plans/unenrol.html", **context)
    try:
        gone = page.ctx.plans.unenrol(code, participant, page.value("reason"))
    except ReentryError as exc:
        return page.invalid("plans/unenrol.html", exc, context["labels"], **context)
    return page.redirect(f"/plans/cohort/{code}", _("{code} is no longer enrolled in {cohort}.").format(
        code=gone, cohort=code))


def plan_labels() -> dict[str, str]:
    labels = {"participant": _("Participant"), "title": _("Title"), "sector": _("Sector"), "summary": _("Summary"),
              "costs": _("Start-up costs"), "own_contribution": _("Own contribution"),
              "requested_funding": _("Funding requested"), "monthly_revenue": _("Monthly revenue"),
              "monthly_costs": _("Monthly running costs"), "currency": _("Currency")}
    labels.update({f"costs.{i}": _("Cost line {n}").format(n=i + 1) for i in range(COST_ROWS)})
    return labels


#: the plan's fields the form sends as they are typed (the service parses them)
PLAN_TEXTS = ("title", "sector", "summary", "own_contribution", "requested_funding", "monthly_revenue",
              "monthly_costs", "currency")


def new_plan(page):
    """``plans add``: a participant's plan as a draft (or submitted at once, as ``--submit``)."""
    code = page.params["code"].upper()
    page.ctx.require("plans.write")
    plans = page.ctx.plans
    found = plans.cohort(code)
    with_plan = {p.participant for p in plans.list(cohort=code)}
    people = [p for p in plans.completion(code) if p.participant not in with_plan]
    chosen = page.value("participant") or page.query.get("participant", "")
    context = dict(cohort=found, people=people, chosen=chosen.upper(), labels=plan_labels(), rows=range(COST_ROWS),
                   sectors=[(s.value, page.words(s)) for s in PlanSector])
    if page.request.method == "GET":
        return page.render("plans/plan_new.html", **context)
    filled = [i for i in range(COST_ROWS)  # the rows with anything typed in them
              if any(page.value(f"cost-{part}-{i}") for part in ("item", "quantity", "unit"))]
    costs = [{"item": page.value(f"cost-item-{i}"), "quantity": page.value(f"cost-quantity-{i}"),
              "unit_cost": page.value(f"cost-unit-{i}")} for i in filled]
    fields = {name: page.value(name) or None for name in PLAN_TEXTS}
    try:
        plan = plans.add_plan(page.value("participant"), code, submit=page.value("submit_now") == "yes", costs=costs,
                              **fields)
    except ReentryError as exc:
        # the service counts the lines sent (costs.0 …); the form's rows may have gaps between them
        labels = {**context["labels"], **{f"costs.{n}": context["labels"][f"costs.{i}"] for n, i in enumerate(filled)}}
        errors = {(f"costs.{filled[int(key[6:])]}" if key.startswith("costs.") else key): text
                  for key, text in page.errors(exc, labels).items()}
        return page.render("plans/plan_new.html", status=page.status(exc), errors=errors, **context)
    return page.redirect(f"/plans/plan/{plan.code}", _("Plan {code} of {participant}: {status}, total cost {total}, "
                                                       "requested {request}.").format(
        code=plan.code, participant=plan.participant, status=page.words(plan.status),
        total=money(plan.total_cost, plan.currency), request=money(plan.requested_funding, plan.currency)))


def plan(page):
    """``plans show``: a plan's text and figures, and the button that submits a draft."""
    found = page.ctx.plans.get(page.params["code"].upper())
    submittable = found.can_move_to(PlanStatus.SUBMITTED) and page.ctx.can("plans.write")
    return page.render("plans/plan.html", plan=found, submittable=submittable)


def submit(page):
    """``plans submit``: a draft goes to the panel."""
    code = page.params["code"].upper()
    try:
        done = page.ctx.plans.submit(code)
    except ReentryError as exc:
        found = page.ctx.plans.get(code)
        return page.invalid("plans/plan.html", exc, {}, plan=found, submittable=False)
    return page.redirect(f"/plans/plan/{done.code}", _("Plan {code} submitted (version {version}).").format(
        code=done.code, version=done.version))
