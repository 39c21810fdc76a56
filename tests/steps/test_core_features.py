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


def _write_rows(path, rows, encoding, errors="strict"):
    with path.open("w", encoding=encoding, errors=errors, newline="") as f:
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


@given(parsers.parse('a file "{name}" saved by Excel as "CSV (comma delimited)" on a Russian Windows with:'))
def _(tmp_path, monkeypatch, world, name, datatable):
    monkeypatch.chdir(tmp_path)
    _write_rows(tmp_path / name, datatable, "cp1251", errors="replace")  # Excel writes ? for ҷ ҳ ғ қ ӣ ӯ
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


# --- audit anchors: a checkpoint kept outside the database -----------------------------------

AUDIT_KEY = "the-dushanbe-programme-audit-key-on-a-usb-stick"


@given("the programme's audit key is set")
def _(monkeypatch):
    monkeypatch.setenv("REENTRY_AUDIT_KEY", AUDIT_KEY)


@given("the M&E officer works in a folder of their own")
def _(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@given(parsers.parse('the M&E officer {code} sent the checkpoint "{name}" to the donor'))
def _(type_command, tmp_path, monkeypatch, code, name):
    monkeypatch.chdir(tmp_path)
    result = type_command(f"reentry --as {code} audit anchor --out {name}")
    assert result.exit_code == 0, result.output


@then(parsers.parse('the file "{name}" holds the checkpoint, readable by the M&E officer alone'))
def _(tmp_path, name):
    import os
    import stat

    text = (tmp_path / name).read_text(encoding="utf-8")
    assert text.startswith("reentry audit anchor v1\n") and len(text.splitlines()) <= 8, text
    assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600


def _rechain(conn, start_seq: int) -> None:
    """Recompute every seal from ``start_seq`` on and the trail's end, as a forger would."""
    from reentry_core.services.audit import GENESIS, row_hash
    from reentry_core.storage import tables as t

    ev = t.audit_event
    rows = conn.execute(sa.select(ev).order_by(ev.c.seq)).all()
    prev = GENESIS
    for row in rows:
        if row.seq >= start_seq:
            digest = row_hash(row, prev)[0]
            conn.execute(ev.update().where(ev.c.seq == row.seq).values(prev_hash=prev, hash=digest, key_id=None))
            prev = digest
        else:
            prev = row.hash
    conn.execute(t.audit_head.update().values(seq=rows[-1].seq if rows else 0, hash=prev))


@given(parsers.parse("someone changed the phone of {code} directly in the database"))
def _(programme, code):
    from reentry_core.storage import tables as t

    with programme.engine.begin() as conn:
        conn.execute(t.participant.update().where(t.participant.c.code == code).values(phone="+992900000000"))


def _make_people_agree(conn) -> None:
    """The forger's second step: the people's records as the rewritten trail has them (those
    it no longer registers deleted, a name changed in it changed in the data)."""
    import json

    from reentry_core.services.participant_store import name_key
    from reentry_core.storage import tables as t

    ev, p = t.audit_event, t.participant
    said = {row.entity_key: json.loads(row.after) for row in conn.execute(
        sa.select(ev.c.entity_key, ev.c.after).where(ev.c.action == "participant.register"))}
    gone = sa.select(p.c.id).where(p.c.code.not_in(list(said)))
    conn.execute(t.consent.delete().where(t.consent.c.participant_id.in_(gone)))
    conn.execute(p.delete().where(p.c.code.not_in(list(said))))
    for code, record in said.items():
        conn.execute(p.update().where(p.c.code == code).values(full_name=record["full_name"],
                                                               name_key=name_key(record["full_name"])))


@given(parsers.re(r"someone (?P<what>emptied the audit trail and reset its end|cut off the last two audit entries "
                  r"and moved the trail's end back|changed a name in an audit entry and recomputed every seal after "
                  r"it), directly in the database, and made the people's records agree with it"))
def _(programme, what):
    from reentry_core.services.audit import GENESIS
    from reentry_core.storage import tables as t

    ev = t.audit_event
    with programme.engine.begin() as conn:
        last = conn.execute(sa.select(sa.func.max(ev.c.seq))).scalar_one()
        if what == "emptied the audit trail and reset its end":
            conn.execute(t.audit_event_key.delete())
            conn.execute(ev.delete())
            conn.execute(t.audit_head.update().values(seq=0, hash=GENESIS))
        elif what == "cut off the last two audit entries and moved the trail's end back":
            conn.execute(ev.delete().where(ev.c.seq > last - 2))
            _rechain(conn, last)  # nothing to recompute: just the end moved back
        elif what == "changed a name in an audit entry and recomputed every seal after it":
            row = conn.execute(sa.select(ev).where(ev.c.entity_key == "DSH-2026-0002")).one()
            conn.execute(ev.update().where(ev.c.seq == row.seq).values(
                after=row.after.replace("Мадина Сафарова", "Мадина Каримова")))
            _rechain(conn, row.seq)
        else:
            raise AssertionError(f"no step for: someone {what}")
        _make_people_agree(conn)


@given(parsers.parse('someone changed the number of events in "{name}"'))
def _(tmp_path, name):
    path = tmp_path / name
    text = path.read_text(encoding="utf-8")
    number = re.search(r"^events: (\d+)$", text, re.M).group(1)
    path.write_text(text.replace(f"events: {number}", f"events: {int(number) - 1}"), encoding="utf-8")


@when(parsers.parse('the {who} types "{command}" without the audit key'))
def _(type_command, monkeypatch, who, command):
    monkeypatch.delenv("REENTRY_AUDIT_KEY", raising=False)
    monkeypatch.delenv("REENTRY_AUDIT_KEY_FILE", raising=False)
    type_command(command)


# --- data protection ------------------------------------------------------------------------


@given(parsers.parse("{mentor}, a mentor at head office, mentors {code}"))
def _(admin, mentor, code):
    admin.staff.add(mentor, "Фарида Каримова", ["mentor"], None)
    admin.mentoring.set_profile(mentor, centre="DSH", sex="female", capacity=5, languages="tg")
    admin.mentoring.assign(code, mentor)
