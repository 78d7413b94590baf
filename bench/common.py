"""Shared pieces of the benchmarks: a server process on loopback and latency statistics."""
from __future__ import annotations

import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BenchServer:
    """A `diemcau serve` process started for one benchmark."""

    base_url: str
    tokens: dict[str, Any]
    database: Path
    process: subprocess.Popen[bytes]

    def api(self, path: str = "") -> str:
        return f"{self.base_url}/api/v1/conferences/{self.tokens['conference_id']}{path}"

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def spawn(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A process of this repository's Python, its output in `log`."""
    with log.open("wb") as output:
        return subprocess.Popen([sys.executable, *command], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=env)


async def launch(command: list[str], directory: Path, name: str, port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a server listening on `port`, its log in `directory/name.log`, and wait until /healthz answers."""
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / f"{name}.log"
    process = spawn(command, log, env)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}", process, log, seconds=30)
    except RuntimeError:
        process.kill()
        raise
    return process


async def start(directory: Path) -> BenchServer:
    port = free_port()
    database = directory / "bench.db"
    tokens = directory / "tokens.json"
    env = {**os.environ, "DIEMCAU_SECRET_KEY": "bench-secret"}
    process = await launch(
        ["-m", "server", "serve", "--demo", "--demo-tokens", str(tokens), "--port", str(port),
         "--database-url", f"sqlite+aiosqlite:///{database}"],
        directory, "server", port, env,
    )
    return BenchServer(f"http://127.0.0.1:{port}", json.loads(tokens.read_text()), database, process)


async def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    """Until the server at `url` answers /healthz; RuntimeError with its log's end if it exits or takes too long."""
    async with aiohttp.ClientSession() as http:
        for _ in range(int(seconds * 20)):
            if process.poll() is not None:
                raise RuntimeError(f"server exited:\n{log.read_text()[-3000:]}")
            try:
                async with http.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"server at {url} did not become healthy")


@dataclass
class BareServer:
    """A `bench.bare_ingest` process, addressed like the product's conference it stands in for."""

    base_url: str
    conference_id: int
    process: subprocess.Popen[bytes]

    def api(self, path: str = "") -> str:
        return f"{self.base_url}/api/v1/conferences/{self.conference_id}{path}"

    def stop(self) -> None:
        stop_process(self.process)


async def start_bare_ingest(directory: Path, conference_id: int, tokens: list[str]) -> BareServer:
    """bench.bare_ingest on its own database in `directory`, taking the product's bearer tokens."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    accepted = directory / "bare-tokens.txt"
    accepted.write_text("\n".join(tokens) + "\n")
    process = await launch(
        ["-m", "bench.bare_ingest", "--port", str(port), "--database", str(directory / "bare.db"), "--tokens", str(accepted)],
        directory, "bare", port,
    )
    return BareServer(f"http://127.0.0.1:{port}", conference_id, process)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def machine() -> dict[str, str]:
    return {"python": platform.python_version(), "machine": platform.machine(), "cpus": str(os.cpu_count()), "system": platform.platform()}
