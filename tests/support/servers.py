"""The tests' servers: the demo on loopback with a test's key and settings, each kind seeded once and copied after;
and a redis-server a test can stop and start again."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

from server.simulate.loopback import Server, free_port, serve_demo

# Every test server guards /metrics with this token, as a deployment would (README: operations).
METRICS_TOKEN = "test-metrics-token-0123456789"

# Seconds a test server may take to start: ~2 s on an idle machine, over 15 s on a busy shared one.
STARTUP_SECONDS = 60

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
    """Serve the demo from `directory`: on its own SQLite file unless given another database (then `database` is
    unused), on a free port unless given one (a process restarted where a proxy expects it)."""
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "diemcau.db"
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
    server = await serve_demo(directory, database, env, STARTUP_SECONDS, database_url, port)
    server.tokens = {"passwords": passwords, **server.tokens}
    kept.write_text(json.dumps(server.tokens["passwords"]))
    if fresh and kind not in _SEEDED:
        _SEEDED[kind] = (_snapshot(database), server.tokens["passwords"])
    return server


def stop_server(server: Server) -> None:
    server.stop()


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
