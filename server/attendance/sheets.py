"""Attendance sheets of bridge points (danh sách đại biểu tham dự): to sign on paper before, and as recorded after."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Checkin, Participant, Point
from server.conferences.operations import get_conference
from server.errors import Invalid
from server.attendance.printing import sheets_pdf
from server.points.operations import get_point, list_points
from server.summary.compile import rate
from server.summary.document import document_part
from server.summary.render import ATTENDANCE_COLUMNS

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


def _role(person: Participant) -> str:
    return ", ".join(part for part in (person.position, person.organization) if part)


class _Recorded:
    """Who the counted stays say came, when and in whose place, read as the record reads them (summary/compile.py)."""

    def __init__(self, zone: ZoneInfo, stays: Sequence[_Stay], people: dict[int, Participant]) -> None:
        self.zone = zone
        self.people = people
        self.stays = stays
        # Stays come oldest first: the first one seen is a person's arrival.
        self.arrived: dict[int, datetime] = {}
        # Only a stay of one's own (not in someone's place, not by name) counts a roster member as present.
        self.in_person: set[int] = set()
        self.stood_in: dict[int, list[int]] = defaultdict(list)
        for stay in stays:
            self.arrived.setdefault(stay.participant_id, stay.checked_in_at)
            if stay.substitute_for_id is None and not stay.walk_in:
                self.in_person.add(stay.participant_id)
            elif stay.substitute_for_id is not None and stay.participant_id not in self.stood_in[stay.substitute_for_id]:
                self.stood_in[stay.substitute_for_id].append(stay.participant_id)

    def time(self, participant_id: int) -> str:
        return self.arrived[participant_id].astimezone(self.zone).strftime("%H:%M")

    def roster_row(self, person: Participant) -> tuple[dict[str, str], str]:
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
        for stay in self.stays:
            if stay.point_id != point_id:
                continue
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
    counts = {**counts, "people": counts["invited_present"] + counts["substitutes"] + counts["walk_ins"]}
    counts["rate"] = rate(counts["invited_present"], counts["expected"]) or "–"
    return "; ".join(f"{label}: {counts[key]}" for key, label in ATTENDANCE_COLUMNS) + "."


async def _stays(session: AsyncSession, conference_id: int, point_ids: Sequence[int]) -> list[_Stay]:
    """The counted stays at these points, and those of their roster members or made in their place anywhere."""
    roster = select(Participant.id).where(Participant.conference_id == conference_id, Participant.point_id.in_(point_ids))
    rows = await session.execute(
        select(Checkin.participant_id, Checkin.point_id, Checkin.substitute_for_id, Checkin.walk_in, Checkin.checked_in_at)
        .where(
            Checkin.conference_id == conference_id,
            Checkin.undone_at.is_(None),
            or_(Checkin.point_id.in_(point_ids), Checkin.participant_id.in_(roster), Checkin.substitute_for_id.in_(roster)),
        )
        .order_by(Checkin.checked_in_at, Checkin.id)
    )
    return [_Stay(*row) for row in rows.all()]


async def _people(session: AsyncSession, conference_id: int, point_ids: Sequence[int], stays: Sequence[_Stay]) -> dict[int, Participant]:
    """The points' roster members and everyone a stay names, by id."""
    named = {s.participant_id for s in stays} | {s.substitute_for_id for s in stays if s.substitute_for_id is not None}
    rows = await session.scalars(
        select(Participant).where(
            Participant.conference_id == conference_id,
            or_(Participant.point_id.in_(point_ids), Participant.id.in_(named)),
        )
    )
    return {p.id: p for p in rows.all()}


def _sheet(point: Point, when: str, people: dict[int, Participant], recorded: _Recorded) -> dict[str, Any]:
    roster = sorted((p for p in people.values() if p.point_id == point.id and p.on_roster), key=lambda p: (p.sort_key, p.id))
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


async def attendance_sheets(session: AsyncSession, conference_id: int, when: str, point_id: int | None = None) -> Sheets:
    """The sheets of one point, or of every point in the points' order (the host first, then by code)."""
    conference = await get_conference(session, conference_id)
    points = [await get_point(session, conference_id, point_id)] if point_id is not None else await list_points(session, conference_id)
    point_ids = [p.id for p in points]
    zone = ZoneInfo(conference.timezone)
    stays = await _stays(session, conference_id, point_ids) if when == "after" else []
    people = await _people(session, conference_id, point_ids, stays)
    recorded = _Recorded(zone, stays, people)
    document = document_part(
        conference.record_header, title=conference.title, chair_name=conference.chair_name,
        dated=conference.starts_at.astimezone(zone),
    )
    data = {
        "header": {key: document[key] for key in ("parent_body", "issuing_body", "national_title", "motto", "date_text")},
        "title": TITLE,
        "workshop": conference.title,
        "note": NOTES[when],
        "when": when,
        "sheets": [_sheet(point, when, people, recorded) for point in points],
    }
    # A closed workshop's sheets are the same bytes at every download; before the close, the workshop's creation.
    # Typst takes the date in whole seconds.
    return Sheets(data, (conference.closed_at or conference.created_at).replace(microsecond=0))
