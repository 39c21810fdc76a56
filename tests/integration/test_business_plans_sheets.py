"""The business_plans sheets entered again (issue 15 point 2): each import, entered twice,
changes nothing the second time and says so; contradictory rows of one file are refused
naming both; pre-printed rows nobody filled in are skipped; a score or calibration sheet is
its trainer's alone; and each import reads the file saved as UTF-16 or Windows-1251 too."""

from __future__ import annotations

import csv
import io

import pytest

from reentry_core.errors import InvalidInput, RowErrors

from tests.integration.test_business_plans import (  # noqa: F401  (world and calibrated are fixtures)
    GOOD, PLANS_HEADER, audit_count, calibrated, error_line, filled_scoresheet, plan_for, refused, world, write_csv,
)

PLAN = ["Sewing workshop", "sewing", "Sewing machine:2:1800; Overlock:1:2500", "500", "5000", "3000", "1200"]


def nothing_changed(run_cli, admin, *args) -> str:
    """Run an import entered before: exit 0, nothing written to the audit trail; its line."""
    before = audit_count(admin)
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    assert audit_count(admin) == before, "a file entered again changed something"
    return result.output.strip()


def encoded(path, rows, encoding: str):
    """``rows`` saved as CSV in ``encoding`` (as Excel saves "Unicode text" or a Russian
    Windows' "CSV"): UTF-16 with its BOM, or Windows-1251."""
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


# --- the attendance register ------------------------------------------------------------------


def test_a_register_entered_twice_changes_nothing_the_second_time(world, run_cli, tmp_path):
    a, b, c = world.codes[:3]
    path = write_csv(tmp_path / "register.csv", [
        ["session", "participant", "name", "mark"], ["1", a, "Зарина Ашурова", "p"], ["1", b, "", "a"],
        ["2026-09-14", a, "", "present"], ["2", c, "Фирдавс Назаров", ""]])  # c's pre-printed row not filled in
    first = run_cli("--as", "TR1", "plans", "attend", "DSH-26A", "--file", str(path))
    assert first.output.strip() == ("Loaded register.csv: 3 attendance marks of DSH-26A recorded; 0 rows already "
                                    "recorded (nothing changed); 1 rows not filled in.")
    args = ("--as", "TR1", "plans", "attend", "DSH-26A", "--file", str(path))
    assert nothing_changed(run_cli, world.admin, *args) == (
        "Nothing changed: register.csv has 3 rows already recorded; 1 rows not filled in.")
    again = world.act("TR1").import_attendance("DSH-26A", path)
    assert (again.rows, again.written, again.unchanged, again.skipped) == (4, 0, 3, 1)
    done = {line.participant: line for line in world.act("TR1").completion("DSH-26A")}
    assert (done[a].present, done[b].absent, done[c].present + done[c].absent) == (2, 1, 0)  # counted once
    # a changed mark is a correction, audited with the mark it replaces; the rest is unchanged
    write_csv(path, [["session", "participant", "mark"], ["1", a, "p"], ["1", b, "excused"]])
    changed = world.act("TR1").import_attendance("DSH-26A", path)
    assert (changed.written, changed.unchanged) == (1, 1)
    event = world.admin.audit.log(key=f"DSH-26A/1/{b}")[0]
    assert event.after["records"] == {f"DSH-26A/1/{b}": {"mark": "excused", "before": "absent"}}


def test_contradictory_marks_in_one_register_are_refused_naming_both_rows(world, run_cli, tmp_path):
    a, b = world.codes[:2]
    path = write_csv(tmp_path / "register.csv", [
        ["session", "participant", "mark"], ["1", a, "present"], ["1", b, "present"], ["2026-09-07", a, "absent"]])
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "attend", "DSH-26A", "--file", str(path))
    assert line == "Error: register.csv: 1 of 3 rows are invalid; nothing was recorded"
    result = run_cli("--as", "TR1", "plans", "attend", "DSH-26A", "--file", str(path))
    assert f"row 4: the same as row 2 (session 1, {a}); give each once" in result.output.splitlines()
    assert world.act("TR1").completion("DSH-26A")[0].held == 0


def test_a_register_of_only_unfilled_rows_is_refused(world, tmp_path):
    a, b = world.codes[:2]
    path = write_csv(tmp_path / "register.csv", [["session", "participant", "mark"], ["1", a, ""], ["1", b, ""]])
    with pytest.raises(InvalidInput) as refusal:
        world.act("TR1").import_attendance("DSH-26A", path)
    assert refusal.value.message == "register.csv: none of its 2 rows is filled in (mark); nothing was imported"


# --- the score sheet ---------------------------------------------------------------------------


def test_a_score_sheet_entered_twice_changes_nothing_the_second_time(world, run_cli, tmp_path):
    for n in range(2):
        plan_for(world, n)
    path = filled_scoresheet(world, "TR2", tmp_path / "sheet.csv", [["4"] * 6, ["5"] * 6])
    first = run_cli("--as", "TR2", "plans", "scores", "import", str(path))
    assert first.output.strip() == ("Loaded sheet.csv: 2 new sheets, 0 replaced; 0 rows already recorded (nothing "
                                    "changed); 0 rows not filled in.")
    assert nothing_changed(run_cli, world.admin, "--as", "TR2", "plans", "scores", "import", str(path)) == (
        "Nothing changed: sheet.csv has 2 rows already recorded; 0 rows not filled in.")
    assert world.act("TR2").import_scores(path) == {"added": 0, "replaced": 0, "unchanged": 2, "skipped": 0}
    # one score changed: that sheet is replaced (audited with the earlier one), the other unchanged
    path = filled_scoresheet(world, "TR2", path, [["4"] * 6, ["5", "5", "5", "5", "5", "3"]])
    assert world.act("TR2").import_scores(path) == {"added": 0, "replaced": 1, "unchanged": 1, "skipped": 0}
    replaced = world.admin.audit.log(key="DSH-26A-P002/1/TR2")[0]
    assert (replaced.action, replaced.before["total"], replaced.after["total"]) == (
        "score_sheet.replace", "100.00", "92.50")
    assert [s.trainer for s in world.act("TR1").sheets("DSH-26A-P002")] == ["TR2"]


def test_a_score_sheet_is_its_trainers_alone(world, run_cli, tmp_path):
    plan_for(world)
    world.act("TR1").score("DSH-26A-P001", GOOD)
    path = filled_scoresheet(world, "TR2", tmp_path / "sheet.csv", [["2"] * 6])
    line = refused(run_cli, world.admin, "--as", "TR1", "plans", "scores", "import", str(path))
    assert line == ("Error: sheet.csv, row 2, trainer: this sheet is TR2's; import it as TR2: reentry --as TR2 plans "
                    "scores import sheet.csv")
    assert [(s.trainer, s.values) for s in world.act("TR1").sheets("DSH-26A-P001")] == [("TR1", GOOD)]


def test_a_score_sheet_row_must_name_its_plans_participant_version_and_rubric(world, run_cli, tmp_path):
    a, b = world.codes[:2]
    plan_for(world)
    path = filled_scoresheet(world, "TR2", tmp_path / "sheet.csv", [["4"] * 6])
    with open(path, encoding="utf-8-sig") as f:
        header, row = list(csv.reader(f))
    assert row[:3] == ["DSH-26A-P001", "1", a] and row[5] == "default@1" and row[-1] == "TR2"
    for column, value, problem in [
            (2, b, f"row 2, participant: plan DSH-26A-P001 is {a}'s, not {b}'s; check the row"),
            (1, "2", "row 2: plan DSH-26A-P001 is at version 1, not 2; score the current version"),
            (5, "default@2", "row 2: plan DSH-26A-P001 is scored with rubric default@1 (its cohort's), not default@2")]:
        wrong = write_csv(tmp_path / "wrong.csv", [header, row[:column] + [value] + row[column + 1:]])
        assert refused(run_cli, world.admin, "--as", "TR2", "plans", "scores", "import", str(wrong)) == (
            "Error: wrong.csv: 1 of 1 rows are invalid; no score was recorded")
        result = run_cli("--as", "TR2", "plans", "scores", "import", str(wrong))
        assert problem in result.output.splitlines(), result.output
    twice = write_csv(tmp_path / "twice.csv", [header, row, row])
    with pytest.raises(RowErrors) as refusal:
        world.act("TR2").import_scores(twice)
    assert refusal.value.problems == ["row 3: the same as row 2 (DSH-26A-P001); give each once"]


# --- the plans sheet ---------------------------------------------------------------------------


def test_a_plans_sheet_entered_twice_changes_nothing_the_second_time(world, run_cli, tmp_path):
    a, b, c = world.codes[:3]
    path = write_csv(tmp_path / "plans.csv", [PLANS_HEADER, [a, *PLAN], [b, *PLAN[:2], "Shelves:1:900", "0", "900",
                                                                         "800", "500"]])
    run_cli("--as", "CW1", "plans", "import", "DSH-26A", str(path), "--submit")
    args = ("--as", "CW1", "plans", "import", "DSH-26A", str(path), "--submit")
    assert nothing_changed(run_cli, world.admin, *args) == (
        "Nothing changed: plans.csv has 2 rows already recorded; 0 rows not filled in.")
    # the same file with c's plan added: c's is new, the others are already recorded
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    write_csv(path, [*rows, [c, "Bakery", "cooking", "Tandoor oven:1:3000", "300", "2700", "2000", "900"]])
    made = world.act("CW1").import_plans("DSH-26A", path)
    assert ([(p.code, p.participant) for p in made.plans], made.unchanged, made.skipped) == (
        [("DSH-26A-P003", c)], 2, 0)
    assert [p.code for p in world.act("TR1").list(cohort="DSH-26A")] == ["DSH-26A-P001", "DSH-26A-P002",
                                                                         "DSH-26A-P003"]


# --- the calibration sheet ---------------------------------------------------------------------


def filled_calibration(calibrated, trainer: str, path, value: str = "4"):
    """``trainer``'s calibration sheet of DSH-26A-CAL1 at ``path``, every criterion ``value``."""
    calibrated.act(trainer).calibration_sheet("DSH-26A-CAL1", path)
    with open(path, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    start = rows[0].index("market_understanding")
    for row in rows[1:]:
        row[start:start + 6] = [value] * 6
    return write_csv(path, rows)


def test_a_calibration_sheet_entered_twice_changes_nothing_the_second_time(calibrated, run_cli, tmp_path):
    path = filled_calibration(calibrated, "TR3", tmp_path / "cal.csv")
    first = calibrated.act("TR3").import_calibration("DSH-26A-CAL1", path)
    assert first == {"added": 2, "replaced": 0, "unchanged": 0, "skipped": 0}
    args = ("--as", "TR3", "plans", "calibration", "import", "DSH-26A-CAL1", str(path))
    assert nothing_changed(run_cli, calibrated.admin, *args) == (
        "Nothing changed: cal.csv has 2 rows already recorded; 0 rows not filled in.")
    assert refused(run_cli, calibrated.admin, "--as", "TR2", "plans", "calibration", "import", "DSH-26A-CAL1",
                   str(path)) == ("Error: cal.csv, row 2, trainer: this sheet is TR3's; import it as TR3: reentry --as "
                                  "TR3 plans calibration import DSH-26A-CAL1 cal.csv")
    path = filled_calibration(calibrated, "TR3", path, "3")
    assert calibrated.act("TR3").import_calibration("DSH-26A-CAL1", path) == {
        "added": 0, "replaced": 2, "unchanged": 0, "skipped": 0}
    event = calibrated.admin.audit.log(key="DSH-26A-CAL1/C1/TR3")[0]
    assert (event.action, event.before["values"]["commitment"], event.after["values"]["commitment"]) == (
        "calibration.score_replace", 4, 3)
    # one plan twice in a sheet, with other values: refused naming both rows
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    write_csv(path, [*rows, [*rows[1][:-7], "5", "5", "5", "5", "5", "5", "TR3"]])
    with pytest.raises(RowErrors) as refusal:
        calibrated.act("TR3").import_calibration("DSH-26A-CAL1", path)
    assert refusal.value.problems == ["row 4: the same as row 2 (C1); give each once"]


# --- the files Excel saves ---------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "cp1251"])
def test_every_import_reads_a_file_saved_as_utf16_or_windows_1251(calibrated, run_cli, tmp_path, encoding):
    world = calibrated
    a, b, c = world.codes[:3]
    register = encoded(tmp_path / "register.csv", [["session", "participant", "name", "mark"],
                                                   ["1", a, "Зарина Ашурова", "present"]], encoding)
    assert world.act("TR1").import_attendance("DSH-26A", register).written == 1
    plans = encoded(tmp_path / "plans.csv", [PLANS_HEADER + ["summary"], [a, "Швейная мастерская", *PLAN[1:],
                                                                           "Шьём платья на заказ"]], encoding)
    made = world.act("CW1").import_plans("DSH-26A", plans, submit=True)
    assert (made.plans[0].title, made.plans[0].summary) == ("Швейная мастерская", "Шьём платья на заказ")
    world.act("TR2").scoresheet("DSH-26A", tmp_path / "blank.csv")
    with open(tmp_path / "blank.csv", encoding="utf-8-sig") as f:
        header, row = list(csv.reader(f))
    row[3], row[6:13] = "Швейная мастерская", ["4"] * 6 + ["Хороший план"]
    sheet = encoded(tmp_path / "sheet.csv", [header, row], encoding)
    assert world.act("TR2").import_scores(sheet)["added"] == 1
    assert world.act("TR2").sheets(made.plans[0].code)[0].comment == "Хороший план"
    path = filled_calibration(world, "TR3", tmp_path / "cal-utf8.csv")
    with open(path, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    rows[1][1] = "Магазин у базара"
    calibration = encoded(tmp_path / "cal.csv", rows, encoding)
    assert world.act("TR3").import_calibration("DSH-26A-CAL1", calibration)["added"] == 2
    # the command line takes the encoding by name too, and a second entry changes nothing
    args = ("--as", "TR1", "plans", "attend", "DSH-26A", "--file", str(register), "--encoding", encoding)
    assert nothing_changed(run_cli, world.admin, *args).startswith("Nothing changed: register.csv has 1 rows")
