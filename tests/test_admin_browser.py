"""The admin console in a real Chromium: a new workshop's set-up checklist ticks itself and every empty table
says what to do; each point links its badge sheet, and the printed invitation sheet has a QR code per link."""
from __future__ import annotations

import re

from playwright.async_api import expect

from tests import test_browser
from tests.conftest import Call, Server
from tests.test_browser import Open, catalog

browser = test_browser.browser
open_console = test_browser.open_console
VI = catalog("vi")
DATE_TIME = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")


async def test_a_new_workshop_shows_its_next_steps_and_says_what_each_empty_table_needs(
    shared_server: Server, open_console: Open, call: Call
) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    created = await call("POST", f"{s.base_url}/api/v1/conferences", admin, json={"title": "Hội thảo mới tinh", "starts_at": "2026-03-02T08:00:00+07:00"})
    page = await open_console(s, admin, f"/admin/{created.body['id']}")
    steps = page.locator("#steps li")

    await expect(steps).to_have_count(6)
    await expect(page.locator("#steps-heading")).to_have_text(VI["steps.title_progress"].format(done=0, total=6))
    await expect(steps.first).to_have_attribute("data-done", "false")
    await expect(steps.first.locator("a")).to_have_attribute("href", "#points")
    await expect(steps.first.locator(".step-detail")).to_have_text(VI["steps.points_todo"])
    await expect(page.locator("#point-rows .empty-row")).to_have_text(VI["admin.no_points"])
    await expect(page.locator("#roster-rows .empty-row")).to_have_text(VI["admin.no_people_no_points"])
    await expect(page.locator("#invitation-rows .empty-row")).to_have_text(VI["admin.no_links"])
    await expect(page.locator("#agenda li.empty")).to_have_text(VI["agenda.none_yet"])
    # The record is offered in every format the server makes.
    links = page.locator("#details .summary-links a")
    await expect(links).to_have_text(["HTML", "Markdown", "JSON", "Word", "PDF"])
    await expect(links.nth(4)).to_have_attribute("href", f"/api/v1/conferences/{created.body['id']}/summary.pdf")

    form = page.locator("#point-form")
    await form.locator("[name=code]").fill("HN")
    await form.locator("[name=name]").fill("Điểm cầu Hà Nội")
    await form.locator("button[type=submit]").click()

    await expect(page.locator('#steps li[data-step="points"]')).to_have_attribute("data-done", "true")
    await expect(page.locator('#steps li[data-step="points"] .step-detail')).to_have_text(VI["steps.points_done"].format(n=1))
    await expect(page.locator("#point-rows .empty-row")).to_have_count(0)
    await expect(page.locator("#roster-rows .empty-row")).to_have_text(VI["admin.no_people"])
    await expect(page.locator("#steps-heading")).to_have_text(VI["steps.title_progress"].format(done=1, total=6))


async def test_each_point_links_its_badges_and_the_invitation_sheet_has_a_qr_per_link(
    shared_server: Server, open_console: Open
) -> None:
    s = shared_server
    page = await open_console(s, s.tokens["admin"], f"/admin/{s.conference_id}")
    hgi = page.locator("#point-rows tr").filter(has=page.get_by_text("HGI", exact=True))
    await expect(hgi.locator("a")).to_have_attribute("href", f"/admin/{s.conference_id}/points/HGI/badges")
    # The demo is set up: every step is ticked.
    await expect(page.locator("#steps-heading")).to_have_text(VI["steps.ready"])
    expiry = page.locator("#invitation-rows tr td:nth-child(4)").first
    assert DATE_TIME.match((await expiry.text_content()) or "")

    await page.locator("#sheet-open").click()
    urls = page.locator("#sheet .sheet-url")
    codes = page.locator("#sheet img.sheet-qr")
    await expect(codes).to_have_count(await urls.count())
    assert await urls.count() > 7
    # Every image was drawn: an SVG the server refused or could not make has no width.
    for index in range(await codes.count()):
        await expect(codes.nth(index)).to_have_js_property("complete", True)
    assert all(await codes.evaluate_all("(images) => images.map((image) => image.naturalWidth > 0)"))
