"""SQLite: readers never wait for a writer. A long import holds the write lock; meanwhile
opening the database, lists and shows answer at once, and a second writer waits up to the
busy timeout and then says plainly that nothing was written."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from reentry_core.errors import DatabaseError
from reentry_core.services import FixedClock, open_programme
from reentry_core.storage import engine as engines


@pytest.fixture
def sqlite_file(database_url) -> Path:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL readers never wait for writers (MVCC)")
    return Path(database_url.removeprefix("sqlite:///"))


@pytest.fixture
def writer_holding_the_lock(sqlite_file, admin, case_worker):
    """Another process's long import: the write lock taken and held, a row changed."""
    case_worker.participants.register(full_name="Зарина Ашурова", sex="female", birth_date="1991-07-04",
                                      centre="DSH")
    other = sqlite3.connect(sqlite_file, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE participant SET phone = '+992 00 000 0000'")
    yield other
    other.execute("ROLLBACK")
    other.close()


def test_reading_goes_on_while_another_writes(writer_holding_the_lock, database_url, plugin_manager,
                                              reentry_today):
    start = time.perf_counter()
    with open_programme(database_url, plugins=plugin_manager, clock=FixedClock(reentry_today)) as programme:
        worker = programme.act_as("CW1")
        listed = worker.participants.list()
        shown = worker.participants.get(listed[0].code)
        trail = programme.act_as("ADM").audit.verify()
    assert time.perf_counter() - start < 2  # not the busy timeout (15 s)
    assert [p.full_name for p in listed] == ["Зарина Ашурова"]
    assert shown.phone is None  # the uncommitted change is not seen
    assert trail.ok


def test_a_second_writer_is_told_plainly_that_nothing_was_written(writer_holding_the_lock, database_url,
                                                                   plugin_manager, reentry_today, monkeypatch):
    monkeypatch.setattr(engines, "SQLITE_BUSY_TIMEOUT_MS", 300)
    with open_programme(database_url, plugins=plugin_manager, clock=FixedClock(reentry_today)) as programme:
        worker = programme.act_as("CW1")
        code = worker.participants.list()[0].code
        with pytest.raises(DatabaseError, match=r"busy with another change .* nothing was written"):
            worker.participants.update(code, facility="Колонияи 3")
    writer_holding_the_lock.execute("ROLLBACK")
    writer_holding_the_lock.execute("BEGIN")  # for the fixture's own rollback
    with open_programme(database_url, plugins=plugin_manager, clock=FixedClock(reentry_today)) as programme:
        assert programme.act_as("CW1").participants.get(code).facility is None
