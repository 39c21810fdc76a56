"""How fast are the web workspace's pages with many staff signed in at once?

    python benchmarks/web_latency.py [--db URL] [--users 20] [--requests 10]

Starts ``reentry serve`` (a separate process, as on the centre's computer) on a copy of the
database (``--db``: an existing demo, e.g. the national one built by ``reentry demo
--scale national --db sqlite:///national.db``, about four minutes; default: the small demo,
built here in seconds), gives the staff a password, signs in ``--users`` people at once
over loopback (mentors, committee members, trainers, finance officers, case workers and
M&E officers of several centres, round-robin), and has each open their role's main pages
``--requests`` times, all concurrently, each pausing ``--think`` seconds (on average) to
read a page before the next tap (``--think 0``: a stress test, every user at once without
pause). Prints p50 and p95 latency per page and over the
lists and forms; the target (issue 17) is p95 under 300 ms for lists and forms on SQLite
with 20 users. The programme report is timed apart (it computes every indicator).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "benchmark-password-1"
TARGET_MS = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str | None, folder: Path) -> str:
    """A copy of ``url`` (SQLite) or the small demo, with every staff member's password set."""
    from reentry_core import open_programme
    from reentry_core.demo import run

    path = folder / "bench.db"
    if url:
        if not url.startswith("sqlite:///"):
            target = url  # PostgreSQL: used as it is (passwords are set on it)
        else:
            shutil.copy(url.removeprefix("sqlite:///"), path)
            target = f"sqlite:///{path}"
    else:
        target = f"sqlite:///{path}"
        with open_programme(target) as programme:
            run(programme, "small", seed=1)
    with open_programme(target) as programme:
        admin = programme.act_as("ADM")
        for member in admin.staff.list():
            admin.staff.set_password(member.code, PASSWORD)
    return target


def plan_users(url: str, users: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """``users`` people, round-robin over the roles, each with the pages of their work."""
    from reentry_core import open_programme

    with open_programme(url) as programme:
        admin = programme.act_as("ADM")
        staff = admin.staff.list()
        by_role: dict[str, list[str]] = {}
        for member in staff:
            for role in member.roles:
                by_role.setdefault(role.value, []).append(member.code)
        grants = admin.grants
        rounds = [r.code for r in grants.rounds()]
        applications = [a.code for a in grants.applications(round=rounds[-1])][:5] if rounds else []
        cohorts = [c.code for c in admin.plans.cohorts()][-5:]
        due = {}
        for mentor in by_role.get("mentor", []):
            rows = programme.act_as(mentor).mentoring.due(mentor=mentor)
            if rows:
                due[mentor] = rows[0].participant
    pages = {
        "mentor": lambda code: [("visits due", "/mentoring/due"), ("caseload", "/mentoring/caseload")]
        + ([("visit form", f"/mentoring/visit/{due[code]}")] if code in due else []),
        "committee_member": lambda code: [("agenda", "/grants/agenda")]
        + [("application", f"/grants/application/{a}") for a in applications[:2]],
        "finance_officer": lambda code: [("tranches", "/grants/tranches")],
        "trainer": lambda code: [("cohorts", "/plans/cohorts")]
        + [("cohort", f"/plans/cohort/{c}") for c in cohorts[:1]]
        + [("attendance form", f"/plans/cohort/{c}/session/1") for c in cohorts[:1]],
        "case_worker": lambda code: [("participants", "/participants"), ("referrals", "/referrals"),
                                     ("registration form", "/participants/new")],
        "me_officer": lambda code: [("indicators", "/report/indicators")],
    }
    order = ["mentor", "committee_member", "trainer", "finance_officer", "case_worker", "me_officer"]
    chosen, taken = [], {role: 0 for role in order}
    while len(chosen) < users:
        for role in order:
            codes = by_role.get(role, [])
            if not codes or len(chosen) >= users:
                continue
            code = codes[taken[role] % len(codes)]
            taken[role] += 1
            chosen.append((code, pages[role](code)))
    return chosen


def serve(url: str, port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "reentry_core", "--db", url, "serve", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/signin", timeout=2)
            return process
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise SystemExit("the server did not start")
            time.sleep(0.2)


def user(base: str, code: str, pages, requests: int, timings: dict, report: bool, start: threading.Barrier,
         think: float = 0.0):
    import httpx

    with httpx.Client(base_url=base, timeout=60) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)
        r = client.post("/signin", data={"csrf": token, "code": code, "password": PASSWORD}, follow_redirects=True)
        assert f">{code}<" in r.text, f"{code} could not sign in"
        for _name, path in pages:  # one untimed pass: templates compiled, caches warm
            client.get(path)
        start.wait()
        for _ in range(requests):
            for name, path in pages:
                began = time.perf_counter()
                r = client.get(path)
                took = (time.perf_counter() - began) * 1000
                assert r.status_code == 200, f"{code} {name}: {r.status_code}"
                timings.setdefault(name, []).append(took)
                if think:  # a person reads the page before the next tap (spread, so users do not march in step)
                    time.sleep(think * (0.5 + random.random()))
        if report:
            began = time.perf_counter()
            assert client.get("/report").status_code == 200
            timings.setdefault("programme report", []).append((time.perf_counter() - began) * 1000)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="an existing demo database (copied first when SQLite)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10, help="rounds of each user's pages")
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a person looks at a page before the next (0: every user requests without "
                             "pause, a stress test)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        url = prepare(args.db, Path(folder))
        people = plan_users(url, args.users)
        print(f"prepared {url.split('///')[-1] if url.startswith('sqlite') else 'the database'} "
              f"in {time.perf_counter() - began:.1f} s; {len(people)} users")
        port = _free_port()
        process = serve(url, port)
        try:
            timings: dict[str, list[float]] = {}
            start = threading.Barrier(len(people))
            report_by = next((i for i, (_c, pages) in enumerate(people)
                              if ("indicators", "/report/indicators") in pages), -1)
            threads = [threading.Thread(target=user, args=(f"http://127.0.0.1:{port}", code, pages, args.requests,
                                                           timings, i == report_by, start, args.think))
                       for i, (code, pages) in enumerate(people)]
            wall = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - wall
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"{sum(len(v) for v in timings.values())} requests by {len(people)} concurrent users in {wall:.1f} s "
          f"(think time {args.think:g} s)")
    print(f"{'page':<20} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}")
    lists = []
    for name, values in sorted(timings.items()):
        print(f"{name:<20} {len(values):>5} {statistics.median(values):>8.0f} {percentile(values, 95):>8.0f}")
        if name != "programme report":
            lists += values
    p95 = percentile(lists, 95)
    print(f"{'lists and forms':<20} {len(lists):>5} {statistics.median(lists):>8.0f} {p95:>8.0f}"
          f"   target p95 < {TARGET_MS} ms: {'met' if p95 < TARGET_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
