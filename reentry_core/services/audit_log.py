"""Reading and verifying the audit trail (writing it is the transaction's job)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

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
            return audit.query_events(
                conn, entity=entity, key=key, actor=actor, action=action, since=_start_of(since),
                until=_start_of(until + timedelta(days=1)) if until else None, limit=limit,
            )

    def verify(self) -> audit.VerifyResult:
        self.ctx.require("audit.view")
        with self.ctx.reading() as conn:
            return audit.verify_chain(conn)
