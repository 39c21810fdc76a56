"""Mentoring answers business_plans' ``business_outcomes`` question (docs/plugins.md, "Hooks
between the built-in plugins") with the survival conditions of its indicators: operating at the
milestone's visit is true, not operating or closed is false, an unknown outcome is left out."""

from __future__ import annotations

import pytest

from reentry_core import hookimpl
from reentry_core.services import open_programme
from reentry_core.storage import tables as core
from tests.integration import fake_plans_hookspecs
from tests.integration.mentoring_support import (  # noqa: F401  (fixtures)
    FakeMicrogrants, add_mentor, clock, grants, mentoring_plugins, programme, register,
)
from tests.integration.test_mentoring_indicators import followed  # noqa: F401  (fixture)


class PlansAsking:
    """An inline stand-in for business_plans: it owns the business_outcomes question."""

    @hookimpl
    def register_hookspecs(self, add):
        add(fake_plans_hookspecs)


@pytest.fixture
def grants_pm(grants):
    return mentoring_plugins(("fake_microgrants", grants), ("plans_asking", PlansAsking()),
                             disabled=("microgrants", "business_plans"))


def outcomes(prog, months):
    import sqlalchemy as sa

    p = core.participant
    with prog.reading() as conn:
        query = prog.pm.hook.business_outcomes(conn=conn, months=months).subquery()
        return conn.execute(sa.select(p.c.code, query.c.operating).join(query, query.c.participant_id == p.c.id)
                            .order_by(p.c.code)).all()


def test_known_outcomes_at_6_and_12_months(programme, followed):  # noqa: F811
    a, b, c = followed["A"], followed["B"], followed["C"]
    # 6 months: A operating, B temporarily closed, C closed before the window; D not reached
    assert outcomes(programme, 6) == sorted([(a, True), (b, False), (c, False)])
    # 12 months: A operating, C closed; B had no visit (unknown) and is left out
    assert outcomes(programme, 12) == sorted([(a, True), (c, False)])
    assert all(isinstance(operating, bool) for _code, operating in outcomes(programme, 6))
    assert outcomes(programme, 24) == []  # no such milestone: nothing known


def test_nobody_answers_without_mentoring(database_url, clock):  # noqa: F811
    pm = mentoring_plugins(("plans_asking", PlansAsking()), disabled=("microgrants", "business_plans", "mentoring"))
    prog = open_programme(database_url, plugins=pm, clock=clock)
    try:
        with prog.reading() as conn:
            assert prog.pm.hook.business_outcomes(conn=conn, months=6) is None
    finally:
        prog.close()
