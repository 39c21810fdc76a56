"""The programme report as people read it (tables, a workbook) and as scripts read it
(JSON, CSV). Hidden cells stay hidden in every form: their value is never written.
Files are written by ``report_files.write_report``, through ``written_whole``.

Layout of a table: one row per indicator (per category, and per value of every
dimension but the last), one column per value of the last dimension and a total.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .. import words
from ..domain import choice_values
from ..errors import InvalidInput, param
from ..i18n import _
from ..sheets import Workbook
from .reports import Analysis, ProgrammeReport, ReportCell, ReportRow, hidden_mark, share_of_first

FILE_FORMATS = ("csv", "json", "xlsx", "html")
MONEY_UNITS = frozenset({"TJS", "EUR", "USD", "somoni"})


# --- one value --------------------------------------------------------------------------


def shown(cell: ReportCell | None, row: ReportRow | str, threshold: int | None) -> str:
    """A cell as printed: the mark of why it is hidden (``<5``, ``x``, ``c``), ``—`` when
    there is nothing to show. ``row`` says how a value is written (or a format name:
    ``count``, ``rate``, ``money``, ``mean``)."""
    if cell is None:
        return "—"
    if cell.hidden:
        return hidden_mark(cell.suppressed, threshold)
    if cell.value is None:
        return "—"
    return format_value(cell.value, row)


def value_format(row: ReportRow | str) -> str:
    """How a row's values are written: ``rate``, ``money``, ``mean`` or ``count``."""
    if isinstance(row, str):
        return row
    if row.aggregate == "rate":
        return "rate"
    if _is_money(row):
        return "money"
    return "mean" if row.aggregate == "mean" else "count"


def format_value(value, row: ReportRow | str) -> str:
    """A figure as the report prints it: ``1 000.50`` (``1 000,50`` in Russian and Tajik),
    ``92.6%``, a mean with one decimal."""
    kind = value_format(row)
    if kind == "rate":
        return words.percent(value)
    if not words.english():
        places = "0.01" if kind == "money" else "0.1" if isinstance(value, Decimal) and \
            value != value.to_integral_value() else "1"
        return words.number(Decimal(value).quantize(Decimal(places)))
    if kind == "money":
        return f"{Decimal(value):,.2f}".replace(",", " ")
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return f"{value:.1f}"
    return f"{int(value):,}".replace(",", " ")


def group_text(value: Any) -> str:
    """A group's value as people read it: a centre's code, an age band, a choice's words
    (``female`` → "женщины"), ``all`` for a margin."""
    return _("all") if value is None else words.cell(value, choice_values())


def dimension_text(name: str) -> str:
    """A dimension's name as people read it (``age_band`` → "age band", "возрастная группа")."""
    return words.column_label(name, "reentry_core")


def _is_money(row: ReportRow) -> bool:
    """An amount of money: its unit starts with a currency ("TJS", "TJS per month")."""
    return bool(row.unit) and row.unit.split()[0] in MONEY_UNITS


def machine_value(cell: ReportCell | None, row: ReportRow | str) -> Any:
    """A cell for scripts: ``None`` when hidden or empty; numbers as JSON-safe text or ints."""
    if cell is None or cell.value is None or cell.hidden:
        return None
    if isinstance(cell.value, Decimal):
        if value_format(row) in ("rate", "mean"):
            return plain_decimal(round(cell.value, 6))
        return plain_decimal(cell.value)
    return cell.value


def plain_decimal(value: Decimal) -> str:
    """A decimal in plain notation (never ``2.76E+3``), trailing zeros of a fraction dropped."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def legend(threshold: int | None) -> list[tuple[str, str]]:
    """What each mark means, for the foot of every table and the workbook's first sheet."""
    if threshold is None:
        return []
    return [
        (hidden_mark("small", threshold), _("fewer than {n}: a count of 0 to {m} (a zero beside a small count is "
                                            "hidden with it)").format(n=threshold, m=threshold - 1)),
        (hidden_mark("secondary", threshold), _("hidden so that a small count cannot be worked out from the other "
                                                "figures; at least {n}").format(n=threshold)),
        (hidden_mark("few_people", threshold), _("an amount, average, rate or count of things about fewer than {n} "
                                                 "people, or worked out from a hidden count").format(n=threshold)),
    ]


# --- the cross-table layout -----------------------------------------------------------------

#: Which dimension of a breakdown goes across the columns: the one with the fewest values
#: (sex before age band before centre), so a table stays narrow enough for a page.
COLUMN_ORDER = ("sex", "age_band", "centre")


def column_dimension(report: ProgrammeReport) -> int | None:
    """The index in ``report.by`` of the dimension the columns show (``None``: no breakdown)."""
    if not report.by:
        return None
    return min(range(len(report.by)), key=lambda i: COLUMN_ORDER.index(report.by[i]))


def columns(report: ProgrammeReport) -> list[tuple[str, Any]]:
    """(header, value of the column dimension or None for the total)."""
    at = column_dimension(report)
    if at is None:
        return [(_("value"), None)]
    return [(group_text(v), v) for v in report.levels[at]] + [(_("total"), None)]


def row_dimensions(report: ProgrammeReport) -> tuple[str, ...]:
    """The dimensions down the rows (every one but the column dimension)."""
    at = column_dimension(report)
    return tuple(name for i, name in enumerate(report.by) if i != at)


def lead_groups(report: ProgrammeReport) -> list[tuple]:
    """The values of the row dimensions under each indicator, margins (``None``) last;
    the grand margin (every value ``None``) is the indicator's own line and is left out."""
    at = column_dimension(report)
    options = [list(values) + [None] for i, values in enumerate(report.levels) if i != at]
    groups = list(itertools.product(*options))
    return [g for g in groups if any(v is not None for v in g)]


def _key(report: ProgrammeReport, lead: tuple, column: Any) -> tuple:
    """A cell's key in ``report.by`` order from its row values and its column value."""
    at = column_dimension(report)
    values = list(lead)
    values.insert(at, column)
    return tuple(values)


def row_title(row: ReportRow) -> str:
    return row.label + (f": {group_text(row.category)}" if row.categorised else "")


def row_label(row: ReportRow, lead: tuple) -> str:
    """A line's label: the indicator for its own line, the group (``DSH``, ``18–24 · DSH``)
    for the lines under it."""
    if not any(v is not None for v in lead):
        return row_title(row)
    return " · ".join(group_text(v) for v in lead)


@attrs.frozen
class Line:
    """One printed line of a section: an indicator's own line (``depth`` 0, every row
    dimension at its total) or one group under it (``depth`` 1)."""

    label: str
    cells: list
    row: ReportRow
    lead: tuple
    depth: int


def table_lines(report: ProgrammeReport, rows: list[ReportRow]) -> list[Line]:
    """The printed lines of a section: per indicator, its line (totals of the row
    dimensions) and one line per group of the row dimensions, the column dimension across."""
    cols = columns(report)
    width = max(len(report.by) - 1, 0)
    lines = []
    for row in rows:
        leads = [(None,) * width]
        if row.per_participant and width:
            leads += lead_groups(report)
        for lead in leads:
            if report.by:
                cells = [row.cells.get(_key(report, lead, value)) for _h, value in cols]
            else:
                cells = [row.cells.get(())]
            depth = 1 if any(v is not None for v in lead) else 0
            lines.append(Line(row_label(row, lead), cells, row, lead, depth))
    return lines


@attrs.frozen
class FunnelStage:
    """One stage of the funnel: per group, the protected count and its share of the
    first stage (``None``: nothing to show, or hidden)."""

    row: ReportRow
    cells: list
    shares: list


def funnel_stages(report: ProgrammeReport, name: str) -> tuple[list[str], list[FunnelStage]]:
    """The funnel by ``name``: the group headers (each value, then the total) and per stage
    the counts and shares of the first stage, kept apart (a workbook sums and charts them)."""
    rows = report.funnel.get(name, [])
    groups = list(rows[0].cells) if rows else []  # each value, then the total (None)
    headers = [group_text(g[0]) if g[0] is not None else _("total") for g in groups]
    shares = {g: share_of_first(rows, g) for g in groups}
    stages = [FunnelStage(row, [row.cells.get(g) for g in groups],
                          [None if i == 0 else shares[g][i] for g in groups]) for i, row in enumerate(rows)]
    return headers, stages


def funnel_lines(report: ProgrammeReport, name: str) -> tuple[list[str], list[list[str]]]:
    """The funnel by ``name`` as printed: per stage, people and share of the first stage."""
    headers, stages = funnel_stages(report, name)
    lines = []
    for stage in stages:
        line = [stage.row.label]
        for cell, share in zip(stage.cells, stage.shares):
            text = shown(cell, stage.row, report.threshold)
            line.append(text if share is None else f"{text} ({words.percent(share, 0)})")
        lines.append(line)
    return [_("stage"), *headers], lines


# --- scripts: JSON and CSV -------------------------------------------------------------------


def _group_dict(report: ProgrammeReport, key: tuple) -> dict[str, Any]:
    return {name: value for name, value in zip(report.by, key)}


def as_json(report: ProgrammeReport) -> dict[str, Any]:
    """The whole report as one JSON object (documented keys, stable)."""
    def cells(row: ReportRow):
        return [{**_group_dict(report, key), **cell_json(report, cell, row)} for key, cell in row.cells.items()]

    return {
        "period": {"from": _iso(report.period.start), "to": _iso(report.period.end or report.made_on),
                   "first_day": _iso(report.first_day), "text": report.period_text()},
        "centre": report.centre, "by": list(report.by), "threshold": report.threshold,
        "small_counts_hidden": report.threshold is not None, "made_on": report.made_on.isoformat(),
        "made_by": report.made_by, "notes": {label: text for label, text in report.notes},
        "legend": {mark: meaning for mark, meaning in legend(report.threshold)},
        "sections": [{"title": s.title, "plugin": s.plugin, "indicators": [
            {"key": r.key, "label": r.label, "category": r.category, "unit": r.unit, "aggregate": r.aggregate,
             "cells": cells(r)} for r in s.rows]} for s in report.sections],
        "funnel": {name: [{"key": r.key, "label": r.label, "cells": cells_of(report, r, name)} for r in rows]
                   for name, rows in report.funnel.items()},
        "analyses": [{"key": a.key, "title": a.title, "columns": a.columns,
                      "rows": [[cell_json(report, v, fmt) if isinstance(v, ReportCell) else _plain(v)
                                for v, fmt in zip(r, analysis_formats(a))] for r in a.rows], "note": a.note}
                     for a in report.analyses],
    }


def cell_json(report: ProgrammeReport, cell: ReportCell, row: ReportRow | str) -> dict[str, Any]:
    """One cell for scripts: no value when hidden, and why (``suppressed``)."""
    return {"value": machine_value(cell, row), "shown": shown(cell, row, report.threshold), "hidden": cell.hidden,
            "suppressed": cell.suppressed}


def cells_of(report: ProgrammeReport, row: ReportRow, name: str) -> list[dict]:
    return [{name: key[0], **cell_json(report, cell, row)} for key, cell in row.cells.items()]


def analysis_formats(analysis: Analysis) -> list[str]:
    return list(analysis.formats) + ["text"] * (len(analysis.columns) - len(analysis.formats))


def analysis_lines(report: ProgrammeReport, analysis: Analysis) -> list[list[str]]:
    """An analysis as printed: every cell as text, hidden ones by their mark."""
    choices = choice_values()
    return [[shown(v, fmt, report.threshold) if isinstance(v, ReportCell) else ("—" if v is None else
                                                                                  words.cell(v, choices))
             for v, fmt in zip(line, analysis_formats(analysis))] for line in analysis.rows]


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def csv_rows(report: ProgrammeReport) -> tuple[list[str], list[list[Any]]]:
    """The long form: one line per indicator, category and group (margins say ``all``)."""
    header = ["section", "indicator", "label", "category", *report.by, "value", "shown", "suppressed", "unit"]
    lines = []
    for section in report.sections:
        for row in section.rows:
            for key, cell in row.cells.items():
                lines.append([section.title, row.key, row.label, row.category or "",
                              *[("all" if v is None else v) for v in key],
                              "" if machine_value(cell, row) is None else machine_value(cell, row),
                              shown(cell, row, report.threshold), cell.suppressed or "", row.unit])
    return header, lines


# --- files -----------------------------------------------------------------------------------


def file_format(path: Path, fmt: str | None) -> str:
    kind = (fmt or path.suffix.lstrip(".")).lower()
    if kind not in FILE_FORMATS:
        raise InvalidInput(_("{file}: give a .csv, .json, .xlsx or .html file, or {fmt} csv|json|xlsx|html").format(
            file=str(path), fmt=param("fmt")))
    return kind


NUMBER_FORMATS = {"rate": "0.0%", "money": "#,##0.00", "mean": "#,##0.0", "count": "#,##0"}


def book_value(cell: ReportCell | None, row: ReportRow | str, threshold: int | None) -> Any:
    """A cell as the workbook holds it: a number, or the text of a mark (never the hidden
    number)."""
    value = machine_value(cell, row)
    if value is None:
        return shown(cell, row, threshold)
    return float(value) if isinstance(value, str) else value


def write_workbook(report: ProgrammeReport, target: str) -> None:
    """One sheet per section, the funnel and each analysis; bold frozen headers, number
    formats, hidden cells written as text (``<5``), never as their number. Written by the
    one sheet writer (streamed, every text cell formula-safe)."""
    book = Workbook()
    about = book.sheet(_("About"), widths={"A": 22, "B": 90})
    facts = [
        (_("Programme report"), ""),
        (_("Period"), report.period_text()),
        (_("Centre"), report.centre or _("all centres")),
        (_("Broken down by"), ", ".join(map(dimension_text, report.by)) or _("nothing (totals)")),
        *report.notes,
        (_("Small counts"), _("counts below {n} are hidden, with other cells hidden so that none can be worked "
                              "out from the figures; the marks:").format(n=report.threshold)
         if report.threshold else _("NOT hidden (made by an admin)")),
        *legend(report.threshold),
        (_("Made on"), words.date_text(report.made_on)),
        (_("Made by"), report.made_by),
    ]
    for label, value in facts:
        about.append([label, value], bold=(True, False))

    dims = row_dimensions(report)
    headers = [_("indicator"), *map(dimension_text, dims)] + [h for h, _v in columns(report)] + [_("unit")]
    lead = len(dims) + 1
    freeze = f"{chr(ord('A') + lead)}2"
    for section in report.sections:
        sheet = book.sheet(section.title, headers, freeze=freeze, widths={"A": 48})
        for line in table_lines(report, section.rows):
            groups = [group_text(v) for v in line.lead]
            values = [row_title(line.row), *groups,
                      *[book_value(cell, line.row, report.threshold) for cell in line.cells],
                      words.unit_label(line.row.unit)]
            middle = len(line.cells)
            sheet.append(values, formats=[None] * lead + [NUMBER_FORMATS[value_format(line.row)]] * middle + [None],
                         right=[False] * lead + [not isinstance(v, (int, float)) for v in values[lead:-1]] + [False])

    for name in report.funnel:
        groups, stages = funnel_stages(report, name)
        if not stages:
            continue
        header = [_("stage")]
        for group in groups:  # counts and shares in columns of their own: numbers to sum and chart
            header += [group, _("{group} (% of registered)").format(group=group)]
        sheet = book.sheet(_("Funnel by {name}").format(name=dimension_text(name)), header, freeze="B2",
                           widths={"A": 40})
        for stage in stages:
            values: list[Any] = [stage.row.label]
            formats: list[str | None] = [None]
            for cell, part in zip(stage.cells, stage.shares):
                values += [book_value(cell, "count", report.threshold), None if part is None else float(part)]
                formats += [NUMBER_FORMATS["count"], NUMBER_FORMATS["rate"]]
            sheet.append(values, formats=formats)
    choices = choice_values()
    for analysis in report.analyses:
        formats = analysis_formats(analysis)
        sheet = book.sheet(analysis.short_title or analysis.title, analysis.columns, freeze=None, widths={"A": 30})
        for line in analysis.rows:
            sheet.append([book_value(v, fmt, report.threshold) if isinstance(v, ReportCell)
                          else words.cell(v, choices) if isinstance(v, str) else v for v, fmt in zip(line, formats)],
                         formats=[NUMBER_FORMATS.get(fmt) for fmt in formats])
        if analysis.note:
            sheet.append([])
            sheet.append([analysis.note])
    book.save(target)
