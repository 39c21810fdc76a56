"""reentry plugins: what is installed and what each plugin adds."""

from __future__ import annotations

import click

from pathlib import Path

from ..i18n import _
from .output import emit_rows
from .state import CliState, pass_state


@click.group("plugins")
def group():
    """Installed plugins."""


@group.command("list")
@pass_state
def list_(state: CliState):
    """Each plugin with its version, state (loaded, disabled, failed) and hooks.

    Disable plugins by name with REENTRY_DISABLE_PLUGINS=name1,name2.

    \b
    Example:
      reentry plugins list
    """
    rows = [
        {"name": info.name, "version": info.version, "state": info.state,
         "hooks": info.hooks if state.format != "table" else ", ".join(info.hooks) or info.error or ""}
        for info in state.plugins.infos.values()
    ]
    if state.format != "table":
        for row, info in zip(rows, state.plugins.infos.values()):
            row["error"] = info.error
    emit_rows(rows, ["name", "version", "state", "hooks"] + ([] if state.format == "table" else ["error"]), state.format)


@group.command("new")
@click.argument("name")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help=_("Where to create the plugin's project folder."))
def new(name, folder):
    """Create a ready plugin project NAME: entry point, command group, table and
    Alembic branch, permission, report indicator, event subscriber, a Gherkin feature
    with its steps, tests and a README.

    \b
    Example:
      reentry plugins new savings_groups --dir ~/src
      cd ~/src/reentry-savings-groups && pip install -e ".[test]" && python -m pytest
    """
    from ..scaffold import create

    root = create(name, folder)
    click.echo(_("Created {path}. Next: cd {path} && pip install -e \".[test]\" && reentry db upgrade && "
                 "python -m pytest").format(path=root))
