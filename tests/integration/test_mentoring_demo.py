"""Mentoring's part of ``reentry demo``: mentors get profiles, the businesses whose follow-up
started are matched and visited, risks become referrals, and the same seed gives the same visits.

Microgrants is replaced by an inline stand-in (``DemoGrants``) whose ``demo_month`` approves
grants and releases first tranches through the contract's events, as the real one does in the demo.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from reentry_core.demo import run
from reentry_core.services import open_programme
from reentry_mentoring import tables as t
from tests.integration.mentoring_support import DemoGrants, mentoring_plugins

pytestmark = pytest.mark.usefixtures("database_url")


def build(url, seed):
    prog = open_programme(url, plugins=mentoring_plugins(("fake_microgrants", DemoGrants(share=0.2))))
    demo = run(prog, "small", seed=seed)
    return prog, demo


def visits_of(prog):
    v = t.visit
    with prog.reading() as conn:
        return conn.execute(sa.select(v.c.participant_id, v.c.visited_on, v.c.mode, v.c.business_status,
                                      v.c.revenue, v.c.costs).order_by(v.c.id)).all()


def test_the_demo_follows_the_funded_businesses(database_url):
    prog, demo = build(database_url, 3)
    try:
        admin = demo.act_as("ADM").mentoring
        mentors = admin.mentors()
        assert len(mentors) >= 20 and {m.centre for m, _n in mentors} == set(demo.centres)
        assert all(m.languages and m.sectors and m.capacity >= 1 and n <= m.capacity for m, n in mentors)
        visits = admin.visits()
        assert len(visits) >= 60
        assert max(v.visited_on for v in visits) <= demo.scale.end
        statuses = {v.business_status.value for v in visits}
        assert "operating" in statuses and statuses - {"operating"}
        assert {v.fulfilment.value for v in visits if v.fulfilment} == {"on_time", "late"}
        operating = [v for v in visits if v.business_status.value == "operating"]
        assert all(v.revenue > v.costs > 0 and v.owners >= 1 for v in operating)
        assert any(v.equipment_seen for v in operating)
        assert all(v.mode.value != "phone" for v in visits if v.equipment_seen)
        # only the mentor assigned that day logged each visit
        for v in visits[:40]:
            assigned = [a for a in admin.assignments(v.participant, mentor=v.mentor)
                        if a.started_on <= v.visited_on and (a.ended_on is None or v.visited_on <= a.ended_on)]
            assert assigned, v
        flagged = [v for v in visits if v.risk_flags]
        assert flagged, "some visits raised a risk"
        with prog.reading() as conn:
            opened = conn.execute(sa.select(sa.func.count()).select_from(t.visit_risk).where(
                t.visit_risk.c.outcome == "opened")).scalar_one()
            ended = dict(conn.execute(sa.select(t.schedule.c.ended_because, sa.func.count())
                                      .group_by(t.schedule.c.ended_because)).all())
        assert opened >= 1, "a risk opened a referral"
        assert ended.get("other"), "follow-ups whose last visit is behind end"
        outcomes = {o.key: o.value for o in admin.outcomes(end=demo.scale.end, suppress=False)}
        assert outcomes["mentoring.visits_missed"] >= 1 and outcomes["mentoring.visits_late"] >= 1
        assert 0.5 <= outcomes["mentoring.survival_6m"] <= 1
    finally:
        prog.close()


def test_the_same_seed_gives_the_same_visits(tmp_path):
    found = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        prog, _demo = build(f"sqlite:///{tmp_path / name}.db", seed)
        try:
            found.append(visits_of(prog))
        finally:
            prog.close()
    assert found[0] == found[1] != found[2]
    assert found[0]
