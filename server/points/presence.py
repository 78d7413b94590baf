"""Operator consoles counted in memory, and written to their points at most four times a second per conference."""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.points.operations import record_presence
from server.writes import perform

# A conference's consoles arriving at once (a restart, a venue's network back) are written together: the first
# change is written at once, the ones after it at most this often, so a join never waits for a commit.
INTERVAL_SECONDS = 0.25
log = logging.getLogger(__name__)


class Presence:
    """The changes of this process's operator consoles not yet written, per conference and point.

    Only the change is kept, not the count: the database adds up the consoles of every process
    (docs/scaling.md), and each flush adds this process's arrivals and departures to it.
    """

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self._changes: dict[int, Counter[int]] = {}
        self._flushed: dict[int, float] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._writing: set[asyncio.Task[None]] = set()

    def arrived(self, conference_id: int, point_id: int) -> None:
        self._change(conference_id, point_id, 1)

    def left(self, conference_id: int, point_id: int) -> None:
        self._change(conference_id, point_id, -1)

    async def settle(self) -> None:
        """Write every change now and wait for the writes: at shutdown, before the write queues drain."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for conference_id in list(self._changes):
            self._flush(conference_id)
        while self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)

    def _change(self, conference_id: int, point_id: int, delta: int) -> None:
        self._changes.setdefault(conference_id, Counter())[point_id] += delta
        self._schedule(conference_id)

    def _schedule(self, conference_id: int) -> None:
        """Leading edge when the last flush is old enough, else one trailing flush when it is."""
        if conference_id in self._timers:
            return
        wait = self._flushed.get(conference_id, float("-inf")) + INTERVAL_SECONDS - time.monotonic()
        if wait <= 0:
            self._flush(conference_id)
        else:
            self._timers[conference_id] = asyncio.get_running_loop().call_later(wait, self._flush, conference_id)

    def _flush(self, conference_id: int) -> None:
        self._timers.pop(conference_id, None)
        changes = {point_id: delta for point_id, delta in self._changes.pop(conference_id, Counter()).items() if delta}
        if not changes:
            return
        self._flushed[conference_id] = time.monotonic()
        task = asyncio.get_running_loop().create_task(self._write(conference_id, changes))
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def _write(self, conference_id: int, changes: dict[int, int]) -> None:
        try:
            # The server's own bookkeeping: it goes through during shutdown too, when the sockets let go must
            # still take their operators off the count.
            await perform(self._app, conference_id, lambda s: _record(s, conference_id, changes), during_shutdown=True)
        except Exception:
            log.warning("writing the presence of %d points failed; trying again", len(changes), exc_info=True)
            for point_id, delta in changes.items():
                self._change(conference_id, point_id, delta)


async def _record(session: AsyncSession, conference_id: int, changes: dict[int, int]) -> dict[str, Any]:
    await record_presence(session, conference_id, changes)
    return {}


presence_key = web.AppKey("presence", Presence)
