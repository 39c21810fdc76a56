"""The mentoring table ``audit verify`` compares with the trail: the visits.

What a mentor found (the business's state, revenue, costs, jobs) feeds the donor reports
and the tranche gates, so a visit changed directly in the database (no event written) is
named, with the event that recorded it. A visit is keyed by its number; its risk flags
live in their own table and turn into referrals, which the core compares.
"""

from __future__ import annotations

from reentry_core.sdk import _, AuditedTable, Replay, TrailEvent

from .store import VISIT_FIELDS, audited_visits


def audited_tables() -> list[AuditedTable]:
    return [AuditedTable(_("visit {key}"), ("mentoring.visit", "mentoring.visit.correct", "mentoring.visit.cancel"),
                         _replay_visit, audited_visits)]


def _replay_visit(state: Replay, event: TrailEvent) -> None:
    if event.action == "mentoring.visit.cancel":
        for _code, record in event.records():
            state.delete(str(record["cancelled"]), event.seq)
        return
    for _code, records in event.records():
        # one visit (a visit logged by hand) or a participant's visits (a visit sheet)
        for visit in records if isinstance(records, list) else [records]:
            if visit.get("id") is not None:
                state.put(str(visit["id"]), event.seq, {field: visit.get(field) for field in VISIT_FIELDS})
