"""cattrs is the one converter between the outside world and attrs objects.

CSV and XLSX cells, JSON documents, TOML files and command options all come in through
:func:`structure`; everything leaves through :func:`unstructure`. Conversion errors are
turned into one human line per field (``birth_date: '31.02.1990' is not a date ...``).
Plugins add hooks for their own types through ``register_converter_hooks``.
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
    """Money and quantities: never through float. ``1 200,50`` and ``1200.50`` both work."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise InvalidInput(_("{value!r} is not a number").format(value=value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(_("{value!r} is not a number").format(value=str(value))) from None
    if not number.is_finite():
        raise InvalidInput(_("{value!r} is not a number").format(value=str(value)))
    return number


def parse_money(value: Any, *, allow_zero: bool = False) -> Decimal:
    """An amount of money: a number with at most two decimals, above zero (or zero when
    ``allow_zero``). Raises :class:`InvalidInput` saying which rule the value breaks."""
    amount = parse_decimal(value)
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(_("{value} has more than two decimals").format(value=str(value).strip()))
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidInput(_("{value} must be more than zero").format(value=str(value).strip()) if not allow_zero
                           else _("{value} is negative").format(value=str(value).strip()))
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


def structure(data: Any, cls: type[T], where: str = "") -> T:
    """Build ``cls`` from plain data or raise :class:`InvalidInput` naming each bad field.

    ``where`` is put in front of the message, e.g. ``row 7`` for a file import.
    """
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError) as exc:
        problems = field_problems(exc)
    except (InvalidInput, ForbiddenExtraKeysError, ValueError, TypeError) as exc:
        problems = field_problems(exc)
    lead = f"{where}: " if where else ""
    raise InvalidInput(lead + "; ".join(problems))


def unstructure(obj: Any) -> Any:
    return converter.unstructure(obj)
