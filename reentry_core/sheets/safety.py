"""The one formula-safe rule for every sheet the project writes (CSV, TSV, XLSX).

A spreadsheet opening a file takes a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, one starting with a tab or a carriage return) as a formula: a
name, a note or a payment reference typed by somebody outside could run one on the
machine of the person opening the export (OWASP, "CSV Injection"). OWASP's rule: such a
text cell gets a leading single quote, which spreadsheets show as text. Numbers (``int``,
``Decimal``, ``float``), dates and booleans are never text, so a negative amount stays a
number.

The reader (:mod:`reentry_core.sheets.reading`) drops that quote again, so a sheet the
project wrote, filled in and read back keeps its text as it was.
"""

from __future__ import annotations

from typing import Any

#: What makes a spreadsheet read a text cell as a formula (OWASP).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_SET = frozenset(TRIGGERS)
QUOTE = "'"


def is_risky(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` as a formula."""
    return bool(text) and text[0] in _TRIGGER_SET


def needs_quote(text: str) -> bool:
    """Whether ``text`` is written with a leading ``'``: it starts like a formula, or it
    already starts with quotes before such a character (so reading it back gives the same
    text: one quote is always taken off again)."""
    if not text:
        return False
    first = text[0]
    if first in _TRIGGER_SET:
        return True
    if first == QUOTE:
        rest = text.lstrip(QUOTE)
        return bool(rest) and rest[0] in _TRIGGER_SET
    return False


def safe_text(text: str) -> str:
    """``text`` as written in a CSV or TSV cell: with a leading ``'`` when it starts like a formula."""
    return QUOTE + text if needs_quote(text) else text


def safe_value(value: Any) -> Any:
    """A CSV cell value with the rule applied: text made safe, anything else unchanged."""
    if type(value) is str and value and (value[0] in _TRIGGER_SET or value[0] == QUOTE) and needs_quote(value):
        return QUOTE + value
    return value


def unquote(text: str) -> str:
    """The text a cell written by :func:`safe_text` stood for (``'=A1`` → ``=A1``)."""
    if text[:1] == QUOTE and needs_quote(text[1:]):
        return text[1:]
    return text


__all__ = ["TRIGGERS", "QUOTE", "is_risky", "needs_quote", "safe_text", "safe_value", "unquote"]
