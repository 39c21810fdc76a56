"""features/journey: one participant through all three plugins, on a calendar that moves.

The shared steps (``reentry_core.testing``) type the commands; the programme and the CLI
here run on a clock the scenario sets ("Given it is 2026-03-10"), as a year passes.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from pytest_bdd import given, parsers, scenarios, then, when

from reentry_core.convert import parse_date
from reentry_core.services import FixedClock, open_programme
from reentry_core.testing import TODAY, explain, last_result

pytestmark = pytest.mark.usefixtures("database_url")

scenarios("journey")


class MovingClock(FixedClock):
    def move(self, day) -> None:
        self._today = day


@pytest.fixture
def clock():
    return MovingClock(TODAY)


@pytest.fixture
def programme(database_url, plugin_manager, clock):
    prog = open_programme(database_url, plugins=plugin_manager, clock=clock)
    yield prog
    prog.close()


@pytest.fixture
def run_cli(database_url, plugin_manager, clock, reading):
    from reentry_core.cli import build_cli

    def run(*args: str, input: str | None = None):
        lang = ["--lang", reading["lang"]] if reading["lang"] else []
        return CliRunner().invoke(build_cli(plugin_manager, clock=clock), ["--db", database_url, *lang, *args],
                                  input=input, catch_exceptions=False)

    return run


LANGUAGES = {"Tajik": "tg", "Russian": "ru"}


@pytest.fixture
def reading():
    """The language the staff read in (``--lang`` on each command), for the scenario only."""
    from reentry_core import i18n

    chosen: dict[str, str | None] = {"lang": None}
    yield chosen
    i18n.set_language("en")


@given(parsers.parse("the staff read reentry in {language}"))
def _(reading, language):
    reading["lang"] = LANGUAGES[language]


@given(parsers.parse("it is {day}"))
def _(clock, day):
    clock.move(parse_date(day))


@then(parsers.parse("grant {code} has {amount} TJS disbursed in two tranches"))
def _(programme, code, amount):
    tranches = programme.act_as("ADM").grants.tranches(code)
    assert len(tranches) == 2, tranches
    assert sum(t.amount for t in tranches) == Decimal(amount.replace(",", ""))


@then(parsers.parse('the report\'s funnel counts Зарина at every stage up to six months, each as "{shown}"'))
def _(world, shown):
    result = last_result(world)
    assert result.exit_code == 0, explain(world)
    funnel = json.loads(result.stdout)["funnel"]["sex"]
    stages = {stage["key"]: next(c for c in stage["cells"] if c["sex"] is None) for stage in funnel}
    for key in ("participants.registered", "plans.training_completed", "plans.shortlisted", "grants.approvals",
                "grants.first_tranche", "mentoring.survival_6m.operating"):
        assert stages[key]["shown"] == shown and stages[key]["value"] is None, (key, stages[key])


# --- the same year through the pages (features/journey/web.feature) ---------------------------

WEB_PASSWORD = "journey-password-1"


@pytest.fixture
def web(programme, world):
    """A signed-in browser-like client per staff code, on the scenario's programme and clock."""
    import re
    import warnings

    from reentry_core.web import make_app

    app = make_app(programme, secret="j" * 40)
    clients = world.setdefault("web", {})

    def client(code: str):
        if code not in clients:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from starlette.testclient import TestClient

                c = TestClient(app, base_url="http://127.0.0.1")
            token = re.search(r'name="csrf" value="([^"]+)"', c.get("/signin").text).group(1)
            page = c.post("/signin", data={"csrf": token, "code": code, "password": WEB_PASSWORD})
            assert page.status_code == 200 and f">{code}<" in page.text, page.text
            c.csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            clients[code] = c
        return clients[code]

    return client


def _notices(response) -> list[str]:
    import html
    import re

    return [html.unescape(m).strip() for m in re.findall(r'class="(?:error|flash)"[^>]*>([^<]+)<', response.text)]


@given("every staff member has a password for the workspace")
def _(programme):
    admin = programme.act_as("ADM")
    for member in admin.staff.list():
        admin.staff.set_password(member.code, WEB_PASSWORD)


@when(parsers.parse('{code} fills in the form at "{path}" with:'))
def _(web, world, code, path, datatable):
    c = web(code)
    data: dict[str, object] = {"csrf": c.csrf}
    for field, value in datatable[1:]:
        if field in data:  # a field given twice: several boxes ticked
            data[field] = [*([data[field]] if isinstance(data[field], str) else data[field]), value]
        else:
            data[field] = value
    world["page"] = c.post(path, data=data)


@when(parsers.parse('{code} marks everyone present on "{path}"'))
def _(web, world, code, path):
    import re

    c = web(code)
    people = sorted(set(re.findall(r'name="(mark-[^"]+)"', c.get(path).text)))
    assert people, f"nobody on the register at {path}"
    world["page"] = c.post(path, data={"csrf": c.csrf, **{name: "present" for name in people}})


@when(parsers.parse('{code} opens "{path}"'))
def _(web, world, code, path):
    world["page"] = web(code).get(path)


@then(parsers.parse('the page says "{text}"'))
def _(world, text):
    page = world["page"]
    notices = _notices(page)
    assert page.status_code == 200 and any(text in notice for notice in notices), (page.status_code, notices)


@then(parsers.parse('the page shows "{text}"'))
def _(world, text):
    page = world["page"]
    assert page.status_code == 200 and text in page.text, (page.status_code, _notices(page))
