"""What every command shares: the global options, the open programme, error handling."""

from __future__ import annotations

import sys
from typing import Any, Callable

import click

from ..errors import ReentryError, RowErrors
from ..i18n import _


class CliState:
    """Global options; opens the database only when a command first needs it."""

    def __init__(self, db: str | None, acting_as: str | None, fmt: str, plugins, clock=None):
        self.db = db
        self.acting_as = acting_as
        self.format = fmt
        self.plugins = plugins
        self.clock = clock  # None: the real date; tests fix it
        self._programme = None

    def programme(self, check_schema: bool = True):
        if self._programme is None:
            from ..services import open_programme

            self._programme = open_programme(self.db, plugins=self.plugins, clock=self.clock,
                                             check_schema=check_schema)
        return self._programme

    @property
    def converter(self):
        """The programme's cattrs converter (the core's hooks and its plugins'), for presenters."""
        return self.programme().converter

    def ctx(self):
        """The staff context for a command; nobody acts anonymously."""
        return self.programme().act_as(self.actor())

    def actor(self) -> str:
        """The staff code given with --as (or REENTRY_USER); a usage error without one."""
        if not self.acting_as:
            raise click.UsageError(_("say who is acting: reentry --as STAFF_CODE … (or set REENTRY_USER)"))
        return self.acting_as

    def close(self) -> None:
        if self._programme is not None:
            self._programme.close()

    def reopen(self):
        """Close the database and open it again (after its file was replaced)."""
        self.close()
        self._programme = None
        return self.programme()


pass_state = click.make_pass_decorator(CliState)


def report_error(exc: ReentryError) -> None:
    if isinstance(exc, RowErrors):
        for line in exc.problems:
            click.echo(line, err=True)
    click.echo(_("Error: {message}").format(message=exc.message), err=True)


def run_guarded(func: Callable[[], Any]) -> Any:
    try:
        return func()
    except ReentryError as exc:
        report_error(exc)
        sys.exit(exc.exit_code)
