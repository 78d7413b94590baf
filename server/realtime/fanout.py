"""The Redis link between server processes, and what a process does when that link comes back after a loss."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import socketio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from server import metrics

RESYNC = "server.resync"
log = logging.getLogger(__name__)


class FanoutManager(socketio.AsyncRedisManager):
    """AsyncRedisManager that counts lost publishes and tells its own sockets to re-join once Redis is back.

    While Redis is down, each process still pushes the events written through it to its own sockets, but
    the events written through the others never arrive. They are in the database: a client told
    `server.resync` (schema/events/server.resync.json) re-joins with its last seq and gets them replayed.
    """

    def __init__(self, url: str) -> None:
        # The Publisher sends one event after another, each to this process's sockets and then to Redis. With
        # redis-py's default of ten retries with backoff, a dead Redis would hold every later event, even for
        # this process's own sockets, for seconds. The manager already tries twice, each time with a fresh
        # connection, so an unreachable Redis costs each event at most about 2 s and a refused one nothing.
        options = {"retry": Retry(NoBackoff(), 0), "socket_connect_timeout": 1, "socket_timeout": 1}
        super().__init__(url, redis_options=options)
        self._subscribed = False

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

    async def _publish(self, data: Any) -> Any:
        receivers = await super()._publish(data)
        if receivers is None:
            # The library logged it and gave up; the other processes' sockets catch up on server.resync.
            metrics.fanout_failed()
        return receivers
