"""The data against the trail: does each participant's row still say what its audited
changes made it say?

The chain (:mod:`.audit`) proves the trail was not rewritten; it cannot see a row of a
data table changed directly in the database (an UPDATE typed into ``sqlite3`` or
``psql``), which writes no event. This check replays the participants' audited changes —
registration, import, update, exit, readmission, transfer, erasure — and compares the result with
each row: a field that differs, a person in the data with no audited registration, or one
in the trail but no longer in the data, is reported by ``audit verify``.

What it covers is the participant record (name, sex, birth date, centre, contact,
release, facility, offence, status and exit). Consents, referrals and the plugins' tables
are not compared yet (README, "What the audit trail detects").
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import sqlalchemy as sa

from ..i18n import _
from ..storage import tables as t
from .audit import is_erased
from .participant_store import select_participants

#: The participant's fields the trail and the data must agree on.
FIELDS = ("full_name", "sex", "birth_date", "centre", "registered_on", "phone", "release_date", "facility",
          "offence_category", "status", "exit_reason", "exited_on", "exit_note")
#: The actions that give a participant's whole record, and the one that moves only the centre.
WHOLE = ("participant.register", "participant.import", "participant.update", "participant.exit",
         "participant.readmit", "participant.erase")
MOVED = "participant.transfer"
#: Lines kept per check; the count is exact.
MAX_LINES = 50

_E = t.audit_event


def _audited(conn: sa.Connection) -> Iterator[tuple[int, str, str, dict]]:
    """``(event, action, code, record)`` for every audited change of a participant record."""
    rows = conn.execution_options(yield_per=500).execute(
        sa.select(_E.c.seq, _E.c.action, _E.c.entity_key, _E.c.after, _E.c.record_keys)
        .where(_E.c.entity == "participant", _E.c.action.in_((*WHOLE, MOVED)))
        .order_by(_E.c.seq))
    for seq, action, key, after, record_keys in rows:
        data = json.loads(after) if after else {}
        if record_keys:
            for code, record in data.get("records", {}).items():
                yield seq, action, code, record
        else:
            yield seq, action, key, data


_DATES = frozenset({"birth_date", "registered_on", "release_date", "exited_on"})


def _as_audited(row) -> dict[str, Any]:
    """A participant row's fields as the audit trail writes them (dates as ISO text, the
    centre by code): read straight from the row, as 60,000 attrs objects would cost
    seconds."""
    person = {field: getattr(row, field) for field in FIELDS if field != "centre"}
    for field in _DATES:
        if person[field] is not None:
            person[field] = person[field].isoformat()
    person["centre"] = row.centre_code
    return person


def participant_problems(conn: sa.Connection) -> list[str]:
    """Each participant whose row differs from what its audited changes made it, one line
    each naming the person, the field and the event (the first :data:`MAX_LINES`)."""
    said: dict[str, tuple[int, dict[str, Any]]] = {}
    for seq, action, code, record in _audited(conn):
        if is_erased(record):  # erased later: the erasure event says what the record became
            continue
        if action == MOVED:
            earlier = said.get(code, (seq, {}))[1]
            said[code] = (seq, {**earlier, "centre": record.get("centre")})
        else:
            said[code] = (seq, {field: record.get(field) for field in FIELDS})
    problems: list[str] = []
    count = 0

    def note(line: str) -> None:
        nonlocal count
        count += 1
        if len(problems) < MAX_LINES:
            problems.append(line)

    for row in conn.execution_options(yield_per=2000).execute(select_participants().order_by(t.participant.c.id)):
        person = _as_audited(row)
        code = row.code
        found = said.pop(code, None)
        if found is None:
            note(_("participant {code} is in the data but the trail never registered them: the row was added "
                   "outside reentry").format(code=code))
            continue
        seq, record = found
        for field in FIELDS:
            if field in record and record[field] != person.get(field):
                note(_("participant {code}: {field} is {now!r} in the data but {then!r} after its last audited "
                       "change (event {n}): the row was changed outside reentry").format(
                    code=code, field=field, now=person.get(field), then=record[field], n=seq))
    for code, (seq, _record) in sorted(said.items()):
        note(_("participant {code} is in the trail (event {n}) but not in the data: the row was deleted outside "
               "reentry").format(code=code, n=seq))
    if count > len(problems):
        problems.append(_("… and {n} more differences between the participants and the trail").format(
            n=count - len(problems)))
    return problems
