"""Gherkin steps shared by every feature (centres, staff, acting as someone).

This module is named in ``pytest_plugins`` of ``tests/conftest.py``, so its fixtures and
steps are visible to every test; a feature folder binds its scenarios with
``scenarios("<folder>")`` in its own ``test_*.py`` module, which should also say
``pytestmark = pytest.mark.usefixtures("database_url")``: steps ask for fixtures only
while they run, too late for pytest to run the scenario once per database backend.

Conventions
-----------
* Given steps set things up through the Python API (as the admin ADM unless said).
* When steps run the CLI in-process, exactly as typed::

      When the case worker types "reentry --as CW1 participants show DSH-2026-0001"
      When the case worker types:
        \"\"\"
        reentry --as CW1 participants add --name "Ҷамшед Раҳимов" --sex male ...
        \"\"\"

  The answer (click's Result) is kept in ``world["result"]``.
* Then steps check what the user reads (``result.output``: stdout and stderr as a
  terminal shows them, and the exit code), or the stored data through the API.

Tags a feature or scenario may carry (handled here, so no pytest mark is made for them):

* ``@needs_participant_files``: skipped while ``reentry_core/services/participant_files.py``
  (file import/export) does not exist yet.
* ``@known_bug``: a scenario that shows a reported bug; expected to fail (strict xfail,
  so it turns red once the bug is fixed and the tag should go).
"""

from __future__ import annotations

import importlib.util
import re
import shlex

import pytest
from pytest_bdd import given, parsers, then, when

# --- tags -----------------------------------------------------------------------------

PARTICIPANT_FILES = "reentry_core.services.participant_files"


def participant_files_missing() -> bool:
    return importlib.util.find_spec(PARTICIPANT_FILES) is None


def pytest_bdd_apply_tag(tag, function):
    if tag == "needs_participant_files":
        pytest.mark.skipif(
            participant_files_missing(),
            reason="reentry_core/services/participant_files.py (participant import) is not written yet",
        )(function)
        return True
    if tag == "known_bug":
        pytest.mark.xfail(strict=True, reason="shows a known bug in reentry_core (see the scenario)")(function)
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
