"""The business_plans sheets: what the plugin writes for people to fill in offline (plans
sheet, score sheet, calibration sheet) and the four imports of filled-in sheets (those three
and the attendance register), each a :class:`SheetImport` of the SDK.

Every import can be entered again: each row has an identity (a register's session and
participant, a plans sheet's participant in the cohort, a score sheet's plan, a calibration
sheet's plan label; score and calibration sheets also carry their trainer, checked against
the one importing them, and their rubric version), a row the database already holds as it
says changes nothing and is counted, a changed one is a correction audited with its earlier
value, two rows with one identity are refused naming both, and a pre-printed row nobody
filled in is skipped (``filled_by``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Sequence

import attrs

from reentry_core.sdk import (
    _, Column, Conflict, InvalidInput, NotFound, open_sheet, PermissionDenied, RowProblem, SheetImport,
    SheetResult, sheet_parsers, UNCHANGED, write_sheet,
)
from reentry_core.sdk import date_text

from . import store
from .calibration import load_round, panel_member, values_of, write_scores
from .domain import PLAN_FIELDS, AttendanceMark, Plan, PlanStatus
from .planning import audited, parse_costs_cell
from .panel import require_panel_member
from .scoring import Scorer
from .tables import bp_cohort
from .training import SessionFinder

#: The plans sheet: who, then the plan's fields. ``full_name`` (written by ``plansheet`` so
#: the typist sees whose form a row is) is read past.
PLANSHEET_COLUMNS = ("participant", "full_name", "title", "sector", "costs", "own_contribution", "requested_funding",
                     "monthly_revenue", "monthly_costs", "summary", "currency")
#: The cells of a row that make it a plan; a row with none of them filled is skipped.
PLAN_CELLS = ("title", "sector", "costs", "own_contribution", "requested_funding", "monthly_revenue",
              "monthly_costs", "summary", "currency")
_PLAN_REQUIRED = ("title", "sector", "costs", "own_contribution", "requested_funding",
                  "monthly_revenue", "monthly_costs")
#: The score sheet's columns before the criteria: what the trainer reads of each plan.
SCORESHEET_INFO = ("plan", "version", "participant", "title", "sector", "rubric")
#: The calibration sheet's columns before the criteria: what the trainer reads of each plan.
CALIBRATION_INFO = ("plan", "title", "sector", "total_cost", "own_contribution", "requested_funding",
                    "monthly_revenue", "monthly_costs", "currency", "summary", "rubric")


@attrs.frozen
class PlansImport:
    """What a plans file made: the plans (in file order, numbered in that order), how many
    rows were left empty and how many were plans already recorded as the row says."""

    cohort: str
    plans: tuple[Plan, ...]
    skipped: int
    unchanged: int = 0


class _Sheet(SheetImport):
    """An import whose columns may depend on the file's header (:meth:`of`)."""

    @classmethod
    def of(cls, header: Sequence[str]) -> type[SheetImport]:
        return cls


def _run(ctx, importer: type[_Sheet], path, encoding: str | None, permission: str,
         **options) -> tuple[Any, SheetResult]:
    """Open ``path``, check its header, run ``importer`` in one transaction of ``ctx``; the
    importer (for what it counted) and the result."""
    ctx.require(permission)
    with open_sheet(path, encoding=encoding) as sheet:
        kind = importer.of(sheet.header)
        fields = kind.fields(sheet)
        with ctx.transaction() as tx:
            tx.require(permission)
            made = kind(tx, sheet.name, **options)
            return made, made.run(sheet, fields=fields)


class _CriteriaSheet(_Sheet):
    """A sheet of a trainer's values per rubric criterion: the criteria are the header's
    columns other than the declared ones (a misspelt one is refused by the rubric, naming
    it); a row with no criterion filled is skipped. The sheet names its trainer, who alone
    may import it."""

    criteria: ClassVar[tuple[str, ...]] = ()
    #: the command that imports it (without the file), for the hint when another trainer tries
    command: str = ""

    @classmethod
    def of(cls, header: Sequence[str]) -> type[SheetImport]:
        known = {c.name for c in cls.columns}
        extra = [h for h in dict.fromkeys(header) if h and h not in known]
        criteria = tuple(h for h in extra if not h.endswith("_comment"))
        return type(cls.__name__, (cls,), {"columns": (*cls.columns, *(Column(h) for h in extra)),
                                           "criteria": criteria, "filled_by": criteria})

    def check_trainer(self, rows, me: str) -> None:
        """Refuse the whole file if it names another trainer: their sheets are theirs."""
        for row in rows:
            trainer = row.get("trainer")
            if trainer and trainer != me:
                raise InvalidInput(_("{file}, row {n}, trainer: this sheet is {trainer}'s; import it as {trainer}: "
                                     "reentry --as {trainer} {command} {file}").format(
                    file=self.name, n=row.n, trainer=trainer, command=self.command))


def _field_problem(exc: InvalidInput, columns: Sequence[str]) -> InvalidInput:
    """A problem ``field: reason`` of a column of the sheet as that column's problem."""
    field, sep, reason = exc.message.partition(": ")
    return RowProblem(field, reason) if sep and field in columns else exc


# --- the plans sheet ---------------------------------------------------------------------------


class PlanImport(_Sheet):
    """Plans typed from paper forms, one row per participant of the cohort. Numbered in file
    order under the cohort's lock; a participant whose plan in the cohort says what the row
    says is unchanged, one with another plan is refused (edit or resubmit changes a plan)."""

    columns = (Column("participant", sheet_parsers.code, required=True), Column("full_name", info=True),
               *(Column(name, required=name in _PLAN_REQUIRED) for name in PLAN_CELLS))
    entity = "plan"
    filled_by = PLAN_CELLS

    def __init__(self, tx, name: str, cohort: str, submit: bool):
        super().__init__(tx, name)
        self.nothing_done = _("no plan was written")
        self.action = "plan.submit" if submit else "plan.draft"
        self.cohort = store.cohort_row(tx.conn, cohort)
        store.lock(tx.conn, bp_cohort, self.cohort.id)  # plan numbers are handed out in order
        self.status = PlanStatus.SUBMITTED if submit else PlanStatus.DRAFT
        self.submitted_on = tx.today if submit else None
        self.number = store.next_number(tx.conn, self.cohort.id)
        self.plans: list[Plan] = []

    def prepare(self, rows) -> None:
        conn = self.tx.conn
        self.people = store.participant_rows(conn, [row["participant"] for row in rows])
        self.enrolled = store.enrolled_ids(conn, self.cohort.id)
        ids = {person.id for person in self.people.values()}
        self.planned = {plan_row.participant_id: plan for plan_row, plan in
                        store.cohort_plans(conn, self.cohort.id, ids)}

    def identity(self, row):
        return row["participant"]

    def check(self, row):
        code, cohort = row["participant"], self.cohort.code
        person = self.people.get(code)
        if person is None:
            raise RowProblem("participant", _("{code!r} does not exist").format(code=code))
        if person.id not in self.enrolled:
            raise RowProblem("participant", _("{code} is not enrolled in {cohort}; enrol them first: reentry plans "
                                              "enrol {cohort} {code}").format(code=code, cohort=cohort))
        try:
            costs = parse_costs_cell(row["costs"])
        except InvalidInput as exc:
            raise RowProblem("costs", exc.message) from None
        data = {k: row[k] for k in PLAN_CELLS if k != "costs" and row.get(k)}
        fields = {"participant": person.code, "cohort": cohort, "costs": costs, **data, "status": self.status,
                  "submitted_on": self.submitted_on}
        try:
            plan = self.tx.structure({**fields, "code": f"{cohort}-P{self.number:03d}"}, Plan)
        except InvalidInput as exc:
            raise _field_problem(exc, PLAN_CELLS) from None
        earlier = self.planned.get(person.id)
        if earlier is not None:
            if _plan_text(earlier) == _plan_text(plan):
                return UNCHANGED
            raise RowProblem("participant", _("{code} already has plan {plan} in {cohort}; change it with edit (a "
                                              "draft) or resubmit").format(code=code, plan=earlier.code, cohort=cohort))
        self.number += 1
        return person, plan, self.number - 1

    def write(self, batch):
        store.insert_plans(self.tx.conn, self.cohort.id, batch, self.tx.today)
        plans = [plan for _person, plan, _number in batch]
        self.plans.extend(plans)
        return {plan.code: audited(plan) for plan in plans}


def _plan_text(plan: Plan) -> dict[str, Any]:
    """What a plans sheet says of a plan: its fields, costs in order."""
    return {field: tuple(plan.costs) if field == "costs" else getattr(plan, field) for field in PLAN_FIELDS}


# --- the score sheet ---------------------------------------------------------------------------


class ScoreImport(_CriteriaSheet):
    """A trainer's filled-in score sheet: one row per plan (its identity), scored at the
    version and with the rubric version the row names, by the trainer it names; the same
    scores again are unchanged, other scores replace the trainer's sheet (audited with the
    earlier one)."""

    columns = (Column("plan", sheet_parsers.code, required=True), Column("version", sheet_parsers.integer),
               Column("participant", sheet_parsers.code), Column("title", info=True), Column("sector", info=True),
               Column("rubric"), Column("comment"), Column("trainer", sheet_parsers.code))
    entity = "score_sheet"
    command = "plans scores import"

    def __init__(self, tx, name: str):
        super().__init__(tx, name)
        self.nothing_done = _("no score was recorded")
        self.scorer = Scorer(tx)
        self.replaced = 0

    def prepare(self, rows) -> None:
        scorer = self.scorer
        self.check_trainer(rows, scorer.me.code)
        scorer.preload(row["plan"] for row in rows)
        self.earlier = {vid: sheets[0] for vid, sheets in store.load_sheets_many(
            scorer.conn, scorer.preloaded(), scorer.me.id).items()}

    def identity(self, row):
        return row["plan"]

    def check(self, row):
        comments = {name[:-len("_comment")]: value for name, value in row.values.items() if name.endswith("_comment")}
        try:
            item = self.scorer.check(row["plan"], {c: row.get(c) for c in self.criteria}, comments,
                                     row.get("comment"), row.get("rubric"), version=row.get("version"),
                                     columns=self.criteria)
        except (NotFound, Conflict, PermissionDenied) as exc:
            raise InvalidInput(exc.message) from None
        owner = item.row.participant_code
        if row.get("participant") and row["participant"] != owner:
            raise RowProblem("participant", _("plan {plan} is {owner}'s, not {code}'s; check the row").format(
                plan=item.row.code, owner=owner, code=row["participant"]))
        earlier = self.earlier.get(item.row.id)
        if earlier is not None and (earlier.values, earlier.comments, earlier.comment, earlier.rubric) == (
                item.values, item.comments, item.comment, item.rubric.ref):
            return UNCHANGED
        return item

    def write(self, batch):
        written = self.scorer.write_many(batch, file=self.name)  # audits each sheet itself
        self.replaced += sum(1 for _sheet, replaced in written if replaced)
        return None


# --- the calibration sheet ---------------------------------------------------------------------


class CalibrationImport(_CriteriaSheet):
    """A trainer's filled-in calibration sheet of one round: one row per plan label (its
    identity), on the round's rubric version; the same values again are unchanged, other
    values replace the trainer's earlier ones (audited with them)."""

    columns = (Column("plan", sheet_parsers.code, required=True),
               *(Column(name, info=True) for name in CALIBRATION_INFO[1:-1]), Column("rubric"),
               Column("trainer", sheet_parsers.code))
    entity = "calibration_score"

    def __init__(self, tx, name: str, round_code: str):
        super().__init__(tx, name)
        self.nothing_done = _("no calibration score was recorded")
        conn = tx.conn
        self.round = store.round_row(conn, round_code)
        self.command = f"plans calibration import {self.round.code}"
        self.found, self.rubric, self.plans, _trainers = load_round(conn, self.round)
        self.me = panel_member(conn, self.round, tx.actor.code, tx.actor.roles)
        missing = [k for k in self.rubric.keys if k not in self.criteria]
        if missing:
            raise InvalidInput(_("{file}: missing column(s) {names}").format(file=name, names=", ".join(missing)))
        self.earlier = values_of(conn, self.round.id, self.me.code)
        self.replaced = 0

    def prepare(self, rows) -> None:
        self.check_trainer(rows, self.me.code)

    def identity(self, row):
        return row["plan"]

    def check(self, row):
        label, found, rubric = row["plan"], self.found, self.rubric
        if label not in self.plans:
            raise RowProblem("plan", _("round {code} has no plan {label!r} (its plans: {labels})").format(
                code=found.code, label=label, labels=", ".join(found.plans)))
        if row.get("rubric") and row["rubric"] != rubric.ref:
            raise RowProblem("rubric", _("round {code} is scored with rubric {ref}, not {given}").format(
                code=found.code, ref=rubric.ref, given=row["rubric"]))
        checked = rubric.check_values({k: row.get(k) for k in self.criteria}, where=label)
        if self.earlier.get(label) == checked:
            return UNCHANGED
        return label, checked

    def write(self, batch):
        self.replaced += write_scores(self.tx, self.round, self.me, dict(batch), self.earlier, file=self.name)
        return None


# --- the attendance register -------------------------------------------------------------------


class AttendanceImport(_Sheet):
    """A cohort's register: one row per session (number or date) and participant, its
    identity; the mark held already is unchanged, another mark is a correction audited with
    the earlier one; a pre-printed row without a mark is skipped."""

    columns = (Column("session", required=True, aliases=("занятие", "машғулият")),
               Column("participant", sheet_parsers.code, required=True, aliases=("участник", "иштирокчӣ")),
               Column("mark", sheet_parsers.choice(AttendanceMark), required=True, aliases=("отметка", "қайд")),
               Column("name", info=True, aliases=("имя", "ном")))
    action, entity = "attendance.record", "attendance"
    filled_by = ("mark",)

    def __init__(self, tx, name: str, cohort: str):
        super().__init__(tx, name)
        self.nothing_done = _("nothing was recorded")
        self.cohort = store.cohort_row(tx.conn, cohort)

    def prepare(self, rows) -> None:
        conn = self.tx.conn
        self.find = SessionFinder(conn, self.cohort)  # the cohort's sessions, read once
        self.enrolled = store.enrolled(conn, self.cohort.id)
        self.held = store.recorded_marks(conn, [sid for sid, _day in self.find.sessions.values()])

    def session(self, row) -> int:
        try:
            return self.find(row["session"])
        except (InvalidInput, NotFound) as exc:
            raise RowProblem("session", exc.message) from None

    def identity(self, row):
        try:
            return _("session {n}").format(n=self.session(row)), row["participant"]
        except RowProblem:
            return None  # refused by check

    def check(self, row):
        number, code, mark = self.session(row), row["participant"], row["mark"].value
        session_id, day = self.find.sessions[number]
        if day > self.tx.today:
            raise RowProblem("session", _("session {s} is on {d}, in the future").format(s=number, d=date_text(day)))
        if code not in self.enrolled:
            raise RowProblem("participant", _("{code} is not enrolled in {cohort}").format(
                code=code, cohort=self.cohort.code))
        key = (session_id, self.enrolled[code])
        before = self.held.get(key)
        if before == mark:
            return UNCHANGED
        return key, mark, before, f"{self.cohort.code}/{number}/{code}"

    def write(self, batch):
        store.write_marks(self.tx.conn, [(key, mark, before) for key, mark, before, _where in batch])
        # one event per 1,000 marks (audit log --key COHORT/SESSION/PARTICIPANT finds each)
        return {where: {"mark": mark, **({"before": before} if before else {})}
                for _key, mark, before, where in batch}


# --- the service: ctx.plans' sheets ------------------------------------------------------------


class SheetsService:
    """The sheets people fill in offline and their imports (part of ``ctx.plans``)."""

    ctx = None

    def plansheet(self, cohort: str, path) -> int:
        """Write a cohort's plans sheet (CSV or XLSX) to type paper plan forms into: one row
        per enrolled participant who completed the training and has no plan in the cohort
        yet (by code), with their name and an empty cell for each field. Load it with
        :meth:`import_plans`. Returns the number of rows."""
        self.ctx.require("plans.write")
        with self.ctx.reading() as conn:
            row = store.cohort_row(conn, cohort)
            with_plan = store.planned_codes(conn, row.id)
            people = [c for c in store.completions(conn, row.id, row.completion_threshold)
                      if c.completed and c.participant not in with_plan]
        blank = [""] * (len(PLANSHEET_COLUMNS) - 2)
        return write_sheet(path, PLANSHEET_COLUMNS, ([c.participant, c.full_name, *blank] for c in people),
                           sheet=row.code)

    def import_plans(self, cohort: str, path, *, submit: bool = False, encoding: str | None = None) -> PlansImport:
        """Plans typed from paper forms into a CSV/XLSX file (one row per plan), all of them
        or none. Columns: participant, title, sector, costs (``ITEM:QTY:UNIT_COST`` items
        separated by ``;`` or new lines), own_contribution, requested_funding,
        monthly_revenue, monthly_costs; optional summary, currency (default TJS) and
        full_name (not read). A row with only the participant (and name) is skipped.

        Every row is checked as :meth:`add_plan` checks one plan (enrolled in the cohort,
        every field valid; a plan in the cohort already is unchanged if the row says what
        it says, else refused). The plans are numbered in file order under the cohort's
        lock, kept as drafts or, with ``submit``, submitted; audited as one event per 1,000
        plans (``reentry audit log --key PLAN`` shows each)."""
        made, result = _run(self.ctx, PlanImport, path, encoding, "plans.write", cohort=cohort, submit=submit)
        return PlansImport(made.cohort.code, tuple(made.plans), result.skipped, result.unchanged)

    def scoresheet(self, cohort: str, path) -> int:
        """Write the acting trainer's score sheet for offline scoring (CSV or XLSX): one row
        per plan they may score, one column per criterion, filled with their earlier
        values if any, and the trainer's code on every row (only they may import it).
        Returns the number of plans."""
        with self.ctx.reading() as conn:
            self.ctx.require("plans.score")
            row = store.cohort_row(conn, cohort)
            rubric = store.rubric_by_id(conn, row.rubric_id)
            me = store.staff_row(conn, self.ctx.code)
            require_panel_member(conn, row, me, self.ctx.code, self.ctx.member.roles)
            plans = store.plans_to_score(conn, row.id, me.id)
            earlier = store.earlier_values(conn, me.id, [p.id for p in plans])
        columns = [*SCORESHEET_INFO, *rubric.keys, "comment", "trainer"]
        rows = ([p.code, p.version, p.participant, p.title, p.sector, rubric.ref,
                 *[mine.get(k, "") for k in rubric.keys], mine.get("comment") or "", me.code]
                for p in plans for mine in [earlier.get(p.id, {})])
        return write_sheet(path, columns, rows, sheet=row.code)

    def import_scores(self, path, encoding: str | None = None) -> dict[str, int]:
        """Score sheets from a filled-in score-sheet file, as the acting trainer: every row
        or none. A row whose criterion cells are all empty is skipped (not scored). Columns:
        plan, rubric, one per criterion; optional version, participant, title, sector,
        comment, ``<criterion>_comment`` and trainer (a sheet naming another trainer is
        theirs: refused). Returns ``{"added", "replaced", "unchanged", "skipped"}`` counts.

        The plans of the file are read in one query and every row is checked before
        anything is written; the sheets are then written together and audited as one
        event per 1,000 sheets (``reentry audit log --key PLAN`` shows each plan's sheet)."""
        made, result = _run(self.ctx, ScoreImport, path, encoding, "plans.score")
        return {"added": result.written - made.replaced, "replaced": made.replaced, "unchanged": result.unchanged,
                "skipped": result.skipped}

    def calibration_sheet(self, code: str, path) -> int:
        """Write the acting trainer's calibration sheet (CSV or XLSX): one row per plan of the
        round (C1, C2, … with what the plan says), one column per criterion, filled with
        their earlier calibration values if any, and their code. Returns the number of plans."""
        self.ctx.require("plans.score")
        plans = self.calibration_plans(code)
        with self.ctx.reading() as conn:
            row = store.round_row(conn, code)
            found, rubric, _plans, _trainers = load_round(conn, row)
            me = panel_member(conn, row, self.ctx.code, self.ctx.member.roles)
            mine = values_of(conn, row.id, me.code)
        columns = [*CALIBRATION_INFO, *rubric.keys, "trainer"]
        rows = ([p.label, p.title, p.sector, p.total_cost, p.own_contribution, p.requested_funding, p.monthly_revenue,
                 p.monthly_costs, p.currency, p.summary or "", rubric.ref,
                 *[mine.get(p.label, {}).get(k, "") for k in rubric.keys], me.code] for p in plans)
        return write_sheet(path, columns, rows, sheet=found.code)

    def import_calibration(self, code: str, path, encoding: str | None = None) -> dict[str, int]:
        """The acting trainer's filled-in calibration sheet: every row or none. A row with no
        criterion filled is skipped. Returns ``{"added", "replaced", "unchanged", "skipped"}``."""
        made, result = _run(self.ctx, CalibrationImport, path, encoding, "plans.score", round_code=code)
        return {"added": result.written - made.replaced, "replaced": made.replaced, "unchanged": result.unchanged,
                "skipped": result.skipped}

    def import_attendance(self, cohort: str, path, encoding: str | None = None) -> SheetResult:
        """Attendance from a CSV/XLSX register with columns ``session`` (number or date),
        ``participant`` (code) and ``mark`` (present/absent/excused, or p/a/e): every row
        or none; a row without a mark is skipped, a mark held already is unchanged."""
        return _run(self.ctx, AttendanceImport, path, encoding, "plans.attendance", cohort=cohort)[1]
