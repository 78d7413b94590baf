"""Spreadsheet files: read an upload (CSV or XLSX) into rows of text; write rows as CSV or XLSX safe to open."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from server import archives

# openpyxl is imported where a workbook is read or written, not by every start of the server.
if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell as XlsxCell
    from openpyxl.styles import Font

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What a workbook's parts may hold together, read through server.archives whatever their headers declare.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
# What a spreadsheet would run as a formula (OWASP, CSV injection): such text gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
MIN_WIDTH, MAX_WIDTH = 8, 60

Cell = str | int | float | bool | datetime | None


class Unreadable(Exception):
    """The file as a whole cannot be read; the message is the reason given in the import report."""


def read_table(raw: bytes) -> Iterator[list[str | None]]:
    """The rows of the first sheet as text, header first. The kind is told by content, never by file name."""
    if raw.startswith(XLSX_MAGIC):
        return _xlsx_rows(raw)
    if raw.startswith(XLS_MAGIC):
        raise Unreadable("old Excel format (.xls): save the file as .xlsx or CSV")
    return _csv_rows(raw)


def _csv_rows(raw: bytes) -> Iterator[list[str | None]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable("bad encoding") from None
    # Excel saves "CSV" with the locale's list separator; the header line shows which one this file uses.
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as problem:
        raise Unreadable(f"not readable as CSV: {problem}") from None


def _xlsx_rows(raw: bytes) -> Iterator[list[str | None]]:
    try:
        workbook = archives.unpacked(raw, MAX_UNPACKED_BYTES)
    except archives.ArchiveRefused as refused:
        reason = "the workbook is too large when unpacked" if refused.too_large else "not a readable XLSX workbook"
        raise Unreadable(reason) from None
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True, data_only=True)
        try:
            for values in book.worksheets[0].iter_rows(values_only=True):
                yield [_text(value) for value in values]
        finally:
            book.close()
    # A damaged workbook fails deep inside openpyxl in many ways (zip, XML, missing parts); all mean the same here.
    except Exception:  # noqa: BLE001
        raise Unreadable("not a readable XLSX workbook") from None


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    return str(value)


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, prefixed with a quote so it stays text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def write_csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with a BOM (without it Excel reads Vietnamese as mojibake) and CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _width(value: Cell) -> int:
    return len(DATETIME_FORMAT) + 2 if isinstance(value, datetime) else len(_csv_cell(value))


def write_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """One sheet: a bold, frozen header row, columns as wide as their content, every text cell a string."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header):
        longest = max([len(name), *(_width(row[index]) for row in rows)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))

    def cell(value: Cell, font: Font | None = None) -> XlsxCell:
        if isinstance(value, str):
            # Characters XML cannot hold go first, so that removing them cannot uncover a leading "=".
            value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            made.data_type = "s"
        if isinstance(value, datetime):
            made.number_format = "yyyy-mm-dd hh:mm"
        if font is not None:
            made.font = font
        return made

    bold = Font(bold=True)
    sheet.append([cell(name, bold) for name in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
