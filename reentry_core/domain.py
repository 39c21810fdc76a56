"""The core's entities and the rules that need no database: attrs classes, choices, checks.

Nothing here does I/O. Storage turns rows into these classes, services apply the rules
that need the database (unique codes, consent on file), the CLI only reads and prints.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import date, datetime

import attrs

from .errors import InvalidInput
from .i18n import _
from .words import date_text


class Choice(str, enum.Enum):
    """A closed list of values; ``str`` so it compares and serialises as its value.

    A choice may name other spellings people type for its values in ``__aliases__``
    (lower-cased text → value); each choice has its own, so two choices of the same name
    in different plugins never share them."""

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        """The value as a person reads it in their language (``under_review`` → "на
        рассмотрении"); the value itself in English (:func:`reentry_core.words.choice_label`)."""
        from .words import choice_label

        return choice_label(self.value, type(self).__module__.split(".")[0])

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return cls.__dict__.get("__aliases__", {})

    @classmethod
    def parse(cls, value):
        """Accept the value in any case, with spaces or hyphens, or a known alias."""
        if isinstance(value, cls):
            return value
        text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        text = cls.aliases().get(text, text)
        try:
            return cls(text)
        except ValueError:
            raise InvalidInput(
                _("{value!r} is not one of {choices}").format(value=str(value), choices=", ".join(cls.values()))
            ) from None


def choice_values() -> frozenset[str]:
    """Every value of every :class:`Choice` loaded (the core's and the plugins' imported so
    far): what a table shows as words (:func:`reentry_core.words.cell`)."""
    found: set[str] = set()
    todo = list(Choice.__subclasses__())
    while todo:
        kind = todo.pop()
        todo += kind.__subclasses__()
        found.update(kind.values())
    return frozenset(found)


class Role(Choice):
    ADMIN = "admin"
    CASE_WORKER = "case_worker"
    TRAINER = "trainer"
    COMMITTEE_MEMBER = "committee_member"
    FINANCE_OFFICER = "finance_officer"
    MENTOR = "mentor"
    ME_OFFICER = "me_officer"


class Sex(Choice):
    FEMALE = "female"
    MALE = "male"

    #: other spellings people type (lower-cased) for a value
    __aliases__ = {
        "f": "female", "w": "female", "woman": "female", "ж": "female", "жен": "female", "женский": "female",
        "зан": "female", "занона": "female",
        "m": "male", "man": "male", "м": "male", "муж": "male", "мужской": "male", "мард": "male", "мардона": "male",
    }


class ParticipantStatus(Choice):
    ACTIVE = "active"
    EXITED = "exited"


class ExitReason(Choice):
    COMPLETED = "completed"
    MOVED_AWAY = "moved_away"
    WITHDREW = "withdrew"
    LOST_CONTACT = "lost_contact"
    REOFFENDED = "reoffended"
    DECEASED = "deceased"
    OTHER = "other"


class OffenceCategory(Choice):
    PROPERTY = "property"
    VIOLENT = "violent"
    DRUG_RELATED = "drug_related"
    ECONOMIC = "economic"
    TRAFFIC = "traffic"
    OTHER = "other"


class ConsentScope(Choice):
    """What a participant agreed to. ``referrals`` allows passing details to another service."""

    PROGRAMME = "programme"
    REFERRALS = "referrals"
    RESEARCH = "research"
    MEDIA = "media"


class ServiceType(Choice):
    LEGAL = "legal"
    PSYCHOLOGICAL = "psychological"
    DRUG_TREATMENT = "drug_treatment"
    EMPLOYMENT = "employment"
    DOCUMENTS = "documents"
    OTHER = "other"


class ReferralStatus(Choice):
    OPEN = "open"
    ACCEPTED = "accepted"
    DONE = "done"
    DECLINED = "declined"
    CANCELLED = "cancelled"


#: The referral status loop: open → accepted → done, or declined / cancelled.
REFERRAL_TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.OPEN: frozenset({ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.CANCELLED}),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.DONE, ReferralStatus.CANCELLED}),
    ReferralStatus.DONE: frozenset(),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.CANCELLED: frozenset(),
}

#: Participant fields shown only to roles holding ``participants.view_sensitive``.
SENSITIVE_FIELDS = ("release_date", "facility", "offence_category")

MINIMUM_AGE = 14  # the age of criminal responsibility in Tajikistan
MAXIMUM_AGE = 100  # older is a typing error (a birth year of 1826 for 1926)

_CENTRE_CODE = re.compile(r"^[A-Z]{2,6}$")
_STAFF_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")
_NAME_PUNCTUATION = frozenset(" -'’.")
_NAME_PUNCTUATION_GONE = str.maketrans("", "", "".join(_NAME_PUNCTUATION))
_PHONE_PRESENTATION_GONE = str.maketrans("", "", " \t().-")


# --- normalisers (attrs converters) -------------------------------------------------


def normalise_name(value: str) -> str:
    """NFC-normalise, trim and collapse inner spaces, so one person is spelled one way."""
    if not isinstance(value, str):
        raise InvalidInput(_("a name must be text"))
    return " ".join(unicodedata.normalize("NFC", value).split())


def normalise_code(value: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("a code must be text"))
    return value.strip().upper()


def normalise_optional_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text or None


def normalise_text(value: str) -> str:
    """Required text: like :func:`normalise_optional_text`, but blank stays ``""`` so the
    field's validator reports it as empty (``None`` would slip past it to the database)."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def required_reason(value: str | None, why: str) -> str:
    """The reason a correction gives (kept in the audit trail beside the earlier value):
    required, so an auditor reads why, not only what. ``why`` finishes "say why …"."""
    text = normalise_optional_text(value)
    if text is None:
        raise InvalidInput(_("reason: say why {why}").format(why=why))
    return text


def normalise_phone(value: str | None) -> str | None:
    """Keep a leading ``+`` and the digits; spaces, dashes and brackets are presentation."""
    if value is None:
        return None
    raw = str(value).strip()
    if not raw:
        return None
    digits = raw.replace(" ", "")
    if not digits.lstrip("+").isdigit():
        digits = digits.translate(_PHONE_PRESENTATION_GONE)
    number = digits[1:] if digits.startswith("+") else digits
    if not (6 <= len(number) <= 15 and number.isascii() and number.isdigit()):
        raise InvalidInput(_("phone {value!r} is not a phone number (digits, optionally starting with +)").format(value=raw))
    return digits


def as_choice(cls: type[Choice], optional: bool = False) -> attrs.Converter:
    """An attrs converter that parses a choice and names the field when the value is wrong."""

    def convert(value, field: attrs.Attribute):
        if value is None or (optional and value == ""):
            if optional:
                return None
            raise InvalidInput(_("{field} is missing").format(field=field.name))
        try:
            return cls.parse(value)
        except InvalidInput as exc:
            raise InvalidInput(f"{field.name}: {exc.message}") from None

    return attrs.Converter(convert, takes_field=True)


# --- validators ---------------------------------------------------------------------


def _field(attribute: attrs.Attribute) -> str:
    return attribute.name


#: The name of a person whose details were erased (``reentry participants erase``).
ERASED_NAME = "(erased)"


def valid_name(instance, attribute, value: str) -> None:
    if value == ERASED_NAME:
        return
    if not value:
        raise InvalidInput(_("{field} is empty").format(field=_field(attribute)))
    if len(value) > 200:
        raise InvalidInput(_("{field} is longer than 200 characters").format(field=_field(attribute)))
    if value.replace(" ", "").isalpha() or value.translate(_NAME_PUNCTUATION_GONE).isalpha():
        return  # letters and the allowed punctuation only: the common case, checked in C
    if not any(ch.isalpha() for ch in value):
        raise InvalidInput(_("{field} {value!r} has no letters").format(field=_field(attribute), value=value))
    for ch in value:
        if not (ch.isalpha() or ch in _NAME_PUNCTUATION or unicodedata.category(ch) == "Mn"):
            raise InvalidInput(
                _("{field} {value!r} contains {char!r}; use letters, spaces, hyphens and apostrophes").format(
                    field=_field(attribute), value=value, char=ch
                )
            )


def valid_centre_code(instance, attribute, value: str) -> None:
    if not _CENTRE_CODE.match(value):
        raise InvalidInput(_("centre code {value!r} must be 2 to 6 Latin capital letters, e.g. DSH").format(value=value))


def valid_staff_code(instance, attribute, value: str) -> None:
    if not _STAFF_CODE.match(value):
        raise InvalidInput(
            _("staff code {value!r} must be 2 to 20 Latin letters, digits, '-' or '_'").format(value=value)
        )


def valid_text(max_length: int):
    def check(instance, attribute, value: str | None) -> None:
        if value is None:
            return
        if not value.strip():
            raise InvalidInput(_("{field} is empty").format(field=_field(attribute)))
        if len(value) > max_length:
            raise InvalidInput(
                _("{field} is longer than {n} characters").format(field=_field(attribute), n=max_length)
            )

    return check


# --- entities -----------------------------------------------------------------------


@attrs.frozen
class Centre:
    """A reintegration centre (service desk) in a city; staff and participants belong to one."""

    code: str = attrs.field(converter=normalise_code, validator=valid_centre_code)
    name: str = attrs.field(converter=normalise_name, validator=valid_text(120))
    city: str = attrs.field(converter=normalise_name, validator=valid_text(80))


def _roles(value) -> frozenset[Role]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    return frozenset(Role.parse(v) for v in value)


def _non_empty_roles(instance, attribute, value: frozenset[Role]) -> None:
    if not value:
        raise InvalidInput(_("roles: give at least one of {roles}").format(roles=", ".join(Role.values())))


@attrs.frozen
class Staff:
    """A user of the tool. ``centre`` is empty for programme-level staff (head office)."""

    code: str = attrs.field(converter=normalise_code, validator=valid_staff_code)
    full_name: str = attrs.field(converter=normalise_name, validator=valid_name)
    roles: frozenset[Role] = attrs.field(converter=_roles, validator=_non_empty_roles)
    centre: str | None = attrs.field(default=None, converter=attrs.converters.optional(normalise_code))
    active: bool = True

    def has_role(self, role: Role) -> bool:
        return role in self.roles


@attrs.frozen
class OpenWork:
    """Something a staff member still holds that someone else takes over when they leave
    or move (the ``staff_open_work`` hook's answer): ``kind`` is a short noun (``mentee``,
    ``cohort``), ``key`` the record's code, ``description`` a few words for people and
    ``reassign`` how to hand it over (a command line, or ``None``)."""

    kind: str
    key: str
    description: str
    reassign: str | None = None


@attrs.frozen
class Participant:
    """A person after release taking part in the programme.

    ``code`` is given by the service when the participant is registered
    (``<centre>-<year>-<number>``); before that it is ``None``.
    """

    full_name: str = attrs.field(converter=normalise_name, validator=valid_name)
    sex: Sex = attrs.field(converter=as_choice(Sex))
    birth_date: date
    centre: str = attrs.field(converter=normalise_code)
    registered_on: date | None = None
    phone: str | None = attrs.field(default=None, converter=normalise_phone)
    release_date: date | None = None
    facility: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(120))
    offence_category: OffenceCategory | None = attrs.field(
        default=None, converter=as_choice(OffenceCategory, optional=True)
    )
    code: str | None = None
    status: ParticipantStatus = attrs.field(default=ParticipantStatus.ACTIVE, converter=as_choice(ParticipantStatus))
    exit_reason: ExitReason | None = attrs.field(default=None, converter=as_choice(ExitReason, optional=True))
    exited_on: date | None = None
    exit_note: str | None = attrs.field(default=None, converter=normalise_optional_text)

    def date_problems(self, today: date) -> list[str]:
        """Rules that depend on today's date: born in the past, between 14 and 100 years old,
        released after birth and not later than today, registered by today."""
        problems = []
        if self.birth_date > today:
            problems.append(_("birth_date {d} is in the future").format(d=date_text(self.birth_date)))
        elif age_on(self.birth_date, today) < MINIMUM_AGE:
            problems.append(
                _("birth_date {d} makes the participant younger than {n}").format(
                    d=date_text(self.birth_date), n=MINIMUM_AGE
                )
            )
        elif age_on(self.birth_date, today) > MAXIMUM_AGE:
            problems.append(
                _("birth_date {d} makes the participant older than {n}").format(
                    d=date_text(self.birth_date), n=MAXIMUM_AGE
                )
            )
        if self.release_date is not None and self.release_date > today:
            problems.append(_("release_date {d} is in the future: record people once they are released").format(
                d=date_text(self.release_date)))
        if self.release_date is not None and self.release_date < self.birth_date:
            problems.append(
                _("release_date {r} is before birth_date {b}").format(
                    r=date_text(self.release_date), b=date_text(self.birth_date)
                )
            )
        if self.registered_on is not None and self.registered_on > today:
            problems.append(_("registered_on {d} is in the future").format(d=date_text(self.registered_on)))
        return problems

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


def age_on(birth_date: date, day: date) -> int:
    """Whole years between ``birth_date`` and ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


#: Age bands of donor reports and pseudonymised exports: (label, lowest age in the band).
AGE_BANDS = (("<18", 0), ("18-24", 18), ("25-34", 25), ("35-44", 35), ("45-54", 45), ("55+", 55))


def age_band(age: int) -> str:
    """The band of :data:`AGE_BANDS` that ``age`` falls in."""
    label = AGE_BANDS[0][0]
    for band, lowest in AGE_BANDS:
        if age >= lowest:
            label = band
    return label


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def participant_code(centre: str, year: int, number: int) -> str:
    """The stable public code, e.g. ``DSH-2026-0042``."""
    return f"{centre}-{year}-{number:04d}"


def _scope(value) -> frozenset[ConsentScope]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    return frozenset(ConsentScope.parse(v) for v in value)


@attrs.frozen
class Consent:
    """A participant's informed consent: when it was given, to what, and when withdrawn."""

    participant: str
    given_on: date
    scope: frozenset[ConsentScope] = attrs.field(converter=_scope)
    withdrawn_on: date | None = None
    id: int | None = None

    def is_active(self, on: date) -> bool:
        return self.given_on <= on and (self.withdrawn_on is None or self.withdrawn_on > on)

    def covers(self, scope: ConsentScope, on: date) -> bool:
        return self.is_active(on) and scope in self.scope


@attrs.frozen
class Referral:
    """A hand-over to another service, followed through its status loop."""

    participant: str
    service_type: ServiceType = attrs.field(converter=as_choice(ServiceType))
    to_whom: str = attrs.field(converter=normalise_name, validator=valid_text(200))
    reason: str = attrs.field(converter=normalise_text, validator=valid_text(1000))
    opened_on: date
    status: ReferralStatus = attrs.field(default=ReferralStatus.OPEN, converter=as_choice(ReferralStatus))
    accepted_on: date | None = None
    closed_on: date | None = None
    note: str | None = attrs.field(default=None, converter=normalise_optional_text)
    id: int | None = None

    def can_move_to(self, status: ReferralStatus) -> bool:
        return status in REFERRAL_TRANSITIONS[self.status]


@attrs.frozen
class AuditEvent:
    """One append-only entry of the audit trail, chained to the one before by its hash."""

    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_key: str
    before: dict | None
    after: dict | None
    prev_hash: str
    hash: str
    #: a batch event's records (their keys); ``None`` for an event about one record
    record_keys: tuple[str, ...] | None = None
