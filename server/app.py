"""The application factory: it assembles settings, templates, database, socket.io and routes."""
from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from server.auth.throttle import LoginThrottle, throttle_key
from server.db import db_context
from server.events import Publisher
from server.http.middlewares import authenticate, errors, security_headers
from server.http.routes import setup_routes
from server.i18n import setup_i18n
from server.keys import locks_key, publisher_key, settings_key
from server.realtime.sockets import create_socket_server
from server.settings import Settings
from server.writes import WriteLocks

TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates"


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[errors, authenticate], client_max_size=settings.max_upload_bytes)
    app[settings_key] = settings
    app[locks_key] = WriteLocks()
    app[throttle_key] = LoginThrottle(settings.login_attempts, settings.login_window_seconds)
    env = aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    setup_i18n(env)
    app.cleanup_ctx.append(db_context)
    sio = create_socket_server(app)
    sio.attach(app)
    app[publisher_key] = Publisher(sio)
    app.on_shutdown.append(lambda _: sio.shutdown())
    app.on_response_prepare.append(security_headers)
    setup_routes(app)
    return app
