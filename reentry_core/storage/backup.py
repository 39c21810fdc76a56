"""SQLite databases as files: a consistent copy while other processes use the database
(SQLite's backup API), and the lock a restore holds while it puts a copy in its place.
Every file made here is owner-only (0600): it holds the programme's personal data."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy.engine import Engine

from ..errors import Conflict, DatabaseError, InvalidInput, param
from ..files import PRIVATE, create_private
from ..i18n import _

#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def backup_sqlite(engine: Engine, target: Path, force: bool = False,
                  before_rename: Callable[[int], None] | None = None) -> int:
    """Copy page by page into a temporary file beside ``target``, then rename it in place;
    ``before_rename(size)`` runs in between (an error there leaves no backup)."""
    if engine.dialect.name != "sqlite":
        raise InvalidInput(_("db backup copies SQLite files; a PostgreSQL server is backed up with pg_dump "
                             "(e.g. pg_dump -Fc -f reentry.dump DBNAME), scheduled by its administrator"))
    if not engine.url.database or engine.url.database == ":memory:":
        raise InvalidInput(_("an in-memory database cannot be backed up"))
    source = Path(engine.url.database)
    target = target.expanduser()
    if target.exists() and not force:
        raise InvalidInput(_("{path} already exists; it is overwritten only with {force}").format(
            path=target, force=param("force")))
    if target.resolve() == source.resolve():
        raise InvalidInput(_("the backup must not overwrite the database itself"))
    if not target.parent.is_dir():
        raise InvalidInput(_("folder {path} does not exist").format(path=target.parent))
    partial = target.with_name(target.name + ".partial")
    try:
        copy_sqlite(source, partial)
        size = partial.stat().st_size
        if before_rename is not None:
            before_rename(size)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return size


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` (read only, even while in use) into ``target``,
    made anew as an owner-only file holding the whole database (no -wal beside it)."""
    target.unlink(missing_ok=True)
    create_private(target)
    try:
        src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True, timeout=15)
        try:
            dst = sqlite3.connect(target)
            try:
                with dst:
                    src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise DatabaseError(_("cannot copy {file}: {reason}").format(file=source, reason=exc)) from None


def self_contained(path: Path) -> None:
    """Fold a database's write-ahead log into its file and stop using one, so the file
    alone is the whole database (and can be renamed)."""
    conn = sqlite3.connect(path, timeout=15)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


@contextlib.contextmanager
def exclusive(database: Path) -> Iterator[sqlite3.Connection]:
    """Hold ``database`` so nobody reads or writes it: its log folded into the file, then
    an exclusive lock. Refused while another process has it open."""
    conn = sqlite3.connect(database, timeout=2, isolation_level=None)
    try:
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            raise Conflict(_("the database {file} is in use ({reason}); close the other reentry windows and "
                             "try again").format(file=database, reason=exc)) from None
        if mode != "delete":
            raise Conflict(_("the database {file} is in use; close the other reentry windows and try again").format(
                file=database))
        yield conn
    finally:
        conn.close()


def keep_copy(database: Path, kept: Path) -> None:
    """Copy the file ``database`` (held still, or unreadable) byte for byte to the new
    owner-only file ``kept``, with its -wal if it has one."""
    for suffix in ("", "-wal"):
        source = Path(f"{database}{suffix}")
        if not source.exists():
            continue
        target = Path(f"{kept}{suffix}")
        with open(source, "rb") as src, open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE),
                                             "wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())


def open_to_others(database: Path) -> list[tuple[Path, int]]:
    """The database's files (itself, its -wal and -shm) that other users of the machine may
    read or write, each with its permission bits."""
    found = []
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{database}{suffix}")
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            found.append((path, mode))
    return found


def is_sqlite_file(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
