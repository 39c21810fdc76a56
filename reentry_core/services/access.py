"""Who looked: the access log of views and exports of identifiable records.

Kept apart from the change trail (a view changes nothing, and the trail's readers — M&E —
should not learn from it who is being looked at), but tamper-evident the same way: each
entry's hash covers its fields and the previous entry's hash, and ``access_head`` (locked
by each writer) holds the newest, so an edited, removed or cut entry shows in
``verify``. An entry says who, when, what (``participants.show``, ``participants.list``,
``participants.export`` …), how many people, the filter or file, and the codes of the
people seen (up to :data:`ACCESS_KEYS`; a bigger view keeps its count and filter, and is
found by ``--staff``, not ``--key``). Written in its own transaction before the records
are handed back: a view that cannot be logged is not shown.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Iterable

import attrs
import sqlalchemy as sa

from ..storage import tables as t
from ..storage.bulk import BulkInsert
from .audit import GENESIS, _as_utc, _utc_text

#: The most codes an entry keeps (a whole centre's register keeps its count and filter).
ACCESS_KEYS = 1000

_E, _K, _H = t.access_event, t.access_event_key, t.access_head


@attrs.frozen
class AccessEvent:
    seq: int
    at: datetime
    actor: str
    action: str
    people: int
    detail: str | None
    record_keys: tuple[str, ...]


def entry_hash(seq: int, at: datetime, actor: str, action: str, people: int, detail: str | None,
               keys: str | None, prev: str) -> str:
    fields = [str(seq), _utc_text(at), actor, action, str(people), detail or "", keys or "", prev]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def record(ctx, action: str, codes: Iterable[str], detail: str | None = None, people: int | None = None) -> None:
    """Log that ``ctx``'s member saw the people ``codes`` (``people``: how many, when the
    codes are not all known, e.g. an export)."""
    codes = list(dict.fromkeys(str(c) for c in codes if c))
    count = len(codes) if people is None else people
    if not count:
        return
    kept = codes[:ACCESS_KEYS] if len(codes) <= ACCESS_KEYS else []
    at = ctx.programme.clock.now()
    with ctx.programme.engine.connect() as conn:
        with conn.begin():
            head = conn.execute(sa.select(_H.c.seq, _H.c.hash).where(_H.c.id == 1).with_for_update()).one()
            seq = head.seq + 1
            keys = ",".join(kept) if kept else None
            digest = entry_hash(seq, at, ctx.code, action, count, detail, keys, head.hash)
            conn.execute(_E.insert().values(seq=seq, at=at, actor=ctx.code, action=action, people=count,
                                            detail=detail, record_keys=keys, prev_hash=head.hash, hash=digest))
            if kept:
                BulkInsert(conn, _K, ["entity_key", "seq"]).run_tuples([(code, seq) for code in kept])
            conn.execute(_H.update().where(_H.c.id == 1).values(seq=seq, hash=digest))


def _entry(row) -> AccessEvent:
    return AccessEvent(row.seq, _as_utc(row.at), row.actor, row.action, row.people, row.detail,
                       tuple(row.record_keys.split(",")) if row.record_keys else ())


@attrs.frozen
class AccessCheck:
    checked: int
    head_hash: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


class AccessService:
    """``ctx.access``: the access log, for admins (``access.view``)."""

    def __init__(self, ctx):
        self.ctx = ctx

    def log(self, *, key: str | None = None, staff: str | None = None, limit: int | None = 100) -> list[AccessEvent]:
        """Views and exports, newest first: of participant ``key``, or by ``staff``."""
        self.ctx.require("access.view")
        with self.ctx.reading() as conn:
            query = sa.select(_E).order_by(_E.c.seq.desc())
            if key:
                query = query.where(_E.c.seq.in_(sa.select(_K.c.seq).where(_K.c.entity_key == key.strip().upper())))
            if staff:
                query = query.where(_E.c.actor == staff.strip().upper())
            if limit:
                query = query.limit(limit)
            return [_entry(row) for row in conn.execute(query)]

    def verify(self) -> AccessCheck:
        """Recompute the chain: an edited, removed or cut entry is reported."""
        self.ctx.require("access.view")
        problems: list[str] = []
        with self.ctx.reading() as conn:
            head = conn.execute(sa.select(_H.c.seq, _H.c.hash).where(_H.c.id == 1)).one()
            prev, expected, count = GENESIS, 0, 0
            index: dict[int, set[str]] = {}
            for key, seq in conn.execute(sa.select(_K.c.entity_key, _K.c.seq)):
                index.setdefault(seq, set()).add(key)
            for row in conn.execute(sa.select(_E).order_by(_E.c.seq)):
                expected += 1
                count += 1
                if row.seq != expected:
                    problems.append(f"access entry {expected} is missing (next is {row.seq})")
                    expected = row.seq
                if row.prev_hash != prev:
                    problems.append(f"access entry {row.seq} does not follow the one before it")
                digest = entry_hash(row.seq, _as_utc(row.at), row.actor, row.action, row.people, row.detail,
                                    row.record_keys, row.prev_hash)
                if digest != row.hash:
                    problems.append(f"access entry {row.seq} ({row.action} by {row.actor}) was changed after it "
                                    "was written")
                if set(row.record_keys.split(",") if row.record_keys else ()) != index.pop(row.seq, set()):
                    problems.append(f"the index of access entry {row.seq} does not match its people")
                prev = row.hash
            if head.seq != expected or head.hash != prev:
                problems.append(f"the access log ends at entry {expected}, but its head says {head.seq}: "
                                "entries were cut from the end")
        return AccessCheck(count, prev, tuple(problems))


__all__ = ["AccessService", "AccessEvent", "record", "ACCESS_KEYS", "datetime", "timezone"]
