"""The programme report: every indicator of the loaded plugins, disaggregated by sex, age
band and centre, with small counts protected (``reentry_core.protection``).

Every figure is first computed as a grid by all three dimensions at once, with every
margin (one query per indicator; margins are summed in Python, since every participant is
in exactly one cell). Any breakdown a report prints — ``--by sex``, ``--by centre``, a
``--centre`` slice — is a set of cells of those grids, so the grids are protected once and
every breakdown shows the same cells hidden for the same reasons. A hidden cell leaves
this module without its value: no caller can print it by mistake.

Sections follow the plugins; the funnel follows the people registered in the period from
stage to stage; plugins may add analyses of their own (``report_analyses``), which the
core protects the same way. ``audit`` plays an attacker against everything a report can
publish for a period (``reentry report audit``).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable

import attrs

from ..domain import AGE_BANDS, Sex
from ..errors import InvalidInput, PluginError, param
from ..i18n import _, pgettext
from ..protection import AMOUNT, COUNT, FEW_PEOPLE, SECONDARY, SMALL, Attack, Grid, Relation, all_keys, protect
from ..protection.attacker import too_narrow
from ..protection.grids import with_margins
from ..reporting import DIMENSIONS, Indicator, Parts, Period, compute_parts, rate_of, value_of
from ..words import date_text

DEFAULT_THRESHOLD = 5
#: below 3, "<2" would say "exactly 1"
LOWEST_THRESHOLD = 3
THRESHOLD_SETTING = "reports.threshold"


def section_title(plugin: str) -> str:
    """The heading of a plugin's part of the report: the core's "Participants and
    referrals", a plugin's its name in words (``business_plans`` → "Business plans"), said
    in the reader's language when a catalogue has it in the context ``section``."""
    if plugin == "core":
        return _("Participants and referrals")
    return pgettext("section", plugin.replace("_", " ").capitalize())


@attrs.frozen
class ReportCell:
    """One figure as published: its value, or why it is hidden (then no value)."""

    value: Decimal | int | None
    suppressed: str | None = None  # "small", "few_people" or "secondary"

    @property
    def hidden(self) -> bool:
        return self.suppressed is not None


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
class ChartHint:
    """How the HTML report draws an analysis (the core draws it; a plugin only asks):
    ``kind`` ``columns`` (bars per line, one per count column; the total line left out),
    ``rate`` (a bar per line for its last column, a rate, with the first count as n) or
    ``running`` (a running total per column, month by month, its first line the budgets;
    analyses with the same ``key`` share one chart, each a series named ``series``)."""

    key: str
    kind: str
    title: str
    series: str = ""
    axis: str = ""


@attrs.frozen
class Analysis:
    """A plugin's own table as published (e.g. "does the plan score predict survival?"):
    each row a label and protected cells; ``formats`` says how each column is shown
    (``text``, ``count`` or ``rate``)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""
    formats: tuple[str, ...] = ()
    #: a name of at most 31 characters for a workbook's sheet (default: the title, cut)
    short_title: str = ""
    #: how the HTML report charts it (None: a table only)
    chart: ChartHint | None = None


@attrs.frozen
class AnalysisTable:
    """What a plugin answers to ``report_analyses``: people it counted by dimensions of its
    own and, last, by centre (a :class:`~reentry_core.protection.Grid`, see
    :func:`count_grid`). The core protects the grid like an indicator, then calls
    ``render(cells, centre)`` for the published table: ``cells(key)`` is each protected
    :class:`ReportCell`, ``cells.text(cell)`` a count as the report prints it; ``centre``
    is the report's ``--centre`` (``None``: all)."""

    key: str
    grid: Grid
    render: Callable[["PublishedCells", str | None], Analysis]


@attrs.frozen
class ReportScope:
    """What a plugin answers to ``report_scope`` (a report for one donor's or one round's
    grants): the participants under them (a select of participant ids), the donor's and
    round's names as the plugin stores them, and a note saying what was included."""

    participants: Any
    donor: str | None = None
    round: str | None = None
    note: str = ""


#: How a hidden cell is shown, by why it is hidden (``<N`` uses the threshold).
MARKS = {SMALL: "<{n}", FEW_PEOPLE: "c", SECONDARY: "x"}


def hidden_mark(reason: str, threshold: int | None) -> str:
    return MARKS[reason].format(n=threshold)


class PublishedCells:
    """A grid's cells as the report publishes them (what ``AnalysisTable.render`` gets)."""

    def __init__(self, lookup: Callable[[tuple], ReportCell], threshold: int | None):
        self._lookup = lookup
        self.threshold = threshold

    def __call__(self, key: tuple) -> ReportCell:
        return self._lookup(key)

    def text(self, cell: ReportCell) -> str:
        """A count as printed: its number, or the mark of why it is hidden."""
        return hidden_mark(cell.suppressed, self.threshold) if cell.hidden else str(cell.value)


def count_grid(name: str, levels: Iterable[Iterable], counts: dict[tuple, Any],
               dimensions: Iterable[str] = (), *, units: Iterable[tuple[tuple, Any]] | None = None,
               amounts: bool = False) -> Grid:
    """A grid of people counted by ``levels`` (finest cells in ``counts``), with margins;
    ``dimensions`` names them for the audit (the last is ``centre``).

    For a grid of things (due visits) or of money (``amounts``: Decimal values, protected
    as amounts), ``units`` gives ``(finest key, participant id)`` for each thing counted,
    so that the small-count rule looks at the people behind every cell, margins included
    (a person with things in several cells is one person in their margin)."""
    levels = tuple(tuple(level) for level in levels)
    values = with_margins(counts, levels, Decimal(0) if amounts else 0)
    if units is None:
        people = dict(values)
    else:
        finest_members: dict[tuple, set] = {}
        for finest, person in units:
            finest_members.setdefault(finest, set()).add(person)
        members: dict[tuple, set] = {key: set() for key in values}
        masks = list(itertools.product((False, True), repeat=len(levels)))
        for finest, found in finest_members.items():  # each finest cell's people into every margin above it
            for mask in masks:
                members[tuple(None if m else v for v, m in zip(finest, mask))].update(found)
        people = {key: len(found) for key, found in members.items()}
    return Grid(name, levels, values, people, AMOUNT if amounts else COUNT, dimensions=tuple(dimensions))


def share(part: ReportCell, whole: ReportCell) -> ReportCell:
    """``part / whole`` as published: hidden when either is (``c`` when either is about few
    people, ``x`` when hidden only to protect other cells), none when ``whole`` is 0."""
    if part.hidden or whole.hidden:
        reason = SECONDARY if {part.suppressed, whole.suppressed} <= {SECONDARY, None} else FEW_PEOPLE
        return ReportCell(None, reason)
    return ReportCell(rate_of(part.value, whole.value))


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
    #: the first day the programme has data for (a registration), stated when the period
    #: has no start; ``None``: no data at all
    first_day: date | None = None
    #: breakdowns the charts draw, whatever ``by`` is: name → rows (e.g. "survival_by_centre"),
    #: cut from the same protected grids as every table
    charts: dict[str, list[ReportRow]] = attrs.field(factory=dict)
    #: every indicator's (label, definition), by key: what each figure means
    definitions: dict[str, tuple[str, str]] = attrs.field(factory=dict)
    #: what the report was limited to, beyond the period ("Grants" → the note of a
    #: ``--donor`` or ``--round`` filter), as (label, text)
    notes: tuple[tuple[str, str], ...] = ()

    def period_text(self) -> str:
        """The period in words, always with both ends: an open start is the first day of
        data ("from the start, 2025-01-15"), an open end the day the report was made."""
        end = date_text(self.period.end or self.made_on)
        if self.period.start is not None:
            return f"{date_text(self.period.start)} – {end}"
        if self.first_day is not None:
            return _("{start} (the first registration) – {end}").format(start=date_text(self.first_day), end=end)
        return _("from the start – {end}").format(end=end)

    def rows(self) -> list[ReportRow]:
        return [row for section in self.sections for row in section.rows]


@attrs.frozen
class AuditFinding:
    """One hidden cell as an attacker sees it: what can be worked out, and whether that
    gives it away. The true value is not part of it."""

    table: str
    label: str
    group: dict[str, str | None]
    suppressed: str
    low: float
    high: float
    exposed: bool


@attrs.frozen
class DisclosureAudit:
    period: Period
    threshold: int
    made_on: date
    tables: int
    cells: int
    findings: list[AuditFinding]

    @property
    def exposed(self) -> list[AuditFinding]:
        return [finding for finding in self.findings if finding.exposed]


def parse_by(by: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"sex,centre"`` → ``("sex", "centre")``, each a known dimension, none twice."""
    if by is None:
        return ()
    names = [b.strip().lower().replace("-", "_") for b in (by.split(",") if isinstance(by, str) else by) if b.strip()]
    for name in names:
        if name not in DIMENSIONS:
            raise InvalidInput(_("{by}: {name!r} is not one of {known}").format(
                by=param("by"), name=name, known=", ".join(DIMENSIONS)))
    if len(set(names)) != len(names):
        raise InvalidInput(_("{by} names a dimension twice").format(by=param("by")))
    return tuple(names)


class ReportService:
    def __init__(self, ctx):
        self.ctx = ctx

    # --- the threshold ---------------------------------------------------------------------
    def threshold(self) -> int:
        """The programme's small-count threshold (5 until an admin changes it)."""
        from .settings import read_setting

        with self.ctx.reading() as conn:
            return int(read_setting(conn, THRESHOLD_SETTING, DEFAULT_THRESHOLD))

    def set_threshold(self, value: int | str) -> int:
        """Change the programme's threshold (admins only, audited); every report after this
        hides counts below it."""
        from .settings import read_setting, write_setting

        try:
            value = int(str(value).strip())
        except ValueError:
            raise InvalidInput(_("the small-count threshold must be a whole number, not {value!r}").format(
                value=value)) from None
        if not LOWEST_THRESHOLD <= value <= 100:
            raise InvalidInput(_("the small-count threshold must be between {low} and 100 (below {low}, \"<2\" "
                                 "would say \"exactly 1\")").format(low=LOWEST_THRESHOLD))
        with self.ctx.transaction() as tx:
            tx.require("reports.threshold")
            before = int(read_setting(tx.conn, THRESHOLD_SETTING, DEFAULT_THRESHOLD))
            if value != before:
                write_setting(tx.conn, THRESHOLD_SETTING, value)
                tx.audit("report.threshold", "setting", THRESHOLD_SETTING, before={"threshold": before},
                         after={"threshold": value})
        return value

    def _threshold(self, asked: int | None) -> int:
        """The threshold a report uses: the programme's, or a higher one asked for."""
        programme = self.threshold()
        if asked is None:
            return programme
        if int(asked) < programme:
            raise InvalidInput(_("a report may raise the small-count threshold ({n}), never lower it; an admin "
                                 "changes it with: reentry report threshold N").format(n=programme))
        return int(asked)

    # --- reports ---------------------------------------------------------------------------
    def indicators(self) -> list[Indicator]:
        """Every indicator the loaded plugins declare, with its definition."""
        self.ctx.require("reports.view")
        return list(self.ctx.programme.indicators)

    def programme(self, *, start: date | str | None = None, end: date | str | None = None,
                  centre: str | None = None, by: str | Iterable[str] | None = None,
                  threshold: int | None = None, suppress: bool = True, donor: str | None = None,
                  round: str | None = None) -> ProgrammeReport:
        """The programme report. ``threshold`` may raise the programme's, never lower it;
        ``suppress=False`` (admins only, audited) shows small counts. ``donor`` / ``round``:
        only the participants and the money under that donor's or that round's grants."""
        self.ctx.require("reports.view")
        report, _builder = self._report(start, end, centre, parse_by(by), threshold, suppress, donor, round)
        return report

    def figures(self, keys: Iterable[str], *, start: date | str | None = None, end: date | str | None = None,
                centre: str | None = None, by: str | Iterable[str] | None = None,
                permission: str = "reports.view", suppress: bool = True, donor: str | None = None,
                round: str | None = None) -> list[ReportRow]:
        """Some indicators, protected exactly as the programme report protects them, for a
        plugin's own command (``mentoring outcomes``); ``permission`` is the plugin's.
        ``suppress=False`` (admins only, audited) shows small counts."""
        self.ctx.require(permission)
        keys = list(keys)
        period, centre_code = self._period_and_centre(start, end, centre)
        dims = parse_by(by)
        threshold = self._threshold(None) if suppress else None
        if not suppress:
            self._record_unsuppressed(period, centre_code, dims, keys)
        registry = self.ctx.programme.indicators
        with self.ctx.reading() as conn:
            period, scope = self._scope(conn, period, donor, round)
            build = _Builder(conn, registry, period, self.ctx.programme.clock.today(), threshold,
                             scope.participants if scope else None)
            build.sections(keys)
            build.protect()
            levels = build.report_levels(dims, centre_code)
            return [row for key in keys for row in build.rows(registry.get(key), dims, levels, centre_code)]

    def audit(self, *, start: date | str | None = None, end: date | str | None = None,
              threshold: int | None = None, donor: str | None = None,
              round: str | None = None) -> DisclosureAudit:
        """Play the attacker: for each hidden cell of everything a report can publish for the
        period (every breakdown, the funnel, the analyses), the narrowest interval that can
        be worked out from the rest, and whether that gives the cell away. ``donor`` /
        ``round``: the reports for one donor's or round's grants."""
        self.ctx.require("reports.view")
        report, build = self._report(start, end, None, DIMENSIONS, threshold, True, donor, round)
        hidden = build.published_hidden()
        attack = Attack(build.grids, build.relations, hidden, report.threshold)
        occupied = [cell for cell in hidden if attack.occupied(cell)]
        intervals = attack.intervals(occupied)
        findings = []
        for cell in occupied:
            grid = build.grids[cell[0]]
            interval = intervals[cell]
            findings.append(AuditFinding(
                table=cell[0], label=build.describe(cell), group=build.group_of(cell), suppressed=hidden[cell],
                low=interval.low, high=interval.high, exposed=too_narrow(grid, grid.value(cell[1]), interval)))
        findings.sort(key=lambda f: (not f.exposed, f.table, f.label, tuple(str(v) for v in f.group.values())))
        return DisclosureAudit(report.period, report.threshold, report.made_on, len(build.grids),
                               sum(len(grid.values) for grid in build.grids.values()), findings)

    def _record_unsuppressed(self, period: Period, centre: str | None, dims, keys=None) -> None:
        """Figures with small counts shown: admins only, recorded before anything is shown."""
        with self.ctx.transaction() as tx:
            tx.require("reports.unsuppressed")
            tx.audit("report.unsuppressed", "report", "programme", after={
                "from": period.start, "to": period.end, "centre": centre, "by": list(dims),
                **({"indicators": list(keys)} if keys is not None else {})})

    def _period_and_centre(self, start, end, centre) -> tuple[Period, str | None]:
        from ..convert import parse_date

        period = Period(parse_date(start) if start else None, parse_date(end) if end else None)
        centre_code = centre.strip().upper() if centre else None
        if centre_code:
            with self.ctx.reading() as conn:
                self.ctx.programme.centre_id(conn, centre_code)  # an unknown centre is named
        return period, centre_code

    def _scope(self, conn, period: Period, donor: str | None, round: str | None):
        """The period naming the donor or round as the plugin stores them, and the plugin's
        :class:`ReportScope` (``None`` without a filter)."""
        donor = donor.strip() if donor and donor.strip() else None
        round = round.strip().upper() if round and round.strip() else None
        if donor is None and round is None:
            return period, None
        scope = self.ctx.programme.pm.relay.report_scope(conn, donor, round)
        if scope is None:
            raise InvalidInput(_("{donor} and {round} need a plugin that keeps grants (microgrants)").format(
                donor=param("donor"), round=param("round")))
        return attrs.evolve(period, donor=scope.donor, round=scope.round), scope

    def _report(self, start, end, centre, dims, threshold, suppress, donor=None,
                round=None) -> tuple[ProgrammeReport, "_Builder"]:
        period, centre_code = self._period_and_centre(start, end, centre)
        limit = self._threshold(threshold) if suppress else None
        if not suppress:
            self._record_unsuppressed(period, centre_code, dims)
        with self.ctx.reading() as conn:  # a report only reads: it never holds up the writers
            period, scope = self._scope(conn, period, donor, round)
            return build_report(conn, self.ctx.programme, period, centre_code, dims, limit, self.ctx.code, scope)


def build_report(conn, programme, period: Period, centre: str | None, dims: tuple[str, ...], threshold: int | None,
                 made_by: str, scope: ReportScope | None = None) -> tuple[ProgrammeReport, "_Builder"]:
    """The report itself, on an open connection (``threshold`` None: nothing hidden;
    ``scope``: only the participants under one donor's or round's grants).
    Services call it through :class:`ReportService`, which checks who may see what."""
    registry = programme.indicators
    today = programme.clock.today()
    build = _Builder(conn, registry, period, today, threshold, scope.participants if scope else None)
    build.sections([indicator.key for indicator in registry])
    build.funnel_grids()
    build.analysis_grids(programme.pm.relay)
    build.protect()
    levels = build.report_levels(dims, centre)
    sections: dict[str, list[ReportRow]] = {}
    for indicator in registry:
        sections.setdefault(indicator.plugin, []).extend(build.rows(indicator, dims, levels, centre))
    report = ProgrammeReport(
        period=period, centre=centre, by=dims, levels=levels, threshold=threshold, made_on=today, made_by=made_by,
        sections=[Section(section_title(plugin), plugin, rows)
                  for plugin, rows in sorted(sections.items(), key=lambda item: _journey_order(registry, item[0]))],
        funnel=build.funnel(centre), analyses=build.analyses(centre), first_day=_first_day(conn),
        charts=build.chart_rows(centre),
        definitions={i.key: (i.label, i.definition + (f" ({registry.get(i.numerator).label} / "
                                                        f"{registry.get(i.denominator).label})"
                                                        if i.aggregate == "rate" else ""))
                     for i in registry},
        notes=((_("Grants"), scope.note),) if scope is not None else (),
    )
    return report, build


def _first_day(conn) -> date | None:
    """The first registration: where a report without ``--from`` starts."""
    import sqlalchemy as sa

    from ..storage import tables as t

    return conn.execute(sa.select(sa.func.min(t.participant.c.registered_on))).scalar()


def _journey_order(registry, plugin: str) -> tuple:
    """Sections follow a participant's journey: the core, then each plugin by the earliest
    funnel stage it declares (training before grants before mentoring), then by name."""
    stages = [i.funnel_stage for i in registry if i.plugin == plugin and i.funnel_stage is not None]
    return (plugin != "core", min(stages) if stages else 10**6, plugin)


def _national_levels(conn) -> tuple[tuple[str, ...], ...]:
    """The values of every dimension, for the whole programme (grids are national)."""
    import sqlalchemy as sa

    from ..storage import tables as t

    centres = tuple(conn.execute(sa.select(t.centre.c.code).order_by(t.centre.c.code)).scalars())
    return tuple(Sex.values()), tuple(label for label, _lowest in AGE_BANDS), centres


def _figure(aggregate: str, parts: Parts):
    """What a grid holds for an indicator's parts: the people, the things counted or the
    amount; a mean is protected through the count of its values."""
    if aggregate == "people":
        return parts.people
    if aggregate == "sum":
        return parts.total if parts.total is not None else Decimal(0)
    return parts.rows


def _describe_group(key: tuple) -> str:
    return " · ".join(str(v) for v in key if v is not None) or _("all")


class _Builder:
    """The grids of one report (true figures), their protection, and the published rows."""

    def __init__(self, conn, registry, period: Period, today: date, threshold: int | None, participants=None):
        self.conn = conn
        self.participants = participants  # a select of the ids a filtered report keeps
        self.registry = registry
        self.period = period
        self.today = today
        self.threshold = threshold
        self.levels = _national_levels(conn)
        self.grids: dict[str, Grid] = {}
        self.parts: dict[tuple, Parts] = {}        # (grid, key) → what the figure is made of
        self.where: dict[str, tuple[str, tuple]] = {}  # indicator → (grid, key prefix)
        self.relations: list[Relation] = []
        self.hidden: dict[tuple, str] = {}
        self.published: dict[tuple, ReportCell] = {}   # every grid cell a row showed, as shown
        self.labels: dict[str, str] = {}           # grid → what it counts, in words
        self.stages: list[tuple[Indicator, str, tuple]] = []
        self.tables: list[Any] = []                # AnalysisTable answers

    # --- grids -----------------------------------------------------------------------------
    def _finest(self, indicator: Indicator, *, by_category: bool = False, cohort: bool = False) -> dict[tuple, Parts]:
        everything = attrs.evolve(self.period, start=None, end=None)  # a filter by donor stays
        return compute_parts(self.conn, indicator, everything if cohort else self.period, by=DIMENSIONS,
                             today=self.today, by_category=by_category,
                             registered_in=self.period if cohort else None, participants=self.participants)

    def _add_grid(self, name: str, levels, parts: dict[tuple, Parts], aggregate: str, label: str,
                  additive: tuple[bool, ...] = (), signed: bool = False, first: str | None = None) -> Grid:
        """``first`` names a dimension before sex, age band and centre (``indicator`` for a
        family's members, ``category``)."""
        grid = Grid(name, tuple(levels), {key: _figure(aggregate, p) for key, p in parts.items()},
                    {key: p.people for key, p in parts.items()}, AMOUNT if aggregate == "sum" else COUNT,
                    additive, signed, ((first,) if first else ()) + DIMENSIONS)
        self.grids[name] = grid
        self.labels[name] = label
        self.parts.update({(name, key): p for key, p in parts.items()})
        self.relations.extend(grid.relations())
        return grid

    def sections(self, keys: Iterable[str]) -> None:
        """The grids of ``keys`` and of everything they are tied to (a rate's parts, a
        family's members, what an indicator stays within)."""
        todo = list(keys)
        done: set[str] = set()
        while todo:
            indicator = self.registry.get(todo.pop())
            if indicator.key in done:
                continue
            done.add(indicator.key)
            if not indicator.per_participant:
                todo.extend(k for k in (indicator.numerator, indicator.denominator) if k)
                continue
            if indicator.aggregate == "rate":
                todo.extend([indicator.numerator, indicator.denominator])
                continue
            head = self.registry.get(self.registry.family(indicator.key))
            todo.extend([*head.parts, head.key, *([indicator.within] if indicator.within else [])])
            if head.key not in self.grids:
                self._indicator_grid(head)
        for key in sorted(done):
            within = self.registry.get(key).within
            if within and key in self.where:
                self._within(key, within)

    def _indicator_grid(self, indicator: Indicator) -> None:
        levels = self.levels
        if indicator.parts:
            members = [self.registry.get(key) for key in indicator.parts]
            parts: dict[tuple, Parts] = {}
            for member in members:
                for key, p in with_margins(self._finest(member), levels, Parts()).items():
                    parts[(member.key, *key)] = p
                self.where[member.key] = (indicator.key, (member.key,))
            for key, p in with_margins(self._finest(indicator), levels, Parts()).items():
                parts[(None, *key)] = p
            grid = self._add_grid(indicator.key, (indicator.parts, *levels), parts, indicator.aggregate,
                                  indicator.label, signed=indicator.signed, first="indicator")
            self._check_family(indicator, grid)
            self.where[indicator.key] = (indicator.key, (None,))
        elif indicator.categories:
            by_category = self._finest(indicator, by_category=True)
            parts = {}
            for category in indicator.categories:
                finest = {key[1:]: p for key, p in by_category.items() if key[0] == category}
                parts.update({(category, *key): p for key, p in with_margins(finest, levels, Parts()).items()})
            parts.update({(None, *key): p for key, p in with_margins(self._finest(indicator), levels,
                                                                       Parts()).items()})
            additive = (indicator.aggregate != "people", True, True, True)  # a person may be in several
            self._add_grid(indicator.key, (indicator.categories, *levels), parts, indicator.aggregate,
                           indicator.label, additive, indicator.signed, "category")
            self.where[indicator.key] = (indicator.key, (None,))
        else:
            self._add_grid(indicator.key, levels, with_margins(self._finest(indicator), levels, Parts()),
                           indicator.aggregate, indicator.label, signed=indicator.signed)
            self.where[indicator.key] = (indicator.key, ())

    def _check_family(self, head: Indicator, grid: Grid) -> None:
        for key in all_keys(self.levels):
            members = sum((grid.value((member, *key)) for member in head.parts), 0)
            if grid.value((None, *key)) != members:
                raise PluginError(_("indicator {key!r} is declared as the sum of {parts}, but for {group} it is "
                                    "{total} and they add up to {sum}").format(
                                        key=head.key, parts=", ".join(head.parts), group=_describe_group(key),
                                        total=grid.value((None, *key)), sum=members))

    def _within(self, key: str, within: str) -> None:
        (mine, my_prefix), (theirs, their_prefix) = self.where[key], self.where[within]
        for cell in all_keys(self.levels):
            relation = Relation.at_most((mine, my_prefix + cell), (theirs, their_prefix + cell))
            if not relation.holds(lambda ref: self.grids[ref[0]].value(ref[1])):
                raise PluginError(_("indicator {key!r} is declared to stay within {within!r}, but for {group} it "
                                    "does not").format(key=key, within=within, group=_describe_group(cell)))
            self.relations.append(relation)

    def funnel_grids(self) -> None:
        """The people registered in the period, stage by stage. A stage with the same
        figures as its section (the registrations themselves) is that section's grid."""
        stages = sorted((i for i in self.registry if i.funnel_stage is not None and i.per_participant
                         and i.aggregate in ("people", "count")), key=lambda i: i.funnel_stage)
        for indicator in stages:
            parts = with_margins(self._finest(indicator, cohort=True), self.levels, Parts())
            grid_name, prefix = self.where.get(indicator.key, (None, ()))
            section = self.grids.get(grid_name)
            if section is not None and all(section.value(prefix + key) == p.people for key, p in parts.items()):
                self.stages.append((indicator, grid_name, prefix))
                continue
            name = f"funnel:{indicator.key}"
            self._add_grid(name, self.levels, parts, "people", _("{label} (people registered in the period)").format(
                label=indicator.label))
            self.stages.append((indicator, name, ()))

    def analysis_grids(self, relay) -> None:
        for table in relay.report_analyses(self.conn, self.period, self.today, self.participants):
            grid = attrs.evolve(table.grid, name=f"analysis:{table.key}")
            self.grids[grid.name] = grid
            self.labels[grid.name] = table.key
            self.relations.extend(grid.relations())
            self.tables.append(attrs.evolve(table, grid=grid))

    def protect(self) -> None:
        """Hide what must be hidden, each group of linked grids on its own."""
        if self.threshold is None:
            return
        relations_of: dict[str, list[Relation]] = {}
        for relation in self.relations:
            relations_of.setdefault(relation.cells[0][0], []).append(relation)
        for names in _linked(self.grids, self.relations):
            grids = {name: self.grids[name] for name in names}
            relations = [r for name in names for r in relations_of.get(name, ())]
            self.hidden.update(protect(grids, relations, self.threshold))

    # --- what is published ---------------------------------------------------------------
    def _cell(self, name: str, key: tuple) -> ReportCell:
        reason = self.hidden.get((name, key))
        cell = ReportCell(None, reason) if reason else ReportCell(self.grids[name].value(key))
        self.published[(name, key)] = cell
        return cell

    def report_levels(self, dims: tuple[str, ...], centre: str | None) -> tuple[tuple[str, ...], ...]:
        return tuple((centre,) if name == "centre" and centre else self.levels[DIMENSIONS.index(name)]
                     for name in dims)

    @staticmethod
    def _grid_key(dims: tuple[str, ...], group: tuple, centre: str | None) -> tuple:
        full: dict[str, Any] = {"sex": None, "age_band": None, "centre": centre}
        for name, value in zip(dims, group):
            if value is not None:
                full[name] = value
        return tuple(full[name] for name in DIMENSIONS)

    def figure(self, indicator: Indicator, grid_key: tuple) -> ReportCell:
        """One indicator's published figure in one group of the grids."""
        if indicator.aggregate == "rate":
            top, bottom = self.registry.get(indicator.numerator), self.registry.get(indicator.denominator)
            return share(self.figure(top, grid_key), self.figure(bottom, grid_key))
        name, prefix = self.where[indicator.key]
        cell = self._cell(name, prefix + grid_key)
        if indicator.aggregate == "mean":
            if cell.hidden:
                return ReportCell(None, FEW_PEOPLE if cell.suppressed != SECONDARY else SECONDARY)
            return ReportCell(value_of(indicator, self.parts[(name, prefix + grid_key)]))
        return cell

    def rows(self, indicator: Indicator, dims, levels, centre: str | None) -> list[ReportRow]:
        groups = all_keys(levels)
        if not indicator.per_participant:  # a programme-wide figure: the grand total only
            cells = {} if centre else {(None,) * len(dims): ReportCell(self._total(indicator))}
            return [ReportRow(indicator.key, indicator.label, indicator.unit, indicator.aggregate, None, cells,
                              per_participant=False)]
        if indicator.categories:
            name, _prefix = self.where[indicator.key]
            return [ReportRow(indicator.key, indicator.label, indicator.unit, indicator.aggregate, category,
                              {group: self._cell(name, (category, *self._grid_key(dims, group, centre)))
                               for group in groups}, categorised=True)
                    for category in (*indicator.categories, None)]
        unit = indicator.unit or ("%" if indicator.aggregate == "rate" else "")
        return [ReportRow(indicator.key, indicator.label, unit, indicator.aggregate, None,
                          {group: self.figure(indicator, self._grid_key(dims, group, centre)) for group in groups})]

    def _total(self, indicator: Indicator):
        """A programme-wide figure (a rate of two of them, or one total)."""
        if indicator.aggregate == "rate":
            return rate_of(self._total(self.registry.get(indicator.numerator)),
                           self._total(self.registry.get(indicator.denominator)))
        parts = compute_parts(self.conn, indicator, self.period, today=self.today).get((), Parts())
        return value_of(indicator, parts)

    #: what the charts draw by centre: (chart, indicators)
    CHART_BY_CENTRE = {"survival_by_centre": ("mentoring.survival_6m", "mentoring.survival_12m",
                                              "mentoring.survival_6m.reached", "mentoring.survival_12m.reached")}

    def chart_rows(self, centre: str | None) -> dict[str, list[ReportRow]]:
        """Rows by centre for the charts, cut from the same protected grids (indicators a
        loaded plugin does not declare are left out)."""
        known = {indicator.key for indicator in self.registry}
        found = {}
        for chart, keys in self.CHART_BY_CENTRE.items():
            dims = ("centre",)
            levels = self.report_levels(dims, centre)
            rows = [row for key in keys if key in known
                    for row in self.rows(self.registry.get(key), dims, levels, centre)]
            if rows:
                found[chart] = rows
        return found

    def funnel(self, centre: str | None) -> dict[str, list[ReportRow]]:
        """The funnel by sex and by centre: people at each stage."""
        funnel: dict[str, list[ReportRow]] = {"sex": [], "centre": []}
        for name in funnel:
            dims = (name,)
            levels = self.report_levels(dims, centre)
            for indicator, grid, prefix in self.stages:
                cells = {group: self._cell(grid, prefix + self._grid_key(dims, group, centre))
                         for group in all_keys(levels)}
                funnel[name].append(ReportRow(indicator.key, indicator.label, "people", "people", None, cells))
        return funnel

    def analyses(self, centre: str | None) -> list[Analysis]:
        found = []
        for table in self.tables:
            name = table.grid.name
            cells = PublishedCells(lambda key, _name=name: self._cell(_name, key), self.threshold)
            analysis = table.render(cells, centre)
            self.labels[name] = analysis.title
            found.append(analysis)
        return found

    # --- for the audit -----------------------------------------------------------------------
    def published_hidden(self) -> dict[tuple, str]:
        """What the rows published as hidden, read back from them: a cell shown with its
        value counts as known to the attacker (and must be its true value); a grid cell no
        row shows keeps the protection's decision."""
        hidden = dict(self.hidden)
        for cell, shown in self.published.items():
            if shown.hidden:
                hidden[cell] = shown.suppressed
            else:
                hidden.pop(cell, None)
                if shown.value != self.grids[cell[0]].value(cell[1]):
                    raise RuntimeError(f"cell {cell} was published as {shown.value}, which is not its figure")
        return hidden

    def describe(self, cell: tuple) -> str:
        """What a cell counts, in words: the indicator (a family's member, a category)."""
        name, key = cell
        grid = self.grids[name]
        label = self.labels.get(name, name)
        first = grid.dimensions[0]
        if first == "indicator":
            return self.registry.get(key[0]).label if key[0] is not None else label
        if first == "category":
            return "{}: {}".format(label, key[0] if key[0] is not None else _("all"))
        return label

    def group_of(self, cell: tuple) -> dict[str, str | None]:
        """Which group a cell is about, by dimension (``None``: all of them)."""
        name, key = cell
        return {dim: value for dim, value in zip(self.grids[name].dimensions, key)
                if dim not in ("indicator", "category")}


def _linked(grids: dict[str, Grid], relations: list[Relation]) -> list[list[str]]:
    """Grid names grouped by the relations between grids (``within``)."""
    parent = {name: name for name in grids}

    def find(name):
        while parent[name] != name:
            name = parent[name]
        return name

    for relation in relations:
        names = {cell[0] for cell in relation.cells}
        if len(names) > 1:
            first, *others = sorted(names)
            for other in others:
                parent[find(other)] = find(first)
    groups: dict[str, list[str]] = {}
    for name in grids:
        groups.setdefault(find(name), []).append(name)
    return list(groups.values())


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
