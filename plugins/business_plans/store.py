"""Rows ↔ domain objects, and the look-ups every business_plans service shares.

Each function takes a connection (inside the caller's transaction) and raises
``NotFound`` with one line naming the code that names nothing.

The hot look-ups run statements built once (``functools.cache``, values as
``bindparam``; joins with explicit ``ON`` clauses): building a join select costs more
than SQLite takes to answer it, and these run once per row of every import.
"""

from __future__ import annotations

import functools
from typing import Iterable, Sequence

import sqlalchemy as sa

from reentry_core.sdk import _, check_codes, check_in_scope, core as t, NotFound, visible

from .domain import CostItem, Cohort, Criterion, Plan, PlanStatus, Rubric, TrainingSession
from .tables import (
    bp_attendance, bp_cohort, bp_cohort_trainer, bp_cost_item, bp_criterion, bp_enrolment, bp_plan, bp_plan_version,
    bp_rubric, bp_session,
)

_P = t.participant


#: Rows of an ``IN (...)`` look-up per statement (well under every backend's parameter limit).
CHUNK = 500


def chunks(values: Sequence, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


@functools.cache
def _participant_query():
    return sa.select(_P.c.id, _P.c.code, _P.c.full_name, _P.c.status).where(_P.c.code == sa.bindparam("code"))


def participant_row(conn: sa.Connection, code: str):
    code = code.strip().upper()
    row = conn.execute(_participant_query(), {"code": code}).first()
    if row is None:
        raise NotFound(_("participant {code!r} does not exist").format(code=code))
    check_in_scope(conn, row.id, row.code)
    return row


@functools.cache
def _participants_query():
    return sa.select(_P.c.id, _P.c.code, _P.c.full_name, _P.c.status, _P.c.registered_on).where(
        _P.c.code.in_(sa.bindparam("codes", expanding=True)))


def participant_rows(conn: sa.Connection, codes: Iterable[str]) -> dict:
    """The rows of the participants ``codes`` (normalised) that exist, by code: one query per 500."""
    wanted = sorted({c.strip().upper() for c in codes})
    found = {}
    for part in chunks(wanted):
        for row in conn.execute(_participants_query(), {"codes": part}):
            found[row.code] = row
    check_codes(conn, found)  # acting on many people: each must be in the actor's scope
    return found


@functools.cache
def _staff_query():
    return sa.select(t.staff.c.id, t.staff.c.code, t.staff.c.active).where(t.staff.c.code == sa.bindparam("code"))


def staff_row(conn: sa.Connection, code: str):
    code = code.strip().upper()
    row = conn.execute(_staff_query(), {"code": code}).first()
    if row is None:
        raise NotFound(_("staff code {code!r}: no such staff member").format(code=code))
    return row


# --- rubrics -------------------------------------------------------------------------------


@functools.cache
def _rubric_queries():
    rid = sa.bindparam("rubric_id")
    return (sa.select(bp_rubric).where(bp_rubric.c.id == rid),
            sa.select(bp_criterion).where(bp_criterion.c.rubric_id == rid).order_by(bp_criterion.c.position))


def rubric_by_id(conn: sa.Connection, rubric_id: int) -> Rubric:
    return rubric_with_ids(conn, rubric_id)[0]


def rubric_with_ids(conn: sa.Connection, rubric_id: int) -> tuple[Rubric, dict[str, int]]:
    """A rubric and the ids of its criteria by key."""
    rubric_query, criteria_query = _rubric_queries()
    row = conn.execute(rubric_query, {"rubric_id": rubric_id}).one()
    criteria = conn.execute(criteria_query, {"rubric_id": rubric_id}).all()
    return (Rubric(row.key, row.title, row.scale_min, row.scale_max,
                   [Criterion(c.key, c.label, c.weight, c.description) for c in criteria], version=row.version),
            {c.key: c.id for c in criteria})


@functools.cache
def _rubric_id_queries():
    query = sa.select(bp_rubric.c.id).where(bp_rubric.c.key == sa.bindparam("key"))
    return (query.order_by(bp_rubric.c.version.desc()).limit(1),
            query.where(bp_rubric.c.version == sa.bindparam("version")))


def rubric_id(conn: sa.Connection, key: str, version: int | None) -> int | None:
    newest, given = _rubric_id_queries()
    if version is None:
        return conn.execute(newest, {"key": key}).scalar()
    return conn.execute(given, {"key": key, "version": version}).scalar()


# --- cohorts -------------------------------------------------------------------------------


@functools.cache
def _cohort_query():
    return (sa.select(bp_cohort, t.centre.c.code.label("centre_code"),
                      (bp_rubric.c.key + "@" + sa.cast(bp_rubric.c.version, sa.String)).label("rubric_ref"))
            .select_from(bp_cohort.join(t.centre, t.centre.c.id == bp_cohort.c.centre_id)
                         .join(bp_rubric, bp_rubric.c.id == bp_cohort.c.rubric_id))
            .where(bp_cohort.c.code == sa.bindparam("code")))


def cohort_row(conn: sa.Connection, code: str):
    code = code.strip().upper()
    row = conn.execute(_cohort_query(), {"code": code}).first()
    if row is None:
        raise NotFound(_("cohort {code!r} does not exist").format(code=code))
    return row


@functools.cache
def _lock_query(table: sa.Table, many: bool):
    where = table.c.id.in_(sa.bindparam("ids", expanding=True)) if many else table.c.id == sa.bindparam("id")
    return sa.select(table.c.id).where(where).order_by(table.c.id).with_for_update()


def lock(conn: sa.Connection, table: sa.Table, row_id: int) -> None:
    """Hold a row until the transaction ends (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
    write lock, taken when the transaction began, already serialises writers, so nothing
    is sent there), so two desks never number or sum past each other."""
    if conn.dialect.name != "sqlite":
        conn.execute(_lock_query(table, False), {"id": row_id})


def lock_many(conn: sa.Connection, table: sa.Table, row_ids: Iterable[int]) -> None:
    """:func:`lock` for many rows, taken in the order of their ids (two desks locking
    overlapping sets wait for each other instead of deadlocking)."""
    if conn.dialect.name == "sqlite":
        return
    for part in chunks(sorted(set(row_ids))):
        conn.execute(_lock_query(table, True), {"ids": part}).all()


@functools.cache
def _trainers_query():
    return (sa.select(t.staff.c.code, bp_cohort_trainer.c.lead, t.staff.c.id)
            .select_from(bp_cohort_trainer.join(t.staff, t.staff.c.id == bp_cohort_trainer.c.staff_id))
            .where(bp_cohort_trainer.c.cohort_id == sa.bindparam("cohort_id"))
            .order_by(bp_cohort_trainer.c.position))


def cohort_trainers(conn: sa.Connection, cohort_id: int) -> list[tuple[str, bool, int]]:
    """``(staff code, is lead, staff id)`` in the order they were named."""
    return [tuple(r) for r in conn.execute(_trainers_query(), {"cohort_id": cohort_id})]


@functools.cache
def _sessions_query():
    held = sa.exists().where(bp_attendance.c.session_id == bp_session.c.id)
    return (sa.select(bp_session.c.number, bp_session.c.day, bp_session.c.topic, held.label("held"))
            .where(bp_session.c.cohort_id == sa.bindparam("cohort_id")).order_by(bp_session.c.number))


def sessions(conn: sa.Connection, cohort_id: int) -> list[TrainingSession]:
    rows = conn.execute(_sessions_query(), {"cohort_id": cohort_id})
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


@functools.cache
def plan_select():
    """A plan joined with one of its versions, its cohort and its participant (built once;
    add ``.where(...)`` to it)."""
    v = bp_plan_version
    return (sa.select(bp_plan.c.id.label("plan_id"), bp_plan.c.code, bp_plan.c.cohort_id, bp_plan.c.participant_id,
                      bp_plan.c.current_version, v, bp_cohort.c.code.label("cohort_code"),
                      _P.c.code.label("participant_code"), _P.c.full_name)
            .select_from(bp_plan.join(v, v.c.plan_id == bp_plan.c.id)
                         .join(bp_cohort, bp_cohort.c.id == bp_plan.c.cohort_id)
                         .join(_P, _P.c.id == bp_plan.c.participant_id)))


@functools.cache
def _plan_queries():
    v = bp_plan_version
    by_code = plan_select().where(bp_plan.c.code == sa.bindparam("code"))
    return (by_code.where(v.c.version == bp_plan.c.current_version),
            by_code.where(v.c.version == sa.bindparam("version")),
            sa.select(bp_plan.c.current_version).where(bp_plan.c.code == sa.bindparam("code")),
            plan_select().where(bp_plan.c.code.in_(sa.bindparam("codes", expanding=True)),
                                v.c.version == bp_plan.c.current_version))


def plan_row(conn: sa.Connection, code: str, version: int | None = None):
    """The plan ``code`` at ``version`` (default: its current version)."""
    code = code.strip().upper()
    current, given, last, _many = _plan_queries()
    if version is None:
        row = conn.execute(current, {"code": code}).first()
    else:
        row = conn.execute(given, {"code": code, "version": version}).first()
    if row is None:
        exists = conn.execute(last, {"code": code}).scalar()
        if exists is None:
            raise NotFound(_("plan {code!r} does not exist").format(code=code))
        raise NotFound(_("plan {code} has no version {version} (versions 1 to {last})").format(
            code=code, version=version, last=exists))
    check_in_scope(conn, row.participant_id, row.participant_code)
    return row


def current_plan_rows(conn: sa.Connection, codes: Iterable[str]) -> dict:
    """The current versions of the plans ``codes`` (normalised) that exist, by code, in one
    query per 500 (as :func:`plan_row` gives them)."""
    wanted = sorted({c.strip().upper() for c in codes})
    query = _plan_queries()[3]
    found = {}
    for part in chunks(wanted):
        for row in conn.execute(query, {"codes": part}):
            found[row.code] = row
    return found


def cohort_plans(conn: sa.Connection, cohort_id: int, participant_ids: Iterable[int]) -> list[tuple]:
    """``(row, plan)`` of the current plans in a cohort of the participants ``participant_ids``."""
    ids = sorted(set(participant_ids))
    rows = []
    for part in chunks(ids):
        rows.extend(conn.execute(plan_select().where(
            bp_plan.c.cohort_id == cohort_id, bp_plan.c.participant_id.in_(part),
            bp_plan_version.c.version == bp_plan.c.current_version)).all())
    return list(zip(rows, load_plans(conn, rows)))


def planned_codes(conn: sa.Connection, cohort_id: int) -> set[str]:
    """The codes of the participants with a plan in a cohort."""
    return set(conn.execute(
        sa.select(_P.c.code).select_from(bp_plan.join(_P, _P.c.id == bp_plan.c.participant_id))
        .where(bp_plan.c.cohort_id == cohort_id)).scalars())


def enrolled_ids(conn: sa.Connection, cohort_id: int) -> set[int]:
    """The ids of the participants enrolled in a cohort."""
    return set(conn.execute(sa.select(bp_enrolment.c.participant_id)
                            .where(bp_enrolment.c.cohort_id == cohort_id)).scalars())


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
