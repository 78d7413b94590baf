"""Time of the attendance sheet for a national workshop: 1,000 points and 100,000 participants.

    .venv/bin/python -m bench.attendance [--points 1000] [--participants 100000] [--requests 50]
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


def load_workshop(database: Path, points: int, participants: int) -> None:
    """Bulk-load points, a roster spread over them and check-ins for about two thirds, counters included."""
    with sqlite3.connect(database) as db:
        conference_id = db.execute("SELECT id FROM conference").fetchone()[0]
        db.executemany(
            "INSERT INTO point (conference_id, code, name, region, is_host, link, expected, present, substitutes, "
            "walk_ins,"
            " operators_online) VALUES (?, ?, ?, ?, 0, 'ok', 0, 0, 0, 0, 0)",
            [(conference_id, f"X{i:05d}", f"Điểm cầu xã số {i}", f"Tỉnh {i % 63}") for i in range(points)],
        )
        point_ids = [row[0] for row in db.execute("SELECT id FROM point WHERE code LIKE 'X%' ORDER BY id")]
        rows = []
        for i in range(participants):
            name = numbered_name(i)
            rows.append((conference_id, point_ids[i % len(point_ids)], name, fold(name), name_sort_bytes(name)))
        db.executemany(
            "INSERT INTO participant (conference_id, point_id, full_name, search_key, sort_key, on_roster, created_at)"
            " VALUES (?, ?, ?, ?, ?, 1, datetime('now'))",
            rows,
        )
        db.execute(
            "INSERT INTO checkin (conference_id, point_id, participant_id, walk_in, checked_in_at)"
            " SELECT conference_id, point_id, id, 0, datetime('now') FROM participant WHERE id % 3 != 0 AND point_id IN"
            " (SELECT id FROM point WHERE code LIKE 'X%')"
        )
        db.execute(
            "UPDATE point SET expected = (SELECT count(*) FROM participant p WHERE p.point_id = point.id AND "
            "p.on_roster),"
            " present = (SELECT count(*) FROM checkin k WHERE k.point_id = point.id AND k.checked_out_at IS NULL)"
        )
        db.execute(
            "UPDATE conference SET expected = (SELECT sum(expected) FROM point WHERE point.conference_id = "
            "conference.id),"
            " present = (SELECT sum(present) FROM point WHERE point.conference_id = conference.id)"
        )


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        server = await start(Path(tmp))
        server.stop()
        begin = time.perf_counter()
        load_workshop(server.database, args.points, args.participants)
        loaded = time.perf_counter() - begin
        server = await start(Path(tmp))
        try:
            async with aiohttp.ClientSession() as http:
                headers = {"Authorization": f"Bearer {server.tokens['chair']}"}
                samples = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    async with http.get(server.api("/attendance"), headers=headers) as response:
                        sheet = await response.json()
                    samples.append(time.perf_counter() - started)
        finally:
            server.stop()
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "points": len(sheet["points"]),
        "participants": sheet["totals"]["expected"],
        "present": sheet["totals"]["present"],
        "load_seconds": round(loaded, 1),
        "attendance": percentiles(samples),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2, ensure_ascii=False))
