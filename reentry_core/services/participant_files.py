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

import hashlib
import hmac
import json
import secrets
from array import array
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

import attrs
import sqlalchemy as sa

from ..convert import parse_date, structure, unstructure
from ..domain import SENSITIVE_FIELDS, ConsentScope, OffenceCategory, Participant, Sex, age_band, age_on
from .. import privacy
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..files import written_whole
from ..i18n import _
from ..sheets import Column, Sheet, SheetImport, open_sheet, write_sheet_to
from ..storage import tables as t
from ..storage.bulk import BulkInsert
from . import access
from .participant_store import TwinLookup, name_key, reserve_codes, to_row
from ..words import date_text

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


# --- reading files: the one reader of reentry_core.sheets ----------------------------------


def _column(name: str) -> Column:
    return Column(name, required=name in REQUIRED_COLUMNS)


def _open_source(path: Path, name: str, encoding: str | None) -> Sheet:
    kind = path.suffix.lower()
    if kind not in IMPORT_KINDS:
        raise InvalidInput(_("{file}: cannot import this kind of file; give a {kinds} file").format(
            file=name, kinds=" or ".join(IMPORT_KINDS)))
    return open_sheet(path, encoding=encoding, name=name)


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


class _Import(SheetImport):
    """The participants' own rules on the one import shape: streamed (a register of tens of
    thousands of rows keeps memory flat), a lean path per row, duplicates skipped and told."""

    columns = tuple(_column(name) for name in ACCEPTED_COLUMNS)
    streaming = True
    batch_size = BATCH_SIZE

    def __init__(self, tx, name: str, dry_run: bool):
        super().__init__(tx, name)
        self.conn = tx.conn
        self.dry_run = dry_run
        self.today = tx.today
        self.sexes: dict = {}
        self.offences: dict = {}
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

    # duplicates ---------------------------------------------------------------------------
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
                privacy.check_centre(self.tx.conn, found, code)  # a case worker imports for her own centre
            except (NotFound, PermissionDenied) as exc:
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
            reasons.append(_("consent_given_on {d} is in the future").format(d=date_text(given_on)))
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

    # one row ------------------------------------------------------------------------------
    def parse(self, n: int, data: dict, extra: str | None):
        """The lean path: the row as ``(n, participant, centre id, consent)``, or ``None``
        after noting its problems (one line naming each bad field)."""
        today = self.today
        sexes, offences = self.sexes, self.offences
        consent_keys = _CONSENT_COLUMNS
        _Participant = Participant
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
            # the same rule as consent given by hand, when the row says when they were registered
            # (without it, registration is the day of the import, typed after the paper forms)
            if consent is not None and registered is not None and consent[0] < p.registered_on:
                reasons.append(_("consent_given_on {d} is before registered_on {r}").format(
                    d=date_text(consent[0]), r=date_text(p.registered_on)))
            centre_id = self._centre(p.centre)
            if type(centre_id) is str:
                reasons.append(centre_id)
        if consent_reasons:
            reasons.extend(consent_reasons)
        if reasons:
            self.bad_rows += 1
            self.problem(f"row {n}: " + "; ".join(reasons))
            return None
        return (n, p, centre_id, consent)

    def report(self) -> ImportReport:
        return ImportReport(
            file=self.name, rows=self.rows, imported=self.imported, duplicates=self.duplicates,
            duplicate_count=self.duplicate_count, first_code=self.first_code, last_code=self.last_code,
            dry_run=self.dry_run, by_centre=dict(self.by_centre),
        )

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

    def write(self, batch: list) -> None:
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
                                 n=n, name=p.full_name, born=date_text(p.birth_date), code=code)))
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
        try:
            self.insert_participants.run([params(to_row(item[1], item[2])) for item in written])
        except sa.exc.IntegrityError:  # the identity key: another desk registered one of them just now
            raise Conflict(_("{file}: some of these people were registered at another desk while the file was "
                             "being imported; nothing was imported. Import the file again: people already "
                             "registered are then skipped and listed").format(file=self.name)) from None
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
        n=n, name=p.full_name, born=date_text(p.birth_date), m=earlier_row)


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
    with _open_source(path, name, encoding) as sheet:
        fields = _Import.fields(sheet)
        try:
            with ctx.transaction() as tx:
                tx.require("participants.import")
                if any(f in SENSITIVE_FIELDS for f in fields):
                    tx.require("participants.view_sensitive")
                importer = _Import(tx, name, dry_run)
                importer.run(sheet, progress, fields)
                report = importer.report()
                if dry_run:
                    raise _RollBack(report)
        except _RollBack as rollback:
            return rollback.report
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
    query = query.where(privacy.visible(conn, _P.c.id, _P.c.centre_id))  # only whom the actor works with
    exported = []
    result = conn.execution_options(yield_per=2000).execute(query)
    if pseudonymise:
        today = ctx.programme.clock.today()
        for r in result:
            yield [pseudonym(secret, r.code), r.sex, r.birth_date.year, age_band(age_on(r.birth_date, today)),
                   r.centre, r.registered_on, r.status, r.exit_reason, r.exited_on]
    else:
        for r in result:
            exported.append(r.code)
            yield [getattr(r, c) for c in columns]
        access.record(ctx, "participants.export", exported)


def _plain_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def _write_json(handle, columns, rows) -> int:
    handle.write("[")
    count = 0
    for row in rows:
        handle.write(",\n" if count else "\n")
        handle.write(json.dumps(dict(zip(columns, map(_plain_value, row))), ensure_ascii=False))
        count += 1
    handle.write("\n]\n" if count else "]\n")
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
            if kind == "json":
                with open(temp, "w", encoding="utf-8", newline="") as handle:
                    count = _write_json(handle, columns, rows)
            else:  # the one writer: text cells formula-safe, CSV with a BOM for Excel
                count = write_sheet_to(temp, kind, columns, rows, sheet="participants")
        # recorded before the file appears: an export that happened is never missing from the trail
        with ctx.transaction() as tx:
            tx.audit("participants.export", "export", path.name[:60],
                     after={"rows": count, "pseudonymised": pseudonymise, "centre": centre_code})
    return count
