"""Business plans: drafts, submission, versions on resubmission, return for revision.

A plan has a code (``<cohort>-P<nnn>``) and versions. A resubmission makes a new
version; score sheets stay with the version they scored, so the history is readable.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from reentry_core.sdk import _, Conflict, InvalidInput, param

from . import store
from .domain import PLAN_FIELDS, RESUBMITTABLE, CostItem, Plan, PlanStatus
from .tables import bp_cohort

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
            if not store.is_enrolled(conn, cohort_row.id, person.id):
                raise Conflict(_("{code} is not enrolled in {cohort}; enrol them first: reentry plans enrol {cohort} "
                                 "{code}").format(code=person.code, cohort=cohort_row.code))
            existing = store.plan_code_of(conn, cohort_row.id, person.id)
            if existing:
                raise Conflict(_("{code} already has plan {plan} in {cohort}; change it with edit (a draft) or "
                                 "resubmit").format(code=person.code, plan=existing, cohort=cohort_row.code))
            number = store.next_number(conn, cohort_row.id)
            code = f"{cohort_row.code}-P{number:03d}"
            plan = attrs.evolve(plan, code=code, version=1, status=PlanStatus.SUBMITTED if submit else PlanStatus.DRAFT,
                                submitted_on=tx.today if submit else None)
            store.insert_plans(conn, cohort_row.id, [(person, plan, number)], tx.today)
            tx.audit("plan.submit" if submit else "plan.draft", "plan", code, after=audited(plan))
        return plan

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
                                 "version)").format(code=before.code, status=before.status.label))
            after = _changed(tx, before, data)
            store.update_version(tx.conn, row.id, **store.version_values(after))
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
                    code=before.code, status=before.status.label, hint=hint))
            after = attrs.evolve(before, status=PlanStatus.SUBMITTED, submitted_on=tx.today)
            store.update_version(tx.conn, row.id, status=after.status.value, submitted_on=tx.today)
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
                                 "can be resubmitted").format(code=before.code, status=before.status.label))
            after = attrs.evolve(_changed(tx, before, data), version=before.version + 1, status=PlanStatus.SUBMITTED,
                                 submitted_on=tx.today, scored_on=None, decided_on=None, panel_score=None, note=None)
            store.insert_version(tx.conn, row.plan_id, after, tx.today)
            tx.audit("plan.resubmit", "plan", before.code, before={"version": before.version},
                     after=audited(after))
        return after

    def return_for_revision(self, code: str, reason: str) -> Plan:
        """Send a submitted or scored plan back to its author: → needs_revision, with the
        reason. Only an admin or the cohort's lead trainer may."""
        from .panel import moderated_plan

        with self.ctx.transaction() as tx:
            row, note = moderated_plan(tx, code, reason, _(
                "{reason}: say what the plan needs, e.g. 'get real quotes for the oven'").format(
                    reason=param("reason")))
            before = store.load_plans(tx.conn, [row])[0]
            if not before.can_move_to(PlanStatus.NEEDS_REVISION):
                raise Conflict(_("plan {code} is {status}; only a submitted or scored plan can be returned for "
                                 "revision").format(code=before.code, status=before.status.label))
            after = attrs.evolve(before, status=PlanStatus.NEEDS_REVISION, note=note)
            store.update_version(tx.conn, row.id, status=after.status.value, note=note)
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
            rows = store.plan_versions(conn, current.plan_id)
            totals = store.sheet_totals(conn, [r.id for r in rows])
            plans = store.load_plans(conn, rows)
            return [{"plan": plan, "sheets": len(totals.get(r.id, ())),
                     "raw_score": mean_of(totals[r.id]) if r.id in totals else None}
                    for r, plan in zip(rows, plans)]

    def list(self, *, cohort: str | None = None, status: str | None = None,
             participant: str | None = None) -> list[Plan]:
        """Plans at their current versions, by code."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            return store.current_plans(
                conn, cohort_id=store.cohort_row(conn, cohort).id if cohort else None,
                status=PlanStatus.parse(status).value if status else None,
                participant_id=store.participant_row(conn, participant).id if participant else None)


def _changed(tx, before: Plan, data: dict[str, Any]) -> Plan:
    from reentry_core.sdk import unstructure

    plain = unstructure(before)
    plain.update(data)
    return tx.structure({k: v for k, v in plain.items() if v is not None}, Plan)


def audited(plan: Plan) -> dict:
    """A plan as the audit trail keeps it: its fields and its derived figures."""
    from reentry_core.sdk import unstructure

    return {**unstructure(plan), **{k: (str(v) if v is not None else None) for k, v in plan.figures().items()}}
