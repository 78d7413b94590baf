"""The agenda as a table: exported with its times, imported from CSV or XLSX in one all-or-nothing step."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import AgendaItem, Point
from server.agenda.operations import KINDS, agenda_view, announce
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Invalid
from server.participants.exporting import Sheet
from server.participants.tabular import Unreadable, read_table
from server.text import clean_name, fold

HEADER = ("position", "title", "kind", "presenter", "point_code", "planned_minutes", "speech_limit_seconds",
          "planned_start", "status", "started_at", "finished_at")
REQUIRED = ("title", "kind", "planned_minutes")
ACCEPTED = {fold(name): name for name in HEADER} | {
    "noi dung": "title", "tieu de": "title", "loai": "kind", "nguoi trinh bay": "presenter",
    "ma diem cau": "point_code", "so phut": "planned_minutes", "thoi luong (phut)": "planned_minutes",
}
MAX_ROWS = 500


async def agenda_sheet(session: AsyncSession, conference_id: int) -> Sheet:
    conference = await get_conference(session, conference_id)
    zone = ZoneInfo(conference.timezone)
    view = await agenda_view(session, conference_id)
    codes = dict(
        (await session.execute(select(Point.id, Point.code).where(Point.conference_id == conference_id))).all()
    )

    def local(value: str | None) -> str:
        return "" if value is None else datetime.fromisoformat(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")

    rows: list[list[Any]] = [
        [
            i["position"],
            i["title"],
            i["kind"],
            i["presenter"],
            codes.get(i["point_id"]),
            i["planned_minutes"] + i["extended_minutes"],
            i["speech_limit_seconds"],
            local(i["planned_start"]),
            i["status"],
            local(i["started_at"]),
            local(i["finished_at"]),
        ]
        for i in view["items"]
    ]
    return Sheet(
        stem=f"agenda-{conference_id}", title=f"Chương trình hội thảo {conference_id}", header=HEADER, rows=rows
    )


def _number(value: str | None, column: str, row: int, errors: list[dict[str, Any]], low: int, high: int) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        number = int(float(value))
    except ValueError:
        errors.append({"row": row, "column": column, "reason": "not a number"})
        return None
    if not low <= number <= high:
        errors.append({"row": row, "column": column, "reason": f"must be between {low} and {high}"})
        return None
    return number


def _name(value: str | None, column: str, row: int, errors: list[dict[str, Any]]) -> str | None:
    try:
        return clean_name(value or "", column)
    except Invalid as error:
        errors.append({"row": row, "column": column, "reason": str(error.details.get(column, error.message))})
        return None


async def import_agenda(session: AsyncSession, conference_id: int, raw: bytes) -> dict[str, Any]:
    """Append the file's items after the existing ones; a file with any bad row adds nothing."""
    require_not_closed(await get_conference(session, conference_id))
    try:
        table = list(read_table(raw))
    except Unreadable as error:
        raise Invalid(str(error), {"errors": [{"row": 1, "column": None, "reason": str(error)}]}) from None
    if not table:
        raise Invalid("The file is empty", {"errors": [{"row": 1, "column": None, "reason": "empty file"}]})
    columns = [ACCEPTED.get(fold(cell or "")) for cell in table[0]]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise Invalid(
            "Required columns are missing",
            {"errors": [{"row": 1, "column": m, "reason": "missing column"} for m in missing]},
        )
    if len(table) - 1 > MAX_ROWS:
        raise Invalid(
            f"At most {MAX_ROWS} agenda items", {"errors": [{"row": 1, "column": None, "reason": "too many rows"}]}
        )
    codes = {code.upper(): pid for pid, code in (await session.execute(
        select(Point.id, Point.code).where(Point.conference_id == conference_id))).all()}
    errors: list[dict[str, Any]] = []
    items: list[AgendaItem] = []
    last = (
        await session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.conference_id == conference_id))
        or 0
    )
    for number, cells in enumerate(table[1:], start=2):
        row = {name: cells[i] if i < len(cells) else None for i, name in enumerate(columns) if name}
        if not any((v or "").strip() for v in row.values()):
            continue
        found = len(errors)
        title = _name(row.get("title"), "title", number, errors)
        presenter = (
            _name(row.get("presenter"), "presenter", number, errors) if (row.get("presenter") or "").strip() else None
        )
        kind = (row.get("kind") or "").strip().lower()
        if kind not in KINDS:
            errors.append({"row": number, "column": "kind", "reason": "one of " + ", ".join(KINDS)})
        minutes = _number(row.get("planned_minutes"), "planned_minutes", number, errors, 0, 24 * 60)
        if minutes is None and not any(e["row"] == number and e["column"] == "planned_minutes" for e in errors):
            errors.append({"row": number, "column": "planned_minutes", "reason": "required"})
        limit = _number(row.get("speech_limit_seconds"), "speech_limit_seconds", number, errors, 10, 7200)
        code = (row.get("point_code") or "").strip().upper()
        if code and code not in codes:
            errors.append({"row": number, "column": "point_code", "reason": "unknown point code"})
        if len(errors) == found:
            last += 1
            items.append(AgendaItem(
                conference_id=conference_id, position=last, title=title, kind=kind, planned_minutes=minutes,
                presenter=presenter, point_id=codes.get(code),
                speech_limit_seconds=limit, status="pending", extended_minutes=0,
            ))
    if errors:
        raise Invalid("The agenda file has errors; nothing was imported", {"errors": errors})
    session.add_all(items)
    await announce(session, conference_id)
    return {"created": len(items)}
