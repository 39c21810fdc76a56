"""Opening a database by URL: SQLite by default, PostgreSQL (psycopg 3) when shared."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from ..errors import DatabaseError
from ..files import create_private
from ..i18n import _

SQLITE_BUSY_TIMEOUT_MS = 15_000


def default_database_url() -> str:
    """A SQLite file in the user's data directory (e.g. ``~/.local/share/reentry``)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("reentry", appauthor=False))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'reentry.db'}"


def resolve_url(url: str | None) -> str:
    return url or os.environ.get("REENTRY_DATABASE_URL") or default_database_url()


def display_url(url: str | URL) -> str:
    """The URL as safe to print: never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return str(url)


def make_engine(url: str) -> Engine:
    """Create an engine with the settings each backend needs; errors name the URL."""
    try:
        parsed = make_url(url)
    except Exception:
        raise DatabaseError(_("{url!r} is not a database URL (e.g. sqlite:///reentry.db)").format(url=url)) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend != "postgresql":
        raise DatabaseError(
            _("database {url}: only SQLite and PostgreSQL are supported").format(url=display_url(parsed))
        )
    try:
        return sa.create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError:
        raise DatabaseError(
            _("PostgreSQL needs psycopg: pip install 'reentry[postgresql]'")
        ) from None


def _sqlite_engine(url: URL) -> Engine:
    database = url.database
    if database and database != ":memory:" and not Path(database).expanduser().parent.is_dir():
        raise DatabaseError(_("cannot open database {url}: folder {folder} does not exist").format(
            url=display_url(url), folder=Path(database).expanduser().parent))
    if database and database != ":memory:" and not database.startswith("file:"):
        # A new database holds personal data from its first row: owner-only (0600), and
        # SQLite gives its -wal and -shm files the same permissions. A folder we may not
        # write to is left for SQLite to report in one line when it opens the file.
        with contextlib.suppress(OSError):
            create_private(Path(database))
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        # 32 MB of page cache (the default is 2 MB): a large import or report then works
        # in memory instead of spilling pages to the WAL in the middle of its transaction
        cursor.execute("PRAGMA cache_size = -32768")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Reading never takes the write lock (WAL: readers never wait for a writer); a
        # write, opened with ``writing()``, takes it at BEGIN, so two writers queue (up to
        # the busy timeout) instead of failing when one upgrades its read to a write.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextlib.contextmanager
def writing(engine: Engine) -> Iterator[sa.Connection]:
    """A connection in a transaction that writes: committed when the block ends, rolled
    back on an error. On SQLite it holds the write lock from its first statement."""
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn
    except sa.exc.OperationalError as exc:
        if "database is locked" not in str(exc.orig):
            raise
        raise DatabaseError(_(
            "the database is busy with another change (a large import?) and stayed so for {seconds} s; nothing was "
            "written: try again when it has finished").format(seconds=SQLITE_BUSY_TIMEOUT_MS // 1000)) from None


def check_connection(engine: Engine) -> None:
    """Open one connection, turning a driver error into one line naming the database."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseError(
            _("cannot open database {url}: {reason}").format(url=display_url(engine.url), reason=reason)
        ) from None
