"""The hooks mentoring owns: its event for other plugins and the structure of what it
carries (added through ``register_hookspecs``).

A subscriber marks its implementation ``@hookimpl(optionalhook=True)`` so it still loads
when mentoring is disabled, never imports mentoring, and reads exactly the attributes of
the ``Protocol`` below; mentoring sends its own ``domain.Visit``, which has them all.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from reentry_core.sdk import hookspec


class LoggedVisit(Protocol):
    """What ``visit_logged`` tells about a visit."""

    id: int
    participant: str  # the participant's code
    mentor: str  # the mentor's staff code
    visited_on: date
    business_status: str  # a choice (a str): operating, temporarily_closed, closed, not_started
    equipment_seen: bool
    risk_flags: frozenset[str]  # choices: relapse, police_harassment, debt, family_conflict, health, housing, other


@hookspec
def visit_logged(tx, visit: LoggedVisit) -> None:
    """An event: a mentoring visit was logged; runs inside the logging transaction."""


@hookspec
def visit_relied_on(tx, visit: LoggedVisit) -> list[str]:
    """A question: what of the answering plugin rests on this visit (e.g. a tranche released
    because it verified the business), one line each; an empty list for nothing. Mentoring
    asks it before a visit is cancelled, or corrected so that it no longer verifies."""
