"""How fast are mentoring's read commands on a programme of realistic size?

    python benchmarks/mentoring_reports.py [--participants 1000] [--repeat 5]

Builds a fresh SQLite programme through the Python API: 40 mentors at three centres,
N participants with mentee profiles, each assigned the best suggested mentor and followed from a first
tranche between 2 and 14 months ago, with about three visits each (some with risk
flags, which open referrals). Then times, median of ``--repeat`` runs each:

* baseline: ``ctx.participants.list()`` (the core reading the same N people);
* ``ctx.mentoring.due()``, ``caseload()``, ``suggest(one)``, ``visits()`` and
  ``outcomes()`` (every mentoring indicator, computed by the core).

Prints each figure and its ratio to the baseline. The issue sets no target; the point
is that every command stays a small multiple of a plain list as the programme grows
(run with 1000 and 4000 to compare).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reentry_core import open_programme  # noqa: E402
from reentry_core.services import FixedClock  # noqa: E402
from reentry_mentoring.domain import add_months  # noqa: E402

TODAY = date(2026, 11, 23)
CENTRES = [("DSH", "Dushanbe reintegration centre", "Dushanbe"), ("KHJ", "Khujand reintegration centre", "Khujand"),
           ("BKH", "Bokhtar reintegration centre", "Bokhtar")]
NAMES = ["Мадина Сафарова", "Ҷамшед Раҳимов", "Фирдавс Назаров", "Гулнора Ҳасанова", "Зарина Каримова",
         "Умед Давлатов", "Ситора Юсупова", "Алишер Шарипов", "Нигина Олимова", "Сорбон Мирзоев"]
SECTORS = ["sewing", "cooking", "car repair", "carpentry", "hairdressing", "confectionery", "welding"]
RISKS = ["police_harassment", "debt", "family_conflict", "relapse", "health", "housing"]


def build(url: str, participants: int, rng: random.Random):
    prog = open_programme(url, clock=FixedClock(TODAY))
    prog.bootstrap_admin("ADM", "Нигина Каримова")
    admin = prog.act_as("ADM")
    for code, name, city in CENTRES:
        admin.centres.add(code, name, city)
    for i in range(40):
        code, centre = f"MN{i + 1:02d}", CENTRES[i % 3][0]
        admin.staff.add(code, "Ментор Тестов", ["mentor"], centre)
        admin.mentoring.set_profile(code, sex=rng.choice(["female", "male"]), capacity=participants // 30 + 10,
                                    languages=rng.choice(["tg", "tg,ru", "ru,uz"]),
                                    sectors=",".join(rng.sample(SECTORS, 2)))
    codes = []
    for i in range(participants):
        centre = CENTRES[i % 3][0]
        person = admin.participants.register(
            full_name=f"{NAMES[i % len(NAMES)]}", sex="female" if i % 3 == 0 else "male",
            birth_date=date(1970 + i % 35, 1 + i % 12, 1 + i % 28), centre=centre, registered_on="2025-01-10",
            allow_same_name=True)
        admin.participants.record_consent(person.code, given_on="2025-01-10")
        admin.mentoring.set_mentee(person.code, languages="tg", sector=rng.choice(SECTORS),
                                   same_sex_mentor=rng.choice([True, False, ""]))
        best = admin.mentoring.suggest(person.code, limit=1)[0].mentor  # as a case worker would
        admin.mentoring.assign(person.code, best, on="2025-01-10")
        start = TODAY - timedelta(days=rng.randint(60, 420))
        admin.mentoring.start_schedule(person.code, start)
        for months in (1, 3, 6):
            day = add_months(start, months) + timedelta(days=rng.randint(-10, 25))
            if day > TODAY or rng.random() < 0.15:
                continue
            flags = rng.sample(RISKS, 1) if rng.random() < 0.1 else []
            admin.mentoring.log_visit(person.code, visited_on=day, mode="on_site",
                                      business_status=rng.choice(["operating"] * 8 + ["temporarily_closed", "closed"]),
                                      revenue=rng.randint(1000, 9000), costs=rng.randint(500, 5000),
                                      owners=1, hired_workers=rng.randint(0, 3), equipment_seen=True, risk_flags=flags)
        codes.append(person.code)
    return prog, admin, codes


def median_ms(func, repeat: int) -> float:
    func()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(20261123)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        prog, admin, codes = build(f"sqlite:///{folder}/bench.db", args.participants, rng)
        built = time.perf_counter() - started
        visits = len(admin.mentoring.visits())
        print(f"programme: {args.participants} participants, 40 mentors, {visits} visits "
              f"(built through the API in {built:.1f} s, {built / (args.participants + visits) * 1000:.1f} ms a "
              f"participant or visit)")
        baseline = median_ms(lambda: admin.participants.list(), args.repeat)
        print(f"baseline  participants.list()        : {baseline:8.1f} ms")
        for label, func in [
            ("mentoring.due()", lambda: admin.mentoring.due()),
            ("mentoring.due(overdue=True)", lambda: admin.mentoring.due(overdue=True)),
            ("mentoring.caseload()", lambda: admin.mentoring.caseload()),
            ("mentoring.suggest(one)", lambda: admin.mentoring.suggest(codes[0])),
            ("mentoring.visits()", lambda: admin.mentoring.visits()),
            ("mentoring.outcomes()", lambda: admin.mentoring.outcomes()),
            ("mentoring.outcomes(by=sex,centre)", lambda: admin.mentoring.outcomes(by=("sex", "centre"))),
        ]:
            ms = median_ms(func, args.repeat)
            print(f"{label:34}: {ms:8.1f} ms  ({ms / baseline:5.1f}x the baseline)")
        prog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
