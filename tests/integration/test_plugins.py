"""Plugins: the built-in ones through entry points, disabling by name, inline plugins that
add commands, permissions and listen to events, and broken plugins that are contained."""

from __future__ import annotations

import json

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from reentry_core import hookimpl
from reentry_core.cli import build_cli
from reentry_core.errors import InvalidInput, PluginError
from reentry_core.plugins import disabled_names, load_plugins, warn_failures
from reentry_core.services import open_programme
from reentry_core.storage import tables as t

BUILT_IN = {"business_plans", "microgrants", "mentoring"}
PERSON = {"full_name": "Ҷамшед Раҳимов", "sex": "male", "birth_date": "1985-03-12", "centre": "DSH"}


def invoke(pm, *args, db=None):
    cli = build_cli(pm)
    argv = (["--db", db] if db else []) + list(args)
    return CliRunner().invoke(cli, argv, catch_exceptions=False)


# --- the built-in plugins -----------------------------------------------------------


def test_built_in_plugins_load_through_entry_points():
    pm = load_plugins(disabled=set())
    assert BUILT_IN <= set(pm.loaded_names())
    assert pm.infos["core"].state == "loaded"
    for name in BUILT_IN:
        info = pm.infos[name]
        assert info.state == "loaded" and info.error is None
        assert info.module == f"reentry_{name}.plugin"
        assert "register_commands" in info.hooks
        assert pm.get_plugin(name) is not None
    assert pm.failures == []


def test_built_in_commands_are_there():
    commands = build_cli(load_plugins(disabled=set())).commands
    assert {"plans", "grants", "mentoring"} <= set(commands)
    assert {"db", "centres", "staff", "participants", "referrals", "audit", "plugins"} <= set(commands)


@pytest.mark.parametrize("raw, names", [("microgrants", {"microgrants"}), (" microgrants , mentoring,", {"microgrants", "mentoring"}),
                                        ("", set())])
def test_disabled_names_from_the_environment(raw, names):
    assert disabled_names({"REENTRY_DISABLE_PLUGINS": raw}) == names


def test_a_disabled_plugin_is_left_out(tmp_path):
    pm = load_plugins(disabled={"microgrants"})
    assert pm.infos["microgrants"].state == "disabled"
    assert pm.get_plugin("microgrants") is None
    assert "microgrants" not in pm.loaded_names()
    assert {"business_plans", "mentoring"} <= set(pm.loaded_names())

    listing = invoke(pm, "--format", "json", "plugins", "list", db=f"sqlite:///{tmp_path / 'x.db'}")
    assert listing.exit_code == 0, listing.output
    states = {row["name"]: row["state"] for row in json.loads(listing.stdout)}
    assert states["microgrants"] == "disabled"
    assert states["mentoring"] == "loaded" and states["core"] == "loaded"

    grants = invoke(pm, "grants", "--help")
    assert grants.exit_code == 2
    assert "No such command 'grants'" in grants.stderr
    assert invoke(pm, "mentoring", "--help").exit_code == 0


def test_disabling_through_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REENTRY_DISABLE_PLUGINS", "microgrants")
    pm = load_plugins()
    assert pm.infos["microgrants"].state == "disabled"
    table = invoke(pm, "plugins", "list", db=f"sqlite:///{tmp_path / 'x.db'}")
    line = next(line for line in table.stdout.splitlines() if "microgrants" in line)
    assert "disabled" in line
    assert "grants" not in build_cli(pm).commands


# --- an inline plugin ---------------------------------------------------------------


class NotesPlugin:
    """Adds ``reentry notes``, a permission, and remembers each registration in ``setting``."""

    VERSION = "1.2.3"

    def __init__(self):
        self.heard = []

    @hookimpl
    def register_commands(self, cli):
        @click.group("notes")
        def notes():
            """Notes about participants."""

        @notes.command("hello")
        def hello():
            click.echo("hello from notes")

        cli.add_command(notes)

    @hookimpl
    def register_permissions(self, register):
        register("notes.write", "write notes about participants", ["case_worker", "mentor"])

    @hookimpl
    def participant_registered(self, tx, participant):
        # inside the registering transaction: the new row is visible on tx.conn
        seen = tx.conn.execute(sa.select(t.participant.c.full_name).where(t.participant.c.code == participant.code))
        self.heard.append((participant.code, seen.scalar_one_or_none(), tx.actor.code))
        tx.conn.execute(t.setting.insert().values(key=f"notes:{participant.code}", value="welcome"))
        if participant.full_name.startswith("Refused"):
            raise InvalidInput("notes: this person may not be registered")


def settings(prog) -> dict:
    with prog.engine.connect() as conn:
        return dict(conn.execute(sa.select(t.setting.c.key, t.setting.c.value)).all())


def test_inline_plugin_adds_a_command_group(tmp_path):
    pm = load_plugins(extra=[("notes", NotesPlugin())])
    assert pm.infos["notes"].state == "loaded" and pm.infos["notes"].version == "1.2.3"
    assert set(pm.infos["notes"].hooks) == {"register_commands", "register_permissions", "participant_registered"}
    result = invoke(pm, "notes", "hello")
    assert result.exit_code == 0 and result.stdout == "hello from notes\n"
    assert "notes" in invoke(pm, "--help").stdout


def test_inline_plugin_permission_is_held_by_roles_and_shown(admin, programme_with, database_url):
    pm = load_plugins(extra=[("notes", NotesPlugin())])
    prog = programme_with(plugins=pm)
    permission = prog.permissions.get("notes.write")
    assert permission.plugin == "notes" and {r.value for r in permission.roles} == {"case_worker", "mentor"}
    admin.staff.add("CW1", "Case Worker", ["case_worker"], "DSH")
    admin.staff.add("TR1", "Trainer Person", ["trainer"], "DSH")
    assert prog.act_as("CW1").can("notes.write")
    assert not prog.act_as("TR1").can("notes.write")

    result = invoke(pm, "--as", "ADM", "--format", "json", "staff", "roles", db=database_url)
    assert result.exit_code == 0, result.output
    table = {row["role"]: row["permissions"] for row in json.loads(result.stdout)}
    assert "notes.write" in table["case_worker"] and "notes.write" in table["mentor"]
    assert "notes.write" not in table["trainer"] and "notes.write" not in table["admin"]


def test_inline_plugin_hears_registration_inside_the_transaction(programme, admin, programme_with):
    listener = NotesPlugin()
    prog = programme_with(("notes", listener), installed=True)
    admin.staff.add("CW1", "Case Worker", ["case_worker"], "DSH")
    p = prog.act_as("CW1").participants.register(**PERSON)
    assert listener.heard == [("DSH-2026-0001", "Ҷамшед Раҳимов", "CW1")]
    assert settings(prog) == {"notes:DSH-2026-0001": "welcome"}

    # the hook fails: its own write, the participant and the audit event all go
    before = admin.audit.verify().checked
    with pytest.raises(InvalidInput, match="notes: this person may not be registered"):
        prog.act_as("CW1").participants.register(**{**PERSON, "full_name": "Refused Person"})
    assert listener.heard[-1][0] == "DSH-2026-0002"
    assert settings(prog) == {"notes:DSH-2026-0001": "welcome"}
    assert [x.code for x in admin.participants.list()] == [p.code]
    assert admin.audit.verify().checked == before

    # without the plugin nobody hears anything
    programme.act_as("CW1").participants.register(**{**PERSON, "full_name": "Нигора Саидова"})
    assert len(listener.heard) == 2


# --- broken plugins -----------------------------------------------------------------


class Misspelled:
    @hookimpl
    def register_comands(self, cli):  # sic
        cli.add_command(click.Command("never"))


def test_a_misspelled_hook_fails_that_plugin_by_name(tmp_path, capsys):
    pm = load_plugins(extra=[("typo", Misspelled()), ("notes", NotesPlugin())])
    info = pm.infos["typo"]
    assert info.state == "failed"
    assert "register_comands" in info.error and "unknown hook" in info.error
    assert pm.get_plugin("typo") is None
    assert [f.name for f in pm.failures] == ["typo"]
    assert BUILT_IN | {"notes", "core"} <= set(pm.loaded_names())

    warn_failures(pm)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("Warning: plugin 'typo' is not loaded:") and "register_comands" in err[0]

    cli = build_cli(pm)
    assert "never" not in cli.commands and "notes" in cli.commands
    listing = invoke(pm, "--format", "json", "plugins", "list", db=f"sqlite:///{tmp_path / 'x.db'}")
    row = next(r for r in json.loads(listing.stdout) if r["name"] == "typo")
    assert row["state"] == "failed" and "register_comands" in row["error"]
    assert invoke(pm, "notes", "hello").stdout == "hello from notes\n"


class Squatter:
    @hookimpl
    def register_commands(self, cli):
        @click.group("participants")
        def participants():
            """Not the real one."""

        cli.add_command(participants)

    @hookimpl
    def participant_registered(self, tx, participant):
        raise AssertionError("an unregistered plugin must not be called")


def test_a_plugin_taking_a_used_command_name_fails_and_the_cli_still_works(case_worker, database_url):
    pm = load_plugins(extra=[("squatter", Squatter())])
    cli = build_cli(pm)
    info = pm.infos["squatter"]
    assert info.state == "failed"
    assert "'participants' is already taken" in info.error
    assert pm.get_plugin("squatter") is None
    assert cli.commands["participants"].help.startswith("Participants: people after release")

    runner = CliRunner()
    result = runner.invoke(cli, ["--db", database_url, "--as", "CW1", "participants", "add", "--name", "Али Валиев",
                                 "--sex", "male", "--birth-date", "1990-01-01", "--centre", "DSH"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "DSH-2026-0001" in result.stdout
    listing = runner.invoke(cli, ["--db", database_url, "--format", "json", "plugins", "list"])
    assert next(r for r in json.loads(listing.stdout) if r["name"] == "squatter")["state"] == "failed"


class Redeclarer:
    @hookimpl
    def register_permissions(self, register):
        register("participants.view", "see everyone", ["trainer"])


class NotesTwin:
    @hookimpl
    def register_permissions(self, register):
        register("notes.write", "write notes too", ["trainer"])


def test_a_permission_declared_twice_is_an_error(database_url, admin):
    with pytest.raises(PluginError) as err:
        open_programme(database_url, plugins=load_plugins(extra=[("redeclarer", Redeclarer())]))
    assert "'participants.view' is declared twice (by core and redeclarer)" in err.value.message

    pm = load_plugins(extra=[("notes", NotesPlugin()), ("twin", NotesTwin())])
    with pytest.raises(PluginError, match="'notes.write' is declared twice \\(by notes and twin\\)"):
        open_programme(database_url, plugins=pm)

    result = invoke(pm, "--as", "ADM", "participants", "list", db=database_url)
    assert result.exit_code == PluginError.exit_code == 5
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: permission 'notes.write' is declared twice (by notes and twin)"]
