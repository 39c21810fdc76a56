"""The programme report: every indicator of the loaded plugins, disaggregated by sex, age
band and centre, with small counts protected (``reentry_core.suppression``).

One query per indicator gives the finest cells; margins are summed from them (every
participant is in exactly one cell, so counts of people add up), which keeps a
national report to a few dozen queries. Sections follow the plugins; the funnel follows
the people registered in the period from stage to stage; plugins may add analyses of
their own (``register_report_sections``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Iterable

import attrs

from ..domain import AGE_BANDS, Sex
from ..errors import InvalidInput
from ..i18n import _
from ..reporting import (DIMENSIONS, Indicator, Parts, Period, compute_parts, rate_of, value_of)
from ..suppression import all_keys, protect

DEFAULT_THRESHOLD = 5
#: Where in the report each plugin's indicators go.
SECTION_TITLES = {"core": "Participants and referrals"}


@attrs.frozen
class ReportCell:
    """One figure as published: its value, the people behind it, and whether it is hidden."""

    value: Decimal | int | None
    people: int
    hidden: bool = False


@attrs.frozen
class ReportRow:
    """One indicator (or one category of it) across every group and margin of the report."""

    key: str
    label: str
    unit: str
    aggregate: str
    category: str | None
    cells: dict[tuple, ReportCell]
    per_participant: bool = True
    categorised: bool = False  # one of an indicator's category rows (``category`` None: all of them)


@attrs.frozen
class Section:
    title: str
    plugin: str
    rows: list[ReportRow]


@attrs.frozen
class Analysis:
    """A plugin's own table (e.g. "does the plan score predict survival?")."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


@attrs.frozen
class ProgrammeReport:
    period: Period
    centre: str | None
    by: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    threshold: int | None  # None: nothing hidden (an admin's --no-suppress)
    made_on: date
    made_by: str
    sections: list[Section]
    funnel: dict[str, list[ReportRow]]  # "sex" / "centre" → one row per stage (value: people)
    analyses: list[Analysis]

    def group_label(self, key: tuple) -> str:
        return " · ".join(_("all") if v is None else str(v) for v in key) if key else _("all")


def parse_by(by: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"sex,centre"`` → ``("sex", "centre")``, each a known dimension, none twice."""
    if by is None:
        return ()
    names = [b.strip().lower().replace("-", "_") for b in (by.split(",") if isinstance(by, str) else by) if b.strip()]
    for name in names:
        if name not in DIMENSIONS:
            raise InvalidInput(_("--by: {name!r} is not one of {known}").format(name=name, known=", ".join(DIMENSIONS)))
    if len(set(names)) != len(names):
        raise InvalidInput(_("--by names a dimension twice"))
    return tuple(names)


def hidden_text(threshold: int) -> str:
    return f"<{threshold}"


class ReportService:
    def __init__(self, ctx):
        self.ctx = ctx

    def indicators(self) -> list[Indicator]:
        """Every indicator the loaded plugins declare, with its definition."""
        self.ctx.require("reports.view")
        return list(self.ctx.programme.indicators)

    def programme(self, *, start: date | str | None = None, end: date | str | None = None,
                  centre: str | None = None, by: str | Iterable[str] | None = None,
                  threshold: int = DEFAULT_THRESHOLD, suppress: bool = True) -> ProgrammeReport:
        """The programme report. ``suppress=False`` (admins only, audited) shows small counts."""
        from ..convert import parse_date

        self.ctx.require("reports.view")
        if threshold < 2:
            raise InvalidInput(_("the small-count threshold must be at least 2 (to show every count, an admin "
                                 "asks for --no-suppress)"))
        period = Period(parse_date(start) if start else None, parse_date(end) if end else None)
        dims = parse_by(by)
        programme = self.ctx.programme
        registry = programme.indicators
        today = programme.clock.today()
        centre_code = centre.strip().upper() if centre else None
        if centre_code:
            with self.ctx.reading() as conn:
                programme.centre_id(conn, centre_code)  # an unknown centre is named
        if not suppress:  # recorded before anything is shown
            with self.ctx.transaction() as tx:
                tx.require("reports.unsuppressed")
                tx.audit("report.unsuppressed", "report", "programme", after={
                    "from": period.start, "to": period.end, "centre": centre_code, "by": list(dims)})
        with self.ctx.reading() as conn:  # a report only reads: it never holds up the writers
            levels = tuple(_levels(conn, name, centre_code) for name in dims)
            limit = threshold if suppress else None
            build = _Builder(conn, registry, period, centre_code, today, limit)
            sections: dict[str, list[ReportRow]] = {}
            for indicator in registry:
                sections.setdefault(indicator.plugin, []).extend(build.rows(indicator, dims, levels))
            funnel = build.funnel(_levels(conn, "sex", centre_code), _levels(conn, "centre", centre_code))
            analyses = [analysis for answer in programme.pm.hook.report_analyses(
                conn=conn, period=period, centre=centre_code, today=today, threshold=limit,
                hook=programme.pm.hook) for analysis in
                (answer or [])]
        return ProgrammeReport(
            period=period, centre=centre_code, by=dims, levels=levels, threshold=limit, made_on=today,
            made_by=self.ctx.code,
            sections=[Section(SECTION_TITLES.get(plugin, plugin.replace("_", " ").capitalize()), plugin, rows)
                      for plugin, rows in sorted(sections.items(), key=lambda item: _journey_order(registry,
                                                                                                  item[0]))],
            funnel=funnel, analyses=analyses,
        )


def _journey_order(registry, plugin: str) -> tuple:
    """Sections follow a participant's journey: the core, then each plugin by the earliest
    funnel stage it declares (training before grants before mentoring), then by name."""
    stages = [i.funnel_stage for i in registry if i.plugin == plugin and i.funnel_stage is not None]
    return (plugin != "core", min(stages) if stages else 10**6, plugin)


def _levels(conn, name: str, centre: str | None) -> tuple[str, ...]:
    if name == "sex":
        return tuple(Sex.values())
    if name == "age_band":
        return tuple(label for label, _lowest in AGE_BANDS)
    if centre:
        return (centre,)
    import sqlalchemy as sa

    from ..storage import tables as t

    return tuple(conn.execute(sa.select(t.centre.c.code).order_by(t.centre.c.code)).scalars())


def _with_margins(finest: dict[tuple, Parts], levels: tuple[tuple[str, ...], ...]) -> dict[tuple, Parts]:
    """Every cell and margin, margins summed from the finest cells (absent cells are empty)."""
    found: dict[tuple, Parts] = {}
    for key in all_keys(levels):
        if None not in key:
            found[key] = finest.get(key, Parts())
            continue
        i = key.index(None)
        total = Parts()
        for value in levels[i]:
            total = total + found[key[:i] + (value,) + key[i + 1:]]
        found[key] = total
    return found


class _Builder:
    """Computes and protects the rows of one report, on one connection."""

    def __init__(self, conn, registry, period: Period, centre: str | None, today: date, threshold: int | None):
        self.conn = conn
        self.registry = registry
        self.period = period
        self.centre = centre
        self.today = today
        self.threshold = threshold

    def _parts(self, indicator: Indicator, dims, levels, *, by_category=False, cohort=False) -> dict[tuple, Parts]:
        """Every cell and margin; a ``cohort`` follows the people registered in the period
        through an indicator counted at any time."""
        finest = compute_parts(self.conn, indicator, Period() if cohort else self.period, by=dims, centre=self.centre,
                               today=self.today, by_category=by_category,
                               registered_in=self.period if cohort else None)
        return finest if by_category else _with_margins(finest, levels)

    def _hide(self, parts: dict[tuple, Parts], levels) -> set[tuple]:
        if self.threshold is None:
            return set()
        return protect({key: p.people for key, p in parts.items()}, levels, self.threshold)

    def rows(self, indicator: Indicator, dims, levels) -> list[ReportRow]:
        if not indicator.per_participant:  # a programme-wide figure: the grand total only
            cells = {}
            if not self.centre:
                cells[(None,) * len(dims)] = ReportCell(self._total(indicator), 0)
            return [ReportRow(indicator.key, indicator.label, indicator.unit, indicator.aggregate, None, cells,
                              per_participant=False)]
        if indicator.aggregate == "rate":
            return [self._rate_row(indicator, dims, levels)]
        if indicator.categories:
            return self._category_rows(indicator, dims, levels)
        parts = self._parts(indicator, dims, levels)
        hidden = self._hide(parts, levels)
        return [self._row(indicator, None, parts, hidden)]

    def _total(self, indicator: Indicator):
        """A programme-wide figure (a rate of two of them, or one total)."""
        if indicator.aggregate == "rate":
            return rate_of(self._total(self.registry.get(indicator.numerator)),
                           self._total(self.registry.get(indicator.denominator)))
        parts = compute_parts(self.conn, indicator, self.period, today=self.today).get((), Parts())
        return value_of(indicator, parts)

    def _row(self, indicator: Indicator, category: str | None, parts: dict[tuple, Parts], hidden: set[tuple]):
        cells = {key: ReportCell(value_of(indicator, p), p.people, key in hidden) for key, p in parts.items()}
        return ReportRow(indicator.key, indicator.label, indicator.unit, indicator.aggregate, category, cells)

    def _rate_row(self, indicator: Indicator, dims, levels) -> ReportRow:
        top_indicator = self.registry.get(indicator.numerator)
        bottom_indicator = self.registry.get(indicator.denominator)
        top = self._parts(top_indicator, dims, levels)
        bottom = self._parts(bottom_indicator, dims, levels)
        hidden = self._hide(top, levels) | self._hide(bottom, levels)
        cells = {}
        for key, base in bottom.items():
            part = top.get(key, Parts())
            cells[key] = ReportCell(rate_of(value_of(top_indicator, part), value_of(bottom_indicator, base)),
                                    base.people, key in hidden)
        return ReportRow(indicator.key, indicator.label, indicator.unit or "%", "rate", None, cells)

    def _category_rows(self, indicator: Indicator, dims, levels) -> list[ReportRow]:
        """A row per category and one for all of them, protected together: for counts the
        categories add up to the all-categories row, which is then one more equation."""
        by_category = self._parts(indicator, dims, levels, by_category=True)
        overall = self._parts(indicator, dims, levels)
        categories = tuple(indicator.categories)
        parts: dict[tuple, Parts] = {}
        for category in categories:
            finest = {key[1:]: p for key, p in by_category.items() if key[0] == category}
            for key, p in _with_margins(finest, levels).items():
                parts[(category, *key)] = p
        for key, p in overall.items():
            parts[(None, *key)] = p
        additive = indicator.aggregate in ("count", "sum")  # people may be in several categories
        if self.threshold is None:
            hidden: set[tuple] = set()
        elif additive:
            hidden = protect({key: p.people for key, p in parts.items()}, (categories, *levels), self.threshold)
        else:
            hidden = set()
            for category in (*categories, None):
                mine = {key[1:]: p for key, p in parts.items() if key[0] == category}
                hidden |= {(category, *key) for key in self._hide(mine, levels)}
        rows = []
        for category in (*categories, None):
            mine = {key[1:]: p for key, p in parts.items() if key[0] == category}
            row = self._row(indicator, category, mine, {key[1:] for key in hidden if key[0] == category})
            rows.append(attrs.evolve(row, categorised=True))
        return rows

    def funnel(self, sexes: tuple[str, ...], centres: tuple[str, ...]) -> dict[str, list[ReportRow]]:
        """The people registered in the period, stage by stage, by sex and by centre (one
        query per stage, by both; each breakdown is summed from it and protected alone)."""
        stages = sorted((i for i in self.registry if i.funnel_stage is not None and i.per_participant
                         and i.aggregate in ("people", "count")), key=lambda i: i.funnel_stage)
        funnel: dict[str, list[ReportRow]] = {"sex": [], "centre": []}
        for indicator in stages:
            both = self._parts(indicator, ("sex", "centre"), (sexes, centres), cohort=True)
            for name, position, levels in (("sex", 0, (sexes,)), ("centre", 1, (centres,))):
                parts = {(key[position],): p for key, p in both.items() if key[1 - position] is None}
                hidden = self._hide(parts, levels)  # a stage counts people
                cells = {key: ReportCell(p.people, p.people, key in hidden) for key, p in parts.items()}
                funnel[name].append(ReportRow(indicator.key, indicator.label, "people", "people", None, cells))
        return funnel


def share_of_first(funnel: list[ReportRow], key: tuple) -> list[Decimal | None]:
    """Each stage as a share of the first stage (registered), in one group of the funnel."""
    if not funnel:
        return []
    first = funnel[0].cells.get(key)
    base = first.value if first is not None and not first.hidden else None
    shares = []
    for row in funnel:
        cell = row.cells.get(key)
        shares.append(None if cell is None or cell.hidden or not base else Decimal(cell.value) / Decimal(base))
    return shares
