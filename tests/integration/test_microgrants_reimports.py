"""Issue 15 point 2 for the microgrants sheets: every import entered twice changes nothing
the second time and says so (API and CLI); contradictory rows in one file are refused
naming both; unfilled pre-printed rows are skipped; a tranche is never overwritten; and
each import takes a UTF-16 and a Windows-1251 (Russian) version of its file."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from reentry_core.errors import RowErrors
from reentry_core.testing import TODAY
from tests.grants_support import desk, fakes, grants_pm, programme, run_cli  # noqa: F401  (fixtures)

D = Decimal
HEADER = ["application", "member", "vote", "amount", "reason", "note"]
PAY_HEADER = ["application", "tranche", "amount", "released_on", "method", "items", "supplier", "receipt",
              "reference", "eur_rate"]


def sheet(tmp_path, rows, header=HEADER, name="meeting.csv", encoding="utf-8", delimiter=","):
    path = tmp_path / name
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def events(desk) -> int:
    """How many audit events there are: every change writes one, so "nothing written" keeps it."""
    return desk.admin.audit.verify().checked


# --- the tally sheet ----------------------------------------------------------------------------


def test_a_tally_sheet_entered_twice_changes_nothing_the_second_time(desk, tmp_path):
    first, second = desk.apply(0, "6000").code, desk.apply(1, "7000").code
    rows = [[first, m, "approve", "", "", ""] for m in ("CM1", "CM2", "CM3")]
    rows += [[first, "CM4", "conflict", "", "relative", "cousin"],
             [second, "CM1", "reject", "", "weak_plan", "no customers"], [second, "CM2", "abstain", "", "", ""]]
    path = sheet(tmp_path, rows)
    report = desk.admin.grants.record_meeting("R2026", path, decide=True)
    assert (report.votes, report.conflicts, report.unchanged, report.skipped) == (5, 1, 0, 0)
    assert desk.admin.grants.get(first).status.value == "approved"
    before = events(desk)
    again = desk.admin.grants.record_meeting("R2026", path, decide=True)
    assert (again.votes, again.changed, again.conflicts, again.unchanged, again.decisions) == (0, 0, 0, 6, ())
    assert events(desk) == before
    assert len(desk.admin.grants.decisions(first)) == 1
    assert [v.member for v in desk.admin.grants.votes(second)] == ["CM1", "CM2"]


def test_a_different_vote_on_a_decided_application_is_refused_naming_it(desk, tmp_path):
    code = desk.apply(0, "6000").code
    path = sheet(tmp_path, [[code, m, "approve", "", "", ""] for m in ("CM1", "CM2", "CM3")])
    desk.admin.grants.record_meeting("R2026", path, decide=True)
    changed = sheet(tmp_path, [[code, "CM1", "approve", "", "", ""], [code, "CM2", "approve", "5000", "", ""]],
                    name="changed.csv")
    with pytest.raises(RowErrors) as caught:
        desk.admin.grants.record_meeting("R2026", changed, change=True)
    assert caught.value.problems == [
        "row 3, application: R2026-001 is approved; votes are taken only while it is under review or deferred"]


def test_a_changed_vote_is_audited_with_the_earlier_vote(desk, tmp_path):
    code = desk.apply(0, "6000").code
    desk.grants("CM1").vote(code, "approve")
    path = sheet(tmp_path, [[code, "CM1", "approve", "5000", "", ""]])
    report = desk.admin.grants.record_meeting("R2026", path, change=True)
    assert (report.changed, report.votes) == (1, 0)
    event = next(e for e in desk.admin.audit.log(key=code) if e.action == "grants.meeting")
    assert "6000" in str(event.after) and "5000" in str(event.after)


def test_contradictory_rows_of_one_tally_sheet_are_refused_naming_both(desk, tmp_path):
    code = desk.apply(0, "6000").code
    path = sheet(tmp_path, [[code, "CM1", "approve", "", "", ""], [code, "CM2", "abstain", "", "", ""],
                            [code, "cm1", "reject", "", "weak_plan", "thin"]])
    with pytest.raises(RowErrors) as caught:
        desk.admin.grants.record_meeting("R2026", path)
    assert caught.value.problems == ["row 4: the same as row 2 (R2026-001, CM1); give each once"]
    assert desk.admin.grants.votes(code) == []


def test_rows_of_the_agenda_sheet_nobody_voted_on_are_skipped(desk, tmp_path):
    code = desk.apply(0, "6000").code
    out = tmp_path / "agenda.csv"
    assert desk.admin.grants.write_tally_sheet("R2026", out) == 4
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    for row in rows[1:3]:
        row[5] = "approve"
    filled = sheet(tmp_path, rows[1:], header=rows[0], name="filled.csv")
    report = desk.admin.grants.record_meeting("R2026", filled)
    assert (report.votes, report.skipped, report.rows) == (2, 2, 4)
    assert [v.member for v in desk.admin.grants.votes(code)] == ["CM1", "CM2"]


# --- the payment run ------------------------------------------------------------------------------


def test_a_payment_run_entered_twice_releases_nothing_the_second_time(desk, fakes, tmp_path):
    first = desk.approved(0, "8000")
    second = desk.approved(1, "5000")
    fakes.mentoring.visit(desk.people[0], TODAY)  # tranche 2 of the first would be ready if it were asked
    path = sheet(tmp_path, [[first, "1", "", "", "cash", "", "", "", "", ""],
                            [second, "1", "", TODAY.isoformat(), "bank_transfer", "", "", "", "TR-118", ""]],
                 header=PAY_HEADER, name="run.csv")
    report = desk.grants("FO1").record_payments(path)
    assert [(t.application, t.number) for t in report.tranches] == [(first, 1), (second, 1)]
    before = events(desk)
    again = desk.grants("FO1").record_payments(path)
    assert (again.tranches, again.unchanged, again.skipped) == ((), 2, 0)
    assert events(desk) == before
    assert [t.number for t in desk.admin.grants.tranches(first)] == [1]
    assert desk.admin.grants.budget("R2026").pending == D("7800.00")


def test_a_hand_made_run_is_recognised_by_its_reference(desk, tmp_path):
    code = desk.approved(0, "8000")
    path = sheet(tmp_path, [[code, "bank_transfer", "TR-7"]], header=["application", "method", "reference"],
                 name="run.csv")
    desk.grants("FO1").record_payments(path)
    assert desk.grants("FO1").record_payments(path).unchanged == 1
    assert len(desk.admin.grants.tranches(code)) == 1


def test_a_recorded_tranche_with_other_details_is_refused_never_overwritten(desk, tmp_path):
    code = desk.approved(0, "8000")
    desk.grants("FO1").record_payments(sheet(tmp_path, [[code, "1", "", "", "cash", "", "", "", "", ""]],
                                             header=PAY_HEADER, name="run.csv"))
    wrong = sheet(tmp_path, [[code, "1", "4000", "", "cash", "", "", "", "", ""]], header=PAY_HEADER,
                  name="wrong.csv")
    with pytest.raises(RowErrors) as caught:
        desk.grants("FO1").record_payments(wrong)
    assert caught.value.problems == [
        "row 2, amount: tranche 1 of R2026-001 is already recorded (4,800.00 TJS on "
        f"{TODAY.isoformat()}, cash); money is never overwritten: a wrong tranche is reversed, not entered again"]
    skipping = sheet(tmp_path, [[code, "3", "", "", "cash", "", "", "", "", ""]], header=PAY_HEADER,
                     name="skip.csv")
    with pytest.raises(RowErrors) as caught:
        desk.grants("FO1").record_payments(skipping)
    assert caught.value.problems == ["row 2, tranche: the next tranche of R2026-001 is tranche 2"]
    # (the skipped number is refused before the wait for tranche 1's confirmation is even looked at)
    assert [t.amount for t in desk.admin.grants.tranches(code)] == [D("4800.00")]


def test_contradictory_rows_of_one_run_are_refused_naming_both(desk, tmp_path):
    code = desk.approved(0, "8000")
    path = sheet(tmp_path, [[code, "1", "", "", "cash", "", "", "", "R-1", ""],
                            [code, "1", "4000", "", "cash", "", "", "", "R-1", ""]], header=PAY_HEADER)
    with pytest.raises(RowErrors) as caught:
        desk.grants("FO1").record_payments(path)
    assert caught.value.problems == ["row 3: the same as row 2 (R2026-001, tranche 1, R-1); give each once"]


def test_rows_of_the_worklist_sheet_nobody_filled_in_are_skipped(desk, tmp_path):
    first = desk.approved(0, "8000")
    desk.approved(1, "5000")
    out = tmp_path / "payments.csv"
    assert desk.grants("FO1").write_payment_sheet(out) == 2
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    rows[1][7] = "cash"  # only the first was paid
    report = desk.grants("FO1").record_payments(sheet(tmp_path, rows[1:], header=rows[0], name="filled.csv"))
    assert ([t.application for t in report.tranches], report.skipped) == ([first], 1)
    assert desk.grants("FO1").record_payments(sheet(tmp_path, rows[1:], header=rows[0],
                                                    name="filled.csv")).unchanged == 1


# --- the encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, delimiter", [("utf-16", "\t"), ("cp1251", ";")])
def test_each_import_takes_utf16_and_windows_1251(desk, tmp_path, encoding, delimiter):
    code = desk.apply(0, "6000").code
    tally = sheet(tmp_path, [[code, "CM1", "approve", "", "", ""], [code, "CM2", "reject", "", "weak_plan",
                                                                    "нет покупателей"],
                             [code, "CM3", "approve", "", "", ""], [code, "CM4", "approve", "", "", ""]],
                  header=["заявка", "член", "голос", "сумма", "причина", "примечание"], encoding=encoding,
                  delimiter=delimiter)
    report = desk.admin.grants.record_meeting("R2026", tally, decide=True)
    assert report.votes == 4 and report.decisions[0].outcome.value == "approved"
    assert next(v.note for v in desk.admin.grants.votes(code) if v.member == "CM2") == "нет покупателей"
    run = sheet(tmp_path, [[code, "1", "", "", "cash", "Швейная машина", "", "", "", ""]],
                header=["заявка", "транш", "сумма", "дата", "способ", "items", "supplier", "receipt", "reference",
                        "eur_rate"], name="run.csv", encoding=encoding, delimiter=delimiter)
    assert len(desk.grants("FO1").record_payments(run).tranches) == 1
    assert desk.admin.grants.tranches(code)[0].items == "Швейная машина"
    assert desk.grants("FO1").record_payments(run).unchanged == 1
    from reentry_microgrants.lines import read_lines_file

    lines = sheet(tmp_path, [["Швейная машина", "2", "3500", "in_kind", "Текстиль"], ["Ткань", "10", "120", "", ""]],
                  header=["статья", "количество", "цена", "вид", "поставщик"], name="lines.csv", encoding=encoding,
                  delimiter=delimiter)
    assert [(line.item, line.total) for line in read_lines_file(lines)] == [
        ("Швейная машина", D("7000.00")), ("Ткань", D("1200.00"))]


def test_a_budget_lines_file_with_one_item_twice_names_both_rows(tmp_path):
    from reentry_microgrants.lines import read_lines_file

    path = sheet(tmp_path, [["Oven", "1", "900", "cash", "Bakery LLC"], ["oven", "2", "900", "cash", "bakery llc"]],
                 header=["item", "quantity", "unit_cost", "kind", "supplier"], name="lines.csv")
    with pytest.raises(RowErrors) as caught:
        read_lines_file(path)
    assert caught.value.problems == ["row 3: the same as row 2 (oven, bakery llc); give each once"]


# --- the commands ---------------------------------------------------------------------------------


def test_the_commands_say_what_a_second_entry_did(desk, run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    code = desk.apply(0, "6000").code
    tally = sheet(tmp_path, [[code, m, "approve", "", "", ""] for m in ("CM1", "CM2", "CM3")] + [
        [code, "CM4", "", "", "", ""]], name="tally.csv")
    result = run_cli("--as", "ADM", "grants", "meeting", "R2026", str(tally), "--decide")
    assert result.exit_code == 0, result.output
    assert ("tally.csv: 3 votes, 0 changed, 0 conflicts of interest recorded on 1 applications of round R2026; "
            "1 rows not filled in.") in result.output
    result = run_cli("--as", "ADM", "grants", "meeting", "R2026", str(tally), "--decide")
    assert result.exit_code == 0, result.output
    assert "tally.csv: nothing changed: all 3 rows are already recorded; 1 rows not filled in." in result.output
    run = sheet(tmp_path, [[code, "1", "", "", "cash", "", "", "", "", ""]], header=PAY_HEADER, name="run.csv")
    result = run_cli("--as", "FO1", "grants", "payments", str(run))
    assert result.exit_code == 0, result.output
    assert "run.csv: 1 tranches released, 3,600.00 TJS in all; 0 grants fully paid." in result.output
    result = run_cli("--as", "FO1", "grants", "payments", str(run))
    assert result.exit_code == 0, result.output
    assert "run.csv: nothing changed: all 1 rows are already recorded." in result.output
    assert len(desk.admin.grants.tranches(code)) == 1
