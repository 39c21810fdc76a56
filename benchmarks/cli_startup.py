"""How long `reentry --help` takes, against `python -c "import click, pluggy"`.

Target (core issue): at most 2x the baseline, median of several runs, same machine,
same run. Also checks that --help did not import SQLAlchemy.

    python benchmarks/cli_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 2.0


def median_seconds(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    reentry = str(Path(python).with_name("reentry"))
    baseline = median_seconds([python, "-c", "import click, pluggy"], args.runs)
    help_time = median_seconds([reentry, "--help"], args.runs)
    ratio = help_time / baseline
    modules = subprocess.run(
        [python, "-c", "import sys\nfrom reentry_core.cli import main\ntry:\n    main(['--help'])\n"
         "except SystemExit:\n    pass\nprint('sqlalchemy' in sys.modules, 'rich' in sys.modules, file=sys.stderr)"],
        capture_output=True, text=True, check=True,
    ).stderr.split()
    print(f"baseline  python -c 'import click, pluggy': {baseline * 1000:7.1f} ms (median of {args.runs})")
    print(f"reentry --help                           : {help_time * 1000:7.1f} ms (median of {args.runs})")
    print(f"ratio {ratio:.2f}x (target <= {TARGET:.1f}x) -> {'OK' if ratio <= TARGET else 'OVER TARGET'}")
    print(f"--help imported sqlalchemy: {modules[0]}, rich: {modules[1]}")
    loaded = subprocess.run([python, "-c", "from reentry_core.plugins import load_plugins\n"
                             "print(', '.join(load_plugins().loaded_names()))"], capture_output=True, text=True,
                            check=True).stdout.strip()
    print(f"plugins loaded: {loaded} (install tests/proof_plugin to measure with a fourth)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
