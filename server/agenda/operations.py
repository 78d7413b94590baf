"""Build the agenda and run it live: start, finish, next."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import AgendaItem, iso, utcnow
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Conflict, Invalid
from server.lookup import in_conference
from server.points.operations import get_point

KINDS = ("opening", "report", "contribution", "discussion", "closing", "break", "other")


@dataclass(frozen=True)
class ItemFields:
    """The editable fields of an agenda item, already cleaned."""

    title: str
    kind: str
    planned_minutes: int
    presenter: str | None = None
    point_id: int | None = None


async def list_items(session: AsyncSession, conference_id: int) -> list[AgendaItem]:
    await get_conference(session, conference_id)
    rows = await session.scalars(
        select(AgendaItem).where(AgendaItem.conference_id == conference_id).order_by(AgendaItem.position, AgendaItem.id)
    )
    return list(rows.all())


async def get_item(session: AsyncSession, conference_id: int, item_id: int) -> AgendaItem:
    return await in_conference(session, AgendaItem, conference_id, item_id, "agenda item", "item_id")


async def add_item(session: AsyncSession, conference_id: int, fields: ItemFields, position: int | None = None) -> AgendaItem:
    require_not_closed(await get_conference(session, conference_id))
    if fields.point_id is not None:
        await get_point(session, conference_id, fields.point_id)
    last = await session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.conference_id == conference_id))
    item = AgendaItem(
        conference_id=conference_id,
        position=position if position is not None else (last or 0) + 1,
        title=fields.title,
        kind=fields.kind,
        presenter=fields.presenter,
        point_id=fields.point_id,
        planned_minutes=fields.planned_minutes,
        status="pending",
    )
    session.add(item)
    await session.flush()
    await _changed(session, conference_id)
    return item


async def update_item(session: AsyncSession, conference_id: int, item_id: int, changes: dict[str, Any]) -> AgendaItem:
    require_not_closed(await get_conference(session, conference_id))
    item = await get_item(session, conference_id, item_id)
    if changes.get("point_id") is not None:
        await get_point(session, conference_id, changes["point_id"])
    for name, value in changes.items():
        setattr(item, name, value)
    await session.flush()
    await _changed(session, conference_id)
    return item


async def reorder(session: AsyncSession, conference_id: int, order: list[int]) -> list[AgendaItem]:
    """Renumber the items in the given order, which must name every item exactly once."""
    require_not_closed(await get_conference(session, conference_id))
    items = {item.id: item for item in await list_items(session, conference_id)}
    if sorted(order) != sorted(items):
        raise Invalid("order must list every agenda item id exactly once", {"order": "not a permutation of the items"})
    for position, item_id in enumerate(order, start=1):
        items[item_id].position = position
    await session.flush()
    await _changed(session, conference_id)
    return [items[i] for i in order]


async def _changed(session: AsyncSession, conference_id: int) -> None:
    items = await list_items(session, conference_id)
    await events.append(session, conference_id, "agenda.changed", {"items": [item_dict(i) for i in items]}, events.PUBLIC)


async def _live(session: AsyncSession, conference_id: int) -> AgendaItem | None:
    return await session.scalar(
        select(AgendaItem).where(AgendaItem.conference_id == conference_id, AgendaItem.status == "live")
    )


async def _finish(session: AsyncSession, item: AgendaItem) -> None:
    item.status, item.finished_at = "done", utcnow()
    await events.append(session, item.conference_id, "agenda.item_finished", item_dict(item), events.PUBLIC)


async def _start(session: AsyncSession, item: AgendaItem) -> None:
    item.status, item.started_at, item.finished_at = "live", utcnow(), None
    await events.append(session, item.conference_id, "agenda.item_started", item_dict(item), events.PUBLIC)


async def start_item(session: AsyncSession, conference_id: int, item_id: int) -> AgendaItem:
    """Start an item; whatever was live before it is finished first."""
    require_not_closed(await get_conference(session, conference_id))
    item = await get_item(session, conference_id, item_id)
    if item.status == "live":
        raise Conflict("This item is already live", {"item_id": item_id, "status": item.status}, code="invalid_transition")
    current = await _live(session, conference_id)
    if current is not None:
        await _finish(session, current)
    await _start(session, item)
    return item


async def finish_item(session: AsyncSession, conference_id: int, item_id: int) -> AgendaItem:
    require_not_closed(await get_conference(session, conference_id))
    item = await get_item(session, conference_id, item_id)
    if item.status != "live":
        raise Conflict("Only a live item can be finished", {"item_id": item_id, "status": item.status}, code="invalid_transition")
    await _finish(session, item)
    return item


async def next_item(session: AsyncSession, conference_id: int, expected_current_id: int | None) -> AgendaItem | None:
    """Finish the live item and start the first pending one after it; refuse if the caller's view is stale."""
    require_not_closed(await get_conference(session, conference_id))
    current = await _live(session, conference_id)
    current_id = current.id if current else None
    if current_id != expected_current_id:
        raise Conflict(
            "Another item is current; reload and try again",
            {"current_id": current_id, "expected_current_id": expected_current_id},
            code="revision_conflict",
        )
    items = await list_items(session, conference_id)
    after = current.position if current else None
    if current is not None:
        await _finish(session, current)
    upcoming = [i for i in items if i.status == "pending" and (after is None or (i.position, i.id) > (after, current_id))]
    if not upcoming:
        return None
    await _start(session, upcoming[0])
    return upcoming[0]


def item_dict(item: AgendaItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "conference_id": item.conference_id,
        "position": item.position,
        "title": item.title,
        "kind": item.kind,
        "presenter": item.presenter,
        "point_id": item.point_id,
        "planned_minutes": item.planned_minutes,
        "status": item.status,
        "started_at": iso(item.started_at),
        "finished_at": iso(item.finished_at),
    }
