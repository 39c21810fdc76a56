"""The command line: one clear error line per bad input with nothing written, stable
JSON/CSV output for scripts, and backups of a SQLite database."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
import sqlalchemy as sa

from reentry_core.storage import tables as t

ADD = ["--as", "CW1", "participants", "add", "--name", "Ҷамшед Раҳимов", "--sex", "male",
       "--birth-date", "12.03.1985", "--centre", "DSH"]


def option(args: list[str], name: str, value: str | None) -> list[str]:
    """``args`` with option ``name`` set to ``value`` (or removed when ``None``)."""
    out = list(args)
    i = out.index(name)
    if value is None:
        del out[i:i + 2]
    else:
        out[i + 1] = value
    return out


def state(programme):
    with programme.engine.connect() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                     for table in (t.participant, t.consent, t.referral, t.audit_event, t.staff, t.centre))


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def assert_refused(result, exit_code: int, *words: str) -> str:
    assert result.exit_code == exit_code, (result.exit_code, result.output)
    errors = error_lines(result)
    assert len(errors) == 1, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def desk(programme, case_worker):
    """ADM, CW1, the centres; returns the programme for counting rows."""
    return programme


# --- bad inputs ---------------------------------------------------------------------


@pytest.mark.parametrize("args, exit_code, words", [
    (option(ADD, "--centre", "XYZ"), 7, ["centre 'XYZ' does not exist", "DSH, KHJ"]),
    (option(ADD, "--as", "NOBODY"), 3, ["'NOBODY': no such staff member"]),
    (option(ADD, "--birth-date", "2030-01-01"), 1, ["birth_date 2030-01-01 is in the future"]),
    (option(ADD, "--birth-date", "2020-01-01"), 1, ["younger than 14"]),
    (ADD + ["--release-date", "1980-05-05"], 1, ["release_date 1980-05-05 is before birth_date 1985-03-12"]),
    (option(ADD, "--sex", "unknown"), 2, ["'unknown' is not one of"]),
    (option(ADD, "--name", ""), 1, ["full_name"]),
    (option(ADD, "--name", "   "), 1, ["full_name is empty"]),
    (option(ADD, "--name", "Agent 007"), 1, ["full_name 'Agent 007' contains '0'"]),
    (option(ADD, "--birth-date", "31.02.1990"), 1, ["birth_date: '31.02.1990' is not a date"]),
    (option(ADD, "--birth-date", "12/03/1985"), 1, ["'12/03/1985' is not a date"]),
    (ADD + ["--phone", "call me"], 1, ["phone 'call me' is not a phone number"]),
    (option(ADD, "--as", None), 2, ["say who is acting"]),
])
def test_bad_registration_gives_one_error_line_and_writes_nothing(run_cli, desk, args, exit_code, words):
    before = state(desk)
    assert_refused(run_cli(*args), exit_code, *words)
    assert state(desk) == before


def test_a_role_without_permission_exits_3(run_cli, desk, staff_as):
    staff_as("trainer", code="TR1")
    before = state(desk)
    line = assert_refused(run_cli(*option(ADD, "--as", "TR1")), 3,
                          "TR1 (trainer) may not register and update participants")
    assert "admin, case_worker" in line
    assert state(desk) == before


def test_the_same_input_then_succeeds(run_cli, desk):
    result = run_cli(*ADD)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Registered Ҷамшед Раҳимов as DSH-2026-0001.\n"
    assert result.stderr == ""


def test_a_duplicate_is_refused_until_allowed(run_cli, desk):
    run_cli(*ADD)
    before = state(desk)
    assert_refused(run_cli(*ADD), 8, "already registered at DSH as DSH-2026-0001", "--allow-same-name")
    assert state(desk) == before
    again = run_cli(*ADD, "--allow-same-name")
    assert again.exit_code == 0 and "DSH-2026-0002" in again.stdout


def test_referral_without_consent_is_refused(run_cli, desk):
    run_cli(*ADD)
    before = state(desk)
    result = run_cli("--as", "CW1", "referrals", "add", "DSH-2026-0001", "--service", "legal", "--to", "Legal aid",
                     "--reason", "passport")
    assert_refused(result, 8, "DSH-2026-0001 has no consent on file for referrals",
                   "reentry participants consent DSH-2026-0001 --scope programme,referrals")
    assert state(desk) == before
    assert run_cli("--as", "CW1", "participants", "consent", "DSH-2026-0001").exit_code == 0
    ok = run_cli("--as", "CW1", "referrals", "add", "DSH-2026-0001", "--service", "legal", "--to", "Legal aid",
                 "--reason", "passport")
    assert ok.exit_code == 0 and ok.stdout.startswith("Opened referral 1: DSH-2026-0001")


@pytest.mark.parametrize("args, exit_code, words", [
    (["--as", "CW1", "participants", "show", "DSH-2026-0999"], 7, ["participant 'DSH-2026-0999' does not exist"]),
    (["--as", "CW1", "participants", "exit", "DSH-2026-0001", "--reason", "completed", "--on", "2026-12-01"], 1,
     ["exit date 2026-12-01 is in the future"]),
    (["--as", "CW1", "participants", "exit", "DSH-2026-0001", "--reason", "bored"], 2, ["'bored' is not one of"]),
    (["--as", "CW1", "participants", "update", "DSH-2026-0001"], 2, ["say what to change"]),
    (["--as", "CW1", "participants", "consent", "DSH-2026-0001", "--scope", "gossip"], 1, ["gossip"]),
    (["--as", "CW1", "referrals", "update", "1", "--status", "done"], 7, ["referral 1 does not exist"]),
    (["--as", "CW1", "centres", "add", "KLB", "--name", "Kulob", "--city", "Kulob"], 3, ["may not add and change centres"]),
    (["--as", "ADM", "centres", "add", "K1", "--name", "Kulob", "--city", "Kulob"], 1, ["centre code 'K1'"]),
    (["--as", "ADM", "staff", "add", "CW1", "--name", "Again", "--role", "trainer"], 8, ["CW1 is already taken"]),
    (["--as", "ADM", "staff", "add", "TR1", "--name", "Trainer", "--role", "janitor"], 1, ["'janitor' is not one of"]),
    (["--as", "ADM", "staff", "roles", "ADM", "--remove", "admin", "--add", "trainer"], 8, ["ADM is the last admin"]),
    (["staff", "add", "ADM2", "--name", "Second Admin", "--role", "admin"], 3, ["staff already exist"]),
    (["--as", "CW1", "audit", "log"], 3, ["may not read the audit trail"]),
    (["--as", "ADM", "audit", "log", "--since", "yesterday"], 1, ["'yesterday' is not a date"]),
])
def test_other_refusals(run_cli, desk, args, exit_code, words):
    run_cli(*ADD)
    before = state(desk)
    assert_refused(run_cli(*args), exit_code, *words)
    assert state(desk) == before


def test_a_database_behind_the_code_exits_4(run_cli, desk, database_url):
    from reentry_core.storage import engine as engines

    engine = engines.make_engine(database_url)
    with engine.begin() as conn:
        versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
        conn.exec_driver_sql("DELETE FROM alembic_version")
    try:
        before = state(desk)
        assert_refused(run_cli(*ADD), 4, "is behind this version of reentry", "run: reentry db upgrade")
        assert state(desk) == before
    finally:
        with engine.begin() as conn:  # PostgreSQL's schema is shared by the session's tests
            conn.exec_driver_sql("DELETE FROM alembic_version")
            conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                         [{"v": v} for v in versions])
        engine.dispose()


def test_bootstrap_through_the_cli_on_an_empty_database(run_cli, programme):
    assert_refused(run_cli("staff", "add", "CW1", "--name", "Case Worker", "--role", "case_worker"), 3,
                   "must have the admin role")
    result = run_cli("staff", "add", "adm", "--name", "Нигина Каримова", "--role", "admin")
    assert result.exit_code == 0 and result.stdout == "Added ADM (admin).\n"
    assert_refused(run_cli("staff", "add", "ADM2", "--name", "Second Admin", "--role", "admin"), 3,
                   "staff already exist")


# --- output for scripts -------------------------------------------------------------

LIST_KEYS = ["code", "full_name", "sex", "birth_date", "centre", "registered_on", "status"]


@pytest.fixture
def two_people(run_cli, desk):
    assert run_cli(*ADD, "--release-date", "2026-09-30", "--facility", "Yavan 3/6").exit_code == 0
    # CW1 works at Dushanbe: the Khujand participant is registered by the admin
    assert run_cli("--as", "ADM", "participants", "add", "--name", "Нигора Саидова",
                   "--sex", "female", "--birth-date", "1990-07-01", "--centre", "KHJ",
                   "--registered-on", "2026-11-01").exit_code == 0
    return desk


def test_participants_list_as_json_has_the_documented_keys(run_cli, two_people):
    result = run_cli("--as", "ADM", "--format", "json", "participants", "list")
    assert result.exit_code == 0 and result.stderr == ""
    rows = json.loads(result.stdout)
    assert [list(row) for row in rows] == [LIST_KEYS, LIST_KEYS]
    assert rows[0] == {"code": "DSH-2026-0001", "full_name": "Ҷамшед Раҳимов", "sex": "male",
                       "birth_date": "1985-03-12", "centre": "DSH", "registered_on": "2026-11-23",
                       "status": "active"}
    assert rows[1]["code"] == "KHJ-2026-0001" and rows[1]["registered_on"] == "2026-11-01"


def test_participants_list_as_csv_has_a_header(run_cli, two_people):
    result = run_cli("--as", "ADM", "--format", "csv", "participants", "list", "--centre", "KHJ")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == LIST_KEYS
    assert rows[1:] == [["KHJ-2026-0001", "Нигора Саидова", "female", "1990-07-01", "KHJ", "2026-11-01", "active"]]


def test_empty_list_as_json_is_an_empty_list_and_csv_still_has_a_header(run_cli, desk):
    assert json.loads(run_cli("--as", "CW1", "--format", "json", "participants", "list").stdout) == []
    assert run_cli("--as", "CW1", "--format", "csv", "participants", "list").stdout == ",".join(LIST_KEYS) + "\n"


def test_add_as_json_returns_the_record(run_cli, desk):
    result = run_cli("--format", "json", *ADD, "--facility", "Yavan 3/6")
    record = json.loads(result.stdout)
    assert record["code"] == "DSH-2026-0001" and record["facility"] == "Yavan 3/6" and record["phone"] is None


def test_show_as_json_hides_sensitive_fields_from_a_trainer(run_cli, two_people, staff_as):
    staff_as("trainer", code="TR1")
    worker = json.loads(run_cli("--as", "CW1", "--format", "json", "participants", "show", "DSH-2026-0001").stdout)
    trainer = json.loads(run_cli("--as", "TR1", "--format", "json", "participants", "show", "DSH-2026-0001").stdout)
    assert worker["facility"] == "Yavan 3/6" and worker["release_date"] == "2026-09-30"
    for field in ("facility", "release_date", "offence_category"):
        assert field not in trainer
    assert trainer["full_name"] == "Ҷамшед Раҳимов"
    assert "referrals" not in trainer and worker["referrals"] == []


def test_audit_log_as_json(run_cli, two_people):
    rows = json.loads(run_cli("--as", "ADM", "--format", "json", "audit", "log", "--action", "participant.*").stdout)
    assert [list(r) for r in rows] == [["seq", "at", "actor", "action", "entity", "entity_key", "before", "after"]] * 2
    assert [r["entity_key"] for r in rows] == ["KHJ-2026-0001", "DSH-2026-0001"]
    assert rows[1]["after"]["full_name"] == "Ҷамшед Раҳимов" and rows[1]["before"] is None


def test_audit_verify_through_the_cli(run_cli, two_people, database_url):
    ok = run_cli("--as", "ADM", "audit", "verify")
    assert ok.exit_code == 0 and ok.stdout.startswith("The audit trail is intact: ")
    from reentry_core.storage import engine as engines

    engine = engines.make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(t.audit_event.update().where(t.audit_event.c.entity_key == "DSH-2026-0001")
                     .values(actor="ADM"))
    engine.dispose()
    bad = run_cli("--as", "ADM", "audit", "verify")
    assert bad.exit_code == 6
    assert error_lines(bad) == ["Error: the audit trail was tampered with (1 problem)."]
    assert "was changed after it was written" in bad.stderr


# --- backups ------------------------------------------------------------------------


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("db backup copies SQLite files")
    return database_url


def backed_up_codes(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [row[0] for row in conn.execute("SELECT code FROM participant ORDER BY code")]
    finally:
        conn.close()


def test_backup_makes_a_sqlite_file_with_the_participants(run_cli, two_people, sqlite_only, tmp_path):
    target = tmp_path / "backup.db"
    result = run_cli("--as", "ADM", "db", "backup", str(target))
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.stdout and str(target) in result.stdout
    assert backed_up_codes(target) == ["DSH-2026-0001", "KHJ-2026-0001"]
    assert not (tmp_path / "backup.db.partial").exists()
    # the copy is a whole reentry database
    copy = run_cli("--db", f"sqlite:///{target}", "--as", "ADM", "audit", "verify")
    assert copy.exit_code == 0, copy.output


def test_backup_while_another_connection_holds_a_read_transaction(run_cli, two_people, sqlite_only, tmp_path):
    reader = sqlite3.connect(sqlite_only.removeprefix("sqlite:///"), isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM participant").fetchone() == (2,)
        target = tmp_path / "busy.db"
        result = run_cli("--as", "ADM", "db", "backup", str(target))
        assert result.exit_code == 0, result.output
        assert backed_up_codes(target) == ["DSH-2026-0001", "KHJ-2026-0001"]
    finally:
        reader.execute("ROLLBACK")
        reader.close()


def test_backup_refuses_to_overwrite_without_force(run_cli, two_people, sqlite_only, tmp_path):
    target = tmp_path / "exists.db"
    target.write_bytes(b"keep me")
    assert_refused(run_cli("--as", "ADM", "db", "backup", str(target)), 1, "already exists", "--force")
    assert target.read_bytes() == b"keep me"
    forced = run_cli("--as", "ADM", "db", "backup", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert backed_up_codes(target) == ["DSH-2026-0001", "KHJ-2026-0001"]


def test_backup_refuses_a_missing_folder_and_the_database_itself(run_cli, desk, sqlite_only, tmp_path):
    assert_refused(run_cli("--as", "ADM", "db", "backup", str(tmp_path / "no" / "such" / "x.db")), 1,
                   "does not exist")
    assert_refused(run_cli("--as", "ADM", "db", "backup", sqlite_only.removeprefix("sqlite:///"), "--force"), 1,
                   "must not overwrite the database itself")


def test_backup_of_postgresql_is_refused_with_advice(run_cli, desk, database_url, tmp_path):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    assert_refused(run_cli("--as", "ADM", "db", "backup", str(tmp_path / "x.db")), 1, "pg_dump")
    assert not (tmp_path / "x.db").exists()
    assert run_cli("--as", "ADM", "audit", "log", "--action", "db.*").stdout.strip() == "No audit events match."
