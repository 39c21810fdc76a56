"""Mentor profiles, mentee profiles, suggestions and assignment, through the Python API."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from reentry_core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reentry_mentoring import tables as t
from tests.integration.mentoring_support import (  # noqa: F401  (fixtures)
    add_mentor, clock, grants, grants_pm, programme, register,
)


def count(prog, table) -> int:
    with prog.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


@pytest.fixture
def desk(admin):
    """Three mentors and a participant who asked for a woman mentor, speaks Tajik, sews."""
    add_mentor(admin, "MN1", "Фарида Каримова", "female", capacity=2, languages="tg,ru", sectors="sewing,cooking")
    add_mentor(admin, "MN2", "Раҳим Назаров", "male", capacity=5, languages="tg", sectors="sewing")
    add_mentor(admin, "MN3", "Нилуфар Юсупова", "female", capacity=4, languages="ru,uz", sectors="car repair",
               centre="KHJ")
    code = register(admin, "Мадина Сафарова", "female")
    admin.mentoring.set_mentee(code, languages="tg", sector="Sewing", same_sex_mentor=True)
    return code


def test_a_mentor_profile_is_kept_and_changed_field_by_field(admin):
    profile = add_mentor(admin, "MN1", "Фарида Каримова", "female", capacity=5, languages="Tajik, ru",
                         sectors="Car-repair, sewing")
    assert profile.centre == "DSH" and profile.full_name == "Фарида Каримова"
    assert {lang.value for lang in profile.languages} == {"tg", "ru"}
    assert profile.sectors == {"car_repair", "sewing"}
    changed = admin.mentoring.set_profile("mn1", capacity=6)
    assert changed.capacity == 6 and changed.sectors == profile.sectors
    assert admin.mentoring.set_profile("MN1", sectors="").sectors == frozenset()
    assert admin.mentoring.profile("MN1").capacity == 6
    actions = [e.action for e in admin.audit.log(action="mentoring.profile")]
    assert len(actions) == 3


@pytest.mark.parametrize("changes, message", [
    ({"sex": "female", "capacity": 3}, "MN1 has no mentor profile yet; give languages"),
    ({"sex": "female", "capacity": 3, "languages": "tg,xx"}, "languages: 'xx' is not one of tg, ru, uz, en, ky, fa"),
    ({"sex": "female", "capacity": -1, "languages": "tg"}, "capacity: -1 is not between 0 and 100"),
    ({"sex": "female", "capacity": 3, "languages": "tg", "centre": "ZZZ"}, "centre 'ZZZ' does not exist"),
    ({"sex": "female", "capacity": 3, "languages": "tg", "sectors": "sewing,!!"}, "sector '!!'"),
])
def test_a_bad_mentor_profile_is_refused_and_nothing_is_written(admin, programme, changes, message):
    admin.staff.add("MN1", "Фарида Каримова", ["mentor"], "DSH")
    with pytest.raises((InvalidInput, NotFound)) as err:
        admin.mentoring.set_profile("MN1", **changes)
    assert message in err.value.message and "\n" not in err.value.message
    assert count(programme, t.mentor) == 0


def test_only_a_staff_member_with_the_mentor_role_gets_a_profile(admin):
    admin.staff.add("CW1", "Зарина Назарова", ["case_worker"], "DSH")
    with pytest.raises(Conflict, match=r"CW1 \(case_worker\) is not a mentor; give them the role first: "
                                       r"reentry staff roles CW1 --add mentor"):
        admin.mentoring.set_profile("CW1", sex="female", capacity=3, languages="tg")


def test_a_mentor_without_a_centre_must_be_given_one(admin):
    admin.staff.add("MN9", "Head Office Mentor", ["mentor"])
    with pytest.raises(InvalidInput, match="centre: MN9 works at no centre; say which"):
        admin.mentoring.set_profile("MN9", sex="male", capacity=3, languages="ru")
    assert admin.mentoring.set_profile("MN9", sex="male", capacity=3, languages="ru", centre="khj").centre == "KHJ"


def test_the_mentee_profile_is_recorded_and_cleared(admin):
    code = register(admin, "Мадина Сафарова", "female")
    assert admin.mentoring.mentee(code).sector is None
    profile = admin.mentoring.set_mentee(code, languages="tg,uz", sector="car repair", same_sex_mentor="yes")
    assert profile.sector == "car_repair" and profile.same_sex_mentor is True
    cleared = admin.mentoring.set_mentee(code, same_sex_mentor="", sector="")
    assert cleared.sector is None and cleared.same_sex_mentor is None and len(cleared.languages) == 2


def test_suggestions_are_ranked_by_the_documented_score_with_reasons(admin, desk):
    ranked = admin.mentoring.suggest(desk)
    assert [s.mentor for s in ranked] == ["MN1", "MN2", "MN3"]
    first, second, third = ranked
    # MN1: centre 30 + sewing 25 + tg 20 + 2/2 free 15 + woman 10
    assert first.score == 100
    assert first.reasons == ("same centre DSH (+30)", "knows sewing (+25)", "speaks tg (+20)",
                             "2 of 2 places free (+15)", "a woman, as asked (+10)")
    # MN2: a man, the participant asked for a woman
    assert second.score == 90 and "a man; the participant asked for a woman" in second.reasons
    # MN3: another centre, another sector, no common language
    assert third.score == 25
    assert "other centre KHJ" in third.reasons and "does not know sewing" in third.reasons
    assert "no common language (mentor speaks ru, uz)" in third.reasons
    assert admin.mentoring.suggest(desk, limit=1) == [first]


def test_a_full_mentor_comes_after_every_mentor_with_a_free_place(admin, desk):
    others = [register(admin, name, "female") for name in ("Гулнора Ҳасанова", "Шаҳло Раҷабова")]
    for other in others:
        admin.mentoring.assign(other, "MN1")
    ranked = admin.mentoring.suggest(desk)
    assert [s.mentor for s in ranked] == ["MN2", "MN3", "MN1"]
    assert ranked[-1].score == 85 and "no free place (2 of 2)" in ranked[-1].reasons


def test_unrecorded_preferences_are_named_not_scored(admin):
    add_mentor(admin, "MN1", "Фарида Каримова", "female")
    code = register(admin, "Ҷамшед Раҳимов", "male")
    (only,) = admin.mentoring.suggest(code)
    assert "participant's sector not recorded" in only.reasons
    assert "participant's languages not recorded" in only.reasons
    assert only.score == 30 + 15


def test_a_deactivated_mentor_or_one_without_the_role_is_not_suggested(admin, desk):
    admin.staff.set_roles("MN2", remove=["mentor"], add=["trainer"])
    assert [s.mentor for s in admin.mentoring.suggest(desk)] == ["MN1", "MN3"]


def test_one_mentor_at_a_time_and_a_reassignment_needs_a_reason(admin, desk, programme):
    first = admin.mentoring.assign(desk, "MN1", on="2026-06-01")
    assert first.previous is None and first.assignment.mentor == "MN1"
    with pytest.raises(Conflict, match=r"MN1 already mentors DSH-2026-0001 \(since 2026-06-01\)"):
        admin.mentoring.assign(desk, "MN1")
    with pytest.raises(InvalidInput, match=r"DSH-2026-0001 already has a mentor, MN1 \(since 2026-06-01\); "
                                           r"say why they are reassigned \(reason\)"):
        admin.mentoring.assign(desk, "MN2")
    with pytest.raises(InvalidInput, match="assignment date 2026-05-01 is before MN1's assignment began"):
        admin.mentoring.assign(desk, "MN2", reason="moved", on="2026-05-01")
    second = admin.mentoring.assign(desk, "MN2", reason="MN1 moved to Khujand", on="2026-09-01")
    assert second.previous.mentor == "MN1" and second.previous.ended_on == date(2026, 9, 1)
    assert second.previous.end_reason == "MN1 moved to Khujand"
    history = admin.mentoring.assignments(desk)
    assert [(a.mentor, a.active) for a in history] == [("MN1", False), ("MN2", True)]
    assert [a.mentor for a in admin.mentoring.assignments(desk, active=True)] == ["MN2"]
    current = [s for s in admin.mentoring.suggest(desk) if s.current]
    assert [s.mentor for s in current] == ["MN2"] and current[0].reasons[0] == "already their mentor"


def test_capacity_holds_unless_an_admin_overrides_with_a_reason(admin, desk, staff_as, programme):
    case_worker = staff_as("case_worker", code="CW1")
    others = [register(admin, name, "female") for name in ("Гулнора Ҳасанова", "Шаҳло Раҷабова")]
    for other in others:
        case_worker.mentoring.assign(other, "MN1")
    with pytest.raises(Conflict, match="MN1 already follows 2 people, the capacity of their profile; an admin can "
                                       "assign anyway with --override-capacity REASON"):
        case_worker.mentoring.assign(desk, "MN1")
    with pytest.raises(PermissionDenied, match="may not assign a mentor beyond their capacity"):
        case_worker.mentoring.assign(desk, "MN1", override_capacity="only woman mentor for sewing")
    assert count(programme, t.assignment) == 2
    done = admin.mentoring.assign(desk, "MN1", override_capacity="only woman mentor for sewing")
    assert done.assignment.capacity_override == "only woman mentor for sewing"


def test_assigning_a_staff_member_without_the_mentor_role_is_refused(admin, desk, programme):
    admin.staff.add("CW1", "Зарина Назарова", ["case_worker"], "DSH")
    with pytest.raises(Conflict, match=r"CW1 \(case_worker\) is not a mentor"):
        admin.mentoring.assign(desk, "CW1")
    admin.staff.add("MN4", "Без Профиля", ["mentor"], "DSH")
    with pytest.raises(Conflict, match="MN4 has no mentor profile yet"):
        admin.mentoring.assign(desk, "MN4")
    assert count(programme, t.assignment) == 0


@pytest.mark.parametrize("on, message", [("2026-12-01", "assignment date 2026-12-01 is in the future"),
                                         ("2025-12-31", "assignment date 2025-12-31 is before DSH-2026-0001's "
                                                        "registration (2026-01-15)"),
                                         ("31.02.2026", "'31.02.2026' is not a date")])
def test_an_assignment_date_must_be_real_and_possible(admin, desk, on, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        admin.mentoring.assign(desk, "MN1", on=on)


def test_unassign_ends_the_assignment_with_a_reason(admin, desk):
    admin.mentoring.assign(desk, "MN1", on="2026-06-01")
    with pytest.raises(InvalidInput, match="reason: say why the assignment ends"):
        admin.mentoring.unassign(desk, " ")
    ended = admin.mentoring.unassign(desk, "mentor on leave")
    assert ended.ended_on == date(2026, 11, 23) and ended.end_reason == "mentor on leave"
    with pytest.raises(Conflict, match="DSH-2026-0001 has no mentor to unassign"):
        admin.mentoring.unassign(desk, "again")


def test_an_exited_participant_gets_no_mentor(admin, desk):
    admin.mentoring.assign(desk, "MN1", on="2026-06-01")
    admin.participants.exit(desk, "moved_away", on="2026-10-01")
    assert admin.mentoring.assignments(desk, active=True) == []
    (ended,) = admin.mentoring.assignments(desk)
    assert ended.ended_on == date(2026, 10, 1) and ended.end_reason == "left the programme (moved_away)"
    with pytest.raises(Conflict, match="DSH-2026-0001 left the programme on 2026-10-01"):
        admin.mentoring.assign(desk, "MN2")
    with pytest.raises(Conflict, match="left the programme"):
        admin.mentoring.suggest(desk)


def test_who_may_do_what(staff_as, admin, desk):
    mentor = staff_as("mentor", code="MX1")
    me = staff_as("me_officer", code="ME1")
    with pytest.raises(PermissionDenied, match="may not set up mentor profiles"):
        mentor.mentoring.set_profile("MN1", capacity=9)
    with pytest.raises(PermissionDenied, match="may not assign mentors to participants"):
        mentor.mentoring.assign(desk, "MN1")
    assert mentor.mentoring.set_mentee(desk, languages="tg,ru").languages
    assert me.mentoring.suggest(desk)
    with pytest.raises(PermissionDenied, match="may not record a participant's languages"):
        me.mentoring.set_mentee(desk, languages="tg")
