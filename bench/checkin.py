"""Check-in latency and throughput over HTTP with watchers connected, against raw aiosqlite commits.

    .venv/bin/python -m bench.checkin [--watchers 200] [--rate 50] [--seconds 20]

Prints a JSON report: median and p99 latency at a fixed rate, the highest sustained rate,
the raw single-row commit rate of aiosqlite on the same machine with the same pragmas,
and their ratio.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite
import socketio

from bench.common import BenchServer, machine, percentiles, start
from server.text import fold, name_sort_bytes

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hà", "Hải", "Khánh", "Lan", "Minh", "Nam", "Phúc", "Quân", "Sơn", "Tâm"]


def person_name(i: int) -> str:
    return f"{FAMILY[i % len(FAMILY)]} {MIDDLE[(i // 12) % len(MIDDLE)]} {GIVEN[(i // 84) % len(GIVEN)]} {i}"


def add_roster(database: Path, per_point: int) -> None:
    """Bulk-load roster members into the stopped server's database, counters included."""
    with sqlite3.connect(database) as db:
        points = db.execute("SELECT id, conference_id FROM point").fetchall()
        rows = []
        for point_id, conference_id in points:
            for i in range(per_point):
                name = person_name(point_id * 100_000 + i)
                rows.append((conference_id, point_id, name, fold(name), name_sort_bytes(name)))
        db.executemany(
            "INSERT INTO participant (conference_id, point_id, full_name, search_key, sort_key, on_roster, created_at)"
            " VALUES (?, ?, ?, ?, ?, 1, datetime('now'))",
            rows,
        )
        db.execute("UPDATE point SET expected = (SELECT count(*) FROM participant p WHERE p.point_id = point.id AND p.on_roster)")
        db.execute("UPDATE conference SET expected = (SELECT sum(expected) FROM point WHERE point.conference_id = conference.id)")


async def _watch(base_url: str, token: str, conference_id: int, count: int, ready: Any, stop: Any) -> None:
    clients = []
    received = 0

    def counted(_: Any) -> None:
        nonlocal received
        received += 1

    for _ in range(count):
        client = socketio.AsyncClient(reconnection=False)
        client.on("event", counted)
        await client.connect(base_url, auth={"token": token}, transports=["websocket"])
        await client.call("join", {"conference_id": conference_id, "after_seq": 10**9})
        clients.append(client)
    ready.set()
    while not stop.is_set():
        await asyncio.sleep(0.2)
    for client in clients:
        await client.disconnect()


def _watch_process(base_url: str, token: str, conference_id: int, count: int, ready: Any, stop: Any) -> None:
    asyncio.run(_watch(base_url, token, conference_id, count, ready, stop))


def watchers(server: BenchServer, count: int) -> tuple[multiprocessing.Process, Any]:
    """Display consoles in a process of their own, so receiving does not eat the load generator's time."""
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    process = multiprocessing.Process(
        target=_watch_process, args=(server.base_url, server.tokens["display"], server.tokens["conference_id"], count, ready, stop)
    )
    process.start()
    if not ready.wait(timeout=120):
        raise RuntimeError("watchers did not connect")
    return process, stop


async def queue_of_people(http: aiohttp.ClientSession, server: BenchServer) -> list[tuple[str, int]]:
    """(operator token, participant id) pairs, interleaved across the points."""
    per_point = []
    for code, token in server.tokens["operators"].items():
        async with http.get(server.api("/participants?limit=1000"), headers={"Authorization": f"Bearer {token}"}) as r:
            per_point.append([(token, p["id"]) for p in (await r.json())["items"] if not p["present"]])
    return [pair for group in zip(*per_point, strict=False) for pair in group]


async def check_in(http: aiohttp.ClientSession, server: BenchServer, token: str, participant_id: int) -> float:
    started = time.perf_counter()
    async with http.post(server.api("/checkins"), json={"participant_id": participant_id},
                         headers={"Authorization": f"Bearer {token}"}) as response:
        await response.read()
        if response.status != 201:
            raise RuntimeError(f"check-in answered {response.status}")
    return time.perf_counter() - started


async def fixed_rate(http: aiohttp.ClientSession, server: BenchServer, people: list[tuple[str, int]], rate: float, seconds: float) -> dict[str, Any]:
    count = int(rate * seconds)
    tasks = []
    begin = time.perf_counter()
    for i, (token, pid) in enumerate(people[:count]):
        delay = begin + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(check_in(http, server, token, pid)))
    latencies = await asyncio.gather(*tasks)
    return {"rate": rate, **percentiles(list(latencies))}


async def saturate(http: aiohttp.ClientSession, server: BenchServer, people: list[tuple[str, int]], in_flight: int, seconds: float) -> dict[str, Any]:
    work = iter(people)
    done: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        for token, pid in work:
            if time.perf_counter() > deadline:
                return
            done.append(await check_in(http, server, token, pid))

    begin = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed = time.perf_counter() - begin
    return {"in_flight": in_flight, "per_second": round(len(done) / elapsed, 1), **percentiles(done)}


async def raw_commit_rate(directory: Path, seconds: float) -> float:
    """Single-row INSERT + COMMIT in a loop, with the server's pragmas (WAL, synchronous=FULL)."""
    async with aiosqlite.connect(directory / "raw.db", isolation_level=None) as db:
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=15000"):
            await db.execute(f"PRAGMA {pragma}")
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, participant_id INTEGER, at TEXT)")
        count = 0
        deadline = time.perf_counter() + seconds
        begin = time.perf_counter()
        while time.perf_counter() < deadline:
            await db.execute("BEGIN IMMEDIATE")
            await db.execute("INSERT INTO t (participant_id, at) VALUES (?, datetime('now'))", (count,))
            await db.execute("COMMIT")
            count += 1
        return count / (time.perf_counter() - begin)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        server = await start(directory)
        server.stop()
        add_roster(server.database, per_point=args.per_point)
        server = await start(directory)
        try:
            watching, stop_watching = watchers(server, args.watchers)
            connector = aiohttp.TCPConnector(limit=256)
            async with aiohttp.ClientSession(connector=connector) as http:
                people = await queue_of_people(http, server)
                steady_count = int(args.rate * args.seconds)
                steady = await fixed_rate(http, server, people[:steady_count], args.rate, args.seconds)
                peak = await saturate(http, server, people[steady_count:], args.in_flight, args.seconds)
            stop_watching.set()
            watching.join(timeout=60)
        finally:
            server.stop()
        raw = await raw_commit_rate(directory, seconds=5)
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "watchers": args.watchers,
        "steady": steady,
        "sustained": peak,
        "raw_aiosqlite_commits_per_second": round(raw, 1),
        "ratio_to_raw": round(peak["per_second"] / raw, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--watchers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--per-point", type=int, default=1000)
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2, ensure_ascii=False))
