"""The web workspace, ``reentry serve``: the same services behind a web door.

Like the CLI, the web layer holds no business rule: each page reads a form, calls one
service as the signed-in staff member (``programme.act_as``), and renders the answer;
a refusal is the service's own message, shown next to the field it names. The core's
pages live in :mod:`.pages`; each plugin adds its own through the ``register_web`` hook
(``web.page``, ``web.menu``, ``web.templates``), so the core knows no plugin.

Starlette, Jinja2, uvicorn and argon2-cffi are imported only here and in ``reentry serve``,
never by ``reentry --help``.
"""

from __future__ import annotations

from .app import Page, Web, make_app

__all__ = ["Page", "Web", "make_app"]
