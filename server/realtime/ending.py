"""Telling and closing the sockets of a revoked or expired invitation, and of a login session that logged out."""

from __future__ import annotations

import asyncio
from typing import Any

import socketio
from aiohttp import web

from schema.events.payloads import session_revoked
from schema.tables import utcnow
from server.auth.cache import forget_all
from server.auth.principal import Principal
from server.realtime.fanout import FanoutManager

SESSION_REVOKED = session_revoked.type
NAMESPACE = "/"


def invitation_room(invitation_id: int) -> str:
    """Every socket an invitation opened (by its token or a session started from it) is in this room."""
    return f"inv:{invitation_id}"


def session_room(session_id: int) -> str:
    """Every socket a login session opened (by its cookie or its bearer token) is in this room."""
    return f"login:{session_id}"


def notice(invitation_id: int, reason: str) -> dict[str, Any]:
    """The `session.revoked` payload for an invitation's sockets."""
    return session_revoked(reason, invitation_id).data


LOGGED_OUT = session_revoked("logged_out").data


class SocketEnder:
    """Ends what an invitation or a login holds open: all its sockets when it is revoked or logs out, each one
    when its invitation expires.

    On every process: the notice reaches the room's sockets everywhere through the client manager, and each
    process that hears it from Redis also forgets what its principal cache remembered and disconnects its own
    sockets in that room (see _ended_elsewhere). While Redis is lost, the other processes' sockets are refused
    at their next reconnect once their caches let go (cache.TTL_SECONDS).
    """

    def __init__(self, app: web.Application, sio: socketio.AsyncServer) -> None:
        self._app = app
        self._sio = sio
        self._timers: dict[str, asyncio.TimerHandle] = {}
        # Running ends are kept referenced, or the loop could drop them half done.
        self._tasks: set[asyncio.Task[None]] = set()
        if isinstance(sio.manager, FanoutManager):
            sio.manager.followers[SESSION_REVOKED] = self._ended_elsewhere

    def forget(self) -> None:
        forget_all(self._app)

    async def close(self, invitation_ids: list[int]) -> None:
        """Called by the publisher after the revoking commit, in order with the events around it."""
        for invitation_id in invitation_ids:
            await self._close_room(invitation_room(invitation_id), notice(invitation_id, "revoked"))

    async def log_out(self, session_id: int) -> None:
        """Called after the commit that ended a login session, once this process has forgotten it."""
        await self._close_room(session_room(session_id), LOGGED_OUT)

    async def _close_room(self, room: str, message: dict[str, Any]) -> None:
        here = self._here(room)
        await self._sio.emit(SESSION_REVOKED, message, room=room, skip_sid=here)
        for sid in here:
            await self.end(sid, message)

    def _here(self, room: str) -> list[str]:
        # A socket still inside its connect handler cannot be disconnected yet; an invitation's join re-checks instead.
        manager = self._sio.manager
        return [sid for sid, _ in manager.get_participants(NAMESPACE, room) if manager.is_connected(sid, NAMESPACE)]

    async def _ended_elsewhere(self, room: Any) -> None:
        """Another process closed this room and its notice has just reached this process's sockets in it: forget
        what the cache remembered, so their reconnect is refused here too, and disconnect them."""
        if not isinstance(room, str):
            return
        self.forget()
        for sid in self._here(room):
            await self._sio.disconnect(sid, ignore_queue=True)

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
