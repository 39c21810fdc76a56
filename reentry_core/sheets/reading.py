"""The one reader of the sheets staff fill in: CSV and XLSX, streamed row by row.

CSV: UTF-8 with or without a BOM; UTF-16 (Excel's "Unicode text") found by its BOM or by
its NUL bytes; Windows-1251 (Excel's "CSV" on a Russian-language Windows) when asked
(``encoding="cp1251"``) or when the file is not UTF-8 and reads as Cyrillic in it. The
separator is sniffed from the header line among ``,``, ``;`` and tab; a quoted cell may
span lines (a spreadsheet's Alt+Enter). XLSX: the first sheet, read-only; a date comes
back as ISO text, a whole number without ``.0``.

Rows are numbered as a spreadsheet shows them (the header is row 1 unless blank lines
come before it); blank rows are skipped; every cell is stripped text, with the leading
``'`` the writer puts before a formula-like text taken off again.

Windows-1251 has Russian letters but not the Tajik ҷ ҳ ғ қ ӣ ӯ: Excel writes ``?`` for
them. A cell of such a file with ``?`` inside a Cyrillic word is refused (one line, row
and column) with the advice to save the file as "CSV UTF-8" or XLSX, rather than storing
names with question marks.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from ..errors import InvalidInput
from ..i18n import _
from .safety import QUOTE, unquote

KINDS = (".csv", ".xlsx")
#: what the reader opens (a ``.tsv`` is read as CSV: the separator is sniffed)
READ_KINDS = (".csv", ".tsv", ".xlsx")
_CHUNK = 1 << 20  # bytes decoded at a time when checking a file's encoding
#: a ``?`` written for a letter the 8-bit encoding did not have, inside a Cyrillic word
_LOST_LETTER = re.compile(r"[\u0400-\u04ff]\?|\?[\u0400-\u04ff]")
_LEGACY = frozenset({"cp1251", "koi8_r", "koi8_u", "cp866", "iso8859_5", "mac_cyrillic"})


def normal_header(cell: Any) -> str:
    """A header cell as a column name: stripped, lower case, spaces and dashes to ``_``."""
    text = "" if cell is None else str(cell)
    return "_".join(text.replace("\ufeff", "").strip().lower().replace("-", " ").split())


def kind_of(path: Path) -> str:
    kind = Path(path).suffix.lower()
    if kind not in KINDS:
        raise InvalidInput(_("{file}: use a .csv or .xlsx file").format(file=Path(path).name))
    return kind


def column_letter(index: int) -> str:
    """The spreadsheet's name of the column at ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(value: Any) -> str:
    """An XLSX value as text: a date as ISO, a whole number without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _clean(text: str) -> str:
    """A cell as read: stripped, the writer's leading ``'`` taken off (once)."""
    text = text.lstrip()
    return unquote(text).strip() if text[:1] == QUOTE else text.rstrip()


# --- encodings -----------------------------------------------------------------------------


def _codec(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput(_("unknown encoding {encoding!r} (e.g. utf-8, cp1251)").format(encoding=encoding)) from None
    if not getattr(info, "_is_text_encoding", True):
        raise InvalidInput(_("{encoding!r} is not a text encoding (e.g. utf-8, cp1251)").format(encoding=encoding))
    return "utf-8-sig" if info.name == "utf-8" else info.name


def _utf16_by_nuls(head: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte of ASCII text is NUL."""
    sample = head[:512]
    if len(sample) < 4 or sample.count(0) * 4 < len(sample):
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 2 * even and odd * 3 >= len(sample) // 2:
        return "utf-16-le"
    if even > 2 * odd and even * 3 >= len(sample) // 2:
        return "utf-16-be"
    return None


def looks_cp1251(sample: bytes) -> bool:
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


def _first_bad_byte(path: Path, codec: str, start: int) -> tuple[int, int, bytes] | None:
    """Decode the whole file once, in chunks (memory stays flat): the first bad byte's
    (offset, line, byte), or None."""
    with open(path, "rb") as f:
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
                return (offset - len(pending) + exc.start, newlines + data[:exc.start].count(b"\n") + 1,
                        data[exc.start:exc.start + 1])
            if not chunk:
                return None
            offset += len(chunk)
            newlines += chunk.count(b"\n")


def detect_encoding(path: Path, name: str, encoding: str | None = None) -> str:
    """The codec to read a CSV file with (see the module's docstring), or one plain line."""
    codec = _codec(encoding)
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        found = "utf-16"
    elif head.startswith(codecs.BOM_UTF8):
        found = "utf-8-sig"
    else:
        found = _utf16_by_nuls(head)
    if codec is None or (found and found.startswith("utf-16") and codec in ("utf-8-sig", "utf-16")):
        codec = found or "utf-8-sig"
        explicit = False
    else:
        explicit = True
    start = len(codecs.BOM_UTF8) if codec == "utf-8-sig" and head.startswith(codecs.BOM_UTF8) else 0
    bad = _first_bad_byte(path, codec, start)
    if bad is None:
        return codec
    if not explicit and codec == "utf-8-sig":
        with open(path, "rb") as f:
            if looks_cp1251(f.read(256 * 1024)) and _first_bad_byte(path, "cp1251", 0) is None:
                return "cp1251"  # Excel's "CSV" on a Russian-language Windows
    offset, line, byte = bad
    message = _(
        "{file} is not valid {encoding}: byte {byte} at offset {offset} (line {line}) cannot be "
        "decoded; check the file's encoding and pass it with --encoding"
    ) if explicit else _(
        "{file} is not valid {encoding}: byte {byte} at offset {offset} (line {line}) cannot be "
        "decoded; save the file as UTF-8 or pass --encoding"
    )
    raise InvalidInput(message.format(
        file=name, encoding="UTF-8" if codec == "utf-8-sig" else codec,
        byte=f"0x{byte.hex()}" if byte else "?", offset=offset, line=line))


def sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# --- the open sheet ---------------------------------------------------------------------------


class Sheet:
    """An open CSV or XLSX sheet: ``header`` (each column's normalised name, ``""`` for a
    column without one), ``rows()`` and how far reading has got (``bytes_done``)."""

    name: str
    header: list[str]
    header_row: int
    bytes_total: int
    encoding: str | None = None

    def __init__(self, path: Path, name: str, encoding: str | None):
        self.name = name
        self.path = path
        self.bytes_total = path.stat().st_size
        self._legacy = False
        self._done = 0
        if path.suffix.lower() == ".xlsx":
            self._open_xlsx(path)
        else:
            self._open_csv(path, encoding)

    # CSV --------------------------------------------------------------------------------
    def _open_csv(self, path: Path, encoding: str | None) -> None:
        self.encoding = codec = detect_encoding(path, self.name, encoding)
        self._legacy = codecs.lookup(codec).name in _LEGACY
        self._raw = open(path, "rb")
        self._text = io.TextIOWrapper(self._raw, encoding=codec, newline="")
        self._book = None
        first = self._text.readline()
        self.header_row = 1
        while first and not first.strip():  # blank lines before the header
            first = self._text.readline()
            self.header_row += 1
        if not first.strip():
            self.close()
            raise InvalidInput(_("{file} is empty").format(file=self.name))
        delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(first)
        self._reader = csv.reader(self._chain(first), delimiter=delimiter)
        try:
            self.header = [normal_header(c) for c in next(self._reader)]
            if self._ended:
                raise self._unclosed(self.header_row)
        except InvalidInput:
            self.close()
            raise
        except csv.Error as exc:
            self.close()
            raise InvalidInput(_("{file} cannot be read as CSV: {reason}").format(file=self.name, reason=exc)) from None
        self._raw_rows = self._csv_rows()

    def _chain(self, first: str) -> Iterator[str]:
        self._ended = False
        yield first
        yield from self._text
        self._ended = True  # the reader asked past the last line

    def _unclosed(self, n: int) -> InvalidInput:
        return InvalidInput(_('{file}: row {n} has a quote (") that is not closed, so the rest of the file '
                              'was read as one cell; close the quote or remove it').format(file=self.name, n=n))

    def _csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        n = self.header_row
        try:
            for n, cells in enumerate(self._reader, self.header_row + 1):
                if self._ended:  # a record ends at the end of the file only inside a quote
                    raise self._unclosed(n)
                yield n, cells
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise self._unclosed(n + 1) from None
            raise InvalidInput(_("{file}: row {n} cannot be read as CSV: {reason}").format(
                file=self.name, n=n + 1, reason=str(exc))) from None

    # XLSX -------------------------------------------------------------------------------
    def _open_xlsx(self, path: Path) -> None:
        from openpyxl import load_workbook

        self._text = None
        try:
            self._book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # zipfile / XML errors of a damaged or mis-named file
            raise InvalidInput(_("{file} is not a readable .xlsx workbook: {reason}").format(
                file=self.name, reason=str(exc) or type(exc).__name__)) from None
        try:
            if not self._book.worksheets:
                raise InvalidInput(_("{file} is empty").format(file=self.name))
            sheet = self._book.worksheets[0]
            self._max_row = sheet.max_row or 0
            rows = enumerate(sheet.iter_rows(values_only=True), 1)
            for n, cells in rows:
                self._done = n
                texts = [cell_text(c) for c in cells]
                if any(texts):
                    self.header_row = n
                    self.header = [normal_header(c) for c in texts]
                    break
            else:
                raise InvalidInput(_("{file} is empty").format(file=self.name))
            self._raw_rows = self._xlsx_rows(rows)
        except BaseException:
            self.close()
            raise

    def _xlsx_rows(self, rows) -> Iterator[tuple[int, list[str]]]:
        for n, cells in rows:
            self._done = n
            yield n, [c if type(c) is str else cell_text(c) for c in cells]  # text is cleaned once, below

    # rows -------------------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """``(row number, cells)`` for each row below the header with something in it;
        each cell stripped text."""
        clean = _clean
        for n, cells in self._raw_rows:
            texts = [clean(c) for c in cells]
            if any(texts):
                if self._legacy:
                    self._check_letters(n, texts)
                yield n, texts

    def records(self, fields: list[str | None] | None = None) -> Iterator[tuple[int, dict[str, str], str | None]]:
        """``(row number, {field: text} without empty cells, problem or None)`` per row with
        something in it; ``fields`` names each column (``None``: no header, default the
        header). The problem is a value in a column without a header."""
        if fields is None:
            fields = [h or None for h in self.header]
        ncols = len(fields)
        simple = None not in fields
        clean = _clean
        legacy = self._legacy
        for n, cells in self._raw_rows:
            if simple and len(cells) <= ncols:
                data = {f: (s if s[0] != "'" else clean(v)) for f, v in zip(fields, cells) if (s := v.strip())}
                if data:
                    if legacy:
                        self._check_letters(n, data)
                    yield n, data, None
                continue
            data = {f: (s if s[0] != "'" else clean(v)) for f, v in zip(fields, cells)
                    if f is not None and (s := v.strip())}
            problem = extra_problem(fields, cells)
            if data or problem:
                if legacy:
                    self._check_letters(n, data)
                yield n, data, problem

    def _check_letters(self, n: int, cells) -> None:
        items = cells.items() if isinstance(cells, dict) else (
            (self.header[i] if i < len(self.header) and self.header[i] else column_letter(i), v)
            for i, v in enumerate(cells))
        for column, value in items:
            if "?" in value and _LOST_LETTER.search(value):
                raise InvalidInput(_(
                    "{file}: row {n}, {column}: {value!r} has '?' inside a word: the file was saved in "
                    "{encoding}, which has no Tajik letters (ҷ ҳ ғ қ ӣ ӯ); save it as \"CSV UTF-8\" or as "
                    "an .xlsx workbook and import that").format(
                        file=self.name, n=n, column=column, value=value, encoding=self.encoding))

    def bytes_done(self) -> int:
        """How much of the file has been read, for a progress bar."""
        if self._book is not None:
            if not self._max_row:
                return 0
            return min(self.bytes_total, self.bytes_total * self._done // self._max_row)
        try:
            return min(self._raw.tell(), self.bytes_total)
        except (OSError, ValueError):
            return self.bytes_total

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
        if self._text is not None:
            self._text.close()

    def __enter__(self) -> Sheet:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def extra_problem(fields: list[str | None], cells) -> str | None:
    """A value in a column without a header (or past the header's end), if there is one."""
    for i, cell in enumerate(cells):
        if (i >= len(fields) or fields[i] is None) and cell is not None and str(cell).strip():
            return _("column {col} has a value but no header").format(col=column_letter(i))
    return None


def open_sheet(path, *, encoding: str | None = None, name: str | None = None) -> Sheet:
    """Open a ``.csv`` or ``.xlsx`` sheet for reading (use it in a ``with`` block).
    ``encoding`` forces a CSV's encoding (``cp1251``); ``name`` is how messages call the
    file (default its file name)."""
    path = Path(path)
    name = path.name if name is None else name
    if path.suffix.lower() not in READ_KINDS:
        kind_of(path)
    if not path.is_file():
        raise InvalidInput(_("{file} does not exist").format(file=str(path)))
    if path.stat().st_size == 0:
        raise InvalidInput(_("{file} is empty").format(file=name))
    return Sheet(path, name, encoding)


def read_table(path, *, encoding: str | None = None) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The normalised header and the non-empty rows ``(row number, {column: text})``."""
    with open_sheet(path, encoding=encoding) as sheet:
        header = sheet.header
        twice = sorted({h for h in header if h and header.count(h) > 1})
        if twice:
            raise InvalidInput(_("{file}: column(s) {names} appear more than once in the header").format(
                file=sheet.name, names=", ".join(twice)))
        fields = [h or None for h in header]
        rows = [(n, {h: v for h, v in zip(fields, cells) if h and v}) for n, cells in sheet.rows()]
    return [h for h in header if h], rows


def require_columns(path, header, required, accepted) -> None:
    """One line naming the missing and the unknown columns, if any."""
    name = Path(path).name
    lines = []
    missing = [c for c in required if c not in header]
    if missing:
        lines.append(_("{file}: missing column(s) {names}").format(file=name, names=", ".join(missing)))
    unknown = [c for c in header if c not in accepted]
    if unknown:
        lines.append(_("{file}: unknown column(s) {names}; accepted: {accepted}").format(
            file=name, names=", ".join(unknown), accepted=", ".join(accepted)))
    if lines:
        raise InvalidInput("; ".join(lines))


def read_sheet(path, columns, required, ignored=()) -> list[tuple[int, dict[str, str]]]:
    """``(row number, {column: text})`` for each filled row of a sheet whose columns must be
    among ``columns`` (``required`` ones present). Columns in ``ignored`` may be there, for
    the people filling it in, and are left out."""
    header, rows = read_table(path)
    require_columns(path, header, required, tuple(columns) + tuple(ignored))
    found = [(n, {k: v for k, v in cells.items() if k in columns}) for n, cells in rows]
    found = [(n, cells) for n, cells in found if cells]
    if not found:
        raise InvalidInput(_("{file} has no rows below its header").format(file=Path(path).name))
    return found
