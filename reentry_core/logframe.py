"""A donor's results framework (logframe), read from a TOML file.

Outcomes and outputs, each with indicators; an indicator names one of the report's
indicators (``reentry report indicators``) and gives its baseline, a target per period and
its means of verification. The examples shipped in ``reentry_core/frameworks/`` (``eu``,
``bmz``) are the EU's and BMZ's grants, with targets to be edited::

    [framework]
    donor = "EU"
    title = "Economic reintegration of former prisoners"

    [[outcome]]
    code = "OC1"
    title = "Former prisoners run small businesses that last"

      [[outcome.indicator]]
      code = "OC1.1"
      title = "Businesses operating at the 12-month visit"
      indicator = "mentoring.survival_12m"
      baseline = 0
      verification = "Mentoring visit records"
      targets = { "2026" = 60 }

A target's period is a year (``2026``), a half (``2026-H1``), a quarter (``2026-Q3``), a
month (``2026-04``) or two days (``2026-01-01/2026-03-31``). Rates and shares are given in
percent. ``cumulative = true`` counts from the programme's start to the period's end (a
life-of-project target such as "6,000 people reached"); ``sex = "female"`` takes the
women's figure only, and ``share = true`` with it makes it a share of everyone ("about 30%
women"). Numbers are read as decimals, never binary floats.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

import attrs

from .errors import InvalidInput, NotFound
from .i18n import _

LEVELS = ("outcome", "output")
SEXES = ("female", "male")


@attrs.frozen
class Target:
    start: date
    end: date
    value: Decimal
    label: str


@attrs.frozen
class FrameworkIndicator:
    code: str
    title: str
    indicator: str
    baseline: Decimal | None
    targets: tuple[Target, ...]
    verification: str
    cumulative: bool = False
    sex: str | None = None
    share: bool = False

    def target(self, start: date, end: date) -> Target | None:
        return next((t for t in self.targets if (t.start, t.end) == (start, end)), None)


@attrs.frozen
class Result:
    """An outcome or an output and its indicators."""

    level: str
    code: str
    title: str
    indicators: tuple[FrameworkIndicator, ...]


@attrs.frozen
class Framework:
    donor: str
    title: str
    results: tuple[Result, ...]
    source: str = ""

    def indicators(self) -> list[FrameworkIndicator]:
        return [i for result in self.results for i in result.indicators]


def period_of(label: str) -> tuple[date, date]:
    """The first and last day of a period label (``2026``, ``2026-H1``, ``2026-Q3``,
    ``2026-04``, ``2026-01-01/2026-03-31``)."""
    text = str(label).strip()
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return date(year, 1, 1), date(year, 12, 31)
    if m := re.fullmatch(r"(\d{4})-[Hh]([12])", text):
        year, half = int(m[1]), int(m[2])
        return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * quarter - 2
        return date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    if m := re.fullmatch(r"(\d{4})-(\d\d)", text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if m := re.fullmatch(r"(\d{4}-\d\d-\d\d)\s*/\s*(\d{4}-\d\d-\d\d)", text):
        try:
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        except ValueError:
            pass
        else:
            if start <= end:
                return start, end
    raise InvalidInput(_("{label!r} is not a period: use 2026, 2026-H1, 2026-Q3, 2026-04 or "
                         "2026-01-01/2026-03-31").format(label=text))


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before: the previous month, quarter, half or year
    when the period is whole months, else the same number of days."""
    if start.day == 1 and end == date(end.year, end.month, calendar.monthrange(end.year, end.month)[1]):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        index = start.year * 12 + start.month - 1 - months
        first = date(index // 12, index % 12 + 1, 1)
        last = start - timedelta(days=1)
        return first, last
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def shipped() -> list[str]:
    """The names of the example frameworks shipped with reentry (``eu``, ``bmz``)."""
    folder = resources.files("reentry_core") / "frameworks"
    return sorted(entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml"))


def load(source: str | Path) -> Framework:
    """A framework from a TOML file, or a shipped one by name (``eu``, ``bmz``)."""
    path = Path(source)
    if path.suffix.lower() != ".toml" and str(source).lower() in shipped():
        text = (resources.files("reentry_core") / "frameworks" / f"{str(source).lower()}.toml").read_text("utf-8")
        return parse(text, str(source).lower())
    if not path.is_file():
        raise NotFound(_("no framework file {file}; give a .toml file or one of: {shipped}").format(
            file=str(source), shipped=", ".join(shipped())))
    return parse(path.read_text(encoding="utf-8"), path.name)


def _text(table: dict, key: str, where: str, required: bool = True) -> str:
    value = table.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(_("{where}: {key} is missing").format(where=where, key=key))
        return ""
    if not isinstance(value, str):
        raise InvalidInput(_("{where}: {key} must be text").format(where=where, key=key))
    return value.strip()


def _number(value, where: str, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise InvalidInput(_("{where}: {key} must be a number, not {value!r}").format(where=where, key=key,
                                                                                       value=value))
    return Decimal(value)


def parse(text: str, source: str = "") -> Framework:
    """A framework from TOML text; every problem names the file and the place in it."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(_("{file}: not valid TOML ({error})").format(file=source, error=exc)) from None
    head = data.get("framework", {})
    where = f"{source} [framework]"
    donor, title = _text(head, "donor", where), _text(head, "title", where)
    results = []
    codes: set[str] = set()
    for level in LEVELS:
        for n, entry in enumerate(data.get(level, []), 1):
            place = f"{source} {level} {n}"
            code = _text(entry, "code", place)
            indicators = []
            for m, item in enumerate(entry.get("indicator", []), 1):
                spot = f"{source} {code} indicator {m}"
                icode = _text(item, "code", spot)
                if icode in codes:
                    raise InvalidInput(_("{where}: the code {code} is used twice").format(where=spot, code=icode))
                codes.add(icode)
                targets = []
                for label, value in (item.get("targets") or {}).items():
                    start, end = period_of(label)
                    targets.append(Target(start, end, _number(value, spot, f"targets.{label}"), str(label)))
                sex = item.get("sex")
                if sex is not None and sex not in SEXES:
                    raise InvalidInput(_("{where}: sex must be one of {known}").format(where=spot,
                                                                                        known=", ".join(SEXES)))
                if item.get("share") and sex is None:
                    raise InvalidInput(_("{where}: a share names the group it is a share of (sex)").format(
                        where=spot))
                baseline = item.get("baseline")
                indicators.append(FrameworkIndicator(
                    icode, _text(item, "title", spot), _text(item, "indicator", spot),
                    None if baseline is None else _number(baseline, spot, "baseline"), tuple(targets),
                    _text(item, "verification", spot, required=False), bool(item.get("cumulative", False)),
                    sex, bool(item.get("share", False))))
            results.append(Result(level, code, _text(entry, "title", place), tuple(indicators)))
    if not results:
        raise InvalidInput(_("{file}: the framework has no outcome or output").format(file=source))
    return Framework(donor, title, tuple(results), source)
