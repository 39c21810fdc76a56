"""Sheets: the one road for every CSV, TSV and XLSX file the project reads or writes —
the registers, score sheets, plan forms, tally sheets, payment runs and visit sheets staff
fill in offline, and every export and report.

* :mod:`.reading`: one streaming reader (CSV in UTF-8, UTF-16 or Windows-1251, any of
  ``,`` ``;`` tab; XLSX), :func:`open_sheet`;
* :mod:`.safety`: the one formula-safe rule (OWASP's CSV injection) for every text cell;
* :mod:`.writing`: one writer (CSV with a BOM, TSV, streamed XLSX), :func:`write_sheet`;
* :mod:`.importing`: :class:`SheetImport`, the one shape of an import.

``docs/sheets.md`` explains them for plugin authors. ``read_table``, ``read_sheet``,
``require_columns`` and ``write_table`` are the older, smaller entry points, kept for the
plugins still using them.
"""

from __future__ import annotations

from .importing import (
    UNCHANGED, Column, Row, RowProblem, SheetImport, SheetResult, a_date, choice, code, columns_of, decimal, import_sheet,
    integer, money, text,
)
from .reading import (
    KINDS, Sheet, column_letter, kind_of, normal_header, open_sheet, read_sheet, read_table, require_columns,
)
from .safety import TRIGGERS, is_risky, needs_quote, safe_text, safe_value, unquote
from .writing import (
    FORMATS, Workbook, WorkSheet, csv_value, sheet_format, sheet_name, write_rows, write_sheet, write_sheet_to,
    write_table,
)

__all__ = [
    "KINDS", "FORMATS", "TRIGGERS",
    "Sheet", "open_sheet", "read_table", "read_sheet", "require_columns", "normal_header", "kind_of", "column_letter",
    "safe_text", "safe_value", "is_risky", "needs_quote", "unquote",
    "write_sheet", "write_sheet_to", "write_rows", "write_table", "csv_value", "Workbook", "WorkSheet",
    "sheet_format", "sheet_name",
    "SheetImport", "Column", "Row", "RowProblem", "SheetResult", "UNCHANGED", "import_sheet", "columns_of",
    "text", "code", "integer", "money", "decimal", "a_date", "choice",
]
