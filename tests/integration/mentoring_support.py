"""What the mentoring tests share: a stand-in for microgrants, a clock that moves, and
a programme with mentors and participants in place.

``FakeMicrogrants`` adds a hookspec module that mirrors the contract in docs/plugins.md
("Hooks between the built-in plugins") and fires microgrants' events through
``tx.emit(...)`` inside a transaction, as microgrants does. The real microgrants is
disabled next to it (two plugins may not declare the same hookspecs).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest
import sqlalchemy as sa

from reentry_core import hookimpl
from reentry_core.errors import Conflict
from reentry_core.plugins import load_plugins
from reentry_core.services import FixedClock, open_programme
from reentry_core.storage import tables as core
from reentry_core.testing import TODAY
from tests.integration import fake_grant_hookspecs


@attrs.frozen
class Application:
    code: str
    participant: str
    round: str
    amount_approved: Decimal
    currency: str
    decided_on: date
    plan: str | None
    sector: str | None


@attrs.frozen
class Tranche:
    number: int
    amount: Decimal
    currency: str
    released_on: date
    method: str


class FakeMicrogrants:
    """Approves grants and releases tranches; a second tranche waits for a verified visit."""

    def __init__(self):
        self.evidence = []

    @hookimpl
    def register_hookspecs(self, add):
        add(fake_grant_hookspecs)

    def approve(self, ctx, participant: str, code: str = "G-2026-001", sector: str | None = "sewing",
                on: date = date(2026, 5, 4)) -> Application:
        application = Application(code, participant, "R-2026-1", Decimal("6000.00"), "TJS", on, None, sector)
        with ctx.transaction() as tx:
            tx.emit("grant_approved", application=application)
        return application

    def release(self, ctx, application: Application, number: int, released_on: date,
                since: date | None = None) -> Tranche:
        tranche = Tranche(number, Decimal("3000.00"), "TJS", released_on, "cash")
        with ctx.transaction() as tx:
            if number > 1:
                evidence = tx.ask("tranche_verification", application=application, tranche=tranche,
                                  since=since or released_on)
                if evidence is None:
                    raise Conflict(f"tranche {number} of {application.code} waits for a mentoring visit that "
                                   "found the business operating with the equipment")
                self.evidence.append(evidence)
            tx.emit("tranche_released", application=application, tranche=tranche)
        return tranche


class DemoGrants(FakeMicrogrants):
    """The stand-in in ``reentry demo``: each month it funds some of the people registered the month
    before (``share`` of them, or an even share of the scale's grants) and releases their first tranche."""

    def __init__(self, share: float | None = None):
        super().__init__()
        self.share = share

    @hookimpl
    def demo_month(self, demo, month):
        rng = demo.rng("fake_microgrants", month)
        start = (month - timedelta(days=1)).replace(day=1)
        p = core.participant
        with demo.programme.reading() as conn:
            people = conn.execute(sa.select(p.c.code).where(
                p.c.registered_on.between(start, month - timedelta(days=1))).order_by(p.c.code)).scalars().all()
        count = round(len(people) * self.share) if self.share is not None else demo.per_month(demo.scale.grants)
        admin = demo.act_as("ADM")
        for code in rng.sample(people, min(len(people), count)):
            day = month + timedelta(days=rng.randint(0, 25))
            sector = rng.choice(["sewing", "car_repair", "cooking", "carpentry", "welding", "hairdressing"])
            self.release(admin, self.approve(admin, code, code=f"G-{code}", sector=sector, on=day), 1, day)


class MovableClock(FixedClock):
    """A fixed "today" that a test can move."""

    def move_to(self, day: date) -> None:
        self._today = day


def mentoring_plugins(*extra, disabled=("microgrants",)):
    return load_plugins(extra=list(extra), disabled=set(disabled))


@pytest.fixture
def grants():
    return FakeMicrogrants()


@pytest.fixture
def clock():
    return MovableClock(TODAY)


@pytest.fixture
def grants_pm(grants):
    return mentoring_plugins(("fake_microgrants", grants))


@pytest.fixture
def programme(database_url, grants_pm, clock):
    """The programme with the fake microgrants instead of the real one (overrides conftest's)."""
    prog = open_programme(database_url, plugins=grants_pm, clock=clock)
    yield prog
    prog.close()


@pytest.fixture
def run_cli(database_url, grants_pm, clock):
    """The CLI with the fake microgrants, on the moving clock (overrides conftest's)."""
    from click.testing import CliRunner

    from reentry_core.cli import build_cli

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(build_cli(grants_pm, clock=clock), ["--db", database_url, *args], input=input,
                                  catch_exceptions=False)

    return run


def add_mentor(admin, code, name, sex, capacity=3, languages="tg,ru", sectors="sewing", centre="DSH",
               roles=("mentor",)):
    admin.staff.add(code, name, list(roles), centre)
    return admin.mentoring.set_profile(code, sex=sex, capacity=capacity, languages=languages, sectors=sectors)


def register(admin, name, sex, born="1988-04-12", centre="DSH", consent=True, registered_on="2026-01-15"):
    person = admin.participants.register(full_name=name, sex=sex, birth_date=born, centre=centre,
                                         registered_on=registered_on)
    if consent:
        admin.participants.record_consent(person.code, given_on=registered_on)
    return person.code
