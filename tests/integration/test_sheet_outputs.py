"""Every CSV, TSV and XLSX the project writes goes through the one formula-safe writer
(reentry_core.sheets): a text that starts like a formula (``= + - @``, tab, CR) is read back
as an inert cell — quote-prefixed text in CSV, a text cell (never a formula) in XLSX.

``OUTPUTS`` lists each output as a function ``(ctx, run_cli, tmp_path, value) -> path or
CSV text``; a plugin step adds its own (tally sheets, payment runs, visit sheets…).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import attrs
import pytest

from reentry_core.sheets import TRIGGERS, write_sheet
from reentry_core.sheets.safety import QUOTE

#: A facility or a label starting with each trigger (names and free text are normalised,
#: so a leading tab or CR is kept only where the writer is given the text as it is).
STORED = [t + "cmd|' /C calc'!A0" for t in "=+-@"]
RAW = STORED + ["\t=1+1", "\r=1+1"]


def _participant(admin, value: str) -> str:
    p = admin.participants.register(full_name="Мадина Сафарова", sex="female", birth_date="1992-07-01",
                                    centre="DSH", facility=value)
    return p.code


def participants_export_csv(admin, run_cli, tmp_path, value):
    _participant(admin, value)
    admin.participants.export_file(tmp_path / "people.csv")
    return tmp_path / "people.csv"


def participants_export_xlsx(admin, run_cli, tmp_path, value):
    _participant(admin, value)
    admin.participants.export_file(tmp_path / "people.xlsx")
    return tmp_path / "people.xlsx"


def participants_show_format_csv(admin, run_cli, tmp_path, value):
    code = _participant(admin, value)
    result = run_cli("--as", "ADM", "--format", "csv", "participants", "show", code)
    assert result.exit_code == 0, result.output
    return result.stdout


def participants_list_format_csv(admin, run_cli, tmp_path, value):
    admin.participants.register(full_name="Мадина Сафарова", sex="female", birth_date="1992-07-01", centre="DSH")
    from reentry_core.cli.output import emit_rows

    buffer = io.StringIO()
    import sys

    saved, sys.stdout = sys.stdout, buffer
    try:
        emit_rows([{"code": "DSH-2026-0001", "note": value, "amount": -5}], ["code", "note", "amount"], "csv")
    finally:
        sys.stdout = saved
    return buffer.getvalue()


def _report(admin, value):
    report = admin.reports.programme()
    section = report.sections[0]
    rows = [attrs.evolve(section.rows[0], label=value), *section.rows[1:]]
    return attrs.evolve(report, sections=[attrs.evolve(section, rows=rows), *report.sections[1:]])


def report_csv(admin, run_cli, tmp_path, value):
    from reentry_core.services.report_files import write_report

    return write_report(_report(admin, value), tmp_path / "report.csv")


def report_xlsx(admin, run_cli, tmp_path, value):
    from reentry_core.services.report_files import write_report

    return write_report(_report(admin, value), tmp_path / "report.xlsx")


def sheet_csv(admin, run_cli, tmp_path, value):
    write_sheet(tmp_path / "sheet.csv", ["note"], [[value]])
    return tmp_path / "sheet.csv"


def sheet_tsv(admin, run_cli, tmp_path, value):
    write_sheet(tmp_path / "sheet.tsv", ["note"], [[value]])
    return tmp_path / "sheet.tsv"


def sheet_xlsx(admin, run_cli, tmp_path, value):
    write_sheet(tmp_path / "sheet.xlsx", ["note"], [[value]])
    return tmp_path / "sheet.xlsx"


#: (output, the values it can carry)
OUTPUTS = [
    (participants_export_csv, STORED), (participants_export_xlsx, STORED), (participants_show_format_csv, STORED),
    (participants_list_format_csv, RAW), (report_csv, RAW), (report_xlsx, RAW),
    (sheet_csv, RAW), (sheet_tsv, RAW), (sheet_xlsx, RAW),
]
CASES = [pytest.param(output, value, id=f"{output.__name__}-{TRIGGERS.index(value[0])}")
         for output, values in OUTPUTS for value in values]


def inert_cells(made, value: str) -> list:
    """The cells of an output that hold ``value``: each must be inert."""
    if isinstance(made, Path) and made.suffix == ".xlsx":
        from openpyxl import load_workbook

        same = value.replace("\r", "\n")  # XML keeps no CR
        cells = [c for sheet in load_workbook(made).worksheets for row in sheet.iter_rows() for c in row
                 if isinstance(c.value, str) and c.value.replace("\r", "\n") == same]
        for cell in cells:
            assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
        return cells
    if isinstance(made, Path):
        with open(made, encoding="utf-8-sig", newline="") as f:  # a CR inside a cell stays a CR
            text = f.read()
    else:
        text = made
    delimiter = "\t" if isinstance(made, Path) and made.suffix == ".tsv" else ","
    cells = [c for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for c in row
             if c.lstrip(QUOTE) == value]
    for cell in cells:
        assert cell == QUOTE + value, cell
    return cells


@pytest.mark.parametrize(("output", "value"), CASES)
def test_every_output_writes_formula_like_text_as_an_inert_cell(admin, run_cli, tmp_path, output, value):
    made = output(admin, run_cli, tmp_path, value)
    assert inert_cells(made, value), f"{value!r} is not in the output"


def test_a_negative_number_stays_a_number_in_csv(admin, run_cli, tmp_path):
    text = participants_list_format_csv(admin, run_cli, tmp_path, "-5")
    assert text.splitlines()[1] == "DSH-2026-0001,'-5,-5"
