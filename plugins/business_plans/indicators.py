"""The figures business_plans adds to donor reports: unit-record queries the core counts
and disaggregates (see ``docs/plugins.md``, "Indicators")."""

from __future__ import annotations

import sqlalchemy as sa

from reentry_core.sdk import _

from .domain import AttendanceMark, PlanStatus
from .tables import bp_attendance, bp_cohort, bp_enrolment, bp_plan, bp_plan_version, bp_session

v = bp_plan_version


def completed_training(period):
    """One row per participant and cohort completed: present at the cohort's threshold of
    held sessions, the cohort ending in the period."""
    held = (sa.select(bp_session.c.cohort_id, sa.func.count(sa.distinct(bp_attendance.c.session_id)).label("held"))
            .select_from(bp_attendance.join(bp_session)).group_by(bp_session.c.cohort_id).subquery("held"))
    present = (sa.select(bp_session.c.cohort_id, bp_attendance.c.participant_id, sa.func.count().label("present"))
               .select_from(bp_attendance.join(bp_session))
               .where(bp_attendance.c.mark == AttendanceMark.PRESENT.value)
               .group_by(bp_session.c.cohort_id, bp_attendance.c.participant_id).subquery("present"))
    return (sa.select(present.c.participant_id)
            .select_from(present.join(held, held.c.cohort_id == present.c.cohort_id)
                         .join(bp_cohort, bp_cohort.c.id == present.c.cohort_id))
            .where(present.c.present * 100 >= bp_cohort.c.completion_threshold * held.c.held,
                   period.covers(bp_cohort.c.end_date)))


def plans_scored(period):
    """One row per plan, on the day it was first scored (any version)."""
    first = (sa.select(v.c.plan_id, sa.func.min(v.c.scored_on).label("scored_on"))
             .where(v.c.scored_on.is_not(None)).group_by(v.c.plan_id).subquery("first"))
    return (sa.select(bp_plan.c.participant_id).select_from(first.join(bp_plan, bp_plan.c.id == first.c.plan_id))
            .where(period.covers(first.c.scored_on)))


def _decided(period, *statuses):
    return (sa.select(bp_plan.c.participant_id, v.c.panel_score.label("value"))
            .select_from(v.join(bp_plan, bp_plan.c.id == v.c.plan_id))
            .where(v.c.status.in_([s.value for s in statuses]), period.covers(v.c.decided_on)))


def register(register):
    register("plans.enrolled", _("People enrolled in business training"),
             _("Participants enrolled in a business-training cohort in the period (by enrolment date)."),
             lambda period: sa.select(bp_enrolment.c.participant_id).where(period.covers(bp_enrolment.c.enrolled_on)),
             aggregate="people", unit="people")
    register("plans.training_completed", _("People who completed business training"),
             _("Participants present at the cohort's completion threshold (default 80%) of its held sessions, "
               "for cohorts ending in the period."),
             completed_training, aggregate="people", unit="people", funnel_stage=20)
    register("plans.submitted", _("Business plans submitted"),
             _("Plans first submitted in the period; a resubmission is a new version of the same plan, not "
               "counted again."),
             lambda period: sa.select(bp_plan.c.participant_id).select_from(v.join(bp_plan))
             .where(v.c.version == 1, v.c.submitted_on.is_not(None), period.covers(v.c.submitted_on)),
             aggregate="count", unit="plans")
    register("plans.scored", _("Business plans scored"),
             _("Plans that reached the cohort's minimum number of score sheets in the period (first time)."),
             plans_scored, aggregate="count", unit="plans")
    register("plans.shortlisted", _("Business plans shortlisted"),
             _("Plans shortlisted in the period."),
             lambda period: _decided(period, PlanStatus.SHORTLISTED), aggregate="count", unit="plans", funnel_stage=30)
    register("plans.mean_panel_score", _("Mean panel score"),
             _("Mean panel score (0-100) of the plans shortlisted or not selected in the period, as decided."),
             lambda period: _decided(period, PlanStatus.SHORTLISTED, PlanStatus.NOT_SELECTED),
             aggregate="mean", unit="points")
