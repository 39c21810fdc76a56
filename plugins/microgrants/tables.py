"""The microgrants tables (prefix ``mg_``), declared on the core's one ``metadata``.

Amounts are :class:`~reentry_core.storage.types.Money` columns (exact, ``SUM`` stays a
``Decimal``). Scores, quantities and exchange rates are :class:`ExactDecimal`: the
number's text, so SQLite never turns them into floats.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from reentry_core.sdk import metadata, Money, UtcDateTime


class ExactDecimal(sa.types.TypeDecorator):
    """A ``Decimal`` kept as its text: exact on every backend. Not summed in SQL."""

    impl = sa.String(30)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else format(Decimal(value), "f")

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


def _staff(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.ForeignKey("staff.id"), nullable=nullable)


def _application() -> sa.Column:
    return sa.Column("application_id", sa.ForeignKey("mg_application.id"), nullable=False, index=True)


grant_round = sa.Table(
    "mg_round",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("donors", sa.Text, nullable=False),  # JSON list of names
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("budget", Money, nullable=False),
    sa.Column("min_grant", Money, nullable=False),
    sa.Column("max_grant", Money, nullable=False),
    sa.Column("opens_on", sa.Date, nullable=False),
    sa.Column("closes_on", sa.Date, nullable=False),
    sa.Column("require_shortlisted_plan", sa.Boolean, nullable=False),
    sa.Column("require_training", sa.Boolean, nullable=False),
    sa.Column("min_plan_score", ExactDecimal),
    sa.Column("quorum", sa.Integer, nullable=False),
    sa.Column("rule", sa.String(30), nullable=False),
    sa.Column("tranche_plan", sa.String(200), nullable=False),  # e.g. 60,40:verified
    sa.Column("status", sa.String(10), nullable=False),
    # a recorded tranche waits for a second person's confirmation (maker-checker)
    sa.Column("four_eyes", sa.Boolean, nullable=False, server_default=sa.true()),
    # days a verified part waits after the verifying visit (0: none)
    sa.Column("visit_wait_days", sa.Integer, nullable=False, server_default="0"),
)

committee_member = sa.Table(
    "mg_committee_member",
    metadata,
    sa.Column("round_id", sa.ForeignKey("mg_round.id"), primary_key=True),
    sa.Column("staff_id", sa.ForeignKey("staff.id"), primary_key=True),
    sa.Column("added_on", sa.Date, nullable=False),
)

application = sa.Table(
    "mg_application",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("round_id", sa.ForeignKey("mg_round.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False, index=True),
    sa.Column("status", sa.String(15), nullable=False),
    sa.Column("own_contribution", Money, nullable=False),
    sa.Column("requested", Money, nullable=False),
    sa.Column("created_on", sa.Date, nullable=False),
    _staff("created_by"),
    sa.Column("submitted_on", sa.Date),
    sa.Column("eligibility_problems", sa.Text),  # JSON list, when found ineligible
    sa.Column("plan_code", sa.String(40)),
    sa.Column("plan_version", sa.Integer),
    sa.Column("plan_title", sa.String(200)),
    sa.Column("plan_sector", sa.String(80)),
    sa.Column("plan_score", ExactDecimal),
    sa.Column("plan_status", sa.String(30)),
    sa.Column("amount_approved", Money),
    sa.Column("amount_granted", Money),
    sa.Column("approved_on", sa.Date),
    sa.Column("closed_on", sa.Date),
    sa.Column("close_reason", sa.Text),
    sa.UniqueConstraint("round_id", "number"),
)

budget_line = sa.Table(
    "mg_budget_line",
    metadata,
    sa.Column("application_id", sa.ForeignKey("mg_application.id"), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("item", sa.String(200), nullable=False),
    sa.Column("quantity", ExactDecimal, nullable=False),
    sa.Column("unit_cost", Money, nullable=False),
    sa.Column("total", Money, nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("supplier", sa.String(200)),
)

conflict = sa.Table(
    "mg_conflict",
    metadata,
    sa.Column("application_id", sa.ForeignKey("mg_application.id"), primary_key=True),
    sa.Column("staff_id", sa.ForeignKey("staff.id"), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("note", sa.Text),
    _staff("recorded_by"),
    sa.Column("recorded_on", sa.Date, nullable=False),
)

vote = sa.Table(
    "mg_vote",
    metadata,
    sa.Column("application_id", sa.ForeignKey("mg_application.id"), primary_key=True),
    sa.Column("staff_id", sa.ForeignKey("staff.id"), primary_key=True),
    sa.Column("choice", sa.String(10), nullable=False),
    sa.Column("amount", Money),
    sa.Column("reason", sa.String(30)),
    sa.Column("note", sa.Text),
    sa.Column("cast_on", sa.Date, nullable=False),
    sa.Column("changed_on", sa.Date),
)

decision = sa.Table(
    "mg_decision",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _application(),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("outcome", sa.String(10), nullable=False),
    sa.Column("amount", Money),
    sa.Column("decided_on", sa.Date, nullable=False),
    _staff("decided_by"),
    sa.Column("valid_votes", sa.Integer, nullable=False),
    sa.Column("approve_votes", sa.Integer, nullable=False),
    sa.Column("reject_votes", sa.Integer, nullable=False),
    sa.Column("abstain_votes", sa.Integer, nullable=False),
    sa.Column("quorum", sa.Integer, nullable=False),
    sa.Column("rule", sa.String(30), nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
)

override = sa.Table(
    "mg_override",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _application(),
    sa.Column("reason", sa.Text, nullable=False),
    _staff("granted_by"),
    sa.Column("granted_on", sa.Date, nullable=False),
)

tranche = sa.Table(
    "mg_tranche",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _application(),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("amount", Money, nullable=False),
    sa.Column("released_on", sa.Date, nullable=False),
    sa.Column("method", sa.String(15), nullable=False),
    sa.Column("items", sa.Text),
    sa.Column("supplier", sa.String(200)),
    sa.Column("receipt", sa.String(60)),
    sa.Column("reference", sa.String(60)),
    sa.Column("eur_rate", ExactDecimal),
    sa.Column("amount_eur", Money),
    # a round in another currency than TJS: TJS per unit of it that day, and the amount in TJS
    # (for money totals in TJS; empty for a TJS round or when not recorded)
    sa.Column("tjs_rate", ExactDecimal),
    sa.Column("amount_tjs", Money),
    _staff("recorded_by"),
    sa.Column("verification_reference", sa.String(200)),
    sa.Column("verified_on", sa.Date),
    sa.Column("verified_by", sa.String(60)),
    sa.Column("verification_note", sa.Text),
    sa.Column("override_id", sa.ForeignKey("mg_override.id"), unique=True),
    # pending (recorded, waiting for a second person), confirmed, or reversed (see reversal)
    sa.Column("status", sa.String(10), nullable=False, server_default="confirmed"),
    _staff("confirmed_by", nullable=True),
    sa.Column("confirmed_on", sa.Date),
    sa.UniqueConstraint("application_id", "number"),
)

# The counter-entry that reverses a wrong tranche: the tranche is never deleted nor changed
# but for its status; its number is never used again.
tranche_reversal = sa.Table(
    "mg_tranche_reversal",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tranche_id", sa.ForeignKey("mg_tranche.id"), nullable=False, unique=True),
    sa.Column("amount", Money, nullable=False),  # the tranche's amount, taken back
    sa.Column("reason", sa.Text, nullable=False),
    _staff("reversed_by"),
    sa.Column("reversed_on", sa.Date, nullable=False),
)

# Every change of an application's state, with who and when: the story `grants show` tells.
event = sa.Table(
    "mg_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _application(),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("happened_on", sa.Date, nullable=False),
    _staff("actor_id"),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("note", sa.Text),
)

TABLES = (grant_round, committee_member, application, budget_line, conflict, vote, decision, override, tranche,
          tranche_reversal, event)
