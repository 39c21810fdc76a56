"""The database as a whole: a backup (admins only, audited) and a restore that checks what
it puts back. Both copy SQLite files; a PostgreSQL server is backed up and restored with
pg_dump and pg_restore by its administrator.

A restore never trusts the backup: it copies it beside the database, and there checks
that it is a reentry database of no newer a schema than the code (an older one is
upgraded), that its audit trail is intact, and that the acting admin is an active admin
in it. Then, with the database held so nobody uses it, it refuses to lose events the
backup lacks, keeps the database as ``NAME.before-restore-<time>``, records in the copy
who restored what from which backup, and renames the copy over the database.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from pathlib import Path

import attrs
import sqlalchemy as sa

from ..errors import AuditTampered, Conflict, DatabaseError, InvalidInput, NotFound, PermissionDenied, ReentryError, param
from ..i18n import _, ngettext
from ..storage import backup as files
from ..storage import engine as engines
from ..storage import schema
from ..storage import tables as t
from . import audit

#: What every reentry database has, whatever its plugins and revision.
CORE_TABLES = frozenset({"staff", "staff_role", "audit_event", "audit_head", "alembic_version"})


@attrs.frozen
class Backup:
    path: Path
    size_bytes: int


@attrs.frozen
class Restored:
    database: Path
    backup: Path
    events: int  # in the backup's audit trail
    newest: date | None  # the day its newest event was written
    kept_as: Path | None  # the database it replaced
    upgraded: bool  # the backup's schema was older and was brought up to date
    audit_problems: tuple[str, ...] = ()  # a tampered trail restored with force


@attrs.frozen
class _Trail:
    seq: int
    hash: str
    newest: date | None


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


def restore_backup(url: str | None, backup, actor: str | None, *, force: bool = False, plugins=None,
                   clock=None) -> Restored:
    """Put the SQLite backup ``backup`` in place of the database at ``url`` (default: as
    :func:`open_programme` chooses), acting as ``actor``, an active admin of both.

    ``force`` restores even a backup whose audit trail fails its check (the restore event
    lists the problems), over a database with events the backup lacks, or over one that
    cannot be read."""
    from ..plugins import load_plugins

    pm = plugins if plugins is not None else load_plugins()
    url = engines.resolve_url(url)
    database = _database_file(url)
    if not actor:
        raise PermissionDenied(_("say who is acting: give {actor}").format(actor=param("actor")))
    return _Restore(url, database, Path(backup).expanduser(), actor, force, pm, clock).run()


def _database_file(url: str) -> Path:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise InvalidInput(_("db restore replaces a SQLite file; a PostgreSQL server is restored with pg_restore by "
                             "its administrator"))
    if not parsed.database or parsed.database == ":memory:":
        raise InvalidInput(_("an in-memory database has no file to restore"))
    database = Path(parsed.database)
    if not database.parent.is_dir():
        raise DatabaseError(_("cannot restore into {file}: folder {folder} does not exist").format(
            file=database, folder=database.parent))
    return database


class _Restore:
    def __init__(self, url: str, database: Path, source: Path, actor: str, force: bool, pm, clock):
        self.url, self.database, self.source = url, database, source
        self.actor, self.force, self.pm, self.clock = actor, force, pm, clock
        self.staged = database.with_name(f".{database.name}.restore-{os.getpid()}.part")
        self.unreadable = False  # the database it replaces cannot be read as one (restoring with force)

    def run(self) -> Restored:
        self._check_source()
        try:
            files.copy_sqlite(self.source, self.staged)
            engine = engines.make_engine(f"sqlite:///{self.staged}")
            try:
                backup, problems, upgraded = self._check_staged(engine)
                current = self._check_current(engine, backup)
                kept = self._replace(engine, backup, current, problems, upgraded)
            finally:
                engine.dispose()
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.staged}{suffix}").unlink(missing_ok=True)
        return Restored(self.database, self.source, backup.seq, backup.newest, kept, upgraded, problems)

    # --- the backup ----------------------------------------------------------------------
    def _check_source(self) -> None:
        source = self.source
        if not source.is_file():
            raise NotFound(_("backup {file} does not exist").format(file=source))
        if source.resolve() == self.database.resolve():
            raise InvalidInput(_("the backup {file} is the database itself").format(file=source))
        if not files.is_sqlite_file(source):
            raise InvalidInput(_("{file} is not a SQLite database").format(file=source))

    def _check_staged(self, engine: sa.Engine) -> tuple[_Trail, tuple[str, ...], bool]:
        """The backup's copy: a reentry database, no newer than the code (an older one is
        upgraded), its trail intact (or ``force``), the actor an admin in it."""
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        if not CORE_TABLES <= tables:
            raise InvalidInput(_("{file} is not a reentry database: it has no staff or audit trail").format(
                file=self.source))
        unknown = schema.unknown_revisions(engine, self.pm)
        if unknown:
            raise DatabaseError(_("the backup {file} comes from a newer version of reentry, or with plugins not loaded "
                                  "here ({revisions}); restore it with that version").format(
                file=self.source, revisions=", ".join(sorted(unknown))))
        upgraded = not schema.status(engine, self.pm).up_to_date
        if upgraded:
            schema.upgrade(engine, self.pm)
        with engine.connect() as conn:
            result = audit.verify_chain(conn, audit.audit_key_from_env())
            trail = _trail(conn)
        if trail is None:
            raise InvalidInput(_("{file} is not a reentry database: its audit trail has no head").format(
                file=self.source))
        if not result.ok and not self.force:
            raise AuditTampered(ngettext(
                "the audit trail of the backup {file} was tampered with ({n} problem: {first}); pass {force} to "
                "restore it anyway",
                "the audit trail of the backup {file} was tampered with ({n} problems, the first: {first}); pass "
                "{force} to restore it anyway", len(result.problems)).format(
                file=self.source, n=len(result.problems), first=result.problems[0], force=param("force")))
        self._as_admin(engine, _("the backup {file}").format(file=self.source))
        return trail, result.problems, upgraded

    # --- the database it replaces --------------------------------------------------------
    def _check_current(self, staged: sa.Engine, backup: _Trail) -> _Trail | None:
        """The database now: ``None`` if there is nothing to lose; refused if it cannot be
        read or holds events the backup lacks (unless ``force``), or if the actor is not an
        active admin in it."""
        database = self.database
        if not database.exists():
            return None
        reason, current = None, None
        if database.stat().st_size == 0:
            return None  # an empty file is an empty SQLite database
        if not files.is_sqlite_file(database):
            reason = _("not a SQLite database")
        else:
            engine = engines.make_engine(self.url)
            try:
                with engine.connect() as conn:
                    tables = set(sa.inspect(conn).get_table_names())
                    current = _trail(conn) if CORE_TABLES <= tables else None
                    if not tables or (current is not None and not _has_staff(conn)):
                        return None  # nothing to lose, nobody to be an admin of (as before bootstrap)
                    if current is None:
                        reason = _("it holds no reentry programme")
                    else:
                        ours = _hash_at(conn, min(current.seq, backup.seq))
                        lost, newest = _changes_since(conn, backup.seq)
                if current is not None:
                    self._as_admin(engine, _("the database {file}").format(file=database))
            except sa.exc.SQLAlchemyError as exc:
                reason, current = str(getattr(exc, "orig", exc)).strip().splitlines()[0], None
            finally:
                engine.dispose()
        if reason is not None:
            self.unreadable = True
            if not self.force:
                raise DatabaseError(_("the database {file} cannot be read ({reason}); pass {force} to replace it (it is "
                                      "kept beside it)").format(file=database, reason=reason, force=param("force")))
            return None
        if self.force:
            return current
        k = min(current.seq, backup.seq)
        with staged.connect() as conn:
            theirs = _hash_at(conn, k)
        if ours != theirs:
            raise Conflict(_("the backup {file} is not an earlier copy of the database {db}: their audit trails differ "
                             "at event {n}; pass {force} to replace it anyway (it is kept beside it)").format(
                file=self.source, db=database, n=k, force=param("force")))
        if lost:
            raise Conflict(ngettext(
                "the database {db} has {n} change newer than the backup (the newest of {on}); restoring would lose it: "
                "pass {force} to restore anyway (the database is kept beside it)",
                "the database {db} has {n} changes newer than the backup (the newest of {on}); restoring would lose "
                "them: pass {force} to restore anyway (the database is kept beside it)",
                lost).format(db=database, n=lost, on=newest, force=param("force")))
        return current

    def _as_admin(self, engine: sa.Engine, where: str) -> None:
        """The actor must be an active admin in the database of ``engine``."""
        from .context import Programme

        try:
            Programme(engine, self.pm, self.clock).act_as(self.actor).require("db.restore")
        except ReentryError as exc:
            raise type(exc)(_("in {where}: {message}").format(where=where, message=exc.message)) from None

    # --- the swap ------------------------------------------------------------------------
    def _replace(self, staged: sa.Engine, backup: _Trail, current: _Trail | None, problems, upgraded) -> Path | None:
        """Hold the database still, keep it, record the restore in the copy, rename the copy
        over it. Returns where the replaced database is kept."""
        database = self.database
        if not database.exists():
            self._swap(staged, backup, current, None, problems, upgraded)
            return None
        kept = self._kept_name()
        if self.unreadable:  # restoring with force: nobody can be using it
            files.keep_copy(database, kept)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            self._swap(staged, backup, current, kept, problems, upgraded)
            return kept
        with files.exclusive(database) as held:
            if current is not None:
                seq, digest = held.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
                if (seq, digest) != (current.seq, current.hash):
                    raise Conflict(_("the database {db} changed while the restore was checking it; try again").format(
                        db=database))
            files.keep_copy(database, kept)
            self._swap(staged, backup, current, kept, problems, upgraded)
        return kept

    def _swap(self, staged, backup, current, kept, problems, upgraded) -> None:
        self._record(staged, backup, current, kept, problems, upgraded)
        files.self_contained(self.staged)
        os.replace(self.staged, self.database)

    def _record(self, staged: sa.Engine, backup: _Trail, current: _Trail | None, kept: Path | None, problems,
                upgraded: bool) -> None:
        """The restore's own event, the first of the restored trail after the backup's."""
        from .context import Programme

        ctx = Programme(staged, self.pm, self.clock).act_as(self.actor)
        with ctx.transaction() as tx:
            tx.require("db.restore")
            tx.audit("db.restore", "database", self.source.name[:60], after={
                "database": str(self.database.resolve()), "backup": str(self.source.resolve()),
                "backup_events": backup.seq, "backup_newest": backup.newest.isoformat() if backup.newest else None,
                "replaced_events": current.seq if current else None, "kept_as": str(kept) if kept else None,
                "upgraded": upgraded, "forced": self.force, "audit_problems": list(problems),
            })
        staged.dispose()

    def _kept_name(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        kept = self.database.with_name(f"{self.database.name}.before-restore-{stamp}")
        n = 1
        while kept.exists():
            n += 1
            kept = self.database.with_name(f"{self.database.name}.before-restore-{stamp}-{n}")
        return kept


def _trail(conn: sa.Connection) -> _Trail | None:
    head = conn.execute(sa.select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1)).first()
    if head is None:
        return None
    at = conn.execute(sa.select(t.audit_event.c.at).where(t.audit_event.c.seq == head.seq)).scalar()
    return _Trail(head.seq, head.hash, at.date() if at else None)


def _changes_since(conn: sa.Connection, seq: int) -> tuple[int, date | None]:
    """How many events after ``seq`` changed the programme, and the day of the newest (the
    record of a backup being made changes nothing: the backup itself never holds it)."""
    ev = t.audit_event
    count, newest = conn.execute(sa.select(sa.func.count(), sa.func.max(ev.c.at))
                                 .where(ev.c.seq > seq, ev.c.action != "db.backup")).one()
    return count, newest.date() if newest else None


def _has_staff(conn: sa.Connection) -> bool:
    return conn.execute(sa.select(t.staff.c.id).limit(1)).first() is not None


def _hash_at(conn: sa.Connection, seq: int) -> str | None:
    if seq == 0:
        return audit.GENESIS
    return conn.execute(sa.select(t.audit_event.c.hash).where(t.audit_event.c.seq == seq)).scalar()


__all__ = ["Backup", "DatabaseService", "Restored", "restore_backup"]
