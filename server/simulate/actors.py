"""The rehearsal's people, each a loop of HTTP calls: operators check in, the chair moves on, delegates comment."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp

from server.simulate import people
from server.simulate.api import Api
from server.simulate.stats import Move, Recorder


@dataclass
class Clock:
    """The run's deadline and each actor's pace."""

    deadline: float

    async def pause(self, planned: float) -> bool:
        """Sleep until `planned` (a loop time); False once the deadline has come."""
        loop = asyncio.get_running_loop()
        if planned >= self.deadline:
            await asyncio.sleep(max(0.0, self.deadline - loop.time()))
            return False
        await asyncio.sleep(max(0.0, planned - loop.time()))
        return True


@dataclass
class Desk:
    """One point's operator desk: who has not come yet and who is in, kept across the run and the write burst."""

    absent: list[int]
    present: list[int] = field(default_factory=list)


async def _paced(clock: Clock, per_minute: float, rng: random.Random) -> AsyncIterator[int]:
    """Yield 1, 2, ... `per_minute` times a minute (0: as fast as the caller comes back), the first at a random
    moment within the first interval, until the clock stops."""
    gap = 60.0 / per_minute if per_minute else 0.0
    loop = asyncio.get_running_loop()
    planned = loop.time() + rng.uniform(0, gap)
    n = 0
    while await clock.pause(planned):
        planned = max(planned + gap, loop.time())
        n += 1
        yield n


async def operator(api: Api, c: int, desk: Desk, per_minute: float, clock: Clock, recorder: Recorder,
                   rng: random.Random, prefix: str, action: str = "check_in") -> None:
    """One point's operator: checks in whoever has not come yet, one request at a time; once everyone is in,
    checks people out so the point keeps writing. `per_minute` 0 is as fast as the server acknowledges."""
    async for n in _paced(clock, per_minute, rng):
        if desk.absent:
            person = desk.absent[-1]
            answer = await recorder.timed(
                action,
                api.call(
                    "POST",
                    f"/conferences/{c}/checkins",
                    json_body={"participant_id": person},
                    key=f"{prefix}-{person}-{n}",
                ),
            )
            # Someone already in (a retried request that had landed) is in: move on either way.
            if answer is not None and (answer.status == 201 or answer.code == "already_checked_in"):
                desk.present.append(desk.absent.pop())
        else:
            person = desk.present[-1]
            answer = await recorder.timed(action.replace("check_in", "check_out"),
                                          api.call("DELETE", f"/conferences/{c}/checkins/{person}"))
            if answer is not None and answer.status == 200:
                desk.absent.append(desk.present.pop())


async def chair(api: Api, c: int, interval: float, clock: Clock, recorder: Recorder, moves: list[Move]) -> None:
    """Moves the agenda on every `interval` seconds, noting when each request left and which item it started."""
    loop = asyncio.get_running_loop()
    current: int | None = None
    planned = loop.time()
    while await clock.pause(planned):
        planned += interval
        sent_at = time.time()
        answer = await recorder.timed("agenda_next", api.call("POST", f"/conferences/{c}/agenda/next",
                                                              json_body={"expected_current_id": current}))
        if answer is not None and answer.status == 200:
            started = answer.body.get("current")
            if started is None:
                return
            current = int(started["id"])
            moves.append(Move(sent_at, current))
        else:
            # A move that timed out may still have happened: ask which item is live before the next one. A server
            # that is away (restarting) is asked again after the next try.
            try:
                view = await api.call("GET", f"/conferences/{c}/agenda")
            except (aiohttp.ClientError, TimeoutError):
                continue
            live = (
                [i["id"] for i in view.body.get("items", []) if i.get("status") == "live"] if view.status == 200 else []
            )
            current = live[0] if live else current


async def delegate(api: Api, c: int, anchors: list[str], per_minute: float, clock: Clock, recorder: Recorder,
                   rng: random.Random, prefix: str) -> None:
    """One delegate commenting on the draft at its pace, starting at a random moment within its first interval."""
    if per_minute <= 0:
        return
    async for n in _paced(clock, per_minute, rng):
        await recorder.timed("comment", api.call("POST", f"/conferences/{c}/comments",
                                                 json_body=people.comment(rng, anchors), key=f"{prefix}-{n}"))
