"""Savings groups: the rules, one transaction per action, every change audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import sqlalchemy as sa

from reentry_core.sdk import (
    Conflict, core, InvalidInput, normalise_code, normalise_name, NotFound, parse_date,
    parse_money,
)

from .tables import deposit, group, member

_P = core.participant


@attrs.frozen
class Group:
    code: str
    centre: str
    name: str
    formed_on: date


@attrs.frozen
class Balance:
    participant: str
    full_name: str
    joined_on: date
    saved: Decimal


def _group(conn, code: str):
    row = conn.execute(sa.select(group, core.centre.c.code.label("centre")).select_from(group.join(core.centre))
                       .where(group.c.code == normalise_code(code))).first()
    if row is None:
        raise NotFound(f"savings group {normalise_code(code)!r} does not exist")
    return row


def _participant(conn, code: str):
    row = conn.execute(sa.select(_P.c.id, _P.c.centre_id, _P.c.status).where(_P.c.code == normalise_code(code))).first()
    if row is None:
        raise NotFound(f"participant {normalise_code(code)!r} does not exist")
    return row


def _join(tx, found, person, code: str, on: date) -> None:
    if person.centre_id != found.centre_id:
        raise Conflict(f"{code} belongs to another centre than savings group {found.code} ({found.centre})")
    exists = tx.conn.execute(sa.select(member.c.joined_on).where(member.c.group_id == found.id,
                                                                 member.c.participant_id == person.id)).first()
    if exists:
        raise Conflict(f"{code} is already a member of {found.code} (since {exists.joined_on.isoformat()})")
    tx.conn.execute(member.insert().values(group_id=found.id, participant_id=person.id, joined_on=on))
    tx.audit("savings.join", "participant", code, after={"group": found.code, "joined_on": on.isoformat()})


def join_centre_group(tx, participant_code: str) -> None:
    """Called inside the transaction that approved a grant: join the centre's oldest group."""
    person = _participant(tx.conn, participant_code)
    found = tx.conn.execute(sa.select(group, core.centre.c.code.label("centre")).select_from(group.join(core.centre))
                            .where(group.c.centre_id == person.centre_id).order_by(group.c.formed_on, group.c.id)).first()
    if found is None:
        return
    already = tx.conn.execute(sa.select(member.c.group_id).where(member.c.participant_id == person.id)).first()
    if already is None:
        _join(tx, found, person, participant_code, tx.today)


def members(period):
    """Unit records of ``savings.members``: one row per membership begun in the period."""
    return sa.select(member.c.participant_id).where(period.covers(member.c.joined_on))


def deposits(period):
    """Unit records of ``savings.saved``: one row per deposit, its amount the value."""
    return sa.select(deposit.c.participant_id, deposit.c.amount.label("value")).where(period.covers(deposit.c.paid_on))


class SavingsService:
    """``ctx.savings`` in the Python API."""

    def __init__(self, ctx):
        self.ctx = ctx

    def add_group(self, code: str, centre: str, name: str, formed_on=None) -> Group:
        code, name = normalise_code(code), normalise_name(name)
        if not code or not name:
            raise InvalidInput("a savings group needs a code and a name")
        with self.ctx.transaction() as tx:
            tx.require("savings.manage")
            formed = parse_date(formed_on) if formed_on else tx.today
            if formed > tx.today:
                raise InvalidInput(f"formed_on {formed.isoformat()} is in the future")
            if tx.conn.execute(sa.select(group.c.id).where(group.c.code == code)).first():
                raise Conflict(f"savings group {code} already exists")
            made = Group(code, normalise_code(centre), name, formed)
            tx.conn.execute(group.insert().values(code=code, centre_id=tx.centre_id(centre), name=name,
                                                  formed_on=formed))
            tx.audit("savings.group", "savings_group", code, after=made)
        return made

    def join(self, group_code: str, participant: str, on=None) -> None:
        with self.ctx.transaction() as tx:
            tx.require("savings.manage")
            found, person = _group(tx.conn, group_code), _participant(tx.conn, participant)
            day = parse_date(on) if on else tx.today
            if day > tx.today or day < found.formed_on:
                raise InvalidInput(f"joined_on {day.isoformat()} must be between the group's start and today")
            _join(tx, found, person, normalise_code(participant), day)

    def deposit(self, group_code: str, participant: str, amount, on=None) -> Decimal:
        value = parse_money(amount)
        with self.ctx.transaction() as tx:
            tx.require("savings.manage")
            found, person = _group(tx.conn, group_code), _participant(tx.conn, participant)
            joined = tx.conn.execute(sa.select(member.c.joined_on).where(
                member.c.group_id == found.id, member.c.participant_id == person.id)).scalar()
            if joined is None:
                raise Conflict(f"{normalise_code(participant)} is not a member of {found.code}")
            day = parse_date(on) if on else tx.today
            if day > tx.today or day < joined:
                raise InvalidInput(f"paid_on {day.isoformat()} must be between joining ({joined.isoformat()}) and today")
            tx.conn.execute(deposit.insert().values(group_id=found.id, participant_id=person.id, paid_on=day,
                                                    amount=value))
            tx.audit("savings.deposit", "participant", normalise_code(participant),
                     after={"group": found.code, "paid_on": day.isoformat(), "amount": str(value)})
        return value

    def balance(self, group_code: str) -> list[Balance]:
        self.ctx.require("participants.view")
        with self.ctx.reading() as conn:
            found = _group(conn, group_code)
            saved = sa.func.coalesce(sa.func.sum(deposit.c.amount), 0)
            rows = conn.execute(
                sa.select(_P.c.code, _P.c.full_name, member.c.joined_on, saved.label("saved"))
                .select_from(member.join(_P, _P.c.id == member.c.participant_id)
                             .outerjoin(deposit, sa.and_(deposit.c.group_id == member.c.group_id,
                                                         deposit.c.participant_id == member.c.participant_id)))
                .where(member.c.group_id == found.id)
                .group_by(_P.c.code, _P.c.full_name, member.c.joined_on).order_by(_P.c.code))
            return [Balance(r.code, r.full_name, r.joined_on, Decimal(r.saved) if not isinstance(r.saved, Decimal)
                            else r.saved) for r in rows]
