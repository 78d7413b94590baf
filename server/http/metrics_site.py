"""/metrics on an address of its own (DIEMCAU_METRICS_LISTEN), where a scraper reads it without a token."""
from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from aiohttp import web

from server.http.routes import setup_metrics_routes
from server.settings import Settings


def add_metrics_site(app: web.Application, settings: Settings) -> None:
    """Open the metrics address with the app and close it with the app, when DIEMCAU_METRICS_LISTEN asks for one."""
    if settings.metrics_listen is not None:
        app.cleanup_ctx.append(partial(_metrics_site, settings.metrics_listen))


async def _metrics_site(address: tuple[str, int], app: web.Application) -> AsyncIterator[None]:
    # A separate application, not a second site of the main one: nothing else of the server (pages, API,
    # socket.io) is reachable here, so the address can be opened to a monitoring network and no further.
    metrics_app = web.Application()
    setup_metrics_routes(metrics_app)
    runner = web.AppRunner(metrics_app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, *address).start()
        yield
    finally:
        await runner.cleanup()
