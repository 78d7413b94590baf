"""The socket.io server: authenticate on connect, join a conference's rooms, replay what was missed."""
from __future__ import annotations

import logging
from http.cookies import SimpleCookie
from typing import Any

import socketio
from aiohttp import web

from schema.events.payloads import server_restarting
from server import metrics
from server.auth.cache import who
from server.auth.policy import authorize
from server.auth.principal import Principal
from server.auth.visibility import streams_of
from server.client import SESSION_COOKIE, socket_origin_allowed
from server.delivery import rooms_of
from server.errors import DomainError, Invalid, Unauthorized
from server.keys import db_key, ender_key, settings_key
from server.lookup import fits
from server.points.presence import presence_key
from server.realtime.ending import SocketEnder, invitation_room, notice, session_room
from server.realtime.fanout import DirectFanout, FanoutManager
from server.realtime.joins import JoinReads


def _token_from(environ: dict[str, Any], auth: Any) -> tuple[str | None, bool]:
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return auth["token"], False
    cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    if SESSION_COOKIE in cookie:
        return cookie[SESSION_COOKIE].value, True
    return None, False


def create_socket_server(app: web.Application) -> socketio.AsyncServer:
    settings = app[settings_key]
    client_manager = (
        FanoutManager(settings.redis_url, settings.redis_ping_seconds) if settings.redis_url else DirectFanout()
    )
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        # The rule the CSRF check uses, not engine.io's own: that one believes anyone's X-Forwarded-Proto, and a
        # list of origins given to it replaces the server's own origin instead of adding to it.
        cors_allowed_origins=socket_origin_allowed,
        client_manager=client_manager,
        logger=_library_logger("socketio.server"),
        engineio_logger=_library_logger("engineio.server"),
    )
    handlers = _Handlers(app, sio)
    sio.on("connect", handlers.connect)
    sio.on("join", handlers.join)
    sio.on("disconnect", handlers.disconnect)
    return sio


def _join_request(data: Any) -> tuple[int, int]:
    """The conference and the seq a join asks for, or Invalid."""
    if not isinstance(data, dict):
        raise Invalid("join takes {conference_id, after_seq}", {"data": "not an object"})
    conference_id, after_seq = data.get("conference_id"), data.get("after_seq", 0)
    # Beyond 64 bits the database driver would overflow, and the join would go unanswered.
    if not fits(conference_id):
        raise Invalid("conference_id must be an integer", {"conference_id": "not an integer"})
    if isinstance(after_seq, bool) or not isinstance(after_seq, int) or after_seq < 0:
        raise Invalid("after_seq must be a non-negative integer", {"after_seq": "invalid"})
    return conference_id, after_seq


class _Handlers:
    """The server's socket events: connect, join and disconnect."""

    def __init__(self, app: web.Application, sio: socketio.AsyncServer) -> None:
        self.app, self.sio = app, sio
        self.ender = app[ender_key] = SocketEnder(app, sio)
        self.reads = JoinReads(lambda: app[db_key].read(), app[settings_key].replay_limit)

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token, via_cookie = _token_from(environ, auth)
        if not token:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        principal = await who(self.app, token, via_cookie)
        if principal is None:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        await self.sio.save_session(sid, {"principal": principal})
        if principal.invitation_id is not None:
            # A room per invitation, so its revocation finds every socket it opened, through any client manager.
            await self.sio.enter_room(sid, invitation_room(principal.invitation_id))
            self.ender.expire_later(sid, principal)
        if principal.session_id is not None:
            # And one per login session, so its logout finds every socket it opened, on every process.
            await self.sio.enter_room(sid, session_room(principal.session_id))
        metrics.socket_connected(sid, principal.role)

    async def join(self, sid: str, data: Any) -> dict[str, Any]:
        """Enter the rooms first, then replay: an event in between arrives twice, never not at all."""
        principal: Principal = (await self.sio.get_session(sid))["principal"]
        try:
            conference_id, after_seq = _join_request(data)
            authorize(principal, "events.read", conference_id)
            await self._still_invited(sid, principal)
            for room in rooms_of(conference_id, streams_of(principal)):
                await self.sio.enter_room(sid, room)
            await self._count_presence(sid, principal, conference_id)
            replay = await self.reads.replay(principal, conference_id, after_seq)
        except DomainError as error:
            return {"ok": False, **error.to_dict()}
        if replay.snapshot:
            return {"ok": True, "snapshot": True, "seq": replay.seq, "streams": replay.streams}
        return {"ok": True, "events": replay.events, "seq": replay.seq, "streams": replay.streams}

    async def _still_invited(self, sid: str, principal: Principal) -> None:
        """Ask the database, not the cache, before letting an invitation's socket into any room.

        A revocation that commits while a socket is still connecting cannot disconnect it yet (see
        SocketEnder.close); this check, made before the rooms are entered, closes that gap.
        """
        if principal.invitation_id is None:
            return
        state = await self.reads.invitation_state(principal.invitation_id)
        if state == "active":
            return
        self.ender.end_soon(sid, notice(principal.invitation_id, state))
        raise Unauthorized("This invitation was revoked or has expired", code="session_revoked")

    async def _count_presence(self, sid: str, principal: Principal, conference_id: int) -> None:
        """An operator console counts once per socket, however often it rejoins."""
        if principal.role != "operator" or principal.point_id is None:
            return
        session = await self.sio.get_session(sid)
        if session.get("presence") is not None:
            return
        session["presence"] = (conference_id, principal.point_id)
        await self.sio.save_session(sid, session)
        self.app[presence_key].arrived(conference_id, principal.point_id)

    async def disconnect(self, sid: str, reason: str | None = None) -> None:
        self.ender.forget_socket(sid)
        metrics.socket_disconnected(sid)
        presence = (await self.sio.get_session(sid)).get("presence")
        if presence is not None:
            self.app[presence_key].left(*presence)


def _library_logger(name: str) -> logging.Logger:
    """The library's own logger, passed explicitly: given none, python-socketio adds a handler of its own to it, and
    every line it logs was written twice, once there and once by the root handler it propagates to. Its INFO level
    is a line per emit, so only warnings and errors are kept."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.WARNING)
    return logger


def connected(sio: socketio.AsyncServer) -> list[str]:
    """The sockets connected to this process."""
    return [sid for sid, _ in sio.manager.get_participants("/", None)]


async def say_goodbye(sio: socketio.AsyncServer, sids: list[str]) -> None:
    """Tell these sockets that the server is going away and to reconnect (schema/events/server.restarting.json),
    then disconnect them and close every connection.

    The HTTP server stops only once every websocket handler has returned, or else after its shutdown timeout.
    A namespace disconnect, and engine.io's own close, leave the handler waiting for the client to close; the
    empty packet ends its writer once the packets before it are sent, and the writer then closes the websocket
    from this side, which ends the handler too.
    """
    goodbye = server_restarting()
    for sid in sids:
        await sio.emit(goodbye.type, goodbye.data, to=sid, ignore_queue=True)
    for sid in sids:
        await sio.disconnect(sid, ignore_queue=True)
    for socket in list(sio.eio.sockets.values()):
        # Not engine.io's own disconnect, which waits for every queue to be sent: a client that closed its end
        # first has no writer left to send it, and that wait would never end.
        await socket.close(wait=False)
        socket.queue.put_nowait(None)
