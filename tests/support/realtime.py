"""Socket.io clients for tests: the Listener that collects a console's events, and clients that watch a session end."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import socketio
from jsonschema import ValidationError

from server.simulate.loopback import Server
from tests.event_schemas import validate_data, validate_event


class Listener:
    """A socket.io client that collects pushed events and can await the next of a type.

    Like the consoles, it applies an event once: one that was both replayed on join and pushed
    live (the protocol allows that, never a miss) is kept the first time. Every event it hears is held
    against its schema in schema/events/, as Zulip's verify_action does: a test that hears a payload its
    schema refuses fails, at its next wait or at the end.
    """

    def __init__(self, client: socketio.AsyncClient) -> None:
        self.client = client
        self.events: list[dict[str, Any]] = []
        self.invalid: list[ValidationError] = []
        self._arrived = asyncio.Condition()

    async def on_event(self, envelope: dict[str, Any]) -> None:
        try:
            validate_event(envelope)
        except ValidationError as error:
            # Raised here, it would reach only the socket.io client's log: verified() raises it in the test.
            self.invalid.append(error)
        async with self._arrived:
            if envelope["seq"] not in {e["seq"] for e in self.events}:
                self.events.append(envelope)
            self._arrived.notify_all()

    async def wait_for(self, type_: str, count: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
        def matching() -> list[dict[str, Any]]:
            return [e for e in self.events if e["type"] == type_]

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(matching()) >= count), timeout)
        self.verified()
        return matching()

    async def totals_until(self, done: Callable[[dict[str, Any]], bool], timeout: float = 10) -> list[dict[str, Any]]:
        """The attendance.totals_changed received once the newest one's totals satisfy `done`: they are coalesced,
        so how many carry a burst of changes is not known in advance."""

        def matching() -> list[dict[str, Any]]:
            return [e for e in self.events if e["type"] == "attendance.totals_changed"]

        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: bool(matching()) and done(matching()[-1]["data"]["totals"])), timeout
            )
        self.verified()
        return matching()

    def types(self) -> list[str]:
        self.verified()
        return [e["type"] for e in self.events]

    def verified(self) -> None:
        """Raise the first schema error among the events heard so far."""
        if self.invalid:
            raise self.invalid[0]


# The `listen` fixture: listen(server, token, after_seq=None) -> a connected, joined Listener.
Listen = Callable[..., Awaitable[Listener]]

WAIT = 10.0


class Watched:
    """A socket.io client that records a `session.revoked` notice and its own disconnection."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.notices: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.gone = asyncio.Event()
        self.client.on("session.revoked", self._notice)
        self.client.on("disconnect", self._gone)

    async def _notice(self, data: dict[str, Any]) -> None:
        await self.notices.put(data)

    async def _gone(self, *_: Any) -> None:
        self.gone.set()

    async def ended(self) -> dict[str, Any]:
        """The notice, once the server has also disconnected this socket."""
        notice = await asyncio.wait_for(self.notices.get(), WAIT)
        validate_data("session.revoked", notice)
        await asyncio.wait_for(self.gone.wait(), WAIT)
        assert not self.client.connected
        return notice


async def refused_at_connect(server: Server, token: str | None = None, cookie: str | None = None) -> None:
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            server.base_url,
            auth={"token": token} if token else None,
            headers={"Cookie": cookie} if cookie else {},
            transports=["websocket"],
        )
