"""How values read in the reader's language: the words for choices and columns, numbers,
dates and money.

Codes stay codes where a program reads them (input, JSON, CSV, sheets' keys); a person
reading a table or a message in Russian or Tajik sees words (``under_review`` → "на
рассмотрении"), numbers grouped and with a decimal comma (``1 000,50``), dates as
``04.12.2026`` and sums in somoni (``1 000,50 сомонӣ``), through Babel. English keeps what
it always printed (codes are English words already; ISO dates; ``1,000.50 TJS`` in
messages), so a script reading English output sees no change.

A choice's words and a column's words are catalogue messages with a context (``choice``,
``column``): ``tools/extract_messages.py`` adds every value of every :class:`Choice` and
every column a package declares, so a missing translation fails the catalogue check.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from .i18n import SOURCE, language, pgettext_of

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def english() -> bool:
    return language() == SOURCE


def choice_label(value: str, package: str | None = None) -> str:
    """The words for a choice's value, e.g. ``under_review`` → "на рассмотрении"; ``package``:
    the one that defines the choice, whose catalogue says it first."""
    if english():
        return value
    return pgettext_of(package, "choice", value.replace("_", " "))


def column_label(key: str, package: str | None = None) -> str:
    """A table column's heading, e.g. ``full_name`` → "full name", "полное имя"; ``package``:
    the one whose command prints it (:func:`speaker`), whose catalogue says it first."""
    text = key.replace("_", " ")
    return text if english() else pgettext_of(package, "column", text)


def speaker() -> str | None:
    """The package of the command running (``reentry_microgrants``…), if any: its words
    come first in the tables it prints."""
    import click

    ctx = click.get_current_context(silent=True)
    callback = getattr(getattr(ctx, "command", None), "callback", None)
    module = getattr(callback, "__module__", None) or ""
    return module.split(".")[0] or None


def sheet_header(key: str) -> str:
    """A sheet's column heading: the key in English (``visited_on``, as always), the
    column's words in Russian and Tajik; an import reads any of them (:func:`header_words`)."""
    return key if english() else column_label(key)


def header_words(key: str) -> set[str]:
    """Every heading a sheet's column ``key`` may have: the key and its words in each
    language there is a catalogue for."""
    from .i18n import available_languages, translations

    text = key.replace("_", " ")
    return {key, text} | {translations(lang).pgettext("column", text) for lang in available_languages()}


def number(value: Decimal | int) -> str:
    """``1 000,50`` in Russian and Tajik (as many decimals as the value has); English plain."""
    if english():
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    from babel.numbers import format_decimal

    places = -value.as_tuple().exponent if isinstance(value, Decimal) and value.as_tuple().exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=language()).replace("\xa0", " ")


def date_text(value: date) -> str:
    """``04.12.2026`` in Russian and Tajik; ISO in English."""
    return value.isoformat() if english() else value.strftime("%d.%m.%Y")


def month_text(value: str) -> str:
    """A month ``2026-04`` as ``04.2026`` in Russian and Tajik; as it is in English."""
    found = _ISO_MONTH.match(value)
    return value if english() or not found else f"{found[2]}.{found[1]}"


def percent(share: Decimal | int, places: int = 1) -> str:
    """A share (``0.926``) as a percentage: ``92.6%``; ``92,6 %`` in Russian and Tajik."""
    value = (Decimal(share) * 100).quantize(Decimal(1).scaleb(-places))
    return f"{value}%" if english() else f"{number(value)} %"


def unit_label(unit: str) -> str:
    """The words for an indicator's unit (``people``, ``TJS per month``): units are codes,
    said in the reader's language (context ``unit``) where a person reads them."""
    return unit if english() or not unit else pgettext_of(None, "unit", unit)


def currency(code: str) -> str:
    """The reader's word for a currency (``TJS`` → "сомонӣ"); other codes as they are."""
    return code if english() or not code else pgettext_of(None, "currency", code)


def money(amount: Decimal | None, code: str = "") -> str:
    """An amount as messages write it: ``12,000.00 TJS``; ``12 000,00 сомонӣ``."""
    if amount is None:
        return "—"
    text = f"{amount:,.2f}" if english() else number(Decimal(amount).quantize(Decimal("0.01")))
    return f"{text} {currency(code)}" if code else text


def cell(value, choices: frozenset[str] = frozenset(), package: str | None = None) -> str:
    """A value as a person reads it in a table cell; ``choices``: the values to show as
    words (:func:`reentry_core.domain.choice_values`, looked up once per table)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (Decimal, int)):
        return number(value)
    if isinstance(value, datetime):
        return str(value)
    if isinstance(value, date):
        return date_text(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(cell(v, choices, package) for v in value)
    text = str(value)
    if not english():
        if text in choices:
            return choice_label(text, package)
        if _ISO_DAY.match(text):
            return date_text(date.fromisoformat(text))
        if _ISO_MONTH.match(text):
            return month_text(text)
    return text


def yes_no(value: bool) -> str:
    from .i18n import _

    return _("yes") if value else _("no")
