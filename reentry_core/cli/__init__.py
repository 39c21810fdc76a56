"""The ``reentry`` command line. The CLI holds no business rule: each command reads its
options, calls one service, and prints the answer.

Start-up is kept light: nothing here imports SQLAlchemy, rich or cattrs until a command
runs, so ``reentry --help`` is quick.
"""

from __future__ import annotations

import sys

import click

from ..errors import ExitCode, PluginError, ReentryError
from ..i18n import UnknownLanguage, _, available_languages, set_language
from . import output
from .output import FORMATS
from .state import CliState, remember_context, report_error


def examples() -> str:
    """The root's examples, in the language chosen (built with the command tree, after it is)."""
    return _("""Examples:

\b
  reentry staff add ADM --name "Нигина Каримова" --role admin
  reentry --as ADM centres add DSH --name "Dushanbe centre" --city Dushanbe
  reentry --as ADM participants add --name "Ҷамшед Раҳимов" --sex male --birth-date 1985-03-12 --centre DSH
  reentry --as ADM --format json participants list --centre DSH
  reentry db info

The database is a SQLite file in your data folder unless --db or REENTRY_DATABASE_URL
names another (e.g. postgresql://user@server/reentry).""")


def epilog() -> str:
    """The root's examples and the exit codes, in the language chosen."""
    return examples() + "\n\n" + _(
        "Exit codes, the same for every command (docs/cli.md): 0 done, 1 refused by a rule, 2 usage, "
        "3 permission, 4 database, 5 plugin, 6 audit trail tampered, 7 not found, 8 conflict.")



class RootGroup(click.Group):
    """The root group: refuses a command name twice, prints errors as one line."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        if name in self.commands:
            raise PluginError(_("the command name {name!r} is already taken").format(name=name))
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ReentryError as exc:
            report_error(exc)
            ctx.exit(exc.exit_code)
        except Exception as exc:
            sqlalchemy = sys.modules.get("sqlalchemy")
            if sqlalchemy is not None and isinstance(exc, sqlalchemy.exc.OperationalError):
                reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
                click.echo(_("Error: the database refused the action: {reason}").format(reason=reason), err=True)
                ctx.exit(ExitCode.DATABASE)
            raise
        finally:
            state = ctx.obj
            if isinstance(state, CliState):
                state.close()


def build_cli(plugins=None, clock=None) -> click.Group:
    """Make the command tree: the core's groups, then each plugin's ``register_commands``.

    ``clock`` fixes "today" for every command (tests); ``None`` is the real date.
    """
    from .. import __version__
    from ..plugins import load_plugins
    from .click_words import speak

    speak()

    pm = plugins if plugins is not None else load_plugins()

    @click.group(cls=RootGroup, epilog=epilog(), context_settings={"help_option_names": ["-h", "--help"]})
    @click.option("--db", "db", metavar="URL", envvar="REENTRY_DATABASE_URL",
                  help=_("Database URL (default: a SQLite file in your data folder)."))
    @click.option("--as", "acting_as", metavar="STAFF_CODE", envvar="REENTRY_USER",
                  help=_("The staff member acting; needed by every command that changes data."))
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", envvar="REENTRY_FORMAT",
                  show_default=True, help=_("Output: tables for people, json or csv for scripts."))
    @click.option("--wide", is_flag=True, help=_("Tables show every column, even past the window's width."))
    @click.option("--lang", metavar="LANG", envvar="REENTRY_LANG", callback=_check_language,
                  help=_("Language of messages and help: {languages} (default: REENTRY_LANG, then the "
                         "system's).").format(languages=", ".join(available_languages())))
    @click.version_option(__version__, prog_name="reentry")
    @click.pass_context
    def cli(click_ctx: click.Context, db, acting_as, fmt, wide, lang):
        """reentry: reintegration centres, training, microgrants and mentoring for people after prison."""
        output.WIDE = wide
        click_ctx.obj = CliState(db, acting_as, fmt, pm, clock)

    from . import audit, centres, db, demo, participants, plugins, referrals, report, serve, staff

    for module in (db, centres, staff, participants, referrals, audit, report, plugins):
        cli.add_command(module.group)
    cli.add_command(demo.command)
    cli.add_command(serve.command)

    def failed(plugin: str, exc: Exception) -> None:
        info = pm.infos.get(plugin)
        if info is not None:
            info.state = "failed"
            info.error = _("register_commands failed: {reason}").format(reason=exc)
        pm.unregister(name=plugin)

    pm.relay.register_commands(cli, failed)
    translate_help(cli)
    for command in walk_commands(cli):
        if not isinstance(command, click.Group):
            remember_context(command)
    return cli


def walk_commands(command: click.Command):
    """Every command and group below ``command``, itself included."""
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from walk_commands(sub)


def translate_help(cli: click.Group) -> None:
    """Command docstrings are messages too: pass them through the catalogue."""
    for command in walk_commands(cli):
        # a plugin's commands are module objects, shared by every CLI a process builds (in
        # any language): translate from the English kept on the first pass, never twice
        if not hasattr(command, "source_help"):
            command.source_help = (command.help, command.short_help)
        english, short = command.source_help
        if english:
            command.help = _(inspect_clean(english))
        if short:
            command.short_help = _(short)


def inspect_clean(text: str) -> str:
    import inspect

    return inspect.cleandoc(text)


def _check_language(click_ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """``--lang`` (or REENTRY_LANG): an unknown language is refused, naming those there are."""
    try:
        return set_language(value)
    except UnknownLanguage as exc:
        raise click.BadParameter(str(exc), ctx=click_ctx, param=param) from None


def _language_from_argv(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        set_language(_language_from_argv(argv))  # help texts are translated when built
    except UnknownLanguage as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(ExitCode.USAGE) from None
    from ..plugins import load_plugins, warn_failures

    pm = load_plugins()
    cli = build_cli(pm)
    warn_failures(pm)
    cli.main(args=argv, prog_name="reentry")
