"""Typed keys for what the application holds."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from socketio import AsyncServer

    from server.attendance.totals import Announcer
    from server.db import Database
    from server.delivery import Publisher
    from server.realtime.ending import SocketEnder
    from server.settings import Settings
    from server.writes import Writers

settings_key: web.AppKey[Settings] = web.AppKey("settings")
db_key: web.AppKey[Database] = web.AppKey("db")
publisher_key: web.AppKey[Publisher] = web.AppKey("publisher")
writers_key: web.AppKey[Writers] = web.AppKey("writers")
ender_key: web.AppKey[SocketEnder] = web.AppKey("ender")
sio_key: web.AppKey[AsyncServer] = web.AppKey("sio")
totals_key: web.AppKey[Announcer] = web.AppKey("totals")
