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


def safe_text(text: str) -> str:
    """``text`` as written in a cell: with a leading ``'`` when it starts like a formula."""
    return QUOTE + text if text and text[0] in _TRIGGER_SET else text


def safe_value(value: Any) -> Any:
    """A cell value with the rule applied: text made safe, anything else unchanged."""
    if type(value) is str and value and value[0] in _TRIGGER_SET:
        return QUOTE + value
    return value


def unquote(text: str) -> str:
    """The text a cell written by :func:`safe_text` stood for (``'=A1`` → ``=A1``)."""
    if len(text) > 1 and text[0] == QUOTE and text[1] in _TRIGGER_SET:
        return text[1:]
    return text


__all__ = ["TRIGGERS", "QUOTE", "is_risky", "safe_text", "safe_value", "unquote"]
