"""Reading and verifying the audit trail (writing it is the transaction's job), and the
anchors that let it be checked against a copy kept outside the database."""

from __future__ import annotations

import os
import secrets
import uuid
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Iterable

import attrs
import sqlalchemy as sa

from .. import files
from ..domain import AuditEvent
from ..errors import Conflict, InvalidInput
from ..i18n import _
from ..storage import tables as t
from . import audit, audit_state
from .settings import read_setting, write_setting

AnchorLike = audit.Anchor | str | Path


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None


class AuditService:
    def __init__(self, ctx):
        self.ctx = ctx

    def log(self, *, entity: str | None = None, key: str | None = None, actor: str | None = None,
            action: str | None = None, since: date | None = None, until: date | None = None,
            limit: int | None = 100) -> list[AuditEvent]:
        """Events, newest first. ``until`` is inclusive; ``action`` may end in ``*``."""
        self.ctx.require("audit.view")
        with self.ctx.reading() as conn:
            events = audit.query_events(
                conn, entity=entity, key=key, actor=actor, action=action, since=_start_of(since),
                until=_start_of(until + timedelta(days=1)) if until else None, limit=limit,
            )
        if key:
            from .access import record

            record(self.ctx, "audit.log", [key], detail=f"{len(events)} events")
        return [self._shown(ev) for ev in events]

    def _shown(self, ev: AuditEvent) -> AuditEvent:
        """The event as this member may read it: the values of fields their roles may not
        read (names, phones, release date … health referrals) say "(hidden)". Only what
        is shown changes; the stored event and its hash stay as they are (``audit verify``)."""
        rules = self.ctx.fields
        before, after = rules.audit_value(ev.entity, ev.before), rules.audit_value(ev.entity, ev.after)
        if before == ev.before and after == ev.after:
            return ev
        return attrs.evolve(ev, before=before, after=after)

    def verify(self, anchor: AnchorLike | Iterable[AnchorLike] | None = None) -> audit.VerifyResult:
        """Check the chain (keyed events with the programme's audit key) and, given anchors
        (:class:`~reentry_core.services.audit.Anchor` objects or files), that the trail
        still holds each anchor's event with the hash it saw. An anchor of another database,
        one that cannot be read, or one whose signature does not match raises."""
        self.ctx.require("audit.view")
        if anchor is None:
            wanted: list[AnchorLike] = []
        elif isinstance(anchor, (audit.Anchor, str, Path)):
            wanted = [anchor]
        else:
            wanted = list(anchor)
        anchors = [a if isinstance(a, audit.Anchor) else audit.read_anchor(a) for a in wanted]
        key = self.ctx.programme.audit_key
        with self.ctx.reading() as conn:
            programme = read_setting(conn, audit.PROGRAMME_ID)
            notes = [note for note in (audit.check_anchor(a, programme, key) for a in anchors) if note]
            result = audit.verify_chain(conn, key, anchors)
            drift = tuple(audit_state.problems(conn, self.ctx.programme.pm.relay.audited_tables()))
        return audit.VerifyResult(result.checked, result.head_seq, result.head_hash, result.problems + drift,
                                  result.unchecked, result.anchors, result.notes + tuple(notes))

    def anchor(self, out: str | Path | None = None) -> audit.Anchor:
        """A checkpoint of the trail to keep outside the database (its ``text`` is a few
        lines): this database's id, the number of events and the newest hash, the time,
        signed with the audit key when one is set. Making it is itself an audited event
        (``audit.anchor``), and the anchor covers that event. With ``out`` the text is also
        written to that file (owner-only, whole or not at all)."""
        self.ctx.require("audit.view")
        if out is None:
            return self._anchor(None, None)
        path = Path(out).expanduser()
        with files.written_whole(path) as temp:
            return self._anchor(path, temp)

    def _anchor(self, path: Path | None, temp: str | None) -> audit.Anchor:
        key = self.ctx.programme.audit_key
        with self.ctx.transaction() as tx:
            programme = read_setting(tx.conn, audit.PROGRAMME_ID)
            if programme is None:
                programme = uuid.uuid4().hex
                write_setting(tx.conn, audit.PROGRAMME_ID, programme)
            tx.audit("audit.anchor", "audit", programme, after={
                "file": str(path.resolve()) if path else None, "key": key.id if key else None})
            tx.flush_audit()  # the anchor covers its own event
            head = tx.conn.execute(sa.select(t.audit_head.c.seq, t.audit_head.c.hash)
                                   .where(t.audit_head.c.id == 1)).one()
            made = audit.make_anchor(programme, head.seq, head.hash, tx.now, key)
            if temp is not None:
                Path(temp).write_text(made.text, encoding="utf-8")
        return made


def write_new_key(path: str | Path) -> str:
    """A new random audit key (64 hex digits) in ``path``, created owner-only; refused if
    the file exists (it may be the key of a trail). Returns the key's fingerprint."""
    path = Path(path).expanduser()
    secret = secrets.token_hex(32)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, files.PRIVATE)
    except FileExistsError:
        raise Conflict(_("{file} exists already: an audit key is never overwritten").format(file=str(path))) from None
    except OSError as exc:
        raise InvalidInput(_("cannot write {file}: {reason}").format(file=str(path), reason=exc.strerror)) from None
    with os.fdopen(handle, "w", encoding="ascii") as stream:
        stream.write(secret + "\n")
    return audit.as_audit_key(secret).id
