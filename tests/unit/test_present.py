"""Presenters: one declaration of a record's columns, values formatted through the converter."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import attrs
import pytest
from click.testing import CliRunner
import click

from reentry_core.cli.output import emit_rows
from reentry_core.cli.present import ALL, Presenter, joined, money, percent
from reentry_core.convert import make_converter
from reentry_core.domain import Sex


@attrs.frozen
class Visit:
    mentor: str
    on: date | None = None


@attrs.frozen
class Thing:
    code: str
    amount: Decimal | None
    on: date | None
    sex: Sex
    languages: frozenset[str] = frozenset()
    note: str | None = None
    visit: Visit | None = None
    count: int = 0
    at: datetime | None = None


THING = Thing(code="T1", amount=Decimal("75"), on=date(2026, 3, 1), sex=Sex.FEMALE,
              languages=frozenset({"tg", "ru"}), visit=Visit("MN1", date(2026, 4, 2)), count=3,
              at=datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc))


def test_columns_keep_the_order_declared():
    shown = Presenter("note", "code", ("n", "count"), "sex")
    assert list(shown(THING)) == ["note", "code", "n", "sex"]
    assert shown.names == ["note", "code", "n", "sex"]


def test_values_go_through_the_converter():
    record = Presenter("code", "on", "sex", "at", "visit")(THING)
    assert record == {"code": "T1", "on": "2026-03-01", "sex": "female", "at": "2026-03-01T09:30:00+00:00",
                      "visit": {"mentor": "MN1", "on": "2026-04-02"}}


def test_numbers_stay_numbers():
    record = Presenter("amount", "count", ("negative", lambda t: -t.amount))(THING)
    assert record == {"amount": Decimal("75"), "count": 3, "negative": Decimal("-75")}


def test_formats_money_percent_and_joined_values():
    record = Presenter(("amount", "amount", money), ("share", "count", percent), ("languages", "languages", joined),
                       ("sexes", lambda t: [Sex.MALE, t.sex], joined))(THING)
    assert record == {"amount": "75.00", "share": "3%", "languages": "ru, tg", "sexes": "female, male"}
    assert Presenter.money is money and Presenter.joined is joined and Presenter.percent is percent


def test_none_stays_none_and_is_never_formatted():
    empty = Thing(code="T2", amount=None, on=None, sex=Sex.MALE)
    record = Presenter(("amount", "amount", money), "on", "note", ("mentor", "visit.mentor"),
                       ("visited", "visit.on"))(empty)
    assert record == {"amount": None, "on": None, "note": None, "mentor": None, "visited": None}


def test_nested_attributes_and_callables():
    record = Presenter(("mentor", "visit.mentor"), ("visited", "visit.on"),
                       ("label", lambda t: f"{t.code}/{t.visit.mentor}"), ("when", lambda t: t.visit.on))(THING)
    assert record == {"mentor": "MN1", "visited": "2026-04-02", "label": "T1/MN1", "when": "2026-04-02"}


def test_all_gives_every_field_in_the_class_order_and_a_later_column_keeps_its_place():
    record = Presenter(ALL, ("amount", "amount", money), ("extra", lambda t: 1))(THING)
    assert list(record) == [f.name for f in attrs.fields(Thing)] + ["extra"]
    assert record["amount"] == "75.00" and record["languages"] == ["ru", "tg"]


def test_all_leaves_out_what_was_named_before_and_what_is_omitted():
    record = Presenter(("thing", "code"), ALL, omit=("code", "visit", "at"))(THING)
    assert list(record) == ["thing", "amount", "on", "sex", "languages", "note", "count"]


def test_without_drops_columns():
    shown = Presenter("code", "on", "sex").without("on")
    assert list(shown(THING)) == ["code", "sex"]


def test_the_programmes_converter_is_used():
    class Shout(str):
        pass

    converter = make_converter()
    converter.register_unstructure_hook(Shout, lambda s: s.upper())
    shown = Presenter(("word", lambda _t: Shout("hello")))
    assert shown(THING) == {"word": "hello"} and shown(THING, converter) == {"word": "HELLO"}
    assert shown.rows([THING, THING], converter) == [{"word": "HELLO"}] * 2


@pytest.mark.parametrize("bad", [("a",), ("a", 3), (1, "a"), 5])
def test_a_bad_column_is_refused(bad):
    with pytest.raises(TypeError):
        Presenter(bad)


def test_a_column_named_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        Presenter("code", ("code", "note"))


def test_printed_the_same_as_the_objects_values():
    shown = Presenter("code", ("amount", "amount", money), "on", "sex", ("languages", "languages", joined), "note")

    @click.command()
    @click.argument("fmt")
    def show(fmt):
        emit_rows([shown(THING)], shown.names, fmt)

    out = CliRunner().invoke(show, ["json"]).output
    assert json.loads(out) == [{"code": "T1", "amount": "75.00", "on": "2026-03-01", "sex": "female",
                                "languages": "ru, tg", "note": None}]
    assert CliRunner().invoke(show, ["csv"]).output.splitlines()[1] == 'T1,75.00,2026-03-01,female,"ru, tg",'
