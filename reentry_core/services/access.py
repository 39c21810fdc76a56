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

import contextlib
import fcntl
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import attrs
import sqlalchemy as sa

from ..files import create_private
from ..storage import engine as engines
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
    kept = codes if len(codes) <= ACCESS_KEYS else []
    entry = {"at": _utc_text(ctx.programme.clock.now()), "actor": ctx.code, "action": action, "people": count,
             "detail": detail, "keys": ",".join(kept) if kept else None}
    engine = ctx.programme.engine
    spill = _spill_path(engine)
    if spill is None:  # PostgreSQL: a viewer waits only for another viewer's entry
        with engines.writing(engine) as conn:
            _write(conn, [entry])
        return
    try:
        with _quick_lock(engine) as conn, _held(spill) as pending:
            _write(conn, [*pending.read(), entry])
            conn.commit()
            pending.clear()
    except _Busy:
        # SQLite: a long import holds the write lock; a view never waits for it (issue 15).
        # The entry waits in an owner-only file beside the database and is chained, in
        # order, by the next entry written (``audit access`` says how many wait).
        with _held(spill) as pending:
            pending.append(entry)


class _Busy(Exception):
    pass


def _spill_path(engine) -> Path | None:
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().with_name(Path(database).name + ".access-pending")


@contextlib.contextmanager
def _quick_lock(engine) -> Iterator[sa.Connection]:
    """A SQLite write transaction that gives up at once (``_Busy``) when another holds the lock."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA busy_timeout = 200")
        try:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            try:
                conn.begin()
                conn.execute(sa.select(_H.c.seq).where(_H.c.id == 1))  # BEGIN IMMEDIATE runs here
            except sa.exc.OperationalError as exc:
                if "database is locked" in str(exc.orig):
                    raise _Busy() from None
                raise
            try:
                yield conn
            finally:
                if conn.in_transaction():
                    conn.rollback()
        finally:
            raw.execute(f"PRAGMA busy_timeout = {engines.SQLITE_BUSY_TIMEOUT_MS}")


class _Pending:
    """The entries waiting in the spill file (JSON lines), under its lock."""

    def __init__(self, handle):
        self.handle = handle

    def read(self) -> list[dict]:
        self.handle.seek(0)
        return [json.loads(line) for line in self.handle.read().splitlines() if line.strip()]

    def clear(self) -> None:
        self.handle.seek(0)
        self.handle.truncate()

    def append(self, entry: dict) -> None:
        self.handle.seek(0, os.SEEK_END)
        self.handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())


@contextlib.contextmanager
def _held(path: Path) -> Iterator[_Pending]:
    create_private(path)  # owner-only: it names who looked at whom
    with path.open("r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield _Pending(handle)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def waiting(engine) -> int:
    """How many entries wait in the spill file to be chained."""
    path = _spill_path(engine)
    if path is None or not path.exists():
        return 0
    with _held(path) as pending:
        return len(pending.read())


def _write(conn: sa.Connection, entries: list[dict]) -> None:
    head = conn.execute(sa.select(_H.c.seq, _H.c.hash).where(_H.c.id == 1).with_for_update()).one()
    seq, prev = head.seq, head.hash
    keys_rows = []
    for entry in entries:
        seq += 1
        at = datetime.strptime(entry["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        digest = entry_hash(seq, at, entry["actor"], entry["action"], entry["people"], entry["detail"],
                            entry["keys"], prev)
        conn.execute(_E.insert().values(seq=seq, at=at, actor=entry["actor"], action=entry["action"],
                                        people=entry["people"], detail=entry["detail"], record_keys=entry["keys"],
                                        prev_hash=prev, hash=digest))
        if entry["keys"]:
            keys_rows.extend((code, seq) for code in entry["keys"].split(","))
        prev = digest
    if keys_rows:
        BulkInsert(conn, _K, ["entity_key", "seq"]).run_tuples(keys_rows)
    conn.execute(_H.update().where(_H.c.id == 1).values(seq=seq, hash=prev))


def _entry(row) -> AccessEvent:
    return AccessEvent(row.seq, _as_utc(row.at), row.actor, row.action, row.people, row.detail,
                       tuple(row.record_keys.split(",")) if row.record_keys else ())


@attrs.frozen
class AccessCheck:
    checked: int
    head_hash: str
    problems: tuple[str, ...]
    waiting: int = 0  # entries written while the database was busy, not yet chained

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
        return AccessCheck(count, prev, tuple(problems), waiting(self.ctx.programme.engine))


__all__ = ["AccessService", "AccessEvent", "record", "waiting", "ACCESS_KEYS"]
