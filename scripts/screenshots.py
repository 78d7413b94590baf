"""Pictures of the five consoles in the middle of the demo workshop, and the first page of its record, for the README.

Run with the test extras installed (Playwright drives Debian's chromium; pdftoppm is poppler-utils):
    .venv/bin/python scripts/screenshots.py docs/screenshots
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Browser, async_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}


class Demo:
    """The demo server on a private SQLite file, and a way to call its API as any role."""

    def __init__(self, directory: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        tokens = directory / "tokens.json"
        env = {**os.environ, "DIEMCAU_SECRET_KEY": "screenshots", "DIEMCAU_DATA_DIR": str(directory)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--demo", "--demo-tokens", str(tokens), "--port", str(self.port),
             "--database-url", f"sqlite+aiosqlite:///{directory / 'demo.db'}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.tokens_file = tokens
        self.tokens: dict[str, Any] = {}
        self.http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self.http = aiohttp.ClientSession()
        for _ in range(300):
            try:
                async with self.http.get(self.base + "/healthz") as reply:
                    if reply.status == 200 and self.tokens_file.exists():
                        self.tokens = json.loads(self.tokens_file.read_text())
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError("the demo server did not start")

    async def call(self, method: str, path: str, token: str, body: Any = None) -> Any:
        assert self.http is not None
        url = f"{self.base}/api/v1/conferences/{self.tokens['conference_id']}{path}"
        async with self.http.request(method, url, json=body, headers={"Authorization": f"Bearer {token}"}) as reply:
            if reply.status >= 400:
                raise RuntimeError(f"{method} {path}: {reply.status} {await reply.text()}")
            return await reply.json() if reply.content_type == "application/json" else await reply.read()

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.close()
        self.process.terminate()
        self.process.wait(timeout=10)


async def live_workshop(demo: Demo) -> None:
    """Half-way through the morning: most people in, a substitute and a guest, an item running, a speech, comments."""
    t = demo.tokens
    chair = t["chair"]
    await demo.call("POST", "/open", chair)
    points = (await demo.call("GET", "/points", chair))["items"]
    delegates = {int(person_id) for person_id in t["delegates"]}
    for point in points:
        operator = t["operators"][point["code"]]
        listed = (await demo.call("GET", f"/participants?point_id={point['id']}", operator))["items"]
        # The delegates with their own links are in the room; two others per point are not (yet).
        people = sorted(listed, key=lambda person: person["id"] not in delegates)
        for person in people[: max(len(people) - 2, 1)]:
            await demo.call("POST", "/checkins", operator, {"participant_id": person["id"]})
        if point["code"] == "HGI":
            await demo.call(
                "POST", "/checkins", operator, {"full_name": "Lê Thanh Phong", "substitute_for": people[-1]["id"]}
            )
            await demo.call(
                "POST", "/checkins", operator, {"full_name": "Trần Thị Mai", "organization": "Báo Hậu Giang"}
            )
    opening = (await demo.call("POST", "/agenda/next", chair, {"expected_current_id": None}))["current"]
    await demo.call("POST", "/agenda/next", chair, {"expected_current_id": opening["id"]})
    tokens = list(t["delegates"].values())
    draft = (await demo.call("GET", "/drafts", chair))["items"][0]
    sections = (await demo.call("GET", f"/drafts/{draft['id']}", chair))["sections"]
    clauses = [s for s in sections if s["kind"] == "clause"][:3]
    for token, clause in zip(tokens, clauses, strict=False):
        await demo.call("POST", "/comments", token, {
            "section_anchor": clause["anchor"],
            "body": "Đề nghị quy định rõ thời hạn phối hợp để bảo đảm tính khả thi.",
            "proposed_text": clause["text"].rstrip(".") + " trong thời hạn 15 ngày làm việc.",
        })
    request = await demo.call("POST", "/speaking-requests", tokens[0], {"topic": "Về Điều 8, khoản 1"})
    await demo.call("POST", "/speaking-requests", tokens[1], {"topic": "Kiến nghị bổ sung Điều 3"})
    await demo.call("PATCH", f"/speaking-requests/{request['id']}", chair, {"status": "speaking"})


async def shoot(browser: Browser, demo: Demo, token: str, path: str | None, size: dict[str, int], out: Path) -> None:
    context = await browser.new_context(viewport=size, device_scale_factor=1)
    page = await context.new_page()
    await page.goto(f"{demo.base}/join/{token}")
    if path is not None:
        await page.goto(demo.base + path)
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(out))
    await context.close()


async def main(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        demo = Demo(Path(scratch))
        try:
            await demo.start()
            await live_workshop(demo)
            t, c = demo.tokens, demo.tokens["conference_id"]
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM)
                await shoot(browser, demo, t["admin"], f"/admin/{c}", LAPTOP, target / "admin.png")
                await shoot(browser, demo, t["chair"], f"/chair/{c}", LAPTOP, target / "chair.png")
                await shoot(browser, demo, t["operators"]["HGI"], None, PHONE, target / "operator.png")
                await shoot(browser, demo, next(iter(t["delegates"].values())), None, PHONE, target / "delegate.png")
                await shoot(browser, demo, t["display"], None, PROJECTOR, target / "display.png")
                await browser.close()
            await demo.call("POST", "/close", t["chair"])
            pdf = Path(scratch) / "record.pdf"
            pdf.write_bytes(await demo.call("GET", "/summary.pdf", t["chair"]))
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                            str(target / "record")], check=True)
        finally:
            await demo.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="where the pictures go (docs/screenshots)")
    asyncio.run(main(parser.parse_args().target))
