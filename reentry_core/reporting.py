"""Report indicators: declared by the core and by every plugin, computed here.

A plugin does not compute its own figures. It declares an indicator whose ``query``
returns *unit records*, a SQLAlchemy ``select`` with one row per thing counted:

* a ``participant_id`` column (the participant the row is about), and
* for sums and means, a ``value`` column (a :class:`~reentry_core.storage.types.Money`
  column keeps money exact).

The report joins those rows to the participant and groups them by sex, age band and
centre, so every plugin's figures are disaggregated the same way, and small counts can
be protected in one place. A rate names two other indicators, its numerator and its
denominator. An indicator that is not about participants (a round's budget, say) sets
``per_participant=False``: its rows have only ``value`` and it is given as a total.

    @hookimpl
    def register_indicators(register):
        register("plans.submitted", "Plans submitted", "Business plans submitted in the period",
                 lambda period: sa.select(plan.c.participant_id).where(period.covers(plan.c.submitted_on)),
                 aggregate="count", unit="plans")
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable

import attrs
import sqlalchemy as sa

from .domain import AGE_BANDS, years_before
from .errors import InvalidInput, PluginError
from .i18n import _
from .storage import tables as t
from .words import date_text

#: count: rows; people: distinct participants; sum / mean: of ``value``; rate: numerator / denominator.
AGGREGATES = ("count", "people", "sum", "mean", "rate")
#: What a report can be broken down by.
DIMENSIONS = ("sex", "age_band", "centre")


@attrs.frozen
class Period:
    """The dates a report covers, both ends inclusive; an open end is unbounded."""

    start: date | None = None
    end: date | None = None
    #: only the grants of this donor / this grant round (``--donor``, ``--round``): a plugin's
    #: money and grant figures read these; the participants are kept by the report's scope
    donor: str | None = None
    round: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InvalidInput(_("the period starts ({start}) after it ends ({end})").format(
                start=date_text(self.start), end=date_text(self.end)))

    def covers(self, column) -> sa.ColumnElement[bool]:
        """``column`` (a date) lies in the period."""
        terms = []
        if self.start is not None:
            terms.append(column >= self.start)
        if self.end is not None:
            terms.append(column <= self.end)
        return sa.and_(sa.true(), *terms)

    def until(self, today: date) -> date:
        """The last day of the period, or today for an open end (ages are taken then)."""
        return self.end if self.end is not None and self.end < today else today


@attrs.frozen
class Indicator:
    key: str
    label: str
    definition: str
    query: Callable[[Period], Any] | None
    aggregate: str = "count"
    unit: str = ""
    numerator: str | None = None
    denominator: str | None = None
    per_participant: bool = True
    plugin: str = "core"
    #: the values of the ``category`` column the query returns: one report row each
    categories: tuple[str, ...] = ()
    #: its place in the programme funnel (registered → … → operating at 12 months)
    funnel_stage: int | None = None
    #: the indicators that add up to this one in every group (a family: "reaching the
    #: 6-month visit" = operating + not operating + unknown); protected together
    parts: tuple[str, ...] = ()
    #: an indicator this one never exceeds in any group ("referrals opened from risks"
    #: within "risk flags raised"); an attacker knows it too
    within: str | None = None
    #: a sum that can be negative (profit); amounts are otherwise at least 0
    signed: bool = False


@attrs.frozen
class Figure:
    """One cell of a report: the value, and the number of people behind it (what the
    small-count protection looks at). A rate also carries its two parts."""

    value: Decimal | int | None
    people: int
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None


class IndicatorRegistry:
    """Every indicator of the loaded plugins, in the order they were declared."""

    def __init__(self) -> None:
        self._indicators: dict[str, Indicator] = {}

    def register(self, key: str, label: str, definition: str, query: Callable[[Period], Any] | None = None, *,
                 aggregate: str = "count", unit: str = "", numerator: str | None = None,
                 denominator: str | None = None, per_participant: bool = True, plugin: str = "core",
                 categories: Iterable[str] = (), funnel_stage: int | None = None, parts: Iterable[str] = (),
                 within: str | None = None, signed: bool = False) -> None:
        if key in self._indicators:
            raise PluginError(_("indicator {key!r} is declared twice (by {a} and {b})").format(
                key=key, a=self._indicators[key].plugin, b=plugin))
        if aggregate not in AGGREGATES:
            raise PluginError(_("indicator {key!r}: aggregate {aggregate!r} is not one of {known}").format(
                key=key, aggregate=aggregate, known=", ".join(AGGREGATES)))
        if (aggregate == "rate") != (query is None) or (aggregate == "rate") != bool(numerator and denominator):
            raise PluginError(_("indicator {key!r}: a rate names a numerator and a denominator and has no query; "
                                "any other indicator has a query").format(key=key))
        if categories and (aggregate == "rate" or not per_participant):
            raise PluginError(_("indicator {key!r}: only a per-participant count, sum or mean has categories").format(
                key=key))
        self._indicators[key] = Indicator(key, label, definition, query, aggregate, unit, numerator, denominator,
                                          per_participant, plugin, tuple(categories), funnel_stage, tuple(parts),
                                          within, signed)

    def check(self) -> None:
        """Every rate's parts exist; families and ``within`` name indicators that can be
        protected together (counted per participant the same way, without categories)."""
        families: dict[str, str] = {}
        for indicator in self._indicators.values():
            for part in (indicator.numerator, indicator.denominator):
                if part is not None and part not in self._indicators:
                    raise PluginError(_("indicator {key!r} divides by or into {part!r}, which nobody declared").format(
                        key=indicator.key, part=part))
            for other in (*indicator.parts, *([indicator.within] if indicator.within else [])):
                if other not in self._indicators:
                    raise PluginError(_("indicator {key!r} names {other!r}, which nobody declared").format(
                        key=indicator.key, other=other))
                if not _relatable(indicator, self._indicators[other]):
                    raise PluginError(_("indicator {key!r}: {other!r} must be counted per participant the same way "
                                        "({aggregate}), without categories").format(
                                            key=indicator.key, other=other, aggregate=indicator.aggregate))
            for part in indicator.parts:
                if part in families or self._indicators[part].parts:
                    raise PluginError(_("indicator {part!r} is a part of more than one family ({a}, {b})").format(
                        part=part, a=families.get(part, part), b=indicator.key))
                families[part] = indicator.key
        for part, head in families.items():
            if head in families:
                raise PluginError(_("indicator {key!r} is a part of {head!r} and has parts of its own").format(
                    key=head, head=families[head]))

    def family(self, key: str) -> str:
        """The indicator whose parts ``key`` is one of, or ``key`` itself."""
        for indicator in self._indicators.values():
            if key in indicator.parts:
                return indicator.key
        return key

    def get(self, key: str) -> Indicator:
        try:
            return self._indicators[key]
        except KeyError:
            raise InvalidInput(_("no indicator {key!r}; see: reentry report indicators").format(key=key)) from None

    def __iter__(self):
        return iter(self._indicators.values())

    def __len__(self) -> int:
        return len(self._indicators)


def _relatable(one: Indicator, other: Indicator) -> bool:
    return all(i.per_participant and i.query is not None and not i.categories and i.aggregate in ("count", "people",
                                                                                                   "sum")
               for i in (one, other)) and one.aggregate == other.aggregate


def collect_indicators(pm) -> IndicatorRegistry:
    """Ask every loaded plugin for its indicators, remembering who declared each (the
    core's first, then the plugins' in the order they were loaded)."""
    registry = IndicatorRegistry()
    pm.relay.register_indicators(registry.register)
    registry.check()
    return registry


# --- computing ---------------------------------------------------------------------------


def age_band_column(birth_date, on: date):
    """The age band (as in :data:`reentry_core.domain.AGE_BANDS`) of a birth date column on
    ``on``, in plain SQL: the same on SQLite and PostgreSQL."""
    whens = [(birth_date <= years_before(on, lowest), label) for label, lowest in reversed(AGE_BANDS) if lowest]
    return sa.case(*whens, else_=AGE_BANDS[0][0])


def _dimension_columns(by: Iterable[str], on: date) -> list:
    p, c = t.participant, t.centre
    known = {"sex": p.c.sex, "centre": c.c.code, "age_band": age_band_column(p.c.birth_date, on)}
    columns = []
    for name in by:
        if name not in known:
            raise InvalidInput(_("cannot break a report down by {name!r}; use {known}").format(
                name=name, known=", ".join(DIMENSIONS)))
        columns.append(known[name].label(name))
    return columns


def _as_number(value: Any) -> Decimal | int | None:
    if value is None or isinstance(value, (int, Decimal)):
        return value
    return Decimal(str(value))  # a float from SQLite's AVG or a REAL column: through text, never binary


@attrs.frozen
class Parts:
    """What one group's figure is made of; parts of disjoint groups add up to their margin
    (every participant is in exactly one group of sex, age band and centre)."""

    rows: int = 0                       # unit records (for a mean: those with a value)
    people: int = 0                     # distinct participants
    total: Decimal | int | None = None  # the sum of ``value`` (sums and means)

    def __add__(self, other: "Parts") -> "Parts":
        if self.total is None or other.total is None:
            total = self.total if other.total is None else other.total
        else:
            total = self.total + other.total
        return Parts(self.rows + other.rows, self.people + other.people, total)


def value_of(indicator: Indicator, parts: Parts) -> Decimal | int | None:
    """The figure an indicator shows for its parts (not for rates: see :func:`rate_of`)."""
    if indicator.aggregate == "count":
        return parts.rows
    if indicator.aggregate == "people":
        return parts.people
    if indicator.aggregate == "sum":
        return parts.total if parts.total is not None else 0
    if indicator.aggregate == "mean":
        return Decimal(parts.total) / parts.rows if parts.rows and parts.total is not None else None
    raise ValueError(indicator.aggregate)


def rate_of(top: Decimal | int | None, bottom: Decimal | int | None) -> Decimal | None:
    return Decimal(top or 0) / Decimal(bottom) if bottom else None


def compute_parts(conn: sa.Connection, indicator: Indicator, period: Period, *, by: tuple[str, ...] = (),
                  centre: str | None = None, today: date, by_category: bool = False,
                  registered_in: Period | None = None, participants=None) -> dict[tuple, Parts]:
    """One query: the :class:`Parts` of every group of ``by`` that has rows. With
    ``by_category`` the group starts with the row's ``category``; ``registered_in`` keeps
    only people registered in that period (a cohort, as the funnel follows); ``participants``
    (a select of ids) only those people (a report for one donor's or round's grants)."""
    units = indicator.query(period).subquery("units")
    if not indicator.per_participant:
        if by or centre:
            return {}
        rows, total = conn.execute(sa.select(sa.func.count(), sa.func.sum(units.c.value) if indicator.aggregate
                                             in ("sum", "mean") else sa.null()).select_from(units)).one()
        return {(): Parts(rows, 0, _as_number(total))} if rows else {}
    p, c = t.participant, t.centre
    dims = _dimension_columns(by, period.until(today))
    if by_category:
        dims.insert(0, units.c.category)
    summed = indicator.aggregate in ("sum", "mean")
    query = (sa.select(*dims,
                       sa.func.count(units.c.value) if indicator.aggregate == "mean" else sa.func.count(),
                       sa.func.count(sa.distinct(units.c.participant_id)),
                       sa.func.sum(units.c.value) if summed else sa.null())  # exact for Money columns
             .select_from(units.join(p, p.c.id == units.c.participant_id).join(c, c.c.id == p.c.centre_id)))
    if centre:
        query = query.where(c.c.code == centre.strip().upper())
    if registered_in is not None:
        query = query.where(registered_in.covers(p.c.registered_on))
    if participants is not None:
        query = query.where(p.c.id.in_(participants))
    if dims:
        query = query.group_by(*dims)
    found = {}
    for row in conn.execute(query):
        rows, people, total = row[-3], row[-2], row[-1]
        if rows or people:
            found[tuple(row[:len(dims)])] = Parts(rows, people, _as_number(total))
    return found


def compute(conn: sa.Connection, registry: IndicatorRegistry, key: str, period: Period, *,
            by: tuple[str, ...] = (), centre: str | None = None, today: date) -> dict[tuple, Figure]:
    """The indicator ``key`` for ``period``, one :class:`Figure` per group of ``by``
    (``()`` is the one group of everybody). Groups with no rows are absent.

    ``centre`` keeps only participants of that centre. An indicator that is not per
    participant is only ever given as a total (``by`` and ``centre`` must be empty).
    """
    indicator = registry.get(key)
    if indicator.aggregate == "rate":
        top_indicator, bottom_indicator = registry.get(indicator.numerator), registry.get(indicator.denominator)
        top = compute_parts(conn, top_indicator, period, by=by, centre=centre, today=today)
        bottom = compute_parts(conn, bottom_indicator, period, by=by, centre=centre, today=today)
        figures = {}
        for group, base in bottom.items():
            part = value_of(top_indicator, top.get(group, Parts()))
            whole = value_of(bottom_indicator, base)
            figures[group] = Figure(rate_of(part, whole), base.people, part, whole)
        return figures
    return {group: Figure(value_of(indicator, parts), parts.people)
            for group, parts in compute_parts(conn, indicator, period, by=by, centre=centre, today=today).items()}
