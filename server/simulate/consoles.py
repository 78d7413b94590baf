"""The socket consoles, held in worker processes: connect and join in waves, note when each agenda move arrives."""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from server.simulate.sio import SocketClient, SocketError
from server.simulate.workers import serve

STARTED = "agenda.item_started"
CONNECT_TIMEOUT = 60.0


@dataclass(frozen=True)
class ConsoleSpec:
    """One console to open: which server, with which invitation, as what."""

    url: str
    token: str
    kind: str


@dataclass
class Console:
    """One open console and what reached it."""

    spec: ConsoleSpec
    client: SocketClient | None = None
    events: int = 0
    started: dict[str, float] = field(default_factory=dict)

    def on_event(self, name: str, args: str, at: float) -> None:
        if name != "event":
            return
        self.events += 1
        # Decoding every envelope would make the load generator the bottleneck; only agenda moves are measured.
        if STARTED in args:
            envelope = json.loads(args)
            if envelope.get("type") == STARTED:
                self.started.setdefault(str(envelope["data"]["id"]), at)


class ConsoleSet:
    """The consoles of one worker process."""

    def __init__(self) -> None:
        self.http: aiohttp.ClientSession | None = None
        self.consoles: list[Console] = []

    async def open(self, specs: list[ConsoleSpec], conference_id: int, after_seq: int, concurrency: int) -> dict[str, Any]:
        """Connect and join every console, at most `concurrency` at a time; the latencies and refusals."""
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        slots = asyncio.Semaphore(concurrency)
        result: dict[str, Any] = {"connect": [], "join": [], "errors": {}}

        def failed(step: str, why: str) -> None:
            key = f"{step}: {why}"
            result["errors"][key] = result["errors"].get(key, 0) + 1

        async def one(spec: ConsoleSpec) -> None:
            console = Console(spec)
            assert self.http is not None
            client = SocketClient(self.http, spec.url, console.on_event)
            async with slots:
                began = time.perf_counter()
                try:
                    await client.connect({"token": spec.token}, CONNECT_TIMEOUT)
                except (SocketError, aiohttp.ClientError, TimeoutError, OSError) as error:
                    failed("connect", str(error) if isinstance(error, SocketError) else type(error).__name__)
                    return
                joined = time.perf_counter()
                result["connect"].append(joined - began)
                try:
                    ack = await client.call("join", {"conference_id": conference_id, "after_seq": after_seq}, CONNECT_TIMEOUT)
                except (SocketError, TimeoutError, aiohttp.ClientError) as error:
                    failed("join", type(error).__name__)
                    await client.close()
                    return
            if not isinstance(ack, dict) or not ack.get("ok"):
                failed("join", str(ack.get("error", {}).get("code") if isinstance(ack, dict) else ack))
                await client.close()
                return
            result["join"].append(time.perf_counter() - joined)
            for envelope in ack.get("events", []):
                console.on_event("event", json.dumps(envelope), time.time())
            console.client = client
            self.consoles.append(console)

        await asyncio.gather(*(one(s) for s in specs))
        return result

    async def wait(self, item_id: int, timeout: float) -> None:
        """Until every connected console has the start of `item_id`, or the timeout."""
        key = str(item_id)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(key in c.started for c in self.consoles if c.client is not None and c.client.connected):
                return
            await asyncio.sleep(0.02)

    def collect(self) -> list[dict[str, Any]]:
        return [
            {"kind": c.spec.kind, "events": c.events, "started": c.started,
             "connected": c.client is not None and c.client.connected,
             "close_reason": None if c.client is None else c.client.close_reason}
            for c in self.consoles
        ]

    async def close(self) -> None:
        await asyncio.gather(*(c.client.close() for c in self.consoles if c.client is not None), return_exceptions=True)
        if self.http is not None:
            await self.http.close()


async def _serve(conn: Connection) -> None:
    consoles = ConsoleSet()

    async def collect() -> list[dict[str, Any]]:
        return consoles.collect()

    await serve(conn, {"open": consoles.open, "wait": consoles.wait, "collect": collect, "close": consoles.close}, last="close")


def console_worker(conn: Connection) -> None:
    """A worker process holding consoles (the target of Workers)."""
    asyncio.run(_serve(conn))


def plan(urls: tuple[str, ...], operator_tokens: list[str], delegate_tokens: list[str], display: str, count: int) -> list[ConsoleSpec]:
    """`count` consoles: a tenth displays, a tenth delegates (when there are any), the rest operators round-robin
    over the points; each console goes to the next server in turn, as a load balancer would spread them."""
    displays = count // 10
    delegates = count // 10 if delegate_tokens else 0
    specs = []
    for i in range(count):
        url = urls[i % len(urls)]
        if i % 10 == 9 and displays:
            specs.append(ConsoleSpec(url, display, "display"))
            displays -= 1
        elif i % 10 == 8 and delegates:
            specs.append(ConsoleSpec(url, delegate_tokens[(i // 10) % len(delegate_tokens)], "delegate"))
            delegates -= 1
        else:
            specs.append(ConsoleSpec(url, operator_tokens[i % len(operator_tokens)], "operator"))
    return specs
