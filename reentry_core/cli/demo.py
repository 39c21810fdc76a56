"""reentry demo: a whole programme to look around in."""

from __future__ import annotations

import click

from ..i18n import _
from .state import CliState, pass_state


@click.command("demo")
@click.option("--db", "db", metavar="URL", help=_("Build the demo here (default: the global --db, or your data "
                                                   "folder's SQLite file)."))
@click.option("--scale", type=click.Choice(["small", "national"]), default="small", show_default=True,
              help=_("small: a few hundred people, seconds; national: 60,000 people, a minute or two."))
@click.option("--seed", type=int, default=1, show_default=True, help=_("The same seed gives the same programme."))
@click.option("--fresh", is_flag=True, help=_("Rebuild: delete a SQLite database an earlier demo built first."))
@pass_state
def command(state: CliState, db, scale, seed, fresh):
    """Build a realistic programme on an empty database, through the same services staff
    use: the ten centres, staff in every role, participants (about 30% women) with
    consent and referrals, and whatever the plugins add month by month (training
    cohorts and scored plans, grant rounds and tranches, mentoring visits). Ends with
    the programme report.

    \b
    Examples:
      reentry demo
      reentry demo --fresh --seed 7
      reentry demo --db sqlite:///national.db --scale national
    """
    from ..demo import is_empty, made_by_demo, run

    if db:
        state.db = db
    programme = state.programme()
    if not is_empty(programme):
        programme = _start_again(state, programme) if fresh and made_by_demo(programme) else _refuse(programme, fresh)
    with _progress() as report_progress:
        demo = run(programme, scale=scale, seed=seed, progress=report_progress)
    click.echo(_("Built the {scale} demo programme in {url} ({start} – {end}). Act as ADM (admin), ME1 (M&E), "
                 "DSH-CW1 (case worker), DSH-TR1 (trainer), COM1 (committee), FIN1 (finance), DSH-MN1 (mentor).").format(
        scale=scale, url=programme.url, start=demo.scale.start.isoformat(), end=demo.scale.end.isoformat()))
    from .report import print_tables

    print_tables(demo.act_as("ME1").reports.programme(by="sex"))


def _refuse(programme, fresh: bool):
    """A database that holds a programme: say what to do, by what it holds and what was asked."""
    from ..demo import made_by_demo
    from ..errors import Conflict

    if fresh:
        message = _("{url} holds a programme the demo did not build, and --fresh deletes only a demo's "
                    "database; build the demo in another one, e.g. reentry demo --db sqlite:///demo.db")
    elif made_by_demo(programme):
        message = _("{url} already holds a demo programme; add --fresh to rebuild it, or build another with "
                    "--db, e.g. reentry demo --db sqlite:///demo.db")
    else:
        message = _("{url} already holds a programme; build the demo in an empty database, e.g. "
                    "reentry demo --db sqlite:///demo.db")
    raise Conflict(message.format(url=programme.url))


def _start_again(state: CliState, programme):
    """Delete the SQLite file of an earlier demo and open a new one in its place."""
    from pathlib import Path

    from ..errors import Conflict

    engine = programme.engine
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        raise Conflict(_("--fresh deletes a SQLite file; on {url} drop and recreate the database yourself").format(
            url=programme.url))
    programme.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{engine.url.database}{suffix}").unlink(missing_ok=True)
    return state.reopen()


class _progress:
    """A progress bar on a terminal; nothing when the output is a file or a test."""

    def __enter__(self):
        import sys

        if not sys.stderr.isatty():
            return None
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description:<28}"), BarColumn(), TextColumn("{task.completed}/"
                                                                                          "{task.total} months"),
                            TimeElapsedColumn(), transient=True)
        self.bar.__enter__()
        self.task = self.bar.add_task("demo", total=None)

        def update(done: int, total: int, what: str) -> None:
            self.bar.update(self.task, completed=done, total=total, description=what)

        return update

    def __exit__(self, *exc):
        if getattr(self, "bar", None) is not None:
            self.bar.__exit__(*exc)
