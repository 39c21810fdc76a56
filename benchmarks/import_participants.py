"""How fast is ``reentry participants import`` against the floor of raw SQLite?

    python benchmarks/import_participants.py [--rows 50000] [--repeat 3] [--consent-share 0]

Generates a CSV of realistic participants (Tajik and Russian names in Cyrillic, three
centres, birth / release / registration dates, phones, facilities), then times:

* raw: a fresh SQLite file with the same ``participant`` table (DDL from
  ``reentry_core.storage.metadata``), the CSV read with ``csv`` and inserted with one
  ``sqlite3`` ``executemany`` in one transaction (and the consent rows with another) —
  no checks, no audit, no hooks;
* reentry: a fresh database through ``open_programme``, an admin and the three centres,
  then ``ctx.participants.import_file(path)`` — every check, codes, duplicates, the audit
  trail (one hash-chained event per batch of 1,000, indexed by each person's code), hooks.

Each is run ``--repeat`` times on a fresh database and the median is printed, with the
ratio (target: at most 4x). Peak memory (tracemalloc, in separate runs since tracing
slows Python down) is measured for N and N/5 rows, to show it stays flat as the file
grows.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from reentry_core.storage import metadata  # noqa: E402

CENTRES = [("DSH", "Dushanbe reintegration centre", "Dushanbe"),
           ("KHJ", "Khujand reintegration centre", "Khujand"),
           ("BKH", "Bokhtar reintegration centre", "Bokhtar")]

MALE_FIRST = ["Ҷамшед", "Фирдавс", "Сорбон", "Умед", "Алишер", "Бахтиёр", "Дилшод", "Фаррух", "Ҳамид", "Қодир",
              "Рустам", "Шерзод", "Искандар", "Зафар", "Мирзо", "Иван", "Сергей", "Алексей", "Дмитрий", "Николай"]
FEMALE_FIRST = ["Фарангис", "Нигина", "Мадина", "Зарина", "Гулноза", "Шабнам", "Манижа", "Тахмина", "Дилором",
                "Ситора", "Мавзуна", "Ольга", "Наталья", "Елена", "Татьяна"]
SURNAMES = ["Раҳимов", "Назаров", "Саидов", "Каримов", "Давлатов", "Шарипов", "Қурбонов", "Ғафуров", "Ҳасанов",
            "Юсупов", "Мирзоев", "Исмоилов", "Азизов", "Сафаров", "Олимов", "Иванов", "Петров", "Смирнов",
            "Кузнецов", "Соколов"]
PATRONYMIC_ROOTS = ["Абдулло", "Рашид", "Карим", "Саид", "Нур", "Аҳмад", "Мурод", "Файзулло"]
FACILITIES = ["ИК-1 Душанбе", "ИК-2 Ёвон", "ИК-3 Хуҷанд", "ИК-5 Бохтар", "СИЗО-1", None]
OFFENCES = ["property", "violent", "drug_related", "economic", "traffic", "other", None]

HEADER = ["full_name", "sex", "birth_date", "centre", "phone", "release_date", "facility", "offence_category",
          "registered_on", "consent_given_on", "consent_scope"]

TODAY = date.today()


def generate_csv(path: Path, rows: int, consent_share: float, seed: int = 7) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(rows):
            female = rnd.random() < 0.15
            first = rnd.choice(FEMALE_FIRST if female else MALE_FIRST)
            surname = rnd.choice(SURNAMES) + ("а" if female else "")
            # a patronymic makes (name, birth date) collisions rare, as in real registers
            patronymic = rnd.choice(PATRONYMIC_ROOTS) + ("евна" if female else "евич")
            birth = TODAY - timedelta(days=rnd.randint(18 * 365, 65 * 365))
            release = TODAY - timedelta(days=rnd.randint(10, 700))
            registered = release + timedelta(days=rnd.randint(0, 9))
            if registered > TODAY:
                registered = TODAY
            consent = registered.isoformat() if rnd.random() < consent_share else ""
            w.writerow([
                f"{surname} {first} {patronymic}",
                "female" if female else "male",
                birth.isoformat(),
                CENTRES[i % 3][0],
                f"+992 9{rnd.randint(0, 9)} {rnd.randint(100, 999)} {rnd.randint(10, 99)} {rnd.randint(10, 99)}",
                release.isoformat(),
                rnd.choice(FACILITIES) or "",
                rnd.choice(OFFENCES) or "",
                registered.isoformat(),
                consent,
                "programme,referrals" if consent else "",
            ])


# --- raw sqlite3 ---------------------------------------------------------------------------


def raw_database(path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)  # the same DDL as the real schema: indexes included
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = WAL")
    con.executemany("INSERT INTO centre (id, code, name, city) VALUES (?, ?, ?, ?)",
                    [(i + 1, *c) for i, c in enumerate(CENTRES)])
    con.commit()
    con.close()


def raw_import(db: Path, csv_path: Path) -> float:
    centre_ids = {c[0]: i + 1 for i, c in enumerate(CENTRES)}
    start = time.perf_counter()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA synchronous = NORMAL")  # as reentry's own engine
    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        today = TODAY.isoformat()
        counters = {}
        params = []
        consents = []
        for name, sex, birth, centre, phone, release, facility, offence, registered, given, scope in reader:
            number = counters[centre] = counters.get(centre, 0) + 1
            if given:  # the fresh table numbers participants 1, 2, … in file order
                consents.append((len(params) + 1, given, scope))
            params.append((f"{centre}-{TODAY.year}-{number:04d}", centre_ids[centre], name, name.casefold(), sex,
                           birth, registered or today, phone or None, release or None, facility or None,
                           offence or None, "active"))
    con.execute("BEGIN IMMEDIATE")
    con.executemany(
        "INSERT INTO participant (code, centre_id, full_name, name_key, sex, birth_date, registered_on, phone, "
        "release_date, facility, offence_category, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", params)
    con.executemany("INSERT INTO consent (participant_id, given_on, scope) VALUES (?, ?, ?)", consents)
    con.execute("COMMIT")
    con.close()
    return time.perf_counter() - start


# --- reentry -----------------------------------------------------------------------------


def reentry_context(db: Path):
    from reentry_core import open_programme
    from reentry_core.plugins import load_plugins

    programme = open_programme(f"sqlite:///{db}", plugins=load_plugins(entry_points=False))
    programme.bootstrap_admin("ADM", "Admin")
    ctx = programme.act_as("ADM")
    for code, name, city in CENTRES:
        ctx.centres.add(code, name, city)
    return programme, ctx


def reentry_import(db: Path, csv_path: Path, trace_memory: bool = False):
    programme, ctx = reentry_context(db)
    try:
        gc.collect()
        if trace_memory:
            tracemalloc.start()
        start = time.perf_counter()
        report = ctx.participants.import_file(csv_path)
        elapsed = time.perf_counter() - start
        peak = None
        if trace_memory:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return elapsed, peak, report
    finally:
        programme.close()


# --- main --------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--consent-share", type=float, default=0.0,
                        help="share of rows with consent_given_on (adds consent rows and events)")
    parser.add_argument("--profile", action="store_true", help="cProfile one reentry import")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="reentry-bench-") as tmp:
        folder = Path(tmp)
        small_rows = max(1, args.rows // 5)
        big_csv, small_csv = folder / "big.csv", folder / "small.csv"
        generate_csv(big_csv, args.rows, args.consent_share)
        generate_csv(small_csv, small_rows, args.consent_share)
        size = big_csv.stat().st_size
        print(f"file: {args.rows} rows, {size / 1e6:.1f} MB; consent on {args.consent_share:.0%} of rows")

        if args.profile:
            import cProfile
            import pstats

            programme, ctx = reentry_context(folder / "profile.db")
            profiler = cProfile.Profile()
            profiler.enable()
            ctx.participants.import_file(big_csv)
            profiler.disable()
            programme.close()
            pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(int(os.environ.get("TOP", "25")))
            return 0

        def fresh(name: str) -> Path:
            db = folder / name
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.remove(f"{db}{suffix}")
                except FileNotFoundError:
                    pass
            return db

        raw_times, reentry_times = [], []
        report = None
        for i in range(args.repeat):
            db = fresh("raw.db")
            raw_database(db)
            raw_times.append(raw_import(db, big_csv))
            elapsed, _peak, report = reentry_import(fresh("reentry.db"), big_csv)
            reentry_times.append(elapsed)
        raw, ours = statistics.median(raw_times), statistics.median(reentry_times)
        assert report is not None and report.imported + report.duplicate_count == args.rows, report
        print(f"import {args.rows} rows: reentry {ours:.2f} s, raw sqlite3 executemany {raw:.2f} s, "
              f"ratio {ours / raw:.1f}x (target <= 4x)")
        print(f"  runs: reentry {', '.join(f'{t:.2f}' for t in reentry_times)} s; "
              f"raw {', '.join(f'{t:.2f}' for t in raw_times)} s; "
              f"{report.imported} imported, {report.duplicate_count} duplicates skipped, "
              f"{report.first_code} .. {report.last_code}")
        print(f"  reentry: {ours / args.rows * 1e6:.1f} µs per row; raw: {raw / args.rows * 1e6:.1f} µs per row")

        _t, big_peak, _r = reentry_import(fresh("mem-big.db"), big_csv, trace_memory=True)
        _t, small_peak, _r = reentry_import(fresh("mem-small.db"), small_csv, trace_memory=True)
        print(f"peak memory (tracemalloc): {args.rows} rows {big_peak / 1e6:.1f} MB, "
              f"{small_rows} rows {small_peak / 1e6:.1f} MB, ratio {big_peak / small_peak:.2f} "
              f"for {args.rows / small_rows:.0f}x the rows (flat is ~1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
