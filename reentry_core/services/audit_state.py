"""The data against the trail: does each row still say what its audited changes made it say?

The chain (:mod:`.audit`) proves the trail was not rewritten; it cannot see a row of a
data table changed directly in the database (an UPDATE typed into ``sqlite3`` or
``psql``), which writes no event. So ``audit verify`` also replays the trail: each
:class:`AuditedTable` (the core's participants, consents, referrals, staff and centres;
each plugin's own through the ``audited_tables`` hook) says which actions change its rows
and what each one leaves in a row, and how to read its rows as the trail writes them. A
field that differs, a row in the data that no event made, or one the trail made but the
data no longer holds, is a problem naming the row, the field and the event.

Rows about a person who was erased are not compared: erasure replaced what the trail said
of them by digests (:mod:`.erasure`), and their participant row is checked against the
erasure event itself.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator

import attrs
import sqlalchemy as sa

from ..i18n import _
from ..storage import tables as t
from .audit import is_erased, plain

#: Lines kept per check; the count is exact.
MAX_LINES = 50

_E = t.audit_event


@attrs.frozen
class TrailEvent:
    """One audit event as a replay reads it."""

    seq: int
    action: str
    key: str
    #: the event's ``after`` payload, parsed (``None`` when it wrote none)
    after: Any
    batch: bool

    def records(self) -> Iterator[tuple[str, Any]]:
        """``(key, record)`` for each record the event states: every record of a batch
        event, or the event's own payload under its key. Erased records (and an event that
        wrote none) are left out: what the trail said of an erased person is gone, and their
        rows are not compared."""
        if not self.batch:
            found = [(self.key, self.after)]
        elif isinstance(self.after, dict) and not is_erased(self.after):
            found = self.after.get("records", {}).items()
        else:
            found = []
        for key, record in found:
            if record is not None and not is_erased(record):
                yield key, record


class Replay:
    """What the trail says each row of one table holds, built event by event.

    ``said`` maps a row's key to ``(event, fields)``, or ``(event, None)`` once the trail
    deleted it. ``memo`` is the table's own scratch space (e.g. a person's consent in force)."""

    def __init__(self) -> None:
        self.said: dict[str, tuple[int, dict[str, Any] | None]] = {}
        self.memo: dict[Any, Any] = {}

    def put(self, key: str, seq: int, fields: Any) -> None:
        """The row ``key`` is now ``fields`` (every field the trail states). An erased
        record is skipped: its person's rows are not compared."""
        if fields is not None and not is_erased(fields):
            self.said[key] = (seq, dict(fields))

    def merge(self, key: str, seq: int, fields: dict[str, Any]) -> None:
        """Some of the row's fields changed (a transfer moves only the centre)."""
        earlier = self.said.get(key, (seq, {}))[1] or {}
        self.said[key] = (seq, {**earlier, **fields})

    def unstated(self, key: str, *fields: str) -> None:
        """The trail no longer says what these fields of the row hold (an event changed
        them without stating the new values): they are not compared until it does again."""
        found = self.said.get(key)
        if found and found[1] is not None:
            self.said[key] = (found[0], {k: v for k, v in found[1].items() if k not in fields})

    def delete(self, key: str, seq: int) -> None:
        self.said[key] = (seq, None)

    def get(self, key: str) -> dict[str, Any] | None:
        found = self.said.get(key)
        return found[1] if found else None


@attrs.frozen
class DataRow:
    """A row of the data as the trail writes it (dates as ISO text, money as text, codes
    instead of ids), with the person it is about (``None``: about nobody)."""

    key: str
    fields: dict[str, Any]
    person: str | None = None


@attrs.frozen
class AuditedTable:
    """One data table compared with the trail.

    ``label`` names a row in a problem line, with ``{key}`` (in the reader's language:
    build it inside the hook). ``replay(state, event)`` is called for every event whose
    action is in ``actions``, in order, and records what the event leaves in the rows
    (:meth:`Replay.put`, :meth:`Replay.merge`, :meth:`Replay.delete`). ``rows(conn)``
    yields the table's :class:`DataRow` s. Only the fields both sides state are compared."""

    label: str
    actions: tuple[str, ...]
    replay: Callable[[Replay, TrailEvent], None]
    rows: Callable[[sa.Connection], Iterable[DataRow]]


def as_audited(value: Any) -> Any:
    """``value`` as an audit payload holds it once read back: attrs objects unstructured,
    dates as ISO text, decimals as text, sets as sorted lists. Rows' plain values are
    turned directly (a national programme's rows are hundreds of thousands); anything else
    goes through the JSON the trail is written in."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: as_audited(item) for key, item in value.items()}
    return json.loads(json.dumps(plain(value), default=_text))


def _text(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _events(conn: sa.Connection, actions: Iterable[str]) -> Iterator[TrailEvent]:
    rows = conn.execution_options(yield_per=500).execute(
        sa.select(_E.c.seq, _E.c.action, _E.c.entity_key, _E.c.after, _E.c.record_keys)
        .where(_E.c.action.in_(sorted(set(actions)))).order_by(_E.c.seq))
    for seq, action, key, after, record_keys in rows:
        yield TrailEvent(seq, action, key, json.loads(after) if after else None, bool(record_keys))


def problems(conn: sa.Connection, tables: list[AuditedTable]) -> list[str]:
    """Each row whose data differs from what its audited changes made it, one line each
    naming the row, the field and the event (the first :data:`MAX_LINES`, then a count)."""
    states = [Replay() for _table in tables]
    by_action: dict[str, list[tuple[AuditedTable, Replay]]] = defaultdict(list)
    for table, state in zip(tables, states):
        for action in table.actions:
            by_action[action].append((table, state))
    aliases: dict[str, str] = {}  # a merged record's code → the code of the record kept
    for event in _events(conn, {*by_action, *ALIASING}):
        if event.action in ALIASING:
            aliases.update((record[ALIASING[event.action]], code) for code, record in event.records())
        for table, state in by_action.get(event.action, ()):
            table.replay(state, event)
    erased = set(conn.execute(sa.select(t.participant.c.code).where(t.participant.c.erased_on.is_not(None))).scalars())
    lines: list[str] = []
    count = 0
    for table, state in zip(tables, states):
        for line in _differences(conn, table, state, erased, aliases):
            count += 1
            if len(lines) < MAX_LINES:
                lines.append(line)
    if count > len(lines):
        lines.append(_("… and {n} more differences between the data and the trail").format(n=count - len(lines)))
    return lines


def _kept(aliases: dict[str, str], value: Any) -> Any:
    """``value``, or the code of the record kept when it is the code of one merged into it
    (through every later merge): a row about the person now names the one kept."""
    while isinstance(value, str) and value in aliases:
        value = aliases[value]
    return value


def _differences(conn: sa.Connection, table: AuditedTable, state: Replay, erased: set[str],
                 aliases: dict[str, str]) -> Iterator[str]:
    said = dict(state.said)
    for row in table.rows(conn):
        if row.person in erased:
            said.pop(row.key, None)
            continue
        what = table.label.format(key=row.key)
        seq, fields = said.pop(row.key, (None, None))
        if fields is None:
            yield _("{what} is in the data but no audited change made it: the row was added outside "
                    "reentry").format(what=what)
            continue
        for field, then in fields.items():
            if aliases:
                then = _kept(aliases, then)
            if field in row.fields and row.fields[field] != then:
                yield _("{what}: {field} is {now!r} in the data but {then!r} after its last audited change "
                        "(event {n}): the row was changed outside reentry").format(
                    what=what, field=field, now=row.fields[field], then=then, n=seq)
    for key, (seq, fields) in sorted(said.items()):
        if fields is not None:
            yield _("{what} is in the trail (event {n}) but not in the data: the row was deleted outside "
                    "reentry").format(what=table.label.format(key=key), n=seq)


# --- the core's tables ---------------------------------------------------------------------------

#: The participant's fields the trail and the data must agree on.
PARTICIPANT_FIELDS = ("full_name", "sex", "birth_date", "centre", "registered_on", "phone", "release_date",
                      "facility", "offence_category", "status", "exit_reason", "exited_on", "exit_note")
#: The actions that give a participant's whole record, and the one that moves only the centre.
WHOLE = ("participant.register", "participant.import", "participant.update", "participant.exit",
         "participant.readmit", "participant.erase")
MOVED = "participant.transfer"
#: Two records of one person merged: the one named ``merged`` goes, the key's stays.
MERGED = "participant.merge"
#: A registration at the wrong centre corrected: the person's code ``was`` is the key's now.
RECENTRED = "participant.recentre"
#: The events after which a code no longer names a person but finds another (an alias).
ALIASING = {MERGED: "merged", RECENTRED: "was"}


def _replay_participant(state: Replay, event: TrailEvent) -> None:
    for code, record in event.records():
        if event.action in ALIASING:
            state.delete(record[ALIASING[event.action]], event.seq)
        if event.action == MOVED:
            state.merge(code, event.seq, {"centre": record.get("centre")})
        else:
            state.put(code, event.seq, {field: record.get(field) for field in PARTICIPANT_FIELDS})


def _participant_rows(conn: sa.Connection) -> Iterator[DataRow]:
    """Read straight from the rows: 60,000 attrs objects would cost seconds."""
    from .participant_store import select_participants

    for row in conn.execution_options(yield_per=2000).execute(select_participants().order_by(t.participant.c.id)):
        person = {field: as_audited(getattr(row, field)) for field in PARTICIPANT_FIELDS if field != "centre"}
        person["centre"] = row.centre_code
        yield DataRow(row.code, person)  # the erasure event is what the row is checked against


def _replay_consent(state: Replay, event: TrailEvent) -> None:
    """A consent is keyed by its person and its place in their history (``CODE/2``: their
    second), as each person's consents are recorded in order; recording one ends the one in
    force (``withdrawn_on``), as the service does."""
    for code, record in event.records():
        if event.action == MERGED:  # both records' consents are the kept one's now, in the order recorded
            for person in (code, record["merged"]):
                for number in range(1, state.memo.pop(person, 0) + 1):
                    state.delete(f"{person}/{number}", event.seq)
            state.memo[code] = len(record["consents"])
            for number, consent in enumerate(record["consents"], 1):
                state.put(f"{code}/{number}", event.seq, {**consent, "scope": sorted(consent["scope"])})
            continue
        if event.action == RECENTRED:  # the same consents, under the person's new code
            count = state.memo.pop(record["was"], 0)
            for number in range(1, count + 1):
                said = state.said.pop(f"{record['was']}/{number}", None)
                if said is not None:
                    state.said[f"{code}/{number}"] = said
            state.memo[code] = count
            continue
        fields = {"given_on": record["given_on"], "scope": sorted(record["scope"]),
                  "withdrawn_on": record.get("withdrawn_on")}
        count = state.memo.get(code, 0)
        if event.action == "consent.record":
            in_force = f"{code}/{count}"
            if count and (state.get(in_force) or {}).get("withdrawn_on") is None:
                state.merge(in_force, event.seq, {"withdrawn_on": record["given_on"]})
            state.memo[code] = count + 1
            state.put(f"{code}/{count + 1}", event.seq, fields)
        else:  # withdrawn: the one in force, the latest
            state.merge(f"{code}/{count}", event.seq, {"withdrawn_on": fields["withdrawn_on"]})


def _consent_rows(conn: sa.Connection) -> Iterator[DataRow]:
    c, p = t.consent, t.participant
    seen: dict[str, int] = defaultdict(int)
    for code, given_on, scope, withdrawn_on in conn.execution_options(yield_per=2000).execute(
            sa.select(p.c.code, c.c.given_on, c.c.scope, c.c.withdrawn_on).select_from(c.join(p))
            .order_by(c.c.participant_id, c.c.id)):
        seen[code] += 1
        yield DataRow(f"{code}/{seen[code]}", {
            "given_on": as_audited(given_on), "scope": sorted(filter(None, scope.split(","))),
            "withdrawn_on": as_audited(withdrawn_on)}, code)


_REFERRAL_FIELDS = ("participant", "service_type", "to_whom", "reason", "status", "opened_on", "accepted_on",
                    "closed_on", "note")


def _replay_referral(state: Replay, event: TrailEvent) -> None:
    """A referral's own events state it whole; an exit cancels the person's open ones
    (the exit event lists them; the day closed and the note, in the language of the day,
    it does not state)."""
    if event.action == "participant.exit":
        for ident in (event.after or {}).get("referrals_cancelled") or ():
            state.merge(str(ident), event.seq, {"status": "cancelled"})
            state.unstated(str(ident), "closed_on", "note")
        return
    for key, record in event.records():
        state.put(key, event.seq, {field: record.get(field) for field in _REFERRAL_FIELDS})


def _referral_rows(conn: sa.Connection) -> Iterator[DataRow]:
    """Read raw, not parsed: a row changed outside reentry may hold what no parser accepts."""
    r, p = t.referral, t.participant
    for row in conn.execution_options(yield_per=2000).execute(
            sa.select(r, p.c.code.label("participant")).select_from(r.join(p)).order_by(r.c.id)):
        fields = {field: as_audited(getattr(row, field)) for field in _REFERRAL_FIELDS}
        yield DataRow(str(row.id), fields, row.participant)


_STAFF_FIELDS = ("full_name", "centre", "active", "roles")


def _replay_staff(state: Replay, event: TrailEvent) -> None:
    for key, record in event.records():
        state.put(key, event.seq, {**{field: record.get(field) for field in _STAFF_FIELDS},
                                   "roles": sorted(record.get("roles") or ())})


def _staff_rows(conn: sa.Connection) -> Iterator[DataRow]:
    s, c = t.staff, t.centre
    roles: dict[int, list[str]] = defaultdict(list)
    for staff_id, role in conn.execute(sa.select(t.staff_role.c.staff_id, t.staff_role.c.role)):
        roles[staff_id].append(role)
    for row in conn.execute(sa.select(s.c.id, s.c.code, s.c.full_name, s.c.active, c.c.code.label("centre"))
                            .select_from(s.outerjoin(c)).order_by(s.c.id)):
        yield DataRow(row.code, {"full_name": row.full_name, "centre": row.centre, "active": bool(row.active),
                             "roles": sorted(roles[row.id])})


def _replay_centre(state: Replay, event: TrailEvent) -> None:
    for key, record in event.records():
        state.put(key, event.seq, {field: record.get(field) for field in ("name", "city")})


def _centre_rows(conn: sa.Connection) -> Iterator[DataRow]:
    for code, name, city in conn.execute(sa.select(t.centre.c.code, t.centre.c.name, t.centre.c.city)):
        yield DataRow(code, {"name": name, "city": city})


def core_tables() -> list[AuditedTable]:
    """The core's tables, in the order their problems are listed (built when asked, so the
    labels are in the reader's language)."""
    return [
        AuditedTable(_("participant {key}"), (*WHOLE, MOVED, *ALIASING), _replay_participant, _participant_rows),
        AuditedTable(_("consent {key}"), ("consent.record", "consent.withdraw", *ALIASING), _replay_consent,
                     _consent_rows),
        AuditedTable(_("referral {key}"), ("referral.open", "referral.update", "referral.edit", "referral.reopen",
                                           "participant.exit"), _replay_referral, _referral_rows),
        AuditedTable(_("staff member {key}"), ("staff.bootstrap", "staff.add", "staff.roles", "staff.deactivate",
                                               "staff.reactivate", "staff.move"), _replay_staff, _staff_rows),
        AuditedTable(_("centre {key}"), ("centre.add", "centre.edit"), _replay_centre, _centre_rows),
    ]
