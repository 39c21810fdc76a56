"""The committee's meeting: its agenda (what is in front of it, who still has to vote),
the tally sheet the secretary enters afterwards (one row per member per application), and
the decisions the meeting takes on it, highest plan score first, within the budget.

A tally sheet is all or nothing: every rule of ``vote`` and ``declare_conflict`` is
checked on every row, every bad row is named (``row N: field: reason``), and only a sheet
without a bad row is recorded, in one transaction, audited per batch of applications.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import attrs

from reentry_core.sdk import (
    _, Column, InvalidInput, open_sheet, PermissionDenied, Role, RowProblem, SheetImport, sheet_parsers, UNCHANGED,
    write_sheet,
)

from . import store
from .committee import amount_problem, record_decision, vote_text
from .domain import (
    IN_REVIEW, ApplicationStatus, ConflictKind, Decision, Outcome, Vote, VoteChoice, column_problem, money_text, tally,
)
from reentry_core.sdk import param, redact

S = ApplicationStatus

#: The columns of a tally sheet; ``reason`` is the reason of a vote to reject, or the kind
#: of a conflict of interest (relative, neighbour, business_partner, other).
SHEET_COLUMNS = ("application", "member", "vote", "amount", "reason", "note")
#: Columns the agenda's blank sheet adds for the people filling it in; the import skips them.
SHEET_INFO = ("participant", "name", "requested")
CONFLICT = "conflict"


@attrs.frozen
class AgendaItem:
    """An application in front of the committee, with who has voted, who declared a
    conflict of interest and who has still to vote."""

    application: str
    participant: str
    name: str
    status: ApplicationStatus
    requested: Decimal
    currency: str
    plan_score: Decimal | None
    voted: tuple[str, ...]
    conflicted: tuple[str, ...]
    waiting: tuple[str, ...]


@attrs.frozen
class NotDecided:
    """An application the meeting could not decide, and why (no quorum, over budget)."""

    application: str
    reason: str


@attrs.frozen
class MeetingReport:
    """What a tally sheet recorded, and the decisions taken on it (with ``decide``)."""

    round: str
    file: str | None
    rows: int
    votes: int
    changed: int
    conflicts: int
    applications: tuple[str, ...]
    decided: bool = False
    decisions: tuple[Decision, ...] = ()
    not_decided: tuple[NotDecided, ...] = ()
    #: rows already recorded as the sheet says (nothing changed) and rows nobody filled in
    unchanged: int = 0
    skipped: int = 0


def _score_order(row) -> tuple:
    """Highest plan score first; applications without a score last; then by number."""
    return (row.plan_score is None, -(row.plan_score or 0), row.number)


class MeetingsMixin:
    """``ctx.grants``: the committee's agenda, tally sheets and decisions by the meeting."""

    ctx: object

    def agenda(self, round_code: str, *, deferred: bool = False) -> list[AgendaItem]:
        """The applications of a round under review (``deferred``: also those deferred), highest
        plan score first, each with who has voted, who declared a conflict and who has not yet voted."""
        self.ctx.require("grants.view")
        with self.ctx.reading() as conn:
            round_id, rnd = store.load_round(conn, round_code)
            rows = store.in_review(conn, round_id, deferred=deferred, visible_only=True)
            rows = [SimpleNamespace(**redact(conn, row._asdict(), full_name="full_name")) for row in rows]
            voted, conflicted = defaultdict(set), defaultdict(set)
            for v in conn.execute(store.ROUND_VOTES, {"round_id": round_id}):
                voted[v.application_id].add(v.code)
            for c in conn.execute(store.ROUND_CONFLICTS, {"round_id": round_id}):
                conflicted[c.application_id].add(c.code)
        return [AgendaItem(
            row.code, row.participant, row.full_name, S(row.status), row.requested, rnd.currency, row.plan_score,
            tuple(sorted(voted[row.id])), tuple(sorted(conflicted[row.id])),
            tuple(m for m in rnd.committee if m not in voted[row.id] and m not in conflicted[row.id]))
            for row in sorted(rows, key=_score_order)]

    def write_tally_sheet(self, round_code: str, path: str | Path, *, deferred: bool = False) -> int:
        """Write the blank tally sheet of a round's agenda (CSV or XLSX): one row per member
        still to vote on each application, to fill in at the meeting and enter with
        :meth:`record_meeting`. Returns the number of rows."""
        items = self.agenda(round_code, deferred=deferred)
        rows = [(item.application, item.participant, item.name, item.requested, member, None, None, None, None)
                for item in items for member in item.waiting]
        return write_sheet(path, ("application", "participant", "name", "requested", "member") + SHEET_COLUMNS[2:],
                           rows, sheet=str(round_code))

    def record_meeting(self, round_code: str, path: str | Path, *, decide: bool = False,
                       change: bool = False) -> MeetingReport:
        """Enter a committee meeting's tally sheet (CSV or XLSX; columns application, member,
        vote, amount, reason, note): one row per member per application, ``vote`` one of
        approve, reject, abstain or conflict. Each row is checked as ``vote`` and
        ``declare_conflict`` check it (an approving amount defaults to the amount requested;
        a rejection needs a reason and a note; a conflict its kind in ``reason`` and a
        note); a member who voted earlier is refused unless ``change``. All rows or none.
        A row already recorded as it says is unchanged (a sheet entered twice changes
        nothing: ``MeetingReport.unchanged``); a row without a vote, a pre-printed row nobody
        filled in, is skipped (``skipped``).

        ``decide``: then decide, in the same action, every application of the round under
        review and every deferred one the sheet voted on, highest plan score first, within
        the budget, as :meth:`decide` does; those that cannot be decided (no quorum, over
        budget) are reported in ``not_decided``."""
        self.ctx.require("grants.record_meeting")
        if decide:
            self.ctx.require("grants.decide")
        path = Path(path)
        with open_sheet(path) as sheet:
            fields = _TallySheet.fields(sheet)
            with self.ctx.transaction() as tx:
                round_id, rnd = store.load_round(tx.conn, round_code, lock=True)
                importer = _TallySheet(tx, sheet.name, round_id, rnd, change)
                result = importer.run(sheet, fields=fields)
                report = MeetingReport(rnd.code, result.file, result.rows, importer.votes, importer.changed,
                                       importer.conflicts, tuple(importer.applications), unchanged=result.unchanged,
                                       skipped=result.skipped)
                if decide:
                    decisions, not_decided = _decide(tx, round_id, rnd, importer.deferred_ids, file=path.name)
                    report = attrs.evolve(report, decided=True, decisions=tuple(decisions),
                                          not_decided=tuple(not_decided))
        return report

    def decide_round(self, round_code: str) -> MeetingReport:
        """Decide every application of the round under review whose votes are in, highest
        plan score first, within the budget; those that cannot be decided (no quorum, over
        budget) are reported, not refused."""
        self.ctx.require("grants.decide")
        with self.ctx.transaction() as tx:
            round_id, rnd = store.load_round(tx.conn, round_code, lock=True)
            decisions, not_decided = _decide(tx, round_id, rnd, set())
        return MeetingReport(rnd.code, None, 0, 0, 0, 0, (), True, tuple(decisions), tuple(not_decided))


def _vote_choice(value: str):
    """A tally sheet's vote: one of the vote choices, or ``conflict``."""
    text = value.strip().lower()
    if text == CONFLICT:
        return CONFLICT
    try:
        return VoteChoice.parse(text)
    except InvalidInput:
        raise InvalidInput(_("{value!r} is not one of {choices}").format(
            value=value, choices=", ".join([*VoteChoice.values(), CONFLICT]))) from None


class _TallySheet(SheetImport):
    """One tally sheet, checked and recorded inside the meeting's transaction.

    A row is one member on one application (its identity: two rows for one member and one
    application are refused, naming both). A row without a vote is a pre-printed row nobody
    filled in: skipped. A vote or conflict already recorded as the row says is unchanged
    (so a sheet entered twice changes nothing); a different vote is refused unless
    ``change`` (then it is audited with the earlier vote), and always for an application
    already decided."""

    columns = (
        Column("application", sheet_parsers.code, required=True, aliases=("заявка", "ариза")),
        Column("member", sheet_parsers.code, required=True, aliases=("член", "узв")),
        Column("vote", _vote_choice, required=True, aliases=("голос", "овоз")),
        Column("amount", aliases=("сумма", "маблағ")),
        Column("reason", aliases=("причина", "сабаб")),
        Column("note", aliases=("примечание", "эзоҳ")),
        *(Column(name, info=True) for name in SHEET_INFO),
    )
    filled_by = ("vote",)
    nothing_done = _("nothing was recorded")

    def __init__(self, tx, name: str, round_id: int, rnd, change: bool):
        super().__init__(tx, name)
        self.round_id, self.rnd, self.change = round_id, rnd, change
        self.votes = self.changed = self.conflicts = 0
        self.applications: dict[str, None] = {}
        self.deferred_ids: set[int] = set()

    def prepare(self, rows) -> None:
        conn = self.tx.conn
        self.committee = dict(conn.execute(store.COMMITTEE_IDS, {"round_id": self.round_id}).all())
        codes = sorted({r["application"] for r in rows})
        self.apps = {row.code: row for row in conn.execute(store.MEETING_BY_CODES, {"codes": codes})} if codes else {}
        members = sorted({r["member"] for r in rows})
        self.staff = ({row.code: row for row in conn.execute(store.STAFF_BY_CODES, {"codes": members})}
                      if members else {})
        ids = [a.id for a in self.apps.values()]
        self.earlier_votes = store.earlier_votes(conn, ids)
        self.earlier_conflicts = store.earlier_conflicts(conn, ids)

    def identity(self, row):
        return (row["application"], row["member"])

    def check(self, row):
        app, member = self._who(row)
        try:
            if row["vote"] == CONFLICT:
                return self._conflict(app, member, row)
            return self._vote(app, member, row)
        except RowProblem:
            raise
        except InvalidInput as exc:
            raise column_problem(exc, SHEET_COLUMNS) from None

    def _who(self, row):
        rnd = self.rnd
        app = self.apps.get(row["application"])
        if app is None:
            raise RowProblem("application", _("{code} does not exist").format(code=row["application"]))
        if app.round_id != self.round_id:
            raise RowProblem("application", _("{code} is not in round {round}").format(code=app.code, round=rnd.code))
        member = self.staff.get(row["member"])
        if member is None:
            raise RowProblem("member", _("no staff member {code}").format(code=row["member"]))
        if member.code not in self.committee:
            raise RowProblem("member", _("{code} is not on the committee of round {round}").format(
                code=member.code, round=rnd.code))
        if not member.active:
            raise RowProblem("member", _("staff member {code} is deactivated").format(code=member.code))
        return app, member

    def _open(self, app) -> None:
        """Votes are taken only on an application still in front of the committee."""
        if S(app.status) not in IN_REVIEW:
            raise RowProblem("application", _("{code} is {status}; votes are taken only while it is under review or "
                                              "deferred").format(code=app.code, status=app.status))

    def _conflict(self, app, member, row):
        if row.get("amount"):
            raise RowProblem("amount", _("a conflict of interest has no amount"))
        if not row.get("reason"):
            raise RowProblem("reason", _("a conflict of interest gives its kind, one of {kinds}").format(
                kinds=", ".join(ConflictKind.values())))
        try:
            kind = ConflictKind.parse(row["reason"])
        except InvalidInput as exc:
            raise RowProblem("reason", exc.message) from None
        note = " ".join(row.get("note", "").split())
        if not note:
            raise RowProblem("note", _("say what the conflict of interest is"))
        if len(note) > 1000:
            raise RowProblem("note", _("longer than {n} characters").format(n=1000))
        existing = self.earlier_conflicts.get((app.id, member.id))
        if existing is not None:
            if (existing.kind, existing.note) == (kind.value, note):
                return UNCHANGED
            raise RowProblem("member", _("{code} has already declared a conflict of interest ({kind}) on {app}")
                             .format(code=member.code, kind=existing.kind, app=app.code))
        self._open(app)
        return ("conflict", app, member, {"application_id": app.id, "staff_id": member.id, "kind": kind.value,
                                          "note": note})

    def _vote(self, app, member, row):
        choice = row["vote"]
        amount = row.get("amount")
        if choice is VoteChoice.APPROVE and not amount:
            amount = app.requested
        vote = Vote(app.code, member.code, choice, amount or None, row.get("reason") or None,
                    row.get("note") or None, self.tx.today)
        values = {"choice": vote.choice.value, "amount": vote.amount,
                  "reason": vote.reason.value if vote.reason else None, "note": vote.note}
        earlier = self.earlier_votes.get((app.id, member.id))
        if earlier is not None and all(getattr(earlier, k) == v for k, v in values.items()):
            return UNCHANGED
        conflict = self.earlier_conflicts.get((app.id, member.id))
        if conflict is not None:
            raise RowProblem("member", _("{member} declared a conflict of interest ({kind}) on {app} and cannot vote "
                                         "on it").format(member=member.code, kind=conflict.kind, app=app.code))
        self._open(app)
        problem = amount_problem(vote.amount, app.requested, app.code, self.rnd)
        if problem:
            raise RowProblem("amount", problem)
        if earlier is not None and not self.change:
            raise RowProblem("member", _(
                "{member} has already voted on {app} ({choice}); to change the vote say so ({change})").format(
                change=param("change"), member=member.code, app=app.code, choice=vote_text(earlier.choice, earlier.amount, earlier.reason)))
        return ("vote", app, member, values, earlier)

    def write(self, batch) -> None:
        tx = self.tx
        actor = store.actor_id(tx)
        conflicts, votes, changes = [], [], []
        records: dict[str, dict] = {}
        for item in batch:
            kind, app, member = item[:3]
            self.applications[app.code] = None
            if app.status == S.DEFERRED.value:
                self.deferred_ids.add(app.id)
            mine = records.setdefault(app.code, {})
            if kind == "conflict":
                entry = item[3]
                conflicts.append({**entry, "recorded_by": actor, "recorded_on": tx.today})
                mine.setdefault("conflicts", []).append({"member": member.code, "kind": entry["kind"],
                                                         "note": entry["note"]})
                continue
            values, earlier = item[3], item[4]
            record = {"member": member.code, "vote": values["choice"], "amount": values["amount"],
                      "reason": values["reason"], "note": values["note"]}
            if earlier is None:
                votes.append({"application_id": app.id, "staff_id": member.id, "cast_on": tx.today, **values})
                mine.setdefault("votes", []).append(record)
            else:
                changes.append({"b_application": app.id, "b_staff": member.id, "b_changed_on": tx.today,
                                **{f"b_{k}": v for k, v in values.items()}})
                record["before"] = {"vote": earlier.choice, "amount": earlier.amount, "reason": earlier.reason,
                                    "note": earlier.note}
                mine.setdefault("changed", []).append(record)
        store.insert_tally(tx.conn, conflicts, votes, changes)
        self.conflicts += len(conflicts)
        self.votes += len(votes)
        self.changed += len(changes)
        # audited here, not by the shape: the event names the round as well as the file
        tx.audit_batch("grants.meeting", "grant_application", records, round=self.rnd.code, file=self.name)
        return None


def _decide(tx, round_id: int, rnd, deferred_ids: set[int], file: str | None = None):
    """Decide the round's applications under review (and the deferred ones in ``deferred_ids``)
    highest plan score first, within the budget: ``(decisions, not decided)``."""
    conn = tx.conn
    me = store.staff_row(conn, tx.actor.code)
    admin = Role.ADMIN in tx.actor.roles
    if not admin and me.code not in rnd.committee:
        raise PermissionDenied(_("{code} is not on the committee of round {round} and cannot record its "
                                 "decisions").format(code=me.code, round=rnd.code))
    rows = sorted(store.in_review(conn, round_id, ids=sorted(deferred_ids)), key=_score_order)
    if not rows:
        return [], []
    code_of = {row.id: row.code for row in rows}
    votes = store.votes_by_application(conn, code_of)
    conflicted = defaultdict(set)
    for c in conn.execute(store.ROUND_CONFLICTS, {"round_id": round_id}):
        conflicted[c.application_id].add(c.code)
    earlier = dict(conn.execute(store.DECISION_COUNTS, {"round_id": round_id}).all())
    money = store.budget(conn, round_id)
    committed = money.committed
    decisions, not_decided, approved, records = [], [], [], {}
    for row in rows:
        if not admin and me.code in conflicted[row.id]:
            not_decided.append(NotDecided(row.code, _("{code} declared a conflict of interest on {app} and cannot "
                                                      "record its decision").format(code=me.code, app=row.code)))
            continue
        result = tally(votes.get(row.id, []), rnd.quorum, rnd.rule)
        if not result.has_quorum:
            voted = {v.member for v in votes.get(row.id, [])}
            waiting = [m for m in rnd.committee if m not in voted and m not in conflicted[row.id]]
            not_decided.append(NotDecided(row.code, _(
                "no quorum: {valid} valid votes, {quorum} needed{waiting}").format(
                valid=result.valid, quorum=rnd.quorum,
                waiting=_(" (not yet voted: {codes})").format(codes=", ".join(waiting)) if waiting else "")))
            continue
        if result.outcome is Outcome.APPROVED and result.amount > rnd.budget - committed:
            not_decided.append(NotDecided(row.code, _(
                "approving it for {amount} would commit more than the round has left: committed {committed}, "
                "remaining {remaining}").format(amount=money_text(result.amount, rnd.currency),
                                                committed=money_text(committed),
                                                remaining=money_text(rnd.budget - committed, rnd.currency))))
            continue
        decision = record_decision(tx, row.id, row.code, rnd, result, earlier.get(row.id, 0) + 1, me.id, me.code)
        decisions.append(decision)
        records[row.code] = {"before": row.status, "decision": decision}
        if result.outcome is Outcome.APPROVED:
            committed += result.amount
            approved.append(row.id)
    tx.audit_batch("grants.decide", "grant_application", records, round=rnd.code, **({"file": file} if file else {}))
    if approved:
        loaded = store.applications_by_ids(conn, approved)
        for app_id in approved:
            tx.emit("grant_approved", application=loaded[code_of[app_id]])
    return decisions, not_decided


__all__ = ["AgendaItem", "MeetingReport", "MeetingsMixin", "NotDecided", "SHEET_COLUMNS"]
