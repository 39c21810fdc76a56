"""Reading and verifying the audit trail (writing it is the transaction's job)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import attrs

from ..domain import AuditEvent
from . import audit


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

    def verify(self) -> audit.VerifyResult:
        self.ctx.require("audit.view")
        with self.ctx.reading() as conn:
            return audit.verify_chain(conn)
