"""Participants in the database: their rows, their codes, duplicates, consent.

What the participant services, the participants import and the SDK's look-ups share;
no permissions, no audit — those are the services' job.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

import attrs
import sqlalchemy as sa

from .. import privacy
from ..domain import SENSITIVE_FIELDS, Consent, Participant, participant_code
from ..errors import NotFound
from ..i18n import _
from ..storage import tables as t
from ..names import name_key as _name_key
from ..storage.locks import for_update

_P = t.participant


def name_key(full_name: str) -> str:
    """What makes two spellings of a name the same, for duplicate checks and searches:
    :func:`reentry_core.names.name_key` (Раҳимов, Рахимов and Rakhimov alike)."""
    return _name_key(full_name)


def select_participants():
    return sa.select(_P, t.centre.c.code.label("centre_code")).select_from(_P.join(t.centre))


def from_row(row) -> Participant:
    return Participant(
        full_name=row.full_name, sex=row.sex, birth_date=row.birth_date, centre=row.centre_code,
        registered_on=row.registered_on, phone=row.phone, release_date=row.release_date,
        facility=row.facility, offence_category=row.offence_category, code=row.code, status=row.status,
        exit_reason=row.exit_reason, exited_on=row.exited_on, exit_note=row.exit_note,
    )


def to_row(p: Participant, centre_id: int) -> dict[str, Any]:
    return {
        "code": p.code, "centre_id": centre_id, "full_name": p.full_name, "name_key": name_key(p.full_name),
        "sex": p.sex.value, "birth_date": p.birth_date, "registered_on": p.registered_on, "phone": p.phone,
        "release_date": p.release_date, "facility": p.facility,
        "offence_category": p.offence_category.value if p.offence_category else None,
        "status": p.status.value, "exit_reason": p.exit_reason.value if p.exit_reason else None,
        "exited_on": p.exited_on, "exit_note": p.exit_note,
    }


def redact(p: Participant) -> Participant:
    """The participant as seen by a role without ``participants.view_sensitive``."""
    return attrs.evolve(p, **{f: None for f in SENSITIVE_FIELDS})


def reserve_codes(conn: sa.Connection, centre_id: int, centre: str, year: int, count: int) -> list[str]:
    """Take ``count`` consecutive numbers from the centre's counter for ``year``."""
    sql, order = _reserve_statement(conn.dialect)
    params = {"centre_id": centre_id, "year": year, "count": count, "more": count}
    last = conn.exec_driver_sql(sql, tuple(params[k] for k in order) if order else params).scalar_one()
    return [participant_code(centre, year, n) for n in range(last - count + 1, last + 1)]


_RESERVE_SQL: dict[str, tuple[str, list[str] | None]] = {}


def _reserve_statement(dialect) -> tuple[str, list[str] | None]:
    """The counter's upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), compiled once
    per dialect: an import calls it for every centre and year of every batch."""
    found = _RESERVE_SQL.get(dialect.name)
    if found is None:
        counter = t.participant_code_counter
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(counter).values(
            centre_id=sa.bindparam("centre_id", type_=sa.Integer), year=sa.bindparam("year", type_=sa.Integer),
            last_number=sa.bindparam("count", type_=sa.Integer),
        ).on_conflict_do_update(
            index_elements=[counter.c.centre_id, counter.c.year],
            set_={"last_number": counter.c.last_number + sa.bindparam("more", type_=sa.Integer)},
        ).returning(counter.c.last_number)
        compiled = stmt.compile(dialect=dialect)
        found = _RESERVE_SQL[dialect.name] = (str(compiled), list(compiled.positiontup) if compiled.positional else None)
    return found


class TwinLookup:
    """Existing participants with the same centre, name key and birth date → their codes.

    Asked as ``(centre_id = ? AND name_key = ? AND birth_date = ?) OR ...`` so the identity
    index answers key by key (a row-value ``IN`` makes SQLite scan the whole table). The
    SQL is compiled once per chunk length and run on the driver: imports ask for tens of
    thousands of keys.
    """

    CHUNK = 300  # 900 parameters: under SQLite's oldest limit of 999

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self._compiled: dict[int, tuple[str, list[str] | None]] = {}

    def _statement(self, size: int):
        found = self._compiled.get(size)
        if found is None:
            terms = [
                sa.and_(_P.c.centre_id == sa.bindparam(f"c{i}", type_=sa.Integer),
                        _P.c.name_key == sa.bindparam(f"k{i}", type_=sa.String),
                        _P.c.birth_date == sa.bindparam(f"b{i}", type_=sa.Date))
                for i in range(size)
            ]
            query = sa.select(_P.c.centre_id, _P.c.name_key, _P.c.birth_date, _P.c.code).where(sa.or_(*terms))
            compiled = query.compile(dialect=self.conn.dialect)
            found = (str(compiled), list(compiled.positiontup) if compiled.positional else None)
            self._compiled[size] = found
        return found

    def __call__(self, keys) -> dict[tuple, str]:
        keys = list(keys)
        found: dict[tuple, str] = {}
        for start in range(0, len(keys), self.CHUNK):
            chunk = keys[start:start + self.CHUNK]
            sql, order = self._statement(len(chunk))
            params: dict[str, Any] = {}
            for i, (centre_id, key, born) in enumerate(chunk):
                params[f"c{i}"] = centre_id
                params[f"k{i}"] = key
                params[f"b{i}"] = born.isoformat() if self.sqlite else born
            args = tuple(params[name] for name in order) if order is not None else params
            for centre_id, key, born, code in self.conn.exec_driver_sql(sql, args):
                if isinstance(born, str):
                    born = date.fromisoformat(born)
                found.setdefault((centre_id, key, born), code)
        return found


def find_duplicates(conn: sa.Connection, keys: Iterable[tuple[int, str, date]]) -> dict[tuple, str]:
    """Existing participants with the same centre, name key and birth date → their codes."""
    return TwinLookup(conn)(keys)


def next_twin(conn: sa.Connection, key: tuple[int, str, date]) -> int:
    """The ``twin`` number for one more person with the centre, name key and birth date
    ``key``: 0 for the first, then 1, 2 … (the unique key refuses the same number twice)."""
    centre_id, name, born = key
    highest = conn.execute(sa.select(sa.func.max(_P.c.twin)).where(
        _P.c.centre_id == centre_id, _P.c.name_key == name, _P.c.birth_date == born)).scalar()
    return 0 if highest is None else highest + 1


def load_participant(conn: sa.Connection, code: str, *, lock: bool = False) -> Participant:
    """Participant ``code`` with every field; :class:`NotFound` names the code, and one
    outside the acting staff member's scope is refused (:func:`reentry_core.privacy.check`).
    ``lock``: held until the transaction ends, for a change written back
    (:mod:`reentry_core.storage.locks`)."""
    code = code.strip().upper()

    def find(wanted: str):
        query = select_participants().where(_P.c.code == wanted)
        return conn.execute(for_update(query, _P) if lock else query).first()

    row = find(code)
    if row is None and (kept := kept_code(conn, code)):  # a merged duplicate's code finds the person kept
        code, row = kept, find(kept)
    if row is None:
        raise NotFound(_("participant {code!r} does not exist").format(code=code))
    privacy.check(conn, row.id, row.code, row.centre_id)
    return from_row(row)


def participant_id(conn: sa.Connection, code: str) -> int:
    """The database id of participant ``code``; :class:`NotFound` names the code."""
    code = code.strip().upper()
    query = sa.select(_P.c.id, _P.c.centre_id)
    row = conn.execute(query.where(_P.c.code == code)).first()
    if row is None and (kept := kept_code(conn, code)):  # a merged duplicate's code finds the person kept
        code, row = kept, conn.execute(query.where(_P.c.code == kept)).first()
    if row is None:
        raise NotFound(_("participant {code!r} does not exist").format(code=code))
    privacy.check(conn, row.id, code, row.centre_id)
    return row.id


def kept_code(conn: sa.Connection, code: str) -> str | None:
    """The code of the person ``code`` now finds when it is an alias (a duplicate merged
    into them, or their code before a registration at the wrong centre was corrected), else
    ``None``."""
    a = t.participant_alias
    return conn.execute(sa.select(_P.c.code).select_from(a.join(_P, _P.c.id == a.c.participant_id))
                        .where(a.c.code == code.strip().upper())).scalar()


def resolve_code(conn: sa.Connection, code: str) -> str:
    """``code`` normalised, or the code it is an alias of: a person's own code is tried
    first, so the alias table is read only for a code that is not one."""
    code = code.strip().upper()
    if conn.execute(sa.select(_P.c.id).where(_P.c.code == code)).first() is None:
        return kept_code(conn, code) or code
    return code


def resolve_codes(conn: sa.Connection, codes) -> dict[str, str]:
    """Each of ``codes`` that is an alias → the code it finds (one query)."""
    a = t.participant_alias
    wanted = sorted({code.strip().upper() for code in codes})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        found.update(conn.execute(sa.select(a.c.code, _P.c.code).select_from(a.join(_P, _P.c.id == a.c.participant_id))
                                  .where(a.c.code.in_(wanted[start:start + 500]))).all())
    return found


def consent_from_row(code: str, row) -> Consent:
    return Consent(participant=code, given_on=row.given_on, scope=row.scope, withdrawn_on=row.withdrawn_on, id=row.id)


def current_consent(conn: sa.Connection, participant_id: int, on: date) -> Consent | None:
    """The consent in force on ``on``, if any."""
    row = conn.execute(
        sa.select(t.consent, _P.c.code).select_from(t.consent.join(_P))
        .where(t.consent.c.participant_id == participant_id, t.consent.c.given_on <= on,
               sa.or_(t.consent.c.withdrawn_on.is_(None), t.consent.c.withdrawn_on > on))
        .order_by(t.consent.c.given_on.desc(), t.consent.c.id.desc())
    ).first()
    return consent_from_row(row.code, row) if row else None
