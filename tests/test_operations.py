"""Graceful operation: /metrics, clean shutdown on SIGTERM, JSON logs."""
from __future__ import annotations

import asyncio
import json
import re
import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from server.errors import Unavailable
from server.keys import writers_key
from server.simulate.loopback import Server
from server.writes import ShuttingDown, Writers, perform
from tests.support.http import Call
from tests.support.servers import METRICS_TOKEN, start_server, stop_server

# Load and timing: these run alone, once the rest of the suite has left the two cores (scripts/test).
pytestmark = pytest.mark.solo

NAMES = (
    "diemcau_connected_consoles",
    "diemcau_events_published_total",
    "diemcau_write_seconds_bucket",
    "diemcau_write_seconds_count",
    "diemcau_write_errors_total",
    "diemcau_inflight_writes",
)


def sample(text: str, name: str, labels: str = "") -> float:
    """The value of one series in a Prometheus text exposition."""
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    assert match is not None, f"{name}{labels} not in:\n{text}"
    return float(match.group(1))


async def scrape(call: Call, server: Server) -> str:
    reply = await call("GET", server.base_url + "/metrics", METRICS_TOKEN)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert isinstance(reply.body, str)
    return reply.body


async def operators(call: Call, server: Server) -> float:
    return sample(await scrape(call, server), "diemcau_connected_consoles", '{role="operator"}')


async def test_metrics_exposition_sockets_and_writes(demo_server: Server, call: Call, listen: Any) -> None:
    s = demo_server
    text = await scrape(call, s)
    for name in NAMES:
        assert re.search(rf"^{name}[{{ ]", text, re.MULTILINE), name
    assert "# TYPE diemcau_write_seconds histogram" in text
    before = await operators(call, s)
    console = await listen(s, s.tokens["operators"]["HGI"])
    assert await operators(call, s) == before + 1
    await console.client.disconnect()
    # The server notices the disconnect on its own time; nothing to await but the count itself.
    for _ in range(200):
        if await operators(call, s) == before:
            break
        await asyncio.sleep(0.025)
    assert await operators(call, s) == before

    written = sample(await scrape(call, s), "diemcau_write_seconds_count")
    published = sample(await scrape(call, s), "diemcau_events_published_total")
    chair = await listen(s, s.tokens["chair"])
    hgi = s.tokens["operators"]["HGI"]
    person = (await call("GET", s.api("/participants"), hgi)).body["items"][0]
    reply = await call("POST", s.api("/checkins"), hgi, json={"participant_id": person["id"]})
    assert reply.status == 201, reply.body
    await chair.wait_for("attendance.checked_in")
    # The totals announced after it are a write of the server's own, under way for a moment more.
    await chair.wait_for("attendance.totals_changed")
    after = await scrape(call, s)
    assert sample(after, "diemcau_write_seconds_count") >= written + 1
    assert sample(after, "diemcau_events_published_total") >= published + 1
    for _ in range(200):
        if sample(await scrape(call, s), "diemcau_inflight_writes") == 0:
            break
        await asyncio.sleep(0.025)
    assert sample(await scrape(call, s), "diemcau_inflight_writes") == 0


async def test_writes_after_shutdown_began_are_refused_with_the_error_shape() -> None:
    app = web.Application()
    app[writers_key] = Writers(None, None)  # type: ignore[arg-type]
    app[writers_key].closing = True

    async def never(_: Any) -> dict[str, Any]:
        raise AssertionError("a refused write must not run")

    with pytest.raises(ShuttingDown) as refused:
        await perform(app, 1, never)
    assert isinstance(refused.value, Unavailable)
    assert refused.value.status == 503
    assert refused.value.to_dict()["error"]["code"] == "shutting_down"


async def _check_in(
    http: aiohttp.ClientSession, server: Server, token: str, pid: int, answered: asyncio.Event
) -> int | None:
    """The status of one check-in, or None when the connection failed."""
    try:
        async with http.post(
            server.api("/checkins"), json={"participant_id": pid}, headers={"Authorization": f"Bearer {token}"}
        ) as response:
            body = await response.json()
            if response.status == 503:
                assert body["error"]["code"] == "shutting_down", body
            answered.set()
            return response.status
    except aiohttp.ClientError:
        return None


async def _check_ins(
    http: aiohttp.ClientSession, server: Server, token: str, answered: asyncio.Event
) -> dict[int, int | None]:
    """Check in one point's roster one after another, until the server is gone."""
    async with http.get(server.api("/participants"), headers={"Authorization": f"Bearer {token}"}) as response:
        people = [p["id"] for p in (await response.json())["items"]]
    statuses: dict[int, int | None] = {}
    for pid in people:
        statuses[pid] = await _check_in(http, server, token, pid, answered)
    return statuses


DRAIN = 1.5


async def _draining(http: aiohttp.ClientSession, server: Server, token: str, seen: list[str]) -> tuple[Any, Any]:
    """/healthz and a new write, each on a connection of its own, once the drain has begun and before any socket was
    let go."""
    while True:
        async with http.get(server.base_url + "/healthz") as response:
            if response.status == 503:
                health = await response.json()
                break
        await asyncio.sleep(0.02)
    async with http.post(
        server.api("/checkins"), json={"participant_id": 1}, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        write = (response.status, await response.json())
    assert seen == [], "the consoles were let go before the drain ended"
    return (503, health), write


async def test_sigterm_finishes_writes_tells_sockets_and_exits_cleanly(tmp_path: Path, listen: Any) -> None:
    s = await start_server(tmp_path / "server", {"DIEMCAU_LOG_FORMAT": "json", "DIEMCAU_DRAIN_SECONDS": str(DRAIN)})
    try:
        chair = await listen(s, s.tokens["chair"])
        # An operator console counts on its point's presence; the stop takes it off the count before exiting.
        await listen(s, s.tokens["operators"]["HGI"])
        seen: list[str] = []
        gone = asyncio.Event()

        async def restarting(data: dict[str, Any]) -> None:
            assert data == {"reason": "shutdown", "reconnect": True}
            seen.append("server.restarting")

        def disconnected(*_: Any) -> None:
            seen.append("disconnect")
            gone.set()

        chair.client.on("server.restarting", restarting)
        chair.client.on("disconnect", disconnected)
        async with (
            aiohttp.ClientSession() as http,
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as fresh,
        ):
            # Refused by the socket.io server's origin check, which logs it: the line must be written once.
            async with fresh.get(
                s.base_url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://elsewhere.example"}
            ) as refused:
                assert refused.status == 400
            answered = asyncio.Event()
            # One sequential stream of check-ins per point: some answered before SIGTERM, some in flight, some after.
            streams = [
                asyncio.create_task(_check_ins(http, s, operator, answered))
                for operator in s.tokens["operators"].values()
            ]
            await answered.wait()
            s.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            health, write = await asyncio.wait_for(_draining(fresh, s, s.tokens["operators"]["HGI"], seen), DRAIN)
            statuses = {pid: status for stream in await asyncio.gather(*streams) for pid, status in stream.items()}
            await asyncio.wait_for(gone.wait(), DRAIN + 2)
            told = time.monotonic() - signalled
        code = await asyncio.to_thread(s.process.wait, DRAIN + 2)
        took = time.monotonic() - signalled
    finally:
        stop_server(s)
    assert code == 0, s.log.read_text()
    assert health == (
        503,
        {"error": {"code": "shutting_down", "message": health[1]["error"]["message"], "details": {}}},
    ), health
    assert write[0] == 503 and write[1]["error"]["code"] == "shutting_down", write
    # The consoles are told after the drain, and the process is gone soon after, sockets or not.
    assert told >= DRAIN and took < DRAIN + 2, (told, took)
    assert seen == ["server.restarting", "disconnect"]
    assert set(statuses.values()) <= {201, 503, None}, statuses
    assert 201 in statuses.values()

    with closing(sqlite3.connect(s.database)) as db:
        rows = db.execute("SELECT id, participant_id FROM checkin WHERE checked_out_at IS NULL").fetchall()
        logged = [
            json.loads(row[0])["checkin_id"]
            for row in db.execute("SELECT data FROM event WHERE type = 'attendance.checked_in'")
        ]
        online = db.execute("SELECT sum(operators_online) FROM point").fetchone()[0]
    assert online == 0
    checked = {pid for _, pid in rows}
    assert {pid for pid, status in statuses.items() if status == 201} <= checked
    assert not {pid for pid, status in statuses.items() if status == 503} & checked
    # No half-written state: each stored check-in has its event, in the same transaction, and no event lacks one.
    assert sorted(logged) == sorted(cid for cid, _ in rows)

    lines = s.log.read_text().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert records and all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    access = [r for r in records if r.get("route") == "checkin"]
    assert access and all(isinstance(r["duration_ms"], float) and r["conference_id"] == s.conference_id for r in access)
    assert {r["status"] for r in access} <= {201, 503}
    phases = [r["message"] for r in records if r["logger"] == "server.serving"]
    assert phases == [f"stopping: draining for {DRAIN:g} s", "stopping: telling 2 consoles to reconnect", "stopped"], (
        phases
    )
    # The socket.io libraries' lines reach the log once, through the JSON handler, and not again on a handler of their
    # own.
    origin = [line for line in lines if "elsewhere.example is not an accepted origin" in line]
    assert len(origin) == 1 and json.loads(origin[0])["logger"] == "engineio.server", origin


async def test_slow_and_oversized_headers_hold_up_nobody(tmp_path: Path, call: Call) -> None:
    """Hundreds of requests whose headers never finish are closed after DIEMCAU_IDLE_TIMEOUT while everyone else is
    answered; a header past aiohttp's 8 KiB limit is refused with 400 at once."""
    server = await start_server(tmp_path / "server", {"DIEMCAU_IDLE_TIMEOUT": "2"})
    host, port = "127.0.0.1", int(server.base_url.rsplit(":", 1)[1])
    try:
        slow = [await asyncio.open_connection(host, port) for _ in range(200)]
        for _, writer in slow:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        await asyncio.gather(*(writer.drain() for _, writer in slow))
        assert (await call("GET", server.base_url + "/healthz")).status == 200
        assert (await call("GET", server.api(), server.tokens["chair"])).status == 200
        # Each is closed by the server with nothing answered; a read that ends proves it without waiting on a clock.
        closed = await asyncio.wait_for(asyncio.gather(*(reader.read() for reader, _ in slow)), timeout=30)
        assert closed == [b""] * len(slow)
        for _, writer in slow:
            writer.close()
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
            await writer.drain()
            status = await asyncio.wait_for(reader.readline(), timeout=10)
        finally:
            writer.close()
        assert status.split()[1:2] == [b"400"], status
        assert (await call("GET", server.base_url + "/healthz")).status == 200
    finally:
        stop_server(server)
