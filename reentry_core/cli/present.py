"""Presenters: what one kind of object looks like when a command prints it.

A :class:`Presenter` is a declaration, made once at module level, of the output columns
of one kind of object (a round, a plan, a participant) in their order. Called with an
object and the programme's converter it gives the dict that ``emit_rows``,
``emit_record`` and ``done`` print, so every command formats values the same way:

- a column is an attribute of the same name (``"code"``), or ``(name, source)`` where
  ``source`` is an attribute path (``"verification.reference"``; ``None`` on the way gives
  ``None``) or a callable taking the object, or ``(name, source, format)``;
- ``format`` is applied to a value that is not ``None`` (:func:`money`, :func:`percent`,
  :func:`joined` or any function of the value); ``None`` stays ``None`` (an empty cell,
  ``null`` in JSON);
- a value without a format goes through the programme's cattrs converter (dates → ISO,
  enums → their value, attrs objects → dicts, sets of choices → sorted lists; an
  attribute of an attrs object is converted as the type its class declares), except
  numbers (``int``, ``Decimal``, ``float``, ``bool``), which stay numbers: the output
  writes them plainly (never an exponent) and a CSV keeps them numbers, so a negative
  amount is not made text;
- :data:`ALL` (``"*"``) stands for every field of the object as the converter gives it,
  but those named before it and those in ``omit``; a column named after it that it
  already gave keeps its place and takes its own value (as ``dict.update`` does).

Only the standard library is imported here: plugins declare presenters when their CLI
module loads, on every ``reentry`` call.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Iterable, Union

#: Every attrs field of the object, in the class's order (see :class:`Presenter`).
ALL = "*"

Source = Union[str, Callable[[Any], Any]]
Column = Union[str, tuple]


def money(value: Decimal) -> str:
    """An amount with two decimals, as text: ``Decimal("75")`` → ``"75.00"``."""
    return f"{value:.2f}"


def percent(value: Any) -> str:
    """A share in percent, as text: ``80`` → ``"80%"``."""
    return f"{value}%"


def joined(values: Iterable[Any]) -> str:
    """Several values in one cell, sorted: ``{"tg", "ru"}`` → ``"ru, tg"``."""
    return ", ".join(sorted(str(getattr(v, "value", v)) for v in values))


_NUMBERS = (int, float, Decimal)


class Presenter:
    """The output columns of one kind of object; ``presenter(obj, converter)`` → a dict.

    >>> ROUND = Presenter("code", "title", "status", ("budget", "budget", money),
    ...                   ("members", lambda r: len(r.committee)))
    >>> ROUND_AS_STORED = Presenter(("round", "code"), ALL, omit=("code",))
    """

    ALL = ALL
    money = staticmethod(money)
    percent = staticmethod(percent)
    joined = staticmethod(joined)

    def __init__(self, *columns: Column, omit: Iterable[str] = ()):
        self.omit = frozenset(omit)
        self.columns: tuple[tuple[str, Source | None, Callable[[Any], Any] | None], ...] = tuple(
            _column(c) for c in columns)
        # the whole object is unstructured once when a column takes an attribute of it, so
        # each value is converted as its declared type (``frozenset[Choice]`` → a sorted list)
        self._whole = any(name == ALL or (isinstance(source, str) and "." not in source)
                          for name, source, _format in self.columns)
        names = [name for name, _source, _format in self.columns if name != ALL]
        if len(set(names)) != len(names):
            raise ValueError(f"a presenter names a column twice: {names}")

    @property
    def names(self) -> list[str]:
        """The columns named in the declaration, in order (:data:`ALL` left out)."""
        return [name for name, _source, _format in self.columns if name != ALL]

    def without(self, *names: str) -> "Presenter":
        """The same declaration without the columns ``names`` (e.g. fields a role may not read)."""
        kept = Presenter(omit=self.omit | set(names))
        kept.columns = tuple(c for c in self.columns if c[0] not in names)
        kept._whole = self._whole
        return kept

    def __call__(self, obj: Any, converter: Any = None) -> dict[str, Any]:
        """``obj`` as printed; ``converter``: the programme's (``state.converter``), else the core's."""
        if converter is None:
            from ..convert import converter
        data = converter.unstructure(obj) if self._whole and _is_attrs(obj) else {}
        record: dict[str, Any] = {}
        for name, source, form in self.columns:
            if name == ALL:
                for field, value in data.items():
                    if field not in record and field not in self.omit:
                        raw = getattr(obj, field, None)
                        record[field] = raw if isinstance(raw, _NUMBERS) else value
                continue
            value = _get(obj, source)
            if value is None:
                record[name] = None
            elif form is not None:
                record[name] = form(value)
            elif isinstance(value, _NUMBERS):
                record[name] = value
            elif isinstance(source, str) and source in data:  # unstructured as its declared type
                record[name] = data[source]
            else:
                record[name] = converter.unstructure(value)
        return record

    def rows(self, objects: Iterable[Any], converter: Any = None) -> list[dict[str, Any]]:
        """Each of ``objects`` as printed (for ``emit_rows``)."""
        return [self(obj, converter) for obj in objects]

    def __repr__(self) -> str:
        return f"Presenter({', '.join(name for name, _source, _format in self.columns)})"


def _column(spec: Column) -> tuple[str, Source | None, Callable[[Any], Any] | None]:
    if isinstance(spec, str):
        return spec, (None if spec == ALL else spec), None
    if isinstance(spec, tuple) and len(spec) in (2, 3) and isinstance(spec[0], str):
        name, source, *rest = spec
        if not (isinstance(source, str) or callable(source)):
            raise TypeError(f"column {name!r}: the source is an attribute path or a callable, not {source!r}")
        return name, source, rest[0] if rest else None
    raise TypeError(f"a column is a name, (name, source) or (name, source, format), not {spec!r}")


def _get(obj: Any, source: Source) -> Any:
    if callable(source):
        return source(obj)
    value = obj
    for part in source.split("."):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def _is_attrs(obj: Any) -> bool:
    import attrs

    return attrs.has(type(obj))


__all__ = ["ALL", "Presenter", "joined", "money", "percent"]
