"""``ctx.grants``: the Python API of microgrants (offered through ``register_services``).

Every method is one user action: one transaction, a permission check, audit events,
and the hooks it fires. The CLI calls exactly these methods.

    grants = programme.act_as("ADM").grants
    grants.add_round("R2026", "Start-up grants 2026", budget="20000", min_grant="3000", max_grant="10000",
                     opens_on="2026-11-01", closes_on="2026-12-15", tranche_plan="60,40:verified")
"""

from __future__ import annotations

import attrs

from reentry_core.sdk import record_access

from . import store
from .applications import ApplicationsMixin
from .committee import CommitteeMixin
from .domain import Application, ConflictOfInterest, Decision, GrantRound, Override, Tranche, Vote
from .meetings import MeetingsMixin
from .payments import PaymentsMixin
from .rounds import RoundsMixin
from .tranches import TranchesMixin


@attrs.frozen
class Story:
    """Everything about one application, for ``grants show``: its round, lines,
    eligibility, conflicts, votes, decisions, tranches, overrides and its history."""

    application: Application
    round: GrantRound
    conflicts: list[ConflictOfInterest]
    votes: list[Vote]
    decisions: list[Decision]
    tranches: list[Tranche]
    overrides: list[Override]
    events: list[dict]


class GrantService(RoundsMixin, ApplicationsMixin, CommitteeMixin, MeetingsMixin, TranchesMixin, PaymentsMixin):
    """Rounds, applications, committee decisions (one by one or by a meeting's tally sheet)
    and tranches (one by one or by a payment run from finance's worklist)."""

    def __init__(self, ctx):
        self.ctx = ctx

    def story(self, code: str) -> Story:
        self.ctx.require("grants.view")
        with self.ctx.reading() as conn:
            row = store.application_row(conn, code)
            app_id, app = store.load_application(conn, code)
            rnd = store.round_from_row(conn, store.round_row(conn, round_id=row.round_id))
            story = Story(app, rnd, store.conflicts(conn, app_id, app.code),
                          store.votes(conn, app_id, app.code), store.decisions(conn, app_id, app.code),
                          store.tranches(conn, app_id, app.code, app.currency),
                          [o for _id, o in store.overrides(conn, app_id, app.code)], store.events(conn, app_id))
        if app.participant_name:  # a grant's story names the grantee
            record_access(self.ctx, "grants.show", [app.participant])
        return story


__all__ = ["GrantService", "Story"]
