"""The business_plans tables (prefix ``bp_``), on the core's shared metadata.

Each score sheet stores its weighted total (in hundredths of a point) when it is
written, and each plan version keeps the count, sum, lowest and highest of its sheets'
totals, updated in the same transaction: ranking a cohort reads one row per plan,
whatever the rubric and however many trainers.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from reentry_core.sdk import metadata, Money


class Fixed(sa.types.TypeDecorator):
    """A decimal with a fixed number of places, stored exactly as a scaled BIGINT (SQLite's
    NUMERIC is a float). ``Fixed(2)`` holds points like 73.33 as 7333."""

    impl = sa.BigInteger
    cache_ok = True

    def __init__(self, places: int):
        super().__init__()
        self.places = places

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimals")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places)


Points = Fixed(2)

bp_rubric = sa.Table(
    "bp_rubric", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("scale_min", sa.Integer, nullable=False),
    sa.Column("scale_max", sa.Integer, nullable=False),
    sa.Column("added_on", sa.Date, nullable=False),
    sa.UniqueConstraint("key", "version", name="uq_bp_rubric_key_version"),
)

bp_criterion = sa.Table(
    "bp_criterion", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("rubric_id", sa.ForeignKey("bp_rubric.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("key", sa.String(40), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("weight", Fixed(3), nullable=False),
    sa.Column("description", sa.Text),
    sa.UniqueConstraint("rubric_id", "key", name="uq_bp_criterion_rubric_id_key"),
)

bp_cohort = sa.Table(
    "bp_cohort", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("centre_id", sa.ForeignKey("centre.id"), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("rubric_id", sa.ForeignKey("bp_rubric.id"), nullable=False),
    sa.Column("completion_threshold", sa.Integer, nullable=False),
    sa.Column("min_sheets", sa.Integer, nullable=False),
    sa.Column("spread_limit", Points, nullable=False),
    sa.Column("normalise", sa.Boolean, nullable=False),
)

bp_cohort_trainer = sa.Table(
    "bp_cohort_trainer", metadata,
    sa.Column("cohort_id", sa.ForeignKey("bp_cohort.id"), primary_key=True),
    sa.Column("staff_id", sa.ForeignKey("staff.id"), primary_key=True),
    sa.Column("lead", sa.Boolean, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

bp_session = sa.Table(
    "bp_session", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("cohort_id", sa.ForeignKey("bp_cohort.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("topic", sa.String(30), nullable=False),
    sa.UniqueConstraint("cohort_id", "number", name="uq_bp_session_cohort_id_number"),
)

bp_enrolment = sa.Table(
    "bp_enrolment", metadata,
    sa.Column("cohort_id", sa.ForeignKey("bp_cohort.id"), primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), primary_key=True),
    sa.Column("enrolled_on", sa.Date, nullable=False),
    sa.Index("ix_bp_enrolment_participant", "participant_id"),
)

bp_attendance = sa.Table(
    "bp_attendance", metadata,
    sa.Column("session_id", sa.ForeignKey("bp_session.id"), primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), primary_key=True),
    sa.Column("mark", sa.String(10), nullable=False),
)

bp_plan = sa.Table(
    "bp_plan", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(30), nullable=False, unique=True),
    sa.Column("cohort_id", sa.ForeignKey("bp_cohort.id"), nullable=False),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    sa.UniqueConstraint("cohort_id", "participant_id", name="uq_bp_plan_cohort_id_participant_id"),
    sa.Index("ix_bp_plan_participant", "participant_id"),
)

bp_plan_version = sa.Table(
    "bp_plan_version", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("plan_id", sa.ForeignKey("bp_plan.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("sector", sa.String(20), nullable=False),
    sa.Column("summary", sa.Text),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("own_contribution", Money, nullable=False),
    sa.Column("requested_funding", Money, nullable=False),
    sa.Column("monthly_revenue", Money, nullable=False),
    sa.Column("monthly_costs", Money, nullable=False),
    sa.Column("total_cost", Money, nullable=False),
    sa.Column("created_on", sa.Date, nullable=False),
    sa.Column("submitted_on", sa.Date),
    sa.Column("scored_on", sa.Date),
    sa.Column("decided_on", sa.Date),
    sa.Column("panel_score", Points),  # the score it was decided with
    sa.Column("note", sa.Text),
    # its sheets' count, sum, lowest and highest total: updated with every sheet written
    sa.Column("sheets", sa.Integer, nullable=False),
    sa.Column("sheet_sum", Points, nullable=False),
    sa.Column("sheet_low", Points),
    sa.Column("sheet_high", Points),
    sa.UniqueConstraint("plan_id", "version", name="uq_bp_plan_version_plan_id_version"),
)

bp_cost_item = sa.Table(
    "bp_cost_item", metadata,
    sa.Column("version_id", sa.ForeignKey("bp_plan_version.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("item", sa.String(200), nullable=False),
    sa.Column("quantity", Fixed(3), nullable=False),
    sa.Column("unit_cost", Money, nullable=False),
)

bp_conflict = sa.Table(
    "bp_conflict", metadata,
    sa.Column("staff_id", sa.ForeignKey("staff.id"), primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("declared_on", sa.Date, nullable=False),
)

bp_sheet = sa.Table(
    "bp_sheet", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version_id", sa.ForeignKey("bp_plan_version.id"), nullable=False),
    sa.Column("trainer_id", sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("rubric_id", sa.ForeignKey("bp_rubric.id"), nullable=False),
    sa.Column("total", Points, nullable=False),  # weighted, 0–100, stored when written
    sa.Column("comment", sa.Text),
    sa.Column("scored_on", sa.Date, nullable=False),
    sa.UniqueConstraint("version_id", "trainer_id", name="uq_bp_sheet_version_id_trainer_id"),
    sa.Index("ix_bp_sheet_trainer", "trainer_id"),
)

bp_score = sa.Table(
    "bp_score", metadata,
    sa.Column("sheet_id", sa.ForeignKey("bp_sheet.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("criterion_id", sa.ForeignKey("bp_criterion.id"), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text),
)

bp_moderation = sa.Table(
    "bp_moderation", metadata,
    sa.Column("version_id", sa.ForeignKey("bp_plan_version.id"), primary_key=True),
    sa.Column("moderator_id", sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("resolved_on", sa.Date, nullable=False),
    sa.Column("spread", Points, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

# --- calibration rounds: anonymised earlier plans the panel scores before a cohort is scored -----

bp_calibration_round = sa.Table(
    "bp_calibration_round", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(30), nullable=False, unique=True),  # DSH-26A-CAL1
    sa.Column("cohort_id", sa.ForeignKey("bp_cohort.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("band", Points, nullable=False),  # rubric points per criterion
    sa.Column("created_by", sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("created_on", sa.Date, nullable=False),
    sa.UniqueConstraint("cohort_id", "number", name="uq_bp_calibration_round_cohort_id_number"),
)

bp_calibration_plan = sa.Table(
    "bp_calibration_plan", metadata,
    sa.Column("round_id", sa.ForeignKey("bp_calibration_round.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),  # C1, C2, …
    sa.Column("version_id", sa.ForeignKey("bp_plan_version.id"), nullable=False),
    sa.UniqueConstraint("round_id", "version_id", name="uq_bp_calibration_plan_round_id_version_id"),
)

#: Calibration scores, apart from the score sheets: they never touch a ranking or a status.
bp_calibration_score = sa.Table(
    "bp_calibration_score", metadata,
    sa.Column("round_id", sa.Integer, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("trainer_id", sa.ForeignKey("staff.id"), primary_key=True),
    sa.Column("criterion_id", sa.ForeignKey("bp_criterion.id"), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
    sa.Column("scored_on", sa.Date, nullable=False),
    sa.ForeignKeyConstraint(["round_id", "position"],
                            ["bp_calibration_plan.round_id", "bp_calibration_plan.position"]),
)

TABLES = (bp_rubric, bp_criterion, bp_cohort, bp_cohort_trainer, bp_session, bp_enrolment, bp_attendance, bp_plan,
          bp_plan_version, bp_cost_item, bp_conflict, bp_sheet, bp_score, bp_moderation, bp_calibration_round,
          bp_calibration_plan, bp_calibration_score)
