"""How fast is the programme report on a national programme, and what does its
small-count protection cost?

    python benchmarks/programme_report.py [--db sqlite:///national.db] [--repeat 5] [--audits 1]

Without ``--db`` it first builds the national demo (60,000 participants …) in a
temporary file, which takes a few minutes. Then, each ``--repeat`` times, it times:

* the whole programme report ``--by sex,centre`` with every loaded plugin, protected as an
  M&E officer gets it (target: under 3 s), and the same report with nothing hidden (what
  the report cost before the protection was proven by linear programming): the ratio is
  the price of the protection;
* the same protected report with the core's indicators only (the plugins disabled);
* hand-written SQL computing the same core figures by sex and centre with ``sqlite3``
  (registered, consented, referrals by service and by status: one GROUP BY each),

* the report as a person gets it, made from scratch each time: as the terminal's tables
  (``report programme --by sex,centre``, printed to a string) and as the donor's
  self-contained HTML file with its charts (``--out report.html``; target: under 5 s),
  with the ratio HTML / tables;

and ``--audits`` times the disclosure audit of the whole period (``reentry report audit``:
every breakdown, the funnel and the analyses attacked by linear programming; target:
under 60 s). It prints the medians, the ratio core report / hand-written SQL (target: at
most 2x before the protection was proven; the grids by all three dimensions and the
protection are the price that ratio now shows) and both ratios to the unprotected report.
Nothing is written to the database.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HAND_SQL = [
    # participants registered, by sex and centre
    """SELECT p.sex, c.code, COUNT(DISTINCT p.id) FROM participant p JOIN centre c ON c.id = p.centre_id
       GROUP BY p.sex, c.code""",
    # participants who gave consent
    """SELECT p.sex, c.code, COUNT(DISTINCT k.participant_id) FROM consent k JOIN participant p ON p.id = k.participant_id
       JOIN centre c ON c.id = p.centre_id GROUP BY p.sex, c.code""",
    # referrals by service, and by all services
    """SELECT r.service_type, p.sex, c.code, COUNT(*), COUNT(DISTINCT r.participant_id) FROM referral r
       JOIN participant p ON p.id = r.participant_id JOIN centre c ON c.id = p.centre_id
       GROUP BY r.service_type, p.sex, c.code""",
    """SELECT p.sex, c.code, COUNT(*), COUNT(DISTINCT r.participant_id) FROM referral r
       JOIN participant p ON p.id = r.participant_id JOIN centre c ON c.id = p.centre_id GROUP BY p.sex, c.code""",
    # referrals by status, and by all statuses
    """SELECT r.status, p.sex, c.code, COUNT(*), COUNT(DISTINCT r.participant_id) FROM referral r
       JOIN participant p ON p.id = r.participant_id JOIN centre c ON c.id = p.centre_id
       GROUP BY r.status, p.sex, c.code""",
    """SELECT p.sex, c.code, COUNT(*), COUNT(DISTINCT r.participant_id) FROM referral r
       JOIN participant p ON p.id = r.participant_id JOIN centre c ON c.id = p.centre_id GROUP BY p.sex, c.code""",
]


def hand_written(path: str) -> float:
    start = time.perf_counter()
    con = sqlite3.connect(path)
    for sql in HAND_SQL:
        con.execute(sql).fetchall()
    con.close()
    return time.perf_counter() - start


def report_time(url: str, plugins, protected: bool = True) -> tuple[float, int]:
    """One report --by sex,centre: as the M&E officer gets it, or with nothing hidden
    (built directly, so that no admin's audited request is written)."""
    from reentry_core import open_programme
    from reentry_core.reporting import Period
    from reentry_core.services.reports import build_report

    with open_programme(url, plugins=plugins) as programme:
        ctx = programme.act_as("ME1")
        start = time.perf_counter()
        if protected:
            report = ctx.reports.programme(by="sex,centre")
        else:
            with programme.reading() as conn:
                report, _build = build_report(conn, programme, Period(), None, ("sex", "centre"), None, "ME1")
        elapsed = time.perf_counter() - start
        return elapsed, sum(len(s.rows) for s in report.sections)


def output_times(url: str, plugins) -> tuple[float, float, int]:
    """The protected report --by sex,centre made and printed as tables, then made and
    rendered as the HTML file with its charts: (tables s, HTML s, bytes of HTML)."""
    import io

    import reentry_core.cli.report as cli_report
    from reentry_core import open_programme
    from reentry_core.services.report_html import render

    with open_programme(url, plugins=plugins) as programme:
        ctx = programme.act_as("ME1")
        start = time.perf_counter()
        report = ctx.reports.programme(by="sex,centre")
        buffer = io.StringIO()
        import rich.console

        original = rich.console.Console  # print_tables imports it when it runs: print into the buffer
        rich.console.Console = lambda *args, **kwargs: original(file=buffer, width=220)  # noqa: E731
        try:
            cli_report.print_tables(report)
        finally:
            rich.console.Console = original
        tables = time.perf_counter() - start
        start = time.perf_counter()
        html = render(ctx.reports.programme(by="sex,centre"))
        return tables, time.perf_counter() - start, len(html.encode("utf-8"))


def audit_time(url: str, plugins) -> tuple[float, int, int]:
    from reentry_core import open_programme

    with open_programme(url, plugins=plugins) as programme:
        start = time.perf_counter()
        audit = programme.act_as("ME1").reports.audit()
        return time.perf_counter() - start, len(audit.findings), len(audit.exposed)


def main(argv=None) -> int:
    from reentry_core.plugins import load_plugins

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="an existing national demo database (sqlite:///…)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--audits", type=int, default=1, help="how many times to time the audit")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="reentry-report-bench-") as tmp:
        url = args.db
        if url is None:
            from reentry_core import open_programme
            from reentry_core.demo import run

            url = f"sqlite:///{Path(tmp) / 'national.db'}"
            start = time.perf_counter()
            with open_programme(url) as programme:
                run(programme, "national", seed=1)
            print(f"built the national demo in {time.perf_counter() - start:.0f} s")
        path = url.removeprefix("sqlite:///")
        every, core_only = load_plugins(), load_plugins(entry_points=False)
        full, bare, core, hand, audits, tables, pages = [], [], [], [], [], [], []
        size = 0
        rows = core_rows = hidden = exposed = 0
        for _i in range(args.repeat):
            elapsed, rows = report_time(url, every)
            full.append(elapsed)
            bare.append(report_time(url, every, protected=False)[0])
            elapsed, core_rows = report_time(url, core_only)
            core.append(elapsed)
            hand.append(hand_written(path))
            table_s, html_s, size = output_times(url, every)
            tables.append(table_s)
            pages.append(html_s)
        for _i in range(args.audits):
            elapsed, hidden, exposed = audit_time(url, every)
            audits.append(elapsed)
        full_s, bare_s, core_s, hand_s = (statistics.median(v) for v in (full, bare, core, hand))
        with sqlite3.connect(path) as con:
            people = con.execute("SELECT COUNT(*) FROM participant").fetchone()[0]
        print(f"database: {people} participants; plugins: {', '.join(every.loaded_names())}")
        print(f"programme report --by sex,centre, every plugin, protected: {full_s:.2f} s ({rows} indicator rows) "
              f"(target < 3 s) -> {'OK' if full_s < 3 else 'NOT MET'}")
        print(f"the same with nothing hidden: {bare_s:.2f} s; protected / unprotected: {full_s / bare_s:.2f}x")
        tables_s, html_s = statistics.median(tables), statistics.median(pages)
        print(f"the report as tables: {tables_s:.2f} s; as the HTML file with its charts: {html_s:.2f} s "
              f"({size / 1024:.0f} KiB) (target < 5 s) -> {'OK' if html_s < 5 else 'NOT MET'}; "
              f"HTML / tables: {html_s / tables_s:.2f}x")
        if audits:
            audit_s = statistics.median(audits)
            print(f"disclosure audit of the whole period: {audit_s:.1f} s ({hidden} hidden cells, {exposed} exposed) "
                  f"(target < 60 s) -> {'OK' if audit_s < 60 and not exposed else 'NOT MET'}; "
                  f"audit / unprotected report: {audit_s / bare_s:.1f}x")
        print(f"core indicators only: report {core_s * 1000:.0f} ms ({core_rows} rows), hand-written SQL "
              f"{hand_s * 1000:.0f} ms, ratio {core_s / hand_s:.2f}x (target <= 2x) -> "
              f"{'OK' if core_s / hand_s <= 2 else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
