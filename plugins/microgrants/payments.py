"""Finance's worklist and payment runs.

The worklist (:meth:`PaymentsMixin.due_tranches`) holds the next tranche of every approved
grant not yet fully paid, and whether it can go out now: a part the round's plan releases
on signing always can; a part marked ``verified`` can once a mentor's visit since the last
release verified the business (asked through ``tranche_verification``, only for those
grants) or an admin's override waits for it. It is read in a few queries whatever its
length.

A payment run (:meth:`PaymentsMixin.record_payments`) is the sheet finance fills in from
the worklist (CSV or XLSX, one row per tranche), entered through the core's
``SheetImport``: every row is checked as ``disburse`` checks it, every bad row is named,
only a sheet without a bad row is recorded, in one transaction, audited per batch, and a
run entered twice changes nothing the second time. A grant whose last tranche waits for
its second person's confirmation waits on the worklist.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import attrs

from reentry_core.sdk import (
    _, Column, InvalidInput, open_sheet, record_access, RowProblem, SheetImport, sheet_parsers, UNCHANGED,
    write_sheet,
)

from . import store
from .domain import (
    ApplicationStatus, Tranche, TrancheMethod, TrancheStatus, Verification, column_problem, describe_plan,
    gated_steps, money_text, next_planned_amount, parse_tranche_plan,
)
from .hookspecs import VisitEvidence
from reentry_core.sdk import redact
from reentry_core.sdk import date_text

S = ApplicationStatus

SHEET_COLUMNS = ("application", "tranche", "amount", "released_on", "method", "items", "supplier", "receipt",
                 "reference", "eur_rate", "tjs_rate")
#: Columns the worklist's sheet adds for the people filling it in; the import skips them.
SHEET_INFO = ("participant", "name", "currency", "verification")


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
class AskedGrant:
    """A grant on the worklist as a verifier reads it (the ``ApprovedGrant`` of
    ``tranche_verification``), made from the worklist's own row: no second load of every
    waiting grant with its budget lines."""

    code: str
    participant: str
    round: str
    amount_approved: Decimal | None
    currency: str
    decided_on: date | None
    plan: str | None
    sector: str | None

    @classmethod
    def of(cls, row) -> "AskedGrant":
        return cls(row.code, row.participant, row.round_code, row.amount_approved, row.currency, row.decided_on,
                   row.plan_code, row.plan_sector)


@attrs.frozen
class PaymentReport:
    """What a payment run recorded."""

    file: str
    tranches: tuple[Tranche, ...]
    completed: tuple[str, ...]
    #: rows naming a tranche already recorded as they say (nothing changed), rows nobody filled in
    unchanged: int = 0
    skipped: int = 0

    @property
    def total(self) -> Decimal:
        return sum((tr.amount for tr in self.tranches), Decimal("0.00"))


def held_because(row) -> str:
    """Why the grant of someone who left the programme pays nothing more (until readmitted)."""
    return _("held: {code} left the programme on {on} ({reason}); readmitting them releases it").format(
        code=row.participant, on=date_text(row.exited_on) if row.exited_on else "?",
        reason=row.exit_reason or "?")


def _money(value) -> Decimal:
    return store._money(value)


def _plan(text: str, cache: dict):
    if text not in cache:
        cache[text] = parse_tranche_plan(text)
    return cache[text]


def _overrides(conn, rows) -> dict[int, Verification]:
    return store.overrides_by_id(conn, [row.override_id for row in rows if row.override_id is not None])


def _evidence(tx, app, tranche: Tranche, since: date, wait: int = 0) -> Verification | None:
    """The verifier's evidence of a visit between ``since`` and the tranche's release, at
    least ``wait`` days (the round's rule) before the release; or ``None``."""
    evidence: VisitEvidence | None = tx.ask("tranche_verification", application=app, tranche=tranche, since=since)
    return _accepted(evidence, tranche, since, wait)


def _accepted(evidence: VisitEvidence | None, tranche: Tranche, since: date, wait: int) -> Verification | None:
    if evidence is None or not since <= evidence.visited_on <= tranche.released_on - timedelta(days=wait):
        return None
    return Verification(evidence.reference, evidence.visited_on, evidence.mentor, evidence.note)


def _answers(tx, asked: list[tuple]) -> list[VisitEvidence | None]:
    """What the verifier says of each ``(application, tranche, since)``: in one batch question
    (``tranche_verifications``) when the one plugin that answers ``tranche_verification``
    answers it too, else one ``tranche_verification`` per tranche (several answerers: the
    first answer of each question counts, as ever)."""
    single = tx.answering("tranche_verification")
    if len(single) == 1 and tx.answering("tranche_verifications") == single:
        answers = tx.ask("tranche_verifications", asked=asked)
        if answers is not None and len(answers) == len(asked):
            return list(answers)
    return [tx.ask("tranche_verification", application=app, tranche=tranche, since=since)
            for app, tranche, since in asked]


def needs_visit(since: date, wait: int) -> str:
    """What a verified part waits for, in words."""
    if wait:
        return _("needs a verified visit on or after {since}, {n} days before the release at the latest").format(
            since=date_text(since), n=wait)
    return _("needs a verified visit on or after {since}").format(since=date_text(since))


def awaits_confirmation(app: str, number: int) -> str:
    """Why a grant's next tranche waits: its last one is not confirmed yet."""
    return _("tranche {n} of {app} waits for a second person's confirmation (reentry grants confirm {app} "
             "--tranche {n}); the next tranche goes out after it").format(n=number, app=app)


def _due(tx, rows, on: date) -> list[DueTranche]:
    """The next tranche of each payable grant in ``rows``, asking for a visit only where
    the plan needs one and no override waits."""
    plans: dict = {}
    overrides = _overrides(tx.conn, rows)
    # the name is hidden from the actor for every row or for none: asked once, not per row
    hidden = redact(tx.conn, {"name": ""}, name="full_name")["name"] is None
    found, ask = [], []
    for row in rows:
        steps = _plan(row.tranche_plan, plans)
        granted, disbursed = row.amount_granted, _money(row.disbursed)
        amount = next_planned_amount(steps, granted, disbursed)
        if amount <= 0:
            continue
        since = row.last_released or row.approved_on
        gated = gated_steps(steps, granted, disbursed, amount)
        ready, verification, waiting = not gated, None, None  # made once, with what is known now
        if row.participant_status == "exited":
            ready, waiting = False, held_because(row)
        elif row.pending is not None:
            ready, waiting = False, awaits_confirmation(row.code, row.pending)
        elif gated and row.override_id is not None:
            ready, verification = True, overrides[row.override_id]
        elif gated:
            ask.append((len(found), row, steps))
        found.append(DueTranche(row.code, row.participant, None if hidden else row.full_name, row.round_code,
                                row.count + 1, amount, row.currency, row.approved_on, since, bool(gated), ready,
                                verification, waiting))
    if ask and tx.heard("tranche_verification"):
        asked = [(AskedGrant.of(row), Tranche(found[i].application, found[i].number, found[i].amount, on,
                                          TrancheMethod.CASH, found[i].currency), found[i].since)
                 for i, row, _steps in ask]
        for (i, row, _steps), (_app, tranche, since), evidence in zip(ask, asked, _answers(tx, asked)):
            verification = _accepted(evidence, tranche, since, row.visit_wait_days)
            if verification is not None:
                found[i] = attrs.evolve(found[i], ready=True, verification=verification)
    for i, row, steps in ask:
        if not found[i].ready:
            found[i] = attrs.evolve(found[i], waiting=_("{needs} ({plan})").format(
                needs=needs_visit(found[i].since, row.visit_wait_days), plan=describe_plan(steps)))
    return found


class PaymentsMixin:
    """``ctx.grants``: finance's worklist and payment runs."""

    ctx: object

    def due_tranches(self, round: str | None = None, *, ready: bool = False,
                     application: str | None = None) -> list[DueTranche]:
        """The next tranche of every approved grant not yet fully paid (of one round, or all,
        or of one ``application``), by round and number, each ``ready`` or waiting (with
        why); ``ready=True``: only those finance can release today."""
        self.ctx.require("grants.view")
        # a question to other plugins needs a transaction; this one only reads
        with self.ctx.reading_transaction() as tx:
            if round:
                store.round_row(tx.conn, round)  # NotFound for an unknown round
            rows = store.payable(tx.conn, store.normal(round) if round else None,
                                 application=store.normal(application) if application else None)
            found = _due(tx, rows, tx.today)
        found = [d for d in found if d.ready] if ready else found
        record_access(self.ctx, "grants.tranches", [d.participant for d in found if d.name])
        return found

    def ready_tranches(self, round: str | None = None) -> list[DueTranche]:
        """The tranches finance can release today (see :meth:`due_tranches`)."""
        return self.due_tranches(round, ready=True)

    def write_payment_sheet(self, path: str | Path, round: str | None = None) -> int:
        """Write the tranches ready today as a payment sheet (CSV or XLSX) to complete (method,
        references) and enter with :meth:`record_payments`. Returns the number of rows."""
        ready = self.ready_tranches(round)
        rows = [(d.application, d.participant, d.name, d.number, d.amount, d.currency, None, None, None, None, None,
                 None, None, None, _verification_text(d.verification)) for d in ready]
        return write_sheet(path, ("application", "participant", "name", "tranche", "amount", "currency",
                                  "released_on", "method", "items", "supplier", "receipt", "reference", "eur_rate",
                                  "tjs_rate", "verification"), rows, sheet="payments")

    def record_payments(self, path: str | Path) -> PaymentReport:
        """Enter a payment run (CSV or XLSX; columns application, tranche, amount,
        released_on, method, items, supplier, receipt, reference, eur_rate, tjs_rate): one tranche per
        row, at most one new one per grant. Each row is checked as :meth:`disburse` checks it
        (amount by default the plan's next part, never beyond the grant, four eyes, a
        ``verified`` part only after a verified visit or an override). All rows or none. A
        row naming a tranche already recorded as it says is unchanged (a run entered twice
        releases nothing: ``PaymentReport.unchanged``); a pre-printed row nobody filled in is
        skipped (``skipped``). The tranches recorded are pending until a second person
        confirms them, when the round asks for four eyes."""
        self.ctx.require("grants.disburse")
        with open_sheet(path) as sheet:
            fields = _PaymentRun.fields(sheet)
            with self.ctx.transaction() as tx:
                tx.require("grants.disburse")
                run = _PaymentRun(tx, sheet.name)
                result = run.run(sheet, fields=fields)
        return PaymentReport(result.file, tuple(run.released), tuple(run.completed), result.unchanged,
                             result.skipped)


def _verification_text(v: Verification | None) -> str | None:
    if v is None:
        return None
    if v.overridden:
        return _("override by {by}: {reason}").format(by=v.overridden_by, reason=v.override_reason)
    return _("{reference}, visit of {on} by {mentor}").format(
        reference=v.reference, on=date_text(v.visited_on) if v.visited_on else "?", mentor=v.mentor or "?")


class _PaymentRun(SheetImport):
    """A payment run, checked and recorded in one transaction: each row as ``disburse``
    checks it, at most one new tranche per grant.

    A row's identity is its grant, tranche number and reference. A row naming a tranche
    already recorded (by its ``tranche`` number, or else by its ``reference``) with the same
    details is unchanged, so a run entered twice releases nothing the second time; with
    other details it is refused: money is never overwritten. A row of a pre-printed sheet
    where nothing was filled in (no ``released_on``, ``method``, ``reference`` …) was not
    paid and is skipped; a hand-made sheet with none of those columns pays every row."""

    columns = (
        Column("application", sheet_parsers.code, required=True, aliases=("заявка", "ариза")),
        Column("tranche", sheet_parsers.integer, aliases=("транш",)),
        Column("amount", sheet_parsers.money, aliases=("сумма", "маблағ")),
        Column("released_on", sheet_parsers.a_date, aliases=("дата", "сана")),
        Column("method", aliases=("способ", "усул")),
        Column("items"), Column("supplier"), Column("receipt"), Column("reference"), Column("eur_rate"),
        Column("tjs_rate"),
        *(Column(name, info=True) for name in SHEET_INFO),
    )
    action, entity = "grants.tranche", "grant_application"
    filled_by = ("released_on", "method", "items", "supplier", "receipt", "reference", "eur_rate", "tjs_rate")
    nothing_done = _("no tranche was recorded")

    def __init__(self, tx, name: str):
        super().__init__(tx, name)
        self.released: list[Tranche] = []
        self.completed: list[str] = []
        self._plans: dict = {}
        self._new: dict[str, int] = {}

    def run(self, sheet, progress=None, fields=None):
        if fields is None:
            fields = self.fields(sheet)
        if not set(self.filled_by) & set(fields):
            self.filled_by = ()  # a hand-made list of grants to pay: every row is a payment
        return super().run(sheet, progress, fields)

    def prepare(self, rows) -> None:
        conn = self.tx.conn
        codes = sorted({r["application"] for r in rows})
        store.lock_rounds_of(conn, codes)  # every round the sheet touches is locked first
        self.payable = {row.code: row for row in store.payable(conn, codes=codes)}
        self.status_of = store.statuses(conn, codes)
        self.recorded, self.by_reference = {}, {}
        for tr in store.recorded_tranches(conn, codes):
            self.recorded[(tr.code, tr.number)] = tr
            if tr.reference:
                self.by_reference.setdefault((tr.code, tr.reference), tr)
        ids = [row.id for row in self.payable.values()]
        self.approvals = store.approvals(conn, ids)
        self.overrides = _overrides(conn, self.payable.values())
        self.apps = store.applications_by_ids(conn, ids)

    def identity(self, row):
        number, reference = row.get("tranche"), row.get("reference")
        return (row["application"], *([_("tranche {n}").format(n=number)] if number else []),
                *([reference] if reference else []))

    def check(self, row):
        code = row["application"]
        number, reference = row.get("tranche"), row.get("reference")
        earlier = self.recorded.get((code, number)) if number else (
            self.by_reference.get((code, " ".join(reference.split()))) if reference else None)
        if earlier is not None:
            return self._again(row, earlier)
        if code in self._new:
            raise RowProblem("application", _("{code} is already on row {m}; one tranche per grant in a payment "
                                              "run").format(code=code, m=self._new[code]))
        self._new[code] = row.n
        try:
            return self._tranche(row)
        except RowProblem:
            raise
        except InvalidInput as exc:
            raise column_problem(exc, SHEET_COLUMNS) from None

    def _again(self, row, earlier):
        """A row naming a tranche already recorded: unchanged if it says what the record says."""
        code = row["application"]
        if earlier.status == TrancheStatus.REVERSED.value:
            raise RowProblem("tranche" if row.get("tranche") else "reference", _(
                "tranche {n} of {app} was reversed; a payment made again is a new tranche: leave the tranche "
                "number out or give tranche {next}").format(n=earlier.number, app=code,
                                                           next=self._next_number(code)))
        recorded = {"amount": earlier.amount, "released_on": earlier.released_on, "method": earlier.method,
                    "items": earlier.items, "supplier": earlier.supplier, "receipt": earlier.receipt,
                    "reference": earlier.reference, "eur_rate": earlier.eur_rate, "tjs_rate": earlier.tjs_rate}
        try:
            given = attrs.asdict(Tranche(code, earlier.number, row.get("amount", earlier.amount),
                                         row.get("released_on", earlier.released_on),
                                         row.get("method", earlier.method), items=row.get("items", earlier.items),
                                         supplier=row.get("supplier", earlier.supplier),
                                         receipt=row.get("receipt", earlier.receipt),
                                         reference=row.get("reference", earlier.reference),
                                         eur_rate=row.get("eur_rate", earlier.eur_rate),
                                         currency=earlier.currency,
                                         tjs_rate=row.get("tjs_rate", earlier.tjs_rate)), recurse=False)
        except InvalidInput as exc:
            raise column_problem(exc, SHEET_COLUMNS) from None
        given["method"] = given["method"].value
        differ = [name for name in recorded if given[name] != recorded[name]]
        if not differ:
            return UNCHANGED
        raise RowProblem(differ[0], _(
            "tranche {n} of {app} is already recorded ({amount} on {on}, {method}); money is never overwritten: "
            "a wrong tranche is reversed, not entered again").format(
            n=earlier.number, app=code, amount=money_text(earlier.amount, earlier.currency),
            on=date_text(earlier.released_on), method=earlier.method))

    def _next_number(self, code: str) -> int:
        return 1 + max((number for (c, number) in self.recorded if c == code), default=0)

    def _tranche(self, row):
        tx = self.tx
        code = row["application"]
        payable = self.payable.get(code)
        if payable is None:
            if code not in self.status_of:
                raise RowProblem("application", _("{code} does not exist").format(code=code))
            raise RowProblem("application", _("{code} is {status}; tranches are released only for an approved grant "
                                              "that is not yet fully paid").format(code=code,
                                                                                   status=self.status_of[code]))
        if payable.participant_status == "exited":
            raise RowProblem("application", held_because(payable))
        number = payable.count + 1
        if row.get("tranche") not in (None, number):
            raise RowProblem("tranche", _("the next tranche of {app} is tranche {n}").format(app=code, n=number))
        if payable.pending is not None:
            raise RowProblem("application", awaits_confirmation(code, payable.pending))
        approval = self.approvals[payable.id]
        if approval.code == tx.actor.code:
            raise RowProblem("application", _("four eyes: {code} recorded the approval of {app}, so someone else "
                                              "records its tranches").format(code=tx.actor.code, app=code))
        day = row.get("released_on") or tx.today
        if day > tx.today:
            raise RowProblem("released_on", _("{d} is in the future").format(d=date_text(day)))
        if day < approval.decided_on:
            raise RowProblem("released_on", _("{d} is before the grant was approved ({a})").format(
                d=date_text(day), a=date_text(approval.decided_on)))
        steps = _plan(payable.tranche_plan, self._plans)
        disbursed = _money(payable.disbursed)
        amount = row.get("amount") or next_planned_amount(steps, payable.amount_granted, disbursed)
        tranche = Tranche(code, number, amount, day, row.get("method") or "cash", payable.currency,
                          row.get("items"), row.get("supplier"), row.get("receipt"), row.get("reference"),
                          row.get("eur_rate"), tx.actor.code, tjs_rate=row.get("tjs_rate"))
        if disbursed + tranche.amount > payable.amount_granted:
            raise RowProblem("amount", _("a tranche of {amount} would bring {app} to {total}, beyond the {granted} "
                                         "granted ({left} left)").format(
                amount=money_text(tranche.amount), app=code, total=money_text(disbursed + tranche.amount),
                granted=money_text(payable.amount_granted, payable.currency),
                left=money_text(payable.amount_granted - disbursed, payable.currency)))
        override_id = None
        parts = gated_steps(steps, payable.amount_granted, disbursed, tranche.amount)
        if parts:
            since = payable.last_released or approval.decided_on
            verification = _evidence(tx, self.apps[code], tranche, since, payable.visit_wait_days)
            if verification is None and payable.override_id is not None:
                verification, override_id = self.overrides[payable.override_id], payable.override_id
            if verification is None:
                raise RowProblem("application", _(
                    "tranche {n} of {app} draws on part {parts} of the plan ({plan}) and {needs}; none is on "
                    "file").format(n=tranche.number, app=code, parts=", ".join(str(p) for p in parts),
                                   plan=describe_plan(steps), needs=needs_visit(since, payable.visit_wait_days)))
            tranche = attrs.evolve(tranche, verification=verification)
        return payable, tranche, override_id, disbursed + tranche.amount

    def write(self, batch) -> dict:
        tx = self.tx
        conn = tx.conn
        actor = store.actor_id(tx)
        tranche_rows, statuses, events, written = [], [], [], []
        for row, tranche, override_id, paid in batch:
            checked = not row.four_eyes  # without four eyes the recorder's word confirms it
            tranche = attrs.evolve(tranche, **({"confirmed_by": tx.actor.code, "confirmed_on": tx.today} if checked
                                               else {"status": TrancheStatus.PENDING}))
            written.append((row, tranche))
            tranche_rows.append(store.tranche_values(row.id, tranche, actor, override_id))
            status = S.COMPLETED if checked and paid == row.amount_granted else S.DISBURSING
            if status is S.COMPLETED:
                self.completed.append(row.code)
            statuses.append({"b_id": row.id, "b_status": status.value,
                             "b_closed_on": tx.today if status is S.COMPLETED else None})
            events.append({"application_id": row.id, "at": tx.now, "happened_on": tx.today, "actor_id": actor,
                           "kind": status.value, "note": _("tranche {n}: {amount} ({method})").format(
                               n=tranche.number, amount=money_text(tranche.amount, tranche.currency),
                               method=tranche.method.label)})
        store.insert_tranche_rows(conn, tranche_rows, statuses, events)
        after = store.applications_by_ids(conn, [row.id for row, _tranche in written])
        for row, tranche in written:
            tx.emit("tranche_released", application=after[row.code], tranche=tranche)
            self.released.append(tranche)
        return {tranche.application: tranche for _row, tranche in written}


__all__ = ["DueTranche", "PaymentReport", "PaymentsMixin", "SHEET_COLUMNS"]
