"""reentry_core.convert: dates, decimals and the one-line-per-field error messages."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reentry_core.convert import parse_date, parse_decimal, structure, unstructure
from reentry_core.domain import Consent, ConsentScope, Participant, Sex
from reentry_core.errors import InvalidInput

# --- dates --------------------------------------------------------------------------

four_digit_years = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@given(four_digit_years)
def test_iso_dates(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"  {day.isoformat()} ") == day


@given(four_digit_years)
def test_day_month_year_dates(day):
    assert parse_date(f"{day.day:02d}.{day.month:02d}.{day.year}") == day
    assert parse_date(f"{day.day}.{day.month}.{day.year}") == day  # 1.3.1985 as well as 01.03.1985


def test_dates_and_datetimes_pass_through():
    assert parse_date(date(1985, 3, 12)) == date(1985, 3, 12)
    assert parse_date(datetime(1985, 3, 12, 23, 59)) == date(1985, 3, 12)


@pytest.mark.parametrize("bad", ["31.02.1990", "30.02.2024", "29.02.2023", "32.01.1990", "12.13.1990",
                                 "00.01.1990", "1990-02-31", "1990-13-01"])
def test_impossible_dates_are_refused(bad):
    with pytest.raises(InvalidInput) as err:
        parse_date(bad)
    assert repr(bad) in err.value.message
    assert "YYYY-MM-DD or DD.MM.YYYY" in err.value.message


def test_leap_day_is_accepted_in_a_leap_year():
    assert parse_date("29.02.2024") == date(2024, 2, 29)


@pytest.mark.parametrize("bad", ["", "yesterday", "12/03/1985", "12.03.85", "1985.03.12", "12-03-1985",
                                 "12.03.1985."])
def test_other_date_spellings_are_refused(bad):
    with pytest.raises(InvalidInput, match="is not a date"):
        parse_date(bad)


def test_an_impossible_date_names_the_field_and_the_value():
    with pytest.raises(InvalidInput) as err:
        structure({"full_name": "Ҷамшед Раҳимов", "sex": "m", "birth_date": "31.02.1990", "centre": "DSH"},
                  Participant)
    assert err.value.message == "birth_date: '31.02.1990' is not a date; write YYYY-MM-DD or DD.MM.YYYY"


# --- decimals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [("1 200,50", "1200.50"), ("1\u00a0200,50", "1200.50"), ("1200.50", "1200.50"), ("1200,5", "1200.5"),
     (" 15 000 ", "15000"), ("0,10", "0.10"), ("-3,25", "-3.25"), ("0.1", "0.1")],
)
def test_decimal_spellings(text, expected):
    value = parse_decimal(text)
    assert type(value) is Decimal
    assert value == Decimal(expected)
    assert str(value) == expected  # exact digits kept: never through float


def test_floats_are_taken_by_their_shortest_repr_not_binary_value():
    assert parse_decimal(0.1) == Decimal("0.1")
    assert parse_decimal(1200.5) == Decimal("1200.5")
    assert parse_decimal(7) == Decimal(7) and type(parse_decimal(7)) is Decimal


@given(st.integers(0, 10**9), st.integers(0, 99))
def test_decimal_with_thousand_spaces_and_comma(whole, cents):
    grouped = f"{whole:,}".replace(",", " ")
    assert parse_decimal(f"{grouped},{cents:02d}") == Decimal(f"{whole}.{cents:02d}")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9))
def test_decimal_text_round_trips_exactly(value):
    assert parse_decimal(str(value)) == value
    assert parse_decimal(str(value).replace(".", ",")) == value


@pytest.mark.parametrize("bad", ["", "abc", "1,200", "1.200", "1,2,3", "NaN", "nan", "inf", "-Infinity", "12 сомони"])
def test_bad_numbers_are_refused(bad):
    with pytest.raises(InvalidInput, match="is not a number|is missing|is ambiguous"):
        parse_decimal(bad)


def test_booleans_are_not_numbers():
    with pytest.raises(InvalidInput):
        parse_decimal(True)


@attrs.frozen
class Payment:
    amount: Decimal
    paid_on: date
    sex: Sex
    scopes: frozenset[ConsentScope] = frozenset()


def test_structure_turns_money_text_into_decimal():
    payment = structure({"amount": "1 200,50", "paid_on": "23.11.2026", "sex": "ж"}, Payment)
    assert payment == Payment(Decimal("1200.50"), date(2026, 11, 23), Sex.FEMALE)
    assert type(payment.amount) is Decimal


def test_structure_parses_choice_sets():
    payment = structure({"amount": "1", "paid_on": "2026-11-23", "sex": "m", "scopes": "research, Media"}, Payment)
    assert payment.scopes == {ConsentScope.RESEARCH, ConsentScope.MEDIA}


def test_unstructure_gives_plain_stable_values():
    payment = Payment(Decimal("1200.50"), date(2026, 11, 23), Sex.FEMALE,
                      frozenset({ConsentScope.RESEARCH, ConsentScope.MEDIA}))
    assert unstructure(payment) == {"amount": "1200.50", "paid_on": "2026-11-23", "sex": "female",
                                    "scopes": ["media", "research"]}


def test_unstructure_then_structure_round_trips_a_participant():
    p = Participant(full_name="Ҷамшед Раҳимов", sex="male", birth_date=date(1985, 3, 12), centre="DSH",
                    registered_on=date(2026, 11, 23), phone="+992931234567", release_date=date(2026, 9, 30),
                    facility="Yavan 3/6", offence_category="property", code="DSH-2026-0001")
    data = unstructure(p)
    assert data["birth_date"] == "1985-03-12" and data["sex"] == "male"
    assert structure({k: v for k, v in data.items() if v is not None}, Participant) == p


def test_structured_datetimes_are_utc():
    @attrs.frozen
    class Moment:
        at: datetime

    assert structure({"at": "2026-11-23T10:00:00+05:00"}, Moment).at == datetime(2026, 11, 23, 5, tzinfo=timezone.utc)
    assert structure({"at": "2026-11-23T10:00:00"}, Moment).at.tzinfo == timezone.utc
    with pytest.raises(InvalidInput, match="at: 'soon' is not a date and time"):
        structure({"at": "soon"}, Moment)


# --- error lines --------------------------------------------------------------------

GOOD = {"full_name": "Ҷамшед Раҳимов", "sex": "male", "birth_date": "1985-03-12", "centre": "DSH"}


def problems_of(data, cls=Participant, where=""):
    with pytest.raises(InvalidInput) as err:
        structure(data, cls, where=where)
    return err.value.message


def test_where_comes_first():
    message = problems_of({**GOOD, "birth_date": "31.02.1990"}, where="row 7")
    assert message.startswith("row 7: birth_date: ")
    assert "'31.02.1990'" in message


@given(st.integers(1, 100_000))
def test_where_names_any_row(n):
    assert problems_of({**GOOD, "sex": "x"}, where=f"row {n}").startswith(f"row {n}: sex: ")


def test_each_bad_field_gets_its_own_part_naming_it():
    message = problems_of({**GOOD, "sex": "x", "birth_date": "soon", "release_date": "31.04.2026"}, where="row 3")
    assert message.startswith("row 3: ")
    named = re.findall(r"(?:^row 3: |; )(\w+): ", message)
    assert sorted(named) == ["birth_date", "release_date", "sex"], message
    assert "sex: 'x' is not one of female, male" in message
    assert "birth_date: 'soon' is not a date" in message
    assert "release_date: '31.04.2026' is not a date" in message


def test_a_bad_phone_is_reported_naming_the_value():
    # checked by the class itself, once every field has the right type
    assert problems_of({**GOOD, "phone": "12"}, where="row 5").startswith("row 5: phone '12' is not a phone number")


def test_a_field_name_is_not_repeated():
    message = problems_of({**GOOD, "full_name": "Ali 2"})
    assert message.count("full_name") == 1
    assert message.startswith("full_name 'Ali 2' contains '2'")


def test_missing_field_is_named():
    data = dict(GOOD)
    del data["birth_date"]
    assert problems_of(data, where="row 2") == "row 2: birth_date: missing"


def test_unknown_fields_are_named():
    message = problems_of({**GOOD, "nickname": "Ҷамик", "age": 41}, where="row 4")
    assert message == "row 4: unknown field(s): age, nickname"


def test_non_text_for_a_text_field_is_refused():
    message = problems_of({**GOOD, "facility": ["Yavan"]})
    assert message.startswith("facility: ")


def test_consent_scope_error_names_scope():
    message = problems_of({"participant": "DSH-2026-0001", "given_on": "2026-11-01", "scope": "programme,gossip"},
                          Consent)
    assert message.startswith("scope: ") and "'gossip'" in message
