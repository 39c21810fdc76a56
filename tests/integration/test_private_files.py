"""Every file with personal data is readable by its owner alone (0600), whatever the umask:
the SQLite database and its -wal and -shm, backups, exports, reports and sheets. A
database made before, open to other users, is reported by ``db info``, never changed."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from reentry_core.files import written_whole
from reentry_core.services import open_programme
from reentry_core.services.report_files import write_report
from reentry_core.sheets import write_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def open_umask():
    """The usual umask (022): files are made readable by everyone unless made otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def sqlite_file(database_url) -> Path:
    if not database_url.startswith("sqlite"):
        pytest.skip("a PostgreSQL server keeps its own files")
    return Path(database_url.removeprefix("sqlite:///"))


def test_a_new_database_and_its_log_are_owner_only(tmp_path, open_umask, plugin_manager):
    with open_programme(f"sqlite:///{tmp_path / 'new.db'}", plugins=plugin_manager) as programme:
        programme.bootstrap_admin("ADM", "Нигина Каримова")
        made = {path.name: mode(path) for path in tmp_path.glob("new.db*")}
    assert made == {"new.db": 0o600, "new.db-wal": 0o600, "new.db-shm": 0o600}


def test_exports_reports_and_sheets_are_owner_only(tmp_path, open_umask, admin):
    person = admin.participants.register(full_name="Ҷамшед Раҳимов", sex="male", birth_date="1985-03-12",
                                         centre="DSH")
    admin.participants.record_consent(person.code)
    written = []
    for kind in ("csv", "xlsx", "json"):
        admin.participants.export_file(tmp_path / f"people.{kind}")
        admin.participants.export_file(tmp_path / f"research.{kind}", pseudonymise=True)
        write_report(admin.reports.programme(), tmp_path / f"report.{kind}")
        written += [f"people.{kind}", f"research.{kind}", f"report.{kind}"]
    for kind in ("csv", "xlsx"):
        write_table(tmp_path / f"sheet.{kind}", ["code", "name"], [[person.code, person.full_name]])
        written.append(f"sheet.{kind}")
    assert {name: mode(tmp_path / name) for name in written} == {name: 0o600 for name in written}


def test_written_whole_makes_the_file_owner_only_whatever_the_writer_did(tmp_path, open_umask):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    os.chmod(target, 0o644)
    with written_whole(target) as temp:
        Path(temp).write_text("new\n")
        os.chmod(temp, 0o644)
    assert target.read_text() == "new\n" and mode(target) == 0o600


#: Modules that write files without ``written_whole``, and why that is right.
WRITES_ELSEWHERE = {
    "reentry_core/storage/backup.py": "backups and the restore's copies, each made owner-only by create_private",
    "reentry_core/scaffold.py": "a new plugin's source code: no personal data",
    "reentry_core/protection/attacker.py": "opens os.devnull to silence the solver",
    "plugins/business_plans/demo.py": "the demo's scratch sheets, created 0600",
}
WRITE = re.compile(r"""\bopen\([^)]*["'][wax]b?\+?["']|\.open\(\s*["'][wax]|\.write_text\(|\.write_bytes\(|\.save\(|"""
                   r"""\bos\.open\(|sqlite3\.connect\(|copyfile\(|\bshutil\.copy""")


def test_every_module_that_writes_a_file_goes_through_written_whole():
    """A new writer of exports or sheets must use ``reentry_core.files.written_whole``
    (owner-only, whole or nothing), or be listed above with the reason it need not."""
    writers = {}
    for folder in ("reentry_core", "plugins"):
        for path in (ROOT / folder).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if "/migrations/" in name or name == "reentry_core/testing.py":
                continue
            text = path.read_text(encoding="utf-8")
            found = [line.strip() for line in text.splitlines() if WRITE.search(line)]
            if found and "written_whole" not in text:
                writers[name] = found
    assert set(writers) - set(WRITES_ELSEWHERE) == set(), writers
    assert set(WRITES_ELSEWHERE) - set(writers) == set(), "listed, but writes nothing any more"


# --- db info ----------------------------------------------------------------------------------


def test_db_info_warns_about_a_database_others_can_read_and_leaves_it(run_cli, admin, sqlite_file):
    private = run_cli("db", "info")
    assert private.exit_code == 0 and private.stderr == ""
    os.chmod(sqlite_file, 0o644)
    loose = run_cli("db", "info")
    assert loose.exit_code == 0, loose.output
    warnings = loose.stderr.splitlines()
    assert warnings == [f"Warning: other users of this machine can read {sqlite_file.resolve()} (0644); make it "
                        f"private: chmod 600 {sqlite_file.resolve()}*"]
    assert mode(sqlite_file) == 0o644  # said, not done behind the admin's back
    as_json = run_cli("--format", "json", "db", "info")
    assert as_json.stdout.lstrip().startswith("{") and "Warning" in as_json.stderr


# --- db backup ----------------------------------------------------------------------------------


def test_a_backup_is_owner_only_needs_an_admin_and_is_audited(run_cli, admin, staff_as, sqlite_file, tmp_path,
                                                               open_umask):
    staff_as("case_worker", code="CW1")
    target = tmp_path / "monday.db"
    nobody = run_cli("db", "backup", str(target))
    assert nobody.exit_code == 2 and "say who is acting" in nobody.stderr
    worker = run_cli("--as", "CW1", "db", "backup", str(target))
    assert worker.exit_code == 3 and "CW1 (case_worker) may not copy the database to a backup file" in worker.stderr
    assert not target.exists()
    made = run_cli("--as", "ADM", "db", "backup", str(target))
    assert made.exit_code == 0, made.output
    assert mode(target) == 0o600
    event = admin.audit.log(action="db.backup")[0]
    assert (event.actor, event.entity, event.entity_key) == ("ADM", "database", "monday.db")
    assert event.after == {"path": str(target.resolve()), "size_bytes": target.stat().st_size}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("monday")] == ["monday.db"]
