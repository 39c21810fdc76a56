"""What the microgrants tests share: inline plugins standing in for business_plans and
mentoring (they implement the contract hooks of ``docs/plugins.md``, nothing more), a
plugin manager with the real ones disabled, and a programme with a round ready to use.

A test module takes these fixtures by importing them; ``programme`` and ``run_cli``
then replace the conftest's for that module, so the API and the CLI both run with the
stand-ins::

    from tests.grants_support import fakes, grants_pm, programme, run_cli, desk  # noqa: F401
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest

from reentry_core import hookimpl
from reentry_core.plugins import load_plugins
from reentry_core.testing import TODAY

OTHERS = {"business_plans", "mentoring"}


@attrs.frozen
class Plan:
    """A plan as business_plans answers ``grant_plan``: the contract's attributes."""

    code: str
    participant: str
    title: str
    sector: str
    panel_score: Decimal | None
    status: str = "shortlisted"
    cohort: str = "DSH-C1"
    version: int = 1
    requested_funding: Decimal = Decimal("8000.00")
    currency: str = "TJS"


class FakePlans:
    """Stands in for business_plans: the plan to link, and the eligibility rules it answers."""

    def __init__(self):
        self.plans: dict[str, Plan] = {}
        self.trained: set[str] = set()

    def give_plan(self, participant: str, score="75", status="shortlisted", sector="sewing"):
        number = len(self.plans) + 1
        self.plans[participant] = Plan(f"BP-{number:03d}", participant, f"Business {number}", sector,
                                       Decimal(score) if score is not None else None, status)

    @hookimpl(optionalhook=True)
    def grant_plan(self, tx, participant):
        return self.plans.get(participant.code)

    @hookimpl
    def register_eligibility_rules(self, register):
        register("shortlisted_plan", "has a shortlisted business plan")
        register("training_completed", "completed business training")
        register("min_plan_score", "the plan's panel score is at least this")

    @hookimpl
    def eligibility_problems(self, tx, participant, purpose, requirements):
        plan = self.plans.get(participant.code)
        problems = []
        if requirements.get("shortlisted_plan") and (plan is None or plan.status != "shortlisted"):
            problems.append(f"{participant.code} has no shortlisted business plan")
        if requirements.get("training_completed") and participant.code not in self.trained:
            problems.append(f"{participant.code} has not completed business training")
        minimum = requirements.get("min_plan_score")
        if minimum is not None and (plan is None or plan.panel_score is None or plan.panel_score < minimum):
            problems.append(f"{participant.code}'s plan scored below {minimum}")
        return problems


@attrs.frozen
class Evidence:
    """What mentoring answers ``tranche_verification``."""

    reference: str
    visited_on: date
    mentor: str
    note: str


class FakeMentoring:
    """Stands in for mentoring: verifying visits by participant; remembers the events it heard."""

    def __init__(self):
        self.visits: dict[str, list[date]] = {}
        self.heard: list[tuple] = []
        self.asked: list[tuple] = []

    def visit(self, participant: str, on: date = TODAY):
        self.visits.setdefault(participant, []).append(on)

    @hookimpl(optionalhook=True)
    def tranche_verification(self, tx, application, tranche, since):
        self.asked.append((application.code, tranche.number, since))
        found = [d for d in self.visits.get(application.participant, []) if d >= since]
        if not found:
            return None
        day = max(found)
        number = self.visits[application.participant].index(day) + 1
        return Evidence(f"mentoring visit {number}", day, "MN1", "business operating, equipment seen")

    @hookimpl(optionalhook=True)
    def grant_approved(self, tx, application):
        self.heard.append(("grant_approved", application.code, application.participant, application.round,
                           application.amount_approved, application.currency, application.decided_on,
                           application.plan, application.sector))

    @hookimpl(optionalhook=True)
    def tranche_released(self, tx, application, tranche):
        self.heard.append(("tranche_released", application.code, tranche.number, tranche.amount, tranche.currency,
                           tranche.released_on, tranche.method.value))


@attrs.define
class Fakes:
    plans: FakePlans
    mentoring: FakeMentoring


@pytest.fixture
def fakes() -> Fakes:
    return Fakes(FakePlans(), FakeMentoring())


@pytest.fixture
def grants_pm(fakes):
    """The installed plugins with business_plans and mentoring replaced by the stand-ins."""
    return load_plugins(disabled=OTHERS, extra=[("fake_plans", fakes.plans), ("fake_mentoring", fakes.mentoring)])


@pytest.fixture
def programme(database_url, grants_pm):
    from reentry_core import open_programme
    from reentry_core.services import FixedClock

    prog = open_programme(database_url, plugins=grants_pm, clock=FixedClock(TODAY))
    yield prog
    prog.close()


@pytest.fixture
def run_cli(database_url, grants_pm):
    from click.testing import CliRunner

    from reentry_core.cli import build_cli
    from reentry_core.services import FixedClock

    def run(*args: str, input: str | None = None):
        cli = build_cli(grants_pm, clock=FixedClock(TODAY))
        return CliRunner().invoke(cli, ["--db", database_url, *args], input=input, catch_exceptions=False)

    return run


PEOPLE = [("Зарина Ашурова", "female", "1991-07-04"), ("Ҷамшед Раҳимов", "male", "1985-03-12"),
          ("Мадина Сафарова", "female", "1992-07-01"), ("Фирдавс Назаров", "male", "1990-01-01"),
          ("Фирӯза Қодирова", "female", "1988-11-05")]
COMMITTEE = ["CM1", "CM2", "CM3", "CM4"]
ROUND = {"budget": "20000", "min_grant": "3000", "max_grant": "10000", "opens_on": TODAY - timedelta(days=20),
         "closes_on": TODAY + timedelta(days=20), "donors": ["EU", "BMZ"], "tranche_plan": "60,40:verified"}


def line(amount) -> str:
    """One budget line worth ``amount``."""
    return f"Sewing machine;1;{amount};in_kind;Textile LLC"


class Desk:
    """A programme with staff, five participants with consent and an open round R2026
    (budget 20,000, grants 3,000–10,000, committee CM1–CM4, quorum 3, 60,40:verified)."""

    def __init__(self, programme, admin):
        self.programme = programme
        self.admin = admin
        admin.staff.add("CW1", "Зарина Назарова", ["case_worker"], "DSH")
        for code, name in zip(COMMITTEE, ["Аҳмад Саидов", "Лола Каримова", "Рустам Юсупов", "Нодира Шарипова"]):
            admin.staff.add(code, name, ["committee_member"])
        admin.staff.add("FO1", "Гулнора Раҷабова", ["finance_officer"])
        admin.staff.add("FO2", "Бахтиёр Олимов", ["finance_officer"])
        admin.staff.add("ME1", "Руслан Азимов", ["me_officer"])
        self.people = []
        for name, sex, born in PEOPLE:
            person = admin.participants.register(full_name=name, sex=sex, birth_date=born, centre="DSH")
            admin.participants.record_consent(person.code)
            self.people.append(person.code)
        self.round = admin.grants.add_round("R2026", "Start-up grants 2026", **ROUND)
        admin.grants.add_committee_members("R2026", COMMITTEE)
        admin.grants.open_round("R2026")

    def grants(self, code: str):
        return self.programme.act_as(code).grants

    def apply(self, person: int, amount="8000", submit=True, round_code="R2026"):
        return self.grants("CW1").apply(round_code, self.people[person], [line(amount)], submit=submit)

    def votes(self, app: str, *choices, members=COMMITTEE):
        """``votes(app, "approve", ("approve", "7000"), "reject")``: one vote per member, in order."""
        for member, choice in zip(members, choices):
            if choice is None:
                continue
            choice, amount = (choice, None) if isinstance(choice, str) else choice
            extra = {"reason": "weak_plan", "note": "no market for it"} if choice == "reject" else {}
            self.grants(member).vote(app, choice, amount=amount, **extra)

    def approved(self, person: int, amount="8000"):
        """An application approved for ``amount`` by CM1–CM3, recorded by CM1."""
        app = self.apply(person, amount)
        self.votes(app.code, "approve", "approve", "approve")
        self.grants("CM1").decide(app.code)
        return app.code


@pytest.fixture
def desk(programme, admin) -> Desk:
    return Desk(programme, admin)
