"""Fixtures: a real server process on loopback with a real SQLite file, and HTTP and socket.io clients."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
import socketio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from schema.tables import Base
from tests.support.realtime import Listener

ROOT = Path(__file__).resolve().parents[1]

# The browser tests' fixtures (`browser`, `open_console`), for every test module that opens a console.
pytest_plugins = ("tests.support.browser",)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running `diemcau serve --demo` process and the tokens it wrote."""

    base_url: str
    tokens: dict[str, Any]
    database: Path
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def conference_id(self) -> int:
        return int(self.tokens["conference_id"])

    def api(self, path: str = "") -> str:
        return f"{self.base_url}/api/v1/conferences/{self.conference_id}{path}"


# Every test server guards /metrics with this token, as a deployment would (README: operations).
METRICS_TOKEN = "test-metrics-token-0123456789"


# Seconds a test server may take to start: ~2 s on an idle machine, over 15 s on a busy shared one.
STARTUP_SECONDS = 60


async def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("server exited:\n" + log.read_text())
            try:
                async with http.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("server did not become healthy:\n" + log.read_text())


# The demo as first seeded for each secret key and settings (every `demo_server` is tmp_path/"server", so they share
# one): a later server of the same kind starts from a copy, rather than spending seconds migrating and seeding again.
_SEEDS = tempfile.TemporaryDirectory(prefix="diemcau-seeds-")
_SEEDED: dict[str, tuple[Path, dict[str, str]]] = {}


def _snapshot(database: Path) -> Path:
    """A consistent copy of a freshly seeded database, WAL included, taken before any test wrote to it."""
    copy = Path(_SEEDS.name) / f"{len(_SEEDED)}.db"
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    return copy


async def start_server(
    directory: Path, extra_env: dict[str, str] | None = None, database_url: str | None = None, port: int | None = None
) -> Server:
    """Serve the demo from `directory`: on its own SQLite file unless given another database (then `database` is unused),
    on a free port unless given one (a process restarted where a proxy expects it)."""
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    database = directory / "diemcau.db"
    tokens_file = directory / "tokens.json"
    log = directory / "server.log"
    # No drain period unless a test asks for one: stopping a server would otherwise take DIEMCAU_DRAIN_SECONDS.
    env = {
        **os.environ, "DIEMCAU_SECRET_KEY": "test-secret-" + directory.name, "DIEMCAU_DATA_DIR": str(directory),
        "DIEMCAU_METRICS_TOKEN": METRICS_TOKEN, "DIEMCAU_DRAIN_SECONDS": "0", **(extra_env or {})
    }
    # Servers seed alike when their key and settings are alike; a database that exists already is the test's own.
    kind = json.dumps([env["DIEMCAU_SECRET_KEY"], sorted((extra_env or {}).items())])
    fresh = database_url is None and not database.exists()
    # The staff passwords are printed only by the start that made the accounts: a later start on the same
    # database, or on a copy of a seeded one, is handed those the first start wrote, kept beside the database.
    kept = directory / "passwords.json"
    passwords = json.loads(kept.read_text()) if kept.exists() else {}
    if fresh and kind in _SEEDED:
        seed, passwords = _SEEDED[kind]
        shutil.copyfile(seed, database)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--demo", "--demo-tokens", str(tokens_file),
             "--port", str(port), "--database-url", database_url or f"sqlite+aiosqlite:///{database}"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        await _wait_healthy(base_url, process, log)
    except RuntimeError:
        # A server that never answered would otherwise outlive the test run.
        process.kill()
        process.wait()
        raise
    tokens = {"passwords": passwords, **json.loads(tokens_file.read_text())}
    kept.write_text(json.dumps(tokens["passwords"]))
    if fresh and kind not in _SEEDED:
        _SEEDED[kind] = (_snapshot(database), tokens["passwords"])
    return Server(base_url, tokens, database, process, log)


def stop_server(server: Server) -> None:
    stop_process(server.process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL for a process that has not stopped within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# PostgreSQL and Redis, for the tests that run several processes (test_scale_out, test_behind_nginx).


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run scripts/test, which starts PostgreSQL and finds redis-server", pytrace=False)
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


class Redis:
    """A redis-server on a port of its own that a test can stop and start again."""

    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(b"PING\r\n")
                answer = await reader.readline()
                writer.close()
                await writer.wait_closed()
                if answer.startswith(b"+PONG"):
                    return
            except OSError:
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


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


@dataclass
class Reply:
    """A response's status and decoded body."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Call = Callable[..., Awaitable[Reply]]


@pytest.fixture
def call(http: aiohttp.ClientSession) -> Call:
    """call(method, url, token=None, json=..., headers=...) -> Reply with JSON decoded when it is JSON."""
    return caller(http)


def caller(http: aiohttp.ClientSession) -> Call:
    """The `call` fixture's function over a session of one's own, for a module-scoped fixture."""

    async def _call(method: str, url: str, token: str | None = None, **kwargs: Any) -> Reply:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with http.request(method, url, headers=headers, **kwargs) as response:
            raw = await response.read()
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            return Reply(response.status, body, dict(response.headers))

    return _call


@pytest.fixture
async def listen() -> AsyncIterator[Callable[..., Awaitable[Listener]]]:
    """listen(server, token, after_seq=None) -> a connected, joined Listener."""
    clients: list[socketio.AsyncClient] = []

    async def _listen(server: Server, token: str, after_seq: int | None = None) -> Listener:
        client = socketio.AsyncClient(reconnection=False)
        listener = Listener(client)
        client.on("event", listener.on_event)
        await client.connect(server.base_url, auth={"token": token}, transports=["websocket"])
        clients.append(client)
        if after_seq is None:
            async with aiohttp.ClientSession() as http:
                async with http.get(server.api(), headers={"Authorization": f"Bearer {token}"}) as response:
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
