"""The hooks business_plans owns: its event for other plugins, its question to them, and
the structure of what each carries (added through ``register_hookspecs``).

A subscriber marks its implementation ``@hookimpl(optionalhook=True)``, so it still
loads when business_plans is disabled. A payload has one structure, the ``Protocol``
declared here: a subscriber reads exactly these attributes (never a mapping, never
``getattr`` with a default) and never imports business_plans; business_plans sends an
object of its own (``domain.PlanSummary``) that has every one of them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from reentry_core.sdk import hookspec


class ShortlistedPlan(Protocol):
    """What ``plan_shortlisted`` tells about a plan."""

    code: str
    participant: str  # the participant's code
    cohort: str
    title: str
    sector: str  # its value, e.g. "sewing"
    version: int
    panel_score: Decimal | None  # 0-100; None with too few sheets
    requested_funding: Decimal
    currency: str


@hookspec
def plan_shortlisted(tx, plan: ShortlistedPlan) -> None:
    """An event: a plan was shortlisted (once per plan); runs inside the deciding transaction."""


@hookspec
def plan_relied_on(tx, plan: str) -> list[str]:
    """A question: what of the answering plugin rests on the plan ``plan`` (its code) being
    shortlisted (e.g. a grant application made with it), one line each; an empty list for
    nothing. Asked before a cohort's shortlist is undone."""


@hookspec(firstresult=True)
def business_outcomes(conn, months: int):
    """A question (``hook.business_outcomes(conn=..., months=...)`` from a report): return a
    SQLAlchemy select of (``participant_id``, ``operating``) with one row per business whose
    ``months``-month outcome is known (operating true or false); businesses with an unknown
    outcome are left out. ``None``: nobody knows."""
