"""The one writer of sheets: CSV (UTF-8 with a BOM, so Excel shows Cyrillic right), TSV,
and XLSX (streamed, bold frozen header), every text cell through the one formula-safe rule
(:mod:`reentry_core.sheets.safety`). A file is written whole or not at all, owner-only
(:func:`reentry_core.files.written_whole`).
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Iterable, Sequence

from ..errors import InvalidInput
from ..files import written_whole
from ..i18n import _
from .safety import _TRIGGER_SET, QUOTE, needs_quote

FORMATS = ("csv", "tsv", "xlsx")
#: a text starting with one of these needs a cell of its own (a trigger, the quote, an error code's #)
_PLAIN_UNSAFE = _TRIGGER_SET | {QUOTE, "#"}
#: what csv writes right by itself (None as "")
_CSV_AS_IS = frozenset({int, float, bool, type(None)})


def csv_value(value: Any) -> Any:
    """A value as a CSV cell: text made safe, ``None`` empty, a date in ISO, numbers as they are."""
    if value is None:
        return ""
    if type(value) is str:
        return QUOTE + value if value and (value[0] in _TRIGGER_SET or value[0] == QUOTE) and needs_quote(value) \
            else value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def write_rows(handle: IO[str], columns: Sequence[str] | None, rows: Iterable[Sequence[Any]], *,
               delimiter: str = ",", lineterminator: str = "\r\n") -> int:
    """Write CSV (or TSV) rows to an open text ``handle``, every cell through the safe rule;
    returns the number of rows below the header."""
    writer = csv.writer(handle, delimiter=delimiter, lineterminator=lineterminator)
    if columns is not None:
        writer.writerow([csv_value(c) for c in columns])
    count = 0
    value = csv_value
    unsafe, as_is = _PLAIN_UNSAFE, _CSV_AS_IS
    if "\r" in lineterminator:
        for row in rows:
            # plain text goes as it is (the common case, kept lean); the rest through csv_value
            writer.writerow([v if ((t := type(v)) is str and (not v or v[0] not in unsafe)) or t in as_is
                             else v.isoformat() if t is date else value(v) for v in row])
            count += 1
        return count
    # csv quotes a cell holding a character of the line terminator; with "\n" alone a CR
    # inside a cell would end the row for a reader, so such a row is written fully quoted
    quoted = csv.writer(handle, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_ALL)
    for row in rows:
        cells = [value(v) for v in row]
        if any(type(c) is str and "\r" in c for c in cells):
            quoted.writerow(cells)
        else:
            writer.writerow(cells)
        count += 1
    return count


class Workbook:
    """A streamed XLSX workbook (openpyxl ``write_only``): add sheets, append rows, save."""

    def __init__(self):
        from openpyxl import Workbook as _Book

        self.book = _Book(write_only=True)
        self._taken: set[str] = set()

    def sheet(self, title: str, columns: Sequence[str] | None = None, *, freeze: str | None = "A2",
              widths: dict[str, float] | None = None) -> WorkSheet:
        """A new sheet named ``title`` (made valid and unique), with a bold header."""
        ws = self.book.create_sheet(sheet_name(title, self._taken))
        if widths:
            for letter, width in widths.items():
                ws.column_dimensions[letter].width = width
        sheet = WorkSheet(ws)
        if columns is not None:
            if freeze:
                ws.freeze_panes = freeze
            sheet.append(columns, bold=True)
        return sheet

    def save(self, target) -> None:
        self.book.save(target)


class WorkSheet:
    """One sheet of a :class:`Workbook`: every text cell stored as text, never a formula,
    with a quote prefix when it starts like one (Excel shows it as typed)."""

    def __init__(self, ws):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        self.ws = ws
        self._cell = WriteOnlyCell
        self._bold = Font(bold=True)
        self._right = Alignment(horizontal="right")
        self.rows = 0

    def append(self, values: Iterable[Any], *, bold: bool | Sequence[bool] = False,
               formats: Sequence[str | None] | None = None, right: Sequence[bool] | None = None) -> None:
        """One row: ``bold`` (the row, or per column), ``formats`` a number format per
        column (for numbers), ``right`` right-aligns per column."""
        make = self._cell
        ws = self.ws
        cells = []
        styled = bold is not False or formats is not None or right is not None
        for i, value in enumerate(values):
            kind = type(value)
            if not styled:  # the common case, kept lean: plain values go in as they are
                if kind is str:
                    if not value:
                        cells.append(None)
                        continue
                    if value[0] not in _PLAIN_UNSAFE:
                        cells.append(value)  # openpyxl keeps it text: it starts with none of = ' #
                        continue
                elif value is None or kind is int or kind is float or kind is Decimal:
                    cells.append(value)
                    continue
            if value == "":
                value = None
            elif isinstance(value, datetime):
                value = value.date()
            risky = type(value) is str and value[:1] in _TRIGGER_SET
            if type(value) is str and value[:1] == QUOTE and needs_quote(value):
                value, risky = QUOTE + value, True  # read back with one quote taken off, as CSV
            cell = make(ws, value=value)
            if type(value) is str:
                cell.data_type = "s"  # text, never a formula (nor an error code such as #N/A)
                if risky:
                    cell.quotePrefix = True  # shown as typed, kept as text when edited
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if bold is True or (bold and not isinstance(bold, bool) and i < len(bold) and bold[i]):
                cell.font = self._bold
            if formats is not None and i < len(formats) and formats[i] and isinstance(value, (int, float)):
                cell.number_format = formats[i]
            if right is not None and i < len(right) and right[i]:
                cell.alignment = self._right
            cells.append(cell)
        ws.append(cells)
        self.rows += 1


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid sheet name (no ``[]:*?/\\``, at most 31 characters), unique in ``taken``. A
    longer title is cut at the last whole word that fits, and ends with "…"."""
    name = "".join(ch for ch in title if ch not in "[]:*?/\\").strip() or "sheet"
    if len(name) > 31:
        cut = name[:30]
        words = cut.rsplit(" ", 1)[0] if " " in cut else cut
        name = words.rstrip(" ,;:-–—?") + "…"
    base, n = name, 2
    while name in taken:
        suffix = f" {n}"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def sheet_format(path: Path, fmt: str | None = None, formats: Sequence[str] = FORMATS) -> str:
    """``csv``, ``tsv`` or ``xlsx`` from ``fmt`` or the file's suffix."""
    kind = (fmt or Path(path).suffix.lstrip(".")).strip().lower()
    if kind not in formats:
        raise InvalidInput(_("{file}: use a {kinds} file").format(
            file=Path(path).name, kinds=" or ".join("." + f for f in formats)))
    return kind


def write_sheet(path, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, fmt: str | None = None,
                sheet: str = "sheet", keys: bool = False) -> int:
    """Write ``rows`` below ``columns`` to a CSV, TSV or XLSX file (by ``fmt`` or the suffix),
    whole or not at all, owner-only; returns the number of rows below the header. ``keys``:
    the headings are the column keys in every language (a file for statistical software)."""
    path = Path(path)
    kind = sheet_format(path, fmt)
    with written_whole(path) as temp:
        return write_sheet_to(temp, kind, columns, rows, sheet=sheet, keys=keys)


def write_sheet_to(target, kind: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                   sheet: str = "sheet", keys: bool = False) -> int:
    """As :func:`write_sheet`, into ``target`` as it is (inside the caller's ``written_whole``);
    the headings in the reader's language (:func:`reentry_core.words.sheet_header`) unless ``keys``."""
    from ..words import sheet_header

    if not keys:
        columns = [sheet_header(c) for c in columns]
    if kind == "xlsx":
        book = Workbook()
        ws = book.sheet(sheet, columns)
        for row in rows:
            ws.append(row)
        book.save(target)
        return ws.rows - 1
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")  # the BOM Excel needs to see UTF-8 (utf-8-sig encodes in Python, slower)
        return write_rows(handle, columns, rows, delimiter="\t" if kind == "tsv" else ",")


def write_table(path, columns: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "sheet",
                keys: bool = False) -> int:
    """Write a ``.csv`` or ``.xlsx`` file whole (or leave none); the number of rows below the header."""
    from .reading import kind_of

    kind_of(Path(path))
    return write_sheet(path, columns, rows, sheet=sheet, keys=keys)
