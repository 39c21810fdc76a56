"""The programme report and a logframe written to a file: CSV, JSON, an XLSX workbook or
one self-contained HTML file, via a temporary file (a failed write never leaves half a
report). Kept apart from the modules that make each form, which do not know each other."""

from __future__ import annotations

import json
from pathlib import Path

from ..files import written_whole
from ..sheets import write_rows
from .report_output import as_json, csv_rows, file_format, write_workbook
from .reports import ProgrammeReport


def write_report(report: ProgrammeReport, path, fmt: str | None = None) -> Path:
    """Write the report to ``path`` (CSV, JSON, XLSX or self-contained HTML)."""
    path = Path(path)
    kind = file_format(path, fmt)
    with written_whole(path) as temp:
        if kind == "xlsx":
            write_workbook(report, temp)
        elif kind == "html":
            from .report_html import render

            Path(temp).write_text(render(report), encoding="utf-8")
        elif kind == "json":
            Path(temp).write_text(json.dumps(as_json(report), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        else:
            header, lines = csv_rows(report)
            with open(temp, "w", encoding="utf-8-sig", newline="") as f:
                write_rows(f, header, lines)
    return path


def write_logframe(report, path, fmt: str | None = None) -> Path:
    """Write a logframe (``logframe_report.LogframeReport``) to ``path``, in the same forms."""
    from . import logframe_report as lf

    path = Path(path)
    kind = file_format(path, fmt)
    with written_whole(path) as temp:
        if kind == "json":
            Path(temp).write_text(json.dumps(lf.as_json(report), ensure_ascii=False, indent=2) + "\n",
                                  encoding="utf-8")
        elif kind == "csv":
            with open(temp, "w", encoding="utf-8-sig", newline="") as f:
                write_rows(f, ["level", *lf.headers()], [[level, *cells] for level, cells in lf.text_lines(report)])
        elif kind == "xlsx":
            lf.write_workbook(report, temp)
        else:
            from .report_html import render_logframe

            Path(temp).write_text(render_logframe(report), encoding="utf-8")
    return path
