"""A plugin adds pages to the web workspace through ``register_web``, as it adds
commands through ``register_commands``; one that fails leaves the others working."""

from __future__ import annotations

import re
import warnings

from reentry_core.hookspecs import hookimpl
from reentry_core.plugins import load_plugins
from reentry_core.services import open_programme


class GreetingPlugin:
    @staticmethod
    @hookimpl
    def register_web(web):
        def greeting(page):
            page.ctx.require("participants.view")  # the service's permission, as always
            from starlette.responses import PlainTextResponse

            return PlainTextResponse(f"hello {page.ctx.code}")

        web.page("/greeting", greeting)
        web.menu(lambda: "Greeting", "/greeting", permission="participants.view")


class BrokenPlugin:
    @staticmethod
    @hookimpl
    def register_web(web):
        raise RuntimeError("broken on purpose")


def test_a_plugin_adds_a_page_and_a_broken_one_is_left_out(web_demo, tmp_path):
    import shutil

    from reentry_core.web import make_app

    from .conftest import PASSWORD, csrf_of

    path = tmp_path / "demo.db"
    shutil.copy(web_demo, path)
    pm = load_plugins(extra=[("greeting", GreetingPlugin()), ("broken", BrokenPlugin())])
    with open_programme(f"sqlite:///{path}", plugins=pm) as programme:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient

            c = TestClient(make_app(programme, secret="s" * 40), base_url="http://127.0.0.1")
        token = csrf_of(c.get("/signin").text)
        home = c.post("/signin", data={"csrf": token, "code": "DSH-CW1", "password": PASSWORD})
        assert re.search(r'href="/greeting"', home.text)
        assert c.get("/greeting").text == "hello DSH-CW1"
        assert c.get("/mentoring/due").status_code == 200  # the built-in plugins' pages still there
