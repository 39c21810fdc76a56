"""Rules of reentry_core.domain that need no database: names, choices, codes, dates,
the referral status loop and consent."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from reentry_core.domain import (
    MAXIMUM_AGE,
    MINIMUM_AGE,
    REFERRAL_TRANSITIONS,
    Centre,
    Choice,
    Consent,
    ConsentScope,
    ExitReason,
    Participant,
    Referral,
    ReferralStatus,
    Role,
    Sex,
    Staff,
    age_on,
    normalise_name,
    participant_code,
)
from reentry_core.errors import InvalidInput

TODAY = date(2026, 11, 23)

# Tajik and Russian Cyrillic, Latin: the letters names are written in.
CYRILLIC = "АБВГҒДЕЁЖЗИӢЙКҚЛМНОПРСТУӮФХҲЧҶШЪЭЮЯабвгғдеёжзиӣйкқлмнопрстуӯфхҳчҷшъэюя"
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
words = st.text(alphabet=CYRILLIC + LATIN, min_size=1, max_size=12)
spaces = st.text(alphabet=" \t\u00a0\n", min_size=1, max_size=3)


def person(**overrides) -> Participant:
    fields = {"full_name": "Ҷамшед Раҳимов", "sex": "male", "birth_date": date(1985, 3, 12), "centre": "DSH"}
    fields.update(overrides)
    return Participant(**fields)


# --- names --------------------------------------------------------------------------


@pytest.mark.parametrize("composed", ["Ӣ", "Ӯ", "Й", "Ё", "ӣ", "ӯ"])
def test_decomposed_cyrillic_letter_is_stored_composed(composed):
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) == 2 and unicodedata.category(decomposed[1]) == "Mn"  # base + combining mark
    name = f"Раҳим{decomposed}ов Ҷамшед"
    stored = person(full_name=name).full_name
    assert stored == f"Раҳим{composed}ов Ҷамшед"
    assert unicodedata.is_normalized("NFC", stored)


def test_tajik_letters_without_decomposition_are_kept():
    # Ҷ Ҳ Қ Ғ have no canonical decomposition: NFC must leave them alone.
    assert person(full_name="Ҷӯра Қаҳҳоров Ғайратович").full_name == "Ҷӯра Қаҳҳоров Ғайратович"


def test_decomposed_and_composed_spellings_become_equal():
    composed = "Шарифҷон Ӯлмасов Ӣсоевич"
    assert person(full_name=unicodedata.normalize("NFD", composed)) == person(full_name=composed)


@given(st.lists(words, min_size=1, max_size=5), st.lists(spaces, min_size=6, max_size=6))
def test_whitespace_is_trimmed_and_collapsed(parts, gaps):
    raw = gaps[0] + "".join(word + gap for word, gap in zip(parts, gaps[1:] + gaps * 2))
    stored = person(full_name=raw).full_name
    assert stored == " ".join(unicodedata.normalize("NFC", w) for w in parts)
    assert stored == stored.strip() and "  " not in stored and "\t" not in stored and "\n" not in stored


@given(st.text(alphabet=CYRILLIC + LATIN + " -'", max_size=40))
def test_normalise_name_is_idempotent(raw):
    once = normalise_name(raw)
    assert normalise_name(once) == once


@given(st.lists(words, min_size=1, max_size=3), st.integers(0, 9), st.integers(0, 40))
def test_a_digit_anywhere_in_a_name_is_refused(parts, digit, position):
    name = " ".join(parts)
    position = position % (len(name) + 1)
    with_digit = name[:position] + str(digit) + name[position:]
    with pytest.raises(InvalidInput, match="full_name") as err:
        person(full_name=with_digit)
    assert str(digit) in err.value.message


@pytest.mark.parametrize("empty", ["", " ", "\t \n", "\u00a0"])
def test_empty_name_is_refused(empty):
    with pytest.raises(InvalidInput, match="full_name is empty"):
        person(full_name=empty)


@pytest.mark.parametrize("bad", ["Ali @Rahimov", "Ali_Rahimov", "Ali, Rahimov", "---", "''"])
def test_names_with_symbols_or_without_letters_are_refused(bad):
    with pytest.raises(InvalidInput, match="full_name"):
        person(full_name=bad)


def test_name_longer_than_200_characters_is_refused():
    person(full_name="А" * 200)
    with pytest.raises(InvalidInput, match="longer than 200"):
        person(full_name="А" * 201)


@pytest.mark.parametrize("name", ["Ан-Нур Раҳимов", "O'Brien", "Д’Артаньян", "Jr. Smith"])
def test_hyphens_apostrophes_and_dots_are_allowed(name):
    assert person(full_name=name).full_name == name


# --- choices ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [("ж", Sex.FEMALE), ("Ж", Sex.FEMALE), ("жен", Sex.FEMALE), ("F", Sex.FEMALE), ("f", Sex.FEMALE),
     ("Female", Sex.FEMALE), (" female ", Sex.FEMALE), ("зан", Sex.FEMALE),
     ("м", Sex.MALE), ("М", Sex.MALE), ("M", Sex.MALE), ("муж", Sex.MALE), ("мард", Sex.MALE), ("MALE", Sex.MALE)],
)
def test_sex_aliases(typed, expected):
    assert Sex.parse(typed) is expected
    assert person(sex=typed).sex is expected


@pytest.mark.parametrize("bad", ["x", "", "fm", "другое", "2"])
def test_unknown_sex_is_refused_naming_the_choices(bad):
    with pytest.raises(InvalidInput) as err:
        Sex.parse(bad)
    assert "female" in err.value.message and "male" in err.value.message
    with pytest.raises(InvalidInput, match="^sex: "):
        person(sex=bad)


def test_aliases_of_one_choice_do_not_leak_into_another():
    with pytest.raises(InvalidInput):
        Role.parse("m")
    with pytest.raises(InvalidInput):
        ExitReason.parse("ж")


@given(st.sampled_from([c for cls in (Role, Sex, ExitReason, ReferralStatus, ConsentScope) for c in cls]),
       st.sampled_from([str.upper, str.lower, str.title, lambda s: s.replace("_", " "),
                        lambda s: s.replace("_", "-"), lambda s: f"  {s} "]))
def test_every_choice_parses_in_any_case_with_spaces_or_hyphens(member, spell):
    assert type(member).parse(spell(member.value)) is member


def test_choice_is_its_value_as_text():
    assert str(Sex.FEMALE) == "female" and Sex.FEMALE == "female"
    assert isinstance(Sex.FEMALE, Choice)
    assert Sex.parse(Sex.MALE) is Sex.MALE


# --- centre and staff codes ---------------------------------------------------------


@given(st.from_regex(r"\A[A-Za-z]{2,6}\Z"))
def test_centre_codes_of_2_to_6_letters_are_upper_cased(code):
    assert Centre(f"  {code} ", "Centre", "City").code == code.upper()


@given(st.one_of(
    st.from_regex(r"\A[A-Z]\Z"),
    st.from_regex(r"\A[A-Z]{7,10}\Z"),
    st.from_regex(r"\A[A-Z]{1,3}[0-9_\- ][A-Z]{1,2}\Z"),
    st.from_regex(r"\A[А-Я]{2,6}\Z"),  # Cyrillic capitals are not Latin
))
def test_bad_centre_codes_are_refused(code):
    with pytest.raises(InvalidInput, match="centre code"):
        Centre(code, "Centre", "City")


@given(st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_\-]{1,19}\Z"))
def test_staff_codes(code):
    assert Staff(code, "Staff Member", "trainer").code == code.upper()


@pytest.mark.parametrize("bad", ["A", "-AB", "_AB", "A B", "AB.C", "A" * 21, "ÄB", "АБ"])
def test_bad_staff_codes_are_refused(bad):
    with pytest.raises(InvalidInput, match="staff code"):
        Staff(bad, "Staff Member", "trainer")


def test_staff_roles_parse_from_text_and_need_at_least_one():
    assert Staff("TR1", "Staff Member", "trainer, Mentor").roles == {Role.TRAINER, Role.MENTOR}
    with pytest.raises(InvalidInput, match="roles"):
        Staff("TR1", "Staff Member", "")
    with pytest.raises(InvalidInput):
        Staff("TR1", "Staff Member", "janitor")


# --- participants' dates -------------------------------------------------------------


def test_an_ordinary_participant_has_no_date_problems():
    assert person(release_date=date(2026, 9, 30), registered_on=TODAY).date_problems(TODAY) == []


@given(st.dates(min_value=TODAY + timedelta(days=1), max_value=date(2200, 1, 1)))
def test_future_birth_date_is_a_problem(born):
    problems = person(birth_date=born).date_problems(TODAY)
    assert problems == [f"birth_date {born.isoformat()} is in the future"]


@given(st.dates(min_value=date(TODAY.year - MINIMUM_AGE, TODAY.month, TODAY.day) + timedelta(days=1),
                max_value=TODAY))
def test_younger_than_14_is_a_problem(born):
    problems = person(birth_date=born).date_problems(TODAY)
    assert len(problems) == 1 and "younger than 14" in problems[0] and born.isoformat() in problems[0]


@given(st.dates(min_value=date(TODAY.year - MAXIMUM_AGE - 1, TODAY.month, TODAY.day) + timedelta(days=1),
                max_value=date(TODAY.year - MINIMUM_AGE, TODAY.month, TODAY.day)))
def test_14_to_100_is_fine(born):
    assert person(birth_date=born).date_problems(TODAY) == []


@given(st.dates(min_value=date(1800, 1, 1), max_value=date(TODAY.year - MAXIMUM_AGE - 1, TODAY.month, TODAY.day)))
def test_older_than_100_is_a_typing_error(born):
    problems = person(birth_date=born).date_problems(TODAY)
    assert len(problems) == 1 and "older than 100" in problems[0] and born.isoformat() in problems[0]


def test_a_release_date_in_the_future_is_refused():
    problems = person(release_date=TODAY + timedelta(days=1)).date_problems(TODAY)
    assert problems == [f"release_date {(TODAY + timedelta(days=1)).isoformat()} is in the future: record people "
                        "once they are released"]
    assert person(release_date=TODAY).date_problems(TODAY) == []


def test_age_boundary_on_the_14th_birthday():
    born = date(2012, 11, 23)
    assert person(birth_date=born).date_problems(date(2026, 11, 22)) != []
    assert person(birth_date=born).date_problems(date(2026, 11, 23)) == []


def test_leap_day_birthday_counts_from_the_first_of_march():
    assert age_on(date(2012, 2, 29), date(2026, 2, 28)) == 13
    assert age_on(date(2012, 2, 29), date(2026, 3, 1)) == 14


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2000, 1, 1)), st.integers(1, 20000))
def test_release_before_birth_is_a_problem(born, days_before):
    released = born - timedelta(days=days_before)
    problems = person(birth_date=born, release_date=released).date_problems(TODAY)
    assert problems == [f"release_date {released.isoformat()} is before birth_date {born.isoformat()}"]


def test_release_on_birth_day_is_not_refused_by_this_rule():
    born = date(1990, 5, 5)
    assert person(birth_date=born, release_date=born).date_problems(TODAY) == []


def test_future_registration_is_a_problem_and_problems_accumulate():
    problems = person(birth_date=date(2030, 1, 1), release_date=date(2029, 1, 1),
                      registered_on=TODAY + timedelta(days=1)).date_problems(TODAY)
    assert len(problems) == 4
    assert problems[0].startswith("birth_date 2030-01-01 is in the future")
    assert problems[1].startswith("release_date 2029-01-01 is in the future")
    assert problems[2].startswith("release_date 2029-01-01 is before")
    assert problems[3].startswith("registered_on 2026-11-24 is in the future")


def test_phone_is_normalised_and_checked():
    assert person(phone="+992 (93) 123-45-67").phone == "+992931234567"
    assert person(phone="  ").phone is None
    for bad in ["12345", "+992 93 abc", "++992931234567", "1" * 16]:
        with pytest.raises(InvalidInput, match="phone"):
            person(phone=bad)


# --- participant codes --------------------------------------------------------------

CODE = re.compile(r"^(?P<centre>[A-Z]{2,6})-(?P<year>\d{4})-(?P<number>\d{4})$")


@given(st.from_regex(r"\A[A-Z]{2,6}\Z"), st.integers(1900, 2999), st.integers(1, 9999))
def test_participant_code_format_round_trips(centre, year, number):
    code = participant_code(centre, year, number)
    m = CODE.match(code)
    assert m, code
    assert (m["centre"], int(m["year"]), int(m["number"])) == (centre, year, number)


@given(st.from_regex(r"\A[A-Z]{2,6}\Z"), st.integers(1900, 2999), st.integers(1, 9998), st.integers(1, 9998))
def test_participant_codes_sort_in_number_order(centre, year, a, b):
    assume(a != b)
    assert (participant_code(centre, year, a) < participant_code(centre, year, b)) == (a < b)


def test_participant_code_examples():
    assert participant_code("DSH", 2026, 1) == "DSH-2026-0001"
    assert participant_code("KHJ", 2025, 42) == "KHJ-2025-0042"


# --- referral status loop ----------------------------------------------------------

S = ReferralStatus


def test_referral_transitions_table():
    assert REFERRAL_TRANSITIONS == {
        S.OPEN: {S.ACCEPTED, S.DECLINED, S.CANCELLED},
        S.ACCEPTED: {S.DONE, S.CANCELLED},
        S.DONE: set(),
        S.DECLINED: set(),
        S.CANCELLED: set(),
    }


def test_every_status_is_in_the_table_and_reachable_from_open():
    assert set(REFERRAL_TRANSITIONS) == set(S)
    reached, frontier = {S.OPEN}, [S.OPEN]
    while frontier:
        for nxt in REFERRAL_TRANSITIONS[frontier.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(S)


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("target", list(S))
def test_can_move_to_follows_the_table(start, target):
    referral = Referral(participant="DSH-2026-0001", service_type="legal", to_whom="Legal aid",
                        reason="passport", opened_on=TODAY, status=start)
    assert referral.can_move_to(target) == (target in REFERRAL_TRANSITIONS[start])
    if target in (start, S.OPEN):
        assert not referral.can_move_to(target)  # no standing still, no reopening


# --- consent ------------------------------------------------------------------------

dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(dates, st.one_of(st.none(), dates), dates)
def test_consent_is_active_from_given_until_the_day_before_withdrawal(given_on, withdrawn_on, on):
    consent = Consent("DSH-2026-0001", given_on, "programme", withdrawn_on)
    expected = given_on <= on and (withdrawn_on is None or on < withdrawn_on)
    assert consent.is_active(on) is expected


def test_consent_boundaries():
    consent = Consent("DSH-2026-0001", date(2026, 1, 10), "programme,referrals", date(2026, 3, 1))
    assert not consent.is_active(date(2026, 1, 9))
    assert consent.is_active(date(2026, 1, 10))
    assert consent.is_active(date(2026, 2, 28))
    assert not consent.is_active(date(2026, 3, 1))


@given(st.sets(st.sampled_from(list(ConsentScope)), min_size=1), st.sampled_from(list(ConsentScope)), dates, dates)
def test_consent_covers_only_its_scope_while_active(scope, asked, given_on, on):
    consent = Consent("DSH-2026-0001", given_on, ",".join(s.value for s in scope))
    assert consent.scope == scope
    assert consent.covers(asked, on) is (asked in scope and given_on <= on)


def test_consent_scope_parses_text_and_refuses_unknown_scopes():
    assert Consent("X", TODAY, "Programme, referrals").scope == {ConsentScope.PROGRAMME, ConsentScope.REFERRALS}
    with pytest.raises(InvalidInput):
        Consent("X", TODAY, "programme,everything")
