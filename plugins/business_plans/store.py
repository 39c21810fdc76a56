"""Every SQL statement of business_plans, and rows ↔ domain objects: the services, the
sheet imports, the indicators, the report analysis, the open-work answer, the scope hook
and the demo call these functions and build no statement themselves.

Each function takes a connection (inside the caller's transaction); a look-up by code
raises ``NotFound`` with one line naming the code that names nothing.

The hot look-ups run statements built once (``functools.cache``, values as
``bindparam``; joins with explicit ``ON`` clauses): building a join select costs more
than SQLite takes to answer it, and these run once per row of every import.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any, Iterable, Iterator, Sequence

import attrs
import sqlalchemy as sa

from reentry_core.sdk import (
    _, as_audited, check_codes, check_in_scope, clear_text, core as t, DataRow, kept_code, NotFound, Role, visible,
)

from .domain import (
    SCORABLE, AttendanceMark, Completion, Conflict as ConflictDeclaration, CostItem, Cohort, Criterion, Plan, PlanStatus, Rubric,
    ScoreSheet, TrainingSession,
)
from .tables import (
    bp_attendance, bp_calibration_plan, bp_calibration_round, bp_calibration_score, bp_cohort, bp_cohort_trainer, bp_conflict, bp_cost_item, bp_criterion, bp_enrolment,
    bp_moderation, bp_plan, bp_plan_version, bp_rubric, bp_score, bp_session, bp_sheet,
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
    if row is None and (kept := kept_code(conn, code)):  # a merged duplicate's code finds the person kept
        code, row = kept, conn.execute(_participant_query(), {"code": kept}).first()
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


#: Statuses of plans a trainer scores.
SCORABLE_STATUSES = tuple(s.value for s in SCORABLE)
#: Statuses of plans that are in front of the panel or decided: they take part in rankings.
RANKED_STATUSES = (PlanStatus.SUBMITTED.value, PlanStatus.SCORED.value, PlanStatus.SHORTLISTED.value,
                   PlanStatus.NOT_SELECTED.value)


# --- rubrics -------------------------------------------------------------------------------


def insert_rubric(conn: sa.Connection, rubric: Rubric, today) -> tuple[int, Rubric]:
    """Store ``rubric`` as its key's next version, with its criteria: its id and the rubric."""
    last = conn.execute(sa.select(sa.func.max(bp_rubric.c.version)).where(bp_rubric.c.key == rubric.key)).scalar()
    rubric = attrs.evolve(rubric, version=(last or 0) + 1)
    rid = conn.execute(bp_rubric.insert().values(
        key=rubric.key, version=rubric.version, title=rubric.title, scale_min=rubric.scale_min,
        scale_max=rubric.scale_max, added_on=today)).inserted_primary_key[0]
    conn.execute(bp_criterion.insert(), [
        {"rubric_id": rid, "position": i, "key": c.key, "label": c.label, "weight": c.weight,
         "description": c.description} for i, c in enumerate(rubric.criteria, 1)])
    return rid, rubric


def all_rubrics(conn: sa.Connection) -> list[Rubric]:
    """Every version of every rubric, by key and version."""
    ids = conn.execute(sa.select(bp_rubric.c.id).order_by(bp_rubric.c.key, bp_rubric.c.version)).scalars().all()
    return [rubric_by_id(conn, rid) for rid in ids]


# --- conflicts -----------------------------------------------------------------------------


def has_conflict(conn: sa.Connection, staff_id: int, participant_id: int) -> bool:
    return conn.execute(sa.select(bp_conflict.c.kind).where(
        bp_conflict.c.staff_id == staff_id, bp_conflict.c.participant_id == participant_id)).first() is not None


def insert_conflict(conn: sa.Connection, staff_id: int, participant_id: int, declared: ConflictDeclaration) -> None:
    conn.execute(bp_conflict.insert().values(staff_id=staff_id, participant_id=participant_id,
                                             kind=declared.kind.value, note=declared.note,
                                             declared_on=declared.declared_on))


def conflicts(conn: sa.Connection, trainer: str | None, participant: str | None) -> list[ConflictDeclaration]:
    """The declared conflicts (of one trainer, with one participant), by trainer and participant."""
    query = (sa.select(t.staff.c.code.label("trainer"), _P.c.code.label("participant"), bp_conflict.c.kind,
                       bp_conflict.c.note, bp_conflict.c.declared_on)
             .select_from(bp_conflict.join(t.staff).join(_P)).order_by(t.staff.c.code, _P.c.code))
    if trainer:
        query = query.where(t.staff.c.code == trainer.strip().upper())
    if participant:
        query = query.where(_P.c.code == participant.strip().upper())
    return [ConflictDeclaration(r.trainer, r.participant, r.kind, r.note, r.declared_on) for r in conn.execute(query)]


# --- score sheets --------------------------------------------------------------------------


@functools.cache
def _me_and_conflicts_query():
    staff = t.staff
    return (sa.select(staff.c.id, staff.c.code, staff.c.active, bp_conflict.c.participant_id)
            .select_from(staff.outerjoin(bp_conflict, bp_conflict.c.staff_id == staff.c.id))
            .where(staff.c.code == sa.bindparam("code")))


def staff_and_conflicts(conn: sa.Connection, code: str) -> list:
    """The staff member ``code``'s row (id, code, active, participant_id), once per
    participant they declared a conflict with (``participant_id`` ``None`` if none)."""
    return conn.execute(_me_and_conflicts_query(), {"code": code}).all()


@functools.cache
def _sheet_plans_query():
    v = bp_plan_version
    conflicted = sa.select(bp_conflict.c.participant_id).where(bp_conflict.c.staff_id == sa.bindparam("staff_id"))
    return (sa.select(v.c.id, bp_plan.c.code, v.c.version, _P.c.code.label("participant"), v.c.title, v.c.sector)
            .select_from(bp_plan.join(v, sa.and_(v.c.plan_id == bp_plan.c.id, v.c.version == bp_plan.c.current_version))
                         .join(_P, _P.c.id == bp_plan.c.participant_id))
            .where(bp_plan.c.cohort_id == sa.bindparam("cohort_id"), v.c.status.in_(SCORABLE_STATUSES),
                   bp_plan.c.participant_id.not_in(conflicted))
            .order_by(bp_plan.c.code))


def plans_to_score(conn: sa.Connection, cohort_id: int, staff_id: int) -> list:
    """The plans of a cohort a trainer may score (current versions in front of the panel,
    none of a participant they declared a conflict with), by code."""
    return conn.execute(_sheet_plans_query(), {"cohort_id": cohort_id, "staff_id": staff_id}).all()


@functools.cache
def _earlier_values_query():
    return (sa.select(bp_sheet.c.version_id, bp_sheet.c.comment, bp_criterion.c.key, bp_score.c.value)
            .select_from(bp_sheet.join(bp_score, bp_score.c.sheet_id == bp_sheet.c.id)
                         .join(bp_criterion, bp_criterion.c.id == bp_score.c.criterion_id))
            .where(bp_sheet.c.trainer_id == sa.bindparam("trainer_id"),
                   bp_sheet.c.version_id.in_(sa.bindparam("ids", expanding=True))))


def earlier_values(conn: sa.Connection, trainer_id: int, version_ids: list[int]) -> dict[int, dict[str, Any]]:
    """A trainer's values and overall comment on plan versions: ``{version id: {"comment": …, key: value}}``."""
    found: dict[int, dict[str, Any]] = {}
    for part in chunks(version_ids):
        for vid, comment, key, value in conn.execute(_earlier_values_query(), {"trainer_id": trainer_id, "ids": part}):
            found.setdefault(vid, {"comment": comment})[key] = value
    return found


def load_sheets_many(conn: sa.Connection, rows, trainer_id: int | None = None) -> dict[int, list[ScoreSheet]]:
    """The score sheets of plan versions (``rows`` as :func:`plan_row` gives them), by
    version id, by trainer code; only ``trainer_id``'s if given. Two queries per 500 versions."""
    by_id = {row.id: row for row in rows}
    found: dict[int, list[ScoreSheet]] = {}
    for part in chunks(sorted(by_id)):
        query = (sa.select(bp_sheet, t.staff.c.code.label("trainer"), bp_rubric.c.key, bp_rubric.c.version)
                 .select_from(bp_sheet.join(t.staff, t.staff.c.id == bp_sheet.c.trainer_id)
                              .join(bp_rubric, bp_rubric.c.id == bp_sheet.c.rubric_id))
                 .where(bp_sheet.c.version_id.in_(part)).order_by(bp_sheet.c.version_id, t.staff.c.code))
        if trainer_id is not None:
            query = query.where(bp_sheet.c.trainer_id == trainer_id)
        sheets = conn.execute(query).all()
        scores: dict[int, list] = {}
        for r in conn.execute(sa.select(bp_score.c.sheet_id, bp_criterion.c.key, bp_score.c.value, bp_score.c.comment)
                              .select_from(bp_score.join(bp_criterion, bp_criterion.c.id == bp_score.c.criterion_id))
                              .where(bp_score.c.sheet_id.in_([s.id for s in sheets]))
                              .order_by(bp_score.c.sheet_id, bp_criterion.c.position)):
            scores.setdefault(r.sheet_id, []).append(r)
        for s in sheets:
            row = by_id[s.version_id]
            found.setdefault(s.version_id, []).append(ScoreSheet(
                row.code, row.version, s.trainer, f"{s.key}@{s.version}",
                {r.key: r.value for r in scores.get(s.id, [])}, s.total,
                {r.key: r.comment for r in scores.get(s.id, []) if r.comment}, s.comment, s.scored_on))
    return found


@functools.cache
def _my_sheets_query():
    return sa.select(bp_sheet.c.version_id, bp_sheet.c.id).where(
        bp_sheet.c.trainer_id == sa.bindparam("trainer_id"),
        bp_sheet.c.version_id.in_(sa.bindparam("ids", expanding=True)))


def sheet_ids(conn: sa.Connection, trainer_id: int, version_ids) -> dict[int, int]:
    """The ids of a trainer's sheets of plan versions, by version id."""
    found: dict[int, int] = {}
    for part in chunks(version_ids):
        found.update(conn.execute(_my_sheets_query(), {"trainer_id": trainer_id, "ids": part}).all())
    return found


@functools.cache
def _insert_sheets():
    return bp_sheet.insert().returning(bp_sheet.c.version_id, bp_sheet.c.id)


def write_sheets(conn: sa.Connection, inserts: list[dict], updates: list[dict], scores) -> dict[int, int]:
    """Write score sheets: ``updates`` (with ``sheet_id``) replace a sheet and its scores,
    ``inserts`` add sheets; then ``scores(sheet ids by version id)`` gives every criterion
    score to insert. One statement each; returns the new sheets' ids by version id."""
    if updates:
        for part in chunks([u["sheet_id"] for u in updates]):
            conn.execute(bp_score.delete().where(bp_score.c.sheet_id.in_(part)))
        conn.execute(bp_sheet.update().where(bp_sheet.c.id == sa.bindparam("sheet_id")), updates)
    added = dict(conn.execute(_insert_sheets(), inserts).all()) if inserts else {}
    conn.execute(bp_score.insert(), scores(added))
    return added


@functools.cache
def _reopen_moderations():
    return (bp_moderation.delete().where(bp_moderation.c.version_id.in_(sa.bindparam("ids", expanding=True)))
            .returning(bp_moderation.c.version_id))


def reopen_moderations(conn: sa.Connection, version_ids) -> set[int]:
    """Drop the moderations of plan versions (a changed sheet reopens them); the versions that had one."""
    reopened: set[int] = set()
    for part in chunks(version_ids):
        reopened.update(conn.execute(_reopen_moderations(), {"ids": part}).scalars())
    return reopened


@functools.cache
def _sums_update():
    """Every listed version's sheet count, sum, lowest and highest total (in hundredths) from
    its sheets, in one statement that gives back the counts."""
    v = bp_plan_version
    total = sa.type_coerce(bp_sheet.c.total, sa.BigInteger)

    def of_sheets(expression):
        return sa.select(expression).where(bp_sheet.c.version_id == v.c.id).scalar_subquery()

    return (v.update().where(v.c.id.in_(sa.bindparam("ids", expanding=True)))
            .values({v.c.sheets: of_sheets(sa.func.count()),
                     v.c.sheet_sum: of_sheets(sa.func.coalesce(sa.func.sum(total), 0)),
                     v.c.sheet_low: of_sheets(sa.func.min(total)), v.c.sheet_high: of_sheets(sa.func.max(total))})
            .returning(v.c.id, v.c.sheets))


def update_sums(conn: sa.Connection, version_ids) -> dict[int, int]:
    """Store each plan version's sheet count, sum, lowest and highest total (one statement per
    500 versions); returns the counts by version id."""
    counts: dict[int, int] = {}
    for part in chunks(sorted(set(version_ids))):
        counts.update(conn.execute(_sums_update(), {"ids": part}).all())
    return counts


def mark_scored(conn: sa.Connection, version_ids, day) -> None:
    for part in chunks(version_ids):
        conn.execute(bp_plan_version.update().where(bp_plan_version.c.id.in_(part))
                     .values(status=PlanStatus.SCORED.value, scored_on=day))


# --- ranking, moderation, agreement --------------------------------------------------------


def sheet_rows(conn: sa.Connection, cohort_id: int) -> list:
    """``(version id, trainer code, total in hundredths)`` of the current versions of a
    cohort's ranked plans."""
    v = bp_plan_version
    return conn.execute(
        sa.select(bp_sheet.c.version_id, t.staff.c.code, sa.type_coerce(bp_sheet.c.total, sa.BigInteger))
        .select_from(bp_sheet.join(v, v.c.id == bp_sheet.c.version_id)
                     .join(bp_plan, sa.and_(bp_plan.c.id == v.c.plan_id, bp_plan.c.current_version == v.c.version))
                     .join(t.staff, t.staff.c.id == bp_sheet.c.trainer_id))
        .where(bp_plan.c.cohort_id == cohort_id, v.c.status.in_(RANKED_STATUSES))).all()


def ranked_rows(conn: sa.Connection, cohort_id: int) -> list:
    """The current versions of a cohort's ranked plans as plain tuples: version id, plan
    code, version, participant code and name, title, sector, status, requested funding in
    hundredths, currency, moderated version id, sheet count, sum, lowest and highest total."""
    v = bp_plan_version
    whole = sa.BigInteger
    return conn.execute(
        sa.select(v.c.id, bp_plan.c.code, v.c.version, _P.c.code, _P.c.full_name, v.c.title, v.c.sector, v.c.status,
                  sa.type_coerce(v.c.requested_funding, whole), v.c.currency, bp_moderation.c.version_id,
                  v.c.sheets, sa.type_coerce(v.c.sheet_sum, whole), sa.type_coerce(v.c.sheet_low, whole),
                  sa.type_coerce(v.c.sheet_high, whole))
        .select_from(bp_plan.join(v, sa.and_(v.c.plan_id == bp_plan.c.id, v.c.version == bp_plan.c.current_version))
                     .join(_P, _P.c.id == bp_plan.c.participant_id)
                     .outerjoin(bp_moderation, bp_moderation.c.version_id == v.c.id))
        .where(bp_plan.c.cohort_id == cohort_id, v.c.status.in_(RANKED_STATUSES))).all()


def insert_moderation(conn: sa.Connection, version_id: int, moderator_id: int, day, spread, reason: str) -> None:
    conn.execute(bp_moderation.insert().values(version_id=version_id, moderator_id=moderator_id, resolved_on=day,
                                               spread=spread, reason=reason))


@functools.cache
def _current_versions_query():
    v = bp_plan_version
    return (sa.select(v.c.id, bp_plan.c.code, v.c.version).select_from(v.join(bp_plan, bp_plan.c.id == v.c.plan_id))
            .where(bp_plan.c.cohort_id == sa.bindparam("cohort_id"), v.c.version == bp_plan.c.current_version))


def decide(conn: sa.Connection, cohort_id: int, decided: list[tuple], day) -> None:
    """Store each decision ``(plan code, version, status, panel score)`` of a cohort's plans:
    one look-up and one statement for them all."""
    ids = {(code, version): vid for vid, code, version in conn.execute(_current_versions_query(),
                                                                       {"cohort_id": cohort_id})}
    conn.execute(bp_plan_version.update().where(bp_plan_version.c.id == sa.bindparam("vid")), [
        {"vid": ids[(code, version)], "status": status, "decided_on": day, "panel_score": score}
        for code, version, status, score in decided])


def decided_plans(conn: sa.Connection, cohort_id: int) -> list:
    """``(version id, plan code, version, status)`` of the cohort's plans whose current
    version was shortlisted or not selected, by plan code."""
    v = bp_plan_version
    return conn.execute(sa.select(v.c.id, bp_plan.c.code, v.c.version, v.c.status)
                        .select_from(v.join(bp_plan, bp_plan.c.id == v.c.plan_id))
                        .where(bp_plan.c.cohort_id == cohort_id, v.c.version == bp_plan.c.current_version,
                               v.c.status.in_((PlanStatus.SHORTLISTED.value, PlanStatus.NOT_SELECTED.value)))
                        .order_by(bp_plan.c.code)).all()


def undecide(conn: sa.Connection, version_ids: list[int]) -> None:
    """The plan versions ``version_ids`` scored again, waiting for a decision."""
    conn.execute(bp_plan_version.update().where(bp_plan_version.c.id.in_(version_ids)).values(
        status=PlanStatus.SCORED.value, decided_on=None, panel_score=None))


@functools.cache
def _criterion_values_query():
    v = bp_plan_version
    return (sa.select(bp_sheet.c.version_id, bp_criterion.c.key, bp_score.c.value)
            .select_from(bp_score.join(bp_sheet, bp_sheet.c.id == bp_score.c.sheet_id)
                         .join(bp_criterion, bp_criterion.c.id == bp_score.c.criterion_id)
                         .join(v, v.c.id == bp_sheet.c.version_id)
                         .join(bp_plan, sa.and_(bp_plan.c.id == v.c.plan_id,
                                                bp_plan.c.current_version == v.c.version)))
            .where(bp_plan.c.cohort_id == sa.bindparam("cohort_id"), v.c.status.in_(RANKED_STATUSES)))


def criterion_values(conn: sa.Connection, cohort_id: int) -> list:
    """``(version id, criterion key, value)`` of every sheet of the current versions of a
    cohort's ranked plans."""
    return conn.execute(_criterion_values_query(), {"cohort_id": cohort_id}).all()


# --- training: cohorts, sessions, enrolment, attendance ------------------------------------


def cohort_exists(conn: sa.Connection, code: str) -> bool:
    return conn.execute(sa.select(bp_cohort.c.id).where(bp_cohort.c.code == code)).first() is not None


def insert_cohort(conn: sa.Connection, cohort: Cohort, centre_id: int, rubric_id: int, trainer_ids: list[int],
                  sessions: list[TrainingSession]) -> int:
    """Store a new cohort with its trainers (in order, the lead marked) and planned sessions
    (numbered in the order given); its id."""
    cohort_id = conn.execute(bp_cohort.insert().values(
        code=cohort.code, centre_id=centre_id, title=cohort.title, start_date=cohort.start_date,
        end_date=cohort.end_date, rubric_id=rubric_id, completion_threshold=cohort.completion_threshold,
        min_sheets=cohort.min_sheets, spread_limit=cohort.spread_limit, normalise=cohort.normalise,
    )).inserted_primary_key[0]
    write_trainers(conn, cohort_id, [(sid, code == cohort.lead_trainer) for code, sid in zip(cohort.trainers,
                                                                                            trainer_ids)])
    if sessions:
        conn.execute(bp_session.insert(), [{"cohort_id": cohort_id, "number": n, "day": s.on, "topic": s.topic.value}
                                           for n, s in enumerate(sessions, 1)])
    return cohort_id


def write_trainers(conn: sa.Connection, cohort_id: int, trainers: list[tuple[int, bool]]) -> None:
    """Set a cohort's trainers: ``(staff id, is lead)`` in order."""
    conn.execute(bp_cohort_trainer.delete().where(bp_cohort_trainer.c.cohort_id == cohort_id))
    conn.execute(bp_cohort_trainer.insert(), [{"cohort_id": cohort_id, "staff_id": sid, "lead": lead, "position": i}
                                              for i, (sid, lead) in enumerate(trainers)])


def trainer_rows(conn: sa.Connection, codes: Iterable[str]) -> dict:
    """The staff rows of ``codes`` (id, code, active, trainer: has the trainer role), by code: one query."""
    staff = t.staff
    is_trainer = sa.exists().where(t.staff_role.c.staff_id == staff.c.id, t.staff_role.c.role == Role.TRAINER.value)
    return {r.code: r for r in conn.execute(
        sa.select(staff.c.id, staff.c.code, staff.c.active, is_trainer.label("trainer"))
        .where(staff.c.code.in_([c.strip().upper() for c in codes])))}


def cohort_codes(conn: sa.Connection, centre_id: int | None = None) -> list[str]:
    """Cohort codes by start date and code (of one centre)."""
    query = sa.select(bp_cohort.c.code).order_by(bp_cohort.c.start_date, bp_cohort.c.code)
    if centre_id is not None:
        query = query.where(bp_cohort.c.centre_id == centre_id)
    return list(conn.execute(query).scalars())


def enrolled_count(conn: sa.Connection, cohort_id: int) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(bp_enrolment)
                        .where(bp_enrolment.c.cohort_id == cohort_id)).scalar_one()


def update_cohort(conn: sa.Connection, cohort_id: int, cohort: Cohort) -> None:
    """Store a cohort's title and settings."""
    conn.execute(bp_cohort.update().where(bp_cohort.c.id == cohort_id).values(
        title=cohort.title, completion_threshold=cohort.completion_threshold, spread_limit=cohort.spread_limit,
        normalise=cohort.normalise))


def renumber_session(conn: sa.Connection, cohort_id: int, number: int, new: int) -> None:
    conn.execute(bp_session.update().where(bp_session.c.cohort_id == cohort_id, bp_session.c.number == number)
                 .values(number=new))


def move_session(conn: sa.Connection, cohort_id: int, number: int, day) -> None:
    conn.execute(bp_session.update().where(bp_session.c.cohort_id == cohort_id, bp_session.c.number == number)
                 .values(day=day))


def delete_session(conn: sa.Connection, cohort_id: int, number: int) -> None:
    conn.execute(bp_session.delete().where(bp_session.c.cohort_id == cohort_id, bp_session.c.number == number))


def renumber_sessions(conn: sa.Connection, numbers: dict[int, int]) -> None:
    """Give sessions (by id) new numbers: first below zero, then the new ones, so no two
    sessions of a cohort share a number on the way."""
    for step in (-1, 1):
        for session_id, number in numbers.items():
            conn.execute(bp_session.update().where(bp_session.c.id == session_id).values(number=step * number))


def enrolment(conn: sa.Connection, cohort_id: int, code: str):
    """The enrolment of participant ``code`` in a cohort (``participant_id``, ``enrolled_on``), or ``None``."""
    return conn.execute(sa.select(bp_enrolment.c.participant_id, bp_enrolment.c.enrolled_on)
                        .join(_P, _P.c.id == bp_enrolment.c.participant_id)
                        .where(bp_enrolment.c.cohort_id == cohort_id, _P.c.code == code)).first()


def plan_in_cohort(conn: sa.Connection, cohort_id: int, participant_id: int) -> str | None:
    """The code of a participant's business plan in a cohort, or ``None``."""
    return conn.execute(sa.select(bp_plan.c.code).where(bp_plan.c.cohort_id == cohort_id,
                                                        bp_plan.c.participant_id == participant_id)).scalar()


def unenrol(conn: sa.Connection, cohort_id: int, participant_id: int) -> dict[int, str]:
    """Remove an enrolment and the person's attendance marks in the cohort; returns the
    marks as they were, ``{session number: mark}``."""
    sessions = sa.select(bp_session.c.id).where(bp_session.c.cohort_id == cohort_id)
    marks = dict(conn.execute(sa.select(bp_session.c.number, bp_attendance.c.mark)
                              .select_from(bp_attendance.join(bp_session))
                              .where(bp_session.c.cohort_id == cohort_id,
                                     bp_attendance.c.participant_id == participant_id)).all())
    conn.execute(bp_attendance.delete().where(bp_attendance.c.participant_id == participant_id,
                                              bp_attendance.c.session_id.in_(sessions)))
    conn.execute(bp_enrolment.delete().where(bp_enrolment.c.cohort_id == cohort_id,
                                             bp_enrolment.c.participant_id == participant_id))
    return marks


def insert_session(conn: sa.Connection, cohort_id: int, number: int, session: TrainingSession) -> None:
    conn.execute(bp_session.insert().values(cohort_id=cohort_id, number=number, day=session.on,
                                            topic=session.topic.value))


def sheets_by(conn: sa.Connection, cohort_id: int, staff_id: int) -> int:
    """How many score sheets a trainer wrote in a cohort."""
    return conn.execute(sa.select(sa.func.count()).select_from(bp_sheet.join(bp_plan_version).join(bp_plan))
                        .where(bp_plan.c.cohort_id == cohort_id, bp_sheet.c.trainer_id == staff_id)).scalar_one()


def enrol(conn: sa.Connection, cohort_id: int, participant_ids: Iterable[int], day) -> None:
    conn.execute(bp_enrolment.insert(), [{"cohort_id": cohort_id, "participant_id": pid, "enrolled_on": day}
                                         for pid in participant_ids])


@functools.cache
def _session_rows_query():
    return (sa.select(bp_session.c.id, bp_session.c.number, bp_session.c.day)
            .where(bp_session.c.cohort_id == sa.bindparam("cohort_id")).order_by(bp_session.c.number))


def session_rows(conn: sa.Connection, cohort_id: int) -> list:
    """A cohort's sessions as ``(id, number, day)``, by number."""
    return conn.execute(_session_rows_query(), {"cohort_id": cohort_id}).all()


@functools.cache
def _enrolled_query():
    return (sa.select(_P.c.code, _P.c.id).select_from(bp_enrolment.join(_P, _P.c.id == bp_enrolment.c.participant_id))
            .where(bp_enrolment.c.cohort_id == sa.bindparam("cohort_id")))


def enrolled(conn: sa.Connection, cohort_id: int) -> dict[str, int]:
    """The participants enrolled in a cohort: ``{code: id}``."""
    return dict(conn.execute(_enrolled_query(), {"cohort_id": cohort_id}).all())


def recorded_marks(conn: sa.Connection, session_ids) -> dict[tuple[int, int], str]:
    """The marks held for the sessions ``session_ids``: ``{(session id, participant id): mark}``."""
    return {(r.session_id, r.participant_id): r.mark for r in conn.execute(
        sa.select(bp_attendance).where(bp_attendance.c.session_id.in_(list(session_ids))))}


def marked_codes(conn: sa.Connection, session_id: int) -> set[str]:
    """The codes of the participants marked at a session."""
    return set(conn.execute(sa.select(_P.c.code).select_from(bp_attendance.join(_P))
                            .where(bp_attendance.c.session_id == session_id)).scalars())


def write_marks(conn: sa.Connection, changes) -> None:
    """Store ``((session id, participant id), mark, mark before or None)`` changes: new marks
    inserted, changed ones updated, one statement each."""
    inserts = [{"session_id": s, "participant_id": p, "mark": mark} for (s, p), mark, before in changes
               if before is None]
    updates = [{"s_id": s, "p_id": p, "mark": mark} for (s, p), mark, before in changes if before is not None]
    if inserts:
        conn.execute(bp_attendance.insert(), inserts)
    if updates:
        conn.execute(bp_attendance.update().where(bp_attendance.c.session_id == sa.bindparam("s_id"),
                                                  bp_attendance.c.participant_id == sa.bindparam("p_id")), updates)


def completions(conn: sa.Connection, cohort_id: int, threshold: int, participant_id: int | None = None) -> list[Completion]:
    """Each enrolled participant's attendance in one cohort."""
    held = conn.execute(sa.select(sa.func.count(sa.distinct(bp_attendance.c.session_id)))
                        .select_from(bp_attendance.join(bp_session))
                        .where(bp_session.c.cohort_id == cohort_id)).scalar_one()
    marks = (sa.select(bp_attendance.c.participant_id, bp_attendance.c.mark, sa.func.count().label("n"))
             .select_from(bp_attendance.join(bp_session)).where(bp_session.c.cohort_id == cohort_id)
             .group_by(bp_attendance.c.participant_id, bp_attendance.c.mark))
    counts: dict[int, dict[str, int]] = {}
    for pid, mark, n in conn.execute(marks):
        counts.setdefault(pid, {})[mark] = n
    people = (sa.select(_P.c.id, _P.c.code, _P.c.full_name).select_from(bp_enrolment.join(_P))
              .where(bp_enrolment.c.cohort_id == cohort_id).order_by(_P.c.code))
    if participant_id is not None:
        people = people.where(_P.c.id == participant_id)
    result = []
    for pid, code, name in conn.execute(people):
        own = counts.get(pid, {})
        result.append(Completion(code, name, own.get("present", 0), own.get("absent", 0), own.get("excused", 0),
                                 held, threshold))
    return result


def participant_completions(conn: sa.Connection, participant_id: int) -> list[tuple[str, Completion]]:
    """``(cohort code, completion)`` for every cohort the participant is enrolled in."""
    rows = conn.execute(sa.select(bp_cohort.c.id, bp_cohort.c.code, bp_cohort.c.completion_threshold)
                        .select_from(bp_enrolment.join(bp_cohort))
                        .where(bp_enrolment.c.participant_id == participant_id).order_by(bp_cohort.c.start_date))
    return [(code, completions(conn, cid, threshold, participant_id)[0]) for cid, code, threshold in rows]


# --- calibration rounds --------------------------------------------------------------------


@functools.cache
def _round_query():
    return (sa.select(bp_calibration_round, bp_cohort.c.code.label("cohort_code"), bp_cohort.c.rubric_id,
                      t.staff.c.code.label("creator"))
            .select_from(bp_calibration_round.join(bp_cohort, bp_cohort.c.id == bp_calibration_round.c.cohort_id)
                         .join(t.staff, t.staff.c.id == bp_calibration_round.c.created_by))
            .where(bp_calibration_round.c.code == sa.bindparam("code")))


def round_row(conn: sa.Connection, code: str):
    """The calibration round ``code`` with its cohort's code and rubric id and its creator's code."""
    code = code.strip().upper()
    row = conn.execute(_round_query(), {"code": code}).first()
    if row is None:
        raise NotFound(_("calibration round {code!r} does not exist; see: reentry plans calibration list COHORT")
                       .format(code=code))
    return row


@functools.cache
def _round_plans_query():
    return (sa.select(bp_calibration_plan.c.position, bp_calibration_plan.c.version_id)
            .where(bp_calibration_plan.c.round_id == sa.bindparam("round_id"))
            .order_by(bp_calibration_plan.c.position))


def round_plans(conn: sa.Connection, round_id: int) -> list[tuple[int, int]]:
    """``(position, plan version id)`` of a round's plans, in order."""
    return [tuple(r) for r in conn.execute(_round_plans_query(), {"round_id": round_id})]


def round_codes(conn: sa.Connection, cohort_id: int) -> list[str]:
    """A cohort's calibration rounds, oldest first."""
    return list(conn.execute(sa.select(bp_calibration_round.c.code).where(
        bp_calibration_round.c.cohort_id == cohort_id).order_by(bp_calibration_round.c.number)).scalars())


def insert_round(conn: sa.Connection, cohort, band, created_by: int, day, version_ids: list[int]) -> str:
    """Number and store a cohort's next calibration round on the plan versions given (the
    caller holds the cohort's lock); its code."""
    number = (conn.execute(sa.select(sa.func.max(bp_calibration_round.c.number))
                           .where(bp_calibration_round.c.cohort_id == cohort.id)).scalar() or 0) + 1
    code = f"{cohort.code}-CAL{number}"
    round_id = conn.execute(bp_calibration_round.insert().values(
        code=code, cohort_id=cohort.id, number=number, band=band, created_by=created_by,
        created_on=day)).inserted_primary_key[0]
    conn.execute(bp_calibration_plan.insert(), [
        {"round_id": round_id, "position": i, "version_id": vid} for i, vid in enumerate(version_ids, 1)])
    return code


def version_rows(conn: sa.Connection, version_ids) -> dict:
    """Plan version rows by id."""
    v = bp_plan_version
    return {r.id: r for r in conn.execute(sa.select(v).where(v.c.id.in_(list(version_ids))))}


@functools.cache
def _calibration_scores_query():
    return (sa.select(bp_calibration_score.c.position, t.staff.c.code, bp_criterion.c.key, bp_calibration_score.c.value)
            .select_from(bp_calibration_score.join(t.staff, t.staff.c.id == bp_calibration_score.c.trainer_id)
                         .join(bp_criterion, bp_criterion.c.id == bp_calibration_score.c.criterion_id))
            .where(bp_calibration_score.c.round_id == sa.bindparam("round_id")))


def calibration_scores(conn: sa.Connection, round_id: int) -> list:
    """``(position, trainer code, criterion key, value)`` of every calibration score of a round."""
    return conn.execute(_calibration_scores_query(), {"round_id": round_id}).all()


def write_calibration_scores(conn: sa.Connection, round_id: int, trainer_id: int, rubric_id: int,
                             values: dict[int, dict[str, int]], day) -> None:
    """Replace a trainer's values in a round for the plans at the positions given
    (``{position: {criterion key: value}}``)."""
    criteria = rubric_with_ids(conn, rubric_id)[1]
    score = bp_calibration_score.c
    conn.execute(bp_calibration_score.delete().where(
        score.round_id == round_id, score.trainer_id == trainer_id, score.position.in_(list(values))))
    conn.execute(bp_calibration_score.insert(), [
        {"round_id": round_id, "position": position, "trainer_id": trainer_id, "criterion_id": criteria[key],
         "value": value, "scored_on": day} for position, given in values.items() for key, value in given.items()])


@functools.cache
def _consensus_query():
    return (sa.select(bp_sheet.c.version_id, bp_criterion.c.key, sa.func.sum(bp_score.c.value), sa.func.count())
            .select_from(bp_score.join(bp_sheet, bp_sheet.c.id == bp_score.c.sheet_id)
                         .join(bp_criterion, bp_criterion.c.id == bp_score.c.criterion_id))
            .where(bp_sheet.c.version_id.in_(sa.bindparam("ids", expanding=True)))
            .group_by(bp_sheet.c.version_id, bp_criterion.c.key))


def consensus(conn: sa.Connection, version_ids) -> list:
    """Each plan version's ``(version id, criterion key, sum, count)`` of values over its sheets."""
    return conn.execute(_consensus_query(), {"ids": list(version_ids)}).all()


# --- plans: writing ------------------------------------------------------------------------


def is_enrolled(conn: sa.Connection, cohort_id: int, participant_id: int) -> bool:
    return conn.execute(sa.select(bp_enrolment.c.cohort_id).where(
        bp_enrolment.c.cohort_id == cohort_id, bp_enrolment.c.participant_id == participant_id)).first() is not None


def plan_code_of(conn: sa.Connection, cohort_id: int, participant_id: int) -> str | None:
    """The code of a participant's plan in a cohort, if any."""
    return conn.execute(sa.select(bp_plan.c.code).where(bp_plan.c.cohort_id == cohort_id,
                                                        bp_plan.c.participant_id == participant_id)).scalar()


def next_number(conn: sa.Connection, cohort_id: int) -> int:
    """The number the cohort's next plan gets (the caller holds the cohort's lock)."""
    return (conn.execute(sa.select(sa.func.max(bp_plan.c.number)).where(bp_plan.c.cohort_id == cohort_id))
            .scalar() or 0) + 1


def insert_plans(conn: sa.Connection, cohort_id: int, made: list, day) -> None:
    """Write numbered new plans ``(participant row, plan, number)`` at version 1: three
    statements, whatever their number."""
    plan_ids = dict(conn.execute(bp_plan.insert().returning(bp_plan.c.number, bp_plan.c.id), [
        {"code": plan.code, "cohort_id": cohort_id, "participant_id": person.id, "number": number,
         "current_version": 1} for person, plan, number in made]).all())
    version_ids = dict(conn.execute(bp_plan_version.insert().returning(bp_plan_version.c.plan_id,
                                                                       bp_plan_version.c.id), [
        {"plan_id": plan_ids[number], "version": 1, "created_on": day, "sheets": 0, "sheet_sum": 0,
         **version_values(plan)} for _person, plan, number in made]).all())
    conn.execute(bp_cost_item.insert(), [
        {"version_id": version_ids[plan_ids[number]], "position": i, "item": c.item, "quantity": c.quantity,
         "unit_cost": c.unit_cost}
        for _person, plan, number in made for i, c in enumerate(plan.costs, 1)])


def insert_version(conn: sa.Connection, plan_id: int, plan: Plan, day) -> None:
    """Store a new version of a plan, with its costs, and make it the plan's current one."""
    version_id = conn.execute(bp_plan_version.insert().values(
        plan_id=plan_id, version=plan.version, created_on=day, sheets=0, sheet_sum=0, **version_values(plan),
    )).inserted_primary_key[0]
    write_costs(conn, version_id, plan.costs)
    conn.execute(bp_plan.update().where(bp_plan.c.id == plan_id).values(current_version=plan.version))


def update_version(conn: sa.Connection, version_id: int, **values) -> None:
    """Change columns of one plan version (its status, dates, note or, for a draft, every field)."""
    conn.execute(bp_plan_version.update().where(bp_plan_version.c.id == version_id).values(**values))


def plan_versions(conn: sa.Connection, plan_id: int) -> list:
    """Every version of a plan, oldest first (as :func:`plan_row` gives them)."""
    return conn.execute(plan_select().where(bp_plan.c.id == plan_id).order_by(bp_plan_version.c.version)).all()


def sheet_totals(conn: sa.Connection, version_ids) -> dict[int, list]:
    """The weighted totals of the sheets of plan versions, by version id."""
    totals: dict[int, list] = {}
    for vid, total in conn.execute(sa.select(bp_sheet.c.version_id, bp_sheet.c.total)
                                   .where(bp_sheet.c.version_id.in_(list(version_ids)))):
        totals.setdefault(vid, []).append(total)
    return totals


def current_plans(conn: sa.Connection, cohort_id: int | None = None, status: str | None = None,
                  participant_id: int | None = None) -> list[Plan]:
    """Plans at their current versions that the acting member may see, by code."""
    query = plan_select().where(bp_plan_version.c.version == bp_plan.c.current_version,
                                visible(conn, bp_plan.c.participant_id))
    if cohort_id is not None:
        query = query.where(bp_plan.c.cohort_id == cohort_id)
    if status is not None:
        query = query.where(bp_plan_version.c.status == status)
    if participant_id is not None:
        query = query.where(bp_plan.c.participant_id == participant_id)
    return load_plans(conn, conn.execute(query.order_by(bp_plan.c.code)))


def participant_plans(conn: sa.Connection, participant_id: int, statuses) -> list:
    """A participant's plans at their current versions in ``statuses``, the most recent first."""
    v = bp_plan_version
    return conn.execute(plan_select().where(
        bp_plan.c.participant_id == participant_id, v.c.version == bp_plan.c.current_version,
        v.c.status.in_(statuses))
        .order_by(sa.func.coalesce(v.c.decided_on, v.c.scored_on, v.c.submitted_on).desc(), v.c.id.desc())).all()


# --- reports, open work, scope -------------------------------------------------------------


def enrolled_query(period):
    """Indicator unit records: one row per enrolment in the period."""
    return sa.select(bp_enrolment.c.participant_id).where(period.covers(bp_enrolment.c.enrolled_on))


def completed_training_query(period):
    """Indicator unit records: one row per participant and cohort completed (present at the
    cohort's threshold of held sessions), the cohort ending in the period."""
    held = (sa.select(bp_session.c.cohort_id, sa.func.count(sa.distinct(bp_attendance.c.session_id)).label("held"))
            .select_from(bp_attendance.join(bp_session)).group_by(bp_session.c.cohort_id).subquery("held"))
    present = (sa.select(bp_session.c.cohort_id, bp_attendance.c.participant_id, sa.func.count().label("present"))
               .select_from(bp_attendance.join(bp_session))
               .where(bp_attendance.c.mark == AttendanceMark.PRESENT.value)
               .group_by(bp_session.c.cohort_id, bp_attendance.c.participant_id).subquery("present"))
    return (sa.select(present.c.participant_id)
            .select_from(present.join(held, held.c.cohort_id == present.c.cohort_id)
                         .join(bp_cohort, bp_cohort.c.id == present.c.cohort_id))
            .where(present.c.present * 100 >= bp_cohort.c.completion_threshold * held.c.held,
                   period.covers(bp_cohort.c.end_date)))


def submitted_query(period):
    """Indicator unit records: one row per plan first submitted (version 1) in the period."""
    v = bp_plan_version
    return (sa.select(bp_plan.c.participant_id).select_from(v.join(bp_plan))
            .where(v.c.version == 1, v.c.submitted_on.is_not(None), period.covers(v.c.submitted_on)))


def scored_query(period):
    """Indicator unit records: one row per plan, on the day it was first scored (any version)."""
    v = bp_plan_version
    first = (sa.select(v.c.plan_id, sa.func.min(v.c.scored_on).label("scored_on"))
             .where(v.c.scored_on.is_not(None)).group_by(v.c.plan_id).subquery("first"))
    return (sa.select(bp_plan.c.participant_id).select_from(first.join(bp_plan, bp_plan.c.id == first.c.plan_id))
            .where(period.covers(first.c.scored_on)))


def decided_query(period, statuses: Sequence[PlanStatus]):
    """Indicator unit records: one row per plan version decided (``statuses``) in the period,
    its panel score the value."""
    v = bp_plan_version
    return (sa.select(bp_plan.c.participant_id, v.c.panel_score.label("value"))
            .select_from(v.join(bp_plan, bp_plan.c.id == v.c.plan_id))
            .where(v.c.status.in_([s.value for s in statuses]), period.covers(v.c.decided_on)))


def cohorts_trained_by(conn: sa.Connection, staff_code: str, waiting: Sequence[str]) -> list:
    """The cohorts a staff member trains (code, end date, lead, plans in ``waiting`` statuses), by start."""
    v = bp_plan_version
    waiting_plans = (sa.select(sa.func.count()).select_from(bp_plan.join(
        v, sa.and_(v.c.plan_id == bp_plan.c.id, v.c.version == bp_plan.c.current_version)))
        .where(bp_plan.c.cohort_id == bp_cohort.c.id, v.c.status.in_(waiting)).scalar_subquery())
    return conn.execute(
        sa.select(bp_cohort.c.code, bp_cohort.c.end_date, bp_cohort_trainer.c.lead, waiting_plans.label("waiting"))
        .select_from(bp_cohort.join(bp_cohort_trainer).join(t.staff, t.staff.c.id == bp_cohort_trainer.c.staff_id))
        .where(t.staff.c.code == staff_code)
        .order_by(bp_cohort.c.start_date, bp_cohort.c.code)).all()


def shortlisted_outcomes(conn: sa.Connection, outcomes) -> list:
    """``(panel score, operating, centre)`` for each participant with a shortlisted plan and
    a known business outcome (``outcomes``: a select of participant_id, operating)."""
    known = outcomes.subquery()
    v = bp_plan_version
    score = sa.func.max(v.c.panel_score).label("score")
    return conn.execute(
        sa.select(score, known.c.operating, t.centre.c.code)
        .select_from(bp_plan.join(v, sa.and_(v.c.plan_id == bp_plan.c.id, v.c.version == bp_plan.c.current_version))
                     .join(known, known.c.participant_id == bp_plan.c.participant_id)
                     .join(_P, _P.c.id == bp_plan.c.participant_id)
                     .join(t.centre, t.centre.c.id == _P.c.centre_id))
        .where(v.c.status == PlanStatus.SHORTLISTED.value, v.c.panel_score.is_not(None))
        .group_by(bp_plan.c.participant_id, known.c.operating, t.centre.c.code)).all()


def centre_codes(conn: sa.Connection) -> tuple[str, ...]:
    return tuple(conn.execute(sa.select(t.centre.c.code).order_by(t.centre.c.code)).scalars())


def trainer_scope(staff_code: str):
    """The participants enrolled in the cohorts a trainer trains: a select of their ids (a
    query built, not run: it rides on every list query of the trainer)."""
    me = sa.select(t.staff.c.id).where(t.staff.c.code == staff_code).scalar_subquery()
    return sa.select(bp_enrolment.c.participant_id).where(bp_enrolment.c.cohort_id.in_(
        sa.select(bp_cohort_trainer.c.cohort_id).where(bp_cohort_trainer.c.staff_id == me)))


def cohort_count(conn: sa.Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(bp_cohort)).scalar_one()


def waiting_for_training(conn: sa.Connection, before) -> list:
    """``(code, centre)`` of the active, consented participants registered before ``before``
    and never enrolled, oldest registration first (the demo's next cohorts)."""
    consented = sa.select(t.consent.c.participant_id).where(t.consent.c.withdrawn_on.is_(None))
    return conn.execute(
        sa.select(_P.c.code, t.centre.c.code.label("centre")).select_from(_P.join(t.centre))
        .where(_P.c.status == "active", _P.c.registered_on < before, _P.c.id.in_(consented),
               _P.c.id.not_in(sa.select(bp_enrolment.c.participant_id)))
        .order_by(_P.c.registered_on, _P.c.code)).all()


def cohorts_with_plans(conn: sa.Connection, start_date) -> list[tuple[str, str]]:
    """``(centre, cohort)`` codes of the cohorts that started on ``start_date`` and have plans."""
    return [tuple(r) for r in conn.execute(
        sa.select(t.centre.c.code, bp_cohort.c.code).select_from(bp_cohort.join(t.centre))
        .where(bp_cohort.c.start_date == start_date, sa.exists().where(bp_plan.c.cohort_id == bp_cohort.c.id))
        .order_by(bp_cohort.c.code))]


def erase_notes(conn: sa.Connection, code: str, dry_run: bool) -> dict[str, int]:
    """Clear the words written about participant ``code``'s plans (the plan's summary and
    notes, trainers' comments on its score sheets) and the notes of conflicts declared with
    them, keeping titles, sectors, money figures and scores. Returns how many records of
    each kind hold (or held) such text."""
    pid = conn.execute(sa.select(t.participant.c.id).where(t.participant.c.code == code)).scalar_one()
    versions = sa.select(bp_plan_version.c.id).join(bp_plan, bp_plan.c.id == bp_plan_version.c.plan_id).where(
        bp_plan.c.participant_id == pid)
    sheets = sa.select(bp_sheet.c.id).where(bp_sheet.c.version_id.in_(versions))
    targets = {
        "plans": (bp_plan_version, bp_plan_version.c.id.in_(versions),
                  sa.or_(bp_plan_version.c.summary.is_not(None), bp_plan_version.c.note.is_not(None)),
                  {"summary": None, "note": None}),
        "sheets": (bp_sheet, bp_sheet.c.id.in_(sheets), bp_sheet.c.comment.is_not(None), {"comment": None}),
        "scores": (bp_score, bp_score.c.sheet_id.in_(sheets), bp_score.c.comment.is_not(None), {"comment": None}),
        "conflicts": (bp_conflict, bp_conflict.c.participant_id == pid, bp_conflict.c.note.is_not(None),
                      {"note": None}),
    }
    return clear_text(conn, targets, dry_run)


def plan_codes_of(conn: sa.Connection, code: str) -> list[str]:
    """The codes of participant ``code``'s plans (any cohort)."""
    return list(conn.execute(sa.select(bp_plan.c.code).join(t.participant, t.participant.c.id == bp_plan.c.participant_id)
                             .where(t.participant.c.code == code).order_by(bp_plan.c.code)).scalars())


# --- rows as the audit trail states them (``audit verify``, see audited.py) ---------------------

SHEET_FIELDS = ("rubric", "values", "total", "scored_on")


def audited_sheets(conn: sa.Connection) -> Iterator[DataRow]:
    values: dict[int, dict[str, int]] = defaultdict(dict)
    for sheet_id, key, value in conn.execute(
            sa.select(bp_score.c.sheet_id, bp_criterion.c.key, bp_score.c.value)
            .select_from(bp_score.join(bp_criterion))):
        values[sheet_id][key] = value
    trainer = t.staff
    for row in conn.execution_options(yield_per=2000).execute(
            sa.select(bp_sheet.c.id, bp_sheet.c.total, bp_sheet.c.scored_on, bp_plan.c.code,
                      bp_plan_version.c.version, trainer.c.code.label("trainer"), bp_rubric.c.key.label("rubric_key"),
                      bp_rubric.c.version.label("rubric_version"), _P.c.code.label("participant"))
            .select_from(bp_sheet.join(bp_plan_version).join(bp_plan).join(_P, _P.c.id == bp_plan.c.participant_id)
                         .join(trainer, trainer.c.id == bp_sheet.c.trainer_id).join(bp_rubric))
            .order_by(bp_sheet.c.id)):
        fields = {"rubric": f"{row.rubric_key}@{row.rubric_version}", "values": values[row.id], "total": row.total,
                  "scored_on": row.scored_on}
        yield DataRow(f"{row.code}/{row.version}/{row.trainer}", as_audited(fields), row.participant)


# --- one person registered twice ---------------------------------------------------------------


def shared_cohorts(conn: sa.Connection, keep_id: int, gone_id: int) -> list[str]:
    """Cohorts (codes) where both records of one person are enrolled or hold a plan."""
    def cohorts(person: int) -> set[str]:
        enrolled = sa.select(bp_enrolment.c.cohort_id).where(bp_enrolment.c.participant_id == person)
        planned = sa.select(bp_plan.c.cohort_id).where(bp_plan.c.participant_id == person)
        return set(conn.execute(sa.select(bp_cohort.c.code).where(
            sa.or_(bp_cohort.c.id.in_(enrolled), bp_cohort.c.id.in_(planned)))).scalars())

    return sorted(cohorts(keep_id) & cohorts(gone_id))


def drop_doubled_conflicts(conn: sa.Connection, keep_id: int, gone_id: int) -> int:
    """A trainer's conflict of interest declared about both records is kept once (the kept
    record's declaration); returns how many of the other's were dropped."""
    c = bp_conflict.c
    on_keep = sa.select(c.staff_id).where(c.participant_id == keep_id)
    return conn.execute(bp_conflict.delete().where(c.participant_id == gone_id, c.staff_id.in_(on_keep))).rowcount
