"""Add bridge points and record their link status."""
from __future__ import annotations

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from schema.events import payloads
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
    await events.append(session, conference_id, payloads.point_added(point_dict(point)), events.PUBLIC)
    return point


async def set_link_status(
    session: AsyncSession, conference_id: int, point_id: int, link: str, note: str | None
) -> Point:
    point = await get_point(session, conference_id, point_id)
    point.link, point.link_note, point.link_changed_at = link, note, utcnow()
    await events.append(session, conference_id, payloads.point_status_changed(point_dict(point)), events.PUBLIC)
    return point


async def record_presence(session: AsyncSession, conference_id: int, changes: dict[int, int]) -> None:
    """Operator consoles of these points connected (+n) or went away (-n): one UPDATE, and one event per point
    appended together."""
    table, seen = Point.__table__, utcnow()
    online = table.c.operators_online + bindparam("delta")
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("point"), table.c.conference_id == conference_id)
        .values(operators_online=case((online < 0, 0), else_=online), operator_seen_at=seen),
        [{"point": point_id, "delta": delta} for point_id, delta in changes.items()],
    )
    rows = await session.execute(
        select(Point.id, Point.operators_online)
        .where(Point.id.in_(changes), Point.conference_id == conference_id)
        .order_by(Point.id)
    )
    changed: list[tuple[payloads.Payload, events.Audience]] = []
    for point_id, operators_online in rows.tuples():
        # The UPDATE bypassed the ORM: a Point an earlier write of this transaction loaded must not keep the old count.
        loaded = session.identity_map.get(identity_key(Point, point_id))
        if loaded is not None:
            set_committed_value(loaded, "operators_online", operators_online)
            set_committed_value(loaded, "operator_seen_at", seen)
        # Staff only: sent to every console, each console joining would reach all the others (N² frames).
        changed.append((payloads.point_presence_changed(point_id, operators_online, seen), events.STAFF))
    events.hold(session, await events.append_many(session, conference_id, changed))


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
