"""The operator console through a dropped link, in a real Chromium against a real server: check-ins, walk-ins
and badge scans made offline wait in the outbox, survive a reload that only the service worker can answer,
and reach the server exactly once each when the link is back."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, Route, async_playwright, expect

from server.badges.codes import participant_code
from server.simulate.loopback import ROOT, Server
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, LIVE_TIMEOUT_MS, catalog
from tests.support.http import Call

# A camera for getUserMedia without a device or a permission prompt: Chromium's test pattern.
FAKE_CAMERA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
# What Chromium logs for each request the emulated offline network refuses: expected, not a fault.
OFFLINE_ERROR = "net::ERR_INTERNET_DISCONNECTED"
SYNC_TIMEOUT_MS = 20_000
PRESENT = re.compile(r"\bis-present\b")
IMPORT = re.compile(r'from "([^"]+)"')
VI = catalog("vi")
# Resolves once a service worker is active for the page and controls it.
CONTROLLED = """async () => {
  await navigator.serviceWorker.ready;
  if (navigator.serviceWorker.controller) return;
  await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
}"""
# Resolves after the page has drawn 30 more frames (half a second at 60 Hz).
THIRTY_FRAMES = """() => new Promise((done) => {
  let frames = 0;
  const next = () => (++frames > 30 ? done() : requestAnimationFrame(next));
  requestAnimationFrame(next);
})"""
# Linux Chromium has no BarcodeDetector: this one reports whatever code the test puts before the camera.
FAKE_DETECTOR = """
window.BarcodeDetector = class {
  constructor(options) { window.detectorFormats = options.formats; }
  async detect() { return window.codeInView ? [{ rawValue: window.codeInView, format: "qr_code" }] : []; }
};
"""


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("The browser tests need Debian's chromium at /usr/bin/chromium (scripts/test installs it)")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + FAKE_CAMERA_ARGS
        )
        yield chromium
        await chromium.close()


class Operator:
    """An operator console in its own browser context, and the console errors it is allowed."""

    def __init__(self, page: Page, server: Server, point: str) -> None:
        self.page = page
        self.server = server
        self.token = server.tokens["operators"][point]
        self.expected_errors: list[str] = [OFFLINE_ERROR]

    @property
    def context(self) -> BrowserContext:
        return self.page.context

    def row(self, participant_id: int | str) -> Locator:
        return self.page.locator(f'#roster li[data-id="{participant_id}"]')

    @property
    def waiting(self) -> Locator:
        return self.page.locator("#outbox-status")

    async def roster_ids(self, count: int) -> list[int]:
        await expect(self.page.locator("#roster li").nth(count - 1)).to_be_attached()
        ids = await self.page.locator("#roster li").evaluate_all("(rows) => rows.map((row) => Number(row.dataset.id))")
        return list(ids[:count])

    async def scan(self, code: str) -> None:
        await self.page.locator("#scan-code").fill(code)
        await self.page.locator("#scan-code").press("Enter")


Open = Callable[..., Awaitable[Operator]]


@pytest.fixture
async def open_operator(browser: Browser) -> AsyncIterator[Open]:
    """open_operator(server, point, service_workers="allow", camera=False) -> the point's console, signed in
    through /join; with `camera`, the browser has a (fake) BarcodeDetector.

    The test fails on any console error or uncaught exception but those its Operator expects."""
    contexts: list[BrowserContext] = []
    operators: list[Operator] = []
    problems: list[tuple[Operator, str]] = []

    async def _open(
        server: Server, point: str = "HGI", service_workers: Any = "allow", camera: bool = False
    ) -> Operator:
        context = await browser.new_context(viewport={"width": 1366, "height": 768}, service_workers=service_workers)
        contexts.append(context)
        await context.add_cookies([{"name": "diemcau_lang", "value": "vi", "url": server.base_url}])
        if camera:
            await context.add_init_script(FAKE_DETECTOR)
        page = await context.new_page()
        operator = Operator(page, server, point)
        operators.append(operator)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                problems.append((operator, message.text))

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append((operator, f"uncaught: {error}")))
        await page.goto(f"{server.base_url}/join/{operator.token}")
        await expect(page.locator("#live-status")).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT_MS)
        return operator

    yield _open
    for context in contexts:
        await context.close()
    assert [text for operator, text in problems if not any(ok in text for ok in operator.expected_errors)] == []


async def keep_for_offline(operator: Operator) -> None:
    """Wait until the worker controls the console, then load it once through the worker, which keeps it."""
    await operator.page.evaluate(CONTROLLED)
    response = await operator.page.reload()
    assert response is not None and response.from_service_worker
    live = operator.page.locator("#live-status")
    await expect(live).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT_MS)


async def present_at(server: Server, call: Call, point: str) -> int:
    sheet = (await call("GET", server.api("/attendance"), server.tokens["chair"])).body
    return int(next(row for row in sheet["points"] if row["code"] == point)["present"])


async def movements(server: Server, call: Call, operator: Operator, participant_id: int) -> list[dict[str, Any]]:
    reply = await call("GET", server.api(f"/participants/{participant_id}/movements"), operator.token)
    assert reply.status == 200, reply.body
    return list(reply.body["items"])


async def test_check_ins_made_offline_survive_a_reload_and_reach_the_server_once(
    demo_server: Server, open_operator: Open, call: Call
) -> None:
    s = demo_server
    operator = await open_operator(s)
    page = operator.page
    await keep_for_offline(operator)
    ids = await operator.roster_ids(5)
    # This Chromium cannot read QR codes, so it offers no camera.
    await expect(page.locator("#camera-start")).to_be_hidden()

    await operator.context.set_offline(True)
    for participant_id in ids:
        await operator.row(participant_id).locator('button[data-action="check-in"]').click()
        await expect(operator.row(participant_id)).to_have_attribute("data-sync", "pending")
    await expect(operator.waiting).to_have_attribute("data-count", "5")

    # Only the worker's copy can answer this reload; the roster comes from the device, the 5 from the outbox.
    response = await page.reload()
    assert response is not None and response.from_service_worker
    await expect(page.locator("#offline-note")).to_be_visible()
    await expect(operator.waiting).to_have_attribute("data-count", "5")
    for participant_id in ids:
        await expect(operator.row(participant_id)).to_have_attribute("data-sync", "pending")
        await expect(operator.row(participant_id)).to_have_class(PRESENT)
        await expect(operator.row(participant_id).locator(".sync-pending")).to_have_text(VI["outbox.pending"])
    await expect(page.locator("#point-present")).to_have_text("5")

    await operator.context.set_offline(False)

    await expect(operator.waiting).to_have_attribute("data-count", "0", timeout=SYNC_TIMEOUT_MS)
    for participant_id in ids:
        await expect(operator.row(participant_id)).to_have_attribute("data-sync", "synced")
        await expect(operator.row(participant_id)).to_have_class(PRESENT)
    await expect(page.locator("#offline-note")).to_be_hidden(timeout=LIVE_TIMEOUT_MS)
    assert await present_at(s, call, "HGI") == 5
    roster = (await call("GET", s.api("/participants"), operator.token)).body["items"]
    assert sorted(p["id"] for p in roster if p["present"]) == sorted(ids)
    for participant_id in ids:
        assert len(await movements(s, call, operator, participant_id)) == 1


async def test_a_walk_in_made_offline_is_created_once(demo_server: Server, open_operator: Open, call: Call) -> None:
    s = demo_server
    operator = await open_operator(s)
    page = operator.page
    name = "Phạm Văn Khách"

    await operator.context.set_offline(True)
    await page.locator("#walk-in-form [name=full_name]").fill(name)
    await page.locator("#walk-in-form [name=organization]").fill("Báo Hậu Giang")
    await page.locator("#walk-in-form button[type=submit]").click()
    pending = page.locator('#roster li[data-id^="pending-"]')
    await expect(pending).to_have_attribute("data-sync", "pending")
    await expect(pending.locator("strong")).to_have_text(name)
    await expect(page.locator("#walk-in-form [name=full_name]")).to_have_value("")

    await operator.context.set_offline(False)

    await expect(operator.waiting).to_have_attribute("data-count", "0", timeout=SYNC_TIMEOUT_MS)
    await expect(pending).to_have_count(0)
    found = (await call("GET", s.api("/participants"), operator.token, params={"q": name})).body
    assert found["total"] == 1
    walk_in = found["items"][0]
    assert walk_in["present"] and not walk_in["on_roster"]
    await expect(operator.row(walk_in["id"])).to_have_attribute("data-sync", "synced")
    assert len(await movements(s, call, operator, walk_in["id"])) == 1
    # A guest is never counted among the invited delegates present.
    await expect(page.locator("#point-present")).to_have_text("0")
    await expect(page.locator("#point-others")).to_contain_text("khách mời 1")

    form = page.locator("#substitute-form")
    await form.locator("[name=substitute_for]").select_option(index=1)
    await form.locator("[name=full_name]").fill("Trần Văn Thay")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#point-others")).to_contain_text("1 có người dự thay · vắng ")
    await expect(page.locator("#point-others")).to_contain_text("người dự thay 1 · khách mời 1")
    await expect(page.locator("#point-present")).to_have_text("0")

    # The reason an invited delegate is absent, as the record will print it.
    absence = page.locator("#absence-form")
    absent = await absence.locator("[name=participant_id] option").nth(1).get_attribute("value")
    assert absent is not None
    await absence.locator("[name=participant_id]").select_option(absent)
    await absence.locator("[name=absence_reason]").fill("Đi công tác")
    await absence.locator("button[type=submit]").click()
    await expect(page.locator("#notice")).to_contain_text("Đã ghi lý do vắng")
    await expect(absence.locator(f'[name=participant_id] option[value="{absent}"]')).to_contain_text("Đi công tác")
    summary = (await call("GET", s.api("/summary.json"), s.tokens["chair"])).body
    assert "Đi công tác" in [a["absence_reason"] for a in summary["absentees"]]


async def test_a_walk_in_whose_answer_was_lost_is_not_created_twice(
    demo_server: Server, open_operator: Open, call: Call
) -> None:
    """The server makes the walk-in but its answer never arrives, as when the link drops mid-request: the
    page keeps the entry and sends it again with the same key, and the server answers with the first one.
    (No service worker here: Playwright routes only requests that no worker handles.)"""
    s = demo_server
    operator = await open_operator(s, service_workers="block")
    page = operator.page
    name = "Đỗ Thị Lạc Mạng"

    async def lose_the_answer(route: Route) -> None:
        await route.fetch()
        await route.abort("internetdisconnected")

    await page.route("**/checkins", lose_the_answer, times=1)
    await page.locator("#walk-in-form [name=full_name]").fill(name)
    await page.locator("#walk-in-form button[type=submit]").click()
    await expect(operator.waiting).to_have_attribute("data-count", "1")

    await page.locator("#outbox-retry").click()

    await expect(operator.waiting).to_have_attribute("data-count", "0", timeout=SYNC_TIMEOUT_MS)
    found = (await call("GET", s.api("/participants"), operator.token, params={"q": name})).body
    assert found["total"] == 1
    await expect(operator.row(found["items"][0]["id"])).to_have_attribute("data-sync", "synced")
    assert len(await movements(s, call, operator, found["items"][0]["id"])) == 1
    assert await present_at(s, call, "HGI") == 1


async def test_a_keyboard_wedge_scan_checks_in_and_refusals_are_explained(
    demo_server: Server, open_operator: Open, call: Call
) -> None:
    s = demo_server
    secret = ("test-secret-" + s.database.parent.name).encode()
    operator = await open_operator(s)
    # The refusals below are answered 403, 409 and 422, which Chromium logs as failed loads.
    operator.expected_errors += ["status of 403", "status of 409", "status of 422"]
    page = operator.page
    first, second = await operator.roster_ids(2)
    other_point = next(code for code in s.tokens["operators"] if code != "HGI")
    stranger = (await call("GET", s.api("/participants"), s.tokens["operators"][other_point])).body["items"][0]
    # One line answers the last scan: each answer replaces the one before.
    latest = page.locator("#scan-result")

    await operator.scan(participant_code(secret, s.conference_id, first))
    await expect(operator.row(first)).to_have_class(PRESENT)
    await expect(latest).to_have_attribute("data-kind", "synced")

    await operator.scan(participant_code(secret, s.conference_id, stranger["id"]))
    await expect(latest).to_have_attribute("data-kind", "failed")
    await expect(latest).to_contain_text("thuộc điểm cầu khác")

    await operator.scan(participant_code(secret, s.conference_id + 1, first))
    await expect(latest).to_have_text(VI["error.foreign_code"])

    await operator.scan("DC1-KHONGPHAIMA")
    await expect(latest).to_have_text(VI["error.bad_code"])

    await operator.scan(participant_code(secret, s.conference_id, first).lower())
    await expect(latest).to_have_attribute("data-kind", "settled")

    # Offline a code cannot be read into a name: the line says the code waits, and it is sent later. A refusal
    # met then, with nobody watching, stays listed with its reason (also after a reload) until dismissed.
    await operator.context.set_offline(True)
    code = participant_code(secret, s.conference_id, second)
    await operator.scan(code)
    await expect(latest).to_have_text(VI["scan.pending"].replace("{code}", code))
    await operator.scan(participant_code(secret, s.conference_id, stranger["id"]))
    await expect(operator.waiting).to_have_attribute("data-count", "2")
    await operator.context.set_offline(False)
    await expect(operator.waiting).to_have_attribute("data-count", "0", timeout=SYNC_TIMEOUT_MS)
    await expect(operator.row(second)).to_have_class(PRESENT)
    await expect(latest).to_have_attribute("data-kind", "failed")
    refused = page.locator("#outbox-failed li")
    await expect(refused).to_contain_text("thuộc điểm cầu khác")
    await page.reload()
    await expect(refused).to_contain_text("thuộc điểm cầu khác")
    await refused.locator("button").click()
    await expect(refused).to_have_count(0)

    assert await present_at(s, call, "HGI") == 2
    assert await present_at(s, call, other_point) == 0
    assert len(await movements(s, call, operator, first)) == 1


async def test_the_camera_submits_a_code_held_before_it_once(
    demo_server: Server, open_operator: Open, call: Call
) -> None:
    s = demo_server
    secret = ("test-secret-" + s.database.parent.name).encode()
    operator = await open_operator(s, camera=True)
    page = operator.page
    (first,) = await operator.roster_ids(1)
    await page.evaluate("(code) => { window.codeInView = code; }", participant_code(secret, s.conference_id, first))

    await page.locator("#camera-start").click()

    await expect(page.locator("#camera")).to_be_visible()
    await expect(operator.row(first)).to_have_class(PRESENT)
    assert await page.evaluate("window.detectorFormats") == ["qr_code"]
    # The code stays in view for many more frames; within three seconds none of them counts again (a second
    # submission would be answered "already checked in").
    await page.evaluate(THIRTY_FRAMES)
    await expect(page.locator("#scan-result")).to_have_attribute("data-kind", "synced")
    await page.locator("#camera-stop").click()
    await expect(page.locator("#camera")).to_be_hidden()
    assert await page.evaluate("document.getElementById('camera').srcObject === null")
    assert len(await movements(s, call, operator, first)) == 1


def say(key: str, **values: str) -> str:
    """A message of the Vietnamese catalog with `values` filled in; placeholders not given stay as written."""
    text = VI[key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


async def centre(button: Locator) -> tuple[float, float]:
    """Where a finger taps `button`, once it is in view."""
    await button.scroll_into_view_if_needed()
    box = await button.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


async def button_at(page: Page, point: tuple[float, float]) -> str | None:
    """The action of the button under `point` in the page, if any."""
    return await page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.dataset.action ?? null", list(point)
    )


async def test_undo_takes_back_a_check_in_made_here(demo_server: Server, open_operator: Open, call: Call) -> None:
    s = demo_server
    operator = await open_operator(s)
    page = operator.page
    # The page's clock, so that the five seconds a check-out can be taken back pass at once.
    await page.clock.install()
    await page.reload()
    # Live again before the first tap: the header's state and the roster's listing settle the layout the taps
    # below are measured on.
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT_MS)
    first, second = await operator.roster_ids(2)
    row = operator.row(first)
    name = (await row.locator("strong").text_content()) or ""
    feedback = page.locator("#roster-feedback")
    search = page.locator("#roster-search")

    # Found by search and tapped twice quickly: the search empties, and the person stays at the top of the
    # list, so the second tap lands on their state, not on the next person's check-in button.
    await search.fill((await operator.row(second).locator("strong").text_content()) or "")
    await expect(page.locator("#roster li")).to_have_count(1)
    button = operator.row(second).locator('button[data-action="check-in"]')
    # Scrolled to and measured in one step in the page: the list may be redrawn between Playwright's steps.
    x, y = await button.evaluate(
        "(b) => { b.scrollIntoView({block: 'center'}); const r = b.getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; }"
    )
    await page.mouse.click(x, y)
    await expect(row.locator('button[data-action="check-in"]')).to_be_visible()
    await page.mouse.click(x, y)
    await expect(operator.row(second)).to_have_attribute("data-sync", "synced")
    await expect(search).to_have_value("")
    await expect(page.locator("#roster li").first).to_have_attribute("data-id", str(second))
    await expect(row).not_to_have_class(PRESENT)
    assert await present_at(s, call, "HGI") == 1

    # Found by search and checked in: the search empties and takes the keys for the next arrival.
    await search.fill(name)
    await row.locator('button[data-action="check-in"]').click()
    await expect(search).to_have_value("")
    await expect(search).to_be_focused()
    await expect(row).to_have_attribute("data-sync", "synced")
    await expect(feedback).to_contain_text(say("attendance.done_check_in", name=name).split("{time}")[0])
    await expect(row.locator('button[data-action="check-in"]')).to_have_count(0)
    await row.locator('button[data-action="undo"]').click()

    # Absent shows at once (the undo waits in the outbox), synced once the server has it; the line says so.
    await expect(row).not_to_have_class(PRESENT)
    await expect(row).to_have_attribute("data-sync", "synced")
    await expect(row.locator('button[data-action="undo"]')).to_have_count(0)
    await expect(feedback).to_have_text(say("attendance.done_undo", name=name))
    assert await present_at(s, call, "HGI") == 1
    (stay,) = await movements(s, call, operator, first)
    assert stay["undone_at"] is not None

    # On a phone, the finger that checked someone in finds no button where it tapped, and the one that checked
    # them out finds none either (the check-out is held five seconds, its undo elsewhere in the row).
    await page.set_viewport_size({"width": 390, "height": 844})
    tapped = await centre(row.locator('button[data-action="check-in"]'))
    assert await button_at(page, tapped) == "check-in"
    await row.locator('button[data-action="check-in"]').click()
    # The row was already synced (the undo): its new state is what says the check-in has been drawn.
    await expect(row).to_have_class(PRESENT)
    await expect(row).to_have_attribute("data-sync", "synced")
    assert await button_at(page, tapped) is None
    tapped = await centre(row.locator('button[data-action="check-out"]'))
    assert await button_at(page, tapped) == "check-out"
    await row.locator('button[data-action="check-out"]').click()
    await expect(row).not_to_have_class(PRESENT)
    assert await button_at(page, tapped) is None
    await expect(row.locator(".badge.left")).to_contain_text(say("attendance.left_at").split("{time}")[0])
    await row.locator('button[data-action="keep"]').click()
    await expect(row).to_have_class(PRESENT)
    await expect(feedback).to_have_text(say("attendance.done_keep", name=name))
    await page.clock.fast_forward("00:06")
    await expect(row).to_have_class(PRESENT)
    assert await present_at(s, call, "HGI") == 2

    # Not taken back, it is sent when the five seconds are over, and the row says when the person left.
    await row.locator('button[data-action="check-out"]').click()
    await expect(row.locator('button[data-action="keep"]')).to_have_count(1)
    await page.clock.fast_forward("00:06")
    await expect(row).to_have_attribute("data-sync", "synced")
    await expect(row.locator('button[data-action="keep"]')).to_have_count(0)
    await expect(row.locator('button[data-action="check-in"]')).to_have_count(1)
    assert await present_at(s, call, "HGI") == 1
    stays = await movements(s, call, operator, first)
    assert len(stays) == 2 and stays[1]["checked_out_at"] is not None
    await page.reload()
    left_at = (
        datetime.fromisoformat(stays[1]["checked_out_at"]).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M")
    )
    await expect(operator.row(first).locator(".badge.left")).to_have_text(say("attendance.left_at", time=left_at))

    # Nobody by the name typed: the page offers a walk-in under that name, and the search empties after it.
    stranger = "Lâm Thị Vãng Lai"
    await search.fill(stranger)
    await expect(page.locator("#roster-empty-text")).to_have_text(say("operator.not_found", query=stranger))
    await page.locator("#roster-walk-in").click()
    await expect(page.locator("#walk-in-form [name=full_name]")).to_have_value(stranger)
    await expect(page.locator("#walk-in-form [name=position]")).to_be_focused()
    await page.locator("#walk-in-form button[type=submit]").click()
    await expect(search).to_have_value("")
    await expect(feedback).to_have_text(say("operator.checked_in", name=stranger))
    found = (await call("GET", s.api("/participants"), operator.token, params={"q": stranger})).body
    assert found["total"] == 1 and found["items"][0]["present"]


async def test_the_undo_button_goes_after_five_minutes(demo_server: Server, open_operator: Open) -> None:
    operator = await open_operator(demo_server)
    page = operator.page

    async def without_date(route: Route) -> None:
        # The page sets its clock by each answer's Date header; one arriving after the jump below would undo it.
        response = await route.fetch()
        headers = {name: value for name, value in response.headers.items() if name.lower() != "date"}
        await route.fulfill(response=response, headers=headers)

    await page.route("**/api/v1/**", without_date)
    await page.clock.install()
    await page.reload()
    (first,) = await operator.roster_ids(1)
    row = operator.row(first)
    await row.locator('button[data-action="check-in"]').click()
    await expect(row).to_have_attribute("data-sync", "synced")
    await expect(row.locator('button[data-action="undo"]')).to_have_text(VI["attendance.undo"])

    await page.clock.fast_forward("04:50")
    await expect(row.locator('button[data-action="undo"]')).to_have_count(1)
    await page.clock.fast_forward("00:15")

    await expect(row.locator('button[data-action="undo"]')).to_have_count(0)
    await expect(row.locator('button[data-action="check-out"]')).to_have_count(1)


async def test_the_worker_is_served_from_the_root_and_never_cached(demo_server: Server, call: Call) -> None:
    reply = await call("GET", demo_server.base_url + "/sw.js")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/javascript")
    assert reply.headers["Cache-Control"] == "no-cache"


def test_the_worker_keeps_every_file_the_console_needs() -> None:
    """A file left off the worker's list is not kept until the console has loaded once through the worker:
    a reload offline before that would break on it."""
    static = ROOT / "web" / "static"
    needed = {"/static/css/app.css", "/static/js/header.js"}  # from base.html
    modules = ["/static/js/operator.js"]
    while modules:
        module = modules.pop()
        needed.add(module)
        if module.startswith("/static/js/"):
            source = (static / module.removeprefix("/static/")).read_text(encoding="utf-8")
            imported = [
                s if s.startswith("/") else "/static/js/" + s.removeprefix("./") for s in IMPORT.findall(source)
            ]
            modules += [m for m in imported if m not in needed]
    kept = set(re.findall(r'"(/static/[^"]+)"', (static / "js" / "sw.js").read_text(encoding="utf-8")))
    assert needed <= kept
