"""Comments from 500 delegates at once while the chair's console is connected.

    .venv/bin/python -m bench.comments [--delegates 500] [--per-delegate 4]

Reports acknowledged-after-commit throughput and latency, the time from a comment's
acknowledgement to the chair's socket receiving comment.submitted, and the raw aiosqlite
single-row commit rate on the same machine.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from bench.checkin import add_roster, raw_commit_rate
from bench.common import BenchServer, machine, percentiles, start


async def delegate_tokens(http: aiohttp.ClientSession, server: BenchServer, count: int) -> list[str]:
    headers = {"Authorization": f"Bearer {server.tokens['admin']}"}
    async with http.get(server.api(f"/participants?limit={count}"), headers=headers) as response:
        people = (await response.json())["items"][:count]
    tokens = []
    for person in people:
        async with http.post(server.api("/invitations"), json={"role": "delegate", "participant_id": person["id"]},
                             headers=headers) as response:
            tokens.append((await response.json())["token"])
    return tokens


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        server = await start(directory)
        server.stop()
        add_roster(server.database, per_point=max(1, args.delegates // 8 + 1))
        server = await start(directory)
        received: dict[str, float] = {}
        chair = socketio.AsyncClient(reconnection=False)

        async def on_event(envelope: dict[str, Any]) -> None:
            if envelope["type"] == "comment.submitted":
                received[envelope["data"]["body"]] = time.perf_counter()

        chair.on("event", on_event)
        try:
            await chair.connect(server.base_url, auth={"token": server.tokens["chair"]}, transports=["websocket"])
            await chair.call("join", {"conference_id": server.tokens["conference_id"], "after_seq": 10**9})
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=600)) as http:
                tokens = await delegate_tokens(http, server, args.delegates)
                acknowledged: dict[str, float] = {}

                async def delegate(index: int, token: str) -> list[float]:
                    latencies = []
                    for n in range(args.per_delegate):
                        body = f"Góp ý số {n} của đại biểu {index}: đề nghị làm rõ trách nhiệm phối hợp."
                        started = time.perf_counter()
                        async with http.post(server.api("/comments"), json={"section_anchor": "dieu-3", "body": body},
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
            to_chair = [received[body] - at for body, at in acknowledged.items() if body in received]
        finally:
            await chair.disconnect()
            server.stop()
        raw = await raw_commit_rate(directory, seconds=5)
    latencies = [value for result in results for value in result]
    rate = len(latencies) / elapsed
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "delegates": len(tokens),
        "comments": len(latencies),
        "per_second": round(rate, 1),
        "latency": percentiles(latencies),
        "ack_to_chair": {**percentiles(to_chair), "missing": len(acknowledged) - len(to_chair)},
        "raw_aiosqlite_commits_per_second": round(raw, 1),
        "ratio_to_raw": round(rate / raw, 3),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delegates", type=int, default=500)
    parser.add_argument("--per-delegate", type=int, default=4)
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2, ensure_ascii=False))
