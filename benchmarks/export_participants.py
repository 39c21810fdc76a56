"""How fast is ``reentry participants export`` (CSV and XLSX)?

    python benchmarks/export_participants.py [--rows 20000] [--repeat 3]

Imports a generated file of participants (the same generator as
``benchmarks/import_participants.py``) into a fresh SQLite database once, then times the
identified export to CSV and to XLSX ``--repeat`` times each and prints the medians.
Every text cell goes through the one formula-safe writer (``reentry_core.sheets``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from import_participants import generate_csv, reentry_context  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reentry-bench-") as tmp:
        folder = Path(tmp)
        generate_csv(folder / "intake.csv", args.rows, 0.0)
        programme, ctx = reentry_context(folder / "export.db")
        try:
            report = ctx.participants.import_file(folder / "intake.csv")
            print(f"{report.imported} participants")
            for kind in ("csv", "xlsx"):
                times = []
                for i in range(args.repeat):
                    start = time.perf_counter()
                    count = ctx.participants.export_file(folder / f"out{i}.{kind}")
                    times.append(time.perf_counter() - start)
                print(f"export {kind}: {count} rows, median {statistics.median(times):.2f} s "
                      f"(runs {', '.join(f'{t:.2f}' for t in times)}); "
                      f"{statistics.median(times) / count * 1e6:.1f} µs per row")
        finally:
            programme.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
