"""Mentoring's entities and the rules that need no database.

Mentor and mentee profiles, the matching score, the follow-up schedule (due visits at
month offsets after the first tranche, each with a window), where a visit falls in that
schedule, and the visit record itself. Nothing here does I/O; the services load rows,
apply these rules and write.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Sequence

import attrs

from reentry_core.sdk import (
    _, as_choice, as_money, Choice, InvalidInput, normalise_code, normalise_name,
    normalise_optional_text, ServiceType, Sex, valid_text,
)

# --- choices ----------------------------------------------------------------------------


class Language(Choice):
    """Languages a mentor and a mentee can talk in (ISO 639 codes)."""

    TG = "tg"  # Tajik
    RU = "ru"  # Russian
    UZ = "uz"  # Uzbek
    EN = "en"  # English
    KY = "ky"  # Kyrgyz
    FA = "fa"  # Persian / Dari

    #: other spellings people type (lower-cased) for a value
    __aliases__ = {
        "tajik": "tg", "tj": "tg", "тоҷикӣ": "tg", "таджикский": "tg", "точики": "tg", "russian": "ru", "rus": "ru",
        "русский": "ru", "русӣ": "ru", "uzbek": "uz", "ӯзбекӣ": "uz", "узбекский": "uz", "english": "en",
        "eng": "en", "английский": "en", "англисӣ": "en", "kyrgyz": "ky", "kg": "ky", "киргизский": "ky",
        "кыргызский": "ky", "persian": "fa", "farsi": "fa", "dari": "fa", "форсӣ": "fa",
    }


class VisitMode(Choice):
    ON_SITE = "on_site"
    PHONE = "phone"
    VIDEO = "video"

    #: other spellings people type (lower-cased) for a value
    __aliases__ = {
        "onsite": "on_site", "site": "on_site", "in_person": "on_site", "visit": "on_site", "call": "phone",
        "telephone": "phone", "video_call": "video",
    }


class BusinessStatus(Choice):
    OPERATING = "operating"
    TEMPORARILY_CLOSED = "temporarily_closed"
    CLOSED = "closed"
    NOT_STARTED = "not_started"

    #: other spellings people type (lower-cased) for a value
    __aliases__ = {
        "open": "operating", "working": "operating", "running": "operating", "paused": "temporarily_closed",
        "closed_temporarily": "temporarily_closed", "temporary_closed": "temporarily_closed",
        "closed_down": "closed", "not_yet_started": "not_started", "notstarted": "not_started",
    }


class RiskFlag(Choice):
    """An alarm a mentor raises at a visit; each may open a referral (see :data:`DEFAULT_RISK_REFERRALS`)."""

    RELAPSE = "relapse"  # relapse or substance use
    POLICE_HARASSMENT = "police_harassment"
    DEBT = "debt"
    FAMILY_CONFLICT = "family_conflict"
    HEALTH = "health"
    HOUSING = "housing"
    OTHER = "other"

    #: other spellings people type (lower-cased) for a value
    __aliases__ = {
        "substance_use": "relapse", "relapse_or_substance_use": "relapse", "drugs": "relapse", "alcohol": "relapse",
        "police": "police_harassment", "harassment": "police_harassment", "debts": "debt",
        "family": "family_conflict", "conflict": "family_conflict",
    }


class ScheduleStatus(Choice):
    PENDING = "pending"  # grant approved; waits for the first tranche
    ACTIVE = "active"
    ENDED = "ended"


class ScheduleSource(Choice):
    TRANCHE = "tranche"  # started by the first tranche (microgrants' hook)
    HAND = "hand"  # started by hand: reentry mentoring schedule PARTICIPANT --from DATE


class EndReason(Choice):
    BUSINESS_CLOSED = "business_closed"
    LEFT_PROGRAMME = "left_programme"
    REPLACED = "replaced"  # a new grant's follow-up took its place
    OTHER = "other"


class Fulfilment(Choice):
    ON_TIME = "on_time"  # the visit fell inside the due visit's window
    LATE = "late"  # after the window, before the next due visit's window opened


class DueState(Choice):
    """Where a due visit stands on a given day."""

    DONE = "done"  # fulfilled on time
    LATE = "late"  # fulfilled late
    UPCOMING = "upcoming"  # its window has not opened
    OPEN = "open"  # its window is open
    OVERDUE = "overdue"  # its window has closed; a visit before the next window opens still counts (late)
    MISSED = "missed"  # no visit, and no visit can count any more
    CANCELLED = "cancelled"  # the follow-up ended before its window opened


class RiskOutcome(Choice):
    """What became of a risk flag: the referral it opened, or why none was opened."""

    OPENED = "opened"
    ALREADY_OPEN = "already_open"  # a referral of that type was still open: no second one
    NO_CONSENT = "no_consent"
    NOT_MAPPED = "not_mapped"  # the settings open no referral for this flag


#: Owed: a due visit in these states appears in ``reentry mentoring due``.
OWED = frozenset({DueState.UPCOMING, DueState.OPEN, DueState.OVERDUE})

# --- dates -------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; a day the month lacks becomes its last day
    (31 January + 1 month = 28 February, or 29 in a leap year)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- settings ----------------------------------------------------------------------------

MAX_OFFSETS = 12
MAX_OFFSET_MONTHS = 60
MAX_WINDOW_DAYS = 60


@attrs.frozen
class RiskReferral:
    """The referral a risk flag opens: the core service type and to whom."""

    service_type: ServiceType = attrs.field(converter=as_choice(ServiceType))
    to_whom: str = attrs.field(converter=normalise_name, validator=valid_text(200))


#: Which referral each risk flag opens, unless the settings say otherwise.
DEFAULT_RISK_REFERRALS: dict[RiskFlag, RiskReferral | None] = {
    RiskFlag.RELAPSE: RiskReferral(ServiceType.DRUG_TREATMENT, "Drug treatment service"),
    RiskFlag.POLICE_HARASSMENT: RiskReferral(ServiceType.LEGAL, "Legal aid"),
    RiskFlag.DEBT: RiskReferral(ServiceType.LEGAL, "Legal aid (debt advice)"),
    RiskFlag.FAMILY_CONFLICT: RiskReferral(ServiceType.PSYCHOLOGICAL, "Psychologist (family counselling)"),
    RiskFlag.HEALTH: RiskReferral(ServiceType.OTHER, "Health service"),
    RiskFlag.HOUSING: RiskReferral(ServiceType.OTHER, "Housing support"),
    RiskFlag.OTHER: RiskReferral(ServiceType.OTHER, "Case worker to choose the service"),
}


def _offsets(value) -> tuple[int, ...]:
    if isinstance(value, str):
        value = [v for v in value.replace(" ", "").split(",") if v]
    try:
        return tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidInput(_("offsets: give whole months separated by commas, e.g. 1,3,6,12")) from None


def _valid_offsets(instance, attribute, value: tuple[int, ...]) -> None:
    if not value:
        raise InvalidInput(_("offsets: give at least one month, e.g. 1,3,6,12"))
    if len(value) > MAX_OFFSETS:
        raise InvalidInput(_("offsets: at most {n} due visits").format(n=MAX_OFFSETS))
    if any(m < 1 or m > MAX_OFFSET_MONTHS for m in value):
        raise InvalidInput(_("offsets: each must be between 1 and {n} months").format(n=MAX_OFFSET_MONTHS))
    if any(b <= a for a, b in zip(value, value[1:])):
        raise InvalidInput(_("offsets: {months} must grow from one to the next").format(
            months=",".join(str(m) for m in value)))


def _whole(value, field: str) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise InvalidInput(_("{field}: {value!r} is not a whole number").format(field=field, value=value)) from None


def _risk_referrals(value) -> dict:
    merged = dict(DEFAULT_RISK_REFERRALS)
    for flag, referral in (value or {}).items():
        if isinstance(referral, dict):
            referral = RiskReferral(**referral)
        merged[RiskFlag.parse(flag)] = referral
    return merged


@attrs.frozen
class Settings:
    """How follow-up works in this programme (``reentry mentoring settings``).

    Due visits fall ``offsets`` months after the first tranche, each with a window of
    ``window_days`` either side. Windows may not overlap, so a visit belongs to at most
    one: twice the window must be shorter than 28 days (the shortest month) times the
    smallest gap between offsets, and the first window must open after the start.
    """

    offsets: tuple[int, ...] = attrs.field(default=(1, 3, 6, 12), converter=_offsets, validator=_valid_offsets)
    window_days: int = attrs.field(default=14, converter=lambda v: _whole(v, "window_days"))
    risk_referrals: dict[RiskFlag, RiskReferral | None] = attrs.field(
        factory=lambda: dict(DEFAULT_RISK_REFERRALS), converter=_risk_referrals)

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.window_days <= MAX_WINDOW_DAYS:
            raise InvalidInput(_("window_days: must be between 0 and {n}").format(n=MAX_WINDOW_DAYS))
        if self.window_days >= 28 * self.offsets[0]:
            raise InvalidInput(_("window_days: a window of ±{w} days would open before the follow-up starts "
                                 "(the first visit is due after {label})").format(
                w=self.window_days, label=month_label(self.offsets[0])))
        gaps = [b - a for a, b in zip(self.offsets, self.offsets[1:])]
        if gaps and 2 * self.window_days >= 28 * min(gaps):
            raise InvalidInput(_(
                "window_days: windows of ±{w} days would overlap with offsets {months}; twice the window must be "
                "shorter than {days} days").format(
                w=self.window_days, months=",".join(str(m) for m in self.offsets), days=28 * min(gaps)))

    def referral_for(self, flag: RiskFlag) -> RiskReferral | None:
        return self.risk_referrals.get(flag)

    def to_plain(self) -> dict:
        return {
            "offsets": list(self.offsets),
            "window_days": self.window_days,
            "risk_referrals": {
                flag.value: (None if ref is None else {"service_type": ref.service_type.value, "to_whom": ref.to_whom})
                for flag, ref in sorted(self.risk_referrals.items())
            },
        }


def parse_risk_referral(text: str) -> tuple[RiskFlag, RiskReferral | None]:
    """``police_harassment=legal:Legal aid centre`` → the flag and its referral;
    ``other=none`` switches a flag's referral off."""
    flag, sep, target = str(text).partition("=")
    if not sep or not flag.strip() or not target.strip():
        raise InvalidInput(_("risk referral {text!r}: write FLAG=SERVICE:TO_WHOM, e.g. "
                             "police_harassment=legal:Legal aid centre, or FLAG=none").format(text=text))
    parsed = RiskFlag.parse(flag)
    if target.strip().lower() == "none":
        return parsed, None
    service, _sep, to_whom = target.partition(":")
    if not to_whom.strip():
        current = DEFAULT_RISK_REFERRALS.get(parsed)
        to_whom = current.to_whom if current else ""
    try:
        return parsed, RiskReferral(service.strip(), to_whom)
    except InvalidInput as exc:
        raise InvalidInput(_("risk referral {text!r}: {reason}").format(text=text, reason=exc.message)) from None


def referral_changes(value) -> list[tuple[RiskFlag, RiskReferral | None]]:
    """Changes to the risk → referral mapping, given as lines (``"debt=legal:Legal aid"``,
    ``"other=none"``) or a mapping flag → :class:`RiskReferral`, ``(service, to_whom)``,
    ``"service:to_whom"`` or ``None`` (no referral)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, dict):
        return [parse_risk_referral(line) for line in value]
    changes = []
    for flag, target in value.items():
        if isinstance(target, (tuple, list)):
            target = ":".join(str(part) for part in target)
        if target is None or isinstance(target, RiskReferral):
            changes.append((RiskFlag.parse(flag), target))
        else:
            changes.append(parse_risk_referral(f"{flag}={target}"))
    return changes


# --- profiles ----------------------------------------------------------------------------

_SECTOR_MAX = 60


def normalise_sector(value: str) -> str:
    """One spelling per business sector: ``Car repair``, ``car-repair`` → ``car_repair``."""
    text = normalise_name(str(value)).casefold()
    key = "_".join(text.replace("-", " ").replace("_", " ").split())
    if not key:
        raise InvalidInput(_("sector is empty"))
    if len(key) > _SECTOR_MAX:
        raise InvalidInput(_("sector {value!r} is longer than {n} characters").format(value=value, n=_SECTOR_MAX))
    if not all(ch.isalnum() or ch == "_" for ch in key) or not any(ch.isalpha() for ch in key):
        raise InvalidInput(_("sector {value!r}: use letters, digits, spaces and hyphens").format(value=value))
    return key


def split_list(value) -> list[str]:
    """``"a, b"`` or ``["a", "b"]`` → ``["a", "b"]``; ``None`` → ``[]``."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _sectors(value) -> frozenset[str]:
    return frozenset(normalise_sector(v) for v in split_list(value))


def _optional_sector(value) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return normalise_sector(value)


def _languages(value) -> frozenset[Language]:
    try:
        return frozenset(Language.parse(v) for v in split_list(value))
    except InvalidInput as exc:
        raise InvalidInput(_("languages: {reason}").format(reason=exc.message)) from None


def _some_language(instance, attribute, value) -> None:
    if not value:
        raise InvalidInput(_("languages: give at least one of {known}").format(known=", ".join(Language.values())))


def _between(low: int, high: int):
    def check(instance, attribute, value) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(_("{field}: {value!r} is not a whole number").format(field=attribute.name, value=value))
        if not low <= value <= high:
            raise InvalidInput(_("{field}: {value} is not between {low} and {high}").format(
                field=attribute.name, value=value, low=low, high=high))

    return check


MAX_CAPACITY = 100


@attrs.frozen
class MentorProfile:
    """A staff member with the mentor role, as a mentor: where, what, which languages, how many."""

    mentor: str = attrs.field(converter=normalise_code)
    centre: str = attrs.field(converter=normalise_code)
    sex: Sex = attrs.field(converter=as_choice(Sex))
    capacity: int = attrs.field(validator=_between(0, MAX_CAPACITY))
    languages: frozenset[Language] = attrs.field(converter=_languages, validator=_some_language)
    sectors: frozenset[str] = attrs.field(factory=frozenset, converter=_sectors)
    full_name: str | None = None  # the staff member's name, filled when read


@attrs.frozen
class MenteeProfile:
    """What matching needs to know about a participant beyond the core record.

    ``same_sex_mentor``: ``True`` the participant asked for a mentor of their own sex,
    ``False`` they said it does not matter, ``None`` nobody asked.
    """

    participant: str = attrs.field(converter=normalise_code)
    languages: frozenset[Language] = attrs.field(factory=frozenset, converter=_languages)
    sector: str | None = attrs.field(default=None, converter=_optional_sector)
    same_sex_mentor: bool | None = None


@attrs.frozen
class Assignment:
    """A mentor following a participant from ``started_on`` until ``ended_on``."""

    participant: str
    mentor: str
    started_on: date
    ended_on: date | None = None
    end_reason: str | None = attrs.field(default=None, converter=normalise_optional_text)
    capacity_override: str | None = attrs.field(default=None, converter=normalise_optional_text)
    id: int | None = None

    @property
    def active(self) -> bool:
        return self.ended_on is None


# --- matching ----------------------------------------------------------------------------

#: The matching score: points for each thing that makes a mentor fit (100 at most).
SCORE_SAME_CENTRE = 30
SCORE_SECTOR = 25
SCORE_LANGUAGE = 20
SCORE_FREE_CAPACITY = 15  # scaled by the share of places still free
SCORE_SAME_SEX = 10  # only when the participant asked for a mentor of their own sex


@attrs.frozen
class Suggestion:
    """One mentor ranked for one participant, with the reasons behind the score."""

    mentor: str
    full_name: str | None
    centre: str
    score: int
    mentees: int
    capacity: int
    reasons: tuple[str, ...]
    current: bool = False  # already this participant's mentor

    @property
    def has_place(self) -> bool:
        return self.mentees < self.capacity


def _sex_word(sex: Sex) -> str:
    return _("a woman") if sex is Sex.FEMALE else _("a man")


def score_mentor(mentor: MentorProfile, mentees: int, participant_centre: str, participant_sex: Sex,
                 mentee: MenteeProfile, current: bool = False) -> Suggestion:
    """How well ``mentor`` (now following ``mentees`` people) fits the participant.

    Same centre +30; the participant's sector among the mentor's +25; a language in
    common +20; free places +15 × free / capacity (rounded half up); when the participant asked
    for a mentor of their own sex, a mentor of that sex +10.
    """
    participant_sex = Sex.parse(participant_sex)
    score = 0
    reasons: list[str] = []
    if current:
        reasons.append(_("already their mentor"))
    if mentor.centre == participant_centre:
        score += SCORE_SAME_CENTRE
        reasons.append(_("same centre {centre} (+{n})").format(centre=mentor.centre, n=SCORE_SAME_CENTRE))
    else:
        reasons.append(_("other centre {centre}").format(centre=mentor.centre))
    if mentee.sector is None:
        reasons.append(_("participant's sector not recorded"))
    elif mentee.sector in mentor.sectors:
        score += SCORE_SECTOR
        reasons.append(_("knows {sector} (+{n})").format(sector=mentee.sector, n=SCORE_SECTOR))
    else:
        reasons.append(_("does not know {sector}").format(sector=mentee.sector))
    if not mentee.languages:
        reasons.append(_("participant's languages not recorded"))
    else:
        common = sorted(mentee.languages & mentor.languages)
        if common:
            score += SCORE_LANGUAGE
            reasons.append(_("speaks {languages} (+{n})").format(
                languages=", ".join(c.label for c in common), n=SCORE_LANGUAGE))
        else:
            reasons.append(_("no common language (mentor speaks {languages})").format(
                languages=", ".join(sorted(lang.label for lang in mentor.languages))))
    free = max(mentor.capacity - mentees, 0)
    if free:
        points = int((Decimal(SCORE_FREE_CAPACITY * free) / mentor.capacity).quantize(Decimal(1), ROUND_HALF_UP))
        score += points
        reasons.append(_("{free} of {capacity} places free (+{n})").format(
            free=free, capacity=mentor.capacity, n=points))
    else:
        reasons.append(_("no free place ({mentees} of {capacity})").format(mentees=mentees, capacity=mentor.capacity))
    if mentee.same_sex_mentor:
        if mentor.sex is participant_sex:
            score += SCORE_SAME_SEX
            reasons.append(_("{sex}, as asked (+{n})").format(sex=_sex_word(mentor.sex), n=SCORE_SAME_SEX))
        else:
            reasons.append(_("{sex}; the participant asked for {wanted}").format(
                sex=_sex_word(mentor.sex), wanted=_sex_word(participant_sex)))
    return Suggestion(mentor.mentor, mentor.full_name, mentor.centre, score, mentees, mentor.capacity,
                      tuple(reasons), current)


def rank(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """Mentors with a free place first, then by score, then the least loaded, then by code."""
    return sorted(suggestions, key=lambda s: (not s.has_place, -s.score, s.mentees, s.mentor))


# --- the follow-up schedule --------------------------------------------------------------


@attrs.frozen
class DueVisit:
    """A visit due ``months`` after the schedule started, counted on time within its window."""

    months: int
    due_on: date
    window_start: date
    window_end: date
    visit_id: int | None = None
    fulfilment: Fulfilment | None = attrs.field(default=None, converter=as_choice(Fulfilment, optional=True))
    id: int | None = None

    @property
    def fulfilled(self) -> bool:
        return self.visit_id is not None

    def label(self) -> str:
        return month_label(self.months)


def month_label(months: int) -> str:
    return _("1 month") if months == 1 else _("{n} months").format(n=months)


def visit_label(months: int) -> str:
    """``3-month visit``: a due visit by its offset."""
    return _("{n}-month visit").format(n=months)


def plan_due_visits(start: date, offsets: Sequence[int], window_days: int) -> tuple[DueVisit, ...]:
    """The due visits of a schedule starting on ``start``."""
    window = timedelta(days=window_days)
    visits = []
    for months in offsets:
        due = add_months(start, months)
        visits.append(DueVisit(months, due, due - window, due + window))
    return tuple(visits)


def due_state(due_visits: Sequence[DueVisit], index: int, today: date, ended_on: date | None = None) -> DueState:
    """Where ``due_visits[index]`` stands on ``today`` in a schedule that ended on ``ended_on`` (if it did).

    A due visit not fulfilled is owed until the next one's window opens (late after its
    own window), then missed. A schedule that ended cancels the due visits whose window
    had not opened by then.
    """
    visit = due_visits[index]
    if visit.fulfilment is Fulfilment.ON_TIME:
        return DueState.DONE
    if visit.fulfilment is Fulfilment.LATE:
        return DueState.LATE
    if ended_on is not None and visit.window_start > ended_on:
        return DueState.CANCELLED
    day = min(today, ended_on) if ended_on is not None else today
    if day < visit.window_start:
        return DueState.UPCOMING
    if day <= visit.window_end:
        return DueState.OPEN if ended_on is None else DueState.MISSED
    following = due_visits[index + 1] if index + 1 < len(due_visits) else None
    if ended_on is None and (following is None or today < following.window_start):
        return DueState.OVERDUE
    return DueState.MISSED


def place_visit(due_visits: Sequence[DueVisit], day: date) -> tuple[int, Fulfilment] | None:
    """Which due visit a visit on ``day`` fulfils, and how; ``None`` for an extra visit.

    * On time: the due visit whose window holds ``day`` and that no visit fulfilled on
      time yet (a late visit gives way to one inside the window).
    * Late: when no window holds ``day``, the due visit whose window closed last before
      ``day``, if nobody fulfilled it and the next window has not opened yet.
    """
    for i, visit in enumerate(due_visits):
        if visit.window_start <= day <= visit.window_end:
            if visit.fulfilment is Fulfilment.ON_TIME:
                return None
            return i, Fulfilment.ON_TIME
    closed = [i for i, visit in enumerate(due_visits) if visit.window_end < day]
    if closed and not due_visits[closed[-1]].fulfilled:
        return closed[-1], Fulfilment.LATE
    return None


@attrs.frozen
class Schedule:
    """A participant's follow-up: the due visits after a grant's first tranche (or a date given by hand)."""

    participant: str
    status: ScheduleStatus = attrs.field(converter=as_choice(ScheduleStatus))
    source: ScheduleSource = attrs.field(converter=as_choice(ScheduleSource))
    grant: str | None = None
    sector: str | None = None
    started_on: date | None = None
    ended_on: date | None = None
    ended_because: EndReason | None = attrs.field(default=None, converter=as_choice(EndReason, optional=True))
    end_note: str | None = None
    due_visits: tuple[DueVisit, ...] = ()
    id: int | None = None

    def state_of(self, index: int, today: date) -> DueState:
        return due_state(self.due_visits, index, today, self.ended_on)

    def states(self, today: date) -> list[tuple[DueVisit, DueState]]:
        return [(visit, self.state_of(i, today)) for i, visit in enumerate(self.due_visits)]


def grant_reference(value) -> str | None:
    """A grant's code as given by microgrants or typed by hand (kept as written, trimmed)."""
    text = normalise_optional_text(value)
    if text is not None and len(text) > 40:
        raise InvalidInput(_("grant {value!r} is longer than 40 characters").format(value=text))
    return text


# --- visits ------------------------------------------------------------------------------


_MONEY = as_money(allow_zero=True, optional=True)


def _flags(value) -> frozenset[RiskFlag]:
    try:
        return frozenset(RiskFlag.parse(v) for v in split_list(value))
    except InvalidInput as exc:
        raise InvalidInput(_("risk_flags: {reason}").format(reason=exc.message)) from None


@attrs.frozen
class Visit:
    """What a mentor found at a visit. Revenue and costs are per month, in the programme's currency.

    ``due_months`` and ``fulfilment`` say which due visit it fulfilled (``None``: an extra
    visit); the service fills them when it reads visits.
    """

    participant: str = attrs.field(converter=normalise_code)
    mentor: str = attrs.field(converter=normalise_code)
    visited_on: date
    mode: VisitMode = attrs.field(converter=as_choice(VisitMode))
    business_status: BusinessStatus = attrs.field(converter=as_choice(BusinessStatus))
    revenue: Decimal | None = attrs.field(default=None, converter=_MONEY)
    costs: Decimal | None = attrs.field(default=None, converter=_MONEY)
    owners: int | None = attrs.field(default=None, validator=_between(0, 20))
    family_workers: int | None = attrs.field(default=None, validator=_between(0, 200))
    hired_workers: int | None = attrs.field(default=None, validator=_between(0, 500))
    equipment_seen: bool = False
    discussed: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(2000))
    advice: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(2000))
    next_steps: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(2000))
    risk_flags: frozenset[RiskFlag] = attrs.field(factory=frozenset, converter=lambda v: _flags(v))
    risk_note: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(2000))
    due_months: int | None = None
    fulfilment: Fulfilment | None = attrs.field(default=None, converter=as_choice(Fulfilment, optional=True))
    id: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.equipment_seen and self.mode is VisitMode.PHONE:
            raise InvalidInput(_("equipment_seen: a phone call cannot see the equipment; visit on site or by video"))

    @property
    def profit(self) -> Decimal | None:
        if self.revenue is None or self.costs is None:
            return None
        return self.revenue - self.costs

    @property
    def people_working(self) -> int | None:
        counts = [self.owners, self.family_workers, self.hired_workers]
        return None if all(c is None for c in counts) else sum(c or 0 for c in counts)

    @property
    def verifies(self) -> bool:
        """Found the business operating with the grant's equipment there: what a later tranche waits for."""
        return self.business_status is BusinessStatus.OPERATING and self.equipment_seen

    def placement(self) -> str:
        if self.due_months is None:
            return _("extra visit")
        return _("{label}, {how}").format(label=month_label(self.due_months),
                                          how=_("on time") if self.fulfilment is Fulfilment.ON_TIME else _("late"))


@attrs.frozen
class VisitEvidence:
    """The answer to microgrants' ``tranche_verification``: a visit that verified the business."""

    reference: str
    visited_on: date
    mentor: str
    note: str


def evidence_of(visit_id: int, visited_on: date, mentor: str, mode: str) -> VisitEvidence:
    """What a verifying visit (number ``visit_id``, by ``mentor``, ``mode``) tells microgrants."""
    return VisitEvidence(
        reference=_("mentoring visit {id}").format(id=visit_id), visited_on=visited_on, mentor=mentor,
        note=_("{mode} visit by {mentor}: business operating, equipment seen").format(mode=mode, mentor=mentor),
    )


@attrs.frozen
class RiskResult:
    """One risk flag of a logged visit and what became of it."""

    flag: RiskFlag
    outcome: RiskOutcome
    referral_id: int | None = None
    message: str = ""


@attrs.frozen
class VisitReport:
    """What logging a visit did: the visit, the due visit it fulfilled, the risks, the follow-up."""

    visit: Visit
    risks: tuple[RiskResult, ...] = ()
    displaced: int | None = None  # a late visit that became extra because this one fell in the window
    schedule_ended: bool = False
    closed_but_continuing: bool = False


# --- read models -------------------------------------------------------------------------


@attrs.frozen
class DueRow:
    """One visit a mentor owes (``reentry mentoring due``)."""

    participant: str
    full_name: str
    centre: str
    mentor: str | None
    months: int
    due_on: date
    window_start: date
    window_end: date
    state: DueState
    days: int  # days until due (negative: overdue by that many days past the window)

    @property
    def overdue(self) -> bool:
        return self.state is DueState.OVERDUE


@attrs.frozen
class CaseloadRow:
    """One mentee of a mentor (``reentry mentoring caseload``)."""

    mentor: str
    mentor_name: str | None
    participant: str
    full_name: str
    assigned_on: date
    last_visit: date | None
    last_status: BusinessStatus | None
    next_due: date | None
    next_due_months: int | None
    next_due_state: DueState | None
    open_risks: tuple[str, ...]


@attrs.frozen
class Outcome:
    """One mentoring indicator as the core publishes it (``reentry mentoring outcomes``):
    a hidden figure has no value, only the reason it is hidden (``suppressed``)."""

    key: str
    label: str
    value: Decimal | int | None
    unit: str
    group: tuple = ()
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None
    suppressed: str | None = None

    @property
    def rate(self) -> bool:
        """A share (numerator of denominator), shown as a percentage."""
        return self.unit == "%"
