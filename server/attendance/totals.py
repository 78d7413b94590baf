"""Coalesced public totals: at most 4 attendance.totals_changed a second per conference, with the points that moved."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from aiohttp import web
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Conference, Event, Point
from server import events
from server.keys import db_key, publisher_key, totals_key
from server.points import counters
from server.writes import perform

# The quarter second between two announcements of a conference: 4 a second at most, a change waits at most this.
INTERVAL = 0.25
# The events of writes that move the counters (counters.adjust): the roster's additions move `expected`.
MOVES = frozenset({
    "attendance.checked_in", "attendance.checked_out", "attendance.checkin_undone", "attendance.stay_struck",
    "participant.added", "participants.imported",
})
log = logging.getLogger(__name__)
_FAST = {"synchronize_session": False}


async def announce(session: AsyncSession, conference_id: int, insist: bool = False) -> dict[str, Any]:
    """One attendance.totals_changed with every point whose counters moved since the last one, if any moved.

    Answers `wait`: the seconds until another process's announcement is a quarter second old (it shares the
    database, and the conference's 4 a second), when that one was too recent; `insist` sends regardless.
    """
    # The real clock, even in a replay of a past workshop: the quarter second is the consoles', not the record's.
    now = datetime.now(UTC)
    # Columns, not objects: an earlier operation of the same transaction may hold the conference with older counts.
    conference = (
        await session.execute(
            select(Conference.totals_announced_at, *(getattr(Conference, f) for f in counters.FIELDS)).where(
                Conference.id == conference_id
            )
        )
    ).one_or_none()
    dirty = Point.conference_id == conference_id, Point.totals_dirty.is_(True)
    points = (await session.execute(select(*counters.POINT_COLUMNS).where(*dirty).order_by(Point.id))).all()
    if conference is None or not points:
        return {"points": 0, "wait": 0.0}
    if conference.totals_announced_at is not None and not insist:
        since = (now - conference.totals_announced_at).total_seconds()
        if since < INTERVAL:
            # A clock behind the other process's is not waited for longer than one interval.
            return {"points": 0, "wait": min(INTERVAL - since, INTERVAL)}
    rows = [counters.point_row(p) for p in points]
    changed = payloads.attendance_totals_changed(counters.totals_of(conference), rows)
    await events.append(session, conference_id, changed, events.PUBLIC)
    await session.execute(update(Point).where(*dirty).values(totals_dirty=False), execution_options=_FAST)
    await session.execute(
        update(Conference).where(Conference.id == conference_id).values(totals_announced_at=now),
        execution_options=_FAST,
    )
    return {"points": len(points), "wait": 0.0}


async def conferences_with_changes(session: AsyncSession) -> list[int]:
    """Conferences with points not yet announced: a process that stopped before its announcement left them."""
    return list(await session.scalars(select(Point.conference_id).where(Point.totals_dirty.is_(True)).distinct()))


Flush = Callable[[int, bool], Awaitable[float]]


@dataclass
class _Schedule:
    """One conference's announcements: when the last one ended, the one waiting to begin, the one under way."""

    last: float = float("-inf")
    timer: asyncio.TimerHandle | None = None
    running: asyncio.Task[None] | None = None
    again: bool = False


class Announcer:
    """Per process: a change is announced at once if the conference's last announcement is a quarter second old,
    else a quarter second after it (leading and trailing edge), so consoles see every change within a second."""

    def __init__(self, flush: Flush) -> None:
        self._flush = flush
        self._schedules: dict[int, _Schedule] = {}
        self._closing = False

    def published(self, committed: list[Event]) -> None:
        """The publisher's listener: committed events that moved the counters call for an announcement."""
        for conference_id in {e.conference_id for e in committed if e.type in MOVES}:
            self.changed(conference_id)

    def changed(self, conference_id: int) -> None:
        schedule = self._schedules.setdefault(conference_id, _Schedule())
        if schedule.running is not None:
            # It may have read the points before this change committed: one more after it.
            schedule.again = True
        elif schedule.timer is None:
            self._arm(conference_id, schedule, schedule.last + INTERVAL - asyncio.get_running_loop().time())

    def _arm(self, conference_id: int, schedule: _Schedule, delay: float) -> None:
        if delay <= 0:
            self._start(conference_id, schedule)
        else:
            schedule.timer = asyncio.get_running_loop().call_later(delay, self._start, conference_id, schedule)

    def _start(self, conference_id: int, schedule: _Schedule, insist: bool = False) -> None:
        schedule.timer = None
        schedule.again = False
        schedule.running = asyncio.create_task(self._run(conference_id, schedule, insist))

    async def _run(self, conference_id: int, schedule: _Schedule, insist: bool) -> None:
        loop = asyncio.get_running_loop()
        try:
            wait = await self._flush(conference_id, insist or self._closing)
        except Exception:
            # The points stay marked: the retry, the next change or the next start announces them.
            log.exception("announcing the attendance totals of conference %d failed", conference_id)
            wait = 0.0 if insist or self._closing else INTERVAL
        finally:
            schedule.running = None
            # Counted from its commit, not its start: the next one then never finds this one's time in the
            # database under a quarter second old, which would send it round the writer once more for nothing.
            schedule.last = loop.time()
        if wait > 0:
            self._arm(conference_id, schedule, wait)
        elif schedule.again:
            self._arm(conference_id, schedule, schedule.last + INTERVAL - loop.time())

    async def settle(self) -> None:
        """Announce at once what waits for its quarter second, and wait for every announcement under way."""
        while True:
            for conference_id, schedule in self._schedules.items():
                if schedule.timer is not None:
                    schedule.timer.cancel()
                    self._start(conference_id, schedule, insist=True)
            running = [s.running for s in self._schedules.values() if s.running is not None]
            if not running:
                return
            await asyncio.gather(*running, return_exceptions=True)

    async def close(self) -> None:
        """At shutdown: what is left is announced at once, even within a quarter second of another announcement."""
        self._closing = True
        await self.settle()


async def _flush(app: web.Application, conference_id: int, insist: bool) -> float:
    operation = partial(announce, conference_id=conference_id, insist=insist)
    # The server's own bookkeeping: it still goes through while the process drains its writes.
    _, body = await perform(app, conference_id, operation, during_shutdown=True)
    return float(body["wait"])


def setup_totals(app: web.Application) -> None:
    """An announcer for the app, told by the publisher of every committed change of attendance."""
    announcer = app[totals_key] = Announcer(partial(_flush, app))
    app[publisher_key].on_publish(announcer.published)
    app.on_startup.append(_announce_left_over)


async def _announce_left_over(app: web.Application) -> None:
    """Before the process listens: a console that joins then finds the totals its snapshot shows announced."""
    async with app[db_key].read() as session:
        for conference_id in await conferences_with_changes(session):
            app[totals_key].changed(conference_id)
    await app[totals_key].settle()

