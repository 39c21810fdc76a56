"""The staff's own page and the admin's staff page: one's own password changed (a wrong
current one refused and counted as a failed sign-in), staff moved and reactivated through
the services the CLI calls, roles shown in words."""

from __future__ import annotations

import re

from .conftest import PASSWORD, csrf_of, messages

NEW = "a-new-password-9"


def change(c, current=PASSWORD, password=NEW, again=None, csrf=None):
    return c.post("/me/password", data={"csrf": csrf or c.csrf, "current_password": current, "password": password,
                                        "again": password if again is None else again})


def sign_in(client, code, password):
    c = client()
    token = csrf_of(c.get("/signin").text)
    return c.post("/signin", data={"csrf": token, "code": code, "password": password})


# --- one's own password ----------------------------------------------------------------------------

def test_the_password_form_has_a_label_for_every_field(signed_in):
    html = signed_in("DSH-MN1").get("/me").text
    for name in ("current_password", "password", "again"):
        assert f'<label for="f-{name}">' in html and f'id="f-{name}" name="{name}" type="password"' in html
    assert 'action="/me/password"' in html and 'autocomplete="current-password"' in html


def test_a_member_changes_their_own_password_and_signs_in_with_it(signed_in, client, web_programme):
    c = signed_in("DSH-MN1")
    old_token = c.csrf
    r = change(c)
    assert r.status_code == 200 and "Your password is changed." in messages(r)
    assert ">DSH-MN1<" in r.text  # still signed in here ...
    assert change(c, current=NEW, password="another-one-10", csrf=old_token).status_code == 403  # ... in a new session
    c.post("/signout", data={"csrf": csrf_of(r.text)})
    assert sign_in(client, "DSH-MN1", PASSWORD).status_code == 403
    assert ">DSH-MN1<" in sign_in(client, "DSH-MN1", NEW).text
    event = web_programme.act_as("ADM").audit.log(key="DSH-MN1", action="staff.password")[0]
    assert event.actor == "DSH-MN1" and event.after == {"password": "changed"}


def test_a_wrong_current_password_is_refused_beside_its_field_and_counted(signed_in, client):
    c = signed_in("DSH-MN1")
    r = change(c, current="not-my-password")
    assert r.status_code == 403
    assert re.search(r'id="e-current_password"[^>]*>Current password: that is not your password; nothing is changed',
                     r.text)
    assert sign_in(client, "DSH-MN1", NEW).status_code == 403  # nothing changed
    for _ in range(3):  # with the failed sign-in above: five failures
        change(c, current="not-my-password")
    r = change(c)  # the right one now waits too: the form cannot be used to guess
    assert r.status_code == 429 and re.search(r'id="e-current_password"[^>]*>Too many wrong passwords', r.text)
    assert sign_in(client, "DSH-MN1", PASSWORD).status_code == 429  # signing in counts the same failures


def test_the_new_password_typed_twice_must_match_and_follow_the_rules(signed_in, client):
    c = signed_in("DSH-MN1")
    r = change(c, again="a-new-password-8")
    assert r.status_code == 400
    assert re.search(r'id="e-again"[^>]*>New password again: not the same as the new password', r.text)
    r = change(c, password="short")
    assert r.status_code == 400 and re.search(r'id="e-password"[^>]*>New password: at least 10 characters', r.text)
    assert sign_in(client, "DSH-MN1", PASSWORD).status_code == 200  # nothing changed


def test_the_service_checks_the_current_password(web_programme):
    import pytest

    from reentry_core.errors import PermissionDenied

    ctx = web_programme.act_as("FIN1")
    with pytest.raises(PermissionDenied, match="current_password: that is not your password"):
        ctx.staff.change_own_password("wrong-password", NEW)
    ctx.staff.change_own_password(PASSWORD, NEW)
    from reentry_core.services.signin import password_is

    assert password_is(web_programme, "FIN1", NEW) and not password_is(web_programme, "FIN1", PASSWORD)


# --- the home page -----------------------------------------------------------------------------

def test_the_home_page_shows_roles_in_words(signed_in):
    assert "Your roles: Admin" in signed_in("ADM").get("/").text
    assert "Your roles: Mentor" in signed_in("DSH-MN1").get("/").text
    assert "Your roles: M&amp;E officer" in signed_in("ME1").get("/").text


# --- the admin moves and reactivates staff ---------------------------------------------------

def test_an_admin_moves_a_member_to_another_centre_and_to_head_office(signed_in, web_programme):
    a = signed_in("ADM")
    page = a.get("/admin/staff").text
    assert 'action="/admin/staff/move"' in page and 'value="KHJ"' in page and 'value="head-office"' in page
    r = a.post("/admin/staff/move", data={"csrf": a.csrf, "code": "DSH-CW1", "centre": "KHJ"})
    assert r.status_code == 200 and messages(r)[0].startswith("DSH-CW1 now works at KHJ.")
    admin = web_programme.act_as("ADM")
    assert admin.staff.get("DSH-CW1").centre == "KHJ"
    r = a.post("/admin/staff/move", data={"csrf": a.csrf, "code": "DSH-CW1", "centre": "head-office"})
    assert messages(r)[0].startswith("DSH-CW1 now works at head office.")
    assert admin.staff.get("DSH-CW1").centre is None
    events = admin.audit.log(key="DSH-CW1", action="staff.move")
    assert [e.actor for e in events] == ["ADM", "ADM"]
    assert events[0].after["centre"] is None and events[1].after["centre"] == "KHJ"


def test_a_move_is_refused_beside_its_field(signed_in):
    a = signed_in("ADM")
    r = a.post("/admin/staff/move", data={"csrf": a.csrf, "code": "DSH-CW1"})
    assert r.status_code == 400 and re.search(r'id="e-centre"[^>]*>say where DSH-CW1 moves', r.text)
    r = a.post("/admin/staff/move", data={"csrf": a.csrf, "code": "DSH-CW1", "centre": "XYZ"})
    assert r.status_code == 404 and re.search(r'id="e-centre"[^>]*>centre &#39;XYZ&#39; does not exist', r.text)
    r = a.post("/admin/staff/move", data={"csrf": a.csrf, "code": "DSH-CW1", "centre": "DSH"})
    assert r.status_code == 409 and re.search(r'id="e-mv-code"[^>]*>DSH-CW1 already works at DSH', r.text)
    r = a.post("/admin/staff/move", data={"csrf": a.csrf, "code": "NOBODY", "centre": "DSH"})
    assert r.status_code == 404 and re.search(r'id="e-mv-code"[^>]*>staff code &#39;NOBODY&#39;', r.text)


def test_an_admin_reactivates_a_member(signed_in, web_programme):
    admin = web_programme.act_as("ADM")
    admin.staff.deactivate("DSH-MN1", "long leave")
    a = signed_in("ADM")
    r = a.post("/admin/staff/reactivate", data={"csrf": a.csrf, "code": "dsh-mn1"})
    assert r.status_code == 200 and "DSH-MN1 is active again." in messages(r)
    assert admin.staff.get("DSH-MN1").active
    assert admin.audit.log(key="DSH-MN1", action="staff.reactivate")[0].actor == "ADM"
    r = a.post("/admin/staff/reactivate", data={"csrf": a.csrf, "code": "DSH-MN1"})
    assert r.status_code == 409 and re.search(r'id="e-on-code"[^>]*>DSH-MN1 is active already', r.text)


def test_only_admins_move_or_reactivate_staff(signed_in, web_programme):
    web_programme.act_as("ADM").staff.deactivate("DSH-MN1", "long leave")
    c = signed_in("ME1")
    for path, data in (("/admin/staff/move", {"code": "DSH-CW1", "centre": "KHJ"}),
                       ("/admin/staff/reactivate", {"code": "DSH-MN1"})):
        r = c.post(path, data={"csrf": c.csrf, **data})
        assert r.status_code == 403, path
        assert "ME1 (" in messages(r)[0] and "may not" in messages(r)[0]
    admin = web_programme.act_as("ADM")
    assert admin.staff.get("DSH-CW1").centre == "DSH" and not admin.staff.get("DSH-MN1").active


def test_the_cli_changes_ones_own_password_given_the_current_one(run_cli, staff_as, programme):
    from reentry_core.services.signin import password_is

    staff_as("case_worker", code="CW1")
    programme.act_as("ADM").staff.set_password("CW1", PASSWORD)
    r = run_cli("--as", "CW1", "staff", "set-password", "--password-stdin", input=f"not-my-password\n{NEW}\n")
    assert r.exit_code == 3 and "Error: current_password: that is not your password" in r.stderr
    r = run_cli("--as", "CW1", "staff", "set-password", input=f"{PASSWORD}\n{NEW}\n{NEW}\n")
    assert r.exit_code == 0 and "Your password is changed." in r.stdout
    assert password_is(programme, "CW1", NEW)
