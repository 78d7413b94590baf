"""Resync at scale: 1,000 consoles drop at once while events keep coming, rejoin with after_seq, and each ends
with exactly the events its role may see; consoles that lose pushed events notice and fetch them again.
Also the event retention and the snapshot answer, as configured."""
from __future__ import annotations

import asyncio
import os
import random
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import socketio

from server.simulate.loopback import Server
from tests.support.cursor import Cursor
from tests.support.http import Call
from tests.support.realtime import Listen
from tests.support.servers import start_server, stop_server

# Load and timing: these run alone, once the rest of the suite has left the two cores (scripts/test).
pytestmark = pytest.mark.solo

CONSOLES = int(os.environ.get("DIEMCAU_TEST_CONSOLES", "1000"))
# The product's grace for an event that arrives before its predecessor (LOST_AFTER_MS in live.js).
LOST_AFTER = 1.0
JOIN_TIMEOUT = 120


class Console:
    """A python-socketio client that follows the log like a browser console does (web/static/js/live.js)."""

    def __init__(self, server: Server, token: str, start: int, lossy: bool, rng: random.Random) -> None:
        self.server, self.token, self.lossy, self.rng = server, token, lossy, rng
        self.client = socketio.AsyncClient(reconnection=False)
        self.client.on("event", self._pushed)
        self.cursor = Cursor(start)
        self.applied: list[dict[str, Any]] = []
        self.dropped = 0
        self.rejoins = 0
        self.expected: set[int] | None = None
        self.done = asyncio.Event()
        self._waiting: list[dict[str, Any]] | None = None
        self._timer: asyncio.Task[None] | None = None
        # Losing events is switched off before the last events are written, which then show every loss.
        self.losing = lossy

    async def connect(self) -> None:
        await self.client.connect(
            self.server.base_url, auth={"token": self.token}, transports=["websocket"], wait_timeout=JOIN_TIMEOUT
        )
        await self.join()

    async def join(self) -> None:
        self._waiting = []
        while True:
            ack = await self.client.call(
                "join",
                {"conference_id": self.server.conference_id, "after_seq": self.cursor.resume_from()},
                timeout=JOIN_TIMEOUT,
            )
            assert ack["ok"] and not ack.get("snapshot"), ack
            self._apply(self.cursor.joined(ack))
            if not self.cursor.lost:
                break
            self.rejoins += 1
        waiting, self._waiting = self._waiting, None
        for event in waiting:
            self._push(event)
        self._watch()

    async def _pushed(self, event: dict[str, Any]) -> None:
        if self._waiting is not None:
            self._waiting.append(event)
        else:
            self._push(event)

    def _push(self, event: dict[str, Any]) -> None:
        if self.losing and self.rng.random() < 0.05:
            self.dropped += 1
            return
        self._apply(self.cursor.push(event))
        self._watch()

    def _watch(self) -> None:
        if self.cursor.behind and self._timer is None:
            self._timer = asyncio.create_task(self._lost_after_a_moment())

    async def _lost_after_a_moment(self) -> None:
        await asyncio.sleep(LOST_AFTER)
        self._timer = None
        if self.cursor.behind and self._waiting is None and self.client.connected:
            self.rejoins += 1
            await self.join()

    def _apply(self, events: list[dict[str, Any]]) -> None:
        self.applied.extend(events)
        self.check()

    def check(self) -> None:
        if self.expected is not None and {e["seq"] for e in self.applied} >= self.expected:
            self.done.set()


class Workshop:
    """Keeps writing while the consoles come and go: check-ins and outs at every point, link changes, comments."""

    def __init__(self, server: Server, call: Call) -> None:
        self.server, self.call = server, call
        self.writes = 0
        self.running = True
        self.rng = random.Random(8)
        self._wrote = asyncio.Event()

    async def people(self) -> list[dict[str, Any]]:
        s = self.server
        return (await self.call("GET", s.api("/participants?limit=500"), s.tokens["chair"])).body["items"]

    async def run(self) -> None:
        s, t = self.server, self.server.tokens
        people = await self.people()
        codes = {p["id"]: p["code"] for p in (await self.call("GET", s.api("/points"), t["chair"])).body["items"]}
        present: set[int] = set()
        delegates = list(t["delegates"].values())
        n = 0
        while self.running:
            n += 1
            kind = n % 4
            if kind in (0, 1):
                person = self.rng.choice(people)
                token = t["operators"][codes[person["point_id"]]]
                if person["id"] in present:
                    reply = await self.call("DELETE", s.api(f"/checkins/{person['id']}"), token)
                    present.discard(person["id"])
                else:
                    reply = await self.call("POST", s.api("/checkins"), token, json={"participant_id": person["id"]})
                    present.add(person["id"])
            elif kind == 2:
                point = self.rng.choice(list(codes))
                link = self.rng.choice(["ok", "degraded", "down"])
                reply = await self.call(
                    "POST", s.api(f"/points/{point}/status"), t["operators"][codes[point]], json={"link": link}
                )
            else:
                body = {"body": f"Góp ý số {n} về Điều 3 của dự thảo.", "section_anchor": "dieu-3"}
                reply = await self.call("POST", s.api("/comments"), delegates[n % len(delegates)], json=body)
            assert reply.status in (200, 201), reply.body
            self.writes += 1
            self._wrote.set()

    async def written(self, task: asyncio.Task[None], count: int) -> None:
        """Wait until `count` more writes were acknowledged (or the writing failed)."""
        target = self.writes + count
        while self.writes < target:
            self._wrote.clear()
            await asyncio.wait([task, asyncio.ensure_future(self._wrote.wait())], return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                task.result()
                raise AssertionError("the workshop stopped writing")


@pytest.fixture
async def crowded(tmp_path: Path) -> AsyncIterator[Server]:
    # Comments come faster than one person's usual allowance while the test runs.
    server = await start_server(tmp_path / "server", {"DIEMCAU_SUBMIT_RATE": "1000/60"})
    yield server
    stop_server(server)


def tokens_for(server: Server) -> list[tuple[str, str, bool]]:
    """(role, token, lossy) for every console: operators at every point, displays, delegates, staff."""
    t = server.tokens
    operators, delegates = list(t["operators"].values()), list(t["delegates"].values())
    consoles: list[tuple[str, str, bool]] = []
    for n in range(CONSOLES):
        if n % 10 < 6:
            consoles.append(("operator", operators[n % len(operators)], False))
        elif n % 10 < 8:
            consoles.append(("display", t["display"], n % 20 < 10))
        elif n % 10 == 8:
            consoles.append(("delegate", delegates[n % len(delegates)], False))
        else:
            consoles.append(("chair", t["chair"], n % 20 == 9))
    return consoles


async def in_waves(work: list[Any], size: int = 100) -> None:
    for start in range(0, len(work), size):
        await asyncio.gather(*work[start:start + size])


async def test_a_thousand_consoles_drop_at_once_and_each_ends_with_exactly_its_events(
    crowded: Server, call: Call, listen: Listen
) -> None:
    s = crowded
    start = (await call("GET", s.api(), s.tokens["chair"])).body["seq"]
    rng = random.Random(20261130)
    consoles = [Console(s, token, start, lossy, random.Random(rng.random())) for _, token, lossy in tokens_for(s)]
    workshop = Workshop(s, call)
    writing = asyncio.create_task(workshop.run())
    try:
        await in_waves([c.connect() for c in consoles])
        assert all(c.client.connected for c in consoles)

        await asyncio.gather(*(c.client.disconnect() for c in consoles))
        await workshop.written(writing, 40)
        await in_waves([c.connect() for c in consoles])
        await workshop.written(writing, 40)
    finally:
        workshop.running = False
        await writing

    for console in consoles:
        console.losing = False
    # The last check-ins' totals are announced up to a quarter second after them (coalesced): the listing read
    # below must hold them. The listener joins first, so an announcement after the look cannot pass unheard.
    totals = await listen(s, s.tokens["chair"])
    with closing(sqlite3.connect(s.database)) as db:
        (waiting,) = db.execute("SELECT COUNT(*) FROM point WHERE totals_dirty").fetchone()
    if waiting:
        await totals.wait_for("attendance.totals_changed")
    # One last public event, which every console sees: a display or chair console that lost the one before shows it.
    point = (await call("GET", s.api("/points"), s.tokens["chair"])).body["items"][0]
    last = await call(
        "POST", s.api(f"/points/{point['id']}/status"), s.tokens["operators"][point["code"]], json={"link": "ok"}
    )
    assert last.status == 200, last.body

    expected: dict[str, list[dict[str, Any]]] = {}
    for token in {c.token for c in consoles}:
        reply = await call("GET", s.api(f"/events?after={start}"), token)
        assert "items" in reply.body, reply.body
        expected[token] = reply.body["items"]
    for console in consoles:
        console.expected = {e["seq"] for e in expected[console.token]}
        console.check()
    await asyncio.wait_for(asyncio.gather(*(c.done.wait() for c in consoles)), 60)

    for console in consoles:
        seqs = [e["seq"] for e in console.applied]
        assert len(set(seqs)) == len(seqs), f"a {console.token[:8]} console applied an event twice"
        assert sorted(seqs) == [e["seq"] for e in expected[console.token]], f"a {console.token[:8]} console differs"
    lossy = [c for c in consoles if c.lossy]
    # Most losses show at the next event of the stream and are fetched by a join of the console's own; the
    # rest were covered by the join after the reconnect.
    assert sum(c.dropped for c in lossy) > len(lossy)
    assert sum(1 for c in lossy if c.rejoins) > len(lossy) // 2
    assert workshop.writes >= 80
    await asyncio.gather(*(c.client.disconnect() for c in consoles))


async def test_retention_and_replay_limit_are_what_the_settings_say(tmp_path: Path, call: Call) -> None:
    s = await start_server(tmp_path / "server", {"DIEMCAU_EVENT_RETENTION": "30", "DIEMCAU_REPLAY_LIMIT": "20"})
    try:
        point = (await call("GET", s.api("/points"), s.tokens["chair"])).body["items"][0]
        for n in range(12):
            link = ("ok", "degraded", "down")[n % 3]
            reply = await call(
                "POST",
                s.api(f"/points/{point['id']}/status"),
                s.tokens["operators"][point["code"]],
                json={"link": link},
            )
            assert reply.status == 200, reply.body
        newest = (await call("GET", s.api(), s.tokens["chair"])).body["seq"]
        with sqlite3.connect(s.database) as db:
            kept = db.execute(
                "SELECT min(seq), max(seq), count(*) FROM event WHERE conference_id = ?", (s.conference_id,)
            ).fetchone()
        assert kept == (newest - 29, newest, 30)

        within = await call("GET", s.api(f"/events?after={newest - 20}"), s.tokens["chair"])
        assert [e["seq"] for e in within.body["items"]] == list(range(newest - 19, newest + 1))
        beyond_limit = await call("GET", s.api(f"/events?after={newest - 21}"), s.tokens["chair"])
        assert beyond_limit.body == {"snapshot": True, "seq": newest, "streams": {"*": newest}}
        pruned = await call("GET", s.api(f"/events?after={newest - 31}"), s.tokens["display"])
        assert pruned.body["snapshot"] is True and pruned.body["streams"] == {"public": newest}

        client = socketio.AsyncClient(reconnection=False)
        await client.connect(s.base_url, auth={"token": s.tokens["display"]}, transports=["websocket"])
        try:
            ack = await client.call("join", {"conference_id": s.conference_id, "after_seq": 0})
            assert ack == {"ok": True, "snapshot": True, "seq": newest, "streams": {"public": newest}}
            ack = await client.call("join", {"conference_id": s.conference_id, "after_seq": newest - 3})
            assert [e["seq"] for e in ack["events"]] == [newest - 2, newest - 1, newest]
            assert [e["prev"] for e in ack["events"]] == [newest - 3, newest - 2, newest - 1]
        finally:
            await client.disconnect()
    finally:
        stop_server(s)

