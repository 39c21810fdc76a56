"""The programme report as one self-contained HTML file, for a donor as it is.

Everything is in the file: the styles inline, the charts as inline SVG
(``report_charts``), no script, no font, no image and no link to anything outside, so it
opens offline and prints to A4 from a browser. It has the same sections, protection and
definitions as the table and the workbook: every value comes from the same protected
cells, and a hidden cell is written as its mark, never its value — in the tables, in the
charts (not drawn) and anywhere in the source.
"""

from __future__ import annotations

from html import escape
from typing import Iterable

from ..i18n import _, language
from ..words import date_text
from .report_output import (analysis_lines, columns, dimension_text, funnel_lines, legend, row_dimensions, shown,
                            table_lines)
from .reports import ProgrammeReport

STYLE = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
html { background: #fff; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9pt; color: #1b1b1b;
       max-width: 186mm; margin: 0 auto; padding: 6mm 4mm; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 7mm 0 2mm; border-bottom: 1px solid #1f5f8b; color: #1f5f8b; }
h3 { font-size: 10pt; margin: 4mm 0 1mm; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 4mm; margin: 2mm 0; }
.facts dt { font-weight: bold; }
.facts dd { margin: 0; }
.warning { color: #b03a2e; font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 7.5pt; margin: 1mm 0 3mm; }
th, td { padding: 0.6mm 1.5mm; border-bottom: 0.5px solid #ccc; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eef3f7; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td { text-align: right; font-variant-numeric: tabular-nums; }
tr.indicator td { font-weight: bold; border-top: 0.5px solid #999; }
tr.group td:first-child { padding-left: 5mm; font-weight: normal; }
td.hidden { color: #666; font-style: italic; }
figure { margin: 3mm 0 5mm; break-inside: avoid; }
figcaption { font-size: 7.5pt; color: #444; }
svg.chart { width: 100%; height: auto; display: block; }
.legend td, .definitions td { text-align: left; }
.note { font-size: 7.5pt; color: #444; }
table.logframe th, table.logframe td { overflow-wrap: normal; }
table.logframe td:nth-child(2), table.logframe th:nth-child(2), table.logframe td:nth-child(9),
table.logframe th:nth-child(9) { text-align: left; overflow-wrap: anywhere; }
table.logframe td:nth-child(-n+8) { white-space: nowrap; }
table.logframe td:nth-child(2) { white-space: normal; }
section { break-inside: auto; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
"""


def _cell_class(text: str, threshold) -> str:
    marks = {"—"} | ({f"<{threshold}", "x", "c"} if threshold else set())
    return ' class="hidden"' if text in marks else ""


def _table(header: Iterable[str], body: Iterable[tuple[str, list[str]]], threshold) -> str:
    """``body``: (row class, cells) per line; every cell is already text."""
    out = ["<table><thead><tr>", *(f"<th>{escape(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for css, cells in body:
        out.append(f'<tr class="{css}">' if css else "<tr>")
        for i, text in enumerate(cells):
            out.append(f"<td{'' if i == 0 else _cell_class(text, threshold)}>{escape(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def heading(text: str) -> str:
    """A section's heading (a message said outside an f-string, where the extractor finds it)."""
    return f"<h2>{escape(text)}</h2>"


def facts(report: ProgrammeReport) -> list[tuple[str, str]]:
    return [
        (_("Period"), report.period_text()),
        (_("Centre"), report.centre or _("all centres")),
        (_("Broken down by"), ", ".join(map(dimension_text, report.by)) or _("nothing (totals)")),
        *[(label, value) for label, value in report_notes(report)],
        (_("Made on"), date_text(report.made_on)),
        (_("Made by"), report.made_by),
    ]


def report_notes(report: ProgrammeReport) -> list[tuple[str, str]]:
    """What the report includes beyond the period (a filter and its note), if anything."""
    return list(report.notes)


def render(report: ProgrammeReport, *, title: str | None = None, extra: str = "") -> str:
    """The whole HTML document. ``extra`` is more body (a logframe) placed before the tables."""
    from .report_charts import charts

    title = title or _("Programme report")
    parts = [f'<!DOCTYPE html>\n<html lang="{escape(language())}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             # nothing may be fetched: no script, and the browser is told so
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'; img-src data:\">",
             f"<title>{escape(title)} · {escape(report.period_text())}</title><style>{STYLE}</style></head><body>",
             f"<h1>{escape(title)}</h1>", '<dl class="facts">']
    for label, value in facts(report):
        parts.append(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>")
    parts.append("</dl>")
    if report.threshold is not None:
        note = _("Counts below {n} are shown as <{n}; some other cells are hidden with them (marks explained at the "
                 "end). Charts draw nothing for a hidden cell.").format(n=report.threshold)
        parts.append(f'<p class="note">{escape(note)}</p>')
    else:
        warning = _("Small counts are NOT hidden: do not share this report.")
        parts.append(f'<p class="warning">{escape(warning)}</p>')
    parts.append(extra)

    drawn = charts(report)
    if drawn:
        parts.append(heading(_("At a glance")))
        for chart in drawn:
            parts.append(f'<figure data-chart="{escape(chart.key)}"><h3>{escape(chart.title)}</h3>{chart.svg}'
                         f"<figcaption>{escape(chart.caption)}</figcaption></figure>")

    headers = [h for h, _v in columns(report)]
    dims = row_dimensions(report)
    first = _("indicator") + (" / " + " · ".join(map(dimension_text, dims)) if dims else "")
    for section in report.sections:
        parts.append("<section>" + heading(section.title))
        body = [("group" if line.depth else "indicator",
                 [line.label, *[shown(cell, line.row, report.threshold) for cell in line.cells]])
                for line in table_lines(report, section.rows)]
        parts.append(_table([first, *headers], body, report.threshold))
        parts.append("</section>")
    for name in report.funnel:
        header, lines = funnel_lines(report, name)
        if not lines:
            continue
        parts.append("<section>" + heading(_("Funnel by {name} (people registered in the period)").format(
            name=dimension_text(name))))
        parts.append(_table(header, [("", line) for line in lines], report.threshold))
        parts.append("</section>")
    for analysis in report.analyses:
        parts.append("<section>" + heading(analysis.title))
        parts.append(_table(analysis.columns, [("", line) for line in analysis_lines(report, analysis)],
                            report.threshold))
        if analysis.note:
            parts.append(f'<p class="note">{escape(analysis.note)}</p>')
        parts.append("</section>")

    if report.threshold is not None:
        parts.append(heading(_("Marks")))
        parts.append(_table([_("mark"), _("meaning")], [("", [mark, meaning]) for mark, meaning in legend(
            report.threshold)], None).replace("<table>", '<table class="legend">', 1))
    if report.definitions:
        parts.append(heading(_("Definitions")))
        parts.append(_table([_("indicator"), _("definition")],
                            [("", [label, definition]) for label, definition in report.definitions.values()],
                            None).replace("<table>", '<table class="definitions">', 1))
    parts.append("</body></html>\n")
    return "".join(parts)


def _document(title: str, period: str, facts_list: list[tuple[str, str]], body: list[str]) -> str:
    parts = [f'<!DOCTYPE html>\n<html lang="{escape(language())}"><head><meta charset="utf-8">',
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'; img-src data:\">",
             f"<title>{escape(title)} · {escape(period)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{escape(title)}</h1>", '<dl class="facts">']
    for label, value in facts_list:
        parts.append(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>")
    parts.append("</dl>")
    parts.extend(body)
    parts.append("</body></html>\n")
    return "".join(parts)


def render_logframe(report) -> str:
    """A logframe (``logframe_report.LogframeReport``) as one self-contained HTML file: the
    results framework with actual against target, and a chart of the % of target."""
    from .logframe_report import headers, text_lines
    from .report_charts import Series, grouped_bars

    facts_list = [(_("Donor"), report.framework.donor), (_("Period"), report.period_text()),
                  (_("Previous period"), report.previous_text()),
                  *([(_("Grants"), report.note)] if report.note else []), (_("Made on"), date_text(report.made_on)),
                  (_("Made by"), report.made_by)]
    note = _("Actual figures are the programme report's, with its small-count protection: counts below {n} are "
             "shown as <{n}, and a % of target worked out from a hidden figure is hidden too. Rates and shares, "
             "and their targets, are in percent.").format(n=report.threshold)
    body = [f'<p class="note">{escape(note)}</p>']
    indicators = [line for line in report.lines if line.level == "indicator" and line.achieved is not None]
    if indicators:
        chart = grouped_bars("logframe", _("Actual as a % of target"), [f"{line.code}" for line in indicators],
                             [Series(_("% of target"), [line.achieved for line in indicators], "rate")],
                             threshold=report.threshold, axis_label=_("% of target"))
        body.append(f'<figure data-chart="{escape(chart.key)}"><h3>{escape(chart.title)}</h3>{chart.svg}'
                    f"<figcaption>{escape(chart.caption)}</figcaption></figure>")
    body.append(heading(_("Results framework")))
    body.append(_table(headers(), [("indicator" if level != "indicator" else "", cells)
                                   for level, cells in text_lines(report)], report.threshold)
                .replace("<table>", '<table class="logframe">', 1))
    return _document(report.framework.title, report.period_text(), facts_list, body)
