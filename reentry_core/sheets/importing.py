"""One shape for every import of a sheet: :class:`SheetImport`.

An importer declares its :class:`Column` s (name, header words in English, Russian or
Tajik, a parser, required or not) and its own rules (``check``), and writes checked rows
(``write``). The shape does the rest, the same way for every sheet: the file is read by the
one reader (:func:`reentry_core.sheets.open_sheet`), the header matched, every row parsed
and checked, each problem one line ``row N, column: reason``, two rows with the same
identity refused naming both, all or nothing (every bad row is listed and nothing is
kept), checked rows handed to ``write`` in batches, and one audit event per batch.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable, ClassVar, Hashable, Iterable, Sequence

import attrs

from ..convert import parse_date, parse_decimal, parse_money
from ..errors import InvalidInput, RowErrors
from ..i18n import _
from ..words import header_words
from .reading import Sheet, normal_header

#: At most this many problem lines are kept; the counts are always exact.
MAX_LINES = 1000


# --- parsers: text → value, or InvalidInput with the reason ---------------------------------


def text(value: str) -> str:
    return value


def code(value: str) -> str:
    """A code (``DSH-2026-0001``, ``R2026-001``): upper case, no spaces."""
    return "".join(value.split()).upper()


def integer(value: str) -> int:
    try:
        return int(value.replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        raise InvalidInput(_("{value!r} is not a whole number").format(value=value)) from None


def money(value: str) -> Decimal:
    """An amount above zero with at most two decimals (``convert.parse_money``)."""
    return parse_money(value)


def decimal(value: str) -> Decimal:
    return parse_decimal(value)


def a_date(value: str) -> date:
    """ISO (``2026-11-23``) or ``23.11.2026``."""
    if len(value) == 10 and value[4] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return parse_date(value)


def choice(kind) -> Callable[[str], Any]:
    """A parser for one of an enum's values (the domain's choices have ``parse``)."""
    cache: dict[str, Any] = {}

    def parse(value: str):
        try:
            return cache[value]
        except KeyError:
            found = kind.parse(value) if hasattr(kind, "parse") else kind(value.strip().lower())
            if len(cache) < 256:
                cache[value] = found
            return found
    return parse


@attrs.frozen
class Column:
    """A column of a sheet: ``name`` (the field), the ``parse`` of its text, whether a row
    must fill it, other header words that mean it, and ``info`` for a column that is there
    for the people filling the sheet in (read, never used)."""

    name: str
    parse: Callable[[str], Any] = text
    required: bool = False
    aliases: tuple[str, ...] = ()
    info: bool = False


class RowProblem(InvalidInput):
    """Raised by ``check``: a problem with one column of the row."""

    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column


@attrs.define
class Row:
    """A row of the sheet: its number and its parsed values (a missing cell is absent)."""

    n: int
    values: dict[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


#: What ``check`` returns for a row the database already holds as the sheet says: a file
#: entered twice changes nothing the second time, and the importer can say so.
UNCHANGED = object()


@attrs.frozen
class SheetResult:
    """What a run did: rows read, items written in how many batches, rows that were already
    recorded as the sheet says (``unchanged``) and pre-printed rows nobody filled in
    (``skipped``)."""

    file: str
    rows: int
    written: int
    batches: int
    unchanged: int = 0
    skipped: int = 0


class SheetImport:
    """Subclass it: set ``columns`` (and ``action``/``entity`` for the audit), override
    ``check`` for the rules no column knows and ``write`` to store a batch; ``identity``
    says which rows are the same thing. Build it with the transaction and the file's name,
    then ``run(sheet)``."""

    columns: ClassVar[Sequence[Column]] = ()
    #: the audit action of the batch events (``None``: ``write`` audits by itself)
    action: ClassVar[str | None] = None
    entity: ClassVar[str] = "record"
    batch_size: ClassVar[int] = 1000
    #: check and write as rows come (memory stays flat), or read every row first and call
    #: ``prepare`` with them all (a few queries for the whole file)
    streaming: ClassVar[bool] = False
    #: the end of the refusal, what was not done (default "nothing was imported")
    nothing_done: ClassVar[str | None] = None
    #: the columns a person fills in on a pre-printed sheet: a row with none of them filled
    #: was not done (a visit not made, a payment not made) and is skipped, the same way in
    #: every sheet; empty: every row with something in it counts
    filled_by: ClassVar[Sequence[str]] = ()

    def __init__(self, tx, name: str):
        self.tx = tx
        self.name = name
        self.problems: list[str] = []
        self.problem_count = 0
        self.bad_rows = 0
        self.rows = 0
        self.written = 0
        self.batches = 0
        self.unchanged = 0
        self.skipped = 0
        self._batch: list = []
        self._seen: dict[Hashable, int] = {}

    # what an importer overrides -----------------------------------------------------------
    def prepare(self, rows: list[Row]) -> None:
        """Look up what the file's rows need, in a few queries (not called when streaming)."""

    def identity(self, row: Row) -> Hashable | None:
        """What makes two rows the same thing (e.g. an application and a tranche); ``None``:
        no such rule. Two rows of one file with the same identity are refused."""
        return None

    def check(self, row: Row) -> Any:
        """The importer's own rules: the item to write, ``None`` to skip the row,
        :data:`UNCHANGED` for a row already recorded as it says; raise :class:`RowProblem`
        (a column) or ``InvalidInput`` (the row) to refuse it."""
        return row

    def write(self, batch: list) -> dict[str, Any] | None:
        """Store a batch of checked items; returns the audit records ``{key: state}``."""
        raise NotImplementedError

    # the header ---------------------------------------------------------------------------
    @classmethod
    def fields(cls, sheet: Sheet) -> list[str | None]:
        """Each column's field (``None``: no header), or one
        ``InvalidInput`` naming the repeated, unknown and missing columns."""
        names: dict[str, Column] = {}
        for column in cls.columns:
            for word in (*header_words(column.name), *column.aliases):  # a heading in any language
                names[normal_header(word)] = column
        accepted = [c.name for c in cls.columns]
        found: list[str | None] = []
        seen: set[str] = set()
        twice: list[str] = []
        unknown: list[str] = []
        for header in sheet.header:
            column = names.get(header)
            if not header:
                found.append(None)
                continue
            if column is None:
                unknown.append(header)
                found.append(None)
                continue
            if column.name in seen and column.name not in twice:
                twice.append(column.name)
            seen.add(column.name)
            found.append(column.name)
        file = sheet.name
        if not seen and not unknown:
            raise InvalidInput(_("{file}: the first row must name the columns ({columns})").format(
                file=file, columns=", ".join(accepted)))
        lines = []
        if twice:
            lines.append(_("{file}: column(s) {names} appear more than once in the header").format(
                file=file, names=", ".join(twice)))
        if unknown:
            lines.append(_("{file}: unknown column(s) {names}; accepted columns: {accepted}").format(
                file=file, names=", ".join(unknown), accepted=", ".join(accepted)))
        missing = [c.name for c in cls.columns if c.required and c.name not in seen]
        if missing:
            lines.append(_("{file}: missing required column(s) {names}").format(file=file, names=", ".join(missing)))
        if lines:
            raise InvalidInput("\n".join(lines))
        return found

    # the run ------------------------------------------------------------------------------
    def problem(self, line: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LINES:
            self.problems.append(line)

    def parse(self, n: int, data: dict[str, str], extra: str | None) -> Row | None:
        """The row's values parsed by their columns, or ``None`` after noting each problem."""
        values: dict[str, Any] = {}
        bad = []
        if extra is not None:
            bad.append(_("row {n}: {reason}").format(n=n, reason=extra))
        for column in self._columns:
            raw = data.get(column.name)
            if raw is None:
                if column.required:
                    bad.append(_("row {n}, {column}: missing").format(n=n, column=column.name))
                continue
            try:
                values[column.name] = column.parse(raw)
            except (InvalidInput, ValueError) as exc:
                reason = exc.message if isinstance(exc, InvalidInput) else str(exc)
                bad.append(_("row {n}, {column}: {reason}").format(n=n, column=column.name, reason=reason))
        if bad:
            self.bad_rows += 1
            for line in bad:
                self.problem(line)
            return None
        return Row(n, values)

    def take(self, row: Row) -> None:
        """Check one parsed row and queue it for writing."""
        key = self.identity(row)
        if key is not None:
            earlier = self._seen.get(key)
            if earlier is not None:
                self.bad_rows += 1
                self.problem(_("row {n}: the same as row {m} ({key}); give each once").format(
                    n=row.n, m=earlier, key=_key_text(key)))
                return
            self._seen[key] = row.n
        try:
            item = self.check(row)
        except RowProblem as exc:
            self.bad_rows += 1
            self.problem(_("row {n}, {column}: {reason}").format(n=row.n, column=exc.column, reason=exc.template))
            return
        except InvalidInput as exc:
            self.bad_rows += 1
            self.problem(_("row {n}: {reason}").format(n=row.n, reason=exc.template))
            return
        if item is UNCHANGED:
            self.unchanged += 1
            return
        if item is None or self.problem_count:  # after a bad row nothing is written: only check the rest
            return
        self._batch.append(item)
        if len(self._batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        batch, self._batch = self._batch, []
        if not batch or self.problem_count:
            return
        records = self.write(batch)
        if records and self.action:
            self.tx.audit_batch(self.action, self.entity, records, file=self.name)
        self.tx.flush_audit()  # chained into the same transaction now, so memory stays flat
        self.written += len(batch)
        self.batches += 1

    def run(self, sheet: Sheet, progress: Callable[[int, int, int], Any] | None = None,
            fields: list[str | None] | None = None) -> SheetResult:
        """Read, check and write the whole sheet; raises :class:`RowErrors` listing every
        problem when any row is bad (the caller's transaction then keeps nothing)."""
        if fields is None:
            fields = self.fields(sheet)
        used = set(fields)
        self._columns = [c for c in self.columns if not c.info and (c.name in used or c.required)]
        filled_by = self.filled_by
        parsed: list[Row] = []
        for n, data, extra in sheet.records(fields):
            self.rows += 1
            if filled_by and extra is None and not any(name in data for name in filled_by):
                self.skipped += 1
                continue
            row = self.parse(n, data, extra)
            if row is not None:
                if self.streaming:
                    self.take(row)
                else:
                    parsed.append(row)
            if progress is not None and not self.rows % self.batch_size:
                progress(self.rows, sheet.bytes_done(), sheet.bytes_total)
        if not self.streaming:
            self.prepare(parsed)
            for row in parsed:
                self.take(row)
        self.flush()
        if progress is not None:
            progress(self.rows, sheet.bytes_total, sheet.bytes_total)
        self.finish()
        return SheetResult(self.name, self.rows, self.written, self.batches, self.unchanged, self.skipped)

    def finish(self) -> None:
        """Raise what the run found: every problem, or a file without rows."""
        if self.problem_count:
            lines = list(self.problems)
            if self.problem_count > len(lines):
                lines.append(_("… and {n} more problems").format(n=self.problem_count - len(lines)))
            raise RowErrors(_("{file}: {bad} of {rows} rows are invalid; {nothing}").format(
                file=self.name, bad=self.bad_rows, rows=self.rows, nothing=self.nothing_done or _("nothing was imported")), lines)
        if self.rows == self.skipped:
            if self.skipped:
                raise InvalidInput(_("{file}: none of its {rows} rows is filled in ({columns}); nothing was imported").format(
                    file=self.name, rows=self.rows, columns=", ".join(self.filled_by)))
            raise InvalidInput(_("{file} has no rows to import").format(file=self.name))


def _key_text(key: Hashable) -> str:
    if isinstance(key, tuple):
        return ", ".join(str(k) for k in key)
    return str(key)


def import_sheet(ctx, importer: type[SheetImport], path, *, encoding: str | None = None,
                 permission: str | None = None, progress=None, **options) -> SheetResult:
    """Open ``path``, check its header, then run ``importer`` in one transaction of ``ctx``
    (``options`` go to the importer's constructor)."""
    from .reading import open_sheet

    if permission:
        ctx.require(permission)
    with open_sheet(path, encoding=encoding) as sheet:
        fields = importer.fields(sheet)
        with ctx.transaction() as tx:
            if permission:
                tx.require(permission)
            return importer(tx, sheet.name, **options).run(sheet, progress, fields)


def columns_of(names: Iterable[str], required: Iterable[str] = ()) -> tuple[Column, ...]:
    """Text columns by name (``required`` ones must be filled): the plain case."""
    required = set(required)
    return tuple(Column(name, required=name in required) for name in names)
