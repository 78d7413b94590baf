"""Read a badge sheet of a point, and find whom a scanned code names."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Participant
from server.badges.codes import participant_code, read_code
from server.conferences.operations import get_conference
from server.errors import Forbidden, Invalid
from server.participants.operations import get_participant
from server.points.operations import get_point


@dataclass(frozen=True)
class Badge:
    """What one badge shows."""

    full_name: str
    position: str | None
    organization: str | None
    code: str


@dataclass(frozen=True)
class Sheet:
    """The badges of one point's roster, in Vietnamese name order."""

    conference_title: str
    point_name: str
    created_at: datetime
    badges: list[Badge]


async def badge_sheet(session: AsyncSession, secret: bytes, conference_id: int, point_id: int) -> Sheet:
    conference = await get_conference(session, conference_id)
    point = await get_point(session, conference_id, point_id)
    roster = await session.scalars(
        select(Participant)
        .where(Participant.conference_id == conference_id, Participant.point_id == point_id, Participant.on_roster)
        .order_by(Participant.sort_key, Participant.id)
    )
    badges = [
        Badge(p.full_name, p.position, p.organization, participant_code(secret, conference_id, p.id)) for p in roster
    ]
    return Sheet(conference.title, point.name, conference.created_at, badges)


async def participant_for_code(
    session: AsyncSession, secret: bytes, conference_id: int, point_id: int, code: str
) -> int:
    """The id of the participant a scanned code names, if they belong to this conference and point."""
    participant_id = participant_of_code(secret, conference_id, code)
    person = await get_participant(session, conference_id, participant_id)
    if person.point_id != point_id:
        raise await wrong_point(session, conference_id, person.id, person.point_id)
    return person.id


def participant_of_code(secret: bytes, conference_id: int, code: str) -> int:
    """The participant id a scanned code names, if it was made for this conference; whether they exist is not asked."""
    code_conference, participant_id = read_code(secret, code)
    if code_conference != conference_id:
        raise Invalid("This code belongs to another conference", {"code": "another conference"}, code="foreign_code")
    return participant_id


async def wrong_point(session: AsyncSession, conference_id: int, participant_id: int, point_id: int) -> Forbidden:
    """A scanned badge of someone of another point: the operator is told which point they belong to."""
    point = await get_point(session, conference_id, point_id)
    return Forbidden(
        f"This person belongs to another bridge point: {point.name}",
        {"participant_id": participant_id, "point_id": point.id, "point": point.name},
        code="wrong_point",
    )
