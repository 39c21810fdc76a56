"""How long does ``audit verify`` take on a national programme, and what do its parts cost?

    python benchmarks/audit_verify.py --db sqlite:///national.db [--repeat 3]

Times, on an existing database (``reentry demo --scale national --db …`` builds one):

* chain: every event's seal and link, the key index, the erasure marks
  (``audit.verify_chain``);
* data: every audited table's rows (the core's and each plugin's) replayed from their
  audited changes (``audit_state.problems``);
* verify: the command's whole check (both).

and prints the median of each, the number of events and people, and the ratio of the
whole check to the chain alone (the price of noticing rows changed behind reentry's back).
"""

from __future__ import annotations

import argparse
import statistics
import time

import sqlalchemy as sa


def _time(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a database URL, e.g. sqlite:///national.db")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    from reentry_core import open_programme
    from reentry_core.services import audit, audit_state
    from reentry_core.storage import tables as t

    programme = open_programme(options.db)
    admin = programme.act_as(programme.engine.connect().execute(
        sa.select(t.staff.c.code).join(t.staff_role).where(t.staff_role.c.role == "admin")).scalars().first())
    with programme.engine.connect() as conn:
        events = conn.execute(sa.select(sa.func.count()).select_from(t.audit_event)).scalar_one()
        people = conn.execute(sa.select(sa.func.count()).select_from(t.participant)).scalar_one()

        def chain():
            assert audit.verify_chain(conn, programme.audit_key).ok

        def data():
            assert audit_state.problems(conn, programme.pm.relay.audited_tables()) == []

        chain_s = _time(options.repeat, chain)
        data_s = _time(options.repeat, data)
    whole_s = _time(options.repeat, lambda: admin.audit.verify())
    print(f"{events:,} events, {people:,} participants ({options.db})")
    print(f"chain   {chain_s:7.2f} s  (seals, links, key index, erasure marks)")
    print(f"data    {data_s:7.2f} s  (every audited table's rows against their audited changes)")
    print(f"verify  {whole_s:7.2f} s  (audit verify: both); {whole_s / chain_s:.2f}x the chain alone")


if __name__ == "__main__":
    main()
