"""Telling and closing the sockets of an invitation that was revoked or has expired."""
from __future__ import annotations

import asyncio
from typing import Any

import socketio
from aiohttp import web

from schema.tables import utcnow
from server.auth.cache import forget_all
from server.auth.principal import Principal

SESSION_REVOKED = "session.revoked"
NAMESPACE = "/"


def invitation_room(invitation_id: int) -> str:
    """Every socket an invitation opened (by its token or a session started from it) is in this room."""
    return f"inv:{invitation_id}"


def notice(invitation_id: int, reason: str) -> dict[str, Any]:
    """The `session.revoked` payload (schema/events/session.revoked.json)."""
    return {"invitation_id": invitation_id, "reason": reason}


class SocketEnder:
    """Ends what an invitation holds open: all its sockets when it is revoked, each one when it expires.

    Per process for now: with several processes (AsyncRedisManager) the notice reaches the room's
    sockets everywhere through the manager, but only this process's sockets are disconnected here.
    The others are refused at their next join or reconnect, and the other processes' principal caches
    let go within cache.TTL_SECONDS.
    """

    def __init__(self, app: web.Application, sio: socketio.AsyncServer) -> None:
        self._app = app
        self._sio = sio
        self._timers: dict[str, asyncio.TimerHandle] = {}
        # Running ends are kept referenced, or the loop could drop them half done.
        self._tasks: set[asyncio.Task[None]] = set()

    def forget(self) -> None:
        forget_all(self._app)

    async def close(self, invitation_ids: list[int]) -> None:
        """Called by the publisher after the revoking commit, in order with the events around it."""
        for invitation_id in invitation_ids:
            room = invitation_room(invitation_id)
            # A socket still inside its connect handler cannot be disconnected yet; its join re-checks instead.
            here = [sid for sid, _ in self._sio.manager.get_participants(NAMESPACE, room) if self._sio.manager.is_connected(sid, NAMESPACE)]
            message = notice(invitation_id, "revoked")
            await self._sio.emit(SESSION_REVOKED, message, room=room, skip_sid=here)
            for sid in here:
                await self.end(sid, message)

    async def end(self, sid: str, message: dict[str, Any]) -> None:
        """Tell one socket of this process why, then disconnect it (the client must not reconnect with it)."""
        await self._sio.emit(SESSION_REVOKED, message, to=sid, ignore_queue=True)
        await self._sio.disconnect(sid, ignore_queue=True)

    def end_soon(self, sid: str, message: dict[str, Any]) -> None:
        """End a socket from inside one of its own handlers, after the handler has answered."""
        task = asyncio.create_task(self.end(sid, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def expire_later(self, sid: str, principal: Principal) -> None:
        """A display may stay connected for days: close its socket the moment its invitation expires."""
        ends, invitation_id = principal.invitation_expires_at, principal.invitation_id
        if ends is None or invitation_id is None:
            return
        delay = max(0.0, (ends - utcnow()).total_seconds())
        self._timers[sid] = asyncio.get_running_loop().call_later(delay, self._expire, sid, invitation_id)

    def _expire(self, sid: str, invitation_id: int) -> None:
        self._timers.pop(sid, None)
        self.end_soon(sid, notice(invitation_id, "expired"))

    def forget_socket(self, sid: str) -> None:
        timer = self._timers.pop(sid, None)
        if timer is not None:
            timer.cancel()
