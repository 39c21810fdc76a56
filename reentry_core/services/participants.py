"""Participants: registration with a public code, details, consent, exit.

The public code is ``<centre>-<year>-<number>`` (``DSH-2026-0042``): a counter per centre
and registration year, taken under a row lock so two desks never hand out the same one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import sqlalchemy as sa

from .. import privacy
from . import access
from ..convert import parse_date, structure, unstructure
from ..domain import (
    SENSITIVE_FIELDS, Consent, ConsentScope, ExitReason, Participant, ParticipantStatus, Sex, required_reason,
)
from ..errors import Conflict, InvalidInput, PermissionDenied, param
from ..i18n import _
from ..storage import tables as t
from .participant_store import (  # noqa: F401  (the participants import uses these through here)
    TwinLookup, consent_from_row, current_consent, find_duplicates, from_row, load_participant, name_key,
    next_twin, participant_id, redact, reserve_codes, select_participants, to_row,
)
from ..words import date_text

#: Fields ``update`` may change; the code, centre and registration date are fixed.
EDITABLE = ("full_name", "sex", "birth_date", "phone", "release_date", "facility", "offence_category")
DEFAULT_CONSENT_SCOPE = (ConsentScope.PROGRAMME, ConsentScope.REFERRALS)

_P = t.participant


def _same_person(candidate: Participant, code: str) -> Conflict:
    return Conflict(
        _("{name}, born {born}, is already registered at {centre} as {code} "
          "(register anyway with --allow-same-name if this is another person)").format(
            name=candidate.full_name, born=date_text(candidate.birth_date), centre=candidate.centre, code=code))


def _write_identity(tx, statement, code: str) -> None:
    """Write a change of a person's centre, name or birth date; the unique identity key
    refuses one that another desk made the same at the same moment."""
    try:
        tx.conn.execute(statement)
    except sa.exc.IntegrityError:
        raise Conflict(_("{code}: another desk changed a person with the same name and birth date at the same "
                         "moment; nothing was written, try again").format(code=code)) from None


def _other_centre(tx, before: Participant, to: str, refusal: str) -> tuple[int, str, int]:
    """``(centre id, centre code, twin number)`` for moving ``before`` to centre ``to``: an
    admin, or a staff member of the centre they are at (``refusal``, with ``{centre}`` and
    ``{code}``, says so); refused when they are there already."""
    scope = privacy.scope_of(tx.conn)
    if scope is not None and not scope.everywhere and scope.centre != before.centre:
        raise PermissionDenied(refusal.format(centre=before.centre, code=before.code))
    new_id = tx.centre_id(to)
    target = to.strip().upper()
    if target == before.centre:
        raise Conflict(_("{code} is already at {centre}").format(code=before.code, centre=target))
    return new_id, target, next_twin(tx.conn, (new_id, name_key(before.full_name), before.birth_date))


class ParticipantService:
    def __init__(self, ctx):
        self.ctx = ctx

    # --- reading -----------------------------------------------------------------
    @property
    def sees_sensitive(self) -> bool:
        return self.ctx.can("participants.view_sensitive")

    def _shown(self, p: Participant) -> Participant:
        """``p`` with the fields this member may not read (names, contact, sensitive) set to
        ``None`` (:data:`reentry_core.privacy.FIELD_RULES`)."""
        return self.ctx.fields.record("participant", p)

    def get(self, code: str) -> Participant:
        self.ctx.require("participants.view")
        with self.ctx.reading() as conn:
            found = self._shown(self._load(conn, code))
        access.record(self.ctx, "participants.show", [found.code])
        return found

    def _load(self, conn: sa.Connection, code: str, *, lock: bool = False) -> Participant:
        """``lock`` for a change: the row is held until the transaction ends, so a second
        desk changing the same person waits and then reads what the first wrote."""
        return load_participant(conn, code, lock=lock)

    def list(self, *, centre: str | None = None, status: str | None = None, sex: str | None = None,
             search: str | None = None, limit: int | None = None) -> list[Participant]:
        """Participants ordered by code; ``search`` matches part of a name or code."""
        self.ctx.require("participants.view")
        with self.ctx.reading() as conn:
            query = select_participants().where(privacy.visible(conn, _P.c.id, _P.c.centre_id)).order_by(_P.c.code)
            if centre:
                query = query.where(_P.c.centre_id == self.ctx.programme.centre_id(conn, centre))
            if status:
                query = query.where(_P.c.status == ParticipantStatus.parse(status).value)
            if sex:
                query = query.where(_P.c.sex == Sex.parse(sex).value)
            if search and not self.ctx.can("participants.view_names"):
                # searching by name would tell whether a name is there
                query = query.where(sa.func.lower(_P.c.code).like(f"%{search.strip().lower()}%"))
            elif search:
                # a name in any alphabet and spelling (names.name_key), or part of a code
                typed = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                matches = [sa.func.lower(_P.c.code).like(f"%{typed}%", escape="\\")]
                key = name_key(search)
                if key:
                    matches.append(_P.c.name_key.like(f"%{key}%"))
                query = query.where(sa.or_(*matches))
            if limit:
                query = query.limit(limit)
            found = [self._shown(from_row(row)) for row in conn.execute(query)]
        asked = {"centre": centre, "status": status, "sex": sex, "search": search, "limit": limit}
        access.record(self.ctx, "participants.list", [p.code for p in found],
                      detail=" ".join(f"{k}={v}" for k, v in asked.items() if v) or None)
        return found

    # --- writing -----------------------------------------------------------------
    def register(self, *, allow_same_name: bool = False, **fields: Any) -> Participant:
        """Register a participant and give them their public code.

        A person with the same name and birth date at the same centre is refused as a
        probable duplicate unless ``allow_same_name`` (two people can share both).
        """
        data = {k: v for k, v in fields.items() if v is not None and v != ""}
        candidate = structure(data, Participant)
        with self.ctx.transaction() as tx:
            tx.require("participants.register")
            participant = self._insert(tx, candidate, allow_same_name)
        return participant

    def _insert(self, tx, candidate: Participant, allow_same_name: bool) -> Participant:
        if candidate.code is not None:
            raise InvalidInput(_("code: a participant's code is given on registration, not chosen"))
        registered_on = candidate.registered_on or tx.today
        candidate = attrs.evolve(candidate, registered_on=registered_on)
        problems = candidate.date_problems(tx.today)
        if problems:
            raise InvalidInput("; ".join(problems))
        centre_id = tx.centre_id(candidate.centre)
        privacy.check_centre(tx.conn, centre_id, candidate.centre)
        key = (centre_id, name_key(candidate.full_name), candidate.birth_date)
        if not allow_same_name:
            existing = find_duplicates(tx.conn, [key]).get(key)
            if existing:
                raise _same_person(candidate, existing)
        code = reserve_codes(tx.conn, centre_id, candidate.centre, registered_on.year, 1)[0]
        participant = attrs.evolve(candidate, code=code)
        row = {**to_row(participant, centre_id), "twin": next_twin(tx.conn, key) if allow_same_name else 0}
        try:
            with tx.conn.begin_nested():  # a refusal by the unique key leaves the transaction usable
                tx.conn.execute(_P.insert().values(**row))
        except sa.exc.IntegrityError:
            # another desk registered them between the look-up and this insert
            raise _same_person(candidate, find_duplicates(tx.conn, [key]).get(key) or "?") from None
        tx.audit("participant.register", "participant", code, after=participant)
        tx.emit("participant_registered", participant=participant)
        return participant

    def update(self, code: str, **changes: Any) -> Participant:
        """Change details; ``None`` leaves a field alone, ``""`` clears an optional one."""
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise InvalidInput(_("cannot change {fields}; editable: {editable}").format(
                fields=", ".join(sorted(unknown)), editable=", ".join(EDITABLE)))
        with self.ctx.transaction() as tx:
            tx.require("participants.register")
            if any(f in SENSITIVE_FIELDS for f, v in changes.items() if v is not None):
                tx.require("participants.view_sensitive")
            before = self._load(tx.conn, code, lock=True)
            data = unstructure(before)
            for field, value in changes.items():
                if value is None:
                    continue
                if value == "":
                    data.pop(field, None)
                else:
                    data[field] = value
            after = structure({k: v for k, v in data.items() if v is not None}, Participant)
            if after == before:
                return self._shown(before)
            problems = after.date_problems(tx.today)
            if problems:
                raise InvalidInput(f"{before.code}: " + "; ".join(problems))
            centre_id = tx.centre_id(after.centre)
            values = {k: v for k, v in to_row(after, centre_id).items() if k in EDITABLE or k == "name_key"}
            key = (centre_id, values["name_key"], after.birth_date)
            if key != (centre_id, name_key(before.full_name), before.birth_date):
                values["twin"] = next_twin(tx.conn, key)  # someone else may share the new name and birth date
            _write_identity(tx, _P.update().where(_P.c.code == before.code).values(**values), before.code)
            tx.audit("participant.update", "participant", before.code, before=before, after=after)
        return self._shown(after)

    def exit(self, code: str, reason: str, on: date | str | None = None, note: str | None = None) -> Participant:
        """Record that a participant left the programme, and why."""
        with self.ctx.transaction() as tx:
            tx.require("participants.exit")
            before = self._load(tx.conn, code, lock=True)
            if before.status is ParticipantStatus.EXITED:
                raise Conflict(_("{code} already left the programme on {on}").format(
                    code=before.code, on=date_text(before.exited_on) if before.exited_on else "?"))
            exited_on = parse_date(on) if on else tx.today
            if exited_on > tx.today:
                raise InvalidInput(_("exit date {d} is in the future").format(d=date_text(exited_on)))
            if exited_on < before.registered_on:
                raise InvalidInput(_("exit date {d} is before registration on {r}").format(
                    d=date_text(exited_on), r=date_text(before.registered_on)))
            after = attrs.evolve(before, status=ParticipantStatus.EXITED, exit_reason=ExitReason.parse(reason),
                                 exited_on=exited_on, exit_note=note)
            changed = tx.conn.execute(_P.update().where(
                _P.c.code == before.code, _P.c.status != ParticipantStatus.EXITED.value,  # one exit, said by the database
            ).values(status=after.status.value, exit_reason=after.exit_reason.value, exited_on=exited_on,
                     exit_note=after.exit_note)).rowcount
            if changed != 1:
                raise Conflict(_("{code} left the programme a moment ago (another desk recorded it); "
                                 "nothing was written").format(code=before.code))
            cancelled = self._cancel_referrals(tx, before.code, max(exited_on, tx.today))
            ended = {name: answer for name, answer in tx.programme.pm.relay.each(
                "participant_exited", by_name=True, tx=tx, participant=after) if answer}
            tx.audit("participant.exit", "participant", before.code, before=before,
                     after={**unstructure(after), "referrals_cancelled": cancelled, **({"ended": ended} if ended else {})})
        return self._shown(after)

    @staticmethod
    def _cancel_referrals(tx, code: str, day: date) -> list[int]:
        """Exit means exit: the referrals still open or accepted are cancelled (the other
        service is told by the case worker; the note says why). Returns their ids."""
        pid = participant_id(tx.conn, code)
        r = t.referral
        ids = list(tx.conn.execute(sa.select(r.c.id).where(
            r.c.participant_id == pid, r.c.status.in_(("open", "accepted"))).order_by(r.c.id)).scalars())
        if ids:
            tx.conn.execute(r.update().where(r.c.id.in_(ids)).values(
                status="cancelled", closed_on=sa.func.coalesce(r.c.closed_on, day),
                note=_("cancelled: the participant left the programme")))
        return ids

    def readmit(self, code: str, reason: str) -> Participant:
        """Take back someone who had left: active again, their held grant payable again; a
        new follow-up or referral is opened by the ordinary commands."""
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput(_("{reason} is empty: say why they are readmitted").format(reason=param("reason")))
        with self.ctx.transaction() as tx:
            tx.require("participants.exit")
            before = self._load(tx.conn, code, lock=True)
            if before.status is not ParticipantStatus.EXITED:
                raise Conflict(_("{code} has not left the programme").format(code=before.code))
            after = attrs.evolve(before, status=ParticipantStatus.ACTIVE, exit_reason=None, exited_on=None,
                                 exit_note=None)
            changed = tx.conn.execute(_P.update().where(
                _P.c.code == before.code, _P.c.status == ParticipantStatus.EXITED.value,
            ).values(status="active", exit_reason=None, exited_on=None, exit_note=None)).rowcount
            if changed != 1:
                raise Conflict(_("{code} was readmitted a moment ago (another desk recorded it); "
                                 "nothing was written").format(code=before.code))
            tx.audit("participant.readmit", "participant", before.code, before=before,
                     after={**unstructure(after), "reason": reason})
            tx.emit("participant_readmitted", participant=after)
        return self._shown(after)

    def transfer(self, code: str, to: str, reason: str) -> Participant:
        """Move a participant to another centre: an admin, or a case worker of the centre
        they are at now (the sending centre knows them; the receiving one sees them from
        then on, the sending one no longer). The code stays (it is their public code)."""
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput(_("{reason} is empty: say why they move").format(reason=param("reason")))
        with self.ctx.transaction() as tx:
            tx.require("participants.transfer")
            before = self._load(tx.conn, code, lock=True)  # refused outside the actor's scope
            new_id, target, twin = _other_centre(tx, before, to, _(
                "only an admin or a case worker of {centre} can transfer {code}"))
            after = attrs.evolve(before, centre=target)
            _write_identity(tx, _P.update().where(_P.c.code == before.code).values(centre_id=new_id, twin=twin),
                            before.code)
            tx.audit("participant.transfer", "participant", before.code, before={"centre": before.centre},
                     after={"centre": target, "reason": reason})
            tx.emit("participant_transferred", participant=after, from_centre=before.centre, to_centre=target)
        return self._shown(after)

    # --- one person registered twice ------------------------------------------------
    def duplicates(self, *, centre: str | None = None):
        """Pairs of records that may be one person, strongest first
        (:func:`~.participant_merge.likely_duplicates`); names only for those who may read them."""
        from .participant_merge import likely_duplicates

        self.ctx.require("participants.merge")
        with self.ctx.reading() as conn:
            found = likely_duplicates(conn, centre_id=self.ctx.programme.centre_id(conn, centre) if centre else None)
        if not self.ctx.can("participants.view_names"):
            found = [attrs.evolve(pair, first_name=None, second_name=None, born=None) for pair in found]
        access.record(self.ctx, "participants.duplicates", sorted({c for p in found for c in (p.first, p.second)}),
                      detail=f"centre={centre}" if centre else None)
        return found

    def merge(self, keep: str, duplicate: str, reason: str):
        """Merge the record ``duplicate`` into ``keep``: one person, one code; the other code
        still finds them. Everything recorded about either moves to the one kept
        (:func:`~.participant_merge.merge`). Returns a :class:`~.participant_merge.Merge`."""
        from .participant_merge import merge

        with self.ctx.transaction() as tx:
            merged = merge(tx, keep, duplicate, reason)
        return attrs.evolve(merged, kept=self._shown(merged.kept))

    def correct_centre(self, code: str, to: str, reason: str) -> Participant:
        """Correct a registration made at the wrong centre: unlike a transfer (the person
        moved), they belonged to ``to`` from the start, so they get ``to``'s next code for
        their registration year and the code they had becomes an alias that still finds
        them. An admin, or a case worker of the centre the registration was made at."""
        reason = required_reason(reason, _("the registration belongs to another centre"))
        with self.ctx.transaction() as tx:
            tx.require("participants.transfer")
            before = self._load(tx.conn, code, lock=True)
            new_id, target, twin = _other_centre(tx, before, to, _(
                "only an admin or a case worker of {centre} can correct the centre of {code}"))
            new_code = reserve_codes(tx.conn, new_id, target, before.registered_on.year, 1)[0]
            after = attrs.evolve(before, centre=target, code=new_code)
            person = participant_id(tx.conn, before.code)  # before it leaves the member's scope
            _write_identity(tx, _P.update().where(_P.c.code == before.code).values(
                centre_id=new_id, twin=twin, code=new_code), before.code)
            tx.conn.execute(t.participant_alias.insert().values(code=before.code, participant_id=person,
                                                                since=tx.today))
            tx.audit_correction("participant.recentre", "participant", new_code, before=before,
                                after={**unstructure(after), "was": before.code}, reason=reason)
            tx.emit("participant_transferred", participant=after, from_centre=before.centre, to_centre=target)
        return self._shown(after)

    # --- erasure and retention -----------------------------------------------------
    def erase(self, code: str, reason: str, *, dry_run: bool = False):
        """Erase the identifying details of ``code``, who left the programme (admins only):
        everywhere, audit payloads included, counts kept (:mod:`.erasure`). With
        ``dry_run`` nothing changes; the :class:`~.erasure.Erasure` says what would go."""
        from . import erasure

        with self.ctx.transaction() as tx:
            tx.require("participants.erase")
            return erasure.erase(tx, code, reason, dry_run=dry_run)

    def erase_due(self, reason: str | None = None, *, dry_run: bool = False) -> list:
        """Erase everyone whose retention period has run out, in one action (all or none)."""
        from . import erasure

        with self.ctx.transaction() as tx:
            tx.require("participants.erase")
            years = erasure.retention_years(tx.conn)
            if years is None:
                raise Conflict(_("no retention period is set: set one with reentry participants retention YEARS"))
            reason = reason or _("retention period: {n} years after leaving").format(n=years)
            return [erasure.erase(tx, code, reason, dry_run=dry_run) for code in erasure.due(tx.conn, tx.today)]

    def retention(self) -> int | None:
        """Years after their exit that people's details are kept (``None``: until erased by hand)."""
        from . import erasure

        self.ctx.require("participants.view")
        with self.ctx.reading() as conn:
            return erasure.retention_years(conn)

    def set_retention(self, years: int | str | None) -> int | None:
        """Set the retention period (admins only, audited); ``None`` removes it."""
        from . import erasure

        with self.ctx.transaction() as tx:
            tx.require("participants.erase")
            return erasure.set_retention(tx, years)

    # --- consent -----------------------------------------------------------------
    def record_consent(self, code: str, given_on: date | str | None = None, scope=DEFAULT_CONSENT_SCOPE) -> Consent:
        """Record informed consent; a new record replaces the scope of the old one."""
        with self.ctx.transaction() as tx:
            tx.require("consent.record")
            participant = self._load(tx.conn, code, lock=True)
            consent = structure(
                {"participant": participant.code, "given_on": given_on or tx.today, "scope": scope}, Consent)
            if not consent.scope:
                raise InvalidInput(_("scope: give at least one of {s}").format(s=", ".join(ConsentScope.values())))
            if consent.given_on > tx.today:
                raise InvalidInput(_("given_on {d} is in the future").format(d=date_text(consent.given_on)))
            if consent.given_on < participant.birth_date:
                raise InvalidInput(_("given_on {d} is before the participant's birth").format(d=date_text(consent.given_on)))
            if participant.registered_on is not None and consent.given_on < participant.registered_on:
                raise InvalidInput(_("given_on {d} is before {code} was registered ({r})").format(
                    d=date_text(consent.given_on), code=participant.code, r=date_text(participant.registered_on)))
            pid = self._id(tx.conn, participant.code)
            latest = current_consent(tx.conn, pid, tx.today)
            if latest is not None and consent.given_on < latest.given_on:
                raise InvalidInput(_("given_on {d} is before the consent in force (given {g}); "
                                     "consent history is recorded in order").format(
                    d=date_text(consent.given_on), g=date_text(latest.given_on)))
            # an older consent still in force ends where the new one starts
            tx.conn.execute(t.consent.update().where(
                t.consent.c.participant_id == pid, t.consent.c.withdrawn_on.is_(None)
            ).values(withdrawn_on=consent.given_on))
            new_id = tx.conn.execute(t.consent.insert().values(
                participant_id=pid, given_on=consent.given_on, scope=",".join(sorted(s.value for s in consent.scope))
            )).inserted_primary_key[0]
            consent = attrs.evolve(consent, id=new_id)
            tx.audit("consent.record", "participant", participant.code, after=consent)
        return consent

    def withdraw_consent(self, code: str, on: date | str | None = None) -> Consent:
        with self.ctx.transaction() as tx:
            tx.require("consent.record")
            participant = self._load(tx.conn, code, lock=True)
            current = current_consent(tx.conn, self._id(tx.conn, participant.code), tx.today)
            if current is None:
                raise Conflict(_("{code} has no consent in force to withdraw").format(code=participant.code))
            day = parse_date(on) if on else tx.today
            if day < current.given_on or day > tx.today:
                raise InvalidInput(_("withdrawal date {d} must be between {a} and today").format(
                    d=date_text(day), a=date_text(current.given_on)))
            tx.conn.execute(t.consent.update().where(t.consent.c.id == current.id).values(withdrawn_on=day))
            after = attrs.evolve(current, withdrawn_on=day)
            tx.audit("consent.withdraw", "participant", participant.code, before=current, after=after)
        return after

    def consents(self, code: str) -> list[Consent]:
        """The consent history, oldest first."""
        self.ctx.require("participants.view")
        with self.ctx.reading() as conn:
            participant = self._load(conn, code)
            rows = conn.execute(sa.select(t.consent).where(
                t.consent.c.participant_id == self._id(conn, participant.code)).order_by(t.consent.c.id))
            return [consent_from_row(participant.code, row) for row in rows]

    def current_consent(self, code: str) -> Consent | None:
        with self.ctx.reading() as conn:
            participant = self._load(conn, code)
            return current_consent(conn, self._id(conn, participant.code), self.ctx.programme.clock.today())

    @staticmethod
    def _id(conn: sa.Connection, code: str) -> int:
        return participant_id(conn, code)

    # --- eligibility -------------------------------------------------------------
    def eligibility(self, code: str, purpose: str, requirements: dict | None = None) -> list[str]:
        """Why ``code`` is not eligible for ``purpose`` (e.g. ``"grant"``) under ``requirements``
        (e.g. ``{"shortlisted_plan": True}``); an empty list means eligible."""
        from .eligibility import eligibility_problems

        self.ctx.require("participants.view")
        with self.ctx.reading_transaction() as tx:  # the answering hooks only read
            return eligibility_problems(tx, code, purpose, requirements)

    # --- files -------------------------------------------------------------------
    def import_file(self, path, *, dry_run: bool = False, encoding: str | None = None, progress=None):
        from .participant_files import import_participants

        return import_participants(self.ctx, path, dry_run=dry_run, encoding=encoding, progress=progress)

    def export_file(self, path, *, fmt: str | None = None, pseudonymise: bool = False, centre: str | None = None):
        """Write participants to a file; returns the number of rows. ``pseudonymise``: the
        research export (:meth:`research_export`)."""
        if pseudonymise:
            return self.research_export(path, fmt=fmt, centre=centre).rows
        from .participant_files import export_participants

        return export_participants(self.ctx, path, fmt=fmt, pseudonymise=False, centre=centre)

    def research_export(self, path, *, fmt: str | None = None, centre: str | None = None):
        """The research export: only people whose research consent is in force today, stable
        pseudonyms, quasi-identifiers generalised until each combination holds at least k
        people (``reentry_core.research``). Returns its ``ResearchSummary``."""
        from pathlib import Path

        from .participant_files import _export_format, _pseudonym_secret, pseudonym
        from .research_export import export

        self.ctx.require("participants.export_pseudonymised")
        kind = _export_format(Path(path), fmt)
        secret = _pseudonym_secret(self.ctx)
        return export(self.ctx, path, kind, lambda code: pseudonym(secret, code), centre=centre)
