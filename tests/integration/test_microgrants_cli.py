"""reentry grants, used as people type it: what they read, the refusals of the issue's bad
inputs (one line, exit code, nothing written), --format json|csv, budget lines from a file."""

from __future__ import annotations

import csv
import io
import json

import pytest

from reentry_core.cli import walk_commands
from reentry_core.testing import TODAY
from tests.grants_support import desk, fakes, grants_pm, line, programme, run_cli  # noqa: F401  (fixtures)


@pytest.fixture
def grants(run_cli, desk, monkeypatch):
    """``grants("CM1", "vote", "R2026-001", "approve")`` runs ``reentry --as CM1 grants vote …``."""
    monkeypatch.setenv("COLUMNS", "250")

    def run(who: str, *args: str, fmt: str | None = None):
        return run_cli(*(["--format", fmt] if fmt else []), "--as", who, "grants", *args)

    return run


def events(desk) -> int:
    """How many audit events there are: every change writes one, so "nothing written" keeps it."""
    return desk.admin.audit.verify().checked


def refused(result, text: str, exit_code: int = 1) -> None:
    assert result.exit_code == exit_code, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and text in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def submitted(grants, desk, person: int, amount="8000") -> str:
    result = grants("CW1", "apply", "R2026", desk.people[person], "--line", line(amount), "--submit")
    assert result.exit_code == 0, result.output
    return result.stdout.split()[0]


# --- the whole path ------------------------------------------------------------------------------


def test_from_a_round_to_the_last_tranche(grants, desk, fakes):
    result = grants("ADM", "round", "add", "R2027", "--title", "Start-up grants 2027", "--donor", "EU, BMZ",
                    "--budget", "30000", "--min", "3000", "--max", "10000", "--opens", TODAY.isoformat(),
                    "--closes", "31.12.2026", "--tranche-plan", "60,40:verified")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added round R2027 (draft): budget 30,000.00 TJS, grants of 3,000.00 to "
                                    "10,000.00 TJS.")
    refused(grants("ADM", "round", "open", "R2027"), "its committee has 0 members, fewer than its quorum of 3",
            exit_code=8)
    assert grants("ADM", "committee", "add", "R2027", "CM1", "CM2", "CM3", "CM4").stdout == (
        "The committee of round R2027: CM1, CM2, CM3, CM4 (quorum 3).\n")
    assert "Round R2027 is open for applications from 2026-11-23 to 2026-12-31." in grants(
        "ADM", "round", "open", "R2027").stdout

    result = grants("CW1", "apply", "R2027", desk.people[0], "--contribution", "1500",
                    "--line", "Sewing machine;2;3500;in_kind;Textile LLC", "--line", "Fabric;10;120")
    assert result.stdout == f"R2027-001 of {desk.people[0]}: 8,200.00 TJS requested, draft.\n"
    assert grants("CW1", "submit", "R2027-001").stdout == (
        f"R2027-001 of {desk.people[0]}: 8,200.00 TJS requested, under review.\n")
    assert grants("CM4", "conflict", "declare", "R2027-001", "--kind", "neighbour", "--note",
                  "lives next door").stdout == "Recorded: CM4 has a conflict of interest (neighbour) on R2027-001.\n"
    assert grants("CM1", "vote", "R2027-001", "approve").stdout == "CM1 votes approve 8,200.00 on R2027-001.\n"
    assert grants("CM2", "vote", "R2027-001", "approve", "--amount", "7000").exit_code == 0
    assert grants("CM3", "vote", "R2027-001", "reject", "--reason", "costs_unrealistic", "--note",
                  "fabric is cheaper at the bazaar").exit_code == 0
    assert grants("CM1", "decide", "R2027-001").stdout == (
        "R2027-001 is approved (7,600.00): 2 approve, 1 reject, 0 abstain of 3 valid votes (quorum 3); amount: the "
        "median of the approving amounts 7,000.00, 8,200.00 = 7,600.00 TJS.\n")
    assert grants("FO1", "disburse", "R2027-001", "--method", "in_kind", "--items", "2 sewing machines",
                  "--supplier", "Textile LLC", "--receipt", "0457", "--eur-rate", "11.65").stdout == (
        "Tranche 1 of R2027-001: 4,560.00 TJS released on 2026-11-23 (in_kind). It counts once a second finance "
        "officer confirms it: reentry grants confirm R2027-001 --tranche 1\n")
    assert grants("FO2", "confirm", "R2027-001", "--tranche", "1").stdout == (
        "Tranche 1 of R2027-001 confirmed: 4,560.00 TJS.\n")
    fakes.mentoring.visit(desk.people[0])
    assert grants("FO1", "disburse", "R2027-001", "--method", "bank_transfer", "--reference", "TR-118").stdout == (
        "Tranche 2 of R2027-001: 3,040.00 TJS released on 2026-11-23 (bank_transfer). It counts once a second "
        "finance officer confirms it: reentry grants confirm R2027-001 --tranche 2\n")
    assert grants("FO2", "confirm", "R2027-001", "--tranche", "2").exit_code == 0

    story = grants("ME1", "show", "R2027-001")
    assert story.exit_code == 0, story.output
    for text in ("Application R2027-001 of — (DSH-2026-0001)", "completed", "Budget lines", "Sewing machine",
                 "Conflicts of interest", "lives next door", "Votes", "costs_unrealistic", "Decisions",
                 "median of the approving amounts", "Tranches", "0457", "mentoring visit 1, visit of 2026-11-23 by MN1",
                 "History", "under_review"):
        assert text in story.stdout, text
    record = json.loads(grants("ME1", "show", "R2027-001", fmt="json").stdout)
    assert (record["status"], record["approved"], record["disbursed"]) == ("completed", "7600.00", "7600.00")
    assert [v["member"] for v in record["votes"]] == ["CM1", "CM2", "CM3"]
    assert [c["member"] for c in record["conflicts"]] == ["CM4"]
    assert [t["amount"] for t in record["tranches"]] == ["4560.00", "3040.00"]
    assert record["tranches"][0]["amount_eur"] == "391.42"
    assert [h["event"] for h in record["history"]] == ["draft", "submitted", "under_review", "approved", "disbursing",
                                                      "confirmed", "disbursing", "completed"]


def test_budget_and_lists_for_people_and_for_scripts(grants, desk):
    desk.approved(0, "8000")
    desk.approved(1, "6000")
    table = grants("ADM", "budget", "R2026")
    assert "Budget of round R2026 (TJS)" in table.stdout and "14000.00" in table.stdout
    record = json.loads(grants("ADM", "budget", "R2026", fmt="json").stdout)
    assert record == {"round": "R2026", "currency": "TJS", "budget": "20000.00", "approved": "14000.00",
                      "returned": "0.00", "committed": "14000.00", "disbursed": "0.00", "pending": "0.00",
                      "remaining": "6000.00",
                      "grants": 2, "grants_to_women": 1, "women_share": "50.0%"}
    rows = list(csv.DictReader(io.StringIO(grants("CM1", "list", "--round", "R2026", fmt="csv").stdout)))
    assert [(r["code"], r["status"], r["granted"]) for r in rows] == [("R2026-001", "approved", "8000.00"),
                                                                     ("R2026-002", "approved", "6000.00")]
    assert [r["code"] for r in json.loads(grants("ADM", "round", "list", fmt="json").stdout)] == ["R2026"]
    shown = json.loads(grants("ADM", "round", "show", "R2026", fmt="json").stdout)
    assert (shown["committed"], shown["tranche_plan"]) == ("14000.00", "60% on signing, 40% after a verified visit")
    assert grants("ADM", "list", "--status", "rejected").stdout == "No applications found.\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1251"])
def test_budget_lines_from_a_file(grants, desk, tmp_path, encoding):
    path = tmp_path / "budget.csv"
    path.write_text("item;quantity;unit cost;kind;supplier\nШвейная машина;2;3 500;in_kind;Textile LLC\n"
                    "Ткань;10;120;cash;\n", encoding=encoding)
    result = grants("CW1", "apply", "R2026", desk.people[0], "--lines-file", str(path))
    assert result.stdout == f"R2026-001 of {desk.people[0]}: 8,200.00 TJS requested, draft.\n"
    assert [line.item for line in desk.admin.grants.get("R2026-001").lines] == ["Швейная машина", "Ткань"]


def test_a_lines_file_with_bad_rows_is_refused_whole_naming_each(grants, desk, tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text("item;quantity;unit_cost;kind\nSewing machine;2;3500,50;in_kind\nFabric;ten;120;cash\n"
                    "Thread;5;12.3456;cash\nScissors;1;80;loan\n", encoding="cp1251")
    before = events(desk)
    result = grants("CW1", "apply", "R2026", desk.people[0], "--lines-file", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == ["row 3, quantity: 'ten' is not a number", "row 4, unit_cost: 12.3456 has more than two decimals",
                     "row 5, kind: 'loan' is not one of cash, in_kind",
                     "Error: budget.csv: 3 of 4 rows are invalid; no budget line was used"]
    assert events(desk) == before


# --- the refusals of the issue --------------------------------------------------------------------


@pytest.mark.parametrize("value, message", [
    ("-5", "unit_cost: -5 must be more than zero"), ("0", "unit_cost: 0 must be more than zero"),
    ("abc", "unit_cost: 'abc' is not a number"), ("5000.1234", "unit_cost: 5000.1234 has more than two decimals"),
])
def test_bad_amounts_in_a_line_are_refused(grants, desk, value, message):
    before = events(desk)
    refused(grants("CW1", "apply", "R2026", desk.people[0], "--line", f"Oven;1;{value};cash"), f"line 1: {message}")
    assert events(desk) == before


@pytest.mark.parametrize("option, value, message", [
    ("--budget", "-100", "budget: -100 must be more than zero"), ("--budget", "0", "budget: 0 must be more than zero"),
    ("--min", "lots", "min_grant: 'lots' is not a number"),
    ("--budget", "1,000", "budget: 1,000 is ambiguous (is it 1000 or 1.000?): write 1000 or 1.00"),
    ("--budget", "1e12", "budget: 1e12 is not a number: write all its digits, not an exponent"),
    ("--budget", "1e30", "budget: 1e30 is not a number"),
    ("--budget", "99999999999999999.99", "budget: 99999999999999999.99 is more than the largest amount reentry "
                                         "takes (1 000 000 000.00)"), ("--max", "9000.9999", "max_grant: 9000.9999 has more than "
                                                                                 "two decimals"),
])
def test_bad_amounts_of_a_round_are_refused(grants, desk, option, value, message):
    args = {"--budget": "30000", "--min": "3000", "--max": "10000"}
    args[option] = value
    before = events(desk)
    refused(grants("ADM", "round", "add", "R2027", "--title", "x", "--opens", "2026-12-01", "--closes", "2026-12-31",
                   *[x for pair in args.items() for x in pair]), message)
    assert events(desk) == before


@pytest.mark.parametrize("args, message", [
    (["--contribution", "-1"], "own_contribution: -1 is negative"),
    (["--contribution", "1.0001"], "own_contribution: 1.0001 has more than two decimals"),
    (["--line", line("10000.01")], "requested 10,000.01 TJS is above the round's maximum grant of 10,000.00 TJS"),
])
def test_bad_applications_are_refused(grants, desk, args, message):
    before = events(desk)
    refused(grants("CW1", "apply", "R2026", desk.people[0], *(["--line", line(5000)] if "--line" not in args else []),
                   *args), message)
    assert events(desk) == before


def test_applying_to_a_closed_round(grants, desk):
    desk.admin.grants.close_round("R2026")
    before = events(desk)
    refused(grants("CW1", "apply", "R2026", desk.people[0], "--line", line(5000)), "cannot apply: round R2026 is closed",
            exit_code=8)
    assert events(desk) == before


def test_votes_that_are_refused(grants, desk):
    code = submitted(grants, desk, 0, "8000")
    desk.admin.staff.add("CM5", "Шоҳрух Мирзоев", ["committee_member"])
    grants("CM4", "conflict", "declare", code, "--kind", "relative", "--note", "her uncle")
    grants("CM1", "vote", code, "approve")
    before = events(desk)
    refused(grants("CM5", "vote", code, "approve"), "CM5 is not on the committee of round R2026", exit_code=3)
    refused(grants("CM4", "vote", code, "approve"), "CM4 declared a conflict of interest (relative) on R2026-001",
            exit_code=3)
    refused(grants("CM1", "vote", code, "abstain"), "CM1 has already voted on R2026-001 (approve 8,000.00)",
            exit_code=8)
    refused(grants("CM2", "vote", code, "approve", "--amount", "8500"),
            "amount 8,500.00 is more than the 8,000.00 TJS requested in R2026-001")
    refused(grants("CM2", "vote", code, "approve", "--amount", "-1"), "amount: -1 must be more than zero")
    refused(grants("CM2", "vote", code, "reject", "--reason", "weak_plan"), "note: a vote to reject explains itself")
    assert events(desk) == before
    assert grants("CM1", "vote", code, "abstain", "--change").stdout == "CM1 votes abstain on R2026-001.\n"


def test_decisions_that_are_refused(grants, desk):
    desk.approved(0, "8000")
    desk.approved(1, "8000")
    code = submitted(grants, desk, 2, "8000")
    desk.votes(code, "approve", "approve")
    before = events(desk)
    refused(grants("CM1", "decide", code), "no quorum on R2026-003: 2 valid votes, 3 needed (not yet voted: CM3, CM4)",
            exit_code=8)
    assert events(desk) == before
    desk.votes(code, "approve", members=["CM3"])
    before = events(desk)
    refused(grants("CM1", "decide", code), "approving R2026-003 for 8,000.00 TJS would commit more than round R2026 "
                                           "has left: budget 20,000.00, committed 16,000.00, remaining 4,000.00 TJS",
            exit_code=8)
    assert events(desk) == before
    assert desk.admin.grants.get(code).status.value == "under_review"


def test_tranches_that_are_refused(grants, desk):
    code = desk.approved(0, "8000")  # recorded by CM1
    desk.admin.staff.set_roles("CM1", add=["finance_officer"])
    before = events(desk)
    refused(grants("CM1", "disburse", code), "four eyes: CM1 recorded the approval of R2026-001", exit_code=3)
    refused(grants("FO1", "disburse", code, "--amount", "9000"),
            "a tranche of 9,000.00 would bring R2026-001 to 9,000.00, beyond the 8,000.00 TJS granted", exit_code=8)
    refused(grants("FO1", "disburse", code, "--amount", "0"), "amount: 0 must be more than zero")
    refused(grants("FO1", "disburse", code, "--amount", "1e3x"), "amount: '1e3x' is not a number")
    refused(grants("FO1", "disburse", code, "--method", "in_kind", "--items", "oven"),
            "a tranche in kind needs supplier, receipt")
    assert events(desk) == before
    assert grants("FO1", "disburse", code).exit_code == 0
    before = events(desk)
    refused(grants("FO1", "disburse", code), "tranche 1 of R2026-001 waits for a second person's confirmation",
            exit_code=8)
    refused(grants("FO1", "confirm", code, "--tranche", "1"),
            "four eyes: FO1 recorded tranche 1 of R2026-001, so someone else confirms it", exit_code=3)
    refused(grants("CM1", "confirm", code, "--tranche", "1"),
            "four eyes: CM1 took part in deciding R2026-001 (its decision, votes or tally sheet)", exit_code=3)
    assert events(desk) == before
    assert grants("FO2", "confirm", code, "--tranche", "1").exit_code == 0
    before = events(desk)
    refused(grants("FO1", "disburse", code), "tranche 2 of R2026-001 draws on part 2 of the plan (60% on signing, "
                                             "40% after a verified visit) and needs a verified visit on or after "
                                             "2026-11-23; none is on file. An admin may override", exit_code=8)
    assert events(desk) == before
    assert grants("ADM", "override", code, "--reason", "mentor on leave").exit_code == 0
    assert grants("FO1", "disburse", code).stdout.startswith(
        "Tranche 2 of R2026-001: 3,200.00 TJS released on 2026-11-23 (cash).")


def test_an_unknown_application_code(grants, desk):
    for args in (["show", "R2026-999"], ["vote", "R2026-999", "approve"], ["decide", "R2026-999"],
                 ["disburse", "R2026-999"], ["submit", "R2026-999"]):
        who = {"vote": "CM1", "decide": "CM1", "disburse": "FO1", "submit": "CW1"}.get(args[0], "ADM")
        refused(grants(who, *args), "application 'R2026-999' does not exist", exit_code=7)
    refused(grants("ADM", "budget", "R1999"), "grant round 'R1999' does not exist", exit_code=7)


def test_cancel_and_reduce_through_the_cli(grants, desk):
    code = desk.approved(0, "8000")
    assert grants("ADM", "reduce", code, "--to", "7000", "--reason", "cheaper oven").stdout == (
        "R2026-001 is reduced to 7,000.00 TJS (approved).\n")
    refused(grants("ADM", "reduce", code, "--to", "-7", "--reason", "x"), "to: -7 must be more than zero")
    assert grants("ADM", "cancel", code, "--reason", "moved away").stdout == (
        "R2026-001 is cancelled; the 0.00 TJS paid out stays committed, the rest is back in the budget of round "
        "R2026.\n")
    assert json.loads(grants("ADM", "budget", "R2026", fmt="json").stdout)["remaining"] == "20000.00"


def test_an_ineligible_application_is_reported_and_kept(grants, desk):
    desk.admin.participants.withdraw_consent(desk.people[0])
    result = grants("CW1", "apply", "R2026", desk.people[0], "--line", line(5000), "--submit")
    assert result.exit_code == 0
    assert result.stdout == (f"R2026-001 of {desk.people[0]} is ineligible and kept with its reasons: "
                             f"{desk.people[0]} has no consent in force for the programme\n")
    assert "no consent in force" in grants("ADM", "show", "R2026-001").stdout


def test_every_grants_command_explains_itself_with_an_example(grants_pm):
    from reentry_core.cli import build_cli

    group = build_cli(grants_pm).commands["grants"]
    for command in walk_commands(group):
        if command is group or not hasattr(command, "commands"):
            assert command.help and "reentry --as" in command.help, command.name
