"""Reading and writing the ``mg_`` tables: rows to attrs objects and back, and the round
lock every action that moves money takes.

The lock: an action that changes an application (and so, perhaps, the round's budget)
first locks its round's row — ``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
transaction already holds the write lock from ``BEGIN IMMEDIATE`` — and only then reads
the budget and the application. Two decisions in two processes therefore queue, and the
second one sees what the first committed.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from decimal import Decimal
from typing import Iterable, Iterator

import sqlalchemy as sa

from reentry_core.sdk import (
    _, as_audited, check_in_scope, clear_text, core, DataRow, ERASED_TEXT, NotFound, participant_from_row, redact,
    kept_code, Role, visible,
)

from . import tables as t
from .domain import (
    FUNDED_STATUSES, OPEN_STATUSES, Application, ApplicationStatus, Budget, BudgetLine, ConflictOfInterest, Decision,
    GrantRound, Outcome, Override, Reversal, RoundStatus, Tranche, TrancheStatus, Verification, Vote, plan_text,
)

R, A, L = t.grant_round, t.application, t.budget_line
P, ST = core.participant, core.staff
ZERO = Decimal("0.00")


def normal(code: str) -> str:
    return str(code).strip().upper()


# --- staff and participants ------------------------------------------------------------------


# The hot statements are built once (module level, with bind parameters): building a
# select with its joins costs more than running it on SQLite.
_STAFF = sa.select(ST.c.id, ST.c.code, ST.c.full_name, ST.c.active).where(ST.c.code == sa.bindparam("code"))


def staff_row(conn: sa.Connection, code: str):
    """The staff member's id, code, full name and active flag, or NotFound."""
    row = conn.execute(_STAFF, {"code": normal(code)}).first()
    if row is None:
        raise NotFound(_("staff code {code!r}: no such staff member").format(code=normal(code)))
    return row


def staff_roles(conn: sa.Connection, staff_id: int) -> set[Role]:
    return {Role.parse(r) for r in conn.execute(
        sa.select(core.staff_role.c.role).where(core.staff_role.c.staff_id == staff_id)).scalars()}


def staff_id(conn: sa.Connection, code: str) -> int:
    return staff_row(conn, code).id


_PARTICIPANT = (sa.select(P, core.centre.c.code.label("centre_code"))
                .select_from(P.join(core.centre, core.centre.c.id == P.c.centre_id))
                .where(P.c.code == sa.bindparam("code")))


def participant(conn: sa.Connection, code: str):
    """The core ``Participant`` (the payload of ``grant_plan``) and its row id."""
    code = normal(code)
    row = conn.execute(_PARTICIPANT, {"code": code}).first()
    if row is None and (kept := kept_code(conn, code)):  # a merged duplicate's code finds the person kept
        code, row = kept, conn.execute(_PARTICIPANT, {"code": kept}).first()
    if row is None:
        raise NotFound(_("participant {code!r} does not exist").format(code=code))
    check_in_scope(conn, row.id, row.code, row.centre_id)
    return participant_from_row(row), row.id


# --- rounds ----------------------------------------------------------------------------------


def _round_select(by_id: bool, lock: bool) -> sa.Select:
    query = sa.select(R).where(R.c.id == sa.bindparam("key") if by_id else R.c.code == sa.bindparam("key"))
    return query.with_for_update() if lock else query


_ROUND = {(by_id, lock): _round_select(by_id, lock) for by_id in (False, True) for lock in (False, True)}


def round_row(conn: sa.Connection, code: str | None = None, *, round_id: int | None = None, lock: bool = False):
    """A round's row, by code or id; ``lock`` takes the round lock (see the module doc)."""
    by_id = round_id is not None
    row = conn.execute(_ROUND[by_id, lock], {"key": round_id if by_id else normal(code)}).first()
    if row is None:
        raise NotFound(_("grant round {code!r} does not exist").format(code=normal(code or round_id)))
    return row


_COMMITTEE = (sa.select(ST.c.code).select_from(t.committee_member.join(ST, ST.c.id == t.committee_member.c.staff_id))
              .where(t.committee_member.c.round_id == sa.bindparam("round_id")).order_by(ST.c.code))


def committee(conn: sa.Connection, round_id: int) -> tuple[str, ...]:
    return tuple(conn.execute(_COMMITTEE, {"round_id": round_id}).scalars())


def round_from_row(conn: sa.Connection, row, *, with_committee: bool = True) -> GrantRound:
    """The round of ``row``; ``with_committee=False`` leaves its committee empty (one query
    less, for actions that do not need it)."""
    return _round_object(tuple(row), committee(conn, row.id) if with_committee else ())


@functools.lru_cache(maxsize=64)
def _round_object(values: tuple, members: tuple[str, ...]) -> GrantRound:
    """A round is immutable (attrs frozen) and checked when built: build each version once."""
    row = dict(zip(R.c.keys(), values, strict=True))
    return GrantRound(
        code=row["code"], title=row["title"], budget=row["budget"], min_grant=row["min_grant"],
        max_grant=row["max_grant"], opens_on=row["opens_on"], closes_on=row["closes_on"],
        donors=tuple(json.loads(row["donors"])), currency=row["currency"],
        require_shortlisted_plan=row["require_shortlisted_plan"], require_training=row["require_training"],
        min_plan_score=row["min_plan_score"], quorum=row["quorum"], rule=row["rule"],
        tranche_plan=row["tranche_plan"], status=row["status"], committee=members, four_eyes=row["four_eyes"],
        visit_wait_days=row["visit_wait_days"],
    )


def round_to_row(rnd: GrantRound) -> dict:
    return {
        "code": rnd.code, "title": rnd.title, "donors": json.dumps(list(rnd.donors), ensure_ascii=False),
        "currency": rnd.currency, "budget": rnd.budget, "min_grant": rnd.min_grant, "max_grant": rnd.max_grant,
        "opens_on": rnd.opens_on, "closes_on": rnd.closes_on, "require_shortlisted_plan": rnd.require_shortlisted_plan,
        "require_training": rnd.require_training, "min_plan_score": rnd.min_plan_score, "quorum": rnd.quorum,
        "rule": rnd.rule.value, "tranche_plan": plan_text(rnd.tranche_plan), "status": rnd.status.value,
        "four_eyes": rnd.four_eyes, "visit_wait_days": rnd.visit_wait_days,
    }


def load_round(conn: sa.Connection, code: str, lock: bool = False,
               with_committee: bool = True) -> tuple[int, GrantRound]:
    row = round_row(conn, code, lock=lock)
    return row.id, round_from_row(conn, row, with_committee=with_committee)


def round_exists(conn: sa.Connection, code: str) -> bool:
    return conn.execute(sa.select(R.c.id).where(R.c.code == normal(code))).first() is not None


def insert_round(conn: sa.Connection, rnd: GrantRound) -> None:
    conn.execute(R.insert().values(**round_to_row(rnd)))


def update_round(conn: sa.Connection, round_id: int, **values) -> None:
    """Change a round's stored settings (its status, its payment rules)."""
    conn.execute(R.update().where(R.c.id == round_id).values(**values))


def rounds(conn: sa.Connection, status: RoundStatus | None = None) -> list[GrantRound]:
    """Every round (of one status), by opening day and code."""
    query = sa.select(R).order_by(R.c.opens_on, R.c.code)
    if status is not None:
        query = query.where(R.c.status == status.value)
    return [round_from_row(conn, row) for row in conn.execute(query)]


def add_committee_member(conn: sa.Connection, round_id: int, staff_id_: int, on) -> None:
    conn.execute(t.committee_member.insert().values(round_id=round_id, staff_id=staff_id_, added_on=on))


def remove_committee_member(conn: sa.Connection, round_id: int, staff_id_: int) -> None:
    cm = t.committee_member
    conn.execute(cm.delete().where(cm.c.round_id == round_id, cm.c.staff_id == staff_id_))


def votes_in_round(conn: sa.Connection, round_id: int, staff_id_: int) -> int:
    """How many votes a staff member cast on the round's applications."""
    return conn.execute(sa.select(sa.func.count()).select_from(t.vote.join(A))
                        .where(t.vote.c.staff_id == staff_id_, A.c.round_id == round_id)).scalar_one()


def budget(conn: sa.Connection, round_id: int) -> Budget:
    """Where the round's money stands, summed in SQL (exact: Money columns)."""
    rnd = round_row(conn, round_id=round_id)
    sums = conn.execute(_BUDGET_SUMS, {"round_id": round_id}).one()
    paid = dict(conn.execute(_BUDGET_DISBURSED, {"round_id": round_id}).all())
    approved, committed = _money(sums[0]), _money(sums[1])
    return Budget(rnd.code, rnd.currency, rnd.budget, approved, approved - committed, committed,
                  _money(paid.get(TrancheStatus.CONFIRMED.value, 0)), rnd.budget - committed, sums[2], sums[3],
                  _money(paid.get(TrancheStatus.PENDING.value, 0)))


def _count(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _money(value) -> Decimal:
    """A ``SUM`` over a Money column is a Decimal; ``COALESCE(…, 0)`` of nothing is the integer 0."""
    return value if isinstance(value, Decimal) else Decimal(value).quantize(Decimal("0.01"))


_FUNDED = [s.value for s in FUNDED_STATUSES]
_BUDGET_SUMS = (
    sa.select(sa.func.coalesce(sa.func.sum(A.c.amount_approved), 0),
              sa.func.coalesce(sa.func.sum(A.c.amount_granted), 0),
              _count(A.c.status.in_(_FUNDED)),
              _count(sa.and_(A.c.status.in_(_FUNDED), P.c.sex == "female")))
    .select_from(A.join(P, P.c.id == A.c.participant_id)).where(A.c.round_id == sa.bindparam("round_id")))
# only confirmed money is disbursed; what waits for a second person's confirmation is pending
_BUDGET_DISBURSED = (sa.select(t.tranche.c.status, sa.func.coalesce(sa.func.sum(t.tranche.c.amount), 0))
                     .select_from(t.tranche.join(A, A.c.id == t.tranche.c.application_id))
                     .where(A.c.round_id == sa.bindparam("round_id"),
                            t.tranche.c.status != TrancheStatus.REVERSED.value)
                     .group_by(t.tranche.c.status))
#: a tranche that counts against its grant: pending or confirmed, not reversed
PAID = t.tranche.c.status != TrancheStatus.REVERSED.value


# --- applications -----------------------------------------------------------------------------


@functools.cache
def _application_select() -> sa.Select:
    """An application with its round, participant, decision date and what was paid: built
    once (a select is immutable; ``.where`` makes a new one)."""
    d = t.decision
    decided_on = sa.select(sa.func.max(d.c.decided_on)).where(d.c.application_id == A.c.id).scalar_subquery()
    disbursed = (sa.select(sa.func.sum(t.tranche.c.amount)).where(t.tranche.c.application_id == A.c.id, PAID)
                 .scalar_subquery())
    pending = (sa.select(sa.func.sum(t.tranche.c.amount))
               .where(t.tranche.c.application_id == A.c.id, t.tranche.c.status == TrancheStatus.PENDING.value)
               .scalar_subquery())
    return (sa.select(A, R.c.code.label("round_code"), R.c.currency, P.c.code.label("participant_code"),
                      P.c.full_name, decided_on.label("decided_on"), disbursed.label("disbursed"),
                      pending.label("pending"))
            .select_from(A.join(R, R.c.id == A.c.round_id).join(P, P.c.id == A.c.participant_id)))


@functools.cache
def _application_by_code() -> sa.Select:
    return _application_select().where(A.c.code == sa.bindparam("code"))


_LINES = (sa.select(L).where(L.c.application_id.in_(sa.bindparam("ids", expanding=True)))
          .order_by(L.c.application_id, L.c.line_no))
_LINES_OF_ONE = sa.select(L).where(L.c.application_id == sa.bindparam("id")).order_by(L.c.line_no)


def _line(row) -> BudgetLine:
    return BudgetLine(row.item, row.quantity, row.unit_cost, row.kind, row.supplier)


def _lines(conn: sa.Connection, ids: Iterable[int]) -> dict[int, list[BudgetLine]]:
    found: dict[int, list[BudgetLine]] = defaultdict(list)
    ids = list(ids)
    if len(ids) == 1:
        found[ids[0]] = [_line(row) for row in conn.execute(_LINES_OF_ONE, {"id": ids[0]})]
        return found
    for start in range(0, len(ids), 500):
        for row in conn.execute(_LINES, {"ids": ids[start:start + 500]}):
            found[row.application_id].append(_line(row))
    return found


def _from_row(row, lines: list[BudgetLine]) -> Application:
    return Application(
        round=row.round_code, participant=row.participant_code, lines=tuple(lines),
        own_contribution=row.own_contribution, code=row.code, status=row.status, currency=row.currency,
        participant_name=row.full_name, created_on=row.created_on, submitted_on=row.submitted_on,
        eligibility_problems=tuple(json.loads(row.eligibility_problems)) if row.eligibility_problems else (),
        plan=row.plan_code, plan_version=row.plan_version, plan_title=row.plan_title, sector=row.plan_sector,
        plan_score=row.plan_score, plan_status=row.plan_status, amount_approved=row.amount_approved,
        amount_granted=row.amount_granted, disbursed=_money(row.disbursed or 0), pending=_money(row.pending or 0),
        decided_on=row.decided_on,
        closed_on=row.closed_on, close_reason=row.close_reason,
    )


def application_row(conn: sa.Connection, code: str, scoped: bool = True):
    """The application's row; refused outside the actor's scope unless ``scoped=False`` (for
    a committee's vote and decision, which check membership of the round's committee
    first: a member's reach covers the round's applicants, and that refusal says more)."""
    row = conn.execute(_application_by_code(), {"code": normal(code)}).first()
    if row is None:
        raise NotFound(_("application {code!r} does not exist").format(code=normal(code)))
    if scoped:
        check_in_scope(conn, row.participant_id, row.participant_code)
    return row


def load_application(conn: sa.Connection, code: str, scoped: bool = True) -> tuple[int, Application]:
    """The application (refused outside the actor's scope; the name hidden from roles that
    do not read names)."""
    row = application_row(conn, code, scoped)
    return row.id, redact(conn, _from_row(row, _lines(conn, [row.id])[row.id]), participant_name="full_name")


def find_applications(conn: sa.Connection, *, round_id: int | None = None, status: str | None = None,
                      participant_id: int | None = None) -> list[Application]:
    """The applications the actor may see, of one round, status or participant (each
    ``None``: any), by round and number."""
    conditions = [c for c, given in ((A.c.round_id == round_id, round_id), (A.c.status == status, status),
                                     (A.c.participant_id == participant_id, participant_id)) if given is not None]
    return _applications_where(conn, *conditions)


def _applications_where(conn: sa.Connection, *conditions, scope_on=A.c.participant_id) -> list[Application]:
    rows = conn.execute(_application_select().where(visible(conn, scope_on), *conditions)
                        .order_by(R.c.code, A.c.number)).all()
    lines = _lines(conn, [row.id for row in rows])
    return [redact(conn, _from_row(row, lines[row.id]), participant_name="full_name") for row in rows]


_ROUND_OF_APPLICATION = sa.select(A.c.round_id).where(A.c.code == sa.bindparam("code"))


def locked_application(conn: sa.Connection, code: str, scoped: bool = True) -> tuple[int, int, GrantRound, Application]:
    """Lock the application's round, then read both: ``(round_id, application_id, round, application)``."""
    round_id = conn.execute(_ROUND_OF_APPLICATION, {"code": normal(code)}).scalar()
    if round_id is None:
        raise NotFound(_("application {code!r} does not exist").format(code=normal(code)))
    rnd = round_from_row(conn, round_row(conn, round_id=round_id, lock=True))
    app_id, app = load_application(conn, code, scoped)
    return round_id, app_id, rnd, app


_LAST_NUMBER = (sa.select(sa.func.coalesce(sa.func.max(A.c.number), 0))
                .where(A.c.round_id == sa.bindparam("round_id")))
_INSERT_APPLICATION = A.insert()
_OPEN_OR_FUNDED = sa.select(A.c.code, A.c.status).where(
    A.c.round_id == sa.bindparam("round_id"), A.c.participant_id == sa.bindparam("person_id"),
    A.c.status.in_([s.value for s in OPEN_STATUSES | FUNDED_STATUSES])).limit(1)


def last_application_number(conn: sa.Connection, round_id: int) -> int:
    return conn.execute(_LAST_NUMBER, {"round_id": round_id}).scalar_one()


def insert_application(conn: sa.Connection, values: dict) -> int:
    """A new application's row; its id."""
    return conn.execute(_INSERT_APPLICATION, values).inserted_primary_key[0]


def open_or_funded(conn: sa.Connection, round_id: int, person_id: int):
    """A participant's application in the round that is still open or was funded (code, status), or ``None``."""
    return conn.execute(_OPEN_OR_FUNDED, {"round_id": round_id, "person_id": person_id}).first()


def update_request(conn: sa.Connection, app_id: int, own_contribution, requested) -> None:
    conn.execute(A.update().where(A.c.id == app_id).values(own_contribution=own_contribution, requested=requested))


_DELETE_LINES = L.delete().where(L.c.application_id == sa.bindparam("b_id"))
_INSERT_LINES = L.insert()


def insert_lines(conn: sa.Connection, app_id: int, lines: Iterable[BudgetLine], replace: bool = True) -> None:
    """Write an application's budget lines (``replace``: instead of the ones it had)."""
    if replace:
        conn.execute(_DELETE_LINES, {"b_id": app_id})
    conn.execute(_INSERT_LINES, [
        {"application_id": app_id, "line_no": n, "item": line.item, "quantity": line.quantity,
         "unit_cost": line.unit_cost, "total": line.total, "kind": line.kind.value, "supplier": line.supplier}
        for n, line in enumerate(lines, start=1)])


_INSERT_EVENT = t.event.insert()


def actor_id(tx) -> int:
    """The acting staff member's row id, looked up once per transaction."""
    found = getattr(tx, "_mg_actor_id", None)
    if found is None:
        found = staff_id(tx.conn, tx.actor.code)
        tx._mg_actor_id = found
    return found


def add_event(tx, app_id: int, kind: str, note: str | None = None) -> None:
    """One entry of the application's story (``grants show``)."""
    tx.conn.execute(_INSERT_EVENT, {"application_id": app_id, "at": tx.now, "happened_on": tx.today,
                                    "actor_id": actor_id(tx), "kind": kind, "note": note})


@functools.cache
def _status_update(keys: tuple[str, ...]) -> sa.Update:
    return (A.update().where(A.c.id == sa.bindparam("b_id"))
            .values(status=sa.bindparam("b_status"), **{k: sa.bindparam(f"b_{k}") for k in keys}))


def set_status(tx, app_id: int, status: ApplicationStatus, note: str | None = None, **values) -> None:
    keys = tuple(sorted(values))
    tx.conn.execute(_status_update(keys), {"b_id": app_id, "b_status": status.value,
                                           **{f"b_{k}": values[k] for k in keys}})
    add_event(tx, app_id, status.value, note)


# --- the committee ------------------------------------------------------------------------------


def _conflicts_select():
    c, by = t.conflict, ST.alias("recorder")
    return (sa.select(c, ST.c.code.label("member"), by.c.code.label("recorder"))
            .select_from(c.join(ST, ST.c.id == c.c.staff_id).join(by, by.c.id == c.c.recorded_by))
            .where(c.c.application_id == sa.bindparam("app_id")).order_by(ST.c.code))


_CONFLICTS = _conflicts_select()


def conflicts(conn: sa.Connection, app_id: int, app_code: str) -> list[ConflictOfInterest]:
    rows = conn.execute(_CONFLICTS, {"app_id": app_id})
    return [ConflictOfInterest(app_code, r.member, r.kind, r.note, r.recorder, r.recorded_on) for r in rows]


def _votes_select(many: bool = False):
    v, cm, c = t.vote, t.committee_member, t.conflict
    on_committee = sa.exists().where(cm.c.round_id == A.c.round_id, cm.c.staff_id == v.c.staff_id)
    conflicted = sa.exists().where(c.c.application_id == v.c.application_id, c.c.staff_id == v.c.staff_id)
    return (sa.select(v, ST.c.code.label("member"), on_committee.label("on_committee"),
                      conflicted.label("conflicted"))
            .select_from(v.join(ST, ST.c.id == v.c.staff_id).join(A, A.c.id == v.c.application_id))
            .where(v.c.application_id.in_(sa.bindparam("ids", expanding=True)) if many
                   else v.c.application_id == sa.bindparam("app_id"))
            .order_by(v.c.application_id, ST.c.code))


_VOTES = _votes_select()
_VOTES_MANY = _votes_select(many=True)


def vote_from_row(app_code: str, r) -> Vote:
    return Vote(app_code, r.member, r.choice, r.amount, r.reason, r.note, r.cast_on, r.changed_on,
                counted=bool(r.on_committee) and not r.conflicted)


def votes(conn: sa.Connection, app_id: int, app_code: str) -> list[Vote]:
    """Every vote on the application; ``counted`` is False for a member who declared a
    conflict or is no longer on the committee."""
    return [vote_from_row(app_code, r) for r in conn.execute(_VOTES, {"app_id": app_id})]


_DECISIONS = (sa.select(t.decision, ST.c.code.label("by"))
              .select_from(t.decision.join(ST, ST.c.id == t.decision.c.decided_by))
              .where(t.decision.c.application_id == sa.bindparam("app_id")).order_by(t.decision.c.number))


def votes_by_application(conn: sa.Connection, codes: dict[int, str]) -> dict[int, list[Vote]]:
    """The votes on many applications (``{id: code}``) in few queries: ``{id: [Vote, …]}``."""
    found: dict[int, list[Vote]] = defaultdict(list)
    ids = list(codes)
    for start in range(0, len(ids), 500):
        for r in conn.execute(_VOTES_MANY, {"ids": ids[start:start + 500]}):
            found[r.application_id].append(vote_from_row(codes[r.application_id], r))
    return found


def decisions(conn: sa.Connection, app_id: int, app_code: str) -> list[Decision]:
    rows = conn.execute(_DECISIONS, {"app_id": app_id})
    return [Decision(app_code, r.number, r.outcome, r.amount, r.decided_on, r.by, r.valid_votes, r.approve_votes,
                     r.reject_votes, r.abstain_votes, r.quorum, r.rule, r.explanation) for r in rows]


def approval(conn: sa.Connection, app_id: int, app_code: str) -> Decision | None:
    approved = [d for d in decisions(conn, app_id, app_code) if d.outcome is Outcome.APPROVED]
    return approved[-1] if approved else None


# --- the committee's meeting: its agenda and tally sheets (meetings.py) ---------------------------


def _meeting_select():
    return (sa.select(A.c.id, A.c.code, A.c.number, A.c.round_id, A.c.status, A.c.requested, A.c.plan_score,
                      P.c.code.label("participant"), P.c.full_name)
            .select_from(A.join(P, P.c.id == A.c.participant_id)))


_MEETING = _meeting_select()
MEETING_BY_CODES = _MEETING.where(A.c.code.in_(sa.bindparam("codes", expanding=True)))
MEETING_IN_REVIEW = _MEETING.where(A.c.round_id == sa.bindparam("round_id"),
                          sa.or_(A.c.status == ApplicationStatus.UNDER_REVIEW.value,
                                 sa.and_(A.c.status == ApplicationStatus.DEFERRED.value, sa.or_(
                                     sa.bindparam("deferred", type_=sa.Boolean),
                                     A.c.id.in_(sa.bindparam("ids", expanding=True))))))
ROUND_VOTES = (sa.select(t.vote.c.application_id, t.vote.c.staff_id, ST.c.code, t.vote.c.choice, t.vote.c.amount)
                .select_from(t.vote.join(ST, ST.c.id == t.vote.c.staff_id)
                             .join(A, A.c.id == t.vote.c.application_id))
                .where(A.c.round_id == sa.bindparam("round_id")))
ROUND_CONFLICTS = (sa.select(t.conflict.c.application_id, t.conflict.c.staff_id, ST.c.code, t.conflict.c.kind)
                    .select_from(t.conflict.join(ST, ST.c.id == t.conflict.c.staff_id)
                                 .join(A, A.c.id == t.conflict.c.application_id))
                    .where(A.c.round_id == sa.bindparam("round_id")))
DECISION_COUNTS = (sa.select(t.decision.c.application_id, sa.func.count())
                    .select_from(t.decision.join(A, A.c.id == t.decision.c.application_id))
                    .where(A.c.round_id == sa.bindparam("round_id")).group_by(t.decision.c.application_id))
COMMITTEE_IDS = (sa.select(ST.c.code, ST.c.id)
                  .select_from(t.committee_member.join(ST, ST.c.id == t.committee_member.c.staff_id))
                  .where(t.committee_member.c.round_id == sa.bindparam("round_id")))
STAFF_BY_CODES = sa.select(ST.c.id, ST.c.code, ST.c.active).where(ST.c.code.in_(sa.bindparam("codes", expanding=True)))
CHANGE_VOTE = (t.vote.update()
                .where(t.vote.c.application_id == sa.bindparam("b_application"),
                       t.vote.c.staff_id == sa.bindparam("b_staff"))
                .values(choice=sa.bindparam("b_choice"), amount=sa.bindparam("b_amount"),
                        reason=sa.bindparam("b_reason"), note=sa.bindparam("b_note"),
                        changed_on=sa.bindparam("b_changed_on")))


def in_review(conn: sa.Connection, round_id: int, *, deferred: bool = False, ids=(),
              visible_only: bool = False) -> list:
    """A round's applications under review, and its deferred ones (all with ``deferred``,
    else those in ``ids``); ``visible_only``: those the actor may see."""
    query = MEETING_IN_REVIEW.where(visible(conn, A.c.participant_id)) if visible_only else MEETING_IN_REVIEW
    return conn.execute(query, {"round_id": round_id, "deferred": deferred, "ids": list(ids)}).all()


def applications_by_ids(conn: sa.Connection, ids: Iterable[int]) -> dict[str, Application]:
    """The applications with these ids, by code (in batches: a long list stays one bind list).

    The scope is checked on ``participant_id + 0``: an expression no index holds, so the
    list of ids drives the query. On the bare column SQLite walked the participant index
    once per person in a reach (finance: every approved grant's owner) for each id asked,
    over a second for a national worklist instead of a few milliseconds."""
    ids, found = list(ids), {}
    for start in range(0, len(ids), 500):
        found.update((a.code, a) for a in _applications_where(conn, A.c.id.in_(ids[start:start + 500]),
                                                              scope_on=A.c.participant_id + 0))
    return found


def conflict_of(conn: sa.Connection, app_id: int, staff_id_: int):
    """The conflict of interest a member declared on an application (its ``kind``), or ``None``."""
    return conn.execute(sa.select(t.conflict.c.kind).where(t.conflict.c.application_id == app_id,
                                                           t.conflict.c.staff_id == staff_id_)).first()


def delete_conflict(conn: sa.Connection, app_id: int, staff_id_: int) -> None:
    """Remove a conflict of interest withdrawn by mistake (the audit trail keeps it)."""
    conn.execute(t.conflict.delete().where(t.conflict.c.application_id == app_id, t.conflict.c.staff_id == staff_id_))


def decision_count(conn: sa.Connection, app_id: int) -> int:
    return conn.execute(sa.select(sa.func.count()).where(t.decision.c.application_id == app_id)).scalar_one()


_INSERT_DECISION = t.decision.insert()


def insert_decision(conn: sa.Connection, values: dict) -> None:
    conn.execute(_INSERT_DECISION, values)


def earlier_votes(conn: sa.Connection, app_ids: list[int]) -> dict:
    """The votes already cast on these applications, by (application id, staff id)."""
    if not app_ids:
        return {}
    return {(v.application_id, v.staff_id): v for v in conn.execute(
        sa.select(t.vote).where(t.vote.c.application_id.in_(app_ids)))}


def earlier_conflicts(conn: sa.Connection, app_ids: list[int]) -> dict:
    """The conflicts of interest already declared on these applications, by (application id, staff id)."""
    if not app_ids:
        return {}
    c = t.conflict
    return {(r.application_id, r.staff_id): r for r in conn.execute(
        sa.select(c.c.application_id, c.c.staff_id, c.c.kind, c.c.note).where(c.c.application_id.in_(app_ids)))}


def insert_tally(conn: sa.Connection, conflicts: list[dict], votes: list[dict], changes: list[dict]) -> None:
    """A tally sheet's batch: new conflicts of interest, new votes, changed votes."""
    if conflicts:
        conn.execute(t.conflict.insert(), conflicts)
    if votes:
        conn.execute(t.vote.insert(), votes)
    if changes:
        conn.execute(CHANGE_VOTE, changes)


# --- finance's worklist and payment runs (payments.py) ------------------------------------------


def _payable_select():
    tr, o = t.tranche, t.override
    # disbursed: recorded and not reversed (pending too: it counts against the grant); count:
    # every tranche ever recorded (a number is never used again); pending: the number of the
    # tranche waiting for its confirmation, if one does
    pending = tr.c.status == TrancheStatus.PENDING.value
    paid = (sa.select(tr.c.application_id, sa.func.sum(tr.c.amount).filter(PAID).label("disbursed"),
                      sa.func.count().label("count"),
                      sa.func.max(tr.c.released_on).filter(PAID).label("last_released"),
                      sa.func.max(tr.c.number).filter(pending).label("pending"))
            .group_by(tr.c.application_id).subquery("paid"))
    used = sa.select(tr.c.override_id).where(tr.c.override_id.is_not(None))
    unused = (sa.select(o.c.application_id, sa.func.min(o.c.id).label("override_id"))
              .where(o.c.id.not_in(used)).group_by(o.c.application_id).subquery("unused"))
    d = t.decision
    decided_on = sa.select(sa.func.max(d.c.decided_on)).where(d.c.application_id == A.c.id).scalar_subquery()
    return (sa.select(A.c.id, A.c.code, A.c.number, A.c.status, A.c.amount_granted, A.c.approved_on,
                      A.c.amount_approved, A.c.plan_code, A.c.plan_sector, decided_on.label("decided_on"),
                      R.c.code.label("round_code"), R.c.currency, R.c.tranche_plan, R.c.four_eyes,
                      R.c.visit_wait_days,
                      P.c.code.label("participant"), P.c.full_name, P.c.status.label("participant_status"),
                      P.c.exited_on, P.c.exit_reason,
                      sa.func.coalesce(paid.c.disbursed, 0).label("disbursed"),
                      sa.func.coalesce(paid.c.count, 0).label("count"), paid.c.last_released, paid.c.pending,
                      unused.c.override_id)
            .select_from(A.join(R, R.c.id == A.c.round_id).join(P, P.c.id == A.c.participant_id)
                         .outerjoin(paid, paid.c.application_id == A.c.id)
                         .outerjoin(unused, unused.c.application_id == A.c.id))
            .where(A.c.status.in_([ApplicationStatus.APPROVED.value, ApplicationStatus.DISBURSING.value])))


_PAYABLE = _payable_select()
_PAYABLE_ALL = _PAYABLE.order_by(R.c.code, A.c.number)
_PAYABLE_IN_ROUND = _PAYABLE.where(R.c.code == sa.bindparam("round")).order_by(A.c.number)
PAYABLE_BY_CODES = _PAYABLE.where(A.c.code.in_(sa.bindparam("codes", expanding=True)))
_OVERRIDES_BY_ID = (sa.select(t.override.c.id, t.override.c.reason, ST.c.code)
                    .select_from(t.override.join(ST, ST.c.id == t.override.c.granted_by))
                    .where(t.override.c.id.in_(sa.bindparam("ids", expanding=True))))
_APPROVALS = (sa.select(t.decision.c.application_id, t.decision.c.decided_on, ST.c.code)
              .select_from(t.decision.join(ST, ST.c.id == t.decision.c.decided_by))
              .where(t.decision.c.application_id.in_(sa.bindparam("ids", expanding=True)),
                     t.decision.c.outcome == Outcome.APPROVED.value)
              .order_by(t.decision.c.application_id, t.decision.c.number))
_RECORDED_BY_CODES = (sa.select(A.c.code, R.c.currency, t.tranche)
                      .select_from(t.tranche.join(A, A.c.id == t.tranche.c.application_id)
                                   .join(R, R.c.id == A.c.round_id))
                      .where(A.c.code.in_(sa.bindparam("codes", expanding=True))))
SET_PAID_STATUS = (A.update().where(A.c.id == sa.bindparam("b_id"))
               .values(status=sa.bindparam("b_status"), closed_on=sa.bindparam("b_closed_on")))


def payable(conn: sa.Connection, round_code: str | None = None, codes: Iterable[str] | None = None, *,
            application: str | None = None) -> list:
    """Every approved grant not yet fully paid, with what was paid and what waits (the
    worklist's rows): those the actor may see (of one round, or all, or the one
    ``application``), or those with ``codes`` (a payment run, which checks each)."""
    if codes is not None:
        codes = sorted(codes)
        return conn.execute(PAYABLE_BY_CODES, {"codes": codes}).all() if codes else []
    if application:
        return conn.execute(PAYABLE_BY_CODES.where(visible(conn, A.c.participant_id)),
                            {"codes": [application]}).all()
    if round_code:
        return conn.execute(_PAYABLE_IN_ROUND.where(visible(conn, A.c.participant_id)), {"round": round_code}).all()
    return conn.execute(_PAYABLE_ALL.where(visible(conn, A.c.participant_id))).all()


def lock_rounds_of(conn: sa.Connection, codes: list[str]) -> None:
    """Lock the round of every application in ``codes``, in one order (the round lock)."""
    if not codes:
        return
    round_ids = sorted(set(conn.execute(sa.select(A.c.round_id).where(
        A.c.code.in_(sa.bindparam("codes", expanding=True))), {"codes": codes}).scalars()))
    for round_id in round_ids:
        round_row(conn, round_id=round_id, lock=True)


def statuses(conn: sa.Connection, codes: list[str]) -> dict[str, str]:
    """Each existing application's status, by code."""
    if not codes:
        return {}
    return dict(conn.execute(sa.select(A.c.code, A.c.status).where(
        A.c.code.in_(sa.bindparam("codes", expanding=True))), {"codes": codes}).all())


def recorded_tranches(conn: sa.Connection, codes: list[str]) -> list:
    """Every tranche ever recorded for these applications (reversed ones too), with the code."""
    return conn.execute(_RECORDED_BY_CODES, {"codes": codes}).all() if codes else []


def approvals(conn: sa.Connection, app_ids: list[int]) -> dict[int, object]:
    """Each application's approving decision (date and who recorded it), by application id."""
    found = {}
    for start in range(0, len(app_ids), 500):
        for d in conn.execute(_APPROVALS, {"ids": app_ids[start:start + 500]}):
            found[d.application_id] = d
    return found


def overrides_by_id(conn: sa.Connection, ids: list[int]) -> dict[int, Verification]:
    """Admin overrides of a missing verification, by id, as the verification of a tranche."""
    found = {}
    for start in range(0, len(ids), 500):
        for o in conn.execute(_OVERRIDES_BY_ID, {"ids": ids[start:start + 500]}):
            found[o.id] = Verification(override_reason=o.reason, overridden_by=o.code)
    return found


def tranches_verified_by(conn: sa.Connection, participant: str, mentor: str, visited_on) -> list:
    """``(application, number, released_on)`` of the tranches not reversed whose verifying
    visit was ``mentor``'s on ``visited_on`` to ``participant``."""
    tr = t.tranche
    return conn.execute(
        sa.select(A.c.code, tr.c.number, tr.c.released_on).select_from(tr.join(A).join(P, P.c.id == A.c.participant_id))
        .where(P.c.code == participant, tr.c.verified_by == mentor, tr.c.verified_on == visited_on,
               tr.c.status != TrancheStatus.REVERSED.value)
        .order_by(A.c.code, tr.c.number)).all()


def tranche_values(app_id: int, tranche: Tranche, recorded_by: int, override_id: int | None) -> dict:
    """A tranche as a row of ``mg_tranche`` (its confirmer: the recorder, when it is
    recorded confirmed)."""
    v = tranche.verification
    visit = v is not None and not v.overridden
    confirmed = tranche.status is TrancheStatus.CONFIRMED
    return {"application_id": app_id, "number": tranche.number, "amount": tranche.amount,
            "released_on": tranche.released_on, "method": tranche.method.value, "items": tranche.items,
            "supplier": tranche.supplier, "receipt": tranche.receipt, "reference": tranche.reference,
            "eur_rate": tranche.eur_rate, "amount_eur": tranche.amount_eur, "tjs_rate": tranche.tjs_rate,
            "amount_tjs": tranche.amount_tjs, "recorded_by": recorded_by,
            "override_id": override_id, "verification_reference": v.reference if visit else None,
            "verified_on": v.visited_on if visit else None, "verified_by": v.mentor if visit else None,
            "verification_note": v.note if visit else None, "status": tranche.status.value,
            "confirmed_by": recorded_by if confirmed else None,
            "confirmed_on": tranche.confirmed_on if confirmed else None}


def insert_tranche_rows(conn: sa.Connection, tranches_: list[dict], statuses_: list[dict] = (),
                        events_: list[dict] = ()) -> None:
    """Tranches (``tranche_values``) and, for a payment run's batch, their applications' new
    status and their stories."""
    conn.execute(t.tranche.insert(), tranches_)
    if statuses_:
        conn.execute(SET_PAID_STATUS, statuses_)
    if events_:
        conn.execute(t.event.insert(), events_)


def confirm_tranche_row(conn: sa.Connection, tranche_id: int, by: int, on) -> None:
    conn.execute(t.tranche.update().where(t.tranche.c.id == tranche_id).values(
        status=TrancheStatus.CONFIRMED.value, confirmed_by=by, confirmed_on=on))


def reverse_tranche_row(conn: sa.Connection, tranche_id: int, amount: Decimal, reason: str, by: int, on) -> None:
    """The counter-entry, and the tranche marked reversed (nothing else of it changes)."""
    conn.execute(t.tranche_reversal.insert().values(tranche_id=tranche_id, amount=amount, reason=reason,
                                                    reversed_by=by, reversed_on=on))
    conn.execute(t.tranche.update().where(t.tranche.c.id == tranche_id).values(status=TrancheStatus.REVERSED.value))


def insert_override(conn: sa.Connection, app_id: int, reason: str, by: int, on) -> None:
    conn.execute(t.override.insert().values(application_id=app_id, reason=reason, granted_by=by, granted_on=on))


def set_granted(conn: sa.Connection, app_id: int, amount: Decimal, closed_on=None) -> None:
    """A reduced grant's new amount (and the day it closed, if the reduction completed it)."""
    conn.execute(A.update().where(A.c.id == app_id).values(
        amount_granted=amount, **({"closed_on": closed_on} if closed_on else {})))


# --- tranches -----------------------------------------------------------------------------------


def _tranches_select():
    tr, o, by, confirmer, rv, reverser = (t.tranche, t.override, ST.alias("overrider"), ST.alias("confirmer"),
                                          t.tranche_reversal, ST.alias("reverser"))
    return (sa.select(tr, ST.c.code.label("recorder"), o.c.reason.label("override_reason"),
                      by.c.code.label("overridden_by"), confirmer.c.code.label("confirmer"),
                      rv.c.reason.label("reversal_reason"), reverser.c.code.label("reverser"), rv.c.reversed_on)
            .select_from(tr.join(ST, ST.c.id == tr.c.recorded_by).outerjoin(o, o.c.id == tr.c.override_id)
                         .outerjoin(by, by.c.id == o.c.granted_by)
                         .outerjoin(confirmer, confirmer.c.id == tr.c.confirmed_by)
                         .outerjoin(rv, rv.c.tranche_id == tr.c.id)
                         .outerjoin(reverser, reverser.c.id == rv.c.reversed_by))
            .where(tr.c.application_id == sa.bindparam("app_id")).order_by(tr.c.number))


_TRANCHES = _tranches_select()


def tranches(conn: sa.Connection, app_id: int, app_code: str, currency: str) -> list[Tranche]:
    """Every tranche of an application, reversed ones too (with their counter-entry)."""
    found = []
    for r in conn.execute(_TRANCHES, {"app_id": app_id}):
        verification = None
        if r.verification_reference or r.override_reason:
            verification = Verification(r.verification_reference, r.verified_on, r.verified_by, r.verification_note,
                                        r.override_reason, r.overridden_by)
        reversal = Reversal(r.reversal_reason, r.reverser, r.reversed_on) if r.reverser else None
        found.append(Tranche(app_code, r.number, r.amount, r.released_on, r.method, currency, r.items, r.supplier,
                             r.receipt, r.reference, r.eur_rate, r.recorder, verification, r.status, r.confirmer,
                             r.confirmed_on, reversal, tjs_rate=r.tjs_rate))
    return found


_TRANCHE_ROW = (sa.select(t.tranche, ST.c.code.label("recorder"))
                .select_from(t.tranche.join(ST, ST.c.id == t.tranche.c.recorded_by))
                .where(t.tranche.c.application_id == sa.bindparam("app_id"),
                       t.tranche.c.number == sa.bindparam("number")))


def tranche_row(conn: sa.Connection, app_id: int, app_code: str, number: int):
    """The stored tranche ``number`` of an application with its recorder's code, or NotFound."""
    row = conn.execute(_TRANCHE_ROW, {"app_id": app_id, "number": number}).first()
    if row is None:
        raise NotFound(_("{app} has no tranche {n}").format(app=app_code, n=number))
    return row


_PENDING = (sa.select(t.tranche, A.c.code, R.c.currency, ST.c.code.label("recorder"))
            .select_from(t.tranche.join(A, A.c.id == t.tranche.c.application_id).join(R, R.c.id == A.c.round_id)
                         .join(ST, ST.c.id == t.tranche.c.recorded_by))
            .where(t.tranche.c.status == TrancheStatus.PENDING.value)
            .order_by(R.c.code, A.c.number))


def pending_tranches(conn: sa.Connection, round_code: str | None = None, limit: int | None = None) -> list[Tranche]:
    """The tranches waiting for a second person's confirmation, by round and application
    (the first ``limit`` of them, when given)."""
    query = _PENDING.where(visible(conn, A.c.participant_id))
    if round_code:
        query = query.where(R.c.code == round_code)
    if limit is not None:
        query = query.limit(limit)
    return [Tranche(r.code, r.number, r.amount, r.released_on, r.method, r.currency, r.items, r.supplier, r.receipt,
                    r.reference, r.eur_rate, r.recorder, status=r.status, tjs_rate=r.tjs_rate)
            for r in conn.execute(query)]


def pending_count(conn: sa.Connection) -> int:
    """How many tranches the actor may see wait for a second person's confirmation."""
    return conn.execute(sa.select(sa.func.count()).select_from(
        _PENDING.where(visible(conn, A.c.participant_id)).order_by(None).subquery())).scalar_one()


def took_part(conn: sa.Connection, app_id: int, app_code: str) -> set[str]:
    """Who took part in deciding a grant: whoever recorded a decision on it, voted on it,
    declared or recorded a conflict of interest on it, or entered a tally sheet with it
    (the audit's ``grants.meeting`` events that name it). They do not check its money."""
    d, v, c = t.decision, t.vote, t.conflict
    ids = sa.union(
        sa.select(d.c.decided_by.label("id")).where(d.c.application_id == app_id),
        sa.select(v.c.staff_id).where(v.c.application_id == app_id),
        sa.select(c.c.staff_id).where(c.c.application_id == app_id),
        sa.select(c.c.recorded_by).where(c.c.application_id == app_id)).subquery()
    codes = set(conn.execute(sa.select(ST.c.code).where(ST.c.id.in_(sa.select(ids.c.id)))).scalars())
    e, k = core.audit_event, core.audit_event_key
    codes.update(conn.execute(sa.select(e.c.actor).select_from(k.join(e, e.c.seq == k.c.seq))
                              .where(k.c.entity_key == app_code, e.c.action == "grants.meeting")).scalars())
    return codes


_OVERRIDES = (sa.select(t.override, ST.c.code.label("by"), t.tranche.c.number.label("tranche"))
              .select_from(t.override.join(ST, ST.c.id == t.override.c.granted_by)
                           .outerjoin(t.tranche, t.tranche.c.override_id == t.override.c.id))
              .where(t.override.c.application_id == sa.bindparam("app_id")).order_by(t.override.c.id))


def overrides(conn: sa.Connection, app_id: int, app_code: str) -> list[tuple[int, Override]]:
    rows = conn.execute(_OVERRIDES, {"app_id": app_id})
    return [(r.id, Override(app_code, r.reason, r.by, r.granted_on, r.tranche)) for r in rows]


def events(conn: sa.Connection, app_id: int) -> list[dict]:
    e = t.event
    rows = conn.execute(sa.select(e.c.happened_on, e.c.at, e.c.kind, e.c.note, ST.c.code.label("by"))
                        .select_from(e.join(ST)).where(e.c.application_id == app_id).order_by(e.c.id))
    return [{"on": r.happened_on, "event": r.kind, "by": r.by, "note": r.note} for r in rows]


def application_codes_of(conn: sa.Connection, code: str) -> list[str]:
    """The codes of participant ``code``'s grant applications (any round)."""
    a, p = t.application, core.participant
    return list(conn.execute(sa.select(a.c.code).join(p, p.c.id == a.c.participant_id).where(p.c.code == code)
                             .order_by(a.c.code)).scalars())


def live_applications(conn: sa.Connection, person_id: int) -> list:
    """The person's applications still open or funded: ``code``, ``round`` (its code), ``status``."""
    return conn.execute(sa.select(A.c.code, R.c.code.label("round"), A.c.status).select_from(A.join(R))
                        .where(A.c.participant_id == person_id,
                               A.c.status.in_([s.value for s in OPEN_STATUSES | FUNDED_STATUSES]))
                        .order_by(A.c.code)).all()


def applications_with_plan(conn: sa.Connection, plan: str) -> list:
    """``(code, status)`` of the applications made with business plan ``plan``, not withdrawn or cancelled."""
    return conn.execute(sa.select(A.c.code, A.c.status).where(
        A.c.plan_code == normal(plan),
        A.c.status.not_in((ApplicationStatus.WITHDRAWN.value, ApplicationStatus.CANCELLED.value)))
        .order_by(A.c.code)).all()


def erase_notes(conn: sa.Connection, code: str, dry_run: bool) -> dict[str, int]:
    """Clear what staff wrote in words about participant ``code``'s applications (why one
    closed, members' vote and conflict notes, overrides, verification notes, reversals, the
    story's notes), keeping amounts, dates, votes and decisions."""
    a = t.application
    apps = sa.select(a.c.id).join(core.participant, core.participant.c.id == a.c.participant_id).where(
        core.participant.c.code == code)
    tranches = sa.select(t.tranche.c.id).where(t.tranche.c.application_id.in_(apps))
    targets = {
        "applications": (a, a.c.id.in_(apps), a.c.close_reason.is_not(None), {"close_reason": None}),
        "votes": (t.vote, t.vote.c.application_id.in_(apps), t.vote.c.note.is_not(None), {"note": None}),
        "conflicts": (t.conflict, t.conflict.c.application_id.in_(apps), t.conflict.c.note.is_not(None),
                      {"note": None}),
        "overrides": (t.override, t.override.c.application_id.in_(apps), t.override.c.reason != ERASED_TEXT,
                      {"reason": ERASED_TEXT}),
        "tranches": (t.tranche, t.tranche.c.id.in_(tranches), t.tranche.c.verification_note.is_not(None),
                     {"verification_note": None}),
        "reversals": (t.tranche_reversal, t.tranche_reversal.c.tranche_id.in_(tranches),
                      t.tranche_reversal.c.reason != ERASED_TEXT, {"reason": ERASED_TEXT}),
        "events": (t.event, t.event.c.application_id.in_(apps), t.event.c.note.is_not(None), {"note": None}),
    }
    return clear_text(conn, targets, dry_run)


def committee_held(conn: sa.Connection, staff_code: str, undecided_statuses, review_statuses) -> tuple[list, list]:
    """For ``staff_open_work``: the rounds whose committee ``staff_code`` sits on (code,
    status, applications undecided), and the applications under review there they have
    neither voted on nor declared a conflict for (code, status)."""
    cm, r, app = t.committee_member, t.grant_round, t.application
    staff_id = conn.execute(sa.select(core.staff.c.id).where(core.staff.c.code == staff_code)).scalar_one()
    undecided = (sa.select(sa.func.count()).select_from(app)
                 .where(app.c.round_id == r.c.id, app.c.status.in_(undecided_statuses)).scalar_subquery())
    rounds = conn.execute(
        sa.select(r.c.code, r.c.status, undecided.label("undecided"))
        .select_from(r.join(cm, cm.c.round_id == r.c.id))
        .where(cm.c.staff_id == staff_id).order_by(r.c.opens_on, r.c.code)).all()
    voted = sa.exists().where(t.vote.c.application_id == app.c.id, t.vote.c.staff_id == staff_id)
    conflicted = sa.exists().where(t.conflict.c.application_id == app.c.id, t.conflict.c.staff_id == staff_id)
    pending = conn.execute(
        sa.select(app.c.code, app.c.status)
        .select_from(app.join(cm, sa.and_(cm.c.round_id == app.c.round_id, cm.c.staff_id == staff_id)))
        .where(app.c.status.in_(review_statuses), ~voted, ~conflicted)
        .order_by(app.c.code)).all()
    return rounds, pending


# --- rows as the audit trail states them (``audit verify``, see audited.py) ---------------------

ROUND_FIELDS = ("budget", "min_grant", "max_grant", "currency", "opens_on", "closes_on", "quorum", "rule",
                "four_eyes", "visit_wait_days", "status")
#: The application's money; an approval states both, a reduction or a cancellation the grant.
GRANT_FIELDS = ("amount_approved", "amount_granted")
#: A decision as the trail states it, and the column each field is kept in.
DECISION_COLUMNS = {"outcome": "outcome", "amount": "amount", "decided_on": "decided_on",
                    "valid": "valid_votes", "approve": "approve_votes", "reject": "reject_votes",
                    "abstain": "abstain_votes", "quorum": "quorum"}
TRANCHE_FIELDS = ("amount", "released_on", "method", "items", "supplier", "receipt", "reference", "eur_rate", "tjs_rate",
                  "recorded_by", "status", "confirmed_by", "confirmed_on")


def audited_rounds(conn: sa.Connection) -> Iterator[DataRow]:
    for row in conn.execute(sa.select(R).order_by(R.c.id)):
        yield DataRow(row.code, as_audited({field: getattr(row, field) for field in ROUND_FIELDS}))


def audited_grants(conn: sa.Connection) -> Iterator[DataRow]:
    for row in conn.execution_options(yield_per=2000).execute(
            sa.select(A.c.code, A.c.amount_approved, A.c.amount_granted, P.c.code.label("participant"))
            .select_from(A.join(P)).order_by(A.c.id)):
        yield DataRow(row.code, as_audited({field: getattr(row, field) for field in GRANT_FIELDS}), row.participant)


def audited_decisions(conn: sa.Connection) -> Iterator[DataRow]:
    d = t.decision
    for row in conn.execution_options(yield_per=2000).execute(
            sa.select(d, A.c.code.label("application"), P.c.code.label("participant"))
            .select_from(d.join(A).join(P)).order_by(d.c.id)):
        fields = {field: getattr(row, column) for field, column in DECISION_COLUMNS.items()}
        yield DataRow(f"{row.application}/{row.number}", as_audited(fields), row.participant)


def audited_tranches(conn: sa.Connection) -> Iterator[DataRow]:
    tr, confirmer = t.tranche, ST.alias("confirmer")
    for row in conn.execution_options(yield_per=2000).execute(
            sa.select(tr, A.c.code.label("application"), P.c.code.label("participant"),
                      ST.c.code.label("recorder"), confirmer.c.code.label("confirmer"))
            .select_from(tr.join(A).join(P).join(ST, ST.c.id == tr.c.recorded_by)
                         .outerjoin(confirmer, confirmer.c.id == tr.c.confirmed_by))
            .order_by(tr.c.id)):
        fields = {field: getattr(row, field) for field in TRANCHE_FIELDS
                  if field not in ("recorded_by", "confirmed_by")}
        fields |= {"recorded_by": row.recorder, "confirmed_by": row.confirmer}
        yield DataRow(f"{row.application}/{row.number}", as_audited(fields), row.participant)
