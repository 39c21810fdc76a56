"""Participants in files: import from CSV / XLSX, export to CSV / XLSX / JSON.

Import is all or nothing: every row is checked, every bad row is reported (one line
each, numbered as a spreadsheet shows them), and only a file without a bad row is
written, in one transaction. A row naming somebody already registered (same centre,
name and birth date), or somebody on an earlier row of the same file, is skipped and
reported, not refused: re-importing a corrected file must be safe.

The file is streamed and handled in batches, so memory stays flat however long the
file is; the per-row work is kept lean because imports of tens of thousands of rows
are benchmarked (``benchmarks/import_participants.py``).

Export streams rows from the database into a temporary file beside the target and
renames it at the end, so a failed export never leaves half a file. A pseudonymised
export replaces identity by a stable keyed hash (HMAC-SHA256 with a secret kept in the
database's ``setting`` table), so the same person gets the same pseudonym in every
export from one database, while nobody without the secret can link it to a code.
"""

from __future__ import annotations

import abc
import codecs
import csv
import hashlib
import hmac
import io
import json
import re
import secrets
from array import array
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import attrs
import sqlalchemy as sa

from ..convert import parse_date, structure, unstructure
from ..domain import SENSITIVE_FIELDS, ConsentScope, OffenceCategory, Participant, Sex, age_band, age_on
from ..errors import InvalidInput, NotFound, RowErrors
from ..files import written_whole
from ..i18n import _
from ..storage import tables as t
from ..storage.bulk import BulkInsert
from .participants import TwinLookup, name_key, reserve_codes, to_row

_P = t.participant

#: Columns of an import file. The header is matched after strip, lower-case, spaces → ``_``.
REQUIRED_COLUMNS = ("full_name", "sex", "birth_date", "centre")
OPTIONAL_COLUMNS = (
    "phone", "release_date", "facility", "offence_category", "registered_on", "consent_given_on", "consent_scope",
)
ACCEPTED_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_DATE_COLUMNS = frozenset({"birth_date", "release_date", "registered_on", "consent_given_on"})
_CONSENT_COLUMNS = ("consent_given_on", "consent_scope")
DEFAULT_IMPORT_SCOPE = "programme,referrals"

IMPORT_KINDS = (".csv", ".xlsx")
EXPORT_FORMATS = ("csv", "xlsx", "json")

BATCH_SIZE = 1000
#: At most this many problem (and duplicate) lines are kept; the counts are always exact.
MAX_LINES = 1000
_CHUNK = 1 << 20  # bytes read at a time when checking a file's encoding


# --- the report ------------------------------------------------------------------------


@attrs.frozen
class ImportReport:
    """What an import did (or, with ``dry_run``, would do).

    Codes are handed out in file order, so ``first_code`` .. ``last_code`` span the
    import (per centre and year the numbers are consecutive). ``duplicates`` holds at
    most the first 1000 lines; ``duplicate_count`` is exact.
    """

    file: str
    rows: int
    imported: int
    duplicates: list[str]
    duplicate_count: int
    first_code: str | None
    last_code: str | None
    dry_run: bool
    by_centre: dict[str, int] = attrs.field(factory=dict)


class _RollBack(Exception):
    """Raised inside the transaction of a dry run, so nothing it wrote is kept."""

    def __init__(self, report: ImportReport):
        super().__init__("dry run")
        self.report = report


# --- reading files -----------------------------------------------------------------------


def _normal_header(cell: Any) -> str:
    text = "" if cell is None else str(cell)
    return "_".join(text.replace("\ufeff", "").strip().lower().replace("-", " ").split())


def _header_fields(name: str, cells) -> list[str | None]:
    """The field of each column (``None`` for a column without a header), or the errors."""
    fields: list[str | None] = []
    seen: set[str] = set()
    twice: list[str] = []
    unknown: list[str] = []
    for cell in cells:
        field = _normal_header(cell)
        if not field:
            fields.append(None)
            continue
        if field in seen:
            if field not in twice:
                twice.append(field)
        elif field not in ACCEPTED_COLUMNS:
            unknown.append(field)
        seen.add(field)
        fields.append(field)
    if not seen:
        raise InvalidInput(_("{file}: the first row must name the columns ({columns})").format(
            file=name, columns=", ".join(ACCEPTED_COLUMNS)))
    lines = []
    if twice:
        lines.append(_("{file}: column(s) {names} appear more than once in the header").format(
            file=name, names=", ".join(twice)))
    if unknown:
        lines.append(_("{file}: unknown column(s) {names}; accepted columns: {accepted}").format(
            file=name, names=", ".join(unknown), accepted=", ".join(ACCEPTED_COLUMNS)))
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        lines.append(_("{file}: missing required column(s) {names}").format(file=name, names=", ".join(missing)))
    if lines:
        raise InvalidInput("\n".join(lines))
    return fields


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _extra_problem(fields: list, cells) -> str | None:
    """A value in a column without a header (or past the header's end), if there is one."""
    for i, cell in enumerate(cells):
        if (i >= len(fields) or fields[i] is None) and cell is not None and str(cell).strip():
            return _("column {col} has a value but no header").format(col=_column_letter(i))
    return None


class _Source(abc.ABC):
    """An open import file (CSV or XLSX): its columns, its rows, and how far reading has got."""

    name: str
    fields: list[str | None]
    bytes_total: int

    @abc.abstractmethod
    def rows(self) -> Iterator[tuple[int, dict[str, Any], str | None]]:
        """``(row number, {field: value} without empty cells, problem or None)`` per non-empty row."""

    @abc.abstractmethod
    def bytes_done(self) -> int:
        """How much of the file has been read, for the progress bar."""

    def close(self) -> None:
        """Release the file; sources holding nothing open need not override it."""


def _text_codec(name: str, encoding: str | None) -> str:
    if not encoding:
        return "utf-8-sig"
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput(_("unknown encoding {encoding!r} (e.g. utf-8, cp1251)").format(encoding=encoding)) from None
    if not getattr(info, "_is_text_encoding", True):
        raise InvalidInput(_("{encoding!r} is not a text encoding (e.g. utf-8, cp1251)").format(encoding=encoding))
    return "utf-8-sig" if info.name == "utf-8" else info.name


def _looks_cp1251(sample: bytes) -> bool:
    """Mostly Cyrillic letters when read as Windows-1251, and not UTF-8 with a bad byte or two."""
    high = sum(1 for b in sample if b > 127)
    if not high:
        return False
    broken = sample.decode("utf-8", errors="replace").count("\ufffd")
    if broken * 3 < high:  # most non-ASCII bytes form valid UTF-8: a damaged UTF-8 file
        return False
    text = sample.decode("cp1251", errors="replace")
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    # Cyrillic words are runs of non-ASCII bytes; accented Latin letters (é, ñ) stand alone
    in_words = sum(len(run) for run in re.findall(rb"[\x80-\xff]{3,}", sample))
    return cyrillic >= 0.7 * high and in_words >= 0.5 * high


def _check_decodes(path: Path, name: str, codec: str, explicit: bool) -> None:
    """Decode the whole file once, in chunks (memory stays flat), naming the first bad byte."""
    with open(path, "rb") as f:
        head = f.read(4)
        if not explicit and (head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE)):
            raise InvalidInput(_("{file} is UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8' "
                                 "or pass --encoding utf-16").format(file=name))
        start = len(codecs.BOM_UTF8) if codec == "utf-8-sig" and head.startswith(codecs.BOM_UTF8) else 0
        f.seek(start)
        decoder = codecs.getincrementaldecoder("utf-8" if codec == "utf-8-sig" else codec)("strict")
        offset, newlines = start, 0
        while True:
            chunk = f.read(_CHUNK)
            state = decoder.getstate()
            pending = state[0] if state and isinstance(state[0], (bytes, bytearray)) else b""
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = bytes(pending) + chunk
                bad_at = offset - len(pending) + exc.start
                line = newlines + data[:exc.start].count(b"\n") + 1
                bad = data[exc.start:exc.start + 1]
                if not explicit:
                    f.seek(0)
                    if _looks_cp1251(f.read(256 * 1024)):
                        raise InvalidInput(_("{file} is not UTF-8: it looks like Windows-1251 (cp1251); "
                                             "save it as UTF-8 or pass --encoding cp1251").format(file=name)) from None
                message = _(
                    "{file} is not valid {encoding}: byte {byte} at offset {offset} (line {line}) cannot be "
                    "decoded; check the file's encoding and pass it with --encoding"
                ) if explicit else _(
                    "{file} is not valid {encoding}: byte {byte} at offset {offset} (line {line}) cannot be "
                    "decoded; save the file as UTF-8 or pass --encoding"
                )
                raise InvalidInput(message.format(
                    file=name, encoding="UTF-8" if codec == "utf-8-sig" else codec,
                    byte=f"0x{bad.hex()}" if bad else "?", offset=bad_at, line=line)) from None
            if not chunk:
                return
            offset += len(chunk)
            newlines += chunk.count(b"\n")


def _sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _CsvSource(_Source):
    def __init__(self, path: Path, name: str, encoding: str | None):
        codec = _text_codec(name, encoding)
        _check_decodes(path, name, codec, explicit=bool(encoding))
        self.name = name
        self.bytes_total = path.stat().st_size
        self._raw = open(path, "rb")
        self._text = io.TextIOWrapper(self._raw, encoding=codec, newline="")
        first = self._text.readline()
        self._first_row = 2
        while first and not first.strip():  # blank lines before the header
            first = self._text.readline()
            self._first_row += 1
        if not first.strip():
            self.close()
            raise InvalidInput(_("{file} is empty").format(file=name))
        delimiter = _sniff_delimiter(first)
        self._reader = csv.reader(self._chain(first), delimiter=delimiter)
        try:
            header = next(self._reader)
            self.fields = _header_fields(name, header)
        except BaseException:
            self.close()
            raise

    def _chain(self, first: str) -> Iterator[str]:
        yield first
        yield from self._text

    def rows(self):
        fields = self.fields
        ncols = len(fields)
        simple = None not in fields
        reader = self._reader
        n = self._first_row - 1
        try:
            for n, cells in enumerate(reader, self._first_row):
                if simple and len(cells) <= ncols:
                    data = {f: s for f, v in zip(fields, cells) if (s := v.strip())}
                    if data:
                        yield n, data, None
                    continue
                data = {f: s for f, v in zip(fields, cells) if f is not None and (s := v.strip())}
                problem = _extra_problem(fields, cells)
                if data or problem:
                    yield n, data, problem
        except csv.Error as exc:
            raise InvalidInput(_("{file}: row {n} cannot be read as CSV: {reason}").format(
                file=self.name, n=n + 1, reason=str(exc))) from None

    def bytes_done(self) -> int:
        try:
            return min(self._raw.tell(), self.bytes_total)
        except (OSError, ValueError):
            return self.bytes_total

    def close(self) -> None:
        self._text.close()


def _xlsx_cell(value: Any, is_date: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value if is_date else value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip() or None


class _XlsxSource(_Source):
    def __init__(self, path: Path, name: str):
        from openpyxl import load_workbook

        self.name = name
        self.bytes_total = path.stat().st_size
        try:
            self._book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # zipfile / XML errors of a damaged or mis-named file
            raise InvalidInput(_("{file} is not a readable .xlsx workbook: {reason}").format(
                file=name, reason=str(exc) or type(exc).__name__)) from None
        try:
            if not self._book.worksheets:
                raise InvalidInput(_("{file} is empty").format(file=name))
            sheet = self._book.worksheets[0]
            self._max_row = sheet.max_row or 0
            self._rows = enumerate(sheet.iter_rows(values_only=True), 1)
            self._done = 0
            for n, cells in self._rows:
                self._done = n
                if any(c is not None and str(c).strip() for c in cells):
                    self.fields = _header_fields(name, cells)
                    break
            else:
                raise InvalidInput(_("{file} is empty").format(file=name))
        except BaseException:
            self.close()
            raise

    def rows(self):
        fields = self.fields
        kinds = [(f, f in _DATE_COLUMNS) for f in fields]
        cell = _xlsx_cell
        width = len(fields)
        gaps = None in fields
        for n, cells in self._rows:
            self._done = n
            data = {}
            problem = None
            for (field, is_date), value in zip(kinds, cells):
                if field is not None and value is not None:
                    value = cell(value, is_date)
                    if value is not None:
                        data[field] = value
            if gaps or len(cells) > width:
                problem = _extra_problem(fields, cells)
            if data or problem:
                yield n, data, problem

    def bytes_done(self) -> int:
        if not self._max_row:
            return 0
        return min(self.bytes_total, self.bytes_total * self._done // self._max_row)

    def close(self) -> None:
        self._book.close()


def _open_source(path: Path, name: str, encoding: str | None) -> _Source:
    kind = path.suffix.lower()
    if kind not in IMPORT_KINDS:
        raise InvalidInput(_("{file}: cannot import this kind of file; give a {kinds} file").format(
            file=name, kinds=" or ".join(IMPORT_KINDS)))
    if not path.is_file():
        raise InvalidInput(_("{file} does not exist").format(file=name))
    if path.stat().st_size == 0:
        raise InvalidInput(_("{file} is empty").format(file=name))
    if kind == ".xlsx":
        return _XlsxSource(path, name)
    return _CsvSource(path, name, encoding)


# --- import ------------------------------------------------------------------------------


def _date(value: Any) -> date:
    if type(value) is str:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return parse_date(value)
    return parse_date(value)


def _cached_choice(cache: dict, cls, value):
    try:
        return cache[value]
    except KeyError:
        parsed = cls.parse(value)
        if len(cache) < 256:
            cache[value] = parsed
        return parsed


class _Import:
    def __init__(self, tx, source: _Source, dry_run: bool, progress: Callable | None):
        self.tx = tx
        self.conn = tx.conn
        self.source = source
        self.name = source.name
        self.dry_run = dry_run
        self.progress = progress
        self.problems: list[str] = []
        self.problem_count = 0
        self.duplicates: list[str] = []
        self.duplicate_count = 0
        self.imported = 0
        self.first_code: str | None = None
        self.last_code: str | None = None
        self.by_centre: dict[str, int] = {}
        # (centre code, year) → [(first number, row numbers)], to tell "same as row N"
        self.segments: dict[tuple[str, int], list[tuple[int, array]]] = {}
        self.centre_ids: dict[str, int | str] = {}
        self.scopes: dict[str, str] = {}
        sample = to_row(Participant(full_name="A", sex=Sex.FEMALE, birth_date=date(2000, 1, 1), centre="AA"), 0)
        self.insert_participants = BulkInsert(self.conn, _P, list(sample))
        self.twins = TwinLookup(self.conn)
        # no plugin listens: skip the (per row) hook call, which would do nothing
        self.listened = bool(tx.programme.pm.hook.participant_registered.get_hookimpls())
        self.insert_consents = BulkInsert(self.conn, t.consent, ["participant_id", "given_on", "scope"])

    # problems and duplicates --------------------------------------------------------------
    def _problem(self, line: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LINES:
            self.problems.append(line)

    def _duplicate(self, line: str) -> None:
        self.duplicate_count += 1
        if len(self.duplicates) < MAX_LINES:
            self.duplicates.append(line)

    # checks that are not the participant's own ----------------------------------------------
    def _centre(self, code: str):
        """The centre's id, or the message naming the known centres."""
        found = self.centre_ids.get(code)
        if found is None:
            try:
                found = self.tx.centre_id(code)
            except NotFound as exc:
                found = exc.message
            self.centre_ids[code] = found
        return found

    def _consent(self, data: dict, today: date, reasons: list[str]):
        given = data.get("consent_given_on")
        scope = data.get("consent_scope")
        if given is None:
            reasons.append(_("consent_scope: given without consent_given_on"))
            return None
        try:
            given_on = _date(given)
        except InvalidInput as exc:
            reasons.append(f"consent_given_on: {exc.message}")
            given_on = None
        if given_on is not None and given_on > today:
            reasons.append(_("consent_given_on {d} is in the future").format(d=given_on.isoformat()))
            given_on = None
        raw_scope = DEFAULT_IMPORT_SCOPE if scope is None else str(scope)
        text = self.scopes.get(raw_scope)
        if text is None:
            try:
                values = sorted({ConsentScope.parse(v).value for v in raw_scope.split(",") if v.strip()})
            except InvalidInput as exc:
                reasons.append(f"consent_scope: {exc.message}")
                return None
            if not values:
                reasons.append(_("consent_scope: give at least one of {s}").format(s=", ".join(ConsentScope.values())))
                return None
            text = ",".join(values)
            if len(self.scopes) < 256:
                self.scopes[raw_scope] = text
        return (given_on, text) if given_on is not None else None

    # the run ----------------------------------------------------------------------------
    def run(self) -> ImportReport:
        today = self.tx.today
        sexes: dict = {}
        offences: dict = {}
        batch: list = []
        rows = 0
        consent_keys = _CONSENT_COLUMNS
        _Participant = Participant
        for n, data, extra in self.source.rows():
            rows += 1
            reasons: list[str] = []
            if extra is not None:
                reasons.append(extra)
            consent = None
            consent_reasons = None
            if "consent_given_on" in data or "consent_scope" in data:
                consent_reasons = []
                consent = self._consent(data, today, consent_reasons)
                pdata = {k: v for k, v in data.items() if k not in consent_keys}
            else:
                pdata = data
            try:
                get = pdata.get
                registered = get("registered_on")
                release = get("release_date")
                offence = get("offence_category")
                p = _Participant(
                    full_name=pdata["full_name"],
                    sex=_cached_choice(sexes, Sex, pdata["sex"]),
                    birth_date=_date(pdata["birth_date"]),
                    centre=pdata["centre"],
                    registered_on=today if registered is None else _date(registered),
                    phone=get("phone"),
                    release_date=None if release is None else _date(release),
                    facility=get("facility"),
                    offence_category=None if offence is None else _cached_choice(offences, OffenceCategory, offence),
                )
            except Exception:
                # the lean path failed: the converter gives the message naming each bad field
                try:
                    p = structure(pdata, Participant, where=f"row {n}")
                    if p.registered_on is None:
                        p = attrs.evolve(p, registered_on=today)
                except InvalidInput as exc:
                    lead = f"row {n}: "
                    reasons.append(exc.message[len(lead):] if exc.message.startswith(lead) else exc.message)
                    p = None
            if p is not None:
                dated = p.date_problems(today)
                if dated:
                    reasons.extend(dated)
                centre_id = self._centre(p.centre)
                if type(centre_id) is str:
                    reasons.append(centre_id)
            if consent_reasons:
                reasons.extend(consent_reasons)
            if reasons:
                self._problem(f"row {n}: " + "; ".join(reasons))
                batch = []
            elif not self.problem_count:  # after a bad row nothing is written: only check the rest
                batch.append((n, p, centre_id, consent))
                if len(batch) >= BATCH_SIZE:
                    self._write(batch)
                    batch = []
            if not rows % BATCH_SIZE:
                self._report_progress(rows)
        if batch and not self.problem_count:
            self._write(batch)
        self._report_progress(rows, done=True)
        if self.problem_count:
            lines = list(self.problems)
            if self.problem_count > len(lines):
                lines.append(_("… and {n} more invalid rows").format(n=self.problem_count - len(lines)))
            raise RowErrors(
                _("{file}: {bad} of {rows} rows are invalid; nothing was imported").format(
                    file=self.name, bad=self.problem_count, rows=rows),
                lines,
            )
        if rows == 0:
            raise InvalidInput(_("{file} has no rows to import").format(file=self.name))
        return ImportReport(
            file=self.name, rows=rows, imported=self.imported, duplicates=self.duplicates,
            duplicate_count=self.duplicate_count, first_code=self.first_code, last_code=self.last_code,
            dry_run=self.dry_run, by_centre=dict(self.by_centre),
        )

    def _report_progress(self, rows: int, done: bool = False) -> None:
        if self.progress is not None:
            total = self.source.bytes_total
            self.progress(rows, total if done else self.source.bytes_done(), total)

    # one batch --------------------------------------------------------------------------
    def _same_row(self, code: str) -> int | None:
        """The row of this file that ``code`` was given to, if this import gave it."""
        try:
            centre, year, number = code.rsplit("-", 2)
            key, number = (centre, int(year)), int(number)
        except ValueError:
            return None
        for first, row_numbers in self.segments.get(key, ()):
            if first <= number < first + len(row_numbers):
                return row_numbers[number - first]
        return None

    def _write(self, batch: list) -> None:
        conn, tx = self.conn, self.tx
        dups: list[tuple[int, str]] = []
        seen: dict[tuple, int] = {}
        keep = []
        for item in batch:
            n, p, centre_id, _consent = item
            key = (centre_id, name_key(p.full_name), p.birth_date)
            earlier = seen.get(key)
            if earlier is not None:
                dups.append((n, _same_person(n, p, earlier)))
                continue
            seen[key] = n
            keep.append((key, item))
        existing = self.twins(seen)
        groups: dict[tuple, list] = {}
        for key, item in keep:
            n, p = item[0], item[1]
            code = existing.get(key)
            if code is not None:
                row = self._same_row(code)
                dups.append((n, _same_person(n, p, row) if row is not None else
                             _("row {n}: {name}, born {born}, is already registered as {code}").format(
                                 n=n, name=p.full_name, born=p.birth_date.isoformat(), code=code)))
                continue
            groups.setdefault((item[2], p.centre, p.registered_on.year), []).append(item)
        for _n, line in sorted(dups):
            self._duplicate(line)
        if not groups:
            return
        written = []
        set_code = object.__setattr__
        for (centre_id, centre, year), items in groups.items():
            codes = reserve_codes(conn, centre_id, centre, year, len(items))
            for item, code in zip(items, codes):
                # the participant was built by this import and is not shared yet: giving it
                # its code in place saves re-running every converter (attrs.evolve)
                set_code(item[1], "code", code)
            first = int(codes[0].rsplit("-", 1)[1])
            self.segments.setdefault((centre, year), []).append((first, array("I", (i[0] for i in items))))
            self.by_centre[centre] = self.by_centre.get(centre, 0) + len(items)
            written.extend(items)
        written.sort(key=lambda item: item[0])  # file order, whatever the grouping
        params = self.insert_participants.params
        self.insert_participants.run([params(to_row(item[1], item[2])) for item in written])
        with_consent = [item for item in written if item[3] is not None]
        if with_consent:
            ids = dict(conn.execute(sa.select(_P.c.code, _P.c.id).where(
                _P.c.code.in_([item[1].code for item in with_consent]))).all())
            cparams = self.insert_consents.params
            self.insert_consents.run([
                cparams({"participant_id": ids[item[1].code], "given_on": item[3][0], "scope": item[3][1]})
                for item in with_consent
            ])
        # one audit event per batch: `audit log --key CODE` finds it and shows that person
        tx.audit_batch("participant.import", "participant",
                       {p.code: unstructure(p) for _n, p, _c, _consent in written}, file=self.name)
        tx.audit_batch("consent.record", "participant", {
            p.code: {"participant": p.code, "given_on": consent[0].isoformat(), "scope": consent[1].split(","),
                     "withdrawn_on": None}
            for _n, p, _c, consent in written if consent is not None
        }, file=self.name)
        if self.listened:
            for _n, p, _centre_id, _consent in written:
                tx.emit("participant_registered", participant=p)
        tx.flush_audit()  # chained into the same transaction now, so memory stays flat
        self.imported += len(written)
        if self.first_code is None:
            self.first_code = written[0][1].code
        self.last_code = written[-1][1].code


def _same_person(n: int, p: Participant, earlier_row: int) -> str:
    return _("row {n}: {name}, born {born}, is the same person as row {m}").format(
        n=n, name=p.full_name, born=p.birth_date.isoformat(), m=earlier_row)


def import_participants(ctx, path, dry_run: bool = False, encoding: str | None = None,
                        progress: Callable[[int, int, int], Any] | None = None) -> ImportReport:
    """Import participants from a ``.csv`` or ``.xlsx`` file: all rows or none.

    Raises :class:`RowErrors` (one line per bad row) when any row is invalid, and
    :class:`InvalidInput` for a file that cannot be read (kind, encoding, header).
    ``dry_run`` checks everything, duplicates included, and writes nothing.
    ``progress(rows_done, bytes_done, bytes_total)`` is called after every batch.
    """
    ctx.require("participants.import")
    path = Path(path)
    name = str(path)
    source = _open_source(path, name, encoding)
    try:
        with ctx.transaction() as tx:
            tx.require("participants.import")
            if any(f in SENSITIVE_FIELDS for f in source.fields):
                tx.require("participants.view_sensitive")
            report = _Import(tx, source, dry_run, progress).run()
            if dry_run:
                raise _RollBack(report)
    except _RollBack as rollback:
        return rollback.report
    finally:
        source.close()
    return report


# --- export ------------------------------------------------------------------------------

IDENTIFIED_COLUMNS = ("code", "full_name", "sex", "birth_date", "centre", "registered_on", "phone", "status",
                      "exit_reason", "exited_on")
PSEUDONYMISED_COLUMNS = ("pseudonym", "sex", "birth_year", "age_band", "centre", "registered_on", "status",
                         "exit_reason", "exited_on")
PSEUDONYM_SETTING = "pseudonym_secret"


def pseudonym(secret: str, code: str) -> str:
    """A stable pseudonym: the same code and secret always give the same one."""
    return "P-" + hmac.new(secret.encode("utf-8"), code.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def _pseudonym_secret(ctx) -> str:
    """The database's pseudonym secret, created (once) on first use."""
    setting = t.setting
    query = sa.select(setting.c.value).where(setting.c.key == PSEUDONYM_SETTING)
    with ctx.reading() as conn:
        value = conn.execute(query).scalar()
    if value:
        return value
    with ctx.transaction() as tx:
        value = tx.conn.execute(query).scalar()
        if value:
            return value
        if tx.conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        tx.conn.execute(insert(setting).values(key=PSEUDONYM_SETTING, value=secrets.token_hex(32))
                        .on_conflict_do_nothing(index_elements=[setting.c.key]))
        return tx.conn.execute(query).scalar_one()


def _export_format(path: Path, fmt: str | None) -> str:
    kind = (fmt or path.suffix.lstrip(".")).strip().lower()
    if kind not in EXPORT_FORMATS:
        if fmt:
            raise InvalidInput(_("unknown export format {fmt!r}; use {formats}").format(
                fmt=fmt, formats=", ".join(EXPORT_FORMATS)))
        raise InvalidInput(_("{file}: cannot tell the format from the name; use a .csv, .xlsx or .json file "
                             "or give the format").format(file=str(path)))
    return kind


def _iter_export(ctx, conn, columns: tuple[str, ...], pseudonymise: bool, centre_id: int | None,
                 secret: str | None) -> Iterator[list]:
    query = sa.select(
        _P.c.code, _P.c.full_name, _P.c.sex, _P.c.birth_date, t.centre.c.code.label("centre"), _P.c.registered_on,
        _P.c.phone, _P.c.status, _P.c.exit_reason, _P.c.exited_on, _P.c.release_date, _P.c.facility,
        _P.c.offence_category,
    ).select_from(_P.join(t.centre)).order_by(_P.c.code)
    if centre_id is not None:
        query = query.where(_P.c.centre_id == centre_id)
    result = conn.execution_options(yield_per=2000).execute(query)
    if pseudonymise:
        today = ctx.programme.clock.today()
        for r in result:
            yield [pseudonym(secret, r.code), r.sex, r.birth_date.year, age_band(age_on(r.birth_date, today)),
                   r.centre, r.registered_on, r.status, r.exit_reason, r.exited_on]
    else:
        for r in result:
            yield [getattr(r, c) for c in columns]


def _plain_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def _write_csv(handle, columns, rows) -> int:
    writer = csv.writer(handle)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if v is None else _plain_value(v) for v in row])
        count += 1
    return count


def _write_json(handle, columns, rows) -> int:
    handle.write("[")
    count = 0
    for row in rows:
        handle.write(",\n" if count else "\n")
        handle.write(json.dumps(dict(zip(columns, map(_plain_value, row))), ensure_ascii=False))
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count


def _write_xlsx(target: str, columns, rows) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("participants")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            elif isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, never a formula
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    book.save(target)
    return count


def export_participants(ctx, path, fmt: str | None = None, pseudonymise: bool = False,
                        centre: str | None = None) -> int:
    """Write participants to ``path`` (CSV, XLSX or JSON); returns the number of rows.

    The identified export shows the sensitive fields only to roles allowed to see them;
    the pseudonymised one has no name, phone, code, birth date or sensitive field.
    """
    ctx.require("participants.export_pseudonymised" if pseudonymise else "participants.export")
    path = Path(path)
    kind = _export_format(path, fmt)
    if pseudonymise:
        columns = PSEUDONYMISED_COLUMNS
        secret = _pseudonym_secret(ctx)
    else:
        columns = IDENTIFIED_COLUMNS + (SENSITIVE_FIELDS if ctx.can("participants.view_sensitive") else ())
        secret = None
    centre_code = centre.strip().upper() if centre else None
    with written_whole(path) as temp:
        with ctx.reading() as conn:
            centre_id = ctx.programme.centre_id(conn, centre_code) if centre_code else None
            rows = _iter_export(ctx, conn, columns, pseudonymise, centre_id, secret)
            if kind == "xlsx":
                count = _write_xlsx(temp, columns, rows)
            else:
                with open(temp, "w", encoding="utf-8", newline="") as handle:
                    count = (_write_csv if kind == "csv" else _write_json)(handle, columns, rows)
        # recorded before the file appears: an export that happened is never missing from the trail
        with ctx.transaction() as tx:
            tx.audit("participants.export", "export", path.name[:60],
                     after={"rows": count, "pseudonymised": pseudonymise, "centre": centre_code})
    return count
