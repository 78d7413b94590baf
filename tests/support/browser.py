"""Consoles in a real Chromium: the `browser` and `open_console` fixtures, the catalogs, and the checks the browser
tests share (no reload, accessibility, projectors)."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, async_playwright, expect

from server.simulate.loopback import ROOT, Server

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, never a downloaded one; the flags keep it from phoning home or needing a sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LIVE_TIMEOUT_MS = 10_000
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# A projector's two common sizes: the display must show everything on each without scrolling.
PROJECTORS = ({"width": 1920, "height": 1080}, {"width": 1280, "height": 720})
# What of the page lies outside the screen: the page scrolls, or a shown element of the page reaches past an edge.
OFF_SCREEN = """() => {
  const page = document.documentElement;
  const off = [];
  if (page.scrollHeight > innerHeight || page.scrollWidth > innerWidth)
    off.push(`page ${page.scrollWidth}×${page.scrollHeight}`);
  for (const node of document.querySelectorAll("main *")) {
    const box = node.getBoundingClientRect();
    if (!node.checkVisibility() || box.width === 0) continue;
    if (box.left < 0 || box.top < 0 || box.right > innerWidth || box.bottom > innerHeight) off.push(node.id ||
    node.className);
  }
  return off;
}"""
# The size of the smallest type that shows text on the page's main part.
SMALLEST_TEXT = """() => {
  const sizes = [...document.querySelectorAll("main *")]
    .filter((node) => node.checkVisibility() && [...node.childNodes].some((child) => child.nodeType === 3 &&
    child.textContent.trim()))
    .map((node) => parseFloat(getComputedStyle(node).fontSize));
  return Math.min(...sizes);
}"""
# Every file of the record the consoles offer, in the order of their links.
FILES = [
    "summary.html",
    "summary.md",
    "summary.json",
    "summary.docx",
    "summary.pdf",
    "summary.pdfa",
    "revised-draft.docx",
]


def catalog(lang: str) -> dict[str, str]:
    return json.loads((ROOT / "web" / "locales" / f"{lang}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("The browser tests need Debian's chromium at /usr/bin/chromium (scripts/test installs it)")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


class Consoles:
    """Opens console pages and collects every page's console errors and uncaught exceptions.

    Chromium logs every refused request as a console error; a test that makes the server refuse on purpose (a
    conflict, invalid input) says which status it expects with `expect_refusal`."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []
        self.refusals: set[int] = set()

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def expect_refusal(self, status: int) -> None:
        self.refusals.add(status)

    async def __call__(
        self, server: Server, token: str, path: str | None = None, lang: str = "vi", clock: bool = False,
        prepare: Callable[[Page], Awaitable[None]] | None = None,
    ) -> Page:
        """A page signed in through /join, in its own browser context. With `clock`, Playwright's fake clock is
        installed before the first page loads, so the test moves the page's time (page.clock) instead of waiting;
        `prepare(page)` runs before the first load too (to route its websocket, say)."""
        context = await self.browser.new_context(viewport={"width": 1366, "height": 768})
        self.contexts.append(context)
        await context.add_cookies([{"name": "diemcau_lang", "value": lang, "url": server.base_url}])
        page = await context.new_page()
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        if clock:
            await page.clock.install()
        if prepare is not None:
            await prepare(page)
        await page.goto(f"{server.base_url}/join/{token}")
        if path is not None:
            await page.goto(server.base_url + path)
        if await page.locator("#live-status").count():
            await expect(page.locator("#live-status")).to_have_attribute(
                "data-state", "online", timeout=LIVE_TIMEOUT_MS
            )
        return page

    def unexpected(self) -> list[str]:
        """The problems left once the expected refusals are taken out; each expected refusal must have happened."""
        refused = {status: f"the server responded with a status of {status} " for status in self.refusals}
        for status, text in refused.items():
            assert any(text in problem for problem in self.problems), f"no request was refused with {status}"
        return [problem for problem in self.problems if not any(text in problem for text in refused.values())]


Open = Consoles


@pytest.fixture
async def open_console(browser: Browser) -> AsyncIterator[Consoles]:
    """open_console(server, token, path=None, lang="vi", clock=False) -> a signed-in console page; the test
    fails if any page logged an error it did not expect."""
    consoles = Consoles(browser)
    yield consoles
    for context in consoles.contexts:
        await context.close()
    assert consoles.unexpected() == []


async def mark(page: Page) -> None:
    """Leave a mark in the page's JS state: it survives only if the page is never reloaded."""
    await page.evaluate("window.notReloaded = true")


async def assert_not_reloaded(page: Page) -> None:
    assert await page.evaluate("window.notReloaded === true")


async def violations(page: Page, within: str | None = None) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now (or on the `within` element), one line each."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: scripts/install test installs web/ with its development packages")
    # Evaluated, not added as a script tag: the pages' Content-Security-Policy refuses inline scripts.
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate(
        "([tags, within]) => axe.run(within ? {include: [within]} : document, {runOnly: {type: 'tag', values: tags}})",
        [RULES, within],
    )
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} at {', '.join(n['target'][0] for n in v['nodes'][:5])}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def assert_fits_projectors(display: Page) -> None:
    """The display shows all it has on either projector, in type read from the back of the room (no text smaller
    than a 54th of the screen's height: 20 px on 1080 lines), then goes back to its size."""
    size = display.viewport_size
    for projector in PROJECTORS:
        await display.set_viewport_size(projector)
        assert await display.evaluate(OFF_SCREEN) == [], projector
        assert await display.evaluate(SMALLEST_TEXT) >= projector["height"] / 54, projector
    if size is not None:
        await display.set_viewport_size(size)


def card(page: Page, item: dict[str, Any]) -> Any:
    return page.locator(f'#feed > li.kind-comment[data-id="{item["id"]}"]')
