"""How long ``reentry demo --scale national`` takes, plugin by plugin, and how big it is.

    python benchmarks/demo_national.py [--scale national] [--seed 1] [--db URL] [--until 2025-09]

Builds the demo on a fresh SQLite file (or ``--db``) with every installed plugin, exactly
as ``reentry demo`` does, and prints the seconds each plugin's ``demo_month`` hooks took,
the whole time, and the programme's size against the scale's named totals (participants,
plans, approved grants, visits). ``--until`` stops after that month, to time part of the
timeline while working on one plugin.

Target (issue 6): the whole national demo in under 3 minutes (180 s) on this machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from reentry_core.convert import parse_date  # noqa: E402
from reentry_core.demo import SCALES, run  # noqa: E402
from reentry_core.services import open_programme  # noqa: E402

TARGET_SECONDS = 180


def _count(conn, table: str, where: str = "") -> int | None:
    """Rows of a plugin's table (None when the plugin is not loaded)."""
    if not sa.inspect(conn).has_table(table):
        return None
    return conn.exec_driver_sql(f"SELECT count(*) FROM {table} {where}").scalar_one()


class PluginTimes:
    """The ``progress`` callback of :func:`reentry_core.demo.run` that adds up each plugin's
    seconds in its ``demo_month`` hooks (``spent``), printing a line a month to stderr."""

    def __init__(self):
        self.spent: dict[str, float] = defaultdict(float)
        self.plugin: str | None = None
        self.at = time.perf_counter()

    def __call__(self, i, n, what):
        now = time.perf_counter()
        if self.plugin:
            self.spent[self.plugin] += now - self.at
        self.plugin, self.at = (what.split(" ", 1)[1] if " " in what else None), now
        if what.endswith(" core"):
            print(f"  {what[:7]} " + "  ".join(f"{k} {v:.1f}" for k, v in self.spent.items()), file=sys.stderr,
                  flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=sorted(SCALES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="a database URL (default: a new SQLite file)")
    parser.add_argument("--until", help="stop after this month (YYYY-MM)")
    args = parser.parse_args()
    until = parse_date(f"{args.until}-01") if args.until else None
    progress = PluginTimes()
    spent = progress.spent
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'demo.db'}"
        with open_programme(url) as prog:
            started = time.perf_counter()
            run(prog, args.scale, seed=args.seed, progress=progress, until=until)
            total = time.perf_counter() - started
            with prog.reading() as conn:
                sizes = {
                    "participants": _count(conn, "participant"),
                    "plans": _count(conn, "bp_plan"),
                    "grants": _count(conn, "mg_application", "WHERE amount_approved IS NOT NULL"),
                    "visits": _count(conn, "mn_visit"),
                }
    scale = SCALES[args.scale]
    print(f"demo --scale {args.scale} --seed {args.seed}{f' --until {args.until}' if until else ''}: "
          f"{total:.1f} s in all (setup {total - sum(spent.values()):.1f} s)")
    for plugin, seconds in spent.items():
        print(f"  {plugin:<16} {seconds:7.1f} s")
    for name, made in sizes.items():
        if made is not None:
            print(f"  {name:<16} {made:7d} (the scale names {getattr(scale, name)})")
    if until is None:
        print(f"target < {TARGET_SECONDS} s: {'met' if total < TARGET_SECONDS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
