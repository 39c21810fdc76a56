"""How fast are ``plans ranking`` and ``plans agreement`` on a large cohort set?

    python benchmarks/plans_ranking.py [--plans 20000] [--trainers 4] [--repeat 3] [--db URL]

Builds one cohort of ``--plans`` plans (one participant each), scored by ``--trainers``
trainers on the shipped default rubric (6 criteria): the data is written with bulk
inserts (participants, enrolments, plans, versions, sheets with their weighted totals,
480,000 criterion scores for the defaults), not through the CLI. Then times, median of
``--repeat`` runs:

* ``ctx.plans.ranking(cohort)`` and ``ctx.plans.agreement(cohort)`` through the service
  (permissions, the rubric, flags, the complete block, the six ICCs); target: under 2 s;
* one hand-written SQL query computing the same weighted panel scores from the stored
  sheet totals (the tightest baseline), and, for reference, one computing them from the
  criterion scores and weights. The service reads each version's stored sheet count,
  sum, lowest and highest total (kept with every sheet written, as the service does;
  the build fills them the same way) and builds a line per plan with names, status,
  spread and flags;

prints the ratio of the service's ranking to the first query (target: at most 3x) and
checks that every panel score agrees to the cent.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

TODAY = date(2026, 11, 23)
COHORT = "DSH-26A"
TRAINER_NAMES = ["Фарҳод Саидов", "Мадина Сафарова", "Рустам Олимов", "Нигора Юсупова", "Алишер Каримов",
                 "Шабнам Давлатова", "Умед Шарипов", "Ситора Азизова"]

STORED_TOTALS_SQL = """
SELECT p.code, COUNT(*) AS sheets, SUM(s.total) AS total_sum
FROM bp_sheet s
JOIN bp_plan_version v ON v.id = s.version_id
JOIN bp_plan p ON p.id = v.plan_id AND p.current_version = v.version
WHERE p.cohort_id = :cohort
GROUP BY p.code
"""

FROM_SCORES_SQL = """
SELECT p.code, AVG(t.total) AS panel
FROM (
    SELECT sc.sheet_id, 100.0 * SUM(c.weight * (sc.value - r.scale_min)) / (SUM(c.weight) * (r.scale_max - r.scale_min))
           AS total
    FROM bp_score sc JOIN bp_criterion c ON c.id = sc.criterion_id JOIN bp_rubric r ON r.id = c.rubric_id
    GROUP BY sc.sheet_id, r.scale_min, r.scale_max
) t
JOIN bp_sheet s ON s.id = t.sheet_id
JOIN bp_plan_version v ON v.id = s.version_id
JOIN bp_plan p ON p.id = v.plan_id AND p.current_version = v.version
WHERE p.cohort_id = :cohort
GROUP BY p.code
"""


def build(url: str, plans: int, trainers: int, seed: int = 11):
    """A programme with one cohort of ``plans`` scored plans; returns (programme, cohort id)."""
    from reentry_core import open_programme
    from reentry_core.plugins import load_plugins
    from reentry_core.services import FixedClock
    from reentry_core.storage import tables as t
    from reentry_business_plans import tables as bt

    programme = open_programme(url, plugins=load_plugins(disabled={"microgrants", "mentoring"}),
                               clock=FixedClock(TODAY))
    programme.bootstrap_admin("ADM", "Нигина Каримова")
    admin = programme.act_as("ADM")
    admin.centres.add("DSH", "Dushanbe reintegration centre", "Dushanbe")
    codes = [f"TR{i + 1}" for i in range(trainers)]
    for code, name in zip(codes, TRAINER_NAMES * 4):
        admin.staff.add(code, name, ["trainer"], "DSH")
    cohort = programme.act_as("TR1").plans.add_cohort(COHORT, "DSH", "Benchmark cohort", "2026-09-01", "2026-11-30",
                                                      codes)
    rubric = admin.plans.rubric(cohort.rubric)
    rnd = random.Random(seed)
    with programme.engine.begin() as conn:
        centre_id = conn.execute(sa.select(t.centre.c.id)).scalar_one()
        cohort_id = conn.execute(sa.select(bt.bp_cohort.c.id)).scalar_one()
        rubric_id = conn.execute(sa.select(bt.bp_cohort.c.rubric_id)).scalar_one()
        criteria = conn.execute(sa.select(bt.bp_criterion.c.key, bt.bp_criterion.c.id)
                                .where(bt.bp_criterion.c.rubric_id == rubric_id)
                                .order_by(bt.bp_criterion.c.position)).all()
        trainer_ids = conn.execute(sa.select(t.staff.c.id).where(t.staff.c.code.in_(codes))
                                   .order_by(t.staff.c.code)).scalars().all()
        conn.execute(t.participant.insert(), [
            {"id": i, "code": f"DSH-2026-{i:05d}", "centre_id": centre_id, "full_name": f"Участник {i}",
             "name_key": f"участник {i}", "sex": "female" if i % 3 == 0 else "male",
             "birth_date": date(1970 + i % 35, 1 + i % 12, 1 + i % 28), "registered_on": date(2026, 8, 1),
             "status": "active"} for i in range(1, plans + 1)])
        conn.execute(bt.bp_enrolment.insert(), [
            {"cohort_id": cohort_id, "participant_id": i, "enrolled_on": date(2026, 9, 1)}
            for i in range(1, plans + 1)])
        conn.execute(bt.bp_plan.insert(), [
            {"id": i, "code": f"{COHORT}-P{i:05d}", "cohort_id": cohort_id, "participant_id": i, "number": i,
             "current_version": 1} for i in range(1, plans + 1)])
        sheets, scores = [], []
        sheet_id = 0
        for plan in range(1, plans + 1):
            quality = rnd.gauss(3.2, 0.8)  # the plan's own merit; trainers are harsh or lenient
            for n, trainer in enumerate(trainer_ids):
                values = {key: min(5, max(1, round(quality + (n - 1.5) * 0.2 + rnd.gauss(0, 0.7))))
                          for key, _cid in criteria}
                sheet_id += 1
                sheets.append({"id": sheet_id, "version_id": plan, "trainer_id": trainer, "rubric_id": rubric_id,
                               "total": rubric.weighted_total(values), "scored_on": date(2026, 11, 1)})
                scores.extend({"sheet_id": sheet_id, "criterion_id": cid, "value": values[key]}
                              for key, cid in criteria)
        totals: dict[int, list[Decimal]] = {}
        for sheet in sheets:
            totals.setdefault(sheet["version_id"], []).append(sheet["total"])
        # what the service stores with every sheet: the version's count, sum, lowest, highest
        conn.execute(bt.bp_plan_version.insert(), [
            {"id": i, "plan_id": i, "version": 1, "status": "scored", "title": "Sewing workshop", "sector": "sewing",
             "currency": "TJS", "own_contribution": Decimal("500"), "requested_funding": Decimal("5000"),
             "monthly_revenue": Decimal("3000"), "monthly_costs": Decimal("1200"), "total_cost": Decimal("6100"),
             "created_on": date(2026, 10, 1), "submitted_on": date(2026, 10, 1), "scored_on": date(2026, 11, 1),
             "sheets": len(totals[i]), "sheet_sum": sum(totals[i]), "sheet_low": min(totals[i]),
             "sheet_high": max(totals[i])}
            for i in range(1, plans + 1)])
        conn.execute(bt.bp_cost_item.insert(), [
            {"version_id": i, "position": 1, "item": "Sewing machine", "quantity": Decimal(2),
             "unit_cost": Decimal("3050")} for i in range(1, plans + 1)])
        conn.execute(bt.bp_sheet.insert(), sheets)
        conn.execute(bt.bp_score.insert(), scores)
    return programme, cohort_id, len(sheets), len(scores)


def timed(func, repeat: int):
    """Median and runs of ``func()``; each run starts after a garbage collection with the
    previous answer dropped, the same for the service and the SQL query."""
    times, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=20_000)
    parser.add_argument("--trainers", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", help="a database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--normalise", action="store_true", help="rank with per-trainer z-normalisation")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="reentry-plans-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'plans.db'}"
        start = time.perf_counter()
        programme, cohort_id, sheet_count, score_count = build(url, args.plans, args.trainers)
        print(f"built {args.plans} plans x {args.trainers} trainers x 6 criteria ({sheet_count} sheets, "
              f"{score_count} scores) on {programme.engine.dialect.name} in {time.perf_counter() - start:.1f} s")
        try:
            if args.normalise:
                with programme.engine.begin() as conn:
                    from reentry_business_plans.tables import bp_cohort

                    conn.execute(bp_cohort.update().values(normalise=True))
            plans = programme.act_as("TR1").plans
            ranking_s, ranking_runs, ranking = timed(lambda: plans.ranking(COHORT), args.repeat)
            agreement_s, agreement_runs, agreement = timed(lambda: plans.agreement(COHORT), args.repeat)

            def stored_query():
                with programme.engine.connect() as conn:
                    return conn.execute(sa.text(STORED_TOTALS_SQL), {"cohort": cohort_id}).all()

            def scores_query():
                with programme.engine.connect() as conn:
                    return conn.execute(sa.text(FROM_SCORES_SQL), {"cohort": cohort_id}).all()

            sql_s, sql_runs, rows = timed(stored_query, args.repeat)
            scores_s, _runs, score_rows = timed(scores_query, args.repeat)
        finally:
            programme.close()

    from reentry_business_plans.aggregation import round_half_up
    from fractions import Fraction

    by_sql = {code: round_half_up(Fraction(int(total), 100 * n)) for code, n, total in rows}
    by_service = {line.plan: line.raw_score for line in ranking}
    assert by_sql == by_service, "the service and the SQL query disagree"
    worst = max(abs(Decimal(str(panel)) - by_service[code]) for code, panel in score_rows)
    icc = agreement.icc
    print(f"ranking ({'normalised' if args.normalise else 'raw'} panel scores): {ranking_s:.3f} s "
          f"(runs {', '.join(f'{t:.3f}' for t in ranking_runs)})")
    print(f"agreement: {agreement_s:.3f} s (runs {', '.join(f'{t:.3f}' for t in agreement_runs)}); "
          f"{agreement.plans} plans x {len(agreement.trainers)} trainers, ICC(1,1) {icc.icc1_1:.3f}, "
          f"ICC(2,1) {icc.icc2_1:.3f}, ICC(3,1) {icc.icc3_1:.3f}, ICC(3,k) {icc.icc3_k:.3f}")
    total = ranking_s + agreement_s
    print(f"ranking + agreement: {total:.3f} s (target < 2 s: {'met' if total < 2 else 'NOT met'})")
    print(f"hand-written SQL, panel scores from stored sheet totals: {sql_s:.3f} s "
          f"(runs {', '.join(f'{t:.3f}' for t in sql_runs)}); all {len(by_sql)} agree with the service to the cent")
    print(f"hand-written SQL, panel scores from criterion scores and weights: {scores_s:.3f} s "
          f"(largest difference from the service {worst:.4f}: float rounding in SQL)")
    ratio = ranking_s / sql_s
    best = min(ranking_runs) / min(sql_runs)
    print(f"ratio ranking / SQL on stored totals: {ratio:.1f}x on medians, {best:.1f}x on the best runs "
          f"(target <= 3x: {'met' if ratio <= 3 else 'NOT met'}); ranking / SQL from scores: {ranking_s / scores_s:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
