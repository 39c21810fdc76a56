"""The research export: who may be in it, and how much is said about each of them.

Only people whose consent in force on the export date covers ``research``. Each is
named by a stable pseudonym (the same person, the same pseudonym, export after export;
``participant_files.pseudonym``). What could single someone out when joined with other
knowledge — the quasi-identifiers: sex, age, centre, when they joined, whether, when
and why they left — is generalised, one step at a time over :data:`LEVELS` (dates to the
month, then the quarter, then the year; ages to 5-, 10-, then 20-year bands; centres
merged; exit reasons to "left"), until every combination appears at least ``k`` times
(``k``: the programme's report threshold, ``reports.threshold``). At the first level
where the people in smaller groups are at most :data:`MAX_LEFT_OUT` of the file, those
people are left out; the summary says which level was used and how many were left out,
and why.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Iterable

import attrs
import sqlalchemy as sa

from .domain import age_on
from .i18n import _
from .storage import tables as t

#: The most of the consenting people a level may leave out for being in a group under k.
MAX_LEFT_OUT = 0.05

COLUMNS = ("pseudonym", "sex", "age_band", "centre", "registered", "status", "exit_reason", "exited")


@attrs.frozen
class Level:
    """How coarse each quasi-identifier is at one step."""

    age: int  # width of the age bands in years
    dates: str  # "month", "quarter" or "year"
    centres: bool  # False: every centre merged into "all"
    exit_reasons: bool  # False: a reason is only "left"

    def describe(self) -> str:
        parts = [_("ages in {n}-year bands").format(n=self.age),
                 {"month": _("dates to the month"), "quarter": _("dates to the quarter"),
                  "year": _("dates to the year")}[self.dates],
                 _("centres kept") if self.centres else _("centres merged"),
                 _("exit reasons kept") if self.exit_reasons else _("exit reasons merged into 'left'")]
        return ", ".join(parts)


LEVELS = (
    Level(5, "month", True, True),
    Level(10, "quarter", True, True),
    Level(10, "year", True, False),
    Level(10, "year", False, False),
    Level(20, "year", False, False),
)


@attrs.frozen
class Person:
    """One consenting participant, before generalisation (never written out as such)."""

    pseudonym: str
    sex: str
    birth_date: date
    centre: str
    registered_on: date
    status: str
    exit_reason: str | None
    exited_on: date | None


@attrs.frozen
class ResearchSummary:
    """What the research export did: how many rows, who was left out and why, and how
    coarse the file is."""

    rows: int
    without_consent: int
    left_out: int
    k: int
    level: int
    generalised: str

    def describe(self) -> str:
        return _("{rows} people with research consent in force; {no} without it left out; {small} left out in "
                 "groups smaller than {k}; generalised: {how}").format(
            rows=self.rows, no=self.without_consent, small=self.left_out, k=self.k, how=self.generalised)


def _period(day: date | None, dates: str) -> str | None:
    if day is None:
        return None
    if dates == "month":
        return f"{day.year}-{day.month:02d}"
    if dates == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def _band(age: int, width: int) -> str:
    low = age // width * width
    return f"{low}-{low + width - 1}"


def generalise(person: Person, level: Level, today: date) -> tuple:
    """The row written for ``person`` at ``level`` (in :data:`COLUMNS` order)."""
    reason = person.exit_reason
    if reason is not None and not level.exit_reasons:
        reason = "left"
    return (person.pseudonym, person.sex, _band(age_on(person.birth_date, today), level.age),
            person.centre if level.centres else "all", _period(person.registered_on, level.dates), person.status,
            reason, _period(person.exited_on, level.dates))


def anonymise(people: Iterable[Person], k: int, today: date, without_consent: int = 0) -> tuple[list[tuple], ResearchSummary]:
    """The rows to write and the summary: the first level of :data:`LEVELS` at which every
    combination of quasi-identifiers holds at least ``k`` people once at most
    :data:`MAX_LEFT_OUT` of them (those in smaller groups) are left out; the coarsest
    level, leaving out whoever is still in a small group, when none does."""
    people = list(people)
    k = max(1, int(k))
    chosen = None
    for number, level in enumerate(LEVELS):
        rows = [generalise(p, level, today) for p in people]
        groups = Counter(row[1:] for row in rows)
        kept = [row for row in rows if groups[row[1:]] >= k]
        if len(rows) - len(kept) <= MAX_LEFT_OUT * len(rows) or number == len(LEVELS) - 1:
            chosen = (number, level, kept, len(rows) - len(kept))
            break
    number, level, kept, left_out = chosen
    kept.sort(key=lambda row: row[0])
    return kept, ResearchSummary(len(kept), without_consent, left_out, k, number, level.describe())


def consenting(conn: sa.Connection, today: date, centre_id: int | None = None):
    """A select of the participants (not erased) with the scope of their consent in force
    today; :func:`has_research_consent` tells which cover ``research``."""
    P, C = t.participant, t.consent
    in_force = sa.and_(C.c.participant_id == P.c.id, C.c.given_on <= today,
                       sa.or_(C.c.withdrawn_on.is_(None), C.c.withdrawn_on > today))
    latest = (sa.select(C.c.scope).where(in_force).order_by(C.c.given_on.desc(), C.c.id.desc()).limit(1)
              .scalar_subquery())
    query = (sa.select(P.c.id, P.c.code, P.c.sex, P.c.birth_date, t.centre.c.code.label("centre"),
                       P.c.registered_on, P.c.status, P.c.exit_reason, P.c.exited_on, latest.label("scope"))
             .select_from(P.join(t.centre)).where(P.c.erased_on.is_(None))  # erased: out of research too
             .order_by(P.c.code))
    if centre_id is not None:
        query = query.where(P.c.centre_id == centre_id)
    return query


def has_research_consent(scope: str | None) -> bool:
    return bool(scope) and "research" in scope.split(",")

