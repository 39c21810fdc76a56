"""reentry db: where the data is, the schema, backups."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _, ngettext
from .output import emit_record, emit_rows
from .state import CliState, pass_state


@click.group("db")
def group():
    """The database: schema upgrades, where it is, backups."""


@group.command("upgrade")
@pass_state
def upgrade(state: CliState):
    """Bring the database to the newest schema of the core and every plugin.

    \b
    Example:
      reentry db upgrade
      reentry --db postgresql://reentry@server/reentry db upgrade
    """
    programme = state.programme(check_schema=False)
    before = programme.schema_status()
    programme.upgrade()
    after = programme.schema_status()
    changed = [b for b, a in zip(before.branches, after.branches) if b.current != a.current]
    if not changed and len(before.branches) == len(after.branches):
        click.echo(_("The database {url} is up to date.").format(url=programme.url))
        return
    for branch in after.branches:
        click.echo(_("{label}: at {rev}").format(label=branch.label, rev=branch.current))
    click.echo(_("Upgraded {url}.").format(url=programme.url))


@group.command("info")
@pass_state
def info(state: CliState):
    """Where the data is, the schema revision of each branch, the plugins.

    \b
    Example:
      reentry db info
      reentry --format json db info
    """
    programme = state.programme(check_schema=False)
    status = programme.schema_status()
    engine = programme.engine
    record = {
        "url": programme.url,
        "backend": engine.dialect.name,
        "schema": _("up to date") if status.up_to_date else (_("empty: run reentry db upgrade") if status.empty
                                                              else _("behind: run reentry db upgrade")),
    }
    loose = []
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        from ..storage.backup import open_to_others

        path = Path(engine.url.database)
        record["file"] = str(path.resolve())
        record["size_bytes"] = path.stat().st_size if path.exists() else 0
        loose = open_to_others(path.resolve())
    record["plugins"] = ", ".join(state.plugins.loaded_names())
    if state.format == "table":
        emit_record(record, state.format)
        emit_rows(
            [{"branch": b.label, "current": b.current or "-", "head": b.head,
              "state": _("up to date") if b.up_to_date else _("behind")} for b in status.branches],
            ["branch", "current", "head", "state"], state.format,
        )
    else:
        record["branches"] = [{"branch": b.label, "current": b.current, "head": b.head} for b in status.branches]
        emit_record(record, state.format)
    if loose:
        click.echo(_("Warning: other users of this machine can read {files}; make it private: chmod 600 {path}*").format(
            files=", ".join(f"{name} ({mode:04o})" for name, mode in loose), path=record["file"]), err=True)


@group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help=_("Overwrite PATH if it exists."))
@pass_state
def backup(state: CliState, path: Path, force: bool):
    """Copy a SQLite database to PATH, consistently, even while it is in use. Admins only;
    the copy is readable by you alone and the audit trail records it. A PostgreSQL server
    is backed up with pg_dump.

    \b
    Example:
      reentry --as ADM db backup ~/backups/reentry-2026-11-23.db
    """
    made = state.ctx().database.backup(path, force=force)
    click.echo(_("Backed up {url} to {path} ({size} bytes).").format(url=state.programme().url, path=made.path,
                                                                     size=made.size_bytes))


@group.command("restore")
@click.argument("backup_file", metavar="BACKUP", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help=_("Restore even a backup whose audit trail fails its check, over a "
                                              "database with events the backup lacks, or over one that cannot be "
                                              "read."))
@pass_state
def restore(state: CliState, backup_file: Path, force: bool):
    """Put a backup made by reentry db backup in place of the SQLite database. Admins
    only (of the backup, and of the database it replaces). Checks the backup first: a
    reentry database, of no newer a schema than this version (an older one is upgraded),
    its audit trail intact; refuses to lose events the backup does not have. The
    replaced database is kept beside it as NAME.before-restore-TIME, and the restored
    audit trail records who restored which backup.

    \b
    Examples:
      reentry --as ADM db restore ~/backups/reentry-2026-11-23.db
      reentry --as ADM db restore ~/backups/reentry-2026-11-23.db --force
    """
    from ..services.database import restore_backup

    done = restore_backup(state.db, backup_file, state.actor(), force=force, plugins=state.plugins,
                          clock=state.clock)
    message = ngettext("Restored {db} from {backup} ({n} event, the newest of {on}).",
                       "Restored {db} from {backup} ({n} events, the newest of {on}).", done.events).format(
        db=done.database, backup=done.backup, n=done.events, on=done.newest or "-")
    if done.upgraded:
        message += " " + _("Its schema was upgraded to this version's.")
    if done.audit_problems:
        message += " " + ngettext("Its audit trail has {n} problem, recorded with the restore.",
                                  "Its audit trail has {n} problems, recorded with the restore.",
                                  len(done.audit_problems)).format(n=len(done.audit_problems))
    if done.kept_as:
        message += " " + _("The database it replaced is kept as {file}.").format(file=done.kept_as)
    click.echo(message)
