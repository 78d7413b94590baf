"""The agenda's clock: planned start of every item, and the end as planned and as now projected."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from schema.tables import AgendaItem, iso


def _minutes(item: AgendaItem) -> timedelta:
    return timedelta(minutes=item.planned_minutes + item.extended_minutes)


def planned_starts(starts_at: datetime, items: list[AgendaItem]) -> dict[int, datetime]:
    """Each item starts when the ones before it have had their planned (and extended) time; skipped ones take none."""
    starts, clock = {}, starts_at
    for item in items:
        starts[item.id] = clock
        if item.status != "skipped":
            clock += _minutes(item)
    return starts


def projected_end(starts_at: datetime, items: list[AgendaItem], now: datetime) -> datetime:
    """Actual times where the agenda has run, plans for what is left; nothing left starts before now once it runs."""
    running = any(item.started_at is not None for item in items)
    clock = starts_at
    for item in items:
        if item.status == "done" and item.finished_at is not None:
            clock = item.finished_at
        elif item.status == "live" and item.started_at is not None:
            clock = max(item.started_at + _minutes(item), now)
        elif item.status == "pending":
            clock = (max(clock, now) if running else clock) + _minutes(item)
    return clock


def schedule(starts_at: datetime, items: list[AgendaItem], now: datetime) -> dict[str, Any]:
    planned = planned_starts(starts_at, items)
    last = items[-1] if items else None
    planned_end = planned[last.id] + (_minutes(last) if last.status != "skipped" else timedelta()) if last else starts_at
    return {
        "starts_at": iso(starts_at),
        "planned_end": iso(planned_end),
        "projected_end": iso(projected_end(starts_at, items, now)),
        "planned_starts": {str(item_id): iso(at) for item_id, at in planned.items()},
    }
