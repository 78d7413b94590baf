"""The socket consoles, held in worker processes: connect and join in waves, note when each agenda move arrives."""
from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from server.simulate.sio import SocketClient, SocketError
from server.simulate.workers import serve

STARTED = "agenda.item_started"
REVOKED = "session.revoked"
CONNECT_TIMEOUT = 60.0
# As the browser consoles (web/static/js/live.js): after the server lets a console go, a random moment before the
# first try, then a doubling wait up to the last, each ±50 %, so that thousands do not knock at once.
COME_BACK = (0.5, 3.0)
RETRY_FIRST, RETRY_MOST = 1.0, 10.0
# The envelope's first key; reading it from the text spares decoding every event.
SEQ = re.compile(r'\{"seq":\s*(\d+)')
Failed = Callable[[str, str], None]


@dataclass(frozen=True)
class ConsoleSpec:
    """One console to open: which server, with which invitation, as what."""

    url: str
    token: str
    kind: str


@dataclass
class Console:
    """One open console, what reached it, and how often it came back after the server let it go."""

    spec: ConsoleSpec
    client: SocketClient | None = None
    events: int = 0
    seq: int = 0
    started: dict[str, float] = field(default_factory=dict)
    reconnects: int = 0
    # Why it stopped coming back: the session was revoked, or a join was refused.
    ended: str | None = None

    def on_event(self, name: str, args: str, at: float) -> None:
        if name == REVOKED:
            self.ended = REVOKED
            return
        if name != "event":
            return
        self.events += 1
        found = SEQ.match(args)
        if found:
            self.seq = max(self.seq, int(found.group(1)))
        # Decoding every envelope would make the load generator the bottleneck; only agenda moves are measured.
        if STARTED in args:
            envelope = json.loads(args)
            if envelope.get("type") == STARTED:
                self.started.setdefault(str(envelope["data"]["id"]), at)

    def joined(self, ack: dict[str, Any]) -> None:
        """Take in a join's answer: the events it replays, and the seq it brings the console to."""
        for envelope in ack.get("events", []):
            self.on_event("event", json.dumps(envelope), time.time())
        self.seq = max(self.seq, int(ack.get("seq", 0)))


class ConsoleSet:
    """The consoles of one worker process."""

    def __init__(self) -> None:
        self.http: aiohttp.ClientSession | None = None
        self.consoles: list[Console] = []
        self._keepers: list[asyncio.Task[None]] = []
        self._closing = False

    async def _join(self, console: Console, conference_id: int, failed: Failed) -> tuple[SocketClient, float] | None:
        """Connect and join from the console's seq; the open client and when it connected, or None (counted in
        `failed`)."""
        assert self.http is not None
        client = SocketClient(self.http, console.spec.url, console.on_event)
        try:
            await client.connect({"token": console.spec.token}, CONNECT_TIMEOUT)
        except (SocketError, aiohttp.ClientError, TimeoutError, OSError) as error:
            failed("connect", str(error) if isinstance(error, SocketError) else type(error).__name__)
            return None
        connected = time.perf_counter()
        try:
            ack = await client.call("join", {"conference_id": conference_id, "after_seq": console.seq}, CONNECT_TIMEOUT)
        except (SocketError, TimeoutError, aiohttp.ClientError) as error:
            failed("join", type(error).__name__)
            await client.close()
            return None
        if not isinstance(ack, dict) or not ack.get("ok"):
            code = str(ack.get("error", {}).get("code") if isinstance(ack, dict) else ack)
            failed("join", code)
            console.ended = f"join refused: {code}"
            await client.close()
            return None
        console.joined(ack)
        return client, connected

    async def open(
        self, specs: list[ConsoleSpec], conference_id: int, after_seq: int, concurrency: int
    ) -> dict[str, Any]:
        """Connect and join every console, at most `concurrency` at a time; the latencies and refusals."""
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        slots = asyncio.Semaphore(concurrency)
        result: dict[str, Any] = {"connect": [], "join": [], "errors": {}}

        def failed(step: str, why: str) -> None:
            key = f"{step}: {why}"
            result["errors"][key] = result["errors"].get(key, 0) + 1

        async def one(spec: ConsoleSpec) -> None:
            console = Console(spec, seq=after_seq)
            async with slots:
                began = time.perf_counter()
                opened = await self._join(console, conference_id, failed)
            if opened is None:
                return
            console.client, connected = opened
            result["connect"].append(connected - began)
            result["join"].append(time.perf_counter() - connected)
            self.consoles.append(console)
            self._keepers.append(asyncio.create_task(self._keep(console, conference_id)))

        await asyncio.gather(*(one(s) for s in specs))
        return result

    async def _keep(self, console: Console, conference_id: int) -> None:
        """Whenever the server lets the console go (a restart), bring it back."""
        while console.client is not None:
            await console.client.ended()
            client = await self._come_back(console, conference_id)
            if client is None:
                return
            console.client = client
            console.reconnects += 1

    async def _come_back(self, console: Console, conference_id: int) -> SocketClient | None:
        """Connect again and join from the console's last seq, retrying with backoff; None once the set is closing,
        the console's session was revoked or its join refused."""
        delay = random.uniform(*COME_BACK)
        while not self._closing and console.ended is None:
            await asyncio.sleep(delay)
            opened = await self._join(console, conference_id, lambda step, why: None)
            if opened is not None:
                return opened[0]
            delay = min(max(delay * 2, RETRY_FIRST), RETRY_MOST) * random.uniform(0.5, 1.5)
        return None

    async def wait(self, item_id: int, timeout: float) -> None:
        """Until every console still held (or coming back) has the start of `item_id`, or the timeout."""
        key = str(item_id)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(key in c.started for c in self.consoles if c.ended is None):
                return
            await asyncio.sleep(0.02)

    def collect(self) -> list[dict[str, Any]]:
        return [
            {"kind": c.spec.kind, "events": c.events, "started": c.started, "reconnects": c.reconnects,
             "connected": c.client is not None and c.client.connected,
             "close_reason": c.ended or (None if c.client is None else c.client.close_reason)}
            for c in self.consoles
        ]

    async def close(self) -> None:
        self._closing = True
        for keeper in self._keepers:
            keeper.cancel()
        await asyncio.gather(*self._keepers, return_exceptions=True)
        await asyncio.gather(*(c.client.close() for c in self.consoles if c.client is not None), return_exceptions=True)
        if self.http is not None:
            await self.http.close()


async def _serve(conn: Connection) -> None:
    consoles = ConsoleSet()

    async def collect() -> list[dict[str, Any]]:
        return consoles.collect()

    await serve(
        conn, {"open": consoles.open, "wait": consoles.wait, "collect": collect, "close": consoles.close}, last="close"
    )


def console_worker(conn: Connection) -> None:
    """A worker process holding consoles (the target of Workers)."""
    asyncio.run(_serve(conn))


def plan(
    urls: tuple[str, ...], operator_tokens: list[str], delegate_tokens: list[str], display: str, count: int
) -> list[ConsoleSpec]:
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
