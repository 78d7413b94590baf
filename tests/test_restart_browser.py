"""Consoles outlive a restart of the server: told to reconnect, they come back by themselves on the same port and
database, say so meanwhile, and hear what happens next without a reload; so do `diemcau simulate`'s consoles."""
from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from playwright.async_api import Page, expect

from server.simulate.consoles import ConsoleSet, ConsoleSpec
from tests.support.browser import Open, assert_not_reloaded, catalog, mark
from tests.support.http import Call
from tests.support.servers import start_server, stop_server

# The consoles wait up to 3 s before their first try, then back off from 1 s: a restart takes a few seconds.
BACK_MS = 20_000


async def test_consoles_come_back_by_themselves_after_a_restart(tmp_path: Path, open_console: Open, call: Call) -> None:
    s = await start_server(tmp_path / "server")
    port = int(s.base_url.rsplit(":", 1)[1])
    simulated = ConsoleSet()
    try:
        display = await open_console(s, s.tokens["display"])
        await mark(display)
        # A console whose invitation is revoked is let go for good: it must not come back after the restart either.
        made = await call("POST", s.api("/invitations"), s.tokens["admin"], json={"role": "display"})
        assert made.status == 201, made.body
        sockets: list[str] = []

        async def count_sockets(page: Page) -> None:
            page.on("websocket", lambda socket: sockets.append(socket.url))

        ended = await open_console(s, made.body["token"], prepare=count_sockets)
        assert (await call("DELETE", s.api(f"/invitations/{made.body['id']}"), s.tokens["admin"])).status == 200
        await expect(ended.locator("#live-status")).to_have_attribute("data-state", "revoked")
        seq = (await call("GET", s.api(), s.tokens["display"])).body["seq"]
        await simulated.open([ConsoleSpec(s.base_url, s.tokens["display"], "display")], s.conference_id, seq, 1)

        s.process.send_signal(signal.SIGTERM)
        status = display.locator("#live-status")
        await expect(status).to_have_attribute("data-state", "restarting")
        await expect(status).to_have_text(catalog("vi")["live.restarting"])
        assert await asyncio.to_thread(s.process.wait, 10) == 0

        s = await start_server(tmp_path / "server", port=port)
        await expect(status).to_have_attribute("data-state", "online", timeout=BACK_MS)
        await expect(status).to_have_text(catalog("vi")["live.online"])
        first = (await call("GET", s.api("/agenda"), s.tokens["chair"])).body["items"][0]
        moved = await call("POST", s.api("/agenda/next"), s.tokens["chair"], json={"expected_current_id": None})
        assert moved.status == 200, moved.body
        await expect(display.locator("#current-item")).to_have_text(first["title"], timeout=BACK_MS)
        await assert_not_reloaded(display)
        await expect(ended.locator("#live-status")).to_have_attribute("data-state", "revoked")
        assert len(sockets) == 1, sockets
        await simulated.wait(first["id"], BACK_MS / 1000)
        [console] = simulated.collect()
        assert console["reconnects"] == 1 and console["connected"], console
        assert str(first["id"]) in console["started"]
        # Closed before their server stops, so that the display's attempts to reconnect then are not logged.
        await display.close()
        await ended.close()
    finally:
        await simulated.close()
        stop_server(s)
    # While the server was away, Chromium logged each refused attempt to open the socket; nothing else may be logged.
    open_console.problems[:] = [p for p in open_console.problems if "WebSocket connection to" not in p]
