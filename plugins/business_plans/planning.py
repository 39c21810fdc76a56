"""Business plans: drafts, submission, versions on resubmission, return for revision.

A plan has a code (``<cohort>-P<nnn>``) and versions. A resubmission makes a new
version; score sheets stay with the version they scored, so the history is readable.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import sqlalchemy as sa

from reentry_core.sdk import _, Conflict, InvalidInput

from . import store
from .domain import PLAN_FIELDS, RESUBMITTABLE, CostItem, Plan, PlanStatus
from .tables import bp_cohort, bp_cost_item, bp_enrolment, bp_plan, bp_plan_version, bp_sheet

_COST_SEPARATOR = re.compile(r"[;\n]")


def parse_costs_cell(text: str) -> tuple[CostItem, ...]:
    """The cost items of one cell: ``ITEM:QTY:UNIT_COST`` separated by ``;`` or new lines
    (``Sewing machine:2:1800; Overlock:1:2500``)."""
    return tuple(CostItem.parse(part.strip()) for part in _COST_SEPARATOR.split(text) if part.strip())


def _fields(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise InvalidInput(_("cannot change {fields}; a plan's fields are {known}").format(
            fields=", ".join(sorted(unknown)), known=", ".join(PLAN_FIELDS)))
    return {k: v for k, v in changes.items() if v is not None and v != () and v != []}


class PlanningService:
    """Plans and their versions (part of ``ctx.plans``)."""

    ctx = None

    def add_plan(self, participant: str, cohort: str, *, submit: bool = False, **fields: Any) -> Plan:
        """Write a participant's plan as a draft (or submit it at once with ``submit``).

        Fields: title, sector, costs (``CostItem``s, dicts or ``"ITEM:QTY:UNIT_COST"``
        texts), own_contribution, requested_funding, monthly_revenue, monthly_costs,
        summary, currency (default TJS). The participant must be enrolled in the cohort;
        one plan per participant and cohort (resubmit to change a submitted plan)."""
        data = _fields(fields)
        plan = self.ctx.structure({"participant": participant, "cohort": cohort, **data}, Plan)
        with self.ctx.transaction() as tx:
            tx.require("plans.write")
            conn = tx.conn
            cohort_row = store.cohort_row(conn, plan.cohort)
            store.lock(conn, bp_cohort, cohort_row.id)  # plan numbers are handed out in order
            person = store.participant_row(conn, plan.participant)
            if not conn.execute(sa.select(bp_enrolment.c.cohort_id).where(
                    bp_enrolment.c.cohort_id == cohort_row.id, bp_enrolment.c.participant_id == person.id)).first():
                raise Conflict(_("{code} is not enrolled in {cohort}; enrol them first: reentry plans enrol {cohort} "
                                 "{code}").format(code=person.code, cohort=cohort_row.code))
            existing = conn.execute(sa.select(bp_plan.c.code).where(bp_plan.c.cohort_id == cohort_row.id,
                                                                    bp_plan.c.participant_id == person.id)).scalar()
            if existing:
                raise Conflict(_("{code} already has plan {plan} in {cohort}; change it with edit (a draft) or "
                                 "resubmit").format(code=person.code, plan=existing, cohort=cohort_row.code))
            number = next_number(conn, cohort_row.id)
            code = f"{cohort_row.code}-P{number:03d}"
            plan = attrs.evolve(plan, code=code, version=1, status=PlanStatus.SUBMITTED if submit else PlanStatus.DRAFT,
                                submitted_on=tx.today if submit else None)
            insert_plans(tx, cohort_row, [(person, plan, number)])
            tx.audit("plan.submit" if submit else "plan.draft", "plan", code, after=audited(plan))
        return plan

    def _insert_version(self, tx, plan_id: int, plan: Plan) -> int:
        version_id = tx.conn.execute(bp_plan_version.insert().values(
            plan_id=plan_id, version=plan.version, created_on=tx.today, sheets=0, sheet_sum=0,
            **store.version_values(plan),
        )).inserted_primary_key[0]
        store.write_costs(tx.conn, version_id, plan.costs)
        return version_id

    def edit_plan(self, code: str, **changes: Any) -> Plan:
        """Change a draft (a submitted plan changes only by resubmission, as a new version)."""
        data = _fields(changes)
        if not data:
            raise InvalidInput(_("say what to change, e.g. title or costs"))
        with self.ctx.transaction() as tx:
            tx.require("plans.write")
            row = store.plan_row(tx.conn, code)
            before = store.load_plans(tx.conn, [row])[0]
            if before.status is not PlanStatus.DRAFT:
                raise Conflict(_("plan {code} is {status}; only a draft can be edited (resubmit to make a new "
                                 "version)").format(code=before.code, status=before.status.value))
            after = _changed(tx, before, data)
            tx.conn.execute(bp_plan_version.update().where(bp_plan_version.c.id == row.id)
                            .values(**store.version_values(after)))
            store.write_costs(tx.conn, row.id, after.costs)
            tx.audit("plan.edit", "plan", before.code, before=audited(before), after=audited(after))
        return after

    def submit(self, code: str) -> Plan:
        """Hand a draft to the panel: draft → submitted."""
        with self.ctx.transaction() as tx:
            tx.require("plans.write")
            row = store.plan_row(tx.conn, code)
            before = store.load_plans(tx.conn, [row])[0]
            if not before.can_move_to(PlanStatus.SUBMITTED):
                hint = _(" (use resubmit for a new version)") if before.status in RESUBMITTABLE else ""
                raise Conflict(_("plan {code} is {status}; only a draft can be submitted{hint}").format(
                    code=before.code, status=before.status.value, hint=hint))
            after = attrs.evolve(before, status=PlanStatus.SUBMITTED, submitted_on=tx.today)
            tx.conn.execute(bp_plan_version.update().where(bp_plan_version.c.id == row.id)
                            .values(status=after.status.value, submitted_on=tx.today))
            tx.audit("plan.submit", "plan", before.code, before={"status": before.status.value},
                     after={"status": after.status.value, "version": after.version})
        return after

    def resubmit(self, code: str, **changes: Any) -> Plan:
        """Submit a new version of a submitted, scored or returned plan, with ``changes``.
        The earlier version and its score sheets stay as they were."""
        data = _fields(changes)
        with self.ctx.transaction() as tx:
            tx.require("plans.write")
            row = store.plan_row(tx.conn, code)
            before = store.load_plans(tx.conn, [row])[0]
            if before.status not in RESUBMITTABLE:
                raise Conflict(_("plan {code} is {status}; only a submitted, scored or returned (needs_revision) plan "
                                 "can be resubmitted").format(code=before.code, status=before.status.value))
            after = attrs.evolve(_changed(tx, before, data), version=before.version + 1, status=PlanStatus.SUBMITTED,
                                 submitted_on=tx.today, scored_on=None, decided_on=None, panel_score=None, note=None)
            self._insert_version(tx, row.plan_id, after)
            tx.conn.execute(bp_plan.update().where(bp_plan.c.id == row.plan_id).values(current_version=after.version))
            tx.audit("plan.resubmit", "plan", before.code, before={"version": before.version},
                     after=audited(after))
        return after

    def return_for_revision(self, code: str, reason: str) -> Plan:
        """Send a submitted or scored plan back to its author: → needs_revision, with the
        reason. Only an admin or the cohort's lead trainer may."""
        from .panel import moderated_plan

        with self.ctx.transaction() as tx:
            row, note = moderated_plan(tx, code, reason, _(
                "reason: say what the plan needs, e.g. --reason 'get real quotes for the oven'"))
            before = store.load_plans(tx.conn, [row])[0]
            if not before.can_move_to(PlanStatus.NEEDS_REVISION):
                raise Conflict(_("plan {code} is {status}; only a submitted or scored plan can be returned for "
                                 "revision").format(code=before.code, status=before.status.value))
            after = attrs.evolve(before, status=PlanStatus.NEEDS_REVISION, note=note)
            tx.conn.execute(bp_plan_version.update().where(bp_plan_version.c.id == row.id)
                            .values(status=after.status.value, note=note))
            tx.audit("plan.return", "plan", before.code, before={"status": before.status.value},
                     after={"status": after.status.value, "reason": note})
        return after

    # --- reading ----------------------------------------------------------------------
    def get(self, code: str, version: int | None = None) -> Plan:
        """A plan at its current version, or at ``version``."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            return store.load_plans(conn, [store.plan_row(conn, code, version)])[0]

    def history(self, code: str) -> list[dict]:
        """Every version of a plan, oldest first: the plan, its number of score sheets and
        the raw panel score of those sheets."""
        from .aggregation import mean_of

        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            current = store.plan_row(conn, code)
            rows = conn.execute(store.plan_select().where(bp_plan.c.id == current.plan_id)
                                .order_by(bp_plan_version.c.version)).all()
            totals: dict[int, list] = {}
            for vid, total in conn.execute(sa.select(bp_sheet.c.version_id, bp_sheet.c.total)
                                           .where(bp_sheet.c.version_id.in_([r.id for r in rows]))):
                totals.setdefault(vid, []).append(total)
            plans = store.load_plans(conn, rows)
            return [{"plan": plan, "sheets": len(totals.get(r.id, ())),
                     "raw_score": mean_of(totals[r.id]) if r.id in totals else None}
                    for r, plan in zip(rows, plans)]

    def list(self, *, cohort: str | None = None, status: str | None = None,
             participant: str | None = None) -> list[Plan]:
        """Plans at their current versions, by code."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            query = store.plan_select().where(bp_plan_version.c.version == bp_plan.c.current_version,
                                              store.visible(conn, bp_plan.c.participant_id))
            if cohort:
                query = query.where(bp_plan.c.cohort_id == store.cohort_row(conn, cohort).id)
            if status:
                query = query.where(bp_plan_version.c.status == PlanStatus.parse(status).value)
            if participant:
                query = query.where(bp_plan.c.participant_id == store.participant_row(conn, participant).id)
            return store.load_plans(conn, conn.execute(query.order_by(bp_plan.c.code)))


def next_number(conn: sa.Connection, cohort_id: int) -> int:
    """The number the cohort's next plan gets (the caller holds the cohort's lock)."""
    return (conn.execute(sa.select(sa.func.max(bp_plan.c.number)).where(bp_plan.c.cohort_id == cohort_id))
            .scalar() or 0) + 1


def insert_plans(tx, cohort_row, made: list) -> list[Plan]:
    """Write checked and numbered new plans ``(participant row, plan, number)`` at version 1
    (the cohort is locked): three statements, whatever their number, for a plan typed
    at the command line as for a file of them."""
    conn = tx.conn
    plan_ids = dict(conn.execute(bp_plan.insert().returning(bp_plan.c.number, bp_plan.c.id), [
        {"code": plan.code, "cohort_id": cohort_row.id, "participant_id": person.id, "number": number,
         "current_version": 1} for person, plan, number in made]).all())
    version_ids = dict(conn.execute(bp_plan_version.insert().returning(bp_plan_version.c.plan_id,
                                                                       bp_plan_version.c.id), [
        {"plan_id": plan_ids[number], "version": 1, "created_on": tx.today, "sheets": 0, "sheet_sum": 0,
         **store.version_values(plan)} for _person, plan, number in made]).all())
    conn.execute(bp_cost_item.insert(), [
        {"version_id": version_ids[plan_ids[number]], "position": i, "item": c.item, "quantity": c.quantity,
         "unit_cost": c.unit_cost}
        for _person, plan, number in made for i, c in enumerate(plan.costs, 1)])
    return [plan for _person, plan, _number in made]


def _changed(tx, before: Plan, data: dict[str, Any]) -> Plan:
    from reentry_core.sdk import unstructure

    plain = unstructure(before)
    plain.update(data)
    return tx.structure({k: v for k, v in plain.items() if v is not None}, Plan)


def audited(plan: Plan) -> dict:
    """A plan as the audit trail keeps it: its fields and its derived figures."""
    from reentry_core.sdk import unstructure

    return {**unstructure(plan), **{k: (str(v) if v is not None else None) for k, v in plan.figures().items()}}
