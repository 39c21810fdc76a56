"""business_plans' part of ``reentry demo``: cohorts trained, plans written, scored and shortlisted.

Every month each centre with enough people waiting opens cohorts of 12-15 participants
(the oldest registrations first). The cohort meets weekly during the month (business
planning, marketing, bookkeeping, personal development, civic education); its trainers
import the attendance register; most attend, a few drop out. At the month's end those
who completed the training write plans in the programme's trades on paper forms, which a
trainer types into a plans sheet and imports. The next month the
three trainers of the centre fill in their score sheets offline and import them; one of
them is harsher than the others, and now and then a sheet differs widely, which the lead
trainer moderates; then about a third of each cohort is shortlisted.

Everything goes through ``ctx.plans`` (the services a trainer uses); the random choices
come from ``demo.rng("business_plans", month)``, so the same seed gives the same plans.
"""

from __future__ import annotations

import csv
import io
import os
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from . import store
from .sheets import PLANSHEET_COLUMNS

NAME = "business_plans"
#: People per cohort, and roughly how many of them end with a plan (completers who write one).
COHORT_SIZE = (12, 15)
PLANS_PER_COHORT = 11
SESSIONS = [(2, "business_planning"), (8, "marketing"), (14, "bookkeeping"), (20, "personal_development"),
            (26, "civic_education")]
CRITERIA = ["market_understanding", "financial_viability", "skills_experience", "realistic_budget", "commitment",
            "benefit_family_community"]
HARSH = -0.3  # the third trainer of every centre scores lower than the other two
MODERATION_REASONS = [
    "discussed at the panel; both views are fair, the scores stand",
    "the trainer who scored low had visited the market; the panel accepts both views",
    "rechecked the budget with the participant; the scores stand",
]

#: The trades of the programme: weight, plan titles, cost items (item, quantity range, unit cost range in
#: TJS) and the monthly revenue range.
TRADES = {
    "sewing": (22, ["Sewing workshop", "Tailoring at home", "Curtains and bedding to order"],
               [("Sewing machine", (1, 2), (3000, 4200)), ("Overlock machine", (1, 1), (2200, 3000)),
                ("Fabric and thread", (1, 3), (600, 1500)), ("Ironing board and iron", (1, 1), (350, 600))],
               (2500, 5000)),
    "car_repair": (10, ["Car repair garage", "Tyre service", "Car electrics"],
                   [("Tool set", (1, 1), (2500, 4500)), ("Hydraulic jack", (1, 2), (900, 1600)),
                    ("Compressor", (1, 1), (2800, 4000)), ("Spare parts stock", (1, 1), (1500, 3000))],
                   (3500, 7000)),
    "cooking": (12, ["Bakery (non)", "Samsa and sambusa stall", "Home catering"],
                [("Tandoor oven", (1, 1), (2500, 4000)), ("Flour and ingredients", (1, 3), (500, 1200)),
                 ("Kitchen utensils", (1, 1), (600, 1200)), ("Refrigerator", (1, 1), (3000, 4500))],
                (3000, 6000)),
    "confectionery": (8, ["Cakes to order", "Sweets and pastries"],
                      [("Electric oven", (1, 1), (2500, 4000)), ("Mixer", (1, 1), (800, 1500)),
                       ("Baking trays and moulds", (2, 6), (60, 150)), ("Ingredients", (1, 2), (600, 1200))],
                      (2500, 5000)),
    "carpentry": (10, ["Carpentry workshop", "Doors and windows to order", "Furniture repair"],
                  [("Circular saw", (1, 1), (2000, 3500)), ("Electric planer", (1, 1), (1200, 2000)),
                   ("Hand tools", (1, 1), (800, 1500)), ("Timber", (1, 3), (900, 2000))],
                  (3000, 6500)),
    "welding": (9, ["Welding workshop", "Gates and fences"],
                [("Welding inverter", (1, 1), (2500, 4000)), ("Angle grinder", (1, 2), (600, 1000)),
                 ("Electrodes and metal", (1, 2), (700, 1500)), ("Protective gear", (1, 1), (300, 600))],
                (3500, 7000)),
    "hairdressing": (11, ["Hairdresser", "Barber shop", "Beauty salon at home"],
                     [("Hairdresser's chair", (1, 2), (1200, 2200)), ("Clippers and scissors", (1, 1), (500, 900)),
                      ("Mirror and shelves", (1, 1), (600, 1200)), ("Hair dryer", (1, 2), (300, 600))],
                     (2000, 4500)),
    "trade": (10, ["Grocery stall at the bazaar", "Mobile phone accessories", "Clothes trade"],
              [("Stall rent (3 months)", (1, 1), (900, 1800)), ("Goods for sale", (1, 1), (3000, 6000)),
               ("Shelves and scales", (1, 1), (500, 1000))],
              (3500, 8000)),
    "agriculture": (8, ["Greenhouse vegetables", "Poultry", "Sheep fattening"],
                    [("Greenhouse frame and film", (1, 1), (2500, 4500)), ("Seeds and seedlings", (1, 2), (300, 800)),
                     ("Chickens", (30, 80), (35, 60)), ("Feed", (1, 3), (500, 1000))],
                    (2000, 5000)),
}


def _month_end(month: date) -> date:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return following - timedelta(days=1)


def month(demo, month: date) -> None:
    """This month: score and shortlist last month's cohorts, then train new cohorts."""
    rng = demo.rng(NAME, month)
    with tempfile.TemporaryDirectory(prefix="reentry-demo-plans-") as folder:
        work = Path(folder)
        for centre, code in _waiting_cohorts(demo, month):
            _score_and_shortlist(demo, rng, work, centre, code)
        if month < demo.scale.months[-1]:  # cohorts of the last month would never be scored
            for centre, people, number in _new_cohorts(demo, rng, month):
                _train(demo, rng, work, centre, people, month, number)


# --- new cohorts ----------------------------------------------------------------------------------


def _new_cohorts(demo, rng: random.Random, month: date):
    """Which cohorts open this month: about ``scale.plans / 11`` over the timeline, at the centres
    with the most people waiting (active, consented, registered before the month, never enrolled)."""
    months = demo.scale.months
    i = months.index(month)
    planned = round(demo.scale.plans / PLANS_PER_COHORT)
    due = round(planned * (i + 1) / (len(months) - 1))
    with demo.programme.reading() as conn:
        opened = store.cohort_count(conn)
        rows = store.waiting_for_training(conn, month)
    pools: dict[str, list[str]] = {c: [] for c in demo.centres}
    for code, centre in rows:
        pools[centre].append(code)
    numbers = {c: 0 for c in demo.centres}
    for _n in range(max(0, due - opened)):
        centre = max(demo.centres, key=lambda c: len(pools[c]))
        if len(pools[centre]) < COHORT_SIZE[0]:
            break
        size = min(rng.randint(*COHORT_SIZE), len(pools[centre]))
        people, pools[centre] = pools[centre][:size], pools[centre][size:]
        numbers[centre] += 1
        yield centre, people, numbers[centre]


def _train(demo, rng: random.Random, work: Path, centre: str, people: list[str], month: date, number: int) -> None:
    trainers = demo.staff_codes("trainer", centre)
    lead = demo.act_as(trainers[0])
    code = f"{centre}-{month:%y%m}-{number:02d}"
    plans = lead.plans
    plans.add_cohort(code, centre, f"Business training {month:%B %Y}, group {number}", month, _month_end(month),
                     trainers, sessions=[f"{month.replace(day=day).isoformat()}:{topic}" for day, topic in SESSIONS])
    plans.enrol(code, people, on=month)
    marks = []
    for person in people:
        drops_at = rng.randint(2, len(SESSIONS)) if rng.random() < 0.1 else None
        for n in range(1, len(SESSIONS) + 1):
            if drops_at and n >= drops_at:
                mark = "absent"
            else:
                roll = rng.random()
                mark = "present" if roll < 0.92 else "excused" if roll < 0.96 else "absent"
            marks.append({"session": n, "participant": person, "mark": mark})
    plans.import_attendance(code, _save(work / "attendance.csv", ["session", "participant", "mark"], marks))
    # most of those who completed write a plan on a paper form; a trainer types the forms into
    # a plans sheet (the columns of `reentry plans plansheet`) and imports it, submitted
    rows = []
    for done in plans.completion(code):
        if done.completed and rng.random() < 0.92:
            fields = _plan_fields(rng)
            rows.append({**fields, "participant": done.participant, "full_name": done.full_name,
                         "costs": "; ".join(fields["costs"])})
    if rows:
        plans.import_plans(code, _save(work / "plans.csv", list(PLANSHEET_COLUMNS), rows), submit=True)


def _save(path: Path, columns: list[str], rows: list[dict]) -> Path:
    """Save a filled-in sheet as CSV to ``path``, a scratch file the demo writes again for
    every cohort: over its old bytes, then cut to length. (A file emptied before it is
    written, or renamed over another, is flushed to disk by ext4 at once, and creating
    thousands of new files is slow too: either costs a millisecond a file on a busy disk.)"""
    text = io.StringIO()
    writer = csv.DictWriter(text, columns)
    writer.writeheader()
    writer.writerows(rows)
    data = text.getvalue().encode("utf-8")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as f:  # no O_TRUNC
        f.write(data)
        f.truncate()
    return path


def _plan_fields(rng: random.Random) -> dict:
    names = list(TRADES)
    sector = rng.choices(names, weights=[TRADES[n][0] for n in names])[0]
    _weight, titles, items, revenue = TRADES[sector]
    chosen = [items[0]] + [item for item in items[1:] if rng.random() < 0.7]
    costs, total = [], 0
    for item, (low_q, high_q), (low, high) in chosen:
        qty, unit = rng.randint(low_q, high_q), rng.randrange(low, high + 1, 50)
        costs.append(f"{item}:{qty}:{unit}")
        total += qty * unit
    own = int(total * rng.uniform(0.05, 0.2)) // 50 * 50
    # most ask for exactly what their contribution leaves; some leave a gap they will cover later
    requested = total - own if rng.random() < 0.85 else (total - own) // 100 * 100 - rng.choice([100, 200, 500])
    income = rng.randrange(revenue[0], revenue[1] + 1, 100)
    return {"title": rng.choice(titles), "sector": sector, "costs": costs, "own_contribution": str(own),
            "requested_funding": str(max(500, requested)), "monthly_revenue": str(income),
            "monthly_costs": str(int(income * rng.uniform(0.35, 0.7)) // 50 * 50)}


# --- scoring --------------------------------------------------------------------------------------


def _waiting_cohorts(demo, month: date) -> list[tuple[str, str]]:
    """Last month's cohorts that have submitted plans."""
    previous = (month - timedelta(days=1)).replace(day=1)
    with demo.programme.reading() as conn:
        return store.cohorts_with_plans(conn, previous)


def _score_and_shortlist(demo, rng: random.Random, work: Path, centre: str, cohort: str) -> None:
    trainers = demo.staff_codes("trainer", centre)
    # the lead prints the cohort's score sheet for the panel (nobody in the demo declares a
    # conflict, so each trainer's sheet lists the same plans); each fills in a copy offline
    blank = work / f"scores-{cohort}.csv"
    demo.act_as(trainers[0]).plans.scoresheet(cohort, blank)
    with blank.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        columns, blank_rows = list(reader.fieldnames or []), list(reader)
    plan_codes = [row["plan"] for row in blank_rows]
    # how good each plan is, how each trainer sees it, and now and then one trainer who sees it very differently
    quality = {plan: rng.betavariate(4, 2.2) for plan in plan_codes}
    outlier = {plan: (rng.choice(trainers), rng.choice([-1.7, 1.5])) for plan in plan_codes if rng.random() < 0.05}
    for position, code in enumerate(trainers):
        rows = [dict(row) for row in blank_rows]
        for row in rows:
            plan = row["plan"]
            bias = rng.gauss(0, 0.1) + (HARSH if position == 2 else 0)
            if outlier.get(plan, (None,))[0] == code:
                bias += outlier[plan][1]
            for key in CRITERIA:
                row[key] = str(min(5, max(1, round(1 + 4 * quality[plan] + bias + rng.gauss(0, 0.4)))))
            row["trainer"] = code  # the copy is this trainer's sheet: the import checks it against --as
        demo.act_as(code).plans.import_scores(_save(work / f"scores-{code}.csv", columns, rows))
    lead = demo.act_as(trainers[0]).plans
    ranking = lead.ranking(cohort)
    for line in ranking:
        if line.needs_moderation:
            lead.moderate(line.plan, rng.choice(MODERATION_REASONS))
    scored = sum(1 for line in ranking if line.status == "scored")  # moderating changes no status
    if scored:
        lead.shortlist(cohort, top=max(1, round(scored / 3)))

