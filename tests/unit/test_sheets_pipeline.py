"""The one road for sheets (reentry_core.sheets): the reader's encodings and separators,
the one formula-safe rule on every text cell the writer writes, and SheetImport."""

from __future__ import annotations

import codecs
import csv
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reentry_core.errors import InvalidInput, RowErrors
from reentry_core.sheets import (
    UNCHANGED, TRIGGERS, Column, RowProblem, SheetImport, a_date, choice, code, money, needs_quote, open_sheet, read_table,
    safe_text, unquote, write_sheet,
)
from reentry_core.sheets.safety import QUOTE

ROWS = [["full_name", "centre", "note"], ["Мадина Сафарова", "DSH", "нет, ещё"], ["Иван Петров", "KHJ", ""]]
EXPECTED = [(2, {"full_name": "Мадина Сафарова", "centre": "DSH", "note": "нет, ещё"}),
            (3, {"full_name": "Иван Петров", "centre": "KHJ"})]


def _csv(rows, delimiter=",") -> str:
    lines = []
    for row in rows:
        lines.append(delimiter.join(f'"{c}"' if ("," in c or "\n" in c) else c for c in row))
    return "\r\n".join(lines) + "\r\n"


# --- reading: encodings and separators ---------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1251"])
def test_every_encoding_excel_saves_is_read(tmp_path, encoding):
    path = tmp_path / "intake.csv"
    path.write_bytes(_csv(ROWS).encode(encoding))
    assert read_table(path) == (["full_name", "centre", "note"], EXPECTED)


def test_cp1251_on_request_and_semicolons_tabs_and_cells_across_lines(tmp_path):
    path = tmp_path / "intake.csv"
    # a quoted cell across lines is one row: the next row is numbered as a spreadsheet shows it
    path.write_bytes('full_name;centre;note\r\nМадина Сафарова;DSH;"две\r\nстроки"\r\n\r\nИван;KHJ;x\r\n'
                     .encode("cp1251"))
    with open_sheet(path, encoding="cp1251") as sheet:
        assert sheet.encoding == "cp1251"
        assert list(sheet.rows()) == [(2, ["Мадина Сафарова", "DSH", "две\r\nстроки"]), (4, ["Иван", "KHJ", "x"])]
    path.write_text("full_name\tcentre\nМадина\tDSH\n", encoding="utf-8")
    assert read_table(path) == (["full_name", "centre"], [(2, {"full_name": "Мадина", "centre": "DSH"})])


def test_tajik_letters_lost_in_cp1251_are_refused_with_the_way_out(tmp_path):
    path = tmp_path / "intake.csv"
    path.write_bytes("full_name,centre\r\nМадина Сафарова,DSH\r\nҶамшед Раҳимов,DSH\r\n".encode("cp1251", "replace"))
    with pytest.raises(InvalidInput) as caught:
        read_table(path)
    message = caught.value.message
    assert message.startswith("intake.csv: row 3, full_name: '?амшед Ра?имов' has '?' inside a word")
    assert "ҷ ҳ ғ қ ӣ ӯ" in message and '"CSV UTF-8"' in message and ".xlsx" in message
    assert "\n" not in message
    path.write_bytes("full_name,note\r\nМадина,Why? Because\r\n".encode("cp1251"))
    assert read_table(path)[1] == [(2, {"full_name": "Мадина", "note": "Why? Because"})]  # ? after a Latin word


def test_undecodable_bytes_are_one_plain_line(tmp_path):
    path = tmp_path / "intake.csv"
    path.write_bytes(b"full_name,centre\r\nabc\xff\xfe\x00x,DSH\r\n" + b"x" * 10)
    with pytest.raises(InvalidInput) as caught:
        read_table(path)
    assert "is not valid UTF-8" in caught.value.message and "\n" not in caught.value.message
    with pytest.raises(InvalidInput, match="unknown encoding 'klingon'"):
        open_sheet(path, encoding="klingon")


def test_xlsx_first_sheet_dates_as_iso_whole_numbers_without_point_zero(tmp_path):
    path = tmp_path / "register.xlsx"
    write_sheet(path, ["full_name", "born", "amount", "note"],
                [["Мадина", date(1992, 7, 1), 3000.0, "=1+1"], ["Иван", None, Decimal("12.5"), "'=x"]])
    assert read_table(path)[1] == [(2, {"full_name": "Мадина", "born": "1992-07-01", "amount": "3000", "note": "=1+1"}),
                                   (3, {"full_name": "Иван", "amount": "12.5", "note": "'=x"})]


# --- the formula-safe rule ------------------------------------------------------------------


def test_the_rule_by_example():
    for trigger in TRIGGERS:
        assert safe_text(trigger + "cmd") == QUOTE + trigger + "cmd"
        assert unquote(safe_text(trigger + "cmd")) == trigger + "cmd"
    assert safe_text("Мадина") == "Мадина" and safe_text("") == ""
    assert safe_text("'=x") == "''=x" and unquote("''=x") == "'=x"  # a quote typed before = survives
    assert safe_text("'quoted'") == "'quoted'" and not needs_quote("it's")


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029")
               | st.sampled_from(list(TRIGGERS) + ["'", "\n", " "]), max_size=12)


def _csv_cells(path, delimiter):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXT, min_size=1, max_size=4))
def test_any_text_through_csv_tsv_and_xlsx_reads_back_the_same_and_never_as_a_formula(tmp_path, texts):
    from openpyxl import load_workbook

    columns = [f"c{i}" for i in range(len(texts))]
    for kind in ("csv", "tsv", "xlsx"):
        path = tmp_path / f"out.{kind}"
        write_sheet(path, columns, [texts, [1] * len(texts)], fmt=kind)
        if kind == "xlsx":
            cells = list(load_workbook(path).worksheets[0].iter_rows(min_row=2, max_row=2))[0]
            for cell, text in zip(cells, texts):
                assert cell.data_type != "f"
                if text:
                    assert cell.data_type == "s"
                    assert not (cell.value[:1] in TRIGGERS and not cell.quotePrefix)
        else:
            raw = _csv_cells(path, "\t" if kind == "tsv" else ",")[1]
            for cell, text in zip(raw, texts):
                assert cell[:1] not in TRIGGERS
                assert unquote(cell) == text
        with open_sheet(path, encoding=None) as sheet:
            back = next(cells for n, cells in sheet.rows() if n == 2) if any(t.strip() for t in texts) else None
        if back is not None:
            expected = [t.replace("\r\n", "\n").replace("\r", "\n") if kind == "xlsx" else t for t in texts]
            assert (back + [""] * len(texts))[:len(texts)] == [t.strip() for t in expected]


def test_numbers_stay_numbers_and_a_negative_amount_is_not_text(tmp_path):
    from openpyxl import load_workbook

    write_sheet(tmp_path / "n.csv", ["amount", "note"], [[Decimal("-25.50"), "-25.50"]])
    assert _csv_cells(tmp_path / "n.csv", ",")[1] == ["-25.50", "'-25.50"]
    write_sheet(tmp_path / "n.xlsx", ["amount", "note"], [[Decimal("-25.50"), "-25.50"]])
    amount, note = list(load_workbook(tmp_path / "n.xlsx").worksheets[0].iter_rows(min_row=2))[0]
    assert (amount.data_type, float(amount.value)) == ("n", -25.5)
    assert (note.data_type, note.value, note.quotePrefix) == ("s", "-25.50", True)


def test_the_writer_writes_whole_owner_only_files_with_a_bom_and_a_bold_frozen_header(tmp_path):
    from openpyxl import load_workbook

    assert write_sheet(tmp_path / "a.csv", ["x"], [["Ҷ"]]) == 1
    assert (tmp_path / "a.csv").read_bytes().startswith(codecs.BOM_UTF8)
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o600
    write_sheet(tmp_path / "a.xlsx", ["x"], [["Ҷ"]], sheet="people")
    sheet = load_workbook(tmp_path / "a.xlsx")["people"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    with pytest.raises(InvalidInput, match="use a .csv or .tsv or .xlsx file"):
        write_sheet(tmp_path / "a.pdf", ["x"], [])
    assert not list(tmp_path.glob(".*.part"))


# --- SheetImport ------------------------------------------------------------------------------


class _Tx:
    def __init__(self):
        self.events = []

    def audit_batch(self, action, entity, records, **about):
        self.events.append((action, entity, dict(records), about))

    def flush_audit(self):
        pass


class _Vote:
    @staticmethod
    def parse(value):
        if value.lower() not in ("approve", "reject"):
            raise InvalidInput(f"{value!r} is not approve or reject")
        return value.lower()


class Payments(SheetImport):
    columns = (Column("application", code, required=True, aliases=("заявка", "ариза")),
               Column("amount", money, required=True, aliases=("сумма", "маблағ")),
               Column("released_on", a_date),
               Column("vote", choice(_Vote)),
               Column("name", info=True))
    action, entity, batch_size = "tranche.import", "application", 2

    def identity(self, row):
        return row["application"]

    def check(self, row):
        if row["amount"] > 5000:
            raise RowProblem("amount", "more than the grant")
        return row

    def write(self, batch):
        self.stored = getattr(self, "stored", []) + [r.values for r in batch]
        return {r["application"]: {"amount": str(r["amount"])} for r in batch}


def _run(tmp_path, text, cls=Payments):
    path = tmp_path / "run.csv"
    path.write_text(text, encoding="utf-8")
    tx = _Tx()
    with open_sheet(path) as sheet:
        importer = cls(tx, sheet.name)
        return importer, importer.run(sheet), tx


def test_a_sheet_import_checks_every_row_and_writes_in_batches_with_one_event_each(tmp_path):
    importer, result, tx = _run(tmp_path, "Заявка;Сумма;released_on;name\nr2026-001;4800;23.11.2026;Мадина\n"
                                          "R2026-002;3 000.00;;\n\nR2026-003;10;2026-11-01;\n")
    assert (result.rows, result.written, result.batches) == (3, 3, 2)
    assert importer.stored[0] == {"application": "R2026-001", "amount": Decimal("4800"),
                                  "released_on": date(2026, 11, 23)}
    assert [(e[0], list(e[2]), e[3]) for e in tx.events] == [
        ("tranche.import", ["R2026-001", "R2026-002"], {"file": "run.csv"}),
        ("tranche.import", ["R2026-003"], {"file": "run.csv"})]


def test_a_sheet_import_names_every_problem_by_row_and_column_and_writes_nothing(tmp_path):
    with pytest.raises(RowErrors) as caught:
        _run(tmp_path, "application,amount,released_on,vote,name\nR1,abc,2026-13-01,,\nR2,9000,,maybe,\n,5,,,\n"
                       "R3,5,,,\nr3,6,,,\n")
    assert caught.value.message == "run.csv: 4 of 5 rows are invalid; nothing was imported"
    problems = caught.value.problems
    assert problems[0].startswith("row 2, amount: ") and problems[1].startswith("row 2, released_on: ")
    assert problems[2].startswith("row 3, vote: 'maybe' is not approve or reject")
    assert problems[3:] == ["row 4, application: missing", "row 6: the same as row 5 (R3); give each once"]
    assert len(problems) == 5 and not getattr(caught, "stored", None)


def test_a_sheet_import_refuses_a_header_it_does_not_know(tmp_path):
    with pytest.raises(InvalidInput) as caught:
        _run(tmp_path, "application,colour,colour\nR1,red,blue\n")
    assert caught.value.message.splitlines() == [
        "run.csv: unknown column(s) colour, colour; accepted columns: application, amount, released_on, vote, name",
        "run.csv: missing required column(s) amount"]
    with pytest.raises(InvalidInput, match="run.csv has no rows to import"):
        _run(tmp_path, "application,amount\n\n")


class PrePrinted(Payments):
    """A payment run printed with the applications: a row without an amount was not paid."""

    filled_by = ("amount", "released_on")

    def check(self, row):
        if row["application"] in getattr(self, "held", ()):
            return UNCHANGED
        return super().check(row)


def test_unfilled_pre_printed_rows_are_skipped_and_rows_already_held_change_nothing(tmp_path):
    PrePrinted.held = ("R2",)
    importer, result, tx = _run(tmp_path, "application,amount,released_on,name\nR1,100,,Мадина\nR2,200,,\n"
                                          "R3,,,Зарина\nR4,,,\n", PrePrinted)
    assert (result.rows, result.written, result.unchanged, result.skipped) == (4, 1, 1, 2)
    assert [list(e[2]) for e in tx.events] == [["R1"]]
    with pytest.raises(InvalidInput, match=r"run.csv: none of its 2 rows is filled in \(amount, released_on\)"):
        _run(tmp_path, "application,amount,released_on\nR3,,\nR4,,\n", PrePrinted)
    del PrePrinted.held


@pytest.mark.parametrize("encoding", ["utf-16", "cp1251"])
def test_the_plugins_entry_points_read_utf16_and_windows_1251_too(tmp_path, encoding):
    """read_sheet and read_table, which the plugins' imports call today, are the one reader."""
    from reentry_core.sheets import read_sheet

    path = tmp_path / "tally.csv"
    path.write_bytes("application;member;vote;note\r\nR2026-001;CM1;approve;нет покупателей\r\n".encode(encoding))
    assert read_sheet(path, ("application", "member", "vote", "note"), ("application",)) == [
        (2, {"application": "R2026-001", "member": "CM1", "vote": "approve", "note": "нет покупателей"})]
