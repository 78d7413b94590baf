"""Scale-out: several server processes on one PostgreSQL database, their pushes carried between them by Redis.

scripts/test starts a private PostgreSQL cluster and says where redis-server is. Each test gets a fresh
database, and its own redis-server, which the outage test stops and starts again on the same port (both fixtures
in conftest.py).
"""
from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
import socketio
from alembic.script import ScriptDirectory

from server.migrate import alembic_config
from server.simulate.loopback import Server
from tests.event_schemas import validate_data
from tests.support import flows
from tests.support.cursor import Cursor
from tests.support.http import Call
from tests.support.realtime import Listener
from tests.support.servers import METRICS_TOKEN, Redis, start_server, stop_server

# Load and timing: these run alone, once the rest of the suite has left the two cores (scripts/test).
pytestmark = pytest.mark.solo

# All processes share the secret key: a token signed by one is accepted by the others.
ENV = {"DIEMCAU_SUBMIT_RATE": "100000/60", "DIEMCAU_SECRET_KEY": "test-secret-scale-out"}


async def rows(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


Cluster = Callable[[int], Awaitable[list[Server]]]


@pytest.fixture
async def cluster(tmp_path: Path, database: str, redis: Redis) -> AsyncIterator[Cluster]:
    """cluster(n) -> n demo server processes on the test's database and Redis."""
    servers: list[Server] = []

    async def start(count: int) -> list[Server]:
        env = {**ENV, "DIEMCAU_REDIS_URL": redis.url}
        # The first seeds the demo workshop; the others find it and print the same tokens (but not the staff
        # passwords, which only the start that made the accounts shows).
        servers.append(await start_server(tmp_path / "p0", env, database))
        servers.extend(
            await asyncio.gather(*(start_server(tmp_path / f"p{i}", env, database) for i in range(1, count)))
        )
        first = servers[0].tokens
        for s in servers[1:]:
            assert s.tokens == first | {"base_url": s.tokens["base_url"], "passwords": {}}
            s.tokens["passwords"] = first["passwords"]
        return servers

    yield start
    for server in servers:
        stop_server(server)


class Console(Listener):
    """A console as the browser keeps one (tests.support.cursor.Cursor): every event applied once, and on
    server.resync a re-join, repeated while the answer shows a stream it lost an event of."""

    def __init__(self, client: socketio.AsyncClient, server: Server) -> None:
        super().__init__(client)
        self.server = server
        self.cursor = Cursor(0)
        self.heads: dict[str, int] = {}
        self.resyncs: list[dict[str, Any]] = []
        self.recovered = 0
        self.resynced = asyncio.Event()
        self.catching_up: asyncio.Task[None] | None = None

    async def on_event(self, envelope: dict[str, Any]) -> None:
        for event in self.cursor.push(envelope):
            await super().on_event(event)

    async def join(self, after_seq: int) -> dict[str, Any]:
        ack = await self.client.call("join", {"conference_id": self.server.conference_id, "after_seq": after_seq})
        assert ack["ok"] and not ack.get("snapshot"), ack
        for event in self.cursor.joined(ack):
            await super().on_event(event)
        return dict(ack)

    async def on_resync(self, data: dict[str, Any]) -> None:
        validate_data("server.resync", data)
        self.resyncs.append(data)
        # Not inside the handler: the join's answer arrives through the same client.
        self.catching_up = asyncio.create_task(self._catch_up())

    async def _catch_up(self) -> None:
        try:
            had = len(self.events)
            await self.join(self.cursor.resume_from())
            while self.cursor.lost:
                await self.join(self.cursor.resume_from())
            self.recovered += len(self.events) - had
        finally:
            # Also when it failed: the test then awaits `catching_up`, which raises what went wrong.
            self.resynced.set()

    async def has(self, expected: list[dict[str, Any]], timeout: float = 20) -> None:
        """Wait until every expected event is here; then what was applied up to the newest of them must be exactly
        those (the totals of the last check-ins may be announced after `expected` was read, and arrive too)."""
        wanted = {e["seq"] for e in expected}
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: wanted <= {e["seq"] for e in self.events}), timeout)
        newest = max(wanted, default=0)
        assert sorted((e for e in self.events if e["seq"] <= newest), key=lambda e: e["seq"]) == expected


Connect = Callable[[Server, str], Awaitable[Console]]


@pytest.fixture
async def console(cluster: Cluster) -> AsyncIterator[Connect]:
    """console(server, token) -> a Console joined from the first event: it holds all the history it may see."""
    clients: list[socketio.AsyncClient] = []

    async def connect(server: Server, token: str) -> Console:
        client = socketio.AsyncClient(reconnection=False)
        result = Console(client, server)
        client.on("event", result.on_event)
        client.on("server.resync", result.on_resync)
        await client.connect(server.base_url, auth={"token": token}, transports=["websocket"])
        clients.append(client)
        result.heads = (await result.join(0))["streams"]
        return result

    yield connect
    # Before the servers stop: a connected socket holds a graceful shutdown for its whole timeout.
    for client in clients:
        if client.connected:
            await client.disconnect()


async def history(call: Call, server: Server, token: str) -> list[dict[str, Any]]:
    reply = await call("GET", server.api("/events?after=0"), token)
    assert reply.status == 200, reply.body
    return list(reply.body["items"])


@dataclass
class Write:
    """One write with its Idempotency-Key, and its answer."""

    kind: str
    token: str
    payload: dict[str, Any]
    key: str
    status: int = 0
    body: Any = None

    @property
    def path(self) -> str:
        return "/checkins" if self.kind == "checkin" else "/comments"

    @property
    def answer_id(self) -> int:
        return int(self.body["checkin_id"] if self.kind == "checkin" else self.body["id"])


async def send(http: aiohttp.ClientSession, server: Server, write: Write) -> float:
    """POST the write through one process; return how long the answer took."""
    began = time.monotonic()
    headers = {"Authorization": f"Bearer {write.token}", "Idempotency-Key": write.key}
    async with http.post(server.api(write.path), json=write.payload, headers=headers) as response:
        write.status, write.body = response.status, await response.json()
    return time.monotonic() - began


async def rosters(call: Call, server: Server) -> dict[str, list[int]]:
    found = {}
    for code, token in server.tokens["operators"].items():
        reply = await call("GET", server.api("/participants?limit=1000"), token)
        found[code] = [int(p["id"]) for p in reply.body["items"]]
    return found


def comment(server: Server, n: int, tag: str) -> Write:
    delegates = sorted(server.tokens["delegates"].items())
    pid, token = delegates[n % len(delegates)]
    return Write("comment", token, {"body": f"Góp ý {tag} số {n:03d} của đại biểu {pid}."}, f"{tag}-comment-{n}")


def walk_in(server: Server, code: str, n: int, tag: str) -> Write:
    payload = {"full_name": f"Khách {tag} {n:03d}", "organization": "Kiểm thử nhiều tiến trình"}
    return Write("checkin", server.tokens["operators"][code], payload, f"{tag}-walk-{n}")


async def test_concurrent_writes_through_three_processes(cluster: Cluster, database: str, call: Call) -> None:
    servers = await cluster(3)
    s = servers[0]
    people = await rosters(call, s)
    writes = [
        Write("checkin", s.tokens["operators"][code], {"participant_id": pid}, f"in-{pid}")
        for code, ids in people.items() for pid in ids
    ]
    writes += [walk_in(s, code, n, "scale") for n, code in enumerate(sorted(people) * 5)]
    writes += [comment(s, n, "scale") for n in range(120)]
    # Thirty people again with other keys, through another process: exactly one of each pair checks them in.
    doubles = [Write(w.kind, w.token, w.payload, w.key + "-again") for w in writes[:60:2]]

    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(send(http, servers[i % 3], w) for i, w in enumerate(writes + doubles)))
        for write in writes + doubles:
            assert write.status in (201, 409), (write.key, write.status, write.body)
        for first, again in zip(writes[:60:2], doubles, strict=True):
            assert sorted((first.status, again.status)) == [201, 409], (first.key, first.body, again.body)
            assert (first.body if first.status == 409 else again.body)["error"]["code"] == "already_checked_in"
        done = [w for w in writes + doubles if w.status == 201]
        assert len(done) == len(writes)
        # Retries through yet another process answer the first attempt's id.
        repeats = [Write(w.kind, w.token, w.payload, w.key) for w in done[::7]]
        await asyncio.gather(*(send(http, servers[(i + 1) % 3], w) for i, w in enumerate(repeats)))
        for write, first in zip(repeats, done[::7], strict=True):
            assert write.status == 201 and write.answer_id == first.answer_id, (write.key, write.body)

    db, c = database, s.conference_id
    checkins = sorted(w.answer_id for w in done if w.kind == "checkin")
    comments = sorted(w.answer_id for w in done if w.kind == "comment")
    assert [r["id"] for r in await rows(db, "SELECT id FROM checkin ORDER BY id")] == checkins
    assert [r["id"] for r in await rows(db, "SELECT id FROM comment ORDER BY id")] == comments
    seqs = [r["seq"] for r in await rows(db, "SELECT seq FROM event WHERE conference_id = $1 ORDER BY seq", c)]
    (last,) = await rows(db, "SELECT last_seq FROM conference WHERE id = $1", c)
    assert seqs == list(range(1, last["last_seq"] + 1)), "the event seq has a gap or a duplicate"
    events_of = "SELECT (data->>$1)::int AS id FROM event WHERE type = $2 ORDER BY 1"
    assert [r["id"] for r in await rows(db, events_of, "checkin_id", "attendance.checked_in")] == checkins
    assert [r["id"] for r in await rows(db, events_of, "id", "comment.submitted")] == comments
    recount = await rows(db, "SELECT p.present, (SELECT count(*) FROM checkin k WHERE k.point_id = p.id"
                             " AND k.checked_out_at IS NULL) AS counted FROM point p")
    assert all(r["present"] == r["counted"] for r in recount)


async def test_a_socket_on_one_process_hears_writes_through_another(
    cluster: Cluster, console: Connect, call: Call
) -> None:
    a, b = await cluster(2)
    t = a.tokens
    chair = await console(a, t["chair"])
    hgi = await console(a, t["operators"]["HGI"])
    display = await console(a, t["display"])
    people = await rosters(call, b)
    for code in ("HGI", "CTO", "HGI"):
        pid = people[code].pop()
        reply = await call("POST", b.api("/checkins"), t["operators"][code], json={"participant_id": pid})
        assert reply.status == 201, reply.body
    async with aiohttp.ClientSession() as http:
        for n in range(3):
            write = comment(b, n, "fanout")
            await send(http, b, write)
            assert write.status == 201, write.body

    for listener, token in ((chair, t["chair"]), (hgi, t["operators"]["HGI"]), (display, t["display"])):
        await listener.has(await history(call, b, token))
        # In arrival order: the join's replay first, then each push as it came.
        arrived = [e["seq"] for e in listener.events]
        assert arrived == sorted(arrived), "pushed out of seq order"
    assert {e["stream"] for e in hgi.events} <= set(hgi.heads) and len(hgi.heads) == 2
    assert sum(e["type"] == "attendance.checked_in" for e in hgi.events) == 2
    assert "attendance.checked_in" not in display.types() and "comment.submitted" not in display.types()
    assert sum(e["type"] == "comment.submitted" for e in chair.events) == 3


async def test_writes_go_on_while_redis_is_down_and_consoles_converge(
    cluster: Cluster, console: Connect, redis: Redis, call: Call
) -> None:
    a, b = await cluster(2)
    t = a.tokens
    roles = [
        t["chair"],
        t["display"],
        t["operators"]["HGI"],
        t["operators"]["CTO"],
        *sorted(t["delegates"].values())[:2],
    ]
    consoles = [(await console(server, token), token) for server in (a, b) for token in roles]
    written: list[Write] = []

    async with aiohttp.ClientSession() as http:
        # Redis stops for 10 s; writes go on through both processes and each answers promptly.
        redis.stop()
        began, n = time.monotonic(), 0
        while time.monotonic() - began < 10:
            batch = [walk_in(a, ("HGI", "CTO", "BCA")[n % 3], n, "outage"), comment(b, n, "outage")]
            took = await asyncio.gather(send(http, a, batch[0]), send(http, b, batch[1]))
            for write, seconds in zip(batch, took, strict=True):
                assert write.status == 201, (write.key, write.body)
                assert seconds < 2, f"{write.key} took {seconds:.1f} s while Redis was down"
            written += batch
            n += 1
            await asyncio.sleep(0.2)
        await redis.start()

        # Each process finds its subscription back and tells its own sockets to re-join.
        for listener, _ in consoles:
            await asyncio.wait_for(listener.resynced.wait(), 30)
            assert listener.catching_up is not None
            await listener.catching_up
            assert listener.resyncs and all(r == {"reason": "fanout_restored"} for r in listener.resyncs)
        after = [walk_in(b, "HGI", 900, "after"), comment(a, 900, "after")]
        for write, server in zip(after, (b, a), strict=True):
            await send(http, server, write)
            assert write.status == 201, write.body

    for listener, token in consoles:
        await listener.has(await history(call, a, token))
    # The chairs saw the other process's writes of the outage only through the replay.
    assert all(listener.recovered > 0 for listener, token in consoles if token == t["chair"])
    failures = [await fanout_errors(call, server) for server in (a, b)]
    assert sum(failures) >= 1, "no publish failed while Redis was down"
    assert len(written) >= 20


async def test_a_redis_that_hangs_is_noticed_and_consoles_converge(
    cluster: Cluster, console: Connect, redis: Redis, call: Call, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stopped Redis keeps its connections open and answers nothing: only the ping can tell.
    monkeypatch.setitem(ENV, "DIEMCAU_REDIS_PING_SECONDS", "0.5")
    a, b = await cluster(2)
    t = a.tokens
    watching = ((a, t["chair"]), (a, t["operators"]["HGI"]), (b, t["chair"]))
    consoles = [(await console(server, token), token) for server, token in watching]
    assert redis.process is not None
    redis.process.send_signal(signal.SIGSTOP)
    try:
        # Written through b while Redis hangs, and the last write of the test: no later event shows a's consoles the
        # gap.
        write = walk_in(b, "HGI", 0, "hang")
        async with aiohttp.ClientSession() as http:
            took = await send(http, b, write)
        assert write.status == 201 and took < 1, (write.body, took)
        await asyncio.sleep(3)
    finally:
        redis.process.send_signal(signal.SIGCONT)

    for listener, token in consoles:
        await asyncio.wait_for(listener.resynced.wait(), 15)
        assert listener.catching_up is not None
        await listener.catching_up
        assert listener.resyncs and all(r == {"reason": "fanout_restored"} for r in listener.resyncs)
        await listener.has(await history(call, a, token))
        assert any(e["type"] == "attendance.checked_in" for e in listener.events)
    # b's publish of the walk-in gave up within its deadline instead of waiting for Redis.
    assert await fanout_errors(call, b) >= 1

    # With the link back, a logout through a closes the chair's sockets on both processes, each told why.
    chairs = [listener.client for listener, token in consoles if token == t["chair"]]
    notices: list[dict[str, Any]] = []
    gone = [asyncio.Event() for _ in chairs]
    for client, closed in zip(chairs, gone, strict=True):
        client.on("session.revoked", notices.append)
        client.on("disconnect", lambda *_, closed=closed: closed.set())
    assert (await call("POST", f"{a.base_url}/api/v1/auth/logout", t["chair"])).status == 200
    await asyncio.wait_for(asyncio.gather(*(closed.wait() for closed in gone)), 10)
    assert notices == [{"reason": "logged_out"}] * 2


async def fanout_errors(call: Call, server: Server) -> float:
    reply = await call("GET", server.base_url + "/metrics", METRICS_TOKEN)
    line = next(line for line in reply.body.splitlines() if line.startswith("diemcau_fanout_errors_total "))
    return float(line.split()[1])


async def test_processes_that_start_at_once_migrate_once(database: str, tmp_path: Path) -> None:
    env = {**os.environ, **ENV, "DIEMCAU_DATA_DIR": str(tmp_path)}
    migrations = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server", "migrate", "--database-url", database,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    for process in migrations:
        output, _ = await process.communicate()
        assert process.returncode == 0, output.decode()
    head = ScriptDirectory.from_config(alembic_config(database)).get_current_head()
    assert [r["version_num"] for r in await rows(database, "SELECT version_num FROM alembic_version")] == [head]


@pytest.fixture
async def pg_server(tmp_path: Path, database: str) -> AsyncIterator[Server]:
    """One demo server on PostgreSQL, without Redis: the same code as on SQLite."""
    server = await start_server(tmp_path / "pg", ENV, database)
    yield server
    stop_server(server)


@pytest.mark.parametrize(
    "flow",
    [
        flows.demo_workshop_end_to_end,
        flows.rejoin_replays_exactly_the_missed_events,
        flows.rejoin_sees_only_what_the_role_may_see,
    ],
    ids=lambda flow: flow.__name__,
)
async def test_the_workshop_flow_on_postgresql(
    flow: Callable[..., Awaitable[None]], pg_server: Server, call: Call, listen: Any
) -> None:
    await flow(pg_server, call, listen)
