"""Reading and writing the small spreadsheets trainers work with: attendance registers and
score sheets, as CSV (UTF-8, comma or semicolon) or XLSX.

Rows are numbered as a spreadsheet shows them (the header is row 1). Reading never
writes anything; the services check every row and write all or nothing.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any, Sequence

from reentry_core.errors import InvalidInput
from reentry_core.i18n import _

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
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def kind_of(path: Path) -> str:
    kind = path.suffix.lower()
    if kind not in KINDS:
        raise InvalidInput(_("{file}: use a .csv or .xlsx file").format(file=path.name))
    return kind


def read_table(path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The normalised header and the non-empty rows ``(row number, {column: text})``."""
    path = Path(path)
    kind = kind_of(path)
    if not path.is_file():
        raise InvalidInput(_("{file} does not exist").format(file=str(path)))
    if kind == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(_("{file} is not UTF-8; save it as 'CSV UTF-8'").format(file=path.name)) from None
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = max((",", ";", "\t"), key=first.count) if first else ","
        # read as a file (newline=""), so a quoted cell keeps its line breaks (a spreadsheet's
        # Alt+Enter); a row is numbered as the spreadsheet shows it, whatever lines it spans
        raw = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""),
                                                                      delimiter=delimiter)]
    else:
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # a damaged or mis-named file
            raise InvalidInput(_("{file} is not a readable .xlsx workbook: {reason}").format(
                file=path.name, reason=str(exc) or type(exc).__name__)) from None
        try:
            raw = [[_cell(c) for c in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
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


def write_table(path, columns: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str = "sheet") -> None:
    """Write a CSV or XLSX file whole: into a temporary file beside it, then renamed."""
    path = Path(path)
    kind = kind_of(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(_("cannot write {file}: the folder {folder} does not exist").format(
            file=str(path), folder=str(folder)))
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        if kind == ".csv":
            with open(fd, "w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                writer.writerows([["" if v is None else v for v in row] for row in rows])
        else:
            os.close(fd)
            from openpyxl import Workbook
            from openpyxl.styles import Font

            book = Workbook()
            ws = book.active
            ws.title = sheet[:31]
            ws.append(list(columns))
            for cell in ws[1]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "A2"
            for row in rows:
                ws.append([None if v == "" else v for v in row])
                for cell in ws[ws.max_row]:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        cell.data_type = "s"  # text, never a formula
            book.save(temp)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
