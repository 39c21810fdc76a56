"""The events business_plans fires for other plugins (added through ``register_hookspecs``).

A subscriber marks its implementation ``@hookimpl(optionalhook=True)``, so it still
loads when business_plans is disabled, and reads only the attributes listed in
``docs/plugins.md`` ("Hooks between the built-in plugins").
"""

from __future__ import annotations

from reentry_core.sdk import hookspec


@hookspec
def plan_shortlisted(tx, plan):
    """A plan was shortlisted (once per plan); ``plan`` has code, participant, cohort, title, sector, version, panel_score, requested_funding, currency."""


@hookspec(firstresult=True)
def business_outcomes(conn, months):
    """Return a SQLAlchemy select of (participant_id, operating) with one row per business whose ``months``-month outcome is known (operating true or false); businesses with an unknown outcome are left out."""
