"""Grant rounds, applications, votes, decisions and tranches: the attrs classes and the
rules that need no database.

Nothing here does I/O. The services load rows into these classes, apply the rules that
need the database (the remaining budget, one open application per person), and the CLI
only reads and prints.

Money is ``Decimal`` with two places, parsed by :func:`reentry_core.convert.parse_money`.
"""

from __future__ import annotations

import re
import statistics
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Iterable, Sequence

import attrs

from reentry_core.sdk import (
    _, as_choice, as_money, Choice, InvalidInput, money, normalise_code, normalise_optional_text,
    normalise_text, parse_decimal, RowProblem, valid_text,
)
from reentry_core.sdk import date_text

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class RoundStatus(Choice):
    """A round is prepared as a draft, open for applications, then closed (the committee
    still decides and finance still pays out after closing)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ApplicationStatus(Choice):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    INELIGIBLE = "ineligible"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"
    DISBURSING = "disbursing"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


S = ApplicationStatus

#: The application lifecycle: draft → submitted → ineligible | under_review →
#: approved | rejected | deferred → disbursing → completed; withdrawn before a decision,
#: cancelled after an approval. Deferred stays open: the committee decides again.
TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.INELIGIBLE, S.UNDER_REVIEW, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.DEFERRED, S.WITHDRAWN}),
    S.DEFERRED: frozenset({S.APPROVED, S.REJECTED, S.DEFERRED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.DISBURSING, S.COMPLETED, S.CANCELLED}),
    S.DISBURSING: frozenset({S.DISBURSING, S.COMPLETED, S.CANCELLED}),
    S.INELIGIBLE: frozenset(),
    S.REJECTED: frozenset(),
    S.COMPLETED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.CANCELLED: frozenset(),
}

#: Not yet decided: a participant has at most one of these per round.
OPEN_STATUSES = frozenset({S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.DEFERRED})
#: A grant: money is committed to it.
FUNDED_STATUSES = frozenset({S.APPROVED, S.DISBURSING, S.COMPLETED})
#: The committee votes and decides on these.
IN_REVIEW = frozenset({S.UNDER_REVIEW, S.DEFERRED})


class LineKind(Choice):
    CASH = "cash"
    IN_KIND = "in_kind"


class VoteChoice(Choice):
    APPROVE = "approve"
    REJECT = "reject"
    ABSTAIN = "abstain"


class RejectReason(Choice):
    """Why a member votes to reject; a note says more."""

    WEAK_PLAN = "weak_plan"
    NOT_VIABLE = "not_viable"
    COSTS_UNREALISTIC = "costs_unrealistic"
    LOW_CONTRIBUTION = "low_contribution"
    OUTSIDE_PRIORITIES = "outside_priorities"
    FUNDED_ELSEWHERE = "funded_elsewhere"
    OTHER = "other"


class ConflictKind(Choice):
    RELATIVE = "relative"
    NEIGHBOUR = "neighbour"
    BUSINESS_PARTNER = "business_partner"
    OTHER = "other"


class Outcome(Choice):
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"


class DecisionRule(Choice):
    """How votes become a decision. ``simple_majority``: approved when more than half of
    the valid votes approve, rejected when more than half reject, otherwise deferred."""

    SIMPLE_MAJORITY = "simple_majority"


class TrancheStatus(Choice):
    """Maker-checker: a tranche one person records is ``pending`` until a second person
    confirms it (when its round asks for four eyes); a wrong one is ``reversed`` by a
    counter-entry, never deleted. Only confirmed money counts."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REVERSED = "reversed"


class TrancheMethod(Choice):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    IN_KIND = "in_kind"


_ROUND_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


# --- converters and validators ----------------------------------------------------------


def column_problem(exc: InvalidInput, columns: Iterable[str]) -> InvalidInput:
    """A converter's ``"field: reason"`` as the sheet pipeline's ``RowProblem`` of that
    column (so a sheet names it ``row N, field: reason``); any other message as it is."""
    field, sep, reason = exc.message.partition(": ")
    if sep and field in columns:
        return RowProblem(field, reason)
    return exc


def as_positive_decimal(places: int, *, optional: bool = False, at_most: Decimal | None = None) -> attrs.Converter:
    """A number above zero with at most ``places`` decimals (a quantity, a score, a rate)."""

    def convert(value, field: attrs.Attribute):
        if value is None or (isinstance(value, str) and not value.strip()):
            if optional:
                return None
            raise InvalidInput(_("{field} is missing").format(field=field.name))
        try:
            number = parse_decimal(value)
        except InvalidInput as exc:
            raise InvalidInput(f"{field.name}: {exc.message}") from None
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise InvalidInput(_("{field}: {value} has more than {n} decimals").format(
                field=field.name, value=value, n=places))
        if number <= 0:
            raise InvalidInput(_("{field}: {value} must be more than zero").format(field=field.name, value=value))
        if at_most is not None and number > at_most:
            raise InvalidInput(_("{field}: {value} is more than {limit}").format(
                field=field.name, value=value, limit=at_most))
        return number

    return attrs.Converter(convert, takes_field=True)


def as_int(value, field: attrs.Attribute) -> int:
    if isinstance(value, bool):
        raise InvalidInput(_("{field}: {value!r} is not a whole number").format(field=field.name, value=value))
    try:
        return int(str(value).strip())
    except ValueError:
        raise InvalidInput(_("{field}: {value!r} is not a whole number").format(
            field=field.name, value=str(value))) from None


def valid_round_code(instance, attribute, value: str) -> None:
    if not _ROUND_CODE.match(value):
        raise InvalidInput(_("round code {value!r} must be 2 to 16 Latin capital letters, digits or '-', "
                             "e.g. R2026").format(value=value))


def valid_currency(instance, attribute, value: str) -> None:
    if not _CURRENCY.match(value):
        raise InvalidInput(_("currency {value!r} must be a three-letter code such as TJS or EUR").format(value=value))


def required_text(max_length: int):
    """A text field that must not be empty."""
    check = valid_text(max_length)

    def validate(instance, attribute, value) -> None:
        if not value:
            raise InvalidInput(_("{field} is empty").format(field=attribute.name))
        check(instance, attribute, value)

    return validate


def _donors(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    donors = tuple(d for d in (normalise_optional_text(v) for v in value) if d)
    for donor in donors:
        if len(donor) > 120:
            raise InvalidInput(_("donors: {value!r} is longer than 120 characters").format(value=donor))
    return donors


def money_text(amount: Decimal | None, currency: str = "") -> str:
    """``12,000.00 TJS``, ``12 000,00 сомонӣ``: how amounts are written in messages, in the
    reader's convention (:func:`reentry_core.words.money`)."""
    return money(amount, currency)


# --- the tranche plan ---------------------------------------------------------------------

_STEP = re.compile(r"^(?P<percent>\d+(?:\.\d{1,2})?)\s*%?\s*(?::\s*|\s+)?(?P<verified>verified)?$", re.IGNORECASE)


@attrs.frozen
class TrancheStep:
    """One part of a grant: a percentage, released on signing or after a verified visit."""

    percent: Decimal
    verified: bool = False


def parse_tranche_plan(value) -> tuple[TrancheStep, ...]:
    """``"60,40:verified"`` (also ``"60%; 40% verified"``): the percentages add up to 100;
    ``verified`` marks a part released only after a mentor's visit verified the business."""
    if isinstance(value, (tuple, list)) and all(isinstance(s, TrancheStep) for s in value):
        steps = tuple(value)
    else:
        text = str(value if value is not None else "").strip()
        if not text:
            raise InvalidInput(_("tranche_plan is empty; write e.g. 60,40:verified"))
        steps = []
        for part in re.split(r"[,;]", text):
            match = _STEP.match(part.strip())
            if not match:
                raise InvalidInput(_("tranche_plan: {part!r} is not a part such as 60 or 40:verified").format(
                    part=part.strip()))
            steps.append(TrancheStep(Decimal(match["percent"]), bool(match["verified"])))
        steps = tuple(steps)
    if any(s.percent <= 0 for s in steps):
        raise InvalidInput(_("tranche_plan: every part must be more than 0%"))
    total = sum((s.percent for s in steps), Decimal(0))
    if total != HUNDRED:
        raise InvalidInput(_("tranche_plan: the parts add up to {total}%, not 100%").format(total=_percent(total)))
    return steps


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f")


def plan_text(steps: Sequence[TrancheStep]) -> str:
    """The stored form: ``60,40:verified``."""
    return ",".join(_percent(s.percent) + (":verified" if s.verified else "") for s in steps)


def describe_plan(steps: Sequence[TrancheStep]) -> str:
    """For people: ``60% on signing, 40% after a verified visit``."""
    parts = []
    for i, step in enumerate(steps):
        when = (_("after a verified visit") if step.verified
                else _("on signing") if i == 0 else _("without verification"))
        parts.append(f"{_percent(step.percent)}% {when}")
    return ", ".join(parts)


def step_bounds(steps: Sequence[TrancheStep], amount: Decimal) -> list[Decimal]:
    """Where each part of ``amount`` ends, cumulatively; the last is ``amount`` itself, so
    the parts always add up to the grant exactly."""
    bounds, running = [], Decimal(0)
    for step in steps[:-1]:
        running += step.percent
        bounds.append((amount * running / HUNDRED).quantize(CENT, ROUND_HALF_UP))
    bounds.append(amount)
    return bounds


def gated_steps(steps: Sequence[TrancheStep], amount: Decimal, released: Decimal, tranche: Decimal) -> list[int]:
    """The numbers (1 = first) of the parts marked ``verified`` that a tranche of
    ``tranche`` draws on, after ``released`` of ``amount`` has gone out already."""
    start, end, low, touched = released, released + tranche, Decimal(0), []
    for number, (step, high) in enumerate(zip(steps, step_bounds(steps, amount)), start=1):
        if step.verified and low < end and high > start and high > low:
            touched.append(number)
        low = high
    return touched


def next_planned_amount(steps: Sequence[TrancheStep], amount: Decimal, released: Decimal) -> Decimal:
    """What the plan releases next: the rest of the part ``released`` has reached."""
    for high in step_bounds(steps, amount):
        if high > released:
            return high - released
    return Decimal("0.00")


# --- rounds -----------------------------------------------------------------------------


def _plan(value) -> tuple[TrancheStep, ...]:
    return parse_tranche_plan(value)


@attrs.frozen
class GrantRound:
    """A call for applications: a budget, grant limits, eligibility settings, a committee,
    a quorum, a decision rule and a tranche plan."""

    code: str = attrs.field(converter=normalise_code, validator=valid_round_code)
    title: str = attrs.field(converter=normalise_text, validator=required_text(200))
    budget: Decimal = attrs.field(converter=as_money())
    min_grant: Decimal = attrs.field(converter=as_money())
    max_grant: Decimal = attrs.field(converter=as_money())
    opens_on: date
    closes_on: date
    donors: tuple[str, ...] = attrs.field(default=(), converter=_donors)
    currency: str = attrs.field(default="TJS", converter=normalise_code, validator=valid_currency)
    require_shortlisted_plan: bool = False
    require_training: bool = False
    min_plan_score: Decimal | None = attrs.field(
        default=None, converter=as_positive_decimal(2, optional=True, at_most=HUNDRED))
    quorum: int = attrs.field(default=3, converter=attrs.Converter(as_int, takes_field=True))
    rule: DecisionRule = attrs.field(default=DecisionRule.SIMPLE_MAJORITY, converter=as_choice(DecisionRule))
    tranche_plan: tuple[TrancheStep, ...] = attrs.field(default="100", converter=_plan)
    status: RoundStatus = attrs.field(default=RoundStatus.DRAFT, converter=as_choice(RoundStatus))
    committee: tuple[str, ...] = ()
    #: a tranche one person records waits for a second person's confirmation
    four_eyes: bool = True
    #: a part of the plan marked ``verified`` goes out this many days after the verifying visit at the earliest
    visit_wait_days: int = attrs.field(default=0, converter=attrs.Converter(as_int, takes_field=True))

    def __attrs_post_init__(self) -> None:
        if self.quorum < 1:
            raise InvalidInput(_("quorum: {n} must be at least 1").format(n=self.quorum))
        if not 0 <= self.visit_wait_days <= 366:
            raise InvalidInput(_("visit_wait_days: {n} is not between 0 and 366").format(n=self.visit_wait_days))
        if self.min_grant > self.max_grant:
            raise InvalidInput(_("min_grant {low} is above max_grant {high}").format(
                low=money_text(self.min_grant), high=money_text(self.max_grant)))
        if self.max_grant > self.budget:
            raise InvalidInput(_("max_grant {high} is above the budget {budget}").format(
                high=money_text(self.max_grant), budget=money_text(self.budget)))
        if self.closes_on < self.opens_on:
            raise InvalidInput(_("closes_on {closes} is before opens_on {opens}").format(
                closes=date_text(self.closes_on), opens=date_text(self.opens_on)))

    def requirements(self) -> dict:
        """The eligibility requirements this round switches on, as the core asks them."""
        return {"shortlisted_plan": self.require_shortlisted_plan, "training_completed": self.require_training,
                "min_plan_score": self.min_plan_score}

    def closed_reason(self, today: date) -> str | None:
        """Why the round takes no applications today, or ``None`` when it does."""
        if self.status is RoundStatus.DRAFT:
            return _("round {code} is not open yet (it is a draft)").format(code=self.code)
        if self.status is RoundStatus.CLOSED:
            return _("round {code} is closed").format(code=self.code)
        if today < self.opens_on:
            return _("round {code} opens on {on}").format(code=self.code, on=date_text(self.opens_on))
        if today > self.closes_on:
            return _("round {code} closed on {on}").format(code=self.code, on=date_text(self.closes_on))
        return None

    def request_problem(self, requested: Decimal) -> str | None:
        """The requested amount must lie between the round's minimum and maximum grant."""
        if requested > self.max_grant:
            return _("requested {amount} is above the round's maximum grant of {limit}").format(
                amount=money_text(requested, self.currency), limit=money_text(self.max_grant, self.currency))
        if requested < self.min_grant:
            return _("requested {amount} is below the round's minimum grant of {limit}").format(
                amount=money_text(requested, self.currency), limit=money_text(self.min_grant, self.currency))
        return None


# --- applications -----------------------------------------------------------------------


@attrs.frozen
class BudgetLine:
    """One line of an application's budget: what is bought, how many, at what unit cost,
    given as cash or in kind, and from which supplier. Its total is rounded to the cent."""

    item: str = attrs.field(converter=normalise_text, validator=required_text(200))
    quantity: Decimal = attrs.field(converter=as_positive_decimal(2))
    unit_cost: Decimal = attrs.field(converter=as_money())
    kind: LineKind = attrs.field(default=LineKind.CASH, converter=as_choice(LineKind))
    supplier: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(200))

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(CENT, ROUND_HALF_UP)


def requested_amount(lines: Iterable[BudgetLine]) -> Decimal:
    """The amount requested: the sum of the budget lines."""
    return sum((line.total for line in lines), Decimal("0.00"))


def _lines(value) -> tuple[BudgetLine, ...]:
    return tuple(value)


@attrs.frozen
class Application:
    """A participant's request for a grant in a round.

    ``amount_approved`` is what the committee approved; ``amount_granted`` is what the
    grant commits now (lower after a reduction; what was paid out after a cancellation).
    The plan fields are what the plan's owner answered (``grant_plan``) when it was made.
    """

    round: str
    participant: str
    lines: tuple[BudgetLine, ...] = attrs.field(converter=_lines)
    own_contribution: Decimal = attrs.field(default=Decimal("0.00"), converter=as_money(allow_zero=True))
    code: str | None = None
    status: ApplicationStatus = attrs.field(default=ApplicationStatus.DRAFT, converter=as_choice(ApplicationStatus))
    currency: str = "TJS"
    participant_name: str | None = None
    created_on: date | None = None
    submitted_on: date | None = None
    eligibility_problems: tuple[str, ...] = ()
    plan: str | None = None
    plan_version: int | None = None
    plan_title: str | None = None
    sector: str | None = None
    plan_score: Decimal | None = None
    plan_status: str | None = None
    amount_approved: Decimal | None = None
    amount_granted: Decimal | None = None
    #: paid out: the tranches recorded and not reversed, ``pending`` ones among them
    disbursed: Decimal = Decimal("0.00")
    pending: Decimal = Decimal("0.00")
    decided_on: date | None = None
    closed_on: date | None = None
    close_reason: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise InvalidInput(_("lines: an application needs at least one budget line"))

    @property
    def requested(self) -> Decimal:
        return requested_amount(self.lines)

    @property
    def undisbursed(self) -> Decimal:
        return (self.amount_granted or Decimal("0.00")) - self.disbursed

    @property
    def confirmed(self) -> Decimal:
        """The money a second person confirmed: what counts as paid."""
        return self.disbursed - self.pending

    def can_move_to(self, status: ApplicationStatus) -> bool:
        return status in TRANSITIONS[self.status]


# --- the committee -------------------------------------------------------------------------


@attrs.frozen
class ConflictOfInterest:
    """A committee member's tie to an applicant; that member neither votes nor counts
    towards the quorum on the application."""

    application: str
    member: str
    kind: ConflictKind = attrs.field(converter=as_choice(ConflictKind))
    note: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(1000))
    recorded_by: str | None = None
    recorded_on: date | None = None


@attrs.frozen
class Vote:
    """One member's vote on one application. Approve carries an amount (at most the amount
    requested); reject carries a reason from :class:`RejectReason` and a note."""

    application: str
    member: str
    choice: VoteChoice = attrs.field(converter=as_choice(VoteChoice))
    amount: Decimal | None = attrs.field(default=None, converter=as_money(optional=True))
    reason: RejectReason | None = attrs.field(default=None, converter=as_choice(RejectReason, optional=True))
    note: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(1000))
    cast_on: date | None = None
    changed_on: date | None = None
    counted: bool = True

    def __attrs_post_init__(self) -> None:
        if self.choice is VoteChoice.APPROVE and self.amount is None:
            raise InvalidInput(_("amount: an approving vote says how much"))
        if self.choice is not VoteChoice.APPROVE and self.amount is not None:
            raise InvalidInput(_("amount: only an approving vote has an amount"))
        if self.choice is VoteChoice.REJECT:
            if self.reason is None:
                raise InvalidInput(_("reason: a vote to reject gives a reason, one of {reasons}").format(
                    reasons=", ".join(RejectReason.values())))
            if self.note is None:
                raise InvalidInput(_("note: a vote to reject explains itself in a note"))
        elif self.reason is not None:
            raise InvalidInput(_("reason: only a vote to reject has a reason"))


@attrs.frozen
class Tally:
    """The valid votes on an application (members without a conflict) and what they decide."""

    valid: int
    approve: int
    reject: int
    abstain: int
    quorum: int
    rule: DecisionRule
    outcome: Outcome | None
    amount: Decimal | None
    approving_amounts: tuple[Decimal, ...] = ()

    @property
    def has_quorum(self) -> bool:
        return self.valid >= self.quorum


def median_amount(amounts: Sequence[Decimal]) -> Decimal:
    """The approval's amount: the median of the approving votes' amounts. With an even
    number of votes it is the mean of the two middle ones, rounded down to the cent, so
    it is never more than half the approving members agreed to."""
    return Decimal(statistics.median(sorted(amounts))).quantize(CENT, ROUND_DOWN)


def tally(votes: Iterable[Vote], quorum: int, rule: DecisionRule = DecisionRule.SIMPLE_MAJORITY) -> Tally:
    """Count the votes that count (``counted``) under ``rule``. Without quorum there is no
    outcome. Simple majority: approved when more than half of the valid votes approve,
    rejected when more than half reject, otherwise deferred (an abstention counts towards
    the quorum and the number of valid votes, for neither side)."""
    valid = [v for v in votes if v.counted]
    approve = [v for v in valid if v.choice is VoteChoice.APPROVE]
    reject = sum(1 for v in valid if v.choice is VoteChoice.REJECT)
    abstain = len(valid) - len(approve) - reject
    amounts = tuple(sorted(v.amount for v in approve))
    outcome, amount = None, None
    if len(valid) >= quorum:
        if 2 * len(approve) > len(valid):
            outcome, amount = Outcome.APPROVED, median_amount(amounts)
        elif 2 * reject > len(valid):
            outcome = Outcome.REJECTED
        else:
            outcome = Outcome.DEFERRED
    return Tally(len(valid), len(approve), reject, abstain, quorum, rule, outcome, amount, amounts)


@attrs.frozen
class Decision:
    """The committee's outcome on an application, from its votes at that moment."""

    application: str
    number: int
    outcome: Outcome = attrs.field(converter=as_choice(Outcome))
    amount: Decimal | None
    decided_on: date
    decided_by: str
    valid: int
    approve: int
    reject: int
    abstain: int
    quorum: int
    rule: DecisionRule = attrs.field(converter=as_choice(DecisionRule))
    explanation: str = ""


def explain(t: Tally, currency: str) -> str:
    """One line saying how the outcome follows from the votes."""
    counts = _("{approve} approve, {reject} reject, {abstain} abstain of {valid} valid votes (quorum {quorum})").format(
        approve=t.approve, reject=t.reject, abstain=t.abstain, valid=t.valid, quorum=t.quorum)
    if t.outcome is Outcome.APPROVED:
        return counts + "; " + _("amount: the median of the approving amounts {amounts}").format(
            amounts=", ".join(money_text(a) for a in t.approving_amounts)) + f" = {money_text(t.amount, currency)}"
    if t.outcome is Outcome.DEFERRED:
        return counts + "; " + _("no majority either way")
    return counts


# --- tranches ---------------------------------------------------------------------------


@attrs.frozen
class Verification:
    """Why a tranche that needed verification could go out: a mentor's visit (from the
    plugin that answers ``tranche_verification``) or an admin's recorded override."""

    reference: str | None = None
    visited_on: date | None = None
    mentor: str | None = None
    note: str | None = None
    override_reason: str | None = None
    overridden_by: str | None = None

    @property
    def overridden(self) -> bool:
        return self.override_reason is not None


@attrs.frozen
class Reversal:
    """The counter-entry that took a wrong tranche back: why, by whom, when."""

    reason: str
    reversed_by: str
    reversed_on: date


@attrs.frozen
class Tranche:
    """One release of money or equipment. In kind needs the items, the supplier and the
    receipt number. ``eur_rate``: how many units of the round's currency one euro cost
    that day (for donor reports), giving ``amount_eur``. ``tjs_rate``: for a round in
    another currency, how many somoni one unit of it cost that day, giving ``amount_tjs``
    (the programme's money totals in TJS count such a tranche at that rate)."""

    application: str
    number: int
    amount: Decimal = attrs.field(converter=as_money())
    released_on: date
    method: TrancheMethod = attrs.field(converter=as_choice(TrancheMethod))
    currency: str = "TJS"
    items: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(1000))
    supplier: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(200))
    receipt: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(60))
    reference: str | None = attrs.field(default=None, converter=normalise_optional_text, validator=valid_text(60))
    eur_rate: Decimal | None = attrs.field(default=None, converter=as_positive_decimal(6, optional=True))
    recorded_by: str | None = None
    verification: Verification | None = None
    status: TrancheStatus = attrs.field(default=TrancheStatus.CONFIRMED, converter=as_choice(TrancheStatus))
    confirmed_by: str | None = None
    confirmed_on: date | None = None
    reversal: Reversal | None = None
    tjs_rate: Decimal | None = attrs.field(default=None, converter=as_positive_decimal(6, optional=True))

    def __attrs_post_init__(self) -> None:
        if self.tjs_rate is not None and self.currency == "TJS":
            raise InvalidInput(_("tjs_rate is for a round in another currency; this round is in TJS"))
        if self.method is TrancheMethod.IN_KIND:
            missing = [name for name in ("items", "supplier", "receipt") if getattr(self, name) is None]
            if missing:
                raise InvalidInput(_("a tranche in kind needs {missing}").format(missing=", ".join(missing)))

    @property
    def amount_eur(self) -> Decimal | None:
        if self.currency == "EUR":
            return self.amount
        if self.eur_rate is None:
            return None
        return (self.amount / self.eur_rate).quantize(CENT, ROUND_HALF_UP)

    @property
    def amount_tjs(self) -> Decimal | None:
        """The amount in somoni: as it is in a TJS round, else at ``tjs_rate`` (None without one)."""
        if self.currency == "TJS":
            return None  # the amount itself; stored empty so that nothing is kept twice
        if self.tjs_rate is None:
            return None
        return (self.amount * self.tjs_rate).quantize(CENT, ROUND_HALF_UP)


@attrs.frozen
class Override:
    """An admin's permission, with a reason, to release the next tranche that needs a
    verification without one."""

    application: str
    reason: str = attrs.field(converter=normalise_text, validator=required_text(1000))
    granted_by: str | None = None
    granted_on: date | None = None
    used_by_tranche: int | None = None


# --- the budget ---------------------------------------------------------------------------


@attrs.frozen
class Budget:
    """Where a round's money stands. ``committed`` = approved − returned (by cancellations
    and reductions); ``remaining`` = budget − committed; ``disbursed`` ≤ committed, the
    confirmed tranches only."""

    round: str
    currency: str
    budget: Decimal
    approved: Decimal
    returned: Decimal
    committed: Decimal
    disbursed: Decimal
    remaining: Decimal
    grants: int
    grants_to_women: int
    #: recorded, not yet confirmed by a second person: not in ``disbursed``
    pending: Decimal = Decimal("0.00")

    @property
    def women_share(self) -> Decimal | None:
        """The share of grants (by number) made to women, in percent; ``None`` before any."""
        if not self.grants:
            return None
        return (Decimal(self.grants_to_women) * HUNDRED / self.grants).quantize(Decimal("0.1"), ROUND_HALF_UP)
