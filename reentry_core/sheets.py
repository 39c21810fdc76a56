"""Reading and writing the small spreadsheets staff fill in offline and import: attendance
registers, score sheets, plan forms, a committee's tally sheet, finance's payment run, a
mentor's visit sheet. Plugins use these for their own sheets.

Reading takes CSV (UTF-8 with or without BOM, or Windows-1251 as Excel on a Russian-
language Windows saves it; comma, semicolon or tab separated) or XLSX (the first sheet).
The header is matched after strip, lower case, spaces and dashes to ``_``; rows are
numbered as a spreadsheet shows them (the header is row 1); blank rows are skipped;
every value comes back as stripped text (an XLSX date as ISO text, a whole number
without ``.0``). Reading never writes anything; the services check every row and write
all or nothing.

Writing makes the whole file or nothing (CSV in UTF-8 with a BOM, so Excel shows Cyrillic
names right; or XLSX with a bold, frozen header), text never turned into a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import InvalidInput
from .files import written_whole
from .i18n import _

KINDS = (".csv", ".xlsx")


def normal_header(cell: Any) -> str:
    text = "" if cell is None else str(cell)
    return "_".join(text.replace("\ufeff", "").strip().lower().replace("-", " ").split())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def kind_of(path: Path) -> str:
    kind = path.suffix.lower()
    if kind not in KINDS:
        raise InvalidInput(_("{file}: use a .csv or .xlsx file").format(file=path.name))
    return kind


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251")  # Excel's "CSV" on a Russian-language Windows


def _csv_rows(path: Path) -> list[list[str]]:
    text = _decode(path)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    # read as a file (newline=""), so a quoted cell keeps its line breaks (a spreadsheet's
    # Alt+Enter); a row is numbered as the spreadsheet shows it, whatever lines it spans
    try:
        return [[cell.strip() for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise InvalidInput(_("{file} cannot be read as CSV: {reason}").format(file=path.name, reason=exc)) from None


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile / XML errors of a damaged or mis-named file
        raise InvalidInput(_("{file} is not a readable .xlsx workbook: {reason}").format(
            file=path.name, reason=str(exc) or type(exc).__name__)) from None
    try:
        if not book.worksheets:
            return []
        return [[_cell(c) for c in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def read_table(path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The normalised header and the non-empty rows ``(row number, {column: text})``."""
    path = Path(path)
    kind = kind_of(path)
    if not path.is_file():
        raise InvalidInput(_("{file} does not exist").format(file=str(path)))
    raw = _csv_rows(path) if kind == ".csv" else _xlsx_rows(path)
    numbered = [(n, cells) for n, cells in enumerate(raw, 1) if any(cells)]  # cells are stripped text
    if not numbered:
        raise InvalidInput(_("{file} is empty").format(file=path.name))
    header_cells, body = numbered[0][1], numbered[1:]
    header = [normal_header(c) for c in header_cells]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise InvalidInput(_("{file}: column(s) {names} appear more than once in the header").format(
            file=path.name, names=", ".join(twice)))
    rows = []
    for n, cells in body:
        rows.append((n, {h: v for h, v in zip(header, cells) if h and v}))
    return [h for h in header if h], rows


def require_columns(path, header: Sequence[str], required: Sequence[str], accepted: Sequence[str]) -> None:
    """One line naming the missing and the unknown columns, if any."""
    name = Path(path).name
    lines = []
    missing = [c for c in required if c not in header]
    if missing:
        lines.append(_("{file}: missing column(s) {names}").format(file=name, names=", ".join(missing)))
    unknown = [c for c in header if c not in accepted]
    if unknown:
        lines.append(_("{file}: unknown column(s) {names}; accepted: {accepted}").format(
            file=name, names=", ".join(unknown), accepted=", ".join(accepted)))
    if lines:
        raise InvalidInput("; ".join(lines))


def read_sheet(path, columns: Sequence[str], required: Sequence[str],
               ignored: Sequence[str] = ()) -> list[tuple[int, dict[str, str]]]:
    """``(row number, {column: text})`` for each filled row of a sheet whose columns must be
    among ``columns`` (``required`` ones present). Columns in ``ignored`` may be there, for
    the people filling it in, and are left out."""
    header, rows = read_table(path)
    require_columns(path, header, required, tuple(columns) + tuple(ignored))
    found = [(n, {k: v for k, v in cells.items() if k in columns}) for n, cells in rows]
    found = [(n, cells) for n, cells in found if cells]
    if not found:
        raise InvalidInput(_("{file} has no rows below its header").format(file=Path(path).name))
    return found


def write_table(path, columns: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "sheet") -> int:
    """Write a CSV or XLSX file whole (or leave none); returns the number of rows below the header."""
    path = Path(path)
    kind = kind_of(path)
    count = 0
    with written_whole(path) as temp:
        if kind == ".csv":
            with open(temp, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                for row in rows:
                    writer.writerow(["" if v is None else v for v in row])
                    count += 1
        else:
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Font

            book = Workbook(write_only=True)
            ws = book.create_sheet(sheet[:31])
            ws.freeze_panes = "A2"
            header = []
            for name in columns:
                cell = WriteOnlyCell(ws, value=name)
                cell.font = Font(bold=True)
                header.append(cell)
            ws.append(header)
            for row in rows:
                cells = []
                for value in row:
                    cell = WriteOnlyCell(ws, value=None if value == "" else value)
                    if isinstance(value, str) and value:
                        cell.data_type = "s"  # text, never a formula
                    cells.append(cell)
                ws.append(cells)
                count += 1
            book.save(temp)
    return count


__all__ = ["KINDS", "kind_of", "normal_header", "read_sheet", "read_table", "require_columns", "write_table"]
