"""Serving until SIGTERM or SIGINT, then stopping in phases: drain, tell the consoles to reconnect, close."""
from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress

from aiohttp import web

from server.app import begin_shutdown
from server.keys import sio_key, totals_key, writers_key
from server.logs import AccessLogger
from server.realtime.sockets import connected, say_goodbye
from server.settings import Settings

log = logging.getLogger(__name__)
# Once every socket was told to go and its connection closed, what is left is a request that outlived the drain.
GOODBYE_SECONDS = 1.0
# Writes accepted before the drain began; they are bounded by the database's own timeouts well before this.
WRITES_SECONDS = 5.0


class Signals:
    """SIGTERM and SIGINT: the first starts the stop, a second one cuts the drain short."""

    def __init__(self) -> None:
        self.stop = asyncio.Event()
        self.hurry = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, self._received)

    def _received(self) -> None:
        if self.stop.is_set():
            log.info("stopping: a second signal, the drain is cut short")
            self.hurry.set()
        self.stop.set()


async def serve_until_stopped(app: web.Application, settings: Settings) -> None:
    """Listen until a signal, then stop gracefully; return once the writes are committed and their events sent.

    aiohttp's own run_app runs the shutdown hooks only after the listener has closed, so a load balancer
    polling /healthz would see connection refused instead of the 503 that says this process is going away.
    Here the listener stays open through the drain.
    """
    signals = Signals()
    runner = web.AppRunner(
        app, access_log_class=AccessLogger, keepalive_timeout=settings.idle_timeout, shutdown_timeout=GOODBYE_SECONDS,
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
        await signals.stop.wait()
        await _stop(app, settings.drain_seconds, signals.hurry)
    finally:
        # Closes the listener, then the connections, then the cleanup contexts: queued writes commit, events go out.
        await runner.cleanup()
        log.info("stopped")


async def _stop(app: web.Application, drain_seconds: float, hurry: asyncio.Event) -> None:
    log.info("stopping: draining for %g s", drain_seconds)
    begin_shutdown(app)
    with suppress(TimeoutError):
        await asyncio.wait_for(hurry.wait(), drain_seconds)
    # A write accepted before the drain began is answered before its connection goes. Shielded: a queue that
    # outlasts the wait goes on committing, and the cleanup waits for it again.
    with suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(app[writers_key].drain()), WRITES_SECONDS)
    # Before the consoles are told to go, so the totals of the last check-ins reach them on this connection.
    with suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(app[totals_key].close()), WRITES_SECONDS)
    sio = app[sio_key]
    sids = connected(sio)
    log.info("stopping: telling %d consoles to reconnect", len(sids))
    await say_goodbye(sio, sids)
