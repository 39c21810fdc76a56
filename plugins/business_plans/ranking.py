"""Ranking, moderation and the shortlist of a cohort's plans.

A plan counts once it has the cohort's minimum of score sheets; its panel score is the
mean of their weighted totals (or of their z-scores, when the cohort normalises). Sheets
further apart than the cohort's spread limit flag the plan for moderation, which an admin
or the lead trainer resolves with a reason before the cohort is shortlisted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import attrs
import sqlalchemy as sa

from reentry_core.sdk import _, Conflict, InvalidInput, parse_decimal, param, record_access, required_reason, shown

from . import aggregation, store
from .domain import SCORABLE, PlanStatus, PlanSummary, parse_whole
from .panel import moderated_plan, require_moderator
from .tables import bp_cohort


class RankedPlan(NamedTuple):
    """One line of a cohort's ranking (a named tuple: a cohort set has thousands)."""

    rank: int | None
    plan: str
    cohort: str
    version: int
    participant: str
    full_name: str
    title: str
    sector: str
    status: str
    sheets: int
    panel_score: Decimal | None
    raw_score: Decimal | None
    spread: Decimal | None
    needs_moderation: bool
    moderated: bool
    requested_funding: Decimal
    currency: str

    @property
    def counted(self) -> bool:
        return self.panel_score is not None

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.needs_moderation:
            flags.append("needs moderation")
        if self.moderated:
            flags.append("moderated")
        return flags

    def summary(self, status: str | None = None) -> PlanSummary:
        return PlanSummary(self.plan, self.participant, self.cohort, self.title, self.sector, self.version,
                           self.panel_score, self.requested_funding, self.currency, status or self.status)


@attrs.frozen
class Shortlist:
    cohort: str
    shortlisted: list[RankedPlan]
    not_selected: list[RankedPlan]
    tie_at_cut: bool = False



def cohort_ranking(conn: sa.Connection, cohort) -> list[RankedPlan]:
    """Every ranked plan of a cohort (``cohort`` is its row): counted plans by panel score,
    best first (ties by code), then the plans with too few sheets, by code.

    Raw panels come from each version's stored sheet count, sum, lowest and highest
    total (in hundredths, kept up to date by every sheet written); with normalisation
    every sheet is read, as the z-scores need them. Rows are plain tuples: a cohort set
    has thousands."""
    rows = store.ranked_rows(conn, cohort.id)
    normalised = (aggregation.panels(list(map(aggregation.Sheet._make, store.sheet_rows(conn, cohort.id))),
                                     normalise=True)
                  if cohort.normalise else None)
    minimum, limit = cohort.min_sheets, int(cohort.spread_limit.scaleb(2))
    mean_cents, points = aggregation.mean_cents, aggregation.Points()
    counted, waiting = [], []
    for row in rows:
        n = row[11]
        if n >= minimum:
            raw = mean_cents(int(row[12]), n)
            score = raw if normalised is None else int(normalised[row[0]].score.scaleb(2))
            counted.append((-score, row[1], score, raw, row))
        else:
            waiting.append((row[1], None, None, mean_cents(int(row[12]), n) if n else None, row))
    counted.sort()
    waiting.sort()
    code = cohort.code
    make = RankedPlan._make
    lines = []
    for rank, (_key, _code, score, raw, row) in enumerate(counted + waiting, 1):
        n, lowest, highest, mod = row[11], row[13], row[14], row[10]
        spread = highest - lowest if n >= 2 else None
        wide = spread is not None and spread > limit
        lines.append(make((
            rank if score is not None else None, row[1], code, row[2], row[3], row[4], row[5], row[6], row[7], n,
            points[score] if score is not None else None, points[raw] if raw is not None else None,
            points[spread] if spread is not None else None, wide and mod is None, wide and mod is not None,
            points[row[8]], row[9])))
    return lines



class RankingService:
    """Ranking, moderation and shortlist (part of ``ctx.plans``)."""

    ctx = None

    def ranking(self, cohort: str) -> list[RankedPlan]:
        """The cohort's plans by panel score (see :func:`cohort_ranking`)."""
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            found = shown(conn, cohort_ranking(conn, store.cohort_row(conn, cohort)), full_name="full_name")
        record_access(self.ctx, "plans.ranking", [p.participant for p in found if p.full_name])
        return found

    def moderate(self, plan: str, reason: str) -> RankedPlan:
        """Resolve a plan's needs-moderation flag with a recorded reason (an admin or the
        cohort's lead trainer). Its panel score stands; a trainer who changes their mind
        corrects their sheet instead, which clears the flag once the spread is small."""
        with self.ctx.transaction() as tx:
            row, text = moderated_plan(tx, plan, reason, _(
                "{reason}: say why the scores stand, e.g. 'discussed; both views fair'").format(
                    reason=param("reason")))
            cohort = store.cohort_row(tx.conn, row.cohort_code)
            line = next((r for r in cohort_ranking(tx.conn, cohort) if r.plan == row.code), None)
            if line is None or not line.needs_moderation:
                if line is not None and line.moderated:
                    raise Conflict(_("plan {code} was already moderated").format(code=row.code))
                spread = line.spread if line is not None and line.spread is not None else Decimal("0")
                raise Conflict(_("plan {code} does not need moderation: its sheets differ by {spread} points, "
                                 "the limit is {limit}").format(code=row.code, spread=spread, limit=cohort.spread_limit))
            store.insert_moderation(tx.conn, row.id, store.staff_row(tx.conn, tx.actor.code).id, tx.today, line.spread,
                                    text)
            tx.audit("plan.moderate", "plan", row.code, after={"version": row.version, "spread": str(line.spread),
                                                                "panel_score": str(line.panel_score), "reason": text})
        return line._replace(needs_moderation=False, moderated=True)

    def shortlist(self, cohort: str, *, min_score=None, top=None) -> Shortlist:
        """Shortlist the cohort's scored plans with a panel score of at least ``min_score``,
        or the ``top`` best (plans tied at the cut all go in); the other scored plans
        become not_selected. Refused while a plan needs moderation or a submitted plan
        has too few sheets. Fires ``plan_shortlisted`` once per plan shortlisted."""
        if (min_score is None) == (top is None):
            raise InvalidInput(_("give either {min_score} or {top}").format(min_score=param("min_score"), top=param("top")))
        if min_score is not None:
            min_score = parse_decimal(min_score)
            if not 0 <= min_score <= 100:
                raise InvalidInput(_("min-score must be between 0 and 100, not {n}").format(n=min_score))
        if top is not None:
            top = parse_whole(top)
            if top < 1:
                raise InvalidInput(_("top must be 1 or more, not {n}").format(n=top))
        with self.ctx.transaction() as tx:
            tx.require("plans.shortlist")
            row = store.cohort_row(tx.conn, cohort)
            require_moderator(tx, row.id, row.code)
            store.lock(tx.conn, bp_cohort, row.id)  # one shortlisting at a time
            lines = cohort_ranking(tx.conn, row)
            flagged = [r.plan for r in lines if r.needs_moderation and r.status in SCORABLE]
            if flagged:
                raise Conflict(_("{n} plan(s) of {cohort} need moderation first: {plans}").format(n=len(flagged), cohort=row.code, plans=", ".join(flagged)))
            waiting = [f"{r.plan} ({r.sheets}/{row.min_sheets})" for r in lines
                       if r.status == PlanStatus.SUBMITTED and not r.counted]
            if waiting:
                raise Conflict(_("{n} submitted plan(s) of {cohort} have fewer than {m} score sheets: {plans}; "
                                 "score them or return them for revision first").format(
                    n=len(waiting), cohort=row.code, m=row.min_sheets, plans=", ".join(waiting)))
            candidates = [r for r in lines if r.status == PlanStatus.SCORED and r.counted]
            if not candidates:
                raise Conflict(_("cohort {cohort} has no scored plan waiting for a decision").format(cohort=row.code))
            if min_score is not None:
                chosen = [r for r in candidates if r.panel_score >= min_score]
                tie = False
            else:
                cut = candidates[min(top, len(candidates)) - 1].panel_score
                chosen = [r for r in candidates if r.panel_score >= cut]
                tie = len(chosen) > top
            picked = {r.plan for r in chosen}
            rest = [r for r in candidates if r.plan not in picked]
            _decide(tx, row.id, chosen, rest)
            for line in chosen:
                tx.emit("plan_shortlisted", plan=line.summary(PlanStatus.SHORTLISTED.value))
        return Shortlist(row.code, [r._replace(status="shortlisted") for r in chosen],
                         [r._replace(status="not_selected") for r in rest], tie)


    def undo_shortlist(self, cohort: str, reason: str) -> list[str]:
        """Undo a cohort's shortlist made by mistake (an admin or the cohort's lead trainer):
        its shortlisted and not-selected plans are scored again, waiting for a new decision.
        Refused while anything rests on a shortlisted plan (a grant application made with it:
        withdraw that first). Audited with each plan's decision and the reason. Returns the
        plans' codes."""
        reason = required_reason(reason, _("the shortlist is undone"))
        with self.ctx.transaction() as tx:
            tx.require("plans.shortlist")
            row = store.cohort_row(tx.conn, cohort)
            require_moderator(tx, row.id, row.code)
            store.lock(tx.conn, bp_cohort, row.id)
            decided = store.decided_plans(tx.conn, row.id)
            if not decided:
                raise Conflict(_("cohort {cohort} has no shortlist to undo").format(cohort=row.code))
            relied = [line for plan in decided if plan.status == PlanStatus.SHORTLISTED.value
                      for answer in tx.ask("plan_relied_on", plan=plan.code) or () for line in answer or ()]
            if relied:
                raise Conflict(_("the shortlist of {cohort} cannot be undone while {rests}: withdraw that "
                                 "first").format(cohort=row.code, rests="; ".join(relied)))
            store.undecide(tx.conn, [plan.id for plan in decided])
            tx.audit_batch("plan.shortlist_undo", "plan", {
                plan.code: {"status": PlanStatus.SCORED.value, "before": plan.status, "version": plan.version}
                for plan in decided}, correction=reason)
        return [plan.code for plan in decided]


def _decide(tx, cohort_id: int, chosen: list[RankedPlan], rest: list[RankedPlan]) -> None:
    """Mark the ``chosen`` plans of a cohort shortlisted and the ``rest`` not selected, with the
    panel score they were decided with: one look-up and one statement for them all, audited
    as one event per decision and 1,000 plans (``reentry audit log --key PLAN`` shows each)."""
    decided = [(line, PlanStatus.SHORTLISTED) for line in chosen] + [(line, PlanStatus.NOT_SELECTED) for line in rest]
    store.decide(tx.conn, cohort_id, [(line.plan, line.version, status.value, line.panel_score)
                                      for line, status in decided], tx.today)
    for status, lines in ((PlanStatus.SHORTLISTED, chosen), (PlanStatus.NOT_SELECTED, rest)):
        tx.audit_batch(f"plan.{status.value}", "plan", {
            line.plan: {"status": status.value, "before": line.status, "version": line.version,
                        "panel_score": str(line.panel_score)} for line in lines})

