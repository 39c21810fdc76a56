"""Errors raised from the Python API speak in the API's words (its parameters, never a CLI
option); the CLI prints the same error with its own options."""

from __future__ import annotations

import pytest

from reentry_core.errors import ExitCode, InvalidInput, NotFound, PermissionDenied, param
from reentry_core.services.reports import parse_by


def test_a_parameter_is_named_by_the_api_and_spelled_by_the_cli():
    exc = InvalidInput("give either {a} or {b}".format(a=param("min_score"), b=param("top")))
    assert exc.message == str(exc) == "give either min_score or top"
    assert exc.params == ("min_score", "top")
    assert exc.render(lambda name: "--" + name.replace("_", "-")) == "give either --min-score or --top"


def test_each_kind_carries_its_code_from_the_table():
    assert (InvalidInput("x").exit_code, NotFound("x").exit_code, PermissionDenied("x").exit_code) == (
        ExitCode.RULE, ExitCode.NOT_FOUND, ExitCode.PERMISSION)


@pytest.mark.parametrize("by, message", [
    ("sex,sex", "by names a dimension twice"),
    ("colour", "by: 'colour' is not one of"),
])
def test_report_dimensions_are_named_as_the_api_names_them(by, message):
    with pytest.raises(InvalidInput) as caught:
        parse_by(by)
    assert caught.value.message.startswith(message) and "--" not in caught.value.message
    assert caught.value.params == ("by",)


def test_nobody_acting_names_the_parameter_not_the_option(programme):
    with pytest.raises(PermissionDenied) as caught:
        programme.act_as(None)
    assert caught.value.message == "say who is acting: give staff_code"


def test_the_cli_names_its_own_option(run_cli, programme, case_worker):
    result = run_cli("--as", "ADM", "report", "programme", "--by", "sex,sex")
    assert result.exit_code == ExitCode.RULE
    assert "Error: --by names a dimension twice" in result.stderr


def test_building_the_cli_again_does_not_wrap_a_plugins_commands_again(plugin_manager):
    """A plugin's commands are module objects added to every CLI a process builds; wrapped
    on each build they nested until a long test run hit the recursion limit."""
    from reentry_core.cli import build_cli

    root = build_cli(plugin_manager)
    command = root.commands["grants"].commands["round"].commands["list"]
    wrapped = command.invoke
    build_cli(plugin_manager)
    assert command.invoke is wrapped
