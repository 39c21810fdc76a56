"""business_plans end to end, as trainers use it: the CLI (what it prints, exit codes) and
the Python API, on SQLite and PostgreSQL. Every refusal is one clear line and writes
nothing (the audit trail does not grow)."""

from __future__ import annotations

import csv
import json
import types
from datetime import date
from decimal import Decimal

import pytest

from reentry_core import hookimpl
from reentry_core.errors import InvalidInput, RowErrors
from reentry_core.plugins import load_plugins
from reentry_core.reporting import Period, compute
from reentry_core.services import FixedClock, open_programme
from reentry_core.testing import TODAY

GOOD = {"market_understanding": 4, "financial_viability": 3, "skills_experience": 5, "realistic_budget": 4,
        "commitment": 5, "benefit_family_community": 4}  # 77.50
PEOPLE = [("Зарина Ашурова", "female", "1991-07-04"), ("Ҷамшед Раҳимов", "male", "1985-03-12"),
          ("Фирдавс Назаров", "male", "1990-01-01"), ("Мадина Сафарова", "female", "1992-07-01")]
SESSIONS = ["2026-09-07:business_planning", "2026-09-14:marketing", "2026-09-21:bookkeeping",
            "2026-09-28:personal_development", "2026-10-05:civic_education"]


def values(**changes):
    return {**GOOD, **changes}


def as_options(scores: dict) -> list[str]:
    return [arg for key, value in scores.items() for arg in ("--value", f"{key}={value}")]


@pytest.fixture
def world(programme, admin, monkeypatch):
    """DSH with trainers TR1 (lead), TR2, TR3 in cohort DSH-26A, TR4 (a trainer outside it),
    a case worker CW1; four participants with consent, the first three enrolled."""
    monkeypatch.setenv("COLUMNS", "250")
    for code, name in (("TR1", "Фарҳод Саидов"), ("TR2", "Мадина Юсупова"), ("TR3", "Рустам Олимов"),
                       ("TR4", "Нигора Азизова")):
        admin.staff.add(code, name, ["trainer"], "DSH")
    admin.staff.add("CW1", "Зарина Назарова", ["case_worker"], "DSH")
    codes = []
    for name, sex, born in PEOPLE:
        p = admin.participants.register(full_name=name, sex=sex, birth_date=born, centre="DSH")
        admin.participants.record_consent(p.code)
        codes.append(p.code)
    tr1 = programme.act_as("TR1")
    tr1.plans.add_cohort("DSH-26A", "DSH", "Business training, autumn 2026", "2026-09-01", "2026-11-30",
                         ["TR1", "TR2", "TR3"], sessions=SESSIONS)
    tr1.plans.enrol("DSH-26A", codes[:3])
    return types.SimpleNamespace(programme=programme, admin=admin, codes=codes,
                                 act=lambda code: programme.act_as(code).plans)


def audit_count(admin) -> int:
    return admin.audit.verify().checked


def error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    return lines[0]


def refused(run_cli, admin, *args, code=1, input=None) -> str:
    before = audit_count(admin)
    result = run_cli(*args, input=input)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert audit_count(admin) == before, "a refused command wrote something"
    return error_line(result)


def plan_for(world, n=0, submit=True, **changes):
    fields = dict(title="Sewing workshop", sector="sewing", costs=["Sewing machine:2:1800", "Overlock:1:2500"],
                  own_contribution="500", requested_funding="5000", monthly_revenue="3000", monthly_costs="1200")
    fields.update(changes)
    return world.act("TR1").add_plan(world.codes[n], "DSH-26A", submit=submit, **fields)


# --- cohorts, enrolment, attendance --------------------------------------------------------


def test_a_trainer_opens_a_cohort_and_sees_it(world, run_cli):
    result = run_cli("--as", "TR2", "plans", "cohort", "add", "KHJ-26B", "--centre", "KHJ", "--title", "Winter 2026",
                     "--start", "01.12.2026", "--end", "2027-02-28", "--trainer", "TR2,TR3", "--session",
                     "2026-12-07:business_planning", "--session", "2026-12-14:marketing", "--min-sheets", "3")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Opened cohort KHJ-26B with 2 planned sessions; rubric default@1."
    shown = run_cli("--as", "TR2", "--format", "json", "plans", "cohort", "show", "KHJ-26B")
    record = json.loads(shown.stdout)
    assert record["trainers"] == ["TR2", "TR3"] and record["lead_trainer"] == "TR2" and record["min_sheets"] == 3
    assert record["sessions"] == ["1. 2026-12-07 business_planning", "2. 2026-12-14 marketing"]
    assert record["enrolled"] == 0 and record["completion_threshold"] == "80%"
    listing = run_cli("--as", "TR2", "plans", "cohort", "list")
    assert "KHJ-26B" in listing.output and "DSH-26A" in listing.output


@pytest.mark.parametrize("args, message, code", [
    (["--trainer", "CW1"], "CW1 is not an active staff member with the trainer role", 1),
    (["--trainer", "TR9"], "staff code 'TR9': no such staff member", 7),
    (["--trainer", "TR1", "--session", "2027-05-01:marketing"], "session on 2027-05-01 is outside", 1),
    (["--trainer", "TR1", "--rubric", "nothing"], "rubric 'nothing' does not exist", 7),
    (["--trainer", "TR1", "--spread", "-3"], "spread_limit must be between 0 and 100", 1),
])
def test_bad_cohorts_are_refused(world, run_cli, args, message, code):
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "cohort", "add", "DSH-26X", "--centre", "DSH",
                   "--title", "X", "--start", "2026-09-01", "--end", "2026-11-30", *args, code=code)
    assert message in line
    assert [c.code for c in world.act("TR1").cohorts()] == ["DSH-26A"]


def test_enrolment_is_all_or_nothing(world, run_cli):
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "enrol", "DSH-26A", world.codes[3], world.codes[0],
                   "DSH-2026-0099")
    assert f"{world.codes[0]} is already enrolled in DSH-26A" in line and "'DSH-2026-0099' does not exist" in line
    assert line.endswith("nobody was enrolled")
    ok = run_cli("--as", "TR1", "plans", "enrol", "DSH-26A", world.codes[3])
    assert ok.output.strip() == f"Enrolled 1 in DSH-26A: {world.codes[3]}."


def test_enrolment_before_registration_is_refused(world, run_cli):
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "enrol", "DSH-26A", world.codes[3], "--on",
                   "2026-09-01")
    assert line == (f"Error: {world.codes[3]} was registered on 2026-11-23, after the enrolment date 2026-09-01; "
                    "nobody was enrolled")


def test_attendance_and_completion(world, run_cli):
    a, b, c = world.codes[:3]
    for session in ("1", "2", "3", "4"):
        result = run_cli("--as", "TR1", "plans", "attend", "DSH-26A", session, "--present", f"{a},{b}",
                         "--absent" if session != "2" else "--excused", c)
        assert result.exit_code == 0, result.output
    assert result.output.strip() == "Session 4 of DSH-26A: 2 present, 1 absent, 0 excused recorded."
    fifth = run_cli("--as", "TR1", "plans", "attend", "DSH-26A", "2026-10-05", "--absent", b, "--others", "present")
    assert fifth.output.strip() == "Session 2026-10-05 of DSH-26A: 2 present, 1 absent, 0 excused recorded."
    table = json.loads(run_cli("--as", "TR1", "--format", "json", "plans", "completion", "DSH-26A").stdout)
    rows = {r["participant"]: r for r in table}
    assert (rows[a]["present"], rows[a]["held"], rows[a]["rate"], rows[a]["completed"]) == (5, 5, "100.0%", True)
    assert (rows[b]["present"], rows[b]["rate"], rows[b]["completed"]) == (4, "80.0%", True)
    assert (rows[c]["present"], rows[c]["excused"], rows[c]["absent"], rows[c]["completed"]) == (1, 1, 3, False)
    # a correction replaces the mark, audited
    run_cli("--as", "TR1", "plans", "attend", "DSH-26A", "1", "--present", c)
    log = world.admin.audit.log(entity="attendance", key=f"DSH-26A/1/{c}")
    assert (log[0].before, log[0].after) == ({"mark": "absent"}, {"mark": "present"})  # newest first
    shown = json.loads(run_cli("--as", "TR1", "--format", "json", "plans", "cohort", "show", "DSH-26A").stdout)
    assert shown["held"] == 5 and shown["sessions"][0] == "1. 2026-09-07 business_planning (held)"


@pytest.mark.parametrize("args, message, code", [
    (["6", "--present", "{a}"], "cohort DSH-26A has no session 6", 7),
    (["0", "--present", "{a}"], "session 0: a session is named by its number (1, 2, …) or its date", 1),
    (["1", "--present", "{d}"], "{d} is not enrolled in DSH-26A", 1),
    (["1", "--present", "{a}", "--absent", "DSH-2026-0099"], "DSH-2026-0099 is not enrolled", 1),
    (["1"], "give at least one mark", 1),
])
def test_bad_attendance_is_refused(world, run_cli, args, message, code):
    a, d = world.codes[0], world.codes[3]
    args = [x.format(a=a, d=d) for x in args]
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "attend", "DSH-26A", *args, code=code)
    assert message.format(d=d) in line


def test_attendance_at_a_future_session_is_refused(world, run_cli):
    world.act("TR1").add_session("DSH-26A", "2026-11-30", "bookkeeping")
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "attend", "DSH-26A", "6", "--others", "present")
    assert "session 6 is on 2026-11-30, in the future" in line


def test_a_non_trainer_cannot_record_attendance(world, run_cli):
    line = refused(run_cli, world.admin, "--as", "CW1", "plans", "attend", "DSH-26A", "1", "--others", "present",
                   code=3)
    assert "CW1 (case_worker) may not record attendance" in line


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_an_attendance_register_file_is_all_or_nothing(world, run_cli, tmp_path):
    a, b, c = world.codes[:3]
    bad = write_csv(tmp_path / "register.csv", [
        ["session", "participant", "mark"], ["1", a, "p"], ["1", b, "late"], ["9", c, "a"], ["2026-09-14", a, "e"],
        ["2", "", "p"]])
    before = audit_count(world.admin)
    result = run_cli("--as", "TR1", "plans", "attend", "DSH-26A", "--file", str(bad))
    assert result.exit_code == 1 and audit_count(world.admin) == before
    lines = result.output.splitlines()
    assert any(line.startswith("row 3, mark: 'late' is not one of present, absent, excused") for line in lines)
    assert any(line.startswith("row 4, session: cohort DSH-26A has no session 9") for line in lines)
    assert any(line.startswith("row 6, participant: missing") for line in lines)
    assert error_line(result).endswith("3 of 5 rows are invalid; nothing was recorded")
    good = write_csv(tmp_path / "good.csv", [["session", "participant", "mark"], ["1", a, "p"], ["1", b, "a"],
                                             ["2026-09-14", a, "excused"]])
    ok = run_cli("--as", "TR1", "plans", "attend", "DSH-26A", "--file", str(good))
    assert ok.output.strip() == ("Loaded good.csv: 3 attendance marks of DSH-26A recorded; 0 rows already recorded "
                                 "(nothing changed); 0 rows not filled in.")
    # one audit event for the register; each mark is found by its key
    again = write_csv(tmp_path / "again.csv", [["session", "participant", "mark"], ["1", b, "p"], ["1", a, "p"]])
    run_cli("--as", "TR1", "plans", "attend", "DSH-26A", "--file", str(again))
    log = world.admin.audit.log(key=f"DSH-26A/1/{b}")
    assert [(e.action, e.after["file"], e.after["records"]) for e in log] == [
        ("attendance.record", "again.csv", {f"DSH-26A/1/{b}": {"mark": "present", "before": "absent"}}),
        ("attendance.record", "good.csv", {f"DSH-26A/1/{b}": {"mark": "absent"}})]
    assert len(world.admin.audit.log(key=f"DSH-26A/1/{a}")) == 1  # the same mark again is not a change
    missing = write_csv(tmp_path / "cols.csv", [["session", "participant"], ["1", a]])
    assert "missing required column(s) mark" in refused(run_cli, world.admin, "--as", "TR1", "plans", "attend", "DSH-26A",
                                               "--file", str(missing))


# --- plans and their versions ----------------------------------------------------------------

PLAN_ARGS = ["--title", "Sewing workshop", "--sector", "sewing", "--cost", "Sewing machine:2:1800", "--cost",
             "Overlock:1:2500", "--own", "500", "--request", "5000", "--revenue", "3000", "--costs", "1200"]


def test_a_plan_goes_from_draft_to_a_second_version(world, run_cli):
    a = world.codes[0]
    added = run_cli("--as", "CW1", "plans", "add", a, "--cohort", "DSH-26A", *PLAN_ARGS)
    assert added.output.strip() == (f"Plan DSH-26A-P001 of {a}: draft, total cost 6,100.00 TJS, requested 5,000.00 TJS.")
    edited = run_cli("--as", "CW1", "plans", "edit", "DSH-26A-P001", "--request", "4500")
    assert edited.exit_code == 0
    assert run_cli("--as", "CW1", "plans", "submit", "DSH-26A-P001").output.strip() == \
        "Plan DSH-26A-P001 submitted (version 1)."
    for trainer in ("TR1", "TR2"):
        run_cli("--as", trainer, "plans", "score", "DSH-26A-P001", *as_options(GOOD))
    plan = world.act("TR1").get("DSH-26A-P001")
    assert plan.status.value == "scored" and plan.requested_funding == Decimal("4500.00")
    returned = run_cli("--as", "TR1", "plans", "return", "DSH-26A-P001", "--reason", "get written quotes")
    assert returned.output.strip() == "Plan DSH-26A-P001 needs revision: get written quotes"
    again = run_cli("--as", "CW1", "plans", "resubmit", "DSH-26A-P001", "--cost", "Sewing machine:2:1700", "--cost",
                    "Overlock:1:2400", "--request", "4000")
    assert again.output.strip() == "Plan DSH-26A-P001 resubmitted as version 2."
    shown = json.loads(run_cli("--as", "TR3", "--format", "json", "plans", "show", "DSH-26A-P001").stdout)
    assert (shown["version"], shown["status"], shown["total_cost"], shown["funding_gap"]) == (
        2, "submitted", "5800.00", "1300.00")
    assert shown["monthly_profit"] == "1800.00" and shown["payback_months"] == 4
    assert shown["versions"] == ["1: needs_revision, 2 sheets, raw score 77.50", "2: submitted, 0 sheets"]
    assert shown["sheets"] == []
    old = json.loads(run_cli("--as", "TR3", "--format", "json", "plans", "show", "DSH-26A-P001", "--version", "1").stdout)
    assert old["note"] == "get written quotes" and len(old["sheets"]) == 2 and old["total_cost"] == "6100.00"
    assert [s.trainer for s in world.act("TR3").sheets("DSH-26A-P001", 1)] == ["TR1", "TR2"]
    listing = json.loads(run_cli("--as", "TR3", "--format", "json", "plans", "list", "--cohort", "DSH-26A").stdout)
    assert [(p["code"], p["version"], p["status"]) for p in listing] == [("DSH-26A-P001", 2, "submitted")]


@pytest.mark.parametrize("changes, message", [
    (["--cost", "Oven:1:-300"], "unit_cost: -300 must be more than zero"),
    (["--request", "9000"], "requested_funding 9000.00 TJS is more than the total cost 6100.00 TJS"),
    (["--own", "-1"], "own_contribution: -1 is negative"),
    (["--revenue", "lots"], "monthly_revenue: 'lots' is not a number"),
])
def test_bad_plans_are_refused(world, run_cli, changes, message):
    args = list(PLAN_ARGS)
    for option, value in zip(changes[::2], changes[1::2]):
        if option == "--cost":
            args = [x for i, x in enumerate(args) if not (x == "--cost" or (i and args[i - 1] == "--cost"))]
            args += [option, value]
        else:
            args[args.index(option) + 1] = value
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "add", world.codes[0], "--cohort", "DSH-26A", *args)
    assert message in line
    assert world.act("TR1").list() == []


def test_plan_rules_of_the_lifecycle(world, run_cli):
    plan_for(world, submit=False)
    assert "is not enrolled in DSH-26A" in refused(run_cli, world.admin, "--as", "TR1", "plans", "add",
                                                    world.codes[3], "--cohort", "DSH-26A", *PLAN_ARGS, code=8)
    assert "already has plan DSH-26A-P001" in refused(run_cli, world.admin, "--as", "TR1", "plans", "add",
                                                       world.codes[0], "--cohort", "DSH-26A", *PLAN_ARGS, code=8)
    assert "only a submitted, scored or returned" in refused(run_cli, world.admin, "--as", "TR1", "plans",
                                                              "resubmit", "DSH-26A-P001", code=8)
    run_cli("--as", "TR1", "plans", "submit", "DSH-26A-P001")
    assert "only a draft can be submitted (use resubmit" in refused(run_cli, world.admin, "--as", "TR1", "plans",
                                                                     "submit", "DSH-26A-P001", code=8)
    assert "only a draft can be edited" in refused(run_cli, world.admin, "--as", "TR1", "plans", "edit",
                                                   "DSH-26A-P001", "--title", "Other", code=8)
    assert "may not moderate cohort DSH-26A: only an admin or its lead trainer (TR1)" in refused(
        run_cli, world.admin, "--as", "TR2", "plans", "return", "DSH-26A-P001", "--reason", "x", code=3)
    assert "plan 'DSH-26A-P404' does not exist" in refused(run_cli, world.admin, "--as", "TR1", "plans", "show",
                                                            "DSH-26A-P404", code=7)


# --- rubrics and scoring -------------------------------------------------------------------------

RUBRIC_V2 = """
key = "default"
title = "Business plan rubric, 2027"
scale = [1, 5]

[[criteria]]
key = "market_understanding"
label = "Market understanding"
weight = 30

[[criteria]]
key = "financial_viability"
label = "Financial viability"
weight = 70
"""


def test_rubrics_are_added_from_toml_and_versioned(world, run_cli, tmp_path):
    listing = json.loads(run_cli("--as", "TR1", "--format", "json", "plans", "rubric", "list").stdout)
    assert [r["rubric"] for r in listing] == ["default@1"] and len(listing[0]["criteria"]) == 6
    (tmp_path / "v2.toml").write_text(RUBRIC_V2, encoding="utf-8")
    added = run_cli("--as", "ADM", "plans", "rubric", "add", str(tmp_path / "v2.toml"))
    assert added.output.strip() == "Added rubric default@2 with 2 criteria on the scale 1–5."
    shown = run_cli("--as", "TR1", "plans", "rubric", "show", "default")
    assert "default@2" in shown.output and "financial_viability" in shown.output
    old = json.loads(run_cli("--as", "TR1", "--format", "json", "plans", "rubric", "show", "default@1").stdout)
    assert len(old) == 6
    assert "may not add scoring rubrics" in refused(run_cli, world.admin, "--as", "TR1", "plans", "rubric", "add",
                                                    str(tmp_path / "v2.toml"), code=3)
    (tmp_path / "bad.toml").write_text(RUBRIC_V2.replace("weight = 70", 'weight = "seventy"'), encoding="utf-8")
    line = refused(run_cli, world.admin, "--as", "ADM", "plans", "rubric", "add", str(tmp_path / "bad.toml"))
    assert line == "Error: bad.toml: criterion financial_viability: weight: 'seventy' is not a number"
    (tmp_path / "zero.toml").write_text(RUBRIC_V2.replace("weight = 70", "weight = 0"), encoding="utf-8")
    assert "weight: 0 must be more than zero" in refused(run_cli, world.admin, "--as", "ADM", "plans", "rubric",
                                                         "add", str(tmp_path / "zero.toml"))


def test_a_trainer_scores_with_options_and_a_correction_replaces_the_sheet(world, run_cli):
    plan_for(world)
    scored = run_cli("--as", "TR1", "plans", "score", "DSH-26A-P001", *as_options(GOOD), "--note",
                     "financial_viability=rent not counted", "--comment", "strong plan")
    assert scored.output.strip() == "Scored DSH-26A-P001 v1: 77.50 of 100 (TR1)."
    again = run_cli("--as", "TR1", "plans", "score", "DSH-26A-P001", *as_options(values(financial_viability=5)))
    assert again.output.strip() == "Scored DSH-26A-P001 v1: 87.50 of 100 (TR1)."
    sheets = world.act("TR2").sheets("DSH-26A-P001")
    assert len(sheets) == 1 and sheets[0].total == Decimal("87.50") and sheets[0].comments == {}
    log = world.admin.audit.log(entity="score_sheet")
    assert [e.action for e in log] == ["score_sheet.replace", "score_sheet.add"]  # newest first
    assert log[0].before["total"] == "77.50" and log[0].before["comments"] == {
        "financial_viability": "rent not counted"}
    assert world.act("TR1").get("DSH-26A-P001").status.value == "submitted"  # one sheet of two
    run_cli("--as", "TR2", "plans", "score", "DSH-26A-P001", *as_options(GOOD))
    assert world.act("TR1").get("DSH-26A-P001").status.value == "scored"


def test_a_trainer_is_asked_criterion_by_criterion(world, run_cli):
    plan_for(world)
    answers = "\n".join(["4", "", "3", "no rent in the costs", "9", "5", "", "4", "", "5", "", "4", "", "good work"])
    result = run_cli("--as", "TR2", "plans", "score", "DSH-26A-P001", input=answers)
    assert result.exit_code == 0, result.output
    assert "Scoring DSH-26A-P001 with rubric default@1 (scale 1–5)." in result.output
    assert "Market understanding [market_understanding], weight 20" in result.output
    assert "9 is not in the range 1<=x<=5" in result.output  # asked again
    assert result.output.strip().endswith("Scored DSH-26A-P001 v1: 77.50 of 100 (TR2).")
    sheet = world.act("TR2").sheets("DSH-26A-P001")[0]
    assert sheet.comments == {"financial_viability": "no rent in the costs"} and sheet.comment == "good work"


@pytest.mark.parametrize("scores, message", [
    (values(commitment=6), "commitment: 6 is outside the scale 1–5"),
    ({k: v for k, v in GOOD.items() if k != "commitment"}, "no value for commitment"),
    (values(charm=5), "unknown criterion 'charm'"),
])
def test_bad_score_values_are_refused(world, run_cli, scores, message):
    plan_for(world)
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "score", "DSH-26A-P001", *as_options(scores))
    assert line.startswith("Error: plan DSH-26A-P001: ") and message in line


def test_who_may_score_what(world, run_cli, tmp_path):
    plan_for(world, 0, submit=False)
    plan_for(world, 1)
    assert "plan DSH-26A-P001 is a draft; it can be scored once it is submitted" in refused(
        run_cli, world.admin, "--as", "TR1", "plans", "score", "DSH-26A-P001", *as_options(GOOD), code=8)
    assert "TR4 is not a trainer of cohort DSH-26A (its trainers: TR1, TR2, TR3)" in refused(
        run_cli, world.admin, "--as", "TR4", "plans", "score", "DSH-26A-P002", *as_options(GOOD), code=3)
    assert "CW1 (case_worker) may not score business plans" in refused(
        run_cli, world.admin, "--as", "CW1", "plans", "score", "DSH-26A-P002", *as_options(GOOD), code=3)
    declared = run_cli("--as", "TR3", "plans", "conflict", "declare", world.codes[1], "--kind", "neighbour")
    assert declared.output.strip() == f"TR3 declared a conflict (neighbour) with {world.codes[1]}."
    assert f"TR3 declared a conflict with {world.codes[1]} and may not score plan DSH-26A-P002" in refused(
        run_cli, world.admin, "--as", "TR3", "plans", "score", "DSH-26A-P002", *as_options(GOOD), code=3)
    assert "already declared a conflict" in refused(run_cli, world.admin, "--as", "TR3", "plans", "conflict",
                                                    "declare", world.codes[1], "--kind", "relative", code=8)
    assert "may declare only their own conflicts" in refused(run_cli, world.admin, "--as", "TR1", "plans", "conflict",
                                                             "declare", world.codes[1], "--kind", "relative",
                                                             "--trainer", "TR2", code=3)
    listing = json.loads(run_cli("--as", "ADM", "--format", "json", "plans", "conflict", "list").stdout)
    assert listing == [{"trainer": "TR3", "participant": world.codes[1], "kind": "neighbour", "note": None,
                        "declared_on": TODAY.isoformat()}]
    # the rubric version used must be the cohort's
    (tmp_path / "v2.toml").write_text(RUBRIC_V2, encoding="utf-8")
    world.programme.act_as("ADM").plans.add_rubric(tmp_path / "v2.toml")
    assert "plan DSH-26A-P002 is scored with rubric default@1 (its cohort's), not default@2" in refused(
        run_cli, world.admin, "--as", "TR1", "plans", "score", "DSH-26A-P002", *as_options(GOOD), "--rubric",
        "default@2", code=8)
    ok = run_cli("--as", "TR1", "plans", "score", "DSH-26A-P002", *as_options(GOOD), "--rubric", "default@1")
    assert ok.exit_code == 0, ok.output


# --- plans typed from paper forms -------------------------------------------------------------

PLANSHEET_HEADER = ["participant", "full_name", "title", "sector", "costs", "own_contribution", "requested_funding",
                    "monthly_revenue", "monthly_costs", "summary", "currency"]
PLAN_CELLS = ["Sewing workshop", "sewing", "Sewing machine:2:1800; Overlock:1:2500", "500", "5000", "3000", "1200"]
PLANS_HEADER = ["participant", "title", "sector", "costs", "own_contribution", "requested_funding", "monthly_revenue",
                "monthly_costs"]


def test_plans_typed_into_the_plans_sheet_are_loaded_whole(world, run_cli, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.chdir(tmp_path)
    a, b, c = world.codes[:3]
    for session in range(1, 6):
        world.act("TR1").attend("DSH-26A", session, present=[a, b], absent=[c])  # c did not complete
    written = run_cli("--as", "TR1", "plans", "plansheet", "DSH-26A")
    assert written.output.strip() == "Wrote 2 participants to DSH-26A-plans.xlsx."
    book = load_workbook(tmp_path / "DSH-26A-plans.xlsx")
    sheet = book.active
    assert [cell.value for cell in sheet[1]] == PLANSHEET_HEADER
    assert [(r[0].value, r[1].value, r[2].value) for r in sheet.iter_rows(min_row=2)] == [
        (a, "Зарина Ашурова", None), (b, "Ҷамшед Раҳимов", None)]
    # a's form typed in, b's row left empty, c's form (enrolled, short of completion) added below
    for col, value in enumerate(PLAN_CELLS, 3):
        sheet.cell(row=2, column=col, value=value)
    sheet.append([c, None, "Car repair garage", "car_repair", "Tool set:1:4000\nCompressor:1:3000", 0, 6500, 5000,
                  2000, "Repairs at the bazaar", "tjs"])
    book.save(tmp_path / "typed.xlsx")
    result = run_cli("--as", "CW1", "plans", "import", "DSH-26A", "typed.xlsx", "--submit")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("Loaded typed.xlsx: 2 plans of DSH-26A (DSH-26A-P001 to DSH-26A-P002), "
                                     "submitted; 0 rows already recorded (nothing changed); 1 rows not filled in.")
    plans = {p.code: p for p in world.act("TR1").list(cohort="DSH-26A")}
    first, second = plans["DSH-26A-P001"], plans["DSH-26A-P002"]
    assert (first.participant, first.status.value, first.total_cost, first.submitted_on) == (
        a, "submitted", Decimal("6100.00"), TODAY)
    assert [(i.item, i.quantity, i.unit_cost) for i in first.costs] == [
        ("Sewing machine", 2, Decimal("1800.00")), ("Overlock", 1, Decimal("2500.00"))]
    assert (second.participant, second.sector.value, second.total_cost, second.summary, second.currency) == (
        c, "car_repair", Decimal("7000.00"), "Repairs at the bazaar", "TJS")
    # each plan's audit entry is found by its code, as when it is added alone
    log = world.admin.audit.log(key="DSH-26A-P002")
    assert (log[0].action, log[0].actor, log[0].after["file"]) == ("plan.submit", "CW1", "typed.xlsx")
    assert list(log[0].after["records"]) == ["DSH-26A-P002"]
    assert log[0].after["records"]["DSH-26A-P002"]["title"] == "Car repair garage"
    assert world.admin.audit.verify().ok
    # the next sheet lists only b; b's plan, imported as a draft, is numbered after the others
    again = run_cli("--as", "TR1", "plans", "plansheet", "DSH-26A", "-o", "again.csv")
    assert again.output.strip() == "Wrote 1 participants to again.csv."
    with open(tmp_path / "again.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[1][2:9] = PLAN_CELLS
    write_csv(tmp_path / "again.csv", rows)
    made = world.act("CW1").import_plans("DSH-26A", tmp_path / "again.csv")
    assert [(p.code, p.participant, p.status.value) for p in made.plans] == [("DSH-26A-P003", b, "draft")]
    assert made.skipped == 0


def test_a_costs_cell_may_hold_one_item_per_line(world, tmp_path):
    a, b = world.codes[:2]
    path = write_csv(tmp_path / "plans.csv", [
        PLANS_HEADER,
        [a, "Bakery", "cooking", "Tandoor oven:1:3000\nFlour and ingredients:2:500", "300", "3700", "2000", "900"],
        [b, "Shop", "trade", "Shelves:1:900;", "0", "900", "800", "500"]])
    made = world.act("TR1").import_plans("DSH-26A", path)
    assert [[(c.item, c.quantity) for c in p.costs] for p in made.plans] == [
        [("Tandoor oven", 1), ("Flour and ingredients", 2)], [("Shelves", 1)]]
    broken = write_csv(tmp_path / "broken.csv", [
        PLANS_HEADER, [world.codes[2], "Shop", "sector?", "Shelves:1:900\nScales", "0", "900", "800", "500"]])
    with pytest.raises(RowErrors) as refusal:
        world.act("TR1").import_plans("DSH-26A", broken)
    assert refusal.value.problems == [  # the row the spreadsheet shows, though its costs span two lines
        "row 2, costs: cost 'Scales': write ITEM:QUANTITY:UNIT_COST, e.g. 'Sewing machine:2:1800'"]


def test_a_bad_plans_file_is_refused_whole(world, run_cli, tmp_path):
    a, b, c, d = world.codes
    plan_for(world, 1)  # b already has DSH-26A-P001
    cells = PLAN_CELLS[:2] + ["Shelves:1:900", "0", "900", "800", "500"]
    path = write_csv(tmp_path / "plans.csv", [
        PLANS_HEADER,
        [a, *cells],
        [b, *cells],
        [d, *cells],
        ["DSH-2026-0099", *cells],
        [a, *cells],
        [c, "Shop", "trade", "Shelves:1", "0", "900", "800", "500"],
        ["", *cells],
    ])
    before = audit_count(world.admin)
    result = run_cli("--as", "TR1", "plans", "import", "DSH-26A", str(path), "--submit")
    assert result.exit_code == 1 and audit_count(world.admin) == before
    assert error_line(result) == "Error: plans.csv: 6 of 7 rows are invalid; no plan was written"
    for line in [
            (f"row 3, participant: {b} already has plan DSH-26A-P001 in DSH-26A; change it with edit (a draft) or "
             "resubmit"),
            f"row 4, participant: {d} is not enrolled in DSH-26A; enrol them first: reentry plans enrol DSH-26A {d}",
            "row 5, participant: 'DSH-2026-0099' does not exist",
            f"row 6: the same as row 2 ({a}); give each once",
            "row 7, costs: cost 'Shelves:1': write ITEM:QUANTITY:UNIT_COST, e.g. 'Sewing machine:2:1800'",
            "row 8, participant: missing"]:
        assert line in result.output.splitlines(), result.output
    assert [p.code for p in world.act("TR1").list(cohort="DSH-26A")] == ["DSH-26A-P001"]


@pytest.mark.parametrize("changes, message", [
    ({"sector": "shoes"}, "row 2, sector: 'shoes' is not one of sewing, car_repair"),
    ({"requested_funding": "1900"}, "row 2: requested_funding 1900.00 TJS is more than the total cost 900.00 TJS"),
    ({"own_contribution": "-5"}, "row 2, own_contribution: -5 is negative"),
    ({"monthly_revenue": "many"}, "row 2, monthly_revenue: 'many' is not a number"),
    ({"costs": "Shelves:0:900"}, "row 2, costs: cost 'Shelves:0:900': quantity: 0 must be more than zero"),
    ({"costs": "Shelves:1:900; Scales:1:-300"}, "row 2, costs: cost 'Scales:1:-300': unit_cost: -300 must be more"),
    ({"title": ""}, "row 2, title: missing"),
])
def test_each_field_of_a_typed_plan_is_checked(world, run_cli, tmp_path, changes, message):
    fields = dict(zip(PLANS_HEADER, [world.codes[0], "Shop", "trade", "Shelves:1:900", "0", "900", "800", "500"]))
    fields.update(changes)
    path = write_csv(tmp_path / "plans.csv", [PLANS_HEADER, list(fields.values())])
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "import", "DSH-26A", str(path))
    assert line == "Error: plans.csv: 1 of 1 rows are invalid; no plan was written"
    result = run_cli("--as", "TR1", "plans", "import", "DSH-26A", str(path))
    assert any(row.startswith(message) for row in result.output.splitlines()), result.output


def test_a_plans_file_needs_its_columns_and_a_writer(world, run_cli, tmp_path):
    short = write_csv(tmp_path / "short.csv", [[c for c in PLANS_HEADER if c != "costs"] + ["price"],
                                               [world.codes[0], "Shop", "trade", "0", "900", "800", "500", "9"]])
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "import", "DSH-26A", str(short))
    assert line.startswith("Error: short.csv: unknown column(s) price; accepted columns: participant, full_name, ")
    result = run_cli("--as", "TR1", "plans", "import", "DSH-26A", str(short))
    assert "short.csv: missing required column(s) costs" in result.output.splitlines()
    empty = write_csv(tmp_path / "empty.csv", [PLANS_HEADER, [world.codes[0]] + [""] * 7])
    assert refused(run_cli, world.admin, "--as", "TR1", "plans", "import", "DSH-26A", str(empty)).startswith(
        "Error: empty.csv: none of its 1 rows is filled in (title, sector, costs, ")
    world.admin.staff.add("CM1", "Ҳасан Шарипов", ["committee_member"], "DSH")
    good = write_csv(tmp_path / "good.csv", [PLANS_HEADER, [world.codes[0], "Shop", "trade", "Shelves:1:900", "0",
                                                            "900", "800", "500"]])
    assert "may not write, submit and resubmit business plans" in refused(
        run_cli, world.admin, "--as", "CM1", "plans", "import", "DSH-26A", str(good), code=3)
    assert "may not write, submit and resubmit business plans" in refused(
        run_cli, world.admin, "--as", "CM1", "plans", "plansheet", "DSH-26A", "-o", str(tmp_path / "x.csv"), code=3)
    assert "cohort 'DSH-99Z' does not exist" in refused(run_cli, world.admin, "--as", "TR1", "plans", "import",
                                                        "DSH-99Z", str(good), code=7)


# --- score sheets in files --------------------------------------------------------------------


def test_a_score_sheet_goes_out_and_comes_back(world, run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for n in range(3):
        plan_for(world, n)
    world.act("TR2").score("DSH-26A-P002", GOOD)
    written = run_cli("--as", "TR2", "plans", "scoresheet", "DSH-26A")
    assert written.output.strip() == "Wrote 3 plans to DSH-26A-TR2.xlsx."
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "DSH-26A-TR2.xlsx")
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header == ["plan", "version", "participant", "title", "sector", "rubric", *GOOD, "comment", "trainer"]
    assert {r[13].value for r in sheet.iter_rows(min_row=2)} == {"TR2"}  # the sheet names whose it is
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert rows["DSH-26A-P002"][6].value == 4  # earlier values filled in
    for col, value in enumerate([2, 2, 3, 2, 3, 2], 6):
        rows["DSH-26A-P001"][col].value = value
    rows["DSH-26A-P002"][6].value = 5
    rows["DSH-26A-P001"][12].value = "weak market research"
    book.save(tmp_path / "filled.xlsx")
    loaded = run_cli("--as", "TR2", "plans", "scores", "import", "filled.xlsx")
    assert loaded.output.strip() == ("Loaded filled.xlsx: 1 new sheets, 1 replaced; 0 rows already recorded (nothing "
                                     "changed); 1 rows not filled in.")
    first = world.act("TR2").sheets("DSH-26A-P001")[0]
    assert first.total == Decimal("32.50") and first.comment == "weak market research"
    assert world.act("TR2").sheets("DSH-26A-P002")[0].values["market_understanding"] == 5


def filled_scoresheet(world, trainer: str, path, values: list[list[str]]):
    """``trainer``'s score sheet of DSH-26A written to ``path``, its rows' criteria filled with ``values``."""
    path.parent.mkdir(exist_ok=True)
    world.act(trainer).scoresheet("DSH-26A", path)
    with open(path, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    for row, cells in zip(rows[1:], values):
        row[6:12] = cells
    return write_csv(path, rows)


def test_imported_score_sheets_are_audited_plan_by_plan(world, tmp_path):
    for n in range(2):
        plan_for(world, n)
    world.act("TR2").score("DSH-26A-P002", GOOD)
    path = filled_scoresheet(world, "TR2", tmp_path / "sheet.csv", [["4"] * 6, ["5"] * 6])
    assert world.act("TR2").import_scores(path) == {"added": 1, "replaced": 1, "unchanged": 0, "skipped": 0}
    # TR3 fills in their own sheet (of the same name, in their own folder) the same way
    mine = filled_scoresheet(world, "TR3", tmp_path / "TR3" / "sheet.csv", [["4"] * 6, ["5"] * 6])
    assert world.act("TR3").import_scores(mine) == {"added": 2, "replaced": 0, "unchanged": 0, "skipped": 0}
    log = world.admin.audit.log(key="DSH-26A-P001")
    assert [(e.action, e.actor) for e in log] == [("plan.scored", "TR3"), ("score_sheet.add", "TR3"),
                                                  ("score_sheet.add", "TR2"), ("plan.submit", "TR1")]
    assert log[0].after["records"] == {"DSH-26A-P001": {"status": "scored", "before": "submitted", "version": 1,
                                                        "sheets": 2}}
    sheet = log[1].after["records"]["DSH-26A-P001"]
    assert (sheet["trainer"], sheet["version"], sheet["total"], log[1].after["file"]) == ("TR3", 1, "75.00",
                                                                                        "sheet.csv")
    replaced = world.admin.audit.log(key="DSH-26A-P002/1/TR2")
    assert [e.action for e in replaced] == ["score_sheet.replace", "score_sheet.add"]
    assert (replaced[0].before["total"], replaced[0].after["total"]) == ("77.50", "100.00")
    assert world.act("TR1").get("DSH-26A-P002").status.value == "scored"
    assert world.admin.audit.verify().ok


def test_a_bad_score_sheet_is_refused_whole(world, run_cli, tmp_path):
    for n in range(2):
        plan_for(world, n)
    path = tmp_path / "sheet.csv"
    world.act("TR1").scoresheet("DSH-26A", path)
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[1][6:12] = ["4", "4", "4", "4", "4", "4"]
    rows[2][6:12] = ["4", "6", "4", "4", "4", "4"]
    rows.append(["DSH-26A-P404", "1", "", "", "", "default@1", "3", "3", "3", "3", "3", "3", ""])
    write_csv(path, rows)
    before = audit_count(world.admin)
    result = run_cli("--as", "TR1", "plans", "scores", "import", str(path))
    assert result.exit_code == 1 and audit_count(world.admin) == before
    assert "row 3: plan DSH-26A-P002: financial_viability: 6 is outside the scale 1–5" in result.output
    assert "row 4: plan 'DSH-26A-P404' does not exist" in result.output
    assert error_line(result) == "Error: sheet.csv: 2 of 3 rows are invalid; no score was recorded"
    assert world.act("TR1").sheets("DSH-26A-P001") == []
    # a criterion column missing
    short = [[c for i, c in enumerate(r) if i != 8] for r in rows[:2]]
    write_csv(path, short)
    result = run_cli("--as", "TR1", "plans", "scores", "import", str(path))
    assert "row 2: no column for criterion skills_experience of rubric default@1" in result.output
    assert result.exit_code == 1


# --- ranking, moderation, shortlist, agreement ---------------------------------------------------


class Listener:
    """Another plugin hearing plan_shortlisted (it reads only the contract's attributes)."""

    def __init__(self):
        self.heard = []

    @hookimpl(optionalhook=True)
    def plan_shortlisted(self, tx, plan):
        self.heard.append((plan.code, plan.participant, plan.cohort, plan.title, plan.sector, plan.version,
                           plan.panel_score, plan.requested_funding, plan.currency))


@pytest.fixture
def scored(world):
    """Three plans scored by TR1, TR2 and TR3; P003's sheets are far apart."""
    for n in range(3):
        plan_for(world, n, title=f"Business {n + 1}")
    marks = {"DSH-26A-P001": (5, 4, 4), "DSH-26A-P002": (3, 3, 4), "DSH-26A-P003": (5, 2, 4)}
    for plan, per_trainer in marks.items():
        for trainer, value in zip(("TR1", "TR2", "TR3"), per_trainer):
            world.act(trainer).score(plan, {k: value for k in GOOD})
    return world


def test_ranking_flags_a_wide_disagreement_and_shortlisting_waits_for_moderation(scored, run_cli):
    ranking = json.loads(run_cli("--as", "TR2", "--format", "json", "plans", "ranking", "DSH-26A").stdout)
    assert [(r["rank"], r["plan"], r["panel_score"], r["sheets"], r["spread"], r["flags"]) for r in ranking] == [
        (1, "DSH-26A-P001", "83.33", 3, "25.00", ["needs moderation"]),
        (2, "DSH-26A-P003", "66.67", 3, "75.00", ["needs moderation"]),
        (3, "DSH-26A-P002", "58.33", 3, "25.00", ["needs moderation"])]
    table = run_cli("--as", "TR2", "plans", "ranking", "DSH-26A")
    assert "needs moderation" in table.output and "Зарина Ашурова" in table.output
    line = refused(run_cli, scored.admin, "--as", "TR1", "plans", "shortlist", "DSH-26A", "--top", "1", code=8)
    assert "3 plan(s) of DSH-26A need moderation first: DSH-26A-P001, DSH-26A-P003, DSH-26A-P002" in line
    assert "only an admin or its lead trainer (TR1)" in refused(
        run_cli, scored.admin, "--as", "TR2", "plans", "moderate", "DSH-26A-P003", "--reason", "ok", code=3)
    for plan in ("DSH-26A-P001", "DSH-26A-P002", "DSH-26A-P003"):
        done = run_cli("--as", "TR1", "plans", "moderate", plan, "--reason", "discussed in the panel; scores stand")
        assert done.exit_code == 0, done.output
    assert "was already moderated" in refused(run_cli, scored.admin, "--as", "TR1", "plans", "moderate",
                                              "DSH-26A-P001", "--reason", "again", code=8)
    log = scored.admin.audit.log(entity="plan", key="DSH-26A-P003", action="plan.moderate")
    assert log[0].after["reason"] == "discussed in the panel; scores stand" and log[0].actor == "TR1"
    ranking = scored.act("TR2").ranking("DSH-26A")
    assert all(r.flags == ["moderated"] for r in ranking)


def test_a_corrected_sheet_reopens_moderation(scored):
    scored.act("TR1").moderate("DSH-26A-P003", "discussed")
    scored.act("TR2").score("DSH-26A-P003", {k: 1 for k in GOOD})
    line = next(r for r in scored.act("TR1").ranking("DSH-26A") if r.plan == "DSH-26A-P003")
    assert line.needs_moderation and line.spread == Decimal("100.00")
    assert scored.admin.audit.log(action="plan.moderation_reopened")[0].entity_key == "DSH-26A-P003"


def test_shortlisting_marks_the_rest_not_selected_and_tells_other_plugins(scored, database_url, run_cli):
    for plan in ("DSH-26A-P001", "DSH-26A-P002", "DSH-26A-P003"):
        scored.act("TR1").moderate(plan, "discussed")
    listener = Listener()
    prog = open_programme(database_url, plugins=load_plugins(extra=[("listener", listener)]), clock=FixedClock(TODAY))
    try:
        result = prog.act_as("ADM").plans.shortlist("DSH-26A", min_score="60")
    finally:
        prog.close()
    assert [r.plan for r in result.shortlisted] == ["DSH-26A-P001", "DSH-26A-P003"]
    assert [r.plan for r in result.not_selected] == ["DSH-26A-P002"]
    assert listener.heard == [
        ("DSH-26A-P001", scored.codes[0], "DSH-26A", "Business 1", "sewing", 1, Decimal("83.33"), Decimal("5000.00"),
         "TJS"),
        ("DSH-26A-P003", scored.codes[2], "DSH-26A", "Business 3", "sewing", 1, Decimal("66.67"), Decimal("5000.00"),
         "TJS")]
    plans = {p.code: p for p in scored.act("TR1").list(cohort="DSH-26A")}
    assert plans["DSH-26A-P001"].status.value == "shortlisted" and plans["DSH-26A-P001"].panel_score == Decimal("83.33")
    assert plans["DSH-26A-P002"].status.value == "not_selected" and plans["DSH-26A-P002"].decided_on == TODAY
    assert "has no scored plan waiting for a decision" in refused(run_cli, scored.admin, "--as", "TR1", "plans",
                                                                  "shortlist", "DSH-26A", "--top", "1", code=8)


def test_shortlist_top_k_through_the_cli(scored, run_cli):
    for plan in ("DSH-26A-P001", "DSH-26A-P002", "DSH-26A-P003"):
        scored.act("TR1").moderate(plan, "discussed")
    assert "give either --min-score or --top" in refused(run_cli, scored.admin, "--as", "TR1", "plans",
                                                             "shortlist", "DSH-26A")
    result = run_cli("--as", "TR1", "plans", "shortlist", "DSH-26A", "--top", "1")
    assert result.output.splitlines() == ["Shortlisted 1 plan(s) of DSH-26A: DSH-26A-P001.", "Not selected: 2."]


def test_shortlisting_waits_for_plans_with_too_few_sheets(world, run_cli):
    plan_for(world, 0)
    plan_for(world, 1)
    for trainer in ("TR1", "TR2"):
        world.act(trainer).score("DSH-26A-P001", GOOD)
    world.act("TR1").score("DSH-26A-P002", GOOD)
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "shortlist", "DSH-26A", "--min-score", "50", code=8)
    assert "1 submitted plan(s) of DSH-26A have fewer than 2 score sheets: DSH-26A-P002 (1/2)" in line
    ranking = world.act("TR1").ranking("DSH-26A")
    assert [(r.rank, r.plan, r.panel_score, r.raw_score) for r in ranking] == [
        (1, "DSH-26A-P001", Decimal("77.50"), Decimal("77.50")), (None, "DSH-26A-P002", None, Decimal("77.50"))]


def test_agreement_of_the_panel(scored, run_cli):
    result = json.loads(run_cli("--as", "TR2", "--format", "json", "plans", "agreement", "DSH-26A").stdout)
    assert result["plans"] == 3 and result["trainers"] == ["TR1", "TR2", "TR3"] and result["plans_left_out"] == 0
    for name in ("icc1_1", "icc2_1", "icc3_1", "icc1_k", "icc2_k", "icc3_k"):
        assert result[name] is None or -1 <= Decimal(result[name]) <= 1
    forms = {f["key"]: f for f in result["forms"]}
    assert forms["icc3_1"]["value"] == result["icc3_1"] and forms["icc3_1"]["df1"] == 2
    assert forms["icc3_1"]["df2"] == 4 and Decimal(forms["icc3_1"]["lower"]) <= Decimal(forms["icc3_1"]["upper"])
    # three plans: intervals, but no reading
    assert forms["icc3_1"]["reading"] is None and "too few for a meaningful reading: 3 plans" in forms[
        "icc3_1"]["reading_note"]
    alpha = result["alpha"]
    assert [c["criterion"] for c in alpha["criteria"]] == list(GOOD)
    assert all(c["level"] == "ordinal" and c["plans"] == 3 and c["scores"] == 9 for c in alpha["criteria"])
    assert alpha["total"]["level"] == "interval" and alpha["least_agreement"] in GOOD
    deviations = {d["trainer"]: d for d in result["deviations"]}
    assert deviations["TR2"]["mean_deviation"] == "-19.44" and deviations["TR2"]["sheets"] == 3
    table = run_cli("--as", "TR2", "plans", "agreement", "DSH-26A")
    assert "ICC(2,1)" in table.output and "ICC(3,3)" in table.output and "TR2: -19.44 (3 sheets)" in table.output
    assert "no reading: too few for a meaningful reading" in table.output and "least agreement" in table.output


def enrol_more(world, count: int) -> None:
    """``count`` more participants with consent, enrolled in DSH-26A (after the world's four)."""
    for i in range(count):
        person = world.admin.participants.register(full_name=f"Участник {'абвгд'[i]}", sex="male",
                                                   birth_date="1990-02-03", centre="DSH")
        world.admin.participants.record_consent(person.code)
        world.codes.append(person.code)
    world.act("TR1").enrol("DSH-26A", world.codes[3:])


def test_agreement_per_criterion_uses_incomplete_panels_and_marks_the_least_agreed(world, run_cli):
    enrol_more(world, 1)
    for n in range(5):
        plan_for(world, n, title=f"Business {n + 1}")
    for n in range(5):
        plan = f"DSH-26A-P00{n + 1}"
        for trainer in ("TR1", "TR2", "TR3"):
            if trainer == "TR3" and n == 4:
                continue  # a conflict: P005 has two sheets only
            values = {k: 1 + (n % 5) for k in GOOD}
            if trainer == "TR2":
                values["realistic_budget"] = 5 - (n % 5)  # TR2 reads the budgets the other way round
            world.act(trainer).score(plan, values)
    found = world.act("TR1").agreement("DSH-26A")
    by_key = {c.key: c.alpha for c in found.criteria}
    assert found.least_agreement == "realistic_budget" and by_key["realistic_budget"].value < 0
    assert by_key["commitment"].value == 1 and by_key["commitment"].values == 14
    assert found.plans == 4 and found.plans_left_out == 1  # the ICC's complete block leaves P005 out
    forms = {f.key: f for f in found.forms}
    assert forms["icc3_1"].reading is None  # 4 plans in the block
    table = run_cli("--as", "TR1", "plans", "agreement", "DSH-26A").output
    marked = [line for line in table.splitlines() if "least agreement" in line]
    assert len(marked) == 1 and "alpha realistic budget" in marked[0], table
    assert "ICC(3,3)                        0.988 [0.919, 0.999]; F(3, 6) = 81.00, p = 0.00003; no reading" in table


def test_agreement_needs_two_plans_scored_by_the_same_trainers(world, run_cli):
    plan_for(world)
    world.act("TR1").score("DSH-26A-P001", GOOD)
    result = json.loads(run_cli("--as", "TR1", "--format", "json", "plans", "agreement", "DSH-26A").stdout)
    assert result["note"] == "agreement needs at least 2 plans scored by the same 2 or more trainers"
    assert result["icc1_1"] is None and result["plans"] == 0 and result["forms"] == []
    assert result["alpha"]["criteria"][0]["alpha"] is None
    assert result["alpha"]["criteria"][0]["reason"] == "no plan has two or more scores"


def test_normalised_ranking_evens_out_a_harsh_trainer(world):
    world.act("TR1").add_cohort("DSH-26N", "DSH", "Normalised", "2026-09-01", "2026-11-30", ["TR1", "TR2"],
                                normalise=True, spread_limit=60)
    world.act("TR1").enrol("DSH-26N", world.codes[:3])
    for n in range(3):
        world.act("TR1").add_plan(world.codes[n], "DSH-26N", submit=True, title="Shop", sector="trade",
                                  costs=["Shelves:1:900"], own_contribution="0", requested_funding="900",
                                  monthly_revenue="800", monthly_costs="500")
    lenient, harsh = {"DSH-26N-P001": 5, "DSH-26N-P002": 4, "DSH-26N-P003": 3}, {"DSH-26N-P001": 3,
                                                                                   "DSH-26N-P002": 2,
                                                                                   "DSH-26N-P003": 1}
    for plan in lenient:
        world.act("TR1").score(plan, {k: lenient[plan] for k in GOOD})
        world.act("TR2").score(plan, {k: harsh[plan] for k in GOOD})
    ranking = world.act("TR1").ranking("DSH-26N")
    assert [r.plan for r in ranking] == ["DSH-26N-P001", "DSH-26N-P002", "DSH-26N-P003"]
    assert ranking[0].raw_score == Decimal("75.00") and ranking[0].panel_score != ranking[0].raw_score


def test_tables_json_and_csv_for_scripts(scored, run_cli):
    csv_out = run_cli("--as", "TR1", "--format", "csv", "plans", "ranking", "DSH-26A").stdout.splitlines()
    assert csv_out[0] == "rank,plan,participant,full_name,title,sector,status,sheets,panel_score,raw_score,spread,flags"
    assert csv_out[1].startswith("1,DSH-26A-P001,")
    listing = run_cli("--as", "TR1", "--format", "csv", "plans", "list").stdout.splitlines()
    assert listing[0] == ",".join(["code", "version", "status", "participant", "title", "sector", "total_cost",
                                   "requested_funding", "currency", "submitted_on", "panel_score"])


# --- answers to other plugins ----------------------------------------------------------------


def test_eligibility_answers_for_training_plans_and_scores(scored):
    a, b, c = scored.codes[:3]
    plans = scored.act("TR1")
    for session in range(1, 6):
        plans.attend("DSH-26A", session, present=[a, b], absent=[c] if session > 1 else [], excused=[c] if
                     session == 1 else [])
    for plan in ("DSH-26A-P001", "DSH-26A-P002", "DSH-26A-P003"):
        plans.moderate(plan, "discussed")
    rules = {"training_completed": True, "shortlisted_plan": True, "min_plan_score": 70}
    check = scored.admin.participants.eligibility
    assert check(b, "grant", rules) == [
        f"{b} has no shortlisted business plan (plan DSH-26A-P002 is scored)",
        f"{b}'s plan DSH-26A-P002 scored 58.33, below the required 70"]
    plans.shortlist("DSH-26A", min_score=60)
    assert check(a, "grant", rules) == []
    assert check(c, "grant", rules) == [
        f"{c} has not completed business training: present at 0 of 5 held sessions of DSH-26A, 80% needed",
        f"{c}'s plan DSH-26A-P003 scored 66.67, below the required 70"]
    assert check(scored.codes[3], "grant", {"training_completed": True, "min_plan_score": 50}) == [
        f"{scored.codes[3]} is not enrolled in any business-training cohort",
        f"{scored.codes[3]} has no scored business plan (a plan score of at least 50 is required)"]
    with pytest.raises(InvalidInput, match="min_plan_score 'high' must be a number from 0 to 100"):
        check(a, "grant", {"min_plan_score": "high"})


GRANT_SPEC = types.ModuleType("grant_spec")


def _grant_plan(tx, participant):
    """The plan to link to a grant application (mirrors microgrants' contract)."""


GRANT_SPEC.grant_plan = __import__("pluggy").HookspecMarker("reentry")(firstresult=True)(_grant_plan)


class GrantsAsking:
    """An inline stand-in for microgrants: it owns the grant_plan question."""

    @hookimpl
    def register_hookspecs(self, add):
        add(GRANT_SPEC)


def test_grant_plan_answers_with_the_shortlisted_plan(scored, database_url):
    for plan in ("DSH-26A-P001", "DSH-26A-P002", "DSH-26A-P003"):
        scored.act("TR1").moderate(plan, "discussed")
    pm = load_plugins(extra=[("grants", GrantsAsking())], disabled={"microgrants", "mentoring"})
    prog = open_programme(database_url, plugins=pm, clock=FixedClock(TODAY))
    try:
        ctx = prog.act_as("ADM")
        a, b = scored.codes[:2]

        def ask(code):
            from reentry_core.services.context import Transaction

            with ctx.reading() as conn:
                return pm.hook.grant_plan(tx=Transaction(ctx, conn), participant=ctx.participants.get(code))

        before = ask(a)
        assert (before.code, before.status, before.panel_score) == ("DSH-26A-P001", "scored", Decimal("83.33"))
        ctx.plans.shortlist("DSH-26A", top=1)
        found = ask(a)
        assert (found.code, found.participant, found.cohort, found.title, found.sector, found.version,
                found.panel_score, found.requested_funding, found.currency, found.status) == (
            "DSH-26A-P001", a, "DSH-26A", "Business 1", "sewing", 1, Decimal("83.33"), Decimal("5000.00"), "TJS",
            "shortlisted")
        assert ask(b).status == "not_selected"
        assert ask(scored.codes[3]) is None
    finally:
        prog.close()


def test_indicators_are_counted_and_disaggregated_by_the_core(scored):
    a, b, c = scored.codes[:3]
    plans = scored.act("TR1")
    for session in range(1, 6):
        plans.attend("DSH-26A", session, present=[a, b], absent=[c])
    for plan in ("DSH-26A-P001", "DSH-26A-P002", "DSH-26A-P003"):
        plans.moderate(plan, "discussed")
    plans.shortlist("DSH-26A", top=2)
    registry = scored.programme.indicators
    with scored.programme.engine.connect() as conn:
        def figure(key, **kw):
            period = kw.pop("period", Period())
            return {g: (f.value, f.people) for g, f in compute(conn, registry, key, period, today=TODAY, **kw).items()}

        assert figure("plans.enrolled") == {(): (3, 3)}
        assert figure("plans.enrolled", by=("sex",)) == {("female",): (1, 1), ("male",): (2, 2)}
        assert figure("plans.training_completed") == {(): (2, 2)}
        assert figure("plans.submitted") == {(): (3, 3)}
        assert figure("plans.scored") == {(): (3, 3)}
        assert figure("plans.shortlisted") == {(): (2, 2)}
        mean = figure("plans.mean_panel_score")[()]
        assert mean == ((Decimal("83.33") + Decimal("66.67") + Decimal("58.33")) / 3, 3)
        assert figure("plans.submitted", period=Period(date(2027, 1, 1), None)) == {}
        assert figure("plans.training_completed", period=Period(None, date(2026, 11, 29))) == {}


def test_the_plugin_works_with_microgrants_and_mentoring_disabled(database_url, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from reentry_core.cli import build_cli

    pm = load_plugins(disabled={"microgrants", "mentoring"})
    assert pm.infos["business_plans"].state == "loaded" and pm.failures == []
    assert pm.infos["microgrants"].state == "disabled"
    prog = open_programme(database_url, plugins=pm, clock=FixedClock(TODAY))
    try:
        prog.bootstrap_admin("ADM", "Нигина Каримова")
        admin = prog.act_as("ADM")
        admin.centres.add("DSH", "Dushanbe centre", "Dushanbe")
        admin.staff.add("TR1", "Фарҳод Саидов", ["trainer"], "DSH")
        p = admin.participants.register(full_name="Зарина Ашурова", sex="female", birth_date="1991-07-04",
                                        centre="DSH")
        admin.participants.record_consent(p.code)
        plans = prog.act_as("TR1").plans
        plans.add_cohort("DSH-26A", "DSH", "Autumn", "2026-09-01", "2026-11-30", ["TR1"], min_sheets=1)
        plans.enrol("DSH-26A", [p.code])
        plans.add_plan(p.code, "DSH-26A", submit=True, title="Bakery", sector="cooking", costs=["Oven:1:3000"],
                       own_contribution="300", requested_funding="2700", monthly_revenue="2000",
                       monthly_costs="900")
        plans.score("DSH-26A-P001", GOOD)
        assert plans.shortlist("DSH-26A", top=1).shortlisted[0].plan == "DSH-26A-P001"
        assert admin.participants.eligibility(p.code, "grant", {"shortlisted_plan": True}) == []
    finally:
        prog.close()
    cli = build_cli(pm, clock=FixedClock(TODAY))
    result = CliRunner().invoke(cli, ["--db", database_url, "--as", "TR1", "--format", "json", "plans", "ranking",
                                      "DSH-26A"], catch_exceptions=False)
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["status"] == "shortlisted"
    assert "grants" not in cli.commands


def test_permissions_are_declared_for_the_roles(programme):
    table = {p.name: {r.value for r in p.roles} for p in programme.permissions if p.name.startswith("plans.")}
    assert table["plans.score"] == {"trainer"}
    assert table["plans.rubrics"] == {"admin"}
    assert "committee_member" in table["plans.view"]


def test_every_plans_command_explains_itself_with_an_example(plugin_manager):
    from reentry_core.cli import build_cli, walk_commands

    group = build_cli(plugin_manager).commands["plans"]
    for command in walk_commands(group):
        if command is group or command.name in {"cohort", "rubric", "scores", "conflict", "calibration"}:
            continue
        assert "Example" in (command.help or ""), command.name
    names = set(group.commands)
    assert {"cohort", "enrol", "attend", "completion", "add", "submit", "resubmit", "show", "list", "rubric", "score",
            "scoresheet", "scores", "ranking", "moderate", "shortlist", "agreement", "conflict", "calibration"} <= names


def test_cohort_settings_change_the_ranking_at_once(scored, run_cli):
    result = run_cli("--as", "TR1", "plans", "cohort", "settings", "DSH-26A", "--spread", "80", "--normalise")
    assert result.output.strip() == "Cohort DSH-26A: completion 80%, spread 80, normalised scores."
    assert all(not r.flags for r in scored.act("TR1").ranking("DSH-26A"))
    assert scored.admin.audit.log(action="cohort.update")[0].after == {"spread_limit": "80", "normalise": "True"}
    assert "say what changes" in refused(run_cli, scored.admin, "--as", "TR1", "plans", "cohort", "settings",
                                         "DSH-26A")
    assert "spread_limit must be between 0 and 100, not 120" in refused(
        run_cli, scored.admin, "--as", "TR1", "plans", "cohort", "settings", "DSH-26A", "--spread", "120")


def test_a_score_sheet_of_another_rubric_version_is_refused(world, run_cli, tmp_path):
    plan_for(world)
    path = tmp_path / "sheet.csv"
    world.act("TR1").scoresheet("DSH-26A", path)
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[1][5] = "default@2"
    rows[1][6:12] = ["4"] * 6
    write_csv(path, rows)
    result = run_cli("--as", "TR1", "plans", "scores", "import", str(path))
    assert result.exit_code == 1
    assert "row 2: plan DSH-26A-P001 is scored with rubric default@1 (its cohort's), not default@2" in result.output


def test_nobody_is_asked_for_values_that_would_be_refused(world, run_cli):
    plan_for(world, submit=False)
    result = run_cli("--as", "TR1", "plans", "score", "DSH-26A-P001", input="4\n")
    assert result.exit_code == 8 and "Market understanding" not in result.output
    assert error_line(result) == "Error: plan DSH-26A-P001 is a draft; it can be scored once it is submitted"


def test_a_score_sheet_may_carry_comments_per_criterion(world, run_cli, tmp_path):
    plan_for(world)
    path = write_csv(tmp_path / "sheet.csv", [
        ["plan", "rubric", *GOOD, "financial_viability_comment", "comment"],
        ["DSH-26A-P001", "default@1", *GOOD.values(), "rent is missing", "promising"]])
    result = run_cli("--as", "TR3", "plans", "scores", "import", str(path))
    assert result.output.strip() == ("Loaded sheet.csv: 1 new sheets, 0 replaced; 0 rows already recorded (nothing "
                                     "changed); 0 rows not filled in.")
    sheet = world.act("TR3").sheets("DSH-26A-P001")[0]
    assert (sheet.total, sheet.comments, sheet.comment) == (Decimal("77.50"), {"financial_viability": "rent is missing"},
                                                            "promising")
    typo = write_csv(tmp_path / "typo.csv", [["plan", "rubric", *GOOD, "charm"],
                                             ["DSH-26A-P001", "default@1", *GOOD.values(), "5"]])
    result = run_cli("--as", "TR3", "plans", "scores", "import", str(typo))
    assert result.exit_code == 1 and "row 2: plan DSH-26A-P001: unknown criterion 'charm'" in result.output


# --- calibration rounds ------------------------------------------------------------------------


@pytest.fixture
def calibrated(world):
    """An earlier (spring) cohort DSH-26S whose panel TR1 and TR2 scored two plans; DSH-26A,
    the cohort about to be scored, has the round DSH-26A-CAL1 on them."""
    tr1 = world.act("TR1")
    tr1.add_cohort("DSH-26S", "DSH", "Spring 2026", "2026-03-02", "2026-05-29", ["TR1", "TR2"])
    tr1.enrol("DSH-26S", world.codes[:2])
    for n, value in ((0, 4), (1, 2)):
        plan = tr1.add_plan(world.codes[n], "DSH-26S", submit=True, title=f"Spring {n + 1}", sector="trade",
                            costs=["Shelves:1:900"], own_contribution="0", requested_funding="900",
                            monthly_revenue="800", monthly_costs="500", summary="A shop by the bazaar")
        for trainer, extra in (("TR1", 0), ("TR2", 1)):
            world.act(trainer).score(plan.code, {k: value + extra for k in GOOD})
    world.round = tr1.new_calibration("DSH-26A", ["DSH-26S-P001", "DSH-26S-P002"], band="0.5")
    return world


def test_a_calibration_round_is_anonymised_audited_and_apart_from_the_scores(calibrated, run_cli):
    found = calibrated.round
    assert (found.code, found.plans, found.trainers, found.band) == (
        "DSH-26A-CAL1", ("C1", "C2"), ("TR1", "TR2", "TR3"), Decimal("0.50"))
    event = calibrated.admin.audit.log(action="calibration.new")[0]
    assert event.after["plans"] == {"C1": "DSH-26S-P001@1", "C2": "DSH-26S-P002@1"} and event.actor == "TR1"
    shown = json.loads(run_cli("--as", "TR3", "--format", "json", "plans", "calibration", "plans",
                               "DSH-26A-CAL1").stdout)
    assert [p["plan"] for p in shown] == ["C1", "C2"] and shown[0]["summary"] == "A shop by the bazaar"
    text = json.dumps(shown, ensure_ascii=False)
    assert "DSH-26S" not in text and calibrated.codes[0] not in text and "Ашурова" not in text
    for trainer, values in (("TR1", 4), ("TR2", 5), ("TR3", 1)):
        calibrated.act(trainer).calibration_score("DSH-26A-CAL1", "c1", {k: values for k in GOOD})
    calibrated.act("TR3").calibration_score("DSH-26A-CAL1", "C1", {k: 2 for k in GOOD})  # a correction
    replaced = calibrated.admin.audit.log(action="calibration.score_replace")[0]
    assert replaced.entity_key == "DSH-26A-CAL1/C1/TR3" and replaced.before == {"values": {k: 1 for k in GOOD}}
    ranking = calibrated.act("TR1").ranking("DSH-26S")
    assert [(r.plan, r.sheets) for r in ranking] == [("DSH-26S-P001", 2), ("DSH-26S-P002", 2)]
    result = json.loads(run_cli("--as", "TR1", "--format", "json", "plans", "calibration", "show",
                                "DSH-26A-CAL1").stdout)
    assert result["scored"] == {"TR1": 1, "TR2": 1, "TR3": 1} and result["outside"] == ["TR2", "TR3"]
    rows = {(r["trainer"], r["criterion"]): r for r in result["deviations"]}
    # C1: the round's panel mean is 11/3, the earlier panel's 4.5 (4 and 5)
    assert rows["TR1", "commitment"]["from_panel"] == "0.33" and rows["TR1", "commitment"]["from_consensus"] == "-0.50"
    assert rows["TR3", "commitment"]["from_consensus"] == "-2.50" and rows["TR3", "commitment"]["flag"]
    assert result["alpha"]["criteria"][0]["plans"] == 1
    csv_out = run_cli("--as", "TR1", "--format", "csv", "plans", "calibration", "show", "DSH-26A-CAL1").stdout
    assert csv_out.splitlines()[0] == "trainer,criterion,plans,from_panel,from_consensus,flag"


def test_calibration_refuses_what_cannot_be_compared(calibrated, run_cli):
    admin = calibrated.admin
    assert "band: 0 must be more than zero" in refused(run_cli, admin, "--as", "TR1", "plans", "calibration", "new",
                                                        "DSH-26A", "--plan", "DSH-26S-P001", "--band", "0")
    assert "band: 5 is wider than the rubric's scale 1–5" in refused(
        run_cli, admin, "--as", "TR1", "plans", "calibration", "new", "DSH-26A", "--plan", "DSH-26S-P001",
        "--band", "5")
    assert "DSH-26S-P001 named more than once" in refused(run_cli, admin, "--as", "TR1", "plans", "calibration",
                                                           "new", "DSH-26A", "--plan", "DSH-26S-P001,dsh-26s-p001")
    plan_for(calibrated, 2)
    calibrated.act("TR1").score("DSH-26A-P001", GOOD)
    assert "plan DSH-26A-P001 is not from an earlier cohort than DSH-26A" in refused(
        run_cli, admin, "--as", "TR1", "plans", "calibration", "new", "DSH-26A", "--plan", "DSH-26A-P001", code=8)
    # a later cohort cannot calibrate with DSH-26A's plan that has one sheet only
    calibrated.act("TR1").add_cohort("DSH-27A", "DSH", "Spring 2027", "2027-03-01", "2027-05-28", ["TR1"])
    assert "plan DSH-26A-P001 has 1 score sheet(s) as submitted" in refused(
        run_cli, admin, "--as", "TR1", "plans", "calibration", "new", "DSH-27A", "--plan", "DSH-26A-P001", code=8)
    assert "round DSH-26A-CAL1 has no plan C9" in refused(
        run_cli, admin, "--as", "TR2", "plans", "calibration", "score", "DSH-26A-CAL1", "C9", *as_options(GOOD), code=7)
    assert "C1: market_understanding: 7 is outside the scale 1–5" in refused(
        run_cli, admin, "--as", "TR2", "plans", "calibration", "score", "DSH-26A-CAL1", "C1",
        *as_options(values(market_understanding=7)))
    assert "may not score business plans" in refused(
        run_cli, admin, "--as", "CW1", "plans", "calibration", "score", "DSH-26A-CAL1", "C1", *as_options(GOOD),
        code=3)


def test_a_calibration_sheet_is_imported_whole_or_not_at_all(calibrated, run_cli, tmp_path):
    path = tmp_path / "cal.csv"
    assert calibrated.act("TR3").calibration_sheet("DSH-26A-CAL1", path) == 2
    with open(path, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["plan", "title", "sector"] and [r[0] for r in rows[1:]] == ["C1", "C2"]
    assert not any("DSH-26S" in cell for row in rows for cell in row)
    start = rows[0].index("market_understanding")
    rows[1][start:start + 6] = ["4"] * 6
    rows[2][start:start + 6] = ["4", "9", "4", "4", "4", "4"]
    write_csv(path, rows)
    before = audit_count(calibrated.admin)
    result = run_cli("--as", "TR3", "plans", "calibration", "import", "DSH-26A-CAL1", str(path))
    assert result.exit_code == 1 and audit_count(calibrated.admin) == before
    assert "row 3: C2: financial_viability: 9 is outside the scale 1–5" in result.output
    rows[2][start:start + 6] = [""] * 6
    write_csv(path, rows)
    result = run_cli("--as", "TR3", "plans", "calibration", "import", "DSH-26A-CAL1", str(path))
    assert result.output.strip() == ("Loaded cal.csv: 1 plans scored, 0 replaced; 0 rows already recorded (nothing "
                                     "changed); 1 rows not filled in.")
    assert calibrated.act("TR3").calibration_results("DSH-26A-CAL1").scored["TR3"] == 1
    assert [r.code for r in calibrated.act("TR2").calibrations("DSH-26A")] == ["DSH-26A-CAL1"]


def test_erasing_a_participant_clears_the_words_about_their_plan_and_keeps_its_figures(world, run_cli):
    """Issue 14, point 5, the business plans' part: the plan's summary and the trainers'
    comments go (here and in the audit trail); title, sector, money and scores stay."""
    plan_for(world, summary="Мадина will sew at home in Vahdat, her brother's flat")
    run_cli("--as", "TR1", "plans", "score", "DSH-26A-P001", *as_options(GOOD), "--note",
            "financial_viability=her brother pays the rent", "--comment", "she knows the bazaar")
    code = world.codes[0]
    world.admin.participants.exit(code, "withdrew")
    done = world.admin.participants.erase(code, "asked")
    assert {"1 plan version's summary and notes", "1 score sheet's comment", "1 criterion comment"} <= set(
        done.plugins)
    plan = world.act("TR1").get("DSH-26A-P001")
    sheet = world.act("TR1").sheets("DSH-26A-P001")[0]
    assert (plan.summary, sheet.comment, sheet.comments) == (None, None, {})
    assert (plan.title, plan.sector.value, sheet.total) == ("Sewing workshop", "sewing", Decimal("77.50"))
    with world.programme.engine.connect() as conn:
        kept = [(r[0], r[1]) for r in conn.exec_driver_sql("select seq, action, before, after from audit_event")
                if any(w in str(r[2]) + str(r[3]) for w in ("Vahdat", "brother", "bazaar"))]
    assert kept == []
    assert world.admin.audit.verify().ok
