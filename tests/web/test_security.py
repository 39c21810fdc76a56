"""Signing in and the web layer's own protections: sessions, CSRF, throttling, headers."""

from __future__ import annotations

import time

from reentry_core.web import app as web_app_module

from .conftest import PASSWORD, csrf_of, messages


def test_a_page_needs_signing_in(client):
    r = client().get("/mentoring/due", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"


def test_signing_in_with_a_wrong_password_is_refused_without_saying_which_was_wrong(client):
    c = client()
    token = csrf_of(c.get("/signin").text)
    r = c.post("/signin", data={"csrf": token, "code": "DSH-MN1", "password": "not-the-password"})
    assert r.status_code == 403
    assert messages(r) == ["the staff code or the password is wrong"]
    r = c.post("/signin", data={"csrf": token, "code": "NOBODY", "password": "not-the-password"})
    assert messages(r) == ["the staff code or the password is wrong"]


def test_sign_in_attempts_are_throttled_per_code_and_address(client):
    c = client()
    token = csrf_of(c.get("/signin").text)
    for _ in range(5):
        c.post("/signin", data={"csrf": token, "code": "DSH-MN1", "password": "guess-guess-guess"})
    r = c.post("/signin", data={"csrf": token, "code": "DSH-MN1", "password": PASSWORD})
    assert r.status_code == 429
    assert "Too many attempts" in messages(r)[0]
    # another code from the same address is not locked out by DSH-MN1's failures
    r = c.post("/signin", data={"csrf": token, "code": "FIN1", "password": PASSWORD})
    assert r.status_code == 200 and ">FIN1<" in r.text


def test_a_post_without_the_forms_token_is_refused(signed_in):
    c = signed_in("DSH-MN1")
    r = c.post("/mentoring/visit/DSH-2026-0020", data={"mode": "on_site", "business_status": "operating"})
    assert r.status_code == 403
    r = c.post("/mentoring/visit/DSH-2026-0020", data={"csrf": "forged", "mode": "on_site"})
    assert r.status_code == 403


def test_the_session_cookie_is_http_only_and_same_site(client):
    c = client()
    token = csrf_of(c.get("/signin").text)
    r = c.post("/signin", data={"csrf": token, "code": "FIN1", "password": PASSWORD}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_cookies_are_secure_when_asked(web_programme):
    from starlette.testclient import TestClient

    from reentry_core.web import make_app

    c = TestClient(make_app(web_programme, secure=True), base_url="https://example.org")
    r = c.get("/signin")
    assert "secure" in r.headers["set-cookie"].lower()
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_every_answer_carries_the_security_headers(client, signed_in):
    for r in (client().get("/signin"), signed_in("ME1").get("/"), client().get("/static/site.css")):
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
    assert signed_in("ME1").get("/").headers["cache-control"] == "no-store"


def test_an_idle_session_ends(signed_in, monkeypatch):
    c = signed_in("FIN1")
    later = time.time() + web_app_module.IDLE_MINUTES * 60 + 5
    monkeypatch.setattr(web_app_module.time, "time", lambda: later)
    r = c.get("/grants/tranches", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"


def test_signing_out_ends_the_session(signed_in):
    c = signed_in("FIN1")
    r = c.post("/signout", data={"csrf": c.csrf})
    assert "You are signed out." in messages(r)
    assert c.get("/grants/tranches", follow_redirects=False).status_code == 303


def test_templates_escape_what_people_typed(signed_in, web_programme):
    c = signed_in("DSH-MN1")
    r = c.post("/mentoring/visit/DSH-2026-0020", data={"csrf": c.csrf, "mode": "on_site", "revenue": "<script>x"})
    assert "<script>x" not in r.text and "&lt;script&gt;x" in r.text


def test_the_language_is_chosen_per_person_and_remembered(signed_in, client):
    c = signed_in("DSH-MN1")
    r = c.post("/language", data={"csrf": c.csrf, "language": "ru"})
    assert 'lang="ru"' in r.text
    fresh = client()
    token = csrf_of(fresh.get("/signin").text)
    r = fresh.post("/signin", data={"csrf": token, "code": "DSH-MN1", "password": PASSWORD})
    assert 'lang="ru"' in r.text
    # someone else still reads English
    assert 'lang="en"' in signed_in("FIN1").get("/").text


def test_a_deactivated_member_is_refused_on_the_next_page(signed_in, web_programme):
    c = signed_in("FIN2")
    web_programme.act_as("ADM").staff.deactivate("FIN2", reason="left")
    r = c.get("/grants/tranches")
    assert r.status_code == 403 and "deactivated" in messages(r)[0]


def test_setting_a_password_is_audited_without_the_hash(web_programme):
    web_programme.act_as("ADM").staff.set_password("DSH-CW1", "another-password-1")
    events = web_programme.act_as("ADM").audit.log(key="DSH-CW1")
    event = [e for e in events if e.action == "staff.password"][0]
    assert "argon2" not in str(event) and "another-password-1" not in str(event)


def test_a_short_password_is_refused_naming_the_field(web_programme):
    import pytest

    from reentry_core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="password: at least 10 characters"):
        web_programme.act_as("ADM").staff.set_password("DSH-CW1", "short")
