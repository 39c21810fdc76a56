"""A mentor's visit sheet: the month's due visits written out, filled in on the road
(villages often have no signal), and imported in one action.

The sheet is a CSV or XLSX file (:mod:`reentry_core.sheets`), one row per visit, the
columns named like the fields of ``reentry mentoring visit``. The import is a
:class:`~reentry_core.sdk.SheetImport`: every row checked by the same rules as a visit
logged by hand, all of them written or none, one audit event per batch. The visits are
placed in date order, so two visits to one business on one sheet fulfil their due visits
as they would have one after the other.
"""

from __future__ import annotations

import attrs

from reentry_core.sdk import (
    _, Column, Conflict, import_sheet, InvalidInput, NotFound, PermissionDenied, sheet_parsers, SheetImport,
    write_sheet,
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
#: Columns every sheet has and every filled-in row fills.
_REQUIRED = ("participant", "visited_on", "mode", "business_status")


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


def _column(name: str) -> Column:
    parse = {"participant": sheet_parsers.code, "visited_on": sheet_parsers.a_date}.get(name, sheet_parsers.text)
    return Column(name, parse, required=name in _REQUIRED)


class VisitSheet(SheetImport):
    """The visit sheet on the one import shape.

    A visit changes what the next row is checked against (the due visit it fulfils, the
    follow-up it ends, the referral it opens), so each row is logged as it is checked, in
    date order, like visits logged by hand one after the other; ``write`` only gathers the
    batch's audit records. A bad row anywhere makes ``run`` raise ``RowErrors`` inside the
    import's transaction, which then keeps nothing.
    """

    columns = (*(_column(name) for name in VISIT_COLUMNS),
               *(Column(name, info=True) for name in INFO_COLUMNS))
    action, entity = "mentoring.visit", "participant"

    def __init__(self, tx, name: str, logged: list[SheetVisit]):
        super().__init__(tx, name)
        self.nothing_done = _("no visit was logged")
        self.logged = logged

    def prepare(self, rows):
        """Look up the file's participants, their follow-ups (locked) and mentors once, and
        put the rows in date order: ``run`` checks them in the order this leaves them."""
        rows.sort(key=lambda row: (row["visited_on"], row.n))
        conn = self.tx.conn
        self.people = store.participants(conn, {row["participant"] for row in rows})
        ids = [person.id for person in self.people.values()]
        self.schedules: dict[str, list] = {}
        for schedule in store.schedules(conn, t.schedule.c.participant_id.in_(ids), lock=True):
            self.schedules.setdefault(schedule.participant, []).append(schedule)
        self.assignments: dict[str, list] = {}
        for assignment in store.assignments_of(conn, ids):
            self.assignments.setdefault(assignment.participant, []).append(assignment)
        self.settings, self.staff = store.settings(conn), _StaffCache()

    def check(self, row):
        code = row["participant"]
        person = self.people.get(code)
        if person is None:
            raise InvalidInput(_("participant: {code!r} does not exist").format(code=code))
        fields = {name: row[name] for name in VISIT_FIELDS if name in row.values}
        try:
            checked = check_visit(self.tx, person, self.schedules.get(code, []), self.assignments.get(code, []),
                                  row["visited_on"], row.get("mentor"), row.get("end_follow_up"), fields,
                                  self.staff)
        except (NotFound, Conflict, PermissionDenied) as exc:
            raise InvalidInput(exc.message) from None
        # logged even after a bad row, so that the rows after it are checked against what the
        # sheet says happened before them; the bad row rolls the whole import back at the end
        report, schedule = record_visit(self.tx, checked, self.settings)
        self.schedules[code] = [schedule if s.id == schedule.id else s for s in self.schedules[code]]
        return SheetVisit(row.n, report)

    def write(self, batch):
        self.logged.extend(batch)
        records: dict[str, list] = {}
        for item in batch:
            records.setdefault(item.report.visit.participant, []).append(item.report.visit)
        return records

    def finish(self):
        """The problems in the order of the sheet's rows (they were found in date order)."""
        self.problems.sort(key=_row_number)
        super().finish()


def _row_number(line: str) -> int:
    digits = "".join(ch for ch in line.split(":", 1)[0].split(",", 1)[0] if ch.isdigit())
    return int(digits) if digits else 0


def import_visits(service, path, encoding: str | None = None) -> list[SheetVisit]:
    """Log every visit of a filled-in visit sheet as the acting staff member: every row or
    none. Returns each row's report, in the order the visits were placed (by date)."""
    logged: list[SheetVisit] = []
    import_sheet(service.ctx, VisitSheet, path, encoding=encoding, permission="mentoring.visit", logged=logged)
    return logged


def write_visit_sheet(service, path, *, mentor: str | None = None, within: int | None = 31) -> int:
    """Write the visit sheet of ``mentor`` (default: the acting staff member): one row per
    visit owed within ``within`` days (every overdue one too), with the participant's name
    and the due visit's window, the rest left to fill in. Returns the number of rows."""
    mentor = (mentor or service.ctx.code).strip().upper()
    owed = service.due(mentor=mentor, within=within)
    blank = [""] * (len(SHEET_COLUMNS) - 6)
    rows = [[row.participant, row.full_name, row.months, row.due_on, row.window_start, row.window_end, *blank]
            for row in owed]
    write_sheet(path, SHEET_COLUMNS, rows, sheet=f"visits {mentor}")
    return len(rows)


__all__ = ["import_visits", "write_visit_sheet", "SheetVisit", "SHEET_COLUMNS", "VISIT_COLUMNS", "VisitSheet"]
