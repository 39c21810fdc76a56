"""``reentry mentoring``: what people read (tables, one-line errors, exit codes) and what
scripts get (JSON, CSV); a refused command writes nothing."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
import sqlalchemy as sa

from reentry_mentoring import tables as t
from tests.integration.mentoring_support import (  # noqa: F401  (fixtures)
    add_mentor, clock, grants, grants_pm, programme, register, run_cli,
)
from reentry_core.testing import table_rows


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def desk(admin, clock):
    add_mentor(admin, "MN1", "Фарида Каримова", "female", capacity=1, languages="tg,ru", sectors="sewing")
    add_mentor(admin, "MN2", "Раҳим Назаров", "male", capacity=3, languages="tg", sectors="")
    admin.staff.add("CW1", "Зарина Назарова", ["case_worker"], "DSH")
    code = register(admin, "Мадина Сафарова", "female")
    admin.mentoring.set_mentee(code, languages="tg", sector="sewing", same_sex_mentor=True)
    return code


def written(prog) -> dict[str, int]:
    with prog.engine.connect() as conn:
        return {table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in t.TABLES}


def one_error(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code != 0 and len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def test_the_help_of_every_command_has_an_example(run_cli):
    for command in ("profile", "mentors", "mentee", "suggest", "assign", "unassign", "schedule", "due", "visit",
                    "visits", "caseload", "outcomes", "settings"):
        result = run_cli("mentoring", command, "--help")
        assert result.exit_code == 0 and "reentry --as" in result.output, command


def test_suggest_prints_the_ranking_with_reasons_and_json_for_scripts(run_cli, desk):
    rows = table_rows(run_cli("--as", "CW1", "mentoring", "suggest", desk).output)
    assert [(r["rank"], r["mentor"], r["score"]) for r in rows] == [("1", "MN1", "100"), ("2", "MN2", "65")]
    assert "knows sewing (+25)" in rows[0]["reasons"]
    data = json.loads(run_cli("--as", "CW1", "--format", "json", "mentoring", "suggest", desk, "--limit", "1").stdout)
    assert data == [{"rank": 1, "mentor": "MN1", "full_name": "Фарида Каримова", "centre": "DSH", "score": 100,
                     "mentees": "0 / 1", "reasons": "same centre DSH (+30); knows sewing (+25); speaks tg (+20); "
                                                    "1 of 1 places free (+15); a woman, as asked (+10)"}]


def test_assign_reassign_and_capacity_from_the_command_line(run_cli, desk, admin, programme):
    result = run_cli("--as", "CW1", "mentoring", "assign", desk, "--mentor", "MN1", "--on", "2026-06-01")
    assert result.output == "Assigned MN1 to DSH-2026-0001 from 2026-06-01.\n"
    other = register(admin, "Гулнора Ҳасанова", "female")
    before = written(programme)
    assert one_error(run_cli("--as", "CW1", "mentoring", "assign", other, "--mentor", "MN1")) == (
        "Error: MN1 already follows 1 person, the capacity of their profile; an admin can assign anyway with "
        "--override-capacity REASON")
    assert one_error(run_cli("--as", "CW1", "mentoring", "assign", other, "--mentor", "CW1")) == (
        "Error: CW1 (case_worker) is not a mentor; give them the role first: reentry staff roles CW1 --add mentor")
    assert written(programme) == before
    result = run_cli("--as", "ADM", "mentoring", "assign", other, "--mentor", "MN1", "--override-capacity",
                     "the only woman mentor")
    assert result.output == ("Assigned MN1 to DSH-2026-0002 from 2026-11-23. Beyond capacity: the only woman "
                             "mentor.\n")
    result = run_cli("--as", "CW1", "--format", "json", "mentoring", "assign", desk, "--mentor", "MN2", "--reason",
                     "MN1 is full")
    data = json.loads(result.stdout)
    assert data["mentor"] == "MN2" and data["previous"]["mentor"] == "MN1"
    assert data["previous"]["end_reason"] == "MN1 is full"
    result = run_cli("--as", "CW1", "mentoring", "unassign", desk, "--reason", "moved away")
    assert result.output == "MN2 no longer mentors DSH-2026-0001 (from 2026-11-23).\n"


def test_a_schedule_by_hand_then_due_with_the_overdue_marked(run_cli, desk, admin):
    admin.mentoring.assign(desk, "MN1", on="2026-06-01")
    result = run_cli("--as", "CW1", "mentoring", "schedule", desk, "--from", "10.06.2026", "--grant", "G-2026-001")
    assert result.output == ("Follow-up of DSH-2026-0001 started on 2026-06-10: 4 visits due, the first on "
                             "2026-07-10 (window 2026-06-26 … 2026-07-24).\n")
    assert one_error(run_cli("--as", "CW1", "mentoring", "schedule", desk, "--from", "2026-06-10", "--grant",
                             "G-2026-001")) == (
        "Error: grant G-2026-001 already has a follow-up schedule (DSH-2026-0001, active)")
    shown = table_rows(run_cli("--as", "CW1", "mentoring", "schedule", desk).output)
    assert [(r["visit"], r["state"]) for r in shown] == [
        ("1 month", "missed"), ("3 months", "OVERDUE"), ("6 months", "upcoming"), ("12 months", "upcoming")]
    due = table_rows(run_cli("--as", "MN1", "mentoring", "due", "--mentor", "MN1").output)
    assert [(r["due on"], r["visit"], r["state"]) for r in due] == [
        ("2026-09-10", "3-month visit", "OVERDUE: window closed 2026-09-24"),
        ("2026-12-10", "6-month visit", "in 17 days"),
        ("2027-06-10", "12-month visit", "in 199 days")]
    overdue = json.loads(run_cli("--as", "MN1", "--format", "json", "mentoring", "due", "--overdue").stdout)
    assert [(r["participant"], r["months"], r["state"], r["overdue"], r["days"]) for r in overdue] == [
        ("DSH-2026-0001", 3, "overdue", True, -74)]
    assert run_cli("--as", "MN1", "mentoring", "due", "--mentor", "MN2").output == "No visits due.\n"
    assert run_cli("--as", "MN1", "mentoring", "due", "--within", "-1").exit_code == 2
    result = run_cli("--as", "CW1", "mentoring", "schedule", desk, "--end", "moved to Russia for work")
    assert result.output == "Follow-up of DSH-2026-0001 ended on 2026-11-23.\n"


def test_logging_a_visit_says_what_it_did(run_cli, desk, admin, clock):
    admin.mentoring.assign(desk, "MN1", on="2026-06-01")
    admin.mentoring.start_schedule(desk, "2026-06-10")
    clock.move_to(date(2026, 7, 12))
    result = run_cli("--as", "MN1", "mentoring", "visit", desk, "--on", "2026-07-12", "--mode", "on site",
                     "--status", "operating", "--revenue", "4500", "--costs", "2800", "--owner", "1", "--hired", "2",
                     "--equipment-seen", "--risk", "police_harassment,debt", "--risk-note", "police ask for money")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Logged visit 1: DSH-2026-0001 on 2026-07-12 by MN1, the 1-month visit, on time.",
        "This visit verifies the business for the next tranche: operating, equipment seen.",
        "Opened referral 1 for debt: legal → Legal aid (debt advice).",
        "No new referral for police harassment: referral 1 (legal → Legal aid (debt advice)) is still open.",
    ]
    result = run_cli("--as", "MN1", "--format", "json", "mentoring", "visit", desk, "--on", "2026-07-12", "--mode",
                     "phone", "--status", "temporarily closed")
    data = json.loads(result.stdout)
    assert data["placement"] == "extra visit" and data["business_status"] == "temporarily_closed"
    assert data["verifies"] is False and data["risks"] == []
    listing = list(csv.DictReader(io.StringIO(run_cli("--as", "CW1", "--format", "csv", "mentoring", "visits",
                                                      desk).stdout)))
    assert [(r["id"], r["profit"], r["people_working"], r["placement"], r["risk_flags"]) for r in listing] == [
        ("1", "1700.00", "3", "1 month, on time", "debt, police_harassment"), ("2", "", "", "extra visit", "")]
    assert listing[0]["fulfilment"] == "on_time" and listing[0]["due_months"] == "1"


@pytest.mark.parametrize("args, error", [
    (["--as", "MN2", "--on", "2026-07-12"], "Error: MN2 is not the mentor of DSH-2026-0001 (MN1 is, since "
                                            "2026-06-01); only the assigned mentor or an admin logs visits"),
    (["--as", "MN1", "--on", "2026-07-13"], "Error: visit date 2026-07-13 is in the future"),
    (["--as", "MN1", "--on", "2026-06-01"], "Error: visit date 2026-06-01 is before DSH-2026-0001's follow-up "
                                            "started (2026-06-10)"),
    (["--as", "MN1", "--revenue", "-50"], "Error: revenue: -50 is negative"),
    (["--as", "MN1", "--status", "open for business"], "Error: business_status: 'open for business' is not one of "
                                                        "operating, temporarily_closed, closed, not_started"),
    (["--as", "MN1", "--risk", "gambling"], "Error: risk_flags: 'gambling' is not one of relapse, "
                                            "police_harassment, debt, family_conflict, health, housing, other"),
])
def test_every_bad_visit_is_refused_in_one_line_and_nothing_is_written(run_cli, desk, admin, programme, clock, args,
                                                                      error):
    admin.mentoring.assign(desk, "MN1", on="2026-06-01")
    admin.mentoring.start_schedule(desk, "2026-06-10")
    clock.move_to(date(2026, 7, 12))
    before = written(programme)
    actor, rest = args[:2], args[2:]
    options = {"--mode": "on_site", "--status": "operating"}
    for i in range(0, len(rest), 2):
        options[rest[i]] = rest[i + 1]
    flat = [part for pair in options.items() for part in pair]
    assert one_error(run_cli(*actor, "mentoring", "visit", desk, *flat)) == error
    assert written(programme) == before
    assert admin.referrals.list() == []


def test_caseload_and_outcomes_for_people_and_scripts(run_cli, desk, admin, clock):
    admin.mentoring.assign(desk, "MN1", on="2026-06-01")
    admin.mentoring.start_schedule(desk, "2026-06-10")
    admin.mentoring.log_visit(desk, visited_on="2026-07-12", mode="on_site", business_status="operating",
                              risk_flags="relapse")
    rows = table_rows(run_cli("--as", "MN1", "mentoring", "caseload", "--mentor", "MN1").output)
    assert rows == [{"mentor": "MN1 Фарида Каримова", "participant": "DSH-2026-0001", "full name": "Мадина Сафарова",
                     "assigned on": "2026-06-01", "last visit": "2026-07-12 (operating)",
                     "next due": "2026-09-10 (3-month visit, OVERDUE)", "open risks": "relapse (referral 1: open)"}]
    assert run_cli("--as", "MN2", "mentoring", "caseload", "--mentor", "MN2").output == "No mentees.\n"
    # one business: every count is small, hidden as in the programme report, for everyone
    table = table_rows(run_cli("--as", "MN1", "mentoring", "outcomes").output)
    shown = {r["indicator"]: (r["value"], r["detail"]) for r in table}
    assert shown["Share of due visits done on time"] == ("c", "%")
    assert shown["Risk flags raised"] == ("<5", "flags")
    data = json.loads(run_cli("--as", "MN1", "--format", "json", "mentoring", "outcomes", "--by", "sex").stdout)
    on_time = next(r for r in data if r["key"] == "mentoring.visits_on_time" and r["sex"] == "female")
    assert (on_time["value"], on_time["suppressed"]) == (None, "small")
    refused = run_cli("--as", "MN1", "mentoring", "outcomes", "--no-suppress")
    assert refused.exit_code == 3 and "may not make programme reports showing small counts" in refused.output
    # an admin who asks sees them, and that is recorded
    table = table_rows(run_cli("--as", "ADM", "mentoring", "outcomes", "--no-suppress").output)
    shown = {r["indicator"]: (r["value"], r["detail"]) for r in table}
    assert shown["Share of due visits done on time"] == ("50.0%", "1 of 2")
    assert shown["Risk flags raised"] == ("1", "flags")
    data = json.loads(run_cli("--as", "ADM", "--format", "json", "mentoring", "outcomes", "--by", "sex",
                              "--no-suppress").stdout)
    on_time = next(r for r in data if r["key"] == "mentoring.visits_on_time" and r["sex"] == "female")
    assert on_time["value"] == 1
    assert [e.after["indicators"][0] for e in admin.audit.log(action="report.unsuppressed")] == [
        "mentoring.businesses"] * 2


def test_settings_are_shown_and_changed_by_an_admin_only(run_cli, desk):
    shown = run_cli("--as", "ADM", "--format", "json", "mentoring", "settings")
    assert json.loads(shown.stdout)["risk police_harassment"] == "legal → Legal aid"
    changed = run_cli("--as", "ADM", "mentoring", "settings", "--offsets", "1,3,6,12,24", "--window-days", "21",
                      "--risk-referral", "housing=other:Dushanbe housing office")
    assert changed.output == "Mentoring settings changed.\n"
    data = json.loads(run_cli("--as", "ADM", "--format", "json", "mentoring", "settings").stdout)
    assert data["offsets"] == "1,3,6,12,24" and data["window_days"] == 21
    assert data["risk housing"] == "other → Dushanbe housing office"
    assert one_error(run_cli("--as", "ADM", "mentoring", "settings", "--window-days", "30")) == (
        "Error: window_days: a window of ±30 days would open before the follow-up starts (the first visit is due "
        "after 1 month)")
    assert one_error(run_cli("--as", "ADM", "mentoring", "settings", "--offsets", "1,2", "--window-days", "14")) == (
        "Error: window_days: windows of ±14 days would overlap with offsets 1,2; twice the window must be shorter "
        "than 28 days")
    refused = run_cli("--as", "CW1", "mentoring", "settings", "--window-days", "10")
    assert refused.exit_code == 3 and "may not change the follow-up offsets" in refused.output
