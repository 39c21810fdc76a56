"""Erasure: a person who left the programme is made anonymous, on request or at the end
of the retention period an admin sets.

What goes: the name, phone, release date, facility, offence and exit note of the
participant's row; what their referrals say (to whom, why, notes); what the plugins keep as
free text about them (:func:`~reentry_core.hookspecs.participant_erased`); and every audit
payload that holds any of it — the events about them, their record in each import batch,
and any other event that names them. What stays: the code, sex, birth date, centre, dates
and statuses, consents, so every count in every report is the same before and after.

The audit chain still verifies: an event's hash covers its payloads' digests (see
:mod:`.audit`), an erased payload keeps its digest and names the erasure event, and the
erasure event lists the events it erased (``verify`` checks both). Events written before
payload digests (``form`` NULL) cannot be re-checked once erased; ``verify`` counts them
as unchecked and says why.
"""

from __future__ import annotations

import json
from datetime import date

import attrs
import sqlalchemy as sa

from .. import privacy
from ..convert import unstructure
from ..domain import ERASED_NAME
from ..errors import Conflict, InvalidInput, param
from ..i18n import _
from ..storage import tables as t
from ..storage.locks import for_update
from . import audit
from .participant_store import from_row, resolve_code, select_participants
from .settings import read_setting, write_setting
from ..words import date_text

#: What stands in a required text field that was erased (the name, what a referral says).
ERASED_TEXT = ERASED_NAME
#: The participant's fields erased (set to NULL, or ERASED_TEXT for the name).
IDENTIFYING = ("full_name", "phone", "release_date", "facility", "offence_category", "exit_note")
RETENTION_SETTING = "retention.years_after_exit"
#: The longest retention period an admin may set.
MAX_YEARS = 50

_P, _R, _E, _K = t.participant, t.referral, t.audit_event, t.audit_event_key


@attrs.frozen
class Erasure:
    """What erasing one person did (or, with ``dry_run``, would do)."""

    code: str
    erased_on: date
    fields: tuple[str, ...]
    referrals: int
    events: tuple[int, ...]
    plugins: tuple[str, ...]
    dry_run: bool
    #: the erasure's own audit event (``None`` on a dry run)
    event: int | None = None


def retention_years(conn: sa.Connection) -> int | None:
    """Years after their exit that people's details are kept; ``None``: no period set."""
    value = read_setting(conn, RETENTION_SETTING)
    return None if value is None else int(value)


def set_retention(tx, years: int | str | None) -> int | None:
    """Set (or with ``None`` remove) the retention period; audited."""
    if years is not None:
        try:
            years = int(str(years).strip())
        except ValueError:
            raise InvalidInput(_("the retention period must be a whole number of years, not {value!r}").format(
                value=years)) from None
        if not 1 <= years <= MAX_YEARS:
            raise InvalidInput(_("the retention period must be between 1 and {most} years after the exit").format(
                most=MAX_YEARS))
    before = retention_years(tx.conn)
    if years != before:
        write_setting(tx.conn, RETENTION_SETTING, years)
        tx.audit("participant.retention", "setting", RETENTION_SETTING, before={"years": before},
                 after={"years": years})
    return years


def due(conn: sa.Connection, today: date) -> list[str]:
    """Codes of the people whose retention period has run out: left at least the set number
    of years ago and not yet erased (nobody when no period is set)."""
    years = retention_years(conn)
    if years is None:
        return []
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    query = (sa.select(_P.c.code).where(_P.c.status == "exited", _P.c.erased_on.is_(None), _P.c.exited_on <= cutoff,
                                        privacy.visible(conn, _P.c.id, _P.c.centre_id))
             .order_by(_P.c.code))
    return list(conn.execute(query).scalars())


def erase(tx, code: str, reason: str, *, dry_run: bool = False) -> Erasure:
    """Erase participant ``code`` (who must have left) inside ``tx``; see the module."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("{reason} is empty: say why they are erased, e.g. \"asked on 2026-12-01\" or \"retention "
                             "period\"").format(reason=param("reason")))
    code = resolve_code(tx.conn, code)
    row = tx.conn.execute(for_update(select_participants().where(_P.c.code == code), _P)).first()
    if row is None:
        from ..errors import NotFound

        raise NotFound(_("participant {code!r} does not exist").format(code=code))
    privacy.check(tx.conn, row.id, row.code, row.centre_id)
    if row.erased_on is not None:
        raise Conflict(_("{code} was already erased on {on}").format(code=code, on=date_text(row.erased_on)))
    if row.status != "exited":
        raise Conflict(_("{code} is still in the programme: record their exit first; erasure is for people who "
                         "left").format(code=code))
    person = from_row(row)
    fields = tuple(f for f in IDENTIFYING if getattr(person, f) not in (None, "", ERASED_TEXT))
    referral_ids = list(tx.conn.execute(sa.select(_R.c.id).where(_R.c.participant_id == row.id)).scalars())
    plugins = tuple(line for lines in tx.ask("participant_erased", participant=person, dry_run=dry_run)
                    for line in (lines or ()))
    keys = [key for answer in tx.ask("participant_audit_keys", conn=tx.conn, participant=person)
            for key in (answer or ())]
    # the codes of records merged into this one: what the trail says under them is about the person too
    keys += list(tx.conn.execute(sa.select(t.participant_alias.c.code).where(
        t.participant_alias.c.participant_id == row.id)).scalars())
    tx.flush_audit()  # what this transaction did so far takes its numbers first
    by = tx.conn.execute(for_update(sa.select(t.audit_head.c.seq), t.audit_head)).scalar_one() + 1
    events = _erase_payloads(tx.conn, [code, *keys], by, dry_run)
    if dry_run:
        return Erasure(code, tx.today, fields, len(referral_ids), events, plugins, True)
    tx.conn.execute(_P.update().where(_P.c.id == row.id).values(
        full_name=ERASED_TEXT, name_key=f"~{code}", phone=None, release_date=None, facility=None,
        offence_category=None, exit_note=None, erased_on=tx.today))
    if referral_ids:
        tx.conn.execute(_R.update().where(_R.c.id.in_(referral_ids)).values(
            to_whom=ERASED_TEXT, reason=ERASED_TEXT, note=None))
    after = attrs.evolve(person, full_name=ERASED_TEXT, phone=None, release_date=None, facility=None,
                         offence_category=None, exit_note=None)
    tx.audit(audit.ERASURE, "participant", code, after={
        **unstructure(after), "erased_on": tx.today, "reason": reason, "fields": list(fields),
        "referrals": len(referral_ids), "plugins": list(plugins), "erased_events": list(events)})
    tx.flush_audit()
    return Erasure(code, tx.today, fields, len(referral_ids), events, plugins, False, by)


def _erase_payloads(conn: sa.Connection, keys: list[str], by: int, dry_run: bool) -> tuple[int, ...]:
    """Replace every audit payload about ``keys`` (the participant's code first, then the
    plugins' keys of records about them) by an erasure mark keeping its digest: the events
    with one of those keys (or a key under one, ``PLAN/1/TR1``), the record of a batch
    event under one, and any payload that names one. Returns the events touched."""
    quoted = [json.dumps(key) for key in keys]  # as they appear inside a payload: "DSH-2026-0001"
    named = [_E.c.entity_key.in_(keys), _E.c.seq.in_(sa.select(_K.c.seq).where(_K.c.entity_key.in_(keys)))]
    for key, text in zip(keys, quoted):
        named += [_E.c.entity_key.like(f"{key}/%"), _E.c.before.like(f"%{text}%"), _E.c.after.like(f"%{text}%")]
    rows = conn.execute(sa.select(_E).where(sa.or_(*named)).order_by(_E.c.seq)).all()
    touched = []
    for row in rows:
        about = row.entity_key in keys or any(row.entity_key.startswith(f"{key}/") for key in keys)
        changes = {}
        if row.before is not None and not row.before.startswith(audit.ERASED_MARK) and (
                about or any(text in row.before for text in quoted)):
            changes["before"] = _mark(row.before, by)
        if row.after is not None and not row.after.startswith(audit.ERASED_MARK):
            if row.record_keys is not None:
                text = _erase_records(row.after, quoted, by)
                if text is not None:
                    changes["after"] = text
            elif about or any(text in row.after for text in quoted):
                changes["after"] = _mark(row.after, by)
        if changes:
            touched.append(row.seq)
            if not dry_run:
                conn.execute(_E.update().where(_E.c.seq == row.seq).values(**changes))
    return tuple(touched)


def _mark(text: str, by: int) -> str:
    return audit.canonical_json(audit.erased(audit.single_digest(text)[0], by))


def _erase_records(text: str, quoted: list[str], by: int) -> str | None:
    """A batch payload with each record under or naming one of ``quoted`` erased; ``None``
    when none does. The text keeps the order and form it was hashed in."""
    data = json.loads(text)
    records = data.get("records", {})
    encode = audit.batch_json
    hit = False
    for key, record in records.items():
        if audit.is_erased(record):
            continue
        encoded = encode(record)
        if json.dumps(key) in quoted or any(q in encoded for q in quoted):
            records[key] = audit.erased(audit.sha256_text(encoded), by)
            hit = True
    return encode(data) if hit else None


def clear_text(conn: sa.Connection, targets: dict, dry_run: bool) -> dict[str, int]:
    """For a plugin's ``participant_erased``: ``targets`` maps a kind of record to
    ``(table, whose rows, rows that hold text, {column: None, …})``; counts each kind's rows
    holding text about the person and, unless ``dry_run``, clears them."""
    counts = {}
    for kind, (table, whose, holds_text, cleared) in targets.items():
        counts[kind] = conn.execute(sa.select(sa.func.count()).select_from(table).where(whose, holds_text)).scalar_one()
        if counts[kind] and not dry_run:
            conn.execute(table.update().where(whose, holds_text).values(**cleared))
    return counts
