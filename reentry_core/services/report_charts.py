"""The programme report's charts, drawn by matplotlib as inline SVG (text kept as text).

A chart draws only what the tables publish: every value comes from a protected
:class:`~reentry_core.services.reports.ReportCell`, and a hidden cell is not drawn at all —
no bar, no label, no tooltip, nothing in the SVG's geometry — so a chart says no more than
its table. Bars are grouped, never stacked: a bar stacked on a hidden one would give the
hidden one's height away. Where a bar is missing the mark of why (``<5``, ``x``, ``c``)
sits on the axis and the caption says "hidden (small group)".

matplotlib is imported only inside :func:`draw` (``reentry --help`` stays fast); the
Agg-free SVG canvas is used directly, with fixed ids (``svg.hashsalt``) and no date, so the
same report gives the same file.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any, Callable

import attrs

from .. import words
from ..i18n import _
from .report_output import format_value, group_text
from .reports import ProgrammeReport, ReportCell, hidden_mark

#: A4 less its margins (about 180 mm): charts are drawn at this width, in inches
WIDTH_IN = 6.9
COLOURS = ("#1f5f8b", "#d9822b", "#5b8c3a", "#8e44ad", "#b03a2e", "#7f8c8d")


@attrs.frozen
class Chart:
    key: str
    title: str
    svg: str
    caption: str


@attrs.frozen
class Series:
    """One set of bars: a label and a protected cell per category (``None``: no figure)."""

    label: str
    cells: list[ReportCell | None]
    #: how each value is written on its bar ("count", "rate", "money")
    kind: str = "count"
    #: a note under each bar's value (e.g. "n = 31"), already protected text, or None
    notes: list[str | None] | None = None


def _number(cell: ReportCell | None) -> float | None:
    """What a bar is drawn from: the published value, or None for a hidden or empty cell.
    Conversion to float happens here, for drawing only; the figures stay Decimal."""
    if cell is None or cell.hidden or cell.value is None:
        return None
    return float(cell.value)


def _label(value: Any, kind: str) -> str:
    if kind == "rate":
        return words.percent(value, 0)
    if kind == "money":
        return format_value(Decimal(value).quantize(Decimal(1)), "count")
    return format_value(int(value), "count")


def grouped_bars(key: str, title: str, categories: list[str], series: list[Series], *, threshold: int | None,
                 axis_label: str = "", horizontal: bool = True, note: str = "") -> Chart:
    """Bars per category, one per series side by side; a hidden cell draws nothing."""
    hidden: list[str] = []

    def paint(fig) -> None:
        ax = fig.add_subplot(1, 1, 1)
        n = max(len(series), 1)
        width = 0.8 / n
        top = 0.0
        for s_index, s in enumerate(series):
            for c_index, cell in enumerate(s.cells):
                position = c_index - 0.4 + width * (s_index + 0.5)
                value = _number(cell)
                if value is None:
                    if cell is not None and cell.hidden:
                        hidden.append(f"{s.label} · {categories[c_index]}")
                        mark = hidden_mark(cell.suppressed, threshold)
                        if horizontal:
                            ax.text(0, position, f" {mark}", va="center", ha="left", fontsize=7, color="#555555")
                        else:
                            ax.text(position, 0, mark, va="bottom", ha="center", fontsize=7, color="#555555")
                    continue
                top = max(top, value)
                text = _label(cell.value, s.kind)
                if s.notes and s.notes[c_index]:
                    text += f" ({s.notes[c_index]})"
                colour = COLOURS[s_index % len(COLOURS)]
                if horizontal:
                    ax.barh(position, value, height=width * 0.95, color=colour,
                            label=s.label if c_index == 0 else None)
                    ax.text(value, position, f" {text}", va="center", ha="left", fontsize=7)
                else:
                    ax.bar(position, value, width=width * 0.95, color=colour, label=s.label if c_index == 0 else None)
                    ax.text(position, value, text, va="bottom", ha="center", fontsize=6, rotation=90)
        # one legend entry per series even when its first bar is hidden
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=COLOURS[i % len(COLOURS)], label=s.label) for i, s in enumerate(series)],
                  fontsize=7, loc="lower right" if horizontal else "upper left", frameon=False)
        ticks = list(range(len(categories)))
        if horizontal:
            ax.set_yticks(ticks, categories, fontsize=7)
            ax.invert_yaxis()
            ax.set_xlim(0, (top or 1) * 1.35)
            ax.set_xlabel(axis_label, fontsize=7)
            ax.tick_params(axis="x", labelsize=7)
        else:
            ax.set_xticks(ticks, categories, fontsize=7, rotation=45, ha="right")
            ax.set_ylim(0, (top or 1) * 1.3)
            ax.set_ylabel(axis_label, fontsize=7)
            ax.tick_params(axis="y", labelsize=7)
        if series and series[0].kind == "rate":
            from matplotlib.ticker import FuncFormatter

            fmt = FuncFormatter(lambda v, _pos: f"{v * 100:.0f}%")
            (ax.xaxis if horizontal else ax.yaxis).set_major_formatter(fmt)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)

    rows = len(categories) * (max(len(series), 1) if horizontal else 1)
    height = max(2.2, min(9.5, 0.9 + 0.17 * rows)) if horizontal else 3.2
    svg = draw(key, paint, height)
    caption = note
    if hidden:
        cells = "; ".join(hidden) if len(hidden) <= 6 else _("{n} of {m} bars").format(
            n=len(hidden), m=len(categories) * len(series))
        caption = (caption + " " if caption else "") + _("Not drawn, hidden (small group): {cells}.").format(
            cells=cells)
    return Chart(key, title, svg, caption)


def draw(key: str, paint: Callable, height: float) -> str:
    """A figure painted by ``paint(figure)`` as SVG markup to inline in a page: text as
    text, fixed ids, no date, no XML prolog or DOCTYPE (nothing a browser would fetch)."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"reentry-{key}",
                                "font.family": "sans-serif", "font.size": 8}):
        fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
        FigureCanvasSVG(fig)
        paint(fig)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    # drawn at the page's width whatever its size in points: the viewBox keeps the shape
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 role="img" class="chart"', text, count=1)
    return text


# --- the report's charts ---------------------------------------------------------------------


def funnel_by_sex(report: ProgrammeReport) -> Chart | None:
    rows = report.funnel.get("sex", [])
    if not rows:
        return None
    sexes = [key for key in rows[0].cells if key[0] is not None]
    series = [Series(group_text(key[0]), [row.cells.get(key) for row in rows]) for key in sexes]
    return grouped_bars("funnel", _("From registration to a business operating at 12 months, by sex"),
                        [row.label for row in rows], series, threshold=report.threshold, axis_label=_("people"),
                        note=_("People registered in the period, followed stage by stage."))


def survival_by_centre(report: ProgrammeReport) -> Chart | None:
    rows = {row.key: row for row in report.charts.get("survival_by_centre", [])}
    rates = [key for key in ("mentoring.survival_6m", "mentoring.survival_12m") if key in rows]
    if not rates:
        return None
    groups = list(rows[rates[0]].cells)
    categories = [_("all centres") if g[0] is None else group_text(g[0]) for g in groups]
    series = []
    for key in rates:
        reached = rows.get(f"{key}.reached")
        notes = None
        if reached is not None:
            notes = [None if reached.cells.get(g) is None or reached.cells[g].hidden
                     else f"n = {reached.cells[g].value}" for g in groups]
        series.append(Series(rows[key].label, [rows[key].cells.get(g) for g in groups], "rate", notes))
    return grouped_bars("survival", _("Survival at 6 and 12 months by centre"), categories, series,
                        threshold=report.threshold, axis_label=_("businesses operating / reaching the visit"),
                        note=_("n: businesses reaching the visit (operating, not operating or unknown)."))


def rate_bars(analysis, threshold: int | None) -> Chart:
    """A bar per line for its last column (a rate), with the first count column as n;
    the total line is left out."""
    hint = analysis.chart
    lines = analysis.rows[:-1]
    counts = next((i for i, f in enumerate(analysis.formats) if f == "count"), None)
    notes = [None if counts is None or line[counts].hidden or line[counts].value is None
             else f"n = {line[counts].value}" for line in lines]
    series = [Series(analysis.columns[-1], [line[-1] for line in lines], "rate", notes)]
    return grouped_bars(hint.key, hint.title, [group_text(line[0]) for line in lines], series,
                        threshold=threshold, axis_label=hint.axis or analysis.columns[-1], note=analysis.note)


def column_bars(analysis, threshold: int | None) -> Chart:
    """Bars per line (months), one per count column side by side; the total line left out."""
    hint = analysis.chart
    lines = analysis.rows[:-1] if len(analysis.rows) > 1 else analysis.rows
    formats = list(analysis.formats) + ["text"] * len(analysis.columns)
    series = [Series(analysis.columns[i], [line[i] for line in lines], f)
              for i, f in enumerate(formats[:len(analysis.columns)]) if f in ("count", "rate", "money")]
    return grouped_bars(hint.key, hint.title, [group_text(line[0]) for line in lines], series, threshold=threshold,
                        axis_label=hint.axis, horizontal=False)


def _money_lines(analysis) -> tuple[list[str], dict[str, Decimal], dict[str, list[ReportCell]]]:
    """(months, budget per round, monthly cells per round) of a money-by-month analysis:
    its first line the budgets, its last the totals (left out)."""
    rounds = analysis.columns[1:-1]
    budget_line, *lines = analysis.rows
    lines = lines[:-1]
    budgets = {r: budget_line[1 + i].value for i, r in enumerate(rounds)}
    return [str(line[0]) for line in lines], budgets, {r: [line[1 + i] for line in lines] for i, r in enumerate(rounds)}


def running_totals(analyses: list, threshold: int | None) -> Chart:
    """Per column (a round; one small panel each): each analysis's amounts added up month
    by month (a series: committed, paid out), against the first line (the budget). A line
    stops at its first hidden month (adding on past it would tell the hidden amount), and
    the caption says where."""
    hint = analyses[0].chart
    found = {a.chart.series or a.title: _money_lines(a) for a in analyses}
    months = sorted({m for months, _b, _c in found.values() for m in months})
    rounds = sorted({r for _m, _b, cells in found.values() for r in cells})
    budgets = {r: b for _m, budget, _c in found.values() for r, b in budget.items()}
    titles = {name: name for name in found}
    stopped: list[str] = []

    def paint(fig) -> None:
        columns = 2
        rows = (len(rounds) + columns - 1) // columns
        axes = fig.subplots(rows, columns, sharex=True, squeeze=False)
        for index, round_code in enumerate(rounds):
            ax = axes[index // columns][index % columns]
            for s_index, (name, (own_months, _budget, cells)) in enumerate(found.items()):
                total, xs, ys = Decimal(0), [], []
                for month, cell in zip(own_months, cells.get(round_code, [])):
                    if cell is None or cell.hidden or cell.value is None:
                        if cell is not None and cell.hidden:
                            stopped.append(f"{round_code} {titles[name]} {words.month_text(month)}")
                        break
                    if not xs and not cell.value:
                        continue  # nothing yet (a later round): the line starts with its first money
                    total += Decimal(cell.value)
                    xs.append(months.index(month))
                    ys.append(float(total))
                ax.plot(xs, ys, color=COLOURS[s_index], marker="o", markersize=2, linewidth=1.2,
                        label=titles[name])
            if budgets.get(round_code) is not None:
                ax.axhline(float(budgets[round_code]), color="#555555", linestyle=":", linewidth=1,
                           label=_("budget"))
            ax.set_title(round_code, fontsize=7)
            ax.tick_params(labelsize=6)
            ax.set_ylim(bottom=0)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            if index == 0:
                ax.legend(fontsize=6, frameon=False, loc="lower right")
        for index in range(len(rounds), rows * columns):
            axes[index // columns][index % columns].set_visible(False)
        step = max(1, len(months) // 6)
        for ax in axes[-1]:
            ax.set_xticks(range(0, len(months), step), [words.month_text(m) for m in months[::step]], rotation=45,
                          ha="right", fontsize=6)

    height = max(2.4, 1.5 * ((len(rounds) + 1) // 2) + 0.6)
    svg = draw(hint.key, paint, height)
    caption = _("Added up month by month; the dotted line is the budget.")
    if stopped:
        cells = "; ".join(stopped) if len(stopped) <= 6 else _("{n} lines").format(n=len(stopped))
        caption += " " + _("A line stops at a month hidden (small group): {cells}.").format(cells=cells)
    return Chart(hint.key, hint.title, svg, caption)


#: how each kind of :class:`~reentry_core.services.reports.ChartHint` is drawn
KINDS = {"rate": lambda analyses, threshold: rate_bars(analyses[0], threshold),
         "columns": lambda analyses, threshold: column_bars(analyses[0], threshold),
         "running": running_totals}


def charts(report: ProgrammeReport) -> list[Chart]:
    """Every chart the report's data allows: the funnel and survival by centre (the core's
    own figures, when the plugins that count them are loaded), then each analysis a plugin
    asked to be charted (``Analysis.chart``), analyses with the same chart key together."""
    drawn = [chart for make in (funnel_by_sex, survival_by_centre) if (chart := make(report)) is not None]
    grouped: dict[str, list] = {}
    for analysis in report.analyses:
        if analysis.chart is not None and analysis.chart.kind in KINDS and analysis.rows:
            grouped.setdefault(analysis.chart.key, []).append(analysis)
    drawn += [KINDS[group[0].chart.kind](group, report.threshold) for group in grouped.values()]
    return drawn
