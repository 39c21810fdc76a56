"""``ctx.plans``: the business_plans Python API, and the answers it gives other plugins
(eligibility, the plan to link to a grant application).

    plans = programme.act_as("TR1").plans
    plans.add_cohort("DSH-26A", "DSH", "Autumn 2026", "2026-09-01", "2026-11-30", ["TR1", "TR2"])
    plans.enrol("DSH-26A", ["DSH-2026-0001"])
    plans.score("DSH-26A-P001", {"market_understanding": 4, ...})
    plans.ranking("DSH-26A")
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

import sqlalchemy as sa

from reentry_core.sdk import _, InvalidInput, parse_decimal

from . import store
from .calibration import CalibrationService
from .domain import PlanStatus, PlanSummary
from .planning import PlanningService
from .agreement import AgreementService
from .conflicts import ConflictService
from .ranking import RankingService, cohort_ranking
from .rubrics import RubricService
from .scoring import ScoringService
from .sheets import SheetsService
from .training import TrainingService


class PlansService(TrainingService, PlanningService, RubricService, ConflictService, ScoringService, RankingService,
                   AgreementService, CalibrationService, SheetsService):
    """Training cohorts, business plans, rubric scoring, ranking, agreement and calibration rounds."""

    def __init__(self, ctx):
        self.ctx = ctx


# --- answers to other plugins -------------------------------------------------------------

DECIDED = (PlanStatus.SCORED.value, PlanStatus.SHORTLISTED.value, PlanStatus.NOT_SELECTED.value)


def _panel_score(conn: sa.Connection, row) -> Decimal | None:
    """The score a plan was decided with, or its cohort's current panel score for it."""
    if row.panel_score is not None:
        return row.panel_score
    cohort = store.cohort_row(conn, row.cohort_code)
    line = next((r for r in cohort_ranking(conn, cohort) if r.plan == row.code), None)
    return line.panel_score if line else None


def _summary(conn: sa.Connection, row) -> PlanSummary:
    return PlanSummary(row.code, row.participant_code, row.cohort_code, row.title, row.sector, row.version,
                       _panel_score(conn, row), row.requested_funding, row.currency, row.status)


def grant_plan(tx, participant) -> PlanSummary | None:
    """The plan to link to a grant application: the shortlisted one, else the most recent
    submitted plan; ``None`` if the participant has none."""
    person = store.participant_row(tx.conn, participant.code)
    for statuses in ((PlanStatus.SHORTLISTED.value,), store.RANKED_STATUSES + (PlanStatus.NEEDS_REVISION.value,)):
        rows = store.participant_plans(tx.conn, person.id, statuses)
        if rows:
            return _summary(tx.conn, rows[0])
    return None


def eligibility_problems(tx, participant, requirements: Mapping[str, Any]) -> list[str]:
    """One reason per requirement of ours that ``participant`` does not meet."""
    conn = tx.conn
    person = store.participant_row(conn, participant.code)
    code = person.code
    problems = []
    if requirements.get("training_completed"):
        done = store.participant_completions(conn, person.id)
        if not done:
            problems.append(_("{code} is not enrolled in any business-training cohort").format(code=code))
        elif not any(c.completed for _cohort, c in done):
            cohort, c = done[-1]
            problems.append(_("{code} has not completed business training: present at {present} of {held} held "
                              "sessions of {cohort}, {threshold}% needed").format(
                code=code, present=c.present, held=c.held, cohort=cohort, threshold=c.threshold))
    if requirements.get("shortlisted_plan"):
        if not store.participant_plans(conn, person.id, (PlanStatus.SHORTLISTED.value,)):
            latest = store.participant_plans(conn, person.id, [s.value for s in PlanStatus])
            problems.append(_("{code} has no shortlisted business plan{now}").format(
                code=code, now=_(" (plan {plan} is {status})").format(plan=latest[0].code, status=latest[0].status)
                if latest else ""))
    minimum = requirements.get("min_plan_score")
    if minimum is not None and minimum is not False:
        try:
            minimum = parse_decimal(minimum)
        except InvalidInput:
            minimum = None
        if minimum is None or not 0 <= minimum <= 100:
            raise InvalidInput(_("min_plan_score {value!r} must be a number from 0 to 100").format(
                value=str(requirements.get("min_plan_score"))))
        rows = (store.participant_plans(conn, person.id, (PlanStatus.SHORTLISTED.value,))
                or store.participant_plans(conn, person.id, DECIDED))
        score = _panel_score(conn, rows[0]) if rows else None
        if score is None:
            problems.append(_("{code} has no scored business plan (a plan score of at least {n} is required)").format(
                code=code, n=minimum))
        elif score < minimum:
            problems.append(_("{code}'s plan {plan} scored {score}, below the required {n}").format(
                code=code, plan=rows[0].code, score=score, n=minimum))
    return problems
