"""The programme report as people read it (tables, a workbook) and as scripts read it
(JSON, CSV). Hidden cells stay hidden in every form: their value is never written.

Layout of a table: one row per indicator (per category, and per value of every
dimension but the last), one column per value of the last dimension and a total.
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InvalidInput, param
from ..files import written_whole
from ..i18n import _
from ..sheets import Workbook, write_rows
from .reports import Analysis, ProgrammeReport, ReportCell, ReportRow, hidden_mark, share_of_first

FILE_FORMATS = ("csv", "json", "xlsx")
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
    kind = value_format(row)
    if kind == "rate":
        return f"{Decimal(value) * 100:.1f}%"
    if kind == "money":
        return f"{Decimal(value):,.2f}".replace(",", " ")
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return f"{value:.1f}"
    return f"{int(value):,}".replace(",", " ")


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


# --- the wide layout ----------------------------------------------------------------------


def columns(report: ProgrammeReport) -> list[tuple[str, Any]]:
    """(header, value of the last dimension or None for the total)."""
    if not report.by:
        return [(_("value"), None)]
    return [(str(v), v) for v in report.levels[-1]] + [(_("total"), None)]


def lead_groups(report: ProgrammeReport) -> list[tuple]:
    """The values of every dimension but the last, margins (``None``) last."""
    options = [list(values) + [None] for values in report.levels[:-1]]
    return list(itertools.product(*options))


def row_label(row: ReportRow, lead: tuple) -> str:
    label = row.label + (f": {row.category or _('all')}" if row.categorised else "")
    if lead:
        label += " — " + " · ".join(_("all") if v is None else str(v) for v in lead)
    return label


def table_lines(report: ProgrammeReport, rows: list[ReportRow]) -> list[tuple[str, list[ReportCell | None], ReportRow]]:
    """(label, cells in column order, row) for each printed line of a section."""
    cols = columns(report)
    lines = []
    for row in rows:
        for lead in lead_groups(report) if report.by else [()]:
            if not row.per_participant and any(v is not None for v in lead):
                continue
            cells = [row.cells.get(lead + (value,)) if report.by else row.cells.get(()) for _h, value in cols]
            lines.append((row_label(row, lead), cells, row))
    return lines


def funnel_lines(report: ProgrammeReport, name: str) -> tuple[list[str], list[list[str]]]:
    """The funnel by ``name``: per stage, people and share of the first stage, per group."""
    rows = report.funnel.get(name, [])
    groups = list(rows[0].cells) if rows else []  # each value, then the total (None)
    header = [_("stage")] + [str(g[0]) if g[0] is not None else _("total") for g in groups]
    shares = {g: share_of_first(rows, g) for g in groups}
    lines = []
    for i, row in enumerate(rows):
        line = [row.label]
        for g in groups:
            text = shown(row.cells.get(g), row, report.threshold)
            share = shares[g][i] if i < len(shares[g]) else None
            line.append(text if share is None or i == 0 else f"{text} ({share * 100:.0f}%)")
        lines.append(line)
    return header, lines


# --- scripts: JSON and CSV -------------------------------------------------------------------


def _group_dict(report: ProgrammeReport, key: tuple) -> dict[str, Any]:
    return {name: value for name, value in zip(report.by, key)}


def as_json(report: ProgrammeReport) -> dict[str, Any]:
    """The whole report as one JSON object (documented keys, stable)."""
    def cells(row: ReportRow):
        return [{**_group_dict(report, key), **cell_json(report, cell, row)} for key, cell in row.cells.items()]

    return {
        "period": {"from": _iso(report.period.start), "to": _iso(report.period.end or report.made_on)},
        "centre": report.centre, "by": list(report.by), "threshold": report.threshold,
        "small_counts_hidden": report.threshold is not None, "made_on": report.made_on.isoformat(),
        "made_by": report.made_by,
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
    return [[shown(v, fmt, report.threshold) if isinstance(v, ReportCell) else ("—" if v is None else str(v))
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
        raise InvalidInput(_("{file}: give a .csv, .json or .xlsx file, or {fmt} csv|json|xlsx").format(
            file=str(path), fmt=param("fmt")))
    return kind


def write_report(report: ProgrammeReport, path, fmt: str | None = None) -> Path:
    """Write the report to ``path`` (CSV, JSON or XLSX) via a temporary file: a failed
    write never leaves half a report."""
    path = Path(path)
    kind = file_format(path, fmt)
    with written_whole(path) as temp:
        if kind == "xlsx":
            write_workbook(report, temp)
        elif kind == "json":
            Path(temp).write_text(json.dumps(as_json(report), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        else:
            header, lines = csv_rows(report)
            with open(temp, "w", encoding="utf-8-sig", newline="") as f:
                write_rows(f, header, lines)
    return path


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
        (_("Period"), f"{_iso(report.period.start) or '…'} – {_iso(report.period.end) or report.made_on.isoformat()}"),
        (_("Centre"), report.centre or _("all centres")),
        (_("Broken down by"), ", ".join(report.by) or _("nothing (totals)")),
        (_("Small counts"), _("counts below {n} are hidden, with other cells hidden so that none can be worked "
                              "out from the figures; the marks:").format(n=report.threshold)
         if report.threshold else _("NOT hidden (made by an admin)")),
        *legend(report.threshold),
        (_("Made on"), report.made_on.isoformat()),
        (_("Made by"), report.made_by),
    ]
    for label, value in facts:
        about.append([label, value], bold=(True, False))

    headers = [_("indicator")] + [h for h, _v in columns(report)] + [_("unit")]
    for section in report.sections:
        sheet = book.sheet(section.title, headers, freeze="B2", widths={"A": 48})
        for label, cells, row in table_lines(report, section.rows):
            values = [label, *[book_value(cell, row, report.threshold) for cell in cells], row.unit]
            middle = len(values) - 2
            sheet.append(values, formats=[None] + [NUMBER_FORMATS[value_format(row)]] * middle,
                         right=[False] + [not isinstance(v, (int, float)) for v in values[1:-1]])

    for name in report.funnel:
        header, lines = funnel_lines(report, name)
        if not lines:
            continue
        sheet = book.sheet(_("Funnel by {name}").format(name=name), header, freeze=None, widths={"A": 40})
        for line in lines:
            sheet.append(line)
    for analysis in report.analyses:
        formats = analysis_formats(analysis)
        sheet = book.sheet(analysis.title, analysis.columns, freeze=None, widths={"A": 30})
        for line in analysis.rows:
            sheet.append([book_value(v, fmt, report.threshold) if isinstance(v, ReportCell) else v
                          for v, fmt in zip(line, formats)],
                         formats=[NUMBER_FORMATS.get(fmt) for fmt in formats])
        if analysis.note:
            sheet.append([])
            sheet.append([analysis.note])
    book.save(target)
