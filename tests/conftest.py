"""Fixtures: a real server process on loopback with a real SQLite file, and HTTP and socket.io clients."""
from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import asyncpg
import pytest
import socketio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from schema.tables import Base
from server.simulate.loopback import Server
from tests.support.http import Call, caller
from tests.support.realtime import Listener
from tests.support.servers import Redis, start_server, stop_server

# The browser tests' fixtures (`browser`, `open_console`), for every test module that opens a console.
pytest_plugins = ("tests.support.browser",)


# PostgreSQL and Redis, for the tests that run several processes (test_scale_out, test_behind_nginx).


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run scripts/test, which starts PostgreSQL and finds redis-server", pytrace=False
        )
    return value


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    """A session on a fresh SQLite file with every table: operations and the record's model without a server."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'tables.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session
    await engine.dispose()


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A PostgreSQL database of the test's own, dropped afterwards."""
    admin = required("DIEMCAU_TEST_POSTGRES_URL")
    name = f"diemcau_{uuid.uuid4().hex[:12]}"
    dsn = admin.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    yield admin.rsplit("/", 1)[0] + "/" + name
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
async def redis(tmp_path: Path) -> AsyncIterator[Redis]:
    server = Redis(required("DIEMCAU_TEST_REDIS_SERVER"), tmp_path / "redis")
    await server.start()
    yield server
    server.stop()


@pytest.fixture
async def demo_server(tmp_path: Path) -> AsyncIterator[Server]:
    """A fresh demo workshop in its own process and database."""
    server = await start_server(tmp_path / "server")
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
async def shared_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """One demo server for a module's tests that do not depend on each other's writes."""
    server = await start_server(tmp_path_factory.mktemp("shared"))
    yield server
    stop_server(server)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def call(http: aiohttp.ClientSession) -> Call:
    """call(method, url, token=None, json=..., headers=...) -> Reply with JSON decoded when it is JSON."""
    return caller(http)


@pytest.fixture
async def listen() -> AsyncIterator[Callable[..., Awaitable[Listener]]]:
    """listen(server, token, after_seq=None) -> a connected, joined Listener."""
    clients: list[socketio.AsyncClient] = []
    listeners: list[Listener] = []

    async def _listen(server: Server, token: str, after_seq: int | None = None) -> Listener:
        client = socketio.AsyncClient(reconnection=False)
        listener = Listener(client)
        listeners.append(listener)
        client.on("event", listener.on_event)
        await client.connect(server.base_url, auth={"token": token}, transports=["websocket"])
        clients.append(client)
        if after_seq is None:
            async with (
                aiohttp.ClientSession() as http,
                http.get(server.api(), headers={"Authorization": f"Bearer {token}"}) as response,
            ):
                after_seq = (await response.json())["seq"]
        ack = await client.call("join", {"conference_id": server.conference_id, "after_seq": after_seq})
        assert ack["ok"], ack
        for envelope in ack.get("events", []):
            await listener.on_event(envelope)
        # Pushes that overtook the join's answer are applied after the replay, in seq order.
        listener.events.sort(key=lambda e: e["seq"])
        return listener

    yield _listen
    for client in clients:
        if client.connected:
            await client.disconnect()
    for listener in listeners:
        listener.verified()
