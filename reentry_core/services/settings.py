"""Programme settings: small JSON values in the ``setting`` table, one row per key.

The value in force is what the row holds, or the default until somebody changes it;
changes go through the services that own each key (who may change it, and the audit
event, are theirs).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ..storage import tables as t


def read_setting(conn: sa.Connection, key: str, default: Any = None) -> Any:
    """The value of ``key``, or ``default`` when it was never set."""
    text = conn.execute(sa.select(t.setting.c.value).where(t.setting.c.key == key)).scalar()
    return default if text is None else json.loads(text)


def write_setting(conn: sa.Connection, key: str, value: Any) -> None:
    """Set ``key`` to ``value`` (plain JSON data), inside the caller's transaction."""
    text = json.dumps(value, sort_keys=True)
    if not conn.execute(t.setting.update().where(t.setting.c.key == key).values(value=text)).rowcount:
        conn.execute(t.setting.insert().values(key=key, value=text))
