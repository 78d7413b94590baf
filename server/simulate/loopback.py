"""A real server on loopback, for the tests, the benchmarks and rehearsals: a process of this checkout's Python on a
free port, awaited until /healthz answers, and stopped.

It starts processes rather than an application in the caller's event loop, so what is measured or tested is the
server as deployed: its own interpreter, its own loop, its own database connections.
"""
from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
# How much of a server's log a failure to start shows: its last lines hold the traceback.
LOG_TAIL = 5000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running `diemcau serve --demo` process and the tokens its demo wrote."""

    base_url: str
    tokens: dict[str, Any]
    database: Path
    process: subprocess.Popen[bytes]
    log: Path
    # How long stop() lets the process drain its connections before killing it.
    stop_seconds: float = 10

    @property
    def conference_id(self) -> int:
        return int(self.tokens["conference_id"])

    def api(self, path: str = "") -> str:
        return f"{self.base_url}/api/v1/conferences/{self.conference_id}{path}"

    def stop(self) -> None:
        stop_process(self.process, self.stop_seconds)


def spawn(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`python <command>` with this checkout's Python, from its root, its output in `log`."""
    with log.open("wb") as output:
        return subprocess.Popen([sys.executable, *command], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=env)


def stop_process(process: subprocess.Popen[bytes], seconds: float = 10) -> None:
    """SIGTERM, and SIGKILL for a process that has not stopped within `seconds`."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    """Until the server at `url` answers /healthz; RuntimeError with its log's end if it exits or takes too long."""
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("server exited:\n" + log.read_text()[-LOG_TAIL:])
            try:
                async with http.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"server at {url} did not become healthy:\n" + log.read_text()[-LOG_TAIL:])


async def launch(
    command: list[str], log: Path, port: int, seconds: float, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a server that listens on `port` and wait until it answers; one that never does is killed."""
    process = spawn(command, log, env)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}", process, log, seconds)
    except RuntimeError:
        # A server that never answered would otherwise outlive its caller.
        process.kill()
        process.wait()
        raise
    return process


async def serve_demo(
    directory: Path, database: Path, env: dict[str, str], seconds: float, database_url: str | None = None,
    port: int | None = None, stop_seconds: float = 10,
) -> Server:
    """`diemcau serve --demo` from `directory` (its log and the demo's tokens are written there): on the SQLite file
    `database` unless given another database, on a free port unless given one."""
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    tokens = directory / "tokens.json"
    log = directory / "server.log"
    process = await launch(
        ["-m", "server", "serve", "--demo", "--demo-tokens", str(tokens), "--port", str(port),
         "--database-url", database_url or f"sqlite+aiosqlite:///{database}"],
        log, port, seconds, env,
    )
    return Server(f"http://127.0.0.1:{port}", json.loads(tokens.read_text()), database, process, log, stop_seconds)
