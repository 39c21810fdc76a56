"""Test fixtures for reentry and its plugins: a fresh migrated database per test (SQLite
always, PostgreSQL too when ``REENTRY_TEST_DATABASE_URL`` is set), staff to act as, and
the ``reentry`` CLI bound to that database. A plugin's ``conftest.py`` says::

    pytest_plugins = ["reentry_core.testing"]

and its tests ask for ``programme``, ``admin``, ``staff_as("trainer")`` or ``run_cli``; its
Gherkin features use the shared steps below ("the administrator ADM has set up these
centres:", "these staff members:", "the trainer types \"reentry …\"", "they read \"…\"",
"the command is refused with \"…\"" …), so they read like the built-in ones.
Every test runs on a fixed "today" (:data:`TODAY`); override the ``reentry_today``
fixture to choose another.

SQLite: the schema (core and every installed plugin) is migrated once per session into
a template file that each test copies. PostgreSQL: one schema per session, migrated
once, emptied before each test.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import uuid
from datetime import date

import pytest
from pytest_bdd import given, parsers, then, when

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
        conn.execute(sa.text("INSERT INTO access_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
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


# === Shared Gherkin steps =================================================================
#
# Given steps set things up through the Python API (as the admin ADM unless said). When
# steps run the CLI in-process, exactly as typed::
#
#     When the case worker types "reentry --as CW1 participants show DSH-2026-0001"
#     When the case worker types:
#       """
#       reentry --as CW1 participants add --name "Ҷамшед Раҳимов" --sex male ...
#       """
#
# The answer (click's Result) is kept in ``world["result"]``. Then steps check what the
# user reads (``result.output`` and the exit code), or the stored data through the API.
# A feature folder binds its scenarios with ``scenarios("<folder>")`` in its own test
# module, which also says ``pytestmark = pytest.mark.usefixtures("database_url")`` (steps
# ask for fixtures only while they run, too late for pytest to run the scenario once per
# database backend).


# --- tags -----------------------------------------------------------------------------


def pytest_bdd_apply_tag(tag, function):
    """``@known_bug``: a scenario that shows a reported bug; expected to fail (strict
    xfail, so it turns red once the bug is fixed and the tag should go)."""
    if tag == "known_bug":
        pytest.mark.xfail(strict=True, reason="shows a known bug (see the scenario)")(function)
        return True
    return None


# --- the scenario's memory and the CLI --------------------------------------------------


@pytest.fixture
def world() -> dict:
    """What a scenario remembers between steps: the last CLI answer, files written …"""
    return {}


@pytest.fixture
def type_command(run_cli, world, monkeypatch):
    """Run a command line as typed (``reentry --as CW1 …``); keep and return the Result."""
    # Wide enough that rich never wraps a table cell; English messages; no stray defaults.
    monkeypatch.setenv("COLUMNS", "250")
    for name in ("REENTRY_LANG", "REENTRY_FORMAT", "REENTRY_USER"):
        monkeypatch.delenv(name, raising=False)

    def run(command: str):
        command = re.sub(r"\\\n\s*", " ", command.strip())  # shell line continuations
        args = shlex.split(command)
        assert args and args[0] == "reentry", f"a typed command starts with 'reentry': {command!r}"
        result = run_cli(*args[1:])
        world["result"] = result
        world["command"] = command
        return result

    return run


def last_result(world):
    assert "result" in world, "no command was typed in this scenario"
    return world["result"]


def explain(world) -> str:
    result = world["result"]
    return f"\n$ {world['command']}\n(exit code {result.exit_code})\n{result.output}"


def output_lines(world) -> list[str]:
    return [line.strip() for line in last_result(world).output.splitlines()]


def table_rows(output: str) -> list[dict[str, str]]:
    """The rows of a rich table as printed, as dicts by column header."""
    header: list[str] | None = None
    rows = []
    for line in output.splitlines():
        if "┃" in line and header is None:
            header = [c.strip() for c in line.strip().strip("┃").split("┃")]
        elif "│" in line and header is not None:
            cells = [c.strip() for c in line.strip().strip("│").split("│")]
            rows.append(dict(zip(header, cells)))
    return rows


# --- Given: centres, staff, participants, consent, referrals ------------------------------


@given(parsers.parse("the administrator {code} has set up these centres:"))
def _(code, admin, datatable):
    assert code == admin.code, f"the admin of the test programme is {admin.code}"
    header, *rows = datatable
    existing = {c.code: c for c in admin.centres.list()}
    for row in rows:
        centre = dict(zip(header, row))
        if centre["code"] in existing:
            assert existing[centre["code"]].city == centre["city"]
        else:
            admin.centres.add(centre["code"], centre.get("name") or f"{centre['city']} centre", centre["city"])


@given("these staff members:")
def _(admin, datatable):
    header, *rows = datatable
    for row in rows:
        member = dict(zip(header, row))
        roles = [r.strip() for r in member["role"].split(",")]
        admin.staff.add(member["code"], member["name"], roles, member.get("centre") or None)


SENSITIVE_LABELS = {"release date": "release_date", "facility": "facility", "offence": "offence_category",
                    "phone": "phone"}


def _register(programme, name, sex, born, centre, code, details=None):
    fields = {"full_name": name, "sex": sex, "birth_date": born, "centre": centre, **(details or {})}
    participant = programme.act_as("ADM").participants.register(**fields)
    assert participant.code == code, f"registered as {participant.code}, the scenario expects {code}"
    return participant


REGISTERED = r'"(?P<name>[^"]+)", (?P<sex>\w+), born (?P<born>[\d.-]+), was registered at (?P<centre>[A-Z]+) as (?P<code>[A-Z]+-\d{4}-\d{4})'


@given(parsers.re(REGISTERED))
def _(programme, admin, name, sex, born, centre, code):
    _register(programme, name, sex, born, centre, code)


@given(parsers.re(REGISTERED + ", with these details:"))
def _(programme, admin, world, name, sex, born, centre, code, datatable):
    details = {SENSITIVE_LABELS[label.strip()]: value.strip() for label, value in datatable}
    world["details"] = dict(datatable)
    _register(programme, name, sex, born, centre, code, details)


def _scopes(text: str) -> list[str]:
    from reentry_core.domain import ConsentScope

    scopes = [s for s in ConsentScope.values() if s in text]
    assert scopes, f"no consent scope named in {text!r}"
    return scopes


@given(parsers.parse("{code} gave consent to {what}"))
def _(programme, admin, code, what):
    programme.act_as("ADM").participants.record_consent(code, scope=_scopes(what))


@given(parsers.parse('{code} was referred to "{to_whom}" for {service} help, and the referral is {status}'))
def _(programme, admin, world, code, to_whom, service, status):
    referrals = programme.act_as("ADM").referrals
    referral = referrals.add(code, service, to_whom, f"{service} help")
    path = {"open": [], "accepted": ["accepted"], "done": ["accepted", "done"], "declined": ["declined"],
            "cancelled": ["cancelled"]}[status]
    for step in path:
        referral = referrals.update(referral.id, step)
    world["referral"] = referral


@given(parsers.re(r'a (?P<kind>register|score sheet|plans sheet|visit sheet|tally sheet) "(?P<name>[^"]+)" with:'))
def _(tmp_path, monkeypatch, kind, name, datatable):
    """A spreadsheet the user filled in, saved as CSV in their folder (the one they type commands in)."""
    import csv

    monkeypatch.chdir(tmp_path)
    with open(tmp_path / name, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(datatable)


# --- When: what the user types --------------------------------------------------------


@when(parsers.parse('the {who} types "{command}"'))
def _(type_command, who, command):
    type_command(command)


@when(parsers.parse("the {who} types:"))
def _(type_command, who, docstring):
    type_command(docstring)


# --- Then: what the user reads ----------------------------------------------------------


@then(parsers.parse('they read "{text}"'))
def _(world, text):
    result = last_result(world)
    assert result.exit_code == 0, explain(world)
    assert text in output_lines(world), f"no line reads {text!r}:" + explain(world)


@then(parsers.parse('they see "{text}"'))
def _(world, text):
    result = last_result(world)
    assert result.exit_code == 0, explain(world)
    assert text in result.output, f"{text!r} is not shown:" + explain(world)


@then(parsers.parse('they do not see "{text}"'))
def _(world, text):
    assert text not in last_result(world).output, f"{text!r} is shown:" + explain(world)


@then("the command succeeds")
def _(world):
    assert last_result(world).exit_code == 0, explain(world)


@then(parsers.parse('the command is refused with "{text}"'))
def _(world, text):
    result = last_result(world)
    assert result.exit_code != 0, "the command was not refused:" + explain(world)
    assert text in result.output, f"the refusal does not say {text!r}:" + explain(world)
    assert any(line.startswith(("Error:", "Usage:")) for line in output_lines(world)), explain(world)


@then(parsers.parse('the refusal names "{text}"'))
def _(world, text):
    """One line of a refused file import names a bad row."""
    result = last_result(world)
    assert result.exit_code != 0 and text in output_lines(world), explain(world)


@then(parsers.parse('the command is refused as not allowed: "{text}"'))
def _(world, text):
    result = last_result(world)
    assert result.exit_code == 3, "expected exit code 3 (permission denied):" + explain(world)
    assert text in result.output, explain(world)


@then(parsers.parse("they see these rows:"))
def _(world, datatable):
    result = last_result(world)
    assert result.exit_code == 0, explain(world)
    header, *wanted = datatable
    shown = table_rows(result.output)
    for row in wanted:
        expected = dict(zip(header, row))
        assert any(all(r.get(k) == v for k, v in expected.items()) for r in shown), (
            f"no row {expected}:" + explain(world))


# --- Then: what is stored -------------------------------------------------------------


@then(parsers.re(r"the register holds (?P<count>\d+) participants?"), converters={"count": int})
def _(programme, admin, count):
    people = programme.act_as("ADM").participants.list()
    assert len(people) == count, [p.code for p in people]


@then(parsers.parse('participant {code} is "{name}", born {born}, at {centre}'))
def _(programme, admin, code, name, born, centre):
    from reentry_core.convert import parse_date

    participant = programme.act_as("ADM").participants.get(code)
    assert participant.full_name == name, (participant.full_name, name)
    assert participant.birth_date == parse_date(born)
    assert participant.centre == centre


@then(parsers.parse("referral {number:d} is {status}"))
def _(programme, admin, number, status):
    referral = programme.act_as("ADM").referrals.get(number)
    assert referral.status.value == status, referral


@then("there are no referrals")
def _(programme, admin):
    assert programme.act_as("ADM").referrals.list() == []


@then(parsers.parse("the audit trail has no {action} event"))
def _(programme, admin, action):
    events = programme.act_as("ADM").audit.log(action=action)
    assert events == [], events
