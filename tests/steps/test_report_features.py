"""features/reports: what the M&E officer reads in the programme report and its audit."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, scenarios, then

pytestmark = pytest.mark.usefixtures("database_url")

scenarios("reports")

FIRST = {"female": ["Зарина", "Мадина", "Нигина", "Ситора", "Гулноза", "Фарангис", "Шабнам", "Манижа"],
         "male": ["Ҷамшед", "Фирдавс", "Сорбон", "Умед", "Алишер", "Бахтиёр", "Дилшод", "Фаррух"]}
SURNAMES = ["Раҳимов", "Назаров", "Саидов", "Каримов"]


@given("these people were registered:")
def _(admin, datatable):
    header, *rows = datatable
    made = 0
    for row in rows:
        wanted = dict(zip(header, row))
        for sex, column in (("female", "women"), ("male", "men")):
            for _i in range(int(wanted[column])):
                first = FIRST[sex][made % 8]
                surname = SURNAMES[made // 8 % 4] + ("а" if sex == "female" else "")
                made += 1
                admin.participants.register(full_name=f"{surname} {first}", sex=sex, birth_date="1990-05-05",
                                            centre=wanted["centre"], allow_same_name=True)


@then(parsers.parse("the audit trail has a {action} event by {actor}"))
def _(programme, admin, action, actor):
    events = programme.act_as("ADM").audit.log(action=action)
    assert [e.actor for e in events] == [actor], events


@given(parsers.parse('a framework "{name}" with:'))
def _(tmp_path, monkeypatch, name, docstring):
    """A results framework the programme wrote, in the folder the user types commands in."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(docstring, encoding="utf-8")


@given("the M&E officer works in a folder of their own")
def _(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@then(parsers.parse('the file "{name}" holds "{text}"'))
def _(tmp_path, name, text):
    from html import unescape

    assert text in unescape((tmp_path / name).read_text(encoding="utf-8"))
