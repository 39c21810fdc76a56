"""The committee's agenda and tally sheets, finance's worklist and payment runs, on SQLite
and PostgreSQL: every rule of vote / declare_conflict / decide / disburse checked per row,
all or nothing, audited per batch, and the hooks other plugins hear."""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal

import pytest

from reentry_core.errors import InvalidInput, NotFound, PermissionDenied, RowErrors
from reentry_core.testing import TODAY
from tests.grants_support import desk, fakes, grants_pm, line, programme, run_cli  # noqa: F401  (fixtures)

D = Decimal
HEADER = ["application", "member", "vote", "amount", "reason", "note"]
PAY_HEADER = ["application", "amount", "released_on", "method", "items", "supplier", "receipt", "reference",
              "eur_rate"]


def sheet(tmp_path, rows, header=HEADER, name="meeting.csv"):
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_meeting_sheet_is_recorded_and_decided_within_the_budget_best_plans_first(desk, fakes, tmp_path):
    fakes.plans.give_plan(desk.people[0], score="62")
    fakes.plans.give_plan(desk.people[1], score="91")
    fakes.plans.give_plan(desk.people[2], score="75")
    low, high, middle = (desk.apply(i, "8000").code for i in range(3))  # R2026-001 .. -003
    assert [i.application for i in desk.admin.grants.agenda("R2026")] == [high, middle, low]
    path = sheet(tmp_path, [
        [high, "CM1", "approve", "", "", ""],
        [high, "CM2", "approve", "7000", "", ""],
        [high, "CM3", "approve", "7500", "", ""],
        [high, "CM4", "conflict", "", "neighbour", "lives next door"],
        [middle, "cm1", "Approve", "", "", ""],
        [middle, "CM2", "approve", "", "", ""],
        [middle, "CM3", "reject", "", "weak_plan", "no customers in the mahalla"],
        [middle, "CM4", "abstain", "", "", ""],
        [low, "CM1", "approve", "", "", ""],
        [low, "CM2", "approve", "", "", ""],
        [low, "CM3", "approve", "", "", ""],
    ])
    report = desk.admin.grants.record_meeting("R2026", path, decide=True)
    assert (report.votes, report.conflicts, report.changed, report.rows) == (10, 1, 0, 11)
    assert [(d.application, d.outcome.value, d.amount) for d in report.decisions] == [
        (high, "approved", D("7500.00")), (middle, "deferred", None), (low, "approved", D("8000.00"))]
    assert report.not_decided == ()
    grants = desk.admin.grants
    assert grants.get(high).status.value == "approved"
    assert grants.get(middle).status.value == "deferred"
    assert [c.member for c in grants.conflicts(high)] == ["CM4"]
    assert {v.member: v.counted for v in grants.votes(high)} == {"CM1": True, "CM2": True, "CM3": True}
    assert grants.decisions(high)[0].decided_by == "ADM"
    assert [h[:2] for h in fakes.mentoring.heard] == [("grant_approved", high), ("grant_approved", low)]
    # audited per batch: the log finds each application's votes and decision by its code
    actions = [e.action for e in desk.admin.audit.log(key=high)]
    assert "grants.meeting" in actions and "grants.decide" in actions
    assert desk.admin.audit.verify().ok


def test_the_budget_decides_who_waits_when_money_runs_out(desk, fakes, tmp_path):
    fakes.plans.give_plan(desk.people[0], score="95")
    fakes.plans.give_plan(desk.people[1], score="80")
    fakes.plans.give_plan(desk.people[2], score="70")
    codes = [desk.apply(i, "8000").code for i in range(3)]
    rows = [[code, member, "approve", "", "", ""] for code in codes for member in ("CM1", "CM2", "CM3")]
    report = desk.admin.grants.record_meeting("R2026", sheet(tmp_path, rows), decide=True)
    assert [d.application for d in report.decisions] == codes[:2]
    assert [n.application for n in report.not_decided] == [codes[2]]
    assert "remaining 4,000.00 TJS" in report.not_decided[0].reason
    assert desk.admin.grants.budget("R2026").committed == D("16000.00")
    # a later meeting with no new votes decides what is left on the money then left
    desk.admin.grants.reduce(codes[1], "3000", "the supplier lowered the price")
    again = desk.admin.grants.decide_round("R2026")
    assert [(d.application, d.outcome.value) for d in again.decisions] == [(codes[2], "approved")]


def test_a_sheet_with_bad_rows_records_nothing_and_names_each_row(desk, tmp_path):
    first, second = desk.apply(0, "6000").code, desk.apply(1, "6000").code
    desk.grants("CM1").vote(second, "approve")
    desk.admin.staff.add("CM5", "Шоҳрух Мирзоев", ["committee_member"])
    path = sheet(tmp_path, [
        [first, "CM1", "approve", "6500", "", ""],
        [first, "CM2", "reject", "", "", "no reason given"],
        [first, "CM3", "maybe", "", "", ""],
        [first, "CM5", "approve", "", "", ""],
        [first, "CM1", "abstain", "", "", ""],
        [first, "CM4", "conflict", "", "", "cousin"],
        [second, "CM1", "abstain", "", "", ""],
        ["R2026-099", "CM2", "approve", "", "", ""],
        [second, "CM2", "approve", "2000", "", ""],
        [second, "CM3", "approve", "", "", ""],
    ])
    with pytest.raises(RowErrors) as caught:
        desk.admin.grants.record_meeting("R2026", path, decide=True)
    assert caught.value.message == "meeting.csv: 9 of 10 rows are invalid; nothing was recorded"
    assert caught.value.problems == [
        "row 4, vote: 'maybe' is not one of approve, reject, abstain, conflict",
        "row 2, amount: 6,500.00 is more than the 6,000.00 TJS requested in R2026-001",
        "row 3, reason: a vote to reject gives a reason, one of weak_plan, not_viable, costs_unrealistic, "
        "low_contribution, outside_priorities, funded_elsewhere, other",
        "row 5, member: CM5 is not on the committee of round R2026",
        "row 6: the same as row 2 (R2026-001, CM1); give each once",
        "row 7, reason: a conflict of interest gives its kind, one of relative, neighbour, business_partner, other",
        "row 8, member: CM1 has already voted on R2026-002 (approve 6,000.00); to change the vote say so (change)",
        "row 9, application: R2026-099 does not exist",
        "row 10, amount: 2,000.00 is below the round's minimum grant of 3,000.00 TJS",
    ]
    assert [v.member for v in desk.admin.grants.votes(first)] == []
    assert [v.member for v in desk.admin.grants.votes(second)] == ["CM1"]
    assert desk.admin.grants.get(first).status.value == "under_review"


def test_a_member_with_a_conflict_cannot_vote_and_a_changed_vote_needs_saying_so(desk, tmp_path):
    code = desk.apply(0, "6000").code
    desk.grants("CM4").declare_conflict(code, "relative", "cousin")
    desk.votes(code, "approve", "reject", "abstain")
    with pytest.raises(RowErrors) as caught:
        desk.admin.grants.record_meeting("R2026", sheet(tmp_path, [[code, "CM4", "approve", "", "", ""]]))
    assert caught.value.problems == [
        "row 2, member: CM4 declared a conflict of interest (relative) on R2026-001 and cannot vote on it"]
    report = desk.admin.grants.record_meeting("R2026", sheet(tmp_path, [[code, "CM3", "approve", "5000", "", ""]]),
                                              change=True, decide=True)
    assert (report.changed, report.votes) == (1, 0)
    vote = next(v for v in desk.admin.grants.votes(code) if v.member == "CM3")
    assert (vote.choice.value, vote.amount, vote.changed_on) == ("approve", D("5000.00"), TODAY)
    assert [(d.outcome.value, d.amount) for d in report.decisions] == [("approved", D("5500.00"))]


def test_only_the_secretariat_enters_a_sheet_and_the_file_must_be_a_sheet(desk, tmp_path):
    code = desk.apply(0, "6000").code
    path = sheet(tmp_path, [[code, "CM1", "approve", "", "", ""]])
    with pytest.raises(PermissionDenied, match="may not enter a committee meeting's tally sheet"):
        desk.grants("CM1").record_meeting("R2026", path)
    with pytest.raises(InvalidInput, match="unknown column\\(s\\) colour; (.|\\n)*missing required column\\(s\\) vote"):
        desk.admin.grants.record_meeting("R2026", sheet(tmp_path, [[code, "CM1", "red"]],
                                                        header=["application", "member", "colour"], name="bad.csv"))
    with pytest.raises(InvalidInput, match="use a .csv or .xlsx file"):
        desk.admin.grants.record_meeting("R2026", tmp_path / "meeting.txt")
    with pytest.raises(NotFound, match="grant round 'R2099' does not exist"):
        desk.admin.grants.record_meeting("R2099", path)


def test_the_agenda_writes_a_blank_xlsx_sheet_that_comes_back_filled_in(desk, tmp_path):
    from openpyxl import load_workbook

    first, second = desk.apply(0, "6000").code, desk.apply(1, "7000").code
    desk.grants("CM1").vote(first, "approve")
    out = tmp_path / "agenda.xlsx"
    assert desk.admin.grants.write_tally_sheet("R2026", out) == 7
    book = load_workbook(out)
    sheet_ = book.worksheets[0]
    rows = [list(r) for r in sheet_.iter_rows(values_only=True)]
    assert rows[0] == ["application", "participant", "name", "requested", "member", "vote", "amount", "reason", "note"]
    assert [r[4] for r in rows[1:] if r[0] == first] == ["CM2", "CM3", "CM4"]
    for r in range(2, len(rows) + 1):
        sheet_.cell(r, 6, "approve")
    book.save(out)
    report = desk.admin.grants.record_meeting("R2026", out, decide=True)
    assert report.votes == 7
    assert sorted(d.application for d in report.decisions) == [first, second]
    assert desk.admin.grants.agenda("R2026") == []


# --- finance's worklist and payment runs ------------------------------------------------------


def test_the_worklist_holds_first_tranches_and_verified_later_ones(desk, fakes):
    first = desk.approved(0, "8000")
    second = desk.approved(1, "5000")
    due = desk.admin.grants.due_tranches()
    assert [(d.application, d.number, d.amount, d.ready, d.needs_verification) for d in due] == [
        (first, 1, D("4800.00"), True, False), (second, 1, D("3000.00"), True, False)]
    assert fakes.mentoring.asked == []  # no first tranche needs a visit: nobody was asked
    fo = desk.grants("FO1")
    fo.disburse(first)
    fo.disburse(second)
    due = desk.admin.grants.due_tranches()
    assert [d.waiting for d in due] == [
        f"tranche 1 of {code} waits for a second person's confirmation (reentry grants confirm {code} --tranche 1); "
        "the next tranche goes out after it" for code in (first, second)]
    assert [(t.application, t.number, t.recorded_by) for t in desk.admin.grants.pending_tranches()] == [
        (first, 1, "FO1"), (second, 1, "FO1")]
    desk.grants("FO2").confirm_tranche(first, 1)
    desk.grants("FO2").confirm_tranche(second, 1)
    due = desk.admin.grants.due_tranches()
    assert [(d.number, d.amount, d.ready) for d in due] == [(2, D("3200.00"), False), (2, D("2000.00"), False)]
    assert due[0].waiting == f"needs a verified visit on or after {TODAY.isoformat()} (60% on signing, 40% after " \
                             "a verified visit)"
    assert desk.admin.grants.ready_tranches() == []
    fakes.mentoring.visit(desk.people[0], TODAY)
    desk.admin.grants.override_verification(second, "the mentor is on leave; the director saw the workshop")
    fakes.mentoring.asked.clear()
    ready = desk.admin.grants.ready_tranches("R2026")
    assert [(d.application, d.verification.reference, d.verification.override_reason) for d in ready] == [
        (first, "mentoring visit 1", None), (second, None, "the mentor is on leave; the director saw the workshop")]
    assert fakes.mentoring.asked == [(first, 2, TODAY)]  # the override needs no question


def test_a_payment_run_releases_the_worklist_in_one_action(desk, fakes, tmp_path):
    first = desk.approved(0, "8000")
    second = desk.approved(1, "5000")
    out = tmp_path / "payments.csv"
    assert desk.grants("FO1").write_payment_sheet(out) == 2
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][:6] == ["application", "participant", "name", "tranche", "amount", "currency"]
    path = sheet(tmp_path, [
        [first, "", "", "in_kind", "2 sewing machines", "Textile LLC", "0457", "", "11.65"],
        [second, "", TODAY.isoformat(), "bank_transfer", "", "", "", "TR-118", ""],
    ], header=PAY_HEADER, name="run.csv")
    report = desk.grants("FO1").record_payments(path)
    assert [(t.application, t.number, t.amount, t.method.value) for t in report.tranches] == [
        (first, 1, D("4800.00"), "in_kind"), (second, 1, D("3000.00"), "bank_transfer")]
    assert report.total == D("7800.00") and report.completed == ()
    assert desk.admin.grants.get(first).status.value == "disbursing"
    assert desk.admin.grants.budget("R2026").pending == D("7800.00")
    for code in (first, second):  # a second finance officer confirms the run
        desk.grants("FO2").confirm_tranche(code, 1)
    assert desk.admin.grants.budget("R2026").disbursed == D("7800.00")
    assert [h[:3] for h in fakes.mentoring.heard if h[0] == "tranche_released"] == [
        ("tranche_released", first, 1), ("tranche_released", second, 1)]
    assert "grants.tranche" in [e.action for e in desk.admin.audit.log(key=second)]
    # the second tranches: one verified by a visit, the other waits and is refused
    fakes.mentoring.visit(desk.people[0], TODAY)
    with pytest.raises(RowErrors) as caught:
        desk.grants("FO1").record_payments(sheet(tmp_path, [[first], [second]], header=["application"],
                                                 name="run2.csv"))
    assert caught.value.problems == [
        "row 3, application: tranche 2 of R2026-002 draws on part 2 of the plan (60% on signing, 40% after a "
        f"verified visit) and needs a verified visit on or after {TODAY.isoformat()}; "
        "none is on file"]
    report = desk.grants("FO1").record_payments(sheet(tmp_path, [[first]], header=["application"], name="run3.csv"))
    assert report.completed == ()  # not before a second finance officer confirms it
    desk.grants("FO2").confirm_tranche(first, 2)
    tranche = desk.admin.grants.tranches(first)[1]
    assert (tranche.amount, tranche.verification.reference) == (D("3200.00"), "mentoring visit 1")
    assert desk.admin.grants.get(first).status.value == "completed"


def test_a_payment_run_with_a_bad_row_releases_nothing(desk, tmp_path):
    first = desk.approved(0, "8000")
    second = desk.approved(1, "5000")
    undecided = desk.apply(2, "5000").code
    desk.admin.staff.set_roles("CM1", add=["finance_officer"])
    path = sheet(tmp_path, [
        [first, "8000.01", "", "cash", "", "", "", "", ""],
        [second, "", "", "in_kind", "a machine", "", "", "", ""],
        [undecided, "", "", "cash", "", "", "", "", ""],
        [second, "", "", "cash", "", "", "", "", ""],
        ["R2026-099", "", "", "cash", "", "", "", "", ""],
        [first.lower(), "", (TODAY + timedelta(days=1)).isoformat(), "", "", "", "", "", ""],
    ], header=PAY_HEADER, name="bad.csv")
    with pytest.raises(RowErrors) as caught:
        desk.grants("FO1").record_payments(path)
    assert caught.value.message == "bad.csv: 6 of 6 rows are invalid; no tranche was recorded"
    assert caught.value.problems == [
        "row 2, amount: a tranche of 8,000.01 would bring R2026-001 to 8,000.01, beyond the 8,000.00 TJS granted "
        "(8,000.00 TJS left)",
        "row 3: a tranche in kind needs supplier, receipt",
        "row 4, application: R2026-003 is under_review; tranches are released only for an approved grant that is "
        "not yet fully paid",
        "row 5: the same as row 3 (R2026-002); give each once",
        "row 6, application: R2026-099 does not exist",
        "row 7: the same as row 2 (R2026-001); give each once",
    ]
    with pytest.raises(RowErrors) as caught:
        desk.grants("CM1").record_payments(sheet(tmp_path, [[first]], header=["application"], name="cm1.csv"))
    assert caught.value.problems == [
        "row 2, application: four eyes: CM1 recorded the approval of R2026-001, so someone else records its tranches"]
    assert desk.admin.grants.budget("R2026").disbursed == D("0.00")
    with pytest.raises(PermissionDenied):
        desk.grants("CW1").record_payments(path)


# --- the commands --------------------------------------------------------------------------


def test_the_secretary_and_finance_at_the_command_line(desk, run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    code = desk.apply(0, "6000").code
    out = tmp_path / "agenda.csv"
    result = run_cli("--as", "ADM", "grants", "agenda", "R2026", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote the tally sheet of round R2026" in result.output and "4 rows to fill in" in result.output
    bad = sheet(tmp_path, [[code, "CM1", "approve", "9000", "", ""]], name="bad.csv")
    result = run_cli("--as", "ADM", "grants", "meeting", "R2026", str(bad))
    assert result.exit_code == 1
    assert "row 2, amount: 9,000.00 is more than the 6,000.00 TJS requested in R2026-001" in result.output
    assert "Error: bad.csv: 1 of 1 rows are invalid; nothing was recorded" in result.output
    good = sheet(tmp_path, [[code, m, "approve", "", "", ""] for m in ("CM1", "CM2", "CM3")], name="good.csv")
    result = run_cli("--as", "ADM", "grants", "meeting", "R2026", str(good), "--decide")
    assert result.exit_code == 0, result.output
    assert "good.csv: 3 votes, 0 changed, 0 conflicts of interest recorded on 1 applications of round R2026." \
        in result.output
    assert "Decided 1: 1 approved (6,000.00), 0 rejected, 0 deferred; 0 not decided." in result.output
    result = run_cli("--as", "FO1", "grants", "tranches", "--ready")
    assert result.exit_code == 0 and code in result.output and "3600.00" in result.output
    pay = tmp_path / "pay.xlsx"
    result = run_cli("--as", "FO1", "grants", "tranches", "--ready", "--out", str(pay))
    assert result.exit_code == 0 and "Wrote 1 tranches ready to release" in result.output
    from openpyxl import load_workbook

    book = load_workbook(pay)  # finance fills in how it paid
    book.worksheets[0].cell(2, 8, "cash")
    book.save(pay)
    result = run_cli("--as", "FO1", "grants", "payments", str(pay))
    assert result.exit_code == 0, result.output
    assert "pay.xlsx: 1 tranches released, 3,600.00 TJS in all; 0 grants fully paid." in result.output
    result = run_cli("--as", "FO1", "grants", "tranches", "--pending")
    assert result.exit_code == 0 and code in result.output and "FO1" in result.output
    result = run_cli("--as", "FO2", "grants", "confirm", code, "--tranche", "1")
    assert result.exit_code == 0, result.output
    result = run_cli("--as", "FO1", "grants", "tranches", "--due")
    assert result.exit_code == 0 and "needs a verified visit" in result.output
    result = run_cli("--as", "FO1", "grants", "tranches", code)
    assert result.exit_code == 0 and "3600.00" in result.output
    result = run_cli("--as", "FO1", "grants", "tranches")
    assert result.exit_code == 2
    result = run_cli("--as", "ADM", "grants", "decide", "--round", "R2026")
    assert result.exit_code == 0 and "Decided 0" in result.output, result.output
