"""The application factory: it assembles settings, templates, database, socket.io and routes."""
from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_jinja2
import jinja2
import socketio
from aiohttp import web

from server.auth.cache import PrincipalCache, principal_cache_key
from server.auth.signin import lockout_of
from server.auth.submit_rate import SubmitRate, submit_rate_key
from server.auth.throttle import LoginThrottle, throttle_key
from server.db import db_context
from server.events import Publisher
from server.http.cookies import send_renewed_cookie
from server.http.middlewares import authenticate, errors, security_headers
from server.http.routes import setup_routes
from server.i18n import setup_i18n
from server.keys import db_key, ender_key, publisher_key, settings_key, writers_key
from server.realtime.sockets import create_socket_server, say_goodbye
from server.settings import Settings
from server.writes import Writers

TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates"


async def writing(app: web.Application) -> AsyncIterator[None]:
    """The write queues and the publisher; at shutdown, send what was committed before stopping."""
    publisher = app[publisher_key]
    app[writers_key] = Writers(app[db_key].write, publisher, app[settings_key].event_retention)
    task = asyncio.create_task(publisher.run())
    yield
    try:
        # Runs after on_shutdown and after the HTTP handlers finished: commit whatever is still queued, then send it.
        await asyncio.wait_for(app[writers_key].drain(), timeout=5)
        await asyncio.wait_for(publisher.drain(), timeout=5)
    finally:
        task.cancel()


async def begin_shutdown(app: web.Application, sio: socketio.AsyncServer) -> None:
    """On SIGTERM, after the listening sockets closed: refuse new writes, tell the consoles, let them go.

    aiohttp then waits for in-flight requests (their writes commit and answer), and only after that
    runs the cleanup contexts: `writing` drains the queues, then the database closes.
    """
    app[writers_key].closing = True
    await say_goodbye(sio)
    await sio.shutdown()


async def settle_heap(app: web.Application) -> None:
    """Take what startup built out of the garbage collector's generations.

    Modules, templates, the ORM's mappings and the engines live as long as the process; left in the oldest
    generation, every full collection walks them again, and with thousands of consoles connected those
    collections were a third of the server's time.
    """
    gc.collect()
    gc.freeze()


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[errors, authenticate], client_max_size=settings.max_upload_bytes)
    app[settings_key] = settings
    app[principal_cache_key] = PrincipalCache()
    app[throttle_key] = LoginThrottle(lockout_of(settings), settings.login_address_attempts)
    app[submit_rate_key] = SubmitRate(*settings.submit_rate)
    env = aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    setup_i18n(env)
    app.cleanup_ctx.append(db_context)
    sio = create_socket_server(app)
    sio.attach(app)
    app[publisher_key] = Publisher(sio, app[ender_key])
    app.cleanup_ctx.append(writing)
    app.on_startup.append(settle_heap)
    app.on_shutdown.append(lambda _: begin_shutdown(app, sio))
    app.on_response_prepare.append(security_headers)
    app.on_response_prepare.append(send_renewed_cookie)
    setup_routes(app)
    return app
