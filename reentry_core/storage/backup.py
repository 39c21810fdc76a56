"""A consistent copy of a SQLite database while other processes use it (SQLite's backup API)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine

from ..errors import InvalidInput
from ..i18n import _


def backup_sqlite(engine: Engine, target: Path, force: bool = False) -> int:
    """Copy page by page into a temporary file beside ``target``, then rename it in place."""
    if engine.dialect.name != "sqlite":
        raise InvalidInput(_("db backup copies SQLite files; for PostgreSQL use pg_dump"))
    source = engine.url.database
    if not source or source == ":memory:":
        raise InvalidInput(_("an in-memory database cannot be backed up"))
    target = target.expanduser()
    if target.exists() and not force:
        raise InvalidInput(_("{path} already exists; pass --force to overwrite it").format(path=target))
    if target.resolve() == Path(source).resolve():
        raise InvalidInput(_("the backup must not overwrite the database itself"))
    if not target.parent.is_dir():
        raise InvalidInput(_("folder {path} does not exist").format(path=target.parent))
    partial = target.with_name(target.name + ".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=15)
    try:
        dst = sqlite3.connect(partial)
        try:
            with dst:
                src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, target)
    return target.stat().st_size
