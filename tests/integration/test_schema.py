"""The schema: migrations build exactly the declared tables; a database behind the code is
refused with a clear way out; bad database URLs give one clear line."""

from __future__ import annotations

import json
import textwrap
import uuid

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from reentry_core import hookimpl
from reentry_core.cli import build_cli
from reentry_core.errors import DatabaseError, SchemaBehind
from reentry_core.plugins import load_plugins
from reentry_core.services import FixedClock, open_programme
from reentry_core.storage import engine as engines
from reentry_core.storage import metadata, schema
from reentry_core.testing import BACKENDS, PG_URL, TODAY, pg_url_with_schema

CORE_TABLES = {"centre", "staff", "staff_role", "participant", "participant_code_counter", "consent", "referral",
               "audit_event", "audit_event_key", "audit_head", "setting", "access_event", "access_event_key",
               "access_head"}
CORE_HEAD = "c0009"


@pytest.fixture(params=BACKENDS)
def fresh_url(request, tmp_path):
    """A database with nothing in it: a SQLite file not yet created, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"reentry_fresh_{uuid.uuid4().hex[:10]}"
    server = engines.make_engine(PG_URL)
    with server.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        yield pg_url_with_schema(PG_URL, name)
    finally:
        with server.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        server.dispose()


@pytest.fixture
def engine_of():
    made = []

    def make(url):
        engine = engines.make_engine(url)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


def table_names(engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def cli(pm, url, *args):
    result = CliRunner().invoke(build_cli(pm), ["--db", url, *args], catch_exceptions=False)
    return result


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


# --- migrations and the declared schema --------------------------------------------


def test_migrated_schema_is_exactly_the_declared_one(database_url, plugin_manager, engine_of):
    engine = engine_of(database_url)
    assert schema.schema_differences(engine, plugin_manager) == []
    assert CORE_TABLES <= table_names(engine)


def test_upgrade_from_nothing_gives_the_declared_schema(fresh_url, plugin_manager, engine_of):
    engine = engine_of(fresh_url)
    assert schema.status(engine, plugin_manager).empty
    schema.upgrade(engine, plugin_manager)
    assert schema.schema_differences(engine, plugin_manager) == []
    state = schema.status(engine, plugin_manager)
    assert state.up_to_date and not state.empty and state.behind == []
    core = next(b for b in state.branches if b.label == "core")
    assert core.current == core.head == CORE_HEAD and core.up_to_date
    schema.upgrade(engine, plugin_manager)  # a second upgrade is harmless
    assert schema.schema_differences(engine, plugin_manager) == []


def test_an_audit_trail_written_before_batch_events_still_verifies_after_the_upgrade(fresh_url, plugin_manager,
                                                                                   engine_of, tmp_path):
    """c0002 adds batch events to the audit trail; the hashes of older events must not change."""
    from datetime import datetime, timezone

    from alembic import command

    from reentry_core.services.audit import GENESIS, event_hash

    engine = engine_of(fresh_url)
    with engine.begin() as conn:
        command.upgrade(schema.alembic_config(plugin_manager, conn), "c0001")
    at = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
    after = '{"city":"Dushanbe","code":"DSH","name":"Dushanbe centre"}'
    digest = event_hash(1, at, "ADM", "centre.add", "centre", "DSH", None, after, GENESIS)
    with engine.begin() as conn:  # an event exactly as the code before c0002 wrote it
        conn.execute(sa.text("INSERT INTO audit_event (seq, at, actor, action, entity, entity_key, before, after, "
                             "prev_hash, hash) VALUES (1, :at, 'ADM', 'centre.add', 'centre', 'DSH', NULL, :after, "
                             ":prev, :hash)"), {"at": at, "after": after, "prev": GENESIS, "hash": digest})
        conn.execute(sa.text("UPDATE audit_head SET seq = 1, hash = :hash"), {"hash": digest})
    schema.upgrade(engine, plugin_manager)
    assert schema.schema_differences(engine, plugin_manager) == []
    with open_programme(fresh_url, plugins=plugin_manager, clock=FixedClock(TODAY)) as prog:
        with prog.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO centre (code, name, city) VALUES ('DSH', 'Dushanbe centre', 'Dushanbe')"))
            conn.execute(sa.text("INSERT INTO staff (code, full_name, active) VALUES ('ADM', 'Нигина Каримова', :t)"),
                         {"t": True})
            conn.execute(sa.text("INSERT INTO staff_role (staff_id, role) SELECT id, 'admin' FROM staff"))
        ctx = prog.act_as("ADM")
        intake = tmp_path / "intake.csv"
        intake.write_text("full_name,sex,birth_date,centre\nЗарина Ашурова,female,1991-07-04,DSH\n"
                          "Ҷамшед Раҳимов,male,1985-03-12,DSH\n", encoding="utf-8")
        ctx.participants.import_file(intake)
        result = ctx.audit.verify()
        assert result.checked == 2 and result.problems == (  # the one row this test wrote behind reentry's back
            "staff member ADM is in the data but no audited change made it: the row was added outside reentry",)


def test_the_comparison_notices_a_missing_column(fresh_url, plugin_manager, engine_of):
    """schema_differences is a real check: a migration that forgot something would show."""
    engine = engine_of(fresh_url)
    schema.upgrade(engine, plugin_manager)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE setting ADD COLUMN extra VARCHAR(10)")
    differences = schema.schema_differences(engine, plugin_manager)
    assert differences and "extra" in repr(differences)


def test_status_reports_the_core_branch_up_to_date(programme):
    state = programme.schema_status()
    assert state.up_to_date and not state.empty
    assert [(b.label, b.current, b.head) for b in state.branches if b.label == "core"] == [("core", CORE_HEAD, CORE_HEAD)]


def test_a_brand_new_sqlite_file_is_initialised_by_open_programme(tmp_path, plugin_manager):
    path = tmp_path / "new" / "reentry.db"
    path.parent.mkdir()
    assert not path.exists()
    with open_programme(f"sqlite:///{path}", plugins=plugin_manager, clock=FixedClock(TODAY)) as prog:
        assert path.exists()
        assert prog.schema_status().up_to_date
        assert schema.schema_differences(prog.engine, plugin_manager) == []
        prog.bootstrap_admin("ADM", "Нигина Каримова")
        assert prog.act_as("ADM").audit.verify().ok


def test_an_empty_database_of_either_kind_is_initialised(fresh_url, plugin_manager):
    with open_programme(fresh_url, plugins=plugin_manager) as prog:
        assert prog.schema_status().up_to_date
        assert CORE_TABLES <= table_names(prog.engine)


def test_a_database_with_tables_but_an_older_revision_is_refused(fresh_url, plugin_manager, engine_of):
    engine = engine_of(fresh_url)
    schema.upgrade(engine, plugin_manager)
    with engine.begin() as conn:  # as if made by a version of reentry before alembic_version said c0001
        conn.exec_driver_sql("DELETE FROM alembic_version")
    with pytest.raises(SchemaBehind) as err:
        open_programme(fresh_url, plugins=plugin_manager)
    assert f"core (none → {CORE_HEAD})" in err.value.message
    assert err.value.message.endswith("run: reentry db upgrade")
    assert err.value.exit_code == 4

    result = cli(plugin_manager, fresh_url, "--as", "ADM", "participants", "list")
    assert result.exit_code == 4
    assert error_lines(result) == [f"Error: {err.value.message}"]
    assert result.stdout == ""


# --- a plugin with its own migration branch ----------------------------------------

MIGRATION = '''\
    """testplug: notes

    Revision ID: t0001
    """
    from alembic import op
    import sqlalchemy as sa

    revision = "t0001"
    down_revision = None
    branch_labels = ("testplug",)
    depends_on = "c0001"


    def upgrade():
        op.create_table(
            "testplug_note",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("participant_id", sa.Integer(), nullable=False),
            sa.Column("text", sa.String(length=200), nullable=False),
            sa.ForeignKeyConstraint(["participant_id"], ["participant.id"],
                                    name=op.f("fk_testplug_note_participant_id_participant")),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_testplug_note")),
        )


    def downgrade():
        op.drop_table("testplug_note")
'''


@pytest.fixture
def testplug(tmp_path):
    """A plugin manager with an inline plugin that brings one table and its migration.

    The table is declared on the shared metadata, as plugins must; it is removed again
    afterwards so no other test sees it."""
    folder = tmp_path / "testplug_versions"
    folder.mkdir()
    (folder / "t0001_testplug_notes.py").write_text(textwrap.dedent(MIGRATION), encoding="utf-8")
    note = sa.Table(
        "testplug_note", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("participant_id", sa.ForeignKey("participant.id"), nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
    )

    class TestPlug:
        @hookimpl
        def register_migrations(self):
            return folder

        @hookimpl
        def register_tables(self):
            return [note]

    try:
        yield load_plugins(extra=[("testplug", TestPlug())])
    finally:
        metadata.remove(note)
    assert "testplug_note" not in metadata.tables


def test_a_plugin_branch_not_yet_applied_makes_the_database_behind(fresh_url, plugin_manager, testplug, engine_of):
    engine = engine_of(fresh_url)
    schema.upgrade(engine, plugin_manager)  # the core only: what a database had before the plugin came
    state = schema.status(engine, testplug)
    assert not state.up_to_date and not state.empty
    assert [(b.label, b.current, b.head) for b in state.behind] == [("testplug", None, "t0001")]
    assert [(b.label, b.current) for b in state.branches if b.label in {"core", "testplug"}] == [
        ("core", CORE_HEAD), ("testplug", None)]

    with pytest.raises(SchemaBehind) as err:
        open_programme(fresh_url, plugins=testplug)
    message = err.value.message
    assert "testplug (none → t0001)" in message and "reentry db upgrade" in message

    result = cli(testplug, fresh_url, "--as", "ADM", "participants", "list")
    assert result.exit_code == 4
    assert len(error_lines(result)) == 1 and "reentry db upgrade" in error_lines(result)[0]
    assert len(result.stderr.strip().splitlines()) == 1
    assert "testplug_note" not in table_names(engine)


def test_db_upgrade_applies_the_plugin_branch_and_db_info_shows_it(fresh_url, plugin_manager, testplug, engine_of):
    engine = engine_of(fresh_url)
    schema.upgrade(engine, plugin_manager)

    info = cli(testplug, fresh_url, "--format", "json", "db", "info")
    assert info.exit_code == 0, info.output
    assert json.loads(info.stdout)["schema"] == "behind: run reentry db upgrade"

    result = cli(testplug, fresh_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "testplug: at t0001" in result.stdout and "Upgraded" in result.stdout

    assert schema.schema_differences(engine, testplug) == []
    assert "testplug_note" in table_names(engine)

    info = cli(testplug, fresh_url, "--format", "json", "db", "info")
    record = json.loads(info.stdout)
    assert record["schema"] == "up to date"
    assert record["backend"] == engine.dialect.name
    assert {"branch": "testplug", "current": "t0001", "head": "t0001"} in record["branches"]
    assert {"branch": "core", "current": CORE_HEAD, "head": CORE_HEAD} in record["branches"]
    assert "testplug" in record["plugins"].split(", ")

    table = cli(testplug, fresh_url, "db", "info")
    assert "testplug" in table.stdout and "t0001" in table.stdout

    again = cli(testplug, fresh_url, "db", "upgrade")
    assert "is up to date" in again.stdout

    with open_programme(fresh_url, plugins=testplug) as prog:  # no longer behind
        assert prog.schema_status().up_to_date


def test_a_new_database_gets_the_plugin_tables_too(fresh_url, testplug):
    with open_programme(fresh_url, plugins=testplug) as prog:
        assert prog.schema_status().up_to_date
        assert "testplug_note" in table_names(prog.engine)
        assert schema.schema_differences(prog.engine, testplug) == []


def test_a_database_with_a_disabled_plugins_branch_still_opens(fresh_url, plugin_manager, engine_of):
    """The revisions of a plugin that is not loaded are not the loaded code's to judge; they
    imply the core's first revision, which every plugin branch depends on."""
    engine = engine_of(fresh_url)
    schema.upgrade(engine, plugin_manager)
    core_only = load_plugins(entry_points=False)
    state = schema.status(engine, core_only)
    assert state.up_to_date and [(b.label, b.current) for b in state.branches] == [("core", CORE_HEAD)]
    with open_programme(fresh_url, plugins=core_only) as prog:
        assert prog.schema_status().up_to_date


def test_a_database_opens_with_a_plugin_disabled_whose_branch_is_applied(fresh_url, plugin_manager, testplug):
    """REENTRY_DISABLE_PLUGINS on a database the plugin already migrated: its revision is
    unknown to the loaded migrations, yet the rest of the schema is up to date."""
    with open_programme(fresh_url, plugins=testplug):
        pass
    for without in (plugin_manager, load_plugins(entry_points=False)):  # testplug left out; then the core alone
        with open_programme(fresh_url, plugins=without) as prog:
            state = prog.schema_status()
            assert state.up_to_date, state
            assert "testplug" not in [b.label for b in state.branches]
            assert ("core", CORE_HEAD) in [(b.label, b.current) for b in state.branches]


def test_a_plugin_table_on_other_metadata_is_refused(plugin_manager):
    from reentry_core.errors import PluginError

    stray = sa.Table("stray", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))

    class Stray:
        @hookimpl
        def register_tables(self):
            return [stray]

    with pytest.raises(PluginError, match="'stray' is not declared on reentry_core.storage.metadata"):
        schema.full_metadata(load_plugins(extra=[("stray", Stray())]))


def test_a_missing_migrations_folder_is_named(tmp_path):
    from reentry_core.errors import PluginError

    class Lost:
        @hookimpl
        def register_migrations(self):
            return tmp_path / "nowhere"

    with pytest.raises(PluginError, match="plugin 'lost': migrations folder .*nowhere does not exist"):
        schema.version_locations(load_plugins(extra=[("lost", Lost())]))


# --- databases that cannot be opened ------------------------------------------------

BAD_URLS = [
    ("sqlite:////no/such/folder/reentry.db", "folder /no/such/folder does not exist"),
    ("postgresql://nobody@127.0.0.1:1/x", "cannot open database postgresql"),
    ("mysql://x", "only SQLite and PostgreSQL are supported"),
    ("not a url", "is not a database URL"),
]


@pytest.mark.parametrize("url, reason", BAD_URLS)
def test_a_database_that_cannot_be_opened_raises_one_clear_error(url, reason, plugin_manager):
    with pytest.raises(DatabaseError, match=reason) as err:
        open_programme(url, plugins=plugin_manager)
    assert "\n" not in err.value.message


@pytest.mark.parametrize("command", [["db", "info"], ["--as", "ADM", "participants", "list"], ["db", "upgrade"]])
@pytest.mark.parametrize("url, reason", BAD_URLS)
def test_the_cli_gives_one_error_line_and_exit_code_4(url, reason, command, plugin_manager):
    result = cli(plugin_manager, url, *command)
    assert result.exit_code == 4, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and reason in lines[0], result.stderr
    assert "Traceback" not in result.output


def test_a_password_in_the_url_is_never_printed(plugin_manager):
    result = cli(plugin_manager, "postgresql://nobody:s3cret@127.0.0.1:1/x", "db", "info")
    assert result.exit_code == 4
    assert "s3cret" not in result.output and "***" in result.stderr


def test_db_upgrade_with_a_migrated_plugin_disabled_says_what_to_do(fresh_url, plugin_manager, testplug):
    with open_programme(fresh_url, plugins=testplug):
        pass
    result = cli(plugin_manager, fresh_url, "db", "upgrade")  # testplug is not loaded now
    assert result.exit_code == 4
    assert "has migrations of plugins that are not loaded (t0001)" in result.output
    assert "REENTRY_DISABLE_PLUGINS" in result.output
