"""Delivery: committed events go, in commit order, to the socket.io rooms of the streams that may see them.

A writer hands its events to the publisher only after its commit (server/writes.py), so nothing a client
hears can be rolled back; which streams a client sees is server/auth/visibility.py.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from schema.tables import Event
from server import metrics
from server.events import EVERYTHING, PUBLIC, STAFF, envelope

log = logging.getLogger(__name__)


def _room(conference_id: int, stream: str) -> str:
    """A stream's socket.io room: its events go there, and those who see the stream are in it."""
    return f"c{conference_id}:{stream}"


def rooms_for(event: Event) -> list[str]:
    """The event's stream, and staff's room too when the stream is one point's or one participant's."""
    c = event.conference_id
    if event.stream in (PUBLIC.stream, STAFF.stream):
        return [_room(c, event.stream)]
    return [_room(c, STAFF.stream), _room(c, event.stream)]


def rooms_of(conference_id: int, streams: Sequence[str]) -> list[str]:
    """The rooms a client who sees `streams` joins (every stream: public and staff, which together get every event)."""
    if list(streams) == [EVERYTHING]:
        streams = [PUBLIC.stream, STAFF.stream]
    return [_room(conference_id, stream) for stream in streams]


class Emitter(Protocol):
    """The part of socket.io the publisher needs."""

    async def emit(self, event: str, data: Any, room: list[str]) -> None: ...


class Ender(Protocol):
    """What ends an invitation's hold after its revocation commits: remembered principals, then open sockets."""

    def forget(self) -> None: ...

    async def close(self, invitation_ids: list[int]) -> None: ...


@dataclass(frozen=True)
class _Ending:
    """A queue entry: close the sockets of these invitations, in order with the events around it."""

    invitation_ids: list[int]


class Publisher:
    """Sends committed events, in commit order, to the socket.io rooms allowed to see them.

    Writers only enqueue, so a slow room (hundreds of consoles) never holds the write lock;
    one task drains the queue, which keeps the seq order of every conference.
    """

    def __init__(self, emitter: Emitter, ender: Ender | None = None) -> None:
        self._emitter = emitter
        self._ender = ender
        self._queue: asyncio.Queue[list[tuple[dict[str, Any], list[str]]] | _Ending] = asyncio.Queue()
        self._listeners: list[Callable[[list[Event]], None]] = []

    def on_publish(self, listener: Callable[[list[Event]], None]) -> None:
        """Have `listener` called with each write's committed events, whichever write path committed them."""
        self._listeners.append(listener)

    def publish(self, events: list[Event]) -> None:
        if events:
            self._queue.put_nowait([(envelope(e), rooms_for(e)) for e in events])
            for listener in self._listeners:
                try:
                    listener(events)
                except Exception:
                    # The write is committed and its caller about to be answered; a listener's fault is its own.
                    log.exception("a listener to committed events failed")

    def end(self, invitation_ids: list[int]) -> None:
        """After the commit that revoked them: forget now, before the writer answers, so the next request is
        refused; close their sockets in queue order, so no event committed later reaches them."""
        if invitation_ids and self._ender is not None:
            self._ender.forget()
            self._queue.put_nowait(_Ending(invitation_ids))

    async def run(self) -> None:
        while True:
            batch = await self._queue.get()
            try:
                if isinstance(batch, _Ending):
                    assert self._ender is not None
                    await self._ender.close(batch.invitation_ids)
                else:
                    for data, rooms in batch:
                        await self._emitter.emit("event", data, room=rooms)
                    metrics.published(len(batch))
            except Exception:
                # Clients that missed it catch up by seq on their next join; the writer already answered.
                log.exception("publishing events failed")
            finally:
                self._queue.task_done()

    async def drain(self) -> None:
        await self._queue.join()
