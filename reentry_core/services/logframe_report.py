"""A donor's logframe filled in: for each indicator of a results framework
(``reentry_core.logframe``), the actual figure for the period against its target, the
previous period's actual and target, and the % of target.

Every actual is a figure of the programme report, protected exactly as the report
protects it (``ReportService.figures``): a hidden figure stays hidden here, and so does
the % of target worked out from it. A cumulative indicator counts from the programme's
start to the period's end; note that figures for overlapping periods can be subtracted
(docs/small-counts.md, "Limits"), so run ``report audit`` on each period you publish.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from ..errors import InvalidInput, param
from ..i18n import _
from ..logframe import Framework, FrameworkIndicator, previous_period
from ..reporting import Period
from ..words import date_text, percent
from .reports import ReportCell, ReportRow, share


@attrs.frozen
class LogframeLine:
    """One line: an outcome or output (``level``), or one of its indicators."""

    level: str  # "outcome", "output" or "indicator"
    code: str
    title: str
    key: str | None = None
    kind: str = "count"  # how values are written: "rate" (in %), "money", "mean" or "count"
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    actual: ReportCell | None = None
    previous: ReportCell | None = None
    previous_target: Decimal | None = None
    achieved: ReportCell | None = None  # actual / target (1 = 100%)
    verification: str = ""
    cumulative: bool = False


@attrs.frozen
class LogframeReport:
    framework: Framework
    period: Period
    previous: Period
    threshold: int | None
    made_on: date
    made_by: str
    lines: list[LogframeLine]
    #: what a --donor / --round filter kept ("" without one)
    note: str = ""

    def period_text(self) -> str:
        return f"{date_text(self.period.start)} – {date_text(self.period.end)}"

    def previous_text(self) -> str:
        return f"{date_text(self.previous.start)} – {date_text(self.previous.end)}"


def _kind(row: ReportRow, item: FrameworkIndicator) -> str:
    from .report_output import value_format

    return "rate" if item.share else value_format(row)


def _achieved(actual: ReportCell, target: Decimal | None, kind: str) -> ReportCell | None:
    """actual / target, hidden when the actual is (it would give it away)."""
    if target is None or target == 0:
        return None
    if actual.hidden:
        return ReportCell(None, actual.suppressed)
    if actual.value is None:
        return ReportCell(None)
    value = Decimal(actual.value) * (100 if kind == "rate" else 1)  # rates' targets are in percent
    return ReportCell(value / target)


def logframe(ctx, framework, *, start=None, end=None, donor: str | None = None,
             round: str | None = None) -> LogframeReport:
    """A donor's results framework (a :class:`~reentry_core.logframe.Framework`, a TOML file
    or a shipped one by name: ``eu``, ``bmz``) filled in for the period, as ``ctx`` may see
    it: actual against target, the previous period and the % of target, protected as the
    programme report is; ``donor`` / ``round`` as for the report."""
    from ..logframe import load

    ctx.require("reports.view")
    if not isinstance(framework, Framework):
        framework = load(framework)
    return build_logframe(ctx.reports, framework, start, end, donor, round)


def build_logframe(service, framework: Framework, start, end, donor=None, round=None) -> LogframeReport:
    """The logframe for ``start`` – ``end`` (both needed: a donor's period is stated)."""
    from ..convert import parse_date

    if start is None or end is None:
        raise InvalidInput(_("a logframe is for a stated period: give {start} and {end}").format(
            start=param("start"), end=param("end")))
    period = Period(parse_date(start), parse_date(end))
    before = Period(*previous_period(period.start, period.end))
    registry = service.ctx.programme.indicators
    for item in framework.indicators():
        try:
            registry.get(item.indicator)
        except InvalidInput:
            raise InvalidInput(_("{file}: {code} names the indicator {key!r}, which no loaded plugin declares; see: "
                                 "reentry report indicators").format(file=framework.source, code=item.code,
                                                                     key=item.indicator)) from None

    def figures(items: list[FrameworkIndicator], span: Period, cumulative: bool) -> dict[str, ReportRow]:
        keys = sorted({item.indicator for item in items})
        if not keys:
            return {}
        rows = service.figures(keys, start=None if cumulative else span.start, end=span.end, by="sex",
                               donor=donor, round=round)
        return {row.key: row for row in rows if row.category is None}

    found: dict[tuple[str, bool], dict[str, ReportRow]] = {}
    for which, span in (("now", period), ("before", before)):
        for cumulative in (False, True):
            items = [i for i in framework.indicators() if i.cumulative == cumulative]
            found[(which, cumulative)] = figures(items, span, cumulative)

    lines = []
    for result in framework.results:
        lines.append(LogframeLine(result.level, result.code, result.title))
        for item in result.indicators:
            now, then = found[("now", item.cumulative)], found[("before", item.cumulative)]
            row = now[item.indicator]
            kind = _kind(row, item)
            actual, previous = _cell_of(now, item), _cell_of(then, item)
            target = item.target(period.start, period.end)
            earlier = item.target(before.start, before.end)
            lines.append(LogframeLine(
                "indicator", item.code, item.title, item.indicator, kind, "%" if kind == "rate" else row.unit,
                item.baseline, target.value if target else None, actual, previous,
                earlier.value if earlier else None, _achieved(actual, target.value if target else None, kind),
                item.verification, item.cumulative))
    ctx = service.ctx
    threshold = service.threshold()
    note = ""
    if donor or round:
        with ctx.reading() as conn:
            note = service._scope(conn, period, donor, round)[1].note
    return LogframeReport(framework, period, before, threshold, ctx.programme.clock.today(), ctx.code, lines, note)


def _cell_of(rows: dict[str, ReportRow], item: FrameworkIndicator) -> ReportCell:
    row = rows[item.indicator]
    everyone = row.cells.get((None,), ReportCell(None))
    if item.sex is None:
        return everyone
    group = row.cells.get((item.sex,), ReportCell(None))
    return share(group, everyone) if item.share else group


# --- as people and scripts read it ---------------------------------------------------------------


def headers() -> list[str]:
    return [_("code"), _("result / indicator"), _("baseline"), _("previous period"), _("previous target"),
            _("target"), _("actual"), _("% of target"), _("means of verification")]


def _plain(value: Decimal | None, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":  # a target in percent (30 = 30%)
        return percent(value / 100, 0 if value == value.to_integral_value() else 1)
    from .report_output import format_value

    return format_value(value, "money" if kind == "money" else "count")


def text_lines(report: LogframeReport) -> list[tuple[str, list[str]]]:
    """(level, cells as printed) per line; hidden figures by their marks."""
    from .report_output import shown

    out = []
    for line in report.lines:
        if line.level != "indicator":
            out.append((line.level, [line.code, line.title] + [""] * 7))
            continue
        title = line.title + (" " + _("(since the start)") if line.cumulative and _("since the start") not in
                              line.title else "")
        achieved = shown(line.achieved, "rate", report.threshold) if line.achieved is not None else "—"
        out.append(("indicator", [
            line.code, title, _plain(line.baseline, line.kind),
            shown(line.previous, line.kind, report.threshold), _plain(line.previous_target, line.kind),
            _plain(line.target, line.kind), shown(line.actual, line.kind, report.threshold), achieved,
            line.verification]))
    return out


def as_json(report: LogframeReport) -> dict[str, Any]:
    from .report_output import cell_json

    def cell(c: ReportCell | None, kind: str):
        return None if c is None else cell_json(_Shim(report.threshold), c, kind)

    return {
        "framework": {"donor": report.framework.donor, "title": report.framework.title,
                      "source": report.framework.source},
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "previous_period": {"from": report.previous.start.isoformat(), "to": report.previous.end.isoformat()},
        "threshold": report.threshold, "made_on": report.made_on.isoformat(), "made_by": report.made_by,
        "lines": [{"level": line.level, "code": line.code, "title": line.title, "indicator": line.key,
                   "unit": line.unit, "cumulative": line.cumulative,
                   "baseline": _text(line.baseline), "target": _text(line.target),
                   "previous_target": _text(line.previous_target),
                   "actual": cell(line.actual, line.kind), "previous": cell(line.previous, line.kind),
                   "achieved": cell(line.achieved, "rate"), "verification": line.verification}
                  for line in report.lines],
    }


class _Shim:
    """What ``cell_json`` reads of a report: its threshold."""

    def __init__(self, threshold):
        self.threshold = threshold


def _text(value: Decimal | None):
    from .report_output import plain_decimal

    return None if value is None else plain_decimal(value)


def write_workbook(report: LogframeReport, target) -> None:
    """Into ``target``, a temporary file of ``report_files.write_logframe`` (``written_whole``).
    Numbers as numbers (rates as fractions with a % format), hidden ones as their marks."""
    from ..sheets import Workbook
    from .report_output import NUMBER_FORMATS, book_value

    book = Workbook()
    about = book.sheet(_("About"), widths={"A": 22, "B": 90})
    for label, value in [(_("Logframe"), report.framework.title), (_("Donor"), report.framework.donor),
                         (_("Period"), report.period_text()), (_("Previous period"), report.previous_text()),
                         (_("Small counts"), _("counts below {n} are hidden").format(n=report.threshold)),
                         (_("Made on"), date_text(report.made_on)), (_("Made by"), report.made_by)]:
        about.append([label, value], bold=(True, False))
    sheet = book.sheet(_("Logframe"), headers(), freeze="C2", widths={"A": 8, "B": 60, "I": 50})

    def number(value: Decimal | None, kind: str):
        if value is None:
            return None
        return float(value / 100) if kind == "rate" else float(value)

    for line in report.lines:
        if line.level != "indicator":
            sheet.append([line.code, line.title], bold=True)
            continue
        fmt = NUMBER_FORMATS.get(line.kind, NUMBER_FORMATS["count"])
        values = [line.code, line.title, number(line.baseline, line.kind),
                  book_value(line.previous, line.kind, report.threshold), number(line.previous_target, line.kind),
                  number(line.target, line.kind), book_value(line.actual, line.kind, report.threshold),
                  book_value(line.achieved, "rate", report.threshold) if line.achieved is not None else None,
                  line.verification]
        sheet.append(values, formats=[None, None, fmt, fmt, fmt, fmt, fmt, NUMBER_FORMATS["rate"], None])
    book.save(target)
