"""reentry plugins: what is installed and what each plugin adds."""

from __future__ import annotations

import click

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
