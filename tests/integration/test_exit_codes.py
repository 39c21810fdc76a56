"""Every command, the core's and each plugin's, exits with the code of docs/cli.md's table
for the same kind of refusal."""

from __future__ import annotations

import click
import pytest

from reentry_core.cli import build_cli, walk_commands
from reentry_core.errors import ExitCode


def leaves(plugin_manager) -> list[tuple[tuple[str, ...], click.Command]]:
    """(path, command) of every command that runs (no group) in the tree, plugins' included."""
    cli = build_cli(plugin_manager)
    found = []

    def walk(command, path):
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))
        else:
            found.append((path, command))

    walk(cli, ())
    assert len(found) == sum(1 for c in walk_commands(cli) if not isinstance(c, click.Group))
    return found


def required(command: click.Command) -> bool:
    return any(p.required for p in command.params)


def test_the_tree_holds_every_plugins_commands(plugin_manager):
    tops = {path[0] for path, _command in leaves(plugin_manager)}
    assert {"participants", "staff", "centres", "db", "audit", "report", "plans", "grants", "mentoring"} <= tops


def test_every_command_refuses_an_unknown_option_as_usage(run_cli, case_worker, plugin_manager):
    wrong = {" ".join(path): result.exit_code for path, _c in leaves(plugin_manager)
             if (result := run_cli("--as", "ADM", *path, "--no-such-option")).exit_code != ExitCode.USAGE}
    assert wrong == {}


def test_every_command_missing_what_it_requires_is_a_usage_error(run_cli, case_worker, plugin_manager):
    wrong = {" ".join(path): result.exit_code for path, command in leaves(plugin_manager) if required(command)
             if (result := run_cli("--as", "ADM", *path)).exit_code != ExitCode.USAGE}
    assert wrong == {}


#: commands that run without anyone acting (the first admin, the database's own upkeep, help; the web
#: workspace, where each person signs in: run, it would serve until stopped)
NOBODY_NEEDED = {"staff add", "db info", "db upgrade", "db status", "plugins list", "plugins new", "demo",
                 "audit new-key", "serve"}


#: commands that need one of two inputs, neither required alone: without either, a usage error
ONE_OF_TWO = {"grants decide": ["CODE", "--round"], "participants erase": ["CODES", "--due"]}


def test_a_command_given_neither_of_its_two_inputs_is_a_usage_error(run_cli, case_worker):
    for name in ONE_OF_TWO:
        assert run_cli("--as", "ADM", *name.split()).exit_code == ExitCode.USAGE, name


def test_every_command_refuses_an_unknown_actor_as_a_permission(run_cli, case_worker, plugin_manager):
    wrong = {}
    for path, command in leaves(plugin_manager):
        name = " ".join(path)
        if required(command) or name in NOBODY_NEEDED or name in ONE_OF_TWO:
            continue
        result = run_cli("--as", "NOBODY", *path)
        if result.exit_code != ExitCode.PERMISSION or "'NOBODY': no such staff member" not in result.output:
            wrong[name] = result.exit_code
    assert wrong == {}


@pytest.mark.parametrize("args, code", [
    # not found
    (["--as", "CW1", "participants", "show", "DSH-2026-0999"], ExitCode.NOT_FOUND),
    (["--as", "CW1", "referrals", "update", "99", "--status", "done"], ExitCode.NOT_FOUND),
    (["--as", "ADM", "staff", "move", "CW1", "--centre", "XYZ"], ExitCode.NOT_FOUND),
    (["--as", "ADM", "plans", "cohort", "show", "DSH-99Z"], ExitCode.NOT_FOUND),
    (["--as", "ADM", "grants", "show", "R2026-999"], ExitCode.NOT_FOUND),
    (["--as", "ADM", "mentoring", "profile", "NOBODY"], ExitCode.NOT_FOUND),
    # usage
    (["--as", "CW1", "participants", "add", "--name", "Али Валиев"], ExitCode.USAGE),
    (["--as", "CW1", "participants", "exit", "DSH-2026-0001", "--reason", "bored"], ExitCode.USAGE),
    (["participants", "list"], ExitCode.USAGE),
    # permission
    (["--as", "NOBODY", "participants", "list"], ExitCode.PERMISSION),
    (["--as", "CW1", "centres", "add", "KLB", "--name", "Kulob", "--city", "Kulob"], ExitCode.PERMISSION),
    (["--as", "CW1", "audit", "log"], ExitCode.PERMISSION),
    (["--as", "CW1", "grants", "round", "add", "R2030", "--title", "x", "--budget", "1000", "--min", "100",
      "--max", "500", "--opens", "2026-11-01", "--closes", "2026-12-01"], ExitCode.PERMISSION),
    # rule
    (["--as", "CW1", "participants", "add", "--name", "Али Валиев", "--sex", "male", "--birth-date", "2030-01-01",
      "--centre", "DSH"], ExitCode.RULE),
    (["--as", "ADM", "report", "programme", "--by", "colour"], ExitCode.RULE),
    # conflict
    (["--as", "ADM", "staff", "add", "CW1", "--name", "Again", "--role", "trainer"], ExitCode.CONFLICT),
    (["--as", "ADM", "centres", "add", "DSH", "--name", "Again", "--city", "Dushanbe"], ExitCode.CONFLICT),
])
def test_each_kind_of_refusal_exits_with_its_code(run_cli, case_worker, args, code):
    result = run_cli(*args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
