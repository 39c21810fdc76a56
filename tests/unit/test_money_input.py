"""Money typed by a person: the ways people write amounts are read exactly, ambiguous or
impossible ones are refused in one line, and nothing is ever silently scaled (``1,000``
read as 1.00 was a 1000x error)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reentry_core.convert import MAX_AMOUNT, parse_decimal, parse_money
from reentry_core.errors import InvalidInput


@pytest.mark.parametrize("typed, amount", [
    ("1000", "1000.00"), ("1000.50", "1000.50"), ("1000,5", "1000.50"), ("1 000,50", "1000.50"),
    ("1\u00a0000,50", "1000.50"), ("1,000.50", "1000.50"), ("1.000,50", "1000.50"), ("1,000,000", "1000000.00"),
    ("1.000.000", "1000000.00"), ("1 000 000 000", "1000000000.00"), (" 250 ", "250.00"), ("0,50", "0.50"),
])
def test_the_ways_people_write_an_amount(typed, amount):
    assert parse_money(typed, allow_zero=True) == Decimal(amount)


@pytest.mark.parametrize("typed, says", [
    ("1,000", "ambiguous (is it 1000 or 1.000?): write 1000 or 1.00"),
    ("1.000", "ambiguous"),
    ("25 000,000", "ambiguous"),
    ("1e12", "not an exponent"),
    ("1E3", "not an exponent"),
    ("12,34,567", "grouped by three"),
    ("1 0000", "not a number"),
    ("1.000.000,5,5", "appears twice"),
    ("5000.123", "ambiguous (is it 5000123 or 5000.123?): write 5000123 or 5000.12"),
    ("0,125", "more than two decimals"),
    ("99999999999999999.99", "more than the largest amount reentry takes (1 000 000 000.00)"),
    ("1000000000.01", "more than the largest amount"),
    ("-5", "must be more than zero"),
    ("сто", "not a number"),
    ("", "a number is missing"),
])
def test_an_amount_that_cannot_be_read_safely_is_refused_in_one_line(typed, says):
    with pytest.raises(InvalidInput, match=None) as caught:
        parse_money(typed)
    assert says in caught.value.message and "\n" not in caught.value.message


def test_amounts_given_as_numbers_follow_the_same_rules():
    assert parse_money(Decimal("12.5")) == Decimal("12.50")
    assert parse_money(2.5) == Decimal("2.50")
    for number in (Decimal("1e30"), 1e30, 10**20, Decimal("NaN"), float("inf"), Decimal("0.001")):
        with pytest.raises(InvalidInput):
            parse_money(number)


def test_quantities_refuse_exponents_and_infinities():
    assert parse_decimal("3,5") == Decimal("3.5")
    for text in ("1e3", "NaN", "Infinity", "-inf", "3.5.1"):
        with pytest.raises(InvalidInput):
            parse_decimal(text)


amounts = st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2, allow_nan=False)


def grouped(amount: Decimal, group: str, point: str, decimals: bool = True) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    groups = [whole[max(i - 3, 0):i] for i in range(len(whole), 0, -3)][::-1]
    return group.join(groups) + (point + cents if decimals else "")


@settings(max_examples=400)
@given(amount=amounts, style=st.sampled_from([("", "."), ("", ","), (" ", ","), ("\u00a0", ","), (",", "."),
                                              (".", ","), (" ", ".")]))
def test_every_written_style_reads_back_the_same_amount(amount, style):
    group, point = style
    assert parse_money(grouped(amount, group, point)) == amount


@settings(max_examples=300)
@given(amount=st.integers(min_value=1000, max_value=999_999), separator=st.sampled_from([",", "."]))
def test_a_thousands_group_without_decimals_is_never_guessed(amount, separator):
    with pytest.raises(InvalidInput, match="ambiguous"):
        parse_money(grouped(Decimal(amount), separator, "", decimals=False))


@settings(max_examples=1500)
@given(text=st.one_of(st.text(max_size=30),
                      st.text(alphabet="0123456789 ,.+-eE\u00a0", max_size=30)))
def test_any_text_is_an_exact_amount_or_one_line_of_refusal(text):
    try:
        amount = parse_money(text, allow_zero=True)
    except InvalidInput as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert Decimal("0") <= amount <= MAX_AMOUNT and amount == amount.quantize(Decimal("0.01"))
    digits = "".join(ch for ch in text if ch.isdigit()).lstrip("0") or "0"
    # no silent scaling: the amount's digits are the digits typed (less trailing zeros of cents)
    assert f"{amount:.2f}".replace(".", "").lstrip("0").rstrip("0") == digits.rstrip("0") or amount == 0
