"""How long mentoring's part of ``reentry demo`` takes, against the core's part in the same run.

    python benchmarks/demo_mentoring.py [--scale national] [--seed 1] [--db URL]

Runs the whole demo timeline (core + mentoring) on a fresh database. Microgrants is
stood in for by the tests' ``DemoGrants`` (tests/integration/mentoring_support.py) that,
each month, approves an even share of ``scale.grants`` among the people registered the
month before and releases their first tranche through the contract's events (``grant_approved``, ``tranche_released``), as the
real one does; mentoring's follow-up schedules start from those events.

Prints the seconds spent in each plugin's ``demo_setup`` + ``demo_month`` hooks, the
visits logged against ``scale.visits``, and mentoring's time as a ratio of the core's.
Target (issue 6): mentoring's part at most ~50 s at national scale, so that the whole
``reentry demo --scale national`` stays under 3 minutes with every plugin.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from reentry_core.demo import SCALES, run  # noqa: E402
from reentry_core.plugins import load_plugins  # noqa: E402
from reentry_core.services import open_programme  # noqa: E402
from reentry_mentoring import tables as t  # noqa: E402
from benchmarks.demo_national import PluginTimes  # noqa: E402
from tests.integration.mentoring_support import DemoGrants  # noqa: E402

TARGET_SECONDS = 50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=sorted(SCALES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="a database URL (default: a new SQLite file)")
    args = parser.parse_args()
    pm = load_plugins(extra=[("fake_microgrants", DemoGrants())], disabled={"microgrants", "business_plans"})
    progress = PluginTimes()
    spent = progress.spent
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'demo.db'}"
        with open_programme(url, plugins=pm) as prog:
            started = time.perf_counter()
            run(prog, args.scale, seed=args.seed, progress=progress)
            total = time.perf_counter() - started
            with prog.reading() as conn:
                visits = conn.execute(sa.select(sa.func.count()).select_from(t.visit)).scalar_one()
                schedules = conn.execute(sa.select(sa.func.count()).select_from(t.schedule)).scalar_one()
    months = spent.copy()
    print(f"demo --scale {args.scale} --seed {args.seed}: {total:.1f} s in all "
          f"(setup {total - sum(months.values()):.1f} s)")
    for plugin, seconds in sorted(months.items()):
        print(f"  {plugin:<16} {seconds:7.1f} s in demo_month")
    print(f"  follow-ups started {schedules}, visits logged {visits} (scale.visits {SCALES[args.scale].visits})")
    ratio = months["mentoring"] / months["core"]
    print(f"mentoring / core: {ratio:.2f}x; mentoring target ≤ {TARGET_SECONDS} s: "
          f"{'met' if months['mentoring'] <= TARGET_SECONDS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
