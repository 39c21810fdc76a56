"""Participants through the service layer: codes, duplicates, updates, exit, consent."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reentry_core.domain import ConsentScope, ExitReason, ParticipantStatus
from reentry_core.errors import Conflict, InvalidInput, NotFound
from reentry_core.storage import tables as t

PERSON = {"full_name": "Ҷамшед Раҳимов", "sex": "male", "birth_date": "1985-03-12", "centre": "DSH"}


def count(programme, table) -> int:
    with programme.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def audit_actions(admin, key):
    return [e.action for e in reversed(admin.audit.log(key=key))]


# --- codes --------------------------------------------------------------------------


def test_codes_count_per_centre(admin):
    codes = [
        admin.participants.register(full_name=name, sex=sex, birth_date="1990-01-01", centre=centre).code
        for name, sex, centre in [("Али Валиев", "m", "DSH"), ("Зарина Назарова", "ж", "KHJ"),
                                  ("Фирӯз Каримов", "м", "dsh"), ("Мадина Шарипова", "F", "KHJ")]
    ]
    assert codes == ["DSH-2026-0001", "KHJ-2026-0001", "DSH-2026-0002", "KHJ-2026-0002"]


def test_codes_count_per_registration_year(case_worker):
    p = case_worker.participants
    assert p.register(**PERSON, registered_on="2025-05-01").code == "DSH-2025-0001"
    assert p.register(**{**PERSON, "full_name": "Али Валиев"}).code == "DSH-2026-0001"
    assert p.register(**{**PERSON, "full_name": "Фирӯз Каримов"}, registered_on="01.12.2025").code == "DSH-2025-0002"
    assert p.get("DSH-2025-0001").registered_on == date(2025, 5, 1)
    assert p.get("dsh-2026-0001").registered_on == date(2026, 11, 23)  # today by default


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["DSH", "KHJ"]), st.sampled_from([2024, 2025, 2026])),
                min_size=1, max_size=4))
def test_each_code_is_the_next_number_of_its_centre_and_year(admin, registrations):
    for centre, year in registrations:
        existing = [p.code for p in admin.participants.list(centre=centre) if p.registered_on.year == year]
        expected = f"{centre}-{year}-{len(existing) + 1:04d}"
        got = admin.participants.register(**{**PERSON, "centre": centre}, registered_on=f"{year}-03-01",
                                                allow_same_name=True)
        assert got.code == expected
        assert re.fullmatch(r"[A-Z]{2,6}-\d{4}-\d{4}", got.code)


def test_a_code_cannot_be_chosen(case_worker):
    with pytest.raises(InvalidInput, match="code"):
        case_worker.participants.register(**PERSON, code="DSH-2026-0500")


def test_unknown_centre_is_refused_naming_the_known_ones(case_worker):
    with pytest.raises(NotFound, match=r"centre 'XYZ' does not exist \(known: DSH, KHJ\)"):
        case_worker.participants.register(**{**PERSON, "centre": "XYZ"})


def test_registration_stores_normalised_values(case_worker):
    p = case_worker.participants.register(
        full_name="  " + unicodedata.normalize("NFD", "Ӯлмас   Ӣсоев") + " ", sex="М", birth_date="12.03.1985",
        centre="dsh", phone="+992 (93) 123-45-67")
    stored = case_worker.participants.get(p.code)
    assert stored.full_name == "Ӯлмас Ӣсоев"
    assert stored.sex.value == "male" and stored.centre == "DSH" and stored.phone == "+992931234567"
    assert stored.birth_date == date(1985, 3, 12) and stored.status is ParticipantStatus.ACTIVE


@pytest.mark.parametrize("changes, message", [
    ({"birth_date": "2027-01-01"}, "birth_date 2027-01-01 is in the future"),
    ({"birth_date": "2015-01-01"}, "younger than 14"),
    ({"release_date": "1980-01-01"}, "release_date 1980-01-01 is before birth_date 1985-03-12"),
    ({"registered_on": "2026-12-01"}, "registered_on 2026-12-01 is in the future"),
])
def test_date_rules_are_applied_on_registration(programme, case_worker, changes, message):
    with pytest.raises(InvalidInput, match=message):
        case_worker.participants.register(**{**PERSON, **changes})
    assert count(programme, t.participant) == 0


# --- duplicates ---------------------------------------------------------------------


def test_same_name_and_birth_date_at_the_same_centre_is_refused(programme, case_worker):
    case_worker.participants.register(**PERSON)
    for spelling in ["Ҷамшед Раҳимов", "ҷамшед раҳимов", " ҶАМШЕД  РАҲИМОВ "]:
        with pytest.raises(Conflict) as err:
            case_worker.participants.register(**{**PERSON, "full_name": spelling})
        assert "already registered at DSH as DSH-2026-0001" in err.value.message
        assert "--allow-same-name" in err.value.message
    assert count(programme, t.participant) == 1


def test_same_name_elsewhere_or_born_another_day_is_not_a_duplicate(admin, case_worker):
    case_worker.participants.register(**PERSON)
    assert admin.participants.register(**{**PERSON, "centre": "KHJ"}).code == "KHJ-2026-0001"
    assert case_worker.participants.register(**{**PERSON, "birth_date": "1985-03-13"}).code == "DSH-2026-0002"


def test_allow_same_name_registers_a_second_person(case_worker):
    case_worker.participants.register(**PERSON)
    second = case_worker.participants.register(**PERSON, allow_same_name=True)
    assert second.code == "DSH-2026-0002"
    assert [p.code for p in case_worker.participants.list(search="раҳимов")] == ["DSH-2026-0001", "DSH-2026-0002"]


def test_search_ignores_case(case_worker):
    case_worker.participants.register(**PERSON)
    assert [p.code for p in case_worker.participants.list(search="РАҲИМ")] == ["DSH-2026-0001"]
    assert [p.code for p in case_worker.participants.list(search="dsh-2026")] == ["DSH-2026-0001"]
    assert case_worker.participants.list(search="Саидов") == []


# --- update -------------------------------------------------------------------------


def test_changing_the_name_renormalises_it_and_moves_the_duplicate_key(admin, case_worker):
    p = case_worker.participants.register(**PERSON)
    decomposed = unicodedata.normalize("NFD", "  Ҷамшед   Ӯлмасов ")
    after = case_worker.participants.update(p.code, full_name=decomposed)
    assert after.full_name == "Ҷамшед Ӯлмасов"
    assert case_worker.participants.get(p.code).full_name == "Ҷамшед Ӯлмасов"
    # duplicates are now found under the new name, not the old one
    with pytest.raises(Conflict, match="DSH-2026-0001"):
        case_worker.participants.register(**{**PERSON, "full_name": "ҷамшед ӯлмасов"})
    assert case_worker.participants.register(**PERSON).code == "DSH-2026-0002"
    assert audit_actions(admin, p.code) == ["participant.register", "participant.update"]


def test_a_bad_new_name_is_refused(case_worker):
    p = case_worker.participants.register(**PERSON)
    with pytest.raises(InvalidInput, match="full_name"):
        case_worker.participants.update(p.code, full_name="R2-D2")
    assert case_worker.participants.get(p.code).full_name == "Ҷамшед Раҳимов"


def test_case_worker_clears_the_phone_with_an_empty_value(admin, case_worker):
    p = case_worker.participants.register(**PERSON, phone="+992 93 123 4567", facility="Yavan 3/6")
    after = case_worker.participants.update(p.code, phone="")
    assert after.phone is None
    stored = case_worker.participants.get(p.code)
    assert stored.phone is None and stored.facility == "Yavan 3/6"  # None leaves other fields alone
    event = admin.audit.log(key=p.code, action="participant.update")[0]
    assert event.before["phone"] == "+992931234567" and event.after["phone"] is None


def test_update_with_nothing_new_writes_no_audit_event(admin, case_worker):
    p = case_worker.participants.register(**PERSON)
    case_worker.participants.update(p.code, full_name="  Ҷамшед  Раҳимов", phone=None)
    assert audit_actions(admin, p.code) == ["participant.register"]


def test_fixed_fields_cannot_be_updated(case_worker):
    p = case_worker.participants.register(**PERSON)
    for field, value in [("centre", "KHJ"), ("registered_on", "2026-01-01"), ("status", "exited"),
                         ("exit_reason", "completed")]:
        with pytest.raises(InvalidInput, match=f"cannot change {field}"):
            case_worker.participants.update(p.code, **{field: value})
    stored = case_worker.participants.get(p.code)
    assert (stored.centre, stored.registered_on, stored.status.value) == ("DSH", date(2026, 11, 23), "active")


def test_update_applies_the_date_rules(case_worker):
    p = case_worker.participants.register(**PERSON)
    with pytest.raises(InvalidInput, match="DSH-2026-0001: birth_date 2030-01-01 is in the future"):
        case_worker.participants.update(p.code, birth_date="2030-01-01")
    with pytest.raises(InvalidInput, match="release_date"):
        case_worker.participants.update(p.code, release_date="01.01.1970")


def test_unknown_participant(case_worker):
    with pytest.raises(NotFound, match="participant 'DSH-2026-0042' does not exist"):
        case_worker.participants.get("dsh-2026-0042")
    with pytest.raises(NotFound):
        case_worker.participants.update("DSH-2026-0042", phone="")


# --- exit ---------------------------------------------------------------------------


def test_exit_records_reason_and_date(admin, case_worker):
    p = case_worker.participants.register(**PERSON, registered_on="2026-01-10")
    after = case_worker.participants.exit(p.code, "moved away", "2026-10-01", note="  moved to  Khujand ")
    assert after.status is ParticipantStatus.EXITED and after.exit_reason is ExitReason.MOVED_AWAY
    assert after.exited_on == date(2026, 10, 1) and after.exit_note == "moved to Khujand"
    assert [x.code for x in case_worker.participants.list(status="exited")] == [p.code]
    assert case_worker.participants.list(status="active") == []
    assert audit_actions(admin, p.code) == ["participant.register", "participant.exit"]


def test_exit_twice_is_refused(case_worker):
    p = case_worker.participants.register(**PERSON)
    case_worker.participants.exit(p.code, "completed")
    with pytest.raises(Conflict, match="DSH-2026-0001 already left the programme on 2026-11-23"):
        case_worker.participants.exit(p.code, "withdrew")
    assert case_worker.participants.get(p.code).exit_reason is ExitReason.COMPLETED


def test_exit_in_the_future_or_before_registration_is_refused(case_worker):
    p = case_worker.participants.register(**PERSON, registered_on="2026-06-01")
    with pytest.raises(InvalidInput, match="exit date 2026-11-24 is in the future"):
        case_worker.participants.exit(p.code, "completed", "2026-11-24")
    with pytest.raises(InvalidInput, match="before registration on 2026-06-01"):
        case_worker.participants.exit(p.code, "completed", "31.05.2026")
    with pytest.raises(InvalidInput):
        case_worker.participants.exit(p.code, "bored")
    assert case_worker.participants.get(p.code).status is ParticipantStatus.ACTIVE


# --- consent ------------------------------------------------------------------------


def test_consent_record_default_scope_and_history(case_worker):
    p = case_worker.participants.register(**PERSON, registered_on="2026-10-01")
    first = case_worker.participants.record_consent(p.code, "2026-11-01")
    assert first.scope == {ConsentScope.PROGRAMME, ConsentScope.REFERRALS} and first.withdrawn_on is None
    assert case_worker.participants.current_consent(p.code) == first


def test_a_new_consent_ends_the_old_one(admin, case_worker):
    p = case_worker.participants.register(**PERSON, registered_on="2026-10-01")
    case_worker.participants.record_consent(p.code, "2026-11-01", "programme")
    second = case_worker.participants.record_consent(p.code, "2026-11-15", "programme,research")
    history = case_worker.participants.consents(p.code)
    assert [(c.given_on, c.withdrawn_on) for c in history] == [
        (date(2026, 11, 1), date(2026, 11, 15)), (date(2026, 11, 15), None)]
    assert history[1] == second
    assert case_worker.participants.current_consent(p.code).scope == {ConsentScope.PROGRAMME, ConsentScope.RESEARCH}
    assert audit_actions(admin, p.code) == ["participant.register", "consent.record", "consent.record"]


def test_withdraw_consent(admin, case_worker):
    p = case_worker.participants.register(**PERSON, registered_on="2026-10-01")
    case_worker.participants.record_consent(p.code, "2026-11-01")
    withdrawn = case_worker.participants.withdraw_consent(p.code, "2026-11-20")
    assert withdrawn.withdrawn_on == date(2026, 11, 20)
    assert case_worker.participants.current_consent(p.code) is None
    assert [c.withdrawn_on for c in case_worker.participants.consents(p.code)] == [date(2026, 11, 20)]
    with pytest.raises(Conflict, match="no consent in force to withdraw"):
        case_worker.participants.withdraw_consent(p.code)
    event = admin.audit.log(key=p.code, action="consent.withdraw")[0]
    assert event.before["withdrawn_on"] is None and event.after["withdrawn_on"] == "2026-11-20"


@pytest.mark.parametrize("on", ["2026-10-31", "2026-11-24"])
def test_withdrawal_date_must_be_between_consent_and_today(case_worker, on):
    p = case_worker.participants.register(**PERSON, registered_on="2026-10-01")
    case_worker.participants.record_consent(p.code, "2026-11-01")
    with pytest.raises(InvalidInput, match="between 2026-11-01 and today"):
        case_worker.participants.withdraw_consent(p.code, on)
    assert case_worker.participants.current_consent(p.code) is not None


def test_consent_refusals(case_worker):
    p = case_worker.participants.register(**PERSON)
    with pytest.raises(InvalidInput, match="given_on 2026-11-24 is in the future"):
        case_worker.participants.record_consent(p.code, "2026-11-24")
    with pytest.raises(InvalidInput, match="scope"):
        case_worker.participants.record_consent(p.code, "2026-11-01", "")
    with pytest.raises(InvalidInput, match="scope"):
        case_worker.participants.record_consent(p.code, "2026-11-01", "programme,gossip")
    with pytest.raises(InvalidInput, match="31.02.2026"):
        case_worker.participants.record_consent(p.code, "31.02.2026")
    assert case_worker.participants.consents(p.code) == []


def test_withdrawing_without_any_consent_is_refused(case_worker):
    p = case_worker.participants.register(**PERSON)
    with pytest.raises(Conflict, match="DSH-2026-0001 has no consent in force"):
        case_worker.participants.withdraw_consent(p.code)


def test_consent_before_registration_is_refused(case_worker):
    p = case_worker.participants.register(**PERSON, registered_on="2026-11-10")
    with pytest.raises(InvalidInput, match=f"given_on 2026-11-09 is before {p.code} was registered \\(2026-11-10\\)"):
        case_worker.participants.record_consent(p.code, "2026-11-09")
    assert case_worker.participants.record_consent(p.code, "2026-11-10").given_on.isoformat() == "2026-11-10"


def test_an_import_row_with_consent_before_registration_is_refused(case_worker, tmp_path):
    """The import holds the same rule as consent recorded by hand."""
    from reentry_core.errors import RowErrors

    sheet = tmp_path / "intake.csv"
    sheet.write_text("full_name,sex,birth_date,centre,registered_on,consent_given_on\n"
                     "Мадина Сафарова,female,1992-07-01,DSH,2026-11-10,2026-11-09\n"
                     "Зарина Ашурова,female,1990-01-02,DSH,2026-11-10,2026-11-10\n", encoding="utf-8")
    with pytest.raises(RowErrors) as refused:
        case_worker.participants.import_file(sheet)
    assert refused.value.problems == ["row 2: consent_given_on 2026-11-09 is before registered_on 2026-11-10"]
    assert case_worker.participants.list() == []


def test_a_search_in_latin_letters_finds_cyrillic_names_and_back(case_worker):
    """Staff type names the way they do: rahimov finds Раҳимов, Ҷамшед finds Jamshed."""
    first = case_worker.participants.register(**PERSON).code
    latin = case_worker.participants.register(full_name="Jamshed Karimov", sex="male", birth_date="1990-01-01",
                                              centre="DSH").code
    assert [p.code for p in case_worker.participants.list(search="rahimov")] == [first]
    assert [p.code for p in case_worker.participants.list(search="Рахимов")] == [first]
    assert [p.code for p in case_worker.participants.list(search="Ҷамшед")] == [first, latin]
    assert [p.code for p in case_worker.participants.list(search="dzhamshed karim")] == [latin]


def test_the_same_person_in_another_alphabet_or_with_a_stray_mark_is_a_probable_duplicate(case_worker):
    first = case_worker.participants.register(**PERSON).code
    for spelling in ("Джамшед Рахимов", "Jamshed Rakhimov", "-Ҷамшед Раҳимов"):
        with pytest.raises(Conflict, match=f"already registered at DSH as {first}"):
            case_worker.participants.register(**{**PERSON, "full_name": spelling})
