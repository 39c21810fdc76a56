"""A mentor's visit sheet (written, filled in, imported whole or not at all) and matching
everyone waiting for a mentor in one action, through the Python API and the CLI."""

from __future__ import annotations

import csv
from datetime import date

import pytest
import sqlalchemy as sa

from reentry_core.errors import RowErrors
from reentry_mentoring import tables as t
from reentry_mentoring.domain import Fulfilment, ScheduleStatus
from reentry_mentoring.visit_sheets import SHEET_COLUMNS
from tests.integration.mentoring_support import (  # noqa: F401  (fixtures)
    add_mentor, clock, grants, grants_pm, programme, register, run_cli,
)

RELEASED = date(2026, 6, 10)


def _count(prog, table) -> int:
    with prog.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


@pytest.fixture
def two_funded(admin, grants, clock):
    """Two businesses MN1 follows since their first tranches of 10 June."""
    add_mentor(admin, "MN1", "Фарида Каримова", "female", capacity=5)
    codes = [register(admin, "Мадина Сафарова", "female"), register(admin, "Ҷамшед Раҳимов", "male")]
    clock.move_to(date(2026, 5, 4))
    apps = [grants.approve(admin, code, code=f"G-2026-00{n}") for n, code in enumerate(codes, 1)]
    for code in codes:
        admin.mentoring.assign(code, "MN1")
    clock.move_to(RELEASED)
    for app in apps:
        grants.release(admin, app, 1, RELEASED)
    return codes


def _fill(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["participant", "visited_on", "mode", "business_status", "revenue", "costs",
                                    "equipment_seen", "end_follow_up"])
        writer.writeheader()
        writer.writerows(rows)


def test_the_sheet_lists_the_visits_owed_and_comes_back_filled_in(programme, two_funded, clock, tmp_path):
    first, second = two_funded
    clock.move_to(date(2026, 7, 1))
    mentor = programme.act_as("MN1").mentoring
    sheet = tmp_path / "visits.xlsx"
    assert mentor.visit_sheet(sheet) == 2
    from reentry_core.sheets import read_table

    header, rows = read_table(sheet)
    assert header == list(SHEET_COLUMNS)
    assert [(cells["participant"], cells["due_visit"], cells["window_start"]) for _n, cells in rows] == [
        (first, "1", "2026-06-26"), (second, "1", "2026-06-26")]
    clock.move_to(date(2026, 7, 20))
    filled = tmp_path / "filled.csv"
    _fill(filled, [
        {"participant": first, "visited_on": "2026-07-18", "mode": "phone", "business_status": "operating"},
        {"participant": first, "visited_on": "2026-07-08", "mode": "on_site", "business_status": "operating",
         "revenue": "4000", "costs": "2500", "equipment_seen": "yes"},
        {"participant": second, "visited_on": "2026-07-09", "mode": "on_site", "business_status": "closed",
         "end_follow_up": "sold the tools"},
    ])
    imported = mentor.import_visits(filled)
    # placed in date order: the on-site visit fulfils the 1-month visit, the later call is extra
    assert [(i.row, i.report.visit.visited_on.day, i.report.visit.fulfilment) for i in imported] == [
        (3, 8, Fulfilment.ON_TIME), (4, 9, Fulfilment.ON_TIME), (2, 18, None)]
    assert imported[0].report.visit.verifies and imported[1].report.schedule_ended
    (ended,) = mentor.schedules(second)
    assert ended.status is ScheduleStatus.ENDED and ended.end_note == "sold the tools"
    (event,) = programme.act_as("ADM").audit.log(key=first, action="mentoring.visit")
    assert event.actor == "MN1"


def test_one_bad_row_and_nothing_is_logged(programme, two_funded, clock, tmp_path):
    first, second = two_funded
    clock.move_to(date(2026, 7, 20))
    path = tmp_path / "visits.csv"
    _fill(path, [
        {"participant": first, "visited_on": "2026-07-08", "mode": "on_site", "business_status": "closed",
         "end_follow_up": "moved away"},
        {"participant": first, "visited_on": "2026-07-15", "mode": "phone", "business_status": "operating"},
        {"participant": second, "visited_on": "2026-07-09", "mode": "phone", "business_status": "operating",
         "revenue": "-5"},
        {"participant": second, "visited_on": "", "mode": "phone", "business_status": "operating"},
    ])
    with pytest.raises(RowErrors) as refused:
        programme.act_as("MN1").mentoring.import_visits(path)
    assert refused.value.problems == [
        "row 3: DSH-2026-0001's follow-up ended on 2026-07-08 (business closed: moved away); a visit on "
        "2026-07-15 cannot be logged",
        "row 4: revenue: -5 is negative",
        "row 5, visited_on: missing",
    ]
    assert _count(programme, t.visit) == 0
    assert all(s.status is ScheduleStatus.ACTIVE for s in programme.act_as("MN1").mentoring.schedules(first))


def test_only_the_assigned_mentor_imports_their_visits(programme, two_funded, clock, tmp_path, admin):
    add_mentor(admin, "MN2", "Раҳим Назаров", "male")
    clock.move_to(date(2026, 7, 20))
    path = tmp_path / "visits.csv"
    _fill(path, [{"participant": two_funded[0], "visited_on": "2026-07-08", "mode": "phone",
                  "business_status": "operating"}])
    with pytest.raises(RowErrors) as refused:
        programme.act_as("MN2").mentoring.import_visits(path)
    assert refused.value.problems[0].startswith("row 2: MN2 is not the mentor of DSH-2026-0001")


def test_the_cli_imports_a_sheet_and_refuses_a_bad_one(run_cli, two_funded, clock, tmp_path, monkeypatch):
    clock.move_to(date(2026, 7, 20))
    path = tmp_path / "visits.csv"
    _fill(path, [{"participant": two_funded[0], "visited_on": "2026-07-08", "mode": "teleport",
                  "business_status": "operating"}])
    result = run_cli("--as", "MN1", "mentoring", "import-visits", str(path))
    assert result.exit_code != 0
    assert result.output.splitlines() == [
        "row 2: mode: 'teleport' is not one of on_site, phone, video",
        "Error: visits.csv: 1 of 1 rows are invalid; no visit was logged"]
    _fill(path, [{"participant": two_funded[0], "visited_on": "2026-07-08", "mode": "video",
                  "business_status": "operating", "equipment_seen": "yes"}])
    result = run_cli("--as", "MN1", "mentoring", "import-visits", str(path))
    assert result.exit_code == 0, result.output
    assert "Logged 1 visit from" in result.output and "1 on time, 0 late, 0 extra; 1 verify" in result.output
    sheet = tmp_path / "next.csv"
    result = run_cli("--as", "MN1", "mentoring", "visitsheet", "-o", str(sheet), "--within", "90")
    assert result.exit_code == 0 and sheet.exists(), result.output
    monkeypatch.chdir(tmp_path)
    result = run_cli("--as", "MN1", "mentoring", "visitsheet")
    assert result.output.startswith("Wrote visits-MN1-2026-07.xlsx: 1 visit owed."), result.output


def test_matching_everyone_waiting_fills_places_and_names_who_still_waits(programme, admin, clock):
    add_mentor(admin, "MN1", "Фарида Каримова", "female", capacity=1, sectors="sewing")
    add_mentor(admin, "MN2", "Раҳим Назаров", "male", capacity=1, sectors="car repair")
    add_mentor(admin, "MN3", "Нилуфар Юсупова", "female", capacity=4, centre="KHJ")
    codes = [register(admin, name, sex) for name, sex in (("Мадина Сафарова", "female"), ("Ҷамшед Раҳимов", "male"),
                                                           ("Гулнора Ҳасанова", "female"))]
    for code in codes:
        admin.mentoring.start_schedule(code, "2026-04-01")
    admin.mentoring.set_mentee(codes[1], sector="sewing", same_sex_mentor="yes")
    result = programme.act_as("ADM").mentoring.match_waiting(centre="DSH")
    # first come first served (by the follow-up's start, then code): MN1's one place goes first, even
    # though the second would have fitted MN1 better; the KHJ mentor is never offered
    assert [(a.participant, a.mentor) for a in result.assigned] == [(codes[0], "MN1"), (codes[1], "MN2")]
    assert result.waiting == (codes[2],)
    assert programme.act_as("ADM").mentoring.match_waiting().assigned == ()
