"""Scaling: one process on SQLite against 1, 2 or 4 processes on PostgreSQL + Redis, driven by `diemcau simulate`.

    .venv/bin/python -m bench.scaling [--consoles 1000] [--workers 2] [--json FILE]
    .venv/bin/python -m bench.scaling --database-url postgresql+asyncpg://... --redis-url redis://... --processes 4

Starts the server process(es) here (a temporary SQLite file unless --database-url is given; with several
processes, all on the one database, their pushes carried by Redis), creates an admin and a chair account,
and runs `diemcau simulate` in its own process, with its consoles in --workers processes of their own,
spread round-robin over the servers as a load balancer would. The rehearsal holds the consoles for the
whole run while the chair moves the agenda every --agenda-interval seconds (the fan-out figures) and
operators and delegates write at their usual pace; then comes a write burst, every point's operator
checking in as fast as the servers acknowledge, one request in flight per point. Reports consoles held,
agenda fan-out p50/p99 (per console, and until every console had it), acknowledged writes a second in the
burst, and server memory per connected console; prints a table and writes JSON.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import machine
from server.simulate.loopback import ROOT, free_port, spawn, wait_healthy

READY_SECONDS = 120
# The servers guard /metrics with it, and the rehearsal reads their figures with it.
METRICS_TOKEN = "bench-scaling-metrics-token"


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"diemcau {args[0]} failed: {done.stderr or done.stdout}")


class Servers:
    """The server processes of one configuration, all on one database."""

    def __init__(self, directory: Path, database_url: str, redis_url: str | None, count: int) -> None:
        self.directory = directory
        self.env = {**os.environ, "DIEMCAU_SECRET_KEY": "bench-scaling-secret", "DIEMCAU_DATABASE_URL": database_url,
                    "DIEMCAU_DATA_DIR": str(directory / "data"), "DIEMCAU_METRICS_TOKEN": METRICS_TOKEN}
        if redis_url:
            self.env["DIEMCAU_REDIS_URL"] = redis_url
        self.count = count
        self.processes: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []
        # Fresh names each run, so a configuration can be rerun on the same PostgreSQL database.
        suffix = secrets.token_hex(3)
        self.accounts = {role: (f"bench-{role}-{suffix}", secrets.token_urlsafe(18)) for role in ("admin", "chair")}

    def _prepare(self) -> None:
        _run(["migrate"], self.env)
        for role, (username, password) in self.accounts.items():
            _run(["create-user", "--role", role, "--username", username, f"--password={password}"], self.env)

    async def start(self) -> None:
        await asyncio.to_thread(self._prepare)
        # One at a time: each runs the (already applied) migrations at start, which must not race.
        for i in range(self.count):
            port = free_port()
            log = self.directory / f"server-{i}.log"
            process = await asyncio.to_thread(spawn, ["-m", "server", "serve", "--port", str(port)], log, self.env)
            self.processes.append(process)
            self.urls.append(f"http://127.0.0.1:{port}")
            await wait_healthy(self.urls[-1], process, log, READY_SECONDS)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def simulate(servers: Servers, args: argparse.Namespace, output: Path) -> tuple[int, str]:
    """`diemcau simulate` against the servers, in its own process; its exit status and printed report."""
    (admin, admin_password), (chair, chair_password) = servers.accounts["admin"], servers.accounts["chair"]
    env = {**os.environ, "DIEMCAU_SIMULATE_PASSWORD": admin_password, "DIEMCAU_SIMULATE_CHAIR_PASSWORD": chair_password,
           "DIEMCAU_METRICS_TOKEN": METRICS_TOKEN}
    command = [
        sys.executable, "-m", "server", "simulate", "--url", ",".join(servers.urls),
        "--user", admin, "--chair-user", chair,
        "--points", str(args.points), "--participants", str(args.participants), "--consoles", str(args.consoles),
        "--duration", str(args.duration), "--agenda-interval", str(args.agenda_interval),
        "--checkin-rate", str(args.checkin_rate), "--comment-rate", str(args.comment_rate),
        "--write-burst", str(args.write_burst), "--processes", str(args.workers), "--json", str(output),
        "--seed", str(args.seed),
    ]
    for process in servers.processes:
        command += ["--server-pid", str(process.pid)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout + done.stderr


def figures(result: dict[str, Any]) -> dict[str, Any]:
    """The benchmark's figures out of the rehearsal's JSON."""
    actions = result["actions"]
    burst = [actions[n] for n in ("burst_check_in", "burst_check_out") if n in actions]
    fan = result["fanout"]
    return {
        "consoles_asked": result["consoles"]["asked"],
        "consoles_held": result["consoles"]["still_connected"],
        "connect_seconds": result["consoles"]["connect_seconds"],
        "fanout_moves": fan["moves"],
        "fanout_p50_ms": fan["per_console"]["p50_ms"],
        "fanout_p99_ms": fan["per_console"]["p99_ms"],
        "every_console_p50_ms": fan["every_console"]["p50_ms"],
        "every_console_p99_ms": fan["every_console"]["p99_ms"],
        "fanout_missed": fan["missed"],
        "burst_writes_per_s": round(sum(a["per_second"] or 0 for a in burst), 1) if burst else None,
        "burst_write_p99_ms": max((a["p99_ms"] for a in burst if a["p99_ms"] is not None), default=None),
        "burst_errors": sum(sum(a["errors"].values()) for a in burst),
        "rss_per_console_kib": result["server"]["rss_per_console_kib"],
        "errors": {name: a["errors"] for name, a in actions.items() if a["errors"]},
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = (f"{'configuration':<26}{'consoles held':>15}{'fan-out p50/p99 ms':>21}{'every console p50/p99':>24}"
            f"{'writes/s':>10}{'KiB/console':>13}")
    lines = [head]
    for row in rows:
        f = row["figures"]
        lines.append(
            f"{row['configuration']:<26}{str(f['consoles_held']) + '/' + str(f['consoles_asked']):>15}"
            f"{str(f['fanout_p50_ms']) + ' / ' + str(f['fanout_p99_ms']):>21}"
            f"{str(f['every_console_p50_ms']) + ' / ' + str(f['every_console_p99_ms']):>24}"
            f"{f['burst_writes_per_s']!s:>10}{f['rss_per_console_kib']!s:>13}"
        )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        database_url = args.database_url or f"sqlite+aiosqlite:///{directory / 'scaling.db'}"
        kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
        if args.processes > 1 and not args.redis_url:
            raise SystemExit("bench.scaling: several server processes need --redis-url to carry their pushes")
        if args.processes > 1 and kind == "sqlite":
            raise SystemExit("bench.scaling: several server processes need a shared --database-url on PostgreSQL")
        servers = Servers(directory, database_url, args.redis_url, args.processes)
        try:
            await servers.start()
            output = directory / "simulate.json"
            began = time.monotonic()
            status, printed = await asyncio.to_thread(simulate, servers, args, output)
            print(printed)
            if not output.exists():
                raise RuntimeError(f"diemcau simulate exited {status} without results")
            result = json.loads(output.read_text(encoding="utf-8"))
        finally:
            servers.stop()
        configuration = f"{args.processes} × {kind}" + (" + redis" if args.redis_url else "")
        rows.append(
            {
                "configuration": configuration,
                "simulate_exit": status,
                "seconds": round(time.monotonic() - began, 1),
                "figures": figures(result),
                "simulate": result,
            }
        )
    print(table(rows))
    return {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "options": vars(args) | {"json": str(args.json)},
            "rows": rows}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="postgresql+asyncpg://... (default: a temporary SQLite file)")
    parser.add_argument("--redis-url", help="redis://... to carry pushes between several server processes")
    parser.add_argument("--processes", type=int, choices=(1, 2, 4), default=1, help="server processes (default 1)")
    parser.add_argument("--consoles", type=int, default=1000)
    parser.add_argument(
        "--workers", type=int, default=2, help="console worker processes of the load generator (default 2)"
    )
    parser.add_argument("--points", type=int, default=64)
    parser.add_argument("--participants", type=int, default=6400)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of the rehearsal proper (default 30)")
    parser.add_argument("--agenda-interval", type=float, default=2.0, help="seconds between agenda moves (default 2)")
    parser.add_argument(
        "--checkin-rate", type=float, default=6.0, help="check-ins per point per minute during the run (default 6)"
    )
    parser.add_argument("--comment-rate", type=float, default=2.0, help="comments per delegate per minute (default 2)")
    parser.add_argument(
        "--write-burst", type=float, default=15.0, help="seconds of as-fast-as-acknowledged check-ins (default 15)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="write the results here as well")
    options = parser.parse_args()
    report = asyncio.run(main(options))
    if options.json:
        options.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
