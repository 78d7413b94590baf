"""Check people in and out at a point, undo a mistaken check-in; read the attendance sheet."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Checkin, Participant, Point, iso, utcnow
from server import events
from server.attendance import counters
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Conflict
from server.participants.operations import (
    PersonFields,
    add_participant,
    get_participant,
    participant_dict,
)

UNDO_WINDOW = timedelta(minutes=5)


async def _present_stay(session: AsyncSession, participant_id: int) -> Checkin | None:
    return await session.scalar(
        select(Checkin).where(Checkin.participant_id == participant_id, Checkin.checked_out_at.is_(None))
    )


def _kind(stay: Checkin) -> dict[str, int]:
    """How a stay moves the counters besides `present`."""
    return {"substitutes": 1 if stay.substitute_for_id is not None else 0, "walk_ins": 1 if stay.walk_in else 0}


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
            raise Conflict("Only a roster member can be substituted for", {"substitute_for": substitute_for}, code="not_on_roster")
        if await _present_stay(session, absent.id) is not None:
            raise Conflict("The roster member is present in person", {"substitute_for": substitute_for}, code="already_checked_in")
    if walk_in is not None:
        person = await add_participant(
            session, conference_id, point_id, walk_in, on_roster=False, substitute_for_id=substitute_for, announce=False
        )
    else:
        assert participant_id is not None
        person = await get_participant(session, conference_id, participant_id, point_id)
        if await _present_stay(session, person.id) is not None:
            raise Conflict("Already checked in", {"participant_id": person.id}, code="already_checked_in")
    now = utcnow()
    stay = Checkin(
        conference_id=conference_id,
        point_id=point_id,
        participant_id=person.id,
        substitute_for_id=substitute_for,
        walk_in=walk_in is not None and substitute_for is None,
        checked_in_at=now,
        checked_in_by=actor,
    )
    session.add(stay)
    await session.flush()
    counts = await counters.adjust(session, conference_id, point_id, last_checkin_at=now, present=1, **_kind(stay))
    data = {**participant_dict(person, stay.checked_in_at), "checkin_id": stay.id, "substitute_for": substitute_for, "walk_in": stay.walk_in}
    await events.append(session, conference_id, "attendance.checked_in", data, events.for_point(point_id))
    await _announce_totals(session, conference_id, point_id, counts)
    return stay, person


Counts = tuple[dict[str, Any], dict[str, int]]


async def _end_stay(
    session: AsyncSession, conference_id: int, point_id: int, participant_id: int
) -> tuple[Participant, Checkin, Counts]:
    require_not_closed(await get_conference(session, conference_id))
    person = await get_participant(session, conference_id, participant_id, point_id)
    stay = await _present_stay(session, person.id)
    if stay is None:
        raise Conflict("Not checked in", {"participant_id": participant_id}, code="not_checked_in")
    counts = await counters.adjust(session, conference_id, point_id, present=-1, **{k: -v for k, v in _kind(stay).items()})
    return person, stay, counts


async def check_out(session: AsyncSession, conference_id: int, point_id: int, participant_id: int, actor: str) -> Participant:
    person, stay, counts = await _end_stay(session, conference_id, point_id, participant_id)
    stay.checked_out_at, stay.checked_out_by = utcnow(), actor
    data = {**participant_dict(person, None), "checkin_id": stay.id, "checked_out_at": iso(stay.checked_out_at)}
    await events.append(session, conference_id, "attendance.checked_out", data, events.for_point(point_id))
    await _announce_totals(session, conference_id, point_id, counts)
    return person


async def undo_check_in(session: AsyncSession, conference_id: int, point_id: int, participant_id: int, actor: str) -> Participant:
    """Take back a mistaken check-in made in the last five minutes; the stay is kept, marked undone."""
    person, stay, counts = await _end_stay(session, conference_id, point_id, participant_id)
    now = utcnow()
    if now - stay.checked_in_at > UNDO_WINDOW:
        raise Conflict(
            "A check-in can be undone only within five minutes; check the person out instead",
            {"participant_id": participant_id, "checked_in_at": iso(stay.checked_in_at)},
            code="undo_expired",
        )
    stay.checked_out_at, stay.checked_out_by = now, actor
    stay.undone_at, stay.undone_by = now, actor
    data = {**participant_dict(person, None), "checkin_id": stay.id, "undone_at": iso(now)}
    await events.append(session, conference_id, "attendance.checkin_undone", data, events.for_point(point_id))
    await _announce_totals(session, conference_id, point_id, counts)
    return person


async def movements(session: AsyncSession, conference_id: int, participant_id: int, at_point: int | None = None) -> list[dict[str, Any]]:
    """Every stay of a participant, undone ones included: the audit trail of check-ins."""
    await get_participant(session, conference_id, participant_id, at_point)
    stays = await session.scalars(select(Checkin).where(Checkin.participant_id == participant_id).order_by(Checkin.id))
    return [
        {
            "checkin_id": s.id,
            "point_id": s.point_id,
            "checked_in_at": iso(s.checked_in_at),
            "checked_in_by": s.checked_in_by,
            "checked_out_at": iso(s.checked_out_at),
            "checked_out_by": s.checked_out_by,
            "undone_at": iso(s.undone_at),
            "undone_by": s.undone_by,
            "substitute_for": s.substitute_for_id,
            "walk_in": s.walk_in,
        }
        for s in stays
    ]


async def _announce_totals(session: AsyncSession, conference_id: int, point_id: int, counts: Counts) -> None:
    point, totals = counts
    await events.append(
        session, conference_id, "attendance.totals_changed", {"point_id": point_id, "point": point, "totals": totals}, events.PUBLIC
    )


async def attendance(session: AsyncSession, conference_id: int) -> dict[str, Any]:
    """Expected (roster size), present, substitutes and walk-ins per point, read from the counters."""
    conference = await get_conference(session, conference_id)
    points = await session.scalars(
        select(Point).where(Point.conference_id == conference_id).order_by(Point.is_host.desc(), Point.code)
    )
    return {"points": [counters.point_row(p) for p in points], "totals": counters.totals_of(conference)}
