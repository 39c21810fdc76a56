"""The database as a whole: a backup (admins only, audited). It copies a SQLite file; a
PostgreSQL server is backed up with pg_dump by its administrator."""

from __future__ import annotations

from pathlib import Path

import attrs

from ..storage import backup as files


@attrs.frozen
class Backup:
    path: Path
    size_bytes: int


class DatabaseService:
    """``ctx.database``: backups of the database the context acts on."""

    def __init__(self, ctx):
        self.ctx = ctx

    def backup(self, path, force: bool = False) -> Backup:
        """Copy the SQLite database to ``path`` (owner-only), consistently while others use
        it; the audit trail records the copy's path and size before it appears."""
        self.ctx.require("db.backup")
        target = Path(path).expanduser()

        def record(size: int) -> None:
            with self.ctx.transaction() as tx:
                tx.audit("db.backup", "database", target.name[:60],
                         after={"path": str(target.resolve()), "size_bytes": size})

        size = files.backup_sqlite(self.ctx.programme.engine, target, force=force, before_rename=record)
        return Backup(target, size)


__all__ = ["Backup", "DatabaseService"]
