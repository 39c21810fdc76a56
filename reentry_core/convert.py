"""cattrs is the one converter between the outside world and attrs objects.

CSV and XLSX cells, JSON documents, TOML files and command options all come in through
:func:`structure`; everything leaves through :func:`unstructure`. Conversion errors are
turned into one human line per field (``birth_date: '31.02.1990' is not a date ...``).
Plugins add hooks for their own types through ``register_converter_hooks``: each
programme makes its own converter (``make_converter``) and only its plugins teach it
(``Programme.converter``, ``programme.structure``, ``ctx.structure``, ``tx.structure``).
The module's :data:`converter` knows the core's types alone and nobody adds hooks to it, so
what one programme's plugins registered never leaks into another programme of the process.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from .domain import Choice
from .errors import InvalidInput
from .i18n import _

T = TypeVar("T")

_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")

def parse_date(value: Any) -> date:
    """Accept ``YYYY-MM-DD`` (ISO) or ``DD.MM.YYYY`` (as written in Tajikistan), or a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    m = _DMY.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise InvalidInput(_("{value!r} is not a date; write YYYY-MM-DD or DD.MM.YYYY").format(value=text))


def parse_decimal(value: Any) -> Decimal:
    """A number typed by a person, exact (never through float).

    Text may group thousands with spaces, commas or dots and use a decimal comma or
    point: ``1000``, ``3,5``, ``1 000,50``, ``1,000.50``, ``1.000,50``. ``1,000`` and
    ``1.000`` are refused as ambiguous (a thousand, or one?), as are exponents (``1e6``),
    ``NaN`` and infinities; each refusal is one line naming the rule."""
    if isinstance(value, bool):
        raise InvalidInput(_("{value!r} is not a number").format(value=value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput(_("{value!r} is not a number").format(value=str(value)))
        return value
    return Decimal(_number_text(str(value)))


#: The largest amount reentry takes (a round's budget, a grant, a tranche, a price): one
#: billion. Far above any microgrant programme's money, and low enough that no sum of
#: amounts in a report can overflow the database's 64-bit integers (which hold 9.2e16).
MAX_AMOUNT = Decimal("1000000000.00")

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_EXPONENT = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)[eE][+-]?\d+")
_NUMBER_CHARS = re.compile(r"[+-]?[\d ,.]+")
_GROUPS = re.compile(r"\d{1,3}(?:[ ]\d{3})*|\d+")


def _one_line(value: Any) -> str:
    """A value as an error message may quote it: on one line, not too long."""
    text = " ".join(str(value).split())
    return text if len(text) <= 40 else text[:39] + "…"


def _number_text(raw: str) -> str:
    """``raw`` as a plain number (``1234.50``) by the rules of :func:`parse_decimal`."""
    text = _SPACES.sub(" ", raw.strip())
    shown = _one_line(raw)
    if not text:
        raise InvalidInput(_("a number is missing"))
    if _EXPONENT.fullmatch(text):
        raise InvalidInput(_("{value} is not a number: write all its digits, not an exponent").format(value=shown))
    if not _NUMBER_CHARS.fullmatch(text) or not any(ch.isdigit() for ch in text):
        raise InvalidInput(_("{value!r} is not a number").format(value=shown))
    sign = text[0] if text[0] in "+-" else ""
    text = text.lstrip("+-").strip()
    commas, dots = text.count(","), text.count(".")
    if commas and dots:  # the last one is the decimal point, the other groups thousands
        point = "," if text.rfind(",") > text.rfind(".") else "."
        group = "." if point == "," else ","
    elif commas + dots == 1:
        point, group = ("," if commas else "."), None
        whole, decimals = text.split(point)
        if len(decimals) == 3 and decimals.isdigit() and whole.strip(" 0") and _GROUPS.fullmatch(whole.strip()):
            one, thousand = f"{whole.replace(' ', '')}.{decimals}", f"{whole.replace(' ', '')}{decimals}"
            raise InvalidInput(_("{value} is ambiguous (is it {thousand} or {one}?): write {thousand} or "
                                 "{one_rounded}").format(value=shown, thousand=thousand, one=one,
                                                         one_rounded=f"{Decimal(one):.2f}"))
    else:  # several of one kind group thousands: 1,000,000
        point, group = None, ("," if commas else "." if dots else None)
    if point and text.count(point) > 1:
        raise InvalidInput(_("{value} is not a number: {point!r} appears twice").format(value=shown, point=point))
    whole, _sep, decimals = text.partition(point) if point else (text, "", "")
    if group:
        parts = whole.split(group)
        if not (1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:]) and all(p.isdigit() for p in parts)):
            raise InvalidInput(_("{value} is not a number: digits are grouped by three (1,000,000)").format(
                value=shown))
        whole = "".join(parts)
    whole = whole or "0"  # ",50"
    if not _GROUPS.fullmatch(whole) or (point and not decimals.isdigit()):
        raise InvalidInput(_("{value!r} is not a number").format(value=shown))
    return f"{sign}{whole.replace(' ', '')}" + (f".{decimals}" if decimals else "")


def parse_money(value: Any, *, allow_zero: bool = False) -> Decimal:
    """An amount of money, exact, with at most two decimals, above zero (or zero when
    ``allow_zero``) and at most :data:`MAX_AMOUNT`, written as :func:`parse_decimal`
    reads numbers (``1 000,50``; ``1,000`` refused as ambiguous). Raises :class:`InvalidInput` saying which rule the value breaks."""
    shown = _one_line(value)
    amount = parse_decimal(value)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidInput(_("{value} must be more than zero").format(value=shown) if not allow_zero
                           else _("{value} is negative").format(value=shown))
    if amount > MAX_AMOUNT:
        raise InvalidInput(_("{value} is more than the largest amount reentry takes ({max})").format(
            value=shown, max=f"{MAX_AMOUNT:,.2f}".replace(",", " ")))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(_("{value} has more than two decimals").format(value=shown))
    return amount.quantize(Decimal("0.01"))


def as_money(*, allow_zero: bool = False, optional: bool = False):
    """An attrs converter for an amount (see :func:`parse_money`) whose complaint names the
    field; ``optional`` lets a blank stay ``None``."""
    import attrs

    def convert(value, field):
        if value is None or (isinstance(value, str) and not value.strip()):
            if optional:
                return None
            raise InvalidInput(_("{field} is missing").format(field=field.name))
        try:
            return parse_money(value, allow_zero=allow_zero)
        except InvalidInput as exc:
            raise InvalidInput(f"{field.name}: {exc.message}") from None

    return attrs.Converter(convert, takes_field=True)


def parse_choice(value: Any, cls: type[Choice]) -> Choice:
    return cls.parse(value)


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "да", "ҳа"}:
        return True
    if text in {"0", "false", "no", "n", "нет", "не"}:
        return False
    raise InvalidInput(_("{value!r} is not yes or no").format(value=str(value)))


def _parse_str(value: Any) -> str:
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise InvalidInput(_("{value!r} is not text").format(value=value))


def _parse_choice_set(value: Any, cls: type) -> frozenset:
    member = cls.__args__[0]
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    return frozenset(parse_choice(v, member) for v in value)


def _is_choice(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Choice)


def _is_choice_set(t: Any) -> bool:
    origin = getattr(t, "__origin__", None)
    return origin in (frozenset, set) and _is_choice(t.__args__[0])


def make_converter() -> cattrs.Converter:
    """A private converter (never cattrs' global one) with the core's hooks."""
    conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
    conv.register_structure_hook(date, lambda v, _t: parse_date(v))
    conv.register_structure_hook(datetime, lambda v, _t: _parse_datetime(v))
    conv.register_structure_hook(Decimal, lambda v, _t: parse_decimal(v))
    conv.register_structure_hook(bool, lambda v, _t: _parse_bool(v))
    conv.register_structure_hook(str, lambda v, _t: _parse_str(v))
    # a class hook, not a predicate: class hooks win over predicate hooks in cattrs, and the
    # ``str`` hook above would otherwise take every Choice (they subclass str) unparsed
    conv.register_structure_hook(Choice, parse_choice)
    conv.register_structure_hook_func(_is_choice_set, _parse_choice_set)
    conv.register_unstructure_hook(date, lambda d: None if d is None else d.isoformat())  # None: hidden
    conv.register_unstructure_hook(datetime, lambda d: d.isoformat())
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook_func(lambda t: isinstance(t, type) and issubclass(t, enum.Enum), lambda e: e.value)
    conv.register_unstructure_hook_func(
        lambda t: getattr(t, "__origin__", None) in (frozenset, set),
        lambda s: sorted(str(x.value if isinstance(x, enum.Enum) else x) for x in s),
    )
    return conv


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(_("{value!r} is not a date and time").format(value=str(value))) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


converter = make_converter()
"""The core's types only (dates, money, choices …): what :func:`structure` uses when no
programme's converter is given. Never registered on: a programme has its own."""


def field_problems(exc: BaseException, prefix: str = "") -> list[str]:
    """Flatten a cattrs error tree into ``field: reason`` lines."""
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        lines: list[str] = []
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            name = getattr(note, "name", getattr(note, "index", ""))
            path = f"{prefix}.{name}" if prefix else str(name)
            lines.extend(field_problems(sub, path))
        for sub in without:
            lines.extend(field_problems(sub, prefix))
        return lines
    if isinstance(exc, ForbiddenExtraKeysError):
        return [_("unknown field(s): {names}").format(names=", ".join(sorted(exc.extra_fields)))]
    if isinstance(exc, KeyError):
        return [_("{field}: missing").format(field=prefix or str(exc))]
    if isinstance(exc, TypeError) and "missing" in str(exc) and "required" in str(exc):
        return [_("{field}: missing").format(field=prefix) if prefix else str(exc)]
    message = exc.message if isinstance(exc, InvalidInput) else str(exc)
    if isinstance(exc, ValueError) and "is not a valid" in message:
        message = _("not an accepted value")
    return [f"{prefix}: {message}" if prefix and not message.startswith(prefix) else message]


def structure(data: Any, cls: type[T], where: str = "", *, using: cattrs.Converter | None = None) -> T:
    """Build ``cls`` from plain data or raise :class:`InvalidInput` naming each bad field.

    ``where`` is put in front of the message, e.g. ``row 7`` for a file import. ``using``:
    a programme's converter (with its plugins' hooks); the core's own by default.
    """
    try:
        return (using or converter).structure(data, cls)
    except (ClassValidationError, IterableValidationError) as exc:
        problems = field_problems(exc)
    except (InvalidInput, ForbiddenExtraKeysError, ValueError, TypeError) as exc:
        problems = field_problems(exc)
    lead = f"{where}: " if where else ""
    raise InvalidInput(lead + "; ".join(problems))


def unstructure(obj: Any, *, using: cattrs.Converter | None = None) -> Any:
    return (using or converter).unstructure(obj)
