"""Printing results: tables for people, JSON and CSV for scripts.

JSON is a list of objects (or one object for ``show`` commands) with the keys of the
``columns`` given, in that order; CSV has those keys as its header. rich is imported only
when a table is printed.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any, Iterable, Sequence

import click

from .. import words
from ..domain import choice_values
from ..i18n import _

FORMATS = ("table", "json", "csv")


def plain(value: Decimal) -> str:
    """A decimal in plain notation, never an exponent: ``2.76E+3`` → ``2760``, ``75.00`` stays."""
    return format(value, "f")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _cell(value: Any) -> Any:
    """A value for CSV: numbers stay numbers (a negative amount is not made text), the rest as text."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    return _text(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def emit_rows(rows: Iterable[dict], columns: Sequence[str], fmt: str, title: str | None = None,
              empty: str | None = None, keep: Sequence[str] = ()) -> None:
    """Print ``rows`` (dicts) in ``fmt``; only ``columns`` are shown, in that order. A table
    fits the window (:func:`fit_columns`); ``keep`` names columns never left out."""
    rows = [{c: row.get(c) for c in columns} for row in rows]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=_json_default))
    elif fmt == "csv":  # the one sheet writer: text that starts like a formula is made inert
        from ..sheets.writing import write_rows

        write_rows(sys.stdout, columns, ([_cell(row[c]) for c in columns] for row in rows), lineterminator="\n")
    else:
        if not rows and empty:
            click.echo(empty)
            return
        from rich.console import Console
        from rich.table import Table

        console = Console(soft_wrap=True)
        choices, package = choice_values(), words.speaker()
        texts = [[words.cell(row[c], choices, package) for c in columns] for row in rows]
        shown, left_out, needed = fit_columns(columns, texts, console.width, wide=WIDE, keep=keep)
        if needed > console.width:  # the codes and names alone are wider: scroll, never cut them
            console.width = needed
        table = Table(title=title, title_justify="left", header_style="bold")
        for i in shown:
            column = columns[i]
            heading = words.column_label(column, package)
            longest = max([len(heading)] + [len(t[i]) for t in texts])
            if is_key(column, i, longest):  # codes and names are never cut or broken
                table.add_column(heading, no_wrap=True, min_width=longest)
            elif longest <= TOKEN_MOST and not any(" " in t[i] for t in texts):
                table.add_column(heading, no_wrap=True, min_width=longest)
            else:
                table.add_column(heading, overflow="fold")
        for text in texts:
            table.add_row(*[text[i] for i in shown])
        console.print(table)
        if left_out:
            click.echo(_("({n} more columns did not fit the window: {names}; --wide shows every column, "
                         "--format csv or json all the data)").format(
                n=len(left_out), names=", ".join(words.column_label(columns[i], package) for i in left_out)), err=True)


#: ``reentry --wide``: every column, even past the window's width.
WIDE = False
#: Columns that name a person or a record: shown whole, never dropped.
KEY_COLUMNS = frozenset({"code", "participant", "full_name", "name", "staff", "mentor", "application", "cohort",
                         "round", "referral", "id", "seq"})
#: Cells of one word up to this long (a status, a date, an action) keep their width.
TOKEN_MOST = 24
#: A cell longer than this is a description, not a code or a name: it may wrap.
KEY_MOST = 40


def is_key(column: str, index: int, longest: int = 0) -> bool:
    """Whether ``column`` names a person or a record (the first column always does)."""
    return (index == 0 or column in KEY_COLUMNS or column.endswith(("_code", "_name"))) and longest <= KEY_MOST


def fit_columns(columns: Sequence[str], texts: list[list[str]], width: int,
                wide: bool = False, keep: Sequence[str] = ()) -> tuple[list[int], list[int], int]:
    """Which columns fit a window ``width`` characters wide: every key column whole, then
    the others in their order while each still has room for its header's longest word (a
    cell wraps rather than being cut); the rest are left out. Returns (shown, left out) as
    column indexes, and the width the key columns need."""
    longest = [max([0] + [len(t[i]) for t in texts]) for i in range(len(columns))]

    def key(i: int) -> bool:
        return is_key(columns[i], i, longest[i])

    def need(i: int) -> int:
        if key(i):
            return max(len(columns[i]), longest[i])
        words = max(len(w) for w in columns[i].split("_"))
        if longest[i] <= TOKEN_MOST and not any(" " in t[i] for t in texts):
            return max(words, longest[i])  # one word per cell (a status, a date): never folded
        return max(words, min(12, longest[i]))

    keys = [i for i in range(len(columns)) if key(i) or columns[i] in keep]
    if wide:
        return list(range(len(columns))), [], 0
    used = 1 + sum(need(i) + 3 for i in keys)  # a border, and 3 (padding, border) per column
    shown = set(keys)
    for i in range(len(columns)):
        if i in shown:
            continue
        if used + need(i) + 3 <= width:
            shown.add(i)
            used += need(i) + 3
    return sorted(shown), [i for i in range(len(columns)) if i not in shown], used


def emit_record(record: dict, fmt: str, title: str | None = None) -> None:
    """Print one object: a two-column table, one JSON object, or a one-row CSV."""
    if fmt == "json":
        click.echo(json.dumps(record, ensure_ascii=False, indent=2, default=_json_default))
    elif fmt == "csv":
        emit_rows([record], list(record), fmt)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, title_justify="left", show_header=False, box=None)
        table.add_column(style="bold")
        table.add_column()
        choices, package = choice_values(), words.speaker()
        for key, value in record.items():
            table.add_row(words.column_label(key, package), words.cell(value, choices, package))
        Console(soft_wrap=True).print(table)


def done(message: str, fmt: str, record: dict | None = None) -> None:
    """A mutating command's answer: a sentence for people, the record for scripts."""
    if fmt == "table" or record is None:
        click.echo(message)
    else:
        emit_record(record, fmt)
