"""The plugin's tables, on the one shared metadata, prefixed ``savings_``."""

from __future__ import annotations

import sqlalchemy as sa

from reentry_core.sdk import metadata, Money

group = sa.Table(
    "savings_group", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("centre_id", sa.ForeignKey("centre.id"), nullable=False, index=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("formed_on", sa.Date, nullable=False),
)

member = sa.Table(
    "savings_member", metadata,
    sa.Column("group_id", sa.ForeignKey("savings_group.id"), primary_key=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), primary_key=True),
    sa.Column("joined_on", sa.Date, nullable=False),
)

deposit = sa.Table(
    "savings_deposit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("group_id", sa.ForeignKey("savings_group.id"), nullable=False, index=True),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False, index=True),
    sa.Column("paid_on", sa.Date, nullable=False),
    sa.Column("amount", Money, nullable=False),
)

TABLES = (group, member, deposit)
