"""The agenda's clock, the plan apart from the projection: the plan never moves when an item runs late or is
extended; the projection follows what happened and what is left."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from schema.tables import AgendaItem, iso


def _minutes(item: AgendaItem) -> timedelta:
    return timedelta(minutes=item.planned_minutes + item.extended_minutes)


def planned_starts(starts_at: datetime, items: list[AgendaItem]) -> dict[int, datetime]:
    """The plan as written: each item after the planned minutes of those before it, whatever happens on the day."""
    starts, clock = {}, starts_at
    for item in items:
        starts[item.id] = clock
        clock += timedelta(minutes=item.planned_minutes)
    return starts


def projection(
    starts_at: datetime, items: list[AgendaItem], now: datetime
) -> tuple[dict[int, datetime | None], datetime]:
    """Each item's start as it happened or as now expected (none for a skipped one), and the projected end: actual
    times where the agenda has run, plans with their extensions for what is left, nothing left before now once it
    runs."""
    running = any(item.started_at is not None for item in items)
    starts: dict[int, datetime | None] = {}
    clock = starts_at
    for item in items:
        starts[item.id] = item.started_at if item.status in ("done", "live") else None
        if item.status == "done" and item.finished_at is not None:
            clock = item.finished_at
        elif item.status == "live" and item.started_at is not None:
            clock = max(item.started_at + _minutes(item), now)
        elif item.status == "pending":
            start = max(clock, now) if running else clock
            starts[item.id], clock = start, start + _minutes(item)
    return starts, clock


def schedule(starts_at: datetime, items: list[AgendaItem], now: datetime) -> dict[str, Any]:
    planned = planned_starts(starts_at, items)
    projected, end = projection(starts_at, items, now)
    return {
        "starts_at": iso(starts_at),
        "planned_end": iso(starts_at + timedelta(minutes=sum(item.planned_minutes for item in items))),
        "projected_end": iso(end),
        "planned_starts": {str(item_id): iso(at) for item_id, at in planned.items()},
        "projected_starts": {str(item_id): iso(at) for item_id, at in projected.items()},
    }
