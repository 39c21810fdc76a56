"""Rows ↔ domain objects, and the look-ups every business_plans service shares.

Each function takes a connection (inside the caller's transaction) and raises
``NotFound`` with one line naming the code that names nothing.
"""

from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa

from reentry_core.domain import Role
from reentry_core.errors import NotFound
from reentry_core.i18n import _
from reentry_core.storage import tables as t

from .domain import CostItem, Cohort, Criterion, Plan, PlanStatus, Rubric, TrainingSession
from .tables import (
    bp_attendance, bp_cohort, bp_cohort_trainer, bp_cost_item, bp_criterion, bp_plan, bp_plan_version, bp_rubric,
    bp_session,
)

_P = t.participant


def participant_row(conn: sa.Connection, code: str):
    code = code.strip().upper()
    row = conn.execute(sa.select(_P.c.id, _P.c.code, _P.c.full_name, _P.c.status).where(_P.c.code == code)).first()
    if row is None:
        raise NotFound(_("participant {code!r} does not exist").format(code=code))
    return row


def staff_row(conn: sa.Connection, code: str):
    code = code.strip().upper()
    row = conn.execute(sa.select(t.staff.c.id, t.staff.c.code, t.staff.c.active).where(t.staff.c.code == code)).first()
    if row is None:
        raise NotFound(_("staff code {code!r}: no such staff member").format(code=code))
    return row


def staff_roles(conn: sa.Connection, staff_id: int) -> set[str]:
    return set(conn.execute(sa.select(t.staff_role.c.role).where(t.staff_role.c.staff_id == staff_id)).scalars())


def is_trainer(conn: sa.Connection, staff_id: int) -> bool:
    return Role.TRAINER.value in staff_roles(conn, staff_id)


# --- rubrics -------------------------------------------------------------------------------


def rubric_by_id(conn: sa.Connection, rubric_id: int) -> Rubric:
    row = conn.execute(sa.select(bp_rubric).where(bp_rubric.c.id == rubric_id)).one()
    criteria = conn.execute(sa.select(bp_criterion).where(bp_criterion.c.rubric_id == rubric_id)
                            .order_by(bp_criterion.c.position)).all()
    return Rubric(row.key, row.title, row.scale_min, row.scale_max,
                  [Criterion(c.key, c.label, c.weight, c.description) for c in criteria], version=row.version)


def criterion_ids(conn: sa.Connection, rubric_id: int) -> dict[str, int]:
    return dict(conn.execute(sa.select(bp_criterion.c.key, bp_criterion.c.id)
                             .where(bp_criterion.c.rubric_id == rubric_id)).all())


def rubric_id(conn: sa.Connection, key: str, version: int | None) -> int | None:
    query = sa.select(bp_rubric.c.id).where(bp_rubric.c.key == key)
    if version is None:
        query = query.order_by(bp_rubric.c.version.desc()).limit(1)
    else:
        query = query.where(bp_rubric.c.version == version)
    return conn.execute(query).scalar()


# --- cohorts -------------------------------------------------------------------------------


def cohort_row(conn: sa.Connection, code: str):
    code = code.strip().upper()
    row = conn.execute(
        sa.select(bp_cohort, t.centre.c.code.label("centre_code"),
                  (bp_rubric.c.key + "@" + sa.cast(bp_rubric.c.version, sa.String)).label("rubric_ref"))
        .select_from(bp_cohort.join(t.centre).join(bp_rubric, bp_rubric.c.id == bp_cohort.c.rubric_id))
        .where(bp_cohort.c.code == code)).first()
    if row is None:
        raise NotFound(_("cohort {code!r} does not exist").format(code=code))
    return row


def lock(conn: sa.Connection, table: sa.Table, row_id: int) -> None:
    """Hold a row until the transaction ends (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
    write lock already serialises writers), so two desks never number or sum past each other."""
    conn.execute(sa.select(table.c.id).where(table.c.id == row_id).with_for_update())


def cohort_trainers(conn: sa.Connection, cohort_id: int) -> list[tuple[str, bool, int]]:
    """``(staff code, is lead, staff id)`` in the order they were named."""
    return [tuple(r) for r in conn.execute(
        sa.select(t.staff.c.code, bp_cohort_trainer.c.lead, t.staff.c.id)
        .select_from(bp_cohort_trainer.join(t.staff))
        .where(bp_cohort_trainer.c.cohort_id == cohort_id).order_by(bp_cohort_trainer.c.position))]


def sessions(conn: sa.Connection, cohort_id: int) -> list[TrainingSession]:
    held = sa.exists().where(bp_attendance.c.session_id == bp_session.c.id)
    rows = conn.execute(sa.select(bp_session.c.number, bp_session.c.day, bp_session.c.topic, held.label("held"))
                        .where(bp_session.c.cohort_id == cohort_id).order_by(bp_session.c.number))
    return [TrainingSession(r.day, r.topic, r.number, bool(r.held)) for r in rows]


def load_cohort(conn: sa.Connection, code: str, row=None) -> Cohort:
    row = row if row is not None else cohort_row(conn, code)
    trainers = cohort_trainers(conn, row.id)
    return Cohort(
        code=row.code, centre=row.centre_code, title=row.title, start_date=row.start_date, end_date=row.end_date,
        trainers=[c for c, _lead, _id in trainers], lead_trainer=next(c for c, lead, _id in trainers if lead),
        rubric=row.rubric_ref, completion_threshold=row.completion_threshold, min_sheets=row.min_sheets,
        spread_limit=row.spread_limit, normalise=row.normalise, sessions=tuple(sessions(conn, row.id)),
    )


# --- plans -------------------------------------------------------------------------------


def plan_select():
    """A plan joined with one of its versions, its cohort and its participant."""
    v = bp_plan_version
    return (sa.select(bp_plan.c.id.label("plan_id"), bp_plan.c.code, bp_plan.c.cohort_id, bp_plan.c.participant_id,
                      bp_plan.c.current_version, v, bp_cohort.c.code.label("cohort_code"),
                      _P.c.code.label("participant_code"), _P.c.full_name)
            .select_from(bp_plan.join(v, v.c.plan_id == bp_plan.c.id).join(bp_cohort).join(_P)))


def plan_row(conn: sa.Connection, code: str, version: int | None = None):
    """The plan ``code`` at ``version`` (default: its current version)."""
    code = code.strip().upper()
    query = plan_select().where(bp_plan.c.code == code)
    query = query.where(bp_plan_version.c.version == (version if version is not None else bp_plan.c.current_version))
    row = conn.execute(query).first()
    if row is None:
        exists = conn.execute(sa.select(bp_plan.c.current_version).where(bp_plan.c.code == code)).scalar()
        if exists is None:
            raise NotFound(_("plan {code!r} does not exist").format(code=code))
        raise NotFound(_("plan {code} has no version {version} (versions 1 to {last})").format(
            code=code, version=version, last=exists))
    return row


def cost_items(conn: sa.Connection, version_ids: Iterable[int]) -> dict[int, list[CostItem]]:
    items: dict[int, list[CostItem]] = {}
    rows = conn.execute(sa.select(bp_cost_item).where(bp_cost_item.c.version_id.in_(list(version_ids)))
                        .order_by(bp_cost_item.c.version_id, bp_cost_item.c.position))
    for r in rows:
        items.setdefault(r.version_id, []).append(CostItem(r.item, r.quantity, r.unit_cost))
    return items


def plan_from_row(row, costs: list[CostItem]) -> Plan:
    return Plan(
        participant=row.participant_code, cohort=row.cohort_code, title=row.title, sector=row.sector, costs=costs,
        own_contribution=row.own_contribution, requested_funding=row.requested_funding,
        monthly_revenue=row.monthly_revenue, monthly_costs=row.monthly_costs, summary=row.summary,
        currency=row.currency, code=row.code, version=row.version, status=row.status, submitted_on=row.submitted_on,
        scored_on=row.scored_on, decided_on=row.decided_on, panel_score=row.panel_score, note=row.note,
    )


def load_plans(conn: sa.Connection, rows) -> list[Plan]:
    rows = list(rows)
    costs = cost_items(conn, [r.id for r in rows])
    return [plan_from_row(r, costs.get(r.id, [])) for r in rows]


def version_values(plan: Plan) -> dict:
    """The columns of ``bp_plan_version`` that hold ``plan``'s own fields."""
    return {
        "status": plan.status.value, "title": plan.title, "sector": plan.sector.value, "summary": plan.summary,
        "currency": plan.currency, "own_contribution": plan.own_contribution,
        "requested_funding": plan.requested_funding, "monthly_revenue": plan.monthly_revenue,
        "monthly_costs": plan.monthly_costs, "total_cost": plan.total_cost, "submitted_on": plan.submitted_on,
        "scored_on": plan.scored_on, "decided_on": plan.decided_on, "panel_score": plan.panel_score,
        "note": plan.note,
    }


def write_costs(conn: sa.Connection, version_id: int, costs: Iterable[CostItem]) -> None:
    conn.execute(bp_cost_item.delete().where(bp_cost_item.c.version_id == version_id))
    conn.execute(bp_cost_item.insert(), [
        {"version_id": version_id, "position": i, "item": c.item, "quantity": c.quantity, "unit_cost": c.unit_cost}
        for i, c in enumerate(costs, 1)])


#: Statuses of plans that are in front of the panel or decided: they take part in rankings.
RANKED_STATUSES = (PlanStatus.SUBMITTED.value, PlanStatus.SCORED.value, PlanStatus.SHORTLISTED.value,
                   PlanStatus.NOT_SELECTED.value)
