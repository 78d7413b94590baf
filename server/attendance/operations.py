"""Check people in and out at a point, undo a mistaken check-in; read the attendance sheet."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Checkin, Participant, Point, iso, utcnow
from server import events
from server.attendance.room import Stay, room_of
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Conflict
from server.lookup import in_conference
from server.participants.operations import (
    PersonFields,
    add_participant,
    get_participant,
    participant_dict,
)
from server.points import counters
from server.points.operations import get_point

UNDO_WINDOW = timedelta(minutes=5)


async def check_in(
    session: AsyncSession,
    conference_id: int,
    point_id: int,
    actor: str,
    participant_id: int | None = None,
    walk_in: PersonFields | None = None,
    substitute_for: int | None = None,
) -> tuple[Checkin, Participant]:
    """Check in a roster member, or a person by name: a walk-in, or a substitute for a roster member."""
    require_not_closed(await get_conference(session, conference_id))
    if substitute_for is not None:
        absent = await get_participant(session, conference_id, substitute_for, point_id)
        if not absent.on_roster:
            raise Conflict(
                "Only a roster member can be substituted for", {"substitute_for": substitute_for}, code="not_on_roster"
            )
        if (await room_of(session, [absent])).stay_of(absent.id) is not None:
            raise Conflict(
                "The roster member is present in person", {"substitute_for": substitute_for}, code="already_checked_in"
            )
    if walk_in is not None:
        person = await add_participant(
            session, conference_id, point_id, walk_in, on_roster=False, substitute_for_id=substitute_for, announce=False
        )
    else:
        assert participant_id is not None
        person = await get_participant(session, conference_id, participant_id, point_id)
    planned, moves = (await room_of(session, [person])).admit(person, point_id, utcnow())
    stay = Checkin(
        conference_id=conference_id,
        point_id=point_id,
        participant_id=person.id,
        substitute_for_id=planned.substitute_for_id,
        walk_in=planned.walk_in,
        checked_in_at=planned.checked_in_at,
        checked_in_by=actor,
    )
    session.add(stay)
    await session.flush()
    await counters.adjust(session, conference_id, point_id, last_checkin_at=planned.checked_in_at, **moves)
    await events.append(session, conference_id, checked_in(person, stay), events.for_point(point_id))
    return stay, person


def checked_in(person: Participant | Row[Any], stay: Checkin | Stay) -> payloads.Payload:
    """The attendance.checked_in event, whose data with `participant_id` added is the answer to the check-in."""
    return payloads.attendance_checked_in(
        participant_dict(person, stay.checked_in_at), stay.id, stay.substitute_for_id, stay.walk_in
    )


def checked_out(person: Participant | Row[Any], checkin_id: int | None, at: datetime) -> payloads.Payload:
    return payloads.attendance_checked_out(participant_dict(person, None), checkin_id, at)


async def _close_stay(
    session: AsyncSession, conference_id: int, person: Participant, stay: Checkin, actor: str
) -> None:
    """Check a present stay out now, moving the counters."""
    _, moves = (await room_of(session, [person])).release(person)
    stay.checked_out_at, stay.checked_out_by = utcnow(), actor
    await counters.adjust(session, conference_id, stay.point_id, last_checkin_at=None, **moves)


async def _open_stay(
    session: AsyncSession, conference_id: int, point_id: int, participant_id: int
) -> tuple[Participant, Checkin]:
    """The participant at this point and their present stay, which check-out and undo end."""
    require_not_closed(await get_conference(session, conference_id))
    person = await get_participant(session, conference_id, participant_id, point_id)
    stay = (await room_of(session, [person])).stay_of(person.id)
    if stay is None:
        raise Conflict("Not checked in", {"participant_id": participant_id}, code="not_checked_in")
    return person, await session.get_one(Checkin, stay.id)


async def check_out(
    session: AsyncSession, conference_id: int, point_id: int, participant_id: int, actor: str
) -> Participant:
    person, stay = await _open_stay(session, conference_id, point_id, participant_id)
    await _close_stay(session, conference_id, person, stay, actor)
    assert stay.checked_out_at is not None
    left = checked_out(person, stay.id, stay.checked_out_at)
    await events.append(session, conference_id, left, events.for_point(point_id))
    return person


async def undo_check_in(
    session: AsyncSession, conference_id: int, point_id: int, participant_id: int, actor: str
) -> Participant:
    """Take back a mistaken check-in made in the last five minutes; the stay is kept, marked undone."""
    person, stay = await _open_stay(session, conference_id, point_id, participant_id)
    if utcnow() - stay.checked_in_at > UNDO_WINDOW:
        raise Conflict(
            "A check-in can be undone only within five minutes; check the person out instead",
            {"participant_id": participant_id, "checked_in_at": iso(stay.checked_in_at)},
            code="undo_expired",
        )
    await _close_stay(session, conference_id, person, stay, actor)
    stay.undone_at, stay.undone_by = stay.checked_out_at, actor
    undone = payloads.attendance_checkin_undone(participant_dict(person, None), stay.id, stay.undone_at)
    await events.append(session, conference_id, undone, events.for_point(point_id))
    return person


async def strike_stay(session: AsyncSession, conference_id: int, checkin_id: int, actor: str, reason: str) -> Checkin:
    """Staff strike a stay made by mistake from the record, after the undo window, saying why; an open one ends."""
    require_not_closed(await get_conference(session, conference_id))
    stay = await in_conference(session, Checkin, conference_id, checkin_id, "stay", "checkin_id")
    if stay.undone_at is not None:
        raise Conflict("This stay is already struck from the record", {"checkin_id": checkin_id}, code="already_struck")
    person = await get_participant(session, conference_id, stay.participant_id)
    was_open = stay.checked_out_at is None
    if was_open:
        await _close_stay(session, conference_id, person, stay, actor)
    stay.undone_at, stay.undone_by, stay.undo_reason = utcnow(), actor, reason
    still_here = None if was_open else (await room_of(session, [person])).stay_of(person.id)
    here = participant_dict(person, None if still_here is None else still_here.checked_in_at)
    struck = payloads.attendance_stay_struck(here, stay.id, stay.undone_at, reason, was_open)
    await events.append(session, conference_id, struck, events.for_point(stay.point_id))
    return stay


def stay_dict(stay: Checkin) -> dict[str, Any]:
    return {
        "checkin_id": stay.id,
        "participant_id": stay.participant_id,
        "point_id": stay.point_id,
        "checked_in_at": iso(stay.checked_in_at),
        "checked_in_by": stay.checked_in_by,
        "checked_out_at": iso(stay.checked_out_at),
        "checked_out_by": stay.checked_out_by,
        "undone_at": iso(stay.undone_at),
        "undone_by": stay.undone_by,
        "undo_reason": stay.undo_reason,
        "substitute_for": stay.substitute_for_id,
        "walk_in": stay.walk_in,
    }


async def movements(
    session: AsyncSession, conference_id: int, participant_id: int, at_point: int | None = None
) -> list[dict[str, Any]]:
    """Every stay of a participant, undone ones included: the audit trail of check-ins."""
    await get_participant(session, conference_id, participant_id, at_point)
    stays = await session.scalars(select(Checkin).where(Checkin.participant_id == participant_id).order_by(Checkin.id))
    return [stay_dict(s) for s in stays]


async def stays(session: AsyncSession, conference_id: int, point_id: int) -> list[dict[str, Any]]:
    """Every stay at a point with who it was, in order: what staff check before the record is frozen."""
    await get_point(session, conference_id, point_id)
    rows = await session.execute(
        select(Checkin, Participant.full_name, Participant.on_roster)
        .join(Participant, Participant.id == Checkin.participant_id)
        .where(Checkin.conference_id == conference_id, Checkin.point_id == point_id)
        .order_by(Checkin.id)
    )
    return [{**stay_dict(stay), "full_name": name, "on_roster": on_roster} for stay, name, on_roster in rows.all()]


async def attendance(session: AsyncSession, conference_id: int) -> dict[str, Any]:
    """Expected (roster size), present, substitutes and walk-ins per point, read from the counters."""
    conference = await get_conference(session, conference_id)
    points = await session.scalars(
        select(Point).where(Point.conference_id == conference_id).order_by(Point.is_host.desc(), Point.code)
    )
    return {"points": [counters.point_row(p) for p in points], "totals": counters.totals_of(conference)}
