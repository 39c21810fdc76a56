"""business_plans' part of ``reentry demo``: cohorts trained, plans scored, moderated, shortlisted."""

from __future__ import annotations

from collections import Counter

from reentry_core.demo import SCALES, run


def plans_of(programme) -> list[tuple]:
    plans = programme.act_as("ADM").plans
    return [(p.code, p.participant, p.sector.value, p.status.value, p.total_cost, p.requested_funding,
             p.submitted_on) for p in plans.list()]


def test_the_demo_trains_cohorts_and_scores_and_shortlists_their_plans(programme):
    demo = run(programme, "small", seed=3)
    admin = demo.act_as("ADM").plans
    cohorts = admin.cohorts()
    assert len(cohorts) >= 5
    assert all(12 <= admin.enrolled_count(c.code) <= 15 for c in cohorts)
    assert all(c.end_date <= SCALES["small"].end for c in cohorts)
    plans = admin.list()
    assert abs(len(plans) - SCALES["small"].plans) <= 0.25 * SCALES["small"].plans
    statuses = Counter(p.status.value for p in plans)
    assert statuses["shortlisted"] and statuses["not_selected"]
    assert 0.2 <= statuses["shortlisted"] / (statuses["shortlisted"] + statuses["not_selected"]) <= 0.45
    assert len({p.sector.value for p in plans}) >= 6
    assert all(p.own_contribution + p.requested_funding <= p.total_cost for p in plans)
    sewing = [p for p in plans if p.sector.value == "sewing"]
    assert all(any(c.item == "Sewing machine" for c in p.costs) for p in sewing)
    # attendance was recorded in bulk, and not everybody completed
    completions = [c for cohort in cohorts for c in admin.completion(cohort.code)]
    assert all(c.held == 5 for c in completions)
    assert 0.75 <= sum(c.completed for c in completions) / len(completions) < 1
    # three trainers scored each plan (by importing sheets); some plans were moderated by the lead trainer
    ranked = [line for cohort in cohorts for line in admin.ranking(cohort.code)]
    assert all(line.sheets == 3 for line in ranked)
    assert any(line.moderated for line in ranked)
    assert demo.act_as("ME1").audit.log(action="plan.moderate", limit=None)
    assert demo.act_as("ME1").audit.verify().ok


def test_the_same_seed_gives_the_same_plans(tmp_path, plugin_manager):
    from reentry_core.services import open_programme

    found = []
    for n, seed in enumerate([7, 7, 8]):
        with open_programme(f"sqlite:///{tmp_path / f'demo{n}.db'}", plugins=plugin_manager) as prog:
            run(prog, "small", seed=seed)
            found.append(plans_of(prog))
    assert found[0] == found[1] != found[2]
