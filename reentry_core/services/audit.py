"""The audit trail: append-only events, hash-chained so an edited or deleted row shows.

Each event's hash covers its own fields and the previous event's hash. The newest
number and hash are kept in ``audit_head`` (locked by every writer, so the chain never
forks), which lets ``verify`` also notice events cut from the end.

Most events are about one record (``entity_key``). A *batch event* is about many (one
batch of an import): its ``after`` holds ``{"records": {key: record, ...}}``, its
``record_keys`` lists the keys (hashed with the event), and ``audit_event_key`` indexes
them so ``log(key=...)`` finds the batch and shows just that record.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import date, datetime, timezone
from typing import Any

import attrs
import sqlalchemy as sa

from ..domain import AuditEvent
from ..i18n import _
from ..storage import tables as t
from ..storage.bulk import BulkInsert

GENESIS = "0" * 64


def canonical_json(value: Any) -> str | None:
    """The exact text that is stored and hashed: sorted keys, no spaces, UTF-8."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_jsonable)


_BATCH_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def batch_json(value: dict) -> str:
    """The stored (and hashed) text of a batch event: records in the order given, fields
    in their declared order. Not re-sorted: it is this exact text that is hashed, and a
    thousand records sort slowly. Values must be plain (strings, numbers, lists, dicts)."""
    return _BATCH_ENCODER.encode(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    return str(value)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(seq: int, at: datetime, actor: str, action: str, entity: str, key: str,
               before: str | None, after: str | None, prev_hash: str, record_keys: str | None = None) -> str:
    fields = [str(seq), _utc_text(at), actor, action, entity, key, before or "", after or "", prev_hash]
    if record_keys is not None:  # only batch events have them: the hash of every other event is unchanged
        fields.append(record_keys)
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


@attrs.define
class PendingEvent:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_key: str
    before: str | None
    after: str | None
    record_keys: tuple[str, ...] | None = None


# Built once: every write of every user action runs these three.
_READ_HEAD = sa.select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1).with_for_update()
_INSERT_EVENT = t.audit_event.insert()
_MOVE_HEAD = t.audit_head.update().where(t.audit_head.c.id == 1).values(
    seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))


def write_events(conn: sa.Connection, events: list[PendingEvent]) -> None:
    """Chain and insert buffered events; called once, at the end of the transaction."""
    if not events:
        return
    head = conn.execute(_READ_HEAD).one()
    seq, prev = head.seq, head.hash
    rows = []
    index = []
    for ev in events:
        seq += 1
        keys = ",".join(ev.record_keys) if ev.record_keys is not None else None
        digest = event_hash(seq, ev.at, ev.actor, ev.action, ev.entity, ev.entity_key, ev.before, ev.after, prev,
                            keys)
        rows.append({
            "seq": seq, "at": ev.at, "actor": ev.actor, "action": ev.action, "entity": ev.entity,
            "entity_key": ev.entity_key, "before": ev.before, "after": ev.after, "prev_hash": prev, "hash": digest,
            "record_keys": keys,
        })
        if ev.record_keys:
            index.extend((key, seq) for key in ev.record_keys)
        prev = digest
    conn.execute(_INSERT_EVENT, rows)
    if index:
        BulkInsert(conn, t.audit_event_key, ["entity_key", "seq"]).run_tuples(index)
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _event(row, key: str | None = None) -> AuditEvent:
    after = json.loads(row.after) if row.after else None
    if key is not None and row.record_keys is not None and isinstance(after, dict) and "records" in after:
        after = {**after, "records": {k: v for k, v in after["records"].items() if k == key}}  # just the one asked for
    return AuditEvent(
        seq=row.seq, at=_as_utc(row.at), actor=row.actor, action=row.action, entity=row.entity,
        entity_key=row.entity_key, before=json.loads(row.before) if row.before else None,
        after=after, prev_hash=row.prev_hash, hash=row.hash,
        record_keys=tuple(row.record_keys.split(",")) if row.record_keys else None,
    )


def query_events(conn: sa.Connection, *, entity=None, key=None, actor=None, action=None,
                 since: datetime | None = None, until: datetime | None = None,
                 limit: int | None = None, newest_first: bool = True) -> list[AuditEvent]:
    ev = t.audit_event
    query = sa.select(ev)
    if entity:
        query = query.where(ev.c.entity == entity)
    if key:
        in_batch = sa.select(t.audit_event_key.c.seq).where(t.audit_event_key.c.entity_key == key)
        query = query.where(sa.or_(ev.c.entity_key == key, ev.c.seq.in_(in_batch)))
    if actor:
        query = query.where(ev.c.actor == actor.upper())
    if action:
        query = query.where(ev.c.action.like(action.replace("*", "%")))
    if since:
        query = query.where(ev.c.at >= since)
    if until:
        query = query.where(ev.c.at < until)
    query = query.order_by(ev.c.seq.desc() if newest_first else ev.c.seq)
    if limit:
        query = query.limit(limit)
    return [_event(row, key) for row in conn.execute(query)]


@attrs.frozen
class VerifyResult:
    checked: int
    head_seq: int
    head_hash: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(conn: sa.Connection) -> VerifyResult:
    """Recompute every hash in order; report edits, gaps, and a cut-off end."""
    problems: list[str] = []
    head = conn.execute(sa.select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1)).one()
    expected_seq, prev = 0, GENESIS
    checked = 0
    batch_events: list[tuple[int, str]] = []
    rows = conn.execution_options(yield_per=2000).execute(sa.select(t.audit_event).order_by(t.audit_event.c.seq))
    for row in rows:
        checked += 1
        expected_seq += 1
        if row.seq != expected_seq:
            problems.append(
                _("events {a}–{b} are missing (deleted)").format(a=expected_seq, b=row.seq - 1)
                if row.seq > expected_seq else _("event {n} appears twice").format(n=row.seq)
            )
            expected_seq = row.seq
        if row.prev_hash != prev:
            problems.append(_("event {n} does not follow the event before it").format(n=row.seq))
        digest = event_hash(row.seq, _as_utc(row.at), row.actor, row.action, row.entity, row.entity_key,
                            row.before, row.after, row.prev_hash, row.record_keys)
        if digest != row.hash:
            problems.append(_("event {n} ({action} {key}) was changed after it was written").format(
                n=row.seq, action=row.action, key=row.entity_key))
        if row.record_keys:
            batch_events.append((row.seq, row.record_keys))
        prev = row.hash
    if head.seq != expected_seq or head.hash != prev:
        if head.seq > expected_seq:
            problems.append(_("events {a}–{b} at the end are missing (deleted)").format(a=expected_seq + 1, b=head.seq))
        else:
            problems.append(_("the chain's recorded end (event {n}) does not match its last event").format(n=head.seq))
    problems.extend(_index_problems(conn, batch_events))
    return VerifyResult(checked, head.seq, head.hash, tuple(problems))


def _index_problems(conn: sa.Connection, batch_events: list[tuple[int, str]]) -> list[str]:
    """The key index must list exactly the keys each batch event names (it is what
    ``log(key=...)`` searches, so a removed entry would hide a record's history)."""
    k = t.audit_event_key
    expected = dict(batch_events)  # seq → the comma-separated keys the event holds
    problems = []
    rows = conn.execution_options(yield_per=5000).execute(sa.select(k.c.seq, k.c.entity_key).order_by(k.c.seq))
    for seq, group in itertools.groupby(rows, key=lambda row: row[0]):
        if set(expected.pop(seq, "").split(",")) != {key for _seq, key in group}:
            problems.append(_("the key index of event {n} does not match the records it holds").format(n=seq))
    problems.extend(_("the key index of event {n} does not match the records it holds").format(n=seq)
                    for seq in sorted(expected))  # events whose index entries are gone
    return problems
