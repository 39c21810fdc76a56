"""Grant rounds: set up, opened, closed; their committee; their budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs

from reentry_core.sdk import _, Conflict, InvalidInput, parse_date, required_reason, Role
from reentry_core.sdk import date_text

from . import store
from .domain import Budget, GrantRound, money_text, RoundStatus


class RoundsMixin:
    """``ctx.grants``: rounds and their committees."""

    ctx: object

    def add_round(self, code: str, title: str, *, budget, min_grant, max_grant, opens_on: date | str,
                  closes_on: date | str, donors=(), currency: str = "TJS", require_shortlisted_plan: bool = False,
                  require_training: bool = False, min_plan_score: Decimal | str | None = None, quorum: int = 3,
                  rule: str = "simple_majority", tranche_plan: str = "100", four_eyes: bool = True,
                  visit_wait_days: int = 0) -> GrantRound:
        """Set up a round as a draft; ``open_round`` opens it for applications. ``four_eyes``
        (on by default): a tranche one person records waits for a second person's
        confirmation; ``visit_wait_days``: a verified part goes out that many days after the
        verifying visit at the earliest (0: no wait)."""
        data = {"code": code, "title": title, "budget": budget, "min_grant": min_grant, "max_grant": max_grant,
                "opens_on": opens_on, "closes_on": closes_on, "donors": _list(donors), "currency": currency,
                "require_shortlisted_plan": require_shortlisted_plan, "require_training": require_training,
                "min_plan_score": min_plan_score, "quorum": quorum, "rule": rule, "tranche_plan": tranche_plan,
                "four_eyes": four_eyes, "visit_wait_days": visit_wait_days}
        rnd = self.ctx.structure({k: v for k, v in data.items() if v is not None}, GrantRound)
        with self.ctx.transaction() as tx:
            tx.require("grants.manage_rounds")
            if store.round_exists(tx.conn, rnd.code):
                raise Conflict(_("grant round {code} already exists").format(code=rnd.code))
            store.insert_round(tx.conn, rnd)
            tx.audit("grants.round.add", "grant_round", rnd.code, after=rnd)
        return rnd

    def set_payment_rules(self, code: str, *, four_eyes: bool | None = None,
                          visit_wait_days: int | None = None) -> GrantRound:
        """Change how a round pays: four eyes on tranches (a second person confirms each) and
        the days a verified part waits after the verifying visit. Tranches already recorded
        keep their state."""
        with self.ctx.transaction() as tx:
            tx.require("grants.manage_rounds")
            round_id, before = store.load_round(tx.conn, code, lock=True)
            changes = {k: v for k, v in {"four_eyes": four_eyes, "visit_wait_days": visit_wait_days}.items()
                       if v is not None}
            after = attrs.evolve(before, **changes)
            store.update_round(tx.conn, round_id, four_eyes=after.four_eyes, visit_wait_days=after.visit_wait_days)
            tx.audit("grants.round.payment_rules", "grant_round", before.code, before=before, after=after)
        return after

    def change_round(self, code: str, *, title: str | None = None, budget=None, min_grant=None, max_grant=None,
                     opens_on: date | str | None = None, closes_on: date | str | None = None,
                     reason: str) -> GrantRound:
        """Change a round after it was set up: a donor's top-up (or a cut) of the budget, the
        grant limits, the closing date, the title; the opening date only while it is a
        draft. Refused when the budget would fall below what the round has committed or
        the closing date would be in the past of an open round. Grants already decided keep
        their amounts: the limits apply to the decisions still to come. The earlier values
        and ``reason`` go into the audit trail."""
        why = required_reason(reason, _("the round changes"))
        given = {"title": title, "budget": budget, "min_grant": min_grant, "max_grant": max_grant,
                 "opens_on": parse_date(opens_on) if opens_on is not None else None,
                 "closes_on": parse_date(closes_on) if closes_on is not None else None}
        changes = {key: value for key, value in given.items() if value is not None}
        if not changes:
            raise InvalidInput(_("nothing to change: give a new title, budget, min_grant, max_grant, opens_on or "
                                 "closes_on"))
        with self.ctx.transaction() as tx:
            tx.require("grants.manage_rounds")
            round_id, before = store.load_round(tx.conn, code, lock=True)
            if changes.get("opens_on", before.opens_on) != before.opens_on and before.status is not RoundStatus.DRAFT:
                raise Conflict(_("round {code} is {status}: its opening date stays {on}").format(
                    code=before.code, status=before.status.label, on=date_text(before.opens_on)))
            after = attrs.evolve(before, **changes)
            if after == before:
                raise Conflict(_("round {code} already has those settings; nothing was changed").format(
                    code=before.code))
            if (after.closes_on != before.closes_on and before.status is RoundStatus.OPEN
                    and after.closes_on < tx.today):
                raise Conflict(_("closes_on {on} has passed; to stop applications now, close the round: reentry "
                                 "grants round close {code}").format(on=date_text(after.closes_on), code=before.code))
            committed = store.budget(tx.conn, round_id).committed
            if after.budget < committed:
                raise Conflict(_("budget {budget} is below what round {code} has committed ({committed}); cancel or "
                                 "reduce grants first").format(budget=money_text(after.budget), code=before.code,
                                                               committed=money_text(committed, before.currency)))
            store.update_round(tx.conn, round_id, title=after.title, budget=after.budget, min_grant=after.min_grant,
                               max_grant=after.max_grant, opens_on=after.opens_on, closes_on=after.closes_on)
            tx.audit_correction("grants.round.change", "grant_round", before.code, before=before, after=after,
                                reason=why)
        return after

    def rounds(self, status: str | None = None) -> list[GrantRound]:
        self.ctx.require("grants.view")
        wanted = RoundStatus.parse(status) if status else None
        with self.ctx.reading() as conn:
            return store.rounds(conn, wanted)

    def get_round(self, code: str) -> GrantRound:
        self.ctx.require("grants.view")
        with self.ctx.reading() as conn:
            return store.load_round(conn, code)[1]

    def open_round(self, code: str) -> GrantRound:
        """Open a draft round for applications; its committee must be able to reach quorum."""
        return self._move_round(code, RoundStatus.OPEN)

    def close_round(self, code: str) -> GrantRound:
        """Stop taking applications; the committee still decides and finance still pays."""
        return self._move_round(code, RoundStatus.CLOSED)

    def _move_round(self, code: str, status: RoundStatus) -> GrantRound:
        source = RoundStatus.DRAFT if status is RoundStatus.OPEN else RoundStatus.OPEN
        with self.ctx.transaction() as tx:
            tx.require("grants.manage_rounds")
            round_id, before = store.load_round(tx.conn, code, lock=True)
            if before.status is not source:
                raise Conflict(_("round {code} is {status}; only a round that is {source} can become {new}").format(
                    code=before.code, status=before.status.label, source=source.label, new=status.label))
            if status is RoundStatus.OPEN:
                _check_opening(before, tx.today)
            store.update_round(tx.conn, round_id, status=status.value)
            tx.audit(f"grants.round.{'open' if status is RoundStatus.OPEN else 'close'}", "grant_round", before.code,
                     before={"status": before.status.value}, after={"status": status.value})
        return attrs.evolve(before, status=status)

    # --- the committee ---------------------------------------------------------------------

    def add_committee_members(self, round_code: str, members) -> GrantRound:
        """Put staff with the committee_member role on the round's committee."""
        with self.ctx.transaction() as tx:
            tx.require("grants.manage_rounds")
            round_id, before = store.load_round(tx.conn, round_code, lock=True)
            codes = _list(members)
            if not codes:
                raise InvalidInput(_("name at least one staff member to add to the committee"))
            for code in codes:
                member = store.staff_row(tx.conn, code)
                if Role.COMMITTEE_MEMBER not in store.staff_roles(tx.conn, member.id):
                    raise InvalidInput(_("{code} does not have the committee_member role; give it first: "
                                         "reentry staff roles {code} --add committee_member").format(code=member.code))
                if not member.active:
                    raise InvalidInput(_("staff member {code} is deactivated").format(code=member.code))
                if member.code in before.committee:
                    raise Conflict(_("{code} is already on the committee of round {round}").format(
                        code=member.code, round=before.code))
                store.add_committee_member(tx.conn, round_id, member.id, tx.today)
            after = store.round_from_row(tx.conn, store.round_row(tx.conn, round_id=round_id))
            tx.audit("grants.committee.add", "grant_round", before.code, before={"committee": list(before.committee)},
                     after={"committee": list(after.committee)})
        return after

    def remove_committee_member(self, round_code: str, member: str) -> GrantRound:
        """Take a member off the committee; refused once they have voted in the round."""
        with self.ctx.transaction() as tx:
            tx.require("grants.manage_rounds")
            round_id, before = store.load_round(tx.conn, round_code, lock=True)
            staff = store.staff_row(tx.conn, member)
            if staff.code not in before.committee:
                raise Conflict(_("{code} is not on the committee of round {round}").format(
                    code=staff.code, round=before.code))
            if store.votes_in_round(tx.conn, round_id, staff.id):
                raise Conflict(_("{code} has voted in round {round} and stays on its committee").format(
                    code=staff.code, round=before.code))
            store.remove_committee_member(tx.conn, round_id, staff.id)
            after = attrs.evolve(before, committee=tuple(c for c in before.committee if c != staff.code))
            tx.audit("grants.committee.remove", "grant_round", before.code,
                     before={"committee": list(before.committee)}, after={"committee": list(after.committee)})
        return after

    # --- the budget -------------------------------------------------------------------------

    def budget(self, round_code: str) -> Budget:
        """Budget, approved, returned, committed, disbursed, remaining, grants, women's share."""
        self.ctx.require("grants.view")
        with self.ctx.reading() as conn:
            return store.budget(conn, store.round_row(conn, round_code).id)


def _check_opening(rnd: GrantRound, today: date) -> None:
    if len(rnd.committee) < rnd.quorum:
        raise Conflict(_("round {code} cannot open: its committee has {n} members, fewer than its quorum of {quorum}; "
                         "add members with: reentry grants committee add {code} STAFF").format(
            code=rnd.code, n=len(rnd.committee), quorum=rnd.quorum))
    if rnd.closes_on < today:
        raise Conflict(_("round {code} cannot open: its closing date {on} has passed").format(
            code=rnd.code, on=date_text(rnd.closes_on)))


def _list(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [v.strip() for value in values for v in str(value).split(",") if v.strip()]
