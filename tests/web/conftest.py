"""Fixtures of the web workspace's tests: the small demo (what `reentry demo` builds), built
once per session and copied for each test, every staff member of the tour with a password,
and a signed-in client per staff code (Starlette's TestClient, no server)."""

from __future__ import annotations

import re
import shutil
import warnings

import pytest

from reentry_core.demo import run
from reentry_core.services import open_programme

PASSWORD = "correct-horse-7"
#: the staff of the README's tour, and a Khujand mentor for the scope refusals
STAFF = ("ADM", "DSH-CW1", "DSH-TR1", "COM1", "COM2", "COM3", "FIN1", "FIN2", "DSH-MN1", "KHJ-MN1", "ME1")


@pytest.fixture(scope="session")
def web_demo(tmp_path_factory, plugin_manager):
    path = tmp_path_factory.mktemp("webdemo") / "demo.db"
    with open_programme(f"sqlite:///{path}", plugins=plugin_manager) as programme:
        run(programme, "small", seed=1)
        admin = programme.act_as("ADM")
        for code in STAFF:
            admin.staff.set_password(code, PASSWORD)
    return path


@pytest.fixture
def web_programme(web_demo, tmp_path, plugin_manager):
    path = tmp_path / "demo.db"
    shutil.copy(web_demo, path)
    with open_programme(f"sqlite:///{path}", plugins=plugin_manager) as programme:
        yield programme


@pytest.fixture
def web_app(web_programme):
    from reentry_core.web import make_app

    return make_app(web_programme, secret="s" * 40)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def messages(response) -> list[str]:
    """The errors and notices a page shows (unescaped enough to compare)."""
    import html

    return [html.unescape(m).strip() for m in re.findall(r'class="(?:error|flash)"[^>]*>([^<]+)<', response.text)]


@pytest.fixture
def client(web_app):
    def make():
        with warnings.catch_warnings():  # starlette >= 1 would rather have httpx2; httpx works
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient

            return TestClient(web_app, base_url="http://127.0.0.1")

    return make


@pytest.fixture
def signed_in(client):
    """``signed_in("DSH-MN1")``: a client signed in as that staff member, with ``.csrf``."""

    def sign_in(code: str):
        c = client()
        token = csrf_of(c.get("/signin").text)
        r = c.post("/signin", data={"csrf": token, "code": code, "password": PASSWORD})
        assert r.status_code == 200 and f">{code}<" in r.text, messages(r)
        c.csrf = csrf_of(r.text)
        return c

    return sign_in
