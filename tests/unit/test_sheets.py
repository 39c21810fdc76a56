"""Reading and writing the sheets staff fill in offline (reentry_core.sheets)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reentry_core.errors import InvalidInput
from reentry_core.sheets import read_sheet, write_table

COLUMNS = ("application", "member", "vote", "amount", "reason", "note")


def test_excel_csv_with_semicolons_in_windows_1251_and_blank_rows(tmp_path):
    path = tmp_path / "заседание.csv"
    path.write_bytes("Application; Member ;VOTE;amount;reason;note\r\n\r\nR2026-001;cm1;approve;7 000;;\r\n"
                     "R2026-001;CM2;reject;;weak_plan;нет покупателей\r\n;;;;;\r\n".encode("cp1251"))
    assert read_sheet(path, COLUMNS, ("application", "member", "vote")) == [
        (3, {"application": "R2026-001", "member": "cm1", "vote": "approve", "amount": "7 000"}),
        (4, {"application": "R2026-001", "member": "CM2", "vote": "reject", "reason": "weak_plan",
             "note": "нет покупателей"}),
    ]


def test_columns_that_do_not_belong_are_named(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("application,member,member,colour\nR2026-001,CM1,CM2,red\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_sheet(path, COLUMNS, ("application", "member", "vote"))
    assert caught.value.message == "sheet.csv: column(s) member appear more than once in the header"
    path.write_text("application,member,colour\nR2026-001,CM1,red\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_sheet(path, COLUMNS, ("application", "member", "vote"))
    assert caught.value.message == ("sheet.csv: missing column(s) vote; sheet.csv: unknown column(s) colour; "
                                    "accepted: application, member, vote, amount, reason, note")
    path.write_text("application,member,vote\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="sheet.csv has no rows below its header"):
        read_sheet(path, COLUMNS, ("application",))
    path.write_text("", encoding="utf-8")
    with pytest.raises(InvalidInput, match="sheet.csv is empty"):
        read_sheet(path, COLUMNS, ("application",))


def test_an_xlsx_written_here_reads_back_with_numbers_and_dates_as_text(tmp_path):
    path = tmp_path / "payments.xlsx"
    count = write_table(path, ["application", "amount", "released_on", "note", "participant"],
                        [["R2026-001", Decimal("4800.00"), date(2026, 11, 23), "=SUM(A1)", "DSH-2026-0001"],
                         ["R2026-002", 3000, None, None, None]])
    assert count == 2
    rows = read_sheet(path, ("application", "amount", "released_on", "note"), ("application",),
                      ignored=("participant",))
    assert rows == [(2, {"application": "R2026-001", "amount": "4800", "released_on": "2026-11-23",
                         "note": "=SUM(A1)"}),
                    (3, {"application": "R2026-002", "amount": "3000"})]
    assert not (tmp_path / "payments.txt").exists()
    with pytest.raises(InvalidInput, match="payments.txt: use a .csv or .xlsx file"):
        write_table(tmp_path / "payments.txt", ["application"], [])


@pytest.mark.parametrize("text, row", [
    ('full_name,sex,birth_date\n"Ali Valiev,male,1985-01-01\nVali Aliev,male,1986-01-01\n', 2),
    ('full_name,sex,birth_date\nAli Valiev,male,1985-01-01\nVali Aliev,male,"1986-01-01', 3),
])
def test_an_unclosed_quote_is_named_with_its_row(tmp_path, text, row):
    """Not "sex: missing; birth_date: missing" for a row that swallowed the rest of the file."""
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_sheet(path, ["full_name", "sex", "birth_date"], ["full_name", "sex", "birth_date"])
    assert caught.value.message.startswith(f'people.csv: row {row} has a quote (") that is not closed')


def test_a_quoted_cell_over_two_lines_is_still_one_cell(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text('full_name,note\n"Ali Valiev","first line\nsecond line"\n', encoding="utf-8")
    assert read_sheet(path, ["full_name", "note"], ["full_name"]) == [
        (2, {"full_name": "Ali Valiev", "note": "first line\nsecond line"})]
