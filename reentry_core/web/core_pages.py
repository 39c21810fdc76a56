"""The core's work pages: participants, consent and referrals (case workers), the
programme report and its workbook (M&E), staff, centres and settings (admins). Each
calls the service its command calls. A search by name is posted, never put in the
address, so no name reaches an address bar, a history or a log."""

from __future__ import annotations

from starlette.responses import Response

from ..errors import ReentryError
from ..i18n import _

SEXES = (("female", lambda: _("Female")), ("male", lambda: _("Male")))
SCOPES = (("programme", lambda: _("Programme")), ("referrals", lambda: _("Referrals")),
          ("research", lambda: _("Research")), ("media", lambda: _("Media")))
SERVICES = (("legal", lambda: _("Legal aid")), ("psychological", lambda: _("Psychological")),
            ("drug_treatment", lambda: _("Drug treatment")), ("employment", lambda: _("Employment")),
            ("documents", lambda: _("Documents")), ("other", lambda: _("Other")))
NEXT_STATUS = {"open": ("accepted", "declined", "cancelled"), "accepted": ("done", "cancelled")}


def options(pairs):
    return [(key, text()) for key, text in pairs]


def register(web) -> None:
    web.menu(lambda: _("Participants"), "/participants", permission="participants.register", order=5)
    web.menu(lambda: _("Referrals"), "/referrals", permission="referrals.manage", order=6)
    web.menu(lambda: _("Programme report"), "/report", permission="reports.view", order=60)
    web.menu(lambda: _("Indicators"), "/report/indicators", permission="reports.view", order=61)
    web.menu(lambda: _("Staff"), "/admin/staff", permission="staff.manage", order=80)
    web.menu(lambda: _("Centres"), "/admin/centres", permission="centres.manage", order=81)
    web.menu(lambda: _("Settings"), "/admin/settings", permission="reports.threshold", order=82)
    web.page("/participants", participants, methods=("GET", "POST"))
    web.page("/participants/new", register_participant, methods=("GET", "POST"))
    web.page("/participants/{code}", participant)
    web.page("/participants/{code}/consent", consent, methods=("POST",))
    web.page("/participants/{code}/referral", open_referral, methods=("POST",))
    web.page("/referrals", referrals)
    web.page("/referrals/{id:int}", follow_referral, methods=("POST",))
    web.page("/report", report)
    web.page("/report/workbook", workbook)
    web.page("/report/indicators", indicators)
    web.page("/admin/staff", staff)
    web.page("/admin/staff/password", password, methods=("POST",))
    web.page("/admin/staff/add", add_staff, methods=("POST",))
    web.page("/admin/staff/deactivate", deactivate_staff, methods=("POST",))
    web.page("/admin/staff/reactivate", reactivate_staff, methods=("POST",))
    web.page("/admin/staff/move", move_staff, methods=("POST",))
    web.page("/admin/staff/{code}/password", password, methods=("POST",))
    web.page("/admin/centres", centres, methods=("GET", "POST"))
    web.page("/admin/settings", settings, methods=("GET", "POST"))


# --- case workers ------------------------------------------------------------------------------

def participants(page) -> Response:
    search = page.value("search") if page.request.method == "POST" else ""
    centre = page.ctx.member.centre
    found = page.ctx.participants.list(search=search or None, centre=None if search else centre, limit=50)
    return page.render("participants.html", found=found, search=search)


def participant_labels() -> dict[str, str]:
    return {"full_name": _("Full name"), "sex": _("Sex"), "birth_date": _("Birth date"), "centre": _("Centre"),
            "phone": _("Phone"), "allow_same_name": _("Register anyway"), "scope": _("Consent covers"),
            "given_on": _("Consent given on"), "service_type": _("Service"), "to_whom": _("To whom"),
            "reason": _("Why"), "status": _("New status"), "note": _("Note")}


def register_participant(page) -> Response:
    context = dict(sexes=options(SEXES), labels=participant_labels())
    if page.request.method == "GET":
        page.ctx.require("participants.register")  # the form only for whoever may send it
        return page.render("participant_new.html", **context)
    fields = {name: page.value(name) or None for name in ("full_name", "sex", "birth_date", "centre", "phone")}
    fields["centre"] = fields["centre"] or page.ctx.member.centre
    try:
        person = page.ctx.participants.register(allow_same_name=page.value("allow_same_name") == "yes", **fields)
    except ReentryError as exc:
        return page.invalid("participant_new.html", exc, participant_labels(), **context)
    return page.redirect(f"/participants/{person.code}", _("Registered {code}.").format(code=person.code))


def _participant_page(page, code: str, status: int = 200, **context) -> Response:
    ctx = page.ctx
    person = ctx.participants.get(code)
    consents = ctx.participants.consents(code)
    found = ctx.referrals.list(participant=code) if ctx.can("referrals.view") else []
    return page.render("participant.html", status=status, person=person, consents=consents, referrals=found,
                       scopes=options(SCOPES), services=options(SERVICES), labels=participant_labels(),
                       next_status=NEXT_STATUS, can_consent=ctx.can("consent.record"),
                       can_refer=ctx.can("referrals.manage"), **context)


def participant(page) -> Response:
    return _participant_page(page, page.params["code"].upper())


def consent(page) -> Response:
    code = page.params["code"].upper()
    try:
        page.ctx.participants.record_consent(code, given_on=page.value("given_on") or None,
                                             scope=",".join(page.values("scope")))
    except ReentryError as exc:
        if page.status(exc) in (403, 404):
            return page.refused(exc)
        return _participant_page(page, code, status=page.status(exc), section="consent",
                                 errors=page.errors(exc, participant_labels()))
    return page.redirect(f"/participants/{code}", _("Consent recorded for {code}.").format(code=code))


def open_referral(page) -> Response:
    code = page.params["code"].upper()
    try:
        made = page.ctx.referrals.add(code, page.value("service_type"), page.value("to_whom"), page.value("reason"))
    except ReentryError as exc:
        if page.status(exc) in (403, 404):
            return page.refused(exc)
        return _participant_page(page, code, status=page.status(exc), section="referral",
                                 errors=page.errors(exc, participant_labels()))
    return page.redirect(f"/participants/{code}", _("Referral {id} opened.").format(id=made.id))


def referrals(page) -> Response:
    status = page.query.get("status") or "open"
    found = page.ctx.referrals.list(status=status, centre=page.ctx.member.centre)
    found, pager = page.window(list(reversed(found)))  # newest first
    return page.render("referrals.html", found=found, listed=status, next_status=NEXT_STATUS, pager=pager)


def follow_referral(page) -> Response:
    referral_id = page.params["id"]
    done = page.ctx.referrals.update(referral_id, page.value("status"), note=page.value("note") or None)
    back = page.value("back")
    target = back if back.startswith("/participants/") or back == "/referrals" else "/referrals"
    return page.redirect(target, _("Referral {id} is now {status}.").format(id=done.id, status=done.status.value))


# --- M&E -------------------------------------------------------------------------------------------

BREAKDOWNS = ("sex", "age_band", "centre")


def _breakdown(page) -> list[str]:
    return [b for b in page.query.getlist("by") if b in BREAKDOWNS]


def report(page) -> Response:
    from ..services.report_output import dimension_text
    from .offload import run

    page.ctx.require("reports.view")
    by = _breakdown(page)
    shown = run(page.programme, report_text, page.ctx.code, page.lang, by)
    breakdowns = [(name, dimension_text(name)) for name in BREAKDOWNS]
    return page.render("report.html", by=by, breakdowns=breakdowns, **shown)


def _report_of(programme, code: str, by: list[str]):
    """The programme report as ``code`` gets it, broken down by ``by``."""
    return programme.act_as(code).reports.programme(by=",".join(by) or None)


def report_text(programme, code: str, lang: str, by: list[str]) -> dict:
    """What the report page shows, every cell as text (made in the worker process:
    :mod:`reentry_core.web.offload`)."""
    from ..i18n import speaking
    from ..services.report_output import columns, dimension_text, funnel_lines, legend, shown, table_lines

    with speaking(lang):
        found = _report_of(programme, code, by)
        sections = [(section.title, [(("\u00a0\u00a0" * line.depth) + line.label,
                                      [shown(cell, line.row, found.threshold) for cell in line.cells])
                                     for line in table_lines(found, section.rows)])
                    for section in found.sections]
        funnels = [(dimension_text(name), *funnel_lines(found, name)) for name in found.funnel]
        return dict(threshold=found.threshold, sections=sections, funnels=funnels,
                    headers=[h for h, _v in columns(found)], legend=legend(found.threshold))


def workbook(page) -> Response:
    from .offload import run

    page.ctx.require("reports.view")
    content, made_on = run(page.programme, workbook_bytes, page.ctx.code, page.lang, _breakdown(page))
    name = f"programme-report-{made_on}.xlsx"
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


def workbook_bytes(programme, code: str, lang: str, by: list[str]) -> tuple[bytes, str]:
    """The report's workbook and the day it was made (made in the worker process)."""
    import tempfile
    from pathlib import Path

    from ..i18n import speaking
    from ..services.report_files import write_report

    with speaking(lang):
        found = _report_of(programme, code, by)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "report.xlsx"
            write_report(found, path, "xlsx")
            return path.read_bytes(), found.made_on.isoformat()


def indicators(page) -> Response:
    return page.render("indicators.html", indicators=page.ctx.reports.indicators())


# --- admins ----------------------------------------------------------------------------------------

ROLES = (("admin", lambda: _("Admin")), ("case_worker", lambda: _("Case worker")), ("trainer", lambda: _("Trainer")),
         ("committee_member", lambda: _("Committee member")), ("finance_officer", lambda: _("Finance officer")),
         ("mentor", lambda: _("Mentor")), ("me_officer", lambda: _("M&E officer")))


#: The choice of the move form that stands for head office (no centre).
HEAD_OFFICE = "head-office"


def role_words(roles) -> str:
    """A member's roles in words ("Case worker, Mentor"), in the reader's language."""
    words = dict(options(ROLES))
    return ", ".join(sorted(words[role.value] for role in roles))


def staff_labels() -> dict[str, str]:
    return {"password": _("New password"), "code": _("Staff code"), "staff_code": _("Staff code"),
            "full_name": _("Full name"), "roles": _("Roles"), "centre": _("Centre"), "reason": _("Why")}


def staff(page, status: int = 200, **context) -> Response:
    page.ctx.require("staff.manage")
    members, pager = page.window(page.ctx.staff.list(active=None), size=100)
    places = [(centre.code, f"{centre.code} · {centre.name}") for centre in page.ctx.centres.list()]
    return page.render("staff.html", status=status, members=members, pager=pager, roles=options(ROLES),
                       labels=staff_labels(), role_words=role_words,
                       places=[*places, (HEAD_OFFICE, _("Head office"))], **context)


def _staff_refused(page, exc, section: str) -> Response:
    """The staff page again with the refusal beside its field; one about the member
    themselves (no such code, already deactivated, already there) beside their code."""
    if page.status(exc) == 403:
        return page.refused(exc)
    errors = page.errors(exc, staff_labels())
    if page.status(exc) in (404, 409) and "" in errors:
        errors = {"code": errors[""]}
    return staff(page, status=page.status(exc), errors=errors, section=section)


def add_staff(page) -> Response:
    try:
        member = page.ctx.staff.add(page.value("code"), page.value("full_name"), page.values("roles"),
                                    page.value("centre") or None)
    except ReentryError as exc:
        return _staff_refused(page, exc, "add")
    return page.redirect("/admin/staff", _("Added {code} ({roles}).").format(
        code=member.code, roles=", ".join(sorted(r.value for r in member.roles))))


def deactivate_staff(page) -> Response:
    try:
        change = page.ctx.staff.deactivate(page.value("code"), page.value("reason"))
    except ReentryError as exc:
        return _staff_refused(page, exc, "deactivate")
    text = _("{code} is deactivated.").format(code=change.member.code)
    return page.redirect("/admin/staff", text + _still_held(change.open_work))


def _still_held(open_work) -> str:
    """What a member deactivated or moved still holds, to hand over (the first five)."""
    if not open_work:
        return ""
    return " " + _("Still to hand over: {work}.").format(work="; ".join(item.description for item in open_work[:5]))


def reactivate_staff(page) -> Response:
    try:
        member = page.ctx.staff.reactivate(page.value("code"))
    except ReentryError as exc:
        return _staff_refused(page, exc, "reactivate")
    return page.redirect("/admin/staff", _("{code} is active again.").format(code=member.code))


def move_staff(page) -> Response:
    where = page.value("centre")
    head_office = where == HEAD_OFFICE
    try:
        change = page.ctx.staff.move(page.value("code"), centre=None if head_office else where or None,
                                     head_office=head_office)
    except ReentryError as exc:
        return _staff_refused(page, exc, "move")
    member = change.member
    text = _("{code} now works at {where}.").format(code=member.code, where=member.centre or _("head office"))
    return page.redirect("/admin/staff", text + _still_held(change.open_work))


def password(page) -> Response:
    code = (page.params.get("code") or page.value("code")).upper()
    try:
        page.ctx.staff.set_password(code, str(page.form.get("password", "")))
    except ReentryError as exc:
        return _staff_refused(page, exc, "password")
    return page.redirect("/admin/staff", _("The password of {code} is set.").format(code=code))


def centres(page) -> Response:
    labels = {"code": _("Code"), "name": _("Name"), "city": _("City")}
    if page.request.method == "POST":
        try:
            made = page.ctx.centres.add(page.value("code"), page.value("name"), page.value("city"))
        except ReentryError as exc:
            if page.status(exc) == 403:
                return page.refused(exc)
            return page.invalid("centres.html", exc, labels, centres=page.ctx.centres.list(), labels=labels)
        return page.redirect("/admin/centres", _("Centre {code} added.").format(code=made.code))
    page.ctx.require("centres.manage")
    return page.render("centres.html", centres=page.ctx.centres.list(), labels=labels)


def settings(page) -> Response:
    labels = {"value": _("Small-count threshold"), "threshold": _("Small-count threshold")}
    reports = page.ctx.reports
    if page.request.method == "POST":
        try:
            value = reports.set_threshold(page.value("threshold"))
        except ReentryError as exc:
            if page.status(exc) == 403:
                return page.refused(exc)
            return page.invalid("settings.html", exc, labels, threshold=reports.threshold())
        return page.redirect("/admin/settings", _("Counts below {n} are now hidden in every report.").format(n=value))
    page.ctx.require("reports.threshold")
    return page.render("settings.html", threshold=reports.threshold())
