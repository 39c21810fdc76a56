"""Who sits on a cohort's panel and who moderates it: the checks the scoring, ranking,
planning and calibration services share."""

from __future__ import annotations

import sqlalchemy as sa

from reentry_core.sdk import _, InvalidInput, normalise_optional_text, PermissionDenied, Role

from . import store


def moderated_plan(tx, code: str, reason: str, ask: str):
    """The plan ``code`` (current version) and the reason given, if the acting staff member
    may moderate its cohort; ``ask`` is the line shown when the reason is missing."""
    text = normalise_optional_text(reason)
    if not text:
        raise InvalidInput(ask)
    tx.require("plans.moderate")
    row = store.plan_row(tx.conn, code)
    require_moderator(tx, row.cohort_id, row.cohort_code)
    return row, text


def require_moderator(tx, cohort_id: int, cohort_code: str) -> None:
    """An admin, or the cohort's lead trainer."""
    if Role.ADMIN in tx.actor.roles:
        return
    lead = next((code for code, is_lead, _sid in store.cohort_trainers(tx.conn, cohort_id) if is_lead), None)
    if tx.actor.code != lead:
        raise PermissionDenied(_("{code} may not moderate cohort {cohort}: only an admin or its lead trainer "
                                 "({lead}) may").format(code=tx.actor.code, cohort=cohort_code, lead=lead))


def require_panel_member(conn: sa.Connection, cohort, staff, code: str, roles) -> None:
    """The acting staff member (``staff`` their row, ``roles`` theirs) is a trainer of the cohort."""
    trainers = store.cohort_trainers(conn, cohort.id)
    if staff.id not in [sid for _c, _lead, sid in trainers] or Role.TRAINER not in roles:
        raise PermissionDenied(_("{code} is not a trainer of cohort {cohort} (its trainers: {trainers}); only they "
                                 "score its plans").format(code=code, cohort=cohort.code,
                                                           trainers=", ".join(c for c, _l, _s in trainers)))
