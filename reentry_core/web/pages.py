"""The core's pages: signing in and out, the language and one's own password, the home
page; participants and referrals (case workers), the programme report (M&E), staff (admins).
Each page calls the same service the CLI command does."""

from __future__ import annotations

from starlette.responses import Response

from ..errors import PermissionDenied, ReentryError
from ..i18n import _


def register(web) -> None:
    web.page("/", home)
    web.page("/signin", signin, methods=("GET", "POST"), public=True)
    web.page("/signout", signout, methods=("POST",), public=True)
    web.page("/language", language, methods=("POST",), public=True)
    web.page("/me", me)
    web.page("/me/password", change_password, methods=("POST",))
    from . import core_pages

    core_pages.register(web)


def home(page) -> Response:
    from .core_pages import role_words

    return page.render("home.html", roles=role_words(page.ctx.member.roles))


def _address(page) -> str:
    return page.request.client.host if page.request.client else "-"


def _minutes(wait: int) -> int:
    return max(1, (wait + 59) // 60)


def _new_session(page, code: str, lang: str | None) -> None:
    """A new session for ``code`` (a new CSRF token, nothing from before carries over), on
    signing in and after a change of one's own password."""
    import secrets
    import time

    page.session.clear()
    now = time.time()
    page.session.update(staff=code, since=now, seen=now, csrf=secrets.token_urlsafe(32), lang=lang)


def signin(page) -> Response:
    if page.request.method == "GET":
        if page.session.get("staff"):
            return page.redirect("/")
        return page.render("signin.html")
    from ..services.signin import language_of, sign_in

    code = page.value("code").upper()
    address = _address(page)
    labels = {"staff_code": _("Staff code"), "password": _("Password")}
    wait = page.web.throttle.wait(code, address)
    if wait:
        return page.render("signin.html", status=429, errors={"": _(
            "Too many attempts to sign in. Wait {n} minutes and try again, or ask an admin to reset the "
            "password.").format(n=_minutes(wait))}, form={"code": code})
    try:
        ctx = sign_in(page.programme, code, str(page.form.get("password", "")))
    except PermissionDenied as exc:
        page.web.throttle.failed(code, address)
        return page.render("signin.html", status=403, errors=page.errors(exc, labels), form={"code": code})
    page.web.throttle.succeeded(code, address)
    _new_session(page, ctx.code, language_of(page.programme, ctx.code) or page.session.get("lang"))
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


def password_labels() -> dict[str, str]:
    return {"current_password": _("Current password"), "password": _("New password"),
            "again": _("New password again")}


def me(page, status: int = 200, errors: dict[str, str] | None = None) -> Response:
    from ..services.signin import MIN_LENGTH

    return page.render("me.html", status=status, labels=password_labels(), errors=errors or {}, min_length=MIN_LENGTH)


def change_password(page) -> Response:
    """One's own password: the current one (a wrong one counts as a failed sign-in, so
    this form cannot be used to guess it) and the new one twice. The session is renewed:
    the member stays signed in here, with a new session."""
    code, address, labels = page.ctx.code, _address(page), password_labels()
    wait = page.web.throttle.wait(code, address)
    if wait:
        return me(page, 429, {"current_password": _("Too many wrong passwords. Wait {n} minutes and try again, "
                                                    "or ask an admin to reset the password.").format(n=_minutes(wait))})
    password = str(page.form.get("password", ""))
    if password != str(page.form.get("again", "")):
        return me(page, 400, {"again": _("{field}: not the same as the new password; type both again").format(
            field=labels["again"])})
    try:
        page.ctx.staff.change_own_password(str(page.form.get("current_password", "")), password)
    except ReentryError as exc:
        if isinstance(exc, PermissionDenied):
            page.web.throttle.failed(code, address)
        return me(page, page.status(exc), page.errors(exc, labels))
    page.web.throttle.succeeded(code, address)
    _new_session(page, code, page.session.get("lang"))
    return page.redirect("/me", _("Your password is changed."))


__all__ = ["register"]
