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
              empty: str | None = None) -> None:
    """Print ``rows`` (dicts) in ``fmt``; only ``columns`` are shown, in that order."""
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

        table = Table(title=title, title_justify="left", header_style="bold")
        for column in columns:
            table.add_column(column.replace("_", " "))
        for row in rows:
            table.add_row(*[_text(row[c]) for c in columns])
        Console(soft_wrap=True).print(table)


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
        for key, value in record.items():
            table.add_row(key.replace("_", " "), _text(value))
        Console(soft_wrap=True).print(table)


def done(message: str, fmt: str, record: dict | None = None) -> None:
    """A mutating command's answer: a sentence for people, the record for scripts."""
    if fmt == "table" or record is None:
        click.echo(message)
    else:
        emit_record(record, fmt)
