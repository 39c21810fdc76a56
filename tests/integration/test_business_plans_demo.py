"""business_plans' part of ``reentry demo``: cohorts trained, plans scored, moderated, shortlisted."""

from __future__ import annotations

from decimal import Decimal

from collections import Counter

from reentry_core import hookimpl
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


class Outcomes:
    """An inline stand-in for mentoring: every shortlisted owner's business has a 12-month
    outcome, operating unless the participant's number is divisible by 4."""

    def __init__(self):
        self.asked = []

    @hookimpl
    def business_outcomes(self, conn, months):
        import sqlalchemy as sa

        from reentry_core.storage import tables as t

        self.asked.append(months)
        p = t.participant
        return sa.select(p.c.id.label("participant_id"), (p.c.id % 4 != 0).label("operating"))


def test_the_report_asks_for_outcomes_and_shows_survival_by_panel_score(programme, database_url):
    import sqlalchemy as sa

    from reentry_business_plans.analysis import band_of, spearman
    from reentry_business_plans.tables import bp_plan, bp_plan_version

    from reentry_core.plugins import load_plugins
    from reentry_core.services import open_programme

    run(programme, "small", seed=3)
    outcomes = Outcomes()
    pm = load_plugins(extra=[("outcomes", outcomes)], disabled={"mentoring"})
    with open_programme(database_url, plugins=pm) as prog:
        report = prog.act_as("ADM").reports.programme(suppress=False)
        protected = prog.act_as("ME1").reports.programme()
        v = bp_plan_version
        with prog.reading() as conn:  # what the table should say, from the shortlisted plans themselves
            found = conn.execute(sa.select(bp_plan.c.participant_id, v.c.panel_score).join(v, sa.and_(
                v.c.plan_id == bp_plan.c.id, v.c.version == bp_plan.c.current_version)).where(
                v.c.status == "shortlisted")).all()
    assert outcomes.asked == [12, 12]
    table = next(a for a in report.analyses if a.key == "business_plans.score_survival")
    assert [row[0] for row in table.rows] == ["<60", "60–69", "70–79", "80–89", "90+", "all"]
    for label, businesses, rate in table.rows[:-1]:
        mine = [pid % 4 != 0 for pid, score in found if band_of(score) == label]
        assert businesses.value == len(mine)
        assert rate.value == (Decimal(sum(mine)) / len(mine) if mine else None)
    assert table.rows[-1][1].value == len(found)
    rho = spearman([score for _pid, score in found], [pid % 4 != 0 for pid, _score in found])
    assert f"{rho:.2f} (n = {len(found)})" in table.note
    shown = next(a for a in protected.analyses if a.key == "business_plans.score_survival")
    small = [row[0] for row in table.rows if 0 < row[1].value < 5]
    assert all(row[1].suppressed == "small" and row[1].value is None for row in shown.rows if row[0] in small)
    assert all(row[2].hidden for row in shown.rows if row[1].hidden)  # no share of a hidden count


def test_without_an_answer_there_is_no_survival_analysis(programme, database_url, admin):
    from reentry_core.plugins import load_plugins
    from reentry_core.services import open_programme

    with open_programme(database_url, plugins=load_plugins(disabled={"mentoring"})) as prog:
        report = prog.act_as("ADM").reports.programme()
    assert not [a for a in report.analyses if a.key == "business_plans.score_survival"]
