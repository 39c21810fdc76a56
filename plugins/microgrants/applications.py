"""Applications: made in an open round with budget lines, submitted (eligibility is
checked then), withdrawn before a decision; listed and told as a story."""

from __future__ import annotations

import json
from decimal import Decimal

import attrs

from reentry_core.sdk import _, Conflict, eligibility_problems, InvalidInput, participant_id, record_access

from . import store
from .domain import (
    FUNDED_STATUSES, TRANSITIONS, Application, ApplicationStatus, GrantRound, money_text,
)
from .hookspecs import PlanForGrant
from .lines import to_lines

S = ApplicationStatus




def check_move(app: Application, status: ApplicationStatus, action: str) -> None:
    """Refuse a step the lifecycle does not allow, saying what is possible."""
    if not app.can_move_to(status):
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[app.status])) or _("none: it is closed")
        raise Conflict(_("application {code} is {status}; it cannot be {action} (possible next: {allowed})").format(
            code=app.code, status=app.status.label, action=action, allowed=allowed))


def read_application(ctx, code: str, read):
    """``read(conn, application_id, application)`` on a reading connection, for viewers."""
    ctx.require("grants.view")
    with ctx.reading() as conn:
        app_id, app = store.load_application(conn, code)
        return read(conn, app_id, app)


def _check_request(rnd: GrantRound, app: Application) -> None:
    problem = rnd.request_problem(app.requested)
    if problem:
        raise InvalidInput(problem)


def _plan_values(plan: PlanForGrant | None) -> dict:
    """The plan the owner of plans answered (``grant_plan``), as stored with the application."""
    if plan is None:
        return {}
    return {"plan_code": plan.code, "plan_version": plan.version, "plan_title": plan.title,
            "plan_sector": plan.sector, "plan_score": plan.panel_score, "plan_status": plan.status}


class ApplicationsMixin:
    """``ctx.grants``: applications."""

    ctx: object

    def apply(self, round_code: str, participant: str, lines, *, own_contribution="0",
              submit: bool = False) -> Application:
        """Make a (draft) application of ``participant`` in an open round; ``submit`` submits
        it in the same action. ``lines``: :class:`BudgetLine` objects, dicts or typed text
        (``"item;quantity;unit cost;cash|in_kind;supplier"``)."""
        lines = to_lines(lines)
        with self.ctx.transaction() as tx:
            tx.require("grants.apply")
            round_id, rnd = store.load_round(tx.conn, round_code, lock=True, with_committee=False)
            closed = rnd.closed_reason(tx.today)
            if closed:
                raise Conflict(_("cannot apply: {reason}").format(reason=closed))
            person, person_id = store.participant(tx.conn, participant)
            self._refuse_second(tx.conn, round_id, rnd, person_id, person.code)
            app = Application(rnd.code, person.code, lines, own_contribution, currency=rnd.currency,
                              participant_name=person.full_name, created_on=tx.today)
            _check_request(rnd, app)
            plan = _plan_values(tx.ask("grant_plan", participant=person))
            number = store.last_application_number(tx.conn, round_id) + 1
            code = f"{rnd.code}-{number:03d}"
            app_id = store.insert_application(tx.conn, {
                "code": code, "round_id": round_id, "number": number, "participant_id": person_id,
                "status": S.DRAFT.value, "own_contribution": app.own_contribution, "requested": app.requested,
                "created_on": tx.today, "created_by": store.actor_id(tx), "plan_code": None, "plan_version": None,
                "plan_title": None, "plan_sector": None, "plan_score": None, "plan_status": None,
                **plan})
            store.insert_lines(tx.conn, app_id, app.lines, replace=False)
            store.add_event(tx, app_id, S.DRAFT.value, _("application made"))
            # what was written, as reading it back would give it
            app = attrs.evolve(app, code=code, plan=plan.get("plan_code"), plan_version=plan.get("plan_version"),
                               plan_title=plan.get("plan_title"), sector=plan.get("plan_sector"),
                               plan_score=plan.get("plan_score"), plan_status=plan.get("plan_status"))
            tx.audit("grants.apply", "grant_application", code, after=app)
            if submit:
                app = self._submit(tx, app_id, rnd, app)
        return app

    @staticmethod
    def _refuse_second(conn, round_id: int, rnd: GrantRound, person_id: int, person_code: str) -> None:
        """One open application per participant per round, and no second grant."""
        row = store.open_or_funded(conn, round_id, person_id)
        if row is not None:
            raise Conflict(_("{person} already has application {code} ({status}) in round {round}").format(
                person=person_code, code=row.code, status=row.status, round=rnd.code))

    def update(self, code: str, *, lines=None, own_contribution=None) -> Application:
        """Change a draft: replace its budget lines and/or its own contribution."""
        new_lines = to_lines(lines) if lines is not None else None
        if new_lines is None and own_contribution is None:
            raise InvalidInput(_("say what to change: the budget lines or the own contribution"))
        with self.ctx.transaction() as tx:
            tx.require("grants.apply")
            _round_id, app_id, rnd, before = store.locked_application(tx.conn, code)
            if before.status is not S.DRAFT:
                raise Conflict(_("application {code} is {status}; only a draft is changed").format(
                    code=before.code, status=before.status.label))
            changes = {}
            if new_lines is not None:
                changes["lines"] = new_lines
            if own_contribution is not None:
                changes["own_contribution"] = own_contribution  # checked by the field's converter
            after = attrs.evolve(before, **changes)
            _check_request(rnd, after)
            store.update_request(tx.conn, app_id, after.own_contribution, after.requested)
            store.insert_lines(tx.conn, app_id, after.lines)
            store.add_event(tx, app_id, "updated", _("requested {amount}").format(
                amount=money_text(after.requested, after.currency)))
            tx.audit("grants.update", "grant_application", before.code, before=before, after=after)
        return after

    def submit(self, code: str) -> Application:
        """Submit a draft: eligibility is checked now. An ineligible application is kept,
        with its reasons; an eligible one goes to the committee (under_review)."""
        with self.ctx.transaction() as tx:
            tx.require("grants.apply")
            _round_id, app_id, rnd, app = store.locked_application(tx.conn, code)
            return self._submit(tx, app_id, rnd, app)

    @staticmethod
    def _submit(tx, app_id: int, rnd: GrantRound, before: Application) -> Application:
        check_move(before, S.SUBMITTED, _("submitted"))
        closed = rnd.closed_reason(tx.today)
        if closed:
            raise Conflict(_("cannot submit {code}: {reason}").format(code=before.code, reason=closed))
        _check_request(rnd, before)
        store.set_status(tx, app_id, S.SUBMITTED, submitted_on=tx.today)
        problems = eligibility_problems(tx, before.participant, "grant", rnd.requirements())
        if problems:
            store.set_status(tx, app_id, S.INELIGIBLE, "; ".join(problems), closed_on=tx.today,
                             eligibility_problems=json.dumps(problems, ensure_ascii=False))
            after = attrs.evolve(before, status=S.INELIGIBLE, submitted_on=tx.today, closed_on=tx.today,
                                 eligibility_problems=tuple(problems))
        else:
            store.set_status(tx, app_id, S.UNDER_REVIEW, _("eligible"))
            after = attrs.evolve(before, status=S.UNDER_REVIEW, submitted_on=tx.today)
        tx.audit("grants.submit", "grant_application", before.code, before={"status": before.status.value},
                 after={"status": after.status.value, "eligibility_problems": list(after.eligibility_problems)})
        return after

    def withdraw(self, code: str, reason: str | None = None) -> Application:
        """The applicant withdraws before a decision (a deferred application still may)."""
        reason = (reason or "").strip() or None
        with self.ctx.transaction() as tx:
            tx.require("grants.apply")
            _round_id, app_id, _rnd, before = store.locked_application(tx.conn, code)
            check_move(before, S.WITHDRAWN, _("withdrawn"))
            store.set_status(tx, app_id, S.WITHDRAWN, reason, closed_on=tx.today, close_reason=reason)
            after = attrs.evolve(before, status=S.WITHDRAWN, closed_on=tx.today, close_reason=reason)
            tx.audit("grants.withdraw", "grant_application", before.code, before={"status": before.status.value},
                     after={"status": after.status.value, "reason": reason})
        return after

    # --- reading --------------------------------------------------------------------------

    def get(self, code: str) -> Application:
        app = read_application(self.ctx, code, lambda conn, app_id, app: app)
        if app.participant_name:  # the grantee's name was shown
            record_access(self.ctx, "grants.show", [app.participant])
        return app

    def applications(self, *, round: str | None = None, status: str | None = None,
                     participant: str | None = None) -> list[Application]:
        """Applications by round and number, optionally of one round, status or participant."""
        self.ctx.require("grants.view")
        with self.ctx.reading() as conn:
            found = store.find_applications(
                conn, round_id=store.round_row(conn, round).id if round else None,
                status=S.parse(status).value if status else None,
                participant_id=store.participant(conn, participant)[1] if participant else None)
        record_access(self.ctx, "grants.list", [a.participant for a in found if a.participant_name])
        return found


__all__ = ["ApplicationsMixin", "check_move"]


def refuse_merge(conn, keep, duplicate) -> None:
    """Two records of one person cannot become one holding two open applications in one
    round, or two grants: the same rules as :meth:`ApplicationService.apply`."""
    both = [store.live_applications(conn, participant_id(conn, person.code)) for person in (keep, duplicate)]
    funded = {s.value for s in FUNDED_STATUSES}
    for mine in both[0]:
        for theirs in both[1]:
            if mine.round == theirs.round or (mine.status in funded and theirs.status in funded):
                raise Conflict(_("{keep} has application {a} ({a_status}, round {a_round}) and {gone} has {b} "
                                 "({b_status}, round {b_round}): one person has one application per round and "
                                 "one grant; withdraw or cancel one first").format(
                    keep=keep.code, a=mine.code, a_status=mine.status, a_round=mine.round, gone=duplicate.code,
                    b=theirs.code, b_status=theirs.status, b_round=theirs.round))


def made_with_plan(conn, plan: str) -> list[str]:
    """The applications (not withdrawn or cancelled) made with the business plan ``plan``,
    one line each: what rests on the plan's shortlisting."""
    return [_("application {code} ({status}) was made with plan {plan}").format(code=code, status=status, plan=plan)
            for code, status in store.applications_with_plan(conn, plan)]
