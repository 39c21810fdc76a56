"""A visit sheet entered twice changes nothing the second time (issue 15, point 2): rows
already logged as they say are counted, a row that says otherwise about a logged visit is
refused, two rows for one visit are refused naming both, rows nobody filled in are
skipped; UTF-16 and Windows-1251 files are read the same, through the API and the CLI."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from reentry_core.errors import InvalidInput, RowErrors
from reentry_core.storage import tables as core
from reentry_mentoring import tables as t
from tests.integration.mentoring_support import (  # noqa: F401  (fixtures)
    add_mentor, clock, grants, grants_pm, programme, register, run_cli,
)
from tests.integration.test_mentoring_sheets import _count, two_funded  # noqa: F401  (a fixture)

VISITED = {"visited_on": "2026-07-08", "mode": "on_site", "business_status": "operating", "revenue": "4000",
           "costs": "2500", "equipment_seen": "yes", "discussed": "обсудили цены и новые заказы"}


def _events(programme) -> int:
    return _count(programme, core.audit_event)


@pytest.fixture
def printed(programme, two_funded, clock, tmp_path):
    """MN1's sheet of 1 July (both 1-month visits), read back as rows {column: text}."""
    clock.move_to(date(2026, 7, 1))
    path = tmp_path / "printed.csv"
    programme.act_as("MN1").mentoring.visit_sheet(path)
    clock.move_to(date(2026, 7, 20))
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _save(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_sheet_entered_twice_logs_its_visits_once(programme, printed, tmp_path):
    first, second = printed
    path = _save(tmp_path / "visits.csv", [{**first, **VISITED}, second])  # the second one was not visited
    mentor = programme.act_as("MN1").mentoring
    imported = mentor.import_visits(path)
    assert [(i.row, i.report.visit.due_months) for i in imported] == [(2, 1)]
    assert (imported.unchanged, imported.skipped, imported.rows) == (0, 1, 2)
    events = _events(programme)
    again = mentor.import_visits(path)
    assert list(again) == [] and (again.unchanged, again.skipped) == (1, 1)
    assert _count(programme, t.visit) == 1 and _events(programme) == events
    # the mentor fills in the second row later and imports the whole sheet: only it is new
    _save(path, [{**first, **VISITED}, {**second, **VISITED, "visited_on": "2026-07-09"}])
    third = mentor.import_visits(path)
    assert [i.row for i in third] == [3] and (third.unchanged, third.skipped) == (1, 0)
    assert _count(programme, t.visit) == 2


def test_a_row_that_changes_a_logged_visit_is_refused(programme, printed, tmp_path):
    first, _second = printed
    path = _save(tmp_path / "visits.csv", [{**first, **VISITED}])
    mentor = programme.act_as("MN1").mentoring
    mentor.import_visits(path)
    _save(path, [{**first, **VISITED, "revenue": "4500", "equipment_seen": "no", "risk_note": "долги"}])
    with pytest.raises(RowErrors) as refused:
        mentor.import_visits(path)
    assert refused.value.problems == [
        "row 2: DSH-2026-0001's 1-month visit is already logged (visit 1 of 2026-07-08 by MN1) and this row says "
        "otherwise: revenue 4000.00 → 4500.00, equipment_seen yes → no, risk_note differs; a logged visit is not "
        "rewritten from a sheet (it may have verified a tranche or opened a referral): log what is new as a "
        "visit of its own"]
    # the same due visit on another day is the same visit told otherwise, not a second one
    _save(path, [{**first, **VISITED, "visited_on": "2026-07-10"}])
    with pytest.raises(RowErrors) as refused:
        mentor.import_visits(path)
    assert "visited_on 2026-07-08 → 2026-07-10" in refused.value.problems[0]
    (visit,) = mentor.visits()
    assert visit.revenue == 4000 and visit.visited_on == date(2026, 7, 8)


def test_a_row_the_mentor_added_is_the_visit_of_its_day(programme, two_funded, clock, tmp_path):
    first, _second = two_funded
    clock.move_to(date(2026, 7, 20))
    row = {"participant": first, **VISITED}
    path = _save(tmp_path / "visits.csv", [row])
    mentor = programme.act_as("MN1").mentoring
    assert len(mentor.import_visits(path)) == 1
    assert mentor.import_visits(path).unchanged == 1
    _save(path, [{**row, "mode": "video"}])
    with pytest.raises(RowErrors) as refused:
        mentor.import_visits(path)
    assert refused.value.problems[0].startswith(
        "row 2: DSH-2026-0001's visit of 2026-07-08 is already logged (visit 1 of 2026-07-08 by MN1) and this row "
        "says otherwise: mode on_site → video;")


def test_two_rows_for_one_visit_are_refused_naming_both(programme, printed, tmp_path):
    first, second = printed
    path = _save(tmp_path / "visits.csv", [
        {**first, **VISITED}, {**second, **VISITED}, {**first, **VISITED, "visited_on": "2026-07-09"},
        {"participant": second["participant"], **VISITED, "visited_on": "2026-07-12"},
        {"participant": second["participant"], **VISITED, "visited_on": "2026-07-12", "revenue": "1"},
    ])
    with pytest.raises(RowErrors) as refused:
        programme.act_as("MN1").mentoring.import_visits(path)
    assert refused.value.problems == [
        "row 4: the same as row 2 (DSH-2026-0001, 1-month visit); give each once",
        "row 6: the same as row 5 (DSH-2026-0002, 2026-07-12); give each once",
    ]
    assert _count(programme, t.visit) == 0


def test_a_sheet_nobody_filled_in_is_refused(programme, printed, tmp_path):
    path = _save(tmp_path / "visits.csv", printed)
    with pytest.raises(InvalidInput, match=r"visits.csv: none of its 2 rows is filled in \(visited_on, mode, "):
        programme.act_as("MN1").mentoring.import_visits(path)


@pytest.mark.parametrize("encoding", ["utf-16", "cp1251"])
def test_unicode_text_and_russian_windows_files_are_read_alike(programme, printed, tmp_path, encoding):
    first, second = printed
    rows = [{**first, **VISITED, "full_name": "Мадина Сафарова", "advice": "вести кассовую книгу"},
            {**second, "full_name": "Жамшед Рахимов"}]
    path = _save(tmp_path / "visits.csv", rows, encoding=encoding)
    mentor = programme.act_as("MN1").mentoring
    (logged,) = mentor.import_visits(path)
    assert logged.report.visit.discussed == "обсудили цены и новые заказы"
    assert logged.report.visit.advice == "вести кассовую книгу"
    assert mentor.import_visits(path, encoding=encoding).unchanged == 1


def test_an_xlsx_sheet_filled_in_and_entered_twice(programme, two_funded, clock, tmp_path):
    from openpyxl import load_workbook

    clock.move_to(date(2026, 7, 1))
    path = tmp_path / "visits.xlsx"
    mentor = programme.act_as("MN1").mentoring
    mentor.visit_sheet(path)
    book = load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    for name, value in {**VISITED, "visited_on": date(2026, 7, 8)}.items():
        sheet.cell(row=2, column=header.index(name) + 1, value=value)
    book.save(path)
    clock.move_to(date(2026, 7, 20))
    assert [i.report.visit.due_months for i in mentor.import_visits(path)] == [1]
    again = mentor.import_visits(path)
    assert (len(again), again.unchanged, again.skipped) == (0, 1, 1)


def test_the_cli_says_what_a_second_entry_changed(run_cli, printed, tmp_path):
    first, second = printed
    path = _save(tmp_path / "visits.csv", [{**first, **VISITED}, second])
    result = run_cli("--as", "MN1", "mentoring", "import-visits", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "1 visit logged; 0 rows already logged (nothing changed); 1 row not visited (not filled in).",
        f"Logged 1 visit from {path}: 1 on time, 0 late, 0 extra; 1 verify a business for its next tranche."]
    result = run_cli("--as", "MN1", "mentoring", "import-visits", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "0 visits logged; 1 row already logged (nothing changed); 1 row not visited (not filled in).",
        f"Nothing changed: every visit of {path} is already logged."]
    cp1251 = _save(tmp_path / "ru.csv", [{**first, **VISITED, "full_name": "Мадина Сафарова"}], encoding="cp1251")
    result = run_cli("--as", "MN1", "mentoring", "import-visits", str(cp1251), "--encoding", "cp1251")
    assert result.exit_code == 0 and "1 row already logged (nothing changed)" in result.output, result.output
    result = run_cli("--as", "MN1", "--format", "json", "mentoring", "import-visits", str(path))
    assert '"unchanged": 1' in result.output and '"skipped": 1' in result.output, result.output


def test_a_visit_placed_on_another_due_visit_is_found_by_its_day(programme, two_funded, clock, tmp_path):
    """The mentor fills in the 3-month row with a visit that, by its date, fulfils the 1-month
    visit: entered again, the row is that visit, not a second one for the 3-month visit."""
    clock.move_to(date(2026, 7, 1))
    printed = tmp_path / "printed.csv"
    mentor = programme.act_as("MN1").mentoring
    mentor.visit_sheet(printed, within=120)
    with open(printed, encoding="utf-8-sig", newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["participant"] == two_funded[0]]
    assert [row["due_visit"] for row in rows] == ["1", "3"]
    clock.move_to(date(2026, 7, 20))
    path = _save(tmp_path / "visits.csv", [rows[0], {**rows[1], **VISITED}])
    (logged,) = mentor.import_visits(path)
    assert logged.report.visit.due_months == 1
    again = mentor.import_visits(path)
    assert (len(again), again.unchanged) == (0, 1)
    assert _count(programme, t.visit) == 1


def test_one_sheet_imported_at_two_desks_at_once_logs_its_visits_once(programme, printed, tmp_path, database_url):
    """The concurrency suite's family for mentoring: the mentor and the admin enter the same
    sheet at the same moment; the schedules are locked, so one logs and the other finds the
    visit already there (on PostgreSQL as on SQLite)."""
    from tests.integration.test_concurrency import _race

    first, second = printed
    path = _save(tmp_path / "visits.csv", [{**first, **VISITED}, second])
    outcomes = _race(database_url, [("MN1", "visit_sheet", str(path)), ("ADM", "visit_sheet", str(path))])
    assert sorted(outcomes) == ["ok: 0 logged, 1 unchanged", "ok: 1 logged, 0 unchanged"], outcomes
    assert _count(programme, t.visit) == 1
    assert programme.act_as("ADM").audit.verify().ok
