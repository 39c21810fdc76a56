"""Referrals to other services (lawyer, psychologist, drug treatment …) and their status loop.

A referral passes a person's details to someone outside the programme, so it needs a
consent in force that covers ``referrals``.
"""

from __future__ import annotations

from datetime import date

import attrs
import sqlalchemy as sa

from .. import privacy
from ..convert import parse_date, structure, unstructure
from ..domain import (
    REFERRAL_TRANSITIONS, ConsentScope, ParticipantStatus, Referral, ReferralStatus, ServiceType, required_reason,
)
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..i18n import _
from ..storage import tables as t
from ..storage.locks import for_update
from .participant_store import current_consent, resolve_code
from ..words import date_text

_R = t.referral
_P = t.participant


def _select():
    return sa.select(_R, _P.c.code.label("participant_code"), _P.c.centre_id).select_from(_R.join(_P))


def _from_row(row) -> Referral:
    return Referral(
        participant=row.participant_code, service_type=row.service_type, to_whom=row.to_whom, reason=row.reason,
        opened_on=row.opened_on, status=row.status, accepted_on=row.accepted_on, closed_on=row.closed_on,
        note=row.note, id=row.id,
    )


def open_referral(tx, participant: str, service_type: str, to_whom: str, reason: str,
                  opened_on: date | str | None = None) -> Referral:
    """Open a referral inside a running transaction (plugins call this, e.g. on a risk flag)."""
    tx.require("referrals.manage")
    referral = structure({
        "participant": participant.strip().upper(), "service_type": service_type, "to_whom": to_whom,
        "reason": reason, "opened_on": opened_on or tx.today,
    }, Referral)
    if referral.opened_on > tx.today:
        raise InvalidInput(_("opened_on {d} is in the future").format(d=date_text(referral.opened_on)))
    row = tx.conn.execute(sa.select(_P.c.id, _P.c.status, _P.c.centre_id)
                          .where(_P.c.code == referral.participant)).first()
    if row is None:
        raise NotFound(_("participant {code!r} does not exist").format(code=referral.participant))
    privacy.check(tx.conn, row.id, referral.participant, row.centre_id)
    if row.status == ParticipantStatus.EXITED.value:
        raise Conflict(_("{code} has left the programme; no new referral can be opened (readmit them "
                         "first)").format(
            code=referral.participant))
    consent = current_consent(tx.conn, row.id, referral.opened_on)
    if consent is None or ConsentScope.REFERRALS not in consent.scope:
        raise Conflict(
            _("{code} has no consent on file for referrals; record it first: "
              "reentry participants consent {code} --scope programme,referrals").format(code=referral.participant)
        )
    new_id = tx.conn.execute(_R.insert().values(
        participant_id=row.id, service_type=referral.service_type.value, to_whom=referral.to_whom,
        reason=referral.reason, status=referral.status.value, opened_on=referral.opened_on,
    )).inserted_primary_key[0]
    referral = attrs.evolve(referral, id=new_id)
    tx.audit("referral.open", "referral", new_id, after=referral)
    return referral


class ReferralService:
    def __init__(self, ctx):
        self.ctx = ctx

    def add(self, participant: str, service_type: str, to_whom: str, reason: str,
            opened_on: date | str | None = None) -> Referral:
        with self.ctx.transaction() as tx:
            return open_referral(tx, participant, service_type, to_whom, reason, opened_on)

    def update(self, referral_id: int, status: str, on: date | str | None = None, note: str | None = None) -> Referral:
        """Move a referral along its loop: open → accepted → done, or declined / cancelled."""
        new_status = ReferralStatus.parse(status)
        with self.ctx.transaction() as tx:
            tx.require("referrals.manage")
            before = self._load(tx.conn, referral_id, self.ctx, lock=True)
            if not before.can_move_to(new_status):
                allowed = ", ".join(sorted(s.value for s in REFERRAL_TRANSITIONS[before.status])) or _(
                    "none: it is closed")
                raise Conflict(_("referral {id} is {status}; it cannot become {new} (possible: {allowed})").format(
                    id=referral_id, status=before.status.label, new=new_status.label, allowed=allowed))
            day = parse_date(on) if on else tx.today
            if before.accepted_on and day < before.accepted_on:
                raise InvalidInput(_("date {d} is before the referral was accepted ({a})").format(
                    d=date_text(day), a=date_text(before.accepted_on)))
            if day < before.opened_on or day > tx.today:
                raise InvalidInput(_("date {d} must be between the referral's opening ({o}) and today").format(
                    d=date_text(day), o=date_text(before.opened_on)))
            changes = {"status": new_status}
            if new_status is ReferralStatus.ACCEPTED:
                changes["accepted_on"] = day
            else:
                changes["closed_on"] = day
            if note:
                changes["note"] = note
            after = attrs.evolve(before, **changes)
            moved = tx.conn.execute(_R.update().where(
                _R.c.id == before.id, _R.c.status == before.status.value,  # one move from one status, said by the database
            ).values(status=after.status.value, accepted_on=after.accepted_on, closed_on=after.closed_on,
                     note=after.note)).rowcount
            if moved != 1:
                raise Conflict(_("referral {id} was changed by another desk since it was read; nothing was "
                                 "written (see it again with: reentry referrals list)").format(id=referral_id))
            tx.audit("referral.update", "referral", before.id, before=before, after=after)
        return after

    def edit(self, referral_id: int, *, service_type: str | None = None, to_whom: str | None = None,
             referral_reason: str | None = None, opened_on: date | str | None = None, reason: str) -> Referral:
        """Correct what was entered about a referral (the service, to whom, why it was made,
        the day it was opened), at any status. The earlier values and ``reason`` go into
        the audit trail; its status and its dates after opening stay."""
        why = required_reason(reason, _("the referral is corrected"))
        given = {"service_type": service_type, "to_whom": to_whom, "reason": referral_reason, "opened_on": opened_on}
        changes = {key: value for key, value in given.items() if value is not None}
        if not changes:
            raise InvalidInput(_("nothing to correct: give a new service, recipient, reason for the referral or "
                                 "opening date"))
        with self.ctx.transaction() as tx:
            tx.require("referrals.manage")
            before = self._load(tx.conn, referral_id, self.ctx, lock=True)
            after = structure({**unstructure(before), **changes}, Referral)
            if after == before:
                raise Conflict(_("referral {id} already says that; nothing was changed").format(id=referral_id))
            if not self.ctx.fields.shows_referral(after.service_type.value):
                raise PermissionDenied(_("{code} may not refer to a health service (that needs "
                                         "referrals.view_health)").format(code=self.ctx.code))
            later = [d for d in (after.accepted_on, after.closed_on) if d is not None]
            if after.opened_on > tx.today or any(after.opened_on > d for d in later):
                raise InvalidInput(_("opened_on {d} must be on or before today and before the referral was accepted "
                                     "or closed").format(d=date_text(after.opened_on)))
            tx.conn.execute(_R.update().where(_R.c.id == before.id).values(
                service_type=after.service_type.value, to_whom=after.to_whom, reason=after.reason,
                opened_on=after.opened_on))
            tx.audit_correction("referral.edit", "referral", before.id, before=before, after=after, reason=why)
        return self._shown(after)

    def reopen(self, referral_id: int, reason: str) -> Referral:
        """Reopen a referral closed by mistake (done, declined or cancelled): it goes back to
        accepted if it had been accepted, else to open; the day it closed is cleared. The
        earlier values and ``reason`` go into the audit trail."""
        why = required_reason(reason, _("the referral is reopened"))
        with self.ctx.transaction() as tx:
            tx.require("referrals.manage")
            before = self._load(tx.conn, referral_id, self.ctx, lock=True)
            if REFERRAL_TRANSITIONS[before.status]:
                raise Conflict(_("referral {id} is {status}, not closed; there is nothing to reopen").format(
                    id=referral_id, status=before.status.label))
            status = tx.conn.execute(sa.select(_P.c.status).where(_P.c.code == before.participant)).scalar_one()
            if status == ParticipantStatus.EXITED.value:
                raise Conflict(_("{code} has left the programme; their referrals cannot be reopened (readmit them "
                                 "first)").format(
                    code=before.participant))
            after = attrs.evolve(before, closed_on=None, status=ReferralStatus.ACCEPTED if before.accepted_on
                                 else ReferralStatus.OPEN)
            tx.conn.execute(_R.update().where(_R.c.id == before.id).values(status=after.status.value, closed_on=None))
            tx.audit_correction("referral.reopen", "referral", before.id, before=before, after=after, reason=why)
        return self._shown(after)

    def get(self, referral_id: int) -> Referral:
        self.ctx.require("referrals.view")
        with self.ctx.reading() as conn:
            return self._shown(self._load(conn, referral_id, self.ctx))

    def _shown(self, referral: Referral) -> Referral:
        return self.ctx.fields.record("referral", referral)

    def list(self, *, participant: str | None = None, status: str | None = None,
             service_type: str | None = None, centre: str | None = None) -> list[Referral]:
        self.ctx.require("referrals.view")
        with self.ctx.reading() as conn:
            query = _select().where(privacy.visible(conn, _P.c.id, _P.c.centre_id)).order_by(_R.c.id)
            if not self.ctx.fields.sees_health():
                query = query.where(_R.c.service_type.not_in(sorted(privacy.HEALTH_SERVICES)))
            if participant:
                query = query.where(_P.c.code == resolve_code(conn, participant))
            if status:
                query = query.where(_R.c.status == ReferralStatus.parse(status).value)
            if service_type:
                query = query.where(_R.c.service_type == ServiceType.parse(service_type).value)
            if centre:
                query = query.where(_P.c.centre_id == self.ctx.programme.centre_id(conn, centre))
            return [self._shown(_from_row(row)) for row in conn.execute(query)]

    @staticmethod
    def _load(conn: sa.Connection, referral_id: int, ctx=None, *, lock: bool = False) -> Referral:
        query = _select().where(_R.c.id == int(referral_id))
        row = conn.execute(for_update(query, _R) if lock else query).first()
        if row is None:
            raise NotFound(_("referral {id} does not exist").format(id=referral_id))
        privacy.check(conn, row.participant_id, row.participant_code, row.centre_id)
        if ctx is not None and not ctx.fields.shows_referral(row.service_type):
            raise PermissionDenied(_("referral {id} is to a health service; {code} may not see it "
                                     "(that needs referrals.view_health)").format(id=referral_id, code=ctx.code))
        return _from_row(row)
