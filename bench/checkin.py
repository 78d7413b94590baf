"""Check-ins acknowledged after commit: the product against the least the stack can do, with and without consoles.

    .venv/bin/python -m bench.checkin [--watchers 0,200] [--seconds 10] [--in-flight 32] [--rate 50] [--profile FILE]

One demo server, its roster grown to --per-point people a point, and one bench.bare_ingest
server (aiohttp + python-socketio + one aiosqlite writer committing everything queued in one
transaction; it takes the same POST with the same operator tokens) are driven by the same
load generator in the same run. For each count of display consoles in --watchers (they run
in a process of their own; on the bare server they join its one room, which gets one event
per check-in, the least a console that follows every arrival needs; the product's displays get
at most 4 coalesced totals events a second), each server gets, one after the other:

- steady: check-ins at --rate a second for --seconds (median and p99 latency; 0 skips it);
- sustained: --in-flight check-ins at a time for --seconds: the rate acknowledged.

The JSON report gives both servers' figures, the ratio product / bare for each count of
consoles, the product's rate with the most consoles over its rate with none, and the raw
aiosqlite single-row commit rate on the same machine with the same pragmas. --profile FILE
records the product with py-spy over each sustained phase (FILE, or FILE with -wN before
its suffix when there are several counts of consoles) and prints its top frames (bench.profile).
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import json
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import aiohttp
import aiosqlite
import socketio

from bench.common import (
    BareServer,
    machine,
    percentiles,
    start,
    start_bare_ingest,
)
from bench.profile import recording, render, top_frames
from server.simulate.loopback import Server
from server.simulate.people import numbered_name
from server.text import fold, name_sort_bytes

RAW_SECONDS = 3.0
PROFILE_TOP = 12

Target = Server | BareServer
BEGAN = time.perf_counter()


def note(text: str) -> None:
    """Progress on stderr, so a run of a few minutes shows where it is; the report stays alone on stdout."""
    print(f"[{time.perf_counter() - BEGAN:6.1f} s] {text}", file=sys.stderr, flush=True)


@functools.cache
def stem_sort_bytes(stem: str) -> bytes:
    return name_sort_bytes(stem)


def add_roster(database: Path, per_point: int) -> None:
    """Bulk-load roster members into the stopped server's database, counters included.

    A member's sort key is that of its name without the number (computing 50,000 exact keys
    takes longer than the benchmark): they sort as namesakes would, which no figure here reads.
    """
    with sqlite3.connect(database) as db:
        points = db.execute("SELECT id, conference_id FROM point").fetchall()
        rows = []
        for point_id, conference_id in points:
            for i in range(per_point):
                name = numbered_name(point_id * 100_000 + i)
                rows.append((conference_id, point_id, name, fold(name), stem_sort_bytes(name.rsplit(" ", 1)[0])))
        db.executemany(
            "INSERT INTO participant (conference_id, point_id, full_name, search_key, sort_key, on_roster, created_at)"
            " VALUES (?, ?, ?, ?, ?, 1, datetime('now'))",
            rows,
        )
        db.execute(
            "UPDATE point SET expected = (SELECT count(*) FROM participant p WHERE p.point_id = point.id AND "
            "p.on_roster)"
        )
        db.execute(
            "UPDATE conference SET expected = (SELECT sum(expected) FROM point WHERE point.conference_id = "
            "conference.id)"
        )


def queue_of_people(database: Path, operators: dict[str, str]) -> list[tuple[str, int]]:
    """(operator token, participant id) for every roster member of a point with an operator, interleaved across the
    points."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT point.code, participant.id FROM participant JOIN point ON point.id = participant.point_id"
            " WHERE participant.on_roster ORDER BY participant.id"
        ).fetchall()
    per_point: dict[str, list[tuple[str, int]]] = {code: [] for code in operators}
    for code, participant_id in rows:
        if code in per_point:
            per_point[code].append((operators[code], participant_id))
    return [pair for group in zip(*per_point.values(), strict=False) for pair in group]


async def _watch(
    base_url: str, token: str, conference_id: int, count: int, join: bool, ready: Any, stop: Any, received: Any
) -> None:
    clients = []
    events = 0

    def counted(_: Any) -> None:
        nonlocal events
        events += 1

    for _ in range(count):
        client = socketio.AsyncClient(reconnection=False)
        client.on("event", counted)
        await client.connect(base_url, auth={"token": token}, transports=["websocket"])
        if join:
            await client.call("join", {"conference_id": conference_id, "after_seq": 10**9})
        clients.append(client)
    ready.set()
    while not stop.is_set():
        await asyncio.sleep(0.2)
    received.value = events
    for client in clients:
        await client.disconnect()


def _watch_process(
    base_url: str, token: str, conference_id: int, count: int, join: bool, ready: Any, stop: Any, received: Any
) -> None:
    asyncio.run(_watch(base_url, token, conference_id, count, join, ready, stop, received))


class Watchers:
    """Display consoles in a process of their own, so receiving does not eat the load generator's time.

    Without `join` they only connect: what a console costs that gets none of the events.
    """

    def __init__(self, base_url: str, token: str, conference_id: int, count: int, join: bool = True) -> None:
        self.count = count
        self.connect_seconds = 0.0
        self.ready, self.stopping = multiprocessing.Event(), multiprocessing.Event()
        self.received = multiprocessing.Value("q", 0)
        self.process = multiprocessing.Process(
            target=_watch_process,
            args=(base_url, token, conference_id, count, join, self.ready, self.stopping, self.received),
        )

    async def __aenter__(self) -> Self:
        began = time.perf_counter()
        if self.count:
            self.process.start()
            if not await asyncio.to_thread(self.ready.wait, 300):
                self.process.kill()
                raise RuntimeError("watchers did not connect")
        self.connect_seconds = time.perf_counter() - began
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.count:
            self.stopping.set()
            await asyncio.to_thread(self.process.join, 60)
            if self.process.is_alive():
                self.process.kill()


async def check_in(http: aiohttp.ClientSession, target: Target, token: str, participant_id: int) -> float:
    started = time.perf_counter()
    async with http.post(target.api("/checkins"), json={"participant_id": participant_id},
                         headers={"Authorization": f"Bearer {token}"}) as response:
        await response.read()
        if response.status != 201:
            raise RuntimeError(f"check-in answered {response.status}")
    return time.perf_counter() - started


async def fixed_rate(
    http: aiohttp.ClientSession, target: Target, people: Iterator[tuple[str, int]], rate: float, seconds: float
) -> dict[str, Any]:
    tasks = []
    begin = time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = begin + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        token, pid = next(people)
        tasks.append(asyncio.create_task(check_in(http, target, token, pid)))
    latencies = await asyncio.gather(*tasks)
    return {"rate": rate, **percentiles(list(latencies))}


async def saturate(
    http: aiohttp.ClientSession, target: Target, people: Iterator[tuple[str, int]], in_flight: int, seconds: float
) -> dict[str, Any]:
    """`in_flight` check-ins at a time until the time is up or the roster runs out (then `exhausted`)."""
    done: list[float] = []
    deadline = time.perf_counter() + seconds
    exhausted = False

    async def worker() -> None:
        nonlocal exhausted
        while time.perf_counter() < deadline:
            try:
                token, pid = next(people)
            except StopIteration:
                exhausted = True
                return
            done.append(await check_in(http, target, token, pid))

    begin = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed = time.perf_counter() - begin
    return {
        "in_flight": in_flight,
        "per_second": round(len(done) / elapsed, 1),
        **percentiles(done),
        "exhausted": exhausted,
    }


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


def profile_file(base: Path | None, watchers: int, settings: list[int]) -> Path | None:
    if base is None or len(settings) == 1:
        return base
    return base.with_name(f"{base.stem}-w{watchers}{base.suffix}")


def profiled(output: Path | None) -> dict[str, Any] | None:
    """The top frames of a finished recording, printed for the reader and kept for the report."""
    if output is None or not output.exists():
        return None
    summary = top_frames(output, PROFILE_TOP)
    print(render(summary), file=sys.stderr)
    return summary


def parse_counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of whole numbers: {text!r}") from None
    if not counts or any(count < 0 for count in counts):
        raise argparse.ArgumentTypeError(f"give at least one count, none negative: {text!r}")
    return counts


async def measure(args: argparse.Namespace, target: Target, display_token: str, conference_id: int, watchers: int,
                  people: Iterator[tuple[str, int]], profile: Path | None) -> dict[str, Any]:
    note(f"{type(target).__name__}: {watchers} consoles")
    async with (
        Watchers(target.base_url, display_token, conference_id, watchers) as consoles,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as http,
    ):
        steady = await fixed_rate(http, target, people, args.rate, args.seconds) if args.rate > 0 else None
        async with recording(target.process.pid, profile):
            sustained = await saturate(http, target, people, args.in_flight, args.seconds)
    acknowledged = (steady["n"] if steady else 0) + sustained["n"]
    return {
        "connect_seconds": round(consoles.connect_seconds, 1),
        "steady": steady,
        "sustained": sustained,
        "events_per_console": round(consoles.received.value / watchers, 1) if watchers else None,
        "acknowledged": acknowledged,
        "profile": profiled(profile),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        product = await start(directory)
        product.stop()
        add_roster(product.database, per_point=args.per_point)
        product = await start(directory)
        conference_id = int(product.tokens["conference_id"])
        operators: dict[str, str] = product.tokens["operators"]
        display = product.tokens["display"]
        people = queue_of_people(product.database, operators)
        note(f"product up, {len(people)} people on the rosters")
        fresh = iter(people)
        bare = await start_bare_ingest(directory, conference_id, [*operators.values(), display])
        runs = []
        try:
            for watchers in args.watchers:
                real = await measure(args, product, display, conference_id, watchers, fresh,
                                     profile_file(args.profile, watchers, args.watchers))
                # The bare server checks no roster, so it takes the same people again.
                least = await measure(args, bare, display, conference_id, watchers, iter(people), None)
                runs.append({
                    "watchers": watchers,
                    "product": real,
                    "bare": least,
                    "ratio": round(real["sustained"]["per_second"] / least["sustained"]["per_second"], 3),
                })
        finally:
            product.stop()
            bare.stop()
        raw = await raw_commit_rate(directory, seconds=RAW_SECONDS)
    rates = {run["watchers"]: run["product"]["sustained"]["per_second"] for run in runs}
    fewest, most = min(rates), max(rates)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "load_average": {"start": load, "end": os.getloadavg()},
        "roster": len(people),
        "runs": runs,
        "product_consoles_ratio": {"with": most, "over_with": fewest, "ratio": round(rates[most] / rates[fewest], 3)}
        if most != fewest else None,
        "raw_aiosqlite_commits_per_second": round(raw, 1),
        "product_over_raw": {str(w): round(rate / raw, 3) for w, rate in rates.items()},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--watchers",
        type=parse_counts,
        default=[0, 200],
        help="display consoles, comma-separated counts (default 0,200)",
    )
    parser.add_argument("--rate", type=float, default=50, help="check-ins a second in the steady phase; 0 skips it")
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--per-point", type=int, default=6000, help="roster members a point")
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy raw profile of the product's sustained phase"
    )
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2, ensure_ascii=False))
