"""reentry report: the programme's figures for donors and managers."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode
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
    from ..words import unit_label

    unit = unit_label if state.format == "table" else str  # people read words; scripts the code
    rows = [{"key": i.key, "label": i.label, "aggregate": i.aggregate, "unit": unit(i.unit), "plugin": i.plugin,
             "definition": i.definition + (f" ({i.numerator} / {i.denominator})" if i.aggregate == "rate" else "")}
            for i in state.ctx().reports.indicators()]
    emit_rows(rows, ["key", "label", "aggregate", "unit", "plugin", "definition"], state.format)


@group.command("programme")
@click.option("--from", "start", metavar="DATE", help=_("First day of the period (default: from the start)."))
@click.option("--to", "end", metavar="DATE", help=_("Last day of the period (default: today)."))
@click.option("--centre", help=_("Only this centre's participants."))
@click.option("--by", metavar="DIMENSIONS", help=_("Break down by sex, age_band, centre (comma-separated)."))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx", "html"]),
              help=_("Output format (default: the global --format, or the --out file's extension)."))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help=_("Write the report to this file."))
@click.option("--threshold", type=click.IntRange(3), metavar="N",
              help=_("Hide counts below N, above the programme's threshold (a report may raise it, never lower "
                     "it; see: reentry report threshold)."))
@click.option("--no-suppress", is_flag=True, help=_("Show small counts too (admins only; recorded in the audit trail)."))
@click.option("--donor", metavar="NAME", help=_("Only the people and the money under this donor's grants (e.g. EU)."))
@click.option("--round", "grant_round", metavar="CODE",
              help=_("Only the people and the money under this grant round's grants (e.g. R2026Q1)."))
@pass_state
def programme(state: CliState, start, end, centre, by, fmt, out, threshold, no_suppress, donor, grant_round):
    """The programme report: every indicator of the loaded plugins, the funnel from
    registration to a business still operating at 12 months, and the plugins' analyses.

    Counts below the programme's threshold (5 unless an admin changed it) are shown as
    <5, and other cells are hidden with them (x, or c for an amount or a rate about few
    people) so that none can be worked out from the other figures of any breakdown.
    Before sending a report out, run: reentry report audit.

    \b
    Examples:
      reentry --as ME1 report programme --by sex,centre
      reentry --as ME1 report programme --from 2026-01-01 --to 2026-06-30 --by sex,age_band --out h1.xlsx
      reentry --as ME1 report programme --centre KHJ --format json
      reentry --as ME1 report programme --from 2026-01-01 --to 2026-03-31 --out q1.html
      reentry --as ME1 report programme --donor EU --from 2026-01-01 --to 2026-03-31 --out eu-q1.html
    """
    from ..services.report_files import write_report
    from ..services.report_output import as_json, file_format

    report = state.ctx().reports.programme(start=start, end=end, centre=centre, by=by, threshold=threshold,
                                           suppress=not no_suppress, donor=donor, round=grant_round)
    if out is not None:
        write_report(report, out, file_format(out, fmt if fmt != "table" else None))
        click.echo(_("Wrote the programme report to {file}.").format(file=out))
        return
    fmt = fmt or state.format
    if fmt in ("xlsx", "html"):
        raise click.UsageError(_("an .{kind} report needs --out FILE").format(kind=fmt))
    if fmt == "json":
        import json

        click.echo(json.dumps(as_json(report), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import sys

        from ..services.report_output import csv_rows
        from ..sheets.writing import write_rows

        header, lines = csv_rows(report)
        write_rows(sys.stdout, header, lines, lineterminator="\n")
    else:
        print_tables(report)


def print_tables(report) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..services.report_output import (analysis_lines, columns, dimension_text, funnel_lines, legend,
                                          row_dimensions, shown, table_lines)

    import sys

    # a terminal shows its own width; a file or a pipe gets lines wide enough not to fold the tables
    console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 220)
    console.print(_("Programme report, {period}{centre}").format(
        period=report.period_text(), centre=f", {report.centre}" if report.centre else ""), style="bold")
    if report.threshold is not None:
        console.print(_("Counts below {n} are shown as <{n}; some other cells are hidden with them (marks explained "
                        "below the tables).").format(n=report.threshold))
    else:
        console.print(_("Small counts are NOT hidden: do not share this report."), style="bold red")
    for label, note in report.notes:
        console.print(f"{label}: {note}")
    headers = [h for h, _v in columns(report)]
    dims = row_dimensions(report)
    first = _("indicator") + (" / " + " · ".join(map(dimension_text, dims)) if dims else "")
    for section in report.sections:
        table = Table(title=section.title, title_justify="left", header_style="bold")
        table.add_column(first)
        for header in headers:
            table.add_column(header, justify="right")
        for line in table_lines(report, section.rows):
            # the groups sit indented under their indicator's line (a cross-table per indicator)
            table.add_row(("   " * line.depth) + line.label,
                          *[shown(cell, line.row, report.threshold) for cell in line.cells])
        console.print(table)
    for name in report.funnel:
        header, lines = funnel_lines(report, name)
        if not lines:
            continue
        table = Table(title=_("Funnel by {name} (people registered in the period)").format(
            name=dimension_text(name)),
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
        for line in analysis_lines(report, analysis):
            table.add_row(*line)
        console.print(table)
    for mark, meaning in legend(report.threshold):
        console.print(f"{mark:>4}  {meaning}")


@group.command("logframe")
@click.option("--framework", "framework", required=True, metavar="FILE|NAME",
              help=_("The donor's results framework: a TOML file, or a shipped example (eu, bmz)."))
@click.option("--from", "start", required=True, metavar="DATE", help=_("First day of the period."))
@click.option("--to", "end", required=True, metavar="DATE", help=_("Last day of the period."))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx", "html"]),
              help=_("Output format (default: the global --format, or the --out file's extension)."))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help=_("Write the logframe to this file."))
@click.option("--donor", metavar="NAME", help=_("Only the people and the money under this donor's grants (e.g. EU)."))
@click.option("--round", "grant_round", metavar="CODE", help=_("Only those under this grant round's grants."))
@pass_state
def logframe(state: CliState, framework, start, end, fmt, out, donor, grant_round):
    """A donor's logframe filled in: each outcome and output of a results framework, its
    indicators' actual figures for the period against their targets, the previous period
    and the % of target.

    The framework is a TOML file (outcomes, outputs, indicators with baseline, targets
    per period and means of verification); eu and bmz are shipped examples to copy and
    edit. Figures are the programme report's, with the same small-count protection.

    \b
    Examples:
      reentry --as ME1 report logframe --framework eu --from 2026-01-01 --to 2026-03-31
      reentry --as ME1 report logframe --framework bmz --from 2026-01-01 --to 2026-06-30 --out bmz-h1.html
      reentry --as ME1 report logframe --framework my-grant.toml --from 2026-04-01 --to 2026-06-30 --out q2.xlsx
    """
    from ..services.logframe_report import as_json, headers, logframe as fill_in, text_lines
    from ..services.report_files import write_logframe
    from ..services.report_output import file_format

    report = fill_in(state.ctx(), framework, start=start, end=end, donor=donor, round=grant_round)
    if out is not None:
        write_logframe(report, out, file_format(out, fmt if fmt != "table" else None))
        click.echo(_("Wrote the logframe to {file}.").format(file=out))
        return
    fmt = fmt or state.format
    if fmt in ("xlsx", "html"):
        raise click.UsageError(_("an .{kind} report needs --out FILE").format(kind=fmt))
    if fmt == "json":
        import json

        click.echo(json.dumps(as_json(report), ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        import sys

        from ..sheets.writing import write_rows

        write_rows(sys.stdout, ["level", *headers()], [[level, *cells] for level, cells in text_lines(report)],
                   lineterminator="\n")
        return
    import sys

    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 220)
    console.print(f"{report.framework.title}", style="bold")
    console.print(_("Period {period}; previous period {previous}.").format(period=report.period_text(),
                                                                            previous=report.previous_text()))
    if report.note:
        console.print(_("Grants") + ": " + report.note)
    table = Table(header_style="bold")
    for i, title in enumerate(headers()):
        table.add_column(title, justify="right" if 2 <= i <= 7 else "left")
    for level, cells in text_lines(report):
        table.add_row(*cells, style="bold" if level != "indicator" else None)
    console.print(table)
    console.print(_("Counts below {n} are shown as <{n}; a % of target worked out from a hidden figure is hidden "
                    "too. Rates, shares and their targets are in percent.").format(n=report.threshold))


@group.command("threshold")
@click.argument("value", required=False, metavar="[N]")
@pass_state
def threshold(state: CliState, value):
    """Show the programme's small-count threshold, or set it (admins only; audited).

    Every report hides counts below it; a report may ask for a higher one with
    --threshold, never a lower one. It cannot be set below 3.

    \b
    Examples:
      reentry --as ME1 report threshold
      reentry --as ADM report threshold 10
    """
    reports = state.ctx().reports
    if value is None:
        click.echo(_("Counts below {n} are hidden in every report.").format(n=reports.threshold()))
        return
    done = reports.set_threshold(value)
    click.echo(_("The small-count threshold is now {n}: every report hides counts below it.").format(n=done))


@group.command("audit")
@click.option("--from", "start", metavar="DATE", help=_("First day of the period (default: from the start)."))
@click.option("--to", "end", metavar="DATE", help=_("Last day of the period (default: today)."))
@click.option("--threshold", type=click.IntRange(3), metavar="N", help=_("Audit reports made with this threshold."))
@click.option("--all", "show_all", is_flag=True, help=_("List every hidden cell, not only the exposed ones."))
@click.option("--donor", metavar="NAME", help=_("Audit the reports for this donor's grants (report programme --donor)."))
@click.option("--round", "grant_round", metavar="CODE", help=_("Audit the reports for this grant round's grants."))
@pass_state
def audit(state: CliState, start, end, threshold, show_all, donor, grant_round):
    """Check a period's reports before they go out: try to work out every hidden cell.

    Takes everything `report programme` can publish for the period — every breakdown
    (by sex, age band, centre and their combinations, each centre on its own), the
    funnel and the analyses — and, for each hidden cell, finds the narrowest range that
    can be worked out from all the published figures and the sums that tie them
    (linear programming). A cell is exposed when that range pins a count to one value,
    or an amount to within 10%. Exits with status 1 when any cell is exposed.

    \b
    Examples:
      reentry --as ME1 report audit --from 2026-01-01 --to 2026-06-30
      reentry --as ME1 --format json report audit --all
    """
    from ..services.reports import hidden_mark

    result = state.ctx().reports.audit(start=start, end=end, threshold=threshold, donor=donor, round=grant_round)
    rows = [{"figure": f.label, "group": " · ".join(str(v) for v in f.group.values() if v is not None) or _("all"),
             "shown as": hidden_mark(f.suppressed, result.threshold), "worked out": _range(f.low, f.high),
             "verdict": _("EXPOSED") if f.exposed else _("safe")}
            for f in (result.findings if show_all else result.exposed)]
    if state.format == "json":
        import json

        click.echo(json.dumps({
            "period": {"from": result.period.start.isoformat() if result.period.start else None,
                       "to": (result.period.end or result.made_on).isoformat()},
            "threshold": result.threshold, "tables": result.tables, "cells": result.cells,
            "hidden": len(result.findings), "exposed": len(result.exposed),
            "findings": [{"table": f.table, "label": f.label, "group": f.group, "suppressed": f.suppressed,
                          "low": _number(f.low), "high": _number(f.high), "exposed": f.exposed}
                         for f in (result.findings if show_all else result.exposed)]}, ensure_ascii=False, indent=2))
    else:
        if rows:
            emit_rows(rows, list(rows[0]), state.format, keep=("verdict",))
        click.echo(_("{tables} tables, {cells} cells; {hidden} hidden cells with somebody in them; {exposed} "
                     "exposed.").format(tables=result.tables, cells=result.cells, hidden=len(result.findings),
                                        exposed=len(result.exposed)))
    if result.exposed:
        raise SystemExit(ExitCode.RULE)


def _number(value: float):
    import math

    return None if math.isinf(value) else value


def _range(low: float, high: float) -> str:
    import math

    def text(v: float) -> str:
        return "∞" if math.isinf(v) else f"{v:g}"

    return f"{text(low)} … {text(high)}"
