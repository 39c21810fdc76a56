"""Row locks for read-modify-write: the one place that says how a service holds a row it
read until it writes it back.

On PostgreSQL ``SELECT … FOR UPDATE`` makes a second desk changing the same person (or
moving the same referral) wait until the first has committed, then read what the first
wrote: both changes are kept, or the second is refused by the rule the first made true
("already left the programme"). On SQLite a writing transaction is ``BEGIN IMMEDIATE``
(:func:`reentry_core.storage.engine.writing`): one writer at a time is the lock, and
``FOR UPDATE`` is left out of the SQL.

The concurrency suite (``tests/integration/test_concurrency.py``) switches
:data:`ROW_LOCKS` off once, in its own worker processes, to prove that it would catch a
lost update if a lock went missing.
"""

from __future__ import annotations

import sqlalchemy as sa

#: Take row locks (only a test turns this off, to prove the suite sees what they prevent).
ROW_LOCKS = True


def for_update(query: sa.Select, *of: sa.Table) -> sa.Select:
    """``query`` locking the rows it reads of ``of`` (all its tables when none is named)."""
    if not ROW_LOCKS:
        return query
    return query.with_for_update(of=list(of) if of else None)
