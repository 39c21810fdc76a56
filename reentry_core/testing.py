"""Test fixtures for reentry and its plugins: a fresh migrated database per test (SQLite
always, PostgreSQL too when ``REENTRY_TEST_DATABASE_URL`` is set), staff to act as, and
the ``reentry`` CLI bound to that database. A plugin's ``conftest.py`` says::

    pytest_plugins = ["reentry_core.testing"]

and its tests ask for ``programme``, ``admin``, ``staff_as("trainer")`` or ``run_cli``.
Every test runs on a fixed "today" (:data:`TODAY`); override the ``reentry_today``
fixture to choose another.

SQLite: the schema (core and every installed plugin) is migrated once per session into
a template file that each test copies. PostgreSQL: one schema per session, migrated
once, emptied before each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import date

import pytest

from .plugins import load_plugins

TODAY = date(2026, 11, 23)
PG_URL = os.environ.get("REENTRY_TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_report_header(config):
    return f"reentry databases: {', '.join(BACKENDS)}" + (f" ({PG_URL})" if PG_URL else "")


@pytest.fixture
def reentry_today() -> date:
    """The date every programme and CLI call of a test takes as today."""
    return TODAY


@pytest.fixture(scope="session")
def plugin_manager():
    """The installed plugins, as the CLI loads them."""
    return load_plugins()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, plugin_manager):
    from .storage import engine as engines
    from .storage import schema

    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = engines.make_engine(f"sqlite:///{path}")
    schema.upgrade(engine, plugin_manager)
    engine.dispose()
    return path


def pg_url_with_schema(url: str, schema_name: str) -> str:
    """The same server and database, with ``search_path`` set to ``schema_name``."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema_name}"


@pytest.fixture(scope="session")
def postgresql_schema(plugin_manager):
    """A private schema on the test server, migrated once; dropped at the end."""
    if not PG_URL:
        pytest.skip("REENTRY_TEST_DATABASE_URL is not set")
    import sqlalchemy as sa

    from .storage import engine as engines
    from .storage import schema

    name = f"reentry_test_{uuid.uuid4().hex[:10]}"
    admin = engines.make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    url = pg_url_with_schema(PG_URL, name)
    engine = engines.make_engine(url)
    schema.upgrade(engine, plugin_manager)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {name} CASCADE"))
    admin.dispose()


def empty_postgresql(url: str) -> None:
    """Remove every row but the schema's own bookkeeping; restart the sequences."""
    import sqlalchemy as sa

    from .storage import engine as engines
    from .storage import metadata

    engine = engines.make_engine(url)
    with engine.begin() as conn:
        names = ", ".join(t.name for t in metadata.sorted_tables)
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A fresh, migrated, empty database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "reentry.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgresql_schema")
    empty_postgresql(url)
    return url


@pytest.fixture
def programme(database_url, plugin_manager, reentry_today):
    from .services import FixedClock, open_programme

    prog = open_programme(database_url, plugins=plugin_manager, clock=FixedClock(reentry_today))
    yield prog
    prog.close()


@pytest.fixture
def programme_with(database_url, reentry_today):
    """``programme_with(("name", plugin_object), …)`` opens the test database with inline
    plugins (and the installed ones too with ``installed=True``), or with exactly the
    plugin manager given as ``plugins=``. Closed at the end of the test."""
    from .services import FixedClock, open_programme

    opened = []

    def open_(*extra, installed: bool = False, plugins=None):
        pm = plugins if plugins is not None else load_plugins(extra=list(extra), entry_points=installed)
        prog = open_programme(database_url, plugins=pm, clock=FixedClock(reentry_today))
        opened.append(prog)
        return prog

    yield open_
    for prog in opened:
        prog.close()


def set_up(programme):
    """The first admin (ADM) and the Dushanbe and Khujand centres; returns ADM's context."""
    programme.bootstrap_admin("ADM", "Нигина Каримова")
    ctx = programme.act_as("ADM")
    ctx.centres.add("DSH", "Dushanbe reintegration centre", "Dushanbe")
    ctx.centres.add("KHJ", "Khujand reintegration centre", "Khujand")
    return ctx


@pytest.fixture
def admin(programme):
    """The first admin (ADM), with the Dushanbe and Khujand centres in place."""
    return set_up(programme)


@pytest.fixture
def staff_as(programme, admin):
    """``staff_as("case_worker")`` adds a staff member with that role at DSH and acts as them."""
    made: dict[str, object] = {}

    def make(*roles: str, code: str | None = None, centre: str = "DSH"):
        code = code or "".join(r[:2].upper() for r in roles) + str(len(made) + 1)
        if code not in made:
            admin.staff.add(code, "Staff Member", list(roles), centre)
            made[code] = programme.act_as(code)
        return made[code]

    return make


@pytest.fixture
def case_worker(staff_as):
    return staff_as("case_worker", code="CW1")


@pytest.fixture
def run_cli(database_url, plugin_manager, reentry_today):
    """Run the ``reentry`` CLI in-process against the test database, on the same fixed
    "today" as the ``programme`` fixture; returns click's Result."""
    from click.testing import CliRunner

    from .cli import build_cli
    from .services import FixedClock

    def run(*args: str, input: str | None = None):
        cli = build_cli(plugin_manager, clock=FixedClock(reentry_today))
        runner = CliRunner()
        return runner.invoke(cli, ["--db", database_url, *args], input=input, catch_exceptions=False)

    return run
