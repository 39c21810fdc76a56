"""``reentry db restore``: a backup goes back in place of the SQLite database only after it
is checked (a reentry database, no newer than the code, its audit trail intact, the actor
an admin in it and in the database it replaces), never losing newer changes unless told;
the replaced database is kept, owner-only, and the restored trail records the restore."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from reentry_core.plugins import load_plugins
from reentry_core.services import FixedClock, open_programme
from reentry_core.services.database import restore_backup
from reentry_core.storage import engine as engines
from reentry_core.storage import schema
from reentry_core.testing import TODAY

PEOPLE = [("Ҷамшед Раҳимов", "male", "1985-03-12"), ("Нигора Саидова", "female", "1990-07-01")]


@pytest.fixture
def db(database_url) -> Path:
    if not database_url.startswith("sqlite"):
        pytest.skip("db restore replaces a SQLite file; a PostgreSQL server is restored with pg_restore")
    return Path(database_url.removeprefix("sqlite:///"))


@pytest.fixture
def office(programme, admin, db, run_cli, tmp_path):
    """ADM's programme with one participant and a backup of it, ``monday.db``."""
    register(admin, 0)
    result = run_cli("--as", "ADM", "db", "backup", str(tmp_path / "monday.db"))
    assert result.exit_code == 0, result.output
    return programme


def register(ctx, n: int):
    name, sex, born = PEOPLE[n]
    return ctx.participants.register(full_name=name, sex=sex, birth_date=born, centre="DSH")


def codes(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT code FROM participant ORDER BY code")]
    finally:
        conn.close()


def restore(run_cli, programme, *args, actor="ADM"):
    programme.close()  # the test's own connections would hold the database (as another window would)
    return run_cli("--as", actor, "db", "restore", *args)


def error(result, exit_code: int) -> str:
    assert result.exit_code == exit_code, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and result.stdout == "", result.output
    return lines[0]


def kept_files(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f"{db.name}.before-restore-*"))


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(".") or p.name.endswith(".partial"))


def test_a_restore_puts_the_backup_back_keeps_the_database_and_records_who(run_cli, office, admin, db, tmp_path):
    register(admin, 1)
    refused = error(restore(run_cli, office, str(tmp_path / "monday.db")), 8)
    assert "has 1 change newer than the backup (the newest of 2026-11-23); restoring would lose it" in refused
    assert "--force" in refused
    assert codes(db) == ["DSH-2026-0001", "DSH-2026-0002"] and kept_files(db) == []
    result = restore(run_cli, office, str(tmp_path / "monday.db"), "--force")
    assert result.exit_code == 0, result.output
    [kept] = kept_files(db)
    assert result.stdout == (f"Restored {db} from {tmp_path / 'monday.db'} (4 events, the newest of 2026-11-23). "
                             f"The database it replaced is kept as {kept}.\n")
    assert codes(db) == ["DSH-2026-0001"] and codes(kept) == ["DSH-2026-0001", "DSH-2026-0002"]
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600 and stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert leftovers(db) == []
    verify = run_cli("--as", "ADM", "audit", "verify")
    assert verify.stdout.startswith("The audit trail is intact: 5 events"), verify.output
    event = admin.audit.log(limit=1)[0]
    assert (event.seq, event.actor, event.action, event.entity_key) == (5, "ADM", "db.restore", "monday.db")
    assert event.after == {
        "database": str(db.resolve()), "backup": str((tmp_path / "monday.db").resolve()), "backup_events": 4,
        "backup_newest": "2026-11-23", "replaced_events": 6, "kept_as": str(kept), "upgraded": False,
        "forced": True, "audit_problems": []}


def test_the_record_of_the_backup_itself_is_no_change_to_lose(run_cli, office, db, tmp_path):
    result = restore(run_cli, office, str(tmp_path / "monday.db"))
    assert result.exit_code == 0, result.output
    assert "kept as" in result.stdout and codes(db) == ["DSH-2026-0001"]


def test_a_tampered_backup_is_refused_unless_forced(run_cli, office, admin, db, tmp_path):
    backup = tmp_path / "monday.db"
    with sqlite3.connect(backup) as conn:
        conn.execute("UPDATE audit_event SET actor = 'CW9' WHERE action = 'participant.register'")
    line = error(restore(run_cli, office, str(backup)), 6)
    assert line == (f"Error: the audit trail of the backup {backup} was tampered with (1 problem: event 4 "
                    "(participant.register DSH-2026-0001) was changed after it was written); pass --force to "
                    "restore it anyway")
    assert kept_files(db) == [] and leftovers(db) == []
    forced = restore(run_cli, office, str(backup), "--force")
    assert forced.exit_code == 0, forced.output
    assert "Its audit trail has 1 problem, recorded with the restore." in forced.stdout
    event = admin.audit.log(action="db.restore")[0]
    assert event.after["audit_problems"] == [
        "event 4 (participant.register DSH-2026-0001) was changed after it was written"]
    assert run_cli("--as", "ADM", "audit", "verify").exit_code == 6  # the trail still says so


@pytest.mark.parametrize("make, exit_code, words", [
    (lambda folder, db: folder / "missing.db", 7, "backup {path} does not exist"),
    (lambda folder, db: db, 1, "the backup {path} is the database itself"),
    (lambda folder, db: _text(folder / "notes.db"), 1, "{path} is not a SQLite database"),
    (lambda folder, db: _foreign(folder / "other.db"), 1, "{path} is not a reentry database"),
    (lambda folder, db: _newer(folder / "monday.db"), 4,
     "the backup {path} comes from a newer version of reentry, or with plugins not loaded here (c9999_future)"),
])
def test_what_is_not_a_backup_of_this_programme_is_refused(run_cli, office, db, tmp_path, make, exit_code, words):
    path = make(tmp_path, db)
    line = error(restore(run_cli, office, str(path)), exit_code)
    assert words.format(path=path) in line
    assert codes(db) == ["DSH-2026-0001"] and kept_files(db) == [] and leftovers(db) == []


def _text(path: Path) -> Path:
    path.write_text("full_name,sex\nҶамшед Раҳимов,male\n", encoding="utf-8")
    return path


def _foreign(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipe (name TEXT)")
    return path


def _newer(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO alembic_version (version_num) VALUES ('c9999_future')")
    return path


def test_an_older_backup_is_upgraded_as_it_is_restored(run_cli, programme, db, tmp_path):
    """A backup made before the plugins were installed: their tables are added."""
    core_only = load_plugins(entry_points=False)
    old = tmp_path / "old.db"
    with open_programme(f"sqlite:///{old}", plugins=core_only, clock=FixedClock(TODAY)) as before:
        before.bootstrap_admin("ADM", "Нигина Каримова")
    result = restore(run_cli, programme, str(old))
    assert result.exit_code == 0, result.output
    assert "Its schema was upgraded to this version's." in result.stdout
    engine = engines.make_engine(f"sqlite:///{db}")
    try:
        assert schema.status(engine, programme.pm).up_to_date
    finally:
        engine.dispose()
    assert codes(db) == []


def test_only_an_active_admin_of_both_databases_restores(run_cli, office, admin, db, tmp_path, staff_as):
    backup = str(tmp_path / "monday.db")
    staff_as("case_worker", code="CW1")
    admin.staff.add("ADM2", "Second Admin", ["admin"])
    line = error(restore(run_cli, office, backup, actor="ADM2"), 3)  # unknown there: refused like any missing right
    assert line == f"Error: in the backup {backup}: staff code 'ADM2': no such staff member"
    second = tmp_path / "tuesday.db"
    assert run_cli("--as", "ADM", "db", "backup", str(second)).exit_code == 0
    line = error(restore(run_cli, office, str(second), actor="CW1"), 3)
    assert line == (f"Error: in the backup {second}: CW1 (case_worker) may not replace the database with a backup: "
                    "that needs one of the roles admin")
    admin.staff.deactivate("ADM2", "left")
    line = error(restore(run_cli, office, str(second), actor="ADM2"), 3)
    assert line.startswith(f"Error: in the database {db}: staff member ADM2 is deactivated")
    nobody = run_cli("db", "restore", backup)
    assert nobody.exit_code == 2 and "say who is acting" in nobody.stderr
    assert kept_files(db) == [] and leftovers(db) == []


def test_a_backup_of_another_programme_is_refused_unless_forced(run_cli, office, db, tmp_path, plugin_manager):
    other = tmp_path / "other-office.db"
    with open_programme(f"sqlite:///{other}", plugins=plugin_manager, clock=FixedClock(TODAY)) as elsewhere:
        elsewhere.bootstrap_admin("ADM", "Фарҳод Саидов")
        ctx = elsewhere.act_as("ADM")
        ctx.centres.add("KHG", "Khorog reintegration centre", "Khorog")
    line = error(restore(run_cli, office, str(other)), 8)
    assert f"the backup {other} is not an earlier copy of the database {db}: their audit trails differ at event 2" in line
    forced = restore(run_cli, office, str(other), "--force")
    assert forced.exit_code == 0, forced.output
    assert codes(db) == [] and codes(kept_files(db)[0]) == ["DSH-2026-0001"]


def test_a_database_in_use_is_not_replaced(run_cli, office, db, tmp_path):
    reader = sqlite3.connect(db, isolation_level=None)
    try:
        reader.execute("SELECT count(*) FROM participant").fetchone()
        line = error(restore(run_cli, office, str(tmp_path / "monday.db")), 8)
        assert f"the database {db} is in use" in line and "close the other reentry windows" in line
    finally:
        reader.close()
    assert kept_files(db) == [] and leftovers(db) == []


def test_a_database_that_cannot_be_read_is_replaced_only_when_forced(run_cli, office, db, tmp_path):
    office.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database any more" * 100)
    line = error(restore(run_cli, office, str(tmp_path / "monday.db")), 4)
    assert f"the database {db} cannot be read (not a SQLite database); pass --force" in line
    forced = restore(run_cli, office, str(tmp_path / "monday.db"), "--force")
    assert forced.exit_code == 0, forced.output
    assert codes(db) == ["DSH-2026-0001"]
    assert kept_files(db)[0].read_bytes().startswith(b"this is not a database")


def test_a_missing_database_is_restored_from_its_backup(run_cli, office, db, tmp_path):
    office.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    result = run_cli("--as", "ADM", "db", "restore", str(tmp_path / "monday.db"))
    assert result.exit_code == 0, result.output
    assert "kept as" not in result.stdout and codes(db) == ["DSH-2026-0001"]
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_the_api_gives_what_was_restored(office, db, tmp_path, plugin_manager):
    office.close()
    done = restore_backup(f"sqlite:///{db}", tmp_path / "monday.db", "ADM", plugins=plugin_manager,
                          clock=FixedClock(TODAY))
    assert (done.database, done.backup, done.events, done.upgraded, done.audit_problems) == (
        db, tmp_path / "monday.db", 4, False, ())
    assert done.newest.isoformat() == "2026-11-23" and done.kept_as == kept_files(db)[0]


def test_postgresql_is_restored_by_its_administrator(run_cli, admin, database_url, tmp_path):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    backup = tmp_path / "x.db"
    backup.write_bytes(b"")
    line = error(run_cli("--as", "ADM", "db", "restore", str(backup)), 1)
    assert "db restore replaces a SQLite file; a PostgreSQL server is restored with pg_restore" in line
    with admin.programme.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_event WHERE action = 'db.restore'")).scalar() == 0
