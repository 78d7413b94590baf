"""The admin console in a real Chromium: a new workshop's set-up checklist ticks itself and every empty table
says what to do; each point links its badge sheet, and the printed invitation sheet has a QR code per link."""
from __future__ import annotations

import re

from playwright.async_api import expect

from server.simulate.loopback import Server
from tests.support.browser import FILES, Open, catalog
from tests.support.http import Call

VI = catalog("vi")
DATE_TIME = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")


async def test_a_new_workshop_shows_its_next_steps_and_says_what_each_empty_table_needs(
    shared_server: Server, open_console: Open, call: Call
) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    created = await call(
        "POST",
        f"{s.base_url}/api/v1/conferences",
        admin,
        json={"title": "Hội thảo mới tinh", "starts_at": "2026-03-02T08:00:00+07:00"},
    )
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
    await expect(page.locator("#draft-current .empty")).to_have_text(VI["draft.none"])
    # The record is offered in every format the server makes, and the revised draft beside it, as on the chair's.
    links = page.locator("#details .summary-links a")
    await expect(links).to_have_text(["HTML", "Markdown", "JSON", "Word", "PDF", "PDF/A", VI["summary.revised_draft"]])
    for link, path in zip(await links.all(), FILES, strict=True):
        await expect(link).to_have_attribute("href", f"/api/v1/conferences/{created.body['id']}/{path}")

    form = page.locator("#point-form")
    await form.locator("[name=code]").fill("HN")
    await form.locator("[name=name]").fill("Điểm cầu Hà Nội")
    await form.locator("button[type=submit]").click()

    await expect(page.locator('#steps li[data-step="points"]')).to_have_attribute("data-done", "true")
    await expect(page.locator('#steps li[data-step="points"] .step-detail')).to_have_text(
        VI["steps.points_done"].format(n=1)
    )
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


async def test_every_date_on_the_admin_page_reads_dd_mm_yyyy(
    shared_server: Server, open_console: Open, call: Call
) -> None:
    """Invitation expiry, the draft's upload, the audit trail, the date fields' words: day first, never ISO or US."""
    s = shared_server
    # Something in the audit trail: the workshop's details saved as they are.
    venue = (await call("GET", s.api(), s.tokens["admin"])).body["venue"]
    assert (await call("PATCH", s.api(), s.tokens["admin"], json={"venue": venue})).status == 200
    page = await open_console(s, s.tokens["admin"], f"/admin/{s.conference_id}")
    await expect(page.locator("#invitation-rows tr").first).to_be_visible()
    await expect(page.locator("#draft-current span.meta")).to_contain_text(
        re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")
    )
    audit_at = page.locator("#audit-rows tr td:first-child")
    await expect(audit_at.first).not_to_be_empty()
    for cell in await audit_at.all_text_contents():
        assert DATE_TIME.match(cell), cell
    expiries = await page.locator("#invitation-rows tr td:nth-child(4)").all_text_contents()
    assert expiries and all(DATE_TIME.match(e) or e == VI["admin.no_expiry"] for e in expiries), expiries
    await expect(page.locator("#details-form input[name=starts_at] + .date-words")).to_have_text(
        re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")
    )

    # Every file and date field carries words of the page's language beside the browser's own control.
    for field, words in (
        ('input[type="file"]', ".file-name"),
        ('input[type="datetime-local"], input[type="date"]', ".date-words"),
    ):
        fields = page.locator(f"#setup {field}")
        assert await fields.count() > 0
        for index in range(await fields.count()):
            described = await fields.nth(index).get_attribute("aria-describedby") or ""
            assert described and await page.locator(f"#{described.split()[-1]}").evaluate(
                f"(node) => node.matches('{words}')"
            )

    text = await page.locator("#setup").inner_text()
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "an ISO date is shown"
    dates = re.findall(r"\b\d{1,4}/\d{1,2}/\d{1,4}\b", text)
    assert dates and all(re.fullmatch(r"(0[1-9]|[12]\d|3[01])/(0[1-9]|1[0-2])/\d{4}", d) for d in dates), dates
    # Each one is today's or a real date written day first: the demo's day is 2 of a month, never month 2 of 2.
    starts = (await call("GET", s.api(), s.tokens["admin"])).body["starts_at"]
    day, month, year = starts[8:10], starts[5:7], starts[0:4]
    await expect(page.locator("#details-form .date-words")).to_contain_text(f"{day}/{month}/{year}")

    # The record's letterhead is set in the same form; an emptied field is not set, and the page reads it back.
    form = page.locator("#details-form")
    await expect(form.locator("#record-header legend")).to_have_text(VI["header.legend"])
    await form.locator("[name=header_style]").select_option("party")
    await form.locator("[name=header_issuing_body]").fill("Tỉnh ủy Hậu Giang")
    await form.locator("[name=header_place]").fill("Vị Thanh")
    await form.locator("[name=header_number]").fill("")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#notice")).to_have_text(VI["form.saved"])
    header = (await call("GET", s.api(), s.tokens["admin"])).body["record_header"]
    assert (header["style"], header["issuing_body"], header["place"], header["number"]) == (
        "party",
        "Tỉnh ủy Hậu Giang",
        "Vị Thanh",
        None,
    )
    await page.reload()
    await expect(page.locator("#details-form [name=header_place]")).to_have_value("Vị Thanh")
    await expect(page.locator("#details-form [name=header_style]")).to_have_value("party")


async def test_a_refusal_is_told_in_vietnamese_and_its_toast_goes_by_itself(
    shared_server: Server, open_console: Open
) -> None:
    """The admin once read "A bridge point with this code exists": the page now says it in its language, and the
    error toast, which stays longer than a confirmation, leaves on its own."""
    s = shared_server
    open_console.expect_refusal(409)
    page = await open_console(s, s.tokens["admin"], f"/admin/{s.conference_id}", clock=True)
    form = page.locator("#point-form")
    await form.locator("[name=code]").fill("HGI")
    await form.locator("[name=name]").fill("Điểm cầu trùng mã")
    await form.locator("button[type=submit]").click()
    notice = page.locator("#notice")
    await expect(notice).to_have_text(VI["error.duplicate_code"])
    await expect(notice).to_have_attribute("data-kind", "error")
    await page.clock.run_for(10_000)
    await expect(notice).to_be_visible()
    await page.clock.run_for(6_000)
    await expect(notice).to_be_hidden()
