"""Add roster members and list them with presence, in Vietnamese name order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from schema.events import payloads
from schema.tables import Checkin, Participant, Point, iso
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Conflict, Forbidden
from server.lookup import in_conference
from server.points import counters
from server.points.operations import get_point
from server.text import fold, name_sort_bytes


@dataclass(frozen=True)
class PersonFields:
    """The descriptive fields of a participant, already cleaned."""

    full_name: str
    position: str | None = None
    organization: str | None = None
    role_in_meeting: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Listed:
    """A participant with where and since when they are present, or when they last left."""

    person: Participant
    point: Point
    checked_in_at: datetime | None
    checked_out_at: datetime | None


async def get_participant(
    session: AsyncSession, conference_id: int, participant_id: int, at_point: int | None = None
) -> Participant:
    """The participant; with `at_point`, only if they belong to that point (an operator's reach)."""
    person = await in_conference(session, Participant, conference_id, participant_id, "participant", "participant_id")
    if at_point is not None and person.point_id != at_point:
        raise other_point(person.id)
    return person


def other_point(participant_id: int) -> Forbidden:
    """An operator reaching for someone of another bridge point."""
    return Forbidden("This participant belongs to another bridge point", {"participant_id": participant_id})


async def add_participant(
    session: AsyncSession,
    conference_id: int,
    point_id: int,
    fields: PersonFields,
    on_roster: bool = True,
    substitute_for_id: int | None = None,
    announce: bool = True,
) -> Participant:
    require_not_closed(await get_conference(session, conference_id))
    await get_point(session, conference_id, point_id)
    person = Participant(
        conference_id=conference_id,
        point_id=point_id,
        full_name=fields.full_name,
        position=fields.position,
        organization=fields.organization,
        role_in_meeting=fields.role_in_meeting,
        email=fields.email,
        phone=fields.phone,
        search_key=search_key(fields),
        sort_key=name_sort_bytes(fields.full_name),
        on_roster=on_roster,
        substitute_for_id=substitute_for_id,
    )
    session.add(person)
    await session.flush()
    if on_roster:
        await counters.adjust(session, conference_id, point_id, expected=1)
    if announce:
        added = payloads.participant_added(participant_dict(person, None))
        await events.append(session, conference_id, added, events.for_point(point_id))
    return person


async def note_absence(
    session: AsyncSession, conference_id: int, participant_id: int, reason: str | None, at_point: int | None = None
) -> dict[str, object]:
    """Record (or clear, with None) why a roster member is absent; the record lists it beside their name."""
    require_not_closed(await get_conference(session, conference_id))
    person = await get_participant(session, conference_id, participant_id, at_point)
    if not person.on_roster:
        raise Conflict("Only a roster member can be absent", {"participant_id": participant_id}, code="not_on_roster")
    person.absence_reason = reason
    here = await session.scalar(
        select(Checkin.checked_in_at).where(Checkin.participant_id == person.id, Checkin.checked_out_at.is_(None))
    )
    data = participant_dict(person, here)
    await events.append(session, conference_id, payloads.participant_updated(data), events.for_point(person.point_id))
    return data


def search_key(fields: PersonFields) -> str:
    """What roster search matches against: name, position and organisation, folded."""
    return fold(" ".join(filter(None, [fields.full_name, fields.position, fields.organization])))


async def list_participants(
    session: AsyncSession,
    conference_id: int,
    point_id: int | None = None,
    query: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Listed], int]:
    """One page of the roster in Vietnamese name order, with presence, and how many match in all."""
    await get_conference(session, conference_id)
    where = [Participant.conference_id == conference_id]
    if point_id is not None:
        where.append(Participant.point_id == point_id)
    for word in fold(query or "").split():
        where.append(Participant.search_key.contains(word, autoescape=True))
    total = await session.scalar(select(func.count()).select_from(Participant).where(*where))
    # The end of the last stay that counts: an undone check-in never happened, so it is not a departure.
    past = aliased(Checkin)
    left = (
        select(func.max(past.checked_out_at))
        .where(past.participant_id == Participant.id, past.undone_at.is_(None))
        .scalar_subquery()
    )
    stmt = (
        select(Participant, Point, Checkin.checked_in_at, left)
        .join(Point, Point.id == Participant.point_id)
        .outerjoin(Checkin, (Checkin.participant_id == Participant.id) & Checkin.checked_out_at.is_(None))
        .where(*where)
        .order_by(Participant.sort_key, Participant.id)
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return [Listed(p, pt, at, None if at else out) for p, pt, at, out in rows], int(total or 0)


def participant_dict(person: Participant | Row[Any], checked_in_at: datetime | None) -> dict[str, object]:
    return {
        "id": person.id,
        "conference_id": person.conference_id,
        "point_id": person.point_id,
        "full_name": person.full_name,
        "position": person.position,
        "organization": person.organization,
        "role_in_meeting": person.role_in_meeting,
        "email": person.email,
        "phone": person.phone,
        "on_roster": person.on_roster,
        "substitute_for": person.substitute_for_id,
        "absence_reason": person.absence_reason,
        "present": checked_in_at is not None,
        "checked_in_at": iso(checked_in_at),
    }


def not_present(participant_id: int, doing: str) -> Conflict:
    """Some things are done only for someone in the room: asking for the floor, input filed by an operator."""
    return Conflict(
        f"Only a participant who is checked in can {doing}", {"participant_id": participant_id}, code="not_present"
    )
