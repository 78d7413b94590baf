"""Database engines and sessions; SQLite gets WAL, a busy timeout and IMMEDIATE write transactions."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from server.keys import db_key, settings_key
from server.settings import Settings


@dataclass(frozen=True)
class Database:
    """Two session factories: reads begin deferred, writes begin IMMEDIATE on SQLite."""

    read_engine: AsyncEngine
    write_engine: AsyncEngine
    read: async_sessionmaker[AsyncSession]
    write: async_sessionmaker[AsyncSession]

    async def dispose(self) -> None:
        await self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            await self.write_engine.dispose()


def _json(value: Any) -> str:
    """Stored JSON is standard JSON: NaN or Infinity in a column would make every later read of it unparsable."""
    return json.dumps(value, allow_nan=False)


def _sqlite_engine(url: str, begin: str) -> AsyncEngine:
    engine = create_async_engine(url, pool_size=8, max_overflow=8, json_serializer=_json)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        # The driver's own implicit BEGIN is deferred; we take over so writes can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a commit that was acknowledged survives a crash of the process or the machine.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred read-then-write transaction cannot wait for the lock; IMMEDIATE takes it first.
        conn.exec_driver_sql(begin)

    return engine


def open_database(settings: Settings) -> Database:
    url = settings.database_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        read_engine = _sqlite_engine(url, "BEGIN")
        write_engine = _sqlite_engine(url, "BEGIN IMMEDIATE")
    else:
        read_engine = write_engine = create_async_engine(url, pool_size=10, max_overflow=10, json_serializer=_json)
    return Database(
        read_engine=read_engine,
        write_engine=write_engine,
        read=async_sessionmaker(read_engine, expire_on_commit=False),
        write=async_sessionmaker(write_engine, expire_on_commit=False),
    )


async def db_context(app: web.Application) -> AsyncIterator[None]:
    """Open the engines for the app's lifetime."""
    database = open_database(app[settings_key])
    app[db_key] = database
    yield
    await database.dispose()
