"""A mentor's visit sheet: the month's due visits written out, filled in on the road
(villages often have no signal), and imported in one action.

The sheet is a CSV or XLSX file (:mod:`reentry_core.sheets`), one row per visit, the
columns named like the fields of ``reentry mentoring visit``. The import is a
:class:`~reentry_core.sdk.SheetImport`: every row checked by the same rules as a visit
logged by hand, all of them written or none, one audit event per batch. The visits are
placed in date order, so two visits to one business on one sheet fulfil their due visits
as they would have one after the other.

A sheet may be imported again (a mentor is not sure it went through, or adds the last
rows and imports the whole month): a row is the visit the sheet printed it for (its
``due_visit``) or, on a row the mentor added, the participant's visit of that day. A row
already logged as it says changes nothing and is counted; one that says otherwise is
refused, never applied: a logged visit may already have verified a business for a
tranche, opened a referral or ended the follow-up, so it is not rewritten from a sheet.
Pre-printed rows the mentor left empty (no day, no findings) were not visited: skipped.
"""

from __future__ import annotations

import attrs

from reentry_core.sdk import (
    _, Column, Conflict, import_sheet, InvalidInput, NotFound, PermissionDenied, ReentryError, sheet_parsers,
    SheetImport, UNCHANGED, write_sheet,
)
from reentry_core.sdk import date_text

from . import store
from .domain import Visit, VisitReport, visit_label
from .visits import VISIT_FIELDS, check_visit, covering_schedule, record_visit, visit_from

#: What the sheet says about each row for the people filling it in (never imported).
INFO_COLUMNS = ("full_name", "due_visit", "due_on", "window_start", "window_end")
#: The columns the import takes: who, when, by whom, what was found, and a closing reason.
VISIT_COLUMNS = ("participant", "visited_on", "mentor", *VISIT_FIELDS, "end_follow_up")
#: What a mentor fills in on a row they visited: a row with none of it was not visited.
FILLED_BY = ("visited_on", *VISIT_FIELDS, "end_follow_up")
#: What makes a logged visit the one a row describes (not the placement the programme gave it).
_FINDINGS = tuple(f.name for f in attrs.fields(Visit) if f.name not in ("due_months", "fulfilment", "id"))
#: Findings named, never shown, when a row differs from the logged visit (health data).
_NOT_SHOWN = frozenset({"risk_note"})
#: The template's columns, in the order a mentor fills them in.
SHEET_COLUMNS = ("participant", *INFO_COLUMNS, "visited_on", *VISIT_FIELDS, "end_follow_up")
#: Columns every sheet has and every filled-in row fills.
_REQUIRED = ("participant", "visited_on", "mode", "business_status")


@attrs.frozen
class SheetVisit:
    """One imported row: its row number on the sheet and what logging it did."""

    row: int
    report: VisitReport


class ImportedVisits(list):
    """What importing a sheet did: the visits it logged (a :class:`SheetVisit` each, in the
    order they were placed), the rows already logged as they say (``unchanged``: nothing
    changed) and the pre-printed rows nobody filled in (``skipped``: not visited)."""

    def __init__(self, logged=(), *, file: str = "", rows: int = 0, unchanged: int = 0, skipped: int = 0):
        super().__init__(logged)
        self.file, self.rows, self.unchanged, self.skipped = file, rows, unchanged, skipped


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
               Column("due_visit", sheet_parsers.integer),
               *(Column(name, info=True) for name in INFO_COLUMNS if name != "due_visit"))
    action, entity = "mentoring.visit", "participant"
    filled_by = FILLED_BY

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
        for schedule in store.schedules_of(conn, ids, lock=True):
            self.schedules.setdefault(schedule.participant, []).append(schedule)
        self.assignments: dict[str, list] = {}
        for assignment in store.assignments_of(conn, ids):
            self.assignments.setdefault(assignment.participant, []).append(assignment)
        self.settings, self.staff = store.settings(conn), _StaffCache()
        self.before: dict[str, dict[int, Visit]] = {}  # what was logged before this import
        for visit in store.visits_of(conn, ids):
            self.before.setdefault(visit.participant, {})[visit.id] = visit

    def identity(self, row):
        """The due visit the sheet printed the row for; a row the mentor added: that day's visit."""
        if row.get("due_visit") is not None:
            return row["participant"], visit_label(row["due_visit"])
        return row["participant"], row["visited_on"].isoformat()

    def check(self, row):
        code = row["participant"]
        person = self.people.get(code)
        if person is None:
            raise InvalidInput(_("participant: {code!r} does not exist").format(code=code))
        fields = {name: row[name] for name in VISIT_FIELDS if name in row.values}
        logged = self._logged(row)
        if logged:
            return _same_visit(logged, visit_from(fields, code, row.get("mentor") or logged[0].mentor,
                                                  row["visited_on"]), row.get("due_visit"))
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

    def _logged(self, row) -> list[Visit]:
        """The visits logged before this import that the row may be: the one that fulfilled
        the row's due visit, then the participant's visits of the row's day (a visit placed
        on another due visit than the sheet printed it for is found by its day)."""
        code, day = row["participant"], row["visited_on"]
        before = self.before.get(code, {})
        found = []
        months = row.get("due_visit")
        if months is not None:
            try:
                schedule = covering_schedule(self.schedules.get(code, []), code, day)
            except ReentryError:
                schedule = None
            found = [before[due.visit_id] for due in (schedule.due_visits if schedule else ())
                     if due.months == months and due.visit_id in before]
        return found + [visit for visit in before.values() if visit.visited_on == day and visit not in found]

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


def _same_visit(logged: list[Visit], visit: Visit, months: int | None):
    """``UNCHANGED`` when one of the ``logged`` visits is ``visit``, else the refusal naming
    what the row says otherwise (a logged visit is never rewritten from a sheet)."""
    if any(all(getattr(before, name) == getattr(visit, name) for name in _FINDINGS) for before in logged):
        return UNCHANGED
    before = logged[0]
    changes = [_change(name, getattr(before, name), getattr(visit, name))
               for name in _FINDINGS if getattr(before, name) != getattr(visit, name)]
    what = (_("{code}'s {label}").format(code=visit.participant, label=visit_label(months)) if months is not None
            else _("{code}'s visit of {d}").format(code=visit.participant, d=date_text(visit.visited_on)))
    raise InvalidInput(_("{what} is already logged (visit {id} of {on} by {mentor}) and this row says otherwise: "
                         "{changes}; a logged visit is not rewritten from a sheet (it may have verified a tranche "
                         "or opened a referral): log what is new as a visit of its own").format(
        what=what, id=before.id, on=date_text(before.visited_on), mentor=before.mentor, changes=", ".join(changes)))


def _change(name: str, before, after) -> str:
    if name in _NOT_SHOWN:
        return _("{name} differs").format(name=name)
    return f"{name} {_shown(before)} → {_shown(after)}"


def _shown(value) -> str:
    if value is None or value == frozenset():
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, frozenset):
        return ",".join(sorted(str(v) for v in value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _row_number(line: str) -> int:
    digits = "".join(ch for ch in line.split(":", 1)[0].split(",", 1)[0] if ch.isdigit())
    return int(digits) if digits else 0


def import_visits(service, path, encoding: str | None = None) -> ImportedVisits:
    """Log every visit of a filled-in visit sheet as the acting staff member: every row or
    none. Returns each row's report, in the order the visits were placed (by date), with
    the counts of rows already logged and rows not visited."""
    logged: list[SheetVisit] = []
    result = import_sheet(service.ctx, VisitSheet, path, encoding=encoding, permission="mentoring.visit",
                          logged=logged)
    return ImportedVisits(logged, file=result.file, rows=result.rows, unchanged=result.unchanged,
                          skipped=result.skipped)


class VisitSheetsMixin:
    """``ctx.mentoring``: the visit sheet written out and imported (here, not in
    :mod:`.visits`, so that the sheets build on visits and visits know nothing of sheets)."""

    ctx: object

    def import_visits(self, path, encoding: str | None = None) -> ImportedVisits:
        """Log every visit of a filled-in visit sheet (CSV or XLSX), every row or none; see
        :func:`import_visits`. Returns a ``SheetVisit`` (row, report) per visit logged."""
        return import_visits(self, path, encoding)

    def visit_sheet(self, path, *, mentor: str | None = None, within: int | None = 31) -> int:
        """Write ``mentor``'s visit sheet (default: the acting mentor's): the visits owed within
        ``within`` days and every overdue one, to fill in and import. Returns the rows written."""
        return write_visit_sheet(self, path, mentor=mentor, within=within)


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


__all__ = ["import_visits", "write_visit_sheet", "ImportedVisits", "SheetVisit", "VisitSheetsMixin", "SHEET_COLUMNS", "VISIT_COLUMNS", "VisitSheet"]
