"""Finance's worklist and payment runs.

The worklist (:meth:`PaymentsMixin.due_tranches`) holds the next tranche of every approved
grant not yet fully paid, and whether it can go out now: a part the round's plan releases
on signing always can; a part marked ``verified`` can once a mentor's visit since the last
release verified the business (asked through ``tranche_verification``, only for those
grants) or an admin's override waits for it. It is read in a few queries whatever its
length.

A payment run (:meth:`PaymentsMixin.record_payments`) is the sheet finance fills in from
the worklist (CSV or XLSX, one row per tranche): every row is checked as ``disburse``
checks it, every bad row is named, and only a sheet without a bad row is recorded, in
one transaction, audited per batch.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import sqlalchemy as sa

from reentry_core.sdk import _, InvalidInput, parse_date, read_sheet, RowErrors, Transaction, write_table

from . import store
from . import tables as t
from .domain import (
    ApplicationStatus, Outcome, Tranche, TrancheMethod, Verification, describe_plan, gated_steps, money_text,
    next_planned_amount, parse_tranche_plan,
)
from .hookspecs import VisitEvidence
from reentry_core.sdk import redact, visible

S = ApplicationStatus
A, R, P, ST = t.application, t.grant_round, store.P, store.ST

SHEET_COLUMNS = ("application", "amount", "released_on", "method", "items", "supplier", "receipt", "reference",
                 "eur_rate")
SHEET_REQUIRED = ("application",)
#: Columns the worklist's sheet adds for the people filling it in; the import skips them.
SHEET_INFO = ("participant", "name", "tranche", "currency", "verification")


@attrs.frozen
class DueTranche:
    """The next tranche of an approved grant: how much, since when a visit counts, and
    whether it can be released now (``ready``), with the visit or override that lets it
    out, or why it waits."""

    application: str
    participant: str
    name: str
    round: str
    number: int
    amount: Decimal
    currency: str
    approved_on: date
    since: date
    needs_verification: bool
    ready: bool
    verification: Verification | None = None
    waiting: str | None = None


@attrs.frozen
class PaymentReport:
    """What a payment run recorded."""

    file: str
    tranches: tuple[Tranche, ...]
    completed: tuple[str, ...]

    @property
    def total(self) -> Decimal:
        return sum((tr.amount for tr in self.tranches), Decimal("0.00"))


def _payable_select():
    tr, o = t.tranche, t.override
    paid = (sa.select(tr.c.application_id, sa.func.sum(tr.c.amount).label("disbursed"),
                      sa.func.count().label("count"), sa.func.max(tr.c.released_on).label("last_released"))
            .group_by(tr.c.application_id).subquery("paid"))
    used = sa.select(tr.c.override_id).where(tr.c.override_id.is_not(None))
    unused = (sa.select(o.c.application_id, sa.func.min(o.c.id).label("override_id"))
              .where(o.c.id.not_in(used)).group_by(o.c.application_id).subquery("unused"))
    return (sa.select(A.c.id, A.c.code, A.c.number, A.c.status, A.c.amount_granted, A.c.approved_on,
                      R.c.code.label("round_code"), R.c.currency, R.c.tranche_plan,
                      P.c.code.label("participant"), P.c.full_name, P.c.status.label("participant_status"),
                      P.c.exited_on, P.c.exit_reason,
                      sa.func.coalesce(paid.c.disbursed, 0).label("disbursed"),
                      sa.func.coalesce(paid.c.count, 0).label("count"), paid.c.last_released,
                      unused.c.override_id)
            .select_from(A.join(R, R.c.id == A.c.round_id).join(P, P.c.id == A.c.participant_id)
                         .outerjoin(paid, paid.c.application_id == A.c.id)
                         .outerjoin(unused, unused.c.application_id == A.c.id))
            .where(A.c.status.in_([S.APPROVED.value, S.DISBURSING.value])))


_PAYABLE = _payable_select()
_PAYABLE_ALL = _PAYABLE.order_by(R.c.code, A.c.number)
_PAYABLE_IN_ROUND = _PAYABLE.where(R.c.code == sa.bindparam("round")).order_by(A.c.number)
_PAYABLE_BY_CODES = _PAYABLE.where(A.c.code.in_(sa.bindparam("codes", expanding=True)))
_OVERRIDES_BY_ID = (sa.select(t.override.c.id, t.override.c.reason, ST.c.code)
                    .select_from(t.override.join(ST, ST.c.id == t.override.c.granted_by))
                    .where(t.override.c.id.in_(sa.bindparam("ids", expanding=True))))
_APPROVALS = (sa.select(t.decision.c.application_id, t.decision.c.decided_on, ST.c.code)
              .select_from(t.decision.join(ST, ST.c.id == t.decision.c.decided_by))
              .where(t.decision.c.application_id.in_(sa.bindparam("ids", expanding=True)),
                     t.decision.c.outcome == Outcome.APPROVED.value)
              .order_by(t.decision.c.application_id, t.decision.c.number))
_SET_STATUS = (A.update().where(A.c.id == sa.bindparam("b_id"))
               .values(status=sa.bindparam("b_status"), closed_on=sa.bindparam("b_closed_on")))


def held_because(row) -> str:
    """Why the grant of someone who left the programme pays nothing more (until readmitted)."""
    return _("held: {code} left the programme on {on} ({reason}); readmitting them releases it").format(
        code=row.participant, on=row.exited_on.isoformat() if row.exited_on else "?",
        reason=row.exit_reason or "?")


def _money(value) -> Decimal:
    return store._money(value)


def _plan(text: str, cache: dict):
    if text not in cache:
        cache[text] = parse_tranche_plan(text)
    return cache[text]


def _overrides(conn, rows) -> dict[int, Verification]:
    ids = [row.override_id for row in rows if row.override_id is not None]
    found = {}
    for start in range(0, len(ids), 500):
        for o in conn.execute(_OVERRIDES_BY_ID, {"ids": ids[start:start + 500]}):
            found[o.id] = Verification(override_reason=o.reason, overridden_by=o.code)
    return found


def _evidence(tx, app, tranche: Tranche, since: date) -> Verification | None:
    """The verifier's evidence of a visit between ``since`` and the tranche's release, or ``None``."""
    evidence: VisitEvidence | None = tx.ask("tranche_verification", application=app, tranche=tranche, since=since)
    if evidence is None or not since <= evidence.visited_on <= tranche.released_on:
        return None
    return Verification(evidence.reference, evidence.visited_on, evidence.mentor, evidence.note)


def _due(tx, rows, on: date) -> list[DueTranche]:
    """The next tranche of each payable grant in ``rows``, asking for a visit only where
    the plan needs one and no override waits."""
    plans: dict = {}
    overrides = _overrides(tx.conn, rows)
    found, ask = [], []
    for row in rows:
        steps = _plan(row.tranche_plan, plans)
        granted, disbursed = row.amount_granted, _money(row.disbursed)
        amount = next_planned_amount(steps, granted, disbursed)
        if amount <= 0:
            continue
        since = row.last_released or row.approved_on
        gated = gated_steps(steps, granted, disbursed, amount)
        item = redact(tx.conn, DueTranche(row.code, row.participant, row.full_name, row.round_code, row.count + 1,
                                          amount, row.currency, row.approved_on, since, bool(gated), not gated),
                      name="full_name")
        if row.participant_status == "exited":
            found.append(attrs.evolve(item, ready=False, waiting=held_because(row)))
            continue
        if gated and row.override_id is not None:
            item = attrs.evolve(item, ready=True, verification=overrides[row.override_id])
        elif gated:
            ask.append((len(found), row, steps))
        found.append(item)
    if ask and tx.heard("tranche_verification"):
        apps = {}
        ids = [row.id for _i, row, _s in ask]
        for start in range(0, len(ids), 500):
            apps.update((a.code, a) for a in store.find_applications(tx.conn, A.c.id.in_(ids[start:start + 500])))
        for i, row, _steps in ask:
            item = found[i]
            tranche = Tranche(item.application, item.number, item.amount, on, TrancheMethod.CASH, item.currency)
            verification = _evidence(tx, apps[row.code], tranche, item.since)
            if verification is not None:
                found[i] = attrs.evolve(item, ready=True, verification=verification)
    for i, _row, steps in ask:
        if not found[i].ready:
            found[i] = attrs.evolve(found[i], waiting=_(
                "needs a verified visit on or after {since} ({plan})").format(
                since=found[i].since.isoformat(), plan=describe_plan(steps)))
    return found


class PaymentsMixin:
    """``ctx.grants``: finance's worklist and payment runs."""

    ctx: object

    def due_tranches(self, round: str | None = None, *, ready: bool = False) -> list[DueTranche]:
        """The next tranche of every approved grant not yet fully paid (of one round, or all),
        by round and number, each ``ready`` or waiting (with why); ``ready=True``: only
        those finance can release today."""
        self.ctx.require("grants.view")
        # a question to other plugins needs a transaction; this one only reads
        with self.ctx.reading_transaction() as tx:
            if round:
                store.round_row(tx.conn, round)  # NotFound for an unknown round
                rows = tx.conn.execute(_PAYABLE_IN_ROUND.where(visible(tx.conn, A.c.participant_id)), {"round": store.normal(round)}).all()
            else:
                rows = tx.conn.execute(_PAYABLE_ALL.where(visible(tx.conn, A.c.participant_id))).all()
            found = _due(tx, rows, tx.today)
        return [d for d in found if d.ready] if ready else found

    def ready_tranches(self, round: str | None = None) -> list[DueTranche]:
        """The tranches finance can release today (see :meth:`due_tranches`)."""
        return self.due_tranches(round, ready=True)

    def write_payment_sheet(self, path: str | Path, round: str | None = None) -> int:
        """Write the tranches ready today as a payment sheet (CSV or XLSX) to complete (method,
        references) and enter with :meth:`record_payments`. Returns the number of rows."""
        ready = self.ready_tranches(round)
        rows = [(d.application, d.participant, d.name, d.number, d.amount, d.currency, None, None, None, None, None,
                 None, None, _verification_text(d.verification)) for d in ready]
        return write_table(path, ("application", "participant", "name", "tranche", "amount", "currency",
                                  "released_on", "method", "items", "supplier", "receipt", "reference", "eur_rate",
                                  "verification"), rows, sheet="payments")

    def record_payments(self, path: str | Path) -> PaymentReport:
        """Enter a payment run (CSV or XLSX; columns application, amount, released_on,
        method, items, supplier, receipt, reference, eur_rate): one tranche per row, at most
        one per grant. Each row is checked as :meth:`disburse` checks it (amount by default
        the plan's next part, never beyond the grant, four eyes, a ``verified`` part only
        after a verified visit or an override). All rows or none."""
        self.ctx.require("grants.disburse")
        path = Path(path)
        rows = read_sheet(path, SHEET_COLUMNS, SHEET_REQUIRED, ignored=SHEET_INFO)
        with self.ctx.transaction() as tx:
            return _PaymentRun(tx, path.name).record(rows)


def _verification_text(v: Verification | None) -> str | None:
    if v is None:
        return None
    if v.overridden:
        return _("override by {by}: {reason}").format(by=v.overridden_by, reason=v.override_reason)
    return _("{reference}, visit of {on} by {mentor}").format(
        reference=v.reference, on=v.visited_on.isoformat() if v.visited_on else "?", mentor=v.mentor or "?")


class _PaymentRun:
    def __init__(self, tx, file: str):
        self.tx, self.file = tx, file

    def record(self, rows) -> PaymentReport:
        tx = self.tx
        conn = tx.conn
        codes = sorted({store.normal(r["application"]) for _n, r in rows if r.get("application")})
        # every round the sheet touches is locked first (the round lock, see store)
        round_ids = sorted(set(conn.execute(sa.select(A.c.round_id).where(
            A.c.code.in_(sa.bindparam("codes", expanding=True))), {"codes": codes}).scalars())) if codes else []
        for round_id in round_ids:
            store.round_row(conn, round_id=round_id, lock=True)
        payable = {row.code: row for row in conn.execute(_PAYABLE_BY_CODES, {"codes": codes})} if codes else {}
        known = set(conn.execute(sa.select(A.c.code, A.c.status).where(
            A.c.code.in_(sa.bindparam("codes", expanding=True))), {"codes": codes}).all()) if codes else set()
        status_of = dict(known)
        approvals = {}
        ids = [row.id for row in payable.values()]
        for start in range(0, len(ids), 500):
            for d in conn.execute(_APPROVALS, {"ids": ids[start:start + 500]}):
                approvals[d.application_id] = d
        overrides = _overrides(conn, payable.values())
        apps = {}
        for start in range(0, len(ids), 500):
            apps.update((a.code, a) for a in store.find_applications(conn, A.c.id.in_(ids[start:start + 500])))
        plans: dict = {}
        problems, checked, seen = [], [], {}
        for n, data in rows:
            try:
                item = self._check(n, data, payable, status_of, approvals, overrides, apps, plans, seen)
            except InvalidInput as exc:
                problems.append(_("row {n}: {problem}").format(n=n, problem=exc.message))
                continue
            checked.append(item)
        if problems:
            raise RowErrors(_("{file}: {bad} of {rows} rows are invalid; no tranche was recorded").format(
                file=self.file, bad=len(problems), rows=len(rows)), problems)
        actor = store.actor_id(tx)
        tranche_rows, statuses, events, completed = [], [], [], []
        for row, tranche, override_id, paid in checked:
            v = tranche.verification
            visit = v is not None and not v.overridden
            tranche_rows.append({
                "application_id": row.id, "number": tranche.number, "amount": tranche.amount,
                "released_on": tranche.released_on, "method": tranche.method.value, "items": tranche.items,
                "supplier": tranche.supplier, "receipt": tranche.receipt, "reference": tranche.reference,
                "eur_rate": tranche.eur_rate, "amount_eur": tranche.amount_eur, "recorded_by": actor,
                "override_id": override_id, "verification_reference": v.reference if visit else None,
                "verified_on": v.visited_on if visit else None, "verified_by": v.mentor if visit else None,
                "verification_note": v.note if visit else None})
            status = S.COMPLETED if paid == row.amount_granted else S.DISBURSING
            if status is S.COMPLETED:
                completed.append(row.code)
            statuses.append({"b_id": row.id, "b_status": status.value,
                             "b_closed_on": tx.today if status is S.COMPLETED else None})
            events.append({"application_id": row.id, "at": tx.now, "happened_on": tx.today, "actor_id": actor,
                           "kind": status.value, "note": _("tranche {n}: {amount} ({method})").format(
                               n=tranche.number, amount=money_text(tranche.amount, tranche.currency),
                               method=tranche.method.value)})
        conn.execute(t.tranche.insert(), tranche_rows)
        conn.execute(_SET_STATUS, statuses)
        conn.execute(t.event.insert(), events)
        records = {tranche.application: tranche for _row, tranche, _o, _p in checked}
        tx.audit_batch("grants.tranche", "grant_application", records, file=self.file)
        after, done = {}, [row.id for row, _t, _o, _p in checked]
        for start in range(0, len(done), 500):
            after.update((a.code, a) for a in store.find_applications(conn, A.c.id.in_(done[start:start + 500])))
        for row, tranche, _o, _p in checked:
            tx.emit("tranche_released", application=after[row.code], tranche=tranche)
        return PaymentReport(self.file, tuple(tr for _r, tr, _o, _p in checked), tuple(completed))

    def _check(self, n, data, payable, status_of, approvals, overrides, apps, plans, seen):
        tx = self.tx
        code = data.get("application")
        if not code:
            raise InvalidInput(_("application is missing"))
        code = store.normal(code)
        if code in seen:
            raise InvalidInput(_("application: {code} is already on row {m}; one tranche per grant in a payment "
                                 "run").format(code=code, m=seen[code]))
        seen[code] = n
        row = payable.get(code)
        if row is None:
            if code not in status_of:
                raise InvalidInput(_("application: {code} does not exist").format(code=code))
            raise InvalidInput(_("application: {code} is {status}; tranches are released only for an approved "
                                 "grant that is not yet fully paid").format(code=code, status=status_of[code]))
        if row.participant_status == "exited":
            raise InvalidInput(_("application: {why}").format(why=held_because(row)))
        approval = approvals[row.id]
        if approval.code == tx.actor.code:
            raise InvalidInput(_("application: four eyes: {code} recorded the approval of {app}, so someone else "
                                 "records its tranches").format(code=tx.actor.code, app=code))
        day = data.get("released_on")
        try:
            day = parse_date(day) if day else tx.today
        except InvalidInput as exc:
            raise InvalidInput(f"released_on: {exc.message}") from None
        if day > tx.today:
            raise InvalidInput(_("released_on: {d} is in the future").format(d=day.isoformat()))
        if day < approval.decided_on:
            raise InvalidInput(_("released_on: {d} is before the grant was approved ({a})").format(
                d=day.isoformat(), a=approval.decided_on.isoformat()))
        steps = _plan(row.tranche_plan, plans)
        disbursed = _money(row.disbursed)
        amount = data.get("amount") or next_planned_amount(steps, row.amount_granted, disbursed)
        tranche = Tranche(code, row.count + 1, amount, day, data.get("method") or "cash", row.currency,
                          data.get("items"), data.get("supplier"), data.get("receipt"), data.get("reference"),
                          data.get("eur_rate"), tx.actor.code)
        if disbursed + tranche.amount > row.amount_granted:
            raise InvalidInput(_("amount: a tranche of {amount} would bring {app} to {total}, beyond the {granted} "
                                 "granted ({left} left)").format(
                amount=money_text(tranche.amount), app=code, total=money_text(disbursed + tranche.amount),
                granted=money_text(row.amount_granted, row.currency),
                left=money_text(row.amount_granted - disbursed, row.currency)))
        override_id = None
        parts = gated_steps(steps, row.amount_granted, disbursed, tranche.amount)
        if parts:
            since = row.last_released or approval.decided_on
            verification = _evidence(tx, apps[code], tranche, since)
            if verification is None and row.override_id is not None:
                verification, override_id = overrides[row.override_id], row.override_id
            if verification is None:
                raise InvalidInput(_("application: tranche {n} of {app} draws on part {parts} of the plan ({plan}) "
                                     "and needs a verified visit on or after {since}; none is on file").format(
                    n=tranche.number, app=code, parts=", ".join(str(p) for p in parts), plan=describe_plan(steps),
                    since=since.isoformat()))
            tranche = attrs.evolve(tranche, verification=verification)
        return row, tranche, override_id, disbursed + tranche.amount


__all__ = ["DueTranche", "PaymentReport", "PaymentsMixin", "SHEET_COLUMNS"]
