"""Check people in and out at a point; count who is expected and who is here."""
from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Checkin, Participant, Point, utcnow
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Conflict
from server.participants.operations import PersonFields, add_participant, get_participant, participant_dict


async def _present_stay(session: AsyncSession, participant_id: int) -> Checkin | None:
    return await session.scalar(
        select(Checkin).where(Checkin.participant_id == participant_id, Checkin.checked_out_at.is_(None))
    )


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
    stay = Checkin(
        conference_id=conference_id,
        point_id=point_id,
        participant_id=person.id,
        substitute_for_id=substitute_for,
        walk_in=walk_in is not None and substitute_for is None,
        checked_in_at=utcnow(),
        checked_in_by=actor,
    )
    session.add(stay)
    await session.flush()
    data = {**participant_dict(person, stay.checked_in_at), "checkin_id": stay.id, "substitute_for": substitute_for, "walk_in": stay.walk_in}
    await events.append(session, conference_id, "attendance.checked_in", data, events.for_point(point_id))
    await _announce_totals(session, conference_id, point_id)
    return stay, person


async def check_out(session: AsyncSession, conference_id: int, point_id: int, participant_id: int, actor: str) -> Participant:
    require_not_closed(await get_conference(session, conference_id))
    person = await get_participant(session, conference_id, participant_id, point_id)
    stay = await _present_stay(session, person.id)
    if stay is None:
        raise Conflict("Not checked in", {"participant_id": participant_id}, code="not_checked_in")
    stay.checked_out_at, stay.checked_out_by = utcnow(), actor
    data = {**participant_dict(person, None), "checkin_id": stay.id, "checked_out_at": stay.checked_out_at.isoformat()}
    await events.append(session, conference_id, "attendance.checked_out", data, events.for_point(point_id))
    await _announce_totals(session, conference_id, point_id)
    return person


async def _announce_totals(session: AsyncSession, conference_id: int, point_id: int) -> None:
    sheet = await attendance(session, conference_id)
    point = next(p for p in sheet["points"] if p["point_id"] == point_id)
    await events.append(
        session,
        conference_id,
        "attendance.totals_changed",
        {"point_id": point_id, "point": point, "totals": sheet["totals"]},
        events.PUBLIC,
    )


async def attendance(session: AsyncSession, conference_id: int) -> dict[str, Any]:
    """Expected (roster size), present, substitutes and walk-ins per point, and their totals."""
    await get_conference(session, conference_id)
    expected = dict(
        (
            await session.execute(
                select(Participant.point_id, func.count())
                .where(Participant.conference_id == conference_id, Participant.on_roster.is_(True))
                .group_by(Participant.point_id)
            )
        ).all()
    )
    present_rows = (
        await session.execute(
            select(
                Checkin.point_id,
                func.count(),
                func.sum(case((Checkin.substitute_for_id.is_not(None), 1), else_=0)),
                func.sum(case((Checkin.walk_in.is_(True), 1), else_=0)),
            )
            .where(Checkin.conference_id == conference_id, Checkin.checked_out_at.is_(None))
            .group_by(Checkin.point_id)
        )
    ).all()
    present = {row[0]: (row[1], int(row[2] or 0), int(row[3] or 0)) for row in present_rows}
    points = (
        await session.scalars(select(Point).where(Point.conference_id == conference_id).order_by(Point.is_host.desc(), Point.code))
    ).all()
    sheet = []
    for point in points:
        here, subs, walk = present.get(point.id, (0, 0, 0))
        sheet.append(
            {
                "point_id": point.id,
                "code": point.code,
                "name": point.name,
                "expected": expected.get(point.id, 0),
                "present": here,
                "substitutes": subs,
                "walk_ins": walk,
            }
        )
    keys = ("expected", "present", "substitutes", "walk_ins")
    totals = {k: sum(int(p[k]) for p in sheet) for k in keys}
    return {"points": sheet, "totals": totals}
