"""Live agenda broadcast: the chair starts an item, how long until every console has it?

    .venv/bin/python -m bench.broadcast [--consoles 1000] [--rounds 20] [--processes 4]

N socket.io consoles (80 % operators spread over the bridge points, 20 % displays) connect
to a demo server and join the conference. Each round the chair moves the agenda on over
HTTP (`POST .../agenda/next`; the demo agenda is lengthened with copies of its items so
there is one per round, and the first item is live before anyone watches, so every round
finishes one item and starts the next); each console notes the wall-clock time at which
`agenda.item_started` reaches it. Latency = that time - the time just before the HTTP
request was sent.

In the same run the same clients connect to bench.bare_server (aiohttp + python-socketio,
no database, authorization or event log), and `POST /go` emits, round by round, the same
`agenda.item_started` envelopes the real server sent (copied from the real run) to one
room. The report gives p50/p99/max over every (console, round), the p50/p99 of the time
until every console had it (and that time round by round), the server's CPU time per round
(which other load on the machine moves far less than latency), the time and the server's CPU
time for every console to connect and join, RSS per connected console, and the ratios
real/bare. `bare_two_events` is the bare server sending what the real one sends per round:
`agenda.item_finished`, then `agenda.item_started`.

Consoles run in --processes worker processes so one Python client process is not the
bottleneck; they share the machine's cores with the servers. --profile DIR records the
real and the bare server with py-spy (raw format) while the consoles connect and join
(real-connect.txt, bare-connect.txt) and during their measured rounds (real.txt, bare.txt).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from bench.common import STARTUP_SECONDS, STOP_SECONDS, machine, percentiles, start
from server.simulate.loopback import Server, free_port, launch, stop_process
from server.simulate.workers import Workers, serve

OPERATOR_SHARE = 0.8
WARMUP_ROUNDS = 2
ROUND_GAP_SECONDS = 0.3
ROUND_TIMEOUT_SECONDS = 60.0
CONNECT_TIMEOUT_SECONDS = 600.0
CONNECT_CONCURRENCY = 8
STARTED = "agenda.item_started"
FINISHED = "agenda.item_finished"


# ---------------------------------------------------------------- consoles (worker processes)


class Consoles:
    """The socket.io clients of one worker process and what they received."""

    def __init__(self) -> None:
        self.clients: list[socketio.AsyncClient] = []
        self.received: list[list[tuple[int, float]]] = []
        self.last: dict[str, dict[str, Any]] = {}
        self.known_seq = 0
        self.events = 0

    async def connect(self, url: str, conference_id: int, tokens: list[str], seq: int) -> None:
        """Each console joins with the newest seq this process knows of: the one it was given, or since seen."""
        slots = asyncio.Semaphore(CONNECT_CONCURRENCY)
        self.known_seq = seq
        self.received = [[] for _ in tokens]
        self.clients = [socketio.AsyncClient(reconnection=False) for _ in tokens]

        async def one(index: int, token: str) -> None:
            client, mine = self.clients[index], self.received[index]

            def on_event(data: dict[str, Any]) -> None:
                self.events += 1
                if data.get("type") == STARTED:
                    mine.append((data["seq"], time.time()))
                if data.get("type") in (STARTED, FINISHED):
                    self.last[f"{data['type']}:{data['data'].get('id')}"] = data
                if isinstance(data.get("seq"), int) and data["seq"] > self.known_seq:
                    self.known_seq = data["seq"]

            client.on("event", on_event)
            async with slots:
                await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=60)
                ack = await client.call(
                    "join", {"conference_id": conference_id, "after_seq": self.known_seq}, timeout=60
                )
            if not isinstance(ack, dict) or not ack.get("ok"):
                raise RuntimeError(f"join refused: {ack!r}")
            if isinstance(ack.get("seq"), int):
                self.known_seq = max(self.known_seq, ack["seq"])

        await asyncio.wait_for(asyncio.gather(*(one(i, t) for i, t in enumerate(tokens))), CONNECT_TIMEOUT_SECONDS)

    async def wait(self, count: int, timeout: float) -> int:
        """Until every console has `count` item_started events, or the timeout; answers the least count."""
        deadline = time.monotonic() + timeout
        while min((len(r) for r in self.received), default=count) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return min((len(r) for r in self.received), default=count)

    async def close(self) -> None:
        async def one(client: socketio.AsyncClient) -> None:
            with contextlib.suppress(Exception):  # the server may already be gone
                await asyncio.wait_for(client.disconnect(), 10)

        await asyncio.gather(*(one(c) for c in self.clients))
        self.clients, self.received = [], []


async def _serve_commands(conn: Any) -> None:
    consoles = Consoles()

    async def connect(*args: Any) -> int:
        await consoles.connect(*args)
        return len(consoles.clients)

    async def reset() -> bool:
        for r in consoles.received:
            r.clear()
        consoles.events = 0
        return True

    async def times() -> tuple[list[list[tuple[int, float]]], int]:
        return consoles.received, consoles.events

    async def envelopes() -> dict[str, dict[str, Any]]:
        return consoles.last

    async def close() -> bool:
        await consoles.close()
        return True

    handlers = {"connect": connect, "wait": consoles.wait, "reset": reset, "times": times, "envelopes": envelopes,
                "close": close, "quit": close}
    await serve(conn, handlers, last="quit")


def _worker(conn: Any) -> None:
    asyncio.run(_serve_commands(conn))


# ---------------------------------------------------------------- measurement


def console_tokens(tokens: dict[str, Any], count: int) -> list[tuple[str, str]]:
    """(kind, token): 80 % operators round-robin over the points, 20 % displays, interleaved."""
    operators = list(tokens["operators"].values())
    displays = count - round(count * OPERATOR_SHARE)
    chosen = []
    for i in range(count):
        # spread the displays evenly through the list, so every worker gets its share
        if displays and (i * displays) // count != ((i + 1) * displays) // count:
            chosen.append(("display", tokens["display"]))
        else:
            chosen.append(("operator", operators[(i - (i * displays) // count) % len(operators)]))
    return chosen


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Profiler:
    """py-spy record on one process, stopped with SIGINT so it writes its file."""

    def __init__(self, pid: int, output: Path | None) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        if output is None:
            return
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        self.process = subprocess.Popen(
            [spy, "record", "-f", "raw", "-r", "250", "-o", str(output), "-p", str(pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def rounds(
    workers: Workers, trigger: Any, count: int, warmup: int, pid: int
) -> tuple[list[float], list[float], float]:
    """`count` measured rounds after `warmup` unmeasured ones: the send times, the HTTP answer times,
    and the server's CPU seconds over the measured rounds (which, unlike latency, other load on the machine hardly
    moves)."""
    sent: list[float] = []
    answered: list[float] = []
    cpu = 0.0
    for r in range(warmup + count):
        if r in (0, warmup):
            await workers.all("reset")
        if r == warmup:
            cpu = cpu_seconds(pid)
        before = time.time()
        await trigger(r)
        after = time.time()
        expected = r - warmup + 1 if r >= warmup else r + 1
        least = min(await workers.all("wait", expected, ROUND_TIMEOUT_SECONDS, timeout=ROUND_TIMEOUT_SECONDS + 30))
        if least < expected:
            raise RuntimeError(
                f"round {r}: some console did not receive {STARTED} within {ROUND_TIMEOUT_SECONDS:.0f} s"
            )
        if r >= warmup:
            sent.append(before)
            answered.append(after - before)
        await asyncio.sleep(ROUND_GAP_SECONDS)
    return sent, answered, cpu_seconds(pid) - cpu


async def summary(workers: Workers, sent: list[float], answered: list[float], cpu: float) -> dict[str, Any]:
    answers = await workers.all("times")
    received = [client for per_worker, _ in answers for client in per_worker]
    events = sum(count for _, count in answers)
    latencies: list[float] = []
    everyone: list[float] = []
    for r, t0 in enumerate(sent):
        seqs = {client[r][0] for client in received}
        if len(seqs) != 1:
            raise RuntimeError(f"round {r}: consoles disagree on the event ({sorted(seqs)[:5]})")
        these = [client[r][1] - t0 for client in received]
        latencies.extend(these)
        everyone.append(max(these))
    by_round = [round(t * 1000) for t in everyone]
    every = percentiles(latencies)
    last = percentiles(everyone)
    answer = percentiles(answered)
    return {
        "samples": every["n"],
        "p50_ms": every["median_ms"],
        "p99_ms": every["p99_ms"],
        "max_ms": every["max_ms"],
        "all_consoles_p50_ms": last["median_ms"],
        "all_consoles_p99_ms": last["p99_ms"],
        "http_answer_p50_ms": answer["median_ms"],
        "server_cpu_ms_per_round": round(cpu * 1000 / len(sent), 1),
        "events_per_console_per_round": round(events / (len(received) * len(sent)), 2),
        "all_consoles_by_round_ms": by_round,
    }


async def connect(workers: Workers, url: str, conference_id: int, chosen: list[tuple[str, str]], seq: int = 0) -> float:
    parts = len(workers.pipes)
    began = time.perf_counter()
    await workers.each(
        [("connect", url, conference_id, [t for _, t in chosen[w::parts]], seq) for w in range(parts)],
        timeout=CONNECT_TIMEOUT_SECONDS + 30,
    )
    return time.perf_counter() - began


async def lengthen_agenda(http: aiohttp.ClientSession, server: Server, chair: dict[str, str], starts: int) -> int:
    """Enough items for every round to be a plain `next` (the demo has 7): copies of the demo's, appended.

    The first item goes live before anyone watches, so every round finishes one item and starts the next;
    answers its id."""
    async with http.get(server.api("/agenda"), headers=chair) as response:
        items = (await response.json())["items"]
    fields = ("title", "kind", "presenter", "point_id", "planned_minutes")
    for k in range(max(0, starts - len(items))):
        item = items[k % len(items)]
        async with http.post(
            server.api("/agenda"), json={f: item[f] for f in fields if item.get(f) is not None}, headers=chair
        ) as response:
            if response.status != 201:
                raise RuntimeError(f"adding an agenda item answered {response.status}: {await response.text()}")
    async with http.post(server.api("/agenda/next"), json={"expected_current_id": None}, headers=chair) as response:
        body = await response.json()
        if response.status != 200 or not body.get("current"):
            raise RuntimeError(f"agenda/next answered {response.status}: {body}")
    return int(body["current"]["id"])


async def settle_rss(pid: int) -> int:
    await asyncio.sleep(1.0)
    return rss_kib(pid)


async def measure_real(
    args: argparse.Namespace, directory: Path, workers: Workers
) -> tuple[dict[str, Any], list[list[dict[str, Any]]], list[tuple[str, str]]]:
    """The demo server; answers its report, what each round sent (item_finished, item_started), and the consoles."""
    server = await start(directory / "real")
    chosen = console_tokens(server.tokens, args.consoles)
    try:
        chair = {"Authorization": f"Bearer {server.tokens['chair']}"}
        conference_id = server.tokens["conference_id"]
        async with aiohttp.ClientSession() as http:
            current = await lengthen_agenda(http, server, chair, 1 + WARMUP_ROUNDS + args.rounds)
            steps: list[tuple[int, int]] = []

            async def next_item(_: int) -> None:
                nonlocal current
                async with http.post(
                    server.api("/agenda/next"), json={"expected_current_id": current}, headers=chair
                ) as response:
                    body = await response.json()
                    if response.status != 200 or not body.get("current"):
                        raise RuntimeError(f"agenda/next answered {response.status}: {body}")
                steps.append((current, body["current"]["id"]))
                current = body["current"]["id"]

            async with http.get(server.api(""), headers=chair) as response:
                seq = (await response.json())["seq"]
            before = await settle_rss(server.process.pid)
            profiler = Profiler(server.process.pid, args.profile / "real-connect.txt" if args.profile else None)
            cpu = cpu_seconds(server.process.pid)
            try:
                connect_seconds = await connect(workers, server.base_url, conference_id, chosen, seq)
            finally:
                profiler.stop()
            connect_cpu = cpu_seconds(server.process.pid) - cpu
            after = await settle_rss(server.process.pid)
            profiler = Profiler(server.process.pid, args.profile / "real.txt" if args.profile else None)
            try:
                sent, answered, cpu = await rounds(workers, next_item, args.rounds, WARMUP_ROUNDS, server.process.pid)
            finally:
                profiler.stop()
        report = await summary(workers, sent, answered, cpu)
        last = (await workers.all("envelopes"))[0]
        envelopes = [[last[f"{FINISHED}:{finished}"], last[f"{STARTED}:{started}"]] for finished, started in steps]
    finally:
        # Nothing in this server is kept: kill it rather than let 800 operator consoles sign off one by one.
        server.process.kill()
        server.process.wait(timeout=30)
    await workers.all("close")
    report.update(
        connect_seconds=round(connect_seconds, 1),
        connect_cpu_seconds=round(connect_cpu, 1),
        rss_before_mib=round(before / 1024, 1),
        rss_after_mib=round(after / 1024, 1),
        rss_per_console_kib=round((after - before) / len(chosen), 1),
    )
    return report, envelopes, chosen


async def measure_bare(
    args: argparse.Namespace,
    directory: Path,
    workers: Workers,
    chosen: list[tuple[str, str]],
    envelopes: list[list[dict[str, Any]]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """bench.bare_server with the same consoles (their tokens are ignored there): one event, then the real pair."""
    port = free_port()
    process = await launch(
        ["-m", "bench.bare_server", "--port", str(port)], directory / "bare.log", port, STARTUP_SECONDS
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            async def payload(rounds: list[list[dict[str, Any]]]) -> None:
                async with http.post(base + "/payload", json={"rounds": rounds}) as response:
                    if response.status != 200:
                        raise RuntimeError(f"bare /payload answered {response.status}")

            async def go(r: int) -> None:
                async with http.post(base + "/go", params={"round": str(r)}) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"bare /go answered {response.status}")

            await payload([[started] for _, started in envelopes])
            await go(0)  # as on the real server, something was sent before anyone watched
            before = await settle_rss(process.pid)
            profiler = Profiler(process.pid, args.profile / "bare-connect.txt" if args.profile else None)
            cpu = cpu_seconds(process.pid)
            try:
                connect_seconds = await connect(workers, base, envelopes[0][1]["conference_id"], chosen)
            finally:
                profiler.stop()
            connect_cpu = cpu_seconds(process.pid) - cpu
            after = await settle_rss(process.pid)
            profiler = Profiler(process.pid, args.profile / "bare.txt" if args.profile else None)
            try:
                sent, answered, cpu = await rounds(workers, go, args.rounds, WARMUP_ROUNDS, process.pid)
            finally:
                profiler.stop()
            one = await summary(workers, sent, answered, cpu)
            one.update(
                connect_seconds=round(connect_seconds, 1),
                connect_cpu_seconds=round(connect_cpu, 1),
                rss_before_mib=round(before / 1024, 1),
                rss_after_mib=round(after / 1024, 1),
                rss_per_console_kib=round((after - before) / len(chosen), 1),
            )
            await payload(envelopes)
            sent, answered, cpu = await rounds(workers, go, args.rounds, WARMUP_ROUNDS, process.pid)
            two = await summary(workers, sent, answered, cpu)
        await workers.all("close")
    finally:
        stop_process(process, STOP_SECONDS)
    return one, two


async def main(args: argparse.Namespace) -> dict[str, Any]:
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    workers = Workers(args.processes, _worker)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            real, envelopes, chosen = await measure_real(args, directory, workers)
            bare, bare_two = await measure_bare(args, directory, workers, chosen, envelopes)
    finally:
        await workers.stop("quit", timeout=30)
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "consoles": args.consoles,
        "operators": sum(1 for k, _ in chosen if k == "operator"),
        "displays": sum(1 for k, _ in chosen if k == "display"),
        "processes": args.processes,
        "rounds": args.rounds,
        "item_started_bytes_max": max(
            len(json.dumps(started, ensure_ascii=False).encode()) for _, started in envelopes
        ),
        "real": real,
        "bare": bare,
        "bare_two_events": bare_two,
        "ratio_connect": round(real["connect_seconds"] / bare["connect_seconds"], 2),
        "ratio_connect_cpu": round(real["connect_cpu_seconds"] / bare["connect_cpu_seconds"], 2),
        "ratio_p99": round(real["p99_ms"] / bare["p99_ms"], 2),
        "ratio_p50": round(real["p50_ms"] / bare["p50_ms"], 2),
        "ratio_p99_to_two_events": round(real["p99_ms"] / bare_two["p99_ms"], 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--consoles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="directory for py-spy raw profiles of both servers, connecting and in the rounds",
    )
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2, ensure_ascii=False))
