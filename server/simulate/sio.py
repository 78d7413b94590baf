"""A minimal Socket.IO v5 client over an Engine.IO v4 websocket, light enough to hold thousands per process.

python-socketio's AsyncClient brings its own HTTP session, reconnection machinery and tasks per socket;
a load generator needs only: open, CONNECT with auth, answer pings, send EVENT with an ACK id, and
hand each incoming EVENT over unparsed, so the caller decodes only what it measures.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

# Engine.IO packet types (first character of a frame) and Socket.IO types (the next one, inside MESSAGE).
EIO_OPEN, EIO_CLOSE, EIO_PING, EIO_PONG, EIO_MESSAGE = "0", "1", "2", "3", "4"
SIO_CONNECT, SIO_DISCONNECT, SIO_EVENT, SIO_ACK, SIO_CONNECT_ERROR = "0", "1", "2", "3", "4"
MAX_FRAME = 64 * 1024 * 1024
_decoder = json.JSONDecoder()

# (event name, its arguments as raw JSON text, time.time() of arrival)
EventHandler = Callable[[str, str, float], None]


class SocketError(Exception):
    """The server refused the socket, or it closed before an answer came."""


def socket_url(base_url: str) -> str:
    """ws(s)://host/socket.io/?EIO=4&transport=websocket for an http(s) base URL."""
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/socket.io/", "EIO=4&transport=websocket", ""))


def split_event(data: str) -> tuple[str, str]:
    """`["name",arg...]` into the name and the raw text of the arguments after it (without the closing bracket)."""
    name, end = _decoder.raw_decode(data, 1)
    rest = data[end:].lstrip()
    return str(name), rest[1:-1] if rest.startswith(",") else ""


class SocketClient:
    """One console's socket: connect, emit with an acknowledgement, pass events to a handler, notice the close."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, on_event: EventHandler) -> None:
        self.http = http
        self.url = socket_url(base_url)
        self.on_event = on_event
        self.connected = False
        self.close_reason: str | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._next_ack = 0

    async def connect(self, auth: dict[str, Any], timeout: float = 30.0) -> None:
        """Open the websocket and the default namespace; SocketError when the server refuses `auth`."""
        self._ws = await self.http.ws_connect(
            self.url, autoping=True, max_msg_size=MAX_FRAME, timeout=aiohttp.ClientWSTimeout(ws_close=5)
        )
        try:
            await asyncio.wait_for(self._handshake(auth), timeout)
        except BaseException:
            await self._ws.close()
            raise
        self.connected = True
        self._reader = asyncio.create_task(self._read())

    async def _handshake(self, auth: dict[str, Any]) -> None:
        assert self._ws is not None
        opening = await self._frame()
        if not opening.startswith(EIO_OPEN):
            raise SocketError(f"expected an Engine.IO open packet, got {opening[:40]!r}")
        await self._ws.send_str(EIO_MESSAGE + SIO_CONNECT + json.dumps(auth))
        while True:
            frame = await self._frame()
            if frame == EIO_PING:
                await self._ws.send_str(EIO_PONG)
            elif frame.startswith(EIO_MESSAGE + SIO_CONNECT):
                return
            elif frame.startswith(EIO_MESSAGE + SIO_CONNECT_ERROR):
                detail = json.loads(frame[2:] or "{}")
                raise SocketError(str(detail.get("message", detail)) if isinstance(detail, dict) else str(detail))

    async def _frame(self) -> str:
        assert self._ws is not None
        message = await self._ws.receive()
        if message.type != aiohttp.WSMsgType.TEXT:
            raise SocketError(f"socket closed during the handshake ({message.type.name})")
        return str(message.data)

    async def _read(self) -> None:
        assert self._ws is not None
        ws = self._ws
        try:
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                at = time.time()
                frame: str = message.data
                if frame == EIO_PING:
                    await ws.send_str(EIO_PONG)
                elif frame.startswith(EIO_MESSAGE):
                    self._packet(frame[1:], at)
                elif frame.startswith(EIO_CLOSE):
                    break
        except (TimeoutError, aiohttp.ClientError, ConnectionError) as error:
            self.close_reason = type(error).__name__
        finally:
            if self.connected and self.close_reason is None:
                self.close_reason = "closed by server"
            self.connected = False
            for future in self._acks.values():
                if not future.done():
                    future.set_exception(SocketError("socket closed before the acknowledgement"))
            self._acks.clear()

    def _packet(self, packet: str, at: float) -> None:
        kind, body = packet[:1], packet[1:]
        if kind == SIO_EVENT:
            name, args = split_event(body)
            self.on_event(name, args, at)
        elif kind == SIO_ACK:
            start = body.index("[")
            future = self._acks.pop(int(body[:start]), None)
            if future is not None and not future.done():
                answer = json.loads(body[start:])
                future.set_result(answer[0] if len(answer) == 1 else answer)
        elif kind == SIO_DISCONNECT:
            self.close_reason = "disconnected by server"
            if self._ws is not None:
                asyncio.create_task(self._ws.close())

    async def ended(self) -> None:
        """Until the connection is gone, whoever closed it."""
        if self._reader is not None:
            await asyncio.shield(self._reader)

    async def call(self, event: str, data: Any, timeout: float = 30.0) -> Any:
        """Emit `event` with `data` and wait for the server's acknowledgement."""
        if self._ws is None or not self.connected:
            raise SocketError("not connected")
        ack_id = self._next_ack
        self._next_ack += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        await self._ws.send_str(EIO_MESSAGE + SIO_EVENT + str(ack_id) + json.dumps([event, data]))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._acks.pop(ack_id, None)

    async def close(self) -> None:
        """Leave the namespace and close the websocket; a close we asked for is not a disconnect."""
        ws, self._ws = self._ws, None
        was_connected, self.connected = self.connected, False
        if ws is None:
            return
        if was_connected and not ws.closed:
            with contextlib.suppress(aiohttp.ClientError, ConnectionError):
                await ws.send_str(EIO_MESSAGE + SIO_DISCONNECT)
        await ws.close()
        if self._reader is not None:
            await self._reader
