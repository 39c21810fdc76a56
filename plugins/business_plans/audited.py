"""The business-plan table ``audit verify`` compares with the trail: the score sheets.

A trainer's scores rank the plans and the ranking decides who may apply for a grant, so a
score or a total changed directly in the database (no event written) is named, with the
event that last stated the sheet. A sheet is keyed as the trail keys it: plan, version and
trainer (``KHJ-2509-01-P001/1/KHJ-TR1``).
"""

from __future__ import annotations

from reentry_core.sdk import _, AuditedTable, Replay, TrailEvent

from .store import SHEET_FIELDS, audited_sheets


def audited_tables() -> list[AuditedTable]:
    return [AuditedTable(_("score sheet {key}"), ("score_sheet.add", "score_sheet.replace"), _replay_sheet,
                         audited_sheets)]


def _replay_sheet(state: Replay, event: TrailEvent) -> None:
    for _key, sheet in event.records():
        state.put(f"{sheet['plan']}/{sheet['version']}/{sheet['trainer']}", event.seq,
                  {field: sheet.get(field) for field in SHEET_FIELDS})
