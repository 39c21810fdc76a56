"""One person registered twice: finding the likely pairs, and merging two records into one.

Two desks register the same person (at two centres, or at one under two spellings: Rahimov
and Раҳимов, with and without a patronymic). :func:`likely_duplicates` lists the pairs a
case worker should look at: a name that is the same or close once spelling is set aside
(:func:`reentry_core.names.name_key`, word order too), together with the same birth date
or the same phone. People registered knowingly as another person with the same name and
birth date at one centre (``--allow-same-name``) are not listed.

:func:`merge` keeps one record and its code. Everything that hangs off the other moves with
the person: consent, referrals, and every plugin's rows (plans, applications, visits…),
found by the database's own foreign keys to ``participant.id``, so a plugin written
tomorrow is followed too. Before anything moves, each plugin may refuse (the two records
are in one cohort, both applied to one round) or tidy what a person may hold once
(``participant_merging`` hook). The code that goes becomes an alias: it still finds the
person kept (:func:`~.participant_store.resolve_code`). One audit event keeps both records
as they were, who merged them and why.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from datetime import date
from itertools import combinations
from typing import Any

import attrs
import sqlalchemy as sa

from .. import privacy
from ..convert import unstructure
from ..domain import ParticipantStatus, required_reason
from ..errors import Conflict, InvalidInput, PermissionDenied, param
from ..i18n import _
from ..storage import tables as t
from .participant_store import load_participant, name_key

_P = t.participant
#: Fields the kept record takes from the other when it has none of its own.
FILLED = ("phone", "release_date", "facility", "offence_category")
#: A birth date or a phone shared by more people than this is a placeholder, not a clue.
BLOCK_LIMIT = 40
#: How close two name keys must be to count as "a similar name".
SIMILAR = 0.85


@attrs.frozen
class LikelyDuplicate:
    """Two records that may be one person, and why they look alike."""

    first: str
    second: str
    first_centre: str
    second_centre: str
    first_name: str | None
    second_name: str | None
    born: date | None
    reasons: tuple[str, ...]


@attrs.frozen
class Merge:
    """What a merge did: the record kept (as it is now), the code that became its alias,
    and how many rows moved, by table."""

    kept: Any
    merged: str
    moved: dict[str, int]


# --- finding ----------------------------------------------------------------------------------


def _words(key: str) -> tuple[str, ...]:
    return tuple(sorted(key.split()))


def _name_reason(a: str, b: str) -> str | None:
    """Why two name keys may be one person's name, or ``None``."""
    if not a or not b:
        return None
    wa, wb = _words(a), _words(b)
    if wa == wb:
        return _("the same name (spelled alike)")
    shorter, longer = sorted((set(wa), set(wb)), key=len)
    if len(shorter) >= 2 and shorter <= longer:
        return _("the same name, one with more words")
    if difflib.SequenceMatcher(None, " ".join(wa), " ".join(wb)).ratio() >= SIMILAR:
        return _("a similar name")
    return None


def _phone(value: str | None) -> str | None:
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    return digits[-9:] if len(digits) >= 7 else None


def likely_duplicates(conn: sa.Connection, *, centre_id: int | None = None) -> list[LikelyDuplicate]:
    """Pairs of records the acting member can see that may be one person, strongest first
    (a shared phone and birth date before a shared birth date alone)."""
    query = (sa.select(_P.c.id, _P.c.code, _P.c.full_name, _P.c.name_key, _P.c.birth_date, _P.c.phone, _P.c.sex,
                       _P.c.centre_id, _P.c.twin, t.centre.c.code.label("centre"))
             .select_from(_P.join(t.centre)).where(_P.c.erased_on.is_(None), privacy.visible(conn, _P.c.id,
                                                                                          _P.c.centre_id)))
    if centre_id is not None:
        query = query.where(_P.c.centre_id == centre_id)
    blocks: dict[tuple, list] = defaultdict(list)
    for row in conn.execute(query.order_by(_P.c.code)):
        blocks[("born", row.birth_date)].append(row)
        phone = _phone(row.phone)
        if phone:
            blocks[("phone", phone)].append(row)
    found: dict[tuple[str, str], LikelyDuplicate] = {}
    for block in blocks.values():
        if len(block) > BLOCK_LIMIT:
            continue
        for a, b in combinations(block, 2):
            if (a.code, b.code) in found:
                continue
            pair = _compare(a, b)
            if pair is not None:
                found[(a.code, b.code)] = pair
    return sorted(found.values(), key=lambda d: (-len(d.reasons), d.first, d.second))


def _compare(a, b) -> LikelyDuplicate | None:
    if a.centre_id == b.centre_id and a.name_key == b.name_key and a.birth_date == b.birth_date and (a.twin or b.twin):
        return None  # registered knowingly as another person of the same name and birth date
    name = _name_reason(a.name_key, b.name_key)
    if name is None:
        return None
    reasons = [name]
    if a.birth_date == b.birth_date:
        reasons.append(_("the same birth date"))
    if _phone(a.phone) and _phone(a.phone) == _phone(b.phone):
        reasons.append(_("the same phone"))
    if len(reasons) < 2:
        return None
    if a.sex != b.sex:
        reasons.append(_("but a different sex"))
    return LikelyDuplicate(a.code, b.code, a.centre, b.centre, a.full_name, b.full_name,
                           a.birth_date if a.birth_date == b.birth_date else None, tuple(reasons))


# --- merging ----------------------------------------------------------------------------------


def references(conn: sa.Connection) -> list[tuple[str, str]]:
    """``(table, column)`` of every column in the database that points at a participant,
    read from the database itself: a disabled plugin's tables are followed too."""
    inspector = sa.inspect(conn)
    found = []
    for table in sorted(inspector.get_table_names()):
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "participant" and fk["referred_columns"] == ["id"]:
                found += [(table, column) for column in fk["constrained_columns"]]
    return found


def merge(tx, keep_code: str, duplicate_code: str, reason: str) -> Merge:
    """Merge the record ``duplicate_code`` into ``keep_code`` inside ``tx`` (see the module)."""
    reason = required_reason(reason, _("the two records are one person"))
    tx.require("participants.merge")
    conn = tx.conn
    keep = load_participant(conn, keep_code, lock=True)  # each refused outside the member's scope
    gone = load_participant(conn, duplicate_code, lock=True)
    if keep.code == gone.code:
        raise InvalidInput(_("{keep} and {duplicate} are the same record: nothing to merge").format(
            keep=param("keep"), duplicate=param("duplicate")))
    ids = dict(conn.execute(sa.select(_P.c.code, _P.c.id).where(_P.c.code.in_((keep.code, gone.code)))).all())
    erased = conn.execute(sa.select(_P.c.code).where(_P.c.id.in_(ids.values()), _P.c.erased_on.is_not(None))).scalar()
    if erased:
        raise Conflict(_("{code} was erased: an erased record cannot be merged").format(code=erased))
    if keep.centre != gone.centre and not tx.ctx.can("participants.merge_across_centres"):
        raise PermissionDenied(_("{keep} is at {a} and {gone} at {b}: only an admin merges records of two "
                                 "centres").format(keep=keep.code, a=keep.centre, gone=gone.code, b=gone.centre))
    if keep.status is ParticipantStatus.EXITED and gone.status is not ParticipantStatus.EXITED:
        raise Conflict(_("{keep} has left the programme and {gone} has not: keep {gone} instead, or readmit {keep} "
                         "first").format(keep=keep.code, gone=gone.code))
    plugins = {name: answer for name, answer in tx.programme.pm.relay.each(
        "participant_merging", by_name=True, tx=tx, keep=keep, duplicate=gone) if answer}
    moved = _move(conn, ids[gone.code], ids[keep.code], keep.code, gone.code)
    after = attrs.evolve(keep, registered_on=min(keep.registered_on, gone.registered_on),
                         **{f: getattr(gone, f) for f in FILLED if getattr(keep, f) in (None, "")
                            and getattr(gone, f) not in (None, "")})
    conn.execute(_P.delete().where(_P.c.id == ids[gone.code]))
    conn.execute(_P.update().where(_P.c.id == ids[keep.code]).values(
        registered_on=after.registered_on, phone=after.phone, release_date=after.release_date,
        facility=after.facility, offence_category=after.offence_category.value if after.offence_category else None))
    conn.execute(t.participant_alias.insert().values(code=gone.code, participant_id=ids[keep.code], since=tx.today))
    consents = _one_consent_in_force(conn, ids[keep.code])
    tx.audit_correction("participant.merge", "participant", keep.code,
                        before={"kept": unstructure(keep), "merged": unstructure(gone)},
                        after={**unstructure(after), "merged": gone.code, "moved": moved, "consents": consents,
                               **({"plugins": plugins} if plugins else {})},
                        reason=reason)
    return Merge(after, gone.code, moved)


def _move(conn: sa.Connection, gone: int, keep: int, keep_code: str, gone_code: str) -> dict[str, int]:
    """Point every row about the person at the record kept; a row a person may have once
    (a unique key) that both records have is refused, naming the table."""
    moved = {}
    for table, column in references(conn):
        rows = sa.table(table, sa.column(column))
        try:
            with conn.begin_nested():
                count = conn.execute(rows.update().where(rows.c[column] == gone).values({column: keep})).rowcount
        except sa.exc.IntegrityError:
            raise Conflict(_("{keep} and {gone} both have a record in {table} that a person has only once: "
                             "end or remove one of them first; nothing was merged").format(
                keep=keep_code, gone=gone_code, table=table)) from None
        if count and table != "participant_alias":
            moved[table] = count
    return moved


def _one_consent_in_force(conn: sa.Connection, person: int) -> list[dict[str, Any]]:
    """The kept record's consents after the merge, in the order they were recorded: of two
    in force, the later one stands and ends the earlier (as recording a new consent does)."""
    c = t.consent
    rows = conn.execute(sa.select(c.c.id, c.c.given_on, c.c.scope, c.c.withdrawn_on)
                        .where(c.c.participant_id == person).order_by(c.c.id)).all()
    in_force = sorted((row for row in rows if row.withdrawn_on is None), key=lambda row: (row.given_on, row.id))
    ended = {earlier.id: later.given_on for earlier, later in zip(in_force, in_force[1:])}
    for consent_id, day in ended.items():
        conn.execute(c.update().where(c.c.id == consent_id).values(withdrawn_on=day))
    stated = []
    for row in rows:
        withdrawn = ended.get(row.id, row.withdrawn_on)
        stated.append({"given_on": row.given_on.isoformat(), "scope": sorted(filter(None, row.scope.split(","))),
                       "withdrawn_on": withdrawn.isoformat() if withdrawn else None})
    return stated
