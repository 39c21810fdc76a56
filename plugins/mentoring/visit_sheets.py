"""A mentor's visit sheet: the month's due visits written out, filled in on the road
(villages often have no signal), and imported in one action.

The sheet is a CSV or XLSX file (:mod:`reentry_core.sheets`), one row per visit, the
columns named like the fields of ``reentry mentoring visit``. The import checks every
row by the same rules as a visit logged by hand and writes all of them or none; the
visits are placed in date order, so two visits to one business on one sheet fulfil
their due visits as they would have one after the other.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from reentry_core.sdk import (
    _, Conflict, InvalidInput, NotFound, PermissionDenied, read_table, require_columns, RowErrors,
    write_table,
)

from . import store
from . import tables as t
from .domain import VisitReport
from .visits import VISIT_FIELDS, check_visit, record_visit

#: What the sheet says about each row (read and written, never imported as a field).
INFO_COLUMNS = ("full_name", "due_visit", "due_on", "window_start", "window_end")
#: The columns the import takes: who, when, by whom, what was found, and a closing reason.
VISIT_COLUMNS = ("participant", "visited_on", "mentor", *VISIT_FIELDS, "end_follow_up")
#: The template's columns, in the order a mentor fills them in.
SHEET_COLUMNS = ("participant", *INFO_COLUMNS, "visited_on", *VISIT_FIELDS, "end_follow_up")


@attrs.frozen
class SheetVisit:
    """One imported row: its row number on the sheet and what logging it did."""

    row: int
    report: VisitReport


class _StaffCache:
    """Staff rows and roles looked up once per import."""

    def __init__(self):
        self.found: dict[str, tuple] = {}

    def __call__(self, conn, code: str):
        key = str(code).strip().upper()
        if key not in self.found:
            self.found[key] = store.staff(conn, key)
        return self.found[key]


def import_visits(service, path) -> list[SheetVisit]:
    """Log every visit of a filled-in visit sheet as the acting staff member: every row or
    none. Returns each row's report, in the order the visits were placed (by date)."""
    path = Path(path)
    header, rows = read_table(path)
    require_columns(path, header, ("participant", "visited_on", "mode", "business_status"),
                    VISIT_COLUMNS + INFO_COLUMNS)
    fields = [c for c in header if c in VISIT_FIELDS]
    with service.ctx.transaction() as tx:
        tx.require("mentoring.visit")
        conn = tx.conn
        codes = {cells["participant"].strip().upper() for _n, cells in rows if cells.get("participant")}
        people = store.participants(conn, codes)
        ids = [row.id for row in people.values()]
        schedules: dict[str, list] = {}
        for schedule in store.schedules(conn, t.schedule.c.participant_id.in_(ids), lock=True):
            schedules.setdefault(schedule.participant, []).append(schedule)
        assignments: dict[str, list] = {}
        for assignment in store.assignments_of(conn, ids):
            assignments.setdefault(assignment.participant, []).append(assignment)
        settings, staff = store.settings(conn), _StaffCache()
        problems: list[str] = []
        done: list[SheetVisit] = []
        for n, cells in sorted(rows, key=lambda item: (_sort_day(item[1]), item[0])):
            try:
                code = (cells.get("participant") or "").strip().upper()
                if not code:
                    raise InvalidInput(_("participant: missing"))
                if code not in people:
                    raise NotFound(_("participant: {code!r} does not exist").format(code=code))
                if not cells.get("visited_on"):
                    raise InvalidInput(_("visited_on: missing (the day of the visit, YYYY-MM-DD)"))
                checked = check_visit(tx, people[code], schedules.get(code, []), assignments.get(code, []),
                                      cells["visited_on"], cells.get("mentor"), cells.get("end_follow_up"),
                                      {f: cells.get(f) for f in fields}, staff)
            except (InvalidInput, NotFound, Conflict, PermissionDenied) as exc:
                problems.append(_("row {n}: {reason}").format(n=n, reason=exc.message))
                continue
            # written even after a bad row, so that the rows after it are checked against what the
            # sheet says happened before them; a bad row rolls the whole action back at the end
            report, schedule = record_visit(tx, checked, settings)
            schedules[code] = [schedule if s.id == schedule.id else s for s in schedules[code]]
            done.append(SheetVisit(n, report))
        if problems:
            raise RowErrors(_("{file}: {bad} of {rows} rows are invalid; no visit was logged").format(
                file=path.name, bad=len(problems), rows=len(rows)), sorted(problems, key=_row_number))
        if not done:
            raise InvalidInput(_("{file}: no visit to log").format(file=path.name))
        records: dict[str, list] = {}
        for item in done:
            records.setdefault(item.report.visit.participant, []).append(item.report.visit)
        tx.audit_batch("mentoring.visit", "participant", records, file=path.name)
    return done


def _sort_day(cells: dict) -> str:
    return (cells.get("visited_on") or "").strip()


def _row_number(line: str) -> int:
    digits = "".join(ch for ch in line.split(":", 1)[0] if ch.isdigit())
    return int(digits) if digits else 0


def write_visit_sheet(service, path, *, mentor: str | None = None, within: int | None = 31) -> int:
    """Write the visit sheet of ``mentor`` (default: the acting staff member): one row per
    visit owed within ``within`` days (every overdue one too), with the participant's name
    and the due visit's window, the rest left to fill in. Returns the number of rows."""
    mentor = (mentor or service.ctx.code).strip().upper()
    owed = service.due(mentor=mentor, within=within)
    rows = [[row.participant, row.full_name, row.months, row.due_on.isoformat(), row.window_start.isoformat(),
             row.window_end.isoformat()] + [""] * (len(SHEET_COLUMNS) - 6) for row in owed]
    write_table(path, SHEET_COLUMNS, rows, sheet=f"visits {mentor}")
    return len(rows)


__all__ = ["import_visits", "write_visit_sheet", "SheetVisit", "SHEET_COLUMNS", "VISIT_COLUMNS"]
