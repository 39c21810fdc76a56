"""reentry report: the programme's figures for donors and managers."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _
from .output import emit_rows
from .state import CliState, pass_state


@click.group("report")
def group():
    """Programme reports: indicators by sex, age band and centre, small counts protected."""


@group.command("indicators")
@pass_state
def indicators(state: CliState):
    """Every indicator the loaded plugins contribute, with its definition.

    \b
    Example:
      reentry --as ME1 report indicators
    """
    rows = [{"key": i.key, "label": i.label, "aggregate": i.aggregate, "unit": i.unit, "plugin": i.plugin,
             "definition": i.definition + (f" ({i.numerator} / {i.denominator})" if i.aggregate == "rate" else "")}
            for i in state.ctx().reports.indicators()]
    emit_rows(rows, ["key", "label", "aggregate", "unit", "plugin", "definition"], state.format)


@group.command("programme")
@click.option("--from", "start", metavar="DATE", help=_("First day of the period (default: from the start)."))
@click.option("--to", "end", metavar="DATE", help=_("Last day of the period (default: today)."))
@click.option("--centre", help=_("Only this centre's participants."))
@click.option("--by", metavar="DIMENSIONS", help=_("Break down by sex, age_band, centre (comma-separated)."))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]),
              help=_("Output format (default: the global --format, or the --out file's extension)."))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help=_("Write the report to this file."))
@click.option("--threshold", type=click.IntRange(2), default=5, show_default=True,
              help=_("Counts below this are hidden (shown as <N)."))
@click.option("--no-suppress", is_flag=True, help=_("Show small counts too (admins only; recorded in the audit trail)."))
@pass_state
def programme(state: CliState, start, end, centre, by, fmt, out, threshold, no_suppress):
    """The programme report: every indicator of the loaded plugins, the funnel from
    registration to a business still operating at 12 months, and the plugins' analyses.

    Counts below the threshold are shown as <5, and other cells are hidden with them so
    that none can be worked out from the totals.

    \b
    Examples:
      reentry --as ME1 report programme --by sex,centre
      reentry --as ME1 report programme --from 2026-01-01 --to 2026-06-30 --by sex,age_band --out h1.xlsx
      reentry --as ME1 report programme --centre KHJ --format json
    """
    from ..services.report_output import as_json, file_format, write_report

    report = state.ctx().reports.programme(start=start, end=end, centre=centre, by=by, threshold=threshold,
                                           suppress=not no_suppress)
    if out is not None:
        write_report(report, out, file_format(out, fmt if fmt != "table" else None))
        click.echo(_("Wrote the programme report to {file}.").format(file=out))
        return
    fmt = fmt or state.format
    if fmt == "xlsx":
        raise click.UsageError(_("an .xlsx report needs --out FILE"))
    if fmt == "json":
        import json

        click.echo(json.dumps(as_json(report), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv
        import sys

        from ..services.report_output import csv_rows

        header, lines = csv_rows(report)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(lines)
    else:
        print_tables(report)


def print_tables(report) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..services.report_output import columns, funnel_lines, shown, table_lines

    import sys

    # a terminal shows its own width; a file or a pipe gets lines wide enough not to fold the tables
    console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 220)
    period = f"{report.period.start.isoformat() if report.period.start else '…'} – " \
             f"{(report.period.end or report.made_on).isoformat()}"
    console.print(_("Programme report, {period}{centre}").format(
        period=period, centre=f", {report.centre}" if report.centre else ""), style="bold")
    if report.threshold is not None:
        console.print(_("Counts below {n} are shown as <{n}; some other cells are hidden with them.").format(
            n=report.threshold))
    else:
        console.print(_("Small counts are NOT hidden: do not share this report."), style="bold red")
    headers = [h for h, _v in columns(report)]
    for section in report.sections:
        table = Table(title=section.title, title_justify="left", header_style="bold")
        table.add_column(_("indicator"))
        for header in headers:
            table.add_column(header, justify="right")
        for label, cells, row in table_lines(report, section.rows):
            table.add_row(label, *[shown(cell, row, report.threshold) for cell in cells])
        console.print(table)
    for name in report.funnel:
        header, lines = funnel_lines(report, name)
        if not lines:
            continue
        table = Table(title=_("Funnel by {name} (people registered in the period)").format(name=name),
                      title_justify="left", header_style="bold")
        for i, title in enumerate(header):
            table.add_column(title, justify="left" if i == 0 else "right")
        for line in lines:
            table.add_row(*line)
        console.print(table)
    for analysis in report.analyses:
        table = Table(title=analysis.title, title_justify="left", header_style="bold",
                      caption=analysis.note or None, caption_justify="left")
        for title in analysis.columns:
            table.add_column(title)
        for line in analysis.rows:
            table.add_row(*["—" if v is None else str(v) for v in line])
        console.print(table)
