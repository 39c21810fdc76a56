"""The figures business_plans adds to donor reports: unit-record queries the core counts
and disaggregates (see ``docs/plugins.md``, "Indicators")."""

from __future__ import annotations

from reentry_core.sdk import _

from . import store
from .domain import PlanStatus


def register(register):
    register("plans.enrolled", _("People enrolled in business training"),
             _("Participants enrolled in a business-training cohort in the period (by enrolment date)."),
             store.enrolled_query,
             aggregate="people", unit="people")
    register("plans.training_completed", _("People who completed business training"),
             _("Participants present at the cohort's completion threshold (default 80%) of its held sessions, "
               "for cohorts ending in the period."),
             store.completed_training_query, aggregate="people", unit="people", funnel_stage=20)
    register("plans.submitted", _("Business plans submitted"),
             _("Plans first submitted in the period; a resubmission is a new version of the same plan, not "
               "counted again."),
             store.submitted_query,
             aggregate="count", unit="plans")
    register("plans.scored", _("Business plans scored"),
             _("Plans that reached the cohort's minimum number of score sheets in the period (first time)."),
             store.scored_query, aggregate="count", unit="plans")
    register("plans.shortlisted", _("Business plans shortlisted"),
             _("Plans shortlisted in the period."),
             lambda period: store.decided_query(period, [PlanStatus.SHORTLISTED]), aggregate="count", unit="plans", funnel_stage=30)
    register("plans.mean_panel_score", _("Mean panel score"),
             _("Mean panel score (0-100) of the plans shortlisted or not selected in the period, as decided."),
             lambda period: store.decided_query(period, [PlanStatus.SHORTLISTED, PlanStatus.NOT_SELECTED]),
             aggregate="mean", unit="points")
