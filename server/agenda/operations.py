"""Build the agenda and run it live: start, finish, next."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import AgendaItem, Remark, SpeakingRequest, iso, utcnow
from server import events
from server.agenda.schedule import schedule
from server.conferences.operations import CLOSING_STEPS, get_conference, require_not_closed
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
    speech_limit_seconds: int | None = None


async def list_items(session: AsyncSession, conference_id: int) -> list[AgendaItem]:
    await get_conference(session, conference_id)
    rows = await session.scalars(
        select(AgendaItem).where(AgendaItem.conference_id == conference_id).order_by(AgendaItem.position, AgendaItem.id)
    )
    return list(rows.all())


async def get_item(session: AsyncSession, conference_id: int, item_id: int) -> AgendaItem:
    return await in_conference(session, AgendaItem, conference_id, item_id, "agenda item", "item_id")


async def add_item(
    session: AsyncSession, conference_id: int, fields: ItemFields, position: int | None = None
) -> AgendaItem:
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
        speech_limit_seconds=fields.speech_limit_seconds,
        status="pending",
    )
    session.add(item)
    await session.flush()
    await announce(session, conference_id)
    return item


async def update_item(session: AsyncSession, conference_id: int, item_id: int, changes: dict[str, Any]) -> AgendaItem:
    require_not_closed(await get_conference(session, conference_id))
    item = await get_item(session, conference_id, item_id)
    if changes.get("point_id") is not None:
        await get_point(session, conference_id, changes["point_id"])
    for name, value in changes.items():
        setattr(item, name, value)
    await session.flush()
    await announce(session, conference_id)
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
    await announce(session, conference_id)
    return [items[i] for i in order]


async def agenda_view(session: AsyncSession, conference_id: int) -> dict[str, Any]:
    """The items with their planned and projected start, and the schedule: planned and projected end."""
    conference = await get_conference(session, conference_id)
    items = await list_items(session, conference_id)
    plan = schedule(conference.starts_at, items, utcnow())
    listed = [
        {
            **item_dict(i),
            "planned_start": plan["planned_starts"][str(i.id)],
            "projected_start": plan["projected_starts"][str(i.id)],
        }
        for i in items
    ]
    schedule_only = {k: v for k, v in plan.items() if k not in ("planned_starts", "projected_starts")}
    return {"items": listed, "total": len(listed), "schedule": schedule_only}


async def announce(session: AsyncSession, conference_id: int) -> None:
    """Tell every console the whole agenda after an edit: small, and no client has to merge."""
    await session.flush()
    view = await agenda_view(session, conference_id)
    await events.append(session, conference_id, payloads.agenda_changed(view["items"], view["schedule"]), events.PUBLIC)


async def _live(session: AsyncSession, conference_id: int) -> AgendaItem | None:
    return await session.scalar(
        select(AgendaItem).where(AgendaItem.conference_id == conference_id, AgendaItem.status == "live")
    )


async def _current(session: AsyncSession, conference_id: int, expected_current_id: int | None) -> AgendaItem | None:
    """The live item, provided it is the one the caller saw; two chairs acting at once move the agenda once."""
    current = await _live(session, conference_id)
    current_id = current.id if current else None
    if current_id != expected_current_id:
        raise Conflict(
            "Another item is current; reload and try again",
            {"current_id": current_id, "expected_current_id": expected_current_id},
            code="revision_conflict",
        )
    return current


async def _finish(session: AsyncSession, item: AgendaItem, at: datetime | None = None) -> None:
    item.status, item.finished_at = "done", at or utcnow()
    await events.append(session, item.conference_id, payloads.agenda_item_finished(item_dict(item)), events.PUBLIC)


async def finish_live(session: AsyncSession, conference_id: int, at: datetime) -> None:
    """Finish the live item, if any, at `at`: the conference closed while it ran."""
    current = await _live(session, conference_id)
    if current is not None:
        await _finish(session, current, at)


CLOSING_STEPS.append(finish_live)


async def _start(session: AsyncSession, item: AgendaItem) -> None:
    item.status, item.started_at, item.finished_at = "live", utcnow(), None
    await events.append(session, item.conference_id, payloads.agenda_item_started(item_dict(item)), events.PUBLIC)


async def start_item(session: AsyncSession, conference_id: int, item_id: int) -> AgendaItem:
    """Start an item; whatever was live before it is finished first."""
    require_not_closed(await get_conference(session, conference_id))
    item = await get_item(session, conference_id, item_id)
    if item.status not in ("pending", "skipped"):
        raise Conflict(
            "Only a pending or skipped item can be started; go back to run a finished one again",
            {"item_id": item_id, "status": item.status},
            code="invalid_transition",
        )
    current = await _live(session, conference_id)
    if current is not None:
        await _finish(session, current)
    await _start(session, item)
    return item


async def finish_item(session: AsyncSession, conference_id: int, item_id: int) -> AgendaItem:
    require_not_closed(await get_conference(session, conference_id))
    item = await get_item(session, conference_id, item_id)
    if item.status != "live":
        raise Conflict(
            "Only a live item can be finished", {"item_id": item_id, "status": item.status}, code="invalid_transition"
        )
    await _finish(session, item)
    return item


async def next_item(session: AsyncSession, conference_id: int, expected_current_id: int | None) -> AgendaItem | None:
    """Finish the live item and start the first pending one after it; refuse if the caller's view is stale."""
    require_not_closed(await get_conference(session, conference_id))
    current = await _current(session, conference_id, expected_current_id)
    current_id = current.id if current else None
    items = await list_items(session, conference_id)
    after = current.position if current else None
    if current is not None:
        await _finish(session, current)
    upcoming = [
        i for i in items if i.status == "pending" and (after is None or (i.position, i.id) > (after, current_id))
    ]
    if not upcoming:
        return None
    await _start(session, upcoming[0])
    return upcoming[0]


async def skip_item(session: AsyncSession, conference_id: int, item_id: int) -> AgendaItem:
    """Pass over an item that has not run; it keeps its place, marked skipped."""
    require_not_closed(await get_conference(session, conference_id))
    item = await get_item(session, conference_id, item_id)
    if item.status != "pending":
        raise Conflict(
            "Only a pending item can be skipped", {"item_id": item_id, "status": item.status}, code="invalid_transition"
        )
    item.status = "skipped"
    await announce(session, conference_id)
    return item


async def back(session: AsyncSession, conference_id: int, expected_current_id: int | None) -> AgendaItem:
    """Return to the item before the live one: the live one goes back to pending, the earlier one runs again."""
    require_not_closed(await get_conference(session, conference_id))
    current = await _current(session, conference_id, expected_current_id)
    current_id = current.id if current else None
    items = await list_items(session, conference_id)
    ran = [
        i
        for i in items
        if i.status in ("done", "skipped") and (current is None or (i.position, i.id) < (current.position, current.id))
    ]
    if not ran:
        raise Conflict("There is no earlier item to go back to", {"current_id": current_id}, code="invalid_transition")
    if current is not None:
        current.status, current.started_at, current.finished_at = "pending", None, None
    await _start(session, ran[-1])
    await announce(session, conference_id)
    return ran[-1]


async def extend_item(session: AsyncSession, conference_id: int, item_id: int, minutes: int) -> AgendaItem:
    """Give a live or pending item more time; the schedule after it moves."""
    require_not_closed(await get_conference(session, conference_id))
    item = await get_item(session, conference_id, item_id)
    if item.status not in ("live", "pending"):
        raise Conflict(
            "Only a live or pending item can be extended",
            {"item_id": item_id, "status": item.status},
            code="invalid_transition",
        )
    item.extended_minutes += minutes
    await announce(session, conference_id)
    return item


async def delete_item(session: AsyncSession, conference_id: int, item_id: int) -> AgendaItem:
    """Remove an item that has not run and that no remark or speaking request points at."""
    require_not_closed(await get_conference(session, conference_id))
    item = await get_item(session, conference_id, item_id)
    if item.status not in ("pending", "skipped"):
        raise Conflict(
            "An item that ran stays in the record",
            {"item_id": item_id, "status": item.status},
            code="invalid_transition",
        )
    for model in (Remark, SpeakingRequest):
        if await session.scalar(select(model.id).where(model.agenda_item_id == item_id).limit(1)) is not None:
            raise Conflict("Remarks or speaking requests refer to this item", {"item_id": item_id}, code="in_use")
    await session.delete(item)
    await announce(session, conference_id)
    return item


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
        "extended_minutes": item.extended_minutes,
        "speech_limit_seconds": item.speech_limit_seconds,
        "status": item.status,
        "started_at": iso(item.started_at),
        "finished_at": iso(item.finished_at),
    }
