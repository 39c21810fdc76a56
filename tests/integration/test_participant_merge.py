"""Issue 20, one person registered twice: the likely pairs found across spellings and
alphabets, and a merge that keeps one code, moves everything recorded about the other to
it, keeps the other code as an alias that still finds the person, is audited with both
records as they were, and is refused where one person cannot hold both records' things."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from reentry_core.demo import run
from reentry_core.errors import Conflict, InvalidInput, PermissionDenied
from reentry_core.hookspecs import hookimpl
from reentry_core.storage import tables as t
from reentry_core.testing import TODAY

FIRST = TODAY.replace(day=1)


def register(ctx, name, born="1985-03-12", centre="DSH", **more):
    return ctx.participants.register(full_name=name, sex="male", birth_date=born, centre=centre,
                                     registered_on=more.pop("registered_on", FIRST), **more).code


def merge_event(programme):
    with programme.engine.connect() as conn:
        row = conn.execute(sa.select(t.audit_event).where(t.audit_event.c.action == "participant.merge")
                           .order_by(t.audit_event.c.seq.desc())).first()
    return row.actor, row.entity_key, json.loads(row.before), json.loads(row.after)


def test_likely_duplicates_are_found_across_alphabets_word_order_and_phone(admin, case_worker):
    rahimov = register(case_worker, "Ҷамшед Раҳимов", phone="+992 93 555 0101")
    latin = register(case_worker, "Rakhimov Jamshed")  # the other order, in Latin letters
    longer = register(case_worker, "Jamshed Rahimov Karimovich", born="1986-01-01", phone="93 555 01 01")
    register(case_worker, "Ҷамшед Раҳимов", born="1990-07-07")  # a namesake, born another day: not listed
    register(case_worker, "Али Валиев", phone="+992 93 555 0101")  # shares a phone only: not listed
    pairs = {(p.first, p.second): p.reasons for p in case_worker.participants.duplicates()}
    assert pairs[(rahimov, latin)] == ("the same name (spelled alike)", "the same birth date")
    assert pairs[(rahimov, longer)] == ("the same name, one with more words", "the same phone")
    assert len(pairs) == 2


def test_a_knowing_second_registration_of_a_namesake_is_not_listed_again(case_worker):
    register(case_worker, "Али Валиев")
    case_worker.participants.register(full_name="Али Валиев", sex="male", birth_date="1985-03-12", centre="DSH",
                                      allow_same_name=True)
    assert case_worker.participants.duplicates() == []


def test_a_merge_keeps_one_code_moves_consent_and_referrals_and_the_other_code_still_finds_them(
        programme, admin, case_worker):
    keep = register(case_worker, "Ҷамшед Раҳимов", registered_on=TODAY)
    gone = register(case_worker, "Rakhimov Jamshed", phone="+992935550101", facility="Yavan 3/6")
    case_worker.participants.record_consent(gone, given_on=FIRST, scope="programme,referrals")
    case_worker.participants.record_consent(keep, given_on=TODAY, scope="programme,referrals")
    referral = case_worker.referrals.add(gone, "legal", "Legal aid centre, Dushanbe", "passport", opened_on=FIRST)
    merged = case_worker.participants.merge(keep, gone, "registered twice: same passport")
    assert (merged.kept.code, merged.merged, merged.moved) == (keep, gone, {"consent": 1, "referral": 1})
    kept = case_worker.participants.get(gone)  # the alias finds the person kept
    assert (kept.code, kept.phone, kept.facility, kept.registered_on) == (keep, "+992935550101", "Yavan 3/6", FIRST)
    assert [r.id for r in case_worker.referrals.list(participant=gone)] == [referral.id]
    history = case_worker.participants.consents(keep)
    assert [(c.given_on, c.withdrawn_on) for c in history] == [(FIRST, TODAY), (TODAY, None)]
    assert [p.code for p in case_worker.participants.list(search="rahimov")] == [keep]
    actor, key, before, after = merge_event(programme)
    assert (actor, key, after["merged"], after["correction"]) == ("CW1", keep, gone, "registered twice: same passport")
    assert (before["kept"]["code"], before["merged"]["code"], before["merged"]["facility"]) == (keep, gone, "Yavan 3/6")
    assert admin.audit.verify().ok


def test_a_merge_says_why_and_names_two_records_one_can_see(admin, case_worker, staff_as):
    one, two = register(case_worker, "Ҷамшед Раҳимов"), register(case_worker, "Rakhimov Jamshed")
    with pytest.raises(InvalidInput, match="reason: say why the two records are one person"):
        case_worker.participants.merge(one, two, " ")
    with pytest.raises(InvalidInput, match="are the same record"):
        case_worker.participants.merge(one, one.lower(), "typo")
    with pytest.raises(PermissionDenied):
        staff_as("trainer").participants.merge(one, two, "same")
    elsewhere = register(admin, "Jamshed Rahimov", centre="KHJ")
    with pytest.raises(PermissionDenied):  # a Dushanbe case worker does not see Khujand's people
        case_worker.participants.merge(one, elsewhere, "same")
    khj = staff_as("case_worker", code="KHJ-CW", centre="KHJ")
    assert khj.participants.duplicates() == []
    merged = admin.participants.merge(one, elsewhere, "registered in Khujand too")  # an admin may
    assert merged.kept.centre == "DSH" and admin.audit.verify().ok


def test_a_person_who_left_is_not_kept_over_a_record_still_in_the_programme(case_worker, admin):
    left, active = register(case_worker, "Ҷамшед Раҳимов"), register(case_worker, "Rakhimov Jamshed")
    case_worker.participants.exit(left, "moved_away", on=TODAY)
    with pytest.raises(Conflict, match=f"{left} has left the programme and {active} has not"):
        case_worker.participants.merge(left, active, "same")
    case_worker.participants.merge(active, left, "same")
    assert admin.audit.verify().ok


def test_merged_twice_the_first_code_still_finds_the_person_and_the_trail_verifies(case_worker, admin):
    a, b, c = (register(case_worker, name) for name in ("Ҷамшед Раҳимов", "Rakhimov Jamshed", "Рахимов Джамшед Каримович"))
    case_worker.participants.record_consent(a, given_on=FIRST, scope="programme,referrals")
    case_worker.referrals.add(a, "legal", "Legal aid", "passport", opened_on=FIRST)
    case_worker.participants.merge(b, a, "same person")
    case_worker.participants.merge(c, b, "same person again")
    assert case_worker.participants.get(a).code == c
    assert admin.audit.verify().ok


def test_an_erased_person_s_merged_record_is_erased_with_them(programme, admin, case_worker):
    keep, gone = register(case_worker, "Ҷамшед Раҳимов"), register(case_worker, "Rakhimov Jamshed")
    case_worker.participants.merge(keep, gone, "same person")
    case_worker.participants.exit(keep, "moved_away", on=TODAY)
    admin.participants.erase(gone, "asked on the day")  # by the old code too
    with programme.engine.connect() as conn:
        texts = [row.after or "" for row in conn.execute(sa.select(t.audit_event.c.after))]
    assert not any("Rakhimov" in text for text in texts)
    assert admin.audit.verify().ok


# --- with every plugin's records: the small demo ---------------------------------------------------

GRANTED = sa.text(
    "SELECT p.code, c.code AS centre FROM participant p JOIN centre c ON c.id = p.centre_id "
    "WHERE EXISTS (SELECT 1 FROM mg_application a WHERE a.participant_id = p.id AND a.approved_on IS NOT NULL) "
    "AND EXISTS (SELECT 1 FROM mn_visit v WHERE v.participant_id = p.id) "
    "AND EXISTS (SELECT 1 FROM bp_enrolment e WHERE e.participant_id = p.id) ORDER BY p.code LIMIT 1")


def counts(programme, code):
    with programme.engine.connect() as conn:
        return {table: conn.execute(sa.text(
            f"SELECT count(*) FROM {table} x JOIN participant p ON p.id = x.participant_id WHERE p.code = :c"),
            {"c": code}).scalar_one() for table in ("mg_application", "mn_visit", "bp_enrolment", "bp_plan")}


@pytest.fixture
def demo(programme):
    return run(programme, "small", seed=3)


def test_a_merge_moves_plans_applications_and_visits_and_the_trail_still_verifies(programme, demo):
    with programme.engine.connect() as conn:
        person, centre = conn.execute(GRANTED).first()
    held = counts(programme, person)
    admin = demo.act_as("ADM")
    details = admin.participants.get(person)
    newer = admin.participants.register(full_name=details.full_name + " ", sex=details.sex.value,
                                        birth_date=details.birth_date, centre=centre, allow_same_name=True).code
    merged = admin.participants.merge(newer, person, "the first record is the same person")
    assert counts(programme, newer) == held and merged.moved["mn_visit"] == held["mn_visit"]
    assert admin.mentoring.visits(person)  # the old code finds the visits, now the kept record's
    assert {v.participant for v in admin.mentoring.visits(person)} == {newer}
    assert admin.audit.verify().ok


def test_one_cohort_one_mentor_one_round_a_merge_that_would_double_them_is_refused(programme, demo):
    with programme.engine.connect() as conn:
        person, centre = conn.execute(GRANTED).first()
        cohort = conn.execute(sa.text(
            "SELECT c.code FROM bp_cohort c JOIN bp_enrolment e ON e.cohort_id = c.id JOIN participant p "
            "ON p.id = e.participant_id WHERE p.code = :c"), {"c": person}).scalar()
    admin = demo.act_as("ADM")
    details = admin.participants.get(person)
    twin = admin.participants.register(full_name=details.full_name, sex=details.sex.value,
                                       birth_date=details.birth_date, centre=centre, allow_same_name=True).code
    with programme.engine.begin() as conn:  # the second record enrolled in the same cohort by mistake
        conn.execute(sa.text("INSERT INTO bp_enrolment (cohort_id, participant_id, enrolled_on) SELECT c.id, p.id, "
                             ":d FROM bp_cohort c, participant p WHERE c.code = :cohort AND p.code = :p"),
                     {"cohort": cohort, "p": twin, "d": TODAY})
    with pytest.raises(Conflict, match=f"{person} and {twin} are both in cohort {cohort}"):
        admin.participants.merge(person, twin, "same person")
    assert admin.participants.get(twin).code == twin  # nothing was merged


# --- a registration made at the wrong centre ---------------------------------------------------------


def test_a_registration_at_the_wrong_centre_gets_the_right_centre_s_code_and_the_old_one_still_finds_them(
        programme, admin, case_worker, staff_as):
    wrong = register(case_worker, "Фирӯза Қодирова")
    case_worker.participants.record_consent(wrong, given_on=FIRST, scope="programme,referrals")
    referral = case_worker.referrals.add(wrong, "legal", "Legal aid centre, Khujand", "passport", opened_on=FIRST)
    with pytest.raises(InvalidInput, match="reason: say why the registration belongs to another centre"):
        case_worker.participants.correct_centre(wrong, "KHJ", "")
    with pytest.raises(Conflict, match=f"{wrong} is already at DSH"):
        case_worker.participants.correct_centre(wrong, "dsh", "typo")
    right = case_worker.participants.correct_centre(wrong, "khj", "registered at the wrong desk")
    assert (right.code, right.centre) == ("KHJ-2026-0001", "KHJ")
    khujand = staff_as("case_worker", code="KHJ-CW", centre="KHJ")
    assert khujand.participants.get(wrong).code == "KHJ-2026-0001"  # the old code finds them
    assert [r.id for r in khujand.referrals.list(participant=right.code)] == [referral.id]
    assert khujand.participants.current_consent(right.code) is not None
    with pytest.raises(PermissionDenied):
        case_worker.participants.get(wrong)  # Dushanbe no longer sees them
    with programme.engine.connect() as conn:
        after = json.loads(conn.execute(sa.select(t.audit_event.c.after).where(
            t.audit_event.c.action == "participant.recentre")).scalar_one())
    assert (after["was"], after["code"], after["correction"]) == (wrong, "KHJ-2026-0001", "registered at the wrong desk")
    assert admin.audit.verify().ok


# --- a plugin's say in a merge --------------------------------------------------------------------


class Lockers:
    """A plugin whose people hold one locker each: it refuses to merge two holders, and
    otherwise says what it did (recorded in the merge's audit event under its name)."""

    def __init__(self, holders=()):
        self.holders = set(holders)

    @hookimpl
    def participant_merging(self, tx, keep, duplicate):
        if {keep.code, duplicate.code} <= self.holders:
            raise Conflict(f"{keep.code} and {duplicate.code} both hold a locker: empty one first")
        return {"lockers_checked": 2}


def test_a_plugin_refuses_a_merge_or_says_what_it_did(programme_with):
    from reentry_core.testing import set_up

    plugin = Lockers()
    prog = programme_with(("lockers", plugin))
    admin = set_up(prog)
    one, two, three = (register(admin, name) for name in ("Ҷамшед Раҳимов", "Rakhimov Jamshed", "Jamshed Rahimov K"))
    plugin.holders = {one, two}
    with pytest.raises(Conflict, match="both hold a locker"):
        admin.participants.merge(one, two, "same person")
    assert admin.participants.get(two).code == two  # nothing was merged
    admin.participants.merge(one, three, "same person")
    actor, key, _before, after = merge_event(prog)
    assert (key, after["plugins"]) == (one, {"lockers": {"lockers_checked": 2}})
