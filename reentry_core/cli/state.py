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


#: parameters of the Python API set by a global option of another name
_GLOBAL_ALIASES = {"staff_code": "acting_as", "actor": "acting_as"}


def option_of(click_ctx: click.Context | None, name: str) -> str:
    """How the command line spells the API parameter ``name``: the option (or argument) of
    the command, or of a group above it, that sets it; the name itself if none does."""
    for wanted in (name, _GLOBAL_ALIASES.get(name)):
        ctx = click_ctx
        while wanted and ctx is not None:
            for p in ctx.command.params:
                if p.name == wanted:
                    if isinstance(p, click.Option):
                        longs = [o for o in p.opts if o.startswith("--")]
                        return (longs or p.opts)[0]
                    return p.human_readable_name
            ctx = ctx.parent
    return name


def report_error(exc: ReentryError, click_ctx: click.Context | None = None) -> None:
    """``Error: <message>`` on stderr (each bad row first), the parameters it names spelled
    as the options of the command that ran."""
    click_ctx = click_ctx or getattr(exc, "cli_context", None) or click.get_current_context(silent=True)
    def spell(name: str) -> str:
        return option_of(click_ctx, name)

    if isinstance(exc, RowErrors):
        for line in exc.problem_templates:
            click.echo(exc.render_line(line, spell), err=True)
    message = exc.render(spell)
    click.echo(_("Error: {message}").format(message=message), err=True)


def remember_context(command: click.Command) -> None:
    """Have an error ``command`` raises carry the command's context, so the root prints the
    parameters it names as this command's options. Wrapped once: a plugin's commands are
    module objects, added again to every CLI a process builds (the tests build hundreds)."""
    if getattr(command, "remembers_context", False):
        return
    invoke = command.invoke

    def invoke_remembering(click_ctx: click.Context):
        try:
            return invoke(click_ctx)
        except ReentryError as exc:
            if getattr(exc, "cli_context", None) is None:
                exc.cli_context = click_ctx
            raise

    command.invoke = invoke_remembering
    command.remembers_context = True


def run_guarded(func: Callable[[], Any]) -> Any:
    try:
        return func()
    except ReentryError as exc:
        report_error(exc)
        sys.exit(exc.exit_code)
