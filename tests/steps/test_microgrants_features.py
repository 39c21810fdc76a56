"""The microgrants features (features/microgrants/*.feature) and the steps only they use.

business_plans and mentoring are played by the stand-ins of ``tests/grants_support.py``
(the real ones are disabled), so a scenario says exactly which plan or visit exists.
Given steps set things up through ``ctx.grants`` as the admin, committee or finance.
"""

from __future__ import annotations

import csv
import re
from datetime import timedelta

import pytest
from pytest_bdd import given, parsers, scenarios, then

from reentry_core.convert import parse_date
from reentry_core.testing import TODAY
from tests.grants_support import fakes, grants_pm, line, programme, run_cli  # noqa: F401  (fixtures)
from reentry_core.testing import explain, last_result

pytestmark = pytest.mark.usefixtures("database_url")

scenarios("microgrants")

CODE = re.compile(r"[A-Z]+-\d{4}-\d{4}")


def amount(text: str) -> str:
    """``8,000`` as written in a feature → ``8000``."""
    return text.replace(",", "")


def members(text: str) -> list[str]:
    return re.findall(r"[A-Z0-9]+", text)


# --- Given: rounds, applications, votes, visits ----------------------------------------------

ROUND = (r"the open grant round (?P<code>\S+) has a budget of (?P<budget>[\d,]+) TJS for grants of (?P<low>[\d,]+) "
         r"to (?P<high>[\d,]+) TJS, a quorum of (?P<quorum>\d+),? (?:and )?the committee (?P<committee>[A-Z0-9, ]+?)"
         r"(?: and the tranche plan \"(?P<plan>[^\"]+)\")?$")


def open_round(admin, code, budget="20000", low="3000", high="10000", quorum=3, committee=(), plan="100", **extra):
    admin.grants.add_round(code, f"Grants {code}", budget=budget, min_grant=low, max_grant=high,
                           opens_on=TODAY - timedelta(days=20), closes_on=TODAY + timedelta(days=20),
                           quorum=quorum, tranche_plan=plan, **extra)
    admin.grants.add_committee_members(code, list(committee))
    admin.grants.open_round(code)


@given(parsers.re(ROUND))
def _(admin, code, budget, low, high, quorum, committee, plan):
    open_round(admin, code, amount(budget), amount(low), amount(high), int(quorum), members(committee), plan or "100")


@given(parsers.parse("the open grant round {code} requires a shortlisted plan and the committee {committee}"))
def _(admin, code, committee):
    open_round(admin, code, committee=members(committee), require_shortlisted_plan=True)


@given(parsers.re(r"(?P<people>.+?) (?:each )?applied in round (?P<round_code>\S+) for (?P<money>[\d,.]+) TJS$"))
def _(programme, admin, people, round_code, money):
    grants = programme.act_as("CW1").grants
    for code in CODE.findall(people):
        grants.apply(round_code, code, [line(amount(money))], submit=True)


VOTE = re.compile(r"^(?P<choice>approve|reject|abstain)(?: (?P<amount>[\d.]+))?(?: (?P<reason>\w+): (?P<note>.+))?$")


@given("these votes:")
def _(programme, datatable):
    header, *rows = datatable
    for row in rows:
        cells = dict(zip(header, row))
        application = cells.pop("application")
        for member, cell in cells.items():
            if not cell.strip():
                continue
            vote = VOTE.match(cell.strip())
            assert vote, f"write a vote as 'approve [AMOUNT]', 'reject REASON: NOTE' or 'abstain', not {cell!r}"
            programme.act_as(member).grants.vote(application, vote["choice"], amount=vote["amount"],
                                                 reason=vote["reason"], note=vote["note"])


@given(parsers.parse("{person} was granted {money} TJS in round {round_code}, approved by {member}"))
def _(programme, admin, person, money, round_code, member):
    app = programme.act_as("CW1").grants.apply(round_code, person, [line(amount(money))], submit=True)
    committee = admin.grants.get_round(round_code).committee
    for voter in committee[:3]:
        programme.act_as(voter).grants.vote(app.code, "approve")
    programme.act_as(member).grants.decide(app.code)


@given(parsers.parse("a mentor visited {person} on {day} and found the business operating with the equipment in "
                     "place"))
def _(fakes, person, day):
    fakes.mentoring.visit(person, parse_date(day))


@given(parsers.re(r"the first tranche of (?P<code>\S+) was released(?: and confirmed by (?P<checker>\S+))?$"))
def _(programme, code, checker):
    programme.act_as("FO1").grants.disburse(code)
    if checker:
        programme.act_as(checker).grants.confirm_tranche(code, 1)


@given(parsers.parse("{member} is also a finance officer"))
def _(admin, member):
    admin.staff.set_roles(member, add=["finance_officer"])


@given(parsers.parse("{person}'s shortlisted plan scored {score}"))
def _(fakes, person, score):
    fakes.plans.give_plan(person, score=score)


@given(parsers.re(r'a (?:tally|payment) sheet "(?P<name>[^"]+)" with:'))
def _(tmp_path, monkeypatch, name, datatable):
    monkeypatch.chdir(tmp_path)  # the secretary types the file name as it is in their folder
    with open(tmp_path / name, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(datatable)


# --- Then -----------------------------------------------------------------------------------


@then(parsers.parse('the refusal names "{text}"'))
def _(world, text):
    result = world["result"]
    assert result.exit_code != 0 and text in result.output.splitlines(), result.output


@then(parsers.re(r"(?P<code>\S+) has (?P<count>\d+) tranches?$"))
def _(admin, code, count):
    assert len(admin.grants.tranches(code)) == int(count)



@then("they read these figures:")
def _(world, datatable):
    result = last_result(world)
    assert result.exit_code == 0, explain(world)
    lines = {" ".join(text.split()) for text in result.output.splitlines()}
    header, *rows = datatable
    for field, value in rows:
        assert f"{field} {value}" in lines, f"{field} is not {value}:" + explain(world)


@then(parsers.parse("application {code} is {status}"))
def _(admin, code, status):
    assert admin.grants.get(code).status.value == status


@then(parsers.parse("round {code} has no applications"))
def _(admin, code):
    assert admin.grants.applications(round=code) == []


@then(parsers.parse("{code} has no tranches"))
def _(admin, code):
    assert admin.grants.tranches(code) == []
