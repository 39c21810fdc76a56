"""Entry point of the mentoring plugin (group ``reentry.plugins``).

Kept light: it is imported on every ``reentry`` call, so heavy modules load inside
the commands that need them.
"""

from __future__ import annotations

import click

from reentry_core import hookimpl

from . import __version__  # noqa: F401  (shown by ``reentry plugins list``)


@click.group("mentoring")
def mentoring():
    """Mentor matching, follow-up visits, risks and outcomes."""


@hookimpl
def register_commands(cli):
    cli.add_command(mentoring)
