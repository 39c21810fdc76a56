"""The core's features (features/core/*.feature) and the steps only they use.

Steps shared by every feature live in ``reentry_core.testing``.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata

import pytest
import sqlalchemy as sa
from pytest_bdd import given, parsers, scenarios, then, when

from reentry_core.testing import explain, last_result

# Steps ask for the database lazily, so the scenarios must ask for it up front: that is
# what runs each scenario once on SQLite and once on PostgreSQL (``database_url`` is
# parametrised over the backends in reentry_core/testing.py).
pytestmark = pytest.mark.usefixtures("database_url")

scenarios("core")


# --- registering: names typed with separate accent marks ------------------------------------


def decomposed(text: str) -> str:
    """``text`` as a keyboard that types accents as separate marks sends it (NFD)."""
    assert unicodedata.is_normalized("NFC", text), f"write {text!r} with whole letters in the feature"
    typed = unicodedata.normalize("NFD", text)
    assert typed != text, f"{text!r} has no letter with a separate accent mark"
    return typed


@when(parsers.parse('the case worker {code} registers "{name}", typed with separate accent marks, '
                    '{sex}, born {born}, at {centre}'))
def _(type_command, code, name, sex, born, centre):
    type_command(f'reentry --as {code} participants add --name "{decomposed(name)}" --sex {sex} '
                 f'--birth-date {born} --centre {centre}')


@when(parsers.parse('the case worker {code} searches for "{text}", typed with separate accent marks'))
def _(type_command, code, text):
    type_command(f'reentry --as {code} participants list --search "{decomposed(text)}"')


@then(parsers.parse('participant {code} is stored as "{name}", written with whole letters'))
def _(programme, admin, code, name):
    stored = programme.act_as("ADM").participants.get(code).full_name
    assert unicodedata.is_normalized("NFC", name)
    assert stored == name, (stored, name, len(stored), len(name))
    assert unicodedata.is_normalized("NFC", stored)


# --- registering: who sees the sensitive details ---------------------------------------------

SENSITIVE_SHOWN = {"release date": "release date", "facility": "facility", "offence": "offence category"}


@then("they do not see the release date, the facility or the offence")
def _(world):
    output = last_result(world).output
    for label, value in world["details"].items():
        assert value not in output, f"the {label} ({value}) is shown:" + explain(world)
        assert SENSITIVE_SHOWN[label] not in output, f"the {label} is shown:" + explain(world)


@then("they see the release date, the facility and the offence")
def _(world):
    result = last_result(world)
    assert result.exit_code == 0, explain(world)
    lines = [re.sub(r"\s+", " ", line.strip()) for line in result.output.splitlines()]
    for label, value in world["details"].items():
        assert f"{SENSITIVE_SHOWN[label]} {value}" in lines, f"the {label} is not shown:" + explain(world)


# --- importing: files -----------------------------------------------------------------------


def _write_rows(path, rows, encoding):
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)


@given(parsers.parse('a file "{name}" with:'))
def _(tmp_path, monkeypatch, world, name, datatable):
    monkeypatch.chdir(tmp_path)  # the case worker types the file name as it is in their folder
    _write_rows(tmp_path / name, datatable, "utf-8")
    world.setdefault("files", {})[name] = tmp_path / name


@given(parsers.parse('a file "{name}" containing:'))
def _(tmp_path, monkeypatch, world, name, docstring):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(docstring.strip() + "\n", encoding="utf-8")
    world.setdefault("files", {})[name] = tmp_path / name


@given(parsers.parse('a file "{name}" saved in Windows-1251 with:'))
def _(tmp_path, monkeypatch, world, name, datatable):
    monkeypatch.chdir(tmp_path)
    _write_rows(tmp_path / name, datatable, "cp1251")
    raw = (tmp_path / name).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # so the file really is not UTF-8
    world.setdefault("files", {})[name] = tmp_path / name


@given(parsers.parse('the case worker {code} has already imported "{name}"'))
def _(programme, world, code, name):
    report = programme.act_as(code).participants.import_file(world["files"][name])
    assert report.imported > 0, report


@then(parsers.parse('the import is refused, naming row {row:d}, the column "{column}" and the value "{value}"'))
def _(world, row, column, value):
    result = last_result(world)
    assert result.exit_code != 0, "the import was not refused:" + explain(world)
    row_word = re.compile(rf"\brow {row}\b")
    naming = [line for line in result.output.splitlines() if row_word.search(line)]
    assert naming, f"no line names row {row}:" + explain(world)
    assert any(column in line and value in line for line in naming), (
        f"row {row} is named, but not with the column {column!r} and the value {value!r}:" + explain(world))
    others = [line for line in result.output.splitlines()
              if re.search(r"\brow \d+\b", line) and not row_word.search(line)]
    assert not others, f"only row {row} is wrong, yet other rows are named: {others}" + explain(world)


@then(parsers.parse("the duplicates named are {codes}"))
def _(world, codes):
    output = last_result(world).output
    skipped = [line for line in output.splitlines() if line.startswith("Skipped duplicate")]
    wanted = re.findall(r"[A-Z]+-\d{4}-\d{4}", codes)
    assert len(skipped) == len(wanted), explain(world)
    for code in wanted:
        assert any(code in line for line in skipped), f"no duplicate line names {code}:" + explain(world)


# --- audit: someone edits the database behind the programme's back ------------------------------


@given(parsers.parse('someone changed the name in the audit entry of that registration to "{name}", '
                     'directly in the database'))
def _(programme, world, name):
    from reentry_core.services.audit import canonical_json
    from reentry_core.storage import tables as t

    ev = t.audit_event
    with programme.engine.begin() as conn:
        row = conn.execute(sa.select(ev).where(ev.c.action == "participant.register")).one()
        after = json.loads(row.after)
        assert after["full_name"] != name
        after["full_name"] = name
        conn.execute(ev.update().where(ev.c.seq == row.seq).values(after=canonical_json(after)))
    world["tampered"] = row.seq


@given("someone deleted the last audit entry, directly in the database")
def _(programme):
    from reentry_core.storage import tables as t

    ev = t.audit_event
    with programme.engine.begin() as conn:
        last = conn.execute(sa.select(sa.func.max(ev.c.seq))).scalar_one()
        conn.execute(ev.delete().where(ev.c.seq == last))


@then(parsers.parse('the check fails, saying "{text}"'))
def _(world, text):
    result = last_result(world)
    assert result.exit_code == 6, "expected exit code 6 (audit trail tampered with):" + explain(world)
    assert "intact" not in result.output, explain(world)
    assert text in result.output, explain(world)


@then(parsers.parse("it names the registration of {code} as changed after it was written"))
def _(world, code):
    expected = f"event {world['tampered']} (participant.register {code}) was changed after it was written"
    assert expected in last_result(world).output, explain(world)


# --- staff who leave or move -----------------------------------------------------------------


@given(parsers.parse("the mentor {mentor} mentors {first} and {second}"))
def _(programme, admin, mentor, first, second):
    if "mentoring" not in programme.services:
        pytest.skip("the mentoring plugin is not loaded")
    for code in (mentor, "DSH-MN2"):
        admin.mentoring.set_profile(code, sex="male", capacity=5, languages="tg,ru")
    for participant in (first, second):
        admin.mentoring.assign(participant, mentor)


@given(parsers.parse('the case worker {code} referred {participant} to "{to_whom}" for {service} help'))
def _(programme, code, participant, to_whom, service):
    programme.act_as(code).referrals.add(participant, service, to_whom, f"{service} help")


@given("the programme's database is a SQLite file in the administrator's folder")
def _(database_url, tmp_path, monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("db backup and db restore copy SQLite files; a PostgreSQL server has pg_dump and pg_restore")
    monkeypatch.chdir(tmp_path)  # where the administrator types the backup's file name


@when("nobody else has the database open")
def _(programme):
    programme.close()  # the scenario's own connections, like another reentry window


# --- data protection ------------------------------------------------------------------------


@given(parsers.parse("{mentor}, a mentor at head office, mentors {code}"))
def _(admin, mentor, code):
    admin.staff.add(mentor, "Фарида Каримова", ["mentor"], None)
    admin.mentoring.set_profile(mentor, centre="DSH", sex="female", capacity=5, languages="tg")
    admin.mentoring.assign(code, mentor)
