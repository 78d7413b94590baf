"""A roster file read row by row: the header mapped to columns, each row checked alone, before any database work."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Any

from server.errors import Invalid
from server.participants.operations import PersonFields, search_key
from server.participants.tabular import Unreadable, read_table
from server.text import clean_name, fold, name_sort_bytes

COLUMNS = ("full_name", "position", "organization", "point_code", "role_in_meeting", "email", "phone")
REQUIRED = ("full_name", "point_code")
ALIASES = {
    "full_name": ("Họ và tên", "Họ tên"),
    "position": ("Chức vụ",),
    "organization": ("Đơn vị", "Cơ quan"),
    "point_code": ("Mã điểm cầu", "Điểm cầu"),
    "role_in_meeting": ("Vai trò", "Vai trò tại hội thảo"),
    "email": ("Email", "E-mail", "Thư điện tử"),
    "phone": ("Điện thoại", "Số điện thoại"),
}
LIMITS = {
    "full_name": 300,
    "position": 300,
    "organization": 300,
    "point_code": 32,
    "role_in_meeting": 300,
    "email": 254,
    "phone": 40,
}
# Excel's Alt+Enter breaks inside a long title or unit name are layout, not content: these columns read them as spaces.
WRAPPED = frozenset({"position", "organization", "role_in_meeting"})
LINE_BREAK = re.compile(r"\r\n?|\n")
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
MAX_ROWS = 50_000


def _header_key(text: str) -> str:
    return " ".join(fold(text).replace("_", " ").replace("-", " ").strip(" *:").split())


HEADERS = {_header_key(name): column for column in COLUMNS for name in (column, *ALIASES[column])}


def error(row: int, column: str | None, reason: str) -> dict[str, Any]:
    return {"row": row, "column": column, "reason": reason}


@dataclass(frozen=True)
class Entry:
    """One data row: its cleaned values, what is wrong with it on its own, and its keys when the name is good."""

    row: int
    values: dict[str, str | None]
    errors: list[dict[str, Any]]
    name_key: str | None = None
    sort_key: bytes = b""
    search_key: str = ""


@dataclass(frozen=True)
class Parsed:
    """An upload read and checked without the database: its rows, or why the file as a whole was refused."""

    entries: list[Entry]
    errors: list[dict[str, Any]]


def parse_upload(raw: bytes) -> Parsed:
    """Read and check a CSV or XLSX file; pure and CPU-bound, so callers run it off the event loop."""
    columns: dict[int, str] | None = None
    entries: list[Entry] = []
    number = 0
    try:
        for number, cells in enumerate(read_table(raw), start=1):
            if columns is None:
                columns, problems = _map_header(cells)
                if problems:
                    return Parsed([], problems)
                continue
            if all(cell is None or not cell.strip() for cell in cells):
                continue
            if len(entries) == MAX_ROWS:
                return Parsed([], [error(number, None, f"more than {MAX_ROWS} rows")])
            entries.append(
                _check_row(number, {name: cells[i] if i < len(cells) else None for i, name in columns.items()})
            )
    except Unreadable as problem:
        return Parsed([], [error(number + 1, None, str(problem))])
    if columns is None:
        return Parsed([], [error(1, None, "no header row")])
    return Parsed(entries, [])


def _map_header(cells: list[str | None]) -> tuple[dict[int, str], list[dict[str, Any]]]:
    """Which cell holds which column; unknown headers (an STT column, notes) are left out."""
    found: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(cells):
        column = HEADERS.get(_header_key(cell or ""))
        if column is None:
            continue
        if column in found:
            problems.append(error(1, column, "duplicate column"))
            continue
        found[column] = index
    problems += [error(1, column, "missing column") for column in REQUIRED if column not in found]
    return {index: column for column, index in found.items()}, problems


def _check_row(number: int, raw: dict[str, str | None]) -> Entry:
    values: dict[str, str | None] = {}
    errors = []
    for column in COLUMNS:
        try:
            values[column] = _clean(column, raw.get(column))
        except ValueError as problem:
            values[column] = None
            errors.append(error(number, column, str(problem)))
    name = values["full_name"]
    if name is None:
        return Entry(number, values, errors)
    fields = _person(values)
    return Entry(number, values, errors, fold(name), name_sort_bytes(name), search_key(fields))


def _clean(column: str, value: str | None) -> str | None:
    """The cell cleaned as the API cleans a name, or ValueError with the reason for the report."""
    if value is None or not value.strip():
        if column in REQUIRED:
            raise ValueError("must not be empty")
        return None
    if column in WRAPPED:
        value = LINE_BREAK.sub(" ", value)
    try:
        text = clean_name(value, column, max_len=sys.maxsize)
    except Invalid as problem:
        raise ValueError(problem.details[column]) from None
    if len(text) > LIMITS[column]:
        raise ValueError(f"longer than {LIMITS[column]} characters")
    if column == "email" and not EMAIL.fullmatch(text):
        raise ValueError("not an email address")
    return text


def _person(values: dict[str, str | None]) -> PersonFields:
    name = values["full_name"]
    assert name is not None
    return PersonFields(
        full_name=name,
        position=values["position"],
        organization=values["organization"],
        role_in_meeting=values["role_in_meeting"],
        email=values["email"],
        phone=values["phone"],
    )
