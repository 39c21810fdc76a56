"""participants: name keys that match across alphabets and spellings

``name_key`` was the case-folded name, so Раҳимов, Рахимов and Rakhimov were three
people to a search and to the duplicate check. It is now the Latin skeleton of
``reentry_core.names.name_key``; the twin numbers are renumbered for people whose keys
now coincide (oldest first), so the unique identity key still holds.

Revision ID: c0007
Revises: c0006
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa

from reentry_core.names import name_key


revision = 'c0007'
down_revision = 'c0006'
branch_labels = None
depends_on = None

_P = sa.table("participant", sa.column("id"), sa.column("centre_id"), sa.column("full_name"),
              sa.column("name_key"), sa.column("birth_date"), sa.column("twin"), sa.column("erased_on"))


def _rekey(key_of) -> None:
    """Give every participant (not erased: their "~CODE" key stays) the key ``key_of(name)``
    and number the twins again, oldest first, so the unique identity key still holds."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(_P.c.id, _P.c.centre_id, _P.c.full_name, _P.c.name_key, _P.c.birth_date,
                                  _P.c.erased_on).order_by(_P.c.id)).all()
    seen: dict[tuple, int] = {}
    changes = []
    for row in rows:
        key = row.name_key if row.erased_on is not None else key_of(row.full_name)
        identity = (row.centre_id, key, row.birth_date)
        twin = seen.get(identity, -1) + 1
        seen[identity] = twin
        changes.append({"row_id": row.id, "new_key": key, "new_twin": twin})
    if not changes:
        return
    # first out of the way (a unique negative twin each), then the final keys and numbers
    conn.execute(sa.update(_P).values(twin=-_P.c.id))
    conn.execute(sa.update(_P).where(_P.c.id == sa.bindparam("row_id")).values(
        name_key=sa.bindparam("new_key"), twin=sa.bindparam("new_twin")), changes)


def upgrade():
    _rekey(name_key)


def downgrade():
    _rekey(str.casefold)
