"""Two desks writing at once: codes stay unique and the audit chain never forks."""

from __future__ import annotations

import multiprocessing
from datetime import date

PER_WORKER = 15


def _register_many(url: str, worker: int) -> list[str]:
    from reentry_core import open_programme

    programme = open_programme(url)
    ctx = programme.act_as("CW1")
    codes = []
    for i in range(PER_WORKER):
        p = ctx.participants.register(
            full_name=f"Worker {'ABCDEFGH'[worker]} Person {'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[i]}",
            sex="female" if i % 3 == 0 else "male", birth_date=date(1980 + i, 1, 1 + worker), centre="DSH",
        )
        codes.append(p.code)
    programme.close()
    return codes


def test_parallel_registrations_get_unique_codes_and_one_chain(database_url, case_worker, admin):
    workers = 3
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.starmap(_register_many, [(database_url, w) for w in range(workers)])
    codes = [code for batch in results for code in batch]
    assert len(codes) == len(set(codes)) == workers * PER_WORKER
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, workers * PER_WORKER + 1))
    result = admin.audit.verify()
    assert result.ok, result.problems
    assert result.checked == result.head_seq
