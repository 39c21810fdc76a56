"""Paying out: tranches (four-eyes, never beyond the grant, verified where the plan says),
admin overrides of a missing verification, cancellations and reductions."""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from reentry_core.sdk import _, Conflict, InvalidInput, parse_date, parse_money, PermissionDenied
from reentry_core.sdk import date_text

from . import store
from .applications import check_move, read_application
from .domain import (
    FUNDED_STATUSES, Application, ApplicationStatus, GrantRound, Override, Tranche, TrancheStatus, Verification,
    describe_plan, gated_steps, money_text, next_planned_amount,
)
from .hookspecs import VisitEvidence
from .payments import awaits_confirmation, needs_visit

S = ApplicationStatus
PAYABLE = frozenset({S.APPROVED, S.DISBURSING})


def _payable(app: Application, what: str) -> None:
    if app.status not in PAYABLE:
        raise Conflict(_("application {code} is {status}; {what} only for an approved grant that is not yet fully "
                         "paid").format(code=app.code, status=app.status.label, what=what))


class TranchesMixin:
    """``ctx.grants``: tranches, overrides, cancellations and reductions."""

    ctx: object

    def disburse(self, code: str, *, amount=None, on: date | str | None = None, method: str = "cash",
                 items: str | None = None, supplier: str | None = None, receipt: str | None = None,
                 reference: str | None = None, eur_rate=None, tjs_rate=None) -> Tranche:
        """Record a tranche (finance): by default the plan's next part. Never beyond the
        amount granted; never by whoever recorded the approval; a part the plan marks
        ``verified`` needs a verified visit since the previous release (asked through
        ``tranche_verification``) or an admin's override."""
        with self.ctx.transaction() as tx:
            tx.require("grants.disburse")
            # scope: an approved grant not fully paid is one finance pays (its reach), which
            # _payable checks first, with the clearer refusal
            _round_id, app_id, rnd, app = store.locked_application(tx.conn, code, scoped=False)
            _payable(app, _("tranches are released"))
            person = store.participant(tx.conn, app.participant)[0]
            if person.status.value == "exited":
                raise Conflict(_("{app} is held: {code} left the programme on {on} ({reason}); readmitting them "
                                 "releases it").format(app=app.code, code=person.code, on=person.exited_on,
                                                       reason=person.exit_reason.label if person.exit_reason else "?"))
            approval = store.approval(tx.conn, app_id, app.code)
            if approval.decided_by == tx.actor.code:
                raise PermissionDenied(_("four eyes: {code} recorded the approval of {app}, so someone else records "
                                         "its tranches").format(code=tx.actor.code, app=app.code))
            day = parse_date(on) if on not in (None, "") else tx.today
            if day > tx.today:
                raise InvalidInput(_("released_on {d} is in the future").format(d=date_text(day)))
            if day < approval.decided_on:
                raise InvalidInput(_("released_on {d} is before the grant was approved ({a})").format(
                    d=date_text(day), a=date_text(approval.decided_on)))
            earlier = store.tranches(tx.conn, app_id, app.code, app.currency)
            waiting = [tr.number for tr in earlier if tr.status is TrancheStatus.PENDING]
            if waiting:
                raise Conflict(awaits_confirmation(app.code, waiting[0]))
            if amount in (None, ""):
                amount = next_planned_amount(rnd.tranche_plan, app.amount_granted, app.disbursed)
            tranche = Tranche(app.code, len(earlier) + 1, amount, day, method, app.currency, items, supplier, receipt,
                              reference, eur_rate, tx.actor.code, tjs_rate=tjs_rate)
            if app.disbursed + tranche.amount > app.amount_granted:
                raise Conflict(_("a tranche of {amount} would bring {app} to {total}, beyond the {granted} granted "
                                 "({left} left)").format(
                    amount=money_text(tranche.amount), app=app.code, total=money_text(app.disbursed + tranche.amount),
                    granted=money_text(app.amount_granted, app.currency),
                    left=money_text(app.undisbursed, app.currency)))
            paid = [tr for tr in earlier if tr.status is not TrancheStatus.REVERSED]
            since = paid[-1].released_on if paid else approval.decided_on
            verification, override_id = self._verification(tx, app_id, rnd, app, tranche, since)
            checked = not rnd.four_eyes  # without four eyes the recorder's word confirms it
            tranche = attrs.evolve(tranche, verification=verification, **(
                {"confirmed_by": tx.actor.code, "confirmed_on": tx.today} if checked
                else {"status": TrancheStatus.PENDING}))
            actor = store.actor_id(tx)
            store.insert_tranche_rows(tx.conn, [store.tranche_values(app_id, tranche, actor, override_id)])
            status = S.COMPLETED if checked and app.disbursed + tranche.amount == app.amount_granted else S.DISBURSING
            check_move(app, status, status.value)
            store.set_status(tx, app_id, status, _("tranche {n}: {amount} ({method})").format(
                n=tranche.number, amount=money_text(tranche.amount, app.currency), method=tranche.method.label),
                **({"closed_on": tx.today} if status is S.COMPLETED else {}))
            tx.audit("grants.tranche", "grant_application", app.code, after=tranche)
            tx.emit("tranche_released", application=store.load_application(tx.conn, app.code)[1], tranche=tranche)
        return tranche

    @staticmethod
    def _verification(tx, app_id: int, rnd: GrantRound, app: Application, tranche: Tranche,
                      since: date) -> tuple[Verification | None, int | None]:
        """What lets a tranche of a ``verified`` part go out: the verifier's evidence of a
        visit on or after ``since``, else an unused admin override; otherwise refused."""
        parts = gated_steps(rnd.tranche_plan, app.amount_granted, app.disbursed, tranche.amount)
        if not parts:
            return None, None
        evidence: VisitEvidence | None = tx.ask("tranche_verification", application=app, tranche=tranche,
                                                since=since)
        latest = tranche.released_on - timedelta(days=rnd.visit_wait_days)  # the round's wait after the visit
        if evidence is not None and since <= evidence.visited_on <= latest:
            return Verification(evidence.reference, evidence.visited_on, evidence.mentor, evidence.note), None
        unused = [(oid, o) for oid, o in store.overrides(tx.conn, app_id, app.code) if o.used_by_tranche is None]
        if unused:
            oid, o = unused[0]
            return Verification(override_reason=o.reason, overridden_by=o.granted_by), oid
        nobody = not tx.heard("tranche_verification")
        raise Conflict(_("tranche {n} of {app} draws on part {parts} of the plan ({plan}) and {needs}; {why}. An "
                         "admin may override: reentry grants override {app} --reason TEXT").format(
            n=tranche.number, app=app.code, parts=", ".join(str(p) for p in parts),
            plan=describe_plan(rnd.tranche_plan), needs=needs_visit(since, rnd.visit_wait_days),
            why=_("no loaded plugin can verify visits") if nobody else _("none is on file")))

    def override_verification(self, code: str, reason: str) -> Override:
        """An admin lets the next tranche that needs a verified visit go out without one;
        the reason is kept with that tranche."""
        with self.ctx.transaction() as tx:
            tx.require("grants.override_verification")
            _round_id, app_id, _rnd, app = store.locked_application(tx.conn, code)
            _payable(app, _("a verification is overridden"))
            override = Override(app.code, reason, tx.actor.code, tx.today)
            if any(o.used_by_tranche is None for _id, o in store.overrides(tx.conn, app_id, app.code)):
                raise Conflict(_("{app} already has an override waiting for its next verified tranche").format(
                    app=app.code))
            store.insert_override(tx.conn, app_id, override.reason, store.actor_id(tx), tx.today)
            store.add_event(tx, app_id, "override", override.reason)
            tx.audit("grants.override", "grant_application", app.code, after=override)
        return override

    def tranches(self, code: str) -> list[Tranche]:
        return read_application(self.ctx, code,
                                lambda conn, app_id, app: store.tranches(conn, app_id, app.code, app.currency))

    # --- maker-checker ----------------------------------------------------------------------------

    def confirm_tranche(self, code: str, number: int) -> Tranche:
        """A second person confirms a pending tranche: only then does its money count (the
        budget, the indicators, a completed grant) and may the grant's next tranche go out.
        Not its recorder; not anyone who took part in deciding the grant (see the package's
        rules)."""
        with self.ctx.transaction() as tx:
            tx.require("grants.confirm")
            _round_id, app_id, _rnd, app = store.locked_application(tx.conn, code, scoped=False)
            row = store.tranche_row(tx.conn, app_id, app.code, int(number))
            if row.status != TrancheStatus.PENDING.value:
                raise Conflict(_("tranche {n} of {app} is {status}; only a pending tranche is confirmed").format(
                    n=row.number, app=app.code, status=row.status))
            _second_person(tx, app_id, app, row, _("confirms it"))
            store.confirm_tranche_row(tx.conn, row.id, store.actor_id(tx), tx.today)
            note = _("tranche {n} confirmed: {amount}").format(n=row.number, amount=money_text(row.amount,
                                                                                               app.currency))
            if app.status in PAYABLE and app.confirmed + row.amount == app.amount_granted:
                check_move(app, S.COMPLETED, S.COMPLETED.value)
                store.set_status(tx, app_id, S.COMPLETED, note, closed_on=tx.today)
            else:
                store.add_event(tx, app_id, "confirmed", note)
            tranche = _stored(tx.conn, app_id, app, row.number)
            tx.audit("grants.tranche.confirm", "grant_application", app.code, after=tranche)
        return tranche

    def reverse_tranche(self, code: str, number: int, reason: str) -> Tranche:
        """Take a wrong tranche back by an audited counter-entry: the tranche stays, marked
        reversed, and its money no longer counts; the grant may be paid that part again, as a
        new tranche (a number is never used twice). Not by its recorder, nor by anyone who
        took part in deciding the grant."""
        reason = _required_reason(reason)
        with self.ctx.transaction() as tx:
            tx.require("grants.confirm")
            _round_id, app_id, _rnd, app = store.locked_application(tx.conn, code, scoped=False)
            row = store.tranche_row(tx.conn, app_id, app.code, int(number))
            if row.status == TrancheStatus.REVERSED.value:
                raise Conflict(_("tranche {n} of {app} is already reversed").format(n=row.number, app=app.code))
            if app.status is S.COMPLETED:
                # completed is final: its last tranche was confirmed by a second person
                raise Conflict(_("{app} is completed: its tranches were confirmed in full and stand; a tranche is "
                                 "reversed while the grant is being paid").format(app=app.code))
            _second_person(tx, app_id, app, row, _("reverses it"))
            before = _stored(tx.conn, app_id, app, row.number)
            store.reverse_tranche_row(tx.conn, row.id, row.amount, reason, store.actor_id(tx), tx.today)
            note = _("tranche {n} ({amount}, {status}) reversed: {reason}").format(
                n=row.number, amount=money_text(row.amount, app.currency), status=row.status, reason=reason)
            store.add_event(tx, app_id, "reversed", note)
            tranche = _stored(tx.conn, app_id, app, row.number)
            tx.audit("grants.tranche.reverse", "grant_application", app.code, before=before, after=tranche)
        return tranche

    def pending_tranches(self, round: str | None = None, *, limit: int | None = None) -> list[Tranche]:
        """The tranches waiting for a second person's confirmation (of one round, or all; the
        first ``limit``, when given)."""
        self.ctx.require("grants.view")
        with self.ctx.reading() as conn:
            if round:
                store.round_row(conn, round)  # NotFound for an unknown round
            return store.pending_tranches(conn, store.normal(round) if round else None, limit)

    def pending_count(self) -> int:
        """How many tranches wait for a second person's confirmation (all rounds)."""
        self.ctx.require("grants.view")
        with self.ctx.reading() as conn:
            return store.pending_count(conn)

    # --- giving money back to the budget ------------------------------------------------------

    def cancel(self, code: str, reason: str) -> Application:
        """Cancel an approved grant: what is not yet paid out returns to the round's budget."""
        reason = _required_reason(reason)
        with self.ctx.transaction() as tx:
            tx.require("grants.cancel")
            _round_id, app_id, _rnd, before = store.locked_application(tx.conn, code)
            if before.status not in FUNDED_STATUSES:
                hint = _("; withdraw it instead") if before.can_move_to(S.WITHDRAWN) else ""
                raise Conflict(_("application {code} is {status}; only an approved grant is cancelled{hint}").format(
                    code=before.code, status=before.status.label, hint=hint))
            check_move(before, S.CANCELLED, _("cancelled"))
            note = _("{amount} returned to the budget: {reason}").format(
                amount=money_text(before.undisbursed, before.currency), reason=reason)
            store.set_status(tx, app_id, S.CANCELLED, note, amount_granted=before.disbursed, closed_on=tx.today,
                             close_reason=reason)
            after = attrs.evolve(before, status=S.CANCELLED, amount_granted=before.disbursed, closed_on=tx.today,
                                 close_reason=reason)
            tx.audit("grants.cancel", "grant_application", before.code, before=before, after=after)
        return after

    def reduce(self, code: str, to, reason: str) -> Application:
        """Lower an approved grant to ``to`` (not below what was paid out); the difference
        returns to the round's budget. Reduced to what was paid, the grant is completed."""
        reason = _required_reason(reason)
        try:
            new = parse_money(to)
        except InvalidInput as exc:
            raise InvalidInput(f"to: {exc.message}") from None
        with self.ctx.transaction() as tx:
            tx.require("grants.cancel")
            _round_id, app_id, _rnd, before = store.locked_application(tx.conn, code)
            _payable(before, _("a grant is reduced"))
            if new >= before.amount_granted:
                raise InvalidInput(_("{amount} is not below the {granted} granted to {app}").format(
                    amount=money_text(new), granted=money_text(before.amount_granted, before.currency),
                    app=before.code))
            if new < before.disbursed:
                raise InvalidInput(_("{app} cannot be reduced to {amount}: {paid} is already paid out").format(
                    app=before.code, amount=money_text(new), paid=money_text(before.disbursed, before.currency)))
            status = S.COMPLETED if new == before.disbursed else before.status
            note = _("reduced from {old} to {new}, {back} returned to the budget: {reason}").format(
                old=money_text(before.amount_granted), new=money_text(new, before.currency),
                back=money_text(before.amount_granted - new, before.currency), reason=reason)
            store.set_granted(tx.conn, app_id, new, tx.today if status is S.COMPLETED else None)
            store.add_event(tx, app_id, "reduced", note)
            if status is not before.status:
                store.set_status(tx, app_id, status)
            after = attrs.evolve(before, amount_granted=new, status=status)
            tx.audit("grants.reduce", "grant_application", before.code, before=before, after=after)
        return after


def released_on_visit(conn, visit) -> list[str]:
    """The tranches (not reversed) a mentoring visit verified, one line each: matched on the
    participant, the mentor and the day the tranche's verification names."""
    return [_("tranche {n} of {app}, released on {on}").format(n=number, app=app, on=date_text(released))
            for app, number, released in store.tranches_verified_by(conn, visit.participant, visit.mentor,
                                                                    visit.visited_on)]


def _stored(conn, app_id: int, app: Application, number: int) -> Tranche:
    return next(tr for tr in store.tranches(conn, app_id, app.code, app.currency) if tr.number == number)


def _second_person(tx, app_id: int, app: Application, row, does: str) -> None:
    """Maker-checker: whoever confirms or reverses a tranche is neither its recorder nor
    anyone who took part in deciding the grant (decision, votes, conflicts, tally sheet)."""
    me = tx.actor.code
    if row.recorder == me:
        raise PermissionDenied(_("four eyes: {code} recorded tranche {n} of {app}, so someone else {does}").format(
            code=me, n=row.number, app=app.code, does=does))
    if me in store.took_part(tx.conn, app_id, app.code):
        raise PermissionDenied(_("four eyes: {code} took part in deciding {app} (its decision, votes or tally "
                                 "sheet), so someone else {does}").format(code=me, app=app.code, does=does))


def _required_reason(reason: str | None) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise InvalidInput(_("reason: say why"))
    return text


__all__ = ["TranchesMixin"]
