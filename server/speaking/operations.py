"""Ask to speak, and let the chair order, grant, start, finish or decline."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Participant, Point, SpeakingRequest, iso, utcnow
from server import events
from server.conferences.operations import (
    CLOSING_STEPS,
    get_conference,
    require_not_closed,
)
from server.errors import Conflict, Forbidden, Invalid
from server.lookup import in_conference
from server.speaking.limits import (
    Limits,
    agenda_limits,
    log_row,
    require_quota,
    time_limit,
    used_by_point,
)

REQUESTS = SpeakingRequest.__table__

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


def already_requested(request_id: int) -> Conflict:
    return Conflict("This participant is already in the queue", {"request_id": request_id}, code="already_requested")


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
        select(SpeakingRequest).where(
            SpeakingRequest.conference_id == conference_id, SpeakingRequest.status == "speaking"
        )
    )
    if speech is not None:
        speech.status, speech.finished_at = "done", at
        await session.flush()
        await _changed(session, conference_id, speech)


CLOSING_STEPS.append(finish_speech)


async def _move(session: AsyncSession, conference_id: int, request: SpeakingRequest, position: int) -> None:
    """Renumber the waiting requests so the moved one stands at `position` (1-based) among them."""
    waiting = [
        r for r in await queue(session, conference_id) if r.status in ("queued", "granted") and r.id != request.id
    ]
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
    items = await queue_views(session, conference_id)
    mine = next(item for item in items if item["id"] == request.id)
    await events.append(session, conference_id, payloads.speaking_queue_changed(mine, items), events.PUBLIC)


async def queue_rows(session: AsyncSession, conference_id: int) -> list[Row[Any]]:
    """Every request of the conference in queue order, with its speaker's name and title and its point's name."""
    found = await session.execute(
        select(
            REQUESTS,
            Participant.full_name,
            Participant.position.label("position_title"),
            Point.name.label("point_name"),
        )
        .join(Participant, Participant.id == REQUESTS.c.participant_id)
        .join(Point, Point.id == REQUESTS.c.point_id)
        .where(REQUESTS.c.conference_id == conference_id)
        .order_by(REQUESTS.c.position, REQUESTS.c.id)
    )
    return list(found.all())


def row_view(row: Row[Any], limits: Limits) -> dict[str, Any]:
    """A request read by queue_rows, as request_dict shows it."""
    return request_view(
        row, row.full_name, row.position_title, row.point_name, limits.of(row.time_limit_seconds, row.agenda_item_id)
    )


async def queue_views(session: AsyncSession, conference_id: int) -> list[dict[str, Any]]:
    """The whole queue as GET shows it, in two statements however long it is."""
    limits = await agenda_limits(session, conference_id)
    return [row_view(row, limits) for row in await queue_rows(session, conference_id)]


async def request_dict(session: AsyncSession, request: SpeakingRequest) -> dict[str, Any]:
    person = await session.get(Participant, request.participant_id)
    point = await session.get(Point, request.point_id)
    assert person is not None and point is not None
    return request_view(request, person.full_name, person.position, point.name, await time_limit(session, request))


def request_view(
    request: SpeakingRequest | Row[Any], full_name: str, position_title: str | None, point: str, limit: int
) -> dict[str, Any]:
    return {
        "id": request.id,
        "conference_id": request.conference_id,
        "participant_id": request.participant_id,
        "full_name": full_name,
        "position_title": position_title,
        "point_id": request.point_id,
        "point": point,
        "agenda_item_id": request.agenda_item_id,
        "topic": request.topic,
        "point_of_order": request.point_of_order,
        "time_limit_seconds": limit,
        "status": request.status,
        "position": request.position,
        "requested_at": request.requested_at.isoformat(),
        "granted_at": iso(request.granted_at),
        "started_at": iso(request.started_at),
        "finished_at": iso(request.finished_at),
    }
