"""What the core offers plugins beyond commands and tables: services on the staff
context, eligibility questions, exact money columns and report indicators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from reentry_core import hookimpl
from reentry_core.convert import parse_money
from reentry_core.errors import InvalidInput, PluginError
from reentry_core.reporting import Period, age_band_column, compute
from reentry_core.storage import tables as t
from reentry_core.storage.types import Money
from reentry_core.testing import TODAY, set_up


def person(ctx, name, sex, born, centre="DSH", consent=True):
    p = ctx.participants.register(full_name=name, sex=sex, birth_date=born, centre=centre)
    if consent:
        ctx.participants.record_consent(p.code)
    return p


# --- services --------------------------------------------------------------------------


class Greeter:
    def __init__(self, ctx):
        self.ctx = ctx

    def hello(self):
        return f"hello {self.ctx.code}"


class GreeterPlugin:
    @hookimpl
    def register_services(self, register):
        register("greeter", Greeter)


def test_a_plugin_service_is_reached_on_the_staff_context(programme_with):
    ctx = set_up(programme_with(("greeter", GreeterPlugin())))
    assert ctx.greeter.hello() == "hello ADM"
    with pytest.raises(AttributeError, match="no service 'nothing'"):
        ctx.nothing  # noqa: B018


@pytest.mark.parametrize("name", ["participants", "audit", "not a name", "_hidden", "transaction"])
def test_a_service_cannot_take_a_core_or_bad_name(programme_with, name):
    class Thief:
        @hookimpl
        def register_services(self, register):
            register(name, Greeter)

    with pytest.raises(PluginError, match="thief"):
        programme_with(("thief", Thief()))


def test_two_plugins_cannot_offer_the_same_service(programme_with):
    class Other:
        @hookimpl
        def register_services(self, register):
            register("greeter", Greeter)

    with pytest.raises(PluginError, match="already taken"):
        programme_with(("greeter", GreeterPlugin()), ("other", Other()))


# --- eligibility ---------------------------------------------------------------------------


class TrainingRule:
    """Answers one requirement: a list of people who completed training."""

    completed: set[str] = set()

    @hookimpl
    def register_eligibility_rules(self, register):
        register("training_completed", "completed business training")

    @hookimpl
    def eligibility_problems(self, participant, purpose, requirements):
        if requirements.get("training_completed") and participant.code not in self.completed:
            return [f"{participant.code} has not completed training (for a {purpose})"]
        return []


def test_eligibility_joins_the_core_checks_and_the_plugins_answers(programme_with):
    ctx = set_up(programme_with(("training", TrainingRule())))
    ready = person(ctx, "Зарина Ашурова", "female", "1991-07-04")
    untrained = person(ctx, "Ҷамшед Раҳимов", "male", "1985-03-12")
    no_consent = person(ctx, "Фирдавс Назаров", "male", "1990-01-01", consent=False)
    TrainingRule.completed = {ready.code, no_consent.code}
    rules = {"training_completed": True}
    assert ctx.participants.eligibility(ready.code, "grant", rules) == []
    assert ctx.participants.eligibility(untrained.code, "grant", rules) == [
        f"{untrained.code} has not completed training (for a grant)"]
    assert ctx.participants.eligibility(no_consent.code, "grant", rules) == [
        f"{no_consent.code} has no consent in force for the programme"]
    # a requirement switched off is not asked for
    assert ctx.participants.eligibility(untrained.code, "grant", {"training_completed": False}) == []
    ctx.participants.exit(ready.code, "moved_away")
    assert ctx.participants.eligibility(ready.code, "grant", rules) == [
        f"{ready.code} left the programme on {TODAY.isoformat()}"]


def test_a_requirement_nobody_can_check_is_a_problem_not_a_pass(programme_with):
    ctx = set_up(programme_with())
    p = person(ctx, "Зарина Ашурова", "female", "1991-07-04")
    assert ctx.participants.eligibility(p.code, "grant", {"shortlisted_plan": True}) == [
        "the requirement 'shortlisted_plan' cannot be checked: no loaded plugin checks it"]


# --- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, amount", [("1200.50", "1200.50"), ("1 200,5", "1200.50"), ("7", "7.00"),
                                          (Decimal("0.01"), "0.01")])
def test_parse_money_accepts_amounts_with_up_to_two_decimals(text, amount):
    assert parse_money(text) == Decimal(amount)
    assert parse_money(text).as_tuple().exponent == -2


@pytest.mark.parametrize("text, message", [("12.3456", "more than two decimals"), ("12.345", "ambiguous"), ("-5", "more than zero"),
                                           ("0", "more than zero"), ("ten", "is not a number"),
                                           ("NaN", "is not a number")])
def test_parse_money_refuses_bad_amounts(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_money(text)


def test_parse_money_may_allow_zero_but_never_negative():
    assert parse_money("0", allow_zero=True) == Decimal("0.00")
    with pytest.raises(InvalidInput, match="is negative"):
        parse_money("-0.01", allow_zero=True)


def test_money_columns_are_exact_and_sum_to_decimals(database_url):
    from reentry_core.storage import engine as engines

    table = sa.Table("money_probe", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("amount", Money))
    engine = engines.make_engine(database_url)
    try:
        with engine.begin() as conn:
            table.create(conn)
            conn.execute(table.insert(), [{"amount": Decimal("0.10")}, {"amount": Decimal("0.20")},
                                          {"amount": "1234567.89"}])
            assert conn.execute(sa.select(sa.func.sum(table.c.amount))).scalar_one() == Decimal("1234568.19")
            assert conn.execute(sa.select(table.c.amount).where(table.c.id == 1)).scalar_one() == Decimal("0.10")
            with pytest.raises(sa.exc.StatementError, match="more than two decimals"):
                conn.execute(table.insert().values(amount=Decimal("0.001")))
            table.drop(conn)
    finally:
        engine.dispose()


# --- indicators ------------------------------------------------------------------------------

# a table of its own metadata: never part of the real schema
grant_probe = sa.Table("probe_grant", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("participant_id", sa.Integer), sa.Column("amount", Money),
                       sa.Column("approved_on", sa.Date))


class GrantFigures:
    """Declares a count, a sum, a mean, a rate and a programme-wide total."""

    @hookimpl
    def register_indicators(self, register):
        g = grant_probe
        register("probe.grants", "Grants", "grants approved", lambda period: sa.select(g.c.participant_id)
                 .where(period.covers(g.c.approved_on)), unit="grants")
        register("probe.amount", "Amount", "amount approved", lambda period: sa.select(
            g.c.participant_id, g.c.amount.label("value")).where(period.covers(g.c.approved_on)), aggregate="sum",
                 unit="TJS")
        register("probe.mean", "Mean", "mean grant", lambda period: sa.select(
            g.c.participant_id, g.c.amount.label("value")).where(period.covers(g.c.approved_on)), aggregate="mean",
                 unit="TJS")
        register("probe.share", "Share", "grants per person registered", aggregate="rate",
                 numerator="probe.grants", denominator="participants.registered")
        register("probe.total", "Total", "all amounts", lambda period: sa.select(g.c.amount.label("value")),
                 aggregate="sum", per_participant=False)


@pytest.fixture
def probe_table(database_url):
    from reentry_core.storage import engine as engines

    engine = engines.make_engine(database_url)
    with engine.begin() as conn:
        grant_probe.create(conn)
    yield grant_probe
    with engine.begin() as conn:
        grant_probe.drop(conn)
    engine.dispose()


def test_indicators_are_disaggregated_by_sex_age_band_and_centre(programme_with, probe_table):
    prog = programme_with(("probe", GrantFigures()))
    ctx = set_up(prog)
    zarina = person(ctx, "Зарина Ашурова", "female", "1991-07-04")           # 35: 35-44
    jamshed = person(ctx, "Ҷамшед Раҳимов", "male", "2005-01-10")             # 21: 18-24
    person(ctx, "Фирдавс Назаров", "male", "1970-05-05", centre="KHJ")        # 56: 55+
    ids = {}
    with prog.engine.connect() as conn:
        ids = dict(conn.execute(sa.select(t.participant.c.code, t.participant.c.id)).all())
    with prog.engine.begin() as conn:
        conn.execute(probe_table.insert(), [
            {"participant_id": ids[zarina.code], "amount": Decimal("3000.10"), "approved_on": date(2026, 3, 1)},
            {"participant_id": ids[zarina.code], "amount": Decimal("500.00"), "approved_on": date(2026, 9, 1)},
            {"participant_id": ids[jamshed.code], "amount": Decimal("2000.05"), "approved_on": date(2026, 9, 2)},
        ])
    registry = prog.indicators
    with prog.engine.connect() as conn:
        def figures(key, **kw):
            return {group: (f.value, f.people) for group, f in
                    compute(conn, registry, key, kw.pop("period", Period()), today=TODAY, **kw).items()}

        assert figures("probe.grants") == {(): (3, 2)}
        assert figures("probe.grants", by=("sex",)) == {("female",): (2, 1), ("male",): (1, 1)}
        assert figures("probe.amount", by=("sex",)) == {("female",): (Decimal("3500.10"), 1),
                                                        ("male",): (Decimal("2000.05"), 1)}
        assert figures("probe.mean") == {(): (Decimal("5500.15") / 3, 2)}
        assert figures("probe.grants", by=("age_band", "centre")) == {("35-44", "DSH"): (2, 1),
                                                                      ("18-24", "DSH"): (1, 1)}
        assert figures("participants.registered", by=("age_band",)) == {
            ("35-44",): (1, 1), ("18-24",): (1, 1), ("55+",): (1, 1)}
        assert figures("probe.grants", period=Period(date(2026, 9, 1), date(2026, 9, 1))) == {(): (1, 1)}
        assert figures("probe.grants", centre="KHJ") == {}
        share = compute(conn, registry, "probe.share", Period(), by=("centre",), today=TODAY)
        assert share[("DSH",)].value == Decimal(3) / 2 and share[("DSH",)].people == 2
        assert share[("KHJ",)].value == 0 and (share[("KHJ",)].numerator, share[("KHJ",)].denominator) == (0, 1)
        assert figures("probe.total") == {(): (Decimal("5500.15"), 0)}
        assert figures("probe.total", by=("sex",)) == {}


def test_age_bands_in_sql_agree_with_whole_years_at_a_leap_day(database_url):
    from reentry_core.domain import age_band, age_on
    from reentry_core.storage import engine as engines

    on = date(2028, 2, 29)
    births = [date(2010, 2, 28), date(2010, 3, 1), date(2010, 2, 27), date(2004, 2, 29),
              date(1973, 3, 1), date(1973, 2, 28), date(1994, 2, 28)]
    engine = engines.make_engine(database_url)
    try:
        with engine.connect() as conn:
            for born in births:
                sql = conn.execute(sa.select(age_band_column(sa.literal(born, sa.Date), on))).scalar_one()
                assert sql == age_band(age_on(born, on)), born
    finally:
        engine.dispose()


def test_a_malformed_indicator_is_refused_naming_it(programme_with):
    class Bad:
        @hookimpl
        def register_indicators(self, register):
            register("bad.rate", "Bad", "a rate of nothing", aggregate="rate", numerator="x", denominator="y")

    prog = programme_with(("bad", Bad()))
    with pytest.raises(PluginError, match="'bad.rate' divides by or into 'x'"):
        prog.indicators  # noqa: B018
