"""The core's pages: signing in and out, the language, the home page; participants and
referrals (case workers), the programme report (M&E), staff passwords (admins).
Each page calls the same service the CLI command does."""

from __future__ import annotations

from starlette.responses import Response

from ..errors import PermissionDenied
from ..i18n import _


def register(web) -> None:
    web.page("/", home)
    web.page("/signin", signin, methods=("GET", "POST"), public=True)
    web.page("/signout", signout, methods=("POST",), public=True)
    web.page("/language", language, methods=("POST",), public=True)
    web.page("/me", me)
    from . import core_pages

    core_pages.register(web)


def home(page) -> Response:
    roles = ", ".join(sorted(r.value for r in page.ctx.member.roles))
    return page.render("home.html", roles=roles)


def signin(page) -> Response:
    if page.request.method == "GET":
        if page.session.get("staff"):
            return page.redirect("/")
        return page.render("signin.html")
    from ..services.signin import language_of, sign_in

    code = page.value("code").upper()
    address = page.request.client.host if page.request.client else "-"
    labels = {"staff_code": _("Staff code"), "password": _("Password")}
    wait = page.web.throttle.wait(code, address)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        return page.render("signin.html", status=429, errors={"": _(
            "Too many attempts to sign in. Wait {n} minutes and try again, or ask an admin to reset the "
            "password.").format(n=minutes)}, form={"code": code})
    try:
        ctx = sign_in(page.programme, code, str(page.form.get("password", "")))
    except PermissionDenied as exc:
        page.web.throttle.failed(code, address)
        return page.render("signin.html", status=403, errors=page.errors(exc, labels), form={"code": code})
    page.web.throttle.succeeded(code, address)
    import secrets
    import time

    lang = language_of(page.programme, ctx.code) or page.session.get("lang")
    page.session.clear()  # a new session on signing in: nothing from before carries over
    now = time.time()
    page.session.update(staff=ctx.code, since=now, seen=now, csrf=secrets.token_urlsafe(32), lang=lang)
    return page.redirect("/")


def signout(page) -> Response:
    lang = page.session.get("lang")
    page.session.clear()
    page.session["lang"] = lang
    return page.redirect("/signin", _("You are signed out."))


def language(page) -> Response:
    from ..i18n import available_languages

    lang = page.value("language").lower()
    if lang not in available_languages():
        return page.redirect("/me" if page.ctx else "/signin")
    if page.ctx is not None:
        page.ctx.staff.set_language(lang)
    page.session["lang"] = lang
    return page.redirect("/me" if page.ctx else "/signin")


def me(page) -> Response:
    return page.render("me.html")


__all__ = ["register"]
