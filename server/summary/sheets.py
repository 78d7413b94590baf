"""Attendance sheets of bridge points (danh sách đại biểu tham dự): to sign on paper before, and as recorded after."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Checkin, Participant, Point
from server.conferences.operations import get_conference
from server.errors import Invalid
from server.points.operations import get_point, list_points
from server.summary.compile import rate
from server.summary.document import document_part
from server.summary.render import ATTENDANCE_COLUMNS
from server.summary.sheet_printing import sheets_pdf

WHEN = ("before", "after")
TITLE = "DANH SÁCH ĐẠI BIỂU THAM DỰ"
# Lines left empty under the roster, for those who come in someone's place or uninvited, to write themselves in.
BLANK_ROWS = 5
NOTES = {"before": "Danh sách để đại biểu ký tên", "after": "Theo ghi nhận điểm danh tại điểm cầu"}
FILE_WORDS = {"before": "truoc", "after": "sau"}


def parse_when(value: str | None) -> str:
    """`before` (the default) or `after`; anything else is Invalid."""
    when = value or "before"
    if when not in WHEN:
        raise Invalid("when must be before or after", {"when": "not one of before, after"})
    return when


def file_name(code: str, when: str) -> str:
    return f"danh-sach-{code}-{FILE_WORDS[when]}.pdf"


@dataclass(frozen=True)
class _Stay:
    """A counted stay (not undone, not struck): who, where, in whose place, whether uninvited, and since when."""

    participant_id: int
    point_id: int
    substitute_for_id: int | None
    walk_in: bool
    checked_in_at: datetime


# What a sheet says of a person: plain rows, not ORM objects, as a national workshop's sheets name 100,000 people.
PERSON = (Participant.id, Participant.point_id, Participant.full_name, Participant.position, Participant.organization,
          Participant.absence_reason, Participant.on_roster, Participant.sort_key)
Person: TypeAlias = "Row[int, int, str, str | None, str | None, str | None, bool, bytes]"


def _role(person: Person) -> str:
    return ", ".join(part for part in (person.position, person.organization) if part)


class _Recorded:
    """Who the counted stays say came, when and in whose place, read as the record reads them (summary/compile.py)."""

    def __init__(self, zone: ZoneInfo, stays: Sequence[_Stay], people: dict[int, Person]) -> None:
        self.zone = zone
        self.people = people
        self.at_point: dict[int, list[_Stay]] = defaultdict(list)
        # Stays come oldest first: the first one seen is a person's arrival.
        self.arrived: dict[int, datetime] = {}
        # Only a stay of one's own (not in someone's place, not by name) counts a roster member as present.
        self.in_person: set[int] = set()
        self.stood_in: dict[int, list[int]] = defaultdict(list)
        for stay in stays:
            self.at_point[stay.point_id].append(stay)
            self.arrived.setdefault(stay.participant_id, stay.checked_in_at)
            if stay.substitute_for_id is None and not stay.walk_in:
                self.in_person.add(stay.participant_id)
            elif (
                stay.substitute_for_id is not None and stay.participant_id not in self.stood_in[stay.substitute_for_id]
            ):
                self.stood_in[stay.substitute_for_id].append(stay.participant_id)

    def time(self, participant_id: int) -> str:
        return self.arrived[participant_id].astimezone(self.zone).strftime("%H:%M")

    def roster_row(self, person: Person) -> tuple[dict[str, str], str]:
        """A roster member as recorded, and how the record counts them: invited_present, represented or absent."""
        row = {"name": person.full_name, "role": _role(person), "time": "", "note": ""}
        if person.id in self.in_person:
            return {**row, "time": self.time(person.id)}, "invited_present"
        stand_ins = [self.people[i].full_name for i in self.stood_in.get(person.id, [])]
        if stand_ins:
            return {**row, "time": "Vắng", "note": "Vắng – có người dự thay: " + ", ".join(stand_ins)}, "represented"
        # The time column says "Vắng" already; the line under the name says why, when someone said.
        reason = f"Vắng – có lý do: {person.absence_reason}" if person.absence_reason else ""
        return {**row, "time": "Vắng", "note": reason}, "absent"

    def stand_in_rows(self, point_id: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """Who came in someone's place, and who came uninvited, at this point; each once, in name order."""
        substitutes: dict[int, int] = {}
        walk_ins: set[int] = set()
        for stay in self.at_point.get(point_id, []):
            if stay.substitute_for_id is not None:
                substitutes.setdefault(stay.participant_id, stay.substitute_for_id)
            elif stay.walk_in:
                walk_ins.add(stay.participant_id)

        def row(person_id: int, note: str) -> dict[str, str]:
            person = self.people[person_id]
            return {"name": person.full_name, "role": _role(person), "time": self.time(person_id), "note": note}

        def order(ids: Sequence[int] | set[int]) -> list[int]:
            return sorted(ids, key=lambda i: (self.people[i].sort_key, i))

        return (
            [row(i, f"Dự thay: {self.people[substitutes[i]].full_name}") for i in order(list(substitutes))],
            [row(i, "Khách mời") for i in order(walk_ins)],
        )


def _figures(counts: dict[str, int]) -> str:
    """The point's figures in the record's words and order (server.summary.render.ATTENDANCE_COLUMNS)."""
    shown: dict[str, int | str] = {
        **counts, "people": counts["invited_present"] + counts["substitutes"] + counts["walk_ins"]
    }
    shown["rate"] = rate(counts["invited_present"], counts["expected"]) or "–"
    return "; ".join(f"{label}: {shown[key]}" for key, label in ATTENDANCE_COLUMNS) + "."


def _counted(conference_id: int, point_id: int | None) -> ColumnElement[bool]:
    """The counted stays a point's sheet reads: at the point, and of its people or made in their place anywhere."""
    counted = (Checkin.conference_id == conference_id) & Checkin.undone_at.is_(None)
    if point_id is None:
        return counted
    here = select(Participant.id).where(Participant.conference_id == conference_id, Participant.point_id == point_id)
    return counted & or_(
        Checkin.point_id == point_id, Checkin.participant_id.in_(here), Checkin.substitute_for_id.in_(here)
    )


async def _stays(session: AsyncSession, conference_id: int, point_id: int | None) -> list[_Stay]:
    rows = await session.execute(
        select(
            Checkin.participant_id, Checkin.point_id, Checkin.substitute_for_id, Checkin.walk_in, Checkin.checked_in_at
        )
        .where(_counted(conference_id, point_id))
        .order_by(Checkin.checked_in_at, Checkin.id)
    )
    return [_Stay(*row) for row in rows.all()]


async def _people(session: AsyncSession, conference_id: int, point_id: int | None, after: bool) -> dict[int, Person]:
    """The point's people (or the workshop's), and after the workshop everyone its counted stays name, by id."""
    mine = true() if point_id is None else Participant.point_id == point_id
    if after and point_id is not None:
        stays = select(Checkin).where(_counted(conference_id, point_id))
        mine = or_(
            mine, Participant.id.in_(stays.with_only_columns(Checkin.participant_id)),
            Participant.id.in_(stays.with_only_columns(Checkin.substitute_for_id)),
        )
    rows = await session.execute(
        select(*PERSON)
        .where(Participant.conference_id == conference_id, mine)
        .order_by(Participant.sort_key, Participant.id)
    )
    return {p.id: p for p in rows.all()}


def _sheet(point: Point, when: str, roster: Sequence[Person], recorded: _Recorded) -> dict[str, Any]:
    head = {"point": point.name, "code": point.code}
    if when == "before":
        rows = [{"name": p.full_name, "role": _role(p), "time": "", "note": ""} for p in roster]
        return {**head, "rows": rows, "blank": BLANK_ROWS, "figures": None}
    counts = dict.fromkeys(("invited_present", "represented", "absent"), 0)
    rows = []
    for person in roster:
        row, counted = recorded.roster_row(person)
        rows.append(row)
        counts[counted] += 1
    substitutes, walk_ins = recorded.stand_in_rows(point.id)
    figures = _figures({"expected": len(roster), **counts, "substitutes": len(substitutes), "walk_ins": len(walk_ins)})
    return {**head, "rows": rows + substitutes + walk_ins, "blank": 0, "figures": figures}


@dataclass(frozen=True)
class Sheets:
    """What the sheets say, for the Typst template, and the one date their PDF carries."""

    data: dict[str, Any]
    created: datetime

    async def pdf(self) -> bytes:
        return await sheets_pdf(self.data, self.created)


async def attendance_sheets(
    session: AsyncSession, conference_id: int, when: str, point_id: int | None = None
) -> Sheets:
    """The sheets of one point, or of every point in the points' order (the host first, then by code)."""
    conference = await get_conference(session, conference_id)
    points = (
        [await get_point(session, conference_id, point_id)]
        if point_id is not None
        else await list_points(session, conference_id)
    )
    zone = ZoneInfo(conference.timezone)
    stays = await _stays(session, conference_id, point_id) if when == "after" else []
    people = await _people(session, conference_id, point_id, when == "after")
    recorded = _Recorded(zone, stays, people)
    # People come in Vietnamese name order, the operator's list's: each point's roster keeps it.
    rosters: dict[int, list[Person]] = defaultdict(list)
    for person in people.values():
        if person.on_roster:
            rosters[person.point_id].append(person)
    document = document_part(
        conference.record_header, title=conference.title, chair_name=conference.chair_name,
        dated=conference.starts_at.astimezone(zone),
    )
    data = {
        "header": {
            key: document[key] for key in ("parent_body", "issuing_body", "national_title", "motto", "date_text")
        },
        "title": TITLE,
        "workshop": conference.title,
        "note": NOTES[when],
        "when": when,
        "sheets": [_sheet(point, when, rosters[point.id], recorded) for point in points],
    }
    # A closed workshop's sheets are the same bytes at every download; before the close, the workshop's creation.
    return Sheets(data, conference.closed_at or conference.created_at)
