"""Comments from 500 delegates at once: the product against the least the stack can do, with and without consoles.

    .venv/bin/python -m bench.comments [--delegates 500] [--per-delegate 4] [--watchers 0,200] [--profile FILE]

Each delegate has its own invitation token and sends its comments one after the other, all
delegates at once, while the chair's console is connected and joined. The same load goes, in
the same run, to the demo server and to bench.bare_ingest (one aiosqlite writer committing
everything queued in one transaction; it takes the same POST with the same tokens), first
with no display console, then with each count in --watchers. Displays get no
`comment.submitted` from the product (it is not a public event), so on the bare server they
connect without joining its room: connected, receiving nothing, as in the product.

The JSON report gives, per server and count of consoles, the acknowledged-after-commit
throughput, latency (median, p99), the time from a comment's acknowledgement to the chair's
socket receiving it, the ratios product / bare, and the raw aiosqlite single-row commit rate.
--profile FILE records the product with py-spy during each burst and prints its top frames.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from bench.checkin import (
    RAW_SECONDS,
    Target,
    Watchers,
    add_roster,
    note,
    parse_counts,
    profile_file,
    profiled,
    raw_commit_rate,
)
from bench.common import machine, percentiles, start, start_bare_ingest
from bench.profile import recording
from server.simulate.loopback import Server

SUBMIT_WINDOW_SECONDS = 60
DEFAULT_SUBMIT_LIMIT = 30
INVITING_AT_ONCE = 16


async def delegate_tokens(http: aiohttp.ClientSession, server: Server, count: int) -> list[str]:
    headers = {"Authorization": f"Bearer {server.tokens['admin']}"}
    async with http.get(server.api(f"/participants?limit={count}"), headers=headers) as response:
        people = (await response.json())["items"][:count]
    slots = asyncio.Semaphore(INVITING_AT_ONCE)

    async def invite(person: dict[str, Any]) -> str:
        async with (
            slots,
            http.post(
                server.api("/invitations"), json={"role": "delegate", "participant_id": person["id"]}, headers=headers
            ) as response,
        ):
            if response.status != 201:
                raise RuntimeError(f"invitation answered {response.status}")
            return str((await response.json())["token"])

    return list(await asyncio.gather(*(invite(person) for person in people)))


async def burst(args: argparse.Namespace, target: Target, tokens: list[str], chair_token: str, conference_id: int,
                label: str) -> dict[str, Any]:
    """Every delegate sends its comments one after the other, all at once; the chair's socket notes each arrival."""
    received: dict[str, float] = {}
    chair = socketio.AsyncClient(reconnection=False)

    async def on_event(envelope: dict[str, Any]) -> None:
        if envelope["type"] == "comment.submitted":
            received[envelope["data"]["body"]] = time.perf_counter()

    chair.on("event", on_event)
    await chair.connect(target.base_url, auth={"token": chair_token}, transports=["websocket"])
    try:
        await chair.call("join", {"conference_id": conference_id, "after_seq": 10**9})
        acknowledged: dict[str, float] = {}
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=len(tokens) + 100)) as http:

            async def delegate(index: int, token: str) -> list[float]:
                latencies = []
                for n in range(args.per_delegate):
                    body = f"Góp ý số {n} của đại biểu {index} ({label}): đề nghị làm rõ trách nhiệm phối hợp."
                    started = time.perf_counter()
                    async with http.post(target.api("/comments"), json={"section_anchor": "dieu-3", "body": body},
                                         headers={"Authorization": f"Bearer {token}"}) as response:
                        await response.read()
                        if response.status != 201:
                            raise RuntimeError(f"comment answered {response.status}")
                    acknowledged[body] = time.perf_counter()
                    latencies.append(acknowledged[body] - started)
                return latencies

            begin = time.perf_counter()
            results = await asyncio.gather(*(delegate(i, token) for i, token in enumerate(tokens)))
            elapsed = time.perf_counter() - begin
        deadline = time.perf_counter() + 30
        while len(received) < len(acknowledged) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await chair.disconnect()
    latencies = [value for result in results for value in result]
    to_chair = [received[body] - at for body, at in acknowledged.items() if body in received]
    return {
        "comments": len(latencies),
        "per_second": round(len(latencies) / elapsed, 1),
        "latency": percentiles(latencies),
        "ack_to_chair": {**percentiles(to_chair), "missing": len(acknowledged) - len(to_chair)} if to_chair else None,
    }


async def measure(
    args: argparse.Namespace,
    target: Target,
    tokens: list[str],
    chair: str,
    display: str,
    conference_id: int,
    watchers: int,
    join: bool,
    label: str,
    profile: Path | None,
) -> dict[str, Any]:
    note(f"{type(target).__name__}: {watchers} consoles")
    async with (
        Watchers(target.base_url, display, conference_id, watchers, join=join) as consoles,
        recording(target.process.pid, profile),
    ):
        result = await burst(args, target, tokens, chair, conference_id, label)
    return {**result, "connect_seconds": round(consoles.connect_seconds, 1), "profile": profiled(profile)}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    load = os.getloadavg()
    sent = args.per_delegate * len(args.watchers)
    if sent > DEFAULT_SUBMIT_LIMIT:
        # The product's per-caller submission limit is not what is measured here; each delegate sends `sent` in the run.
        os.environ["DIEMCAU_SUBMIT_RATE"] = f"{sent}/{SUBMIT_WINDOW_SECONDS}"
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        product = await start(directory)
        product.stop()
        add_roster(product.database, per_point=max(1, args.delegates // 8 + 1))
        product = await start(directory)
        conference_id = int(product.tokens["conference_id"])
        chair, display = product.tokens["chair"], product.tokens["display"]
        bare = None
        runs = []
        try:
            async with aiohttp.ClientSession() as http:
                tokens = await delegate_tokens(http, product, args.delegates)
            note(f"product up, {len(tokens)} delegates invited")
            bare = await start_bare_ingest(directory, conference_id, [*tokens, chair, display])
            for watchers in args.watchers:
                profile = profile_file(args.profile, watchers, args.watchers)
                real = await measure(
                    args, product, tokens, chair, display, conference_id, watchers, True, f"w{watchers}", profile
                )
                least = await measure(
                    args, bare, tokens, chair, display, conference_id, watchers, False, f"w{watchers}", None
                )
                runs.append({
                    "watchers": watchers,
                    "product": real,
                    "bare": least,
                    "rate_ratio": round(real["per_second"] / least["per_second"], 3),
                    "p99_ratio": round(real["latency"]["p99_ms"] / least["latency"]["p99_ms"], 2),
                })
        finally:
            product.stop()
            if bare is not None:
                bare.stop()
        raw = await raw_commit_rate(directory, seconds=RAW_SECONDS)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "load_average": {"start": load, "end": os.getloadavg()},
        "delegates": len(tokens),
        "per_delegate": args.per_delegate,
        "runs": runs,
        "raw_aiosqlite_commits_per_second": round(raw, 1),
        "product_over_raw": {str(run["watchers"]): round(run["product"]["per_second"] / raw, 3) for run in runs},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delegates", type=int, default=500)
    parser.add_argument("--per-delegate", type=int, default=4)
    parser.add_argument(
        "--watchers",
        type=parse_counts,
        default=[0, 200],
        help="display consoles, comma-separated counts (default 0,200)",
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy raw profile of the product during each burst"
    )
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2, ensure_ascii=False))
