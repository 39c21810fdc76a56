"""Business training and plans: the entities and the rules that need no database.

Cohorts with their trainers and sessions, attendance, plans with their money figures,
rubrics and score sheets. Nothing here does I/O; :mod:`.aggregation` holds the
arithmetic of panels, rankings and agreement.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any, Mapping

import attrs

from reentry_core.sdk import (
    _, as_choice, as_money, Choice, InvalidInput, normalise_code, normalise_optional_text,
    normalise_text, parse_decimal, valid_text,
)
from reentry_core.sdk import date_text

CENT = Decimal("0.01")
DEFAULT_CURRENCY = "TJS"
DEFAULT_COMPLETION = 80  # percent of held sessions attended
DEFAULT_MIN_SHEETS = 2
DEFAULT_SPREAD = Decimal("20")  # points on 0–100 between the highest and lowest sheet
DEFAULT_RUBRIC = "default"


class SessionTopic(Choice):
    BUSINESS_PLANNING = "business_planning"
    MARKETING = "marketing"
    BOOKKEEPING = "bookkeeping"
    PERSONAL_DEVELOPMENT = "personal_development"
    CIVIC_EDUCATION = "civic_education"
    LEGAL_LITERACY = "legal_literacy"
    OTHER = "other"

    #: other spellings people type (lower-cased) for a value
    __aliases__ = {
        "business_plan": "business_planning", "accounting": "bookkeeping", "civics": "civic_education",
    }


class AttendanceMark(Choice):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"

    #: other spellings people type (lower-cased) for a value
    __aliases__ = {
        "p": "present", "a": "absent", "e": "excused", "+": "present", "-": "absent", "yes": "present",
        "no": "absent",
    }


class PlanSector(Choice):
    SEWING = "sewing"
    CAR_REPAIR = "car_repair"
    COOKING = "cooking"
    CONFECTIONERY = "confectionery"
    CARPENTRY = "carpentry"
    WELDING = "welding"
    HAIRDRESSING = "hairdressing"
    AGRICULTURE = "agriculture"
    TRADE = "trade"
    SERVICES = "services"
    OTHER = "other"

    #: other spellings people type (lower-cased) for a value
    __aliases__ = {
        "bakery": "cooking", "cooking_bakery": "cooking", "tailoring": "sewing", "car_repairs": "car_repair",
        "auto_repair": "car_repair", "hairdresser": "hairdressing", "farming": "agriculture", "shop": "trade",
    }


class PlanStatus(Choice):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCORED = "scored"
    SHORTLISTED = "shortlisted"
    NEEDS_REVISION = "needs_revision"
    NOT_SELECTED = "not_selected"


class ConflictKind(Choice):
    RELATIVE = "relative"
    NEIGHBOUR = "neighbour"
    FORMER_CELLMATE = "former_cellmate"
    BUSINESS_PARTNER = "business_partner"
    FRIEND = "friend"
    OTHER = "other"

    #: other spellings people type (lower-cased) for a value
    __aliases__ = {
        "neighbor": "neighbour", "cellmate": "former_cellmate", "family": "relative", "partner": "business_partner",
    }


#: Where a plan may go from each status. ``resubmit`` makes a new version instead.
PLAN_TRANSITIONS: dict[PlanStatus, frozenset[PlanStatus]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.SUBMITTED}),
    PlanStatus.SUBMITTED: frozenset({PlanStatus.SCORED, PlanStatus.NEEDS_REVISION}),
    PlanStatus.SCORED: frozenset({PlanStatus.SHORTLISTED, PlanStatus.NOT_SELECTED, PlanStatus.NEEDS_REVISION}),
    PlanStatus.SHORTLISTED: frozenset(),
    PlanStatus.NEEDS_REVISION: frozenset(),
    PlanStatus.NOT_SELECTED: frozenset(),
}
#: A plan in one of these may be resubmitted as a new version.
RESUBMITTABLE = frozenset({PlanStatus.SUBMITTED, PlanStatus.SCORED, PlanStatus.NEEDS_REVISION})
#: A plan in one of these is in front of the panel: it may be scored.
SCORABLE = frozenset({PlanStatus.SUBMITTED, PlanStatus.SCORED})

_COHORT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


# --- converters that name the field ------------------------------------------------------


def _named(parse):
    """An attrs converter running ``parse`` and putting the field's name before its complaint."""

    def convert(value, field: attrs.Attribute):
        try:
            return parse(value)
        except InvalidInput as exc:
            raise InvalidInput(f"{field.name}: {exc.message}") from None

    return attrs.Converter(convert, takes_field=True)


def parse_quantity(value: Any) -> Decimal:
    """A quantity of an item: above zero, at most three decimals (2.5 m of cloth)."""
    number = parse_decimal(value)
    if number <= 0:
        raise InvalidInput(_("{value} must be more than zero").format(value=str(value).strip()))
    if number != number.quantize(Decimal("0.001")):
        raise InvalidInput(_("{value} has more than three decimals").format(value=str(value).strip()))
    return number.to_integral_value() if number == number.to_integral_value() else number.normalize()


def parse_points(value: Any) -> Decimal:
    """Points on the 0–100 scale, to the hundredth (a spread limit, a minimum score)."""
    number = parse_decimal(value)
    if number != number.quantize(CENT):
        raise InvalidInput(_("{value} has more than two decimals").format(value=str(value).strip()))
    return number


def parse_weight(value: Any) -> Decimal:
    """A criterion's weight: a number above zero with at most three decimals."""
    if isinstance(value, bool) or value is None:
        raise InvalidInput(_("{value!r} is not a number").format(value=value))
    return parse_quantity(value)


def parse_whole(value: Any) -> int:
    """A whole number from an option, a cell or TOML (``4``, ``"4"``, ``4.0``)."""
    if isinstance(value, bool):
        raise InvalidInput(_("{value!r} is not a whole number").format(value=value))
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)  # the common case of a typed cell, "4"
    try:
        number = parse_decimal(value)
    except InvalidInput:
        raise InvalidInput(_("{value!r} is not a whole number").format(value=str(value).strip())) from None
    if number != number.to_integral_value():
        raise InvalidInput(_("{value!r} is not a whole number").format(value=str(value).strip()))
    return int(number)


def _currency(value) -> str:
    text = str(value or DEFAULT_CURRENCY).strip().upper()
    if not _CURRENCY.match(text):
        raise InvalidInput(_("{value!r} is not a currency code like TJS").format(value=str(value)))
    return text


def valid_cohort_code(instance, attribute, value: str) -> None:
    if not _COHORT_CODE.match(value):
        raise InvalidInput(_("cohort code {value!r} must be 2 to 20 Latin capitals, digits or '-', e.g. DSH-26A")
                           .format(value=value))


def valid_key(instance, attribute, value: str) -> None:
    if not _KEY.match(value):
        raise InvalidInput(_("{field} {value!r} must be lower-case Latin letters, digits and '_', starting with "
                             "a letter, e.g. market_understanding").format(field=attribute.name, value=value))


def _between(low, high):
    def check(instance, attribute, value) -> None:
        if not low <= value <= high:
            raise InvalidInput(_("{field} must be between {low} and {high}, not {value}").format(
                field=attribute.name, low=low, high=high, value=value))

    return check


# --- training ----------------------------------------------------------------------------


@attrs.frozen
class TrainingSession:
    """One planned session of a cohort. It counts as *held* once attendance is recorded."""

    on: date
    topic: SessionTopic = attrs.field(converter=as_choice(SessionTopic))
    number: int | None = None
    held: bool = False

    @classmethod
    def parse(cls, text: str) -> "TrainingSession":
        """``2026-09-01:business_planning`` (or ``01.09.2026 marketing``)."""
        from reentry_core.sdk import structure

        day, sep, topic = str(text).strip().replace(" ", ":", 1).partition(":")
        if not sep or not topic.strip():
            raise InvalidInput(_("session {text!r}: write DATE:TOPIC, e.g. 2026-09-01:business_planning").format(
                text=str(text)))
        return structure({"on": day, "topic": topic.strip()}, cls, where=_("session {text!r}").format(text=text))


def _trainers(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    codes = []
    for code in value:
        code = normalise_code(code)
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


@attrs.frozen
class Cohort:
    """A business-training group at a centre, its trainers (the first is the lead unless
    ``lead_trainer`` says otherwise), its sessions and its scoring settings."""

    code: str = attrs.field(converter=normalise_code, validator=valid_cohort_code)
    centre: str = attrs.field(converter=normalise_code)
    title: str = attrs.field(converter=normalise_text, validator=valid_text(200))
    start_date: date
    end_date: date
    trainers: tuple[str, ...] = attrs.field(converter=_trainers)
    lead_trainer: str | None = attrs.field(default=None, converter=attrs.converters.optional(normalise_code))
    rubric: str | None = None  # key@version, given by the service
    completion_threshold: int = attrs.field(default=DEFAULT_COMPLETION, converter=_named(parse_whole),
                                            validator=_between(1, 100))
    min_sheets: int = attrs.field(default=DEFAULT_MIN_SHEETS, converter=_named(parse_whole),
                                  validator=_between(1, 20))
    spread_limit: Decimal = attrs.field(default=DEFAULT_SPREAD, converter=_named(parse_points),
                                        validator=_between(0, 100))
    normalise: bool = False
    sessions: tuple[TrainingSession, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not self.trainers:
            raise InvalidInput(_("trainers: a cohort needs at least one trainer"))
        if self.lead_trainer is None:
            object.__setattr__(self, "lead_trainer", self.trainers[0])
        elif self.lead_trainer not in self.trainers:
            raise InvalidInput(_("lead_trainer {code} is not one of the cohort's trainers ({trainers})").format(
                code=self.lead_trainer, trainers=", ".join(self.trainers)))
        if self.end_date < self.start_date:
            raise InvalidInput(_("end_date {end} is before start_date {start}").format(
                end=date_text(self.end_date), start=date_text(self.start_date)))
        for session in self.sessions:
            self.check_session_date(session.on)

    def check_session_date(self, on: date) -> None:
        if not self.start_date <= on <= self.end_date:
            raise InvalidInput(_("session on {on} is outside the cohort's dates ({start} to {end})").format(
                on=date_text(on), start=date_text(self.start_date), end=date_text(self.end_date)))


@attrs.frozen
class Completion:
    """How far one enrolled participant is through a cohort's training."""

    participant: str
    full_name: str
    present: int
    absent: int
    excused: int
    held: int
    threshold: int

    @property
    def rate(self) -> Decimal | None:
        """Share of held sessions attended, in percent (excused counts as not attended)."""
        if not self.held:
            return None
        return (Decimal(self.present) * 100 / self.held).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def completed(self) -> bool:
        return bool(self.held) and self.present * 100 >= self.threshold * self.held


# --- plans ---------------------------------------------------------------------------------


@attrs.frozen
class CostItem:
    """A start-up cost: what, how many, at what unit cost."""

    item: str = attrs.field(converter=normalise_text, validator=valid_text(200))
    quantity: Decimal = attrs.field(converter=_named(parse_quantity))
    unit_cost: Decimal = attrs.field(converter=as_money())

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(CENT, ROUND_HALF_UP)

    @classmethod
    def parse(cls, text: str) -> "CostItem":
        """``"Sewing machine:2:1800"``: item, quantity and unit cost."""
        parts = str(text).rsplit(":", 2)
        if len(parts) != 3:
            raise InvalidInput(_("cost {text!r}: write ITEM:QUANTITY:UNIT_COST, e.g. 'Sewing machine:2:1800'")
                               .format(text=str(text)))
        try:
            return cls(*parts)
        except InvalidInput as exc:
            raise InvalidInput(_("cost {text!r}: {reason}").format(text=str(text), reason=exc.message)) from None


def _costs(value) -> tuple[CostItem, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, CostItem, Mapping)):
        value = [value]
    items = []
    for item in value:
        if isinstance(item, CostItem):
            items.append(item)
        elif isinstance(item, Mapping):
            unknown = set(item) - {"item", "quantity", "unit_cost"}
            if unknown:
                raise InvalidInput(_("costs: unknown field(s) {names}").format(names=", ".join(sorted(unknown))))
            try:
                items.append(CostItem(item.get("item"), item.get("quantity"), item.get("unit_cost")))
            except TypeError:
                raise InvalidInput(_("costs: each item needs item, quantity and unit_cost")) from None
        else:
            items.append(CostItem.parse(item))
    return tuple(items)


def structure_cost(value, _type=None) -> CostItem:
    """The converter's hook for a cost item: a ``CostItem``, a dict, or ``"ITEM:QTY:UNIT_COST"``."""
    return _costs([value])[0]


@attrs.frozen
class Plan:
    """One version of a participant's business plan, with its derived money figures.

    ``code`` and ``version`` are given by the service; ``panel_score`` is the score the
    plan was shortlisted or not selected with (``None`` before that).
    """

    participant: str = attrs.field(converter=normalise_code)
    cohort: str = attrs.field(converter=normalise_code)
    title: str = attrs.field(converter=normalise_text, validator=valid_text(200))
    sector: PlanSector = attrs.field(converter=as_choice(PlanSector))
    costs: tuple[CostItem, ...] = attrs.field(converter=_costs)
    own_contribution: Decimal = attrs.field(converter=as_money(allow_zero=True))
    requested_funding: Decimal = attrs.field(converter=as_money())
    monthly_revenue: Decimal = attrs.field(converter=as_money(allow_zero=True))
    monthly_costs: Decimal = attrs.field(converter=as_money(allow_zero=True))
    summary: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(4000))
    currency: str = attrs.field(default=DEFAULT_CURRENCY, converter=_named(_currency))
    code: str | None = None
    version: int = 1
    status: PlanStatus = attrs.field(default=PlanStatus.DRAFT, converter=as_choice(PlanStatus))
    submitted_on: date | None = None
    scored_on: date | None = None
    decided_on: date | None = None
    panel_score: Decimal | None = None
    note: str | None = None  # why it was returned for revision

    def __attrs_post_init__(self) -> None:
        if not self.costs:
            raise InvalidInput(_("costs: a plan needs at least one start-up cost item"))
        if self.requested_funding > self.total_cost:
            raise InvalidInput(_("requested_funding {requested} {cur} is more than the total cost {total} {cur}")
                               .format(requested=self.requested_funding, total=self.total_cost, cur=self.currency))

    @property
    def total_cost(self) -> Decimal:
        return sum((c.total for c in self.costs), Decimal("0.00"))

    @property
    def funding_gap(self) -> Decimal:
        """What the own contribution and the requested funding leave uncovered (negative: a surplus)."""
        return self.total_cost - self.own_contribution - self.requested_funding

    @property
    def monthly_profit(self) -> Decimal:
        return self.monthly_revenue - self.monthly_costs

    @property
    def payback_months(self) -> int | None:
        """Whole months of forecast profit needed to earn back the total cost; ``None`` if
        the forecast makes no profit."""
        if self.monthly_profit <= 0:
            return None
        return int((self.total_cost / self.monthly_profit).to_integral_value(ROUND_CEILING))

    def figures(self) -> dict[str, Any]:
        return {"total_cost": self.total_cost, "funding_gap": self.funding_gap,
                "monthly_profit": self.monthly_profit, "payback_months": self.payback_months}

    def can_move_to(self, status: PlanStatus) -> bool:
        return status in PLAN_TRANSITIONS[self.status]


#: Fields of a plan a new version (or an edit of a draft) may change.
PLAN_FIELDS = ("title", "sector", "summary", "costs", "own_contribution", "requested_funding", "monthly_revenue",
               "monthly_costs", "currency")


@attrs.frozen
class PlanSummary:
    """What other plugins hear about a plan (``plan_shortlisted``, ``grant_plan``): the
    contract's attributes, nothing else."""

    code: str
    participant: str
    cohort: str
    title: str
    sector: str
    version: int
    panel_score: Decimal | None
    requested_funding: Decimal
    currency: str
    status: str


@attrs.frozen
class Conflict:
    """A trainer's declared tie to a participant; it keeps them from scoring that person's plans."""

    trainer: str = attrs.field(converter=normalise_code)
    participant: str = attrs.field(converter=normalise_code)
    kind: ConflictKind = attrs.field(converter=as_choice(ConflictKind))
    note: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(500))
    declared_on: date | None = None


# --- rubrics and sheets ------------------------------------------------------------------------


@attrs.frozen
class Criterion:
    key: str = attrs.field(converter=lambda v: str(v).strip(), validator=valid_key)
    label: str = attrs.field(converter=normalise_text, validator=valid_text(200))
    weight: Decimal = attrs.field(converter=_named(parse_weight))
    description: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(1000))


def _criteria(value) -> tuple[Criterion, ...]:
    return tuple(value)


@attrs.frozen
class Rubric:
    """Weighted criteria on one whole-number scale (e.g. 1–5). Versioned by ``key``."""

    key: str = attrs.field(converter=lambda v: str(v).strip(), validator=valid_key)
    title: str = attrs.field(converter=normalise_text, validator=valid_text(200))
    scale_min: int = attrs.field(converter=_named(parse_whole))
    scale_max: int = attrs.field(converter=_named(parse_whole))
    criteria: tuple[Criterion, ...] = attrs.field(converter=_criteria)
    version: int | None = None

    def __attrs_post_init__(self) -> None:
        if not self.criteria:
            raise InvalidInput(_("criteria: a rubric needs at least one criterion"))
        if not 0 <= self.scale_min < self.scale_max <= 100:
            raise InvalidInput(_("scale: give a lowest and highest whole number with 0 <= lowest < highest <= 100, "
                                 "not {low}–{high}").format(low=self.scale_min, high=self.scale_max))
        seen = set()
        for criterion in self.criteria:
            if criterion.key in seen:
                raise InvalidInput(_("criteria: the key {key!r} is used twice").format(key=criterion.key))
            seen.add(criterion.key)

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.criteria]

    @property
    def scale(self) -> str:
        return f"{self.scale_min}–{self.scale_max}"

    def check_values(self, values: Mapping[str, Any], where: str = "") -> dict[str, int]:
        """Every criterion given once, each a whole number on the scale; raises one line
        naming every problem."""
        problems = []
        keys = self.keys
        unknown = [k for k in values if k not in keys]
        if unknown:
            problems.append(_("unknown criterion {keys} (the rubric {ref} has {known})").format(
                keys=", ".join(repr(k) for k in unknown), ref=self.ref, known=", ".join(keys)))
        missing = [k for k in keys if values.get(k) in (None, "")]
        if missing:
            problems.append(_("no value for {keys}").format(keys=", ".join(missing)))
        checked: dict[str, int] = {}
        for key in keys:
            raw = values.get(key)
            if raw in (None, ""):
                continue
            try:
                value = parse_whole(raw)
            except InvalidInput as exc:
                problems.append(f"{key}: {exc.message}")
                continue
            if not self.scale_min <= value <= self.scale_max:
                problems.append(_("{key}: {value} is outside the scale {scale}").format(
                    key=key, value=value, scale=self.scale))
                continue
            checked[key] = value
        if problems:
            raise InvalidInput((f"{where}: " if where else "") + "; ".join(problems))
        return checked

    def weighted_total(self, values: Mapping[str, int]) -> Decimal:
        from .aggregation import weighted_total

        return weighted_total([(values[c.key], c.weight) for c in self.criteria], self.scale_min, self.scale_max)


def rubric_from_toml(data: Mapping[str, Any], where: str) -> Rubric:
    """A rubric from a parsed TOML document (see ``rubrics/default.toml``); errors name the file."""
    known = {"key", "title", "scale", "criteria"}
    unknown = set(data) - known
    if unknown:
        raise InvalidInput(_("{file}: unknown field(s) {names}; a rubric has {known}").format(
            file=where, names=", ".join(sorted(unknown)), known=", ".join(sorted(known))))
    scale = data.get("scale")
    if not (isinstance(scale, list) and len(scale) == 2):
        raise InvalidInput(_("{file}: scale: write the lowest and highest value, e.g. scale = [1, 5]").format(file=where))
    raw = data.get("criteria")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(_("{file}: criteria: add at least one [[criteria]] table").format(file=where))
    criteria = []
    for n, item in enumerate(raw, 1):
        if not isinstance(item, Mapping):
            raise InvalidInput(_("{file}: criterion {n} is not a table").format(file=where, n=n))
        extra = set(item) - {"key", "label", "weight", "description"}
        missing = [f for f in ("key", "label", "weight") if f not in item]
        if extra or missing:
            reason = (_("unknown field(s) {names}").format(names=", ".join(sorted(extra))) if extra
                      else _("missing {names}").format(names=", ".join(missing)))
            raise InvalidInput(_("{file}: criterion {n}: {reason}").format(file=where, n=n, reason=reason))
        try:
            criteria.append(Criterion(item["key"], item["label"], item["weight"], item.get("description")))
        except InvalidInput as exc:
            name = item.get("key") if isinstance(item.get("key"), str) else n
            raise InvalidInput(_("{file}: criterion {name}: {reason}").format(
                file=where, name=name, reason=exc.message)) from None
    for field in ("key", "title"):
        if not isinstance(data.get(field), str):
            raise InvalidInput(_("{file}: {field}: missing or not text").format(file=where, field=field))
    try:
        return Rubric(data["key"], data["title"], scale[0], scale[1], criteria)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.message}") from None


def parse_rubric_ref(text: str) -> tuple[str, int | None]:
    """``default`` (its newest version) or ``default@2``."""
    key, sep, version = str(text).strip().partition("@")
    if sep:
        try:
            return key, parse_whole(version)
        except InvalidInput:
            raise InvalidInput(_("rubric {text!r}: write KEY or KEY@VERSION, e.g. default@2").format(text=text)) from None
    return key, None


@attrs.frozen
class ScoreSheet:
    """One trainer's scores of one plan version: a value and an optional comment per
    criterion, an overall comment, and the weighted total on 0–100."""

    plan: str
    version: int
    trainer: str
    rubric: str
    values: dict[str, int]
    total: Decimal
    comments: dict[str, str] = attrs.field(factory=dict)
    comment: str | None = None
    scored_on: date | None = None


# --- calibration rounds ------------------------------------------------------------------------

DEFAULT_BAND = Decimal("1")  # rubric points a trainer's mean may lie from the panel on a criterion


def parse_band(value: Any) -> Decimal:
    """A calibration band: rubric points above zero, to the hundredth (``1``, ``0.75``)."""
    number = parse_points(value)
    if number <= 0:
        raise InvalidInput(_("band: {value} must be more than zero (rubric points per criterion)").format(
            value=str(value).strip()))
    return number


def calibration_label(position: int) -> str:
    """The round-local name of a calibration plan: C1, C2, … (never its code)."""
    return f"C{position}"


@attrs.frozen
class CalibrationRound:
    """Earlier plans the panel of ``cohort`` scores to calibrate before it scores its own:
    ``plans`` are round-local labels (C1, C2, …), ``band`` the rubric points a trainer's
    mean deviation on a criterion may reach before it is flagged."""

    code: str
    cohort: str
    band: Decimal
    rubric: str
    plans: tuple[str, ...]
    trainers: tuple[str, ...]
    created_by: str
    created_on: date


@attrs.frozen
class CalibrationPlan:
    """A calibration plan as the panel sees it: what the business is and its figures, with
    no participant, no plan code and no earlier scores."""

    label: str
    title: str
    sector: str
    summary: str | None
    costs: tuple[CostItem, ...]
    total_cost: Decimal
    own_contribution: Decimal
    requested_funding: Decimal
    monthly_revenue: Decimal
    monthly_costs: Decimal
    currency: str
