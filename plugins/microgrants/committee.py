"""The committee at work: conflicts of interest, votes, and decisions within the budget."""

from __future__ import annotations

import attrs

from reentry_core.sdk import _, Conflict, InvalidInput, NotFound, param, PermissionDenied, required_reason, Role

from . import store
from .applications import read_application
from .domain import (
    IN_REVIEW, ApplicationStatus, ConflictOfInterest, Decision, Outcome, Vote, VoteChoice, explain, money_text, tally,
)

S = ApplicationStatus
OUTCOME_STATUS = {Outcome.APPROVED: S.APPROVED, Outcome.REJECTED: S.REJECTED, Outcome.DEFERRED: S.DEFERRED}


def _in_review(app, what: str) -> None:
    if app.status not in IN_REVIEW:
        raise Conflict(_("application {code} is {status}; {what} only while it is under review or deferred").format(
            code=app.code, status=app.status.label, what=what))


class CommitteeMixin:
    """``ctx.grants``: conflicts of interest, votes and decisions."""

    ctx: object

    def declare_conflict(self, code: str, kind: str, note: str, *, member: str | None = None) -> ConflictOfInterest:
        """A committee member declares a conflict of interest on an application (kind:
        relative, neighbour, business_partner, other; with a note). An admin records one
        for a member by naming ``member``. The member then neither votes nor counts
        towards the quorum on it."""
        with self.ctx.transaction() as tx:
            own = member is None or store.normal(member) == tx.actor.code
            tx.require("grants.declare_conflict" if own else "grants.record_conflict")
            _round_id, app_id, rnd, app = store.locked_application(tx.conn, code)
            staff = store.staff_row(tx.conn, tx.actor.code if own else member)
            conflict = ConflictOfInterest(app.code, staff.code, kind, note, tx.actor.code, tx.today)
            if conflict.note is None:
                raise InvalidInput(_("note: say what the conflict of interest is"))
            if staff.code not in rnd.committee:
                raise Conflict(_("{code} is not on the committee of round {round}").format(
                    code=staff.code, round=rnd.code))
            existing = store.conflict_of(tx.conn, app_id, staff.id)
            if existing is not None:
                raise Conflict(_("{code} has already declared a conflict of interest ({kind}) on {app}").format(
                    code=staff.code, kind=existing.kind, app=app.code))
            store.insert_tally(tx.conn, [{"application_id": app_id, "staff_id": staff.id, "kind": conflict.kind.value,
                                          "note": conflict.note, "recorded_by": store.actor_id(tx),
                                          "recorded_on": tx.today}], [], [])
            tx.audit("grants.conflict", "grant_application", app.code, after=conflict)
        return conflict

    def withdraw_conflict(self, code: str, reason: str, *, member: str | None = None) -> ConflictOfInterest:
        """Withdraw a conflict of interest declared by mistake, while the application is still
        under review (a decision already taken stands as it was reached). A member withdraws
        their own; an admin one of any member by naming ``member``. The member may then vote.
        The conflict as it was and ``reason`` go into the audit trail."""
        why = required_reason(reason, _("the conflict of interest is withdrawn"))
        with self.ctx.transaction() as tx:
            own = member is None or store.normal(member) == tx.actor.code
            tx.require("grants.declare_conflict" if own else "grants.record_conflict")
            _round_id, app_id, _rnd, app = store.locked_application(tx.conn, code)
            _in_review(app, _("a conflict of interest is withdrawn"))
            staff = store.staff_row(tx.conn, tx.actor.code if own else member)
            found = [c for c in store.conflicts(tx.conn, app_id, app.code) if c.member == staff.code]
            if not found:
                raise NotFound(_("{code} has declared no conflict of interest on {app}").format(
                    code=staff.code, app=app.code))
            store.delete_conflict(tx.conn, app_id, staff.id)
            tx.audit_correction("grants.conflict.withdraw", "grant_application", app.code, before=found[0],
                                after={"member": staff.code, "withdrawn": True}, reason=why)
        return found[0]

    def conflicts(self, code: str) -> list[ConflictOfInterest]:
        return read_application(self.ctx, code, lambda conn, app_id, app: store.conflicts(conn, app_id, app.code))

    def vote(self, code: str, choice: str, *, amount=None, reason: str | None = None, note: str | None = None,
             change: bool = False) -> Vote:
        """Vote as a member of the round's committee: approve (with an amount, by default the
        amount requested, at most that), reject (with a reason and a note) or abstain.
        One vote per member; ``change=True`` replaces one's vote (audited)."""
        with self.ctx.transaction() as tx:
            tx.require("grants.vote")
            # scope: only the round's committee votes, and its reach covers the round's applicants
            _round_id, app_id, rnd, app = store.locked_application(tx.conn, code, scoped=False)
            _in_review(app, _("votes are taken"))
            me = store.staff_row(tx.conn, tx.actor.code)
            if me.code not in rnd.committee:
                raise PermissionDenied(_("{code} is not on the committee of round {round} and cannot vote on {app}")
                                       .format(code=me.code, round=rnd.code, app=app.code))
            conflicted = store.conflict_of(tx.conn, app_id, me.id)
            if conflicted is not None:
                raise PermissionDenied(_("{code} declared a conflict of interest ({kind}) on {app} and cannot vote "
                                         "on it").format(code=me.code, kind=conflicted.kind, app=app.code))
            if VoteChoice.parse(choice) is VoteChoice.APPROVE and amount in (None, ""):
                amount = app.requested
            vote = Vote(app.code, me.code, choice, amount, reason, note, tx.today)
            problem = amount_problem(vote.amount, app.requested, app.code, rnd)
            if problem:
                raise InvalidInput(f"amount {problem}")
            earlier = next((v for v in store.votes(tx.conn, app_id, app.code) if v.member == me.code), None)
            values = {"choice": vote.choice.value, "amount": vote.amount,
                      "reason": vote.reason.value if vote.reason else None, "note": vote.note}
            if earlier is None:
                store.insert_tally(tx.conn, [], [{"application_id": app_id, "staff_id": me.id, "cast_on": tx.today,
                                                  **values}], [])
                tx.audit("grants.vote", "grant_application", app.code, after=vote)
                return vote
            if not change:
                said = vote_text(earlier.choice.value, earlier.amount, earlier.reason.value if earlier.reason else None)
                raise Conflict(_("{code} has already voted on {app} ({choice}); to change the vote say so "
                                 "({change})").format(code=me.code, app=app.code, choice=said, change=param("change")))
            vote = attrs.evolve(vote, cast_on=earlier.cast_on, changed_on=tx.today)
            store.insert_tally(tx.conn, [], [], [{"b_application": app_id, "b_staff": me.id, "b_changed_on": tx.today,
                                                  **{f"b_{k}": v for k, v in values.items()}}])
            tx.audit("grants.vote.change", "grant_application", app.code, before=earlier, after=vote)
        return vote

    def votes(self, code: str) -> list[Vote]:
        """Every vote, each ``counted`` or not (a conflict, or no longer on the committee)."""
        return read_application(self.ctx, code, lambda conn, app_id, app: store.votes(conn, app_id, app.code))

    def decide(self, code: str) -> Decision:
        """Record the committee's decision from the valid votes: refused without quorum;
        outcome by the round's rule; an approval's amount is the median of the approving
        amounts, refused if the round's remaining budget cannot cover it. Deferred keeps
        the application open for another decision."""
        with self.ctx.transaction() as tx:
            tx.require("grants.decide")
            # scope: an admin or the round's committee (whose reach covers its applicants)
            round_id, app_id, rnd, app = store.locked_application(tx.conn, code, scoped=False)
            _in_review(app, _("a decision is made"))
            me = store.staff_row(tx.conn, tx.actor.code)
            if Role.ADMIN not in tx.actor.roles:
                if me.code not in rnd.committee:
                    raise PermissionDenied(_("{code} is not on the committee of round {round} and cannot record its "
                                             "decisions").format(code=me.code, round=rnd.code))
                if store.conflict_of(tx.conn, app_id, me.id) is not None:
                    raise PermissionDenied(_("{code} declared a conflict of interest on {app} and cannot record its "
                                             "decision").format(code=me.code, app=app.code))
            votes = store.votes(tx.conn, app_id, app.code)
            result = tally(votes, rnd.quorum, rnd.rule)
            if not result.has_quorum:
                raise Conflict(self._no_quorum(tx.conn, app_id, rnd, app, votes, result.valid))
            if result.outcome is Outcome.APPROVED:
                money = store.budget(tx.conn, round_id)
                if result.amount > money.remaining:
                    raise Conflict(_(
                        "approving {app} for {amount} would commit more than round {round} has left: budget "
                        "{budget}, committed {committed}, remaining {remaining}").format(
                        app=app.code, amount=money_text(result.amount, rnd.currency), round=rnd.code,
                        budget=money_text(money.budget), committed=money_text(money.committed),
                        remaining=money_text(money.remaining, rnd.currency)))
            number = store.decision_count(tx.conn, app_id) + 1
            decision = record_decision(tx, app_id, app.code, rnd, result, number, me.id, me.code)
            tx.audit("grants.decide", "grant_application", app.code, before={"status": app.status.value},
                     after=decision)
            if result.outcome is Outcome.APPROVED:
                tx.emit("grant_approved", application=store.load_application(tx.conn, app.code)[1])
        return decision

    @staticmethod
    def _no_quorum(conn, app_id: int, rnd, app, votes, valid: int) -> str:
        voted = {v.member for v in votes}
        conflicted = {c.member for c in store.conflicts(conn, app_id, app.code)}
        waiting = [m for m in rnd.committee if m not in voted and m not in conflicted]
        details = []
        if conflicted:
            details.append(_("conflict of interest: {codes}").format(codes=", ".join(sorted(conflicted))))
        if waiting:
            details.append(_("not yet voted: {codes}").format(codes=", ".join(waiting)))
        return _("no quorum on {app}: {valid} valid votes, {quorum} needed{details}").format(
            app=app.code, valid=valid, quorum=rnd.quorum, details=f" ({'; '.join(details)})" if details else "")

    def decisions(self, code: str) -> list[Decision]:
        return read_application(self.ctx, code, lambda conn, app_id, app: store.decisions(conn, app_id, app.code))


def record_decision(tx, app_id: int, app_code: str, rnd, result, number: int, member_id: int,
                    member_code: str) -> Decision:
    """Write a decision the tally reached (``result`` has an outcome): its row, the
    application's new status and amounts, and the event of its story. The caller audits
    it and, for an approval, tells the other plugins (``grant_approved``)."""
    decision = Decision(app_code, number, result.outcome, result.amount, tx.today, member_code, result.valid,
                        result.approve, result.reject, result.abstain, rnd.quorum, rnd.rule,
                        explain(result, rnd.currency))
    store.insert_decision(tx.conn, {
        "application_id": app_id, "number": number, "outcome": decision.outcome.value, "amount": decision.amount,
        "decided_on": tx.today, "decided_by": member_id, "valid_votes": result.valid,
        "approve_votes": result.approve, "reject_votes": result.reject, "abstain_votes": result.abstain,
        "quorum": rnd.quorum, "rule": rnd.rule.value, "explanation": decision.explanation})
    values = {}
    if result.outcome is Outcome.APPROVED:
        values = {"amount_approved": result.amount, "amount_granted": result.amount, "approved_on": tx.today}
    elif result.outcome is Outcome.REJECTED:
        values = {"closed_on": tx.today}
    store.set_status(tx, app_id, OUTCOME_STATUS[result.outcome], decision.explanation, **values)
    return decision


def amount_problem(amount, requested, app_code: str, rnd) -> str | None:
    """Why an approving vote's ``amount`` cannot stand (more than requested, below the round's
    minimum grant), or ``None``; the callers put the field's name in front."""
    if amount is None:
        return None
    if amount > requested:
        return _("{amount} is more than the {requested} requested in {app}").format(
            amount=money_text(amount), requested=money_text(requested, rnd.currency), app=app_code)
    if amount < rnd.min_grant:
        return _("{amount} is below the round's minimum grant of {limit}").format(
            amount=money_text(amount), limit=money_text(rnd.min_grant, rnd.currency))
    return None


def vote_text(choice: str, amount, reason: str | None) -> str:
    """A vote in a few words: ``approve 5,000.00``, ``reject: weak_plan``, ``abstain``."""
    if choice == VoteChoice.APPROVE.value:
        return f"{choice} {money_text(amount)}"
    if choice == VoteChoice.REJECT.value:
        return f"{choice}: {reason}"
    return choice
