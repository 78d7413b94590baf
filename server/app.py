"""The application factory: it assembles settings, templates, database, socket.io and routes."""
from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator

import aiohttp_jinja2
import jinja2
from aiohttp import web

from server.attendance.totals import setup_totals
from server.auth.cache import PrincipalCache, lookups_key, principal_cache_key, token_lookups
from server.auth.signin import lockout_of
from server.auth.submit_rate import SubmitRate, submit_rate_key
from server.auth.throttle import LoginThrottle, throttle_key
from server.db import db_context
from server.delivery import Publisher
from server.display.follow import setup_display
from server.http.cookies import send_renewed_cookie
from server.http.middlewares import authenticate, errors, plain_bodies, security_headers
from server.http.routes import setup_routes
from server.i18n import setup_i18n
from server.keys import db_key, ender_key, publisher_key, settings_key, sio_key, totals_key, writers_key
from server.points.presence import Presence, presence_key
from server.realtime.sockets import connected, create_socket_server, say_goodbye
from server.settings import Settings
from server.submissions import attachments
from server.submissions import operations as submissions
from server.webdir import WEB
from server.writes import Writers

log = logging.getLogger(__name__)
TEMPLATES = WEB / "templates"


async def writing(app: web.Application) -> AsyncIterator[None]:
    """The write queues, presence and the publisher; at shutdown, send what was committed before stopping."""
    publisher = app[publisher_key]
    app[writers_key] = Writers(app[db_key].write, publisher, app[settings_key].event_retention)
    app[presence_key] = Presence(app)
    task = asyncio.create_task(publisher.run())
    yield
    try:
        # Every socket is gone by now: the operators of those let go at shutdown leave the count before the exit.
        await asyncio.wait_for(app[presence_key].settle(), timeout=5)
        # Runs after on_shutdown and after the HTTP handlers finished: commit whatever is still queued, then send it.
        await asyncio.wait_for(app[writers_key].drain(), timeout=5)
        # What the writes just committed moved attendance: its totals go out now, not a quarter second later.
        await asyncio.wait_for(app[totals_key].close(), timeout=5)
        await asyncio.wait_for(publisher.drain(), timeout=5)
    finally:
        task.cancel()


def begin_shutdown(app: web.Application) -> None:
    """The drain begins: /healthz and every new write answer 503 shutting_down; the writes already queued commit."""
    app[writers_key].closing = True


async def end_sockets(app: web.Application) -> None:
    """Once the listener closed: tell whichever socket is still connected to reconnect, and stop socket.io's tasks.

    The stop sequence (server/serving.py) has told the consoles already; this catches one that connected in
    between, and an app stopped some other way. aiohttp then waits for in-flight requests, and only after that
    runs the cleanup contexts: `writing` drains the queues, then the database closes.
    """
    begin_shutdown(app)
    sio = app[sio_key]
    await say_goodbye(sio, connected(sio))
    await sio.shutdown()


async def settle_heap(app: web.Application) -> None:
    """Take what startup built out of the garbage collector's generations.

    Modules, templates, the ORM's mappings and the engines live as long as the process; left in the oldest
    generation, every full collection walks them again, and with thousands of consoles connected those
    collections were a third of the server's time.
    """
    gc.collect()
    gc.freeze()


async def sweep_attachments(app: web.Application) -> None:
    """Remove remark files that no remark refers to: a crash between storing one and committing leaves it behind."""
    async with app[db_key].read() as session:
        in_use = await submissions.attachments_in_use(session)
    removed = await asyncio.to_thread(attachments.sweep, app[settings_key].data_dir, in_use)
    if removed:
        log.info("removed %d attachment files no remark refers to", len(removed))


def create_app(settings: Settings) -> web.Application:
    # aiohttp would inflate a gzip body as it arrives, even one the handler refuses, on the event loop: a 1 MB
    # request can inflate to 1 GiB. Bodies are read as sent, and plain_bodies refuses compressed ones.
    app = web.Application(
        middlewares=[errors, plain_bodies, authenticate], client_max_size=settings.max_upload_bytes,
        handler_args={"auto_decompress": False},
    )
    app[settings_key] = settings
    app[principal_cache_key] = PrincipalCache()
    app[lookups_key] = token_lookups(app)
    app[throttle_key] = LoginThrottle(lockout_of(settings), settings.login_address_attempts)
    app[submit_rate_key] = SubmitRate(*settings.submit_rate)
    app[attachments.uploads_key] = attachments.Uploads(settings.data_dir)
    env = aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    setup_i18n(env)
    app.cleanup_ctx.append(db_context)
    sio = app[sio_key] = create_socket_server(app)
    sio.attach(app)
    app[publisher_key] = Publisher(sio, app[ender_key])
    app.cleanup_ctx.append(writing)
    setup_totals(app)
    setup_display(app)
    app.on_startup.append(sweep_attachments)
    app.on_startup.append(settle_heap)
    app.on_shutdown.append(end_sockets)
    app.on_response_prepare.append(security_headers)
    app.on_response_prepare.append(send_renewed_cookie)
    setup_routes(app)
    return app
