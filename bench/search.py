"""Roster search at one bridge point of 5,000 people, as the operator types.

    .venv/bin/python -m bench.search [--people 5000] [--requests 40]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import machine, percentiles, start
from server.simulate.people import numbered_name
from server.text import fold, name_sort_bytes

QUERIES = ("nguyen", "nguyen van", "NGUYỄN VĂN AN", "duc", "Đức", "tran thi ha", "pham minh", "zzz")


def load_point(database: Path, people: int) -> None:
    with sqlite3.connect(database) as db:
        conference_id, point_id = db.execute("SELECT conference_id, id FROM point WHERE code = 'HGI'").fetchone()
        rows = []
        for i in range(people):
            name = numbered_name(i)
            rows.append((conference_id, point_id, name, fold(name), name_sort_bytes(name)))
        db.executemany(
            "INSERT INTO participant (conference_id, point_id, full_name, search_key, sort_key, on_roster, created_at)"
            " VALUES (?, ?, ?, ?, ?, 1, datetime('now'))",
            rows,
        )
        db.execute("UPDATE point SET expected = expected + ? WHERE id = ?", (people, point_id))


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        server = await start(Path(tmp))
        server.stop()
        load_point(server.database, args.people)
        server = await start(Path(tmp))
        results = {}
        try:
            async with aiohttp.ClientSession() as http:
                headers = {"Authorization": f"Bearer {server.tokens['operators']['HGI']}"}
                for query in QUERIES + ("",):
                    samples = []
                    for _ in range(args.requests):
                        started = time.perf_counter()
                        async with http.get(
                            server.api("/participants"), params={"q": query, "limit": 50}, headers=headers
                        ) as response:
                            found = (await response.json())["total"]
                        samples.append(time.perf_counter() - started)
                    results[query or "(no query, first page)"] = {"matches": found, **percentiles(samples)}
        finally:
            server.stop()
    return {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "people_at_point": args.people, "queries": results}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=40)
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2, ensure_ascii=False))
