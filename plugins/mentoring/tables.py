"""Mentoring's tables (prefix ``mn_``), declared on the core's shared metadata.

Languages and sectors are kept as sorted comma-separated keys (a sector key has no
comma), as the core keeps consent scopes. Money is in :class:`Money` columns (whole
minor units). A participant has at most one active mentor and one active follow-up
schedule: partial unique indexes say so on both backends.
"""

from __future__ import annotations

import sqlalchemy as sa

from reentry_core.sdk import metadata, Money

mentor = sa.Table(
    "mn_mentor",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("staff_id", sa.ForeignKey("staff.id"), nullable=False, unique=True),
    sa.Column("centre_id", sa.ForeignKey("centre.id"), nullable=False, index=True),
    sa.Column("sex", sa.String(10), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("languages", sa.String(100), nullable=False),
    sa.Column("sectors", sa.Text, nullable=False),
)

mentee = sa.Table(
    "mn_mentee",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False, unique=True),
    sa.Column("languages", sa.String(100), nullable=False),
    sa.Column("sector", sa.String(60)),
    sa.Column("same_sex_mentor", sa.Boolean),
)

assignment = sa.Table(
    "mn_assignment",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False, index=True),
    sa.Column("mentor_id", sa.ForeignKey("staff.id"), nullable=False, index=True),
    sa.Column("started_on", sa.Date, nullable=False),
    sa.Column("ended_on", sa.Date),
    sa.Column("end_reason", sa.Text),
    sa.Column("capacity_override", sa.Text),
)
sa.Index("ix_mn_assignment_one_active", assignment.c.participant_id, unique=True,
         sqlite_where=assignment.c.ended_on.is_(None), postgresql_where=assignment.c.ended_on.is_(None))

schedule = sa.Table(
    "mn_schedule",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False, index=True),
    sa.Column("grant_code", sa.String(40), unique=True),
    sa.Column("sector", sa.String(60)),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("source", sa.String(10), nullable=False),
    sa.Column("started_on", sa.Date),
    sa.Column("ended_on", sa.Date),
    sa.Column("ended_because", sa.String(20)),
    sa.Column("end_note", sa.Text),
)
sa.Index("ix_mn_schedule_one_active", schedule.c.participant_id, unique=True,
         sqlite_where=schedule.c.status == "active", postgresql_where=schedule.c.status == "active")

visit = sa.Table(
    "mn_visit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False, index=True),
    sa.Column("mentor_id", sa.ForeignKey("staff.id"), nullable=False, index=True),
    sa.Column("schedule_id", sa.ForeignKey("mn_schedule.id"), nullable=False, index=True),
    sa.Column("visited_on", sa.Date, nullable=False, index=True),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("business_status", sa.String(20), nullable=False),
    sa.Column("revenue", Money),
    sa.Column("costs", Money),
    sa.Column("owners", sa.Integer),
    sa.Column("family_workers", sa.Integer),
    sa.Column("hired_workers", sa.Integer),
    sa.Column("equipment_seen", sa.Boolean, nullable=False),
    sa.Column("discussed", sa.Text),
    sa.Column("advice", sa.Text),
    sa.Column("next_steps", sa.Text),
    sa.Column("risk_note", sa.Text),
)

due_visit = sa.Table(
    "mn_due_visit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("schedule_id", sa.ForeignKey("mn_schedule.id"), nullable=False),
    sa.Column("months", sa.Integer, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False, index=True),
    sa.Column("window_start", sa.Date, nullable=False),
    sa.Column("window_end", sa.Date, nullable=False),
    sa.Column("visit_id", sa.ForeignKey("mn_visit.id"), unique=True),
    sa.Column("fulfilment", sa.String(10)),
    sa.UniqueConstraint("schedule_id", "months"),
)

visit_risk = sa.Table(
    "mn_visit_risk",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("visit_id", sa.ForeignKey("mn_visit.id"), nullable=False),
    sa.Column("flag", sa.String(20), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("referral_id", sa.ForeignKey("referral.id")),
    sa.UniqueConstraint("visit_id", "flag"),
)

#: Mentoring's tables, as answered to ``register_tables``.
TABLES = (mentor, mentee, assignment, schedule, visit, due_visit, visit_risk)
