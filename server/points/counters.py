"""Attendance counters on points and conferences, moved in the same transaction as the change."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, update
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Conference, Point, iso

FIELDS = ("expected", "present", "substitutes", "walk_ins", "represented")


POINT_COLUMNS = (
    Point.id,
    Point.code,
    Point.name,
    Point.region,
    Point.is_host,
    Point.expected,
    Point.present,
    Point.substitutes,
    Point.walk_ins,
    Point.represented,
    Point.last_checkin_at,
    Point.link,
    Point.operators_online,
    Point.operator_seen_at,
)


async def adjust(
    session: AsyncSession,
    conference_id: int,
    point_id: int,
    last_checkin_at: datetime | None = None,
    **deltas: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Add the deltas in SQL (`x = x + n`), so concurrent writers cannot lose an update; return the new counts."""
    # Marked for the next coalesced attendance.totals_changed (server/attendance/totals.py), which carries its row.
    changes: dict[str, Any] = {name: getattr(Point, name) + n for name, n in deltas.items()} | {"totals_dirty": True}
    if last_checkin_at is not None:
        changes["last_checkin_at"] = last_checkin_at
    # No session object reads these counters, so skip the ORM's search for objects to refresh.
    fast = {"synchronize_session": False}
    point = (
        await session.execute(
            update(Point).where(Point.id == point_id).values(**changes).returning(*POINT_COLUMNS),
            execution_options=fast,
        )
    ).one()
    totals = {name: getattr(Conference, name) + n for name, n in deltas.items()}
    conference = (
        await session.execute(
            update(Conference)
            .where(Conference.id == conference_id)
            .values(**totals)
            .returning(*(getattr(Conference, f) for f in FIELDS)),
            execution_options=fast,
        )
    ).one()
    return point_row(point), totals_of(conference)


def figures(expected: int, present: int, substitutes: int, walk_ins: int, represented: int) -> dict[str, Any]:
    """The v1.1 attendance figures from the counters: invited present + represented + absent = expected."""
    invited_present = present - substitutes - walk_ins
    return {
        "expected": expected,
        "invited_present": invited_present,
        "represented": represented,
        "absent": max(expected - invited_present - represented, 0),
        "substitutes": substitutes,
        "walk_ins": walk_ins,
        "people": present,
        "present": present,
        "rate": round(invited_present / expected, 4) if expected else None,
    }


def point_row(point: Point | Row[*tuple[Any, ...]]) -> dict[str, Any]:
    return {
        "point_id": point.id,
        "code": point.code,
        "name": point.name,
        "region": point.region,
        "is_host": point.is_host,
        **figures(*(getattr(point, name) for name in FIELDS)),
        "last_checkin_at": iso(point.last_checkin_at),
        "link": point.link,
        "operators_online": point.operators_online,
        "operator_seen_at": iso(point.operator_seen_at),
    }


def totals_of(conference: Conference | Row[Any]) -> dict[str, Any]:
    return figures(*(getattr(conference, name) for name in FIELDS))
