"""Ask to speak, and let the chair order, grant, start, finish or decline."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Participant, Point, SpeakingRequest, iso, utcnow
from server import events
from server.agenda.operations import get_item
from server.conferences.operations import (
    CLOSING_STEPS,
    get_conference,
    require_collecting,
    require_not_closed,
)
from server.errors import Conflict, Forbidden, Invalid
from server.lookup import in_conference
from server.participants.operations import get_participant, require_present
from server.speaking.limits import log_row, require_quota, time_limit, used_by_point

ACTIVE = ("queued", "granted", "speaking")
STATUSES = ("queued", "granted", "speaking", "done", "declined", "withdrawn")
# Where a request may go from each status; "speaking" stamps the start, "done" the end.
MOVES: dict[str, frozenset[str]] = {
    "queued": frozenset({"granted", "speaking", "declined", "withdrawn"}),
    "granted": frozenset({"speaking", "done", "declined", "withdrawn", "queued"}),
    "speaking": frozenset({"done"}),
    "done": frozenset(),
    "declined": frozenset(),
    "withdrawn": frozenset(),
}


async def ask(
    session: AsyncSession,
    conference_id: int,
    participant_id: int,
    topic: str | None,
    agenda_item_id: int | None,
    point_of_order: bool,
    at_point: int | None = None,
) -> SpeakingRequest:
    """Queue a present participant; a point of order goes ahead of every ordinary request, and past the quota."""
    conference = await get_conference(session, conference_id)
    require_collecting(conference)
    person = await get_participant(session, conference_id, participant_id, at_point)
    if not point_of_order:
        await require_quota(session, conference, person.point_id)
    if agenda_item_id is not None:
        await get_item(session, conference_id, agenda_item_id)
    await require_present(session, person, "ask to speak")
    waiting = await session.scalar(
        select(SpeakingRequest.id).where(SpeakingRequest.participant_id == person.id, SpeakingRequest.status.in_(ACTIVE))
    )
    if waiting is not None:
        raise Conflict("This participant is already in the queue", {"request_id": waiting}, code="already_requested")
    bounds = (
        await session.execute(
            select(func.min(SpeakingRequest.position), func.max(SpeakingRequest.position)).where(
                SpeakingRequest.conference_id == conference_id
            )
        )
    ).one()
    position = (bounds[0] or 1) - 1 if point_of_order else (bounds[1] or 0) + 1
    request = SpeakingRequest(
        conference_id=conference_id,
        participant_id=person.id,
        point_id=person.point_id,
        agenda_item_id=agenda_item_id,
        topic=topic,
        point_of_order=point_of_order,
        status="queued",
        position=position,
        requested_at=utcnow(),
    )
    session.add(request)
    await session.flush()
    await _changed(session, conference_id, request)
    return request


async def get_request(session: AsyncSession, conference_id: int, request_id: int) -> SpeakingRequest:
    return await in_conference(session, SpeakingRequest, conference_id, request_id, "speaking request", "request_id")


async def update(
    session: AsyncSession,
    conference_id: int,
    request_id: int,
    status: str | None,
    position: int | None,
    time_limit_seconds: int | None = None,
) -> SpeakingRequest:
    conference = await get_conference(session, conference_id)
    require_not_closed(conference)
    request = await get_request(session, conference_id, request_id)
    if time_limit_seconds is not None:
        request.time_limit_seconds = time_limit_seconds
    if status is not None and status != request.status:
        if status not in MOVES[request.status]:
            raise Conflict(
                f"A {request.status} request cannot become {status}",
                {"status": request.status, "to": status},
                code="invalid_transition",
            )
        now = utcnow()
        if status == "speaking":
            if not request.point_of_order:
                await require_quota(session, conference, request.point_id)
            speaking = await session.scalar(
                select(SpeakingRequest).where(
                    SpeakingRequest.conference_id == conference_id, SpeakingRequest.status == "speaking"
                )
            )
            if speaking is not None:
                speaking.status, speaking.finished_at = "done", now
            request.started_at = now
        if status == "granted":
            request.granted_at = now
        if status == "done":
            request.started_at = request.started_at or now
            request.finished_at = now
        request.status = status
    if position is not None:
        if position < 1:
            raise Invalid("Position starts at 1", {"position": "must be at least 1"})
        await _move(session, conference_id, request, position)
    await session.flush()
    await _changed(session, conference_id, request)
    return request


async def withdraw(
    session: AsyncSession, conference_id: int, request_id: int, participant_id: int | None, at_point: int | None
) -> SpeakingRequest:
    """Take back a request that still waits: a delegate its own, an operator one for someone at its point."""
    request = await get_request(session, conference_id, request_id)
    if participant_id is not None and request.participant_id != participant_id:
        raise Forbidden("A delegate withdraws only its own request", {"request_id": request_id})
    if at_point is not None and request.point_id != at_point:
        raise Forbidden("An operator acts only at its own bridge point", {"point_id": request.point_id})
    require_not_closed(await get_conference(session, conference_id))
    if request.status not in ("queued", "granted"):
        raise Conflict(
            f"A {request.status} request cannot be withdrawn", {"status": request.status, "to": "withdrawn"},
            code="invalid_transition",
        )
    request.status = "withdrawn"
    await session.flush()
    await _changed(session, conference_id, request)
    return request


async def finish_speech(session: AsyncSession, conference_id: int, at: datetime) -> None:
    """End the running speech, if any, at `at`: the conference closed while someone had the floor."""
    speech = await session.scalar(
        select(SpeakingRequest).where(SpeakingRequest.conference_id == conference_id, SpeakingRequest.status == "speaking")
    )
    if speech is not None:
        speech.status, speech.finished_at = "done", at
        await session.flush()
        await _changed(session, conference_id, speech)


CLOSING_STEPS.append(finish_speech)


async def _move(session: AsyncSession, conference_id: int, request: SpeakingRequest, position: int) -> None:
    """Renumber the waiting requests so the moved one stands at `position` (1-based) among them."""
    waiting = [r for r in await queue(session, conference_id) if r.status in ("queued", "granted") and r.id != request.id]
    waiting.insert(min(position, len(waiting) + 1) - 1, request)
    for number, item in enumerate(waiting, start=1):
        item.position = number


async def queue(session: AsyncSession, conference_id: int) -> list[SpeakingRequest]:
    rows = await session.scalars(
        select(SpeakingRequest)
        .where(SpeakingRequest.conference_id == conference_id)
        .order_by(SpeakingRequest.position, SpeakingRequest.id)
    )
    return list(rows.all())


async def speaking_log(session: AsyncSession, conference_id: int) -> dict[str, Any]:
    """Who spoke, from which point, when and for how long; and each point's use of its quota."""
    conference = await get_conference(session, conference_id)
    rows = (
        await session.execute(
            select(SpeakingRequest, Participant.full_name, Point.name)
            .join(Participant, Participant.id == SpeakingRequest.participant_id)
            .join(Point, Point.id == SpeakingRequest.point_id)
            .where(SpeakingRequest.conference_id == conference_id, SpeakingRequest.started_at.is_not(None))
            .order_by(SpeakingRequest.started_at, SpeakingRequest.id)
        )
    ).all()
    used = await used_by_point(session, conference_id)
    return {
        "items": [log_row(request, name, point) for request, name, point in rows],
        "total": len(rows),
        "quota_seconds": conference.speaking_quota_seconds,
        "points": [{"point_id": pid, "used_seconds": seconds} for pid, seconds in sorted(used.items())],
    }


async def _changed(session: AsyncSession, conference_id: int, request: SpeakingRequest) -> None:
    await events.append(
        session,
        conference_id,
        "speaking.queue_changed",
        {
            "request": await request_dict(session, request),
            "items": [await request_dict(session, r) for r in await queue(session, conference_id)],
        },
        events.PUBLIC,
    )


async def request_dict(session: AsyncSession, request: SpeakingRequest) -> dict[str, Any]:
    person = await session.get(Participant, request.participant_id)
    point = await session.get(Point, request.point_id)
    assert person is not None and point is not None
    return {
        "id": request.id,
        "conference_id": request.conference_id,
        "participant_id": request.participant_id,
        "full_name": person.full_name,
        "position_title": person.position,
        "point_id": request.point_id,
        "point": point.name,
        "agenda_item_id": request.agenda_item_id,
        "topic": request.topic,
        "point_of_order": request.point_of_order,
        "time_limit_seconds": await time_limit(session, request),
        "status": request.status,
        "position": request.position,
        "requested_at": request.requested_at.isoformat(),
        "granted_at": iso(request.granted_at),
        "started_at": iso(request.started_at),
        "finished_at": iso(request.finished_at),
    }
