"""The benchmarks before and after a change: the same scripts, run against two installs.

    python benchmarks/before_after.py [--base de67a56] [--quick] [name ...]

Checks out ``--base`` (default: the commit before the plugin SDK and sheet pipeline
redesign, issue 13) into a temporary worktree with its own virtual environment (made once,
kept in the system's temporary folder), then runs each benchmark of this tree's
``benchmarks/`` folder with that install ("before") and with the current one ("after"),
and prints their figures side by side, with each run's wall time. The scripts use only the
public API, so the same script measures both. ``--quick`` runs smaller sizes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "de67a5641d6377c75f8a27221cf569e860732e16"  # before 2634e9d "core: reentry_core.sdk …"

#: name → (arguments, quick arguments)
RUNS = {
    "import_participants": (["--rows", "50000", "--repeat", "3"], ["--rows", "10000", "--repeat", "1"]),
    "export_participants": (["--rows", "20000", "--repeat", "3"], ["--rows", "5000", "--repeat", "1"]),
    "plans_ranking": (["--plans", "20000", "--repeat", "3"], ["--plans", "4000", "--repeat", "1"]),
    "mentoring_reports": (["--participants", "1000", "--repeat", "5"], ["--participants", "300", "--repeat", "1"]),
    "cli_startup": (["--runs", "15"], ["--runs", "5"]),
}


def _install(base: str) -> Path:
    """A worktree of ``base`` with a venv holding it (made once)."""
    home = Path(tempfile.gettempdir()) / f"reentry-bench-{base[:12]}"
    tree, python = home / "tree", home / "venv" / "bin" / "python"
    if not python.exists():
        home.mkdir(parents=True, exist_ok=True)
        if not tree.exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), base], check=True,
                           stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(tree)], check=True,
                       stderr=subprocess.DEVNULL)
    return python


def _current() -> Path:
    """A venv holding this tree (editable, so uncommitted changes count) and no other plugin,
    like the one for ``base`` (made once)."""
    home = Path(tempfile.gettempdir()) / f"reentry-bench-current-{abs(hash(str(ROOT))) % 10**8}"
    python = home / "venv" / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(ROOT)], check=True,
                       stderr=subprocess.DEVNULL)
    return python


def _run(python: Path | str, name: str, args: list[str]) -> tuple[str, float]:
    started = time.perf_counter()
    done = subprocess.run([str(python), str(ROOT / "benchmarks" / f"{name}.py"), *args], capture_output=True,
                          text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, cwd=tempfile.gettempdir())
    seconds = time.perf_counter() - started
    text = done.stdout + (f"\n[exit {done.returncode}] {done.stderr.strip()[-400:]}" if done.returncode else "")
    return text, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help="the commit measured as 'before'")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one repeat")
    parser.add_argument("names", nargs="*", help=f"which benchmarks (default: {', '.join(RUNS)})")
    options = parser.parse_args()
    base = subprocess.run(["git", "-C", str(ROOT), "rev-parse", options.base], capture_output=True, text=True,
                          check=True).stdout.strip()
    before, after = _install(base), _current()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    for name in options.names or list(RUNS):
        full, quick = RUNS[name]
        args = quick if options.quick else full
        print(f"=== {name} {' '.join(args)}")
        for label, python in ((f"before ({base[:7]})", before), (f"after ({head} and the working tree)", after)):
            text, seconds = _run(python, name, args)
            print(f"--- {label}: {seconds:.1f} s wall")
            print(text.rstrip())
        print()


if __name__ == "__main__":
    main()
