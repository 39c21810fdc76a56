"""Rows in, entities out: the lookups and row mappings every mentoring service shares.

Each function takes the open connection of the caller's transaction (or reading
connection); none opens its own. Codes not found raise :class:`NotFound` naming them.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from typing import Iterable

import sqlalchemy as sa

from reentry_core.sdk import _, check_codes, check_in_scope, core, NotFound, ParticipantStatus, Role

from . import tables as t
from .domain import (
    Assignment, DueVisit, MenteeProfile, MentorProfile, RiskFlag, Schedule, ScheduleStatus, Settings, Visit,
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


def waiting_for_mentor(conn: sa.Connection, where, today: date) -> list:
    """Active participants (matching ``where``) whose follow-up has started by ``today`` and who have
    no mentor: ``id``, ``code``, ``sex``, ``centre``, ``registered_on``, ``started_on``; the
    follow-ups that started first come first."""
    s, a = t.schedule, t.assignment
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
