"""The Redis link between server processes, and what a process does when that link comes back after a loss."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import socketio
from engineio import packet as eio_packet
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from socketio import packet as sio_packet

from schema.events.payloads import server_resync
from server import metrics

log = logging.getLogger(__name__)


class DirectFanout(socketio.AsyncManager):  # type: ignore[misc]  # python-socketio has no types: its classes are Any
    """Sends a room's event by encoding it once and queueing it on each socket, without a task per recipient.

    python-socketio's own emit creates and awaits one asyncio task per socket; for an agenda move or a
    changed total reaching thousands of consoles, those tasks are most of the server's work and fill the
    garbage collector's older generations. Each socket already has a queue drained by its own writer task,
    so putting the one encoded packet on every queue sends the same frames in the same order.
    """

    async def emit(
        self, event: str, data: Any, namespace: str, room: Any = None, skip_sid: Any = None, callback: Any = None,
        to: Any = None, **kwargs: Any,
    ) -> None:
        room = to or room
        if not isinstance(data, dict) or room is None or skip_sid is not None or callback is not None:
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
            return
        encoded = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, data]).encode()
        if isinstance(encoded, list):
            # Binary attachments travel as several packets; the library's path handles them.
            await super().emit(event, data, namespace, room=room, **kwargs)
            return
        message = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        sockets = self.server.eio.sockets
        for _, eio_sid in self.get_participants(namespace, room):
            socket = sockets.get(eio_sid)
            if socket is not None and not socket.closed:
                socket.queue.put_nowait(message)


class FanoutManager(socketio.AsyncRedisManager, DirectFanout):  # type: ignore[misc]  # as DirectFanout
    """AsyncRedisManager that notices when Redis is lost, and tells its own sockets to re-join once it answers again.

    Every process emits what arrives through Redis to its own sockets with DirectFanout (it comes after the
    pub/sub manager in the method order, so the manager's local emit is DirectFanout's).

    While Redis is lost, each process still pushes the events written through it to its own sockets, but
    the events written through the others never arrive. They are in the database: a client told
    `server.resync` (schema/events/server.resync.json) re-joins with its last seq and gets them replayed.

    Redis is lost when it refuses or drops a connection, and also when it keeps its connections open and
    answers nothing (stopped, swapping, behind a network that drops packets): nothing would ever fail then,
    so the subscription is pinged whenever it has been quiet, and a ping or publish without an answer
    within the deadline counts exactly as a dropped connection does (see _lose).
    """

    def __init__(self, url: str, ping_seconds: float) -> None:
        # No retries with backoff inside redis-py, and every connect, read and write bounded by the ping deadline:
        # a refused Redis costs a publish nothing, and one that does not answer costs it the deadline.
        options = {
            "retry": Retry(NoBackoff(), 0),
            "socket_connect_timeout": ping_seconds,
            "socket_timeout": ping_seconds,
        }
        super().__init__(url, redis_options=options)
        self._deadline = ping_seconds
        self._lost = False
        self._outbox: list[Any] = []
        self._flushing: asyncio.Task[None] | None = None
        # Event name -> what to do, with its room, after an emit of that event sent by another process has reached
        # this process's sockets (SocketEnder disconnects the sockets it told that their session ended).
        self.followers: dict[str, Callable[[Any], Awaitable[None]]] = {}
        # One client for the manager's life; a lost connection is replaced from its pool on next use.
        self._redis_connect()

    def _lose(self, error: Exception) -> None:
        """The one path for a lost link, whichever side noticed it and how: refused, dropped, or no answer in time.

        Publishing carries on, each attempt bounded by the deadline, and a subscription that failed starts again.
        The first answer Redis gives the subscription after this is what tells this process's sockets to re-join.
        """
        if not self._lost:
            log.warning("Lost the link to Redis (%r); pushes between processes stop until it answers again", error)
        self._lost = True

    async def _restored(self) -> None:
        self._lost = False
        log.warning("Redis answers again; asking this process's sockets to re-join")
        # Locally only: the other processes notice the loss and its end on their own links and tell their sockets.
        resync = server_resync()
        await self.emit(resync.type, resync.data, namespace="/", ignore_queue=True)

    async def _redis_listen_with_retries(self) -> AsyncIterator[dict[str, Any]]:
        """Subscribe and read until the link is lost; then wait (1 s, doubling up to 60 s) and subscribe again."""
        pause = 1.0
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    async for message in self._heard(pubsub):
                        if message["type"] == "subscribe":
                            pause = 1.0
                        if self._lost:
                            await self._restored()
                        yield message
            except Exception as error:
                self._lose(error)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60.0)

    async def _heard(self, pubsub: PubSub) -> AsyncIterator[dict[str, Any]]:
        """Every message of the subscription, its confirmation included; after a quiet interval, a PING.

        A Redis that stopped answering keeps the connection open, and a subscription only reads: without the
        ping it would wait for ever, and the pushes it should bring would be missed without a `server.resync`.
        """
        while True:
            message = await pubsub.get_message(timeout=self._deadline)
            if message is None:
                await pubsub.ping()
                message = await pubsub.get_message(timeout=self._deadline)
                if message is None:
                    raise TimeoutError(f"Redis did not answer a ping within {self._deadline:g} s")
            yield message

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        await super()._handle_emit(message)
        # The manager hands its own emits through here too; the process that sent one has done its part.
        follow = self.followers.get(message["event"]) if message.get("host_id") != self.host_id else None
        if follow is not None:
            await follow(message.get("room"))

    async def _publish(self, data: Any) -> None:
        """Queue the message for the other processes and return at once.

        The manager emits to this process's sockets first and then publishes; awaiting Redis between two
        events would let every local socket's writer wake and send once per event. Returning at once keeps
        a committed batch's events together: each writer sends them all in one wake-up, and they go to
        Redis in one round trip, in order, so the other processes receive them together too.
        """
        self._outbox.append(data)
        if self._flushing is None:
            self._flushing = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        try:
            while self._outbox:
                batch, self._outbox = self._outbox, []
                await self._send(batch)
        finally:
            self._flushing = None

    async def _send(self, batch: list[Any]) -> None:
        """Publish a batch in one round trip within the deadline, so a Redis that stopped answering holds the outbox
        for that long and no longer. A second try on another connection (a pooled one may have gone stale), unless
        Redis is already known to be lost."""
        tries = 1 if self._lost else 2
        for attempt in range(1, tries + 1):
            try:
                async with asyncio.timeout(self._deadline), self.redis.pipeline(transaction=False) as pipe:
                    for data in batch:
                        pipe.publish(self.channel, self.json.dumps(data))
                    await pipe.execute()
                return
            except Exception as error:
                if attempt == tries:
                    self._lose(error)
        # The other processes' sockets catch up on server.resync.
        for _ in batch:
            metrics.fanout_failed()
