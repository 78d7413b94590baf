"""Add bridge points and record their link status."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Point, iso, utcnow
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Conflict, NotFound
from server.lookup import in_conference

LINK_STATES = ("ok", "degraded", "down")


async def get_point(session: AsyncSession, conference_id: int, point_id: int) -> Point:
    return await in_conference(session, Point, conference_id, point_id, "bridge point", "point_id")


async def point_by_code(session: AsyncSession, conference_id: int, code: str) -> Point:
    """The point with this code: codes are unique within a conference."""
    await get_conference(session, conference_id)
    point = await session.scalar(select(Point).where(Point.conference_id == conference_id, Point.code == code))
    if point is None:
        raise NotFound("No bridge point with this code in this conference", {"code": code})
    return point


async def list_points(session: AsyncSession, conference_id: int) -> list[Point]:
    await get_conference(session, conference_id)
    rows = await session.scalars(
        select(Point).where(Point.conference_id == conference_id).order_by(Point.is_host.desc(), Point.code)
    )
    return list(rows.all())


async def add_point(
    session: AsyncSession, conference_id: int, code: str, name: str, region: str | None, is_host: bool
) -> Point:
    require_not_closed(await get_conference(session, conference_id))
    taken = await session.scalar(select(Point.id).where(Point.conference_id == conference_id, Point.code == code))
    if taken is not None:
        raise Conflict("A bridge point with this code exists", {"code": code}, code="duplicate_code")
    point = Point(conference_id=conference_id, code=code, name=name, region=region, is_host=is_host, link="unknown")
    session.add(point)
    await session.flush()
    await events.append(session, conference_id, "point.added", point_dict(point), events.PUBLIC)
    return point


async def set_link_status(session: AsyncSession, conference_id: int, point_id: int, link: str, note: str | None) -> Point:
    point = await get_point(session, conference_id, point_id)
    point.link, point.link_note, point.link_changed_at = link, note, utcnow()
    await events.append(session, conference_id, "point.status_changed", point_dict(point), events.PUBLIC)
    return point


async def record_presence(session: AsyncSession, conference_id: int, point_id: int, delta: int) -> None:
    """An operator console of the point connected (+1) or went away (-1)."""
    point = await get_point(session, conference_id, point_id)
    point.operators_online = max(0, point.operators_online + delta)
    point.operator_seen_at = utcnow()
    await events.append(
        session,
        conference_id,
        "point.presence_changed",
        {"point_id": point.id, "operators_online": point.operators_online, "operator_seen_at": iso(point.operator_seen_at)},
        # Staff only: sent to every console, each console joining would reach all the others (N² frames).
        events.STAFF,
    )


async def forget_presence(session: AsyncSession) -> None:
    """After a restart no console is connected to this process; counts from before are stale."""
    await session.execute(update(Point).where(Point.operators_online != 0).values(operators_online=0))


def point_dict(point: Point) -> dict[str, object]:
    return {
        "id": point.id,
        "conference_id": point.conference_id,
        "code": point.code,
        "name": point.name,
        "region": point.region,
        "is_host": point.is_host,
        "link": point.link,
        "link_note": point.link_note,
        "link_changed_at": iso(point.link_changed_at),
    }
