"""How long a speech may run, and how much of the floor a bridge point has used."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import AgendaItem, Conference, SpeakingRequest, iso, utcnow
from server.errors import Conflict

# Seconds a speech may take when neither the request nor its item says otherwise.
DEFAULT_LIMITS = {"report": 900, "contribution": 600, "discussion": 300, "opening": 600, "closing": 600}
FALLBACK_LIMIT = 300


class Item(Protocol):
    """What a speech's limit needs of an agenda item: an ORM object or a row both do."""

    kind: str
    speech_limit_seconds: int | None


def limit_of(own: int | None, item: Item | None) -> int:
    """The request's own limit, else its agenda item's (or the live one's), else the default for the item's kind."""
    if own is not None:
        return own
    if item is None:
        return FALLBACK_LIMIT
    return item.speech_limit_seconds or DEFAULT_LIMITS.get(item.kind, FALLBACK_LIMIT)


class Limits:
    """A conference's agenda items as the speeches' limits read them, loaded once for many requests."""

    def __init__(self, items: Sequence[Row[*tuple[Any, ...]]]) -> None:
        self.items = {item.id: item for item in items}
        self.live = next((item for item in items if item.status == "live"), None)

    def of(self, own: int | None, agenda_item_id: int | None) -> int:
        return limit_of(own, self.items.get(agenda_item_id) if agenda_item_id else self.live)


async def agenda_limits(session: AsyncSession, conference_id: int) -> Limits:
    found = await session.execute(
        select(AgendaItem.id, AgendaItem.kind, AgendaItem.speech_limit_seconds, AgendaItem.status)
        .where(AgendaItem.conference_id == conference_id)
        .order_by(AgendaItem.id)
    )
    return Limits(found.all())


async def time_limit(session: AsyncSession, request: SpeakingRequest) -> int:
    if request.time_limit_seconds is not None:
        return request.time_limit_seconds
    item_id = request.agenda_item_id or await session.scalar(
        select(AgendaItem.id).where(AgendaItem.conference_id == request.conference_id, AgendaItem.status == "live")
    )
    return limit_of(None, await session.get(AgendaItem, item_id) if item_id else None)


def duration(request: SpeakingRequest) -> int | None:
    """Seconds spoken so far (while speaking) or in all (when done)."""
    if request.started_at is None:
        return None
    end = request.finished_at or utcnow()
    return max(0, int((end - request.started_at).total_seconds()))


async def used_by_point(session: AsyncSession, conference_id: int) -> dict[int, int]:
    rows = await session.scalars(
        select(SpeakingRequest).where(
            SpeakingRequest.conference_id == conference_id, SpeakingRequest.started_at.is_not(None)
        )
    )
    used: dict[int, int] = {}
    for request in rows:
        used[request.point_id] = used.get(request.point_id, 0) + (duration(request) or 0)
    return used


async def require_quota(session: AsyncSession, conference: Conference, point_id: int) -> None:
    """A point that has spoken its quota gets the floor again only by a point of order."""
    if conference.speaking_quota_seconds is None:
        return
    used = (await used_by_point(session, conference.id)).get(point_id, 0)
    if used >= conference.speaking_quota_seconds:
        raise quota_exhausted(point_id, used, conference.speaking_quota_seconds)


def quota_exhausted(point_id: int, used: int, quota: int) -> Conflict:
    return Conflict(
        "This bridge point has used its speaking time",
        {"point_id": point_id, "used_seconds": used, "quota_seconds": quota},
        code="quota_exhausted",
    )


def log_row(request: SpeakingRequest, full_name: str, point: str) -> dict[str, Any]:
    return {
        "request_id": request.id,
        "participant_id": request.participant_id,
        "full_name": full_name,
        "point_id": request.point_id,
        "point": point,
        "topic": request.topic,
        "point_of_order": request.point_of_order,
        "status": request.status,
        "started_at": iso(request.started_at),
        "finished_at": iso(request.finished_at),
        "duration_seconds": duration(request),
    }
