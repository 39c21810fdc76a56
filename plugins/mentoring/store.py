"""Rows in, entities out: every statement the mentoring plugin runs, so the services
read as rules and the plugin's SQL is in one place.

Each function takes the open connection of the caller's transaction (or reading
connection); none opens its own. Codes not found raise :class:`NotFound` naming them;
lists of participants keep to the actor's scope (``visible``). The report's indicator
queries are declared in :mod:`.outcomes`: the core runs them, the plugin never does.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from typing import Iterable, Iterator

import sqlalchemy as sa

from reentry_core.sdk import (
    _, as_audited, check_codes, check_in_scope, clear_text, core, DataRow, NotFound, ParticipantStatus, Role,
    kept_code, visible,
)

from . import tables as t
from .domain import (
    Assignment, BusinessStatus, DueVisit, MenteeProfile, MentorProfile, RiskFlag, Schedule, ScheduleSource,
    ScheduleStatus, Settings, Visit,
)

_P = core.participant
_S = core.staff

SETTINGS_KEY = "mentoring.settings"


def keys(values: Iterable) -> str:
    """A set of choices or sector keys as stored: sorted, comma-separated."""
    return ",".join(sorted(str(v) for v in values))


# --- people -------------------------------------------------------------------------------


_PARTICIPANTS = (sa.select(_P.c.id, _P.c.code, _P.c.full_name, _P.c.sex, _P.c.status, _P.c.registered_on,
                            _P.c.exited_on, core.centre.c.code.label("centre"))
                  .select_from(_P.join(core.centre, core.centre.c.id == _P.c.centre_id)))
_PARTICIPANT = _PARTICIPANTS.where(_P.c.code == sa.bindparam("code"))


def participant(conn: sa.Connection, code: str):
    """The participant's row (``id``, ``code``, ``full_name``, ``sex``, ``status``, ``registered_on``,
    ``centre``)."""
    code = str(code).strip().upper()
    row = conn.execute(_PARTICIPANT, {"code": code}).first()
    if row is None and (kept := kept_code(conn, code)):  # a merged duplicate's code finds the person kept
        code, row = kept, conn.execute(_PARTICIPANT, {"code": kept}).first()
    if row is None:
        raise NotFound(_("participant {code!r} does not exist").format(code=code))
    check_in_scope(conn, row.id, row.code)
    return row


def participants(conn: sa.Connection, codes: Iterable[str]) -> dict:
    """Code → row (as :func:`participant`) of those of ``codes`` that exist."""
    codes = sorted(codes)
    found = {}
    for start in range(0, len(codes), 500):
        for row in conn.execute(_PARTICIPANTS.where(_P.c.code.in_(codes[start:start + 500]))):
            found[row.code] = row
    check_codes(conn, found)  # acting on many people: each must be in the actor's scope
    return found


def staff(conn: sa.Connection, code: str):
    """The staff member's row (``id``, ``code``, ``full_name``, ``active``, ``centre``) and roles."""
    code = str(code).strip().upper()
    row = conn.execute(
        sa.select(_S.c.id, _S.c.code, _S.c.full_name, _S.c.active, core.centre.c.code.label("centre"))
        .select_from(_S.outerjoin(core.centre)).where(_S.c.code == code)
    ).first()
    if row is None:
        raise NotFound(_("staff code {code!r}: no such staff member").format(code=code))
    roles = frozenset(Role(r) for r in conn.execute(
        sa.select(core.staff_role.c.role).where(core.staff_role.c.staff_id == row.id)).scalars())
    return row, roles


# --- mentors and mentees ----------------------------------------------------------------------


def _mentors_query():
    m = t.mentor
    return (sa.select(m, _S.c.code.label("staff_code"), _S.c.full_name, _S.c.active,
                      core.centre.c.code.label("centre_code"))
            .select_from(m.join(_S, _S.c.id == m.c.staff_id).join(core.centre, core.centre.c.id == m.c.centre_id))
            .order_by(_S.c.code))


def mentor_from_row(row) -> MentorProfile:
    return _mentor_profile(row.staff_code, row.centre_code, row.sex, row.capacity, row.languages, row.sectors,
                           row.full_name)


@functools.lru_cache(maxsize=4096)
def _mentor_profile(mentor, centre, sex, capacity, languages, sectors, full_name) -> MentorProfile:
    """Profiles are frozen and parsing their languages and sectors is not free: ranking mentors
    for every participant reuses the profile built from the same stored values."""
    return MentorProfile(mentor=mentor, centre=centre, sex=sex, capacity=capacity, languages=languages,
                         sectors=sectors, full_name=full_name)


def mentor(conn: sa.Connection, code: str) -> MentorProfile | None:
    row = conn.execute(_mentors_query().where(_S.c.code == str(code).strip().upper())).first()
    return mentor_from_row(row) if row else None


def mentor_rows(conn: sa.Connection, centre: str | None = None, lock: bool = False) -> list:
    """Every mentor profile's row (with ``staff_id``, ``active`` and whether the mentor role is held);
    ``lock`` locks the profiles, so that no other desk fills a place meanwhile."""
    query = _mentors_query().add_columns(
        sa.exists().where(core.staff_role.c.staff_id == t.mentor.c.staff_id,
                          core.staff_role.c.role == Role.MENTOR.value).label("is_mentor"))
    if centre:
        query = query.where(core.centre.c.code == centre.strip().upper())
    if lock:
        query = query.with_for_update(of=t.mentor)
    return list(conn.execute(query))


def active_mentee_counts(conn: sa.Connection) -> dict[int, int]:
    """Staff id → number of participants they follow now."""
    a = t.assignment
    return dict(conn.execute(
        sa.select(a.c.mentor_id, sa.func.count()).where(a.c.ended_on.is_(None)).group_by(a.c.mentor_id)).all())


def mentee(conn: sa.Connection, participant_id: int, code: str) -> MenteeProfile:
    """The participant's mentee profile; an empty one when nothing was recorded."""
    return mentees(conn, {participant_id: code})[participant_id]


def mentees(conn: sa.Connection, people: dict[int, str]) -> dict[int, MenteeProfile]:
    """Participant id → mentee profile (an empty one when nothing was recorded), for ``people``
    (id → code)."""
    found = {pid: MenteeProfile(code) for pid, code in people.items()}
    ids = list(people)
    for start in range(0, len(ids), 500):
        for row in conn.execute(sa.select(t.mentee).where(t.mentee.c.participant_id.in_(ids[start:start + 500]))):
            found[row.participant_id] = MenteeProfile(people[row.participant_id], languages=row.languages,
                                                      sector=row.sector, same_sex_mentor=row.same_sex_mentor)
    return found


def waiting_for_mentor(conn: sa.Connection, centre_id: int | None, today: date) -> list:
    """Active participants (of the centre ``centre_id``, or any) whose follow-up has started by
    ``today`` and who have no mentor: ``id``, ``code``, ``sex``, ``centre``, ``registered_on``,
    ``started_on``; the follow-ups that started first come first."""
    s, a = t.schedule, t.assignment
    where = sa.true() if centre_id is None else _P.c.centre_id == centre_id
    return list(conn.execute(
        sa.select(_P.c.id, _P.c.code, _P.c.sex, _P.c.registered_on, core.centre.c.code.label("centre"),
                  s.c.started_on)
        .select_from(s.join(_P, _P.c.id == s.c.participant_id).join(core.centre, core.centre.c.id == _P.c.centre_id))
        .where(where, s.c.status == ScheduleStatus.ACTIVE.value, s.c.started_on <= today,
               _P.c.status == ParticipantStatus.ACTIVE.value,
               ~sa.exists().where(a.c.participant_id == _P.c.id, a.c.ended_on.is_(None)))
        .order_by(s.c.started_on, _P.c.code)))


def save_mentee(conn: sa.Connection, participant_id: int, profile: MenteeProfile) -> None:
    values = {"languages": keys(profile.languages), "sector": profile.sector,
              "same_sex_mentor": profile.same_sex_mentor}
    updated = conn.execute(t.mentee.update().where(t.mentee.c.participant_id == participant_id).values(**values))
    if not updated.rowcount:
        conn.execute(t.mentee.insert().values(participant_id=participant_id, **values))


def save_mentor(conn: sa.Connection, staff_id: int, values: dict, new: bool) -> None:
    """Write a mentor's profile row (``values``: the table's columns)."""
    if new:
        conn.execute(t.mentor.insert().values(staff_id=staff_id, **values))
    else:
        conn.execute(t.mentor.update().where(t.mentor.c.staff_id == staff_id).values(**values))


def mentor_load(conn: sa.Connection, staff_id: int) -> int:
    """How many people the mentor follows now, with their profile locked, so that no other
    desk takes the last place meanwhile."""
    conn.execute(sa.select(t.mentor.c.id).where(t.mentor.c.staff_id == staff_id).with_for_update()).first()
    a = t.assignment
    return conn.execute(sa.select(sa.func.count()).select_from(a).where(
        a.c.mentor_id == staff_id, a.c.ended_on.is_(None))).scalar_one()


def mentor_profile_centre(conn: sa.Connection, staff_code: str) -> str | None:
    """The centre of the staff member's mentor profile (``None``: no profile)."""
    return conn.execute(
        sa.select(core.centre.c.code)
        .select_from(t.mentor.join(core.centre, core.centre.c.id == t.mentor.c.centre_id)
                     .join(_S, _S.c.id == t.mentor.c.staff_id))
        .where(_S.c.code == staff_code)).scalar()


def staff_names(conn: sa.Connection, codes: Iterable[str]) -> dict[str, str]:
    """Staff code → full name."""
    return dict(conn.execute(sa.select(_S.c.code, _S.c.full_name).where(_S.c.code.in_(set(codes)))).all())


# --- assignments ------------------------------------------------------------------------------


def _assignments_query():
    a = t.assignment
    return (sa.select(a, _P.c.code.label("participant_code"), _S.c.code.label("mentor_code"))
            .select_from(a.join(_P, _P.c.id == a.c.participant_id).join(_S, _S.c.id == a.c.mentor_id))
            .order_by(a.c.started_on, a.c.id))


def assignment_from_row(row) -> Assignment:
    return Assignment(row.participant_code, row.mentor_code, row.started_on, row.ended_on, row.end_reason,
                      row.capacity_override, row.id)


def active_assignment(conn: sa.Connection, participant_id: int, lock: bool = False) -> Assignment | None:
    query = _assignments_query().where(t.assignment.c.participant_id == participant_id,
                                       t.assignment.c.ended_on.is_(None))
    if lock:
        query = query.with_for_update(of=t.assignment)
    row = conn.execute(query).first()
    return assignment_from_row(row) if row else None


def assignments_of(conn: sa.Connection, participant_ids: list[int]) -> list[Assignment]:
    """Every assignment, past and present, of the participants ``participant_ids``."""
    found = []
    for start in range(0, len(participant_ids), 500):
        found.extend(assignment_from_row(row) for row in conn.execute(_assignments_query().where(
            t.assignment.c.participant_id.in_(participant_ids[start:start + 500]))))
    return found


def assignments(conn: sa.Connection, participant_id: int | None = None, mentor_id: int | None = None,
                active: bool = False) -> list[Assignment]:
    a = t.assignment
    query = _assignments_query()
    if participant_id is not None:
        query = query.where(a.c.participant_id == participant_id)
    if mentor_id is not None:
        query = query.where(a.c.mentor_id == mentor_id)
    if active:
        query = query.where(a.c.ended_on.is_(None))
    return [assignment_from_row(row) for row in conn.execute(query)]


def mentees_now(conn: sa.Connection, staff_code: str) -> list:
    """The participants the mentor follows now: ``code``, ``started_on`` (of the assignment)."""
    a = t.assignment
    return list(conn.execute(
        sa.select(_P.c.code, a.c.started_on)
        .select_from(a.join(_P, _P.c.id == a.c.participant_id).join(_S, _S.c.id == a.c.mentor_id))
        .where(_S.c.code == staff_code, a.c.ended_on.is_(None))
        .order_by(_P.c.code)))


def mentored_by(staff_code: str):
    """The ids (a query, for the core's ``participant_scope``) of the participants the staff
    member mentors now."""
    a = t.assignment
    me = sa.select(_S.c.id).where(_S.c.code == staff_code).scalar_subquery()
    return sa.select(a.c.participant_id).where(a.c.mentor_id == me, a.c.ended_on.is_(None))


def insert_assignment(conn: sa.Connection, participant_id: int, mentor_id: int, started_on: date,
                      capacity_override: str | None = None) -> int:
    return conn.execute(t.assignment.insert().values(
        participant_id=participant_id, mentor_id=mentor_id, started_on=started_on,
        capacity_override=capacity_override)).inserted_primary_key[0]


def insert_assignments(conn: sa.Connection, rows: list[dict]) -> list[int]:
    """Many assignments (``participant_id``, ``mentor_id``, ``started_on``) in one statement;
    their ids in the order of ``rows``."""
    return conn.execute(t.assignment.insert().returning(t.assignment.c.id, sort_by_parameter_order=True),
                        rows).scalars().all()


def end_assignment(conn: sa.Connection, assignment_id: int, ended_on: date, reason: str | None) -> None:
    conn.execute(t.assignment.update().where(t.assignment.c.id == assignment_id).values(
        ended_on=ended_on, end_reason=reason))


def followed_now(conn: sa.Connection, mentor_id: int | None = None):
    """The ids (a subquery) of the participants in the actor's scope someone (``mentor_id``) follows now."""
    a = t.assignment
    query = sa.select(a.c.participant_id).where(a.c.ended_on.is_(None), visible(conn, a.c.participant_id))
    return query if mentor_id is None else query.where(a.c.mentor_id == mentor_id)


def people_in(conn: sa.Connection, ids) -> dict:
    """Code → row (``id``, ``code``, ``full_name``) of the participants ``ids`` (a subquery) selects."""
    return {row.code: row for row in conn.execute(
        sa.select(_P.c.id, _P.c.code, _P.c.full_name).where(_P.c.id.in_(ids)))}


# --- schedules --------------------------------------------------------------------------------


def _due_from_row(row) -> DueVisit:
    return DueVisit(row.months, row.due_on, row.window_start, row.window_end, row.visit_id, row.fulfilment, row.id)


def schedules(conn: sa.Connection, where, lock: bool = False) -> list[Schedule]:
    """The schedules matching ``where`` (a condition on ``mn_schedule``), oldest first, with their due visits."""
    s = t.schedule
    query = (sa.select(s, _P.c.code.label("participant_code")).select_from(s.join(_P, _P.c.id == s.c.participant_id))
             .where(where).order_by(s.c.id))
    if lock:
        query = query.with_for_update(of=s)
    rows = list(conn.execute(query))
    if not rows:
        return []
    d = t.due_visit
    dues: dict[int, list[DueVisit]] = {}
    for row in conn.execute(sa.select(d).select_from(d.join(s, s.c.id == d.c.schedule_id)
                                                     .join(_P, _P.c.id == s.c.participant_id))
                            .where(where).order_by(d.c.schedule_id, d.c.months)):
        dues.setdefault(row.schedule_id, []).append(_due_from_row(row))
    return [Schedule(row.participant_code, row.status, row.source, row.grant_code, row.sector, row.started_on,
                     row.ended_on, row.ended_because, row.end_note, tuple(dues.get(row.id, ())), row.id)
            for row in rows]


def active_schedule(conn: sa.Connection, participant_id: int, lock: bool = False) -> Schedule | None:
    found = schedules(conn, sa.and_(t.schedule.c.participant_id == participant_id,
                                    t.schedule.c.status == ScheduleStatus.ACTIVE.value), lock)
    return found[0] if found else None


def schedule_for_grant(conn: sa.Connection, grant: str, lock: bool = False) -> Schedule | None:
    found = schedules(conn, t.schedule.c.grant_code == grant, lock)
    return found[0] if found else None


def latest_started_schedule(conn: sa.Connection, participant_id: int) -> Schedule | None:
    """The participant's follow-up now: the active one, else the one that started last."""
    s = t.schedule
    found = schedules(conn, sa.and_(s.c.participant_id == participant_id, s.c.started_on.is_not(None)))
    if not found:
        return None
    active = [x for x in found if x.status is ScheduleStatus.ACTIVE]
    return active[0] if active else max(found, key=lambda x: (x.started_on, x.id))


def schedules_of(conn: sa.Connection, participant_ids: Iterable[int], lock: bool = False,
                 open_only: bool = False) -> list[Schedule]:
    """The schedules of the participants ``participant_ids`` (``open_only``: active or
    pending ones), oldest first; ``lock`` locks them for the caller's transaction."""
    s = t.schedule
    where = s.c.participant_id.in_(list(participant_ids))
    if open_only:
        where = sa.and_(where, s.c.status.in_([ScheduleStatus.ACTIVE.value, ScheduleStatus.PENDING.value]))
    return schedules(conn, where, lock)


def active_schedules_in(conn: sa.Connection, ids) -> dict[str, Schedule]:
    """Participant code → active schedule, of the participants ``ids`` (a subquery) selects."""
    s = t.schedule
    return {x.participant: x for x in schedules(conn, sa.and_(
        s.c.participant_id.in_(ids), s.c.status == ScheduleStatus.ACTIVE.value))}


def _active_where(conn: sa.Connection, centre_id: int | None = None, mentor_id: int | None = None,
                  started_by: date | None = None, scoped: bool = True):
    s, a = t.schedule, t.assignment
    where = s.c.status == ScheduleStatus.ACTIVE.value
    if scoped:
        where = sa.and_(where, visible(conn, s.c.participant_id))
    if started_by is not None:
        where = sa.and_(where, s.c.started_on <= started_by)
    if centre_id is not None:
        where = sa.and_(where, _P.c.centre_id == centre_id)
    if mentor_id is not None:
        where = sa.and_(where, s.c.participant_id.in_(sa.select(a.c.participant_id).where(
            a.c.mentor_id == mentor_id, a.c.ended_on.is_(None))))
    return where


def _schedule_people(conn: sa.Connection, where, *columns) -> dict:
    """Code → name, centre and current mentor (and ``columns``) of the participants whose
    schedules match ``where``."""
    p, a, s = _P, t.assignment, t.schedule
    query = (sa.select(p.c.code, p.c.full_name, core.centre.c.code.label("centre"), _S.c.code.label("mentor"),
                       *columns)
             .select_from(s.join(p, p.c.id == s.c.participant_id).join(core.centre)
                          .outerjoin(a, sa.and_(a.c.participant_id == p.c.id, a.c.ended_on.is_(None)))
                          .outerjoin(_S, _S.c.id == a.c.mentor_id)
                          .outerjoin(t.mentee, t.mentee.c.participant_id == p.c.id))
             .where(where))
    return {row.code: row for row in conn.execute(query)}


def active_schedules(conn: sa.Connection, centre_id: int | None = None,
                     mentor_id: int | None = None) -> tuple[list[Schedule], dict]:
    """The active schedules in the actor's scope (of a centre, of a mentor's mentees now) and
    code → name, centre and mentor of their participants."""
    where = _active_where(conn, centre_id, mentor_id)
    return schedules(conn, where), _schedule_people(conn, where)


def followed_for_demo(conn: sa.Connection, today: date) -> tuple[list[Schedule], dict, set[int]]:
    """The demo's month: the active schedules started by ``today``; their participants (sex,
    centre, mentor, ``assigned_on``, mentee ``sector`` and ``languages``); the schedules whose
    business a visit found closed. Every participant: the demo acts as nobody."""
    where = _active_where(conn, started_by=today, scoped=False)
    a, s = t.assignment, t.schedule
    people = _schedule_people(conn, where, _P.c.sex, a.c.started_on.label("assigned_on"), t.mentee.c.sector,
                              t.mentee.c.languages)
    closed = set(conn.execute(sa.select(t.visit.c.schedule_id).join(s, s.c.id == t.visit.c.schedule_id).where(
        where, t.visit.c.business_status == BusinessStatus.CLOSED.value)).scalars())
    return schedules(conn, where), people, closed


def insert_schedule(conn: sa.Connection, participant_id: int, schedule: Schedule) -> int:
    return conn.execute(t.schedule.insert().values(
        participant_id=participant_id, grant_code=schedule.grant, sector=schedule.sector,
        status=schedule.status.value, source=schedule.source.value, started_on=schedule.started_on,
    )).inserted_primary_key[0]


def start_schedule(conn: sa.Connection, schedule_id: int, source: ScheduleSource, start: date) -> None:
    conn.execute(t.schedule.update().where(t.schedule.c.id == schedule_id).values(
        status=ScheduleStatus.ACTIVE.value, source=source.value, started_on=start))


def end_schedule(conn: sa.Connection, schedule: Schedule) -> None:
    """Store how ``schedule`` (as it is after ending) ended."""
    conn.execute(t.schedule.update().where(t.schedule.c.id == schedule.id).values(
        status=schedule.status.value, ended_on=schedule.ended_on, ended_because=schedule.ended_because.value,
        end_note=schedule.end_note))


def link_schedule(conn: sa.Connection, schedule_id: int, grant: str, sector: str | None) -> None:
    conn.execute(t.schedule.update().where(t.schedule.c.id == schedule_id).values(grant_code=grant, sector=sector))


def delete_schedule(conn: sa.Connection, schedule_id: int) -> None:
    conn.execute(t.schedule.delete().where(t.schedule.c.id == schedule_id))


def insert_due_visits(conn: sa.Connection, schedule_id: int, due_visits: Iterable[DueVisit]) -> None:
    conn.execute(t.due_visit.insert(), [
        {"schedule_id": schedule_id, "months": d.months, "due_on": d.due_on, "window_start": d.window_start,
         "window_end": d.window_end} for d in due_visits])


# --- visits -----------------------------------------------------------------------------------


def visits_query():
    v, d = t.visit, t.due_visit
    return (sa.select(v, _P.c.code.label("participant_code"), _S.c.code.label("mentor_code"),
                      d.c.months.label("due_months"), d.c.fulfilment)
            .select_from(v.join(_P, _P.c.id == v.c.participant_id).join(_S, _S.c.id == v.c.mentor_id)
                         .outerjoin(d, d.c.visit_id == v.c.id))
            .order_by(v.c.visited_on, v.c.id))


def visits(conn: sa.Connection, query) -> list[Visit]:
    """The visits ``query`` (built on :func:`visits_query`) selects, with their risk flags."""
    rows = list(conn.execute(query))
    flags: dict[int, list[str]] = {}
    if rows:
        r = t.visit_risk
        for visit_id, flag in conn.execute(sa.select(r.c.visit_id, r.c.flag).where(
                r.c.visit_id.in_(query.with_only_columns(t.visit.c.id)))):
            flags.setdefault(visit_id, []).append(flag)
    return [Visit(
        participant=row.participant_code, mentor=row.mentor_code, visited_on=row.visited_on, mode=row.mode,
        business_status=row.business_status, revenue=row.revenue, costs=row.costs, owners=row.owners,
        family_workers=row.family_workers, hired_workers=row.hired_workers, equipment_seen=row.equipment_seen,
        discussed=row.discussed, advice=row.advice, next_steps=row.next_steps,
        risk_flags=frozenset(RiskFlag(f) for f in flags.get(row.id, ())), risk_note=row.risk_note,
        due_months=row.due_months, fulfilment=row.fulfilment, id=row.id,
    ) for row in rows]


def visit_list(conn: sa.Connection, participant_id: int | None = None, mentor_id: int | None = None,
               centre_id: int | None = None, since: date | None = None, until: date | None = None) -> list[Visit]:
    """The visits in the actor's scope, oldest first, of a participant, a mentor, a centre,
    between two days (each ``None``: any)."""
    v = t.visit
    query = visits_query().where(visible(conn, v.c.participant_id))
    if participant_id is not None:
        query = query.where(v.c.participant_id == participant_id)
    if mentor_id is not None:
        query = query.where(v.c.mentor_id == mentor_id)
    if centre_id is not None:
        query = query.where(_P.c.centre_id == centre_id)
    if since is not None:
        query = query.where(v.c.visited_on >= since)
    if until is not None:
        query = query.where(v.c.visited_on <= until)
    return visits(conn, query)


def visits_of(conn: sa.Connection, participant_ids: Iterable[int]) -> list[Visit]:
    """Every visit of the participants ``participant_ids``, oldest first."""
    return visits(conn, visits_query().where(t.visit.c.participant_id.in_(list(participant_ids))))


def visit_by_id(conn: sa.Connection, visit_id: int) -> Visit | None:
    """Visit ``visit_id`` in the actor's scope (locked for the transaction), or ``None``."""
    v = t.visit
    conn.execute(sa.select(v.c.id).where(v.c.id == visit_id).with_for_update()).first()
    found = visits(conn, visits_query().where(v.c.id == visit_id, visible(conn, v.c.participant_id)))
    return found[0] if found else None


def correct_visit(conn: sa.Connection, visit_id: int, visit: Visit) -> None:
    """Store a visit's corrected findings (its day, people and risk flags stay)."""
    conn.execute(t.visit.update().where(t.visit.c.id == visit_id).values(
        mode=visit.mode.value, business_status=visit.business_status.value, revenue=visit.revenue,
        costs=visit.costs, owners=visit.owners, family_workers=visit.family_workers,
        hired_workers=visit.hired_workers, equipment_seen=visit.equipment_seen, discussed=visit.discussed,
        advice=visit.advice, next_steps=visit.next_steps, risk_note=visit.risk_note))


def delete_visit(conn: sa.Connection, visit_id: int) -> None:
    """Remove a cancelled visit with its risk flags; the due visit it fulfilled is owed again."""
    conn.execute(t.due_visit.update().where(t.due_visit.c.visit_id == visit_id).values(visit_id=None,
                                                                                      fulfilment=None))
    conn.execute(t.visit_risk.delete().where(t.visit_risk.c.visit_id == visit_id))
    conn.execute(t.visit.delete().where(t.visit.c.id == visit_id))


def last_visit_on(conn: sa.Connection, schedule_id: int) -> date | None:
    """The day of the last visit logged in the schedule."""
    return conn.execute(sa.select(sa.func.max(t.visit.c.visited_on)).where(
        t.visit.c.schedule_id == schedule_id)).scalar()


def insert_visit(conn: sa.Connection, participant_id: int, mentor_id: int, schedule_id: int, visit: Visit) -> int:
    """Store a visit's findings (not its risk flags: :func:`insert_visit_risks`); its id."""
    return conn.execute(t.visit.insert(), dict(
        participant_id=participant_id, mentor_id=mentor_id, schedule_id=schedule_id,
        visited_on=visit.visited_on, mode=visit.mode.value, business_status=visit.business_status.value,
        revenue=visit.revenue, costs=visit.costs, owners=visit.owners, family_workers=visit.family_workers,
        hired_workers=visit.hired_workers, equipment_seen=visit.equipment_seen, discussed=visit.discussed,
        advice=visit.advice, next_steps=visit.next_steps, risk_note=visit.risk_note,
    )).inserted_primary_key[0]


def insert_visit_risks(conn: sa.Connection, visit_id: int, risks) -> None:
    """The risk flags raised at a visit, each with what was done (``RiskResult`` s)."""
    conn.execute(t.visit_risk.insert(), [
        {"visit_id": visit_id, "flag": r.flag.value, "outcome": r.outcome.value, "referral_id": r.referral_id}
        for r in risks])


_FULFIL = t.due_visit.update().where(t.due_visit.c.id == sa.bindparam("due_id")).values(
    visit_id=sa.bindparam("new_visit"), fulfilment=sa.bindparam("how"))


def fulfil_due_visit(conn: sa.Connection, due_id: int, visit_id: int, how) -> None:
    conn.execute(_FULFIL, {"due_id": due_id, "new_visit": visit_id, "how": how.value})


def open_referral_of(conn: sa.Connection, participant_id: int, service_type: str, statuses: Iterable[str]):
    """The participant's first referral of ``service_type`` still in one of ``statuses``
    (``id``, ``to_whom``), or ``None``."""
    r = core.referral
    return conn.execute(sa.select(r.c.id, r.c.to_whom).where(
        r.c.participant_id == participant_id, r.c.service_type == service_type,
        r.c.status.in_(list(statuses))).order_by(r.c.id)).first()


_V = t.visit
# Built once: microgrants asks this before every later tranche, and its finance worklist for many grants.
_VERIFYING = (sa.select(_V.c.id, _V.c.visited_on, _V.c.mode, _S.c.code.label("mentor"))
              .select_from(_V.join(_P, _P.c.id == _V.c.participant_id).join(_S, _S.c.id == _V.c.mentor_id))
              .where(_P.c.code == sa.bindparam("code"), _V.c.visited_on <= sa.bindparam("today"),
                     _V.c.visited_on >= sa.bindparam("since"),
                     _V.c.business_status == BusinessStatus.OPERATING.value, _V.c.equipment_seen.is_(True))
              .order_by(_V.c.visited_on.desc(), _V.c.id.desc()).limit(1))


def verifying_visit(conn: sa.Connection, code: str, today: date, since: date):
    """The latest visit between ``since`` and ``today`` that found the participant's business
    operating with the equipment there (``id``, ``visited_on``, ``mode``, ``mentor``), or ``None``."""
    return conn.execute(_VERIFYING, {"code": code, "today": today, "since": since}).first()


_VERIFYING_MANY = (sa.select(_P.c.code.label("participant"), _V.c.id, _V.c.visited_on, _V.c.mode,
                             _S.c.code.label("mentor"))
                   .select_from(_V.join(_P, _P.c.id == _V.c.participant_id).join(_S, _S.c.id == _V.c.mentor_id))
                   .where(_P.c.code.in_(sa.bindparam("codes", expanding=True)),
                          _V.c.visited_on <= sa.bindparam("today"), _V.c.visited_on >= sa.bindparam("since"),
                          _V.c.business_status == BusinessStatus.OPERATING.value, _V.c.equipment_seen.is_(True))
                   .order_by(_P.c.code, _V.c.visited_on.desc(), _V.c.id.desc()))


def verifying_visits(conn: sa.Connection, today: date, asked: list[tuple[str, date]]) -> list:
    """:func:`verifying_visit` for each ``(code, since)`` of ``asked``, in order: the
    verifying visits of those people since the earliest ``since``, read once (500 people a
    query), each answer the latest one on or after its own ``since`` (ties: the last recorded)."""
    if not asked:
        return []
    codes, since = sorted({code for code, _since in asked}), min(s for _code, s in asked)
    visits: dict[str, list] = {}
    for start in range(0, len(codes), 500):
        for row in conn.execute(_VERIFYING_MANY, {"codes": codes[start:start + 500], "today": today,
                                                  "since": since}):
            visits.setdefault(row.participant, []).append(row)  # latest first
    return [next((v for v in visits.get(code, ()) if v.visited_on >= s), None) for code, s in asked]


def last_visits(conn: sa.Connection, participants) -> tuple[dict[int, object], list]:
    """The last visit of each participant ``participants`` (a subquery) selects, by visit id
    (``id``, ``participant_id``, ``visited_on``, ``business_status``), and the risk flags
    raised at them with their referral (``visit_id``, ``flag``, ``outcome``,
    ``referral_id``, ``status``), by flag."""
    v, r, ref = t.visit, t.visit_risk, core.referral
    ranked = sa.select(v.c.id, v.c.participant_id, v.c.visited_on, v.c.business_status, sa.func.row_number().over(
        partition_by=v.c.participant_id, order_by=(v.c.visited_on.desc(), v.c.id.desc())).label("n")).where(
        v.c.participant_id.in_(participants)).subquery()
    latest = {row.id: row for row in conn.execute(sa.select(ranked).where(ranked.c.n == 1))}
    if not latest:
        return latest, []
    return latest, list(conn.execute(
        sa.select(r.c.visit_id, r.c.flag, r.c.outcome, r.c.referral_id, ref.c.status)
        .select_from(r.outerjoin(ref, ref.c.id == r.c.referral_id))
        .where(r.c.visit_id.in_(sa.select(ranked.c.id).where(ranked.c.n == 1))).order_by(r.c.flag)))


def visit_count(conn: sa.Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(t.visit)).scalar_one()


# --- settings ---------------------------------------------------------------------------------


def settings(conn: sa.Connection) -> Settings:
    """The programme's mentoring settings; the defaults until someone changes them."""
    value = conn.execute(sa.select(core.setting.c.value).where(core.setting.c.key == SETTINGS_KEY)).scalar()
    if value is None:
        return Settings()
    data = json.loads(value)
    return Settings(offsets=data["offsets"], window_days=data["window_days"], risk_referrals=data["risk_referrals"])


def save_settings(conn: sa.Connection, value: Settings) -> None:
    text = json.dumps(value.to_plain(), sort_keys=True, ensure_ascii=False)
    updated = conn.execute(core.setting.update().where(core.setting.c.key == SETTINGS_KEY).values(value=text))
    if not updated.rowcount:
        conn.execute(core.setting.insert().values(key=SETTINGS_KEY, value=text))


def erase_notes(conn: sa.Connection, code: str, dry_run: bool) -> dict[str, int]:
    """Clear what mentors wrote in words about participant ``code`` (visit notes, risk
    notes, why a follow-up or an assignment ended), keeping the figures the indicators count.
    Returns how many records of each kind hold (or held) such text."""
    pid = conn.execute(sa.select(core.participant.c.id).where(core.participant.c.code == code)).scalar_one()
    v, s, a = t.visit, t.schedule, t.assignment
    wrote = sa.or_(v.c.discussed.is_not(None), v.c.advice.is_not(None), v.c.next_steps.is_not(None),
                   v.c.risk_note.is_not(None))
    targets = {
        "visits": (v, v.c.participant_id == pid, wrote,
                   {"discussed": None, "advice": None, "next_steps": None, "risk_note": None}),
        "follow_ups": (s, s.c.participant_id == pid, s.c.end_note.is_not(None), {"end_note": None}),
        "assignments": (a, a.c.participant_id == pid, a.c.end_reason.is_not(None), {"end_reason": None}),
    }
    return clear_text(conn, targets, dry_run)


# --- rows as the audit trail states them (``audit verify``, see audited.py) ---------------------

VISIT_FIELDS = ("participant", "mentor", "visited_on", "mode", "business_status", "revenue", "costs", "owners",
                "family_workers", "hired_workers", "equipment_seen")


def audited_visits(conn: sa.Connection) -> Iterator[DataRow]:
    v = t.visit
    for row in conn.execution_options(yield_per=2000).execute(
            sa.select(v, _P.c.code.label("participant"), _S.c.code.label("mentor"))
            .select_from(v.join(_P, _P.c.id == v.c.participant_id).join(_S, _S.c.id == v.c.mentor_id))
            .order_by(v.c.id)):
        fields = as_audited({field: getattr(row, field) for field in VISIT_FIELDS})
        yield DataRow(str(row.id), fields, row.participant)


# --- one person registered twice ---------------------------------------------------------------


def doubled_follow_up(conn: sa.Connection, keep_id: int, gone_id: int) -> str | None:
    """What both records of one person have open that a person has once: ``"mentor"`` (an
    active mentor assignment) or ``"schedule"`` (an active follow-up), else ``None``."""
    a, s = t.assignment.c, t.schedule.c
    open_assignments = conn.execute(sa.select(sa.func.count(sa.distinct(a.participant_id))).where(
        a.participant_id.in_((keep_id, gone_id)), a.ended_on.is_(None))).scalar_one()
    if open_assignments == 2:
        return "mentor"
    active = conn.execute(sa.select(sa.func.count(sa.distinct(s.participant_id))).where(
        s.participant_id.in_((keep_id, gone_id)), s.status == "active")).scalar_one()
    return "schedule" if active == 2 else None


def drop_doubled_mentee(conn: sa.Connection, keep_id: int, gone_id: int) -> bool:
    """What matching knows of the person (languages, sector) stays the kept record's when
    both have it; returns whether the other's was dropped."""
    m = t.mentee.c
    if conn.execute(sa.select(m.id).where(m.participant_id == keep_id)).first() is None:
        return False
    return bool(conn.execute(t.mentee.delete().where(m.participant_id == gone_id)).rowcount)
