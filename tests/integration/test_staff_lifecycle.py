"""Offboarding: staff deactivated, reactivated, moved, their roles set; a deactivated
member cannot act by any door; the work they still hold is listed for reassignment (the
core's referrals, and what each plugin answers to ``staff_open_work``)."""

from __future__ import annotations

import json
import threading
import time

import pytest
import sqlalchemy as sa

from reentry_core import hookimpl
from reentry_core.domain import OpenWork, Role
from reentry_core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PluginError
from reentry_core.storage import tables as t
from reentry_core.testing import set_up

PERSON = {"full_name": "Ҷамшед Раҳимов", "sex": "male", "birth_date": "1985-03-12", "centre": "DSH"}


def _active(programme, code) -> bool:
    with programme.engine.connect() as conn:
        return conn.execute(sa.select(t.staff.c.active).where(t.staff.c.code == code)).scalar_one()


def audit_count(programme) -> int:
    with programme.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.audit_event)).scalar_one()


# --- deactivating and reactivating ------------------------------------------------------------


def test_a_deactivated_member_cannot_act_and_an_admin_reactivates_them(programme, admin, staff_as):
    worker = staff_as("case_worker", code="CW1")
    change = admin.staff.deactivate("cw1", "  left the   programme ")
    assert change.member.code == "CW1" and not change.member.active and change.open_work == ()
    with pytest.raises(PermissionDenied) as refused:
        programme.act_as("CW1")
    assert refused.value.message == ("staff member CW1 is deactivated; an admin can reactivate them: "
                                     "reentry --as ADMIN staff reactivate CW1")
    assert refused.value.exit_code == 3
    event = admin.audit.log(action="staff.deactivate")[0]
    assert (event.actor, event.entity_key) == ("ADM", "CW1")
    assert event.before["active"] is True and event.after["active"] is False
    assert event.after["reason"] == "left the programme"
    # a context made before the deactivation acts no more: neither writes nor reads
    before = audit_count(programme)
    with pytest.raises(PermissionDenied, match="CW1 is deactivated"):
        worker.participants.register(**PERSON)
    with pytest.raises(PermissionDenied, match="CW1 is deactivated"):
        worker.participants.list()
    assert audit_count(programme) == before
    assert admin.staff.reactivate("CW1").active
    assert programme.act_as("CW1").participants.register(**PERSON).code == "DSH-2026-0001"
    event = admin.audit.log(action="staff.reactivate")[0]
    assert (event.before["active"], event.after["active"]) == (False, True)


@pytest.mark.parametrize("call, error, words", [
    (lambda admin: admin.staff.deactivate("TR1", "   "), InvalidInput, "reason: say why TR1 is deactivated"),
    (lambda admin: admin.staff.deactivate("NOBODY", "left"), NotFound, "'NOBODY': no such staff member"),
    (lambda admin: admin.staff.reactivate("TR1"), Conflict, "TR1 is active already"),
    (lambda admin: admin.staff.deactivate("ADM", "tired"), Conflict, "ADM is the last admin"),
    (lambda admin: admin.staff.move("TR1", centre="DSH"), Conflict, "TR1 already works at DSH"),
    (lambda admin: admin.staff.move("TR1", centre="XYZ"), NotFound, "centre 'XYZ' does not exist"),
    (lambda admin: admin.staff.move("TR1"), InvalidInput, "say where TR1 moves"),
    (lambda admin: admin.staff.move("TR1", centre="KHJ", head_office=True), InvalidInput, "say where TR1 moves"),
    (lambda admin: admin.staff.set_roles("TR1", add=["mentor"], roles=["trainer"]), InvalidInput, "not both"),
    (lambda admin: admin.staff.set_roles("TR1", roles=[]), InvalidInput, "TR1 would have no role left"),
])
def test_refusals_name_the_member_and_change_nothing(programme, admin, staff_as, call, error, words):
    staff_as("trainer", code="TR1")
    before = audit_count(programme)
    with pytest.raises(error, match=words):
        call(admin)
    assert audit_count(programme) == before
    assert programme.act_as("TR1").member.centre == "DSH"


def test_deactivating_twice_is_a_conflict(admin, staff_as):
    staff_as("trainer", code="TR1")
    admin.staff.deactivate("TR1", "left")
    with pytest.raises(Conflict, match="TR1 is already deactivated"):
        admin.staff.deactivate("TR1", "left again")


def test_only_admins_manage_the_lifecycle(programme, admin, staff_as):
    worker = staff_as("case_worker", code="CW1")
    staff_as("trainer", code="TR1")
    for call in (lambda: worker.staff.deactivate("TR1", "left"), lambda: worker.staff.reactivate("TR1"),
                 lambda: worker.staff.move("TR1", centre="KHJ"), lambda: worker.staff.set_roles("TR1", roles="mentor"),
                 lambda: worker.staff.open_work("TR1")):
        with pytest.raises(PermissionDenied, match="may not add, deactivate and move staff"):
            call()
    assert worker.staff.open_work("CW1") == []  # one's own work, anyone


def test_an_admin_neither_deactivates_themselves_nor_drops_their_own_admin_role(programme, admin):
    admin.staff.add("ADM2", "Second Admin", ["admin"])
    with pytest.raises(PermissionDenied, match="ADM cannot deactivate themselves; another admin can"):
        admin.staff.deactivate("ADM", "leaving")
    with pytest.raises(PermissionDenied, match="ADM cannot take away their own admin role"):
        admin.staff.set_roles("ADM", roles="case_worker")
    programme.act_as("ADM2").staff.deactivate("ADM", "leaving")
    with pytest.raises(Conflict, match="ADM2 is the last admin"):
        programme.act_as("ADM2").staff.set_roles("ADM2", roles="mentor")
    # a deactivated admin does not count: ADM2 is the last active one
    admin_again = programme.act_as("ADM2")
    admin_again.staff.add("ADM3", "Third Admin", ["admin"])
    admin_again.staff.set_roles("ADM", roles="case_worker")  # the deactivated admin's role may go
    assert programme.act_as("ADM3").staff.get("ADM").roles == {Role.CASE_WORKER}


def test_two_admins_deactivating_each_other_at_once_leave_one_admin(programme, admin):
    """The second waits for the first (SQLite's write lock; PostgreSQL's row locks on the
    admins) and is then refused: ADM2 is deactivated, or ADM the last admin."""
    admin.staff.add("ADM2", "Second Admin", ["admin"])
    second = programme.act_as("ADM2")
    outcome = {}

    def deactivate_adm():
        try:
            second.staff.deactivate("ADM", "race")
            outcome["result"] = "deactivated"
        except (Conflict, PermissionDenied) as exc:
            outcome["result"] = exc.message

    with admin.transaction() as tx:  # ADM's own deactivation of ADM2, not yet committed
        from reentry_core.services.staff import _active_admins

        assert _active_admins(tx.conn) == 2
        tx.conn.execute(t.staff.update().where(t.staff.c.code == "ADM2").values(active=False))
        racer = threading.Thread(target=deactivate_adm)
        racer.start()
        time.sleep(0.5)
        assert racer.is_alive()  # waiting for ADM's transaction
    racer.join(20)
    assert outcome["result"] in {"ADM is the last admin; make someone else admin first",
                                 "staff member ADM2 is deactivated; an admin can reactivate them: "
                                 "reentry --as ADMIN staff reactivate ADM2"}
    assert _active(programme, "ADM")


# --- moving and roles ---------------------------------------------------------------------


def test_moving_to_another_centre_and_to_head_office(programme, admin, staff_as):
    staff_as("case_worker", code="CW1")
    change = admin.staff.move("cw1", centre="khj")
    assert change.member.centre == "KHJ" and change.open_work == ()
    assert [m.code for m in admin.staff.list(centre="KHJ")] == ["CW1"]
    event = admin.audit.log(action="staff.move")[0]
    assert (event.before["centre"], event.after["centre"]) == ("DSH", "KHJ")
    assert admin.staff.move("CW1", head_office=True).member.centre is None
    assert programme.act_as("CW1").member.centre is None


def test_roles_are_set_whole_added_or_removed(admin, staff_as):
    staff_as("trainer", code="TR1")
    assert admin.staff.set_roles("TR1", roles="mentor, committee_member").roles == {Role.MENTOR,
                                                                                   Role.COMMITTEE_MEMBER}
    assert admin.staff.set_roles("TR1", add="trainer", remove=["mentor"]).roles == {Role.TRAINER,
                                                                                   Role.COMMITTEE_MEMBER}
    event = admin.audit.log(action="staff.roles")[0]
    assert event.before["roles"] == ["committee_member", "mentor"]
    assert event.after["roles"] == ["committee_member", "trainer"]


def test_the_list_shows_active_staff_unless_asked(admin, staff_as):
    staff_as("trainer", code="TR1")
    staff_as("mentor", code="MN1")
    admin.staff.deactivate("MN1", "left")
    assert [m.code for m in admin.staff.list()] == ["ADM", "TR1"]
    assert [m.code for m in admin.staff.list(active=False)] == ["MN1"]
    assert [m.code for m in admin.staff.list(active=None)] == ["ADM", "MN1", "TR1"]
    assert [m.code for m in admin.staff.list(role="mentor", active=None)] == ["MN1"]


# --- open work ------------------------------------------------------------------------------


class Lockers:
    """A test plugin: each staff member whose code starts with MN holds a locker key."""

    asked: list

    def __init__(self):
        self.asked = []

    @hookimpl
    def staff_open_work(self, conn, staff, today):
        self.asked.append((staff.code, staff.active, staff.centre, today.isoformat()))
        assert conn.execute(sa.select(sa.func.count()).select_from(t.staff)).scalar_one() > 0
        if staff.code.startswith("MN"):
            return [OpenWork("locker", "L-7", "the key of locker 7", "give the key to the centre's admin")]
        return []


def test_plugins_answer_what_a_member_still_holds(programme_with):
    lockers = Lockers()
    ctx = set_up(programme_with(("lockers", lockers)))
    ctx.staff.add("MN1", "Mentor One", ["mentor"], "DSH")
    assert ctx.staff.open_work("mn1") == [OpenWork("locker", "L-7", "the key of locker 7",
                                                   "give the key to the centre's admin")]
    change = ctx.staff.deactivate("MN1", "left")
    assert [item.key for item in change.open_work] == ["L-7"]
    change = ctx.staff.move("MN1", centre="KHJ")
    assert [item.kind for item in change.open_work] == ["locker"]
    assert lockers.asked == [("MN1", True, "DSH", "2026-11-23"), ("MN1", False, "DSH", "2026-11-23"),
                             ("MN1", False, "KHJ", "2026-11-23")]  # as the member is after the change


def test_an_answer_that_is_not_open_work_names_the_plugin(programme_with):
    class Sloppy:
        @hookimpl
        def staff_open_work(self, conn, staff, today):
            return [("locker", "L-7", "a tuple")]

    ctx = set_up(programme_with(("sloppy", Sloppy())))
    with pytest.raises(PluginError, match="plugin 'sloppy': staff_open_work answered .* not an OpenWork"):
        ctx.staff.open_work("ADM")


def test_the_core_lists_referrals_the_member_opened_that_are_still_open(programme, admin, staff_as):
    worker = staff_as("case_worker", code="CW1")
    person = worker.participants.register(**PERSON)
    worker.participants.record_consent(person.code)
    legal = worker.referrals.add(person.code, "legal", "Legal aid centre", "passport")
    done = worker.referrals.add(person.code, "documents", "Passport office", "ID card")
    worker.referrals.update(done.id, "accepted")
    worker.referrals.update(done.id, "done")
    accepted = worker.referrals.add(person.code, "employment", "Job centre", "work")
    worker.referrals.update(accepted.id, "accepted")
    admin.referrals.add(person.code, "psychological", "Dr. Sharipova", "sleep")  # ADM's, not CW1's
    work = admin.staff.open_work("CW1")
    assert [(w.kind, w.key) for w in work] == [("referral", str(legal.id)), ("referral", str(accepted.id))]
    assert work[0].description == "legal referral of DSH-2026-0001 to Legal aid centre, opened 2026-11-23, open"
    assert work[0].reassign == f"a colleague follows it up: reentry referrals update {legal.id} --status …"
    assert [w.key for w in admin.staff.open_work("ADM")] == ["4"]


# --- the command line -------------------------------------------------------------------------


def refused(result, exit_code: int, *words: str) -> str:
    assert result.exit_code == exit_code, (result.exit_code, result.output)
    errors = [line for line in result.stderr.splitlines() if line.startswith(("Error:", "Usage:"))]
    assert result.stdout == "" and "Traceback" not in result.output
    assert [line for line in result.stderr.splitlines() if line.startswith("Error:")], result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    return errors[-1]


@pytest.fixture
def mentor_with_referral(programme, admin, staff_as):
    mentor = staff_as("mentor", code="MN1")
    person = admin.participants.register(**PERSON)
    admin.participants.record_consent(person.code)
    mentor.referrals.add(person.code, "employment", "Job centre", "needs work")
    return programme


def test_deactivate_says_what_is_still_held_in_one_line(run_cli, mentor_with_referral):
    result = run_cli("--as", "ADM", "staff", "deactivate", "MN1", "--reason", "left the programme")
    assert result.exit_code == 0, result.output
    assert result.stdout == "MN1 is deactivated; still holds: referral 1 — hand it over: reentry staff work MN1\n"
    work = run_cli("--as", "ADM", "--format", "json", "staff", "work", "MN1")
    assert json.loads(work.stdout) == [{
        "kind": "referral", "key": "1",
        "description": "employment referral of DSH-2026-0001 to Job centre, opened 2026-11-23, open",
        "reassign": "a colleague follows it up: reentry referrals update 1 --status …"}]
    again = run_cli("--as", "ADM", "staff", "reactivate", "MN1")
    assert again.stdout == "MN1 is active again.\n"


def test_deactivate_as_json_gives_the_member_and_their_work(run_cli, admin, staff_as):
    staff_as("trainer", code="TR1")
    result = run_cli("--as", "ADM", "--format", "json", "staff", "deactivate", "TR1", "--reason", "left")
    record = json.loads(result.stdout)
    assert record == {"code": "TR1", "full_name": "Staff Member", "roles": ["trainer"], "centre": "DSH",
                      "active": False, "open_work": []}
    assert run_cli("--as", "ADM", "staff", "work", "TR1").stdout == "TR1 holds no open work.\n"


@pytest.mark.parametrize("how", ["--as", "REENTRY_USER"])
def test_a_deactivated_member_is_refused_at_every_door(run_cli, admin, staff_as, monkeypatch, how):
    staff_as("case_worker", code="CW1")
    admin.staff.deactivate("CW1", "left")
    if how == "--as":
        result = run_cli("--as", "cw1", "participants", "list")
    else:
        monkeypatch.setenv("REENTRY_USER", "cw1")
        result = run_cli("participants", "list")
    line = refused(result, 3, "staff member CW1 is deactivated; an admin can reactivate them: "
                              "reentry --as ADMIN staff reactivate CW1")
    assert line.startswith("Error:")


def test_move_and_list(run_cli, mentor_with_referral, staff_as):
    staff_as("trainer", code="TR1")
    moved = run_cli("--as", "ADM", "staff", "move", "TR1", "--centre", "KHJ")
    assert moved.stdout == "TR1 now works at KHJ.\n"
    moved = run_cli("--as", "ADM", "staff", "move", "MN1", "--head-office")
    assert moved.stdout == ("MN1 now works at head office; still holds: referral 1 — hand it over: "
                            "reentry staff work MN1\n")
    run_cli("--as", "ADM", "staff", "deactivate", "TR1", "--reason", "left")
    codes = lambda *args: [r["code"] for r in json.loads(run_cli("--as", "ADM", "--format", "json", "staff", "list",
                                                                 *args).stdout)]  # noqa: E731
    assert codes() == ["ADM", "MN1"]
    assert codes("--inactive") == ["TR1"]
    assert codes("--all") == ["ADM", "MN1", "TR1"]
    assert codes("--all", "--centre", "KHJ") == ["TR1"]


@pytest.mark.parametrize("args, exit_code, words", [
    (["staff", "list", "--inactive", "--all"], 2, ["--inactive and --all cannot go together"]),
    (["staff", "move", "TR1"], 2, ["say where they move: --centre CODE or --head-office"]),
    (["staff", "move", "TR1", "--centre", "KHJ", "--head-office"], 2, ["say where they move"]),
    (["staff", "roles", "TR1", "--set", "mentor", "--add", "trainer"], 2, ["--set gives exactly the roles named"]),
    (["staff", "deactivate", "TR1"], 2, ["Missing option '--reason'"]),
    (["staff", "deactivate", "ADM", "--reason", "x"], 8, ["ADM is the last admin"]),
    (["staff", "move", "TR1", "--centre", "XYZ"], 7, ["centre 'XYZ' does not exist"]),
])
def test_command_line_refusals(run_cli, programme, admin, staff_as, args, exit_code, words):
    staff_as("trainer", code="TR1")
    before = audit_count(programme)
    refused(run_cli("--as", "ADM", *args), exit_code, *words)
    assert audit_count(programme) == before


def test_a_non_admin_is_refused_each_lifecycle_command(run_cli, programme, admin, staff_as):
    staff_as("trainer", code="TR1")
    staff_as("case_worker", code="CW1")
    for args in (["deactivate", "TR1", "--reason", "x"], ["reactivate", "TR1"], ["move", "TR1", "--centre", "KHJ"],
                 ["roles", "TR1", "--set", "mentor"], ["work", "TR1"]):
        refused(run_cli("--as", "CW1", "staff", *args), 3, "CW1 (case_worker) may not add, deactivate and move staff")


def test_roles_set_through_the_command_line(run_cli, admin, staff_as):
    staff_as("trainer", code="TR1")
    result = run_cli("--as", "ADM", "staff", "roles", "TR1", "--set", "mentor,committee_member")
    assert result.stdout == "TR1 now has the roles committee_member, mentor.\n"
