"""The Redis link between server processes, and what a process does when that link comes back after a loss."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import socketio
from engineio import packet as eio_packet
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from socketio import packet as sio_packet

from server import metrics

RESYNC = "server.resync"
log = logging.getLogger(__name__)


class DirectFanout(socketio.AsyncManager):
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


class FanoutManager(socketio.AsyncRedisManager, DirectFanout):
    """AsyncRedisManager that counts lost publishes and tells its own sockets to re-join once Redis is back.

    Every process emits what arrives through Redis to its own sockets with DirectFanout (it comes after the
    pub/sub manager in the method order, so the manager's local emit is DirectFanout's).

    While Redis is down, each process still pushes the events written through it to its own sockets, but
    the events written through the others never arrive. They are in the database: a client told
    `server.resync` (schema/events/server.resync.json) re-joins with its last seq and gets them replayed.
    """

    def __init__(self, url: str) -> None:
        # With redis-py's default of ten retries with backoff, a dead Redis would hold the queue of messages
        # for the other processes for seconds per message. The manager already tries twice, each time with a
        # fresh connection, so an unreachable Redis costs each message at most about 2 s and a refused one nothing.
        options = {"retry": Retry(NoBackoff(), 0), "socket_connect_timeout": 1, "socket_timeout": 1}
        super().__init__(url, redis_options=options)
        self._subscribed = False
        self._outbox: list[Any] = []
        self._flushing: asyncio.Task[None] | None = None

    def _redis_connect(self) -> None:
        super()._redis_connect()
        # A subscription's confirmation marks every (re)subscribe, also redis-py's own reconnects inside listen().
        self.pubsub.ignore_subscribe_messages = False

    async def _redis_listen_with_retries(self) -> AsyncIterator[dict[str, Any]]:
        async for message in super()._redis_listen_with_retries():
            if message["type"] == "subscribe":
                if self._subscribed:
                    log.warning("Redis subscription restored; asking this process's sockets to re-join")
                    # Locally only: the other processes see their own subscription come back and tell their sockets.
                    await self.emit(RESYNC, {"reason": "fanout_restored"}, namespace="/", ignore_queue=True)
                self._subscribed = True
            yield message

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
                try:
                    async with self.redis.pipeline(transaction=False) as pipe:
                        for data in batch:
                            pipe.publish(self.channel, self.json.dumps(data))
                        await pipe.execute()
                except Exception:
                    # One at a time through the library, which reconnects, retries once and logs what it gave up.
                    for data in batch:
                        if await super()._publish(data) is None:
                            # The other processes' sockets catch up on server.resync.
                            metrics.fanout_failed()
        finally:
            self._flushing = None
