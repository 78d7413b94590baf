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
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def start(directory: Path) -> BenchServer:
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    database = directory / "bench.db"
    tokens = directory / "tokens.json"
    log = (directory / "server.log").open("wb")
    env = {**os.environ, "DIEMCAU_SECRET_KEY": "bench-secret"}
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--demo", "--demo-tokens", str(tokens), "--port", str(port),
         "--database-url", f"sqlite+aiosqlite:///{database}"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_healthy(base, process, directory / "server.log", seconds=30)
    except RuntimeError:
        process.kill()
        raise
    return BenchServer(base, json.loads(tokens.read_text()), database, process)


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
