"""Inserting many rows fast: for imports, and the audit trail's batch events."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


class BulkInsert:
    """One INSERT compiled once for the connection's dialect, run as a driver executemany.

    Going through ``conn.execute(table.insert(), dicts)`` costs more per row than SQLite
    takes to store it (parameter processing per row); here the values are prepared once
    per row from the same ``to_row`` dictionary, with the dialect's own bind processors,
    except that SQLite dates are written with ``date.isoformat`` (the same text
    SQLAlchemy's SQLite ``Date`` stores, ``YYYY-MM-DD``).
    """

    def __init__(self, conn: sa.Connection, table: sa.Table, keys: list[str]):
        dialect = conn.dialect
        compiled = table.insert().compile(dialect=dialect, column_keys=keys)
        self.sql = str(compiled)
        self.conn = conn
        self.keys = keys
        self.positional = compiled.positional
        order = list(compiled.positiontup) if compiled.positional else list(keys)
        if set(order) != set(keys):
            raise RuntimeError(f"unexpected parameters {order} for {keys}")
        self.in_order = order == keys
        self.order = order
        processors = []
        for i, key in enumerate(order):
            column_type = table.c[key].type
            if dialect.name == "sqlite" and isinstance(column_type, sa.Date) and not isinstance(column_type, sa.DateTime):
                processors.append((i, key, _iso_or_none))
                continue
            proc = column_type.bind_processor(dialect)
            if proc is not None:
                processors.append((i, key, proc))
        self.processors = processors

    def params(self, row: dict[str, Any]):
        values = list(row.values()) if self.in_order else [row[k] for k in self.order]
        for i, _key, proc in self.processors:
            values[i] = proc(values[i])
        if self.positional:
            return tuple(values)
        return dict(zip(self.order, values))

    def run(self, params: list) -> None:
        if params:
            self.conn.exec_driver_sql(self.sql, params)

    def run_tuples(self, rows: list[tuple]) -> None:
        """Insert rows given as tuples in ``keys`` order: passed straight to the driver
        when no value needs converting (the common case of plain text and numbers)."""
        if self.in_order and self.positional and not self.processors:
            self.run(rows)
        else:
            self.run([self.params(dict(zip(self.keys, row))) for row in rows])


def _iso_or_none(value):
    return value.isoformat() if value is not None else None
