"""Time a roster import into a fresh demo server over HTTP.

    .venv/bin/python -m bench.import_roster [--rows 5000]

Prints the seconds from sending the file to the committed answer.
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.common import start

HEADER = "full_name,position,organization,point_code,role_in_meeting,email,phone"
CODES = ("HGI", "CTO", "AGG")


def roster_csv(rows: int) -> bytes:
    lines = [HEADER] + [
        f"Nguyễn Văn Số {i},Chuyên viên,Sở Nội vụ,{CODES[i % len(CODES)]},Đại biểu,nv{i}@example.vn,09{i:08d}"
        for i in range(rows)
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


async def main(rows: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        server = await start(Path(tmp))
        try:
            form = aiohttp.FormData()
            form.add_field("file", roster_csv(rows), filename="roster.csv")
            headers = {"Authorization": f"Bearer {server.tokens['admin']}"}
            async with aiohttp.ClientSession() as http:
                started = time.perf_counter()
                async with http.post(server.api("/participants/import"), data=form, headers=headers) as response:
                    body = await response.json()
                seconds = time.perf_counter() - started
            if response.status != 201 or body["created"] != rows:
                raise RuntimeError(f"import failed: {response.status} {body}")
            return seconds
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    arguments = parser.parse_args()
    print(f"imported {arguments.rows} rows in {asyncio.run(main(arguments.rows)):.2f} s")
