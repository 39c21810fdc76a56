"""The web application: sign-in and sessions, CSRF, security headers, the page registry.

A page is a plain function ``handler(page) -> Response`` run in a worker thread (the
services are synchronous): ``page.ctx`` is the signed-in member's staff context, made by
``programme.act_as`` on every request exactly as ``--as`` does, so permissions, centre
scope, sensitive fields and the audit actor are the services' own. A ``ReentryError`` a
handler lets through becomes a page with the service's message (403 for a permission,
404 for a code that names nothing, 409 for a conflict, 400 for a rule); a form shows it
next to the field the message names (:meth:`Page.errors`).
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import secrets
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import Conflict, NotFound, PermissionDenied, ReentryError
from ..i18n import _, available_languages, speaking

HERE = Path(__file__).parent
log = logging.getLogger("reentry.web")

#: A session lasts at most this long after signing in, and ends after this long idle.
SESSION_HOURS = 10
IDLE_MINUTES = 30

#: The headers every answer carries (a scanner's list: CSP, no sniffing, no framing, no referrer).
SECURITY_HEADERS = {
    "content-security-policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


class Throttle:
    """Sign-in attempts: at most ``per_code`` failures for one code from one address, and
    ``per_address`` failures from one address, within ``window`` seconds."""

    def __init__(self, per_code: int = 5, per_address: int = 20, window: float = 900.0, clock=time.monotonic):
        self.per_code, self.per_address, self.window, self.clock = per_code, per_address, window, clock
        self._failures: dict[tuple, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple) -> deque:
        times = self._failures[key]
        edge = self.clock() - self.window
        while times and times[0] < edge:
            times.popleft()
        return times

    def wait(self, code: str, address: str) -> int:
        """Seconds to wait before another attempt (0: go ahead)."""
        with self._lock:
            waits = []
            for key, limit in (((code, address), self.per_code), ((address,), self.per_address)):
                times = self._recent(key)
                if len(times) >= limit:
                    waits.append(int(times[0] + self.window - self.clock()) + 1)
            return max(waits, default=0)

    def failed(self, code: str, address: str) -> None:
        with self._lock:
            now = self.clock()
            self._failures[(code, address)].append(now)
            self._failures[(address,)].append(now)

    def succeeded(self, code: str, address: str) -> None:
        with self._lock:
            self._failures.pop((code, address), None)


class MenuItem:
    def __init__(self, label, path: str, permission: str | None, order: int):
        self.label, self.path, self.permission, self.order = label, path, permission, order

    def text(self) -> str:
        return self.label() if callable(self.label) else _(self.label)


class Web:
    """The registry a plugin's ``register_web(web)`` adds its pages to, and the machinery
    that runs them."""

    def __init__(self, programme, *, secure: bool = False):
        self.programme = programme
        self.secure = secure
        self.routes: list[Route] = []
        self.menu_items: list[MenuItem] = []
        self.throttle = Throttle()
        self._folders: list[Path] = [HERE / "templates"]
        self._env: jinja2.Environment | None = None

    # --- what plugins call ------------------------------------------------------------------
    def page(self, path: str, handler: Callable[["Page"], Response], *, methods: Iterable[str] = ("GET",),
             name: str | None = None, public: bool = False) -> None:
        """Serve ``handler`` at ``path`` (Starlette path syntax, e.g. ``/mentoring/visit/{code}``).
        Every POST must carry the form's CSRF token; ``public`` pages need no sign-in."""
        endpoint = self._endpoint(handler, public)
        self.routes.append(Route(path, endpoint, methods=list(methods), name=name or handler.__name__))

    def menu(self, label, path: str, *, permission: str | None = None, order: int = 50) -> None:
        """A link on the home page and in the menu, shown to whoever holds ``permission``.
        ``label``: a callable returning the translated text (``lambda: _("Visits due")``)."""
        self.menu_items.append(MenuItem(label, path, permission, order))

    def templates(self, folder: str | Path) -> None:
        """A folder of the plugin's Jinja2 templates (keep them in a sub-folder of the
        plugin's name: ``templates/mentoring/due.html``)."""
        self._folders.append(Path(folder))
        self._env = None

    # --- rendering ----------------------------------------------------------------------------
    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(f)) for f in self._folders])
            env = jinja2.Environment(loader=loader,
                                     autoescape=True, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
                                     finalize=lambda value: "" if value is None else value)
            env.globals.update(_=_, languages=available_languages)
            env.filters["words"] = said  # {{ visit.mode|words }}: a choice's value as the reader's words
            self._env = env
        return self._env

    def menu_for(self, ctx) -> list[MenuItem]:
        return sorted((item for item in self.menu_items if item.permission is None or ctx.can(item.permission)),
                      key=lambda item: (item.order, item.path))

    # --- the request pipeline ---------------------------------------------------------------
    def _endpoint(self, handler, public: bool):
        web = self

        async def endpoint(request: Request) -> Response:
            session = request.session
            now = time.time()
            code = session.get("staff")
            if code and (now - session.get("since", 0) > SESSION_HOURS * 3600
                         or now - session.get("seen", 0) > IDLE_MINUTES * 60):
                lang = session.get("lang")
                session.clear()
                session["lang"] = lang
                session["flash"] = _("Your session ended; please sign in again.")
                code = None
            if "csrf" not in session:
                session["csrf"] = secrets.token_urlsafe(32)
            form: FormData | dict = {}
            if request.method == "POST":
                form = await request.form()
                if not hmac.compare_digest(str(form.get("csrf", "")), session["csrf"]):
                    with speaking(session.get("lang")):
                        return web.error_page(request, 403, _("This form has expired or did not come from this site. "
                                                              "Go back, reload the page and try again."))
            if not public and not code:
                return RedirectResponse("/signin", status_code=303)
            if code and now - session.get("seen", 0) > 30:
                session["seen"] = now
            page = Page(web, request, form)
            with speaking(session.get("lang")):
                return await run_in_threadpool(web._run, handler, page)

        endpoint.__name__ = handler.__name__
        return endpoint

    def _run(self, handler, page: "Page") -> Response:
        try:
            code = page.session.get("staff")
            if code:
                page.ctx = self.programme.act_as(code)
            return handler(page)
        except ReentryError as exc:
            return page.refused(exc)

    def error_page(self, request: Request, status: int, message: str) -> Response:
        html = self.env.get_template("error.html").render(message=message, status=status, me=None, menu=[],
                                                          csrf=request.session.get("csrf", ""), flash=None)
        return HTMLResponse(html, status_code=status)


class Page:
    """What a page handler sees: the request, the form, the signed-in member's context."""

    def __init__(self, web: Web, request: Request, form):
        self.web = web
        self.request = request
        self.form = form
        self.ctx = None

    @property
    def session(self) -> dict:
        return self.request.session

    @property
    def params(self) -> dict:
        return self.request.path_params

    @property
    def query(self):
        return self.request.query_params

    @property
    def programme(self):
        return self.web.programme

    @property
    def lang(self) -> str:
        from ..i18n import language

        return self.session.get("lang") or language()

    def value(self, name: str, default: str = "") -> str:
        """A form field's text, stripped ('' when absent)."""
        return str(self.form.get(name, default) or "").strip()

    def values(self, name: str) -> list[str]:
        getlist = getattr(self.form, "getlist", None)
        return [str(v) for v in getlist(name)] if getlist else []

    def window(self, items: list, size: int = 50) -> tuple[list, dict]:
        """One screenful of a long list (``?from=N``), so a page stays small on a phone:
        the items shown and where the list goes on (``pager``, for the ``more`` macro)."""
        try:
            start = max(0, int(self.query.get("from", 0)))
        except ValueError:
            start = 0
        shown = items[start:start + size]
        following = start + size if start + size < len(items) else None
        from urllib.parse import urlencode

        query = urlencode([(k, v) for k, v in self.query.multi_items() if k != "from"])
        return shown, {"total": len(items), "start": start, "end": start + len(shown), "next": following,
                       "path": self.request.url.path, "query": query}

    @contextlib.contextmanager
    def uploaded(self, field: str, suffixes: Iterable[str] = (".csv", ".xlsx")) -> Iterator[Path]:
        """The file sent in ``field``, kept under its own name (for the sheet readers) in a
        private temporary folder, owner-only and written whole, removed afterwards;
        ``InvalidInput`` naming the field when none came or it is of another kind."""
        import tempfile

        from ..errors import InvalidInput, param
        from ..files import written_whole

        upload = self.form.get(field)
        name = Path(getattr(upload, "filename", "") or "").name
        wanted = tuple(suffixes)
        if not name or Path(name).suffix.lower() not in wanted:
            raise InvalidInput(_("{field}: choose a {kinds} file").format(field=param(field),
                                                                           kinds=" or ".join(wanted)))
        with tempfile.TemporaryDirectory(prefix="reentry-upload-") as folder:  # 0700
            path = Path(folder) / name
            with written_whole(path) as temp:
                with open(temp, "wb") as out:
                    out.write(upload.file.read())
            yield path

    @staticmethod
    def words(value: Any) -> str:
        """A value in the reader's words, as the templates' ``words`` filter says it (a
        page's own lists of choices, its messages)."""
        return said(value)

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        values = {"me": self.ctx.member if self.ctx else None, "menu": self.web.menu_for(self.ctx) if self.ctx else [],
                  "csrf": self.session.get("csrf", ""), "flash": self.session.pop("flash", None), "form": self.form,
                  "errors": {}, "page": self, **context}
        return HTMLResponse(self.web.env.get_template(template).render(**values), status_code=status)

    def redirect(self, path: str, flash: str | None = None) -> RedirectResponse:
        """Back to ``path`` after a change (303: a reload does not post again), with a message."""
        if flash:
            self.session["flash"] = flash
        return RedirectResponse(path, status_code=303)

    @staticmethod
    def errors(exc: ReentryError, labels: dict[str, str] | None = None) -> dict[str, str]:
        """The service's message keyed by the form field it names (``""``: the whole form),
        each parameter spelled as the field's label, as the CLI spells it as its option.
        A conversion error (``revenue: 'abc' is not a number; business_status: missing``)
        puts each part beside its field."""
        labels = labels or {}
        message = exc.render(lambda name: labels.get(name, name))
        problems = getattr(exc, "problems", None)
        if problems:
            message = "; ".join([*problems, message])
        named = [p for p in exc.params if p in labels]
        if named:
            return {named[0]: message}
        found: dict[str, str] = {}
        last = ""
        for part in message.split("; "):
            field, sep, reason = part.partition(": ")
            key = field.strip()
            if sep and key in labels:
                found[key] = f"{labels[key]}: {reason}"
                last = key
            elif not sep and last:  # goes on about the field before ("'x' is not a date; write YYYY-MM-DD …")
                found[last] = f"{found[last]}; {part}"
            else:
                found[""] = f"{found[''] }; {part}" if "" in found else part
                last = ""
        return found

    def invalid(self, template: str, exc: ReentryError, fields: dict[str, str] | None = None,
                **context: Any) -> HTMLResponse:
        """The form again, with the refusal next to its field (``fields``: name → label);
        400 for a rule, 403/404/409 by the error's kind."""
        return self.render(template, status=status_of(exc), **{**context, "errors": self.errors(exc, fields)})

    @staticmethod
    def status(exc: ReentryError) -> int:
        """The HTTP status of a refusal: 403 permission, 404 not found, 409 conflict, 400 a rule."""
        return status_of(exc)

    def refused(self, exc: ReentryError) -> HTMLResponse:
        return self.render("error.html", status=status_of(exc), message=self.errors(exc).get(""), refused=True)


def said(value: Any) -> str:
    """A value as a person reads it on a page: a choice's words (``on_site`` → "дар ҷой"), a
    date or a number in their convention (:func:`reentry_core.words.cell`); form fields keep
    the code, which is what the services read."""
    from ..domain import Choice, choice_values
    from ..words import cell, choice_label

    if isinstance(value, Choice):
        value = value.value
    choices = choice_values()
    if isinstance(value, str) and value in choices:
        return choice_label(value).replace("_", " ")  # English too: "car repair", not the code
    return cell(value, choices)


def status_of(exc: ReentryError) -> int:
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    return 400


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every answer (and HSTS and no caching where fit),
    and logs each request without its path or query (they may name a participant)."""

    def __init__(self, app, secure: bool):
        self.app = app
        self.secure = secure

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _v in headers}
                for key, value in SECURITY_HEADERS.items():
                    if key.encode() not in present:
                        headers.append((key.encode(), value.encode()))
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                if self.secure:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
                endpoint = scope.get("endpoint")
                name = getattr(endpoint, "__name__", "static" if static else "-")
                log.info("%s %s %s %.0f ms", scope["method"], name, message["status"],
                         (time.perf_counter() - started) * 1000)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def make_app(programme, *, secret: str | None = None, secure: bool = False) -> Starlette:
    """The web workspace on ``programme``: the core's pages, then each plugin's
    (``register_web``). ``secret`` signs the session cookies (default: a new random one,
    so sessions end when the server stops); ``secure``: cookies only over HTTPS."""
    from . import pages

    web = Web(programme, secure=secure)
    pages.register(web)

    def failed(plugin: str, exc: Exception) -> None:
        log.error("plugin %s: register_web failed: %s", plugin, exc)

    programme.pm.relay.register_web(web, failed)
    routes = [*web.routes, Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")]
    middleware = [
        Middleware(SecurityHeaders, secure=secure),
        Middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(32), session_cookie="reentry_session",
                   max_age=SESSION_HOURS * 3600, same_site="lax", https_only=secure),
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.web = web
    return app
