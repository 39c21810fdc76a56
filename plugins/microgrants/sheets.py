"""Sheets the committee's secretary and finance fill in: a CSV or XLSX file with a header
row, read whole (they are a meeting's or a payment run's worth of rows), and written back
out blank or pre-filled for people to complete.

Reading: the header is matched after strip, lower case, spaces and dashes to ``_``; an
unknown or missing column stops the file with one line naming it; rows are numbered as a
spreadsheet shows them (the header is row 1); blank rows are skipped; every value comes
back as stripped text (an XLSX date as ISO text, a whole number without ``.0``). CSV is
UTF-8 (with or without BOM), or Windows-1251 as Excel on a Russian-language Windows
saves it; comma, semicolon or tab separated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reentry_core.errors import InvalidInput
from reentry_core.files import written_whole
from reentry_core.i18n import _

KINDS = (".csv", ".xlsx")


def _header(cell: Any) -> str:
    text = "" if cell is None else str(cell)
    return "_".join(text.replace("\ufeff", "").strip().lower().replace("-", " ").split())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251")


def _csv_rows(path: Path) -> list[list[str]]:
    text = _decode(path.read_bytes())
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
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
        return [[_text(c) for c in cells] for cells in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def read_sheet(path: str | Path, columns: Sequence[str], required: Sequence[str],
               ignored: Sequence[str] = ()) -> list[tuple[int, dict[str, str]]]:
    """``(row number, {column: text})`` for each filled row of a CSV or XLSX sheet. Columns
    in ``ignored`` may be there (for the people filling it in) and are left out."""
    path = Path(path)
    if path.suffix.lower() not in KINDS:
        raise InvalidInput(_("{file}: give a {kinds} file").format(file=path.name, kinds=" or ".join(KINDS)))
    if not path.is_file():
        raise InvalidInput(_("{file} does not exist").format(file=str(path)))
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    start = next((i for i, cells in enumerate(rows) if any(str(c).strip() for c in cells)), None)
    if start is None:
        raise InvalidInput(_("{file} is empty").format(file=path.name))
    header = [_header(cell) for cell in rows[start]]
    unknown = [h for h in header if h and h not in columns and h not in ignored]
    missing = [c for c in required if c not in header]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if unknown or missing or twice:
        problems = []
        if unknown:
            problems.append(_("unknown: {names}").format(names=", ".join(unknown)))
        if missing:
            problems.append(_("missing: {names}").format(names=", ".join(missing)))
        if twice:
            problems.append(_("twice: {names}").format(names=", ".join(twice)))
        raise InvalidInput(_("{file}: the columns are {columns} ({problems})").format(
            file=path.name, columns=", ".join(columns), problems="; ".join(problems)))
    wanted = [(i, h) for i, h in enumerate(header) if h in columns]
    found = []
    for n, cells in enumerate(rows[start + 1:], start=start + 2):
        data = {h: cells[i].strip() for i, h in wanted if i < len(cells) and cells[i].strip()}
        if data:
            found.append((n, data))
    if not found:
        raise InvalidInput(_("{file} has no rows below its header").format(file=path.name))
    return found


def write_sheet(path: str | Path, columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "sheet") -> int:
    """Write a sheet whole or not at all (CSV in UTF-8 with BOM, so Excel reads it, or XLSX);
    returns the number of rows below the header."""
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in KINDS:
        raise InvalidInput(_("{file}: give a {kinds} file").format(file=path.name, kinds=" or ".join(KINDS)))
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
            sheet = book.create_sheet(title[:31])
            sheet.freeze_panes = "A2"
            header = []
            for name in columns:
                cell = WriteOnlyCell(sheet, value=name)
                cell.font = Font(bold=True)
                header.append(cell)
            sheet.append(header)
            for row in rows:
                cells = []
                for value in row:
                    cell = WriteOnlyCell(sheet, value=value)
                    if isinstance(value, str):
                        cell.data_type = "s"  # text, never a formula
                    cells.append(cell)
                sheet.append(cells)
                count += 1
            book.save(temp)
    return count


__all__ = ["KINDS", "read_sheet", "write_sheet"]
