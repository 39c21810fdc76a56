"""Three trainers scoring at once: every version's stored sheet count and sum still match
its sheets, and plans added at the same time get distinct numbers."""

from __future__ import annotations

import multiprocessing

import sqlalchemy as sa

from reentry_core.testing import TODAY

VALUES = {"market_understanding": 4, "financial_viability": 3, "skills_experience": 5, "realistic_budget": 4,
          "commitment": 5, "benefit_family_community": 4}
PLANS = 8


def _score_all(url: str, trainer: str, value: int) -> int:
    from reentry_core import open_programme
    from reentry_core.services import FixedClock

    programme = open_programme(url, clock=FixedClock(TODAY))
    plans = programme.act_as(trainer).plans
    for n in range(1, PLANS + 1):
        plans.score(f"DSH-26A-P{n:03d}", {k: value for k in VALUES})
    programme.close()
    return PLANS


def _add_plans(url: str, codes: list[str]) -> list[str]:
    from reentry_core import open_programme
    from reentry_core.services import FixedClock

    programme = open_programme(url, clock=FixedClock(TODAY))
    plans = programme.act_as("TR1").plans
    made = [plans.add_plan(code, "DSH-26A", submit=True, title="Shop", sector="trade", costs=["Shelves:1:900"],
                           own_contribution="0", requested_funding="900", monthly_revenue="800",
                           monthly_costs="500").code for code in codes]
    programme.close()
    return made


def test_parallel_plans_and_scores_stay_consistent(database_url, programme, admin):
    from reentry_business_plans.tables import bp_plan_version, bp_sheet

    for code, name in (("TR1", "Фарҳод Саидов"), ("TR2", "Мадина Юсупова"), ("TR3", "Рустам Олимов")):
        admin.staff.add(code, name, ["trainer"], "DSH")
    people = [admin.participants.register(full_name=f"Участник {'АБВГДЕЖЗИК'[i]}", sex="male",
                                          birth_date=f"19{80 + i}-01-01", centre="DSH").code for i in range(PLANS)]
    tr1 = programme.act_as("TR1").plans
    tr1.add_cohort("DSH-26A", "DSH", "Autumn", "2026-09-01", "2026-11-30", ["TR1", "TR2", "TR3"])
    tr1.enrol("DSH-26A", people)
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        made = pool.starmap(_add_plans, [(database_url, people[0::2]), (database_url, people[1::2])])
    codes = sorted(code for batch in made for code in batch)
    assert codes == [f"DSH-26A-P{n:03d}" for n in range(1, PLANS + 1)]
    with context.Pool(3) as pool:
        pool.starmap(_score_all, [(database_url, "TR1", 5), (database_url, "TR2", 3), (database_url, "TR3", 1)])
    v, s = bp_plan_version, bp_sheet
    with programme.engine.connect() as conn:
        stored = conn.execute(sa.select(v.c.id, v.c.sheets, v.c.sheet_sum, v.c.sheet_low, v.c.sheet_high)).all()
        for vid, sheets, total, low, high in stored:
            real = conn.execute(sa.select(sa.func.count(), sa.func.sum(s.c.total), sa.func.min(s.c.total),
                                          sa.func.max(s.c.total)).where(s.c.version_id == vid)).one()
            assert (sheets, total, low, high) == tuple(real)
    ranking = tr1.ranking("DSH-26A")
    assert all(r.sheets == 3 and str(r.raw_score) == "50.00" and r.status == "scored" for r in ranking)
    assert admin.audit.verify().ok


def _import_plans(url: str, codes: list[str], folder: str) -> list[str]:
    import csv
    from pathlib import Path

    from reentry_core import open_programme
    from reentry_core.services import FixedClock

    path = Path(folder) / "plans.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["participant", "title", "sector", "costs", "own_contribution", "requested_funding",
                         "monthly_revenue", "monthly_costs"])
        writer.writerows([code, "Shop", "trade", "Shelves:1:900", "0", "900", "800", "500"] for code in codes)
    programme = open_programme(url, clock=FixedClock(TODAY))
    made = [plan.code for plan in programme.act_as("TR2").plans.import_plans("DSH-26A", path, submit=True).plans]
    programme.close()
    return made


def test_a_plans_file_and_single_plans_at_once_get_distinct_numbers(database_url, programme, admin, tmp_path):
    for code, name in (("TR1", "Фарҳод Саидов"), ("TR2", "Мадина Юсупова")):
        admin.staff.add(code, name, ["trainer"], "DSH")
    people = [admin.participants.register(full_name=f"Участник {'АБВГДЕЖЗИК'[i]}", sex="male",
                                          birth_date=f"19{80 + i}-01-01", centre="DSH").code for i in range(PLANS)]
    tr1 = programme.act_as("TR1").plans
    tr1.add_cohort("DSH-26A", "DSH", "Autumn", "2026-09-01", "2026-11-30", ["TR1", "TR2"])
    tr1.enrol("DSH-26A", people)
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        one_by_one = pool.apply_async(_add_plans, (database_url, people[0::2]))
        from_file = pool.apply_async(_import_plans, (database_url, people[1::2], str(tmp_path)))
        made = one_by_one.get(timeout=120) + from_file.get(timeout=120)
    assert sorted(made) == [f"DSH-26A-P{n:03d}" for n in range(1, PLANS + 1)]
    numbers = [int(code[-3:]) for code in made[len(people[0::2]):]]
    assert numbers == sorted(numbers)  # a file's plans are numbered in its order
    assert admin.audit.verify().ok
