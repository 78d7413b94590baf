"""A console in Chromium that loses an event on the wire notices by itself and joins again from before it."""
from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from playwright.async_api import Page, WebSocketRoute, expect

from server.simulate.loopback import Server
from tests.support.browser import LIVE_TIMEOUT_MS, Open
from tests.support.http import Call

SOCKET = re.compile(r"/socket\.io/")


class Wire:
    """Sits between a page and the server's socket: drops the first pushed event of one type, records joins."""

    def __init__(self, drop: str) -> None:
        self.drop = drop
        self.dropped: dict[str, Any] | None = None
        self.gone = asyncio.Event()
        self.joins: list[int] = []
        self.page_side: WebSocketRoute | None = None

    async def route(self, page: Page) -> None:
        await page.route_web_socket(SOCKET, self._connect)

    def _connect(self, page_side: WebSocketRoute) -> None:
        self.page_side = page_side
        server_side = page_side.connect_to_server()
        server_side.on_message(lambda message: self._from_server(page_side, message))
        page_side.on_message(lambda message: self._from_page(server_side, message))

    def _from_server(self, page_side: WebSocketRoute, message: str | bytes) -> None:
        event = _pushed(message)
        if event is not None and event["type"] == self.drop and self.dropped is None:
            self.dropped = event
            self.gone.set()
            return
        page_side.send(message)

    def _from_page(self, server_side: WebSocketRoute, message: str | bytes) -> None:
        # Socket.IO EVENT with an ack id: 42<id>["join", {...}]
        found = re.match(r'^42\d+\["join",(.*)\]$', message) if isinstance(message, str) else None
        if found:
            self.joins.append(json.loads(found.group(1))["after_seq"])
        server_side.send(message)


def _pushed(message: str | bytes) -> dict[str, Any] | None:
    if not isinstance(message, str) or not message.startswith('42["event",'):
        return None
    name, envelope = json.loads(message[2:])
    return envelope if isinstance(envelope, dict) else None


async def check_in(s: Server, call: Call, index: int) -> None:
    people = (await call("GET", s.api("/participants"), s.tokens["operators"]["HGI"])).body["items"]
    reply = await call(
        "POST", s.api("/checkins"), s.tokens["operators"]["HGI"], json={"participant_id": people[index]["id"]}
    )
    assert reply.status == 201, reply.body


async def test_a_lost_event_is_noticed_at_the_next_and_fetched_again(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s = demo_server
    wire = Wire(drop="attendance.totals_changed")
    display = await open_console(s, s.tokens["display"], prepare=wire.route)
    await expect(display.locator("#present")).to_have_text("0")
    assert len(wire.joins) == 1

    await check_in(s, call, 0)
    await asyncio.wait_for(wire.gone.wait(), LIVE_TIMEOUT_MS / 1000)
    await check_in(s, call, 1)

    # The second total names the first as its predecessor: the display holds it, then joins again from before the
    # lost one and applies both in order.
    await expect(display.locator("#present")).to_have_text("2", timeout=LIVE_TIMEOUT_MS)
    assert wire.dropped is not None
    assert len(wire.joins) == 2 and wire.joins[1] < wire.dropped["seq"]
    await expect(display.locator("#live-status")).to_have_attribute("data-state", "online")


async def test_server_resync_brings_back_the_last_event_lost(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    """No later event shows the loss; the server's `server.resync` (sent when its fan-out between processes was
    interrupted) makes the console join again."""
    s = demo_server
    wire = Wire(drop="attendance.totals_changed")
    display = await open_console(s, s.tokens["display"], prepare=wire.route)

    await check_in(s, call, 0)
    await asyncio.wait_for(wire.gone.wait(), LIVE_TIMEOUT_MS / 1000)
    await expect(display.locator("#present")).to_have_text("0")
    assert wire.page_side is not None
    wire.page_side.send('42["server.resync",{"reason":"fanout_restored"}]')

    await expect(display.locator("#present")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)
    assert len(wire.joins) == 2
