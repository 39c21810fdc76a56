"""Who may do what: roles, sensitive fields, bootstrap of the first admin, acting as someone."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from reentry_core.domain import SENSITIVE_FIELDS, Role
from reentry_core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PluginError
from reentry_core.permissions import PermissionRegistry
from reentry_core.storage import tables as t

PERSON = {"full_name": "Ҷамшед Раҳимов", "sex": "male", "birth_date": "1985-03-12", "centre": "DSH",
          "release_date": "2026-09-30", "facility": "Yavan 3/6", "offence_category": "property",
          "phone": "+992 93 123 4567"}


def count(programme, table) -> int:
    with programme.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


@pytest.fixture
def registered(case_worker):
    return case_worker.participants.register(**PERSON, registered_on="2026-10-01")


# --- the role table -----------------------------------------------------------------

NAMES = {"admin", "case_worker", "trainer", "committee_member", "mentor"}

EXPECTED = {
    "participants.register": {"admin", "case_worker"},
    "participants.view_sensitive": {"admin", "case_worker"},
    "participants.exit": {"admin", "case_worker"},
    "consent.record": {"admin", "case_worker"},
    "referrals.manage": {"admin", "case_worker", "mentor"},
    "referrals.view": {"admin", "case_worker", "mentor", "me_officer"},
    "audit.view": {"admin", "me_officer"},
    "reports.view": {"admin", "me_officer"},
    "reports.unsuppressed": {"admin"},
    "staff.manage": {"admin"},
    "db.backup": {"admin"},
    "db.restore": {"admin"},
    "centres.manage": {"admin"},
    "participants.view": {r.value for r in Role},
    "participants.all_centres": {"admin", "me_officer"},
    "participants.view_names": NAMES,
    "participants.view_contact": {"admin", "case_worker", "mentor"},
    "participants.transfer": {"admin", "case_worker"},
    "referrals.view_health": {"admin", "case_worker"},
    "access.view": {"admin"},
    "staff.view": {r.value for r in Role},
}


@pytest.mark.parametrize("permission", sorted(EXPECTED))
def test_core_permissions_are_held_by_exactly_these_roles(programme, permission):
    assert {r.value for r in programme.permissions.get(permission).roles} == EXPECTED[permission]
    assert programme.permissions.get(permission).plugin == "core"


def test_trainer_cannot_register_and_nothing_is_written(programme, staff_as):
    trainer = staff_as("trainer")
    before = (count(programme, t.participant), count(programme, t.audit_event))
    with pytest.raises(PermissionDenied) as err:
        trainer.participants.register(**PERSON)
    assert err.value.exit_code == 3
    assert "TR1 (trainer) may not register and update participants" in err.value.message
    assert "admin, case_worker" in err.value.message
    assert (count(programme, t.participant), count(programme, t.audit_event)) == before


def test_case_worker_can_register(case_worker):
    assert case_worker.participants.register(**PERSON).code == "DSH-2026-0001"


@pytest.mark.parametrize("role", ["trainer", "mentor", "me_officer", "committee_member", "finance_officer"])
def test_only_admin_and_case_worker_register_update_and_exit(programme, staff_as, registered, role):
    someone = staff_as(role)
    with pytest.raises(PermissionDenied):
        someone.participants.register(**{**PERSON, "full_name": "Другой Человек"})
    with pytest.raises(PermissionDenied):
        someone.participants.update(registered.code, phone="+992 93 000 0000")
    with pytest.raises(PermissionDenied):
        someone.participants.exit(registered.code, "completed")
    with pytest.raises(PermissionDenied):
        someone.participants.record_consent(registered.code)
    assert registered.phone == "+992931234567"  # unchanged, and readable by a case worker or a mentor
    assert someone.participants.get(registered.code).phone == ("+992931234567" if role == "mentor" else None)


def test_me_officer_reads_the_audit_trail_and_trainer_does_not(staff_as, registered):
    me = staff_as("me_officer")
    events = me.audit.log(key=registered.code)
    assert [e.action for e in events] == ["participant.register"]
    assert me.audit.verify().ok
    trainer = staff_as("trainer")
    with pytest.raises(PermissionDenied, match="read the audit trail"):
        trainer.audit.log()
    with pytest.raises(PermissionDenied):
        trainer.audit.verify()


def test_mentor_manages_referrals_but_me_officer_only_reads_them(staff_as, case_worker, registered):
    case_worker.participants.record_consent(registered.code, "2026-11-01", "programme,referrals")
    mentor = staff_as("mentor")
    referral = mentor.referrals.add(registered.code, "employment", "Job centre", "needs work")
    me = staff_as("me_officer")
    assert [r.id for r in me.referrals.list()] == [referral.id]
    with pytest.raises(PermissionDenied):
        me.referrals.update(referral.id, "accepted")
    with pytest.raises(PermissionDenied):
        staff_as("trainer").referrals.list()


def test_only_admin_manages_staff_and_centres(staff_as, case_worker):
    with pytest.raises(PermissionDenied):
        case_worker.staff.add("TR9", "Staff Member", ["trainer"], "DSH")
    with pytest.raises(PermissionDenied):
        case_worker.centres.add("KLB", "Kulob centre", "Kulob")
    with pytest.raises(PermissionDenied):
        case_worker.staff.set_roles("CW1", add=["admin"])  # no promoting oneself


# --- sensitive fields ---------------------------------------------------------------



@pytest.mark.parametrize("role", ["trainer", "mentor", "me_officer", "committee_member", "finance_officer"])
def test_sensitive_fields_hidden_from_roles_without_view_sensitive(staff_as, registered, role):
    someone = staff_as(role)
    shown = someone.participants.get(registered.code)
    listed = someone.participants.list()
    assert [p.code for p in listed] == [registered.code]
    for p in (shown, listed[0]):
        assert all(getattr(p, f) is None for f in SENSITIVE_FIELDS), p
        # names only for those whose work is with the person; phones for those who call them
        assert p.full_name == ("Ҷамшед Раҳимов" if role in NAMES else None)
        assert p.phone == ("+992931234567" if role == "mentor" else None)
    assert not someone.participants.sees_sensitive


@pytest.mark.parametrize("who", ["admin", "case_worker"])
def test_sensitive_fields_visible_to_admin_and_case_worker(request, registered, who):
    ctx = request.getfixturevalue(who)
    for p in (ctx.participants.get(registered.code), ctx.participants.list()[0]):
        assert p.release_date == date(2026, 9, 30)
        assert p.facility == "Yavan 3/6"
        assert p.offence_category.value == "property"


def test_list_filters_do_not_reveal_sensitive_fields(staff_as, registered):
    mentor = staff_as("mentor")
    assert all(p.facility is None for p in mentor.participants.list(centre="DSH", status="active", search="раҳим"))


# --- bootstrap and acting -----------------------------------------------------------


def test_first_admin_bootstraps_an_empty_database(programme):
    member = programme.bootstrap_admin("adm", "Нигина Каримова")
    assert member.code == "ADM" and member.roles == {Role.ADMIN}
    ctx = programme.act_as("adm")
    assert ctx.can("staff.manage")
    assert [e.action for e in ctx.audit.log()] == ["staff.bootstrap"]


def test_bootstrap_is_refused_once_anyone_exists(programme, admin):
    with pytest.raises(PermissionDenied, match="staff already exist"):
        programme.bootstrap_admin("ADM2", "Another Admin")
    assert count(programme, t.staff) == 1


def test_bootstrap_is_refused_for_a_non_admin_role(programme):
    with pytest.raises(PermissionDenied, match="must have the admin role"):
        programme.bootstrap_admin("CW1", "Case Worker", roles=("case_worker",))
    assert count(programme, t.staff) == 0 and count(programme, t.audit_event) == 0
    programme.bootstrap_admin("ADM", "Admin Person", roles=("admin", "case_worker"))  # admin plus more is fine
    assert programme.act_as("ADM").member.roles == {Role.ADMIN, Role.CASE_WORKER}


def test_acting_as_an_unknown_staff_code_is_refused(programme, admin):
    with pytest.raises(NotFound, match="'NOBODY': no such staff member"):
        programme.act_as("nobody")


@pytest.mark.parametrize("code", [None, ""])
def test_acting_with_no_code_is_refused(programme, admin, code):
    with pytest.raises(PermissionDenied, match="say who is acting"):
        programme.act_as(code)


def test_staff_code_is_matched_case_insensitively(programme, admin):
    assert programme.act_as(" adm ").code == "ADM"


def test_last_admin_cannot_lose_the_admin_role(programme, admin):
    with pytest.raises(Conflict, match="ADM is the last admin"):
        admin.staff.set_roles("ADM", add=["case_worker"], remove=["admin"])
    assert programme.act_as("ADM").member.roles == {Role.ADMIN}


def test_an_admin_steps_down_by_another_admin_once_there_is_another(programme, admin):
    admin.staff.add("ADM2", "Second Admin", ["admin"])
    with pytest.raises(PermissionDenied, match="ADM cannot take away their own admin role; another admin can"):
        admin.staff.set_roles("ADM", add=["case_worker"], remove=["admin"])
    after = programme.act_as("ADM2").staff.set_roles("ADM", add=["case_worker"], remove=["admin"])
    assert after.roles == {Role.CASE_WORKER}
    assert not programme.act_as("ADM").can("staff.manage")
    with pytest.raises(Conflict, match="ADM2 is the last admin"):
        programme.act_as("ADM2").staff.set_roles("ADM2", add=["mentor"], remove=["admin"])


def test_roles_cannot_all_be_removed(admin, staff_as):
    staff_as("trainer")
    with pytest.raises(InvalidInput, match="TR1 would have no role left"):
        admin.staff.set_roles("TR1", remove=["trainer"])


def test_role_change_takes_effect_on_the_next_act_as(programme, admin, staff_as):
    staff_as("trainer")
    admin.staff.set_roles("TR1", add=["case_worker"])
    assert programme.act_as("TR1").participants.register(**PERSON).code == "DSH-2026-0001"


# --- the registry -------------------------------------------------------------------


def test_registry_refuses_a_permission_declared_twice():
    registry = PermissionRegistry()
    registry.register("x.do", "do x", ["admin"], plugin="one")
    with pytest.raises(PluginError, match="'x.do' is declared twice \\(by one and two\\)"):
        registry.register("x.do", "do x again", ["trainer"], plugin="two")


def test_checking_an_undeclared_permission_is_an_error(admin):
    with pytest.raises(PluginError, match="never declared"):
        admin.require("participants.delete")
