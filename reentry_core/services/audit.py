"""The audit trail: append-only events, hash-chained so an edited or deleted row shows.

Each event's hash covers its own fields and the previous event's hash. The newest
number and hash are kept in ``audit_head`` (locked by every writer, so the chain never
forks), which lets ``verify`` also notice events cut from the end.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from typing import Any

import attrs
import sqlalchemy as sa

from ..domain import AuditEvent
from ..i18n import _
from ..storage import tables as t

GENESIS = "0" * 64


def canonical_json(value: Any) -> str | None:
    """The exact text that is stored and hashed: sorted keys, no spaces, UTF-8."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    return str(value)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(seq: int, at: datetime, actor: str, action: str, entity: str, key: str,
               before: str | None, after: str | None, prev_hash: str) -> str:
    payload = "\x1f".join(
        [str(seq), _utc_text(at), actor, action, entity, key, before or "", after or "", prev_hash]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@attrs.define
class PendingEvent:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_key: str
    before: str | None
    after: str | None


def write_events(conn: sa.Connection, events: list[PendingEvent]) -> None:
    """Chain and insert buffered events; called once, at the end of the transaction."""
    if not events:
        return
    head = conn.execute(
        sa.select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1).with_for_update()
    ).one()
    seq, prev = head.seq, head.hash
    rows = []
    for ev in events:
        seq += 1
        digest = event_hash(seq, ev.at, ev.actor, ev.action, ev.entity, ev.entity_key, ev.before, ev.after, prev)
        rows.append({
            "seq": seq, "at": ev.at, "actor": ev.actor, "action": ev.action, "entity": ev.entity,
            "entity_key": ev.entity_key, "before": ev.before, "after": ev.after, "prev_hash": prev, "hash": digest,
        })
        prev = digest
    conn.execute(t.audit_event.insert(), rows)
    conn.execute(t.audit_head.update().where(t.audit_head.c.id == 1).values(seq=seq, hash=prev))


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _event(row) -> AuditEvent:
    return AuditEvent(
        seq=row.seq, at=_as_utc(row.at), actor=row.actor, action=row.action, entity=row.entity,
        entity_key=row.entity_key, before=json.loads(row.before) if row.before else None,
        after=json.loads(row.after) if row.after else None, prev_hash=row.prev_hash, hash=row.hash,
    )


def query_events(conn: sa.Connection, *, entity=None, key=None, actor=None, action=None,
                 since: datetime | None = None, until: datetime | None = None,
                 limit: int | None = None, newest_first: bool = True) -> list[AuditEvent]:
    ev = t.audit_event
    query = sa.select(ev)
    if entity:
        query = query.where(ev.c.entity == entity)
    if key:
        query = query.where(ev.c.entity_key == key)
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
    return [_event(row) for row in conn.execute(query)]


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
                            row.before, row.after, row.prev_hash)
        if digest != row.hash:
            problems.append(_("event {n} ({action} {key}) was changed after it was written").format(
                n=row.seq, action=row.action, key=row.entity_key))
        prev = row.hash
    if head.seq != expected_seq or head.hash != prev:
        if head.seq > expected_seq:
            problems.append(_("events {a}–{b} at the end are missing (deleted)").format(a=expected_seq + 1, b=head.seq))
        else:
            problems.append(_("the chain's recorded end (event {n}) does not match its last event").format(n=head.seq))
    return VerifyResult(checked, head.seq, head.hash, tuple(problems))
