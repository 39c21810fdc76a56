"""Budget lines from the outside: typed as ``item;quantity;unit cost;cash|in_kind;supplier``
or read from a sheet (through the core's one reader) with the columns ``item, quantity,
unit_cost, kind, supplier``.

Every value goes through the one cattrs converter. A file is read by the sheet pipeline
(``SheetImport``): all or nothing, every bad row named ``row N, column: reason`` (row
numbers as a spreadsheet shows them, the header is row 1), and no line of a file with a
bad row is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from reentry_core.sdk import _, Column, InvalidInput, open_sheet, SheetImport, structure

from .domain import BudgetLine, column_problem

FIELDS = ("item", "quantity", "unit_cost", "kind", "supplier")
REQUIRED = ("item", "quantity", "unit_cost")
LINE_FORMAT = "item;quantity;unit cost;cash|in_kind;supplier"


def parse_line(text: str, where: str) -> BudgetLine:
    """``"Sewing machine;2;3500;in_kind;Dushanbe Textile"`` → a :class:`BudgetLine`;
    kind (default cash) and supplier may be left off."""
    parts = [p.strip() for p in str(text).split(";")]
    if len(parts) < 3 or len(parts) > len(FIELDS):
        raise InvalidInput(_("{where}: {text!r} is not {format}").format(where=where, text=str(text),
                                                                          format=LINE_FORMAT))
    return line_from(dict(zip(FIELDS, parts)), where)


def line_from(data: dict[str, Any], where: str) -> BudgetLine:
    data = {k: v for k, v in data.items() if v not in (None, "")}
    return structure(data, BudgetLine, where=where)


def to_lines(values: Iterable[BudgetLine | dict | str]) -> tuple[BudgetLine, ...]:
    """Budget lines from objects, dicts or typed text, each checked; errors name the line."""
    lines = []
    for n, value in enumerate(values, start=1):
        where = _("line {n}").format(n=n)
        if isinstance(value, BudgetLine):
            lines.append(value)
        elif isinstance(value, dict):
            lines.append(line_from(value, where))
        else:
            lines.append(parse_line(value, where))
    return tuple(lines)


class _LinesSheet(SheetImport):
    """The budget lines of a sheet, checked by the one converter; nothing is stored here
    (the lines go to the application the caller makes or amends). Two rows for one item
    from one supplier are refused, naming both."""

    columns = (
        Column("item", required=True, aliases=("статья", "мол")),
        Column("quantity", required=True, aliases=("количество", "миқдор")),
        Column("unit_cost", required=True, aliases=("цена", "нарх")),
        Column("kind", aliases=("вид", "намуд")),
        Column("supplier", aliases=("поставщик", "таъминкунанда")),
    )
    nothing_done = _("no budget line was used")

    def __init__(self, name: str):
        super().__init__(None, name)
        self.lines: list[BudgetLine] = []

    def identity(self, row):
        return (" ".join(row["item"].split()).casefold(), " ".join(row.get("supplier", "").split()).casefold())

    def check(self, row) -> BudgetLine:
        try:
            return line_from(row.values, "")
        except InvalidInput as exc:
            raise column_problem(exc, FIELDS) from None

    def flush(self) -> None:
        """Keep the checked lines (no transaction: nothing is written)."""
        batch, self._batch = self._batch, []
        if batch and not self.problem_count:
            self.lines.extend(batch)
            self.written += len(batch)


def read_lines_file(path: str | Path, encoding: str | None = None) -> tuple[BudgetLine, ...]:
    """Every line of a sheet (CSV in any encoding the core's reader takes, or XLSX), or
    :class:`RowErrors` naming each bad row and column."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(_("budget lines file {file} does not exist").format(file=path))
    with open_sheet(path, encoding=encoding) as sheet:
        importer = _LinesSheet(sheet.name)
        importer.run(sheet)
    return tuple(importer.lines)


__all__ = ["parse_line", "to_lines", "read_lines_file", "LINE_FORMAT"]
