"""The trainers' spreadsheets are read and written by the core's :mod:`reentry_core.sheets`."""

from reentry_core.sheets import kind_of, normal_header, read_table, require_columns, write_table

__all__ = ["kind_of", "normal_header", "read_table", "require_columns", "write_table"]
