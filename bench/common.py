"""Shared pieces of the benchmarks: the demo and bench.bare_ingest on loopback, and latency statistics."""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from server.simulate.loopback import Server, free_port, launch, serve_demo, stop_process

# Seconds a benchmark's server may take to start.
STARTUP_SECONDS = 30
# Seconds a server that was under a benchmark's load may take to drain before it is killed.
STOP_SECONDS = 20


async def start(directory: Path) -> Server:
    """The demo on its own SQLite file in `directory`."""
    env = {**os.environ, "DIEMCAU_SECRET_KEY": "bench-secret"}
    return await serve_demo(directory, directory / "bench.db", env, STARTUP_SECONDS, stop_seconds=STOP_SECONDS)


@dataclass
class BareServer:
    """A `bench.bare_ingest` process, addressed like the product's conference it stands in for."""

    base_url: str
    conference_id: int
    process: subprocess.Popen[bytes]

    def api(self, path: str = "") -> str:
        return f"{self.base_url}/api/v1/conferences/{self.conference_id}{path}"

    def stop(self) -> None:
        stop_process(self.process, STOP_SECONDS)


async def start_bare_ingest(directory: Path, conference_id: int, tokens: list[str]) -> BareServer:
    """bench.bare_ingest on its own database in `directory`, taking the product's bearer tokens."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    accepted = directory / "bare-tokens.txt"
    accepted.write_text("\n".join(tokens) + "\n")
    process = await launch(
        [
            "-m",
            "bench.bare_ingest",
            "--port",
            str(port),
            "--database",
            str(directory / "bare.db"),
            "--tokens",
            str(accepted),
        ],
        directory / "bare.log",
        port,
        STARTUP_SECONDS,
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
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": str(os.cpu_count()),
        "system": platform.platform(),
    }
