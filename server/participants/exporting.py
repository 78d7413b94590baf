"""Roster and attendance-per-point sheets, and the import template, ready to render as CSV or XLSX."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Point
from server.conferences.operations import get_conference
from server.participants.operations import list_participants
from server.participants.roster_file import COLUMNS
from server.participants.tabular import Cell, write_csv, write_xlsx
from server.points import counters
from server.points.operations import get_point

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ROSTER_HEADER = (
    "point_code", "point_name", "full_name", "position", "organization", "role_in_meeting", "email", "phone",
    "on_roster", "present", "checked_in_at",
)
# The live figures as GET …/attendance gives them: invited_present + represented + absent = expected, people = present.
ATTENDANCE_HEADER = (
    "point_code", "point_name", "region", "expected", "invited_present", "represented", "absent", "rate_percent",
    "substitutes", "walk_ins", "people", "present", "last_checkin_at",
)
EXAMPLE = {
    "full_name": "Nguyễn Thị Hồng",
    "position": "Phó Giám đốc",
    "organization": "Sở Tư pháp tỉnh Hậu Giang",
    "role_in_meeting": "Đại biểu",
    "email": "hong.nt@example.vn",
    "phone": "0912 345 678",
}


@dataclass(frozen=True)
class Sheet:
    """One table to download: an ASCII file stem, a Vietnamese title for filename* and the sheet, and the cells."""

    stem: str
    title: str
    header: tuple[str, ...]
    rows: list[list[Cell]]


def render(sheet: Sheet, fmt: str) -> bytes:
    """The sheet as file bytes; CPU-bound for big rosters, so callers run it off the event loop."""
    if fmt == "xlsx":
        return write_xlsx(sheet.title, sheet.header, sheet.rows)
    return write_csv(sheet.header, sheet.rows)


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Wall-clock time in the conference's zone: what the secretariat reads, and what XLSX can hold (no offsets)."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment is not None else None


async def roster_sheet(session: AsyncSession, conference_id: int, point_id: int | None = None) -> Sheet:
    """Everyone of the conference, or of one point, in Vietnamese name order, with presence."""
    conference = await get_conference(session, conference_id)
    zone = ZoneInfo(conference.timezone)
    stem, title = f"roster-{conference_id}", "Danh sách đại biểu"
    if point_id is not None:
        point = await get_point(session, conference_id, point_id)
        stem, title = f"{stem}-point-{point_id}", f"{title} – {point.name}"
    listed, _ = await list_participants(session, conference_id, point_id)
    rows: list[list[Cell]] = [
        [
            r.point.code,
            r.point.name,
            r.person.full_name,
            r.person.position,
            r.person.organization,
            r.person.role_in_meeting,
            r.person.email,
            r.person.phone,
            r.person.on_roster,
            r.checked_in_at is not None,
            _local(r.checked_in_at, zone),
        ]
        for r in listed
    ]
    return Sheet(stem, title, ROSTER_HEADER, rows)


async def attendance_sheet(session: AsyncSession, conference_id: int) -> Sheet:
    """The attendance sheet, one row per point, from the counters kept with every check-in."""
    conference = await get_conference(session, conference_id)
    zone = ZoneInfo(conference.timezone)
    points = await session.scalars(
        select(Point).where(Point.conference_id == conference_id).order_by(Point.is_host.desc(), Point.code)
    )
    rows: list[list[Cell]] = []
    for p in points:
        row = counters.point_row(p)
        rows.append([
            p.code, p.name, p.region, row["expected"], row["invited_present"], row["represented"], row["absent"],
            None if row["rate"] is None else round(100 * row["rate"], 1),
            row["substitutes"], row["walk_ins"], row["people"], row["present"], _local(p.last_checkin_at, zone),
        ])
    return Sheet(f"attendance-{conference_id}", "Điểm danh theo điểm cầu", ATTENDANCE_HEADER, rows)


async def template_sheet(session: AsyncSession, conference_id: int) -> Sheet:
    """The import columns and one example row, at one of this conference's bridge points."""
    await get_conference(session, conference_id)
    code = await session.scalar(
        select(Point.code).where(Point.conference_id == conference_id).order_by(Point.is_host, Point.code).limit(1)
    )
    example: list[Cell] = [code if column == "point_code" else EXAMPLE[column] for column in COLUMNS]
    return Sheet("roster-template", "Mẫu danh sách đại biểu", COLUMNS, [example])
