"""The hooks microgrants owns: its events, its questions to other plugins, and the one
structure of everything they carry (added through ``register_hookspecs``).

Events are fired with ``tx.emit`` and answer nothing; questions are asked with ``tx.ask``
(``firstresult``: the first answer that is not ``None`` counts). A plugin that answers or
listens marks its implementation ``@hookimpl(optionalhook=True)``, so it still loads when
microgrants is disabled, and never imports microgrants: it reads exactly the attributes of
the ``Protocol`` declared here (no mapping, no ``getattr`` with a default). microgrants
sends its own attrs objects (``domain.Application``, ``domain.Tranche``; on finance's
worklist ``payments.AskedGrant``, made from the worklist's row), which have every one of
them, and reads an answer the same way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from reentry_core.sdk import Participant, hookspec


class ApprovedGrant(Protocol):
    """An application as the events tell it (``grant_approved``, ``tranche_released``,
    ``tranche_verification``)."""

    code: str
    participant: str  # the participant's code
    round: str
    amount_approved: Decimal | None
    currency: str
    decided_on: date | None
    plan: str | None  # the linked plan's code
    sector: str | None


class ReleasedTranche(Protocol):
    """A tranche (``tranche_released``; for ``tranche_verification`` the one about to go out)."""

    number: int  # 1 = the first
    amount: Decimal
    currency: str
    released_on: date
    method: str


class PlanForGrant(Protocol):
    """The answer to ``grant_plan``: the plan to link to a new application."""

    code: str
    version: int
    title: str
    sector: str
    panel_score: Decimal | None
    status: str


class VisitEvidence(Protocol):
    """The answer to ``tranche_verification``: a visit that verified the business."""

    reference: str  # e.g. "mentoring visit 12"
    visited_on: date
    mentor: str  # the staff code
    note: str


@hookspec(firstresult=True)
def grant_plan(tx, participant: Participant) -> PlanForGrant | None:
    """A question: the business plan to link to a new application of ``participant``, or ``None``."""


@hookspec
def grant_approved(tx, application: ApprovedGrant) -> None:
    """An event: a committee decision approved ``application``; runs inside the deciding transaction."""


@hookspec
def tranche_released(tx, application: ApprovedGrant, tranche: ReleasedTranche) -> None:
    """An event: a tranche of ``application`` was recorded; runs inside the recording transaction."""


@hookspec(firstresult=True)
def tranche_verification(tx, application: ApprovedGrant, tranche: ReleasedTranche,
                         since: date) -> VisitEvidence | None:
    """A question: evidence of a visit on or after ``since`` (a ``date``) that verified the
    business, or ``None``. Also asked inside a transaction that only reads: an answer must not write."""


@hookspec(firstresult=True)
def tranche_verifications(tx, asked: list[tuple[ApprovedGrant, ReleasedTranche, date]]) -> list | None:
    """A question, ``tranche_verification`` for many tranches at once (finance's worklist, in
    a few queries instead of one per grant): for each ``(application, tranche, since)`` of
    ``asked``, in order, the ``VisitEvidence`` that ``tranche_verification`` would answer, or
    ``None``. Asked only when every plugin that answers ``tranche_verification`` answers this
    too; otherwise the worklist asks ``tranche_verification`` grant by grant. Must not write."""
