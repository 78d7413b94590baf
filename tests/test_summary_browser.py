"""The chair's closing statement in Chromium: generated from the figures, rewritten, kept, and frozen at close."""

from __future__ import annotations

from playwright.async_api import expect

from server.simulate.loopback import Server
from tests.support.browser import FILES, LIVE_TIMEOUT_MS, Open, catalog
from tests.support.http import Call

VI = catalog("vi")
WORDING = "Hội thảo thống nhất cao với dự thảo.\n\nĐề nghị cơ quan soạn thảo hoàn thiện trong tháng 9."


async def test_the_chair_rewrites_the_closing_statement(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}#ket-luan")
    text = chair.locator("#statement-text")
    generated = (await call("GET", s.api("/closing-statement"), s.tokens["chair"])).body["generated"]
    assert "kết nối với 7 điểm cầu" in generated
    await expect(text).to_have_value(generated)
    await expect(chair.locator("#statement-state")).to_have_text(VI["statement.generated"])
    await expect(chair.locator("#statement-heading")).to_have_text(VI["statement.title"])
    # The record in every format, Word and PDF beside HTML, Markdown and JSON; the attendance export and the sheets to
    # sign on the points' pane, each of which opens.
    api = f"/api/v1/conferences/{s.conference_id}"
    links = chair.locator("#pane-ket-luan .summary-links a")
    await expect(links).to_have_text(["HTML", "Markdown", "JSON", "Word", "PDF", "PDF/A", VI["summary.revised_draft"]])
    for link, path in zip(await links.all(), FILES, strict=True):
        await expect(link).to_have_attribute("href", f"{api}/{path}")
    exports = chair.locator("#pane-diem-cau .summary-links a")
    await expect(exports).to_have_text(["XLSX", "CSV", VI["attendance.sheet_before"], VI["attendance.sheet_after"]])
    for link in await exports.all():
        answer = await chair.request.get(s.base_url + (await link.get_attribute("href") or ""))
        assert answer.status == 200, await answer.text()
    # A full-width editor: the text spans the page's column, tall enough to read paragraphs, not a small box.
    box, column = await text.bounding_box(), await chair.locator("main").bounding_box()
    assert box and column and box["width"] > 0.9 * column["width"] and box["height"] > 300, (box, column)
    await expect(chair.locator("#statement-reset")).to_be_hidden()

    await text.fill(WORDING)
    await chair.locator("#statement-save").click()
    await expect(chair.locator("#statement-state")).to_have_text(VI["statement.edited"])
    stored = (await call("GET", s.api("/closing-statement"), s.tokens["chair"])).body
    assert stored["text"] == WORDING and stored["edited"] is True

    # Another chair's console learns of the change live.
    other = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}#ket-luan")
    await expect(other.locator("#statement-text")).to_have_value(WORDING)

    await chair.reload()
    await expect(chair.locator("#statement-text")).to_have_value(WORDING)
    await chair.locator("#statement-reset").click()
    await expect(chair.locator("#statement-text")).to_have_value(generated, timeout=LIVE_TIMEOUT_MS)
    await expect(other.locator("#statement-state")).to_have_text(VI["statement.generated"], timeout=LIVE_TIMEOUT_MS)

    assert (await call("POST", s.api("/close"), s.tokens["chair"])).status == 200
    await expect(chair.locator("#statement-state")).to_have_text(VI["statement.locked"], timeout=LIVE_TIMEOUT_MS)
    # Frozen, it is no longer a draft.
    await expect(chair.locator("#statement-heading")).to_have_text(VI["statement.title_frozen"])
    await expect(chair.locator("#statement-text")).to_have_attribute("readonly", "")
    await expect(chair.locator("#statement-save")).to_be_hidden()
